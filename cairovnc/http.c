/* http.c — HTTP/1.1 requests, static files and responses for browser
 * viewers (RFC 9110, RFC 9112).
 *
 * Only what serving a viewer page needs: GET and HEAD of the files of one
 * folder, persistent connections, no bodies, no ranges. Requests are
 * parsed from bytes with a size limit before anything is kept; file
 * names are checked twice, as text (no dot-dot, no NUL) and as resolved
 * paths (no symbolic link out of the folder). Files are mapped, not read,
 * so a file queued for many browsers is one copy in the page cache.
 *
 * Pure apart from reading the folder; runs on any thread.
 */
#include "http.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* More headers than any browser sends; past it the request is refused. */
#define MAX_HEADERS 100
/* Where "/" leads when the folder is noVNC's: its full viewer, connecting
 * at once to the server that served it (host and port default to the
 * page's own), scaled to the window. */
#define NOVNC_PAGE "vnc.html"
#define NOVNC_QUERY "autoconnect=1&resize=scale"

G_DEFINE_QUARK (cairovnc-http-error-quark, http_error)

static gboolean
is_token_char (guint8 c)
{
  return g_ascii_isalnum (c) || (c != 0 && strchr ("!#$%&'*+-.^_`|~", c) != NULL);
}

static gboolean
is_field_char (guint8 c)
{
  return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static gboolean
parse_request_line (const char *line, HttpRequest *request, GError **error)
{
  const char *sp1 = strchr (line, ' ');
  const char *sp2 = sp1 != NULL ? strchr (sp1 + 1, ' ') : NULL;
  const char *version;

  if (sp1 == NULL || sp2 == NULL || strchr (sp2 + 1, ' ') != NULL || sp1 == line || sp2 == sp1 + 1)
    {
      g_set_error (error, HTTP_ERROR, 400, "Malformed request line");
      return FALSE;
    }
  for (const char *p = line; p < sp1; p++)
    if (!is_token_char ((guint8) *p))
      {
        g_set_error (error, HTTP_ERROR, 400, "Malformed method");
        return FALSE;
      }
  for (const char *p = sp1 + 1; p < sp2; p++)
    if ((guint8) *p <= 0x20 || (guint8) *p >= 0x7f)
      {
        g_set_error (error, HTTP_ERROR, 400, "Malformed request target");
        return FALSE;
      }
  version = sp2 + 1;
  if (strcmp (version, "HTTP/1.1") == 0)
    request->minor_version = 1;
  else if (strcmp (version, "HTTP/1.0") == 0)
    request->minor_version = 0;
  else if (g_str_has_prefix (version, "HTTP/"))
    {
      g_set_error (error, HTTP_ERROR, 505, "Only HTTP/1.0 and HTTP/1.1 are spoken here");
      return FALSE;
    }
  else
    {
      g_set_error (error, HTTP_ERROR, 400, "Malformed HTTP version");
      return FALSE;
    }
  request->method = g_strndup (line, (gsize) (sp1 - line));
  request->target = g_strndup (sp1 + 1, (gsize) (sp2 - sp1 - 1));
  return TRUE;
}

static gboolean
parse_header_line (const char *line, HttpRequest *request, GError **error)
{
  const char *colon = strchr (line, ':');
  const char *value, *end;
  g_autofree char *name = NULL;
  const char *old;

  if (line[0] == ' ' || line[0] == '\t')
    {
      g_set_error (error, HTTP_ERROR, 400, "Folded header lines are not accepted");
      return FALSE;
    }
  if (colon == NULL || colon == line)
    {
      g_set_error (error, HTTP_ERROR, 400, "Malformed header line");
      return FALSE;
    }
  for (const char *p = line; p < colon; p++)
    if (!is_token_char ((guint8) *p))
      {
        g_set_error (error, HTTP_ERROR, 400, "Malformed header name");
        return FALSE;
      }
  value = colon + 1;
  for (const char *p = value; *p; p++)
    if (!is_field_char ((guint8) *p))
      {
        g_set_error (error, HTTP_ERROR, 400, "Control character in a header value");
        return FALSE;
      }
  while (*value == ' ' || *value == '\t')
    value++;
  end = value + strlen (value);
  while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
    end--;

  name = g_ascii_strdown (line, colon - line);
  old = g_hash_table_lookup (request->headers, name);
  if (old != NULL)
    g_hash_table_insert (request->headers, g_steal_pointer (&name),
                         g_strdup_printf ("%s, %.*s", old, (int) (end - value), value));
  else
    g_hash_table_insert (request->headers, g_steal_pointer (&name), g_strndup (value, (gsize) (end - value)));
  return TRUE;
}

HttpParseResult
http_parse_request (const guint8 *data, gsize len, HttpRequest *request, gsize *consumed, GError **error)
{
  gsize start = 0, end = 0;
  g_autofree char *block = NULL;
  g_auto (GStrv) lines = NULL;
  guint n_lines;

  memset (request, 0, sizeof *request);
  /* Empty lines before a request are to be ignored (RFC 9112 §2.2). */
  while (start < len && start < HTTP_MAX_HEADER_SIZE && (data[start] == '\r' || data[start] == '\n'))
    start++;
  for (gsize i = start; i < len && i < HTTP_MAX_HEADER_SIZE; i++)
    {
      if (data[i] == '\0')
        {
          g_set_error (error, HTTP_ERROR, 400, "NUL byte in the request");
          return HTTP_PARSE_ERROR;
        }
      if (data[i] != '\n')
        continue;
      if (i + 1 < len && data[i + 1] == '\n')
        {
          end = i + 2;
          break;
        }
      if (i + 2 < len && data[i + 1] == '\r' && data[i + 2] == '\n')
        {
          end = i + 3;
          break;
        }
    }
  if (end == 0 || end > HTTP_MAX_HEADER_SIZE)
    {
      if (len < HTTP_MAX_HEADER_SIZE)
        return HTTP_PARSE_NEED_MORE;
      g_set_error (error, HTTP_ERROR, 431, "The request header is larger than %u bytes",
                   (guint) HTTP_MAX_HEADER_SIZE);
      return HTTP_PARSE_ERROR;
    }

  block = g_strndup ((const char *) data + start, end - start);
  lines = g_strsplit (block, "\n", -1);
  n_lines = g_strv_length (lines);
  /* The block ends with two line ends, so the last two strings are the
   * empty line and what follows it. */
  n_lines -= 2;
  if (n_lines > MAX_HEADERS + 1)
    {
      g_set_error (error, HTTP_ERROR, 431, "More than %u header lines", MAX_HEADERS);
      return HTTP_PARSE_ERROR;
    }
  request->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < n_lines; i++)
    {
      char *line = lines[i];
      gsize line_len = strlen (line);

      if (line_len > 0 && line[line_len - 1] == '\r')
        line[--line_len] = '\0';
      if (strchr (line, '\r') != NULL)
        {
          g_set_error (error, HTTP_ERROR, 400, "Stray carriage return in the request");
          http_request_clear (request);
          return HTTP_PARSE_ERROR;
        }
      if (!(i == 0 ? parse_request_line (line, request, error) : parse_header_line (line, request, error)))
        {
          http_request_clear (request);
          return HTTP_PARSE_ERROR;
        }
    }
  /* HTTP/1.1 requests name their host (RFC 9112 §3.2). */
  if (request->minor_version == 1 && http_request_get_header (request, "host") == NULL)
    {
      g_set_error (error, HTTP_ERROR, 400, "HTTP/1.1 request without Host");
      http_request_clear (request);
      return HTTP_PARSE_ERROR;
    }
  *consumed = end;
  return HTTP_PARSE_OK;
}

