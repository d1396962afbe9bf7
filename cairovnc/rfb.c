/* rfb.c — RFB wire helpers and the pure client-message parser.
 *
 * Framing follows rfbproto.rst "Client to Server Messages": each message
 * has a fixed head, and some a length-prefixed tail. The parser checks
 * every length against a limit before the caller allocates anything, and
 * never reads past @len.
 */
#include "rfb.h"

#include <string.h>

#include "cairovnc.h"

static RfbParseResult
parse_error (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static RfbParseResult
parse_error (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_autofree char *message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL, message);
  return RFB_PARSE_ERROR;
}

/* "RFB xxx.yyy\n". Odd minor versions map as viewers in the wild expect:
 * 3.4–3.6 (and anything below 3.7) speak 3.3, 3.7 is 3.7, and everything
 * from 3.8 up (Apple's 3.889 included) speaks 3.8. */
RfbParseResult
rfb_parse_version (const guint8 *data, gsize len, RfbVersion *version, GError **error)
{
  guint major = 0, minor = 0;

  for (gsize i = 0; i < MIN (len, RFB_VERSION_STRING_LEN); i++)
    {
      static const char pattern[] = "RFB ddd.ddd\n";
      gboolean ok = pattern[i] == 'd' ? g_ascii_isdigit (data[i]) : data[i] == (guint8) pattern[i];
      if (!ok)
        return parse_error (error, "bad protocol version string");
    }
  if (len < RFB_VERSION_STRING_LEN)
    return RFB_PARSE_NEED_MORE;

  for (int i = 4; i < 7; i++)
    major = major * 10 + (data[i] - '0');
  for (int i = 8; i < 11; i++)
    minor = minor * 10 + (data[i] - '0');

  if (major < 3)
    return parse_error (error, "protocol version %u.%u is too old", major, minor);
  if (major > 3 || minor >= 8)
    *version = RFB_VERSION_3_8;
  else if (minor == 7)
    *version = RFB_VERSION_3_7;
  else
    *version = RFB_VERSION_3_3;
  return RFB_PARSE_OK;
}

/* Needs @need bytes in all; says so when they are not there yet. */
#define NEED(need)                         \
  G_STMT_START {                           \
    if (len < (gsize) (need))              \
      return RFB_PARSE_NEED_MORE;          \
  } G_STMT_END

RfbParseResult
rfb_parse_client_message (const guint8     *data,
                          gsize             len,
                          gsize             max_cut_text,
                          RfbClientMessage *msg,
                          gsize            *consumed,
                          GError          **error)
{
  NEED (1);
  memset (msg, 0, sizeof *msg);
  msg->type = data[0];

  switch (msg->type)
    {
    case RFB_SET_PIXEL_FORMAT:
      NEED (4 + RFB_PIXEL_FORMAT_LEN);
      pixfmt_parse (data + 4, &msg->pixel_format);
      *consumed = 4 + RFB_PIXEL_FORMAT_LEN;
      return RFB_PARSE_OK;

    case RFB_SET_ENCODINGS:
      {
        NEED (4);
        /* The count is a U16, so the whole message is at most 256 KiB. */
        gsize count = rfb_get_u16 (data + 2);
        NEED (4 + count * 4);
        msg->encodings.count = (guint16) count;
        msg->encodings.data = data + 4;
        *consumed = 4 + count * 4;
        return RFB_PARSE_OK;
      }

    case RFB_FRAMEBUFFER_UPDATE_REQUEST:
      NEED (10);
      msg->update_request.incremental = data[1] != 0;
      msg->update_request.x = rfb_get_u16 (data + 2);
      msg->update_request.y = rfb_get_u16 (data + 4);
      msg->update_request.w = rfb_get_u16 (data + 6);
      msg->update_request.h = rfb_get_u16 (data + 8);
      *consumed = 10;
      return RFB_PARSE_OK;

    case RFB_KEY_EVENT:
      NEED (8);
      msg->key.down = data[1] != 0;
      msg->key.keysym = rfb_get_u32 (data + 4);
      *consumed = 8;
      return RFB_PARSE_OK;

    case RFB_POINTER_EVENT:
      NEED (6);
      msg->pointer.mask = data[1];
      msg->pointer.x = rfb_get_u16 (data + 2);
      msg->pointer.y = rfb_get_u16 (data + 4);
      *consumed = 6;
      return RFB_PARSE_OK;

    case RFB_CLIENT_CUT_TEXT:
      {
        NEED (8);
        gint32 length = (gint32) rfb_get_u32 (data + 4);
        /* A negative length is the Extended Clipboard's (rfbproto.rst
         * "Extended Clipboard Pseudo-Encoding"); G_MININT32 has no
         * magnitude in an S32. */
        guint32 magnitude = length == G_MININT32 ? G_MAXUINT32
                            : (guint32) (length < 0 ? -length : length);
        if (magnitude > max_cut_text)
          return parse_error (error, "ClientCutText of %u bytes is over the limit of %" G_GSIZE_FORMAT,
                              magnitude, max_cut_text);
        NEED (8 + (gsize) magnitude);
        msg->cut_text.length = length;
        msg->cut_text.data = data + 8;
        *consumed = 8 + (gsize) magnitude;
        return RFB_PARSE_OK;
      }

    case RFB_ENABLE_CONTINUOUS_UPDATES:
      NEED (10);
      msg->continuous_updates.enable = data[1] != 0;
      msg->continuous_updates.x = rfb_get_u16 (data + 2);
      msg->continuous_updates.y = rfb_get_u16 (data + 4);
      msg->continuous_updates.w = rfb_get_u16 (data + 6);
      msg->continuous_updates.h = rfb_get_u16 (data + 8);
      *consumed = 10;
      return RFB_PARSE_OK;

    case RFB_CLIENT_FENCE:
      {
        NEED (9);
        guint8 length = data[8];
        if (length > RFB_MAX_FENCE_PAYLOAD)
          return parse_error (error, "ClientFence payload of %u bytes is over the limit of %u",
                              length, RFB_MAX_FENCE_PAYLOAD);
        NEED (9 + length);
        msg->fence.flags = rfb_get_u32 (data + 4);
        msg->fence.length = length;
        msg->fence.data = data + 9;
        *consumed = 9 + length;
        return RFB_PARSE_OK;
      }

    case RFB_SET_DESKTOP_SIZE:
      {
        NEED (8);
        guint8 n_screens = data[6];
        NEED (8 + (gsize) n_screens * 16);
        msg->desktop_size.w = rfb_get_u16 (data + 2);
        msg->desktop_size.h = rfb_get_u16 (data + 4);
        msg->desktop_size.n_screens = n_screens;
        *consumed = 8 + (gsize) n_screens * 16;
        return RFB_PARSE_OK;
      }

    case RFB_QEMU_CLIENT_MESSAGE:
      NEED (2);
      msg->qemu.subtype = data[1];
      if (msg->qemu.subtype != 0)
        return parse_error (error, "unknown QEMU client message subtype %u", data[1]);
      /* Extended Key Event (rfbproto.rst "QEMU Extended Key Event Message"). */
      NEED (12);
      msg->qemu.down = rfb_get_u16 (data + 2) != 0;
      msg->qemu.keysym = rfb_get_u32 (data + 4);
      msg->qemu.keycode = rfb_get_u32 (data + 8);
      *consumed = 12;
      return RFB_PARSE_OK;

    default:
      return parse_error (error, "unknown message type %u", msg->type);
    }
}

