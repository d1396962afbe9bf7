/* test-security.c — what is offered, VeNCrypt's messages, and TLS as a
 * transport, without sockets.
 *
 * The offers are checked against a table of settings; the parsers whole,
 * cut at every offset, and with hostile lengths; the TLS transport
 * against an OpenSSL client on memory BIOs (certificates from the
 * openssl command), alone and under WebSocket.
 */
#include <check.h>
#include <string.h>

#include <gio/gio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "cairovnc.h"
#include "checkutil.h"
#include "security.h"
#include "tls.h"
#include "tlsutil.h"
#include "transport-stack.h"
#include "websocket.h"

/* Offers. */

static const struct {
  const char *what;
  SecurityPolicy policy;
  const char *types;           /* the type numbers, in order */
  const char *subtypes;
  guint8 type_3_3;
} offers[] = {
  { "nothing set", { 0 }, "1", "", 1 },
  { "a password", { .has_password = TRUE }, "2", "", 2 },
  { "a user name", { .has_password = TRUE, .has_username = TRUE }, "30", "", 0 },
  { "a certificate", { .x509 = TRUE }, "19 1", "260", 1 },
  { "a certificate and a password", { .x509 = TRUE, .has_password = TRUE }, "19 2", "261", 2 },
  { "a certificate and a user", { .x509 = TRUE, .has_password = TRUE, .has_username = TRUE }, "19 30", "262", 0 },
  { "anonymous TLS too", { .x509 = TRUE, .anonymous_tls = TRUE }, "19 1", "260 257", 1 },
  { "anonymous TLS only, a password", { .anonymous_tls = TRUE, .has_password = TRUE }, "19 2", "258", 2 },
  { "required", { .x509 = TRUE, .has_password = TRUE, .require_encryption = TRUE }, "19", "261", 0 },
  { "required, a user", { .x509 = TRUE, .has_password = TRUE, .has_username = TRUE, .require_encryption = TRUE },
    "19", "262", 0 },
  { "required, no TLS", { .has_password = TRUE, .require_encryption = TRUE }, "", "", 0 },
  { "ws://", { .x509 = TRUE, .has_password = TRUE, .websocket = TRUE }, "2", "", 2 },
  { "ws://, required", { .x509 = TRUE, .websocket = TRUE, .require_encryption = TRUE }, "", "", 0 },
  { "wss://, required", { .x509 = TRUE, .has_password = TRUE, .websocket = TRUE, .encrypted = TRUE,
                          .require_encryption = TRUE }, "2", "", 2 },
  { "wss://, a user", { .x509 = TRUE, .has_password = TRUE, .has_username = TRUE, .websocket = TRUE,
                        .encrypted = TRUE }, "19 30", "256", 0 },
};

static char *
join (const guint32 *values, guint n)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, i ? " %u" : "%u", values[i]);
  return g_string_free (text, FALSE);
}

START_TEST (test_security_offers_follow_settings)
{
  guint8 types[SECURITY_MAX_TYPES];
  guint32 wide[SECURITY_MAX_TYPES], subtypes[SECURITY_MAX_SUBTYPES];
  guint n = security_offer (&offers[_i].policy, types);
  guint n_sub = security_offer_vencrypt (&offers[_i].policy, subtypes);
  g_autofree char *type_text = NULL;
  g_autofree char *subtype_text = NULL;

  for (guint i = 0; i < n; i++)
    wide[i] = types[i];
  type_text = join (wide, n);
  subtype_text = join (subtypes, n_sub);
  ck_assert_msg (g_str_equal (type_text, offers[_i].types), "%s: types \"%s\", not \"%s\"", offers[_i].what,
                 type_text, offers[_i].types);
  ck_assert_msg (g_str_equal (subtype_text, offers[_i].subtypes), "%s: sub-types \"%s\", not \"%s\"",
                 offers[_i].what, subtype_text, offers[_i].subtypes);
  ck_assert_msg (security_type_for_3_3 (&offers[_i].policy) == offers[_i].type_3_3, "%s: 3.3 gets %u",
                 offers[_i].what, security_type_for_3_3 (&offers[_i].policy));
}
END_TEST

