/* test-vencrypt-wire.c — VeNCrypt (security type 19) with TLS, end to end.
 *
 * libvncclient, whose TLS is GnuTLS, connects with each sub-type the
 * server offers (X509None/Vnc/Plain against a certificate the test makes
 * with the openssl command, TLSNone/Vnc/Plain with anonymous TLS) and
 * must decode the surface pixel for pixel. A viewer that trusts another
 * CA, wrong passwords and user names, and viewers that try to get around
 * require-encryption (None, VNC Authentication, a sub-type not offered,
 * RFB 3.3) are refused. Certificates that do not load fail the start.
 */
#include "testutil.h"
#include "tlsutil.h"

#include <stdarg.h>
#include <string.h>

#define WIDTH 200
#define HEIGHT 150
/* libvncclient's TLS handshake polls once a second. */
#define TLS_TEST_TIMEOUT_S 60

static TestServer *
server_new (void)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, WIDTH, HEIGHT, 7);
  TestServer *ts = test_server_new (surface);

  cairo_surface_destroy (surface);
  return ts;
}

/* A server with the test certificate, the properties given (name,
 * value, ..., NULL) set, started. */
static TestServer *
cert_server_start (TestCerts *certs, const char *first_property, ...)
{
  TestServer *ts = server_new ();
  va_list args;

  g_object_set (ts->server, "tls-cert-file", certs->server_cert, "tls-key-file", certs->server_key, NULL);
  va_start (args, first_property);
  if (first_property != NULL)
    g_object_set_valist (G_OBJECT (ts->server), first_property, args);
  va_end (args);
  test_server_start (ts);
  return ts;
}

/* Connects libvncclient with these credentials and checks it got in
 * with @subtype and sees the surface. */
static void
expect_pixels_with (TestServer *ts, const TestViewerSecurity *security, guint32 subtype, const char *what)
{
  TestViewer *viewer = test_viewer_connect_secure (ts->port, security);

  ck_assert_msg (viewer != NULL, "%s: refused", what);
  ck_assert_msg (viewer->client->subAuthScheme == subtype, "%s: sub-type %u, not %u", what,
                 viewer->client->subAuthScheme, subtype);
  test_viewer_assert_match (viewer, ts, what);
  test_server_redraw (ts, 8);
  test_viewer_assert_match (viewer, ts, what);
  test_viewer_free (viewer);
}

START_TEST (test_vencrypt_wire_x509_none)
{
  TestCerts *certs = test_certs_new ();
  TestViewerSecurity security = { .ca_file = certs->ca_cert };
  TestServer *ts = cert_server_start (certs, NULL);

  expect_pixels_with (ts, &security, rfbVeNCryptX509None, "X509None");

  test_server_free (ts);
  test_certs_free (certs);
}
END_TEST

START_TEST (test_vencrypt_wire_x509_vnc)
{
  TestCerts *certs = test_certs_new ();
  TestViewerSecurity security = { .ca_file = certs->ca_cert, .password = "secret" };
  TestServer *ts = cert_server_start (certs, "password", "secret", NULL);

  expect_pixels_with (ts, &security, rfbVeNCryptX509VNC, "X509Vnc");

  test_server_free (ts);
  test_certs_free (certs);
}
END_TEST

START_TEST (test_vencrypt_wire_x509_plain)
{
  TestCerts *certs = test_certs_new ();
  TestServer *ts = server_new ();
  TestViewerSecurity security = { .ca_file = certs->ca_cert, .username = "alice",
                                  .password = "a password longer than eight" };

  /* One file with both certificate and key. */
  g_object_set (ts->server, "tls-cert-file", certs->server_combined, "username", "alice", "password",
                "a password longer than eight", NULL);
  test_server_start (ts);
  expect_pixels_with (ts, &security, rfbVeNCryptX509Plain, "X509Plain");

  test_server_free (ts);
  test_certs_free (certs);
}
END_TEST

