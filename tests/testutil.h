/* testutil.h — shared pieces of the integration tests.
 *
 * A TestServer is a CairoVncServer on 127.0.0.1, on a free port, serving
 * on its own thread. A TestViewer is libvncclient (LibVNCServer's client
 * library, an independent implementation of RFB) connected to it, with a
 * chosen pixel format. Raw sockets, and the raw viewers built on them,
 * are there for tests that must send bytes no real viewer would or see
 * each rectangle the server sends.
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
/* testutil_init(), then runs @suite with its summary line printed;
 * returns the exit status. */
int testutil_run (Suite *suite);
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
  guint http_port;             /* with test_server_start_with_http() */
} TestServer;

/* Not started: set properties, then test_server_start(). */
TestServer *test_server_new (cairo_surface_t *surface);
void test_server_start (TestServer *ts);
/* Starts with an http-port too: a port found free on 127.0.0.1 (0 turns
 * it off), tried again should another program take it first. */
void test_server_start_with_http (TestServer *ts);
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
  char *username;           /* for Apple Remote Desktop and VeNCrypt Plain */
  char *ca_file;            /* what VeNCrypt's X509 sub-types verify against */
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

/* What a viewer knows and may use to connect securely. */
typedef struct {
  const char *username;
  const char *password;
  const char *ca_file;             /* PEM file of the CA that X509 sub-types trust */
  const guint32 *auth_schemes;     /* the only security types it may pick, or NULL */
  guint n_auth_schemes;
  const char *encodings;           /* NULL: "raw" */
} TestViewerSecurity;

/* Connects libvncclient (32 bpp) with the credentials of @security,
 * which it gives through its GetCredential callback: Apple Remote
 * Desktop and VeNCrypt (its TLS comes from GnuTLS). NULL when refused. */
TestViewer *test_viewer_connect_secure (guint port, const TestViewerSecurity *security);

/* Like test_viewer_connect() with no password, with libvncclient's JPEG
 * quality (0 to 9, or -1 for none) and zlib compression level set: left
 * alone, it asks for JPEG. */
TestViewer *test_viewer_connect_tight (guint port, const TestPixelFormat *format,
                                       const char *encodings, int quality, int compress);

/* The viewer's pixel at (x, y), as 0xRRGGBB scaled to 8 bits per channel
 * from the viewer's own format. */
guint32 test_viewer_get_rgb (TestViewer *viewer, int x, int y);

/* Compares the viewer's framebuffer with @surface reduced to the viewer's
 * format (each channel c to round(c * max / 255)); ARGB32 surfaces are
 * compared as composited over black. Returns the number of differing
 * pixels; the first one goes to @bad_x, @bad_y when not NULL. */
guint test_viewer_compare (TestViewer *viewer, cairo_surface_t *surface, GMutex *lock,
                           int *bad_x, int *bad_y);
/* test_viewer_wait_match() with TEST_TIMEOUT_US, failing the test with
 * @what, the number of differing pixels and the first of them. */
void test_viewer_assert_match (TestViewer *viewer, TestServer *ts, const char *what);

/* Raw sockets. */
GSocket *test_raw_connect (guint port);
gboolean test_raw_send (GSocket *socket, const void *data, gsize len);
/* Reads exactly @len bytes; FALSE on timeout or close. */
gboolean test_raw_recv (GSocket *socket, void *data, gsize len, gint64 timeout_us);
/* Reads a U32; fails the test, naming @what, when none comes. */
guint32 test_raw_recv_u32 (GSocket *socket, const char *what);
/* TRUE when the server closes the connection within the timeout. */
gboolean test_raw_wait_closed (GSocket *socket, gint64 timeout_us);
/* The same, appending what came before the close to @rest. */
gboolean test_raw_read_until_closed (GSocket *socket, GByteArray *rest, gint64 timeout_us);
/* Version 3.8, security None, ClientInit; reads ServerInit. Returns
 * FALSE if any step fails. */
gboolean test_raw_handshake (GSocket *socket, int *width, int *height);

