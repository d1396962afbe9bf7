/* test-websocket.c — RFC 6455 as websocket.c speaks it, without sockets.
 *
 * The opening handshake (good upgrades, and each refusal with its HTTP
 * status), the frame decoder (masking, 7/16/64-bit lengths, fragments,
 * control frames between fragments, every limit, input cut at every
 * offset), the server's frame headers, Close payloads, and the Transport
 * that carries RFB: replies to ping and close, and framing of queued
 * bytes without copying them.
 */
#include "checkutil.h"
#include <string.h>

#include "cairovnc.h"
#include "http.h"
#include "websocket.h"

/* Requests. */

static void
parse_request_text (const char *text, HttpRequest *request)
{
  g_autoptr (GError) error = NULL;
  gsize consumed = 0;

  ck_assert_int_eq (http_parse_request ((const guint8 *) text, strlen (text), request, &consumed, &error),
                    HTTP_PARSE_OK);
  ck_assert_uint_eq (consumed, strlen (text));
}

#define GOOD_KEY "dGhlIHNhbXBsZSBub25jZQ=="

/* An upgrade request as Chromium sends it, with @extra header lines. */
static char *
upgrade_text (const char *method, const char *version, const char *extra)
{
  return g_strdup_printf ("%s /websockify HTTP/%s\r\n"
                          "Host: localhost:5802\r\n"
                          "Connection: Upgrade\r\n"
                          "Upgrade: websocket\r\n"
                          "%s"
                          "\r\n",
                          method, version, extra);
}

/* Checks the upgrade and returns the answer as text (NULL when refused,
 * with the status in @status and the extra headers in @headers). */
static char *
try_upgrade (const char *method, const char *version, const char *extra, guint *status, char **headers)
{
  g_autofree char *text = upgrade_text (method, version, extra);
  HttpRequest request;
  g_autoptr (GError) error = NULL;
  g_autofree char *refusal_headers = NULL;
  g_autoptr (GBytes) answer = NULL;

  parse_request_text (text, &request);
  ck_assert (ws_is_upgrade (&request));
  answer = ws_accept_upgrade (&request, &refusal_headers, &error);
  http_request_clear (&request);
  if (headers != NULL)
    *headers = g_steal_pointer (&refusal_headers);
  if (answer == NULL)
    {
      ck_assert (g_error_matches (error, HTTP_ERROR, error->code));
      ck_assert_ptr_nonnull (error->message);
      *status = (guint) error->code;
      return NULL;
    }
  *status = 101;
  return g_strndup (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer));
}

