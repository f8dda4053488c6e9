/* SQL functions over the posting lists of the search index (gramlist.h),
 * registered on every connection so that statements (and the migration that
 * built the lists) merge, cut and test lists inside SQLite, one statement a
 * list. A malformed list is an error, never silently repaired. */
#include <stdint.h>
#include <string.h>

#include "../base/mem.h"
#include "gramlist.h"
#include "sqlite_int.h"

/* The list in argument <v> (NULL: empty); 0 when it is malformed. */
static int
arg_list(sqlite3_value *v, const uint8_t **p, size_t *len)
{
    int n;

    *p = NULL;
    *len = 0;
    if (sqlite3_value_type(v) == SQLITE_NULL)
        return 1;
    if (sqlite3_value_type(v) != SQLITE_BLOB)
        return 0;
    *p = sqlite3_value_blob(v);
    n = sqlite3_value_bytes(v);
    if (n < 0)
        return 0;
    *len = (size_t)n;
    return gramlist_valid(*p, *len);
}

static void
result_malformed(sqlite3_context *cx)
{
    sqlite3_result_error(cx, "malformed posting list", -1);
    sqlite3_result_error_code(cx, SQLITE_CORRUPT);
}

/* The lists in the first two arguments; 0 (the error set) when either is
 * malformed. */
static int
two_lists(sqlite3_context *cx, sqlite3_value **argv, const uint8_t **a, size_t *alen,
          const uint8_t **b, size_t *blen)
{
    if (arg_list(argv[0], a, alen) && arg_list(argv[1], b, blen))
        return 1;
    result_malformed(cx);
    return 0;
}

/* The list as a result; an empty list is a zero-length blob, not NULL. */
static void
result_list(sqlite3_context *cx, uint8_t *p, size_t len)
{
    if (len == 0) {
        mem_free(p);
        sqlite3_result_zeroblob(cx, 0);
        return;
    }
    sqlite3_result_blob(cx, p, (int)len, mem_free);
}

/* Scratch of <len> bytes (at least one), owned by the caller; NULL reported. */
static uint8_t *
scratch(sqlite3_context *cx, size_t len)
{
    uint8_t *p = mem_alloc(len > 0 ? len : 1);

    if (p == NULL)
        sqlite3_result_error_nomem(cx);
    return p;
}

/* A function of two lists whose result is a list: bk_ids_union(a, b), the
 * offsets in either; bk_ids_minus(a, b), the offsets of a not in b. */
struct list_op {
    size_t (*apply)(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                    uint8_t *out);
    int may_grow;       /* the result may hold b's offsets too */
};

static const struct list_op op_union = { gramlist_union, 1 };
static const struct list_op op_minus = { gramlist_minus, 0 };

static void
fn_list_op(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const struct list_op *op = sqlite3_user_data(cx);
    const uint8_t *a, *b;
    size_t alen, blen;
    uint8_t *out;

    (void)argc;
    if (!two_lists(cx, argv, &a, &alen, &b, &blen))
        return;
    out = scratch(cx, alen + (op->may_grow ? blen : 0));
    if (out != NULL)
        result_list(cx, out, op->apply(a, alen, b, blen, out));
}

/* bk_ids_has(a, off): 1 when list a holds offset off. */
static void
fn_has(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const uint8_t *a;
    size_t alen;
    sqlite3_int64 off = sqlite3_value_int64(argv[1]);

    (void)argc;
    if (!arg_list(argv[0], &a, &alen)) {
        result_malformed(cx);
        return;
    }
    sqlite3_result_int(cx, off >= 0 && off < (sqlite3_int64)GRAMLIST_MAX &&
                               gramlist_has(a, alen, (unsigned)off));
}

/* bk_ids_agg(off): the list of the group's offsets (each 0 .. GRAMLIST_MAX
 * - 1, repeats kept once), in any order. */
struct agg {
    uint16_t *offs;
    size_t n, cap;
    int bad;
};

static void
agg_step(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    struct agg *g = sqlite3_aggregate_context(cx, (int)sizeof *g);
    sqlite3_int64 off = sqlite3_value_int64(argv[0]);

    (void)argc;
    if (g == NULL) {
        sqlite3_result_error_nomem(cx);
        return;
    }
    if (g->bad)
        return;
    if (sqlite3_value_type(argv[0]) != SQLITE_INTEGER || off < 0 ||
        off >= (sqlite3_int64)GRAMLIST_MAX || g->n == GRAMLIST_MAX * 2) {
        g->bad = 1;
        return;
    }
    if (g->n == g->cap) {
        size_t want = g->cap ? 2 * g->cap : 64;
        uint16_t *p = mem_realloc(g->offs, want * sizeof *p);

        if (p == NULL) {
            g->bad = 2;
            return;
        }
        g->offs = p;
        g->cap = want;
    }
    g->offs[g->n++] = (uint16_t)off;
}

static void
agg_final(sqlite3_context *cx)
{
    struct agg *g = sqlite3_aggregate_context(cx, 0);
    uint8_t *out;
    size_t n;

    if (g == NULL) {
        sqlite3_result_zeroblob(cx, 0);
        return;
    }
    if (g->bad) {
        mem_free(g->offs);
        if (g->bad == 2)
            sqlite3_result_error_nomem(cx);
        else
            sqlite3_result_error(cx, "posting offset out of its bucket", -1);
        return;
    }
    n = gramlist_sort_unique(g->offs, g->n);
    out = scratch(cx, n * GRAMLIST_ENTRY);
    if (out != NULL) {
        for (size_t i = 0; i < n; i++)
            gramlist_put(out + GRAMLIST_ENTRY * i, g->offs[i]);
        result_list(cx, out, n * GRAMLIST_ENTRY);
    }
    mem_free(g->offs);
}

enum bk_err
sq_gramfn_register(sqlite3 *db)
{
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    int rc = sqlite3_create_function(db, "bk_ids_union", 2, flags, (void *)&op_union,
                                     fn_list_op, NULL, NULL);

    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(db, "bk_ids_minus", 2, flags, (void *)&op_minus,
                                     fn_list_op, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(db, "bk_ids_has", 2, flags, NULL, fn_has, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(db, "bk_ids_agg", 1, flags, NULL, NULL, agg_step,
                                     agg_final);
    return rc == SQLITE_OK ? BK_OK : sq_err(db, rc);
}
