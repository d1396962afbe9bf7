/* test-browser.c — noVNC in a real browser against the server.
 *
 * Debian's Chromium, headless, driven through playwright-core by
 * driver.mjs (one command a line). The server serves Debian's noVNC on
 * its http-port; the browser opens the server's own "/" (which leads to
 * noVNC's viewer, connecting at once) and the test compares screenshots
 * of noVNC's canvas with the surface, clicks and types in the page and
 * takes the events from the server's queue, and resizes the surface.
 *
 * Nothing is skipped: without Chromium, node, noVNC or playwright-core
 * (tests/run.sh installs them all) every test fails and says what is
 * missing.
 */
#include "testutil.h"

#include <gio/gunixinputstream.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

/* Starting Chromium on a busy machine, and loading noVNC. */
#define BROWSER_START_TIMEOUT_US (90 * G_USEC_PER_SEC)
#define COMMAND_TIMEOUT_US (60 * G_USEC_PER_SEC)
#define DEFAULT_CHROMIUM "/usr/bin/chromium"
#define DEFAULT_NOVNC "/usr/share/novnc"
/* What JPEG may change in a photo-like frame (see its test). */
#define JPEG_MEAN_ERROR 2.5
#define JPEG_MAX_ERROR 128

typedef struct {
  GSubprocess *process;
  GOutputStream *in;
  int out_fd;
  GString *pending;            /* read, after the last whole line */
} Browser;

static const char *
chromium_path (void)
{
  const char *path = g_getenv ("CAIROVNC_CHROMIUM");

  return path != NULL ? path : DEFAULT_CHROMIUM;
}

static const char *
novnc_path (void)
{
  const char *path = g_getenv ("CAIROVNC_NOVNC");

  return path != NULL ? path : DEFAULT_NOVNC;
}

/* Reads a line from the driver; NULL when none comes in time. */
static char *
browser_read_line (Browser *b, gint64 timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;

  for (;;)
    {
      char *newline = memchr (b->pending->str, '\n', b->pending->len);
      char buffer[65536];
      struct pollfd pfd = { b->out_fd, POLLIN, 0 };
      gint64 left = deadline - g_get_monotonic_time ();
      gssize got;

      if (newline != NULL)
        {
          char *line = g_strndup (b->pending->str, (gsize) (newline - b->pending->str));
          g_string_erase (b->pending, 0, newline - b->pending->str + 1);
          return line;
        }
      if (left <= 0 || poll (&pfd, 1, (int) (left / 1000) + 1) <= 0)
        return NULL;
      got = read (b->out_fd, buffer, sizeof buffer);
      if (got <= 0)
        return NULL;
      g_string_append_len (b->pending, buffer, got);
    }
}

static Browser *
browser_start (void)
{
  const char *dir = g_getenv ("CAIROVNC_BROWSER_DIR");
  g_autofree char *module = dir != NULL ? g_build_filename (dir, "node_modules", "playwright-core", NULL) : NULL;
  g_autofree char *driver = dir != NULL ? g_build_filename (dir, "driver.mjs", NULL) : NULL;
  g_autofree char *node = g_find_program_in_path ("node");
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *ready = NULL;
  Browser *b;

  ck_assert_msg (dir != NULL, "CAIROVNC_BROWSER_DIR is not set: run the test through meson");
  ck_assert_msg (node != NULL, "node is not installed: tests/run.sh installs Debian's nodejs");
  ck_assert_msg (g_file_test (module, G_FILE_TEST_IS_DIR),
                 "playwright-core is not in %s: tests/run.sh installs it there with npm", module);
  ck_assert_msg (g_file_test (chromium_path (), G_FILE_TEST_IS_EXECUTABLE),
                 "Chromium is not at %s: tests/run.sh installs Debian's chromium", chromium_path ());

  b = g_new0 (Browser, 1);
  b->pending = g_string_new (NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_cwd (launcher, dir);
  b->process = g_subprocess_launcher_spawn (launcher, &error, node, driver, chromium_path (), NULL);
  ck_assert_msg (b->process != NULL, "cannot run node: %s", error ? error->message : "?");
  b->in = g_subprocess_get_stdin_pipe (b->process);
  b->out_fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (g_subprocess_get_stdout_pipe (b->process)));
  ready = browser_read_line (b, BROWSER_START_TIMEOUT_US);
  ck_assert_msg (ready != NULL && g_str_has_prefix (ready, "ok ready"), "the browser did not start: %s",
                 ready ? ready : "no answer");
  return b;
}

