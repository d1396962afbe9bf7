/* test-gvnccapture.c — gtk-vnc's gvnccapture as a second independent viewer.
 *
 * gvnccapture (Debian package gvncviewer) connects, takes one full frame
 * and saves it as a PNG; the test compares that PNG with the surface pixel
 * for pixel (ARGB32 as composited over black), without and with VNC
 * Authentication (gvnccapture reads the password from a terminal, so the
 * test gives it a pseudo-terminal), over VeNCrypt's anonymous TLS, and
 * with Apple Remote Desktop's user name and password; a certificate it
 * cannot verify is refused. The tool is required: when it is missing the tests fail.
 */
#include "testutil.h"
#include "tlsutil.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <glib/gstdio.h>

/* gvnccapture takes HOST:DISPLAY, with port = 5900 + display. */
#define FIRST_DISPLAY_PORT 5900
#define CAPTURE_TIMEOUT_S "20"

static char *
find_gvnccapture (void)
{
  char *path = g_find_program_in_path ("gvnccapture");

  ck_assert_msg (path != NULL, "gvnccapture is not installed (Debian package gvncviewer; tests/run.sh installs it)");
  return path;
}

/* Starts @ts on a free port of 20000–40000, as display numbers need a
 * port above 5900. */
static void
start_on_display_port (TestServer *ts)
{
  guint port = (guint) g_random_int_range (20000, 40000);

  for (guint attempt = 0; attempt < 50; attempt++, port++)
    {
      g_autoptr (GError) error = NULL;

      g_object_set (ts->server, "port", port, NULL);
      if (cairovnc_server_start_thread (ts->server, &error))
        {
          ts->port = cairovnc_server_get_port (ts->server);
          ck_assert_uint_eq (ts->port, port);
          return;
        }
      ck_assert_msg (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_LISTEN), "start: %s",
                     error->message);
    }
  ck_abort_msg ("no free port from %u on", port - 50);
}

/* Waits until the program on the other side of @tty has turned echo off:
 * gvnccapture does that (with TCSAFLUSH, which drops earlier input) just
 * before it reads the password. */
static gboolean
wait_echo_off (int tty, gint64 timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;
  struct termios attributes;

  while (g_get_monotonic_time () < deadline)
    {
      if (tcgetattr (tty, &attributes) != 0)
        return FALSE;
      if (!(attributes.c_lflag & ECHO))
        return TRUE;
      g_usleep (1000);
    }
  return FALSE;
}

/* Runs gvnccapture against @ts, bounded by timeout(1). With @password,
 * its standard input is a pseudo-terminal (it reads passwords only from
 * a terminal) and the password is typed there, after @username when
 * not NULL (Apple Remote Desktop asks for it first, echoed). Returns
 * whether it exited with 0; what it printed goes to @output. */
static gboolean
run_gvnccapture_as (TestServer *ts, const char *png_path, const char *username, const char *password,
                    char **output)
{
  g_autofree char *program = find_gvnccapture ();
  g_autofree char *target = g_strdup_printf ("127.0.0.1:%u", ts->port - FIRST_DISPLAY_PORT);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GBytes) out = NULL;
  int master = -1, slave = -1;

  if (password != NULL)
    {
      master = posix_openpt (O_RDWR | O_NOCTTY);
      ck_assert_msg (master >= 0 && grantpt (master) == 0 && unlockpt (master) == 0,
                     "cannot make a pseudo-terminal");
      slave = open (ptsname (master), O_RDWR | O_NOCTTY);
      ck_assert_int_ge (slave, 0);
      g_subprocess_launcher_take_stdin_fd (launcher, dup (slave));
    }
  else
    {
      g_subprocess_launcher_set_stdin_file_path (launcher, "/dev/null");
    }

  process = g_subprocess_launcher_spawn (launcher, &error, "timeout", CAPTURE_TIMEOUT_S, program, target,
                                         png_path, NULL);
  ck_assert_msg (process != NULL, "cannot run gvnccapture: %s", error ? error->message : "?");
  if (username != NULL)
    {
      /* Read with echo on, before the password: the terminal keeps it. */
      ck_assert (write (master, username, strlen (username)) == (gssize) strlen (username));
      ck_assert (write (master, "\n", 1) == 1);
    }
  if (password != NULL)
    {
      /* If it never asks, the result below says why. */
      if (wait_echo_off (slave, TEST_TIMEOUT_US))
        {
          ck_assert (write (master, password, strlen (password)) == (gssize) strlen (password));
          ck_assert (write (master, "\n", 1) == 1);
        }
    }
  ck_assert_msg (g_subprocess_communicate (process, NULL, NULL, &out, NULL, &error),
                 "gvnccapture: %s", error ? error->message : "?");
  if (master >= 0)
    {
      close (slave);
      close (master);
    }
  *output = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  return g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) == 0;
}

static gboolean
run_gvnccapture (TestServer *ts, const char *png_path, const char *password, char **output)
{
  return run_gvnccapture_as (ts, png_path, NULL, password, output);
}

/* Compares the PNG with the surface; the surface's colour is its
 * premultiplied value, i.e. over black. */
