/* test-ard-wire.c — Apple Remote Desktop authentication (type 30), end to
 * end.
 *
 * libvncclient (its ARD code, from gcrypt) logs in with a user name and
 * password and must decode the surface pixel for pixel; wrong ones are
 * refused. A raw viewer built on the spec's own steps (ardclient.c)
 * checks the parameters the server sends, that a public value chosen to
 * force the secret is refused, and that after logging in the way Apple
 * Screen Sharing does (pseudo-encoding 1011) it gets frames without
 * asking.
 */
#include "testutil.h"
#include "ardclient.h"

#include <string.h>

#define WIDTH 160
#define HEIGHT 120
#define APPLE_ENCODING 1011
#define FAILURE_REASON "Authentication by Apple Remote Desktop failed"

static const guint32 ard_only[] = { rfbARD };

static TestServer *
start_server (const char *username, const char *password, const char *password_readonly)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, WIDTH, HEIGHT, 11);
  TestServer *ts = test_server_new (surface);

  cairo_surface_destroy (surface);
  g_object_set (ts->server, "username", username, "password", password, "password-readonly", password_readonly,
                NULL);
  test_server_start (ts);
  return ts;
}

static TestViewer *
connect_ard (TestServer *ts, const char *username, const char *password)
{
  TestViewerSecurity security = { .username = username, .password = password, .auth_schemes = ard_only,
                                  .n_auth_schemes = G_N_ELEMENTS (ard_only) };

  return test_viewer_connect_secure (ts->port, &security);
}

START_TEST (test_ard_wire_viewer_logs_in)
{
  TestServer *ts = start_server ("alice", "correct horse battery staple", NULL);
  /* Nothing restricted: libvncclient picks type 30 because it is all
   * that is offered. */
  TestViewerSecurity security = { .username = "alice", .password = "correct horse battery staple" };
  TestViewer *viewer = test_viewer_connect_secure (ts->port, &security);

  ck_assert_msg (viewer != NULL, "refused with the right user and password");
  ck_assert_uint_eq (viewer->client->authScheme, rfbARD);
  test_viewer_assert_match (viewer, ts, "after Apple Remote Desktop");
  test_server_redraw (ts, 12);
  test_viewer_assert_match (viewer, ts, "an update after Apple Remote Desktop");

  test_viewer_free (viewer);
  test_server_free (ts);
}
END_TEST

START_TEST (test_ard_wire_wrong_credentials_are_refused)
{
  TestServer *ts = start_server ("alice", "secret", NULL);
  TestViewer *viewer;

  ck_assert_msg (connect_ard (ts, "alice", "guess") == NULL, "a wrong password got in");
  ck_assert_msg (connect_ard (ts, "mallory", "secret") == NULL, "a wrong user got in");
  ck_assert_msg (connect_ard (ts, "alice", "secret!") == NULL, "a longer password got in");
  ck_assert_msg (connect_ard (ts, "alice", "secre") == NULL, "a shorter password got in");
  viewer = connect_ard (ts, "alice", "secret");
  ck_assert_msg (viewer != NULL, "the right one was refused after wrong ones");

  test_viewer_free (viewer);
  test_server_free (ts);
}
END_TEST

START_TEST (test_ard_wire_read_only_password_gives_no_input)
{
  TestServer *ts = start_server ("alice", "driving", "watching");
  TestViewer *watcher = connect_ard (ts, "alice", "watching");
  TestViewer *driver = connect_ard (ts, "alice", "driving");
  g_autoptr (CairoVncEvent) event = NULL;
  g_autoptr (CairoVncEvent) extra = NULL;

  ck_assert (watcher != NULL && driver != NULL);
  ck_assert (test_viewer_wait_match (watcher, ts, TEST_TIMEOUT_US));
  ck_assert (test_viewer_wait_match (driver, ts, TEST_TIMEOUT_US));
  ck_assert (SendKeyEvent (watcher->client, 0x71, TRUE));
  ck_assert (SendKeyEvent (driver->client, 0x64, TRUE));
  event = test_server_pop_event (ts, TEST_TIMEOUT_US);
  ck_assert_msg (event != NULL, "no event from the full-password viewer");
  ck_assert_uint_eq (event->keysym, 0x64);
  extra = test_server_pop_event (ts, 300 * 1000);
  ck_assert_msg (extra == NULL, "an event from the read-only viewer");

  test_viewer_free (watcher);
  test_viewer_free (driver);
  test_server_free (ts);
}
END_TEST

/* Raw viewers. */

static GSocket *
raw_start (TestServer *ts, const char *version)
{
  GSocket *socket = test_raw_connect (ts->port);
  char server_version[12];

  ck_assert (test_raw_recv (socket, server_version, 12, TEST_TIMEOUT_US));
  ck_assert (test_raw_send (socket, version, strlen (version)));
  return socket;
}