START_TEST (test_websocket_accept_key_of_rfc_example)
{
  /* RFC 6455 §1.3. */
  g_autofree char *accept = ws_accept_key ("dGhlIHNhbXBsZSBub25jZQ==");

  ck_assert_str_eq (accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}
END_TEST

START_TEST (test_websocket_good_upgrade_answers_101)
{
  guint status = 0;
  g_autofree char *answer = try_upgrade ("GET", "1.1",
                                         "Sec-WebSocket-Key: " GOOD_KEY "\r\n"
                                         "Sec-WebSocket-Version: 13\r\n"
                                         "Origin: http://localhost:5802\r\n",
                                         &status, NULL);

  ck_assert_uint_eq (status, 101);
  ck_assert (g_str_has_prefix (answer, "HTTP/1.1 101 Switching Protocols\r\n"));
  ck_assert_ptr_nonnull (strstr (answer, "\r\nUpgrade: websocket\r\n"));
  ck_assert_ptr_nonnull (strstr (answer, "\r\nConnection: Upgrade\r\n"));
  ck_assert_ptr_nonnull (strstr (answer, "\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
  /* No subprotocol asked, none named; a 101 has no body. */
  ck_assert_ptr_null (strstr (answer, "Sec-WebSocket-Protocol"));
  ck_assert_ptr_null (strstr (answer, "Content-Length"));
  ck_assert (g_str_has_suffix (answer, "\r\n\r\n"));
}
END_TEST

START_TEST (test_websocket_binary_subprotocol_is_chosen)
{
  guint status = 0;
  g_autofree char *answer = try_upgrade ("GET", "1.1",
                                         "Sec-WebSocket-Key: " GOOD_KEY "\r\n"
                                         "Sec-WebSocket-Version: 13\r\n"
                                         "Sec-WebSocket-Protocol: base64, binary\r\n",
                                         &status, NULL);

  ck_assert_uint_eq (status, 101);
  ck_assert_ptr_nonnull (strstr (answer, "\r\nSec-WebSocket-Protocol: binary\r\n"));
}
END_TEST

START_TEST (test_websocket_header_tokens_ignore_case_and_lists)
{
  const char *text = "GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, UPGRADE\r\nUpgrade: WebSocket\r\n"
                     "Sec-WebSocket-Key: " GOOD_KEY "\r\nSec-WebSocket-Version: 13\r\n\r\n";
  HttpRequest request;
  g_autofree char *headers = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) answer = NULL;

  parse_request_text (text, &request);
  ck_assert (ws_is_upgrade (&request));
  answer = ws_accept_upgrade (&request, &headers, &error);
  ck_assert_msg (answer != NULL, "%s", error ? error->message : "");
  http_request_clear (&request);
}
END_TEST

START_TEST (test_websocket_plain_get_is_no_upgrade)
{
  HttpRequest request;

  parse_request_text ("GET /vnc.html HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n\r\n", &request);
  ck_assert (!ws_is_upgrade (&request));
  http_request_clear (&request);
}
END_TEST

static const struct {
  const char *what;
  const char *method;
  const char *version;
  const char *extra;
  guint status;
} bad_upgrades[] = {
  { "missing key", "GET", "1.1", "Sec-WebSocket-Version: 13\r\n", 400 },
  { "short key", "GET", "1.1", "Sec-WebSocket-Key: dGhlIHNhbXBsZQ==\r\nSec-WebSocket-Version: 13\r\n", 400 },
  { "key not base64", "GET", "1.1", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25j*Q==\r\nSec-WebSocket-Version: 13\r\n",
    400 },
  { "two keys", "GET", "1.1",
    "Sec-WebSocket-Key: " GOOD_KEY "\r\nSec-WebSocket-Key: " GOOD_KEY "\r\nSec-WebSocket-Version: 13\r\n", 400 },
  { "wrong version", "GET", "1.1", "Sec-WebSocket-Key: " GOOD_KEY "\r\nSec-WebSocket-Version: 8\r\n", 426 },
  { "missing version", "GET", "1.1", "Sec-WebSocket-Key: " GOOD_KEY "\r\n", 426 },
  { "POST", "POST", "1.1", "Sec-WebSocket-Key: " GOOD_KEY "\r\nSec-WebSocket-Version: 13\r\n", 405 },
  { "HTTP/1.0", "GET", "1.0", "Sec-WebSocket-Key: " GOOD_KEY "\r\nSec-WebSocket-Version: 13\r\n", 400 },
  { "page of another site", "GET", "1.1",
    "Sec-WebSocket-Key: " GOOD_KEY "\r\nSec-WebSocket-Version: 13\r\nOrigin: http://evil.example\r\n", 403 },
  { "page of another port", "GET", "1.1",
    "Sec-WebSocket-Key: " GOOD_KEY "\r\nSec-WebSocket-Version: 13\r\nOrigin: http://localhost:8080\r\n", 403 },
  { "file page", "GET", "1.1",
    "Sec-WebSocket-Key: " GOOD_KEY "\r\nSec-WebSocket-Version: 13\r\nOrigin: null\r\n", 403 },
  { "only other subprotocols", "GET", "1.1",
    "Sec-WebSocket-Key: " GOOD_KEY "\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: base64\r\n", 400 },
};

START_TEST (test_websocket_bad_upgrades_are_refused)
{
  guint status = 0;
  g_autofree char *headers = NULL;
  g_autofree char *answer = try_upgrade (bad_upgrades[_i].method, bad_upgrades[_i].version,
                                         bad_upgrades[_i].extra, &status, &headers);

  ck_assert_msg (answer == NULL, "%s: accepted", bad_upgrades[_i].what);
  ck_assert_msg (status == bad_upgrades[_i].status, "%s: status %u, expected %u", bad_upgrades[_i].what, status,
                 bad_upgrades[_i].status);
  /* A version refusal names the version spoken (RFC 6455 §4.4). */
  if (status == 426)
    ck_assert_str_eq (headers, "Sec-WebSocket-Version: 13\r\n");
  if (status == 405)
    ck_assert_str_eq (headers, "Allow: GET\r\n");
}
END_TEST

START_TEST (test_websocket_missing_connection_upgrade_is_refused)
{
  HttpRequest request;
  g_autofree char *headers = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) answer = NULL;

  parse_request_text ("GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
                      "Sec-WebSocket-Key: " GOOD_KEY "\r\nSec-WebSocket-Version: 13\r\n\r\n", &request);
  answer = ws_accept_upgrade (&request, &headers, &error);
  ck_assert_ptr_null (answer);
  ck_assert_int_eq (error->code, 400);
  http_request_clear (&request);
}
END_TEST

/* Client frames. */

/* A client frame: FIN as given, masked with @mask, with the length in
 * the shortest form unless @long_form forces the 64-bit one. */
static GByteArray *
client_frame (gboolean fin, guint8 opcode, const guint8 *payload, gsize len, guint32 mask, gboolean long_form)
{
  GByteArray *frame = g_byte_array_new ();
  guint8 head[14];
  gsize n = 0;
  guint8 m[4] = { (guint8) (mask >> 24), (guint8) (mask >> 16), (guint8) (mask >> 8), (guint8) mask };

  head[n++] = (guint8) ((fin ? 0x80 : 0) | opcode);
  if (len < 126 && !long_form)
    {
      head[n++] = (guint8) (0x80 | len);
    }
  else if (len <= 0xffff && !long_form)
    {
      head[n++] = 0x80 | 126;
      head[n++] = (guint8) (len >> 8);
      head[n++] = (guint8) len;
    }
  else
    {
      head[n++] = 0x80 | 127;
      for (int i = 0; i < 8; i++)
        head[n++] = (guint8) ((guint64) len >> (56 - 8 * i));
    }
  memcpy (head + n, m, 4);
  n += 4;
  g_byte_array_append (frame, head, (guint) n);
  for (gsize i = 0; i < len; i++)
    {
      guint8 b = payload[i] ^ m[i & 3];
      g_byte_array_append (frame, &b, 1);
    }
  return frame;
}

static guint8 *
pattern (gsize len, guint seed)
{
  guint8 *p = g_malloc (MAX (len, 1));
  GRand *rand = g_rand_new_with_seed (seed);

  for (gsize i = 0; i < len; i++)
    p[i] = (guint8) g_rand_int_range (rand, 0, 256);
  g_rand_free (rand);
  return p;
}

/* Decodes @data as the transport does: what is not consumed waits for
 * more. Returns the last result; controls are counted in @n_controls and
 * the last one kept in @control. */
static WsDecodeResult
decode_all (WsDecoder *d, const guint8 *data, gsize len, GByteArray *payload, guint *n_controls,
            WsControl *control, guint16 *close_code, gsize *left)
{
  gsize offset = 0;

  for (;;)
    {
      gsize consumed = 0;
      g_autoptr (GError) error = NULL;
      WsDecodeResult result = ws_decoder_decode (d, data + offset, len - offset, &consumed, payload, control,
                                                 close_code, &error);

      ck_assert_uint_le (consumed, len - offset);
      offset += consumed;
      if (result == WS_DECODE_ERROR)
        {
          ck_assert_ptr_nonnull (error);
          *left = len - offset;
          return result;
        }
      ck_assert_ptr_null (error);
      if (result == WS_DECODE_NEED_MORE)
        {
          *left = len - offset;
          return result;
        }
      (*n_controls)++;
    }
}

static const gsize frame_lengths[] = { 0, 1, 125, 126, 127, 1000, 65535, 65536, 200000 };

START_TEST (test_websocket_binary_frame_is_unmasked)
{
  gsize len = frame_lengths[_i];
  g_autofree guint8 *data = pattern (len, (guint) _i);
  g_autoptr (GByteArray) frame = client_frame (TRUE, WS_OPCODE_BINARY, data, len, 0x37fa213d, FALSE);
  g_autoptr (GByteArray) payload = g_byte_array_new ();
  WsDecoder d;
  WsControl control;
  guint16 code = 0;
  guint n_controls = 0;
  gsize left = 99;

  ws_decoder_init (&d, WS_MAX_MESSAGE);
  ck_assert_int_eq (decode_all (&d, frame->data, frame->len, payload, &n_controls, &control, &code, &left),
                    WS_DECODE_NEED_MORE);
  ck_assert_uint_eq (left, 0);
  ck_assert_uint_eq (n_controls, 0);
  ck_assert_uint_eq (payload->len, len);
  ck_assert (len == 0 || memcmp (payload->data, data, len) == 0);
  /* The message is over: a new one may start. */
  ck_assert (!d.in_message && !d.in_frame);
}
END_TEST

START_TEST (test_websocket_64_bit_length_of_small_frame_is_read)
{
  static const guint8 data[] = "RFB 003.008\n";
  g_autoptr (GByteArray) frame = client_frame (TRUE, WS_OPCODE_BINARY, data, 12, 0x01020304, TRUE);
  g_autoptr (GByteArray) payload = g_byte_array_new ();
  WsDecoder d;
  WsControl control;
  guint16 code = 0;
  guint n = 0;
  gsize left = 0;

  ck_assert_uint_eq (frame->len, 2 + 8 + 4 + 12);
  ws_decoder_init (&d, WS_MAX_MESSAGE);
  ck_assert_int_eq (decode_all (&d, frame->data, frame->len, payload, &n, &control, &code, &left),
                    WS_DECODE_NEED_MORE);
  ck_assert_uint_eq (payload->len, 12);
  ck_assert (memcmp (payload->data, data, 12) == 0);
}
END_TEST

/* Feeds @wire in pieces of @step bytes, keeping what was not consumed,
 * as a socket would deliver it. */
static void
feed_in_steps (WsDecoder *d, const GByteArray *wire, gsize step, GByteArray *payload, guint *n_controls)
{
  g_autoptr (GByteArray) pending = g_byte_array_new ();
  WsControl control;
  guint16 code = 0;

  for (gsize pos = 0; pos < wire->len; pos += step)
    {
      gsize left = 0;
      gsize n = MIN (step, wire->len - pos);
      g_byte_array_append (pending, wire->data + pos, (guint) n);
      ck_assert_int_eq (decode_all (d, pending->data, pending->len, payload, n_controls, &control, &code, &left),
                        WS_DECODE_NEED_MORE);
      /* Only a header (or a control frame) cut short waits. */
      ck_assert_uint_lt (left, WS_MAX_HEADER + WS_MAX_CONTROL_PAYLOAD);
      g_byte_array_remove_range (pending, 0, (guint) (pending->len - left));
    }
  ck_assert_uint_eq (pending->len, 0);
}

START_TEST (test_websocket_frames_fed_byte_by_byte)
{
  g_autofree guint8 *data = pattern (70000, 7);
  g_autoptr (GByteArray) wire = g_byte_array_new ();
  g_autoptr (GByteArray) payload = g_byte_array_new ();
  const gsize sizes[] = { 5, 130, 70000 - 135 };
  gsize offset = 0;
  WsDecoder d;
  guint n_controls = 0;

  /* A fragmented message with a ping between its fragments, then a
   * frame of a message of its own. */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (GByteArray) frame = client_frame (i == 1 || i == 2, i == 0 ? WS_OPCODE_BINARY : i == 1 ? 0 :
                                                   WS_OPCODE_BINARY, data + offset, sizes[i], 0xdeadbeef + i, FALSE);
      g_byte_array_append (wire, frame->data, frame->len);
      offset += sizes[i];
      if (i == 0)
        {
          g_autoptr (GByteArray) ping = client_frame (TRUE, WS_OPCODE_PING, (const guint8 *) "hi", 2, 7, FALSE);
          g_byte_array_append (wire, ping->data, ping->len);
        }
    }
  ws_decoder_init (&d, WS_MAX_MESSAGE);
  feed_in_steps (&d, wire, 1, payload, &n_controls);
  ck_assert_uint_eq (n_controls, 1);
  ck_assert_uint_eq (payload->len, 70000);
  ck_assert (memcmp (payload->data, data, 70000) == 0);
}
END_TEST

