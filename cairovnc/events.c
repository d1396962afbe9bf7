/* events.c — CairoVncEvent, and viewer input split into events.
 *
 * The meaning of each event follows the Python CairoVNC: a PointerEvent
 * gives a MOVE when the position changed (buttons without the wheel bits),
 * then one CLICK per changed ordinary button in ascending order, then one
 * SCROLL per wheel button that went down (release is silent). Wheel bits
 * are RFB buttons 4–7 (mask 0x08 up, 0x10 down, 0x20 left, 0x40 right);
 * bit 7 (0x80) is an ordinary button.
 */
#include "events.h"

#include <string.h>

G_DEFINE_BOXED_TYPE (CairoVncEvent, cairovnc_event, cairovnc_event_copy, cairovnc_event_free)

#define WHEEL_MASK 0x78

/**
 * cairovnc_event_copy:
 * @event: an event
 *
 * Returns: (transfer full): a copy of @event
 *
 * Since: 0.1
 */
CairoVncEvent *
cairovnc_event_copy (const CairoVncEvent *event)
{
  CairoVncEvent *copy;

  g_return_val_if_fail (event != NULL, NULL);
  copy = g_new (CairoVncEvent, 1);
  *copy = *event;
  copy->text = g_strdup (event->text);
  copy->rtf = g_strdup (event->rtf);
  copy->html = g_strdup (event->html);
  return copy;
}

/**
 * cairovnc_event_free:
 * @event: (nullable): an event
 *
 * Frees an event returned by cairovnc_server_pop_event().
 *
 * Since: 0.1
 */
void
cairovnc_event_free (CairoVncEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->text);
  g_free (event->rtf);
  g_free (event->html);
  g_free (event);
}

CairoVncEvent *
events_new (CairoVncEventType type, guint client_id)
{
  CairoVncEvent *event = g_new0 (CairoVncEvent, 1);

  event->type = type;
  event->client_id = client_id;
  event->timestamp_us = g_get_monotonic_time ();
  return event;
}

static const struct {
  guint8 bit;
  int dx, dy;
} wheel_steps[] = {
  { 0x08, 0, +1 },
  { 0x10, 0, -1 },
  { 0x20, -1, 0 },
  { 0x40, +1, 0 },
};

void
events_split_pointer (PointerState *state,
                      guint         client_id,
                      guint8        mask,
                      int           x,
                      int           y,
                      GPtrArray    *out)
{
  guint8 ordinary = mask & ~WHEEL_MASK;
  guint8 old_ordinary = state->mask & ~WHEEL_MASK;
  guint8 wheel_presses = (mask & WHEEL_MASK) & ~state->mask;
  guint8 changed = ordinary ^ old_ordinary;

  if (x != state->x || y != state->y)
    {
      CairoVncEvent *move = events_new (CAIROVNC_EVENT_MOVE, client_id);
      move->x = x;
      move->y = y;
      move->buttons = ordinary;
      g_ptr_array_add (out, move);
    }

  for (guint button = 0; button < 8; button++)
    {
      if (!(changed & (1u << button)))
        continue;
      CairoVncEvent *click = events_new (CAIROVNC_EVENT_CLICK, client_id);
      click->x = x;
      click->y = y;
      click->button = button;
      click->down = (ordinary & (1u << button)) != 0;
      g_ptr_array_add (out, click);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (wheel_steps); i++)
    {
      if (!(wheel_presses & wheel_steps[i].bit))
        continue;
      CairoVncEvent *scroll = events_new (CAIROVNC_EVENT_SCROLL, client_id);
      scroll->x = x;
      scroll->y = y;
      scroll->dx = wheel_steps[i].dx;
      scroll->dy = wheel_steps[i].dy;
      g_ptr_array_add (out, scroll);
    }

  state->mask = mask;
  state->x = x;
  state->y = y;
}

char *
events_latin1_to_utf8 (const guint8 *data, gsize len)
{
  GString *s = g_string_sized_new (len + len / 4 + 1);

  for (gsize i = 0; i < len; i++)
    g_string_append_unichar (s, data[i]);
  return g_string_free (s, FALSE);
}
