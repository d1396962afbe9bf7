/* test-clipboard-wire.c — the clipboard both ways, over the wire.
 *
 * Legacy viewers (libvncclient) get the program's text as ISO 8859-1 and
 * nothing when it does not fit; theirs becomes a CLIPBOARD event. An
 * Extended Clipboard viewer, written here on a raw socket (libvncclient
 * 0.9.14 has none), exchanges UTF-8 text beyond Latin-1, RTF and HTML
 * through caps, notify, request, peek and provide, in both directions.
 * Hostile clipboards (zlib bombs, formats over the limit, messages over
 * it on the wire) are refused without the memory they claim; read-only
 * viewers' clipboards are ignored.
 */
#include "testutil.h"

#include <string.h>
#include <zlib.h>

#define UTF8_TEXT "na\xc3\xafve \xe2\x80\x94 \xe6\x9d\xb1\xe4\xba\xac"   /* "naïve — 東京" */
#define EXTENDED_CLIPBOARD ((gint32) 0xc0a1e5ce)
#define F_TEXT (1u << 0)
#define F_RTF (1u << 1)
#define F_HTML (1u << 2)
#define F_DIB (1u << 3)
#define A_CAPS (1u << 24)
#define A_REQUEST (1u << 25)
#define A_PEEK (1u << 26)
#define A_NOTIFY (1u << 27)
#define A_PROVIDE (1u << 28)
#define NO_EVENT_WAIT_US (300 * 1000)

static TestServer *
start_server (gboolean read_only, guint max_size)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 120, 90, 1);
  TestServer *ts = test_server_new (surface);

  cairo_surface_destroy (surface);
  g_object_set (ts->server, "read-only", read_only, NULL);
  if (max_size > 0)
    g_object_set (ts->server, "clipboard-max-size", max_size, NULL);
  test_server_start (ts);
  return ts;
}

static void
expect_no_event (TestServer *ts, const char *what)
{
  g_autoptr (CairoVncEvent) event = test_server_pop_event (ts, NO_EVENT_WAIT_US);

  ck_assert_msg (event == NULL, "%s: unexpected event of type %d", what, event->type);
}

static CairoVncEvent *
expect_clipboard_event (TestServer *ts, const char *what)
{
  CairoVncEvent *event = test_server_pop_event (ts, TEST_TIMEOUT_US);

  ck_assert_msg (event != NULL, "%s: no clipboard event", what);
  ck_assert_msg (event->type == CAIROVNC_EVENT_CLIPBOARD, "%s: event of type %d", what, event->type);
  return event;
}

/* Legacy viewers: libvncclient. */

typedef struct {
  guint texts;
  GByteArray *last;
} CutLog;

static int cut_tag;

static void
got_cut_text (rfbClient *client, const char *text, int len)
{
  CutLog *log = rfbClientGetClientData (client, &cut_tag);

  log->texts++;
  g_byte_array_set_size (log->last, 0);
  g_byte_array_append (log->last, (const guint8 *) text, (guint) len);
}

static TestViewer *
legacy_viewer_connect (TestServer *ts, CutLog *log)
{
  TestViewer *viewer = test_viewer_connect (ts->port, NULL, "raw", NULL);

  ck_assert_ptr_nonnull (viewer);
  log->last = g_byte_array_new ();
  rfbClientSetClientData (viewer->client, &cut_tag, log);
  viewer->client->GotXCutText = got_cut_text;
  return viewer;
}

static gboolean
wait_texts (TestViewer *viewer, CutLog *log, guint texts)
{
  gint64 deadline = g_get_monotonic_time () + TEST_TIMEOUT_US;

  while (log->texts < texts && g_get_monotonic_time () < deadline)
    if (!test_viewer_pump (viewer, 20000))
      return FALSE;
  return log->texts >= texts;
}

