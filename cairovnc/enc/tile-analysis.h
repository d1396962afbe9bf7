/* tile-analysis.h — what the tiling encoders share: pixel writers for
 * PIXEL and CPIXEL, a small colour table, a finder of single-colour
 * subrectangles (RRE, Hextile) and the tile coder of TRLE and ZRLE.
 *
 * Everything here works on pixel values already in the viewer's format
 * (pixfmt_convert_values), keeps its state in caller-provided structs and
 * allocates nothing, so it is safe on the encoder threads.
 */
#pragma once

#include <glib.h>

#include "../pixfmt.h"

G_BEGIN_DECLS

/* ---- Writing pixel values as bytes ---- */

typedef struct {
  guint bytes;          /* per pixel on the wire: 1, 2, 3 or 4 */
  guint shift;          /* 8 when a compact CPIXEL keeps the high three bytes */
  gboolean big_endian;
} TilePixelWriter;

/* PIXEL (@compact FALSE) or TRLE/ZRLE's CPIXEL (@compact TRUE) of @format.
 * A CPIXEL is three bytes when pixfmt_has_compact_pixels(): the three
 * bytes of the value that hold the colour bits — the low three, or the
 * high three when the colour does not fit in the low ones (rfbproto.rst
 * "ZRLE Encoding": the low ones by convention when both fit) — in the
 * format's byte order. */
void tile_pixel_writer_init (TilePixelWriter *writer, const RfbPixelFormat *format, gboolean compact);

static inline guint8 *
tile_write_pixel (const TilePixelWriter *writer, guint32 value, guint8 *dst)
{
  value >>= writer->shift;
  switch (writer->bytes)
    {
    case 1:
      dst[0] = (guint8) value;
      return dst + 1;
    case 2:
      if (writer->big_endian)
        {
          dst[0] = (guint8) (value >> 8);
          dst[1] = (guint8) value;
        }
      else
        {
          dst[0] = (guint8) value;
          dst[1] = (guint8) (value >> 8);
        }
      return dst + 2;
    case 3:
      if (writer->big_endian)
        {
          dst[0] = (guint8) (value >> 16);
          dst[1] = (guint8) (value >> 8);
          dst[2] = (guint8) value;
        }
      else
        {
          dst[0] = (guint8) value;
          dst[1] = (guint8) (value >> 8);
          dst[2] = (guint8) (value >> 16);
        }
      return dst + 3;
    default:
      if (writer->big_endian)
        {
          dst[0] = (guint8) (value >> 24);
          dst[1] = (guint8) (value >> 16);
          dst[2] = (guint8) (value >> 8);
          dst[3] = (guint8) value;
        }
      else
        {
          dst[0] = (guint8) value;
          dst[1] = (guint8) (value >> 8);
          dst[2] = (guint8) (value >> 16);
          dst[3] = (guint8) (value >> 24);
        }
      return dst + 4;
    }
}

/* Writes @n values; returns the byte after the last. */
guint8 *tile_write_pixels (const TilePixelWriter *writer, const guint32 *values, gsize n, guint8 *dst);

/* ---- A table of the colours of a tile ----
 *
 * Open addressing over 512 slots, at most 256 colours, in the order they
 * were first seen, each with a count. Slots carry the generation that
 * filled them, so emptying the table between tiles costs nothing. */

#define TILE_COLOURS_MAX 256
#define TILE_COLOUR_SLOT_BITS 9
#define TILE_COLOUR_SLOTS (1u << TILE_COLOUR_SLOT_BITS)

typedef struct {
  guint32 generation;
  guint n;              /* colours in the table */
  guint max;            /* the table takes no more than this many */
  gboolean overflow;    /* a colour was refused: there are more than @max */
  guint32 stamps[TILE_COLOUR_SLOTS];
  guint32 keys[TILE_COLOUR_SLOTS];
  guint16 slot_colour[TILE_COLOUR_SLOTS];
  guint32 colours[TILE_COLOURS_MAX];
  guint32 counts[TILE_COLOURS_MAX];
} TileColours;

