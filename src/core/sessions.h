/* Sessions: a JSON document under a session id, with an expiry, optionally
 * tied to a user. The store finds a session by a keyed hash of its id (the
 * id is the application's bearer secret and is kept only sealed). A session
 * tied to a user is sealed under the user's data key, so forgetting the user
 * shreds it; an untied one under a random key of its own, wrapped by the
 * vault's data-key wrapping key with the place "sdek:<tenant>:<hash>".
 * Expired sessions are never returned and are purged by sessions_sweep(). */
#ifndef BK_SESSIONS_H
#define BK_SESSIONS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ctx.h"
#include "users.h"

/* Expiry when a write names none: one day. */
#define SESSIONS_DEFAULT_TTL_SECONDS 86400
#define SESSIONS_ID_MAX 128

/* How long a write keeps the session. Zero members were not given. */
struct session_times {
    int64_t ttl;          /* expires this long after the write ("expiration",
                             "slidingtime"); default SESSIONS_DEFAULT_TTL_SECONDS */
    int64_t final_ttl;    /* never lives longer than this after its creation
                             ("finaltime"); kept across writes that do not say */
};

/* 1 when <sid> is 1 to 128 bytes of [A-Za-z0-9._~-] (a UUID, or the URL-safe
 * ids session middleware makes). */
int sessions_id_valid(const char *sid, size_t len);

/* Read the duration <v> (a JSON string like "3d"; NULL or null: not given,
 * *out = 0) for the parameter named <what>; BK_EINVAL with a message for
 * anything else. */
enum bk_err sessions_duration(struct ctx *c, const json_t *v, const char *what, int64_t *out);

/* Create or replace the session <sid> with <data> (borrowed object).
 * <ref> ties it to that user (BK_ENOTFOUND when unknown); NULL keeps the tie
 * the session had, or none for a new one. The expiry is capped by
 * policy.max_session_retention_period. Audited as <action>. */
enum bk_err sessions_upsert(struct ctx *c, const char *sid, size_t sid_len,
                            const struct user_ref *ref, const json_t *data,
                            const struct session_times *t, const char *action);

/* A new session for the user <ref> with a fresh UUID written to <sid_out>. */
enum bk_err sessions_create(struct ctx *c, const struct user_ref *ref, const json_t *data,
                            const struct session_times *t, char sid_out[37]);

/* A session as read: <data> is a new reference the caller releases with
 * sessions_view_cleanup(); <sid> is borrowed for the callback or copied. */
struct session_view {
    const char *sid;
    int64_t when;          /* created, unix seconds */
    int64_t expires;
    json_t *data;
};

void sessions_view_cleanup(struct session_view *v);

/* Read the live session <sid>; BK_ENOTFOUND ("not found") when missing or
 * expired. out->sid points at <sid>. Audited as "SessionGet". */
enum bk_err sessions_get(struct ctx *c, const char *sid, size_t sid_len,
                         struct session_view *out);

/* Delete the session; BK_ENOTFOUND when missing or expired. "SessionDelete". */
enum bk_err sessions_delete(struct ctx *c, const char *sid, size_t sid_len);

typedef enum bk_err (*sessions_view_fn)(void *arg, const struct session_view *v);

/* Call <fn> for each live session tied to the user <ref>, oldest first;
 * *total is their number. "SessionListUserSessions". */
enum bk_err sessions_list_user(struct ctx *c, const struct user_ref *ref, sessions_view_fn fn,
                               void *arg, int64_t *total);

/* The report section (core/report.c): the live sessions tied to <user> as a
 * new array of {sessionuuid, when, expires, data}, within the report's
 * transaction. */
enum bk_err sessions_report(struct ctx *c, const struct user_row *user,
                            const uint8_t dek[KEYS_LEN], json_t **out);

/* Within the caller's open transaction and without an audit event of its
 * own: the data of the live session <sid> tied to <user>, opened with the
 * user's data key <dek>, as a new object in *data_out. BK_EINVAL for a
 * malformed id; BK_ENOTFOUND when there is no such live session or it is not
 * tied to <user>. */
enum bk_err sessions_read_tied(struct ctx *c, const struct user_row *user,
                               const uint8_t dek[KEYS_LEN], const char *sid, size_t sid_len,
                               json_t **data_out);

/* Forget hook: remove the sessions tied to <user>, in the open transaction. */
enum bk_err sessions_forget_user(struct ctx *c, const struct user_row *user);

/* Sweep: delete expired sessions in transactions of at most 100 rows each,
 * so a crash mid-sweep loses nothing but what was already due. */
enum bk_err sessions_sweep(struct ctx *c);

#endif
