/* test-enc-tight.c — the zlib, Tight and TightPNG encoders, decoded here.
 *
 * Tiles of generated content (solid, two colours, 16 and 200 colours, a
 * smooth gradient, noise, text-like stripes, a photo-like gradient with
 * noise) in awkward sizes are cut from a frame with extra stride, encoded
 * in several pixel formats and decoded by a small decoder in this file:
 * zlib inflates one stream per "viewer" as the spec says; Tight inflates
 * with four streams kept across rectangles, honouring the reset bits, and
 * undoes the copy, palette and gradient filters; PNG goes through cairo's
 * reader and JPEG through TurboJPEG. Lossless results must equal the
 * frame in the viewer's format, pixel for pixel; JPEG must reach 30 dB
 * PSNR at quality level 8 on a photo-like tile. Because one decoder sees
 * tiles from every test in an arbitrary order, a rectangle that leaned on
 * an earlier one's zlib history would fail to inflate.
 */
#include "checkutil.h"
#include <cairo.h>
#include <math.h>
#include <string.h>
#include <zlib.h>

#include "enc/encoder.h"
#include "enc/jpeg.h"
#include "enc/tight.h"
#include "frame.h"
#include "pixfmt.h"
#include "rfb.h"

#if defined(__has_include)
#if __has_include(<turbojpeg.h>)
#include <turbojpeg.h>
#define TEST_HAVE_TURBOJPEG 1
/* Weak, so that this test still links where the library was built
 * without JPEG (there the decoder is never needed). */
extern __typeof__ (tjInitDecompress) tjInitDecompress __attribute__ ((weak));
extern __typeof__ (tjDecompress2) tjDecompress2 __attribute__ ((weak));
extern __typeof__ (tjDestroy) tjDestroy __attribute__ ((weak));
#endif
#endif

/* ---- Formats ---- */

typedef struct {
  const char *name;
  RfbPixelFormat format;
} NamedFormat;

#define FORMAT(bpp, dep, be, rm, gm, bm, rs, gs, bs) \
  { .bits_per_pixel = bpp, .depth = dep, .big_endian = be, .true_colour = TRUE, \
    .red_max = rm, .green_max = gm, .blue_max = bm, .red_shift = rs, .green_shift = gs, .blue_shift = bs }

static const NamedFormat formats[] = {
  { "rgb888 depth 24", FORMAT (32, 24, FALSE, 255, 255, 255, 16, 8, 0) },
  { "rgb888 depth 32", FORMAT (32, 32, FALSE, 255, 255, 255, 16, 8, 0) },
  { "rgb565", FORMAT (16, 16, FALSE, 31, 63, 31, 11, 5, 0) },
  { "bgr233", FORMAT (8, 8, FALSE, 7, 7, 3, 0, 3, 6) },
  { "bgr888 big-endian depth 24", FORMAT (32, 24, TRUE, 255, 255, 255, 0, 8, 16) },
  { "rgb888 big-endian depth 32", FORMAT (32, 32, TRUE, 255, 255, 255, 16, 8, 0) },
  { "rgb555 big-endian", FORMAT (16, 15, TRUE, 31, 31, 31, 10, 5, 0) },
};

enum { RGB888, RGB888_DEPTH32, RGB565, BGR233 };

/* ---- Content ---- */

typedef enum {
  CONTENT_SOLID,
  CONTENT_TWO_COLOURS,
  CONTENT_16_COLOURS,
  CONTENT_200_COLOURS,
  CONTENT_GRADIENT,
  CONTENT_NOISE,
  CONTENT_TEXT,
  CONTENT_PHOTO,
  N_CONTENTS
} Content;

static const char *const content_names[] = {
  "solid", "two colours", "16 colours", "200 colours", "gradient", "noise", "text", "photo",
};

typedef struct {
  int width, height;
} Size;

static const Size sizes[] = { { 1, 1 }, { 3, 5 }, { 17, 9 }, { 64, 64 }, { 64, 7 } };

/* Where tiles sit in the test frame, and its padding. */
#define TILE_X 5
#define TILE_Y 3
#define EXTRA_STRIDE 12

typedef struct {
  Frame frame;
  cairo_rectangle_int_t rect;
} TestTile;

static guint32
clamp_rgb (int r, int g, int b)
{
  return ((guint32) CLAMP (r, 0, 255) << 16) | ((guint32) CLAMP (g, 0, 255) << 8) | (guint32) CLAMP (b, 0, 255);
}

/* Colours that stay distinct even in bgr233. */
static guint32
colour_16 (guint i)
{
  static const guint8 reds[4] = { 0, 73, 146, 219 };
  return ((guint32) reds[i & 3] << 16) | ((i & 4) ? 0xff00u : 0) | ((i & 8) ? 0xffu : 0);
}

static guint32
content_pixel (Content content, GRand *rand, int x, int y, int w, int h)
{
  switch (content)
    {
    case CONTENT_SOLID:
      return 0x3366cc;
    case CONTENT_TWO_COLOURS:
      return ((x / 3 + y / 2) % 3 == 0) ? 0x102030 : 0xf0e0d0;
    case CONTENT_16_COLOURS:
      return colour_16 ((guint) g_rand_int_range (rand, 0, 16));
    case CONTENT_200_COLOURS:
      {
        guint i = (guint) g_rand_int_range (rand, 0, 200);
        return clamp_rgb ((int) (i * 37 % 256), (int) (i * 91 % 256), (int) i);
      }
    case CONTENT_GRADIENT:
      return clamp_rgb (x * 255 / MAX (w - 1, 1), y * 255 / MAX (h - 1, 1), (x + y) * 2);
    case CONTENT_NOISE:
      return g_rand_int (rand) & 0xffffff;
    case CONTENT_TEXT:
      {
        /* Dark glyph bars on a light background with grey edges. */
        int column = x % 6, row = y % 10;
        if (row >= 8 || column == 5)
          return 0xf8f8f8;
        if (row == 0 || row == 7 || column == 0 || column == 4)
          return (x + y) % 2 ? 0x9a9a9a : 0xc4c4c4;
        return 0x202020;
      }
    case CONTENT_PHOTO:
      {
        double fx = x / 64.0, fy = y / 64.0;
        int noise = g_rand_int_range (rand, -3, 4);
        return clamp_rgb ((int) (120 + 90 * sin (fx * 3.1 + fy)) + noise,
                          (int) (100 + 80 * cos (fy * 2.3 - fx)) + noise,
                          (int) (60 + 50 * sin ((fx + fy) * 2.0)) - noise);
      }
    default:
      g_assert_not_reached ();
    }
}

/* A frame with the tile at (TILE_X, TILE_Y) and other pixels around it,
 * so that an encoder reading outside the rectangle shows. */
static void
tile_init (TestTile *tile, Content content, int w, int h, guint seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  Frame *frame = &tile->frame;

  memset (tile, 0, sizeof *tile);
  frame->width = TILE_X + w + 7;
  frame->height = TILE_Y + h + 4;
  frame->stride = (gsize) frame->width * 4 + EXTRA_STRIDE;
  frame->pixels = g_malloc0 (frame->stride * (gsize) frame->height);
  for (int y = 0; y < frame->height; y++)
    for (int x = 0; x < frame->width; x++)
      {
        guint32 *p = (guint32 *) (void *) ((guint8 *) frame->pixels + (gsize) y * frame->stride) + x;
        gboolean inside = x >= TILE_X && x < TILE_X + w && y >= TILE_Y && y < TILE_Y + h;
        /* The alpha byte is garbage the encoders must ignore. */
        guint32 alpha = (guint32) g_rand_int_range (rand, 0, 256) << 24;

        *p = alpha | (inside ? content_pixel (content, rand, x - TILE_X, y - TILE_Y, w, h)
                             : (g_rand_int (rand) & 0xffffff));
      }
  tile->rect = (cairo_rectangle_int_t) { TILE_X, TILE_Y, w, h };
  g_rand_free (rand);
}

