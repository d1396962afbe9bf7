/* test-tilecache.c — encoded tiles shared between viewers.
 *
 * Covers the tile cache with a GMainContext of its own, iterated here:
 * each tile of a batch is encoded once and the batch calls back once;
 * later batches for the same (tile, version, parameters, format) share the
 * very same GBytes, in flight or finished; other formats and parameters
 * get bytes of their own; a new frame re-encodes only the tiles it
 * changed; cancelled batches stay silent; freeing the cache with work in
 * flight is safe. Raw tiles are checked against bytes built here from the
 * surface's pixels.
 */
#include "checkutil.h"
#include <math.h>
#include <string.h>

#include "cairovnc.h"
#include "rfb.h"
#include "tilecache.h"

/* 200x130: 4x3 tiles, the last column 8 pixels wide, the last row 2 high. */
#define WIDTH 200
#define HEIGHT 130
#define N_TILES 12

static const RfbPixelFormat rgb565_be = {
  .bits_per_pixel = 16, .depth = 16, .big_endian = TRUE, .true_colour = TRUE,
  .red_max = 31, .green_max = 63, .blue_max = 31,
  .red_shift = 11, .green_shift = 5, .blue_shift = 0,
};

static const RfbPixelFormat xbgr_be = {
  .bits_per_pixel = 32, .depth = 24, .big_endian = TRUE, .true_colour = TRUE,
  .red_max = 255, .green_max = 255, .blue_max = 255,
  .red_shift = 0, .green_shift = 8, .blue_shift = 16,
};

/* ---- Surfaces and frames ---- */

static cairo_surface_t *
random_image (int width, int height, guint32 seed)
{
  cairo_surface_t *image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  guint8 *data = cairo_image_surface_get_data (image);
  int stride = cairo_image_surface_get_stride (image);

  cairo_surface_flush (image);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 p = g_rand_int (rand);
        memcpy (data + (gsize) y * stride + (gsize) x * 4, &p, 4);
      }
  cairo_surface_mark_dirty (image);
  return image;
}

static void
poke_pixel (cairo_surface_t *image, int x, int y, guint32 value)
{
  guint8 *data = cairo_image_surface_get_data (image);
  int stride = cairo_image_surface_get_stride (image);

  cairo_surface_flush (image);
  memcpy (data + (gsize) y * stride + (gsize) x * 4, &value, 4);
  cairo_surface_mark_dirty (image);
}

/* A snapshot with its tile versions set against @prev. */
static Frame *
make_frame (cairo_surface_t *image, guint64 id, const Frame *prev)
{
  SurfaceSource source = { .surface = image, .lock = NULL };
  g_autoptr (GError) error = NULL;
  Frame *frame;

  ck_assert_msg (snapshot_check_surface (image, &source, &error), "%s",
                 error ? error->message : "");
  frame = snapshot_take (&source, id, NULL);
  cairo_region_destroy (damage_compute (prev, frame, NULL));
  return frame;
}

/* ---- Expected bytes, built without the library's converter ---- */

static guint32
scale (guint v, guint max)
{
  return (guint32) floor ((double) v * (double) max / 255.0 + 0.5);
}

static GBytes *
expected_raw_tile (cairo_surface_t *image, const cairo_rectangle_int_t *r, const RfbPixelFormat *f)
{
  GByteArray *out = g_byte_array_new ();
  const guint8 *data = cairo_image_surface_get_data (image);
  int stride = cairo_image_surface_get_stride (image);
  guint bpp = f->bits_per_pixel / 8;
  guint8 header[12] = {
    (guint8) (r->x >> 8), (guint8) r->x, (guint8) (r->y >> 8), (guint8) r->y,
    (guint8) (r->width >> 8), (guint8) r->width, (guint8) (r->height >> 8), (guint8) r->height,
    0, 0, 0, 0, /* Raw */
  };

  g_byte_array_append (out, header, sizeof header);
  for (int y = r->y; y < r->y + r->height; y++)
    for (int x = r->x; x < r->x + r->width; x++)
      {
        guint32 p, v;
        guint8 bytes[4];

        memcpy (&p, data + (gsize) y * stride + (gsize) x * 4, 4);
        v = (scale ((p >> 16) & 0xff, f->red_max) << f->red_shift) |
            (scale ((p >> 8) & 0xff, f->green_max) << f->green_shift) |
            (scale (p & 0xff, f->blue_max) << f->blue_shift);
        for (guint i = 0; i < bpp; i++)
          bytes[f->big_endian ? bpp - 1 - i : i] = (guint8) (v >> (8 * i));
        g_byte_array_append (out, bytes, bpp);
      }
  return g_byte_array_free_to_bytes (out);
}

