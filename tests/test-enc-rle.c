/* test-enc-rle.c — the RRE, Hextile, TRLE and ZRLE encoders.
 *
 * Each encoder is run on generated rectangles (solid, two colours, 16
 * colours, more than 16, runs, gradient, noise, text-like strokes) of
 * awkward sizes, in 8, 16 and 32 bpp formats of both byte orders, with
 * and without compact CPIXELs; what it writes is decoded by small
 * decoders written here from the spec and compared, pixel for pixel, with
 * the Raw encoder's output (the oracle). ZRLE rectangles are inflated
 * through one zlib stream primed with the header client.c adds, as a
 * viewer would. The tests also check that TRLE and ZRLE tiles take the
 * smallest subencoding (computed here independently), that solid tiles
 * are a single fill, and the exact bytes of CPIXELs.
 */
#include "checkutil.h"
#include <string.h>
#include <zlib.h>

#include "enc/encoder.h"
#include "frame.h"
#include "pixfmt.h"
#include "rfb.h"

/* ---- Formats ---- */

typedef struct {
  const char *name;
  RfbPixelFormat format;
} NamedFormat;

#define FORMAT(bpp, depth, be, rm, gm, bm, rs, gs, bs) \
  { (bpp), (depth), (be), TRUE, (rm), (gm), (bm), (rs), (gs), (bs) }

static const NamedFormat formats[] = {
  { "rgb888 LE depth 24", FORMAT (32, 24, FALSE, 255, 255, 255, 16, 8, 0) },
  { "bgr888 BE depth 24", FORMAT (32, 24, TRUE, 255, 255, 255, 0, 8, 16) },
  { "rgb888 BE depth 24", FORMAT (32, 24, TRUE, 255, 255, 255, 16, 8, 0) },
  { "rgbx LE depth 24 (high bytes)", FORMAT (32, 24, FALSE, 255, 255, 255, 24, 16, 8) },
  { "rgbx BE depth 24 (high bytes)", FORMAT (32, 24, TRUE, 255, 255, 255, 24, 16, 8) },
  { "rgb888 LE depth 32", FORMAT (32, 32, FALSE, 255, 255, 255, 16, 8, 0) },
  { "bgr888 BE depth 32", FORMAT (32, 32, TRUE, 255, 255, 255, 0, 8, 16) },
  { "rgb565 LE", FORMAT (16, 16, FALSE, 31, 63, 31, 11, 5, 0) },
  { "rgb555 BE", FORMAT (16, 15, TRUE, 31, 31, 31, 10, 5, 0) },
  { "bgr233", FORMAT (8, 8, FALSE, 7, 7, 3, 0, 3, 6) },
};

/* ---- Pixels ---- */

typedef enum {
  PATTERN_SOLID,
  PATTERN_TWO,        /* two colours, random per pixel */
  PATTERN_SIXTEEN,    /* 16 colours, random per pixel */
  PATTERN_MANY,       /* 40 colours, random per pixel */
  PATTERN_RUNS,       /* runs of 1–40 pixels of 300 colours */
  PATTERN_BANDS,      /* rows of colour: runs longer than 255 */
  PATTERN_GRADIENT,
  PATTERN_NOISE,
  PATTERN_TEXT,       /* dark strokes and a grey edge on white */
  PATTERN_PHOTO,      /* smooth gradient plus a little noise */
  N_PATTERNS
} Pattern;

static const char *const pattern_names[] = {
  "solid", "two colours", "16 colours", "40 colours", "runs", "bands",
  "gradient", "noise", "text", "photo",
};

typedef struct {
  int width, height;
} Size;

static const Size sizes[] = {
  { 1, 1 }, { 3, 5 }, { 16, 16 }, { 17, 9 }, { 64, 64 }, { 64, 7 }, { 100, 70 },
};

static guint32
random_rgb (GRand *rand)
{
  return (guint32) g_rand_int (rand) & 0xffffff;
}

static guint32
mix (guint32 v)
{
  v ^= v >> 16;
  v *= 0x7feb352du;
  v ^= v >> 15;
  v *= 0x846ca68bu;
  v ^= v >> 16;
  return v;
}

/* A snapshot with the rectangle at an offset, garbage around it, extra
 * stride and random bytes in the unused top byte. */
typedef struct {
  Frame frame;
  cairo_rectangle_int_t rect;
} TestFrame;

static void
test_frame_clear (TestFrame *tf)
{
  g_free (tf->frame.pixels);
}

static void
make_frame (TestFrame *tf, Pattern pattern, int width, int height, guint seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  int x0 = g_rand_int_range (rand, 0, 5), y0 = g_rand_int_range (rand, 0, 3);
  int fw = x0 + width + g_rand_int_range (rand, 0, 4), fh = y0 + height + 1;
  gsize stride = (gsize) (fw + g_rand_int_range (rand, 0, 3)) * 4;
  guint32 palette[300];
  guint32 *pixels;
  guint32 run_colour = 0;
  int run_left = 0;

  memset (tf, 0, sizeof *tf);
  pixels = g_malloc (stride * (gsize) fh);
  for (gsize i = 0; i < stride * (gsize) fh / 4; i++)
    pixels[i] = g_rand_int (rand);
  for (guint i = 0; i < G_N_ELEMENTS (palette); i++)
    palette[i] = random_rgb (rand);

  for (int y = 0; y < height; y++)
    {
      guint32 *row = (guint32 *) (void *) ((guint8 *) pixels + (gsize) (y0 + y) * stride) + x0;
      for (int x = 0; x < width; x++)
        {
          guint32 c = 0;
          switch (pattern)
            {
            case PATTERN_SOLID:
              c = palette[0];
              break;
            case PATTERN_TWO:
              c = palette[g_rand_int_range (rand, 0, 2)];
              break;
            case PATTERN_SIXTEEN:
              c = palette[g_rand_int_range (rand, 0, 16)];
              break;
            case PATTERN_MANY:
              c = palette[g_rand_int_range (rand, 0, 40)];
              break;
            case PATTERN_RUNS:
              if (run_left == 0)
                {
                  run_colour = palette[g_rand_int_range (rand, 0, 300)];
                  run_left = g_rand_int_range (rand, 1, 41);
                }
              run_left--;
              c = run_colour;
              break;
            case PATTERN_BANDS:
              c = palette[(y / 5) % 300];
              break;
            case PATTERN_GRADIENT:
              c = ((guint32) (x * 255 / MAX (width - 1, 1)) << 16) |
                  ((guint32) (y * 255 / MAX (height - 1, 1)) << 8) | (guint32) ((x + y) & 0xff);
              break;
            case PATTERN_NOISE:
              c = random_rgb (rand);
              break;
            case PATTERN_TEXT:
              {
                /* Vertical strokes 7 pixels high in lines 12 apart, some grey. */
                guint32 h = mix (seed ^ (guint32) (y / 12) * 1000003u ^ (guint32) x * 7919u);
                gboolean ink = (y % 12) >= 2 && (y % 12) < 9 && h % 3 == 0;
                c = ink ? (h % 7 == 0 ? 0x808080 : 0x101010) : 0xffffff;
              }
              break;
            case PATTERN_PHOTO:
              {
                int noise = g_rand_int_range (rand, -3, 4);
                guint r = (guint) CLAMP (40 + x * 2 + noise, 0, 255);
                guint g = (guint) CLAMP (90 + y + noise, 0, 255);
                guint b = (guint) CLAMP (200 - x - y / 2 + noise, 0, 255);
                c = (r << 16) | (g << 8) | b;
              }
              break;
            default:
              g_assert_not_reached ();
            }
          row[x] = (g_rand_int (rand) & 0xff000000u) | c;
        }
    }

  tf->frame.id = 1;
  tf->frame.width = fw;
  tf->frame.height = fh;
  tf->frame.stride = stride;
  tf->frame.pixels = pixels;
  tf->rect = (cairo_rectangle_int_t) { x0, y0, width, height };
  g_rand_free (rand);
}