void
http_request_clear (HttpRequest *request)
{
  g_clear_pointer (&request->method, g_free);
  g_clear_pointer (&request->target, g_free);
  g_clear_pointer (&request->headers, g_hash_table_unref);
}

const char *
http_request_get_header (const HttpRequest *request, const char *name)
{
  return request->headers != NULL ? g_hash_table_lookup (request->headers, name) : NULL;
}

gboolean
http_request_header_has_token (const HttpRequest *request, const char *name, const char *token)
{
  const char *value = http_request_get_header (request, name);
  g_auto (GStrv) items = NULL;

  if (value == NULL)
    return FALSE;
  items = g_strsplit (value, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    if (g_ascii_strcasecmp (g_strstrip (items[i]), token) == 0)
      return TRUE;
  return FALSE;
}

gboolean
http_request_has_body (const HttpRequest *request)
{
  const char *length = http_request_get_header (request, "content-length");

  return http_request_get_header (request, "transfer-encoding") != NULL ||
         (length != NULL && strcmp (length, "0") != 0);
}

gboolean
http_request_wants_close (const HttpRequest *request)
{
  return request->minor_version == 0 || http_request_header_has_token (request, "connection", "close");
}

/* Paths. */

static int
hex_value (char c)
{
  return g_ascii_isxdigit (c) ? g_ascii_xdigit_value (c) : -1;
}

/* The path part of @target, %-decoded, in segments; NULL with a 400. */
static GStrv
split_target (const char *target, gboolean *trailing_slash, GError **error)
{
  g_autoptr (GString) decoded = g_string_new (NULL);
  g_auto (GStrv) segments = NULL;
  g_autoptr (GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);
  gsize end;

  /* The absolute form names the host too (RFC 9112 §3.2.2). */
  if (g_ascii_strncasecmp (target, "http://", 7) == 0)
    {
      target = strchr (target + 7, '/');
      if (target == NULL)
        target = "/";
    }
  if (target[0] != '/')
    {
      g_set_error (error, HTTP_ERROR, 400, "The request target is not a path");
      return NULL;
    }
  end = strcspn (target, "?#");
  for (gsize i = 0; i < end; i++)
    {
      if (target[i] != '%')
        {
          g_string_append_c (decoded, target[i]);
          continue;
        }
      if (i + 2 >= end || hex_value (target[i + 1]) < 0 || hex_value (target[i + 2]) < 0)
        {
          g_set_error (error, HTTP_ERROR, 400, "Malformed %%-escape in the path");
          return NULL;
        }
      {
        char c = (char) (hex_value (target[i + 1]) * 16 + hex_value (target[i + 2]));
        if (c == '\0')
          {
            g_set_error (error, HTTP_ERROR, 400, "NUL in the path");
            return NULL;
          }
        g_string_append_c (decoded, c);
      }
      i += 2;
    }
  *trailing_slash = decoded->len == 0 || decoded->str[decoded->len - 1] == '/';
  segments = g_strsplit (decoded->str, "/", -1);
  for (guint i = 0; segments[i] != NULL; i++)
    {
      if (strcmp (segments[i], "..") == 0)
        {
          g_set_error (error, HTTP_ERROR, 400, "The path may not go up with \"..\"");
          return NULL;
        }
      if (segments[i][0] != '\0' && strcmp (segments[i], ".") != 0)
        g_ptr_array_add (kept, g_strdup (segments[i]));
    }
  g_ptr_array_add (kept, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&kept), FALSE);
}