static void
tile_clear (TestTile *tile)
{
  g_free (tile->frame.pixels);
}

static guint32
tile_rgb (const TestTile *tile, int x, int y)
{
  const Frame *frame = &tile->frame;
  const guint32 *row = (const guint32 *) (const void *) ((const guint8 *) frame->pixels +
                                                         (gsize) (tile->rect.y + y) * frame->stride);
  return row[tile->rect.x + x] & 0xffffff;
}

/* Whether every pixel has the same value in @f. */
static gboolean
tile_is_uniform (const TestTile *tile, const RfbPixelFormat *f)
{
  guint32 first = pixfmt_convert_pixel (f, tile_rgb (tile, 0, 0));

  for (int y = 0; y < tile->rect.height; y++)
    for (int x = 0; x < tile->rect.width; x++)
      if (pixfmt_convert_pixel (f, tile_rgb (tile, x, y)) != first)
        return FALSE;
  return TRUE;
}

static EncoderParams
make_params (gint32 encoding, const RfbPixelFormat *format, int level, int quality)
{
  EncoderParams params;

  memset (&params, 0, sizeof params);
  params.encoding = encoding;
  params.compress_level = (gint8) level;
  params.quality_level = (gint8) quality;
  params.fine_quality = -1;
  params.subsampling = -1;
  pixfmt_key (format, &params.format);
  return params;
}

static GBytes *
encode_tile (const TestTile *tile, const RfbPixelFormat *format, const EncoderParams *params)
{
  g_autoptr (PixfmtConverter) converter = pixfmt_converter_new (format);
  EncoderInput input = { &tile->frame, tile->rect, converter, params };

  guint n_rects;
  GBytes *bytes = encoder_encode (&input, &n_rects);

  ck_assert_uint_eq (n_rects, 1);
  return bytes;
}

/* ---- Reading ---- */

typedef struct {
  const guint8 *data;
  gsize len, pos;
} Reader;

static const guint8 *
read_bytes (Reader *r, gsize n)
{
  const guint8 *p;

  ck_assert_msg (r->pos + n <= r->len, "rectangle truncated: need %zu bytes at %zu of %zu", n, r->pos, r->len);
  p = r->data + r->pos;
  r->pos += n;
  return p;
}

static guint
read_u8 (Reader *r)
{
  return *read_bytes (r, 1);
}

static gsize
read_compact_length (Reader *r)
{
  guint b = read_u8 (r);
  gsize len = b & 0x7f;

  if (b & 0x80)
    {
      b = read_u8 (r);
      len |= (gsize) (b & 0x7f) << 7;
      if (b & 0x80)
        len |= (gsize) read_u8 (r) << 14;
    }
  return len;
}

/* A pixel value in @f's byte order. */
static guint32
read_value (const RfbPixelFormat *f, const guint8 *p)
{
  guint n = f->bits_per_pixel / 8;
  guint32 v = 0;

  for (guint i = 0; i < n; i++)
    v |= (guint32) p[i] << (f->big_endian ? (n - 1 - i) * 8 : i * 8);
  return v;
}

static gboolean
is_rgb24 (const RfbPixelFormat *f)
{
  return f->true_colour && f->bits_per_pixel == 32 && f->depth == 24 && f->red_max == 255 &&
         f->green_max == 255 && f->blue_max == 255;
}

static guint
tpixel_size (const RfbPixelFormat *f)
{
  return is_rgb24 (f) ? 3 : f->bits_per_pixel / 8u;
}

/* A TPIXEL as the format's pixel value. */
static guint32
read_tpixel (Reader *r, const RfbPixelFormat *f)
{
  const guint8 *p = read_bytes (r, tpixel_size (f));

  if (is_rgb24 (f))
    return pixfmt_convert_pixel (f, ((guint32) p[0] << 16) | ((guint32) p[1] << 8) | p[2]);
  return read_value (f, p);
}

/* ---- Decoding ---- */

typedef enum {
  KIND_FILL,
  KIND_COPY,
  KIND_MONO,
  KIND_PALETTE,
  KIND_GRADIENT,
  KIND_JPEG,
  KIND_PNG,
} Kind;

static const char *const kind_names[] = { "fill", "copy", "mono", "palette", "gradient", "JPEG", "PNG" };

/* A viewer's Tight state: four zlib streams. */
typedef struct {
  z_stream streams[4];
  gboolean active[4];
  guint resets;
} TightDecoder;

static void
tight_decoder_clear (TightDecoder *dec)
{
  for (int i = 0; i < 4; i++)
    if (dec->active[i])
      inflateEnd (&dec->streams[i]);
  memset (dec, 0, sizeof *dec);
}

/* Inflates exactly @out_len bytes from @len bytes with stream @id. */
static void
tight_inflate (TightDecoder *dec, guint id, const guint8 *data, gsize len, guint8 *out, gsize out_len)
{
  z_stream *zs = &dec->streams[id];
  int ret;

  if (!dec->active[id])
    {
      memset (zs, 0, sizeof *zs);
      ck_assert_int_eq (inflateInit (zs), Z_OK);
      dec->active[id] = TRUE;
    }
  zs->next_in = (Bytef *) data;
  zs->avail_in = (uInt) len;
  zs->next_out = out;
  zs->avail_out = (uInt) out_len;
  ret = inflate (zs, Z_SYNC_FLUSH);
  ck_assert_msg (ret == Z_OK || ret == Z_STREAM_END, "stream %u: inflate returned %d (%s)", id, ret,
                 zs->msg ? zs->msg : "");
  ck_assert_msg (zs->avail_out == 0, "stream %u: %u bytes short", id, zs->avail_out);
  ck_assert_msg (zs->avail_in == 0, "stream %u: %u bytes of zlib data left over", id, zs->avail_in);
}

typedef struct {
  Kind kind;
  guint n_colours;             /* palette kinds */
  guint32 *values;             /* lossless kinds: the format's values */
  guint8 *rgb;                 /* JPEG and PNG: 8-bit red, green, blue */
} Decoded;

static void
decoded_clear (Decoded *d)
{
  g_free (d->values);
  g_free (d->rgb);
  memset (d, 0, sizeof *d);
}

/* Undoes the gradient filter (rfbproto.rst "GradientFilter"). */
static void
unfilter_gradient (const RfbPixelFormat *f, const guint8 *data, int w, int h, guint32 *values)
{
  gboolean rgb24 = is_rgb24 (f);
  guint shift[3] = { f->red_shift, f->green_shift, f->blue_shift };
  guint max[3] = { f->red_max, f->green_max, f->blue_max };
  g_autofree int *prev = g_new0 (int, (gsize) w * 3);
  g_autofree int *cur = g_new0 (int, (gsize) w * 3);
  guint step = tpixel_size (f);

  if (rgb24)
    {
      shift[0] = 16, shift[1] = 8, shift[2] = 0;
      max[0] = max[1] = max[2] = 255;
    }
  for (int y = 0; y < h; y++)
    {
      for (int x = 0; x < w; x++)
        {
          const guint8 *p = data + ((gsize) y * w + x) * step;
          guint32 diff = rgb24 ? ((guint32) p[0] << 16) | ((guint32) p[1] << 8) | p[2] : read_value (f, p);
          guint32 rgb = 0;

          for (int c = 0; c < 3; c++)
            {
              int left = x > 0 ? cur[(x - 1) * 3 + c] : 0;
              int up = prev[x * 3 + c];
              int up_left = x > 0 ? prev[(x - 1) * 3 + c] : 0;
              int predicted = CLAMP (left + up - up_left, 0, (int) max[c]);
              int v = (int) (((diff >> shift[c]) + (guint32) predicted) & max[c]);

              cur[x * 3 + c] = v;
              rgb |= (guint32) v << shift[c];
            }
          values[(gsize) y * w + x] = rgb24 ? pixfmt_convert_pixel (f, rgb) : rgb;
        }
      memcpy (prev, cur, sizeof (int) * (gsize) w * 3);
    }
}