/* Encodes tf's rectangle with @encoding in @format. */
static GByteArray *
encode (gint32 encoding, const RfbPixelFormat *format, const TestFrame *tf, int compress_level)
{
  g_autoptr (PixfmtConverter) converter = pixfmt_converter_new (format);
  EncoderParams params;
  EncoderInput input;
  GByteArray *out = g_byte_array_new ();

  memset (&params, 0, sizeof params);
  params.encoding = encoding;
  params.compress_level = (gint8) compress_level;
  params.quality_level = -1;
  params.fine_quality = -1;
  params.subsampling = -1;
  pixfmt_key (format, &params.format);
  input.frame = &tf->frame;
  input.rect = tf->rect;
  input.converter = converter;
  input.params = &params;

  switch (encoding)
    {
    case RFB_ENCODING_RAW:
      enc_raw_encode (&input, out);
      break;
    case RFB_ENCODING_RRE:
      enc_rre_encode (&input, out);
      break;
    case RFB_ENCODING_HEXTILE:
      enc_hextile_encode (&input, out);
      break;
    case RFB_ENCODING_TRLE:
      enc_trle_encode (&input, out);
      break;
    case RFB_ENCODING_ZRLE:
      enc_zrle_encode (&input, out);
      break;
    default:
      g_assert_not_reached ();
    }
  return out;
}

/* ---- Decoders, written from rfbproto.rst and RFC 6143 ---- */

static char decode_error[512];

#define DECODE_FAIL(...) \
  G_STMT_START { g_snprintf (decode_error, sizeof decode_error, __VA_ARGS__); return FALSE; } G_STMT_END

typedef struct {
  const guint8 *p, *end;
} Reader;

static gboolean
read_bytes (Reader *r, gsize n, const guint8 **out)
{
  if ((gsize) (r->end - r->p) < n)
    DECODE_FAIL ("wanted %" G_GSIZE_FORMAT " bytes, %" G_GSIZE_FORMAT " left", n, (gsize) (r->end - r->p));
  *out = r->p;
  r->p += n;
  return TRUE;
}

static gboolean
read_u8 (Reader *r, guint *v)
{
  const guint8 *p;
  if (!read_bytes (r, 1, &p))
    return FALSE;
  *v = p[0];
  return TRUE;
}

static gboolean
read_u16 (Reader *r, guint *v)
{
  const guint8 *p;
  if (!read_bytes (r, 2, &p))
    return FALSE;
  *v = ((guint) p[0] << 8) | p[1];
  return TRUE;
}

static gboolean
read_u32 (Reader *r, guint32 *v)
{
  const guint8 *p;
  if (!read_bytes (r, 4, &p))
    return FALSE;
  *v = ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
  return TRUE;
}

/* How a PIXEL or CPIXEL is laid out. */
typedef struct {
  guint bytes;
  guint shift;
  gboolean big_endian;
} PixelSpec;

static PixelSpec
pixel_spec (const RfbPixelFormat *f)
{
  PixelSpec s = { f->bits_per_pixel / 8u, 0, f->big_endian && f->bits_per_pixel > 8 };
  return s;
}

/* rfbproto.rst "ZRLE Encoding": 3 bytes for true colour, 32 bpp, depth
 * ≤ 24 with every colour bit in the low or the high three bytes (the low
 * ones when both would do). */
static PixelSpec
cpixel_spec (const RfbPixelFormat *f)
{
  PixelSpec s = pixel_spec (f);
  guint32 bits = ((guint32) f->red_max << f->red_shift) | ((guint32) f->green_max << f->green_shift) |
                 ((guint32) f->blue_max << f->blue_shift);

  if (f->true_colour && f->bits_per_pixel == 32 && f->depth <= 24)
    {
      if ((bits & 0xff000000u) == 0)
        s.bytes = 3;
      else if ((bits & 0xffu) == 0)
        {
          s.bytes = 3;
          s.shift = 8;
        }
    }
  return s;
}

static gboolean
read_pixel (Reader *r, const PixelSpec *s, guint32 *v)
{
  const guint8 *p;

  if (!read_bytes (r, s->bytes, &p))
    return FALSE;
  *v = 0;
  for (guint i = 0; i < s->bytes; i++)
    {
      if (s->big_endian)
        *v = (*v << 8) | p[i];
      else
        *v |= (guint32) p[i] << (8 * i);
    }
  *v <<= s->shift;
  return TRUE;
}

static void
fill (guint32 *dst, guint stride, guint x, guint y, guint w, guint h, guint32 v)
{
  for (guint j = y; j < y + h; j++)
    for (guint i = x; i < x + w; i++)
      dst[(gsize) j * stride + i] = v;
}

#define MAX_TILES 256

/* What a decoder saw besides the pixels. */
typedef struct {
  gint32 encoding;
  guint n_tiles;
  guint subencodings[MAX_TILES];  /* per tile/subtile, in order */
  gsize tile_sizes[MAX_TILES];    /* bytes of each (uncompressed for ZRLE) */
  guint n_subrects;               /* RRE, Hextile: in all */
  gsize data_size;                /* ZRLE: all tiles uncompressed */
} DecodeInfo;

static gboolean
read_rect_header (Reader *r, const cairo_rectangle_int_t *rect, DecodeInfo *info)
{
  guint x, y, w, h;
  guint32 encoding;

  if (!read_u16 (r, &x) || !read_u16 (r, &y) || !read_u16 (r, &w) || !read_u16 (r, &h) ||
      !read_u32 (r, &encoding))
    return FALSE;
  if ((int) x != rect->x || (int) y != rect->y || (int) w != rect->width || (int) h != rect->height)
    DECODE_FAIL ("header says %u,%u %ux%u for %d,%d %dx%d", x, y, w, h, rect->x, rect->y,
                 rect->width, rect->height);
  info->encoding = (gint32) encoding;
  return TRUE;
}

static gboolean
read_raw_pixels (Reader *r, const PixelSpec *s, guint32 *dst, guint stride, guint x, guint y,
                 guint w, guint h)
{
  for (guint j = y; j < y + h; j++)
    for (guint i = x; i < x + w; i++)
      if (!read_pixel (r, s, &dst[(gsize) j * stride + i]))
        return FALSE;
  return TRUE;
}

static gboolean
decode_raw (Reader *r, const RfbPixelFormat *f, guint w, guint h, guint32 *dst)
{
  PixelSpec s = pixel_spec (f);
  return read_raw_pixels (r, &s, dst, w, 0, 0, w, h);
}

