/* cairovnc — serve a cairo surface to VNC viewers.
 *
 * The program keeps drawing into its cairo_surface_t; a CairoVncServer
 * serves those pixels to any number of VNC viewers and hands the viewers'
 * keys, pointer, wheel and clipboard back as CairoVncEvents.
 *
 * Threading rule: every public call is safe from any thread. The server's
 * own work happens on the GMainContext it was started on (and on its
 * encoder threads). The program's surface lock is held by the server only
 * while it copies pixels out of the surface — never while encoding or
 * writing to sockets.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef CAIROVNC_H
#define CAIROVNC_H

#define CAIROVNC_INSIDE

#include <cairo.h>
#include <glib.h>
#include <glib-object.h>

G_BEGIN_DECLS

#if defined(CAIROVNC_COMPILATION)
#define CAIROVNC_API __attribute__ ((visibility ("default"))) extern
#else
#define CAIROVNC_API extern
#endif

/**
 * CAIROVNC_MAJOR_VERSION:
 *
 * The major version of the cairovnc headers, as in 0 for 0.1.0.
 *
 * Since: 0.1
 */
#define CAIROVNC_MAJOR_VERSION 0
/**
 * CAIROVNC_MINOR_VERSION:
 *
 * The minor version of the cairovnc headers, as in 1 for 0.1.0.
 *
 * Since: 0.1
 */
#define CAIROVNC_MINOR_VERSION 1
/**
 * CAIROVNC_MICRO_VERSION:
 *
 * The micro version of the cairovnc headers, as in 0 for 0.1.0.
 *
 * Since: 0.1
 */
#define CAIROVNC_MICRO_VERSION 0

/**
 * CAIROVNC_ERROR:
 *
 * The error domain of cairovnc.
 *
 * Since: 0.1
 */
#define CAIROVNC_ERROR (cairovnc_error_quark ())
CAIROVNC_API GQuark cairovnc_error_quark (void);

/**
 * CairoVncError:
 * @CAIROVNC_ERROR_UNSUPPORTED_SURFACE: the surface's type or pixel format
 *   cannot be served (only ARGB32 and RGB24 pixels are served), or it is
 *   larger than RFB can describe
 * @CAIROVNC_ERROR_LISTEN: the server could not listen on its address and port
 * @CAIROVNC_ERROR_RUNNING: the server is already running, or not running
 * @CAIROVNC_ERROR_PROTOCOL: a viewer broke the protocol (used in log lines)
 * @CAIROVNC_ERROR_TOO_LARGE: clipboard data is larger than
 *   #CairoVncServer:clipboard-max-size
 * @CAIROVNC_ERROR_HTTP_ROOT: #CairoVncServer:http-root names no folder
 * @CAIROVNC_ERROR_TLS: a TLS certificate or key cannot be loaded, TLS
 *   cannot be set up, or encryption is required with no way to offer it
 *
 * Error codes in the %CAIROVNC_ERROR domain.
 *
 * Since: 0.1
 */
typedef enum {
  CAIROVNC_ERROR_UNSUPPORTED_SURFACE,
  CAIROVNC_ERROR_LISTEN,
  CAIROVNC_ERROR_RUNNING,
  CAIROVNC_ERROR_PROTOCOL,
  CAIROVNC_ERROR_TOO_LARGE,
  CAIROVNC_ERROR_HTTP_ROOT,
  CAIROVNC_ERROR_TLS,
} CairoVncError;

/**
 * CairoVncEventType:
 * @CAIROVNC_EVENT_KEY: a key went down or up (@keysym, @down, @keycode)
 * @CAIROVNC_EVENT_MOVE: the pointer moved (@x, @y, @buttons)
 * @CAIROVNC_EVENT_CLICK: a pointer button went down or up (@x, @y,
 *   @button, @down)
 * @CAIROVNC_EVENT_SCROLL: one wheel step (@x, @y, @dx, @dy)
 * @CAIROVNC_EVENT_CLIPBOARD: the viewer's clipboard changed (@text, @rtf,
 *   @html)
 *
 * Since: 0.1
 */
typedef enum {
  CAIROVNC_EVENT_KEY = 1,
  CAIROVNC_EVENT_MOVE,
  CAIROVNC_EVENT_CLICK,
  CAIROVNC_EVENT_SCROLL,
  CAIROVNC_EVENT_CLIPBOARD,
} CairoVncEventType;