static EncoderParams
raw_params (const RfbPixelFormat *format, gint8 compress_level)
{
  EncoderParams params;

  memset (&params, 0, sizeof params);
  params.encoding = RFB_ENCODING_RAW;
  params.compress_level = compress_level;
  params.quality_level = -1;
  pixfmt_key (format, &params.format);
  return params;
}

/* ---- Batches and the context ---- */

typedef struct {
  guint calls;
} Ready;

static void
on_ready (gpointer user_data)
{
  Ready *ready = user_data;

  ck_assert (g_thread_self () == checkutil_main_thread);
  ready->calls++;
}

static TileBatch *
batch_of_all_tiles (TileCache *cache, Frame *frame, const RfbPixelFormat *format,
                    gint8 compress_level, Ready *ready)
{
  TileBatch *batch = tile_batch_new (on_ready, ready);
  EncoderParams params = raw_params (format, compress_level);
  g_autoptr (PixfmtConverter) converter = pixfmt_converter_new (format);

  for (guint tile = 0; tile < frame_n_tiles (frame); tile++)
    {
      cairo_rectangle_int_t rect;
      frame_tile_rect (frame, tile, &rect);
      tile_cache_add_to_batch (cache, batch, frame, tile, 1, &rect, &params, converter);
    }
  return batch;
}

typedef gboolean (*Predicate) (gpointer data);

static gboolean
on_deadline (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates @context until @done says so; fails after 10 s. */
static void
iterate_until (GMainContext *context, Predicate done, gpointer data)
{
  gboolean timed_out = FALSE;
  GSource *deadline = g_timeout_source_new_seconds (10);

  g_source_set_callback (deadline, on_deadline, &timed_out, NULL);
  g_source_attach (deadline, context);
  while (!done (data) && !timed_out)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (deadline);
  g_source_unref (deadline);
  ck_assert_msg (!timed_out, "timed out waiting on the tile cache");
}

/* Lets whatever else is pending run, for a little while. */
static void
iterate_a_while (GMainContext *context)
{
  gint64 end = g_get_monotonic_time () + 50 * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_iteration (context, FALSE))
        ;
      g_usleep (1000);
    }
}

static gboolean
called_back (gpointer data)
{
  return ((Ready *) data)->calls > 0;
}

typedef struct {
  TileCache *cache;
  guint64 n;
} EncodedCount;

static gboolean
encoded_at_least (gpointer data)
{
  EncodedCount *count = data;
  return tile_cache_get_n_encoded (count->cache) >= count->n;
}

static void
assert_tiles_match (TileBatch *batch, cairo_surface_t *image, const Frame *frame,
                    const RfbPixelFormat *format)
{
  ck_assert_uint_eq (tile_batch_get_n_tiles (batch), frame_n_tiles (frame));
  for (guint tile = 0; tile < frame_n_tiles (frame); tile++)
    {
      cairo_rectangle_int_t rect;
      GBytes *got = tile_batch_get_tile (batch, tile);
      g_autoptr (GBytes) want = NULL;

      frame_tile_rect (frame, tile, &rect);
      want = expected_raw_tile (image, &rect, format);
      ck_assert_msg (got != NULL, "tile %u has no bytes", tile);
      ck_assert_msg (g_bytes_equal (got, want), "tile %u: %" G_GSIZE_FORMAT " bytes differ from "
                     "the %" G_GSIZE_FORMAT " expected", tile, g_bytes_get_size (got),
                     g_bytes_get_size (want));
    }
}

typedef struct {
  GMainContext *context;
  TileCache *cache;
  cairo_surface_t *image;
  Frame *frame;
} Setup;

