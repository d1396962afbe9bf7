/* pixfmt.h — RFB pixel formats and conversion from the snapshot.
 *
 * Snapshots hold cairo's native-endian 32-bit pixels (x8r8g8b8, premultiplied
 * when the surface had alpha, i.e. composited over black). A
 * PixfmtConverter turns rows of those into any true-colour RFB format of 8,
 * 16 or 32 bits per pixel. Converters are immutable and shared between
 * threads.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RFB_PIXEL_FORMAT_LEN 16

/* The PIXEL_FORMAT structure of rfbproto.rst, unpacked. */
typedef struct {
  guint8 bits_per_pixel;
  guint8 depth;
  gboolean big_endian;
  gboolean true_colour;
  guint16 red_max, green_max, blue_max;
  guint8 red_shift, green_shift, blue_shift;
} RfbPixelFormat;

/* The format the server announces in ServerInit: 32 bpp, depth 24,
 * little-endian, red at bit 16. */
extern const RfbPixelFormat pixfmt_server_default;

/* BGR233: what a colour-map viewer is served, with a matching colour map. */
extern const RfbPixelFormat pixfmt_bgr233;

void pixfmt_parse (const guint8 *data, RfbPixelFormat *format);
void pixfmt_write (const RfbPixelFormat *format, guint8 *data);

gboolean pixfmt_validate (const RfbPixelFormat *format, GError **error);
gboolean pixfmt_equal (const RfbPixelFormat *a, const RfbPixelFormat *b);
char *pixfmt_to_string (const RfbPixelFormat *format);

static inline guint
pixfmt_bytes_per_pixel (const RfbPixelFormat *format)
{
  return format->bits_per_pixel / 8;
}

/* A key of fixed size that identifies a format for caches: formats that
 * give the same bytes on the wire for every encoding give equal keys. */
typedef struct {
  guint8 bytes[13];
} PixfmtKey;

/* Whether ZRLE's and TRLE's CPIXEL is 3 bytes for this format
 * (rfbproto.rst "ZRLE Encoding"): true colour, 32 bits per pixel, depth
 * 24 or less, and the colour bits all in the low or all in the high three
 * bytes. */
gboolean pixfmt_has_compact_pixels (const RfbPixelFormat *format);

/* Whether Tight's TPIXEL is 3 bytes of red, green, blue (rfbproto.rst
 * "Tight Encoding"): 32 bits per pixel, depth 24, each channel 0–255. */
gboolean pixfmt_has_tight_rgb_pixels (const RfbPixelFormat *format);

void pixfmt_key (const RfbPixelFormat *format, PixfmtKey *key);

typedef struct _PixfmtConverter PixfmtConverter;

PixfmtConverter *pixfmt_converter_new (const RfbPixelFormat *format);
PixfmtConverter *pixfmt_converter_ref (PixfmtConverter *converter);
void pixfmt_converter_unref (PixfmtConverter *converter);
const RfbPixelFormat *pixfmt_converter_get_format (const PixfmtConverter *converter);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PixfmtConverter, pixfmt_converter_unref)

/* Converts a wxh block of snapshot pixels (src_stride in bytes) into
 * packed rows of the converter's format at dst (w * bpp bytes per row). */
void pixfmt_convert (const PixfmtConverter *converter,
                     const guint32         *src,
                     gsize                  src_stride,
                     guint                  w,
                     guint                  h,
                     guint8                *dst);

/* Converts a w×h block into pixel values (not bytes), one guint32 per
 * pixel, packed: what encoders analyse (colours, runs, palettes). */
void pixfmt_convert_values (const PixfmtConverter *converter,
                            const guint32         *src,
                            gsize                  src_stride,
                            guint                  w,
                            guint                  h,
                            guint32               *dst);

/* Writes one pixel value as the format's bytes (bits-per-pixel / 8 of
 * them, in its byte order); returns the byte after it. */
guint8 *pixfmt_write_value (const RfbPixelFormat *format, guint32 value, guint8 *dst);

/* Converts one pixel; the oracle the fast paths are tested against. */
guint32 pixfmt_convert_pixel (const RfbPixelFormat *format, guint32 xrgb);

G_END_DECLS
