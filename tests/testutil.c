/* testutil.c — servers, libvncclient viewers and raw sockets for the
 * integration tests. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Warnings fail the test, unless expected. */

static char *expected_warning;
static gboolean warning_seen;

static GLogWriterOutput
log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  if (level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR))
    {
      const char *message = NULL;
      for (gsize i = 0; i < n_fields; i++)
        if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
          message = fields[i].value;
      if (expected_warning != NULL && message != NULL && strstr (message, expected_warning) != NULL)
        {
          warning_seen = TRUE;
          return G_LOG_WRITER_HANDLED;
        }
      g_log_writer_default (level, fields, n_fields, data);
      ck_abort_msg ("unexpected warning: %s", message ? message : "(no message)");
    }
  return g_log_writer_default (level, fields, n_fields, data);
}

static void
quiet_log (const char *format, ...)
{
}

void
testutil_init (void)
{
  g_log_set_writer_func (log_writer, NULL, NULL);
  rfbClientLog = quiet_log;
}

void
testutil_expect_warning (const char *substring)
{
  g_free (expected_warning);
  expected_warning = g_strdup (substring);
  warning_seen = FALSE;
}

gboolean
testutil_warning_seen (void)
{
  return warning_seen;
}

int
testutil_run (Suite *suite)
{
  SRunner *runner;
  int failed;

  testutil_init ();
  runner = srunner_create (suite);
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Scenes. */

void
testutil_scene_draw (cairo_surface_t *surface, guint seed)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  cairo_t *cr = cairo_create (surface);
  cairo_pattern_t *gradient = cairo_pattern_create_linear (0, 0, width, height);
  GRand *rand = g_rand_new_with_seed (seed);

  cairo_pattern_add_color_stop_rgb (gradient, 0, 0.1, 0.2 + (seed % 5) * 0.1, 0.6);
  cairo_pattern_add_color_stop_rgb (gradient, 1, 0.9, 0.5, 0.1 + (seed % 3) * 0.2);
  cairo_set_source (cr, gradient);
  cairo_paint (cr);
  cairo_pattern_destroy (gradient);

  for (int i = 0; i < 6; i++)
    {
      cairo_set_source_rgba (cr, g_rand_double (rand), g_rand_double (rand), g_rand_double (rand),
                             0.5 + g_rand_double (rand) / 2);
      cairo_rectangle (cr, g_rand_int_range (rand, -20, MAX (width, 1)),
                       g_rand_int_range (rand, -20, MAX (height, 1)),
                       g_rand_int_range (rand, 1, MAX (width / 2, 2)),
                       g_rand_int_range (rand, 1, MAX (height / 2, 2)));
      cairo_fill (cr);
    }
  /* Text-like stripes. */
  cairo_set_source_rgb (cr, 1, 1, 1);
  for (int y = 4; y < height; y += 12)
    for (int x = 4; x < width; x += g_rand_int_range (rand, 3, 9))
      cairo_rectangle (cr, x, y, 1 + g_rand_int_range (rand, 0, 3), 7);
  cairo_fill (cr);
  cairo_destroy (cr);

  /* A patch of noise, written directly. */
  cairo_surface_flush (surface);
  {
    guint8 *data = cairo_image_surface_get_data (surface);
    int stride = cairo_image_surface_get_stride (surface);
    gboolean alpha = cairo_image_surface_get_format (surface) == CAIRO_FORMAT_ARGB32;
    for (int y = height / 2; y < height / 2 + MIN (height / 4, 40); y++)
      for (int x = width / 2; x < width / 2 + MIN (width / 4, 40); x++)
        {
          guint32 a = alpha ? (guint32) g_rand_int_range (rand, 0, 256) : 255;
          guint32 r = (guint32) g_rand_int_range (rand, 0, 256) * a / 255;
          guint32 g = (guint32) g_rand_int_range (rand, 0, 256) * a / 255;
          guint32 b = (guint32) g_rand_int_range (rand, 0, 256) * a / 255;
          ((guint32 *) (void *) (data + y * stride))[x] = (a << 24) | (r << 16) | (g << 8) | b;
        }
  }
  cairo_surface_mark_dirty (surface);
  g_rand_free (rand);
}

cairo_surface_t *
testutil_scene_new (cairo_format_t format, int width, int height, guint seed)
{
  cairo_surface_t *surface = cairo_image_surface_create (format, width, height);

  testutil_scene_draw (surface, seed);
  return surface;
}

/* Servers. */

TestServer *
test_server_new (cairo_surface_t *surface)
{
  TestServer *ts = g_new0 (TestServer, 1);

  g_mutex_init (&ts->lock);
  ts->surface = cairo_surface_reference (surface);
  ts->server = cairovnc_server_new (surface, &ts->lock);
  g_object_set (ts->server, "host", "127.0.0.1", "port", 0, "max-clients", 0, NULL);
  return ts;
}

void
test_server_start (TestServer *ts)
{
  GError *error = NULL;

  ck_assert_msg (cairovnc_server_start_thread (ts->server, &error), "start: %s",
                 error ? error->message : "?");
  ts->port = cairovnc_server_get_port (ts->server);
  ck_assert_uint_ne (ts->port, 0);
}

