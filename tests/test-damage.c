/* test-damage.c — snapshots of the program's surface and tile damage.
 *
 * Covers snapshot_check_surface (which surfaces can be served, and the
 * errors for the others), snapshot_take (exact pixel copies from image
 * surfaces of any stride, holding the program's lock, painting other
 * surface types) and damage_compute with frame_tile_rect (which tiles
 * changed, their versions, hints, size changes, partial edge tiles).
 */
#include "checkutil.h"
#include <string.h>

#include "cairovnc.h"
#include "frame.h"

static guint32
frame_pixel (const Frame *frame, int x, int y)
{
  return frame->pixels[(gsize) y * (frame->stride / 4) + (gsize) x];
}

static guint32 *
image_pixel (cairo_surface_t *image, int x, int y)
{
  guint8 *data = cairo_image_surface_get_data (image);
  int stride = cairo_image_surface_get_stride (image);

  return (guint32 *) (void *) (data + (gsize) y * (gsize) stride + (gsize) x * 4);
}

/* Fills an image surface with a seeded pattern, alpha included. */
static void
fill_random (cairo_surface_t *image, guint32 seed)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  int w = cairo_image_surface_get_width (image), h = cairo_image_surface_get_height (image);

  cairo_surface_flush (image);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      *image_pixel (image, x, y) = g_rand_int (rand);
  cairo_surface_mark_dirty (image);
}

static void
set_pixel (cairo_surface_t *image, int x, int y, guint32 value)
{
  cairo_surface_flush (image);
  *image_pixel (image, x, y) = value;
  cairo_surface_mark_dirty (image);
}

static Frame *
take (cairo_surface_t *surface, guint64 id)
{
  SurfaceSource source = { .surface = surface, .lock = NULL };
  g_autoptr (GError) error = NULL;

  ck_assert_msg (snapshot_check_surface (surface, &source, &error),
                 "%s", error ? error->message : "");
  return snapshot_take (&source, id, NULL);
}

/* ---- snapshot_check_surface ---- */

START_TEST (test_snapshot_check_accepts_argb32_and_rgb24)
{
  cairo_format_t formats[] = { CAIRO_FORMAT_ARGB32, CAIRO_FORMAT_RGB24 };

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autoptr (cairo_surface_t) image = cairo_image_surface_create (formats[i], 37, 5);
      g_autoptr (GError) error = NULL;
      SurfaceSource source = { .x = -7, .y = -7 };

      ck_assert (snapshot_check_surface (image, &source, &error));
      ck_assert_ptr_null (error);
      ck_assert_int_eq (source.x, 0);
      ck_assert_int_eq (source.y, 0);
      ck_assert_int_eq (source.width, 37);
      ck_assert_int_eq (source.height, 5);
    }
}
END_TEST

START_TEST (test_snapshot_check_rejects_other_formats)
{
  cairo_format_t formats[] = { CAIRO_FORMAT_A8, CAIRO_FORMAT_A1, CAIRO_FORMAT_RGB16_565,
                               CAIRO_FORMAT_RGB30 };

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autoptr (cairo_surface_t) image = cairo_image_surface_create (formats[i], 16, 16);
      g_autoptr (GError) error = NULL;
      SurfaceSource source = { .width = -7, .height = -7 };

      ck_assert_int_eq (cairo_surface_status (image), CAIRO_STATUS_SUCCESS);
      ck_assert_msg (!snapshot_check_surface (image, &source, &error), "format %d accepted",
                     formats[i]);
      ck_assert_ptr_nonnull (error);
      ck_assert (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_UNSUPPORTED_SURFACE));
      ck_assert_msg (strstr (error->message, "ARGB32") != NULL, "message: %s", error->message);
      ck_assert_int_eq (source.width, -7);
      ck_assert_int_eq (source.height, -7);
    }
}
END_TEST

