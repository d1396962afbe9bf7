/* test-encodings-rle.c — RRE, Hextile, TRLE and ZRLE through libvncclient.
 *
 * libvncclient (LibVNCServer's client library, an independent decoder)
 * asks for one encoding at a time and its framebuffer is compared with
 * the surface pixel for pixel: every pixel format testutil knows, solid,
 * gradient, text, noise and photo-like pictures, sizes from 1×1 to
 * 1921×1081. libvncclient does not say which encoding a rectangle came
 * in, so a picture whose fills differ per encoding (solid tiles and one
 * small square) shows, through libvncclient's GotFillRect, that the server
 * used the one asked for. ZRLE keeps one zlib stream per connection, so
 * viewers that stay for an animation, viewers that join late (whose
 * stream starts with cached tiles) and viewers in other pixel formats at
 * the same time all have to match.
 */
#include "testutil.h"

#include <string.h>

typedef struct {
  const char *name;
  const TestPixelFormat *format;
} NamedFormat;

/* 32 bpp big-endian with the colour in the high three bytes: the one
 * big-endian layout whose compact CPIXEL libvncclient decodes right. */
static const TestPixelFormat format_rgbx_be = { 32, TRUE, 255, 255, 255, 24, 16, 8 };

static const NamedFormat all_formats[] = {
  { "rgb888", &test_format_rgb888 },
  { "bgr888_be", &test_format_bgr888_be },
  { "rgb565", &test_format_rgb565 },
  { "rgb555_be", &test_format_rgb555_be },
  { "bgr233", &test_format_bgr233 },
  { "rgb332", &test_format_rgb332 },
  { "rgbx_be", &format_rgbx_be },
};

/* libvncclient 0.9.14 decodes the 3-byte CPIXEL of a big-endian format
 * whose colour is in the low three bytes (bgr888_be) wrongly on
 * little-endian hosts: its HandleZRLE24Down/HandleTRLE24Down read the
 * three bytes as a native word and shift it right, where the bytes belong
 * in the last three of the pixel. The bytes this server sends follow
 * rfbproto.rst (the low three bytes in the format's byte order, as
 * LibVNCServer's and TigerVNC's servers send them; test-enc-rle.c checks
 * them byte by byte), so that pairing is left out here. */
static gboolean
libvncclient_decodes (const char *encoding, const TestPixelFormat *format)
{
  gboolean cpixel = g_str_equal (encoding, "trle") || g_str_equal (encoding, "zrle");
  guint32 colour_bits = ((guint32) format->red_max << format->red_shift) |
                        ((guint32) format->green_max << format->green_shift) |
                        ((guint32) format->blue_max << format->blue_shift);

  return !(cpixel && G_BYTE_ORDER == G_LITTLE_ENDIAN && format->bits_per_pixel == 32 &&
           format->big_endian && (colour_bits & 0xff000000u) == 0);
}

static const char *const encodings[] = { "rre", "hextile", "trle", "zrle" };

/* ---- Pictures ---- */

typedef enum {
  PICTURE_SOLID,
  PICTURE_GRADIENT,
  PICTURE_TEXT,
  PICTURE_NOISE,
  PICTURE_PHOTO,
  N_PICTURES
} Picture;

static const char *const picture_names[] = { "solid", "gradient", "text", "noise", "photo" };

static void
add_noise (cairo_surface_t *surface, GRand *rand, int amplitude)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  guint8 *data;

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  for (int y = 0; y < height; y++)
    {
      guint32 *row = (guint32 *) (void *) (data + (gsize) y * (gsize) stride);
      for (int x = 0; x < width; x++)
        {
          guint32 p = row[x], out = 0xff000000u;
          for (int shift = 0; shift < 24; shift += 8)
            {
              int c = (int) ((p >> shift) & 0xff);
              if (amplitude >= 255)
                c = g_rand_int_range (rand, 0, 256);
              else
                c = CLAMP (c + g_rand_int_range (rand, -amplitude, amplitude + 1), 0, 255);
              out |= (guint32) c << shift;
            }
          row[x] = out;
        }
    }
  cairo_surface_mark_dirty (surface);
}