START_TEST (test_clipboard_wire_legacy_both_ways)
{
  TestServer *ts = start_server (FALSE, 0);
  CutLog log = { 0 }, late_log = { 0 };
  TestViewer *viewer = legacy_viewer_connect (ts, &log);
  TestViewer *late;
  char from_viewer[] = "\xc0 bient\xf4t\r\n\xa9 2024";
  g_autoptr (CairoVncEvent) event = NULL;

  ck_assert (test_viewer_wait_match (viewer, ts, TEST_TIMEOUT_US));
  cairovnc_server_set_clipboard_text (ts->server, "caf\xc3\xa9 \xc3\xbf\nline 2");
  ck_assert_msg (wait_texts (viewer, &log, 1), "no ServerCutText");
  ck_assert_uint_eq (log.last->len, 13);
  ck_assert_mem_eq (log.last->data, "caf\xe9 \xff\nline 2", 13);

  /* Beyond ISO 8859-1: not sent. The next text that fits is. */
  cairovnc_server_set_clipboard_text (ts->server, UTF8_TEXT);
  cairovnc_server_set_clipboard_text (ts->server, "ok \xc2\xb5");
  ck_assert (wait_texts (viewer, &log, 2));
  ck_assert_uint_eq (log.last->len, 4);
  ck_assert_mem_eq (log.last->data, "ok \xb5", 4);
  ck_assert (test_viewer_pump (viewer, NO_EVENT_WAIT_US));
  ck_assert_uint_eq (log.texts, 2);

  /* A viewer that connects later gets the clipboard as it is. */
  late = legacy_viewer_connect (ts, &late_log);
  ck_assert_msg (wait_texts (late, &late_log, 1), "the late viewer got no ServerCutText");
  ck_assert_mem_eq (late_log.last->data, "ok \xb5", 4);

  /* And the viewer's text comes back as UTF-8 with LF line ends. */
  ck_assert (SendClientCutText (viewer->client, from_viewer, (int) strlen (from_viewer)));
  event = expect_clipboard_event (ts, "legacy ClientCutText");
  ck_assert_uint_eq (event->client_id, 1);
  ck_assert_str_eq (event->text, "\xc3\x80 bient\xc3\xb4t\n\xc2\xa9 2024");
  ck_assert_ptr_null (event->rtf);
  ck_assert_ptr_null (event->html);

  test_viewer_free (viewer);
  test_viewer_free (late);
  g_byte_array_unref (log.last);
  g_byte_array_unref (late_log.last);
  test_server_free (ts);
}
END_TEST

/* Extended Clipboard viewers, on raw sockets. */

/* Reads the next server message, which must be a ServerCutText with an
 * extended payload; returns its flags and the rest (owned). FALSE when
 * none comes within @timeout_us. */
static gboolean
read_extended (GSocket *socket, guint32 *flags, GByteArray **rest, gint64 timeout_us)
{
  guint8 head[8];
  gint32 length;
  guint8 flag_bytes[4];

  if (!test_raw_recv (socket, head, 1, timeout_us))
    return FALSE;
  ck_assert_msg (head[0] == 3, "server message %u, expected ServerCutText", head[0]);
  ck_assert (test_raw_recv (socket, head + 1, 7, TEST_TIMEOUT_US));
  length = (gint32) test_get_u32 (head + 4);
  ck_assert_msg (length <= -4, "ServerCutText of length %d to an Extended Clipboard viewer", length);
  ck_assert (test_raw_recv (socket, flag_bytes, 4, TEST_TIMEOUT_US));
  *flags = test_get_u32 (flag_bytes);
  *rest = g_byte_array_new ();
  g_byte_array_set_size (*rest, (guint) (-length - 4));
  ck_assert (test_raw_recv (socket, (*rest)->data, (*rest)->len, TEST_TIMEOUT_US));
  return TRUE;
}

static void
send_extended (GSocket *socket, guint32 flags, const guint8 *payload, gsize len)
{
  g_autofree guint8 *msg = g_malloc0 (12 + len);

  msg[0] = 6;
  test_put_u32 (msg + 4, (guint32) -(gint32) (4 + len));
  test_put_u32 (msg + 8, flags);
  if (len > 0)
    memcpy (msg + 12, payload, len);
  ck_assert (test_raw_send (socket, msg, 12 + len));
}

/* (size, data) for each format, zlib-compressed. */
static GByteArray *
deflate_formats (const char *text, const char *rtf, const char *html)
{
  const char *values[] = { text, rtf, html };
  g_autoptr (GByteArray) plain = g_byte_array_new ();
  GByteArray *out = g_byte_array_new ();
  uLongf out_len;

  for (guint i = 0; i < 3; i++)
    {
      guint8 size[4];
      if (values[i] == NULL)
        continue;
      test_put_u32 (size, (guint32) strlen (values[i]) + 1);
      g_byte_array_append (plain, size, 4);
      g_byte_array_append (plain, (const guint8 *) values[i], (guint) strlen (values[i]) + 1);
    }
  out_len = compressBound (plain->len);
  g_byte_array_set_size (out, (guint) out_len);
  ck_assert_int_eq (compress (out->data, &out_len, plain->data, plain->len), Z_OK);
  g_byte_array_set_size (out, (guint) out_len);
  return out;
}

