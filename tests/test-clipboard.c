/* test-clipboard.c — clipboard conversions, Extended Clipboard messages
 * built and read back, hostile payloads (zlib bombs, formats over the
 * limit, corrupt or short streams), and what one viewer is owed when.
 */
#include <string.h>
#include <zlib.h>

#include "checkutil.h"
#include "cairovnc.h"
#include "clipboard.h"
#include "rfb.h"

#define MAX_SIZE (1024 * 1024)
#define UTF8_TEXT "na\xc3\xafve \xe2\x80\x94 \xe6\x9d\xb1\xe4\xba\xac"   /* "naïve — 東京" */

/* The payload of a ServerCutText built by us: the bytes after its length,
 * checked to be an extended one. */
static const guint8 *
extended_payload (GBytes *message, gsize *len)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (message, &size);
  gint32 length;

  ck_assert_uint_ge (size, 12);
  ck_assert_uint_eq (data[0], RFB_SERVER_CUT_TEXT);
  length = (gint32) rfb_get_u32 (data + 4);
  ck_assert_int_lt (length, 0);
  ck_assert_uint_eq ((gsize) -length, size - 8);
  *len = size - 8;
  return data + 8;
}

/* zlib of @data, as a viewer would send it. */
static GByteArray *
compress_bytes (const guint8 *data, gsize len)
{
  GByteArray *out = g_byte_array_new ();
  uLongf out_len = compressBound ((uLong) len);

  g_byte_array_set_size (out, (guint) out_len);
  ck_assert_int_eq (compress (out->data, &out_len, data, (uLong) len), Z_OK);
  g_byte_array_set_size (out, (guint) out_len);
  return out;
}

/* flags, then the zlib of @plain. */
static GByteArray *
provide_payload (guint32 flags, const guint8 *plain, gsize len)
{
  g_autoptr (GByteArray) zipped = compress_bytes (plain, len);
  GByteArray *out = g_byte_array_new ();

  rfb_append_u32 (out, flags);
  g_byte_array_append (out, zipped->data, zipped->len);
  return out;
}

START_TEST (test_clipboard_text_conversions)
{
  g_autofree char *lf = clipboard_text_to_lf ("a\r\nb\rc\n\r\n", 10);
  g_autofree char *from_latin1 = clipboard_text_from_latin1 ((const guint8 *) "caf\xe9\r\nx", 7);
  g_autofree guint8 *latin1 = NULL;
  gsize len = 0;

  ck_assert_str_eq (lf, "a\nb\rc\n\n");
  ck_assert_str_eq (from_latin1, "caf\xc3\xa9\nx");
  latin1 = clipboard_utf8_to_latin1 ("caf\xc3\xa9 \xc3\xbf", &len);
  ck_assert_ptr_nonnull (latin1);
  ck_assert_uint_eq (len, 6);
  ck_assert_mem_eq (latin1, "caf\xe9 \xff", 6);
  ck_assert_ptr_null (clipboard_utf8_to_latin1 (UTF8_TEXT, &len));
  ck_assert_ptr_null (clipboard_utf8_to_latin1 ("\xe2\x82\xac", &len)); /* the euro sign */
}
END_TEST

START_TEST (test_clipboard_html_wrap_and_unwrap)
{
  const char *fragment = "<b>" UTF8_TEXT "</b>";
  g_autofree char *document = clipboard_html_wrap (fragment);
  g_autofree char *back = clipboard_html_unwrap ((const guint8 *) document, strlen (document) + 1);
  g_autofree char *again = clipboard_html_wrap (document);
  g_autofree char *plain = clipboard_html_unwrap ((const guint8 *) "<i>x</i>", 8);
  const char *start, *end;
  guint start_fragment = 0, end_fragment = 0, start_html = 0, end_html = 0;

  ck_assert (g_str_has_prefix (document, "Version:0.9\r\n"));
  /* The offsets in the header point at the fragment and the document. */
  start = strstr (document, "StartFragment:");
  end = strstr (document, "EndFragment:");
  ck_assert (start != NULL && end != NULL);
  start_fragment = (guint) g_ascii_strtoull (start + 14, NULL, 10);
  end_fragment = (guint) g_ascii_strtoull (end + 12, NULL, 10);
  start_html = (guint) g_ascii_strtoull (strstr (document, "StartHTML:") + 10, NULL, 10);
  end_html = (guint) g_ascii_strtoull (strstr (document, "EndHTML:") + 8, NULL, 10);
  ck_assert_uint_eq (end_fragment - start_fragment, strlen (fragment));
  ck_assert_mem_eq (document + start_fragment, fragment, strlen (fragment));
  ck_assert_uint_eq (end_html, strlen (document));
  ck_assert (g_str_has_prefix (document + start_html, "<html>"));
  ck_assert_str_eq (back, fragment);
  /* A document with its header stays as it is; bare HTML comes back whole. */
  ck_assert_str_eq (again, document);
  ck_assert_str_eq (plain, "<i>x</i>");
}
END_TEST

