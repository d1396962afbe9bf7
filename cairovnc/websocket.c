/* websocket.c — RFC 6455: the opening handshake, the framing, and the
 * Transport that carries RFB in binary frames for browser viewers.
 *
 * Incoming frames are unmasked straight into the RFB input buffer as
 * they arrive, so a frame never waits whole in memory; control frames
 * (at most 125 bytes) are the only thing held. Outgoing, each flush of a
 * viewer's output queue becomes one binary frame whose header is a small
 * GBytes of its own in front of the queued bytes: the shared encoded
 * tiles are sent as they are, never copied.
 *
 * Pure: no socket, no viewer. SHA-1 comes from libcrypto, base64 from
 * GLib.
 */
#include "websocket.h"

#include <string.h>

#include <gio/gio.h>
#include <openssl/evp.h>

#include "cairovnc.h"

/* RFC 6455 §1.3. */
#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WS_KEY_LENGTH 16
#define WS_VERSION "13"

/* Handshake. */

gboolean
ws_is_upgrade (const HttpRequest *request)
{
  return http_request_header_has_token (request, "upgrade", "websocket");
}

char *
ws_accept_key (const char *key)
{
  g_autofree char *joined = g_strconcat (key, WS_GUID, NULL);
  guint8 digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;

  if (EVP_Digest (joined, strlen (joined), digest, &digest_len, EVP_sha1 (), NULL) != 1)
    return NULL;
  return g_base64_encode (digest, digest_len);
}

/* A key is 16 random bytes in base64 (RFC 6455 §4.1): 22 characters and
 * "==". g_base64_decode() skips what is not base64, so look first. */
static gboolean
key_is_valid (const char *key)
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  g_autofree guint8 *decoded = NULL;
  gsize len = 0;

  if (key == NULL || strlen (key) != 24 || strcmp (key + 22, "==") != 0)
    return FALSE;
  for (int i = 0; i < 22; i++)
    if (strchr (alphabet, key[i]) == NULL)
      return FALSE;
  decoded = g_base64_decode (key, &len);
  return len == WS_KEY_LENGTH;
}

/* Whether the page that opens the socket came from this server: its
 * Origin names the host and port the request was sent to. */
static gboolean
origin_is_own (const char *origin, const char *host)
{
  const char *authority;

  if (g_ascii_strncasecmp (origin, "http://", 7) == 0)
    authority = origin + 7;
  else if (g_ascii_strncasecmp (origin, "https://", 8) == 0)
    authority = origin + 8;
  else
    return FALSE;
  return host != NULL && g_ascii_strcasecmp (authority, host) == 0;
}

GBytes *
ws_accept_upgrade (const HttpRequest *request, char **refusal_headers, GError **error)
{
  const char *key = http_request_get_header (request, "sec-websocket-key");
  const char *version = http_request_get_header (request, "sec-websocket-version");
  const char *origin = http_request_get_header (request, "origin");
  const char *protocols = http_request_get_header (request, "sec-websocket-protocol");
  g_autofree char *accept = NULL;
  g_autofree char *headers = NULL;

  *refusal_headers = NULL;
  if (strcmp (request->method, "GET") != 0)
    {
      *refusal_headers = g_strdup ("Allow: GET\r\n");
      g_set_error (error, HTTP_ERROR, 405, "A WebSocket opens with GET, not %s", request->method);
      return NULL;
    }
  if (request->minor_version < 1)
    {
      g_set_error (error, HTTP_ERROR, 400, "A WebSocket needs HTTP/1.1");
      return NULL;
    }
  if (!http_request_header_has_token (request, "connection", "upgrade"))
    {
      g_set_error (error, HTTP_ERROR, 400, "A WebSocket request needs \"Connection: Upgrade\"");
      return NULL;
    }
  if (g_strcmp0 (version, WS_VERSION) != 0)
    {
      *refusal_headers = g_strdup ("Sec-WebSocket-Version: " WS_VERSION "\r\n");
      g_set_error (error, HTTP_ERROR, 426, "Only WebSocket version " WS_VERSION " is spoken, not %s",
                   version != NULL ? version : "(none)");
      return NULL;
    }
  if (key == NULL)
    {
      g_set_error (error, HTTP_ERROR, 400, "The WebSocket request has no Sec-WebSocket-Key");
      return NULL;
    }
  if (!key_is_valid (key))
    {
      g_set_error (error, HTTP_ERROR, 400, "Malformed Sec-WebSocket-Key");
      return NULL;
    }
  if (origin != NULL && !origin_is_own (origin, http_request_get_header (request, "host")))
    {
      g_set_error (error, HTTP_ERROR, 403, "A page from %s may not connect", origin);
      return NULL;
    }
  if (protocols != NULL && !http_request_header_has_token (request, "sec-websocket-protocol", "binary"))
    {
      g_set_error (error, HTTP_ERROR, 400, "Subprotocols \"%s\" offered; only \"binary\" is spoken", protocols);
      return NULL;
    }

  accept = ws_accept_key (key);
  if (accept == NULL)
    {
      g_set_error (error, HTTP_ERROR, 500, "SHA-1 is not available");
      return NULL;
    }
  headers = g_strdup_printf ("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n%s",
                             accept, protocols != NULL ? "Sec-WebSocket-Protocol: binary\r\n" : "");
  return http_build_head (101, NULL, 0, headers, FALSE);
}