START_TEST (test_websocket_stream_cut_at_every_offset)
{
  g_autofree guint8 *data = pattern (300, 3);
  g_autoptr (GByteArray) wire = g_byte_array_new ();
  g_autoptr (GByteArray) a = client_frame (FALSE, WS_OPCODE_BINARY, data, 100, 0x11223344, FALSE);
  g_autoptr (GByteArray) p = client_frame (TRUE, WS_OPCODE_PONG, data, 10, 0x55667788, FALSE);
  g_autoptr (GByteArray) b = client_frame (TRUE, WS_OPCODE_CONTINUATION, data + 100, 200, 0x99aabbcc, FALSE);

  g_byte_array_append (wire, a->data, a->len);
  g_byte_array_append (wire, p->data, p->len);
  g_byte_array_append (wire, b->data, b->len);
  for (gsize cut = 0; cut <= wire->len; cut++)
    {
      g_autoptr (GByteArray) payload = g_byte_array_new ();
      g_autoptr (GByteArray) pending = g_byte_array_new ();
      WsDecoder d;
      WsControl control;
      guint16 code = 0;
      guint n_controls = 0;
      gsize left = 0;

      ws_decoder_init (&d, WS_MAX_MESSAGE);
      g_byte_array_append (pending, wire->data, (guint) cut);
      ck_assert_int_eq (decode_all (&d, pending->data, pending->len, payload, &n_controls, &control, &code, &left),
                        WS_DECODE_NEED_MORE);
      g_byte_array_remove_range (pending, 0, (guint) (pending->len - left));
      g_byte_array_append (pending, wire->data + cut, (guint) (wire->len - cut));
      ck_assert_int_eq (decode_all (&d, pending->data, pending->len, payload, &n_controls, &control, &code, &left),
                        WS_DECODE_NEED_MORE);
      ck_assert_uint_eq (left, 0);
      ck_assert_uint_eq (n_controls, 1);
      ck_assert_uint_eq (control.opcode, WS_OPCODE_PONG);
      ck_assert_uint_eq (control.length, 10);
      ck_assert (memcmp (control.payload, data, 10) == 0);
      ck_assert_uint_eq (payload->len, 300);
      ck_assert_msg (memcmp (payload->data, data, 300) == 0, "payload differs when cut at %" G_GSIZE_FORMAT, cut);
    }
}
END_TEST

