/* test-hostile-handshake.c — hostile viewers before ServerInit.
 *
 * Wrong protocol versions, security types that were not offered, viewers
 * that say nothing or one byte now and then (dropped at the handshake
 * deadline, however they spend it), hundreds of connections at once, and
 * password guessing (the address is refused after a few failures, for
 * longer each time). Throughout, a libvncclient viewer that connected
 * first must go on getting correct frames. Timeouts are set to a second
 * or two so that nothing here waits long.
 */
#include "testutil.h"

#include <string.h>

#define WIDTH 200
#define HEIGHT 150
#define PASSWORD "secret"

/* Reads the server's version string and answers @version. */
static GSocket *
raw_start (TestFixture *f, const char *version, gsize len)
{
  GSocket *socket = test_raw_connect (f->ts->port);
  char server_version[12];

  ck_assert_msg (test_raw_recv (socket, server_version, 12, TEST_TIMEOUT_US), "no version string");
  ck_assert (test_raw_send (socket, version, len));
  return socket;
}

/* Waits for the server to close @socket, reading what it sends; returns
 * how long that took from @since. */
static gint64
wait_closed (GSocket *socket, gint64 since, const char *what)
{
  ck_assert_msg (test_raw_wait_closed (socket, TEST_TIMEOUT_US), "%s: not closed", what);
  return g_get_monotonic_time () - since;
}

/* Wrong versions. */

