/* demo-common.c — options, running until Ctrl-C, and serving the scene,
 * for the demos. Everything here runs on the demo's main thread, except the
 * stop watch of demo_watch_for_stop(), which has a thread of its own, and
 * the server's copying of pixels out of the scene's surface.
 */
#include "demo-common.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static DemoOptions parsed = {
  .port = 5902,
};

static const GOptionEntry common_entries[] = {
  { "port", 'p', 0, G_OPTION_ARG_INT, &parsed.port,
    "TCP port to listen on; display :N is port 5900+N (default 5902)", "N" },
  { "host", 0, 0, G_OPTION_ARG_STRING, &parsed.host,
    "Address or host name to listen on (default: every address)", "H" },
  { "verbose", 'v', 0, G_OPTION_ARG_NONE, &parsed.verbose,
    "Log what each viewer asks for and is sent", NULL },
  { "seconds", 0, 0, G_OPTION_ARG_INT, &parsed.seconds,
    "Stop after N seconds (default 0: run until Ctrl-C)", "N" },
  { NULL }
};

const DemoOptions *
demo_options_parse (const char *summary, const GOptionEntry *extra_entries, int *argc, char ***argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;

  /* Typed characters and GLib's messages print in the user's charset. */
  setlocale (LC_ALL, "");
  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, common_entries, NULL);
  if (extra_entries != NULL)
    g_option_context_add_main_entries (context, extra_entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("%s\n", error->message);
      exit (1);
    }
  if (*argc > 1)
    {
      g_printerr ("Unexpected argument: %s\n", (*argv)[1]);
      exit (1);
    }
  if (parsed.port < 0 || parsed.port > 65535)
    {
      g_printerr ("--port must be between 0 and 65535, not %d\n", parsed.port);
      exit (1);
    }
  if (parsed.seconds < 0)
    {
      g_printerr ("--seconds must not be negative\n");
      exit (1);
    }
  /* Events should show up at once, also when piped. */
  setvbuf (stdout, NULL, _IOLBF, 0);
  return &parsed;
}

void
demo_options_apply (const DemoOptions *options, CairoVncServer *server)
{
  cairovnc_server_set_host (server, options->host);
  cairovnc_server_set_port (server, (guint) options->port);
  if (options->verbose)
    cairovnc_server_set_verbose (server, TRUE);
}

/* The host part of an address viewers connect to. */
static char *
shown_host (const DemoOptions *options)
{
  g_autoptr (GInetAddress) address = NULL;

  if (options->host != NULL)
    address = g_inet_address_new_from_string (options->host);
  if (options->host == NULL || (address != NULL && g_inet_address_get_is_any (address)))
    return g_strdup ("localhost");
  if (address != NULL && g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("[%s]", options->host);
  return g_strdup (options->host);
}

void
demo_print_browser_address (CairoVncServer *server, const DemoOptions *options)
{
  g_autofree char *host = shown_host (options);

  g_print ("Browsers: open http://%s:%u/ (noVNC, from Debian's novnc package; "
           "WebSocket viewers connect to ws://%s:%u/ without it)\n",
           host, cairovnc_server_get_http_port (server), host, cairovnc_server_get_http_port (server));
}

void
demo_print_address (CairoVncServer *server, const DemoOptions *options)
{
  g_autofree char *host = shown_host (options);
  guint port = cairovnc_server_get_port (server);

  if (port >= 5900)
    g_print ("Serving on port %u: xtigervncviewer %s:%u or gvncviewer %s:%u\n",
             port, host, port - 5900, host, port - 5900);
  else
    /* Below display :0 only the host::port form names the port. */
    g_print ("Serving on port %u: xtigervncviewer %s::%u\n", port, host, port);
}

/* The sources stay until the loop has ended, so a second Ctrl-C is
 * harmless. */
static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

static void
run_until_stopped (const DemoOptions *options, GMainContext *context)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (context, FALSE);
  GSource *sources[3] = {
    g_unix_signal_source_new (SIGINT),
    g_unix_signal_source_new (SIGTERM),
    options->seconds > 0 ? g_timeout_source_new_seconds ((guint) options->seconds) : NULL,
  };

  for (guint i = 0; i < G_N_ELEMENTS (sources) && sources[i] != NULL; i++)
    {
      g_source_set_callback (sources[i], quit_loop, loop, NULL);
      g_source_attach (sources[i], context);
    }
  g_main_loop_run (loop);
  for (guint i = 0; i < G_N_ELEMENTS (sources) && sources[i] != NULL; i++)
    {
      g_source_destroy (sources[i]);
      g_source_unref (sources[i]);
    }
}

