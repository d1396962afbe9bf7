/* test-loopback.c — pixels through an independent decoder, Raw encoding.
 *
 * libvncclient (LibVNCServer's client library) and raw sockets decode what
 * the server sends; the tests compare the result with the surface pixel
 * for pixel in every true-colour format, in a colour-map format, for
 * awkward sizes, and check that updates carry exactly the changed tiles:
 * incremental requests wait for a change and get only the tiles it
 * touched, full requests resend everything, partial requests get only the
 * tiles they intersect, and many viewers (one of them late) all follow an
 * animation.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#define SETTLE_US (200 * 1000)
#define TILE 64

/* Formats beyond testutil's: 32 bpp big-endian with red at 16, and a
 * 16-bit 4-4-4 format. */
static const TestPixelFormat format_rgb888_be = { 32, TRUE, 255, 255, 255, 16, 8, 0 };
static const TestPixelFormat format_rgb444 = { 16, FALSE, 15, 15, 15, 8, 4, 0 };

typedef struct {
  const char *name;
  const TestPixelFormat *format;
} NamedFormat;

static const NamedFormat all_formats[] = {
  { "rgb888", &test_format_rgb888 },
  { "bgr888_be", &test_format_bgr888_be },
  { "rgb565", &test_format_rgb565 },
  { "rgb555_be", &test_format_rgb555_be },
  { "bgr233", &test_format_bgr233 },
  { "rgb332", &test_format_rgb332 },
  { "rgb888_be", &format_rgb888_be },
  { "rgb444", &format_rgb444 },
};

/* Helpers. */

static void
raw_set_pixel_format (GSocket *socket, int bpp, int depth, gboolean true_colour,
                      int red_max, int green_max, int blue_max,
                      int red_shift, int green_shift, int blue_shift)
{
  guint8 msg[20];

  test_build_set_pixel_format (msg, bpp, depth, true_colour, red_max, green_max, blue_max,
                               red_shift, green_shift, blue_shift);
  ck_assert (test_raw_send (socket, msg, sizeof msg));
}

/* Reads one FramebufferUpdate of Raw rectangles into @fb (@width x
 * @height pixels of @bytes_per_pixel) and returns its rectangles. */
static GArray *
raw_read_update (GSocket *socket, guint8 *fb, int width, int height, int bytes_per_pixel)
{
  GArray *rects = g_array_new (FALSE, FALSE, sizeof (cairo_rectangle_int_t));
  guint n;

  ck_assert_msg (test_raw_read_update_header (socket, &n, TEST_TIMEOUT_US), "no update");
  for (guint i = 0; i < n; i++)
    {
      TestRawRect head;
      cairo_rectangle_int_t r;
      gsize row_bytes;
      g_autofree guint8 *row = NULL;

      ck_assert (test_raw_read_rect_header (socket, &head));
      r = (cairo_rectangle_int_t) { head.x, head.y, head.w, head.h };
      ck_assert_msg (head.encoding == 0, "rectangle %u: encoding %d instead of Raw", i, head.encoding);
      ck_assert_msg (r.x + r.width <= width && r.y + r.height <= height,
                     "rectangle %d,%d %dx%d outside %dx%d", r.x, r.y, r.width, r.height, width, height);
      row_bytes = (gsize) r.width * (gsize) bytes_per_pixel;
      row = g_malloc (MAX (row_bytes, 1));
      for (int y = 0; y < r.height; y++)
        {
          ck_assert (test_raw_recv (socket, row, row_bytes, TEST_TIMEOUT_US));
          memcpy (fb + (((gsize) (r.y + y) * (gsize) width) + (gsize) r.x) * (gsize) bytes_per_pixel,
                  row, row_bytes);
        }
      g_array_append_val (rects, r);
    }
  return rects;
}

static guint32
surface_pixel (cairo_surface_t *surface, int x, int y)
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);

  /* Premultiplied: the colour over black. */
  return ((const guint32 *) (const void *) (data + (gsize) y * (gsize) stride))[x] & 0xffffff;
}

static gboolean
rect_within (const cairo_rectangle_int_t *r, const cairo_rectangle_int_t *bounds)
{
  return r->x >= bounds->x && r->y >= bounds->y &&
         r->x + r->width <= bounds->x + bounds->width &&
         r->y + r->height <= bounds->y + bounds->height;
}

