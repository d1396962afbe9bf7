/* new-surface — the Python CairoVNC example_new_surface: every two seconds
 * the program draws into a new surface of another width (200, 220, 200, …)
 * and hands it to the server, which tells viewers the new size.
 *
 * As in the original there is no lock, so the server may copy a frame
 * while it is half drawn; locking.c adds the lock.
 */
#include "demo-common.h"

typedef struct {
  CairoVncServer *server;
  cairo_surface_t *surface;
  DemoScene scene;
} Demo;

static gboolean
draw_next_frame (gpointer data)
{
  Demo *demo = data;
  gboolean resized;

  demo->scene.seq++;
  resized = demo_resize_if_due (&demo->surface, demo->scene.seq);
  demo_scene_draw (&demo->scene, demo->surface);
  /* Handed over once drawn: with no lock, the server may copy it at once. */
  if (resized)
    cairovnc_server_set_surface (demo->server, demo->surface, NULL);
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
                                "every two seconds.", NULL, &argc, &argv);

  demo.surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, DEMO_SIZE, DEMO_SIZE);
  demo_scene_init (&demo.scene);
  demo_scene_draw (&demo.scene, demo.surface);

  demo.server = cairovnc_server_new (demo.surface, NULL);
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
  return 0;
}
