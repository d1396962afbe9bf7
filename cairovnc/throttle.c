/* throttle.c — authentication failures counted per source address.
 *
 * The policy, in the spirit of TigerVNC's blacklist: a few failures are
 * allowed; the next one blocks the address for a while; once that block
 * has passed, every further failure blocks it again for twice as long as
 * the last time. Without it VNC Authentication, whose key is at most
 * eight characters, could be guessed at the speed of the network.
 *
 * Runs on the server context.
 */
#include "throttle.h"

typedef struct {
  guint failures;
  gint64 last_failure_us;
  gint64 blocked_until_us;     /* 0: not blocked yet */
  gint64 next_block_us;        /* 0: the first block is still to come */
} ThrottleEntry;

struct _Throttle {
  GHashTable *entries;         /* address -> ThrottleEntry */
};

Throttle *
throttle_new (void)
{
  Throttle *throttle = g_new0 (Throttle, 1);

  throttle->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return throttle;
}

void
throttle_free (Throttle *throttle)
{
  if (throttle == NULL)
    return;
  g_hash_table_unref (throttle->entries);
  g_free (throttle);
}

static gboolean
is_stale (const ThrottleEntry *entry, gint64 now_us)
{
  return entry->blocked_until_us <= now_us && now_us - entry->last_failure_us > THROTTLE_FORGET_US;
}

/* The entry of @address, or NULL; a stale one is dropped. */
static ThrottleEntry *
lookup (Throttle *throttle, const char *address, gint64 now_us)
{
  ThrottleEntry *entry = g_hash_table_lookup (throttle->entries, address);

  if (entry != NULL && is_stale (entry, now_us))
    {
      g_hash_table_remove (throttle->entries, address);
      return NULL;
    }
  return entry;
}

/* Makes room for one more: stale entries go first, then the one whose
 * last failure is oldest. */
static void
make_room (Throttle *throttle, gint64 now_us)
{
  GHashTableIter iter;
  gpointer key, value;
  const char *oldest = NULL;
  gint64 oldest_us = G_MAXINT64;

  g_hash_table_iter_init (&iter, throttle->entries);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      ThrottleEntry *entry = value;
      if (is_stale (entry, now_us))
        g_hash_table_iter_remove (&iter);
    }
  if (g_hash_table_size (throttle->entries) < THROTTLE_MAX_ENTRIES)
    return;

  g_hash_table_iter_init (&iter, throttle->entries);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      ThrottleEntry *entry = value;
      if (entry->last_failure_us < oldest_us)
        {
          oldest_us = entry->last_failure_us;
          oldest = key;
        }
    }
  if (oldest != NULL)
    g_hash_table_remove (throttle->entries, oldest);
}

gint64
throttle_blocked_for (Throttle *throttle, const char *address, gint64 now_us)
{
  ThrottleEntry *entry = lookup (throttle, address, now_us);

  if (entry == NULL || entry->blocked_until_us <= now_us)
    return 0;
  return entry->blocked_until_us - now_us;
}

gint64
throttle_failed (Throttle   *throttle,
                 const char *address,
                 gint64      now_us,
                 guint       limit,
                 gint64      first_block_us,
                 guint      *failures)
{
  ThrottleEntry *entry;
  gint64 block_us;

  if (failures != NULL)
    *failures = 0;
  if (limit == 0)
    return 0;
  entry = lookup (throttle, address, now_us);
  if (entry == NULL)
    {
      if (g_hash_table_size (throttle->entries) >= THROTTLE_MAX_ENTRIES)
        make_room (throttle, now_us);
      entry = g_new0 (ThrottleEntry, 1);
      g_hash_table_insert (throttle->entries, g_strdup (address), entry);
    }
  if (entry->failures < G_MAXUINT)
    entry->failures++;
  entry->last_failure_us = now_us;
  if (failures != NULL)
    *failures = entry->failures;
  if (entry->failures < limit || entry->blocked_until_us > now_us)
    return 0;

  /* The first block lasts @first_block_us; each later one twice the last. */
  block_us = entry->next_block_us > 0 ? entry->next_block_us : MAX (first_block_us, 1);
  block_us = MIN (block_us, THROTTLE_MAX_BLOCK_US);
  entry->blocked_until_us = now_us + block_us;
  entry->next_block_us = MIN (block_us * 2, THROTTLE_MAX_BLOCK_US);
  return block_us;
}

void
throttle_succeeded (Throttle *throttle, const char *address)
{
  g_hash_table_remove (throttle->entries, address);
}

guint
throttle_get_n_entries (Throttle *throttle)
{
  return g_hash_table_size (throttle->entries);
}
