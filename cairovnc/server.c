/* server.c — CairoVncServer: options, listening, viewers, frame scheduling.
 *
 * Public calls may come from any thread: they change options under
 * state_lock and wake the server context through GSources whose ready
 * time they set. Everything else runs on the server context: accepting
 * viewers, taking snapshots, handing damage to viewers.
 *
 * A snapshot is taken when the program says frame_ready(), or — while a
 * viewer waits for a change and the program has not said frame_ready()
 * lately — every 1/max-framerate seconds; never faster than max-framerate,
 * and never with no viewer to see it.
 */
#include "server-private.h"

#include <gio/gio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "client.h"
#include "events.h"
#include "tls.h"

/* How long after the program's last frame_ready() we still wait for the
 * next one rather than look for changes ourselves. */
#define FRAME_DRIVEN_WINDOW_US G_USEC_PER_SEC
/* How often paused readers look for room when nobody pops events
 * through cairovnc_server_pop_event(). */
#define RESUME_POLL_US (50 * 1000)
#define DEFAULT_PORT 5900
/* As the Python CairoVNC's clipboard_maximum_size. */
#define DEFAULT_CLIPBOARD_MAX_SIZE (20 * 1024 * 1024)
#define MAX_CLIPBOARD_MAX_SIZE (1024 * 1024 * 1024)
/* Where Debian's novnc package puts noVNC. */
#define DEFAULT_HTTP_ROOT "/usr/share/novnc"
/* Browsers open a few connections each for a page's files; more than
 * this many at once, not yet viewers, are refused. */
#define MAX_HTTP_CONNECTIONS 64
/* From connect to the end of ClientInit: time enough to type a password,
 * too little to hold a connection open by saying nothing. */
#define DEFAULT_HANDSHAKE_TIMEOUT_S 30
/* A viewer that takes none of what is queued for it for this long is
 * gone. Longer than any pause a working viewer makes: the benchmark's
 * stalled viewer stops reading for 10 s and must come back. */
#define DEFAULT_STALL_TIMEOUT_S 30
/* As TigerVNC's blacklist: five wrong passwords, then 10 s of refusal,
 * doubling with each further failure. */
#define DEFAULT_AUTH_FAILURE_LIMIT 5
#define DEFAULT_AUTH_BLOCK_TIME_S 10

enum {
  PROP_0,
  PROP_HOST,
  PROP_PORT,
  PROP_PASSWORD,
  PROP_PASSWORD_READONLY,
  PROP_DESKTOP_NAME,
  PROP_MAX_CLIENTS,
  PROP_MAX_FRAMERATE,
  PROP_READ_ONLY,
  PROP_PUSH_FRAMES,
  PROP_VERBOSE,
  PROP_EVENT_QUEUE_LENGTH,
  PROP_ZLIB_LEVEL,
  PROP_CLIPBOARD_MAX_SIZE,
  PROP_HTTP_PORT,
  PROP_HTTP_ROOT,
  PROP_HANDSHAKE_TIMEOUT,
  PROP_STALL_TIMEOUT,
  PROP_AUTH_FAILURE_LIMIT,
  PROP_AUTH_BLOCK_TIME,
  PROP_USERNAME,
  PROP_TLS_CERT_FILE,
  PROP_TLS_KEY_FILE,
  PROP_ALLOW_ANONYMOUS_TLS,
  PROP_REQUIRE_ENCRYPTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_UPDATE_SENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/**
 * CairoVncServer:
 *
 * Serves the pixels of a cairo surface to VNC viewers and hands their
 * input back as [struct@CairoVnc.Event]s.
 *
 * Make one with [ctor@CairoVnc.Server.new] for the program's surface, set
 * its options (properties, or their setters), start it with
 * [method@CairoVnc.Server.start_thread], [method@CairoVnc.Server.run] or
 * [method@CairoVnc.Server.start], and keep drawing; say
 * [method@CairoVnc.Server.frame_ready] after each frame and take events
 * with [method@CairoVnc.Server.pop_event].
 *
 * Every call is safe from any thread. The server takes the surface lock
 * only while it copies pixels out of the surface: the program's #GMutex
 * when it gave one, else the lock of
 * [method@CairoVnc.Server.lock_surface].
 *
 * Since: 0.1
 */
G_DEFINE_FINAL_TYPE (CairoVncServer, cairovnc_server, G_TYPE_OBJECT)

/* A source that only wakes when its ready time says so. */
static gboolean
wakeup_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs wakeup_funcs = {
  .dispatch = wakeup_dispatch,
};

static GSource *
wakeup_source_new (const char *name, GSourceFunc callback, gpointer data)
{
  GSource *source = g_source_new (&wakeup_funcs, sizeof (GSource));

  g_source_set_name (source, name);
  g_source_set_callback (source, callback, data, NULL);
  return source;
}

/* Sets @source's ready time to @when unless it is due sooner already. */
static void
wake_at (GSource *source, gint64 when)
{
  gint64 current = g_source_get_ready_time (source);

  if (current < 0 || when < current)
    g_source_set_ready_time (source, when);
}

/* One thread waits until another says "done". */
typedef struct {
  GMutex lock;
  GCond cond;
  gboolean done;
} Rendezvous;

static void
rendezvous_init (Rendezvous *r)
{
  g_mutex_init (&r->lock);
  g_cond_init (&r->cond);
  r->done = FALSE;
}

static void
rendezvous_signal (Rendezvous *r)
{
  g_mutex_lock (&r->lock);
  r->done = TRUE;
  g_cond_signal (&r->cond);
  g_mutex_unlock (&r->lock);
}

/* Waits for the signal, then frees the primitives. */
static void
rendezvous_wait (Rendezvous *r)
{
  g_mutex_lock (&r->lock);
  while (!r->done)
    g_cond_wait (&r->cond, &r->lock);
  g_mutex_unlock (&r->lock);
  g_mutex_clear (&r->lock);
  g_cond_clear (&r->cond);
}

static void
surface_source_clear (SurfaceSource *source)
{
  g_clear_pointer (&source->surface, cairo_surface_destroy);
  source->lock = NULL;
}

static void
cairovnc_server_init (CairoVncServer *server)
{
  g_mutex_init (&server->state_lock);
  g_mutex_init (&server->own_surface_lock);
  server->port = DEFAULT_PORT;
  server->desktop_name = g_strdup ("Cairo");
  server->max_clients = 2;
  server->max_framerate = 20.0;
  server->read_only = TRUE;
  server->event_queue_length = 500;
  server->zlib_level = 6;
  server->clipboard_max_size = DEFAULT_CLIPBOARD_MAX_SIZE;
  server->http_root = g_strdup (DEFAULT_HTTP_ROOT);
  server->handshake_timeout = DEFAULT_HANDSHAKE_TIMEOUT_S;
  server->stall_timeout = DEFAULT_STALL_TIMEOUT_S;
  server->auth_failure_limit = DEFAULT_AUTH_FAILURE_LIMIT;
  server->auth_block_time = DEFAULT_AUTH_BLOCK_TIME_S;
  server->auth_throttle = throttle_new ();
  server->events = g_async_queue_new_full ((GDestroyNotify) cairovnc_event_free);
  server->damage_hints = cairo_region_create ();
  server->clients = g_ptr_array_new ();
  server->next_client_id = 1;
}

static void
cairovnc_server_finalize (GObject *object)
{
  CairoVncServer *server = CAIROVNC_SERVER (object);

  cairovnc_server_stop (server);
  surface_source_clear (&server->source);
  g_clear_pointer (&server->cursor, cursor_unref);
  g_clear_pointer (&server->clipboard, clipboard_data_unref);
  g_clear_pointer (&server->damage_hints, cairo_region_destroy);
  g_clear_pointer (&server->events, g_async_queue_unref);
  g_clear_pointer (&server->clients, g_ptr_array_unref);
  g_clear_pointer (&server->host, g_free);
  g_clear_pointer (&server->http_root, g_free);
  g_clear_pointer (&server->password, g_free);
  g_clear_pointer (&server->password_readonly, g_free);
  g_clear_pointer (&server->username, g_free);
  g_clear_pointer (&server->tls_cert_file, g_free);
  g_clear_pointer (&server->tls_key_file, g_free);
  g_clear_pointer (&server->tls_x509, SSL_CTX_free);
  g_clear_pointer (&server->tls_anonymous, SSL_CTX_free);
  g_clear_pointer (&server->desktop_name, g_free);
  g_clear_pointer (&server->sent_desktop_name, g_free);
  g_mutex_clear (&server->own_surface_lock);
  g_clear_pointer (&server->auth_throttle, throttle_free);
  g_mutex_clear (&server->state_lock);
  G_OBJECT_CLASS (cairovnc_server_parent_class)->finalize (object);
}

static void
cairovnc_server_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CairoVncServer *server = CAIROVNC_SERVER (object);

  g_mutex_lock (&server->state_lock);
  switch (prop_id)
    {
    case PROP_HOST:
      g_value_set_string (value, server->host);
      break;
    case PROP_PORT:
      g_value_set_uint (value, server->port);
      break;
    case PROP_PASSWORD:
      g_value_set_string (value, server->password);
      break;
    case PROP_PASSWORD_READONLY:
      g_value_set_string (value, server->password_readonly);
      break;
    case PROP_DESKTOP_NAME:
      g_value_set_string (value, server->desktop_name);
      break;
    case PROP_MAX_CLIENTS:
      g_value_set_uint (value, server->max_clients);
      break;
    case PROP_MAX_FRAMERATE:
      g_value_set_double (value, server->max_framerate);
      break;
    case PROP_READ_ONLY:
      g_mutex_unlock (&server->state_lock);
      g_value_set_boolean (value, server_get_effective_read_only (server));
      return;
    case PROP_PUSH_FRAMES:
      g_value_set_boolean (value, server->push_frames);
      break;
    case PROP_VERBOSE:
      g_value_set_boolean (value, server->verbose);
      break;
    case PROP_EVENT_QUEUE_LENGTH:
      g_value_set_uint (value, server->event_queue_length);
      break;
    case PROP_ZLIB_LEVEL:
      g_value_set_uint (value, server->zlib_level);
      break;
    case PROP_CLIPBOARD_MAX_SIZE:
      g_value_set_uint (value, server->clipboard_max_size);
      break;
    case PROP_HTTP_PORT:
      g_value_set_uint (value, server->http_port);
      break;
    case PROP_HTTP_ROOT:
      g_value_set_string (value, server->http_root);
      break;
    case PROP_HANDSHAKE_TIMEOUT:
      g_value_set_uint (value, server->handshake_timeout);
      break;
    case PROP_STALL_TIMEOUT:
      g_value_set_uint (value, server->stall_timeout);
      break;
    case PROP_AUTH_FAILURE_LIMIT:
      g_value_set_uint (value, server->auth_failure_limit);
      break;
    case PROP_AUTH_BLOCK_TIME:
      g_value_set_uint (value, server->auth_block_time);
      break;
    case PROP_USERNAME:
      g_value_set_string (value, server->username);
      break;
    case PROP_TLS_CERT_FILE:
      g_value_set_string (value, server->tls_cert_file);
      break;
    case PROP_TLS_KEY_FILE:
      g_value_set_string (value, server->tls_key_file);
      break;
    case PROP_ALLOW_ANONYMOUS_TLS:
      g_value_set_boolean (value, server->allow_anonymous_tls);
      break;
    case PROP_REQUIRE_ENCRYPTION:
      g_value_set_boolean (value, server->require_encryption);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
    }
  g_mutex_unlock (&server->state_lock);
}