/* Once per TileColours (it is then reset for each tile). */
void tile_colours_init (TileColours *table);
/* Empties the table and lets it take up to @max (≤ TILE_COLOURS_MAX) colours. */
void tile_colours_reset (TileColours *table, guint max);

static inline guint
tile_colours_slot (guint32 value)
{
  return (value * 2654435761u) >> (32 - TILE_COLOUR_SLOT_BITS);
}

/* The index of @value, or -1. */
static inline gint
tile_colours_find (const TileColours *table, guint32 value)
{
  guint slot = tile_colours_slot (value);

  while (table->stamps[slot] == table->generation)
    {
      if (table->keys[slot] == value)
        return table->slot_colour[slot];
      slot = (slot + 1) & (TILE_COLOUR_SLOTS - 1);
    }
  return -1;
}

/* Adds @count to @value's count, adding @value first if it is new; returns
 * its index, or -1 (and sets overflow) when the table is full. */
static inline gint
tile_colours_add (TileColours *table, guint32 value, guint count)
{
  guint slot = tile_colours_slot (value);

  while (table->stamps[slot] == table->generation)
    {
      if (table->keys[slot] == value)
        {
          guint index = table->slot_colour[slot];
          table->counts[index] += count;
          return (gint) index;
        }
      slot = (slot + 1) & (TILE_COLOUR_SLOTS - 1);
    }
  if (table->n >= table->max)
    {
      table->overflow = TRUE;
      return -1;
    }
  table->stamps[slot] = table->generation;
  table->keys[slot] = value;
  table->slot_colour[slot] = (guint16) table->n;
  table->colours[table->n] = value;
  table->counts[table->n] = count;
  return (gint) table->n++;
}

/* Resets @table to @max and counts the pixels of each colour (one table
 * look-up per run of equal pixels). Colours that do not fit go uncounted. */
void tile_colours_count (TileColours *table, guint max, const guint32 *values, gsize n);

/* The colour with the highest count (the first such); the table must not
 * be empty. */
guint32 tile_colours_most_frequent (const TileColours *table);

/* ---- Single-colour subrectangles (RRE, Hextile) ---- */

typedef struct {
  guint x, y, width, height;
  guint32 value;
} TileSubrect;

typedef struct {
  const guint32 *values;
  guint width, height;
  guint32 background;
  guint8 *covered;
  guint x, y;
} TileSubrectFinder;

/* Prepares to cover every pixel of @values (@width × @height, packed)
 * that is not @background. @covered is scratch of @width × @height bytes. */
void tile_subrect_finder_init (TileSubrectFinder *finder,
                               const guint32     *values,
                               guint              width,
                               guint              height,
                               guint32            background,
                               guint8            *covered);

/* The next subrectangle, in raster order of its top-left corner; FALSE
 * when every pixel is covered. Each is the larger of the widest and the
 * tallest single-colour rectangle of uncovered pixels at the first
 * uncovered pixel; they never overlap. */
gboolean tile_subrect_finder_next (TileSubrectFinder *finder, TileSubrect *subrect);

/* ---- TRLE and ZRLE tiles ---- */

/* Subencodings (rfbproto.rst "ZRLE Encoding", RFC 6143 "TRLE"). */
enum {
  TILE_RLE_RAW = 0,
  TILE_RLE_SOLID = 1,
  /* 2–16: packed palette of that many colours */
  TILE_RLE_PLAIN = 128,
  /* 130–255: palette RLE of (subencoding - 128) colours */
};

#define TILE_RLE_PALETTE_MAX 127
#define TILE_RLE_PACKED_MAX 16

/* Appends one TRLE/ZRLE tile (subencoding byte and data) of @width ×
 * @height values, with the smallest of solid, packed palette, palette
 * RLE, plain RLE and raw. @cpixel writes CPIXELs; @scratch is any
 * initialised table. Returns the subencoding. Palettes are never reused
 * from an earlier tile (TRLE's 127 and 129), so the tile stands alone. */
guint tile_rle_encode (const guint32         *values,
                       guint                  width,
                       guint                  height,
                       const TilePixelWriter *cpixel,
                       TileColours           *scratch,
                       GByteArray            *out);

G_END_DECLS