static void
decode_jpeg (const guint8 *data, gsize len, int w, int h, guint8 *rgb)
{
#ifdef TEST_HAVE_TURBOJPEG
  tjhandle handle;

  ck_assert_msg (tjInitDecompress != NULL, "JPEG received, but TurboJPEG is not linked");
  handle = tjInitDecompress ();
  ck_assert_ptr_nonnull (handle);
  ck_assert_msg (tjDecompress2 (handle, data, (unsigned long) len, rgb, w, w * 3, h, TJPF_RGB, 0) == 0,
                 "tjDecompress2 failed");
  tjDestroy (handle);
#else
  ck_abort_msg ("JPEG received, but this test was built without TurboJPEG");
#endif
}

typedef struct {
  const guint8 *data;
  gsize len, pos;
} PngSource;

static cairo_status_t
read_png (void *closure, unsigned char *data, unsigned int length)
{
  PngSource *src = closure;

  if (src->pos + length > src->len)
    return CAIRO_STATUS_READ_ERROR;
  memcpy (data, src->data + src->pos, length);
  src->pos += length;
  return CAIRO_STATUS_SUCCESS;
}

static void
decode_png (const guint8 *data, gsize len, int w, int h, guint8 *rgb)
{
  PngSource src = { data, len, 0 };
  cairo_surface_t *image = cairo_image_surface_create_from_png_stream (read_png, &src);
  const guint8 *pixels;
  int stride;

  ck_assert_msg (cairo_surface_status (image) == CAIRO_STATUS_SUCCESS, "PNG not read: %s",
                 cairo_status_to_string (cairo_surface_status (image)));
  ck_assert_int_eq (cairo_image_surface_get_width (image), w);
  ck_assert_int_eq (cairo_image_surface_get_height (image), h);
  ck_assert_uint_eq (src.pos, len);
  pixels = cairo_image_surface_get_data (image);
  stride = cairo_image_surface_get_stride (image);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint32 p = ((const guint32 *) (const void *) (pixels + (gsize) y * stride))[x];
        guint8 *out = rgb + ((gsize) y * w + x) * 3;

        ck_assert_msg ((p >> 24) == 0xff || cairo_image_surface_get_format (image) == CAIRO_FORMAT_RGB24,
                       "PNG pixel %d,%d is not opaque", x, y);
        out[0] = (guint8) (p >> 16);
        out[1] = (guint8) (p >> 8);
        out[2] = (guint8) p;
      }
  cairo_surface_destroy (image);
}

/* Decodes one Tight or TightPNG rectangle, header included, from @offset
 * in @bytes; returns the offset after it. */
static gsize
decode_tight_at (TightDecoder *dec, const RfbPixelFormat *f, GBytes *bytes, gsize offset,
                 const cairo_rectangle_int_t *rect, gint32 encoding, Decoded *out)
{
  Reader r = { 0 };
  const guint8 *head;
  guint control;
  int w = rect->width, h = rect->height;
  gsize n = (gsize) w * (gsize) h;

  r.data = g_bytes_get_data (bytes, &r.len);
  r.pos = offset;
  memset (out, 0, sizeof *out);
  head = read_bytes (&r, 12);
  ck_assert_int_eq (rfb_get_u16 (head), rect->x);
  ck_assert_int_eq (rfb_get_u16 (head + 2), rect->y);
  ck_assert_int_eq (rfb_get_u16 (head + 4), w);
  ck_assert_int_eq (rfb_get_u16 (head + 6), h);
  ck_assert_int_eq ((gint32) rfb_get_u32 (head + 8), encoding);

  control = read_u8 (&r);
  for (guint i = 0; i < 4; i++)
    if (control & (1u << i))
      {
        if (dec->active[i])
          inflateEnd (&dec->streams[i]);
        dec->active[i] = FALSE;
        dec->resets++;
      }
  control >>= 4;

  if (control == 0x8)
    {
      guint32 v = read_tpixel (&r, f);
      out->kind = KIND_FILL;
      out->values = g_new (guint32, n);
      for (gsize i = 0; i < n; i++)
        out->values[i] = v;
    }
  else if (control == 0x9 || control == 0xa)
    {
      gsize len;
      const guint8 *data;

      ck_assert_msg (control == 0x9 || encoding == RFB_ENCODING_TIGHT_PNG, "PNG in a Tight rectangle");
      ck_assert_msg (control == 0xa || f->bits_per_pixel >= 16, "JPEG at 8 bits per pixel");
      len = read_compact_length (&r);
      data = read_bytes (&r, len);
      out->kind = control == 0x9 ? KIND_JPEG : KIND_PNG;
      out->rgb = g_malloc (n * 3);
      if (control == 0x9)
        decode_jpeg (data, len, w, h, out->rgb);
      else
        decode_png (data, len, w, h, out->rgb);
      if (control == 0xa)
        {
          /* Lossless: the format's values. */
          out->values = g_new (guint32, n);
          for (gsize i = 0; i < n; i++)
            out->values[i] = pixfmt_convert_pixel (f, ((guint32) out->rgb[i * 3] << 16) |
                                                         ((guint32) out->rgb[i * 3 + 1] << 8) |
                                                         out->rgb[i * 3 + 2]);
        }
    }
  else
    {
      guint stream = control & 3;
      guint filter = TIGHT_FILTER_COPY;
      guint32 palette[256];
      gsize row_bytes, size;
      g_autofree guint8 *data = NULL;

      ck_assert_msg (encoding == RFB_ENCODING_TIGHT, "BasicCompression in a TightPNG rectangle");
      ck_assert_msg ((control & 0x8) == 0, "invalid compression control %#x", control << 4);
      if (control & 0x4)
        filter = read_u8 (&r);
      ck_assert_uint_le (filter, TIGHT_FILTER_GRADIENT);
      if (filter == TIGHT_FILTER_PALETTE)
        {
          out->n_colours = read_u8 (&r) + 1;
          ck_assert_uint_ge (out->n_colours, 2);
          for (guint i = 0; i < out->n_colours; i++)
            palette[i] = read_tpixel (&r, f);
          row_bytes = out->n_colours == 2 ? (gsize) (w + 7) / 8 : (gsize) w;
          out->kind = out->n_colours == 2 ? KIND_MONO : KIND_PALETTE;
        }
      else
        {
          ck_assert_msg (filter != TIGHT_FILTER_GRADIENT || f->bits_per_pixel >= 16, "gradient at 8 bpp");
          row_bytes = (gsize) w * tpixel_size (f);
          out->kind = filter == TIGHT_FILTER_GRADIENT ? KIND_GRADIENT : KIND_COPY;
        }
      size = row_bytes * (gsize) h;
      data = g_malloc (MAX (size, 1));
      if (size < TIGHT_MIN_TO_COMPRESS)
        memcpy (data, read_bytes (&r, size), size);
      else
        {
          gsize len = read_compact_length (&r);
          tight_inflate (dec, stream, read_bytes (&r, len), len, data, size);
        }
      out->values = g_new (guint32, n);
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
          {
            const guint8 *row = data + (gsize) y * row_bytes;
            guint32 *v = &out->values[(gsize) y * w + x];

            switch (out->kind)
              {
              case KIND_MONO:
                *v = palette[(row[x / 8] >> (7 - x % 8)) & 1];
                break;
              case KIND_PALETTE:
                ck_assert_uint_lt (row[x], out->n_colours);
                *v = palette[row[x]];
                break;
              case KIND_COPY:
                {
                  const guint8 *p = row + (gsize) x * tpixel_size (f);
                  *v = is_rgb24 (f) ? pixfmt_convert_pixel (f, ((guint32) p[0] << 16) | ((guint32) p[1] << 8) | p[2])
                                    : read_value (f, p);
                }
                break;
              default:
                break;
              }
          }
      if (out->kind == KIND_GRADIENT)
        unfilter_gradient (f, data, w, h, out->values);
    }
  return r.pos;
}

