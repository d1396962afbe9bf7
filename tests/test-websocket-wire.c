/* test-websocket-wire.c — browsers' port over real sockets.
 *
 * A WebSocket client written here on a raw socket (the handshake, masked
 * frames, a reader that joins the server's frames into one RFB stream)
 * speaks RFB to the server's http-port: the pixels it decodes must equal
 * the surface, its input must arrive as events, ping, close and bad
 * frames must be answered as RFC 6455 says. Plain HTTP on the same port
 * serves a folder made for the test, refuses what it must with the right
 * status, and keeps connections alive between requests. Native viewers
 * are not affected, and HTTP connections are not viewers.
 */
#include "testutil.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#define WIDTH 96
#define HEIGHT 72
#define KEY TEST_WS_KEY

/* HTTP on a raw socket. */

static gboolean
read_response (GSocket *socket, GByteArray *rest, TestHttpResponse *r)
{
  return test_http_read_response (socket, rest, FALSE, r);
}

static void
request (GSocket *socket, const char *text, TestHttpResponse *r)
{
  g_autoptr (GByteArray) rest = g_byte_array_new ();

  ck_assert (test_raw_send (socket, text, strlen (text)));
  ck_assert_msg (read_response (socket, rest, r), "no answer to %s", text);
  ck_assert_uint_eq (rest->len, 0);
}

/* One request on a connection of its own. */
static void
request_alone (guint port, const char *text, TestHttpResponse *r)
{
  g_autoptr (GSocket) socket = test_raw_connect (port);

  request (socket, text, r);
}

/* WebSocket frames on a raw socket. */

static void
ws_send (GSocket *socket, const void *payload, gsize len)
{
  test_ws_send_frame (socket, TRUE, 0x2, payload, len, TRUE);
}

/* A WebSocket RFB viewer: the binary frames' payload as one stream. */
typedef struct {
  GSocket *socket;
  GByteArray *stream;          /* received, not yet read */
  guint pongs;
  GByteArray *last_pong;
} WsViewer;

static void
ws_viewer_free (WsViewer *v)
{
  g_object_unref (v->socket);
  g_byte_array_unref (v->stream);
  g_byte_array_unref (v->last_pong);
  g_free (v);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WsViewer, ws_viewer_free)

/* Opens a WebSocket at @path; @first_frame, if not NULL, goes in the
 * same write as the request, before any answer. */
static WsViewer *
ws_viewer_connect (guint http_port, const char *path, const char *first_frame)
{
  WsViewer *v = g_new0 (WsViewer, 1);

  v->socket = test_ws_connect (http_port, path, first_frame);
  v->stream = g_byte_array_new ();
  v->last_pong = g_byte_array_new ();
  return v;
}

/* Reads frames until @len bytes of RFB are there; answers nothing. */
static gboolean
ws_read (WsViewer *v, void *data, gsize len)
{
  gint64 deadline = g_get_monotonic_time () + TEST_TIMEOUT_US;
  g_autoptr (GByteArray) payload = g_byte_array_new ();

  while (v->stream->len < len)
    {
      guint8 opcode;
      gboolean fin;
      gint64 left = deadline - g_get_monotonic_time ();

      if (left <= 0 || !test_ws_read_frame (v->socket, &opcode, &fin, payload, left))
        return FALSE;
      ck_assert_msg (fin, "the server fragmented a message");
      if (opcode == 0xa)
        {
          v->pongs++;
          g_byte_array_set_size (v->last_pong, 0);
          g_byte_array_append (v->last_pong, payload->data, payload->len);
          continue;
        }
      ck_assert_msg (opcode == 0x2, "frame of opcode %u amid RFB", opcode);
      ck_assert_uint_gt (payload->len, 0);
      g_byte_array_append (v->stream, payload->data, payload->len);
    }
  memcpy (data, v->stream->data, len);
  g_byte_array_remove_range (v->stream, 0, (guint) len);
  return TRUE;
}

