/* test-pixfmt.c — RFB pixel formats and the conversion from snapshots.
 *
 * Covers pixfmt_validate on the formats viewers may ask for, the per-pixel
 * oracle pixfmt_convert_pixel against channel scaling computed here, and
 * pixfmt_convert (fast paths and the generic converter) against that
 * oracle on seeded random blocks: random widths and extra source stride,
 * bytes biased to 0 and 255, guard bytes after the output. Also the wire
 * form of PIXEL_FORMAT and the cache key.
 */
#include "checkutil.h"
#include <math.h>
#include <string.h>

#include "cairovnc.h"
#include "pixfmt.h"

#define HOST_BIG_ENDIAN (G_BYTE_ORDER == G_BIG_ENDIAN)

static RfbPixelFormat
make_format (guint bpp, guint depth, gboolean big_endian,
             guint red_max, guint green_max, guint blue_max,
             guint red_shift, guint green_shift, guint blue_shift)
{
  RfbPixelFormat f = {
    .bits_per_pixel = (guint8) bpp, .depth = (guint8) depth,
    .big_endian = big_endian, .true_colour = TRUE,
    .red_max = (guint16) red_max, .green_max = (guint16) green_max, .blue_max = (guint16) blue_max,
    .red_shift = (guint8) red_shift, .green_shift = (guint8) green_shift,
    .blue_shift = (guint8) blue_shift,
  };
  return f;
}

/* ---- Validation ---- */

typedef struct {
  guint bpp;
  guint red_max, green_max, blue_max;
  guint red_shift, green_shift, blue_shift;
} Layout;

static const Layout valid_layouts[] = {
  { 8, 7, 7, 3, 0, 3, 6 },         /* bgr233 */
  { 8, 7, 7, 3, 5, 2, 0 },         /* rgb332 */
  { 8, 3, 3, 3, 4, 2, 0 },         /* rgb222 */
  { 8, 1, 1, 1, 0, 1, 2 },         /* rgb111 */
  { 8, 3, 7, 7, 6, 3, 0 },         /* rgb233 */
  { 16, 31, 63, 31, 11, 5, 0 },    /* rgb565 */
  { 16, 31, 63, 31, 0, 5, 11 },    /* bgr565 */
  { 16, 31, 31, 31, 10, 5, 0 },    /* rgb555 */
  { 16, 15, 15, 15, 8, 4, 0 },     /* rgb444 */
  { 16, 15, 15, 15, 12, 8, 4 },    /* rgb444 at the top */
  { 32, 255, 255, 255, 16, 8, 0 }, /* x8r8g8b8 */
  { 32, 255, 255, 255, 0, 8, 16 }, /* x8b8g8r8 */
  { 32, 255, 255, 255, 24, 16, 8 },/* r8g8b8x8 */
  { 32, 255, 255, 255, 8, 16, 24 },/* b8g8r8x8 reversed */
  { 32, 1023, 1023, 1023, 20, 10, 0 }, /* 10-bit */
  { 32, 65535, 32767, 1, 16, 1, 0 }, /* wide maxima up to the top bit */
};

START_TEST (test_pixfmt_validate_accepts_true_colour_formats)
{
  for (guint i = 0; i < G_N_ELEMENTS (valid_layouts); i++)
    {
      const Layout *l = &valid_layouts[i];

      for (int big = 0; big <= 1; big++)
        {
          for (guint depth = 1; depth <= l->bpp; depth += 7)
            {
              g_autoptr (GError) error = NULL;
              RfbPixelFormat f = make_format (l->bpp, depth, big, l->red_max, l->green_max,
                                              l->blue_max, l->red_shift, l->green_shift,
                                              l->blue_shift);
              g_autofree char *name = pixfmt_to_string (&f);

              ck_assert_msg (pixfmt_validate (&f, &error), "%s refused: %s", name,
                             error ? error->message : "");
              ck_assert_ptr_null (error);
            }
        }
    }
}
END_TEST

static void
assert_refused (const RfbPixelFormat *f, const char *must_contain)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *name = pixfmt_to_string (f);

  ck_assert_msg (!pixfmt_validate (f, &error), "%s was accepted", name);
  ck_assert_ptr_nonnull (error);
  ck_assert_msg (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL),
                 "%s: wrong error %s", name, error->message);
  ck_assert_msg (strstr (error->message, must_contain) != NULL,
                 "%s: error \"%s\" does not mention \"%s\"", name, error->message, must_contain);
  /* NULL error is allowed too. */
  ck_assert (!pixfmt_validate (f, NULL));
}

START_TEST (test_pixfmt_validate_rejects_bits_per_pixel)
{
  static const guint bad_bpp[] = { 0, 1, 4, 7, 12, 15, 24, 31, 33, 48, 64, 255 };

  for (guint i = 0; i < G_N_ELEMENTS (bad_bpp); i++)
    {
      RfbPixelFormat f = make_format (bad_bpp[i], 8, FALSE, 1, 1, 1, 0, 1, 2);
      g_autofree char *number = g_strdup_printf ("%u", bad_bpp[i]);
      assert_refused (&f, number);
    }
}
END_TEST