START_TEST (test_security_subtype_meanings)
{
  ck_assert_int_eq (vencrypt_subtype_auth (VENCRYPT_X509_NONE), SECURITY_AUTH_NONE);
  ck_assert_int_eq (vencrypt_subtype_auth (VENCRYPT_TLS_NONE), SECURITY_AUTH_NONE);
  ck_assert_int_eq (vencrypt_subtype_auth (VENCRYPT_X509_VNC), SECURITY_AUTH_VNC);
  ck_assert_int_eq (vencrypt_subtype_auth (VENCRYPT_TLS_VNC), SECURITY_AUTH_VNC);
  ck_assert_int_eq (vencrypt_subtype_auth (VENCRYPT_X509_PLAIN), SECURITY_AUTH_PLAIN);
  ck_assert_int_eq (vencrypt_subtype_auth (VENCRYPT_TLS_PLAIN), SECURITY_AUTH_PLAIN);
  ck_assert_int_eq (vencrypt_subtype_auth (VENCRYPT_PLAIN), SECURITY_AUTH_PLAIN);
  ck_assert (vencrypt_subtype_is_x509 (VENCRYPT_X509_PLAIN));
  ck_assert (!vencrypt_subtype_is_x509 (VENCRYPT_TLS_PLAIN));
  ck_assert_str_eq (vencrypt_subtype_name (VENCRYPT_X509_VNC), "X509Vnc");
}
END_TEST

/* VeNCrypt messages. */

START_TEST (test_security_vencrypt_subtype_list_bytes)
{
  static const guint32 subtypes[] = { VENCRYPT_X509_PLAIN, VENCRYPT_TLS_PLAIN };
  static const guint8 expected[] = { 2, 0, 0, 1, 6, 0, 0, 1, 3 };
  g_autoptr (GBytes) bytes = vencrypt_build_subtypes (subtypes, 2);
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  ck_assert_uint_eq (len, sizeof expected);
  ck_assert (memcmp (data, expected, len) == 0);
}
END_TEST

START_TEST (test_security_vencrypt_version_and_subtype_wait_for_all)
{
  static const guint8 version[] = { 0, 2 }, subtype[] = { 0, 0, 1, 5 };
  guint8 major = 9, minor = 9;
  guint32 chosen = 0;

  ck_assert_int_eq (vencrypt_parse_version (version, 0, &major, &minor), RFB_PARSE_NEED_MORE);
  ck_assert_int_eq (vencrypt_parse_version (version, 1, &major, &minor), RFB_PARSE_NEED_MORE);
  ck_assert_int_eq (vencrypt_parse_version (version, 2, &major, &minor), RFB_PARSE_OK);
  ck_assert_uint_eq (major, 0);
  ck_assert_uint_eq (minor, 2);
  for (gsize cut = 0; cut < sizeof subtype; cut++)
    ck_assert_int_eq (vencrypt_parse_subtype (subtype, cut, &chosen), RFB_PARSE_NEED_MORE);
  ck_assert_int_eq (vencrypt_parse_subtype (subtype, sizeof subtype, &chosen), RFB_PARSE_OK);
  ck_assert_uint_eq (chosen, VENCRYPT_X509_VNC);
}
END_TEST