/* The file properties only name files; the start loads them. */
static void
set_tls_file (CairoVncServer *server, guint prop_id, const char *path)
{
  char **field = prop_id == PROP_TLS_CERT_FILE ? &server->tls_cert_file : &server->tls_key_file;

  g_mutex_lock (&server->state_lock);
  g_free (*field);
  *field = g_strdup (path);
  g_mutex_unlock (&server->state_lock);
  g_object_notify_by_pspec (G_OBJECT (server), properties[prop_id]);
}

static void
cairovnc_server_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  CairoVncServer *server = CAIROVNC_SERVER (object);

  switch (prop_id)
    {
    case PROP_HOST:
      cairovnc_server_set_host (server, g_value_get_string (value));
      break;
    case PROP_PORT:
      cairovnc_server_set_port (server, g_value_get_uint (value));
      break;
    case PROP_PASSWORD:
      cairovnc_server_set_password (server, g_value_get_string (value));
      break;
    case PROP_PASSWORD_READONLY:
      cairovnc_server_set_password_readonly (server, g_value_get_string (value));
      break;
    case PROP_DESKTOP_NAME:
      cairovnc_server_set_desktop_name (server, g_value_get_string (value));
      break;
    case PROP_MAX_CLIENTS:
      cairovnc_server_set_max_clients (server, g_value_get_uint (value));
      break;
    case PROP_MAX_FRAMERATE:
      cairovnc_server_set_max_framerate (server, g_value_get_double (value));
      break;
    case PROP_READ_ONLY:
      cairovnc_server_set_read_only (server, g_value_get_boolean (value));
      break;
    case PROP_PUSH_FRAMES:
      cairovnc_server_set_push_frames (server, g_value_get_boolean (value));
      break;
    case PROP_VERBOSE:
      cairovnc_server_set_verbose (server, g_value_get_boolean (value));
      break;
    case PROP_EVENT_QUEUE_LENGTH:
      cairovnc_server_set_event_queue_length (server, g_value_get_uint (value));
      break;
    case PROP_ZLIB_LEVEL:
      cairovnc_server_set_zlib_level (server, g_value_get_uint (value));
      break;
    case PROP_CLIPBOARD_MAX_SIZE:
      cairovnc_server_set_clipboard_max_size (server, g_value_get_uint (value));
      break;
    case PROP_HTTP_PORT:
      cairovnc_server_set_http_port (server, g_value_get_uint (value));
      break;
    case PROP_HTTP_ROOT:
      cairovnc_server_set_http_root (server, g_value_get_string (value));
      break;
    case PROP_HANDSHAKE_TIMEOUT:
      cairovnc_server_set_handshake_timeout (server, g_value_get_uint (value));
      break;
    case PROP_STALL_TIMEOUT:
      cairovnc_server_set_stall_timeout (server, g_value_get_uint (value));
      break;
    case PROP_AUTH_FAILURE_LIMIT:
      cairovnc_server_set_auth_failure_limit (server, g_value_get_uint (value));
      break;
    case PROP_AUTH_BLOCK_TIME:
      cairovnc_server_set_auth_block_time (server, g_value_get_uint (value));
      break;
    case PROP_USERNAME:
      cairovnc_server_set_username (server, g_value_get_string (value));
      break;
    case PROP_TLS_CERT_FILE:
    case PROP_TLS_KEY_FILE:
      set_tls_file (server, prop_id, g_value_get_string (value));
      break;
    case PROP_ALLOW_ANONYMOUS_TLS:
      cairovnc_server_set_allow_anonymous_tls (server, g_value_get_boolean (value));
      break;
    case PROP_REQUIRE_ENCRYPTION:
      cairovnc_server_set_require_encryption (server, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
    }
}