START_TEST (test_clipboard_html_unwrap_bad_offsets)
{
  const char *bad = "Version:0.9\r\nStartFragment:0000000500\r\nEndFragment:0000000900\r\n<p>x</p>";
  const char *html_only = "Version:0.9\r\nStartHTML:0000000055\r\nEndHTML:0000000063\r\n<p>y</p>";
  g_autofree char *whole = clipboard_html_unwrap ((const guint8 *) bad, strlen (bad));
  g_autofree char *part = clipboard_html_unwrap ((const guint8 *) html_only, strlen (html_only));

  /* Offsets beyond the data: nothing is read out of bounds. */
  ck_assert_str_eq (whole, bad);
  ck_assert_str_eq (part, "<p>y</p>");
}
END_TEST

START_TEST (test_clipboard_caps_round_trip)
{
  g_autoptr (GBytes) caps = clipboard_build_caps (12345);
  ClipboardMessage msg;
  g_autoptr (GError) error = NULL;
  const guint8 *payload;
  gsize len;

  payload = extended_payload (caps, &len);
  /* Flags and three sizes, not compressed. */
  ck_assert_uint_eq (len, 4 + 3 * 4);
  ck_assert (clipboard_parse_extended (payload, len, MAX_SIZE, &msg, &error));
  ck_assert_uint_eq (msg.action, CLIPBOARD_ACTION_CAPS);
  ck_assert_uint_eq (msg.formats, CLIPBOARD_KNOWN_FORMATS);
  ck_assert_uint_eq (msg.caps.flags & CLIPBOARD_ACTIONS,
                     CLIPBOARD_ACTION_REQUEST | CLIPBOARD_ACTION_PEEK | CLIPBOARD_ACTION_NOTIFY |
                     CLIPBOARD_ACTION_PROVIDE);
  for (guint i = 0; i < 3; i++)
    ck_assert_uint_eq (msg.caps.max_size[i], 12345);
  ck_assert_uint_eq (msg.caps.max_size[3], 0);
}
END_TEST

START_TEST (test_clipboard_caps_short)
{
  guint8 payload[8];
  ClipboardMessage msg;
  g_autoptr (GError) error = NULL;

  rfb_put_u32 (payload, CLIPBOARD_ACTION_CAPS | CLIPBOARD_FORMAT_TEXT | CLIPBOARD_FORMAT_HTML);
  rfb_put_u32 (payload + 4, 100);
  ck_assert (!clipboard_parse_extended (payload, sizeof payload, MAX_SIZE, &msg, &error));
  ck_assert_msg (strstr (error->message, "html") != NULL, "%s", error->message);
}
END_TEST

START_TEST (test_clipboard_provide_round_trip)
{
  g_autoptr (ClipboardData) data = clipboard_data_new ("line 1\r\n" UTF8_TEXT "\n", "{\\rtf1 x}", "<b>b</b>", 6);
  ClipboardMessage msg;
  g_autoptr (GError) error = NULL;
  const guint8 *payload;
  gsize len;

  ck_assert_str_eq (data->text, "line 1\n" UTF8_TEXT "\n");
  ck_assert_uint_eq (clipboard_data_get_formats (data), CLIPBOARD_KNOWN_FORMATS);
  /* On the wire: CRLF and a NUL. */
  ck_assert_uint_eq (data->wire_size[0], strlen ("line 1\r\n" UTF8_TEXT "\r\n") + 1);
  ck_assert_uint_eq (data->wire_size[1], strlen ("{\\rtf1 x}") + 1);
  ck_assert_ptr_null (data->legacy);

  payload = extended_payload (data->provide, &len);
  ck_assert (clipboard_parse_extended (payload, len, MAX_SIZE, &msg, &error));
  ck_assert_uint_eq (msg.action, CLIPBOARD_ACTION_PROVIDE);
  ck_assert_uint_eq (msg.formats, CLIPBOARD_KNOWN_FORMATS);
  ck_assert_str_eq (msg.text, "line 1\n" UTF8_TEXT "\n");
  ck_assert_str_eq (msg.rtf, "{\\rtf1 x}");
  ck_assert_str_eq (msg.html, "<b>b</b>");
  clipboard_message_clear (&msg);
}
END_TEST

