/* test-auth-wire.c — the RFB handshake and passwords, byte by byte.
 *
 * Raw sockets speak each protocol version (3.3, 3.7, 3.8 and the odd ones
 * viewers send) and check what the server answers at every step: who
 * picks the security type, whether a SecurityResult and a reason come,
 * how long a wrong password waits, which security choices are refused.
 * VNC Authentication responses are computed with libvncclient's DES;
 * libvncclient itself connects with right, wrong and read-only passwords.
 */
#include "testutil.h"

#include <string.h>

#define WIDTH 200
#define HEIGHT 150
#define SILENCE_US (200 * 1000)
#define FAILURE_REASON "Authentication by VNC Authentication failed"

static TestServer *
start_server (const char *password, const char *password_readonly)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, WIDTH, HEIGHT, 1);
  TestServer *ts = test_server_new (surface);

  cairo_surface_destroy (surface);
  g_object_set (ts->server, "password", password, "password-readonly", password_readonly, NULL);
  test_server_start (ts);
  return ts;
}

/* Connects, checks the server's version string and answers @version. */
static GSocket *
raw_start (TestServer *ts, const char *version)
{
  GSocket *socket = test_raw_connect (ts->port);
  char server_version[12];

  ck_assert_msg (test_raw_recv (socket, server_version, 12, TEST_TIMEOUT_US), "no version string");
  ck_assert_msg (memcmp (server_version, "RFB 003.008\n", 12) == 0, "server version %.11s",
                 server_version);
  ck_assert (test_raw_send (socket, version, strlen (version)));
  return socket;
}

/* TRUE when nothing arrives (and the connection is not closed) for @us. */
static gboolean
silent_for (GSocket *socket, gint64 us)
{
  return !g_socket_condition_timed_wait (socket, G_IO_IN, us, NULL, NULL);
}

static void
expect_closed_with_nothing_more (GSocket *socket, const char *what)
{
  g_autoptr (GByteArray) rest = g_byte_array_new ();

  ck_assert_msg (test_raw_read_until_closed (socket, rest, TEST_TIMEOUT_US), "%s: not closed", what);
  ck_assert_msg (rest->len == 0, "%s: %u more bytes before the close", what, rest->len);
}

/* Sends ClientInit and checks ServerInit. */
static void
expect_server_init (GSocket *socket)
{
  guint8 shared = 1;
  guint8 init[24];
  guint32 name_length;
  char name[64];

  ck_assert (test_raw_send (socket, &shared, 1));
  ck_assert_msg (test_raw_recv (socket, init, sizeof init, TEST_TIMEOUT_US), "no ServerInit");
  ck_assert_int_eq ((init[0] << 8) | init[1], WIDTH);
  ck_assert_int_eq ((init[2] << 8) | init[3], HEIGHT);
  ck_assert_int_eq (init[4], 32);  /* bits per pixel */
  ck_assert_int_eq (init[7], 1);   /* true colour */
  name_length = test_get_u32 (init + 20);
  ck_assert_uint_eq (name_length, 5);
  ck_assert (test_raw_recv (socket, name, name_length, TEST_TIMEOUT_US));
  ck_assert (memcmp (name, "Cairo", 5) == 0);
}

/* Reads a 3.7/3.8 list of security types and checks it is exactly @type. */
static void
expect_type_list (GSocket *socket, guint8 type)
{
  guint8 count, offered;

  ck_assert_msg (test_raw_recv (socket, &count, 1, TEST_TIMEOUT_US), "no security type list");
  ck_assert_uint_eq (count, 1);
  ck_assert (test_raw_recv (socket, &offered, 1, TEST_TIMEOUT_US));
  ck_assert_uint_eq (offered, type);
}

/* Takes the one security type offered, which must be @type: None (1) or
 * VNC Authentication (2). */
static void
choose_security (GSocket *socket, guint8 type)
{
  expect_type_list (socket, type);
  ck_assert (test_raw_send (socket, &type, 1));
}