START_TEST (test_websocket_control_frame_waits_whole)
{
  g_autoptr (GByteArray) ping = client_frame (TRUE, WS_OPCODE_PING, (const guint8 *) "abcdef", 6, 0x0a0b0c0d, FALSE);
  g_autoptr (GByteArray) payload = g_byte_array_new ();
  WsDecoder d;
  WsControl control;
  guint16 code = 0;
  gsize consumed = 99;

  ws_decoder_init (&d, WS_MAX_MESSAGE);
  for (guint len = 0; len < ping->len; len++)
    {
      ck_assert_int_eq (ws_decoder_decode (&d, ping->data, len, &consumed, payload, &control, &code, NULL),
                        WS_DECODE_NEED_MORE);
      ck_assert_uint_eq (consumed, 0);
    }
  ck_assert_int_eq (ws_decoder_decode (&d, ping->data, ping->len, &consumed, payload, &control, &code, NULL),
                    WS_DECODE_CONTROL);
  ck_assert_uint_eq (consumed, ping->len);
  ck_assert_uint_eq (control.opcode, WS_OPCODE_PING);
  ck_assert_uint_eq (control.length, 6);
  ck_assert (memcmp (control.payload, "abcdef", 6) == 0);
  ck_assert_uint_eq (payload->len, 0);
}
END_TEST