/* Sends a command and returns the answer's "ok ..." line; anything else
 * fails the test. */
G_GNUC_PRINTF (2, 3) static char *
browser_command (Browser *b, const char *format, ...)
{
  va_list args;
  g_autofree char *command = NULL;
  g_autofree char *line = NULL;
  char *answer;

  va_start (args, format);
  command = g_strdup_vprintf (format, args);
  va_end (args);
  line = g_strconcat (command, "\n", NULL);
  ck_assert (g_output_stream_write_all (b->in, line, strlen (line), NULL, NULL, NULL));
  ck_assert (g_output_stream_flush (b->in, NULL, NULL));
  answer = browser_read_line (b, COMMAND_TIMEOUT_US);
  ck_assert_msg (answer != NULL, "no answer to \"%.60s\"", command);
  ck_assert_msg (g_str_has_prefix (answer, "ok"), "\"%.60s\": %s", command, answer);
  return answer;
}

static void
browser_do (Browser *b, const char *command)
{
  g_free (browser_command (b, "%s", command));
}

/* The value of key=value in an answer (values have no spaces). */
static char *
answer_field (const char *answer, const char *key)
{
  g_autofree char *needle = g_strdup_printf (" %s=", key);
  const char *start = strstr (answer, needle);

  ck_assert_msg (start != NULL, "no %s in the answer", key);
  start += strlen (needle);
  return g_strndup (start, strcspn (start, " "));
}

static void
browser_stop (Browser *b)
{
  static const char quit[] = "quit\n";
  g_autofree char *answer = NULL;

  /* It answers "quit" and exits; it also quits when its stdin closes. */
  g_output_stream_write_all (b->in, quit, strlen (quit), NULL, NULL, NULL);
  g_output_stream_close (b->in, NULL, NULL);
  answer = browser_read_line (b, 20 * G_USEC_PER_SEC);
  if (answer == NULL)
    g_subprocess_force_exit (b->process);
  g_subprocess_wait (b->process, NULL, NULL);
  g_object_unref (b->process);
  g_string_free (b->pending, TRUE);
  g_free (b);
}

/* Pictures. */

/* Flat colours without antialiasing: every 64x64 tile has few colours,
 * so noVNC's Tight gets it without loss (fill, mono or palette). */
static void
draw_flat_scene (cairo_surface_t *surface, guint seed)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  cairo_t *cr = cairo_create (surface);
  GRand *rand = g_rand_new_with_seed (seed);

  cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);
  cairo_set_source_rgb (cr, 0.1, 0.3, 0.5);
  cairo_paint (cr);
  for (int i = 0; i < 12; i++)
    {
      cairo_set_source_rgb (cr, g_rand_int_range (rand, 0, 256) / 255.0, g_rand_int_range (rand, 0, 256) / 255.0,
                            g_rand_int_range (rand, 0, 256) / 255.0);
      cairo_rectangle (cr, g_rand_int_range (rand, 0, width), g_rand_int_range (rand, 0, height),
                       g_rand_int_range (rand, 4, width / 3), g_rand_int_range (rand, 4, height / 3));
      cairo_fill (cr);
    }
  /* One-pixel details: a grid of dots and a diagonal. */
  cairo_set_source_rgb (cr, 1, 1, 1);
  for (int y = 3; y < height; y += 17)
    for (int x = 5; x < width; x += 13)
      cairo_rectangle (cr, x, y, 1, 1);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 1, 0.9, 0);
  for (int i = 0; i < MIN (width, height); i++)
    cairo_rectangle (cr, i, i, 1, 1);
  cairo_fill (cr);
  cairo_destroy (cr);
  g_rand_free (rand);
}

