/* test-resize.c — new surfaces, desktop names and pushed frames on the wire.
 *
 * cairovnc_server_set_surface() with other sizes must reach each viewer
 * the way it can take it: libvncclient and raw viewers announcing
 * DesktopSize or ExtendedDesktopSize get one size rectangle alone in its
 * update and then the new pixels; a viewer announcing neither keeps its
 * size and only ever gets rectangles inside it. Desktop names go only to
 * DesktopName viewers and only when they change; SetDesktopSize is
 * refused with the right ExtendedDesktopSize reply; push-frame viewers
 * get each new frame after a single request.
 */
#include "testutil.h"

#include <string.h>

#define ENCODING_APPLE_PUSH 1011
#define SILENCE_US (500 * 1000)

static TestServer *
start_server (int width, int height, gboolean push_frames)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, width, height, 1);
  TestServer *ts = test_server_new (surface);

  cairo_surface_destroy (surface);
  if (push_frames)
    g_object_set (ts->server, "push-frames", TRUE, NULL);
  test_server_start (ts);
  return ts;
}

/* Serves a new surface with @seed's scene; the TestServer compares with it
 * from now on. */
static void
replace_surface (TestServer *ts, int width, int height, guint seed)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, width, height, seed);
  cairo_surface_t *old;

  g_mutex_lock (&ts->lock);
  old = ts->surface;
  ts->surface = surface;
  g_mutex_unlock (&ts->lock);
  cairovnc_server_set_surface (ts->server, surface, &ts->lock);
  cairo_surface_destroy (old);
}

/* A raw viewer after the handshake and, unless @n is negative,
 * SetEncodings. */
static TestRawViewer *
raw_viewer_new (TestServer *ts, const gint32 *encodings, int n)
{
  TestRawViewer *rv = test_raw_viewer_new (ts->port);

  if (n >= 0)
    test_raw_set_encodings (rv->socket, encodings, (guint) n);
  return rv;
}

static void
raw_request_all (TestRawViewer *rv, gboolean incremental)
{
  test_raw_request_update (rv->socket, incremental, 0, 0, rv->width, rv->height);
}

static gboolean
has_encoding (GArray *rects, gint32 encoding)
{
  for (guint i = 0; i < rects->len; i++)
    if (g_array_index (rects, TestRawRect, i).encoding == encoding)
      return TRUE;
  return FALSE;
}

/* Reads updates until the framebuffer matches the surface over @w x @h;
 * every pixel rectangle must lie inside @max_w x @max_h. When @request
 * is set, asks for an incremental update after each one. */
static void
raw_read_until_match (TestRawViewer *rv, TestServer *ts, int w, int h, int max_w, int max_h,
                      gboolean request, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + TEST_TIMEOUT_US;
  g_autoptr (GArray) rects = test_raw_rects_new ();

  while (!test_raw_viewer_matches (rv, ts, w, h))
    {
      gint64 left = deadline - g_get_monotonic_time ();
      ck_assert_msg (left > 0 && test_raw_viewer_read_update (rv, rects, left), "%s: no matching frame",
                     what);
      for (guint i = 0; i < rects->len; i++)
        {
          const TestRawRect *r = &g_array_index (rects, TestRawRect, i);
          if (r->encoding != TEST_ENCODING_RAW)
            continue;
          ck_assert_msg (r->x + r->w <= max_w && r->y + r->h <= max_h,
                         "%s: rectangle %d,%d %dx%d outside %dx%d", what, r->x, r->y, r->w, r->h,
                         max_w, max_h);
        }
      if (request)
        raw_request_all (rv, TRUE);
    }
}

/* Reads one update and checks it is a lone size rectangle. */
static TestRawRect
expect_size_update (TestRawViewer *rv, gint32 encoding, const char *what)
{
  g_autoptr (GArray) rects = test_raw_rects_new ();
  TestRawRect rect;

  ck_assert_msg (test_raw_viewer_read_update (rv, rects, TEST_TIMEOUT_US), "%s: no update", what);
  ck_assert_msg (rects->len == 1, "%s: %u rectangles with the size", what, rects->len);
  rect = g_array_index (rects, TestRawRect, 0);
  ck_assert_msg (rect.encoding == encoding, "%s: encoding %d, expected %d", what, rect.encoding, encoding);
  return rect;
}

/* libvncclient. */