static void
draw_picture (cairo_surface_t *surface, Picture picture, guint seed)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  GRand *rand = g_rand_new_with_seed (seed);
  cairo_t *cr = cairo_create (surface);
  cairo_pattern_t *pattern;

  switch (picture)
    {
    case PICTURE_SOLID:
      cairo_set_source_rgb (cr, 0.1, 0.2 + (seed % 5) * 0.1, 0.6);
      cairo_paint (cr);
      break;
    case PICTURE_GRADIENT:
      pattern = cairo_pattern_create_linear (0, 0, width, height);
      cairo_pattern_add_color_stop_rgb (pattern, 0, 0.0, 0.1, 0.5);
      cairo_pattern_add_color_stop_rgb (pattern, 0.5, 0.9, 0.8, 0.2);
      cairo_pattern_add_color_stop_rgb (pattern, 1, 0.3, 0.0, 0.1 + (seed % 3) * 0.3);
      cairo_set_source (cr, pattern);
      cairo_paint (cr);
      cairo_pattern_destroy (pattern);
      break;
    case PICTURE_TEXT:
      cairo_set_source_rgb (cr, 1, 1, 0.95);
      cairo_paint (cr);
      cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
      cairo_set_font_size (cr, 11);
      for (int y = 11; y < height + 11; y += 14)
        {
          char line[64];
          for (guint i = 0; i < sizeof line - 1; i++)
            line[i] = (char) (g_rand_int_range (rand, 0, 5) == 0 ? ' ' : 'a' + g_rand_int_range (rand, 0, 26));
          line[sizeof line - 1] = '\0';
          cairo_set_source_rgb (cr, y % 3 == 0 ? 0.6 : 0.05, 0.05, y % 5 == 0 ? 0.5 : 0.1);
          cairo_move_to (cr, 2, y);
          cairo_show_text (cr, line);
        }
      /* Strokes as well, in case no font is installed. */
      cairo_set_source_rgb (cr, 0, 0, 0);
      for (int y = 3; y < height; y += 14)
        for (int x = 2; x < width; x += g_rand_int_range (rand, 3, 9))
          cairo_rectangle (cr, x, y, 1, 2);
      cairo_fill (cr);
      break;
    case PICTURE_NOISE:
      cairo_set_source_rgb (cr, 0, 0, 0);
      cairo_paint (cr);
      cairo_destroy (cr);
      cr = NULL;
      add_noise (surface, rand, 255);
      break;
    case PICTURE_PHOTO:
      pattern = cairo_pattern_create_radial (width * 0.3, height * 0.4, 1, width * 0.5, height * 0.5,
                                             MAX (width, height));
      cairo_pattern_add_color_stop_rgb (pattern, 0, 0.95, 0.85, 0.6);
      cairo_pattern_add_color_stop_rgb (pattern, 0.4, 0.3, 0.5, 0.2);
      cairo_pattern_add_color_stop_rgb (pattern, 1, 0.1, 0.15, 0.3 + (seed % 4) * 0.1);
      cairo_set_source (cr, pattern);
      cairo_paint (cr);
      cairo_pattern_destroy (pattern);
      cairo_set_source_rgba (cr, 0.8, 0.3, 0.1, 0.5);
      cairo_arc (cr, width * 0.7, height * 0.3, MAX (width, height) / 6.0, 0, 2 * G_PI);
      cairo_fill (cr);
      cairo_destroy (cr);
      cr = NULL;
      add_noise (surface, rand, 4);
      break;
    default:
      g_assert_not_reached ();
    }
  if (cr != NULL)
    cairo_destroy (cr);
  cairo_surface_flush (surface);
  g_rand_free (rand);
}

/* ---- Every format, every picture ---- */

static const struct {
  int width, height;
} sizes[] = { { 1, 1 }, { 17, 9 }, { 200, 150 } };

START_TEST (test_encodings_rle_pictures_match_in_every_format)
{
  const char *encoding = encodings[_i / N_PICTURES];
  Picture picture = (Picture) (_i % N_PICTURES);

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, sizes[s].width, sizes[s].height);
      TestServer *ts;
      TestViewer *viewers[G_N_ELEMENTS (all_formats)] = { NULL };

      draw_picture (surface, picture, 100 + (guint) _i);
      ts = test_server_new (surface);
      test_server_start (ts);
      /* All formats at once: one server, shared tiles where formats agree. */
      for (guint f = 0; f < G_N_ELEMENTS (all_formats); f++)
        {
          if (!libvncclient_decodes (encoding, all_formats[f].format))
            continue;
          viewers[f] = test_viewer_connect (ts->port, all_formats[f].format, encoding, NULL);
          ck_assert_msg (viewers[f] != NULL, "%s %s: %s viewer could not connect", encoding,
                         picture_names[picture], all_formats[f].name);
        }
      for (guint f = 0; f < G_N_ELEMENTS (all_formats); f++)
        {
          g_autofree char *what = g_strdup_printf ("%s, %s %dx%d, %s", encoding, picture_names[picture],
                                                   sizes[s].width, sizes[s].height, all_formats[f].name);
          if (viewers[f] == NULL)
            continue;
          test_viewer_assert_match (viewers[f], ts, what);
        }
      for (guint f = 0; f < G_N_ELEMENTS (all_formats); f++)
        test_viewer_free (viewers[f]);
      test_server_free (ts);
      cairo_surface_destroy (surface);
    }
}
END_TEST

