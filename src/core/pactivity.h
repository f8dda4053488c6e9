/* Processing activities: the tenant's register of what it does with
 * personal data (title, script, description, to whom it applies), each
 * linked to the legal bases that allow it. Not personal data; kept in clear. */
#ifndef BK_PACTIVITY_H
#define BK_PACTIVITY_H

#include <stddef.h>

#include <jansson.h>

#include "ctx.h"

/* Create <activity> from the fields of <body> (borrowed: title, script,
 * fulldesc, applicableto). BK_ECONFLICT when it exists. */
enum bk_err pactivity_create(struct ctx *c, const char *activity, size_t len, const json_t *body);

/* Change the fields <body> names; rename to <newactivity> when not NULL.
 * "not found" when absent, BK_ECONFLICT when the new name is taken. */
enum bk_err pactivity_update(struct ctx *c, const char *activity, size_t len,
                             const char *newactivity, size_t newlen, const json_t *body);

/* Create, or update when it exists (the /v1 call). */
enum bk_err pactivity_upsert(struct ctx *c, const char *activity, size_t len, const json_t *body);

/* Delete <activity> and its links; "not found" when absent. */
enum bk_err pactivity_delete(struct ctx *c, const char *activity, size_t len);

/* Every activity with its "legalbasis" (linked briefs), as a new array. */
enum bk_err pactivity_list(struct ctx *c, json_t **rows_out);

/* Link <activity> to the legal basis <brief> (again: no error), or unlink it
 * (when not linked: no error). "not found" when either is absent. */
enum bk_err pactivity_link(struct ctx *c, const char *activity, size_t len, const char *brief,
                           size_t brief_len);
enum bk_err pactivity_unlink(struct ctx *c, const char *activity, size_t len, const char *brief,
                             size_t brief_len);

#endif
