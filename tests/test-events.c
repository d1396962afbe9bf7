/* test-events.c — viewer input turned into CairoVncEvents.
 *
 * Covers events_split_pointer against the behaviour of the Python
 * CairoVNC's PointerEvent handler (a MOVE when the position changed with
 * the wheel bits masked out, a CLICK per changed ordinary button in
 * ascending order with 0x80 as button 7, a SCROLL per wheel press only),
 * including that project's own test sequences and an exhaustive check of
 * every pair of masks; events_latin1_to_utf8 for every byte; and the
 * CairoVncEvent boxed type.
 */
#include "checkutil.h"
#include <string.h>

#include "cairovnc.h"
#include "events.h"

/* What an event should be; fields a type does not use must be zero. */
typedef struct {
  CairoVncEventType type;
  int x, y;
  guint buttons;   /* MOVE */
  guint button;    /* CLICK */
  gboolean down;   /* CLICK */
  int dx, dy;      /* SCROLL */
} Expected;

#define MOVE(x_, y_, buttons_) { CAIROVNC_EVENT_MOVE, x_, y_, buttons_, 0, FALSE, 0, 0 }
#define CLICK(x_, y_, button_, down_) { CAIROVNC_EVENT_CLICK, x_, y_, 0, button_, down_, 0, 0 }
#define SCROLL(x_, y_, dx_, dy_) { CAIROVNC_EVENT_SCROLL, x_, y_, 0, 0, FALSE, dx_, dy_ }

static const char *
type_name (CairoVncEventType type)
{
  switch (type)
    {
    case CAIROVNC_EVENT_KEY: return "KEY";
    case CAIROVNC_EVENT_MOVE: return "MOVE";
    case CAIROVNC_EVENT_CLICK: return "CLICK";
    case CAIROVNC_EVENT_SCROLL: return "SCROLL";
    case CAIROVNC_EVENT_CLIPBOARD: return "CLIPBOARD";
    default: return "?";
    }
}

static void
assert_event (const CairoVncEvent *got, const Expected *want, guint index, const char *context)
{
  ck_assert_msg (got->type == want->type, "%s: event %u is %s, expected %s", context, index,
                 type_name (got->type), type_name (want->type));
  ck_assert_msg (got->x == want->x && got->y == want->y,
                 "%s: event %u (%s) at %d,%d, expected %d,%d", context, index,
                 type_name (got->type), got->x, got->y, want->x, want->y);
  ck_assert_msg (got->buttons == want->buttons, "%s: event %u buttons %#x, expected %#x",
                 context, index, got->buttons, want->buttons);
  ck_assert_msg (got->button == want->button, "%s: event %u button %u, expected %u",
                 context, index, got->button, want->button);
  ck_assert_msg (!got->down == !want->down, "%s: event %u down %d, expected %d",
                 context, index, got->down, want->down);
  ck_assert_msg (got->dx == want->dx && got->dy == want->dy,
                 "%s: event %u scroll %d,%d, expected %d,%d", context, index,
                 got->dx, got->dy, want->dx, want->dy);
  ck_assert_uint_eq (got->keysym, 0);
  ck_assert_ptr_null (got->text);
}

static void
assert_events (GPtrArray *got, const Expected *want, guint n_want, const char *context)
{
  ck_assert_msg (got->len == n_want, "%s: %u events, expected %u", context, got->len, n_want);
  for (guint i = 0; i < n_want; i++)
    assert_event (g_ptr_array_index (got, i), &want[i], i, context);
}

static GPtrArray *
new_event_array (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) cairovnc_event_free);
}

typedef struct {
  guint8 mask;
  int x, y;
} Pointer;

/* Runs a sequence of PointerEvents through a fresh state. */
static GPtrArray *
split_sequence (const Pointer *seq, guint n)
{
  PointerState state = POINTER_STATE_INIT;
  GPtrArray *out = new_event_array ();

  for (guint i = 0; i < n; i++)
    events_split_pointer (&state, 1, seq[i].mask, seq[i].x, seq[i].y, out);
  return out;
}

