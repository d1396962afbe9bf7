/* tightpng.c — TightPNG encoding (rfbproto.rst "Tight PNG Encoding"):
 * Tight without BasicCompression. Each rectangle is FillCompression (one
 * colour), JpegCompression (photo-like tiles, when the viewer sent a
 * quality level) or PngCompression: an indexed PNG for up to 256 colours,
 * otherwise truecolour. noVNC, the viewer that asks for it, hands the PNG
 * and JPEG data to the browser as images and reads fills as three bytes
 * (it always uses 32 bpp, depth 24, where TPIXEL is three bytes).
 *
 * PNG carries 8-bit channels: for formats with fewer bits, the pixel
 * values are scaled back up, so a viewer that reduces them again gets the
 * values it would get from any other encoding. No zlib stream is used,
 * so no reset bits are needed. Runs on encoder threads.
 */
#include "encoder.h"

#include "../rfb.h"
#include "png.h"
#include "tight.h"

void
enc_tightpng_encode (const EncoderInput *input, GByteArray *out)
{
  const cairo_rectangle_int_t *r = &input->rect;
  int level = input->params->compress_level;
  TightTile *tile;
  guint at;

  rfb_append_rect_header (out, (guint16) r->x, (guint16) r->y,
                          (guint16) r->width, (guint16) r->height, RFB_ENCODING_TIGHT_PNG);
  tile = tight_tile_load (input);
  if (tile->n_colours == 1)
    {
      tight_append_fill (tile, out);
      return;
    }
  if (tile->n_pixels > 0 && tight_use_jpeg (tile, input) && tight_append_jpeg (input, out))
    return;

  rfb_append_u8 (out, TIGHT_PNG);
  at = tight_reserve_length (out);
  if (tile->n_colours <= TIGHT_MAX_COLOURS && tile->n_pixels > 0)
    {
      guint32 palette[TIGHT_MAX_COLOURS];

      for (guint i = 0; i < tile->n_colours; i++)
        palette[i] = tight_value_to_rgb (tile, tile->palette[i]);
      enc_png_write_indexed (tile->width, tile->height, palette, tile->n_colours, tile->indices, level, out);
    }
  else
    {
      guint8 *rgb = tile->data;

      for (guint i = 0; i < tile->n_pixels; i++)
        {
          guint32 c = tight_value_to_rgb (tile, tile->values[i]);
          *rgb++ = (guint8) (c >> 16);
          *rgb++ = (guint8) (c >> 8);
          *rgb++ = (guint8) c;
        }
      enc_png_write_rgb (tile->width, tile->height, tile->data, level, out);
    }
  tight_finish_length (out, at);
}

guint
enc_tightpng_encode_span (const EncoderInput *input, GByteArray *out)
{
  return tight_encode_span (input, RFB_ENCODING_TIGHT_PNG, enc_tightpng_encode, out);
}