/* Versions. */

START_TEST (test_auth_wire_version_3_3_server_picks_none)
{
  TestServer *ts = start_server (NULL, NULL);
  GSocket *socket = raw_start (ts, "RFB 003.003\n");

  ck_assert_uint_eq (test_raw_recv_u32 (socket, "security type"), 1);
  /* No list to choose from, no SecurityResult: the server waits for
   * ClientInit. */
  ck_assert_msg (silent_for (socket, SILENCE_US), "more bytes after the 3.3 security type");
  expect_server_init (socket);

  g_object_unref (socket);
  test_server_free (ts);
}
END_TEST

START_TEST (test_auth_wire_version_3_3_server_picks_vnc_auth)
{
  TestServer *ts = start_server ("secret", NULL);
  GSocket *socket = raw_start (ts, "RFB 003.003\n");

  ck_assert_uint_eq (test_raw_recv_u32 (socket, "security type"), 2);
  test_raw_answer_challenge (socket, "secret");
  ck_assert_uint_eq (test_raw_recv_u32 (socket, "SecurityResult"), 0);
  expect_server_init (socket);

  g_object_unref (socket);
  test_server_free (ts);
}
END_TEST

START_TEST (test_auth_wire_version_3_7_has_no_result_for_none)
{
  TestServer *ts = start_server (NULL, NULL);
  GSocket *socket = raw_start (ts, "RFB 003.007\n");

  choose_security (socket, 1);
  ck_assert_msg (silent_for (socket, SILENCE_US), "a SecurityResult for None on 3.7");
  expect_server_init (socket);

  g_object_unref (socket);
  test_server_free (ts);
}
END_TEST

START_TEST (test_auth_wire_version_3_8_has_result_for_none)
{
  TestServer *ts = start_server (NULL, NULL);
  GSocket *socket = raw_start (ts, "RFB 003.008\n");

  choose_security (socket, 1);
  ck_assert_uint_eq (test_raw_recv_u32 (socket, "SecurityResult"), 0);
  expect_server_init (socket);

  g_object_unref (socket);
  test_server_free (ts);
}
END_TEST

static const struct {
  const char *version;
  int behaves_as;  /* 3 or 8 */
} odd_versions[] = {
  { "RFB 003.005\n", 3 },
  { "RFB 003.006\n", 3 },
  { "RFB 003.889\n", 8 },  /* Apple Screen Sharing */
  { "RFB 004.001\n", 8 },
  { "RFB 003.010\n", 8 },
};

START_TEST (test_auth_wire_odd_versions_map_to_known_ones)
{
  TestServer *ts = start_server (NULL, NULL);
  GSocket *socket = raw_start (ts, odd_versions[_i].version);

  if (odd_versions[_i].behaves_as == 3)
    {
      ck_assert_msg (test_raw_recv_u32 (socket, "security type") == 1, "%s: not answered as 3.3",
                     odd_versions[_i].version);
      ck_assert (silent_for (socket, SILENCE_US));
    }
  else
    {
      choose_security (socket, 1);
      ck_assert_msg (test_raw_recv_u32 (socket, "SecurityResult") == 0, "%s: not answered as 3.8",
                     odd_versions[_i].version);
    }
  expect_server_init (socket);

  g_object_unref (socket);
  test_server_free (ts);
}
END_TEST

static const char *bad_versions[] = {
  "HELLO WORLD!",
  "RFB 002.000\n",
  "RFB 003.008\r",
  "RFB 3.8\n\n\n\n\n",
};

START_TEST (test_auth_wire_bad_versions_are_closed)
{
  TestServer *ts = start_server (NULL, NULL);
  GSocket *socket = raw_start (ts, bad_versions[_i]);
  TestViewer *viewer;

  expect_closed_with_nothing_more (socket, bad_versions[_i]);
  /* The server goes on. */
  viewer = test_viewer_connect (ts->port, NULL, NULL, NULL);
  ck_assert_msg (viewer != NULL, "no viewer after a bad version");
  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));

  test_viewer_free (viewer);
  g_object_unref (socket);
  test_server_free (ts);
}
END_TEST

