/* test-hostile.c — bad or greedy viewers never hurt the server or others.
 *
 * A libvncclient viewer connects first and must keep getting correct
 * frames while raw sockets send unknown messages, impossible pixel
 * formats, huge lengths, truncated messages, garbage, floods of requests,
 * never read at all, or come and go by the dozen. Each hostile viewer is
 * disconnected (or goes away) on its own; the server's memory stays
 * bounded; its log says why at info level, never as a warning (which
 * testutil turns into a failure).
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#define WIDTH 200
#define HEIGHT 150

/* A server with a well-behaved viewer that has its first frame. */
typedef struct {
  TestServer *ts;
  TestViewer *viewer;
  guint seed;
} Fixture;

static void
fixture_start (Fixture *f, int width, int height)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, width, height, 1);

  f->ts = test_server_new (surface);
  f->seed = 1;
  cairo_surface_destroy (surface);
  g_object_set (f->ts->server, "read-only", FALSE, NULL);
  test_server_start (f->ts);
  f->viewer = test_viewer_connect (f->ts->port, NULL, NULL, NULL);
  ck_assert_msg (f->viewer != NULL, "the good viewer could not connect");
  ck_assert_msg (test_viewer_wait_match (f->viewer, f->ts, TEST_TIMEOUT_US), "the good viewer got no frame");
}

static void
fixture_stop (Fixture *f)
{
  test_viewer_free (f->viewer);
  test_server_free (f->ts);
}

/* The good viewer gets a new frame, pixel for pixel. */
static void
check_good_viewer_served (Fixture *f, const char *what)
{
  test_server_redraw (f->ts, ++f->seed);
  ck_assert_msg (test_viewer_wait_match (f->viewer, f->ts, TEST_TIMEOUT_US),
                 "%s: the good viewer got no correct frame", what);
}

static void
wait_n_clients (Fixture *f, guint n, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + TEST_TIMEOUT_US;
  guint now;

  while ((now = cairovnc_server_get_n_clients (f->ts->server)) != n)
    {
      ck_assert_msg (g_get_monotonic_time () < deadline, "%s: %u viewers, expected %u", what, now, n);
      g_usleep (10 * 1000);
    }
}

static GSocket *
raw_ready (Fixture *f)
{
  GSocket *socket = test_raw_connect (f->ts->port);
  int width, height;

  ck_assert_msg (test_raw_handshake (socket, &width, &height), "raw handshake failed");
  return socket;
}

/* SetPixelFormat with green and blue at 8 bits, 8 and 0. */
static gsize
build_pixel_format (guint8 *msg, int bpp, int depth, gboolean true_colour, int red_max, int red_shift)
{
  test_build_set_pixel_format (msg, bpp, depth, true_colour, red_max, 255, 255, red_shift, 8, 0);
  return 20;
}

/* One hostile message; the server must close the connection unless
 * @we_close, when the viewer sends it and goes away. */
typedef struct {
  const char *name;
  gboolean we_close;
} HostileCase;

static const HostileCase hostile_cases[] = {
  { "unknown message type 77", FALSE },
  { "truncated KeyEvent, then close", TRUE },
  { "SetPixelFormat with 0 bits per pixel", FALSE },
  { "SetPixelFormat with 7 bits per pixel", FALSE },
  { "SetPixelFormat with 64 bits per pixel", FALSE },
  { "SetPixelFormat with a zero red max", FALSE },
  { "SetPixelFormat with red beyond 16 bits", FALSE },
  { "SetPixelFormat with red beyond 32 bits", FALSE },
  { "SetPixelFormat colour map at 16 bits", FALSE },
  { "ClientCutText of 0x7fffffff bytes", FALSE },
  { "ClientCutText of 0x80000000 bytes", FALSE },
  { "ClientCutText just over 20 MiB", FALSE },
  { "QEMU message with subtype 9", FALSE },
  { "SetEncodings announcing 65535, sending 3, then close", TRUE },
  { "ClientFence with 200 bytes of payload", FALSE },
  { "garbage", FALSE },
};