static gboolean
decode_rre (Reader *r, const RfbPixelFormat *f, guint w, guint h, guint32 *dst, DecodeInfo *info)
{
  PixelSpec s = pixel_spec (f);
  guint32 n, background;

  if (!read_u32 (r, &n) || !read_pixel (r, &s, &background))
    return FALSE;
  fill (dst, w, 0, 0, w, h, background);
  for (guint32 i = 0; i < n; i++)
    {
      guint32 v;
      guint x, y, sw, sh;
      if (!read_pixel (r, &s, &v) || !read_u16 (r, &x) || !read_u16 (r, &y) ||
          !read_u16 (r, &sw) || !read_u16 (r, &sh))
        return FALSE;
      if (sw == 0 || sh == 0 || x + sw > w || y + sh > h)
        DECODE_FAIL ("RRE subrect %u: %u,%u %ux%u outside %ux%u", i, x, y, sw, sh, w, h);
      fill (dst, w, x, y, sw, sh, v);
    }
  info->n_subrects = n;
  return TRUE;
}

enum { HEX_RAW = 1, HEX_BG = 2, HEX_FG = 4, HEX_ANY = 8, HEX_COLOURED = 16 };

static gboolean
decode_hextile (Reader *r, const RfbPixelFormat *f, guint w, guint h, guint32 *dst, DecodeInfo *info)
{
  PixelSpec s = pixel_spec (f);
  gboolean bg_valid = FALSE, fg_valid = FALSE;
  guint32 bg = 0, fg = 0;

  for (guint ty = 0; ty < h; ty += 16)
    for (guint tx = 0; tx < w; tx += 16)
      {
        guint tw = MIN (16, w - tx), th = MIN (16, h - ty);
        const guint8 *start = r->p;
        guint mask, n = 0;

        if (!read_u8 (r, &mask))
          return FALSE;
        if (mask & HEX_RAW)
          {
            if (!read_raw_pixels (r, &s, dst, w, tx, ty, tw, th))
              return FALSE;
            bg_valid = fg_valid = FALSE;
          }
        else
          {
            if (mask & HEX_BG)
              {
                if (!read_pixel (r, &s, &bg))
                  return FALSE;
                bg_valid = TRUE;
              }
            else if (!bg_valid)
              DECODE_FAIL ("hextile subtile %u,%u: no background to carry over", tx, ty);
            if (mask & HEX_FG)
              {
                if (mask & HEX_COLOURED)
                  DECODE_FAIL ("hextile subtile %u,%u: foreground and coloured subrects", tx, ty);
                if (!read_pixel (r, &s, &fg))
                  return FALSE;
                fg_valid = TRUE;
              }
            fill (dst, w, tx, ty, tw, th, bg);
            if (mask & HEX_ANY)
              {
                if (!read_u8 (r, &n))
                  return FALSE;
                for (guint i = 0; i < n; i++)
                  {
                    guint32 v = fg;
                    guint xy, wh, sx, sy, sw, sh;
                    if (mask & HEX_COLOURED)
                      {
                        if (!read_pixel (r, &s, &v))
                          return FALSE;
                      }
                    else if (!fg_valid)
                      DECODE_FAIL ("hextile subtile %u,%u: no foreground to carry over", tx, ty);
                    if (!read_u8 (r, &xy) || !read_u8 (r, &wh))
                      return FALSE;
                    sx = xy >> 4;
                    sy = xy & 15;
                    sw = (wh >> 4) + 1;
                    sh = (wh & 15) + 1;
                    if (sx + sw > tw || sy + sh > th)
                      DECODE_FAIL ("hextile subtile %u,%u: subrect %u,%u %ux%u outside %ux%u",
                                   tx, ty, sx, sy, sw, sh, tw, th);
                    fill (dst, w, tx + sx, ty + sy, sw, sh, v);
                  }
              }
            if (mask & HEX_COLOURED)
              fg_valid = FALSE;
          }
        if (info->n_tiles < MAX_TILES)
          {
            info->subencodings[info->n_tiles] = mask;
            info->tile_sizes[info->n_tiles] = (gsize) (r->p - start);
            info->n_tiles++;
          }
        info->n_subrects += n;
      }
  return TRUE;
}

static gboolean
read_run_length (Reader *r, gsize *length)
{
  guint b;

  *length = 1;
  do
    {
      if (!read_u8 (r, &b))
        return FALSE;
      *length += b;
    }
  while (b == 255);
  return TRUE;
}

/* One TRLE/ZRLE tile; no palette reuse (127, 129), which these encoders
 * never send. */
static gboolean
decode_rle_tile (Reader *r, const PixelSpec *cp, guint32 *dst, guint stride, guint x, guint y,
                 guint w, guint h, guint *subencoding)
{
  guint32 palette[128];
  guint type, n_colours = 0;
  gsize n = (gsize) w * h;

  if (!read_u8 (r, &type))
    return FALSE;
  *subencoding = type;
  if (type == 0)
    return read_raw_pixels (r, cp, dst, stride, x, y, w, h);
  if (type == 1)
    {
      guint32 v;
      if (!read_pixel (r, cp, &v))
        return FALSE;
      fill (dst, stride, x, y, w, h, v);
      return TRUE;
    }
  if ((type > 16 && type < 128) || type == 129)
    DECODE_FAIL ("tile %u,%u: subencoding %u", x, y, type);
  if (type != 128)
    {
      n_colours = type & 0x7f;
      for (guint i = 0; i < n_colours; i++)
        if (!read_pixel (r, cp, &palette[i]))
          return FALSE;
    }
  if (type <= 16)
    {
      guint bits = n_colours == 2 ? 1 : n_colours <= 4 ? 2 : 4;
      guint row_bytes = (w * bits + 7) / 8;

      for (guint j = 0; j < h; j++)
        {
          const guint8 *row;
          if (!read_bytes (r, row_bytes, &row))
            return FALSE;
          for (guint i = 0; i < w; i++)
            {
              guint bit = i * bits;
              guint index = (row[bit / 8] >> (8 - bits - bit % 8)) & ((1u << bits) - 1);
              if (index >= n_colours)
                DECODE_FAIL ("tile %u,%u: packed index %u of %u", x, y, index, n_colours);
              dst[(gsize) (y + j) * stride + x + i] = palette[index];
            }
        }
      return TRUE;
    }
  /* Runs, going on from one row to the next. */
  for (gsize done = 0; done < n;)
    {
      guint32 v;
      gsize length = 1;

      if (type == 128)
        {
          if (!read_pixel (r, cp, &v) || !read_run_length (r, &length))
            return FALSE;
        }
      else
        {
          guint b;
          if (!read_u8 (r, &b))
            return FALSE;
          if ((b & 0x7f) >= n_colours)
            DECODE_FAIL ("tile %u,%u: palette index %u of %u", x, y, b & 0x7f, n_colours);
          v = palette[b & 0x7f];
          if ((b & 0x80) && !read_run_length (r, &length))
            return FALSE;
        }
      if (done + length > n)
        DECODE_FAIL ("tile %u,%u: run of %" G_GSIZE_FORMAT " past the end", x, y, length);
      for (gsize k = done; k < done + length; k++)
        dst[(gsize) (y + k / w) * stride + x + k % w] = v;
      done += length;
    }
  return TRUE;
}

