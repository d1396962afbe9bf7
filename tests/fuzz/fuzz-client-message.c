/* fuzz-client-message.c — libFuzzer harness for the client-message parser.
 *
 * The input is a stream of client messages, as a viewer sends them after
 * ServerInit. Each message the parser accepts is acted on as far as it
 * can be without a socket: pixel formats are validated and, when valid,
 * a converter is made and used; encodings are read one by one; cut text
 * is converted to UTF-8; pointer events are split. The parser must never
 * read past the input, accept a length over its limit, or say OK without
 * consuming bytes. A version string parse runs over the start too.
 */
#include <stdint.h>
#include <string.h>

#include "events.h"
#include "pixfmt.h"
#include "rfb.h"

/* Smaller than the server's 20 MiB, so that inputs can cross it. */
#define FUZZ_MAX_CUT_TEXT 4096

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
act_on (const RfbClientMessage *msg, PointerState *pointer)
{
  switch (msg->type)
    {
    case RFB_SET_PIXEL_FORMAT:
      {
        RfbPixelFormat format = msg->pixel_format;
        guint8 written[RFB_PIXEL_FORMAT_LEN];
        g_autoptr (GError) error = NULL;
        g_free (pixfmt_to_string (&format));

        pixfmt_write (&format, written);
        /* As client.c: an 8-bit colour map gets BGR233. */
        if (!format.true_colour && format.bits_per_pixel == 8)
          format = pixfmt_bgr233;
        if (pixfmt_validate (&format, &error))
          {
            static const guint32 pixels[4] = { 0x00000000, 0x00ffffff, 0x00123456, 0x00ff00ff };
            guint8 out[4 * 4];
            g_autoptr (PixfmtConverter) converter = pixfmt_converter_new (&format);
            PixfmtKey key;

            g_assert (pixfmt_bytes_per_pixel (&format) <= 4);
            pixfmt_convert (converter, pixels, 2 * sizeof (guint32), 2, 2, out);
            pixfmt_key (&format, &key);
            for (guint i = 0; i < G_N_ELEMENTS (pixels); i++)
              pixfmt_convert_pixel (&format, pixels[i]);
          }
        else
          {
            g_assert (error != NULL);
          }
        break;
      }
    case RFB_SET_ENCODINGS:
      for (guint i = 0; i < msg->encodings.count; i++)
        (void) rfb_encodings_get (msg, i);
      break;
    case RFB_CLIENT_CUT_TEXT:
      {
        gsize length = msg->cut_text.length < 0 ? 0 : (gsize) msg->cut_text.length;
        g_assert (length <= FUZZ_MAX_CUT_TEXT);
        g_free (events_latin1_to_utf8 (msg->cut_text.data, length));
        break;
      }
    case RFB_POINTER_EVENT:
      {
        g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) cairovnc_event_free);
        events_split_pointer (pointer, 1, msg->pointer.mask, msg->pointer.x, msg->pointer.y, events);
        g_assert (events->len <= EVENTS_MAX_PER_MESSAGE);
        break;
      }
    case RFB_CLIENT_FENCE:
      g_assert (msg->fence.length <= RFB_MAX_FENCE_PAYLOAD);
      g_bytes_unref (rfb_build_server_fence (msg->fence.flags & RFB_FENCE_KNOWN_FLAGS, msg->fence.data,
                                             msg->fence.length));
      break;
    default:
      break;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  PointerState pointer = POINTER_STATE_INIT;
  RfbVersion version;
  gsize offset = 0;

  {
    g_autoptr (GError) error = NULL;
    (void) rfb_parse_version (data, size, &version, &error);
  }

  while (offset < size)
    {
      RfbClientMessage msg;
      g_autoptr (GError) error = NULL;
      gsize consumed = 0;
      RfbParseResult result;

      /* Parse from a copy of exactly the bytes left, so that a read past
       * them is caught even inside a larger buffer. */
      g_autofree guint8 *rest = g_memdup2 (data + offset, size - offset);
      result = rfb_parse_client_message (rest, size - offset, FUZZ_MAX_CUT_TEXT, &msg, &consumed, &error);
      if (result != RFB_PARSE_OK)
        {
          g_assert (result == RFB_PARSE_NEED_MORE || error != NULL);
          break;
        }
      g_assert (consumed > 0 && consumed <= size - offset);
      act_on (&msg, &pointer);
      offset += consumed;
    }
  return 0;
}