static void
cairovnc_server_class_init (CairoVncServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = cairovnc_server_finalize;
  object_class->get_property = cairovnc_server_get_property;
  object_class->set_property = cairovnc_server_set_property;

  /**
   * CairoVncServer:host:
   *
   * The address or host name to listen on; %NULL listens on every address,
   * IPv6 and IPv4. Takes effect at the next start.
   *
   * Since: 0.1
   */
  properties[PROP_HOST] = g_param_spec_string ("host", NULL, NULL, NULL, flags);
  /**
   * CairoVncServer:port:
   *
   * The TCP port; 0 picks a free one (see cairovnc_server_get_port()).
   * Display :N is port 5900 + N.
   *
   * Since: 0.1
   */
  properties[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, 65535, DEFAULT_PORT, flags);
  /**
   * CairoVncServer:password:
   *
   * With a password (or a read-only password) viewers must give it. VNC
   * Authentication counts only its first eight characters; Apple Remote
   * Desktop and VeNCrypt's Plain sub-types (with
   * #CairoVncServer:username) count all of it.
   *
   * Since: 0.1
   */
  properties[PROP_PASSWORD] = g_param_spec_string ("password", NULL, NULL, NULL, flags);
  /**
   * CairoVncServer:password-readonly:
   *
   * A second password: viewers that use it may watch but send no events.
   *
   * Since: 0.1
   */
  properties[PROP_PASSWORD_READONLY] = g_param_spec_string ("password-readonly", NULL, NULL, NULL, flags);
  /**
   * CairoVncServer:desktop-name:
   *
   * The name viewers show; changes reach viewers that support DesktopName.
   *
   * Since: 0.1
   */
  properties[PROP_DESKTOP_NAME] = g_param_spec_string ("desktop-name", NULL, NULL, "Cairo", flags);
  /**
   * CairoVncServer:max-clients:
   *
   * How many viewers may be connected at once; 0 for no limit. Extra
   * viewers are refused with a reason.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_CLIENTS] = g_param_spec_uint ("max-clients", NULL, NULL, 0, G_MAXUINT, 2, flags);
  /**
   * CairoVncServer:max-framerate:
   *
   * The most frames per second taken from the surface and sent; 0 for no
   * limit.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_FRAMERATE] = g_param_spec_double ("max-framerate", NULL, NULL, 0, 1000, 20, flags);
  /**
   * CairoVncServer:read-only:
   *
   * Whether viewers' input is ignored. Unless set, it is %TRUE except when
   * both #CairoVncServer:password and #CairoVncServer:password-readonly
   * are set, as in the Python CairoVNC.
   *
   * Since: 0.1
   */
  properties[PROP_READ_ONLY] = g_param_spec_boolean ("read-only", NULL, NULL, TRUE, flags);
  /**
   * CairoVncServer:push-frames:
   *
   * Send every new frame to every viewer without waiting for its request.
   * Viewers that announce Apple's pseudo-encoding 1011 (Screen Sharing)
   * always get pushed frames.
   *
   * Since: 0.1
   */
  properties[PROP_PUSH_FRAMES] = g_param_spec_boolean ("push-frames", NULL, NULL, FALSE, flags);
  /**
   * CairoVncServer:verbose:
   *
   * Log each viewer's handshake, requests and updates as messages (without
   * it they are debug lines: G_MESSAGES_DEBUG=CairoVNC shows them).
   *
   * Since: 0.1
   */
  properties[PROP_VERBOSE] = g_param_spec_boolean ("verbose", NULL, NULL, FALSE, flags);
  /**
   * CairoVncServer:event-queue-length:
   *
   * How many events may wait for the program; 0 for no limit. When the
   * queue is full the server stops reading from viewers that send input
   * until the program takes events: nothing is dropped.
   *
   * Since: 0.1
   */
  properties[PROP_EVENT_QUEUE_LENGTH] =
    g_param_spec_uint ("event-queue-length", NULL, NULL, 0, G_MAXUINT, 500, flags);

  /**
   * CairoVncServer:zlib-level:
   *
   * The zlib compression level (0–9) of the zlib, ZRLE and Tight
   * encodings for viewers that do not ask for one with CompressLevel.
   * Takes effect for viewers' next SetEncodings.
   *
   * Since: 0.1
   */
  properties[PROP_ZLIB_LEVEL] = g_param_spec_uint ("zlib-level", NULL, NULL, 0, 9, 6, flags);

  /**
   * CairoVncServer:clipboard-max-size:
   *
   * The largest clipboard, in bytes, in either direction: each format
   * (text, RTF, HTML) the program sets or a viewer sends, once inflated,
   * and each clipboard message from a viewer as it comes on the wire. A
   * viewer's message longer than this on the wire is a protocol error and
   * closes that connection (it could not be read without holding it all);
   * one that only inflates beyond it (a zlib bomb) is dropped with a log
   * line, after inflating no more than the limit. Viewers are told the
   * limit, so well-behaved ones send announcements of larger clipboards
   * rather than the data.
   *
   * Since: 0.1
   */
  properties[PROP_CLIPBOARD_MAX_SIZE] =
    g_param_spec_uint ("clipboard-max-size", NULL, NULL, 1, MAX_CLIPBOARD_MAX_SIZE,
                       DEFAULT_CLIPBOARD_MAX_SIZE, flags);
  /**
   * CairoVncServer:http-port:
   *
   * A second TCP port, for browsers; 0 (the default) for none. It serves
   * the files of #CairoVncServer:http-root over HTTP and takes WebSocket
   * viewers (RFC 6455, as noVNC speaks it) on any path; they are viewers
   * like any other. Only pages it served itself may open a WebSocket
   * (the Origin header is checked). The demos use 5800 + display. Takes
   * effect at the next start.
   *
   * Since: 0.1
   */
  properties[PROP_HTTP_PORT] = g_param_spec_uint ("http-port", NULL, NULL, 0, 65535, 0, flags);
  /**
   * CairoVncServer:http-root:
   *
   * The folder whose files #CairoVncServer:http-port serves; %NULL or ""
   * for none (WebSockets only). The default is where Debian's novnc
   * package puts noVNC, used when it is installed: then "/" leads to
   * noVNC's viewer, connecting at once. A folder set here that does not
   * exist fails the start. Takes effect at the next start.
   *
   * Since: 0.1
   */
  properties[PROP_HTTP_ROOT] = g_param_spec_string ("http-root", NULL, NULL, DEFAULT_HTTP_ROOT, flags);
  /**
   * CairoVncServer:handshake-timeout:
   *
   * Seconds a viewer has from connecting to the end of its handshake
   * (version, security, password, ClientInit), however it spends them: a
   * viewer that says nothing, or one byte now and then, is disconnected
   * when they are up. A browser's connection to #CairoVncServer:http-port
   * has as long for each request it sends. Takes effect for viewers that
   * connect afterwards.
   *
   * Since: 0.1
   */
  properties[PROP_HANDSHAKE_TIMEOUT] =
    g_param_spec_uint ("handshake-timeout", NULL, NULL, 1, 3600, DEFAULT_HANDSHAKE_TIMEOUT_S, flags);
  /**
   * CairoVncServer:stall-timeout:
   *
   * Seconds a viewer may leave what is queued for it unread before it is
   * disconnected (with a log line). At most about one update waits for a
   * slow viewer, so this bounds how long it holds that memory, not how
   * much; a viewer that reads slowly but reads is never disconnected.
   *
   * Since: 0.1
   */
  properties[PROP_STALL_TIMEOUT] =
    g_param_spec_uint ("stall-timeout", NULL, NULL, 1, 3600, DEFAULT_STALL_TIMEOUT_S, flags);
  /**
   * CairoVncServer:auth-failure-limit:
   *
   * How many wrong passwords one address may send before it is refused
   * for #CairoVncServer:auth-block-time; 0 turns the limit off. Once
   * refused, each further wrong password refuses the address again, for
   * twice as long as the last time (up to an hour). A right password
   * forgets the address's failures.
   *
   * Since: 0.1
   */
  properties[PROP_AUTH_FAILURE_LIMIT] =
    g_param_spec_uint ("auth-failure-limit", NULL, NULL, 0, G_MAXUINT, DEFAULT_AUTH_FAILURE_LIMIT, flags);
  /**
   * CairoVncServer:auth-block-time:
   *
   * Seconds an address is first refused after
   * #CairoVncServer:auth-failure-limit wrong passwords.
   *
   * Since: 0.1
   */
  properties[PROP_AUTH_BLOCK_TIME] =
    g_param_spec_uint ("auth-block-time", NULL, NULL, 1, 3600, DEFAULT_AUTH_BLOCK_TIME_S, flags);

  /**
   * CairoVncServer:username:
   *
   * With a user name, viewers must give it with the password (or the
   * read-only password): only the security types that carry a user name
   * are offered, Apple Remote Desktop (what macOS Screen Sharing asks
   * for) and, with TLS, VeNCrypt's X509Plain and TLSPlain. Viewers that
   * know only VNC Authentication cannot connect then. Has no effect
   * without a password.
   *
   * Since: 0.1
   */
  properties[PROP_USERNAME] = g_param_spec_string ("username", NULL, NULL, NULL, flags);
  /**
   * CairoVncServer:tls-cert-file:
   *
   * A PEM file with the server's certificate (and any intermediate ones
   * after it). With it, viewers are offered VeNCrypt's X509 sub-types, TLS
   * verified against the certificate, and #CairoVncServer:http-port takes
   * wss:// and https:// besides ws:// and http://. Loaded at the start,
   * which fails when it cannot be; cairovnc_server_set_tls_certificate()
   * changes it on a running server.
   *
   * Since: 0.1
   */
  properties[PROP_TLS_CERT_FILE] = g_param_spec_string ("tls-cert-file", NULL, NULL, NULL, flags);
  /**
   * CairoVncServer:tls-key-file:
   *
   * The PEM file with the private key of #CairoVncServer:tls-cert-file,
   * without a passphrase; %NULL when that file holds the key too.
   *
   * Since: 0.1
   */
  properties[PROP_TLS_KEY_FILE] = g_param_spec_string ("tls-key-file", NULL, NULL, NULL, flags);
  /**
   * CairoVncServer:allow-anonymous-tls:
   *
   * Also offer VeNCrypt's TLS sub-types: encryption with anonymous
   * Diffie-Hellman and no certificate. It keeps out eavesdroppers but
   * not a man in the middle, who can pose as the server; use it only
   * where viewers cannot check a certificate. Takes effect at the next
   * start.
   *
   * Since: 0.1
   */
  properties[PROP_ALLOW_ANONYMOUS_TLS] = g_param_spec_boolean ("allow-anonymous-tls", NULL, NULL, FALSE, flags);
  /**
   * CairoVncServer:require-encryption:
   *
   * Offer only what encrypts the whole session: VeNCrypt with TLS, or
   * anything over wss://. Viewers are no longer offered None, VNC
   * Authentication or Apple Remote Desktop (which encrypts only the
   * password) in the clear, and RFB 3.3 viewers are refused. Needs
   * #CairoVncServer:tls-cert-file or #CairoVncServer:allow-anonymous-tls,
   * else the start fails. Takes effect for viewers that connect
   * afterwards.
   *
   * Since: 0.1
   */
  properties[PROP_REQUIRE_ENCRYPTION] = g_param_spec_boolean ("require-encryption", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CairoVncServer::update-sent:
   * @server: the server
   * @client_id: the viewer, as in #CairoVncEvent
   * @encoding: the name of the encoding of its pixels, e.g. "ZRLE"
   * @rectangles: how many rectangles of pixels it had
   * @bytes: its size on the wire
   *
   * A framebuffer update was queued for a viewer. Emitted on the server
   * context (the server's thread with cairovnc_server_start_thread()), so
   * handlers must be quick and thread-safe.
   *
   * Since: 0.1
   */
  signals[SIGNAL_UPDATE_SENT] =
    g_signal_new ("update-sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, G_TYPE_UINT, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_UINT64);
}

/**
 * cairovnc_server_new:
 * @surface: the surface to serve: an ARGB32 or RGB24 image surface, or any
 *   surface with bounded extents
 * @surface_lock: (nullable): a lock the program holds while drawing, or
 *   %NULL to draw under cairovnc_server_lock_surface() instead
 *
 * Makes a server for @surface. Nothing listens until one of the start
 * calls. The server keeps a reference to @surface.
 *
 * From Python, with PyGObject and its cairo support (python3-gi-cairo),
 * @surface is a pycairo surface: `CairoVnc.Server.new(surface, None)`.
 *
 * Returns: (transfer full): a new server
 *
 * Since: 0.1
 */
CairoVncServer *
cairovnc_server_new (cairo_surface_t *surface, GMutex *surface_lock)
{
  CairoVncServer *server;

  g_return_val_if_fail (surface != NULL, NULL);
  server = g_object_new (CAIROVNC_TYPE_SERVER, NULL);
  server->source.surface = cairo_surface_reference (surface);
  server->source.lock = surface_lock;
  return server;
}

gboolean
server_get_effective_read_only (CairoVncServer *server)
{
  gboolean read_only;

  g_mutex_lock (&server->state_lock);
  if (server->read_only_set)
    read_only = server->read_only;
  else
    read_only = !(server->password != NULL && *server->password &&
                  server->password_readonly != NULL && *server->password_readonly);
  g_mutex_unlock (&server->state_lock);
  return read_only;
}

/* Viewers. */

/* Viewers, in the handshake or after it; browsers' HTTP connections are
 * not viewers until they upgrade. */
static guint
count_clients (CairoVncServer *server)
{
  guint n = 0;

  for (guint i = 0; i < server->clients->len; i++)
    n += client_is_viewer (g_ptr_array_index (server->clients, i)) ? 1 : 0;
  return n;
}

void
server_client_closed (CairoVncServer *server, Client *client)
{
  if (g_ptr_array_remove (server->clients, client))
    client_unref (client);
  /* With nobody watching, snapshots stop; the next viewer must not be
   * shown the last one, however old. */
  if (count_clients (server) == 0)
    g_clear_pointer (&server->frame, frame_unref);
}

char *
server_refusal_reason (CairoVncServer *server)
{
  guint max_clients;

  g_mutex_lock (&server->state_lock);
  max_clients = server->max_clients;
  g_mutex_unlock (&server->state_lock);
  if (max_clients > 0 && count_clients (server) >= max_clients)
    return g_strdup_printf ("Too many viewers: this server takes %u at once", max_clients);
  return NULL;
}

guint
server_next_client_id (CairoVncServer *server)
{
  return server->next_client_id++;
}

static void
set_no_delay (GSocket *socket)
{
  /* Updates are whole messages queued at once; do not hold the tail. */
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}

static void
accept_viewer (CairoVncServer *server, GSocket *socket)
{
  g_autofree char *refuse = server_refusal_reason (server);
  Client *client = client_new (server, socket, server_next_client_id (server));

  g_ptr_array_add (server->clients, client);
  client_start (client, refuse);
}

static void
accept_browser (CairoVncServer *server, GSocket *socket)
{
  Client *client;

  if (server->clients->len - count_clients (server) >= MAX_HTTP_CONNECTIONS)
    {
      g_info ("Refused an HTTP connection: %u are open already", MAX_HTTP_CONNECTIONS);
      g_socket_close (socket, NULL);
      return;
    }
  client = client_new (server, socket, 0);
  g_ptr_array_add (server->clients, client);
  client_start_http (client);
}

static void
accept_all (CairoVncServer *server, GSocket *listener, void (*accept) (CairoVncServer *, GSocket *))
{
  for (;;)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GSocket) socket = g_socket_accept (listener, NULL, &error);

      if (socket == NULL)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            g_info ("Cannot accept a connection: %s", error->message);
          break;
        }
      set_no_delay (socket);
      accept (server, socket);
    }
}