static gboolean
decode_rle_tiles (Reader *r, const PixelSpec *cp, guint tile, guint w, guint h, guint32 *dst,
                  DecodeInfo *info)
{
  for (guint ty = 0; ty < h; ty += tile)
    for (guint tx = 0; tx < w; tx += tile)
      {
        const guint8 *start = r->p;
        guint subencoding;
        if (!decode_rle_tile (r, cp, dst, w, tx, ty, MIN (tile, w - tx), MIN (tile, h - ty), &subencoding))
          return FALSE;
        if (info->n_tiles < MAX_TILES)
          {
            info->subencodings[info->n_tiles] = subencoding;
            info->tile_sizes[info->n_tiles] = (gsize) (r->p - start);
            info->n_tiles++;
          }
      }
  return TRUE;
}

static gboolean
decode_zrle (Reader *r, const RfbPixelFormat *f, guint w, guint h, guint32 *dst, z_stream *zs,
             DecodeInfo *info)
{
  PixelSpec cp = cpixel_spec (f);
  guint32 length;
  const guint8 *payload;
  gsize capacity = (gsize) w * h * 4 + 1024;
  g_autofree guint8 *data = g_malloc (capacity);
  Reader tiles;
  int result;

  if (!read_u32 (r, &length) || !read_bytes (r, length, &payload))
    return FALSE;
  zs->next_in = (Bytef *) payload;
  zs->avail_in = length;
  zs->next_out = data;
  zs->avail_out = (uInt) capacity;
  result = inflate (zs, Z_SYNC_FLUSH);
  if (result != Z_OK)
    DECODE_FAIL ("inflate: %d (%s)", result, zs->msg ? zs->msg : "no message");
  if (zs->avail_in != 0)
    DECODE_FAIL ("inflate left %u bytes", zs->avail_in);
  info->data_size = capacity - zs->avail_out;
  tiles.p = data;
  tiles.end = data + info->data_size;
  if (!decode_rle_tiles (&tiles, &cp, 64, w, h, dst, info))
    return FALSE;
  if (tiles.p != tiles.end)
    DECODE_FAIL ("%" G_GSIZE_FORMAT " bytes after the last tile", (gsize) (tiles.end - tiles.p));
  return TRUE;
}

/* Decodes one whole rectangle (header included) into @dst, packed. */
static gboolean
decode (const GByteArray *bytes, const RfbPixelFormat *f, const cairo_rectangle_int_t *rect,
        guint32 *dst, z_stream *zs, DecodeInfo *info)
{
  Reader r = { bytes->data, bytes->data + bytes->len };
  guint w = (guint) rect->width, h = (guint) rect->height;
  gboolean ok;

  memset (info, 0, sizeof *info);
  decode_error[0] = '\0';
  if (!read_rect_header (&r, rect, info))
    return FALSE;
  switch (info->encoding)
    {
    case RFB_ENCODING_RAW:
      ok = decode_raw (&r, f, w, h, dst);
      break;
    case RFB_ENCODING_RRE:
      ok = decode_rre (&r, f, w, h, dst, info);
      break;
    case RFB_ENCODING_HEXTILE:
      ok = decode_hextile (&r, f, w, h, dst, info);
      break;
    case RFB_ENCODING_TRLE:
      {
        PixelSpec cp = cpixel_spec (f);
        ok = decode_rle_tiles (&r, &cp, 16, w, h, dst, info);
      }
      break;
    case RFB_ENCODING_ZRLE:
      ok = zs != NULL && decode_zrle (&r, f, w, h, dst, zs, info);
      break;
    default:
      DECODE_FAIL ("encoding %d", info->encoding);
    }
  if (!ok)
    return FALSE;
  if (r.p != r.end)
    DECODE_FAIL ("%" G_GSIZE_FORMAT " bytes after the rectangle", (gsize) (r.end - r.p));
  return TRUE;
}

/* A viewer's ZRLE stream: the two-byte header client.c sends first. */
static void
zrle_stream_init (z_stream *zs)
{
  static const guint8 header[2] = { 0x78, 0x01 };
  guint8 out[1];

  memset (zs, 0, sizeof *zs);
  ck_assert_int_eq (inflateInit (zs), Z_OK);
  zs->next_in = (Bytef *) header;
  zs->avail_in = 2;
  zs->next_out = out;
  zs->avail_out = sizeof out;
  ck_assert_int_eq (inflate (zs, Z_SYNC_FLUSH), Z_OK);
  ck_assert_uint_eq (zs->avail_in, 0);
}

/* ---- The smallest TRLE/ZRLE tile, computed naively ---- */

static gsize
smallest_rle_tile (const guint32 *values, guint stride, guint w, guint h, guint bpc)
{
  guint32 palette[128];
  guint n_colours = 0;
  gsize n = (gsize) w * h, runs = 0, plain, palette_rle = 0, best;
  guint32 prev = 0;
  gsize run = 0;

  for (gsize k = 0; k < n; k++)
    {
      guint32 v = values[(gsize) (k / w) * stride + k % w];
      guint i;
      for (i = 0; i < n_colours && palette[i] != v; i++)
        ;
      if (i == n_colours && n_colours < 128)
        palette[n_colours++] = v;
      if (k > 0 && v == prev)
        {
          run++;
          continue;
        }
      if (k > 0)
        {
          runs++;
          palette_rle += run == 1 ? 1 : 2 + (run - 1) / 255;
        }
      prev = v;
      run = 1;
    }
  runs++;
  palette_rle += run == 1 ? 1 : 2 + (run - 1) / 255;

  if (n_colours == 1)
    return 1 + bpc;
  best = 1 + n * bpc;
  /* Plain RLE: a CPIXEL and the length bytes of each run. */
  plain = 1;
  {
    gsize k = 0;
    while (k < n)
      {
        guint32 v = values[(gsize) (k / w) * stride + k % w];
        gsize j = k + 1;
        while (j < n && values[(gsize) (j / w) * stride + j % w] == v)
          j++;
        plain += bpc + 1 + (j - k - 1) / 255;
        k = j;
      }
  }
  best = MIN (best, plain);
  if (n_colours <= 127)
    best = MIN (best, 1 + n_colours * bpc + palette_rle);
  if (n_colours <= 16)
    {
      guint bits = n_colours == 2 ? 1 : n_colours <= 4 ? 2 : 4;
      best = MIN (best, 1 + n_colours * bpc + (gsize) ((w * bits + 7) / 8) * h);
    }
  return best;
}

static void
assert_rle_tiles_smallest (const DecodeInfo *info, const guint32 *expected, guint tile, guint w,
                           guint h, guint bpc, const char *what)
{
  guint i = 0;

  for (guint ty = 0; ty < h; ty += tile)
    for (guint tx = 0; tx < w; tx += tile, i++)
      {
        gsize best = smallest_rle_tile (expected + (gsize) ty * w + tx, w, MIN (tile, w - tx),
                                        MIN (tile, h - ty), bpc);
        ck_assert_msg (info->tile_sizes[i] == best,
                       "%s: tile %u,%u is %" G_GSIZE_FORMAT " bytes (subencoding %u), the smallest is %"
                       G_GSIZE_FORMAT, what, tx, ty, info->tile_sizes[i], info->subencodings[i], best);
      }
  ck_assert_uint_eq (i, info->n_tiles);
}

