/* Authorization: whether the caller identified by core/auth.c may run an
 * operation, and on which user. The root token and tenant admin tokens
 * bypass every check; access tokens for users and roles are held to the
 * CRBAC policies of their roles (core/policy.c), compiled once per change
 * and cached in memory per tenant behind a version number kept in the store.
 * A user token may always act on its own record in the self-service calls. */
#ifndef BK_AUTHZ_H
#define BK_AUTHZ_H

#include <jansson.h>

#include "ctx.h"

/* May the caller of <c> run the operation named <op> (its Pro name, e.g.
 * "UserGet")? Records <op> in c->access.op. Refusals are audited here and
 * answer BK_EFORBID. Borrows a store connection when <c> holds none. */
enum bk_err authz_call(struct ctx *c, const char *op);

/* May the caller act on <target> in the running operation? Called where the
 * target user is resolved (users.c), inside the caller's transaction. On
 * success c->access.limited and c->access.view say what of the target may
 * be seen. BK_EFORBID (and c->access.refused set) otherwise. */
enum bk_err authz_target(struct ctx *c, const struct user_row *target);

/* 1 when the caller of <c> bypasses policies (root, tenant admin). */
int authz_bypass(const struct ctx *c);

/* <profile> (a reference the call takes) reduced to what the last
 * authz_target() allowed; returns a reference for the caller, NULL on OOM. */
json_t *authz_mask(struct ctx *c, json_t *profile);

/* BK_EFORBID when <before> -> <after> changes anything outside what the
 * last authz_target() allowed. */
enum bk_err authz_check_change(struct ctx *c, const json_t *before, const json_t *after);

/* Write the audit event of a target-level refusal recorded in <c>, if any.
 * Needs the request's store connection and no open transaction. */
void authz_refused(struct ctx *c);

/* Release what the decisions of the request in <c> shared (its principal,
 * the tenant's compiled policies); at the end of every request. */
void authz_ctx_cleanup(struct ctx *c);

/* Drop the compiled policies cached for every tenant (tests, shutdown). */
void authz_cache_clear(void);

#endif
