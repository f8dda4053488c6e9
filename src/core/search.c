/* Keyed trigram index and ranked fuzzy search. The store sees only 64-bit
 * keyed hashes of trigrams; values are compared in memory after decryption. */
#include "search.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../base/clock.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../base/thread.h"
#include "../store/access.h"
#include "../vault/kdf.h"
#include "../vault/secbuf.h"
#include "audit.h"
#include "authz.h"
#include "normalize.h"
#include "record.h"

#define GRAMS_MAX (SEARCH_VALUE_MAX + 3)

static const char *const kind_names[] = { "", "email", "phone", "login", "custom" };

size_t
search_normalize(int kind, const char *in, size_t len, char *out)
{
    size_t n = 0;

    while (len > 0 && (*in == ' ' || *in == '\t' || *in == '\r' || *in == '\n')) {
        in++;
        len--;
    }
    while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\t' || in[len - 1] == '\r' ||
                       in[len - 1] == '\n'))
        len--;
    for (size_t i = 0; i < len && n < SEARCH_VALUE_MAX; i++) {
        char ch = in[i];

        if (kind == INDEX_PHONE && (ch < '0' || ch > '9'))
            continue;
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        if ((unsigned char)ch < 0x20)
            continue;
        out[n++] = ch;
    }
    out[n] = '\0';
    return n;
}

int
search_infer_kind(const char *s, size_t len)
{
    int digits = 0;

    if (memchr(s, '@', len) != NULL)
        return INDEX_EMAIL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            digits++;
        else if (strchr("+-() .", s[i]) == NULL)
            return INDEX_LOGIN;
    }
    return digits > 0 ? INDEX_PHONE : INDEX_LOGIN;
}

/* Edit distance of <a> to the whole of <b> (<infix> 0), or to the best
 * substring of <b> (<infix> 1: free start and end in <b>). */
static size_t
edit_distance(const char *a, size_t alen, const char *b, size_t blen, int infix)
{
    size_t prev[SEARCH_VALUE_MAX + 1], cur[SEARCH_VALUE_MAX + 1];
    size_t best;

    /* rows over a, columns over b */
    for (size_t j = 0; j <= blen; j++)
        prev[j] = infix ? 0 : j;
    for (size_t i = 1; i <= alen; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= blen; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (blen + 1) * sizeof *prev);
    }
    if (!infix)
        return prev[blen];
    best = prev[0];
    for (size_t j = 1; j <= blen; j++) {
        if (prev[j] < best)
            best = prev[j];
    }
    return best;
}

double
search_similarity(const char *q, size_t qlen, const char *v, size_t vlen)
{
    size_t longest = qlen > vlen ? qlen : vlen;
    double whole, part = 0.0;

    if (qlen == 0 || vlen == 0)
        return 0.0;
    if (qlen > SEARCH_VALUE_MAX)
        qlen = SEARCH_VALUE_MAX;
    if (vlen > SEARCH_VALUE_MAX)
        vlen = SEARCH_VALUE_MAX;
    whole = 1.0 - (double)edit_distance(q, qlen, v, vlen, 0) / (double)longest;
    if (qlen < vlen)
        part = 0.95 * (1.0 - (double)edit_distance(q, qlen, v, vlen, 1) / (double)qlen);
    return whole > part ? whole : part;
}

/* The indexed value of <kind> in <profile>, normalized into <out>. */
static size_t
value_of(const json_t *profile, int kind, char out[SEARCH_VALUE_MAX + 1])
{
    const json_t *v = profile ? json_object_get(profile, kind_names[kind]) : NULL;
    char num[32];

    out[0] = '\0';
    if (json_is_string(v))
        return search_normalize(kind, json_string_value(v), json_string_length(v), out);
    if (json_is_integer(v) && kind != INDEX_EMAIL) {
        int n = snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        return n > 0 ? search_normalize(kind, num, (size_t)n, out) : 0;
    }
    return 0;
}

