/* cursor.c — copying the program's cursor surface, and its two wire forms.
 *
 * The copy is made on the thread that sets the cursor; the rectangles are
 * built on the server context, per viewer for the Cursor pseudo-encoding
 * (its pixels are in the viewer's format) and alike for every viewer for
 * Cursor With Alpha.
 */
#include "cursor.h"

#include <string.h>

#include "cairovnc.h"
#include "rfb.h"

Cursor *
cursor_new_from_surface (cairo_surface_t *surface, int hot_x, int hot_y, GError **error)
{
  cairo_format_t format;
  int width, height, stride;
  const guint8 *data;
  Cursor *cursor;

  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_UNSUPPORTED_SURFACE,
                   "The cursor surface is in an error state: %s",
                   cairo_status_to_string (cairo_surface_status (surface)));
      return NULL;
    }
  if (cairo_surface_get_type (surface) != CAIRO_SURFACE_TYPE_IMAGE)
    {
      g_set_error_literal (error, CAIROVNC_ERROR, CAIROVNC_ERROR_UNSUPPORTED_SURFACE,
                           "The cursor must be an image surface");
      return NULL;
    }
  format = cairo_image_surface_get_format (surface);
  if (format != CAIRO_FORMAT_ARGB32 && format != CAIRO_FORMAT_RGB24)
    {
      g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_UNSUPPORTED_SURFACE,
                   "Cursor surfaces of pixel format %d cannot be used: "
                   "use CAIRO_FORMAT_ARGB32 or CAIRO_FORMAT_RGB24", (int) format);
      return NULL;
    }
  width = cairo_image_surface_get_width (surface);
  height = cairo_image_surface_get_height (surface);
  if (width < 1 || height < 1 || width > CURSOR_MAX_SIZE || height > CURSOR_MAX_SIZE)
    {
      g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_UNSUPPORTED_SURFACE,
                   "A cursor of %dx%d pixels cannot be used: from 1x1 to %dx%d", width, height,
                   CURSOR_MAX_SIZE, CURSOR_MAX_SIZE);
      return NULL;
    }
  if (hot_x < 0 || hot_y < 0 || hot_x >= width || hot_y >= height)
    {
      g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_UNSUPPORTED_SURFACE,
                   "The cursor's hotspot %d,%d lies outside its %dx%d pixels", hot_x, hot_y,
                   width, height);
      return NULL;
    }

  cursor = g_new0 (Cursor, 1);
  cursor->ref = 1;
  cursor->width = width;
  cursor->height = height;
  cursor->hot_x = hot_x;
  cursor->hot_y = hot_y;
  cursor->pixels = g_new (guint32, (gsize) width * (gsize) height);

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int y = 0; y < height; y++)
    {
      const guint32 *row = (const guint32 *) (const void *) (data + (gsize) y * (gsize) stride);
      guint32 *dst = cursor->pixels + (gsize) y * (gsize) width;

      memcpy (dst, row, (gsize) width * 4);
      /* RGB24 leaves the top byte undefined. */
      if (format == CAIRO_FORMAT_RGB24)
        for (int x = 0; x < width; x++)
          dst[x] |= 0xff000000u;
    }
  return cursor;
}

Cursor *
cursor_ref (Cursor *cursor)
{
  g_atomic_int_inc (&cursor->ref);
  return cursor;
}

void
cursor_unref (Cursor *cursor)
{
  if (cursor == NULL || !g_atomic_int_dec_and_test (&cursor->ref))
    return;
  g_free (cursor->pixels);
  g_free (cursor);
}

/* Premultiplied ARGB to the colour a bitmask cursor shows: opaque x8r8g8b8
 * without the premultiplication, so a half-covered edge keeps its colour. */
static guint32
unpremultiply (guint32 argb)
{
  guint a = argb >> 24;
  guint r = (argb >> 16) & 0xff, g = (argb >> 8) & 0xff, b = argb & 0xff;

  if (a == 0)
    return 0;
  if (a < 255)
    {
      r = MIN (255u, (r * 255 + a / 2) / a);
      g = MIN (255u, (g * 255 + a / 2) / a);
      b = MIN (255u, (b * 255 + a / 2) / a);
    }
  return (r << 16) | (g << 8) | b;
}

void
cursor_append_rect (const Cursor *cursor, const PixfmtConverter *converter, GByteArray *out)
{
  const RfbPixelFormat *format = pixfmt_converter_get_format (converter);
  gsize n_pixels, mask_row;
  g_autofree guint32 *colours = NULL;
  guint old_len;

  if (cursor == NULL)
    {
      rfb_append_rect_header (out, 0, 0, 0, 0, RFB_ENCODING_CURSOR);
      return;
    }
  rfb_append_rect_header (out, (guint16) cursor->hot_x, (guint16) cursor->hot_y, (guint16) cursor->width,
                          (guint16) cursor->height, RFB_ENCODING_CURSOR);

  n_pixels = (gsize) cursor->width * (gsize) cursor->height;
  colours = g_new (guint32, n_pixels);
  for (gsize i = 0; i < n_pixels; i++)
    colours[i] = unpremultiply (cursor->pixels[i]);
  old_len = out->len;
  g_byte_array_set_size (out, old_len + (guint) (n_pixels * pixfmt_bytes_per_pixel (format)));
  pixfmt_convert (converter, colours, (gsize) cursor->width * 4, (guint) cursor->width,
                  (guint) cursor->height, out->data + old_len);

  /* Rows of whole bytes, the leftmost pixel in the top bit. */
  mask_row = ((gsize) cursor->width + 7) / 8;
  old_len = out->len;
  g_byte_array_set_size (out, old_len + (guint) (mask_row * (gsize) cursor->height));
  memset (out->data + old_len, 0, mask_row * (gsize) cursor->height);
  for (int y = 0; y < cursor->height; y++)
    for (int x = 0; x < cursor->width; x++)
      if ((cursor->pixels[(gsize) y * (gsize) cursor->width + (gsize) x] >> 24) >= CURSOR_MASK_ALPHA)
        out->data[old_len + (gsize) y * mask_row + (gsize) x / 8] |= (guint8) (0x80u >> (x % 8));
}

void
cursor_append_alpha_rect (const Cursor *cursor, GByteArray *out)
{
  gsize n_pixels;
  guint old_len;
  guint8 *p;

  if (cursor == NULL)
    {
      rfb_append_rect_header (out, 0, 0, 0, 0, RFB_ENCODING_CURSOR_WITH_ALPHA);
      rfb_append_u32 (out, RFB_ENCODING_RAW);
      return;
    }
  rfb_append_rect_header (out, (guint16) cursor->hot_x, (guint16) cursor->hot_y, (guint16) cursor->width,
                          (guint16) cursor->height, RFB_ENCODING_CURSOR_WITH_ALPHA);
  rfb_append_u32 (out, RFB_ENCODING_RAW);
  n_pixels = (gsize) cursor->width * (gsize) cursor->height;
  old_len = out->len;
  g_byte_array_set_size (out, old_len + (guint) (n_pixels * 4));
  p = out->data + old_len;
  /* cairo's ARGB32 is premultiplied already, as the encoding wants. */
  for (gsize i = 0; i < n_pixels; i++)
    {
      guint32 argb = cursor->pixels[i];
      *p++ = (argb >> 16) & 0xff;
      *p++ = (argb >> 8) & 0xff;
      *p++ = argb & 0xff;
      *p++ = argb >> 24;
    }
}
