/* test-input.c — viewers' input reaches the program as events, over the wire.
 *
 * Keys, pointer moves, buttons, wheel steps, clipboard text and QEMU
 * extended keys are sent by libvncclient or raw sockets to a real server,
 * and the events popped from its queue are checked field by field: the
 * pointer split follows the Python CairoVNC (move, then clicks, then one
 * scroll per wheel press), read-only viewers produce nothing, and a full
 * queue holds the sending viewer back without losing, duplicating or
 * reordering anything and without stopping the server.
 */
#include "testutil.h"

#include <rfb/keysym.h>
#include <string.h>

/* A keysym no test sends otherwise: events of one viewer keep their order,
 * so everything before this marker came from what was sent before it. */
#define MARKER_KEYSYM 0x00fe1234u
#define NO_EVENT_WAIT_US (300 * 1000)

static TestServer *
start_server (gboolean read_only)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 200, 150, 1);
  TestServer *ts = test_server_new (surface);

  cairo_surface_destroy (surface);
  if (!read_only)
    g_object_set (ts->server, "read-only", FALSE, NULL);
  test_server_start (ts);
  return ts;
}

static TestViewer *
connect_viewer (TestServer *ts, const char *password)
{
  TestViewer *viewer = test_viewer_connect (ts->port, NULL, NULL, password);

  ck_assert_msg (viewer != NULL, "the viewer could not connect");
  ck_assert_msg (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US), "no first frame");
  return viewer;
}

/* What an event should be; fields a type does not use must be zero. */
typedef struct {
  CairoVncEventType type;
  guint32 keysym;
  gboolean down;
  int x, y;
  guint buttons;
  guint button;
  int dx, dy;
} Expected;

#define MOVE(X, Y, B) { .type = CAIROVNC_EVENT_MOVE, .x = (X), .y = (Y), .buttons = (B) }
#define CLICK(X, Y, N, D) { .type = CAIROVNC_EVENT_CLICK, .x = (X), .y = (Y), .button = (N), .down = (D) != 0 }
#define SCROLL(X, Y, DX, DY) { .type = CAIROVNC_EVENT_SCROLL, .x = (X), .y = (Y), .dx = (DX), .dy = (DY) }
#define KEY(K, D) { .type = CAIROVNC_EVENT_KEY, .keysym = (K), .down = (D) != 0 }

static const char *
type_name (CairoVncEventType type)
{
  switch (type)
    {
    case CAIROVNC_EVENT_KEY:
      return "KEY";
    case CAIROVNC_EVENT_MOVE:
      return "MOVE";
    case CAIROVNC_EVENT_CLICK:
      return "CLICK";
    case CAIROVNC_EVENT_SCROLL:
      return "SCROLL";
    case CAIROVNC_EVENT_CLIPBOARD:
      return "CLIPBOARD";
    default:
      return "?";
    }
}

static void
check_event (const CairoVncEvent *event, const Expected *want, guint client_id,
             const char *what, guint index)
{
  ck_assert_msg (event->type == want->type, "%s, event %u: %s, expected %s", what, index,
                 type_name (event->type), type_name (want->type));
  ck_assert_msg (event->client_id == client_id, "%s, event %u: client %u, expected %u", what, index,
                 event->client_id, client_id);
  ck_assert_msg (event->keysym == want->keysym && event->down == want->down &&
                 event->x == want->x && event->y == want->y &&
                 event->buttons == want->buttons && event->button == want->button &&
                 event->dx == want->dx && event->dy == want->dy,
                 "%s, event %u (%s): got keysym %#x down %d x %d y %d buttons %#x button %u dx %d dy %d, "
                 "expected keysym %#x down %d x %d y %d buttons %#x button %u dx %d dy %d",
                 what, index, type_name (want->type),
                 event->keysym, event->down, event->x, event->y, event->buttons, event->button,
                 event->dx, event->dy,
                 want->keysym, want->down, want->x, want->y, want->buttons, want->button,
                 want->dx, want->dy);
  ck_assert_msg (event->text == NULL, "%s, event %u: unexpected text", what, index);
}

/* Sends the marker key from @viewer and checks that exactly @want came
 * before it. */
