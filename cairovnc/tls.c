/* tls.c — TLS sessions on memory BIOs, and the server contexts they use.
 *
 * One SSL per viewer, reading the wire bytes unwrap() is given from one
 * memory BIO and writing the wire bytes to send into another. Nothing
 * here blocks: a memory BIO never does, and when it has nothing more to
 * read the handshake or SSL_read() just waits for the next unwrap().
 *
 * Runs on the server context; the contexts are made by public calls on
 * any thread and shared, reference-counted, by the sessions.
 */
#include "tls.h"

#include <string.h>

#include <gio/gio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "cairovnc.h"

/* The most plaintext one SSL_read() gives: a TLS record's worth. */
#define TLS_READ_CHUNK 16384

/* What OpenSSL last found wrong on this thread, for a message; clears
 * the rest of its error queue. */
static char *
take_openssl_error (void)
{
  unsigned long code = ERR_peek_last_error ();
  char text[256];

  ERR_clear_error ();
  if (code == 0)
    return g_strdup ("no reason given");
  ERR_error_string_n (code, text, sizeof text);
  return g_strdup (text);
}

/* A private key with a passphrase cannot be opened by a server that
 * nobody types into: refuse rather than let OpenSSL ask the terminal. */
static int
no_passphrase (char *buf, int size, int rwflag, void *data)
{
  return 0;
}

static SSL_CTX *
context_new_common (GError **error)
{
  SSL_CTX *ctx = SSL_CTX_new (TLS_server_method ());

  if (ctx == NULL)
    {
      g_autofree char *why = take_openssl_error ();
      g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_TLS, "Cannot set up TLS: %s", why);
      return NULL;
    }
  SSL_CTX_set_min_proto_version (ctx, TLS1_2_VERSION);
  /* No renegotiation (it is not needed and has a history), no session
   * resumption (viewers connect seldom; nothing to keep between them). */
  SSL_CTX_set_options (ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
  SSL_CTX_set_session_cache_mode (ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets (ctx, 0);
  SSL_CTX_set_default_passwd_cb (ctx, no_passphrase);
  SSL_CTX_set_dh_auto (ctx, 1);
  return ctx;
}

/* The first private key in a PEM file (which may hold certificates too). */
static EVP_PKEY *
read_private_key (const char *path)
{
  BIO *file = BIO_new_file (path, "r");
  EVP_PKEY *key;

  if (file == NULL)
    return NULL;
  key = PEM_read_bio_PrivateKey (file, NULL, no_passphrase, NULL);
  BIO_free (file);
  return key;
}

SSL_CTX *
tls_context_new_x509 (const char *cert_file, const char *key_file, GError **error)
{
  SSL_CTX *ctx;
  EVP_PKEY *key;
  const char *key_path = key_file != NULL && *key_file ? key_file : cert_file;

  g_return_val_if_fail (cert_file != NULL, NULL);
  ERR_clear_error ();
  ctx = context_new_common (error);
  if (ctx == NULL)
    return NULL;
  if (SSL_CTX_use_certificate_chain_file (ctx, cert_file) != 1)
    {
      g_autofree char *why = take_openssl_error ();
      g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_TLS, "Cannot load the TLS certificate %s: %s",
                   cert_file, why);
      SSL_CTX_free (ctx);
      return NULL;
    }
  key = read_private_key (key_path);
  if (key == NULL)
    {
      g_autofree char *why = take_openssl_error ();
      g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_TLS,
                   "Cannot load the TLS private key %s: %s (a PEM key without a passphrase is needed)",
                   key_path, why);
      SSL_CTX_free (ctx);
      return NULL;
    }
  if (SSL_CTX_use_PrivateKey (ctx, key) != 1 || SSL_CTX_check_private_key (ctx) != 1)
    {
      g_autofree char *why = take_openssl_error ();
      g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_TLS,
                   "The TLS private key %s does not belong to the certificate %s: %s", key_path, cert_file,
                   why);
      EVP_PKEY_free (key);
      SSL_CTX_free (ctx);
      return NULL;
    }
  EVP_PKEY_free (key);
  return ctx;
}

