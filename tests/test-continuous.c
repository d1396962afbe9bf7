/* test-continuous.c — ContinuousUpdates and Fence (rfbproto.rst).
 *
 * A raw viewer that announces both pseudo-encodings is told once of each
 * (a ServerFence, then an EndOfContinuousUpdates); its fences are answered
 * with the same payload, the request bit and unknown flags cleared; with
 * continuous updates on it gets frames without asking, and incremental
 * requests are ignored; turning them off is answered with
 * EndOfContinuousUpdates, after which nothing comes unasked. A viewer
 * that never announced the extension gets nothing for an
 * EnableContinuousUpdates.
 */
#include "testutil.h"

#include <string.h>

#define WIDTH 96
#define HEIGHT 64

typedef struct {
  guint8 type;
  guint n_rects;          /* FramebufferUpdate */
  guint32 fence_flags;    /* ServerFence */
  guint8 fence_payload[64];
  guint8 fence_length;
} ServerMessage;

static void
send_u8s (GSocket *socket, const guint8 *bytes, gsize len)
{
  ck_assert (test_raw_send (socket, bytes, len));
}

static void
request_update (GSocket *socket, gboolean incremental)
{
  test_raw_request_update (socket, incremental, 0, 0, WIDTH, HEIGHT);
}

static void
enable_continuous_updates (GSocket *socket, gboolean enable)
{
  guint8 message[10] = { 150, (guint8) enable, 0, 0, 0, 0, 0, WIDTH, 0, HEIGHT };

  send_u8s (socket, message, sizeof message);
}

/* Reads one server message; Raw, DesktopSize and ExtendedDesktopSize
 * rectangles are read past. FALSE when none came in time. */
static gboolean
read_message (GSocket *socket, ServerMessage *msg, gint64 timeout_us)
{
  guint8 head[12];

  memset (msg, 0, sizeof *msg);
  if (!test_raw_recv (socket, &msg->type, 1, timeout_us))
    return FALSE;
  switch (msg->type)
    {
    case 0:
      ck_assert (test_raw_recv (socket, head, 3, TEST_TIMEOUT_US));
      msg->n_rects = test_get_u16 (head + 1);
      for (guint i = 0; i < msg->n_rects; i++)
        {
          TestRawRect rect;
          ck_assert (test_raw_read_rect (socket, &rect, NULL, 0, 0));
          test_raw_rect_clear (&rect);
          ck_assert_msg (rect.encoding == TEST_ENCODING_RAW ||
                         rect.encoding == TEST_ENCODING_EXTENDED_DESKTOP_SIZE ||
                         rect.encoding == TEST_ENCODING_DESKTOP_SIZE,
                         "unexpected encoding %d", rect.encoding);
        }
      return TRUE;
    case 150:
      return TRUE;
    case 248:
      ck_assert (test_raw_recv (socket, head, 8, TEST_TIMEOUT_US));
      msg->fence_flags = test_get_u32 (head + 3);
      msg->fence_length = head[7];
      ck_assert (test_raw_recv (socket, msg->fence_payload, msg->fence_length, TEST_TIMEOUT_US));
      return TRUE;
    default:
      ck_abort_msg ("unexpected server message %u", msg->type);
      return FALSE;
    }
}

static TestServer *
start_server (void)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, WIDTH, HEIGHT, 1);
  TestServer *ts = test_server_new (surface);

  cairo_surface_destroy (surface);
  g_object_set (ts->server, "max-framerate", 0.0, NULL);
  test_server_start (ts);
  return ts;
}

static GSocket *
connect_viewer (TestServer *ts, gboolean announce)
{
  GSocket *socket = test_raw_connect (ts->port);
  static const gint32 with_extensions[] = { 0, -313, -312 };
  static const gint32 plain[] = { 0 };
  ServerMessage msg;
  int width, height;

  ck_assert (test_raw_handshake (socket, &width, &height));
  if (announce)
    {
      test_raw_set_encodings (socket, with_extensions, G_N_ELEMENTS (with_extensions));
      ck_assert (read_message (socket, &msg, TEST_TIMEOUT_US));
      ck_assert_uint_eq (msg.type, 248);
      ck_assert (read_message (socket, &msg, TEST_TIMEOUT_US));
      ck_assert_uint_eq (msg.type, 150);
    }
  else
    {
      test_raw_set_encodings (socket, plain, 1);
    }
  return socket;
}

