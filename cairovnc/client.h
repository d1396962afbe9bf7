/* client.h — one connected viewer.
 *
 * A Client owns its socket, its input buffer, its protocol state and its
 * output queue. Everything here runs on the server context.
 */
#pragma once

#include <gio/gio.h>

#include "server-private.h"

G_BEGIN_DECLS

Client *client_new (CairoVncServer *server, GSocket *socket, guint id);
Client *client_ref (Client *client);
void client_unref (Client *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_unref)

guint client_get_id (Client *client);
/* Whether it speaks RFB: a browser's HTTP connection is not a viewer
 * until it becomes a WebSocket. */
gboolean client_is_viewer (Client *client);

/* Starts the handshake; @refuse_reason non-NULL refuses the viewer after
 * the version exchange (too many viewers). */
void client_start (Client *client, const char *refuse_reason);

/* Serves a browser's HTTP requests (@client made with id 0); one that
 * asks for a WebSocket becomes a viewer. */
void client_start_http (Client *client);

/* Closes the connection with a log line; safe to call twice. */
void client_close (Client *client, const char *reason);

/* A new snapshot: its damage joins the viewer's pending damage; if the
 * frame is of another size, the viewer is told when it can be. */
void client_frame_changed (Client *client, Frame *frame, const cairo_region_t *damage);

/* The desktop name changed. */
void client_name_changed (Client *client);

/* Sends an update now if one is due and allowed. */
void client_try_send (Client *client);

/* Reads again after a pause for a full event queue. */
void client_resume_reading (Client *client);

G_END_DECLS
