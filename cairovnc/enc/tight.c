/* tight.c — Tight encoding (rfbproto.rst "Tight Encoding"), and the tile
 * analysis TightPNG shares.
 *
 * Each rectangle gets the cheapest of: FillCompression for one colour; a
 * palette (1 bit per pixel for two colours, a byte for up to 256) when it
 * is smaller than the pixels; JPEG for photo-like tiles when the viewer
 * sent a quality level; the gradient filter for smooth tiles when the
 * viewer wants lossless; otherwise the pixels as they are. Compressed data
 * always comes from a fresh zlib stream (DEFLATE_ZLIB) and the rectangle
 * sets the reset bit of the stream it uses, so the bytes are right for
 * every viewer whatever it received before, and can be cached and shared
 * (DESIGN.md "Stateless compressed streams").
 *
 * Pixels are analysed in a thread-local buffer: one pass converts them to
 * values, one counts colours with a small open-addressing table that is
 * never cleared (a stamp per tile marks live slots) and skips runs of the
 * same colour. Runs on encoder threads.
 */
#include "tight.h"

#include <string.h>

#include "../rfb.h"
#include "deflate.h"
#include "jpeg.h"

/* Streams by use; each rectangle resets the one it uses, so the choice
 * only follows custom (zlib keeps no history across rectangles here). */
#define STREAM_COPY 0
#define STREAM_PALETTE 1
#define STREAM_GRADIENT 2

/* JPEG's headers (quantisation and Huffman tables) cost about 600 bytes;
 * below 16×16 pixels lossless is smaller. */
#define JPEG_MIN_PIXELS 256

/* The gradient filter pays on smooth content: when the mean prediction
 * error, per channel on an 8-bit scale, is below this. Noise is near 64,
 * photographs and gradients a few units. */
#define GRADIENT_MAX_MEAN_ERROR 12

#define HASH_BITS 10
#define HASH_SIZE (1 << HASH_BITS)

typedef struct {
  TightTile tile;
  guint capacity;           /* pixels the buffers hold */
  guint row_capacity;       /* width the gradient rows hold */
  guint32 stamp;
  guint32 hash_stamp[HASH_SIZE];
  guint32 hash_key[HASH_SIZE];
  guint8 hash_index[HASH_SIZE];
} TightScratch;

static void
tight_scratch_free (gpointer data)
{
  TightScratch *scratch = data;

  g_free (scratch->tile.values);
  g_free (scratch->tile.indices);
  g_free (scratch->tile.data);
  g_free (scratch->tile.rows);
  g_free (scratch);
}

static GPrivate tight_scratch = G_PRIVATE_INIT (tight_scratch_free);

static TightScratch *
get_scratch (guint width, guint n_pixels)
{
  TightScratch *scratch = g_private_get (&tight_scratch);

  if (scratch == NULL)
    {
      scratch = g_new0 (TightScratch, 1);
      g_private_set (&tight_scratch, scratch);
    }
  if (scratch->capacity < n_pixels)
    {
      guint capacity = MAX (n_pixels, TILE_SIZE * TILE_SIZE);

      scratch->tile.values = g_renew (guint32, scratch->tile.values, capacity);
      scratch->tile.indices = g_renew (guint8, scratch->tile.indices, capacity);
      scratch->tile.data = g_renew (guint8, scratch->tile.data, (gsize) capacity * 4);
      scratch->capacity = capacity;
    }
  if (scratch->row_capacity < width)
    {
      guint row_capacity = MAX (width, TILE_SIZE);

      scratch->tile.rows = g_renew (gint16, scratch->tile.rows, (gsize) row_capacity * 6);
      scratch->row_capacity = row_capacity;
    }
  return scratch;
}

static inline guint
hash_value (guint32 v)
{
  return (v * 2654435761u) >> (32 - HASH_BITS);
}

/* Fills tile->palette and tile->indices; stops at more than
 * TIGHT_MAX_COLOURS colours. */
