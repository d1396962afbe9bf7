/* jpeg.c — JPEG rectangles for Tight and TightPNG.
 *
 * One TurboJPEG compressor and one output buffer per encoder thread
 * (GPrivate), made on first use: tjInitCompress and the buffer cost more
 * than compressing a 64×64 tile. The frame's pixels go to TurboJPEG as
 * they are (native-endian x8r8g8b8), so nothing is converted first.
 * Without HAVE_TURBOJPEG this file only says "not available".
 */
#include "jpeg.h"

#ifdef HAVE_TURBOJPEG
#include <turbojpeg.h>
#endif

gboolean
enc_jpeg_allowed (const EncoderParams *params)
{
  return params->quality_level >= 0 || params->fine_quality >= 0;
}

/* TurboJPEG's subsampling constants, by the number after
 * RFB_ENCODING_SUBSAMPLING_1X (rfbproto.rst "JPEG Subsampling Level
 * Pseudo-Encoding"): 1X, 4X, 2X, gray, 8X, 16X. TurboJPEG has nothing
 * coarser than 4:2:0 (4X), so 8X and 16X get 4:2:0. Values as in
 * turbojpeg.h's enum TJSAMP, so that this table needs no #ifdef. */
enum { SAMP_444 = 0, SAMP_422 = 1, SAMP_420 = 2, SAMP_GRAY = 3 };
static const int subsampling_by_level[6] = { SAMP_444, SAMP_420, SAMP_422, SAMP_GRAY, SAMP_420, SAMP_420 };

/* Quality level 0–9 as JPEG quality and subsampling: low levels trade
 * colour resolution for bytes, high ones keep every chroma sample. The
 * same steps TigerVNC and TurboVNC viewers expect. */
static const struct {
  guint8 quality;
  guint8 subsampling;
} quality_levels[10] = {
  { 15, SAMP_420 }, { 29, SAMP_420 }, { 41, SAMP_420 }, { 42, SAMP_422 }, { 62, SAMP_422 },
  { 77, SAMP_422 }, { 79, SAMP_444 }, { 86, SAMP_444 }, { 92, SAMP_444 }, { 100, SAMP_444 },
};

void
enc_jpeg_settings (const EncoderParams *params, int *quality, int *subsampling)
{
  int level = params->quality_level;

  /* Fine quality wins over the coarse level; a level is still derived
   * from it for the default subsampling. */
  if (params->fine_quality >= 0)
    {
      *quality = CLAMP (params->fine_quality, 1, 100);
      if (level < 0)
        level = MIN (params->fine_quality / 10, 9);
    }
  else
    *quality = quality_levels[CLAMP (level, 0, 9)].quality;
  if (params->subsampling >= 0 && params->subsampling < (int) G_N_ELEMENTS (subsampling_by_level))
    *subsampling = subsampling_by_level[params->subsampling];
  else
    *subsampling = quality_levels[CLAMP (level, 0, 9)].subsampling;
}

#ifdef HAVE_TURBOJPEG

G_STATIC_ASSERT ((int) SAMP_444 == (int) TJSAMP_444 && (int) SAMP_422 == (int) TJSAMP_422 &&
                 (int) SAMP_420 == (int) TJSAMP_420 && (int) SAMP_GRAY == (int) TJSAMP_GRAY);

typedef struct {
  tjhandle handle;
  unsigned char *buffer;
  unsigned long buffer_size;
} JpegCompressor;

static void
jpeg_compressor_free (gpointer data)
{
  JpegCompressor *compressor = data;

  if (compressor->handle != NULL)
    tjDestroy (compressor->handle);
  if (compressor->buffer != NULL)
    tjFree (compressor->buffer);
  g_free (compressor);
}

static GPrivate jpeg_compressor = G_PRIVATE_INIT (jpeg_compressor_free);

/* The thread's compressor with room for a @width×@height JPEG. */
static JpegCompressor *
get_compressor (int width, int height)
{
  JpegCompressor *compressor = g_private_get (&jpeg_compressor);
  /* The worst case is 4:4:4; rectangles are tiles, so one size fits all. */
  unsigned long needed = tjBufSize (MAX (width, TILE_SIZE), MAX (height, TILE_SIZE), TJSAMP_444);

  if (compressor == NULL)
    {
      compressor = g_new0 (JpegCompressor, 1);
      compressor->handle = tjInitCompress ();
      g_private_set (&jpeg_compressor, compressor);
    }
  if (compressor->handle == NULL)
    return NULL;
  if (compressor->buffer_size < needed)
    {
      if (compressor->buffer != NULL)
        tjFree (compressor->buffer);
      compressor->buffer = tjAlloc ((int) needed);
      compressor->buffer_size = compressor->buffer != NULL ? needed : 0;
      if (compressor->buffer == NULL)
        return NULL;
    }
  return compressor;
}

gboolean
enc_jpeg_available (void)
{
  return TRUE;
}

gboolean
enc_jpeg_compress (const Frame                 *frame,
                   const cairo_rectangle_int_t *rect,
                   const EncoderParams         *params,
                   GByteArray                  *out)
{
  JpegCompressor *compressor = get_compressor (rect->width, rect->height);
  /* x8r8g8b8 in the host's order: B, G, R, X in memory on little-endian hosts. */
  int pixel_format = G_BYTE_ORDER == G_LITTLE_ENDIAN ? TJPF_BGRX : TJPF_XRGB;
  const guint8 *src;
  unsigned long size;
  int quality, subsampling;

  if (compressor == NULL)
    return FALSE;
  enc_jpeg_settings (params, &quality, &subsampling);
  src = (const guint8 *) frame->pixels + (gsize) rect->y * frame->stride + (gsize) rect->x * 4;
  size = compressor->buffer_size;
  if (tjCompress2 (compressor->handle, src, rect->width, (int) frame->stride, rect->height, pixel_format,
                   &compressor->buffer, &size, subsampling, quality,
                   TJFLAG_NOREALLOC | TJFLAG_FASTDCT) != 0)
    {
      g_debug ("JPEG compression of %dx%d failed: %s", rect->width, rect->height,
               tjGetErrorStr2 (compressor->handle));
      return FALSE;
    }
  g_byte_array_append (out, compressor->buffer, (guint) size);
  return TRUE;
}

#else /* !HAVE_TURBOJPEG */

gboolean
enc_jpeg_available (void)
{
  return FALSE;
}

gboolean
enc_jpeg_compress (const Frame                 *frame,
                   const cairo_rectangle_int_t *rect,
                   const EncoderParams         *params,
                   GByteArray                  *out)
{
  return FALSE;
}

#endif
