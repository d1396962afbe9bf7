/* viewer.h — one load-generating VNC viewer of the benchmark.
 *
 * A non-blocking RFB 3.8 client (security None, 32 bpp RGB888, the
 * encodings it is given) that keeps exactly one incremental
 * FramebufferUpdateRequest outstanding and passes over every payload by its
 * length, without decoding it. Many viewers share one epoll set; the load
 * generator hands each viewer its epoll events. Runs on the load
 * generator's only thread.
 */
#pragma once

#include <netinet/in.h>

#include <glib.h>

#include "frameclock.h"

G_BEGIN_DECLS

/* RFB encoding numbers (rfbproto.rst). */
#define RFB_ENC_RAW 0
#define RFB_ENC_COPYRECT 1
#define RFB_ENC_RRE 2
#define RFB_ENC_HEXTILE 5
#define RFB_ENC_ZLIB 6
#define RFB_ENC_TIGHT 7
#define RFB_ENC_ZRLE 16
#define RFB_ENC_LAST_RECT (-224)
#define RFB_ENC_DESKTOP_SIZE (-223)
#define RFB_ENC_EXTENDED_DESKTOP_SIZE (-308)
#define RFB_ENC_DESKTOP_NAME (-307)
#define RFB_ENC_QUALITY_LEVEL_0 (-32)
#define RFB_ENC_COMPRESS_LEVEL_0 (-256)

/* Pixel rectangles are counted per encoding: these, then "other". */
#define VIEWER_N_RECT_ENCODINGS 7
const char *viewer_rect_encoding_name (guint index);
gint32 viewer_rect_encoding (guint index);

typedef enum {
  VIEWER_IDLE,
  VIEWER_CONNECTING,
  VIEWER_HANDSHAKE,
  VIEWER_READY,
  VIEWER_CLOSED,
} ViewerState;

typedef struct Viewer Viewer;

typedef struct {
  gint64 request_us;     /* when the request it answers was sent */
  gint64 frame_us;       /* newest published frame when it began to arrive, or 0 */
  gint64 done_us;        /* when its last byte was parsed */
  guint64 bytes;         /* the whole message */
  guint64 pixels;        /* area of its pixel rectangles */
  guint pixel_rects;     /* 0: an update of pseudo-rectangles only */
  guint rects[VIEWER_N_RECT_ENCODINGS + 1];
} ViewerUpdate;

typedef struct {
  void (*ready) (Viewer *viewer, gpointer data);
  void (*update_done) (Viewer *viewer, const ViewerUpdate *update, gpointer data);
  /* @was: the state before closing; @why: a reason to log */
  void (*closed) (Viewer *viewer, ViewerState was, const char *why, gpointer data);
} ViewerCallbacks;

/* Shared by every viewer; must outlive them. */
typedef struct {
  int epoll_fd;
  struct sockaddr_in address;
  const gint32 *encodings;     /* SetEncodings, in order of preference */
  int n_encodings;
  const FrameClock *frame_clock;   /* may be NULL */
  ViewerCallbacks callbacks;
  gpointer data;
} ViewerConfig;

/* @decode: keep the picture (Raw and CopyRect only) to compare it. */
Viewer *viewer_new (int id, const ViewerConfig *config, gboolean decode);
void viewer_free (Viewer *viewer);

int viewer_get_id (const Viewer *viewer);
ViewerState viewer_get_state (const Viewer *viewer);
gboolean viewer_has_size (const Viewer *viewer);
gsize viewer_output_pending (const Viewer *viewer);

/* Starts connecting; the epoll events then go to viewer_handle_events(). */
void viewer_connect (Viewer *viewer);
void viewer_handle_events (Viewer *viewer, guint32 events);

/* A stalled viewer neither reads nor asks for updates after one arrives;
 * requests can still be sent with viewer_request_update(). Resuming reads
 * at once what is waiting. */
void viewer_set_stalled (Viewer *viewer, gboolean stalled);
gboolean viewer_request_update (Viewer *viewer, gboolean incremental);

/* A hash of the picture (colour bits only) if this viewer decodes and
 * everything it received could be decoded. */
gboolean viewer_picture_hash (const Viewer *viewer, guint64 *hash);

G_END_DECLS