static const struct {
  const char *username;
  const char *password;
  guint32 subtype;
  const char *name;
} anonymous_cases[] = {
  { NULL, NULL, rfbVeNCryptTLSNone, "TLSNone" },
  { NULL, "secret", rfbVeNCryptTLSVNC, "TLSVnc" },
  { "bob", "secret", rfbVeNCryptTLSPlain, "TLSPlain" },
};

START_TEST (test_vencrypt_wire_anonymous_tls)
{
  TestServer *ts = server_new ();
  TestViewerSecurity security = { .username = anonymous_cases[_i].username,
                                  .password = anonymous_cases[_i].password };

  g_object_set (ts->server, "allow-anonymous-tls", TRUE, "require-encryption", TRUE, "username",
                anonymous_cases[_i].username, "password", anonymous_cases[_i].password, NULL);
  test_server_start (ts);
  expect_pixels_with (ts, &security, anonymous_cases[_i].subtype, anonymous_cases[_i].name);

  test_server_free (ts);
}
END_TEST

/* Refusals through libvncclient. */

START_TEST (test_vencrypt_wire_other_ca_is_refused)
{
  TestCerts *certs = test_certs_new ();
  TestViewerSecurity wrong = { .ca_file = certs->other_ca_cert };
  TestViewerSecurity right = { .ca_file = certs->ca_cert };
  TestViewer *viewer;
  TestServer *ts = cert_server_start (certs, NULL);

  viewer = test_viewer_connect_secure (ts->port, &wrong);
  ck_assert_msg (viewer == NULL, "a viewer trusting another CA connected");
  /* The server goes on for the next one. */
  expect_pixels_with (ts, &right, rfbVeNCryptX509None, "after a refused certificate");

  test_server_free (ts);
  test_certs_free (certs);
}
END_TEST

START_TEST (test_vencrypt_wire_wrong_password_is_refused)
{
  TestCerts *certs = test_certs_new ();
  TestViewerSecurity wrong = { .ca_file = certs->ca_cert, .password = "guess" };
  TestServer *ts = cert_server_start (certs, "password", "secret", NULL);

  ck_assert_msg (test_viewer_connect_secure (ts->port, &wrong) == NULL, "X509Vnc: a wrong password got in");

  test_server_free (ts);
  test_certs_free (certs);
}
END_TEST

START_TEST (test_vencrypt_wire_wrong_user_or_password_is_refused)
{
  TestCerts *certs = test_certs_new ();
  TestViewerSecurity wrong_password = { .ca_file = certs->ca_cert, .username = "alice", .password = "guess" };
  TestViewerSecurity wrong_user = { .ca_file = certs->ca_cert, .username = "mallory", .password = "secret" };
  TestViewerSecurity right = { .ca_file = certs->ca_cert, .username = "alice", .password = "secret" };
  TestServer *ts = cert_server_start (certs, "username", "alice", "password", "secret", NULL);

  ck_assert_msg (test_viewer_connect_secure (ts->port, &wrong_password) == NULL,
                 "X509Plain: a wrong password got in");
  ck_assert_msg (test_viewer_connect_secure (ts->port, &wrong_user) == NULL, "X509Plain: a wrong user got in");
  expect_pixels_with (ts, &right, rfbVeNCryptX509Plain, "the right user after wrong ones");

  test_server_free (ts);
  test_certs_free (certs);
}
END_TEST

START_TEST (test_vencrypt_wire_viewer_without_vencrypt_is_refused)
{
  TestCerts *certs = test_certs_new ();
  static const guint32 plain_only[] = { rfbVncAuth, rfbNoAuth };
  TestViewerSecurity downgrade = { .password = "secret", .auth_schemes = plain_only,
                                   .n_auth_schemes = G_N_ELEMENTS (plain_only) };
  TestServer *ts = cert_server_start (certs, "password", "secret", "require-encryption", TRUE, NULL);

  ck_assert_msg (test_viewer_connect_secure (ts->port, &downgrade) == NULL,
                 "a viewer without VeNCrypt got in though encryption is required");

  test_server_free (ts);
  test_certs_free (certs);
}
END_TEST

