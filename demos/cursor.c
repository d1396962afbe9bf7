/* cursor — a pointer shape drawn with cairo that viewers draw themselves.
 *
 * Every second the cursor changes shape: an arrow, a crosshair, a soft
 * round spot (half-transparent, so viewers with Cursor With Alpha show it
 * blended and the others show its opaque core) and then the viewer's own
 * pointer again (NULL). Nothing of the cursor is drawn into the surface:
 * a viewer that cannot draw cursors sees only the page.
 */
#include "demo-common.h"

#define WIDTH 320
#define HEIGHT 200
#define N_SHAPES 4

static void
draw_page (cairo_surface_t *surface)
{
  cairo_t *cr = cairo_create (surface);

  cairo_set_source_rgb (cr, 0.93, 0.93, 0.88);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0.2, 0.2, 0.3);
  cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 14);
  cairo_move_to (cr, 16, 30);
  cairo_show_text (cr, "Move the pointer over here:");
  cairo_move_to (cr, 16, 52);
  cairo_show_text (cr, "its shape changes every second.");
  cairo_destroy (cr);
}

/* Shape @index as a new surface, and its hotspot. */
static cairo_surface_t *
draw_shape (guint index, int *hot_x, int *hot_y)
{
  cairo_surface_t *shape = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 32, 32);
  cairo_t *cr = cairo_create (shape);

  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  switch (index)
    {
    case 0: /* an arrow, black with a white edge */
      *hot_x = 1;
      *hot_y = 1;
      cairo_move_to (cr, 1.5, 1.5);
      cairo_line_to (cr, 1.5, 24);
      cairo_line_to (cr, 7.5, 18.5);
      cairo_line_to (cr, 12, 28);
      cairo_line_to (cr, 16, 26);
      cairo_line_to (cr, 11.5, 17);
      cairo_line_to (cr, 19, 17);
      cairo_close_path (cr);
      cairo_set_source_rgb (cr, 0, 0, 0);
      cairo_fill_preserve (cr);
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_set_line_width (cr, 1.5);
      cairo_stroke (cr);
      break;
    case 1: /* a red crosshair */
      *hot_x = 16;
      *hot_y = 16;
      cairo_set_source_rgb (cr, 0.85, 0.1, 0.1);
      cairo_set_line_width (cr, 2);
      cairo_move_to (cr, 16, 2);
      cairo_line_to (cr, 16, 30);
      cairo_move_to (cr, 2, 16);
      cairo_line_to (cr, 30, 16);
      cairo_stroke (cr);
      cairo_arc (cr, 16, 16, 8, 0, 2 * G_PI);
      cairo_stroke (cr);
      break;
    default: /* a soft blue spot */
      {
        cairo_pattern_t *spot = cairo_pattern_create_radial (16, 16, 0, 16, 16, 15);
        *hot_x = 16;
        *hot_y = 16;
        cairo_pattern_add_color_stop_rgba (spot, 0, 0.1, 0.4, 1.0, 1.0);
        cairo_pattern_add_color_stop_rgba (spot, 0.5, 0.1, 0.4, 1.0, 0.6);
        cairo_pattern_add_color_stop_rgba (spot, 1, 0.1, 0.4, 1.0, 0.0);
        cairo_set_source (cr, spot);
        cairo_paint (cr);
        cairo_pattern_destroy (spot);
        break;
      }
    }
  cairo_destroy (cr);
  return shape;
}

static gboolean
next_shape (gpointer data)
{
  static guint index;
  CairoVncServer *server = data;

  index = (index + 1) % N_SHAPES;
  if (index == N_SHAPES - 1)
    {
      cairovnc_server_set_cursor (server, NULL, 0, 0);
    }
  else
    {
      int hot_x, hot_y;
      cairo_surface_t *shape = draw_shape (index, &hot_x, &hot_y);
      /* Copied before it returns: the surface can go at once. */
      cairovnc_server_set_cursor (server, shape, hot_x, hot_y);
      cairo_surface_destroy (shape);
    }
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  const DemoOptions *options;
  g_autoptr (GError) error = NULL;
  CairoVncServer *server;
  cairo_surface_t *surface, *shape;
  int hot_x, hot_y;

  options = demo_options_parse ("Serves a page with a cursor that changes shape every second.", NULL,
                                &argc, &argv);
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, WIDTH, HEIGHT);
  draw_page (surface);

  server = cairovnc_server_new (surface, NULL);
  demo_options_apply (options, server);
  shape = draw_shape (0, &hot_x, &hot_y);
  cairovnc_server_set_cursor (server, shape, hot_x, hot_y);
  cairo_surface_destroy (shape);
  if (!cairovnc_server_start_thread (server, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  demo_print_address (server, options);

  g_timeout_add_seconds (1, next_shape, server);
  demo_run (options);

  cairovnc_server_stop (server);
  g_object_unref (server);
  cairo_surface_destroy (surface);
  return 0;
}