static guint32
read_u32 (WsViewer *v)
{
  guint8 b[4];

  ck_assert (ws_read (v, b, 4));
  return test_get_u32 (b);
}

/* The RFB handshake through frames (3.8, None); returns the size. */
static void
ws_rfb_handshake (WsViewer *v, gboolean version_sent, int *width, int *height)
{
  guint8 version[12], types[2], init[24];
  guint8 none = 1, shared = 1;
  g_autofree char *name = NULL;
  guint32 name_len;

  ck_assert (ws_read (v, version, 12));
  ck_assert (memcmp (version, "RFB 003.008\n", 12) == 0);
  if (!version_sent)
    ws_send (v->socket, "RFB 003.008\n", 12);
  ck_assert (ws_read (v, types, 2));
  ck_assert_uint_eq (types[0], 1);
  ck_assert_uint_eq (types[1], 1);
  ws_send (v->socket, &none, 1);
  ck_assert_uint_eq (read_u32 (v), 0);
  ws_send (v->socket, &shared, 1);
  ck_assert (ws_read (v, init, 24));
  *width = test_get_u16 (init);
  *height = test_get_u16 (init + 2);
  name_len = test_get_u32 (init + 20);
  ck_assert_uint_lt (name_len, 1000);
  name = g_malloc0 (name_len + 1);
  ck_assert (ws_read (v, name, name_len));
  ck_assert_str_eq (name, "Cairo");
}

/* Reads one FramebufferUpdate of Raw rectangles (default pixel format)
 * into @fb. */
static void
ws_read_raw_update (WsViewer *v, guint32 *fb, int width, int height)
{
  guint8 head[4];
  guint n;

  ck_assert (ws_read (v, head, 4));
  ck_assert_uint_eq (head[0], 0);
  n = test_get_u16 (head + 2);
  for (guint i = 0; i < n; i++)
    {
      guint8 rh[12];
      int x, y, w, h;
      g_autofree guint8 *pixels = NULL;

      ck_assert (ws_read (v, rh, 12));
      x = test_get_u16 (rh);
      y = test_get_u16 (rh + 2);
      w = test_get_u16 (rh + 4);
      h = test_get_u16 (rh + 6);
      ck_assert_int_eq ((gint32) test_get_u32 (rh + 8), 0);
      ck_assert (x + w <= width && y + h <= height);
      pixels = g_malloc ((gsize) w * (gsize) h * 4 + 1);
      ck_assert (ws_read (v, pixels, (gsize) w * (gsize) h * 4));
      for (int row = 0; row < h; row++)
        for (int col = 0; col < w; col++)
          {
            const guint8 *p = pixels + ((gsize) row * (gsize) w + (gsize) col) * 4;
            fb[(y + row) * width + x + col] = (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16);
          }
    }
}

static guint
count_differences (TestServer *ts, const guint32 *fb)
{
  guint differing = 0;

  g_mutex_lock (&ts->lock);
  cairo_surface_flush (ts->surface);
  for (int y = 0; y < HEIGHT; y++)
    for (int x = 0; x < WIDTH; x++)
      {
        const guint8 *row = cairo_image_surface_get_data (ts->surface) +
                            (gsize) y * (gsize) cairo_image_surface_get_stride (ts->surface);
        guint32 s = ((const guint32 *) (const void *) row)[x] & 0xffffff;
        differing += s != fb[y * WIDTH + x];
      }
  g_mutex_unlock (&ts->lock);
  return differing;
}

static TestServer *
server_new (const char *root)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, WIDTH, HEIGHT, 5);
  TestServer *ts = test_server_new (surface);

  cairo_surface_destroy (surface);
  g_object_set (ts->server, "read-only", FALSE, "http-root", root, NULL);
  return ts;
}