/* Bytes on raw sockets. */

static GSocket *
raw_start (TestServer *ts, const char *version)
{
  GSocket *socket = test_raw_connect (ts->port);
  char server_version[12];

  ck_assert (test_raw_recv (socket, server_version, 12, TEST_TIMEOUT_US));
  ck_assert (test_raw_send (socket, version, strlen (version)));
  return socket;
}

/* Reads a 3.7/3.8 list of security types into @types. */
static guint
read_type_list (GSocket *socket, guint8 types[255])
{
  guint8 count = 0;

  ck_assert_msg (test_raw_recv (socket, &count, 1, TEST_TIMEOUT_US), "no list of security types");
  ck_assert_msg (count > 0, "an empty list of security types");
  ck_assert (test_raw_recv (socket, types, count, TEST_TIMEOUT_US));
  return count;
}

static void
expect_security_failure (GSocket *socket, const char *reason_part)
{
  guint8 result[4], length[4];
  char reason[256] = "";
  guint32 n;

  ck_assert_msg (test_raw_recv (socket, result, 4, TEST_TIMEOUT_US), "no SecurityResult");
  ck_assert_uint_eq (test_get_u32 (result), 1);
  ck_assert (test_raw_recv (socket, length, 4, TEST_TIMEOUT_US));
  n = test_get_u32 (length);
  ck_assert_uint_lt (n, sizeof reason);
  ck_assert (test_raw_recv (socket, reason, n, TEST_TIMEOUT_US));
  ck_assert_msg (strstr (reason, reason_part) != NULL, "reason \"%s\"", reason);
  ck_assert_msg (test_raw_wait_closed (socket, TEST_TIMEOUT_US), "not closed after the refusal");
}

static TestServer *
required_server (TestCerts *certs)
{
  return cert_server_start (certs, "password", "secret", "require-encryption", TRUE, NULL);
}

static const guint8 downgrade_choices[] = { 1, 2, 30 };

START_TEST (test_vencrypt_wire_downgrade_to_clear_types_is_refused)
{
  TestCerts *certs = test_certs_new ();
  TestServer *ts = required_server (certs);
  GSocket *socket = raw_start (ts, "RFB 003.008\n");
  guint8 types[255];
  guint8 choice = downgrade_choices[_i];

  ck_assert_uint_eq (read_type_list (socket, types), 1);
  ck_assert_uint_eq (types[0], 19);
  ck_assert (test_raw_send (socket, &choice, 1));
  expect_security_failure (socket, "not offered");

  g_object_unref (socket);
  test_server_free (ts);
  test_certs_free (certs);
}
END_TEST

/* Picks VeNCrypt and reads the sub-types offered. */
static guint
start_vencrypt (GSocket *socket, guint32 subtypes[255])
{
  static const guint8 vencrypt = 19, version[2] = { 0, 2 };
  guint8 types[255], server_version[2], ack, count;
  guint n = read_type_list (socket, types);

  ck_assert_msg (memchr (types, 19, n) != NULL, "VeNCrypt not offered");
  ck_assert (test_raw_send (socket, &vencrypt, 1));
  ck_assert (test_raw_recv (socket, server_version, 2, TEST_TIMEOUT_US));
  ck_assert_uint_eq (server_version[0], 0);
  ck_assert_uint_eq (server_version[1], 2);
  ck_assert (test_raw_send (socket, version, 2));
  ck_assert (test_raw_recv (socket, &ack, 1, TEST_TIMEOUT_US));
  ck_assert_uint_eq (ack, 0);
  ck_assert (test_raw_recv (socket, &count, 1, TEST_TIMEOUT_US));
  for (guint i = 0; i < count; i++)
    {
      guint8 b[4];
      ck_assert (test_raw_recv (socket, b, 4, TEST_TIMEOUT_US));
      subtypes[i] = test_get_u32 (b);
    }
  return count;
}