static gboolean
is_inside (const char *path, const char *root)
{
  gsize n = strlen (root);

  if (strcmp (root, "/") == 0)
    return TRUE;
  return strncmp (path, root, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

gboolean
http_resolve_path (const char *root, const char *target, char **path, GError **error)
{
  g_auto (GStrv) segments = NULL;
  g_autofree char *joined = NULL;
  g_autofree char *wanted = NULL;
  g_autofree char *real_root = NULL;
  g_autofree char *real = NULL;
  gboolean trailing_slash = FALSE;
  struct stat st;

  segments = split_target (target, &trailing_slash, error);
  if (segments == NULL)
    return FALSE;
  joined = g_strjoinv ("/", segments);
  wanted = g_build_filename (root, joined, trailing_slash ? "index.html" : NULL, NULL);

  real_root = realpath (root, NULL);
  if (real_root == NULL)
    {
      g_set_error (error, HTTP_ERROR, 404, "The folder of web pages is missing");
      return FALSE;
    }
  real = realpath (wanted, NULL);
  if (real != NULL && stat (real, &st) == 0 && S_ISDIR (st.st_mode))
    {
      g_autofree char *index = g_build_filename (real, "index.html", NULL);
      g_free (real);
      real = realpath (index, NULL);
    }
  if (real == NULL)
    {
      g_set_error (error, HTTP_ERROR, 404, "Not found");
      return FALSE;
    }
  if (!is_inside (real, real_root))
    {
      g_set_error (error, HTTP_ERROR, 404, "Not found (a link leads out of the folder of web pages)");
      return FALSE;
    }
  if (stat (real, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, HTTP_ERROR, 404, "Not found (not a file)");
      return FALSE;
    }
  *path = g_steal_pointer (&real);
  return TRUE;
}

const char *
http_content_type (const char *path)
{
  static const struct {
    const char *extension;
    const char *type;
  } types[] = {
    { ".html", "text/html; charset=utf-8" },
    { ".htm", "text/html; charset=utf-8" },
    /* ES modules are refused by browsers under any other type. */
    { ".js", "text/javascript; charset=utf-8" },
    { ".mjs", "text/javascript; charset=utf-8" },
    { ".css", "text/css; charset=utf-8" },
    { ".json", "application/json" },
    { ".map", "application/json" },
    { ".txt", "text/plain; charset=utf-8" },
    { ".md", "text/markdown; charset=utf-8" },
    { ".png", "image/png" },
    { ".svg", "image/svg+xml" },
    { ".ico", "image/x-icon" },
    { ".jpg", "image/jpeg" },
    { ".jpeg", "image/jpeg" },
    { ".gif", "image/gif" },
    { ".webp", "image/webp" },
    { ".mp3", "audio/mpeg" },
    { ".oga", "audio/ogg" },
    { ".ogg", "audio/ogg" },
    { ".wav", "audio/wav" },
    { ".ttf", "font/ttf" },
    { ".otf", "font/otf" },
    { ".woff", "font/woff" },
    { ".woff2", "font/woff2" },
    { ".wasm", "application/wasm" },
  };
  const char *dot = strrchr (path, '.');

  if (dot != NULL && strchr (dot, '/') == NULL)
    for (guint i = 0; i < G_N_ELEMENTS (types); i++)
      if (g_ascii_strcasecmp (dot, types[i].extension) == 0)
        return types[i].type;
  return "application/octet-stream";
}

const char *
http_status_reason (guint status)
{
  switch (status)
    {
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 302: return "Found";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 426: return "Upgrade Required";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
    }
}

/* The Date header's form (RFC 9110 §5.6.7), in English whatever the locale. */
static void
append_date (GString *out)
{
  static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  g_string_append_printf (out, "Date: %s, %02d %s %04d %02d:%02d:%02d GMT\r\n",
                          days[g_date_time_get_day_of_week (now) - 1], g_date_time_get_day_of_month (now),
                          months[g_date_time_get_month (now) - 1], g_date_time_get_year (now),
                          g_date_time_get_hour (now), g_date_time_get_minute (now),
                          g_date_time_get_second (now));
}

GBytes *
http_build_head (guint status, const char *content_type, gsize content_length, const char *extra_headers,
                 gboolean close)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "HTTP/1.1 %u %s\r\nServer: cairovnc\r\n", status, http_status_reason (status));
  append_date (out);
  if (status != 101)
    {
      if (content_type != NULL)
        g_string_append_printf (out, "Content-Type: %s\r\n", content_type);
      g_string_append_printf (out, "Content-Length: %" G_GSIZE_FORMAT "\r\n", content_length);
      g_string_append (out, "X-Content-Type-Options: nosniff\r\n");
    }
  if (extra_headers != NULL)
    g_string_append (out, extra_headers);
  if (close)
    g_string_append (out, "Connection: close\r\n");
  g_string_append (out, "\r\n");
  return g_string_free_to_bytes (out);
}