static void
expect_events (TestServer *ts, TestViewer *viewer, guint client_id,
               const Expected *want, guint n_want, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + TEST_TIMEOUT_US;
  guint got = 0;

  ck_assert (SendKeyEvent (viewer->client, MARKER_KEYSYM, TRUE));
  for (;;)
    {
      gint64 left = deadline - g_get_monotonic_time ();
      g_autoptr (CairoVncEvent) event = test_server_pop_event (ts, MAX (left, 1));

      ck_assert_msg (event != NULL, "%s: only %u of %u events before the deadline", what, got, n_want);
      if (event->type == CAIROVNC_EVENT_KEY && event->keysym == MARKER_KEYSYM)
        {
          ck_assert_uint_eq (event->client_id, client_id);
          break;
        }
      ck_assert_msg (got < n_want, "%s: more than %u events (extra %s)", what, n_want,
                     type_name (event->type));
      check_event (event, &want[got], client_id, what, got);
      got++;
    }
  ck_assert_msg (got == n_want, "%s: %u events, expected %u", what, got, n_want);
}

static void
expect_no_event (TestServer *ts, const char *what)
{
  g_autoptr (CairoVncEvent) event = test_server_pop_event (ts, NO_EVENT_WAIT_US);

  ck_assert_msg (event == NULL, "%s: unexpected %s event from viewer %u", what,
                 type_name (event->type), event->client_id);
}

/* Sends a pointer event from @viewer, client 1, and checks that exactly
 * @want came of it. */
static void
send_pointer (TestServer *ts, TestViewer *viewer, int x, int y, int mask, const Expected *want,
              guint n_want, const char *what)
{
  ck_assert (SendPointerEvent (viewer->client, x, y, mask));
  expect_events (ts, viewer, 1, want, n_want, what);
}

static void
build_key_event (guint8 msg[8], guint32 keysym, gboolean down)
{
  memset (msg, 0, 8);
  msg[0] = 4;
  msg[1] = down ? 1 : 0;
  test_put_u32 (msg + 4, keysym);
}

/* Keys. */