static gboolean
on_incoming (GSocket *listener, GIOCondition condition, gpointer data)
{
  accept_all (data, listener, accept_viewer);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_incoming_http (GSocket *listener, GIOCondition condition, gpointer data)
{
  accept_all (data, listener, accept_browser);
  return G_SOURCE_CONTINUE;
}

/* Frames. */

Frame *
server_get_frame (CairoVncServer *server)
{
  return server->frame;
}

void
server_get_size (CairoVncServer *server, int *width, int *height)
{
  if (server->frame != NULL)
    {
      *width = server->frame->width;
      *height = server->frame->height;
      return;
    }
  g_mutex_lock (&server->state_lock);
  *width = server->source.width;
  *height = server->source.height;
  g_mutex_unlock (&server->state_lock);
}

static gint64
frame_period_us (CairoVncServer *server)
{
  double fps;

  g_mutex_lock (&server->state_lock);
  fps = server->max_framerate;
  g_mutex_unlock (&server->state_lock);
  return fps > 0 ? (gint64) (G_USEC_PER_SEC / fps) : 0;
}

static gint64
next_allowed_snapshot (CairoVncServer *server)
{
  gint64 now = g_get_monotonic_time ();

  return MAX (now, server->next_snapshot_us);
}

void
server_want_frame (CairoVncServer *server)
{
  gboolean frame_driven;

  if (server->frame_source == NULL)
    return;
  g_mutex_lock (&server->state_lock);
  frame_driven = server->last_frame_ready_us != 0 &&
                 g_get_monotonic_time () - server->last_frame_ready_us < FRAME_DRIVEN_WINDOW_US;
  g_mutex_unlock (&server->state_lock);
  /* The program says when it has drawn a frame; but look again once the
   * window passes, in case it stopped saying so. */
  if (frame_driven && server->frame != NULL)
    wake_at (server->frame_source, server->last_frame_ready_us + FRAME_DRIVEN_WINDOW_US);
  else
    wake_at (server->frame_source, next_allowed_snapshot (server));
}

static gboolean
has_ready_clients (CairoVncServer *server)
{
  /* Snapshots are for viewers past the handshake: the frame size they
   * learn in ServerInit comes from the source until then. */
  return count_clients (server) > 0;
}

static void
take_snapshot (CairoVncServer *server)
{
  SurfaceSource source = { 0 };
  cairo_region_t *hints;
  gboolean has_copy_hint;
  CopyOp copy_hint;
  g_autoptr (Frame) frame = NULL;
  cairo_region_t *damage;
  g_autoptr (GPtrArray) clients = NULL;
  gint64 now;

  g_mutex_lock (&server->state_lock);
  source = server->source;
  cairo_surface_reference (source.surface);
  server->source_changed = FALSE;
  hints = server->damage_hints;
  server->damage_hints = cairo_region_create ();
  has_copy_hint = server->has_copy_hint;
  copy_hint = server->copy_hint;
  server->has_copy_hint = FALSE;
  g_mutex_unlock (&server->state_lock);
  if (source.lock == NULL)
    source.lock = &server->own_surface_lock;

  /* Snapshots keep to a grid of max-framerate periods: a frame that comes
   * a little early waits only for its slot, lateness does not add up, and
   * after a pause the grid starts again half a period back. */
  now = g_get_monotonic_time ();
  server->next_snapshot_us = MAX (server->next_snapshot_us, now - frame_period_us (server) / 2) +
                             frame_period_us (server);
  frame = snapshot_take (&source, ++server->next_frame_id, server->frame_pool);
  cairo_surface_destroy (source.surface);

  damage = damage_compute (server->frame, frame, hints);
  cairo_region_destroy (hints);
  /* The program's word for a move, when the pixels bear it out; else a
   * scroll found by looking. */
  if (has_copy_hint && copy_op_verify (server->frame, frame, &copy_hint))
    {
      frame->has_copy = TRUE;
      frame->copy = copy_hint;
    }
  else if (!cairo_region_is_empty (damage))
    {
      frame->has_copy = scroll_detect (server->frame, frame, damage, &frame->copy);
    }
  tile_cache_new_frame (server->cache, frame);
  g_clear_pointer (&server->frame, frame_unref);
  server->frame = frame_ref (frame);

  /* Viewers may close while being told; work on a copy. */
  clients = g_ptr_array_new_with_free_func ((GDestroyNotify) client_unref);
  for (guint i = 0; i < server->clients->len; i++)
    g_ptr_array_add (clients, client_ref (g_ptr_array_index (server->clients, i)));
  if (!cairo_region_is_empty (damage))
    for (guint i = 0; i < clients->len; i++)
      client_frame_changed (g_ptr_array_index (clients, i), frame, damage);
  cairo_region_destroy (damage);
  for (guint i = 0; i < clients->len; i++)
    client_try_send (g_ptr_array_index (clients, i));
}

static gboolean
on_frame_due (gpointer data)
{
  CairoVncServer *server = data;
  gint64 now = g_get_monotonic_time ();
  gint64 allowed;

  if (!has_ready_clients (server))
    return G_SOURCE_CONTINUE;
  allowed = next_allowed_snapshot (server);
  if (allowed > now)
    {
      wake_at (server->frame_source, allowed);
      return G_SOURCE_CONTINUE;
    }
  take_snapshot (server);
  return G_SOURCE_CONTINUE;
}

void
server_update_sent (CairoVncServer *server, guint client_id, const char *encoding,
                    guint rectangles, gsize bytes)
{
  /* A hundred viewers at 30 fps: skip the emission nobody listens to. */
  if (g_signal_has_handler_pending (server, signals[SIGNAL_UPDATE_SENT], 0, FALSE))
    g_signal_emit (server, signals[SIGNAL_UPDATE_SENT], 0, client_id, encoding, rectangles,
                   (guint64) bytes);
}

/* Events. */

void
server_pause_reading (CairoVncServer *server)
{
  wake_at (server->resume_source, g_get_monotonic_time () + RESUME_POLL_US);
}

static gboolean
on_resume_due (gpointer data)
{
  CairoVncServer *server = data;
  g_autoptr (GPtrArray) clients = NULL;

  if (g_atomic_int_get (&server->n_paused) == 0)
    return G_SOURCE_CONTINUE;
  clients = g_ptr_array_new_with_free_func ((GDestroyNotify) client_unref);
  for (guint i = 0; i < server->clients->len; i++)
    g_ptr_array_add (clients, client_ref (g_ptr_array_index (server->clients, i)));
  for (guint i = 0; i < clients->len; i++)
    client_resume_reading (g_ptr_array_index (clients, i));
  /* Whoever paused again polls again. */
  return G_SOURCE_CONTINUE;
}

/* Starting and stopping. */

static GSocket *
listen_on (GInetAddress *address, guint port, GError **error)
{
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GSocketAddress) socket_address = NULL;

  socket = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;
  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6 && g_inet_address_get_is_any (address))
    g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, 0, NULL); /* IPv4 too */
  socket_address = g_inet_socket_address_new (address, (guint16) port);
  g_socket_set_blocking (socket, FALSE);
  g_socket_set_listen_backlog (socket, 128);
  if (!g_socket_bind (socket, socket_address, TRUE, error) || !g_socket_listen (socket, error))
    return NULL;
  return g_steal_pointer (&socket);
}

static guint
socket_port (GSocket *socket)
{
  g_autoptr (GSocketAddress) address = g_socket_get_local_address (socket, NULL);

  return address != NULL ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)) : 0;
}

/* Listens on @port of @host's addresses, adding the sockets to
 * @listeners; @what (" for browsers" or "") goes into error messages.
 * Sets @bound_port to the port, the one picked when @port is 0. */
static gboolean
open_listeners (const char *host, guint port, const char *what, GPtrArray *listeners, guint *bound_port,
                GError **error)
{
  g_autolist (GInetAddress) addresses = NULL;
  g_autoptr (GError) local_error = NULL;
  const char *shown_host = host != NULL ? host : "*";

  if (host == NULL)
    {
      addresses = g_list_append (addresses, g_inet_address_new_any (G_SOCKET_FAMILY_IPV6));
    }
  else
    {
      GInetAddress *literal = g_inet_address_new_from_string (host);
      if (literal != NULL)
        addresses = g_list_append (addresses, literal);
      else
        addresses = g_resolver_lookup_by_name (g_resolver_get_default (), host, NULL, &local_error);
      if (addresses == NULL)
        {
          g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_LISTEN, "Cannot listen%s on %s:%u: %s",
                       what, host, port, local_error->message);
          return FALSE;
        }
    }

  for (GList *l = addresses; l != NULL; l = l->next)
    {
      GSocket *socket;

      g_clear_error (&local_error);
      socket = listen_on (l->data, port, &local_error);
      if (socket == NULL && host == NULL &&
          !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        {
          /* No IPv6 on this machine: IPv4 alone. */
          g_autoptr (GInetAddress) any4 = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
          g_clear_error (&local_error);
          socket = listen_on (any4, port, &local_error);
        }
      if (socket == NULL)
        {
          g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_LISTEN, "Cannot listen%s on %s:%u: %s",
                       what, shown_host, port, local_error->message);
          return FALSE;
        }
      /* Every address gets the port the first one was given. */
      if (port == 0)
        port = socket_port (socket);
      g_ptr_array_add (listeners, socket);
    }
  *bound_port = port;
  return TRUE;
}

static void
close_sockets (GPtrArray **sockets)
{
  for (guint i = 0; *sockets && i < (*sockets)->len; i++)
    g_socket_close (g_ptr_array_index (*sockets, i), NULL);
  g_clear_pointer (sockets, g_ptr_array_unref);
}

static void
close_listeners (CairoVncServer *server)
{
  for (guint i = 0; server->listen_sources && i < server->listen_sources->len; i++)
    g_source_destroy (g_ptr_array_index (server->listen_sources, i));
  g_clear_pointer (&server->listen_sources, g_ptr_array_unref);
  close_sockets (&server->listeners);
  close_sockets (&server->http_listeners);
}

static void
watch_listeners (CairoVncServer *server, GPtrArray *listeners,
                 gboolean (*on_incoming_func) (GSocket *, GIOCondition, gpointer))
{
  for (guint i = 0; listeners != NULL && i < listeners->len; i++)
    {
      GSource *source = g_socket_create_source (g_ptr_array_index (listeners, i), G_IO_IN, NULL);
      g_source_set_callback (source, (GSourceFunc) (void (*) (void)) on_incoming_func, server, NULL);
      g_source_attach (source, server->context);
      g_ptr_array_add (server->listen_sources, source);
    }
}

/* The folder of pages to serve, or NULL; FALSE when the program named
 * one that is not there. */
static gboolean
find_http_root (const char *root, gboolean root_set, char **serving_root, GError **error)
{
  *serving_root = NULL;
  if (root == NULL || *root == '\0')
    return TRUE;
  if (g_file_test (root, G_FILE_TEST_IS_DIR))
    {
      *serving_root = g_strdup (root);
      return TRUE;
    }
  if (root_set)
    {
      g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_HTTP_ROOT, "http-root %s is not a folder", root);
      return FALSE;
    }
  g_info ("noVNC is not in %s (Debian's novnc package puts it there): browsers get no viewer page, "
          "but WebSocket viewers can connect", root);
  return TRUE;
}

/* Loads the certificate and makes the anonymous context as the
 * properties say; FALSE when they cannot be, or when encryption is
 * required and there would be no way to offer it. */
static gboolean
load_tls (CairoVncServer *server, GError **error)
{
  g_autofree char *cert_file = NULL;
  g_autofree char *key_file = NULL;
  gboolean anonymous, require;
  SSL_CTX *x509 = NULL, *anonymous_ctx = NULL, *old_x509, *old_anonymous;

  g_mutex_lock (&server->state_lock);
  cert_file = g_strdup (server->tls_cert_file);
  key_file = g_strdup (server->tls_key_file);
  anonymous = server->allow_anonymous_tls;
  require = server->require_encryption;
  g_mutex_unlock (&server->state_lock);

  if ((cert_file == NULL || *cert_file == '\0') && key_file != NULL && *key_file != '\0')
    {
      g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_TLS,
                   "tls-key-file is %s but tls-cert-file is not set", key_file);
      return FALSE;
    }
  if (cert_file != NULL && *cert_file != '\0' && (x509 = tls_context_new_x509 (cert_file, key_file, error)) == NULL)
    return FALSE;
  if (anonymous && (anonymous_ctx = tls_context_new_anonymous (error)) == NULL)
    {
      SSL_CTX_free (x509);
      return FALSE;
    }
  if (require && x509 == NULL && anonymous_ctx == NULL)
    {
      g_set_error_literal (error, CAIROVNC_ERROR, CAIROVNC_ERROR_TLS,
                           "require-encryption is set, but there is no certificate (tls-cert-file) and "
                           "allow-anonymous-tls is off: no viewer could connect");
      return FALSE;
    }
  g_mutex_lock (&server->state_lock);
  old_x509 = server->tls_x509;
  old_anonymous = server->tls_anonymous;
  server->tls_x509 = x509;
  server->tls_anonymous = anonymous_ctx;
  g_mutex_unlock (&server->state_lock);
  SSL_CTX_free (old_x509);
  SSL_CTX_free (old_anonymous);
  return TRUE;
}