START_TEST (test_security_vencrypt_plain_whole_and_cut)
{
  static const guint8 message[] = { 0, 0, 0, 5, 0, 0, 0, 6, 'a', 'l', 'i', 'c', 'e', 's', 'e', 'c', 'r', 'e', 't',
                                    0xee /* the next message */ };
  const guint8 *user = NULL, *pass = NULL;
  gsize user_len = 0, pass_len = 0, consumed = 0;

  for (gsize cut = 0; cut < sizeof message - 1; cut++)
    ck_assert_int_eq (vencrypt_parse_plain (message, cut, &user, &user_len, &pass, &pass_len, &consumed, NULL),
                      RFB_PARSE_NEED_MORE);
  ck_assert_int_eq (vencrypt_parse_plain (message, sizeof message, &user, &user_len, &pass, &pass_len, &consumed,
                                          NULL),
                    RFB_PARSE_OK);
  ck_assert_uint_eq (consumed, sizeof message - 1);
  ck_assert_uint_eq (user_len, 5);
  ck_assert (memcmp (user, "alice", 5) == 0);
  ck_assert_uint_eq (pass_len, 6);
  ck_assert (memcmp (pass, "secret", 6) == 0);
}
END_TEST

START_TEST (test_security_vencrypt_plain_hostile_lengths)
{
  /* Only the lengths: refused before the bytes they announce are there. */
  static const guint8 huge_user[] = { 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1 };
  static const guint8 huge_password[] = { 0, 0, 0, 1, 0x80, 0, 0, 0 };
  static const guint8 just_over[] = { 0, 0, 0x04, 0x01, 0, 0, 0, 0 };
  const guint8 *hostile[] = { huge_user, huge_password, just_over };
  const guint8 *user, *pass;
  gsize user_len, pass_len, consumed;

  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autoptr (GError) error = NULL;
      ck_assert_int_eq (vencrypt_parse_plain (hostile[i], 8, &user, &user_len, &pass, &pass_len, &consumed,
                                              &error),
                        RFB_PARSE_ERROR);
      ck_assert (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL));
    }
}
END_TEST

/* TLS on memory BIOs. */

typedef struct {
  SSL_CTX *ctx;
  SSL *ssl;
  BIO *in, *out;
} MemoryClient;

static void
client_init (MemoryClient *client, const char *ca_file, const char *ciphers)
{
  client->ctx = SSL_CTX_new (TLS_client_method ());
  if (ca_file != NULL)
    {
      ck_assert (SSL_CTX_load_verify_locations (client->ctx, ca_file, NULL) == 1);
      SSL_CTX_set_verify (client->ctx, SSL_VERIFY_PEER, NULL);
    }
  if (ciphers != NULL)
    {
      ck_assert (SSL_CTX_set_cipher_list (client->ctx, ciphers) == 1);
      SSL_CTX_set_max_proto_version (client->ctx, TLS1_2_VERSION);
    }
  client->ssl = SSL_new (client->ctx);
  client->in = BIO_new (BIO_s_mem ());
  client->out = BIO_new (BIO_s_mem ());
  BIO_set_mem_eof_return (client->in, -1);
  SSL_set_bio (client->ssl, client->in, client->out);
  SSL_set_connect_state (client->ssl);
}

static void
client_clear (MemoryClient *client)
{
  SSL_free (client->ssl);
  SSL_CTX_free (client->ctx);
}

/* What the client has made for the wire. */
static void
client_take (MemoryClient *client, GByteArray *wire)
{
  guint8 buffer[4096];
  int got;

  while ((got = BIO_read (client->out, buffer, sizeof buffer)) > 0)
    g_byte_array_append (wire, buffer, (guint) got);
}

static void
client_give (MemoryClient *client, GQueue *queue)
{
  GBytes *bytes;

  while ((bytes = g_queue_pop_head (queue)) != NULL)
    {
      gsize size;
      const guint8 *data = g_bytes_get_data (bytes, &size);
      ck_assert (BIO_write (client->in, data, (int) size) == (int) size);
      g_bytes_unref (bytes);
    }
}

/* Runs the handshake between @client and @transport, feeding the
 * server's replies and output back; TRUE when both are done, FALSE when
 * the transport gave up (its error in @error). */
