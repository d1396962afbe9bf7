/* transport.h — the seam between a viewer's RFB bytes and its socket.
 *
 * A plain TCP viewer has no transport: RFB bytes are the wire bytes. A
 * transport sits between them: input read from the socket goes through
 * unwrap() into the RFB input buffer; output queued by the protocol goes
 * through wrap() before it is sent. WebSocket (websocket.c) frames the
 * bytes without copying them; TLS will take the same place, alone or
 * under WebSocket.
 *
 * A transport is pure: no socket, no viewer. Runs on the server context.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _Transport Transport;

typedef struct {
  /* For log lines: "WebSocket". */
  const char *name;
  /* Takes what it can from the start of @wire (bytes read from the
   * socket) and appends the protocol bytes they carried to @plain. Wire
   * bytes of its own to send (answers to the peer) go to the tail of
   * @replies. Returns FALSE when the connection must end — the peer said
   * goodbye or broke the transport's rules — with @error saying why; the
   * replies are to be sent first. */
  gboolean (*unwrap) (Transport *transport, GByteArray *wire, GByteArray *plain, GQueue *replies,
                      GError **error);
  /* The last @n items of @output (GBytes) are protocol bytes queued since
   * the last call: makes them wire bytes, in place. */
  void (*wrap) (Transport *transport, GQueue *output, guint n);
  /* Wire bytes to send last when the server ends the connection, or
   * NULL. */
  GBytes *(*goodbye) (Transport *transport);
  void (*free) (Transport *transport);
} TransportFuncs;

struct _Transport {
  const TransportFuncs *funcs;
};

static inline void
transport_free (Transport *transport)
{
  if (transport != NULL)
    transport->funcs->free (transport);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Transport, transport_free)

G_END_DECLS
