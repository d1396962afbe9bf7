/* test-auth.c — VNC Authentication (rfbproto.rst "VNC Authentication").
 *
 * Covers auth_vnc_response against fixed vectors (derived once with two
 * separate DES implementations, see below) and against a reference
 * computed here with libcrypto's DES_ecb_encrypt and a bit-reversed key;
 * the eight-byte password limit; auth_vnc_check with right, wrong and
 * one-bit-flipped responses; and fresh challenges.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "checkutil.h"
#include <string.h>

#include <openssl/des.h>

#include "auth.h"
#include "cairovnc.h"

static const guint8 counting_challenge[AUTH_CHALLENGE_LEN] = {
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
  0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
};

/* The responses to counting_challenge. Each was computed twice, with the
 * bit-reversed key (0e86ceceeef64e26 for "password", all zeros for ""):
 *   openssl enc -des-ecb -K <key> -nopad -provider legacy -provider default
 * (OpenSSL 3.0) and Python cryptography's TripleDES-ECB with the key three
 * times over (a bundled OpenSSL 4.0); both gave these bytes. */
static const guint8 password_response[AUTH_CHALLENGE_LEN] = {
  0xb8, 0x66, 0x92, 0x41, 0x25, 0xc8, 0xee, 0xbb,
  0x9d, 0xeb, 0xc1, 0xdb, 0x61, 0xc5, 0x38, 0xe2,
};

static const guint8 empty_password_response[AUTH_CHALLENGE_LEN] = {
  0x49, 0x1e, 0x89, 0x0d, 0xe9, 0xac, 0xe9, 0x32,
  0x83, 0x8a, 0x49, 0x79, 0x2f, 0x22, 0x13, 0xf3,
};

/* The reference: bit i of each key byte is bit 7-i of the password byte. */
static guint8
reverse_bits_reference (guint8 b)
{
  guint8 r = 0;

  for (int i = 0; i < 8; i++)
    if (b & (1 << i))
      r |= (guint8) (0x80 >> i);
  return r;
}

static void
vnc_response_reference (const char *password, gsize password_len,
                        const guint8 challenge[AUTH_CHALLENGE_LEN],
                        guint8 response[AUTH_CHALLENGE_LEN])
{
  DES_cblock key = { 0 };
  DES_key_schedule schedule;

  for (gsize i = 0; i < MIN (password_len, 8); i++)
    key[i] = reverse_bits_reference ((guint8) password[i]);
  DES_set_key_unchecked (&key, &schedule);
  DES_ecb_encrypt ((const_DES_cblock *) challenge, (DES_cblock *) response, &schedule, DES_ENCRYPT);
  DES_ecb_encrypt ((const_DES_cblock *) (challenge + 8), (DES_cblock *) (response + 8), &schedule,
                   DES_ENCRYPT);
}

static void
response_of (const char *password, const guint8 challenge[AUTH_CHALLENGE_LEN],
             guint8 response[AUTH_CHALLENGE_LEN])
{
  g_autoptr (GError) error = NULL;

  memset (response, 0xee, AUTH_CHALLENGE_LEN);
  ck_assert (auth_vnc_response (password, challenge, response, &error));
  ck_assert_ptr_null (error);
}

START_TEST (test_auth_response_fixed_vector)
{
  guint8 response[AUTH_CHALLENGE_LEN];

  response_of ("password", counting_challenge, response);
  ck_assert_mem_eq (response, password_response, AUTH_CHALLENGE_LEN);

  /* The reference agrees with the fixed vector, so it can be trusted
   * for the random cases below. */
  vnc_response_reference ("password", 8, counting_challenge, response);
  ck_assert_mem_eq (response, password_response, AUTH_CHALLENGE_LEN);
}
END_TEST

