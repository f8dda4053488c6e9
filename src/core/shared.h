/* Shared records: a uuid that gives read access to chosen fields of one
 * user's profile until it expires. The fields are read from the current
 * profile at each access, so a forgotten user's shares show nothing (404).
 * The uuid is a capability: only its keyed hash is stored; the field list
 * is sealed under the user's data key. */
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

/* Share <fields> of the user <ref>: a JSON string of comma-separated names or
 * an array of strings (borrowed); a dotted name reaches into nested objects,
 * "token" is the user token. <partner> (may be NULL) is kept with the share.
 * <expiration> (may be NULL: policy.max_shareable_record_retention_period,
 * else SHARED_DEFAULT_PERIOD) is a period from now or a unix time; it is
 * capped by the policy when that is set. The new uuid is <uuid_out>. */
enum bk_err shared_create(struct ctx *c, const struct user_ref *ref, const json_t *fields,
                          const char *partner, const char *expiration, size_t expiration_len,
                          char token_out[37], char uuid_out[37]);

/* The shared fields of record <uuid> as a new object (*data_out). BK_EINVAL
 * for a malformed uuid; BK_ENOTFOUND ("not found") for an unknown or
 * expired record or a forgotten user. */
enum bk_err shared_get(struct ctx *c, const char *uuid, size_t uuid_len, json_t **data_out);

/* Sweep: remove expired shares, every tenant. */
enum bk_err shared_sweep(struct ctx *c);
/* Forget hook: remove the shares of <user>. */
enum bk_err shared_forget(struct ctx *c, const struct user_row *user);

#endif
