/* Token checks. Access tokens are never stored or compared in clear: the
 * presented token is hashed with the token key and compared in constant time
 * with the root token's hash; only other tokens cost a store lookup (by the
 * hash: an access token, core/xtokens.c; a tenant's admin token; a portal
 * session). */
#include "auth.h"

#include <stdio.h>
#include <string.h>

#include "../vault/secbuf.h"
#include "portal.h"
#include "tenants.h"
#include "xtokens.h"

#define TOKEN_MAX 256

enum bk_err
auth_identify(struct ctx *c, const char *token, size_t len)
{
    uint8_t h[KEYS_LEN];
    enum bk_err err;

    c->caller = CALLER_NONE;
    snprintf(c->who, sizeof c->who, "anonymous");
    if (token == NULL || len == 0)
        return ctx_fail(c, BK_EAUTH, "missing X-Bunker-Token header");
    if (len > TOKEN_MAX)
        return ctx_fail(c, BK_EAUTH, "access denied");
    err = keys_token_hash(&c->app->vault, token, len, h);
    if (err != BK_OK)
        return err;
    if (c->app->has_root_token && secbuf_equal(h, c->app->root_token_hash, KEYS_LEN)) {
        c->caller = CALLER_ROOT;
        snprintf(c->who, sizeof c->who, "root");
        return BK_OK;
    }
    /* Access tokens first: they carry the policy-checked calls, whose cost
     * is kept close to a root call's; then a tenant's admin token, then a
     * portal session. The hashes are random, so at most one table holds one. */
    err = xtokens_authenticate(c, h);
    if (err == BK_ENOTFOUND)
        err = tenants_auth_admin(c, h);
    if (err == BK_ENOTFOUND)
        err = portal_identify(c, h);
    if (err == BK_ENOTFOUND)
        return ctx_fail(c, BK_EAUTH, "access denied");
    return err;
}

int
auth_anonymous_create_allowed(const struct ctx *c)
{
    return c->app->conf->create_user_without_access_token;
}