static TestServer *
start_server (int width, int height)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  TestServer *ts;

  draw_flat_scene (surface, 1);
  ts = test_server_new (surface);
  cairo_surface_destroy (surface);
  ck_assert_msg (g_file_test (novnc_path (), G_FILE_TEST_IS_DIR),
                 "noVNC is not in %s: tests/run.sh installs Debian's novnc", novnc_path ());
  g_object_set (ts->server, "read-only", FALSE, "http-root", novnc_path (), NULL);
  test_server_start_with_http (ts);
  return ts;
}

/* Opens the server's own page, as a person would: "/" (here with the
 * canvas unscaled, pixel for pixel) leads to noVNC, which connects. */
static void
open_viewer (Browser *b, TestServer *ts)
{
  g_autofree char *answer = browser_command (b, "open http://127.0.0.1:%u/?resize=off", ts->http_port);
  g_autofree char *url = answer_field (answer, "url");

  ck_assert_msg (strstr (url, "/vnc.html?autoconnect=1") != NULL, "\"/\" led to %s", url);
}

static cairo_status_t
read_from_bytes (void *closure, unsigned char *data, unsigned int length)
{
  GBytes **rest = closure;
  gsize size;
  const guint8 *p = g_bytes_get_data (*rest, &size);
  GBytes *tail;

  if (length > size)
    return CAIRO_STATUS_READ_ERROR;
  memcpy (data, p, length);
  tail = g_bytes_new_from_bytes (*rest, length, size - length);
  g_bytes_unref (*rest);
  *rest = tail;
  return CAIRO_STATUS_SUCCESS;
}

/* The canvas as the browser shows it. */
static cairo_surface_t *
screenshot (Browser *b)
{
  g_autofree char *answer = browser_command (b, "screenshot");
  g_autofree char *png64 = answer_field (answer, "png");
  gsize len = 0;
  guint8 *png = g_base64_decode (png64, &len);
  GBytes *rest = g_bytes_new_take (png, len);
  cairo_surface_t *shot = cairo_image_surface_create_from_png_stream (read_from_bytes, &rest);

  g_bytes_unref (rest);
  ck_assert_int_eq (cairo_surface_status (shot), CAIRO_STATUS_SUCCESS);
  return shot;
}

typedef struct {
  gboolean same_size;
  guint differing;             /* pixels with any channel off */
  int max_error;               /* largest channel difference */
  double mean_error;           /* per channel */
  int bad_x, bad_y;
} Comparison;

static Comparison
compare_surfaces (cairo_surface_t *shot, cairo_surface_t *surface)
{
  Comparison c = { .bad_x = -1, .bad_y = -1 };
  int width = cairo_image_surface_get_width (shot);
  int height = cairo_image_surface_get_height (shot);
  guint64 total_error = 0;

  cairo_surface_flush (surface);
  c.same_size = width == cairo_image_surface_get_width (surface) &&
                height == cairo_image_surface_get_height (surface);
  for (int y = 0; c.same_size && y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 s = ((const guint32 *) (const void *) (cairo_image_surface_get_data (surface) +
                                                      (gsize) y * cairo_image_surface_get_stride (surface)))[x];
        guint32 p = ((const guint32 *) (const void *) (cairo_image_surface_get_data (shot) +
                                                      (gsize) y * cairo_image_surface_get_stride (shot)))[x];
        int worst = 0;
        for (int shift = 0; shift < 24; shift += 8)
          {
            int d = ABS ((int) ((s >> shift) & 0xff) - (int) ((p >> shift) & 0xff));
            worst = MAX (worst, d);
            total_error += (guint64) d;
          }
        if (worst > 0 && c.differing++ == 0)
          {
            c.bad_x = x;
            c.bad_y = y;
          }
        c.max_error = MAX (c.max_error, worst);
      }
  if (c.same_size)
    c.mean_error = (double) total_error / (3.0 * width * height);
  return c;
}