/* The keyed hash of this vault's n-grams, prepared (kdf_mac_free()). */
static enum bk_err
search_mac(struct ctx *c, struct kdf_mac **out)
{
    static const char salt[] = "databunker-c v1";
    static const char label[] = "fuzzy search n-grams";
    uint8_t key[KDF_HASH_LEN];
    enum bk_err err;

    *out = NULL;
    err = kdf_hkdf((const uint8_t *)salt, sizeof salt - 1, ctx_vault(c)->master, KEYS_LEN, label,
                   sizeof label - 1, key, KDF_HASH_LEN);
    if (err == BK_OK)
        err = kdf_mac_new(key, sizeof key, out);
    secbuf_wipe(key, sizeof key);
    return err;
}

/* The distinct keyed hashes of the padded trigrams of <v>; returns how many. */
static enum bk_err
grams(struct kdf_mac *mac, int64_t tenant, int kind, const char *v, size_t vlen, int64_t *out,
      size_t *n_out)
{
    char padded[SEARCH_VALUE_MAX + 3];
    uint8_t msg[12], h[KDF_HASH_LEN];
    size_t n = 0, plen = vlen + 3;

    padded[0] = padded[1] = '\x01';
    memcpy(padded + 2, v, vlen);
    padded[vlen + 2] = '\x02';
    for (int i = 0; i < 8; i++)
        msg[i] = (uint8_t)((uint64_t)tenant >> (56 - 8 * i));
    msg[8] = (uint8_t)kind;
    for (size_t i = 0; i + 3 <= plen; i++) {
        int64_t g = 0;
        int seen = 0;
        enum bk_err err;

        memcpy(msg + 9, padded + i, 3);
        err = kdf_mac(mac, msg, sizeof msg, h);
        if (err != BK_OK)
            return err;
        for (int k = 0; k < 8; k++)
            g = (int64_t)(((uint64_t)g << 8) | h[k]);
        for (size_t k = 0; k < n && !seen; k++)
            seen = out[k] == g;
        if (!seen)
            out[n++] = g;
    }
    secbuf_wipe(padded, sizeof padded);
    secbuf_wipe(h, sizeof h);
    *n_out = n;
    return BK_OK;
}

/* Into <out> the postings of <user_id> among <g> that are not in <except>. */
static size_t
postings_except(int kind, const int64_t *g, size_t n, const int64_t *except, size_t n_except,
                int64_t user_id, struct store_gram_row *out)
{
    size_t m = 0;

    for (size_t i = 0; i < n; i++) {
        int kept = 0;

        for (size_t k = 0; k < n_except && !kept; k++)
            kept = except[k] == g[i];
        if (!kept)
            out[m++] = (struct store_gram_row){ .kind = kind, .gram = g[i], .user_id = user_id };
    }
    return m;
}

/* A changed value of <kind> while its grams are pending: the pending row
 * takes the new grams <cur> (or goes when there are none); a kind that had
 * no value (<nold> 0, so no postings) starts pending too. *done 0: the
 * postings are merged (or the store keeps none pending), diff them there. */
static enum bk_err
pending_update(struct ctx *c, int64_t user_id, int kind, size_t nold, const int64_t *cur,
               size_t ncur, int *done)
{
    int64_t had[STORE_PEND_GRAMS_MAX];
    size_t nhad = 0;
    enum bk_err err = store_access_pend_get(&c->db, c->tenant, user_id, kind, had, &nhad);

    *done = 0;
    if (err == BK_ENOTIMPL)
        return BK_OK;
    if (err == BK_ENOTFOUND) {
        if (nold > 0 || ncur == 0)
            return BK_OK;
        err = BK_OK;
    }
    if (err != BK_OK)
        return err;
    *done = 1;
    if (ncur == 0)
        return store_access_pend_delete(&c->db, c->tenant, user_id, kind);
    return store_access_pend_put(&c->db, c->tenant, user_id, kind, clock_real_ms(), cur, ncur);
}