static void
unload_tls (CairoVncServer *server)
{
  SSL_CTX *x509, *anonymous;

  g_mutex_lock (&server->state_lock);
  x509 = g_steal_pointer (&server->tls_x509);
  anonymous = g_steal_pointer (&server->tls_anonymous);
  g_mutex_unlock (&server->state_lock);
  SSL_CTX_free (x509);
  SSL_CTX_free (anonymous);
}

void
server_get_security_policy (CairoVncServer *server, SecurityPolicy *policy)
{
  memset (policy, 0, sizeof *policy);
  g_mutex_lock (&server->state_lock);
  policy->has_password = (server->password != NULL && *server->password) ||
                         (server->password_readonly != NULL && *server->password_readonly);
  policy->has_username = policy->has_password && server->username != NULL && *server->username;
  policy->x509 = server->tls_x509 != NULL;
  policy->anonymous_tls = server->tls_anonymous != NULL;
  policy->require_encryption = server->require_encryption;
  g_mutex_unlock (&server->state_lock);
}

SSL_CTX *
server_ref_tls_context (CairoVncServer *server, gboolean anonymous)
{
  SSL_CTX *ctx;

  g_mutex_lock (&server->state_lock);
  ctx = anonymous ? server->tls_anonymous : server->tls_x509;
  if (ctx != NULL)
    SSL_CTX_up_ref (ctx);
  g_mutex_unlock (&server->state_lock);
  return ctx;
}

static void
destroy_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_source_unref (*source);
  *source = NULL;
}

/* Runs on the server context (or with it acquired). */
static void
shut_down (CairoVncServer *server)
{
  g_autoptr (GPtrArray) clients = NULL;
  GSource *frame_source, *resume_source;

  close_listeners (server);
  clients = g_ptr_array_new_with_free_func ((GDestroyNotify) client_unref);
  for (guint i = 0; i < server->clients->len; i++)
    g_ptr_array_add (clients, client_ref (g_ptr_array_index (server->clients, i)));
  for (guint i = 0; i < clients->len; i++)
    client_close (g_ptr_array_index (clients, i), "the server stopped");
  /* Public calls use these sources under state_lock while running. */
  g_clear_pointer (&server->serving_root, g_free);
  g_mutex_lock (&server->state_lock);
  server->running = FALSE;
  server->bound_port = 0;
  server->bound_http_port = 0;
  frame_source = g_steal_pointer (&server->frame_source);
  resume_source = g_steal_pointer (&server->resume_source);
  g_mutex_unlock (&server->state_lock);
  destroy_source (&frame_source);
  destroy_source (&resume_source);
  g_clear_pointer (&server->cache, tile_cache_free);
  g_clear_pointer (&server->frame, frame_unref);
  server->next_snapshot_us = 0;
  g_clear_pointer (&server->frame_pool, frame_pool_unref);
  unload_tls (server);
  if (server->loop != NULL)
    g_main_loop_quit (server->loop);
}

/**
 * cairovnc_server_start:
 * @server: a server
 * @context: (nullable): the main context to serve on; %NULL for the
 *   thread-default one
 * @error: return location for a #GError
 *
 * Starts listening. The server works when @context is iterated: the
 * program's own main loop, or its own calls to g_main_context_iteration().
 *
 * Returns: %TRUE when listening; %FALSE with @error set (the surface
 *   cannot be served, the port is in use, the server is running)
 *
 * Since: 0.1
 */
gboolean
cairovnc_server_start (CairoVncServer *server, GMainContext *context, GError **error)
{
  g_autofree char *host = NULL;
  g_autofree char *http_root = NULL;
  g_autofree char *serving_root = NULL;
  g_autoptr (cairo_surface_t) surface = NULL;
  SurfaceSource checked = { 0 };
  guint port, http_port, bound_port = 0, bound_http_port = 0;
  gboolean http_root_set;

  g_return_val_if_fail (CAIROVNC_IS_SERVER (server), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&server->state_lock);
  if (server->running)
    {
      g_mutex_unlock (&server->state_lock);
      g_set_error_literal (error, CAIROVNC_ERROR, CAIROVNC_ERROR_RUNNING, "The server is already running");
      return FALSE;
    }
  host = g_strdup (server->host);
  port = server->port;
  http_port = server->http_port;
  http_root = g_strdup (server->http_root);
  http_root_set = server->http_root_set;
  g_mutex_unlock (&server->state_lock);

  g_mutex_lock (&server->state_lock);
  surface = cairo_surface_reference (server->source.surface);
  g_mutex_unlock (&server->state_lock);
  /* A server made with g_object_new(), as GI languages may, has none yet. */
  if (surface == NULL)
    {
      g_set_error_literal (error, CAIROVNC_ERROR, CAIROVNC_ERROR_UNSUPPORTED_SURFACE,
                           "The server has no surface: give it one with cairovnc_server_set_surface()");
      return FALSE;
    }
  if (!snapshot_check_surface (surface, &checked, error))
    return FALSE;
  g_mutex_lock (&server->state_lock);
  if (server->source.surface == surface)
    {
      server->source.x = checked.x;
      server->source.y = checked.y;
      server->source.width = checked.width;
      server->source.height = checked.height;
    }
  g_mutex_unlock (&server->state_lock);

  if (http_port != 0 && !find_http_root (http_root, http_root_set, &serving_root, error))
    return FALSE;
  if (!load_tls (server, error))
    return FALSE;
  server->listeners = g_ptr_array_new_with_free_func (g_object_unref);
  server->listen_sources = g_ptr_array_new_with_free_func ((GDestroyNotify) g_source_unref);
  if (http_port != 0)
    server->http_listeners = g_ptr_array_new_with_free_func (g_object_unref);
  if (!open_listeners (host, port, "", server->listeners, &bound_port, error) ||
      (http_port != 0 &&
       !open_listeners (host, http_port, " for browsers", server->http_listeners, &bound_http_port, error)))
    {
      close_listeners (server);
      unload_tls (server);
      return FALSE;
    }
  server->serving_root = g_steal_pointer (&serving_root);

  g_clear_pointer (&server->context, g_main_context_unref);
  server->context = context != NULL ? g_main_context_ref (context) : g_main_context_ref_thread_default ();
  server->cache = tile_cache_new (server->context);
  server->frame_pool = frame_pool_new ();
  watch_listeners (server, server->listeners, on_incoming);
  watch_listeners (server, server->http_listeners, on_incoming_http);
  server->frame_source = wakeup_source_new ("cairovnc frame", on_frame_due, server);
  g_source_attach (server->frame_source, server->context);
  server->resume_source = wakeup_source_new ("cairovnc resume reading", on_resume_due, server);
  g_source_attach (server->resume_source, server->context);

  g_mutex_lock (&server->state_lock);
  server->running = TRUE;
  server->bound_port = bound_port;
  server->bound_http_port = bound_http_port;
  g_mutex_unlock (&server->state_lock);
  SERVER_INFO (server, "Serving %dx%d on %s port %u", checked.width, checked.height,
               host ? host : "every address", bound_port);
  if (bound_http_port != 0)
    SERVER_INFO (server, "Serving browsers on port %u%s: %s%s", bound_http_port,
                 server->tls_x509 != NULL ? " (with TLS too)" : "",
                 server->serving_root ? "pages from " : "WebSocket viewers only",
                 server->serving_root ? server->serving_root : "");
  return TRUE;
}

typedef struct {
  CairoVncServer *server;
  GMainLoop *loop;
  Rendezvous running;
} ThreadStart;

/* Runs inside the thread's loop: from now on stop() reaches it. */
static gboolean
tell_loop_running (gpointer data)
{
  ThreadStart *start = data;

  rendezvous_signal (&start->running);
  return G_SOURCE_REMOVE;
}

static gpointer
run_thread (gpointer data)
{
  ThreadStart *start = data;
  GMainContext *context = start->server->context;
  GMainLoop *loop = g_main_loop_ref (start->loop);
  GSource *started = g_idle_source_new ();

  g_main_context_push_thread_default (context);
  g_source_set_priority (started, G_PRIORITY_HIGH);
  g_source_set_callback (started, tell_loop_running, start, NULL);
  g_source_attach (started, context);
  g_source_unref (started);
  g_main_loop_run (loop);
  g_main_context_pop_thread_default (context);
  g_main_loop_unref (loop);
  return NULL;
}

/**
 * cairovnc_server_start_thread:
 * @server: a server
 * @error: return location for a #GError
 *
 * Starts listening and serves on a thread of the server's own, until
 * cairovnc_server_stop().
 *
 * Returns: %TRUE when listening; %FALSE with @error set
 *
 * Since: 0.1
 */
gboolean
cairovnc_server_start_thread (CairoVncServer *server, GError **error)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  ThreadStart start = { .server = server };

  g_return_val_if_fail (CAIROVNC_IS_SERVER (server), FALSE);
  if (!cairovnc_server_start (server, context, error))
    return FALSE;
  server->loop = g_main_loop_new (context, FALSE);
  start.loop = server->loop;
  rendezvous_init (&start.running);
  /* Wait until the thread iterates the context: a stop() before that
   * would quit a loop not yet running, and the thread would never end. */
  server->thread = g_thread_new ("cairovnc", run_thread, &start);
  rendezvous_wait (&start.running);
  return TRUE;
}

/**
 * cairovnc_server_run:
 * @server: a server
 * @error: return location for a #GError
 *
 * Starts listening and serves on the calling thread until
 * cairovnc_server_stop() is called from another thread.
 *
 * Returns: %TRUE after a clean stop; %FALSE with @error set when it could
 *   not start
 *
 * Since: 0.1
 */
gboolean
cairovnc_server_run (CairoVncServer *server, GError **error)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GMainLoop) loop = NULL;

  g_return_val_if_fail (CAIROVNC_IS_SERVER (server), FALSE);
  g_main_context_push_thread_default (context);
  if (!cairovnc_server_start (server, context, error))
    {
      g_main_context_pop_thread_default (context);
      return FALSE;
    }
  loop = g_main_loop_new (context, FALSE);
  server->loop = g_main_loop_ref (loop);
  g_main_loop_run (loop);
  g_clear_pointer (&server->loop, g_main_loop_unref);
  g_main_context_pop_thread_default (context);
  return TRUE;
}

/* A call on the server context that the calling thread waits for. */
typedef struct {
  CairoVncServer *server;
  void (*func) (CairoVncServer *server, gpointer data);
  gpointer data;
  Rendezvous done;
} ContextCall;

static gboolean
context_call_run (gpointer data)
{
  ContextCall *call = data;

  call->func (call->server, call->data);
  rendezvous_signal (&call->done);
  return G_SOURCE_REMOVE;
}

/* Runs @func on the server context: here, when the context is free to
 * take (nobody iterates it, or this thread does), else on the thread that
 * iterates it, waiting for it to finish. */
static void
run_on_server_context (CairoVncServer *server,
                       void (*func) (CairoVncServer *server, gpointer data),
                       gpointer data)
{
  ContextCall call = { server, func, data };

  if (g_main_context_acquire (server->context))
    {
      func (server, data);
      g_main_context_release (server->context);
      return;
    }
  rendezvous_init (&call.done);
  g_main_context_invoke_full (server->context, G_PRIORITY_HIGH, context_call_run, &call, NULL);
  rendezvous_wait (&call.done);
}

