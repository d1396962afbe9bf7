/* demo-common.h — what the demos share: command-line options, running
 * until Ctrl-C, and serving the scene of the Python CairoVNC examples.
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

/* Prints where browsers open the running @server's viewer page. */
void demo_print_browser_address (CairoVncServer *server, const DemoOptions *options);

/* Runs the default main context until SIGINT, SIGTERM or the end of
 * --seconds. */
void demo_run (const DemoOptions *options);

/* For demos whose main thread blocks in cairovnc_server_pop_event():
 * watches for SIGINT, SIGTERM and the end of --seconds on a thread of its
 * own, then wakes the main thread with an event of type DEMO_EVENT_STOP.
 * Join the returned thread once that event arrives. */
#define DEMO_EVENT_STOP 0
GThread *demo_watch_for_stop (const DemoOptions *options, CairoVncServer *server);

/* What a scene demo does with the events that came in since the last
 * frame; it takes them before it draws the next. */
typedef enum {
  DEMO_EVENTS_NONE,   /* the server is read-only, so none come */
  DEMO_EVENTS_STEER,  /* as the Python input example: a move places control
                       * point 2, a press of button 0, 1 or 2 gives that
                       * square the next colour, a key is printed */
  DEMO_EVENTS_PRINT,  /* each is printed; the scene goes on by itself */
} DemoEventUse;

/* How one demo serves the scene: a white bezier with its control lines and
 * three squares on grey, in a unit square stretched over the surface, one
 * swing every 20 frames. Fields left zero keep the server's defaults, a
 * DEMO_SIZE square surface under a lock and a frame every DEMO_FRAME_MS. */
typedef struct {
  int width;                      /* of the surface, in pixels */
  int height;
  double fps;                     /* frames drawn a second */
  gboolean without_lock;          /* so the server may copy half a frame */
  gboolean resizes;               /* 200 pixels wide, 220 during every
                                   * other two seconds, each time a new
                                   * surface handed to the server */
  DemoEventUse events;
  const char *password;
  const char *password_readonly;
  gboolean accept_input;          /* turns read-only off, which only both
                                   * passwords together do by themselves */
  gboolean verbose;               /* whether or not --verbose is given */
  gboolean push_frames;
  guint http_port;                /* for browsers (see CairoVncServer:http-port);
                                   * 0 for none */
  const char *hint;               /* printed below the address */
  /* Called after each frame with the time since the frames started. */
  void (*after_frame) (CairoVncServer *server, gint64 running_us);
} DemoSceneSetup;

/* Serves the scene as @setup says until demo_run() returns; returns the
 * exit status. */
int demo_serve_scene (const DemoOptions *options, const DemoSceneSetup *setup);

/* The input demo's setup: viewers steer the scene, and the width changes
 * every two seconds. The verbose demo serves the same with logging on. */
extern const DemoSceneSetup demo_input_setup;