START_TEST (test_resize_viewer_follows_new_surfaces)
{
  TestServer *ts = start_server (160, 120, FALSE);
  TestViewer *viewer = test_viewer_connect (ts->port, NULL, NULL, NULL);
  static const struct {
    int width, height;
  } sizes[] = { { 320, 240 }, { 200, 150 }, { 200, 150 } };
  guint resizes;

  ck_assert (viewer != NULL);
  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));
  resizes = viewer->resizes;

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      gboolean same_size = viewer->client->width == sizes[i].width &&
                           viewer->client->height == sizes[i].height;

      replace_surface (ts, sizes[i].width, sizes[i].height, 10 + i);
      ck_assert_msg (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US),
                     "surface %u (%dx%d): the viewer has %dx%d and other pixels", i,
                     sizes[i].width, sizes[i].height, viewer->client->width, viewer->client->height);
      ck_assert_int_eq (viewer->client->width, sizes[i].width);
      ck_assert_int_eq (viewer->client->height, sizes[i].height);
      if (same_size)
        ck_assert_msg (viewer->resizes == resizes, "surface %u: resized for the same size", i);
      else
        ck_assert_msg (viewer->resizes > resizes, "surface %u: the framebuffer was not reallocated", i);
      resizes = viewer->resizes;
    }
  /* Frames go on at the last size. */
  test_server_redraw (ts, 20);
  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));

  test_viewer_free (viewer);
  test_server_free (ts);
}
END_TEST

/* Raw viewers. */

START_TEST (test_resize_desktop_size_rectangle_alone)
{
  TestServer *ts = start_server (160, 120, FALSE);
  const gint32 encodings[] = { TEST_ENCODING_RAW, TEST_ENCODING_DESKTOP_SIZE };
  TestRawViewer *rv = raw_viewer_new (ts, encodings, G_N_ELEMENTS (encodings));
  TestRawRect rect;

  raw_request_all (rv, FALSE);
  raw_read_until_match (rv, ts, 160, 120, 160, 120, FALSE, "first frame");

  raw_request_all (rv, TRUE);
  replace_surface (ts, 320, 240, 2);
  rect = expect_size_update (rv, TEST_ENCODING_DESKTOP_SIZE, "growing");
  ck_assert_int_eq (rect.x, 0);
  ck_assert_int_eq (rect.y, 0);
  ck_assert_int_eq (rect.w, 320);
  ck_assert_int_eq (rect.h, 240);
  raw_request_all (rv, FALSE);
  raw_read_until_match (rv, ts, 320, 240, 320, 240, TRUE, "after growing");

  replace_surface (ts, 100, 80, 3);
  rect = expect_size_update (rv, TEST_ENCODING_DESKTOP_SIZE, "shrinking");
  ck_assert_int_eq (rect.w, 100);
  ck_assert_int_eq (rect.h, 80);
  raw_request_all (rv, FALSE);
  raw_read_until_match (rv, ts, 100, 80, 100, 80, TRUE, "after shrinking");

  test_raw_viewer_free (rv);
  test_server_free (ts);
}
END_TEST

START_TEST (test_resize_extended_desktop_size_rectangle_alone)
{
  TestServer *ts = start_server (160, 120, FALSE);
  const gint32 encodings[] = { TEST_ENCODING_RAW, TEST_ENCODING_EXTENDED_DESKTOP_SIZE };
  TestRawViewer *rv = raw_viewer_new (ts, encodings, G_N_ELEMENTS (encodings));
  g_autoptr (GArray) rects = test_raw_rects_new ();
  TestRawRect rect;

  /* The first full request is answered with the screen layout, alone. */
  raw_request_all (rv, FALSE);
  rect = expect_size_update (rv, TEST_ENCODING_EXTENDED_DESKTOP_SIZE, "first request");
  ck_assert_int_eq (rect.x, 0);
  ck_assert_int_eq (rect.y, 0);
  ck_assert_int_eq (rect.w, 160);
  ck_assert_int_eq (rect.h, 120);
  raw_read_until_match (rv, ts, 160, 120, 160, 120, FALSE, "first frame");

  raw_request_all (rv, TRUE);
  replace_surface (ts, 320, 240, 2);
  rect = expect_size_update (rv, TEST_ENCODING_EXTENDED_DESKTOP_SIZE, "growing");
  ck_assert_int_eq (rect.x, 0);  /* reason: the server changed it */
  ck_assert_int_eq (rect.y, 0);  /* status: no error */
  ck_assert_int_eq (rect.w, 320);
  ck_assert_int_eq (rect.h, 240);
  ck_assert_uint_eq (rect.n_screens, 1);
  ck_assert_int_eq (rect.screen_x, 0);
  ck_assert_int_eq (rect.screen_y, 0);
  ck_assert_int_eq (rect.screen_w, 320);
  ck_assert_int_eq (rect.screen_h, 240);
  raw_request_all (rv, FALSE);
  raw_read_until_match (rv, ts, 320, 240, 320, 240, TRUE, "after growing");

  /* Later full requests get pixels, not the layout again. */
  raw_request_all (rv, FALSE);
  ck_assert (test_raw_viewer_read_update (rv, rects, TEST_TIMEOUT_US));
  ck_assert_msg (!has_encoding (rects, TEST_ENCODING_EXTENDED_DESKTOP_SIZE), "layout sent again");
  ck_assert (has_encoding (rects, TEST_ENCODING_RAW));

  test_raw_viewer_free (rv);
  test_server_free (ts);
}
END_TEST

