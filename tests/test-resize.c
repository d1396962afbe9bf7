/* test-resize.c — new surfaces, desktop names and pushed frames on the wire.
 *
 * cairovnc_server_set_surface() with other sizes must reach each viewer
 * the way it can take it: libvncclient and raw viewers announcing
 * DesktopSize or ExtendedDesktopSize get one size rectangle alone in its
 * update and then the new pixels; a viewer announcing neither keeps its
 * size and only ever gets rectangles inside it. Desktop names go only to
 * DesktopName viewers and only when they change; SetDesktopSize is
 * refused with the right ExtendedDesktopSize reply; push-frame viewers
 * get each new frame after a single request.
 */
#include "testutil.h"

#include <string.h>

#define ENCODING_RAW 0
#define ENCODING_DESKTOP_SIZE (-223)
#define ENCODING_DESKTOP_NAME (-307)
#define ENCODING_EXTENDED_DESKTOP_SIZE (-308)
#define ENCODING_APPLE_PUSH 1011
#define SILENCE_US (500 * 1000)

static TestServer *
start_server (int width, int height, gboolean push_frames)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, width, height, 1);
  TestServer *ts = test_server_new (surface);

  cairo_surface_destroy (surface);
  if (push_frames)
    g_object_set (ts->server, "push-frames", TRUE, NULL);
  test_server_start (ts);
  return ts;
}

/* Serves a new surface with @seed's scene; the TestServer compares with it
 * from now on. */
static void
replace_surface (TestServer *ts, int width, int height, guint seed)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, width, height, seed);
  cairo_surface_t *old;

  g_mutex_lock (&ts->lock);
  old = ts->surface;
  ts->surface = surface;
  g_mutex_unlock (&ts->lock);
  cairovnc_server_set_surface (ts->server, surface, &ts->lock);
  cairo_surface_destroy (old);
}

static void
put_u16 (guint8 *p, guint v)
{
  p[0] = (guint8) (v >> 8);
  p[1] = (guint8) v;
}

static void
put_u32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

static guint16
get_u16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static guint32
get_u32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* A viewer on a raw socket that keeps a framebuffer in the server's
 * default pixel format (32 bpp little-endian, red at 16). */
typedef struct {
  GSocket *socket;
  int width, height;
  guint32 *fb;
  int fb_width, fb_height;     /* size of the allocation */
  guint updates;
} RawViewer;

typedef struct {
  guint16 x, y, w, h;
  gint32 encoding;
  guint n_screens;             /* ExtendedDesktopSize */
  guint32 screen_id;
  guint16 screen_x, screen_y, screen_w, screen_h;
  char *name;                  /* DesktopName */
} RawRect;

static void
raw_rect_clear (gpointer data)
{
  RawRect *rect = data;
  g_free (rect->name);
}

static GArray *
raw_rects_new (void)
{
  GArray *rects = g_array_new (FALSE, TRUE, sizeof (RawRect));

  g_array_set_clear_func (rects, raw_rect_clear);
  return rects;
}

static void
raw_viewer_resize_fb (RawViewer *rv, int width, int height)
{
  rv->width = width;
  rv->height = height;
  if (width * height > rv->fb_width * rv->fb_height)
    {
      g_free (rv->fb);
      rv->fb = g_new0 (guint32, (gsize) width * (gsize) height);
    }
  else
    {
      memset (rv->fb, 0, (gsize) width * (gsize) height * 4);
    }
  rv->fb_width = width;
  rv->fb_height = height;
}

static void
raw_set_encodings (RawViewer *rv, const gint32 *encodings, guint n)
{
  g_autofree guint8 *msg = g_malloc (4 + 4 * (gsize) n);

  msg[0] = 2;
  msg[1] = 0;
  put_u16 (msg + 2, n);
  for (guint i = 0; i < n; i++)
    put_u32 (msg + 4 + 4 * i, (guint32) encodings[i]);
  ck_assert (test_raw_send (rv->socket, msg, 4 + 4 * (gsize) n));
}

