/* test-server-api.c — the public CairoVncServer API through real sockets.
 *
 * Proves that listening works as documented (port 0, ports in use,
 * get_port), that surfaces the server cannot serve are refused with the
 * documented errors while non-image surfaces are served, that the three
 * run models (own thread, the program's context, run()) start and stop
 * cleanly from any thread, that max-clients refuses extra viewers with a
 * reason on both RFB 3.3 and 3.8, that properties have their documented
 * defaults and notify, that verbose logs the handshake, and that
 * frame_ready is delivered at once but never faster than max-framerate.
 */
#include "testutil.h"

#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#define SETTLE_US (200 * 1000)

/* Helpers. */

static cairo_surface_t *
scene_rgb24 (int width, int height, guint seed)
{
  return testutil_scene_new (CAIRO_FORMAT_RGB24, width, height, seed);
}

static void
assert_greeting (GSocket *socket)
{
  char version[12];

  ck_assert_msg (test_raw_recv (socket, version, sizeof version, TEST_TIMEOUT_US),
                 "no protocol version from the server");
  ck_assert_mem_eq (version, "RFB 003.008\n", sizeof version);
}

static gboolean
can_connect (guint port)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) connection =
    g_socket_client_connect_to_host (client, "127.0.0.1", (guint16) port, NULL, NULL);

  return connection != NULL;
}

/* A libvncclient viewer of @ts that has its first frame. */
static TestViewer *
connect_viewer (TestServer *ts)
{
  TestViewer *viewer = test_viewer_connect (ts->port, NULL, NULL, NULL);

  ck_assert_ptr_nonnull (viewer);
  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));
  return viewer;
}

/* Handles the viewer's messages until its framebuffer equals @surface
 * (which need not be the surface the server serves). */
static gboolean
wait_match_surface (TestViewer *viewer, cairo_surface_t *surface, GMutex *lock, gint64 timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;

  for (;;)
    {
      if (test_viewer_compare (viewer, surface, lock, NULL, NULL) == 0)
        return TRUE;
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      if (!test_viewer_pump (viewer, 20 * 1000))
        return FALSE;
    }
}

/* Sends a full FramebufferUpdateRequest and reads the message type of the
 * answer: 0 (FramebufferUpdate) when the viewer is still served. */
static gboolean
raw_request_gets_update (GSocket *socket, int width, int height)
{
  guint8 request[10];
  guint8 type;

  test_build_update_request (request, FALSE, 0, 0, width, height);
  return test_raw_send (socket, request, sizeof request) &&
         test_raw_recv (socket, &type, 1, TEST_TIMEOUT_US) && type == 0;
}

/* Listening. */

START_TEST (test_server_api_port_zero_binds_free_port)
{
  g_autoptr (GError) error = NULL;
  cairo_surface_t *surface = scene_rgb24 (64, 48, 1);
  CairoVncServer *server = cairovnc_server_new (surface, NULL);
  GSocket *socket;
  guint port;

  g_object_set (server, "host", "127.0.0.1", "port", 0, NULL);
  ck_assert_uint_eq (cairovnc_server_get_port (server), 0);
  ck_assert (!cairovnc_server_is_running (server));

  ck_assert_msg (cairovnc_server_start_thread (server, &error), "start: %s", error ? error->message : "?");
  ck_assert (cairovnc_server_is_running (server));
  port = cairovnc_server_get_port (server);
  ck_assert_uint_ne (port, 0);

  socket = test_raw_connect (port);
  assert_greeting (socket);

  cairovnc_server_stop (server);
  ck_assert_uint_eq (cairovnc_server_get_port (server), 0);
  ck_assert (!cairovnc_server_is_running (server));
  ck_assert (test_raw_wait_closed (socket, TEST_TIMEOUT_US));
  ck_assert_msg (!can_connect (port), "port %u still accepts after stop", port);

  g_object_unref (socket);
  g_object_unref (server);
  cairo_surface_destroy (surface);
}
END_TEST

START_TEST (test_server_api_port_in_use_fails_with_listen_error)
{
  g_autoptr (GError) error = NULL;
  cairo_surface_t *surface = scene_rgb24 (64, 48, 2);
  TestServer *ts = test_server_new (surface);
  CairoVncServer *second = cairovnc_server_new (surface, NULL);
  g_autofree char *port_text = NULL;
  GSocket *socket;

  test_server_start (ts);
  port_text = g_strdup_printf ("%u", ts->port);
  g_object_set (second, "host", "127.0.0.1", "port", ts->port, NULL);

  ck_assert (!cairovnc_server_start_thread (second, &error));
  ck_assert_ptr_nonnull (error);
  ck_assert_msg (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_LISTEN),
                 "wrong error: %s", error->message);
  ck_assert_msg (strstr (error->message, port_text) != NULL,
                 "message does not name port %s: %s", port_text, error->message);
  ck_assert (!cairovnc_server_is_running (second));
  ck_assert_uint_eq (cairovnc_server_get_port (second), 0);

  /* The first server is untouched. */
  socket = test_raw_connect (ts->port);
  assert_greeting (socket);

  g_object_unref (socket);
  g_object_unref (second);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

/* Surfaces. */

static const cairo_format_t unsupported_formats[] = {
  CAIRO_FORMAT_A8, CAIRO_FORMAT_RGB16_565, CAIRO_FORMAT_A1, CAIRO_FORMAT_RGB30,
};

