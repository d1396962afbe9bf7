/* fuzz-clipboard.c — libFuzzer harness for the Extended Clipboard.
 *
 * The input is the body of one extended ClientCutText (flags, then for
 * caps their sizes, for provide a zlib stream). What the parser accepts
 * is acted on as the server would: caps become a peer's, provided text
 * becomes the clipboard, which is offered back. The parser must never
 * read past the input, hand over a format longer than its limit, or text
 * that is not UTF-8.
 */
#include <stdint.h>
#include <string.h>

#include "clipboard.h"

/* Small, so that inputs can cross it. */
#define FUZZ_MAX_SIZE 4096

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree guint8 *copy = g_memdup2 (data, size);
  g_autoptr (GError) error = NULL;
  ClipboardMessage msg = { 0 };
  ClipboardPeer peer = { 0 };
  g_autoptr (ClipboardData) current = NULL;
  GBytes *out;
  const char *not_sent = NULL;
  int guard = 0;

  if (!clipboard_parse_extended (copy, size, FUZZ_MAX_SIZE, &msg, &error))
    {
      g_assert (error != NULL);
      clipboard_message_clear (&msg);
      return 0;
    }
  clipboard_peer_init (&peer);
  peer.extended = TRUE;
  if (msg.action == CLIPBOARD_ACTION_CAPS)
    peer.caps = msg.caps;
  if (msg.text != NULL)
    {
      g_assert (strlen (msg.text) <= FUZZ_MAX_SIZE);
      g_assert (g_utf8_validate (msg.text, -1, NULL));
    }
  if (msg.html != NULL)
    g_assert (g_utf8_validate (msg.html, -1, NULL));
  if (msg.rtf != NULL)
    g_assert (strlen (msg.rtf) <= FUZZ_MAX_SIZE);
  current = clipboard_data_new (msg.text, msg.rtf, msg.html, 1);
  peer.offer_due = TRUE;
  peer.provide_due = msg.formats;
  peer.notify_due = msg.action == CLIPBOARD_ACTION_PEEK;
  while ((out = clipboard_peer_next_message (&peer, current, FUZZ_MAX_SIZE, 1, &not_sent)) != NULL)
    {
      g_assert (++guard < 16);
      g_bytes_unref (out);
    }
  clipboard_message_clear (&msg);
  return 0;
}