/* Frames. */

void
ws_decoder_init (WsDecoder *decoder, guint64 max_message)
{
  memset (decoder, 0, sizeof *decoder);
  decoder->max_message = max_message;
}

static WsDecodeResult
decode_error (guint16 *close_code, guint16 code, GError **error, const char *message)
{
  *close_code = code;
  g_set_error_literal (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL, message);
  return WS_DECODE_ERROR;
}

static void
unmask (guint8 *out, const guint8 *in, gsize len, const guint8 mask[4], guint offset)
{
  for (gsize i = 0; i < len; i++)
    out[i] = in[i] ^ mask[(offset + i) & 3];
}

typedef enum {
  HEADER_NEED_MORE,
  HEADER_READ,
  HEADER_ERROR,
} HeaderResult;

static HeaderResult
header_error (guint16 *close_code, GError **error, const char *message)
{
  decode_error (close_code, WS_CLOSE_PROTOCOL_ERROR, error, message);
  return HEADER_ERROR;
}

/* Reads a frame header at @data: its opcode and payload length, and
 * into @d its FIN bit and mask. */
static HeaderResult
decode_header (WsDecoder *d, const guint8 *data, gsize len, gsize *used, guint8 *opcode, guint64 *length,
               guint16 *close_code, GError **error)
{
  gsize header_len = 2;
  guint8 len7;

  *used = 0;
  if (len < 2)
    return HEADER_NEED_MORE;
  if (data[0] & 0x70)
    return header_error (close_code, error, "WebSocket frame with reserved bits set (no extension was agreed)");
  if (!(data[1] & 0x80))
    return header_error (close_code, error, "unmasked WebSocket frame from the viewer");
  *opcode = data[0] & 0x0f;
  d->fin = (data[0] & 0x80) != 0;
  len7 = data[1] & 0x7f;
  header_len += (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + 4;
  if (len < header_len)
    return HEADER_NEED_MORE;
  if (len7 == 126)
    {
      *length = ((guint64) data[2] << 8) | data[3];
    }
  else if (len7 == 127)
    {
      *length = 0;
      for (int i = 0; i < 8; i++)
        *length = (*length << 8) | data[2 + i];
      if (*length >> 63)
        return header_error (close_code, error, "WebSocket frame length with its top bit set");
    }
  else
    {
      *length = len7;
    }
  memcpy (d->mask, data + header_len - 4, 4);
  d->mask_offset = 0;
  *used = header_len;
  return HEADER_READ;
}

WsDecodeResult
ws_decoder_decode (WsDecoder    *d,
                   const guint8 *data,
                   gsize         len,
                   gsize        *consumed,
                   GByteArray   *payload,
                   WsControl    *control,
                   guint16      *close_code,
                   GError      **error)
{
  gsize pos = 0;

  *consumed = 0;
  for (;;)
    {
      guint8 opcode = 0;
      guint64 length = 0;
      gsize used;
      HeaderResult result;

      if (d->in_frame)
        {
          gsize n;
          guint old_len;

          if (d->remaining == 0)
            {
              d->in_frame = FALSE;
              if (d->fin)
                {
                  d->in_message = FALSE;
                  d->message_size = 0;
                }
              continue;
            }
          if (pos == len)
            break;
          n = (gsize) MIN (d->remaining, (guint64) (len - pos));
          old_len = payload->len;
          g_byte_array_set_size (payload, old_len + (guint) n);
          unmask (payload->data + old_len, data + pos, n, d->mask, d->mask_offset);
          d->mask_offset = (d->mask_offset + (guint) n) & 3;
          d->remaining -= n;
          pos += n;
          *consumed = pos;
          continue;
        }

      result = decode_header (d, data + pos, len - pos, &used, &opcode, &length, close_code, error);
      if (result == HEADER_ERROR)
        return WS_DECODE_ERROR;
      if (result == HEADER_NEED_MORE)
        break;

      if (opcode >= 0x8)
        {
          if (opcode != WS_OPCODE_CLOSE && opcode != WS_OPCODE_PING && opcode != WS_OPCODE_PONG)
            return decode_error (close_code, WS_CLOSE_PROTOCOL_ERROR, error, "unknown WebSocket control frame");
          if (!d->fin)
            return decode_error (close_code, WS_CLOSE_PROTOCOL_ERROR, error, "fragmented WebSocket control frame");
          if (length > WS_MAX_CONTROL_PAYLOAD)
            return decode_error (close_code, WS_CLOSE_PROTOCOL_ERROR, error,
                                 "WebSocket control frame longer than 125 bytes");
          if (len - pos - used < length)
            break;
          control->opcode = opcode;
          control->length = (gsize) length;
          unmask (control->payload, data + pos + used, (gsize) length, d->mask, 0);
          *consumed = pos + used + (gsize) length;
          return WS_DECODE_CONTROL;
        }

      switch (opcode)
        {
        case WS_OPCODE_CONTINUATION:
          if (!d->in_message)
            return decode_error (close_code, WS_CLOSE_PROTOCOL_ERROR, error,
                                 "WebSocket continuation frame with no message to continue");
          break;
        case WS_OPCODE_BINARY:
          if (d->in_message)
            return decode_error (close_code, WS_CLOSE_PROTOCOL_ERROR, error,
                                 "new WebSocket message before the last one ended");
          break;
        case WS_OPCODE_TEXT:
          return decode_error (close_code, WS_CLOSE_UNSUPPORTED_DATA, error,
                               "WebSocket text frame: RFB goes in binary frames");
        default:
          return decode_error (close_code, WS_CLOSE_PROTOCOL_ERROR, error, "unknown WebSocket data frame");
        }
      if (length > d->max_message - d->message_size)
        return decode_error (close_code, WS_CLOSE_MESSAGE_TOO_BIG, error, "WebSocket message too big");
      d->message_size += length;
      d->in_message = TRUE;
      d->in_frame = TRUE;
      d->remaining = length;
      pos += used;
      *consumed = pos;
    }
  return WS_DECODE_NEED_MORE;
}

gsize
ws_frame_header (guint8 header[WS_MAX_HEADER], guint8 opcode, guint64 length)
{
  header[0] = (guint8) (0x80 | opcode);
  if (length < 126)
    {
      header[1] = (guint8) length;
      return 2;
    }
  if (length <= G_MAXUINT16)
    {
      header[1] = 126;
      header[2] = (guint8) (length >> 8);
      header[3] = (guint8) length;
      return 4;
    }
  header[1] = 127;
  for (int i = 0; i < 8; i++)
    header[2 + i] = (guint8) (length >> (56 - 8 * i));
  return 10;
}

GBytes *
ws_build_frame (guint8 opcode, const guint8 *payload, gsize length)
{
  GByteArray *frame = g_byte_array_sized_new ((guint) (length + WS_MAX_HEADER));
  guint8 header[WS_MAX_HEADER];

  g_byte_array_append (frame, header, (guint) ws_frame_header (header, opcode, length));
  if (length > 0)
    g_byte_array_append (frame, payload, (guint) length);
  return g_byte_array_free_to_bytes (frame);
}

GBytes *
ws_build_close (guint16 code, const char *reason)
{
  guint8 payload[WS_MAX_CONTROL_PAYLOAD];
  gsize reason_len = reason != NULL ? strlen (reason) : 0;

  if (code == WS_CLOSE_NO_STATUS)
    return ws_build_frame (WS_OPCODE_CLOSE, NULL, 0);
  payload[0] = (guint8) (code >> 8);
  payload[1] = (guint8) code;
  /* Cut on a character boundary: the reason must be UTF-8. */
  if (reason_len > sizeof payload - 2)
    {
      const char *end = reason + sizeof payload - 2;
      while (end > reason && (*end & 0xc0) == 0x80)
        end--;
      reason_len = (gsize) (end - reason);
    }
  if (reason_len > 0)
    memcpy (payload + 2, reason, reason_len);
  return ws_build_frame (WS_OPCODE_CLOSE, payload, 2 + reason_len);
}

gboolean
ws_parse_close (const guint8 *payload, gsize length, guint16 *code, char **reason)
{
  *reason = NULL;
  if (length == 0)
    {
      *code = WS_CLOSE_NO_STATUS;
      return TRUE;
    }
  if (length == 1)
    return FALSE;
  *code = (guint16) ((payload[0] << 8) | payload[1]);
  if (!g_utf8_validate ((const char *) payload + 2, (gssize) length - 2, NULL))
    return FALSE;
  *reason = g_strndup ((const char *) payload + 2, length - 2);
  return TRUE;
}

/* The transport. */

typedef struct {
  Transport parent;
  WsDecoder decoder;
  gboolean close_sent;
} WsTransport;

static gboolean
ws_transport_unwrap (Transport *transport, GByteArray *wire, GByteArray *plain, GQueue *replies, GError **error)
{
  WsTransport *ws = (WsTransport *) transport;
  gsize offset = 0;
  gboolean go_on = TRUE;

  while (go_on && offset < wire->len)
    {
      WsControl control;
      guint16 close_code = 0;
      gsize consumed = 0;
      g_autoptr (GError) local_error = NULL;
      WsDecodeResult result = ws_decoder_decode (&ws->decoder, wire->data + offset, wire->len - offset,
                                                 &consumed, plain, &control, &close_code, &local_error);

      offset += consumed;
      if (result == WS_DECODE_NEED_MORE)
        break;
      if (result == WS_DECODE_ERROR)
        {
          g_queue_push_tail (replies, ws_build_close (close_code, local_error->message));
          ws->close_sent = TRUE;
          g_propagate_error (error, g_steal_pointer (&local_error));
          go_on = FALSE;
          break;
        }
      switch (control.opcode)
        {
        case WS_OPCODE_PING:
          g_queue_push_tail (replies, ws_build_frame (WS_OPCODE_PONG, control.payload, control.length));
          break;
        case WS_OPCODE_PONG:
          break;
        case WS_OPCODE_CLOSE:
          {
            guint16 code;
            g_autofree char *reason = NULL;

            if (!ws_parse_close (control.payload, control.length, &code, &reason))
              {
                g_queue_push_tail (replies, ws_build_close (WS_CLOSE_PROTOCOL_ERROR, "malformed Close frame"));
                g_set_error_literal (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL, "malformed WebSocket Close frame");
              }
            else
              {
                /* Answer with the same code (RFC 6455 §5.5.1). */
                g_queue_push_tail (replies, ws_build_close (code, NULL));
                g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                             "the viewer closed the WebSocket (code %u%s%s)", code,
                             reason && *reason ? ", " : "", reason ? reason : "");
              }
            ws->close_sent = TRUE;
            go_on = FALSE;
            break;
          }
        default:
          g_assert_not_reached ();
        }
    }
  g_byte_array_remove_range (wire, 0, (guint) offset);
  return go_on;
}