/* Decodes one rectangle and checks that it is all the bytes there are. */
static void
decode_tight (TightDecoder *dec, const RfbPixelFormat *f, GBytes *bytes, const cairo_rectangle_int_t *rect,
              gint32 encoding, Decoded *out)
{
  gsize end = decode_tight_at (dec, f, bytes, 0, rect, encoding, out);

  ck_assert_msg (end == g_bytes_get_size (bytes), "%zu bytes after the rectangle",
                 g_bytes_get_size (bytes) - end);
}

/* ---- Comparing ---- */

/* The first pixel whose decoded value differs from the frame in @f, or
 * -1. */
static gssize
first_difference (const TestTile *tile, const RfbPixelFormat *f, const Decoded *d)
{
  int w = tile->rect.width, h = tile->rect.height;

  ck_assert_ptr_nonnull (d->values);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      if (d->values[(gsize) y * w + x] != pixfmt_convert_pixel (f, tile_rgb (tile, x, y)))
        return (gssize) y * w + x;
  return -1;
}

static void
assert_lossless (const TestTile *tile, const NamedFormat *nf, const Decoded *d, const char *what)
{
  gssize bad = first_difference (tile, &nf->format, d);

  if (bad >= 0)
    {
      int x = (int) (bad % tile->rect.width), y = (int) (bad / tile->rect.width);
      ck_abort_msg ("%s in %s (%s): pixel %d,%d is %#x, not %#x (frame 0x%06x)", what, nf->name,
                    kind_names[d->kind], x, y, d->values[bad],
                    pixfmt_convert_pixel (&nf->format, tile_rgb (tile, x, y)), tile_rgb (tile, x, y));
    }
}

static double
psnr (const TestTile *tile, const guint8 *rgb)
{
  int w = tile->rect.width, h = tile->rect.height;
  double sum = 0;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint32 s = tile_rgb (tile, x, y);
        const guint8 *p = rgb + ((gsize) y * w + x) * 3;
        double dr = (double) p[0] - ((s >> 16) & 0xff);
        double dg = (double) p[1] - ((s >> 8) & 0xff);
        double db = (double) p[2] - (s & 0xff);
        sum += dr * dr + dg * dg + db * db;
      }
  if (sum == 0)
    return 99.0;
  return 10.0 * log10 (255.0 * 255.0 / (sum / ((double) w * h * 3)));
}

/* Encodes, decodes with @dec (a viewer's long-lived state) and with a
 * fresh decoder, and checks both agree. */
static void
encode_and_decode (TightDecoder *dec, const TestTile *tile, const NamedFormat *nf, const EncoderParams *params,
                   Decoded *out)
{
  g_autoptr (GBytes) bytes = encode_tile (tile, &nf->format, params);
  TightDecoder fresh = { 0 };
  Decoded again;

  decode_tight (dec, &nf->format, bytes, &tile->rect, params->encoding, out);
  decode_tight (&fresh, &nf->format, bytes, &tile->rect, params->encoding, &again);
  ck_assert_int_eq (again.kind, out->kind);
  if (out->values != NULL)
    ck_assert (memcmp (again.values, out->values, sizeof (guint32) * tile->rect.width * tile->rect.height) == 0);
  decoded_clear (&again);
  tight_decoder_clear (&fresh);
}

static Kind
kind_of (const TestTile *tile, const NamedFormat *nf, const EncoderParams *params)
{
  TightDecoder dec = { 0 };
  Decoded d;
  Kind kind;

  encode_and_decode (&dec, tile, nf, params, &d);
  kind = d.kind;
  decoded_clear (&d);
  tight_decoder_clear (&dec);
  return kind;
}

/* ---- zlib ---- */

START_TEST (test_enc_zlib_inflates_to_raw)
{
  const NamedFormat *nf = &formats[_i];
  g_autoptr (PixfmtConverter) converter = pixfmt_converter_new (&nf->format);
  z_stream zs = { 0 };
  gboolean first = TRUE;
  guint rects = 0;

  /* One stream for the whole "connection", as a viewer keeps it. */
  ck_assert_int_eq (inflateInit (&zs), Z_OK);
  for (int content = 0; content < N_CONTENTS; content++)
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
      for (int level = 0; level <= 9; level += 3)
        {
          TestTile tile;
          EncoderParams params = make_params (RFB_ENCODING_ZLIB, &nf->format, level, -1);
          EncoderParams raw_params = make_params (RFB_ENCODING_RAW, &nf->format, -1, -1);
          EncoderInput input = { &tile.frame, tile.rect, converter, &params };
          EncoderInput raw_input = { &tile.frame, tile.rect, converter, &raw_params };
          g_autoptr (GBytes) bytes = NULL;
          g_autoptr (GBytes) raw = NULL;
          gsize size, raw_size, payload;
          guint n_rects;
          const guint8 *data, *raw_data;
          g_autofree guint8 *inflated = NULL;
          int ret;

          tile_init (&tile, (Content) content, sizes[s].width, sizes[s].height, 100 + content * 10 + s);
          input.rect = raw_input.rect = tile.rect;
          bytes = encoder_encode (&input, &n_rects);
          ck_assert_uint_eq (n_rects, 1);
          raw = encoder_encode (&raw_input, &n_rects);
          if (first)
            {
              /* What client.c does for a viewer's first zlib rectangle. */
              GBytes *started = encoder_start_zlib_stream (bytes);
              g_bytes_unref (bytes);
              bytes = started;
              first = FALSE;
            }
          data = g_bytes_get_data (bytes, &size);
          raw_data = g_bytes_get_data (raw, &raw_size);
          ck_assert_uint_ge (size, 16);
          ck_assert_int_eq ((gint32) rfb_get_u32 (data + 8), RFB_ENCODING_ZLIB);
          ck_assert (memcmp (data, raw_data, 8) == 0);
          ck_assert_uint_eq (rfb_get_u32 (data + 12), size - 16);

          payload = raw_size - 12;
          inflated = g_malloc (payload + 1);
          zs.next_in = (Bytef *) data + 16;
          zs.avail_in = (uInt) (size - 16);
          zs.next_out = inflated;
          zs.avail_out = (uInt) payload + 1;
          ret = inflate (&zs, Z_SYNC_FLUSH);
          ck_assert_msg (ret == Z_OK, "%s, %s %dx%d level %d: inflate returned %d (%s)", nf->name,
                         content_names[content], sizes[s].width, sizes[s].height, level, ret,
                         zs.msg ? zs.msg : "");
          ck_assert_uint_eq (zs.avail_in, 0);
          ck_assert_uint_eq (zs.avail_out, 1);
          ck_assert_msg (memcmp (inflated, raw_data + 12, payload) == 0, "%s, %s %dx%d: pixels differ from Raw",
                         nf->name, content_names[content], sizes[s].width, sizes[s].height);
          tile_clear (&tile);
          rects++;
        }
  inflateEnd (&zs);
  ck_assert_uint_eq (rects, N_CONTENTS * G_N_ELEMENTS (sizes) * 4);
}
END_TEST

START_TEST (test_enc_zlib_compresses_solid_tiles)
{
  TestTile tile;
  EncoderParams params = make_params (RFB_ENCODING_ZLIB, &formats[RGB888].format, 6, -1);
  g_autoptr (GBytes) bytes = NULL;

  tile_init (&tile, CONTENT_SOLID, 64, 64, 7);
  bytes = encode_tile (&tile, &formats[RGB888].format, &params);
  ck_assert_uint_lt (g_bytes_get_size (bytes), 12 + 4 + 100);
  tile_clear (&tile);
}
END_TEST

/* ---- Tight, lossless ---- */