void
http_response_error (HttpResponse *response, guint status, const char *message, const char *extra_headers,
                     gboolean head_only)
{
  g_autofree char *text = g_strdup_printf ("%u %s: %s\n", status, http_status_reason (status), message);
  gsize len = strlen (text);

  response->status = status;
  response->head = http_build_head (status, "text/plain; charset=utf-8", len, extra_headers, response->close);
  response->body = head_only ? NULL : g_bytes_new_take (g_steal_pointer (&text), len);
  response->log = g_strdup_printf ("%u, %s", status, message);
}

/* The target's path and query, the query without its "?" (or NULL). */
static char *
target_path (const char *target, const char **query)
{
  gsize end = strcspn (target, "?#");

  *query = target[end] == '?' ? target + end + 1 : NULL;
  return g_strndup (target, end);
}

static gboolean
redirect_to_novnc (const char *root, const HttpRequest *request, HttpResponse *response)
{
  g_autofree char *page = g_build_filename (root, NOVNC_PAGE, NULL);
  g_autofree char *path = NULL;
  g_autofree char *location = NULL;
  g_autofree char *headers = NULL;
  g_autofree char *query_only = NULL;
  const char *query;

  path = target_path (request->target, &query);
  if (strcmp (path, "/") != 0 || !g_file_test (page, G_FILE_TEST_IS_REGULAR))
    return FALSE;
  /* The page's own settings come after ours: noVNC reads the last. */
  if (query != NULL)
    query_only = g_strndup (query, strcspn (query, "#"));
  location = g_strdup_printf ("/" NOVNC_PAGE "?" NOVNC_QUERY "%s%s", query_only && *query_only ? "&" : "",
                              query_only ? query_only : "");
  headers = g_strdup_printf ("Location: %s\r\nCache-Control: no-cache\r\n", location);
  response->status = 302;
  response->head = http_build_head (302, NULL, 0, headers, response->close);
  response->log = g_strdup_printf ("302, to %s", location);
  return TRUE;
}

