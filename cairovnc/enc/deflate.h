/* deflate.h — zlib compression for the encoders, one compressor per thread.
 *
 * Every call compresses from a fresh state (no history from earlier
 * calls) and ends with a sync flush, so its output is independent of
 * everything else and can be shared between viewers: raw deflate
 * continues any viewer's zlib stream (zlib, ZRLE), and zlib format starts
 * a stream the viewer was told to reset (Tight).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  DEFLATE_RAW,    /* no header: continues a stream */
  DEFLATE_ZLIB,   /* with the two-byte zlib header: starts a stream */
} DeflateFormat;

/* Appends the compressed @data to @out at @level (0–9). */
void enc_deflate (DeflateFormat format, int level, const guint8 *data, gsize len, GByteArray *out);

G_END_DECLS
