/* Unlock ids and the bulk listings they open. */
#include "bulk.h"

#include <stdio.h>
#include <string.h>

#include "../base/log.h"
#include "../store/access.h"
#include "../vault/secbuf.h"
#include "audit.h"
#include "authz.h"
#include "journal.h"
#include "record.h"

static void
owner_of(const struct ctx *c, char out[48])
{
    switch (c->caller) {
    case CALLER_ROOT:
        snprintf(out, 48, "root");
        break;
    case CALLER_TENANT:
        snprintf(out, 48, "tenant:%lld", (long long)c->tenant);
        break;
    case CALLER_USER:
    case CALLER_ROLE:
        snprintf(out, 48, "xtoken:%lld", (long long)c->access.xtoken_id);
        break;
    default:
        snprintf(out, 48, "anonymous");
        break;
    }
}

static enum bk_err
unlock_hash(struct ctx *c, const char *uuid, uint8_t out[KEYS_LEN])
{
    char msg[7 + 36];

    memcpy(msg, "unlock:", 7);
    memcpy(msg + 7, uuid, 36);
    return keys_token_hash(&c->app->vault, msg, sizeof msg, out);
}

enum bk_err
bulk_unlock_create(struct ctx *c, char unlock_out[37])
{
    uint8_t h[KEYS_LEN];
    char id[37], owner[48];
    struct audit_event ev = { .action = "BulkListUnlock" };
    enum bk_err err;

    unlock_out[0] = '\0';
    if (!c->app->conf->bulk_enabled)
        return ctx_fail(c, BK_EFORBID, "bulk operations are disabled");
    owner_of(c, owner);
    err = keys_uuid(id);
    if (err == BK_OK)
        err = unlock_hash(c, id, h);
    if (err == BK_OK)
        err = store_begin(&c->db, 1);
    if (err != BK_OK)
        return err;
    err = store_access_unlock_insert(&c->db, c->tenant, h, owner,
                                     ctx_ttl_end(c, (int64_t)c->app->conf->bulk_unlock_ttl_s));
    if (err == BK_OK)
        err = audit_write(c, &ev);
    err = store_end(&c->db, err);
    if (err == BK_OK)
        memcpy(unlock_out, id, 37);
    secbuf_wipe(id, sizeof id);
    return err;
}

enum bk_err
bulk_unlock_check(struct ctx *c, const char *uuid, size_t len, const char *purpose)
{
    static const char locked[] = "bulk list is locked: unlockuuid is unknown or expired";
    struct access_unlock u;
    uint8_t h[KEYS_LEN];
    char owner[48], id[37];
    enum bk_err err;

    if (!c->app->conf->bulk_enabled)
        return ctx_fail(c, BK_EFORBID, "bulk operations are disabled");
    if (!users_token_valid(uuid, len))
        return ctx_fail(c, BK_EINVAL, "bad unlockuuid");
    for (size_t i = 0; i < 36; i++)
        id[i] = (char)(uuid[i] >= 'A' && uuid[i] <= 'F' ? uuid[i] - 'A' + 'a' : uuid[i]);
    id[36] = '\0';
    err = unlock_hash(c, id, h);
    if (err == BK_OK)
        err = store_access_unlock_get(&c->db, c->tenant, h, &u);
    if (err == BK_ENOTFOUND || (err == BK_OK && c->now >= u.expires))
        return ctx_fail(c, BK_EFORBID, locked);
    if (err != BK_OK)
        return err;
    owner_of(c, owner);
    if (strcmp(owner, u.owner) != 0)
        return ctx_fail(c, BK_EFORBID, locked);
    if (u.purpose[0] == '\0') {
        err = store_access_unlock_bind(&c->db, c->tenant, h, purpose);
        if (err == BK_ENOTFOUND)   /* bound by a concurrent call: read it again */
            err = store_access_unlock_get(&c->db, c->tenant, h, &u);
        else if (err == BK_OK)
            snprintf(u.purpose, sizeof u.purpose, "%s", purpose);
        if (err != BK_OK)
            return err;
    }
    if (strcmp(u.purpose, purpose) != 0)
        return ctx_fail(c, BK_EFORBID, "unlockuuid was issued for another operation: "
                                       "request a new one");
    return BK_OK;
}

struct visit {
    struct ctx *c;
    bulk_user_fn fn;
    void *arg;
    int64_t shown;
};