/* VNC Authentication through libvncclient. */

START_TEST (test_auth_wire_viewer_right_password)
{
  TestServer *ts = start_server ("secret", NULL);
  TestViewer *viewer = test_viewer_connect (ts->port, NULL, NULL, "secret");

  ck_assert_msg (viewer != NULL, "refused with the right password");
  ck_assert_msg (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US), "no pixels after authenticating");

  test_viewer_free (viewer);
  test_server_free (ts);
}
END_TEST

START_TEST (test_auth_wire_viewer_wrong_password)
{
  TestServer *ts = start_server ("secret", NULL);
  TestViewer *viewer = test_viewer_connect (ts->port, NULL, NULL, "guess");

  ck_assert_msg (viewer == NULL, "accepted with a wrong password");
  viewer = test_viewer_connect (ts->port, NULL, NULL, NULL);
  ck_assert_msg (viewer == NULL, "accepted with no password");

  test_server_free (ts);
}
END_TEST

START_TEST (test_auth_wire_viewer_read_only_password)
{
  TestServer *ts = start_server (NULL, "watching");
  TestViewer *viewer = test_viewer_connect (ts->port, NULL, NULL, "watching");

  ck_assert_msg (viewer != NULL, "refused with the read-only password");
  ck_assert_msg (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US), "no pixels");
  test_server_redraw (ts, 2);
  ck_assert_msg (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US), "no update");

  test_viewer_free (viewer);
  test_server_free (ts);
}
END_TEST

START_TEST (test_auth_wire_both_passwords_full_one_drives)
{
  TestServer *ts = start_server ("driving", "watching");
  TestViewer *watcher = test_viewer_connect (ts->port, NULL, NULL, "watching");
  TestViewer *driver = test_viewer_connect (ts->port, NULL, NULL, "driving");
  g_autoptr (CairoVncEvent) event = NULL;
  g_autoptr (CairoVncEvent) extra = NULL;

  ck_assert (watcher != NULL && driver != NULL);
  ck_assert (test_viewer_wait_match (watcher, ts, TEST_TIMEOUT_US));
  ck_assert (test_viewer_wait_match (driver, ts, TEST_TIMEOUT_US));
  ck_assert (SendKeyEvent (watcher->client, 0x71, TRUE));
  ck_assert (SendKeyEvent (driver->client, 0x64, TRUE));
  event = test_server_pop_event (ts, TEST_TIMEOUT_US);
  ck_assert_msg (event != NULL, "no event from the full-password viewer");
  ck_assert_int_eq (event->type, CAIROVNC_EVENT_KEY);
  ck_assert_uint_eq (event->keysym, 0x64);
  ck_assert_uint_eq (event->client_id, 2);
  extra = test_server_pop_event (ts, 300 * 1000);
  ck_assert_msg (extra == NULL, "an event from the read-only viewer");

  test_viewer_free (watcher);
  test_viewer_free (driver);
  test_server_free (ts);
}
END_TEST

START_TEST (test_auth_wire_shared_prefix_is_read_only)
{
  /* Both passwords share their first eight characters, so both match;
   * as in the Python CairoVNC the read-only one wins. */
  TestServer *ts = start_server ("samepass-full", "samepass-view");
  TestViewer *viewer = test_viewer_connect (ts->port, NULL, NULL, "samepass-full");
  g_autoptr (CairoVncEvent) event = NULL;

  ck_assert (viewer != NULL);
  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));
  ck_assert (SendKeyEvent (viewer->client, 0x61, TRUE));
  event = test_server_pop_event (ts, 300 * 1000);
  ck_assert_msg (event == NULL, "a viewer matching both passwords was not read-only");

  test_viewer_free (viewer);
  test_server_free (ts);
}
END_TEST