/* ---- The Python project's cases ---- */

START_TEST (test_events_wheel_up_then_release)
{
  /* 0x08, 0 -> [Move, Scroll(0, +1)] */
  static const Pointer seq[] = { { 0x08, 10, 20 }, { 0x00, 10, 20 } };
  static const Expected want[] = { MOVE (10, 20, 0), SCROLL (10, 20, 0, +1) };
  g_autoptr (GPtrArray) got = split_sequence (seq, G_N_ELEMENTS (seq));

  assert_events (got, want, G_N_ELEMENTS (want), "0x08, 0");
}
END_TEST

START_TEST (test_events_wheel_sequence)
{
  /* 0x08|0x40, 0, 0x10, 0, 0x08 -> scrolls (0,1), (1,0), (0,-1), (0,1) */
  static const Pointer seq[] = {
    { 0x48, 5, 5 }, { 0x00, 5, 5 }, { 0x10, 5, 5 }, { 0x00, 5, 5 }, { 0x08, 5, 5 },
  };
  static const Expected want[] = {
    MOVE (5, 5, 0),
    SCROLL (5, 5, 0, +1), SCROLL (5, 5, +1, 0), SCROLL (5, 5, 0, -1), SCROLL (5, 5, 0, +1),
  };
  g_autoptr (GPtrArray) got = split_sequence (seq, G_N_ELEMENTS (seq));

  assert_events (got, want, G_N_ELEMENTS (want), "wheel sequence");
}
END_TEST

START_TEST (test_events_bit_7_is_button_7)
{
  /* 0x80, 0 -> clicks (7, down), (7, up) */
  static const Pointer seq[] = { { 0x80, 1, 2 }, { 0x00, 1, 2 } };
  static const Expected want[] = { MOVE (1, 2, 0x80), CLICK (1, 2, 7, TRUE), CLICK (1, 2, 7, FALSE) };
  g_autoptr (GPtrArray) got = split_sequence (seq, G_N_ELEMENTS (seq));

  assert_events (got, want, G_N_ELEMENTS (want), "0x80, 0");
}
END_TEST

START_TEST (test_events_move_masks_wheel_bits)
{
  /* A move with mask 0x08 has buttons 0; 0xff keeps 0x87. */
  static const Pointer seq[] = { { 0x08, 3, 4 }, { 0x00, 5, 6 }, { 0xff, 7, 8 } };
  static const Expected want[] = {
    MOVE (3, 4, 0), SCROLL (3, 4, 0, +1),
    MOVE (5, 6, 0),
    MOVE (7, 8, 0x87),
    CLICK (7, 8, 0, TRUE), CLICK (7, 8, 1, TRUE), CLICK (7, 8, 2, TRUE), CLICK (7, 8, 7, TRUE),
    SCROLL (7, 8, 0, +1), SCROLL (7, 8, 0, -1), SCROLL (7, 8, -1, 0), SCROLL (7, 8, +1, 0),
  };
  g_autoptr (GPtrArray) got = split_sequence (seq, G_N_ELEMENTS (seq));

  assert_events (got, want, G_N_ELEMENTS (want), "masked moves");
  ck_assert_uint_le (9, EVENTS_MAX_PER_MESSAGE);
}
END_TEST

/* ---- Each rule alone ---- */

START_TEST (test_events_first_event_always_moves)
{
  /* The state starts at -1,-1, so even 0,0 with no buttons is a move. */
  static const Pointer seq[] = { { 0x00, 0, 0 } };
  static const Expected want[] = { MOVE (0, 0, 0) };
  g_autoptr (GPtrArray) got = split_sequence (seq, 1);

  assert_events (got, want, 1, "first");
}
END_TEST

START_TEST (test_events_same_position_no_buttons_is_nothing)
{
  static const Pointer seq[] = { { 0x00, 9, 9 }, { 0x00, 9, 9 }, { 0x00, 9, 9 } };
  static const Expected want[] = { MOVE (9, 9, 0) };
  g_autoptr (GPtrArray) got = split_sequence (seq, G_N_ELEMENTS (seq));

  assert_events (got, want, 1, "repeated");
}
END_TEST

