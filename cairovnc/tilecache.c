/* tilecache.c — encoded tiles shared between viewers, and the encoder pool.
 *
 * The cache has one slot per tile of the current grid; a slot holds the
 * few entries (one per encoding and pixel format in use) for the tile's
 * current version. When a frame changes a tile, its slot is emptied: the
 * old bytes live on only while an update still holds them.
 *
 * Workers get a job (a frame reference, a converter reference, parameters
 * by value and a list of rectangles), encode into their own result array
 * and hand the job back through a queue; a GSource on the server context
 * then fills the entries and wakes the updates waiting for them. Entries,
 * slots and batches are touched only on the server context.
 */
#include "tilecache.h"

#include <string.h>

/* Distinct (encoding, format) entries kept per tile; more than real
 * viewers use, few enough that a viewer cycling formats cannot grow
 * memory. */
#define MAX_ENTRIES_PER_TILE 8

typedef struct {
  guint64 version;       /* a span's: the newest of its tiles' versions */
  guint16 x, y, w, h;
  EncoderParams params;
} TileKey;

struct _TileEntry {
  int ref;
  TileKey key;
  GBytes *bytes;         /* NULL until encoded */
  guint n_rects;         /* rectangles in bytes: several for a span */
  GPtrArray *waiters;    /* TileBatch *, while being encoded */
};

struct _TileBatch {
  int ref;
  guint missing;
  gboolean committed;
  gboolean done;         /* called back, or cancelled */
  TileBatchReadyFunc ready;
  gpointer user_data;
  GPtrArray *entries;    /* TileEntry *, in the order added */
  /* Entries this batch created, to be encoded from these. */
  Frame *frame;
  PixfmtConverter *converter;
  GPtrArray *to_encode;  /* TileEntry * */
};

typedef struct {
  Frame *frame;
  PixfmtConverter *converter;
  EncoderParams params;
  guint n;
  TileEntry **entries;   /* read only by the worker: key.x/y/w/h */
  cairo_rectangle_int_t *rects;
  GBytes **results;
  guint *n_rects;
} EncodeJob;

typedef struct {
  GSource source;
  TileCache *cache;
} DoneSource;

struct _TileCache {
  GMainContext *context;
  GThreadPool *pool;
  guint n_threads;
  GAsyncQueue *done;     /* EncodeJob *, finished by workers */
  GSource *done_source;
  guint tiles_x, tiles_y;
  GPtrArray **slots;     /* TileEntry *, tiles_x * tiles_y of them */
  guint64 n_encoded;
  guint64 n_shared;
};

static TileEntry *
tile_entry_ref (TileEntry *entry)
{
  entry->ref++;
  return entry;
}

static void
tile_entry_unref (TileEntry *entry)
{
  if (--entry->ref > 0)
    return;
  g_clear_pointer (&entry->bytes, g_bytes_unref);
  g_clear_pointer (&entry->waiters, g_ptr_array_unref);
  g_free (entry);
}

static TileBatch *
tile_batch_ref (TileBatch *batch)
{
  batch->ref++;
  return batch;
}

void
tile_batch_unref (TileBatch *batch)
{
  if (batch == NULL || --batch->ref > 0)
    return;
  g_ptr_array_unref (batch->entries);
  g_clear_pointer (&batch->to_encode, g_ptr_array_unref);
  g_clear_pointer (&batch->frame, frame_unref);
  g_clear_pointer (&batch->converter, pixfmt_converter_unref);
  g_free (batch);
}

TileBatch *
tile_batch_new (TileBatchReadyFunc ready, gpointer user_data)
{
  TileBatch *batch = g_new0 (TileBatch, 1);

  batch->ref = 1;
  batch->ready = ready;
  batch->user_data = user_data;
  batch->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) tile_entry_unref);
  return batch;
}

void
tile_batch_cancel (TileBatch *batch)
{
  batch->done = TRUE;
}

guint
tile_batch_get_n_tiles (TileBatch *batch)
{
  return batch->entries->len;
}

GBytes *
tile_batch_get_tile (TileBatch *batch, guint index)
{
  TileEntry *entry = g_ptr_array_index (batch->entries, index);
  return entry->bytes;
}

guint
tile_batch_get_n_rects (TileBatch *batch, guint index)
{
  TileEntry *entry = g_ptr_array_index (batch->entries, index);
  return entry->n_rects;
}

static void
maybe_fire (TileBatch *batch)
{
  if (batch->done || !batch->committed || batch->missing > 0)
    return;
  batch->done = TRUE;
  tile_batch_ref (batch);
  batch->ready (batch->user_data);
  tile_batch_unref (batch);
}

/* Runs on an encoder thread. */
static void
encode_job (gpointer data, gpointer user_data)
{
  EncodeJob *job = data;
  TileCache *cache = user_data;

  for (guint i = 0; i < job->n; i++)
    {
      EncoderInput input = {
        .frame = job->frame,
        .rect = job->rects[i],
        .converter = job->converter,
        .params = &job->params,
        .span = job->rects[i].width > TILE_SIZE,
      };
      job->results[i] = encoder_encode (&input, &job->n_rects[i]);
    }
  g_async_queue_push (cache->done, job);
  g_source_set_ready_time (cache->done_source, 0);
}

