/* Authorization: whether the caller identified by core/auth.c may run an
 * operation. The one seam every API call passes through after
 * authentication; policies plug in here. */
#ifndef BK_AUTHZ_H
#define BK_AUTHZ_H

#include "ctx.h"

/* May the caller of <c> run the operation named <op> (its Pro name, e.g.
 * "UserGet")? The root token may run everything. BK_EFORBID otherwise, with
 * the refusal audited by the caller. */
enum bk_err authz_call(struct ctx *c, const char *op);

#endif