START_TEST (test_events_button_change_alone_does_not_move)
{
  static const Pointer seq[] = { { 0x00, 10, 20 }, { 0x01, 10, 20 }, { 0x05, 10, 20 }, { 0x00, 10, 20 } };
  static const Expected want[] = {
    MOVE (10, 20, 0),
    CLICK (10, 20, 0, TRUE),
    CLICK (10, 20, 2, TRUE),
    CLICK (10, 20, 0, FALSE), CLICK (10, 20, 2, FALSE),
  };
  g_autoptr (GPtrArray) got = split_sequence (seq, G_N_ELEMENTS (seq));

  assert_events (got, want, G_N_ELEMENTS (want), "buttons only");
}
END_TEST

START_TEST (test_events_clicks_ascending)
{
  static const Pointer seq[] = { { 0x00, 0, 0 }, { 0x87, 0, 0 }, { 0x00, 0, 0 }, { 0x82, 0, 0 },
                                 { 0x05, 0, 0 } };
  static const Expected want[] = {
    MOVE (0, 0, 0),
    CLICK (0, 0, 0, TRUE), CLICK (0, 0, 1, TRUE), CLICK (0, 0, 2, TRUE), CLICK (0, 0, 7, TRUE),
    CLICK (0, 0, 0, FALSE), CLICK (0, 0, 1, FALSE), CLICK (0, 0, 2, FALSE), CLICK (0, 0, 7, FALSE),
    CLICK (0, 0, 1, TRUE), CLICK (0, 0, 7, TRUE),
    CLICK (0, 0, 0, TRUE), CLICK (0, 0, 1, FALSE), CLICK (0, 0, 2, TRUE), CLICK (0, 0, 7, FALSE),
  };
  g_autoptr (GPtrArray) got = split_sequence (seq, G_N_ELEMENTS (seq));

  assert_events (got, want, G_N_ELEMENTS (want), "ascending");
}
END_TEST

START_TEST (test_events_scroll_table)
{
  static const struct {
    guint8 bit;
    int dx, dy;
  } table[] = { { 0x08, 0, +1 }, { 0x10, 0, -1 }, { 0x20, -1, 0 }, { 0x40, +1, 0 } };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      Pointer seq[] = { { 0x00, 4, 4 }, { table[i].bit, 4, 4 } };
      Expected want[] = { MOVE (4, 4, 0), SCROLL (4, 4, table[i].dx, table[i].dy) };
      g_autoptr (GPtrArray) got = split_sequence (seq, G_N_ELEMENTS (seq));
      g_autofree char *context = g_strdup_printf ("wheel bit %#x", table[i].bit);

      assert_events (got, want, G_N_ELEMENTS (want), context);
    }
}
END_TEST

START_TEST (test_events_scroll_only_on_press)
{
  /* Held across messages (even while moving), released: one step only. */
  static const Pointer seq[] = {
    { 0x10, 1, 1 }, { 0x10, 1, 1 }, { 0x10, 2, 2 }, { 0x00, 2, 2 }, { 0x00, 3, 3 }, { 0x10, 3, 3 },
  };
  static const Expected want[] = {
    MOVE (1, 1, 0), SCROLL (1, 1, 0, -1),
    MOVE (2, 2, 0),
    MOVE (3, 3, 0),
    SCROLL (3, 3, 0, -1),
  };
  g_autoptr (GPtrArray) got = split_sequence (seq, G_N_ELEMENTS (seq));

  assert_events (got, want, G_N_ELEMENTS (want), "press only");
}
END_TEST

START_TEST (test_events_wheel_never_clicks)
{
  /* A wheel press while a button is held: a scroll, no click; the button
   * stays down through it. */
  static const Pointer seq[] = { { 0x01, 0, 0 }, { 0x09, 0, 0 }, { 0x01, 0, 0 }, { 0x00, 0, 0 } };
  static const Expected want[] = {
    MOVE (0, 0, 1), CLICK (0, 0, 0, TRUE),
    SCROLL (0, 0, 0, +1),
    CLICK (0, 0, 0, FALSE),
  };
  g_autoptr (GPtrArray) got = split_sequence (seq, G_N_ELEMENTS (seq));

  assert_events (got, want, G_N_ELEMENTS (want), "wheel with button");
}
END_TEST