static void
setup_init (Setup *s)
{
  s->context = g_main_context_new ();
  s->cache = tile_cache_new (s->context);
  s->image = random_image (WIDTH, HEIGHT, 0x7113);
  s->frame = make_frame (s->image, 1, NULL);
  ck_assert_uint_eq (frame_n_tiles (s->frame), N_TILES);
  tile_cache_new_frame (s->cache, s->frame);
}

static void
setup_clear (Setup *s)
{
  g_clear_pointer (&s->cache, tile_cache_free);
  g_clear_pointer (&s->frame, frame_unref);
  g_clear_pointer (&s->image, cairo_surface_destroy);
  /* Nothing the cache attached may be left behind. */
  while (g_main_context_iteration (s->context, FALSE))
    ;
  g_clear_pointer (&s->context, g_main_context_unref);
}

/* ---- Tests ---- */

START_TEST (test_tilecache_batch_encodes_each_tile_once)
{
  Setup s;
  Ready ready = { 0 };

  setup_init (&s);
  g_autoptr (TileBatch) batch = batch_of_all_tiles (s.cache, s.frame, &pixfmt_server_default, -1,
                                                    &ready);
  tile_batch_commit (s.cache, batch);
  iterate_until (s.context, called_back, &ready);
  iterate_a_while (s.context);

  ck_assert_uint_eq (ready.calls, 1);
  ck_assert_uint_eq (tile_cache_get_n_encoded (s.cache), N_TILES);
  ck_assert_uint_eq (tile_cache_get_n_shared (s.cache), 0);
  assert_tiles_match (batch, s.image, s.frame, &pixfmt_server_default);
  setup_clear (&s);
}
END_TEST

START_TEST (test_tilecache_second_batch_shares_bytes)
{
  Setup s;
  Ready first_ready = { 0 }, second_ready = { 0 };

  setup_init (&s);
  g_autoptr (TileBatch) first = batch_of_all_tiles (s.cache, s.frame, &pixfmt_server_default, -1,
                                                    &first_ready);
  tile_batch_commit (s.cache, first);
  iterate_until (s.context, called_back, &first_ready);

  /* Another viewer, its own converter, the same format: every tile is
   * there already, so the batch calls back at commit. */
  g_autoptr (TileBatch) second = batch_of_all_tiles (s.cache, s.frame, &pixfmt_server_default, -1,
                                                     &second_ready);
  tile_batch_commit (s.cache, second);
  ck_assert_uint_eq (second_ready.calls, 1);
  iterate_a_while (s.context);
  ck_assert_uint_eq (first_ready.calls, 1);
  ck_assert_uint_eq (second_ready.calls, 1);

  ck_assert_uint_eq (tile_cache_get_n_encoded (s.cache), N_TILES);
  ck_assert_uint_eq (tile_cache_get_n_shared (s.cache), N_TILES);
  ck_assert_uint_eq (tile_batch_get_n_tiles (second), N_TILES);
  for (guint tile = 0; tile < N_TILES; tile++)
    ck_assert_ptr_eq (tile_batch_get_tile (second, tile), tile_batch_get_tile (first, tile));
  setup_clear (&s);
}
END_TEST

START_TEST (test_tilecache_tiles_in_flight_are_shared)
{
  Setup s;
  Ready first_ready = { 0 }, second_ready = { 0 };

  setup_init (&s);
  g_autoptr (TileBatch) first = batch_of_all_tiles (s.cache, s.frame, &pixfmt_server_default, -1,
                                                    &first_ready);
  tile_batch_commit (s.cache, first);
  /* Before any encode is finished on this context. */
  g_autoptr (TileBatch) second = batch_of_all_tiles (s.cache, s.frame, &pixfmt_server_default, -1,
                                                     &second_ready);
  tile_batch_commit (s.cache, second);
  ck_assert_uint_eq (tile_cache_get_n_shared (s.cache), N_TILES);

  iterate_until (s.context, called_back, &first_ready);
  iterate_until (s.context, called_back, &second_ready);
  iterate_a_while (s.context);
  ck_assert_uint_eq (first_ready.calls, 1);
  ck_assert_uint_eq (second_ready.calls, 1);
  ck_assert_uint_eq (tile_cache_get_n_encoded (s.cache), N_TILES);
  for (guint tile = 0; tile < N_TILES; tile++)
    ck_assert_ptr_eq (tile_batch_get_tile (second, tile), tile_batch_get_tile (first, tile));
  assert_tiles_match (second, s.image, s.frame, &pixfmt_server_default);
  setup_clear (&s);
}
END_TEST