START_TEST (test_encodings_rle_large_surface_matches)
{
  /* One format per encoding keeps the time down: rgb565, bgr233,
   * rgbx_be (3-byte big-endian CPIXELs), rgb888. */
  static const guint format_of[] = { 2, 4, 6, 0 };
  const NamedFormat *nf = &all_formats[format_of[_i]];
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 1921, 1081, 900 + (guint) _i);
  TestServer *ts = test_server_new (surface);
  TestViewer *viewer;
  g_autofree char *what = g_strdup_printf ("%s, 1921x1081, %s", encodings[_i], nf->name);

  test_server_start (ts);
  viewer = test_viewer_connect (ts->port, nf->format, encodings[_i], NULL);
  ck_assert_msg (viewer != NULL, "%s: could not connect", what);
  test_viewer_assert_match (viewer, ts, what);
  test_viewer_free (viewer);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

/* ---- The encoding the server chose ---- */

typedef struct {
  GotFillRectProc chain;
  guint fills;
  guint square_fills;   /* of the 5×5 square */
  int max_width;
} FillCount;

static int fill_tag;

static void
count_fill (rfbClient *client, int x, int y, int w, int h, uint32_t colour)
{
  FillCount *count = rfbClientGetClientData (client, &fill_tag);

  count->fills++;
  if (w == 5 && h == 5)
    count->square_fills++;
  count->max_width = MAX (count->max_width, w);
  count->chain (client, x, y, w, h, colour);
}

START_TEST (test_encodings_rle_server_uses_the_encoding_asked_for)
{
  /* 200×150 is 4×3 tiles (the last column 8 wide, the last row 22 high)
   * and 13×10 subtiles of 16×16. All solid but for a 5×5 square in the
   * first (sub)tile, each encoding fills a different set of rectangles:
   * RRE one per tile plus the square; Hextile one per subtile plus the
   * square; TRLE one per subtile but the first; ZRLE one per tile but
   * the first. Raw fills nothing. */
  static const struct {
    guint fills;
    guint square_fills;
    int max_width;
  } expected[] = {
    { 12 + 1, 1, 64 },
    { 130 + 1, 1, 16 },
    { 130 - 1, 0, 16 },
    { 12 - 1, 0, 64 },
  };
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 200, 150);
  TestServer *ts;
  TestViewer *viewer;
  FillCount count = { 0 };
  cairo_t *cr = cairo_create (surface);

  cairo_set_source_rgb (cr, 0.1, 0.2, 0.6);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, 3, 3, 5, 5);
  cairo_fill (cr);
  cairo_destroy (cr);

  ts = test_server_new (surface);
  test_server_start (ts);
  viewer = test_viewer_connect (ts->port, NULL, encodings[_i], NULL);
  ck_assert_ptr_nonnull (viewer);
  /* Nothing has been decoded yet: rfbInitClient only sends requests. */
  count.chain = viewer->client->GotFillRect;
  rfbClientSetClientData (viewer->client, &fill_tag, &count);
  viewer->client->GotFillRect = count_fill;

  test_viewer_assert_match (viewer, ts, encodings[_i]);
  ck_assert (test_viewer_pump (viewer, 100 * 1000));
  ck_assert_msg (count.fills == expected[_i].fills, "%s: %u fills, expected %u", encodings[_i], count.fills,
                 expected[_i].fills);
  ck_assert_uint_eq (count.square_fills, expected[_i].square_fills);
  ck_assert_int_eq (count.max_width, expected[_i].max_width);

  test_viewer_free (viewer);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

/* ---- ZRLE streams ---- */