START_TEST (test_clipboard_provide_subset_and_empty)
{
  g_autoptr (ClipboardData) data = clipboard_data_new ("caf\xc3\xa9", NULL, "<i>i</i>", 6);
  g_autoptr (GBytes) html_only = clipboard_build_provide (data, CLIPBOARD_FORMAT_HTML | CLIPBOARD_FORMAT_RTF, 6);
  g_autoptr (GBytes) empty = clipboard_build_provide (NULL, CLIPBOARD_KNOWN_FORMATS, 6);
  ClipboardMessage msg;
  const guint8 *payload;
  gsize len;

  /* Latin-1 text has a legacy form. */
  ck_assert_ptr_nonnull (data->legacy);
  ck_assert_uint_eq (g_bytes_get_size (data->legacy), 8 + 4);
  ck_assert_mem_eq ((const guint8 *) g_bytes_get_data (data->legacy, NULL) + 8, "caf\xe9", 4);

  payload = extended_payload (html_only, &len);
  ck_assert (clipboard_parse_extended (payload, len, MAX_SIZE, &msg, NULL));
  ck_assert_uint_eq (msg.formats, CLIPBOARD_FORMAT_HTML);
  ck_assert_ptr_null (msg.text);
  ck_assert_ptr_null (msg.rtf);
  ck_assert_str_eq (msg.html, "<i>i</i>");
  clipboard_message_clear (&msg);

  payload = extended_payload (empty, &len);
  ck_assert (clipboard_parse_extended (payload, len, MAX_SIZE, &msg, NULL));
  ck_assert_uint_eq (msg.flags, CLIPBOARD_ACTION_PROVIDE);
  ck_assert (msg.text == NULL && msg.rtf == NULL && msg.html == NULL);
}
END_TEST

START_TEST (test_clipboard_provide_skips_unknown_formats)
{
  /* text "hi", dib of 5 bytes (skipped), files of 0 bytes. */
  static const guint8 plain[] = {
    0, 0, 0, 3, 'h', 'i', 0,
    0, 0, 0, 5, 1, 2, 3, 4, 5,
    0, 0, 0, 0,
  };
  g_autoptr (GByteArray) payload =
    provide_payload (CLIPBOARD_ACTION_PROVIDE | CLIPBOARD_FORMAT_TEXT | CLIPBOARD_FORMAT_DIB |
                     CLIPBOARD_FORMAT_FILES, plain, sizeof plain);
  ClipboardMessage msg;
  g_autoptr (GError) error = NULL;

  ck_assert (clipboard_parse_extended (payload->data, payload->len, MAX_SIZE, &msg, &error));
  ck_assert_str_eq (msg.text, "hi");
  ck_assert_ptr_null (msg.rtf);
  clipboard_message_clear (&msg);
}
END_TEST

START_TEST (test_clipboard_provide_invalid_utf8_is_repaired)
{
  static const guint8 plain[] = { 0, 0, 0, 5, 'a', 0xff, 'b', 0, 'z' };
  g_autoptr (GByteArray) payload =
    provide_payload (CLIPBOARD_ACTION_PROVIDE | CLIPBOARD_FORMAT_TEXT, plain, sizeof plain);
  ClipboardMessage msg;

  ck_assert (clipboard_parse_extended (payload->data, payload->len, MAX_SIZE, &msg, NULL));
  ck_assert (g_utf8_validate (msg.text, -1, NULL));
  /* Up to the NUL; the bad byte is U+FFFD. */
  ck_assert_str_eq (msg.text, "a\xef\xbf\xbd" "b");
  clipboard_message_clear (&msg);
}
END_TEST

