/* test-encodings-tight.c — zlib, Tight and TightPNG over loopback.
 *
 * libvncclient (LibVNCServer's client library, an independent decoder)
 * decodes zlib and Tight, JPEG included; its framebuffer is compared with
 * the surface pixel for pixel in every pixel format testutil knows, for
 * solid, gradient, text, noise and photo-like pictures from 1×1 to
 * 1921×1081. Viewers say whether they want JPEG, as libvncclient asks
 * for it by default; one that asks for quality level 8 must see the
 * photo-like picture at 30 dB or better. Viewers that stay through an
 * animation and viewers that join half-way both match at the end: cached
 * zlib and Tight rectangles must not depend on what a viewer received
 * before. libvncclient has no TightPNG, so a raw-socket viewer here reads
 * TightPNG rectangles, decodes their PNG with cairo and compares; the same
 * reader checks which Tight sub-encodings a quality-level viewer gets.
 */
#include "testutil.h"

#include <dlfcn.h>
#include <math.h>
#include <string.h>

#define SETTLE_US (100 * 1000)

typedef struct {
  const char *name;
  const TestPixelFormat *format;
} NamedFormat;

static const NamedFormat all_formats[] = {
  { "rgb888", &test_format_rgb888 },
  { "bgr888_be", &test_format_bgr888_be },
  { "rgb565", &test_format_rgb565 },
  { "rgb555_be", &test_format_rgb555_be },
  { "bgr233", &test_format_bgr233 },
  { "rgb332", &test_format_rgb332 },
};

static const char *const lossless_encodings[] = { "zlib", "tight" };

/* libvncclient 0.9.14 builds Tight's 3-byte TPIXELs (red, green, blue,
 * rfbproto.rst "Tight Encoding") into pixels without the byte swap a
 * big-endian format needs on a little-endian host (RGB24_TO_PIXEL32 in
 * its tight.c; later versions swap), so every fill, palette and copied
 * pixel of bgr888_be comes out with its bytes moved. For 16 bpp
 * big-endian formats its JPEG path (RGB24_TO_PIXEL) has the same fault.
 * The bytes this server sends follow the spec and test-enc-tight.c
 * decodes them in those formats; those pairings are left out here. */
static gboolean
libvncclient_decodes_tight (const TestPixelFormat *format, gboolean jpeg)
{
  if (G_BYTE_ORDER != G_LITTLE_ENDIAN || !format->big_endian)
    return TRUE;
  return jpeg ? format->bits_per_pixel != 16 : format->bits_per_pixel != 32;
}

/* Whether the server was built with JPEG. The library does not say, but
 * when it has JPEG it links libjpeg-turbo's TurboJPEG, which is then
 * loaded in this process (libvncclient brings only libjpeg). */
static gboolean
server_has_jpeg (void)
{
  void *handle = dlopen ("libturbojpeg.so.0", RTLD_NOW | RTLD_NOLOAD);

  if (handle == NULL)
    return FALSE;
  dlclose (handle);
  return TRUE;
}

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

typedef struct {
  int width, height;
} Size;

static const Size sizes[] = { { 1, 1 }, { 17, 9 }, { 200, 150 } };

static guint32
clamp_rgb (int r, int g, int b)
{
  return ((guint32) CLAMP (r, 0, 255) << 16) | ((guint32) CLAMP (g, 0, 255) << 8) | (guint32) CLAMP (b, 0, 255);
}

/* Writes pixels directly: @alpha makes them premultiplied ARGB32. */
static void
fill_pixels (cairo_surface_t *surface, Picture picture, GRand *rand)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  gboolean alpha = cairo_image_surface_get_format (surface) == CAIRO_FORMAT_ARGB32;
  guint8 *data;

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 *p = (guint32 *) (void *) (data + (gsize) y * (gsize) stride) + x;

        if (picture == PICTURE_NOISE)
          {
            guint32 a = alpha ? (guint32) g_rand_int_range (rand, 0, 256) : 255;
            guint32 r = (guint32) g_rand_int_range (rand, 0, 256) * a / 255;
            guint32 g = (guint32) g_rand_int_range (rand, 0, 256) * a / 255;
            guint32 b = (guint32) g_rand_int_range (rand, 0, 256) * a / 255;
            *p = (a << 24) | (r << 16) | (g << 8) | b;
          }
        else
          {
            /* Smooth shading, as in a photograph, with a little grain. */
            double fx = x / 64.0, fy = y / 64.0;
            int grain = g_rand_int_range (rand, -3, 4);
            *p = 0xff000000u | clamp_rgb ((int) (120 + 90 * sin (fx * 3.1 + fy)) + grain,
                                          (int) (100 + 80 * cos (fy * 2.3 - fx)) + grain,
                                          (int) (60 + 50 * sin ((fx + fy) * 2.0)) - grain);
          }
      }
  cairo_surface_mark_dirty (surface);
}