START_TEST (test_input_key_down_and_up)
{
  TestServer *ts = start_server (FALSE);
  TestViewer *viewer = connect_viewer (ts, NULL);
  gint64 before = g_get_monotonic_time ();
  gint64 after;
  CairoVncEvent *down, *up;

  ck_assert (SendKeyEvent (viewer->client, XK_a, TRUE));
  ck_assert (SendKeyEvent (viewer->client, XK_a, FALSE));
  down = test_server_pop_event (ts, TEST_TIMEOUT_US);
  up = test_server_pop_event (ts, TEST_TIMEOUT_US);
  after = g_get_monotonic_time ();

  ck_assert_msg (down != NULL && up != NULL, "the key events did not arrive");
  ck_assert_int_eq (down->type, CAIROVNC_EVENT_KEY);
  ck_assert_uint_eq (down->keysym, 0x61);
  ck_assert (down->down);
  ck_assert_uint_eq (down->client_id, 1);
  ck_assert_int_eq (up->type, CAIROVNC_EVENT_KEY);
  ck_assert_uint_eq (up->keysym, 0x61);
  ck_assert (!up->down);
  ck_assert_uint_eq (up->client_id, 1);
  ck_assert_msg (down->timestamp_us >= before && down->timestamp_us <= up->timestamp_us &&
                 up->timestamp_us <= after,
                 "timestamps %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT " outside [%" G_GINT64_FORMAT
                 ", %" G_GINT64_FORMAT "]", down->timestamp_us, up->timestamp_us, before, after);
  /* Unused fields are zero. */
  ck_assert_int_eq (down->x, 0);
  ck_assert_int_eq (down->y, 0);
  ck_assert_uint_eq (down->buttons, 0);
  ck_assert (down->text == NULL);
  /* A plain KeyEvent has no scancode. */
  ck_assert_uint_eq (down->keycode, 0);
  ck_assert_uint_eq (up->keycode, 0);
  cairovnc_event_free (down);
  cairovnc_event_free (up);
  expect_no_event (ts, "after the key");

  test_viewer_free (viewer);
  test_server_free (ts);
}
END_TEST

START_TEST (test_input_qemu_extended_key_gives_key_event)
{
  TestServer *ts = start_server (FALSE);
  GSocket *raw = test_raw_connect (ts->port);
  guint8 msg[12] = { 255, 0 };
  int width, height;
  CairoVncEvent *event;

  ck_assert (test_raw_handshake (raw, &width, &height));
  test_put_u16 (msg + 2, 1);
  test_put_u32 (msg + 4, XK_Return);
  test_put_u32 (msg + 8, 0x1c); /* XT scancode of Return */
  ck_assert (test_raw_send (raw, msg, sizeof msg));
  test_put_u16 (msg + 2, 0);
  ck_assert (test_raw_send (raw, msg, sizeof msg));

  event = test_server_pop_event (ts, TEST_TIMEOUT_US);
  ck_assert_msg (event != NULL, "no event for the QEMU key press");
  ck_assert_int_eq (event->type, CAIROVNC_EVENT_KEY);
  ck_assert_uint_eq (event->keysym, XK_Return);
  ck_assert (event->down);
  ck_assert_uint_eq (event->keycode, 0x1c);
  ck_assert_uint_eq (event->client_id, 1);
  cairovnc_event_free (event);
  event = test_server_pop_event (ts, TEST_TIMEOUT_US);
  ck_assert_msg (event != NULL, "no event for the QEMU key release");
  ck_assert_int_eq (event->type, CAIROVNC_EVENT_KEY);
  ck_assert_uint_eq (event->keysym, XK_Return);
  ck_assert (!event->down);
  ck_assert_uint_eq (event->keycode, 0x1c);
  cairovnc_event_free (event);

  g_object_unref (raw);
  test_server_free (ts);
}
END_TEST

/* libvncclient sends QEMU extended key events only once the server's
 * empty -258 rectangle said it may: the scancode reaches the program. */
START_TEST (test_input_qemu_extended_key_from_libvncclient)
{
  TestServer *ts = start_server (FALSE);
  TestViewer *viewer = connect_viewer (ts, NULL);
  static const struct {
    guint32 keysym, keycode, want_keycode;
    gboolean down;
  } keys[] = {
    { XK_a, 0x1e, 0x1e, TRUE },
    { XK_a, 0x1e, 0x1e, FALSE },
    { XK_Right, 0xcd, 0xcd, TRUE },   /* 0xe0 0x4d */
    { XK_Print, 0xb7, 0x54, TRUE },   /* the old code for Print Screen */
    { 0, 0x56, 0x56, TRUE },          /* a key with no keysym */
  };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autoptr (CairoVncEvent) event = NULL;

      ck_assert (SendExtendedKeyEvent (viewer->client, keys[i].keysym, keys[i].keycode, keys[i].down));
      event = test_server_pop_event (ts, TEST_TIMEOUT_US);
      ck_assert_msg (event != NULL, "key %u: no event (did the viewer send a QEMU key event?)", i);
      ck_assert_int_eq (event->type, CAIROVNC_EVENT_KEY);
      ck_assert_uint_eq (event->keysym, keys[i].keysym);
      ck_assert_msg (event->keycode == keys[i].want_keycode, "key %u: keycode %#x, expected %#x", i,
                     event->keycode, keys[i].want_keycode);
      ck_assert_int_eq (event->down, keys[i].down);
    }
  expect_no_event (ts, "after the QEMU keys");

  test_viewer_free (viewer);
  test_server_free (ts);
}
END_TEST

/* Pointer. */

START_TEST (test_input_pointer_first_event_moves)
{
  TestServer *ts = start_server (FALSE);
  TestViewer *viewer = connect_viewer (ts, NULL);
  const Expected first[] = { MOVE (0, 0, 0) };

  /* Even at (0, 0) with no button: there is no position before the first. */
  send_pointer (ts, viewer, 0, 0, 0, first, G_N_ELEMENTS (first), "first pointer event");
  send_pointer (ts, viewer, 0, 0, 0, NULL, 0, "same position again");

  test_viewer_free (viewer);
  test_server_free (ts);
}
END_TEST