START_TEST (test_tilecache_other_format_gets_other_bytes)
{
  Setup s;
  Ready ready_default = { 0 }, ready_565 = { 0 }, ready_xbgr = { 0 };

  setup_init (&s);
  g_autoptr (TileBatch) with_default = batch_of_all_tiles (s.cache, s.frame, &pixfmt_server_default,
                                                           -1, &ready_default);
  tile_batch_commit (s.cache, with_default);
  iterate_until (s.context, called_back, &ready_default);

  g_autoptr (TileBatch) with_565 = batch_of_all_tiles (s.cache, s.frame, &rgb565_be, -1, &ready_565);
  tile_batch_commit (s.cache, with_565);
  iterate_until (s.context, called_back, &ready_565);
  g_autoptr (TileBatch) with_xbgr = batch_of_all_tiles (s.cache, s.frame, &xbgr_be, -1, &ready_xbgr);
  tile_batch_commit (s.cache, with_xbgr);
  iterate_until (s.context, called_back, &ready_xbgr);

  ck_assert_uint_eq (tile_cache_get_n_encoded (s.cache), 3 * N_TILES);
  ck_assert_uint_eq (tile_cache_get_n_shared (s.cache), 0);
  for (guint tile = 0; tile < N_TILES; tile++)
    {
      GBytes *a = tile_batch_get_tile (with_default, tile);
      GBytes *b = tile_batch_get_tile (with_565, tile);
      GBytes *c = tile_batch_get_tile (with_xbgr, tile);

      ck_assert (!g_bytes_equal (a, b));
      ck_assert (!g_bytes_equal (a, c));
      ck_assert_uint_eq (g_bytes_get_size (b) - 12, (g_bytes_get_size (a) - 12) / 2);
    }
  assert_tiles_match (with_565, s.image, s.frame, &rgb565_be);
  assert_tiles_match (with_xbgr, s.image, s.frame, &xbgr_be);
  setup_clear (&s);
}
END_TEST

START_TEST (test_tilecache_other_params_get_other_bytes)
{
  Setup s;
  Ready ready_default = { 0 }, ready_level = { 0 }, ready_again = { 0 };

  setup_init (&s);
  g_autoptr (TileBatch) with_default = batch_of_all_tiles (s.cache, s.frame, &pixfmt_server_default,
                                                           -1, &ready_default);
  tile_batch_commit (s.cache, with_default);
  iterate_until (s.context, called_back, &ready_default);

  /* A compression level is part of the key even where Raw ignores it. */
  g_autoptr (TileBatch) with_level = batch_of_all_tiles (s.cache, s.frame, &pixfmt_server_default,
                                                         9, &ready_level);
  tile_batch_commit (s.cache, with_level);
  iterate_until (s.context, called_back, &ready_level);
  ck_assert_uint_eq (tile_cache_get_n_encoded (s.cache), 2 * N_TILES);
  for (guint tile = 0; tile < N_TILES; tile++)
    ck_assert_ptr_ne (tile_batch_get_tile (with_level, tile), tile_batch_get_tile (with_default, tile));
  assert_tiles_match (with_level, s.image, s.frame, &pixfmt_server_default);

  /* Both stay cached side by side. */
  g_autoptr (TileBatch) again = batch_of_all_tiles (s.cache, s.frame, &pixfmt_server_default, -1,
                                                    &ready_again);
  tile_batch_commit (s.cache, again);
  ck_assert_uint_eq (ready_again.calls, 1);
  ck_assert_uint_eq (tile_cache_get_n_encoded (s.cache), 2 * N_TILES);
  for (guint tile = 0; tile < N_TILES; tile++)
    ck_assert_ptr_eq (tile_batch_get_tile (again, tile), tile_batch_get_tile (with_default, tile));
  setup_clear (&s);
}
END_TEST

