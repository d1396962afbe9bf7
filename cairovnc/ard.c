/* ard.c — Apple Remote Desktop authentication with libcrypto.
 *
 * Each viewer that picks type 30 gets a key pair of its own in a fixed,
 * well-known group (ffdhe2048: 256-byte values; Apple's own servers send
 * 128 to 512). What the viewer sends back is checked before any use: the
 * public value must lie strictly between 1 and p - 1, and both
 * credential fields must end with a NUL inside their 64 bytes. Secrets
 * are wiped from memory when done with.
 */
#include "ard.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "auth.h"
#include "cairovnc.h"

struct _ArdServer {
  EVP_PKEY *key;
  BIGNUM *prime;
  BIGNUM *public_value;
  guint generator;
  gsize key_size;
};

static gboolean
crypto_error (GError **error, const char *what)
{
  char text[256] = "no reason given";
  unsigned long code = ERR_peek_last_error ();

  if (code != 0)
    ERR_error_string_n (code, text, sizeof text);
  ERR_clear_error ();
  g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL, "%s: %s", what, text);
  return FALSE;
}

ArdServer *
ard_server_new (GError **error)
{
  g_autoptr (ArdServer) ard = g_new0 (ArdServer, 1);
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name (NULL, "DH", NULL);
  OSSL_PARAM params[] = {
    OSSL_PARAM_construct_utf8_string (OSSL_PKEY_PARAM_GROUP_NAME, (char *) ARD_GROUP_NAME, 0),
    OSSL_PARAM_construct_end (),
  };
  BIGNUM *generator = NULL;
  gboolean ok;

  ERR_clear_error ();
  ok = ctx != NULL && EVP_PKEY_keygen_init (ctx) == 1 && EVP_PKEY_CTX_set_params (ctx, params) == 1 &&
       EVP_PKEY_generate (ctx, &ard->key) == 1 &&
       EVP_PKEY_get_bn_param (ard->key, OSSL_PKEY_PARAM_FFC_P, &ard->prime) == 1 &&
       EVP_PKEY_get_bn_param (ard->key, OSSL_PKEY_PARAM_FFC_G, &generator) == 1 &&
       EVP_PKEY_get_bn_param (ard->key, OSSL_PKEY_PARAM_PUB_KEY, &ard->public_value) == 1;
  EVP_PKEY_CTX_free (ctx);
  if (!ok)
    {
      BN_free (generator);
      crypto_error (error, "cannot make a Diffie-Hellman key");
      return NULL;
    }
  ard->generator = (guint) BN_get_word (generator);
  ard->key_size = (gsize) BN_num_bytes (ard->prime);
  BN_free (generator);
  /* The message carries both in 16 bits. */
  g_assert (ard->generator <= G_MAXUINT16 && ard->key_size <= G_MAXUINT16);
  return g_steal_pointer (&ard);
}

void
ard_server_free (ArdServer *ard)
{
  if (ard == NULL)
    return;
  EVP_PKEY_free (ard->key);
  BN_free (ard->prime);
  BN_free (ard->public_value);
  g_free (ard);
}

gsize
ard_server_get_key_size (ArdServer *ard)
{
  return ard->key_size;
}

GBytes *
ard_server_build_parameters (ArdServer *ard)
{
  gsize size = 4 + 2 * ard->key_size;
  guint8 *message = g_malloc (size);

  message[0] = (guint8) (ard->generator >> 8);
  message[1] = (guint8) ard->generator;
  message[2] = (guint8) (ard->key_size >> 8);
  message[3] = (guint8) ard->key_size;
  BN_bn2binpad (ard->prime, message + 4, (int) ard->key_size);
  BN_bn2binpad (ard->public_value, message + 4 + ard->key_size, (int) ard->key_size);
  return g_bytes_new_take (message, size);
}

void
ard_derive_key (const guint8 *secret, gsize secret_len, guint8 key[ARD_AES_KEY_LEN])
{
  unsigned int len = 0;

  if (EVP_Digest (secret, secret_len, key, &len, EVP_md5 (), NULL) != 1 || len != ARD_AES_KEY_LEN)
    g_error ("libcrypto has no MD5");
}

gboolean
ard_decrypt_credentials (const guint8 key[ARD_AES_KEY_LEN],
                         const guint8 in[ARD_CREDENTIALS_LEN],
                         guint8       out[ARD_CREDENTIALS_LEN])
{
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
  int len = 0, final_len = 0;
  gboolean ok;

  ok = ctx != NULL && EVP_DecryptInit_ex2 (ctx, EVP_aes_128_ecb (), key, NULL, NULL) == 1 &&
       EVP_CIPHER_CTX_set_padding (ctx, 0) == 1 &&
       EVP_DecryptUpdate (ctx, out, &len, in, ARD_CREDENTIALS_LEN) == 1 &&
       EVP_DecryptFinal_ex (ctx, out + len, &final_len) == 1 && len + final_len == ARD_CREDENTIALS_LEN;
  EVP_CIPHER_CTX_free (ctx);
  return ok;
}

