/* pixfmt.c — RFB pixel formats and conversion from the snapshot.
 *
 * One generic converter handles every true-colour format (per-channel
 * lookup tables, then the bytes in the viewer's order); a small table of
 * fast paths covers the formats real viewers ask for. Converters are
 * immutable once made and used from encoder threads.
 */
#include "pixfmt.h"

#include <string.h>

#include "cairovnc.h"

const RfbPixelFormat pixfmt_server_default = {
  .bits_per_pixel = 32, .depth = 24, .big_endian = FALSE, .true_colour = TRUE,
  .red_max = 255, .green_max = 255, .blue_max = 255,
  .red_shift = 16, .green_shift = 8, .blue_shift = 0,
};

const RfbPixelFormat pixfmt_bgr233 = {
  .bits_per_pixel = 8, .depth = 8, .big_endian = FALSE, .true_colour = TRUE,
  .red_max = 7, .green_max = 7, .blue_max = 3,
  .red_shift = 0, .green_shift = 3, .blue_shift = 6,
};

void
pixfmt_parse (const guint8 *data, RfbPixelFormat *format)
{
  format->bits_per_pixel = data[0];
  format->depth = data[1];
  format->big_endian = data[2] != 0;
  format->true_colour = data[3] != 0;
  format->red_max = (guint16) ((data[4] << 8) | data[5]);
  format->green_max = (guint16) ((data[6] << 8) | data[7]);
  format->blue_max = (guint16) ((data[8] << 8) | data[9]);
  format->red_shift = data[10];
  format->green_shift = data[11];
  format->blue_shift = data[12];
}

void
pixfmt_write (const RfbPixelFormat *format, guint8 *data)
{
  memset (data, 0, RFB_PIXEL_FORMAT_LEN);
  data[0] = format->bits_per_pixel;
  data[1] = format->depth;
  data[2] = format->big_endian ? 1 : 0;
  data[3] = format->true_colour ? 1 : 0;
  data[4] = format->red_max >> 8;
  data[5] = format->red_max & 0xff;
  data[6] = format->green_max >> 8;
  data[7] = format->green_max & 0xff;
  data[8] = format->blue_max >> 8;
  data[9] = format->blue_max & 0xff;
  data[10] = format->red_shift;
  data[11] = format->green_shift;
  data[12] = format->blue_shift;
}

static gboolean
validate_channel (const char *name, guint max, guint shift, guint bpp, GError **error)
{
  if (max == 0)
    {
      g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL,
                   "%s-max is 0", name);
      return FALSE;
    }
  if ((max & (max + 1)) != 0)
    {
      g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL,
                   "%s-max %u is not one less than a power of two", name, max);
      return FALSE;
    }
  if (shift + g_bit_storage (max) > bpp)
    {
      g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL,
                   "%s channel (max %u, shift %u) does not fit in %u bits per pixel",
                   name, max, shift, bpp);
      return FALSE;
    }
  return TRUE;
}

/* Checks a true-colour format; colour-map formats are the caller's to map
 * (client.c serves 8-bit colour-map viewers BGR233 with a fixed map). */
gboolean
pixfmt_validate (const RfbPixelFormat *format, GError **error)
{
  guint bpp = format->bits_per_pixel;

  if (bpp != 8 && bpp != 16 && bpp != 32)
    {
      g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL,
                   "bits-per-pixel %u is not 8, 16 or 32", bpp);
      return FALSE;
    }
  if (!format->true_colour)
    {
      g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL,
                   "colour-map format with %u bits per pixel is not supported", bpp);
      return FALSE;
    }
  return validate_channel ("red", format->red_max, format->red_shift, bpp, error) &&
         validate_channel ("green", format->green_max, format->green_shift, bpp, error) &&
         validate_channel ("blue", format->blue_max, format->blue_shift, bpp, error);
}

gboolean
pixfmt_equal (const RfbPixelFormat *a, const RfbPixelFormat *b)
{
  PixfmtKey ka, kb;

  pixfmt_key (a, &ka);
  pixfmt_key (b, &kb);
  return memcmp (&ka, &kb, sizeof ka) == 0;
}

char *
pixfmt_to_string (const RfbPixelFormat *f)
{
  return g_strdup_printf ("%ubpp depth %u %s %s rgb max %u/%u/%u shift %u/%u/%u",
                          f->bits_per_pixel, f->depth,
                          f->big_endian ? "big-endian" : "little-endian",
                          f->true_colour ? "true-colour" : "colour-map",
                          f->red_max, f->green_max, f->blue_max,
                          f->red_shift, f->green_shift, f->blue_shift);
}

/* Depth changes the bytes on the wire only through the compact pixels of
 * ZRLE, TRLE and Tight; byte order does not at 8 bpp. */
