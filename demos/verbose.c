/* verbose — the Python CairoVNC example_verbose: the input demo (the
 * pointer bends the curve, clicks recolour the squares, keys are printed,
 * the width changes every two seconds) with the verbose property on, so
 * the server logs each viewer's handshake, requests and updates.
 */
#include "demo-common.h"

typedef struct {
  CairoVncServer *server;
  cairo_surface_t *surface;
  GMutex lock;
  DemoScene scene;
} Demo;

static gboolean
draw_next_frame (gpointer data)
{
  Demo *demo = data;
  CairoVncEvent *event;

  while ((event = cairovnc_server_pop_event (demo->server, 0)) != NULL)
    {
      demo_scene_handle_event (&demo->scene, event);
      cairovnc_event_free (event);
    }

  demo->scene.seq++;
  g_mutex_lock (&demo->lock);
  if (demo_resize_if_due (&demo->surface, demo->scene.seq))
    cairovnc_server_set_surface (demo->server, demo->surface, &demo->lock);
  demo_scene_draw (&demo->scene, demo->surface);
  g_mutex_unlock (&demo->lock);
  cairovnc_server_frame_ready (demo->server);
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  const DemoOptions *options;
  g_autoptr (GError) error = NULL;
  Demo demo;
  guint timer;

  options = demo_options_parse ("Serves a cairo surface that viewers steer, and logs what they do.",
                                NULL, &argc, &argv);

  g_mutex_init (&demo.lock);
  demo.surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, DEMO_SIZE, DEMO_SIZE);
  demo_scene_init (&demo.scene);
  demo.scene.follow_pointer = TRUE;
  demo.scene.pointer_x = DEMO_SIZE / 2;
  demo.scene.pointer_y = DEMO_SIZE / 2;
  demo_scene_draw (&demo.scene, demo.surface);

  demo.server = cairovnc_server_new (demo.surface, &demo.lock);
  demo_options_apply (options, demo.server);
  cairovnc_server_set_read_only (demo.server, FALSE);
  cairovnc_server_set_verbose (demo.server, TRUE);
  if (!cairovnc_server_start_thread (demo.server, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  demo_print_address (demo.server, options);
  g_print ("Move the pointer to bend the curve, click to recolour the squares, type to see keys\n");

  timer = g_timeout_add (DEMO_FRAME_MS, draw_next_frame, &demo);
  demo_run (options);
  g_source_remove (timer);

  cairovnc_server_stop (demo.server);
  g_object_unref (demo.server);
  cairo_surface_destroy (demo.surface);
  g_mutex_clear (&demo.lock);
  return 0;
}
