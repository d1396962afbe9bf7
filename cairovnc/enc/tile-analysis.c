/* tile-analysis.c — pixel writers, colour tables, subrectangles and the
 * TRLE/ZRLE tile coder shared by the tiling encoders. Pure functions over
 * pixel values; runs on encoder threads. */
#include "tile-analysis.h"

#include <string.h>

/* ---- Pixel writers ---- */

void
tile_pixel_writer_init (TilePixelWriter *writer, const RfbPixelFormat *format, gboolean compact)
{
  writer->bytes = pixfmt_bytes_per_pixel (format);
  writer->shift = 0;
  writer->big_endian = format->bits_per_pixel > 8 && format->big_endian;
  if (compact && pixfmt_has_compact_pixels (format))
    {
      guint32 colour_bits = ((guint32) format->red_max << format->red_shift) |
                            ((guint32) format->green_max << format->green_shift) |
                            ((guint32) format->blue_max << format->blue_shift);
      writer->bytes = 3;
      /* The low three bytes when they hold every colour bit (also when
       * the high three would), else the high three. */
      writer->shift = (colour_bits & 0xff000000u) == 0 ? 0 : 8;
    }
}

guint8 *
tile_write_pixels (const TilePixelWriter *writer, const guint32 *values, gsize n, guint8 *dst)
{
  guint shift = writer->shift;

  /* One loop per layout: this writes every pixel of raw tiles. */
  switch (writer->bytes)
    {
    case 1:
      for (gsize i = 0; i < n; i++)
        dst[i] = (guint8) values[i];
      return dst + n;
    case 2:
      if (writer->big_endian)
        for (gsize i = 0; i < n; i++, dst += 2)
          {
            dst[0] = (guint8) (values[i] >> 8);
            dst[1] = (guint8) values[i];
          }
      else
        for (gsize i = 0; i < n; i++, dst += 2)
          {
            dst[0] = (guint8) values[i];
            dst[1] = (guint8) (values[i] >> 8);
          }
      return dst;
    case 3:
      if (writer->big_endian)
        for (gsize i = 0; i < n; i++, dst += 3)
          {
            guint32 v = values[i] >> shift;
            dst[0] = (guint8) (v >> 16);
            dst[1] = (guint8) (v >> 8);
            dst[2] = (guint8) v;
          }
      else
        for (gsize i = 0; i < n; i++, dst += 3)
          {
            guint32 v = values[i] >> shift;
            dst[0] = (guint8) v;
            dst[1] = (guint8) (v >> 8);
            dst[2] = (guint8) (v >> 16);
          }
      return dst;
    default:
      if (writer->big_endian)
        for (gsize i = 0; i < n; i++, dst += 4)
          {
            guint32 v = values[i];
            dst[0] = (guint8) (v >> 24);
            dst[1] = (guint8) (v >> 16);
            dst[2] = (guint8) (v >> 8);
            dst[3] = (guint8) v;
          }
      else
        for (gsize i = 0; i < n; i++, dst += 4)
          {
            guint32 v = values[i];
            dst[0] = (guint8) v;
            dst[1] = (guint8) (v >> 8);
            dst[2] = (guint8) (v >> 16);
            dst[3] = (guint8) (v >> 24);
          }
      return dst;
    }
}

/* ---- Colour tables ---- */

void
tile_colours_init (TileColours *table)
{
  memset (table->stamps, 0, sizeof table->stamps);
  table->generation = 0;
  tile_colours_reset (table, TILE_COLOURS_MAX);
}

void
tile_colours_reset (TileColours *table, guint max)
{
  /* Generation 0 marks never-used slots; after a wrap, clear them. */
  if (++table->generation == 0)
    {
      memset (table->stamps, 0, sizeof table->stamps);
      table->generation = 1;
    }
  table->n = 0;
  table->max = MIN (max, TILE_COLOURS_MAX);
  table->overflow = FALSE;
}

void
tile_colours_count (TileColours *table, guint max, const guint32 *values, gsize n)
{
  gsize start = 0;

  tile_colours_reset (table, max);
  while (start < n)
    {
      guint32 v = values[start];
      gsize end = start + 1;
      while (end < n && values[end] == v)
        end++;
      tile_colours_add (table, v, (guint) (end - start));
      start = end;
    }
}

