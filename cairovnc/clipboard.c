/* clipboard.c — clipboard formats, messages and the per-viewer exchange.
 *
 * On the Extended Clipboard, text is UTF-8 with CRLF line ends and a
 * terminating NUL; RTF and HTML are sent NUL-terminated too, and HTML is
 * Microsoft's CF_HTML (a header of byte offsets around the fragment).
 * Programs see text with LF line ends and HTML as the bare fragment.
 *
 * Built ClipboardData and parsed messages may be made on any thread;
 * nothing here keeps state outside the structures it is given.
 */
#include "clipboard.h"

#include <string.h>
#include <zlib.h>

#include "cairovnc.h"
#include "events.h"
#include "rfb.h"

/* The default capabilities of rfbproto.rst: 20 MiB of text unasked. */
#define DEFAULT_TEXT_SIZE (20 * 1024 * 1024)
/* Inflated a piece at a time, so memory follows the data that comes. */
#define INFLATE_CHUNK 65536

static const guint32 known_formats[CLIPBOARD_N_KNOWN] = {
  CLIPBOARD_FORMAT_TEXT, CLIPBOARD_FORMAT_RTF, CLIPBOARD_FORMAT_HTML,
};

static const char *
format_name (guint bit)
{
  static const char *const names[] = { "text", "rtf", "html", "dib", "files" };

  return bit < G_N_ELEMENTS (names) ? names[bit] : "reserved";
}

void
clipboard_caps_default (ClipboardCaps *caps)
{
  memset (caps, 0, sizeof *caps);
  caps->flags = CLIPBOARD_KNOWN_FORMATS | CLIPBOARD_ACTION_REQUEST | CLIPBOARD_ACTION_NOTIFY |
                CLIPBOARD_ACTION_PROVIDE;
  caps->max_size[0] = DEFAULT_TEXT_SIZE;
}

/* Conversions. */

char *
clipboard_text_to_lf (const char *text, gsize len)
{
  GString *out = g_string_sized_new (len + 1);

  for (gsize i = 0; i < len; i++)
    if (!(text[i] == '\r' && i + 1 < len && text[i + 1] == '\n'))
      g_string_append_c (out, text[i]);
  return g_string_free (out, FALSE);
}

/* LF to CRLF, with the terminating NUL the Extended Clipboard wants. */
static GBytes *
text_to_wire (const char *text)
{
  GByteArray *out = g_byte_array_sized_new ((guint) strlen (text) + 1);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\n')
        g_byte_array_append (out, (const guint8 *) "\r", 1);
      g_byte_array_append (out, (const guint8 *) p, 1);
    }
  g_byte_array_append (out, (const guint8 *) "", 1);
  return g_byte_array_free_to_bytes (out);
}

guint8 *
clipboard_utf8_to_latin1 (const char *utf8, gsize *len)
{
  GByteArray *out = g_byte_array_new ();

  for (const char *p = utf8; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      guint8 byte = (guint8) c;
      if (c > 0xff)
        {
          g_byte_array_unref (out);
          return NULL;
        }
      g_byte_array_append (out, &byte, 1);
    }
  *len = out->len;
  return g_byte_array_free (out, FALSE);
}

char *
clipboard_text_from_latin1 (const guint8 *data, gsize len)
{
  g_autofree char *utf8 = events_latin1_to_utf8 (data, len);

  return clipboard_text_to_lf (utf8, strlen (utf8));
}

/* Bytes up to the first NUL, as valid UTF-8. A format of no bytes
 * (@data may then be NULL) is the empty string. */
static char *
wire_to_utf8 (const guint8 *data, gsize len)
{
  const guint8 *nul = len > 0 ? memchr (data, 0, len) : NULL;
  gsize n = nul != NULL ? (gsize) (nul - data) : len;

  if (n == 0)
    return g_strdup ("");
  if (g_utf8_validate ((const char *) data, (gssize) n, NULL))
    return g_strndup ((const char *) data, n);
  return g_utf8_make_valid ((const char *) data, (gssize) n);
}

