/* rfb.h — RFB wire constants, byte order helpers and pure message parsers.
 *
 * Nothing here touches a socket or a viewer: parsers take bytes and return
 * NEED_MORE, OK (with the message and the bytes it used) or ERROR (with a
 * GError saying why), so they can be tested, and fuzzed, alone.
 */
#pragma once

#include <glib.h>

#include "pixfmt.h"

G_BEGIN_DECLS

/* Protocol versions, as negotiated (rfbproto.rst "ProtocolVersion"). */
typedef enum {
  RFB_VERSION_3_3 = 3,
  RFB_VERSION_3_7 = 7,
  RFB_VERSION_3_8 = 8,
} RfbVersion;

#define RFB_VERSION_STRING_LEN 12

/* Security types (rfbproto.rst "Security Types"). */
#define RFB_SECURITY_INVALID 0
#define RFB_SECURITY_NONE 1
#define RFB_SECURITY_VNC_AUTH 2

#define RFB_SECURITY_RESULT_OK 0
#define RFB_SECURITY_RESULT_FAILED 1

#define RFB_VNC_AUTH_CHALLENGE_LEN 16

/* Client to server message types. */
#define RFB_SET_PIXEL_FORMAT 0
#define RFB_SET_ENCODINGS 2
#define RFB_FRAMEBUFFER_UPDATE_REQUEST 3
#define RFB_KEY_EVENT 4
#define RFB_POINTER_EVENT 5
#define RFB_CLIENT_CUT_TEXT 6
#define RFB_ENABLE_CONTINUOUS_UPDATES 150
#define RFB_CLIENT_FENCE 248
#define RFB_SET_DESKTOP_SIZE 251
#define RFB_QEMU_CLIENT_MESSAGE 255

/* Server to client message types. */
#define RFB_FRAMEBUFFER_UPDATE 0
#define RFB_SET_COLOUR_MAP_ENTRIES 1
#define RFB_BELL 2
#define RFB_SERVER_CUT_TEXT 3
#define RFB_END_OF_CONTINUOUS_UPDATES 150
#define RFB_SERVER_FENCE 248

/* Fence flags (rfbproto.rst "ClientFence"). */
#define RFB_FENCE_BLOCK_BEFORE (1u << 0)
#define RFB_FENCE_BLOCK_AFTER (1u << 1)
#define RFB_FENCE_SYNC_NEXT (1u << 2)
#define RFB_FENCE_REQUEST (1u << 31)
#define RFB_FENCE_KNOWN_FLAGS (RFB_FENCE_BLOCK_BEFORE | RFB_FENCE_BLOCK_AFTER | RFB_FENCE_SYNC_NEXT)

/* Encodings and pseudo-encodings (rfbproto.rst "Encodings"). */
#define RFB_ENCODING_RAW 0
#define RFB_ENCODING_COPY_RECT 1
#define RFB_ENCODING_RRE 2
#define RFB_ENCODING_HEXTILE 5
#define RFB_ENCODING_ZLIB 6
#define RFB_ENCODING_TIGHT 7
#define RFB_ENCODING_ZLIBHEX 8
#define RFB_ENCODING_TRLE 15
#define RFB_ENCODING_ZRLE 16
#define RFB_ENCODING_TIGHT_PNG (-260)
#define RFB_ENCODING_DESKTOP_SIZE (-223)
#define RFB_ENCODING_LAST_RECT (-224)
#define RFB_ENCODING_CURSOR (-239)
#define RFB_ENCODING_DESKTOP_NAME (-307)
#define RFB_ENCODING_EXTENDED_DESKTOP_SIZE (-308)
#define RFB_ENCODING_FENCE (-312)
#define RFB_ENCODING_CONTINUOUS_UPDATES (-313)
#define RFB_ENCODING_CURSOR_WITH_ALPHA (-314)
#define RFB_ENCODING_QEMU_EXTENDED_KEY_EVENT (-258)
#define RFB_ENCODING_EXTENDED_CLIPBOARD ((gint32) 0xc0a1e5ce)
#define RFB_ENCODING_APPLE_PUSH 1011 /* sent only by Apple Screen Sharing */
/* Levels: the first of a range is level 0. */
#define RFB_ENCODING_COMPRESS_LEVEL_0 (-256)      /* to -247 */
#define RFB_ENCODING_QUALITY_LEVEL_0 (-32)        /* to -23 */
#define RFB_ENCODING_FINE_QUALITY_LEVEL_0 (-512)  /* to -412 */
#define RFB_ENCODING_SUBSAMPLING_1X (-768)        /* to -763 */