static void
check_plain_viewer_keeps_size (gboolean announce_raw)
{
  TestServer *ts = start_server (160, 120, FALSE);
  const gint32 encodings[] = { TEST_ENCODING_RAW };
  TestRawViewer *rv = raw_viewer_new (ts, encodings, announce_raw ? 1 : -1);
  g_autoptr (GArray) rects = test_raw_rects_new ();

  raw_request_all (rv, FALSE);
  raw_read_until_match (rv, ts, 160, 120, 160, 120, FALSE, "first frame");

  /* Larger: the viewer sees its old size's worth, from the top left. */
  raw_request_all (rv, TRUE);
  replace_surface (ts, 320, 240, 2);
  raw_read_until_match (rv, ts, 160, 120, 160, 120, TRUE, "after growing");
  ck_assert_int_eq (rv->width, 160);

  /* Even asking for more than it has gives nothing outside. */
  test_raw_request_update (rv->socket, FALSE, 0, 0, 65535, 65535);
  ck_assert (test_raw_viewer_read_update (rv, rects, TEST_TIMEOUT_US));
  for (guint i = 0; i < rects->len; i++)
    {
      const TestRawRect *r = &g_array_index (rects, TestRawRect, i);
      ck_assert_int_eq (r->encoding, TEST_ENCODING_RAW);
      ck_assert_msg (r->x + r->w <= 160 && r->y + r->h <= 120, "rectangle %d,%d %dx%d outside 160x120",
                     r->x, r->y, r->w, r->h);
    }

  /* Smaller: only what the surface still has. */
  raw_request_all (rv, TRUE);
  replace_surface (ts, 100, 80, 3);
  raw_read_until_match (rv, ts, 100, 80, 100, 80, TRUE, "after shrinking");

  /* And frames go on. */
  test_server_redraw (ts, 4);
  raw_read_until_match (rv, ts, 100, 80, 100, 80, TRUE, "frame after shrinking");
  test_server_redraw (ts, 5);
  raw_read_until_match (rv, ts, 100, 80, 100, 80, TRUE, "second frame after shrinking");

  test_raw_viewer_free (rv);
  test_server_free (ts);
}

START_TEST (test_resize_plain_viewer_keeps_its_size)
{
  check_plain_viewer_keeps_size (TRUE);
}
END_TEST

START_TEST (test_resize_viewer_without_set_encodings_keeps_its_size)
{
  check_plain_viewer_keeps_size (FALSE);
}
END_TEST

/* Desktop name. */

