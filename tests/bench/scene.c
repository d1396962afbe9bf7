/* scene.c — the benchmark's scenes (see scene.h).
 *
 * Everything is a function of the frame number, so both servers show the
 * same pixels for the same frame; the scene keeps only what it needs to
 * draw the next frame cheaply (the background of "small", the last frame
 * number for "scroll") and to say what changed.
 */
#include "scene.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define N_SQUARES 6
/* The bezier's old and new strokes are reported as this many pieces each,
 * as a careful LibVNCServer program would mark them, rather than as one
 * bounding box mostly made of unchanged background. */
#define BEZIER_PIECES 8
#define BEZIER_WIDTH 4.0
#define N_DISCS 10
#define LINE_HEIGHT 18
#define FONT_SIZE 13.0

struct Scene {
  SceneKind kind;
  int width;
  int height;
  gboolean drawn;
  guint64 last_n;
  cairo_surface_t *background;   /* small: the gradient, drawn once */
  cairo_surface_t *bands;        /* full: the drifting background */
  cairo_surface_t *stripes;      /* full: the moving pattern's tile */
};

typedef struct {
  double x0, y0, x1, y1, x2, y2, x3, y3;
} Bezier;

static const struct {
  const char *name;
  SceneKind kind;
} scene_names[] = {
  { "small", SCENE_SMALL },
  { "full", SCENE_FULL },
  { "scroll", SCENE_SCROLL },
};

gboolean
scene_kind_from_name (const char *name, SceneKind *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (scene_names); i++)
    if (g_strcmp0 (name, scene_names[i].name) == 0)
      {
        *kind = scene_names[i].kind;
        return TRUE;
      }
  return FALSE;
}

const char *
scene_kind_name (SceneKind kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (scene_names); i++)
    if (scene_names[i].kind == kind)
      return scene_names[i].name;
  return "?";
}

/* A fixed pseudo-random number for @i (splitmix64's finaliser). */
static guint64
mix (guint64 i)
{
  i += 0x9e3779b97f4a7c15ull;
  i = (i ^ (i >> 30)) * 0xbf58476d1ce4e5b9ull;
  i = (i ^ (i >> 27)) * 0x94d049bb133111ebull;
  return i ^ (i >> 31);
}

/* Position on a segment of @length bounced back and forth: p folded into
 * [0, length]. */
static double
bounce (double p, double length)
{
  double period = 2.0 * length;

  if (length <= 0)
    return 0;
  p = fmod (p, period);
  if (p < 0)
    p += period;
  return p <= length ? p : period - p;
}

static void
add_rect (cairo_rectangle_int_t *rects, guint *n_rects, int width, int height,
          double x0, double y0, double x1, double y1)
{
  int ix0 = MAX (0, (int) floor (x0));
  int iy0 = MAX (0, (int) floor (y0));
  int ix1 = MIN (width, (int) ceil (x1));
  int iy1 = MIN (height, (int) ceil (y1));

  if (ix1 <= ix0 || iy1 <= iy0 || *n_rects >= SCENE_MAX_RECTS)
    return;
  rects[*n_rects] = (cairo_rectangle_int_t) { ix0, iy0, ix1 - ix0, iy1 - iy0 };
  (*n_rects)++;
}

/* ---- small ------------------------------------------------------------ */

static void
square_at (const Scene *scene, guint i, guint64 n, cairo_rectangle_int_t *r)
{
  guint64 h = mix (i + 1);
  int size = 40 + (int) (h % 33);
  double vx = 2.0 + (double) ((h >> 8) % 50) / 10.0;
  double vy = 1.5 + (double) ((h >> 16) % 40) / 10.0;
  double start_x = (double) ((h >> 24) % 1000);
  double start_y = (double) ((h >> 34) % 1000);

  r->width = size;
  r->height = size;
  r->x = (int) bounce (start_x + vx * (double) n, scene->width - size);
  r->y = (int) bounce (start_y + vy * (double) n, scene->height - size);
}

static void
square_colour (guint i, double *r, double *g, double *b)
{
  static const double colours[N_SQUARES][3] = {
    { 0.90, 0.20, 0.20 }, { 0.95, 0.75, 0.10 }, { 0.20, 0.80, 0.30 },
    { 0.20, 0.50, 0.95 }, { 0.85, 0.30, 0.85 }, { 0.95, 0.95, 0.95 },
  };
  *r = colours[i % N_SQUARES][0];
  *g = colours[i % N_SQUARES][1];
  *b = colours[i % N_SQUARES][2];
}