/* VNC Authentication over raw sockets. */

START_TEST (test_auth_wire_raw_right_response_3_8)
{
  TestServer *ts = start_server ("secret", NULL);
  GSocket *socket = raw_start (ts, "RFB 003.008\n");

  choose_security (socket, 2);
  test_raw_answer_challenge (socket, "secret");
  ck_assert_uint_eq (test_raw_recv_u32 (socket, "SecurityResult"), 0);
  expect_server_init (socket);

  g_object_unref (socket);
  test_server_free (ts);
}
END_TEST

START_TEST (test_auth_wire_raw_wrong_response_3_8_waits_and_says_why)
{
  TestServer *ts = start_server ("secret", NULL);
  GSocket *socket = raw_start (ts, "RFB 003.008\n");
  TestViewer *viewer;
  guint8 reason[sizeof FAILURE_REASON];
  guint32 reason_length;
  gint64 sent, answered;

  choose_security (socket, 2);
  test_raw_answer_challenge (socket, "Secret");
  sent = g_get_monotonic_time ();
  ck_assert_uint_eq (test_raw_recv_u32 (socket, "SecurityResult"), 1);
  answered = g_get_monotonic_time ();
  ck_assert_msg (answered - sent >= 900 * 1000, "the failure came after %" G_GINT64_FORMAT " µs",
                 answered - sent);

  reason_length = test_raw_recv_u32 (socket, "reason length");
  ck_assert_uint_eq (reason_length, strlen (FAILURE_REASON));
  ck_assert (test_raw_recv (socket, reason, reason_length, TEST_TIMEOUT_US));
  ck_assert (memcmp (reason, FAILURE_REASON, reason_length) == 0);
  expect_closed_with_nothing_more (socket, "after the failure reason");

  /* The delay held only that viewer. */
  viewer = test_viewer_connect (ts->port, NULL, NULL, "secret");
  ck_assert (viewer != NULL);
  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));

  test_viewer_free (viewer);
  g_object_unref (socket);
  test_server_free (ts);
}
END_TEST

START_TEST (test_auth_wire_raw_wrong_response_3_7_has_no_reason)
{
  TestServer *ts = start_server ("secret", NULL);
  GSocket *socket = raw_start (ts, "RFB 003.007\n");

  choose_security (socket, 2);
  test_raw_answer_challenge (socket, "wrong");
  ck_assert_uint_eq (test_raw_recv_u32 (socket, "SecurityResult"), 1);
  expect_closed_with_nothing_more (socket, "3.7 failure");

  g_object_unref (socket);
  test_server_free (ts);
}
END_TEST

START_TEST (test_auth_wire_raw_wrong_response_3_3_has_no_reason)
{
  TestServer *ts = start_server ("secret", NULL);
  GSocket *socket = raw_start (ts, "RFB 003.003\n");

  ck_assert_uint_eq (test_raw_recv_u32 (socket, "security type"), 2);
  test_raw_answer_challenge (socket, "wrong");
  ck_assert_uint_eq (test_raw_recv_u32 (socket, "SecurityResult"), 1);
  expect_closed_with_nothing_more (socket, "3.3 failure");

  g_object_unref (socket);
  test_server_free (ts);
}
END_TEST

static const struct {
  const char *typed;
  gboolean accepted;
} long_password_tries[] = {
  { "longpass", TRUE },               /* the first eight */
  { "longpassword123", TRUE },        /* all of it */
  { "longpassWORD", TRUE },           /* a different tail */
  { "longpasX", FALSE },              /* the eighth differs */
};