static void
count_colours (TightScratch *scratch)
{
  TightTile *tile = &scratch->tile;
  const guint32 *values = tile->values;
  guint32 stamp, prev;
  guint8 prev_index = 0;
  guint n = 1;

  if (++scratch->stamp == 0)
    {
      memset (scratch->hash_stamp, 0, sizeof scratch->hash_stamp);
      scratch->stamp = 1;
    }
  stamp = scratch->stamp;

  prev = values[0];
  tile->palette[0] = prev;
  tile->indices[0] = 0;
  {
    guint h = hash_value (prev);
    scratch->hash_stamp[h] = stamp;
    scratch->hash_key[h] = prev;
    scratch->hash_index[h] = 0;
  }
  for (guint i = 1; i < tile->n_pixels; i++)
    {
      guint32 v = values[i];
      guint h;

      if (v == prev)
        {
          tile->indices[i] = prev_index;
          continue;
        }
      h = hash_value (v);
      while (scratch->hash_stamp[h] == stamp && scratch->hash_key[h] != v)
        h = (h + 1) & (HASH_SIZE - 1);
      if (scratch->hash_stamp[h] != stamp)
        {
          if (n == TIGHT_MAX_COLOURS)
            {
              n++;
              break;
            }
          scratch->hash_stamp[h] = stamp;
          scratch->hash_key[h] = v;
          scratch->hash_index[h] = (guint8) n;
          tile->palette[n++] = v;
        }
      prev = v;
      prev_index = scratch->hash_index[h];
      tile->indices[i] = prev_index;
    }
  tile->n_colours = n;
}

TightTile *
tight_tile_load (const EncoderInput *input)
{
  const cairo_rectangle_int_t *r = &input->rect;
  const Frame *frame = input->frame;
  guint width = (guint) r->width, height = (guint) r->height;
  TightScratch *scratch = get_scratch (width, width * height);
  TightTile *tile = &scratch->tile;
  const guint32 *src = (const guint32 *) (const void *) ((const guint8 *) frame->pixels +
                                                         (gsize) r->y * frame->stride + (gsize) r->x * 4);

  tile->format = pixfmt_converter_get_format (input->converter);
  tile->width = width;
  tile->height = height;
  tile->n_pixels = width * height;
  tile->rgb24 = pixfmt_has_tight_rgb_pixels (tile->format);
  tile->tpixel_size = tile->rgb24 ? 3 : pixfmt_bytes_per_pixel (tile->format);
  if (tile->rgb24)
    {
      /* 8 bits a channel: the frame's colour is the pixel, whatever the
       * shifts, and TPIXEL does not depend on them. */
      guint32 *dst = tile->values;
      for (guint y = 0; y < height; y++)
        {
          for (guint x = 0; x < width; x++)
            dst[x] = src[x] & 0x00ffffff;
          dst += width;
          src = (const guint32 *) (const void *) ((const guint8 *) src + frame->stride);
        }
    }
  else
    pixfmt_convert_values (input->converter, src, frame->stride, width, height, tile->values);
  if (tile->n_pixels > 0)
    count_colours (scratch);
  else
    tile->n_colours = 0;
  return tile;
}

guint8 *
tight_write_tpixel (const TightTile *tile, guint32 value, guint8 *dst)
{
  if (tile->rgb24)
    {
      dst[0] = (guint8) (value >> 16);
      dst[1] = (guint8) (value >> 8);
      dst[2] = (guint8) value;
      return dst + 3;
    }
  return pixfmt_write_value (tile->format, value, dst);
}

static guint
expand_channel (guint32 value, guint shift, guint max)
{
  return (((value >> shift) & max) * 255 + max / 2) / max;
}

guint32
tight_value_to_rgb (const TightTile *tile, guint32 value)
{
  const RfbPixelFormat *f = tile->format;

  if (tile->rgb24)
    return value;
  return (expand_channel (value, f->red_shift, f->red_max) << 16) |
         (expand_channel (value, f->green_shift, f->green_max) << 8) |
         expand_channel (value, f->blue_shift, f->blue_max);
}

gboolean
tight_palette_pays (const TightTile *tile)
{
  gsize index_bytes, palette_size;

  if (tile->n_colours > TIGHT_MAX_COLOURS)
    return FALSE;
  index_bytes = tile->n_colours <= 2 ? (gsize) tile->height * ((tile->width + 7) / 8) : tile->n_pixels;
  palette_size = 1 + (gsize) tile->n_colours * tile->tpixel_size + index_bytes;
  return palette_size < (gsize) tile->n_pixels * tile->tpixel_size;
}

