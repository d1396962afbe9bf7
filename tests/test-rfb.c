/* test-rfb.c — the pure RFB parsers and builders of rfb.c.
 *
 * Covers rfb_parse_client_message for every client message type (whole,
 * cut at every offset, fed byte by byte, back to back), its limits on
 * hostile lengths, rfb_parse_version for the version strings viewers send,
 * and the bytes of the message builders. Every parse reads from a heap
 * copy of exactly the bytes offered, so a read past the end shows under
 * valgrind.
 */
#include "checkutil.h"
#include <string.h>

#include "cairovnc.h"
#include "rfb.h"

#define MAX_CUT_TEXT (1024 * 1024)

/* Parses @len bytes of @data from a heap buffer of exactly that size. */
static RfbParseResult
parse_exact (const guint8     *data,
             gsize             len,
             gsize             max_cut_text,
             RfbClientMessage *msg,
             gsize            *consumed,
             GError          **error)
{
  g_autofree guint8 *copy = g_malloc (MAX (len, 1));
  RfbParseResult result;

  memcpy (copy, data, len);
  result = rfb_parse_client_message (copy, len, max_cut_text, msg, consumed, error);
  /* Pointers into the message would dangle once the copy is gone. */
  if (result == RFB_PARSE_OK)
    {
      if (msg->type == RFB_SET_ENCODINGS)
        msg->encodings.data = data + (msg->encodings.data - copy);
      else if (msg->type == RFB_CLIENT_CUT_TEXT)
        msg->cut_text.data = data + (msg->cut_text.data - copy);
      else if (msg->type == RFB_CLIENT_FENCE)
        msg->fence.data = data + (msg->fence.data - copy);
    }
  return result;
}

/* ---- Sample messages, one of each type ---- */

static const guint8 msg_set_pixel_format[] = {
  0, 0xaa, 0xbb, 0xcc,
  16, 15, 1, 1, 0x00, 0x1f, 0x00, 0x3f, 0x00, 0x1f, 11, 5, 0, 0xdd, 0xee, 0xff,
};

static const guint8 msg_set_encodings[] = {
  2, 0,
  0x00, 0x03,
  0x00, 0x00, 0x00, 0x07,                /* Tight */
  0xff, 0xff, 0xff, 0x21,                /* DesktopSize -223 */
  0xc0, 0xa1, 0xe5, 0xce,                /* Extended Clipboard */
};

static const guint8 msg_update_request[] = {
  3, 1, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
};

static const guint8 msg_key_event[] = {
  4, 1, 0xaa, 0xbb, 0x00, 0x00, 0xff, 0x0d,
};

static const guint8 msg_pointer_event[] = {
  5, 0x81, 0x12, 0x34, 0x05, 0x67,
};

static const guint8 msg_client_cut_text[] = {
  6, 0, 0, 0, 0x00, 0x00, 0x00, 0x05, 'h', 0xe9, 'l', 'l', 'o',
};

static const guint8 msg_continuous_updates[] = {
  150, 1, 0x00, 0x10, 0x00, 0x20, 0x02, 0x80, 0x01, 0xe0,
};

static const guint8 msg_client_fence[] = {
  248, 0, 0, 0, 0x80, 0x00, 0x00, 0x03, 4, 0xde, 0xad, 0xbe, 0xef,
};

