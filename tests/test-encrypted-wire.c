/* test-encrypted-wire.c — what an eavesdropper on the wire would see.
 *
 * A relay in the test sits between viewer and server and records every
 * byte both ways. The surface is a distinctive repeating pattern, sent
 * Raw so that its bytes would stand out, and the viewer sends clipboard
 * text. With VeNCrypt or wss:// the recording must hold neither (nor the
 * password); the same recording without encryption holds both, so the
 * search is shown to find what is there. Apple Remote Desktop hides the
 * password only, as documented.
 *
 * The wss:// viewer is GIO's TLS client (GnuTLS, from glib-networking)
 * with WebSocket framing written here.
 */
#include "testutil.h"
#include "tlsutil.h"

#include <string.h>
#include <glib/gstdio.h>

#define WIDTH 96
#define HEIGHT 64
#define RELAY_TIMEOUT_US (30 * G_USEC_PER_SEC)
#define CLIPBOARD_TEXT "viewer clipboard: launch code 0451-ALPHA"
#define PASSWORD "never on the wire 8d3f"
#define PAGE_TEXT "a page only TLS should carry 77c1"

/* Four colours that repeat along every row. */
static const guint32 pattern[4] = { 0x5a3c1e, 0xa5c3e1, 0x0f1e2d, 0xf0e1d2 };

static cairo_surface_t *
pattern_surface_new (void)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, WIDTH, HEIGHT);
  guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);

  cairo_surface_flush (surface);
  for (int y = 0; y < HEIGHT; y++)
    for (int x = 0; x < WIDTH; x++)
      ((guint32 *) (void *) (data + y * stride))[x] = pattern[x % 4];
  cairo_surface_mark_dirty (surface);
  return surface;
}

/* Eight pixels of the pattern as Raw sends them in the server's default
 * format (32 bits, little-endian, red at 16). */
static void
pattern_needle (guint8 needle[32])
{
  for (int i = 0; i < 8; i++)
    {
      guint32 v = pattern[i % 4];
      needle[4 * i] = (guint8) v;
      needle[4 * i + 1] = (guint8) (v >> 8);
      needle[4 * i + 2] = (guint8) (v >> 16);
      needle[4 * i + 3] = 0;
    }
}

static gboolean
contains (GByteArray *haystack, const void *needle, gsize len)
{
  return haystack->len >= len && memmem (haystack->data, haystack->len, needle, len) != NULL;
}

/* The relay. */

typedef struct {
  GSocket *listener;
  guint port;
  guint target;
  GThread *thread;
  GMutex lock;
  GByteArray *to_server;
  GByteArray *to_viewer;
  gint stop;
} Relay;

/* Sends all of @len bytes; FALSE when the peer is gone. */
static gboolean
send_all (GSocket *socket, const guint8 *data, gsize len)
{
  while (len > 0)
    {
      gssize sent = g_socket_send (socket, (const char *) data, len, NULL, NULL);
      if (sent <= 0)
        return FALSE;
      data += sent;
      len -= (gsize) sent;
    }
  return TRUE;
}

/* Moves what @from has to @to, recording it; FALSE at the end. */
static gboolean
shuttle (Relay *relay, GSocket *from, GSocket *to, GByteArray *record)
{
  guint8 buffer[16384];
  gssize got = g_socket_receive (from, (char *) buffer, sizeof buffer, NULL, NULL);

  if (got <= 0)
    return FALSE;
  g_mutex_lock (&relay->lock);
  g_byte_array_append (record, buffer, (guint) got);
  g_mutex_unlock (&relay->lock);
  return send_all (to, buffer, (gsize) got);
}

static gpointer
relay_run (gpointer data)
{
  Relay *relay = data;
  g_autoptr (GSocket) viewer = NULL;
  g_autoptr (GSocket) server = NULL;
  gint64 deadline = g_get_monotonic_time () + RELAY_TIMEOUT_US;

  if (!g_socket_condition_timed_wait (relay->listener, G_IO_IN, RELAY_TIMEOUT_US, NULL, NULL))
    return NULL;
  viewer = g_socket_accept (relay->listener, NULL, NULL);
  server = test_raw_connect (relay->target);
  g_socket_set_blocking (server, TRUE);
  if (viewer == NULL)
    return NULL;
  g_socket_set_blocking (viewer, TRUE);
  while (!g_atomic_int_get (&relay->stop) && g_get_monotonic_time () < deadline)
    {
      GPollFD fds[2] = { { g_socket_get_fd (viewer), G_IO_IN, 0 }, { g_socket_get_fd (server), G_IO_IN, 0 } };

      if (g_poll (fds, 2, 50) <= 0)
        continue;
      if ((fds[0].revents & (G_IO_IN | G_IO_HUP | G_IO_ERR)) &&
          !shuttle (relay, viewer, server, relay->to_server))
        break;
      if ((fds[1].revents & (G_IO_IN | G_IO_HUP | G_IO_ERR)) &&
          !shuttle (relay, server, viewer, relay->to_viewer))
        break;
    }
  g_socket_close (viewer, NULL);
  g_socket_close (server, NULL);
  return NULL;
}

