/* test-hostile-websocket.c — bad browsers never hurt the server or others.
 *
 * As test-hostile.c, on http-port: a libvncclient viewer connects first
 * and must keep getting correct frames while WebSocket viewers send
 * frames with bad lengths, fragmented or oversized control frames,
 * unmasked frames, continuations of nothing; flood pings and never read
 * the pongs; go away in the middle of a frame; and while HTTP clients
 * send endless headers or a request a byte at a time. Each bad frame is
 * answered with the Close code RFC 6455 gives for it and the connection
 * ends; the server's memory stays bounded.
 */
#include "testutil.h"

#include <string.h>

#define WIDTH 200
#define HEIGHT 150

/* The opening of every frame case: a WebSocket viewer that has read the
 * server's version. */
static GSocket *
ws_ready (TestFixture *f)
{
  GSocket *socket = test_ws_connect (f->ts->http_port, "/websockify", NULL);
  g_autoptr (GByteArray) payload = g_byte_array_new ();
  guint8 opcode;
  gboolean fin;

  ck_assert (test_ws_read_frame (socket, &opcode, &fin, payload, TEST_TIMEOUT_US));
  ck_assert_uint_eq (opcode, 0x2);
  ck_assert_uint_eq (payload->len, 12);
  ck_assert (memcmp (payload->data, "RFB 003.008\n", 12) == 0);
  test_fixture_wait_clients (f, 2, "WebSocket viewer");
  return socket;
}

/* A masked header announcing @length in 64 bits, nothing behind it. */
static void
append_long_header (GByteArray *out, guint8 first, guint64 length)
{
  guint8 head[14] = { first, 0x80 | 127 };

  for (int i = 0; i < 8; i++)
    head[2 + i] = (guint8) (length >> (56 - 8 * i));
  memcpy (head + 10, "\x11\x22\x33\x44", 4);
  g_byte_array_append (out, head, sizeof head);
}

/* Bad frames: the server answers Close with @code and ends. */

typedef struct {
  const char *name;
  guint16 code;
} BadFrame;

static const BadFrame bad_frames[] = {
  { "64-bit length with its top bit set", 1002 },
  { "64-bit length of 2^63 - 1", 1009 },
  { "64-bit length just over 32 MiB", 1009 },
  { "fragments adding up to over 32 MiB", 1009 },
  { "fragmented ping", 1002 },
  { "fragmented close", 1002 },
  { "ping of 126 bytes", 1002 },
  { "pong announcing 64 KiB in 64 bits", 1002 },
  { "unmasked binary frame", 1002 },
  { "unmasked ping", 1002 },
  { "continuation without a start", 1002 },
  { "new message inside a fragmented one", 1002 },
  { "reserved bits set", 1002 },
  { "data opcode 3", 1002 },
  { "control opcode 11", 1002 },
  { "text frame", 1003 },
  { "close of one byte", 1002 },
  { "close with a reason not in UTF-8", 1002 },
};

static GByteArray *
bad_frame_bytes (guint index)
{
  static const guint8 data[256] = { 'R', 'F', 'B' };
  GByteArray *out = g_byte_array_new ();

  switch (index)
    {
    case 0:
      append_long_header (out, 0x82, G_GUINT64_CONSTANT (0x8000000000000005));
      break;
    case 1:
      append_long_header (out, 0x82, G_MAXINT64);
      break;
    case 2:
      append_long_header (out, 0x82, 32 * 1024 * 1024 + 1);
      break;
    case 3:
      /* 100 bytes, then a continuation that takes the message one byte
       * over: each frame is under the limit, the message is not. */
      test_ws_append_frame (out, FALSE, 0x2, data, 100, TRUE);
      append_long_header (out, 0x00, 32 * 1024 * 1024 - 99);
      break;
    case 4:
      test_ws_append_frame (out, FALSE, 0x9, data, 3, TRUE);
      break;
    case 5:
      test_ws_append_frame (out, FALSE, 0x8, "\x03\xe8", 2, TRUE);
      break;
    case 6:
      test_ws_append_frame (out, TRUE, 0x9, data, 126, TRUE);
      break;
    case 7:
      append_long_header (out, 0x8a, 65536);
      break;
    case 8:
      test_ws_append_frame (out, TRUE, 0x2, "RFB 003.008\n", 12, FALSE);
      break;
    case 9:
      test_ws_append_frame (out, TRUE, 0x9, "hi", 2, FALSE);
      break;
    case 10:
      test_ws_append_frame (out, TRUE, 0x0, data, 3, TRUE);
      break;
    case 11:
      test_ws_append_frame (out, FALSE, 0x2, "RFB ", 4, TRUE);
      test_ws_append_frame (out, TRUE, 0x2, "003.008\n", 8, TRUE);
      break;
    case 12:
      test_ws_append_frame (out, TRUE, 0x2, "RFB 003.008\n", 12, TRUE);
      out->data[0] |= 0x40;
      break;
    case 13:
      test_ws_append_frame (out, TRUE, 0x3, data, 3, TRUE);
      break;
    case 14:
      test_ws_append_frame (out, TRUE, 0xb, data, 3, TRUE);
      break;
    case 15:
      test_ws_append_frame (out, TRUE, 0x1, "RFB 003.008\n", 12, TRUE);
      break;
    case 16:
      test_ws_append_frame (out, TRUE, 0x8, "\x03", 1, TRUE);
      break;
    case 17:
      test_ws_append_frame (out, TRUE, 0x8, "\x03\xe8\xff\xfe", 4, TRUE);
      break;
    default:
      g_assert_not_reached ();
    }
  return out;
}

