/* browser — the animation, for browsers: the server takes WebSocket
 * viewers on a second port and serves noVNC's page there, so
 * http://localhost:5802/ opens a viewer already connected. The pointer
 * bends the curve and buttons recolour the squares, as in the input demo.
 *
 * Needs Debian's novnc package for the page; without it, any WebSocket
 * viewer (noVNC served elsewhere) still connects to the same port.
 */
#include "demo-common.h"

/* Display :N serves browsers on 5800 + N, as other VNC servers do. */
#define HTTP_PORT_OFFSET 100

int
main (int argc, char **argv)
{
  int http_port = -1;
  const GOptionEntry entries[] = {
    { "http-port", 0, 0, G_OPTION_ARG_INT, &http_port,
      "Port for browsers (default: the VNC port less 100, 5802 for display :2)", "N" },
    { NULL }
  };
  const DemoOptions *options =
    demo_options_parse ("Serves the animation to browsers, with noVNC's viewer page.", entries, &argc, &argv);

  if (http_port < 0)
    http_port = options->port - HTTP_PORT_OFFSET;
  if (http_port < 1 || http_port > 65535)
    {
      g_printerr ("--http-port must be between 1 and 65535 (give it with --port below 101)\n");
      return 1;
    }
  return demo_serve_scene (options, &(DemoSceneSetup) {
    .events = DEMO_EVENTS_STEER,
    .accept_input = TRUE,
    .http_port = (guint) http_port,
    .hint = "In the page: move the pointer to bend the curve, click to recolour the squares, type to see keys",
  });
}