static void
encode_job_free (EncodeJob *job)
{
  for (guint i = 0; i < job->n; i++)
    {
      g_clear_pointer (&job->results[i], g_bytes_unref);
      tile_entry_unref (job->entries[i]);
    }
  frame_unref (job->frame);
  pixfmt_converter_unref (job->converter);
  g_free (job->entries);
  g_free (job->rects);
  g_free (job->results);
  g_free (job->n_rects);
  g_free (job);
}

/* Runs on the server context. */
static void
finish_job (TileCache *cache, EncodeJob *job)
{
  for (guint i = 0; i < job->n; i++)
    {
      TileEntry *entry = job->entries[i];
      g_autoptr (GPtrArray) waiters = g_steal_pointer (&entry->waiters);

      entry->bytes = g_steal_pointer (&job->results[i]);
      entry->n_rects = job->n_rects[i];
      cache->n_encoded++;
      for (guint w = 0; waiters != NULL && w < waiters->len; w++)
        {
          TileBatch *batch = g_ptr_array_index (waiters, w);
          batch->missing--;
          maybe_fire (batch);
        }
    }
  encode_job_free (job);
}

static gboolean
done_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  TileCache *cache = ((DoneSource *) source)->cache;
  EncodeJob *job;

  g_source_set_ready_time (source, -1);
  while ((job = g_async_queue_try_pop (cache->done)) != NULL)
    finish_job (cache, job);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs done_source_funcs = {
  .dispatch = done_source_dispatch,
};

TileCache *
tile_cache_new (GMainContext *context)
{
  TileCache *cache = g_new0 (TileCache, 1);

  cache->context = g_main_context_ref (context);
  cache->n_threads = MAX (1, g_get_num_processors ());
  cache->pool = g_thread_pool_new (encode_job, cache, (int) cache->n_threads, FALSE, NULL);
  cache->done = g_async_queue_new ();
  cache->done_source = g_source_new (&done_source_funcs, sizeof (DoneSource));
  ((DoneSource *) cache->done_source)->cache = cache;
  g_source_set_priority (cache->done_source, G_PRIORITY_HIGH);
  g_source_set_name (cache->done_source, "cairovnc encoded tiles");
  g_source_attach (cache->done_source, context);
  return cache;
}

static void
clear_slots (TileCache *cache)
{
  guint n = cache->tiles_x * cache->tiles_y;

  for (guint i = 0; i < n; i++)
    g_clear_pointer (&cache->slots[i], g_ptr_array_unref);
  g_clear_pointer (&cache->slots, g_free);
  cache->tiles_x = cache->tiles_y = 0;
}

void
tile_cache_free (TileCache *cache)
{
  EncodeJob *job;

  /* Let queued jobs finish, then settle them here: the context may no
   * longer be iterated. */
  g_thread_pool_free (cache->pool, FALSE, TRUE);
  while ((job = g_async_queue_try_pop (cache->done)) != NULL)
    finish_job (cache, job);
  g_source_destroy (cache->done_source);
  g_source_unref (cache->done_source);
  g_async_queue_unref (cache->done);
  clear_slots (cache);
  g_main_context_unref (cache->context);
  g_free (cache);
}

void
tile_cache_new_frame (TileCache *cache, const Frame *frame)
{
  guint n = frame_n_tiles (frame);

  if (frame->tiles_x != cache->tiles_x || frame->tiles_y != cache->tiles_y)
    {
      clear_slots (cache);
      cache->tiles_x = frame->tiles_x;
      cache->tiles_y = frame->tiles_y;
      cache->slots = g_new0 (GPtrArray *, n);
      return;
    }
  /* changed_before[tx]: changed tiles of the row left of tx. */
  g_autofree guint *changed_before = g_new (guint, cache->tiles_x + 1);

  for (guint ty = 0; ty < cache->tiles_y; ty++)
    {
      guint row = ty * cache->tiles_x;

      changed_before[0] = 0;
      for (guint tx = 0; tx < cache->tiles_x; tx++)
        changed_before[tx + 1] = changed_before[tx] + (frame->tile_versions[row + tx] == frame->id);
      if (changed_before[cache->tiles_x] == 0)
        continue;
      for (guint tx = 0; tx < cache->tiles_x; tx++)
        {
          GPtrArray *slot = cache->slots[row + tx];

          if (slot == NULL)
            continue;
          if (frame->tile_versions[row + tx] == frame->id)
            {
              g_ptr_array_set_size (slot, 0);
              continue;
            }
          /* Spans that start here and cover a changed tile are stale. */
          for (guint i = slot->len; i-- > 0;)
            {
              TileEntry *entry = g_ptr_array_index (slot, i);
              guint span_tiles = (entry->key.w + TILE_SIZE - 1) / TILE_SIZE;
              guint last = MIN (tx + span_tiles, cache->tiles_x);

              if (span_tiles > 1 && changed_before[last] != changed_before[tx])
                g_ptr_array_remove_index (slot, i);
            }
        }
    }
}