static Comparison
compare_with_surface (cairo_surface_t *shot, TestServer *ts)
{
  Comparison c;

  g_mutex_lock (&ts->lock);
  c = compare_surfaces (shot, ts->surface);
  g_mutex_unlock (&ts->lock);
  return c;
}

/* Takes screenshots until one equals the surface (within @max_mean and
 * @max_error per channel), or the deadline passes. */
static Comparison
wait_canvas_matches (Browser *b, TestServer *ts, double max_mean, int max_error)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  Comparison c;

  for (;;)
    {
      cairo_surface_t *shot = screenshot (b);
      c = compare_with_surface (shot, ts);
      cairo_surface_destroy (shot);
      if ((c.same_size && c.mean_error <= max_mean && c.max_error <= max_error) ||
          g_get_monotonic_time () > deadline)
        return c;
      g_usleep (200000);
    }
}

START_TEST (test_browser_canvas_shows_the_surface)
{
  TestServer *ts = start_server (320, 240);
  Browser *b = browser_start ();
  cairo_surface_t *before;
  Comparison c;

  open_viewer (b, ts);
  /* Flat colours: every pixel exact. */
  c = wait_canvas_matches (b, ts, 0, 0);
  ck_assert_msg (c.same_size, "the canvas is not 320x240");
  ck_assert_msg (c.differing == 0, "%u pixels differ, first at %d,%d (by up to %d)", c.differing, c.bad_x, c.bad_y,
                 c.max_error);

  /* Gradients and noise: noVNC asks for Tight with JPEG (quality level
   * 6, its default), so these tiles come lossy. The only tolerance:
   * JPEG's error here is about 1.2 per channel on average and at most
   * about 80 in the patch of noise; the frame before it is much further
   * off, so a canvas left behind cannot pass. */
  before = screenshot (b);
  test_server_redraw (ts, 3);
  g_mutex_lock (&ts->lock);
  c = compare_surfaces (before, ts->surface);
  g_mutex_unlock (&ts->lock);
  cairo_surface_destroy (before);
  ck_assert_msg (c.mean_error > 8 * JPEG_MEAN_ERROR, "the frames differ too little (%.2f)", c.mean_error);
  c = wait_canvas_matches (b, ts, JPEG_MEAN_ERROR, JPEG_MAX_ERROR);
  ck_assert_msg (c.same_size && c.mean_error <= JPEG_MEAN_ERROR && c.max_error <= JPEG_MAX_ERROR,
                 "photo-like frame: mean channel error %.2f, largest %d (%u pixels differ)", c.mean_error,
                 c.max_error, c.differing);
  /* And back to flat colours, exact again: no stale tile is left. */
  g_mutex_lock (&ts->lock);
  draw_flat_scene (ts->surface, 2);
  g_mutex_unlock (&ts->lock);
  cairovnc_server_frame_ready (ts->server);
  c = wait_canvas_matches (b, ts, 0, 0);
  ck_assert_msg (c.differing == 0, "%u pixels differ after the second flat frame, first at %d,%d", c.differing,
                 c.bad_x, c.bad_y);

  browser_stop (b);
  test_server_free (ts);
}
END_TEST

/* Takes events until one of @type comes; the others are dropped. */
static CairoVncEvent *
next_event (TestServer *ts, CairoVncEventType type)
{
  gint64 deadline = g_get_monotonic_time () + TEST_TIMEOUT_US;

  while (g_get_monotonic_time () < deadline)
    {
      CairoVncEvent *event = test_server_pop_event (ts, 100000);
      if (event != NULL && event->type == type)
        return event;
      g_clear_pointer (&event, cairovnc_event_free);
    }
  ck_abort_msg ("no event of type %d came", type);
  return NULL;
}

