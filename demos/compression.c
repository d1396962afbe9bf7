/* compression — the Python CairoVNC example_compression: a still page of
 * repeated text, 800×600, and one line per update telling its encoding
 * and size, so viewers' encodings can be compared (try
 * `xtigervncviewer -PreferredEncoding=raw` against ZRLE or Tight).
 */
#include "demo-common.h"

#define WIDTH 800
#define HEIGHT 600

static void
draw_page (cairo_surface_t *surface)
{
  cairo_t *cr = cairo_create (surface);

  cairo_set_source_rgb (cr, 0.1, 0.25, 0.5);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  for (int y = 20; y < HEIGHT; y += 40)
    {
      cairo_move_to (cr, 20, y);
      cairo_show_text (cr, "Repeated content makes zlib transfer sizes easy to compare.");
    }
  cairo_destroy (cr);
}

/* Runs on the server's thread. */
static void
print_update (CairoVncServer *server, guint client_id, const char *encoding, guint rectangles,
              guint64 bytes, gpointer data)
{
  guint64 raw_bytes = (guint64) WIDTH * HEIGHT * 4;

  g_print ("viewer %u: %s update of %u rectangles, %" G_GUINT64_FORMAT " bytes "
           "(%.1f%% of the whole page in raw)\n",
           client_id, encoding, rectangles, bytes, 100.0 * (double) bytes / (double) raw_bytes);
}

int
main (int argc, char **argv)
{
  const DemoOptions *options =
    demo_options_parse ("Serves a still page of text and prints the size of every update.",
                        NULL, &argc, &argv);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, WIDTH, HEIGHT);
  g_autoptr (GError) error = NULL;
  CairoVncServer *server;

  draw_page (surface);
  server = cairovnc_server_new (surface, NULL);
  demo_options_apply (options, server);
  g_signal_connect (server, "update-sent", G_CALLBACK (print_update), NULL);
  if (!cairovnc_server_start_thread (server, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  demo_print_address (server, options);
  demo_run (options);
  cairovnc_server_stop (server);
  g_object_unref (server);
  cairo_surface_destroy (surface);
  return 0;
}
