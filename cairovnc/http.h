/* http.h — the little HTTP/1.1 a browser viewer needs: requests parsed
 * from bytes, static files from one folder, and plain responses.
 *
 * Nothing here touches a socket or a viewer. The parser is a pure
 * function over bytes (NEED_MORE / OK / ERROR, as rfb.h's parsers);
 * errors are in the HTTP_ERROR domain, whose codes are the HTTP status to
 * answer with, and whose messages say why in words fit for a log line and
 * the response body.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The most a request's line and headers may take. Browsers send well
 * under 2 KiB; cookies of other pages on the same host may add some. */
#define HTTP_MAX_HEADER_SIZE (16 * 1024)

#define HTTP_ERROR (http_error_quark ())
GQuark http_error_quark (void);

typedef enum {
  HTTP_PARSE_NEED_MORE,
  HTTP_PARSE_OK,
  HTTP_PARSE_ERROR,
} HttpParseResult;

typedef struct {
  char *method;
  char *target;                /* as sent: path, maybe a query */
  guint minor_version;         /* HTTP/1.minor_version */
  GHashTable *headers;         /* lower-case name -> value; repeats joined with ", " */
} HttpRequest;

/* Parses one request's line and headers (a body is not read: see
 * http_request_has_body()). On OK, @request is filled (clear it with
 * http_request_clear()) and @consumed says how many bytes it took. Lines
 * may end in CRLF or, as RFC 9112 allows, a bare LF. */
HttpParseResult http_parse_request (const guint8 *data,
                                    gsize         len,
                                    HttpRequest  *request,
                                    gsize        *consumed,
                                    GError      **error);
void http_request_clear (HttpRequest *request);

/* The header's value, or NULL; @name in lower case. */
const char *http_request_get_header (const HttpRequest *request, const char *name);
/* Whether a comma-separated header (Connection, Upgrade) lists @token,
 * compared without case. */
gboolean http_request_header_has_token (const HttpRequest *request, const char *name, const char *token);
/* Whether the request announces a body (which GET and HEAD never need). */
gboolean http_request_has_body (const HttpRequest *request);
/* Whether the connection should close after the answer: HTTP/1.0, or
 * "Connection: close". */
gboolean http_request_wants_close (const HttpRequest *request);

/* Finds the file for @target under @root: the query is dropped,
 * %-escapes decoded, "/" names index.html. Refuses (400) dot-dot
 * segments, NUL and bad escapes, and (404) what is missing, not a
 * regular file, or — through symbolic links — outside @root. */
gboolean http_resolve_path (const char *root,
                            const char *target,
                            char      **path,
                            GError    **error);

/* The media type for a file name, by its extension. */
const char *http_content_type (const char *path);

const char *http_status_reason (guint status);

/* A response's status line and headers. @content_type may be NULL (no
 * body); @extra_headers, if not NULL, are whole "Name: value\r\n" lines. */
GBytes *http_build_head (guint       status,
                         const char *content_type,
                         gsize       content_length,
                         const char *extra_headers,
                         gboolean    close);

/* What to send for a request. */
typedef struct {
  guint status;
  GBytes *head;
  GBytes *body;                /* NULL for HEAD and bodiless answers */
  gboolean close;              /* close the connection after it */
  char *log;                   /* what happened, for the log */
} HttpResponse;

/* An error answer: @message as a text/plain body. */
void http_response_error (HttpResponse *response, guint status, const char *message,
                          const char *extra_headers, gboolean head_only);
/* Answers a request that is not a WebSocket upgrade: GET and HEAD of the
 * files under @root (NULL: there are none). "/" with no index.html but
 * noVNC's vnc.html redirects to vnc.html, set to connect at once. */
void http_serve (const char *root, const HttpRequest *request, HttpResponse *response);
void http_response_clear (HttpResponse *response);

G_END_DECLS