/**
 * CairoVncEvent:
 * @type: what happened
 * @timestamp_us: when the server received it, from g_get_monotonic_time()
 * @client_id: the viewer it came from (1 for the first viewer, counting up)
 * @keysym: KEY: the X keysym
 * @down: KEY, CLICK: %TRUE when pressed, %FALSE when released
 * @x: MOVE, CLICK, SCROLL: pointer position in surface pixels
 * @y: MOVE, CLICK, SCROLL: pointer position in surface pixels
 * @buttons: MOVE: the buttons held, bit 0 for the first button (wheel
 *   bits cleared)
 * @button: CLICK: the button, 0 for the first
 * @dx: SCROLL: +1 one step right, -1 one step left
 * @dy: SCROLL: +1 one step up, -1 one step down
 * @text: (nullable): CLIPBOARD: the text, in UTF-8, lines ending in LF;
 *   %NULL when the viewer offered no text (only RTF or HTML)
 * @keycode: KEY: the XT scancode of the key when the viewer sends QEMU
 *   extended key events (0x1e for the A key, 0xe0 0x4d as 0xcd), whatever
 *   the keyboard layout; 0 when it does not
 * @rtf: (nullable): CLIPBOARD: the RTF document when the viewer offered
 *   one (Extended Clipboard)
 * @html: (nullable): CLIPBOARD: the HTML fragment when the viewer offered
 *   one (Extended Clipboard), without the CF_HTML header it travels in
 *
 * One input event from a viewer. A flat struct: the fields a type does not
 * use are zero. Free with cairovnc_event_free().
 *
 * Since: 0.1
 */
typedef struct {
  CairoVncEventType type;
  gint64 timestamp_us;
  guint client_id;
  guint32 keysym;
  gboolean down;
  int x;
  int y;
  guint buttons;
  guint button;
  int dx;
  int dy;
  char *text;
  guint32 keycode;
  char *rtf;
  char *html;
} CairoVncEvent;

#define CAIROVNC_TYPE_EVENT (cairovnc_event_get_type ())
CAIROVNC_API GType cairovnc_event_get_type (void) G_GNUC_CONST;
CAIROVNC_API CairoVncEvent *cairovnc_event_copy (const CairoVncEvent *event);
CAIROVNC_API void cairovnc_event_free (CairoVncEvent *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CairoVncEvent, cairovnc_event_free)

#define CAIROVNC_TYPE_SERVER (cairovnc_server_get_type ())
/* Exported here; G_DECLARE_FINAL_TYPE declares it again for everyone else,
 * and the introspection scanner must see it once. */
#ifndef __GI_SCANNER__
CAIROVNC_API GType cairovnc_server_get_type (void) G_GNUC_CONST;
#endif
G_DECLARE_FINAL_TYPE (CairoVncServer, cairovnc_server, CAIROVNC, SERVER, GObject)

CAIROVNC_API CairoVncServer *cairovnc_server_new (cairo_surface_t *surface,
                                                  GMutex          *surface_lock);

CAIROVNC_API gboolean cairovnc_server_start (CairoVncServer *server,
                                             GMainContext   *context,
                                             GError        **error);
CAIROVNC_API gboolean cairovnc_server_run (CairoVncServer *server,
                                           GError        **error);
CAIROVNC_API gboolean cairovnc_server_start_thread (CairoVncServer *server,
                                                    GError        **error);
CAIROVNC_API void cairovnc_server_stop (CairoVncServer *server);
CAIROVNC_API gboolean cairovnc_server_is_running (CairoVncServer *server);
CAIROVNC_API guint cairovnc_server_get_port (CairoVncServer *server);
CAIROVNC_API guint cairovnc_server_get_http_port (CairoVncServer *server);
CAIROVNC_API guint cairovnc_server_get_n_clients (CairoVncServer *server);

CAIROVNC_API void cairovnc_server_set_surface (CairoVncServer  *server,
                                               cairo_surface_t *surface,
                                               GMutex          *surface_lock);
CAIROVNC_API gboolean cairovnc_server_try_set_surface (CairoVncServer  *server,
                                                       cairo_surface_t *surface,
                                                       GMutex          *surface_lock,
                                                       GError         **error);
CAIROVNC_API void cairovnc_server_set_desktop_name (CairoVncServer *server,
                                                    const char     *name);
