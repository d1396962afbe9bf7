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

/* Everything that makes encoded bytes differ, apart from the pixels. */
typedef struct {
  gint32 encoding;
  gint8 compress_level;   /* 0–9, or -1 for the encoder's default */
  gint8 quality_level;    /* 0–9, or -1 for lossless */
  guint8 padding[2];
  PixfmtKey format;
} EncoderParams;

typedef struct {
  const Frame *frame;
  cairo_rectangle_int_t rect;
  const PixfmtConverter *converter;
  const EncoderParams *params;
} EncoderInput;

gboolean encoder_is_supported (gint32 encoding);
const char *encoder_name (gint32 encoding);

/* The whole rectangle: its 12-byte header and its payload. */
GBytes *encoder_encode (const EncoderInput *input);

/* One function per encoding; each appends header and payload to @out. */
void enc_raw_encode (const EncoderInput *input, GByteArray *out);

G_END_DECLS
