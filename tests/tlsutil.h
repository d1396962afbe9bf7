/* tlsutil.h — certificates for the encryption tests, made at run time.
 *
 * The openssl command makes a CA, a server certificate it signs (for
 * 127.0.0.1 and localhost) and a second CA that signed nothing, in a
 * temporary folder removed afterwards. P-256 keys: quick to make.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *dir;
  char *ca_cert;               /* signed server_cert */
  char *server_cert;
  char *server_key;
  char *server_combined;       /* certificate and key in one file */
  char *other_ca_cert;         /* signed nothing here */
} TestCerts;

/* Fails the test when openssl cannot make them. */
TestCerts *test_certs_new (void);
void test_certs_free (TestCerts *certs);

/* Reads a whole file into a string; fails the test when it cannot. */
char *test_read_file (const char *path);

G_END_DECLS
