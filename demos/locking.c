/* locking — the Python CairoVNC example_locking: as new-surface, a new
 * surface of another width every two seconds, but the program holds its
 * lock while it replaces and draws the surface.
 *
 * The server takes the same lock only while it copies pixels out, so it
 * never sees a frame half drawn, nor a new surface before its first frame.
 */
#include "demo-common.h"

int
main (int argc, char **argv)
{
  static const DemoSceneSetup setup = { .resizes = TRUE };
  const DemoOptions *options =
    demo_options_parse ("Serves a cairo surface that is replaced by one of another size "
                        "every two seconds, under a lock.", NULL, &argc, &argv);

  return demo_serve_scene (options, &setup);
}
