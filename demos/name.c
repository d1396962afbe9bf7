/* name — the Python CairoVNC example_name: the animation, with a desktop
 * name that counts the seconds ("0 seconds", "1 seconds", …).
 *
 * The program sets the name with every frame; viewers that support the
 * DesktopName pseudo-encoding are told only when it changes, once a second,
 * and show it in their title bar.
 */
#include "demo-common.h"

static void
count_seconds_in_name (CairoVncServer *server, gint64 running_us)
{
  g_autofree char *name = g_strdup_printf ("%d seconds", (int) (running_us / G_USEC_PER_SEC));

  cairovnc_server_set_desktop_name (server, name);
}

int
main (int argc, char **argv)
{
  static const DemoSceneSetup setup = { .after_frame = count_seconds_in_name };
  const DemoOptions *options =
    demo_options_parse ("Serves an animated cairo surface whose desktop name counts "
                        "the seconds.", NULL, &argc, &argv);

  return demo_serve_scene (options, &setup);
}
