/* server-private.h — what the server shares with its viewers (client.c).
 *
 * Fields under "any thread" are guarded by state_lock; the rest belong to
 * the server context.
 */
#pragma once

#include <openssl/ssl.h>

#include "cairovnc.h"
#include "clipboard.h"
#include "cursor.h"
#include "frame.h"
#include "throttle.h"
#include "security.h"
#include "tilecache.h"

G_BEGIN_DECLS

typedef struct _Client Client;

struct _CairoVncServer {
  GObject parent_instance;

  /* Any thread, under state_lock. */
  GMutex state_lock;
  char *host;
  guint port;
  char *password;
  char *password_readonly;
  char *username;              /* NULL: no user names */
  char *tls_cert_file;
  char *tls_key_file;
  gboolean allow_anonymous_tls;
  gboolean require_encryption;
  SSL_CTX *tls_x509;           /* from the certificate, while running */
  SSL_CTX *tls_anonymous;      /* while running with allow-anonymous-tls */
  char *desktop_name;
  guint max_clients;
  double max_framerate;
  gboolean read_only;
  gboolean read_only_set;      /* set by the program, not defaulted */
  gboolean push_frames;
  gboolean verbose;
  guint event_queue_length;
  guint zlib_level;
  guint clipboard_max_size;
  Cursor *cursor;              /* NULL: the viewers' own pointer */
  guint64 cursor_serial;       /* counts cursor changes; 0 before the first */
  ClipboardData *clipboard;    /* the program's clipboard, or NULL */
  guint handshake_timeout;     /* seconds */
  guint stall_timeout;         /* seconds */
  guint auth_failure_limit;
  guint auth_block_time;       /* seconds */
  SurfaceSource source;        /* what the next snapshot copies */
  gboolean source_changed;
  cairo_region_t *damage_hints;
  gboolean has_copy_hint;      /* from cairovnc_server_add_copy() */
  CopyOp copy_hint;
  gint64 last_frame_ready_us;  /* when the program last said frame_ready */
  guint http_port;             /* 0: no browsers */
  char *http_root;             /* NULL or "": no pages, only WebSockets */
  gboolean http_root_set;      /* set by the program, not defaulted */
  guint bound_port;
  guint bound_http_port;
  gboolean running;

  /* Any thread, no lock: thread-safe objects. */
  GMutex own_surface_lock;     /* taken for surfaces given without a lock */
  GAsyncQueue *events;
  GSource *frame_source;       /* ready when a snapshot is due */
  GSource *resume_source;      /* ready when paused readers may resume */
  gint n_paused;               /* atomic: viewers not read for a full queue */

  /* Server context only. */
  GMainContext *context;
  GMainLoop *loop;             /* run() and start_thread() */
  GThread *thread;             /* start_thread() */
  GPtrArray *listeners;        /* GSocket * */
  GPtrArray *listen_sources;   /* GSource * */
  GPtrArray *http_listeners;   /* GSocket * */
  char *serving_root;          /* the folder of pages while running, or NULL */
  GPtrArray *clients;          /* Client * */
  guint next_client_id;
  TileCache *cache;
  Frame *frame;                /* the latest snapshot */
  guint64 next_frame_id;
  gint64 next_snapshot_us;     /* the earliest the next snapshot may be */
  FramePool *frame_pool;
  char *sent_desktop_name;     /* the name viewers were last told */
  Throttle *auth_throttle;     /* wrong passwords per address */
};

/* For client.c; all run on the server context. */
gboolean server_get_effective_read_only (CairoVncServer *server);
/* Why one more viewer is refused (too many), or NULL. */
char *server_refusal_reason (CairoVncServer *server);
guint server_next_client_id (CairoVncServer *server);
void server_client_closed (CairoVncServer *server, Client *client);
void server_want_frame (CairoVncServer *server);
Frame *server_get_frame (CairoVncServer *server);
void server_get_size (CairoVncServer *server, int *width, int *height);
void server_pause_reading (CairoVncServer *server);
/* What the settings allow now; the connection's own facts (encrypted,
 * websocket) are left FALSE. */
void server_get_security_policy (CairoVncServer *server, SecurityPolicy *policy);
/* A reference to the TLS context for X509 (certificate) or anonymous
 * sessions, or NULL when there is none: free with SSL_CTX_free(). */
SSL_CTX *server_ref_tls_context (CairoVncServer *server, gboolean anonymous);
void server_update_sent (CairoVncServer *server, guint client_id, const char *encoding,
                         guint rectangles, gsize bytes);

/* Per-viewer log lines start with the viewer's id and address. Verbose
 * traffic is a message when the verbose property is set, else debug. */
#define SERVER_TRACE(server, ...)                                       \
  G_STMT_START {                                                        \
    if ((server)->verbose)                                              \
      g_message (__VA_ARGS__);                                          \
    else                                                                \
      g_debug (__VA_ARGS__);                                            \
  } G_STMT_END

#define SERVER_INFO(server, ...)                                        \
  G_STMT_START {                                                        \
    if ((server)->verbose)                                              \
      g_message (__VA_ARGS__);                                          \
    else                                                                \
      g_info (__VA_ARGS__);                                             \
  } G_STMT_END

G_END_DECLS
