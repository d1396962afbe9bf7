/* test-cursor-wire.c — cursor shapes reach viewers, over the wire.
 *
 * libvncclient (which draws Cursor pseudo-encoding shapes itself when
 * told to) receives the shape set before it connected and each later
 * change, and its pixels, bitmask and hotspot are compared with the
 * surface they came from. libvncclient has no Cursor With Alpha, so a
 * raw-socket viewer decodes those rectangles here. A viewer that
 * announces neither keeps getting exactly the surface's pixels.
 */
#include "testutil.h"

#include <string.h>

/* Shapes as libvncclient hands them over. */
typedef struct {
  guint shapes;
  int hot_x, hot_y, width, height;
  guint32 *pixels;     /* 0xRRGGBB from the client's format */
  guint8 *mask;        /* one byte per pixel, 0 or 1 */
} ShapeLog;

static int shape_tag;

static void
got_cursor_shape (rfbClient *client, int xhot, int yhot, int width, int height, int bytes_per_pixel)
{
  ShapeLog *log = rfbClientGetClientData (client, &shape_tag);
  gsize n = (gsize) width * (gsize) height;

  ck_assert_int_eq (bytes_per_pixel, 4);
  log->shapes++;
  log->hot_x = xhot;
  log->hot_y = yhot;
  log->width = width;
  log->height = height;
  g_free (log->pixels);
  g_free (log->mask);
  log->pixels = g_new (guint32, n);
  log->mask = g_memdup2 (client->rcMask, n);
  for (gsize i = 0; i < n; i++)
    {
      guint32 v = ((guint32 *) (void *) client->rcSource)[i];
      log->pixels[i] = (((v >> client->format.redShift) & 0xff) << 16) |
                       (((v >> client->format.greenShift) & 0xff) << 8) |
                       ((v >> client->format.blueShift) & 0xff);
    }
}

static rfbClient *
cursor_viewer_connect (guint port, ShapeLog *log)
{
  rfbClient *client = rfbGetClient (8, 3, 4);

  client->appData.encodingsString = "raw";
  client->appData.useRemoteCursor = TRUE;
  client->GotCursorShape = got_cursor_shape;
  free (client->serverHost);
  client->serverHost = strdup ("127.0.0.1");
  client->serverPort = (int) port;
  rfbClientSetClientData (client, &shape_tag, log);
  ck_assert_msg (rfbInitClient (client, NULL, NULL), "libvncclient could not connect");
  return client;
}

static void
cursor_viewer_free (rfbClient *client, ShapeLog *log)
{
  free (client->frameBuffer);
  client->frameBuffer = NULL;
  rfbClientCleanup (client);
  g_free (log->pixels);
  g_free (log->mask);
}

/* Handles messages until @shapes shapes have come in all. */
static gboolean
wait_shapes (rfbClient *client, ShapeLog *log, guint shapes)
{
  gint64 deadline = g_get_monotonic_time () + TEST_TIMEOUT_US;

  while (log->shapes < shapes)
    {
      int n;
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      n = client->buffered > 0 ? 1 : WaitForMessage (client, 50000);
      if (n < 0 || (n > 0 && !HandleRFBServerMessage (client)))
        return FALSE;
    }
  return TRUE;
}

static void
set_pixel (cairo_surface_t *surface, int x, int y, guint32 argb)
{
  guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);

  ((guint32 *) (void *) (data + y * stride))[x] = argb;
}

/* A shape with opaque, half and faint pixels in a pattern of @seed. */
static cairo_surface_t *
shape_new (int width, int height, guint seed)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  GRand *rand = g_rand_new_with_seed (seed);

  cairo_surface_flush (surface);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        static const guint alphas[] = { 0, 0x40, 0x7f, 0x80, 0xc0, 0xff, 0xff };
        guint a = alphas[g_rand_int_range (rand, 0, G_N_ELEMENTS (alphas))];
        guint r = (guint) g_rand_int_range (rand, 0, 256) * a / 255;
        guint g = (guint) g_rand_int_range (rand, 0, 256) * a / 255;
        guint b = (guint) g_rand_int_range (rand, 0, 256) * a / 255;
        set_pixel (surface, x, y, (a << 24) | (r << 16) | (g << 8) | b);
      }
  cairo_surface_mark_dirty (surface);
  g_rand_free (rand);
  return surface;
}

