/* scroll — the Python CairoVNC example_scroll: both pointer wheels move a
 * square, 10 pixels a step (wheel up moves it up, wheel right moves it
 * right).
 *
 * Nothing changes between events, so the main thread just waits for the
 * next one; it redraws under the lock and says frame_ready() after each
 * step. (The original waited with get_event() without a timeout, which
 * never returns, so its square never moved.)
 */
#include "demo-common.h"

#define WIDTH 300
#define HEIGHT 200
#define STEP 10

static void
draw (cairo_surface_t *surface, int offset_x, int offset_y)
{
  cairo_t *cr = cairo_create (surface);

  cairo_set_source_rgb (cr, 0.15, 0.15, 0.15);
  cairo_paint (cr);

  cairo_set_source_rgb (cr, 0.2, 0.7, 1.0);
  cairo_rectangle (cr, 120 + offset_x, 70 + offset_y, 60, 60);
  cairo_fill (cr);

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_move_to (cr, 10, 20);
  cairo_show_text (cr, "Use both pointer wheels to move the square");
  cairo_destroy (cr);
}

int
main (int argc, char **argv)
{
  const DemoOptions *options;
  g_autoptr (GError) error = NULL;
  CairoVncServer *server;
  cairo_surface_t *surface;
  GMutex lock;
  GThread *stop_watch;
  CairoVncEvent *event;
  int offset_x = 0;
  int offset_y = 0;

  options = demo_options_parse ("Serves a square that the pointer wheels move.", NULL,
                                &argc, &argv);

  g_mutex_init (&lock);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, WIDTH, HEIGHT);
  draw (surface, offset_x, offset_y);

  server = cairovnc_server_new (surface, &lock);
  demo_options_apply (options, server);
  cairovnc_server_set_read_only (server, FALSE);
  if (!cairovnc_server_start_thread (server, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  demo_print_address (server, options);

  /* Waits for as long as it takes; on Ctrl-C the stop watch wakes it. */
  stop_watch = demo_watch_for_stop (options, server);
  while ((event = cairovnc_server_pop_event (server, -1))->type != DEMO_EVENT_STOP)
    {
      if (event->type == CAIROVNC_EVENT_SCROLL)
        {
          offset_x += event->dx * STEP;
          offset_y -= event->dy * STEP;
          g_mutex_lock (&lock);
          draw (surface, offset_x, offset_y);
          g_mutex_unlock (&lock);
          cairovnc_server_frame_ready (server);
        }
      cairovnc_event_free (event);
    }
  cairovnc_event_free (event);
  g_thread_join (stop_watch);

  cairovnc_server_stop (server);
  g_object_unref (server);
  cairo_surface_destroy (surface);
  g_mutex_clear (&lock);
  return 0;
}
