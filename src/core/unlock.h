/* Bulk unlock ids (BulkListUnlock): a random UUID that lets bulk and
 * cross-tenant calls read personal data for a short time (bulk.unlock_ttl_s).
 * Stored only as a keyed hash; usable any number of times until it expires. */
#ifndef BK_UNLOCK_H
#define BK_UNLOCK_H

#include <stddef.h>

#include "ctx.h"

/* A new unlock id for the caller's tenant in <uuid_out>. */
enum bk_err unlock_create(struct ctx *c, char uuid_out[37]);

/* BK_OK when <uuid> (<len> bytes; NULL when absent) is a live unlock id of the
 * caller's tenant; BK_EINVAL when missing or malformed, BK_EFORBID when
 * unknown or expired (c->errmsg says which). */
enum bk_err unlock_check(struct ctx *c, const char *uuid, size_t len);

#endif