static const struct {
  const char *name;
  const char *bytes;
  gsize len;
} bad_versions[] = {
  { "version 0.0", "RFB 000.000\n", 12 },
  { "version 2.999", "RFB 002.999\n", 12 },
  { "a letter for a digit", "RFB 003.00x\n", 12 },
  { "an HTTP request", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27 },
  { "twelve zero bytes", "\0\0\0\0\0\0\0\0\0\0\0\0", 12 },
  { "a space for the newline", "RFB 003.008 ", 12 },
  { "a TLS ClientHello", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\x00", 12 },
};

START_TEST (test_hostile_handshake_bad_version_is_closed)
{
  TestFixture f;
  GSocket *socket;

  test_fixture_start (&f, WIDTH, HEIGHT, NULL);
  socket = raw_start (&f, bad_versions[_i].bytes, bad_versions[_i].len);
  wait_closed (socket, 0, bad_versions[_i].name);
  test_fixture_wait_clients (&f, 1, bad_versions[_i].name);
  test_fixture_check_served (&f, bad_versions[_i].name);

  g_object_unref (socket);
  test_fixture_stop (&f);
}
END_TEST

/* Security types that were not offered. */

static const struct {
  const char *password;
  guint8 chosen;
} bad_choices[] = {
  { NULL, 0 },
  { NULL, 2 },
  { NULL, 18 },   /* TLS */
  { NULL, 255 },
  { PASSWORD, 1 },
  { PASSWORD, 0 },
};

START_TEST (test_hostile_handshake_unoffered_security_type_is_closed)
{
  TestFixture f;
  GSocket *socket;
  g_autofree char *what = g_strdup_printf ("security type %u chosen", bad_choices[_i].chosen);
  guint8 list[2];

  test_fixture_start (&f, WIDTH, HEIGHT, "password", bad_choices[_i].password, NULL);
  socket = raw_start (&f, "RFB 003.008\n", 12);
  ck_assert (test_raw_recv (socket, list, 2, TEST_TIMEOUT_US));
  ck_assert (test_raw_send (socket, &bad_choices[_i].chosen, 1));
  /* It may not go on: a ClientInit now must not be answered. */
  test_raw_send (socket, "\1", 1);
  {
    g_autoptr (GByteArray) rest = g_byte_array_new ();
    ck_assert_msg (test_raw_read_until_closed (socket, rest, TEST_TIMEOUT_US), "%s: not closed", what);
    ck_assert_msg (rest->len >= 4 && test_get_u32 (rest->data) == 1, "%s: no failed SecurityResult", what);
  }
  test_fixture_wait_clients (&f, 1, what);
  test_fixture_check_served (&f, what);

  g_object_unref (socket);
  test_fixture_stop (&f);
}
END_TEST

/* Silence and trickles: the deadline covers the whole handshake. */

typedef enum {
  STOP_AT_VERSION,
  STOP_AT_SECURITY_CHOICE,
  STOP_AT_AUTH_RESPONSE,
  STOP_AT_CLIENT_INIT,
} StopPoint;

static const char *stop_names[] = {
  "silent from the start",
  "silent at the security choice",
  "silent at the password",
  "silent before ClientInit",
};

START_TEST (test_hostile_handshake_silent_viewer_is_dropped)
{
  StopPoint stop = (StopPoint) _i;
  const char *password = stop == STOP_AT_AUTH_RESPONSE ? PASSWORD : NULL;
  TestFixture f;
  GSocket *socket;
  gint64 connected, took;
  char version[12];

  test_fixture_start (&f, WIDTH, HEIGHT, "handshake-timeout", 2, "password", password, NULL);
  socket = test_raw_connect (f.ts->port);
  connected = g_get_monotonic_time ();
  ck_assert (test_raw_recv (socket, version, 12, TEST_TIMEOUT_US));
  if (stop >= STOP_AT_SECURITY_CHOICE)
    ck_assert (test_raw_send (socket, "RFB 003.008\n", 12));
  if (stop >= STOP_AT_AUTH_RESPONSE)
    {
      guint8 list[2];
      ck_assert (test_raw_recv (socket, list, 2, TEST_TIMEOUT_US));
      ck_assert (test_raw_send (socket, &list[1], 1));
    }
  /* Others are served while it waits. */
  test_fixture_check_served (&f, stop_names[_i]);
  took = wait_closed (socket, connected, stop_names[_i]);
  ck_assert_msg (took >= 1800 * 1000 && took < 6 * G_USEC_PER_SEC, "%s: dropped after %" G_GINT64_FORMAT " ms",
                 stop_names[_i], took / 1000);
  test_fixture_wait_clients (&f, 1, stop_names[_i]);
  test_fixture_check_served (&f, stop_names[_i]);

  g_object_unref (socket);
  test_fixture_stop (&f);
}
END_TEST

/* One byte of a good handshake every 300 ms: always progress, never done
 * in time. */
START_TEST (test_hostile_handshake_slowloris_is_dropped)
{
  static const char handshake[] = "RFB 003.008\n\1\1";
  TestFixture f;
  GSocket *socket;
  gint64 took;
  gsize sent;

  test_fixture_start (&f, WIDTH, HEIGHT, "handshake-timeout", 2, NULL);
  socket = test_raw_connect (f.ts->port);
  took = test_raw_slowloris (socket, handshake, sizeof handshake - 1, &sent);
  ck_assert_msg (sent < sizeof handshake - 1, "the whole handshake went through");
  ck_assert_msg (took >= 1800 * 1000 && took < 6 * G_USEC_PER_SEC, "dropped after %" G_GINT64_FORMAT " ms",
                 took / 1000);
  test_fixture_wait_clients (&f, 1, "slowloris");
  test_fixture_check_served (&f, "slowloris");

  g_object_unref (socket);
  test_fixture_stop (&f);
}
END_TEST

/* Hundreds at once. */

#define N_CROWD 300
#define N_CROWD_READY 100

START_TEST (test_hostile_handshake_300_connections_at_once)
{
  TestFixture f;
  GSocket *crowd[N_CROWD];
  TestViewer *newcomer;
  gsize rss_before, rss_after;

  test_fixture_start (&f, WIDTH, HEIGHT, "handshake-timeout", 3, NULL);
  rss_before = test_rss_kib ();
  for (int i = 0; i < N_CROWD; i++)
    crowd[i] = test_raw_connect (f.ts->port);
  /* A third of them get as far as ServerInit; the rest say nothing. */
  for (int i = 0; i < N_CROWD_READY; i++)
    {
      int width, height;
      ck_assert_msg (test_raw_handshake (crowd[i], &width, &height), "connection %d: no handshake", i);
    }
  test_fixture_wait_clients (&f, N_CROWD + 1, "crowd connected");
  test_fixture_check_served (&f, "crowd connected");
  rss_after = test_rss_kib ();
  ck_assert_msg (rss_after < rss_before + 32 * 1024, "memory grew from %zu KiB to %zu KiB", rss_before,
                 rss_after);

  /* The silent ones are dropped at the deadline; the ready ones stay. */
  test_fixture_wait_clients (&f, N_CROWD_READY + 1, "silent crowd dropped");
  newcomer = test_viewer_connect (f.ts->port, NULL, NULL, NULL);
  ck_assert_msg (newcomer != NULL, "no viewer beside the crowd");
  ck_assert (test_viewer_wait_match (newcomer, f.ts, TEST_TIMEOUT_US));
  for (int i = 0; i < N_CROWD; i++)
    g_object_unref (crowd[i]);
  test_fixture_wait_clients (&f, 2, "crowd gone");
  test_fixture_check_served (&f, "crowd gone");
  ck_assert (test_viewer_wait_match (newcomer, f.ts, TEST_TIMEOUT_US));

  test_viewer_free (newcomer);
  test_fixture_stop (&f);
}
END_TEST

/* Password guessing. */

/* Version 3.8, VNC Authentication chosen: the challenge comes next. */
static GSocket *
auth_start (TestFixture *f)
{
  GSocket *socket = raw_start (f, "RFB 003.008\n", 12);
  guint8 list[2], vnc_auth = 2;

  ck_assert (test_raw_recv (socket, list, 2, TEST_TIMEOUT_US));
  ck_assert_uint_eq (list[1], 2);
  ck_assert (test_raw_send (socket, &vnc_auth, 1));
  return socket;
}

/* @n wrong passwords at once; each is told so, a second later. Returns
 * when they were sent: when the server counted them. */
static gint64
guess_wrong (TestFixture *f, guint n)
{
  GSocket *guesses[16];
  gint64 sent;

  g_assert (n <= G_N_ELEMENTS (guesses));
  for (guint i = 0; i < n; i++)
    guesses[i] = auth_start (f);
  for (guint i = 0; i < n; i++)
    test_raw_answer_challenge (guesses[i], "guess");
  sent = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      ck_assert_uint_eq (test_raw_recv_u32 (guesses[i], "SecurityResult"), 1);
      g_object_unref (guesses[i]);
    }
  return sent;
}