void
demo_run (const DemoOptions *options)
{
  run_until_stopped (options, NULL);
}

typedef struct {
  const DemoOptions *options;
  CairoVncServer *server;
} StopWatch;

static gpointer
watch_for_stop (gpointer data)
{
  StopWatch *watch = data;
  g_autoptr (GMainContext) context = g_main_context_new ();

  g_main_context_push_thread_default (context);
  run_until_stopped (watch->options, context);
  g_main_context_pop_thread_default (context);

  /* The main thread waits on nothing but the event queue. */
  g_async_queue_push (cairovnc_server_get_event_queue (watch->server), g_new0 (CairoVncEvent, 1));
  g_object_unref (watch->server);
  g_free (watch);
  return NULL;
}

GThread *
demo_watch_for_stop (const DemoOptions *options, CairoVncServer *server)
{
  StopWatch *watch = g_new0 (StopWatch, 1);

  watch->options = options;
  watch->server = g_object_ref (server);
  return g_thread_new ("stop watch", watch_for_stop, watch);
}

/* Latin-1 keysyms are their own code points, and Unicode keysyms are
 * 0x01000000 plus theirs (X11 keysymdef.h); 0 for any other keysym. */
static gunichar
keysym_to_unichar (guint32 keysym)
{
  if ((keysym >= 0x20 && keysym <= 0x7e) || (keysym >= 0xa0 && keysym <= 0xff))
    return keysym;
  if (keysym >= 0x01000100 && keysym <= 0x0110ffff)
    return keysym - 0x01000000;
  return 0;
}

/* Prints one event on a line of its own. */
static void
print_event (const CairoVncEvent *event)
{
  switch (event->type)
    {
    case CAIROVNC_EVENT_KEY:
      {
        gunichar c = keysym_to_unichar (event->keysym);
        char utf8[7] = { 0 };

        if (c != 0 && g_unichar_isprint (c))
          g_unichar_to_utf8 (c, utf8);
        g_print ("viewer %u: key 0x%04x%s%s%s %s\n", event->client_id, event->keysym,
                 *utf8 ? " '" : "", utf8, *utf8 ? "'" : "", event->down ? "down" : "up");
      }
      break;
    case CAIROVNC_EVENT_MOVE:
      g_print ("viewer %u: move to %d,%d, buttons 0x%x\n", event->client_id, event->x, event->y,
               event->buttons);
      break;
    case CAIROVNC_EVENT_CLICK:
      g_print ("viewer %u: button %u %s at %d,%d\n", event->client_id, event->button,
               event->down ? "down" : "up", event->x, event->y);
      break;
    case CAIROVNC_EVENT_SCROLL:
      g_print ("viewer %u: scroll %+d,%+d at %d,%d\n", event->client_id, event->dx, event->dy,
               event->x, event->y);
      break;
    case CAIROVNC_EVENT_CLIPBOARD:
      g_print ("viewer %u: clipboard \"%s\"\n", event->client_id, event->text ? event->text : "");
      break;
    }
}

/* The animated scene; see DemoSceneSetup. */
typedef struct {
  guint seq;                 /* frame number; 20 frames make one swing */
  gboolean follow_pointer;   /* control point 2 at the pointer, not fixed */
  int pointer_x;             /* in surface pixels */
  int pointer_y;
  guint colours[3];          /* of the squares, as indexes into the palette */
} Scene;

