/* damage.c — which tiles changed between two frames.
 *
 * Each row of pixels of the new frame is compared with the same row of the
 * previous one, then the tiles of a row that differs. A changed tile takes
 * the new frame's id as its version, an unchanged one keeps its old
 * version. Cost is one pass over the pixels per frame, however many
 * viewers watch. Runs on the server context.
 */
#include "frame.h"

#include <string.h>

/* Marks in @changed the tiles of tile row @ty that differ: whole pixel
 * rows are compared first, since most are equal, and only the tiles of a
 * row that differs are looked at. */
static void
row_of_tiles_differs (const Frame *a, const Frame *b, guint ty, gboolean *changed)
{
  int y0 = (int) ty * TILE_SIZE, y1 = MIN (y0 + TILE_SIZE, b->height);
  gsize row_bytes = (gsize) b->width * 4;
  guint unknown = b->tiles_x;

  for (int y = y0; y < y1 && unknown > 0; y++)
    {
      const guint8 *pa = (const guint8 *) a->pixels + (gsize) y * a->stride;
      const guint8 *pb = (const guint8 *) b->pixels + (gsize) y * b->stride;

      if (memcmp (pa, pb, row_bytes) == 0)
        continue;
      for (guint tx = 0; tx < b->tiles_x; tx++)
        {
          gsize x = (gsize) tx * TILE_SIZE * 4;

          if (!changed[tx] && memcmp (pa + x, pb + x, MIN ((gsize) TILE_SIZE * 4, row_bytes - x)) != 0)
            {
              changed[tx] = TRUE;
              unknown--;
            }
        }
    }
}

cairo_region_t *
damage_compute (const Frame *prev, Frame *next, const cairo_region_t *hints)
{
  cairo_region_t *damage = cairo_region_create ();
  gboolean comparable = prev != NULL && prev->width == next->width && prev->height == next->height;
  guint n_tiles = frame_n_tiles (next);

  g_autofree gboolean *changed_in_row = g_new (gboolean, next->tiles_x);

  for (guint tile = 0; tile < n_tiles; tile++)
    {
      guint tx = tile % next->tiles_x;
      cairo_rectangle_int_t rect;
      gboolean changed;

      if (tx == 0)
        {
          for (guint i = 0; i < next->tiles_x; i++)
            changed_in_row[i] = !comparable;
          if (comparable)
            row_of_tiles_differs (prev, next, tile / next->tiles_x, changed_in_row);
        }
      frame_tile_rect (next, tile, &rect);
      changed = changed_in_row[tx] ||
                (hints != NULL && cairo_region_contains_rectangle (hints, &rect) != CAIRO_REGION_OVERLAP_OUT);

      if (changed)
        {
          next->tile_versions[tile] = next->id;
          cairo_region_union_rectangle (damage, &rect);
        }
      else
        {
          next->tile_versions[tile] = prev->tile_versions[tile];
        }
    }
  return damage;
}