/* Reads the VNC Authentication challenge and answers it as if the
 * password were @password. */
void test_raw_answer_challenge (GSocket *socket, const char *password);

/* Sends @len bytes of @msg @n times over, from byte @offset of the whole,
 * without blocking; while @reading, also reads what comes back, until
 * @expected bytes have come (fewer fail the test). Without @reading,
 * sends until the server takes no more for a moment, or the connection
 * fails, and returns how many bytes went. */
gsize test_raw_flood (GSocket *socket, const guint8 *msg, gsize len, guint n, gsize offset, gboolean reading,
                      gsize expected);

/* Sends @bytes one every 300 ms, reading and dropping what comes, until
 * the server closes the connection; returns how long that took, and in
 * @sent how many bytes went. Fails the test when it is not closed within
 * TEST_TIMEOUT_US. */
gint64 test_raw_slowloris (GSocket *socket, const char *bytes, gsize len, gsize *sent);

/* RFB numbers are big-endian (rfbproto.rst "Protocol Messages"). */
void test_put_u16 (guint8 *p, guint v);
void test_put_u32 (guint8 *p, guint32 v);
guint16 test_get_u16 (const guint8 *p);
guint32 test_get_u32 (const guint8 *p);

/* Client messages built in place, for tests that send them their own way:
 * in floods, without blocking, amid hostile bytes. The pixel format is
 * little-endian. */
void test_build_update_request (guint8 msg[10], gboolean incremental, int x, int y, int width, int height);
void test_build_set_pixel_format (guint8 msg[20], int bits_per_pixel, int depth, gboolean true_colour,
                                  int red_max, int green_max, int blue_max,
                                  int red_shift, int green_shift, int blue_shift);

/* Client messages sent at once; a failed send fails the test. */
void test_raw_set_encodings (GSocket *socket, const gint32 *encodings, guint n);
void test_raw_request_update (GSocket *socket, gboolean incremental, int x, int y, int width, int height);

/* The encodings the raw readers below understand (rfbproto.rst
 * "Encodings"). */
#define TEST_ENCODING_RAW 0
#define TEST_ENCODING_DESKTOP_SIZE (-223)
#define TEST_ENCODING_DESKTOP_NAME (-307)
#define TEST_ENCODING_EXTENDED_DESKTOP_SIZE (-308)

/* Reads a FramebufferUpdate header and gives its number of rectangles.
 * FALSE when no message starts within @timeout_us; any other message, or
 * a header cut short, fails the test. */
gboolean test_raw_read_update_header (GSocket *socket, guint *n_rects, gint64 timeout_us);

/* One rectangle of a FramebufferUpdate. */
typedef struct {
  guint16 x, y, w, h;          /* ExtendedDesktopSize: x is the reason, y the status */
  gint32 encoding;
  guint n_screens;             /* ExtendedDesktopSize, and its first screen */
  guint32 screen_id;
  guint16 screen_x, screen_y, screen_w, screen_h;
  char *name;                  /* DesktopName */
} TestRawRect;

/* Reads just the 12-byte rectangle header, for tests that decode the
 * rest themselves. FALSE when it does not come. */
gboolean test_raw_read_rect_header (GSocket *socket, TestRawRect *rect);
/* Reads a whole rectangle in an encoding the server sends a viewer in its
 * default pixel format (32 bpp little-endian, red at 16): Raw, drawn into
 * @fb (@fb_width x @fb_height, as 0xRRGGBB) where it falls inside unless
 * @fb is NULL; DesktopSize; ExtendedDesktopSize; DesktopName. Any other
 * encoding fails the test. FALSE when the bytes stop coming. */
gboolean test_raw_read_rect (GSocket *socket, TestRawRect *rect, guint32 *fb, int fb_width, int fb_height);
void test_raw_rect_clear (TestRawRect *rect);
/* An array of TestRawRect that clears what it drops. */
GArray *test_raw_rects_new (void);

/* A viewer on a raw socket that keeps a framebuffer in the server's
 * default pixel format, for tests that must see every rectangle. */
