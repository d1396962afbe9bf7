/* client.c — one connected viewer: socket, handshake, messages, updates.
 *
 * The state machine follows rfbproto.rst: version → security →
 * (authentication: VNC, Apple Remote Desktop, or VeNCrypt, which puts TLS
 * under the protocol and then authenticates) → ClientInit → normal
 * messages; which types are offered is security.c's to say. Input is
 * read without blocking into a buffer and parsed by rfb.c until it needs
 * more bytes; output is a queue of GBytes written with vectored sends,
 * watched for G_IO_OUT only while it is not empty.
 *
 * Updates: the viewer's pending region collects damage since its last
 * update; when a request (or push mode) meets pending damage, the tiles
 * that cover it go into a TileBatch, shared through the tile cache. At
 * most one update is on its way at a time: the next one starts when the
 * previous one has left the output queue, so a slow viewer gets fewer,
 * fresher frames and never grows memory.
 *
 * Hostile viewers: the handshake has a deadline (handshake-timeout); a
 * viewer that leaves its output unread for stall-timeout is dropped;
 * replies the viewer triggers itself (fences, colour maps) may not pile up
 * unread: past MAX_REPLY_BACKLOG it is not read until it reads; wrong
 * passwords are counted per address (throttle.c). Every length from the
 * wire is checked in rfb.c before anything is allocated.
 *
 * Runs on the server context.
 */
#include "client.h"

#include <string.h>

#include "ard.h"
#include "auth.h"
#include "clipboard.h"
#include "cursor.h"
#include "events.h"
#include "http.h"
#include "rfb.h"
#include "security.h"
#include "tls.h"
#include "transport-stack.h"
#include "websocket.h"

/* How long a failed password waits before the viewer hears of it. */
#define AUTH_FAILURE_DELAY_MS 1000
/* How long a refused viewer has to read why. */
#define CLOSING_TIMEOUT_S 10
/* Reads per wakeup, so one busy viewer cannot hold the context. */
#define READ_CHUNK 65536
#define READS_PER_WAKEUP 4
#define MAX_OUTPUT_VECTORS 64
#define MAX_RECTS_PER_UPDATE 65535
/* Replies to the viewer's own messages (fence answers, colour maps,
 * EndOfContinuousUpdates) queued while it reads nothing: past this, its
 * messages wait in its socket until it reads. */
#define MAX_REPLY_BACKLOG (64 * 1024)
/* An input buffer that grew past this (a large ClientCutText) is given
 * back once empty. */
#define INPUT_KEEP_BYTES (1024 * 1024)

typedef enum {
  CLIENT_HTTP,                 /* a browser's requests, before any upgrade */
  CLIENT_VERSION,
  CLIENT_SECURITY_CHOICE,
  CLIENT_VENCRYPT_VERSION,
  CLIENT_VENCRYPT_SUBTYPE,
  CLIENT_AUTH_RESPONSE,        /* VNC Authentication */
  CLIENT_PLAIN_CREDENTIALS,    /* VeNCrypt's Plain sub-types */
  CLIENT_ARD_RESPONSE,         /* Apple Remote Desktop */
  CLIENT_AUTH_DELAY,
  CLIENT_INIT,
  CLIENT_NORMAL,
  CLIENT_CLOSING,
  CLIENT_CLOSED,
} ClientState;

struct _Client {
  int ref;
  CairoVncServer *server;
  guint id;                    /* 0 until it is a viewer */
  char *address;
  char *log_name;              /* "viewer 3 (127.0.0.1:41234)" */
  char *host;                  /* the address without the port: whom to throttle */
  GSocket *socket;
  Transport *transport;        /* NULL for plain RFB */
  Transport *tls;              /* the TLS layer in it, if any (borrowed) */
  gboolean encrypted;          /* TLS from the first byte: wss:// */
  gboolean tls_checked;        /* the first byte of HTTP was looked at */
  gboolean is_viewer;          /* speaks RFB (not just HTTP) */
  gboolean upgraded;           /* the rest of the input is the transport's */
  int processing;              /* inside process_input() */
  GSource *in_source;
  GSource *out_source;
  GSource *timer_source;       /* handshake deadline, auth delay or closing */
  GSource *stall_source;       /* while output waits for the viewer to read */
  ClientState state;
  char *close_reason;          /* while CLOSING */

  /* Handshake. */
  RfbVersion version;
  char *refuse_reason;
  guint8 offered[SECURITY_MAX_TYPES];
  guint n_offered;
  guint32 subtypes[SECURITY_MAX_SUBTYPES];
  guint n_subtypes;
  const char *auth_name;       /* "VNC Authentication", for log lines and reasons */
  ArdServer *ard;
  guint8 challenge[AUTH_CHALLENGE_LEN];
  gboolean read_only;

  /* Input. */
  GByteArray *wire;            /* read, not yet through the transport */
  GByteArray *input;           /* RFB bytes (or HTTP requests) */
  gboolean input_grown;        /* past INPUT_KEEP_BYTES since last emptied */
  gboolean reading_paused;
  gsize reply_backlog;         /* reply bytes queued since the output last emptied */
  gboolean backlog_paused;     /* not read until the backlog is read */
  PointerState pointer;

  /* Output. */
  GQueue output;               /* GBytes * */
  gsize output_offset;         /* bytes of the head already sent */
  guint n_unwrapped;           /* items at the tail not yet through the transport */
  guint64 bytes_sent;
  guint64 bytes_sent_at_timer; /* HTTP: when the idle timer was last set */
  gint64 output_progress_us;   /* when the viewer last took some output */
  gint64 stall_timeout_us;
  guint handshake_timeout_s;

  /* What the viewer has and wants. */
  int fb_width, fb_height;
  PixfmtConverter *converter;
  EncoderParams params;
  gboolean supports_desktop_size;
  gboolean supports_extended_desktop_size;
  gboolean supports_desktop_name;
  gboolean supports_last_rect;
  gboolean supports_copy_rect;
  gboolean supports_cursor;          /* Cursor (-239) */
  gboolean supports_cursor_alpha;    /* Cursor With Alpha (-314) */
  guint64 cursor_sent;               /* the server's cursor_serial it has */
  gboolean supports_qemu_keys;
  gboolean told_qemu_keys;           /* the QEMU Extended Key Event rectangle went out */
  ClipboardPeer clipboard;
  gboolean clipboard_ready;          /* has sent SetEncodings or a request */
  gboolean told_continuous_updates;  /* the first EndOfContinuousUpdates went out */
  gboolean told_fence;               /* the first ServerFence went out */
  gboolean continuous;               /* EnableContinuousUpdates is on */
  cairo_rectangle_int_t continuous_area;
  gboolean zlib_stream_started[ENCODER_N_ZLIB_STREAMS]; /* has had its header */
  gboolean apple;               /* announced Apple's 1011: push frames */
  gboolean asked;              /* has sent a FramebufferUpdateRequest */
  gboolean size_reply_pending; /* an ExtendedDesktopSize is owed */
  guint16 size_reply_reason, size_reply_status;
  char *sent_name;
  cairo_region_t *pending;     /* changed since last sent */
  cairo_region_t *requested;   /* asked for and not yet answered */

  /* A move the viewer will be told with its next update. */
  gboolean has_copy;
  CopyOp copy;

  /* Messages that must follow the update being encoded (fence replies,
   * EndOfContinuousUpdates): sent as soon as that update is queued. */
  GQueue after_update;

  /* The update on its way. */
  gboolean update_in_flight;
  TileBatch *batch;
  gint32 batch_encoding;
  gboolean batch_has_copy;
  CopyOp batch_copy;
  gboolean batch_has_name;
  gboolean batch_has_cursor;
  gboolean batch_has_qemu_keys;
  guint64 updates_sent;
};

static void process_input (Client *c);
static gsize parse_input (Client *c);
static gboolean pause_if_replies_unread (Client *c);
static void count_auth_failure (Client *c);
static void flush_output (Client *c);
static gboolean queue_clipboard_messages (Client *c);
static void watch_input (Client *c);