/* The formats of a provide payload, inflated: text, rtf, html (owned,
 * NULL when absent), as the bytes on the wire. */
static void
inflate_formats (guint32 flags, const GByteArray *zipped, GByteArray *values[3])
{
  z_stream zs = { 0 };
  g_autoptr (GByteArray) plain = g_byte_array_new ();
  gsize offset = 0;

  g_byte_array_set_size (plain, 1 << 20);
  ck_assert_int_eq (inflateInit (&zs), Z_OK);
  zs.next_in = zipped->data;
  zs.avail_in = zipped->len;
  zs.next_out = plain->data;
  zs.avail_out = plain->len;
  ck_assert_int_eq (inflate (&zs, Z_FINISH), Z_STREAM_END);
  g_byte_array_set_size (plain, (guint) zs.total_out);
  inflateEnd (&zs);
  for (guint i = 0; i < 3; i++)
    {
      guint32 size;
      values[i] = NULL;
      if (!(flags & (1u << i)))
        continue;
      ck_assert_uint_le (offset + 4, plain->len);
      size = test_get_u32 (plain->data + offset);
      ck_assert_uint_le (offset + 4 + size, plain->len);
      values[i] = g_byte_array_new ();
      g_byte_array_append (values[i], plain->data + offset + 4, size);
      offset += 4 + size;
    }
  ck_assert_uint_eq (offset, plain->len);
}

/* An extended viewer: handshake, SetEncodings, our caps read. */
static TestRawViewer *
extended_viewer_new (TestServer *ts, guint32 expected_max)
{
  TestRawViewer *rv = test_raw_viewer_new (ts->port);
  const gint32 encodings[] = { TEST_ENCODING_RAW, EXTENDED_CLIPBOARD };
  g_autoptr (GByteArray) rest = NULL;
  guint32 flags;

  test_raw_set_encodings (rv->socket, encodings, G_N_ELEMENTS (encodings));
  ck_assert_msg (read_extended (rv->socket, &flags, &rest, TEST_TIMEOUT_US), "no capabilities");
  ck_assert_uint_eq (flags, F_TEXT | F_RTF | F_HTML | A_CAPS | A_REQUEST | A_PEEK | A_NOTIFY | A_PROVIDE);
  ck_assert_uint_eq (rest->len, 12);
  for (guint i = 0; i < 3; i++)
    ck_assert_uint_eq (test_get_u32 (rest->data + 4 * i), expected_max);
  return rv;
}

static void
check_wire_formats (GByteArray *values[3])
{
  const char *wire_text = "line\r\n" UTF8_TEXT;

  ck_assert_ptr_nonnull (values[0]);
  ck_assert_uint_eq (values[0]->len, strlen (wire_text) + 1);
  ck_assert_mem_eq (values[0]->data, wire_text, strlen (wire_text) + 1);
  ck_assert_ptr_nonnull (values[1]);
  ck_assert_str_eq ((const char *) values[1]->data, "{\\rtf1 \\b bold\\b0}");
  ck_assert_ptr_nonnull (values[2]);
  ck_assert ((const char *) memchr (values[2]->data, 0, values[2]->len) == (const char *) values[2]->data + values[2]->len - 1);
  ck_assert (g_str_has_prefix ((const char *) values[2]->data, "Version:0.9\r\n"));
  ck_assert (strstr ((const char *) values[2]->data, "<!--StartFragment--><p>" UTF8_TEXT "</p><!--EndFragment-->") != NULL);
}