static GByteArray *
hostile_bytes (guint index)
{
  GByteArray *out = g_byte_array_new ();
  guint8 msg[64] = { 0 };
  gsize len = 0;

  switch (index)
    {
    case 0:
      msg[0] = 77;
      len = 1;
      break;
    case 1:
      msg[0] = 4;
      msg[1] = 1;
      len = 3;
      break;
    case 2:
      len = build_pixel_format (msg, 0, 24, 1, 255, 16);
      break;
    case 3:
      len = build_pixel_format (msg, 7, 7, 1, 255, 16);
      break;
    case 4:
      len = build_pixel_format (msg, 64, 24, 1, 255, 16);
      break;
    case 5:
      len = build_pixel_format (msg, 32, 24, 1, 0, 16);
      break;
    case 6:
      len = build_pixel_format (msg, 16, 16, 1, 31, 14);
      break;
    case 7:
      len = build_pixel_format (msg, 32, 24, 1, 255, 30);
      break;
    case 8:
      len = build_pixel_format (msg, 16, 16, 0, 31, 11);
      break;
    case 9:
    case 10:
    case 11:
      msg[0] = 6;
      test_put_u32 (msg + 4, index == 9 ? 0x7fffffffu : index == 10 ? 0x80000000u : 20 * 1024 * 1024 + 1);
      memcpy (msg + 8, "abcd", 4);
      len = 12;
      break;
    case 12:
      msg[0] = 255;
      msg[1] = 9;
      test_put_u16 (msg + 2, 1);
      test_put_u32 (msg + 4, 0x61);
      len = 12;
      break;
    case 13:
      msg[0] = 2;
      test_put_u16 (msg + 2, 65535);
      test_put_u32 (msg + 8, 16);
      test_put_u32 (msg + 12, (guint32) -223);
      len = 16;
      break;
    case 14:
      msg[0] = 248;
      test_put_u32 (msg + 4, 0);
      msg[8] = 200;
      len = 9;
      break;
    case 15:
      {
        GRand *rand = g_rand_new_with_seed (15);
        /* Starts with a type no RFB message has; the rest is noise. */
        g_byte_array_append (out, (const guint8 *) "\xc8", 1);
        for (int i = 0; i < 4095; i++)
          {
            guint8 b = (guint8) g_rand_int_range (rand, 0, 256);
            g_byte_array_append (out, &b, 1);
          }
        g_rand_free (rand);
        return out;
      }
    default:
      g_assert_not_reached ();
    }
  g_byte_array_append (out, msg, (guint) len);
  return out;
}

START_TEST (test_hostile_bad_message_closes_only_that_viewer)
{
  const HostileCase *hc = &hostile_cases[_i];
  g_autoptr (GByteArray) bytes = hostile_bytes ((guint) _i);
  Fixture f;
  GSocket *raw;
  gboolean sent;

  fixture_start (&f, WIDTH, HEIGHT);
  raw = raw_ready (&f);
  wait_n_clients (&f, 2, hc->name);
  sent = test_raw_send (raw, bytes->data, bytes->len);
  if (hc->we_close)
    {
      ck_assert (sent);
      g_socket_close (raw, NULL);
    }
  else
    {
      /* The server may close before it has read everything; what was
       * sent does not matter then. */
      ck_assert_msg (test_raw_wait_closed (raw, TEST_TIMEOUT_US), "%s: the viewer was not disconnected",
                     hc->name);
    }
  wait_n_clients (&f, 1, hc->name);
  check_good_viewer_served (&f, hc->name);

  g_object_unref (raw);
  fixture_stop (&f);
}
END_TEST

/* Reads updates (asking again after each when @request) until the
 * framebuffer matches, sleeping @pause_us between reads. Only Raw
 * rectangles inside the framebuffer may come. */
