/* animation — the Python CairoVNC example_animation: a white bezier whose
 * control point swings up and down, and a bouncing red square, drawn ten
 * times a second.
 *
 * The program draws under its own lock and says frame_ready() after each
 * frame. The server copies pixels only while holding that lock, so viewers
 * never see half a frame, and it sends each frame as soon as it is ready.
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

  g_mutex_lock (&demo->lock);
  demo->scene.seq++;
  demo_scene_draw (&demo->scene, demo->surface);
  g_mutex_unlock (&demo->lock);
  cairovnc_server_frame_ready (demo->server);
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  int width = DEMO_SIZE;
  int height = DEMO_SIZE;
  double fps = 1000.0 / DEMO_FRAME_MS;
  const GOptionEntry entries[] = {
    { "width", 0, 0, G_OPTION_ARG_INT, &width, "Surface width in pixels (default 200)", "W" },
    { "height", 0, 0, G_OPTION_ARG_INT, &height, "Surface height in pixels (default 200)", "H" },
    { "fps", 0, 0, G_OPTION_ARG_DOUBLE, &fps, "Frames drawn per second (default 10)", "F" },
    { NULL }
  };
  const DemoOptions *options;
  g_autoptr (GError) error = NULL;
  Demo demo;
  guint timer;

  options = demo_options_parse ("Serves an animated cairo surface to VNC viewers.", entries,
                                &argc, &argv);
  /* cairo's limit for image surfaces. */
  if (width < 1 || width > 32767 || height < 1 || height > 32767)
    {
      g_printerr ("--width and --height must be between 1 and 32767\n");
      return 1;
    }
  if (!(fps > 0 && fps <= 1000))
    {
      g_printerr ("--fps must be more than 0 and at most 1000\n");
      return 1;
    }

  g_mutex_init (&demo.lock);
  demo.surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  demo_scene_init (&demo.scene);
  /* The first frame is there before any viewer can look. */
  demo_scene_draw (&demo.scene, demo.surface);

  demo.server = cairovnc_server_new (demo.surface, &demo.lock);
  demo_options_apply (options, demo.server);
  /* The server sends at most 20 frames a second unless told otherwise. */
  if (fps > 20)
    cairovnc_server_set_max_framerate (demo.server, fps);
  if (!cairovnc_server_start_thread (demo.server, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  demo_print_address (demo.server, options);

  timer = g_timeout_add ((guint) (1000 / fps), draw_next_frame, &demo);
  demo_run (options);
  g_source_remove (timer);

  cairovnc_server_stop (demo.server);
  g_object_unref (demo.server);
  cairo_surface_destroy (demo.surface);
  g_mutex_clear (&demo.lock);
  return 0;
}
