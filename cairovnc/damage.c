/* damage.c — which tiles changed between two frames.
 *
 * Each tile of the new frame is compared row by row with the same tile of
 * the previous one; a changed tile takes the new frame's id as its
 * version, an unchanged one keeps its old version. Cost is one pass over
 * the pixels per frame, however many viewers watch. Runs on the server
 * context.
 */
#include "frame.h"

#include <string.h>

static gboolean
tile_differs (const Frame *a, const Frame *b, const cairo_rectangle_int_t *r)
{
  gsize offset = (gsize) r->y * a->stride + (gsize) r->x * 4;
  gsize row_bytes = (gsize) r->width * 4;

  for (int y = 0; y < r->height; y++, offset += a->stride)
    {
      if (memcmp ((const guint8 *) a->pixels + offset,
                  (const guint8 *) b->pixels + offset, row_bytes) != 0)
        return TRUE;
    }
  return FALSE;
}

cairo_region_t *
damage_compute (const Frame *prev, Frame *next, const cairo_region_t *hints)
{
  cairo_region_t *damage = cairo_region_create ();
  gboolean comparable = prev != NULL && prev->width == next->width && prev->height == next->height;
  guint n_tiles = frame_n_tiles (next);

  for (guint tile = 0; tile < n_tiles; tile++)
    {
      cairo_rectangle_int_t rect;
      gboolean changed;

      frame_tile_rect (next, tile, &rect);
      if (!comparable)
        changed = TRUE;
      else if (hints != NULL &&
               cairo_region_contains_rectangle (hints, &rect) != CAIRO_REGION_OVERLAP_OUT)
        changed = TRUE;
      else
        changed = tile_differs (prev, next, &rect);

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