START_TEST (test_snapshot_check_rejects_empty)
{
  int sizes[][2] = { { 0, 0 }, { 0, 10 }, { 10, 0 } };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr (cairo_surface_t) image =
        cairo_image_surface_create (CAIRO_FORMAT_ARGB32, sizes[i][0], sizes[i][1]);
      g_autoptr (GError) error = NULL;
      g_autofree char *size = g_strdup_printf ("%dx%d", sizes[i][0], sizes[i][1]);
      SurfaceSource source = { .width = -7, .height = -7 };

      ck_assert (!snapshot_check_surface (image, &source, &error));
      ck_assert (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_UNSUPPORTED_SURFACE));
      ck_assert_msg (strstr (error->message, size) != NULL, "message: %s", error->message);
      ck_assert_int_eq (source.width, -7);
    }
}
END_TEST

START_TEST (test_snapshot_check_rejects_error_surface)
{
  g_autoptr (cairo_surface_t) image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, -1, 5);
  g_autoptr (GError) error = NULL;
  SurfaceSource source = { .width = 0 };

  ck_assert_int_ne (cairo_surface_status (image), CAIRO_STATUS_SUCCESS);
  ck_assert (!snapshot_check_surface (image, &source, &error));
  ck_assert (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_UNSUPPORTED_SURFACE));
}
END_TEST

START_TEST (test_snapshot_check_recording_with_extents)
{
  cairo_rectangle_t extents = { 0, 0, 300, 17 };
  g_autoptr (cairo_surface_t) recording =
    cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, &extents);
  g_autoptr (GError) error = NULL;
  SurfaceSource source = { .width = 0 };

  ck_assert (snapshot_check_surface (recording, &source, &error));
  ck_assert_ptr_null (error);
  ck_assert_int_eq (source.x, 0);
  ck_assert_int_eq (source.y, 0);
  ck_assert_int_eq (source.width, 300);
  ck_assert_int_eq (source.height, 17);
}
END_TEST

START_TEST (test_snapshot_check_rejects_unbounded_recording)
{
  g_autoptr (cairo_surface_t) recording =
    cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, NULL);
  g_autoptr (GError) error = NULL;
  SurfaceSource source = { .width = -7, .height = -7 };

  ck_assert (!snapshot_check_surface (recording, &source, &error));
  ck_assert (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_UNSUPPORTED_SURFACE));
  ck_assert (error->message[0] != '\0');
  ck_assert_int_eq (source.width, -7);
}
END_TEST

START_TEST (test_snapshot_check_rejects_larger_than_rfb)
{
  /* RFB sizes are U16. */
  cairo_rectangle_t wide = { 0, 0, 65536, 1 }, widest = { 0, 0, 65535, 1 };
  g_autoptr (cairo_surface_t) too_wide =
    cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, &wide);
  g_autoptr (cairo_surface_t) ok = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, &widest);
  g_autoptr (GError) error = NULL;
  SurfaceSource source = { .width = 0 };

  ck_assert (!snapshot_check_surface (too_wide, &source, &error));
  ck_assert (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_UNSUPPORTED_SURFACE));
  ck_assert_msg (strstr (error->message, "65536") != NULL, "message: %s", error->message);
  g_clear_error (&error);
  ck_assert (snapshot_check_surface (ok, &source, &error));
  ck_assert_int_eq (source.width, 65535);
  ck_assert_int_eq (source.height, 1);
}
END_TEST

/* ---- snapshot_take ---- */

START_TEST (test_snapshot_copies_pixels_with_wide_stride)
{
  const int w = 37, h = 23, stride = 37 * 4 + 44;
  g_autofree guint8 *data = g_malloc (stride * h);
  g_autoptr (GRand) rand = g_rand_new_with_seed (37);
  g_autoptr (cairo_surface_t) image = NULL;
  g_autoptr (Frame) frame = NULL;

  for (int i = 0; i < stride * h; i++)
    data[i] = (guint8) g_rand_int (rand);
  image = cairo_image_surface_create_for_data (data, CAIRO_FORMAT_ARGB32, w, h, stride);

  frame = take (image, 42);
  ck_assert_uint_eq (frame->id, 42);
  ck_assert_int_eq (frame->width, w);
  ck_assert_int_eq (frame->height, h);
  ck_assert_uint_eq (frame->stride, (gsize) w * 4);
  ck_assert_uint_eq (frame->tiles_x, 1);
  ck_assert_uint_eq (frame->tiles_y, 1);
  for (int y = 0; y < h; y++)
    ck_assert_msg (memcmp ((guint8 *) frame->pixels + (gsize) y * frame->stride,
                           data + (gsize) y * stride, (gsize) w * 4) == 0, "row %d differs", y);
}
END_TEST

