/* snapshot.c — copying pixels out of the program's surface.
 *
 * The program's lock is held only around the copy itself: a flush and a
 * memcpy per row for image surfaces, a paint into our buffer for any other
 * kind of surface. Everything else (damage, encoding) works on the copy.
 * Runs on the server context.
 */
#include "frame.h"

#include <string.h>

#include "cairovnc.h"

/* RFB sizes are U16. */
#define MAX_DIMENSION 65535

static gboolean
surface_extents (cairo_surface_t *surface, int *x, int *y, int *width, int *height)
{
  *x = *y = 0;
  switch (cairo_surface_get_type (surface))
    {
    case CAIRO_SURFACE_TYPE_IMAGE:
      *width = cairo_image_surface_get_width (surface);
      *height = cairo_image_surface_get_height (surface);
      return TRUE;

    case CAIRO_SURFACE_TYPE_RECORDING:
      {
        cairo_rectangle_t extents;
        if (!cairo_recording_surface_get_extents (surface, &extents))
          return FALSE;
        *x = (int) extents.x;
        *y = (int) extents.y;
        *width = (int) extents.width;
        *height = (int) extents.height;
        return TRUE;
      }

    default:
      {
        cairo_surface_t *image = cairo_surface_map_to_image (surface, NULL);
        gboolean ok = cairo_surface_status (image) == CAIRO_STATUS_SUCCESS;
        if (ok)
          {
            *width = cairo_image_surface_get_width (image);
            *height = cairo_image_surface_get_height (image);
          }
        cairo_surface_unmap_image (surface, image);
        return ok;
      }
    }
}

gboolean
snapshot_check_surface (cairo_surface_t *surface, SurfaceSource *source, GError **error)
{
  int x = 0, y = 0, w = 0, h = 0;

  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_UNSUPPORTED_SURFACE,
                   "The surface is in an error state: %s",
                   cairo_status_to_string (cairo_surface_status (surface)));
      return FALSE;
    }
  if (cairo_surface_get_type (surface) == CAIRO_SURFACE_TYPE_IMAGE)
    {
      cairo_format_t format = cairo_image_surface_get_format (surface);
      if (format != CAIRO_FORMAT_ARGB32 && format != CAIRO_FORMAT_RGB24)
        {
          g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_UNSUPPORTED_SURFACE,
                       "Image surfaces of pixel format %d cannot be served: "
                       "use CAIRO_FORMAT_ARGB32 or CAIRO_FORMAT_RGB24", (int) format);
          return FALSE;
        }
    }
  if (!surface_extents (surface, &x, &y, &w, &h))
    {
      g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_UNSUPPORTED_SURFACE,
                   "Surfaces of type %d without bounded extents cannot be served",
                   (int) cairo_surface_get_type (surface));
      return FALSE;
    }
  if (w < 1 || h < 1 || w > MAX_DIMENSION || h > MAX_DIMENSION)
    {
      g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_UNSUPPORTED_SURFACE,
                   "A surface of %dx%d cannot be served: each side must be 1 to %d pixels",
                   w, h, MAX_DIMENSION);
      return FALSE;
    }
  source->x = x;
  source->y = y;
  source->width = w;
  source->height = h;
  return TRUE;
}

/* Enough for a frame being sent, one being encoded and the next. */
#define POOL_SIZE 4

struct _FramePool {
  GMutex lock;
  gsize buffer_size;
  GPtrArray *buffers;
};

FramePool *
frame_pool_new (void)
{
  FramePool *pool = g_atomic_rc_box_new0 (FramePool);

  g_mutex_init (&pool->lock);
  pool->buffers = g_ptr_array_new_with_free_func (g_free);
  return pool;
}

static void
frame_pool_clear (FramePool *pool)
{
  g_ptr_array_unref (pool->buffers);
  g_mutex_clear (&pool->lock);
}

static FramePool *
frame_pool_ref (FramePool *pool)
{
  return g_atomic_rc_box_acquire (pool);
}

void
frame_pool_unref (FramePool *pool)
{
  g_atomic_rc_box_release_full (pool, (GDestroyNotify) frame_pool_clear);
}

/* A buffer of @size bytes, its pages touched. */
static guint32 *
frame_pool_take (FramePool *pool, gsize size)
{
  guint32 *buffer = NULL;

  if (pool != NULL)
    {
      g_mutex_lock (&pool->lock);
      if (pool->buffer_size != size)
        {
          g_ptr_array_set_size (pool->buffers, 0);
          pool->buffer_size = size;
        }
      if (pool->buffers->len > 0)
        buffer = g_ptr_array_steal_index_fast (pool->buffers, pool->buffers->len - 1);
      g_mutex_unlock (&pool->lock);
    }
  if (buffer == NULL)
    {
      buffer = g_malloc (size);
      memset (buffer, 0, size);
    }
  return buffer;
}

