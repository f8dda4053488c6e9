/* /v2 (Pro RPC) adapters for users and audit. */
#ifndef BK_V2_USER_H
#define BK_V2_USER_H

#include "route.h"

/* Routes of the /v2 user and audit calls. */
extern const struct route v2_user_routes[];

#define V2_HANDLER(name)                                                                   \
    enum bk_err name(struct ctx *c, const struct api_req *req, const struct route_match *m, \
                     json_t *body, json_t **reply, struct api_reply *raw)

struct groups_sel;
struct users_create_opts;

/* The group and role a new user joins, read from <rec> (groupid/groupname,
 * roleid/rolename; none: no group), for UserCreate and each UserCreateBulk
 * record: fills <sel> and points out->hook at it (out->exp is left alone). */
enum bk_err v2_user_create_sel(struct ctx *c, const json_t *rec, struct groups_sel *sel,
                               struct users_create_opts *out);

V2_HANDLER(v2_user_create);
V2_HANDLER(v2_user_get);
V2_HANDLER(v2_user_update);
V2_HANDLER(v2_user_delete);
V2_HANDLER(v2_audit_list_user_events);
V2_HANDLER(v2_audit_get_event);

#endif
