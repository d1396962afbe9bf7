/* transport-stack.h — one Transport on top of another.
 *
 * wss:// is WebSocket over TLS: wire bytes go through TLS, the bytes it
 * decrypts through WebSocket, and what comes out is RFB. A stack holds
 * the two and the bytes between them; to the viewer it is one transport.
 * Pure; runs on the server context.
 */
#pragma once

#include <glib.h>

#include "transport.h"

G_BEGIN_DECLS

/* @outer is next to the socket, @inner next to the protocol; the stack
 * owns both. */
Transport *transport_stack_new (Transport *outer, Transport *inner);

/* Where bytes for the innermost transport of @transport go: @wire (the
 * socket's bytes) for a single transport, the bytes between the two for
 * a stack. */
GByteArray *transport_inner_wire (Transport *transport, GByteArray *wire);

G_END_DECLS