START_TEST (test_tilecache_new_frame_reencodes_changed_tile)
{
  Setup s;
  Ready ready1 = { 0 }, ready2 = { 0 }, ready3 = { 0 };
  /* (130, 70) is in tile column 2, row 1: tile 6. */
  const guint changed = 6;
  g_autoptr (Frame) next = NULL;
  cairo_rectangle_int_t rect;

  setup_init (&s);
  g_autoptr (TileBatch) before = batch_of_all_tiles (s.cache, s.frame, &pixfmt_server_default, -1,
                                                     &ready1);
  tile_batch_commit (s.cache, before);
  iterate_until (s.context, called_back, &ready1);
  frame_tile_rect (s.frame, changed, &rect);
  g_autoptr (GBytes) old_expected = expected_raw_tile (s.image, &rect, &pixfmt_server_default);

  poke_pixel (s.image, 130, 70, 0xff123456);
  next = make_frame (s.image, 2, s.frame);
  ck_assert_uint_eq (next->tile_versions[changed], 2);
  tile_cache_new_frame (s.cache, next);

  g_autoptr (TileBatch) after = batch_of_all_tiles (s.cache, next, &pixfmt_server_default, -1,
                                                    &ready2);
  tile_batch_commit (s.cache, after);
  iterate_until (s.context, called_back, &ready2);
  iterate_a_while (s.context);
  ck_assert_uint_eq (ready2.calls, 1);
  ck_assert_uint_eq (tile_cache_get_n_encoded (s.cache), N_TILES + 1);
  ck_assert_uint_eq (tile_cache_get_n_shared (s.cache), N_TILES - 1);
  for (guint tile = 0; tile < N_TILES; tile++)
    {
      if (tile == changed)
        ck_assert_ptr_ne (tile_batch_get_tile (after, tile), tile_batch_get_tile (before, tile));
      else
        ck_assert_ptr_eq (tile_batch_get_tile (after, tile), tile_batch_get_tile (before, tile));
    }
  assert_tiles_match (after, s.image, next, &pixfmt_server_default);
  /* The older update still holds the old bytes. */
  ck_assert (g_bytes_equal (tile_batch_get_tile (before, changed), old_expected));
  ck_assert (!g_bytes_equal (tile_batch_get_tile (after, changed), old_expected));

  /* And the new tile is shared from then on. */
  g_autoptr (TileBatch) third = batch_of_all_tiles (s.cache, next, &pixfmt_server_default, -1,
                                                    &ready3);
  tile_batch_commit (s.cache, third);
  ck_assert_uint_eq (ready3.calls, 1);
  ck_assert_uint_eq (tile_cache_get_n_encoded (s.cache), N_TILES + 1);
  for (guint tile = 0; tile < N_TILES; tile++)
    ck_assert_ptr_eq (tile_batch_get_tile (third, tile), tile_batch_get_tile (after, tile));
  setup_clear (&s);
}
END_TEST

/* Each tile row as one span of Tight (JPEG allowed), as client.c asks
 * for viewers where encoder_uses_spans(). */
static TileBatch *
batch_of_row_spans (TileCache *cache, Frame *frame, Ready *ready)
{
  TileBatch *batch = tile_batch_new (on_ready, ready);
  g_autoptr (PixfmtConverter) converter = pixfmt_converter_new (&pixfmt_server_default);
  EncoderParams params;

  memset (&params, 0, sizeof params);
  params.encoding = RFB_ENCODING_TIGHT;
  params.compress_level = 1;
  params.quality_level = 8;
  params.fine_quality = -1;
  params.subsampling = -1;
  pixfmt_key (&pixfmt_server_default, &params.format);
  for (guint ty = 0; ty < frame->tiles_y; ty++)
    {
      cairo_rectangle_int_t rect;

      frame_tile_rect (frame, ty * frame->tiles_x, &rect);
      rect.width = frame->width;
      tile_cache_add_to_batch (cache, batch, frame, ty * frame->tiles_x, frame->tiles_x, &rect, &params,
                               converter);
    }
  return batch;
}

/* A span is one entry: shared while none of its tiles changes, encoded
 * again when any of them does — here the third tile of the middle row. */
