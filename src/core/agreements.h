/* Agreements: a user's consent to a legal basis. The personal part (which
 * message was shown, who recorded it, reference codes, free text) is sealed
 * under the user's data key; the row names the user by internal id and the
 * legal basis by id, with status and times in clear for revocation and
 * expiry. Every call writes an audit event (action: the Pro operation name)
 * in its transaction. */
#ifndef BK_AGREEMENTS_H
#define BK_AGREEMENTS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../store/consent.h"
#include "ctx.h"
#include "users.h"

/* Record <ref>'s agreement to <brief> from the fields of <body> (borrowed:
 * status, message, freetext, who, lawfulbasis, module, agreementmethod,
 * referencecode, lastmodifiedby, starttime, endtime/finaltime/expiration).
 * A second accept replaces the first, keeping its creation time. With
 * <implicit>, a brief without a legal basis gets one with defaults;
 * otherwise it is "not found". *out (may be NULL) is the agreement as read. */
enum bk_err agreements_accept(struct ctx *c, const struct user_ref *ref, const char *brief,
                              size_t brief_len, const json_t *body, int implicit, json_t **out);

/* The agreement of <ref> to <brief> as a new object; "not found" if none. */
enum bk_err agreements_get(struct ctx *c, const struct user_ref *ref, const char *brief,
                           size_t brief_len, json_t **out);

/* Every agreement of <ref>, by brief, as a new array. */
enum bk_err agreements_list(struct ctx *c, const struct user_ref *ref, json_t **rows_out);

/* Withdraw: the agreement stays, with status "cancel"; text fields <body>
 * gives (lastmodifiedby, ...) are recorded. "not found" if there is none. */
enum bk_err agreements_cancel(struct ctx *c, const struct user_ref *ref, const char *brief,
                              size_t brief_len, const json_t *body);

/* 1 when <brief> (<len> bytes) is a well-formed legal-basis name. */
int agreements_brief_valid(const char *brief, size_t len);

/* Runs inside a write transaction once the change is applied, before the
 * audit event and the commit; a non-BK_OK return rolls everything back. */
typedef enum bk_err (*agreements_hook_fn)(struct ctx *c, void *arg);

/* agreements_cancel() with <hook> (may be NULL) run in the same
 * transaction, so an approved request commits with the withdrawal or not at
 * all. */
enum bk_err agreements_cancel_with(struct ctx *c, const struct user_ref *ref, const char *brief,
                                   size_t brief_len, const json_t *body, agreements_hook_fn hook,
                                   void *arg);

/* Revoke every accepted agreement to <brief>: status "revoked", one audit
 * event per user. *count_out is how many. */
enum bk_err agreements_revoke_all(struct ctx *c, const char *brief, size_t brief_len,
                                  int64_t *count_out);

/* Within the open write transaction of <c>: revoke the accepted agreements to
 * <lb>, auditing each under <action>. */
enum bk_err agreements_revoke_lbasis(struct ctx *c, const struct lbasis_row *lb,
                                     const char *action, int64_t *count_out);

/* The report section (core/report.c): every agreement of <user>, by brief,
 * as a new array, within the report's transaction. */
enum bk_err agreements_report(struct ctx *c, const struct user_row *user,
                              const uint8_t dek[KEYS_LEN], json_t **out);

/* The forget hook: remove every agreement of <user>. */
enum bk_err agreements_forget(struct ctx *c, const struct user_row *user);

#endif