START_TEST (test_enc_tight_lossless_matches_frame)
{
  const NamedFormat *nf = &formats[_i];
  TightDecoder viewer = { 0 };
  guint rects = 0;

  for (int content = 0; content < N_CONTENTS; content++)
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
      {
        TestTile tile;
        EncoderParams params = make_params (RFB_ENCODING_TIGHT, &nf->format, (int) (rects % 10), -1);
        Decoded d;
        g_autofree char *what = g_strdup_printf ("%s %dx%d", content_names[content], sizes[s].width,
                                                 sizes[s].height);

        tile_init (&tile, (Content) content, sizes[s].width, sizes[s].height, 200 + content * 10 + s);
        encode_and_decode (&viewer, &tile, nf, &params, &d);
        ck_assert_msg (d.kind != KIND_JPEG, "%s in %s: JPEG without a quality level", what, nf->name);
        assert_lossless (&tile, nf, &d, what);
        decoded_clear (&d);
        tile_clear (&tile);
        rects++;
      }
  /* Every compressed rectangle started its stream afresh. */
  ck_assert_uint_gt (viewer.resets, 0);
  tight_decoder_clear (&viewer);
}
END_TEST

START_TEST (test_enc_tight_solid_tiles_are_fills)
{
  const NamedFormat *nf = &formats[_i];

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (int quality = -1; quality <= 8; quality += 9)
      {
        TestTile tile;
        EncoderParams params = make_params (RFB_ENCODING_TIGHT, &nf->format, 6, quality);
        g_autoptr (GBytes) bytes = NULL;
        const guint8 *data;

        tile_init (&tile, CONTENT_SOLID, sizes[s].width, sizes[s].height, 300 + s);
        bytes = encode_tile (&tile, &nf->format, &params);
        data = g_bytes_get_data (bytes, NULL);
        ck_assert_uint_eq (g_bytes_get_size (bytes), 12 + 1 + tpixel_size (&nf->format));
        ck_assert_uint_eq (data[12], 0x80);
        ck_assert_int_eq (kind_of (&tile, nf, &params), KIND_FILL);
        tile_clear (&tile);
      }
}
END_TEST

START_TEST (test_enc_tight_two_colour_tiles_are_mono)
{
  const NamedFormat *nf = &formats[_i];

  for (guint s = 1; s < G_N_ELEMENTS (sizes); s++)
    {
      TestTile tile;
      EncoderParams params = make_params (RFB_ENCODING_TIGHT, &nf->format, 6, 8);
      TightDecoder dec = { 0 };
      g_autoptr (GBytes) bytes = NULL;
      const guint8 *data;
      Decoded d;

      tile_init (&tile, CONTENT_TWO_COLOURS, sizes[s].width, sizes[s].height, 400 + s);
      bytes = encode_tile (&tile, &nf->format, &params);
      data = g_bytes_get_data (bytes, NULL);
      /* Palette filter, two colours: 1 bit a pixel. */
      ck_assert_uint_eq (data[12] & 0xc0, TIGHT_EXPLICIT_FILTER);
      ck_assert_uint_eq (data[13], TIGHT_FILTER_PALETTE);
      ck_assert_uint_eq (data[14], 1);
      encode_and_decode (&dec, &tile, nf, &params, &d);
      ck_assert_int_eq (d.kind, KIND_MONO);
      assert_lossless (&tile, nf, &d, "two colours");
      decoded_clear (&d);
      tight_decoder_clear (&dec);
      tile_clear (&tile);
    }
}
END_TEST

/* What each content becomes in 64×64 tiles, lossless. */
typedef struct {
  guint format;
  Content content;
  Kind kind;
} Expected;

static const Expected lossless_kinds[] = {
  { RGB888, CONTENT_16_COLOURS, KIND_PALETTE },
  { RGB888, CONTENT_200_COLOURS, KIND_PALETTE },
  { RGB888, CONTENT_TEXT, KIND_PALETTE },
  { RGB888, CONTENT_GRADIENT, KIND_GRADIENT },
  { RGB888, CONTENT_PHOTO, KIND_GRADIENT },
  { RGB888, CONTENT_NOISE, KIND_COPY },
  { RGB888_DEPTH32, CONTENT_16_COLOURS, KIND_PALETTE },
  { RGB888_DEPTH32, CONTENT_GRADIENT, KIND_GRADIENT },
  { RGB888_DEPTH32, CONTENT_PHOTO, KIND_GRADIENT },
  { RGB888_DEPTH32, CONTENT_NOISE, KIND_COPY },
  { RGB565, CONTENT_16_COLOURS, KIND_PALETTE },
  { RGB565, CONTENT_PHOTO, KIND_GRADIENT },
  { RGB565, CONTENT_NOISE, KIND_COPY },
  /* A byte a pixel: only two colours make a palette pay, and there is
   * no gradient filter at 8 bpp. */
  { BGR233, CONTENT_16_COLOURS, KIND_COPY },
  { BGR233, CONTENT_PHOTO, KIND_COPY },
  { BGR233, CONTENT_NOISE, KIND_COPY },
  { 4, CONTENT_PHOTO, KIND_GRADIENT },   /* bgr888 big-endian: 3-byte TPIXELs */
  { 6, CONTENT_PHOTO, KIND_COPY },       /* rgb555 big-endian: see gradient_allowed() */
};

START_TEST (test_enc_tight_picks_sub_encoding_by_content)
{
  const Expected *e = &lossless_kinds[_i];
  const NamedFormat *nf = &formats[e->format];
  TestTile tile;
  EncoderParams params = make_params (RFB_ENCODING_TIGHT, &nf->format, 6, -1);
  Kind kind;

  tile_init (&tile, e->content, 64, 64, 500 + (guint) _i);
  kind = kind_of (&tile, nf, &params);
  ck_assert_msg (kind == e->kind, "%s in %s: %s, not %s", content_names[e->content], nf->name,
                 kind_names[kind], kind_names[e->kind]);
  tile_clear (&tile);
}
END_TEST

/* ---- Tight, JPEG ---- */

START_TEST (test_enc_tight_jpeg_on_photo_at_quality_8)
{
  const NamedFormat *nf = &formats[_i];
  TestTile tile;
  EncoderParams params = make_params (RFB_ENCODING_TIGHT, &nf->format, 6, 8);
  TightDecoder dec = { 0 };
  Decoded d;

  tile_init (&tile, CONTENT_PHOTO, 64, 64, 600);
  encode_and_decode (&dec, &tile, nf, &params, &d);
  if (nf->format.bits_per_pixel == 8 || !enc_jpeg_available ())
    {
      /* No JPEG at 8 bpp (rfbproto.rst), nor without TurboJPEG. */
      ck_assert_int_ne (d.kind, KIND_JPEG);
      assert_lossless (&tile, nf, &d, "photo at quality 8");
    }
  else
    {
      double db;

      ck_assert_msg (d.kind == KIND_JPEG, "photo in %s: %s, not JPEG", nf->name, kind_names[d.kind]);
      db = psnr (&tile, d.rgb);
      ck_assert_msg (db >= 30.0, "photo in %s: PSNR %.1f dB", nf->name, db);
    }
  decoded_clear (&d);
  tight_decoder_clear (&dec);
  tile_clear (&tile);
}
END_TEST

