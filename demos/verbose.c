/* verbose — the Python CairoVNC example_verbose: the input demo (the
 * pointer bends the curve, clicks recolour the squares, keys are printed,
 * the width changes every two seconds) with the verbose property on, so
 * the server logs each viewer's handshake, requests and updates.
 */
#include "demo-common.h"

int
main (int argc, char **argv)
{
  DemoSceneSetup setup = demo_input_setup;
  const DemoOptions *options =
    demo_options_parse ("Serves a cairo surface that viewers steer, and logs what they do.",
                        NULL, &argc, &argv);

  setup.verbose = TRUE;
  return demo_serve_scene (options, &setup);
}