static guint32
get_pixel (cairo_surface_t *surface, int x, int y)
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);

  return ((const guint32 *) (const void *) (data + y * stride))[x];
}

/* The shape libvncclient has is @surface's: hotspot, size, the bitmask of
 * pixels at least half opaque, and their colour without premultiplication. */
static void
check_shape (const ShapeLog *log, cairo_surface_t *surface, int hot_x, int hot_y, const char *what)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);

  ck_assert_msg (log->hot_x == hot_x && log->hot_y == hot_y, "%s: hotspot %d,%d, expected %d,%d", what,
                 log->hot_x, log->hot_y, hot_x, hot_y);
  ck_assert_msg (log->width == width && log->height == height, "%s: %dx%d, expected %dx%d", what,
                 log->width, log->height, width, height);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 argb = get_pixel (surface, x, y);
        guint a = argb >> 24;
        gsize i = (gsize) y * (gsize) width + (gsize) x;
        guint8 shown = a >= 128;

        ck_assert_msg (log->mask[i] == shown, "%s: mask at %d,%d is %u for alpha %#x", what, x, y, log->mask[i], a);
        if (shown)
          for (int shift = 0; shift <= 16; shift += 8)
            {
              guint want = MIN (255u, (((argb >> shift) & 0xff) * 255 + a / 2) / a);
              guint got = (log->pixels[i] >> shift) & 0xff;
              ck_assert_msg (got == want, "%s: channel at bit %d of %d,%d is %#x, expected %#x", what, shift,
                             x, y, got, want);
            }
      }
}

START_TEST (test_cursor_wire_shape_and_changes_reach_every_viewer)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 160, 100, 1);
  cairo_surface_t *first = shape_new (12, 10, 7);
  cairo_surface_t *second = shape_new (9, 23, 8);
  TestServer *ts = test_server_new (surface);
  ShapeLog log_a = { 0 }, log_b = { 0 };
  rfbClient *a, *b;
  TestViewer *plain;

  test_server_start (ts);
  /* Set before anyone connects: each gets it with its first update. */
  cairovnc_server_set_cursor (ts->server, first, 3, 4);
  a = cursor_viewer_connect (ts->port, &log_a);
  b = cursor_viewer_connect (ts->port, &log_b);
  plain = test_viewer_connect (ts->port, NULL, "raw", NULL);
  ck_assert_ptr_nonnull (plain);
  ck_assert_msg (wait_shapes (a, &log_a, 1), "viewer A got no cursor shape");
  ck_assert_msg (wait_shapes (b, &log_b, 1), "viewer B got no cursor shape");
  check_shape (&log_a, first, 3, 4, "first shape, viewer A");
  check_shape (&log_b, first, 3, 4, "first shape, viewer B");

  /* A change reaches both with their next update, with no new frame. */
  cairovnc_server_set_cursor (ts->server, second, 0, 22);
  ck_assert_msg (wait_shapes (a, &log_a, 2), "viewer A did not get the new shape");
  ck_assert_msg (wait_shapes (b, &log_b, 2), "viewer B did not get the new shape");
  check_shape (&log_a, second, 0, 22, "second shape, viewer A");
  check_shape (&log_b, second, 0, 22, "second shape, viewer B");

  /* The viewer without cursor support sees exactly the surface: the
   * pointer is drawn nowhere. */
  test_viewer_assert_match (plain, ts, "viewer without cursor support");
  test_server_redraw (ts, 2);
  test_viewer_assert_match (plain, ts, "viewer without cursor support, next frame");
  ck_assert_uint_eq (log_a.shapes, 2);

  test_viewer_free (plain);
  cursor_viewer_free (a, &log_a);
  cursor_viewer_free (b, &log_b);
  test_server_free (ts);
  cairo_surface_destroy (first);
  cairo_surface_destroy (second);
  cairo_surface_destroy (surface);
}
END_TEST