void
pixfmt_key (const RfbPixelFormat *f, PixfmtKey *key)
{
  guint8 *k = key->bytes;

  memset (key, 0, sizeof *key);
  k[0] = f->bits_per_pixel;
  k[1] = f->bits_per_pixel > 8 && f->big_endian;
  k[2] = f->true_colour;
  k[3] = f->red_shift;
  k[4] = f->green_shift;
  k[5] = f->blue_shift;
  k[6] = f->red_max >> 8;
  k[7] = f->red_max & 0xff;
  k[8] = f->green_max >> 8;
  k[9] = f->green_max & 0xff;
  k[10] = f->blue_max >> 8;
  k[11] = f->blue_max & 0xff;
  k[12] = (guint8) ((pixfmt_has_compact_pixels (f) ? 1 : 0) | (pixfmt_has_tight_rgb_pixels (f) ? 2 : 0));
}

static guint32
colour_bits (const RfbPixelFormat *f)
{
  return ((guint32) f->red_max << f->red_shift) | ((guint32) f->green_max << f->green_shift) |
         ((guint32) f->blue_max << f->blue_shift);
}

gboolean
pixfmt_has_compact_pixels (const RfbPixelFormat *f)
{
  guint32 bits;

  if (!f->true_colour || f->bits_per_pixel != 32 || f->depth > 24)
    return FALSE;
  bits = colour_bits (f);
  return (bits & 0xff000000u) == 0 || (bits & 0x000000ffu) == 0;
}

gboolean
pixfmt_has_tight_rgb_pixels (const RfbPixelFormat *f)
{
  return f->true_colour && f->bits_per_pixel == 32 && f->depth == 24 &&
         f->red_max == 255 && f->green_max == 255 && f->blue_max == 255;
}

static guint32
scale_channel (guint value, guint max)
{
  return (value * max + 127) / 255;
}

guint32
pixfmt_convert_pixel (const RfbPixelFormat *f, guint32 xrgb)
{
  guint r = (xrgb >> 16) & 0xff, g = (xrgb >> 8) & 0xff, b = xrgb & 0xff;

  return (scale_channel (r, f->red_max) << f->red_shift) |
         (scale_channel (g, f->green_max) << f->green_shift) |
         (scale_channel (b, f->blue_max) << f->blue_shift);
}

typedef void (*ConvertRowFunc) (const PixfmtConverter *c, const guint32 *src,
                                guint w, guint8 *dst);

struct _PixfmtConverter {
  RfbPixelFormat format;
  ConvertRowFunc convert_row;
  gboolean values_are_xrgb;  /* pixel values are the snapshot's, less alpha */
  guint32 red[256], green[256], blue[256];
};

static void
convert_row_generic (const PixfmtConverter *c, const guint32 *src, guint w, guint8 *dst)
{
  for (guint i = 0; i < w; i++)
    {
      guint32 p = src[i];
      dst = pixfmt_write_value (&c->format,
                                c->red[(p >> 16) & 0xff] | c->green[(p >> 8) & 0xff] | c->blue[p & 0xff],
                                dst);
    }
}

/* 32 bpp x8r8g8b8 in the host's byte order: the snapshot itself, with the
 * alpha (or padding) byte cleared. */
static void
convert_row_xrgb_native (const PixfmtConverter *c, const guint32 *src, guint w, guint8 *dst)
{
  guint32 *out = (guint32 *) (void *) dst;

  for (guint i = 0; i < w; i++)
    out[i] = src[i] & 0x00ffffff;
}

/* 32 bpp x8r8g8b8 in the other byte order. */
static void
convert_row_xrgb_swapped (const PixfmtConverter *c, const guint32 *src, guint w, guint8 *dst)
{
  guint32 *out = (guint32 *) (void *) dst;

  for (guint i = 0; i < w; i++)
    out[i] = GUINT32_SWAP_LE_BE (src[i] & 0x00ffffff);
}

/* 32 bpp x8b8g8r8 in the host's byte order. */
static void
convert_row_xbgr_native (const PixfmtConverter *c, const guint32 *src, guint w, guint8 *dst)
{
  guint32 *out = (guint32 *) (void *) dst;

  for (guint i = 0; i < w; i++)
    {
      guint32 p = src[i];
      out[i] = ((p >> 16) & 0xff) | (p & 0xff00) | ((p & 0xff) << 16);
    }
}

/* 16 bpp r5g6b5 in the host's byte order. */
static void
convert_row_rgb565_native (const PixfmtConverter *c, const guint32 *src, guint w, guint8 *dst)
{
  guint16 *out = (guint16 *) (void *) dst;

  for (guint i = 0; i < w; i++)
    {
      guint32 p = src[i];
      out[i] = (guint16) (c->red[(p >> 16) & 0xff] | c->green[(p >> 8) & 0xff] | c->blue[p & 0xff]);
    }
}

/* The fast paths, picked by exact format (after the generic tables are
 * built, which some of them use). */
