/* test-copyrect.c — moved content reaches viewers as CopyRect.
 *
 * A terminal-like surface scrolls its text up a line per frame. Viewers
 * that support CopyRect (libvncclient) are told to copy the rows they
 * already have and get only the new line, and still match the surface
 * pixel for pixel; viewers without CopyRect, and viewers that fell behind,
 * get pixels. cairovnc_server_add_copy() hints are used when the pixels
 * bear them out and ignored when they do not.
 */
#include "testutil.h"

#include <string.h>

#define WIDTH 320
#define HEIGHT 240
#define LINE_HEIGHT 12

typedef struct {
  int copies;
  int copied_rows;
  int last_dy;
} CopyCount;

static CopyCount copy_count;
static GotCopyRectProc default_copy_rect;

static void
count_copy_rect (rfbClient *client, int src_x, int src_y, int w, int h, int dest_x, int dest_y)
{
  copy_count.copies++;
  copy_count.copied_rows += h;
  copy_count.last_dy = dest_y - src_y;
  default_copy_rect (client, src_x, src_y, w, h, dest_x, dest_y);
}

static void
count_copies (TestViewer *viewer)
{
  memset (&copy_count, 0, sizeof copy_count);
  default_copy_rect = viewer->client->GotCopyRect;
  viewer->client->GotCopyRect = count_copy_rect;
}

/* Line n of the "terminal": distinct stripes, so every row differs from
 * every other. */
static void
draw_line (cairo_t *cr, int line, int y)
{
  GRand *rand = g_rand_new_with_seed ((guint32) line * 7919u + 1);

  cairo_set_source_rgb (cr, 0.05, 0.05, 0.1);
  cairo_rectangle (cr, 0, y, WIDTH, LINE_HEIGHT);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0.3 + g_rand_double (rand) * 0.7, 0.9, 0.4);
  for (int x = 2; x < WIDTH - 8; x += g_rand_int_range (rand, 4, 9))
    cairo_rectangle (cr, x, y + 2 + g_rand_int_range (rand, 0, 3), g_rand_int_range (rand, 1, 4),
                     g_rand_int_range (rand, 4, 8));
  cairo_fill (cr);
  g_rand_free (rand);
}

/* The screen after @first_line has scrolled to the top. */
static void
draw_terminal (TestServer *ts, int first_line)
{
  cairo_t *cr;

  g_mutex_lock (&ts->lock);
  cr = cairo_create (ts->surface);
  for (int row = 0; row * LINE_HEIGHT < HEIGHT; row++)
    draw_line (cr, first_line + row, row * LINE_HEIGHT);
  cairo_destroy (cr);
  g_mutex_unlock (&ts->lock);
}

static TestServer *
terminal_server (void)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, WIDTH, HEIGHT);
  TestServer *ts = test_server_new (surface);

  cairo_surface_destroy (surface);
  g_object_set (ts->server, "max-framerate", 0.0, NULL);
  draw_terminal (ts, 0);
  test_server_start (ts);
  return ts;
}

START_TEST (test_copyrect_scrolling_text_is_copied)
{
  TestServer *ts = terminal_server ();
  TestViewer *viewer = test_viewer_connect (ts->port, NULL, "copyrect raw", NULL);

  ck_assert_ptr_nonnull (viewer);
  count_copies (viewer);
  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));

  for (int line = 1; line <= 10; line++)
    {
      draw_terminal (ts, line);
      cairovnc_server_frame_ready (ts->server);
      ck_assert_msg (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US), "scroll %d: no match", line);
    }
  /* Every scroll but perhaps one that raced a frame was a copy of most
   * of the screen, upwards by one line. */
  ck_assert_int_ge (copy_count.copies, 8);
  ck_assert_int_ge (copy_count.copied_rows, 8 * (HEIGHT - 2 * LINE_HEIGHT));
  ck_assert_int_eq (copy_count.last_dy, -LINE_HEIGHT);

  test_viewer_free (viewer);
  test_server_free (ts);
}
END_TEST

