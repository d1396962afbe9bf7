/* new-surface — the Python CairoVNC example_new_surface: every two seconds
 * the program draws into a new surface of another width (200, 220, 200, …)
 * and hands it to the server, which tells viewers the new size.
 *
 * As in the original there is no lock, so the server may copy a frame
 * while it is half drawn; locking.c adds the lock.
 */
#include "demo-common.h"

int
main (int argc, char **argv)
{
  static const DemoSceneSetup setup = { .without_lock = TRUE, .resizes = TRUE };
  const DemoOptions *options =
    demo_options_parse ("Serves a cairo surface that is replaced by one of another size "
                        "every two seconds.", NULL, &argc, &argv);

  return demo_serve_scene (options, &setup);
}
