/* /v2 (Pro RPC) adapters for app data. */
#ifndef BK_V2_APPDATA_H
#define BK_V2_APPDATA_H

#include "route.h"

extern const struct route v2_appdata_routes[];

#endif
