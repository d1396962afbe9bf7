/* server-cairovnc — the benchmark scene served by cairovnc.
 *
 * The program draws each frame under its surface lock, then says
 * cairovnc_server_frame_ready(), as the README's program does; cairovnc
 * finds the damage itself (no add_damage hints). Host 127.0.0.1,
 * max-clients 0 (no limit), max-framerate = --fps unless --max-framerate
 * says otherwise.
 *
 * Lock timing. cairovnc holds the program's GMutex only while it copies the
 * pixels out; that copy is not visible through the public API, so this
 * program interposes g_mutex_lock(), g_mutex_trylock() and g_mutex_unlock():
 * the executable exports its own definitions, the dynamic linker binds
 * libcairovnc's calls to them, and they forward to GLib's through
 * dlsym(RTLD_NEXT). Only the surface lock is timed: held by another thread
 * than the drawing one, from acquisition to release ("lock hold"); taken by
 * the drawing thread, from the call to acquisition ("lock wait"). If the
 * interposition does not take (a static GLib, say), the hold figures are
 * simply absent (lock_hold_n 0).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <time.h>

#include <cairovnc/cairovnc.h>

#include "benchserver.h"

static GMutex surface_lock;
static BenchServer *bench;
static __thread gboolean on_drawing_thread;
/* Written while surface_lock is held, so the lock itself guards it. */
static gint64 hold_start_ns;

typedef void (*MutexFunc) (GMutex *mutex);
typedef gboolean (*MutexTryFunc) (GMutex *mutex);

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static gpointer
next_symbol (const char *name)
{
  gpointer symbol = dlsym (RTLD_NEXT, name);

  if (symbol == NULL)
    {
      fprintf (stderr, "server-cairovnc: cannot find GLib's %s: %s\n", name, dlerror ());
      abort ();
    }
  return symbol;
}

static MutexFunc
real_lock (void)
{
  static MutexFunc func;
  MutexFunc f = __atomic_load_n (&func, __ATOMIC_ACQUIRE);

  if (f == NULL)
    {
      f = (MutexFunc) next_symbol ("g_mutex_lock");
      __atomic_store_n (&func, f, __ATOMIC_RELEASE);
    }
  return f;
}

static MutexFunc
real_unlock (void)
{
  static MutexFunc func;
  MutexFunc f = __atomic_load_n (&func, __ATOMIC_ACQUIRE);

  if (f == NULL)
    {
      f = (MutexFunc) next_symbol ("g_mutex_unlock");
      __atomic_store_n (&func, f, __ATOMIC_RELEASE);
    }
  return f;
}

static MutexTryFunc
real_trylock (void)
{
  static MutexTryFunc func;
  MutexTryFunc f = __atomic_load_n (&func, __ATOMIC_ACQUIRE);

  if (f == NULL)
    {
      f = (MutexTryFunc) next_symbol ("g_mutex_trylock");
      __atomic_store_n (&func, f, __ATOMIC_RELEASE);
    }
  return f;
}

static void
lock_acquired (gint64 called_ns)
{
  gint64 now = now_ns ();

  if (on_drawing_thread)
    bench_server_record_lock_wait (bench, now - called_ns);
  else
    hold_start_ns = now;
}

void
g_mutex_lock (GMutex *mutex)
{
  gint64 called;

  if (mutex != &surface_lock || bench == NULL)
    {
      real_lock () (mutex);
      return;
    }
  called = now_ns ();
  real_lock () (mutex);
  lock_acquired (called);
}

gboolean
g_mutex_trylock (GMutex *mutex)
{
  gint64 called;

  if (mutex != &surface_lock || bench == NULL)
    return real_trylock () (mutex);
  called = now_ns ();
  if (!real_trylock () (mutex))
    return FALSE;
  lock_acquired (called);
  return TRUE;
}

void
g_mutex_unlock (GMutex *mutex)
{
  if (mutex == &surface_lock && bench != NULL && !on_drawing_thread && hold_start_ns != 0)
    {
      bench_server_record_lock_hold (bench, now_ns () - hold_start_ns);
      hold_start_ns = 0;
    }
  real_unlock () (mutex);
}

static void
ignore_log (const gchar *log_domain, GLogLevelFlags log_level, const gchar *message, gpointer data)
{
}

int
main (int argc, char **argv)
{
  BenchServerOptions options = { 0 };
  double max_framerate = -1;
  const GOptionEntry extra[] = {
    { "max-framerate", 0, 0, G_OPTION_ARG_DOUBLE, &max_framerate,
      "cairovnc's max-framerate; 0 for no limit (default: --fps)", "F" },
    { NULL }
  };
  cairo_surface_t *surface;
  CairoVncServer *server;
  Scene *scene;
  GError *error = NULL;
  guint64 n;
  guint port;

  bench_server_block_signals ();
  bench_server_parse_options (&argc, &argv, "Serves a benchmark scene with cairovnc.", extra, &options);
  if (max_framerate < 0)
    max_framerate = options.fps;
  if (!options.verbose)
    g_log_set_handler ("CairoVNC", G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_MESSAGE,
                       ignore_log, NULL);

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, options.width, options.height);
  scene = scene_new (options.scene, options.width, options.height);
  g_mutex_init (&surface_lock);
  on_drawing_thread = TRUE;

  {
    cairo_rectangle_int_t rects[SCENE_MAX_RECTS];
    scene_draw (scene, surface, 0, rects);
  }

  bench = bench_server_new ("cairovnc", &options);
  bench_server_measure_memcpy (bench, surface);

  server = cairovnc_server_new (surface, &surface_lock);
  g_object_set (server,
                "host", "127.0.0.1",
                "port", (guint) options.port,
                "max-clients", 0u,
                "max-framerate", max_framerate,
                "verbose", options.verbose,
                NULL);
  if (!cairovnc_server_start_thread (server, &error))
    {
      fprintf (stderr, "server-cairovnc: %s\n", error->message);
      return 1;
    }
  port = cairovnc_server_get_port (server);
  bench_server_listening (bench, (int) port);

  /* Frame 0 is drawn; the loop starts with frame 1 due at once. */
  while (bench_server_next_frame (bench, &n))
    {
      cairo_rectangle_int_t rects[SCENE_MAX_RECTS];

      g_mutex_lock (&surface_lock);
      bench_server_draw (bench, scene, surface, n + 1, rects);
      g_mutex_unlock (&surface_lock);
      cairovnc_server_frame_ready (server);
      bench_server_frame_done (bench);
    }

  bench_server_print_exit (bench);
  cairovnc_server_stop (server);
  g_object_unref (server);
  scene_free (scene);
  cairo_surface_destroy (surface);
  return 0;
}
