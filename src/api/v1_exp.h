/* /v1/exp: the user expiration flow (start, status, cancel) and the two
 * browser links (retain, delete) that work without a token. */
#ifndef BK_V1_EXP_H
#define BK_V1_EXP_H

#include "route.h"

extern const struct route v1_exp_routes[];

#endif