START_TEST (test_pixfmt_validate_rejects_zero_maxima)
{
  RfbPixelFormat f;

  f = make_format (32, 24, FALSE, 0, 255, 255, 16, 8, 0);
  assert_refused (&f, "red");
  f = make_format (32, 24, FALSE, 255, 0, 255, 16, 8, 0);
  assert_refused (&f, "green");
  f = make_format (16, 16, FALSE, 31, 63, 0, 11, 5, 0);
  assert_refused (&f, "blue");
  f = make_format (8, 8, FALSE, 0, 0, 0, 0, 0, 0);
  assert_refused (&f, "0");
}
END_TEST

START_TEST (test_pixfmt_validate_rejects_maxima_not_power_of_two_less_one)
{
  static const guint bad_max[] = { 2, 4, 6, 100, 128, 254, 256, 1000, 0x8000, 0xfffe };

  for (guint i = 0; i < G_N_ELEMENTS (bad_max); i++)
    {
      g_autofree char *number = g_strdup_printf ("%u", bad_max[i]);
      RfbPixelFormat f;

      f = make_format (32, 24, TRUE, bad_max[i], 255, 255, 16, 8, 0);
      assert_refused (&f, number);
      f = make_format (32, 24, TRUE, 255, bad_max[i], 255, 16, 8, 0);
      assert_refused (&f, number);
      f = make_format (32, 24, TRUE, 255, 255, bad_max[i], 16, 8, 0);
      assert_refused (&f, number);
    }
}
END_TEST

START_TEST (test_pixfmt_validate_rejects_shifts_beyond_pixel)
{
  RfbPixelFormat f;

  f = make_format (8, 8, FALSE, 7, 7, 3, 6, 3, 0);      /* red bits 6..8 */
  assert_refused (&f, "red");
  f = make_format (8, 8, FALSE, 7, 7, 3, 0, 3, 7);      /* blue bits 7..8 */
  assert_refused (&f, "blue");
  f = make_format (16, 16, FALSE, 31, 63, 31, 12, 5, 0); /* red bits 12..16 */
  assert_refused (&f, "red");
  f = make_format (16, 16, FALSE, 31, 63, 31, 11, 11, 0); /* green bits 11..16 */
  assert_refused (&f, "green");
  f = make_format (32, 24, FALSE, 255, 255, 255, 25, 8, 0);
  assert_refused (&f, "red");
  f = make_format (32, 24, FALSE, 1, 1, 1, 32, 8, 0);
  assert_refused (&f, "red");
  f = make_format (32, 24, FALSE, 255, 255, 255, 16, 8, 255);
  assert_refused (&f, "blue");
  f = make_format (32, 24, FALSE, 1023, 1023, 1023, 23, 10, 0);
  assert_refused (&f, "red");
}
END_TEST

START_TEST (test_pixfmt_validate_rejects_colour_map)
{
  static const guint bpps[] = { 16, 32 };

  for (guint i = 0; i < G_N_ELEMENTS (bpps); i++)
    {
      RfbPixelFormat f = make_format (bpps[i], bpps[i], FALSE, 0, 0, 0, 0, 0, 0);
      g_autofree char *number = g_strdup_printf ("%u", bpps[i]);

      f.true_colour = FALSE;
      assert_refused (&f, number);
      /* Even with maxima that would do for true colour. */
      f = make_format (bpps[i], 16, TRUE, 31, 63, 31, 11, 5, 0);
      f.true_colour = FALSE;
      assert_refused (&f, "colour-map");
    }
}
END_TEST

/* ---- The per-pixel oracle ---- */

/* The nearest channel value: v * max / 255, rounded. */
static guint
scale_reference (guint v, guint max)
{
  return (guint) floor ((double) v * (double) max / 255.0 + 0.5);
}

static guint32
convert_reference (const RfbPixelFormat *f, guint32 argb)
{
  return ((guint32) scale_reference ((argb >> 16) & 0xff, f->red_max) << f->red_shift) |
         ((guint32) scale_reference ((argb >> 8) & 0xff, f->green_max) << f->green_shift) |
         ((guint32) scale_reference (argb & 0xff, f->blue_max) << f->blue_shift);
}

