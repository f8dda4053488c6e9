/* Data-subject requests with approval: a change to a user's data (forget
 * them, merge into or patch their profile or app data, withdraw an agreement) is
 * first stored as a request, sealed under the user's data key, and applied
 * only when approved, exactly as the direct call would apply it. Statuses:
 * open -> approved | cancelled. Every step is audited. */
#ifndef BK_REQUESTS_H
#define BK_REQUESTS_H

#include <stdint.h>

#include <jansson.h>

#include "../store/requests.h"
#include "ctx.h"
#include "users.h"

/* Request types as stored and shown (the released server's action names). */
#define REQUEST_USER_DELETE "forget-me"
#define REQUEST_USER_UPDATE "change-profile"
#define REQUEST_USER_PATCH "patch-profile"
#define REQUEST_APPDATA_UPDATE "change-app-data"
#define REQUEST_AGREEMENT_CANCEL "agreement-withdraw"

#define REQUEST_REASON_MAX 1024

/* Open a request of <type> (one of the REQUEST_* types) about the user
 * <ref> names and <target> (the app name of an app data request, the brief
 * of an agreement one; NULL or "" otherwise), carrying <change> (borrowed;
 * NULL for a delete or a plain withdrawal), audited as <action>. The change
 * is checked the way the direct call would check its input (an object to
 * merge; a well-formed patch). A delete or withdrawal request while the same
 * one is open for the user answers that one, with *existed set.
 * Writes the request's UUID into <rtoken_out>. */
enum bk_err requests_create(struct ctx *c, const struct user_ref *ref, const char *type,
                            const char *target, const json_t *change, const char *action,
                            char rtoken_out[37], int *existed);

/* A request as read back: the row (sealed part still sealed), and the opened
 * change, reason and the user's current profile where they still exist
 * (each NULL otherwise). requests_view_cleanup() frees them. */
struct request_view {
    struct request_row row;
    json_t *change;
    json_t *reason;
    json_t *original;
};
void requests_view_cleanup(struct request_view *v);

/* One request by its UUID <rtoken>, opened. BK_ENOTFOUND ("not found"),
 * BK_EINVAL for a malformed UUID. */
enum bk_err requests_get(struct ctx *c, const char *rtoken, size_t rtoken_len,
                         struct request_view *out);

/* The requests of the user <ref> names, newest first; <fn> sees each row. */
enum bk_err requests_list_user(struct ctx *c, const struct user_ref *ref, int64_t offset,
                               int64_t limit, int64_t *total, store_request_fn fn, void *arg);

/* Every request of the tenant, newest first, of status <status> (NULL: all;
 * "open", "approved" or "cancelled", else BK_EINVAL). */
enum bk_err requests_list(struct ctx *c, const char *status, int64_t offset, int64_t limit,
                          int64_t *total, store_request_fn fn, void *arg);

/* requests_list() audited as <action> (BulkListAllUserRequests behind an
 * unlock id; /v1's listing is "UserRequestListAll"). */
enum bk_err requests_list_as(struct ctx *c, const char *action, const char *status,
                             int64_t offset, int64_t limit, int64_t *total, store_request_fn fn,
                             void *arg);

/* Approve the open request <rtoken>: apply its change as the direct call
 * would (users_delete, users_modify) and mark it approved, in one
 * transaction. BK_ECONFLICT when it is not open (approved twice,
 * cancelled); the change's own error (e.g. BK_ECONFLICT for a taken email)
 * leaves it open. BK_ENOTIMPL for types this build cannot apply yet.
 * <reason> (may be NULL) is kept sealed with the request. */
enum bk_err requests_approve(struct ctx *c, const char *rtoken, size_t rtoken_len,
                             const char *reason, char user_token_out[37]);

/* Cancel the open request <rtoken>, keeping <reason> (may be NULL).
 * BK_ECONFLICT when it is not open. */
enum bk_err requests_cancel(struct ctx *c, const char *rtoken, size_t rtoken_len,
                            const char *reason);

#define REQUEST_REPORT_MAX 10000

/* The report section (core/report.c): the newest REQUEST_REPORT_MAX requests
 * of <user> as a new array of {requestuuid, requesttype, status,
 * creationtime, when, target?, change?, reason?}, within the report's
 * transaction. */
enum bk_err requests_report(struct ctx *c, const struct user_row *user,
                            const uint8_t dek[KEYS_LEN], json_t **out);

/* The forget.c purge: remove <user>'s requests within the open transaction,
 * except an approved delete request (the one forgetting the user now), whose
 * metadata stays as the record of it. */
enum bk_err requests_forget_user(struct ctx *c, const struct user_row *user);

#endif