START_TEST (test_clipboard_wire_extended_server_to_viewer)
{
  TestServer *ts = start_server (FALSE, 0);
  TestRawViewer *rv = extended_viewer_new (ts, 20 * 1024 * 1024);
  g_autoptr (GByteArray) rest = NULL;
  g_autoptr (GByteArray) provided = NULL;
  g_autoptr (GByteArray) direct = NULL;
  g_autoptr (GError) error = NULL;
  GByteArray *values[3];
  guint8 caps[16];
  guint32 flags;

  /* The default caps take only text unasked: RTF and HTML are announced. */
  ck_assert (cairovnc_server_set_clipboard (ts->server, "line\n" UTF8_TEXT, "{\\rtf1 \\b bold\\b0}",
                                            "<p>" UTF8_TEXT "</p>", &error));
  ck_assert_msg (read_extended (rv->socket, &flags, &rest, TEST_TIMEOUT_US), "no notify");
  ck_assert_uint_eq (flags, A_NOTIFY | F_TEXT | F_RTF | F_HTML);
  ck_assert_uint_eq (rest->len, 0);

  send_extended (rv->socket, A_REQUEST | F_TEXT | F_RTF | F_HTML, NULL, 0);
  ck_assert_msg (read_extended (rv->socket, &flags, &provided, TEST_TIMEOUT_US), "no provide");
  ck_assert_uint_eq (flags, A_PROVIDE | F_TEXT | F_RTF | F_HTML);
  inflate_formats (flags, provided, values);
  check_wire_formats (values);
  for (guint i = 0; i < 3; i++)
    g_byte_array_unref (values[i]);

  /* Peek: announced again. */
  send_extended (rv->socket, A_PEEK, NULL, 0);
  g_clear_pointer (&rest, g_byte_array_unref);
  ck_assert (read_extended (rv->socket, &flags, &rest, TEST_TIMEOUT_US));
  ck_assert_uint_eq (flags, A_NOTIFY | F_TEXT | F_RTF | F_HTML);

  /* With our caps taking everything unasked, the data comes at once. */
  test_put_u32 (caps, A_CAPS | A_NOTIFY | A_PROVIDE | A_REQUEST | F_TEXT | F_RTF | F_HTML);
  for (guint i = 0; i < 3; i++)
    test_put_u32 (caps + 4 + 4 * i, 1024 * 1024);
  send_extended (rv->socket, test_get_u32 (caps), caps + 4, 12);
  /* Caps are not answered; a peek after them is, so they were read. */
  send_extended (rv->socket, A_PEEK, NULL, 0);
  g_clear_pointer (&rest, g_byte_array_unref);
  ck_assert (read_extended (rv->socket, &flags, &rest, TEST_TIMEOUT_US));
  ck_assert_uint_eq (flags & A_NOTIFY, A_NOTIFY);
  ck_assert (cairovnc_server_set_clipboard (ts->server, "line\n" UTF8_TEXT, "{\\rtf1 \\b bold\\b0}",
                                            "<p>" UTF8_TEXT "</p>", NULL));
  ck_assert_msg (read_extended (rv->socket, &flags, &direct, TEST_TIMEOUT_US), "no unasked provide");
  ck_assert_uint_eq (flags, A_PROVIDE | F_TEXT | F_RTF | F_HTML);
  inflate_formats (flags, direct, values);
  check_wire_formats (values);
  for (guint i = 0; i < 3; i++)
    g_byte_array_unref (values[i]);

  /* Emptied: announced as no formats. */
  ck_assert (cairovnc_server_set_clipboard (ts->server, NULL, NULL, NULL, NULL));
  g_clear_pointer (&rest, g_byte_array_unref);
  ck_assert (read_extended (rv->socket, &flags, &rest, TEST_TIMEOUT_US));
  ck_assert_uint_eq (flags, A_NOTIFY);

  test_raw_viewer_free (rv);
  test_server_free (ts);
}
END_TEST

START_TEST (test_clipboard_wire_extended_viewer_to_server)
{
  TestServer *ts = start_server (FALSE, 0);
  TestRawViewer *rv = extended_viewer_new (ts, 20 * 1024 * 1024);
  g_autofree char *cf_html = NULL;
  g_autoptr (GByteArray) zipped = NULL;
  g_autoptr (GByteArray) rest = NULL;
  CairoVncEvent *event;
  guint32 flags;

  /* Windows viewers send HTML in CF_HTML; the program gets the fragment. */
  cf_html = g_strdup_printf ("Version:0.9\r\nStartHTML:%010d\r\nEndHTML:%010d\r\nStartFragment:%010d\r\n"
                             "EndFragment:%010d\r\n<html><body><!--StartFragment--><i>%s</i><!--EndFragment-->"
                             "</body></html>", 105, 105 + 32 + 7 + (int) strlen (UTF8_TEXT) + 32,
                             105 + 32, 105 + 32 + 7 + (int) strlen (UTF8_TEXT), UTF8_TEXT);
  zipped = deflate_formats (UTF8_TEXT "\r\nend", "{\\rtf1 r}", cf_html);
  send_extended (rv->socket, A_PROVIDE | F_TEXT | F_RTF | F_HTML, zipped->data, zipped->len);
  event = expect_clipboard_event (ts, "provide");
  ck_assert_uint_eq (event->client_id, 1);
  ck_assert_str_eq (event->text, UTF8_TEXT "\nend");
  ck_assert_str_eq (event->rtf, "{\\rtf1 r}");
  ck_assert_str_eq (event->html, "<i>" UTF8_TEXT "</i>");
  cairovnc_event_free (event);

  /* Notify: the server asks for the formats it takes, then gets them. */
  send_extended (rv->socket, A_NOTIFY | F_TEXT | F_DIB, NULL, 0);
  ck_assert_msg (read_extended (rv->socket, &flags, &rest, TEST_TIMEOUT_US), "no request after notify");
  ck_assert_uint_eq (flags, A_REQUEST | F_TEXT);
  g_clear_pointer (&zipped, g_byte_array_unref);
  zipped = deflate_formats ("asked for", NULL, NULL);
  send_extended (rv->socket, A_PROVIDE | F_TEXT, zipped->data, zipped->len);
  event = expect_clipboard_event (ts, "requested provide");
  ck_assert_str_eq (event->text, "asked for");
  ck_assert_ptr_null (event->rtf);
  ck_assert_ptr_null (event->html);
  cairovnc_event_free (event);
  expect_no_event (ts, "after the provides");

  test_raw_viewer_free (rv);
  test_server_free (ts);
}
END_TEST