/* A port free on 127.0.0.1 just now. */
static guint
free_port (void)
{
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                             NULL);

  ck_assert (socket != NULL && g_socket_bind (socket, address, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

void
test_server_start_with_http (TestServer *ts)
{
  g_autoptr (GError) error = NULL;

  for (int attempt = 0; attempt < 5; attempt++)
    {
      g_clear_error (&error);
      g_object_set (ts->server, "http-port", free_port (), NULL);
      if (cairovnc_server_start_thread (ts->server, &error))
        break;
      ck_assert_msg (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_LISTEN), "start: %s", error->message);
    }
  ck_assert_msg (error == NULL, "start: %s", error ? error->message : "");
  ts->port = cairovnc_server_get_port (ts->server);
  ts->http_port = cairovnc_server_get_http_port (ts->server);
  ck_assert_uint_ne (ts->http_port, 0);
}

void
test_server_free (TestServer *ts)
{
  cairovnc_server_stop (ts->server);
  g_object_unref (ts->server);
  cairo_surface_destroy (ts->surface);
  g_mutex_clear (&ts->lock);
  g_free (ts);
}

void
test_server_redraw (TestServer *ts, guint seed)
{
  g_mutex_lock (&ts->lock);
  testutil_scene_draw (ts->surface, seed);
  g_mutex_unlock (&ts->lock);
  cairovnc_server_frame_ready (ts->server);
}

CairoVncEvent *
test_server_pop_event (TestServer *ts, gint64 timeout_us)
{
  return cairovnc_server_pop_event (ts->server, timeout_us);
}

/* Viewers. */

const TestPixelFormat test_format_rgb888 = { 32, FALSE, 255, 255, 255, 16, 8, 0 };
const TestPixelFormat test_format_bgr888_be = { 32, TRUE, 255, 255, 255, 0, 8, 16 };
const TestPixelFormat test_format_rgb565 = { 16, FALSE, 31, 63, 31, 11, 5, 0 };
const TestPixelFormat test_format_rgb555_be = { 16, TRUE, 31, 31, 31, 10, 5, 0 };
const TestPixelFormat test_format_bgr233 = { 8, FALSE, 7, 7, 3, 0, 3, 6 };
const TestPixelFormat test_format_rgb332 = { 8, FALSE, 7, 7, 3, 5, 2, 0 };

static int viewer_tag;

static TestViewer *
viewer_of (rfbClient *client)
{
  return rfbClientGetClientData (client, &viewer_tag);
}

static char *
get_password (rfbClient *client)
{
  TestViewer *viewer = viewer_of (client);
  return strdup (viewer->password ? viewer->password : "");
}

/* libvncclient frees what this returns, with free(). */
static rfbCredential *
get_credential (rfbClient *client, int type)
{
  TestViewer *viewer = viewer_of (client);
  rfbCredential *credential = calloc (1, sizeof *credential);

  if (type == rfbCredentialTypeX509)
    {
      credential->x509Credential.x509CACertFile = viewer->ca_file ? strdup (viewer->ca_file) : NULL;
    }
  else if (type == rfbCredentialTypeUser)
    {
      credential->userCredential.username = strdup (viewer->username ? viewer->username : "");
      credential->userCredential.password = strdup (viewer->password ? viewer->password : "");
    }
  else
    {
      free (credential);
      return NULL;
    }
  return credential;
}

static void
finished_update (rfbClient *client)
{
  viewer_of (client)->updates++;
}

static MallocFrameBufferProc default_malloc_framebuffer;

static rfbBool
malloc_framebuffer (rfbClient *client)
{
  TestViewer *viewer = viewer_of (client);

  if (viewer->connected)
    viewer->resizes++;
  if (!default_malloc_framebuffer (client))
    return FALSE;
  /* Nothing decoded yet reads as black, not as garbage. */
  memset (client->frameBuffer, 0, (gsize) client->width * (gsize) client->height *
                                  (gsize) (client->format.bitsPerPixel / 8));
  return TRUE;
}

/* Sets up @viewer and a client for it, not yet connected. */
static rfbClient *
viewer_client_new (TestViewer *viewer, guint port, const TestPixelFormat *format, const char *encodings,
                   const char *password)
{
  rfbClient *client;

  viewer->format = format != NULL ? *format : test_format_rgb888;
  viewer->password = g_strdup (password);
  client = rfbGetClient (8, 3, viewer->format.bits_per_pixel / 8);
  client->format.bitsPerPixel = (uint8_t) viewer->format.bits_per_pixel;
  client->format.depth = (uint8_t) (viewer->format.bits_per_pixel == 32 ? 24 : viewer->format.bits_per_pixel);
  client->format.bigEndian = (uint8_t) viewer->format.big_endian;
  client->format.trueColour = 1;
  client->format.redMax = (uint16_t) viewer->format.red_max;
  client->format.greenMax = (uint16_t) viewer->format.green_max;
  client->format.blueMax = (uint16_t) viewer->format.blue_max;
  client->format.redShift = (uint8_t) viewer->format.red_shift;
  client->format.greenShift = (uint8_t) viewer->format.green_shift;
  client->format.blueShift = (uint8_t) viewer->format.blue_shift;
  client->appData.encodingsString = g_strdup (encodings ? encodings : "raw");
  client->appData.useRemoteCursor = FALSE;
  client->canHandleNewFBSize = TRUE;
  free (client->serverHost);
  client->serverHost = strdup ("127.0.0.1");
  client->serverPort = (int) port;
  client->GetPassword = get_password;
  client->FinishedFrameBufferUpdate = finished_update;
  default_malloc_framebuffer = client->MallocFrameBuffer;
  client->MallocFrameBuffer = malloc_framebuffer;
  rfbClientSetClientData (client, &viewer_tag, viewer);
  return client;
}

/* Connects; frees the viewer and returns NULL when that fails. */
static TestViewer *
viewer_init (TestViewer *viewer, rfbClient *client)
{
  char *encodings = (char *) client->appData.encodingsString;

  /* rfbInitClient frees the client when it fails, but not what we gave it. */
  if (!rfbInitClient (client, NULL, NULL))
    {
      g_free (encodings);
      g_free (viewer->password);
      g_free (viewer->username);
      g_free (viewer->ca_file);
      g_free (viewer);
      return NULL;
    }
  viewer->client = client;
  viewer->connected = TRUE;
  return viewer;
}

TestViewer *
test_viewer_connect (guint port, const TestPixelFormat *format, const char *encodings, const char *password)
{
  TestViewer *viewer = g_new0 (TestViewer, 1);
  rfbClient *client = viewer_client_new (viewer, port, format, encodings, password);

  return viewer_init (viewer, client);
}

TestViewer *
test_viewer_connect_secure (guint port, const TestViewerSecurity *security)
{
  TestViewer *viewer = g_new0 (TestViewer, 1);
  rfbClient *client = viewer_client_new (viewer, port, NULL, security->encodings, security->password);

  viewer->username = g_strdup (security->username);
  viewer->ca_file = g_strdup (security->ca_file);
  client->GetCredential = get_credential;
  if (security->auth_schemes != NULL)
    SetClientAuthSchemes (client, security->auth_schemes, (int) security->n_auth_schemes);
  return viewer_init (viewer, client);
}

TestViewer *
test_viewer_connect_tight (guint port, const TestPixelFormat *format, const char *encodings, int quality,
                           int compress)
{
  TestViewer *viewer = g_new0 (TestViewer, 1);
  rfbClient *client = viewer_client_new (viewer, port, format, encodings, NULL);

  client->appData.compressLevel = compress;
  client->appData.enableJPEG = quality >= 0;
  client->appData.qualityLevel = MAX (quality, 0);
  return viewer_init (viewer, client);
}

void
test_viewer_free (TestViewer *viewer)
{
  if (viewer == NULL)
    return;
  if (viewer->client != NULL)
    {
      char *encodings = (char *) viewer->client->appData.encodingsString;
      /* libvncclient leaves the framebuffer to its user. */
      free (viewer->client->frameBuffer);
      viewer->client->frameBuffer = NULL;
      rfbClientCleanup (viewer->client);
      g_free (encodings);
    }
  g_free (viewer->password);
  g_free (viewer->username);
  g_free (viewer->ca_file);
  g_free (viewer->desktop_name);
  g_free (viewer);
}

/* Handles one message if one comes within @wait_us; FALSE on failure. */
static gboolean
handle_one (TestViewer *viewer, gint64 wait_us, gboolean *handled)
{
  int n;

  *handled = FALSE;
  if (viewer->client->buffered == 0)
    {
      n = WaitForMessage (viewer->client, (unsigned int) MAX (wait_us, 1));
      if (n < 0)
        return FALSE;
      if (n == 0)
        return TRUE;
    }
  *handled = TRUE;
  return HandleRFBServerMessage (viewer->client);
}

gboolean
test_viewer_wait_updates (TestViewer *viewer, guint updates, gint64 timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;

  while (viewer->updates < updates)
    {
      gint64 left = deadline - g_get_monotonic_time ();
      gboolean handled;
      if (left <= 0)
        return FALSE;
      if (!handle_one (viewer, MIN (left, 100000), &handled))
        return FALSE;
    }
  return TRUE;
}

gboolean
test_viewer_pump (TestViewer *viewer, gint64 duration_us)
{
  gint64 deadline = g_get_monotonic_time () + duration_us;

  for (;;)
    {
      gint64 left = deadline - g_get_monotonic_time ();
      gboolean handled;
      if (left <= 0)
        return TRUE;
      if (!handle_one (viewer, MIN (left, 50000), &handled))
        return FALSE;
    }
}

gboolean
test_viewer_wait_match (TestViewer *viewer, TestServer *ts, gint64 timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;

  for (;;)
    {
      gboolean handled;
      if (test_viewer_compare (viewer, ts->surface, &ts->lock, NULL, NULL) == 0)
        return TRUE;
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      if (!handle_one (viewer, 50000, &handled))
        return FALSE;
    }
}

static guint32
read_pixel (TestViewer *viewer, int x, int y)
{
  int bpp = viewer->format.bits_per_pixel / 8;
  const guint8 *p = (const guint8 *) viewer->client->frameBuffer +
                    ((gsize) y * (gsize) viewer->client->width + (gsize) x) * (gsize) bpp;
  guint32 v = 0;

  for (int i = 0; i < bpp; i++)
    {
      int shift = viewer->format.big_endian ? (bpp - 1 - i) * 8 : i * 8;
      v |= (guint32) p[i] << shift;
    }
  return v;
}

static guint
channel (guint32 pixel, int max, int shift)
{
  return (pixel >> shift) & (guint32) max;
}

guint32
test_viewer_get_rgb (TestViewer *viewer, int x, int y)
{
  const TestPixelFormat *f = &viewer->format;
  guint32 p = read_pixel (viewer, x, y);
  guint r = channel (p, f->red_max, f->red_shift) * 255 / (guint) f->red_max;
  guint g = channel (p, f->green_max, f->green_shift) * 255 / (guint) f->green_max;
  guint b = channel (p, f->blue_max, f->blue_shift) * 255 / (guint) f->blue_max;

  return (r << 16) | (g << 8) | b;
}

static guint
reduce (guint c, int max)
{
  return (guint) lround (c * (double) max / 255.0);
}

guint
test_viewer_compare (TestViewer *viewer, cairo_surface_t *surface, GMutex *lock, int *bad_x, int *bad_y)
{
  const TestPixelFormat *f = &viewer->format;
  guint differing = 0;
  int width, height, stride;
  const guint8 *data;

  if (lock != NULL)
    g_mutex_lock (lock);
  cairo_surface_flush (surface);
  width = cairo_image_surface_get_width (surface);
  height = cairo_image_surface_get_height (surface);
  stride = cairo_image_surface_get_stride (surface);
  data = cairo_image_surface_get_data (surface);
  if (viewer->client->width != width || viewer->client->height != height)
    {
      differing = (guint) (width * height);
      if (bad_x != NULL)
        *bad_x = -1;
      if (bad_y != NULL)
        *bad_y = -1;
    }
  else
    {
      for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
          {
            /* Premultiplied colour is the pixel over black. */
            guint32 s = ((const guint32 *) (const void *) (data + (gsize) y * (gsize) stride))[x];
            guint32 p = read_pixel (viewer, x, y);
            gboolean same = channel (p, f->red_max, f->red_shift) == reduce ((s >> 16) & 0xff, f->red_max) &&
                            channel (p, f->green_max, f->green_shift) == reduce ((s >> 8) & 0xff, f->green_max) &&
                            channel (p, f->blue_max, f->blue_shift) == reduce (s & 0xff, f->blue_max);
            if (!same && differing++ == 0)
              {
                if (bad_x != NULL)
                  *bad_x = x;
                if (bad_y != NULL)
                  *bad_y = y;
              }
          }
    }
  if (lock != NULL)
    g_mutex_unlock (lock);
  return differing;
}

void
test_viewer_assert_match (TestViewer *viewer, TestServer *ts, const char *what)
{
  int bad_x = -1, bad_y = -1;
  guint differing;

  if (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US))
    return;
  differing = test_viewer_compare (viewer, ts->surface, &ts->lock, &bad_x, &bad_y);
  ck_abort_msg ("%s: %u pixels differ, first at %d,%d (viewer 0x%06x)", what, differing, bad_x, bad_y,
                bad_x >= 0 ? test_viewer_get_rgb (viewer, bad_x, bad_y) : 0);
}