static const guint8 msg_set_desktop_size[] = {
  251, 0, 0x04, 0x00, 0x03, 0x00, 2, 0,
  0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static const guint8 msg_qemu_key_event[] = {
  255, 0, 0x00, 0x01, 0x00, 0x00, 0x00, 0x61, 0x00, 0x00, 0x00, 0x1e,
};

typedef struct {
  const char *name;
  const guint8 *data;
  gsize len;
  void (*check) (const RfbClientMessage *msg, const guint8 *data);
} Sample;

static void
check_set_pixel_format (const RfbClientMessage *msg, const guint8 *data)
{
  const RfbPixelFormat *pf = &msg->pixel_format;

  ck_assert_uint_eq (msg->type, RFB_SET_PIXEL_FORMAT);
  ck_assert_uint_eq (pf->bits_per_pixel, 16);
  ck_assert_uint_eq (pf->depth, 15);
  ck_assert (pf->big_endian);
  ck_assert (pf->true_colour);
  ck_assert_uint_eq (pf->red_max, 31);
  ck_assert_uint_eq (pf->green_max, 63);
  ck_assert_uint_eq (pf->blue_max, 31);
  ck_assert_uint_eq (pf->red_shift, 11);
  ck_assert_uint_eq (pf->green_shift, 5);
  ck_assert_uint_eq (pf->blue_shift, 0);
}

static void
check_set_encodings (const RfbClientMessage *msg, const guint8 *data)
{
  ck_assert_uint_eq (msg->type, RFB_SET_ENCODINGS);
  ck_assert_uint_eq (msg->encodings.count, 3);
  ck_assert_ptr_eq (msg->encodings.data, data + 4);
  ck_assert_int_eq (rfb_encodings_get (msg, 0), RFB_ENCODING_TIGHT);
  ck_assert_int_eq (rfb_encodings_get (msg, 1), RFB_ENCODING_DESKTOP_SIZE);
  ck_assert_int_eq (rfb_encodings_get (msg, 2), RFB_ENCODING_EXTENDED_CLIPBOARD);
  ck_assert_int_lt (rfb_encodings_get (msg, 2), 0);
}

static void
check_update_request (const RfbClientMessage *msg, const guint8 *data)
{
  ck_assert_uint_eq (msg->type, RFB_FRAMEBUFFER_UPDATE_REQUEST);
  ck_assert (msg->update_request.incremental);
  ck_assert_uint_eq (msg->update_request.x, 0x0102);
  ck_assert_uint_eq (msg->update_request.y, 0x0304);
  ck_assert_uint_eq (msg->update_request.w, 0x0506);
  ck_assert_uint_eq (msg->update_request.h, 0x0708);
}

static void
check_key_event (const RfbClientMessage *msg, const guint8 *data)
{
  ck_assert_uint_eq (msg->type, RFB_KEY_EVENT);
  ck_assert (msg->key.down);
  ck_assert_uint_eq (msg->key.keysym, 0xff0d);
}

static void
check_pointer_event (const RfbClientMessage *msg, const guint8 *data)
{
  ck_assert_uint_eq (msg->type, RFB_POINTER_EVENT);
  ck_assert_uint_eq (msg->pointer.mask, 0x81);
  ck_assert_uint_eq (msg->pointer.x, 0x1234);
  ck_assert_uint_eq (msg->pointer.y, 0x0567);
}

static void
check_client_cut_text (const RfbClientMessage *msg, const guint8 *data)
{
  ck_assert_uint_eq (msg->type, RFB_CLIENT_CUT_TEXT);
  ck_assert_int_eq (msg->cut_text.length, 5);
  ck_assert_ptr_eq (msg->cut_text.data, data + 8);
  ck_assert_mem_eq (msg->cut_text.data, "h\xe9llo", 5);
}

static void
check_continuous_updates (const RfbClientMessage *msg, const guint8 *data)
{
  ck_assert_uint_eq (msg->type, RFB_ENABLE_CONTINUOUS_UPDATES);
  ck_assert (msg->continuous_updates.enable);
  ck_assert_uint_eq (msg->continuous_updates.x, 16);
  ck_assert_uint_eq (msg->continuous_updates.y, 32);
  ck_assert_uint_eq (msg->continuous_updates.w, 640);
  ck_assert_uint_eq (msg->continuous_updates.h, 480);
}

static void
check_client_fence (const RfbClientMessage *msg, const guint8 *data)
{
  ck_assert_uint_eq (msg->type, RFB_CLIENT_FENCE);
  ck_assert_uint_eq (msg->fence.flags, 0x80000003u);
  ck_assert_uint_eq (msg->fence.length, 4);
  ck_assert_ptr_eq (msg->fence.data, data + 9);
  ck_assert_mem_eq (msg->fence.data, "\xde\xad\xbe\xef", 4);
}

static void
check_set_desktop_size (const RfbClientMessage *msg, const guint8 *data)
{
  ck_assert_uint_eq (msg->type, RFB_SET_DESKTOP_SIZE);
  ck_assert_uint_eq (msg->desktop_size.w, 1024);
  ck_assert_uint_eq (msg->desktop_size.h, 768);
  ck_assert_uint_eq (msg->desktop_size.n_screens, 2);
}

static void
check_qemu_key_event (const RfbClientMessage *msg, const guint8 *data)
{
  ck_assert_uint_eq (msg->type, RFB_QEMU_CLIENT_MESSAGE);
  ck_assert_uint_eq (msg->qemu.subtype, 0);
  ck_assert (msg->qemu.down);
  ck_assert_uint_eq (msg->qemu.keysym, 0x61);
  ck_assert_uint_eq (msg->qemu.keycode, 0x1e);
}

#define SAMPLE(name, check) { #name, name, sizeof name, check }

static const Sample samples[] = {
  SAMPLE (msg_set_pixel_format, check_set_pixel_format),
  SAMPLE (msg_set_encodings, check_set_encodings),
  SAMPLE (msg_update_request, check_update_request),
  SAMPLE (msg_key_event, check_key_event),
  SAMPLE (msg_pointer_event, check_pointer_event),
  SAMPLE (msg_client_cut_text, check_client_cut_text),
  SAMPLE (msg_continuous_updates, check_continuous_updates),
  SAMPLE (msg_client_fence, check_client_fence),
  SAMPLE (msg_set_desktop_size, check_set_desktop_size),
  SAMPLE (msg_qemu_key_event, check_qemu_key_event),
};

/* ---- Whole messages, cut, byte by byte, back to back ---- */

START_TEST (test_rfb_parse_whole_message)
{
  const Sample *s = &samples[_i];
  g_autoptr (GError) error = NULL;
  RfbClientMessage msg;
  gsize consumed = 0;

  ck_assert_msg (parse_exact (s->data, s->len, MAX_CUT_TEXT, &msg, &consumed, &error) == RFB_PARSE_OK,
                 "%s: %s", s->name, error ? error->message : "not OK");
  ck_assert_ptr_null (error);
  ck_assert_uint_eq (consumed, s->len);
  s->check (&msg, s->data);
}
END_TEST

START_TEST (test_rfb_parse_cut_message_needs_more)
{
  const Sample *s = &samples[_i];

  for (gsize cut = 0; cut < s->len; cut++)
    {
      g_autoptr (GError) error = NULL;
      RfbClientMessage msg;
      gsize consumed = 12345;

      ck_assert_msg (parse_exact (s->data, cut, MAX_CUT_TEXT, &msg, &consumed, &error) ==
                     RFB_PARSE_NEED_MORE, "%s cut at %" G_GSIZE_FORMAT ": %s", s->name, cut,
                     error ? error->message : "not NEED_MORE");
      ck_assert_ptr_null (error);
      ck_assert_uint_eq (consumed, 12345);
    }
}
END_TEST

/* A viewer's bytes arriving one at a time into a growing input buffer, as
 * client.c reads them: the message is complete exactly at its last byte. */
START_TEST (test_rfb_parse_fed_byte_by_byte)
{
  const Sample *s = &samples[_i];
  g_autoptr (GByteArray) input = g_byte_array_new ();
  RfbClientMessage msg;
  gsize consumed = 0;
  gsize fed = 0;
  RfbParseResult result = RFB_PARSE_NEED_MORE;

  while (result == RFB_PARSE_NEED_MORE)
    {
      g_autoptr (GError) error = NULL;
      ck_assert_uint_lt (fed, s->len);
      g_byte_array_append (input, s->data + fed, 1);
      fed++;
      result = parse_exact (input->data, input->len, MAX_CUT_TEXT, &msg, &consumed, &error);
      ck_assert_msg (result != RFB_PARSE_ERROR, "%s at %" G_GSIZE_FORMAT ": %s", s->name, fed,
                     error ? error->message : "");
    }
  ck_assert_uint_eq (fed, s->len);
  ck_assert_uint_eq (consumed, s->len);
  s->check (&msg, input->data);
}
END_TEST

START_TEST (test_rfb_parse_messages_back_to_back)
{
  g_autoptr (GByteArray) stream = g_byte_array_new ();
  gsize offset = 0;

  /* Every sample twice, in two orders. */
  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    g_byte_array_append (stream, samples[i].data, (guint) samples[i].len);
  for (guint i = G_N_ELEMENTS (samples); i-- > 0;)
    g_byte_array_append (stream, samples[i].data, (guint) samples[i].len);

  for (guint n = 0; n < 2 * G_N_ELEMENTS (samples); n++)
    {
      const Sample *s = &samples[n < G_N_ELEMENTS (samples) ? n : 2 * G_N_ELEMENTS (samples) - 1 - n];
      g_autoptr (GError) error = NULL;
      RfbClientMessage msg;
      gsize consumed = 0;

      ck_assert_int_eq (rfb_parse_client_message (stream->data + offset, stream->len - offset,
                                                  MAX_CUT_TEXT, &msg, &consumed, &error),
                        RFB_PARSE_OK);
      ck_assert_msg (consumed == s->len, "message %u (%s): consumed %" G_GSIZE_FORMAT
                     ", expected %" G_GSIZE_FORMAT, n, s->name, consumed, s->len);
      s->check (&msg, stream->data + offset);
      offset += consumed;
    }
  ck_assert_uint_eq (offset, stream->len);
}
END_TEST

START_TEST (test_rfb_set_encodings_waits_for_whole_list)
{
  /* The count says 0xffff: 4 + 262140 bytes; the parser waits for them,
   * without touching more than it was given. */
  guint8 head[] = { 2, 0, 0xff, 0xff, 0, 0, 0, 0 };
  g_autofree guint8 *big = NULL;
  g_autoptr (GError) error = NULL;
  RfbClientMessage msg;
  gsize consumed = 0;
  gsize total = 4 + 0xffff * 4;

  ck_assert_int_eq (parse_exact (head, sizeof head, MAX_CUT_TEXT, &msg, &consumed, &error),
                    RFB_PARSE_NEED_MORE);
  ck_assert_ptr_null (error);

  big = g_malloc0 (total);
  memcpy (big, head, 4);
  for (gsize i = 0; i < 0xffff; i++)
    rfb_put_u32 (big + 4 + 4 * i, (guint32) -(gint32) i);
  ck_assert_int_eq (parse_exact (big, total - 1, MAX_CUT_TEXT, &msg, &consumed, &error),
                    RFB_PARSE_NEED_MORE);
  ck_assert_int_eq (rfb_parse_client_message (big, total, MAX_CUT_TEXT, &msg, &consumed, &error),
                    RFB_PARSE_OK);
  ck_assert_uint_eq (consumed, total);
  ck_assert_uint_eq (msg.encodings.count, 0xffff);
  ck_assert_int_eq (rfb_encodings_get (&msg, 0), 0);
  ck_assert_int_eq (rfb_encodings_get (&msg, 1), -1);
  ck_assert_int_eq (rfb_encodings_get (&msg, 0xfffe), -0xfffe);
}
END_TEST

START_TEST (test_rfb_set_encodings_empty_list)
{
  static const guint8 data[] = { 2, 0, 0, 0, 4 };
  g_autoptr (GError) error = NULL;
  RfbClientMessage msg;
  gsize consumed = 0;

  ck_assert_int_eq (parse_exact (data, sizeof data, MAX_CUT_TEXT, &msg, &consumed, &error),
                    RFB_PARSE_OK);
  ck_assert_uint_eq (consumed, 4);
  ck_assert_uint_eq (msg.encodings.count, 0);
}
END_TEST

START_TEST (test_rfb_parse_flags_are_any_non_zero)
{
  guint8 data[10];
  RfbClientMessage msg;
  gsize consumed = 0;

  /* Down / incremental / enable flags: 0 is false, anything else true. */
  memcpy (data, msg_key_event, 8);
  data[1] = 0;
  ck_assert_int_eq (parse_exact (data, 8, MAX_CUT_TEXT, &msg, &consumed, NULL), RFB_PARSE_OK);
  ck_assert (!msg.key.down);
  data[1] = 0x80;
  ck_assert_int_eq (parse_exact (data, 8, MAX_CUT_TEXT, &msg, &consumed, NULL), RFB_PARSE_OK);
  ck_assert (msg.key.down);

  memcpy (data, msg_update_request, 10);
  data[1] = 0;
  ck_assert_int_eq (parse_exact (data, 10, MAX_CUT_TEXT, &msg, &consumed, NULL), RFB_PARSE_OK);
  ck_assert (!msg.update_request.incremental);

  memcpy (data, msg_continuous_updates, 10);
  data[1] = 0;
  ck_assert_int_eq (parse_exact (data, 10, MAX_CUT_TEXT, &msg, &consumed, NULL), RFB_PARSE_OK);
  ck_assert (!msg.continuous_updates.enable);
}
END_TEST

START_TEST (test_rfb_set_desktop_size_without_screens)
{
  static const guint8 data[] = { 251, 0, 0x00, 0x10, 0x00, 0x20, 0, 0, 3 };
  RfbClientMessage msg;
  gsize consumed = 0;

  ck_assert_int_eq (parse_exact (data, 7, MAX_CUT_TEXT, &msg, &consumed, NULL), RFB_PARSE_NEED_MORE);
  ck_assert_int_eq (parse_exact (data, sizeof data, MAX_CUT_TEXT, &msg, &consumed, NULL),
                    RFB_PARSE_OK);
  ck_assert_uint_eq (consumed, 8);
  ck_assert_uint_eq (msg.desktop_size.n_screens, 0);
  ck_assert_uint_eq (msg.desktop_size.w, 16);
  ck_assert_uint_eq (msg.desktop_size.h, 32);
}
END_TEST

START_TEST (test_rfb_set_desktop_size_most_screens)
{
  gsize len = 8 + 255 * 16;
  g_autofree guint8 *data = g_malloc0 (len);
  RfbClientMessage msg;
  gsize consumed = 0;

  data[0] = 251;
  data[6] = 255;
  ck_assert_int_eq (parse_exact (data, len - 1, MAX_CUT_TEXT, &msg, &consumed, NULL),
                    RFB_PARSE_NEED_MORE);
  ck_assert_int_eq (parse_exact (data, len, MAX_CUT_TEXT, &msg, &consumed, NULL), RFB_PARSE_OK);
  ck_assert_uint_eq (consumed, len);
  ck_assert_uint_eq (msg.desktop_size.n_screens, 255);
}
END_TEST

/* ---- Hostile lengths and unknown types ---- */

static void
assert_protocol_error (const GError *error, const char *must_contain)
{
  ck_assert_ptr_nonnull (error);
  ck_assert_msg (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL),
                 "wrong error: %s", error->message);
  ck_assert_msg (strstr (error->message, must_contain) != NULL,
                 "error \"%s\" does not mention \"%s\"", error->message, must_contain);
}