START_TEST (test_copyrect_viewer_without_copyrect_gets_pixels)
{
  TestServer *ts = terminal_server ();
  TestViewer *viewer = test_viewer_connect (ts->port, NULL, "raw", NULL);

  ck_assert_ptr_nonnull (viewer);
  count_copies (viewer);
  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));
  for (int line = 1; line <= 4; line++)
    {
      draw_terminal (ts, line);
      cairovnc_server_frame_ready (ts->server);
      ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));
    }
  ck_assert_int_eq (copy_count.copies, 0);
  test_viewer_free (viewer);
  test_server_free (ts);
}
END_TEST

START_TEST (test_copyrect_viewer_that_fell_behind_still_matches)
{
  TestServer *ts = terminal_server ();
  TestViewer *viewer = test_viewer_connect (ts->port, NULL, "copyrect raw", NULL);

  ck_assert_ptr_nonnull (viewer);
  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));
  /* Several scrolls while the viewer does not read: whatever it is sent
   * must add up to the last screen. */
  for (int line = 1; line <= 6; line++)
    {
      draw_terminal (ts, line);
      cairovnc_server_frame_ready (ts->server);
      g_usleep (20000);
    }
  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));
  test_viewer_free (viewer);
  test_server_free (ts);
}
END_TEST

/* Moves a block right by 24 px and says so. */
static void
move_block (TestServer *ts, int x)
{
  cairo_t *cr;

  g_mutex_lock (&ts->lock);
  cr = cairo_create (ts->surface);
  cairo_set_source_rgb (cr, 0.2, 0.2, 0.2);
  cairo_paint (cr);
  for (int i = 0; i < 8; i++)
    {
      cairo_set_source_rgb (cr, i / 8.0, 1 - i / 8.0, 0.5);
      cairo_rectangle (cr, x + i * 8, 40, 8, 100);
      cairo_fill (cr);
    }
  cairo_destroy (cr);
  g_mutex_unlock (&ts->lock);
}

START_TEST (test_copyrect_hint_is_used_when_true_and_ignored_when_false)
{
  TestServer *ts = terminal_server ();
  TestViewer *viewer = test_viewer_connect (ts->port, NULL, "copyrect raw", NULL);

  ck_assert_ptr_nonnull (viewer);
  move_block (ts, 20);
  cairovnc_server_frame_ready (ts->server);
  count_copies (viewer);
  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));
  copy_count.copies = 0;

  /* A true hint: the block moved 24 px right. */
  move_block (ts, 44);
  cairovnc_server_add_copy (ts->server, &(cairo_rectangle_int_t) { 44, 40, 64, 100 }, 24, 0);
  cairovnc_server_frame_ready (ts->server);
  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));
  ck_assert_int_eq (copy_count.copies, 1);

  /* A false hint: the pixels do not bear it out, so nothing is copied and
   * the picture is still right. */
  move_block (ts, 100);
  cairovnc_server_add_copy (ts->server, &(cairo_rectangle_int_t) { 100, 40, 64, 100 }, 3, 0);
  cairovnc_server_frame_ready (ts->server);
  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));
  ck_assert_int_eq (copy_count.copies, 1);

  test_viewer_free (viewer);
  test_server_free (ts);
}
END_TEST

static Suite *
copyrect_suite (void)
{
  Suite *suite = suite_create ("copyrect");
  TCase *tc = tcase_create ("copyrect");

  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_copyrect_scrolling_text_is_copied);
  tcase_add_test (tc, test_copyrect_viewer_without_copyrect_gets_pixels);
  tcase_add_test (tc, test_copyrect_viewer_that_fell_behind_still_matches);
  tcase_add_test (tc, test_copyrect_hint_is_used_when_true_and_ignored_when_false);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  SRunner *runner;
  int failed;

  testutil_init ();
  runner = srunner_create (copyrect_suite ());
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed != 0;
}