static Relay *
relay_new (guint target)
{
  Relay *relay = g_new0 (Relay, 1);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  relay->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  ck_assert (relay->listener != NULL && g_socket_bind (relay->listener, address, TRUE, NULL) &&
             g_socket_listen (relay->listener, NULL));
  bound = g_socket_get_local_address (relay->listener, NULL);
  relay->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  relay->target = target;
  relay->to_server = g_byte_array_new ();
  relay->to_viewer = g_byte_array_new ();
  g_mutex_init (&relay->lock);
  relay->thread = g_thread_new ("relay", relay_run, relay);
  return relay;
}

/* Stops the relay; its recordings stay. */
static void
relay_stop (Relay *relay)
{
  g_atomic_int_set (&relay->stop, 1);
  g_clear_pointer (&relay->thread, g_thread_join);
}

static void
relay_free (Relay *relay)
{
  relay_stop (relay);
  g_socket_close (relay->listener, NULL);
  g_object_unref (relay->listener);
  g_byte_array_unref (relay->to_server);
  g_byte_array_unref (relay->to_viewer);
  g_mutex_clear (&relay->lock);
  g_free (relay);
}

/* A libvncclient session through the relay: the whole surface seen, the
 * clipboard sent and received by the program. */
static void
run_session (TestServer *ts, Relay *relay, const TestViewerSecurity *security)
{
  TestViewer *viewer = test_viewer_connect_secure (relay->port, security);
  g_autoptr (CairoVncEvent) event = NULL;

  ck_assert_msg (viewer != NULL, "refused through the relay");
  test_viewer_assert_match (viewer, ts, "through the relay");
  ck_assert (SendClientCutText (viewer->client, (char *) CLIPBOARD_TEXT, (int) strlen (CLIPBOARD_TEXT)));
  event = test_server_pop_event (ts, TEST_TIMEOUT_US);
  ck_assert_msg (event != NULL && event->type == CAIROVNC_EVENT_CLIPBOARD, "no clipboard event");
  ck_assert_str_eq (event->text, CLIPBOARD_TEXT);
  test_viewer_free (viewer);
  relay_stop (relay);
}

static TestServer *
pattern_server_new (void)
{
  cairo_surface_t *surface = pattern_surface_new ();
  TestServer *ts = test_server_new (surface);

  cairo_surface_destroy (surface);
  /* Input is taken: the clipboard must reach the program. */
  g_object_set (ts->server, "read-only", FALSE, NULL);
  return ts;
}

START_TEST (test_encrypted_wire_vencrypt_hides_everything)
{
  TestCerts *certs = test_certs_new ();
  TestServer *ts = pattern_server_new ();
  TestViewerSecurity security = { .ca_file = certs->ca_cert, .username = "alice", .password = PASSWORD };
  Relay *relay;
  guint8 needle[32];

  g_object_set (ts->server, "tls-cert-file", certs->server_cert, "tls-key-file", certs->server_key, "username",
                "alice", "password", PASSWORD, "require-encryption", TRUE, NULL);
  test_server_start (ts);
  relay = relay_new (ts->port);
  run_session (ts, relay, &security);

  pattern_needle (needle);
  /* The pixels went through, encrypted. */
  ck_assert_uint_gt (relay->to_viewer->len, WIDTH * HEIGHT * 4);
  ck_assert_msg (!contains (relay->to_viewer, needle, sizeof needle), "plaintext pixels on the wire");
  ck_assert_msg (!contains (relay->to_server, CLIPBOARD_TEXT, strlen (CLIPBOARD_TEXT)),
                 "plaintext clipboard on the wire");
  ck_assert_msg (!contains (relay->to_server, PASSWORD, strlen (PASSWORD)), "the password on the wire");

  relay_free (relay);
  test_server_free (ts);
  test_certs_free (certs);
}
END_TEST

