/* /v1 shared records: POST /v1/sharedrecord/{mode}/{identity} and the
 * capability link GET /v1/get/{record}, which needs no token. */
#ifndef BK_V1_SHARED_H
#define BK_V1_SHARED_H

#include "route.h"

extern const struct route v1_shared_routes[];

struct user_ref;

/* Create a shared record of the user <ref> from <body> (both APIs): the app
 * name is member <app_key>, the expiry <exp_key>; "session", "partner" and
 * "fields" as named. On success <uuid_out> holds the record's uuid. */
enum bk_err v1_shared_create(struct ctx *c, const struct user_ref *ref, const json_t *body,
                             const char *app_key, const char *exp_key, char uuid_out[37]);

#endif
