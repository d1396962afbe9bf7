/* benchserver.c — what the two benchmark servers share (see benchserver.h).
 *
 * The drawing loop runs on the program's main thread; a signal thread waits
 * for SIGUSR1 (print a mark line) and SIGTERM/SIGINT (stop). Lock timings
 * arrive from the VNC server's threads, so they sit under their own mutex.
 */
#include "benchserver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "frameclock.h"

typedef struct {
  GArray *since_mark;   /* gint64 ns, emptied at each mark */
  GArray *all;          /* gint64 ns, the whole run */
} Samples;

struct BenchServer {
  char *name;
  BenchServerOptions options;

  gint64 draw_cpu_ns;       /* atomic */
  gint64 start_us;
  gint64 period_us;
  guint64 next_n;
  guint64 frames;
  guint64 frames_skipped;
  FrameClock *frame_clock;

  pthread_mutex_t samples_lock;
  Samples holds;
  Samples waits;

  double memcpy_us;
  double memcpy_cold_us;

  int stop;                 /* atomic */
  guint marks;
  pthread_mutex_t print_lock;
  pthread_t signal_thread;
  char *exit_extra;
};

void
bench_server_parse_options (int *argc, char ***argv, const char *summary,
                            const GOptionEntry *extra, BenchServerOptions *options)
{
  char *scene = NULL;
  const GOptionEntry entries[] = {
    { "scene", 0, 0, G_OPTION_ARG_STRING, &scene, "small, full or scroll (default small)", "NAME" },
    { "width", 0, 0, G_OPTION_ARG_INT, &options->width, "Surface width (default 1280)", "W" },
    { "height", 0, 0, G_OPTION_ARG_INT, &options->height, "Surface height (default 720)", "H" },
    { "fps", 0, 0, G_OPTION_ARG_DOUBLE, &options->fps, "Frames drawn per second (default 30)", "F" },
    { "port", 0, 0, G_OPTION_ARG_INT, &options->port, "TCP port on 127.0.0.1; 0 picks a free one (default 0)", "PORT" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &options->seconds, "Stop after this many seconds (default: when signalled)", "S" },
    { "frame-clock", 0, 0, G_OPTION_ARG_FILENAME, &options->frame_clock, "Publish frame times in FILE for the load generator", "FILE" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &options->verbose, "Log the VNC server's messages", NULL },
    { NULL }
  };
  GOptionContext *context = g_option_context_new (NULL);
  GError *error = NULL;

  options->scene = SCENE_SMALL;
  options->width = 1280;
  options->height = 720;
  options->fps = 30;
  options->port = 0;
  options->seconds = 0;

  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, NULL);
  if (extra != NULL)
    g_option_context_add_main_entries (context, extra, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      exit (2);
    }
  g_option_context_free (context);

  if (scene != NULL && !scene_kind_from_name (scene, &options->scene))
    {
      fprintf (stderr, "--scene must be small, full or scroll, not %s\n", scene);
      exit (2);
    }
  g_free (scene);
  /* RFB sizes are U16; cairo image surfaces stop at 32767. */
  if (options->width < 16 || options->width > 32767 || options->height < 16 || options->height > 32767)
    {
      fprintf (stderr, "--width and --height must be 16 to 32767\n");
      exit (2);
    }
  if (!(options->fps > 0 && options->fps <= 1000))
    {
      fprintf (stderr, "--fps must be more than 0 and at most 1000\n");
      exit (2);
    }
  if (options->port < 0 || options->port > 65535)
    {
      fprintf (stderr, "--port must be 0 to 65535\n");
      exit (2);
    }
}

static void
bench_signal_set (sigset_t *set)
{
  sigemptyset (set);
  sigaddset (set, SIGUSR1);
  sigaddset (set, SIGTERM);
  sigaddset (set, SIGINT);
  sigaddset (set, SIGHUP);
}

void
bench_server_block_signals (void)
{
  sigset_t set;

  bench_signal_set (&set);
  pthread_sigmask (SIG_BLOCK, &set, NULL);
  /* A load generator that goes away must not kill us through a write. */
  signal (SIGPIPE, SIG_IGN);
}

static void
samples_init (Samples *samples)
{
  samples->since_mark = g_array_new (FALSE, FALSE, sizeof (gint64));
  samples->all = g_array_new (FALSE, FALSE, sizeof (gint64));
}