static TileEntry *
find_entry (GPtrArray *slot, const TileKey *key)
{
  for (guint i = 0; slot != NULL && i < slot->len; i++)
    {
      TileEntry *entry = g_ptr_array_index (slot, i);
      if (memcmp (&entry->key, key, sizeof *key) == 0)
        return entry;
    }
  return NULL;
}

void
tile_cache_add_to_batch (TileCache                   *cache,
                         TileBatch                   *batch,
                         Frame                       *frame,
                         guint                        tile,
                         guint                        n_tiles,
                         const cairo_rectangle_int_t *rect,
                         const EncoderParams         *params,
                         PixfmtConverter             *converter)
{
  gboolean cacheable = frame->tiles_x == cache->tiles_x && frame->tiles_y == cache->tiles_y;
  GPtrArray *slot = NULL;
  TileEntry *entry;
  TileKey key;

  g_return_if_fail (!batch->committed);
  g_return_if_fail (n_tiles >= 1 && tile + n_tiles <= frame_n_tiles (frame));

  memset (&key, 0, sizeof key);
  for (guint i = tile; i < tile + n_tiles; i++)
    key.version = MAX (key.version, frame->tile_versions[i]);
  key.x = (guint16) rect->x;
  key.y = (guint16) rect->y;
  key.w = (guint16) rect->width;
  key.h = (guint16) rect->height;
  key.params = *params;

  if (cacheable)
    {
      if (cache->slots[tile] == NULL)
        cache->slots[tile] = g_ptr_array_new_with_free_func ((GDestroyNotify) tile_entry_unref);
      slot = cache->slots[tile];
    }

  entry = find_entry (slot, &key);
  if (entry != NULL)
    {
      cache->n_shared++;
    }
  else
    {
      entry = g_new0 (TileEntry, 1);
      entry->ref = 1;
      entry->key = key;
      if (slot != NULL)
        {
          if (slot->len >= MAX_ENTRIES_PER_TILE)
            g_ptr_array_remove_index (slot, 0);
          g_ptr_array_add (slot, tile_entry_ref (entry));
        }
      if (batch->to_encode == NULL)
        {
          batch->to_encode = g_ptr_array_new_with_free_func ((GDestroyNotify) tile_entry_unref);
          batch->frame = frame_ref (frame);
          batch->converter = pixfmt_converter_ref (converter);
        }
      g_ptr_array_add (batch->to_encode, entry); /* takes the new reference */
    }

  g_ptr_array_add (batch->entries, tile_entry_ref (entry));
  if (entry->bytes == NULL)
    {
      if (entry->waiters == NULL)
        entry->waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) tile_batch_unref);
      g_ptr_array_add (entry->waiters, tile_batch_ref (batch));
      batch->missing++;
    }
}

static void
dispatch_jobs (TileCache *cache, TileBatch *batch, const EncoderParams *params)
{
  GPtrArray *todo = batch->to_encode;
  /* Two jobs per thread keeps every thread busy without a job per tile. */
  guint per_job = MAX (1, (todo->len + cache->n_threads * 2 - 1) / (cache->n_threads * 2));

  for (guint start = 0; start < todo->len; start += per_job)
    {
      EncodeJob *job = g_new0 (EncodeJob, 1);

      job->n = MIN (per_job, todo->len - start);
      job->frame = frame_ref (batch->frame);
      job->converter = pixfmt_converter_ref (batch->converter);
      job->params = *params;
      job->entries = g_new (TileEntry *, job->n);
      job->rects = g_new (cairo_rectangle_int_t, job->n);
      job->results = g_new0 (GBytes *, job->n);
      job->n_rects = g_new0 (guint, job->n);
      for (guint i = 0; i < job->n; i++)
        {
          TileEntry *entry = g_ptr_array_index (todo, start + i);
          job->entries[i] = tile_entry_ref (entry);
          job->rects[i] = (cairo_rectangle_int_t) { entry->key.x, entry->key.y,
                                                    entry->key.w, entry->key.h };
        }
      g_thread_pool_push (cache->pool, job, NULL);
    }
}

void
tile_batch_commit (TileCache *cache, TileBatch *batch)
{
  g_return_if_fail (!batch->committed);

  batch->committed = TRUE;
  if (batch->to_encode != NULL)
    {
      TileEntry *first = g_ptr_array_index (batch->to_encode, 0);
      dispatch_jobs (cache, batch, &first->key.params);
      g_clear_pointer (&batch->to_encode, g_ptr_array_unref);
      g_clear_pointer (&batch->frame, frame_unref);
      g_clear_pointer (&batch->converter, pixfmt_converter_unref);
    }
  maybe_fire (batch);
}

guint64
tile_cache_get_n_encoded (TileCache *cache)
{
  return cache->n_encoded;
}

guint64
tile_cache_get_n_shared (TileCache *cache)
{
  return cache->n_shared;
}