/* Sub-types that leave the session in the clear (None, VNC
 * Authentication and Plain without TLS) and anonymous ones not allowed. */
static const guint32 downgrade_subtypes[] = { 1, 2, 256, 257, 258 };

START_TEST (test_vencrypt_wire_downgrade_to_subtype_not_offered_is_refused)
{
  TestCerts *certs = test_certs_new ();
  TestServer *ts = required_server (certs);
  GSocket *socket = raw_start (ts, "RFB 003.008\n");
  guint32 subtypes[255];
  guint8 choice[4], ack = 0xff;
  g_autoptr (GByteArray) rest = g_byte_array_new ();

  ck_assert_uint_eq (start_vencrypt (socket, subtypes), 1);
  ck_assert_uint_eq (subtypes[0], rfbVeNCryptX509VNC);
  test_put_u32 (choice, downgrade_subtypes[_i]);
  ck_assert (test_raw_send (socket, choice, 4));
  ck_assert_msg (test_raw_recv (socket, &ack, 1, TEST_TIMEOUT_US), "no answer to the sub-type");
  ck_assert_msg (ack != 1, "sub-type %u accepted", downgrade_subtypes[_i]);
  ck_assert_msg (test_raw_read_until_closed (socket, rest, TEST_TIMEOUT_US), "not closed");
  ck_assert_uint_eq (rest->len, 0);

  g_object_unref (socket);
  test_server_free (ts);
  test_certs_free (certs);
}
END_TEST

START_TEST (test_vencrypt_wire_version_3_3_is_refused_when_required)
{
  TestCerts *certs = test_certs_new ();
  TestServer *ts = required_server (certs);
  GSocket *socket = raw_start (ts, "RFB 003.003\n");
  guint8 word[4], reason[256];
  guint32 n;

  ck_assert (test_raw_recv (socket, word, 4, TEST_TIMEOUT_US));
  ck_assert_uint_eq (test_get_u32 (word), 0);
  ck_assert (test_raw_recv (socket, word, 4, TEST_TIMEOUT_US));
  n = test_get_u32 (word);
  ck_assert_uint_lt (n, sizeof reason);
  ck_assert (test_raw_recv (socket, reason, n, TEST_TIMEOUT_US));
  ck_assert_msg (g_strstr_len ((const char *) reason, n, "encryption") != NULL, "reason %.*s", (int) n, reason);
  ck_assert (test_raw_wait_closed (socket, TEST_TIMEOUT_US));

  g_object_unref (socket);
  test_server_free (ts);
  test_certs_free (certs);
}
END_TEST

START_TEST (test_vencrypt_wire_old_vencrypt_version_is_refused)
{
  TestCerts *certs = test_certs_new ();
  TestServer *ts = required_server (certs);
  GSocket *socket = raw_start (ts, "RFB 003.008\n");
  static const guint8 vencrypt = 19, version[2] = { 0, 1 };
  guint8 types[255], server_version[2], ack = 0;

  read_type_list (socket, types);
  ck_assert (test_raw_send (socket, &vencrypt, 1));
  ck_assert (test_raw_recv (socket, server_version, 2, TEST_TIMEOUT_US));
  ck_assert (test_raw_send (socket, version, 2));
  ck_assert (test_raw_recv (socket, &ack, 1, TEST_TIMEOUT_US));
  ck_assert_msg (ack != 0, "VeNCrypt 0.1 accepted");
  ck_assert (test_raw_wait_closed (socket, TEST_TIMEOUT_US));

  g_object_unref (socket);
  test_server_free (ts);
  test_certs_free (certs);
}
END_TEST

