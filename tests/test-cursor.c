/* test-cursor.c — cursor shapes copied from surfaces and written in both
 * wire forms: the Cursor pseudo-encoding (pixels in the viewer's format,
 * a bitmask from alpha, most significant bit leftmost) and Cursor With
 * Alpha (Raw RGBA, premultiplied); the limits on what can be a cursor.
 */
#include <string.h>

#include "checkutil.h"
#include "cairovnc.h"
#include "cursor.h"
#include "rfb.h"

static void
set_pixel (cairo_surface_t *surface, int x, int y, guint32 argb)
{
  guint8 *data;
  int stride;

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  ((guint32 *) (void *) (data + y * stride))[x] = argb;
  cairo_surface_mark_dirty (surface);
}

/* A 10x2 cursor: row 0 opaque red, half-transparent green (alpha 0x80),
 * faint blue (alpha 0x7f), transparent; row 1 opaque white at x = 9. */
static cairo_surface_t *
sample_surface (void)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 10, 2);

  set_pixel (surface, 0, 0, 0xffff0000);
  set_pixel (surface, 1, 0, 0x80008000);
  set_pixel (surface, 2, 0, 0x7f00007f);
  set_pixel (surface, 9, 1, 0xffffffff);
  return surface;
}

static void
check_rect_header (const guint8 *p, guint x, guint y, guint w, guint h, gint32 encoding)
{
  ck_assert_uint_eq (rfb_get_u16 (p), x);
  ck_assert_uint_eq (rfb_get_u16 (p + 2), y);
  ck_assert_uint_eq (rfb_get_u16 (p + 4), w);
  ck_assert_uint_eq (rfb_get_u16 (p + 6), h);
  ck_assert_int_eq ((gint32) rfb_get_u32 (p + 8), encoding);
}

START_TEST (test_cursor_rect_pixels_and_mask)
{
  cairo_surface_t *surface = sample_surface ();
  g_autoptr (GError) error = NULL;
  g_autoptr (Cursor) cursor = cursor_new_from_surface (surface, 3, 1, &error);
  g_autoptr (PixfmtConverter) converter = pixfmt_converter_new (&pixfmt_server_default);
  g_autoptr (GByteArray) out = g_byte_array_new ();
  const guint8 *pixels, *mask;

  ck_assert_msg (cursor != NULL, "%s", error ? error->message : "?");
  cursor_append_rect (cursor, converter, out);
  /* Header, 10x2 pixels of 4 bytes, two rows of 2 mask bytes. */
  ck_assert_uint_eq (out->len, 12 + 10 * 2 * 4 + 2 * 2);
  check_rect_header (out->data, 3, 1, 10, 2, RFB_ENCODING_CURSOR);
  pixels = out->data + 12;
  /* Little-endian 32 bpp, red at 16: colour without premultiplication. */
  ck_assert_uint_eq (GUINT32_FROM_LE (((const guint32 *) (const void *) pixels)[0]) & 0xffffff, 0xff0000);
  ck_assert_uint_eq (GUINT32_FROM_LE (((const guint32 *) (const void *) pixels)[1]) & 0xffffff, 0x00ff00);
  ck_assert_uint_eq (GUINT32_FROM_LE (((const guint32 *) (const void *) pixels)[19]) & 0xffffff, 0xffffff);
  mask = pixels + 10 * 2 * 4;
  /* Row 0: pixels 0 and 1 (alpha 0xff, 0x80) show; 2 (0x7f) and the rest
   * do not. Row 1: only pixel 9, in the second byte's top bit. */
  ck_assert_uint_eq (mask[0], 0xc0);
  ck_assert_uint_eq (mask[1], 0x00);
  ck_assert_uint_eq (mask[2], 0x00);
  ck_assert_uint_eq (mask[3], 0x40);
  cairo_surface_destroy (surface);
}
END_TEST

START_TEST (test_cursor_rect_in_viewer_format)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 2, 1);
  RfbPixelFormat rgb565 = { 16, 16, TRUE, TRUE, 31, 63, 31, 11, 5, 0 };
  g_autoptr (Cursor) cursor = NULL;
  g_autoptr (PixfmtConverter) converter = pixfmt_converter_new (&rgb565);
  g_autoptr (GByteArray) out = g_byte_array_new ();

  /* RGB24's top byte is undefined: the cursor is opaque anyway. */
  set_pixel (surface, 0, 0, 0x00ff0000);
  set_pixel (surface, 1, 0, 0x120000ff);
  cursor = cursor_new_from_surface (surface, 0, 0, NULL);
  ck_assert_ptr_nonnull (cursor);
  cursor_append_rect (cursor, converter, out);
  ck_assert_uint_eq (out->len, 12 + 2 * 2 + 1);
  /* Big-endian 5-6-5: red 0xf800, blue 0x001f. */
  ck_assert_uint_eq (rfb_get_u16 (out->data + 12), 0xf800);
  ck_assert_uint_eq (rfb_get_u16 (out->data + 14), 0x001f);
  ck_assert_uint_eq (out->data[16], 0xc0);
  cairo_surface_destroy (surface);
}
END_TEST

