/* /v1 and /v2 adapters of the end-user portal: prelogin, login, captcha,
 * logout and the UI configuration (branding) the built-in web UI reads. */
#ifndef BK_API_PORTAL_H
#define BK_API_PORTAL_H

#include "route.h"

extern const struct route v1_portal_routes[];
extern const struct route v2_portal_routes[];

#endif