START_TEST (test_snapshot_copies_pixels_packed)
{
  g_autoptr (cairo_surface_t) image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 130, 70);
  g_autoptr (Frame) frame = NULL;

  fill_random (image, 130);
  ck_assert_int_eq (cairo_image_surface_get_stride (image), 130 * 4);
  frame = take (image, 1);
  ck_assert_uint_eq (frame->tiles_x, 3);
  ck_assert_uint_eq (frame->tiles_y, 2);
  ck_assert_mem_eq (frame->pixels, cairo_image_surface_get_data (image), 130 * 4 * 70);
}
END_TEST

START_TEST (test_snapshot_copies_drawing)
{
  /* What cairo drew, not only what was poked into memory. */
  g_autoptr (cairo_surface_t) image = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 20, 10);
  g_autoptr (Frame) frame = NULL;
  cairo_t *cr = cairo_create (image);

  cairo_set_source_rgb (cr, 0, 0, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 1, 0, 0);
  cairo_rectangle (cr, 5, 2, 4, 3);
  cairo_fill (cr);
  cairo_destroy (cr);

  frame = take (image, 3);
  for (int y = 0; y < 10; y++)
    for (int x = 0; x < 20; x++)
      {
        gboolean inside = x >= 5 && x < 9 && y >= 2 && y < 5;
        ck_assert_msg ((frame_pixel (frame, x, y) & 0xffffff) == (inside ? 0xff0000u : 0x0000ffu),
                       "pixel %d,%d is %08x", x, y, frame_pixel (frame, x, y));
      }
}
END_TEST

typedef struct {
  GMutex *lock;
  cairo_surface_t *image;
  gint locked;
  gint64 locked_at;
} LockHolder;

static gpointer
hold_lock (gpointer data)
{
  LockHolder *holder = data;

  g_mutex_lock (holder->lock);
  holder->locked_at = g_get_monotonic_time ();
  g_atomic_int_set (&holder->locked, 1);
  g_usleep (100 * 1000);
  /* The program finishes its frame just before it lets go. */
  for (int y = 0; y < 8; y++)
    for (int x = 0; x < 8; x++)
      *image_pixel (holder->image, x, y) = 0xff00ff00;
  cairo_surface_mark_dirty (holder->image);
  g_mutex_unlock (holder->lock);
  return NULL;
}

START_TEST (test_snapshot_holds_the_lock)
{
  g_autoptr (cairo_surface_t) image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 8, 8);
  g_autoptr (Frame) frame = NULL;
  GMutex lock;
  LockHolder holder = { &lock, image, 0, 0 };
  SurfaceSource source = { .surface = image, .lock = &lock, .width = 8, .height = 8 };
  GThread *thread;
  gint64 done;

  g_mutex_init (&lock);
  cairo_surface_flush (image);
  thread = g_thread_new ("program", hold_lock, &holder);
  while (!g_atomic_int_get (&holder.locked))
    g_usleep (100);

  frame = snapshot_take (&source, 9, NULL);
  done = g_get_monotonic_time ();
  g_thread_join (thread);

  ck_assert_int_ge (done - holder.locked_at, 100 * 1000);
  /* It saw the finished frame, not the one half drawn. */
  for (int y = 0; y < 8; y++)
    for (int x = 0; x < 8; x++)
      ck_assert_uint_eq (frame_pixel (frame, x, y), 0xff00ff00);
  /* ...and let go of the lock afterwards. */
  ck_assert (g_mutex_trylock (&lock));
  g_mutex_unlock (&lock);
  ck_assert_int_ge (frame->lock_hold_us, 0);
  ck_assert_int_lt (frame->lock_hold_us, 100 * 1000);
  g_mutex_clear (&lock);
}
END_TEST

