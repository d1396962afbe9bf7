/* server-libvncserver — the benchmark scene served by LibVNCServer, the
 * peer cairovnc is compared with (used only here, never by the library).
 *
 * Written as a LibVNCServer program usually is: the scene draws straight
 * into the server's framebuffer, then the program marks what changed with
 * rfbMarkRectAsModified() — each rectangle the scene reports for "small",
 * the whole screen for "full" and "scroll". LibVNCServer has no lock for
 * the program to take, so there are no lock figures. Its clients are served
 * by its own threads (rfbRunEventLoop in the background: an input and an
 * output thread per viewer), or with --event-loop by rfbProcessEvents()
 * between frames on the drawing thread.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rfb/rfb.h>

#include "benchserver.h"

static void
ignore_log (const char *format, ...)
{
}

static int
init_server (rfbScreenInfoPtr screen, int port)
{
  /* LibVNCServer cannot listen on port 0 and report the port, so probe for
   * a free one and retry if it was taken in between. */
  for (int attempt = 0; attempt < 20; attempt++)
    {
      screen->port = port != 0 ? port : bench_pick_free_port ();
      screen->socketState = RFB_SOCKET_INIT;
      rfbInitServer (screen);
      if (screen->listenSock != RFB_INVALID_SOCKET)
        return screen->port;
      if (port != 0)
        break;
    }
  return 0;
}

int
main (int argc, char **argv)
{
  BenchServerOptions options = { 0 };
  gboolean event_loop = FALSE;
  const GOptionEntry extra[] = {
    { "event-loop", 0, 0, G_OPTION_ARG_NONE, &event_loop,
      "Serve viewers with rfbProcessEvents() on the drawing thread instead of LibVNCServer's threads", NULL },
    { NULL }
  };
  char *fake_argv[] = { (char *) "server-libvncserver", NULL };
  int fake_argc = 1;
  cairo_surface_t *surface;
  rfbScreenInfoPtr screen;
  BenchServer *bench;
  Scene *scene;
  guint64 n;
  int port;

  bench_server_block_signals ();
  bench_server_parse_options (&argc, &argv, "Serves a benchmark scene with LibVNCServer.", extra, &options);
  if (!options.verbose)
    {
      rfbLog = ignore_log;
      rfbErr = ignore_log;
    }

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, options.width, options.height);
  scene = scene_new (options.scene, options.width, options.height);
  {
    cairo_rectangle_int_t rects[SCENE_MAX_RECTS];
    scene_draw (scene, surface, 0, rects);
  }

  bench = bench_server_new ("libvncserver", &options);
  bench_server_measure_memcpy (bench, surface);

  screen = rfbGetScreen (&fake_argc, fake_argv, options.width, options.height, 8, 3, 4);
  if (screen == NULL)
    {
      fprintf (stderr, "server-libvncserver: rfbGetScreen failed\n");
      return 1;
    }
  /* cairo's RGB24 is a native-endian 32-bit word 0x00RRGGBB. */
  screen->frameBuffer = (char *) cairo_image_surface_get_data (surface);
  screen->paddedWidthInBytes = cairo_image_surface_get_stride (surface);
  screen->serverFormat.redShift = 16;
  screen->serverFormat.greenShift = 8;
  screen->serverFormat.blueShift = 0;
  screen->desktopName = "Cairo";
  screen->alwaysShared = TRUE;
  screen->listenInterface = htonl (INADDR_LOOPBACK);
  screen->ipv6port = 0;
  screen->httpPort = 0;

  port = init_server (screen, options.port);
  if (port == 0)
    {
      fprintf (stderr, "server-libvncserver: cannot listen on 127.0.0.1\n");
      return 1;
    }
  if (!event_loop)
    rfbRunEventLoop (screen, -1, TRUE);
  bench_server_set_exit_extra (bench, event_loop ? "\"libvncserver_mode\":\"event-loop\""
                                                 : "\"libvncserver_mode\":\"threads\"");
  bench_server_listening (bench, port);

  while (bench_server_next_frame (bench, &n))
    {
      cairo_rectangle_int_t rects[SCENE_MAX_RECTS];
      guint n_rects = bench_server_draw (bench, scene, surface, n + 1, rects);

      for (guint i = 0; i < n_rects; i++)
        rfbMarkRectAsModified (screen, rects[i].x, rects[i].y,
                               rects[i].x + rects[i].width, rects[i].y + rects[i].height);
      bench_server_frame_done (bench);

      if (event_loop)
        {
          /* Serve viewers until the next frame is due. */
          gint64 due = bench_server_next_due (bench);
          do
            rfbProcessEvents (screen, 1000);
          while (g_get_monotonic_time () < due - 1000);
        }
    }

  bench_server_print_exit (bench);
  /* LibVNCServer's threads may be blocked on viewers that stopped reading;
   * the figures are out, so do not wait for them. */
  fflush (stdout);
  _exit (0);
}