static void
sleep_until (gint64 when)
{
  gint64 left = when - g_get_monotonic_time ();

  if (left > 0)
    g_usleep ((gulong) left);
}

/* A new connection is refused before any password, with a reason. */
static void
expect_refused (TestFixture *f, const char *what)
{
  GSocket *socket = raw_start (f, "RFB 003.008\n", 12);
  g_autoptr (GByteArray) rest = g_byte_array_new ();
  guint8 n_types;
  guint32 length;

  ck_assert_msg (test_raw_recv (socket, &n_types, 1, TEST_TIMEOUT_US), "%s: nothing", what);
  ck_assert_msg (n_types == 0, "%s: offered %u security types", what, n_types);
  length = test_raw_recv_u32 (socket, "reason length");
  ck_assert (test_raw_read_until_closed (socket, rest, TEST_TIMEOUT_US));
  ck_assert_uint_eq (rest->len, length);
  ck_assert_msg (g_strstr_len ((const char *) rest->data, rest->len, "authentication failures") != NULL,
                 "%s: reason \"%.*s\"", what, (int) rest->len, (const char *) rest->data);
  g_object_unref (socket);
}

/* The right password gets in. */
static void
expect_accepted (TestFixture *f, const char *what)
{
  GSocket *socket = auth_start (f);

  test_raw_answer_challenge (socket, PASSWORD);
  ck_assert_msg (test_raw_recv_u32 (socket, "SecurityResult") == 0, "%s: the right password was refused", what);
  g_object_unref (socket);
}