enum bk_err
search_index_update(struct ctx *c, int64_t user_id, const json_t *before, const json_t *after)
{
    char was[SEARCH_VALUE_MAX + 1], now[SEARCH_VALUE_MAX + 1];
    struct kdf_mac *mac = NULL;
    int64_t old[GRAMS_MAX], cur[GRAMS_MAX];
    struct store_gram_row rows[GRAMS_MAX];
    enum bk_err err = BK_OK;

    for (int kind = INDEX_EMAIL; kind <= INDEX_CUSTOM && err == BK_OK; kind++) {
        size_t wlen = value_of(before, kind, was), nlen = value_of(after, kind, now);
        size_t nold = 0, ncur = 0, m;
        int done = 0;

        if (wlen == nlen && memcmp(was, now, nlen) == 0)
            continue;
        if (mac == NULL)
            err = search_mac(c, &mac);
        /* The old value names the postings to delete (by primary key): only
         * those the new value does not hold again are touched. */
        if (err == BK_OK && wlen > 0)
            err = grams(mac, c->tenant, kind, was, wlen, old, &nold);
        if (err == BK_OK && nlen > 0)
            err = grams(mac, c->tenant, kind, now, nlen, cur, &ncur);
        if (err == BK_OK)
            err = pending_update(c, user_id, kind, nold, cur, ncur, &done);
        if (err != BK_OK)
            break;
        if (done)
            continue;
        m = postings_except(kind, old, nold, cur, ncur, user_id, rows);
        if (m > 0)
            err = store_access_gram_delete_many(&c->db, c->tenant, rows, m);
        m = postings_except(kind, cur, ncur, old, nold, user_id, rows);
        if (err == BK_OK && m > 0)
            err = store_access_gram_put_many(&c->db, c->tenant, rows, m);
    }
    secbuf_wipe(was, sizeof was);
    secbuf_wipe(now, sizeof now);
    kdf_mac_free(mac);
    /* A store without the access family keeps no search index. */
    return err == BK_ENOTIMPL ? BK_OK : err;
}

enum bk_err
search_forget_user(struct ctx *c, const struct user_row *row)
{
    uint8_t dek[KEYS_LEN];
    json_t *profile = NULL;
    enum bk_err err = BK_ECORRUPT;

    if (row->dek != NULL && row->body != NULL) {
        err = record_dek(c, row, dek);
        if (err == BK_OK)
            err = record_open(c, dek, "user", row->token, row->version, row->body,
                              row->body_len, &profile);
        secbuf_wipe(dek, sizeof dek);
    }
    if (err == BK_OK) {
        err = search_index_update(c, row->id, profile, NULL);
    } else if (err != BK_ENOMEM) {
        /* Without the profile its postings are found by a scan. */
        LOG_WARN(c->rid, "search", "profile does not open (%s): postings purged by a scan",
                 bk_err_str(err));
        err = store_access_gram_purge_user(&c->db, c->tenant, row->id);
        if (err == BK_OK || err == BK_ENOTIMPL)
            err = store_access_pend_delete(&c->db, c->tenant, row->id, 0);
    }
    json_decref(profile);
    return err == BK_ENOTIMPL ? BK_OK : err;
}

/* One row of the n-gram index; <u> is the user's place in the batch. */
struct gram_row {
    int64_t gram;
    size_t u;
    int kind;
};

struct search_batch {
    struct gram_row *rows;
    size_t n, cap;
};

static enum bk_err
batch_room(struct search_batch *b, size_t more, size_t users)
{
    size_t want = b->cap ? 2 * b->cap : users * 64;
    struct gram_row *rows;

    if (b->n + more <= b->cap)
        return BK_OK;
    while (want < b->n + more)
        want *= 2;
    if (want > SIZE_MAX / sizeof *rows)
        return BK_ENOMEM;
    rows = mem_realloc(b->rows, want * sizeof *rows);
    if (rows == NULL)
        return BK_ENOMEM;
    b->rows = rows;
    b->cap = want;
    return BK_OK;
}

enum bk_err
search_batch_build(struct ctx *c, const json_t *const *profiles, size_t n,
                   struct search_batch **out)
{
    char v[SEARCH_VALUE_MAX + 1];
    struct kdf_mac *mac = NULL;
    struct search_batch *b;
    int64_t g[GRAMS_MAX];
    enum bk_err err = BK_OK;

