/* scene-check — checks the scenes the benchmark serves, without a server.
 *
 * For each scene it draws a number of frames and reports: the share of
 * pixels that change per frame, whether every changed pixel lies inside
 * the rectangles the scene reported (LibVNCServer is told only those), and
 * the drawing time per frame. With --png DIR it also writes a few frames as
 * PNG files to look at.
 */
#include <stdio.h>
#include <string.h>

#include "scene.h"

static gboolean
inside_rects (const cairo_rectangle_int_t *rects, guint n_rects, int x, int y)
{
  for (guint i = 0; i < n_rects; i++)
    if (x >= rects[i].x && x < rects[i].x + rects[i].width &&
        y >= rects[i].y && y < rects[i].y + rects[i].height)
      return TRUE;
  return FALSE;
}

static int
check_scene (SceneKind kind, int width, int height, int frames, const char *png_dir)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_surface_t *previous = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  Scene *scene = scene_new (kind, width, height);
  int stride = cairo_image_surface_get_stride (surface);
  guint64 changed_total = 0, outside_total = 0, reported_area = 0;
  guint64 min_changed = G_MAXUINT64;
  gint64 draw_us = 0;
  int failures = 0;

  for (int n = 0; n < frames; n++)
    {
      cairo_rectangle_int_t rects[SCENE_MAX_RECTS];
      guint n_rects;
      gint64 start;
      const guint32 *now, *before;
      guint64 changed = 0, outside = 0;

      memcpy (cairo_image_surface_get_data (previous), cairo_image_surface_get_data (surface),
              (gsize) stride * (gsize) height);
      start = g_get_monotonic_time ();
      n_rects = scene_draw (scene, surface, (guint64) n, rects);
      draw_us += g_get_monotonic_time () - start;
      if (n == 0)
        continue;

      now = (const guint32 *) cairo_image_surface_get_data (surface);
      before = (const guint32 *) cairo_image_surface_get_data (previous);
      for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
          {
            gsize i = (gsize) y * (gsize) (stride / 4) + (gsize) x;
            if ((now[i] & 0xffffff) != (before[i] & 0xffffff))
              {
                changed++;
                if (!inside_rects (rects, n_rects, x, y))
                  outside++;
              }
          }
      for (guint i = 0; i < n_rects; i++)
        reported_area += (guint64) rects[i].width * (guint64) rects[i].height;
      changed_total += changed;
      outside_total += outside;
      min_changed = MIN (min_changed, changed);

      if (png_dir != NULL && (n == 1 || n == frames / 2))
        {
          char *path = g_strdup_printf ("%s/%s-%03d.png", png_dir, scene_kind_name (kind), n);
          cairo_surface_write_to_png (surface, path);
          g_free (path);
        }
    }

  if (outside_total > 0)
    failures++;
  printf ("%-6s  changed per frame: %5.1f %% (min %5.1f %%)  reported area: %5.1f %%  "
          "changed outside the reported rects: %" G_GUINT64_FORMAT "  draw: %.2f ms/frame\n",
          scene_kind_name (kind),
          100.0 * (double) changed_total / (double) (frames - 1) / ((double) width * height),
          100.0 * (double) min_changed / ((double) width * height),
          100.0 * (double) reported_area / (double) (frames - 1) / ((double) width * height),
          outside_total, (double) draw_us / 1000.0 / frames);

  scene_free (scene);
  cairo_surface_destroy (previous);
  cairo_surface_destroy (surface);
  return failures;
}

int
main (int argc, char **argv)
{
  int width = 1280, height = 720, frames = 120;
  char *png_dir = NULL;
  const GOptionEntry entries[] = {
    { "width", 0, 0, G_OPTION_ARG_INT, &width, "Surface width (default 1280)", "W" },
    { "height", 0, 0, G_OPTION_ARG_INT, &height, "Surface height (default 720)", "H" },
    { "frames", 0, 0, G_OPTION_ARG_INT, &frames, "Frames per scene (default 120)", "N" },
    { "png", 0, 0, G_OPTION_ARG_FILENAME, &png_dir, "Write sample frames as PNG into DIR", "DIR" },
    { NULL }
  };
  GOptionContext *context = g_option_context_new ("- check the benchmark scenes");
  GError *error = NULL;
  int failures = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  g_option_context_free (context);
  if (width < 16 || height < 16 || frames < 2)
    {
      fprintf (stderr, "--width and --height must be at least 16, --frames at least 2\n");
      return 2;
    }

  failures += check_scene (SCENE_SMALL, width, height, frames, png_dir);
  failures += check_scene (SCENE_FULL, width, height, frames, png_dir);
  failures += check_scene (SCENE_SCROLL, width, height, frames, png_dir);
  g_free (png_dir);
  return failures == 0 ? 0 : 1;
}