START_TEST (test_vencrypt_wire_garbage_instead_of_tls_closes_one_viewer)
{
  TestCerts *certs = test_certs_new ();
  TestServer *ts = required_server (certs);
  GSocket *socket = raw_start (ts, "RFB 003.008\n");
  guint32 subtypes[255];
  guint8 choice[4], ack = 0;
  static const char garbage[] = "GET / HTTP/1.1\r\nHost: nowhere\r\n\r\n";
  g_autoptr (GByteArray) rest = g_byte_array_new ();
  TestViewerSecurity right = { .ca_file = certs->ca_cert, .password = "secret" };

  start_vencrypt (socket, subtypes);
  test_put_u32 (choice, subtypes[0]);
  ck_assert (test_raw_send (socket, choice, 4));
  ck_assert (test_raw_recv (socket, &ack, 1, TEST_TIMEOUT_US));
  ck_assert_uint_eq (ack, 1);
  ck_assert (test_raw_send (socket, garbage, sizeof garbage - 1));
  ck_assert_msg (test_raw_read_until_closed (socket, rest, TEST_TIMEOUT_US), "not closed");
  /* At most a TLS alert: never RFB in the clear. */
  ck_assert_msg (rest->len == 0 || rest->data[0] == 0x15, "%u bytes, first %u", rest->len,
                 rest->len ? rest->data[0] : 0);
  expect_pixels_with (ts, &right, rfbVeNCryptX509VNC, "after a viewer that spoke no TLS");

  g_object_unref (socket);
  test_server_free (ts);
  test_certs_free (certs);
}
END_TEST

/* What is offered. */

START_TEST (test_vencrypt_wire_offers_follow_settings)
{
  TestCerts *certs = test_certs_new ();
  GSocket *socket;
  guint8 types[255];
  guint32 subtypes[255];
  TestServer *ts = cert_server_start (certs, "password", "secret", NULL);

  /* A certificate without require-encryption: VeNCrypt first, then VNC
   * Authentication for viewers without it; no anonymous sub-type. */
  socket = raw_start (ts, "RFB 003.008\n");
  ck_assert_uint_eq (read_type_list (socket, types), 2);
  ck_assert_uint_eq (types[0], 19);
  ck_assert_uint_eq (types[1], 2);
  g_object_unref (socket);

  /* With anonymous TLS allowed too. */
  cairovnc_server_stop (ts->server);
  g_object_set (ts->server, "allow-anonymous-tls", TRUE, NULL);
  test_server_start (ts);
  socket = raw_start (ts, "RFB 003.008\n");
  ck_assert_uint_eq (start_vencrypt (socket, subtypes), 2);
  ck_assert_uint_eq (subtypes[0], rfbVeNCryptX509VNC);
  ck_assert_uint_eq (subtypes[1], rfbVeNCryptTLSVNC);
  g_object_unref (socket);

  test_server_free (ts);
  test_certs_free (certs);
}
END_TEST

/* Certificates that do not load. */

START_TEST (test_vencrypt_wire_bad_certificate_fails_the_start)
{
  TestCerts *certs = test_certs_new ();
  TestServer *ts = server_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *missing = g_build_filename (certs->dir, "missing.pem", NULL);

  g_object_set (ts->server, "tls-cert-file", missing, NULL);
  ck_assert (!cairovnc_server_start_thread (ts->server, &error));
  ck_assert (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_TLS));
  ck_assert_msg (strstr (error->message, "missing.pem") != NULL, "%s", error->message);
  g_clear_error (&error);

  /* A key of another certificate. */
  g_object_set (ts->server, "tls-cert-file", certs->ca_cert, "tls-key-file", certs->server_key, NULL);
  ck_assert (!cairovnc_server_start_thread (ts->server, &error));
  ck_assert (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_TLS));
  ck_assert_msg (strstr (error->message, "does not belong") != NULL, "%s", error->message);
  g_clear_error (&error);

  /* Encryption required with nothing to encrypt with. */
  g_object_set (ts->server, "tls-cert-file", NULL, "tls-key-file", NULL, "require-encryption", TRUE, NULL);
  ck_assert (!cairovnc_server_start_thread (ts->server, &error));
  ck_assert (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_TLS));
  ck_assert (!cairovnc_server_is_running (ts->server));

  test_server_free (ts);
  test_certs_free (certs);
}
END_TEST