START_TEST (test_input_pointer_first_event_with_button)
{
  TestServer *ts = start_server (FALSE);
  TestViewer *viewer = connect_viewer (ts, NULL);
  const Expected want[] = { MOVE (7, 9, 1), CLICK (7, 9, 0, TRUE) };

  send_pointer (ts, viewer, 7, 9, 1, want, G_N_ELEMENTS (want), "first pointer event pressing button 1");

  test_viewer_free (viewer);
  test_server_free (ts);
}
END_TEST

START_TEST (test_input_pointer_move_press_release)
{
  TestServer *ts = start_server (FALSE);
  TestViewer *viewer = connect_viewer (ts, NULL);
  const Expected move[] = { MOVE (10, 20, 0) };
  const Expected press[] = { MOVE (30, 40, 1), CLICK (30, 40, 0, TRUE) };
  const Expected release[] = { CLICK (30, 40, 0, FALSE) };
  const Expected drag[] = { MOVE (35, 45, 4), CLICK (35, 45, 2, TRUE) };
  const Expected drop[] = { MOVE (50, 60, 0), CLICK (50, 60, 2, FALSE) };

  send_pointer (ts, viewer, 10, 20, 0, move, G_N_ELEMENTS (move), "move");
  send_pointer (ts, viewer, 30, 40, 1, press, G_N_ELEMENTS (press), "press at a new position");
  send_pointer (ts, viewer, 30, 40, 0, release, G_N_ELEMENTS (release), "release in place");
  send_pointer (ts, viewer, 35, 45, 4, drag, G_N_ELEMENTS (drag), "third button at a new position");
  send_pointer (ts, viewer, 50, 60, 0, drop, G_N_ELEMENTS (drop), "release at a new position");

  test_viewer_free (viewer);
  test_server_free (ts);
}
END_TEST

START_TEST (test_input_pointer_bit_7_is_button_7)
{
  TestServer *ts = start_server (FALSE);
  TestViewer *viewer = connect_viewer (ts, NULL);
  const Expected move[] = { MOVE (5, 5, 0) };
  const Expected down[] = { CLICK (5, 5, 7, TRUE) };
  const Expected up[] = { CLICK (5, 5, 7, FALSE) };

  send_pointer (ts, viewer, 5, 5, 0, move, G_N_ELEMENTS (move), "move");
  send_pointer (ts, viewer, 5, 5, 0x80, down, G_N_ELEMENTS (down), "mask 0x80");
  send_pointer (ts, viewer, 5, 5, 0, up, G_N_ELEMENTS (up), "mask 0x80 released");

  test_viewer_free (viewer);
  test_server_free (ts);
}
END_TEST

START_TEST (test_input_pointer_wheel_steps)
{
  TestServer *ts = start_server (FALSE);
  TestViewer *viewer = connect_viewer (ts, NULL);
  const Expected move[] = { MOVE (12, 34, 0) };
  static const struct {
    int mask, dx, dy;
  } steps[] = {
    { 0x08, 0, +1 },
    { 0x10, 0, -1 },
    { 0x20, -1, 0 },
    { 0x40, +1, 0 },
  };

  send_pointer (ts, viewer, 12, 34, 0, move, G_N_ELEMENTS (move), "move");
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      const Expected scroll[] = { SCROLL (12, 34, steps[i].dx, steps[i].dy) };
      g_autofree char *press = g_strdup_printf ("wheel mask %#x", steps[i].mask);
      g_autofree char *release = g_strdup_printf ("wheel mask %#x released", steps[i].mask);

      send_pointer (ts, viewer, 12, 34, steps[i].mask, scroll, G_N_ELEMENTS (scroll), press);
      send_pointer (ts, viewer, 12, 34, 0, NULL, 0, release);
    }

  test_viewer_free (viewer);
  test_server_free (ts);
}
END_TEST