START_TEST (test_encrypted_wire_control_shows_everything)
{
  TestServer *ts = pattern_server_new ();
  TestViewerSecurity security = { 0 };
  Relay *relay;
  guint8 needle[32];

  test_server_start (ts);
  relay = relay_new (ts->port);
  run_session (ts, relay, &security);

  pattern_needle (needle);
  ck_assert_msg (contains (relay->to_viewer, needle, sizeof needle), "the search misses plaintext pixels");
  ck_assert_msg (contains (relay->to_server, CLIPBOARD_TEXT, strlen (CLIPBOARD_TEXT)),
                 "the search misses plaintext clipboard");

  relay_free (relay);
  test_server_free (ts);
}
END_TEST

START_TEST (test_encrypted_wire_ard_hides_the_password)
{
  TestServer *ts = pattern_server_new ();
  TestViewerSecurity security = { .username = "alice", .password = PASSWORD };
  Relay *relay;
  guint8 needle[32];

  g_object_set (ts->server, "username", "alice", "password", PASSWORD, NULL);
  test_server_start (ts);
  relay = relay_new (ts->port);
  run_session (ts, relay, &security);

  ck_assert_msg (!contains (relay->to_server, PASSWORD, strlen (PASSWORD)), "the password on the wire");
  /* The session itself is not encrypted: Apple Remote Desktop protects
   * the credentials only. */
  pattern_needle (needle);
  ck_assert (contains (relay->to_viewer, needle, sizeof needle));

  relay_free (relay);
  test_server_free (ts);
}
END_TEST

/* wss:// and https:// on the browsers' port. */

typedef struct {
  GIOStream *stream;
  GByteArray *pending;         /* RFB bytes decoded, not yet read */
} WssViewer;

static WssViewer *
wss_connect (guint port, const char *ca_file)
{
  WssViewer *wv = g_new0 (WssViewer, 1);
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (GSocketConnectable) identity = g_network_address_new ("127.0.0.1", (guint16) port);
  g_autoptr (GTlsDatabase) database = NULL;
  g_autoptr (GError) error = NULL;
  GIOStream *tls;

  ck_assert_msg (g_tls_backend_supports_tls (g_tls_backend_get_default ()),
                 "GIO has no TLS (Debian package glib-networking; tests/run.sh installs it)");
  g_socket_client_set_timeout (client, 10);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", (guint16) port, NULL, &error);
  ck_assert_msg (connection != NULL, "connect: %s", error ? error->message : "");
  tls = g_tls_client_connection_new (G_IO_STREAM (connection), identity, &error);
  ck_assert_msg (tls != NULL, "TLS: %s", error ? error->message : "");
  database = g_tls_file_database_new (ca_file, &error);
  ck_assert_msg (database != NULL, "CA: %s", error ? error->message : "");
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);
  ck_assert_msg (g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error), "handshake: %s",
                 error ? error->message : "");
  wv->stream = tls;
  wv->pending = g_byte_array_new ();
  return wv;
}

static void
wss_free (WssViewer *wv)
{
  g_io_stream_close (wv->stream, NULL, NULL);
  g_object_unref (wv->stream);
  g_byte_array_unref (wv->pending);
  g_free (wv);
}

static void
wss_write (WssViewer *wv, const void *data, gsize len)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (g_output_stream_write_all (g_io_stream_get_output_stream (wv->stream), data, len, NULL, NULL,
                                            &error),
                 "write: %s", error ? error->message : "");
}

