/* fuzz-session.c — libFuzzer harness for a whole viewer connection.
 *
 * One server, started once on 127.0.0.1 and driven from this thread,
 * meets each input as the bytes of one viewer: the handshake messages
 * (version, security choice, ClientInit) and then client messages, through
 * the real socket code and state machine of client.c. When the first byte
 * is odd a well-formed handshake (3.8, None, shared) goes first, so that
 * the fuzzer spends its time on messages; when even, the input is the
 * handshake itself. After the input the viewer shuts its side: the server
 * must then close the connection within two seconds, having logged no
 * warning (viewer misbehaviour never is one), or the run fails.
 */
#include <stdint.h>
#include <string.h>

#include <cairovnc/cairovnc.h>
#include <gio/gio.h>

#define CLOSE_DEADLINE_US (2 * G_USEC_PER_SEC)

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static CairoVncServer *server;
static GMainContext *context;
static GSocketAddress *server_address;

static void
set_up (void)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 96, 64);
  cairo_t *cr = cairo_create (surface);
  cairo_pattern_t *gradient = cairo_pattern_create_linear (0, 0, 96, 64);
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);

  g_log_set_always_fatal (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL);
  cairo_pattern_add_color_stop_rgb (gradient, 0, 0.1, 0.5, 0.9);
  cairo_pattern_add_color_stop_rgb (gradient, 1, 0.9, 0.3, 0.1);
  cairo_set_source (cr, gradient);
  cairo_paint (cr);
  cairo_pattern_destroy (gradient);
  cairo_destroy (cr);

  server = cairovnc_server_new (surface, NULL);
  cairo_surface_destroy (surface);
  /* No limits on viewers, frames or events: the input alone decides. */
  g_object_set (server, "host", "127.0.0.1", "port", 0, "max-clients", 0, "max-framerate", 0.0,
                "read-only", FALSE, "event-queue-length", 0, NULL);
  context = g_main_context_new ();
  if (!cairovnc_server_start (server, context, &error))
    g_error ("cannot start the server: %s", error->message);
  server_address = g_inet_socket_address_new (loopback, (guint16) cairovnc_server_get_port (server));
}

/* Runs the server a little; waits up to 1 ms when it has nothing to do. */
static void
run_server (void)
{
  if (!g_main_context_iteration (context, FALSE))
    {
      GSource *tick = g_timeout_source_new (1);
      g_source_attach (tick, context);
      g_main_context_iteration (context, TRUE);
      g_source_destroy (tick);
      g_source_unref (tick);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const char handshake[] = "RFB 003.008\n\1\1";
  g_autoptr (GByteArray) input = g_byte_array_new ();
  g_autoptr (GSocket) viewer = NULL;
  g_autoptr (GError) error = NULL;
  CairoVncEvent *event;
  gsize sent = 0;
  gboolean shut = FALSE, closed = FALSE;
  gint64 deadline;

  if (server == NULL)
    set_up ();
  if (size > 0 && (data[0] & 1))
    g_byte_array_append (input, (const guint8 *) handshake, sizeof handshake - 1);
  if (size > 0)
    g_byte_array_append (input, data + 1, (guint) (size - 1));

  viewer = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  if (viewer == NULL || !g_socket_connect (viewer, server_address, NULL, &error))
    g_error ("cannot connect: %s", error->message);
  g_socket_set_blocking (viewer, FALSE);

  deadline = g_get_monotonic_time () + CLOSE_DEADLINE_US;
  while (!closed)
    {
      guint8 buffer[65536];
      gssize got;

      if (g_get_monotonic_time () > deadline)
        g_error ("the server did not close the connection within 2 s of the viewer's end");
      run_server ();
      if (sent < input->len)
        {
          gssize n = g_socket_send (viewer, (const char *) input->data + sent, input->len - sent, NULL, NULL);
          if (n > 0)
            sent += (gsize) n;
        }
      else if (!shut)
        {
          g_socket_shutdown (viewer, FALSE, TRUE, NULL);
          shut = TRUE;
        }
      /* Everything the server says is read, so it never waits for us. */
      while ((got = g_socket_receive (viewer, (char *) buffer, sizeof buffer, NULL, &error)) > 0)
        ;
      if (got == 0 || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        closed = TRUE;
      g_clear_error (&error);
    }
  g_socket_close (viewer, NULL);
  while (cairovnc_server_get_n_clients (server) > 0)
    run_server ();
  while ((event = cairovnc_server_pop_event (server, 0)) != NULL)
    cairovnc_event_free (event);
  return 0;
}