#define CLIENT_TRACE(c, fmt, ...) \
  SERVER_TRACE ((c)->server, "%s: " fmt, (c)->log_name, ##__VA_ARGS__)
#define CLIENT_INFO(c, fmt, ...) \
  SERVER_INFO ((c)->server, "%s: " fmt, (c)->log_name, ##__VA_ARGS__)

/* The peer as "host:port" for log lines, and its host alone. */
static char *
describe_address (GSocket *socket, char **host_out)
{
  g_autoptr (GSocketAddress) address = g_socket_get_remote_address (socket, NULL);

  if (G_IS_INET_SOCKET_ADDRESS (address))
    {
      GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (address);
      char *host = g_inet_address_to_string (g_inet_socket_address_get_address (inet));
      guint port = g_inet_socket_address_get_port (inet);
      *host_out = host;
      if (g_inet_address_get_family (g_inet_socket_address_get_address (inet)) == G_SOCKET_FAMILY_IPV6)
        return g_strdup_printf ("[%s]:%u", host, port);
      return g_strdup_printf ("%s:%u", host, port);
    }
  *host_out = g_strdup ("unknown address");
  return g_strdup ("unknown address");
}

Client *
client_new (CairoVncServer *server, GSocket *socket, guint id)
{
  Client *c = g_new0 (Client, 1);

  c->ref = 1;
  c->server = server;
  c->id = id;
  c->socket = g_object_ref (socket);
  c->address = describe_address (socket, &c->host);
  c->log_name = g_strdup_printf ("viewer %u (%s)", id, c->address);
  c->state = CLIENT_VERSION;
  c->wire = g_byte_array_new ();
  c->input = g_byte_array_new ();
  c->pointer = (PointerState) POINTER_STATE_INIT;
  g_queue_init (&c->output);
  g_queue_init (&c->after_update);
  c->converter = pixfmt_converter_new (&pixfmt_server_default);
  c->params.encoding = RFB_ENCODING_RAW;
  pixfmt_key (&pixfmt_server_default, &c->params.format);
  encoder_normalize_params (&c->params);
  c->pending = cairo_region_create ();
  c->requested = cairo_region_create ();
  clipboard_peer_init (&c->clipboard);
  g_socket_set_blocking (socket, FALSE);
  return c;
}

Client *
client_ref (Client *c)
{
  c->ref++;
  return c;
}

void
client_unref (Client *c)
{
  if (c == NULL || --c->ref > 0)
    return;
  g_assert (c->state == CLIENT_CLOSED);
  g_queue_clear_full (&c->output, (GDestroyNotify) g_bytes_unref);
  g_queue_clear_full (&c->after_update, (GDestroyNotify) g_bytes_unref);
  g_byte_array_unref (c->wire);
  g_byte_array_unref (c->input);
  transport_free (c->transport);
  g_object_unref (c->socket);
  pixfmt_converter_unref (c->converter);
  cairo_region_destroy (c->pending);
  cairo_region_destroy (c->requested);
  g_free (c->address);
  g_free (c->log_name);
  g_free (c->host);
  g_free (c->refuse_reason);
  g_free (c->close_reason);
  g_free (c->sent_name);
  ard_server_free (c->ard);
  g_free (c);
}

guint
client_get_id (Client *c)
{
  return c->id;
}

gboolean
client_is_viewer (Client *c)
{
  return c->is_viewer;
}

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_source_unref (*source);
  *source = NULL;
}

/* A transport's last words when the server ends the connection, if
 * nothing is half sent: best effort, the socket closes next. */
static void
say_goodbye_now (Client *c)
{
  g_autoptr (GBytes) goodbye = NULL;

  if (c->transport == NULL || !g_queue_is_empty (&c->output))
    return;
  goodbye = c->transport->funcs->goodbye (c->transport);
  if (goodbye != NULL)
    g_socket_send (c->socket, g_bytes_get_data (goodbye, NULL), g_bytes_get_size (goodbye), NULL, NULL);
}

void
client_close (Client *c, const char *reason)
{
  ClientState old_state = c->state;

  if (c->state == CLIENT_CLOSED)
    return;
  c->state = CLIENT_CLOSED;
  if (c->is_viewer)
    CLIENT_INFO (c, "disconnected: %s", reason);
  else
    CLIENT_TRACE (c, "closed: %s", reason);
  if (old_state != CLIENT_CLOSING)
    say_goodbye_now (c);

  clear_source (&c->in_source);
  clear_source (&c->out_source);
  clear_source (&c->timer_source);
  clear_source (&c->stall_source);
  if (c->batch != NULL)
    {
      tile_batch_cancel (c->batch);
      g_clear_pointer (&c->batch, tile_batch_unref);
    }
  if (c->reading_paused)
    {
      c->reading_paused = FALSE;
      g_atomic_int_add (&c->server->n_paused, -1);
    }
  g_socket_close (c->socket, NULL);
  server_client_closed (c->server, c);
}

/* Sends what is queued, then closes (a refusal or an auth failure). */
static void
close_after_flush (Client *c, const char *reason);

static gboolean
on_timer (gpointer data);

static void
set_timer (Client *c, guint ms)
{
  clear_source (&c->timer_source);
  c->timer_source = g_timeout_source_new (ms);
  g_source_set_callback (c->timer_source, on_timer, c, NULL);
  g_source_attach (c->timer_source, c->server->context);
}

static void send_wire (Client *c, GBytes *bytes);
static void wrap_output (Client *c);

static void
close_after_flush (Client *c, const char *reason)
{
  GBytes *goodbye;

  if (c->state == CLIENT_CLOSED || c->state == CLIENT_CLOSING)
    return;
  /* The last protocol bytes go through the transport before its goodbye
   * (TLS sends nothing after its close_notify). */
  wrap_output (c);
  if (c->transport != NULL && (goodbye = c->transport->funcs->goodbye (c->transport)) != NULL)
    send_wire (c, goodbye);
  c->state = CLIENT_CLOSING;
  c->close_reason = g_strdup (reason);
  clear_source (&c->in_source);
  set_timer (c, CLOSING_TIMEOUT_S * 1000);
  flush_output (c);
}

static void
protocol_error (Client *c, const char *what, const GError *error)
{
  g_autofree char *reason = error != NULL ? g_strdup_printf ("%s: %s", what, error->message)
                                          : g_strdup (what);
  client_close (c, reason);
}

/* Output. */

static void watch_stall (Client *c);

static gboolean
on_stall_check (gpointer data)
{
  g_autoptr (Client) c = client_ref (data);
  gint64 now = g_get_monotonic_time ();

  clear_source (&c->stall_source);
  if (now - c->output_progress_us >= c->stall_timeout_us)
    {
      gsize unsent = 0;
      for (GList *l = c->output.head; l != NULL; l = l->next)
        unsent += g_bytes_get_size (l->data);
      g_autofree char *reason =
        g_strdup_printf ("the viewer read nothing for %" G_GINT64_FORMAT " s (%" G_GSIZE_FORMAT " bytes unsent)",
                         c->stall_timeout_us / G_USEC_PER_SEC, unsent - c->output_offset);
      client_close (c, reason);
      return G_SOURCE_REMOVE;
    }
  /* It read some meanwhile: look again when its time would be up. */
  watch_stall (c);
  return G_SOURCE_REMOVE;
}

/* Output waits for the viewer: it must take some before its time is up. */
static void
watch_stall (Client *c)
{
  gint64 due;

  if (c->stall_source != NULL)
    return;
  due = c->output_progress_us + c->stall_timeout_us - g_get_monotonic_time ();
  c->stall_source = g_timeout_source_new ((guint) (MAX (due, 0) / 1000 + 1));
  g_source_set_callback (c->stall_source, on_stall_check, c, NULL);
  g_source_attach (c->stall_source, c->server->context);
}

static void process_input (Client *c);
static void watch_input (Client *c);

static gboolean
on_writable (GSocket *socket, GIOCondition condition, gpointer data)
{
  g_autoptr (Client) c = client_ref (data);

  flush_output (c);
  return G_SOURCE_CONTINUE;
}

static void
output_drained (Client *c)
{
  clear_source (&c->out_source);
  clear_source (&c->stall_source);
  if (c->state == CLIENT_CLOSING)
    {
      g_autofree char *reason = g_steal_pointer (&c->close_reason);
      client_close (c, reason);
      return;
    }
  /* Everything the viewer was sent, replies too, has left. */
  if (c->batch == NULL && g_queue_is_empty (&c->after_update))
    {
      c->reply_backlog = 0;
      if (c->backlog_paused)
        {
          c->backlog_paused = FALSE;
          watch_input (c);
          process_input (c);
          if (c->state == CLIENT_CLOSED)
            return;
        }
    }
  /* Clipboard messages wait for an empty queue: however often the
   * program sets it or the viewer asks, at most one message of each kind
   * waits for a viewer that does not read. */
  if (queue_clipboard_messages (c))
    {
      flush_output (c);
      return;
    }
  if (c->update_in_flight && c->batch == NULL)
    {
      c->update_in_flight = FALSE;
      client_try_send (c);
    }
  /* A browser's next request waited for this answer to leave; inside
   * process_input() its loop takes it. */
  if (c->state == CLIENT_HTTP && c->in_source == NULL)
    {
      watch_input (c);
      if (c->processing == 0)
        process_input (c);
    }
}

/* Hands what the protocol queued since the last time to the transport. */
static void
wrap_output (Client *c)
{
  if (c->transport != NULL && c->n_unwrapped > 0)
    c->transport->funcs->wrap (c->transport, &c->output, c->n_unwrapped);
  c->n_unwrapped = 0;
}

static void
flush_output (Client *c)
{
  wrap_output (c);
  while (!g_queue_is_empty (&c->output))
    {
      GOutputVector vectors[MAX_OUTPUT_VECTORS];
      guint n = 0;
      gssize sent;
      g_autoptr (GError) error = NULL;

      for (GList *l = c->output.head; l != NULL && n < MAX_OUTPUT_VECTORS; l = l->next)
        {
          gsize size;
          const guint8 *data = g_bytes_get_data (l->data, &size);
          gsize skip = n == 0 ? c->output_offset : 0;
          vectors[n].buffer = data + skip;
          vectors[n].size = size - skip;
          n++;
        }

      sent = g_socket_send_message (c->socket, NULL, vectors, (gint) n, NULL, 0, 0, NULL, &error);
      if (sent < 0)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            {
              if (c->out_source == NULL)
                {
                  c->out_source = g_socket_create_source (c->socket, G_IO_OUT, NULL);
                  g_source_set_callback (c->out_source, (GSourceFunc) (void (*) (void)) on_writable,
                                         c, NULL);
                  g_source_attach (c->out_source, c->server->context);
                }
              if (c->stall_source == NULL)
                {
                  /* The wait starts now. */
                  c->output_progress_us = g_get_monotonic_time ();
                  watch_stall (c);
                }
              return;
            }
          protocol_error (c, "cannot send", error);
          return;
        }

      if (sent > 0 && c->stall_source != NULL)
        c->output_progress_us = g_get_monotonic_time ();

      /* Drop what was sent. */
      gsize left = (gsize) sent;

      c->bytes_sent += (guint64) sent;
      while (left > 0)
        {
          GBytes *head = g_queue_peek_head (&c->output);
          gsize remaining = g_bytes_get_size (head) - c->output_offset;
          if (left < remaining)
            {
              c->output_offset += left;
              left = 0;
            }
          else
            {
              left -= remaining;
              c->output_offset = 0;
              g_bytes_unref (g_queue_pop_head (&c->output));
            }
        }
    }
  output_drained (c);
}

/* Queues protocol bytes (RFB, or HTTP before any transport). */
static void
send_bytes (Client *c, GBytes *bytes)
{
  if (g_bytes_get_size (bytes) == 0)
    {
      g_bytes_unref (bytes);
      return;
    }
  g_queue_push_tail (&c->output, bytes);
  c->n_unwrapped++;
}

/* Queues bytes of the transport's own, after the protocol's so far. */
static void
send_wire (Client *c, GBytes *bytes)
{
  wrap_output (c);
  /* Pongs and closes answer the viewer: replies it must read. */
  c->reply_backlog += g_bytes_get_size (bytes);
  g_queue_push_tail (&c->output, bytes);
}

static gboolean
output_is_empty (Client *c)
{
  return g_queue_is_empty (&c->output);
}

static void
send_byte_array (Client *c, GByteArray *array)
{
  send_bytes (c, g_byte_array_free_to_bytes (array));
}

/* Sends @bytes after the update being encoded, if there is one: what the
 * viewer reads after it must describe the state after it. */
static void
send_after_update (Client *c, GBytes *bytes)
{
  if (c->batch != NULL)
    g_queue_push_tail (&c->after_update, bytes);
  else
    send_bytes (c, bytes);
}

/* A reply to one of the viewer's own messages: counted, so that a viewer
 * that sends many and reads nothing cannot pile them up. */
static void
send_reply (Client *c, GBytes *bytes)
{
  c->reply_backlog += g_bytes_get_size (bytes);
  send_after_update (c, bytes);
}

static void
send_deferred (Client *c)
{
  GBytes *bytes;

  while ((bytes = g_queue_pop_head (&c->after_update)) != NULL)
    send_bytes (c, bytes);
}

/* Queues what the viewer is owed of the clipboard; TRUE when anything. */
static gboolean
queue_clipboard_messages (Client *c)
{
  CairoVncServer *server = c->server;
  g_autoptr (ClipboardData) current = NULL;
  guint32 max_size;
  int level;
  gboolean queued = FALSE;

  if (c->state != CLIENT_NORMAL || !c->clipboard_ready)
    return FALSE;
  g_mutex_lock (&server->state_lock);
  current = server->clipboard != NULL ? clipboard_data_ref (server->clipboard) : NULL;
  max_size = server->clipboard_max_size;
  level = (int) server->zlib_level;
  g_mutex_unlock (&server->state_lock);

  for (;;)
    {
      const char *not_sent = NULL;
      GBytes *message = clipboard_peer_next_message (&c->clipboard, current, max_size, level, &not_sent);

      if (message != NULL)
        {
          CLIENT_TRACE (c, "clipboard message of %" G_GSIZE_FORMAT " bytes", g_bytes_get_size (message));
          send_bytes (c, message);
          queued = TRUE;
        }
      else if (not_sent != NULL)
        {
          CLIENT_INFO (c, "clipboard not sent: %s", not_sent);
        }
      else
        {
          return queued;
        }
    }
}