#define CF_HTML_HEADER "Version:0.9\r\nStartHTML:%010u\r\nEndHTML:%010u\r\n" \
                       "StartFragment:%010u\r\nEndFragment:%010u\r\n"
#define CF_HTML_BEFORE "<html>\r\n<body>\r\n<!--StartFragment-->"
#define CF_HTML_AFTER "<!--EndFragment-->\r\n</body>\r\n</html>"

char *
clipboard_html_wrap (const char *html)
{
  g_autofree char *probe = NULL;
  guint header_len, start_fragment, end_fragment;

  if (g_str_has_prefix (html, "Version:"))
    return g_strdup (html);
  /* Every offset is written with ten digits: the header's length is known
   * before the offsets are. */
  probe = g_strdup_printf (CF_HTML_HEADER, 0u, 0u, 0u, 0u);
  header_len = (guint) strlen (probe);
  start_fragment = header_len + (guint) strlen (CF_HTML_BEFORE);
  end_fragment = start_fragment + (guint) strlen (html);
  return g_strdup_printf (CF_HTML_HEADER CF_HTML_BEFORE "%s" CF_HTML_AFTER, header_len,
                          end_fragment + (guint) strlen (CF_HTML_AFTER), start_fragment, end_fragment, html);
}

/* The value of "@key:" among the header lines at the start of @data, or
 * -1. Lines are "Key:value" up to the first that starts with '<'. */
static gint64
cf_html_offset (const guint8 *data, gsize len, const char *key)
{
  gsize key_len = strlen (key);
  gsize line = 0;

  while (line < len && data[line] != '<')
    {
      const guint8 *end = memchr (data + line, '\n', len - line);
      gsize line_end = end != NULL ? (gsize) (end - data) : len;
      if (line_end - line > key_len && memcmp (data + line, key, key_len) == 0 &&
          data[line + key_len] == ':')
        {
          gint64 value = 0;
          gsize i = line + key_len + 1;
          if (i >= line_end || !g_ascii_isdigit (data[i]))
            return -1;
          for (; i < line_end && g_ascii_isdigit (data[i]) && value < G_MAXINT32; i++)
            value = value * 10 + (data[i] - '0');
          return value;
        }
      line = line_end + 1;
    }
  return -1;
}

char *
clipboard_html_unwrap (const guint8 *data, gsize len)
{
  const guint8 *nul = len > 0 ? memchr (data, 0, len) : NULL;
  static const char *const ranges[][2] = {
    { "StartFragment", "EndFragment" },
    { "StartHTML", "EndHTML" },
  };

  if (nul != NULL)
    len = (gsize) (nul - data);
  if (len >= 8 && memcmp (data, "Version:", 8) == 0)
    for (gsize i = 0; i < G_N_ELEMENTS (ranges); i++)
      {
        gint64 start = cf_html_offset (data, len, ranges[i][0]);
        gint64 end = cf_html_offset (data, len, ranges[i][1]);
        if (start >= 0 && start <= end && (guint64) end <= len)
          return wire_to_utf8 (data + start, (gsize) (end - start));
      }
  return wire_to_utf8 (data, len);
}

/* The program's clipboard. */

static GBytes *
string_to_wire (const char *s)
{
  return g_bytes_new (s, strlen (s) + 1);
}

/* Format @index (0 text, 1 RTF, 2 HTML) of @data as the Extended
 * Clipboard carries it, or NULL when @data has none. */
static GBytes *
format_to_wire (const ClipboardData *data, guint index)
{
  switch (index)
    {
    case 0:
      return data->text != NULL ? text_to_wire (data->text) : NULL;
    case 1:
      return data->rtf != NULL ? string_to_wire (data->rtf) : NULL;
    default:
      {
        g_autofree char *document = NULL;
        if (data->html == NULL)
          return NULL;
        document = clipboard_html_wrap (data->html);
        return string_to_wire (document);
      }
    }
}