static guint8 *
cut_text_head (guint32 length)
{
  guint8 *head = g_malloc0 (8);
  head[0] = RFB_CLIENT_CUT_TEXT;
  rfb_put_u32 (head + 4, length);
  return head;
}

START_TEST (test_rfb_cut_text_over_limit_is_error)
{
  /* Refused from the 8-byte head alone, before any text arrives. */
  g_autofree guint8 *over = cut_text_head (MAX_CUT_TEXT + 1);
  g_autofree guint8 *at = cut_text_head (MAX_CUT_TEXT);
  g_autofree guint8 *huge = cut_text_head (G_MAXINT32);
  g_autoptr (GError) error = NULL;
  RfbClientMessage msg;
  gsize consumed = 0;

  ck_assert_int_eq (parse_exact (over, 8, MAX_CUT_TEXT, &msg, &consumed, &error), RFB_PARSE_ERROR);
  assert_protocol_error (error, "1048577");
  g_clear_error (&error);

  ck_assert_int_eq (parse_exact (huge, 8, MAX_CUT_TEXT, &msg, &consumed, &error), RFB_PARSE_ERROR);
  assert_protocol_error (error, "2147483647");
  g_clear_error (&error);

  ck_assert_int_eq (parse_exact (at, 8, MAX_CUT_TEXT, &msg, &consumed, &error), RFB_PARSE_NEED_MORE);
  ck_assert_ptr_null (error);

  /* A limit of 0 refuses any text, but an empty ClientCutText is fine. */
  g_autofree guint8 *empty = cut_text_head (0);
  g_autofree guint8 *one = cut_text_head (1);
  ck_assert_int_eq (parse_exact (empty, 8, 0, &msg, &consumed, &error), RFB_PARSE_OK);
  ck_assert_uint_eq (consumed, 8);
  ck_assert_int_eq (msg.cut_text.length, 0);
  ck_assert_int_eq (parse_exact (one, 8, 0, &msg, &consumed, &error), RFB_PARSE_ERROR);
  assert_protocol_error (error, "limit");
}
END_TEST