/* The viewer has said what it supports (or asked for pixels): the
 * program's clipboard can be offered in a form it reads. */
static void
set_clipboard_ready (Client *c)
{
  CairoVncServer *server = c->server;

  if (c->clipboard_ready)
    return;
  c->clipboard_ready = TRUE;
  g_mutex_lock (&server->state_lock);
  c->clipboard.offer_due = server->clipboard != NULL;
  g_mutex_unlock (&server->state_lock);
}

void
client_clipboard_changed (Client *c)
{
  g_autoptr (Client) hold = client_ref (c);

  if (c->state != CLIENT_NORMAL || !c->clipboard_ready)
    return;
  c->clipboard.offer_due = TRUE;
  if (g_queue_is_empty (&c->output))
    flush_output (c);
}

/* Input. */

static gboolean on_readable (GSocket *socket, GIOCondition condition, gpointer data);

static gboolean reading (Client *c);

/* Reads only what will be parsed: a viewer not being read is held back
 * by its socket, not by our memory. */
static void
watch_input (Client *c)
{
  if (c->in_source != NULL || !reading (c))
    return;
  c->in_source = g_socket_create_source (c->socket, G_IO_IN, NULL);
  g_source_set_callback (c->in_source, (GSourceFunc) (void (*) (void)) on_readable, c, NULL);
  g_source_attach (c->in_source, c->server->context);
}

/* Passes what was read through the transport into the input buffer.
 * FALSE when the transport ends the connection. */
static gboolean
unwrap_input (Client *c)
{
  GQueue replies = G_QUEUE_INIT;
  g_autoptr (GError) error = NULL;
  gboolean go_on;
  GBytes *reply;

  /* A transport's replies and the protocol's bytes may share one stream
   * (TLS): what the protocol queued goes through it first. */
  wrap_output (c);
  go_on = c->transport->funcs->unwrap (c->transport, c->wire, c->input, &replies, &error);

  while ((reply = g_queue_pop_head (&replies)) != NULL)
    send_wire (c, reply);
  if (!go_on)
    {
      g_autofree char *reason = g_strdup (error->message);
      close_after_flush (c, reason);
      return FALSE;
    }
  return TRUE;
}

static gboolean
on_readable (GSocket *socket, GIOCondition condition, gpointer data)
{
  g_autoptr (Client) c = client_ref (data);

  for (int i = 0; i < READS_PER_WAKEUP && c->in_source != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      GByteArray *buffer = c->transport != NULL ? c->wire : c->input;
      guint old_len = buffer->len;
      gssize got;

      g_byte_array_set_size (buffer, old_len + READ_CHUNK);
      got = g_socket_receive (c->socket, (char *) buffer->data + old_len, READ_CHUNK, NULL, &error);
      g_byte_array_set_size (buffer, old_len + (guint) MAX (got, 0));
      if (got < 0)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            protocol_error (c, "cannot receive", error);
          break;
        }
      if (got == 0)
        {
          client_close (c, "the viewer closed the connection");
          break;
        }
      if (c->transport != NULL && !unwrap_input (c))
        break;
      process_input (c);
      /* Replies the transport made count even when the read was short. */
      if (c->state == CLIENT_CLOSED || pause_if_replies_unread (c) || got < READ_CHUNK)
        break;
    }
  /* Sources of a closed or paused viewer were destroyed already. */
  return G_SOURCE_CONTINUE;
}

/* Browsers: HTTP requests, and the upgrade to a WebSocket viewer. */

/* A browser's connection has handshake-timeout to send its next
 * request, whole: one that trickles a header a byte at a time is
 * dropped as a slow handshake is. */
static void
set_http_timer (Client *c)
{
  c->bytes_sent_at_timer = c->bytes_sent;
  set_timer (c, c->handshake_timeout_s * 1000);
}

void
client_start_http (Client *c)
{
  g_free (c->log_name);
  c->log_name = g_strdup_printf ("HTTP %s", c->address);
  c->state = CLIENT_HTTP;
  g_mutex_lock (&c->server->state_lock);
  c->handshake_timeout_s = c->server->handshake_timeout;
  g_mutex_unlock (&c->server->state_lock);
  CLIENT_TRACE (c, "connected");
  set_http_timer (c);
  watch_input (c);
}

/* Puts @transport on top of any there is (WebSocket over TLS); runs
 * before its first bytes are queued. The protocol's bytes already
 * queued go through the transports below only. */
static void
add_transport (Client *c, Transport *transport)
{
  wrap_output (c);
  c->transport = c->transport != NULL ? transport_stack_new (c->transport, transport) : transport;
}

static void
answer_http (Client *c, const HttpRequest *request, HttpResponse *response)
{
  const char *method = request != NULL ? request->method : "request";
  const char *target = request != NULL ? request->target : "";

  /* Refusals say why at the level of connections; pages are traffic. */
  if (response->status >= 400)
    CLIENT_INFO (c, "%s %s: %s", method, target, response->log);
  else
    CLIENT_TRACE (c, "%s %s: %s", method, target, response->log);
  send_bytes (c, g_bytes_ref (response->head));
  if (response->body != NULL)
    send_bytes (c, g_bytes_ref (response->body));
  if (response->close)
    close_after_flush (c, "the answer was the last on this connection");
  else
    set_http_timer (c);
}

static void
upgrade_to_websocket (Client *c, const HttpRequest *request)
{
  g_autofree char *refusal_headers = NULL;
  g_autofree char *refuse = NULL;
  g_autoptr (GError) error = NULL;
  GBytes *answer = ws_accept_upgrade (request, &refusal_headers, &error);

  if (answer == NULL)
    {
      HttpResponse response = { .close = TRUE };
      http_response_error (&response, (guint) error->code, error->message, refusal_headers, FALSE);
      answer_http (c, request, &response);
      http_response_clear (&response);
      return;
    }
  send_bytes (c, answer);
  add_transport (c, ws_transport_new ());
  c->upgraded = TRUE;
  CLIENT_TRACE (c, "WebSocket at %s", request->target);
  refuse = server_refusal_reason (c->server);
  c->id = server_next_client_id (c->server);
  g_free (c->log_name);
  c->log_name = g_strdup_printf ("viewer %u (%s)", c->id, c->address);
  client_start (c, refuse);
}

/* https:// and wss:// share the port with http:// and ws://: the
 * client speaks first, and a TLS ClientHello starts with a byte no HTTP
 * request does. */
static gboolean
start_http_tls (Client *c, const guint8 *data, gsize len)
{
  SSL_CTX *ctx;

  c->tls_checked = TRUE;
  if (len < 1 || data[0] != TLS_RECORD_HANDSHAKE)
    return TRUE;
  ctx = server_ref_tls_context (c->server, FALSE);
  if (ctx == NULL)
    {
      client_close (c, "a TLS connection, but there is no certificate (tls-cert-file)");
      return FALSE;
    }
  add_transport (c, c->tls = tls_transport_new (ctx));
  SSL_CTX_free (ctx);
  c->encrypted = TRUE;
  c->upgraded = TRUE;
  CLIENT_TRACE (c, "TLS");
  return FALSE;
}

static gboolean
handle_http (Client *c, const guint8 *data, gsize len, gsize *consumed)
{
  HttpRequest request;
  HttpResponse response = { 0 };
  g_autoptr (GError) error = NULL;
  HttpParseResult result;

  if (!c->tls_checked)
    return start_http_tls (c, data, len);
  /* One answer at a time: the next request waits until this one has
   * left, so a browser that sends and never reads piles nothing up. */
  if (!output_is_empty (c))
    {
      clear_source (&c->in_source);
      return FALSE;
    }
  result = http_parse_request (data, len, &request, consumed, &error);
  if (result == HTTP_PARSE_NEED_MORE)
    return FALSE;
  if (result == HTTP_PARSE_ERROR)
    {
      response.close = TRUE;
      http_response_error (&response, (guint) error->code, error->message, NULL, FALSE);
      answer_http (c, NULL, &response);
      http_response_clear (&response);
      return FALSE;
    }
  if (ws_is_upgrade (&request))
    {
      upgrade_to_websocket (c, &request);
    }
  else
    {
      http_serve (c->server->serving_root, &request, &response);
      answer_http (c, &request, &response);
      http_response_clear (&response);
    }
  http_request_clear (&request);
  return c->state == CLIENT_HTTP;
}

/* Handshake. */

static gboolean
uses_password (CairoVncServer *server)
{
  gboolean any;

  g_mutex_lock (&server->state_lock);
  any = (server->password != NULL && *server->password) ||
        (server->password_readonly != NULL && *server->password_readonly);
  g_mutex_unlock (&server->state_lock);
  return any;
}