ClipboardData *
clipboard_data_new (const char *text, const char *rtf, const char *html, int zlib_level)
{
  static gint last_id;
  ClipboardData *data = g_new0 (ClipboardData, 1);

  data->ref = 1;
  data->id = (guint) g_atomic_int_add (&last_id, 1) + 1;
  if (text != NULL)
    {
      g_autofree guint8 *latin1 = NULL;
      gsize latin1_len = 0;

      data->text = clipboard_text_to_lf (text, strlen (text));
      latin1 = clipboard_utf8_to_latin1 (data->text, &latin1_len);
      if (latin1 != NULL)
        data->legacy = clipboard_build_legacy (latin1, latin1_len);
    }
  data->rtf = g_strdup (rtf);
  data->html = g_strdup (html);
  for (guint i = 0; i < CLIPBOARD_N_KNOWN; i++)
    {
      g_autoptr (GBytes) wire = format_to_wire (data, i);
      data->wire_size[i] = wire != NULL ? g_bytes_get_size (wire) : 0;
    }
  data->provide = clipboard_build_provide (data, CLIPBOARD_KNOWN_FORMATS, zlib_level);
  return data;
}

ClipboardData *
clipboard_data_ref (ClipboardData *data)
{
  g_atomic_int_inc (&data->ref);
  return data;
}

void
clipboard_data_unref (ClipboardData *data)
{
  if (data == NULL || !g_atomic_int_dec_and_test (&data->ref))
    return;
  g_free (data->text);
  g_free (data->rtf);
  g_free (data->html);
  g_clear_pointer (&data->legacy, g_bytes_unref);
  g_clear_pointer (&data->provide, g_bytes_unref);
  g_free (data);
}

guint32
clipboard_data_get_formats (const ClipboardData *data)
{
  guint32 formats = 0;

  if (data == NULL)
    return 0;
  if (data->text != NULL)
    formats |= CLIPBOARD_FORMAT_TEXT;
  if (data->rtf != NULL)
    formats |= CLIPBOARD_FORMAT_RTF;
  if (data->html != NULL)
    formats |= CLIPBOARD_FORMAT_HTML;
  return formats;
}

/* Builders. */

/* ServerCutText with an extended payload: flags, then @payload. */
static GBytes *
build_extended (guint32 flags, const guint8 *payload, gsize len)
{
  GByteArray *out = g_byte_array_sized_new ((guint) (12 + len));

  rfb_append_u8 (out, RFB_SERVER_CUT_TEXT);
  rfb_append_u8 (out, 0);
  rfb_append_u16 (out, 0);
  rfb_append_u32 (out, (guint32) -(gint32) (4 + len));
  rfb_append_u32 (out, flags);
  if (len > 0)
    g_byte_array_append (out, payload, (guint) len);
  return g_byte_array_free_to_bytes (out);
}

GBytes *
clipboard_build_legacy (const guint8 *latin1, gsize len)
{
  GByteArray *out = g_byte_array_sized_new ((guint) (8 + len));

  rfb_append_u8 (out, RFB_SERVER_CUT_TEXT);
  rfb_append_u8 (out, 0);
  rfb_append_u16 (out, 0);
  rfb_append_u32 (out, (guint32) len);
  g_byte_array_append (out, latin1, (guint) len);
  return g_byte_array_free_to_bytes (out);
}

GBytes *
clipboard_build_caps (guint32 max_size)
{
  guint8 sizes[4 * CLIPBOARD_N_KNOWN];

  /* The sizes follow the flags as they are, not compressed. */
  for (guint i = 0; i < CLIPBOARD_N_KNOWN; i++)
    rfb_put_u32 (sizes + 4 * i, max_size);
  return build_extended (CLIPBOARD_KNOWN_FORMATS | CLIPBOARD_SERVER_ACTIONS, sizes, sizeof sizes);
}