START_TEST (test_server_api_unsupported_surface_fails_at_start)
{
  g_autoptr (GError) error = NULL;
  cairo_surface_t *surface = cairo_image_surface_create (unsupported_formats[_i], 32, 32);
  CairoVncServer *server = cairovnc_server_new (surface, NULL);

  g_object_set (server, "host", "127.0.0.1", "port", 0, NULL);
  ck_assert (!cairovnc_server_start_thread (server, &error));
  ck_assert_ptr_nonnull (error);
  ck_assert_msg (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_UNSUPPORTED_SURFACE),
                 "format %d: wrong error: %s", unsupported_formats[_i], error->message);
  ck_assert (!cairovnc_server_is_running (server));
  ck_assert_uint_eq (cairovnc_server_get_port (server), 0);

  /* The same through start() on a context. */
  g_clear_error (&error);
  ck_assert (!cairovnc_server_start (server, NULL, &error));
  ck_assert (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_UNSUPPORTED_SURFACE));

  g_object_unref (server);
  cairo_surface_destroy (surface);
}
END_TEST

START_TEST (test_server_api_try_set_surface_refuses_a8)
{
  g_autoptr (GError) error = NULL;
  cairo_surface_t *surface = scene_rgb24 (96, 64, 3);
  cairo_surface_t *a8 = cairo_image_surface_create (CAIRO_FORMAT_A8, 96, 64);
  TestServer *ts = test_server_new (surface);
  TestViewer *viewer;

  test_server_start (ts);
  viewer = connect_viewer (ts);

  ck_assert (!cairovnc_server_try_set_surface (ts->server, a8, NULL, &error));
  ck_assert_ptr_nonnull (error);
  ck_assert_msg (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_UNSUPPORTED_SURFACE),
                 "wrong error: %s", error->message);

  /* The old surface is still served. */
  test_server_redraw (ts, 4);
  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));

  test_viewer_free (viewer);
  test_server_free (ts);
  cairo_surface_destroy (a8);
  cairo_surface_destroy (surface);
}
END_TEST

START_TEST (test_server_api_set_surface_a8_warns_and_keeps_old)
{
  cairo_surface_t *surface = scene_rgb24 (96, 64, 5);
  cairo_surface_t *a8 = cairo_image_surface_create (CAIRO_FORMAT_A8, 40, 30);
  TestServer *ts = test_server_new (surface);
  TestViewer *viewer;

  test_server_start (ts);
  viewer = connect_viewer (ts);

  testutil_expect_warning ("cannot be served");
  cairovnc_server_set_surface (ts->server, a8, NULL);
  ck_assert_msg (testutil_warning_seen (), "set_surface with an A8 surface logged no warning");
  testutil_expect_warning (NULL);

  test_server_redraw (ts, 6);
  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));
  ck_assert_int_eq (viewer->client->width, 96);
  ck_assert_int_eq (viewer->client->height, 64);

  test_viewer_free (viewer);
  test_server_free (ts);
  cairo_surface_destroy (a8);
  cairo_surface_destroy (surface);
}
END_TEST

/* Rectangles, some translucent, in the coordinates of a surface whose top
 * left corner is (@x0, @y0). */
static void
draw_shapes (cairo_t *cr, double x0, double y0)
{
  cairo_set_source_rgb (cr, 0.1, 0.2, 0.3);
  cairo_rectangle (cr, x0, y0, 200, 150);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0.9, 0.1, 0.1);
  cairo_rectangle (cr, x0 + 10, y0 + 10, 60, 40);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0.1, 0.8, 0.2);
  cairo_rectangle (cr, x0 + 120, y0 + 20, 70, 100);
  cairo_fill (cr);
  cairo_set_source_rgba (cr, 0.2, 0.3, 1.0, 0.5);
  cairo_rectangle (cr, x0 + 50, y0 + 30, 100, 90);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, x0 + 3, y0 + 140, 194, 5);
  cairo_fill (cr);
}

static void
check_recording_surface_served (double x0, double y0)
{
  cairo_rectangle_t extents = { x0, y0, 200, 150 };
  cairo_surface_t *recording = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, &extents);
  cairo_surface_t *reference = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 200, 150);
  CairoVncServer *server = cairovnc_server_new (recording, NULL);
  g_autoptr (GError) error = NULL;
  TestViewer *viewer;
  cairo_t *cr;
  int bad_x = 0, bad_y = 0;
  guint differing;

  cr = cairo_create (recording);
  draw_shapes (cr, x0, y0);
  cairo_destroy (cr);
  cr = cairo_create (reference);
  draw_shapes (cr, 0, 0);
  cairo_destroy (cr);

  g_object_set (server, "host", "127.0.0.1", "port", 0, NULL);
  ck_assert_msg (cairovnc_server_start_thread (server, &error), "start: %s", error ? error->message : "?");
  viewer = test_viewer_connect (cairovnc_server_get_port (server), NULL, NULL, NULL);
  ck_assert_ptr_nonnull (viewer);
  wait_match_surface (viewer, reference, NULL, 3 * G_USEC_PER_SEC);
  differing = test_viewer_compare (viewer, reference, NULL, &bad_x, &bad_y);
  ck_assert_msg (differing == 0, "extents at %g,%g: %u pixels differ, first at %d,%d: 0x%06x",
                 x0, y0, differing, bad_x, bad_y,
                 bad_x >= 0 ? test_viewer_get_rgb (viewer, bad_x, bad_y) : 0);

  test_viewer_free (viewer);
  cairovnc_server_stop (server);
  g_object_unref (server);
  cairo_surface_destroy (reference);
  cairo_surface_destroy (recording);
}

START_TEST (test_server_api_recording_surface_is_served)
{
  check_recording_surface_served (0, 0);
}
END_TEST

START_TEST (test_server_api_recording_surface_with_offset_extents_is_served)
{
  check_recording_surface_served (20, 10);
}
END_TEST

/* Run models. */