/* Peak memory of this process (server included), in KiB. */
static gsize
peak_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  ck_assert (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "VmHWM:");
  ck_assert_ptr_nonnull (line);
  return (gsize) g_ascii_strtoull (line + 6, NULL, 10);
}

/* A provide of text claiming @claimed bytes, all zeros: deflated as it
 * goes, so the test itself never holds them. */
static GByteArray *
zero_bomb (guint32 claimed, guint32 real)
{
  static const guint8 zeros[65536];
  GByteArray *out = g_byte_array_new ();
  z_stream zs = { 0 };
  guint8 size[4];
  guint32 left = real;

  ck_assert_int_eq (deflateInit (&zs, 9), Z_OK);
  test_put_u32 (size, claimed);
  g_byte_array_set_size (out, 4 * 1024 * 1024);
  zs.next_out = out->data;
  zs.avail_out = out->len;
  zs.next_in = size;
  zs.avail_in = 4;
  ck_assert_int_eq (deflate (&zs, Z_NO_FLUSH), Z_OK);
  while (left > 0)
    {
      guint32 n = MIN (left, sizeof zeros);
      zs.next_in = (Bytef *) zeros;
      zs.avail_in = n;
      ck_assert_int_eq (deflate (&zs, Z_NO_FLUSH), Z_OK);
      ck_assert_uint_eq (zs.avail_in, 0);
      left -= n;
    }
  ck_assert_int_eq (deflate (&zs, Z_FINISH), Z_STREAM_END);
  g_byte_array_set_size (out, (guint) zs.total_out);
  deflateEnd (&zs);
  return out;
}

START_TEST (test_clipboard_wire_bombs_are_dropped_and_viewer_stays)
{
  TestServer *ts = start_server (FALSE, 1024 * 1024);
  TestRawViewer *rv = extended_viewer_new (ts, 1024 * 1024);
  g_autoptr (GByteArray) claimed = zero_bomb (256u * 1024 * 1024, 256u * 1024 * 1024);
  g_autoptr (GByteArray) lying = zero_bomb (1000, 256u * 1024 * 1024);
  g_autoptr (GByteArray) fine = deflate_formats ("still here", NULL, NULL);
  gsize before;
  CairoVncEvent *event;

  /* 256 MiB of text in a few hundred KiB, under the wire limit. */
  ck_assert_uint_lt (claimed->len, 1024 * 1024);
  before = peak_rss_kib ();
  send_extended (rv->socket, A_PROVIDE | F_TEXT, claimed->data, claimed->len);
  /* The same zeros behind an honest-looking size of 1000 bytes: only those
   * are inflated, and the text is 1000 zero bytes: empty. */
  send_extended (rv->socket, A_PROVIDE | F_TEXT, lying->data, lying->len);
  event = expect_clipboard_event (ts, "provide with a small size before a bomb");
  ck_assert_str_eq (event->text, "");
  cairovnc_event_free (event);
  /* The viewer stayed connected and in step. */
  send_extended (rv->socket, A_PROVIDE | F_TEXT, fine->data, fine->len);
  event = expect_clipboard_event (ts, "provide after the bombs");
  ck_assert_str_eq (event->text, "still here");
  cairovnc_event_free (event);
  ck_assert_msg (peak_rss_kib () < before + 32 * 1024, "peak memory grew from %" G_GSIZE_FORMAT
                 " to %" G_GSIZE_FORMAT " KiB", before, peak_rss_kib ());
  ck_assert_uint_eq (cairovnc_server_get_n_clients (ts->server), 1);

  test_raw_viewer_free (rv);
  test_server_free (ts);
}
END_TEST

