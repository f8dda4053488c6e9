/* /v1 consent management: the spec's /v1/consent routes and the released
 * server's /v1/agreement, /v1/agreements, /v1/lbasis and /v1/pactivity. */
#ifndef BK_V1_CONSENT_H
#define BK_V1_CONSENT_H

#include "route.h"

extern const struct route v1_consent_routes[];

#endif
