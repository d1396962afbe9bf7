/* png.c — PNG images for TightPNG (rfbproto.rst "Tight PNG Encoding").
 *
 * Only what a tile needs: 8-bit truecolour or 1/2/4/8-bit indexed, no
 * interlace, one IDAT. Truecolour rows get the PNG filter (None, Sub, Up
 * or Paeth) with the smallest sum of absolute differences, the usual
 * heuristic; indexed rows are not filtered (the PNG specification's
 * advice). The image data is deflate from enc_deflate(), which ends with a
 * sync flush; PNG decoders want a finished zlib stream, so an empty final
 * block and the Adler-32 follow it. Runs on encoder threads; the scanline
 * buffers are per thread.
 */
#include "png.h"

#include <string.h>
#include <zlib.h>

#include "../rfb.h"
#include "deflate.h"

static const guint8 png_signature[8] = { 137, 80, 78, 71, 13, 10, 26, 10 };

enum {
  COLOUR_TYPE_RGB = 2,
  COLOUR_TYPE_INDEXED = 3,
};

enum {
  FILTER_NONE = 0,
  FILTER_SUB = 1,
  FILTER_UP = 2,
  FILTER_PAETH = 4,
};

/* Filtered scanlines, and the candidate rows of one truecolour line. */
typedef struct {
  GByteArray *scanlines;
  GByteArray *candidates;
} PngScratch;

static void
png_scratch_free (gpointer data)
{
  PngScratch *scratch = data;

  g_byte_array_unref (scratch->scanlines);
  g_byte_array_unref (scratch->candidates);
  g_free (scratch);
}

static GPrivate png_scratch = G_PRIVATE_INIT (png_scratch_free);

static PngScratch *
get_scratch (void)
{
  PngScratch *scratch = g_private_get (&png_scratch);

  if (scratch == NULL)
    {
      scratch = g_new0 (PngScratch, 1);
      /* A 64×64 truecolour tile: 64 rows of 1 + 192 bytes. */
      scratch->scanlines = g_byte_array_sized_new (64 * (1 + 64 * 3));
      scratch->candidates = g_byte_array_sized_new (3 * 64 * 3);
      g_private_set (&png_scratch, scratch);
    }
  return scratch;
}

/* Starts a chunk: length (filled in by chunk_end) and type. */
static guint
chunk_begin (GByteArray *out, const char *type)
{
  guint start = out->len;

  rfb_append_u32 (out, 0);
  g_byte_array_append (out, (const guint8 *) type, 4);
  return start;
}

/* Sets the chunk's length and appends its CRC (over type and data). */
static void
chunk_end (GByteArray *out, guint start)
{
  guint32 length = out->len - start - 8;
  uLong crc = crc32 (0, out->data + start + 4, length + 4);

  rfb_put_u32 (out->data + start, length);
  rfb_append_u32 (out, (guint32) crc);
}

static void
append_header (GByteArray *out, guint width, guint height, guint8 bit_depth, guint8 colour_type)
{
  guint start;

  g_byte_array_append (out, png_signature, sizeof png_signature);
  start = chunk_begin (out, "IHDR");
  rfb_append_u32 (out, width);
  rfb_append_u32 (out, height);
  rfb_append_u8 (out, bit_depth);
  rfb_append_u8 (out, colour_type);
  rfb_append_u8 (out, 0);   /* deflate */
  rfb_append_u8 (out, 0);   /* adaptive filtering */
  rfb_append_u8 (out, 0);   /* no interlace */
  chunk_end (out, start);
}

/* IDAT with @data as one finished zlib stream, then IEND. */
static void
append_data_and_end (GByteArray *out, const guint8 *data, gsize len, int level)
{
  /* A final fixed-Huffman block holding only its end code: after a sync
   * flush the stream is at a byte boundary, so these two bytes end it. */
  static const guint8 final_block[2] = { 0x03, 0x00 };
  guint start = chunk_begin (out, "IDAT");

  enc_deflate (DEFLATE_ZLIB, level, data, len, out);
  g_byte_array_append (out, final_block, sizeof final_block);
  rfb_append_u32 (out, (guint32) adler32 (adler32 (0, NULL, 0), data, (uInt) len));
  chunk_end (out, start);
  chunk_end (out, chunk_begin (out, "IEND"));
}