/* Raw sockets. */

GSocket *
test_raw_connect (guint port)
{
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, (guint16) port);
  GError *error = NULL;
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);

  ck_assert_msg (socket != NULL, "socket: %s", error ? error->message : "?");
  ck_assert_msg (g_socket_connect (socket, address, NULL, &error), "connect: %s",
                 error ? error->message : "?");
  g_socket_set_timeout (socket, 0);
  return socket;
}

gboolean
test_raw_send (GSocket *socket, const void *data, gsize len)
{
  const guint8 *p = data;

  while (len > 0)
    {
      gssize sent = g_socket_send (socket, (const char *) p, len, NULL, NULL);
      if (sent <= 0)
        return FALSE;
      p += sent;
      len -= (gsize) sent;
    }
  return TRUE;
}

gboolean
test_raw_recv (GSocket *socket, void *data, gsize len, gint64 timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;
  guint8 *p = data;

  while (len > 0)
    {
      gint64 left = deadline - g_get_monotonic_time ();
      gssize got;
      if (left <= 0 || !g_socket_condition_timed_wait (socket, G_IO_IN, left, NULL, NULL))
        return FALSE;
      got = g_socket_receive (socket, (char *) p, len, NULL, NULL);
      if (got <= 0)
        return FALSE;
      p += got;
      len -= (gsize) got;
    }
  return TRUE;
}