START_TEST (test_resize_desktop_name_sent_once_when_changed)
{
  TestServer *ts = start_server (160, 120, FALSE);
  const gint32 with_name[] = { TEST_ENCODING_RAW, TEST_ENCODING_DESKTOP_NAME };
  const gint32 without_name[] = { TEST_ENCODING_RAW };
  TestRawViewer *named = raw_viewer_new (ts, with_name, G_N_ELEMENTS (with_name));
  TestRawViewer *plain = raw_viewer_new (ts, without_name, G_N_ELEMENTS (without_name));
  g_autoptr (GArray) rects = test_raw_rects_new ();
  const char *name = "\xc3\x9c" "ber name";
  gboolean found = FALSE;

  raw_request_all (named, FALSE);
  raw_read_until_match (named, ts, 160, 120, 160, 120, FALSE, "first frame");
  raw_request_all (plain, FALSE);
  raw_read_until_match (plain, ts, 160, 120, 160, 120, FALSE, "first frame");

  raw_request_all (named, TRUE);
  raw_request_all (plain, TRUE);
  cairovnc_server_set_desktop_name (ts->server, name);
  {
    g_autofree char *desktop_name = cairovnc_server_dup_desktop_name (ts->server);
    ck_assert_str_eq (desktop_name, name);
  }
  ck_assert_msg (test_raw_viewer_read_update (named, rects, TEST_TIMEOUT_US), "no update with the name");
  for (guint i = 0; i < rects->len; i++)
    {
      const TestRawRect *r = &g_array_index (rects, TestRawRect, i);
      if (r->encoding != TEST_ENCODING_DESKTOP_NAME)
        continue;
      ck_assert (!found);
      found = TRUE;
      ck_assert_int_eq (r->x, 0);
      ck_assert_int_eq (r->y, 0);
      ck_assert_int_eq (r->w, 0);
      ck_assert_int_eq (r->h, 0);
      ck_assert_str_eq (r->name, name);
    }
  ck_assert_msg (found, "the update has no DesktopName rectangle");

  /* The same name again: nothing to say. */
  raw_request_all (named, TRUE);
  cairovnc_server_set_desktop_name (ts->server, name);
  ck_assert_msg (!g_socket_condition_timed_wait (named->socket, G_IO_IN, SILENCE_US, NULL, NULL),
                 "something was sent for the same name");
  /* The viewer without DesktopName heard nothing of it either. */
  ck_assert_msg (!g_socket_condition_timed_wait (plain->socket, G_IO_IN, 1, NULL, NULL),
                 "the viewer without DesktopName got an update");

  /* The next frame carries pixels only, to both. */
  test_server_redraw (ts, 2);
  ck_assert (test_raw_viewer_read_update (named, rects, TEST_TIMEOUT_US));
  ck_assert_msg (!has_encoding (rects, TEST_ENCODING_DESKTOP_NAME), "the name came again");
  ck_assert (has_encoding (rects, TEST_ENCODING_RAW));
  ck_assert (test_raw_viewer_read_update (plain, rects, TEST_TIMEOUT_US));
  ck_assert_msg (!has_encoding (rects, TEST_ENCODING_DESKTOP_NAME), "a name for a viewer without DesktopName");
  ck_assert (has_encoding (rects, TEST_ENCODING_RAW));

  test_raw_viewer_free (named);
  test_raw_viewer_free (plain);
  test_server_free (ts);
}
END_TEST

/* SetDesktopSize. */

START_TEST (test_resize_set_desktop_size_is_refused)
{
  TestServer *ts = start_server (160, 120, FALSE);
  const gint32 encodings[] = { TEST_ENCODING_RAW, TEST_ENCODING_EXTENDED_DESKTOP_SIZE };
  TestRawViewer *rv = raw_viewer_new (ts, encodings, G_N_ELEMENTS (encodings));
  guint8 msg[8 + 16] = { 251, 0 };
  TestRawRect rect;

  raw_request_all (rv, FALSE);
  rect = expect_size_update (rv, TEST_ENCODING_EXTENDED_DESKTOP_SIZE, "first request");
  ck_assert_int_eq (rect.w, 160);
  ck_assert_int_eq (rect.h, 120);
  raw_read_until_match (rv, ts, 160, 120, 160, 120, FALSE, "first frame");

  raw_request_all (rv, TRUE);
  test_put_u16 (msg + 2, 400);
  test_put_u16 (msg + 4, 300);
  msg[6] = 1;                 /* one screen: id 0 at 0,0, 400x300 */
  test_put_u16 (msg + 8 + 8, 400);
  test_put_u16 (msg + 8 + 10, 300);
  ck_assert (test_raw_send (rv->socket, msg, sizeof msg));

  rect = expect_size_update (rv, TEST_ENCODING_EXTENDED_DESKTOP_SIZE, "SetDesktopSize reply");
  ck_assert_int_eq (rect.x, 1);  /* reason: this viewer asked */
  ck_assert_int_eq (rect.y, 1);  /* status: prohibited */
  ck_assert_int_eq (rv->width, 160);
  ck_assert_int_eq (rv->height, 120);

  /* Nothing changed: a full request gives the same surface. */
  raw_request_all (rv, FALSE);
  memset (rv->fb, 0, (gsize) rv->width * (gsize) rv->height * 4);
  raw_read_until_match (rv, ts, 160, 120, 160, 120, TRUE, "after SetDesktopSize");
  ck_assert_int_eq (rv->width, 160);
  ck_assert_int_eq (rv->height, 120);

  test_raw_viewer_free (rv);
  test_server_free (ts);
}
END_TEST

/* Pushed frames. */