GBytes *
clipboard_build_action (guint32 action, guint32 formats)
{
  return build_extended (action | (formats & CLIPBOARD_FORMATS), NULL, 0);
}

static void
deflate_piece (z_stream *zs, const guint8 *data, gsize len, int flush, GByteArray *out)
{
  zs->next_in = (Bytef *) data;
  zs->avail_in = (uInt) len;
  do
    {
      guint old_len = out->len;
      g_byte_array_set_size (out, old_len + INFLATE_CHUNK);
      zs->next_out = out->data + old_len;
      zs->avail_out = INFLATE_CHUNK;
      deflate (zs, flush);
      g_byte_array_set_size (out, old_len + INFLATE_CHUNK - zs->avail_out);
    }
  while (zs->avail_in > 0 || zs->avail_out == 0);
}

GBytes *
clipboard_build_provide (const ClipboardData *data, guint32 formats, int zlib_level)
{
  g_autoptr (GByteArray) payload = g_byte_array_new ();
  guint32 sent = 0;
  z_stream zs = { 0 };

  if (deflateInit (&zs, CLAMP (zlib_level, 0, 9)) != Z_OK)
    g_error ("deflateInit failed: out of memory");
  for (guint i = 0; i < CLIPBOARD_N_KNOWN; i++)
    {
      g_autoptr (GBytes) wire = NULL;
      guint8 size[4];

      if (!(formats & known_formats[i]) || data == NULL)
        continue;
      wire = format_to_wire (data, i);
      if (wire == NULL)
        continue;
      rfb_put_u32 (size, (guint32) g_bytes_get_size (wire));
      deflate_piece (&zs, size, 4, Z_NO_FLUSH, payload);
      deflate_piece (&zs, g_bytes_get_data (wire, NULL), g_bytes_get_size (wire), Z_NO_FLUSH, payload);
      sent |= known_formats[i];
    }
  deflate_piece (&zs, NULL, 0, Z_FINISH, payload);
  deflateEnd (&zs);
  return build_extended (CLIPBOARD_ACTION_PROVIDE | sent, payload->data, payload->len);
}

/* Parsing. */

void
clipboard_message_clear (ClipboardMessage *msg)
{
  g_clear_pointer (&msg->text, g_free);
  g_clear_pointer (&msg->rtf, g_free);
  g_clear_pointer (&msg->html, g_free);
}

typedef struct {
  z_stream zs;
  gboolean ended;           /* no more output: the end, an error or no input */
  gboolean corrupt;
} Inflater;

/* Inflates up to @n bytes into @dst; fewer only when the stream ends. */
static gsize
inflate_some (Inflater *in, guint8 *dst, gsize n)
{
  in->zs.next_out = dst;
  in->zs.avail_out = (uInt) n;
  while (in->zs.avail_out > 0 && !in->ended)
    {
      int result = inflate (&in->zs, Z_NO_FLUSH);
      if (result == Z_STREAM_END || result == Z_BUF_ERROR)
        in->ended = TRUE;
      else if (result != Z_OK)
        in->ended = in->corrupt = TRUE;
    }
  return n - in->zs.avail_out;
}

/* Inflates @size bytes into @keep, or skips them when @keep is NULL. */
static gboolean
inflate_exact (Inflater *in, gsize size, GByteArray *keep)
{
  guint8 scratch[4096];

  while (size > 0)
    {
      gsize chunk = MIN (size, keep != NULL ? (gsize) INFLATE_CHUNK : sizeof scratch);
      guint8 *dst = scratch;
      gsize got;

      if (keep != NULL)
        {
          g_byte_array_set_size (keep, keep->len + (guint) chunk);
          dst = keep->data + keep->len - chunk;
        }
      got = inflate_some (in, dst, chunk);
      if (keep != NULL)
        g_byte_array_set_size (keep, keep->len - (guint) (chunk - got));
      if (got < chunk)
        return FALSE;
      size -= got;
    }
  return TRUE;
}