SSL_CTX *
tls_context_new_anonymous (GError **error)
{
  SSL_CTX *ctx;

  ERR_clear_error ();
  ctx = context_new_common (error);
  if (ctx == NULL)
    return NULL;
  SSL_CTX_set_max_proto_version (ctx, TLS1_2_VERSION);
  if (SSL_CTX_set_cipher_list (ctx, "aNULL:!eNULL:!LOW:!EXP:!MD5:!RC4:!3DES:!SEED:!IDEA:@SECLEVEL=0") != 1)
    {
      g_autofree char *why = take_openssl_error ();
      g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_TLS,
                   "This OpenSSL has no anonymous Diffie-Hellman cipher suites: %s", why);
      SSL_CTX_free (ctx);
      return NULL;
    }
  return ctx;
}

/* The transport. */

typedef struct {
  Transport parent;
  SSL *ssl;
  BIO *from_peer;              /* wire bytes read, for OpenSSL */
  BIO *to_peer;                /* wire bytes OpenSSL made, to send */
  gboolean established;        /* the handshake is over */
  gboolean failed;             /* the session is over: nothing more in or out */
  GQueue waiting;              /* GBytes * queued before the handshake was over */
} TlsTransport;

/* The wire bytes OpenSSL has made since the last time, or NULL. */
static GBytes *
take_wire_output (TlsTransport *tls)
{
  size_t pending = BIO_ctrl_pending (tls->to_peer);
  guint8 *data;
  int got;

  if (pending == 0)
    return NULL;
  data = g_malloc (pending);
  got = BIO_read (tls->to_peer, data, (int) MIN (pending, (size_t) G_MAXINT));
  if (got <= 0)
    {
      g_free (data);
      return NULL;
    }
  return g_bytes_new_take (data, (gsize) got);
}

static void
push_wire_output (TlsTransport *tls, GQueue *queue)
{
  GBytes *bytes = take_wire_output (tls);

  if (bytes != NULL)
    g_queue_push_tail (queue, bytes);
}

static void
encrypt (TlsTransport *tls, GBytes *bytes)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  size_t written = 0;

  if (tls->failed || size == 0)
    return;
  /* A memory BIO takes all: SSL_write_ex() writes everything or fails
   * for good, and then the next unwrap() says why. */
  if (SSL_write_ex (tls->ssl, data, size, &written) != 1)
    {
      ERR_clear_error ();
      tls->failed = TRUE;
    }
}

static void
tls_transport_wrap (Transport *transport, GQueue *output, guint n)
{
  TlsTransport *tls = (TlsTransport *) transport;
  GQueue taken = G_QUEUE_INIT;
  GBytes *bytes;

  for (guint i = 0; i < n; i++)
    g_queue_push_head (&taken, g_queue_pop_tail (output));
  if (!tls->established)
    {
      while ((bytes = g_queue_pop_head (&taken)) != NULL)
        g_queue_push_tail (&tls->waiting, bytes);
      return;
    }
  ERR_clear_error ();
  while ((bytes = g_queue_pop_head (&taken)) != NULL)
    {
      encrypt (tls, bytes);
      g_bytes_unref (bytes);
    }
  push_wire_output (tls, output);
}

static gboolean
fail (TlsTransport *tls, GQueue *replies, GError **error, GQuark domain, int code, const char *what)
{
  g_autofree char *why = take_openssl_error ();

  tls->failed = TRUE;
  /* An alert, if OpenSSL made one, tells the peer why. */
  push_wire_output (tls, replies);
  g_set_error (error, domain, code, "%s: %s", what, why);
  return FALSE;
}

