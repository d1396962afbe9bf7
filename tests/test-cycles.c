/* test-cycles.c — a thousand viewers come and go; nothing stays behind.
 *
 * Raw viewers connect to two servers (one with a password) and leave at
 * every stage: at once, after the version, after a bad version, after
 * the handshake of each protocol version, after a right or wrong
 * password, in the middle of an update in several encodings and pixel
 * formats, with fences and continuous updates on. Afterwards both servers
 * have no viewer, resident memory has not grown with the cycles, and
 * once the servers are freed, the sanitized build's LeakSanitizer (run
 * when each test's process exits) finds nothing of cairovnc's.
 */
#include "testutil.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#define N_CYCLES 1000
#define PASSWORD "pw"

typedef enum {
  LEAVE_AT_ONCE,
  LEAVE_AFTER_VERSION,
  LEAVE_AFTER_BAD_VERSION,
  LEAVE_AFTER_3_3,
  LEAVE_AFTER_3_7,
  LEAVE_IN_UPDATE_ZRLE,
  LEAVE_IN_UPDATE_HEXTILE_16BPP,
  LEAVE_WITH_FENCE_AND_CONTINUOUS,
  LEAVE_AFTER_RIGHT_PASSWORD,
  LEAVE_AFTER_WRONG_PASSWORD,
  N_WAYS
} Way;

/* Small messages go at once, not after the server's delayed ACK. */
static GSocket *
connect_now (guint port)
{
  GSocket *socket = test_raw_connect (port);

  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  return socket;
}

/* Sends @version; the security types, or type, come next. */
static GSocket *
start (guint port, const char *version)
{
  GSocket *socket = connect_now (port);
  char server_version[12];

  ck_assert (test_raw_recv (socket, server_version, 12, TEST_TIMEOUT_US));
  ck_assert (test_raw_send (socket, version, 12));
  return socket;
}

static void
client_init (GSocket *socket)
{
  guint8 init[24];
  guint32 name_length;
  char name[256];

  ck_assert (test_raw_send (socket, "\1", 1));
  ck_assert (test_raw_recv (socket, init, sizeof init, TEST_TIMEOUT_US));
  name_length = test_get_u32 (init + 20);
  ck_assert_uint_lt (name_length, sizeof name);
  ck_assert (test_raw_recv (socket, name, name_length, TEST_TIMEOUT_US));
}

/* Asks for a whole frame and leaves once its first bytes come. */
static void
leave_in_update (GSocket *socket, const gint32 *encodings, guint n, gboolean rgb565)
{
  guint8 some[64];

  if (rgb565)
    {
      guint8 msg[20];
      test_build_set_pixel_format (msg, 16, 16, TRUE, 31, 63, 31, 11, 5, 0);
      ck_assert (test_raw_send (socket, msg, sizeof msg));
    }
  test_raw_set_encodings (socket, encodings, n);
  test_raw_request_update (socket, FALSE, 0, 0, 320, 240);
  ck_assert (test_raw_recv (socket, some, sizeof some, TEST_TIMEOUT_US));
}

