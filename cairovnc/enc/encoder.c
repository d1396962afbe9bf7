/* encoder.c — picks the encoder for an encoding. Runs on encoder threads. */
#include "encoder.h"

#include "../rfb.h"
#include "jpeg.h"

typedef void (*EncodeFunc) (const EncoderInput *input, GByteArray *out);
typedef guint (*EncodeSpanFunc) (const EncoderInput *input, GByteArray *out);

/* What each encoding's bytes depend on, besides pixels and format. */
typedef enum {
  USES_NOTHING = 0,
  USES_COMPRESS_LEVEL = 1 << 0,
  USES_QUALITY = 1 << 1,      /* quality, fine quality and subsampling */
} ParamUse;

typedef struct {
  gint32 encoding;
  const char *name;
  EncodeFunc encode;
  EncodeSpanFunc encode_span;  /* runs of tiles, when JPEG is allowed; or NULL */
  ParamUse uses;
  int zlib_stream;          /* which of a viewer's zlib streams, or NO_STREAM */
} Encoder;

#define NO_STREAM (-1)

static const Encoder encoders[] = {
  { RFB_ENCODING_RAW, "Raw", enc_raw_encode, NULL, USES_NOTHING, NO_STREAM },
  { RFB_ENCODING_ZLIB, "zlib", enc_zlib_encode, NULL, USES_COMPRESS_LEVEL, 0 },
  { RFB_ENCODING_TIGHT, "Tight", enc_tight_encode, enc_tight_encode_span,
    USES_COMPRESS_LEVEL | USES_QUALITY, NO_STREAM },
  { RFB_ENCODING_TIGHT_PNG, "TightPNG", enc_tightpng_encode, enc_tightpng_encode_span,
    USES_COMPRESS_LEVEL | USES_QUALITY, NO_STREAM },
  { RFB_ENCODING_RRE, "RRE", enc_rre_encode, NULL, USES_NOTHING, NO_STREAM },
  { RFB_ENCODING_HEXTILE, "Hextile", enc_hextile_encode, NULL, USES_NOTHING, NO_STREAM },
  { RFB_ENCODING_TRLE, "TRLE", enc_trle_encode, NULL, USES_NOTHING, NO_STREAM },
  { RFB_ENCODING_ZRLE, "ZRLE", enc_zrle_encode, NULL, USES_COMPRESS_LEVEL, 1 },
};

static const Encoder *
find_encoder (gint32 encoding)
{
  for (gsize i = 0; i < G_N_ELEMENTS (encoders); i++)
    if (encoders[i].encoding == encoding)
      return &encoders[i];
  return NULL;
}

gboolean
encoder_is_supported (gint32 encoding)
{
  return find_encoder (encoding) != NULL;
}

const char *
encoder_name (gint32 encoding)
{
  const Encoder *encoder = find_encoder (encoding);
  return encoder != NULL ? encoder->name : "unknown";
}

void
encoder_normalize_params (EncoderParams *params)
{
  const Encoder *encoder = find_encoder (params->encoding);
  ParamUse uses = encoder != NULL ? encoder->uses : USES_NOTHING;

  if (!(uses & USES_COMPRESS_LEVEL))
    params->compress_level = -1;
  if (!(uses & USES_QUALITY))
    {
      params->quality_level = -1;
      params->fine_quality = -1;
      params->subsampling = -1;
    }
}

int
encoder_zlib_stream (gint32 encoding)
{
  const Encoder *encoder = find_encoder (encoding);
  return encoder != NULL ? encoder->zlib_stream : NO_STREAM;
}

/* 32 KiB window, deflate, no preset dictionary; (0x78 << 8 | 0x01) % 31 == 0. */
static const guint8 zlib_header[2] = { 0x78, 0x01 };

GBytes *
encoder_start_zlib_stream (GBytes *rect)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (rect, &size);
  GByteArray *out;
  guint32 length;

  g_return_val_if_fail (size >= 16, g_bytes_ref (rect));
  length = rfb_get_u32 (data + 12);
  out = g_byte_array_sized_new ((guint) size + 2);
  g_byte_array_append (out, data, 12);
  rfb_append_u32 (out, length + 2);
  g_byte_array_append (out, zlib_header, sizeof zlib_header);
  g_byte_array_append (out, data + 16, (guint) (size - 16));
  return g_byte_array_free_to_bytes (out);
}

gboolean
encoder_uses_spans (const EncoderParams *params, const RfbPixelFormat *format)
{
  const Encoder *encoder = find_encoder (params->encoding);

  return encoder != NULL && encoder->encode_span != NULL && format->bits_per_pixel >= 16 &&
         enc_jpeg_allowed (params) && enc_jpeg_available ();
}

GBytes *
encoder_encode (const EncoderInput *input, guint *n_rects)
{
  const Encoder *encoder = find_encoder (input->params->encoding);
  GByteArray *out = g_byte_array_new ();

  g_assert (encoder != NULL); /* params come from encoder_is_supported() */
  if (input->span && encoder->encode_span != NULL)
    *n_rects = encoder->encode_span (input, out);
  else
    {
      encoder->encode (input, out);
      *n_rects = 1;
    }
  return g_byte_array_free_to_bytes (out);
}