START_TEST (test_snapshot_paints_recording_surface)
{
  cairo_rectangle_t extents = { 0, 0, 20, 10 };
  g_autoptr (cairo_surface_t) recording =
    cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, &extents);
  g_autoptr (Frame) frame = NULL;
  cairo_t *cr = cairo_create (recording);

  cairo_set_source_rgb (cr, 1, 0, 0);
  cairo_rectangle (cr, 5, 2, 4, 3);
  cairo_fill (cr);
  cairo_set_source_rgba (cr, 0, 0, 1, 1);
  cairo_rectangle (cr, 19, 9, 1, 1);
  cairo_fill (cr);
  cairo_destroy (cr);

  frame = take (recording, 5);
  ck_assert_int_eq (frame->width, 20);
  ck_assert_int_eq (frame->height, 10);
  for (int y = 0; y < 10; y++)
    for (int x = 0; x < 20; x++)
      {
        guint32 expected = 0;
        if (x >= 5 && x < 9 && y >= 2 && y < 5)
          expected = 0xffff0000;
        else if (x == 19 && y == 9)
          expected = 0xff0000ff;
        ck_assert_msg (frame_pixel (frame, x, y) == expected, "pixel %d,%d is %08x, expected %08x",
                       x, y, frame_pixel (frame, x, y), expected);
      }
}
END_TEST

START_TEST (test_snapshot_paints_recording_surface_from_its_origin)
{
  /* A recording surface's extents need not start at 0,0: the frame is
   * what lies inside them, its top-left pixel the extents' x,y. */
  cairo_rectangle_t extents = { 10, 20, 4, 3 };
  g_autoptr (cairo_surface_t) recording =
    cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, &extents);
  g_autoptr (Frame) frame = NULL;
  cairo_t *cr = cairo_create (recording);

  cairo_set_source_rgb (cr, 1, 0, 0);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0, 0, 1);
  cairo_rectangle (cr, 10, 20, 1, 1);
  cairo_fill (cr);
  cairo_destroy (cr);

  SurfaceSource source = { .surface = recording };
  ck_assert (snapshot_check_surface (recording, &source, NULL));
  ck_assert_int_eq (source.x, 10);
  ck_assert_int_eq (source.y, 20);
  ck_assert_int_eq (source.width, 4);
  ck_assert_int_eq (source.height, 3);

  frame = take (recording, 1);
  ck_assert_int_eq (frame->width, 4);
  ck_assert_int_eq (frame->height, 3);
  for (int y = 0; y < 3; y++)
    for (int x = 0; x < 4; x++)
      {
        guint32 expected = x == 0 && y == 0 ? 0xff0000ff : 0xffff0000;
        guint32 got = frame_pixel (frame, x, y);

        if (got != expected)
          {
            /* Free first: without fork, a failed check leaks what is not. */
            g_clear_pointer (&frame, frame_unref);
            g_clear_pointer (&recording, cairo_surface_destroy);
            ck_abort_msg ("pixel %d,%d is %08x, expected %08x", x, y, got, expected);
          }
      }
}
END_TEST

START_TEST (test_snapshot_recording_surface_again_replaces_pixels)
{
  /* Each snapshot of a recording surface starts from nothing: a
   * translucent paint is not piled up over the previous frame's. */
  cairo_rectangle_t extents = { 0, 0, 4, 4 };
  g_autoptr (cairo_surface_t) recording =
    cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, &extents);
  cairo_t *cr = cairo_create (recording);

  cairo_set_source_rgba (cr, 1, 1, 1, 0.5);
  cairo_paint (cr);
  cairo_destroy (cr);

  g_autoptr (Frame) first = take (recording, 1);
  g_autoptr (Frame) second = take (recording, 2);
  ck_assert_uint_eq (frame_pixel (first, 0, 0) >> 24, 0x80);
  ck_assert_mem_eq (first->pixels, second->pixels, 4 * 4 * 4);
}
END_TEST

/* ---- frame_tile_rect ---- */

