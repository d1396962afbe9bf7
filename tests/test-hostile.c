/* test-hostile.c — bad or greedy viewers never hurt the server or others.
 *
 * A libvncclient viewer connects first and must keep getting correct
 * frames while raw sockets, past the handshake, send unknown messages,
 * impossible pixel formats, huge lengths, odd but legal requests,
 * truncated messages, garbage, floods of requests and of messages that
 * want answers, never read at all, read at a trickle, or go away in the
 * middle of a message. Each hostile viewer is disconnected (or goes away)
 * on its own; the server's memory stays bounded; its log says why at info
 * level, never as a warning (which testutil turns into a failure). The
 * handshake's hostile viewers are in test-hostile-handshake.c.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#define WIDTH 200
#define HEIGHT 150

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
  { "ClientCutText of -0x7fffffff bytes", FALSE },
  { "SetPixelFormat with a red max of 200", FALSE },
  { "SetPixelFormat with a 16-bit red in 8 bits per pixel", FALSE },
  { "message type 1, a server's", FALSE },
  { "message type 249", FALSE },
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
    case 16:
      msg[0] = 6;
      test_put_u32 (msg + 4, 0x80000001u);
      len = 12;
      break;
    case 17:
      len = build_pixel_format (msg, 32, 24, 1, 200, 16);
      break;
    case 18:
      len = build_pixel_format (msg, 8, 8, 1, 65535, 0);
      break;
    case 19:
    case 20:
      msg[0] = index == 19 ? 1 : 249;
      len = 20;
      break;
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
  TestFixture f;
  GSocket *raw;
  gboolean sent;

  test_fixture_start (&f, WIDTH, HEIGHT, NULL);
  raw = test_fixture_raw_ready (&f);
  test_fixture_wait_clients (&f, 2, hc->name);
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
  test_fixture_wait_clients (&f, 1, hc->name);
  test_fixture_check_served (&f, hc->name);

  g_object_unref (raw);
  test_fixture_stop (&f);
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

/* Messages that are odd but legal: the viewer that sends them stays, and
 * goes on getting correct frames. */
typedef struct {
  const char *name;
  guint8 bytes[24];
  gsize len;
} OddMessage;

