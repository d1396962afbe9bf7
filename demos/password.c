/* password — the Python CairoVNC example_password: the locking demo behind
 * VNC Authentication with two passwords. "password" lets a viewer watch
 * and control; "readonly" lets it only watch.
 *
 * With both passwords set, input is on by default. Unlike the original,
 * the program takes and prints the events: events nobody takes fill the
 * queue, and then the server stops reading from the viewer.
 */
#include "demo-common.h"

int
main (int argc, char **argv)
{
  static const DemoSceneSetup setup = {
    .resizes = TRUE,
    .events = DEMO_EVENTS_PRINT,
    .password = "password",
    .password_readonly = "readonly",
    .hint = "Password \"password\" to watch and control, \"readonly\" to watch only",
  };
  const DemoOptions *options =
    demo_options_parse ("Serves a cairo surface to viewers that know a password.",
                        NULL, &argc, &argv);

  return demo_serve_scene (options, &setup);
}