START_TEST (test_cursor_wire_bad_surface_keeps_old_cursor)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 64, 64, 1);
  cairo_surface_t *a8 = cairo_image_surface_create (CAIRO_FORMAT_A8, 4, 4);
  cairo_surface_t *shape = shape_new (4, 4, 3);
  TestServer *ts = test_server_new (surface);
  g_autoptr (GError) error = NULL;

  test_server_start (ts);
  ck_assert (cairovnc_server_try_set_cursor (ts->server, shape, 1, 1, NULL));
  ck_assert (!cairovnc_server_try_set_cursor (ts->server, a8, 0, 0, &error));
  ck_assert (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_UNSUPPORTED_SURFACE));
  g_clear_error (&error);
  ck_assert (!cairovnc_server_try_set_cursor (ts->server, shape, 4, 0, &error));
  ck_assert_msg (strstr (error->message, "hotspot") != NULL, "%s", error->message);
  testutil_expect_warning ("cairovnc_server_set_cursor");
  cairovnc_server_set_cursor (ts->server, a8, 0, 0);
  ck_assert (testutil_warning_seen ());
  testutil_expect_warning (NULL);

  /* The shape set first is still the one sent. */
  {
    ShapeLog log = { 0 };
    rfbClient *client = cursor_viewer_connect (ts->port, &log);
    ck_assert (wait_shapes (client, &log, 1));
    check_shape (&log, shape, 1, 1, "after refused surfaces");
    cursor_viewer_free (client, &log);
  }

  test_server_free (ts);
  cairo_surface_destroy (a8);
  cairo_surface_destroy (shape);
  cairo_surface_destroy (surface);
}
END_TEST

/* Raw viewers: reads one update, skipping Raw pixels, and returns the
 * payload of its cursor rectangle of @encoding (NULL if it had none). */
static GByteArray *
read_update_cursor (GSocket *socket, gint32 encoding, TestRawRect *cursor_rect)
{
  GByteArray *payload = NULL;
  guint n_rects;

  ck_assert_msg (test_raw_read_update_header (socket, &n_rects, TEST_TIMEOUT_US), "no update");
  for (guint i = 0; i < n_rects; i++)
    {
      TestRawRect rect;
      gsize size;

      ck_assert (test_raw_read_rect_header (socket, &rect));
      if (rect.encoding == TEST_ENCODING_RAW)
        size = (gsize) rect.w * rect.h * 4;
      else if (rect.encoding == -314)
        size = 4 + (gsize) rect.w * rect.h * 4;
      else if (rect.encoding == -239)
        size = (gsize) rect.w * rect.h * 4 + (gsize) (rect.w + 7) / 8 * rect.h;
      else
        ck_abort_msg ("rectangle of encoding %d", rect.encoding);
      {
        GByteArray *bytes = g_byte_array_sized_new ((guint) size);
        g_byte_array_set_size (bytes, (guint) size);
        ck_assert (test_raw_recv (socket, bytes->data, size, TEST_TIMEOUT_US));
        if (rect.encoding == encoding)
          {
            ck_assert_msg (payload == NULL, "two cursor rectangles in one update");
            payload = bytes;
            *cursor_rect = rect;
          }
        else
          {
            ck_assert_msg (rect.encoding == TEST_ENCODING_RAW, "cursor of encoding %d, expected %d",
                           rect.encoding, encoding);
            g_byte_array_unref (bytes);
          }
      }
    }
  return payload;
}

START_TEST (test_cursor_wire_alpha_for_viewers_that_take_it)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 100, 80, 1);
  cairo_surface_t *shape = shape_new (7, 5, 11);
  TestServer *ts = test_server_new (surface);
  TestRawViewer *rv;
  const gint32 encodings[] = { TEST_ENCODING_RAW, -239, -314 };
  g_autoptr (GByteArray) payload = NULL;
  g_autoptr (GByteArray) empty = NULL;
  TestRawRect rect;

  test_server_start (ts);
  cairovnc_server_set_cursor (ts->server, shape, 6, 2);
  rv = test_raw_viewer_new (ts->port);
  /* Both offered: Cursor With Alpha wins. */
  test_raw_set_encodings (rv->socket, encodings, G_N_ELEMENTS (encodings));
  test_raw_request_update (rv->socket, FALSE, 0, 0, 100, 80);
  payload = read_update_cursor (rv->socket, -314, &rect);
  ck_assert_msg (payload != NULL, "no Cursor With Alpha in the first update");
  ck_assert_uint_eq (rect.x, 6);
  ck_assert_uint_eq (rect.y, 2);
  ck_assert_uint_eq (rect.w, 7);
  ck_assert_uint_eq (rect.h, 5);
  ck_assert_int_eq ((gint32) test_get_u32 (payload->data), TEST_ENCODING_RAW);
  for (int y = 0; y < 5; y++)
    for (int x = 0; x < 7; x++)
      {
        guint32 argb = get_pixel (shape, x, y);
        const guint8 *p = payload->data + 4 + (y * 7 + x) * 4;
        guint8 want[4] = { (argb >> 16) & 0xff, (argb >> 8) & 0xff, argb & 0xff, argb >> 24 };
        ck_assert_msg (memcmp (p, want, 4) == 0, "pixel %d,%d: %02x%02x%02x%02x, expected %02x%02x%02x%02x",
                       x, y, p[0], p[1], p[2], p[3], want[0], want[1], want[2], want[3]);
      }

  /* NULL: an empty shape, with the next update. */
  cairovnc_server_set_cursor (ts->server, NULL, 0, 0);
  test_raw_request_update (rv->socket, TRUE, 0, 0, 100, 80);
  empty = read_update_cursor (rv->socket, -314, &rect);
  ck_assert_msg (empty != NULL, "no empty Cursor With Alpha after NULL");
  ck_assert_uint_eq (rect.w, 0);
  ck_assert_uint_eq (rect.h, 0);
  ck_assert_uint_eq (empty->len, 4);

  test_raw_viewer_free (rv);
  test_server_free (ts);
  cairo_surface_destroy (shape);
  cairo_surface_destroy (surface);
}
END_TEST

