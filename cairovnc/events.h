/* events.h — turning viewer input into CairoVncEvents.
 *
 * Pointer messages carry a whole button mask; programs want what changed.
 * PointerState remembers a viewer's last mask and position and splits each
 * PointerEvent as the Python CairoVNC does: a MOVE when the position
 * changed, then a CLICK per changed button, then a SCROLL per wheel press.
 */
#pragma once

#include "cairovnc.h"

G_BEGIN_DECLS

/* The most events one PointerEvent can give: a move, four clicks (buttons
 * 0, 1, 2 and 7) and four wheel steps. Used to check room in the queue before reading one. */
#define EVENTS_MAX_PER_MESSAGE 10

/* Starts as { 0, -1, -1 }: the first PointerEvent always gives a MOVE. */
typedef struct {
  guint8 mask;
  int x, y;
} PointerState;

#define POINTER_STATE_INIT { 0, -1, -1 }

CairoVncEvent *events_new (CairoVncEventType type, guint client_id);

/* Appends the events for one PointerEvent to @out (CairoVncEvent *). */
void events_split_pointer (PointerState *state,
                           guint         client_id,
                           guint8        mask,
                           int           x,
                           int           y,
                           GPtrArray    *out);

/* ISO 8859-1 to UTF-8; never fails. */
char *events_latin1_to_utf8 (const guint8 *data, gsize len);

G_END_DECLS