START_TEST (test_server_api_start_thread_serves_until_stop)
{
  cairo_surface_t *surface = scene_rgb24 (128, 96, 7);
  TestServer *ts = test_server_new (surface);
  TestViewer *viewer;

  test_server_start (ts);
  viewer = connect_viewer (ts);
  test_server_redraw (ts, 8);
  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));

  cairovnc_server_stop (ts->server);
  ck_assert (!cairovnc_server_is_running (ts->server));
  ck_assert_msg (!test_viewer_pump (viewer, TEST_TIMEOUT_US), "the viewer stayed connected after stop");

  test_viewer_free (viewer);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

typedef struct {
  TestServer *ts;
  GMainContext *context;
  gboolean connected;
  gboolean matched;
  gint done;
} ViewerJob;

/* A libvncclient viewer on its own thread; the result is asserted by the
 * test thread. */
static gpointer
viewer_job_run (gpointer data)
{
  ViewerJob *job = data;
  TestViewer *viewer = test_viewer_connect (job->ts->port, NULL, NULL, NULL);

  job->connected = viewer != NULL;
  if (viewer != NULL)
    job->matched = test_viewer_wait_match (viewer, job->ts, TEST_TIMEOUT_US);
  test_viewer_free (viewer);
  g_atomic_int_set (&job->done, 1);
  g_main_context_wakeup (job->context);
  return NULL;
}

static gboolean
keep_ticking (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

START_TEST (test_server_api_start_on_own_context_serves_while_iterated)
{
  cairo_surface_t *surface = scene_rgb24 (160, 100, 9);
  TestServer *ts = test_server_new (surface);
  GMainContext *context = g_main_context_new ();
  GSource *tick = g_timeout_source_new (20);
  g_autoptr (GError) error = NULL;
  ViewerJob job = { .ts = ts, .context = context };
  gint64 deadline = g_get_monotonic_time () + TEST_TIMEOUT_US;
  GThread *thread;

  g_source_set_callback (tick, keep_ticking, NULL, NULL);
  g_source_attach (tick, context);

  ck_assert_msg (cairovnc_server_start (ts->server, context, &error), "start: %s",
                 error ? error->message : "?");
  ts->port = cairovnc_server_get_port (ts->server);
  ck_assert_uint_ne (ts->port, 0);

  thread = g_thread_new ("viewer", viewer_job_run, &job);
  while (!g_atomic_int_get (&job.done) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, TRUE);
  /* The viewer gives up by the deadline; wait for it, serving meanwhile. */
  while (!g_atomic_int_get (&job.done))
    g_main_context_iteration (context, TRUE);
  g_thread_join (thread);
  ck_assert_msg (job.connected, "the viewer could not connect");
  ck_assert_msg (job.matched, "the viewer's picture never matched");

  cairovnc_server_stop (ts->server);
  ck_assert (!cairovnc_server_is_running (ts->server));
  ck_assert_uint_eq (cairovnc_server_get_port (ts->server), 0);

  g_source_destroy (tick);
  g_source_unref (tick);
  test_server_free (ts);
  g_main_context_unref (context);
  cairo_surface_destroy (surface);
}
END_TEST

typedef struct {
  CairoVncServer *server;
  gboolean result;
  GError *error;
} RunJob;

static gpointer
run_job_run (gpointer data)
{
  RunJob *job = data;

  job->result = cairovnc_server_run (job->server, &job->error);
  return NULL;
}

START_TEST (test_server_api_run_returns_true_after_stop)
{
  cairo_surface_t *surface = scene_rgb24 (120, 80, 10);
  TestServer *ts = test_server_new (surface);
  RunJob job = { .server = ts->server };
  gint64 deadline = g_get_monotonic_time () + TEST_TIMEOUT_US;
  TestViewer *viewer;
  GThread *thread;

  thread = g_thread_new ("run", run_job_run, &job);
  while (cairovnc_server_get_port (ts->server) == 0 && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  ts->port = cairovnc_server_get_port (ts->server);
  ck_assert_msg (ts->port != 0, "run() did not start listening");

  viewer = connect_viewer (ts);
  test_server_redraw (ts, 11);
  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));

  cairovnc_server_stop (ts->server);
  g_thread_join (thread);
  ck_assert_msg (job.result, "run() returned FALSE: %s", job.error ? job.error->message : "no error");
  ck_assert_ptr_null (job.error);
  ck_assert (!cairovnc_server_is_running (ts->server));
  ck_assert_msg (!test_viewer_pump (viewer, TEST_TIMEOUT_US), "the viewer stayed connected after stop");

  test_viewer_free (viewer);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

static gpointer
stop_job_run (gpointer data)
{
  cairovnc_server_stop (data);
  return NULL;
}

START_TEST (test_server_api_stop_from_other_thread_closes_viewers)
{
  cairo_surface_t *surface = scene_rgb24 (100, 70, 12);
  TestServer *ts = test_server_new (surface);
  GSocket *raw;
  TestViewer *viewer;
  int width = 0, height = 0;
  guint port;

  test_server_start (ts);
  port = ts->port;
  raw = test_raw_connect (port);
  ck_assert (test_raw_handshake (raw, &width, &height));
  ck_assert_int_eq (width, 100);
  ck_assert_int_eq (height, 70);
  viewer = connect_viewer (ts);
  ck_assert_uint_eq (cairovnc_server_get_n_clients (ts->server), 2);

  g_thread_join (g_thread_new ("stopper", stop_job_run, ts->server));

  ck_assert_msg (test_raw_wait_closed (raw, TEST_TIMEOUT_US), "the raw viewer was not closed");
  ck_assert_msg (!test_viewer_pump (viewer, TEST_TIMEOUT_US), "libvncclient was not closed");
  ck_assert (!cairovnc_server_is_running (ts->server));
  ck_assert_uint_eq (cairovnc_server_get_n_clients (ts->server), 0);
  ck_assert_msg (!can_connect (port), "port %u still accepts after stop", port);

  g_object_unref (raw);
  test_viewer_free (viewer);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

START_TEST (test_server_api_start_twice_fails_with_running)
{
  cairo_surface_t *surface = scene_rgb24 (64, 48, 13);
  TestServer *ts = test_server_new (surface);
  g_autoptr (GError) error = NULL;
  GSocket *socket;

  test_server_start (ts);

  ck_assert (!cairovnc_server_start_thread (ts->server, &error));
  ck_assert_msg (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_RUNNING),
                 "start_thread: %s", error ? error->message : "no error");
  g_clear_error (&error);
  ck_assert (!cairovnc_server_start (ts->server, NULL, &error));
  ck_assert_msg (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_RUNNING),
                 "start: %s", error ? error->message : "no error");
  g_clear_error (&error);
  ck_assert (!cairovnc_server_run (ts->server, &error));
  ck_assert_msg (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_RUNNING),
                 "run: %s", error ? error->message : "no error");

  /* Still serving on the first port. */
  ck_assert (cairovnc_server_is_running (ts->server));
  ck_assert_uint_eq (cairovnc_server_get_port (ts->server), ts->port);
  socket = test_raw_connect (ts->port);
  assert_greeting (socket);

  g_object_unref (socket);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