/* Handshake, then SetEncodings unless @n is negative. */
static RawViewer *
raw_viewer_new (TestServer *ts, const gint32 *encodings, int n)
{
  RawViewer *rv = g_new0 (RawViewer, 1);
  int width, height;

  rv->socket = test_raw_connect (ts->port);
  ck_assert_msg (test_raw_handshake (rv->socket, &width, &height), "raw handshake failed");
  raw_viewer_resize_fb (rv, width, height);
  if (n >= 0)
    raw_set_encodings (rv, encodings, (guint) n);
  return rv;
}

static void
raw_viewer_free (RawViewer *rv)
{
  g_object_unref (rv->socket);
  g_free (rv->fb);
  g_free (rv);
}

static void
raw_request (RawViewer *rv, gboolean incremental, int x, int y, int w, int h)
{
  guint8 msg[10] = { 3, incremental ? 1 : 0 };

  put_u16 (msg + 2, (guint) x);
  put_u16 (msg + 4, (guint) y);
  put_u16 (msg + 6, (guint) w);
  put_u16 (msg + 8, (guint) h);
  ck_assert (test_raw_send (rv->socket, msg, sizeof msg));
}

static void
raw_request_all (RawViewer *rv, gboolean incremental)
{
  raw_request (rv, incremental, 0, 0, rv->width, rv->height);
}

static gboolean
recv_all (RawViewer *rv, void *data, gsize len)
{
  return test_raw_recv (rv->socket, data, len, TEST_TIMEOUT_US);
}

/* Reads one FramebufferUpdate into @rects, applying Raw pixels and size
 * changes. FALSE when none comes within @timeout_us. */
static gboolean
raw_read_update (RawViewer *rv, GArray *rects, gint64 timeout_us)
{
  guint8 head[4];
  guint n_rects;

  g_array_set_size (rects, 0);
  if (!test_raw_recv (rv->socket, head, 1, timeout_us))
    return FALSE;
  ck_assert_msg (head[0] == 0, "server message type %u, expected a FramebufferUpdate", head[0]);
  ck_assert (recv_all (rv, head + 1, 3));
  n_rects = get_u16 (head + 2);

  for (guint i = 0; i < n_rects; i++)
    {
      guint8 rh[12];
      RawRect rect = { 0 };

      ck_assert_msg (recv_all (rv, rh, 12), "rectangle %u of %u missing", i, n_rects);
      rect.x = get_u16 (rh);
      rect.y = get_u16 (rh + 2);
      rect.w = get_u16 (rh + 4);
      rect.h = get_u16 (rh + 6);
      rect.encoding = (gint32) get_u32 (rh + 8);

      switch (rect.encoding)
        {
        case ENCODING_RAW:
          {
            gsize size = (gsize) rect.w * rect.h * 4;
            g_autofree guint8 *pixels = g_malloc (MAX (size, 1));
            ck_assert (recv_all (rv, pixels, size));
            for (int y = 0; y < rect.h; y++)
              for (int x = 0; x < rect.w; x++)
                {
                  int fx = rect.x + x, fy = rect.y + y;
                  if (fx < rv->width && fy < rv->height)
                    rv->fb[fy * rv->width + fx] = GUINT32_FROM_LE (((guint32 *) (void *) pixels)[y * rect.w + x]);
                }
            break;
          }
        case ENCODING_DESKTOP_SIZE:
          raw_viewer_resize_fb (rv, rect.w, rect.h);
          break;
        case ENCODING_EXTENDED_DESKTOP_SIZE:
          {
            guint8 sh[4], screen[16];
            ck_assert (recv_all (rv, sh, 4));
            rect.n_screens = sh[0];
            for (guint s = 0; s < rect.n_screens; s++)
              {
                ck_assert (recv_all (rv, screen, 16));
                if (s == 0)
                  {
                    rect.screen_id = get_u32 (screen);
                    rect.screen_x = get_u16 (screen + 4);
                    rect.screen_y = get_u16 (screen + 6);
                    rect.screen_w = get_u16 (screen + 8);
                    rect.screen_h = get_u16 (screen + 10);
                  }
              }
            /* A reply to SetDesktopSize (x = 1) with an error does not
             * change the size. */
            if (rect.x != 1 || rect.y == 0)
              raw_viewer_resize_fb (rv, rect.w, rect.h);
            break;
          }
        case ENCODING_DESKTOP_NAME:
          {
            guint8 lb[4];
            guint32 length;
            ck_assert (recv_all (rv, lb, 4));
            length = get_u32 (lb);
            ck_assert_msg (length < 4096, "desktop name of %u bytes", length);
            rect.name = g_malloc0 (length + 1);
            ck_assert (recv_all (rv, rect.name, length));
            break;
          }
        default:
          ck_abort_msg ("rectangle with encoding %d", rect.encoding);
        }
      g_array_append_val (rects, rect);
    }
  rv->updates++;
  return TRUE;
}

