/* Row cleanup for the access-control family and the ranking of fuzzy search
 * candidates, shared by every backend. */
#include "access.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../base/clock.h"
#include "../base/mem.h"

void
access_named_cleanup(struct access_named *n)
{
    mem_free(n->name);
    mem_free(n->descr);
    mem_free(n->extra);
    n->name = n->descr = n->extra = NULL;
}

/* ------------------------------------------------ fuzzy search candidates */

/* How many users hold a gram (at most the search's <common>; never 0) is
 * remembered for DF_TTL_SECONDS, so a search reads the posting lists of the
 * grams it counts and no others. The slots hold keyed hashes and counts,
 * which the database holds too. */
#define DF_SLOTS 16384
#define DF_TTL_SECONDS 300

struct df_slot {
    int64_t tenant;
    int64_t gram;
    int64_t df;
    int64_t expires;   /* monotonic ms */
    int kind;
};

static struct df_slot df_slots[DF_SLOTS];
static pthread_mutex_t df_lock = PTHREAD_MUTEX_INITIALIZER;

static struct df_slot *
df_slot_of(int64_t tenant, int kind, int64_t gram)
{
    uint64_t h = ((uint64_t)gram ^ ((uint64_t)tenant << 3) ^ (uint64_t)kind) *
                 0x9e3779b97f4a7c15ULL;

    return &df_slots[h >> 50 & (DF_SLOTS - 1)];
}

/* The remembered count of <gram>, or -1. */
static int64_t
df_known(int64_t tenant, int kind, int64_t gram)
{
    const struct df_slot *s = df_slot_of(tenant, kind, gram);
    int64_t df = -1;

    pthread_mutex_lock(&df_lock);
    if (s->gram == gram && s->tenant == tenant && s->kind == kind && s->expires > clock_mono_ms())
        df = s->df;
    pthread_mutex_unlock(&df_lock);
    return df;
}

/* Remember that <df> users hold <gram>; 0 forgets it. */
static void
df_note(int64_t tenant, int kind, int64_t gram, int64_t df)
{
    struct df_slot *s = df_slot_of(tenant, kind, gram);

    pthread_mutex_lock(&df_lock);
    s->tenant = tenant;
    s->kind = kind;
    s->gram = gram;
    s->df = df;
    s->expires = df > 0 ? clock_mono_ms() + DF_TTL_SECONDS * 1000 : 0;
    pthread_mutex_unlock(&df_lock);
}

/* Shared-gram counts by user id: open addressing, id 0 marks a free slot
 * (user ids start at 1). */
#define TALLY_HINT_MAX 65536
struct tally {
    int64_t *ids;
    int64_t *counts;
    size_t cap;             /* a power of two */
    size_t n;
};

static size_t
slot_of(int64_t id, size_t cap)
{
    return (size_t)(((uint64_t)id * 0x9e3779b97f4a7c15ULL) >> 32) & (cap - 1);
}

/* Room for at least <want> users at half load. */
static enum bk_err
tally_grow(struct tally *t, size_t want)
{
    size_t cap = t->cap ? t->cap * 2 : 1024;
    int64_t *ids, *counts;

    while (cap < want * 2)
        cap *= 2;
    ids = mem_calloc(cap, sizeof *ids);
    counts = mem_calloc(cap, sizeof *counts);
    if (ids == NULL || counts == NULL) {
        mem_free(ids);
        mem_free(counts);
        return BK_ENOMEM;
    }
    for (size_t i = 0; i < t->cap; i++) {
        size_t j;

        if (t->ids[i] == 0)
            continue;
        j = slot_of(t->ids[i], cap);
        while (ids[j] != 0)
            j = (j + 1) & (cap - 1);
        ids[j] = t->ids[i];
        counts[j] = t->counts[i];
    }
    mem_free(t->ids);
    mem_free(t->counts);
    t->ids = ids;
    t->counts = counts;
    t->cap = cap;
    return BK_OK;
}

static enum bk_err
tally_add(struct tally *t, int64_t id)
{
    size_t j;

    if ((t->n + 1) * 2 > t->cap && tally_grow(t, t->n + 1) != BK_OK)
        return BK_ENOMEM;
    j = slot_of(id, t->cap);
    while (t->ids[j] != 0 && t->ids[j] != id)
        j = (j + 1) & (t->cap - 1);
    if (t->ids[j] == 0) {
        t->ids[j] = id;
        t->n++;
    }
    t->counts[j]++;
    return BK_OK;
}

struct scored {
    int64_t id;
    int64_t n;
    int64_t *kept;          /* grams: the posting list as first read, or NULL */
};