gboolean
tight_use_jpeg (const TightTile *tile, const EncoderInput *input)
{
  return enc_jpeg_allowed (input->params) && tile->format->bits_per_pixel >= 16 &&
         tile->n_pixels >= JPEG_MIN_PIXELS && enc_jpeg_available () &&
         !tight_palette_pays (tile);
}

void
tight_append_fill (const TightTile *tile, GByteArray *out)
{
  guint8 bytes[1 + 4];

  bytes[0] = TIGHT_FILL;
  g_byte_array_append (out, bytes, (guint) (tight_write_tpixel (tile, tile->palette[0], bytes + 1) - bytes));
}

guint
tight_reserve_length (GByteArray *out)
{
  guint at = out->len;

  g_byte_array_set_size (out, at + 3);
  return at;
}

/* 7 bits a byte, low bits first, the top bit saying "more"; the third
 * byte carries 8 bits (rfbproto.rst "JpegCompression"). */
void
tight_finish_length (GByteArray *out, guint at)
{
  gsize length = out->len - at - 3;
  guint8 bytes[3];
  guint n;

  g_assert (length <= 0x3fffff);
  bytes[0] = length & 0x7f;
  n = 1;
  if (length > 0x7f)
    {
      bytes[0] |= 0x80;
      bytes[1] = (length >> 7) & 0x7f;
      n = 2;
      if (length > 0x3fff)
        {
          bytes[1] |= 0x80;
          bytes[2] = (guint8) (length >> 14);
          n = 3;
        }
    }
  memcpy (out->data + at, bytes, n);
  if (n < 3)
    {
      memmove (out->data + at + n, out->data + at + 3, length);
      g_byte_array_set_size (out, (guint) (at + n + length));
    }
}

gboolean
tight_append_jpeg (const EncoderInput *input, GByteArray *out)
{
  guint start = out->len, at;

  rfb_append_u8 (out, TIGHT_JPEG);
  at = tight_reserve_length (out);
  if (!enc_jpeg_compress (input->frame, &input->rect, input->params, out))
    {
      g_byte_array_set_size (out, start);
      return FALSE;
    }
  tight_finish_length (out, at);
  return TRUE;
}

/* BasicCompression: control byte, filter, palette, then the data, raw
 * when short and otherwise zlib from a fresh stream that the control byte
 * resets. */
static void
append_basic (const TightTile *tile, guint stream, int filter, const guint8 *data, gsize len,
              int level, GByteArray *out)
{
  gboolean compress = len >= TIGHT_MIN_TO_COMPRESS;
  guint8 control = (guint8) ((stream | (filter != TIGHT_FILTER_COPY ? TIGHT_EXPLICIT_FILTER >> 4 : 0)) << 4);

  if (compress)
    control |= (guint8) (1u << stream);
  rfb_append_u8 (out, control);
  if (filter != TIGHT_FILTER_COPY)
    rfb_append_u8 (out, (guint8) filter);
  if (filter == TIGHT_FILTER_PALETTE)
    {
      guint at = out->len;
      guint8 *p;

      g_byte_array_set_size (out, at + 1 + tile->n_colours * tile->tpixel_size);
      p = out->data + at;
      *p++ = (guint8) (tile->n_colours - 1);
      for (guint i = 0; i < tile->n_colours; i++)
        p = tight_write_tpixel (tile, tile->palette[i], p);
    }
  if (!compress)
    g_byte_array_append (out, data, (guint) len);
  else
    {
      guint at = tight_reserve_length (out);
      enc_deflate (DEFLATE_ZLIB, level, data, len, out);
      tight_finish_length (out, at);
    }
}

static void
append_palette (TightTile *tile, int level, GByteArray *out)
{
  const guint8 *data = tile->indices;
  gsize len = tile->n_pixels;

  if (tile->n_colours == 2)
    {
      /* 1 bit a pixel, leftmost in the high bit, rows padded to a byte. */
      guint row_bytes = (tile->width + 7) / 8;
      const guint8 *index = tile->indices;
      guint8 *bits = tile->data;

      for (guint y = 0; y < tile->height; y++)
        {
          memset (bits, 0, row_bytes);
          for (guint x = 0; x < tile->width; x++)
            bits[x >> 3] |= (guint8) (index[x] << (7 - (x & 7)));
          index += tile->width;
          bits += row_bytes;
        }
      data = tile->data;
      len = (gsize) row_bytes * tile->height;
    }
  append_basic (tile, STREAM_PALETTE, TIGHT_FILTER_PALETTE, data, len, level, out);
}

