/* frame.h — one immutable snapshot of the surface, and its tile versions.
 *
 * A Frame is made on the server context and, once made, never changes: it
 * is shared read-only with encoder threads (atomic reference count). Its
 * pixels are cairo's native-endian x8r8g8b8 (premultiplied, so ARGB32
 * surfaces show as if composited over black).
 *
 * The surface is cut into TILE_SIZE squares; a tile's version is the id of
 * the frame in which its pixels last changed, so (tile, version) names the
 * tile's content for caches.
 */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

#define TILE_SIZE 64

G_DEFINE_AUTOPTR_CLEANUP_FUNC (cairo_surface_t, cairo_surface_destroy)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (cairo_region_t, cairo_region_destroy)

typedef struct _FramePool FramePool;

/* "The pixels of @dest are those that were at @dest moved by (-dx, -dy) in
 * the frame before": a scroll, sent to viewers as a CopyRect. */
typedef struct {
  cairo_rectangle_int_t dest;
  int dx, dy;
} CopyOp;

typedef struct {
  guint64 id;
  int width, height;
  gsize stride;             /* bytes per row of @pixels */
  guint32 *pixels;
  guint tiles_x, tiles_y;
  guint64 *tile_versions;   /* tiles_x * tiles_y */
  gint64 lock_hold_us;      /* how long the program's lock was held */
  gboolean has_copy;        /* part of it is a moved part of the last frame */
  CopyOp copy;
  guint64 *row_hashes;      /* for scroll_detect(); server context only */
  FramePool *pool;          /* where its pixels go back to */
} Frame;

/* What the program gave us to serve; its size is fixed for its life. */
typedef struct {
  cairo_surface_t *surface;
  GMutex *lock;
  int x, y;                 /* where its extents start (recording surfaces) */
  int width, height;
} SurfaceSource;

/* Checks that @surface can be served and fills in @source's geometry. */
gboolean snapshot_check_surface (cairo_surface_t *surface,
                                 SurfaceSource   *source,
                                 GError         **error);

/* Pixel buffers of released frames, kept for the next snapshots: copying
 * into pages already touched keeps the program's lock short. Any thread
 * may release a frame into it. */
FramePool *frame_pool_new (void);
void frame_pool_unref (FramePool *pool);

/* Copies the pixels out under the program's lock, into a buffer from
 * @pool (may be NULL). Tile versions are left for damage_compute(). */
Frame *snapshot_take (const SurfaceSource *source, guint64 id, FramePool *pool);

Frame *frame_ref (Frame *frame);
void frame_unref (Frame *frame);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Frame, frame_unref)

static inline guint
frame_n_tiles (const Frame *frame)
{
  return frame->tiles_x * frame->tiles_y;
}

/* The tile's rectangle, clipped to the frame. */
void frame_tile_rect (const Frame *frame, guint tile, cairo_rectangle_int_t *rect);

/* Compares @next with @prev (NULL or another size: everything changed),
 * sets @next's tile versions and returns the changed tiles as a region.
 * Tiles touched by @hints (may be NULL) count as changed too. */
cairo_region_t *damage_compute (const Frame          *prev,
                                Frame                *next,
                                const cairo_region_t *hints);

/* Whether @op holds between @prev and @next: @op lies within both frames
 * (of one size) and the pixels match. */
gboolean copy_op_verify (const Frame *prev, const Frame *next, const CopyOp *op);

/* Looks for a vertical scroll of full-width rows inside @damage; TRUE with
 * the largest band found. */
gboolean scroll_detect (const Frame *prev, const Frame *next, const cairo_region_t *damage, CopyOp *op);

G_END_DECLS