/* Reads frames until a Close; gives its code (0 when there is none). */
static guint
read_close_code (GSocket *socket)
{
  g_autoptr (GByteArray) payload = g_byte_array_new ();
  gint64 deadline = g_get_monotonic_time () + TEST_TIMEOUT_US;
  guint8 opcode;
  gboolean fin;

  while (test_ws_read_frame (socket, &opcode, &fin, payload, deadline - g_get_monotonic_time ()))
    if (opcode == 0x8)
      return payload->len >= 2 ? test_get_u16 (payload->data) : 0;
  return 0;
}

START_TEST (test_hostile_websocket_bad_frame_is_closed)
{
  const BadFrame *bf = &bad_frames[_i];
  g_autoptr (GByteArray) bytes = bad_frame_bytes ((guint) _i);
  TestFixture f;
  GSocket *ws;

  test_fixture_start_with_http (&f, WIDTH, HEIGHT, NULL);
  ws = ws_ready (&f);
  ck_assert (test_raw_send (ws, bytes->data, bytes->len));
  ck_assert_uint_eq (read_close_code (ws), bf->code);
  ck_assert_msg (test_raw_wait_closed (ws, TEST_TIMEOUT_US), "%s: the viewer was not disconnected", bf->name);
  test_fixture_wait_clients (&f, 1, bf->name);
  test_fixture_check_served (&f, bf->name);

  g_object_unref (ws);
  test_fixture_stop (&f);
}
END_TEST

/* Lengths longer than they need be are still lengths (RFC 6455 asks the
 * sender for the shortest; nothing is gained by refusing the rest): the
 * handshake goes on through them. */
START_TEST (test_hostile_websocket_long_forms_of_short_lengths_are_read)
{
  g_autoptr (GByteArray) version = g_byte_array_new ();
  g_autoptr (GByteArray) choice = g_byte_array_new ();
  g_autoptr (GByteArray) payload = g_byte_array_new ();
  static const guint8 version_bytes[14] = { 0x82, 0x80 | 126, 0, 12, 0, 0, 0, 0 };
  TestFixture f;
  GSocket *ws;
  guint8 opcode;
  gboolean fin;

  test_fixture_start_with_http (&f, WIDTH, HEIGHT, NULL);
  ws = ws_ready (&f);
  /* The version with a 16-bit length of 12, mask 0. */
  g_byte_array_append (version, version_bytes, 8);
  g_byte_array_append (version, (const guint8 *) "RFB 003.008\n", 12);
  ck_assert (test_raw_send (ws, version->data, version->len));
  ck_assert (test_ws_read_frame (ws, &opcode, &fin, payload, TEST_TIMEOUT_US));
  ck_assert_uint_eq (opcode, 0x2);
  ck_assert_uint_eq (payload->len, 2);
  ck_assert_uint_eq (payload->data[1], 1);
  /* None, with a 64-bit length of 1, mask 0. */
  append_long_header (choice, 0x82, 1);
  memset (choice->data + 10, 0, 4);
  g_byte_array_append (choice, (const guint8 *) "\1", 1);
  ck_assert (test_raw_send (ws, choice->data, choice->len));
  ck_assert (test_ws_read_frame (ws, &opcode, &fin, payload, TEST_TIMEOUT_US));
  ck_assert_uint_eq (payload->len, 4);
  ck_assert_uint_eq (test_get_u32 (payload->data), 0);
  test_fixture_check_served (&f, "long lengths");

  g_object_unref (ws);
  test_fixture_stop (&f);
}
END_TEST