START_TEST (test_input_pointer_wheel_held_scrolls_once)
{
  TestServer *ts = start_server (FALSE);
  TestViewer *viewer = connect_viewer (ts, NULL);
  const Expected first[] = { MOVE (3, 4, 0), SCROLL (3, 4, 0, +1) };

  ck_assert (SendPointerEvent (viewer->client, 3, 4, 0x08));
  send_pointer (ts, viewer, 3, 4, 0x08, first, G_N_ELEMENTS (first), "wheel bit held across two messages");
  send_pointer (ts, viewer, 3, 4, 0, NULL, 0, "wheel released");

  test_viewer_free (viewer);
  test_server_free (ts);
}
END_TEST

START_TEST (test_input_pointer_two_wheel_bits_give_two_scrolls)
{
  TestServer *ts = start_server (FALSE);
  TestViewer *viewer = connect_viewer (ts, NULL);
  const Expected move[] = { MOVE (8, 8, 0) };
  const Expected both[] = { SCROLL (8, 8, 0, +1), SCROLL (8, 8, +1, 0) };

  send_pointer (ts, viewer, 8, 8, 0, move, G_N_ELEMENTS (move), "move");
  send_pointer (ts, viewer, 8, 8, 0x08 | 0x40, both, G_N_ELEMENTS (both), "mask 0x48: vertical first");
  send_pointer (ts, viewer, 8, 8, 0, NULL, 0, "mask 0x48 released");

  test_viewer_free (viewer);
  test_server_free (ts);
}
END_TEST

START_TEST (test_input_pointer_move_hides_wheel_bits)
{
  TestServer *ts = start_server (FALSE);
  TestViewer *viewer = connect_viewer (ts, NULL);
  const Expected move[] = { MOVE (1, 1, 0) };
  const Expected wheel_move[] = { MOVE (20, 25, 0), SCROLL (20, 25, 0, +1) };
  const Expected held_move[] = { MOVE (22, 27, 0) };

  send_pointer (ts, viewer, 1, 1, 0, move, G_N_ELEMENTS (move), "move");
  send_pointer (ts, viewer, 20, 25, 0x08, wheel_move, G_N_ELEMENTS (wheel_move), "move with mask 0x08");
  send_pointer (ts, viewer, 22, 27, 0x08, held_move, G_N_ELEMENTS (held_move), "move with mask 0x08 held");

  test_viewer_free (viewer);
  test_server_free (ts);
}
END_TEST

START_TEST (test_input_pointer_order_move_clicks_scrolls)
{
  TestServer *ts = start_server (FALSE);
  TestViewer *viewer = connect_viewer (ts, NULL);
  const Expected move[] = { MOVE (2, 2, 0) };
  /* Buttons 1 and 2, bit 7, wheel up and left, at a new position. */
  const Expected all[] = {
    MOVE (90, 70, 0x83),
    CLICK (90, 70, 0, TRUE),
    CLICK (90, 70, 1, TRUE),
    CLICK (90, 70, 7, TRUE),
    SCROLL (90, 70, 0, +1),
    SCROLL (90, 70, -1, 0),
  };
  const Expected release[] = {
    CLICK (90, 70, 0, FALSE),
    CLICK (90, 70, 1, FALSE),
    CLICK (90, 70, 7, FALSE),
  };

  send_pointer (ts, viewer, 2, 2, 0, move, G_N_ELEMENTS (move), "move");
  send_pointer (ts, viewer, 90, 70, 0x01 | 0x02 | 0x80 | 0x08 | 0x20, all, G_N_ELEMENTS (all),
                "everything in one message");
  send_pointer (ts, viewer, 90, 70, 0, release, G_N_ELEMENTS (release), "everything released");

  test_viewer_free (viewer);
  test_server_free (ts);
}
END_TEST

/* Clipboard. */

START_TEST (test_input_cut_text_latin1_to_utf8)
{
  TestServer *ts = start_server (FALSE);
  TestViewer *viewer = connect_viewer (ts, NULL);
  char text[] = "caf\xe9 na\xefve";
  g_autoptr (CairoVncEvent) event = NULL;

  ck_assert (SendClientCutText (viewer->client, text, (int) strlen (text)));
  event = test_server_pop_event (ts, TEST_TIMEOUT_US);
  ck_assert_msg (event != NULL, "no clipboard event");
  ck_assert_int_eq (event->type, CAIROVNC_EVENT_CLIPBOARD);
  ck_assert_uint_eq (event->client_id, 1);
  ck_assert_ptr_nonnull (event->text);
  ck_assert_str_eq (event->text, "caf\xc3\xa9 na\xc3\xafve");
  ck_assert (g_utf8_validate (event->text, -1, NULL));
  expect_no_event (ts, "after the clipboard");

  test_viewer_free (viewer);
  test_server_free (ts);
}
END_TEST

