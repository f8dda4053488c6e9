/* /v1 shared records: POST /v1/sharedrecord/{mode}/{identity} and the
 * capability link GET /v1/get/{record}, which needs no token. */
#ifndef BK_V1_SHARED_H
#define BK_V1_SHARED_H

#include "route.h"

extern const struct route v1_shared_routes[];

#endif