/* Decodes @frame alone and expects an error with @close_code. */
static void
assert_frame_refused (GByteArray *frame, guint16 expected_code, const char *what)
{
  g_autoptr (GByteArray) payload = g_byte_array_new ();
  WsDecoder d;
  WsControl control;
  guint16 code = 0;
  guint n = 0;
  gsize left = 0;

  ws_decoder_init (&d, WS_MAX_MESSAGE);
  ck_assert_msg (decode_all (&d, frame->data, frame->len, payload, &n, &control, &code, &left) == WS_DECODE_ERROR,
                 "%s: not refused", what);
  ck_assert_msg (code == expected_code, "%s: close code %u, expected %u", what, code, expected_code);
}

START_TEST (test_websocket_bad_frames_are_refused)
{
  static const guint8 data[200] = { 0 };

  {
    g_autoptr (GByteArray) f = client_frame (TRUE, WS_OPCODE_BINARY, data, 3, 1, FALSE);
    f->data[1] &= 0x7f; /* unmasked */
    assert_frame_refused (f, WS_CLOSE_PROTOCOL_ERROR, "unmasked");
  }
  {
    g_autoptr (GByteArray) f = client_frame (TRUE, WS_OPCODE_BINARY, data, 3, 1, FALSE);
    f->data[0] |= 0x40; /* RSV1, as permessage-deflate would set */
    assert_frame_refused (f, WS_CLOSE_PROTOCOL_ERROR, "reserved bit");
  }
  {
    g_autoptr (GByteArray) f = client_frame (TRUE, WS_OPCODE_TEXT, data, 3, 1, FALSE);
    assert_frame_refused (f, WS_CLOSE_UNSUPPORTED_DATA, "text");
  }
  {
    g_autoptr (GByteArray) f = client_frame (TRUE, 0x3, data, 3, 1, FALSE);
    assert_frame_refused (f, WS_CLOSE_PROTOCOL_ERROR, "data opcode 3");
  }
  {
    g_autoptr (GByteArray) f = client_frame (TRUE, 0xb, data, 3, 1, FALSE);
    assert_frame_refused (f, WS_CLOSE_PROTOCOL_ERROR, "control opcode 11");
  }
  {
    g_autoptr (GByteArray) f = client_frame (TRUE, WS_OPCODE_CONTINUATION, data, 3, 1, FALSE);
    assert_frame_refused (f, WS_CLOSE_PROTOCOL_ERROR, "continuation of nothing");
  }
  {
    g_autoptr (GByteArray) f = client_frame (TRUE, WS_OPCODE_PING, data, 126, 1, FALSE);
    assert_frame_refused (f, WS_CLOSE_PROTOCOL_ERROR, "ping of 126 bytes");
  }
  {
    g_autoptr (GByteArray) f = client_frame (FALSE, WS_OPCODE_PING, data, 3, 1, FALSE);
    assert_frame_refused (f, WS_CLOSE_PROTOCOL_ERROR, "fragmented ping");
  }
  {
    g_autoptr (GByteArray) f = client_frame (FALSE, WS_OPCODE_BINARY, data, 3, 1, FALSE);
    g_autoptr (GByteArray) g = client_frame (TRUE, WS_OPCODE_BINARY, data, 3, 1, FALSE);
    g_byte_array_append (f, g->data, g->len);
    assert_frame_refused (f, WS_CLOSE_PROTOCOL_ERROR, "new message inside a fragmented one");
  }
  {
    /* A 64-bit length with its top bit set. */
    g_autoptr (GByteArray) f = client_frame (TRUE, WS_OPCODE_BINARY, data, 3, 1, TRUE);
    f->data[2] = 0x80;
    assert_frame_refused (f, WS_CLOSE_PROTOCOL_ERROR, "length top bit");
  }
}
END_TEST

/* A header announcing @length, with no payload behind it. */
static GByteArray *
header_only (gboolean fin, guint8 opcode, guint64 length)
{
  GByteArray *frame = client_frame (fin, opcode, NULL, 0, 0, TRUE);

  for (int i = 0; i < 8; i++)
    frame->data[2 + i] = (guint8) (length >> (56 - 8 * i));
  return frame;
}