START_TEST (test_server_api_stop_twice_is_harmless)
{
  cairo_surface_t *surface = scene_rgb24 (64, 48, 14);
  TestServer *ts = test_server_new (surface);

  GSocket *socket;

  cairovnc_server_stop (ts->server);   /* never started */
  ck_assert (!cairovnc_server_is_running (ts->server));
  test_server_start (ts);
  socket = test_raw_connect (ts->port);
  assert_greeting (socket);
  cairovnc_server_stop (ts->server);
  ck_assert (test_raw_wait_closed (socket, TEST_TIMEOUT_US));
  g_object_unref (socket);
  cairovnc_server_stop (ts->server);
  ck_assert (!cairovnc_server_is_running (ts->server));
  ck_assert_uint_eq (cairovnc_server_get_port (ts->server), 0);
  ck_assert (!can_connect (ts->port));

  test_server_free (ts);   /* stops a third time */
  cairo_surface_destroy (surface);
}
END_TEST

typedef struct {
  CairoVncServer *server;
  guint rounds;
  GError *error;
  gint done;
} QuickStopJob;

static gpointer
quick_stop_run (gpointer data)
{
  QuickStopJob *job = data;

  for (; job->rounds < 20; job->rounds++)
    {
      if (!cairovnc_server_start_thread (job->server, &job->error))
        break;
      cairovnc_server_stop (job->server);
    }
  g_atomic_int_set (&job->done, 1);
  return NULL;
}

START_TEST (test_server_api_stop_right_after_start_thread_returns)
{
  cairo_surface_t *surface = scene_rgb24 (64, 48, 18);
  CairoVncServer *server = cairovnc_server_new (surface, NULL);
  QuickStopJob job = { .server = server };
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  GThread *thread;

  g_object_set (server, "host", "127.0.0.1", "port", 0, NULL);
  thread = g_thread_new ("start-stop", quick_stop_run, &job);
  while (!g_atomic_int_get (&job.done) && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  ck_assert_msg (g_atomic_int_get (&job.done),
                 "stop() right after start_thread() never returned (round %u of 20)", job.rounds + 1);
  g_thread_join (thread);
  ck_assert_msg (job.error == NULL, "round %u: %s", job.rounds + 1, job.error ? job.error->message : "");
  ck_assert_uint_eq (job.rounds, 20);
  ck_assert (!cairovnc_server_is_running (server));

  g_object_unref (server);
  cairo_surface_destroy (surface);
}
END_TEST

START_TEST (test_server_api_restart_after_stop_serves_again)
{
  cairo_surface_t *surface = scene_rgb24 (90, 60, 15);
  TestServer *ts = test_server_new (surface);
  TestViewer *viewer;
  GSocket *socket;

  test_server_start (ts);
  viewer = connect_viewer (ts);
  test_viewer_free (viewer);
  cairovnc_server_stop (ts->server);
  ck_assert_uint_eq (cairovnc_server_get_port (ts->server), 0);

  test_server_start (ts);   /* port 0 again: asserts a new port */
  socket = test_raw_connect (ts->port);
  assert_greeting (socket);
  g_object_unref (socket);

  test_server_redraw (ts, 16);
  viewer = connect_viewer (ts);
  test_server_redraw (ts, 17);
  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));

  test_viewer_free (viewer);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

/* Max clients. */

/* Reads a U32 length and that many bytes of reason. */
static char *
read_reason (GSocket *socket)
{
  guint8 length_bytes[4];
  guint32 length;
  char *reason;

  ck_assert_msg (test_raw_recv (socket, length_bytes, 4, TEST_TIMEOUT_US), "no reason length");
  length = test_get_u32 (length_bytes);
  ck_assert_uint_lt (length, 4096);
  reason = g_malloc0 (length + 1);
  ck_assert_msg (test_raw_recv (socket, reason, length, TEST_TIMEOUT_US), "reason cut short");
  return reason;
}