START_TEST (test_continuous_extensions_are_announced_once)
{
  TestServer *ts = start_server ();
  GSocket *socket = connect_viewer (ts, TRUE);
  static const gint32 again[] = { 0, -313, -312 };
  ServerMessage msg;

  /* A second SetEncodings with both announces nothing new. */
  test_raw_set_encodings (socket, again, G_N_ELEMENTS (again));
  ck_assert (!read_message (socket, &msg, 300 * 1000));
  g_object_unref (socket);
  test_server_free (ts);
}
END_TEST

START_TEST (test_continuous_fence_is_answered_with_its_payload)
{
  TestServer *ts = start_server ();
  GSocket *socket = connect_viewer (ts, TRUE);
  /* Request | SyncNext | BlockBefore | an unknown bit 5; payload "abc". */
  guint8 fence[12] = { 248, 0, 0, 0, 0x80, 0, 0, 0x25, 3, 'a', 'b', 'c' };
  ServerMessage msg;

  send_u8s (socket, fence, sizeof fence);
  ck_assert (read_message (socket, &msg, TEST_TIMEOUT_US));
  ck_assert_uint_eq (msg.type, 248);
  ck_assert_uint_eq (msg.fence_flags, 0x05);
  ck_assert_uint_eq (msg.fence_length, 3);
  ck_assert (memcmp (msg.fence_payload, "abc", 3) == 0);

  /* An answer to the server's own fence needs no reply. */
  fence[4] = 0;
  send_u8s (socket, fence, sizeof fence);
  ck_assert (!read_message (socket, &msg, 300 * 1000));
  g_object_unref (socket);
  test_server_free (ts);
}
END_TEST

START_TEST (test_continuous_updates_come_unasked_until_turned_off)
{
  TestServer *ts = start_server ();
  GSocket *socket = connect_viewer (ts, TRUE);
  ServerMessage msg;

  enable_continuous_updates (socket, TRUE);
  /* The first picture comes without any request. */
  ck_assert (read_message (socket, &msg, TEST_TIMEOUT_US));
  ck_assert_uint_eq (msg.type, 0);
  ck_assert_uint_ge (msg.n_rects, 1);
  for (guint seed = 2; seed < 5; seed++)
    {
      test_server_redraw (ts, seed);
      ck_assert_msg (read_message (socket, &msg, TEST_TIMEOUT_US), "frame %u not pushed", seed);
      ck_assert_uint_eq (msg.type, 0);
    }
  /* Incremental requests are ignored meanwhile: nothing more comes. */
  request_update (socket, TRUE);
  ck_assert (!read_message (socket, &msg, 300 * 1000));

  enable_continuous_updates (socket, FALSE);
  ck_assert (read_message (socket, &msg, TEST_TIMEOUT_US));
  ck_assert_uint_eq (msg.type, 150);
  test_server_redraw (ts, 9);
  ck_assert (!read_message (socket, &msg, 300 * 1000));
  /* Requests work again. */
  request_update (socket, TRUE);
  ck_assert (read_message (socket, &msg, TEST_TIMEOUT_US));
  ck_assert_uint_eq (msg.type, 0);
  g_object_unref (socket);
  test_server_free (ts);
}
END_TEST

START_TEST (test_continuous_updates_need_the_announcement)
{
  TestServer *ts = start_server ();
  GSocket *socket = connect_viewer (ts, FALSE);
  ServerMessage msg;

  enable_continuous_updates (socket, TRUE);
  test_server_redraw (ts, 3);
  ck_assert (!read_message (socket, &msg, 300 * 1000));
  /* Still an ordinary viewer. */
  request_update (socket, FALSE);
  ck_assert (read_message (socket, &msg, TEST_TIMEOUT_US));
  ck_assert_uint_eq (msg.type, 0);
  g_object_unref (socket);
  test_server_free (ts);
}
END_TEST

static Suite *
continuous_suite (void)
{
  Suite *suite = suite_create ("continuous");
  TCase *tc = tcase_create ("continuous");

  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_continuous_extensions_are_announced_once);
  tcase_add_test (tc, test_continuous_fence_is_answered_with_its_payload);
  tcase_add_test (tc, test_continuous_updates_come_unasked_until_turned_off);
  tcase_add_test (tc, test_continuous_updates_need_the_announcement);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  SRunner *runner;
  int failed;

  testutil_init ();
  runner = srunner_create (continuous_suite ());
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed != 0;
}