void
client_start (Client *c, const char *refuse_reason)
{
  static const char version[] = "RFB 003.008\n";
  CairoVncServer *server = c->server;
  guint handshake_timeout;
  gint64 blocked_us = 0;

  g_mutex_lock (&server->state_lock);
  handshake_timeout = c->handshake_timeout_s = server->handshake_timeout;
  c->stall_timeout_us = (gint64) server->stall_timeout * G_USEC_PER_SEC;
  g_mutex_unlock (&server->state_lock);

  c->is_viewer = TRUE;
  c->state = CLIENT_VERSION;
  if (refuse_reason == NULL && uses_password (server))
    blocked_us = throttle_blocked_for (server->auth_throttle, c->host, g_get_monotonic_time ());
  if (blocked_us > 0)
    {
      CLIENT_INFO (c, "connected%s%s; %s is refused for %" G_GINT64_FORMAT " more seconds after wrong passwords",
                   c->transport != NULL ? " over " : "", c->transport != NULL ? c->transport->funcs->name : "",
                   c->host, (blocked_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
      c->refuse_reason = g_strdup ("Too many authentication failures; try again later");
    }
  else
    {
      c->refuse_reason = g_strdup (refuse_reason);
      CLIENT_INFO (c, "connected%s%s", c->transport != NULL ? " over " : "",
                   c->transport != NULL ? c->transport->funcs->name : "");
    }
  send_bytes (c, g_bytes_new_static (version, RFB_VERSION_STRING_LEN));
  set_timer (c, handshake_timeout * 1000);
  watch_input (c);
  flush_output (c);
}

static gboolean
on_timer (gpointer data)
{
  g_autoptr (Client) c = client_ref (data);

  g_source_unref (c->timer_source);
  c->timer_source = NULL;
  switch (c->state)
    {
    case CLIENT_AUTH_DELAY:
      {
        g_autoptr (GByteArray) out = g_byte_array_new ();
        rfb_append_u32 (out, RFB_SECURITY_RESULT_FAILED);
        /* Only 3.8 carries a reason (rfbproto.rst "SecurityResult"). */
        if (c->version == RFB_VERSION_3_8)
          {
            g_autofree char *reason = g_strdup_printf ("Authentication by %s failed", c->auth_name);
            rfb_append_string (out, reason);
          }
        send_byte_array (c, g_steal_pointer (&out));
        close_after_flush (c, "authentication failed");
        break;
      }
    case CLIENT_CLOSING:
      client_close (c, c->close_reason ? c->close_reason : "closing timed out");
      break;
    case CLIENT_HTTP:
      /* An answer still on its way to a slow browser keeps the
       * connection while it moves. */
      if (!output_is_empty (c) && c->bytes_sent != c->bytes_sent_at_timer)
        set_http_timer (c);
      else
        client_close (c, output_is_empty (c) ? "no request came in time" : "the browser stopped reading");
      break;
    default:
      {
        g_autofree char *reason = g_strdup_printf ("the handshake took longer than %u s",
                                                   c->handshake_timeout_s);
        client_close (c, reason);
        break;
      }
    }
  return G_SOURCE_REMOVE;
}

static void
send_challenge (Client *c)
{
  auth_make_challenge (c->challenge);
  send_bytes (c, g_bytes_new (c->challenge, AUTH_CHALLENGE_LEN));
  c->state = CLIENT_AUTH_RESPONSE;
}

static void
send_security_ok (Client *c)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();

  rfb_append_u32 (out, RFB_SECURITY_RESULT_OK);
  send_byte_array (c, g_steal_pointer (&out));
}

/* A failed SecurityResult with @reason (3.8) and the end. */
static void
refuse_security (Client *c, const char *reason, const char *log_reason)
{
  if (c->version == RFB_VERSION_3_8)
    {
      g_autoptr (GByteArray) out = g_byte_array_new ();
      rfb_append_u32 (out, RFB_SECURITY_RESULT_FAILED);
      rfb_append_string (out, reason);
      send_byte_array (c, g_steal_pointer (&out));
    }
  close_after_flush (c, log_reason);
}

/* Wrong credentials: the viewer hears of it after a delay, so guessing
 * is slow. */
/* The answer is refused after AUTH_FAILURE_DELAY_MS. */
static void
refuse_after_delay (Client *c)
{
  c->state = CLIENT_AUTH_DELAY;
  clear_source (&c->in_source);
  set_timer (c, AUTH_FAILURE_DELAY_MS);
}

/* Wrong credentials: counted against the address (throttle.c). */
static void
fail_authentication (Client *c, const char *why)
{
  CLIENT_INFO (c, "%s: %s", c->auth_name, why);
  count_auth_failure (c);
  refuse_after_delay (c);
}

/* Failures on other connections from the same address may have blocked
 * it since this one began: its answer is then not even checked. TRUE,
 * with the refusal under way, when so. */
static gboolean
refuse_if_blocked (Client *c)
{
  gint64 blocked_us = throttle_blocked_for (c->server->auth_throttle, c->host, g_get_monotonic_time ());

  if (blocked_us <= 0)
    return FALSE;
  CLIENT_INFO (c, "%s not checked: %s is refused for %" G_GINT64_FORMAT " more seconds", c->auth_name,
               c->host, (blocked_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
  refuse_after_delay (c);
  return TRUE;
}

/* @how is NULL when nothing was checked (None, VeNCrypt's *None: the
 * TLS handshake may not even have happened yet). */
static void
pass_authentication (Client *c, gboolean read_only, const char *how)
{
  /* As in the Python CairoVNC: the read-only password wins when both
   * match. */
  c->read_only = read_only;
  if (how != NULL)
    {
      throttle_succeeded (c->server->auth_throttle, c->host);
      CLIENT_INFO (c, "authenticated by %s %s", c->auth_name, how);
    }
  else
    CLIENT_TRACE (c, "%s: nothing to check", c->auth_name);
  send_security_ok (c);
  c->state = CLIENT_INIT;
}

/* Checks a user name and password (Apple Remote Desktop, VeNCrypt
 * Plain) against the user name and either password. */
static void
check_user_and_password (Client *c, const guint8 *username, gsize username_len, const guint8 *password,
                         gsize password_len)
{
  CairoVncServer *server = c->server;
  g_autofree char *how = NULL;
  gboolean user_ok, full_ok, readonly_ok;

  if (refuse_if_blocked (c))
    return;
  g_mutex_lock (&server->state_lock);
  user_ok = auth_secret_equal (server->username, username, username_len);
  full_ok = auth_secret_equal (server->password, password, password_len);
  readonly_ok = auth_secret_equal (server->password_readonly, password, password_len);
  how = g_strdup_printf ("as %s with the %s password", server->username ? server->username : "?",
                         readonly_ok ? "read-only" : "full");
  g_mutex_unlock (&server->state_lock);

  if (!user_ok || (!full_ok && !readonly_ok))
    {
      fail_authentication (c, "wrong user name or password");
      return;
    }
  pass_authentication (c, readonly_ok, how);
}

static gboolean
handle_version (Client *c, const guint8 *data, gsize len, gsize *consumed)
{
  g_autoptr (GError) error = NULL;
  RfbParseResult result = rfb_parse_version (data, len, &c->version, &error);
  SecurityPolicy policy;

  if (result == RFB_PARSE_NEED_MORE)
    return FALSE;
  if (result == RFB_PARSE_ERROR)
    {
      protocol_error (c, "handshake", error);
      return FALSE;
    }
  *consumed = RFB_VERSION_STRING_LEN;
  CLIENT_TRACE (c, "speaks RFB %s (asked for %.11s)",
                c->version == RFB_VERSION_3_8 ? "3.8" : c->version == RFB_VERSION_3_7 ? "3.7" : "3.3",
                (const char *) data);

  if (c->refuse_reason != NULL)
    {
      send_bytes (c, rfb_build_security_failure (c->version, c->refuse_reason));
      close_after_flush (c, c->refuse_reason);
      return FALSE;
    }

  server_get_security_policy (c->server, &policy);
  policy.encrypted = c->encrypted;
  /* Before authentication, a transport is a browser's WebSocket. */
  policy.websocket = c->transport != NULL;
  if (c->version == RFB_VERSION_3_3)
    {
      /* The server chooses, None or VNC Authentication; None has no
       * SecurityResult before 3.8. */
      g_autoptr (GByteArray) out = g_byte_array_new ();
      guint8 type = security_type_for_3_3 (&policy);

      if (type == RFB_SECURITY_INVALID)
        {
          const char *reason = policy.has_username
                                 ? "This server asks for a user name, which RFB 3.3 cannot carry"
                                 : "This server requires encryption, which RFB 3.3 cannot carry";
          send_bytes (c, rfb_build_security_failure (c->version, reason));
          close_after_flush (c, reason);
          return FALSE;
        }
      rfb_append_u32 (out, type);
      send_byte_array (c, g_steal_pointer (&out));
      c->offered[0] = type;
      c->n_offered = 1;
      if (type == RFB_SECURITY_VNC_AUTH)
        {
          c->auth_name = "VNC Authentication";
          send_challenge (c);
        }
      else
        {
          c->state = CLIENT_INIT;
        }
    }
  else
    {
      g_autoptr (GByteArray) out = g_byte_array_new ();
      guint8 count;

      c->n_offered = security_offer (&policy, c->offered);
      c->n_subtypes = security_offer_vencrypt (&policy, c->subtypes);
      if (c->n_offered == 0)
        {
          const char *reason = c->transport != NULL
                                 ? "This server requires encryption: connect with wss://"
                                 : "This server requires encryption and has no way to offer it";
          send_bytes (c, rfb_build_security_failure (c->version, reason));
          close_after_flush (c, reason);
          return FALSE;
        }
      count = (guint8) c->n_offered;
      g_byte_array_append (out, &count, 1);
      g_byte_array_append (out, c->offered, c->n_offered);
      send_byte_array (c, g_steal_pointer (&out));
      c->state = CLIENT_SECURITY_CHOICE;
    }
  return TRUE;
}

static gboolean
was_offered (Client *c, guint8 type)
{
  for (guint i = 0; i < c->n_offered; i++)
    if (c->offered[i] == type)
      return TRUE;
  return FALSE;
}

static gboolean
handle_security_choice (Client *c, const guint8 *data, gsize len, gsize *consumed)
{
  guint8 choice;

  if (len < 1)
    return FALSE;
  choice = data[0];
  *consumed = 1;
  if (!was_offered (c, choice))
    {
      g_autofree char *reason = g_strdup_printf ("the viewer chose security type %u, which was not offered",
                                                 choice);
      refuse_security (c, "Security type not offered", reason);
      return FALSE;
    }
  CLIENT_TRACE (c, "security type %u", choice);
  switch (choice)
    {
    case RFB_SECURITY_VNC_AUTH:
      c->auth_name = "VNC Authentication";
      send_challenge (c);
      break;
    case RFB_SECURITY_VENCRYPT:
      {
        static const guint8 version[2] = { VENCRYPT_VERSION_MAJOR, VENCRYPT_VERSION_MINOR };
        c->auth_name = "VeNCrypt";
        send_bytes (c, g_bytes_new_static (version, sizeof version));
        c->state = CLIENT_VENCRYPT_VERSION;
        break;
      }
    case RFB_SECURITY_ARD:
      {
        g_autoptr (GError) error = NULL;
        c->auth_name = "Apple Remote Desktop";
        c->ard = ard_server_new (&error);
        if (c->ard == NULL)
          {
            refuse_security (c, "Apple Remote Desktop authentication is not available", error->message);
            return FALSE;
          }
        send_bytes (c, ard_server_build_parameters (c->ard));
        c->state = CLIENT_ARD_RESPONSE;
        break;
      }
    default:
      c->auth_name = "None";
      if (c->version == RFB_VERSION_3_8)
        send_security_ok (c);
      c->state = CLIENT_INIT;
      break;
    }
  return TRUE;
}

/* A wrong password: counted against the viewer's address, which may be
 * refused for a while (throttle.c). */
static void
count_auth_failure (Client *c)
{
  CairoVncServer *server = c->server;
  guint limit, failures;
  gint64 first_block_us, block_us;

  g_mutex_lock (&server->state_lock);
  limit = server->auth_failure_limit;
  first_block_us = (gint64) server->auth_block_time * G_USEC_PER_SEC;
  g_mutex_unlock (&server->state_lock);

  block_us = throttle_failed (server->auth_throttle, c->host, g_get_monotonic_time (), limit,
                              first_block_us, &failures);
  if (limit > 0)
    CLIENT_INFO (c, "%u failures from %s", failures, c->host);
  if (block_us > 0)
    CLIENT_INFO (c, "%s is refused for %" G_GINT64_FORMAT " s after %u wrong passwords", c->host,
                 block_us / G_USEC_PER_SEC, failures);
}

static gboolean
handle_vencrypt_version (Client *c, const guint8 *data, gsize len, gsize *consumed)
{
  guint8 major, minor;

  if (vencrypt_parse_version (data, len, &major, &minor) == RFB_PARSE_NEED_MORE)
    return FALSE;
  *consumed = 2;
  if (major != VENCRYPT_VERSION_MAJOR || minor != VENCRYPT_VERSION_MINOR)
    {
      static const guint8 refused = 1;
      g_autofree char *reason = g_strdup_printf ("the viewer speaks VeNCrypt %u.%u, not 0.2", major, minor);
      send_bytes (c, g_bytes_new_static (&refused, 1));
      close_after_flush (c, reason);
      return FALSE;
    }
  {
    static const guint8 accepted = 0;
    send_bytes (c, g_bytes_new_static (&accepted, 1));
  }
  send_bytes (c, vencrypt_build_subtypes (c->subtypes, c->n_subtypes));
  c->state = CLIENT_VENCRYPT_SUBTYPE;
  return TRUE;
}

static gboolean
handle_vencrypt_subtype (Client *c, const guint8 *data, gsize len, gsize *consumed)
{
  static const guint8 refused = 0, accepted = 1;
  guint32 subtype;
  gboolean offered = FALSE;
  SSL_CTX *ctx;

  if (vencrypt_parse_subtype (data, len, &subtype) == RFB_PARSE_NEED_MORE)
    return FALSE;
  *consumed = 4;
  for (guint i = 0; i < c->n_subtypes; i++)
    offered |= c->subtypes[i] == subtype;
  if (!offered)
    {
      g_autofree char *reason = g_strdup_printf ("the viewer chose VeNCrypt sub-type %u (%s), which was not offered",
                                                 subtype, vencrypt_subtype_name (subtype));
      send_bytes (c, g_bytes_new_static (&refused, 1));
      close_after_flush (c, reason);
      return FALSE;
    }
  CLIENT_TRACE (c, "VeNCrypt %s", vencrypt_subtype_name (subtype));
  switch (vencrypt_subtype_auth (subtype))
    {
    case SECURITY_AUTH_VNC:
      c->auth_name = vencrypt_subtype_is_x509 (subtype) ? "VeNCrypt X509Vnc" : "VeNCrypt TLSVnc";
      break;
    case SECURITY_AUTH_PLAIN:
      c->auth_name = subtype == VENCRYPT_PLAIN           ? "VeNCrypt Plain"
                     : vencrypt_subtype_is_x509 (subtype) ? "VeNCrypt X509Plain"
                                                          : "VeNCrypt TLSPlain";
      break;
    default:
      c->auth_name = vencrypt_subtype_is_x509 (subtype) ? "VeNCrypt X509None" : "VeNCrypt TLSNone";
      break;
    }

  if (subtype == VENCRYPT_PLAIN)
    {
      /* Offered only where the connection is TLS already. */
      c->state = CLIENT_PLAIN_CREDENTIALS;
      return TRUE;
    }
  ctx = server_ref_tls_context (c->server, !vencrypt_subtype_is_x509 (subtype));
  if (ctx == NULL)
    {
      send_bytes (c, g_bytes_new_static (&refused, 1));
      close_after_flush (c, "the certificate was taken away meanwhile");
      return FALSE;
    }
  send_bytes (c, g_bytes_new_static (&accepted, 1));
  /* From here on, TLS: the rest of the input is the viewer's
   * ClientHello, and what is queued next waits for the handshake. */
  add_transport (c, c->tls = tls_transport_new (ctx));
  SSL_CTX_free (ctx);
  c->upgraded = TRUE;
  switch (vencrypt_subtype_auth (subtype))
    {
    case SECURITY_AUTH_VNC:
      send_challenge (c);
      break;
    case SECURITY_AUTH_PLAIN:
      c->state = CLIENT_PLAIN_CREDENTIALS;
      break;
    default:
      /* Always a SecurityResult, whatever the RFB version: VeNCrypt
       * viewers read one. */
      pass_authentication (c, FALSE, NULL);
      break;
    }
  return FALSE;
}

static gboolean
handle_plain_credentials (Client *c, const guint8 *data, gsize len, gsize *consumed)
{
  g_autoptr (GError) error = NULL;
  const guint8 *username, *password;
  gsize username_len, password_len;
  RfbParseResult result = vencrypt_parse_plain (data, len, &username, &username_len, &password, &password_len,
                                                consumed, &error);

  if (result == RFB_PARSE_NEED_MORE)
    return FALSE;
  if (result == RFB_PARSE_ERROR)
    {
      protocol_error (c, "VeNCrypt Plain", error);
      return FALSE;
    }
  check_user_and_password (c, username, username_len, password, password_len);
  return c->state == CLIENT_INIT;
}

static gboolean
handle_ard_response (Client *c, const guint8 *data, gsize len, gsize *consumed)
{
  g_autoptr (GError) error = NULL;
  g_auto (AuthSecret) username = NULL;
  g_auto (AuthSecret) password = NULL;
  gsize need = ARD_CREDENTIALS_LEN + ard_server_get_key_size (c->ard);

  if (len < need)
    return FALSE;
  *consumed = need;
  if (!ard_server_read_response (c->ard, data, &username, &password, &error))
    {
      g_clear_pointer (&c->ard, ard_server_free);
      fail_authentication (c, error->message);
      return FALSE;
    }
  g_clear_pointer (&c->ard, ard_server_free);
  check_user_and_password (c, (const guint8 *) username, strlen (username), (const guint8 *) password,
                           strlen (password));
  return c->state == CLIENT_INIT;
}

static gboolean
handle_auth_response (Client *c, const guint8 *data, gsize len, gsize *consumed)
{
  CairoVncServer *server = c->server;
  gboolean full_ok, readonly_ok;

  if (len < AUTH_CHALLENGE_LEN)
    return FALSE;
  *consumed = AUTH_CHALLENGE_LEN;

  if (refuse_if_blocked (c))
    return FALSE;
  /* Each password that is set is tried; auth.c compares in constant
   * time. */
  g_mutex_lock (&server->state_lock);
  full_ok = server->password != NULL && *server->password &&
            auth_vnc_check (server->password, c->challenge, data);
  readonly_ok = server->password_readonly != NULL && *server->password_readonly &&
                auth_vnc_check (server->password_readonly, c->challenge, data);
  g_mutex_unlock (&server->state_lock);

  if (!full_ok && !readonly_ok)
    {
      fail_authentication (c, "wrong password");
      return FALSE;
    }
  pass_authentication (c, readonly_ok, readonly_ok ? "with the read-only password" : "with the full password");
  return TRUE;
}

static gboolean
handle_client_init (Client *c, const guint8 *data, gsize len, gsize *consumed)
{
  CairoVncServer *server = c->server;
  g_autofree char *name = NULL;
  g_autofree char *tls = NULL;

  if (len < 1)
    return FALSE;
  *consumed = 1;

  /* The shared flag is ignored: every viewer shares the surface. A viewer
   * that used the read-only password stays read-only; the others follow
   * the read-only property. */
  if (!c->read_only)
    c->read_only = server_get_effective_read_only (server);
  server_get_size (server, &c->fb_width, &c->fb_height);
  g_mutex_lock (&server->state_lock);
  name = g_strdup (server->desktop_name);
  g_mutex_unlock (&server->state_lock);
  c->sent_name = g_strdup (name);

  send_bytes (c, rfb_build_server_init ((guint16) c->fb_width, (guint16) c->fb_height,
                                        &pixfmt_server_default, name));
  cairo_region_union_rectangle (c->pending, &(cairo_rectangle_int_t) { 0, 0, c->fb_width, c->fb_height });
  clear_source (&c->timer_source);
  c->state = CLIENT_NORMAL;
  /* ClientInit came through TLS, if there is TLS: it is up. */
  tls = c->tls != NULL ? tls_transport_describe (c->tls) : NULL;
  CLIENT_INFO (c, "ready: %dx%d \"%s\"%s%s%s", c->fb_width, c->fb_height, name,
               c->read_only ? ", read-only" : "", tls ? ", encrypted with " : "", tls ? tls : "");
  return TRUE;
}

/* Normal messages. */

static void
send_colour_map (Client *c)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();

  /* BGR233: index bits 0–2 red, 3–5 green, 6–7 blue. */
  rfb_append_u8 (out, RFB_SET_COLOUR_MAP_ENTRIES);
  rfb_append_u8 (out, 0);
  rfb_append_u16 (out, 0);
  rfb_append_u16 (out, 256);
  for (guint i = 0; i < 256; i++)
    {
      rfb_append_u16 (out, (guint16) ((i & 7) * 65535 / 7));
      rfb_append_u16 (out, (guint16) (((i >> 3) & 7) * 65535 / 7));
      rfb_append_u16 (out, (guint16) (((i >> 6) & 3) * 65535 / 3));
    }
  c->reply_backlog += out->len;
  send_byte_array (c, g_steal_pointer (&out));
}

static void
mark_all_pending (Client *c)
{
  cairo_region_union_rectangle (c->pending, &(cairo_rectangle_int_t) { 0, 0, c->fb_width, c->fb_height });
}

static gboolean
handle_set_pixel_format (Client *c, const RfbPixelFormat *requested)
{
  RfbPixelFormat format = *requested;
  g_autoptr (GError) error = NULL;
  g_autofree char *description = pixfmt_to_string (requested);

  if (!format.true_colour && format.bits_per_pixel == 8)
    {
      /* An 8-bit colour-map viewer gets a fixed BGR233 map. */
      format = pixfmt_bgr233;
      send_colour_map (c);
    }
  else if (!pixfmt_validate (&format, &error))
    {
      g_autofree char *what = g_strdup_printf ("SetPixelFormat (%s)", description);
      protocol_error (c, what, error);
      return FALSE;
    }
  CLIENT_TRACE (c, "pixel format %s", description);
  pixfmt_converter_unref (c->converter);
  c->converter = pixfmt_converter_new (&format);
  pixfmt_key (&format, &c->params.format);
  mark_all_pending (c);
  /* The viewer keeps a Cursor shape in the format it came in. */
  c->cursor_sent = 0;
  return TRUE;
}

/* Reads a pseudo-encoding in [first, first + count) as a level. */
static void
take_level (gint32 encoding, gint32 first, int count, gint8 *level)
{
  if (*level < 0 && encoding >= first && encoding < first + count)
    *level = (gint8) (encoding - first);
}

static void
handle_set_encodings (Client *c, const RfbClientMessage *msg)
{
  CairoVncServer *server = c->server;
  EncoderParams params = { 0 };
  gboolean chosen = FALSE;
  gboolean wants_fence = FALSE, wants_continuous_updates = FALSE;
  gboolean had_cursor = c->supports_cursor, had_cursor_alpha = c->supports_cursor_alpha;

  params.encoding = RFB_ENCODING_RAW;
  params.compress_level = -1;
  params.quality_level = -1;
  params.fine_quality = -1;
  params.subsampling = -1;
  c->supports_desktop_size = FALSE;
  c->supports_extended_desktop_size = FALSE;
  c->supports_desktop_name = FALSE;
  c->supports_last_rect = FALSE;
  c->supports_copy_rect = FALSE;
  c->supports_cursor = FALSE;
  c->supports_cursor_alpha = FALSE;
  c->supports_qemu_keys = FALSE;
  c->clipboard.extended = FALSE;
  c->apple = FALSE;

  /* The first encoding the viewer lists that we have is its choice; the
   * first of each kind of level wins. */
  for (guint i = 0; i < msg->encodings.count; i++)
    {
      gint32 encoding = rfb_encodings_get (msg, i);

      if (!chosen && encoder_is_supported (encoding))
        {
          params.encoding = encoding;
          chosen = TRUE;
        }
      take_level (encoding, RFB_ENCODING_COMPRESS_LEVEL_0, 10, &params.compress_level);
      take_level (encoding, RFB_ENCODING_QUALITY_LEVEL_0, 10, &params.quality_level);
      take_level (encoding, RFB_ENCODING_FINE_QUALITY_LEVEL_0, 101, &params.fine_quality);
      take_level (encoding, RFB_ENCODING_SUBSAMPLING_1X, 6, &params.subsampling);
      switch (encoding)
        {
        case RFB_ENCODING_COPY_RECT:
          c->supports_copy_rect = TRUE;
          break;
        case RFB_ENCODING_LAST_RECT:
          c->supports_last_rect = TRUE;
          break;
        case RFB_ENCODING_FENCE:
          wants_fence = TRUE;
          break;
        case RFB_ENCODING_CONTINUOUS_UPDATES:
          wants_continuous_updates = TRUE;
          break;
        case RFB_ENCODING_DESKTOP_SIZE:
          c->supports_desktop_size = TRUE;
          break;
        case RFB_ENCODING_EXTENDED_DESKTOP_SIZE:
          c->supports_extended_desktop_size = TRUE;
          break;
        case RFB_ENCODING_DESKTOP_NAME:
          c->supports_desktop_name = TRUE;
          break;
        case RFB_ENCODING_APPLE_PUSH:
          c->apple = TRUE;
          break;
        case RFB_ENCODING_CURSOR:
          c->supports_cursor = TRUE;
          break;
        case RFB_ENCODING_CURSOR_WITH_ALPHA:
          c->supports_cursor_alpha = TRUE;
          break;
        case RFB_ENCODING_QEMU_EXTENDED_KEY_EVENT:
          c->supports_qemu_keys = TRUE;
          break;
        case RFB_ENCODING_EXTENDED_CLIPBOARD:
          c->clipboard.extended = TRUE;
          break;
        default:
          break;
        }
    }

  if (params.compress_level < 0)
    {
      g_mutex_lock (&server->state_lock);
      params.compress_level = (gint8) server->zlib_level;
      g_mutex_unlock (&server->state_lock);
    }
  params.format = c->params.format;
  encoder_normalize_params (&params);
  c->params = params;

  /* Both extensions are announced once, by the server's first message of
   * each kind (rfbproto.rst "Fence Pseudo-encoding", "ContinuousUpdates
   * Pseudo-encoding"); noVNC waits for the second. */
  if (wants_fence && !c->told_fence)
    {
      c->told_fence = TRUE;
      send_reply (c, rfb_build_server_fence (RFB_FENCE_REQUEST, NULL, 0));
    }
  if (wants_continuous_updates && !c->told_continuous_updates)
    {
      c->told_continuous_updates = TRUE;
      send_reply (c, rfb_build_end_of_continuous_updates ());
    }
  /* A viewer that starts drawing the cursor itself needs the shape. */
  if (c->supports_cursor != had_cursor || c->supports_cursor_alpha != had_cursor_alpha)
    c->cursor_sent = 0;
  /* Our capabilities answer every SetEncodings that names the Extended
   * Clipboard (rfbproto.rst "Extended Clipboard Pseudo-Encoding"). */
  if (c->clipboard.extended)
    c->clipboard.caps_due = TRUE;
  set_clipboard_ready (c);

  CLIENT_TRACE (c, "%u encodings: using %s (compression %d, quality %d)%s%s%s%s%s%s%s",
                msg->encodings.count, encoder_name (c->params.encoding),
                c->params.compress_level, c->params.quality_level,
                c->supports_extended_desktop_size ? ", ExtendedDesktopSize" : "",
                c->supports_desktop_size ? ", DesktopSize" : "",
                c->supports_desktop_name ? ", DesktopName" : "",
                c->supports_cursor_alpha ? ", Cursor With Alpha" : c->supports_cursor ? ", Cursor" : "",
                c->supports_qemu_keys ? ", QEMU keys" : "",
                c->clipboard.extended ? ", Extended Clipboard" : "",
                c->apple ? ", Apple push frames" : "");
}

static void
handle_update_request (Client *c, const RfbClientMessage *msg)
{
  cairo_rectangle_int_t rect = { msg->update_request.x, msg->update_request.y,
                                 msg->update_request.w, msg->update_request.h };
  cairo_rectangle_int_t bounds = { 0, 0, c->fb_width, c->fb_height };
  cairo_region_t *region = cairo_region_create_rectangle (&rect);

  cairo_region_intersect_rectangle (region, &bounds);
  CLIENT_TRACE (c, "%s update request %d,%d %dx%d",
                msg->update_request.incremental ? "incremental" : "full",
                rect.x, rect.y, rect.width, rect.height);
  /* Continuous updates answer incremental requests already. */
  if (c->continuous && msg->update_request.incremental)
    {
      cairo_region_destroy (region);
      return;
    }
  if (!msg->update_request.incremental)
    {
      cairo_region_union (c->pending, region);
      /* The first full request learns the screen layout
       * (rfbproto.rst "ExtendedDesktopSize Pseudo-encoding"); later ones
       * are not answered with it, as some viewers answer it with another
       * full request. */
      if (c->supports_extended_desktop_size && c->updates_sent == 0)
        {
          c->size_reply_pending = TRUE;
          c->size_reply_reason = 0;
          c->size_reply_status = 0;
        }
    }
  cairo_region_union (c->requested, region);
  cairo_region_destroy (region);
  c->asked = TRUE;
  set_clipboard_ready (c);
}

static void
handle_set_desktop_size (Client *c)
{
  /* The surface belongs to the program: viewers may not resize it. */
  CLIENT_TRACE (c, "SetDesktopSize refused");
  if (c->supports_extended_desktop_size)
    {
      c->size_reply_pending = TRUE;
      c->size_reply_reason = 1;
      c->size_reply_status = 1;
    }
}

static void
handle_enable_continuous_updates (Client *c, const RfbClientMessage *msg)
{
  if (!c->told_continuous_updates)
    {
      /* Not offered: a viewer may not use it (rfbproto.rst
       * "EnableContinuousUpdates"); treat as a plain request. */
      CLIENT_TRACE (c, "EnableContinuousUpdates without ContinuousUpdates ignored");
      return;
    }
  if (msg->continuous_updates.enable)
    {
      c->continuous = TRUE;
      c->continuous_area = (cairo_rectangle_int_t) { msg->continuous_updates.x, msg->continuous_updates.y,
                                                     msg->continuous_updates.w, msg->continuous_updates.h };
      c->asked = TRUE;
      CLIENT_TRACE (c, "continuous updates of %d,%d %dx%d", c->continuous_area.x, c->continuous_area.y,
                    c->continuous_area.width, c->continuous_area.height);
    }
  else
    {
      c->continuous = FALSE;
      CLIENT_TRACE (c, "continuous updates off");
      send_reply (c, rfb_build_end_of_continuous_updates ());
    }
}

static void
handle_client_fence (Client *c, const RfbClientMessage *msg)
{
  if (!(msg->fence.flags & RFB_FENCE_REQUEST))
    return; /* the answer to ours */
  /* Messages are handled in order, so BlockBefore and BlockAfter hold
   * when the answer follows the update being encoded; SyncNext too, as
   * the next message changes only updates not yet begun. */
  send_reply (c, rfb_build_server_fence (msg->fence.flags & RFB_FENCE_KNOWN_FLAGS,
                                         msg->fence.data, msg->fence.length));
}

static void
queue_event (Client *c, CairoVncEvent *event)
{
  g_async_queue_push (c->server->events, event);
}

static gboolean
event_queue_full (Client *c)
{
  guint limit = c->server->event_queue_length;

  return limit > 0 && g_async_queue_length (c->server->events) + EVENTS_MAX_PER_MESSAGE > (gint) limit;
}

static gboolean
produces_events (const RfbClientMessage *msg)
{
  switch (msg->type)
    {
    case RFB_KEY_EVENT:
    case RFB_POINTER_EVENT:
    case RFB_CLIENT_CUT_TEXT:
    case RFB_QEMU_CLIENT_MESSAGE:
      return TRUE;
    default:
      return FALSE;
    }
}

static void
handle_pointer (Client *c, const RfbClientMessage *msg)
{
  g_autoptr (GPtrArray) events = g_ptr_array_new ();

  events_split_pointer (&c->pointer, c->id, msg->pointer.mask, msg->pointer.x, msg->pointer.y, events);
  for (guint i = 0; i < events->len; i++)
    queue_event (c, g_ptr_array_index (events, i));
}

static void
handle_key (Client *c, guint32 keysym, gboolean down, guint32 keycode)
{
  CairoVncEvent *event = events_new (CAIROVNC_EVENT_KEY, c->id);

  event->keysym = keysym;
  event->down = down;
  /* Print Screen is 0x54; servers accept 0xb7 for it too (rfbproto.rst
   * "QEMU Extended Key Event Message"). */
  event->keycode = keycode == 0xb7 ? 0x54 : keycode;
  queue_event (c, event);
}

static void
queue_clipboard_event (Client *c, char *text, char *rtf, char *html)
{
  CairoVncEvent *event = events_new (CAIROVNC_EVENT_CLIPBOARD, c->id);

  event->text = text;
  event->rtf = rtf;
  event->html = html;
  queue_event (c, event);
}

static guint32
get_clipboard_max_size (Client *c)
{
  guint32 max_size;

  g_mutex_lock (&c->server->state_lock);
  max_size = c->server->clipboard_max_size;
  g_mutex_unlock (&c->server->state_lock);
  return max_size;
}

/* An extended ClientCutText. Its framing was checked by the parser; what
 * is wrong inside (a zlib bomb, a format over clipboard-max-size, a
 * corrupt stream) drops the message with a log line and the viewer stays. */
static void
handle_extended_cut_text (Client *c, const guint8 *data, gsize len)
{
  ClipboardMessage msg;
  g_autoptr (GError) error = NULL;

  if (!c->clipboard.extended)
    {
      CLIENT_INFO (c, "extended clipboard message dropped: the viewer did not announce the extension");
      return;
    }
  if (!clipboard_parse_extended (data, len, get_clipboard_max_size (c), &msg, &error))
    {
      CLIENT_INFO (c, "clipboard dropped: %s", error->message);
      return;
    }
  switch (msg.action)
    {
    case CLIPBOARD_ACTION_CAPS:
      c->clipboard.caps = msg.caps;
      CLIENT_TRACE (c, "extended clipboard capabilities %#x, %u bytes of text", msg.caps.flags,
                    msg.caps.max_size[0]);
      break;
    case CLIPBOARD_ACTION_REQUEST:
      /* The action bit keeps a request for no known format owed: it is
       * answered with an empty provide. */
      c->clipboard.provide_due |= msg.formats | CLIPBOARD_ACTION_PROVIDE;
      break;
    case CLIPBOARD_ACTION_PEEK:
      c->clipboard.notify_due = TRUE;
      break;
    case CLIPBOARD_ACTION_NOTIFY:
      if (c->read_only)
        CLIENT_TRACE (c, "clipboard of a read-only viewer ignored");
      else if (msg.formats & CLIPBOARD_KNOWN_FORMATS)
        c->clipboard.request_due |= msg.formats & CLIPBOARD_KNOWN_FORMATS;
      break;
    case CLIPBOARD_ACTION_PROVIDE:
      if (c->read_only)
        CLIENT_TRACE (c, "clipboard of a read-only viewer ignored");
      else if (msg.text == NULL && msg.rtf == NULL && msg.html == NULL)
        CLIENT_TRACE (c, "clipboard without text, RTF or HTML ignored");
      else
        queue_clipboard_event (c, g_steal_pointer (&msg.text), g_steal_pointer (&msg.rtf),
                               g_steal_pointer (&msg.html));
      break;
    default:
      g_assert_not_reached ();
    }
  clipboard_message_clear (&msg);
}

static void
handle_cut_text (Client *c, const RfbClientMessage *msg)
{
  if (msg->cut_text.length < 0)
    {
      /* The magnitude was checked by the parser. */
      handle_extended_cut_text (c, msg->cut_text.data, (gsize) -(gint64) msg->cut_text.length);
      return;
    }
  if (c->read_only)
    return;
  queue_clipboard_event (c, clipboard_text_from_latin1 (msg->cut_text.data, (gsize) msg->cut_text.length),
                         NULL, NULL);
}

/* Returns FALSE to stop reading for now (closed, or the queue is full). */
static gboolean
handle_message (Client *c, const guint8 *data, gsize len, gsize *consumed)
{
  RfbClientMessage msg;
  g_autoptr (GError) error = NULL;
  RfbParseResult result = rfb_parse_client_message (data, len, get_clipboard_max_size (c),
                                                    &msg, consumed, &error);

  if (result == RFB_PARSE_NEED_MORE)
    return FALSE;
  if (result == RFB_PARSE_ERROR)
    {
      protocol_error (c, "bad message", error);
      return FALSE;
    }

  if (produces_events (&msg) && !c->read_only && event_queue_full (c))
    {
      /* Leave the message unread; the socket's own back-pressure holds the
       * viewer until the program takes events. */
      *consumed = 0;
      c->reading_paused = TRUE;
      g_atomic_int_add (&c->server->n_paused, 1);
      clear_source (&c->in_source);
      server_pause_reading (c->server);
      CLIENT_TRACE (c, "event queue full: reading paused");
      return FALSE;
    }

  switch (msg.type)
    {
    case RFB_SET_PIXEL_FORMAT:
      return handle_set_pixel_format (c, &msg.pixel_format);
    case RFB_SET_ENCODINGS:
      handle_set_encodings (c, &msg);
      break;
    case RFB_FRAMEBUFFER_UPDATE_REQUEST:
      handle_update_request (c, &msg);
      break;
    case RFB_KEY_EVENT:
      if (!c->read_only)
        handle_key (c, msg.key.keysym, msg.key.down, 0);
      break;
    case RFB_POINTER_EVENT:
      if (!c->read_only)
        handle_pointer (c, &msg);
      break;
    case RFB_CLIENT_CUT_TEXT:
      /* Read-only viewers may still ask for the program's clipboard. */
      handle_cut_text (c, &msg);
      break;
    case RFB_QEMU_CLIENT_MESSAGE:
      if (!c->read_only)
        handle_key (c, msg.qemu.keysym, msg.qemu.down, msg.qemu.keycode);
      break;
    case RFB_SET_DESKTOP_SIZE:
      handle_set_desktop_size (c);
      break;
    case RFB_ENABLE_CONTINUOUS_UPDATES:
      handle_enable_continuous_updates (c, &msg);
      break;
    case RFB_CLIENT_FENCE:
      handle_client_fence (c, &msg);
      break;
    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

static gboolean
reading (Client *c)
{
  switch (c->state)
    {
    case CLIENT_AUTH_DELAY:
    case CLIENT_CLOSING:
    case CLIENT_CLOSED:
      return FALSE;
    default:
      return !c->reading_paused && !c->backlog_paused;
    }
}

static void
process_input (Client *c)
{
  gboolean again;

  /* Replies can drain, and reading resume, inside the loop below. */
  if (c->processing > 0)
    return;
  c->processing++;
  if (c->input->len > INPUT_KEEP_BYTES)
    c->input_grown = TRUE;
  do
    {
      gsize offset = 0;

      again = FALSE;
      offset = parse_input (c);
      if (c->state == CLIENT_CLOSED)
        break;
      if (offset > 0)
        g_byte_array_remove_range (c->input, 0, (guint) offset);
      if (c->upgraded)
        {
          /* What followed the upgrade request is the new transport's. */
          c->upgraded = FALSE;
          g_byte_array_append (transport_inner_wire (c->transport, c->wire), c->input->data, c->input->len);
          g_byte_array_set_size (c->input, 0);
          if (!unwrap_input (c))
            break;
          again = TRUE;
          continue;
        }
      flush_output (c);
      /* A browser's next request, once the last answer has left. */
      again = c->state == CLIENT_HTTP && offset > 0 && c->input->len > 0 && output_is_empty (c);
    }
  while (again);
  c->processing--;
  if (c->state == CLIENT_CLOSED)
    return;
  /* Let a buffer that a burst grew go, once it is empty. */
  if (c->input->len == 0 && c->input_grown)
    {
      g_byte_array_unref (c->input);
      c->input = g_byte_array_new ();
      c->input_grown = FALSE;
    }
  if (c->state == CLIENT_NORMAL)
    client_try_send (c);
}

/* A viewer that does not read the replies it asks for is not read
 * either, until it does; TRUE when reading stopped (or the viewer went). */
static gboolean
pause_if_replies_unread (Client *c)
{
  if (c->reply_backlog <= MAX_REPLY_BACKLOG)
    return FALSE;
  flush_output (c);
  if (c->state == CLIENT_CLOSED)
    return TRUE;
  if (c->reply_backlog <= MAX_REPLY_BACKLOG)
    return FALSE;
  CLIENT_TRACE (c, "%" G_GSIZE_FORMAT " bytes of replies unread: reading paused", c->reply_backlog);
  c->backlog_paused = TRUE;
  clear_source (&c->in_source);
  return TRUE;
}

/* Handles what it can of the input; returns how much it used. */
static gsize
parse_input (Client *c)
{
  gsize offset = 0;

  while (reading (c) && offset < c->input->len)
    {
      const guint8 *data = c->input->data + offset;
      gsize len = c->input->len - offset;
      gsize consumed = 0;
      gboolean more;

      switch (c->state)
        {
        case CLIENT_HTTP:
          more = handle_http (c, data, len, &consumed);
          break;
        case CLIENT_VERSION:
          more = handle_version (c, data, len, &consumed);
          break;
        case CLIENT_SECURITY_CHOICE:
          more = handle_security_choice (c, data, len, &consumed);
          break;
        case CLIENT_VENCRYPT_VERSION:
          more = handle_vencrypt_version (c, data, len, &consumed);
          break;
        case CLIENT_VENCRYPT_SUBTYPE:
          more = handle_vencrypt_subtype (c, data, len, &consumed);
          break;
        case CLIENT_AUTH_RESPONSE:
          more = handle_auth_response (c, data, len, &consumed);
          break;
        case CLIENT_PLAIN_CREDENTIALS:
          more = handle_plain_credentials (c, data, len, &consumed);
          break;
        case CLIENT_ARD_RESPONSE:
          more = handle_ard_response (c, data, len, &consumed);
          break;
        case CLIENT_INIT:
          more = handle_client_init (c, data, len, &consumed);
          break;
        case CLIENT_NORMAL:
          more = handle_message (c, data, len, &consumed);
          break;
        default:
          g_assert_not_reached ();
        }
      offset += consumed;
      if (!more || pause_if_replies_unread (c))
        break;
    }
  return offset;
}

void
client_resume_reading (Client *c)
{
  g_autoptr (Client) hold = client_ref (c);

  if (!c->reading_paused || c->state != CLIENT_NORMAL)
    return;
  c->reading_paused = FALSE;
  g_atomic_int_add (&c->server->n_paused, -1);
  watch_input (c);
  process_input (c);
}

/* Updates. */

static void
send_size_update (Client *c, int width, int height, guint16 reason, guint16 status)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();

  rfb_append_update_header (out, 1);
  if (c->supports_extended_desktop_size)
    {
      rfb_append_rect_header (out, reason, status, (guint16) width, (guint16) height,
                              RFB_ENCODING_EXTENDED_DESKTOP_SIZE);
      rfb_append_u8 (out, 1);   /* one screen */
      rfb_append_u8 (out, 0);
      rfb_append_u16 (out, 0);
      /* Any id will do, but libvncclient ignores screens with id 0. */
      rfb_append_u32 (out, 1);  /* screen id */
      rfb_append_u16 (out, 0);
      rfb_append_u16 (out, 0);
      rfb_append_u16 (out, (guint16) width);
      rfb_append_u16 (out, (guint16) height);
      rfb_append_u32 (out, 0);  /* flags */
    }
  else
    {
      rfb_append_rect_header (out, 0, 0, (guint16) width, (guint16) height, RFB_ENCODING_DESKTOP_SIZE);
    }
  send_byte_array (c, g_steal_pointer (&out));
  c->updates_sent++;
}

/* Viewers that never ask again get frames unasked: Apple Screen Sharing,
 * and every viewer when the program sets push-frames. */
static gboolean
gets_pushed_frames (Client *c)
{
  CairoVncServer *server = c->server;
  gboolean push;

  g_mutex_lock (&server->state_lock);
  push = server->push_frames || c->apple;
  g_mutex_unlock (&server->state_lock);
  return push;
}

static void
append_desktop_name (Client *c, GByteArray *out)
{
  CairoVncServer *server = c->server;

  g_free (c->sent_name);
  g_mutex_lock (&server->state_lock);
  c->sent_name = g_strdup (server->desktop_name);
  g_mutex_unlock (&server->state_lock);
  rfb_append_rect_header (out, 0, 0, 0, 0, RFB_ENCODING_DESKTOP_NAME);
  rfb_append_string (out, c->sent_name);
}

static gboolean
name_is_due (Client *c)
{
  CairoVncServer *server = c->server;
  gboolean due;

  if (!c->supports_desktop_name)
    return FALSE;
  g_mutex_lock (&server->state_lock);
  due = g_strcmp0 (server->desktop_name, c->sent_name) != 0;
  g_mutex_unlock (&server->state_lock);
  return due;
}

static gboolean
cursor_is_due (Client *c)
{
  CairoVncServer *server = c->server;
  gboolean due;

  if (!c->supports_cursor && !c->supports_cursor_alpha)
    return FALSE;
  g_mutex_lock (&server->state_lock);
  due = server->cursor_serial != c->cursor_sent;
  g_mutex_unlock (&server->state_lock);
  return due;
}

/* The current cursor, with Alpha when the viewer takes it. */
static void
append_cursor (Client *c, GByteArray *out)
{
  CairoVncServer *server = c->server;
  g_autoptr (Cursor) cursor = NULL;

  g_mutex_lock (&server->state_lock);
  cursor = server->cursor != NULL ? cursor_ref (server->cursor) : NULL;
  c->cursor_sent = server->cursor_serial;
  g_mutex_unlock (&server->state_lock);
  if (c->supports_cursor_alpha)
    cursor_append_alpha_rect (cursor, out);
  else
    cursor_append_rect (cursor, c->converter, out);
  CLIENT_TRACE (c, "cursor %dx%d", cursor != NULL ? cursor->width : 0, cursor != NULL ? cursor->height : 0);
}

static void
append_copy_rect (GByteArray *out, const CopyOp *op)
{
  const cairo_rectangle_int_t *d = &op->dest;

  rfb_append_rect_header (out, (guint16) d->x, (guint16) d->y, (guint16) d->width, (guint16) d->height,
                          RFB_ENCODING_COPY_RECT);
  rfb_append_u16 (out, (guint16) (d->x - op->dx));
  rfb_append_u16 (out, (guint16) (d->y - op->dy));
}

/* Runs when every tile of the update is encoded. */
static void
on_batch_ready (gpointer data)
{
  Client *c = data;
  g_autoptr (Client) hold = client_ref (c);
  g_autoptr (TileBatch) batch = g_steal_pointer (&c->batch);
  guint n_tiles = tile_batch_get_n_tiles (batch);
  guint done = 0, n_rects = 0;
  gsize bytes = 0;

  do
    {
      guint extra = (c->batch_has_name ? 1 : 0) + (c->batch_has_copy ? 1 : 0) +
                    (c->batch_has_cursor ? 1 : 0) + (c->batch_has_qemu_keys ? 1 : 0);
      guint rects = extra, n = 0;
      g_autoptr (GByteArray) header = g_byte_array_new ();

      /* As many encoded tiles (a span is several rectangles) as one
       * update's count can say. */
      while (done + n < n_tiles &&
             rects + tile_batch_get_n_rects (batch, done + n) <= MAX_RECTS_PER_UPDATE)
        rects += tile_batch_get_n_rects (batch, done + n++);
      n_rects += rects - extra;
      rfb_append_update_header (header, (guint16) rects);
      if (c->batch_has_name)
        append_desktop_name (c, header);
      if (c->batch_has_cursor)
        append_cursor (c, header);
      /* "Send your keys as QEMU extended key events" (rfbproto.rst "QEMU
       * Extended Key Event Pseudo-encoding"). */
      if (c->batch_has_qemu_keys)
        rfb_append_rect_header (header, 0, 0, 0, 0, RFB_ENCODING_QEMU_EXTENDED_KEY_EVENT);
      /* The copy reads the viewer's pixels before any tile overwrites them. */
      if (c->batch_has_copy)
        append_copy_rect (header, &c->batch_copy);
      c->batch_has_name = FALSE;
      c->batch_has_copy = FALSE;
      c->batch_has_cursor = FALSE;
      c->batch_has_qemu_keys = FALSE;
      bytes += header->len;
      send_byte_array (c, g_steal_pointer (&header));
      for (guint i = 0; i < n; i++)
        {
          GBytes *tile = g_bytes_ref (tile_batch_get_tile (batch, done + i));
          int stream = encoder_zlib_stream (c->batch_encoding);

          if (stream >= 0 && !c->zlib_stream_started[stream])
            {
              GBytes *first = encoder_start_zlib_stream (tile);
              g_bytes_unref (tile);
              tile = first;
              c->zlib_stream_started[stream] = TRUE;
            }
          bytes += g_bytes_get_size (tile);
          send_bytes (c, tile);
        }
      done += n;
    }
  while (done < n_tiles);

  send_deferred (c);
  c->updates_sent++;
  CLIENT_TRACE (c, "update %" G_GUINT64_FORMAT ": %s, %u rectangles, %" G_GSIZE_FORMAT " bytes",
                c->updates_sent, encoder_name (c->batch_encoding), n_rects, bytes);
  server_update_sent (c->server, c->id, encoder_name (c->batch_encoding), n_rects, bytes);
  flush_output (c);
}

/* @tile's rectangle, or the part of it that fits a viewer that kept an
 * older size; FALSE when none does. */
static gboolean
viewer_tile_rect (Client *c, Frame *frame, guint tile, cairo_rectangle_int_t *rect)
{
  frame_tile_rect (frame, tile, rect);
  rect->width = MIN (rect->x + rect->width, c->fb_width) - rect->x;
  rect->height = MIN (rect->y + rect->height, c->fb_height) - rect->y;
  return rect->width > 0 && rect->height > 0;
}

void
client_try_send (Client *c)
{
  CairoVncServer *server = c->server;
  g_autoptr (Client) hold = client_ref (c);
  cairo_rectangle_int_t fb = { 0, 0, c->fb_width, c->fb_height };
  cairo_rectangle_int_t frame_rect;
  cairo_region_t *region;
  gboolean send_name, send_cursor, send_qemu_keys;
  Frame *frame;
  guint8 *wanted;
  gboolean push, spans;

  if (c->state != CLIENT_NORMAL || c->update_in_flight || !g_queue_is_empty (&c->output))
    return;
  push = gets_pushed_frames (c);
  /* Pushed frames too wait for the first request: until then the viewer
   * may still be changing its pixel format. */
  if (!c->asked || (!push && !c->continuous && cairo_region_is_empty (c->requested)))
    return;
  frame = server_get_frame (server);
  if (frame == NULL)
    {
      server_want_frame (server);
      return;
    }

  /* A new size goes alone in its own update (rfbproto.rst "DesktopSize
   * Pseudo-encoding"); viewers that cannot take one keep their size and
   * see the part of the surface that fits. */
  if ((frame->width != c->fb_width || frame->height != c->fb_height) &&
      (c->supports_extended_desktop_size || c->supports_desktop_size))
    {
      CLIENT_TRACE (c, "new size %dx%d", frame->width, frame->height);
      c->fb_width = frame->width;
      c->fb_height = frame->height;
      send_size_update (c, c->fb_width, c->fb_height, 0, 0);
      c->size_reply_pending = FALSE;
      c->has_copy = FALSE;
      cairo_region_destroy (c->pending);
      c->pending = cairo_region_create ();
      mark_all_pending (c);
      cairo_region_destroy (c->requested);
      c->requested = cairo_region_create ();
      c->update_in_flight = TRUE;
      flush_output (c);
      return;
    }
  if (c->size_reply_pending)
    {
      c->size_reply_pending = FALSE;
      send_size_update (c, c->fb_width, c->fb_height, c->size_reply_reason, c->size_reply_status);
      /* The pixels follow in the next update. */
    }

  frame_rect = (cairo_rectangle_int_t) { 0, 0, frame->width, frame->height };
  region = cairo_region_copy (c->pending);
  if (!push)
    {
      /* What was asked for, and with continuous updates their area. */
      cairo_region_t *wanted_area = cairo_region_copy (c->requested);
      if (c->continuous)
        cairo_region_union_rectangle (wanted_area, &c->continuous_area);
      cairo_region_intersect (region, wanted_area);
      cairo_region_destroy (wanted_area);
    }
  cairo_region_intersect_rectangle (region, &fb);
  cairo_region_intersect_rectangle (region, &frame_rect);
  send_name = name_is_due (c);
  send_cursor = cursor_is_due (c);
  send_qemu_keys = c->supports_qemu_keys && !c->told_qemu_keys;

  if (cairo_region_is_empty (region) && !send_name && !c->has_copy && !send_cursor && !send_qemu_keys)
    {
      cairo_region_destroy (region);
      if (!g_queue_is_empty (&c->output))
        {
          c->update_in_flight = TRUE;
          flush_output (c);
        }
      else
        {
          server_want_frame (server);
        }
      return;
    }

  /* The tiles that cover the region. */
  wanted = g_malloc0 (frame_n_tiles (frame));
  for (int i = 0; i < cairo_region_num_rectangles (region); i++)
    {
      cairo_rectangle_int_t r;
      cairo_region_get_rectangle (region, i, &r);
      for (int ty = r.y / TILE_SIZE; ty <= (r.y + r.height - 1) / TILE_SIZE; ty++)
        for (int tx = r.x / TILE_SIZE; tx <= (r.x + r.width - 1) / TILE_SIZE; tx++)
          wanted[(guint) ty * frame->tiles_x + (guint) tx] = 1;
    }
  cairo_region_destroy (region);

  c->batch = tile_batch_new (on_batch_ready, c);
  c->batch_encoding = c->params.encoding;
  c->batch_has_name = send_name;
  c->batch_has_cursor = send_cursor;
  c->batch_has_qemu_keys = send_qemu_keys;
  c->told_qemu_keys = c->told_qemu_keys || send_qemu_keys;
  c->batch_has_copy = c->has_copy;
  c->batch_copy = c->copy;
  c->has_copy = FALSE;
  spans = encoder_uses_spans (&c->params, pixfmt_converter_get_format (c->converter));
  for (guint tile = 0; tile < frame_n_tiles (frame); tile++)
    {
      guint row_end = (tile / frame->tiles_x + 1) * frame->tiles_x;
      cairo_rectangle_int_t rect, next;
      guint n = 1;

      if (!wanted[tile] || !viewer_tile_rect (c, frame, tile, &rect))
        continue;
      /* Neighbours wanted too join the span, for viewers that take one. */
      while (spans && tile + n < row_end && wanted[tile + n] &&
             viewer_tile_rect (c, frame, tile + n, &next) &&
             rect.width + next.width <= ENCODER_MAX_SPAN_WIDTH)
        {
          rect.width += next.width;
          n++;
        }
      cairo_region_subtract_rectangle (c->pending, &rect);
      tile_cache_add_to_batch (server->cache, c->batch, frame, tile, n, &rect, &c->params, c->converter);
      tile += n - 1;
    }
  g_free (wanted);

  if (!push)
    {
      cairo_region_destroy (c->requested);
      c->requested = cairo_region_create ();
    }
  c->update_in_flight = TRUE;
  tile_batch_commit (server->cache, c->batch);
}

void
client_frame_changed (Client *c, Frame *frame, const cairo_region_t *damage)
{
  if (c->state == CLIENT_CLOSED)
    return;
  /* A viewer that has the copy's source as it was in the last frame
   * (nothing pending there) can copy it; then only the rest is damage. */
  if (frame->has_copy && c->supports_copy_rect && !c->has_copy &&
      c->fb_width == frame->width && c->fb_height == frame->height)
    {
      cairo_rectangle_int_t source = frame->copy.dest;
      source.x -= frame->copy.dx;
      source.y -= frame->copy.dy;
      if (cairo_region_contains_rectangle (c->pending, &source) == CAIRO_REGION_OVERLAP_OUT)
        {
          cairo_region_t *rest = cairo_region_copy (damage);
          cairo_region_subtract_rectangle (rest, &frame->copy.dest);
          cairo_region_union (c->pending, rest);
          cairo_region_destroy (rest);
          c->has_copy = TRUE;
          c->copy = frame->copy;
          return;
        }
    }
  cairo_region_union (c->pending, damage);
}

void
client_name_changed (Client *c)
{
  client_try_send (c);
}