START_TEST (test_pixfmt_convert_pixel_scales_each_channel)
{
  for (guint i = 0; i < G_N_ELEMENTS (valid_layouts); i++)
    {
      const Layout *l = &valid_layouts[i];
      RfbPixelFormat f = make_format (l->bpp, l->bpp, FALSE, l->red_max, l->green_max,
                                      l->blue_max, l->red_shift, l->green_shift, l->blue_shift);

      /* The alpha byte is random-looking and must never matter. */
      for (guint v = 0; v < 256; v++)
        {
          guint32 alpha = (v * 0x9e) << 24;
          guint32 grey = alpha | (v << 16) | (v << 8) | v;
          guint32 mixed = alpha | (v << 16) | ((255 - v) << 8) | ((v * 7) & 0xff);

          ck_assert_msg (pixfmt_convert_pixel (&f, grey) == convert_reference (&f, grey),
                         "layout %u pixel %08x: %08x, expected %08x", i, grey,
                         pixfmt_convert_pixel (&f, grey), convert_reference (&f, grey));
          ck_assert_msg (pixfmt_convert_pixel (&f, mixed) == convert_reference (&f, mixed),
                         "layout %u pixel %08x: %08x, expected %08x", i, mixed,
                         pixfmt_convert_pixel (&f, mixed), convert_reference (&f, mixed));
        }
    }
}
END_TEST

START_TEST (test_pixfmt_convert_pixel_known_values)
{
  RfbPixelFormat rgb565 = make_format (16, 16, FALSE, 31, 63, 31, 11, 5, 0);
  RfbPixelFormat rgb555 = make_format (16, 15, FALSE, 31, 31, 31, 10, 5, 0);
  RfbPixelFormat rgb332 = make_format (8, 8, FALSE, 7, 7, 3, 5, 2, 0);

  ck_assert_uint_eq (pixfmt_convert_pixel (&pixfmt_server_default, 0x00123456), 0x123456);
  ck_assert_uint_eq (pixfmt_convert_pixel (&pixfmt_server_default, 0xff123456), 0x123456);
  ck_assert_uint_eq (pixfmt_convert_pixel (&pixfmt_bgr233, 0xffffffff), 0xff);
  ck_assert_uint_eq (pixfmt_convert_pixel (&pixfmt_bgr233, 0x00ff0000), 0x07);
  ck_assert_uint_eq (pixfmt_convert_pixel (&pixfmt_bgr233, 0x0000ff00), 0x38);
  ck_assert_uint_eq (pixfmt_convert_pixel (&pixfmt_bgr233, 0x000000ff), 0xc0);
  ck_assert_uint_eq (pixfmt_convert_pixel (&pixfmt_bgr233, 0xff000000), 0x00);
  ck_assert_uint_eq (pixfmt_convert_pixel (&rgb332, 0x00ff0000), 0xe0);
  ck_assert_uint_eq (pixfmt_convert_pixel (&rgb332, 0x000000ff), 0x03);
  ck_assert_uint_eq (pixfmt_convert_pixel (&rgb565, 0x00ff0000), 0xf800);
  ck_assert_uint_eq (pixfmt_convert_pixel (&rgb565, 0x0000ff00), 0x07e0);
  ck_assert_uint_eq (pixfmt_convert_pixel (&rgb565, 0x000000ff), 0x001f);
  ck_assert_uint_eq (pixfmt_convert_pixel (&rgb565, 0x00808080), (16 << 11) | (32 << 5) | 16);
  ck_assert_uint_eq (pixfmt_convert_pixel (&rgb555, 0x00ffffff), 0x7fff);
}
END_TEST

/* ---- Block conversion against the oracle ---- */

/* The bytes of one pixel value on the wire. */
static void
put_pixel (const RfbPixelFormat *f, guint32 v, guint8 *out)
{
  switch (f->bits_per_pixel)
    {
    case 8:
      out[0] = (guint8) v;
      break;
    case 16:
      if (f->big_endian)
        {
          out[0] = (guint8) (v >> 8);
          out[1] = (guint8) v;
        }
      else
        {
          out[0] = (guint8) v;
          out[1] = (guint8) (v >> 8);
        }
      break;
    case 32:
      for (int i = 0; i < 4; i++)
        out[f->big_endian ? 3 - i : i] = (guint8) (v >> (8 * i));
      break;
    default:
      ck_abort_msg ("bad bpp %u", f->bits_per_pixel);
    }
}

/* pixman's blitters-test idea: many pixels are all-0 or all-1 bytes. */
static guint8
biased_byte (GRand *rand)
{
  switch (g_rand_int_range (rand, 0, 4))
    {
    case 0:
      return 0;
    case 1:
      return 255;
    default:
      return (guint8) g_rand_int_range (rand, 0, 256);
    }
}

#define GUARD_LEN 16
#define GUARD_BYTE 0xa5