static void
frame_pool_give (FramePool *pool, guint32 *buffer, gsize size)
{
  g_mutex_lock (&pool->lock);
  if (pool->buffer_size == size && pool->buffers->len < POOL_SIZE)
    {
      g_ptr_array_add (pool->buffers, buffer);
      buffer = NULL;
    }
  g_mutex_unlock (&pool->lock);
  g_free (buffer);
}

static Frame *
frame_new (int width, int height, guint64 id, FramePool *pool)
{
  Frame *frame = g_atomic_rc_box_new0 (Frame);

  frame->id = id;
  frame->width = width;
  frame->height = height;
  frame->stride = (gsize) width * 4;
  frame->pixels = frame_pool_take (pool, frame->stride * (gsize) height);
  frame->pool = pool != NULL ? frame_pool_ref (pool) : NULL;
  frame->tiles_x = (guint) (width + TILE_SIZE - 1) / TILE_SIZE;
  frame->tiles_y = (guint) (height + TILE_SIZE - 1) / TILE_SIZE;
  frame->tile_versions = g_new0 (guint64, frame->tiles_x * frame->tiles_y);
  return frame;
}

static void
copy_image (cairo_surface_t *surface, Frame *frame)
{
  const guint8 *src = cairo_image_surface_get_data (surface);
  int src_stride = cairo_image_surface_get_stride (surface);
  guint8 *dst = (guint8 *) frame->pixels;

  if ((gsize) src_stride == frame->stride)
    {
      memcpy (dst, src, frame->stride * (gsize) frame->height);
      return;
    }
  for (int y = 0; y < frame->height; y++)
    memcpy (dst + frame->stride * (gsize) y, src + (gsize) src_stride * (gsize) y, frame->stride);
}

/* Any other kind of surface: let cairo render it into our buffer. */
static void
paint_surface (cairo_surface_t *surface, int x, int y, Frame *frame)
{
  cairo_surface_t *target =
    cairo_image_surface_create_for_data ((unsigned char *) frame->pixels, CAIRO_FORMAT_ARGB32,
                                         frame->width, frame->height, (int) frame->stride);
  cairo_t *cr = cairo_create (target);

  cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
  cairo_set_source_surface (cr, surface, -x, -y);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_finish (target);
  cairo_surface_destroy (target);
}

/* Cache hints only: they read and write nothing, so they need no lock. */
static void
prefetch (const void *buffer, gsize size, gboolean for_write)
{
  for (gsize offset = 0; offset < size; offset += 64)
    {
      if (for_write)
        __builtin_prefetch ((const guint8 *) buffer + offset, 1, 3);
      else
        __builtin_prefetch ((const guint8 *) buffer + offset, 0, 3);
    }
}

Frame *
snapshot_take (const SurfaceSource *source, guint64 id, FramePool *pool)
{
  /* The buffer is ready before the lock is taken. */
  Frame *frame = frame_new (source->width, source->height, id, pool);
  gboolean is_image = cairo_surface_get_type (source->surface) == CAIRO_SURFACE_TYPE_IMAGE;
  gint64 start;

  /* Bring both sides into the cache before the lock: the copy under it
   * then runs at the speed of a copy between warm buffers. */
  if (is_image)
    {
      prefetch (cairo_image_surface_get_data (source->surface),
                (gsize) cairo_image_surface_get_stride (source->surface) * (gsize) frame->height, FALSE);
      prefetch (frame->pixels, frame->stride * (gsize) frame->height, TRUE);
    }
  if (source->lock != NULL)
    g_mutex_lock (source->lock);
  start = g_get_monotonic_time ();
  cairo_surface_flush (source->surface);
  if (is_image)
    copy_image (source->surface, frame);
  else
    paint_surface (source->surface, source->x, source->y, frame);
  frame->lock_hold_us = g_get_monotonic_time () - start;
  if (source->lock != NULL)
    g_mutex_unlock (source->lock);
  return frame;
}

Frame *
frame_ref (Frame *frame)
{
  return g_atomic_rc_box_acquire (frame);
}

static void
frame_clear (Frame *frame)
{
  if (frame->pool != NULL)
    {
      frame_pool_give (frame->pool, frame->pixels, frame->stride * (gsize) frame->height);
      frame_pool_unref (frame->pool);
    }
  else
    {
      g_free (frame->pixels);
    }
  g_free (frame->tile_versions);
  g_free (frame->row_hashes);
}

void
frame_unref (Frame *frame)
{
  g_atomic_rc_box_release_full (frame, (GDestroyNotify) frame_clear);
}

void
frame_tile_rect (const Frame *frame, guint tile, cairo_rectangle_int_t *rect)
{
  guint tx = tile % frame->tiles_x, ty = tile / frame->tiles_x;

  rect->x = (int) tx * TILE_SIZE;
  rect->y = (int) ty * TILE_SIZE;
  rect->width = MIN (TILE_SIZE, frame->width - rect->x);
  rect->height = MIN (TILE_SIZE, frame->height - rect->y);
}