/* The pixels as TPIXELs, into tile->data; returns their length. */
static gsize
write_copy (TightTile *tile)
{
  const guint32 *values = tile->values;
  guint8 *p = tile->data;
  guint n = tile->n_pixels;

  if (tile->rgb24)
    for (guint i = 0; i < n; i++, p += 3)
      {
        p[0] = (guint8) (values[i] >> 16);
        p[1] = (guint8) (values[i] >> 8);
        p[2] = (guint8) values[i];
      }
  else if (tile->format->bits_per_pixel == 8)
    for (guint i = 0; i < n; i++)
      *p++ = (guint8) values[i];
  else
    for (guint i = 0; i < n; i++)
      p = pixfmt_write_value (tile->format, values[i], p);
  return (gsize) (p - tile->data);
}

/* Whether the gradient filter may be used: lossless was asked for (so
 * never for noVNC, which always sends a quality level and has no gradient
 * decoder), and 16 or 32 bits per pixel (rfbproto.rst "GradientFilter").
 * For formats without 3-byte TPIXELs the filtered values go in the
 * format's byte order, which libvncclient reads in its host's order
 * instead; big-endian ones are left out so such viewers decode right. */
static gboolean
gradient_allowed (const TightTile *tile, const EncoderParams *params)
{
  if (enc_jpeg_allowed (params) || tile->format->bits_per_pixel < 16)
    return FALSE;
  return tile->rgb24 || !tile->format->big_endian;
}

/* Writes the gradient-filtered pixels into tile->data (rfbproto.rst
 * "GradientFilter": each channel minus its prediction from the left,
 * upper and upper-left neighbours, clamped, modulo the channel's range)
 * and returns their length; *mean_error is the mean |difference| per
 * channel on an 8-bit scale. */
static gsize
write_gradient (TightTile *tile, guint *mean_error)
{
  const RfbPixelFormat *f = tile->format;
  guint shift[3], max[3], scale[3];
  gint16 *prev_row = tile->rows, *this_row = tile->rows + tile->width * 3;
  const guint32 *values = tile->values;
  guint8 *p = tile->data;
  guint64 error = 0;

  if (tile->rgb24)
    {
      shift[0] = 16, shift[1] = 8, shift[2] = 0;
      max[0] = max[1] = max[2] = 255;
    }
  else
    {
      shift[0] = f->red_shift, shift[1] = f->green_shift, shift[2] = f->blue_shift;
      max[0] = f->red_max, max[1] = f->green_max, max[2] = f->blue_max;
    }
  for (guint c = 0; c < 3; c++)
    scale[c] = 8 - MIN (g_bit_storage (max[c]), 8);

  memset (prev_row, 0, sizeof (gint16) * tile->width * 3);
  for (guint y = 0; y < tile->height; y++)
    {
      for (guint x = 0; x < tile->width; x++)
        {
          guint32 v = *values++;
          guint32 packed = 0;
          guint8 diff[3];

          for (guint c = 0; c < 3; c++)
            {
              int channel = (int) ((v >> shift[c]) & max[c]);
              int left = x > 0 ? this_row[(x - 1) * 3 + c] : 0;
              int up_left = x > 0 ? prev_row[(x - 1) * 3 + c] : 0;
              int predicted = CLAMP (left + prev_row[x * 3 + c] - up_left, 0, (int) max[c]);
              guint d = (guint) (channel - predicted) & max[c];

              this_row[x * 3 + c] = (gint16) channel;
              error += (guint64) MIN (d, max[c] + 1 - d) << scale[c];
              diff[c] = (guint8) d;
              packed |= (guint32) d << shift[c];
            }
          if (tile->rgb24)
            {
              *p++ = diff[0];
              *p++ = diff[1];
              *p++ = diff[2];
            }
          else
            p = pixfmt_write_value (f, packed, p);
        }
      {
        gint16 *swap = prev_row;
        prev_row = this_row;
        this_row = swap;
      }
    }
  *mean_error = (guint) (error / ((guint64) tile->n_pixels * 3));
  return (gsize) (p - tile->data);
}