static void
check_convert_random (const RfbPixelFormat *f, guint32 seed, guint iterations)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr (PixfmtConverter) converter = NULL;
  g_autofree char *name = pixfmt_to_string (f);
  guint bpp = f->bits_per_pixel / 8;

  ck_assert_msg (pixfmt_validate (f, NULL), "%s is not valid", name);
  converter = pixfmt_converter_new (f);
  ck_assert (pixfmt_equal (pixfmt_converter_get_format (converter), f));

  for (guint iter = 0; iter < iterations; iter++)
    {
      guint w = (guint) g_rand_int_range (rand, 1, 68);
      guint h = (guint) g_rand_int_range (rand, 1, 9);
      guint extra = (guint) g_rand_int_range (rand, 0, 4) == 0 ? 0 : (guint) g_rand_int_range (rand, 1, 9);
      gsize src_stride = (gsize) (w + extra) * 4;
      gsize dst_len = (gsize) w * h * bpp;
      g_autofree guint8 *src = g_malloc (src_stride * h);
      g_autofree guint8 *dst = g_malloc (dst_len + GUARD_LEN);
      g_autofree guint8 *expected = g_malloc (dst_len);

      for (gsize i = 0; i < src_stride * h; i++)
        src[i] = biased_byte (rand);
      memset (dst, GUARD_BYTE, dst_len + GUARD_LEN);

      for (guint y = 0; y < h; y++)
        for (guint x = 0; x < w; x++)
          {
            guint32 p;
            memcpy (&p, src + y * src_stride + x * 4, 4);
            put_pixel (f, pixfmt_convert_pixel (f, p), expected + ((gsize) y * w + x) * bpp);
          }

      pixfmt_convert (converter, (const guint32 *) (const void *) src, src_stride, w, h, dst);

      for (gsize i = 0; i < dst_len; i++)
        {
          if (dst[i] != expected[i])
            {
              gsize px = i / bpp;
              guint32 p;
              memcpy (&p, src + (px / w) * src_stride + (px % w) * 4, 4);
              ck_abort_msg ("%s, seed %u iteration %u (%ux%u, stride %" G_GSIZE_FORMAT "): "
                            "pixel (%" G_GSIZE_FORMAT ",%" G_GSIZE_FORMAT ") from %08x: byte %"
                            G_GSIZE_FORMAT " is %02x, expected %02x",
                            name, seed, iter, w, h, src_stride, px % w, px / w, p,
                            i % bpp, dst[i], expected[i]);
            }
        }
      for (gsize i = 0; i < GUARD_LEN; i++)
        ck_assert_msg (dst[dst_len + i] == GUARD_BYTE, "%s: wrote past the output (%ux%u)",
                       name, w, h);
    }
}

typedef struct {
  const char *name;
  RfbPixelFormat format;
} NamedFormat;

static NamedFormat convert_formats[6];
static NamedFormat generic_formats[12];

static void
init_formats (void)
{
  gboolean host = HOST_BIG_ENDIAN, other = !HOST_BIG_ENDIAN;
  guint i = 0;

  /* The fast paths. */
  convert_formats[i++] = (NamedFormat) { "x8r8g8b8 host order",
    make_format (32, 24, host, 255, 255, 255, 16, 8, 0) };
  convert_formats[i++] = (NamedFormat) { "x8r8g8b8 swapped",
    make_format (32, 24, other, 255, 255, 255, 16, 8, 0) };
  convert_formats[i++] = (NamedFormat) { "x8b8g8r8 host order",
    make_format (32, 24, host, 255, 255, 255, 0, 8, 16) };
  convert_formats[i++] = (NamedFormat) { "r5g6b5 host order",
    make_format (16, 16, host, 31, 63, 31, 11, 5, 0) };
  convert_formats[i++] = (NamedFormat) { "x8r8g8b8 big-endian",
    make_format (32, 24, TRUE, 255, 255, 255, 16, 8, 0) };
  convert_formats[i++] = (NamedFormat) { "x8r8g8b8 little-endian depth 32",
    make_format (32, 32, FALSE, 255, 255, 255, 16, 8, 0) };
  ck_assert_uint_eq (i, G_N_ELEMENTS (convert_formats));

  i = 0;
  generic_formats[i++] = (NamedFormat) { "r5g5b5 big-endian",
    make_format (16, 15, TRUE, 31, 31, 31, 10, 5, 0) };
  generic_formats[i++] = (NamedFormat) { "r5g5b5 little-endian",
    make_format (16, 15, FALSE, 31, 31, 31, 10, 5, 0) };
  generic_formats[i++] = (NamedFormat) { "r5g6b5 swapped",
    make_format (16, 16, other, 31, 63, 31, 11, 5, 0) };
  generic_formats[i++] = (NamedFormat) { "b5g6r5 little-endian",
    make_format (16, 16, FALSE, 31, 63, 31, 0, 5, 11) };
  generic_formats[i++] = (NamedFormat) { "bgr233", pixfmt_bgr233 };
  generic_formats[i++] = (NamedFormat) { "bgr233 big-endian flag",
    make_format (8, 8, TRUE, 7, 7, 3, 0, 3, 6) };
  generic_formats[i++] = (NamedFormat) { "rgb332",
    make_format (8, 8, FALSE, 7, 7, 3, 5, 2, 0) };
  generic_formats[i++] = (NamedFormat) { "r8g8b8x8 shift 24 little-endian",
    make_format (32, 24, FALSE, 255, 255, 255, 24, 16, 8) };
  generic_formats[i++] = (NamedFormat) { "r8g8b8x8 shift 24 big-endian",
    make_format (32, 24, TRUE, 255, 255, 255, 24, 16, 8) };
  generic_formats[i++] = (NamedFormat) { "x8b8g8r8 swapped",
    make_format (32, 24, other, 255, 255, 255, 0, 8, 16) };
  generic_formats[i++] = (NamedFormat) { "r10g10b10 big-endian",
    make_format (32, 30, TRUE, 1023, 1023, 1023, 20, 10, 0) };
  generic_formats[i++] = (NamedFormat) { "r4g4b4 in 16 little-endian",
    make_format (16, 12, FALSE, 15, 15, 15, 8, 4, 0) };
  ck_assert_uint_eq (i, G_N_ELEMENTS (generic_formats));
}