static void
shut_down_call (CairoVncServer *server, gpointer data)
{
  shut_down (server);
}

/**
 * cairovnc_server_stop:
 * @server: a server
 *
 * Disconnects every viewer and stops listening; from any thread. When it
 * returns, the port is closed. Events not yet taken stay in the queue.
 *
 * Since: 0.1
 */
void
cairovnc_server_stop (CairoVncServer *server)
{
  GThread *thread;

  g_return_if_fail (CAIROVNC_IS_SERVER (server));

  g_mutex_lock (&server->state_lock);
  if (!server->running)
    {
      g_mutex_unlock (&server->state_lock);
      return;
    }
  g_mutex_unlock (&server->state_lock);

  run_on_server_context (server, shut_down_call, NULL);

  thread = g_steal_pointer (&server->thread);
  if (thread != NULL)
    {
      if (thread != g_thread_self ())
        g_thread_join (thread);
      else
        g_thread_unref (thread);
      g_clear_pointer (&server->loop, g_main_loop_unref);
    }
}

/**
 * cairovnc_server_is_running:
 * @server: a server
 *
 * Returns: whether the server is listening
 *
 * Since: 0.1
 */
gboolean
cairovnc_server_is_running (CairoVncServer *server)
{
  gboolean running;

  g_return_val_if_fail (CAIROVNC_IS_SERVER (server), FALSE);
  g_mutex_lock (&server->state_lock);
  running = server->running;
  g_mutex_unlock (&server->state_lock);
  return running;
}

/**
 * cairovnc_server_get_port:
 * @server: a server
 *
 * Returns: the port the running server listens on (the one picked when
 *   #CairoVncServer:port is 0), or 0 when it is not running
 *
 * Since: 0.1
 */
static guint
read_under_lock (CairoVncServer *server, const guint *field)
{
  guint value;

  g_mutex_lock (&server->state_lock);
  value = *field;
  g_mutex_unlock (&server->state_lock);
  return value;
}

guint
cairovnc_server_get_port (CairoVncServer *server)
{
  g_return_val_if_fail (CAIROVNC_IS_SERVER (server), 0);
  return read_under_lock (server, &server->bound_port);
}

/**
 * cairovnc_server_get_http_port:
 * @server: a server
 *
 * Returns: the port the running server takes browsers on, or 0 when it
 *   is not running or has no #CairoVncServer:http-port
 *
 * Since: 0.1
 */
guint
cairovnc_server_get_http_port (CairoVncServer *server)
{
  g_return_val_if_fail (CAIROVNC_IS_SERVER (server), 0);
  return read_under_lock (server, &server->bound_http_port);
}

static void
count_clients_call (CairoVncServer *server, gpointer data)
{
  *(guint *) data = count_clients (server);
}

/**
 * cairovnc_server_get_n_clients:
 * @server: a server
 *
 * Returns: how many viewers are connected, in the handshake or after it
 *   (a browser counts once it has opened its WebSocket). From a thread
 *   other than the server's, this waits for the server context to
 *   answer.
 *
 * Since: 0.1
 */
guint
cairovnc_server_get_n_clients (CairoVncServer *server)
{
  guint n = 0;

  g_return_val_if_fail (CAIROVNC_IS_SERVER (server), 0);
  if (cairovnc_server_is_running (server))
    run_on_server_context (server, count_clients_call, &n);
  return n;
}

/* Changes from the program. */

/**
 * cairovnc_server_try_set_surface:
 * @server: a server
 * @surface: the new surface
 * @surface_lock: (nullable): its lock, or %NULL
 * @error: return location for a #GError
 *
 * Serves @surface from now on, of any size: viewers that support
 * DesktopSize or ExtendedDesktopSize are told the new size and sent a full
 * frame; others keep their size and see the part that fits.
 *
 * Returns: %TRUE; %FALSE with @error set when @surface cannot be served
 *
 * Since: 0.1
 */
gboolean
cairovnc_server_try_set_surface (CairoVncServer  *server,
                                 cairo_surface_t *surface,
                                 GMutex          *surface_lock,
                                 GError         **error)
{
  SurfaceSource old, checked = { 0 };

  g_return_val_if_fail (CAIROVNC_IS_SERVER (server), FALSE);
  g_return_val_if_fail (surface != NULL, FALSE);
  if (!snapshot_check_surface (surface, &checked, error))
    return FALSE;
  checked.surface = cairo_surface_reference (surface);
  checked.lock = surface_lock;

  g_mutex_lock (&server->state_lock);
  old = server->source;
  server->source = checked;
  server->source_changed = TRUE;
  if (server->running)
    g_source_set_ready_time (server->frame_source, 0);
  g_mutex_unlock (&server->state_lock);
  surface_source_clear (&old);
  return TRUE;
}

/**
 * cairovnc_server_set_surface:
 * @server: a server
 * @surface: the new surface
 * @surface_lock: (nullable): its lock, or %NULL
 *
 * As cairovnc_server_try_set_surface(); a surface that cannot be served
 * is a programming error, logged as a warning, and the old one stays.
 *
 * Since: 0.1
 */
void
cairovnc_server_set_surface (CairoVncServer  *server,
                             cairo_surface_t *surface,
                             GMutex          *surface_lock)
{
  g_autoptr (GError) error = NULL;

  if (!cairovnc_server_try_set_surface (server, surface, surface_lock, &error) && error != NULL)
    g_warning ("cairovnc_server_set_surface: %s", error->message);
}

typedef struct {
  CairoVncServer *server;
  void (*tell) (Client *client);
} TellClients;

static void
tell_clients_free (gpointer data)
{
  TellClients *call = data;

  g_object_unref (call->server);
  g_free (call);
}

static gboolean
tell_clients_on_context (gpointer data)
{
  TellClients *call = data;
  CairoVncServer *server = call->server;
  g_autoptr (GPtrArray) clients = NULL;

  if (server->clients == NULL || server->frame_source == NULL)
    return G_SOURCE_REMOVE;
  /* Viewers may close while being told; work on a copy. */
  clients = g_ptr_array_new_with_free_func ((GDestroyNotify) client_unref);
  for (guint i = 0; i < server->clients->len; i++)
    g_ptr_array_add (clients, client_ref (g_ptr_array_index (server->clients, i)));
  for (guint i = 0; i < clients->len; i++)
    call->tell (g_ptr_array_index (clients, i));
  return G_SOURCE_REMOVE;
}

/* Calls @tell for every viewer, on the server context, if it runs. */
static void
tell_clients (CairoVncServer *server, void (*tell) (Client *client))
{
  TellClients *call;

  if (!cairovnc_server_is_running (server))
    return;
  call = g_new (TellClients, 1);
  call->server = g_object_ref (server);
  call->tell = tell;
  g_main_context_invoke_full (server->context, G_PRIORITY_DEFAULT, tell_clients_on_context, call,
                              tell_clients_free);
}

/**
 * cairovnc_server_set_desktop_name:
 * @server: a server
 * @name: (nullable): the name, in UTF-8; %NULL for an empty one
 *
 * Renames the desktop; viewers that support DesktopName are told.
 *
 * Since: 0.1
 */
void
cairovnc_server_set_desktop_name (CairoVncServer *server, const char *name)
{
  gboolean changed;

  g_return_if_fail (CAIROVNC_IS_SERVER (server));
  g_return_if_fail (name == NULL || g_utf8_validate (name, -1, NULL));

  g_mutex_lock (&server->state_lock);
  changed = g_strcmp0 (server->desktop_name, name ? name : "") != 0;
  g_free (server->desktop_name);
  server->desktop_name = g_strdup (name ? name : "");
  g_mutex_unlock (&server->state_lock);
  if (!changed)
    return;
  g_object_notify_by_pspec (G_OBJECT (server), properties[PROP_DESKTOP_NAME]);
  tell_clients (server, client_name_changed);
}

/**
 * cairovnc_server_dup_desktop_name:
 * @server: a server
 *
 * Returns: (transfer full): the desktop name; free it with g_free()
 *
 * Since: 0.1
 */
char *
cairovnc_server_dup_desktop_name (CairoVncServer *server)
{
  char *name;

  g_return_val_if_fail (CAIROVNC_IS_SERVER (server), NULL);
  g_mutex_lock (&server->state_lock);
  name = g_strdup (server->desktop_name);
  g_mutex_unlock (&server->state_lock);
  return name;
}

/**
 * cairovnc_server_frame_ready:
 * @server: a server
 *
 * Says that a new frame is complete: viewers get it at once (within
 * #CairoVncServer:max-framerate), and pushed-to viewers get it unasked.
 * Programs that call this after each frame spare the server from looking
 * for changes itself.
 *
 * Since: 0.1
 */
void
cairovnc_server_frame_ready (CairoVncServer *server)
{
  g_return_if_fail (CAIROVNC_IS_SERVER (server));

  g_mutex_lock (&server->state_lock);
  server->last_frame_ready_us = g_get_monotonic_time ();
  if (server->running)
    g_source_set_ready_time (server->frame_source, 0);
  g_mutex_unlock (&server->state_lock);
}

/**
 * cairovnc_server_lock_surface:
 * @server: a server
 *
 * Takes the server's own surface lock. It is for programs that give
 * their surface without a lock of their own (%NULL for @surface_lock in
 * cairovnc_server_new() and cairovnc_server_set_surface()), as Python,
 * GJS and the other GObject Introspection languages must, having no
 * #GMutex to give: the server holds this lock while it copies the pixels
 * of such a surface. Drawing between cairovnc_server_lock_surface() and
 * cairovnc_server_unlock_surface() keeps viewers from ever seeing half a
 * frame. In Python:
 *
 * ```python
 * server = CairoVnc.Server.new(surface, None)
 * ...
 * server.lock_surface()
 * try:
 *     draw(context)
 * finally:
 *     server.unlock_surface()
 * server.frame_ready()
 * ```
 *
 * The lock is not recursive. The server holds it only for the copy, never
 * while it encodes or sends, so drawing waits at most one copy of the
 * surface. A surface given with a lock of the program's own is copied
 * under that lock, not this one.
 *
 * Since: 0.1
 */
void
cairovnc_server_lock_surface (CairoVncServer *server)
{
  g_return_if_fail (CAIROVNC_IS_SERVER (server));
  g_mutex_lock (&server->own_surface_lock);
}

/**
 * cairovnc_server_unlock_surface:
 * @server: a server
 *
 * Releases the lock taken by cairovnc_server_lock_surface(), on the same
 * thread.
 *
 * Since: 0.1
 */
void
cairovnc_server_unlock_surface (CairoVncServer *server)
{
  g_return_if_fail (CAIROVNC_IS_SERVER (server));
  g_mutex_unlock (&server->own_surface_lock);
}

/**
 * cairovnc_server_add_damage:
 * @server: a server
 * @rect: an area of the surface that changed
 *
 * Says that @rect changed: its tiles are sent with the next frame even if
 * they compare equal. (From Python, @rect is a
 * `gi.repository.cairo.RectangleInt`, not a pycairo one.)
 *
 * Since: 0.1
 */
