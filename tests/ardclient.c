/* ardclient.c — Apple Remote Desktop authentication, the viewer's side. */
#include "ardclient.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

/* A field: the text, a NUL, random bytes to 64 (the spec's padding). */
static void
fill_field (guint8 field[64], const char *text)
{
  gsize len = MIN (strlen (text), 63);

  RAND_bytes (field, 64);
  memcpy (field, text, len);
  field[len] = 0;
}

gboolean
test_ard_answer (const guint8    *params,
                 gsize            params_len,
                 const char      *username,
                 const char      *password,
                 const guint8    *public_value,
                 GByteArray      *answer,
                 TestArdExchange *exchange)
{
  BN_CTX *bn = BN_CTX_new ();
  BIGNUM *g = BN_new (), *p = NULL, *server_public = NULL, *secret_exp = BN_new (), *mine = BN_new (),
         *shared = BN_new ();
  guint8 plain[128], cipher[128], key[16];
  guint8 *mine_bytes = NULL;
  guint8 secret[1024];
  unsigned int md_len = 0;
  int out_len = 0, final_len = 0;
  EVP_CIPHER_CTX *aes = NULL;
  gsize key_size;
  gboolean ok = FALSE;

  if (params_len < 4)
    goto out;
  key_size = ((gsize) params[2] << 8) | params[3];
  if (key_size == 0 || key_size > sizeof secret || params_len != 4 + 2 * key_size)
    goto out;
  BN_set_word (g, ((BN_ULONG) params[0] << 8) | params[1]);
  p = BN_bin2bn (params + 4, (int) key_size, NULL);
  server_public = BN_bin2bn (params + 4 + key_size, (int) key_size, NULL);

  /* A private exponent of 256 bits; the public value g^x mod p; the
   * secret (server public)^x mod p, as key_size bytes. */
  BN_rand (secret_exp, 256, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY);
  BN_mod_exp (mine, g, secret_exp, p, bn);
  BN_mod_exp (shared, server_public, secret_exp, p, bn);
  BN_bn2binpad (shared, secret, (int) key_size);

  EVP_Digest (secret, key_size, key, &md_len, EVP_md5 (), NULL);
  fill_field (plain, username);
  fill_field (plain + 64, password);
  aes = EVP_CIPHER_CTX_new ();
  if (EVP_EncryptInit_ex (aes, EVP_aes_128_ecb (), NULL, key, NULL) != 1 || EVP_CIPHER_CTX_set_padding (aes, 0) != 1 ||
      EVP_EncryptUpdate (aes, cipher, &out_len, plain, sizeof plain) != 1 ||
      EVP_EncryptFinal_ex (aes, cipher + out_len, &final_len) != 1 || out_len + final_len != 128)
    goto out;

  g_byte_array_append (answer, cipher, sizeof cipher);
  if (public_value != NULL)
    {
      g_byte_array_append (answer, public_value, (guint) key_size);
    }
  else
    {
      mine_bytes = g_malloc (key_size);
      BN_bn2binpad (mine, mine_bytes, (int) key_size);
      g_byte_array_append (answer, mine_bytes, (guint) key_size);
    }
  if (exchange != NULL)
    {
      exchange->key_size = key_size;
      memcpy (exchange->shared_secret, secret, key_size);
    }
  ok = TRUE;

out:
  g_free (mine_bytes);
  EVP_CIPHER_CTX_free (aes);
  BN_free (g);
  BN_free (p);
  BN_free (server_public);
  BN_free (secret_exp);
  BN_free (mine);
  BN_free (shared);
  BN_CTX_free (bn);
  return ok;
}