START_TEST (test_enc_tight_quality_keeps_few_colours_lossless)
{
  static const Content contents[] = { CONTENT_SOLID, CONTENT_TWO_COLOURS, CONTENT_16_COLOURS, CONTENT_TEXT,
                                      CONTENT_200_COLOURS };
  const NamedFormat *nf = &formats[_i];
  TightDecoder viewer = { 0 };

  for (guint c = 0; c < G_N_ELEMENTS (contents); c++)
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
      for (int quality = 0; quality <= 9; quality += 3)
        {
          TestTile tile;
          EncoderParams params = make_params (RFB_ENCODING_TIGHT, &nf->format, 1, quality);
          Decoded d;

          tile_init (&tile, contents[c], sizes[s].width, sizes[s].height, 700 + c * 10 + s);
          encode_and_decode (&viewer, &tile, nf, &params, &d);
          ck_assert_msg (d.kind != KIND_JPEG, "%s %dx%d in %s went JPEG", content_names[contents[c]],
                         sizes[s].width, sizes[s].height, nf->name);
          assert_lossless (&tile, nf, &d, content_names[contents[c]]);
          decoded_clear (&d);
          tile_clear (&tile);
        }
  tight_decoder_clear (&viewer);
}
END_TEST

/* Every content and size with a quality level: JPEG decodes, the rest is
 * exact, and the photo keeps 30 dB at level 8. */
START_TEST (test_enc_tight_lossy_stream_decodes)
{
  const NamedFormat *nf = &formats[_i];
  TightDecoder viewer = { 0 };
  guint jpegs = 0;

  for (int content = 0; content < N_CONTENTS; content++)
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
      {
        TestTile tile;
        EncoderParams params = make_params (RFB_ENCODING_TIGHT, &nf->format, 9, 8);
        Decoded d;

        tile_init (&tile, (Content) content, sizes[s].width, sizes[s].height, 800 + content * 10 + s);
        encode_and_decode (&viewer, &tile, nf, &params, &d);
        if (d.kind == KIND_JPEG)
          {
            jpegs++;
            ck_assert_int_ge (sizes[s].width * sizes[s].height, 256);
            if (content == CONTENT_PHOTO || content == CONTENT_GRADIENT)
              ck_assert_msg (psnr (&tile, d.rgb) >= 30.0, "%s: %.1f dB", content_names[content],
                             psnr (&tile, d.rgb));
          }
        else
          assert_lossless (&tile, nf, &d, content_names[content]);
        decoded_clear (&d);
        tile_clear (&tile);
      }
  if (enc_jpeg_available () && nf->format.bits_per_pixel >= 16)
    ck_assert_uint_gt (jpegs, 0);
  else
    ck_assert_uint_eq (jpegs, 0);
  tight_decoder_clear (&viewer);
}
END_TEST

START_TEST (test_enc_tight_fine_quality_and_subsampling)
{
  const NamedFormat *nf = &formats[RGB888];
  TestTile tile;

  if (!enc_jpeg_available ())
    return;
  tile_init (&tile, CONTENT_PHOTO, 64, 64, 900);
  /* Fine quality alone allows JPEG; each subsampling level decodes. */
  for (int subsampling = -1; subsampling < 6; subsampling++)
    {
      EncoderParams params = make_params (RFB_ENCODING_TIGHT, &nf->format, 6, -1);
      TightDecoder dec = { 0 };
      Decoded d;
      double db;

      params.fine_quality = 80;
      params.subsampling = (gint8) subsampling;
      encode_and_decode (&dec, &tile, nf, &params, &d);
      ck_assert_int_eq (d.kind, KIND_JPEG);
      db = psnr (&tile, d.rgb);
      if (subsampling == 3)
        {
          /* Grayscale: every pixel grey. */
          for (int i = 0; i < 64 * 64; i++)
            ck_assert (d.rgb[i * 3] == d.rgb[i * 3 + 1] && d.rgb[i * 3 + 1] == d.rgb[i * 3 + 2]);
        }
      else
        ck_assert_msg (db >= 28.0, "fine quality 80, subsampling %d: %.1f dB", subsampling, db);
      decoded_clear (&d);
      tight_decoder_clear (&dec);
    }
  tile_clear (&tile);
}
END_TEST

START_TEST (test_enc_tight_jpeg_settings)
{
  EncoderParams params = make_params (RFB_ENCODING_TIGHT, &formats[RGB888].format, 6, 8);
  int quality, subsampling, last = 0;

  for (int level = 0; level <= 9; level++)
    {
      params.quality_level = (gint8) level;
      enc_jpeg_settings (&params, &quality, &subsampling);
      ck_assert_int_gt (quality, last);
      ck_assert_int_le (quality, 100);
      last = quality;
    }
  params.quality_level = 8;
  params.fine_quality = 37;
  params.subsampling = 3;
  enc_jpeg_settings (&params, &quality, &subsampling);
  ck_assert_int_eq (quality, 37);
  ck_assert_int_eq (subsampling, 3);   /* TJSAMP_GRAY */
  params.fine_quality = 0;
  enc_jpeg_settings (&params, &quality, &subsampling);
  ck_assert_int_eq (quality, 1);
  ck_assert (!enc_jpeg_allowed (&(EncoderParams) { .quality_level = -1, .fine_quality = -1 }));
  ck_assert (enc_jpeg_allowed (&(EncoderParams) { .quality_level = 0, .fine_quality = -1 }));
  ck_assert (enc_jpeg_allowed (&(EncoderParams) { .quality_level = -1, .fine_quality = 0 }));
}
END_TEST

/* ---- Tight details ---- */

START_TEST (test_enc_tight_compact_length)
{
  static const struct {
    gsize length;
    guint8 bytes[3];
    guint n;
  } cases[] = {
    { 0, { 0x00 }, 1 },
    { 1, { 0x01 }, 1 },
    { 127, { 0x7f }, 1 },
    { 128, { 0x80, 0x01 }, 2 },
    { 10000, { 0x90, 0x4e }, 2 },   /* the spec's example */
    { 16383, { 0xff, 0x7f }, 2 },
    { 16384, { 0x80, 0x80, 0x01 }, 3 },
    { 4194303, { 0xff, 0xff, 0xff }, 3 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GByteArray) out = g_byte_array_new ();
      guint at;

      rfb_append_u8 (out, 0xaa);
      at = tight_reserve_length (out);
      for (gsize j = 0; j < cases[i].length; j++)
        rfb_append_u8 (out, (guint8) j);
      tight_finish_length (out, at);
      ck_assert_uint_eq (out->len, 1 + cases[i].n + cases[i].length);
      ck_assert_uint_eq (out->data[0], 0xaa);
      ck_assert_msg (memcmp (out->data + 1, cases[i].bytes, cases[i].n) == 0, "length %zu", cases[i].length);
      for (gsize j = 0; j < cases[i].length; j += 997)
        ck_assert_uint_eq (out->data[1 + cases[i].n + j], (guint8) j);
      if (cases[i].length > 0)
        ck_assert_uint_eq (out->data[out->len - 1], (guint8) (cases[i].length - 1));
    }
}
END_TEST

START_TEST (test_enc_tight_short_data_is_not_compressed)
{
  /* 3×1 noise in rgb888: 9 bytes of copy data, under 12, sent as is and
   * with no stream reset. */
  const NamedFormat *nf = &formats[RGB888];
  TestTile tile;
  EncoderParams params = make_params (RFB_ENCODING_TIGHT, &nf->format, 6, -1);
  g_autoptr (GBytes) bytes = NULL;
  const guint8 *data;

  tile_init (&tile, CONTENT_NOISE, 3, 1, 1000);
  bytes = encode_tile (&tile, &nf->format, &params);
  data = g_bytes_get_data (bytes, NULL);
  ck_assert_uint_eq (g_bytes_get_size (bytes), 12 + 1 + 9);
  ck_assert_uint_eq (data[12] & 0x0f, 0);
  ck_assert_uint_eq (data[12] & 0xc0, 0);
  for (int x = 0; x < 3; x++)
    {
      guint32 rgb = tile_rgb (&tile, x, 0);
      ck_assert_uint_eq (data[13 + x * 3], rgb >> 16);
      ck_assert_uint_eq (data[14 + x * 3], (rgb >> 8) & 0xff);
      ck_assert_uint_eq (data[15 + x * 3], rgb & 0xff);
    }
  tile_clear (&tile);
}
END_TEST