static gboolean
has_encoding (GArray *rects, gint32 encoding)
{
  for (guint i = 0; i < rects->len; i++)
    if (g_array_index (rects, RawRect, i).encoding == encoding)
      return TRUE;
  return FALSE;
}

/* Whether the viewer's framebuffer equals the surface over @w x @h. */
static gboolean
raw_matches (RawViewer *rv, TestServer *ts, int w, int h)
{
  gboolean same = TRUE;
  int stride;
  const guint8 *data;

  g_mutex_lock (&ts->lock);
  cairo_surface_flush (ts->surface);
  stride = cairo_image_surface_get_stride (ts->surface);
  data = cairo_image_surface_get_data (ts->surface);
  if (w > cairo_image_surface_get_width (ts->surface) || h > cairo_image_surface_get_height (ts->surface) ||
      w > rv->width || h > rv->height)
    same = FALSE;
  for (int y = 0; same && y < h; y++)
    for (int x = 0; same && x < w; x++)
      {
        guint32 s = ((const guint32 *) (const void *) (data + (gsize) y * (gsize) stride))[x];
        same = ((s ^ rv->fb[y * rv->width + x]) & 0xffffff) == 0;
      }
  g_mutex_unlock (&ts->lock);
  return same;
}

/* Reads updates until the framebuffer matches the surface over @w x @h;
 * every pixel rectangle must lie inside @max_w x @max_h. When @request
 * is set, asks for an incremental update after each one. */
static void
raw_read_until_match (RawViewer *rv, TestServer *ts, int w, int h, int max_w, int max_h,
                      gboolean request, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + TEST_TIMEOUT_US;
  g_autoptr (GArray) rects = raw_rects_new ();

  while (!raw_matches (rv, ts, w, h))
    {
      gint64 left = deadline - g_get_monotonic_time ();
      ck_assert_msg (left > 0 && raw_read_update (rv, rects, left), "%s: no matching frame", what);
      for (guint i = 0; i < rects->len; i++)
        {
          const RawRect *r = &g_array_index (rects, RawRect, i);
          if (r->encoding != ENCODING_RAW)
            continue;
          ck_assert_msg (r->x + r->w <= max_w && r->y + r->h <= max_h,
                         "%s: rectangle %d,%d %dx%d outside %dx%d", what, r->x, r->y, r->w, r->h,
                         max_w, max_h);
        }
      if (request)
        raw_request_all (rv, TRUE);
    }
}

/* Reads one update and checks it is a lone size rectangle. */
static RawRect
expect_size_update (RawViewer *rv, gint32 encoding, const char *what)
{
  g_autoptr (GArray) rects = raw_rects_new ();
  RawRect rect;

  ck_assert_msg (raw_read_update (rv, rects, TEST_TIMEOUT_US), "%s: no update", what);
  ck_assert_msg (rects->len == 1, "%s: %u rectangles with the size", what, rects->len);
  rect = g_array_index (rects, RawRect, 0);
  ck_assert_msg (rect.encoding == encoding, "%s: encoding %d, expected %d", what, rect.encoding, encoding);
  return rect;
}

/* libvncclient. */

