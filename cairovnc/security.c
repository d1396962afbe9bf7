/* security.c — the security types offered, and VeNCrypt's messages.
 *
 * The rules, in order:
 * - With a user name set, only types that carry one are offered (Apple
 *   Remote Desktop, VeNCrypt's Plain sub-types): VNC Authentication would
 *   let in anyone who knows the password's first eight characters.
 * - Otherwise VNC Authentication with a password, None without.
 * - VeNCrypt comes first when there is TLS to offer: X509 sub-types with
 *   a certificate, TLS (anonymous) ones when allowed, each with the same
 *   authentication as above.
 * - With require-encryption, nothing that leaves the session in the
 *   clear is offered — unless the connection is TLS already (wss://).
 * - Browsers cannot speak TLS inside a WebSocket: they get no TLS
 *   sub-types, and their encryption is wss://.
 */
#include "security.h"

#include <string.h>

#include "cairovnc.h"

/* Types that leave the session unencrypted may be offered. */
static gboolean
clear_allowed (const SecurityPolicy *policy)
{
  return policy->encrypted || !policy->require_encryption;
}

static SecurityAuth
policy_auth (const SecurityPolicy *policy)
{
  if (policy->has_username)
    return SECURITY_AUTH_PLAIN;
  return policy->has_password ? SECURITY_AUTH_VNC : SECURITY_AUTH_NONE;
}

guint
security_offer_vencrypt (const SecurityPolicy *policy, guint32 subtypes[SECURITY_MAX_SUBTYPES])
{
  static const guint32 x509[] = {
    [SECURITY_AUTH_NONE] = VENCRYPT_X509_NONE,
    [SECURITY_AUTH_VNC] = VENCRYPT_X509_VNC,
    [SECURITY_AUTH_PLAIN] = VENCRYPT_X509_PLAIN,
  };
  static const guint32 anonymous[] = {
    [SECURITY_AUTH_NONE] = VENCRYPT_TLS_NONE,
    [SECURITY_AUTH_VNC] = VENCRYPT_TLS_VNC,
    [SECURITY_AUTH_PLAIN] = VENCRYPT_TLS_PLAIN,
  };
  SecurityAuth auth = policy_auth (policy);
  guint n = 0;

  if (policy->encrypted)
    {
      /* TLS already: Plain alone carries a user name, as noVNC speaks it. */
      if (auth == SECURITY_AUTH_PLAIN)
        subtypes[n++] = VENCRYPT_PLAIN;
      return n;
    }
  if (policy->websocket)
    return 0;
  if (policy->x509)
    subtypes[n++] = x509[auth];
  if (policy->anonymous_tls)
    subtypes[n++] = anonymous[auth];
  return n;
}

guint
security_offer (const SecurityPolicy *policy, guint8 types[SECURITY_MAX_TYPES])
{
  guint32 subtypes[SECURITY_MAX_SUBTYPES];
  guint n = 0;

  if (security_offer_vencrypt (policy, subtypes) > 0)
    types[n++] = RFB_SECURITY_VENCRYPT;
  if (clear_allowed (policy))
    {
      switch (policy_auth (policy))
        {
        case SECURITY_AUTH_PLAIN:
          types[n++] = RFB_SECURITY_ARD;
          break;
        case SECURITY_AUTH_VNC:
          types[n++] = RFB_SECURITY_VNC_AUTH;
          break;
        default:
          types[n++] = RFB_SECURITY_NONE;
          break;
        }
    }
  return n;
}

guint8
security_type_for_3_3 (const SecurityPolicy *policy)
{
  if (!clear_allowed (policy))
    return RFB_SECURITY_INVALID;
  switch (policy_auth (policy))
    {
    case SECURITY_AUTH_VNC:
      return RFB_SECURITY_VNC_AUTH;
    case SECURITY_AUTH_NONE:
      return RFB_SECURITY_NONE;
    default:
      return RFB_SECURITY_INVALID;
    }
}

SecurityAuth
vencrypt_subtype_auth (guint32 subtype)
{
  switch (subtype)
    {
    case VENCRYPT_TLS_VNC:
    case VENCRYPT_X509_VNC:
      return SECURITY_AUTH_VNC;
    case VENCRYPT_PLAIN:
    case VENCRYPT_TLS_PLAIN:
    case VENCRYPT_X509_PLAIN:
      return SECURITY_AUTH_PLAIN;
    default:
      return SECURITY_AUTH_NONE;
    }
}

gboolean
vencrypt_subtype_is_x509 (guint32 subtype)
{
  return subtype == VENCRYPT_X509_NONE || subtype == VENCRYPT_X509_VNC || subtype == VENCRYPT_X509_PLAIN;
}

const char *
vencrypt_subtype_name (guint32 subtype)
{
  switch (subtype)
    {
    case VENCRYPT_PLAIN:
      return "Plain";
    case VENCRYPT_TLS_NONE:
      return "TLSNone";
    case VENCRYPT_TLS_VNC:
      return "TLSVnc";
    case VENCRYPT_TLS_PLAIN:
      return "TLSPlain";
    case VENCRYPT_X509_NONE:
      return "X509None";
    case VENCRYPT_X509_VNC:
      return "X509Vnc";
    case VENCRYPT_X509_PLAIN:
      return "X509Plain";
    default:
      return "unknown";
    }
}

GBytes *
vencrypt_build_subtypes (const guint32 *subtypes, guint n)
{
  GByteArray *out = g_byte_array_new ();
  guint8 count = (guint8) n;

  g_return_val_if_fail (n <= G_MAXUINT8, NULL);
  g_byte_array_append (out, &count, 1);
  for (guint i = 0; i < n; i++)
    rfb_append_u32 (out, subtypes[i]);
  return g_byte_array_free_to_bytes (out);
}

RfbParseResult
vencrypt_parse_version (const guint8 *data, gsize len, guint8 *major, guint8 *minor)
{
  if (len < 2)
    return RFB_PARSE_NEED_MORE;
  *major = data[0];
  *minor = data[1];
  return RFB_PARSE_OK;
}

RfbParseResult
vencrypt_parse_subtype (const guint8 *data, gsize len, guint32 *subtype)
{
  if (len < 4)
    return RFB_PARSE_NEED_MORE;
  *subtype = rfb_get_u32 (data);
  return RFB_PARSE_OK;
}

RfbParseResult
vencrypt_parse_plain (const guint8  *data,
                      gsize          len,
                      const guint8 **username,
                      gsize         *username_len,
                      const guint8 **password,
                      gsize         *password_len,
                      gsize         *consumed,
                      GError       **error)
{
  guint32 user_len, pass_len;

  if (len < 8)
    return RFB_PARSE_NEED_MORE;
  user_len = rfb_get_u32 (data);
  pass_len = rfb_get_u32 (data + 4);
  if (user_len > VENCRYPT_PLAIN_MAX_LENGTH || pass_len > VENCRYPT_PLAIN_MAX_LENGTH)
    {
      g_set_error (error, CAIROVNC_ERROR, CAIROVNC_ERROR_PROTOCOL,
                   "VeNCrypt Plain credentials of %u and %u bytes are over the limit of %u", user_len,
                   pass_len, VENCRYPT_PLAIN_MAX_LENGTH);
      return RFB_PARSE_ERROR;
    }
  if (len < 8 + (gsize) user_len + pass_len)
    return RFB_PARSE_NEED_MORE;
  *username = data + 8;
  *username_len = user_len;
  *password = data + 8 + user_len;
  *password_len = pass_len;
  *consumed = 8 + (gsize) user_len + pass_len;
  return RFB_PARSE_OK;
}