START_TEST (test_events_order_move_clicks_scrolls)
{
  /* Clicks and scrolls carry this message's position. */
  static const Pointer seq[] = { { 0x00, 0, 0 }, { 0x6b, 100, 200 } };
  static const Expected want[] = {
    MOVE (0, 0, 0),
    MOVE (100, 200, 0x03),
    CLICK (100, 200, 0, TRUE), CLICK (100, 200, 1, TRUE),
    SCROLL (100, 200, 0, +1), SCROLL (100, 200, -1, 0), SCROLL (100, 200, +1, 0),
  };
  g_autoptr (GPtrArray) got = split_sequence (seq, G_N_ELEMENTS (seq));

  assert_events (got, want, G_N_ELEMENTS (want), "order");
}
END_TEST

START_TEST (test_events_state_follows_messages)
{
  PointerState state = POINTER_STATE_INIT;
  g_autoptr (GPtrArray) out = new_event_array ();

  ck_assert_uint_eq (state.mask, 0);
  ck_assert_int_eq (state.x, -1);
  ck_assert_int_eq (state.y, -1);
  events_split_pointer (&state, 1, 0x4a, 65535, 7, out);
  ck_assert_uint_eq (state.mask, 0x4a);
  ck_assert_int_eq (state.x, 65535);
  ck_assert_int_eq (state.y, 7);
}
END_TEST

START_TEST (test_events_client_id_and_timestamps)
{
  PointerState state = POINTER_STATE_INIT;
  g_autoptr (GPtrArray) out = new_event_array ();
  gint64 before = g_get_monotonic_time ();
  gint64 after;
  gint64 last = 0;

  events_split_pointer (&state, 42, 0xff, 1, 1, out);
  events_split_pointer (&state, 42, 0x00, 2, 2, out);
  after = g_get_monotonic_time ();
  ck_assert_uint_eq (out->len, 9 + 5);
  for (guint i = 0; i < out->len; i++)
    {
      CairoVncEvent *event = g_ptr_array_index (out, i);
      ck_assert_uint_eq (event->client_id, 42);
      ck_assert_int_ge (event->timestamp_us, before);
      ck_assert_int_le (event->timestamp_us, after);
      ck_assert_int_ge (event->timestamp_us, last);
      last = event->timestamp_us;
    }

  g_autoptr (GPtrArray) other = new_event_array ();
  PointerState fresh = POINTER_STATE_INIT;
  events_split_pointer (&fresh, 7, 0, 0, 0, other);
  ck_assert_uint_eq (((CairoVncEvent *) g_ptr_array_index (other, 0))->client_id, 7);
}
END_TEST

START_TEST (test_events_appends_to_array)
{
  PointerState state = POINTER_STATE_INIT;
  g_autoptr (GPtrArray) out = new_event_array ();
  CairoVncEvent *marker = events_new (CAIROVNC_EVENT_KEY, 1);

  g_ptr_array_add (out, marker);
  events_split_pointer (&state, 1, 0x01, 5, 5, out);
  ck_assert_uint_eq (out->len, 3);
  ck_assert_ptr_eq (g_ptr_array_index (out, 0), marker);
}
END_TEST

/* The Python handler, written out here from its description, for the
 * exhaustive check below. */