static gboolean
handshake (MemoryClient *client, Transport *transport, GByteArray *plain, GQueue *output, GError **error)
{
  for (int round = 0; round < 10; round++)
    {
      g_autoptr (GByteArray) wire = g_byte_array_new ();
      GQueue replies = G_QUEUE_INIT;
      int result = SSL_do_handshake (client->ssl);
      gboolean go_on;

      if (result != 1 && SSL_get_error (client->ssl, result) != SSL_ERROR_WANT_READ)
        {
          ERR_clear_error ();
          client_take (client, wire);
          /* The client refused: its alert ends the transport. */
          go_on = transport->funcs->unwrap (transport, wire, plain, &replies, error);
          g_queue_clear_full (&replies, (GDestroyNotify) g_bytes_unref);
          ck_assert (!go_on);
          return FALSE;
        }
      client_take (client, wire);
      go_on = transport->funcs->unwrap (transport, wire, plain, &replies, error);
      client_give (client, &replies);
      client_give (client, output);
      if (!go_on)
        return FALSE;
      if (result == 1 && round > 0)
        return TRUE;
    }
  ck_abort_msg ("no end to the handshake");
  return FALSE;
}

static void
queue_text (GQueue *output, const char *text)
{
  g_queue_push_tail (output, g_bytes_new (text, strlen (text)));
}

static char *
client_read_all (MemoryClient *client)
{
  GString *text = g_string_new (NULL);
  char buffer[4096];
  int got;

  while ((got = SSL_read (client->ssl, buffer, sizeof buffer)) > 0)
    g_string_append_len (text, buffer, got);
  ERR_clear_error ();
  return g_string_free (text, FALSE);
}

START_TEST (test_security_tls_carries_bytes_both_ways)
{
  TestCerts *certs = test_certs_new ();
  SSL_CTX *ctx = tls_context_new_x509 (certs->server_cert, certs->server_key, NULL);
  g_autoptr (Transport) tls = tls_transport_new (ctx);
  g_autoptr (GByteArray) plain = g_byte_array_new ();
  g_autoptr (GByteArray) wire = g_byte_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *received = NULL;
  g_autofree char *description = NULL;
  GQueue output = G_QUEUE_INIT, replies = G_QUEUE_INIT;
  MemoryClient client;

  ck_assert (ctx != NULL);
  client_init (&client, certs->ca_cert, NULL);
  /* The protocol speaks before the handshake: it waits inside. */
  queue_text (&output, "RFB ");
  queue_text (&output, "before");
  tls->funcs->wrap (tls, &output, 2);
  ck_assert_uint_eq (output.length, 0);
  ck_assert_ptr_null (tls_transport_describe (tls));
  ck_assert_msg (handshake (&client, tls, plain, &output, &error), "handshake: %s", error ? error->message : "");
  description = tls_transport_describe (tls);
  ck_assert_msg (description != NULL && g_str_has_prefix (description, "TLSv1.3"), "%s", description);

  queue_text (&output, " after");
  tls->funcs->wrap (tls, &output, 1);
  client_give (&client, &output);
  received = client_read_all (&client);
  ck_assert_str_eq (received, "RFB before after");

  ck_assert (SSL_write (client.ssl, "from the viewer", 15) == 15);
  client_take (&client, wire);
  ck_assert (tls->funcs->unwrap (tls, wire, plain, &replies, NULL));
  client_give (&client, &replies);
  ck_assert_uint_eq (plain->len, 15);
  ck_assert (memcmp (plain->data, "from the viewer", 15) == 0);
  ck_assert_uint_eq (wire->len, 0);

  client_clear (&client);
  SSL_CTX_free (ctx);
  test_certs_free (certs);
}
END_TEST