typedef struct {
  GSocket *socket;
  int width, height;
  guint32 *fb;                 /* 0xRRGGBB */
  gsize fb_allocated;          /* pixels */
  guint updates;               /* FramebufferUpdates read */
} TestRawViewer;

/* Connects and completes the handshake; sends nothing more. */
TestRawViewer *test_raw_viewer_new (guint port);
void test_raw_viewer_free (TestRawViewer *rv);
/* Reads one FramebufferUpdate into @rects (a test_raw_rects_new()
 * array), drawing Raw pixels and following size changes. FALSE when none
 * comes within @timeout_us. */
gboolean test_raw_viewer_read_update (TestRawViewer *rv, GArray *rects, gint64 timeout_us);
/* Whether the framebuffer equals the surface over @width x @height from
 * the top left. */
gboolean test_raw_viewer_matches (TestRawViewer *rv, TestServer *ts, int width, int height);

/* A server with a well-behaved viewer that has its first frame: the
 * hostile-viewer tests check that it goes on being served. */
typedef struct {
  TestServer *ts;
  TestViewer *viewer;
  guint seed;
} TestFixture;

/* Properties (name, value pairs ending with NULL) are set before the
 * server starts; the surface is RGB24, @width x @height. The good viewer
 * uses the "password" property, if set. */
void test_fixture_start (TestFixture *f, int width, int height, const char *first_property, ...);
void test_fixture_stop (TestFixture *f);
/* Redraws, and the good viewer must get the new frame, pixel for pixel. */
void test_fixture_check_served (TestFixture *f, const char *what);
/* Waits until the server has @n viewers (the good one included). */
void test_fixture_wait_clients (TestFixture *f, guint n, const char *what);
/* A raw viewer past the handshake. */
GSocket *test_fixture_raw_ready (TestFixture *f);

/* test_fixture_start() with an http-port as well
 * (test_server_start_with_http()), for browsers' WebSocket viewers. */
void test_fixture_start_with_http (TestFixture *f, int width, int height, const char *first_property, ...);

/* HTTP and WebSocket (RFC 6455) on raw sockets. */

typedef struct {
  int status;
  char *head;                  /* status line and headers */
  GByteArray *body;
} TestHttpResponse;

/* Reads one response (its body by Content-Length, unless it answers a
 * HEAD). FALSE when it does not come whole. @rest has what came before
 * it, and keeps what came after it. */
gboolean test_http_read_response (GSocket *socket, GByteArray *rest, gboolean head_request, TestHttpResponse *r);
void test_http_response_clear (TestHttpResponse *r);

/* The key every upgrade below sends, and the answer it must get. */
#define TEST_WS_KEY "dGhlIHNhbXBsZSBub25jZQ=="
#define TEST_WS_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

/* Appends a client frame to @frame: @masked with a random mask, the
 * length in its shortest form. */
void test_ws_append_frame (GByteArray *frame, gboolean fin, guint8 opcode, const void *payload, gsize len,
                           gboolean masked);
/* Sends one; a failed send fails the test. */
void test_ws_send_frame (GSocket *socket, gboolean fin, guint8 opcode, const void *payload, gsize len,
                         gboolean masked);
/* Reads one server frame; FALSE when none comes. Server frames are never
 * masked (RFC 6455 §5.1), and their length is in its shortest form. */
gboolean test_ws_read_frame (GSocket *socket, guint8 *opcode, gboolean *fin, GByteArray *payload,
                             gint64 timeout_us);
/* Upgrades a connection to @http_port at @path to a WebSocket (binary
 * subprotocol); @first_frame, if not NULL, goes in a binary frame in the
 * same write as the request. The 101 answer is read byte by byte, so the
 * frames after it are unread; any other answer fails the test. */
GSocket *test_ws_connect (guint http_port, const char *path, const char *first_frame);

/* This process's resident memory; 0 under AddressSanitizer, where it
 * means nothing. */
gsize test_rss_kib (void);

G_END_DECLS