START_TEST (test_pixfmt_convert_fast_paths_match_oracle)
{
  init_formats ();
  check_convert_random (&convert_formats[_i].format, 0x5eed0000u + (guint32) _i, 300);
}
END_TEST

START_TEST (test_pixfmt_convert_generic_formats_match_oracle)
{
  init_formats ();
  check_convert_random (&generic_formats[_i].format, 0x9e3779b9u + (guint32) _i, 300);
}
END_TEST

START_TEST (test_pixfmt_convert_alpha_never_leaks)
{
  /* ARGB32 input with alpha set and black colour gives all-zero pixels in
   * every 32 bpp format; white gives zero in the padding byte. */
  static const guint32 src[4] = { 0xff000000, 0x80000000, 0xffffffff, 0x7f000000 };

  init_formats ();
  for (guint i = 0; i < G_N_ELEMENTS (convert_formats) + G_N_ELEMENTS (generic_formats); i++)
    {
      const NamedFormat *nf = i < G_N_ELEMENTS (convert_formats)
        ? &convert_formats[i] : &generic_formats[i - G_N_ELEMENTS (convert_formats)];
      g_autoptr (PixfmtConverter) converter = NULL;
      guint8 dst[16];
      guint32 white = 0;

      if (nf->format.bits_per_pixel != 32)
        continue;
      converter = pixfmt_converter_new (&nf->format);
      memset (dst, 0xee, sizeof dst);
      pixfmt_convert (converter, src, sizeof src, 4, 1, dst);
      for (int b = 0; b < 4; b++)
        {
          ck_assert_msg (dst[b] == 0 && dst[4 + b] == 0 && dst[12 + b] == 0,
                         "%s: alpha leaked into byte %d", nf->name, b);
        }
      for (int b = 0; b < 4; b++)
        white = (white << 8) | dst[8 + (nf->format.big_endian ? b : 3 - b)];
      ck_assert_msg (white == (((guint32) nf->format.red_max << nf->format.red_shift) |
                               ((guint32) nf->format.green_max << nf->format.green_shift) |
                               ((guint32) nf->format.blue_max << nf->format.blue_shift)),
                     "%s: white is %08x", nf->name, white);
    }
}
END_TEST

START_TEST (test_pixfmt_convert_byte_order_is_the_formats)
{
  static const guint32 src[1] = { 0xff112233 };
  struct {
    RfbPixelFormat format;
    guint8 bytes[4];
  } cases[] = {
    { make_format (32, 24, FALSE, 255, 255, 255, 16, 8, 0), { 0x33, 0x22, 0x11, 0x00 } },
    { make_format (32, 24, TRUE, 255, 255, 255, 16, 8, 0), { 0x00, 0x11, 0x22, 0x33 } },
    { make_format (32, 24, FALSE, 255, 255, 255, 0, 8, 16), { 0x11, 0x22, 0x33, 0x00 } },
    { make_format (32, 24, TRUE, 255, 255, 255, 0, 8, 16), { 0x00, 0x33, 0x22, 0x11 } },
    { make_format (32, 24, FALSE, 255, 255, 255, 24, 16, 8), { 0x00, 0x33, 0x22, 0x11 } },
    { make_format (32, 24, TRUE, 255, 255, 255, 24, 16, 8), { 0x11, 0x22, 0x33, 0x00 } },
  };
  /* 0xff0000 in r5g6b5 is 0xf800; 0x0000ff in r5g5b5 is 0x001f. */
  static const guint32 red[1] = { 0x00ff0000 }, blue[1] = { 0x000000ff };
  RfbPixelFormat rgb565_le = make_format (16, 16, FALSE, 31, 63, 31, 11, 5, 0);
  RfbPixelFormat rgb565_be = make_format (16, 16, TRUE, 31, 63, 31, 11, 5, 0);
  RfbPixelFormat rgb555_be = make_format (16, 15, TRUE, 31, 31, 31, 10, 5, 0);
  guint8 dst[4];

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (PixfmtConverter) converter = pixfmt_converter_new (&cases[i].format);
      pixfmt_convert (converter, src, 4, 1, 1, dst);
      ck_assert_msg (memcmp (dst, cases[i].bytes, 4) == 0, "case %u: %02x %02x %02x %02x",
                     i, dst[0], dst[1], dst[2], dst[3]);
    }

  g_autoptr (PixfmtConverter) le = pixfmt_converter_new (&rgb565_le);
  g_autoptr (PixfmtConverter) be = pixfmt_converter_new (&rgb565_be);
  g_autoptr (PixfmtConverter) be555 = pixfmt_converter_new (&rgb555_be);
  pixfmt_convert (le, red, 4, 1, 1, dst);
  ck_assert_mem_eq (dst, "\x00\xf8", 2);
  pixfmt_convert (be, red, 4, 1, 1, dst);
  ck_assert_mem_eq (dst, "\xf8\x00", 2);
  pixfmt_convert (be555, blue, 4, 1, 1, dst);
  ck_assert_mem_eq (dst, "\x00\x1f", 2);
  pixfmt_convert (be555, red, 4, 1, 1, dst);
  ck_assert_mem_eq (dst, "\x7c\x00", 2);
}
END_TEST

