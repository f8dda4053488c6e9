/* Legal bases: the tenant's definitions of why personal data is processed
 * (a consent to collect, a contract, a legal obligation...). Not personal
 * data; kept in clear. A legal basis that users have agreed to is never
 * removed: deleting it revokes those agreements and keeps it, marked
 * "deleted", for the record. */
#ifndef BK_LBASIS_H
#define BK_LBASIS_H

#include <stddef.h>

#include <jansson.h>

#include "../store/consent.h"
#include "ctx.h"

/* Create legal basis <brief> from the fields of <body> (borrowed: status,
 * module, shortdesc, fulldesc, basistype, requiredmsg, requiredflag,
 * usercontrol). BK_EINVAL for a bad brief or field, BK_ECONFLICT when it
 * exists. A deleted one is brought back. */
enum bk_err lbasis_create(struct ctx *c, const char *brief, size_t brief_len, const json_t *body);

/* Change the fields <body> names; rename to <newbrief> when it is not NULL.
 * "not found" when absent, BK_ECONFLICT when <newbrief> is taken. */
enum bk_err lbasis_update(struct ctx *c, const char *brief, size_t brief_len,
                          const char *newbrief, size_t newbrief_len, const json_t *body);

/* Create, or update when it exists (the /v1 call). */
enum bk_err lbasis_upsert(struct ctx *c, const char *brief, size_t brief_len, const json_t *body);

/* Delete <brief>; *revoked_out is the number of agreements it revoked. */
enum bk_err lbasis_delete(struct ctx *c, const char *brief, size_t brief_len,
                          int64_t *revoked_out);

/* Every legal basis not deleted, by brief: *rows_out is a new array. */
enum bk_err lbasis_list(struct ctx *c, json_t **rows_out);

/* Within the open write transaction of <c>: the active legal basis <brief>
 * (already validated) into *out. When it is absent or deleted and <implicit>
 * is set, it is created with defaults, taking basistype from the
 * "lawfulbasis" and module from the "module" of <fields>; otherwise "not
 * found". An inactive one is BK_EINVAL. */
enum bk_err lbasis_require(struct ctx *c, const char *brief, int implicit, const json_t *fields,
                           struct lbasis_row *out);

#endif