static void
check_third_viewer_refused (const char *version)
{
  cairo_surface_t *surface = scene_rgb24 (128, 64, 20);
  TestServer *ts = test_server_new (surface);
  TestViewer *viewer;
  GSocket *second, *third;
  int width = 0, height = 0;
  g_autofree char *reason = NULL;

  g_object_set (ts->server, "max-clients", 2, NULL);
  test_server_start (ts);
  viewer = connect_viewer (ts);
  second = test_raw_connect (ts->port);
  ck_assert (test_raw_handshake (second, &width, &height));

  third = test_raw_connect (ts->port);
  assert_greeting (third);
  ck_assert (test_raw_send (third, version, 12));
  if (strcmp (version, "RFB 003.003\n") == 0)
    {
      guint8 type[4];
      ck_assert (test_raw_recv (third, type, 4, TEST_TIMEOUT_US));
      ck_assert_uint_eq (test_get_u32 (type), 0);
    }
  else
    {
      guint8 n_types = 0xff;
      ck_assert (test_raw_recv (third, &n_types, 1, TEST_TIMEOUT_US));
      ck_assert_uint_eq (n_types, 0);
    }
  reason = read_reason (third);
  ck_assert_msg (strstr (reason, "2") != NULL && strstr (reason, "viewers") != NULL,
                 "the reason does not mention the limit: \"%s\"", reason);
  ck_assert (test_raw_wait_closed (third, TEST_TIMEOUT_US));

  /* The first two keep working. */
  test_server_redraw (ts, 21);
  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));
  ck_assert_msg (raw_request_gets_update (second, width, height), "the second viewer got no update");

  g_object_unref (third);
  g_object_unref (second);
  test_viewer_free (viewer);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}

START_TEST (test_server_api_max_clients_refuses_third_viewer_rfb38)
{
  check_third_viewer_refused ("RFB 003.008\n");
}
END_TEST

START_TEST (test_server_api_max_clients_refuses_third_viewer_rfb33)
{
  check_third_viewer_refused ("RFB 003.003\n");
}
END_TEST

START_TEST (test_server_api_max_clients_zero_has_no_limit)
{
  cairo_surface_t *surface = scene_rgb24 (64, 48, 22);
  TestServer *ts = test_server_new (surface);
  GSocket *sockets[20];

  g_object_set (ts->server, "max-clients", 0, NULL);
  test_server_start (ts);
  for (guint i = 0; i < G_N_ELEMENTS (sockets); i++)
    sockets[i] = test_raw_connect (ts->port);
  for (guint i = 0; i < G_N_ELEMENTS (sockets); i++)
    {
      guint8 n_types = 0, types[255];
      assert_greeting (sockets[i]);
      ck_assert (test_raw_send (sockets[i], "RFB 003.008\n", 12));
      ck_assert (test_raw_recv (sockets[i], &n_types, 1, TEST_TIMEOUT_US));
      ck_assert_msg (n_types > 0, "viewer %u was refused", i + 1);
      ck_assert (test_raw_recv (sockets[i], types, n_types, TEST_TIMEOUT_US));
      ck_assert_msg (memchr (types, 1, n_types) != NULL, "viewer %u: no security type None", i + 1);
    }
  ck_assert_uint_eq (cairovnc_server_get_n_clients (ts->server), 20);

  for (guint i = 0; i < G_N_ELEMENTS (sockets); i++)
    g_object_unref (sockets[i]);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

/* Properties. */

/* Every property of the server, as g_object_get() gives it. */
typedef struct {
  char *host, *password, *password_readonly, *name;
  guint port, max_clients, queue_length;
  double max_framerate;
  gboolean read_only, push_frames, verbose;
} Properties;

/* Fills @props; what it starts with shows only if a value is not set. */
static void
get_properties (CairoVncServer *server, Properties *props)
{
  g_object_get (server, "host", &props->host, "port", &props->port, "password", &props->password,
                "password-readonly", &props->password_readonly, "desktop-name", &props->name,
                "max-clients", &props->max_clients, "max-framerate", &props->max_framerate,
                "read-only", &props->read_only, "push-frames", &props->push_frames,
                "verbose", &props->verbose, "event-queue-length", &props->queue_length, NULL);
}

static void
properties_clear (Properties *props)
{
  g_clear_pointer (&props->host, g_free);
  g_clear_pointer (&props->password, g_free);
  g_clear_pointer (&props->password_readonly, g_free);
  g_clear_pointer (&props->name, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Properties, properties_clear)

START_TEST (test_server_api_property_defaults)
{
  cairo_surface_t *surface = scene_rgb24 (16, 16, 30);
  CairoVncServer *server = cairovnc_server_new (surface, NULL);
  /* The opposite of each default, so a value left unset fails. */
  g_auto (Properties) p = { .read_only = FALSE, .push_frames = TRUE, .verbose = TRUE };

  get_properties (server, &p);
  ck_assert_ptr_null (p.host);
  ck_assert_uint_eq (p.port, 5900);
  ck_assert_ptr_null (p.password);
  ck_assert_ptr_null (p.password_readonly);
  ck_assert_str_eq (p.name, "Cairo");
  ck_assert_uint_eq (p.max_clients, 2);
  ck_assert_double_eq (p.max_framerate, 20.0);
  ck_assert (p.read_only);
  ck_assert (!p.push_frames);
  ck_assert (!p.verbose);
  ck_assert_uint_eq (p.queue_length, 500);
  ck_assert (cairovnc_server_get_read_only (server));
  {
    g_autofree char *desktop_name = cairovnc_server_dup_desktop_name (server);
    ck_assert_str_eq (desktop_name, "Cairo");
  }
  ck_assert (!cairovnc_server_is_running (server));
  ck_assert_uint_eq (cairovnc_server_get_n_clients (server), 0);

  g_object_unref (server);
  cairo_surface_destroy (surface);
}
END_TEST

static gboolean
read_only_of (const char *password, const char *password_readonly, int explicit_read_only)
{
  cairo_surface_t *surface = scene_rgb24 (16, 16, 31);
  CairoVncServer *server = cairovnc_server_new (surface, NULL);
  gboolean property = FALSE, getter;

  g_object_set (server, "password", password, "password-readonly", password_readonly, NULL);
  if (explicit_read_only >= 0)
    g_object_set (server, "read-only", explicit_read_only, NULL);
  g_object_get (server, "read-only", &property, NULL);
  getter = cairovnc_server_get_read_only (server);
  ck_assert_int_eq (property, getter);
  g_object_unref (server);
  cairo_surface_destroy (surface);
  return property;
}

START_TEST (test_server_api_read_only_follows_passwords)
{
  ck_assert (read_only_of (NULL, NULL, -1));
  ck_assert (!read_only_of ("full", "watch", -1));
  ck_assert (read_only_of ("full", NULL, -1));
  ck_assert (read_only_of (NULL, "watch", -1));
  ck_assert (read_only_of ("full", "", -1));
  /* An explicit value wins either way. */
  ck_assert (read_only_of ("full", "watch", TRUE));
  ck_assert (!read_only_of (NULL, NULL, FALSE));
  ck_assert (!read_only_of ("full", NULL, FALSE));
}
END_TEST

START_TEST (test_server_api_properties_round_trip)
{
  cairo_surface_t *surface = scene_rgb24 (16, 16, 32);
  CairoVncServer *server = cairovnc_server_new (surface, NULL);
  /* The opposite of each value set, so a value left unset fails. */
  g_auto (Properties) p = { .read_only = TRUE, .push_frames = FALSE, .verbose = FALSE };

  g_object_set (server, "host", "127.0.0.1", "port", 6001, "password", "secret",
                "password-readonly", "watcher", "desktop-name", "Desk \xc3\xa9t\xc3\xa9",
                "max-clients", 7, "max-framerate", 42.5, "read-only", FALSE,
                "push-frames", TRUE, "verbose", TRUE, "event-queue-length", 77, NULL);
  get_properties (server, &p);
  ck_assert_str_eq (p.host, "127.0.0.1");
  ck_assert_uint_eq (p.port, 6001);
  ck_assert_str_eq (p.password, "secret");
  ck_assert_str_eq (p.password_readonly, "watcher");
  ck_assert_str_eq (p.name, "Desk \xc3\xa9t\xc3\xa9");
  {
    g_autofree char *desktop_name = cairovnc_server_dup_desktop_name (server);
    ck_assert_str_eq (desktop_name, "Desk \xc3\xa9t\xc3\xa9");
  }
  ck_assert_uint_eq (p.max_clients, 7);
  ck_assert_double_eq (p.max_framerate, 42.5);
  ck_assert (!p.read_only);
  ck_assert (p.push_frames);
  ck_assert (p.verbose);
  ck_assert_uint_eq (p.queue_length, 77);

  /* The setters change the same values. */
  g_clear_pointer (&p.host, g_free);
  g_clear_pointer (&p.name, g_free);
  cairovnc_server_set_host (server, NULL);
  cairovnc_server_set_port (server, 0);
  cairovnc_server_set_desktop_name (server, "Other");
  cairovnc_server_set_max_clients (server, 0);
  cairovnc_server_set_max_framerate (server, 0);
  cairovnc_server_set_read_only (server, TRUE);
  cairovnc_server_set_push_frames (server, FALSE);
  cairovnc_server_set_verbose (server, FALSE);
  g_object_get (server, "host", &p.host, "port", &p.port, "desktop-name", &p.name,
                "max-clients", &p.max_clients, "max-framerate", &p.max_framerate,
                "read-only", &p.read_only, "push-frames", &p.push_frames, "verbose", &p.verbose, NULL);
  ck_assert_ptr_null (p.host);
  ck_assert_uint_eq (p.port, 0);
  ck_assert_str_eq (p.name, "Other");
  ck_assert_uint_eq (p.max_clients, 0);
  ck_assert_double_eq (p.max_framerate, 0);
  ck_assert (p.read_only);
  ck_assert (!p.push_frames);
  ck_assert (!p.verbose);

  g_object_unref (server);
  cairo_surface_destroy (surface);
}
END_TEST

static void
count_notify (GObject *object, GParamSpec *pspec, gpointer data)
{
  GHashTable *counts = data;
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, pspec->name));

  g_hash_table_insert (counts, (gpointer) pspec->name, GUINT_TO_POINTER (n + 1));
}

