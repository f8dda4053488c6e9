/* /v2 (Pro RPC) adapters for access tokens, roles, policies and groups, and
 * for bulk listings and fuzzy search (v2_bulk.c). */
#ifndef BK_V2_ACCESS_H
#define BK_V2_ACCESS_H

#include "../core/groups.h"
#include "route.h"

extern const struct route v2_access_routes[];
extern const struct route v2_bulk_routes[];

#define V2_ACCESS_HANDLER(name)                                                            \
    enum bk_err name(struct ctx *c, const struct api_req *req, const struct route_match *m, \
                     json_t *body, json_t **reply, struct api_reply *raw)

/* The group and role a body names (groupid/groupname, roleid/rolename or
 * role). <need_group>: refuse a body without a group (BK_EINVAL). */
enum bk_err v2_access_group_sel(struct ctx *c, const json_t *body, int need_group,
                                struct groups_sel *sel);

V2_ACCESS_HANDLER(v2_xtoken_create_for_user);
V2_ACCESS_HANDLER(v2_xtoken_create_for_role);
V2_ACCESS_HANDLER(v2_role_create);
V2_ACCESS_HANDLER(v2_role_update);
V2_ACCESS_HANDLER(v2_role_link_policy);
V2_ACCESS_HANDLER(v2_policy_create);
V2_ACCESS_HANDLER(v2_policy_update);
V2_ACCESS_HANDLER(v2_policy_get);
V2_ACCESS_HANDLER(v2_policy_list_all);
V2_ACCESS_HANDLER(v2_group_create);
V2_ACCESS_HANDLER(v2_group_get);
V2_ACCESS_HANDLER(v2_group_update);
V2_ACCESS_HANDLER(v2_group_delete);
V2_ACCESS_HANDLER(v2_group_list_all);
V2_ACCESS_HANDLER(v2_group_list_user_groups);
V2_ACCESS_HANDLER(v2_group_add_user);
V2_ACCESS_HANDLER(v2_group_delete_user);

V2_ACCESS_HANDLER(v2_bulk_unlock);
V2_ACCESS_HANDLER(v2_bulk_list_all_users);
V2_ACCESS_HANDLER(v2_bulk_list_users);
V2_ACCESS_HANDLER(v2_bulk_list_group_users);
V2_ACCESS_HANDLER(v2_bulk_list_all_audit_events);
V2_ACCESS_HANDLER(v2_bulk_list_all_user_requests);
V2_ACCESS_HANDLER(v2_bulk_list_tokens);
V2_ACCESS_HANDLER(v2_bulk_delete_tokens);
V2_ACCESS_HANDLER(v2_user_search);

#endif
