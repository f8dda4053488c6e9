/* Who is calling: checks an X-Bunker-Token value against the stored hashes,
 * in constant time. Knows nothing of headers. */
#ifndef BK_AUTH_H
#define BK_AUTH_H

#include <stddef.h>

#include "ctx.h"

/* Identify the caller of <c> from <token> (<len> bytes; NULL when absent) and
 * set c->caller, c->who and, for access tokens, c->access. BK_EAUTH when
 * absent (message "missing X-Bunker-Token header"), unknown ("access
 * denied"), expired or revoked. */
enum bk_err auth_identify(struct ctx *c, const char *token, size_t len);

/* Whether <c> may create users without a token (config). */
int auth_anonymous_create_allowed(const struct ctx *c);

#endif
