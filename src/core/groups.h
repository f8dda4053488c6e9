/* Groups of users, each member holding a role in the group (parent, child,
 * teacher, group-admin ...): what CRBAC conditions are evaluated over. */
#ifndef BK_GROUPS_H
#define BK_GROUPS_H

#include <stdint.h>

#include <jansson.h>

#include "../store/access.h"
#include "ctx.h"
#include "users.h"

/* Which group and role a call names: an id, or a name when not NULL. */
struct groups_sel {
    int64_t group_id;
    const char *group_name;
    int64_t role_id;
    const char *role_name;       /* a missing role named here is created */
    int has_role;
};

/* BK_EINVAL for a bad name, BK_ECONFLICT when taken. */
enum bk_err groups_create(struct ctx *c, const char *name, const char *descr, const char *gtype,
                          int64_t *id_out);
/* The caller cleans up <out>; out->extra is the group type. */
enum bk_err groups_get(struct ctx *c, int64_t id, const char *name, struct access_named *out);
enum bk_err groups_update(struct ctx *c, int64_t id, const char *name, const char *descr,
                          const char *gtype);
/* Delete group <id> and its memberships; when <name> is not NULL it must be
 * the group's name (BK_EINVAL otherwise). */
enum bk_err groups_delete(struct ctx *c, int64_t id, const char *name);
enum bk_err groups_list(struct ctx *c, store_named_fn fn, void *arg);

/* Add the user <ref> to the group of <sel> with its role (if any).
 * BK_ENOTFOUND for a missing group, role id or user; BK_ECONFLICT when the
 * user already holds that role there. */
enum bk_err groups_add_user(struct ctx *c, const struct groups_sel *sel,
                            const struct user_ref *ref);
/* Remove the user from the group (every role); BK_ENOTFOUND when not in it. */
enum bk_err groups_delete_user(struct ctx *c, const struct groups_sel *sel,
                               const struct user_ref *ref);
/* The memberships of the user <ref>, group by group. */
enum bk_err groups_list_user(struct ctx *c, const struct user_ref *ref, store_member_fn fn,
                             void *arg);

/* users_create_with() hook: put the new user into the group of <arg> (a
 * struct groups_sel) inside the creation transaction. */
enum bk_err groups_on_user_created(struct ctx *c, const struct user_row *row, void *arg);

/* The id of the group <sel> names, within the caller's transaction. */
enum bk_err groups_resolve(struct ctx *c, const struct groups_sel *sel, int64_t *id_out);

#endif