static void
cycle (guint port, guint password_port, Way way)
{
  static const gint32 zrle[] = { 16, -223, -307 };
  static const gint32 hextile[] = { 5, 1, -224 };
  static const gint32 fence_and_continuous[] = { 7, -312, -313, -247 };
  GSocket *socket = NULL;
  guint8 list[2];
  int width, height;

  switch (way)
    {
    case LEAVE_AT_ONCE:
      socket = connect_now (port);
      break;
    case LEAVE_AFTER_VERSION:
      socket = start (port, "RFB 003.008\n");
      break;
    case LEAVE_AFTER_BAD_VERSION:
      socket = start (port, "RFB 001.000\n");
      ck_assert (test_raw_wait_closed (socket, TEST_TIMEOUT_US));
      break;
    case LEAVE_AFTER_3_3:
      socket = start (port, "RFB 003.003\n");
      ck_assert_uint_eq (test_raw_recv_u32 (socket, "security type"), 1);
      client_init (socket);
      break;
    case LEAVE_AFTER_3_7:
      socket = start (port, "RFB 003.007\n");
      ck_assert (test_raw_recv (socket, list, 2, TEST_TIMEOUT_US));
      ck_assert (test_raw_send (socket, "\1", 1));
      client_init (socket);
      break;
    case LEAVE_IN_UPDATE_ZRLE:
      socket = connect_now (port);
      ck_assert (test_raw_handshake (socket, &width, &height));
      leave_in_update (socket, zrle, G_N_ELEMENTS (zrle), FALSE);
      break;
    case LEAVE_IN_UPDATE_HEXTILE_16BPP:
      socket = connect_now (port);
      ck_assert (test_raw_handshake (socket, &width, &height));
      leave_in_update (socket, hextile, G_N_ELEMENTS (hextile), TRUE);
      break;
    case LEAVE_WITH_FENCE_AND_CONTINUOUS:
      {
        static const guint8 fence[] = { 248, 0, 0, 0, 0x80, 0, 0, 3, 2, 'h', 'i' };
        static const guint8 continuous[] = { 150, 1, 0, 0, 0, 0, 1, 64, 0, 240 };
        socket = connect_now (port);
        ck_assert (test_raw_handshake (socket, &width, &height));
        test_raw_set_encodings (socket, fence_and_continuous, G_N_ELEMENTS (fence_and_continuous));
        ck_assert (test_raw_send (socket, fence, sizeof fence));
        ck_assert (test_raw_send (socket, continuous, sizeof continuous));
        leave_in_update (socket, fence_and_continuous, G_N_ELEMENTS (fence_and_continuous), FALSE);
        break;
      }
    case LEAVE_AFTER_RIGHT_PASSWORD:
    case LEAVE_AFTER_WRONG_PASSWORD:
      socket = start (password_port, "RFB 003.008\n");
      ck_assert (test_raw_recv (socket, list, 2, TEST_TIMEOUT_US));
      ck_assert (test_raw_send (socket, "\2", 1));
      test_raw_answer_challenge (socket, way == LEAVE_AFTER_RIGHT_PASSWORD ? PASSWORD : "guess");
      /* A wrong one is told a second later: leave before that. */
      if (way == LEAVE_AFTER_RIGHT_PASSWORD)
        {
          ck_assert_uint_eq (test_raw_recv_u32 (socket, "SecurityResult"), 0);
          client_init (socket);
        }
      break;
    default:
      g_assert_not_reached ();
    }
  g_object_unref (socket);
}

static void
wait_no_clients (TestServer *ts)
{
  gint64 deadline = g_get_monotonic_time () + TEST_TIMEOUT_US;

  while (cairovnc_server_get_n_clients (ts->server) > 0)
    {
      ck_assert_msg (g_get_monotonic_time () < deadline, "%u viewers left",
                     cairovnc_server_get_n_clients (ts->server));
      g_usleep (10 * 1000);
    }
}

START_TEST (test_cycles_thousand_viewers_leave_nothing)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 320, 240, 1);
  TestServer *open = test_server_new (surface);
  TestServer *locked = test_server_new (surface);
  gsize rss_warm = 0, rss_middle = 0, rss_end;

  cairo_surface_destroy (surface);
  /* Wrong passwords are not throttled here: every cycle must get in. */
  g_object_set (locked->server, "password", PASSWORD, "auth-failure-limit", 0, NULL);
  /* Each viewer that asks waits for no frame slot. */
  g_object_set (open->server, "max-framerate", 0.0, NULL);
  test_server_start (open);
  test_server_start (locked);

  for (guint i = 0; i < N_CYCLES; i++)
    {
      cycle (open->port, locked->port, (Way) (i % N_WAYS));
      if (i % 50 == 0)
        test_server_redraw (open, i);
      /* Thread pools, caches and allocator arenas are warm by now. */
      if (i == N_CYCLES * 3 / 10 || i == N_CYCLES * 13 / 20)
        {
          wait_no_clients (open);
          wait_no_clients (locked);
          if (rss_warm == 0)
            rss_warm = test_rss_kib ();
          else
            rss_middle = test_rss_kib ();
        }
    }
  wait_no_clients (open);
  wait_no_clients (locked);
  rss_end = test_rss_kib ();
  /* A leak grows with every cycle, so in both halves; an allocator arena
   * or a pool thread that comes late grows once. */
  ck_assert_msg (rss_middle < rss_warm + 2 * 1024 || rss_end < rss_middle + 2 * 1024,
                 "memory grew from %zu KiB to %zu KiB, then to %zu KiB over the cycles", rss_warm, rss_middle,
                 rss_end);
  ck_assert_msg (rss_end < rss_warm + 16 * 1024, "memory grew from %zu KiB to %zu KiB over the cycles", rss_warm,
                 rss_end);

  test_server_free (open);
  test_server_free (locked);
}
END_TEST

static Suite *
cycles_suite (void)
{
  Suite *suite = suite_create ("cycles");
  TCase *tc = tcase_create ("connections");

  tcase_set_timeout (tc, 240);
  tcase_add_test (tc, test_cycles_thousand_viewers_leave_nothing);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return testutil_run (cycles_suite ());
}
