/* password — the Python CairoVNC example_password: the locking demo behind
 * VNC Authentication with two passwords. "password" lets a viewer watch
 * and control; "readonly" lets it only watch.
 *
 * With both passwords set, input is on by default. Unlike the original,
 * the program takes and prints the events: events nobody takes fill the
 * queue, and then the server stops reading from the viewer.
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
      demo_print_event (event);
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

  options = demo_options_parse ("Serves a cairo surface to viewers that know a password.", NULL,
                                &argc, &argv);

  g_mutex_init (&demo.lock);
  demo.surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, DEMO_SIZE, DEMO_SIZE);
  demo_scene_init (&demo.scene);
  demo_scene_draw (&demo.scene, demo.surface);

  demo.server = cairovnc_server_new (demo.surface, &demo.lock);
  demo_options_apply (options, demo.server);
  cairovnc_server_set_password (demo.server, "password");
  cairovnc_server_set_password_readonly (demo.server, "readonly");
  if (!cairovnc_server_start_thread (demo.server, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  demo_print_address (demo.server, options);
  g_print ("Password \"password\" to watch and control, \"readonly\" to watch only\n");

  timer = g_timeout_add (DEMO_FRAME_MS, draw_next_frame, &demo);
  demo_run (options);
  g_source_remove (timer);

  cairovnc_server_stop (demo.server);
  g_object_unref (demo.server);
  cairo_surface_destroy (demo.surface);
  g_mutex_clear (&demo.lock);
  return 0;
}