static void
raw_read_until_match (TestRawViewer *rv, TestServer *ts, gboolean request, gint64 pause_us, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + TEST_TIMEOUT_US;
  g_autoptr (GArray) rects = test_raw_rects_new ();

  while (!test_raw_viewer_matches (rv, ts, rv->width, rv->height))
    {
      gint64 left = deadline - g_get_monotonic_time ();
      ck_assert_msg (left > 0 && test_raw_viewer_read_update (rv, rects, left), "%s: no matching frame",
                     what);
      for (guint i = 0; i < rects->len; i++)
        {
          const TestRawRect *r = &g_array_index (rects, TestRawRect, i);
          ck_assert_msg (r->encoding == TEST_ENCODING_RAW, "encoding %d", r->encoding);
          ck_assert_msg (r->x + r->w <= rv->width && r->y + r->h <= rv->height, "rectangle outside");
        }
      if (request)
        test_raw_request_update (rv->socket, TRUE, 0, 0, rv->width, rv->height);
      if (pause_us > 0)
        g_usleep ((gulong) pause_us);
    }
}

START_TEST (test_hostile_set_encodings_with_65535_entries_accepted)
{
  Fixture f;
  TestRawViewer *rv;
  gsize len = 4 + 65535 * 4;
  g_autofree guint8 *msg = g_malloc0 (len);

  fixture_start (&f, WIDTH, HEIGHT);
  rv = test_raw_viewer_new (f.ts->port);
  msg[0] = 2;
  test_put_u16 (msg + 2, 65535);    /* all Raw (0) */
  ck_assert (test_raw_send (rv->socket, msg, len));
  test_raw_request_update (rv->socket, FALSE, 0, 0, rv->width, rv->height);
  raw_read_until_match (rv, f.ts, TRUE, 0, "after 65535 encodings");
  test_server_redraw (f.ts, ++f.seed);
  raw_read_until_match (rv, f.ts, TRUE, 0, "next frame");
  ck_assert_uint_eq (cairovnc_server_get_n_clients (f.ts->server), 2);
  check_good_viewer_served (&f, "65535 encodings");

  test_raw_viewer_free (rv);
  fixture_stop (&f);
}
END_TEST

#define N_FLOOD_REQUESTS 10000

START_TEST (test_hostile_request_flood_from_slow_reader)
{
  Fixture f;
  TestRawViewer *rv;
  g_autofree guint8 *flood = g_malloc (N_FLOOD_REQUESTS * 10);
  GSocket *latecomer;
  int width, height;

  fixture_start (&f, 320, 240);
  rv = test_raw_viewer_new (f.ts->port);
  for (guint i = 0; i < N_FLOOD_REQUESTS; i++)
    test_build_update_request (flood + i * 10, i % 3 != 0, 0, 0, rv->width, rv->height);
  ck_assert (test_raw_send (rv->socket, flood, N_FLOOD_REQUESTS * 10));

  /* While the flood is unread, the server goes on serving others. */
  check_good_viewer_served (&f, "during the flood");
  latecomer = test_raw_connect (f.ts->port);
  ck_assert_msg (test_raw_handshake (latecomer, &width, &height), "no handshake during the flood");
  check_good_viewer_served (&f, "during the flood, again");

  /* The flooder, reading slowly, gets its frames. The requests were
   * answered together (an update answers every request before it), so
   * like any viewer it asks again after each update. */
  raw_read_until_match (rv, f.ts, TRUE, 50 * 1000, "flooder");
  ck_assert_uint_ge (rv->updates, 1);
  test_server_redraw (f.ts, ++f.seed);
  raw_read_until_match (rv, f.ts, TRUE, 50 * 1000, "flooder, next frame");
  check_good_viewer_served (&f, "after the flood");

  g_object_unref (latecomer);
  test_raw_viewer_free (rv);
  fixture_stop (&f);
}
END_TEST