static gboolean
parse_provide (const guint8 *data, gsize len, gsize max_size, ClipboardMessage *msg, GError **error)
{
  Inflater in = { { 0 } };
  gboolean ok = TRUE;

  if (inflateInit (&in.zs) != Z_OK)
    g_error ("inflateInit failed: out of memory");
  in.zs.next_in = (Bytef *) data;
  in.zs.avail_in = (uInt) len;
  for (guint bit = 0; bit < 16 && ok; bit++)
    {
      g_autoptr (GByteArray) keep = NULL;
      guint8 size_bytes[4];
      guint32 size;

      if (!(msg->formats & (1u << bit)))
        continue;
      if (inflate_some (&in, size_bytes, 4) < 4)
        {
          g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL,
                       "extended clipboard data %s before the size of its %s format",
                       in.corrupt ? "corrupt" : "cut short", format_name (bit));
          ok = FALSE;
          break;
        }
      size = rfb_get_u32 (size_bytes);
      if (size > max_size)
        {
          g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL,
                       "extended clipboard %s format of %u bytes is over the limit of %" G_GSIZE_FORMAT,
                       format_name (bit), size, max_size);
          ok = FALSE;
          break;
        }
      if ((1u << bit) & CLIPBOARD_KNOWN_FORMATS)
        keep = g_byte_array_new ();
      if (!inflate_exact (&in, size, keep))
        {
          g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL,
                       "extended clipboard %s format %s: %u bytes announced", format_name (bit),
                       in.corrupt ? "corrupt" : "cut short", size);
          ok = FALSE;
          break;
        }
      if (keep == NULL)
        continue;
      if (bit == 0)
        {
          g_autofree char *utf8 = wire_to_utf8 (keep->data, keep->len);
          msg->text = clipboard_text_to_lf (utf8, strlen (utf8));
        }
      else if (bit == 1)
        {
          msg->rtf = wire_to_utf8 (keep->data, keep->len);
        }
      else
        {
          msg->html = clipboard_html_unwrap (keep->data, keep->len);
        }
    }
  inflateEnd (&in.zs);
  if (!ok)
    clipboard_message_clear (msg);
  return ok;
}

gboolean
clipboard_parse_extended (const guint8     *data,
                          gsize             len,
                          gsize             max_size,
                          ClipboardMessage *msg,
                          GError          **error)
{
  guint32 actions;

  memset (msg, 0, sizeof *msg);
  if (len < 4)
    {
      g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL,
                   "extended clipboard message of %" G_GSIZE_FORMAT " bytes has no room for its flags", len);
      return FALSE;
    }
  msg->flags = rfb_get_u32 (data);
  msg->formats = msg->flags & CLIPBOARD_FORMATS;
  actions = msg->flags & CLIPBOARD_ACTIONS;
  data += 4;
  len -= 4;

  if (actions & CLIPBOARD_ACTION_CAPS)
    {
      gsize offset = 0;

      msg->action = CLIPBOARD_ACTION_CAPS;
      msg->caps.flags = msg->flags & ~CLIPBOARD_ACTION_CAPS;
      for (guint bit = 0; bit < 16; bit++)
        {
          if (!(msg->formats & (1u << bit)))
            continue;
          if (offset + 4 > len)
            {
              g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL,
                           "extended clipboard capabilities name format %s but have only %" G_GSIZE_FORMAT
                           " bytes of sizes", format_name (bit), len);
              return FALSE;
            }
          msg->caps.max_size[bit] = rfb_get_u32 (data + offset);
          offset += 4;
        }
      return TRUE;
    }

  /* One action besides caps (rfbproto.rst). */
  if (actions == 0 || (actions & (actions - 1)) != 0)
    {
      g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL,
                   "extended clipboard flags %#x name %s action", msg->flags,
                   actions == 0 ? "no" : "more than one");
      return FALSE;
    }
  msg->action = actions;
  switch (actions)
    {
    case CLIPBOARD_ACTION_REQUEST:
    case CLIPBOARD_ACTION_PEEK:
    case CLIPBOARD_ACTION_NOTIFY:
      return TRUE;
    case CLIPBOARD_ACTION_PROVIDE:
      return parse_provide (data, len, max_size, msg, error);
    default:
      g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL,
                   "extended clipboard action %#x is unknown", actions);
      return FALSE;
    }
}