START_TEST (test_auth_wire_raw_only_first_eight_characters_count)
{
  TestServer *ts = start_server ("longpassword123", NULL);
  GSocket *socket = raw_start (ts, "RFB 003.008\n");
  guint32 result;

  choose_security (socket, 2);
  test_raw_answer_challenge (socket, long_password_tries[_i].typed);
  result = test_raw_recv_u32 (socket, "SecurityResult");
  if (long_password_tries[_i].accepted)
    {
      ck_assert_msg (result == 0, "\"%s\" refused", long_password_tries[_i].typed);
      expect_server_init (socket);
    }
  else
    {
      ck_assert_msg (result == 1, "\"%s\" accepted", long_password_tries[_i].typed);
    }

  g_object_unref (socket);
  test_server_free (ts);
}
END_TEST

/* Security types not offered. */

static const struct {
  const char *password;
  guint8 offered;
  guint8 chosen;
} bad_choices[] = {
  { NULL, 1, 2 },
  { NULL, 1, 5 },
  { NULL, 1, 0 },
  { "secret", 2, 1 },
  { "secret", 2, 19 },
};

START_TEST (test_auth_wire_choice_not_offered_3_8_fails_with_reason)
{
  TestServer *ts = start_server (bad_choices[_i].password, NULL);
  GSocket *socket = raw_start (ts, "RFB 003.008\n");
  g_autoptr (GByteArray) rest = g_byte_array_new ();
  guint32 reason_length;

  expect_type_list (socket, bad_choices[_i].offered);
  ck_assert (test_raw_send (socket, &bad_choices[_i].chosen, 1));
  ck_assert_uint_eq (test_raw_recv_u32 (socket, "SecurityResult"), 1);
  reason_length = test_raw_recv_u32 (socket, "reason length");
  ck_assert_msg (reason_length > 0 && reason_length < 1024, "reason of %u bytes", reason_length);
  ck_assert_msg (test_raw_read_until_closed (socket, rest, TEST_TIMEOUT_US), "not closed after the reason");
  ck_assert_uint_eq (rest->len, reason_length);

  g_object_unref (socket);
  test_server_free (ts);
}
END_TEST

START_TEST (test_auth_wire_choice_not_offered_3_7_is_closed)
{
  TestServer *ts = start_server (NULL, NULL);
  GSocket *socket = raw_start (ts, "RFB 003.007\n");
  g_autoptr (GByteArray) rest = g_byte_array_new ();
  guint8 chosen = 2;

  expect_type_list (socket, 1);
  ck_assert (test_raw_send (socket, &chosen, 1));
  ck_assert_msg (test_raw_read_until_closed (socket, rest, TEST_TIMEOUT_US), "not closed");
  /* Nothing, or a bare failed SecurityResult: never a ServerInit. */
  ck_assert_msg (rest->len == 0 || (rest->len == 4 && test_get_u32 (rest->data) == 1),
                 "%u bytes before the close", rest->len);

  g_object_unref (socket);
  test_server_free (ts);
}
END_TEST

/* Handshake deadline. */

START_TEST (test_auth_wire_silent_viewer_is_not_closed_early)
{
  TestServer *ts = start_server (NULL, NULL);
  GSocket *silent = test_raw_connect (ts->port);
  gint64 connected = g_get_monotonic_time ();
  char version[12];
  TestViewer *viewer;
  gint64 left;

  ck_assert (test_raw_recv (silent, version, 12, TEST_TIMEOUT_US));
  /* Others are served meanwhile. */
  viewer = test_viewer_connect (ts->port, NULL, NULL, NULL);
  ck_assert (viewer != NULL);
  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));
  test_server_redraw (ts, 2);
  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));

  left = connected + 1200 * 1000 - g_get_monotonic_time ();
  ck_assert_msg (silent_for (silent, MAX (left, 1)), "the silent viewer heard something");
  ck_assert_msg (g_get_monotonic_time () - connected >= 1200 * 1000, "waited too little");

  /* It is still there, and may go on. */
  ck_assert (test_raw_send (silent, "RFB 003.008\n", 12));
  choose_security (silent, 1);
  ck_assert_uint_eq (test_raw_recv_u32 (silent, "SecurityResult"), 0);
  expect_server_init (silent);

  test_viewer_free (viewer);
  g_object_unref (silent);
  test_server_free (ts);
}
END_TEST

