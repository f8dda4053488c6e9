/* Audit events: sealing their personal parts, chaining their hashes, and
 * reading them back. */
#include "audit.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "../base/clock.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../store/proof.h"
#include "../vault/kdf.h"
#include "../vault/secbuf.h"
#include "journal.h"
#include "record.h"

static void
copy_str(char *dst, size_t n, const char *src)
{
    size_t len = src ? strlen(src) : 0;

    if (len >= n)
        len = n - 1;
    if (len)
        memcpy(dst, src, len);
    dst[len] = '\0';
}

static int
feed(EVP_MD_CTX *md, const void *p, size_t n)
{
    uint8_t len[8];

    for (int i = 0; i < 8; i++)
        len[i] = (uint8_t)((uint64_t)n >> (56 - 8 * i));
    return EVP_DigestUpdate(md, len, sizeof len) == 1 && (n == 0 || EVP_DigestUpdate(md, p, n) == 1);
}

static int
feed_i64(EVP_MD_CTX *md, int64_t v)
{
    uint8_t b[8];

    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)((uint64_t)v >> (56 - 8 * i));
    return feed(md, b, sizeof b);
}

enum bk_err
audit_row_hash(const struct audit_row *row, uint8_t out[STORE_HASH_LEN])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int n = 0;
    int ok;

    if (md == NULL)
        return BK_ENOMEM;
    ok = kdf_sha256_md() != NULL && EVP_DigestInit_ex(md, kdf_sha256_md(), NULL) == 1 &&
         feed(md, row->prev_hash, STORE_HASH_LEN) && feed_i64(md, row->tenant) &&
         feed(md, row->atoken, strlen(row->atoken)) && feed(md, row->record, strlen(row->record)) &&
         feed_i64(md, row->when) && feed(md, row->action, strlen(row->action)) &&
         feed(md, row->who, strlen(row->who)) && feed(md, row->mode, strlen(row->mode)) &&
         feed(md, row->status, strlen(row->status)) && feed(md, row->msg, strlen(row->msg)) &&
         feed(md, row->sealed, row->sealed_len) && EVP_DigestFinal_ex(md, out, &n) == 1 &&
         n == STORE_HASH_LEN;
    EVP_MD_CTX_free(md);
    return ok ? BK_OK : BK_ECRYPTO;
}

enum bk_err
audit_head_mac(const struct vault *v, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
               uint8_t out[STORE_HASH_LEN])
{
    static const char label[] = "databunker audit head v1";
    uint8_t msg[sizeof label + 8 + STORE_HASH_LEN];

    memcpy(msg, label, sizeof label);
    for (int i = 0; i < 8; i++)
        msg[sizeof label + i] = (uint8_t)((uint64_t)tenant >> (56 - 8 * i));
    memcpy(msg + sizeof label + 8, hash, STORE_HASH_LEN);
    return kdf_hmac(v->audit_key, KEYS_LEN, msg, sizeof msg, out);
}

/* The signed head moves with every event, in the same transaction. */
static enum bk_err
head_advance(struct ctx *c, const struct audit_row *row)
{
    struct audit_head h;
    enum bk_err err;

    h.tenant = row->tenant;
    memcpy(h.hash, row->hash, STORE_HASH_LEN);
    err = audit_head_mac(&c->app->vault, h.tenant, h.hash, h.mac);
    if (err == BK_OK)
        err = store_proof_head_put(&c->db, &h);
    return err == BK_ENOTIMPL ? BK_OK : err;
}

static enum bk_err
seal_details(struct ctx *c, const struct audit_event *ev, struct audit_row *row)
{
    json_t *d;
    enum bk_err err;

    if (ev->dek == NULL)
        return BK_OK;
    d = json_object();
    if (d == NULL)
        return BK_ENOMEM;
    if ((ev->identity != NULL &&
         json_object_set_new(d, "identity", json_string(ev->identity)) != 0) ||
        (ev->before != NULL && json_object_set(d, "before", (json_t *)ev->before) != 0) ||
        (ev->after != NULL && json_object_set(d, "after", (json_t *)ev->after) != 0)) {
        json_decref(d);
        return BK_ENOMEM;
    }
    err = record_seal(c, ev->dek, "audit", row->atoken, 0, d, &row->sealed, &row->sealed_len);
    json_decref(d);
    return err;
}

/* The row of <ev>, all but its place in the chain: the personal parts
 * sealed, so no key work waits inside a transaction. */