    *out = NULL;
    b = mem_calloc(1, sizeof *b);
    if (b == NULL)
        return BK_ENOMEM;
    for (size_t u = 0; u < n && err == BK_OK; u++) {
        for (int kind = INDEX_EMAIL; kind <= INDEX_CUSTOM && err == BK_OK; kind++) {
            size_t vlen = value_of(profiles[u], kind, v), ng = 0;

            if (vlen == 0)
                continue;
            if (mac == NULL)
                err = search_mac(c, &mac);
            if (err == BK_OK)
                err = grams(mac, c->tenant, kind, v, vlen, g, &ng);
            if (err == BK_OK)
                err = batch_room(b, ng, n);
            for (size_t i = 0; i < ng && err == BK_OK; i++)
                b->rows[b->n++] = (struct gram_row){ g[i], u, kind };
        }
    }
    secbuf_wipe(v, sizeof v);
    kdf_mac_free(mac);
    if (err != BK_OK) {
        search_batch_free(b);
        return err;
    }
    *out = b;
    return BK_OK;
}

/* One pending row per (user, kind) of the batch, whose rows are in build
 * order (by user, then kind); BK_ENOTIMPL before any is written when the
 * store keeps none pending. */
static enum bk_err
batch_pend(struct ctx *c, const struct search_batch *b, const int64_t *user_ids)
{
    int64_t g[GRAMS_MAX];
    int64_t when = clock_real_ms();
    enum bk_err err = BK_OK;

    for (size_t i = 0, j; i < b->n && err == BK_OK; i = j) {
        size_t n = 0;

        for (j = i; j < b->n && b->rows[j].u == b->rows[i].u &&
                    b->rows[j].kind == b->rows[i].kind; j++)
            g[n++] = b->rows[j].gram;
        err = store_access_pend_put(&c->db, c->tenant, user_ids[b->rows[i].u], b->rows[i].kind,
                                    when, g, n);
    }
    return err;
}

enum bk_err
search_batch_insert(struct ctx *c, const struct search_batch *b, const int64_t *user_ids)
{
    struct store_gram_row *rows = NULL;
    enum bk_err err = batch_pend(c, b, user_ids);

    if (err == BK_OK) {
        /* rows are in build order: the last belongs to the last user indexed */
        search_merger_note(c->app->merger, b->n ? b->rows[b->n - 1].u + 1 : 0);
        return BK_OK;
    }
    if (err != BK_ENOTIMPL)
        return err;
    rows = b->n ? mem_calloc(b->n, sizeof *rows) : NULL;
    if (b->n != 0 && rows == NULL)
        return BK_ENOMEM;
    for (size_t i = 0; i < b->n; i++)
        rows[i] = (struct store_gram_row){ .kind = b->rows[i].kind, .gram = b->rows[i].gram,
                                           .user_id = user_ids[b->rows[i].u] };
    /* In key order the inserts walk the index once instead of jumping. */
    access_postings_sort(rows, b->n);
    err = store_access_gram_put_many(&c->db, c->tenant, rows, b->n);
    mem_free(rows);
    /* A store without the access family keeps no search index. */
    return err == BK_ENOTIMPL ? BK_OK : err;
}

/* ------------------------------------------------------------ the merge */

/* What one merge takes: the postings and the (user, kind) of each row. */
struct merge_set {
    struct access_pending p;
    int64_t *users;
    int *kinds;
    size_t n, cap;
};

static enum bk_err
merge_collect(void *arg, int64_t user_id, int kind, const int64_t *grams, size_t n)
{
    struct merge_set *m = arg;

    if (m->n == m->cap) {
        size_t want = m->cap ? 2 * m->cap : 256;
        int64_t *users = mem_realloc(m->users, want * sizeof *users);
        int *kinds;

        if (users == NULL)
            return BK_ENOMEM;
        m->users = users;
        kinds = mem_realloc(m->kinds, want * sizeof *kinds);
        if (kinds == NULL)
            return BK_ENOMEM;
        m->kinds = kinds;
        m->cap = want;
    }
    m->users[m->n] = user_id;
    m->kinds[m->n++] = kind;
    return access_pending_add(&m->p, user_id, kind, grams, n);
}

