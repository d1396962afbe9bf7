/* input — the Python CairoVNC example_input: viewers steer the scene. The
 * pointer places the curve's second control point, buttons 1–3 give the
 * three squares new colours, and keys are printed here. The width changes
 * every two seconds, as in the locking demo.
 *
 * The server ignores viewers' input unless read-only is turned off. The
 * program takes the events that came in since the last frame before it
 * draws the next.
 */
#include "demo-common.h"

int
main (int argc, char **argv)
{
  const DemoOptions *options =
    demo_options_parse ("Serves a cairo surface that viewers steer with pointer and keys.",
                        NULL, &argc, &argv);

  return demo_serve_scene (options, &demo_input_setup);
}