static const double palette[][3] = {
  { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 }, { 1, 1, 0 }, { 0, 1, 1 }, { 1, 0, 1 },
};

/* Red, green and blue squares; control point 2 fixed. */
static void
init_scene (Scene *scene)
{
  *scene = (Scene) { .colours = { 0, 1, 2 } };
}

static void
draw_scene (const Scene *scene, cairo_surface_t *surface)
{
  static const double square_x[] = { 0.1, 0.3, 0.5 };
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  /* One swing of control point 1 (and of the red square) every 20 frames. */
  double d = cos (scene->seq * G_PI / 10);
  double x1 = 0.4, y1 = 0.5 + 0.4 * d;
  double x2 = 0.6, y2 = 0.1;
  cairo_t *cr = cairo_create (surface);

  if (scene->follow_pointer)
    {
      x2 = (double) scene->pointer_x / width;
      y2 = (double) scene->pointer_y / height;
    }

  cairo_rectangle (cr, 0, 0, width, height);
  cairo_set_source_rgb (cr, 0.5, 0.5, 0.5);
  cairo_fill (cr);

  /* As in the Python examples, line widths stretch with the surface. */
  cairo_scale (cr, width, height);

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_set_line_width (cr, 0.04);
  cairo_move_to (cr, 0.1, 0.5);
  cairo_curve_to (cr, x1, y1, x2, y2, 0.9, 0.5);
  cairo_stroke (cr);

  cairo_set_source_rgba (cr, 1, 0.2, 0.2, 0.6);
  cairo_set_line_width (cr, 0.02);
  cairo_move_to (cr, 0.1, 0.5);
  cairo_line_to (cr, x1, y1);
  cairo_move_to (cr, x2, y2);
  cairo_line_to (cr, 0.9, 0.5);
  cairo_stroke (cr);

  for (guint i = 0; i < G_N_ELEMENTS (square_x); i++)
    {
      const double *rgb = palette[scene->colours[i]];

      cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
      /* The first square bounces, half out of the top edge at times. */
      cairo_rectangle (cr, square_x[i], i == 0 ? 0.05 * d : 0, 0.1, 0.1);
      cairo_fill (cr);
    }
  cairo_destroy (cr);
}

/* See DEMO_EVENTS_STEER. */
static void
steer_scene (Scene *scene, const CairoVncEvent *event)
{
  switch (event->type)
    {
    case CAIROVNC_EVENT_MOVE:
      scene->pointer_x = event->x;
      scene->pointer_y = event->y;
      break;
    case CAIROVNC_EVENT_CLICK:
      if (event->down && event->button < G_N_ELEMENTS (scene->colours))
        {
          guint *colour = &scene->colours[event->button];
          *colour = (*colour + 1) % G_N_ELEMENTS (palette);
        }
      break;
    case CAIROVNC_EVENT_KEY:
      print_event (event);
      break;
    default:
      break;
    }
}

/* When frame @seq is due for the other width (see DemoSceneSetup.resizes),
 * replaces *surface with a new, blank one and returns TRUE. */
static gboolean
resize_if_due (cairo_surface_t **surface, guint seq)
{
  int width = DEMO_SIZE + (seq / 20 % 2 ? 20 : 0);
  int height = cairo_image_surface_get_height (*surface);

  if (width == cairo_image_surface_get_width (*surface))
    return FALSE;
  cairo_surface_destroy (*surface);
  *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  return TRUE;
}

const DemoSceneSetup demo_input_setup = {
  .resizes = TRUE,
  .events = DEMO_EVENTS_STEER,
  .accept_input = TRUE,
  .hint = "Move the pointer to bend the curve, click to recolour the squares, type to see keys",
};

typedef struct {
  const DemoSceneSetup *setup;
  CairoVncServer *server;
  cairo_surface_t *surface;
  GMutex lock;
  GMutex *surface_lock;      /* &lock, or NULL when drawn without one */
  Scene scene;
  gint64 start_us;           /* when the frames started */
} SceneDemo;