/* Limits on what a viewer may send; lengths are checked before any
 * allocation. */
#define RFB_MAX_FENCE_PAYLOAD 64
#define RFB_MAX_SCREENS 255

typedef enum {
  RFB_PARSE_NEED_MORE,
  RFB_PARSE_OK,
  RFB_PARSE_ERROR,
} RfbParseResult;

typedef struct {
  guint8 type;
  union {
    RfbPixelFormat pixel_format;     /* SetPixelFormat */
    struct {
      guint16 count;
      const guint8 *data;            /* count big-endian S32 values */
    } encodings;                     /* SetEncodings */
    struct {
      gboolean incremental;
      guint16 x, y, w, h;
    } update_request;                /* FramebufferUpdateRequest */
    struct {
      gboolean down;
      guint32 keysym;
    } key;                           /* KeyEvent */
    struct {
      guint8 mask;
      guint16 x, y;
    } pointer;                       /* PointerEvent */
    struct {
      gint32 length;                 /* negative: extended clipboard */
      const guint8 *data;            /* |length| bytes */
    } cut_text;                      /* ClientCutText */
    struct {
      gboolean enable;
      guint16 x, y, w, h;
    } continuous_updates;            /* EnableContinuousUpdates */
    struct {
      guint32 flags;
      guint8 length;
      const guint8 *data;
    } fence;                         /* ClientFence */
    struct {
      guint16 w, h;
      guint8 n_screens;
    } desktop_size;                  /* SetDesktopSize */
    struct {
      guint8 subtype;
      gboolean down;
      guint32 keysym;
      guint32 keycode;
    } qemu;                          /* QEMU client message */
  };
} RfbClientMessage;

RfbParseResult rfb_parse_version (const guint8 *data,
                                  gsize         len,
                                  RfbVersion   *version,
                                  GError      **error);

RfbParseResult rfb_parse_client_message (const guint8     *data,
                                         gsize             len,
                                         gsize             max_cut_text,
                                         RfbClientMessage *msg,
                                         gsize            *consumed,
                                         GError          **error);

gint32 rfb_encodings_get (const RfbClientMessage *msg, guint index);

/* Big-endian readers and writers. */
static inline guint16
rfb_get_u16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static inline guint32
rfb_get_u32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static inline void
rfb_put_u16 (guint8 *p, guint16 v)
{
  p[0] = v >> 8;
  p[1] = v & 0xff;
}

static inline void
rfb_put_u32 (guint8 *p, guint32 v)
{
  p[0] = v >> 24;
  p[1] = (v >> 16) & 0xff;
  p[2] = (v >> 8) & 0xff;
  p[3] = v & 0xff;
}

void rfb_append_u8 (GByteArray *out, guint8 v);
void rfb_append_u16 (GByteArray *out, guint16 v);
void rfb_append_u32 (GByteArray *out, guint32 v);
void rfb_append_string (GByteArray *out, const char *s); /* U32 length + bytes */

/* Message builders; each returns a whole message. */
GBytes *rfb_build_server_init (guint16 width, guint16 height,
                               const RfbPixelFormat *format, const char *name);
void rfb_append_update_header (GByteArray *out, guint16 n_rects);
void rfb_append_rect_header (GByteArray *out, guint16 x, guint16 y,
                             guint16 w, guint16 h, gint32 encoding);
GBytes *rfb_build_security_failure (RfbVersion version, const char *reason);
GBytes *rfb_build_end_of_continuous_updates (void);
GBytes *rfb_build_server_fence (guint32 flags, const guint8 *payload, guint8 length);

G_END_DECLS
