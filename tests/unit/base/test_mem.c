/* The allocator door: overflow checks, copies, and the fault injection that
 * every other module's tests rely on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/mem.h"

static int
reset(void **state)
{
    (void)state;
    mem_fail_after(0, 0);
    return 0;
}

static void
test_alloc_and_copies(void **state)
{
    char *p, *q;
    uint8_t *z;

    (void)state;
    p = mem_alloc(0);                   /* a real, freeable pointer */
    assert_non_null(p);
    mem_free(p);
    mem_free(NULL);
    z = mem_calloc(100, 3);
    assert_non_null(z);
    for (size_t i = 0; i < 300; i++)
        assert_int_equal(z[i], 0);
    mem_free(z);
    z = mem_calloc(0, 0);
    assert_non_null(z);
    mem_free(z);

    p = mem_strdup("vault");
    assert_string_equal(p, "vault");
    q = mem_strndup("vaulted", 5);
    assert_string_equal(q, "vault");
    mem_free(q);
    q = mem_strndup("a\0b", 3);         /* the first n bytes, NUL included */
    assert_memory_equal(q, "a\0b", 4);
    mem_free(q);

    q = mem_realloc(p, 1000);
    assert_non_null(q);
    assert_string_equal(q, "vault");
    p = mem_realloc(q, 3);
    assert_non_null(p);
    assert_memory_equal(p, "vau", 3);
    mem_free(p);
    p = mem_realloc(NULL, 10);
    assert_non_null(p);
    mem_free(p);
}

static void
test_overflow(void **state)
{
    (void)state;
    assert_null(mem_calloc(SIZE_MAX / 2 + 1, 2));
    assert_null(mem_calloc(2, SIZE_MAX / 2 + 1));
    assert_null(mem_calloc(SIZE_MAX, SIZE_MAX));
}

static void
test_fail_nth_once(void **state)
{
    void *a, *b, *c, *d;

    (void)state;
    mem_fail_after(3, 0);
    a = mem_alloc(8);
    b = mem_alloc(8);
    c = mem_alloc(8);
    d = mem_alloc(8);
    assert_non_null(a);
    assert_non_null(b);
    assert_null(c);                     /* the third */
    assert_non_null(d);                 /* and only the third */
    mem_free(a);
    mem_free(b);
    mem_free(d);
    a = mem_alloc(8);
    assert_non_null(a);
    mem_free(a);
}

static void
test_fail_nth_sticky(void **state)
{
    void *a;

    (void)state;
    mem_fail_after(2, 1);
    a = mem_alloc(8);
    assert_non_null(a);
    for (int i = 0; i < 5; i++)
        assert_null(mem_alloc(8));
    assert_null(mem_calloc(1, 1));
    assert_null(mem_strdup("x"));
    mem_fail_after(0, 0);               /* off */
    a = mem_realloc(a, 16);
    assert_non_null(a);
    mem_free(a);
}

static void
test_fail_every_kind(void **state)
{
    char *p = mem_strdup("keep me");

    (void)state;
    assert_non_null(p);
    mem_fail_after(1, 0);
    assert_null(mem_alloc(1));
    mem_fail_after(1, 0);
    assert_null(mem_calloc(1, 1));
    mem_fail_after(1, 0);
    assert_null(mem_realloc(p, 4096));
    assert_string_equal(p, "keep me");  /* untouched on failure */
    mem_fail_after(1, 0);
    assert_null(mem_strdup("x"));
    mem_fail_after(1, 0);
    assert_null(mem_strndup("xyz", 2));
    /* each was one-shot */
    p = mem_realloc(p, 4096);
    assert_non_null(p);
    assert_string_equal(p, "keep me");
    mem_free(p);
}

static void
test_off(void **state)
{
    (void)state;
    mem_fail_after(0, 1);
    for (int i = 0; i < 100; i++) {
        void *p = mem_alloc(16);

        assert_non_null(p);
        mem_free(p);
    }
    /* re-arming replaces the previous setting */
    mem_fail_after(5, 1);
    mem_fail_after(1, 0);
    assert_null(mem_alloc(1));
    {
        void *p = mem_alloc(1);

        assert_non_null(p);
        mem_free(p);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_alloc_and_copies, reset),
        cmocka_unit_test_teardown(test_overflow, reset),
        cmocka_unit_test_teardown(test_fail_nth_once, reset),
        cmocka_unit_test_teardown(test_fail_nth_sticky, reset),
        cmocka_unit_test_teardown(test_fail_every_kind, reset),
        cmocka_unit_test_teardown(test_off, reset),
    };

    return cmocka_run_group_tests(tests, reset, NULL);
}