static int
by_shared(const void *a, const void *b)
{
    const struct scored *x = a, *y = b;

    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Grams by how many users hold them (kept in <n>), then by value (<id>). */
static int
by_rarity(const void *a, const void *b)
{
    const struct scored *x = a, *y = b;

    if (x->n != y->n)
        return x->n < y->n ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* ------------------------------------------------------- pending postings */

enum bk_err
access_pending_add(void *arg, int64_t user_id, int kind, const int64_t *grams, size_t n)
{
    struct access_pending *p = arg;

    if (p->n + n > p->cap) {
        size_t want = p->cap ? p->cap * 2 : 1024;
        struct store_gram_row *rows;

        while (want < p->n + n)
            want *= 2;
        rows = mem_realloc(p->rows, want * sizeof *rows);
        if (rows == NULL)
            return BK_ENOMEM;
        p->rows = rows;
        p->cap = want;
    }
    for (size_t i = 0; i < n; i++)
        p->rows[p->n++] = (struct store_gram_row){ .kind = kind, .gram = grams[i],
                                                   .user_id = user_id };
    return BK_OK;
}

/* Postings in the order of the index's key: (kind, bucket, gram, user). */
static int
posting_less(const struct store_gram_row *x, const struct store_gram_row *y)
{
    int64_t bx, by;

    if (x->kind != y->kind)
        return x->kind < y->kind;
    bx = store_gram_bucket(x->user_id);
    by = store_gram_bucket(y->user_id);
    if (bx != by)
        return bx < by;
    if (x->gram != y->gram)
        return x->gram < y->gram;
    return x->user_id < y->user_id;
}

static void
posting_swap(struct store_gram_row *a, struct store_gram_row *b)
{
    struct store_gram_row t = *a;

    *a = *b;
    *b = t;
}

int
access_postings_sorted(const struct store_gram_row *r, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        if (posting_less(&r[i], &r[i - 1]))
            return 0;
    }
    return 1;
}

/* A merge sorts a hundred thousand postings at a time, so the comparison is
 * inlined rather than called through qsort(): a quicksort on the median of
 * three, insertion sort for short runs, recursing into the smaller side only
 * (depth at most log2 n). */
void
access_postings_sort(struct store_gram_row *r, size_t n)
{
    while (n > 16) {
        size_t mid = n / 2, i = 0, j = n - 1;
        struct store_gram_row pivot;

        if (posting_less(&r[mid], &r[0]))
            posting_swap(&r[mid], &r[0]);
        if (posting_less(&r[n - 1], &r[mid])) {
            posting_swap(&r[n - 1], &r[mid]);
            if (posting_less(&r[mid], &r[0]))
                posting_swap(&r[mid], &r[0]);
        }
        pivot = r[mid];
        /* Hoare's partition: r[0..j] <= pivot <= r[j+1..n-1] */
        for (;;) {
            while (posting_less(&r[i], &pivot))
                i++;
            while (posting_less(&pivot, &r[j]))
                j--;
            if (i >= j)
                break;
            posting_swap(&r[i++], &r[j--]);
        }
        if (j + 1 < n - j - 1) {
            access_postings_sort(r, j + 1);
            r += j + 1;
            n -= j + 1;
        } else {
            access_postings_sort(r + j + 1, n - j - 1);
            n = j + 1;
        }
    }
    for (size_t i = 1; i < n; i++) {
        struct store_gram_row t = r[i];
        size_t k = i;

        for (; k > 0 && posting_less(&t, &r[k - 1]); k--)
            r[k] = r[k - 1];
        r[k] = t;
    }
}

static int
by_gram_user(const void *a, const void *b)
{
    const struct store_gram_row *x = a, *y = b;

    if (x->gram != y->gram)
        return x->gram < y->gram ? -1 : 1;
    return x->user_id < y->user_id ? -1 : x->user_id > y->user_id;
}

void
access_pending_seal(struct access_pending *p)
{
    if (p->n > 1)
        qsort(p->rows, p->n, sizeof *p->rows, by_gram_user);
}

void
access_pending_cleanup(struct access_pending *p)
{
    mem_free(p->rows);
    p->rows = NULL;
    p->n = p->cap = 0;
}

/* The users holding <gram>, ascending, at most <cap>: the merged postings
 * from <postings> and the pending ones of <pend>, merged by user id into
 * <ids> (<tmp> has room for <cap>). */
static enum bk_err
read_postings(void *conn, access_postings_fn postings, const struct access_pending *pend,
              int64_t tenant, int kind, int64_t gram, int64_t cap, int64_t *ids, int64_t *tmp,
              size_t *n_out)
{
    size_t got = 0, lo = 0, hi, i = 0, j, n = 0;
    enum bk_err err = postings(conn, tenant, kind, gram, cap, ids, &got);

    *n_out = got;
    if (err != BK_OK || pend == NULL || pend->n == 0)
        return err;
    /* the first pending pair of <gram> */
    hi = pend->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (pend->rows[mid].gram < gram)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == pend->n || pend->rows[lo].gram != gram)
        return BK_OK;
    memcpy(tmp, ids, got * sizeof *ids);
    j = lo;
    while ((int64_t)n < cap && (i < got || (j < pend->n && pend->rows[j].gram == gram))) {
        int take_pend = j < pend->n && pend->rows[j].gram == gram &&
                        (i == got || pend->rows[j].user_id < tmp[i]);

        if (take_pend) {
            /* a user is never both pending and merged for a kind; be safe */
            if (i < got && pend->rows[j].user_id == tmp[i])
                i++;
            ids[n++] = pend->rows[j++].user_id;
        } else {
            ids[n++] = tmp[i++];
        }
    }
    *n_out = n;
    return BK_OK;
}