/* Takes type 30 from the list and reads the parameters. */
static GByteArray *
choose_ard (GSocket *socket)
{
  static const guint8 ard = 30;
  guint8 count, types[255], head[4];
  GByteArray *params = g_byte_array_new ();
  guint key_size;

  ck_assert (test_raw_recv (socket, &count, 1, TEST_TIMEOUT_US));
  ck_assert (test_raw_recv (socket, types, count, TEST_TIMEOUT_US));
  ck_assert_msg (count == 1 && types[0] == 30, "offered %u types, the first %u", count, types[0]);
  ck_assert (test_raw_send (socket, &ard, 1));
  ck_assert_msg (test_raw_recv (socket, head, 4, TEST_TIMEOUT_US), "no parameters");
  key_size = test_get_u16 (head + 2);
  ck_assert_uint_le (key_size, 1024);
  g_byte_array_append (params, head, 4);
  g_byte_array_set_size (params, 4 + 2 * key_size);
  ck_assert (test_raw_recv (socket, params->data + 4, 2 * key_size, TEST_TIMEOUT_US));
  return params;
}

/* RFC 7919's ffdhe2048 prime begins and ends so. */
static const guint8 ffdhe2048_head[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xad, 0xf8, 0x54, 0x58 };
static const guint8 ffdhe2048_tail[] = { 0x88, 0x6b, 0x42, 0x38, 0x61, 0x28, 0x5c, 0x97, 0xff, 0xff, 0xff, 0xff,
                                         0xff, 0xff, 0xff, 0xff };

START_TEST (test_ard_wire_parameters_and_apple_push)
{
  TestServer *ts = start_server ("alice", "secret", NULL);
  GSocket *socket = raw_start (ts, "RFB 003.889\n");
  g_autoptr (GByteArray) params = choose_ard (socket);
  g_autoptr (GByteArray) answer = g_byte_array_new ();
  g_autoptr (GArray) rects = test_raw_rects_new ();
  g_autofree guint32 *fb = g_new0 (guint32, WIDTH * HEIGHT);
  static const gint32 encodings[] = { 0, APPLE_ENCODING };
  guint8 result[4], shared = 1, init[24], name[5];
  guint n_rects, updates = 0;
  gsize key_size = test_get_u16 (params->data + 2);

  /* Generator 2, 256-byte values, the well-known group. */
  ck_assert_uint_eq (test_get_u16 (params->data), 2);
  ck_assert_uint_eq (key_size, 256);
  ck_assert (memcmp (params->data + 4, ffdhe2048_head, sizeof ffdhe2048_head) == 0);
  ck_assert (memcmp (params->data + 4 + key_size - sizeof ffdhe2048_tail, ffdhe2048_tail,
                     sizeof ffdhe2048_tail) == 0);

  ck_assert (test_ard_answer (params->data, params->len, "alice", "secret", NULL, answer, NULL));
  ck_assert_uint_eq (answer->len, 128 + key_size);
  ck_assert (test_raw_send (socket, answer->data, answer->len));
  ck_assert_msg (test_raw_recv (socket, result, 4, TEST_TIMEOUT_US), "no SecurityResult");
  ck_assert_uint_eq (test_get_u32 (result), 0);
  ck_assert (test_raw_send (socket, &shared, 1));
  ck_assert (test_raw_recv (socket, init, sizeof init, TEST_TIMEOUT_US));
  ck_assert (test_raw_recv (socket, name, test_get_u32 (init + 20), TEST_TIMEOUT_US));

  /* As Apple Screen Sharing: one request, then frames unasked. */
  test_raw_set_encodings (socket, encodings, G_N_ELEMENTS (encodings));
  test_raw_request_update (socket, FALSE, 0, 0, WIDTH, HEIGHT);
  for (gint64 deadline = g_get_monotonic_time () + TEST_TIMEOUT_US; updates < 3;)
    {
      ck_assert_msg (g_get_monotonic_time () < deadline, "only %u updates without asking", updates);
      if (!test_raw_read_update_header (socket, &n_rects, 200 * 1000))
        {
          test_server_redraw (ts, 20 + updates);
          continue;
        }
      for (guint i = 0; i < n_rects; i++)
        {
          TestRawRect rect = { 0 };
          ck_assert (test_raw_read_rect (socket, &rect, fb, WIDTH, HEIGHT));
          test_raw_rect_clear (&rect);
        }
      updates++;
      test_server_redraw (ts, 20 + updates);
    }

  g_object_unref (socket);
  test_server_free (ts);
}
END_TEST

