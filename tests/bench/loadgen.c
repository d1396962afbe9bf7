/* loadgen — many VNC viewers in one process, for the benchmark.
 *
 * Each viewer (viewer.c) speaks RFB 3.8 with security None, asks for 32 bpp
 * RGB888 pixels and one encoding, then keeps exactly one incremental
 * FramebufferUpdateRequest outstanding, passing over payloads by their
 * lengths without decoding them, so that one thread on one core keeps up
 * with a hundred viewers.
 *
 * The run has phases: connect (every viewer through the handshake),
 * warm-up, measure, and with --stall a stall and a recovery phase. At the
 * start and end of each measured phase SIGUSR1 goes to the server
 * (--server-pid), which prints a "mark" line with its CPU time, memory and
 * lock timings to its output (--server-out); the load generator reads those
 * lines at the end and prints one JSON line with the viewers' and the
 * server's figures.
 *
 * Latency is measured two ways: from sending a request to the last byte of
 * the update that answers it ("lat"; it includes waiting for the next
 * frame), and, with --frame-clock, from the newest frame the server had
 * finished when the update began to arrive to its last byte ("frame_lat").
 *
 * The stalled-viewer scenario adds one viewer that stops reading for
 * --stall-seconds (and by default keeps sending requests at --fps, the
 * hardest case for a server's queues), then resumes. With Raw, it and
 * viewer 0 decode their pictures; the stalled one has a "full fresh frame"
 * once its picture equals, pixel for pixel, one that viewer 0 first showed
 * at most 200 ms before the resume or later: nothing stale left anywhere.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib.h>

#include "frameclock.h"
#include "viewer.h"

/* Viewers in the handshake at once; more would overflow a small listen
 * backlog and cost a one-second SYN retry. */
#define MAX_CONNECTING 16

typedef enum {
  PHASE_CONNECT,
  PHASE_WARMUP,
  PHASE_MEASURE,   /* with --stall: the figures before the stall */
  PHASE_STALL,
  PHASE_RECOVER,
  PHASE_DONE,
  N_PHASES
} Phase;

typedef struct {
  const char *name;
  gint32 encodings[2];
  int n_encodings;
} EncodingChoice;

static const EncodingChoice encoding_choices[] = {
  { "raw", { RFB_ENC_RAW }, 1 },
  { "zrle", { RFB_ENC_ZRLE }, 1 },
  { "tight", { RFB_ENC_TIGHT }, 1 },                                   /* lossless */
  { "tight-jpeg", { RFB_ENC_TIGHT, RFB_ENC_QUALITY_LEVEL_0 + 8 }, 2 },   /* quality 8 */
  { "zlib", { RFB_ENC_ZLIB }, 1 },
  { "hextile", { RFB_ENC_HEXTILE }, 1 },
  { "rre", { RFB_ENC_RRE }, 1 },
};

typedef struct {
  guint64 updates;        /* updates with at least one pixel rectangle */
  guint64 empty_updates;
  guint64 bytes;          /* of those updates, headers included */
  guint64 pixels;         /* area of their pixel rectangles */
} ViewerStats;

typedef struct {
  guint64 hash;
  gint64 time_us;
} HashAt;

typedef struct {
  /* options */
  char *host;
  int port;
  int n_viewers;
  const EncodingChoice *encoding;
  gboolean copyrect;
  int compress_level;      /* -1: not asked for */
  double warmup_s;
  double duration_s;
  double connect_timeout_s;
  double fps;
  int server_pid;
  char *server_out;
  char *frame_clock_path;
  gboolean stall;
  double stall_s;
  double recover_s;
  gboolean stall_requests;
  char **tags;

  /* state */
  int epoll_fd;
  ViewerConfig config;
  gint32 encodings[8];
  Viewer **viewers;
  ViewerStats (*stats)[N_PHASES];   /* per viewer */
  int n_total;               /* viewers plus the stalled one */
  int next_to_connect;
  int connecting;
  int ready;
  int failed;
  int disconnects;
  Phase phase;
  gint64 phase_start_us[N_PHASES];
  gint64 phase_end_us[N_PHASES];
  int marks_sent;
  double loadgen_cpu_ms[N_PHASES];

  GArray *lat_ms[N_PHASES];        /* double, viewers other than the stalled one */
  GArray *frame_lat_ms[N_PHASES];
  guint64 rect_counts[N_PHASES][VIEWER_N_RECT_ENCODINGS + 1];

  /* stall figures */
  gint64 next_stall_request_us;
  gint64 next_rss_sample_us;
  long rss_before_kb;
  long rss_max_stall_kb;
  long rss_after_kb;
  guint64 stall_requests_sent;
  gint64 resume_us;
  gboolean pictures_comparable;    /* both decoding viewers decoded everything */
  GHashTable *reference_frames;    /* picture hash of viewer 0 -> first seen */
  GArray *resumed_hashes;          /* HashAt of the stalled viewer after resuming */
  guint64 resumed_updates;
  guint64 resumed_bytes;
  gint64 resumed_first_update_us;
} Loadgen;