START_TEST (test_encodings_rle_zrle_viewers_follow_animation_and_late_joiner_matches)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 320, 200, 1000);
  TestServer *ts = test_server_new (surface);
  TestViewer *early, *late = NULL;

  test_server_start (ts);
  early = test_viewer_connect (ts->port, NULL, "zrle", NULL);
  ck_assert_ptr_nonnull (early);

  for (guint frame = 1; frame <= 100; frame++)
    {
      if (frame == 51)
        {
          /* Same format: its first tiles come from the cache, and its
           * stream still has to start with a zlib header. */
          late = test_viewer_connect (ts->port, NULL, "zrle", NULL);
          ck_assert_msg (late != NULL, "the late viewer could not connect");
        }
      test_server_redraw (ts, 1000 + frame);
      ck_assert_msg (test_viewer_pump (early, 3 * 1000), "the early viewer lost its connection at frame %u", frame);
      if (late != NULL)
        ck_assert_msg (test_viewer_pump (late, 3 * 1000), "the late viewer lost its connection at frame %u", frame);
    }

  test_viewer_assert_match (early, ts, "the viewer there from the start, after 100 frames");
  test_viewer_assert_match (late, ts, "the viewer that joined after 50 frames, after 100 frames");
  ck_assert_uint_gt (early->updates, 5);
  test_viewer_free (early);
  test_viewer_free (late);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

START_TEST (test_encodings_rle_zrle_viewers_in_two_formats_at_once)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_ARGB32, 257, 130, 1100);
  TestServer *ts = test_server_new (surface);
  TestViewer *a, *b;

  test_server_start (ts);
  a = test_viewer_connect (ts->port, &test_format_rgb888, "zrle", NULL);
  b = test_viewer_connect (ts->port, &test_format_rgb565, "zrle", NULL);
  ck_assert_ptr_nonnull (a);
  ck_assert_ptr_nonnull (b);
  for (guint frame = 1; frame <= 20; frame++)
    {
      test_server_redraw (ts, 1100 + frame);
      ck_assert (test_viewer_pump (a, 3 * 1000));
      ck_assert (test_viewer_pump (b, 3 * 1000));
    }
  test_viewer_assert_match (a, ts, "rgb888 ZRLE viewer");
  test_viewer_assert_match (b, ts, "rgb565 ZRLE viewer");
  test_viewer_free (a);
  test_viewer_free (b);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

/* Each RLE encoding after an animation, with a viewer per format. */
START_TEST (test_encodings_rle_animation_matches_in_every_format)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 160, 100, 1200);
  TestServer *ts = test_server_new (surface);
  TestViewer *viewers[G_N_ELEMENTS (all_formats)] = { NULL };

  test_server_start (ts);
  for (guint f = 0; f < G_N_ELEMENTS (all_formats); f++)
    {
      if (!libvncclient_decodes (encodings[_i], all_formats[f].format))
        continue;
      viewers[f] = test_viewer_connect (ts->port, all_formats[f].format, encodings[_i], NULL);
      ck_assert_ptr_nonnull (viewers[f]);
    }
  for (guint frame = 1; frame <= 10; frame++)
    {
      test_server_redraw (ts, 1200 + frame);
      for (guint f = 0; f < G_N_ELEMENTS (all_formats); f++)
        if (viewers[f] != NULL)
          ck_assert (test_viewer_pump (viewers[f], 2 * 1000));
    }
  for (guint f = 0; f < G_N_ELEMENTS (all_formats); f++)
    {
      g_autofree char *what = g_strdup_printf ("%s, %s, after 10 frames", encodings[_i], all_formats[f].name);
      if (viewers[f] == NULL)
        continue;
      test_viewer_assert_match (viewers[f], ts, what);
      test_viewer_free (viewers[f]);
    }
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

static Suite *
encodings_rle_suite (void)
{
  Suite *suite = suite_create ("encodings-rle");
  TCase *tc;

  tc = tcase_create ("pictures");
  tcase_set_timeout (tc, 30);
  tcase_add_loop_test (tc, test_encodings_rle_pictures_match_in_every_format, 0,
                       G_N_ELEMENTS (encodings) * N_PICTURES);
  tcase_add_loop_test (tc, test_encodings_rle_large_surface_matches, 0, G_N_ELEMENTS (encodings));
  suite_add_tcase (suite, tc);

  tc = tcase_create ("negotiation");
  tcase_set_timeout (tc, 30);
  tcase_add_loop_test (tc, test_encodings_rle_server_uses_the_encoding_asked_for, 0, G_N_ELEMENTS (encodings));
  suite_add_tcase (suite, tc);

  tc = tcase_create ("animation");
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_encodings_rle_zrle_viewers_follow_animation_and_late_joiner_matches);
  tcase_add_test (tc, test_encodings_rle_zrle_viewers_in_two_formats_at_once);
  tcase_add_loop_test (tc, test_encodings_rle_animation_matches_in_every_format, 0, G_N_ELEMENTS (encodings));
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  SRunner *runner;
  int failed;

  testutil_init ();
  runner = srunner_create (encodings_rle_suite ());
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
