/* test-scroll.c — finding moved content between frames (scroll.c).
 *
 * scroll_detect finds a vertical scroll of full-width rows, up or down,
 * and the band it covers, even with blank lines that match anywhere; it
 * finds nothing where content changed without moving. copy_op_verify
 * accepts exactly the moves the pixels bear out and rejects any that
 * reach outside the frame.
 */
#include "checkutil.h"

#include "frame.h"

#define WIDTH 200
#define HEIGHT 160
#define LINE 10

/* Line n: distinct stripes; every third line blank, as in real text. */
static void
draw_line (cairo_t *cr, int n, int y)
{
  GRand *rand = g_rand_new_with_seed ((guint32) n * 31u + 7u);

  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_rectangle (cr, 0, y, WIDTH, LINE);
  cairo_fill (cr);
  if (n % 3 != 2)
    {
      cairo_set_source_rgb (cr, 1, 1, 1);
      for (int x = 1; x < WIDTH - 6; x += g_rand_int_range (rand, 3, 8))
        cairo_rectangle (cr, x, y + 1 + g_rand_int_range (rand, 0, 3), 2, 6);
      cairo_fill (cr);
    }
  g_rand_free (rand);
}

/* The page whose top line is @first, its lines @offset pixels down. */
static Frame *
page_frame (int first, int offset, guint64 id)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, WIDTH, HEIGHT);
  cairo_t *cr = cairo_create (surface);
  SurfaceSource source = { .surface = surface, .width = WIDTH, .height = HEIGHT };
  Frame *frame;

  for (int y = offset - LINE, n = first - 1; y < HEIGHT; y += LINE, n++)
    draw_line (cr, n, y);
  cairo_destroy (cr);
  frame = snapshot_take (&source, id, NULL);
  cairo_surface_destroy (surface);
  return frame;
}

static gboolean
detect (Frame *prev, Frame *next, CopyOp *op)
{
  cairo_region_t *damage = damage_compute (prev, next, NULL);
  gboolean found = scroll_detect (prev, next, damage, op);

  cairo_region_destroy (damage);
  return found;
}

START_TEST (test_scroll_finds_text_scrolling_up)
{
  g_autoptr (Frame) prev = page_frame (0, 0, 1);
  g_autoptr (Frame) next = page_frame (1, 0, 2);
  CopyOp op;

  cairo_region_destroy (damage_compute (NULL, prev, NULL));
  ck_assert (detect (prev, next, &op));
  ck_assert_int_eq (op.dx, 0);
  ck_assert_int_eq (op.dy, -LINE);
  /* Everything but the new bottom line came from one line lower. */
  ck_assert_int_eq (op.dest.x, 0);
  ck_assert_int_eq (op.dest.width, WIDTH);
  ck_assert_int_eq (op.dest.y, 0);
  ck_assert_int_eq (op.dest.height, HEIGHT - LINE);
  ck_assert (copy_op_verify (prev, next, &op));
}
END_TEST

START_TEST (test_scroll_finds_scrolling_down_by_odd_amounts)
{
  for (int offset = 1; offset < 3 * LINE; offset += 7)
    {
      g_autoptr (Frame) prev = page_frame (5, 0, 1);
      g_autoptr (Frame) next = page_frame (5, offset, 2);
      CopyOp op;

      cairo_region_destroy (damage_compute (NULL, prev, NULL));
      ck_assert_msg (detect (prev, next, &op), "offset %d not found", offset);
      ck_assert_int_eq (op.dy, offset);
      ck_assert_int_ge (op.dest.height, HEIGHT - offset - LINE);
      ck_assert (copy_op_verify (prev, next, &op));
    }
}
END_TEST

START_TEST (test_scroll_finds_nothing_without_movement)
{
  g_autoptr (Frame) prev = page_frame (0, 0, 1);
  g_autoptr (Frame) next = page_frame (100, 0, 2);
  CopyOp op;

  cairo_region_destroy (damage_compute (NULL, prev, NULL));
  ck_assert (!detect (prev, next, &op));
}
END_TEST

START_TEST (test_scroll_needs_frames_of_one_size)
{
  g_autoptr (Frame) prev = page_frame (0, 0, 1);
  g_autoptr (Frame) next = page_frame (1, 0, 2);
  CopyOp op = { { 0, 0, WIDTH, HEIGHT - LINE }, 0, -LINE };
  cairo_region_t *all = cairo_region_create_rectangle (&(cairo_rectangle_int_t) { 0, 0, WIDTH, HEIGHT });

  ck_assert (!scroll_detect (NULL, next, all, &op));
  ck_assert (!copy_op_verify (NULL, next, &op));
  cairo_region_destroy (all);
}
END_TEST

START_TEST (test_copy_op_verify_rejects_what_the_pixels_deny)
{
  g_autoptr (Frame) prev = page_frame (0, 0, 1);
  g_autoptr (Frame) next = page_frame (1, 0, 2);
  CopyOp right = { { 0, 0, WIDTH, HEIGHT - LINE }, 0, -LINE };
  CopyOp wrong_amount = { { 0, 0, WIDTH, HEIGHT - LINE }, 0, -LINE + 1 };
  CopyOp source_outside = { { 0, HEIGHT - 20, WIDTH, 20 }, 0, -LINE };
  CopyOp dest_outside = { { WIDTH - 10, 0, 20, 10 }, 0, -LINE };
  CopyOp no_move = { { 0, 0, WIDTH, 10 }, 0, 0 };
  CopyOp empty = { { 0, 0, 0, 10 }, 0, -LINE };

  ck_assert (copy_op_verify (prev, next, &right));
  ck_assert (!copy_op_verify (prev, next, &wrong_amount));
  ck_assert (!copy_op_verify (prev, next, &source_outside));
  ck_assert (!copy_op_verify (prev, next, &dest_outside));
  ck_assert (!copy_op_verify (prev, next, &no_move));
  ck_assert (!copy_op_verify (prev, next, &empty));
}
END_TEST

static Suite *
scroll_suite (void)
{
  Suite *suite = suite_create ("scroll");
  TCase *tc = tcase_create ("detect");

  tcase_add_test (tc, test_scroll_finds_text_scrolling_up);
  tcase_add_test (tc, test_scroll_finds_scrolling_down_by_odd_amounts);
  tcase_add_test (tc, test_scroll_finds_nothing_without_movement);
  tcase_add_test (tc, test_scroll_needs_frames_of_one_size);
  suite_add_tcase (suite, tc);
  tc = tcase_create ("verify");
  tcase_add_test (tc, test_copy_op_verify_rejects_what_the_pixels_deny);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return checkutil_run (scroll_suite ());
}