START_TEST (test_browser_click_and_type_reach_the_program)
{
  TestServer *ts = start_server (320, 240);
  Browser *b = browser_start ();
  CairoVncEvent *event;
  static const guint32 typed[] = { 0x48, 0x69 }; /* "H", "i" */

  open_viewer (b, ts);
  wait_canvas_matches (b, ts, 0, 0);
  while ((event = test_server_pop_event (ts, 0)) != NULL)
    cairovnc_event_free (event);

  browser_do (b, "click 57 103");
  event = next_event (ts, CAIROVNC_EVENT_CLICK);
  ck_assert (event->down);
  ck_assert_uint_eq (event->button, 0);
  ck_assert_int_eq (event->x, 57);
  ck_assert_int_eq (event->y, 103);
  ck_assert_uint_eq (event->client_id, 1);
  cairovnc_event_free (event);
  event = next_event (ts, CAIROVNC_EVENT_CLICK);
  ck_assert (!event->down);
  ck_assert_int_eq (event->x, 57);
  ck_assert_int_eq (event->y, 103);
  cairovnc_event_free (event);

  /* Each character's keysym goes down then up (Shift around the "H"). */
  browser_do (b, "type Hi");
  for (guint i = 0; i < G_N_ELEMENTS (typed); i++)
    for (int down = 1; down >= 0; down--)
      {
        gint64 deadline = g_get_monotonic_time () + TEST_TIMEOUT_US;
        gboolean found = FALSE;
        while (!found && g_get_monotonic_time () < deadline)
          {
            event = next_event (ts, CAIROVNC_EVENT_KEY);
            found = event->keysym == typed[i] && event->down == down;
            ck_assert_msg (found || event->keysym == 0xffe1 || event->keysym == 0xffe2,
                           "key 0x%x %s instead of 0x%x %s", event->keysym, event->down ? "down" : "up", typed[i],
                           down ? "down" : "up");
            cairovnc_event_free (event);
          }
        ck_assert (found);
      }

  browser_stop (b);
  test_server_free (ts);
}
END_TEST

START_TEST (test_browser_canvas_follows_a_resize)
{
  TestServer *ts = start_server (320, 240);
  Browser *b = browser_start ();
  cairo_surface_t *bigger = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 400, 300);
  Comparison c;

  open_viewer (b, ts);
  c = wait_canvas_matches (b, ts, 0, 0);
  ck_assert (c.same_size && c.differing == 0);

  draw_flat_scene (bigger, 7);
  g_mutex_lock (&ts->lock);
  cairo_surface_destroy (ts->surface);
  ts->surface = cairo_surface_reference (bigger);
  g_mutex_unlock (&ts->lock);
  cairovnc_server_set_surface (ts->server, bigger, &ts->lock);
  cairo_surface_destroy (bigger);
  browser_do (b, "wait-size 400 300");
  c = wait_canvas_matches (b, ts, 0, 0);
  ck_assert_msg (c.same_size, "the canvas did not become 400x300");
  ck_assert_msg (c.differing == 0, "%u pixels differ after the resize, first at %d,%d", c.differing, c.bad_x,
                 c.bad_y);

  browser_stop (b);
  test_server_free (ts);
}
END_TEST

static Suite *
browser_suite (void)
{
  Suite *s = suite_create ("browser");
  TCase *tc = tcase_create ("novnc");

  /* Chromium starts in a few seconds; each test loads noVNC once. */
  tcase_set_timeout (tc, 180);
  tcase_add_test (tc, test_browser_canvas_shows_the_surface);
  tcase_add_test (tc, test_browser_click_and_type_reach_the_program);
  tcase_add_test (tc, test_browser_canvas_follows_a_resize);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return testutil_run (browser_suite ());
}