START_TEST (test_security_tls_goodbye_and_close)
{
  TestCerts *certs = test_certs_new ();
  SSL_CTX *ctx = tls_context_new_x509 (certs->server_combined, NULL, NULL);
  g_autoptr (Transport) tls = tls_transport_new (ctx);
  g_autoptr (Transport) tls2 = tls_transport_new (ctx);
  g_autoptr (GByteArray) plain = g_byte_array_new ();
  g_autoptr (GByteArray) wire = g_byte_array_new ();
  g_autoptr (GError) error = NULL;
  GQueue output = G_QUEUE_INIT, replies = G_QUEUE_INIT;
  MemoryClient client, client2;
  char byte;

  client_init (&client, certs->ca_cert, NULL);
  ck_assert (handshake (&client, tls, plain, &output, NULL));
  /* The server's goodbye is a close_notify. */
  g_queue_push_tail (&output, tls->funcs->goodbye (tls));
  client_give (&client, &output);
  ck_assert (SSL_read (client.ssl, &byte, 1) <= 0);
  ck_assert_int_eq (SSL_get_error (client.ssl, 0), SSL_ERROR_ZERO_RETURN);
  ck_assert_ptr_null (tls->funcs->goodbye (tls));

  /* The viewer's close_notify ends the transport. */
  client_init (&client2, certs->ca_cert, NULL);
  ck_assert (handshake (&client2, tls2, plain, &output, NULL));
  SSL_shutdown (client2.ssl);
  client_take (&client2, wire);
  ck_assert (!tls2->funcs->unwrap (tls2, wire, plain, &replies, &error));
  ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED));
  g_queue_clear_full (&replies, (GDestroyNotify) g_bytes_unref);

  client_clear (&client);
  client_clear (&client2);
  SSL_CTX_free (ctx);
  test_certs_free (certs);
}
END_TEST

START_TEST (test_security_tls_refuses_garbage)
{
  TestCerts *certs = test_certs_new ();
  SSL_CTX *ctx = tls_context_new_x509 (certs->server_cert, certs->server_key, NULL);
  g_autoptr (Transport) tls = tls_transport_new (ctx);
  g_autoptr (GByteArray) plain = g_byte_array_new ();
  g_autoptr (GByteArray) wire = g_byte_array_new ();
  g_autoptr (GError) error = NULL;
  GQueue replies = G_QUEUE_INIT;

  g_byte_array_append (wire, (const guint8 *) "RFB 003.008\n", 12);
  ck_assert (!tls->funcs->unwrap (tls, wire, plain, &replies, &error));
  ck_assert (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL));
  ck_assert_msg (strstr (error->message, "TLS handshake failed") != NULL, "%s", error->message);
  ck_assert_uint_eq (plain->len, 0);
  g_queue_clear_full (&replies, (GDestroyNotify) g_bytes_unref);

  SSL_CTX_free (ctx);
  test_certs_free (certs);
}
END_TEST

START_TEST (test_security_tls_anonymous_needs_anonymous_client)
{
  g_autoptr (GError) error = NULL;
  SSL_CTX *ctx = tls_context_new_anonymous (&error);
  g_autoptr (Transport) anonymous = NULL;
  g_autoptr (Transport) refused = NULL;
  g_autoptr (GByteArray) plain = g_byte_array_new ();
  g_autofree char *description = NULL;
  GQueue output = G_QUEUE_INIT;
  MemoryClient client, ordinary;

  ck_assert_msg (ctx != NULL, "%s", error ? error->message : "");
  anonymous = tls_transport_new (ctx);
  client_init (&client, NULL, "aNULL:@SECLEVEL=0");
  ck_assert (handshake (&client, anonymous, plain, &output, NULL));
  description = tls_transport_describe (anonymous);
  ck_assert_msg (strstr (description, "ADH") != NULL || strstr (description, "AECDH") != NULL, "%s",
                 description);

  /* A client that wants a certificate gets no session. */
  refused = tls_transport_new (ctx);
  client_init (&ordinary, NULL, NULL);
  ck_assert (!handshake (&ordinary, refused, plain, &output, NULL));

  client_clear (&client);
  client_clear (&ordinary);
  SSL_CTX_free (ctx);
}
END_TEST

