/* test-http.c — the HTTP of http.c, without sockets.
 *
 * The request parser (whole, cut at every offset, pipelined, each
 * malformation with its status, the size limit), header helpers, path
 * resolution in a folder made for the test (escapes by "..", by
 * %-escapes and by symbolic links refused; index files; queries), media
 * types, and the answers http_serve() gives.
 */
#include "checkutil.h"
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "http.h"

/* A heap copy of exactly @len bytes, so reads past the end show under
 * valgrind. */
static guint8 *
copy_exact (const char *text, gsize len)
{
  guint8 *copy = g_malloc (MAX (len, 1));

  memcpy (copy, text, len);
  return copy;
}

static HttpParseResult
parse (const char *text, HttpRequest *request, gsize *consumed, GError **error)
{
  gsize len = strlen (text);
  g_autofree guint8 *copy = copy_exact (text, len);

  return http_parse_request (copy, len, request, consumed, error);
}

START_TEST (test_http_request_is_parsed)
{
  const char *text = "GET /core/rfb.js?v=1 HTTP/1.1\r\n"
                     "Host: localhost:5802\r\n"
                     "User-Agent:  Test/1.0  \r\n"
                     "Accept: a\r\n"
                     "accept: b\r\n"
                     "\r\n";
  HttpRequest request;
  gsize consumed = 0;
  g_autoptr (GError) error = NULL;

  ck_assert_int_eq (parse (text, &request, &consumed, &error), HTTP_PARSE_OK);
  ck_assert_uint_eq (consumed, strlen (text));
  ck_assert_str_eq (request.method, "GET");
  ck_assert_str_eq (request.target, "/core/rfb.js?v=1");
  ck_assert_uint_eq (request.minor_version, 1);
  ck_assert_str_eq (http_request_get_header (&request, "host"), "localhost:5802");
  /* Values are trimmed; repeated headers are joined. */
  ck_assert_str_eq (http_request_get_header (&request, "user-agent"), "Test/1.0");
  ck_assert_str_eq (http_request_get_header (&request, "accept"), "a, b");
  ck_assert_ptr_null (http_request_get_header (&request, "cookie"));
  ck_assert (!http_request_wants_close (&request));
  ck_assert (!http_request_has_body (&request));
  http_request_clear (&request);
}
END_TEST

START_TEST (test_http_bare_line_feeds_and_leading_empty_lines)
{
  const char *text = "\r\n\nHEAD / HTTP/1.0\nConnection: keep-alive\n\nGET";
  HttpRequest request;
  gsize consumed = 0;

  ck_assert_int_eq (parse (text, &request, &consumed, NULL), HTTP_PARSE_OK);
  /* The next request's start stays. */
  ck_assert_uint_eq (consumed, strlen (text) - 3);
  ck_assert_str_eq (request.method, "HEAD");
  ck_assert_uint_eq (request.minor_version, 0);
  ck_assert (http_request_wants_close (&request));
  http_request_clear (&request);
}
END_TEST

START_TEST (test_http_request_cut_at_every_offset_needs_more)
{
  const char *text = "GET /vnc.html HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
  gsize len = strlen (text);

  for (gsize cut = 0; cut < len; cut++)
    {
      g_autofree guint8 *copy = copy_exact (text, cut);
      HttpRequest request;
      gsize consumed = 12345;
      g_autoptr (GError) error = NULL;

      ck_assert_msg (http_parse_request (copy, cut, &request, &consumed, &error) == HTTP_PARSE_NEED_MORE,
                     "cut at %" G_GSIZE_FORMAT, cut);
      ck_assert_uint_eq (consumed, 12345);
      ck_assert_ptr_null (error);
    }
}
END_TEST

START_TEST (test_http_pipelined_requests_parse_one_by_one)
{
  const char *text = "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
  HttpRequest request;
  gsize consumed = 0, second = 0;

  ck_assert_int_eq (parse (text, &request, &consumed, NULL), HTTP_PARSE_OK);
  ck_assert_str_eq (request.target, "/a");
  ck_assert (!http_request_wants_close (&request));
  http_request_clear (&request);
  ck_assert_int_eq (parse (text + consumed, &request, &second, NULL), HTTP_PARSE_OK);
  ck_assert_str_eq (request.target, "/b");
  ck_assert (http_request_wants_close (&request));
  ck_assert_uint_eq (consumed + second, strlen (text));
  http_request_clear (&request);
}
END_TEST

