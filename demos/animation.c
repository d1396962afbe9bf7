/* animation — the Python CairoVNC example_animation: a white bezier whose
 * control point swings up and down, and a bouncing red square, drawn ten
 * times a second.
 *
 * The program draws under its own lock and says frame_ready() after each
 * frame. The server copies pixels only while holding that lock, so viewers
 * never see half a frame, and it sends each frame as soon as it is ready.
 */
#include "demo-common.h"

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

  return demo_serve_scene (options, &(DemoSceneSetup) {
    .width = width,
    .height = height,
    .fps = fps,
  });
}