START_TEST (test_tilecache_span_follows_every_tile_it_covers)
{
  Setup s;
  Ready ready1 = { 0 }, ready2 = { 0 }, ready3 = { 0 };
  const guint rows = 3, changed_row = 1;
  g_autoptr (Frame) next = NULL;

  setup_init (&s);
  g_autoptr (TileBatch) first = batch_of_row_spans (s.cache, s.frame, &ready1);
  tile_batch_commit (s.cache, first);
  iterate_until (s.context, called_back, &ready1);
  ck_assert_uint_eq (tile_batch_get_n_tiles (first), rows);
  ck_assert_uint_eq (tile_cache_get_n_encoded (s.cache), rows);
  for (guint row = 0; row < rows; row++)
    ck_assert_uint_ge (tile_batch_get_n_rects (first, row), 1);

  g_autoptr (TileBatch) second = batch_of_row_spans (s.cache, s.frame, &ready2);
  tile_batch_commit (s.cache, second);
  ck_assert_uint_eq (ready2.calls, 1);
  ck_assert_uint_eq (tile_cache_get_n_shared (s.cache), rows);
  for (guint row = 0; row < rows; row++)
    ck_assert_ptr_eq (tile_batch_get_tile (second, row), tile_batch_get_tile (first, row));

  /* (130, 70): tile column 2 of row 1, not the span's first tile. */
  poke_pixel (s.image, 130, 70, 0xff123456);
  next = make_frame (s.image, 2, s.frame);
  tile_cache_new_frame (s.cache, next);
  g_autoptr (TileBatch) third = batch_of_row_spans (s.cache, next, &ready3);
  tile_batch_commit (s.cache, third);
  iterate_until (s.context, called_back, &ready3);
  ck_assert_uint_eq (tile_cache_get_n_encoded (s.cache), rows + 1);
  for (guint row = 0; row < rows; row++)
    {
      if (row == changed_row)
        ck_assert (!g_bytes_equal (tile_batch_get_tile (third, row), tile_batch_get_tile (first, row)));
      else
        ck_assert_ptr_eq (tile_batch_get_tile (third, row), tile_batch_get_tile (first, row));
    }
  setup_clear (&s);
}
END_TEST

START_TEST (test_tilecache_resize_forgets_everything)
{
  Setup s;
  Ready ready1 = { 0 }, ready2 = { 0 };
  g_autoptr (cairo_surface_t) wider = random_image (WIDTH + 64, HEIGHT, 0x7113);
  g_autoptr (Frame) next = NULL;

  setup_init (&s);
  g_autoptr (TileBatch) before = batch_of_all_tiles (s.cache, s.frame, &pixfmt_server_default, -1,
                                                     &ready1);
  tile_batch_commit (s.cache, before);
  iterate_until (s.context, called_back, &ready1);

  next = make_frame (wider, 2, s.frame);
  tile_cache_new_frame (s.cache, next);
  g_autoptr (TileBatch) after = batch_of_all_tiles (s.cache, next, &pixfmt_server_default, -1,
                                                    &ready2);
  tile_batch_commit (s.cache, after);
  iterate_until (s.context, called_back, &ready2);
  ck_assert_uint_eq (frame_n_tiles (next), 15);
  ck_assert_uint_eq (tile_cache_get_n_encoded (s.cache), N_TILES + 15);
  ck_assert_uint_eq (tile_cache_get_n_shared (s.cache), 0);
  assert_tiles_match (after, wider, next, &pixfmt_server_default);
  setup_clear (&s);
}
END_TEST

START_TEST (test_tilecache_cancelled_batch_never_calls_back)
{
  Setup s;
  Ready cancelled = { 0 }, later = { 0 };
  EncodedCount all = { NULL, N_TILES };

  setup_init (&s);
  all.cache = s.cache;
  TileBatch *batch = batch_of_all_tiles (s.cache, s.frame, &pixfmt_server_default, -1, &cancelled);
  tile_batch_commit (s.cache, batch);
  tile_batch_cancel (batch);
  tile_batch_unref (batch);

  iterate_until (s.context, encoded_at_least, &all);
  iterate_a_while (s.context);
  ck_assert_uint_eq (cancelled.calls, 0);

  /* The work was not wasted: the tiles are in the cache. */
  g_autoptr (TileBatch) second = batch_of_all_tiles (s.cache, s.frame, &pixfmt_server_default, -1,
                                                     &later);
  tile_batch_commit (s.cache, second);
  ck_assert_uint_eq (later.calls, 1);
  ck_assert_uint_eq (tile_cache_get_n_encoded (s.cache), N_TILES);
  assert_tiles_match (second, s.image, s.frame, &pixfmt_server_default);
  ck_assert_uint_eq (cancelled.calls, 0);
  setup_clear (&s);
}
END_TEST