static enum bk_err
prepare(struct ctx *c, const struct audit_event *ev, struct audit_row *row)
{
    enum bk_err err;

    memset(row, 0, sizeof *row);
    row->tenant = c->tenant;
    row->when = c->now;
    err = keys_uuid7(clock_real_ms(), row->atoken);
    if (err != BK_OK)
        return err;
    copy_str(row->record, sizeof row->record, ev->record);
    copy_str(row->action, sizeof row->action, ev->action);
    copy_str(row->who, sizeof row->who, c->who);
    copy_str(row->mode, sizeof row->mode, ev->mode);
    copy_str(row->status, sizeof row->status, ev->result == BK_OK ? "ok" : "error");
    copy_str(row->msg, sizeof row->msg,
             ev->msg ? ev->msg : ev->result == BK_OK ? "" : bk_err_str(ev->result));
    return seal_details(c, ev, row);
}

/* Chain <rows>, one run of a tenant's events in order, after <prev> and
 * insert them within the open write transaction: the hashes first, in C,
 * then the rows in one statement where the store has one (a round trip per
 * row otherwise). The last hash is left in <prev>. */
static enum bk_err
insert_run(struct ctx *c, struct audit_row *const *rows, size_t n, uint8_t prev[STORE_HASH_LEN])
{
    enum bk_err err = BK_OK;

    for (size_t i = 0; i < n && err == BK_OK; i++) {
        memcpy(rows[i]->prev_hash, prev, STORE_HASH_LEN);
        err = audit_row_hash(rows[i], rows[i]->hash);
        if (err == BK_OK)
            memcpy(prev, rows[i]->hash, STORE_HASH_LEN);
    }
    if (err != BK_OK)
        return err;
    err = BK_ENOTIMPL;
    if (n > 1)
        err = store_audit_insert_many(&c->db, (const struct audit_row *const *)rows, n);
    if (err != BK_ENOTIMPL)
        return err;
    err = BK_OK;
    for (size_t i = 0; i < n && err == BK_OK; i++)
        err = store_audit_insert(&c->db, rows[i]);
    return err;
}

enum bk_err
audit_write(struct ctx *c, const struct audit_event *ev)
{
    return audit_write_many(c, ev, 1);
}

enum bk_err
audit_insert_runs(struct ctx *c, struct audit_row *const *rows, size_t n)
{
    struct audit_row **run;
    uint8_t *chained;
    enum bk_err err = BK_OK;

    if (n == 0)
        return BK_OK;
    chained = mem_calloc(n, 1);
    run = mem_calloc(n, sizeof *run);
    if (chained == NULL || run == NULL) {
        err = BK_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n && err == BK_OK; i++) {
        struct audit_row head;
        size_t k = 0;

        if (chained[i])
            continue;
        memset(&head, 0, sizeof head);
        head.tenant = rows[i]->tenant;
        err = store_audit_last_hash(&c->db, head.tenant, head.hash);
        for (size_t j = i; j < n && err == BK_OK; j++) {
            if (rows[j]->tenant != head.tenant)
                continue;
            chained[j] = 1;
            run[k++] = rows[j];
        }
        if (err == BK_OK)
            err = insert_run(c, run, k, head.hash);
        if (err == BK_OK)
            err = head_advance(c, &head);
    }
out:
    mem_free(run);
    mem_free(chained);
    return err;
}

enum bk_err
audit_rows_prepare(struct ctx *c, const struct audit_event *evs, size_t n,
                   struct audit_row **out)
{
    struct audit_row *rows;
    enum bk_err err = BK_OK;
    size_t i;

    *out = NULL;
    rows = mem_calloc(n ? n : 1, sizeof *rows);
    if (rows == NULL)
        return BK_ENOMEM;
    for (i = 0; i < n && err == BK_OK; i++)
        err = prepare(c, &evs[i], &rows[i]);
    if (err != BK_OK) {
        audit_rows_free(rows, i);
        return err;
    }
    *out = rows;
    return BK_OK;
}