static void
bezier_at (const Scene *scene, guint64 n, Bezier *bz)
{
  double w = scene->width, h = scene->height;
  double swing = sin ((double) n * 2.0 * G_PI / 90.0);

  bz->x0 = w * 0.10; bz->y0 = h * 0.80;
  bz->x1 = w * 0.18; bz->y1 = h * (0.55 + 0.25 * swing);
  bz->x2 = w * 0.35; bz->y2 = h * 0.45;
  bz->x3 = w * 0.45; bz->y3 = h * 0.80;
}

static void
bezier_point (const Bezier *bz, double t, double *x, double *y)
{
  double u = 1.0 - t;
  double a = u * u * u, b = 3 * u * u * t, c = 3 * u * t * t, d = t * t * t;

  *x = a * bz->x0 + b * bz->x1 + c * bz->x2 + d * bz->x3;
  *y = a * bz->y0 + b * bz->y1 + c * bz->y2 + d * bz->y3;
}

/* The stroke of @bz as BEZIER_PIECES boxes, each the bounds of a stretch
 * of the curve widened by the pen and antialiasing. */
static void
add_bezier_rects (const Scene *scene, const Bezier *bz, cairo_rectangle_int_t *rects,
                  guint *n_rects)
{
  const int steps_per_piece = 8;
  double margin = BEZIER_WIDTH / 2.0 + 2.0;

  for (int piece = 0; piece < BEZIER_PIECES; piece++)
    {
      double x0 = G_MAXDOUBLE, y0 = G_MAXDOUBLE, x1 = -G_MAXDOUBLE, y1 = -G_MAXDOUBLE;

      for (int s = 0; s <= steps_per_piece; s++)
        {
          double t = (double) (piece * steps_per_piece + s) / (BEZIER_PIECES * steps_per_piece);
          double x, y;

          bezier_point (bz, t, &x, &y);
          x0 = MIN (x0, x); y0 = MIN (y0, y);
          x1 = MAX (x1, x); y1 = MAX (y1, y);
        }
      /* A stretch of 1/64 of this curve bends little: its chord's box
       * plus the margin covers it. */
      add_rect (rects, n_rects, scene->width, scene->height,
                x0 - margin, y0 - margin, x1 + margin, y1 + margin);
    }
}

static cairo_surface_t *
make_background (int width, int height)
{
  cairo_surface_t *bg = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (bg);
  cairo_pattern_t *gradient = cairo_pattern_create_linear (0, 0, width, height);
  cairo_pattern_t *glow = cairo_pattern_create_radial (width * 0.7, height * 0.3, 0,
                                                       width * 0.7, height * 0.3, height * 0.8);

  cairo_pattern_add_color_stop_rgb (gradient, 0.0, 0.05, 0.10, 0.25);
  cairo_pattern_add_color_stop_rgb (gradient, 0.5, 0.25, 0.10, 0.35);
  cairo_pattern_add_color_stop_rgb (gradient, 1.0, 0.05, 0.35, 0.40);
  cairo_set_source (cr, gradient);
  cairo_paint (cr);
  cairo_pattern_add_color_stop_rgba (glow, 0.0, 1, 1, 1, 0.15);
  cairo_pattern_add_color_stop_rgba (glow, 1.0, 1, 1, 1, 0.0);
  cairo_set_source (cr, glow);
  cairo_paint (cr);
  cairo_pattern_destroy (glow);
  cairo_pattern_destroy (gradient);
  cairo_destroy (cr);
  cairo_surface_flush (bg);
  return bg;
}