guint32
test_raw_recv_u32 (GSocket *socket, const char *what)
{
  guint8 b[4];

  ck_assert_msg (test_raw_recv (socket, b, 4, TEST_TIMEOUT_US), "no %s", what);
  return test_get_u32 (b);
}

gboolean
test_raw_wait_closed (GSocket *socket, gint64 timeout_us)
{
  return test_raw_read_until_closed (socket, NULL, timeout_us);
}

gboolean
test_raw_read_until_closed (GSocket *socket, GByteArray *rest, gint64 timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;
  guint8 buffer[4096];

  for (;;)
    {
      gint64 left = deadline - g_get_monotonic_time ();
      gssize got;
      if (left <= 0 || !g_socket_condition_timed_wait (socket, G_IO_IN, left, NULL, NULL))
        return FALSE;
      got = g_socket_receive (socket, (char *) buffer, sizeof buffer, NULL, NULL);
      if (got <= 0)
        return TRUE;
      if (rest != NULL)
        g_byte_array_append (rest, buffer, (guint) got);
    }
}

/* libvncclient's VNC Authentication DES (rfbproto.h declares it as
 * rfbEncryptBytes; the client library exports it under this name):
 * encrypts the 16-byte challenge in place with the first 8 bytes of
 * @passwd. */
extern void rfbClientEncryptBytes (unsigned char *bytes, char *passwd);

void
test_raw_answer_challenge (GSocket *socket, const char *password)
{
  guint8 response[16];
  g_autofree char *copy = g_strdup (password);

  ck_assert_msg (test_raw_recv (socket, response, 16, TEST_TIMEOUT_US), "no challenge");
  rfbClientEncryptBytes (response, copy);
  ck_assert (test_raw_send (socket, response, 16));
}

gboolean
test_raw_handshake (GSocket *socket, int *width, int *height)
{
  guint8 buffer[24];
  guint8 n_types;
  guint8 types[255];
  guint8 none = 1, shared = 1;
  guint32 name_length;

  if (!test_raw_recv (socket, buffer, 12, TEST_TIMEOUT_US) || memcmp (buffer, "RFB 003.008\n", 12) != 0)
    return FALSE;
  if (!test_raw_send (socket, "RFB 003.008\n", 12))
    return FALSE;
  if (!test_raw_recv (socket, &n_types, 1, TEST_TIMEOUT_US) || n_types == 0 ||
      !test_raw_recv (socket, types, n_types, TEST_TIMEOUT_US) || memchr (types, 1, n_types) == NULL)
    return FALSE;
  if (!test_raw_send (socket, &none, 1) || !test_raw_recv (socket, buffer, 4, TEST_TIMEOUT_US) ||
      memcmp (buffer, "\0\0\0\0", 4) != 0)
    return FALSE;
  if (!test_raw_send (socket, &shared, 1) || !test_raw_recv (socket, buffer, 24, TEST_TIMEOUT_US))
    return FALSE;
  *width = test_get_u16 (buffer);
  *height = test_get_u16 (buffer + 2);
  name_length = test_get_u32 (buffer + 20);
  if (name_length > 4096)
    return FALSE;
  {
    g_autofree guint8 *name = g_malloc (name_length + 1);
    return test_raw_recv (socket, name, name_length, TEST_TIMEOUT_US);
  }
}

