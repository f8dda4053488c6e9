/* Bulk listings behind unlock ids ("select security"): a caller first asks
 * for an unlock id (BulkListUnlock), which lives bulk.unlock_ttl_seconds,
 * belongs to that caller, and serves the first operation it is used for
 * only (further pages of it included). Unlock ids are stored as keyed
 * hashes, so every instance sharing the store honours them. Each listing
 * writes one audit event; rows the caller's policies hide are left out and
 * visible rows are masked to the allowed fields. */
#ifndef BK_BULK_H
#define BK_BULK_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ctx.h"
#include "users.h"

#define BULK_PAGE_MAX 1000
#define BULK_USERS_MAX 1000   /* identities in one BulkListUsers */

/* A new unlock id for the caller of <c>. BK_EFORBID when bulk.enabled is off. */
enum bk_err bulk_unlock_create(struct ctx *c, char unlock_out[37]);

/* Accept <uuid> for <purpose> (the operation, and its group for group
 * listings): BK_EINVAL for a malformed id, BK_EFORBID when bulk is off or the
 * id is unknown, expired, another caller's, or bound to another purpose. */
enum bk_err bulk_unlock_check(struct ctx *c, const char *uuid, size_t len, const char *purpose);

/* A visible user: its row and its profile as the caller may see it. */
typedef enum bk_err (*bulk_user_fn)(void *arg, const struct user_row *row,
                                    const json_t *profile);

/* Every active user, by creation, one page. *total counts all active users
 * (for callers under policies: the rows they may see on this page). */
enum bk_err bulk_list_all_users(struct ctx *c, int64_t offset, int64_t limit, int64_t *total,
                                bulk_user_fn fn, void *arg);

/* The users <refs> name (<n> of them); unknown ones are skipped. */
enum bk_err bulk_list_users(struct ctx *c, const struct user_ref *refs, size_t n,
                            bulk_user_fn fn, void *arg);

/* The users of group <group_id>, one page. */
enum bk_err bulk_list_group_users(struct ctx *c, int64_t group_id, int64_t offset,
                                  int64_t limit, int64_t *total, bulk_user_fn fn, void *arg);

/* Every audit event of the tenant, newest first, without personal details. */
enum bk_err bulk_list_audit(struct ctx *c, int64_t offset, int64_t limit, int64_t *total,
                            store_audit_fn fn, void *arg);

#endif
