/* /v2 (Pro RPC) adapters for UserPatch and data-subject requests. */
#ifndef BK_V2_REQUESTS_H
#define BK_V2_REQUESTS_H

#include "route.h"

/* Routes of UserPatch, User*Request, UserRequest* and the request calls of
 * other families (AppdataUpdateRequest, AgreementCancelRequest). */
extern const struct route v2_requests_routes[];

#endif
