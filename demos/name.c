/* name — the Python CairoVNC example_name: the animation, with a desktop
 * name that counts the seconds ("0 seconds", "1 seconds", …).
 *
 * The program sets the name with every frame; viewers that support the
 * DesktopName pseudo-encoding are told only when it changes, once a second,
 * and show it in their title bar.
 */
#include "demo-common.h"

typedef struct {
  CairoVncServer *server;
  cairo_surface_t *surface;
  GMutex lock;
  DemoScene scene;
  gint64 start_us;
} Demo;

static gboolean
draw_next_frame (gpointer data)
{
  Demo *demo = data;
  g_autofree char *name = NULL;
  int seconds;

  g_mutex_lock (&demo->lock);
  demo->scene.seq++;
  demo_scene_draw (&demo->scene, demo->surface);
  g_mutex_unlock (&demo->lock);
  cairovnc_server_frame_ready (demo->server);

  seconds = (int) ((g_get_monotonic_time () - demo->start_us) / G_USEC_PER_SEC);
  name = g_strdup_printf ("%d seconds", seconds);
  cairovnc_server_set_desktop_name (demo->server, name);
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  const DemoOptions *options;
  g_autoptr (GError) error = NULL;
  Demo demo;
  guint timer;

  options = demo_options_parse ("Serves an animated cairo surface whose desktop name counts "
                                "the seconds.", NULL, &argc, &argv);

  g_mutex_init (&demo.lock);
  demo.surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, DEMO_SIZE, DEMO_SIZE);
  demo_scene_init (&demo.scene);
  demo_scene_draw (&demo.scene, demo.surface);

  demo.server = cairovnc_server_new (demo.surface, &demo.lock);
  demo_options_apply (options, demo.server);
  if (!cairovnc_server_start_thread (demo.server, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  demo_print_address (demo.server, options);

  demo.start_us = g_get_monotonic_time ();
  timer = g_timeout_add (DEMO_FRAME_MS, draw_next_frame, &demo);
  demo_run (options);
  g_source_remove (timer);

  cairovnc_server_stop (demo.server);
  g_object_unref (demo.server);
  cairo_surface_destroy (demo.surface);
  g_mutex_clear (&demo.lock);
  return 0;
}