static void
assert_rect (const cairo_rectangle_int_t *r, int x, int y, int w, int h)
{
  ck_assert_msg (r->x == x && r->y == y && r->width == w && r->height == h,
                 "rect %d,%d %dx%d, expected %d,%d %dx%d", r->x, r->y, r->width, r->height,
                 x, y, w, h);
}

START_TEST (test_frame_tile_rect_clips_at_edges)
{
  g_autoptr (cairo_surface_t) odd = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 130, 70);
  g_autoptr (cairo_surface_t) exact = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 128, 64);
  g_autoptr (cairo_surface_t) one = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 1, 1);
  g_autoptr (Frame) f_odd = take (odd, 1);
  g_autoptr (Frame) f_exact = take (exact, 1);
  g_autoptr (Frame) f_one = take (one, 1);
  cairo_rectangle_int_t r;

  ck_assert_uint_eq (frame_n_tiles (f_odd), 6);
  frame_tile_rect (f_odd, 0, &r);
  assert_rect (&r, 0, 0, 64, 64);
  frame_tile_rect (f_odd, 1, &r);
  assert_rect (&r, 64, 0, 64, 64);
  frame_tile_rect (f_odd, 2, &r);
  assert_rect (&r, 128, 0, 2, 64);
  frame_tile_rect (f_odd, 3, &r);
  assert_rect (&r, 0, 64, 64, 6);
  frame_tile_rect (f_odd, 4, &r);
  assert_rect (&r, 64, 64, 64, 6);
  frame_tile_rect (f_odd, 5, &r);
  assert_rect (&r, 128, 64, 2, 6);

  ck_assert_uint_eq (f_exact->tiles_x, 2);
  ck_assert_uint_eq (f_exact->tiles_y, 1);
  frame_tile_rect (f_exact, 1, &r);
  assert_rect (&r, 64, 0, 64, 64);

  ck_assert_uint_eq (frame_n_tiles (f_one), 1);
  frame_tile_rect (f_one, 0, &r);
  assert_rect (&r, 0, 0, 1, 1);
}
END_TEST

START_TEST (test_frame_tiles_cover_frame_once)
{
  /* For many sizes, the tiles cover every pixel exactly once. */
  static const int sizes[][2] = { { 1, 200 }, { 63, 65 }, { 64, 64 }, { 65, 63 }, { 200, 129 } };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr (cairo_surface_t) image =
        cairo_image_surface_create (CAIRO_FORMAT_ARGB32, sizes[i][0], sizes[i][1]);
      g_autoptr (Frame) frame = take (image, 1);
      g_autoptr (cairo_region_t) covered = cairo_region_create ();
      cairo_rectangle_int_t whole = { 0, 0, sizes[i][0], sizes[i][1] };
      gsize area = 0;

      for (guint t = 0; t < frame_n_tiles (frame); t++)
        {
          cairo_rectangle_int_t r;
          frame_tile_rect (frame, t, &r);
          ck_assert_int_gt (r.width, 0);
          ck_assert_int_gt (r.height, 0);
          ck_assert_int_le (r.width, TILE_SIZE);
          ck_assert_int_le (r.height, TILE_SIZE);
          area += (gsize) r.width * (gsize) r.height;
          cairo_region_union_rectangle (covered, &r);
        }
      ck_assert_uint_eq (area, (gsize) sizes[i][0] * (gsize) sizes[i][1]);
      ck_assert_int_eq (cairo_region_contains_rectangle (covered, &whole), CAIRO_REGION_OVERLAP_IN);
    }
}
END_TEST

/* ---- damage_compute ---- */

static cairo_region_t *
region_of_tiles (const Frame *frame, const guint *tiles, guint n)
{
  cairo_region_t *region = cairo_region_create ();

  for (guint i = 0; i < n; i++)
    {
      cairo_rectangle_int_t r;
      frame_tile_rect (frame, tiles[i], &r);
      cairo_region_union_rectangle (region, &r);
    }
  return region;
}

