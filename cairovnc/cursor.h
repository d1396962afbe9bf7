/* cursor.h — the pointer shape that viewers draw themselves.
 *
 * A Cursor is a copy of the program's cursor surface, made when the
 * program sets it and never changed afterwards: it is shared by every
 * viewer (atomic reference count). Viewers get it as a pseudo-rectangle in
 * their next update: Cursor With Alpha (rfbproto.rst "Cursor With Alpha
 * Pseudo-encoding") to those that announce it, else the Cursor
 * pseudo-encoding, whose bitmask comes from the alpha channel. Nothing
 * here touches a viewer or a socket.
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "pixfmt.h"

G_BEGIN_DECLS

/* Larger cursors are refused: libvncclient drops shapes of 1024 pixels
 * and more, and a cursor goes whole into an update. */
#define CURSOR_MAX_SIZE 512

/* A pixel shows in the Cursor pseudo-encoding's bitmask when its alpha is
 * at least this (half opaque): soft edges and shadows fade out rather than
 * turn into dark fringes. */
#define CURSOR_MASK_ALPHA 128

typedef struct {
  gint ref;
  int width, height;
  int hot_x, hot_y;
  guint32 *pixels;          /* width * height, premultiplied 0xAARRGGBB */
} Cursor;

/* Copies @surface, an ARGB32 or RGB24 image surface; RGB24 is opaque.
 * Fails with CAIROVNC_ERROR_UNSUPPORTED_SURFACE when the surface is of
 * another kind or format, empty, larger than CURSOR_MAX_SIZE, or when the
 * hotspot lies outside it. */
Cursor *cursor_new_from_surface (cairo_surface_t *surface,
                                 int              hot_x,
                                 int              hot_y,
                                 GError         **error);
Cursor *cursor_ref (Cursor *cursor);
void cursor_unref (Cursor *cursor);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Cursor, cursor_unref)

/* Appends a Cursor pseudo-rectangle (rfbproto.rst "Cursor
 * Pseudo-encoding"): the hotspot as its position, the pixels in the
 * viewer's format (colour without premultiplication), then the bitmask.
 * A NULL @cursor gives an empty 0x0 shape: "no shape from the server". */
void cursor_append_rect (const Cursor *cursor, const PixfmtConverter *converter, GByteArray *out);

/* Appends a Cursor With Alpha pseudo-rectangle, its pixels in Raw: bytes
 * red, green, blue, alpha, premultiplied. NULL gives an empty shape. */
void cursor_append_alpha_rect (const Cursor *cursor, GByteArray *out);

G_END_DECLS