START_TEST (test_rfb_cut_text_at_limit_is_ok)
{
  gsize len = 8 + MAX_CUT_TEXT;
  g_autofree guint8 *data = g_malloc0 (len);
  RfbClientMessage msg;
  gsize consumed = 0;

  data[0] = RFB_CLIENT_CUT_TEXT;
  rfb_put_u32 (data + 4, MAX_CUT_TEXT);
  ck_assert_int_eq (rfb_parse_client_message (data, len, MAX_CUT_TEXT, &msg, &consumed, NULL),
                    RFB_PARSE_OK);
  ck_assert_uint_eq (consumed, len);
  ck_assert_int_eq (msg.cut_text.length, MAX_CUT_TEXT);
  ck_assert_ptr_eq (msg.cut_text.data, data + 8);
}
END_TEST

START_TEST (test_rfb_cut_text_negative_length_is_extended_clipboard)
{
  /* Extended Clipboard: the magnitude is the payload's length. */
  static const guint8 data[] = { 6, 0, 0, 0, 0xff, 0xff, 0xff, 0xfc, 0x10, 0x00, 0x00, 0x01, 0x99 };
  g_autoptr (GError) error = NULL;
  RfbClientMessage msg;
  gsize consumed = 0;

  for (gsize cut = 0; cut < 12; cut++)
    ck_assert_int_eq (parse_exact (data, cut, MAX_CUT_TEXT, &msg, &consumed, &error),
                      RFB_PARSE_NEED_MORE);
  ck_assert_ptr_null (error);
  ck_assert_int_eq (parse_exact (data, sizeof data, MAX_CUT_TEXT, &msg, &consumed, &error),
                    RFB_PARSE_OK);
  ck_assert_uint_eq (consumed, 12);
  ck_assert_int_eq (msg.cut_text.length, -4);
  ck_assert_mem_eq (msg.cut_text.data, "\x10\x00\x00\x01", 4);
}
END_TEST