START_TEST (test_tilecache_cancel_does_not_stop_others_waiting)
{
  Setup s;
  Ready cancelled = { 0 }, waiting = { 0 };

  setup_init (&s);
  g_autoptr (TileBatch) first = batch_of_all_tiles (s.cache, s.frame, &pixfmt_server_default, -1,
                                                    &cancelled);
  tile_batch_commit (s.cache, first);
  g_autoptr (TileBatch) second = batch_of_all_tiles (s.cache, s.frame, &pixfmt_server_default, -1,
                                                     &waiting);
  tile_batch_commit (s.cache, second);
  tile_batch_cancel (first);

  iterate_until (s.context, called_back, &waiting);
  iterate_a_while (s.context);
  ck_assert_uint_eq (waiting.calls, 1);
  ck_assert_uint_eq (cancelled.calls, 0);
  assert_tiles_match (second, s.image, s.frame, &pixfmt_server_default);
  setup_clear (&s);
}
END_TEST

START_TEST (test_tilecache_empty_batch_calls_back_at_commit)
{
  Setup s;
  Ready ready = { 0 };

  setup_init (&s);
  g_autoptr (TileBatch) batch = tile_batch_new (on_ready, &ready);
  tile_batch_commit (s.cache, batch);
  ck_assert_uint_eq (ready.calls, 1);
  ck_assert_uint_eq (tile_batch_get_n_tiles (batch), 0);
  iterate_a_while (s.context);
  ck_assert_uint_eq (ready.calls, 1);
  setup_clear (&s);
}
END_TEST

START_TEST (test_tilecache_raw_tile_bytes)
{
  /* One edge tile, written out: tile 7 is 192,64 8x64. */
  static const guint8 header[12] = { 0x00, 0xc0, 0x00, 0x40, 0x00, 0x08, 0x00, 0x40, 0, 0, 0, 0 };
  Setup s;
  Ready ready = { 0 };
  gsize len = 0;
  const guint8 *data;

  setup_init (&s);
  g_autoptr (TileBatch) batch = batch_of_all_tiles (s.cache, s.frame, &pixfmt_server_default, -1,
                                                    &ready);
  tile_batch_commit (s.cache, batch);
  iterate_until (s.context, called_back, &ready);

  data = g_bytes_get_data (tile_batch_get_tile (batch, 7), &len);
  ck_assert_uint_eq (len, 12 + 8 * 64 * 4);
  ck_assert_mem_eq (data, header, 12);
  /* x8r8g8b8 little-endian is the surface's B, G, R with a zero byte. */
  for (int y = 0; y < 64; y++)
    for (int x = 0; x < 8; x++)
      {
        const guint8 *px = data + 12 + ((gsize) y * 8 + (gsize) x) * 4;
        guint32 p;
        memcpy (&p, cairo_image_surface_get_data (s.image) +
                    (gsize) (64 + y) * cairo_image_surface_get_stride (s.image) + (gsize) (192 + x) * 4, 4);
        ck_assert_uint_eq (px[0], p & 0xff);
        ck_assert_uint_eq (px[1], (p >> 8) & 0xff);
        ck_assert_uint_eq (px[2], (p >> 16) & 0xff);
        ck_assert_uint_eq (px[3], 0);
      }

  /* The last tile is 192,128 8x2. */
  data = g_bytes_get_data (tile_batch_get_tile (batch, 11), &len);
  ck_assert_uint_eq (len, 12 + 8 * 2 * 4);
  ck_assert_mem_eq (data, "\x00\xc0\x00\x80\x00\x08\x00\x02\x00\x00\x00\x00", 12);
  setup_clear (&s);
}
END_TEST