/* Going away in the middle of a frame. */

static const char *cut_frames[] = {
  "one byte of a header",
  "a 16-bit length cut short",
  "a header without its mask",
  "half the payload of a binary frame",
  "64 KiB of a frame announcing 1 MiB",
  "the first fragment of a message",
  "half a ping",
  "a whole frame holding half an RFB message",
};

static GByteArray *
cut_frame_bytes (guint index)
{
  static const guint8 data[65536] = { 'R', 'F', 'B' };
  GByteArray *out = g_byte_array_new ();

  switch (index)
    {
    case 0:
      g_byte_array_append (out, (const guint8 *) "\x82", 1);
      break;
    case 1:
      g_byte_array_append (out, (const guint8 *) "\x82\xfe\x01", 3);
      break;
    case 2:
      g_byte_array_append (out, (const guint8 *) "\x82\x8a\x11\x22", 4);
      break;
    case 3:
      test_ws_append_frame (out, TRUE, 0x2, "RFB 003.008\n", 12, TRUE);
      g_byte_array_set_size (out, out->len - 6);
      break;
    case 4:
      append_long_header (out, 0x82, 1024 * 1024);
      g_byte_array_append (out, data, sizeof data);
      break;
    case 5:
      test_ws_append_frame (out, FALSE, 0x2, "RFB 003", 7, TRUE);
      break;
    case 6:
      test_ws_append_frame (out, TRUE, 0x9, "0123456789", 10, TRUE);
      g_byte_array_set_size (out, out->len - 5);
      break;
    case 7:
      test_ws_append_frame (out, TRUE, 0x2, "RFB 003", 7, TRUE);
      break;
    default:
      g_assert_not_reached ();
    }
  return out;
}

START_TEST (test_hostile_websocket_disconnect_mid_frame)
{
  g_autoptr (GByteArray) bytes = cut_frame_bytes ((guint) _i);
  TestFixture f;
  GSocket *ws;

  test_fixture_start_with_http (&f, WIDTH, HEIGHT, NULL);
  ws = ws_ready (&f);
  ck_assert (test_raw_send (ws, bytes->data, bytes->len));
  g_socket_close (ws, NULL);
  test_fixture_wait_clients (&f, 1, cut_frames[_i]);
  test_fixture_check_served (&f, cut_frames[_i]);

  g_object_unref (ws);
  test_fixture_stop (&f);
}
END_TEST

/* Pings from a viewer that never reads the pongs: the server stops
 * reading it, its memory does not grow, and once it reads every pong
 * comes. */

static const struct {
  const char *name;
  gsize payload;
  guint n;
} ping_floods[] = {
  { "empty pings", 0, 3000000 },
  { "pings of 125 bytes", 125, 100000 },
};

START_TEST (test_hostile_websocket_ping_flood_unread)
{
  g_autoptr (GByteArray) ping = g_byte_array_new ();
  guint8 data[125];
  gsize pong_len = 2 + ping_floods[_i].payload;
  guint n = ping_floods[_i].n;
  TestFixture f;
  GSocket *ws;
  gsize rss_before, rss_after, sent;

  memset (data, 'p', sizeof data);
  test_ws_append_frame (ping, TRUE, 0x9, data, ping_floods[_i].payload, TRUE);
  test_fixture_start_with_http (&f, WIDTH, HEIGHT, NULL);
  ws = ws_ready (&f);
  rss_before = test_rss_kib ();
  sent = test_raw_flood (ws, ping->data, ping->len, n, 0, FALSE, 0);
  ck_assert_msg (sent < ping->len * n, "%s: every ping was taken unread", ping_floods[_i].name);
  test_fixture_check_served (&f, ping_floods[_i].name);
  rss_after = test_rss_kib ();
  ck_assert_msg (rss_after < rss_before + 8 * 1024, "%s: memory grew from %zu KiB to %zu KiB",
                 ping_floods[_i].name, rss_before, rss_after);

  /* It reads: every pong comes, in whole. */
  test_raw_flood (ws, ping->data, ping->len, n, sent, TRUE, pong_len * n);
  ck_assert_uint_eq (cairovnc_server_get_n_clients (f.ts->server), 2);
  test_fixture_check_served (&f, ping_floods[_i].name);

  g_object_unref (ws);
  test_fixture_stop (&f);
}
END_TEST