START_TEST (test_pixfmt_convert_8bpp_ignores_byte_order)
{
  RfbPixelFormat le = pixfmt_bgr233, be = pixfmt_bgr233;
  g_autoptr (GRand) rand = g_rand_new_with_seed (233);
  guint32 src[64];
  guint8 out_le[64], out_be[64];

  be.big_endian = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (src); i++)
    src[i] = g_rand_int (rand);
  g_autoptr (PixfmtConverter) cle = pixfmt_converter_new (&le);
  g_autoptr (PixfmtConverter) cbe = pixfmt_converter_new (&be);
  pixfmt_convert (cle, src, 16 * 4, 16, 4, out_le);
  pixfmt_convert (cbe, src, 16 * 4, 16, 4, out_be);
  ck_assert_mem_eq (out_le, out_be, sizeof out_le);
  for (guint i = 0; i < G_N_ELEMENTS (src); i++)
    ck_assert_uint_eq (out_le[i], convert_reference (&le, src[i]));
}
END_TEST

START_TEST (test_pixfmt_convert_zero_height_writes_nothing)
{
  g_autoptr (PixfmtConverter) converter = pixfmt_converter_new (&pixfmt_server_default);
  guint32 src[4] = { 1, 2, 3, 4 };
  guint8 dst[8];

  memset (dst, GUARD_BYTE, sizeof dst);
  pixfmt_convert (converter, src, 16, 4, 0, dst);
  for (guint i = 0; i < sizeof dst; i++)
    ck_assert_uint_eq (dst[i], GUARD_BYTE);
}
END_TEST

/* ---- Wire form and keys ---- */

START_TEST (test_pixfmt_parse_and_write_round_trip)
{
  static const guint8 wire[RFB_PIXEL_FORMAT_LEN] = {
    16, 15, 1, 1, 0x00, 0x1f, 0x00, 0x1f, 0x00, 0x1f, 10, 5, 0, 0, 0, 0,
  };
  static const guint8 wire_with_junk[RFB_PIXEL_FORMAT_LEN] = {
    32, 24, 7, 9, 0x03, 0xff, 0x00, 0xff, 0x00, 0x01, 20, 8, 31, 0xaa, 0xbb, 0xcc,
  };
  RfbPixelFormat f;
  guint8 out[RFB_PIXEL_FORMAT_LEN];

  pixfmt_parse (wire, &f);
  ck_assert_uint_eq (f.bits_per_pixel, 16);
  ck_assert_uint_eq (f.depth, 15);
  ck_assert (f.big_endian);
  ck_assert (f.true_colour);
  ck_assert_uint_eq (f.red_max, 31);
  ck_assert_uint_eq (f.green_max, 31);
  ck_assert_uint_eq (f.blue_max, 31);
  ck_assert_uint_eq (f.red_shift, 10);
  ck_assert_uint_eq (f.green_shift, 5);
  ck_assert_uint_eq (f.blue_shift, 0);
  memset (out, 0xee, sizeof out);
  pixfmt_write (&f, out);
  ck_assert_mem_eq (out, wire, sizeof wire);

  /* Flags are any non-zero byte; padding is written as zeros. */
  pixfmt_parse (wire_with_junk, &f);
  ck_assert (f.big_endian);
  ck_assert (f.true_colour);
  ck_assert_uint_eq (f.red_max, 1023);
  ck_assert_uint_eq (f.blue_max, 1);
  ck_assert_uint_eq (f.blue_shift, 31);
  pixfmt_write (&f, out);
  ck_assert_mem_eq (out, "\x20\x18\x01\x01\x03\xff\x00\xff\x00\x01\x14\x08\x1f\x00\x00\x00",
                    RFB_PIXEL_FORMAT_LEN);

  pixfmt_write (&pixfmt_server_default, out);
  ck_assert_mem_eq (out, "\x20\x18\x00\x01\x00\xff\x00\xff\x00\xff\x10\x08\x00\x00\x00\x00",
                    RFB_PIXEL_FORMAT_LEN);
}
END_TEST