START_TEST (test_security_websocket_over_tls)
{
  TestCerts *certs = test_certs_new ();
  SSL_CTX *ctx = tls_context_new_x509 (certs->server_cert, certs->server_key, NULL);
  g_autoptr (Transport) stack = NULL;
  Transport *tls = tls_transport_new (ctx);
  g_autoptr (GByteArray) plain = g_byte_array_new ();
  g_autoptr (GByteArray) wire = g_byte_array_new ();
  g_autofree char *received = NULL;
  GQueue output = G_QUEUE_INIT, replies = G_QUEUE_INIT;
  MemoryClient client;
  /* A masked binary frame "RFB", then a ping with "hi". */
  static const guint8 frames[] = { 0x82, 0x83, 1, 2, 3, 4, 'R' ^ 1, 'F' ^ 2, 'B' ^ 3,
                                   0x89, 0x82, 0, 0, 0, 0, 'h', 'i' };

  client_init (&client, certs->ca_cert, NULL);
  ck_assert (handshake (&client, tls, plain, &output, NULL));
  stack = transport_stack_new (tls, ws_transport_new ());
  ck_assert_str_eq (stack->funcs->name, "WebSocket over TLS");
  ck_assert (transport_inner_wire (stack, wire) != wire);

  ck_assert (SSL_write (client.ssl, frames, sizeof frames) == (int) sizeof frames);
  client_take (&client, wire);
  ck_assert (stack->funcs->unwrap (stack, wire, plain, &replies, NULL));
  ck_assert_uint_eq (plain->len, 3);
  ck_assert (memcmp (plain->data, "RFB", 3) == 0);
  /* The pong comes back inside TLS. */
  client_give (&client, &replies);
  received = client_read_all (&client);
  ck_assert_uint_eq (strlen (received), 4);
  ck_assert_uint_eq ((guint8) received[0], 0x8a);
  ck_assert (memcmp (received + 2, "hi", 2) == 0);
  g_clear_pointer (&received, g_free);

  /* Output: framed, then encrypted. */
  queue_text (&output, "abc");
  stack->funcs->wrap (stack, &output, 1);
  client_give (&client, &output);
  received = client_read_all (&client);
  ck_assert_uint_eq (strlen (received), 5);
  ck_assert_uint_eq ((guint8) received[0], 0x82);
  ck_assert_uint_eq ((guint8) received[1], 3);
  ck_assert (memcmp (received + 2, "abc", 3) == 0);

  client_clear (&client);
  SSL_CTX_free (ctx);
  test_certs_free (certs);
}
END_TEST

static Suite *
security_suite (void)
{
  Suite *suite = suite_create ("security");
  TCase *offer = tcase_create ("offer");
  TCase *vencrypt = tcase_create ("vencrypt");
  TCase *tls = tcase_create ("tls");

  tcase_add_loop_test (offer, test_security_offers_follow_settings, 0, G_N_ELEMENTS (offers));
  tcase_add_test (offer, test_security_subtype_meanings);
  suite_add_tcase (suite, offer);

  tcase_add_test (vencrypt, test_security_vencrypt_subtype_list_bytes);
  tcase_add_test (vencrypt, test_security_vencrypt_version_and_subtype_wait_for_all);
  tcase_add_test (vencrypt, test_security_vencrypt_plain_whole_and_cut);
  tcase_add_test (vencrypt, test_security_vencrypt_plain_hostile_lengths);
  suite_add_tcase (suite, vencrypt);

  tcase_set_timeout (tls, 60);
  tcase_add_test (tls, test_security_tls_carries_bytes_both_ways);
  tcase_add_test (tls, test_security_tls_goodbye_and_close);
  tcase_add_test (tls, test_security_tls_refuses_garbage);
  tcase_add_test (tls, test_security_tls_anonymous_needs_anonymous_client);
  tcase_add_test (tls, test_security_websocket_over_tls);
  suite_add_tcase (suite, tls);
  return suite;
}

int
main (void)
{
  return checkutil_run (security_suite ());
}