START_TEST (test_cursor_wire_rich_cursor_for_raw_viewer)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 100, 80, 1);
  cairo_surface_t *shape = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 9, 2);
  TestServer *ts = test_server_new (surface);
  TestRawViewer *rv;
  const gint32 encodings[] = { TEST_ENCODING_RAW, -239 };
  g_autoptr (GByteArray) payload = NULL;
  TestRawRect rect;

  /* RGB24: opaque everywhere, so every mask bit is set, padding bits not. */
  cairo_surface_flush (shape);
  for (int x = 0; x < 9; x++)
    {
      set_pixel (shape, x, 0, 0x00102030u + (guint32) x);
      set_pixel (shape, x, 1, 0x00ff0000u);
    }
  cairo_surface_mark_dirty (shape);
  test_server_start (ts);
  rv = test_raw_viewer_new (ts->port);
  test_raw_set_encodings (rv->socket, encodings, G_N_ELEMENTS (encodings));
  test_raw_request_update (rv->socket, FALSE, 0, 0, 100, 80);
  /* No cursor was ever set: the first update has none. */
  payload = read_update_cursor (rv->socket, -239, &rect);
  ck_assert_ptr_null (payload);

  cairovnc_server_set_cursor (ts->server, shape, 8, 1);
  test_raw_request_update (rv->socket, TRUE, 0, 0, 100, 80);
  payload = read_update_cursor (rv->socket, -239, &rect);
  ck_assert_msg (payload != NULL, "no Cursor rectangle after set_cursor");
  ck_assert_uint_eq (rect.x, 8);
  ck_assert_uint_eq (rect.y, 1);
  ck_assert_uint_eq (payload->len, 9 * 2 * 4 + 2 * 2);
  for (int x = 0; x < 9; x++)
    ck_assert_uint_eq (GUINT32_FROM_LE (((guint32 *) (void *) payload->data)[x]) & 0xffffff,
                       0x102030u + (guint32) x);
  ck_assert_mem_eq (payload->data + 72, "\xff\x80\xff\x80", 4);

  test_raw_viewer_free (rv);
  test_server_free (ts);
  cairo_surface_destroy (shape);
  cairo_surface_destroy (surface);
}
END_TEST

static Suite *
cursor_wire_suite (void)
{
  Suite *suite = suite_create ("cursor-wire");
  TCase *libvnc = tcase_create ("libvncclient");
  TCase *raw = tcase_create ("raw");

  tcase_set_timeout (libvnc, 60);
  tcase_add_test (libvnc, test_cursor_wire_shape_and_changes_reach_every_viewer);
  tcase_add_test (libvnc, test_cursor_wire_bad_surface_keeps_old_cursor);
  suite_add_tcase (suite, libvnc);
  tcase_set_timeout (raw, 60);
  tcase_add_test (raw, test_cursor_wire_alpha_for_viewers_that_take_it);
  tcase_add_test (raw, test_cursor_wire_rich_cursor_for_raw_viewer);
  suite_add_tcase (suite, raw);
  return suite;
}

int
main (void)
{
  return testutil_run (cursor_wire_suite ());
}