START_TEST (test_cursor_alpha_rect_is_premultiplied_rgba)
{
  cairo_surface_t *surface = sample_surface ();
  g_autoptr (Cursor) cursor = cursor_new_from_surface (surface, 9, 0, NULL);
  g_autoptr (GByteArray) out = g_byte_array_new ();
  const guint8 *p;

  ck_assert_ptr_nonnull (cursor);
  cursor_append_alpha_rect (cursor, out);
  ck_assert_uint_eq (out->len, 12 + 4 + 10 * 2 * 4);
  check_rect_header (out->data, 9, 0, 10, 2, RFB_ENCODING_CURSOR_WITH_ALPHA);
  ck_assert_int_eq ((gint32) rfb_get_u32 (out->data + 12), RFB_ENCODING_RAW);
  p = out->data + 16;
  ck_assert_mem_eq (p, "\xff\x00\x00\xff", 4);
  ck_assert_mem_eq (p + 4, "\x00\x80\x00\x80", 4);
  ck_assert_mem_eq (p + 8, "\x00\x00\x7f\x7f", 4);
  ck_assert_mem_eq (p + 12, "\x00\x00\x00\x00", 4);
  ck_assert_mem_eq (p + 19 * 4, "\xff\xff\xff\xff", 4);
  cairo_surface_destroy (surface);
}
END_TEST

START_TEST (test_cursor_null_is_empty_shape)
{
  g_autoptr (PixfmtConverter) converter = pixfmt_converter_new (&pixfmt_server_default);
  g_autoptr (GByteArray) rich = g_byte_array_new ();
  g_autoptr (GByteArray) alpha = g_byte_array_new ();

  cursor_append_rect (NULL, converter, rich);
  ck_assert_uint_eq (rich->len, 12);
  check_rect_header (rich->data, 0, 0, 0, 0, RFB_ENCODING_CURSOR);
  cursor_append_alpha_rect (NULL, alpha);
  ck_assert_uint_eq (alpha->len, 16);
  check_rect_header (alpha->data, 0, 0, 0, 0, RFB_ENCODING_CURSOR_WITH_ALPHA);
  ck_assert_int_eq ((gint32) rfb_get_u32 (alpha->data + 12), RFB_ENCODING_RAW);
}
END_TEST

START_TEST (test_cursor_copy_is_independent_of_surface)
{
  cairo_surface_t *surface = sample_surface ();
  g_autoptr (Cursor) cursor = cursor_new_from_surface (surface, 0, 0, NULL);

  ck_assert_ptr_nonnull (cursor);
  set_pixel (surface, 0, 0, 0xff00ff00);
  cairo_surface_destroy (surface);
  ck_assert_uint_eq (cursor->pixels[0], 0xffff0000);
  ck_assert_uint_eq (cursor->pixels[19], 0xffffffff);
}
END_TEST

static void
expect_refused (cairo_surface_t *surface, int hot_x, int hot_y, const char *words)
{
  g_autoptr (GError) error = NULL;
  Cursor *cursor = cursor_new_from_surface (surface, hot_x, hot_y, &error);

  ck_assert_ptr_null (cursor);
  ck_assert (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_UNSUPPORTED_SURFACE));
  ck_assert_msg (strstr (error->message, words) != NULL, "\"%s\" does not say \"%s\"", error->message, words);
  cairo_surface_destroy (surface);
}

START_TEST (test_cursor_refuses_what_cannot_be_a_cursor)
{
  expect_refused (cairo_image_surface_create (CAIRO_FORMAT_A8, 8, 8), 0, 0, "CAIRO_FORMAT_ARGB32");
  expect_refused (cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 0, 8), 0, 0, "0x8");
  expect_refused (cairo_image_surface_create (CAIRO_FORMAT_ARGB32, CURSOR_MAX_SIZE + 1, 4), 0, 0, "513x4");
  expect_refused (cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 8, 8), 8, 0, "hotspot 8,0");
  expect_refused (cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 8, 8), 0, -1, "hotspot 0,-1");
  expect_refused (cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, NULL), 0, 0, "image surface");
}
END_TEST

START_TEST (test_cursor_largest_accepted)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, CURSOR_MAX_SIZE, CURSOR_MAX_SIZE);
  g_autoptr (Cursor) cursor = cursor_new_from_surface (surface, CURSOR_MAX_SIZE - 1, CURSOR_MAX_SIZE - 1, NULL);

  ck_assert_ptr_nonnull (cursor);
  ck_assert_int_eq (cursor->width, CURSOR_MAX_SIZE);
  ck_assert_int_eq (cursor->hot_x, CURSOR_MAX_SIZE - 1);
  cairo_surface_destroy (surface);
}
END_TEST

static Suite *
cursor_suite (void)
{
  Suite *suite = suite_create ("cursor");
  TCase *wire = tcase_create ("wire");
  TCase *copy = tcase_create ("copy");

  tcase_add_test (wire, test_cursor_rect_pixels_and_mask);
  tcase_add_test (wire, test_cursor_rect_in_viewer_format);
  tcase_add_test (wire, test_cursor_alpha_rect_is_premultiplied_rgba);
  tcase_add_test (wire, test_cursor_null_is_empty_shape);
  suite_add_tcase (suite, wire);
  tcase_add_test (copy, test_cursor_copy_is_independent_of_surface);
  tcase_add_test (copy, test_cursor_refuses_what_cannot_be_a_cursor);
  tcase_add_test (copy, test_cursor_largest_accepted);
  suite_add_tcase (suite, copy);
  return suite;
}

int
main (void)
{
  return checkutil_run (cursor_suite ());
}