static cairo_surface_t *
picture_new (Picture picture, int width, int height, guint seed)
{
  cairo_format_t format = picture == PICTURE_NOISE ? CAIRO_FORMAT_ARGB32 : CAIRO_FORMAT_RGB24;
  cairo_surface_t *surface = cairo_image_surface_create (format, width, height);
  GRand *rand = g_rand_new_with_seed (seed);
  cairo_t *cr = cairo_create (surface);

  switch (picture)
    {
    case PICTURE_SOLID:
      cairo_set_source_rgb (cr, 0.2, 0.4, 0.8);
      cairo_paint (cr);
      break;
    case PICTURE_GRADIENT:
      {
        cairo_pattern_t *gradient = cairo_pattern_create_linear (0, 0, width, height);
        cairo_pattern_add_color_stop_rgb (gradient, 0, 0.1, 0.2, 0.7);
        cairo_pattern_add_color_stop_rgb (gradient, 1, 0.9, 0.6, 0.1);
        cairo_set_source (cr, gradient);
        cairo_paint (cr);
        cairo_pattern_destroy (gradient);
      }
      break;
    case PICTURE_TEXT:
      cairo_set_source_rgb (cr, 1, 1, 0.96);
      cairo_paint (cr);
      cairo_set_source_rgb (cr, 0.1, 0.1, 0.3);
      cairo_set_font_size (cr, 11);
      for (int y = 11; y < height + 11; y += 13)
        {
          cairo_move_to (cr, 2, y);
          cairo_show_text (cr, "The quick brown fox jumps over the lazy dog 0123456789");
        }
      break;
    case PICTURE_NOISE:
    case PICTURE_PHOTO:
      fill_pixels (surface, picture, rand);
      break;
    default:
      g_assert_not_reached ();
    }
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  g_rand_free (rand);
  return surface;
}

/* ---- Lossless: every format, picture and size ---- */

START_TEST (test_encodings_lossless_match_surface)
{
  Picture picture = (Picture) (_i / G_N_ELEMENTS (sizes));
  const Size *size = &sizes[_i % G_N_ELEMENTS (sizes)];
  cairo_surface_t *surface = picture_new (picture, size->width, size->height, 100 + (guint) _i);
  TestServer *ts = test_server_new (surface);

  test_server_start (ts);
  for (guint e = 0; e < G_N_ELEMENTS (lossless_encodings); e++)
    for (guint f = 0; f < G_N_ELEMENTS (all_formats); f++)
      {
        TestViewer *viewer;
        g_autofree char *what = g_strdup_printf ("%s, %s %dx%d as %s", lossless_encodings[e],
                                                 picture_names[picture], size->width, size->height,
                                                 all_formats[f].name);

        if (e == 1 && !libvncclient_decodes_tight (all_formats[f].format, FALSE))
          continue;
        viewer = test_viewer_connect_tight (ts->port, all_formats[f].format, lossless_encodings[e], -1,
                                            (int) (e * 3 + f) % 10);
        ck_assert_msg (viewer != NULL, "%s: the viewer could not connect", what);
        test_viewer_assert_match (viewer, ts, what);
        test_viewer_free (viewer);
      }
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

START_TEST (test_encodings_large_surface_matches)
{
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 1921, 1081, 200 + (guint) _i);
  TestServer *ts = test_server_new (surface);
  const NamedFormat *format = _i == 0 ? &all_formats[0] : &all_formats[2];
  TestViewer *viewer;

  test_server_start (ts);
  viewer = test_viewer_connect_tight (ts->port, format->format, lossless_encodings[_i], -1, 6);
  ck_assert_ptr_nonnull (viewer);
  test_viewer_assert_match (viewer, ts, lossless_encodings[_i]);
  test_viewer_free (viewer);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

/* ---- JPEG ---- */

static guint
reduce (guint c, int max)
{
  return (guint) lround (c * (double) max / 255.0);
}

/* PSNR of the viewer's picture against the surface as the viewer's
 * format can show it, on an 8-bit scale. */
static double
viewer_psnr (TestViewer *viewer, TestServer *ts)
{
  const TestPixelFormat *f = &viewer->format;
  cairo_surface_t *surface = ts->surface;
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  const guint8 *data = cairo_image_surface_get_data (surface);
  const int max[3] = { f->red_max, f->green_max, f->blue_max };
  double sum = 0;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 s = ((const guint32 *) (const void *) (data + (gsize) y * (gsize) stride))[x];
        guint32 v = test_viewer_get_rgb (viewer, x, y);

        for (int c = 0; c < 3; c++)
          {
            guint shift = 16 - 8 * (guint) c;
            guint want = reduce ((s >> shift) & 0xff, max[c]) * 255 / (guint) max[c];
            double d = (double) ((v >> shift) & 0xff) - (double) want;
            sum += d * d;
          }
      }
  if (sum == 0)
    return 99.0;
  return 10.0 * log10 (255.0 * 255.0 / (sum / ((double) width * height * 3)));
}