START_TEST (test_server_api_notify_signals_fire)
{
  cairo_surface_t *surface = scene_rgb24 (16, 16, 33);
  CairoVncServer *server = cairovnc_server_new (surface, NULL);
  g_autoptr (GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  static const char *const names[] = {
    "host", "port", "password", "password-readonly", "desktop-name", "max-clients",
    "max-framerate", "read-only", "push-frames", "verbose", "event-queue-length",
  };
  g_autoptr (GString) missing = g_string_new (NULL);

  g_signal_connect (server, "notify", G_CALLBACK (count_notify), counts);
  g_object_set (server, "host", "127.0.0.1", NULL);
  g_object_set (server, "port", 6002, NULL);
  g_object_set (server, "password", "a", NULL);
  g_object_set (server, "password-readonly", "b", NULL);
  g_object_set (server, "desktop-name", "Renamed", NULL);
  g_object_set (server, "max-clients", 9, NULL);
  g_object_set (server, "max-framerate", 5.0, NULL);
  g_object_set (server, "read-only", FALSE, NULL);
  g_object_set (server, "push-frames", TRUE, NULL);
  g_object_set (server, "verbose", TRUE, NULL);
  g_object_set (server, "event-queue-length", 12, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, names[i]));
      if (n != 1)
        g_string_append_printf (missing, " %s (%u)", names[i], n);
    }
  ck_assert_msg (missing->len == 0, "properties not notified exactly once:%s", missing->str);

  /* Setting the name it already has says nothing. */
  g_hash_table_remove_all (counts);
  cairovnc_server_set_desktop_name (server, "Renamed");
  ck_assert_uint_eq (g_hash_table_size (counts), 0);
  cairovnc_server_set_desktop_name (server, "Again");
  ck_assert_uint_eq (GPOINTER_TO_UINT (g_hash_table_lookup (counts, "desktop-name")), 1);

  g_object_unref (server);
  cairo_surface_destroy (surface);
}
END_TEST