static void
wss_read (WssViewer *wv, void *data, gsize len)
{
  g_autoptr (GError) error = NULL;
  gsize got = 0;

  ck_assert_msg (g_input_stream_read_all (g_io_stream_get_input_stream (wv->stream), data, len, &got, NULL,
                                          &error) &&
                   got == len,
                 "read %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT ": %s", got, len, error ? error->message : "closed");
}

/* One masked binary frame (RFC 6455 §5.2), as a browser sends. */
static void
wss_send_rfb (WssViewer *wv, const void *data, gsize len)
{
  static const guint8 mask[4] = { 0x12, 0x34, 0x56, 0x78 };
  g_autoptr (GByteArray) frame = g_byte_array_new ();
  guint8 head[4] = { 0x82, 0x80 | 126, (guint8) (len >> 8), (guint8) len };

  ck_assert_uint_lt (len, 65536);
  g_byte_array_append (frame, head, 4);
  g_byte_array_append (frame, mask, 4);
  for (gsize i = 0; i < len; i++)
    {
      guint8 b = ((const guint8 *) data)[i] ^ mask[i % 4];
      g_byte_array_append (frame, &b, 1);
    }
  wss_write (wv, frame->data, frame->len);
}

/* Reads @len RFB bytes out of the server's frames. */
static void
wss_recv_rfb (WssViewer *wv, void *data, gsize len)
{
  while (wv->pending->len < len)
    {
      guint8 head[2], ext[8];
      guint64 size;
      g_autofree guint8 *payload = NULL;

      wss_read (wv, head, 2);
      ck_assert_msg ((head[0] & 0x0f) == 0x2 || (head[0] & 0x0f) == 0x0, "frame opcode %u", head[0] & 0x0f);
      ck_assert_msg (!(head[1] & 0x80), "a masked server frame");
      size = head[1] & 0x7f;
      if (size == 126)
        {
          wss_read (wv, ext, 2);
          size = ((guint64) ext[0] << 8) | ext[1];
        }
      else if (size == 127)
        {
          wss_read (wv, ext, 8);
          size = 0;
          for (int i = 0; i < 8; i++)
            size = (size << 8) | ext[i];
        }
      ck_assert_uint_lt (size, 16 * 1024 * 1024);
      payload = g_malloc (size);
      wss_read (wv, payload, size);
      g_byte_array_append (wv->pending, payload, (guint) size);
    }
  memcpy (data, wv->pending->data, len);
  g_byte_array_remove_range (wv->pending, 0, (guint) len);
}

/* Reads an HTTP head up to its blank line. */
static char *
wss_read_head (WssViewer *wv)
{
  GString *head = g_string_new (NULL);
  char c;

  while (!g_str_has_suffix (head->str, "\r\n\r\n"))
    {
      wss_read (wv, &c, 1);
      g_string_append_c (head, c);
      ck_assert_uint_lt (head->len, 8192);
    }
  return g_string_free (head, FALSE);
}

START_TEST (test_encrypted_wire_wss_and_https)
{
  TestCerts *certs = test_certs_new ();
  TestServer *ts = pattern_server_new ();
  g_autofree char *root = g_dir_make_tmp ("cairovnc-pages-XXXXXX", NULL);
  g_autofree char *index = g_build_filename (root, "index.html", NULL);
  static const char upgrade[] = "GET /websockify HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: binary\r\n\r\n";
  static const char page_request[] = "GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  static const guint8 none = 1, shared = 1;
  static const char version[] = "RFB 003.008\n";
  g_autofree guint32 *fb = g_new0 (guint32, WIDTH * HEIGHT);
  g_autofree char *head = NULL;
  g_autofree char *page = NULL;
  guint8 server_version[12], count, type, result[4], init[24], name[5], request[10], encodings[8] = { 2, 0, 0, 1 };
  guint8 update[4], needle[32];
  WssViewer *wv;
  Relay *relay;
  guint n_rects;

  ck_assert (g_file_set_contents (index, "<html>" PAGE_TEXT "</html>", -1, NULL));
  g_object_set (ts->server, "tls-cert-file", certs->server_cert, "tls-key-file", certs->server_key, "http-root",
                root, NULL);
  test_server_start_with_http (ts);

  /* A page over https://. */
  relay = relay_new (ts->http_port);
  wv = wss_connect (relay->port, certs->ca_cert);
  wss_write (wv, page_request, strlen (page_request));
  head = wss_read_head (wv);
  ck_assert_msg (g_str_has_prefix (head, "HTTP/1.1 200"), "%s", head);
  {
    char body[256] = "";
    gsize got = 0;
    g_input_stream_read_all (g_io_stream_get_input_stream (wv->stream), body, sizeof body - 1, &got, NULL, NULL);
    ck_assert_msg (strstr (body, PAGE_TEXT) != NULL, "page: %s", body);
  }
  wss_free (wv);
  relay_stop (relay);
  ck_assert_msg (!contains (relay->to_viewer, PAGE_TEXT, strlen (PAGE_TEXT)), "the page in the clear");
  relay_free (relay);
  g_clear_pointer (&head, g_free);

  /* A viewer over wss://: None is enough, the connection is TLS. */
  relay = relay_new (ts->http_port);
  wv = wss_connect (relay->port, certs->ca_cert);
  wss_write (wv, upgrade, strlen (upgrade));
  head = wss_read_head (wv);
  ck_assert_msg (g_str_has_prefix (head, "HTTP/1.1 101"), "%s", head);
  wss_recv_rfb (wv, server_version, 12);
  ck_assert (memcmp (server_version, version, 12) == 0);
  wss_send_rfb (wv, version, 12);
  wss_recv_rfb (wv, &count, 1);
  ck_assert_uint_eq (count, 1);
  wss_recv_rfb (wv, &type, 1);
  ck_assert_uint_eq (type, 1);
  wss_send_rfb (wv, &none, 1);
  wss_recv_rfb (wv, result, 4);
  ck_assert_uint_eq (test_get_u32 (result), 0);
  wss_send_rfb (wv, &shared, 1);
  wss_recv_rfb (wv, init, sizeof init);
  ck_assert_uint_eq (test_get_u16 (init), WIDTH);
  wss_recv_rfb (wv, name, test_get_u32 (init + 20));
  wss_send_rfb (wv, encodings, sizeof encodings);
  test_build_update_request (request, FALSE, 0, 0, WIDTH, HEIGHT);
  wss_send_rfb (wv, request, sizeof request);

  /* Raw rectangles until the whole surface is there. */
  for (guint covered = 0; covered < WIDTH * HEIGHT;)
    {
      wss_recv_rfb (wv, update, 4);
      ck_assert_uint_eq (update[0], 0);
      n_rects = test_get_u16 (update + 2);
      for (guint i = 0; i < n_rects; i++)
        {
          guint8 rect[12];
          guint x, y, w, h;
          wss_recv_rfb (wv, rect, 12);
          x = test_get_u16 (rect);
          y = test_get_u16 (rect + 2);
          w = test_get_u16 (rect + 4);
          h = test_get_u16 (rect + 6);
          ck_assert_uint_eq (test_get_u32 (rect + 8), 0);
          ck_assert (x + w <= WIDTH && y + h <= HEIGHT);
          for (guint row = 0; row < h; row++)
            for (guint col = 0; col < w; col++)
              {
                guint8 px[4];
                wss_recv_rfb (wv, px, 4);
                fb[(y + row) * WIDTH + x + col] = px[0] | (px[1] << 8) | ((guint32) px[2] << 16);
              }
          covered += w * h;
        }
    }
  for (int y = 0; y < HEIGHT; y++)
    for (int x = 0; x < WIDTH; x++)
      ck_assert_msg (fb[y * WIDTH + x] == pattern[x % 4], "pixel %d,%d is 0x%06x", x, y, fb[y * WIDTH + x]);
  wss_free (wv);
  relay_stop (relay);

  pattern_needle (needle);
  ck_assert_uint_gt (relay->to_viewer->len, WIDTH * HEIGHT * 4);
  ck_assert_msg (!contains (relay->to_viewer, needle, sizeof needle), "plaintext pixels on the wire");
  ck_assert_msg (!contains (relay->to_viewer, version, 12), "RFB in the clear");

  relay_free (relay);
  test_server_free (ts);
  g_unlink (index);
  g_rmdir (root);
  test_certs_free (certs);
}
END_TEST

START_TEST (test_encrypted_wire_plain_http_shares_the_port)
{
  TestCerts *certs = test_certs_new ();
  TestServer *ts = pattern_server_new ();
  GSocket *socket;
  static const char request[] = "GET /missing HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  char answer[12] = "";

  g_object_set (ts->server, "tls-cert-file", certs->server_cert, "tls-key-file", certs->server_key, "http-root",
                NULL, NULL);
  test_server_start_with_http (ts);
  socket = test_raw_connect (ts->http_port);
  ck_assert (test_raw_send (socket, request, strlen (request)));
  ck_assert_msg (test_raw_recv (socket, answer, sizeof answer, TEST_TIMEOUT_US), "no plain HTTP answer");
  ck_assert_msg (memcmp (answer, "HTTP/1.1 404", 12) == 0, "%.12s", answer);

  g_object_unref (socket);
  test_server_free (ts);
  test_certs_free (certs);
}
END_TEST

static Suite *
encrypted_wire_suite (void)
{
  Suite *suite = suite_create ("encrypted-wire");
  TCase *capture = tcase_create ("capture");
  TCase *browsers = tcase_create ("browsers");

  tcase_set_timeout (capture, 60);
  tcase_add_test (capture, test_encrypted_wire_vencrypt_hides_everything);
  tcase_add_test (capture, test_encrypted_wire_control_shows_everything);
  tcase_add_test (capture, test_encrypted_wire_ard_hides_the_password);
  suite_add_tcase (suite, capture);

  tcase_set_timeout (browsers, 60);
  tcase_add_test (browsers, test_encrypted_wire_wss_and_https);
  tcase_add_test (browsers, test_encrypted_wire_plain_http_shares_the_port);
  suite_add_tcase (suite, browsers);
  return suite;
}

int
main (void)
{
  return testutil_run (encrypted_wire_suite ());
}