static gboolean
wait_event (TestServer *ts, CairoVncEventType type, CairoVncEvent **out)
{
  gint64 deadline = g_get_monotonic_time () + TEST_TIMEOUT_US;

  while (g_get_monotonic_time () < deadline)
    {
      CairoVncEvent *event = test_server_pop_event (ts, 100000);
      if (event == NULL)
        continue;
      if (event->type == type)
        {
          *out = event;
          return TRUE;
        }
      cairovnc_event_free (event);
    }
  return FALSE;
}

START_TEST (test_websocket_wire_rfb_pixels_and_input)
{
  TestServer *ts = server_new (NULL);
  g_autoptr (WsViewer) v = NULL;
  g_autofree guint32 *fb = g_new0 (guint32, WIDTH * HEIGHT);
  gint32 raw = 0;
  guint8 encodings[8] = { 2, 0, 0, 1 };
  guint8 request_msg[10], pointer_down[6] = { 5, 1 }, pointer_up[6] = { 5, 0 }, key[8] = { 4, 1 };
  g_autoptr (GByteArray) two = g_byte_array_new ();
  CairoVncEvent *event = NULL;
  int width = 0, height = 0;

  test_server_start_with_http (ts);
  /* The client's version rides in the same packet as the upgrade. */
  v = ws_viewer_connect (ts->http_port, "/websockify", "RFB 003.008\n");
  ws_rfb_handshake (v, TRUE, &width, &height);
  ck_assert_int_eq (width, WIDTH);
  ck_assert_int_eq (height, HEIGHT);

  /* SetEncodings split over a fragmented message, then the request in
   * two frames of their own. */
  test_put_u32 (encodings + 4, (guint32) raw);
  test_ws_send_frame (v->socket, FALSE, 0x2, encodings, 3, TRUE);
  test_ws_send_frame (v->socket, TRUE, 0x0, encodings + 3, 5, TRUE);
  test_build_update_request (request_msg, FALSE, 0, 0, WIDTH, HEIGHT);
  ws_send (v->socket, request_msg, 4);
  ws_send (v->socket, request_msg + 4, 6);
  ws_read_raw_update (v, fb, WIDTH, HEIGHT);
  ck_assert_uint_eq (count_differences (ts, fb), 0);

  /* A new frame, asked for incrementally. */
  test_server_redraw (ts, 6);
  test_build_update_request (request_msg, TRUE, 0, 0, WIDTH, HEIGHT);
  ws_send (v->socket, request_msg, 10);
  {
    gint64 deadline = g_get_monotonic_time () + TEST_TIMEOUT_US;
    ws_read_raw_update (v, fb, WIDTH, HEIGHT);
    while (count_differences (ts, fb) != 0 && g_get_monotonic_time () < deadline)
      {
        ws_send (v->socket, request_msg, 10);
        ws_read_raw_update (v, fb, WIDTH, HEIGHT);
      }
    ck_assert_uint_eq (count_differences (ts, fb), 0);
  }

  /* Input: a click and a key, two messages in one frame. */
  test_put_u16 (pointer_down + 2, 10);
  test_put_u16 (pointer_down + 4, 20);
  test_put_u16 (pointer_up + 2, 10);
  test_put_u16 (pointer_up + 4, 20);
  g_byte_array_append (two, pointer_down, 6);
  g_byte_array_append (two, pointer_up, 6);
  ws_send (v->socket, two->data, two->len);
  ck_assert (wait_event (ts, CAIROVNC_EVENT_CLICK, &event));
  ck_assert_int_eq (event->x, 10);
  ck_assert_int_eq (event->y, 20);
  ck_assert_uint_eq (event->button, 0);
  ck_assert (event->down);
  ck_assert_uint_eq (event->client_id, 1);
  cairovnc_event_free (event);
  test_put_u32 (key + 4, 0x61);
  ws_send (v->socket, key, 8);
  ck_assert (wait_event (ts, CAIROVNC_EVENT_KEY, &event));
  ck_assert_uint_eq (event->keysym, 0x61);
  ck_assert (event->down);
  cairovnc_event_free (event);

  test_server_free (ts);
}
END_TEST