START_TEST (test_websocket_oversized_frame_is_refused_before_payload)
{
  g_autoptr (GByteArray) f = header_only (TRUE, WS_OPCODE_BINARY, (guint64) WS_MAX_MESSAGE + 1);
  g_autoptr (GByteArray) huge = header_only (TRUE, WS_OPCODE_BINARY, G_MAXINT64);
  g_autoptr (GByteArray) ok = header_only (TRUE, WS_OPCODE_BINARY, WS_MAX_MESSAGE);
  g_autoptr (GByteArray) payload = g_byte_array_new ();
  WsDecoder d;
  WsControl control;
  guint16 code = 0;
  guint n = 0;
  gsize left = 0;

  assert_frame_refused (f, WS_CLOSE_MESSAGE_TOO_BIG, "one byte over");
  assert_frame_refused (huge, WS_CLOSE_MESSAGE_TOO_BIG, "2^63 - 1 bytes");
  /* At the limit it is accepted and waits for its payload. */
  ws_decoder_init (&d, WS_MAX_MESSAGE);
  ck_assert_int_eq (decode_all (&d, ok->data, ok->len, payload, &n, &control, &code, &left), WS_DECODE_NEED_MORE);
  ck_assert_uint_eq (left, 0);
  ck_assert (d.in_frame);
  ck_assert_uint_eq (d.remaining, WS_MAX_MESSAGE);
}
END_TEST

START_TEST (test_websocket_fragmented_message_total_is_limited)
{
  static const guint8 data[64] = { 0 };
  g_autoptr (GByteArray) wire = g_byte_array_new ();
  g_autoptr (GByteArray) payload = g_byte_array_new ();
  WsDecoder d;
  WsControl control;
  guint16 code = 0;
  guint n = 0;
  gsize left = 0;

  /* A limit of 100: 64 + 32 fit, 4 more do not; a new message could. */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (GByteArray) f = client_frame (FALSE, i == 0 ? WS_OPCODE_BINARY : WS_OPCODE_CONTINUATION, data,
                                               i == 0 ? 64 : i == 1 ? 32 : 5, i, FALSE);
      g_byte_array_append (wire, f->data, f->len);
    }
  ws_decoder_init (&d, 100);
  ck_assert_int_eq (decode_all (&d, wire->data, wire->len, payload, &n, &control, &code, &left), WS_DECODE_ERROR);
  ck_assert_uint_eq (code, WS_CLOSE_MESSAGE_TOO_BIG);
  ck_assert_uint_eq (payload->len, 96);
}
END_TEST

START_TEST (test_websocket_messages_reset_the_total)
{
  static const guint8 data[64] = { 0 };
  g_autoptr (GByteArray) wire = g_byte_array_new ();
  g_autoptr (GByteArray) payload = g_byte_array_new ();
  WsDecoder d;
  WsControl control;
  guint16 code = 0;
  guint n = 0;
  gsize left = 0;

  for (guint i = 0; i < 10; i++)
    {
      g_autoptr (GByteArray) f = client_frame (TRUE, WS_OPCODE_BINARY, data, 64, i, FALSE);
      g_byte_array_append (wire, f->data, f->len);
    }
  ws_decoder_init (&d, 100);
  ck_assert_int_eq (decode_all (&d, wire->data, wire->len, payload, &n, &control, &code, &left),
                    WS_DECODE_NEED_MORE);
  ck_assert_uint_eq (payload->len, 640);
}
END_TEST

/* Server frames. */

