/* tlsutil.c — certificates made with the openssl command. */
#include "tlsutil.h"

#include <check.h>
#include <glib/gstdio.h>

#define OPENSSL_TIMEOUT_S "30"

/* Runs "openssl @args..." bounded by timeout(1), in @dir. */
static void
run_openssl (const char *dir, const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;

  g_ptr_array_add (argv, (gpointer) "timeout");
  g_ptr_array_add (argv, (gpointer) OPENSSL_TIMEOUT_S);
  g_ptr_array_add (argv, (gpointer) "openssl");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  ck_assert_msg (g_spawn_sync (dir, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                               &status, &error),
                 "cannot run openssl (Debian package openssl; tests/run.sh installs it): %s",
                 error ? error->message : "?");
  ck_assert_msg (g_spawn_check_wait_status (status, NULL), "openssl %s failed: %s", args[0], err ? err : "");
}

static void
make_ca (const char *dir, const char *name, const char *subject)
{
  g_autofree char *key = g_strdup_printf ("%s.key", name);
  g_autofree char *cert = g_strdup_printf ("%s.pem", name);
  const char *args[] = { "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                         "-keyout", key, "-out", cert, "-days", "2", "-subj", subject,
                         "-addext", "basicConstraints=critical,CA:TRUE",
                         "-addext", "keyUsage=critical,keyCertSign,cRLSign", NULL };

  run_openssl (dir, args);
}

TestCerts *
test_certs_new (void)
{
  TestCerts *certs = g_new0 (TestCerts, 1);
  g_autoptr (GError) error = NULL;
  g_autofree char *ext = NULL;
  g_autofree char *cert_text = NULL;
  g_autofree char *key_text = NULL;
  g_autofree char *combined_text = NULL;
  static const char extensions[] = "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                   "basicConstraints=CA:FALSE\n"
                                   "keyUsage=critical,digitalSignature,keyEncipherment\n"
                                   "extendedKeyUsage=serverAuth\n";

  certs->dir = g_dir_make_tmp ("cairovnc-tls-XXXXXX", &error);
  ck_assert_msg (certs->dir != NULL, "no temporary folder: %s", error ? error->message : "?");
  make_ca (certs->dir, "ca", "/CN=cairovnc test CA");
  make_ca (certs->dir, "other-ca", "/CN=cairovnc other CA");
  {
    const char *request[] = { "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                              "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1", NULL };
    const char *sign[] = { "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                           "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext",
                           NULL };
    ext = g_build_filename (certs->dir, "server.ext", NULL);
    ck_assert (g_file_set_contents (ext, extensions, -1, NULL));
    run_openssl (certs->dir, request);
    run_openssl (certs->dir, sign);
  }
  certs->ca_cert = g_build_filename (certs->dir, "ca.pem", NULL);
  certs->other_ca_cert = g_build_filename (certs->dir, "other-ca.pem", NULL);
  certs->server_cert = g_build_filename (certs->dir, "server.pem", NULL);
  certs->server_key = g_build_filename (certs->dir, "server.key", NULL);
  certs->server_combined = g_build_filename (certs->dir, "server-combined.pem", NULL);
  cert_text = test_read_file (certs->server_cert);
  key_text = test_read_file (certs->server_key);
  combined_text = g_strconcat (cert_text, key_text, NULL);
  ck_assert (g_file_set_contents (certs->server_combined, combined_text, -1, NULL));
  return certs;
}

void
test_certs_free (TestCerts *certs)
{
  g_autoptr (GDir) dir = NULL;
  const char *name;

  if (certs == NULL)
    return;
  dir = g_dir_open (certs->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (certs->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (certs->dir);
  g_free (certs->dir);
  g_free (certs->ca_cert);
  g_free (certs->other_ca_cert);
  g_free (certs->server_cert);
  g_free (certs->server_key);
  g_free (certs->server_combined);
  g_free (certs);
}

char *
test_read_file (const char *path)
{
  char *text = NULL;
  g_autoptr (GError) error = NULL;

  ck_assert_msg (g_file_get_contents (path, &text, NULL, &error), "cannot read %s: %s", path,
                 error ? error->message : "?");
  return text;
}