START_TEST (test_tilecache_frame_may_go_before_encoding_ends)
{
  Setup s;
  Ready ready = { 0 };
  g_autoptr (cairo_surface_t) image = random_image (WIDTH, HEIGHT, 99);
  Frame *frame = make_frame (image, 2, NULL);

  setup_init (&s);
  tile_cache_new_frame (s.cache, frame);
  g_autoptr (TileBatch) batch = batch_of_all_tiles (s.cache, frame, &rgb565_be, -1, &ready);
  tile_batch_commit (s.cache, batch);
  /* The encoders hold the frame now. */
  g_autoptr (Frame) kept = frame_ref (frame);
  frame_unref (frame);
  iterate_until (s.context, called_back, &ready);
  assert_tiles_match (batch, image, kept, &rgb565_be);
  setup_clear (&s);
}
END_TEST

/* A frame big enough that the encoders are still busy when the cache goes. */
static void
free_with_jobs_in_flight (gboolean cancel, gboolean keep_batch)
{
  GMainContext *context = g_main_context_new ();
  TileCache *cache = tile_cache_new (context);
  g_autoptr (cairo_surface_t) image = random_image (1024, 768, 5);
  Frame *frame = make_frame (image, 1, NULL);
  Ready ready = { 0 };
  TileBatch *batch;

  tile_cache_new_frame (cache, frame);
  batch = batch_of_all_tiles (cache, frame, &rgb565_be, -1, &ready);
  tile_batch_commit (cache, batch);
  if (cancel)
    tile_batch_cancel (batch);
  frame_unref (frame);
  if (!keep_batch)
    g_clear_pointer (&batch, tile_batch_unref);

  tile_cache_free (cache);
  ck_assert_uint_le (ready.calls, 1);
  if (cancel)
    ck_assert_uint_eq (ready.calls, 0);
  if (batch != NULL)
    {
      /* The cache waited for its workers: every tile is there. */
      ck_assert_uint_eq (tile_batch_get_n_tiles (batch), 16 * 12);
      for (guint tile = 0; tile < 16 * 12; tile++)
        ck_assert_ptr_nonnull (tile_batch_get_tile (batch, tile));
      tile_batch_unref (batch);
    }
  while (g_main_context_iteration (context, FALSE))
    ;
  ck_assert_uint_le (ready.calls, 1);
  if (cancel)
    ck_assert_uint_eq (ready.calls, 0);
  g_main_context_unref (context);
}

START_TEST (test_tilecache_free_with_jobs_in_flight)
{
  free_with_jobs_in_flight (FALSE, FALSE);
}
END_TEST

START_TEST (test_tilecache_free_with_cancelled_jobs_in_flight)
{
  free_with_jobs_in_flight (TRUE, FALSE);
}
END_TEST

START_TEST (test_tilecache_free_while_batch_held)
{
  free_with_jobs_in_flight (FALSE, TRUE);
  free_with_jobs_in_flight (TRUE, TRUE);
}
END_TEST

static Suite *
tilecache_suite (void)
{
  Suite *s = suite_create ("tilecache");
  TCase *tc;

  tc = tcase_create ("sharing");
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_tilecache_batch_encodes_each_tile_once);
  tcase_add_test (tc, test_tilecache_second_batch_shares_bytes);
  tcase_add_test (tc, test_tilecache_tiles_in_flight_are_shared);
  tcase_add_test (tc, test_tilecache_other_format_gets_other_bytes);
  tcase_add_test (tc, test_tilecache_other_params_get_other_bytes);
  tcase_add_test (tc, test_tilecache_new_frame_reencodes_changed_tile);
  tcase_add_test (tc, test_tilecache_span_follows_every_tile_it_covers);
  tcase_add_test (tc, test_tilecache_resize_forgets_everything);
  tcase_add_test (tc, test_tilecache_raw_tile_bytes);
  suite_add_tcase (s, tc);

  tc = tcase_create ("lifetime");
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_tilecache_cancelled_batch_never_calls_back);
  tcase_add_test (tc, test_tilecache_cancel_does_not_stop_others_waiting);
  tcase_add_test (tc, test_tilecache_empty_batch_calls_back_at_commit);
  tcase_add_test (tc, test_tilecache_frame_may_go_before_encoding_ends);
  tcase_add_test (tc, test_tilecache_free_with_jobs_in_flight);
  tcase_add_test (tc, test_tilecache_free_with_cancelled_jobs_in_flight);
  tcase_add_test (tc, test_tilecache_free_while_batch_held);
  suite_add_tcase (s, tc);

  return s;
}

int
main (void)
{
  return checkutil_run (tilecache_suite ());
}