static guint
model_split (guint8 prev_mask, int prev_x, int prev_y, guint8 mask, int x, int y, Expected *out)
{
  static const struct {
    guint8 bit;
    int dx, dy;
  } wheel[] = { { 0x08, 0, 1 }, { 0x10, 0, -1 }, { 0x20, -1, 0 }, { 0x40, 1, 0 } };
  guint8 ordinary = mask & (guint8) ~0x78;
  guint8 prev_ordinary = prev_mask & (guint8) ~0x78;
  guint8 presses = (mask & 0x78) & (guint8) ~prev_mask;
  guint8 diff = prev_ordinary ^ ordinary;
  guint n = 0;

  if (x != prev_x || y != prev_y)
    out[n++] = (Expected) MOVE (x, y, ordinary);
  for (guint b = 0; b < 8; b++)
    if (diff & (1u << b))
      out[n++] = (Expected) CLICK (x, y, b, (ordinary & (1u << b)) != 0);
  for (guint i = 0; i < G_N_ELEMENTS (wheel); i++)
    if (presses & wheel[i].bit)
      out[n++] = (Expected) SCROLL (x, y, wheel[i].dx, wheel[i].dy);
  return n;
}

/* Where @got differs from @want, in words; NULL when they agree. */
static char *
describe_difference (GPtrArray *got, const Expected *want, guint n_want)
{
  if (got->len != n_want)
    return g_strdup_printf ("%u events, expected %u", got->len, n_want);
  for (guint i = 0; i < n_want; i++)
    {
      const CairoVncEvent *e = g_ptr_array_index (got, i);
      const Expected *w = &want[i];

      if (e->type != w->type || e->x != w->x || e->y != w->y || e->buttons != w->buttons ||
          e->button != w->button || !e->down != !w->down || e->dx != w->dx || e->dy != w->dy ||
          e->keysym != 0 || e->text != NULL)
        return g_strdup_printf ("event %u is %s at %d,%d buttons %#x button %u down %d "
                                "scroll %d,%d; expected %s at %d,%d buttons %#x button %u "
                                "down %d scroll %d,%d", i,
                                type_name (e->type), e->x, e->y, e->buttons, e->button, e->down,
                                e->dx, e->dy, type_name (w->type), w->x, w->y, w->buttons,
                                w->button, w->down, w->dx, w->dy);
    }
  return NULL;
}

START_TEST (test_events_every_mask_pair_matches_model)
{
  /* Every previous mask, every new mask, with and without a move. */
  g_autofree char *first_failure = NULL;
  guint n_failures = 0;
  guint most_events = 0;

  for (guint prev = 0; prev < 256; prev++)
    for (guint mask = 0; mask < 256; mask++)
      for (int moved = 0; moved <= 1; moved++)
        {
          PointerState state = { (guint8) prev, 30, 40 };
          g_autoptr (GPtrArray) got = new_event_array ();
          Expected want[16];
          guint n_want;
          int x = moved ? 31 : 30;
          char *difference;

          events_split_pointer (&state, 1, (guint8) mask, x, 40, got);
          n_want = model_split ((guint8) prev, 30, 40, (guint8) mask, x, 40, want);
          most_events = MAX (most_events, got->len);
          difference = describe_difference (got, want, n_want);
          if (difference != NULL)
            {
              if (first_failure == NULL)
                first_failure = g_strdup_printf ("%#04x -> %#04x%s: %s", prev, mask,
                                                 moved ? " moved" : "", difference);
              n_failures++;
              g_free (difference);
            }
        }
  ck_assert_msg (n_failures == 0, "%u cases differ, the first: %s", n_failures, first_failure);
  ck_assert_uint_eq (most_events, 9);
  ck_assert_uint_le (most_events, EVENTS_MAX_PER_MESSAGE);
}
END_TEST

/* ---- Latin-1 ---- */

START_TEST (test_events_latin1_every_byte)
{
  for (guint b = 1; b < 256; b++)
    {
      guint8 in = (guint8) b;
      g_autofree char *utf8 = events_latin1_to_utf8 (&in, 1);

      ck_assert (g_utf8_validate (utf8, -1, NULL));
      ck_assert_uint_eq (g_utf8_strlen (utf8, -1), 1);
      ck_assert_uint_eq (g_utf8_get_char (utf8), b);
      ck_assert_uint_eq (strlen (utf8), b < 0x80 ? 1 : 2);
    }
}
END_TEST