void
audit_rows_free(struct audit_row *rows, size_t n)
{
    if (rows == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        store_audit_row_cleanup(&rows[i]);
    mem_free(rows);
}

enum bk_err
audit_write_rows(struct ctx *c, struct audit_row *rows, size_t n)
{
    struct audit_row **run;
    enum bk_err err;

    /* Events journaled before this write come before its own in the chain,
     * and commit (or roll back) with it. */
    err = journal_take(c);
    if (err != BK_OK) {
        LOG_ERR(c->rid, "audit", "cannot import journaled audit events: %s", bk_err_str(err));
        return err;
    }
    /* the rows are all of c->tenant (prepare()): one run, its head moved once */
    run = mem_calloc(n ? n : 1, sizeof *run);
    err = run != NULL ? BK_OK : BK_ENOMEM;
    for (size_t i = 0; i < n && run != NULL; i++)
        run[i] = &rows[i];
    if (err == BK_OK)
        err = audit_insert_runs(c, run, n);
    mem_free(run);
    if (err != BK_OK)
        LOG_ERR(c->rid, "audit", "cannot write audit event: %s", bk_err_str(err));
    return err;
}

enum bk_err
audit_write_many(struct ctx *c, const struct audit_event *evs, size_t n)
{
    struct audit_row *rows;
    enum bk_err err = audit_rows_prepare(c, evs, n, &rows);

    if (err != BK_OK) {
        LOG_ERR(c->rid, "audit", "cannot write audit event: %s", bk_err_str(err));
        return err;
    }
    err = audit_write_rows(c, rows, n);
    audit_rows_free(rows, n);
    return err;
}

/* The events of calls that changed nothing wait here for one transaction
 * that writes them all: the first to find nobody writing writes every event
 * queued so far (a run of each tenant's chain, its head moved once, one
 * commit), the others wait for that commit and share its result. */
struct audit_queue {
    pthread_mutex_t lock;
    pthread_cond_t written;
    struct queued *first, **last;
    int writing;
};

/* One waiting event; lives on its caller's stack. */
struct queued {
    struct audit_row row;
    int done;
    enum bk_err result;
    struct queued *next;
};

enum bk_err
audit_queue_new(struct audit_queue **out)
{
    struct audit_queue *q = mem_calloc(1, sizeof *q);

    *out = NULL;
    if (q == NULL)
        return BK_ENOMEM;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->written, NULL);
    q->last = &q->first;
    *out = q;
    return BK_OK;
}

void
audit_queue_free(struct audit_queue *q)
{
    if (q == NULL)
        return;
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->written);
    mem_free(q);
}

/* Write the events from <first> on, in one lazy transaction. */
static enum bk_err
queue_write_once(struct ctx *c, struct queued *first)
{
    struct audit_row **rows;
    size_t n = 0;
    enum bk_err err;

    for (struct queued *e = first; e != NULL; e = e->next)
        n++;
    rows = mem_calloc(n ? n : 1, sizeof *rows);
    if (rows == NULL)
        return BK_ENOMEM;
    n = 0;
    for (struct queued *e = first; e != NULL; e = e->next)
        rows[n++] = &e->row;
    err = store_begin(&c->db, STORE_WRITE_LAZY);
    if (err == BK_OK)
        err = audit_insert_runs(c, rows, n);
    err = store_end(&c->db, err);
    mem_free(rows);
    return err;
}

static enum bk_err
queue_write(struct ctx *c, struct queued *first)
{
    enum bk_err err = BK_ERETRY;

    /* A conflict with another instance's writers is worth another try. */
    for (int attempt = 0; attempt < 5 && err == BK_ERETRY; attempt++)
        err = queue_write_once(c, first);
    if (err != BK_OK)
        LOG_ERR(c->rid, "audit", "cannot write audit events: %s", bk_err_str(err));
    return err;
}

static enum bk_err
write_alone(struct ctx *c, const struct audit_event *ev)
{
    enum bk_err err = store_begin(&c->db, STORE_WRITE_LAZY);

    if (err != BK_OK)
        return err;
    err = audit_write(c, ev);
    err = store_end(&c->db, err);
    return err;
}

enum bk_err
audit_read_end(struct ctx *c, enum bk_err err, const struct audit_event *ev)
{
    store_rollback(&c->db);
    return err == BK_OK ? audit_write_alone(c, ev) : err;
}