START_TEST (test_vencrypt_wire_certificate_changes_while_running)
{
  TestCerts *certs = test_certs_new ();
  TestServer *ts = server_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *cert_file = NULL;
  TestViewerSecurity right = { .ca_file = certs->ca_cert };

  g_object_set (ts->server, "allow-anonymous-tls", TRUE, NULL);
  test_server_start (ts);
  /* A bad one changes nothing. */
  ck_assert (!cairovnc_server_set_tls_certificate (ts->server, certs->ca_cert, certs->server_key, &error));
  ck_assert (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_TLS));
  g_object_get (ts->server, "tls-cert-file", &cert_file, NULL);
  ck_assert_ptr_null (cert_file);
  /* A good one serves the next viewer. */
  ck_assert (cairovnc_server_set_tls_certificate (ts->server, certs->server_cert, certs->server_key, NULL));
  expect_pixels_with (ts, &right, rfbVeNCryptX509None, "after the certificate came");

  test_server_free (ts);
  test_certs_free (certs);
}
END_TEST

static Suite *
vencrypt_wire_suite (void)
{
  Suite *suite = suite_create ("vencrypt-wire");
  TCase *subtypes = tcase_create ("subtypes");
  TCase *refusals = tcase_create ("refusals");
  TCase *raw = tcase_create ("raw");
  TCase *settings = tcase_create ("settings");

  tcase_set_timeout (subtypes, TLS_TEST_TIMEOUT_S);
  tcase_add_test (subtypes, test_vencrypt_wire_x509_none);
  tcase_add_test (subtypes, test_vencrypt_wire_x509_vnc);
  tcase_add_test (subtypes, test_vencrypt_wire_x509_plain);
  tcase_add_loop_test (subtypes, test_vencrypt_wire_anonymous_tls, 0, G_N_ELEMENTS (anonymous_cases));
  suite_add_tcase (suite, subtypes);

  tcase_set_timeout (refusals, TLS_TEST_TIMEOUT_S);
  tcase_add_test (refusals, test_vencrypt_wire_other_ca_is_refused);
  tcase_add_test (refusals, test_vencrypt_wire_wrong_password_is_refused);
  tcase_add_test (refusals, test_vencrypt_wire_wrong_user_or_password_is_refused);
  tcase_add_test (refusals, test_vencrypt_wire_viewer_without_vencrypt_is_refused);
  suite_add_tcase (suite, refusals);

  tcase_set_timeout (raw, TLS_TEST_TIMEOUT_S);
  tcase_add_loop_test (raw, test_vencrypt_wire_downgrade_to_clear_types_is_refused, 0,
                       G_N_ELEMENTS (downgrade_choices));
  tcase_add_loop_test (raw, test_vencrypt_wire_downgrade_to_subtype_not_offered_is_refused, 0,
                       G_N_ELEMENTS (downgrade_subtypes));
  tcase_add_test (raw, test_vencrypt_wire_version_3_3_is_refused_when_required);
  tcase_add_test (raw, test_vencrypt_wire_old_vencrypt_version_is_refused);
  tcase_add_test (raw, test_vencrypt_wire_garbage_instead_of_tls_closes_one_viewer);
  suite_add_tcase (suite, raw);

  tcase_set_timeout (settings, TLS_TEST_TIMEOUT_S);
  tcase_add_test (settings, test_vencrypt_wire_offers_follow_settings);
  tcase_add_test (settings, test_vencrypt_wire_bad_certificate_fails_the_start);
  tcase_add_test (settings, test_vencrypt_wire_certificate_changes_while_running);
  suite_add_tcase (suite, settings);
  return suite;
}

int
main (void)
{
  return testutil_run (vencrypt_wire_suite ());
}