/* Messages on raw sockets. */

void
test_put_u16 (guint8 *p, guint v)
{
  p[0] = (guint8) (v >> 8);
  p[1] = (guint8) v;
}

void
test_put_u32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

guint16
test_get_u16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

guint32
test_get_u32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

void
test_build_update_request (guint8 msg[10], gboolean incremental, int x, int y, int width, int height)
{
  msg[0] = 3;   /* FramebufferUpdateRequest */
  msg[1] = incremental ? 1 : 0;
  test_put_u16 (msg + 2, (guint) x);
  test_put_u16 (msg + 4, (guint) y);
  test_put_u16 (msg + 6, (guint) width);
  test_put_u16 (msg + 8, (guint) height);
}

void
test_build_set_pixel_format (guint8 msg[20], int bits_per_pixel, int depth, gboolean true_colour,
                             int red_max, int green_max, int blue_max,
                             int red_shift, int green_shift, int blue_shift)
{
  memset (msg, 0, 20);
  msg[0] = 0;   /* SetPixelFormat */
  msg[4] = (guint8) bits_per_pixel;
  msg[5] = (guint8) depth;
  msg[6] = 0;   /* little-endian */
  msg[7] = true_colour ? 1 : 0;
  test_put_u16 (msg + 8, (guint) red_max);
  test_put_u16 (msg + 10, (guint) green_max);
  test_put_u16 (msg + 12, (guint) blue_max);
  msg[14] = (guint8) red_shift;
  msg[15] = (guint8) green_shift;
  msg[16] = (guint8) blue_shift;
}

void
test_raw_set_encodings (GSocket *socket, const gint32 *encodings, guint n)
{
  gsize len = 4 + 4 * (gsize) n;
  g_autofree guint8 *msg = g_malloc0 (len);

  msg[0] = 2;   /* SetEncodings */
  test_put_u16 (msg + 2, n);
  for (guint i = 0; i < n; i++)
    test_put_u32 (msg + 4 + 4 * i, (guint32) encodings[i]);
  ck_assert (test_raw_send (socket, msg, len));
}

void
test_raw_request_update (GSocket *socket, gboolean incremental, int x, int y, int width, int height)
{
  guint8 msg[10];

  test_build_update_request (msg, incremental, x, y, width, height);
  ck_assert (test_raw_send (socket, msg, sizeof msg));
}

gboolean
test_raw_read_update_header (GSocket *socket, guint *n_rects, gint64 timeout_us)
{
  guint8 head[4];

  if (!test_raw_recv (socket, head, 1, timeout_us))
    return FALSE;
  ck_assert_msg (head[0] == 0, "server message type %u, expected a FramebufferUpdate", head[0]);
  ck_assert_msg (test_raw_recv (socket, head + 1, 3, TEST_TIMEOUT_US), "FramebufferUpdate header cut short");
  *n_rects = test_get_u16 (head + 2);
  return TRUE;
}

gboolean
test_raw_read_rect_header (GSocket *socket, TestRawRect *rect)
{
  guint8 rh[12];

  memset (rect, 0, sizeof *rect);
  if (!test_raw_recv (socket, rh, 12, TEST_TIMEOUT_US))
    return FALSE;
  rect->x = test_get_u16 (rh);
  rect->y = test_get_u16 (rh + 2);
  rect->w = test_get_u16 (rh + 4);
  rect->h = test_get_u16 (rh + 6);
  rect->encoding = (gint32) test_get_u32 (rh + 8);
  return TRUE;
}

gboolean
test_raw_read_rect (GSocket *socket, TestRawRect *rect, guint32 *fb, int fb_width, int fb_height)
{
  if (!test_raw_read_rect_header (socket, rect))
    return FALSE;
  switch (rect->encoding)
    {
    case TEST_ENCODING_RAW:
      {
        gsize size = (gsize) rect->w * rect->h * 4;
        g_autofree guint8 *pixels = g_malloc (MAX (size, 1));
        if (!test_raw_recv (socket, pixels, size, TEST_TIMEOUT_US))
          return FALSE;
        if (fb == NULL)
          return TRUE;
        for (int y = 0; y < rect->h; y++)
          for (int x = 0; x < rect->w; x++)
            {
              int fx = rect->x + x, fy = rect->y + y;
              if (fx < fb_width && fy < fb_height)
                fb[fy * fb_width + fx] = GUINT32_FROM_LE (((guint32 *) (void *) pixels)[y * rect->w + x]);
            }
        return TRUE;
      }
    case TEST_ENCODING_DESKTOP_SIZE:
      return TRUE;
    case TEST_ENCODING_EXTENDED_DESKTOP_SIZE:
      {
        guint8 sh[4], screen[16];
        if (!test_raw_recv (socket, sh, 4, TEST_TIMEOUT_US))
          return FALSE;
        rect->n_screens = sh[0];
        for (guint s = 0; s < rect->n_screens; s++)
          {
            if (!test_raw_recv (socket, screen, 16, TEST_TIMEOUT_US))
              return FALSE;
            if (s == 0)
              {
                rect->screen_id = test_get_u32 (screen);
                rect->screen_x = test_get_u16 (screen + 4);
                rect->screen_y = test_get_u16 (screen + 6);
                rect->screen_w = test_get_u16 (screen + 8);
                rect->screen_h = test_get_u16 (screen + 10);
              }
          }
        return TRUE;
      }
    case TEST_ENCODING_DESKTOP_NAME:
      {
        guint8 lb[4];
        guint32 length;
        if (!test_raw_recv (socket, lb, 4, TEST_TIMEOUT_US))
          return FALSE;
        length = test_get_u32 (lb);
        ck_assert_msg (length < 4096, "desktop name of %u bytes", length);
        rect->name = g_malloc0 (length + 1);
        return test_raw_recv (socket, rect->name, length, TEST_TIMEOUT_US);
      }
    default:
      ck_abort_msg ("rectangle with encoding %d", rect->encoding);
      return FALSE;
    }
}

