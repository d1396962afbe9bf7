/* png.h — small PNG images for TightPNG, written without libpng: the
 * signature, IHDR, PLTE for indexed images, one IDAT and IEND. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Appends an indexed PNG: @palette holds @n_colours (1–256) colours as
 * 0xRRGGBB, @indices one palette index per pixel, row after row. The
 * bit depth is the smallest that holds every index. */
void enc_png_write_indexed (guint           width,
                            guint           height,
                            const guint32  *palette,
                            guint           n_colours,
                            const guint8   *indices,
                            int             level,
                            GByteArray     *out);

/* Appends a truecolour PNG from @rgb (3 bytes per pixel: red, green,
 * blue; rows packed). */
void enc_png_write_rgb (guint         width,
                        guint         height,
                        const guint8 *rgb,
                        int           level,
                        GByteArray   *out);

G_END_DECLS
