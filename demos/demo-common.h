/* demo-common.h — what the demos share: command-line options, running
 * until Ctrl-C, and the scene of the Python CairoVNC examples.
 */
#pragma once

#include <cairovnc/cairovnc.h>

/* The Python examples draw one frame every 0.1 s and start at 200×200. */
#define DEMO_FRAME_MS 100
#define DEMO_SIZE 200

typedef struct {
  int port;
  char *host;
  gboolean verbose;
  int seconds;
} DemoOptions;

/* Parses --port, --host, --verbose and --seconds, plus @extra_entries
 * (may be NULL); prints the error and exits with status 1 on bad input. */
const DemoOptions *demo_options_parse (const char         *summary,
                                       const GOptionEntry *extra_entries,
                                       int                *argc,
                                       char             ***argv);
/* Gives @server the host, port and verbosity from the options. */
void demo_options_apply (const DemoOptions *options, CairoVncServer *server);

/* Prints where viewers connect to the running @server. */
void demo_print_address (CairoVncServer *server, const DemoOptions *options);

/* Runs the default main context until SIGINT, SIGTERM or the end of
 * --seconds. */
void demo_run (const DemoOptions *options);

/* For demos whose main thread blocks in cairovnc_server_pop_event():
 * watches for SIGINT, SIGTERM and the end of --seconds on a thread of its
 * own, then wakes the main thread with an event of type DEMO_EVENT_STOP.
 * Join the returned thread once that event arrives. */
#define DEMO_EVENT_STOP 0
GThread *demo_watch_for_stop (const DemoOptions *options, CairoVncServer *server);

/* Prints one event on a line of its own. */
void demo_print_event (const CairoVncEvent *event);

/* The animated scene: a white bezier with its control lines and three
 * squares on grey, in a unit square stretched over the surface. */
typedef struct {
  guint seq;                 /* frame number; 20 frames make one swing */
  gboolean follow_pointer;   /* control point 2 at the pointer, not fixed */
  int pointer_x;             /* in surface pixels */
  int pointer_y;
  guint colours[3];          /* of the squares, as indexes into the palette */
} DemoScene;

/* Red, green and blue squares; control point 2 fixed. */
void demo_scene_init (DemoScene *scene);
void demo_scene_draw (const DemoScene *scene, cairo_surface_t *surface);
/* As the Python input example: a move places control point 2, a press of
 * button 0, 1 or 2 gives that square the next colour, a key is printed. */
void demo_scene_handle_event (DemoScene *scene, const CairoVncEvent *event);

/* The resizing demos are 200 pixels wide, 220 during every other two
 * seconds. When frame @seq is due for the other width, replaces *surface
 * with a new, blank one and returns TRUE. */
gboolean demo_resize_if_due (cairo_surface_t **surface, guint seq);
