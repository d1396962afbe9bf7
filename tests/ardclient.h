/* ardclient.h — the viewer's side of Apple Remote Desktop authentication
 * (rfbproto.rst "Diffie-Hellman Authentication"), written from the spec
 * for the tests: plain big-number arithmetic, MD5 and AES-128-ECB, none
 * of the server's code.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a viewer computed, for tests that look inside. */
typedef struct {
  gsize key_size;
  guint8 shared_secret[1024];   /* key_size bytes, zeros in front kept */
} TestArdExchange;

/* Reads the server's parameters (@params, @params_len bytes: generator,
 * key size, prime, public value) and appends the answer to @answer: 128
 * bytes of user name and password encrypted, then a public value (the
 * viewer's own, or @public_value, key size bytes, when not NULL). FALSE
 * when the parameters are malformed. @exchange may be NULL. */
gboolean test_ard_answer (const guint8    *params,
                          gsize            params_len,
                          const char      *username,
                          const char      *password,
                          const guint8    *public_value,
                          GByteArray      *answer,
                          TestArdExchange *exchange);

G_END_DECLS
