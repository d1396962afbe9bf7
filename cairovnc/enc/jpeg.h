/* jpeg.h — JPEG for Tight and TightPNG, through libjpeg-turbo when the
 * library was built with it (HAVE_TURBOJPEG); without it nothing is ever
 * JPEG and every rectangle stays lossless. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "../frame.h"
#include "encoder.h"

G_BEGIN_DECLS

/* Whether this build can make JPEG at all. */
gboolean enc_jpeg_available (void);

/* Whether the viewer allows JPEG: it sent a quality level or a
 * fine-grained quality (rfbproto.rst "JPEG Quality Level
 * Pseudo-encoding": without one, Tight must stay lossless). */
gboolean enc_jpeg_allowed (const EncoderParams *params);

/* The JPEG quality (1–100) and TurboJPEG subsampling for @params. */
void enc_jpeg_settings (const EncoderParams *params, int *quality, int *subsampling);

/* Appends @rect of @frame as a JFIF stream, at the quality and
 * subsampling @params ask for. FALSE, with @out unchanged, when JPEG is
 * not available or the compressor failed. Runs on encoder threads: one
 * compressor per thread. */
gboolean enc_jpeg_compress (const Frame                 *frame,
                            const cairo_rectangle_int_t *rect,
                            const EncoderParams         *params,
                            GByteArray                  *out);

G_END_DECLS