/* Whether the rectangles together cover @area. */
static gboolean
rects_cover (GArray *rects, const cairo_rectangle_int_t *area)
{
  cairo_region_t *region = cairo_region_create ();
  gboolean covered;

  for (guint i = 0; i < rects->len; i++)
    cairo_region_union_rectangle (region, &g_array_index (rects, cairo_rectangle_int_t, i));
  covered = cairo_region_contains_rectangle (region, area) == CAIRO_REGION_OVERLAP_IN;
  cairo_region_destroy (region);
  return covered;
}

/* The tiles that @area touches, as one rectangle. */
static cairo_rectangle_int_t
tiles_of (const cairo_rectangle_int_t *area)
{
  int x0 = area->x / TILE * TILE, y0 = area->y / TILE * TILE;
  int x1 = (area->x + area->width + TILE - 1) / TILE * TILE;
  int y1 = (area->y + area->height + TILE - 1) / TILE * TILE;

  return (cairo_rectangle_int_t) { x0, y0, x1 - x0, y1 - y0 };
}

static void
assert_viewer_matches (TestViewer *viewer, TestServer *ts, const char *what)
{
  int bad_x = 0, bad_y = 0;
  guint differing;

  if (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US))
    return;
  differing = test_viewer_compare (viewer, ts->surface, &ts->lock, &bad_x, &bad_y);
  g_mutex_lock (&ts->lock);
  ck_abort_msg ("%s: %u pixels differ (viewer %dx%d, surface %dx%d), first at %d,%d: "
                "viewer 0x%06x, surface 0x%06x",
                what, differing, viewer->client->width, viewer->client->height,
                cairo_image_surface_get_width (ts->surface), cairo_image_surface_get_height (ts->surface),
                bad_x, bad_y, bad_x >= 0 ? test_viewer_get_rgb (viewer, bad_x, bad_y) : 0,
                bad_x >= 0 ? surface_pixel (ts->surface, bad_x, bad_y) : 0);
}

/* Rectangles seen by libvncclient's GotFrameBufferUpdate. */

static GArray *got_rects;

static void
record_rect (rfbClient *client, int x, int y, int w, int h)
{
  cairo_rectangle_int_t r = { x, y, w, h };

  g_array_append_val (got_rects, r);
}

static TestViewer *
connect_recording_viewer (TestServer *ts)
{
  TestViewer *viewer = test_viewer_connect (ts->port, NULL, NULL, NULL);

  ck_assert_ptr_nonnull (viewer);
  if (got_rects == NULL)
    got_rects = g_array_new (FALSE, FALSE, sizeof (cairo_rectangle_int_t));
  g_array_set_size (got_rects, 0);
  viewer->client->GotFrameBufferUpdate = record_rect;
  assert_viewer_matches (viewer, ts, "first frame");
  ck_assert (test_viewer_pump (viewer, SETTLE_US));
  return viewer;
}

/* Pixel formats. */

typedef struct {
  cairo_format_t surface_format;
  int width, height;
} Shape;

static const Shape shapes[] = {
  { CAIRO_FORMAT_ARGB32, 1, 1 },   { CAIRO_FORMAT_RGB24, 1, 1 },
  { CAIRO_FORMAT_ARGB32, 17, 9 },  { CAIRO_FORMAT_RGB24, 17, 9 },
  { CAIRO_FORMAT_ARGB32, 64, 64 }, { CAIRO_FORMAT_RGB24, 64, 64 },
  { CAIRO_FORMAT_ARGB32, 65, 65 }, { CAIRO_FORMAT_RGB24, 65, 65 },
  { CAIRO_FORMAT_ARGB32, 131, 77 }, { CAIRO_FORMAT_RGB24, 131, 77 },
};

static void
check_shape_in_formats (const Shape *shape, const NamedFormat *formats, guint n_formats, guint seed)
{
  cairo_surface_t *surface = testutil_scene_new (shape->surface_format, shape->width, shape->height, seed);
  TestServer *ts = test_server_new (surface);

  test_server_start (ts);
  for (guint i = 0; i < n_formats; i++)
    {
      TestViewer *viewer = test_viewer_connect (ts->port, formats[i].format, "raw", NULL);
      g_autofree char *what = g_strdup_printf ("%s %dx%d as %s",
                                               shape->surface_format == CAIRO_FORMAT_ARGB32 ? "ARGB32" : "RGB24",
                                               shape->width, shape->height, formats[i].name);

      ck_assert_msg (viewer != NULL, "%s: the viewer could not connect", what);
      assert_viewer_matches (viewer, ts, what);
      test_viewer_free (viewer);
    }
  test_server_free (ts);
  cairo_surface_destroy (surface);
}