static gint64
now_us (void)
{
  return g_get_monotonic_time ();
}

static double
process_cpu_ms (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (double) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3 +
         (double) (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3;
}

static Viewer *
stalled_viewer (Loadgen *lg)
{
  return lg->stall ? lg->viewers[lg->n_total - 1] : NULL;
}

/* ---- viewers' news ------------------------------------------------------ */

static void
on_viewer_ready (Viewer *v, gpointer data)
{
  Loadgen *lg = data;

  lg->connecting--;
  lg->ready++;
}

static void
on_viewer_closed (Viewer *v, ViewerState was, const char *why, gpointer data)
{
  Loadgen *lg = data;

  if (why != NULL)
    fprintf (stderr, "loadgen: viewer %d: %s\n", viewer_get_id (v), why);
  if (was == VIEWER_CONNECTING || was == VIEWER_HANDSHAKE)
    {
      lg->connecting--;
      lg->failed++;
    }
  else if (was == VIEWER_READY)
    lg->disconnects++;
}

static void
check_picture (Loadgen *lg, Viewer *v, gint64 now)
{
  guint64 hash;

  if (!viewer_picture_hash (v, &hash))
    {
      lg->pictures_comparable = FALSE;
      return;
    }
  if (viewer_get_id (v) == 0)
    {
      if (!g_hash_table_contains (lg->reference_frames, &hash))
        {
          gint64 *key = g_new (gint64, 2);
          key[0] = (gint64) hash;
          key[1] = now;
          g_hash_table_add (lg->reference_frames, key);
        }
    }
  else if (lg->phase == PHASE_RECOVER)
    {
      HashAt at = { hash, now };
      g_array_append_val (lg->resumed_hashes, at);
    }
}

static void
on_update_done (Viewer *v, const ViewerUpdate *u, gpointer data)
{
  Loadgen *lg = data;
  Phase phase = lg->phase;
  ViewerStats *stats = &lg->stats[viewer_get_id (v)][phase];
  gboolean is_stalled = v == stalled_viewer (lg);

  if (u->pixel_rects == 0)
    {
      stats->empty_updates++;
      return;
    }
  stats->updates++;
  stats->bytes += u->bytes;
  stats->pixels += u->pixels;
  for (guint i = 0; i <= VIEWER_N_RECT_ENCODINGS; i++)
    lg->rect_counts[phase][i] += u->rects[i];

  if (!is_stalled)
    {
      double lat = (double) (u->done_us - u->request_us) / 1000.0;
      g_array_append_val (lg->lat_ms[phase], lat);
      if (u->frame_us > 0)
        {
          double frame_lat = (double) (u->done_us - u->frame_us) / 1000.0;
          g_array_append_val (lg->frame_lat_ms[phase], frame_lat);
        }
    }
  else if (phase == PHASE_RECOVER)
    {
      if (lg->resumed_updates == 0)
        lg->resumed_first_update_us = u->done_us;
      lg->resumed_updates++;
      lg->resumed_bytes += u->bytes;
    }

  if (lg->stall && phase >= PHASE_WARMUP && (viewer_get_id (v) == 0 || is_stalled))
    check_picture (lg, v, u->done_us);
}

static void
connect_more (Loadgen *lg)
{
  while (lg->connecting < MAX_CONNECTING && lg->next_to_connect < lg->n_total)
    {
      lg->connecting++;
      viewer_connect (lg->viewers[lg->next_to_connect++]);
    }
}

/* ---- server marks ------------------------------------------------------ */

static void
mark_server (Loadgen *lg)
{
  if (lg->server_pid > 0)
    {
      kill (lg->server_pid, SIGUSR1);
      lg->marks_sent++;
    }
}

/* The value of "key": in a flat JSON line, or NAN (absent or null). */
static double
json_number (const char *line, const char *key)
{
  char *pattern = g_strdup_printf ("\"%s\":", key);
  const char *at = strstr (line, pattern);
  double value = NAN;

  if (at != NULL)
    {
      char *end = NULL;
      at += strlen (pattern);
      value = g_ascii_strtod (at, &end);
      if (end == at)
        value = NAN;
    }
  g_free (pattern);
  return value;
}

/* The server's mark lines, by number (1-based); waits up to 3 s for the
 * last one to be written. */
static char **
read_marks (Loadgen *lg)
{
  char **marks = g_new0 (char *, lg->marks_sent + 1);
  gint64 deadline = now_us () + 3 * G_USEC_PER_SEC;

  if (lg->server_out == NULL || lg->marks_sent == 0)
    return marks;
  for (;;)
    {
      char *contents = NULL;
      int found = 0;

      if (g_file_get_contents (lg->server_out, &contents, NULL, NULL))
        {
          char **lines = g_strsplit (contents, "\n", -1);
          for (char **l = lines; *l != NULL; l++)
            if (strstr (*l, "\"event\":\"mark\"") != NULL)
              {
                double k = json_number (*l, "mark");
                if (!isnan (k) && k >= 1 && k <= lg->marks_sent)
                  {
                    g_free (marks[(int) k - 1]);
                    marks[(int) k - 1] = g_strdup (*l);
                  }
              }
          g_strfreev (lines);
          g_free (contents);
        }
      for (int i = 0; i < lg->marks_sent; i++)
        found += marks[i] != NULL;
      if (found == lg->marks_sent || now_us () > deadline)
        break;
      g_usleep (50000);
    }
  return marks;
}

static long
server_rss_kb (Loadgen *lg)
{
  char *path, *contents = NULL;
  long rss = -1;

  if (lg->server_pid <= 0)
    return -1;
  path = g_strdup_printf ("/proc/%d/status", lg->server_pid);
  if (g_file_get_contents (path, &contents, NULL, NULL))
    {
      const char *at = strstr (contents, "VmRSS:");
      if (at != NULL)
        rss = strtol (at + 6, NULL, 10);
    }
  g_free (contents);
  g_free (path);
  return rss;
}

/* ---- phases ------------------------------------------------------------ */

static void
enter_phase (Loadgen *lg, Phase phase)
{
  gint64 now = now_us ();
  Viewer *sv = stalled_viewer (lg);

  lg->loadgen_cpu_ms[lg->phase] = process_cpu_ms () - lg->loadgen_cpu_ms[lg->phase];
  lg->phase_end_us[lg->phase] = now;
  lg->phase = phase;
  lg->phase_start_us[phase] = now;
  lg->loadgen_cpu_ms[phase] = process_cpu_ms ();

  switch (phase)
    {
    case PHASE_WARMUP:
      lg->phase_end_us[phase] = now + (gint64) (lg->warmup_s * 1e6);
      break;
    case PHASE_MEASURE:
      mark_server (lg);                               /* mark 1 */
      lg->phase_end_us[phase] = now + (gint64) (lg->duration_s * 1e6);
      break;
    case PHASE_STALL:
      mark_server (lg);                               /* mark 2 */
      lg->phase_end_us[phase] = now + (gint64) (lg->stall_s * 1e6);
      lg->rss_before_kb = server_rss_kb (lg);
      lg->rss_max_stall_kb = lg->rss_before_kb;
      lg->next_rss_sample_us = now + 100000;
      lg->next_stall_request_us = now + (gint64) (1e6 / lg->fps);
      if (sv != NULL)
        viewer_set_stalled (sv, TRUE);
      break;
    case PHASE_RECOVER:
      mark_server (lg);                               /* mark 3 */
      lg->phase_end_us[phase] = now + (gint64) (lg->recover_s * 1e6);
      lg->resume_us = now;
      if (sv != NULL)
        viewer_set_stalled (sv, FALSE);
      break;
    case PHASE_DONE:
      mark_server (lg);                               /* last mark */
      if (lg->stall)
        lg->rss_after_kb = server_rss_kb (lg);
      break;
    default:
      break;
    }
}

static void
next_phase (Loadgen *lg)
{
  switch (lg->phase)
    {
    case PHASE_CONNECT:
      enter_phase (lg, PHASE_WARMUP);
      break;
    case PHASE_WARMUP:
      enter_phase (lg, PHASE_MEASURE);
      break;
    case PHASE_MEASURE:
      enter_phase (lg, lg->stall ? PHASE_STALL : PHASE_DONE);
      break;
    case PHASE_STALL:
      enter_phase (lg, PHASE_RECOVER);
      break;
    default:
      enter_phase (lg, PHASE_DONE);
      break;
    }
}

static void
run (Loadgen *lg)
{
  struct epoll_event events[256];
  gint64 connect_deadline = now_us () + (gint64) (lg->connect_timeout_s * 1e6);

  lg->phase = PHASE_CONNECT;
  lg->phase_start_us[PHASE_CONNECT] = now_us ();
  lg->loadgen_cpu_ms[PHASE_CONNECT] = process_cpu_ms ();
  connect_more (lg);

  while (lg->phase != PHASE_DONE)
    {
      gint64 now = now_us ();
      gint64 wake;
      int n;

      if (lg->phase == PHASE_CONNECT)
        {
          if (lg->ready + lg->failed >= lg->n_total || now >= connect_deadline)
            {
              if (lg->ready == 0)
                {
                  fprintf (stderr, "loadgen: no viewer could connect to %s:%d\n", lg->host, lg->port);
                  enter_phase (lg, PHASE_DONE);
                  break;
                }
              next_phase (lg);
            }
        }
      else if (now >= lg->phase_end_us[lg->phase])
        {
          next_phase (lg);
          continue;
        }

      if (lg->phase == PHASE_STALL)
        {
          Viewer *sv = stalled_viewer (lg);
          if (now >= lg->next_rss_sample_us)
            {
              lg->rss_max_stall_kb = MAX (lg->rss_max_stall_kb, server_rss_kb (lg));
              lg->next_rss_sample_us = now + 100000;
            }
          if (now >= lg->next_stall_request_us)
            {
              /* A stalled viewer that still asks: the server must not
               * queue an update per request. */
              if (lg->stall_requests && viewer_get_state (sv) == VIEWER_READY &&
                  viewer_output_pending (sv) < 4096)
                {
                  viewer_request_update (sv, TRUE);
                  lg->stall_requests_sent++;
                }
              lg->next_stall_request_us = now + (gint64) (1e6 / lg->fps);
            }
        }

      wake = lg->phase == PHASE_CONNECT ? MIN (connect_deadline, now + 100000) : lg->phase_end_us[lg->phase];
      if (lg->phase == PHASE_STALL)
        wake = MIN (wake, MIN (lg->next_rss_sample_us, lg->next_stall_request_us));
      n = epoll_wait (lg->epoll_fd, events, G_N_ELEMENTS (events),
                      (int) CLAMP ((wake - now + 999) / 1000, 0, 1000));
      for (int i = 0; i < n; i++)
        viewer_handle_events (events[i].data.ptr, events[i].events);
      if (lg->phase == PHASE_CONNECT)
        connect_more (lg);
    }
}

/* ---- figures ----------------------------------------------------------- */

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
percentile (GArray *values, double q)
{
  if (values->len == 0)
    return NAN;
  g_array_sort (values, compare_double);
  return g_array_index (values, double, (guint) ((values->len - 1) * q + 0.5));
}

static void
append_number (GString *out, const char *key, double value, int decimals)
{
  if (isnan (value) || isinf (value))
    g_string_append_printf (out, ",\"%s\":null", key);
  else
    g_string_append_printf (out, ",\"%s\":%.*f", key, decimals, value);
}

/* Per-viewer fps (mean, min, max), total updates and bytes over @phase, for
 * every viewer that was connected, except the stalled one. */
static void
phase_viewer_figures (Loadgen *lg, Phase phase, double *fps_mean, double *fps_min, double *fps_max,
                      guint64 *updates, guint64 *empty, guint64 *bytes, guint64 *pixels,
                      int *counted)
{
  double seconds = (double) (lg->phase_end_us[phase] - lg->phase_start_us[phase]) / 1e6;
  double sum = 0;

  *fps_min = INFINITY;
  *fps_max = 0;
  *updates = *empty = *bytes = *pixels = 0;
  *counted = 0;
  for (int i = 0; i < lg->n_total; i++)
    {
      Viewer *v = lg->viewers[i];
      double fps;

      ViewerStats *stats = &lg->stats[i][phase];

      if (v == stalled_viewer (lg) || !viewer_has_size (v))
        continue;
      fps = seconds > 0 ? (double) stats->updates / seconds : 0;
      sum += fps;
      *fps_min = MIN (*fps_min, fps);
      *fps_max = MAX (*fps_max, fps);
      *updates += stats->updates;
      *empty += stats->empty_updates;
      *bytes += stats->bytes;
      *pixels += stats->pixels;
      (*counted)++;
    }
  *fps_mean = *counted > 0 ? sum / *counted : NAN;
  if (*counted == 0)
    *fps_min = *fps_max = NAN;
}

static void
append_rect_encodings (Loadgen *lg, GString *out, Phase phase)
{
  guint64 best = 0;
  const char *used = NULL;
  GString *list = g_string_new (NULL);

  for (guint i = 0; i <= VIEWER_N_RECT_ENCODINGS; i++)
    {
      guint64 count = lg->rect_counts[phase][i];
      const char *name = viewer_rect_encoding_name (i);
      if (count == 0)
        continue;
      g_string_append_printf (list, "%s%s=%" G_GUINT64_FORMAT, list->len ? " " : "", name, count);
      /* CopyRect moves pixels; the encoding in use is what carries them. */
      if (i < VIEWER_N_RECT_ENCODINGS && viewer_rect_encoding (i) != RFB_ENC_COPYRECT && count > best)
        {
          best = count;
          used = name;
        }
    }
  g_string_append_printf (out, ",\"rect_encodings\":\"%s\"", list->str);
  if (used != NULL)
    g_string_append_printf (out, ",\"enc_used\":\"%s\"", used);
  else
    g_string_append (out, ",\"enc_used\":null");
  g_string_free (list, TRUE);
}

/* Server figures between marks @from and @to (1-based). */
static void
append_server_figures (Loadgen *lg, GString *out, char **marks, int from, int to,
                       guint64 updates, const char *prefix)
{
  const char *a = from >= 1 && from <= lg->marks_sent ? marks[from - 1] : NULL;
  const char *b = to >= 1 && to <= lg->marks_sent ? marks[to - 1] : NULL;
  double cpu = NAN, draw = NAN;
  char key[64];

  if (a != NULL && b != NULL)
    {
      cpu = json_number (b, "cpu_ms") - json_number (a, "cpu_ms");
      draw = json_number (b, "draw_cpu_ms") - json_number (a, "draw_cpu_ms");
    }
#define KEY(name) (g_snprintf (key, sizeof key, "%s%s", prefix, name), key)
  append_number (out, KEY ("server_cpu_ms"), cpu, 1);
  append_number (out, KEY ("server_draw_cpu_ms"), draw, 1);
  append_number (out, KEY ("cpu_ms_per_update"), updates > 0 ? cpu / (double) updates : NAN, 4);
  append_number (out, KEY ("serve_cpu_ms_per_update"),
                 updates > 0 ? (cpu - draw) / (double) updates : NAN, 4);
  if (a != NULL && b != NULL)
    {
      append_number (out, KEY ("server_frames"), json_number (b, "frames") - json_number (a, "frames"), 0);
      append_number (out, KEY ("server_frames_skipped"),
                     json_number (b, "frames_skipped") - json_number (a, "frames_skipped"), 0);
    }
  if (b != NULL)
    {
      append_number (out, KEY ("rss_mb"), json_number (b, "rss_kb") / 1024.0, 1);
      append_number (out, KEY ("peak_rss_mb"), json_number (b, "maxrss_kb") / 1024.0, 1);
      append_number (out, KEY ("lock_hold_n"), json_number (b, "lock_hold_n"), 0);
      append_number (out, KEY ("lock_hold_p50_us"), json_number (b, "lock_hold_p50_us"), 1);
      append_number (out, KEY ("lock_hold_p95_us"), json_number (b, "lock_hold_p95_us"), 1);
      append_number (out, KEY ("lock_hold_max_us"), json_number (b, "lock_hold_max_us"), 1);
      append_number (out, KEY ("lock_wait_p50_us"), json_number (b, "lock_wait_p50_us"), 1);
      append_number (out, KEY ("lock_wait_max_us"), json_number (b, "lock_wait_max_us"), 1);
    }
#undef KEY
}

static void
append_phase_figures (Loadgen *lg, GString *out, Phase phase, const char *prefix, char **marks,
                      int mark_from, int mark_to)
{
  double fps_mean, fps_min, fps_max;
  guint64 updates, empty, bytes, pixels;
  int counted;
  double seconds = (double) (lg->phase_end_us[phase] - lg->phase_start_us[phase]) / 1e6;
  char key[64];

  phase_viewer_figures (lg, phase, &fps_mean, &fps_min, &fps_max, &updates, &empty, &bytes, &pixels,
                        &counted);
#define KEY(name) (g_snprintf (key, sizeof key, "%s%s", prefix, name), key)
  append_number (out, KEY ("window_s"), seconds, 3);
  g_string_append_printf (out, ",\"%s\":%d", KEY ("viewers_counted"), counted);
  g_string_append_printf (out, ",\"%s\":%" G_GUINT64_FORMAT, KEY ("updates"), updates);
  g_string_append_printf (out, ",\"%s\":%" G_GUINT64_FORMAT, KEY ("empty_updates"), empty);
  append_number (out, KEY ("fps_mean"), fps_mean, 2);
  append_number (out, KEY ("fps_min"), fps_min, 2);
  append_number (out, KEY ("fps_max"), fps_max, 2);
  append_number (out, KEY ("bytes_per_update"), updates > 0 ? (double) bytes / (double) updates : NAN, 0);
  append_number (out, KEY ("pixels_per_update"), updates > 0 ? (double) pixels / (double) updates : NAN, 0);
  append_number (out, KEY ("mbytes_per_s"), seconds > 0 ? (double) bytes / seconds / 1e6 : NAN, 2);
  append_number (out, KEY ("lat_p50_ms"), percentile (lg->lat_ms[phase], 0.50), 2);
  append_number (out, KEY ("lat_p95_ms"), percentile (lg->lat_ms[phase], 0.95), 2);
  append_number (out, KEY ("lat_max_ms"), percentile (lg->lat_ms[phase], 1.0), 2);
  append_number (out, KEY ("frame_lat_p50_ms"), percentile (lg->frame_lat_ms[phase], 0.50), 2);
  append_number (out, KEY ("frame_lat_p95_ms"), percentile (lg->frame_lat_ms[phase], 0.95), 2);
  append_number (out, KEY ("loadgen_cpu_share"),
                 seconds > 0 ? lg->loadgen_cpu_ms[phase] / (seconds * 1e3) : NAN, 3);
#undef KEY
  append_server_figures (lg, out, marks, mark_from, mark_to, updates, prefix);
}

static void
append_stall_figures (Loadgen *lg, GString *out)
{
  Viewer *sv = stalled_viewer (lg);
  double fresh_ms = NAN;
  const char *fresh = "null";

  g_string_append_printf (out, ",\"stall_s\":%.1f,\"stall_requests\":%s,\"stall_requests_sent\":%" G_GUINT64_FORMAT,
                          lg->stall_s, lg->stall_requests ? "true" : "false", lg->stall_requests_sent);
  append_number (out, "rss_before_stall_mb", lg->rss_before_kb / 1024.0, 1);
  append_number (out, "rss_max_during_stall_mb", lg->rss_max_stall_kb / 1024.0, 1);
  append_number (out, "rss_after_mb", lg->rss_after_kb / 1024.0, 1);
  append_number (out, "rss_growth_mb", (lg->rss_max_stall_kb - lg->rss_before_kb) / 1024.0, 1);
  g_string_append_printf (out, ",\"stalled_connected\":%s",
                          viewer_get_state (sv) == VIEWER_READY ? "true" : "false");
  g_string_append_printf (out, ",\"stalled_updates_after\":%" G_GUINT64_FORMAT, lg->resumed_updates);
  append_number (out, "stalled_bytes_after", (double) lg->resumed_bytes, 0);
  append_number (out, "stalled_first_update_ms",
                 lg->resumed_updates > 0 ? (lg->resumed_first_update_us - lg->resume_us) / 1000.0 : NAN, 1);

  /* Fresh: the stalled viewer's picture equals, pixel for pixel, a frame
   * that a viewer which never stopped saw shortly before or after the
   * resume — nothing stale left anywhere. */
  if (lg->pictures_comparable)
    {
      fresh = "false";
      for (guint i = 0; i < lg->resumed_hashes->len; i++)
        {
          HashAt *at = &g_array_index (lg->resumed_hashes, HashAt, i);
          gint64 key[2] = { (gint64) at->hash, 0 };
          gint64 *seen = g_hash_table_lookup (lg->reference_frames, key);
          if (seen != NULL && seen[1] >= lg->resume_us - 200000)
            {
              fresh = "true";
              fresh_ms = (at->time_us - lg->resume_us) / 1000.0;
              break;
            }
        }
    }
  g_string_append_printf (out, ",\"stalled_fresh_frame\":%s", fresh);
  append_number (out, "stalled_fresh_ms", fresh_ms, 1);
}

static guint
hash_first_int64 (gconstpointer key)
{
  return g_int64_hash (key);
}

static gboolean
equal_first_int64 (gconstpointer a, gconstpointer b)
{
  return *(const gint64 *) a == *(const gint64 *) b;
}

static void
print_result (Loadgen *lg)
{
  GString *out = g_string_new ("{");
  char **marks = read_marks (lg);
  gboolean first = TRUE;

  for (char **tag = lg->tags; tag != NULL && *tag != NULL; tag++)
    {
      const char *eq = strchr (*tag, '=');
      char *key, *escaped;
      if (eq == NULL)
        continue;
      key = g_strndup (*tag, (gsize) (eq - *tag));
      escaped = g_strescape (eq + 1, NULL);
      g_string_append_printf (out, "%s\"%s\":\"%s\"", first ? "" : ",", key, escaped);
      first = FALSE;
      g_free (key);
      g_free (escaped);
    }
  g_string_append_printf (out, "%s\"scenario\":\"%s\",\"encoding\":\"%s\",\"viewers\":%d",
                          first ? "" : ",", lg->stall ? "stall" : "load", lg->encoding->name, lg->n_viewers);
  g_string_append_printf (out, ",\"connected\":%d,\"failed\":%d,\"disconnects\":%d",
                          lg->ready, lg->failed, lg->disconnects);
  append_number (out, "connect_s",
                 (lg->phase_end_us[PHASE_CONNECT] - lg->phase_start_us[PHASE_CONNECT]) / 1e6, 2);

  if (lg->ready > 0)
    {
      append_rect_encodings (lg, out, PHASE_MEASURE);
      /* Marks: 1 = measure start, 2 = measure end / stall start,
       * 3 = stall end, 4 = recovery end. */
      append_phase_figures (lg, out, PHASE_MEASURE, "", marks, 1, 2);
      if (lg->stall)
        {
          append_phase_figures (lg, out, PHASE_STALL, "stall_", marks, 2, 3);
          append_phase_figures (lg, out, PHASE_RECOVER, "recover_", marks, 3, 4);
          append_stall_figures (lg, out);
        }
    }
  g_string_append (out, "}\n");
  fputs (out->str, stdout);
  fflush (stdout);
  g_string_free (out, TRUE);
  g_strfreev (marks);
}

static const FrameClock *
map_frame_clock (const char *path)
{
  int fd = open (path, O_RDONLY);
  const FrameClock *clock;

  if (fd < 0)
    {
      fprintf (stderr, "loadgen: cannot open the frame clock %s: %s\n", path, g_strerror (errno));
      return NULL;
    }
  clock = mmap (NULL, sizeof (FrameClock), PROT_READ, MAP_SHARED, fd, 0);
  close (fd);
  if (clock == MAP_FAILED || clock->magic != FRAME_CLOCK_MAGIC)
    {
      fprintf (stderr, "loadgen: %s is not a frame clock\n", path);
      return NULL;
    }
  return clock;
}

int
main (int argc, char **argv)
{
  Loadgen lg_storage = { 0 };
  Loadgen *lg = &lg_storage;
  char *encoding = NULL;
  gboolean no_copyrect = FALSE, stall_silent = FALSE;
  /* TigerVNC's and noVNC's viewers ask for level 2 unless told otherwise. */
  int compress_level = 2;
  const GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &lg->host, "Server address (default 127.0.0.1)", "ADDR" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &lg->port, "Server port", "PORT" },
    { "viewers", 'n', 0, G_OPTION_ARG_INT, &lg->n_viewers, "Viewers (default 1)", "N" },
    { "encoding", 'e', 0, G_OPTION_ARG_STRING, &encoding,
      "raw, zrle, tight, tight-jpeg, zlib, hextile or rre (default raw)", "NAME" },
    { "no-copyrect", 0, 0, G_OPTION_ARG_NONE, &no_copyrect, "Do not offer CopyRect", NULL },
    { "compress-level", 0, 0, G_OPTION_ARG_INT, &compress_level,
      "CompressLevel to ask for, 0-9, or -1 for none (default 2, as TigerVNC and noVNC)", "N" },
    { "warmup", 0, 0, G_OPTION_ARG_DOUBLE, &lg->warmup_s, "Seconds before measuring (default 2)", "S" },
    { "duration", 'd', 0, G_OPTION_ARG_DOUBLE, &lg->duration_s, "Seconds measured (default 10)", "S" },
    { "connect-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &lg->connect_timeout_s,
      "Seconds allowed for every viewer to connect (default 20)", "S" },
    { "fps", 0, 0, G_OPTION_ARG_DOUBLE, &lg->fps, "The server's frame rate, for the stalled viewer's requests (default 30)", "F" },
    { "server-pid", 0, 0, G_OPTION_ARG_INT, &lg->server_pid, "Send SIGUSR1 to this server at each phase boundary", "PID" },
    { "server-out", 0, 0, G_OPTION_ARG_FILENAME, &lg->server_out, "The server's stdout, where its marks go", "FILE" },
    { "frame-clock", 0, 0, G_OPTION_ARG_FILENAME, &lg->frame_clock_path, "The server's frame clock file", "FILE" },
    { "stall", 0, 0, G_OPTION_ARG_NONE, &lg->stall,
      "Add one viewer that stops reading after the measure phase, then resumes", NULL },
    { "stall-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &lg->stall_s, "How long it stops reading (default 10)", "S" },
    { "recover-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &lg->recover_s, "Seconds watched after it resumes (default 3)", "S" },
    { "stall-silent", 0, 0, G_OPTION_ARG_NONE, &stall_silent,
      "The stalled viewer sends nothing either (default: it keeps requesting at --fps)", NULL },
    { "tag", 't', 0, G_OPTION_ARG_STRING_ARRAY, &lg->tags, "Copy KEY=VALUE into the JSON line", "KEY=VALUE" },
    { NULL }
  };
  GOptionContext *context = g_option_context_new ("- many VNC viewers in one process");
  GError *error = NULL;

  lg->n_viewers = 1;
  lg->warmup_s = 2;
  lg->duration_s = 10;
  lg->connect_timeout_s = 20;
  lg->fps = 30;
  lg->stall_s = 10;
  lg->recover_s = 3;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  g_option_context_free (context);
  if (lg->host == NULL)
    lg->host = g_strdup ("127.0.0.1");
  {
    struct in_addr probe;
    if (inet_pton (AF_INET, lg->host, &probe) != 1)
      {
        fprintf (stderr, "--host must be an IPv4 address, not %s\n", lg->host);
        return 2;
      }
  }
  if (lg->port <= 0 || lg->port > 65535)
    {
      fprintf (stderr, "--port must be 1 to 65535\n");
      return 2;
    }
  if (lg->n_viewers < 1 || lg->n_viewers > 10000)
    {
      fprintf (stderr, "--viewers must be 1 to 10000\n");
      return 2;
    }
  if (!(lg->fps > 0) || lg->duration_s <= 0 || lg->warmup_s < 0 || lg->stall_s <= 0 || lg->recover_s <= 0)
    {
      fprintf (stderr, "--fps, --duration, --stall-seconds and --recover-seconds must be positive\n");
      return 2;
    }
  lg->encoding = &encoding_choices[0];
  if (encoding != NULL)
    {
      lg->encoding = NULL;
      for (guint i = 0; i < G_N_ELEMENTS (encoding_choices); i++)
        if (strcmp (encoding, encoding_choices[i].name) == 0)
          lg->encoding = &encoding_choices[i];
      if (lg->encoding == NULL)
        {
          fprintf (stderr, "unknown --encoding %s\n", encoding);
          return 2;
        }
    }
  lg->copyrect = !no_copyrect;
  lg->compress_level = CLAMP (compress_level, -1, 9);
  lg->stall_requests = !stall_silent;
  signal (SIGPIPE, SIG_IGN);

  {
    struct rlimit limit;
    if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < (rlim_t) lg->n_viewers + 64)
      {
        limit.rlim_cur = MIN (limit.rlim_max, (rlim_t) lg->n_viewers + 64);
        setrlimit (RLIMIT_NOFILE, &limit);
      }
  }

  if (lg->frame_clock_path != NULL)
    lg->config.frame_clock = map_frame_clock (lg->frame_clock_path);

  lg->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  lg->config.epoll_fd = lg->epoll_fd;
  lg->config.address.sin_family = AF_INET;
  lg->config.address.sin_port = htons ((guint16) lg->port);
  inet_pton (AF_INET, lg->host, &lg->config.address.sin_addr);
  for (int i = 0; i < lg->encoding->n_encodings; i++)
    lg->encodings[lg->config.n_encodings++] = lg->encoding->encodings[i];
  if (lg->copyrect)
    lg->encodings[lg->config.n_encodings++] = RFB_ENC_COPYRECT;
  if (lg->compress_level >= 0)
    lg->encodings[lg->config.n_encodings++] = RFB_ENC_COMPRESS_LEVEL_0 + lg->compress_level;
  lg->encodings[lg->config.n_encodings++] = RFB_ENC_LAST_RECT;
  lg->encodings[lg->config.n_encodings++] = RFB_ENC_DESKTOP_SIZE;
  lg->config.encodings = lg->encodings;
  lg->config.callbacks.ready = on_viewer_ready;
  lg->config.callbacks.update_done = on_update_done;
  lg->config.callbacks.closed = on_viewer_closed;
  lg->config.data = lg;

  lg->n_total = lg->n_viewers + (lg->stall ? 1 : 0);
  lg->viewers = g_new0 (Viewer *, lg->n_total);
  lg->stats = g_malloc0_n ((gsize) lg->n_total, sizeof *lg->stats);
  /* The stall check decodes Raw on the stalled viewer and on one that
   * never stops, and compares their pictures. */
  lg->pictures_comparable = lg->stall && lg->encoding->encodings[0] == RFB_ENC_RAW;
  for (int i = 0; i < lg->n_total; i++)
    lg->viewers[i] = viewer_new (i, &lg->config,
                                 lg->pictures_comparable && (i == 0 || i == lg->n_total - 1));
  for (int p = 0; p < N_PHASES; p++)
    {
      lg->lat_ms[p] = g_array_new (FALSE, FALSE, sizeof (double));
      lg->frame_lat_ms[p] = g_array_new (FALSE, FALSE, sizeof (double));
    }
  lg->reference_frames = g_hash_table_new_full (hash_first_int64, equal_first_int64, g_free, NULL);
  lg->resumed_hashes = g_array_new (FALSE, FALSE, sizeof (HashAt));

  run (lg);
  print_result (lg);

  for (int i = 0; i < lg->n_total; i++)
    viewer_free (lg->viewers[i]);
  g_free (lg->viewers);
  g_free (lg->stats);
  return lg->ready > 0 ? 0 : 1;
}