/* ---- Round trips ---- */

static const gint32 rle_encodings[] = {
  RFB_ENCODING_RRE, RFB_ENCODING_HEXTILE, RFB_ENCODING_TRLE, RFB_ENCODING_ZRLE,
};

/* Encodes, decodes and compares with Raw; returns what the decoder saw. */
static void
round_trip (gint32 encoding, const NamedFormat *nf, const TestFrame *tf, z_stream *zs, DecodeInfo *info,
            const char *what)
{
  const RfbPixelFormat *f = &nf->format;
  gsize n = (gsize) tf->rect.width * (gsize) tf->rect.height;
  g_autoptr (GByteArray) raw = encode (RFB_ENCODING_RAW, f, tf, 0);
  g_autoptr (GByteArray) bytes = encode (encoding, f, tf, 6);
  g_autofree guint32 *expected = g_new0 (guint32, MAX (n, 1));
  g_autofree guint32 *got = g_new0 (guint32, MAX (n, 1));
  DecodeInfo raw_info;

  ck_assert_msg (decode (raw, f, &tf->rect, expected, NULL, &raw_info), "%s: Raw: %s", what, decode_error);
  ck_assert_msg (decode (bytes, f, &tf->rect, got, zs, info), "%s: %s", what, decode_error);
  for (gsize i = 0; i < n; i++)
    ck_assert_msg (got[i] == expected[i], "%s: pixel %" G_GSIZE_FORMAT ",%" G_GSIZE_FORMAT
                   " is 0x%08x, Raw says 0x%08x", what, i % (gsize) tf->rect.width,
                   i / (gsize) tf->rect.width, got[i], expected[i]);

  /* Only RRE gives up on itself (it has no raw subencoding). */
  ck_assert_msg (info->encoding == encoding || (encoding == RFB_ENCODING_RRE && info->encoding == RFB_ENCODING_RAW),
                 "%s: encoding %d", what, info->encoding);

  if (encoding == RFB_ENCODING_TRLE || encoding == RFB_ENCODING_ZRLE)
    assert_rle_tiles_smallest (info, expected, encoding == RFB_ENCODING_TRLE ? 16 : 64,
                               (guint) tf->rect.width, (guint) tf->rect.height, cpixel_spec (f).bytes, what);
  if (encoding == RFB_ENCODING_HEXTILE)
    {
      guint i = 0;
      for (int y = 0; y < tf->rect.height; y += 16)
        for (int x = 0; x < tf->rect.width; x += 16, i++)
          {
            gsize pixels = (gsize) MIN (16, tf->rect.width - x) * (gsize) MIN (16, tf->rect.height - y);
            ck_assert_msg (info->tile_sizes[i] <= 1 + pixels * pixfmt_bytes_per_pixel (f),
                           "%s: subtile %d,%d is bigger than raw", what, x, y);
          }
      ck_assert_uint_eq (i, info->n_tiles);
    }
  if (encoding == RFB_ENCODING_RRE && info->encoding == RFB_ENCODING_RRE)
    ck_assert_msg (bytes->len - 12 <= n * pixfmt_bytes_per_pixel (f),
                   "%s: RRE of %u bytes is bigger than raw", what, bytes->len - 12);
}

START_TEST (test_enc_rle_every_encoder_decodes_to_raw)
{
  const NamedFormat *nf = &formats[_i];
  guint seed = 1000 + (guint) _i * 100;

  for (guint e = 0; e < G_N_ELEMENTS (rle_encodings); e++)
    {
      z_stream zs;

      /* One stream for all the ZRLE rectangles, as a viewer has. */
      zrle_stream_init (&zs);
      for (guint p = 0; p < N_PATTERNS; p++)
        for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
          {
            TestFrame tf;
            DecodeInfo info;
            g_autofree char *what = g_strdup_printf ("%s, %s, %s %dx%d", encoder_name (rle_encodings[e]),
                                                     nf->name, pattern_names[p], sizes[s].width,
                                                     sizes[s].height);

            make_frame (&tf, (Pattern) p, sizes[s].width, sizes[s].height, seed++);
            round_trip (rle_encodings[e], nf, &tf, &zs, &info, what);
            test_frame_clear (&tf);
          }
      inflateEnd (&zs);
    }
}
END_TEST

/* ---- Sizes of solid and palette tiles ---- */

START_TEST (test_enc_rle_solid_tiles_are_single_fills)
{
  const NamedFormat *nf = &formats[_i];
  const RfbPixelFormat *f = &nf->format;
  guint bpp = pixfmt_bytes_per_pixel (f), bpc = cpixel_spec (f).bytes;
  TestFrame tf;
  z_stream zs;
  DecodeInfo info;

  make_frame (&tf, PATTERN_SOLID, 64, 64, 7);
  zrle_stream_init (&zs);

  {
    g_autoptr (GByteArray) rre = encode (RFB_ENCODING_RRE, f, &tf, 6);
    /* Header, count 0, background. */
    ck_assert_uint_eq (rre->len, 12 + 4 + bpp);
    ck_assert_uint_eq (rfb_get_u32 (rre->data + 12), 0);
  }
  {
    g_autoptr (GByteArray) hextile = encode (RFB_ENCODING_HEXTILE, f, &tf, 6);
    /* The first subtile gives the background, the other 15 carry it over. */
    ck_assert_uint_eq (hextile->len, 12 + 1 + bpp + 15);
    ck_assert_uint_eq (hextile->data[12], HEX_BG);
    for (guint i = 1; i < 16; i++)
      ck_assert_uint_eq (hextile->data[12 + bpp + i], 0);
  }
  {
    g_autoptr (GByteArray) trle = encode (RFB_ENCODING_TRLE, f, &tf, 6);
    ck_assert_uint_eq (trle->len, 12 + 16 * (1 + bpc));
    for (guint i = 0; i < 16; i++)
      ck_assert_uint_eq (trle->data[12 + i * (1 + bpc)], 1);
  }
  {
    g_autoptr (GByteArray) zrle = encode (RFB_ENCODING_ZRLE, f, &tf, 6);
    ck_assert_msg (decode (zrle, f, &tf.rect, g_alloca (64 * 64 * 4), &zs, &info), "%s", decode_error);
    ck_assert_uint_eq (info.n_tiles, 1);
    ck_assert_uint_eq (info.subencodings[0], 1);
    ck_assert_uint_eq (info.data_size, 1 + bpc);
    ck_assert_uint_le (info.data_size, 12);
    /* Compressed, with the length: still a few bytes. */
    ck_assert_uint_le (zrle->len, 12 + 4 + 16);
  }

  inflateEnd (&zs);
  test_frame_clear (&tf);
}
END_TEST