START_TEST (test_websocket_wire_ping_and_close_handshake)
{
  TestServer *ts = server_new (NULL);
  g_autoptr (WsViewer) v = NULL;
  g_autoptr (GByteArray) payload = g_byte_array_new ();
  guint8 version[12], opcode;
  gboolean fin;
  guint8 bye[2] = { 0x03, 0xe8 };

  test_server_start_with_http (ts);
  v = ws_viewer_connect (ts->http_port, "/", NULL);
  ck_assert (ws_read (v, version, 12));
  test_ws_send_frame (v->socket, TRUE, 0x9, "are you there", 13, TRUE);
  ck_assert (test_ws_read_frame (v->socket, &opcode, &fin, payload, TEST_TIMEOUT_US));
  ck_assert_uint_eq (opcode, 0xa);
  ck_assert_uint_eq (payload->len, 13);
  ck_assert (memcmp (payload->data, "are you there", 13) == 0);

  test_ws_send_frame (v->socket, TRUE, 0x8, bye, 2, TRUE);
  ck_assert (test_ws_read_frame (v->socket, &opcode, &fin, payload, TEST_TIMEOUT_US));
  ck_assert_uint_eq (opcode, 0x8);
  ck_assert_uint_eq (payload->len, 2);
  ck_assert_uint_eq (test_get_u16 (payload->data), 1000);
  ck_assert (test_raw_wait_closed (v->socket, TEST_TIMEOUT_US));
  test_server_free (ts);
}
END_TEST

/* Sends @frame_bytes after the version and expects a Close with @code. */
static void
expect_close_after (const guint8 *frame_bytes, gsize len, guint16 code)
{
  TestServer *ts = server_new (NULL);
  g_autoptr (WsViewer) v = NULL;
  g_autoptr (GByteArray) payload = g_byte_array_new ();
  guint8 version[12], opcode;
  gboolean fin;

  test_server_start_with_http (ts);
  v = ws_viewer_connect (ts->http_port, "/", NULL);
  ck_assert (ws_read (v, version, 12));
  ck_assert (test_raw_send (v->socket, frame_bytes, len));
  ck_assert (test_ws_read_frame (v->socket, &opcode, &fin, payload, TEST_TIMEOUT_US));
  ck_assert_uint_eq (opcode, 0x8);
  ck_assert_uint_ge (payload->len, 2);
  ck_assert_uint_eq (test_get_u16 (payload->data), code);
  ck_assert (test_raw_wait_closed (v->socket, TEST_TIMEOUT_US));
  /* And the server goes on. */
  {
    g_autoptr (WsViewer) again = ws_viewer_connect (ts->http_port, "/", NULL);
    ck_assert (ws_read (again, version, 12));
  }
  test_server_free (ts);
}

START_TEST (test_websocket_wire_unmasked_frame_is_refused)
{
  static const guint8 frame[] = { 0x82, 12, 'R', 'F', 'B', ' ', '0', '0', '3', '.', '0', '0', '8', '\n' };

  expect_close_after (frame, sizeof frame, 1002);
}
END_TEST

START_TEST (test_websocket_wire_oversized_frame_is_refused)
{
  /* 64 MiB announced, masked, nothing behind it. */
  static const guint8 frame[] = { 0x82, 0xff, 0, 0, 0, 0, 0x04, 0, 0, 0, 1, 2, 3, 4 };

  expect_close_after (frame, sizeof frame, 1009);
}
END_TEST

START_TEST (test_websocket_wire_text_frame_is_refused)
{
  static const guint8 frame[] = { 0x81, 0x80 | 2, 0, 0, 0, 0, 'h', 'i' };

  expect_close_after (frame, sizeof frame, 1003);
}
END_TEST