enum bk_err
search_merge(struct ctx *c, int64_t max_rows, size_t *moved)
{
    struct merge_set m = { 0 };
    enum bk_err err;

    *moved = 0;
    /* A merge only moves what is already durable: lost in a power cut, it
     * is lost whole and its pending rows are merged again, so it need not
     * wait for an fsync of its own. */
    err = store_begin(&c->db, STORE_WRITE_LAZY);
    if (err != BK_OK)
        return err;
    err = store_access_pend_list(&c->db, c->tenant, 0, max_rows, merge_collect, &m);
    /* sorted by key, the inserts walk the newest buckets once */
    if (err == BK_OK)
        access_postings_sort(m.p.rows, m.p.n);
    if (err == BK_OK && m.p.n > 0)
        err = store_access_gram_put_many(&c->db, c->tenant, m.p.rows, m.p.n);
    /* the rows listed are the tenant's first by (user_id, kind) */
    if (err == BK_OK && m.n > 0)
        err = store_access_pend_delete_through(&c->db, c->tenant, m.users[m.n - 1],
                                               m.kinds[m.n - 1]);
    if (err == BK_ENOTIMPL) {
        err = BK_OK;
        for (size_t i = 0; i < m.n && err == BK_OK; i++)
            err = store_access_pend_delete(&c->db, c->tenant, m.users[i], m.kinds[i]);
    }
    if (err == BK_OK && m.n > 0)
        err = store_commit(&c->db);
    else
        store_rollback(&c->db);
    if (err == BK_OK)
        *moved = m.n;
    access_pending_cleanup(&m.p);
    mem_free(m.users);
    mem_free(m.kinds);
    return err;
}

/* ------------------------------------------------------------ the merger */

#define MERGE_POLL_MS 250         /* how often the merger looks without being woken */

struct search_merger {
    const struct app *app;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    size_t noted;               /* users written pending since the last look */
    int stopping;
};

struct merge_due {
    int64_t tenants[64];
    size_t n;
    int64_t users, after_ms, now;
};

static enum bk_err
merge_due_add(void *arg, int64_t tenant, int64_t users, int64_t oldest_ms)
{
    struct merge_due *d = arg;

    if (d->n < sizeof d->tenants / sizeof d->tenants[0] &&
        (users >= d->users || oldest_ms <= d->now - d->after_ms))
        d->tenants[d->n++] = tenant;
    return BK_OK;
}

/* Every pending row of the tenant, search.merge_batch_rows a transaction:
 * the writer is free between two, and the yield lets a write queued for it
 * in first, so a create waits for one slice at most, not for the backlog. */
static enum bk_err
merge_all(struct ctx *c)
{
    size_t rows = c->app->conf->search_merge_batch_rows, moved = rows, total = 0, txns = 0;
    enum bk_err err = BK_OK;

    while (err == BK_OK && moved == rows) {
        err = search_merge(c, (int64_t)rows, &moved);
        total += moved;
        txns += moved > 0;
        if (err == BK_OK && moved == rows)
            sched_yield();
    }
    if (total > 0)
        LOG_DEBUG(c->rid, "search", "merged %zu pending rows of tenant %lld in %zu transactions",
                  total, (long long)c->tenant, txns);
    return err;
}

enum bk_err
search_merge_due(const struct app *app)
{
    const struct conf *conf = app->conf;
    struct merge_due d = { .n = 0 };
    struct ctx c;
    enum bk_err err;

    d.users = conf->search_merge_users;
    d.after_ms = conf->search_merge_after_ms;
    d.now = clock_real_ms();
    err = ctx_background(&c, app, "merger");
    if (err != BK_OK)
        return err;
    err = store_access_pend_tenants(&c.db, merge_due_add, &d);
    for (size_t i = 0; i < d.n && err == BK_OK; i++) {
        c.tenant = d.tenants[i];
        err = merge_all(&c);
    }
    store_release(&c.db);
    if (err != BK_OK && err != BK_ENOTIMPL)
        LOG_WARN(c.rid, "search", "merging pending postings: %s", bk_err_str(err));
    return err == BK_ENOTIMPL ? BK_OK : err;
}

