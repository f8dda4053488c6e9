/* Fuzzy search candidates (access_gram_match) over a fake posting reader:
 * which grams count, the quarter threshold, ranking and ties, the fallback
 * when every gram is common, and what the in-memory gram counts save. Each
 * test uses its own tenant, since the remembered counts are process-wide. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "store/access.h"

#define LIST_MAX 16

struct posting_list {
    int64_t gram;
    int64_t ids[LIST_MAX];
    size_t n;
};

struct fake {
    struct posting_list lists[8];
    size_t n;
    int reads;
};

struct found {
    int64_t ids[32];
    int64_t shared[32];
    size_t n;
};

static enum bk_err
postings(void *conn, int64_t tenant, int kind, int64_t gram, int64_t cap, int64_t *ids,
         size_t *n_out)
{
    struct fake *f = conn;

    (void)tenant, (void)kind;
    f->reads++;
    *n_out = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (f->lists[i].gram != gram)
            continue;
        for (size_t k = 0; k < f->lists[i].n && (int64_t)k < cap; k++)
            ids[(*n_out)++] = f->lists[i].ids[k];
    }
    return BK_OK;
}

static enum bk_err
collect(void *arg, int64_t user_id, int64_t shared)
{
    struct found *r = arg;

    r->ids[r->n] = user_id;
    r->shared[r->n++] = shared;
    return BK_OK;
}

static void
add(struct fake *f, int64_t gram, size_t n, const int64_t *ids)
{
    struct posting_list *l = &f->lists[f->n++];

    l->gram = gram;
    l->n = n;
    memcpy(l->ids, ids, n * sizeof *ids);
}

static struct found
match(struct fake *f, int64_t tenant, const int64_t *grams, size_t n, int64_t common,
      int64_t rarest, int64_t limit)
{
    struct found r = { .n = 0 };

    assert_int_equal(access_gram_match(f, postings, NULL, tenant, 1, grams, n, common, rarest,
                                       limit, collect, &r),
                     BK_OK);
    return r;
}

/* match() with the pending postings <pend> counted too. */
static struct found
match_pending(struct fake *f, const struct access_pending *pend, int64_t tenant,
              const int64_t *grams, size_t n, int64_t common, int64_t rarest, int64_t limit)
{
    struct found r = { .n = 0 };

    assert_int_equal(access_gram_match(f, postings, pend, tenant, 1, grams, n, common, rarest,
                                       limit, collect, &r),
                     BK_OK);
    return r;
}

/* Only the two rarest grams held by someone count; the common one and the
 * absent one do not. User 5 holds both, users 1 and 9 one each. */
static void
test_rarest_grams_count(void **state)
{
    struct fake f = { .n = 0 };
    const int64_t grams[] = { 10, 20, 30, 40, 50 };
    struct found r;

    (void)state;
    add(&f, 10, 4, (const int64_t[]){ 1, 2, 3, 5 });          /* common at 4 */
    add(&f, 20, 2, (const int64_t[]){ 1, 5 });
    add(&f, 30, 2, (const int64_t[]){ 5, 9 });
    add(&f, 40, 3, (const int64_t[]){ 2, 3, 6 });             /* third rarest */
    r = match(&f, 101, grams, 5, 4, 2, 10);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.ids[0], 5);
    assert_int_equal(r.shared[0], 2);
    assert_int_equal(r.ids[1], 1);                            /* ties by user id */
    assert_int_equal(r.ids[2], 9);
    assert_int_equal(r.shared[2], 1);
    r = match(&f, 101, grams, 5, 4, 2, 1);                    /* limit */
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ids[0], 5);
}

/* With eight grams counted, a user needs two of them. */
static void
test_quarter_threshold(void **state)
{
    struct fake f = { .n = 0 };
    int64_t grams[8];
    struct found r;

    (void)state;
    for (int i = 0; i < 8; i++) {
        grams[i] = 100 + i;
        add(&f, grams[i], 1, (const int64_t[]){ i == 0 ? 7 : 8 });
    }
    r = match(&f, 102, grams, 8, 2000, 8, 10);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ids[0], 8);
    assert_int_equal(r.shared[0], 7);
}

