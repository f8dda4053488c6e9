/* /v1 routes of data-subject requests, as the released open-source server
 * serves them: /v1/request/{request} and /v1/requests[/{mode}/{identity}]. */
#ifndef BK_V1_REQUESTS_H
#define BK_V1_REQUESTS_H

#include "route.h"

extern const struct route v1_requests_routes[];

#endif
