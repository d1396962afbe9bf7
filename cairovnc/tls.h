/* tls.h — TLS from OpenSSL as a Transport: under RFB once VeNCrypt has
 * picked a TLS sub-type, or under WebSocket for wss://.
 *
 * OpenSSL reads and writes memory BIOs, never the socket: unwrap() feeds
 * it the bytes read and takes the RFB bytes it decrypts; wrap() encrypts
 * what the protocol queued. Protocol bytes queued before the handshake is
 * over wait inside and go out, encrypted, as soon as it is. Pure like
 * every transport; runs on the server context.
 */
#pragma once

#include <glib.h>
#include <openssl/ssl.h>

#include "transport.h"

G_BEGIN_DECLS

/* The first byte of a TLS record carrying a handshake message: what a
 * ClientHello starts with. */
#define TLS_RECORD_HANDSHAKE 0x16

/* A server context with the certificate chain of @cert_file and the
 * private key of @key_file (NULL: @cert_file holds both), PEM files.
 * TLS 1.2 and 1.3. Errors name the file and what OpenSSL found wrong. */
SSL_CTX *tls_context_new_x509 (const char *cert_file, const char *key_file, GError **error);

/* A server context for anonymous Diffie-Hellman (VeNCrypt's TLS*
 * sub-types): no certificate, so TLS 1.2 only (1.3 has no anonymous
 * cipher suites) and OpenSSL's security level 0, without which it
 * refuses them. Open to a man in the middle, which is why it is offered
 * only when allowed. */
SSL_CTX *tls_context_new_anonymous (GError **error);

/* A server-side TLS session of @ctx (which it references). */
Transport *tls_transport_new (SSL_CTX *ctx);

/* "TLS 1.3, TLS_AES_256_GCM_SHA384" once the handshake is over, else
 * NULL. @transport is one tls_transport_new() made. */
char *tls_transport_describe (Transport *transport);

G_END_DECLS