START_TEST (test_hostile_handshake_wrong_passwords_block_the_address)
{
  TestFixture f;
  gint64 blocked_at;

  /* Wrong passwords are answered a second late: the blocks are longer. */
  test_fixture_start (&f, WIDTH, HEIGHT, "password", PASSWORD, "auth-failure-limit", 3,
                      "auth-block-time", 2, NULL);
  guess_wrong (&f, 2);
  expect_accepted (&f, "two failures");   /* and forgets them */
  blocked_at = guess_wrong (&f, 3);
  expect_refused (&f, "after three failures");
  /* The viewer that was in before goes on. */
  test_fixture_check_served (&f, "address blocked");

  /* The block passes; the next failure blocks for twice as long. */
  sleep_until (blocked_at + 2200 * 1000);
  blocked_at = guess_wrong (&f, 1);
  sleep_until (blocked_at + 3000 * 1000);
  expect_refused (&f, "3 s into a 4 s block");
  sleep_until (blocked_at + 4200 * 1000);
  expect_accepted (&f, "after the 4 s block");
  test_fixture_check_served (&f, "after the blocks");

  test_fixture_stop (&f);
}
END_TEST

START_TEST (test_hostile_handshake_blocked_address_answer_is_not_checked)
{
  TestFixture f;
  GSocket *early;

  test_fixture_start (&f, WIDTH, HEIGHT, "password", PASSWORD, "auth-failure-limit", 3,
                      "auth-block-time", 5, NULL);
  /* It has its challenge before the block... */
  early = auth_start (&f);
  guess_wrong (&f, 3);
  /* ...and answers it right during the block: refused all the same. */
  test_raw_answer_challenge (early, PASSWORD);
  ck_assert_uint_eq (test_raw_recv_u32 (early, "SecurityResult"), 1);
  test_fixture_check_served (&f, "guessing in parallel");

  g_object_unref (early);
  test_fixture_stop (&f);
}
END_TEST

START_TEST (test_hostile_handshake_no_failure_limit)
{
  TestFixture f;

  test_fixture_start (&f, WIDTH, HEIGHT, "password", PASSWORD, "auth-failure-limit", 0, NULL);
  guess_wrong (&f, 12);
  expect_accepted (&f, "twelve failures with no limit");

  test_fixture_stop (&f);
}
END_TEST

static Suite *
hostile_handshake_suite (void)
{
  Suite *suite = suite_create ("hostile-handshake");
  TCase *protocol = tcase_create ("protocol");
  TCase *deadline = tcase_create ("deadline");
  TCase *guessing = tcase_create ("password-guessing");

  tcase_set_timeout (protocol, 30);
  tcase_add_loop_test (protocol, test_hostile_handshake_bad_version_is_closed, 0, G_N_ELEMENTS (bad_versions));
  tcase_add_loop_test (protocol, test_hostile_handshake_unoffered_security_type_is_closed, 0,
                       G_N_ELEMENTS (bad_choices));
  suite_add_tcase (suite, protocol);

  tcase_set_timeout (deadline, 60);
  tcase_add_loop_test (deadline, test_hostile_handshake_silent_viewer_is_dropped, 0, G_N_ELEMENTS (stop_names));
  tcase_add_test (deadline, test_hostile_handshake_slowloris_is_dropped);
  tcase_add_test (deadline, test_hostile_handshake_300_connections_at_once);
  suite_add_tcase (suite, deadline);

  tcase_set_timeout (guessing, 30);
  tcase_add_test (guessing, test_hostile_handshake_wrong_passwords_block_the_address);
  tcase_add_test (guessing, test_hostile_handshake_blocked_address_answer_is_not_checked);
  tcase_add_test (guessing, test_hostile_handshake_no_failure_limit);
  suite_add_tcase (suite, guessing);

  return suite;
}

int
main (void)
{
  return testutil_run (hostile_handshake_suite ());
}