/* A stalled viewer: 1920x1080, asks for everything again and again,
 * reads nothing. */

static gsize
rss_kib (void)
{
  FILE *status = fopen ("/proc/self/status", "r");
  char line[256];
  gsize kib = 0;

  ck_assert (status != NULL);
  while (fgets (line, sizeof line, status) != NULL)
    if (sscanf (line, "VmRSS: %zu kB", &kib) == 1)
      break;
  fclose (status);
  ck_assert_uint_gt (kib, 0);
  return kib;
}

/* Draws a small moving square (a cheap change on a big surface). */
static void
draw_frame (TestServer *ts, guint frame)
{
  cairo_t *cr;

  g_mutex_lock (&ts->lock);
  cr = cairo_create (ts->surface);
  cairo_set_source_rgb (cr, (frame % 7) / 7.0, (frame % 5) / 5.0, (frame % 3) / 3.0);
  cairo_rectangle (cr, (frame * 67) % 1800, (frame * 31) % 1000, 64, 64);
  cairo_fill (cr);
  cairo_destroy (cr);
  g_mutex_unlock (&ts->lock);
  cairovnc_server_frame_ready (ts->server);
}

/* Frames at 30 fps for about a second; returns the good viewer's updates.
 * When @stalled is set, it asks for a full update at every frame. */
static guint
run_frames (Fixture *f, guint *frame, GSocket *stalled)
{
  guint before = f->viewer->updates;
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < 30; i++)
    {
      gint64 next = start + (gint64) (i + 1) * G_USEC_PER_SEC / 30;
      if (stalled != NULL)
        {
          guint8 msg[10];
          test_build_update_request (msg, FALSE, 0, 0, 1920, 1080);
          /* Its socket may be full too: never block on it. */
          g_socket_set_blocking (stalled, FALSE);
          g_socket_send (stalled, (const char *) msg, sizeof msg, NULL, NULL);
        }
      draw_frame (f->ts, (*frame)++);
      ck_assert (test_viewer_pump (f->viewer, MAX (next - g_get_monotonic_time (), 1)));
    }
  return f->viewer->updates - before;
}

START_TEST (test_hostile_stalled_viewer_does_not_slow_others)
{
  Fixture f;
  GSocket *stalled;
  int width, height;
  guint frame = 0;
  guint alone, with_stalled, later;
  gsize rss_before, rss_after;
  const gint32 raw_only[] = { TEST_ENCODING_RAW };

  fixture_start (&f, 1920, 1080);
  g_object_set (f.ts->server, "max-framerate", 60.0, NULL);
  alone = run_frames (&f, &frame, NULL);
  ck_assert_msg (test_viewer_wait_match (f.viewer, f.ts, TEST_TIMEOUT_US), "frames alone: wrong pixels");

  stalled = test_raw_connect (f.ts->port);
  ck_assert (test_raw_handshake (stalled, &width, &height));
  ck_assert_int_eq (width, 1920);
  test_raw_set_encodings (stalled, raw_only, G_N_ELEMENTS (raw_only));
  rss_before = rss_kib ();

  with_stalled = run_frames (&f, &frame, stalled);
  later = run_frames (&f, &frame, stalled);
  ck_assert_msg (test_viewer_wait_match (f.viewer, f.ts, TEST_TIMEOUT_US), "with a stalled viewer: wrong pixels");
  rss_after = rss_kib ();

  ck_assert_msg (alone >= 10, "only %u updates a second with no stalled viewer", alone);
  ck_assert_msg (with_stalled * 2 >= alone && later * 2 >= alone,
                 "updates a second: %u alone, %u and %u with a stalled viewer", alone, with_stalled, later);
  ck_assert_msg (rss_after < rss_before + 50 * 1024,
                 "memory grew from %zu KiB to %zu KiB with a stalled viewer", rss_before, rss_after);
  ck_assert_uint_eq (cairovnc_server_get_n_clients (f.ts->server), 2);

  g_object_unref (stalled);
  wait_n_clients (&f, 1, "stalled viewer gone");
  check_good_viewer_served (&f, "after the stalled viewer left");
  fixture_stop (&f);
}
END_TEST