START_TEST (test_rfb_cut_text_negative_length_magnitude_is_checked)
{
  g_autoptr (GError) error = NULL;
  RfbClientMessage msg;
  gsize consumed = 0;

  /* -(limit + 1): over by one. */
  g_autofree guint8 *over = cut_text_head ((guint32) -(gint32) (MAX_CUT_TEXT + 1));
  ck_assert_int_eq (parse_exact (over, 8, MAX_CUT_TEXT, &msg, &consumed, &error), RFB_PARSE_ERROR);
  assert_protocol_error (error, "1048577");
  g_clear_error (&error);

  /* -limit: waits for the payload. */
  g_autofree guint8 *at = cut_text_head ((guint32) -(gint32) MAX_CUT_TEXT);
  ck_assert_int_eq (parse_exact (at, 8, MAX_CUT_TEXT, &msg, &consumed, &error), RFB_PARSE_NEED_MORE);
  ck_assert_ptr_null (error);

  /* -G_MAXINT32. */
  g_autofree guint8 *most = cut_text_head ((guint32) -G_MAXINT32);
  ck_assert_int_eq (parse_exact (most, 8, MAX_CUT_TEXT, &msg, &consumed, &error), RFB_PARSE_ERROR);
  assert_protocol_error (error, "2147483647");
  g_clear_error (&error);

  /* G_MININT32 has no positive S32 counterpart: still refused, never
   * read as a small or negative size. */
  g_autofree guint8 *min = cut_text_head ((guint32) G_MININT32);
  ck_assert_int_eq (parse_exact (min, 8, MAX_CUT_TEXT, &msg, &consumed, &error), RFB_PARSE_ERROR);
  assert_protocol_error (error, "limit");
  g_clear_error (&error);
  ck_assert_int_eq (parse_exact (min, 8, 0, &msg, &consumed, &error), RFB_PARSE_ERROR);
  g_clear_error (&error);

  /* With no limit to speak of, G_MININT32 must still not overflow into
   * a short message: the parser waits for at least 2^31 bytes. */
  g_autofree guint8 *min_with_tail = g_malloc0 (64);
  memcpy (min_with_tail, min, 8);
  ck_assert_int_eq (parse_exact (min_with_tail, 64, G_MAXSIZE, &msg, &consumed, &error),
                    RFB_PARSE_NEED_MORE);
  ck_assert_ptr_null (error);

  /* -1: one byte of payload. */
  static const guint8 minus_one[] = { 6, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x42 };
  ck_assert_int_eq (parse_exact (minus_one, 8, MAX_CUT_TEXT, &msg, &consumed, &error),
                    RFB_PARSE_NEED_MORE);
  ck_assert_int_eq (parse_exact (minus_one, 9, MAX_CUT_TEXT, &msg, &consumed, &error), RFB_PARSE_OK);
  ck_assert_uint_eq (consumed, 9);
  ck_assert_int_eq (msg.cut_text.length, -1);
}
END_TEST

START_TEST (test_rfb_fence_payload_over_64_is_error)
{
  guint8 data[9 + 65] = { 248, 0, 0, 0, 0, 0, 0, 1, 65 };
  g_autoptr (GError) error = NULL;
  RfbClientMessage msg;
  gsize consumed = 0;

  /* Refused from the head alone. */
  ck_assert_int_eq (parse_exact (data, 9, MAX_CUT_TEXT, &msg, &consumed, &error), RFB_PARSE_ERROR);
  assert_protocol_error (error, "65");
  g_clear_error (&error);
  ck_assert_int_eq (parse_exact (data, sizeof data, MAX_CUT_TEXT, &msg, &consumed, &error),
                    RFB_PARSE_ERROR);
  g_clear_error (&error);

  data[8] = 255;
  ck_assert_int_eq (parse_exact (data, 9, MAX_CUT_TEXT, &msg, &consumed, &error), RFB_PARSE_ERROR);
  assert_protocol_error (error, "255");
  g_clear_error (&error);

  /* 64 is the most the spec allows. */
  data[8] = 64;
  for (int i = 0; i < 64; i++)
    data[9 + i] = (guint8) i;
  ck_assert_int_eq (parse_exact (data, 9 + 63, MAX_CUT_TEXT, &msg, &consumed, &error),
                    RFB_PARSE_NEED_MORE);
  ck_assert_int_eq (parse_exact (data, 9 + 64, MAX_CUT_TEXT, &msg, &consumed, &error), RFB_PARSE_OK);
  ck_assert_ptr_null (error);
  ck_assert_uint_eq (consumed, 9 + 64);
  ck_assert_uint_eq (msg.fence.length, 64);
  ck_assert_uint_eq (msg.fence.flags, 1);
  ck_assert_uint_eq (msg.fence.data[63], 63);

  data[8] = 0;
  ck_assert_int_eq (parse_exact (data, 9, MAX_CUT_TEXT, &msg, &consumed, &error), RFB_PARSE_OK);
  ck_assert_uint_eq (consumed, 9);
  ck_assert_uint_eq (msg.fence.length, 0);
}
END_TEST

START_TEST (test_rfb_unknown_message_type_is_error)
{
  static const guint8 unknown[] = { 1, 7, 8, 100, 149, 151, 200, 247, 249, 250, 252, 254 };

  for (guint i = 0; i < G_N_ELEMENTS (unknown); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *number = g_strdup_printf ("%u", unknown[i]);
      guint8 data[32] = { unknown[i] };
      RfbClientMessage msg;
      gsize consumed = 0;

      /* Known at the first byte: no waiting for a body that never comes. */
      ck_assert_int_eq (parse_exact (data, 1, MAX_CUT_TEXT, &msg, &consumed, &error),
                        RFB_PARSE_ERROR);
      assert_protocol_error (error, "type");
      assert_protocol_error (error, number);
      g_clear_error (&error);
      ck_assert_int_eq (parse_exact (data, sizeof data, MAX_CUT_TEXT, &msg, &consumed, &error),
                        RFB_PARSE_ERROR);
      assert_protocol_error (error, number);
    }
}
END_TEST

