/* hextile.c — Hextile encoding (rfbproto.rst "Hextile Encoding"): 16×16
 * subtiles, each raw or a background with single-colour subrectangles.
 *
 * Per subtile, the smallest of: background only (one byte when the
 * background carries over), one foreground colour (two bytes per
 * subrectangle), coloured subrectangles, or raw. Background and
 * foreground carry over between subtiles as the spec allows, so a flat
 * area costs one byte per subtile; they never carry over between
 * rectangles, so each rectangle stands alone. Runs on encoder threads.
 */
#include "encoder.h"

#include "../rfb.h"
#include "tile-analysis.h"

#define SUBTILE 16

enum {
  HEXTILE_RAW = 1,
  HEXTILE_BACKGROUND_SPECIFIED = 2,
  HEXTILE_FOREGROUND_SPECIFIED = 4,
  HEXTILE_ANY_SUBRECTS = 8,
  HEXTILE_SUBRECTS_COLOURED = 16,
};

/* The most subrectangles a subtile's count byte can say. */
#define MAX_SUBRECTS 255

typedef struct {
  TilePixelWriter writer;
  TileColours colours;
  gboolean background_valid, foreground_valid;
  guint32 background, foreground;
} HextileState;

static void
append_raw (HextileState *state, const guint32 *values, gsize n, GByteArray *out)
{
  guint start = out->len;

  g_byte_array_set_size (out, (guint) (start + 1 + n * state->writer.bytes));
  out->data[start] = HEXTILE_RAW;
  tile_write_pixels (&state->writer, values, n, out->data + start + 1);
  /* Nothing carries over a raw subtile. */
  state->background_valid = FALSE;
  state->foreground_valid = FALSE;
}

static void
encode_subtile (HextileState *state, const guint32 *values, guint w, guint h, GByteArray *out)
{
  const gsize n = (gsize) w * h;
  const gsize bpp = state->writer.bytes;
  const gsize raw_size = 1 + n * bpp;
  /* Subrectangles that would make the subtile bigger than raw are never
   * written, so this is enough. */
  guint8 buffer[1 + SUBTILE * SUBTILE * 4 + 2 * 4 + 2 + 6];
  guint8 covered[SUBTILE * SUBTILE];
  guint8 *p = buffer + 1, *count_byte = NULL;
  guint8 mask = 0;
  guint32 background, foreground = 0;
  gboolean one_foreground;
  TileSubrectFinder finder;
  TileSubrect subrect;
  guint n_subrects = 0;
  gsize subrect_size;

  tile_colours_count (&state->colours, TILE_COLOURS_MAX, values, n);
  background = tile_colours_most_frequent (&state->colours);
  if (!state->background_valid || state->background != background)
    {
      mask |= HEXTILE_BACKGROUND_SPECIFIED;
      p = tile_write_pixel (&state->writer, background, p);
    }

  if (state->colours.n == 1)
    {
      buffer[0] = mask;
      g_byte_array_append (out, buffer, (guint) (p - buffer));
      state->background = background;
      state->background_valid = TRUE;
      return;
    }

  one_foreground = state->colours.n == 2;
  mask |= HEXTILE_ANY_SUBRECTS;
  if (one_foreground)
    {
      foreground = state->colours.colours[state->colours.colours[0] == background ? 1 : 0];
      if (!state->foreground_valid || state->foreground != foreground)
        {
          mask |= HEXTILE_FOREGROUND_SPECIFIED;
          p = tile_write_pixel (&state->writer, foreground, p);
        }
      subrect_size = 2;
    }
  else
    {
      mask |= HEXTILE_SUBRECTS_COLOURED;
      subrect_size = bpp + 2;
    }
  count_byte = p++;

  tile_subrect_finder_init (&finder, values, w, h, background, covered);
  while (tile_subrect_finder_next (&finder, &subrect))
    {
      if (n_subrects == MAX_SUBRECTS || (gsize) (p - buffer) + subrect_size > raw_size)
        {
          append_raw (state, values, n, out);
          return;
        }
      if (!one_foreground)
        p = tile_write_pixel (&state->writer, subrect.value, p);
      *p++ = (guint8) ((subrect.x << 4) | subrect.y);
      *p++ = (guint8) (((subrect.width - 1) << 4) | (subrect.height - 1));
      n_subrects++;
    }

  buffer[0] = mask;
  *count_byte = (guint8) n_subrects;
  g_byte_array_append (out, buffer, (guint) (p - buffer));
  state->background = background;
  state->background_valid = TRUE;
  if (one_foreground)
    {
      state->foreground = foreground;
      state->foreground_valid = TRUE;
    }
  else
    {
      /* A coloured subtile leaves no foreground to carry over. */
      state->foreground_valid = FALSE;
    }
}

void
enc_hextile_encode (const EncoderInput *input, GByteArray *out)
{
  const cairo_rectangle_int_t *r = &input->rect;
  const Frame *frame = input->frame;
  HextileState state;
  guint32 values[SUBTILE * SUBTILE];

  rfb_append_rect_header (out, (guint16) r->x, (guint16) r->y,
                          (guint16) r->width, (guint16) r->height, RFB_ENCODING_HEXTILE);
  tile_pixel_writer_init (&state.writer, pixfmt_converter_get_format (input->converter), FALSE);
  tile_colours_init (&state.colours);
  state.background_valid = FALSE;
  state.foreground_valid = FALSE;
  state.background = state.foreground = 0;

  for (int y = 0; y < r->height; y += SUBTILE)
    for (int x = 0; x < r->width; x += SUBTILE)
      {
        guint w = (guint) MIN (SUBTILE, r->width - x);
        guint h = (guint) MIN (SUBTILE, r->height - y);
        const guint8 *src = (const guint8 *) frame->pixels + (gsize) (r->y + y) * frame->stride +
                            (gsize) (r->x + x) * 4;

        pixfmt_convert_values (input->converter, (const guint32 *) (const void *) src,
                               frame->stride, w, h, values);
        encode_subtile (&state, values, w, h, out);
      }
}
