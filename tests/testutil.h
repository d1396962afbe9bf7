/* testutil.h — shared pieces of the integration tests.
 *
 * A TestServer is a CairoVncServer on 127.0.0.1, on a free port, serving
 * on its own thread. A TestViewer is libvncclient (LibVNCServer's client
 * library, an independent implementation of RFB) connected to it, with a
 * chosen pixel format. Raw sockets are there for tests that must send
 * bytes no real viewer would.
 */
#pragma once

#include <cairovnc/cairovnc.h>
#include <check.h>
#include <gio/gio.h>
#include <rfb/rfbclient.h>

/* rfbproto.h defines TRUE as -1; GLib's boolean properties want 1. */
#undef TRUE
#define TRUE (!FALSE)

G_BEGIN_DECLS

/* Deadline for anything a test waits for. */
#define TEST_TIMEOUT_US (10 * G_USEC_PER_SEC)

/* Makes g_warning/g_critical fatal (so they fail the test), unless a test
 * says it expects one containing @substring. */
void testutil_init (void);
void testutil_expect_warning (const char *substring);
gboolean testutil_warning_seen (void);

/* A deterministic picture: gradient, shapes, text-like stripes and a patch
 * of noise, different for each @seed. */
cairo_surface_t *testutil_scene_new (cairo_format_t format, int width, int height, guint seed);
void testutil_scene_draw (cairo_surface_t *surface, guint seed);

typedef struct {
  CairoVncServer *server;
  cairo_surface_t *surface;
  GMutex lock;
  guint port;
} TestServer;

/* Not started: set properties, then test_server_start(). */
TestServer *test_server_new (cairo_surface_t *surface);
void test_server_start (TestServer *ts);
void test_server_free (TestServer *ts);
/* Draws @seed's scene under the lock and says frame_ready. */
void test_server_redraw (TestServer *ts, guint seed);
/* Waits for an event (NULL after @timeout_us). */
CairoVncEvent *test_server_pop_event (TestServer *ts, gint64 timeout_us);

typedef struct {
  int bits_per_pixel;      /* 32, 16 or 8 */
  gboolean big_endian;
  int red_max, green_max, blue_max;
  int red_shift, green_shift, blue_shift;
} TestPixelFormat;

extern const TestPixelFormat test_format_rgb888;   /* 32 bpp, red at 16 */
extern const TestPixelFormat test_format_bgr888_be; /* 32 bpp big-endian, red at 0 */
extern const TestPixelFormat test_format_rgb565;   /* 16 bpp little-endian */
extern const TestPixelFormat test_format_rgb555_be; /* 16 bpp big-endian */
extern const TestPixelFormat test_format_bgr233;   /* 8 bpp */
extern const TestPixelFormat test_format_rgb332;   /* 8 bpp, red at 5 */

typedef struct {
  rfbClient *client;
  TestPixelFormat format;
  guint updates;            /* FramebufferUpdates completed */
  guint resizes;            /* framebuffer (re)allocations after the first */
  char *password;
  char *desktop_name;       /* as last told */
  gboolean connected;
} TestViewer;

/* Connects libvncclient with @format (NULL: 32 bpp) and @encodings
 * (NULL: "raw"); @password may be NULL. Returns NULL when the server
 * refused it. */
TestViewer *test_viewer_connect (guint port, const TestPixelFormat *format,
                                 const char *encodings, const char *password);
void test_viewer_free (TestViewer *viewer);

/* Handles server messages until @updates updates have arrived in all,
 * or the timeout passes. Returns FALSE on timeout or disconnect. */
gboolean test_viewer_wait_updates (TestViewer *viewer, guint updates, gint64 timeout_us);
/* Handles messages for a while (no update needed). FALSE if the
 * connection failed. */
gboolean test_viewer_pump (TestViewer *viewer, gint64 duration_us);
/* Handles messages until the framebuffer equals the surface, or the
 * timeout passes. */
gboolean test_viewer_wait_match (TestViewer *viewer, TestServer *ts, gint64 timeout_us);

/* The viewer's pixel at (x, y), as 0xRRGGBB scaled to 8 bits per channel
 * from the viewer's own format. */
guint32 test_viewer_get_rgb (TestViewer *viewer, int x, int y);

/* Compares the viewer's framebuffer with @surface reduced to the viewer's
 * format (each channel c to round(c * max / 255)); ARGB32 surfaces are
 * compared as composited over black. Returns the number of differing
 * pixels; the first one goes to @bad_x, @bad_y when not NULL. */
guint test_viewer_compare (TestViewer *viewer, cairo_surface_t *surface, GMutex *lock,
                           int *bad_x, int *bad_y);

/* Raw sockets. */
GSocket *test_raw_connect (guint port);
gboolean test_raw_send (GSocket *socket, const void *data, gsize len);
/* Reads exactly @len bytes; FALSE on timeout or close. */
gboolean test_raw_recv (GSocket *socket, void *data, gsize len, gint64 timeout_us);
/* TRUE when the server closes the connection within the timeout. */
gboolean test_raw_wait_closed (GSocket *socket, gint64 timeout_us);
/* Version 3.8, security None, ClientInit; reads ServerInit. Returns
 * FALSE if any step fails. */
gboolean test_raw_handshake (GSocket *socket, int *width, int *height);

G_END_DECLS
