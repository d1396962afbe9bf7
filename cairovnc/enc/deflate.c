/* deflate.c — one z_stream per encoder thread and format, reset per call.
 *
 * deflateInit allocates about 256 KiB; doing that for every 64×64 tile
 * would cost more than compressing it. Runs on encoder threads. */
#include "deflate.h"

#include <zlib.h>

typedef struct {
  z_stream stream;
  int level;
} Compressor;

static void
compressor_free (gpointer data)
{
  Compressor *compressor = data;

  deflateEnd (&compressor->stream);
  g_free (compressor);
}

static GPrivate raw_compressor = G_PRIVATE_INIT (compressor_free);
static GPrivate zlib_compressor = G_PRIVATE_INIT (compressor_free);

static z_stream *
get_stream (DeflateFormat format, int level)
{
  GPrivate *key = format == DEFLATE_RAW ? &raw_compressor : &zlib_compressor;
  Compressor *compressor = g_private_get (key);

  level = CLAMP (level, 0, 9);
  if (compressor == NULL)
    {
      compressor = g_new0 (Compressor, 1);
      /* windowBits 15 with the zlib wrapper, -15 without. */
      if (deflateInit2 (&compressor->stream, level, Z_DEFLATED, format == DEFLATE_RAW ? -15 : 15, 8,
                        Z_DEFAULT_STRATEGY) != Z_OK)
        g_error ("deflateInit2 failed: out of memory");
      compressor->level = level;
      g_private_set (key, compressor);
      return &compressor->stream;
    }
  deflateReset (&compressor->stream);
  if (compressor->level != level)
    {
      deflateParams (&compressor->stream, level, Z_DEFAULT_STRATEGY);
      compressor->level = level;
    }
  return &compressor->stream;
}

void
enc_deflate (DeflateFormat format, int level, const guint8 *data, gsize len, GByteArray *out)
{
  z_stream *stream = get_stream (format, level);
  guint start = out->len;
  gsize bound = deflateBound (stream, (uLong) len) + 16;

  g_byte_array_set_size (out, (guint) (start + bound));
  stream->next_in = (Bytef *) data;
  stream->avail_in = (uInt) len;
  stream->next_out = out->data + start;
  stream->avail_out = (uInt) bound;
  /* deflateBound covers a whole stream, so one call always fits. */
  if (deflate (stream, Z_SYNC_FLUSH) != Z_OK || stream->avail_in != 0)
    g_error ("deflate failed on %" G_GSIZE_FORMAT " bytes", len);
  g_byte_array_set_size (out, (guint) (start + bound - stream->avail_out));
}