void
test_raw_rect_clear (TestRawRect *rect)
{
  g_clear_pointer (&rect->name, g_free);
}

static void
clear_raw_rect (gpointer data)
{
  test_raw_rect_clear (data);
}

GArray *
test_raw_rects_new (void)
{
  GArray *rects = g_array_new (FALSE, TRUE, sizeof (TestRawRect));

  g_array_set_clear_func (rects, clear_raw_rect);
  return rects;
}

/* Raw viewers. */

/* A new size starts black, as libvncclient's framebuffers do here. */
static void
raw_viewer_resize (TestRawViewer *rv, int width, int height)
{
  gsize pixels = (gsize) width * (gsize) height;

  rv->width = width;
  rv->height = height;
  if (pixels > rv->fb_allocated)
    {
      g_free (rv->fb);
      rv->fb = g_new0 (guint32, MAX (pixels, 1));
      rv->fb_allocated = pixels;
    }
  else
    {
      memset (rv->fb, 0, pixels * 4);
    }
}

TestRawViewer *
test_raw_viewer_new (guint port)
{
  TestRawViewer *rv = g_new0 (TestRawViewer, 1);
  int width, height;

  rv->socket = test_raw_connect (port);
  ck_assert_msg (test_raw_handshake (rv->socket, &width, &height), "raw handshake failed");
  raw_viewer_resize (rv, width, height);
  return rv;
}

void
test_raw_viewer_free (TestRawViewer *rv)
{
  g_object_unref (rv->socket);
  g_free (rv->fb);
  g_free (rv);
}

gboolean
test_raw_viewer_read_update (TestRawViewer *rv, GArray *rects, gint64 timeout_us)
{
  guint n_rects;

  g_array_set_size (rects, 0);
  if (!test_raw_read_update_header (rv->socket, &n_rects, timeout_us))
    return FALSE;
  for (guint i = 0; i < n_rects; i++)
    {
      TestRawRect rect;

      ck_assert_msg (test_raw_read_rect (rv->socket, &rect, rv->fb, rv->width, rv->height),
                     "rectangle %u of %u missing", i, n_rects);
      /* A reply to SetDesktopSize (x = 1) with an error (y) changes
       * nothing. */
      if (rect.encoding == TEST_ENCODING_DESKTOP_SIZE ||
          (rect.encoding == TEST_ENCODING_EXTENDED_DESKTOP_SIZE && (rect.x != 1 || rect.y == 0)))
        raw_viewer_resize (rv, rect.w, rect.h);
      g_array_append_val (rects, rect);
    }
  rv->updates++;
  return TRUE;
}

gboolean
test_raw_viewer_matches (TestRawViewer *rv, TestServer *ts, int width, int height)
{
  gboolean same = TRUE;
  int stride;
  const guint8 *data;

  g_mutex_lock (&ts->lock);
  cairo_surface_flush (ts->surface);
  stride = cairo_image_surface_get_stride (ts->surface);
  data = cairo_image_surface_get_data (ts->surface);
  if (width > cairo_image_surface_get_width (ts->surface) ||
      height > cairo_image_surface_get_height (ts->surface) || width > rv->width || height > rv->height)
    same = FALSE;
  for (int y = 0; same && y < height; y++)
    for (int x = 0; same && x < width; x++)
      {
        guint32 s = ((const guint32 *) (const void *) (data + (gsize) y * (gsize) stride))[x];
        same = ((s ^ rv->fb[y * rv->width + x]) & 0xffffff) == 0;
      }
  g_mutex_unlock (&ts->lock);
  return same;
}

/* Hostile-viewer fixtures. */

static void
fixture_start_valist (TestFixture *f, int width, int height, gboolean with_http, const char *first_property,
                      va_list args)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, width, height, 1);
  g_autofree char *password = NULL;

  f->ts = test_server_new (surface);
  f->seed = 1;
  cairo_surface_destroy (surface);
  g_object_set (f->ts->server, "read-only", FALSE, NULL);
  if (first_property != NULL)
    g_object_set_valist (G_OBJECT (f->ts->server), first_property, args);
  g_object_get (f->ts->server, "password", &password, NULL);
  if (with_http)
    test_server_start_with_http (f->ts);
  else
    test_server_start (f->ts);
  f->viewer = test_viewer_connect (f->ts->port, NULL, NULL, password);
  ck_assert_msg (f->viewer != NULL, "the good viewer could not connect");
  ck_assert_msg (test_viewer_wait_match (f->viewer, f->ts, TEST_TIMEOUT_US), "the good viewer got no frame");
}

void
test_fixture_start (TestFixture *f, int width, int height, const char *first_property, ...)
{
  va_list args;

  va_start (args, first_property);
  fixture_start_valist (f, width, height, FALSE, first_property, args);
  va_end (args);
}

void
test_fixture_start_with_http (TestFixture *f, int width, int height, const char *first_property, ...)
{
  va_list args;

  va_start (args, first_property);
  fixture_start_valist (f, width, height, TRUE, first_property, args);
  va_end (args);
}

