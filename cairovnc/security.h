/* security.h — which security types a viewer is offered, and the
 * VeNCrypt messages (rfbproto.rst "Security Types", "VeNCrypt").
 *
 * The choice is a pure function of the server's settings and of what the
 * connection already is (TLS for wss://, a WebSocket); the parsers are
 * pure functions over bytes, as in rfb.c.
 */
#pragma once

#include <glib.h>

#include "rfb.h"

G_BEGIN_DECLS

#define RFB_SECURITY_VENCRYPT 19
#define RFB_SECURITY_ARD 30

/* VeNCrypt 0.2 sub-types. */
#define VENCRYPT_PLAIN 256
#define VENCRYPT_TLS_NONE 257
#define VENCRYPT_TLS_VNC 258
#define VENCRYPT_TLS_PLAIN 259
#define VENCRYPT_X509_NONE 260
#define VENCRYPT_X509_VNC 261
#define VENCRYPT_X509_PLAIN 262

#define VENCRYPT_VERSION_MAJOR 0
#define VENCRYPT_VERSION_MINOR 2

/* Longest user name and password a Plain sub-type may send: far more
 * than anyone types, small enough to allocate without a thought. */
#define VENCRYPT_PLAIN_MAX_LENGTH 1024

#define SECURITY_MAX_TYPES 4
#define SECURITY_MAX_SUBTYPES 4

typedef struct {
  gboolean has_password;       /* password or password-readonly */
  gboolean has_username;       /* username, with a password */
  gboolean x509;               /* a certificate is loaded */
  gboolean anonymous_tls;      /* allow-anonymous-tls */
  gboolean require_encryption; /* require-encryption */
  gboolean encrypted;          /* the connection is TLS already (wss://) */
  gboolean websocket;          /* browsers do not speak TLS inside a WebSocket */
} SecurityPolicy;

/* How the viewer proves who it is, once any TLS is up. */
typedef enum {
  SECURITY_AUTH_NONE,
  SECURITY_AUTH_VNC,           /* DES challenge */
  SECURITY_AUTH_PLAIN,         /* user name and password, in the clear inside TLS */
  SECURITY_AUTH_ARD,           /* user name and password, DH and AES */
} SecurityAuth;

/* The security types for 3.7 and later, best first; returns how many,
 * 0 when none may be offered (encryption required and not possible). */
guint security_offer (const SecurityPolicy *policy, guint8 types[SECURITY_MAX_TYPES]);
/* The VeNCrypt sub-types, best first; 0 when VeNCrypt is not offered. */
guint security_offer_vencrypt (const SecurityPolicy *policy, guint32 subtypes[SECURITY_MAX_SUBTYPES]);
/* The type a 3.3 viewer is given (the server chooses, and only None or
 * VNC Authentication can be): 0 when neither may be used. */
guint8 security_type_for_3_3 (const SecurityPolicy *policy);

/* What follows a sub-type's TLS handshake. */
SecurityAuth vencrypt_subtype_auth (guint32 subtype);
/* Whether a sub-type needs the certificate (X509*) or anonymous TLS (TLS*). */
gboolean vencrypt_subtype_is_x509 (guint32 subtype);
const char *vencrypt_subtype_name (guint32 subtype);

/* The server's list of sub-types: a count, then each as a U32. */
GBytes *vencrypt_build_subtypes (const guint32 *subtypes, guint n);

/* The viewer's version (2 bytes). */
RfbParseResult vencrypt_parse_version (const guint8 *data, gsize len, guint8 *major, guint8 *minor);
/* The viewer's sub-type (U32). */
RfbParseResult vencrypt_parse_subtype (const guint8 *data, gsize len, guint32 *subtype);
/* Plain credentials: two U32 lengths, then the user name and password.
 * Lengths over VENCRYPT_PLAIN_MAX_LENGTH are an ERROR before anything is
 * read; on OK @username and @password point into @data. */
RfbParseResult vencrypt_parse_plain (const guint8  *data,
                                     gsize          len,
                                     const guint8 **username,
                                     gsize         *username_len,
                                     const guint8 **password,
                                     gsize         *password_len,
                                     gsize         *consumed,
                                     GError       **error);

G_END_DECLS
