/* Shared records: a uuid that gives read access to chosen fields of one
 * user's profile, of one of the user's app data records, or of one of the
 * user's sessions, until it expires. The fields are read from the current
 * record at each access, so a forgotten user's shares, or those of an app
 * record or session since removed, show nothing (404). The uuid is a
 * capability: only its keyed hash is stored; the field list and the app name
 * or session id are sealed under the user's data key. */
#ifndef BK_SHARED_H
#define BK_SHARED_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ctx.h"
#include "users.h"

#define SHARED_FIELDS_MAX 100
#define SHARED_FIELD_MAX 256
#define SHARED_DEFAULT_PERIOD "6m"

/* What a share shows: the user's profile (both NULL), the user's app data
 * record <appname>, or the user's session <session>. Borrowed. */
struct shared_source {
    const char *appname;
    size_t appname_len;
    const char *session;
    size_t session_len;
};

/* Share <fields> of the user <ref>'s record named by <src>: a JSON string of
 * comma-separated names or an array of strings (borrowed); a dotted name
 * reaches into nested objects, "token" is the user token. <partner> (may be
 * NULL) is kept with the share. <expiration> (may be NULL:
 * policy.max_shareable_record_retention_period, else SHARED_DEFAULT_PERIOD)
 * is a period from now or a unix time; it is capped by the policy when that
 * is set. BK_EINVAL for a bad field list, app name or session id, or both an
 * app and a session; BK_ENOTFOUND ("not found") for an unknown user, or when
 * the user has no such app record or live session. The new uuid is
 * <uuid_out>. Audited as "SharedRecordCreate". */
enum bk_err shared_create(struct ctx *c, const struct user_ref *ref,
                          const struct shared_source *src, const json_t *fields,
                          const char *partner, const char *expiration, size_t expiration_len,
                          char token_out[37], char uuid_out[37]);

/* The shared fields of record <uuid> as a new object (*data_out), read from
 * the current profile, app record or session. BK_EINVAL for a malformed
 * uuid; BK_ENOTFOUND ("not found") for an unknown or expired record, a
 * forgotten user, or an app record or session that is gone. Audited as
 * "SharedRecordGet". */
enum bk_err shared_get(struct ctx *c, const char *uuid, size_t uuid_len, json_t **data_out);

/* Sweep: remove expired shares, every tenant. */
enum bk_err shared_sweep(struct ctx *c);
/* Forget hook: remove the shares of <user>. */
enum bk_err shared_forget(struct ctx *c, const struct user_row *user);

#endif