typedef struct {
  guint8 bpp;
  gboolean host_order;
  guint16 red_max, green_max, blue_max;
  guint8 red_shift, green_shift, blue_shift;
  ConvertRowFunc convert_row;
} FastPath;

static const FastPath fast_paths[] = {
  { 32, TRUE, 255, 255, 255, 16, 8, 0, convert_row_xrgb_native },
  { 32, FALSE, 255, 255, 255, 16, 8, 0, convert_row_xrgb_swapped },
  { 32, TRUE, 255, 255, 255, 0, 8, 16, convert_row_xbgr_native },
  { 16, TRUE, 31, 63, 31, 11, 5, 0, convert_row_rgb565_native },
};

static ConvertRowFunc
pick_convert_row (const RfbPixelFormat *f)
{
  gboolean host_big = G_BYTE_ORDER == G_BIG_ENDIAN;
  gboolean host_order = f->bits_per_pixel == 8 || (f->big_endian != 0) == host_big;

  for (gsize i = 0; i < G_N_ELEMENTS (fast_paths); i++)
    {
      const FastPath *fp = &fast_paths[i];
      if (fp->bpp == f->bits_per_pixel && fp->host_order == host_order &&
          fp->red_max == f->red_max && fp->green_max == f->green_max &&
          fp->blue_max == f->blue_max && fp->red_shift == f->red_shift &&
          fp->green_shift == f->green_shift && fp->blue_shift == f->blue_shift)
        return fp->convert_row;
    }
  return convert_row_generic;
}

PixfmtConverter *
pixfmt_converter_new (const RfbPixelFormat *format)
{
  PixfmtConverter *c = g_atomic_rc_box_new0 (PixfmtConverter);

  c->format = *format;
  for (guint v = 0; v < 256; v++)
    {
      c->red[v] = scale_channel (v, format->red_max) << format->red_shift;
      c->green[v] = scale_channel (v, format->green_max) << format->green_shift;
      c->blue[v] = scale_channel (v, format->blue_max) << format->blue_shift;
    }
  c->convert_row = pick_convert_row (format);
  c->values_are_xrgb = format->red_max == 255 && format->green_max == 255 && format->blue_max == 255 &&
                       format->red_shift == 16 && format->green_shift == 8 && format->blue_shift == 0;
  return c;
}

PixfmtConverter *
pixfmt_converter_ref (PixfmtConverter *converter)
{
  return g_atomic_rc_box_acquire (converter);
}

void
pixfmt_converter_unref (PixfmtConverter *converter)
{
  g_atomic_rc_box_release (converter);
}

const RfbPixelFormat *
pixfmt_converter_get_format (const PixfmtConverter *converter)
{
  return &converter->format;
}

void
pixfmt_convert (const PixfmtConverter *c,
                const guint32         *src,
                gsize                  src_stride,
                guint                  w,
                guint                  h,
                guint8                *dst)
{
  gsize dst_stride = (gsize) w * pixfmt_bytes_per_pixel (&c->format);

  for (guint y = 0; y < h; y++)
    {
      c->convert_row (c, src, w, dst);
      src = (const guint32 *) (const void *) ((const guint8 *) src + src_stride);
      dst += dst_stride;
    }
}

void
pixfmt_convert_values (const PixfmtConverter *c,
                       const guint32         *src,
                       gsize                  src_stride,
                       guint                  w,
                       guint                  h,
                       guint32               *dst)
{
  for (guint y = 0; y < h; y++)
    {
      if (c->values_are_xrgb)
        {
          for (guint x = 0; x < w; x++)
            dst[x] = src[x] & 0x00ffffff;
        }
      else
        {
          for (guint x = 0; x < w; x++)
            {
              guint32 p = src[x];
              dst[x] = c->red[(p >> 16) & 0xff] | c->green[(p >> 8) & 0xff] | c->blue[p & 0xff];
            }
        }
      dst += w;
      src = (const guint32 *) (const void *) ((const guint8 *) src + src_stride);
    }
}

guint8 *
pixfmt_write_value (const RfbPixelFormat *format, guint32 value, guint8 *dst)
{
  switch (format->bits_per_pixel)
    {
    case 8:
      *dst++ = (guint8) value;
      break;
    case 16:
      if (format->big_endian)
        {
          *dst++ = (guint8) (value >> 8);
          *dst++ = (guint8) value;
        }
      else
        {
          *dst++ = (guint8) value;
          *dst++ = (guint8) (value >> 8);
        }
      break;
    default:
      if (format->big_endian)
        {
          *dst++ = (guint8) (value >> 24);
          *dst++ = (guint8) (value >> 16);
          *dst++ = (guint8) (value >> 8);
          *dst++ = (guint8) value;
        }
      else
        {
          *dst++ = (guint8) value;
          *dst++ = (guint8) (value >> 8);
          *dst++ = (guint8) (value >> 16);
          *dst++ = (guint8) (value >> 24);
        }
      break;
    }
  return dst;
}