START_TEST (test_encodings_tight_jpeg_keeps_30_db)
{
  cairo_surface_t *surface = picture_new (PICTURE_PHOTO, 256, 256, 300);
  TestServer *ts = test_server_new (surface);
  guint tested = 0;

  test_server_start (ts);
  /* JPEG only at 16 and 32 bits per pixel. */
  for (guint f = 0; f < 4; f++)
    {
      const NamedFormat *nf = &all_formats[f];
      TestViewer *viewer;
      double db;

      /* Without JPEG in the server, the photo goes lossless. */
      if (!libvncclient_decodes_tight (nf->format, server_has_jpeg ()))
        continue;
      viewer = test_viewer_connect_tight (ts->port, nf->format, "tight", 8, 6);
      tested++;
      ck_assert_ptr_nonnull (viewer);
      ck_assert_msg (test_viewer_wait_updates (viewer, 1, TEST_TIMEOUT_US), "%s: no update", nf->name);
      ck_assert (test_viewer_pump (viewer, SETTLE_US));
      db = viewer_psnr (viewer, ts);
      ck_assert_msg (db >= 30.0, "%s: PSNR %.1f dB at quality level 8", nf->name, db);
      /* With JPEG built in, the picture did go lossy. */
      if (server_has_jpeg ())
        ck_assert_msg (db < 60.0, "%s: PSNR %.1f dB: no JPEG?", nf->name, db);
      test_viewer_free (viewer);
    }
  ck_assert_uint_ge (tested, 3);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

/* No JPEG at 8 bits per pixel (rfbproto.rst "Tight Encoding"): a
 * quality level changes nothing there. */
START_TEST (test_encodings_tight_quality_at_8_bpp_is_lossless)
{
  cairo_surface_t *surface = picture_new (PICTURE_PHOTO, 200, 150, 310);
  TestServer *ts = test_server_new (surface);

  test_server_start (ts);
  for (guint f = 4; f < G_N_ELEMENTS (all_formats); f++)
    {
      TestViewer *viewer = test_viewer_connect_tight (ts->port, all_formats[f].format, "tight", 8, 6);

      ck_assert_ptr_nonnull (viewer);
      test_viewer_assert_match (viewer, ts, all_formats[f].name);
      test_viewer_free (viewer);
    }
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

/* ---- Stateless streams ---- */

START_TEST (test_encodings_late_viewer_matches_after_animation)
{
  const char *encoding = lossless_encodings[_i];
  cairo_surface_t *surface = testutil_scene_new (CAIRO_FORMAT_RGB24, 200, 150, 400);
  TestServer *ts = test_server_new (surface);
  TestViewer *early, *late = NULL, *other_format;

  test_server_start (ts);
  early = test_viewer_connect_tight (ts->port, &test_format_rgb888, encoding, -1, 6);
  other_format = test_viewer_connect_tight (ts->port, &test_format_rgb565, encoding, -1, 1);
  ck_assert_ptr_nonnull (early);
  ck_assert_ptr_nonnull (other_format);
  for (guint frame = 1; frame <= 100; frame++)
    {
      test_server_redraw (ts, 400 + frame);
      if (frame == 50)
        {
          late = test_viewer_connect_tight (ts->port, &test_format_rgb888, encoding, -1, 6);
          ck_assert_ptr_nonnull (late);
        }
      ck_assert (test_viewer_pump (early, 3000));
      ck_assert (test_viewer_pump (other_format, 3000));
      if (late != NULL)
        ck_assert (test_viewer_pump (late, 3000));
    }
  test_viewer_assert_match (early, ts, "the viewer from the start");
  test_viewer_assert_match (late, ts, "the viewer from frame 50");
  test_viewer_assert_match (other_format, ts, "the rgb565 viewer");
  ck_assert_uint_gt (early->updates, 10);
  ck_assert_uint_gt (late->updates, 5);
  test_viewer_free (early);
  test_viewer_free (late);
  test_viewer_free (other_format);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

/* ---- A raw viewer for TightPNG, and for Tight's sub-encodings ---- */

static guint
recv_u8 (GSocket *socket)
{
  guint8 b;

  ck_assert_msg (test_raw_recv (socket, &b, 1, TEST_TIMEOUT_US), "connection ended inside a rectangle");
  return b;
}

static gsize
recv_compact_length (GSocket *socket)
{
  guint b = recv_u8 (socket);
  gsize len = b & 0x7f;

  if (b & 0x80)
    {
      b = recv_u8 (socket);
      len |= (gsize) (b & 0x7f) << 7;
      if (b & 0x80)
        len |= (gsize) recv_u8 (socket) << 14;
    }
  return len;
}

static guint8 *
recv_data (GSocket *socket, gsize len)
{
  guint8 *data = g_malloc (MAX (len, 1));

  ck_assert_msg (test_raw_recv (socket, data, len, TEST_TIMEOUT_US), "short data");
  return data;
}

typedef struct {
  const guint8 *data;
  gsize len, pos;
} PngSource;

static cairo_status_t
read_png (void *closure, unsigned char *data, unsigned int length)
{
  PngSource *src = closure;

  if (src->pos + length > src->len)
    return CAIRO_STATUS_READ_ERROR;
  memcpy (data, src->data + src->pos, length);
  src->pos += length;
  return CAIRO_STATUS_SUCCESS;
}

/* Counts of the sub-encodings seen. */
typedef struct {
  guint fill, jpeg, png, basic;
  guint rects;
} Seen;

/* Reads one FramebufferUpdate of Tight or TightPNG rectangles in the
 * server's default format (32 bpp, depth 24: 3-byte TPIXELs), drawing
 * fills and PNGs into @fb (0xRRGGBB) and marking them in @known. */
static void
raw_read_tight_update (GSocket *socket, gint32 encoding, guint32 *fb, guint8 *known, int width, int height,
                       Seen *seen)
{
  guint n;

  ck_assert_msg (test_raw_read_update_header (socket, &n, TEST_TIMEOUT_US), "no update");
  for (guint i = 0; i < n; i++)
    {
      TestRawRect rect;
      int x, y, w, h;
      guint control;

      ck_assert (test_raw_read_rect_header (socket, &rect));
      x = rect.x;
      y = rect.y;
      w = rect.w;
      h = rect.h;
      ck_assert_int_eq (rect.encoding, encoding);
      ck_assert (x + w <= width && y + h <= height);
      seen->rects++;
      control = recv_u8 (socket) >> 4;
      if (control == 0x8)
        {
          guint8 rgb[3];
          ck_assert (test_raw_recv (socket, rgb, 3, TEST_TIMEOUT_US));
          for (int j = 0; j < h; j++)
            for (int k = 0; k < w; k++)
              {
                fb[(y + j) * width + x + k] = ((guint32) rgb[0] << 16) | ((guint32) rgb[1] << 8) | rgb[2];
                known[(y + j) * width + x + k] = 1;
              }
          seen->fill++;
        }
      else if (control == 0x9)
        {
          gsize len = recv_compact_length (socket);
          g_autofree guint8 *data = recv_data (socket, len);
          ck_assert_msg (len > 4 && data[0] == 0xff && data[1] == 0xd8, "JPEG data does not start with SOI");
          seen->jpeg++;
        }
      else if (control == 0xa)
        {
          gsize len = recv_compact_length (socket);
          g_autofree guint8 *data = recv_data (socket, len);
          PngSource src = { data, len, 0 };
          cairo_surface_t *image;
          const guint8 *pixels;
          int stride;

          ck_assert_int_eq (encoding, -260);
          image = cairo_image_surface_create_from_png_stream (read_png, &src);
          ck_assert_msg (cairo_surface_status (image) == CAIRO_STATUS_SUCCESS, "PNG: %s",
                         cairo_status_to_string (cairo_surface_status (image)));
          ck_assert_int_eq (cairo_image_surface_get_width (image), w);
          ck_assert_int_eq (cairo_image_surface_get_height (image), h);
          pixels = cairo_image_surface_get_data (image);
          stride = cairo_image_surface_get_stride (image);
          for (int j = 0; j < h; j++)
            for (int k = 0; k < w; k++)
              {
                fb[(y + j) * width + x + k] =
                  ((const guint32 *) (const void *) (pixels + (gsize) j * (gsize) stride))[k] & 0xffffff;
                known[(y + j) * width + x + k] = 1;
              }
          cairo_surface_destroy (image);
          seen->png++;
        }
      else
        {
          /* BasicCompression: skipped, not decoded (no zlib here). */
          guint filter = 0, colours = 0;
          gsize size;

          ck_assert_msg (encoding == 7 && (control & 0x8) == 0, "compression control %#x in encoding %d",
                         control << 4, encoding);
          if (control & 0x4)
            filter = recv_u8 (socket);
          if (filter == 1)
            {
              colours = recv_u8 (socket) + 1;
              g_free (recv_data (socket, colours * 3));
            }
          size = (gsize) h * (filter == 1 ? (colours == 2 ? (gsize) (w + 7) / 8 : (gsize) w) : (gsize) w * 3);
          if (size >= 12)
            size = recv_compact_length (socket);
          g_free (recv_data (socket, size));
          seen->basic++;
        }
    }
}

static guint
compare_known (cairo_surface_t *surface, const guint32 *fb, const guint8 *known, int *bad_x, int *bad_y)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  const guint8 *data = cairo_image_surface_get_data (surface);
  guint bad = 0;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 s = ((const guint32 *) (const void *) (data + (gsize) y * (gsize) stride))[x] & 0xffffff;
        if (known[y * width + x] && fb[y * width + x] != s && bad++ == 0)
          {
            *bad_x = x;
            *bad_y = y;
          }
      }
  return bad;
}

START_TEST (test_encodings_tightpng_raw_viewer_matches)
{
  Picture picture = (Picture) (_i / G_N_ELEMENTS (sizes));
  const Size *size = &sizes[_i % G_N_ELEMENTS (sizes)];
  cairo_surface_t *surface = picture_new (picture, size->width, size->height, 500 + (guint) _i);
  TestServer *ts = test_server_new (surface);
  static const gint32 encodings[] = { -260 };
  GSocket *socket;
  int width = 0, height = 0, bad_x = -1, bad_y = -1;
  g_autofree guint32 *fb = NULL;
  g_autofree guint8 *known = NULL;
  Seen seen = { 0 };
  guint bad;

  test_server_start (ts);
  socket = test_raw_connect (ts->port);
  ck_assert (test_raw_handshake (socket, &width, &height));
  ck_assert_int_eq (width, size->width);
  test_raw_set_encodings (socket, encodings, G_N_ELEMENTS (encodings));
  test_raw_request_update (socket, FALSE, 0, 0, width, height);
  fb = g_new0 (guint32, (gsize) width * height);
  known = g_new0 (guint8, (gsize) width * height);
  raw_read_tight_update (socket, -260, fb, known, width, height, &seen);

  ck_assert_uint_eq (seen.jpeg + seen.basic, 0);
  ck_assert_uint_eq (seen.rects, seen.fill + seen.png);
  for (int i = 0; i < width * height; i++)
    ck_assert_msg (known[i], "pixel %d,%d not covered", i % width, i / width);
  if (picture == PICTURE_SOLID || size->width * size->height == 1)
    ck_assert_uint_eq (seen.png, 0);
  else
    ck_assert_uint_gt (seen.png, 0);
  bad = compare_known (surface, fb, known, &bad_x, &bad_y);
  ck_assert_msg (bad == 0, "%s %dx%d: %u pixels differ, first at %d,%d (got 0x%06x)", picture_names[picture],
                 size->width, size->height, bad, bad_x, bad_y, bad ? fb[bad_y * width + bad_x] : 0);

  g_object_unref (socket);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

/* With a quality level, photo-like tiles go JPEG, neighbours in a row as
 * one rectangle, and the rest stays lossless: fills, and PNG (TightPNG)
 * or BasicCompression (Tight). */
START_TEST (test_encodings_quality_level_sends_jpeg_for_photos)
{
  gint32 encoding = _i == 0 ? 7 : -260;
  gint32 encodings[] = { encoding, -32 + 8 };
  cairo_surface_t *surface = picture_new (PICTURE_PHOTO, 192, 128, 600);
  TestServer *ts = test_server_new (surface);
  GSocket *socket;
  int width = 0, height = 0, bad_x = -1, bad_y = -1;
  g_autofree guint32 *fb = NULL;
  g_autofree guint8 *known = NULL;
  Seen seen = { 0 };
  cairo_t *cr;

  /* A flat band on the right: fills, whatever the quality. */
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 0.5, 0.5, 0.5);
  cairo_rectangle (cr, 128, 0, 64, 128);
  cairo_fill (cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  test_server_start (ts);
  socket = test_raw_connect (ts->port);
  ck_assert (test_raw_handshake (socket, &width, &height));
  test_raw_set_encodings (socket, encodings, G_N_ELEMENTS (encodings));
  test_raw_request_update (socket, FALSE, 0, 0, width, height);
  fb = g_new0 (guint32, (gsize) width * height);
  known = g_new0 (guint8, (gsize) width * height);
  raw_read_tight_update (socket, encoding, fb, known, width, height, &seen);

  ck_assert_uint_eq (seen.fill, 2);
  /* The two photo tiles of each tile row share one 128-wide JPEG. */
  ck_assert_msg (seen.jpeg == (server_has_jpeg () ? 2u : 0u), "%u JPEG rectangles (%u basic, %u PNG)",
                 seen.jpeg, seen.basic, seen.png);
  ck_assert_uint_eq (compare_known (surface, fb, known, &bad_x, &bad_y), 0);

  g_object_unref (socket);
  test_server_free (ts);
  cairo_surface_destroy (surface);
}
END_TEST

static Suite *
encodings_tight_suite (void)
{
  Suite *s = suite_create ("encodings-tight");
  TCase *tc;

  tc = tcase_create ("lossless");
  tcase_set_timeout (tc, 60);
  tcase_add_loop_test (tc, test_encodings_lossless_match_surface, 0, N_PICTURES * G_N_ELEMENTS (sizes));
  tcase_add_loop_test (tc, test_encodings_large_surface_matches, 0, G_N_ELEMENTS (lossless_encodings));
  suite_add_tcase (s, tc);

  tc = tcase_create ("jpeg");
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_encodings_tight_jpeg_keeps_30_db);
  tcase_add_test (tc, test_encodings_tight_quality_at_8_bpp_is_lossless);
  tcase_add_loop_test (tc, test_encodings_quality_level_sends_jpeg_for_photos, 0, 2);
  suite_add_tcase (s, tc);

  tc = tcase_create ("streams");
  tcase_set_timeout (tc, 60);
  tcase_add_loop_test (tc, test_encodings_late_viewer_matches_after_animation, 0, G_N_ELEMENTS (lossless_encodings));
  suite_add_tcase (s, tc);

  tc = tcase_create ("tightpng");
  tcase_set_timeout (tc, 60);
  tcase_add_loop_test (tc, test_encodings_tightpng_raw_viewer_matches, 0, N_PICTURES * G_N_ELEMENTS (sizes));
  suite_add_tcase (s, tc);

  return s;
}

int
main (void)
{
  SRunner *runner;
  int failed;

  testutil_init ();
  runner = srunner_create (encodings_tight_suite ());
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