START_TEST (test_events_latin1_known_bytes)
{
  static const guint8 in[] = { 'c', 'a', 'f', 0xe9, ' ', 0xa3, 0xff, 0x80 };
  g_autofree char *utf8 = events_latin1_to_utf8 (in, sizeof in);
  g_autofree char *empty = events_latin1_to_utf8 (in, 0);

  ck_assert_str_eq (utf8, "caf\xc3\xa9 \xc2\xa3\xc3\xbf\xc2\x80");
  ck_assert_ptr_nonnull (empty);
  ck_assert_str_eq (empty, "");
}
END_TEST

START_TEST (test_events_latin1_round_trip)
{
  /* All bytes but NUL (text is a C string), checked by iconv. */
  guint8 in[255];
  g_autoptr (GError) error = NULL;
  gsize back_len = 0;

  for (guint i = 0; i < sizeof in; i++)
    in[i] = (guint8) (i + 1);
  g_autofree char *utf8 = events_latin1_to_utf8 (in, sizeof in);
  ck_assert (g_utf8_validate (utf8, -1, NULL));
  ck_assert_uint_eq (strlen (utf8), 127 + 2 * 128);
  g_autofree char *back = g_convert (utf8, -1, "ISO-8859-1", "UTF-8", NULL, &back_len, &error);
  ck_assert_ptr_null (error);
  ck_assert_uint_eq (back_len, sizeof in);
  ck_assert_mem_eq (back, in, sizeof in);
}
END_TEST

START_TEST (test_events_latin1_nul_ends_text)
{
  static const guint8 in[] = { 'a', 0x00, 'b' };
  g_autofree char *utf8 = events_latin1_to_utf8 (in, sizeof in);

  ck_assert (g_utf8_validate (utf8, -1, NULL));
  ck_assert_str_eq (utf8, "a");
}
END_TEST

/* ---- The boxed type ---- */

START_TEST (test_events_new_sets_type_and_zeros)
{
  gint64 before = g_get_monotonic_time ();
  CairoVncEvent *event = events_new (CAIROVNC_EVENT_KEY, 5);

  ck_assert_int_eq (event->type, CAIROVNC_EVENT_KEY);
  ck_assert_uint_eq (event->client_id, 5);
  ck_assert_int_ge (event->timestamp_us, before);
  ck_assert_int_le (event->timestamp_us, g_get_monotonic_time ());
  ck_assert_uint_eq (event->keysym, 0);
  ck_assert (!event->down);
  ck_assert_int_eq (event->x, 0);
  ck_assert_int_eq (event->y, 0);
  ck_assert_uint_eq (event->buttons, 0);
  ck_assert_uint_eq (event->button, 0);
  ck_assert_int_eq (event->dx, 0);
  ck_assert_int_eq (event->dy, 0);
  ck_assert_ptr_null (event->text);
  cairovnc_event_free (event);
}
END_TEST

START_TEST (test_events_copy_with_text)
{
  CairoVncEvent *event = events_new (CAIROVNC_EVENT_CLIPBOARD, 3);
  CairoVncEvent *copy;

  event->text = g_strdup ("caf\xc3\xa9");
  event->rtf = g_strdup ("{\\rtf1 r}");
  event->html = g_strdup ("<b>h</b>");
  event->x = 11;
  copy = cairovnc_event_copy (event);
  ck_assert_ptr_ne (copy->rtf, event->rtf);
  ck_assert_ptr_ne (copy->html, event->html);
  ck_assert_ptr_ne (copy, event);
  ck_assert_int_eq (copy->type, CAIROVNC_EVENT_CLIPBOARD);
  ck_assert_uint_eq (copy->client_id, 3);
  ck_assert_int_eq (copy->timestamp_us, event->timestamp_us);
  ck_assert_int_eq (copy->x, 11);
  ck_assert_ptr_ne (copy->text, event->text);
  ck_assert_str_eq (copy->text, "caf\xc3\xa9");
  /* The copy owns its text. */
  cairovnc_event_free (event);
  ck_assert_str_eq (copy->text, "caf\xc3\xa9");
  ck_assert_str_eq (copy->rtf, "{\\rtf1 r}");
  ck_assert_str_eq (copy->html, "<b>h</b>");
  cairovnc_event_free (copy);
  cairovnc_event_free (NULL);
}
END_TEST

