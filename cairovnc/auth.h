/* auth.h — VNC Authentication (rfbproto.rst "VNC Authentication").
 *
 * The response to a 16-byte challenge is the challenge encrypted with DES,
 * keyed by the first eight bytes of the password with each byte's bits
 * reversed. DES comes from OpenSSL libcrypto.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define AUTH_CHALLENGE_LEN 16
#define AUTH_PASSWORD_MAX 8

void auth_make_challenge (guint8 challenge[AUTH_CHALLENGE_LEN]);

gboolean auth_vnc_response (const char  *password,
                            const guint8 challenge[AUTH_CHALLENGE_LEN],
                            guint8       response[AUTH_CHALLENGE_LEN],
                            GError     **error);

/* Compares in time that does not depend on where the bytes differ. */
gboolean auth_vnc_check (const char  *password,
                         const guint8 challenge[AUTH_CHALLENGE_LEN],
                         const guint8 response[AUTH_CHALLENGE_LEN]);

G_END_DECLS
