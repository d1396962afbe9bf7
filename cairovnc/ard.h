/* ard.h — Apple Remote Desktop authentication, security type 30
 * (rfbproto.rst "Diffie-Hellman Authentication").
 *
 * The server sends a Diffie-Hellman group and its public value; the
 * viewer answers with its own public value and 128 bytes: the user name
 * and the password, 64 bytes each (UTF-8, NUL-terminated, padded with
 * random bytes), encrypted with AES-128 in ECB mode under the MD5 digest
 * of the shared secret. The secret is the key size long, zeros in front
 * included, as viewers compute it. Pure; DH, MD5 and AES from libcrypto.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ARD_CREDENTIALS_LEN 128
#define ARD_FIELD_LEN 64
#define ARD_AES_KEY_LEN 16
/* The group: RFC 7919's ffdhe2048, a safe prime with generator 2. */
#define ARD_GROUP_NAME "ffdhe2048"

typedef struct _ArdServer ArdServer;

/* A fresh key pair; NULL with @error when libcrypto cannot make one. */
ArdServer *ard_server_new (GError **error);
void ard_server_free (ArdServer *ard);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArdServer, ard_server_free)

/* The prime's size in bytes: the size of each public value. */
gsize ard_server_get_key_size (ArdServer *ard);
/* The message to the viewer: generator (U16), key size (U16), prime
 * modulus, public value. */
GBytes *ard_server_build_parameters (ArdServer *ard);

/* Reads the viewer's answer: 128 bytes of credentials, then its public
 * value (key size bytes). FALSE with @error when the public value is not
 * one (0, 1, p - 1 or more) or the fields are not NUL-terminated; else
 * @username and @password are the fields up to their NUL, to be freed
 * with auth_secret_free(). */
gboolean ard_server_read_response (ArdServer    *ard,
                                   const guint8 *response,
                                   char        **username,
                                   char        **password,
                                   GError      **error);

/* The pieces, for tests. The AES key: MD5 of the shared secret. */
void ard_derive_key (const guint8 *secret, gsize secret_len, guint8 key[ARD_AES_KEY_LEN]);
/* AES-128-ECB, no padding, over the 128 bytes of credentials. */
gboolean ard_decrypt_credentials (const guint8 key[ARD_AES_KEY_LEN],
                                  const guint8 in[ARD_CREDENTIALS_LEN],
                                  guint8       out[ARD_CREDENTIALS_LEN]);

G_END_DECLS