CAIROVNC_API char *cairovnc_server_dup_desktop_name (CairoVncServer *server);
CAIROVNC_API void cairovnc_server_frame_ready (CairoVncServer *server);
CAIROVNC_API void cairovnc_server_lock_surface (CairoVncServer *server);
CAIROVNC_API void cairovnc_server_unlock_surface (CairoVncServer *server);
CAIROVNC_API void cairovnc_server_add_damage (CairoVncServer              *server,
                                              const cairo_rectangle_int_t *rect);
CAIROVNC_API void cairovnc_server_add_copy (CairoVncServer              *server,
                                            const cairo_rectangle_int_t *dest,
                                            int                          dx,
                                            int                          dy);

CAIROVNC_API gboolean cairovnc_server_try_set_cursor (CairoVncServer  *server,
                                                      cairo_surface_t *surface,
                                                      int              hot_x,
                                                      int              hot_y,
                                                      GError         **error);
CAIROVNC_API void cairovnc_server_set_cursor (CairoVncServer  *server,
                                              cairo_surface_t *surface,
                                              int              hot_x,
                                              int              hot_y);
CAIROVNC_API gboolean cairovnc_server_set_clipboard (CairoVncServer *server,
                                                     const char     *text,
                                                     const char     *rtf,
                                                     const char     *html,
                                                     GError        **error);
CAIROVNC_API void cairovnc_server_set_clipboard_text (CairoVncServer *server,
                                                      const char     *text);

CAIROVNC_API void cairovnc_server_set_host (CairoVncServer *server, const char *host);
CAIROVNC_API void cairovnc_server_set_port (CairoVncServer *server, guint port);
CAIROVNC_API void cairovnc_server_set_password (CairoVncServer *server, const char *password);
CAIROVNC_API void cairovnc_server_set_password_readonly (CairoVncServer *server,
                                                         const char     *password);
CAIROVNC_API void cairovnc_server_set_username (CairoVncServer *server, const char *username);
CAIROVNC_API gboolean cairovnc_server_set_tls_certificate (CairoVncServer *server,
                                                          const char     *cert_file,
                                                          const char     *key_file,
                                                          GError        **error);
CAIROVNC_API void cairovnc_server_set_allow_anonymous_tls (CairoVncServer *server, gboolean allow);
CAIROVNC_API void cairovnc_server_set_require_encryption (CairoVncServer *server, gboolean require);
CAIROVNC_API void cairovnc_server_set_max_clients (CairoVncServer *server, guint max_clients);
CAIROVNC_API void cairovnc_server_set_max_framerate (CairoVncServer *server, double fps);
CAIROVNC_API void cairovnc_server_set_read_only (CairoVncServer *server, gboolean read_only);
CAIROVNC_API gboolean cairovnc_server_get_read_only (CairoVncServer *server);
CAIROVNC_API void cairovnc_server_set_push_frames (CairoVncServer *server, gboolean push);
CAIROVNC_API void cairovnc_server_set_verbose (CairoVncServer *server, gboolean verbose);
CAIROVNC_API void cairovnc_server_set_event_queue_length (CairoVncServer *server, guint length);
CAIROVNC_API void cairovnc_server_set_zlib_level (CairoVncServer *server, guint level);
CAIROVNC_API void cairovnc_server_set_clipboard_max_size (CairoVncServer *server, guint max_size);
CAIROVNC_API void cairovnc_server_set_http_port (CairoVncServer *server, guint port);
CAIROVNC_API void cairovnc_server_set_http_root (CairoVncServer *server, const char *root);
CAIROVNC_API void cairovnc_server_set_handshake_timeout (CairoVncServer *server, guint seconds);
CAIROVNC_API void cairovnc_server_set_stall_timeout (CairoVncServer *server, guint seconds);
CAIROVNC_API void cairovnc_server_set_auth_failure_limit (CairoVncServer *server, guint failures);
CAIROVNC_API void cairovnc_server_set_auth_block_time (CairoVncServer *server, guint seconds);

CAIROVNC_API CairoVncEvent *cairovnc_server_pop_event (CairoVncServer *server,
                                                       gint64          timeout_us);
CAIROVNC_API GAsyncQueue *cairovnc_server_get_event_queue (CairoVncServer *server);

G_END_DECLS

#undef CAIROVNC_INSIDE

#endif /* CAIROVNC_H */
