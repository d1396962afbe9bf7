/* rre.c — RRE encoding (rfbproto.rst "RRE Encoding"): a background pixel
 * and single-colour subrectangles of 8 bytes plus a PIXEL each.
 *
 * The background is the most frequent colour. When the subrectangles
 * would cost more than the pixels themselves (noise, photographs, smooth
 * gradients) the rectangle goes as Raw instead, which every viewer
 * decodes: RRE has no raw fallback of its own. Runs on encoder threads.
 */
#include "encoder.h"

#include "../rfb.h"
#include "tile-analysis.h"

/* Values and coverage of a 64×64 tile fit on the stack. */
#define STACK_PIXELS (TILE_SIZE * TILE_SIZE)

void
enc_rre_encode (const EncoderInput *input, GByteArray *out)
{
  const cairo_rectangle_int_t *r = &input->rect;
  const Frame *frame = input->frame;
  const RfbPixelFormat *format = pixfmt_converter_get_format (input->converter);
  const gsize n = (gsize) r->width * (gsize) r->height;
  const gsize bpp = pixfmt_bytes_per_pixel (format);
  const gsize raw_size = n * bpp;
  guint32 stack_values[STACK_PIXELS];
  guint8 stack_covered[STACK_PIXELS];
  guint32 *values = stack_values;
  guint8 *covered = stack_covered;
  TileColours colours;
  TilePixelWriter writer;
  TileSubrectFinder finder;
  TileSubrect subrect;
  guint32 background, n_subrects = 0;
  gsize start, size;
  gboolean too_big = FALSE;

  if (n == 0)
    {
      /* Nothing to analyse: an empty rectangle is just its header. */
      enc_raw_encode (input, out);
      return;
    }
  if (n > STACK_PIXELS)
    {
      values = g_new (guint32, n);
      covered = g_new (guint8, n);
    }
  pixfmt_convert_values (input->converter,
                         (const guint32 *) (const void *) ((const guint8 *) frame->pixels +
                                                           (gsize) r->y * frame->stride +
                                                           (gsize) r->x * 4),
                         frame->stride, (guint) r->width, (guint) r->height, values);

  tile_colours_init (&colours);
  tile_colours_count (&colours, TILE_COLOURS_MAX, values, n);
  background = tile_colours_most_frequent (&colours);
  tile_pixel_writer_init (&writer, format, FALSE);

  start = out->len;
  rfb_append_rect_header (out, (guint16) r->x, (guint16) r->y,
                          (guint16) r->width, (guint16) r->height, RFB_ENCODING_RRE);
  size = 4 + bpp;
  g_byte_array_set_size (out, (guint) (start + 12 + size));
  tile_write_pixel (&writer, background, out->data + start + 16);

  /* A tiny rectangle can be smaller raw even when it is solid. */
  too_big = size > raw_size;
  tile_subrect_finder_init (&finder, values, (guint) r->width, (guint) r->height, background, covered);
  while (!too_big && tile_subrect_finder_next (&finder, &subrect))
    {
      guint8 *p;

      size += bpp + 8;
      if (size > raw_size)
        {
          too_big = TRUE;
          break;
        }
      g_byte_array_set_size (out, (guint) (start + 12 + size));
      p = tile_write_pixel (&writer, subrect.value, out->data + start + 12 + size - bpp - 8);
      rfb_put_u16 (p, (guint16) subrect.x);
      rfb_put_u16 (p + 2, (guint16) subrect.y);
      rfb_put_u16 (p + 4, (guint16) subrect.width);
      rfb_put_u16 (p + 6, (guint16) subrect.height);
      n_subrects++;
    }

  if (too_big)
    {
      g_byte_array_set_size (out, (guint) start);
      enc_raw_encode (input, out);
    }
  else
    {
      rfb_put_u32 (out->data + start + 12, n_subrects);
    }

  if (values != stack_values)
    {
      g_free (values);
      g_free (covered);
    }
}