static void
assert_region_equal (const cairo_region_t *got, const cairo_region_t *expected)
{
  if (!cairo_region_equal (got, expected))
    {
      cairo_rectangle_int_t g, e;
      cairo_region_get_extents (got, &g);
      cairo_region_get_extents (expected, &e);
      ck_abort_msg ("damage (%d rects, extents %d,%d %dx%d) is not the expected "
                    "(%d rects, extents %d,%d %dx%d)",
                    cairo_region_num_rectangles (got), g.x, g.y, g.width, g.height,
                    cairo_region_num_rectangles (expected), e.x, e.y, e.width, e.height);
    }
}

START_TEST (test_damage_first_frame_all_changed)
{
  g_autoptr (cairo_surface_t) image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 130, 70);
  g_autoptr (Frame) frame = NULL;
  g_autoptr (cairo_region_t) damage = NULL;
  g_autoptr (cairo_region_t) whole = NULL;
  cairo_rectangle_int_t all = { 0, 0, 130, 70 };

  fill_random (image, 1);
  frame = take (image, 17);
  damage = damage_compute (NULL, frame, NULL);
  whole = cairo_region_create_rectangle (&all);
  assert_region_equal (damage, whole);
  for (guint t = 0; t < frame_n_tiles (frame); t++)
    ck_assert_uint_eq (frame->tile_versions[t], 17);
}
END_TEST

START_TEST (test_damage_unchanged_frame_is_empty)
{
  g_autoptr (cairo_surface_t) image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 130, 70);
  g_autoptr (Frame) first = NULL;
  g_autoptr (Frame) second = NULL;
  g_autoptr (cairo_region_t) d1 = NULL;
  g_autoptr (cairo_region_t) d2 = NULL;

  fill_random (image, 2);
  first = take (image, 1);
  d1 = damage_compute (NULL, first, NULL);
  second = take (image, 2);
  d2 = damage_compute (first, second, NULL);
  ck_assert (cairo_region_is_empty (d2));
  for (guint t = 0; t < frame_n_tiles (second); t++)
    ck_assert_uint_eq (second->tile_versions[t], 1);
}
END_TEST

START_TEST (test_damage_one_pixel_marks_its_tile)
{
  /* One changed pixel in each tile of a 130x70 frame (3x2 tiles, the last
   * column 2 wide, the last row 6 high), at corners and inside. */
  static const int points[][2] = {
    { 0, 0 }, { 63, 63 }, { 64, 0 }, { 127, 5 }, { 128, 0 }, { 129, 63 },
    { 0, 64 }, { 63, 69 }, { 64, 64 }, { 100, 69 }, { 128, 64 }, { 129, 69 },
  };
  g_autoptr (cairo_surface_t) image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 130, 70);
  g_autoptr (Frame) prev = NULL;
  g_autoptr (cairo_region_t) first = NULL;
  guint64 id = 1;

  fill_random (image, 3);
  prev = take (image, id);
  first = damage_compute (NULL, prev, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    {
      int x = points[i][0], y = points[i][1];
      guint tile = (guint) (y / TILE_SIZE) * 3 + (guint) (x / TILE_SIZE);
      g_autoptr (Frame) next = NULL;
      g_autoptr (cairo_region_t) damage = NULL;
      g_autoptr (cairo_region_t) expected = NULL;

      set_pixel (image, x, y, *image_pixel (image, x, y) ^ 0x00000100);
      next = take (image, ++id);
      damage = damage_compute (prev, next, NULL);
      expected = region_of_tiles (next, &tile, 1);
      assert_region_equal (damage, expected);
      for (guint t = 0; t < frame_n_tiles (next); t++)
        {
          guint64 want = t == tile ? next->id : prev->tile_versions[t];
          ck_assert_msg (next->tile_versions[t] == want,
                         "pixel %d,%d: tile %u has version %" G_GUINT64_FORMAT ", expected %"
                         G_GUINT64_FORMAT, x, y, t, next->tile_versions[t], want);
        }
      g_clear_pointer (&prev, frame_unref);
      prev = g_steal_pointer (&next);
    }

  /* Each tile kept the id of the last frame that changed it. */
  ck_assert_uint_eq (prev->tile_versions[0], 3);
  ck_assert_uint_eq (prev->tile_versions[1], 5);
  ck_assert_uint_eq (prev->tile_versions[2], 7);
  ck_assert_uint_eq (prev->tile_versions[3], 9);
  ck_assert_uint_eq (prev->tile_versions[4], 11);
  ck_assert_uint_eq (prev->tile_versions[5], 13);
}
END_TEST