/* Read-only. */

START_TEST (test_input_read_only_server_gives_no_events)
{
  TestServer *ts = start_server (TRUE);
  TestViewer *viewer = connect_viewer (ts, NULL);
  char text[] = "ignored";

  ck_assert (cairovnc_server_get_read_only (ts->server));
  ck_assert (SendKeyEvent (viewer->client, XK_a, TRUE));
  ck_assert (SendKeyEvent (viewer->client, XK_a, FALSE));
  ck_assert (SendPointerEvent (viewer->client, 10, 10, 0));
  ck_assert (SendPointerEvent (viewer->client, 20, 20, 1));
  ck_assert (SendPointerEvent (viewer->client, 20, 20, 0x08));
  ck_assert (SendPointerEvent (viewer->client, 20, 20, 0));
  ck_assert (SendClientCutText (viewer->client, text, (int) strlen (text)));
  expect_no_event (ts, "read-only server");

  /* The viewer is still served, and its input stream stayed in step. */
  test_server_redraw (ts, 2);
  ck_assert_msg (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US), "no update after the input");
  expect_no_event (ts, "read-only server, after the update");

  test_viewer_free (viewer);
  test_server_free (ts);
}
END_TEST

START_TEST (test_input_read_only_password_gives_no_events)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 200, 150, 1);
  TestServer *ts = test_server_new (surface);
  TestViewer *watcher, *driver;
  char text[] = "ignored";
  g_autoptr (CairoVncEvent) event = NULL;

  cairo_surface_destroy (surface);
  /* Both passwords set: read-only defaults to FALSE. */
  g_object_set (ts->server, "password", "driving", "password-readonly", "watching", NULL);
  test_server_start (ts);
  ck_assert (!cairovnc_server_get_read_only (ts->server));

  watcher = connect_viewer (ts, "watching");
  driver = connect_viewer (ts, "driving");
  ck_assert (SendKeyEvent (watcher->client, XK_b, TRUE));
  ck_assert (SendPointerEvent (watcher->client, 10, 10, 1));
  ck_assert (SendClientCutText (watcher->client, text, (int) strlen (text)));
  ck_assert (SendKeyEvent (driver->client, XK_c, TRUE));

  event = test_server_pop_event (ts, TEST_TIMEOUT_US);
  ck_assert_msg (event != NULL, "the full-password viewer's key did not arrive");
  ck_assert_int_eq (event->type, CAIROVNC_EVENT_KEY);
  ck_assert_uint_eq (event->keysym, XK_c);
  ck_assert_uint_eq (event->client_id, 2);
  expect_no_event (ts, "read-only password viewer");

  test_server_redraw (ts, 3);
  ck_assert_msg (test_viewer_wait_match (watcher, ts, TEST_TIMEOUT_US), "the read-only viewer got no update");

  test_viewer_free (watcher);
  test_viewer_free (driver);
  test_server_free (ts);
}
END_TEST

/* Several viewers. */

START_TEST (test_input_two_viewers_have_own_client_ids)
{
  TestServer *ts = start_server (FALSE);
  TestViewer *first = connect_viewer (ts, NULL);
  TestViewer *second = connect_viewer (ts, NULL);
  const Expected first_events[] = { KEY (XK_x, TRUE), MOVE (4, 5, 0) };
  const Expected second_events[] = { KEY (XK_y, TRUE), MOVE (6, 7, 0) };

  /* Each viewer has its own pointer state too: both first moves appear. */
  ck_assert (SendKeyEvent (second->client, XK_y, TRUE));
  ck_assert (SendPointerEvent (second->client, 6, 7, 0));
  expect_events (ts, second, 2, second_events, G_N_ELEMENTS (second_events), "second viewer");
  ck_assert (SendKeyEvent (first->client, XK_x, TRUE));
  ck_assert (SendPointerEvent (first->client, 4, 5, 0));
  expect_events (ts, first, 1, first_events, G_N_ELEMENTS (first_events), "first viewer");

  test_viewer_free (first);
  test_viewer_free (second);
  test_server_free (ts);
}
END_TEST