/* One viewer's exchange. */

void
clipboard_peer_init (ClipboardPeer *peer)
{
  memset (peer, 0, sizeof *peer);
  clipboard_caps_default (&peer->caps);
}

/* Whether every format of @data fits what the viewer takes unasked. */
static gboolean
fits_unasked (const ClipboardPeer *peer, const ClipboardData *data)
{
  if (!(peer->caps.flags & CLIPBOARD_ACTION_PROVIDE))
    return FALSE;
  for (guint i = 0; i < CLIPBOARD_N_KNOWN; i++)
    {
      if (!(clipboard_data_get_formats (data) & known_formats[i]))
        continue;
      if (!(peer->caps.flags & known_formats[i]) || data->wire_size[i] > peer->caps.max_size[i])
        return FALSE;
    }
  return TRUE;
}

static GBytes *
offer (ClipboardPeer *peer, const ClipboardData *current, const char **not_sent)
{
  guint32 formats = clipboard_data_get_formats (current);

  if (!peer->extended)
    {
      if (current != NULL && current->legacy != NULL)
        return g_bytes_ref (current->legacy);
      if (current == NULL || formats == 0)
        return NULL; /* nothing to say to a viewer without the extension */
      *not_sent = current->text == NULL ? "there is no text, and the viewer has no Extended Clipboard"
                                        : "the text has characters outside ISO 8859-1, and the viewer "
                                          "has no Extended Clipboard";
      return NULL;
    }
  if (formats != 0 && fits_unasked (peer, current))
    return g_bytes_ref (current->provide);
  if (peer->caps.flags & CLIPBOARD_ACTION_NOTIFY)
    return clipboard_build_action (CLIPBOARD_ACTION_NOTIFY, formats);
  *not_sent = "the viewer takes neither notify nor provide within its size limits";
  return NULL;
}

GBytes *
clipboard_peer_next_message (ClipboardPeer       *peer,
                             const ClipboardData *current,
                             guint32              max_size,
                             int                  zlib_level,
                             const char         **not_sent)
{
  *not_sent = NULL;
  /* Changes told one after another may find the same clipboard: it is
   * offered once. */
  if (peer->offer_due && peer->offered_id == (current != NULL ? current->id : 0))
    peer->offer_due = FALSE;
  if (peer->caps_due)
    {
      peer->caps_due = FALSE;
      return clipboard_build_caps (max_size);
    }
  if (peer->offer_due)
    {
      GBytes *message;
      peer->offer_due = FALSE;
      peer->offered_id = current != NULL ? current->id : 0;
      message = offer (peer, current, not_sent);
      if (message != NULL || *not_sent != NULL)
        return message;
    }
  if (peer->notify_due)
    {
      peer->notify_due = FALSE;
      return clipboard_build_action (CLIPBOARD_ACTION_NOTIFY, clipboard_data_get_formats (current));
    }
  if (peer->provide_due != 0)
    {
      guint32 wanted = peer->provide_due & CLIPBOARD_KNOWN_FORMATS;
      peer->provide_due = 0;
      /* Asked for all it has: the provide made when it was set. */
      if (current != NULL && (clipboard_data_get_formats (current) & ~wanted) == 0)
        return g_bytes_ref (current->provide);
      return clipboard_build_provide (current, wanted, zlib_level);
    }
  if (peer->request_due != 0)
    {
      guint32 wanted = peer->request_due;
      peer->request_due = 0;
      return clipboard_build_action (CLIPBOARD_ACTION_REQUEST, wanted);
    }
  return NULL;
}