START_TEST (test_rfb_every_message_type_is_known_or_error)
{
  /* Whatever the first byte, 1 byte gives NEED_MORE or ERROR, never OK
   * and never a read past the byte. */
  for (guint type = 0; type < 256; type++)
    {
      g_autoptr (GError) error = NULL;
      guint8 data[1] = { (guint8) type };
      RfbClientMessage msg;
      gsize consumed = 0;
      RfbParseResult result = parse_exact (data, 1, MAX_CUT_TEXT, &msg, &consumed, &error);
      gboolean known = type == 0 || type == 2 || type == 3 || type == 4 || type == 5 ||
                       type == 6 || type == 150 || type == 248 || type == 251 || type == 255;

      ck_assert_msg (result == (known ? RFB_PARSE_NEED_MORE : RFB_PARSE_ERROR),
                     "type %u: result %d", type, result);
      ck_assert (known == (error == NULL));
    }
}
END_TEST

START_TEST (test_rfb_unknown_qemu_subtype_is_error)
{
  guint8 data[12] = { 255, 1, 0, 1, 0, 0, 0, 0x61, 0, 0, 0, 0x1e };
  g_autoptr (GError) error = NULL;
  RfbClientMessage msg;
  gsize consumed = 0;

  ck_assert_int_eq (parse_exact (data, 1, MAX_CUT_TEXT, &msg, &consumed, &error), RFB_PARSE_NEED_MORE);
  ck_assert_ptr_null (error);

  /* Known bad from the subtype byte on. */
  ck_assert_int_eq (parse_exact (data, 2, MAX_CUT_TEXT, &msg, &consumed, &error), RFB_PARSE_ERROR);
  assert_protocol_error (error, "subtype");
  assert_protocol_error (error, "1");
  g_clear_error (&error);

  data[1] = 2; /* QEMU Audio */
  ck_assert_int_eq (parse_exact (data, sizeof data, MAX_CUT_TEXT, &msg, &consumed, &error),
                    RFB_PARSE_ERROR);
  assert_protocol_error (error, "2");
  g_clear_error (&error);

  data[1] = 0;
  data[2] = 0;
  data[3] = 0;
  ck_assert_int_eq (parse_exact (data, sizeof data, MAX_CUT_TEXT, &msg, &consumed, &error),
                    RFB_PARSE_OK);
  ck_assert (!msg.qemu.down);
}
END_TEST

START_TEST (test_rfb_error_leaves_consumed_alone)
{
  g_autofree guint8 *over = cut_text_head (MAX_CUT_TEXT + 1);
  g_autoptr (GError) error = NULL;
  RfbClientMessage msg;
  gsize consumed = 777;

  ck_assert_int_eq (parse_exact (over, 8, MAX_CUT_TEXT, &msg, &consumed, &error), RFB_PARSE_ERROR);
  ck_assert_uint_eq (consumed, 777);
  /* NULL error is allowed. */
  ck_assert_int_eq (parse_exact (over, 8, MAX_CUT_TEXT, &msg, &consumed, NULL), RFB_PARSE_ERROR);
}
END_TEST

/* ---- ProtocolVersion ---- */

static RfbParseResult
parse_version_exact (const char *text, gsize len, RfbVersion *version, GError **error)
{
  g_autofree guint8 *copy = g_malloc (MAX (len, 1));

  memcpy (copy, text, len);
  return rfb_parse_version (copy, len, version, error);
}

static void
assert_version (const char *text, RfbVersion expected)
{
  g_autoptr (GError) error = NULL;
  RfbVersion version = 0;

  ck_assert_msg (parse_version_exact (text, 12, &version, &error) == RFB_PARSE_OK,
                 "%.11s: %s", text, error ? error->message : "not OK");
  ck_assert_msg (version == expected, "%.11s gave %d, expected %d", text, version, expected);
}

START_TEST (test_rfb_version_known_versions)
{
  assert_version ("RFB 003.003\n", RFB_VERSION_3_3);
  assert_version ("RFB 003.007\n", RFB_VERSION_3_7);
  assert_version ("RFB 003.008\n", RFB_VERSION_3_8);
}
END_TEST

START_TEST (test_rfb_version_odd_versions)
{
  assert_version ("RFB 003.005\n", RFB_VERSION_3_3);
  assert_version ("RFB 003.006\n", RFB_VERSION_3_3);
  assert_version ("RFB 003.000\n", RFB_VERSION_3_3);
  assert_version ("RFB 003.889\n", RFB_VERSION_3_8);  /* Apple */
  assert_version ("RFB 003.009\n", RFB_VERSION_3_8);
  assert_version ("RFB 004.000\n", RFB_VERSION_3_8);
  assert_version ("RFB 004.001\n", RFB_VERSION_3_8);
}
END_TEST

START_TEST (test_rfb_version_too_old_is_error)
{
  static const char *const old[] = { "RFB 002.000\n", "RFB 000.000\n", "RFB 002.999\n" };

  for (guint i = 0; i < G_N_ELEMENTS (old); i++)
    {
      g_autoptr (GError) error = NULL;
      RfbVersion version = 0;

      ck_assert_int_eq (parse_version_exact (old[i], 12, &version, &error), RFB_PARSE_ERROR);
      ck_assert_ptr_nonnull (error);
      ck_assert (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL));
      ck_assert_int_eq (version, 0);
    }
}
END_TEST

START_TEST (test_rfb_version_partial_needs_more)
{
  static const char text[] = "RFB 003.008\n";

  for (gsize len = 0; len < 12; len++)
    {
      g_autoptr (GError) error = NULL;
      RfbVersion version = 0;

      ck_assert_msg (parse_version_exact (text, len, &version, &error) == RFB_PARSE_NEED_MORE,
                     "length %" G_GSIZE_FORMAT, len);
      ck_assert_ptr_null (error);
      ck_assert_int_eq (version, 0);
    }
}
END_TEST

