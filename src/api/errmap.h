/* The one place where an enum bk_err becomes an HTTP status and a message. */
#ifndef BK_ERRMAP_H
#define BK_ERRMAP_H

#include "../base/err.h"

/* The status for <err>; <v2> selects the Pro API's table (403 for
 * authentication failures). *msg gets a static default message. */
unsigned errmap_status(enum bk_err err, int v2, const char **msg);

#endif
