/* gi-viewer — libvncclient on a pipe, for the Python tests.
 *
 * The Python tests serve surfaces from Python and need an independent
 * viewer to decode them; this program is that viewer (TestViewer from
 * testutil.c), driven by one command a line on stdin:
 *
 *   update MS          wait up to MS milliseconds for the next update, then
 *                      "frame W H UPDATES RESIZES\n" and W*H*4 bytes of
 *                      framebuffer (B, G, R, 0 a pixel, rows top down)
 *   pointer X Y MASK   send a PointerEvent; answers "ok"
 *   key KEYSYM DOWN    send a KeyEvent (DOWN 1 or 0); answers "ok"
 *   name               answers "name " and the desktop name
 *   quit               disconnects and exits
 *
 * Usage: gi-viewer PORT [ENCODINGS [PASSWORD]]. It prints "connected W H"
 * first, or "refused" and exits 1; it exits 2 when the connection fails.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
quiet_log (const char *format, ...)
{
}

static void
send_frame (TestViewer *viewer)
{
  rfbClient *client = viewer->client;
  gsize size = (gsize) client->width * (gsize) client->height * 4;

  printf ("frame %d %d %u %u\n", client->width, client->height, viewer->updates, viewer->resizes);
  fwrite (client->frameBuffer, 1, size, stdout);
}

int
main (int argc, char **argv)
{
  const char *encodings = argc > 2 ? argv[2] : "raw";
  const char *password = argc > 3 ? argv[3] : NULL;
  char line[256];
  TestViewer *viewer;
  guint port;

  if (argc < 2)
    {
      fprintf (stderr, "Usage: %s PORT [ENCODINGS [PASSWORD]]\n", argv[0]);
      return 1;
    }
  rfbClientLog = quiet_log;
  rfbClientErr = quiet_log;
  port = (guint) strtoul (argv[1], NULL, 10);
  viewer = test_viewer_connect (port, NULL, encodings, password);
  if (viewer == NULL)
    {
      printf ("refused\n");
      return 1;
    }
  printf ("connected %d %d\n", viewer->client->width, viewer->client->height);
  fflush (stdout);

  while (fgets (line, sizeof line, stdin) != NULL)
    {
      int a, b, c;

      if (sscanf (line, "update %d", &a) == 1)
        {
          gint64 timeout_us = (gint64) a * 1000;
          gint64 start = g_get_monotonic_time ();

          /* On a timeout the caller still gets what there is; a failure
           * sooner is a closed connection. */
          if (!test_viewer_wait_updates (viewer, viewer->updates + 1, timeout_us) &&
              g_get_monotonic_time () - start < timeout_us)
            return 2;
          send_frame (viewer);
        }
      else if (sscanf (line, "pointer %d %d %d", &a, &b, &c) == 3)
        {
          SendPointerEvent (viewer->client, a, b, c);
          printf ("ok\n");
        }
      else if (sscanf (line, "key %i %d", &a, &b) == 2)
        {
          SendKeyEvent (viewer->client, (uint32_t) a, b ? TRUE : FALSE);
          printf ("ok\n");
        }
      else if (strncmp (line, "name", 4) == 0)
        {
          printf ("name %s\n", viewer->client->desktopName ? viewer->client->desktopName : "");
        }
      else if (strncmp (line, "quit", 4) == 0)
        {
          break;
        }
      else
        {
          fprintf (stderr, "gi-viewer: unknown command: %s", line);
          return 1;
        }
      fflush (stdout);
    }
  test_viewer_free (viewer);
  return 0;
}