void
test_fixture_stop (TestFixture *f)
{
  test_viewer_free (f->viewer);
  test_server_free (f->ts);
}

void
test_fixture_check_served (TestFixture *f, const char *what)
{
  test_server_redraw (f->ts, ++f->seed);
  ck_assert_msg (test_viewer_wait_match (f->viewer, f->ts, TEST_TIMEOUT_US),
                 "%s: the good viewer got no correct frame", what);
}

void
test_fixture_wait_clients (TestFixture *f, guint n, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + TEST_TIMEOUT_US;
  guint now;

  while ((now = cairovnc_server_get_n_clients (f->ts->server)) != n)
    {
      ck_assert_msg (g_get_monotonic_time () < deadline, "%s: %u viewers, expected %u", what, now, n);
      g_usleep (10 * 1000);
    }
}

GSocket *
test_fixture_raw_ready (TestFixture *f)
{
  GSocket *socket = test_raw_connect (f->ts->port);
  int width, height;

  ck_assert_msg (test_raw_handshake (socket, &width, &height), "raw handshake failed");
  return socket;
}

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif

gsize
test_rss_kib (void)
{
  FILE *status;
  char line[256];
  gsize kib = 0;

#ifdef TEST_ASAN
  /* AddressSanitizer keeps freed memory in quarantine: resident memory
   * says nothing about what the server holds. Its leak check does. */
  return 0;
#endif
  status = fopen ("/proc/self/status", "r");
  ck_assert (status != NULL);
  while (fgets (line, sizeof line, status) != NULL)
    if (sscanf (line, "VmRSS: %zu kB", &kib) == 1)
      break;
  fclose (status);
  ck_assert_uint_gt (kib, 0);
  return kib;
}

gint64
test_raw_slowloris (GSocket *socket, const char *bytes, gsize len, gsize *sent)
{
  gint64 connected = g_get_monotonic_time ();

  *sent = 0;
  g_socket_set_blocking (socket, FALSE);
  for (;;)
    {
      guint8 buffer[256];
      gssize got;

      ck_assert_msg (g_get_monotonic_time () - connected < TEST_TIMEOUT_US, "never dropped");
      if (*sent < len && g_socket_send (socket, bytes + *sent, 1, NULL, NULL) == 1)
        (*sent)++;
      g_usleep (300 * 1000);
      while ((got = g_socket_receive (socket, (char *) buffer, sizeof buffer, NULL, NULL)) > 0)
        ;
      if (got == 0)
        return g_get_monotonic_time () - connected;
    }
}

