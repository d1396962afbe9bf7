/* encoder.h — the encoder interface.
 *
 * An encoder is a pure function from (frame pixels, rectangle, pixel
 * format, parameters) to the bytes of one rectangle on the wire, header
 * included. Encoders never see a viewer, a socket or the cache, and run on
 * the encoder threads, so the bytes they make can be shared by every
 * viewer that asked for the same thing.
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "../frame.h"
#include "../pixfmt.h"

G_BEGIN_DECLS

/* Everything that makes encoded bytes differ, apart from the pixels.
 * Compared with memcmp(): zero it before filling it in, and let
 * encoder_normalize_params() clear what the encoding ignores. */
typedef struct {
  gint32 encoding;
  gint8 compress_level;   /* 0–9: zlib level (the viewer's, else the server's) */
  gint8 quality_level;    /* 0–9 from QualityLevel, or -1: lossless only */
  gint8 fine_quality;     /* 0–100 from fine-grained JPEG quality, or -1 */
  gint8 subsampling;      /* 0–5 from JPEG subsampling (1X, 4X, 2X, gray,
                           * 8X, 16X), or -1 */
  PixfmtKey format;
} EncoderParams;

typedef struct {
  const Frame *frame;
  cairo_rectangle_int_t rect;
  const PixfmtConverter *converter;
  const EncoderParams *params;
  gboolean span;          /* rect is a run of tiles in one tile row */
} EncoderInput;

gboolean encoder_is_supported (gint32 encoding);
const char *encoder_name (gint32 encoding);

/* Clears the parameters @params->encoding does not use, so that viewers
 * that differ only in those share encoded tiles. */
void encoder_normalize_params (EncoderParams *params);

/* zlib and ZRLE rectangles go into one zlib stream per viewer
 * (rfbproto.rst "zlib Encoding"). Each cached rectangle is raw deflate
 * from a fresh compressor, flushed to a byte boundary, so it continues any
 * stream; only the stream's first rectangle must carry the two-byte zlib
 * header. */
#define ENCODER_N_ZLIB_STREAMS 2
/* Which of a viewer's ENCODER_N_ZLIB_STREAMS zlib streams @encoding
 * continues, or -1 for none. */
int encoder_zlib_stream (gint32 encoding);
/* A copy of @rect (header, U32 length, deflate data) with the zlib header
 * put in front of its data. */
GBytes *encoder_start_zlib_stream (GBytes *rect);

/* Rectangles may span several tiles of one tile row, up to this width
 * (Tight's limit), for viewers where encoder_uses_spans() says so: Tight
 * and TightPNG when JPEG is allowed, so that photo-like neighbours share
 * one JPEG and its tables. Other rectangles stay within one tile. */
#define ENCODER_MAX_SPAN_WIDTH 2048
gboolean encoder_uses_spans (const EncoderParams *params, const RfbPixelFormat *format);

/* The whole rectangle, header and payload; for a span, the several
 * rectangles it became, their number in *@n_rects. */
GBytes *encoder_encode (const EncoderInput *input, guint *n_rects);

/* One function per encoding; each appends header and payload to @out. */
void enc_raw_encode (const EncoderInput *input, GByteArray *out);
void enc_zlib_encode (const EncoderInput *input, GByteArray *out);
void enc_tight_encode (const EncoderInput *input, GByteArray *out);
void enc_tightpng_encode (const EncoderInput *input, GByteArray *out);
void enc_rre_encode (const EncoderInput *input, GByteArray *out);
void enc_hextile_encode (const EncoderInput *input, GByteArray *out);
void enc_trle_encode (const EncoderInput *input, GByteArray *out);
void enc_zrle_encode (const EncoderInput *input, GByteArray *out);
guint enc_tight_encode_span (const EncoderInput *input, GByteArray *out);
guint enc_tightpng_encode_span (const EncoderInput *input, GByteArray *out);

G_END_DECLS