/* Open one row, check it against the caller's policies, mask, pass it on. */
static enum bk_err
visit_user(void *arg, const struct user_row *row)
{
    struct visit *v = arg;
    struct ctx *c = v->c;
    uint8_t dek[KEYS_LEN];
    json_t *profile = NULL;
    enum bk_err err;

    if (row->status != USER_ACTIVE)
        return BK_OK;
    err = authz_target(c, row);
    if (err == BK_EFORBID) {
        c->access.refused = 0;
        c->errmsg = NULL;
        return BK_OK;
    }
    if (err == BK_OK)
        err = record_dek(c, row, dek);
    if (err == BK_OK)
        err = record_open(c, dek, "user", row->token, row->version, row->body, row->body_len,
                          &profile);
    secbuf_wipe(dek, sizeof dek);
    if (err != BK_OK) {
        LOG_ERR(c->rid, "bulk", "stored record does not open: %s", bk_err_str(err));
        return err == BK_ENOMEM ? err : BK_ECORRUPT;
    }
    profile = authz_mask(c, profile);
    if (profile == NULL)
        return BK_ENOMEM;
    err = v->fn(v->arg, row, profile);
    json_decref(profile);
    v->shown++;
    return err;
}

static enum bk_err
audit_listing(struct ctx *c, const char *action, int64_t shown)
{
    char msg[64];
    struct audit_event ev = { .action = action, .msg = msg };

    snprintf(msg, sizeof msg, "%lld records", (long long)shown);
    return audit_write_alone(c, &ev);
}

enum bk_err
bulk_list_all_users(struct ctx *c, int64_t offset, int64_t limit, int64_t *total,
                    bulk_user_fn fn, void *arg)
{
    struct visit v = { c, fn, arg, 0 };
    enum bk_err err = store_begin(&c->db, 0);

    *total = 0;
    if (err != BK_OK)
        return err;
    err = store_access_users_page(&c->db, c->tenant, offset, limit, total, visit_user, &v);
    store_rollback(&c->db);
    if (err == BK_OK && !authz_bypass(c))
        *total = v.shown;
    return err == BK_OK ? audit_listing(c, "BulkListAllUsers", v.shown) : err;
}

enum bk_err
bulk_list_users(struct ctx *c, const struct user_ref *refs, size_t n, bulk_user_fn fn,
                void *arg)
{
    struct visit v = { c, fn, arg, 0 };
    enum bk_err err = store_begin(&c->db, 0);

    if (err != BK_OK)
        return err;
    for (size_t i = 0; i < n && err == BK_OK; i++) {
        struct user_row row;
        const char *msg = c->errmsg;

        /* users_find() checks the caller's rights; a refusal or an
         * unknown user leaves the row out. */
        err = users_find(c, &refs[i], &row);
        if (err == BK_ENOTFOUND || err == BK_EFORBID) {
            c->access.refused = 0;
            c->errmsg = msg;
            err = BK_OK;
            continue;
        }
        if (err == BK_OK)
            err = visit_user(&v, &row);
        store_user_row_cleanup(&row);
    }
    store_rollback(&c->db);
    return err == BK_OK ? audit_listing(c, "BulkListUsers", v.shown) : err;
}

enum bk_err
bulk_list_group_users(struct ctx *c, int64_t group_id, int64_t offset, int64_t limit,
                      int64_t *total, bulk_user_fn fn, void *arg)
{
    struct visit v = { c, fn, arg, 0 };
    enum bk_err err = store_begin(&c->db, 0);

    *total = 0;
    if (err != BK_OK)
        return err;
    err = store_access_group_users_page(&c->db, c->tenant, group_id, offset, limit, total,
                                        visit_user, &v);
    store_rollback(&c->db);
    if (err == BK_OK && !authz_bypass(c))
        *total = v.shown;
    return err == BK_OK ? audit_listing(c, "BulkListGroupUsers", v.shown) : err;
}

enum bk_err
bulk_list_audit(struct ctx *c, int64_t offset, int64_t limit, int64_t *total,
                store_audit_fn fn, void *arg)
{
    enum bk_err err = journal_settle(c);

    *total = 0;
    if (err == BK_OK)
        err = store_begin(&c->db, 0);
    if (err != BK_OK)
        return err;
    err = store_access_audit_page(&c->db, c->tenant, offset, limit, total, fn, arg);
    store_rollback(&c->db);
    return err == BK_OK ? audit_listing(c, "BulkListAllAuditEvents", limit) : err;
}