static gboolean
tls_transport_unwrap (Transport *transport, GByteArray *wire, GByteArray *plain, GQueue *replies, GError **error)
{
  TlsTransport *tls = (TlsTransport *) transport;

  if (tls->failed)
    {
      g_byte_array_set_size (wire, 0);
      g_set_error_literal (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL, "the TLS session failed");
      return FALSE;
    }
  ERR_clear_error ();
  /* Reads are at most a few chunks of 64 KiB: an int holds them. */
  if (wire->len > 0 && BIO_write (tls->from_peer, wire->data, (int) wire->len) != (int) wire->len)
    return fail (tls, replies, error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL, "cannot buffer TLS input");
  g_byte_array_set_size (wire, 0);

  if (!tls->established)
    {
      int result = SSL_do_handshake (tls->ssl);

      if (result != 1)
        {
          int reason = SSL_get_error (tls->ssl, result);
          if (reason != SSL_ERROR_WANT_READ && reason != SSL_ERROR_WANT_WRITE)
            return fail (tls, replies, error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL, "TLS handshake failed");
          push_wire_output (tls, replies);
          return TRUE;
        }
      tls->established = TRUE;
      push_wire_output (tls, replies);
      /* What the protocol said meanwhile goes out now, encrypted. */
      if (!g_queue_is_empty (&tls->waiting))
        {
          GBytes *bytes;
          while ((bytes = g_queue_pop_head (&tls->waiting)) != NULL)
            {
              encrypt (tls, bytes);
              g_bytes_unref (bytes);
            }
        }
    }

  for (;;)
    {
      guint old_len = plain->len;
      size_t got = 0;
      int result;

      g_byte_array_set_size (plain, old_len + TLS_READ_CHUNK);
      result = SSL_read_ex (tls->ssl, plain->data + old_len, TLS_READ_CHUNK, &got);
      g_byte_array_set_size (plain, old_len + (result == 1 ? (guint) got : 0));
      if (result == 1)
        continue;
      switch (SSL_get_error (tls->ssl, result))
        {
        case SSL_ERROR_WANT_READ:
        case SSL_ERROR_WANT_WRITE:
          push_wire_output (tls, replies);
          return TRUE;
        case SSL_ERROR_ZERO_RETURN:
          /* The peer's close_notify: answer with ours. */
          SSL_shutdown (tls->ssl);
          return fail (tls, replies, error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                       "the viewer ended the TLS session");
        default:
          return fail (tls, replies, error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL, "TLS error");
        }
    }
}

static GBytes *
tls_transport_goodbye (Transport *transport)
{
  TlsTransport *tls = (TlsTransport *) transport;

  if (!tls->established || tls->failed)
    return NULL;
  ERR_clear_error ();
  SSL_shutdown (tls->ssl);
  ERR_clear_error ();
  tls->failed = TRUE;
  return take_wire_output (tls);
}

static void
tls_transport_free (Transport *transport)
{
  TlsTransport *tls = (TlsTransport *) transport;

  SSL_free (tls->ssl);
  g_queue_clear_full (&tls->waiting, (GDestroyNotify) g_bytes_unref);
  g_free (tls);
}

static const TransportFuncs tls_transport_funcs = {
  .name = "TLS",
  .unwrap = tls_transport_unwrap,
  .wrap = tls_transport_wrap,
  .goodbye = tls_transport_goodbye,
  .free = tls_transport_free,
};

Transport *
tls_transport_new (SSL_CTX *ctx)
{
  TlsTransport *tls = g_new0 (TlsTransport, 1);

  tls->parent.funcs = &tls_transport_funcs;
  tls->ssl = SSL_new (ctx);
  tls->from_peer = BIO_new (BIO_s_mem ());
  tls->to_peer = BIO_new (BIO_s_mem ());
  g_assert (tls->ssl != NULL && tls->from_peer != NULL && tls->to_peer != NULL);
  /* An empty input BIO means "wait", not end of file. */
  BIO_set_mem_eof_return (tls->from_peer, -1);
  SSL_set_bio (tls->ssl, tls->from_peer, tls->to_peer);
  SSL_set_accept_state (tls->ssl);
  g_queue_init (&tls->waiting);
  return &tls->parent;
}

char *
tls_transport_describe (Transport *transport)
{
  TlsTransport *tls = (TlsTransport *) transport;

  g_return_val_if_fail (transport->funcs == &tls_transport_funcs, NULL);
  if (!tls->established)
    return NULL;
  return g_strdup_printf ("%s, %s", SSL_get_version (tls->ssl), SSL_get_cipher_name (tls->ssl));
}