/* HTTP before any upgrade. */

/* Header lines without end: refused at 16 KiB with 431 (when the answer
 * can be read before the close), never held whole. */
START_TEST (test_hostile_websocket_http_header_flood)
{
  static const char line[] = "X-Flood: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
  g_autoptr (GByteArray) rest = g_byte_array_new ();
  TestFixture f;
  GSocket *socket;
  gsize rss_before, rss_after, sent;

  test_fixture_start_with_http (&f, WIDTH, HEIGHT, NULL);
  socket = test_raw_connect (f.ts->http_port);
  ck_assert (test_raw_send (socket, "GET / HTTP/1.1\r\n", 16));
  rss_before = test_rss_kib ();
  sent = test_raw_flood (socket, (const guint8 *) line, strlen (line), 200000, 0, FALSE, 0);
  ck_assert_msg (sent < strlen (line) * 200000, "every header was taken");
  ck_assert_msg (test_raw_read_until_closed (socket, rest, TEST_TIMEOUT_US), "the flood was not cut off");
  if (rest->len > 0)
    ck_assert_msg (rest->len >= 12 && memcmp (rest->data, "HTTP/1.1 431", 12) == 0, "answered %.*s",
                   (int) MIN (rest->len, 40), rest->data);
  test_fixture_check_served (&f, "header flood");
  rss_after = test_rss_kib ();
  ck_assert_msg (rss_after < rss_before + 8 * 1024, "memory grew from %zu KiB to %zu KiB", rss_before, rss_after);
  ck_assert_uint_eq (cairovnc_server_get_n_clients (f.ts->server), 1);

  g_object_unref (socket);
  test_fixture_stop (&f);
}
END_TEST

/* A request a byte every 300 ms: always progress, never done in time;
 * dropped after handshake-timeout as a slow RFB handshake is. */
START_TEST (test_hostile_websocket_http_slowloris_is_dropped)
{
  static const char request[] = "GET /websockify HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n"
                                "Upgrade: websocket\r\n\r\n";
  TestFixture f;
  GSocket *socket;
  gint64 took;
  gsize sent;

  test_fixture_start_with_http (&f, WIDTH, HEIGHT, "handshake-timeout", 2, NULL);
  socket = test_raw_connect (f.ts->http_port);
  took = test_raw_slowloris (socket, request, sizeof request - 1, &sent);
  ck_assert_msg (sent < sizeof request - 1, "the whole request went through");
  ck_assert_msg (took >= 1800 * 1000 && took < 6 * G_USEC_PER_SEC, "dropped after %" G_GINT64_FORMAT " ms",
                 took / 1000);
  test_fixture_check_served (&f, "HTTP slowloris");

  g_object_unref (socket);
  test_fixture_stop (&f);
}
END_TEST

static Suite *
hostile_websocket_suite (void)
{
  Suite *suite = suite_create ("hostile-websocket");
  TCase *frames = tcase_create ("frames");
  TCase *greedy = tcase_create ("greedy");
  TCase *http = tcase_create ("http");

  tcase_set_timeout (frames, 120);
  tcase_add_loop_test (frames, test_hostile_websocket_bad_frame_is_closed, 0, G_N_ELEMENTS (bad_frames));
  tcase_add_test (frames, test_hostile_websocket_long_forms_of_short_lengths_are_read);
  tcase_add_loop_test (frames, test_hostile_websocket_disconnect_mid_frame, 0, G_N_ELEMENTS (cut_frames));
  suite_add_tcase (suite, frames);

  tcase_set_timeout (greedy, 120);
  tcase_add_loop_test (greedy, test_hostile_websocket_ping_flood_unread, 0, G_N_ELEMENTS (ping_floods));
  suite_add_tcase (suite, greedy);

  tcase_set_timeout (http, 120);
  tcase_add_test (http, test_hostile_websocket_http_header_flood);
  tcase_add_test (http, test_hostile_websocket_http_slowloris_is_dropped);
  suite_add_tcase (suite, http);
  return suite;
}

int
main (void)
{
  return testutil_run (hostile_websocket_suite ());
}