static void
check_pushed_frames (TestRawViewer *rv, TestServer *ts)
{
  g_autoptr (GArray) rects = test_raw_rects_new ();
  guint before;

  /* One request, never another. */
  raw_request_all (rv, FALSE);
  raw_read_until_match (rv, ts, 160, 120, 160, 120, FALSE, "first frame");
  before = rv->updates;
  for (guint seed = 2; seed < 5; seed++)
    {
      g_autofree char *what = g_strdup_printf ("pushed frame %u", seed);
      test_server_redraw (ts, seed);
      raw_read_until_match (rv, ts, 160, 120, 160, 120, FALSE, what);
    }
  ck_assert_uint_ge (rv->updates - before, 3);
}

START_TEST (test_resize_apple_viewer_gets_pushed_frames)
{
  TestServer *ts = start_server (160, 120, FALSE);
  const gint32 encodings[] = { TEST_ENCODING_RAW, ENCODING_APPLE_PUSH };
  TestRawViewer *rv = raw_viewer_new (ts, encodings, G_N_ELEMENTS (encodings));

  check_pushed_frames (rv, ts);

  test_raw_viewer_free (rv);
  test_server_free (ts);
}
END_TEST

START_TEST (test_resize_push_frames_property)
{
  TestServer *ts = start_server (160, 120, TRUE);
  const gint32 encodings[] = { TEST_ENCODING_RAW };
  TestRawViewer *rv = raw_viewer_new (ts, encodings, G_N_ELEMENTS (encodings));

  check_pushed_frames (rv, ts);

  test_raw_viewer_free (rv);
  test_server_free (ts);
}
END_TEST

START_TEST (test_resize_push_frames_property_without_set_encodings)
{
  TestServer *ts = start_server (160, 120, TRUE);
  TestRawViewer *rv = raw_viewer_new (ts, NULL, -1);

  check_pushed_frames (rv, ts);

  test_raw_viewer_free (rv);
  test_server_free (ts);
}
END_TEST

START_TEST (test_resize_request_driven_viewer_waits_for_requests)
{
  TestServer *ts = start_server (160, 120, FALSE);
  const gint32 encodings[] = { TEST_ENCODING_RAW };
  TestRawViewer *rv = raw_viewer_new (ts, encodings, G_N_ELEMENTS (encodings));

  raw_request_all (rv, FALSE);
  raw_read_until_match (rv, ts, 160, 120, 160, 120, FALSE, "first frame");
  test_server_redraw (ts, 2);
  ck_assert_msg (!g_socket_condition_timed_wait (rv->socket, G_IO_IN, SILENCE_US, NULL, NULL),
                 "an update without a request");
  raw_request_all (rv, TRUE);
  raw_read_until_match (rv, ts, 160, 120, 160, 120, FALSE, "after the request");

  test_raw_viewer_free (rv);
  test_server_free (ts);
}
END_TEST

static Suite *
resize_suite (void)
{
  Suite *suite = suite_create ("resize");
  TCase *surfaces = tcase_create ("surfaces");
  TCase *names = tcase_create ("desktop-name");
  TCase *set_size = tcase_create ("set-desktop-size");
  TCase *push = tcase_create ("push-frames");

  tcase_set_timeout (surfaces, 30);
  tcase_add_test (surfaces, test_resize_viewer_follows_new_surfaces);
  tcase_add_test (surfaces, test_resize_desktop_size_rectangle_alone);
  tcase_add_test (surfaces, test_resize_extended_desktop_size_rectangle_alone);
  tcase_add_test (surfaces, test_resize_plain_viewer_keeps_its_size);
  tcase_add_test (surfaces, test_resize_viewer_without_set_encodings_keeps_its_size);
  suite_add_tcase (suite, surfaces);

  tcase_set_timeout (names, 30);
  tcase_add_test (names, test_resize_desktop_name_sent_once_when_changed);
  suite_add_tcase (suite, names);

  tcase_set_timeout (set_size, 30);
  tcase_add_test (set_size, test_resize_set_desktop_size_is_refused);
  suite_add_tcase (suite, set_size);

  tcase_set_timeout (push, 30);
  tcase_add_test (push, test_resize_apple_viewer_gets_pushed_frames);
  tcase_add_test (push, test_resize_push_frames_property);
  tcase_add_test (push, test_resize_push_frames_property_without_set_encodings);
  tcase_add_test (push, test_resize_request_driven_viewer_waits_for_requests);
  suite_add_tcase (suite, push);

  return suite;
}

int
main (void)
{
  return testutil_run (resize_suite ());
}