guint32
tile_colours_most_frequent (const TileColours *table)
{
  guint best = 0;

  for (guint i = 1; i < table->n; i++)
    if (table->counts[i] > table->counts[best])
      best = i;
  return table->colours[best];
}

/* ---- Subrectangles ---- */

void
tile_subrect_finder_init (TileSubrectFinder *finder,
                          const guint32     *values,
                          guint              width,
                          guint              height,
                          guint32            background,
                          guint8            *covered)
{
  finder->values = values;
  finder->width = width;
  finder->height = height;
  finder->background = background;
  finder->covered = covered;
  finder->x = 0;
  finder->y = 0;
  memset (covered, 0, (gsize) width * height);
}

/* Whether @n pixels from @p (stepping @step) are all @value and uncovered. */
static inline gboolean
free_run_is (const guint32 *p, const guint8 *covered, gsize step, guint n, guint32 value)
{
  for (guint i = 0; i < n; i++)
    if (p[(gsize) i * step] != value || covered[(gsize) i * step])
      return FALSE;
  return TRUE;
}

gboolean
tile_subrect_finder_next (TileSubrectFinder *f, TileSubrect *subrect)
{
  const guint width = f->width, height = f->height;

  for (; f->y < height; f->y++, f->x = 0)
    {
      const guint32 *row = f->values + (gsize) f->y * width;
      const guint8 *covered_row = f->covered + (gsize) f->y * width;

      for (; f->x < width; f->x++)
        {
          guint x = f->x, y = f->y;
          const guint32 *at = row + x;
          const guint8 *covered_at = covered_row + x;
          guint32 v = *at;
          guint wide_w = 1, wide_h = 1, tall_w = 1, tall_h = 1, w, h;

          if (v == f->background || *covered_at)
            continue;

          /* Subrectangles never overlap, so every pixel is covered once
           * and the scans below cost about the area they cover. */
          /* Widest: the run along the row, then down while rows match. */
          while (x + wide_w < width && at[wide_w] == v && !covered_at[wide_w])
            wide_w++;
          while (y + wide_h < height &&
                 free_run_is (at + (gsize) wide_h * width, covered_at + (gsize) wide_h * width, 1, wide_w, v))
            wide_h++;
          /* Tallest: the run down the column, then right while columns match. */
          while (y + tall_h < height && at[(gsize) tall_h * width] == v && !covered_at[(gsize) tall_h * width])
            tall_h++;
          while (x + tall_w < width && free_run_is (at + tall_w, covered_at + tall_w, width, tall_h, v))
            tall_w++;

          if ((gsize) tall_w * tall_h > (gsize) wide_w * wide_h)
            {
              w = tall_w;
              h = tall_h;
            }
          else
            {
              w = wide_w;
              h = wide_h;
            }
          for (guint j = 0; j < h; j++)
            memset (f->covered + (gsize) (y + j) * width + x, 1, w);
          *subrect = (TileSubrect) { x, y, w, h, v };
          f->x = x + w;
          return TRUE;
        }
    }
  return FALSE;
}

/* ---- TRLE and ZRLE tiles ---- */

/* A run length as 255s and a last byte (rfbproto.rst "ZRLE Encoding",
 * subencoding 128): 1 + the sum of the bytes. */
static inline guint8 *
write_run_length (guint8 *p, gsize length)
{
  gsize rest = length - 1;

  while (rest >= 255)
    {
      *p++ = 255;
      rest -= 255;
    }
  *p++ = (guint8) rest;
  return p;
}

static guint
packed_bits (guint n_colours)
{
  return n_colours == 2 ? 1 : n_colours <= 4 ? 2 : 4;
}