/* Draws @pattern in a 64×64 frame and returns its ZRLE subencoding. */
static guint
zrle_subencoding_of (const RfbPixelFormat *f, TestFrame *tf)
{
  g_autoptr (GByteArray) zrle = encode (RFB_ENCODING_ZRLE, f, tf, 6);
  g_autofree guint32 *got = g_new (guint32, (gsize) tf->rect.width * tf->rect.height);
  DecodeInfo info;
  z_stream zs;

  zrle_stream_init (&zs);
  ck_assert_msg (decode (zrle, f, &tf->rect, got, &zs, &info), "%s", decode_error);
  inflateEnd (&zs);
  ck_assert_uint_eq (info.n_tiles, 1);
  return info.subencodings[0];
}

/* Sets tf's rectangle pixel (x, y). */
static void
put (TestFrame *tf, int x, int y, guint32 rgb)
{
  guint32 *row = (guint32 *) (void *) ((guint8 *) tf->frame.pixels + (gsize) (tf->rect.y + y) * tf->frame.stride);
  row[tf->rect.x + x] = rgb;
}

START_TEST (test_enc_rle_palette_tiles_take_cheapest_subencoding)
{
  const RfbPixelFormat *f = &formats[0].format;   /* rgb888, 3-byte CPIXEL */
  static const guint32 colours[20] = {
    0x000000, 0xffffff, 0xff0000, 0x00ff00, 0x0000ff, 0xffff00, 0xff00ff, 0x00ffff, 0x800000, 0x008000,
    0x000080, 0x808000, 0x800080, 0x008080, 0x808080, 0x404040, 0xc0c0c0, 0x400000, 0x004000, 0x000040,
  };
  GRand *rand = g_rand_new_with_seed (42);
  TestFrame tf;

  make_frame (&tf, PATTERN_SOLID, 64, 64, 1);

  /* Two colours at random: 1-bit packed (1 + 6 + 512 bytes). */
  for (int y = 0; y < 64; y++)
    for (int x = 0; x < 64; x++)
      put (&tf, x, y, colours[g_rand_int_range (rand, 0, 2)]);
  ck_assert_uint_eq (zrle_subencoding_of (f, &tf), 2);

  /* Three and four colours at random: 2-bit packed. */
  for (int y = 0; y < 64; y++)
    for (int x = 0; x < 64; x++)
      put (&tf, x, y, colours[g_rand_int_range (rand, 0, 3)]);
  ck_assert_uint_eq (zrle_subencoding_of (f, &tf), 3);

  /* Sixteen colours at random: 4-bit packed. */
  for (int y = 0; y < 64; y++)
    for (int x = 0; x < 64; x++)
      put (&tf, x, y, colours[g_rand_int_range (rand, 0, 16)]);
  ck_assert_uint_eq (zrle_subencoding_of (f, &tf), 16);

  /* Two halves: plain RLE (two runs cost less than a palette). */
  for (int y = 0; y < 64; y++)
    for (int x = 0; x < 64; x++)
      put (&tf, x, y, colours[y < 32 ? 0 : 1]);
  ck_assert_uint_eq (zrle_subencoding_of (f, &tf), 128);

  /* Eight stripes of two colours: palette RLE. */
  for (int y = 0; y < 64; y++)
    for (int x = 0; x < 64; x++)
      put (&tf, x, y, colours[(y / 8) % 2]);
  ck_assert_uint_eq (zrle_subencoding_of (f, &tf), 128 + 2);

  /* Twenty colours in bands of rows: palette RLE of 20. */
  for (int y = 0; y < 64; y++)
    for (int x = 0; x < 64; x++)
      put (&tf, x, y, colours[y % 20]);
  ck_assert_uint_eq (zrle_subencoding_of (f, &tf), 128 + 20);

  /* 192 colours in runs of 21 or 22: too many for a palette, plain RLE. */
  for (int y = 0; y < 64; y++)
    for (int x = 0; x < 64; x++)
      put (&tf, x, y, (guint32) (y * 3 + x / 22) * 0x010203u);
  ck_assert_uint_eq (zrle_subencoding_of (f, &tf), 128);

  /* Noise: raw. */
  for (int y = 0; y < 64; y++)
    for (int x = 0; x < 64; x++)
      put (&tf, x, y, random_rgb (rand));
  ck_assert_uint_eq (zrle_subencoding_of (f, &tf), 0);

  test_frame_clear (&tf);
  g_rand_free (rand);
}
END_TEST

START_TEST (test_enc_rle_trle_tiles_are_sixteen_square)
{
  const RfbPixelFormat *f = &formats[7].format;   /* rgb565 */
  TestFrame tf;
  g_autoptr (GByteArray) trle = NULL;
  DecodeInfo info;
  guint32 got[100 * 70];

  make_frame (&tf, PATTERN_TEXT, 100, 70, 3);
  trle = encode (RFB_ENCODING_TRLE, f, &tf, 6);
  ck_assert_msg (decode (trle, f, &tf.rect, got, NULL, &info), "%s", decode_error);
  /* 7 columns (the last 4 wide) by 5 rows (the last 6 high). */
  ck_assert_uint_eq (info.n_tiles, 7 * 5);
  test_frame_clear (&tf);
}
END_TEST

START_TEST (test_enc_rle_hextile_uses_one_foreground_and_carries_it)
{
  const RfbPixelFormat *f = &formats[7].format;   /* rgb565 */
  guint bpp = 2;
  TestFrame tf;
  g_autoptr (GByteArray) hextile = NULL;
  DecodeInfo info;
  guint32 got[32 * 16];

  /* Two subtiles, each white with the same black 3×2 block. */
  make_frame (&tf, PATTERN_SOLID, 32, 16, 5);
  for (int y = 0; y < 16; y++)
    for (int x = 0; x < 32; x++)
      put (&tf, x, y, 0xffffff);
  for (int y = 4; y < 6; y++)
    for (int x = 5; x < 8; x++)
      {
        put (&tf, x, y, 0);
        put (&tf, 16 + x, y, 0);
      }
  hextile = encode (RFB_ENCODING_HEXTILE, f, &tf, 6);
  ck_assert_msg (decode (hextile, f, &tf.rect, got, NULL, &info), "%s", decode_error);
  ck_assert_uint_eq (info.n_tiles, 2);
  ck_assert_uint_eq (info.subencodings[0], HEX_BG | HEX_FG | HEX_ANY);
  ck_assert_uint_eq (info.subencodings[1], HEX_ANY);
  ck_assert_uint_eq (info.n_subrects, 2);
  ck_assert_uint_eq (hextile->len, 12 + (1 + 2 * bpp + 1 + 2) + (1 + 1 + 2));
  /* Subrect: x 5, y 4, 3 wide, 2 high. */
  ck_assert_uint_eq (hextile->data[12 + 1 + 2 * bpp + 1], 0x54);
  ck_assert_uint_eq (hextile->data[12 + 1 + 2 * bpp + 2], 0x21);
  test_frame_clear (&tf);
}
END_TEST