static void *
merger_run(void *arg)
{
    struct search_merger *m = arg;

    thread_name("merger");
    pthread_mutex_lock(&m->lock);
    while (!m->stopping) {
        struct timespec until;

        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += (long)MERGE_POLL_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!m->stopping && m->noted < m->app->conf->search_merge_users &&
               pthread_cond_timedwait(&m->wake, &m->lock, &until) != ETIMEDOUT)
            ;
        if (m->stopping)
            break;
        m->noted = 0;
        pthread_mutex_unlock(&m->lock);
        search_merge_due(m->app);
        pthread_mutex_lock(&m->lock);
    }
    pthread_mutex_unlock(&m->lock);
    return NULL;
}

enum bk_err
search_merger_start(const struct app *app, struct search_merger **out)
{
    struct search_merger *m = mem_calloc(1, sizeof *m);

    *out = NULL;
    if (m == NULL)
        return BK_ENOMEM;
    m->app = app;
    pthread_mutex_init(&m->lock, NULL);
    pthread_cond_init(&m->wake, NULL);
    if (pthread_create(&m->thread, NULL, merger_run, m) != 0) {
        pthread_mutex_destroy(&m->lock);
        pthread_cond_destroy(&m->wake);
        mem_free(m);
        return BK_EINTERNAL;
    }
    *out = m;
    return BK_OK;
}

void
search_merger_note(struct search_merger *m, size_t users)
{
    if (m == NULL)
        return;
    pthread_mutex_lock(&m->lock);
    m->noted += users;
    pthread_cond_signal(&m->wake);
    pthread_mutex_unlock(&m->lock);
}

void
search_merger_stop(struct search_merger *m)
{
    if (m == NULL)
        return;
    pthread_mutex_lock(&m->lock);
    m->stopping = 1;
    pthread_cond_signal(&m->wake);
    pthread_mutex_unlock(&m->lock);
    pthread_join(m->thread, NULL);
    pthread_mutex_destroy(&m->lock);
    pthread_cond_destroy(&m->wake);
    mem_free(m);
    /* what is still pending waits for the next start, searched meanwhile */
}

void
search_batch_free(struct search_batch *b)
{
    if (b == NULL)
        return;
    mem_free(b->rows);
    mem_free(b);
}

struct hit {
    struct user_row row;
    json_t *profile;
    double score;
};

struct candidates {
    int64_t ids[SEARCH_CANDIDATES_MAX];
    size_t n;
    size_t max;
};

static enum bk_err
collect(void *arg, int64_t user_id, int64_t shared)
{
    struct candidates *cs = arg;

    (void)shared;
    if (cs->n < cs->max)
        cs->ids[cs->n++] = user_id;
    return BK_OK;
}

static int
by_score(const void *a, const void *b)
{
    const struct hit *x = a, *y = b;

    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return x->row.id < y->row.id ? -1 : x->row.id > y->row.id;
}

/* Open candidate <id>, score it, keep it in <h> when close enough and visible. */
static enum bk_err
consider(struct ctx *c, int64_t id, int kind, const char *q, size_t qlen, struct hit *h,
         int *kept)
{
    char v[SEARCH_VALUE_MAX + 1];
    uint8_t dek[KEYS_LEN];
    json_t *profile = NULL;
    size_t vlen;
    enum bk_err err;

    *kept = 0;
    memset(h, 0, sizeof *h);
    err = store_access_user_by_id(&c->db, c->tenant, id, &h->row);
    if (err == BK_ENOTFOUND || (err == BK_OK && h->row.status != USER_ACTIVE))
        goto skip;
    if (err != BK_OK)
        return err;
    err = authz_target(c, &h->row);
    if (err == BK_EFORBID) {
        c->access.refused = 0;
        c->errmsg = NULL;
        goto skip;
    }
    if (err == BK_OK)
        err = record_dek(c, &h->row, dek);
    if (err == BK_OK)
        err = record_open(c, dek, "user", h->row.token, h->row.version, h->row.body,
                          h->row.body_len, &profile);
    secbuf_wipe(dek, sizeof dek);
    if (err != BK_OK) {
        LOG_WARN(c->rid, "search", "candidate does not open: %s", bk_err_str(err));
        goto skip;
    }
    vlen = value_of(profile, kind, v);
    h->score = search_similarity(q, qlen, v, vlen);
    secbuf_wipe(v, sizeof v);
    if (h->score < SEARCH_MIN_SCORE)
        goto skip;
    h->profile = authz_mask(c, profile);
    if (h->profile == NULL) {
        store_user_row_cleanup(&h->row);
        return BK_ENOMEM;
    }
    *kept = 1;
    return BK_OK;
skip:
    json_decref(profile);
    store_user_row_cleanup(&h->row);
    return BK_OK;
}

