/* The audit-trail verifier behind `databunker audit-verify`. Per tenant, in id
 * order: each event's hash must match its contents (else it was edited), its
 * prev_hash must equal the previous event's hash (else events were removed,
 * inserted or reordered), and the newest event must be the one the signed
 * head names (else the newest events were removed). */
#include "auditverify.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../base/mem.h"
#include "../store/proof.h"
#include "../vault/secbuf.h"
#include "audit.h"

struct walk {
    struct auditverify_report *rep;
    struct store_conn *db;
    const struct vault *vault;
    int in_tenant;
    int64_t tenant;
    int64_t last_id;
    char last_atoken[37];
    uint8_t last_hash[STORE_HASH_LEN];
    int64_t *seen;              /* tenants with events, in order */
    size_t nseen;
};

static enum bk_err
broken(struct walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static enum bk_err
broken(struct walk *w, const char *fmt, ...)
{
    va_list ap;

    w->rep->broken = 1;
    va_start(ap, fmt);
    vsnprintf(w->rep->msg, sizeof w->rep->msg, fmt, ap);
    va_end(ap);
    return BK_ECORRUPT;     /* stops the walk; run() tells it from a read error */
}

static enum bk_err
check_head(struct walk *w, int64_t tenant, const uint8_t last_hash[STORE_HASH_LEN],
           int64_t last_id, const char *last_atoken)
{
    struct audit_head h;
    uint8_t mac[STORE_HASH_LEN];
    enum bk_err err = store_proof_head_get(w->db, tenant, &h);

    if (err == BK_ENOTFOUND)
        return broken(w, "tenant %lld: the signed chain head is missing (deleted?)",
                      (long long)tenant);
    if (err != BK_OK)
        return err;
    err = audit_head_mac(w->vault, tenant, h.hash, mac);
    if (err != BK_OK)
        return err;
    if (!secbuf_equal(mac, h.mac, STORE_HASH_LEN))
        return broken(w, "tenant %lld: the signed chain head does not verify (altered or "
                      "forged)", (long long)tenant);
    if (!secbuf_equal(h.hash, last_hash, STORE_HASH_LEN)) {
        if (last_id == 0)
            return broken(w, "tenant %lld: the signed head names an event but the chain is "
                          "empty: every event was removed", (long long)tenant);
        return broken(w, "tenant %lld: the newest event is %lld (atoken %s) but the signed "
                      "head names another: the newest events were removed or the chain "
                      "was rewritten",
                      (long long)tenant, (long long)last_id, last_atoken);
    }
    return BK_OK;
}

static enum bk_err
end_tenant(struct walk *w)
{
    if (!w->in_tenant)
        return BK_OK;
    w->in_tenant = 0;
    return check_head(w, w->tenant, w->last_hash, w->last_id, w->last_atoken);
}

static enum bk_err
on_row(void *arg, const struct audit_row *row)
{
    struct walk *w = arg;
    uint8_t h[STORE_HASH_LEN];
    enum bk_err err;

    if (!w->in_tenant || row->tenant != w->tenant) {
        int64_t *seen;

        err = end_tenant(w);
        if (err != BK_OK)
            return err;
        seen = mem_realloc(w->seen, (w->nseen + 1) * sizeof *seen);
        if (seen == NULL)
            return BK_ENOMEM;
        w->seen = seen;
        w->seen[w->nseen++] = row->tenant;
        w->in_tenant = 1;
        w->tenant = row->tenant;
        w->last_id = 0;
        w->last_atoken[0] = '\0';
        memset(w->last_hash, 0, sizeof w->last_hash);
        w->rep->tenants++;
    }
    w->rep->events++;
    err = audit_row_hash(row, h);
    if (err != BK_OK)
        return err;
    if (!secbuf_equal(h, row->hash, STORE_HASH_LEN))
        return broken(w, "tenant %lld: event %lld (atoken %s): its contents do not match its "
                      "hash: the event was edited", (long long)row->tenant, (long long)row->id,
                      row->atoken);
    if (!secbuf_equal(row->prev_hash, w->last_hash, STORE_HASH_LEN)) {
        if (w->last_id == 0)
            return broken(w, "tenant %lld: event %lld (atoken %s) is not the start of the "
                          "chain: earlier events were removed", (long long)row->tenant,
                          (long long)row->id, row->atoken);
        return broken(w, "tenant %lld: event %lld (atoken %s) does not follow event %lld "
                      "(atoken %s): events between them were removed, inserted or reordered",
                      (long long)row->tenant, (long long)row->id, row->atoken,
                      (long long)w->last_id, w->last_atoken);
    }
    w->last_id = row->id;
    memcpy(w->last_atoken, row->atoken, sizeof w->last_atoken);
    memcpy(w->last_hash, row->hash, STORE_HASH_LEN);
    return BK_OK;
}

/* A head for a tenant without any event: its whole chain was removed. */
static enum bk_err
on_head(void *arg, const struct audit_head *head)
{
    static const uint8_t zero[STORE_HASH_LEN];
    struct walk *w = arg;

    for (size_t i = 0; i < w->nseen; i++) {
        if (w->seen[i] == head->tenant)
            return BK_OK;
    }
    return check_head(w, head->tenant, zero, 0, "");
}

enum bk_err
auditverify_run(const struct app *app, struct auditverify_report *out)
{
    struct store_conn db = { 0 };
    struct walk w;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    memset(&w, 0, sizeof w);
    w.rep = out;
    w.db = &db;
    w.vault = &app->vault;
    err = store_acquire((struct store *)&app->store, &db);
    if (err != BK_OK)
        return err;
    err = store_begin(&db, 0);
    if (err == BK_OK) {
        err = store_proof_audit_scan(&db, on_row, &w);
        if (err == BK_OK)
            err = end_tenant(&w);
        if (err == BK_OK)
            err = store_proof_head_scan(&db, on_head, &w);
        store_rollback(&db);
    }
    store_release(&db);
    mem_free(w.seen);
    if (err == BK_ECORRUPT && out->broken)
        err = BK_OK;
    return err;
}
