/* zrle.c — ZRLE encoding (rfbproto.rst "ZRLE Encoding"): TRLE's tile
 * coding on 64×64 tiles, zlib-compressed, after a U32 length.
 *
 * A rectangle is normally one of the frame's 64×64 tiles, so it is
 * exactly one ZRLE tile. Its data is compressed from a fresh compressor
 * and sync-flushed (enc_deflate, DEFLATE_RAW), so the bytes continue any
 * viewer's zlib stream; client.c puts the zlib header in front of each
 * viewer's first ZRLE rectangle (encoder_start_zlib_stream). Runs on
 * encoder threads.
 */
#include "encoder.h"

#include "../rfb.h"
#include "deflate.h"
#include "tile-analysis.h"

#define ZRLE_TILE 64
#define MAX_KEPT_SCRATCH (4 * (1 + ZRLE_TILE * ZRLE_TILE * 4))

/* The uncompressed tiles, kept per thread so encoding allocates nothing
 * once the buffer has grown to a tile's size. */
static void
free_scratch (gpointer data)
{
  g_byte_array_unref (data);
}

static GPrivate scratch_key = G_PRIVATE_INIT (free_scratch);

static GByteArray *
get_scratch (void)
{
  GByteArray *scratch = g_private_get (&scratch_key);

  if (scratch == NULL)
    {
      scratch = g_byte_array_sized_new (1 + ZRLE_TILE * ZRLE_TILE * 4);
      g_private_set (&scratch_key, scratch);
    }
  g_byte_array_set_size (scratch, 0);
  return scratch;
}

void
enc_zrle_encode (const EncoderInput *input, GByteArray *out)
{
  const cairo_rectangle_int_t *r = &input->rect;
  const Frame *frame = input->frame;
  GByteArray *tiles = get_scratch ();
  TilePixelWriter cpixel;
  TileColours palette;
  guint32 values[ZRLE_TILE * ZRLE_TILE];
  guint length_at;

  tile_pixel_writer_init (&cpixel, pixfmt_converter_get_format (input->converter), TRUE);
  tile_colours_init (&palette);
  for (int y = 0; y < r->height; y += ZRLE_TILE)
    for (int x = 0; x < r->width; x += ZRLE_TILE)
      {
        guint w = (guint) MIN (ZRLE_TILE, r->width - x);
        guint h = (guint) MIN (ZRLE_TILE, r->height - y);
        const guint8 *src = (const guint8 *) frame->pixels + (gsize) (r->y + y) * frame->stride +
                            (gsize) (r->x + x) * 4;

        pixfmt_convert_values (input->converter, (const guint32 *) (const void *) src,
                               frame->stride, w, h, values);
        tile_rle_encode (values, w, h, &cpixel, &palette, tiles);
      }

  rfb_append_rect_header (out, (guint16) r->x, (guint16) r->y,
                          (guint16) r->width, (guint16) r->height, RFB_ENCODING_ZRLE);
  length_at = out->len;
  rfb_append_u32 (out, 0);
  enc_deflate (DEFLATE_RAW, input->params->compress_level, tiles->data, tiles->len, out);
  rfb_put_u32 (out->data + length_at, out->len - length_at - 4);
  /* Rectangles bigger than a tile are rare: do not keep their memory. */
  if (tiles->len > MAX_KEPT_SCRATCH)
    g_private_replace (&scratch_key, NULL);
}