START_TEST (test_auth_wire_slow_version_string_is_accepted)
{
  TestServer *ts = start_server (NULL, NULL);
  GSocket *socket = test_raw_connect (ts->port);
  const char *version = "RFB 003.008\n";
  char server_version[12];

  ck_assert (test_raw_recv (socket, server_version, 12, TEST_TIMEOUT_US));
  for (int i = 0; i < 12; i++)
    {
      ck_assert (test_raw_send (socket, version + i, 1));
      g_usleep (20 * 1000);
    }
  choose_security (socket, 1);
  ck_assert_uint_eq (test_raw_recv_u32 (socket, "SecurityResult"), 0);
  expect_server_init (socket);

  g_object_unref (socket);
  test_server_free (ts);
}
END_TEST

static Suite *
auth_wire_suite (void)
{
  Suite *suite = suite_create ("auth-wire");
  TCase *versions = tcase_create ("versions");
  TCase *viewer_auth = tcase_create ("viewer-auth");
  TCase *raw_auth = tcase_create ("raw-auth");
  TCase *choices = tcase_create ("security-choice");
  TCase *deadline = tcase_create ("deadline");

  tcase_set_timeout (versions, 30);
  tcase_add_test (versions, test_auth_wire_version_3_3_server_picks_none);
  tcase_add_test (versions, test_auth_wire_version_3_3_server_picks_vnc_auth);
  tcase_add_test (versions, test_auth_wire_version_3_7_has_no_result_for_none);
  tcase_add_test (versions, test_auth_wire_version_3_8_has_result_for_none);
  tcase_add_loop_test (versions, test_auth_wire_odd_versions_map_to_known_ones, 0,
                       G_N_ELEMENTS (odd_versions));
  tcase_add_loop_test (versions, test_auth_wire_bad_versions_are_closed, 0, G_N_ELEMENTS (bad_versions));
  suite_add_tcase (suite, versions);

  tcase_set_timeout (viewer_auth, 30);
  tcase_add_test (viewer_auth, test_auth_wire_viewer_right_password);
  tcase_add_test (viewer_auth, test_auth_wire_viewer_wrong_password);
  tcase_add_test (viewer_auth, test_auth_wire_viewer_read_only_password);
  tcase_add_test (viewer_auth, test_auth_wire_both_passwords_full_one_drives);
  tcase_add_test (viewer_auth, test_auth_wire_shared_prefix_is_read_only);
  suite_add_tcase (suite, viewer_auth);

  tcase_set_timeout (raw_auth, 30);
  tcase_add_test (raw_auth, test_auth_wire_raw_right_response_3_8);
  tcase_add_test (raw_auth, test_auth_wire_raw_wrong_response_3_8_waits_and_says_why);
  tcase_add_test (raw_auth, test_auth_wire_raw_wrong_response_3_7_has_no_reason);
  tcase_add_test (raw_auth, test_auth_wire_raw_wrong_response_3_3_has_no_reason);
  tcase_add_loop_test (raw_auth, test_auth_wire_raw_only_first_eight_characters_count, 0,
                       G_N_ELEMENTS (long_password_tries));
  suite_add_tcase (suite, raw_auth);

  tcase_set_timeout (choices, 30);
  tcase_add_loop_test (choices, test_auth_wire_choice_not_offered_3_8_fails_with_reason, 0,
                       G_N_ELEMENTS (bad_choices));
  tcase_add_test (choices, test_auth_wire_choice_not_offered_3_7_is_closed);
  suite_add_tcase (suite, choices);

  tcase_set_timeout (deadline, 30);
  tcase_add_test (deadline, test_auth_wire_silent_viewer_is_not_closed_early);
  tcase_add_test (deadline, test_auth_wire_slow_version_string_is_accepted);
  suite_add_tcase (suite, deadline);

  return suite;
}

int
main (void)
{
  return testutil_run (auth_wire_suite ());
}