/* Count into <t> the postings of the grams in <sel>; *counted says how many
 * of them any user holds. */
static enum bk_err
count_postings(void *conn, access_postings_fn postings, const struct access_pending *pend,
               int64_t tenant, int kind, const struct scored *sel, size_t n, int64_t common,
               int64_t *ids, int64_t *tmp, struct tally *t, size_t *counted)
{
    enum bk_err err = BK_OK;
    size_t got, expect = 0;

    *counted = 0;
    /* the remembered counts size the tally (up to TALLY_HINT_MAX users), so it
     * rarely grows while counting */
    for (size_t i = 0; i < n; i++)
        expect += (size_t)sel[i].n;
    if (expect > TALLY_HINT_MAX)
        expect = TALLY_HINT_MAX;
    if (expect > 0)
        err = tally_grow(t, expect);
    for (size_t i = 0; i < n && err == BK_OK; i++) {
        const int64_t *list = ids;

        /* a list this search read already (same transaction) is not read again */
        if (sel[i].kept != NULL) {
            list = sel[i].kept;
            got = (size_t)sel[i].n;
        } else {
            err = read_postings(conn, postings, pend, tenant, kind, sel[i].id, common, ids, tmp,
                                &got);
            /* what was just read replaces what was remembered */
            if (err == BK_OK && (int64_t)got != sel[i].n)
                df_note(tenant, kind, sel[i].id, (int64_t)got);
        }
        *counted += err == BK_OK && got > 0;
        for (size_t k = 0; k < got && err == BK_OK; k++)
            err = tally_add(t, list[k]);
    }
    return err;
}

enum bk_err
access_gram_match(void *conn, access_postings_fn postings, const struct access_pending *pend,
                  int64_t tenant, int kind, const int64_t *grams, size_t n, int64_t common,
                  int64_t rarest, int64_t limit, store_gram_fn fn, void *arg)
{
    struct tally t = { 0 };
    struct scored *top = NULL, *bydf = mem_calloc(n + 1, sizeof *bydf);
    int64_t *ids = mem_alloc((size_t)common * sizeof *ids);
    int64_t *tmp = mem_alloc((size_t)common * sizeof *tmp);
    size_t counted = 0, got, ntop = 0, nrare = 0, ncommon = 0, first = 0;
    enum bk_err err = ids == NULL || tmp == NULL || bydf == NULL ? BK_ENOMEM : BK_OK;

    /* how many users hold each gram: remembered, or read (at most <common>) */
    for (size_t i = 0; i < n && err == BK_OK; i++) {
        int64_t df = df_known(tenant, kind, grams[i]);

        if (df < 0) {
            err = read_postings(conn, postings, pend, tenant, kind, grams[i], common, ids, tmp,
                                &got);
            df = (int64_t)got;
            if (err == BK_OK && got > 0) {
                bydf[i].kept = mem_alloc(got * sizeof *ids);
                if (bydf[i].kept == NULL)
                    err = BK_ENOMEM;
                else
                    memcpy(bydf[i].kept, ids, got * sizeof *ids);
            }
            /* a gram nobody holds yet may be held by the next user created */
            if (err == BK_OK && df > 0)
                df_note(tenant, kind, grams[i], df);
        }
        bydf[i].id = grams[i];
        bydf[i].n = df;
        nrare += df > 0 && df < common;
        ncommon += df >= common;
    }
    if (err != BK_OK)
        goto out;
    /* the <rarest> rarest grams some user holds; when every such gram is
     * common, all of them (each then counts its <common> lowest user ids) */
    qsort(bydf, n, sizeof *bydf, by_rarity);
    while (first < n && bydf[first].n == 0)
        first++;
    if (nrare > 0)
        err = count_postings(conn, postings, pend, tenant, kind, bydf + first,
                             nrare < (size_t)rarest ? nrare : (size_t)rarest, common, ids, tmp,
                             &t, &counted);
    else
        err = count_postings(conn, postings, pend, tenant, kind, bydf + first, ncommon, common,
                             ids, tmp, &t, &counted);
    if (err != BK_OK || t.n == 0)
        goto out;
    top = mem_calloc(t.n, sizeof *top);
    if (top == NULL) {
        err = BK_ENOMEM;
        goto out;
    }
    for (size_t j = 0; j < t.cap; j++) {
        /* at least a quarter of the counted grams */
        if (t.ids[j] != 0 && (size_t)t.counts[j] * 4 >= counted) {
            top[ntop].id = t.ids[j];
            top[ntop++].n = t.counts[j];
        }
    }
    qsort(top, ntop, sizeof *top, by_shared);
    for (size_t j = 0; j < ntop && (int64_t)j < limit && err == BK_OK; j++)
        err = fn(arg, top[j].id, top[j].n);
out:
    mem_free(top);
    for (size_t i = 0; bydf != NULL && i < n; i++)
        mem_free(bydf[i].kept);
    mem_free(bydf);
    mem_free(t.ids);
    mem_free(t.counts);
    mem_free(ids);
    mem_free(tmp);
    return err;
}
