/* Posting lists (store/gramlist.c): what a well-formed list is, union and
 * difference against a reference over random sets, lookups, and the sort
 * that builds a list from offsets in any order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/gramlist.h"

static size_t
encode(const unsigned *offs, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i++)
        gramlist_put(out + GRAMLIST_ENTRY * i, offs[i]);
    return n * GRAMLIST_ENTRY;
}

/* A random set of offsets below <range> as a list, and as a bitmap. */
static size_t
random_list(unsigned range, unsigned density, uint8_t *out, uint8_t *bits)
{
    size_t len = 0;

    memset(bits, 0, GRAMLIST_MAX);
    for (unsigned off = 0; off < range; off++) {
        if ((unsigned)rand() % 100 < density) {
            bits[off] = 1;
            gramlist_put(out + len, off);
            len += GRAMLIST_ENTRY;
        }
    }
    return len;
}

static void
test_valid(void **state)
{
    static const unsigned ok[] = { 0, 1, 7, 300, GRAMLIST_MAX - 1 };
    static const unsigned unsorted[] = { 3, 2 };
    static const unsigned repeated[] = { 5, 5 };
    uint8_t b[16];
    size_t len;

    (void)state;
    assert_true(gramlist_valid(NULL, 0));
    len = encode(ok, 5, b);
    assert_true(gramlist_valid(b, len));
    assert_false(gramlist_valid(b, len - 1));           /* half an entry */
    assert_int_equal(gramlist_count(len), 5);
    assert_int_equal(gramlist_at(b, 3), 300);
    len = encode(unsorted, 2, b);
    assert_false(gramlist_valid(b, len));
    len = encode(repeated, 2, b);
    assert_false(gramlist_valid(b, len));
    b[0] = 0xff;                                        /* past the bucket */
    b[1] = 0xff;
    assert_false(gramlist_valid(b, 2));
}

static void
test_too_long_is_invalid(void **state)
{
    size_t len = (GRAMLIST_MAX + 1) * GRAMLIST_ENTRY;
    uint8_t *b = calloc(1, len);

    (void)state;
    assert_non_null(b);
    for (unsigned i = 0; i < GRAMLIST_MAX; i++)
        gramlist_put(b + GRAMLIST_ENTRY * i, i);
    assert_true(gramlist_valid(b, GRAMLIST_BYTES_MAX));
    assert_false(gramlist_valid(b, len));
    free(b);
}

static void
test_union_and_minus_match_sets(void **state)
{
    static uint8_t a[GRAMLIST_BYTES_MAX], b[GRAMLIST_BYTES_MAX], out[2 * GRAMLIST_BYTES_MAX];
    static uint8_t abits[GRAMLIST_MAX], bbits[GRAMLIST_MAX];
    static const unsigned density[][2] = { { 0, 0 }, { 0, 50 }, { 50, 0 }, { 1, 90 },
                                           { 90, 1 }, { 50, 50 }, { 100, 100 } };

    (void)state;
    srand(7);
    for (size_t t = 0; t < sizeof density / sizeof density[0]; t++) {
        unsigned range = t % 2 ? 700 : GRAMLIST_MAX;
        size_t alen = random_list(range, density[t][0], a, abits);
        size_t blen = random_list(range, density[t][1], b, bbits);
        size_t len, k = 0;

        len = gramlist_union(a, alen, b, blen, out);
        assert_true(gramlist_valid(out, len));
        for (unsigned off = 0; off < range; off++) {
            if (abits[off] || bbits[off])
                assert_int_equal(gramlist_at(out, k++), off);
        }
        assert_int_equal(k, gramlist_count(len));
        len = gramlist_minus(a, alen, b, blen, out);
        assert_true(gramlist_valid(out, len));
        k = 0;
        for (unsigned off = 0; off < range; off++) {
            if (abits[off] && !bbits[off])
                assert_int_equal(gramlist_at(out, k++), off);
            assert_int_equal(gramlist_has(a, alen, off), abits[off]);
        }
        assert_int_equal(k, gramlist_count(len));
    }
}

static void
test_minus_everything_is_empty(void **state)
{
    static const unsigned offs[] = { 2, 4, 9 };
    uint8_t a[8], out[8];
    size_t alen = encode(offs, 3, a);

    (void)state;
    assert_int_equal(gramlist_minus(a, alen, a, alen, out), 0);
    assert_int_equal(gramlist_minus(a, alen, NULL, 0, out), alen);
    assert_int_equal(gramlist_union(NULL, 0, a, alen, out), alen);
    assert_false(gramlist_has(NULL, 0, 2));
    assert_false(gramlist_has(a, alen, 3));
}

static void
test_sort_unique(void **state)
{
    static uint16_t many[3 * GRAMLIST_MAX];
    uint16_t few[] = { 9, 3, 3, 0, 12, 9 };
    size_t n;

    (void)state;
    n = gramlist_sort_unique(few, 6);
    assert_int_equal(n, 4);
    assert_int_equal(few[0], 0);
    assert_int_equal(few[1], 3);
    assert_int_equal(few[2], 9);
    assert_int_equal(few[3], 12);
    assert_int_equal(gramlist_sort_unique(few, 0), 0);
    /* the long path: every offset three times, backwards */
    for (size_t i = 0; i < 3 * GRAMLIST_MAX; i++)
        many[i] = (uint16_t)(GRAMLIST_MAX - 1 - i % GRAMLIST_MAX);
    n = gramlist_sort_unique(many, 3 * GRAMLIST_MAX);
    assert_int_equal(n, GRAMLIST_MAX);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(many[i], i);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_too_long_is_invalid),
        cmocka_unit_test(test_union_and_minus_match_sets),
        cmocka_unit_test(test_minus_everything_is_empty),
        cmocka_unit_test(test_sort_unique),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