gsize
test_raw_flood (GSocket *socket, const guint8 *msg, gsize len, guint n, gsize offset, gboolean reading,
       gsize expected)
{
  gsize total = len * n;
  gsize received = 0;
  gint64 deadline = g_get_monotonic_time () + 3 * TEST_TIMEOUT_US;

  g_socket_set_blocking (socket, FALSE);
  while (reading ? received < expected : offset < total)
    {
      GIOCondition wanted = (offset < total ? G_IO_OUT : 0) | (reading ? G_IO_IN : 0);
      gint64 wait = reading ? deadline - g_get_monotonic_time () : 500 * 1000;
      GIOCondition ready;

      ck_assert_msg (g_get_monotonic_time () < deadline, "flood: %zu of %zu bytes sent, %zu of %zu back",
                     offset, total, received, expected);
      if (!g_socket_condition_timed_wait (socket, wanted, MAX (wait, 1), NULL, NULL))
        {
          if (!reading)
            break;
          continue;
        }
      ready = g_socket_condition_check (socket, wanted);
      if (ready & G_IO_IN)
        {
          guint8 buffer[65536];
          gssize got = g_socket_receive (socket, (char *) buffer, sizeof buffer, NULL, NULL);
          ck_assert_msg (got != 0, "flood: closed after %zu bytes back", received);
          if (got > 0)
            received += (gsize) got;
        }
      if (ready & G_IO_OUT)
        {
          /* Whole copies of the message, from where the last send ended. */
          guint8 chunk[64 * 1024];
          gsize n_chunk = 0;
          while (n_chunk + len <= sizeof chunk && offset + n_chunk < total)
            {
              gsize in_msg = (offset + n_chunk) % len;
              gsize take = MIN (len - in_msg, total - offset - n_chunk);
              memcpy (chunk + n_chunk, msg + in_msg, take);
              n_chunk += take;
            }
          g_autoptr (GError) error = NULL;
          gssize sent = g_socket_send (socket, (const char *) chunk, n_chunk, NULL, &error);
          if (sent > 0)
            offset += (gsize) sent;
          else if (!reading && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            break;
        }
    }
  g_socket_set_blocking (socket, TRUE);
  if (reading)
    ck_assert_uint_eq (received, expected);
  return offset;
}


/* HTTP and WebSocket on raw sockets. */

gboolean
test_http_read_response (GSocket *socket, GByteArray *rest, gboolean head_request, TestHttpResponse *r)
{
  gint64 deadline = g_get_monotonic_time () + TEST_TIMEOUT_US;
  guint8 *end;
  gsize head_len;
  const char *length;
  gsize body_len = 0;

  memset (r, 0, sizeof *r);
  while ((end = rest->len >= 4 ? memmem (rest->data, rest->len, "\r\n\r\n", 4) : NULL) == NULL)
    {
      guint8 b;
      if (!test_raw_recv (socket, &b, 1, deadline - g_get_monotonic_time ()))
        return FALSE;
      g_byte_array_append (rest, &b, 1);
    }
  head_len = (gsize) (end - rest->data) + 4;
  r->head = g_strndup ((const char *) rest->data, head_len);
  g_byte_array_remove_range (rest, 0, (guint) head_len);
  ck_assert_msg (sscanf (r->head, "HTTP/1.1 %d ", &r->status) == 1, "bad status line: %s", r->head);
  length = strstr (r->head, "\r\nContent-Length: ");
  if (length != NULL && !head_request)
    body_len = (gsize) g_ascii_strtoull (length + 18, NULL, 10);
  r->body = g_byte_array_new ();
  if (rest->len < body_len)
    {
      gsize have = rest->len;
      g_byte_array_set_size (rest, (guint) body_len);
      if (!test_raw_recv (socket, rest->data + have, body_len - have, TEST_TIMEOUT_US))
        return FALSE;
    }
  g_byte_array_append (r->body, rest->data, (guint) body_len);
  g_byte_array_remove_range (rest, 0, (guint) body_len);
  return TRUE;
}

void
test_http_response_clear (TestHttpResponse *r)
{
  g_clear_pointer (&r->head, g_free);
  g_clear_pointer (&r->body, g_byte_array_unref);
}

void
test_ws_append_frame (GByteArray *frame, gboolean fin, guint8 opcode, const void *payload, gsize len,
                      gboolean masked)
{
  guint8 head[14];
  gsize n = 0;
  guint8 mask[4];
  guint32 m = g_random_int ();
  guint old_len;

  memcpy (mask, &m, 4);
  head[n++] = (guint8) ((fin ? 0x80 : 0) | opcode);
  if (len < 126)
    {
      head[n++] = (guint8) ((masked ? 0x80 : 0) | len);
    }
  else if (len <= 0xffff)
    {
      head[n++] = (guint8) ((masked ? 0x80 : 0) | 126);
      head[n++] = (guint8) (len >> 8);
      head[n++] = (guint8) len;
    }
  else
    {
      head[n++] = (guint8) ((masked ? 0x80 : 0) | 127);
      for (int i = 0; i < 8; i++)
        head[n++] = (guint8) ((guint64) len >> (56 - 8 * i));
    }
  if (masked)
    {
      memcpy (head + n, mask, 4);
      n += 4;
    }
  g_byte_array_append (frame, head, (guint) n);
  old_len = frame->len;
  g_byte_array_set_size (frame, old_len + (guint) len);
  for (gsize i = 0; i < len; i++)
    frame->data[old_len + i] = ((const guint8 *) payload)[i] ^ (masked ? mask[i & 3] : 0);
}

void
test_ws_send_frame (GSocket *socket, gboolean fin, guint8 opcode, const void *payload, gsize len, gboolean masked)
{
  g_autoptr (GByteArray) frame = g_byte_array_new ();

  test_ws_append_frame (frame, fin, opcode, payload, len, masked);
  ck_assert (test_raw_send (socket, frame->data, frame->len));
}

gboolean
test_ws_read_frame (GSocket *socket, guint8 *opcode, gboolean *fin, GByteArray *payload, gint64 timeout_us)
{
  guint8 head[2], ext[8];
  guint64 len;

  if (!test_raw_recv (socket, head, 2, timeout_us))
    return FALSE;
  ck_assert_msg (!(head[1] & 0x80), "the server masked a frame");
  ck_assert_msg (!(head[0] & 0x70), "the server set reserved bits");
  *opcode = head[0] & 0x0f;
  *fin = (head[0] & 0x80) != 0;
  len = head[1] & 0x7f;
  if (len == 126)
    {
      ck_assert (test_raw_recv (socket, ext, 2, TEST_TIMEOUT_US));
      len = ((guint64) ext[0] << 8) | ext[1];
      ck_assert_msg (len >= 126, "16-bit length for a short frame");
    }
  else if (len == 127)
    {
      ck_assert (test_raw_recv (socket, ext, 8, TEST_TIMEOUT_US));
      len = 0;
      for (int i = 0; i < 8; i++)
        len = (len << 8) | ext[i];
      ck_assert_msg (len > 0xffff, "64-bit length for a short frame");
    }
  ck_assert_uint_lt (len, 64 * 1024 * 1024);
  g_byte_array_set_size (payload, (guint) len);
  return len == 0 || test_raw_recv (socket, payload->data, (gsize) len, TEST_TIMEOUT_US);
}

GSocket *
test_ws_connect (guint http_port, const char *path, const char *first_frame)
{
  g_autoptr (GByteArray) rest = g_byte_array_new ();
  g_autofree char *text = g_strdup_printf ("GET %s HTTP/1.1\r\n"
                                           "Host: 127.0.0.1:%u\r\n"
                                           "Origin: http://127.0.0.1:%u\r\n"
                                           "Connection: Upgrade\r\n"
                                           "Upgrade: websocket\r\n"
                                           "Sec-WebSocket-Key: " TEST_WS_KEY "\r\n"
                                           "Sec-WebSocket-Version: 13\r\n"
                                           "Sec-WebSocket-Protocol: binary\r\n"
                                           "\r\n", path, http_port, http_port);
  GSocket *socket = test_raw_connect (http_port);
  TestHttpResponse r;

  ck_assert (test_raw_send (socket, text, strlen (text)));
  if (first_frame != NULL)
    test_ws_send_frame (socket, TRUE, 0x2, first_frame, strlen (first_frame), TRUE);
  ck_assert_msg (test_http_read_response (socket, rest, FALSE, &r), "no answer to the upgrade");
  ck_assert_msg (r.status == 101, "upgrade answered %d: %s", r.status, r.head);
  ck_assert_ptr_nonnull (strstr (r.head, "\r\nSec-WebSocket-Accept: " TEST_WS_ACCEPT "\r\n"));
  ck_assert_ptr_nonnull (strstr (r.head, "\r\nSec-WebSocket-Protocol: binary\r\n"));
  ck_assert_uint_eq (rest->len, 0);
  test_http_response_clear (&r);
  return socket;
}
