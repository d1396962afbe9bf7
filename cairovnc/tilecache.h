/* tilecache.h — encoded tiles, shared between viewers, and the encoder
 * threads that fill them.
 *
 * An entry is named by (tile rectangle, tile version, encoder parameters,
 * pixel format). Viewers that want the same entry share its bytes: a
 * hundred viewers of one animation cost one encode. Missing entries are
 * encoded on a GThreadPool; a TileBatch counts the entries one update
 * still waits for and calls back when the last is ready.
 *
 * Everything here but the workers runs on the server context.
 */
#pragma once

#include "enc/encoder.h"
#include "frame.h"

G_BEGIN_DECLS

typedef struct _TileCache TileCache;
typedef struct _TileBatch TileBatch;
typedef struct _TileEntry TileEntry;

typedef void (*TileBatchReadyFunc) (gpointer user_data);

TileCache *tile_cache_new (GMainContext *context);
void tile_cache_free (TileCache *cache);   /* waits for the workers */

/* Forgets entries of tiles that @frame changed (all, if the grid changed). */
void tile_cache_new_frame (TileCache *cache, const Frame *frame);

/* Starts collecting the tiles of one update. */
TileBatch *tile_batch_new (TileBatchReadyFunc ready, gpointer user_data);
void tile_batch_cancel (TileBatch *batch);  /* the update is gone: no callback */
void tile_batch_unref (TileBatch *batch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TileBatch, tile_batch_unref)

/* Adds one tile, or a span of @n_tiles tiles of one row starting at @tile
 * (see encoder_uses_spans()), encoded from @frame, to @batch: shared from
 * the cache when it is there or being encoded, otherwise queued for
 * encoding. */
void tile_cache_add_to_batch (TileCache             *cache,
                              TileBatch             *batch,
                              Frame                 *frame,
                              guint                  tile,
                              guint                  n_tiles,
                              const cairo_rectangle_int_t *rect,
                              const EncoderParams   *params,
                              PixfmtConverter       *converter);

/* After the tiles are added: hands queued work to the encoder threads, or
 * calls back at once when every tile was already there. */
void tile_batch_commit (TileCache *cache, TileBatch *batch);

/* The encoded rectangles of a finished batch, in the order added. */
guint tile_batch_get_n_tiles (TileBatch *batch);
GBytes *tile_batch_get_tile (TileBatch *batch, guint index);
/* How many rectangles those bytes hold: 1, or more for a span. */
guint tile_batch_get_n_rects (TileBatch *batch, guint index);

/* Counters for the verbose log and the benchmark. */
guint64 tile_cache_get_n_encoded (TileCache *cache);
guint64 tile_cache_get_n_shared (TileCache *cache);

G_END_DECLS
