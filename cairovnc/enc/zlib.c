/* zlib.c — zlib encoding (rfbproto.rst "zlib Encoding"): the Raw pixels
 * of the rectangle, compressed, after a U32 length.
 *
 * The viewer inflates every zlib rectangle with one stream for the whole
 * connection. Each rectangle here is raw deflate from a fresh compressor,
 * flushed to a byte boundary (enc_deflate), so it continues any viewer's
 * stream and can be shared; client.c puts the two-byte zlib header in
 * front of a viewer's first zlib rectangle. Runs on encoder threads.
 */
#include "encoder.h"

#include "../rfb.h"
#include "deflate.h"

/* The converted pixels of one rectangle; rectangles are tiles, so this
 * stays at 16 KiB per thread. */
static GPrivate raw_scratch = G_PRIVATE_INIT ((GDestroyNotify) g_byte_array_unref);

static GByteArray *
get_scratch (gsize size)
{
  GByteArray *scratch = g_private_get (&raw_scratch);

  if (scratch == NULL)
    {
      scratch = g_byte_array_sized_new ((guint) MAX (size, (gsize) TILE_SIZE * TILE_SIZE * 4));
      g_private_set (&raw_scratch, scratch);
    }
  g_byte_array_set_size (scratch, (guint) size);
  return scratch;
}

void
enc_zlib_encode (const EncoderInput *input, GByteArray *out)
{
  const cairo_rectangle_int_t *r = &input->rect;
  const Frame *frame = input->frame;
  guint bpp = pixfmt_bytes_per_pixel (pixfmt_converter_get_format (input->converter));
  gsize raw_len = (gsize) r->width * (gsize) r->height * bpp;
  GByteArray *raw = get_scratch (raw_len);
  const guint32 *src;
  guint length_at;

  rfb_append_rect_header (out, (guint16) r->x, (guint16) r->y,
                          (guint16) r->width, (guint16) r->height, RFB_ENCODING_ZLIB);
  length_at = out->len;
  rfb_append_u32 (out, 0);
  src = (const guint32 *) (const void *) ((const guint8 *) frame->pixels +
                                          (gsize) r->y * frame->stride + (gsize) r->x * 4);
  pixfmt_convert (input->converter, src, frame->stride, (guint) r->width, (guint) r->height, raw->data);
  enc_deflate (DEFLATE_RAW, input->params->compress_level, raw->data, raw_len, out);
  rfb_put_u32 (out->data + length_at, out->len - length_at - 4);
}
