/* websocket.h — RFC 6455 for RFB viewers in browsers: the opening
 * handshake, frames, and a Transport that carries RFB inside them.
 *
 * Pure: bytes in, bytes out, no socket. Handshake errors are in the
 * HTTP_ERROR domain (their code is the HTTP status to answer with); frame
 * errors carry the close code to send (RFC 6455 §7.4.1).
 */
#pragma once

#include <glib.h>

#include "http.h"
#include "transport.h"

G_BEGIN_DECLS

#define WS_OPCODE_CONTINUATION 0x0
#define WS_OPCODE_TEXT 0x1
#define WS_OPCODE_BINARY 0x2
#define WS_OPCODE_CLOSE 0x8
#define WS_OPCODE_PING 0x9
#define WS_OPCODE_PONG 0xa

#define WS_CLOSE_NORMAL 1000
#define WS_CLOSE_GOING_AWAY 1001
#define WS_CLOSE_PROTOCOL_ERROR 1002
#define WS_CLOSE_UNSUPPORTED_DATA 1003
#define WS_CLOSE_NO_STATUS 1005
#define WS_CLOSE_MESSAGE_TOO_BIG 1009

/* Control frames carry at most this much (RFC 6455 §5.5). */
#define WS_MAX_CONTROL_PAYLOAD 125
/* A frame header: 2 bytes, 8 of length, 4 of mask. */
#define WS_MAX_HEADER 14
/* The largest data message, whole or in fragments: room for the largest
 * RFB message a viewer may send (a 20 MiB clipboard) and then some.
 * Payload is passed on as it comes, so this bounds no buffer here, only
 * what a peer may announce. */
#define WS_MAX_MESSAGE (32 * 1024 * 1024)

/* Handshake (RFC 6455 §4.2). */

/* Whether @request asks for a WebSocket ("Upgrade: websocket"). */
gboolean ws_is_upgrade (const HttpRequest *request);
/* The Sec-WebSocket-Accept value for a Sec-WebSocket-Key. */
char *ws_accept_key (const char *key);
/* Checks an upgrade request and returns the 101 answer. A refusal's
 * error code is its HTTP status: 405 not GET, 400 malformed (HTTP/1.0,
 * no "Connection: Upgrade", a missing or malformed key, subprotocols
 * without "binary"), 426 another version (with the headers to add in
 * @refusal_headers), 403 a page of another origin (cross-site WebSocket
 * hijacking: only the pages this server serves may connect, and programs
 * that send no Origin). */
GBytes *ws_accept_upgrade (const HttpRequest *request, char **refusal_headers, GError **error);

/* Frames (RFC 6455 §5). */

typedef struct {
  guint64 max_message;
  /* The frame being read. */
  gboolean in_frame;
  gboolean fin;
  guint64 remaining;
  guint8 mask[4];
  guint mask_offset;
  /* A fragmented data message that goes on. */
  gboolean in_message;
  guint64 message_size;
} WsDecoder;

typedef enum {
  WS_DECODE_NEED_MORE,
  WS_DECODE_CONTROL,
  WS_DECODE_ERROR,
} WsDecodeResult;

typedef struct {
  guint8 opcode;
  guint8 payload[WS_MAX_CONTROL_PAYLOAD];
  gsize length;
} WsControl;

void ws_decoder_init (WsDecoder *decoder, guint64 max_message);
/* Decodes client frames from @data. The payload of binary frames is
 * unmasked and appended to @payload as it comes, without waiting for the
 * end of the frame. Stops after a whole control frame (CONTROL: it is in
 * @control) or when the bytes run out (NEED_MORE: the bytes not consumed
 * begin a frame header, to be given again with more). @consumed says how
 * many bytes were used either way. ERROR: the peer broke the protocol;
 * @close_code is the code to close with. */
WsDecodeResult ws_decoder_decode (WsDecoder    *decoder,
                                  const guint8 *data,
                                  gsize         len,
                                  gsize        *consumed,
                                  GByteArray   *payload,
                                  WsControl    *control,
                                  guint16      *close_code,
                                  GError      **error);

/* A server frame's header (FIN set, not masked); returns its length. */
gsize ws_frame_header (guint8 header[WS_MAX_HEADER], guint8 opcode, guint64 length);
/* A whole server frame. */
GBytes *ws_build_frame (guint8 opcode, const guint8 *payload, gsize length);
/* A Close frame; @reason is cut to fit a control frame. */
GBytes *ws_build_close (guint16 code, const char *reason);
/* Reads a Close frame's payload: @code is WS_CLOSE_NO_STATUS when there
 * is none. FALSE when it is malformed. */
gboolean ws_parse_close (const guint8 *payload, gsize length, guint16 *code, char **reason);

/* RFB inside binary frames, as noVNC and websockify speak it. */
Transport *ws_transport_new (void);

G_END_DECLS