void
http_serve (const char *root, const HttpRequest *request, HttpResponse *response)
{
  gboolean head_only = strcmp (request->method, "HEAD") == 0;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GMappedFile) file = NULL;
  gsize size;

  memset (response, 0, sizeof *response);
  response->close = http_request_wants_close (request);
  if (!head_only && strcmp (request->method, "GET") != 0)
    {
      g_autofree char *message = g_strdup_printf ("%s is not served here, only GET and HEAD", request->method);
      http_response_error (response, 405, message, "Allow: GET, HEAD\r\n", FALSE);
      return;
    }
  if (http_request_has_body (request))
    {
      /* Its body could not be told from the next request. */
      response->close = TRUE;
      http_response_error (response, 400, "GET and HEAD requests take no body", NULL, head_only);
      return;
    }
  if (root == NULL)
    {
      http_response_error (response, 404,
                           "This server serves no web pages (no http-root); "
                           "WebSocket viewers connect on any path", NULL, head_only);
      return;
    }
  if (!http_resolve_path (root, request->target, &path, &error))
    {
      if (error->code == 404 && redirect_to_novnc (root, request, response))
        return;
      http_response_error (response, (guint) error->code, error->message, NULL, head_only);
      return;
    }
  file = g_mapped_file_new (path, FALSE, &error);
  if (file == NULL)
    {
      http_response_error (response, 403, "The file cannot be read", NULL, head_only);
      return;
    }
  size = g_mapped_file_get_length (file);
  response->status = 200;
  response->head = http_build_head (200, http_content_type (path), size, "Cache-Control: no-cache\r\n",
                                    response->close);
  if (!head_only)
    response->body = g_mapped_file_get_bytes (file);
  response->log = g_strdup_printf ("200, %" G_GSIZE_FORMAT " bytes", size);
}

void
http_response_clear (HttpResponse *response)
{
  g_clear_pointer (&response->head, g_bytes_unref);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_pointer (&response->log, g_free);
}