static void
draw_small (Scene *scene, cairo_t *cr, guint64 n, cairo_rectangle_int_t *rects, guint *n_rects)
{
  Bezier bz;

  if (scene->background == NULL)
    scene->background = make_background (scene->width, scene->height);

  *n_rects = 0;
  if (!scene->drawn)
    add_rect (rects, n_rects, scene->width, scene->height, 0, 0, scene->width, scene->height);
  else
    {
      Bezier old_bz;

      for (guint i = 0; i < N_SQUARES; i++)
        {
          cairo_rectangle_int_t a, b;

          square_at (scene, i, scene->last_n, &a);
          square_at (scene, i, n, &b);
          add_rect (rects, n_rects, scene->width, scene->height,
                    MIN (a.x, b.x), MIN (a.y, b.y),
                    MAX (a.x + a.width, b.x + b.width), MAX (a.y + a.height, b.y + b.height));
        }
      bezier_at (scene, scene->last_n, &old_bz);
      bezier_at (scene, n, &bz);
      add_bezier_rects (scene, &old_bz, rects, n_rects);
      add_bezier_rects (scene, &bz, rects, n_rects);
    }

  /* Restore the background under what changed, then draw everything
   * clipped to it. */
  for (guint i = 0; i < *n_rects; i++)
    cairo_rectangle (cr, rects[i].x, rects[i].y, rects[i].width, rects[i].height);
  cairo_clip (cr);
  cairo_set_source_surface (cr, scene->background, 0, 0);
  cairo_paint (cr);

  for (guint i = 0; i < N_SQUARES; i++)
    {
      cairo_rectangle_int_t r;
      double red, green, blue;

      square_at (scene, i, n, &r);
      square_colour (i, &red, &green, &blue);
      cairo_rectangle (cr, r.x, r.y, r.width, r.height);
      cairo_set_source_rgb (cr, red, green, blue);
      cairo_fill (cr);
      cairo_rectangle (cr, r.x + 2, r.y + 2, r.width - 4, r.height - 4);
      cairo_set_source_rgb (cr, red * 0.6, green * 0.6, blue * 0.6);
      cairo_set_line_width (cr, 4);
      cairo_stroke (cr);
    }

  bezier_at (scene, n, &bz);
  cairo_move_to (cr, bz.x0, bz.y0);
  cairo_curve_to (cr, bz.x1, bz.y1, bz.x2, bz.y2, bz.x3, bz.y3);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_set_line_width (cr, BEZIER_WIDTH);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
  cairo_stroke (cr);
}

/* ---- full ------------------------------------------------------------- */

/* The background of "full": bands of colour repeating every @width pixels
 * across, shaded top to bottom, twice as wide as the surface so that any
 * horizontal shift of it covers the surface. Colours stay at most 0.65 so
 * that the per-frame tint added on top never saturates. */
static cairo_surface_t *
make_bands (int width, int height)
{
  cairo_surface_t *bands = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 2 * width, height);
  cairo_t *cr = cairo_create (bands);
  cairo_pattern_t *across = cairo_pattern_create_linear (0, 0, width / 2.0, 0);
  cairo_pattern_t *down = cairo_pattern_create_linear (0, 0, 0, height);

  cairo_pattern_add_color_stop_rgb (across, 0.00, 0.10, 0.15, 0.40);
  cairo_pattern_add_color_stop_rgb (across, 0.50, 0.55, 0.20, 0.30);
  cairo_pattern_add_color_stop_rgb (across, 1.00, 0.15, 0.50, 0.35);
  cairo_pattern_set_extend (across, CAIRO_EXTEND_REFLECT);
  cairo_set_source (cr, across);
  cairo_paint (cr);
  cairo_pattern_add_color_stop_rgba (down, 0.0, 0, 0, 0, 0.0);
  cairo_pattern_add_color_stop_rgba (down, 1.0, 0, 0, 0, 0.45);
  cairo_set_source (cr, down);
  cairo_paint (cr);
  cairo_pattern_destroy (down);
  cairo_pattern_destroy (across);
  cairo_destroy (cr);
  cairo_surface_flush (bands);
  return bands;
}

static cairo_surface_t *
make_stripes (void)
{
  cairo_surface_t *tile = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 24, 24);
  cairo_t *cr = cairo_create (tile);

  cairo_set_source_rgba (cr, 1, 1, 1, 0.10);
  cairo_set_line_width (cr, 3);
  cairo_move_to (cr, -6, 30);
  cairo_line_to (cr, 30, -6);
  cairo_move_to (cr, -6, 6);
  cairo_line_to (cr, 6, -6);
  cairo_move_to (cr, 18, 30);
  cairo_line_to (cr, 30, 18);
  cairo_stroke (cr);
  cairo_destroy (cr);
  return tile;
}