void
enc_tight_encode (const EncoderInput *input, GByteArray *out)
{
  const cairo_rectangle_int_t *r = &input->rect;
  int level = input->params->compress_level;
  TightTile *tile;
  gsize len;

  rfb_append_rect_header (out, (guint16) r->x, (guint16) r->y,
                          (guint16) r->width, (guint16) r->height, RFB_ENCODING_TIGHT);
  tile = tight_tile_load (input);
  if (tile->n_pixels == 0)
    {
      /* Nothing to draw; a copy of no bytes says so. */
      append_basic (tile, STREAM_COPY, TIGHT_FILTER_COPY, NULL, 0, level, out);
      return;
    }
  if (tile->n_colours == 1)
    {
      tight_append_fill (tile, out);
      return;
    }
  if (tight_use_jpeg (tile, input) && tight_append_jpeg (input, out))
    return;
  if (tight_palette_pays (tile))
    {
      append_palette (tile, level, out);
      return;
    }
  if (gradient_allowed (tile, input->params))
    {
      guint mean_error;

      len = write_gradient (tile, &mean_error);
      if (mean_error < GRADIENT_MAX_MEAN_ERROR)
        {
          append_basic (tile, STREAM_GRADIENT, TIGHT_FILTER_GRADIENT, tile->data, len, level, out);
          return;
        }
    }
  len = write_copy (tile);
  append_basic (tile, STREAM_COPY, TIGHT_FILTER_COPY, tile->data, len, level, out);
}

/* A run of tiles in one tile row, for viewers that take JPEG: neighbours
 * that would each be a JPEG become one JPEG rectangle (at most
 * ENCODER_MAX_SPAN_WIDTH wide, rfbproto.rst "Tight Encoding"), sparing
 * the ~600 bytes of tables every JPEG carries; the other tiles go as
 * @encode_tile makes them. Returns the number of rectangles appended. */
guint
tight_encode_span (const EncoderInput *input, gint32 encoding,
                   void (*encode_tile) (const EncoderInput *input, GByteArray *out),
                   GByteArray *out)
{
  const cairo_rectangle_int_t *r = &input->rect;
  int end = r->x + r->width;
  int jpeg_from = -1;
  guint n_rects = 0;

  /* One step past the last tile, to send the run that ends there. */
  for (int x = r->x;; x = MIN (x + TILE_SIZE, end))
    {
      EncoderInput tile_input = *input;
      gboolean jpeg = FALSE;

      tile_input.span = FALSE;
      if (x < end)
        {
          TightTile *tile;

          tile_input.rect = (cairo_rectangle_int_t) { x, r->y, MIN (TILE_SIZE, end - x), r->height };
          tile = tight_tile_load (&tile_input);
          jpeg = tile->n_colours > 1 && tight_use_jpeg (tile, &tile_input);
        }
      if (jpeg)
        {
          if (jpeg_from < 0)
            jpeg_from = x;
          continue;
        }
      if (jpeg_from >= 0)
        {
          EncoderInput run = tile_input;
          guint start = out->len;

          run.rect = (cairo_rectangle_int_t) { jpeg_from, r->y, x - jpeg_from, r->height };
          rfb_append_rect_header (out, (guint16) run.rect.x, (guint16) run.rect.y,
                                  (guint16) run.rect.width, (guint16) run.rect.height, encoding);
          if (tight_append_jpeg (&run, out))
            n_rects++;
          else
            {
              /* Tile by tile then, each choosing again. */
              g_byte_array_set_size (out, start);
              for (int tx = jpeg_from; tx < x; tx += TILE_SIZE)
                {
                  run.rect = (cairo_rectangle_int_t) { tx, r->y, MIN (TILE_SIZE, x - tx), r->height };
                  encode_tile (&run, out);
                  n_rects++;
                }
            }
          jpeg_from = -1;
        }
      if (x >= end)
        break;
      encode_tile (&tile_input, out);
      n_rects++;
    }
  return n_rects;
}

guint
enc_tight_encode_span (const EncoderInput *input, GByteArray *out)
{
  return tight_encode_span (input, RFB_ENCODING_TIGHT, enc_tight_encode, out);
}