START_TEST (test_websocket_server_frame_headers)
{
  static const struct {
    guint64 length;
    gsize header_len;
    guint8 bytes[10];
  } cases[] = {
    { 0, 2, { 0x82, 0 } },
    { 125, 2, { 0x82, 125 } },
    { 126, 4, { 0x82, 126, 0, 126 } },
    { 65535, 4, { 0x82, 126, 0xff, 0xff } },
    { 65536, 10, { 0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0 } },
    { 0x123456789aULL, 10, { 0x82, 127, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 0x9a } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint8 header[WS_MAX_HEADER];
      gsize n = ws_frame_header (header, WS_OPCODE_BINARY, cases[i].length);
      ck_assert_uint_eq (n, cases[i].header_len);
      ck_assert_msg (memcmp (header, cases[i].bytes, n) == 0, "header of %" G_GUINT64_FORMAT " bytes",
                     cases[i].length);
    }
}
END_TEST

START_TEST (test_websocket_close_round_trip)
{
  g_autoptr (GBytes) frame = ws_build_close (WS_CLOSE_GOING_AWAY, "bye");
  const guint8 *p = g_bytes_get_data (frame, NULL);
  g_autofree char *reason = NULL;
  guint16 code = 0;

  ck_assert_uint_eq (g_bytes_get_size (frame), 2 + 2 + 3);
  ck_assert_uint_eq (p[0], 0x88);
  ck_assert_uint_eq (p[1], 5);
  ck_assert (ws_parse_close (p + 2, 5, &code, &reason));
  ck_assert_uint_eq (code, WS_CLOSE_GOING_AWAY);
  ck_assert_str_eq (reason, "bye");
}
END_TEST

START_TEST (test_websocket_close_reason_is_cut_on_a_character)
{
  GString *long_reason = g_string_new (NULL);
  g_autoptr (GBytes) frame = NULL;
  gsize size;
  const guint8 *p;

  /* 2-byte characters: 123 bytes of room would cut one in half. */
  for (int i = 0; i < 100; i++)
    g_string_append (long_reason, "é");
  frame = ws_build_close (WS_CLOSE_PROTOCOL_ERROR, long_reason->str);
  p = g_bytes_get_data (frame, &size);
  ck_assert_uint_le (p[1], WS_MAX_CONTROL_PAYLOAD);
  ck_assert_uint_eq (size, 2 + (gsize) p[1]);
  ck_assert_uint_eq (p[1], 2 + 122);
  ck_assert (g_utf8_validate ((const char *) p + 4, p[1] - 2, NULL));
  g_string_free (long_reason, TRUE);
}
END_TEST

START_TEST (test_websocket_close_payloads)
{
  g_autofree char *reason = NULL;
  guint16 code = 0;
  static const guint8 bad_utf8[] = { 0x03, 0xe8, 0xff };

  ck_assert (ws_parse_close (NULL, 0, &code, &reason));
  ck_assert_uint_eq (code, WS_CLOSE_NO_STATUS);
  ck_assert (!ws_parse_close ((const guint8 *) "x", 1, &code, &reason));
  ck_assert (!ws_parse_close (bad_utf8, sizeof bad_utf8, &code, &reason));
}
END_TEST

/* The transport. */

START_TEST (test_websocket_transport_answers_ping_and_passes_data)
{
  g_autoptr (Transport) t = ws_transport_new ();
  g_autoptr (GByteArray) wire = g_byte_array_new ();
  g_autoptr (GByteArray) plain = g_byte_array_new ();
  g_autoptr (GByteArray) a = client_frame (TRUE, WS_OPCODE_BINARY, (const guint8 *) "RFB 003.008\n", 12, 9, FALSE);
  g_autoptr (GByteArray) ping = client_frame (TRUE, WS_OPCODE_PING, (const guint8 *) "tick", 4, 10, FALSE);
  GQueue replies = G_QUEUE_INIT;
  g_autoptr (GBytes) pong = NULL;
  g_autoptr (GError) error = NULL;
  const guint8 *p;

  g_byte_array_append (wire, a->data, a->len);
  g_byte_array_append (wire, ping->data, ping->len);
  g_byte_array_append (wire, a->data, 3); /* the start of another frame */
  ck_assert (t->funcs->unwrap (t, wire, plain, &replies, &error));
  ck_assert_uint_eq (plain->len, 12);
  ck_assert (memcmp (plain->data, "RFB 003.008\n", 12) == 0);
  /* What was cut short stays for the next read. */
  ck_assert_uint_eq (wire->len, 3);
  ck_assert_uint_eq (g_queue_get_length (&replies), 1);
  pong = g_queue_pop_head (&replies);
  p = g_bytes_get_data (pong, NULL);
  ck_assert_uint_eq (g_bytes_get_size (pong), 6);
  ck_assert_uint_eq (p[0], 0x8a);
  ck_assert_uint_eq (p[1], 4);
  ck_assert (memcmp (p + 2, "tick", 4) == 0);
}
END_TEST

START_TEST (test_websocket_transport_close_handshake)
{
  g_autoptr (Transport) t = ws_transport_new ();
  g_autoptr (GByteArray) wire = g_byte_array_new ();
  g_autoptr (GByteArray) plain = g_byte_array_new ();
  static const guint8 close_payload[] = { 0x03, 0xe9, 'g', 'o', 'n', 'e' };
  g_autoptr (GByteArray) close = client_frame (TRUE, WS_OPCODE_CLOSE, close_payload, sizeof close_payload, 3, FALSE);
  GQueue replies = G_QUEUE_INIT;
  g_autoptr (GBytes) answer = NULL;
  g_autoptr (GError) error = NULL;
  const guint8 *p;

  g_byte_array_append (wire, close->data, close->len);
  ck_assert (!t->funcs->unwrap (t, wire, plain, &replies, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "closed the WebSocket (code 1001, gone)"));
  answer = g_queue_pop_head (&replies);
  p = g_bytes_get_data (answer, NULL);
  /* The same code back, and no second Close when the server ends. */
  ck_assert_uint_eq (g_bytes_get_size (answer), 4);
  ck_assert_uint_eq (p[0], 0x88);
  ck_assert_uint_eq ((p[2] << 8) | p[3], 1001);
  ck_assert_ptr_null (t->funcs->goodbye (t));
}
END_TEST

START_TEST (test_websocket_transport_protocol_error_closes_with_code)
{
  g_autoptr (Transport) t = ws_transport_new ();
  g_autoptr (GByteArray) wire = g_byte_array_new ();
  g_autoptr (GByteArray) plain = g_byte_array_new ();
  g_autoptr (GByteArray) text = client_frame (TRUE, WS_OPCODE_TEXT, (const guint8 *) "hello", 5, 3, FALSE);
  GQueue replies = G_QUEUE_INIT;
  g_autoptr (GBytes) answer = NULL;
  g_autoptr (GError) error = NULL;
  const guint8 *p;

  g_byte_array_append (wire, text->data, text->len);
  ck_assert (!t->funcs->unwrap (t, wire, plain, &replies, &error));
  ck_assert (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL));
  answer = g_queue_pop_head (&replies);
  p = g_bytes_get_data (answer, NULL);
  ck_assert_uint_eq (p[0], 0x88);
  ck_assert_uint_eq ((p[2] << 8) | p[3], WS_CLOSE_UNSUPPORTED_DATA);
  ck_assert_uint_eq (plain->len, 0);
}
END_TEST