START_TEST (test_events_copy_without_text)
{
  CairoVncEvent *event = events_new (CAIROVNC_EVENT_KEY, 1);
  CairoVncEvent *copy;

  event->keysym = 0xff0d;
  event->down = TRUE;
  copy = cairovnc_event_copy (event);
  ck_assert_uint_eq (copy->keysym, 0xff0d);
  ck_assert (copy->down);
  ck_assert_ptr_null (copy->text);
  cairovnc_event_free (copy);
  cairovnc_event_free (event);
}
END_TEST

START_TEST (test_events_gtype_is_boxed)
{
  GType type = CAIROVNC_TYPE_EVENT;
  CairoVncEvent *event = events_new (CAIROVNC_EVENT_CLIPBOARD, 2);
  CairoVncEvent *copy;
  GValue value = G_VALUE_INIT;

  ck_assert (G_TYPE_IS_BOXED (type));
  ck_assert_str_eq (g_type_name (type), "CairoVncEvent");
  ck_assert_uint_eq (cairovnc_event_get_type (), type);

  event->text = g_strdup ("boxed");
  copy = g_boxed_copy (type, event);
  ck_assert_ptr_ne (copy, event);
  ck_assert_str_eq (copy->text, "boxed");
  ck_assert_ptr_ne (copy->text, event->text);
  g_boxed_free (type, copy);

  g_value_init (&value, type);
  g_value_set_boxed (&value, event);
  ck_assert_ptr_ne (g_value_get_boxed (&value), event);
  ck_assert_str_eq (((CairoVncEvent *) g_value_get_boxed (&value))->text, "boxed");
  g_value_unset (&value);
  cairovnc_event_free (event);
}
END_TEST

static Suite *
events_suite (void)
{
  Suite *s = suite_create ("events");
  TCase *tc;

  tc = tcase_create ("python-cases");
  tcase_add_test (tc, test_events_wheel_up_then_release);
  tcase_add_test (tc, test_events_wheel_sequence);
  tcase_add_test (tc, test_events_bit_7_is_button_7);
  tcase_add_test (tc, test_events_move_masks_wheel_bits);
  suite_add_tcase (s, tc);

  tc = tcase_create ("pointer");
  tcase_add_test (tc, test_events_first_event_always_moves);
  tcase_add_test (tc, test_events_same_position_no_buttons_is_nothing);
  tcase_add_test (tc, test_events_button_change_alone_does_not_move);
  tcase_add_test (tc, test_events_clicks_ascending);
  tcase_add_test (tc, test_events_scroll_table);
  tcase_add_test (tc, test_events_scroll_only_on_press);
  tcase_add_test (tc, test_events_wheel_never_clicks);
  tcase_add_test (tc, test_events_order_move_clicks_scrolls);
  tcase_add_test (tc, test_events_state_follows_messages);
  tcase_add_test (tc, test_events_client_id_and_timestamps);
  tcase_add_test (tc, test_events_appends_to_array);
  tcase_add_test (tc, test_events_every_mask_pair_matches_model);
  suite_add_tcase (s, tc);

  tc = tcase_create ("latin1");
  tcase_add_test (tc, test_events_latin1_every_byte);
  tcase_add_test (tc, test_events_latin1_known_bytes);
  tcase_add_test (tc, test_events_latin1_round_trip);
  tcase_add_test (tc, test_events_latin1_nul_ends_text);
  suite_add_tcase (s, tc);

  tc = tcase_create ("boxed");
  tcase_add_test (tc, test_events_new_sets_type_and_zeros);
  tcase_add_test (tc, test_events_copy_with_text);
  tcase_add_test (tc, test_events_copy_without_text);
  tcase_add_test (tc, test_events_gtype_is_boxed);
  suite_add_tcase (s, tc);

  return s;
}

int
main (void)
{
  return checkutil_run (events_suite ());
}