START_TEST (test_loopback_every_format_matches_surface)
{
  check_shape_in_formats (&shapes[_i], all_formats, G_N_ELEMENTS (all_formats), 300 + (guint) _i);
}
END_TEST

START_TEST (test_loopback_large_surface_matches)
{
  static const Shape large[] = {
    { CAIRO_FORMAT_ARGB32, 1921, 1081 },
    { CAIRO_FORMAT_RGB24, 1921, 1081 },
  };
  /* One format each keeps the time down. */
  const NamedFormat *format = _i == 0 ? &all_formats[0] : &all_formats[2];

  check_shape_in_formats (&large[_i], format, 1, 400 + (guint) _i);
}
END_TEST

/* An 8-bit colour-map viewer: libvncclient cannot be one, so raw bytes. */
START_TEST (test_loopback_colour_map_viewer_gets_bgr233_map)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 96, 64, 500);
  TestServer *ts = test_server_new (surface);
  GSocket *socket;
  int width = 0, height = 0;
  guint8 head[6];
  g_autofree guint8 *entries = NULL;
  g_autofree guint8 *fb = NULL;
  g_autoptr (GArray) rects = NULL;
  guint bad = 0;
  int bad_x = -1, bad_y = -1;

  test_server_start (ts);
  socket = test_raw_connect (ts->port);
  ck_assert (test_raw_handshake (socket, &width, &height));
  ck_assert_int_eq (width, 96);
  ck_assert_int_eq (height, 64);

  raw_set_pixel_format (socket, 8, 8, FALSE, 0, 0, 0, 0, 0, 0);
  ck_assert_msg (test_raw_recv (socket, head, sizeof head, TEST_TIMEOUT_US), "no SetColourMapEntries");
  ck_assert_uint_eq (head[0], 1);   /* SetColourMapEntries */
  ck_assert_uint_eq (test_get_u16 (head + 2), 0);
  ck_assert_uint_eq (test_get_u16 (head + 4), 256);
  entries = g_malloc (256 * 6);
  ck_assert (test_raw_recv (socket, entries, 256 * 6, TEST_TIMEOUT_US));

  test_raw_request_update (socket, FALSE, 0, 0, width, height);
  fb = g_malloc0 ((gsize) width * (gsize) height);
  rects = raw_read_update (socket, fb, width, height, 1);
  ck_assert (rects_cover (rects, &(cairo_rectangle_int_t) { 0, 0, width, height }));

  g_mutex_lock (&ts->lock);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guint8 *entry = entries + fb[y * width + x] * 6;
        guint32 s = surface_pixel (surface, x, y);
        int dr = abs ((int) (test_get_u16 (entry) >> 8) - (int) ((s >> 16) & 0xff));
        int dg = abs ((int) (test_get_u16 (entry + 2) >> 8) - (int) ((s >> 8) & 0xff));
        int db = abs ((int) (test_get_u16 (entry + 4) >> 8) - (int) (s & 0xff));
        /* Half a step of 3-3-2, plus rounding. */
        if ((dr > 19 || dg > 19 || db > 43) && bad++ == 0)
          {
            bad_x = x;
            bad_y = y;
          }
      }
  g_mutex_unlock (&ts->lock);
  ck_assert_msg (bad == 0, "%u pixels off their colour-map entry, first at %d,%d (index %u, surface 0x%06x)",
                 bad, bad_x, bad_y, bad ? fb[bad_y * width + bad_x] : 0,
                 bad ? surface_pixel (surface, bad_x, bad_y) : 0);

  g_object_unref (socket);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

/* Incremental and full requests. */