static void
assert_png_matches (const char *png_path, TestServer *ts)
{
  cairo_surface_t *png = cairo_image_surface_create_from_png (png_path);
  int width, height, png_stride, stride;
  const guint8 *png_data, *data;
  guint differing = 0;
  int bad_x = -1, bad_y = -1;
  guint32 bad_got = 0, bad_expected = 0;

  ck_assert_msg (cairo_surface_status (png) == CAIRO_STATUS_SUCCESS, "cannot read %s: %s", png_path,
                 cairo_status_to_string (cairo_surface_status (png)));
  g_mutex_lock (&ts->lock);
  width = cairo_image_surface_get_width (ts->surface);
  height = cairo_image_surface_get_height (ts->surface);
  if (cairo_image_surface_get_width (png) != width || cairo_image_surface_get_height (png) != height)
    {
      int png_width = cairo_image_surface_get_width (png), png_height = cairo_image_surface_get_height (png);
      g_mutex_unlock (&ts->lock);
      cairo_surface_destroy (png);
      ck_abort_msg ("the capture is %dx%d, the surface %dx%d", png_width, png_height, width, height);
    }
  cairo_surface_flush (png);
  png_data = cairo_image_surface_get_data (png);
  png_stride = cairo_image_surface_get_stride (png);
  data = cairo_image_surface_get_data (ts->surface);
  stride = cairo_image_surface_get_stride (ts->surface);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 got = ((const guint32 *) (const void *) (png_data + (gsize) y * (gsize) png_stride))[x];
        guint32 expected = ((const guint32 *) (const void *) (data + (gsize) y * (gsize) stride))[x];
        if ((got & 0xffffff) != (expected & 0xffffff) && differing++ == 0)
          {
            bad_x = x;
            bad_y = y;
            bad_got = got;
            bad_expected = expected;
          }
      }
  g_mutex_unlock (&ts->lock);
  cairo_surface_destroy (png);
  ck_assert_msg (differing == 0, "%u pixels differ, first at %d,%d: capture 0x%08x, surface 0x%08x",
                 differing, bad_x, bad_y, bad_got, bad_expected);
}

static char *
png_path_new (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cairovnc-gvnccapture-XXXXXX", NULL);

  ck_assert_ptr_nonnull (dir);
  return g_build_filename (dir, "capture.png", NULL);
}

static void
remove_png (const char *png_path)
{
  g_autofree char *dir = g_path_get_dirname (png_path);

  g_unlink (png_path);
  g_rmdir (dir);
}

typedef struct {
  cairo_format_t format;
  int width, height;
} Shape;

static const Shape shapes[] = {
  { CAIRO_FORMAT_RGB24, 333, 211 },
  { CAIRO_FORMAT_ARGB32, 320, 200 },
};

START_TEST (test_gvnccapture_capture_matches_surface)
{
  const Shape *shape = &shapes[_i];
  cairo_surface_t *surface = testutil_scene_new (shape->format, shape->width, shape->height, 800 + (guint) _i);
  TestServer *ts = test_server_new (surface);
  g_autofree char *png_path = png_path_new ();
  g_autofree char *output = NULL;
  gboolean ok;

  start_on_display_port (ts);
  ok = run_gvnccapture (ts, png_path, NULL, &output);
  ck_assert_msg (ok, "gvnccapture failed:\n%s", output);
  ck_assert_msg (g_file_test (png_path, G_FILE_TEST_EXISTS), "no capture saved:\n%s", output);
  assert_png_matches (png_path, ts);

  /* A second capture after the program draws a new frame. */
  test_server_redraw (ts, 900 + (guint) _i);
  g_unlink (png_path);
  g_clear_pointer (&output, g_free);
  ok = run_gvnccapture (ts, png_path, NULL, &output);
  ck_assert_msg (ok, "second gvnccapture failed:\n%s", output);
  assert_png_matches (png_path, ts);

  remove_png (png_path);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

START_TEST (test_gvnccapture_password_is_accepted)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 256, 160, 810);
  TestServer *ts = test_server_new (surface);
  g_autofree char *png_path = png_path_new ();
  g_autofree char *output = NULL;
  gboolean ok;

  g_object_set (ts->server, "password", "s3cret!", NULL);
  start_on_display_port (ts);
  ok = run_gvnccapture (ts, png_path, "s3cret!", &output);
  ck_assert_msg (ok, "gvnccapture failed with the right password:\n%s", output);
  ck_assert_msg (strstr (output, "Password") != NULL, "gvnccapture was not asked for a password:\n%s", output);
  assert_png_matches (png_path, ts);

  remove_png (png_path);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

START_TEST (test_gvnccapture_wrong_password_is_refused)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 256, 160, 820);
  TestServer *ts = test_server_new (surface);
  g_autofree char *png_path = png_path_new ();
  g_autofree char *output = NULL;
  gboolean ok;

  g_object_set (ts->server, "password", "s3cret!", NULL);
  start_on_display_port (ts);
  ok = run_gvnccapture (ts, png_path, "wrong", &output);
  ck_assert_msg (!ok, "gvnccapture succeeded with a wrong password:\n%s", output);
  ck_assert_msg (strstr (output, "Password") != NULL, "gvnccapture was not asked for a password:\n%s", output);
  ck_assert_msg (!g_file_test (png_path, G_FILE_TEST_EXISTS), "a capture was saved with a wrong password");

  remove_png (png_path);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

