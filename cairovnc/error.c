/* error.c — the CAIROVNC_ERROR domain. */
#include "cairovnc.h"

G_DEFINE_QUARK (cairovnc-error-quark, cairovnc_error)
