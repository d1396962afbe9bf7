/* trle.c — TRLE encoding (RFC 6143 "TRLE"; rfbproto.rst lists it as 15):
 * 16×16 tiles, each solid, packed palette, palette RLE, plain RLE or raw,
 * whichever is smallest (tile-analysis.c), with CPIXELs.
 *
 * Palettes are not reused from one tile to the next (subencodings 127
 * and 129), which keeps every tile independent of the one before it.
 * Runs on encoder threads.
 */
#include "encoder.h"

#include "../rfb.h"
#include "tile-analysis.h"

#define TRLE_TILE 16

void
enc_trle_encode (const EncoderInput *input, GByteArray *out)
{
  const cairo_rectangle_int_t *r = &input->rect;
  const Frame *frame = input->frame;
  TilePixelWriter cpixel;
  TileColours palette;
  guint32 values[TRLE_TILE * TRLE_TILE];

  rfb_append_rect_header (out, (guint16) r->x, (guint16) r->y,
                          (guint16) r->width, (guint16) r->height, RFB_ENCODING_TRLE);
  tile_pixel_writer_init (&cpixel, pixfmt_converter_get_format (input->converter), TRUE);
  tile_colours_init (&palette);

  for (int y = 0; y < r->height; y += TRLE_TILE)
    for (int x = 0; x < r->width; x += TRLE_TILE)
      {
        guint w = (guint) MIN (TRLE_TILE, r->width - x);
        guint h = (guint) MIN (TRLE_TILE, r->height - y);
        const guint8 *src = (const guint8 *) frame->pixels + (gsize) (r->y + y) * frame->stride +
                            (gsize) (r->x + x) * 4;

        pixfmt_convert_values (input->converter, (const guint32 *) (const void *) src,
                               frame->stride, w, h, values);
        tile_rle_encode (values, w, h, &cpixel, &palette, out);
      }
}