START_TEST (test_enc_tight_compressed_rects_reset_their_stream)
{
  static const Content contents[] = { CONTENT_TWO_COLOURS, CONTENT_16_COLOURS, CONTENT_GRADIENT, CONTENT_NOISE };
  const NamedFormat *nf = &formats[RGB888];

  for (guint c = 0; c < G_N_ELEMENTS (contents); c++)
    {
      TestTile tile;
      EncoderParams params = make_params (RFB_ENCODING_TIGHT, &nf->format, 6, -1);
      g_autoptr (GBytes) bytes = NULL;
      const guint8 *data;

      tile_init (&tile, contents[c], 64, 64, 1100 + c);
      bytes = encode_tile (&tile, &nf->format, &params);
      data = g_bytes_get_data (bytes, NULL);
      /* BasicCompression resets exactly the stream it uses. */
      ck_assert_uint_eq (data[12] & 0x80, 0);
      ck_assert_uint_eq (data[12] & 0x0f, 1u << ((data[12] >> 4) & 3));
      tile_clear (&tile);
    }
}
END_TEST

/* Cached bytes are shared, so they must not depend on what the thread
 * encoded before. */
START_TEST (test_enc_same_tile_gives_same_bytes)
{
  static const gint32 encodings[] = { RFB_ENCODING_ZLIB, RFB_ENCODING_TIGHT, RFB_ENCODING_TIGHT_PNG };
  const NamedFormat *nf = &formats[RGB888];

  for (guint e = 0; e < G_N_ELEMENTS (encodings); e++)
    for (int content = 0; content < N_CONTENTS; content++)
      {
        TestTile tile, other;
        EncoderParams params = make_params (encodings[e], &nf->format, 6, content % 2 ? 8 : -1);
        g_autoptr (GBytes) first = NULL;
        g_autoptr (GBytes) between = NULL;
        g_autoptr (GBytes) again = NULL;

        tile_init (&tile, (Content) content, 64, 64, 1200 + content);
        tile_init (&other, (Content) ((content + 3) % N_CONTENTS), 17, 9, 1300 + content);
        first = encode_tile (&tile, &nf->format, &params);
        between = encode_tile (&other, &nf->format, &params);
        again = encode_tile (&tile, &nf->format, &params);
        ck_assert (g_bytes_equal (first, again));
        tile_clear (&tile);
        tile_clear (&other);
      }
}
END_TEST

/* Random sizes, contents and levels, lossless, through one viewer. */
START_TEST (test_enc_tight_random_tiles_round_trip)
{
  GRand *rand = g_rand_new_with_seed (1400 + (guint) _i);
  TightDecoder viewer = { 0 };

  for (int i = 0; i < 150; i++)
    {
      const NamedFormat *nf = &formats[g_rand_int_range (rand, 0, G_N_ELEMENTS (formats))];
      gint32 encoding = g_rand_boolean (rand) ? RFB_ENCODING_TIGHT : RFB_ENCODING_TIGHT_PNG;
      EncoderParams params = make_params (encoding, &nf->format, g_rand_int_range (rand, 0, 10), -1);
      Content content = (Content) g_rand_int_range (rand, 0, N_CONTENTS);
      int w = g_rand_int_range (rand, 1, 65), h = g_rand_int_range (rand, 1, 65);
      TestTile tile;
      Decoded d;
      g_autofree char *what = g_strdup_printf ("%s %dx%d %s", content_names[content], w, h,
                                               encoder_name (encoding));

      tile_init (&tile, content, w, h, g_rand_int (rand));
      encode_and_decode (&viewer, &tile, nf, &params, &d);
      assert_lossless (&tile, nf, &d, what);
      decoded_clear (&d);
      tile_clear (&tile);
    }
  tight_decoder_clear (&viewer);
  g_rand_free (rand);
}
END_TEST

/* ---- TightPNG ---- */

START_TEST (test_enc_tightpng_lossless_matches_frame)
{
  const NamedFormat *nf = &formats[_i];
  TightDecoder viewer = { 0 };

  for (int content = 0; content < N_CONTENTS; content++)
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
      {
        TestTile tile;
        EncoderParams params = make_params (RFB_ENCODING_TIGHT_PNG, &nf->format, (int) ((content + s) % 10), -1);
        Decoded d;
        g_autofree char *what = g_strdup_printf ("%s %dx%d", content_names[content], sizes[s].width,
                                                 sizes[s].height);

        tile_init (&tile, (Content) content, sizes[s].width, sizes[s].height, 1500 + content * 10 + s);
        encode_and_decode (&viewer, &tile, nf, &params, &d);
        if (tile_is_uniform (&tile, &nf->format))
          ck_assert_int_eq (d.kind, KIND_FILL);
        else
          ck_assert_msg (d.kind == KIND_PNG, "%s in %s: %s", what, nf->name, kind_names[d.kind]);
        assert_lossless (&tile, nf, &d, what);
        decoded_clear (&d);
        tile_clear (&tile);
      }
  tight_decoder_clear (&viewer);
}
END_TEST

START_TEST (test_enc_tightpng_jpeg_on_photo)
{
  const NamedFormat *nf = &formats[RGB888];
  TightDecoder dec = { 0 };
  TestTile photo, text;
  EncoderParams params = make_params (RFB_ENCODING_TIGHT_PNG, &nf->format, 6, 8);
  Decoded d;

  tile_init (&photo, CONTENT_PHOTO, 64, 64, 1600);
  tile_init (&text, CONTENT_TEXT, 64, 64, 1601);
  encode_and_decode (&dec, &photo, nf, &params, &d);
  if (enc_jpeg_available ())
    {
      ck_assert_int_eq (d.kind, KIND_JPEG);
      ck_assert_msg (psnr (&photo, d.rgb) >= 30.0, "%.1f dB", psnr (&photo, d.rgb));
    }
  else
    ck_assert_int_eq (d.kind, KIND_PNG);
  decoded_clear (&d);
  encode_and_decode (&dec, &text, nf, &params, &d);
  ck_assert_int_eq (d.kind, KIND_PNG);
  assert_lossless (&text, nf, &d, "text");
  decoded_clear (&d);
  tight_decoder_clear (&dec);
  tile_clear (&photo);
  tile_clear (&text);
}
END_TEST

/* ---- Spans ---- */

/* A 4-tile row whose columns hold @contents, each 64x64, in a frame with
 * garbage around it. */
static void
span_init (TestTile *span, const Content contents[4], guint seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  Frame *frame = &span->frame;

  memset (span, 0, sizeof *span);
  frame->width = 4 * TILE_SIZE + 9;
  frame->height = TILE_SIZE + 5;
  frame->stride = (gsize) frame->width * 4 + EXTRA_STRIDE;
  frame->pixels = g_malloc0 (frame->stride * (gsize) frame->height);
  for (int y = 0; y < frame->height; y++)
    for (int x = 0; x < frame->width; x++)
      {
        guint32 *p = (guint32 *) (void *) ((guint8 *) frame->pixels + (gsize) y * frame->stride) + x;
        gboolean inside = x < 4 * TILE_SIZE && y < TILE_SIZE;

        *p = inside ? content_pixel (contents[x / TILE_SIZE], rand, x % TILE_SIZE, y, TILE_SIZE, TILE_SIZE)
                    : g_rand_int (rand) & 0xffffff;
      }
  span->rect = (cairo_rectangle_int_t) { 0, 0, 4 * TILE_SIZE, TILE_SIZE };
  g_rand_free (rand);
}

static GBytes *
encode_span (const TestTile *span, const RfbPixelFormat *format, const EncoderParams *params, guint *n_rects)
{
  g_autoptr (PixfmtConverter) converter = pixfmt_converter_new (format);
  EncoderInput input = { &span->frame, span->rect, converter, params, TRUE };

  return encoder_encode (&input, n_rects);
}

