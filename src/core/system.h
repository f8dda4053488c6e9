/* System administration across tenants: statistics and record counts, and
 * the DPO's calls that find, remove and restore one person's profiles in
 * every tenant. Only the root caller of the main tenant may use them; the
 * cross-tenant reads and changes also need a live bulk unlock id (checked by
 * the caller, see unlock.h). */
#ifndef BK_SYSTEM_H
#define BK_SYSTEM_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ctx.h"
#include "users.h"

/* BK_EFORBID unless the caller is the main tenant's root. */
enum bk_err system_admin_check(struct ctx *c);

/* A new object of the counts SystemGetSystemStats answers (numusers,
 * numtenants, and each family's count as it registers one). */
enum bk_err system_stats(struct ctx *c, json_t **out);

/* The stored records by kind for metrics: fn(arg, "users", n), ... */
typedef enum bk_err (*system_count_fn)(void *arg, const char *kind, int64_t n);
enum bk_err system_record_counts(struct ctx *c, system_count_fn fn, void *arg);

/* The name of tenant <id>, or NULL while it has none; and the id of the
 * tenant named <name> (BK_ENOTFOUND when none). */
const char *system_tenant_name(int64_t id);
enum bk_err system_tenant_by_name(const char *name, int64_t *out);

/* Every active profile of the person <ref> names (not by token) in every
 * tenant: a new array of {token, profile, tenantid, tenantname}. One audit
 * event <action> per profile read. */
enum bk_err system_profiles_get(struct ctx *c, const struct user_ref *ref, json_t **rows_out);

/* Exact search by <identity> in every tenant: an email when it holds '@',
 * else login, phone and custom index. Rows as above, each user once. */
enum bk_err system_profiles_search(struct ctx *c, const char *identity, size_t len,
                                   json_t **rows_out);

/* Remove (restorably) the profiles <ref> names in every tenant, or only in
 * tenant <only> when it is >= 0 (token mode needs it). All or nothing; a new
 * array of {token, tenantid, tenantname}; BK_ENOTFOUND when none matched. */
enum bk_err system_profiles_delete(struct ctx *c, const struct user_ref *ref, int64_t only,
                                   json_t **rows_out);

/* Bring back the profile with <token> that system_profiles_delete removed in
 * <tenant>; *profile_out is a new reference. */
enum bk_err system_profile_restore(struct ctx *c, const char *token, size_t len, int64_t tenant,
                                   json_t **profile_out);

#endif