START_TEST (test_resize_viewer_follows_new_surfaces)
{
  TestServer *ts = start_server (160, 120, FALSE);
  TestViewer *viewer = test_viewer_connect (ts->port, NULL, NULL, NULL);
  static const struct {
    int width, height;
  } sizes[] = { { 320, 240 }, { 200, 150 }, { 200, 150 } };
  guint resizes;

  ck_assert (viewer != NULL);
  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));
  resizes = viewer->resizes;

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      gboolean same_size = viewer->client->width == sizes[i].width &&
                           viewer->client->height == sizes[i].height;

      replace_surface (ts, sizes[i].width, sizes[i].height, 10 + i);
      ck_assert_msg (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US),
                     "surface %u (%dx%d): the viewer has %dx%d and other pixels", i,
                     sizes[i].width, sizes[i].height, viewer->client->width, viewer->client->height);
      ck_assert_int_eq (viewer->client->width, sizes[i].width);
      ck_assert_int_eq (viewer->client->height, sizes[i].height);
      if (same_size)
        ck_assert_msg (viewer->resizes == resizes, "surface %u: resized for the same size", i);
      else
        ck_assert_msg (viewer->resizes > resizes, "surface %u: the framebuffer was not reallocated", i);
      resizes = viewer->resizes;
    }
  /* Frames go on at the last size. */
  test_server_redraw (ts, 20);
  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));

  test_viewer_free (viewer);
  test_server_free (ts);
}
END_TEST

/* Raw viewers. */

START_TEST (test_resize_desktop_size_rectangle_alone)
{
  TestServer *ts = start_server (160, 120, FALSE);
  const gint32 encodings[] = { ENCODING_RAW, ENCODING_DESKTOP_SIZE };
  RawViewer *rv = raw_viewer_new (ts, encodings, G_N_ELEMENTS (encodings));
  RawRect rect;

  raw_request_all (rv, FALSE);
  raw_read_until_match (rv, ts, 160, 120, 160, 120, FALSE, "first frame");

  raw_request_all (rv, TRUE);
  replace_surface (ts, 320, 240, 2);
  rect = expect_size_update (rv, ENCODING_DESKTOP_SIZE, "growing");
  ck_assert_int_eq (rect.x, 0);
  ck_assert_int_eq (rect.y, 0);
  ck_assert_int_eq (rect.w, 320);
  ck_assert_int_eq (rect.h, 240);
  raw_request_all (rv, FALSE);
  raw_read_until_match (rv, ts, 320, 240, 320, 240, TRUE, "after growing");

  replace_surface (ts, 100, 80, 3);
  rect = expect_size_update (rv, ENCODING_DESKTOP_SIZE, "shrinking");
  ck_assert_int_eq (rect.w, 100);
  ck_assert_int_eq (rect.h, 80);
  raw_request_all (rv, FALSE);
  raw_read_until_match (rv, ts, 100, 80, 100, 80, TRUE, "after shrinking");

  raw_viewer_free (rv);
  test_server_free (ts);
}
END_TEST

START_TEST (test_resize_extended_desktop_size_rectangle_alone)
{
  TestServer *ts = start_server (160, 120, FALSE);
  const gint32 encodings[] = { ENCODING_RAW, ENCODING_EXTENDED_DESKTOP_SIZE };
  RawViewer *rv = raw_viewer_new (ts, encodings, G_N_ELEMENTS (encodings));
  g_autoptr (GArray) rects = raw_rects_new ();
  RawRect rect;

  /* The first full request is answered with the screen layout, alone. */
  raw_request_all (rv, FALSE);
  rect = expect_size_update (rv, ENCODING_EXTENDED_DESKTOP_SIZE, "first request");
  ck_assert_int_eq (rect.x, 0);
  ck_assert_int_eq (rect.y, 0);
  ck_assert_int_eq (rect.w, 160);
  ck_assert_int_eq (rect.h, 120);
  raw_read_until_match (rv, ts, 160, 120, 160, 120, FALSE, "first frame");

  raw_request_all (rv, TRUE);
  replace_surface (ts, 320, 240, 2);
  rect = expect_size_update (rv, ENCODING_EXTENDED_DESKTOP_SIZE, "growing");
  ck_assert_int_eq (rect.x, 0);  /* reason: the server changed it */
  ck_assert_int_eq (rect.y, 0);  /* status: no error */
  ck_assert_int_eq (rect.w, 320);
  ck_assert_int_eq (rect.h, 240);
  ck_assert_uint_eq (rect.n_screens, 1);
  ck_assert_int_eq (rect.screen_x, 0);
  ck_assert_int_eq (rect.screen_y, 0);
  ck_assert_int_eq (rect.screen_w, 320);
  ck_assert_int_eq (rect.screen_h, 240);
  raw_request_all (rv, FALSE);
  raw_read_until_match (rv, ts, 320, 240, 320, 240, TRUE, "after growing");

  /* Later full requests get pixels, not the layout again. */
  raw_request_all (rv, FALSE);
  ck_assert (raw_read_update (rv, rects, TEST_TIMEOUT_US));
  ck_assert_msg (!has_encoding (rects, ENCODING_EXTENDED_DESKTOP_SIZE), "layout sent again");
  ck_assert (has_encoding (rects, ENCODING_RAW));

  raw_viewer_free (rv);
  test_server_free (ts);
}
END_TEST