void
cairovnc_server_add_damage (CairoVncServer *server, const cairo_rectangle_int_t *rect)
{
  g_return_if_fail (CAIROVNC_IS_SERVER (server));
  g_return_if_fail (rect != NULL);

  g_mutex_lock (&server->state_lock);
  cairo_region_union_rectangle (server->damage_hints, rect);
  g_mutex_unlock (&server->state_lock);
}

/**
 * cairovnc_server_add_copy:
 * @server: a server
 * @dest: the area that now shows what was elsewhere
 * @dx: how far it moved, to the right
 * @dy: how far it moved, down
 *
 * Says that the pixels now in @dest are those that were at @dest moved by
 * (-@dx, -@dy) in the last frame: a scroll. Viewers that support CopyRect
 * are told to copy instead of being sent the pixels again. Checked
 * against the pixels before use; vertical scrolls of whole rows are found
 * without it.
 *
 * Since: 0.1
 */
void
cairovnc_server_add_copy (CairoVncServer *server, const cairo_rectangle_int_t *dest, int dx, int dy)
{
  g_return_if_fail (CAIROVNC_IS_SERVER (server));
  g_return_if_fail (dest != NULL);

  g_mutex_lock (&server->state_lock);
  server->has_copy_hint = TRUE;
  server->copy_hint = (CopyOp) { *dest, dx, dy };
  g_mutex_unlock (&server->state_lock);
}

/**
 * cairovnc_server_try_set_cursor:
 * @server: a server
 * @surface: (nullable): the pointer's shape: an ARGB32 or RGB24 image
 *   surface of at most 512x512 pixels, or %NULL for the viewers' own
 *   pointer
 * @hot_x: the hotspot (the pixel that points), from the left
 * @hot_y: the hotspot, from the top
 * @error: return location for a #GError
 *
 * Sets the pointer shape that viewers draw over the surface, locally,
 * without a round trip. Each viewer gets it with its next update: with
 * Cursor With Alpha (true transparency) when it supports that, else with
 * the Cursor pseudo-encoding, whose bitmask shows the pixels at least half
 * opaque. A viewer that supports neither draws its own pointer; the
 * shape is never drawn into the pixels it is sent.
 *
 * The pixels are copied before this returns, on the calling thread, so
 * @surface may then be changed or destroyed. The server takes no lock for
 * this copy: a program that draws into @surface from another thread holds
 * its own lock around the call (the surface lock included: the server
 * does not take it here).
 *
 * %NULL sends an empty shape, which viewers take as "no shape from the
 * server": most show their usual pointer again.
 *
 * Returns: %TRUE; %FALSE with @error set when @surface cannot be a cursor
 *   (%CAIROVNC_ERROR_UNSUPPORTED_SURFACE: not an ARGB32 or RGB24 image,
 *   empty or too large, or the hotspot outside it)
 *
 * Since: 0.1
 */
gboolean
cairovnc_server_try_set_cursor (CairoVncServer  *server,
                                cairo_surface_t *surface,
                                int              hot_x,
                                int              hot_y,
                                GError         **error)
{
  Cursor *cursor = NULL, *old;

  g_return_val_if_fail (CAIROVNC_IS_SERVER (server), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  if (surface != NULL && (cursor = cursor_new_from_surface (surface, hot_x, hot_y, error)) == NULL)
    return FALSE;

  g_mutex_lock (&server->state_lock);
  old = server->cursor;
  server->cursor = cursor;
  server->cursor_serial++;
  g_mutex_unlock (&server->state_lock);
  cursor_unref (old);
  tell_clients (server, client_try_send);
  return TRUE;
}

/**
 * cairovnc_server_set_cursor:
 * @server: a server
 * @surface: (nullable): the pointer's shape, or %NULL for the viewers' own
 * @hot_x: the hotspot, from the left
 * @hot_y: the hotspot, from the top
 *
 * As cairovnc_server_try_set_cursor(); a surface that cannot be a cursor
 * is a programming error, logged as a warning, and the old cursor stays.
 *
 * Since: 0.1
 */
void
cairovnc_server_set_cursor (CairoVncServer *server, cairo_surface_t *surface, int hot_x, int hot_y)
{
  g_autoptr (GError) error = NULL;

  if (!cairovnc_server_try_set_cursor (server, surface, hot_x, hot_y, &error) && error != NULL)
    g_warning ("cairovnc_server_set_cursor: %s", error->message);
}

static gboolean
check_clipboard_size (const char *what, const char *value, guint max_size, GError **error)
{
  gsize len = value != NULL ? strlen (value) : 0;

  if (len <= max_size)
    return TRUE;
  g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_TOO_LARGE,
               "The clipboard's %s of %" G_GSIZE_FORMAT " bytes is over clipboard-max-size (%u bytes)",
               what, len, max_size);
  return FALSE;
}

/**
 * cairovnc_server_set_clipboard:
 * @server: a server
 * @text: (nullable): plain text, in UTF-8 (lines may end in LF or CRLF)
 * @rtf: (nullable): the same as an RTF document
 * @html: (nullable): the same as an HTML fragment, in UTF-8 (or a whole
 *   CF_HTML document, with its "Version:" header)
 * @error: return location for a #GError
 *
 * Sets the server's clipboard and offers it to every viewer, and to each
 * viewer that connects later. Viewers that support the Extended Clipboard
 * get every format (text as UTF-8), sent at once when it fits the size
 * they take unasked, else announced so that they ask for it when it is
 * pasted. Other viewers get the text as ServerCutText in ISO 8859-1; when
 * the text has characters beyond it, or there is no text, they get
 * nothing and a log line says so. All three %NULL empties the clipboard
 * (Extended Clipboard viewers are told).
 *
 * Returns: %TRUE; %FALSE with @error set (%CAIROVNC_ERROR_TOO_LARGE) when
 *   a format is over #CairoVncServer:clipboard-max-size, and the
 *   clipboard is left as it was
 *
 * Since: 0.1
 */
gboolean
cairovnc_server_set_clipboard (CairoVncServer *server,
                               const char     *text,
                               const char     *rtf,
                               const char     *html,
                               GError        **error)
{
  ClipboardData *data = NULL, *old;
  guint max_size, level;

  g_return_val_if_fail (CAIROVNC_IS_SERVER (server), FALSE);
  g_return_val_if_fail (text == NULL || g_utf8_validate (text, -1, NULL), FALSE);
  g_return_val_if_fail (rtf == NULL || g_utf8_validate (rtf, -1, NULL), FALSE);
  g_return_val_if_fail (html == NULL || g_utf8_validate (html, -1, NULL), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&server->state_lock);
  max_size = server->clipboard_max_size;
  level = server->zlib_level;
  g_mutex_unlock (&server->state_lock);
  if (!check_clipboard_size ("text", text, max_size, error) ||
      !check_clipboard_size ("RTF", rtf, max_size, error) ||
      !check_clipboard_size ("HTML", html, max_size, error))
    return FALSE;
  /* Compressed here, on the program's thread, once for every viewer. */
  if (text != NULL || rtf != NULL || html != NULL)
    data = clipboard_data_new (text, rtf, html, (int) level);

  g_mutex_lock (&server->state_lock);
  old = server->clipboard;
  server->clipboard = data;
  g_mutex_unlock (&server->state_lock);
  clipboard_data_unref (old);
  tell_clients (server, client_clipboard_changed);
  return TRUE;
}

/**
 * cairovnc_server_set_clipboard_text:
 * @server: a server
 * @text: (nullable): the text, in UTF-8, or %NULL to empty the clipboard
 *
 * Sets the server's clipboard to @text alone: see
 * cairovnc_server_set_clipboard(). Text over
 * #CairoVncServer:clipboard-max-size is a programming error, logged as a
 * warning, and the old clipboard stays.
 *
 * Since: 0.1
 */
void
cairovnc_server_set_clipboard_text (CairoVncServer *server, const char *text)
{
  g_autoptr (GError) error = NULL;

  if (!cairovnc_server_set_clipboard (server, text, NULL, NULL, &error) && error != NULL)
    g_warning ("cairovnc_server_set_clipboard_text: %s", error->message);
}

/* Options. */

#define DEFINE_STRING_SETTER(func, field, prop)                            \
  void func (CairoVncServer *server, const char *value)                    \
  {                                                                        \
    g_return_if_fail (CAIROVNC_IS_SERVER (server));                        \
    g_mutex_lock (&server->state_lock);                                    \
    g_free (server->field);                                                \
    server->field = g_strdup (value);                                      \
    g_mutex_unlock (&server->state_lock);                                  \
    g_object_notify_by_pspec (G_OBJECT (server), properties[prop]);       \
  }

#define DEFINE_VALUE_SETTER(func, type, field, prop)                       \
  void func (CairoVncServer *server, type value)                           \
  {                                                                        \
    g_return_if_fail (CAIROVNC_IS_SERVER (server));                        \
    g_mutex_lock (&server->state_lock);                                    \
    server->field = value;                                                 \
    g_mutex_unlock (&server->state_lock);                                  \
    g_object_notify_by_pspec (G_OBJECT (server), properties[prop]);       \
  }

/**
 * cairovnc_server_set_host:
 * @server: a server
 * @host: (nullable): an address or host name; %NULL for every address
 *
 * Sets #CairoVncServer:host, the address to listen on at the next start.
 *
 * Since: 0.1
 */
DEFINE_STRING_SETTER (cairovnc_server_set_host, host, PROP_HOST)
/**
 * cairovnc_server_set_password:
 * @server: a server
 * @password: (nullable): the password; %NULL for none
 *
 * Sets #CairoVncServer:password, asked of viewers that connect afterwards.
 *
 * Since: 0.1
 */
DEFINE_STRING_SETTER (cairovnc_server_set_password, password, PROP_PASSWORD)
/**
 * cairovnc_server_set_password_readonly:
 * @server: a server
 * @password: (nullable): the watch-only password; %NULL for none
 *
 * Sets #CairoVncServer:password-readonly.
 *
 * Since: 0.1
 */
DEFINE_STRING_SETTER (cairovnc_server_set_password_readonly, password_readonly, PROP_PASSWORD_READONLY)
/**
 * cairovnc_server_set_port:
 * @server: a server
 * @port: the TCP port; 0 picks a free one
 *
 * Sets #CairoVncServer:port, used at the next start.
 *
 * Since: 0.1
 */
DEFINE_VALUE_SETTER (cairovnc_server_set_port, guint, port, PROP_PORT)
/**
 * cairovnc_server_set_username:
 * @server: a server
 * @username: (nullable): the user name viewers must give; %NULL for none
 *
 * Sets #CairoVncServer:username, asked of viewers that connect afterwards.
 *
 * Since: 0.1
 */
DEFINE_STRING_SETTER (cairovnc_server_set_username, username, PROP_USERNAME)
/**
 * cairovnc_server_set_allow_anonymous_tls:
 * @server: a server
 * @allow: whether VeNCrypt's anonymous TLS sub-types are offered
 *
 * Sets #CairoVncServer:allow-anonymous-tls.
 *
 * Since: 0.1
 */
DEFINE_VALUE_SETTER (cairovnc_server_set_allow_anonymous_tls, gboolean, allow_anonymous_tls,
                     PROP_ALLOW_ANONYMOUS_TLS)