START_TEST (test_clipboard_wire_over_limit_on_wire_disconnects)
{
  TestServer *ts = start_server (FALSE, 1000);
  TestRawViewer *rv = test_raw_viewer_new (ts->port);
  guint8 head[8] = { 6, 0, 0, 0 };
  g_autofree char *long_html = g_strnfill (1001, 'x');
  g_autoptr (GError) error = NULL;

  /* The program's side has the same limit. */
  ck_assert (!cairovnc_server_set_clipboard (ts->server, NULL, NULL, long_html, &error));
  ck_assert (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_TOO_LARGE));
  ck_assert_msg (strstr (error->message, "HTML") != NULL && strstr (error->message, "1000") != NULL, "%s",
                 error->message);

  /* 1001 bytes of legacy text announced: closed before they are read. */
  test_put_u32 (head + 4, 1001);
  ck_assert (test_raw_send (rv->socket, head, sizeof head));
  ck_assert_msg (test_raw_wait_closed (rv->socket, TEST_TIMEOUT_US), "the viewer was not disconnected");

  test_raw_viewer_free (rv);
  test_server_free (ts);
}
END_TEST

START_TEST (test_clipboard_wire_read_only_viewer_is_ignored)
{
  TestServer *ts = start_server (TRUE, 0);
  TestRawViewer *rv = extended_viewer_new (ts, 20 * 1024 * 1024);
  g_autoptr (GByteArray) zipped = deflate_formats ("ignored", NULL, NULL);
  g_autoptr (GByteArray) rest = NULL;
  g_autoptr (GByteArray) provided = NULL;
  char legacy[] = { 6, 0, 0, 0, 0, 0, 0, 3, 'a', 'b', 'c' };
  GByteArray *values[3];
  guint32 flags;

  send_extended (rv->socket, A_PROVIDE | F_TEXT, zipped->data, zipped->len);
  ck_assert (test_raw_send (rv->socket, legacy, sizeof legacy));
  /* A notify is not answered with a request: the peek's notify comes first. */
  send_extended (rv->socket, A_NOTIFY | F_TEXT, NULL, 0);
  send_extended (rv->socket, A_PEEK, NULL, 0);
  ck_assert (read_extended (rv->socket, &flags, &rest, TEST_TIMEOUT_US));
  ck_assert_uint_eq (flags, A_NOTIFY);
  expect_no_event (ts, "read-only viewer");

  /* It may still read the program's clipboard. */
  cairovnc_server_set_clipboard_text (ts->server, UTF8_TEXT);
  g_clear_pointer (&rest, g_byte_array_unref);
  ck_assert (read_extended (rv->socket, &flags, &provided, TEST_TIMEOUT_US));
  ck_assert_uint_eq (flags, A_PROVIDE | F_TEXT);
  inflate_formats (flags, provided, values);
  ck_assert_str_eq ((const char *) values[0]->data, UTF8_TEXT);
  g_byte_array_unref (values[0]);

  test_raw_viewer_free (rv);
  test_server_free (ts);
}
END_TEST

static Suite *
clipboard_wire_suite (void)
{
  Suite *suite = suite_create ("clipboard-wire");
  TCase *legacy = tcase_create ("legacy");
  TCase *extended = tcase_create ("extended");
  TCase *hostile = tcase_create ("hostile");

  tcase_set_timeout (legacy, 60);
  tcase_add_test (legacy, test_clipboard_wire_legacy_both_ways);
  suite_add_tcase (suite, legacy);
  tcase_set_timeout (extended, 60);
  tcase_add_test (extended, test_clipboard_wire_extended_server_to_viewer);
  tcase_add_test (extended, test_clipboard_wire_extended_viewer_to_server);
  tcase_add_test (extended, test_clipboard_wire_read_only_viewer_is_ignored);
  suite_add_tcase (suite, extended);
  tcase_set_timeout (hostile, 120);
  tcase_add_test (hostile, test_clipboard_wire_bombs_are_dropped_and_viewer_stays);
  tcase_add_test (hostile, test_clipboard_wire_over_limit_on_wire_disconnects);
  suite_add_tcase (suite, hostile);
  return suite;
}

int
main (void)
{
  return testutil_run (clipboard_wire_suite ());
}
