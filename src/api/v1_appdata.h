/* /v1 app data: /v1/userapp/{mode}/{identity}/{appname} and the released
 * server's listing routes. */
#ifndef BK_V1_APPDATA_H
#define BK_V1_APPDATA_H

#include "route.h"

extern const struct route v1_appdata_routes[];

#endif