START_TEST (test_enc_rle_hextile_sends_noise_raw)
{
  const RfbPixelFormat *f = &formats[0].format;
  TestFrame tf;
  g_autoptr (GByteArray) hextile = NULL;
  DecodeInfo info;
  guint32 got[64 * 64];

  make_frame (&tf, PATTERN_NOISE, 64, 64, 9);
  hextile = encode (RFB_ENCODING_HEXTILE, f, &tf, 6);
  ck_assert_msg (decode (hextile, f, &tf.rect, got, NULL, &info), "%s", decode_error);
  for (guint i = 0; i < info.n_tiles; i++)
    ck_assert_uint_eq (info.subencodings[i], HEX_RAW);
  ck_assert_uint_eq (hextile->len, 12 + 16 * (1 + 256 * 4));
  test_frame_clear (&tf);
}
END_TEST

START_TEST (test_enc_rle_rre_covers_a_rectangle_with_one_subrect)
{
  const RfbPixelFormat *f = &formats[9].format;   /* bgr233 */
  TestFrame tf;
  g_autoptr (GByteArray) rre = NULL;
  DecodeInfo info;
  guint32 got[64 * 64];

  make_frame (&tf, PATTERN_SOLID, 64, 64, 11);
  for (int y = 0; y < 64; y++)
    for (int x = 0; x < 64; x++)
      put (&tf, x, y, x >= 10 && x < 40 && y >= 20 && y < 23 ? 0xff0000 : 0x0000ff);
  rre = encode (RFB_ENCODING_RRE, f, &tf, 6);
  ck_assert_msg (decode (rre, f, &tf.rect, got, NULL, &info), "%s", decode_error);
  ck_assert_int_eq (info.encoding, RFB_ENCODING_RRE);
  ck_assert_uint_eq (info.n_subrects, 1);
  ck_assert_uint_eq (rre->len, 12 + 4 + 1 + (1 + 8));
  ck_assert_uint_eq (rfb_get_u16 (rre->data + 12 + 4 + 1 + 1), 10);
  ck_assert_uint_eq (rfb_get_u16 (rre->data + 12 + 4 + 1 + 3), 20);
  ck_assert_uint_eq (rfb_get_u16 (rre->data + 12 + 4 + 1 + 5), 30);
  ck_assert_uint_eq (rfb_get_u16 (rre->data + 12 + 4 + 1 + 7), 3);
  test_frame_clear (&tf);
}
END_TEST

START_TEST (test_enc_rle_rre_sends_noise_as_raw)
{
  const RfbPixelFormat *f = &formats[0].format;
  TestFrame tf;
  g_autoptr (GByteArray) rre = NULL;
  g_autoptr (GByteArray) raw = NULL;

  make_frame (&tf, PATTERN_NOISE, 64, 64, 13);
  rre = encode (RFB_ENCODING_RRE, f, &tf, 6);
  raw = encode (RFB_ENCODING_RAW, f, &tf, 6);
  ck_assert_uint_eq (rre->len, raw->len);
  ck_assert_mem_eq (rre->data, raw->data, raw->len);
  test_frame_clear (&tf);
}
END_TEST

/* ---- CPIXEL bytes ---- */

typedef struct {
  RfbPixelFormat format;
  guint8 bytes[4];
  guint n_bytes;
} CpixelCase;

START_TEST (test_enc_rle_cpixel_bytes_follow_the_spec)
{
  /* The colour 0x123456 (r 0x12, g 0x34, b 0x56), solid, as TRLE. */
  static const CpixelCase cases[] = {
    /* Colour in the low three bytes: those, in the format's order. */
    { FORMAT (32, 24, FALSE, 255, 255, 255, 16, 8, 0), { 0x56, 0x34, 0x12 }, 3 },
    { FORMAT (32, 24, TRUE, 255, 255, 255, 16, 8, 0), { 0x12, 0x34, 0x56 }, 3 },
    { FORMAT (32, 24, TRUE, 255, 255, 255, 0, 8, 16), { 0x56, 0x34, 0x12 }, 3 },
    /* Colour in the high three bytes: those. */
    { FORMAT (32, 24, FALSE, 255, 255, 255, 24, 16, 8), { 0x56, 0x34, 0x12 }, 3 },
    { FORMAT (32, 24, TRUE, 255, 255, 255, 24, 16, 8), { 0x12, 0x34, 0x56 }, 3 },
    /* Depth 32: a whole PIXEL. */
    { FORMAT (32, 32, FALSE, 255, 255, 255, 16, 8, 0), { 0x56, 0x34, 0x12, 0x00 }, 4 },
    { FORMAT (32, 32, TRUE, 255, 255, 255, 16, 8, 0), { 0x00, 0x12, 0x34, 0x56 }, 4 },
    /* Depth 16 in the middle two bytes: both fit, the low three by convention. */
    { FORMAT (32, 16, FALSE, 31, 63, 31, 19, 13, 8), { 0x00, 0xaa, 0x11 }, 3 },
    { FORMAT (32, 16, TRUE, 31, 63, 31, 19, 13, 8), { 0x11, 0xaa, 0x00 }, 3 },
    /* 16 and 8 bpp: the PIXEL. */
    { FORMAT (16, 16, FALSE, 31, 63, 31, 11, 5, 0), { 0xaa, 0x11 }, 2 },
    { FORMAT (16, 16, TRUE, 31, 63, 31, 11, 5, 0), { 0x11, 0xaa }, 2 },
    { FORMAT (8, 8, FALSE, 7, 7, 3, 5, 2, 0), { 0x05 }, 1 },
  };
  const CpixelCase *c = &cases[_i];
  TestFrame tf;
  g_autoptr (GByteArray) trle = NULL;
  g_autoptr (GByteArray) rre = NULL;

  make_frame (&tf, PATTERN_SOLID, 4, 4, 1);
  for (int y = 0; y < 4; y++)
    for (int x = 0; x < 4; x++)
      put (&tf, x, y, 0xff123456);
  trle = encode (RFB_ENCODING_TRLE, &c->format, &tf, 6);
  ck_assert_uint_eq (trle->len, 12 + 1 + c->n_bytes);
  ck_assert_uint_eq (trle->data[12], 1);
  ck_assert_mem_eq (trle->data + 13, c->bytes, c->n_bytes);
  /* RRE's PIXEL is always whole. */
  rre = encode (RFB_ENCODING_RRE, &c->format, &tf, 6);
  ck_assert_uint_eq (rre->len, 12 + 4 + pixfmt_bytes_per_pixel (&c->format));
  test_frame_clear (&tf);
}
END_TEST

/* ---- ZRLE and the zlib stream ---- */

START_TEST (test_enc_rle_zrle_is_the_same_every_time)
{
  const RfbPixelFormat *f = &formats[0].format;
  TestFrame a, b;

  make_frame (&a, PATTERN_PHOTO, 64, 64, 21);
  make_frame (&b, PATTERN_TEXT, 64, 64, 22);
  {
    /* Another rectangle goes through the thread's compressor in between:
     * no history may leak from it into the next. */
    g_autoptr (GByteArray) first = encode (RFB_ENCODING_ZRLE, f, &a, 6);
    g_autoptr (GByteArray) other = encode (RFB_ENCODING_ZRLE, f, &b, 6);
    g_autoptr (GByteArray) again = encode (RFB_ENCODING_ZRLE, f, &a, 6);

    ck_assert_uint_gt (other->len, 16);
    ck_assert_uint_eq (first->len, again->len);
    ck_assert_mem_eq (first->data, again->data, first->len);
  }
  test_frame_clear (&a);
  test_frame_clear (&b);
}
END_TEST