START_TEST (test_websocket_transport_frames_queue_without_copying)
{
  g_autoptr (Transport) t = ws_transport_new ();
  GQueue output = G_QUEUE_INIT;
  GBytes *before = g_bytes_new_static ("old", 3);
  GBytes *tiles[3] = {
    g_bytes_new_static ("header", 6),
    g_bytes_new_take (g_malloc0 (70000), 70000),
    g_bytes_new_static ("x", 1),
  };
  GBytes *header;
  const guint8 *h;
  g_autoptr (GBytes) goodbye = NULL;

  g_queue_push_tail (&output, before);
  for (guint i = 0; i < 3; i++)
    g_queue_push_tail (&output, tiles[i]);
  t->funcs->wrap (t, &output, 3);
  ck_assert_uint_eq (g_queue_get_length (&output), 5);
  /* Older items are left alone; the header goes before the new ones,
   * which are the very same GBytes. */
  ck_assert_ptr_eq (g_queue_peek_nth (&output, 0), before);
  header = g_queue_peek_nth (&output, 1);
  for (guint i = 0; i < 3; i++)
    ck_assert_ptr_eq (g_queue_peek_nth (&output, i + 2), tiles[i]);
  h = g_bytes_get_data (header, NULL);
  ck_assert_uint_eq (g_bytes_get_size (header), 10);
  ck_assert_uint_eq (h[0], 0x82);
  ck_assert_uint_eq (h[1], 127);
  ck_assert_uint_eq (((guint64) h[6] << 24) | ((guint64) h[7] << 16) | ((guint64) h[8] << 8) | h[9], 70007);
  /* The server's own end is a Close frame, once. */
  goodbye = t->funcs->goodbye (t);
  ck_assert_ptr_nonnull (goodbye);
  ck_assert_uint_eq (((const guint8 *) g_bytes_get_data (goodbye, NULL))[0], 0x88);
  ck_assert_ptr_null (t->funcs->goodbye (t));
  g_queue_clear_full (&output, (GDestroyNotify) g_bytes_unref);
}
END_TEST

static Suite *
websocket_suite (void)
{
  Suite *s = suite_create ("websocket");
  TCase *tc;

  tc = tcase_create ("handshake");
  tcase_add_test (tc, test_websocket_accept_key_of_rfc_example);
  tcase_add_test (tc, test_websocket_good_upgrade_answers_101);
  tcase_add_test (tc, test_websocket_binary_subprotocol_is_chosen);
  tcase_add_test (tc, test_websocket_header_tokens_ignore_case_and_lists);
  tcase_add_test (tc, test_websocket_plain_get_is_no_upgrade);
  tcase_add_loop_test (tc, test_websocket_bad_upgrades_are_refused, 0, G_N_ELEMENTS (bad_upgrades));
  tcase_add_test (tc, test_websocket_missing_connection_upgrade_is_refused);
  suite_add_tcase (s, tc);

  tc = tcase_create ("frames");
  tcase_add_loop_test (tc, test_websocket_binary_frame_is_unmasked, 0, G_N_ELEMENTS (frame_lengths));
  tcase_add_test (tc, test_websocket_64_bit_length_of_small_frame_is_read);
  tcase_add_test (tc, test_websocket_frames_fed_byte_by_byte);
  tcase_add_test (tc, test_websocket_stream_cut_at_every_offset);
  tcase_add_test (tc, test_websocket_control_frame_waits_whole);
  tcase_add_test (tc, test_websocket_messages_reset_the_total);
  suite_add_tcase (s, tc);

  tc = tcase_create ("hostile");
  tcase_add_test (tc, test_websocket_bad_frames_are_refused);
  tcase_add_test (tc, test_websocket_oversized_frame_is_refused_before_payload);
  tcase_add_test (tc, test_websocket_fragmented_message_total_is_limited);
  suite_add_tcase (s, tc);

  tc = tcase_create ("server frames");
  tcase_add_test (tc, test_websocket_server_frame_headers);
  tcase_add_test (tc, test_websocket_close_round_trip);
  tcase_add_test (tc, test_websocket_close_reason_is_cut_on_a_character);
  tcase_add_test (tc, test_websocket_close_payloads);
  suite_add_tcase (s, tc);

  tc = tcase_create ("transport");
  tcase_add_test (tc, test_websocket_transport_answers_ping_and_passes_data);
  tcase_add_test (tc, test_websocket_transport_close_handshake);
  tcase_add_test (tc, test_websocket_transport_protocol_error_closes_with_code);
  tcase_add_test (tc, test_websocket_transport_frames_queue_without_copying);
  suite_add_tcase (s, tc);

  return s;
}

int
main (void)
{
  return checkutil_run (websocket_suite ());
}
