/* tight.h — what the Tight and TightPNG encoders share: loading a tile's
 * pixel values, counting its colours, TPIXEL, the compact length, fill
 * and JPEG rectangles (rfbproto.rst "Tight Encoding", "Tight PNG
 * Encoding"). */
#pragma once

#include <glib.h>

#include "encoder.h"

G_BEGIN_DECLS

#define TIGHT_MAX_COLOURS 256

/* Compression-control values (the high four bits) and flags. */
#define TIGHT_FILL 0x80
#define TIGHT_JPEG 0x90
#define TIGHT_PNG 0xa0
#define TIGHT_EXPLICIT_FILTER 0x40

#define TIGHT_FILTER_COPY 0
#define TIGHT_FILTER_PALETTE 1
#define TIGHT_FILTER_GRADIENT 2

/* Less filtered data than this goes uncompressed (rfbproto.rst
 * "BasicCompression"). */
#define TIGHT_MIN_TO_COMPRESS 12

/* One rectangle's pixels, analysed. Lives in thread-local scratch space:
 * valid until the next tight_tile_load() on the same thread. */
typedef struct {
  const RfbPixelFormat *format;
  guint width, height, n_pixels;
  /* TPIXEL is three bytes, red, green, blue; values are then 0xRRGGBB
   * (the frame's colour) rather than the format's pixel value. */
  gboolean rgb24;
  guint tpixel_size;
  guint32 *values;          /* n_pixels pixel values, row after row */
  guint8 *indices;          /* each pixel's palette index, when n_colours <= 256 */
  guint32 palette[TIGHT_MAX_COLOURS];
  guint n_colours;          /* 1–256, or TIGHT_MAX_COLOURS + 1 for more */
  guint8 *data;             /* room for n_pixels * 4 bytes of filtered data */
  gint16 *rows;             /* room for two rows of three channels (gradient) */
} TightTile;

TightTile *tight_tile_load (const EncoderInput *input);

/* Writes @value as a TPIXEL; returns the byte after it. */
guint8 *tight_write_tpixel (const TightTile *tile, guint32 value, guint8 *dst);

/* @value as 0xRRGGBB, each channel scaled back up to 8 bits. */
guint32 tight_value_to_rgb (const TightTile *tile, guint32 value);

/* Whether a palette (with its indices, 1 bit per pixel for two colours)
 * is smaller than the pixels themselves. */
gboolean tight_palette_pays (const TightTile *tile);

/* Whether to send this tile as JPEG: the viewer allows it, the format has
 * 16 or 32 bits per pixel (rfbproto.rst), JPEG is built in, and the tile
 * is photo-like (too many colours for a palette that pays) and big enough
 * for JPEG's headers to pay. */
gboolean tight_use_jpeg (const TightTile *tile, const EncoderInput *input);

/* Appends FillCompression: the control byte and the one TPIXEL. */
void tight_append_fill (const TightTile *tile, GByteArray *out);

/* Appends JpegCompression; FALSE, with @out unchanged, if JPEG failed. */
gboolean tight_append_jpeg (const EncoderInput *input, GByteArray *out);

/* A compact length (1–3 bytes) goes in front of data whose size is not
 * known yet: reserve its room, append the data, then finish. */
guint tight_reserve_length (GByteArray *out);
void tight_finish_length (GByteArray *out, guint at);

/* Encodes @input's rectangle, a run of whole tiles in one tile row, as
 * @encoding: runs of photo-like tiles as single JPEG rectangles, every
 * other tile through @encode_tile. Returns the rectangles appended. */
guint tight_encode_span (const EncoderInput *input, gint32 encoding,
                         void (*encode_tile) (const EncoderInput *input, GByteArray *out),
                         GByteArray *out);

G_END_DECLS