/* Formats of no bytes at all (not even the NUL) are empty strings. */
START_TEST (test_clipboard_provide_of_zero_bytes)
{
  static const guint8 plain[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
  g_autoptr (GByteArray) payload = provide_payload (CLIPBOARD_ACTION_PROVIDE | CLIPBOARD_KNOWN_FORMATS, plain,
                                                    sizeof plain);
  ClipboardMessage msg;

  ck_assert (clipboard_parse_extended (payload->data, payload->len, MAX_SIZE, &msg, NULL));
  ck_assert_str_eq (msg.text, "");
  ck_assert_str_eq (msg.rtf, "");
  ck_assert_str_eq (msg.html, "");
  clipboard_message_clear (&msg);
}
END_TEST

START_TEST (test_clipboard_zlib_bomb_stops_at_limit)
{
  /* 64 MiB of zeros claimed as text: about 64 KiB compressed. The parser
   * must refuse at the size, before inflating it. */
  gsize big = 64 * 1024 * 1024;
  g_autofree guint8 *plain = g_malloc0 (big + 4);
  g_autoptr (GByteArray) payload = NULL;
  ClipboardMessage msg;
  g_autoptr (GError) error = NULL;

  rfb_put_u32 (plain, (guint32) big);
  payload = provide_payload (CLIPBOARD_ACTION_PROVIDE | CLIPBOARD_FORMAT_TEXT, plain, big + 4);
  ck_assert_uint_lt (payload->len, 256 * 1024);
  ck_assert (!clipboard_parse_extended (payload->data, payload->len, MAX_SIZE, &msg, &error));
  ck_assert_msg (strstr (error->message, "over the limit") != NULL, "%s", error->message);
  ck_assert_ptr_null (msg.text);
}
END_TEST

START_TEST (test_clipboard_size_lies_are_refused)
{
  /* A small stream that claims 900 KiB (under the limit) and stops. */
  static const guint8 plain[] = { 0, 0x0e, 0x10, 0x00, 'x', 'y' };
  g_autoptr (GByteArray) payload =
    provide_payload (CLIPBOARD_ACTION_PROVIDE | CLIPBOARD_FORMAT_TEXT, plain, sizeof plain);
  ClipboardMessage msg;
  g_autoptr (GError) error = NULL;

  ck_assert (!clipboard_parse_extended (payload->data, payload->len, MAX_SIZE, &msg, &error));
  ck_assert_msg (strstr (error->message, "cut short") != NULL, "%s", error->message);
}
END_TEST

START_TEST (test_clipboard_corrupt_and_truncated_streams)
{
  static const guint8 plain[] = { 0, 0, 0, 4, 't', 'e', 'x', 0 };
  g_autoptr (GByteArray) good =
    provide_payload (CLIPBOARD_ACTION_PROVIDE | CLIPBOARD_FORMAT_TEXT, plain, sizeof plain);
  guint8 garbage[] = { 0x10, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x11 };
  ClipboardMessage msg;

  ck_assert (clipboard_parse_extended (good->data, good->len, MAX_SIZE, &msg, NULL));
  ck_assert_str_eq (msg.text, "tex");
  clipboard_message_clear (&msg);
  /* Every cut of the stream short of its text is refused; none crashes. */
  for (gsize cut = 4; cut < good->len; cut++)
    {
      g_autoptr (GError) error = NULL;
      gboolean ok = clipboard_parse_extended (good->data, cut, MAX_SIZE, &msg, &error);
      if (ok)
        {
          /* Only the zlib trailer may be missing. */
          ck_assert_str_eq (msg.text, "tex");
          clipboard_message_clear (&msg);
        }
      else
        {
          ck_assert_ptr_nonnull (error);
          ck_assert_ptr_null (msg.text);
        }
    }
  ck_assert (!clipboard_parse_extended (garbage, sizeof garbage, MAX_SIZE, &msg, NULL));
}
END_TEST

START_TEST (test_clipboard_bad_flags)
{
  guint8 payload[4];
  ClipboardMessage msg;
  g_autoptr (GError) none = NULL;
  g_autoptr (GError) two = NULL;
  g_autoptr (GError) empty = NULL;

  rfb_put_u32 (payload, CLIPBOARD_FORMAT_TEXT);
  ck_assert (!clipboard_parse_extended (payload, 4, MAX_SIZE, &msg, &none));
  ck_assert_msg (strstr (none->message, "no action") != NULL, "%s", none->message);
  rfb_put_u32 (payload, CLIPBOARD_ACTION_NOTIFY | CLIPBOARD_ACTION_REQUEST);
  ck_assert (!clipboard_parse_extended (payload, 4, MAX_SIZE, &msg, &two));
  ck_assert_msg (strstr (two->message, "more than one") != NULL, "%s", two->message);
  ck_assert (!clipboard_parse_extended (payload, 3, MAX_SIZE, &msg, &empty));
  rfb_put_u32 (payload, CLIPBOARD_ACTION_NOTIFY | CLIPBOARD_FORMAT_RTF);
  ck_assert (clipboard_parse_extended (payload, 4, MAX_SIZE, &msg, NULL));
  ck_assert_uint_eq (msg.action, CLIPBOARD_ACTION_NOTIFY);
  ck_assert_uint_eq (msg.formats, CLIPBOARD_FORMAT_RTF);
}
END_TEST

/* What one viewer is owed. */

static guint32
message_flags (GBytes *message)
{
  gsize len;
  const guint8 *payload = extended_payload (message, &len);

  return rfb_get_u32 (payload);
}

START_TEST (test_clipboard_peer_legacy)
{
  g_autoptr (ClipboardData) latin = clipboard_data_new ("caf\xc3\xa9", NULL, NULL, 6);
  g_autoptr (ClipboardData) tokyo = clipboard_data_new (UTF8_TEXT, NULL, NULL, 6);
  ClipboardPeer peer;
  const char *not_sent = NULL;
  GBytes *message;

  clipboard_peer_init (&peer);
  ck_assert_ptr_null (clipboard_peer_next_message (&peer, latin, MAX_SIZE, 6, &not_sent));
  peer.offer_due = TRUE;
  message = clipboard_peer_next_message (&peer, latin, MAX_SIZE, 6, &not_sent);
  ck_assert_ptr_eq (message, latin->legacy);
  g_bytes_unref (message);
  ck_assert (!peer.offer_due);

  peer.offer_due = TRUE;
  ck_assert_ptr_null (clipboard_peer_next_message (&peer, tokyo, MAX_SIZE, 6, &not_sent));
  ck_assert_msg (not_sent != NULL && strstr (not_sent, "ISO 8859-1") != NULL, "%s", not_sent);
  ck_assert_ptr_null (clipboard_peer_next_message (&peer, tokyo, MAX_SIZE, 6, &not_sent));
  ck_assert_ptr_null (not_sent);
}
END_TEST

/* Two changes told in a row that both find the same clipboard offer it
 * once; a new clipboard, even with the same text, is offered again. */
START_TEST (test_clipboard_peer_offers_each_clipboard_once)
{
  g_autoptr (ClipboardData) first = clipboard_data_new ("caf\xc3\xa9", NULL, NULL, 6);
  g_autoptr (ClipboardData) again = clipboard_data_new ("caf\xc3\xa9", NULL, NULL, 6);
  ClipboardPeer peer;
  const char *not_sent = NULL;
  GBytes *message;

  clipboard_peer_init (&peer);
  peer.offer_due = TRUE;
  message = clipboard_peer_next_message (&peer, first, MAX_SIZE, 6, &not_sent);
  ck_assert_ptr_eq (message, first->legacy);
  g_bytes_unref (message);
  peer.offer_due = TRUE;
  ck_assert_ptr_null (clipboard_peer_next_message (&peer, first, MAX_SIZE, 6, &not_sent));
  ck_assert_ptr_null (not_sent);
  peer.offer_due = TRUE;
  message = clipboard_peer_next_message (&peer, again, MAX_SIZE, 6, &not_sent);
  ck_assert_ptr_eq (message, again->legacy);
  g_bytes_unref (message);
}
END_TEST

START_TEST (test_clipboard_peer_extended_offer)
{
  g_autoptr (ClipboardData) text = clipboard_data_new (UTF8_TEXT, NULL, NULL, 6);
  g_autoptr (ClipboardData) rich = clipboard_data_new (UTF8_TEXT, "{\\rtf1 r}", NULL, 6);
  ClipboardPeer peer;
  const char *not_sent = NULL;
  GBytes *message;

  clipboard_peer_init (&peer);
  peer.extended = TRUE;
  peer.caps_due = TRUE;
  peer.offer_due = TRUE;
  /* Caps first, then, with the default caps (20 MiB of text unasked),
   * the text itself. */
  message = clipboard_peer_next_message (&peer, text, MAX_SIZE, 6, &not_sent);
  ck_assert_uint_eq (message_flags (message) & CLIPBOARD_ACTION_CAPS, CLIPBOARD_ACTION_CAPS);
  g_bytes_unref (message);
  message = clipboard_peer_next_message (&peer, text, MAX_SIZE, 6, &not_sent);
  ck_assert_ptr_eq (message, text->provide);
  g_bytes_unref (message);
  ck_assert_ptr_null (clipboard_peer_next_message (&peer, text, MAX_SIZE, 6, &not_sent));

  /* RTF is not taken unasked by default: announced instead. */
  peer.offer_due = TRUE;
  message = clipboard_peer_next_message (&peer, rich, MAX_SIZE, 6, &not_sent);
  ck_assert_uint_eq (message_flags (message), CLIPBOARD_ACTION_NOTIFY | CLIPBOARD_FORMAT_TEXT | CLIPBOARD_FORMAT_RTF);
  g_bytes_unref (message);

  /* Requests and peeks, coalesced however many came. */
  peer.provide_due |= CLIPBOARD_FORMAT_RTF | CLIPBOARD_ACTION_PROVIDE;
  peer.provide_due |= CLIPBOARD_FORMAT_RTF | CLIPBOARD_ACTION_PROVIDE;
  peer.notify_due = TRUE;
  message = clipboard_peer_next_message (&peer, rich, MAX_SIZE, 6, &not_sent);
  ck_assert_uint_eq (message_flags (message), CLIPBOARD_ACTION_NOTIFY | CLIPBOARD_FORMAT_TEXT | CLIPBOARD_FORMAT_RTF);
  g_bytes_unref (message);
  message = clipboard_peer_next_message (&peer, rich, MAX_SIZE, 6, &not_sent);
  ck_assert_uint_eq (message_flags (message), CLIPBOARD_ACTION_PROVIDE | CLIPBOARD_FORMAT_RTF);
  g_bytes_unref (message);
  ck_assert_ptr_null (clipboard_peer_next_message (&peer, rich, MAX_SIZE, 6, &not_sent));

  /* An emptied clipboard is announced as no formats. */
  peer.offer_due = TRUE;
  message = clipboard_peer_next_message (&peer, NULL, MAX_SIZE, 6, &not_sent);
  ck_assert_uint_eq (message_flags (message), CLIPBOARD_ACTION_NOTIFY);
  g_bytes_unref (message);

  /* Asking the viewer. */
  peer.request_due = CLIPBOARD_FORMAT_HTML;
  message = clipboard_peer_next_message (&peer, NULL, MAX_SIZE, 6, &not_sent);
  ck_assert_uint_eq (message_flags (message), CLIPBOARD_ACTION_REQUEST | CLIPBOARD_FORMAT_HTML);
  g_bytes_unref (message);
}
END_TEST

static Suite *
clipboard_suite (void)
{
  Suite *suite = suite_create ("clipboard");
  TCase *convert = tcase_create ("convert");
  TCase *messages = tcase_create ("messages");
  TCase *hostile = tcase_create ("hostile");
  TCase *peer = tcase_create ("peer");

  tcase_add_test (convert, test_clipboard_text_conversions);
  tcase_add_test (convert, test_clipboard_html_wrap_and_unwrap);
  tcase_add_test (convert, test_clipboard_html_unwrap_bad_offsets);
  suite_add_tcase (suite, convert);
  tcase_add_test (messages, test_clipboard_caps_round_trip);
  tcase_add_test (messages, test_clipboard_provide_round_trip);
  tcase_add_test (messages, test_clipboard_provide_subset_and_empty);
  tcase_add_test (messages, test_clipboard_provide_skips_unknown_formats);
  tcase_add_test (messages, test_clipboard_provide_invalid_utf8_is_repaired);
  tcase_add_test (messages, test_clipboard_provide_of_zero_bytes);
  suite_add_tcase (suite, messages);
  tcase_set_timeout (hostile, 60);
  tcase_add_test (hostile, test_clipboard_caps_short);
  tcase_add_test (hostile, test_clipboard_zlib_bomb_stops_at_limit);
  tcase_add_test (hostile, test_clipboard_size_lies_are_refused);
  tcase_add_test (hostile, test_clipboard_corrupt_and_truncated_streams);
  tcase_add_test (hostile, test_clipboard_bad_flags);
  suite_add_tcase (suite, hostile);
  tcase_add_test (peer, test_clipboard_peer_legacy);
  tcase_add_test (peer, test_clipboard_peer_offers_each_clipboard_once);
  tcase_add_test (peer, test_clipboard_peer_extended_offer);
  suite_add_tcase (suite, peer);
  return suite;
}

int
main (void)
{
  return checkutil_run (clipboard_suite ());
}