/* The peer's public value as a key of the group; NULL when it is not
 * strictly between 1 and p - 1 (0, 1 and p - 1 would give a secret
 * anyone can guess). */
static EVP_PKEY *
peer_key_new (ArdServer *ard, const guint8 *value, GError **error)
{
  BIGNUM *peer = BN_bin2bn (value, (int) ard->key_size, NULL);
  BIGNUM *limit = BN_dup (ard->prime);
  OSSL_PARAM_BLD *builder = NULL;
  OSSL_PARAM *params = NULL;
  EVP_PKEY_CTX *ctx = NULL;
  EVP_PKEY *key = NULL;
  gboolean in_range;

  in_range = peer != NULL && limit != NULL && BN_sub_word (limit, 1) == 1 && BN_cmp (peer, BN_value_one ()) > 0 &&
             BN_cmp (peer, limit) < 0;
  if (!in_range)
    {
      g_set_error_literal (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL,
                           "the viewer's Diffie-Hellman public value is out of range");
      goto out;
    }
  builder = OSSL_PARAM_BLD_new ();
  if (builder == NULL ||
      OSSL_PARAM_BLD_push_utf8_string (builder, OSSL_PKEY_PARAM_GROUP_NAME, ARD_GROUP_NAME, 0) != 1 ||
      OSSL_PARAM_BLD_push_BN (builder, OSSL_PKEY_PARAM_PUB_KEY, peer) != 1 ||
      (params = OSSL_PARAM_BLD_to_param (builder)) == NULL ||
      (ctx = EVP_PKEY_CTX_new_from_name (NULL, "DH", NULL)) == NULL || EVP_PKEY_fromdata_init (ctx) != 1 ||
      EVP_PKEY_fromdata (ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
    crypto_error (error, "cannot read the viewer's Diffie-Hellman public value");

out:
  EVP_PKEY_CTX_free (ctx);
  OSSL_PARAM_free (params);
  OSSL_PARAM_BLD_free (builder);
  BN_free (limit);
  BN_free (peer);
  return key;
}

/* A field's text up to its NUL; NULL when there is none. */
static char *
field_text (const guint8 field[ARD_FIELD_LEN])
{
  const guint8 *nul = memchr (field, 0, ARD_FIELD_LEN);

  if (nul == NULL)
    return NULL;
  return g_strndup ((const char *) field, (gsize) (nul - field));
}

gboolean
ard_server_read_response (ArdServer    *ard,
                          const guint8 *response,
                          char        **username,
                          char        **password,
                          GError      **error)
{
  EVP_PKEY *peer;
  EVP_PKEY_CTX *ctx = NULL;
  guint8 *secret = g_malloc (ard->key_size);
  size_t secret_len = ard->key_size;
  guint8 key[ARD_AES_KEY_LEN];
  guint8 plain[ARD_CREDENTIALS_LEN];
  gboolean ok = FALSE;

  *username = NULL;
  *password = NULL;
  ERR_clear_error ();
  peer = peer_key_new (ard, response + ARD_CREDENTIALS_LEN, error);
  if (peer == NULL)
    goto out;
  /* Padded: viewers hash the secret at the full key size. */
  ctx = EVP_PKEY_CTX_new_from_pkey (NULL, ard->key, NULL);
  if (ctx == NULL || EVP_PKEY_derive_init (ctx) != 1 || EVP_PKEY_CTX_set_dh_pad (ctx, 1) != 1 ||
      EVP_PKEY_derive_set_peer_ex (ctx, peer, 1) != 1 || EVP_PKEY_derive (ctx, secret, &secret_len) != 1 ||
      secret_len != ard->key_size)
    {
      crypto_error (error, "cannot agree on a Diffie-Hellman secret");
      goto out;
    }
  ard_derive_key (secret, secret_len, key);
  if (!ard_decrypt_credentials (key, response, plain))
    {
      crypto_error (error, "cannot decrypt the credentials");
      goto out;
    }
  *username = field_text (plain);
  *password = field_text (plain + ARD_FIELD_LEN);
  if (*username == NULL || *password == NULL)
    {
      g_clear_pointer (username, auth_secret_free);
      g_clear_pointer (password, auth_secret_free);
      /* A viewer that computed another secret: the key turns its
       * bytes into noise. */
      g_set_error_literal (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL,
                           "the credentials do not decrypt to NUL-terminated text");
      goto out;
    }
  ok = TRUE;

out:
  OPENSSL_cleanse (secret, ard->key_size);
  OPENSSL_cleanse (key, sizeof key);
  OPENSSL_cleanse (plain, sizeof plain);
  g_free (secret);
  EVP_PKEY_CTX_free (ctx);
  EVP_PKEY_free (peer);
  return ok;
}