START_TEST (test_loopback_incremental_update_carries_changed_tiles)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 256, 192, 600);
  TestServer *ts = test_server_new (surface);
  const cairo_rectangle_int_t change = { 100, 40, 10, 10 };
  cairo_rectangle_int_t tiles = tiles_of (&change);
  TestViewer *viewer;
  guint updates;
  cairo_t *cr;

  test_server_start (ts);
  viewer = connect_recording_viewer (ts);

  g_array_set_size (got_rects, 0);
  updates = viewer->updates;
  g_mutex_lock (&ts->lock);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 0, 1);
  cairo_rectangle (cr, change.x, change.y, change.width, change.height);
  cairo_fill (cr);
  cairo_destroy (cr);
  g_mutex_unlock (&ts->lock);
  cairovnc_server_frame_ready (ts->server);

  ck_assert (test_viewer_wait_updates (viewer, updates + 1, TEST_TIMEOUT_US));
  ck_assert_uint_gt (got_rects->len, 0);
  for (guint i = 0; i < got_rects->len; i++)
    {
      cairo_rectangle_int_t *r = &g_array_index (got_rects, cairo_rectangle_int_t, i);
      ck_assert_msg (rect_within (r, &tiles), "rectangle %d,%d %dx%d is outside the changed tiles %d,%d %dx%d",
                     r->x, r->y, r->width, r->height, tiles.x, tiles.y, tiles.width, tiles.height);
    }
  ck_assert_msg (rects_cover (got_rects, &change), "the update does not cover the change");
  ck_assert_uint_eq (test_viewer_compare (viewer, surface, &ts->lock, NULL, NULL), 0);

  test_viewer_free (viewer);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

START_TEST (test_loopback_incremental_request_waits_for_change)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 200, 150, 610);
  TestServer *ts = test_server_new (surface);
  TestViewer *viewer;
  guint updates;

  test_server_start (ts);
  viewer = connect_recording_viewer (ts);

  g_array_set_size (got_rects, 0);
  updates = viewer->updates;
  ck_assert (SendIncrementalFramebufferUpdateRequest (viewer->client));
  /* A frame that equals the last one is no change either. */
  cairovnc_server_frame_ready (ts->server);
  ck_assert (test_viewer_pump (viewer, 300 * 1000));
  ck_assert_msg (viewer->updates == updates, "%u updates without a change", viewer->updates - updates);
  ck_assert_uint_eq (got_rects->len, 0);

  /* The outstanding request is answered by the next change. */
  test_server_redraw (ts, 611);
  assert_viewer_matches (viewer, ts, "after the wait");
  ck_assert_uint_gt (viewer->updates, updates);

  test_viewer_free (viewer);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

START_TEST (test_loopback_full_request_resends_whole_picture)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 200, 150, 620);
  TestServer *ts = test_server_new (surface);
  const cairo_rectangle_int_t all = { 0, 0, 200, 150 };
  TestViewer *viewer;
  guint updates;

  test_server_start (ts);
  viewer = connect_recording_viewer (ts);

  /* Spoil the viewer's copy, so only a resend can restore it. */
  memset (viewer->client->frameBuffer, 0, (gsize) 200 * 150 * 4);
  ck_assert_uint_ne (test_viewer_compare (viewer, surface, &ts->lock, NULL, NULL), 0);
  g_array_set_size (got_rects, 0);
  updates = viewer->updates;
  ck_assert (SendFramebufferUpdateRequest (viewer->client, 0, 0, 200, 150, FALSE));
  ck_assert (test_viewer_wait_updates (viewer, updates + 1, TEST_TIMEOUT_US));
  ck_assert_msg (rects_cover (got_rects, &all), "the full request got %u rectangles not covering the picture",
                 got_rects->len);
  ck_assert_uint_eq (test_viewer_compare (viewer, surface, &ts->lock, NULL, NULL), 0);

  test_viewer_free (viewer);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

/* A raw viewer asks for part of the picture: it gets the tiles that part
 * touches and no others. */