/* Back-pressure. */

#define QUEUE_LIMIT 20
#define N_KEYS 200

START_TEST (test_input_full_queue_holds_viewer_back)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 200, 150, 1);
  TestServer *ts = test_server_new (surface);
  GAsyncQueue *queue;
  TestViewer *watcher;
  GSocket *typist, *latecomer;
  guint8 keys[N_KEYS * 8];
  int width, height;
  gint max_length = 0;
  gint64 stable_since, deadline;
  gint last_length = -1;

  cairo_surface_destroy (surface);
  g_object_set (ts->server, "read-only", FALSE, "event-queue-length", QUEUE_LIMIT, NULL);
  test_server_start (ts);
  queue = cairovnc_server_get_event_queue (ts->server);

  watcher = connect_viewer (ts, NULL);
  typist = test_raw_connect (ts->port);
  ck_assert (test_raw_handshake (typist, &width, &height));
  for (guint i = 0; i < N_KEYS; i++)
    build_key_event (keys + i * 8, i, i % 2 == 0);
  ck_assert (test_raw_send (typist, keys, sizeof keys));

  /* The queue fills up to about its limit and stays there. */
  deadline = g_get_monotonic_time () + TEST_TIMEOUT_US;
  stable_since = g_get_monotonic_time ();
  for (;;)
    {
      gint length = g_async_queue_length (queue);
      gint64 now = g_get_monotonic_time ();
      max_length = MAX (max_length, length);
      if (length != last_length)
        {
          last_length = length;
          stable_since = now;
        }
      if (length > 0 && now - stable_since > 400 * 1000)
        break;
      ck_assert_msg (now < deadline, "the queue never settled (length %d)", length);
      g_usleep (10 * 1000);
    }
  ck_assert_msg (max_length <= QUEUE_LIMIT + 10, "%d events queued with a limit of %d", max_length,
                 QUEUE_LIMIT);
  ck_assert_msg (max_length < N_KEYS, "nothing was held back");

  /* The server itself is not blocked: a new viewer completes its
   * handshake and an old one gets a new frame. */
  latecomer = test_raw_connect (ts->port);
  ck_assert_msg (test_raw_handshake (latecomer, &width, &height), "handshake while the queue is full");
  ck_assert_int_eq (width, 200);
  ck_assert_int_eq (height, 150);
  test_server_redraw (ts, 2);
  ck_assert_msg (test_viewer_wait_match (watcher, ts, TEST_TIMEOUT_US), "no update while the queue is full");
  ck_assert_int_le (g_async_queue_length (queue), QUEUE_LIMIT + 10);

  /* Taken slowly, every key comes, once and in order. */
  for (guint i = 0; i < N_KEYS; i++)
    {
      g_autoptr (CairoVncEvent) event = test_server_pop_event (ts, TEST_TIMEOUT_US);
      gint length;

      ck_assert_msg (event != NULL, "key %u of %u never came", i, N_KEYS);
      ck_assert_int_eq (event->type, CAIROVNC_EVENT_KEY);
      ck_assert_msg (event->keysym == i, "key %u: got keysym %u", i, event->keysym);
      ck_assert_int_eq (event->down, i % 2 == 0);
      ck_assert_uint_eq (event->client_id, 2);
      length = g_async_queue_length (queue);
      ck_assert_msg (length <= QUEUE_LIMIT + 10, "%d events queued with a limit of %d", length,
                     QUEUE_LIMIT);
      if (i % 4 == 0)
        g_usleep (5 * 1000);
    }
  expect_no_event (ts, "after all keys");

  g_object_unref (latecomer);
  g_object_unref (typist);
  test_viewer_free (watcher);
  test_server_free (ts);
}
END_TEST