static void
ws_transport_wrap (Transport *transport, GQueue *output, guint n)
{
  GList *first;
  guint8 header[WS_MAX_HEADER];
  guint64 length = 0;

  if (n == 0)
    return;
  first = g_queue_peek_nth_link (output, output->length - n);
  for (GList *l = first; l != NULL; l = l->next)
    length += g_bytes_get_size (l->data);
  if (length == 0)
    return;
  g_queue_insert_before (output, first,
                         g_bytes_new (header, ws_frame_header (header, WS_OPCODE_BINARY, length)));
}

static GBytes *
ws_transport_goodbye (Transport *transport)
{
  WsTransport *ws = (WsTransport *) transport;

  if (ws->close_sent)
    return NULL;
  ws->close_sent = TRUE;
  return ws_build_close (WS_CLOSE_NORMAL, NULL);
}

static void
ws_transport_free (Transport *transport)
{
  g_free (transport);
}

static const TransportFuncs ws_transport_funcs = {
  .name = "WebSocket",
  .unwrap = ws_transport_unwrap,
  .wrap = ws_transport_wrap,
  .goodbye = ws_transport_goodbye,
  .free = ws_transport_free,
};

Transport *
ws_transport_new (void)
{
  WsTransport *ws = g_new0 (WsTransport, 1);

  ws->parent.funcs = &ws_transport_funcs;
  ws_decoder_init (&ws->decoder, WS_MAX_MESSAGE);
  return &ws->parent;
}