static void
check_plain_viewer_keeps_size (gboolean announce_raw)
{
  TestServer *ts = start_server (160, 120, FALSE);
  const gint32 encodings[] = { ENCODING_RAW };
  RawViewer *rv = raw_viewer_new (ts, encodings, announce_raw ? 1 : -1);
  g_autoptr (GArray) rects = raw_rects_new ();

  raw_request_all (rv, FALSE);
  raw_read_until_match (rv, ts, 160, 120, 160, 120, FALSE, "first frame");

  /* Larger: the viewer sees its old size's worth, from the top left. */
  raw_request_all (rv, TRUE);
  replace_surface (ts, 320, 240, 2);
  raw_read_until_match (rv, ts, 160, 120, 160, 120, TRUE, "after growing");
  ck_assert_int_eq (rv->width, 160);

  /* Even asking for more than it has gives nothing outside. */
  raw_request (rv, FALSE, 0, 0, 65535, 65535);
  ck_assert (raw_read_update (rv, rects, TEST_TIMEOUT_US));
  for (guint i = 0; i < rects->len; i++)
    {
      const RawRect *r = &g_array_index (rects, RawRect, i);
      ck_assert_int_eq (r->encoding, ENCODING_RAW);
      ck_assert_msg (r->x + r->w <= 160 && r->y + r->h <= 120, "rectangle %d,%d %dx%d outside 160x120",
                     r->x, r->y, r->w, r->h);
    }

  /* Smaller: only what the surface still has. */
  raw_request_all (rv, TRUE);
  replace_surface (ts, 100, 80, 3);
  raw_read_until_match (rv, ts, 100, 80, 100, 80, TRUE, "after shrinking");

  /* And frames go on. */
  test_server_redraw (ts, 4);
  raw_read_until_match (rv, ts, 100, 80, 100, 80, TRUE, "frame after shrinking");
  test_server_redraw (ts, 5);
  raw_read_until_match (rv, ts, 100, 80, 100, 80, TRUE, "second frame after shrinking");

  raw_viewer_free (rv);
  test_server_free (ts);
}

START_TEST (test_resize_plain_viewer_keeps_its_size)
{
  check_plain_viewer_keeps_size (TRUE);
}
END_TEST

START_TEST (test_resize_viewer_without_set_encodings_keeps_its_size)
{
  check_plain_viewer_keeps_size (FALSE);
}
END_TEST

/* Desktop name. */