static const struct {
  const char *what;
  const char *request;         /* %u: the port */
  int status;
  const char *header;          /* that the answer must have */
} refusals[] = {
  { "version 8",
    "GET / HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
    "Sec-WebSocket-Key: " KEY "\r\nSec-WebSocket-Version: 8\r\n\r\n",
    426, "\r\nSec-WebSocket-Version: 13\r\n" },
  { "no key",
    "GET / HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n",
    400, "\r\nConnection: close\r\n" },
  { "another site's page",
    "GET / HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nOrigin: http://example.com\r\nConnection: Upgrade\r\n"
    "Upgrade: websocket\r\nSec-WebSocket-Key: " KEY "\r\nSec-WebSocket-Version: 13\r\n\r\n",
    403, "\r\nConnection: close\r\n" },
  { "POST", "POST / HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nContent-Length: 0\r\n\r\n", 405, "\r\nAllow: GET, HEAD\r\n" },
  { "RFB on the HTTP port", "RFB 003.008\n\n", 400, "\r\nConnection: close\r\n" },
  { "HTTP/2", "GET / HTTP/2.0\r\n\r\n", 505, "\r\nConnection: close\r\n" },
};

START_TEST (test_websocket_wire_http_refusals)
{
  TestServer *ts = server_new (NULL);
  g_autofree char *text = NULL;
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GByteArray) rest = g_byte_array_new ();
  TestHttpResponse r;

  test_server_start_with_http (ts);
  text = g_strdup_printf (refusals[_i].request, ts->http_port);
  socket = test_raw_connect (ts->http_port);
  ck_assert (test_raw_send (socket, text, strlen (text)));
  ck_assert_msg (read_response (socket, rest, &r), "%s: no answer", refusals[_i].what);
  ck_assert_msg (r.status == refusals[_i].status, "%s: %d, expected %d", refusals[_i].what, r.status,
                 refusals[_i].status);
  ck_assert_msg (strstr (r.head, refusals[_i].header) != NULL, "%s: no %s in %s", refusals[_i].what,
                 refusals[_i].header, r.head);
  /* The body says why, for people. */
  ck_assert_uint_gt (r.body->len, 10);
  test_http_response_clear (&r);
  /* These end the connection; nothing became a viewer. */
  if (refusals[_i].status != 405)
    ck_assert (test_raw_wait_closed (socket, TEST_TIMEOUT_US));
  ck_assert_uint_eq (cairovnc_server_get_n_clients (ts->server), 0);
  test_server_free (ts);
}
END_TEST

START_TEST (test_websocket_wire_huge_request_is_refused)
{
  TestServer *ts = server_new (NULL);
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GByteArray) rest = g_byte_array_new ();
  g_autoptr (GString) text = g_string_new ("GET / HTTP/1.1\r\nHost: x\r\nCookie: ");
  TestHttpResponse r;

  test_server_start_with_http (ts);
  socket = test_raw_connect (ts->http_port);
  /* Over the limit, but not by so much that the server closes with
   * bytes unread (which would reset the connection). */
  while (text->len < 20 * 1024)
    g_string_append (text, "abcdefgh");
  ck_assert (test_raw_send (socket, text->str, text->len));
  ck_assert (read_response (socket, rest, &r));
  ck_assert_int_eq (r.status, 431);
  test_http_response_clear (&r);
  ck_assert (test_raw_wait_closed (socket, TEST_TIMEOUT_US));
  test_server_free (ts);
}
END_TEST