START_TEST (test_rfb_version_garbage_fails_at_first_wrong_byte)
{
  /* Each string is right up to its last byte, which is wrong: the error
   * comes as soon as that byte is there, not at 12 bytes, and one byte
   * earlier it is still only NEED_MORE. */
  static const char *const bad[] = {
    "X", "R\n", "RFC", "RFB_", "RFB x", "RFB 0a", "RFB 00-", "RFB 003,",
    "RFB 003.x", "RFB 003.00 ", "RFB 003.008\r", "RFB 003.008 ",
  };
  /* Things that are not VNC at all go at the first byte. */
  static const char *const foreign[] = { "GET / HTTP/1.1\r\n", "\x16\x03\x01\x02\x00", "rfb 003.008\n" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      gsize len = strlen (bad[i]);
      g_autoptr (GError) error = NULL;
      RfbVersion version = 0;

      ck_assert_msg (parse_version_exact (bad[i], len - 1, &version, &error) == RFB_PARSE_NEED_MORE,
                     "prefix of bad string %u was refused early", i);
      ck_assert_ptr_null (error);
      ck_assert_msg (parse_version_exact (bad[i], len, &version, &error) == RFB_PARSE_ERROR,
                     "bad string %u was not refused", i);
      ck_assert_ptr_nonnull (error);
      ck_assert (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL));
      ck_assert_int_eq (version, 0);
    }
  for (guint i = 0; i < G_N_ELEMENTS (foreign); i++)
    {
      g_autoptr (GError) error = NULL;
      RfbVersion version = 0;

      ck_assert_int_eq (parse_version_exact (foreign[i], 1, &version, &error), RFB_PARSE_ERROR);
      ck_assert_ptr_nonnull (error);
      g_clear_error (&error);
      ck_assert_int_eq (parse_version_exact (foreign[i], strlen (foreign[i]), &version, &error),
                        RFB_PARSE_ERROR);
    }
}
END_TEST

START_TEST (test_rfb_version_trailing_bytes_ignored)
{
  /* Only the 12 version bytes are the version's; what follows (a viewer
   * that sends its security choice at once) is not looked at. */
  g_autoptr (GError) error = NULL;
  RfbVersion version = 0;

  ck_assert_int_eq (parse_version_exact ("RFB 003.008\n\x02", 13, &version, &error), RFB_PARSE_OK);
  ck_assert_int_eq (version, RFB_VERSION_3_8);
}
END_TEST

/* ---- Builders ---- */

START_TEST (test_rfb_server_init_bytes)
{
  static const guint8 expected[] = {
    0x02, 0x80, 0x01, 0xe0,
    32, 24, 0, 1, 0x00, 0xff, 0x00, 0xff, 0x00, 0xff, 16, 8, 0, 0, 0, 0,
    0x00, 0x00, 0x00, 0x05, 'C', 'a', 'i', 'r', 'o',
  };
  g_autoptr (GBytes) bytes = rfb_build_server_init (640, 480, &pixfmt_server_default, "Cairo");
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  ck_assert_uint_eq (len, sizeof expected);
  ck_assert_mem_eq (data, expected, sizeof expected);
}
END_TEST

START_TEST (test_rfb_server_init_name_is_utf8_bytes)
{
  static const guint8 expected[] = {
    0xff, 0xff, 0x00, 0x01,
    16, 16, 1, 1, 0x00, 0x1f, 0x00, 0x3f, 0x00, 0x1f, 11, 5, 0, 0, 0, 0,
    0x00, 0x00, 0x00, 0x03, 0xc3, 0xa9, '!',
  };
  static const guint8 expected_empty_name[] = {
    0x00, 0x01, 0xff, 0xff,
    8, 8, 0, 1, 0x00, 0x07, 0x00, 0x07, 0x00, 0x03, 0, 3, 6, 0, 0, 0,
    0x00, 0x00, 0x00, 0x00,
  };
  RfbPixelFormat rgb565_be = {
    .bits_per_pixel = 16, .depth = 16, .big_endian = TRUE, .true_colour = TRUE,
    .red_max = 31, .green_max = 63, .blue_max = 31,
    .red_shift = 11, .green_shift = 5, .blue_shift = 0,
  };
  g_autoptr (GBytes) bytes = rfb_build_server_init (65535, 1, &rgb565_be, "\xc3\xa9!");
  g_autoptr (GBytes) empty = rfb_build_server_init (1, 65535, &pixfmt_bgr233, "");
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  ck_assert_uint_eq (len, sizeof expected);
  ck_assert_mem_eq (data, expected, sizeof expected);
  data = g_bytes_get_data (empty, &len);
  ck_assert_uint_eq (len, sizeof expected_empty_name);
  ck_assert_mem_eq (data, expected_empty_name, sizeof expected_empty_name);
}
END_TEST

START_TEST (test_rfb_security_failure_3_3)
{
  /* 3.3: security type 0 as a U32, then the reason. */
  static const guint8 expected[] = {
    0, 0, 0, 0, 0, 0, 0, 7, 'T', 'o', 'o', ' ', 'b', 'a', 'd',
  };
  g_autoptr (GBytes) bytes = rfb_build_security_failure (RFB_VERSION_3_3, "Too bad");
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  ck_assert_uint_eq (len, sizeof expected);
  ck_assert_mem_eq (data, expected, sizeof expected);
}
END_TEST

