/* throttle.h — authentication failures counted per source address.
 *
 * After @limit failures from one address, that address is refused for a
 * while; each further failure once a block has passed blocks it again for
 * twice as long, up to THROTTLE_MAX_BLOCK_US. A success forgets the
 * address. The table holds at most THROTTLE_MAX_ENTRIES addresses, so a
 * flood of addresses costs bounded memory. Times are passed in, so the
 * policy can be tested without waiting. Runs on the server context.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define THROTTLE_MAX_ENTRIES 1024
#define THROTTLE_MAX_BLOCK_US (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)
/* An address with no failure for this long starts again from nothing. */
#define THROTTLE_FORGET_US (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)

typedef struct _Throttle Throttle;

Throttle *throttle_new (void);
void throttle_free (Throttle *throttle);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Throttle, throttle_free)

/* How much longer @address is refused, in microseconds; 0 when it is not. */
gint64 throttle_blocked_for (Throttle *throttle, const char *address, gint64 now_us);

/* Counts a failure. Returns the length of the block it starts (0 for
 * none); @failures, when not NULL, gets the failures counted so far.
 * @limit 0 counts nothing. */
gint64 throttle_failed (Throttle   *throttle,
                        const char *address,
                        gint64      now_us,
                        guint       limit,
                        gint64      first_block_us,
                        guint      *failures);

void throttle_succeeded (Throttle *throttle, const char *address);

guint throttle_get_n_entries (Throttle *throttle);

G_END_DECLS