START_TEST (test_resize_desktop_name_sent_once_when_changed)
{
  TestServer *ts = start_server (160, 120, FALSE);
  const gint32 with_name[] = { ENCODING_RAW, ENCODING_DESKTOP_NAME };
  const gint32 without_name[] = { ENCODING_RAW };
  RawViewer *named = raw_viewer_new (ts, with_name, G_N_ELEMENTS (with_name));
  RawViewer *plain = raw_viewer_new (ts, without_name, G_N_ELEMENTS (without_name));
  g_autoptr (GArray) rects = raw_rects_new ();
  const char *name = "\xc3\x9c" "ber name";
  gboolean found = FALSE;

  raw_request_all (named, FALSE);
  raw_read_until_match (named, ts, 160, 120, 160, 120, FALSE, "first frame");
  raw_request_all (plain, FALSE);
  raw_read_until_match (plain, ts, 160, 120, 160, 120, FALSE, "first frame");

  raw_request_all (named, TRUE);
  raw_request_all (plain, TRUE);
  cairovnc_server_set_desktop_name (ts->server, name);
  {
    g_autofree char *desktop_name = cairovnc_server_dup_desktop_name (ts->server);
    ck_assert_str_eq (desktop_name, name);
  }
  ck_assert_msg (raw_read_update (named, rects, TEST_TIMEOUT_US), "no update with the name");
  for (guint i = 0; i < rects->len; i++)
    {
      const RawRect *r = &g_array_index (rects, RawRect, i);
      if (r->encoding != ENCODING_DESKTOP_NAME)
        continue;
      ck_assert (!found);
      found = TRUE;
      ck_assert_int_eq (r->x, 0);
      ck_assert_int_eq (r->y, 0);
      ck_assert_int_eq (r->w, 0);
      ck_assert_int_eq (r->h, 0);
      ck_assert_str_eq (r->name, name);
    }
  ck_assert_msg (found, "the update has no DesktopName rectangle");

  /* The same name again: nothing to say. */
  raw_request_all (named, TRUE);
  cairovnc_server_set_desktop_name (ts->server, name);
  ck_assert_msg (!g_socket_condition_timed_wait (named->socket, G_IO_IN, SILENCE_US, NULL, NULL),
                 "something was sent for the same name");
  /* The viewer without DesktopName heard nothing of it either. */
  ck_assert_msg (!g_socket_condition_timed_wait (plain->socket, G_IO_IN, 1, NULL, NULL),
                 "the viewer without DesktopName got an update");

  /* The next frame carries pixels only, to both. */
  test_server_redraw (ts, 2);
  ck_assert (raw_read_update (named, rects, TEST_TIMEOUT_US));
  ck_assert_msg (!has_encoding (rects, ENCODING_DESKTOP_NAME), "the name came again");
  ck_assert (has_encoding (rects, ENCODING_RAW));
  ck_assert (raw_read_update (plain, rects, TEST_TIMEOUT_US));
  ck_assert_msg (!has_encoding (rects, ENCODING_DESKTOP_NAME), "a name for a viewer without DesktopName");
  ck_assert (has_encoding (rects, ENCODING_RAW));

  raw_viewer_free (named);
  raw_viewer_free (plain);
  test_server_free (ts);
}
END_TEST

/* SetDesktopSize. */

START_TEST (test_resize_set_desktop_size_is_refused)
{
  TestServer *ts = start_server (160, 120, FALSE);
  const gint32 encodings[] = { ENCODING_RAW, ENCODING_EXTENDED_DESKTOP_SIZE };
  RawViewer *rv = raw_viewer_new (ts, encodings, G_N_ELEMENTS (encodings));
  guint8 msg[8 + 16] = { 251, 0 };
  RawRect rect;

  raw_request_all (rv, FALSE);
  rect = expect_size_update (rv, ENCODING_EXTENDED_DESKTOP_SIZE, "first request");
  ck_assert_int_eq (rect.w, 160);
  ck_assert_int_eq (rect.h, 120);
  raw_read_until_match (rv, ts, 160, 120, 160, 120, FALSE, "first frame");

  raw_request_all (rv, TRUE);
  put_u16 (msg + 2, 400);
  put_u16 (msg + 4, 300);
  msg[6] = 1;                 /* one screen: id 0 at 0,0, 400x300 */
  put_u16 (msg + 8 + 8, 400);
  put_u16 (msg + 8 + 10, 300);
  ck_assert (test_raw_send (rv->socket, msg, sizeof msg));

  rect = expect_size_update (rv, ENCODING_EXTENDED_DESKTOP_SIZE, "SetDesktopSize reply");
  ck_assert_int_eq (rect.x, 1);  /* reason: this viewer asked */
  ck_assert_int_eq (rect.y, 1);  /* status: prohibited */
  ck_assert_int_eq (rv->width, 160);
  ck_assert_int_eq (rv->height, 120);

  /* Nothing changed: a full request gives the same surface. */
  raw_request_all (rv, FALSE);
  memset (rv->fb, 0, (gsize) rv->width * (gsize) rv->height * 4);
  raw_read_until_match (rv, ts, 160, 120, 160, 120, TRUE, "after SetDesktopSize");
  ck_assert_int_eq (rv->width, 160);
  ck_assert_int_eq (rv->height, 120);

  raw_viewer_free (rv);
  test_server_free (ts);
}
END_TEST

/* Pushed frames. */

