/* auth.h — VNC Authentication (rfbproto.rst "VNC Authentication"), and
 * the checks of user names and passwords the other types share.
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

/* Whether @given (@given_len bytes) is @expected, for user names and
 * passwords: compares digests of the two, so the time taken says
 * neither where they differ nor how long @expected is. FALSE when
 * @expected is NULL or empty. */
gboolean auth_secret_equal (const char *expected, const guint8 *given, gsize given_len);

/* Wipes and frees a password or other secret text; NULL is fine. */
void auth_secret_free (char *secret);
/* g_auto (AuthSecret) text = ...: wiped and freed at the end of scope. */
typedef char *AuthSecret;
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (AuthSecret, auth_secret_free, NULL)

G_END_DECLS