/* A folder: index.html, app/ui.js, a link out of it, and vnc.html. */
static char *
make_pages (gboolean with_index, char **top)
{
  g_autofree char *root = NULL;
  g_autofree char *app = NULL;
  g_autofree char *path = NULL;

  *top = g_dir_make_tmp ("cairovnc-wire-XXXXXX", NULL);
  root = g_build_filename (*top, "root", NULL);
  app = g_build_filename (root, "app", NULL);
  ck_assert_int_eq (g_mkdir_with_parents (app, 0700), 0);
  path = g_build_filename (*top, "secret.txt", NULL);
  ck_assert (g_file_set_contents (path, "secret", -1, NULL));
  g_free (path);
  if (with_index)
    {
      path = g_build_filename (root, "index.html", NULL);
      ck_assert (g_file_set_contents (path, "<p>hello</p>", -1, NULL));
      g_free (path);
    }
  path = g_build_filename (root, "vnc.html", NULL);
  ck_assert (g_file_set_contents (path, "<p>viewer</p>", -1, NULL));
  g_free (path);
  path = g_build_filename (app, "ui.js", NULL);
  ck_assert (g_file_set_contents (path, "export default 1;\n", -1, NULL));
  g_free (path);
  path = g_build_filename (root, "out.txt", NULL);
  ck_assert_int_eq (symlink ("../secret.txt", path), 0);
  return g_steal_pointer (&root);
}

static void
remove_pages (char *top)
{
  const char *files[] = { "root/app/ui.js", "root/app", "root/index.html", "root/vnc.html", "root/out.txt", "root",
                          "secret.txt", "" };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (top, files[i], NULL);
      if (g_remove (path) != 0 && g_file_test (path, G_FILE_TEST_IS_DIR))
        g_rmdir (path);
    }
  g_free (top);
}