START_TEST (test_loopback_partial_request_gets_intersecting_tiles)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 256, 192, 630);
  TestServer *ts = test_server_new (surface);
  static const cairo_rectangle_int_t requests[] = {
    { 64, 0, 64, 64 },     /* exactly one tile */
    { 100, 50, 40, 20 },   /* across four tiles */
  };
  GSocket *socket;
  int width = 0, height = 0;
  g_autofree guint32 *fb = NULL;

  test_server_start (ts);
  socket = test_raw_connect (ts->port);
  ck_assert (test_raw_handshake (socket, &width, &height));
  raw_set_pixel_format (socket, 32, 24, TRUE, 255, 255, 255, 16, 8, 0);
  fb = g_new0 (guint32, (gsize) width * (gsize) height);

  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      const cairo_rectangle_int_t *want = &requests[i];
      cairo_rectangle_int_t tiles = tiles_of (want);
      g_autoptr (GArray) rects = NULL;

      test_raw_request_update (socket, FALSE, want->x, want->y, want->width, want->height);
      rects = raw_read_update (socket, (guint8 *) fb, width, height, 4);
      ck_assert_uint_gt (rects->len, 0);
      for (guint j = 0; j < rects->len; j++)
        {
          cairo_rectangle_int_t *r = &g_array_index (rects, cairo_rectangle_int_t, j);
          ck_assert_msg (rect_within (r, &tiles),
                         "request %u: rectangle %d,%d %dx%d outside the tiles %d,%d %dx%d",
                         i, r->x, r->y, r->width, r->height, tiles.x, tiles.y, tiles.width, tiles.height);
          g_mutex_lock (&ts->lock);
          for (int y = r->y; y < r->y + r->height; y++)
            for (int x = r->x; x < r->x + r->width; x++)
              {
                guint32 got = GUINT32_FROM_LE (fb[y * width + x]) & 0xffffff;
                guint32 expected = surface_pixel (surface, x, y);
                if (got != expected)
                  {
                    g_mutex_unlock (&ts->lock);
                    ck_abort_msg ("pixel %d,%d: 0x%06x, surface 0x%06x", x, y, got, expected);
                  }
              }
          g_mutex_unlock (&ts->lock);
        }
      ck_assert_msg (rects_cover (rects, want), "request %u is not covered", i);
    }

  g_object_unref (socket);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

/* Several viewers. */

START_TEST (test_loopback_many_viewers_follow_animation)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 320, 200, 700);
  TestServer *ts = test_server_new (surface);
  TestViewer *viewers[6] = { NULL };
  guint n_viewers = 5;

  test_server_start (ts);
  for (guint i = 0; i < n_viewers; i++)
    {
      viewers[i] = test_viewer_connect (ts->port, all_formats[i].format, "raw", NULL);
      ck_assert_msg (viewers[i] != NULL, "viewer %u could not connect", i + 1);
    }

  for (guint frame = 1; frame <= 20; frame++)
    {
      if (frame == 11)
        {
          viewers[n_viewers] = test_viewer_connect (ts->port, NULL, "raw", NULL);
          ck_assert_msg (viewers[n_viewers] != NULL, "the late viewer could not connect");
          n_viewers++;
        }
      test_server_redraw (ts, 700 + frame);
      for (guint i = 0; i < n_viewers; i++)
        ck_assert_msg (test_viewer_pump (viewers[i], 5 * 1000), "viewer %u lost its connection", i + 1);
    }

  for (guint i = 0; i < n_viewers; i++)
    {
      g_autofree char *what = g_strdup_printf ("viewer %u after 20 frames", i + 1);
      assert_viewer_matches (viewers[i], ts, what);
    }
  for (guint i = 0; i < n_viewers; i++)
    test_viewer_free (viewers[i]);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

static Suite *
loopback_suite (void)
{
  Suite *suite = suite_create ("loopback");
  TCase *tc;

  tc = tcase_create ("formats");
  tcase_set_timeout (tc, 30);
  tcase_add_loop_test (tc, test_loopback_every_format_matches_surface, 0, G_N_ELEMENTS (shapes));
  tcase_add_loop_test (tc, test_loopback_large_surface_matches, 0, 2);
  tcase_add_test (tc, test_loopback_colour_map_viewer_gets_bgr233_map);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("updates");
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_loopback_incremental_update_carries_changed_tiles);
  tcase_add_test (tc, test_loopback_incremental_request_waits_for_change);
  tcase_add_test (tc, test_loopback_full_request_resends_whole_picture);
  tcase_add_test (tc, test_loopback_partial_request_gets_intersecting_tiles);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("viewers");
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_loopback_many_viewers_follow_animation);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  SRunner *runner;
  int failed;

  testutil_init ();
  runner = srunner_create (loopback_suite ());
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
