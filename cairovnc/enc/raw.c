/* raw.c — Raw encoding (rfbproto.rst "Raw Encoding"): the pixels, row by
 * row, in the viewer's pixel format. The oracle the other encoders are
 * tested against. */
#include "encoder.h"

#include "../rfb.h"

void
enc_raw_encode (const EncoderInput *input, GByteArray *out)
{
  const cairo_rectangle_int_t *r = &input->rect;
  const Frame *frame = input->frame;
  guint bpp = pixfmt_bytes_per_pixel (pixfmt_converter_get_format (input->converter));
  gsize header_len, payload_len = (gsize) r->width * (gsize) r->height * bpp;
  const guint32 *src;

  rfb_append_rect_header (out, (guint16) r->x, (guint16) r->y,
                          (guint16) r->width, (guint16) r->height, RFB_ENCODING_RAW);
  header_len = out->len;
  g_byte_array_set_size (out, (guint) (header_len + payload_len));
  src = (const guint32 *) (const void *) ((const guint8 *) frame->pixels +
                                          (gsize) r->y * frame->stride + (gsize) r->x * 4);
  pixfmt_convert (input->converter, src, frame->stride, (guint) r->width, (guint) r->height,
                  out->data + header_len);
}