static void
draw_full (Scene *scene, cairo_t *cr, guint64 n)
{
  double w = scene->width, h = scene->height;
  /* A tint added to every pixel moves by 0.01 (2.5 levels) per frame, up
   * for 30 frames then down, so no pixel keeps its value even where the
   * drifting bands are flat. */
  guint step = (guint) (n % 60);
  double o = (step <= 30 ? step : 60 - step) * 0.01;
  cairo_pattern_t *stripes;
  cairo_matrix_t matrix;

  if (scene->bands == NULL)
    scene->bands = make_bands (scene->width, scene->height);
  if (scene->stripes == NULL)
    scene->stripes = make_stripes ();

  cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
  cairo_set_source_surface (cr, scene->bands, -(double) (n * 6 % (guint64) scene->width), 0);
  cairo_paint (cr);
  cairo_set_operator (cr, CAIRO_OPERATOR_ADD);
  cairo_set_source_rgb (cr, o, o / 2, o);
  cairo_paint (cr);
  cairo_set_operator (cr, CAIRO_OPERATOR_OVER);

  for (guint i = 0; i < N_DISCS; i++)
    {
      guint64 r = mix (100 + i);
      double radius = 40 + (double) (r % 80);
      double t = (double) n / 30.0;
      double cx = w / 2 + (w / 2 - radius) * sin (t * (0.3 + (double) ((r >> 8) % 10) / 10.0) + i);
      double cy = h / 2 + (h / 2 - radius) * cos (t * (0.2 + (double) ((r >> 16) % 10) / 12.0) + 2 * i);
      cairo_pattern_t *shade = cairo_pattern_create_radial (cx - radius / 3, cy - radius / 3,
                                                            radius / 8, cx, cy, radius);
      double red = (double) ((r >> 24) % 100) / 100.0;
      double green = (double) ((r >> 32) % 100) / 100.0;
      double blue = (double) ((r >> 40) % 100) / 100.0;

      cairo_pattern_add_color_stop_rgba (shade, 0, 1, 1, 1, 0.9);
      cairo_pattern_add_color_stop_rgba (shade, 0.6, red, green, blue, 0.8);
      cairo_pattern_add_color_stop_rgba (shade, 1, red * 0.3, green * 0.3, blue * 0.3, 0.7);
      cairo_arc (cr, cx, cy, radius, 0, 2 * G_PI);
      cairo_set_source (cr, shade);
      cairo_fill (cr);
      cairo_pattern_destroy (shade);
    }

  stripes = cairo_pattern_create_for_surface (scene->stripes);
  cairo_pattern_set_extend (stripes, CAIRO_EXTEND_REPEAT);
  cairo_matrix_init_translate (&matrix, (double) (n * 2 % 24), (double) (n % 24));
  cairo_pattern_set_matrix (stripes, &matrix);
  cairo_set_source (cr, stripes);
  cairo_paint (cr);
  cairo_pattern_destroy (stripes);
}

/* ---- scroll ----------------------------------------------------------- */

static void
text_line (guint64 i, char *out, gsize size, double rgb[3], gsize *prefix_len)
{
  static const char *modules[] = { "render", "damage", "tiles", "encode", "net", "input",
                                   "cache", "sched" };
  static const char *words[] = {
    "frame", "tile", "queued", "sent", "bytes", "to", "viewer", "flush", "region", "copy",
    "damage", "encoded", "in", "us", "ok", "zlib", "level", "pixels", "update", "request",
    "surface", "lock", "held", "for", "the", "new", "cached", "hit", "miss", "width",
  };
  guint64 h = mix (i);
  const char *module = modules[h % G_N_ELEMENTS (modules)];
  guint n_words = 3 + (guint) ((h >> 8) % 12);
  GString *line = g_string_new (NULL);

  g_string_append_printf (line, "[%10.6f] %-7s ", (double) i / 30.0, module);
  *prefix_len = line->len;
  for (guint k = 0; k < n_words; k++)
    {
      guint64 wk = mix (i * 131 + k);
      if ((wk & 7) == 0)
        g_string_append_printf (line, "%u ", (guint) (wk >> 20) % 100000);
      else
        g_string_append_printf (line, "%s ", words[(wk >> 3) % G_N_ELEMENTS (words)]);
    }
  g_strlcpy (out, line->str, size);
  g_string_free (line, TRUE);

  if ((h >> 40) % 9 == 0)
    { rgb[0] = 0.95; rgb[1] = 0.80; rgb[2] = 0.30; }    /* a warning */
  else
    { rgb[0] = 0.82; rgb[1] = 0.84; rgb[2] = 0.86; }
}