START_TEST (test_damage_alpha_only_change_counts)
{
  g_autoptr (cairo_surface_t) image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 70, 10);
  g_autoptr (Frame) first = NULL;
  g_autoptr (Frame) second = NULL;
  g_autoptr (cairo_region_t) d1 = NULL;
  g_autoptr (cairo_region_t) d2 = NULL;
  guint tile = 1;

  first = take (image, 1);
  d1 = damage_compute (NULL, first, NULL);
  set_pixel (image, 69, 9, 0x01000000);
  second = take (image, 2);
  d2 = damage_compute (first, second, NULL);
  g_autoptr (cairo_region_t) expected = region_of_tiles (second, &tile, 1);
  assert_region_equal (d2, expected);
}
END_TEST

START_TEST (test_damage_hints_mark_equal_tiles)
{
  g_autoptr (cairo_surface_t) image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 130, 70);
  g_autoptr (Frame) first = NULL;
  g_autoptr (cairo_region_t) d1 = NULL;
  static const guint one_tile[] = { 1 };
  static const guint four_tiles[] = { 0, 1, 3, 4 };
  static const guint corner[] = { 5 };
  struct {
    cairo_rectangle_int_t hint;
    const guint *tiles;
    guint n;
  } cases[] = {
    { { 70, 10, 1, 1 }, one_tile, 1 },
    { { 60, 60, 10, 10 }, four_tiles, 4 },
    { { 129, 69, 1, 1 }, corner, 1 },
    { { 128, 64, 100, 100 }, corner, 1 },   /* reaching past the frame */
  };
  guint64 id = 1;

  fill_random (image, 4);
  first = take (image, id);
  d1 = damage_compute (NULL, first, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (cairo_region_t) hints = cairo_region_create_rectangle (&cases[i].hint);
      g_autoptr (Frame) next = take (image, ++id);
      g_autoptr (cairo_region_t) damage = damage_compute (first, next, hints);
      g_autoptr (cairo_region_t) expected = region_of_tiles (next, cases[i].tiles, cases[i].n);

      assert_region_equal (damage, expected);
      for (guint t = 0; t < frame_n_tiles (next); t++)
        {
          gboolean hinted = FALSE;
          for (guint k = 0; k < cases[i].n; k++)
            hinted |= cases[i].tiles[k] == t;
          ck_assert_uint_eq (next->tile_versions[t], hinted ? next->id : 1);
        }
    }

  /* An empty hint region changes nothing. */
  g_autoptr (cairo_region_t) empty = cairo_region_create ();
  g_autoptr (Frame) last = take (image, ++id);
  g_autoptr (cairo_region_t) none = damage_compute (first, last, empty);
  ck_assert (cairo_region_is_empty (none));
}
END_TEST

START_TEST (test_damage_hints_add_to_real_changes)
{
  g_autoptr (cairo_surface_t) image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 130, 70);
  g_autoptr (Frame) first = NULL;
  g_autoptr (Frame) second = NULL;
  g_autoptr (cairo_region_t) d1 = NULL;
  static const guint tiles[] = { 0, 5 };
  cairo_rectangle_int_t hint = { 0, 0, 1, 1 };

  first = take (image, 1);
  d1 = damage_compute (NULL, first, NULL);
  set_pixel (image, 129, 69, 0xffffffff);
  second = take (image, 2);
  g_autoptr (cairo_region_t) hints = cairo_region_create_rectangle (&hint);
  g_autoptr (cairo_region_t) damage = damage_compute (first, second, hints);
  g_autoptr (cairo_region_t) expected = region_of_tiles (second, tiles, 2);
  assert_region_equal (damage, expected);
  ck_assert_uint_eq (second->tile_versions[0], 2);
  ck_assert_uint_eq (second->tile_versions[1], 1);
  ck_assert_uint_eq (second->tile_versions[5], 2);
}
END_TEST