/* Disconnects part way. */

typedef struct {
  const char *name;
  guint8 bytes[32];
  gsize len;
} WholeMessage;

static const WholeMessage whole_messages[] = {
  { "SetPixelFormat", { 0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0 }, 20 },
  { "SetEncodings", { 2, 0, 0, 3, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x21, 0xff, 0xff, 0xfe, 0xcc }, 16 },
  { "FramebufferUpdateRequest", { 3, 0, 0, 0, 0, 0, 0, 200, 0, 150 }, 10 },
  { "KeyEvent", { 4, 1, 0, 0, 0, 0, 0, 0x61 }, 8 },
  { "PointerEvent", { 5, 1, 0, 10, 0, 20 }, 6 },
  { "ClientCutText", { 6, 0, 0, 0, 0, 0, 0, 10, 'c', 'l', 'i', 'p', 'b', 'o', 'a', 'r', 'd', '!' }, 18 },
  { "EnableContinuousUpdates", { 150, 1, 0, 0, 0, 0, 0, 200, 0, 150 }, 10 },
  { "ClientFence", { 248, 0, 0, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4 }, 13 },
  { "SetDesktopSize", { 251, 0, 1, 0, 0, 200, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 200, 0, 0, 0, 0 }, 24 },
  { "QEMU extended key", { 255, 0, 0, 1, 0, 0, 0, 0x61, 0, 0, 0, 0x1e }, 12 },
};

START_TEST (test_hostile_disconnect_mid_message)
{
  const WholeMessage *m = &whole_messages[_i];
  Fixture f;

  fixture_start (&f, WIDTH, HEIGHT);
  /* Cut at every offset, the middle included. */
  for (gsize cut = 1; cut < m->len; cut++)
    {
      GSocket *raw = raw_ready (&f);
      ck_assert (test_raw_send (raw, m->bytes, cut));
      g_object_unref (raw);
    }
  wait_n_clients (&f, 1, m->name);
  check_good_viewer_served (&f, m->name);

  /* The whole message is fine, and the server still reads after it. */
  {
    GSocket *raw = raw_ready (&f);
    guint8 key[8] = { 4, 1, 0, 0, 0, 0, 0, 0x7a };
    g_autoptr (CairoVncEvent) event = NULL;

    ck_assert (test_raw_send (raw, m->bytes, m->len));
    ck_assert (test_raw_send (raw, key, sizeof key));
    for (;;)
      {
        g_clear_pointer (&event, cairovnc_event_free);
        event = test_server_pop_event (f.ts, TEST_TIMEOUT_US);
        ck_assert_msg (event != NULL, "%s: the server stopped reading after it", m->name);
        if (event->type == CAIROVNC_EVENT_KEY && event->keysym == 0x7a)
          break;
      }
    g_object_unref (raw);
  }

  fixture_stop (&f);
}
END_TEST

