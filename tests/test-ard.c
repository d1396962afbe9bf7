/* test-ard.c — Apple Remote Desktop authentication's pieces, no sockets.
 *
 * The server's key agreement, key derivation and decryption against a
 * viewer written from the spec (ardclient.c), known answers for MD5 and
 * AES-128-ECB, a secret with a leading zero byte (viewers hash it at the
 * full key size), and answers that must be refused.
 */
#include <check.h>
#include <string.h>

#include "ard.h"
#include "cairovnc.h"
#include "ardclient.h"
#include "auth.h"
#include "checkutil.h"

static ArdServer *
server_new (void)
{
  g_autoptr (GError) error = NULL;
  ArdServer *ard = ard_server_new (&error);

  ck_assert_msg (ard != NULL, "no key pair: %s", error ? error->message : "?");
  return ard;
}

static GByteArray *
answer_new (ArdServer *ard, const char *username, const char *password, const guint8 *public_value,
            TestArdExchange *exchange)
{
  g_autoptr (GBytes) params = ard_server_build_parameters (ard);
  gsize len;
  const guint8 *data = g_bytes_get_data (params, &len);
  GByteArray *answer = g_byte_array_new ();

  ck_assert (test_ard_answer (data, len, username, password, public_value, answer, exchange));
  ck_assert_uint_eq (answer->len, ARD_CREDENTIALS_LEN + ard_server_get_key_size (ard));
  return answer;
}

START_TEST (test_ard_parameters_are_the_group)
{
  g_autoptr (ArdServer) ard = server_new ();
  g_autoptr (GBytes) params = ard_server_build_parameters (ard);
  gsize len;
  const guint8 *data = g_bytes_get_data (params, &len);

  ck_assert_uint_eq (ard_server_get_key_size (ard), 256);
  ck_assert_uint_eq (len, 4 + 2 * 256);
  ck_assert_uint_eq ((data[0] << 8) | data[1], 2);
  ck_assert_uint_eq ((data[2] << 8) | data[3], 256);
  /* ffdhe2048 starts with 64 one bits, then ADF85458. */
  for (int i = 4; i < 12; i++)
    ck_assert_uint_eq (data[i], 0xff);
  ck_assert_uint_eq (data[12], 0xad);
  ck_assert_uint_eq (data[13], 0xf8);
}
END_TEST

START_TEST (test_ard_fresh_key_per_server)
{
  g_autoptr (ArdServer) a = server_new ();
  g_autoptr (ArdServer) b = server_new ();
  g_autoptr (GBytes) pa = ard_server_build_parameters (a);
  g_autoptr (GBytes) pb = ard_server_build_parameters (b);

  /* Same group, other public values. */
  ck_assert (memcmp (g_bytes_get_data (pa, NULL), g_bytes_get_data (pb, NULL), 4 + 256) == 0);
  ck_assert (!g_bytes_equal (pa, pb));
}
END_TEST