gint32
rfb_encodings_get (const RfbClientMessage *msg, guint index)
{
  g_return_val_if_fail (index < msg->encodings.count, 0);
  return (gint32) rfb_get_u32 (msg->encodings.data + 4 * index);
}

void
rfb_append_u8 (GByteArray *out, guint8 v)
{
  g_byte_array_append (out, &v, 1);
}

void
rfb_append_u16 (GByteArray *out, guint16 v)
{
  guint8 b[2];
  rfb_put_u16 (b, v);
  g_byte_array_append (out, b, 2);
}

void
rfb_append_u32 (GByteArray *out, guint32 v)
{
  guint8 b[4];
  rfb_put_u32 (b, v);
  g_byte_array_append (out, b, 4);
}

void
rfb_append_string (GByteArray *out, const char *s)
{
  gsize len = strlen (s);
  rfb_append_u32 (out, (guint32) len);
  g_byte_array_append (out, (const guint8 *) s, (guint) len);
}

GBytes *
rfb_build_server_init (guint16 width, guint16 height,
                       const RfbPixelFormat *format, const char *name)
{
  GByteArray *out = g_byte_array_new ();
  guint8 pf[RFB_PIXEL_FORMAT_LEN];

  rfb_append_u16 (out, width);
  rfb_append_u16 (out, height);
  pixfmt_write (format, pf);
  g_byte_array_append (out, pf, sizeof pf);
  rfb_append_string (out, name);
  return g_byte_array_free_to_bytes (out);
}

void
rfb_append_update_header (GByteArray *out, guint16 n_rects)
{
  rfb_append_u8 (out, RFB_FRAMEBUFFER_UPDATE);
  rfb_append_u8 (out, 0);
  rfb_append_u16 (out, n_rects);
}

void
rfb_append_rect_header (GByteArray *out, guint16 x, guint16 y,
                        guint16 w, guint16 h, gint32 encoding)
{
  rfb_append_u16 (out, x);
  rfb_append_u16 (out, y);
  rfb_append_u16 (out, w);
  rfb_append_u16 (out, h);
  rfb_append_u32 (out, (guint32) encoding);
}

GBytes *
rfb_build_end_of_continuous_updates (void)
{
  static const guint8 message[1] = { RFB_END_OF_CONTINUOUS_UPDATES };

  return g_bytes_new_static (message, sizeof message);
}

GBytes *
rfb_build_server_fence (guint32 flags, const guint8 *payload, guint8 length)
{
  GByteArray *out = g_byte_array_new ();

  rfb_append_u8 (out, RFB_SERVER_FENCE);
  rfb_append_u8 (out, 0);
  rfb_append_u16 (out, 0);
  rfb_append_u32 (out, flags);
  rfb_append_u8 (out, length);
  g_byte_array_append (out, payload, length);
  return g_byte_array_free_to_bytes (out);
}

/* A refusal before authentication: on 3.3 the server's security type 0 and
 * a reason; on 3.7 and later an empty list of types and a reason
 * (rfbproto.rst "Security Handshake"). */
GBytes *
rfb_build_security_failure (RfbVersion version, const char *reason)
{
  GByteArray *out = g_byte_array_new ();

  if (version == RFB_VERSION_3_3)
    rfb_append_u32 (out, RFB_SECURITY_INVALID);
  else
    rfb_append_u8 (out, 0);
  rfb_append_string (out, reason);
  return g_byte_array_free_to_bytes (out);
}
