/* benchserver.h — what the two benchmark servers share.
 *
 * Command line, frame pacing, the frame clock, CPU and memory figures, lock
 * timings and the JSON lines on stdout. A server program:
 *
 *   bench_server_block_signals ();          first, before any thread exists
 *   bench = bench_server_new ("name", &options);
 *   ... listen ...
 *   bench_server_listening (bench, port);   prints {"event":"listening",...}
 *   while (bench_server_next_frame (bench, &n))
 *     { bench_server_draw (...); hand the frame to the VNC server;
 *       bench_server_frame_done (bench); }
 *   bench_server_print_exit (bench);        prints {"event":"exit",...}
 *
 * SIGUSR1 prints a {"event":"mark",...} line at once (the load generator
 * sends it at the start and end of its measuring window); SIGTERM, SIGINT
 * or --seconds end the frame loop.
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "scene.h"

G_BEGIN_DECLS

typedef struct {
  SceneKind scene;
  int width;
  int height;
  double fps;
  int port;              /* 0: pick a free one */
  double seconds;        /* stop after this long; 0: when signalled */
  char *frame_clock;     /* file to publish frame times in, or NULL */
  gboolean verbose;
} BenchServerOptions;

typedef struct BenchServer BenchServer;

/* Parses the common options plus @extra (may be NULL); prints the error and
 * exits with status 2 on a bad command line. */
void bench_server_parse_options (int *argc, char ***argv, const char *summary,
                                 const GOptionEntry *extra, BenchServerOptions *options);

void bench_server_block_signals (void);

BenchServer *bench_server_new (const char *name, const BenchServerOptions *options);

/* A free TCP port on 127.0.0.1 (bound, read, closed: it may be taken again
 * before the caller binds it). 0 on failure. */
int bench_pick_free_port (void);

/* Times a plain memcpy of @surface's pixels, as the reference for the lock
 * hold time; call before serving. */
void bench_server_measure_memcpy (BenchServer *bench, cairo_surface_t *surface);

void bench_server_listening (BenchServer *bench, int port);

/* Waits until frame *n is due and returns TRUE, or returns FALSE when the
 * server should stop. Frames that fell more than one period behind are
 * skipped (counted), never drawn late in a burst. */
gboolean bench_server_next_frame (BenchServer *bench, guint64 *n);
/* scene_draw(), with its CPU time counted apart ("draw_cpu_ms"), so that
 * the server's own CPU per update leaves the drawing out. */
guint bench_server_draw (BenchServer *bench, Scene *scene, cairo_surface_t *surface, guint64 n,
                         cairo_rectangle_int_t *rects);
void bench_server_frame_done (BenchServer *bench);
/* When the next frame is due, in g_get_monotonic_time() microseconds. */
gint64 bench_server_next_due (BenchServer *bench);

/* Lock timings, from any thread. "hold": how long the VNC server held the
 * program's surface lock; "wait": how long the drawing thread waited for
 * it. Servers without a lock never call these, and their lines say null. */
void bench_server_record_lock_hold (BenchServer *bench, gint64 ns);
void bench_server_record_lock_wait (BenchServer *bench, gint64 ns);

/* Adds "key":value pairs of the server's own to the exit line. */
void bench_server_set_exit_extra (BenchServer *bench, const char *json_pairs);
void bench_server_print_exit (BenchServer *bench);

G_END_DECLS
