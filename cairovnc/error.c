/* error.c — the CAIROVNC_ERROR domain. */
#include "cairovnc.h"

/**
 * cairovnc_error_quark:
 *
 * Returns: the #GQuark of the %CAIROVNC_ERROR domain
 *
 * Since: 0.1
 */
G_DEFINE_QUARK (cairovnc-error-quark, cairovnc_error)
