/* fuzz-websocket.c — libFuzzer harness for WebSocket framing and the
 * upgrade request.
 *
 * The input's first byte picks how the rest is cut into reads; the rest
 * is parsed as an HTTP request (and, if it asks for one, checked as an
 * upgrade), then decoded as client frames in those pieces, as the
 * transport gets them from the socket. The decoder must never read past
 * what it is given, consume nothing and say NEED_MORE with a whole
 * header there, pass on more payload than a message may have, or hand
 * over a control frame over 125 bytes.
 */
#include <stdint.h>
#include <string.h>

#include "websocket.h"

/* Smaller than the server's 32 MiB, so that inputs can cross it. */
#define FUZZ_MAX_MESSAGE 2048

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
parse_request (const guint8 *data, gsize size)
{
  g_autofree guint8 *copy = g_memdup2 (data, size);
  g_autoptr (GError) error = NULL;
  HttpRequest request;
  gsize consumed = 0;

  if (http_parse_request (copy, size, &request, &consumed, &error) != HTTP_PARSE_OK)
    return;
  g_assert (consumed > 0 && consumed <= size);
  if (ws_is_upgrade (&request))
    {
      g_autofree char *refusal_headers = NULL;
      g_autoptr (GError) refusal = NULL;
      GBytes *answer = ws_accept_upgrade (&request, &refusal_headers, &refusal);

      g_assert ((answer != NULL) != (refusal != NULL));
      if (answer != NULL)
        g_bytes_unref (answer);
    }
  else
    {
      HttpResponse response = { 0 };
      http_serve (NULL, &request, &response);
      g_assert (response.head != NULL);
      http_response_clear (&response);
    }
  http_request_clear (&request);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GByteArray) wire = g_byte_array_new ();
  g_autoptr (GByteArray) payload = g_byte_array_new ();
  WsDecoder decoder;
  gsize piece, offset = 1;

  if (size < 1)
    return 0;
  piece = 1 + data[0] % 64;
  parse_request (data + 1, size - 1);

  ws_decoder_init (&decoder, FUZZ_MAX_MESSAGE);
  while (offset < size)
    {
      gsize n = MIN (piece, size - offset);

      g_byte_array_append (wire, data + offset, (guint) n);
      offset += n;
      for (;;)
        {
          /* Decode from a copy of exactly the bytes there, so that a read
           * past them is caught. */
          g_autofree guint8 *copy = g_memdup2 (wire->data, wire->len);
          g_autoptr (GError) error = NULL;
          WsControl control;
          guint16 close_code = 0;
          gsize consumed = 0;
          WsDecodeResult result = ws_decoder_decode (&decoder, copy, wire->len, &consumed, payload, &control,
                                                     &close_code, &error);

          g_assert (consumed <= wire->len);
          g_assert (payload->len <= FUZZ_MAX_MESSAGE * (size / 2 + 1));
          if (result == WS_DECODE_ERROR)
            {
              GBytes *close = ws_build_close (close_code, error->message);
              g_assert (error != NULL && close_code >= 1000);
              g_assert (g_bytes_get_size (close) <= 2 + WS_MAX_CONTROL_PAYLOAD);
              g_bytes_unref (close);
              return 0;
            }
          g_byte_array_remove_range (wire, 0, (guint) consumed);
          if (result == WS_DECODE_NEED_MORE)
            {
              g_assert (wire->len < WS_MAX_HEADER + WS_MAX_CONTROL_PAYLOAD);
              break;
            }
          g_assert (control.length <= WS_MAX_CONTROL_PAYLOAD);
          if (control.opcode == WS_OPCODE_CLOSE)
            {
              g_autofree char *reason = NULL;
              guint16 code;
              if (ws_parse_close (control.payload, control.length, &code, &reason) && reason != NULL)
                g_assert (g_utf8_validate (reason, -1, NULL));
            }
          else
            {
              g_bytes_unref (ws_build_frame (WS_OPCODE_PONG, control.payload, control.length));
            }
        }
      /* Payload is passed on; the transport's caller takes it. */
      g_byte_array_set_size (payload, 0);
    }
  return 0;
}
