/* Bulk unlock ids: create and check. */
#include "unlock.h"

#include <string.h>

#include "../store/system.h"
#include "../vault/secbuf.h"
#include "users.h"

enum bk_err
unlock_create(struct ctx *c, char uuid_out[37])
{
    uint8_t h[KEYS_LEN];
    enum bk_err err;

    uuid_out[0] = '\0';
    err = keys_uuid(uuid_out);
    if (err == BK_OK)
        err = keys_token_hash(&c->app->vault, uuid_out, 36, h);
    if (err == BK_OK)
        err = store_begin(&c->db, 1);
    if (err != BK_OK) {
        uuid_out[0] = '\0';
        return err;
    }
    err = store_system_unlock_put(&c->db, c->tenant, h,
                                  c->now + (int64_t)c->app->conf->bulk_unlock_ttl_s, c->now);
    if (err == BK_OK)
        err = store_commit(&c->db);
    else
        store_rollback(&c->db);
    if (err != BK_OK)
        uuid_out[0] = '\0';
    return err;
}

enum bk_err
unlock_check(struct ctx *c, const char *uuid, size_t len)
{
    uint8_t h[KEYS_LEN];
    char lower[37];
    enum bk_err err;

    if (uuid == NULL || len == 0)
        return ctx_fail(c, BK_EINVAL, "missing unlockuuid: call BulkListUnlock first");
    if (!users_token_valid(uuid, len))
        return ctx_fail(c, BK_EINVAL, "bad unlockuuid");
    for (size_t i = 0; i < 36; i++)
        lower[i] = (char)(uuid[i] >= 'A' && uuid[i] <= 'F' ? uuid[i] - 'A' + 'a' : uuid[i]);
    lower[36] = '\0';
    err = keys_token_hash(&c->app->vault, lower, 36, h);
    if (err == BK_OK)
        err = store_begin(&c->db, 0);
    if (err != BK_OK)
        return err;
    err = store_system_unlock_check(&c->db, c->tenant, h, c->now);
    store_rollback(&c->db);
    secbuf_wipe(h, sizeof h);
    if (err == BK_ENOTFOUND)
        return ctx_fail(c, BK_EFORBID, "unlockuuid is unknown or expired");
    return err;
}