/* Photo, photo, solid, photo: the first two photo tiles become one JPEG,
 * the solid tile a fill, the last photo its own JPEG — each decoding to
 * the frame — and a row of photos costs less as one JPEG than as four. */
START_TEST (test_enc_tight_span_joins_photo_tiles_into_one_jpeg)
{
  static const gint32 encodings[] = { RFB_ENCODING_TIGHT, RFB_ENCODING_TIGHT_PNG };
  static const Content mixed[4] = { CONTENT_PHOTO, CONTENT_PHOTO, CONTENT_SOLID, CONTENT_PHOTO };
  static const Content photos[4] = { CONTENT_PHOTO, CONTENT_PHOTO, CONTENT_PHOTO, CONTENT_PHOTO };
  static const struct {
    int x, width;
    Kind kind;
  } expected[] = { { 0, 128, KIND_JPEG }, { 128, 64, KIND_FILL }, { 192, 64, KIND_JPEG } };
  const NamedFormat *nf = &formats[_i];
  gint32 encoding = encodings[_i % 2];
  EncoderParams params = make_params (encoding, &nf->format, 6, 8);
  TestTile span, row;
  TightDecoder dec = { 0 };
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GBytes) joined = NULL;
  gsize offset = 0, separate = 0;
  guint n_rects;

  if (!enc_jpeg_available () || nf->format.bits_per_pixel < 16)
    {
      /* No JPEG, no spans: every tile is its own rectangle. */
      ck_assert (!encoder_uses_spans (&params, &nf->format));
      return;
    }
  ck_assert (encoder_uses_spans (&params, &nf->format));
  span_init (&span, mixed, 2000 + _i);
  bytes = encode_span (&span, &nf->format, &params, &n_rects);
  ck_assert_uint_eq (n_rects, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      TestTile part = span;
      Decoded d;

      part.rect = (cairo_rectangle_int_t) { expected[i].x, 0, expected[i].width, TILE_SIZE };
      offset = decode_tight_at (&dec, &nf->format, bytes, offset, &part.rect, encoding, &d);
      ck_assert_msg (d.kind == expected[i].kind, "rectangle %u in %s: %s", i, nf->name, kind_names[d.kind]);
      if (d.kind == KIND_JPEG)
        ck_assert_msg (psnr (&part, d.rgb) >= 30.0, "rectangle %u: %.1f dB", i, psnr (&part, d.rgb));
      else
        assert_lossless (&part, nf, &d, "fill in a span");
      decoded_clear (&d);
    }
  ck_assert_uint_eq (offset, g_bytes_get_size (bytes));

  span_init (&row, photos, 2100 + _i);
  joined = encode_span (&row, &nf->format, &params, &n_rects);
  ck_assert_uint_eq (n_rects, 1);
  for (int x = 0; x < 4 * TILE_SIZE; x += TILE_SIZE)
    {
      TestTile tile = row;
      g_autoptr (GBytes) one = NULL;

      tile.rect = (cairo_rectangle_int_t) { x, 0, TILE_SIZE, TILE_SIZE };
      one = encode_tile (&tile, &nf->format, &params);
      separate += g_bytes_get_size (one);
    }
  ck_assert_msg (g_bytes_get_size (joined) < separate, "one JPEG %zu bytes, four %zu",
                 g_bytes_get_size (joined), separate);
  tight_decoder_clear (&dec);
  tile_clear (&span);
  tile_clear (&row);
}
END_TEST

/* ---- The encoder table ---- */

START_TEST (test_enc_table_rows)
{
  EncoderParams params = make_params (RFB_ENCODING_ZLIB, &formats[RGB888].format, 6, 8);

  ck_assert (encoder_is_supported (RFB_ENCODING_ZLIB));
  ck_assert (encoder_is_supported (RFB_ENCODING_TIGHT));
  ck_assert (encoder_is_supported (RFB_ENCODING_TIGHT_PNG));
  ck_assert_int_ge (encoder_zlib_stream (RFB_ENCODING_ZLIB), 0);
  ck_assert_int_ne (encoder_zlib_stream (RFB_ENCODING_ZLIB), encoder_zlib_stream (RFB_ENCODING_ZRLE));
  ck_assert_int_lt (encoder_zlib_stream (RFB_ENCODING_TIGHT), 0);
  ck_assert_int_lt (encoder_zlib_stream (RFB_ENCODING_TIGHT_PNG), 0);

  params.fine_quality = 50;
  params.subsampling = 2;
  encoder_normalize_params (&params);
  ck_assert_int_eq (params.compress_level, 6);
  ck_assert_int_eq (params.quality_level, -1);
  ck_assert_int_eq (params.fine_quality, -1);
  ck_assert_int_eq (params.subsampling, -1);

  for (int e = 0; e < 2; e++)
    {
      params = make_params (e == 0 ? RFB_ENCODING_TIGHT : RFB_ENCODING_TIGHT_PNG, &formats[RGB888].format, 3, 8);
      params.fine_quality = 50;
      params.subsampling = 2;
      encoder_normalize_params (&params);
      ck_assert_int_eq (params.compress_level, 3);
      ck_assert_int_eq (params.quality_level, 8);
      ck_assert_int_eq (params.fine_quality, 50);
      ck_assert_int_eq (params.subsampling, 2);
    }
}
END_TEST

static Suite *
enc_tight_suite (void)
{
  Suite *s = suite_create ("enc-tight");
  TCase *tc;
  int n_formats = G_N_ELEMENTS (formats);

  tc = tcase_create ("zlib");
  tcase_add_loop_test (tc, test_enc_zlib_inflates_to_raw, 0, n_formats);
  tcase_add_test (tc, test_enc_zlib_compresses_solid_tiles);
  suite_add_tcase (s, tc);

  tc = tcase_create ("tight-lossless");
  tcase_add_loop_test (tc, test_enc_tight_lossless_matches_frame, 0, n_formats);
  tcase_add_loop_test (tc, test_enc_tight_solid_tiles_are_fills, 0, n_formats);
  tcase_add_loop_test (tc, test_enc_tight_two_colour_tiles_are_mono, 0, n_formats);
  tcase_add_loop_test (tc, test_enc_tight_picks_sub_encoding_by_content, 0, G_N_ELEMENTS (lossless_kinds));
  tcase_add_loop_test (tc, test_enc_tight_random_tiles_round_trip, 0, 4);
  suite_add_tcase (s, tc);

  tc = tcase_create ("tight-jpeg");
  tcase_add_loop_test (tc, test_enc_tight_jpeg_on_photo_at_quality_8, 0, n_formats);
  tcase_add_loop_test (tc, test_enc_tight_quality_keeps_few_colours_lossless, 0, n_formats);
  tcase_add_loop_test (tc, test_enc_tight_lossy_stream_decodes, 0, n_formats);
  tcase_add_test (tc, test_enc_tight_fine_quality_and_subsampling);
  tcase_add_test (tc, test_enc_tight_jpeg_settings);
  suite_add_tcase (s, tc);

  tc = tcase_create ("tight-wire");
  tcase_add_test (tc, test_enc_tight_compact_length);
  tcase_add_test (tc, test_enc_tight_short_data_is_not_compressed);
  tcase_add_test (tc, test_enc_tight_compressed_rects_reset_their_stream);
  tcase_add_test (tc, test_enc_same_tile_gives_same_bytes);
  tcase_add_test (tc, test_enc_table_rows);
  suite_add_tcase (s, tc);

  tc = tcase_create ("tightpng");
  tcase_add_loop_test (tc, test_enc_tightpng_lossless_matches_frame, 0, n_formats);
  tcase_add_test (tc, test_enc_tightpng_jpeg_on_photo);
  tcase_add_loop_test (tc, test_enc_tight_span_joins_photo_tiles_into_one_jpeg, 0, n_formats);
  suite_add_tcase (s, tc);

  return s;
}

int
main (void)
{
  return checkutil_run (enc_tight_suite ());
}
