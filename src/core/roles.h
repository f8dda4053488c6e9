/* Roles and CRBAC policies: create, rename, link a policy to a role; policy
 * documents are compiled (core/policy.c) before they are stored, so a bad
 * one is refused with the reason. Every change moves the tenant's access
 * version, which tells core/authz.c to reload its compiled policies. */
#ifndef BK_ROLES_H
#define BK_ROLES_H

#include <stdint.h>

#include <jansson.h>

#include "../store/access.h"
#include "ctx.h"

/* 1 when <s> (<len> bytes) can name a role: 1 to POLICY_NAME_MAX bytes, no
 * control characters and none of / $ { } (they delimit ${...:role/NAME}). */
int roles_name_valid(const char *s, size_t len);

/* BK_EINVAL for a bad name, BK_ECONFLICT when taken. */
enum bk_err roles_create(struct ctx *c, const char *name, const char *descr, int64_t *id_out);
/* Rename or describe role <id> (NULL: unchanged); BK_ENOTFOUND, BK_ECONFLICT. */
enum bk_err roles_update(struct ctx *c, int64_t id, const char *name, const char *descr);
/* The id of the role <id> or, when <name> is not NULL, named <name>, within
 * the caller's open write transaction; a missing role named by <name> is
 * created when <create>. BK_ENOTFOUND otherwise. */
enum bk_err roles_resolve(struct ctx *c, int64_t id, const char *name, int create,
                          int64_t *id_out);
/* Link policy (<policy_id> or <policy_name>) to role (<role_id> or
 * <role_name>); BK_ENOTFOUND for either missing, BK_ECONFLICT when linked. */
enum bk_err roles_link_policy(struct ctx *c, int64_t role_id, const char *role_name,
                              int64_t policy_id, const char *policy_name);

/* BK_EINVAL (c->errmsg says why) for a policy that does not compile. */
enum bk_err policies_create(struct ctx *c, const char *name, const char *descr,
                            const json_t *policy, int64_t *id_out);
/* Any of <name>, <descr>, <policy> may be NULL: unchanged. */
enum bk_err policies_update(struct ctx *c, int64_t id, const char *name, const char *descr,
                            const json_t *policy);
/* By <id>, or by <name> when not NULL; the caller cleans up <out>
 * (access_named_cleanup); out->extra holds the policy JSON text. */
enum bk_err policies_get(struct ctx *c, int64_t id, const char *name, struct access_named *out);
enum bk_err policies_list(struct ctx *c, store_named_fn fn, void *arg);

#endif