/* Verbose. GLib takes one log writer per process (a second
 * g_log_set_writer_func() is fatal), and testutil has it; so this reads
 * what the default writer prints to stderr. */

static char *
capture_handshake_log (gboolean verbose)
{
  cairo_surface_t *surface = scene_rgb24 (64, 48, 40);
  TestServer *ts = test_server_new (surface);
  g_autofree char *path = NULL;
  char *contents = NULL;
  GSocket *socket;
  int width = 0, height = 0;
  int fd, saved;
  gboolean handshake;

  g_object_set (ts->server, "verbose", verbose, NULL);
  fd = g_file_open_tmp ("cairovnc-log-XXXXXX", &path, NULL);
  ck_assert_int_ge (fd, 0);
  fflush (stderr);
  saved = dup (STDERR_FILENO);
  ck_assert_int_ge (saved, 0);
  ck_assert_int_ge (dup2 (fd, STDERR_FILENO), 0);

  test_server_start (ts);
  socket = test_raw_connect (ts->port);
  handshake = test_raw_handshake (socket, &width, &height);
  g_object_unref (socket);
  test_server_free (ts);

  fflush (stderr);
  dup2 (saved, STDERR_FILENO);
  close (saved);
  close (fd);
  ck_assert (handshake);
  ck_assert (g_file_get_contents (path, &contents, NULL, NULL));
  g_unlink (path);
  cairo_surface_destroy (surface);
  return contents;
}

/* Messages of domain CairoVNC at level Message whose text starts with
 * @prefix, as "CairoVNC-Message: [time: ]text" lines. */
static GPtrArray *
messages_starting_with (const char *log, const char *prefix)
{
  g_autoptr (GRegex) regex = g_regex_new ("^CairoVNC-Message: (?:[0-9:.]+: )?(.*)$",
                                          G_REGEX_MULTILINE, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);

  g_regex_match (regex, log, 0, &match);
  while (g_match_info_matches (match))
    {
      char *text = g_match_info_fetch (match, 1);
      if (g_str_has_prefix (text, prefix))
        g_ptr_array_add (found, text);
      else
        g_free (text);
      g_match_info_next (match, NULL);
    }
  return found;
}

START_TEST (test_server_api_verbose_logs_handshake_as_messages)
{
  g_autofree char *log = capture_handshake_log (TRUE);
  g_autoptr (GPtrArray) lines = messages_starting_with (log, "viewer 1 (127.0.0.1:");
  gboolean version_seen = FALSE, ready_seen = FALSE;

  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = g_ptr_array_index (lines, i);
      version_seen |= strstr (line, "RFB 3.8") != NULL;
      ready_seen |= strstr (line, "64x48") != NULL;
    }
  ck_assert_msg (lines->len >= 3, "%u handshake messages in:\n%s", lines->len, log);
  ck_assert_msg (version_seen, "the version exchange was not logged:\n%s", log);
  ck_assert_msg (ready_seen, "ServerInit (64x48) was not logged:\n%s", log);
}
END_TEST

START_TEST (test_server_api_quiet_by_default)
{
  g_autofree char *log = capture_handshake_log (FALSE);
  g_autoptr (GPtrArray) lines = messages_starting_with (log, "viewer ");

  ck_assert_msg (lines->len == 0, "not verbose, yet logged messages:\n%s", log);
}
END_TEST

/* Frames. */

typedef struct {
  GMutex lock;
  guint n;
  guint client_id;
  char *encoding;
  guint rectangles;
  guint64 bytes;
} UpdateLog;

/* Runs on the server's thread. */
static void
log_update (CairoVncServer *server, guint client_id, const char *encoding, guint rectangles,
            guint64 bytes, gpointer data)
{
  UpdateLog *log = data;

  g_mutex_lock (&log->lock);
  log->n++;
  log->client_id = client_id;
  g_free (log->encoding);
  log->encoding = g_strdup (encoding);
  log->rectangles = rectangles;
  log->bytes = bytes;
  g_mutex_unlock (&log->lock);
}

START_TEST (test_server_api_update_sent_tells_encoding_and_size)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 130, 70, 5);
  TestServer *ts = test_server_new (surface);
  UpdateLog log = { 0 };
  TestViewer *viewer;

  g_mutex_init (&log.lock);
  g_signal_connect (ts->server, "update-sent", G_CALLBACK (log_update), &log);
  test_server_start (ts);
  viewer = test_viewer_connect (ts->port, NULL, "raw", NULL);
  ck_assert_ptr_nonnull (viewer);
  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));

  g_mutex_lock (&log.lock);
  ck_assert_uint_ge (log.n, 1);
  ck_assert_uint_eq (log.client_id, 1);
  ck_assert_str_eq (log.encoding, "Raw");
  /* 130x70 is 3x2 tiles; each Raw rectangle is a 12-byte header and its
   * pixels, plus the 4-byte update header and, in the first update, the
   * empty QEMU Extended Key Event rectangle libvncclient asks for. */
  ck_assert_uint_eq (log.rectangles, 6);
  ck_assert_uint_eq (log.bytes, 4 + 12 + 6 * 12 + 130 * 70 * 4);
  g_mutex_unlock (&log.lock);

  test_viewer_free (viewer);
  test_server_free (ts);
  cairo_surface_destroy (surface);
  g_free (log.encoding);
  g_mutex_clear (&log.lock);
}
END_TEST

