/* push — the Python CairoVNC example_push: the input demo at a fixed
 * 200×200, sending each frame to viewers without waiting for them to ask.
 *
 * frame_ready() after each frame says when to push. The push-frames
 * property pushes to every viewer; viewers that announce Apple's
 * pseudo-encoding 1011 (macOS Screen Sharing) get pushed frames even
 * without it. Viewers log in with the password "pass"; as only one
 * password is set, input must be turned on by hand.
 */
#include "demo-common.h"

int
main (int argc, char **argv)
{
  static const DemoSceneSetup setup = {
    .events = DEMO_EVENTS_STEER,
    .password = "pass",
    .accept_input = TRUE,
    .verbose = TRUE,
    .push_frames = TRUE,
    .hint = "Password \"pass\"",
  };
  const DemoOptions *options =
    demo_options_parse ("Serves a cairo surface, pushing each frame to the viewers.",
                        NULL, &argc, &argv);

  return demo_serve_scene (options, &setup);
}