START_TEST (test_ard_decrypts_what_a_viewer_sends)
{
  static const struct {
    const char *username, *password;
  } cases[] = {
    { "alice", "secret" },
    { "", "" },
    { "Zoë Ångström", "pässwörd ünïcode" },
    /* 63 bytes each: the longest that fit with their NUL. */
    { "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu",
      "ppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (ArdServer) ard = server_new ();
      g_autoptr (GByteArray) answer = answer_new (ard, cases[i].username, cases[i].password, NULL, NULL);
      g_autoptr (GError) error = NULL;
      g_auto (AuthSecret) username = NULL;
      g_auto (AuthSecret) password = NULL;

      ck_assert_msg (ard_server_read_response (ard, answer->data, &username, &password, &error), "case %u: %s",
                     i, error ? error->message : "");
      ck_assert_str_eq (username, cases[i].username);
      ck_assert_str_eq (password, cases[i].password);
    }
}
END_TEST

START_TEST (test_ard_secret_with_leading_zero_is_padded)
{
  g_autoptr (ArdServer) ard = server_new ();
  guint tries;

  /* About one secret in 256 starts with a zero byte; a viewer hashes it
   * at the full key size, and so must the server. */
  for (tries = 0; tries < 8192; tries++)
    {
      TestArdExchange exchange;
      g_autoptr (GByteArray) answer = answer_new (ard, "alice", "secret", NULL, &exchange);
      g_auto (AuthSecret) username = NULL;
      g_auto (AuthSecret) password = NULL;

      if (exchange.shared_secret[0] != 0)
        continue;
      ck_assert (ard_server_read_response (ard, answer->data, &username, &password, NULL));
      ck_assert_str_eq (username, "alice");
      ck_assert_str_eq (password, "secret");
      break;
    }
  ck_assert_msg (tries < 8192, "no secret with a leading zero in 8192 tries");
}
END_TEST

START_TEST (test_ard_key_is_md5_of_secret)
{
  /* RFC 1321's test suite: MD5 ("abc"). */
  static const guint8 expected[16] = { 0x90, 0x01, 0x50, 0x98, 0x3c, 0xd2, 0x4f, 0xb0,
                                       0xd6, 0x96, 0x3f, 0x7d, 0x28, 0xe1, 0x7f, 0x72 };
  guint8 key[ARD_AES_KEY_LEN];

  ard_derive_key ((const guint8 *) "abc", 3, key);
  ck_assert (memcmp (key, expected, sizeof key) == 0);
}
END_TEST

START_TEST (test_ard_credentials_are_aes_128_ecb)
{
  /* FIPS-197 appendix C.1, eight times over: ECB gives each block alone. */
  static const guint8 key[16] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                  0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };
  static const guint8 plain_block[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                          0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
  static const guint8 cipher_block[16] = { 0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30,
                                           0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a };
  guint8 in[ARD_CREDENTIALS_LEN], out[ARD_CREDENTIALS_LEN];

  for (int i = 0; i < 8; i++)
    memcpy (in + 16 * i, cipher_block, 16);
  ck_assert (ard_decrypt_credentials (key, in, out));
  for (int i = 0; i < 8; i++)
    ck_assert (memcmp (out + 16 * i, plain_block, 16) == 0);
}
END_TEST

START_TEST (test_ard_public_values_out_of_range_are_refused)
{
  g_autoptr (ArdServer) ard = server_new ();
  g_autoptr (GBytes) params = ard_server_build_parameters (ard);
  const guint8 *prime = (const guint8 *) g_bytes_get_data (params, NULL) + 4;
  gsize size = ard_server_get_key_size (ard);

  for (int which = 0; which < 5; which++)
    {
      g_autofree guint8 *value = g_malloc0 (size);
      g_autoptr (GByteArray) answer = NULL;
      g_autoptr (GError) error = NULL;
      char *username = NULL, *password = NULL;

      if (which == 1)
        value[size - 1] = 1;
      else if (which == 2 || which == 3)
        {
          memcpy (value, prime, size);
          if (which == 2)
            value[size - 1] -= 1;  /* p - 1 */
        }
      else if (which == 4)
        memset (value, 0xff, size);
      answer = answer_new (ard, "alice", "secret", value, NULL);
      ck_assert_msg (!ard_server_read_response (ard, answer->data, &username, &password, &error),
                     "public value %d accepted", which);
      ck_assert (g_error_matches (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL));
      ck_assert_ptr_null (username);
      ck_assert_ptr_null (password);
    }
}
END_TEST

START_TEST (test_ard_wrong_key_is_refused)
{
  g_autoptr (ArdServer) ard = server_new ();
  g_autoptr (ArdServer) other = server_new ();
  int refused = 0;

  /* Answered to another server's public value: the secret differs, the
   * fields decrypt to noise, and noise has no NUL in both halves (or,
   * rarely, gives other text: never alice's). */
  for (int i = 0; i < 8; i++)
    {
      g_autoptr (GByteArray) answer = answer_new (other, "alice", "secret", NULL, NULL);
      g_auto (AuthSecret) username = NULL;
      g_auto (AuthSecret) password = NULL;

      if (!ard_server_read_response (ard, answer->data, &username, &password, NULL))
        refused++;
      else
        ck_assert (g_strcmp0 (username, "alice") != 0 || g_strcmp0 (password, "secret") != 0);
    }
  ck_assert_int_gt (refused, 0);
}
END_TEST

START_TEST (test_ard_secret_compare)
{
  ck_assert (auth_secret_equal ("secret", (const guint8 *) "secret", 6));
  ck_assert (!auth_secret_equal ("secret", (const guint8 *) "secret", 5));
  ck_assert (!auth_secret_equal ("secret", (const guint8 *) "secret!", 7));
  ck_assert (!auth_secret_equal ("secret", (const guint8 *) "Secret", 6));
  /* No password set matches nothing, not even nothing. */
  ck_assert (!auth_secret_equal (NULL, (const guint8 *) "", 0));
  ck_assert (!auth_secret_equal ("", (const guint8 *) "", 0));
}
END_TEST

static Suite *
ard_suite (void)
{
  Suite *suite = suite_create ("ard");
  TCase *exchange = tcase_create ("exchange");
  TCase *pieces = tcase_create ("pieces");
  TCase *hostile = tcase_create ("hostile");

  tcase_set_timeout (exchange, 60);
  tcase_add_test (exchange, test_ard_parameters_are_the_group);
  tcase_add_test (exchange, test_ard_fresh_key_per_server);
  tcase_add_test (exchange, test_ard_decrypts_what_a_viewer_sends);
  tcase_add_test (exchange, test_ard_secret_with_leading_zero_is_padded);
  suite_add_tcase (suite, exchange);

  tcase_add_test (pieces, test_ard_key_is_md5_of_secret);
  tcase_add_test (pieces, test_ard_credentials_are_aes_128_ecb);
  tcase_add_test (pieces, test_ard_secret_compare);
  suite_add_tcase (suite, pieces);

  tcase_add_test (hostile, test_ard_public_values_out_of_range_are_refused);
  tcase_add_test (hostile, test_ard_wrong_key_is_refused);
  suite_add_tcase (suite, hostile);
  return suite;
}

int
main (void)
{
  return checkutil_run (ard_suite ());
}