static gboolean
keys_equal (const RfbPixelFormat *a, const RfbPixelFormat *b)
{
  PixfmtKey ka, kb;

  memset (&ka, 0x11, sizeof ka);
  memset (&kb, 0x22, sizeof kb);
  pixfmt_key (a, &ka);
  pixfmt_key (b, &kb);
  return memcmp (&ka, &kb, sizeof ka) == 0;
}

START_TEST (test_pixfmt_convert_values_matches_the_oracle)
{
  const RfbPixelFormat formats[] = {
    make_format (32, 24, FALSE, 255, 255, 255, 16, 8, 0),
    make_format (32, 24, TRUE, 255, 255, 255, 16, 8, 0),
    make_format (32, 24, FALSE, 255, 255, 255, 0, 8, 16),
    make_format (16, 16, FALSE, 31, 63, 31, 11, 5, 0),
    make_format (8, 8, FALSE, 7, 7, 3, 0, 3, 6),
  };
  GRand *rand = g_rand_new_with_seed (42);
  guint32 src[7 * 5 + 3 * 5];
  guint32 values[7 * 5];

  /* Rows of 7 pixels, 3 pixels of stride padding, alpha bytes set. */
  for (gsize i = 0; i < G_N_ELEMENTS (src); i++)
    src[i] = g_rand_int (rand);
  for (gsize f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      g_autoptr (PixfmtConverter) converter = pixfmt_converter_new (&formats[f]);
      pixfmt_convert_values (converter, src, 10 * 4, 7, 5, values);
      for (guint y = 0; y < 5; y++)
        for (guint x = 0; x < 7; x++)
          ck_assert_uint_eq (values[y * 7 + x], pixfmt_convert_pixel (&formats[f], src[y * 10 + x]));
    }
  g_rand_free (rand);
}
END_TEST

START_TEST (test_pixfmt_key_ignores_depth_unless_pixels_compact)
{
  RfbPixelFormat a = make_format (32, 24, FALSE, 255, 255, 255, 16, 8, 0);
  RfbPixelFormat b = make_format (32, 32, FALSE, 255, 255, 255, 16, 8, 0);
  RfbPixelFormat c = make_format (16, 16, TRUE, 31, 31, 31, 10, 5, 0);
  RfbPixelFormat d = make_format (16, 15, TRUE, 31, 31, 31, 10, 5, 0);
  RfbPixelFormat e = make_format (32, 30, FALSE, 255, 255, 255, 16, 8, 0);

  /* At 32 bpp, depth decides whether ZRLE and Tight pixels are 3 bytes. */
  ck_assert (pixfmt_has_compact_pixels (&a));
  ck_assert (pixfmt_has_tight_rgb_pixels (&a));
  ck_assert (!pixfmt_has_compact_pixels (&b));
  ck_assert (!keys_equal (&a, &b));
  ck_assert (keys_equal (&b, &e));
  ck_assert (keys_equal (&c, &d));
  ck_assert (keys_equal (&a, &a));
}
END_TEST

START_TEST (test_pixfmt_compact_pixels_need_a_free_byte)
{
  RfbPixelFormat low = make_format (32, 24, FALSE, 255, 255, 255, 16, 8, 0);
  RfbPixelFormat high = make_format (32, 24, FALSE, 255, 255, 255, 24, 16, 8);
  RfbPixelFormat spread = make_format (32, 24, FALSE, 255, 255, 255, 0, 12, 24);
  RfbPixelFormat small = make_format (32, 16, FALSE, 31, 63, 31, 11, 5, 0);

  ck_assert (pixfmt_has_compact_pixels (&low));
  ck_assert (pixfmt_has_compact_pixels (&high));
  ck_assert (!pixfmt_has_compact_pixels (&spread));
  ck_assert (pixfmt_has_compact_pixels (&small));
  ck_assert (!pixfmt_has_tight_rgb_pixels (&small));
  ck_assert (!pixfmt_has_compact_pixels (&pixfmt_bgr233));
}
END_TEST

START_TEST (test_pixfmt_key_ignores_byte_order_at_8bpp)
{
  RfbPixelFormat a = pixfmt_bgr233, b = pixfmt_bgr233;

  b.big_endian = TRUE;
  ck_assert (keys_equal (&a, &b));
  ck_assert (pixfmt_equal (&a, &b));
}
END_TEST