void
enc_png_write_indexed (guint           width,
                       guint           height,
                       const guint32  *palette,
                       guint           n_colours,
                       const guint8   *indices,
                       int             level,
                       GByteArray     *out)
{
  PngScratch *scratch = get_scratch ();
  guint depth = n_colours <= 2 ? 1 : n_colours <= 4 ? 2 : n_colours <= 16 ? 4 : 8;
  guint per_byte = 8 / depth;
  gsize row_bytes = ((gsize) width * depth + 7) / 8;
  guint8 *line;
  guint start;

  g_return_if_fail (n_colours >= 1 && n_colours <= 256);

  append_header (out, width, height, (guint8) depth, COLOUR_TYPE_INDEXED);
  start = chunk_begin (out, "PLTE");
  for (guint i = 0; i < n_colours; i++)
    {
      rfb_append_u8 (out, (guint8) (palette[i] >> 16));
      rfb_append_u8 (out, (guint8) (palette[i] >> 8));
      rfb_append_u8 (out, (guint8) palette[i]);
    }
  chunk_end (out, start);

  g_byte_array_set_size (scratch->scanlines, (guint) ((1 + row_bytes) * height));
  line = scratch->scanlines->data;
  for (guint y = 0; y < height; y++)
    {
      const guint8 *row = indices + (gsize) y * width;

      *line++ = FILTER_NONE;
      if (depth == 8)
        memcpy (line, row, width);
      else
        {
          /* Leftmost pixel in the high bits; the last byte padded with 0. */
          memset (line, 0, row_bytes);
          for (guint x = 0; x < width; x++)
            line[x / per_byte] |= (guint8) (row[x] << (8 - depth - (x % per_byte) * depth));
        }
      line += row_bytes;
    }
  append_data_and_end (out, scratch->scanlines->data, scratch->scanlines->len, level);
}

static guint
paeth (guint a, guint b, guint c)
{
  int p = (int) a + (int) b - (int) c;
  int pa = ABS (p - (int) a), pb = ABS (p - (int) b), pc = ABS (p - (int) c);

  if (pa <= pb && pa <= pc)
    return a;
  return pb <= pc ? b : c;
}

/* The cost of a filtered row: filtered bytes read as signed, summed. */
static guint
row_cost (const guint8 *row, gsize len)
{
  guint cost = 0;

  for (gsize i = 0; i < len; i++)
    cost += row[i] < 128 ? row[i] : 256 - row[i];
  return cost;
}

void
enc_png_write_rgb (guint         width,
                   guint         height,
                   const guint8 *rgb,
                   int           level,
                   GByteArray   *out)
{
  PngScratch *scratch = get_scratch ();
  gsize row_bytes = (gsize) width * 3;
  guint8 *line, *sub, *up, *best_paeth;

  append_header (out, width, height, 8, COLOUR_TYPE_RGB);
  g_byte_array_set_size (scratch->scanlines, (guint) ((1 + row_bytes) * height));
  g_byte_array_set_size (scratch->candidates, (guint) (3 * row_bytes));
  sub = scratch->candidates->data;
  up = sub + row_bytes;
  best_paeth = up + row_bytes;
  line = scratch->scanlines->data;
  for (guint y = 0; y < height; y++)
    {
      const guint8 *row = rgb + (gsize) y * row_bytes;
      const guint8 *prev = y > 0 ? row - row_bytes : NULL;
      guint cost_none, cost_sub, cost_up, cost_paeth, best;
      const guint8 *chosen = row;
      guint8 filter = FILTER_NONE;

      for (gsize i = 0; i < row_bytes; i++)
        {
          guint a = i >= 3 ? row[i - 3] : 0;
          guint b = prev != NULL ? prev[i] : 0;
          guint c = prev != NULL && i >= 3 ? prev[i - 3] : 0;

          sub[i] = (guint8) (row[i] - a);
          up[i] = (guint8) (row[i] - b);
          best_paeth[i] = (guint8) (row[i] - paeth (a, b, c));
        }
      cost_none = row_cost (row, row_bytes);
      cost_sub = row_cost (sub, row_bytes);
      cost_up = row_cost (up, row_bytes);
      cost_paeth = row_cost (best_paeth, row_bytes);
      best = cost_none;
      if (cost_sub < best)
        {
          best = cost_sub;
          chosen = sub;
          filter = FILTER_SUB;
        }
      if (cost_up < best)
        {
          best = cost_up;
          chosen = up;
          filter = FILTER_UP;
        }
      if (cost_paeth < best)
        {
          chosen = best_paeth;
          filter = FILTER_PAETH;
        }
      *line++ = filter;
      memcpy (line, chosen, row_bytes);
      line += row_bytes;
    }
  append_data_and_end (out, scratch->scanlines->data, scratch->scanlines->len, level);
}