START_TEST (test_input_full_queue_resumes_without_pop_event)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 200, 150, 1);
  TestServer *ts = test_server_new (surface);
  GAsyncQueue *queue;
  GSocket *typist;
  guint8 keys[N_KEYS * 8];
  int width, height;
  guint next = 0;
  gint64 deadline;

  cairo_surface_destroy (surface);
  g_object_set (ts->server, "read-only", FALSE, "event-queue-length", QUEUE_LIMIT, NULL);
  test_server_start (ts);
  queue = cairovnc_server_get_event_queue (ts->server);

  typist = test_raw_connect (ts->port);
  ck_assert (test_raw_handshake (typist, &width, &height));
  for (guint i = 0; i < N_KEYS; i++)
    build_key_event (keys + i * 8, i, TRUE);
  ck_assert (test_raw_send (typist, keys, sizeof keys));

  /* A program that waits on the GAsyncQueue itself. */
  deadline = g_get_monotonic_time () + TEST_TIMEOUT_US;
  while (next < N_KEYS)
    {
      CairoVncEvent *event = g_async_queue_timeout_pop (queue, 100 * 1000);
      ck_assert_msg (g_get_monotonic_time () < deadline, "only %u of %u keys came", next, N_KEYS);
      if (event == NULL)
        continue;
      ck_assert_msg (event->keysym == next, "key %u: got keysym %u", next, event->keysym);
      cairovnc_event_free (event);
      next++;
    }
  expect_no_event (ts, "after all keys");

  g_object_unref (typist);
  test_server_free (ts);
}
END_TEST

static Suite *
input_suite (void)
{
  Suite *suite = suite_create ("input");
  TCase *keys = tcase_create ("keys");
  TCase *pointer = tcase_create ("pointer");
  TCase *clipboard = tcase_create ("clipboard");
  TCase *read_only = tcase_create ("read-only");
  TCase *viewers = tcase_create ("viewers");
  TCase *back_pressure = tcase_create ("back-pressure");

  tcase_set_timeout (keys, 30);
  tcase_add_test (keys, test_input_key_down_and_up);
  tcase_add_test (keys, test_input_qemu_extended_key_gives_key_event);
  tcase_add_test (keys, test_input_qemu_extended_key_from_libvncclient);
  suite_add_tcase (suite, keys);

  tcase_set_timeout (pointer, 30);
  tcase_add_test (pointer, test_input_pointer_first_event_moves);
  tcase_add_test (pointer, test_input_pointer_first_event_with_button);
  tcase_add_test (pointer, test_input_pointer_move_press_release);
  tcase_add_test (pointer, test_input_pointer_bit_7_is_button_7);
  tcase_add_test (pointer, test_input_pointer_wheel_steps);
  tcase_add_test (pointer, test_input_pointer_wheel_held_scrolls_once);
  tcase_add_test (pointer, test_input_pointer_two_wheel_bits_give_two_scrolls);
  tcase_add_test (pointer, test_input_pointer_move_hides_wheel_bits);
  tcase_add_test (pointer, test_input_pointer_order_move_clicks_scrolls);
  suite_add_tcase (suite, pointer);

  tcase_set_timeout (clipboard, 30);
  tcase_add_test (clipboard, test_input_cut_text_latin1_to_utf8);
  suite_add_tcase (suite, clipboard);

  tcase_set_timeout (read_only, 30);
  tcase_add_test (read_only, test_input_read_only_server_gives_no_events);
  tcase_add_test (read_only, test_input_read_only_password_gives_no_events);
  suite_add_tcase (suite, read_only);

  tcase_set_timeout (viewers, 30);
  tcase_add_test (viewers, test_input_two_viewers_have_own_client_ids);
  suite_add_tcase (suite, viewers);

  tcase_set_timeout (back_pressure, 60);
  tcase_add_test (back_pressure, test_input_full_queue_holds_viewer_back);
  tcase_add_test (back_pressure, test_input_full_queue_resumes_without_pop_event);
  suite_add_tcase (suite, back_pressure);

  return suite;
}

int
main (void)
{
  return testutil_run (input_suite ());
}
