/* auth.c — VNC Authentication with DES from OpenSSL libcrypto.
 *
 * OpenSSL 3 keeps DES for EVP in its "legacy" provider, which a stock
 * system does not load. We load it into a library context of our own so
 * the program's OpenSSL state is untouched; where the legacy provider is
 * not installed we fall back to libcrypto's DES_ecb_encrypt(), deprecated
 * but still present in OpenSSL 3.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "auth.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/des.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#include <openssl/provider.h>
#endif

#include "cairovnc.h"

void
auth_make_challenge (guint8 challenge[AUTH_CHALLENGE_LEN])
{
  if (RAND_bytes (challenge, AUTH_CHALLENGE_LEN) != 1)
    {
      /* Not for secrecy of anything but this one exchange. */
      for (int i = 0; i < AUTH_CHALLENGE_LEN; i++)
        challenge[i] = (guint8) g_random_int_range (0, 256);
    }
}

static guint8
reverse_bits (guint8 b)
{
  b = (guint8) (((b & 0xf0) >> 4) | ((b & 0x0f) << 4));
  b = (guint8) (((b & 0xcc) >> 2) | ((b & 0x33) << 2));
  b = (guint8) (((b & 0xaa) >> 1) | ((b & 0x55) << 1));
  return b;
}

#if OPENSSL_VERSION_NUMBER >= 0x30000000L
static EVP_CIPHER *
fetch_des_ecb (void)
{
  static gsize once = 0;
  static EVP_CIPHER *cipher = NULL;

  if (g_once_init_enter (&once))
    {
      OSSL_LIB_CTX *libctx = OSSL_LIB_CTX_new ();
      if (libctx != NULL &&
          OSSL_PROVIDER_load (libctx, "legacy") != NULL &&
          OSSL_PROVIDER_load (libctx, "default") != NULL)
        cipher = EVP_CIPHER_fetch (libctx, "DES-ECB", NULL);
      /* The context lives as long as the process: the cipher points into it. */
      g_once_init_leave (&once, 1);
    }
  return cipher;
}
#endif

static gboolean
encrypt_evp (const guint8 key[8], const guint8 *in, guint8 *out)
{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
  EVP_CIPHER *cipher = fetch_des_ecb ();
  EVP_CIPHER_CTX *ctx;
  int len = 0, final_len = 0;
  gboolean ok;

  if (cipher == NULL)
    return FALSE;
  ctx = EVP_CIPHER_CTX_new ();
  ok = ctx != NULL &&
       EVP_EncryptInit_ex2 (ctx, cipher, key, NULL, NULL) == 1 &&
       EVP_CIPHER_CTX_set_padding (ctx, 0) == 1 &&
       EVP_EncryptUpdate (ctx, out, &len, in, AUTH_CHALLENGE_LEN) == 1 &&
       EVP_EncryptFinal_ex (ctx, out + len, &final_len) == 1 &&
       len + final_len == AUTH_CHALLENGE_LEN;
  EVP_CIPHER_CTX_free (ctx);
  return ok;
#else
  return FALSE;
#endif
}

static void
encrypt_des_low_level (const guint8 key[8], const guint8 *in, guint8 *out)
{
  DES_cblock des_key;
  DES_key_schedule schedule;

  memcpy (des_key, key, 8);
  DES_set_key_unchecked (&des_key, &schedule);
  for (int block = 0; block < AUTH_CHALLENGE_LEN; block += 8)
    DES_ecb_encrypt ((const_DES_cblock *) (in + block), (DES_cblock *) (out + block),
                     &schedule, DES_ENCRYPT);
  OPENSSL_cleanse (&schedule, sizeof schedule);
  OPENSSL_cleanse (des_key, sizeof des_key);
}

gboolean
auth_vnc_response (const char  *password,
                   const guint8 challenge[AUTH_CHALLENGE_LEN],
                   guint8       response[AUTH_CHALLENGE_LEN],
                   GError     **error)
{
  guint8 key[8] = { 0 };
  gsize len = strlen (password);

  /* Only the first eight bytes of a VNC password count. */
  for (gsize i = 0; i < MIN (len, sizeof key); i++)
    key[i] = reverse_bits ((guint8) password[i]);

  if (!encrypt_evp (key, challenge, response))
    encrypt_des_low_level (key, challenge, response);
  OPENSSL_cleanse (key, sizeof key);
  return TRUE;
}

gboolean
auth_vnc_check (const char  *password,
                const guint8 challenge[AUTH_CHALLENGE_LEN],
                const guint8 response[AUTH_CHALLENGE_LEN])
{
  guint8 expected[AUTH_CHALLENGE_LEN];
  gboolean match;

  if (password == NULL || !auth_vnc_response (password, challenge, expected, NULL))
    return FALSE;
  match = CRYPTO_memcmp (expected, response, AUTH_CHALLENGE_LEN) == 0;
  OPENSSL_cleanse (expected, sizeof expected);
  return match;
}

gboolean
auth_secret_equal (const char *expected, const guint8 *given, gsize given_len)
{
  guint8 expected_digest[EVP_MAX_MD_SIZE], given_digest[EVP_MAX_MD_SIZE];
  unsigned int expected_len = 0, given_digest_len = 0;
  gboolean match;

  if (expected == NULL || *expected == '\0')
    return FALSE;
  if (EVP_Digest (expected, strlen (expected), expected_digest, &expected_len, EVP_sha256 (), NULL) != 1 ||
      EVP_Digest (given, given_len, given_digest, &given_digest_len, EVP_sha256 (), NULL) != 1 ||
      expected_len != given_digest_len)
    return FALSE;
  match = CRYPTO_memcmp (expected_digest, given_digest, expected_len) == 0;
  OPENSSL_cleanse (expected_digest, sizeof expected_digest);
  OPENSSL_cleanse (given_digest, sizeof given_digest);
  return match;
}

void
auth_secret_free (char *secret)
{
  if (secret == NULL)
    return;
  OPENSSL_cleanse (secret, strlen (secret));
  g_free (secret);
}