START_TEST (test_auth_response_empty_password)
{
  guint8 response[AUTH_CHALLENGE_LEN];

  /* An empty password is eight NUL bytes of key. */
  response_of ("", counting_challenge, response);
  ck_assert_mem_eq (response, empty_password_response, AUTH_CHALLENGE_LEN);
  response_of ("\0ignored", counting_challenge, response);
  ck_assert_mem_eq (response, empty_password_response, AUTH_CHALLENGE_LEN);
}
END_TEST

START_TEST (test_auth_response_matches_reference)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (0xde5);

  for (guint iter = 0; iter < 500; iter++)
    {
      gsize len = (gsize) g_rand_int_range (rand, 0, 13);
      char password[16] = { 0 };
      guint8 challenge[AUTH_CHALLENGE_LEN], response[AUTH_CHALLENGE_LEN], expected[AUTH_CHALLENGE_LEN];

      /* Any byte but NUL, high bit set included (Latin-1 passwords). */
      for (gsize i = 0; i < len; i++)
        password[i] = (char) g_rand_int_range (rand, 1, 256);
      for (gsize i = 0; i < AUTH_CHALLENGE_LEN; i++)
        challenge[i] = (guint8) g_rand_int_range (rand, 0, 256);

      response_of (password, challenge, response);
      vnc_response_reference (password, len, challenge, expected);
      ck_assert_msg (memcmp (response, expected, AUTH_CHALLENGE_LEN) == 0,
                     "iteration %u, password of %" G_GSIZE_FORMAT " bytes", iter, len);
    }
}
END_TEST

START_TEST (test_auth_response_only_first_eight_bytes_count)
{
  guint8 a[AUTH_CHALLENGE_LEN], b[AUTH_CHALLENGE_LEN];

  response_of ("password123", counting_challenge, a);
  ck_assert_mem_eq (a, password_response, AUTH_CHALLENGE_LEN);
  response_of ("passwordpasswordpasswordpassword", counting_challenge, b);
  ck_assert_mem_eq (b, password_response, AUTH_CHALLENGE_LEN);

  /* ...but all eight do count. */
  response_of ("passwore", counting_challenge, a);
  ck_assert (memcmp (a, password_response, AUTH_CHALLENGE_LEN) != 0);
  response_of ("passwor", counting_challenge, a);
  ck_assert (memcmp (a, password_response, AUTH_CHALLENGE_LEN) != 0);
}
END_TEST

START_TEST (test_auth_response_depends_on_whole_challenge)
{
  guint8 challenge[AUTH_CHALLENGE_LEN], response[AUTH_CHALLENGE_LEN];

  /* Each 8-byte block is encrypted on its own (ECB): changing the second
   * block leaves the first half of the response alone. */
  memcpy (challenge, counting_challenge, sizeof challenge);
  challenge[15] ^= 1;
  response_of ("password", challenge, response);
  ck_assert_mem_eq (response, password_response, 8);
  ck_assert (memcmp (response + 8, password_response + 8, 8) != 0);

  memcpy (challenge, counting_challenge, sizeof challenge);
  challenge[0] ^= 0x80;
  response_of ("password", challenge, response);
  ck_assert (memcmp (response, password_response, 8) != 0);
  ck_assert_mem_eq (response + 8, password_response + 8, 8);
}
END_TEST

START_TEST (test_auth_check_right_and_wrong)
{
  ck_assert (auth_vnc_check ("password", counting_challenge, password_response));
  ck_assert (auth_vnc_check ("password-and-more", counting_challenge, password_response));
  ck_assert (auth_vnc_check ("", counting_challenge, empty_password_response));
  ck_assert (!auth_vnc_check ("Password", counting_challenge, password_response));
  ck_assert (!auth_vnc_check ("", counting_challenge, password_response));
  ck_assert (!auth_vnc_check ("password", counting_challenge, empty_password_response));
  ck_assert (!auth_vnc_check (NULL, counting_challenge, password_response));
}
END_TEST