/* When every gram is common, each counts its <common> lowest user ids. */
static void
test_all_common_fallback(void **state)
{
    struct fake f = { .n = 0 };
    const int64_t grams[] = { 1, 2, 3 };
    struct found r;

    (void)state;
    add(&f, 1, 4, (const int64_t[]){ 1, 2, 3, 4 });
    add(&f, 2, 3, (const int64_t[]){ 2, 3, 4 });
    r = match(&f, 103, grams, 3, 3, 8, 10);
    assert_int_equal(r.n, 4);
    assert_int_equal(r.ids[0], 2);
    assert_int_equal(r.shared[0], 2);
    assert_int_equal(r.ids[1], 3);
    assert_int_equal(r.ids[2], 1);
    assert_int_equal(r.shared[2], 1);
    assert_int_equal(r.ids[3], 4);
}

/* A second search reads only the lists it counts; a gram nobody held is
 * read again, so a user created in between is found. */
static void
test_remembered_counts(void **state)
{
    struct fake f = { .n = 0 };
    const int64_t grams[] = { 11, 12, 13 };
    struct found r;

    (void)state;
    add(&f, 11, 3, (const int64_t[]){ 1, 2, 3 });
    add(&f, 12, 1, (const int64_t[]){ 4 });
    r = match(&f, 104, grams, 3, 100, 1, 10);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ids[0], 4);
    assert_int_equal(f.reads, 3);            /* three counts; the list counted is not read again */
    f.reads = 0;
    r = match(&f, 104, grams, 3, 100, 1, 10);
    assert_int_equal(r.n, 1);
    assert_int_equal(f.reads, 2);                             /* gram 13, then gram 12 */
    add(&f, 13, 1, (const int64_t[]){ 6 });
    f.reads = 0;
    r = match(&f, 104, grams, 3, 100, 1, 10);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ids[0], 4);                            /* 12 < 13 at the same count */
    r = match(&f, 105, (const int64_t[]){ 13 }, 1, 100, 1, 10);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ids[0], 6);
}

/* A remembered gram found empty when counted is forgotten: the next search
 * counts the next rarest instead. */
static void
test_emptied_gram_forgotten(void **state)
{
    struct fake f = { .n = 0 };
    const int64_t grams[] = { 21, 22 };
    struct found r;

    (void)state;
    add(&f, 21, 1, (const int64_t[]){ 3 });
    add(&f, 22, 2, (const int64_t[]){ 4, 5 });
    r = match(&f, 107, grams, 2, 100, 1, 10);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ids[0], 3);
    f.lists[0].n = 0;                                         /* its only user forgotten */
    r = match(&f, 107, grams, 2, 100, 1, 10);
    assert_int_equal(r.n, 0);
    r = match(&f, 107, grams, 2, 100, 1, 10);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.ids[0], 4);
    assert_int_equal(r.ids[1], 5);
}

/* No gram held by anyone, or no gram at all: no candidates. */
/* Pending postings count like merged ones, merged in user order: user 3
 * (pending) holds both grams; a posting list capped at <common> takes the
 * lowest ids of both sets together. */
static void
test_pending_counted_in_order(void **state)
{
    struct fake f = { .n = 0 };
    struct access_pending pend = { 0 };
    const int64_t grams[] = { 10, 20 };
    struct found r;

    (void)state;
    add(&f, 10, 3, (const int64_t[]){ 1, 4, 8 });
    assert_int_equal(access_pending_add(&pend, 9, 1, (const int64_t[]){ 10 }, 1), BK_OK);
    assert_int_equal(access_pending_add(&pend, 3, 1, (const int64_t[]){ 20, 10 }, 2), BK_OK);
    access_pending_seal(&pend);
    r = match_pending(&f, &pend, 107, grams, 2, 10, 2, 10);
    assert_int_equal(r.n, 5);
    assert_int_equal(r.ids[0], 3);
    assert_int_equal(r.shared[0], 2);
    assert_int_equal(r.ids[1], 1);
    assert_int_equal(r.ids[2], 4);
    assert_int_equal(r.ids[3], 8);
    assert_int_equal(r.ids[4], 9);
    /* every gram common at 3: gram 10 counts its three lowest holders */
    r = match_pending(&f, &pend, 108, grams, 1, 3, 2, 10);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.ids[0], 1);
    assert_int_equal(r.ids[1], 3);
    assert_int_equal(r.ids[2], 4);
    /* a gram only pending users hold is found too */
    r = match_pending(&f, &pend, 109, (const int64_t[]){ 20 }, 1, 10, 2, 10);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ids[0], 3);
    access_pending_cleanup(&pend);
}

