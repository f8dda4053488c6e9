/* /v2 (Pro RPC) adapters for sessions. */
#ifndef BK_V2_SESSIONS_H
#define BK_V2_SESSIONS_H

#include "route.h"

extern const struct route v2_sessions_routes[];

#endif