enum bk_err
audit_write_alone(struct ctx *c, const struct audit_event *ev)
{
    struct audit_queue *q = c->app->audit_queue;
    struct queued me;
    enum bk_err err;

    if (c->app->journal != NULL) {
        /* SQLite: into the journal, imported in big batches (core/journal.h) */
        err = prepare(c, ev, &me.row);
        if (err == BK_OK)
            err = journal_append(c->app->journal, &c->db, &me.row);
        if (err != BK_OK)
            LOG_ERR(c->rid, "audit", "cannot journal audit event: %s", bk_err_str(err));
        store_audit_row_cleanup(&me.row);
        return err;
    }
    if (q == NULL)
        return write_alone(c, ev);
    memset(&me, 0, sizeof me);
    err = prepare(c, ev, &me.row);
    if (err != BK_OK) {
        store_audit_row_cleanup(&me.row);
        return err;
    }
    pthread_mutex_lock(&q->lock);
    *q->last = &me;
    q->last = &me.next;
    while (!me.done) {
        struct queued *batch;

        if (q->writing) {
            pthread_cond_wait(&q->written, &q->lock);
            continue;
        }
        /* Nobody is writing: write everything queued, this event with it. */
        q->writing = 1;
        batch = q->first;
        q->first = NULL;
        q->last = &q->first;
        pthread_mutex_unlock(&q->lock);
        err = queue_write(c, batch);
        pthread_mutex_lock(&q->lock);
        for (struct queued *e = batch; e != NULL; e = e->next) {
            e->result = err;
            e->done = 1;
        }
        q->writing = 0;
        pthread_cond_broadcast(&q->written);
    }
    err = me.result;
    pthread_mutex_unlock(&q->lock);
    store_audit_row_cleanup(&me.row);
    return err;
}

/* The user's data key for <record>, when the user still has one. */
static int
dek_for(struct ctx *c, const char *record, uint8_t dek[KEYS_LEN])
{
    struct user_row u;
    int ok;

    if (record[0] == '\0' || store_user_by_token(&c->db, c->tenant, record, &u) != BK_OK)
        return 0;
    ok = record_dek(c, &u, dek) == BK_OK;
    store_user_row_cleanup(&u);
    return ok;
}

static json_t *
open_details(struct ctx *c, const struct audit_row *row, const uint8_t dek[KEYS_LEN])
{
    json_t *d = NULL;

    if (row->sealed == NULL)
        return NULL;
    if (record_open(c, dek, "audit", row->atoken, 0, row->sealed, row->sealed_len, &d) != BK_OK) {
        LOG_WARN(c->rid, "audit", "event details do not open (altered or moved row)");
        return NULL;
    }
    return d;
}

struct list_state {
    struct ctx *c;
    int have_dek;
    uint8_t dek[KEYS_LEN];
    audit_view_fn fn;
    void *arg;
};

static enum bk_err
list_row(void *arg, const struct audit_row *row)
{
    struct list_state *s = arg;
    struct audit_view v;
    enum bk_err err;

    v.row = *row;
    v.details = s->have_dek ? open_details(s->c, row, s->dek) : NULL;
    err = s->fn(s->arg, &v);
    json_decref(v.details);
    return err;
}

enum bk_err
audit_list_user(struct ctx *c, const char *record, int64_t offset, int64_t limit,
                int with_details, int64_t *total, audit_view_fn fn, void *arg)
{
    struct list_state s = { .c = c, .fn = fn, .arg = arg };
    enum bk_err err = journal_settle(c);

    if (err == BK_OK)
        err = store_begin(&c->db, 0);
    if (err != BK_OK)
        return err;
    s.have_dek = with_details && dek_for(c, record, s.dek);
    err = store_audit_list_user(&c->db, c->tenant, record, offset, limit, total, list_row, &s);
    store_rollback(&c->db);
    secbuf_wipe(s.dek, sizeof s.dek);
    return err;
}

enum bk_err
audit_get(struct ctx *c, const char *atoken, struct audit_view *out)
{
    uint8_t dek[KEYS_LEN];
    enum bk_err err;

    memset(out, 0, sizeof *out);
    err = journal_settle(c);
    if (err == BK_OK)
        err = store_begin(&c->db, 0);
    if (err != BK_OK)
        return err;
    err = store_audit_get(&c->db, c->tenant, atoken, &out->row);
    if (err == BK_OK && dek_for(c, out->row.record, dek)) {
        out->details = open_details(c, &out->row, dek);
        secbuf_wipe(dek, sizeof dek);
    }
    store_rollback(&c->db);
    if (err != BK_OK)
        audit_view_cleanup(out);
    return err;
}

void
audit_view_cleanup(struct audit_view *v)
{
    store_audit_row_cleanup(&v->row);
    json_decref(v->details);
    v->details = NULL;
}