static void
samples_add (Samples *samples, gint64 ns)
{
  g_array_append_val (samples->since_mark, ns);
  g_array_append_val (samples->all, ns);
}

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

/* "name_n":N,"name_p50_us":…,"name_p95_us":…,"name_max_us":… or nulls. */
static void
append_percentiles (GString *out, const char *name, GArray *samples)
{
  if (samples->len == 0)
    {
      g_string_append_printf (out, ",\"%s_n\":0,\"%s_p50_us\":null,\"%s_p95_us\":null,\"%s_max_us\":null",
                              name, name, name, name);
      return;
    }
  {
    GArray *sorted = g_array_sized_new (FALSE, FALSE, sizeof (gint64), samples->len);
    g_array_append_vals (sorted, samples->data, samples->len);
    g_array_sort (sorted, compare_gint64);
    g_string_append_printf (out, ",\"%s_n\":%u,\"%s_p50_us\":%.1f,\"%s_p95_us\":%.1f,\"%s_max_us\":%.1f",
                            name, sorted->len,
                            name, g_array_index (sorted, gint64, (sorted->len - 1) / 2) / 1000.0,
                            name, g_array_index (sorted, gint64, (sorted->len - 1) * 95 / 100) / 1000.0,
                            name, g_array_index (sorted, gint64, sorted->len - 1) / 1000.0);
    g_array_free (sorted, TRUE);
  }
}

static gint64
thread_cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static double
timeval_ms (const struct timeval *tv)
{
  return (double) tv->tv_sec * 1e3 + (double) tv->tv_usec / 1e3;
}

static long
current_rss_kb (void)
{
  long pages_total = 0, pages_resident = 0;
  FILE *statm = fopen ("/proc/self/statm", "r");

  if (statm == NULL)
    return -1;
  if (fscanf (statm, "%ld %ld", &pages_total, &pages_resident) != 2)
    pages_resident = -1;
  fclose (statm);
  return pages_resident < 0 ? -1 : pages_resident * (sysconf (_SC_PAGESIZE) / 1024);
}

/* "cpu_ms":…,"draw_cpu_ms":…,"rss_kb":…,"maxrss_kb":…,"frames":…,"frames_skipped":… */
static void
append_usage (BenchServer *bench, GString *out)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  g_string_append_printf (out,
                          ",\"cpu_ms\":%.3f,\"draw_cpu_ms\":%.3f,\"rss_kb\":%ld,\"maxrss_kb\":%ld"
                          ",\"frames\":%" G_GUINT64_FORMAT ",\"frames_skipped\":%" G_GUINT64_FORMAT,
                          timeval_ms (&usage.ru_utime) + timeval_ms (&usage.ru_stime),
                          (double) __atomic_load_n (&bench->draw_cpu_ns, __ATOMIC_RELAXED) / 1e6,
                          current_rss_kb (), usage.ru_maxrss,
                          (guint64) __atomic_load_n (&bench->frames, __ATOMIC_RELAXED),
                          (guint64) __atomic_load_n (&bench->frames_skipped, __ATOMIC_RELAXED));
}

static void
print_line (BenchServer *bench, GString *line)
{
  g_string_append (line, "}\n");
  pthread_mutex_lock (&bench->print_lock);
  fputs (line->str, stdout);
  fflush (stdout);
  pthread_mutex_unlock (&bench->print_lock);
}

static void
print_mark (BenchServer *bench)
{
  GString *line = g_string_new (NULL);

  g_string_append_printf (line, "{\"event\":\"mark\",\"server\":\"%s\",\"mark\":%u,\"t_us\":%" G_GINT64_FORMAT,
                          bench->name, ++bench->marks, g_get_monotonic_time ());
  append_usage (bench, line);
  pthread_mutex_lock (&bench->samples_lock);
  append_percentiles (line, "lock_hold", bench->holds.since_mark);
  append_percentiles (line, "lock_wait", bench->waits.since_mark);
  g_array_set_size (bench->holds.since_mark, 0);
  g_array_set_size (bench->waits.since_mark, 0);
  pthread_mutex_unlock (&bench->samples_lock);
  print_line (bench, line);
  g_string_free (line, TRUE);
}