START_TEST (test_rfb_security_failure_3_8)
{
  /* 3.7 and 3.8: an empty list of security types (one byte), then the reason. */
  static const guint8 expected[] = {
    0, 0, 0, 0, 7, 'T', 'o', 'o', ' ', 'b', 'a', 'd',
  };
  RfbVersion versions[] = { RFB_VERSION_3_7, RFB_VERSION_3_8 };

  for (guint i = 0; i < G_N_ELEMENTS (versions); i++)
    {
      g_autoptr (GBytes) bytes = rfb_build_security_failure (versions[i], "Too bad");
      gsize len = 0;
      const guint8 *data = g_bytes_get_data (bytes, &len);

      ck_assert_uint_eq (len, sizeof expected);
      ck_assert_mem_eq (data, expected, sizeof expected);
    }
}
END_TEST

START_TEST (test_rfb_update_and_rect_headers)
{
  static const guint8 expected[] = {
    0, 0, 0x01, 0x02,
    0x00, 0x01, 0x00, 0x02, 0x00, 0x40, 0x00, 0x30, 0x00, 0x00, 0x00, 0x10,
    0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x03, 0x00, 0xff, 0xff, 0xff, 0x21,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc0, 0xa1, 0xe5, 0xce,
  };
  g_autoptr (GByteArray) out = g_byte_array_new ();

  rfb_append_update_header (out, 0x0102);
  ck_assert_uint_eq (out->len, 4);
  rfb_append_rect_header (out, 1, 2, 64, 48, RFB_ENCODING_ZRLE);
  ck_assert_uint_eq (out->len, 16);
  rfb_append_rect_header (out, 0, 0, 1024, 768, RFB_ENCODING_DESKTOP_SIZE);
  rfb_append_rect_header (out, 0xffff, 0xffff, 0xffff, 0xffff, RFB_ENCODING_EXTENDED_CLIPBOARD);
  ck_assert_uint_eq (out->len, sizeof expected);
  ck_assert_mem_eq (out->data, expected, sizeof expected);
}
END_TEST

START_TEST (test_rfb_append_and_get_big_endian)
{
  static const guint8 expected[] = {
    0xab, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0x00, 0x02, 'h', 'i',
  };
  g_autoptr (GByteArray) out = g_byte_array_new ();
  guint8 b[4];

  rfb_append_u8 (out, 0xab);
  rfb_append_u16 (out, 0x1234);
  rfb_append_u32 (out, 0xdeadbeef);
  rfb_append_string (out, "hi");
  ck_assert_uint_eq (out->len, sizeof expected);
  ck_assert_mem_eq (out->data, expected, sizeof expected);

  ck_assert_uint_eq (rfb_get_u16 (expected + 1), 0x1234);
  ck_assert_uint_eq (rfb_get_u32 (expected + 3), 0xdeadbeef);
  rfb_put_u16 (b, 0xfe01);
  ck_assert_mem_eq (b, "\xfe\x01", 2);
  rfb_put_u32 (b, 0x80000001);
  ck_assert_mem_eq (b, "\x80\x00\x00\x01", 4);
}
END_TEST

static Suite *
rfb_suite (void)
{
  Suite *s = suite_create ("rfb");
  TCase *tc;
  int n_samples = G_N_ELEMENTS (samples);

  tc = tcase_create ("framing");
  tcase_add_loop_test (tc, test_rfb_parse_whole_message, 0, n_samples);
  tcase_add_loop_test (tc, test_rfb_parse_cut_message_needs_more, 0, n_samples);
  tcase_add_loop_test (tc, test_rfb_parse_fed_byte_by_byte, 0, n_samples);
  tcase_add_test (tc, test_rfb_parse_messages_back_to_back);
  tcase_add_test (tc, test_rfb_set_encodings_waits_for_whole_list);
  tcase_add_test (tc, test_rfb_set_encodings_empty_list);
  tcase_add_test (tc, test_rfb_parse_flags_are_any_non_zero);
  tcase_add_test (tc, test_rfb_set_desktop_size_without_screens);
  tcase_add_test (tc, test_rfb_set_desktop_size_most_screens);
  suite_add_tcase (s, tc);

  tc = tcase_create ("hostile");
  tcase_add_test (tc, test_rfb_cut_text_over_limit_is_error);
  tcase_add_test (tc, test_rfb_cut_text_at_limit_is_ok);
  tcase_add_test (tc, test_rfb_cut_text_negative_length_is_extended_clipboard);
  tcase_add_test (tc, test_rfb_cut_text_negative_length_magnitude_is_checked);
  tcase_add_test (tc, test_rfb_fence_payload_over_64_is_error);
  tcase_add_test (tc, test_rfb_unknown_message_type_is_error);
  tcase_add_test (tc, test_rfb_every_message_type_is_known_or_error);
  tcase_add_test (tc, test_rfb_unknown_qemu_subtype_is_error);
  tcase_add_test (tc, test_rfb_error_leaves_consumed_alone);
  suite_add_tcase (s, tc);

  tc = tcase_create ("version");
  tcase_add_test (tc, test_rfb_version_known_versions);
  tcase_add_test (tc, test_rfb_version_odd_versions);
  tcase_add_test (tc, test_rfb_version_too_old_is_error);
  tcase_add_test (tc, test_rfb_version_partial_needs_more);
  tcase_add_test (tc, test_rfb_version_garbage_fails_at_first_wrong_byte);
  tcase_add_test (tc, test_rfb_version_trailing_bytes_ignored);
  suite_add_tcase (s, tc);

  tc = tcase_create ("builders");
  tcase_add_test (tc, test_rfb_server_init_bytes);
  tcase_add_test (tc, test_rfb_server_init_name_is_utf8_bytes);
  tcase_add_test (tc, test_rfb_security_failure_3_3);
  tcase_add_test (tc, test_rfb_security_failure_3_8);
  tcase_add_test (tc, test_rfb_update_and_rect_headers);
  tcase_add_test (tc, test_rfb_append_and_get_big_endian);
  suite_add_tcase (s, tc);

  return s;
}

int
main (void)
{
  return checkutil_run (rfb_suite ());
}