static const OddMessage odd_messages[] = {
  { "FramebufferUpdateRequest of 65535x65535 at 65535,65535",
    { 3, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 10 },
  { "FramebufferUpdateRequest of 65535x65535 at 0,0", { 3, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff }, 10 },
  { "FramebufferUpdateRequest of 0x0", { 3, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 10 },
  { "incremental FramebufferUpdateRequest of 0x150 at 100,0", { 3, 1, 0, 100, 0, 0, 0, 0, 0, 150 }, 10 },
  { "ClientCutText of 0 bytes", { 6, 0, 0, 0, 0, 0, 0, 0 }, 8 },
  { "ClientCutText of -1 bytes (extended, not offered)", { 6, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x42 }, 9 },
  { "SetEncodings of nothing", { 2, 0, 0, 0 }, 4 },
  { "EnableContinuousUpdates, not offered, of 65535x65535",
    { 150, 1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff }, 10 },
  { "ClientFence answering nothing", { 248, 0, 0, 0, 0, 0, 0, 7, 2, 0xab, 0xcd }, 11 },
  { "PointerEvent at 65535,65535 with every button", { 5, 0xff, 0xff, 0xff, 0xff, 0xff }, 6 },
  { "KeyEvent of keysym 0xffffffff", { 4, 1, 0, 0, 0xff, 0xff, 0xff, 0xff }, 8 },
  { "SetDesktopSize of 0x0 with no screens", { 251, 0, 0, 0, 0, 0, 0, 0 }, 8 },
};

START_TEST (test_hostile_odd_message_keeps_viewer)
{
  const OddMessage *m = &odd_messages[_i];
  TestFixture f;
  TestRawViewer *rv;

  test_fixture_start (&f, WIDTH, HEIGHT, NULL);
  rv = test_raw_viewer_new (f.ts->port);
  ck_assert (test_raw_send (rv->socket, m->bytes, m->len));
  test_raw_request_update (rv->socket, FALSE, 0, 0, rv->width, rv->height);
  raw_read_until_match (rv, f.ts, TRUE, 0, m->name);
  test_server_redraw (f.ts, ++f.seed);
  raw_read_until_match (rv, f.ts, TRUE, 0, m->name);
  ck_assert_uint_eq (cairovnc_server_get_n_clients (f.ts->server), 2);
  test_fixture_check_served (&f, m->name);

  test_raw_viewer_free (rv);
  test_fixture_stop (&f);
}
END_TEST

START_TEST (test_hostile_set_encodings_with_65535_entries_accepted)
{
  TestFixture f;
  TestRawViewer *rv;
  gsize len = 4 + 65535 * 4;
  g_autofree guint8 *msg = g_malloc0 (len);

  test_fixture_start (&f, WIDTH, HEIGHT, NULL);
  rv = test_raw_viewer_new (f.ts->port);
  msg[0] = 2;
  test_put_u16 (msg + 2, 65535);    /* all Raw (0) */
  ck_assert (test_raw_send (rv->socket, msg, len));
  test_raw_request_update (rv->socket, FALSE, 0, 0, rv->width, rv->height);
  raw_read_until_match (rv, f.ts, TRUE, 0, "after 65535 encodings");
  test_server_redraw (f.ts, ++f.seed);
  raw_read_until_match (rv, f.ts, TRUE, 0, "next frame");
  ck_assert_uint_eq (cairovnc_server_get_n_clients (f.ts->server), 2);
  test_fixture_check_served (&f, "65535 encodings");

  test_raw_viewer_free (rv);
  test_fixture_stop (&f);
}
END_TEST

#define N_FLOOD_REQUESTS 10000

START_TEST (test_hostile_request_flood_from_slow_reader)
{
  TestFixture f;
  TestRawViewer *rv;
  g_autofree guint8 *flood = g_malloc (N_FLOOD_REQUESTS * 10);
  GSocket *latecomer;
  int width, height;

  test_fixture_start (&f, 320, 240, NULL);
  rv = test_raw_viewer_new (f.ts->port);
  for (guint i = 0; i < N_FLOOD_REQUESTS; i++)
    test_build_update_request (flood + i * 10, i % 3 != 0, 0, 0, rv->width, rv->height);
  ck_assert (test_raw_send (rv->socket, flood, N_FLOOD_REQUESTS * 10));

  /* While the flood is unread, the server goes on serving others. */
  test_fixture_check_served (&f, "during the flood");
  latecomer = test_raw_connect (f.ts->port);
  ck_assert_msg (test_raw_handshake (latecomer, &width, &height), "no handshake during the flood");
  test_fixture_check_served (&f, "during the flood, again");

  /* The flooder, reading slowly, gets its frames. The requests were
   * answered together (an update answers every request before it), so
   * like any viewer it asks again after each update. */
  raw_read_until_match (rv, f.ts, TRUE, 50 * 1000, "flooder");
  ck_assert_uint_ge (rv->updates, 1);
  test_server_redraw (f.ts, ++f.seed);
  raw_read_until_match (rv, f.ts, TRUE, 50 * 1000, "flooder, next frame");
  test_fixture_check_served (&f, "after the flood");

  g_object_unref (latecomer);
  test_raw_viewer_free (rv);
  test_fixture_stop (&f);
}
END_TEST

/* A stalled viewer: 1920x1080, asks for everything again and again,
 * reads nothing. */

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
run_frames (TestFixture *f, guint *frame, GSocket *stalled)
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
  TestFixture f;
  GSocket *stalled;
  int width, height;
  guint frame = 0;
  guint alone, with_stalled, later;
  gsize rss_before, rss_after;
  const gint32 raw_only[] = { TEST_ENCODING_RAW };

  test_fixture_start (&f, 1920, 1080, NULL);
  g_object_set (f.ts->server, "max-framerate", 60.0, NULL);
  alone = run_frames (&f, &frame, NULL);
  ck_assert_msg (test_viewer_wait_match (f.viewer, f.ts, TEST_TIMEOUT_US), "frames alone: wrong pixels");

  stalled = test_raw_connect (f.ts->port);
  ck_assert (test_raw_handshake (stalled, &width, &height));
  ck_assert_int_eq (width, 1920);
  test_raw_set_encodings (stalled, raw_only, G_N_ELEMENTS (raw_only));
  rss_before = test_rss_kib ();

  with_stalled = run_frames (&f, &frame, stalled);
  later = run_frames (&f, &frame, stalled);
  ck_assert_msg (test_viewer_wait_match (f.viewer, f.ts, TEST_TIMEOUT_US), "with a stalled viewer: wrong pixels");
  rss_after = test_rss_kib ();

  ck_assert_msg (alone >= 10, "only %u updates a second with no stalled viewer", alone);
  ck_assert_msg (with_stalled * 2 >= alone && later * 2 >= alone,
                 "updates a second: %u alone, %u and %u with a stalled viewer", alone, with_stalled, later);
  ck_assert_msg (rss_after < rss_before + 50 * 1024,
                 "memory grew from %zu KiB to %zu KiB with a stalled viewer", rss_before, rss_after);
  ck_assert_uint_eq (cairovnc_server_get_n_clients (f.ts->server), 2);

  g_object_unref (stalled);
  test_fixture_wait_clients (&f, 1, "stalled viewer gone");
  test_fixture_check_served (&f, "after the stalled viewer left");
  test_fixture_stop (&f);
}
END_TEST

/* Viewers that stop reading for good, and one that reads slowly. */

START_TEST (test_hostile_viewer_that_never_reads_is_dropped)
{
  TestFixture f;
  GSocket *stalled;
  int width, height;
  gint64 asked;
  const gint32 raw_only[] = { TEST_ENCODING_RAW };

  /* A raw frame far larger than the sockets' buffers. */
  test_fixture_start (&f, 1920, 1080, "stall-timeout", 2, NULL);
  stalled = test_raw_connect (f.ts->port);
  ck_assert (test_raw_handshake (stalled, &width, &height));
  test_raw_set_encodings (stalled, raw_only, G_N_ELEMENTS (raw_only));
  test_raw_request_update (stalled, FALSE, 0, 0, width, height);
  asked = g_get_monotonic_time ();

  test_fixture_check_served (&f, "while the stalled viewer waits");
  test_fixture_wait_clients (&f, 1, "the stalled viewer dropped");
  ck_assert_msg (g_get_monotonic_time () - asked >= 1500 * 1000, "dropped after %" G_GINT64_FORMAT " ms",
                 (g_get_monotonic_time () - asked) / 1000);
  test_fixture_check_served (&f, "after the stalled viewer was dropped");

  g_object_unref (stalled);
  test_fixture_stop (&f);
}
END_TEST

START_TEST (test_hostile_slow_reader_is_kept)
{
  TestFixture f;
  GSocket *slow;
  int width, height;
  gint64 start;
  gsize taken = 0;
  const gint32 raw_only[] = { TEST_ENCODING_RAW };

  test_fixture_start (&f, 1920, 1080, "stall-timeout", 2, NULL);
  slow = test_raw_connect (f.ts->port);
  ck_assert (test_raw_handshake (slow, &width, &height));
  test_raw_set_encodings (slow, raw_only, G_N_ELEMENTS (raw_only));
  test_raw_request_update (slow, FALSE, 0, 0, width, height);

  /* 64 KiB every half second: twice the stall timeout at a trickle. */
  start = g_get_monotonic_time ();
  while (g_get_monotonic_time () - start < 4 * G_USEC_PER_SEC)
    {
      guint8 chunk[65536];
      ck_assert_msg (test_raw_recv (slow, chunk, sizeof chunk, TEST_TIMEOUT_US), "the slow reader was cut off");
      taken += sizeof chunk;
      test_raw_request_update (slow, TRUE, 0, 0, width, height);
      g_usleep (500 * 1000);
    }
  ck_assert_uint_eq (cairovnc_server_get_n_clients (f.ts->server), 2);
  ck_assert_uint_ge (taken, 8 * 65536);
  test_fixture_check_served (&f, "beside the slow reader");

  g_object_unref (slow);
  test_fixture_wait_clients (&f, 1, "the slow reader gone");
  test_fixture_stop (&f);
}
END_TEST

/* Floods of messages the server must answer, from a viewer that reads
 * none of the answers: the server stops reading it rather than queue the
 * answers; when it reads again, every answer comes. */

typedef struct {
  const char *name;
  guint8 request[80];
  gsize request_len;
  gsize reply_len;
  guint n;
} ReplyFlood;

static const ReplyFlood reply_floods[] = {
  /* Each asks for a 1542-byte SetColourMapEntries. */
  { "SetPixelFormat to a colour map", { 0, 0, 0, 0, 8, 8, 0, 0, 0, 7, 0, 7, 0, 3, 0, 3, 6 }, 20, 1542, 20000 },
  /* Each asks for a ServerFence with its 64-byte payload. */
  { "ClientFence requests", { 248, 0, 0, 0, 0x80, 0, 0, 0, 64, 1, 2, 3, 4, 5, 6, 7, 8 }, 73, 73, 100000 },
};

START_TEST (test_hostile_unread_replies_stay_bounded)
{
  const ReplyFlood *rf = &reply_floods[_i];
  TestFixture f;
  GSocket *flooder;
  gsize rss_before, rss_after, sent;

  test_fixture_start (&f, WIDTH, HEIGHT, NULL);
  flooder = test_fixture_raw_ready (&f);
  rss_before = test_rss_kib ();
  sent = test_raw_flood (flooder, rf->request, rf->request_len, rf->n, 0, FALSE, 0);
  test_fixture_check_served (&f, rf->name);
  rss_after = test_rss_kib ();
  ck_assert_msg (rss_after < rss_before + 8 * 1024, "%s: memory grew from %zu KiB to %zu KiB", rf->name,
                 rss_before, rss_after);

  /* It reads: every answer comes, in whole. */
  test_raw_flood (flooder, rf->request, rf->request_len, rf->n, sent, TRUE, rf->reply_len * rf->n);
  ck_assert_uint_eq (cairovnc_server_get_n_clients (f.ts->server), 2);
  test_fixture_check_served (&f, rf->name);

  g_object_unref (flooder);
  test_fixture_stop (&f);
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
  TestFixture f;

  test_fixture_start (&f, WIDTH, HEIGHT, NULL);
  /* Cut at every offset, the middle included. */
  for (gsize cut = 1; cut < m->len; cut++)
    {
      GSocket *raw = test_fixture_raw_ready (&f);
      ck_assert (test_raw_send (raw, m->bytes, cut));
      g_object_unref (raw);
    }
  test_fixture_wait_clients (&f, 1, m->name);
  test_fixture_check_served (&f, m->name);

  /* The whole message is fine, and the server still reads after it. */
  {
    GSocket *raw = test_fixture_raw_ready (&f);
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

  test_fixture_stop (&f);
}
END_TEST

START_TEST (test_hostile_disconnect_mid_handshake)
{
  TestFixture f;
  char version[12];
  guint8 byte;

  test_fixture_start (&f, WIDTH, HEIGHT, NULL);
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
  test_fixture_wait_clients (&f, 1, "handshake cut short");
  test_fixture_check_served (&f, "handshake cut short");

  test_fixture_stop (&f);
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
  tcase_add_loop_test (messages, test_hostile_odd_message_keeps_viewer, 0, G_N_ELEMENTS (odd_messages));
  suite_add_tcase (suite, messages);

  tcase_set_timeout (greedy, 60);
  tcase_add_test (greedy, test_hostile_request_flood_from_slow_reader);
  tcase_add_test (greedy, test_hostile_stalled_viewer_does_not_slow_others);
  tcase_add_test (greedy, test_hostile_viewer_that_never_reads_is_dropped);
  tcase_add_test (greedy, test_hostile_slow_reader_is_kept);
  tcase_add_loop_test (greedy, test_hostile_unread_replies_stay_bounded, 0, G_N_ELEMENTS (reply_floods));
  suite_add_tcase (suite, greedy);

  tcase_set_timeout (disconnects, 30);
  tcase_add_loop_test (disconnects, test_hostile_disconnect_mid_message, 0, G_N_ELEMENTS (whole_messages));
  tcase_add_test (disconnects, test_hostile_disconnect_mid_handshake);
  suite_add_tcase (suite, disconnects);

  return suite;
}

int
main (void)
{
  return testutil_run (hostile_suite ());
}