static void *
signal_thread (void *data)
{
  BenchServer *bench = data;
  sigset_t set;

  bench_signal_set (&set);
  for (;;)
    {
      int sig = 0;

      if (sigwait (&set, &sig) != 0)
        continue;
      if (sig == SIGUSR1)
        print_mark (bench);
      else
        {
          __atomic_store_n (&bench->stop, 1, __ATOMIC_RELEASE);
          return NULL;
        }
    }
}

static FrameClock *
open_frame_clock (const char *path)
{
  int fd = open (path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  FrameClock *clock;

  if (fd < 0)
    {
      fprintf (stderr, "Cannot open the frame clock %s: %s\n", path, g_strerror (errno));
      return NULL;
    }
  if (ftruncate (fd, sizeof (FrameClock)) != 0)
    {
      fprintf (stderr, "Cannot size the frame clock %s: %s\n", path, g_strerror (errno));
      close (fd);
      return NULL;
    }
  clock = mmap (NULL, sizeof (FrameClock), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close (fd);
  if (clock == MAP_FAILED)
    return NULL;
  clock->slots = FRAME_CLOCK_SLOTS;
  __atomic_store_n (&clock->magic, FRAME_CLOCK_MAGIC, __ATOMIC_RELEASE);
  return clock;
}

BenchServer *
bench_server_new (const char *name, const BenchServerOptions *options)
{
  BenchServer *bench = g_new0 (BenchServer, 1);

  bench->name = g_strdup (name);
  bench->options = *options;
  bench->options.frame_clock = g_strdup (options->frame_clock);
  bench->period_us = (gint64) (1e6 / options->fps);
  pthread_mutex_init (&bench->samples_lock, NULL);
  pthread_mutex_init (&bench->print_lock, NULL);
  samples_init (&bench->holds);
  samples_init (&bench->waits);
  if (options->frame_clock != NULL)
    bench->frame_clock = open_frame_clock (options->frame_clock);
  return bench;
}

int
bench_pick_free_port (void)
{
  struct sockaddr_in addr = { .sin_family = AF_INET };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  int port = 0;

  if (fd < 0)
    return 0;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind (fd, (struct sockaddr *) &addr, sizeof addr) == 0 &&
      getsockname (fd, (struct sockaddr *) &addr, &len) == 0)
    port = ntohs (addr.sin_port);
  close (fd);
  return port;
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

void
bench_server_measure_memcpy (BenchServer *bench, cairo_surface_t *surface)
{
  enum { RUNS = 21 };
  gsize size = (gsize) cairo_image_surface_get_stride (surface) *
               (gsize) cairo_image_surface_get_height (surface);
  const guint8 *src = cairo_image_surface_get_data (surface);
  guint8 *warm = g_malloc (size);
  double warm_us[RUNS], cold_us[RUNS];

  cairo_surface_flush (surface);
  memset (warm, 1, size);
  for (int i = 0; i < RUNS; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      guint8 *cold;

      memcpy (warm, src, size);
      warm_us[i] = (double) (g_get_monotonic_time () - t0);

      /* Into fresh pages, as into a buffer newly allocated for each frame:
       * page faults included. */
      t0 = g_get_monotonic_time ();
      cold = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (cold == MAP_FAILED)
        cold_us[i] = 0;
      else
        {
          memcpy (cold, src, size);
          cold_us[i] = (double) (g_get_monotonic_time () - t0);
          munmap (cold, size);
        }
    }
  qsort (warm_us, RUNS, sizeof (double), compare_double);
  qsort (cold_us, RUNS, sizeof (double), compare_double);
  bench->memcpy_us = warm_us[RUNS / 2];
  bench->memcpy_cold_us = cold_us[RUNS / 2];
  g_free (warm);
}

void
bench_server_listening (BenchServer *bench, int port)
{
  GString *line = g_string_new (NULL);

  g_string_append_printf (line,
                          "{\"event\":\"listening\",\"server\":\"%s\",\"pid\":%d,\"port\":%d"
                          ",\"scene\":\"%s\",\"width\":%d,\"height\":%d,\"fps\":%g"
                          ",\"memcpy_us\":%.1f,\"memcpy_cold_us\":%.1f",
                          bench->name, (int) getpid (), port, scene_kind_name (bench->options.scene),
                          bench->options.width, bench->options.height, bench->options.fps,
                          bench->memcpy_us, bench->memcpy_cold_us);
  print_line (bench, line);
  g_string_free (line, TRUE);

  bench->start_us = g_get_monotonic_time ();
  pthread_create (&bench->signal_thread, NULL, signal_thread, bench);
  pthread_detach (bench->signal_thread);
}

gboolean
bench_server_next_frame (BenchServer *bench, guint64 *n)
{
  gint64 now = g_get_monotonic_time ();
  gint64 due;

  if (__atomic_load_n (&bench->stop, __ATOMIC_ACQUIRE))
    return FALSE;
  if (bench->options.seconds > 0 && now - bench->start_us >= (gint64) (bench->options.seconds * 1e6))
    return FALSE;

  due = bench->start_us + (gint64) bench->next_n * bench->period_us;
  if (now > due + bench->period_us)
    {
      /* Behind by more than a frame: draw the frame due now instead. */
      guint64 now_n = (guint64) ((now - bench->start_us) / bench->period_us);
      __atomic_add_fetch (&bench->frames_skipped, now_n - bench->next_n, __ATOMIC_RELAXED);
      bench->next_n = now_n;
      due = bench->start_us + (gint64) now_n * bench->period_us;
    }
  while (now < due)
    {
      struct timespec ts = { .tv_sec = (due - now) / 1000000, .tv_nsec = ((due - now) % 1000000) * 1000 };
      nanosleep (&ts, NULL);
      now = g_get_monotonic_time ();
    }
  *n = bench->next_n++;
  return TRUE;
}

guint
bench_server_draw (BenchServer *bench, Scene *scene, cairo_surface_t *surface, guint64 n,
                   cairo_rectangle_int_t *rects)
{
  gint64 start = thread_cpu_ns ();
  guint n_rects = scene_draw (scene, surface, n, rects);

  __atomic_add_fetch (&bench->draw_cpu_ns, thread_cpu_ns () - start, __ATOMIC_RELAXED);
  return n_rects;
}

void
bench_server_frame_done (BenchServer *bench)
{
  __atomic_add_fetch (&bench->frames, 1, __ATOMIC_RELAXED);
  if (bench->frame_clock != NULL)
    frame_clock_publish (bench->frame_clock, g_get_monotonic_time ());
}

gint64
bench_server_next_due (BenchServer *bench)
{
  return bench->start_us + (gint64) bench->next_n * bench->period_us;
}

void
bench_server_record_lock_hold (BenchServer *bench, gint64 ns)
{
  pthread_mutex_lock (&bench->samples_lock);
  samples_add (&bench->holds, ns);
  pthread_mutex_unlock (&bench->samples_lock);
}

void
bench_server_record_lock_wait (BenchServer *bench, gint64 ns)
{
  pthread_mutex_lock (&bench->samples_lock);
  samples_add (&bench->waits, ns);
  pthread_mutex_unlock (&bench->samples_lock);
}

void
bench_server_set_exit_extra (BenchServer *bench, const char *json_pairs)
{
  g_free (bench->exit_extra);
  bench->exit_extra = g_strdup (json_pairs);
}

void
bench_server_print_exit (BenchServer *bench)
{
  GString *line = g_string_new (NULL);

  g_string_append_printf (line, "{\"event\":\"exit\",\"server\":\"%s\",\"scene\":\"%s\",\"seconds\":%.3f",
                          bench->name, scene_kind_name (bench->options.scene),
                          (g_get_monotonic_time () - bench->start_us) / 1e6);
  append_usage (bench, line);
  pthread_mutex_lock (&bench->samples_lock);
  append_percentiles (line, "lock_hold", bench->holds.all);
  append_percentiles (line, "lock_wait", bench->waits.all);
  pthread_mutex_unlock (&bench->samples_lock);
  g_string_append_printf (line, ",\"memcpy_us\":%.1f,\"memcpy_cold_us\":%.1f",
                          bench->memcpy_us, bench->memcpy_cold_us);
  if (bench->exit_extra != NULL)
    g_string_append_printf (line, ",%s", bench->exit_extra);
  print_line (bench, line);
  g_string_free (line, TRUE);
}