static void
check_pushed_frames (RawViewer *rv, TestServer *ts)
{
  g_autoptr (GArray) rects = raw_rects_new ();
  guint before;

  /* One request, never another. */
  raw_request_all (rv, FALSE);
  raw_read_until_match (rv, ts, 160, 120, 160, 120, FALSE, "first frame");
  before = rv->updates;
  for (guint seed = 2; seed < 5; seed++)
    {
      g_autofree char *what = g_strdup_printf ("pushed frame %u", seed);
      test_server_redraw (ts, seed);
      raw_read_until_match (rv, ts, 160, 120, 160, 120, FALSE, what);
    }
  ck_assert_uint_ge (rv->updates - before, 3);
}

START_TEST (test_resize_apple_viewer_gets_pushed_frames)
{
  TestServer *ts = start_server (160, 120, FALSE);
  const gint32 encodings[] = { ENCODING_RAW, ENCODING_APPLE_PUSH };
  RawViewer *rv = raw_viewer_new (ts, encodings, G_N_ELEMENTS (encodings));

  check_pushed_frames (rv, ts);

  raw_viewer_free (rv);
  test_server_free (ts);
}
END_TEST

START_TEST (test_resize_push_frames_property)
{
  TestServer *ts = start_server (160, 120, TRUE);
  const gint32 encodings[] = { ENCODING_RAW };
  RawViewer *rv = raw_viewer_new (ts, encodings, G_N_ELEMENTS (encodings));

  check_pushed_frames (rv, ts);

  raw_viewer_free (rv);
  test_server_free (ts);
}
END_TEST

START_TEST (test_resize_push_frames_property_without_set_encodings)
{
  TestServer *ts = start_server (160, 120, TRUE);
  RawViewer *rv = raw_viewer_new (ts, NULL, -1);

  check_pushed_frames (rv, ts);

  raw_viewer_free (rv);
  test_server_free (ts);
}
END_TEST

START_TEST (test_resize_request_driven_viewer_waits_for_requests)
{
  TestServer *ts = start_server (160, 120, FALSE);
  const gint32 encodings[] = { ENCODING_RAW };
  RawViewer *rv = raw_viewer_new (ts, encodings, G_N_ELEMENTS (encodings));

  raw_request_all (rv, FALSE);
  raw_read_until_match (rv, ts, 160, 120, 160, 120, FALSE, "first frame");
  test_server_redraw (ts, 2);
  ck_assert_msg (!g_socket_condition_timed_wait (rv->socket, G_IO_IN, SILENCE_US, NULL, NULL),
                 "an update without a request");
  raw_request_all (rv, TRUE);
  raw_read_until_match (rv, ts, 160, 120, 160, 120, FALSE, "after the request");

  raw_viewer_free (rv);
  test_server_free (ts);
}
END_TEST

static Suite *
resize_suite (void)
{
  Suite *suite = suite_create ("resize");
  TCase *surfaces = tcase_create ("surfaces");
  TCase *names = tcase_create ("desktop-name");
  TCase *set_size = tcase_create ("set-desktop-size");
  TCase *push = tcase_create ("push-frames");

  tcase_set_timeout (surfaces, 30);
  tcase_add_test (surfaces, test_resize_viewer_follows_new_surfaces);
  tcase_add_test (surfaces, test_resize_desktop_size_rectangle_alone);
  tcase_add_test (surfaces, test_resize_extended_desktop_size_rectangle_alone);
  tcase_add_test (surfaces, test_resize_plain_viewer_keeps_its_size);
  tcase_add_test (surfaces, test_resize_viewer_without_set_encodings_keeps_its_size);
  suite_add_tcase (suite, surfaces);

  tcase_set_timeout (names, 30);
  tcase_add_test (names, test_resize_desktop_name_sent_once_when_changed);
  suite_add_tcase (suite, names);

  tcase_set_timeout (set_size, 30);
  tcase_add_test (set_size, test_resize_set_desktop_size_is_refused);
  suite_add_tcase (suite, set_size);

  tcase_set_timeout (push, 30);
  tcase_add_test (push, test_resize_apple_viewer_gets_pushed_frames);
  tcase_add_test (push, test_resize_push_frames_property);
  tcase_add_test (push, test_resize_push_frames_property_without_set_encodings);
  tcase_add_test (push, test_resize_request_driven_viewer_waits_for_requests);
  suite_add_tcase (suite, push);

  return suite;
}

int
main (void)
{
  SRunner *runner;
  int failed;

  testutil_init ();
  runner = srunner_create (resize_suite ());
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