START_TEST (test_damage_size_change_marks_all)
{
  static const int sizes[][2] = { { 131, 70 }, { 130, 71 }, { 70, 130 }, { 129, 70 } };
  g_autoptr (cairo_surface_t) image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 130, 70);
  g_autoptr (Frame) first = take (image, 1);
  g_autoptr (cairo_region_t) d1 = damage_compute (NULL, first, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      /* Same pixels where they overlap (all zero); the size alone counts. */
      g_autoptr (cairo_surface_t) other =
        cairo_image_surface_create (CAIRO_FORMAT_ARGB32, sizes[i][0], sizes[i][1]);
      g_autoptr (Frame) next = take (other, 2 + i);
      g_autoptr (cairo_region_t) damage = damage_compute (first, next, NULL);
      cairo_rectangle_int_t all = { 0, 0, sizes[i][0], sizes[i][1] };
      g_autoptr (cairo_region_t) whole = cairo_region_create_rectangle (&all);

      assert_region_equal (damage, whole);
      for (guint t = 0; t < frame_n_tiles (next); t++)
        ck_assert_uint_eq (next->tile_versions[t], next->id);
    }
}
END_TEST

START_TEST (test_frame_ref_keeps_pixels)
{
  g_autoptr (cairo_surface_t) image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 3, 3);
  Frame *frame;
  Frame *ref;

  set_pixel (image, 2, 2, 0x12345678);
  frame = take (image, 1);
  ref = frame_ref (frame);
  ck_assert_ptr_eq (ref, frame);
  frame_unref (frame);
  ck_assert_uint_eq (frame_pixel (ref, 2, 2), 0x12345678);
  frame_unref (ref);
}
END_TEST

static Suite *
damage_suite (void)
{
  Suite *s = suite_create ("damage");
  TCase *tc;

  tc = tcase_create ("check-surface");
  tcase_add_test (tc, test_snapshot_check_accepts_argb32_and_rgb24);
  tcase_add_test (tc, test_snapshot_check_rejects_other_formats);
  tcase_add_test (tc, test_snapshot_check_rejects_empty);
  tcase_add_test (tc, test_snapshot_check_rejects_error_surface);
  tcase_add_test (tc, test_snapshot_check_recording_with_extents);
  tcase_add_test (tc, test_snapshot_check_rejects_unbounded_recording);
  tcase_add_test (tc, test_snapshot_check_rejects_larger_than_rfb);
  suite_add_tcase (s, tc);

  tc = tcase_create ("snapshot");
  tcase_set_timeout (tc, 10);
  tcase_add_test (tc, test_snapshot_copies_pixels_with_wide_stride);
  tcase_add_test (tc, test_snapshot_copies_pixels_packed);
  tcase_add_test (tc, test_snapshot_copies_drawing);
  tcase_add_test (tc, test_snapshot_holds_the_lock);
  tcase_add_test (tc, test_snapshot_paints_recording_surface);
  tcase_add_test (tc, test_snapshot_paints_recording_surface_from_its_origin);
  tcase_add_test (tc, test_snapshot_recording_surface_again_replaces_pixels);
  tcase_add_test (tc, test_frame_ref_keeps_pixels);
  suite_add_tcase (s, tc);

  tc = tcase_create ("tiles");
  tcase_add_test (tc, test_frame_tile_rect_clips_at_edges);
  tcase_add_test (tc, test_frame_tiles_cover_frame_once);
  suite_add_tcase (s, tc);

  tc = tcase_create ("damage");
  tcase_add_test (tc, test_damage_first_frame_all_changed);
  tcase_add_test (tc, test_damage_unchanged_frame_is_empty);
  tcase_add_test (tc, test_damage_one_pixel_marks_its_tile);
  tcase_add_test (tc, test_damage_alpha_only_change_counts);
  tcase_add_test (tc, test_damage_hints_mark_equal_tiles);
  tcase_add_test (tc, test_damage_hints_add_to_real_changes);
  tcase_add_test (tc, test_damage_size_change_marks_all);
  suite_add_tcase (s, tc);

  return s;
}

int
main (void)
{
  return checkutil_run (damage_suite ());
}