static void
test_nothing_found(void **state)
{
    struct fake f = { .n = 0 };
    const int64_t grams[] = { 77 };
    struct found r;

    (void)state;
    r = match(&f, 106, grams, 1, 100, 8, 10);
    assert_int_equal(r.n, 0);
    r = match(&f, 106, grams, 0, 100, 8, 10);
    assert_int_equal(r.n, 0);
}

/* ------------------------------------------------------------ postings_sort */

static uint64_t sort_seed = 0x9e3779b97f4a7c15ULL;

static uint64_t
next_random(void)
{
    sort_seed ^= sort_seed << 13;
    sort_seed ^= sort_seed >> 7;
    sort_seed ^= sort_seed << 17;
    return sort_seed;
}

static int
key_cmp(const struct store_gram_row *x, const struct store_gram_row *y)
{
    int64_t bx = store_gram_bucket(x->user_id), by = store_gram_bucket(y->user_id);

    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (bx != by)
        return bx < by ? -1 : 1;
    if (x->gram != y->gram)
        return x->gram < y->gram ? -1 : 1;
    return x->user_id < y->user_id ? -1 : x->user_id > y->user_id;
}

/* A sum over the rows that does not depend on their order. */
static uint64_t
rows_sum(const struct store_gram_row *r, size_t n)
{
    uint64_t sum = 0;

    for (size_t i = 0; i < n; i++)
        sum += ((uint64_t)r[i].kind * 0x100000001b3ULL) ^ ((uint64_t)r[i].gram * 31) ^
               ((uint64_t)r[i].user_id * 0xff51afd7ed558ccdULL);
    return sum;
}

static void
check_sorted(struct store_gram_row *r, size_t n)
{
    uint64_t before = rows_sum(r, n);

    access_postings_sort(r, n);
    assert_int_equal(rows_sum(r, n), before);
    for (size_t i = 1; i < n; i++)
        assert_true(key_cmp(&r[i - 1], &r[i]) <= 0);
    assert_true(access_postings_sorted(r, n));
}

/* Every shape a merge can hand it: empty, tiny, random with repeated keys
 * across kinds and buckets, already sorted, reversed, all equal. */
static void
test_postings_sort(void **state)
{
    static struct store_gram_row r[20000];
    const size_t sizes[] = { 0, 1, 2, 3, 16, 17, 18, 100, 1000, 20000 };

    (void)state;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];

        for (size_t i = 0; i < n; i++)
            r[i] = (struct store_gram_row){
                .kind = 1 + (int)(next_random() % 4),
                .gram = (int64_t)(next_random() % 64) - 32,
                .user_id = (int64_t)(next_random() % 100000),
            };
        check_sorted(r, n);
        check_sorted(r, n);         /* sorted input */
        for (size_t i = 0; i < n / 2; i++) {
            struct store_gram_row t = r[i];

            r[i] = r[n - 1 - i];
            r[n - 1 - i] = t;
        }
        /* reversed: out of order wherever two keys differ */
        assert_true(access_postings_sorted(r, n) == (n < 2 || key_cmp(&r[0], &r[n - 1]) == 0));
        check_sorted(r, n);         /* reversed input */
        for (size_t i = 0; i < n; i++)
            r[i] = (struct store_gram_row){ .kind = 2, .gram = 7, .user_id = 9 };
        check_sorted(r, n);         /* all equal */
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rarest_grams_count),
        cmocka_unit_test(test_quarter_threshold),
        cmocka_unit_test(test_all_common_fallback),
        cmocka_unit_test(test_remembered_counts),
        cmocka_unit_test(test_emptied_gram_forgotten),
        cmocka_unit_test(test_nothing_found),
        cmocka_unit_test(test_pending_counted_in_order),
        cmocka_unit_test(test_postings_sort),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