guint
tile_rle_encode (const guint32         *values,
                 guint                  width,
                 guint                  height,
                 const TilePixelWriter *cpixel,
                 TileColours           *palette,
                 GByteArray            *out)
{
  const gsize n = (gsize) width * height;
  const gsize bpc = cpixel->bytes;
  const gsize raw_size = 1 + n * bpc;
  gsize runs = 0, single_runs = 0, extra_length_bytes = 0;
  gsize size = raw_size, start, run_start = 0;
  guint subencoding = TILE_RLE_RAW;
  gboolean gave_up = FALSE;
  guint32 prev;
  guint8 *p, *end;

  g_return_val_if_fail (n > 0, TILE_RLE_RAW);

  /* One pass: the runs (which may go on from one row to the next) and
   * the palette, looked up once per run. */
  tile_colours_reset (palette, TILE_RLE_PALETTE_MAX);
  prev = values[0];
  tile_colours_add (palette, prev, 1);
  for (gsize i = 1; i < n; i++)
    {
      guint32 v = values[i];
      gsize length;

      if (v == prev)
        continue;
      length = i - run_start;
      runs++;
      single_runs += length == 1;
      extra_length_bytes += (length - 1) / 255;
      if (palette->overflow)
        {
          /* Only plain RLE is left, and it only grows: stop once raw wins. */
          if (runs * (bpc + 1) + extra_length_bytes >= raw_size)
            {
              gave_up = TRUE;
              break;
            }
        }
      else
        {
          tile_colours_add (palette, v, 1);
        }
      prev = v;
      run_start = i;
    }
  if (!gave_up)
    {
      gsize length = n - run_start;
      gsize plain_size;

      runs++;
      single_runs += length == 1;
      extra_length_bytes += (length - 1) / 255;

      plain_size = 1 + runs * (bpc + 1) + extra_length_bytes;
      if (plain_size < size)
        {
          size = plain_size;
          subencoding = TILE_RLE_PLAIN;
        }
      if (!palette->overflow && palette->n == 1)
        {
          size = 1 + bpc;
          subencoding = TILE_RLE_SOLID;
        }
      else if (!palette->overflow)
        {
          gsize palette_size = palette->n * bpc;
          gsize rle_size = 1 + palette_size + 2 * runs - single_runs + extra_length_bytes;

          if (rle_size < size)
            {
              size = rle_size;
              subencoding = 128 + palette->n;
            }
          if (palette->n <= TILE_RLE_PACKED_MAX)
            {
              gsize row_bytes = ((gsize) width * packed_bits (palette->n) + 7) / 8;
              gsize packed_size = 1 + palette_size + row_bytes * height;
              if (packed_size <= size)
                {
                  size = packed_size;
                  subencoding = palette->n;
                }
            }
        }
    }

  start = out->len;
  g_byte_array_set_size (out, (guint) (start + size));
  p = out->data + start;
  end = p + size;
  *p++ = (guint8) subencoding;

  if (subencoding == TILE_RLE_RAW)
    {
      p = tile_write_pixels (cpixel, values, n, p);
    }
  else if (subencoding == TILE_RLE_SOLID)
    {
      p = tile_write_pixel (cpixel, values[0], p);
    }
  else if (subencoding == TILE_RLE_PLAIN)
    {
      for (gsize i = 0; i < n;)
        {
          guint32 v = values[i];
          gsize j = i + 1;
          while (j < n && values[j] == v)
            j++;
          p = tile_write_pixel (cpixel, v, p);
          p = write_run_length (p, j - i);
          i = j;
        }
    }
  else
    {
      guint n_colours = subencoding & 0x7f;

      p = tile_write_pixels (cpixel, palette->colours, n_colours, p);
      if (subencoding & 0x80)
        {
          for (gsize i = 0; i < n;)
            {
              guint32 v = values[i];
              gsize j = i + 1;
              guint8 index;
              while (j < n && values[j] == v)
                j++;
              index = (guint8) tile_colours_find (palette, v);
              if (j - i == 1)
                {
                  *p++ = index;
                }
              else
                {
                  *p++ = index | 0x80;
                  p = write_run_length (p, j - i);
                }
              i = j;
            }
        }
      else
        {
          /* Packed: most significant bits first, each row padded to a byte. */
          guint bits = packed_bits (n_colours);
          guint32 last = values[0];
          guint index = (guint) tile_colours_find (palette, last);

          for (guint y = 0; y < height; y++)
            {
              const guint32 *row = values + (gsize) y * width;
              guint byte = 0, used = 0;

              for (guint x = 0; x < width; x++)
                {
                  if (row[x] != last)
                    {
                      last = row[x];
                      index = (guint) tile_colours_find (palette, last);
                    }
                  byte = (byte << bits) | index;
                  used += bits;
                  if (used == 8)
                    {
                      *p++ = (guint8) byte;
                      byte = 0;
                      used = 0;
                    }
                }
              if (used > 0)
                *p++ = (guint8) (byte << (8 - used));
            }
        }
    }
  g_assert (p == end);
  return subencoding;
}