START_TEST (test_pixfmt_key_tells_formats_apart)
{
  RfbPixelFormat base = make_format (16, 16, FALSE, 31, 63, 31, 11, 5, 0);
  RfbPixelFormat f;

  f = base;
  f.big_endian = TRUE;
  ck_assert (!keys_equal (&base, &f));
  f = make_format (32, 24, FALSE, 255, 255, 255, 16, 8, 0);
  RfbPixelFormat g = f;
  g.big_endian = TRUE;
  ck_assert (!keys_equal (&f, &g));
  ck_assert (!pixfmt_equal (&f, &g));
  f = base;
  f.red_shift = 0;
  f.blue_shift = 11;
  ck_assert (!keys_equal (&base, &f));
  f = base;
  f.green_max = 31;
  ck_assert (!keys_equal (&base, &f));
  /* Maxima that differ only in their high byte. */
  f = make_format (32, 24, FALSE, 0x01ff, 255, 255, 16, 8, 0);
  g = make_format (32, 24, FALSE, 0x00ff, 255, 255, 16, 8, 0);
  ck_assert (!keys_equal (&f, &g));
  f = base;
  f.green_shift = 6;
  ck_assert (!keys_equal (&base, &f));
  f = base;
  f.true_colour = FALSE;
  ck_assert (!keys_equal (&base, &f));
  f = base;
  f.bits_per_pixel = 32;
  ck_assert (!keys_equal (&base, &f));
}
END_TEST

START_TEST (test_pixfmt_converter_keeps_its_format)
{
  RfbPixelFormat f = make_format (16, 16, TRUE, 31, 63, 31, 11, 5, 0);
  PixfmtConverter *converter = pixfmt_converter_new (&f);
  PixfmtConverter *second = pixfmt_converter_ref (converter);
  const RfbPixelFormat *got;

  ck_assert_ptr_eq (second, converter);
  f.bits_per_pixel = 8; /* the converter has its own copy */
  pixfmt_converter_unref (converter);
  got = pixfmt_converter_get_format (second);
  ck_assert_uint_eq (got->bits_per_pixel, 16);
  ck_assert (got->big_endian);
  ck_assert_uint_eq (got->red_shift, 11);
  pixfmt_converter_unref (second);
}
END_TEST

static Suite *
pixfmt_suite (void)
{
  Suite *s = suite_create ("pixfmt");
  TCase *tc;

  tc = tcase_create ("validate");
  tcase_add_test (tc, test_pixfmt_validate_accepts_true_colour_formats);
  tcase_add_test (tc, test_pixfmt_validate_rejects_bits_per_pixel);
  tcase_add_test (tc, test_pixfmt_validate_rejects_zero_maxima);
  tcase_add_test (tc, test_pixfmt_validate_rejects_maxima_not_power_of_two_less_one);
  tcase_add_test (tc, test_pixfmt_validate_rejects_shifts_beyond_pixel);
  tcase_add_test (tc, test_pixfmt_validate_rejects_colour_map);
  suite_add_tcase (s, tc);

  tc = tcase_create ("convert");
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_pixfmt_convert_pixel_scales_each_channel);
  tcase_add_test (tc, test_pixfmt_convert_pixel_known_values);
  tcase_add_loop_test (tc, test_pixfmt_convert_fast_paths_match_oracle, 0,
                       G_N_ELEMENTS (convert_formats));
  tcase_add_loop_test (tc, test_pixfmt_convert_generic_formats_match_oracle, 0,
                       G_N_ELEMENTS (generic_formats));
  tcase_add_test (tc, test_pixfmt_convert_alpha_never_leaks);
  tcase_add_test (tc, test_pixfmt_convert_byte_order_is_the_formats);
  tcase_add_test (tc, test_pixfmt_convert_8bpp_ignores_byte_order);
  tcase_add_test (tc, test_pixfmt_convert_zero_height_writes_nothing);
  suite_add_tcase (s, tc);

  tc = tcase_create ("format");
  tcase_add_test (tc, test_pixfmt_parse_and_write_round_trip);
  tcase_add_test (tc, test_pixfmt_key_ignores_depth_unless_pixels_compact);
  tcase_add_test (tc, test_pixfmt_convert_values_matches_the_oracle);
  tcase_add_test (tc, test_pixfmt_compact_pixels_need_a_free_byte);
  tcase_add_test (tc, test_pixfmt_key_ignores_byte_order_at_8bpp);
  tcase_add_test (tc, test_pixfmt_key_tells_formats_apart);
  tcase_add_test (tc, test_pixfmt_converter_keeps_its_format);
  suite_add_tcase (s, tc);

  return s;
}

int
main (void)
{
  return checkutil_run (pixfmt_suite ());
}