/* Encryption and Apple Remote Desktop. */

/* gtk-vnc trusts the CAs of .pki/CA/cacert.pem in the home of the
 * user's passwd entry (not $HOME) and in /etc/pki, else the system's:
 * places a test must not write to. So gvnccapture shows VeNCrypt's TLS
 * with anonymous TLS, and its refusal of a certificate it cannot
 * verify with the test's certificate. */
START_TEST (test_gvnccapture_vencrypt_anonymous_tls)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 240, 170, 830);
  TestServer *ts = test_server_new (surface);
  g_autofree char *png_path = png_path_new ();
  g_autofree char *output = NULL;
  gboolean ok;

  g_object_set (ts->server, "allow-anonymous-tls", TRUE, "password", "s3cret!", "require-encryption", TRUE,
                NULL);
  start_on_display_port (ts);
  ok = run_gvnccapture (ts, png_path, "s3cret!", &output);
  ck_assert_msg (ok, "gvnccapture failed over VeNCrypt TLSVnc:\n%s", output);
  ck_assert_msg (strstr (output, "Password") != NULL, "gvnccapture was not asked for a password:\n%s", output);
  assert_png_matches (png_path, ts);
  g_unlink (png_path);
  g_clear_pointer (&output, g_free);

  ok = run_gvnccapture (ts, png_path, "wrong", &output);
  ck_assert_msg (!ok, "gvnccapture succeeded over TLSVnc with a wrong password:\n%s", output);
  ck_assert_msg (!g_file_test (png_path, G_FILE_TEST_EXISTS), "a capture was saved with a wrong password");

  remove_png (png_path);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

START_TEST (test_gvnccapture_untrusted_certificate_is_refused)
{
  TestCerts *certs = test_certs_new ();
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 240, 170, 835);
  TestServer *ts = test_server_new (surface);
  g_autofree char *png_path = png_path_new ();
  g_autofree char *output = NULL;
  gboolean ok;

  g_object_set (ts->server, "tls-cert-file", certs->server_cert, "tls-key-file", certs->server_key,
                "require-encryption", TRUE, NULL);
  start_on_display_port (ts);
  ok = run_gvnccapture (ts, png_path, NULL, &output);
  ck_assert_msg (!ok, "gvnccapture took a certificate of a CA it does not know:\n%s", output);
  ck_assert_msg (!g_file_test (png_path, G_FILE_TEST_EXISTS), "a capture was saved through an unverified certificate");

  remove_png (png_path);
  test_server_free (ts);
  cairo_surface_destroy (surface);
  test_certs_free (certs);
}
END_TEST

START_TEST (test_gvnccapture_apple_remote_desktop)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 250, 150, 840);
  TestServer *ts = test_server_new (surface);
  g_autofree char *png_path = png_path_new ();
  g_autofree char *output = NULL;
  gboolean ok;

  g_object_set (ts->server, "username", "alice", "password", "a long pass phrase", NULL);
  start_on_display_port (ts);
  ok = run_gvnccapture_as (ts, png_path, "alice", "a long pass phrase", &output);
  ck_assert_msg (ok, "gvnccapture failed with Apple Remote Desktop:\n%s", output);
  ck_assert_msg (strstr (output, "Username") != NULL, "gvnccapture was not asked for a user name:\n%s", output);
  assert_png_matches (png_path, ts);
  g_unlink (png_path);
  g_clear_pointer (&output, g_free);

  ok = run_gvnccapture_as (ts, png_path, "alice", "a long pass phrasE", &output);
  ck_assert_msg (!ok, "gvnccapture succeeded with a wrong password:\n%s", output);
  ck_assert_msg (!g_file_test (png_path, G_FILE_TEST_EXISTS), "a capture was saved with a wrong password");

  remove_png (png_path);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

static Suite *
gvnccapture_suite (void)
{
  Suite *suite = suite_create ("gvnccapture");
  TCase *tc;

  tc = tcase_create ("capture");
  tcase_set_timeout (tc, 60);
  tcase_add_loop_test (tc, test_gvnccapture_capture_matches_surface, 0, G_N_ELEMENTS (shapes));
  suite_add_tcase (suite, tc);

  tc = tcase_create ("password");
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_gvnccapture_password_is_accepted);
  tcase_add_test (tc, test_gvnccapture_wrong_password_is_refused);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("secure");
  tcase_set_timeout (tc, 90);
  tcase_add_test (tc, test_gvnccapture_vencrypt_anonymous_tls);
  tcase_add_test (tc, test_gvnccapture_untrusted_certificate_is_refused);
  tcase_add_test (tc, test_gvnccapture_apple_remote_desktop);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  SRunner *runner;
  int failed;

  testutil_init ();
  runner = srunner_create (gvnccapture_suite ());
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