/* Public values that would make the secret something anyone knows. */
static const int bad_publics[] = { 0, 1, -1 /* p - 1 */, -2 /* p */, -3 /* all ones */ };

START_TEST (test_ard_wire_forced_secret_is_refused)
{
  TestServer *ts = start_server ("alice", "secret", NULL);
  GSocket *socket = raw_start (ts, "RFB 003.008\n");
  g_autoptr (GByteArray) params = choose_ard (socket);
  g_autoptr (GByteArray) answer = g_byte_array_new ();
  gsize key_size = test_get_u16 (params->data + 2);
  g_autofree guint8 *value = g_malloc0 (key_size);
  guint8 result[4], length[4];
  char reason[64] = "";

  switch (bad_publics[_i])
    {
    case 0:
    case 1:
      value[key_size - 1] = (guint8) bad_publics[_i];
      break;
    case -1:
      memcpy (value, params->data + 4, key_size);
      value[key_size - 1] -= 1;
      break;
    case -2:
      memcpy (value, params->data + 4, key_size);
      break;
    default:
      memset (value, 0xff, key_size);
      break;
    }
  ck_assert (test_ard_answer (params->data, params->len, "alice", "secret", value, answer, NULL));
  ck_assert (test_raw_send (socket, answer->data, answer->len));
  ck_assert_msg (test_raw_recv (socket, result, 4, TEST_TIMEOUT_US), "no SecurityResult");
  ck_assert_uint_eq (test_get_u32 (result), 1);
  ck_assert (test_raw_recv (socket, length, 4, TEST_TIMEOUT_US));
  ck_assert_uint_eq (test_get_u32 (length), strlen (FAILURE_REASON));
  ck_assert (test_raw_recv (socket, reason, strlen (FAILURE_REASON), TEST_TIMEOUT_US));
  ck_assert_str_eq (reason, FAILURE_REASON);
  ck_assert (test_raw_wait_closed (socket, TEST_TIMEOUT_US));

  g_object_unref (socket);
  test_server_free (ts);
}
END_TEST

START_TEST (test_ard_wire_user_name_keeps_out_rfb_3_3)
{
  TestServer *ts = start_server ("alice", "secret", NULL);
  GSocket *socket = raw_start (ts, "RFB 003.003\n");
  guint8 word[4];
  char reason[128] = "";
  guint32 n;

  ck_assert (test_raw_recv (socket, word, 4, TEST_TIMEOUT_US));
  ck_assert_uint_eq (test_get_u32 (word), 0);
  ck_assert (test_raw_recv (socket, word, 4, TEST_TIMEOUT_US));
  n = test_get_u32 (word);
  ck_assert_uint_lt (n, sizeof reason);
  ck_assert (test_raw_recv (socket, reason, n, TEST_TIMEOUT_US));
  ck_assert_msg (strstr (reason, "user name") != NULL, "reason %s", reason);

  g_object_unref (socket);
  test_server_free (ts);
}
END_TEST

START_TEST (test_ard_wire_user_name_offers_no_vnc_authentication)
{
  TestServer *ts = start_server ("alice", "secret", NULL);
  static const guint32 vnc_only[] = { rfbVncAuth };
  TestViewerSecurity security = { .password = "secret", .auth_schemes = vnc_only, .n_auth_schemes = 1 };

  /* VNC Authentication would let in anyone who knows the password. */
  ck_assert_msg (test_viewer_connect_secure (ts->port, &security) == NULL,
                 "VNC Authentication was offered with a user name set");

  test_server_free (ts);
}
END_TEST

static Suite *
ard_wire_suite (void)
{
  Suite *suite = suite_create ("ard-wire");
  TCase *viewer = tcase_create ("viewer");
  TCase *raw = tcase_create ("raw");

  tcase_set_timeout (viewer, 60);
  tcase_add_test (viewer, test_ard_wire_viewer_logs_in);
  tcase_add_test (viewer, test_ard_wire_wrong_credentials_are_refused);
  tcase_add_test (viewer, test_ard_wire_read_only_password_gives_no_input);
  tcase_add_test (viewer, test_ard_wire_user_name_offers_no_vnc_authentication);
  suite_add_tcase (suite, viewer);

  tcase_set_timeout (raw, 30);
  tcase_add_test (raw, test_ard_wire_parameters_and_apple_push);
  tcase_add_loop_test (raw, test_ard_wire_forced_secret_is_refused, 0, G_N_ELEMENTS (bad_publics));
  tcase_add_test (raw, test_ard_wire_user_name_keeps_out_rfb_3_3);
  suite_add_tcase (suite, raw);
  return suite;
}

int
main (void)
{
  return testutil_run (ard_wire_suite ());
}