START_TEST (test_enc_rle_zrle_rectangles_continue_one_stream_at_any_level)
{
  const RfbPixelFormat *f = &formats[_i % G_N_ELEMENTS (formats)].format;
  z_stream zs;
  guint32 got[130 * 130];
  guint32 expected[130 * 130];

  zrle_stream_init (&zs);
  for (int level = 0; level <= 9; level++)
    {
      TestFrame tf;
      DecodeInfo info, raw_info;
      g_autoptr (GByteArray) zrle = NULL;
      g_autoptr (GByteArray) raw = NULL;

      /* Bigger than a tile: 3×3 ZRLE tiles in one rectangle. */
      make_frame (&tf, (Pattern) (level % N_PATTERNS), 130, 130, 30 + (guint) level);
      zrle = encode (RFB_ENCODING_ZRLE, f, &tf, level);
      raw = encode (RFB_ENCODING_RAW, f, &tf, level);
      ck_assert_msg (decode (raw, f, &tf.rect, expected, NULL, &raw_info), "%s", decode_error);
      ck_assert_msg (decode (zrle, f, &tf.rect, got, &zs, &info), "level %d: %s", level, decode_error);
      ck_assert_uint_eq (info.n_tiles, 9);
      ck_assert_mem_eq (got, expected, sizeof got);
      ck_assert_uint_eq (rfb_get_u32 (zrle->data + 12), zrle->len - 16);
      test_frame_clear (&tf);
    }
  inflateEnd (&zs);
}
END_TEST

/* ---- The encoder table ---- */

START_TEST (test_enc_rle_encoders_are_registered)
{
  guint n_rects;
  static const struct {
    gint32 encoding;
    const char *name;
    gboolean compress_level;
    gboolean zlib_stream;
  } expected[] = {
    { RFB_ENCODING_RRE, "RRE", FALSE, FALSE },
    { RFB_ENCODING_HEXTILE, "Hextile", FALSE, FALSE },
    { RFB_ENCODING_TRLE, "TRLE", FALSE, FALSE },
    { RFB_ENCODING_ZRLE, "ZRLE", TRUE, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      EncoderParams params;
      TestFrame tf;
      g_autoptr (PixfmtConverter) converter = pixfmt_converter_new (&formats[0].format);
      EncoderInput input;
      g_autoptr (GBytes) bytes = NULL;

      ck_assert (encoder_is_supported (expected[i].encoding));
      ck_assert_str_eq (encoder_name (expected[i].encoding), expected[i].name);
      ck_assert ((encoder_zlib_stream (expected[i].encoding) >= 0) == expected[i].zlib_stream);

      memset (&params, 0, sizeof params);
      params.encoding = expected[i].encoding;
      params.compress_level = 5;
      params.quality_level = 7;
      params.fine_quality = 80;
      params.subsampling = 1;
      pixfmt_key (&formats[0].format, &params.format);
      encoder_normalize_params (&params);
      ck_assert_int_eq (params.compress_level, expected[i].compress_level ? 5 : -1);
      ck_assert_int_eq (params.quality_level, -1);
      ck_assert_int_eq (params.fine_quality, -1);
      ck_assert_int_eq (params.subsampling, -1);

      /* Through the table too. */
      make_frame (&tf, PATTERN_TEXT, 64, 64, 50);
      input = (EncoderInput) { &tf.frame, tf.rect, converter, &params };
      bytes = encoder_encode (&input, &n_rects);
      ck_assert_uint_eq (n_rects, 1);
      ck_assert_uint_ge (g_bytes_get_size (bytes), 12);
      ck_assert_int_eq ((gint32) rfb_get_u32 ((const guint8 *) g_bytes_get_data (bytes, NULL) + 8),
                        expected[i].encoding);
      test_frame_clear (&tf);
    }
}
END_TEST

/* ---- Compression figures ---- */

START_TEST (test_enc_rle_compression_beats_raw_where_it_should)
{
  static const Pattern kinds[] = { PATTERN_SOLID, PATTERN_TEXT, PATTERN_PHOTO, PATTERN_NOISE };
  static const char *const kind_names[] = { "solid", "text", "photo", "noise" };
  const RfbPixelFormat *f = &formats[0].format;
  gboolean verbose = g_getenv ("ENC_RLE_FIGURES") != NULL;

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      TestFrame tf;
      gsize raw_len;

      make_frame (&tf, kinds[k], 64, 64, 60 + k);
      {
        g_autoptr (GByteArray) raw = encode (RFB_ENCODING_RAW, f, &tf, 6);
        raw_len = raw->len;
      }
      for (guint e = 0; e < G_N_ELEMENTS (rle_encodings); e++)
        {
          g_autoptr (GByteArray) bytes = encode (rle_encodings[e], f, &tf, 6);
          if (verbose)
            g_printerr ("%-8s %-6s %6u bytes (raw %" G_GSIZE_FORMAT ")\n", encoder_name (rle_encodings[e]),
                        kind_names[k], bytes->len, raw_len);
          /* Never more than raw plus the per-subtile bytes. */
          ck_assert_uint_le (bytes->len, raw_len + 16 + 4);
          if (kinds[k] == PATTERN_SOLID)
            ck_assert_uint_le (bytes->len, 12 + 1 + 4 + 15 + 16 * 3);
          if (kinds[k] == PATTERN_TEXT)
            ck_assert_uint_le (bytes->len, raw_len / 2);
        }
      test_frame_clear (&tf);
    }
}
END_TEST

static Suite *
enc_rle_suite (void)
{
  Suite *suite = suite_create ("enc-rle");
  TCase *tc;

  tc = tcase_create ("round trips");
  tcase_set_timeout (tc, 60);
  tcase_add_loop_test (tc, test_enc_rle_every_encoder_decodes_to_raw, 0, G_N_ELEMENTS (formats));
  tcase_add_loop_test (tc, test_enc_rle_zrle_rectangles_continue_one_stream_at_any_level, 0,
                       G_N_ELEMENTS (formats));
  tcase_add_test (tc, test_enc_rle_zrle_is_the_same_every_time);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("choices");
  tcase_add_loop_test (tc, test_enc_rle_solid_tiles_are_single_fills, 0, G_N_ELEMENTS (formats));
  tcase_add_test (tc, test_enc_rle_palette_tiles_take_cheapest_subencoding);
  tcase_add_test (tc, test_enc_rle_trle_tiles_are_sixteen_square);
  tcase_add_test (tc, test_enc_rle_hextile_uses_one_foreground_and_carries_it);
  tcase_add_test (tc, test_enc_rle_hextile_sends_noise_raw);
  tcase_add_test (tc, test_enc_rle_rre_covers_a_rectangle_with_one_subrect);
  tcase_add_test (tc, test_enc_rle_rre_sends_noise_as_raw);
  tcase_add_test (tc, test_enc_rle_compression_beats_raw_where_it_should);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("wire");
  tcase_add_loop_test (tc, test_enc_rle_cpixel_bytes_follow_the_spec, 0, 12);
  tcase_add_test (tc, test_enc_rle_encoders_are_registered);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return checkutil_run (enc_rle_suite ());
}