static void
draw_text_lines (Scene *scene, cairo_t *cr, guint64 top_line, int y_from)
{
  cairo_save (cr);
  cairo_rectangle (cr, 0, y_from, scene->width, scene->height - y_from);
  cairo_clip (cr);
  cairo_set_source_rgb (cr, 0.08, 0.08, 0.10);
  cairo_paint (cr);
  cairo_select_font_face (cr, "monospace", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, FONT_SIZE);
  for (int row = y_from / LINE_HEIGHT; row * LINE_HEIGHT < scene->height; row++)
    {
      char text[256];
      double rgb[3];
      gsize prefix_len;
      double baseline = row * LINE_HEIGHT + LINE_HEIGHT - 5;
      char saved;

      text_line (top_line + (guint64) row, text, sizeof text, rgb, &prefix_len);
      cairo_move_to (cr, 6, baseline);
      saved = text[prefix_len];
      text[prefix_len] = '\0';
      cairo_set_source_rgb (cr, 0.45, 0.70, 0.50);
      cairo_show_text (cr, text);
      text[prefix_len] = saved;
      cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
      cairo_show_text (cr, text + prefix_len);
    }
  cairo_restore (cr);
}

static void
draw_scroll (Scene *scene, cairo_surface_t *surface, cairo_t *cr, guint64 n)
{
  int full_rows = scene->height / LINE_HEIGHT;
  guint64 shift = scene->drawn ? n - scene->last_n : G_MAXUINT64;

  if (shift >= (guint64) full_rows)
    {
      draw_text_lines (scene, cr, n, 0);
      return;
    }
  if (shift == 0)
    return;

  /* Move what stays up, as a terminal does, and draw only the new lines. */
  {
    guint8 *data = cairo_image_surface_get_data (surface);
    int stride = cairo_image_surface_get_stride (surface);
    int dy = (int) shift * LINE_HEIGHT;

    cairo_surface_flush (surface);
    memmove (data, data + (gsize) dy * (gsize) stride,
             (gsize) (scene->height - dy) * (gsize) stride);
    cairo_surface_mark_dirty (surface);
    draw_text_lines (scene, cr, n, (full_rows - (int) shift) * LINE_HEIGHT);
  }
}

/* ---- common ----------------------------------------------------------- */

Scene *
scene_new (SceneKind kind, int width, int height)
{
  Scene *scene = g_new0 (Scene, 1);

  g_return_val_if_fail (width > 0 && height > 0, NULL);
  scene->kind = kind;
  scene->width = width;
  scene->height = height;
  return scene;
}

void
scene_free (Scene *scene)
{
  if (scene == NULL)
    return;
  g_clear_pointer (&scene->background, cairo_surface_destroy);
  g_clear_pointer (&scene->bands, cairo_surface_destroy);
  g_clear_pointer (&scene->stripes, cairo_surface_destroy);
  g_free (scene);
}

guint
scene_draw (Scene *scene, cairo_surface_t *surface, guint64 n, cairo_rectangle_int_t *rects)
{
  cairo_t *cr;
  guint n_rects = 0;

  g_return_val_if_fail (cairo_image_surface_get_width (surface) == scene->width &&
                        cairo_image_surface_get_height (surface) == scene->height, 0);
  g_return_val_if_fail (!scene->drawn || n > scene->last_n, 0);

  cr = cairo_create (surface);
  switch (scene->kind)
    {
    case SCENE_SMALL:
      draw_small (scene, cr, n, rects, &n_rects);
      break;
    case SCENE_FULL:
      draw_full (scene, cr, n);
      add_rect (rects, &n_rects, scene->width, scene->height, 0, 0, scene->width, scene->height);
      break;
    case SCENE_SCROLL:
      draw_scroll (scene, surface, cr, n);
      add_rect (rects, &n_rects, scene->width, scene->height, 0, 0, scene->width, scene->height);
      break;
    }
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  scene->drawn = TRUE;
  scene->last_n = n;
  return n_rects;
}