START_TEST (test_auth_check_one_bit_flipped)
{
  for (guint bit = 0; bit < AUTH_CHALLENGE_LEN * 8; bit++)
    {
      guint8 response[AUTH_CHALLENGE_LEN];
      guint8 challenge[AUTH_CHALLENGE_LEN];

      memcpy (response, password_response, sizeof response);
      response[bit / 8] ^= (guint8) (1 << (bit % 8));
      ck_assert_msg (!auth_vnc_check ("password", counting_challenge, response),
                     "response with bit %u flipped was accepted", bit);

      memcpy (challenge, counting_challenge, sizeof challenge);
      challenge[bit / 8] ^= (guint8) (1 << (bit % 8));
      ck_assert_msg (!auth_vnc_check ("password", challenge, password_response),
                     "response to a challenge with bit %u flipped was accepted", bit);
    }
}
END_TEST

START_TEST (test_auth_check_random_round_trip)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (16);

  for (guint iter = 0; iter < 100; iter++)
    {
      guint8 challenge[AUTH_CHALLENGE_LEN], response[AUTH_CHALLENGE_LEN];
      g_autofree char *password = g_strdup_printf ("pw%u", g_rand_int (rand));

      auth_make_challenge (challenge);
      vnc_response_reference (password, strlen (password), challenge, response);
      ck_assert (auth_vnc_check (password, challenge, response));
      response[g_rand_int_range (rand, 0, AUTH_CHALLENGE_LEN)] ^= 0x01;
      ck_assert (!auth_vnc_check (password, challenge, response));
    }
}
END_TEST

START_TEST (test_auth_challenges_differ)
{
  guint8 seen[64][AUTH_CHALLENGE_LEN];
  static const guint8 zeros[AUTH_CHALLENGE_LEN] = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (seen); i++)
    {
      memset (seen[i], 0, AUTH_CHALLENGE_LEN);
      auth_make_challenge (seen[i]);
      ck_assert (memcmp (seen[i], zeros, AUTH_CHALLENGE_LEN) != 0);
      for (guint j = 0; j < i; j++)
        ck_assert_msg (memcmp (seen[i], seen[j], AUTH_CHALLENGE_LEN) != 0,
                       "challenges %u and %u are equal", j, i);
    }
}
END_TEST

static gpointer
respond_in_thread (gpointer data)
{
  guint8 *response = data;

  return GINT_TO_POINTER (auth_vnc_response ("password", counting_challenge, response, NULL));
}

START_TEST (test_auth_response_from_threads)
{
  /* Responses may be computed on any thread at once. */
  guint8 responses[8][AUTH_CHALLENGE_LEN];
  GThread *threads[8];

  memset (responses, 0, sizeof responses);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("auth", respond_in_thread, responses[i]);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      ck_assert (GPOINTER_TO_INT (g_thread_join (threads[i])));
      ck_assert_mem_eq (responses[i], password_response, AUTH_CHALLENGE_LEN);
    }
}
END_TEST

static Suite *
auth_suite (void)
{
  Suite *s = suite_create ("auth");
  TCase *tc;

  tc = tcase_create ("response");
  tcase_add_test (tc, test_auth_response_fixed_vector);
  tcase_add_test (tc, test_auth_response_empty_password);
  tcase_add_test (tc, test_auth_response_matches_reference);
  tcase_add_test (tc, test_auth_response_only_first_eight_bytes_count);
  tcase_add_test (tc, test_auth_response_depends_on_whole_challenge);
  tcase_add_test (tc, test_auth_response_from_threads);
  suite_add_tcase (s, tc);

  tc = tcase_create ("check");
  tcase_add_test (tc, test_auth_check_right_and_wrong);
  tcase_add_test (tc, test_auth_check_one_bit_flipped);
  tcase_add_test (tc, test_auth_check_random_round_trip);
  suite_add_tcase (s, tc);

  tc = tcase_create ("challenge");
  tcase_add_test (tc, test_auth_challenges_differ);
  suite_add_tcase (s, tc);

  return s;
}

int
main (void)
{
  return checkutil_run (auth_suite ());
}