static const struct {
  const char *what;
  const char *text;
  int status;
} bad_requests[] = {
  { "no version", "GET /\r\nHost: h\r\n\r\n", 400 },
  { "two spaces", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
  { "space in target", "GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
  { "bad method", "G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
  { "not HTTP", "GET / FTP/1.1\r\nHost: h\r\n\r\n", 400 },
  { "HTTP/2", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505 },
  { "no Host in 1.1", "GET / HTTP/1.1\r\nAccept: x\r\n\r\n", 400 },
  { "folded header", "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\r\n b\r\n\r\n", 400 },
  { "space before colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400 },
  { "no colon", "GET / HTTP/1.1\r\nHost h\r\n\r\n", 400 },
  { "empty name", "GET / HTTP/1.1\r\n: h\r\n\r\n", 400 },
  { "control in value", "GET / HTTP/1.1\r\nHost: h\x01\r\n\r\n", 400 },
  { "stray CR", "GET / HTTP/1.1\rHost: h\r\n\r\n", 400 },
  { "RFB instead of HTTP", "RFB 003.008\n\n", 400 },
};

START_TEST (test_http_bad_requests_are_refused)
{
  HttpRequest request;
  gsize consumed = 777;
  g_autoptr (GError) error = NULL;

  ck_assert_msg (parse (bad_requests[_i].text, &request, &consumed, &error) == HTTP_PARSE_ERROR,
                 "%s: accepted", bad_requests[_i].what);
  ck_assert_msg (g_error_matches (error, HTTP_ERROR, bad_requests[_i].status), "%s: %s (%d)",
                 bad_requests[_i].what, error->message, error->code);
  ck_assert_uint_eq (consumed, 777);
  ck_assert_ptr_null (request.method);
  ck_assert_ptr_null (request.headers);
}
END_TEST

START_TEST (test_http_nul_byte_is_refused)
{
  static const guint8 text[] = "GET / HTTP/1.1\r\nHost: h\0\r\n\r\n";
  HttpRequest request;
  gsize consumed = 0;
  g_autoptr (GError) error = NULL;

  ck_assert_int_eq (http_parse_request (text, sizeof text - 1, &request, &consumed, &error), HTTP_PARSE_ERROR);
  ck_assert_int_eq (error->code, 400);
}
END_TEST

START_TEST (test_http_header_over_limit_is_refused)
{
  g_autoptr (GString) text = g_string_new ("GET / HTTP/1.1\r\nHost: h\r\nX-Long: ");
  HttpRequest request;
  gsize consumed = 0;
  g_autoptr (GError) error = NULL;

  while (text->len < HTTP_MAX_HEADER_SIZE + 10)
    g_string_append_c (text, 'a');
  /* Without an end in sight, the limit is enough to refuse. */
  ck_assert_int_eq (http_parse_request ((const guint8 *) text->str, HTTP_MAX_HEADER_SIZE - 1, &request, &consumed,
                                        &error), HTTP_PARSE_NEED_MORE);
  ck_assert_int_eq (http_parse_request ((const guint8 *) text->str, HTTP_MAX_HEADER_SIZE, &request, &consumed,
                                        &error), HTTP_PARSE_ERROR);
  ck_assert_int_eq (error->code, 431);
  g_clear_error (&error);
  g_string_append (text, "\r\n\r\n");
  ck_assert_int_eq (http_parse_request ((const guint8 *) text->str, text->len, &request, &consumed, &error),
                    HTTP_PARSE_ERROR);
  ck_assert_int_eq (error->code, 431);
}
END_TEST

START_TEST (test_http_endless_empty_lines_are_refused)
{
  g_autofree char *text = g_strnfill (HTTP_MAX_HEADER_SIZE, '\n');
  HttpRequest request;
  gsize consumed = 0;
  g_autoptr (GError) error = NULL;

  ck_assert_int_eq (http_parse_request ((const guint8 *) text, HTTP_MAX_HEADER_SIZE, &request, &consumed, &error),
                    HTTP_PARSE_ERROR);
  ck_assert_int_eq (error->code, 431);
}
END_TEST

START_TEST (test_http_header_tokens_and_bodies)
{
  HttpRequest request;

  ck_assert_int_eq (parse ("GET / HTTP/1.1\r\nHost: h\r\nConnection: Keep-Alive , Upgrade\r\n"
                           "Content-Length: 0\r\n\r\n", &request, &(gsize) { 0 }, NULL), HTTP_PARSE_OK);
  ck_assert (http_request_header_has_token (&request, "connection", "upgrade"));
  ck_assert (http_request_header_has_token (&request, "connection", "keep-alive"));
  ck_assert (!http_request_header_has_token (&request, "connection", "close"));
  ck_assert (!http_request_header_has_token (&request, "upgrade", "websocket"));
  ck_assert (!http_request_has_body (&request));
  http_request_clear (&request);

  ck_assert_int_eq (parse ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n", &request, &(gsize) { 0 },
                           NULL), HTTP_PARSE_OK);
  ck_assert (http_request_has_body (&request));
  http_request_clear (&request);
  ck_assert_int_eq (parse ("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", &request,
                           &(gsize) { 0 }, NULL), HTTP_PARSE_OK);
  ck_assert (http_request_has_body (&request));
  http_request_clear (&request);
}
END_TEST

/* A folder of pages:
 *   root/index.html  root/app/ui.js  root/empty/  root/link.js -> app/ui.js
 *   root/out.txt -> ../secret.txt  root/outdir -> ..  (secret.txt beside root) */
typedef struct {
  char *top;
  char *root;
} Pages;

static void
write_file (const char *dir, const char *name, const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  ck_assert (g_file_set_contents (path, contents, -1, NULL));
}

static Pages *
pages_new (gboolean with_index)
{
  Pages *p = g_new0 (Pages, 1);
  g_autofree char *app = NULL;
  g_autofree char *empty = NULL;
  g_autofree char *link = NULL;
  g_autofree char *out = NULL;
  g_autofree char *outdir = NULL;

  p->top = g_dir_make_tmp ("cairovnc-http-XXXXXX", NULL);
  ck_assert_ptr_nonnull (p->top);
  p->root = g_build_filename (p->top, "root", NULL);
  app = g_build_filename (p->root, "app", NULL);
  empty = g_build_filename (p->root, "empty", NULL);
  ck_assert_int_eq (g_mkdir_with_parents (app, 0700), 0);
  ck_assert_int_eq (g_mkdir_with_parents (empty, 0700), 0);
  write_file (p->top, "secret.txt", "secret");
  if (with_index)
    write_file (p->root, "index.html", "<p>index</p>");
  write_file (p->root, "vnc.html", "<p>viewer</p>");
  write_file (app, "ui.js", "export {};");
  write_file (p->root, "a b.css", "p{}");
  link = g_build_filename (p->root, "link.js", NULL);
  out = g_build_filename (p->root, "out.txt", NULL);
  outdir = g_build_filename (p->root, "outdir", NULL);
  ck_assert_int_eq (symlink ("app/ui.js", link), 0);
  ck_assert_int_eq (symlink ("../secret.txt", out), 0);
  ck_assert_int_eq (symlink ("..", outdir), 0);
  return p;
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      if (dir != NULL)
        g_dir_close (dir);
      g_unlink (path);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      remove_tree (child);
    }
  g_dir_close (dir);
  g_rmdir (path);
}

static void
pages_free (Pages *p)
{
  remove_tree (p->top);
  g_free (p->top);
  g_free (p->root);
  g_free (p);
}

/* Resolves @target and returns the path below the root, or NULL with
 * the status in @status. */
static char *
resolve (Pages *p, const char *target, int *status)
{
  g_autofree char *path = NULL;
  g_autofree char *real_root = realpath (p->root, NULL);
  g_autoptr (GError) error = NULL;

  *status = 200;
  if (!http_resolve_path (p->root, target, &path, &error))
    {
      ck_assert (error->domain == HTTP_ERROR);
      *status = error->code;
      return NULL;
    }
  ck_assert (g_str_has_prefix (path, real_root));
  return g_strdup (path + strlen (real_root));
}

static const struct {
  const char *target;
  int status;
  const char *path;
} resolutions[] = {
  { "/", 200, "/index.html" },
  { "/index.html", 200, "/index.html" },
  { "/app/ui.js", 200, "/app/ui.js" },
  { "/app/ui.js?x=1#y", 200, "/app/ui.js" },
  { "//app///ui.js", 200, "/app/ui.js" },
  { "/./app/./ui.js", 200, "/app/ui.js" },
  { "/%61pp/ui%2Ejs", 200, "/app/ui.js" },
  { "/a%20b.css", 200, "/a b.css" },
  { "http://localhost:5802/app/ui.js", 200, "/app/ui.js" },
  { "/link.js", 200, "/app/ui.js" },          /* a link inside is fine */
  { "/app", 404, NULL },                      /* a folder with no index */
  { "/empty/", 404, NULL },
  { "/missing.js", 404, NULL },
  { "/out.txt", 404, NULL },                  /* a link out of the folder */
  { "/outdir/secret.txt", 404, NULL },
  { "/outdir/root/app/ui.js", 200, "/app/ui.js" }, /* out and back in */
  { "/../secret.txt", 400, NULL },
  { "/app/../../secret.txt", 400, NULL },
  { "/%2e%2e/secret.txt", 400, NULL },
  { "/%2E%2e%2fsecret.txt", 400, NULL },
  { "/app/..", 400, NULL },
  { "/ui.js%00.html", 400, NULL },
  { "/%zz", 400, NULL },
  { "/%4", 400, NULL },
  { "/%", 400, NULL },
  { "*", 400, NULL },
  { "app/ui.js", 400, NULL },
};

START_TEST (test_http_paths_resolve_inside_the_root)
{
  Pages *p = pages_new (TRUE);
  int status = 0;
  g_autofree char *path = resolve (p, resolutions[_i].target, &status);

  ck_assert_msg (status == resolutions[_i].status, "%s: status %d, expected %d", resolutions[_i].target, status,
                 resolutions[_i].status);
  if (resolutions[_i].path != NULL)
    ck_assert_str_eq (path, resolutions[_i].path);
  pages_free (p);
}
END_TEST

START_TEST (test_http_missing_root_is_not_found)
{
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;

  ck_assert (!http_resolve_path ("/nonexistent-cairovnc-root", "/", &path, &error));
  ck_assert_int_eq (error->code, 404);
}
END_TEST

START_TEST (test_http_content_types)
{
  ck_assert_str_eq (http_content_type ("/x/vnc.html"), "text/html; charset=utf-8");
  ck_assert_str_eq (http_content_type ("/x/rfb.js"), "text/javascript; charset=utf-8");
  ck_assert_str_eq (http_content_type ("/x/base.css"), "text/css; charset=utf-8");
  ck_assert_str_eq (http_content_type ("/x/ICON.PNG"), "image/png");
  ck_assert_str_eq (http_content_type ("/x/info.svg"), "image/svg+xml");
  ck_assert_str_eq (http_content_type ("/x/bell.oga"), "audio/ogg");
  ck_assert_str_eq (http_content_type ("/x/en.json"), "application/json");
  ck_assert_str_eq (http_content_type ("/x/font.woff"), "font/woff");
  ck_assert_str_eq (http_content_type ("/x.d/Makefile"), "application/octet-stream");
  ck_assert_str_eq (http_content_type ("/x/file.unknown"), "application/octet-stream");
}
END_TEST

static void
serve_text (const char *root, const char *text, HttpResponse *response)
{
  HttpRequest request;

  ck_assert_int_eq (parse (text, &request, &(gsize) { 0 }, NULL), HTTP_PARSE_OK);
  http_serve (root, &request, response);
  http_request_clear (&request);
}

static char *
head_text (const HttpResponse *response)
{
  return g_strndup (g_bytes_get_data (response->head, NULL), g_bytes_get_size (response->head));
}

START_TEST (test_http_serve_get_and_head)
{
  Pages *p = pages_new (TRUE);
  HttpResponse get, head;
  g_autofree char *get_head = NULL;
  g_autofree char *head_head = NULL;

  serve_text (p->root, "GET /app/ui.js HTTP/1.1\r\nHost: h\r\n\r\n", &get);
  ck_assert_uint_eq (get.status, 200);
  ck_assert (!get.close);
  get_head = head_text (&get);
  ck_assert (g_str_has_prefix (get_head, "HTTP/1.1 200 OK\r\n"));
  ck_assert_ptr_nonnull (strstr (get_head, "\r\nContent-Type: text/javascript; charset=utf-8\r\n"));
  ck_assert_ptr_nonnull (strstr (get_head, "\r\nContent-Length: 10\r\n"));
  ck_assert_ptr_nonnull (strstr (get_head, "\r\nDate: "));
  ck_assert (g_str_has_suffix (get_head, "\r\n\r\n"));
  ck_assert_uint_eq (g_bytes_get_size (get.body), 10);
  ck_assert (memcmp (g_bytes_get_data (get.body, NULL), "export {};", 10) == 0);

  serve_text (p->root, "HEAD /app/ui.js HTTP/1.0\r\n\r\n", &head);
  ck_assert_uint_eq (head.status, 200);
  ck_assert_ptr_null (head.body);
  ck_assert (head.close);
  head_head = head_text (&head);
  ck_assert_ptr_nonnull (strstr (head_head, "\r\nContent-Length: 10\r\n"));
  ck_assert_ptr_nonnull (strstr (head_head, "\r\nConnection: close\r\n"));
  http_response_clear (&get);
  http_response_clear (&head);
  pages_free (p);
}
END_TEST

START_TEST (test_http_serve_refusals)
{
  Pages *p = pages_new (TRUE);
  HttpResponse r;
  g_autofree char *text = NULL;

  serve_text (p->root, "POST /app/ui.js HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n", &r);
  ck_assert_uint_eq (r.status, 405);
  text = head_text (&r);
  ck_assert_ptr_nonnull (strstr (text, "\r\nAllow: GET, HEAD\r\n"));
  ck_assert_ptr_nonnull (r.body);
  http_response_clear (&r);

  serve_text (p->root, "GET /app/ui.js HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n", &r);
  ck_assert_uint_eq (r.status, 400);
  ck_assert (r.close); /* the body would be read as a request */
  http_response_clear (&r);

  serve_text (p->root, "GET /out.txt HTTP/1.1\r\nHost: h\r\n\r\n", &r);
  ck_assert_uint_eq (r.status, 404);
  ck_assert (!r.close);
  ck_assert_ptr_null (strstr (g_bytes_get_data (r.body, NULL), "secret"));
  http_response_clear (&r);

  serve_text (p->root, "GET /../secret.txt HTTP/1.1\r\nHost: h\r\n\r\n", &r);
  ck_assert_uint_eq (r.status, 400);
  http_response_clear (&r);

  serve_text (NULL, "GET / HTTP/1.1\r\nHost: h\r\n\r\n", &r);
  ck_assert_uint_eq (r.status, 404);
  http_response_clear (&r);
  pages_free (p);
}
END_TEST

START_TEST (test_http_root_without_index_leads_to_novnc)
{
  Pages *p = pages_new (FALSE);
  HttpResponse r;
  g_autofree char *text = NULL;
  g_autofree char *with_query = NULL;

  serve_text (p->root, "GET / HTTP/1.1\r\nHost: h\r\n\r\n", &r);
  ck_assert_uint_eq (r.status, 302);
  text = head_text (&r);
  ck_assert_ptr_nonnull (strstr (text, "\r\nLocation: /vnc.html?autoconnect=1&resize=scale\r\n"));
  ck_assert_ptr_nonnull (strstr (text, "\r\nContent-Length: 0\r\n"));
  http_response_clear (&r);

  /* The visitor's own settings follow ours, and win in noVNC. */
  serve_text (p->root, "GET /?view_only=1&resize=off HTTP/1.1\r\nHost: h\r\n\r\n", &r);
  ck_assert_uint_eq (r.status, 302);
  with_query = head_text (&r);
  ck_assert_ptr_nonnull (strstr (with_query,
                                 "\r\nLocation: /vnc.html?autoconnect=1&resize=scale&view_only=1&resize=off\r\n"));
  http_response_clear (&r);

  /* Only "/" is redirected. */
  serve_text (p->root, "GET /empty/ HTTP/1.1\r\nHost: h\r\n\r\n", &r);
  ck_assert_uint_eq (r.status, 404);
  http_response_clear (&r);
  pages_free (p);
}
END_TEST

static Suite *
http_suite (void)
{
  Suite *s = suite_create ("http");
  TCase *tc;

  tc = tcase_create ("requests");
  tcase_add_test (tc, test_http_request_is_parsed);
  tcase_add_test (tc, test_http_bare_line_feeds_and_leading_empty_lines);
  tcase_add_test (tc, test_http_request_cut_at_every_offset_needs_more);
  tcase_add_test (tc, test_http_pipelined_requests_parse_one_by_one);
  tcase_add_test (tc, test_http_header_tokens_and_bodies);
  suite_add_tcase (s, tc);

  tc = tcase_create ("hostile requests");
  tcase_add_loop_test (tc, test_http_bad_requests_are_refused, 0, G_N_ELEMENTS (bad_requests));
  tcase_add_test (tc, test_http_nul_byte_is_refused);
  tcase_add_test (tc, test_http_header_over_limit_is_refused);
  tcase_add_test (tc, test_http_endless_empty_lines_are_refused);
  suite_add_tcase (s, tc);

  tc = tcase_create ("paths");
  tcase_add_loop_test (tc, test_http_paths_resolve_inside_the_root, 0, G_N_ELEMENTS (resolutions));
  tcase_add_test (tc, test_http_missing_root_is_not_found);
  tcase_add_test (tc, test_http_content_types);
  suite_add_tcase (s, tc);

  tc = tcase_create ("answers");
  tcase_add_test (tc, test_http_serve_get_and_head);
  tcase_add_test (tc, test_http_serve_refusals);
  tcase_add_test (tc, test_http_root_without_index_leads_to_novnc);
  suite_add_tcase (s, tc);

  return s;
}

int
main (void)
{
  return checkutil_run (http_suite ());
}