START_TEST (test_server_api_frame_ready_reaches_waiting_viewer_at_once)
{
  cairo_surface_t *surface = scene_rgb24 (320, 240, 50);
  TestServer *ts = test_server_new (surface);
  TestViewer *viewer;
  gint64 start, latency;

  test_server_start (ts);
  viewer = connect_viewer (ts);
  /* libvncclient asked again after its update; let the request land. */
  ck_assert (test_viewer_pump (viewer, SETTLE_US));

  g_mutex_lock (&ts->lock);
  testutil_scene_draw (ts->surface, 51);
  g_mutex_unlock (&ts->lock);
  start = g_get_monotonic_time ();
  cairovnc_server_frame_ready (ts->server);
  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));
  latency = g_get_monotonic_time () - start;
  ck_assert_msg (latency < 100 * 1000, "the frame took %" G_GINT64_FORMAT " us to arrive", latency);

  test_viewer_free (viewer);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

START_TEST (test_server_api_max_framerate_caps_pushed_frames)
{
  cairo_surface_t *surface = scene_rgb24 (160, 120, 60);
  TestServer *ts = test_server_new (surface);
  TestViewer *viewer;
  guint seed = 61, before, received;
  gint64 end;

  g_object_set (ts->server, "max-framerate", 10.0, "push-frames", TRUE, NULL);
  test_server_start (ts);
  viewer = connect_viewer (ts);
  ck_assert (test_viewer_pump (viewer, SETTLE_US));

  before = viewer->updates;
  end = g_get_monotonic_time () + G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end)
    {
      test_server_redraw (ts, seed++);
      ck_assert (test_viewer_pump (viewer, 10 * 1000));
    }
  received = viewer->updates - before;
  ck_assert_msg (received >= 5 && received <= 15, "%u updates in 1 s at max-framerate 10 (%u frames drawn)",
                 received, seed - 61);
  /* The last frame still arrives. */
  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));

  test_viewer_free (viewer);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

START_TEST (test_server_api_idle_server_takes_no_snapshots)
{
  cairo_surface_t *surface = scene_rgb24 (200, 120, 70);
  TestServer *ts = test_server_new (surface);
  TestViewer *viewer;
  GSocket *socket;
  char version[12];
  gboolean greeted;

  test_server_start (ts);

  /* Hold the program's lock throughout: a snapshot would block the server
   * context on it, and then a new connection would not be greeted. */
  g_mutex_lock (&ts->lock);
  for (guint i = 0; i < 100; i++)
    {
      testutil_scene_draw (ts->surface, 100 + i);
      cairovnc_server_frame_ready (ts->server);
    }
  g_usleep (SETTLE_US);
  socket = test_raw_connect (ts->port);
  greeted = test_raw_recv (socket, version, sizeof version, 2 * G_USEC_PER_SEC);
  g_mutex_unlock (&ts->lock);
  ck_assert_msg (greeted, "the server was blocked on the surface lock with no viewer");
  ck_assert_mem_eq (version, "RFB 003.008\n", 12);
  g_object_unref (socket);

  /* A viewer that comes now sees the last frame drawn. */
  viewer = connect_viewer (ts);

  test_viewer_free (viewer);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

static Suite *
server_api_suite (void)
{
  Suite *suite = suite_create ("server-api");
  TCase *tc;

  tc = tcase_create ("listen");
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_server_api_port_zero_binds_free_port);
  tcase_add_test (tc, test_server_api_port_in_use_fails_with_listen_error);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("surfaces");
  tcase_set_timeout (tc, 30);
  tcase_add_loop_test (tc, test_server_api_unsupported_surface_fails_at_start, 0,
                       G_N_ELEMENTS (unsupported_formats));
  tcase_add_test (tc, test_server_api_try_set_surface_refuses_a8);
  tcase_add_test (tc, test_server_api_set_surface_a8_warns_and_keeps_old);
  tcase_add_test (tc, test_server_api_recording_surface_is_served);
  tcase_add_test (tc, test_server_api_recording_surface_with_offset_extents_is_served);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("run-models");
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_server_api_start_thread_serves_until_stop);
  tcase_add_test (tc, test_server_api_start_on_own_context_serves_while_iterated);
  tcase_add_test (tc, test_server_api_run_returns_true_after_stop);
  tcase_add_test (tc, test_server_api_stop_from_other_thread_closes_viewers);
  tcase_add_test (tc, test_server_api_start_twice_fails_with_running);
  tcase_add_test (tc, test_server_api_stop_twice_is_harmless);
  tcase_add_test (tc, test_server_api_stop_right_after_start_thread_returns);
  tcase_add_test (tc, test_server_api_restart_after_stop_serves_again);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("max-clients");
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_server_api_max_clients_refuses_third_viewer_rfb38);
  tcase_add_test (tc, test_server_api_max_clients_refuses_third_viewer_rfb33);
  tcase_add_test (tc, test_server_api_max_clients_zero_has_no_limit);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("properties");
  tcase_set_timeout (tc, 10);
  tcase_add_test (tc, test_server_api_property_defaults);
  tcase_add_test (tc, test_server_api_read_only_follows_passwords);
  tcase_add_test (tc, test_server_api_properties_round_trip);
  tcase_add_test (tc, test_server_api_notify_signals_fire);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("verbose");
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_server_api_verbose_logs_handshake_as_messages);
  tcase_add_test (tc, test_server_api_quiet_by_default);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("frames");
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_server_api_frame_ready_reaches_waiting_viewer_at_once);
  tcase_add_test (tc, test_server_api_update_sent_tells_encoding_and_size);
  tcase_add_test (tc, test_server_api_max_framerate_caps_pushed_frames);
  tcase_add_test (tc, test_server_api_idle_server_takes_no_snapshots);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  SRunner *runner;
  int failed;

  testutil_init ();
  runner = srunner_create (server_api_suite ());
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
