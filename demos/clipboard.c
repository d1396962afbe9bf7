/* clipboard — the clipboard both ways.
 *
 * Whatever a viewer copies shows on the surface (text, and whether RTF or
 * HTML came with it). Typing "c" in the viewer sets the server's
 * clipboard to a line of text beyond ISO 8859-1, with the same in HTML:
 * viewers with the Extended Clipboard can paste it; legacy viewers get
 * nothing, and the log says why. Typing "l" sets a Latin-1 line that every
 * viewer can paste.
 */
#include "demo-common.h"

#define WIDTH 480
#define HEIGHT 240
/* X keysyms of the letters are their ASCII codes. */
#define KEY_C 0x63
#define KEY_L 0x6c

static void
draw (cairo_surface_t *surface, const CairoVncEvent *clip, guint sets)
{
  cairo_t *cr = cairo_create (surface);
  g_autofree char *heading = NULL;
  double y = 78;

  cairo_set_source_rgb (cr, 0.12, 0.14, 0.18);
  cairo_paint (cr);
  cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 13);
  cairo_set_source_rgb (cr, 0.7, 0.8, 1.0);
  cairo_move_to (cr, 12, 22);
  cairo_show_text (cr, "Copy something in the viewer; type c or l to set the server's clipboard.");
  heading = g_strdup_printf ("Server clipboard set %u times. Last from a viewer:%s%s", sets,
                             clip != NULL && clip->rtf != NULL ? " +RTF" : "",
                             clip != NULL && clip->html != NULL ? " +HTML" : "");
  cairo_move_to (cr, 12, 48);
  cairo_show_text (cr, heading);

  cairo_set_source_rgb (cr, 1, 1, 1);
  if (clip != NULL && clip->text != NULL)
    {
      g_auto (GStrv) lines = g_strsplit (clip->text, "\n", 10);
      for (guint i = 0; lines[i] != NULL && y < HEIGHT - 10; i++, y += 18)
        {
          cairo_move_to (cr, 12, y);
          cairo_show_text (cr, lines[i]);
        }
    }
  cairo_destroy (cr);
}

int
main (int argc, char **argv)
{
  const DemoOptions *options;
  g_autoptr (GError) error = NULL;
  CairoVncServer *server;
  cairo_surface_t *surface;
  CairoVncEvent *event, *last = NULL;
  GThread *stop_watch;
  GMutex lock;
  guint sets = 0;

  options = demo_options_parse ("Shows what viewers copy; keys set the server's clipboard.", NULL,
                                &argc, &argv);
  g_mutex_init (&lock);
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, WIDTH, HEIGHT);
  draw (surface, NULL, sets);

  server = cairovnc_server_new (surface, &lock);
  demo_options_apply (options, server);
  cairovnc_server_set_read_only (server, FALSE);
  cairovnc_server_set_clipboard_text (server, "Hello from cairovnc");
  if (!cairovnc_server_start_thread (server, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  demo_print_address (server, options);

  stop_watch = demo_watch_for_stop (options, server);
  while ((event = cairovnc_server_pop_event (server, -1))->type != DEMO_EVENT_STOP)
    {
      gboolean redraw = FALSE;

      if (event->type == CAIROVNC_EVENT_CLIPBOARD)
        {
          g_print ("viewer %u copied %s%s%s\n", event->client_id, event->text ? event->text : "(no text)",
                   event->rtf ? " [RTF]" : "", event->html ? " [HTML]" : "");
          cairovnc_event_free (last);
          last = g_steal_pointer (&event);
          redraw = TRUE;
        }
      else if (event->type == CAIROVNC_EVENT_KEY && event->down && (event->keysym == KEY_C || event->keysym == KEY_L))
        {
          g_autoptr (GDateTime) now = g_date_time_new_now_local ();
          g_autofree char *time = g_date_time_format (now, "%H:%M:%S");
          g_autofree char *text = NULL;
          g_autofree char *html = NULL;

          if (event->keysym == KEY_C)
            {
              text = g_strdup_printf ("na\xc3\xafve \xe2\x80\x94 \xe6\x9d\xb1\xe4\xba\xac at %s", time);
              html = g_strdup_printf ("<b>na\xc3\xafve</b> \xe2\x80\x94 <i>\xe6\x9d\xb1\xe4\xba\xac</i> at %s", time);
            }
          else
            {
              text = g_strdup_printf ("caf\xc3\xa9 cr\xc3\xa8me at %s", time);
            }
          if (cairovnc_server_set_clipboard (server, text, NULL, html, &error))
            sets++;
          else
            g_printerr ("%s\n", error->message);
          g_clear_error (&error);
          redraw = TRUE;
        }
      if (redraw)
        {
          g_mutex_lock (&lock);
          draw (surface, last, sets);
          g_mutex_unlock (&lock);
          cairovnc_server_frame_ready (server);
        }
      cairovnc_event_free (event);
    }
  cairovnc_event_free (event);
  cairovnc_event_free (last);
  g_thread_join (stop_watch);

  cairovnc_server_stop (server);
  g_object_unref (server);
  cairo_surface_destroy (surface);
  g_mutex_clear (&lock);
  return 0;
}