/**
 * cairovnc_server_set_require_encryption:
 * @server: a server
 * @require: whether only encrypted sessions are offered
 *
 * Sets #CairoVncServer:require-encryption.
 *
 * Since: 0.1
 */
DEFINE_VALUE_SETTER (cairovnc_server_set_require_encryption, gboolean, require_encryption,
                     PROP_REQUIRE_ENCRYPTION)

/**
 * cairovnc_server_set_tls_certificate:
 * @server: a server
 * @cert_file: (nullable) (type filename): a PEM file with the certificate
 *   chain, or %NULL for no certificate
 * @key_file: (nullable) (type filename): a PEM file with its private key
 *   (without a passphrase), or %NULL when @cert_file holds the key too
 * @error: return location for a #GError
 *
 * Loads a certificate and its key now, and sets
 * #CairoVncServer:tls-cert-file and #CairoVncServer:tls-key-file. On a
 * running server viewers that connect afterwards get the new
 * certificate: renewed certificates need no restart.
 *
 * Returns: %TRUE when loaded; %FALSE with @error set (in the
 *   %CAIROVNC_ERROR_TLS code) when a file cannot be read, is not PEM, or
 *   the key does not belong to the certificate; nothing changes then
 *
 * Since: 0.1
 */
gboolean
cairovnc_server_set_tls_certificate (CairoVncServer *server, const char *cert_file, const char *key_file,
                                     GError **error)
{
  SSL_CTX *ctx = NULL, *old;

  g_return_val_if_fail (CAIROVNC_IS_SERVER (server), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  if (cert_file != NULL && *cert_file != '\0' && (ctx = tls_context_new_x509 (cert_file, key_file, error)) == NULL)
    return FALSE;
  g_mutex_lock (&server->state_lock);
  g_free (server->tls_cert_file);
  server->tls_cert_file = g_strdup (cert_file);
  g_free (server->tls_key_file);
  server->tls_key_file = g_strdup (key_file);
  /* A stopped server loads the files again at its start. */
  old = server->tls_x509;
  server->tls_x509 = server->running ? g_steal_pointer (&ctx) : NULL;
  g_mutex_unlock (&server->state_lock);
  SSL_CTX_free (old);
  SSL_CTX_free (ctx);
  g_object_notify_by_pspec (G_OBJECT (server), properties[PROP_TLS_CERT_FILE]);
  g_object_notify_by_pspec (G_OBJECT (server), properties[PROP_TLS_KEY_FILE]);
  return TRUE;
}
/**
 * cairovnc_server_set_max_clients:
 * @server: a server
 * @max_clients: how many viewers at once; 0 for no limit
 *
 * Sets #CairoVncServer:max-clients.
 *
 * Since: 0.1
 */
DEFINE_VALUE_SETTER (cairovnc_server_set_max_clients, guint, max_clients, PROP_MAX_CLIENTS)
/**
 * cairovnc_server_set_max_framerate:
 * @server: a server
 * @fps: the most frames a second; 0 for no limit
 *
 * Sets #CairoVncServer:max-framerate.
 *
 * Since: 0.1
 */
DEFINE_VALUE_SETTER (cairovnc_server_set_max_framerate, double, max_framerate, PROP_MAX_FRAMERATE)
/**
 * cairovnc_server_set_push_frames:
 * @server: a server
 * @push: whether every viewer gets frames unasked
 *
 * Sets #CairoVncServer:push-frames.
 *
 * Since: 0.1
 */
DEFINE_VALUE_SETTER (cairovnc_server_set_push_frames, gboolean, push_frames, PROP_PUSH_FRAMES)
/**
 * cairovnc_server_set_verbose:
 * @server: a server
 * @verbose: whether viewers' traffic is logged as messages
 *
 * Sets #CairoVncServer:verbose.
 *
 * Since: 0.1
 */
DEFINE_VALUE_SETTER (cairovnc_server_set_verbose, gboolean, verbose, PROP_VERBOSE)
/**
 * cairovnc_server_set_event_queue_length:
 * @server: a server
 * @length: how many events may wait; 0 for no limit
 *
 * Sets #CairoVncServer:event-queue-length.
 *
 * Since: 0.1
 */
DEFINE_VALUE_SETTER (cairovnc_server_set_event_queue_length, guint, event_queue_length,
                     PROP_EVENT_QUEUE_LENGTH)
/**
 * cairovnc_server_set_zlib_level:
 * @server: a server
 * @level: the zlib level, 0 to 9
 *
 * Sets #CairoVncServer:zlib-level.
 *
 * Since: 0.1
 */
DEFINE_VALUE_SETTER (cairovnc_server_set_zlib_level, guint, zlib_level, PROP_ZLIB_LEVEL)
/**
 * cairovnc_server_set_clipboard_max_size:
 * @server: a server
 * @max_size: the largest clipboard format, in bytes, either way
 *
 * Sets #CairoVncServer:clipboard-max-size.
 *
 * Since: 0.1
 */
DEFINE_VALUE_SETTER (cairovnc_server_set_clipboard_max_size, guint, clipboard_max_size,
                     PROP_CLIPBOARD_MAX_SIZE)
/**
 * cairovnc_server_set_http_port:
 * @server: a server
 * @port: the port for browsers, or 0 for none
 *
 * Sets #CairoVncServer:http-port.
 *
 * Since: 0.1
 */
DEFINE_VALUE_SETTER (cairovnc_server_set_http_port, guint, http_port, PROP_HTTP_PORT)

/**
 * cairovnc_server_set_http_root:
 * @server: a server
 * @root: (nullable) (type filename): a folder, or %NULL for none
 *
 * Sets #CairoVncServer:http-root.
 *
 * Since: 0.1
 */
void
cairovnc_server_set_http_root (CairoVncServer *server, const char *root)
{
  g_return_if_fail (CAIROVNC_IS_SERVER (server));
  g_mutex_lock (&server->state_lock);
  g_free (server->http_root);
  server->http_root = g_strdup (root);
  server->http_root_set = TRUE;
  g_mutex_unlock (&server->state_lock);
  g_object_notify_by_pspec (G_OBJECT (server), properties[PROP_HTTP_ROOT]);
}

/**
 * cairovnc_server_set_auth_failure_limit:
 * @server: a server
 * @failures: wrong passwords allowed from one address, 0 for no limit
 *
 * Sets #CairoVncServer:auth-failure-limit.
 *
 * Since: 0.1
 */
DEFINE_VALUE_SETTER (cairovnc_server_set_auth_failure_limit, guint, auth_failure_limit,
                     PROP_AUTH_FAILURE_LIMIT)

/* Timeouts of 1 s to an hour, as their properties say. */
#define DEFINE_SECONDS_SETTER(func, field, prop)                           \
  static DEFINE_VALUE_SETTER (func##_unchecked, guint, field, prop)        \
  void func (CairoVncServer *server, guint seconds)                        \
  {                                                                        \
    g_return_if_fail (seconds >= 1 && seconds <= 3600);                    \
    func##_unchecked (server, seconds);                                    \
  }

/**
 * cairovnc_server_set_handshake_timeout:
 * @server: a server
 * @seconds: 1 to 3600
 *
 * Sets #CairoVncServer:handshake-timeout.
 *
 * Since: 0.1
 */
DEFINE_SECONDS_SETTER (cairovnc_server_set_handshake_timeout, handshake_timeout, PROP_HANDSHAKE_TIMEOUT)
/**
 * cairovnc_server_set_stall_timeout:
 * @server: a server
 * @seconds: 1 to 3600
 *
 * Sets #CairoVncServer:stall-timeout.
 *
 * Since: 0.1
 */
DEFINE_SECONDS_SETTER (cairovnc_server_set_stall_timeout, stall_timeout, PROP_STALL_TIMEOUT)
/**
 * cairovnc_server_set_auth_block_time:
 * @server: a server
 * @seconds: 1 to 3600
 *
 * Sets #CairoVncServer:auth-block-time.
 *
 * Since: 0.1
 */
DEFINE_SECONDS_SETTER (cairovnc_server_set_auth_block_time, auth_block_time, PROP_AUTH_BLOCK_TIME)

/**
 * cairovnc_server_set_read_only:
 * @server: a server
 * @read_only: whether viewers' input is ignored
 *
 * Viewers that used #CairoVncServer:password-readonly stay read-only.
 * Takes effect for viewers that connect afterwards.
 *
 * Since: 0.1
 */
void
cairovnc_server_set_read_only (CairoVncServer *server, gboolean read_only)
{
  g_return_if_fail (CAIROVNC_IS_SERVER (server));
  g_mutex_lock (&server->state_lock);
  server->read_only = read_only;
  server->read_only_set = TRUE;
  g_mutex_unlock (&server->state_lock);
  g_object_notify_by_pspec (G_OBJECT (server), properties[PROP_READ_ONLY]);
}

/**
 * cairovnc_server_get_read_only:
 * @server: a server
 *
 * Returns: whether viewers that connect now get no input (see
 *   #CairoVncServer:read-only for the default)
 *
 * Since: 0.1
 */
gboolean
cairovnc_server_get_read_only (CairoVncServer *server)
{
  g_return_val_if_fail (CAIROVNC_IS_SERVER (server), TRUE);
  return server_get_effective_read_only (server);
}

/**
 * cairovnc_server_pop_event:
 * @server: a server
 * @timeout_us: how long to wait, in microseconds: 0 not at all, a
 *   negative value for ever
 *
 * Takes the oldest event from the viewers. Any thread may wait here; with
 * PyGObject other Python threads run meanwhile.
 *
 * Returns: (transfer full) (nullable): the event, or %NULL when none came
 *   in time; free it with cairovnc_event_free()
 *
 * Since: 0.1
 */
CairoVncEvent *
cairovnc_server_pop_event (CairoVncServer *server, gint64 timeout_us)
{
  CairoVncEvent *event;

  g_return_val_if_fail (CAIROVNC_IS_SERVER (server), NULL);
  if (timeout_us == 0)
    event = g_async_queue_try_pop (server->events);
  else if (timeout_us < 0)
    event = g_async_queue_pop (server->events);
  else
    event = g_async_queue_timeout_pop (server->events, (guint64) timeout_us);

  if (event != NULL && g_atomic_int_get (&server->n_paused) > 0)
    {
      g_mutex_lock (&server->state_lock);
      if (server->running)
        g_source_set_ready_time (server->resume_source, 0);
      g_mutex_unlock (&server->state_lock);
    }
  return event;
}

/**
 * cairovnc_server_get_event_queue: (skip)
 * @server: a server
 *
 * The queue events arrive on, for C programs that wait on it themselves
 * (GObject Introspection languages use cairovnc_server_pop_event()).
 * Readers paused for a full queue look for room every 50 ms when events
 * are not taken with cairovnc_server_pop_event().
 *
 * Returns: (transfer none): the event queue (of #CairoVncEvent)
 *
 * Since: 0.1
 */
GAsyncQueue *
cairovnc_server_get_event_queue (CairoVncServer *server)
{
  g_return_val_if_fail (CAIROVNC_IS_SERVER (server), NULL);
  return server->events;
}