START_TEST (test_websocket_wire_static_files_on_one_connection)
{
  char *top = NULL;
  g_autofree char *root = make_pages (TRUE, &top);
  TestServer *ts = server_new (root);
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GByteArray) rest = g_byte_array_new ();
  g_autofree char *pipelined = NULL;
  TestHttpResponse r;

  test_server_start_with_http (ts);
  socket = test_raw_connect (ts->http_port);
  request (socket, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", &r);
  ck_assert_int_eq (r.status, 200);
  ck_assert_ptr_nonnull (strstr (r.head, "\r\nContent-Type: text/html; charset=utf-8\r\n"));
  ck_assert_uint_eq (r.body->len, 12);
  ck_assert (memcmp (r.body->data, "<p>hello</p>", 12) == 0);
  test_http_response_clear (&r);

  /* Three requests in one write come back in order on the same
   * connection; a refusal of a path does not end it. */
  pipelined = g_strdup ("GET /app/ui.js HTTP/1.1\r\nHost: x\r\n\r\n"
                        "GET /out.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                        "HEAD /app/ui.js HTTP/1.1\r\nHost: x\r\n\r\n");
  ck_assert (test_raw_send (socket, pipelined, strlen (pipelined)));
  ck_assert (read_response (socket, rest, &r));
  ck_assert_int_eq (r.status, 200);
  ck_assert_ptr_nonnull (strstr (r.head, "\r\nContent-Type: text/javascript; charset=utf-8\r\n"));
  ck_assert_uint_eq (r.body->len, 18);
  test_http_response_clear (&r);
  ck_assert (read_response (socket, rest, &r));
  ck_assert_int_eq (r.status, 404);
  ck_assert (memmem (r.body->data, r.body->len, "secret", 6) == NULL);
  test_http_response_clear (&r);
  /* HEAD: the length of the body it does not send. */
  ck_assert (test_http_read_response (socket, rest, TRUE, &r));
  ck_assert_int_eq (r.status, 200);
  ck_assert_ptr_nonnull (strstr (r.head, "\r\nContent-Length: 18\r\n"));
  ck_assert_uint_eq (rest->len, 0);
  test_http_response_clear (&r);

  request (socket, "GET /../secret.txt HTTP/1.1\r\nHost: x\r\n\r\n", &r);
  ck_assert_int_eq (r.status, 400);
  test_http_response_clear (&r);
  request (socket, "GET /app/%2e%2e/%2e%2e/secret.txt HTTP/1.1\r\nHost: x\r\n\r\n", &r);
  ck_assert_int_eq (r.status, 400);
  test_http_response_clear (&r);
  request (socket, "GET /nothing.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &r);
  ck_assert_int_eq (r.status, 404);
  ck_assert_ptr_nonnull (strstr (r.head, "\r\nConnection: close\r\n"));
  test_http_response_clear (&r);
  ck_assert (test_raw_wait_closed (socket, TEST_TIMEOUT_US));

  test_server_free (ts);
  remove_pages (top);
}
END_TEST

START_TEST (test_websocket_wire_root_leads_to_novnc)
{
  char *top = NULL;
  g_autofree char *root = make_pages (FALSE, &top);
  TestServer *ts = server_new (root);
  TestHttpResponse r;

  test_server_start_with_http (ts);
  request_alone (ts->http_port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", &r);
  ck_assert_int_eq (r.status, 302);
  ck_assert_ptr_nonnull (strstr (r.head, "\r\nLocation: /vnc.html?autoconnect=1&resize=scale\r\n"));
  test_http_response_clear (&r);
  request_alone (ts->http_port, "GET /vnc.html HTTP/1.1\r\nHost: x\r\n\r\n", &r);
  ck_assert_int_eq (r.status, 200);
  test_http_response_clear (&r);
  test_server_free (ts);
  remove_pages (top);
}
END_TEST

START_TEST (test_websocket_wire_no_root_serves_only_websockets)
{
  TestServer *ts = server_new (NULL);
  TestHttpResponse r;

  test_server_start_with_http (ts);
  request_alone (ts->http_port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", &r);
  ck_assert_int_eq (r.status, 404);
  ck_assert (memmem (r.body->data, r.body->len, "WebSocket", 9) != NULL);
  test_http_response_clear (&r);
  test_server_free (ts);
}
END_TEST

START_TEST (test_websocket_wire_browsers_are_not_viewers_until_they_upgrade)
{
  TestServer *ts = server_new (NULL);
  GSocket *idle[3];
  TestRawViewer *native;
  g_autoptr (WsViewer) v = NULL;
  guint8 version[12], failure[4];
  guint32 len;
  g_autofree char *reason = NULL;

  g_object_set (ts->server, "max-clients", 1, NULL);
  test_server_start_with_http (ts);
  /* Idle HTTP connections take no viewer's place. */
  for (guint i = 0; i < G_N_ELEMENTS (idle); i++)
    idle[i] = test_raw_connect (ts->http_port);
  native = test_raw_viewer_new (ts->port);
  ck_assert_uint_eq (cairovnc_server_get_n_clients (ts->server), 1);

  /* A WebSocket viewer over the limit is told why, in RFB. */
  v = ws_viewer_connect (ts->http_port, "/", NULL);
  ck_assert (ws_read (v, version, 12));
  ws_send (v->socket, "RFB 003.008\n", 12);
  ck_assert (ws_read (v, failure, 1));
  ck_assert_uint_eq (failure[0], 0);
  len = read_u32 (v);
  ck_assert_uint_lt (len, 200);
  reason = g_malloc0 (len + 1);
  ck_assert (ws_read (v, reason, len));
  ck_assert_ptr_nonnull (strstr (reason, "Too many viewers"));

  for (guint i = 0; i < G_N_ELEMENTS (idle); i++)
    g_object_unref (idle[i]);
  test_raw_viewer_free (native);
  test_server_free (ts);
}
END_TEST

START_TEST (test_websocket_wire_native_and_browser_viewers_side_by_side)
{
  TestServer *ts = server_new (NULL);
  TestViewer *native;
  g_autoptr (WsViewer) v = NULL;
  g_autofree guint32 *fb = g_new0 (guint32, WIDTH * HEIGHT);
  guint8 encodings[8] = { 2, 0, 0, 1, 0, 0, 0, 0 };
  guint8 request_msg[10];
  int width, height;

  test_server_start_with_http (ts);
  native = test_viewer_connect (ts->port, NULL, "raw", NULL);
  ck_assert_ptr_nonnull (native);
  v = ws_viewer_connect (ts->http_port, "/", NULL);
  ws_rfb_handshake (v, FALSE, &width, &height);
  ws_send (v->socket, encodings, 8);
  test_build_update_request (request_msg, FALSE, 0, 0, WIDTH, HEIGHT);
  ws_send (v->socket, request_msg, 10);
  ws_read_raw_update (v, fb, WIDTH, HEIGHT);
  ck_assert_uint_eq (count_differences (ts, fb), 0);
  test_viewer_assert_match (native, ts, "native viewer beside a browser");
  ck_assert_uint_eq (cairovnc_server_get_n_clients (ts->server), 2);
  test_viewer_free (native);
  test_server_free (ts);
}
END_TEST

START_TEST (test_websocket_wire_start_errors)
{
  TestServer *ts = server_new ("/nonexistent-cairovnc-pages");
  TestServer *other;
  g_autoptr (GError) error = NULL;
  g_autofree char *port_text = NULL;

  g_object_set (ts->server, "http-port", 1, NULL);
  ck_assert (!cairovnc_server_start (ts->server, NULL, &error));
  ck_assert (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_HTTP_ROOT));
  ck_assert_ptr_nonnull (strstr (error->message, "/nonexistent-cairovnc-pages"));
  ck_assert (!cairovnc_server_is_running (ts->server));
  g_clear_error (&error);

  /* A port in use is an error that names it. */
  g_object_set (ts->server, "http-root", NULL, NULL);
  test_server_start_with_http (ts);
  other = server_new (NULL);
  g_object_set (other->server, "http-port", ts->http_port, NULL);
  ck_assert (!cairovnc_server_start_thread (other->server, &error));
  ck_assert (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_LISTEN));
  ck_assert_ptr_nonnull (strstr (error->message, "for browsers"));
  port_text = g_strdup_printf (":%u:", ts->http_port);
  ck_assert_ptr_nonnull (strstr (error->message, port_text));
  ck_assert_uint_eq (cairovnc_server_get_port (other->server), 0);
  test_server_free (other);

  /* Off, no port. */
  test_server_free (ts);
  ts = server_new (NULL);
  test_server_start (ts);
  ck_assert_uint_eq (cairovnc_server_get_http_port (ts->server), 0);
  test_server_free (ts);
}
END_TEST

static Suite *
websocket_wire_suite (void)
{
  Suite *s = suite_create ("websocket-wire");
  TCase *tc;

  tc = tcase_create ("rfb");
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_websocket_wire_rfb_pixels_and_input);
  tcase_add_test (tc, test_websocket_wire_native_and_browser_viewers_side_by_side);
  tcase_add_test (tc, test_websocket_wire_browsers_are_not_viewers_until_they_upgrade);
  suite_add_tcase (s, tc);

  tc = tcase_create ("frames");
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_websocket_wire_ping_and_close_handshake);
  tcase_add_test (tc, test_websocket_wire_unmasked_frame_is_refused);
  tcase_add_test (tc, test_websocket_wire_oversized_frame_is_refused);
  tcase_add_test (tc, test_websocket_wire_text_frame_is_refused);
  suite_add_tcase (s, tc);

  tc = tcase_create ("http");
  tcase_set_timeout (tc, 30);
  tcase_add_loop_test (tc, test_websocket_wire_http_refusals, 0, G_N_ELEMENTS (refusals));
  tcase_add_test (tc, test_websocket_wire_huge_request_is_refused);
  tcase_add_test (tc, test_websocket_wire_static_files_on_one_connection);
  tcase_add_test (tc, test_websocket_wire_root_leads_to_novnc);
  tcase_add_test (tc, test_websocket_wire_no_root_serves_only_websockets);
  tcase_add_test (tc, test_websocket_wire_start_errors);
  suite_add_tcase (s, tc);

  return s;
}

int
main (void)
{
  return testutil_run (websocket_wire_suite ());
}
