/* scroll.c — finding content that moved between two frames.
 *
 * Text scrolling up is common in rendering-debug output and terminal-like
 * programs: every row changes, so tile damage resends the whole area,
 * while the viewer already has all but the new lines. Rows are hashed;
 * rows of the new frame whose hash appears once in the old frame vote for
 * a vertical offset, and the longest band of rows that matches at the
 * winning offset (checked byte for byte) becomes a CopyRect. Runs on the
 * server context, only when a frame's damage is big enough to be worth it.
 */
#include "frame.h"

#include <string.h>

/* Bands shorter than this are cheaper to resend than to look for. */
#define MIN_BAND_ROWS 16
/* Rows sampled for votes, at most. */
#define MAX_SAMPLES 256

static guint64
hash_row (const guint8 *row, gsize len)
{
  /* FNV-1a over 64-bit words: fast, and good enough to find candidates;
   * every match is confirmed with memcmp(). */
  guint64 h = 0xcbf29ce484222325ull;
  gsize n = len / 8;

  /* Rows may start 4 bytes off a word: copy (one load on x86) rather
   * than read a misaligned guint64. */
  for (gsize i = 0; i < n; i++)
    {
      guint64 word;
      memcpy (&word, row + i * 8, sizeof word);
      h = (h ^ word) * 0x100000001b3ull;
    }
  for (gsize i = n * 8; i < len; i++)
    h = (h ^ row[i]) * 0x100000001b3ull;
  return h;
}

static const guint8 *
row_at (const Frame *frame, int y)
{
  return (const guint8 *) frame->pixels + (gsize) y * frame->stride;
}

/* Each frame's rows are hashed once: as the new frame, then again
 * needed as the previous one. */
static const guint64 *
row_hashes (const Frame *frame)
{
  Frame *mutable_frame = (Frame *) frame;

  if (frame->row_hashes == NULL)
    {
      mutable_frame->row_hashes = g_new (guint64, frame->height);
      for (int y = 0; y < frame->height; y++)
        mutable_frame->row_hashes[y] = hash_row (row_at (frame, y), frame->stride);
    }
  return frame->row_hashes;
}

static gboolean
rows_equal (const Frame *prev, int prev_y, const Frame *next, int next_y, int x, int width)
{
  return memcmp (row_at (prev, prev_y) + (gsize) x * 4, row_at (next, next_y) + (gsize) x * 4,
                 (gsize) width * 4) == 0;
}

gboolean
copy_op_verify (const Frame *prev, const Frame *next, const CopyOp *op)
{
  const cairo_rectangle_int_t *d = &op->dest;
  int sx = d->x - op->dx, sy = d->y - op->dy;

  if (prev == NULL || prev->width != next->width || prev->height != next->height)
    return FALSE;
  if ((op->dx == 0 && op->dy == 0) || d->width <= 0 || d->height <= 0)
    return FALSE;
  if (d->x < 0 || d->y < 0 || d->x + d->width > next->width || d->y + d->height > next->height)
    return FALSE;
  if (sx < 0 || sy < 0 || sx + d->width > next->width || sy + d->height > next->height)
    return FALSE;
  for (int y = 0; y < d->height; y++)
    {
      const guint8 *a = row_at (prev, sy + y) + (gsize) sx * 4;
      const guint8 *b = row_at (next, d->y + y) + (gsize) d->x * 4;
      if (memcmp (a, b, (gsize) d->width * 4) != 0)
        return FALSE;
    }
  return TRUE;
}

/* Less damage than a tile row's worth costs less to resend than the
 * frame costs to hash: small changes are not looked at. */
static gint64
damaged_area (const cairo_region_t *damage)
{
  gint64 area = 0;

  for (int i = 0; i < cairo_region_num_rectangles (damage); i++)
    {
      cairo_rectangle_int_t r;
      cairo_region_get_rectangle (damage, i, &r);
      area += (gint64) r.width * r.height;
    }
  return area;
}

gboolean
scroll_detect (const Frame *prev, const Frame *next, const cairo_region_t *damage, CopyOp *op)
{
  cairo_rectangle_int_t extents;
  const guint64 *prev_hashes;
  const guint64 *next_hashes;
  g_autoptr (GHashTable) unique_rows = NULL;
  g_autoptr (GHashTable) votes = NULL;
  int step, best_dy = 0, best_votes = 0, best_start = 0, best_len = 0;

  if (prev == NULL || prev->width != next->width || prev->height != next->height)
    return FALSE;
  cairo_region_get_extents (damage, &extents);
  if (extents.height < 2 * MIN_BAND_ROWS || damaged_area (damage) < (gint64) next->width * TILE_SIZE)
    return FALSE;

  prev_hashes = row_hashes (prev);
  next_hashes = row_hashes (next);

  /* Old rows by hash; a hash seen twice (blank lines) says nothing. */
  unique_rows = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (int y = 0; y < prev->height; y++)
    {
      gpointer old = g_hash_table_lookup (unique_rows, &prev_hashes[y]);
      g_hash_table_insert (unique_rows, (gpointer) &prev_hashes[y], old != NULL ? GINT_TO_POINTER (-1)
                                                                                 : GINT_TO_POINTER (y + 1));
    }

  votes = g_hash_table_new (g_direct_hash, g_direct_equal);
  step = MAX (1, extents.height / MAX_SAMPLES);
  for (int y = extents.y; y < extents.y + extents.height; y += step)
    {
      int found = GPOINTER_TO_INT (g_hash_table_lookup (unique_rows, &next_hashes[y]));
      int dy, n;
      if (found <= 0 || found - 1 == y)
        continue;
      dy = y - (found - 1);
      n = GPOINTER_TO_INT (g_hash_table_lookup (votes, GINT_TO_POINTER (dy))) + 1;
      g_hash_table_insert (votes, GINT_TO_POINTER (dy), GINT_TO_POINTER (n));
      if (n > best_votes)
        {
          best_votes = n;
          best_dy = dy;
        }
    }
  if (best_votes < 2)
    return FALSE;

  /* The longest run of rows that moved by best_dy. */
  for (int y = MAX (0, best_dy), start = -1; y <= MIN (next->height, next->height + best_dy); y++)
    {
      gboolean match = y < MIN (next->height, next->height + best_dy) &&
                       next_hashes[y] == prev_hashes[y - best_dy] &&
                       rows_equal (prev, y - best_dy, next, y, 0, next->width);
      if (match && start < 0)
        start = y;
      if (!match && start >= 0)
        {
          if (y - start > best_len)
            {
              best_start = start;
              best_len = y - start;
            }
          start = -1;
        }
    }
  if (best_len < MIN_BAND_ROWS)
    return FALSE;

  op->dest = (cairo_rectangle_int_t) { 0, best_start, next->width, best_len };
  op->dx = 0;
  op->dy = best_dy;
  return TRUE;
}
