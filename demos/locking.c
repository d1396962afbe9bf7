/* locking — the Python CairoVNC example_locking: as new-surface, a new
 * surface of another width every two seconds, but the program holds its
 * lock while it replaces and draws the surface.
 *
 * The server takes the same lock only while it copies pixels out, so it
 * never sees a frame half drawn, nor a new surface before its first frame.
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

  options = demo_options_parse ("Serves a cairo surface that is replaced by one of another size "
                                "every two seconds, under a lock.", NULL, &argc, &argv);

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

  timer = g_timeout_add (DEMO_FRAME_MS, draw_next_frame, &demo);
  demo_run (options);
  g_source_remove (timer);

  cairovnc_server_stop (demo.server);
  g_object_unref (demo.server);
  cairo_surface_destroy (demo.surface);
  g_mutex_clear (&demo.lock);
  return 0;
}