/* A search reads the pending rows of its tenant whole: beyond a hard cap
 * (the merger fell behind) they are merged first. */
static enum bk_err
merge_if_too_many(struct ctx *c)
{
    int64_t rows = 0, cap = SEARCH_PENDING_HARD_CAP * (int64_t)c->app->conf->search_merge_users;
    enum bk_err err = store_access_pend_count(&c->db, c->tenant, &rows);

    if (err == BK_ENOTIMPL || (err == BK_OK && rows <= cap))
        return BK_OK;
    return err == BK_OK ? merge_all(c) : err;
}

enum bk_err
search_users(struct ctx *c, int kind, const char *identity, size_t len, size_t limit,
             search_hit_fn fn, void *arg)
{
    char q[SEARCH_VALUE_MAX + 1];
    struct kdf_mac *mac = NULL;
    int64_t g[GRAMS_MAX];
    /* decrypt twice as many candidates as the caller wants, within bounds */
    size_t k = limit > SEARCH_CANDIDATES_MAX / 2 ? SEARCH_CANDIDATES_MAX : 2 * limit;
    struct candidates cs = { .n = 0, .max = k < SEARCH_CANDIDATES ? SEARCH_CANDIDATES : k };
    struct hit *hits = NULL;
    size_t qlen, ng = 0, nh = 0;
    struct audit_event ev = { .action = "UserSearch" };
    enum bk_err err;

    if (kind == 0)
        kind = search_infer_kind(identity, len);
    ev.mode = kind_names[kind];
    qlen = search_normalize(kind, identity, len, q);
    if (qlen == 0)
        return ctx_fail(c, BK_EINVAL, "missing identity");
    err = search_mac(c, &mac);
    if (err == BK_OK)
        err = grams(mac, c->tenant, kind, q, qlen, g, &ng);
    kdf_mac_free(mac);
    hits = err == BK_OK ? mem_calloc(cs.max, sizeof *hits) : NULL;
    if (err == BK_OK && hits == NULL)
        err = BK_ENOMEM;
    if (err != BK_OK)
        goto out;
    err = merge_if_too_many(c);
    if (err != BK_OK)
        goto out;
    err = store_begin(&c->db, 0);
    if (err != BK_OK)
        goto out;
    err = store_access_gram_match(&c->db, c->tenant, kind, g, ng, SEARCH_GRAM_COMMON,
                                  SEARCH_GRAM_RAREST, (int64_t)cs.max, collect, &cs);
    for (size_t i = 0; i < cs.n && err == BK_OK; i++) {
        int kept;

        err = consider(c, cs.ids[i], kind, q, qlen, &hits[nh], &kept);
        nh += kept;
    }
    store_rollback(&c->db);
    if (err != BK_OK)
        goto out;
    qsort(hits, nh, sizeof *hits, by_score);
    if (nh > limit)
        nh = limit;
    ev.result = BK_OK;
    err = audit_write_alone(c, &ev);
    for (size_t i = 0; i < nh && err == BK_OK; i++)
        err = fn(arg, &hits[i].row, hits[i].profile, hits[i].score);
out:
    for (size_t i = 0; hits != NULL && i < cs.max; i++) {
        json_decref(hits[i].profile);
        store_user_row_cleanup(&hits[i].row);
    }
    mem_free(hits);
    secbuf_wipe(q, sizeof q);
    return err;
}