static void
take_events (SceneDemo *demo)
{
  CairoVncEvent *event;

  while ((event = cairovnc_server_pop_event (demo->server, 0)) != NULL)
    {
      if (demo->setup->events == DEMO_EVENTS_STEER)
        steer_scene (&demo->scene, event);
      else
        print_event (event);
      cairovnc_event_free (event);
    }
}

static gboolean
draw_next_frame (gpointer data)
{
  SceneDemo *demo = data;
  gboolean resized = FALSE;

  if (demo->setup->events != DEMO_EVENTS_NONE)
    take_events (demo);

  /* With a lock, the server never sees a frame half drawn, nor a new
   * surface before its first frame. */
  if (demo->surface_lock != NULL)
    g_mutex_lock (demo->surface_lock);
  demo->scene.seq++;
  if (demo->setup->resizes)
    resized = resize_if_due (&demo->surface, demo->scene.seq);
  draw_scene (&demo->scene, demo->surface);
  /* Handed over once drawn: with no lock, the server may copy it at once. */
  if (resized)
    cairovnc_server_set_surface (demo->server, demo->surface, demo->surface_lock);
  if (demo->surface_lock != NULL)
    g_mutex_unlock (demo->surface_lock);
  cairovnc_server_frame_ready (demo->server);

  if (demo->setup->after_frame != NULL)
    demo->setup->after_frame (demo->server, g_get_monotonic_time () - demo->start_us);
  return G_SOURCE_CONTINUE;
}

int
demo_serve_scene (const DemoOptions *options, const DemoSceneSetup *setup)
{
  g_autoptr (GError) error = NULL;
  SceneDemo demo = { .setup = setup };
  double fps = setup->fps > 0 ? setup->fps : 1000.0 / DEMO_FRAME_MS;
  guint timer;

  g_mutex_init (&demo.lock);
  demo.surface_lock = setup->without_lock ? NULL : &demo.lock;
  demo.surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32,
                                             setup->width > 0 ? setup->width : DEMO_SIZE,
                                             setup->height > 0 ? setup->height : DEMO_SIZE);
  init_scene (&demo.scene);
  if (setup->events == DEMO_EVENTS_STEER)
    {
      demo.scene.follow_pointer = TRUE;
      demo.scene.pointer_x = DEMO_SIZE / 2;
      demo.scene.pointer_y = DEMO_SIZE / 2;
    }
  /* The first frame is there before any viewer can look. */
  draw_scene (&demo.scene, demo.surface);

  demo.server = cairovnc_server_new (demo.surface, demo.surface_lock);
  demo_options_apply (options, demo.server);
  if (setup->password != NULL)
    cairovnc_server_set_password (demo.server, setup->password);
  if (setup->password_readonly != NULL)
    cairovnc_server_set_password_readonly (demo.server, setup->password_readonly);
  if (setup->accept_input)
    cairovnc_server_set_read_only (demo.server, FALSE);
  if (setup->verbose)
    cairovnc_server_set_verbose (demo.server, TRUE);
  if (setup->push_frames)
    cairovnc_server_set_push_frames (demo.server, TRUE);
  if (setup->http_port != 0)
    cairovnc_server_set_http_port (demo.server, setup->http_port);
  /* The server sends at most 20 frames a second unless told otherwise. */
  if (fps > 20)
    cairovnc_server_set_max_framerate (demo.server, fps);
  if (!cairovnc_server_start_thread (demo.server, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  demo_print_address (demo.server, options);
  if (setup->http_port != 0)
    demo_print_browser_address (demo.server, options);
  if (setup->hint != NULL)
    g_print ("%s\n", setup->hint);

  demo.start_us = g_get_monotonic_time ();
  timer = g_timeout_add ((guint) (1000 / fps), draw_next_frame, &demo);
  demo_run (options);
  g_source_remove (timer);

  cairovnc_server_stop (demo.server);
  g_object_unref (demo.server);
  cairo_surface_destroy (demo.surface);
  g_mutex_clear (&demo.lock);
  return 0;
}