START_TEST (test_hostile_disconnect_mid_handshake)
{
  Fixture f;
  char version[12];
  guint8 byte;

  fixture_start (&f, WIDTH, HEIGHT);
  for (gsize cut = 0; cut < 12; cut++)
    {
      GSocket *raw = test_raw_connect (f.ts->port);
      ck_assert (test_raw_recv (raw, version, 12, TEST_TIMEOUT_US));
      ck_assert (test_raw_send (raw, "RFB 003.008\n", cut));
      g_object_unref (raw);
    }
  {
    /* After the version, before the security choice. */
    GSocket *raw = test_raw_connect (f.ts->port);
    ck_assert (test_raw_recv (raw, version, 12, TEST_TIMEOUT_US));
    ck_assert (test_raw_send (raw, "RFB 003.008\n", 12));
    ck_assert (test_raw_recv (raw, &byte, 1, TEST_TIMEOUT_US));
    g_object_unref (raw);
  }
  {
    /* After the security result, before ClientInit. */
    GSocket *raw = test_raw_connect (f.ts->port);
    guint8 result[4], none = 1;
    ck_assert (test_raw_recv (raw, version, 12, TEST_TIMEOUT_US));
    ck_assert (test_raw_send (raw, "RFB 003.008\n", 12));
    ck_assert (test_raw_recv (raw, version, 2, TEST_TIMEOUT_US));
    ck_assert (test_raw_send (raw, &none, 1));
    ck_assert (test_raw_recv (raw, result, 4, TEST_TIMEOUT_US));
    g_object_unref (raw);
  }
  wait_n_clients (&f, 1, "handshake cut short");
  check_good_viewer_served (&f, "handshake cut short");

  fixture_stop (&f);
}
END_TEST

#define N_CROWD 50

START_TEST (test_hostile_fifty_connections_at_once)
{
  Fixture f;
  GSocket *crowd[N_CROWD];
  TestViewer *newcomer;

  fixture_start (&f, WIDTH, HEIGHT);
  for (int i = 0; i < N_CROWD; i++)
    crowd[i] = test_raw_connect (f.ts->port);
  /* Half of them get as far as ServerInit. */
  for (int i = 0; i < N_CROWD; i += 2)
    {
      int width, height;
      ck_assert_msg (test_raw_handshake (crowd[i], &width, &height), "connection %d: no handshake", i);
    }
  wait_n_clients (&f, N_CROWD + 1, "crowd connected");
  check_good_viewer_served (&f, "crowd connected");
  for (int i = 0; i < N_CROWD; i++)
    g_object_unref (crowd[i]);
  wait_n_clients (&f, 1, "crowd gone");

  newcomer = test_viewer_connect (f.ts->port, NULL, NULL, NULL);
  ck_assert_msg (newcomer != NULL, "no viewer after the crowd");
  ck_assert (test_viewer_wait_match (newcomer, f.ts, TEST_TIMEOUT_US));
  check_good_viewer_served (&f, "crowd gone");
  ck_assert (test_viewer_wait_match (newcomer, f.ts, TEST_TIMEOUT_US));

  test_viewer_free (newcomer);
  fixture_stop (&f);
}
END_TEST

static Suite *
hostile_suite (void)
{
  Suite *suite = suite_create ("hostile");
  TCase *messages = tcase_create ("bad-messages");
  TCase *greedy = tcase_create ("greedy-viewers");
  TCase *disconnects = tcase_create ("disconnects");

  tcase_set_timeout (messages, 30);
  tcase_add_loop_test (messages, test_hostile_bad_message_closes_only_that_viewer, 0,
                       G_N_ELEMENTS (hostile_cases));
  tcase_add_test (messages, test_hostile_set_encodings_with_65535_entries_accepted);
  suite_add_tcase (suite, messages);

  tcase_set_timeout (greedy, 60);
  tcase_add_test (greedy, test_hostile_request_flood_from_slow_reader);
  tcase_add_test (greedy, test_hostile_stalled_viewer_does_not_slow_others);
  suite_add_tcase (suite, greedy);

  tcase_set_timeout (disconnects, 30);
  tcase_add_loop_test (disconnects, test_hostile_disconnect_mid_message, 0, G_N_ELEMENTS (whole_messages));
  tcase_add_test (disconnects, test_hostile_disconnect_mid_handshake);
  tcase_add_test (disconnects, test_hostile_fifty_connections_at_once);
  suite_add_tcase (suite, disconnects);

  return suite;
}

int
main (void)
{
  SRunner *runner;
  int failed;

  testutil_init ();
  runner = srunner_create (hostile_suite ());
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
