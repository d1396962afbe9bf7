/* encoder.c — picks the encoder for an encoding. Runs on encoder threads. */
#include "encoder.h"

#include "../rfb.h"

typedef void (*EncodeFunc) (const EncoderInput *input, GByteArray *out);

static const struct {
  gint32 encoding;
  const char *name;
  EncodeFunc encode;
} encoders[] = {
  { RFB_ENCODING_RAW, "Raw", enc_raw_encode },
};

static EncodeFunc
find_encoder (gint32 encoding, const char **name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (encoders); i++)
    {
      if (encoders[i].encoding == encoding)
        {
          if (name != NULL)
            *name = encoders[i].name;
          return encoders[i].encode;
        }
    }
  return NULL;
}

gboolean
encoder_is_supported (gint32 encoding)
{
  return find_encoder (encoding, NULL) != NULL;
}

const char *
encoder_name (gint32 encoding)
{
  const char *name = "unknown";
  find_encoder (encoding, &name);
  return name;
}

GBytes *
encoder_encode (const EncoderInput *input)
{
  EncodeFunc encode = find_encoder (input->params->encoding, NULL);
  GByteArray *out = g_byte_array_new ();

  g_assert (encode != NULL); /* params come from encoder_is_supported() */
  encode (input, out);
  return g_byte_array_free_to_bytes (out);
}
