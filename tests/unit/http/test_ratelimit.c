/* Token buckets: bursts, refill over time, separate keys, switched off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "http/ratelimit.h"

static void
test_off_allows_everything(void **state)
{
    struct ratelimit *rl = (struct ratelimit *)1;

    (void)state;
    assert_int_equal(ratelimit_new(0, 10, &rl), BK_OK);
    assert_null(rl);
    for (int i = 0; i < 1000; i++)
        assert_true(ratelimit_allow(rl, "k", 1, i));
    ratelimit_free(rl);
}

static void
test_burst_then_refill(void **state)
{
    struct ratelimit *rl = NULL;
    int ok = 0;

    (void)state;
    assert_int_equal(ratelimit_new(10, 5, &rl), BK_OK);
    for (int i = 0; i < 20; i++)
        ok += ratelimit_allow(rl, "1.2.3.4", 7, 1000);
    assert_int_equal(ok, 5);                            /* the burst, no more */
    assert_false(ratelimit_allow(rl, "1.2.3.4", 7, 1050));
    assert_true(ratelimit_allow(rl, "1.2.3.4", 7, 1100)); /* 10/s: one per 100 ms */
    assert_false(ratelimit_allow(rl, "1.2.3.4", 7, 1100));
    ok = 0;
    for (int i = 0; i < 20; i++)
        ok += ratelimit_allow(rl, "1.2.3.4", 7, 60000);
    assert_int_equal(ok, 5);                            /* refill is capped at the burst */
    /* time going backwards takes nothing back and gives nothing */
    assert_false(ratelimit_allow(rl, "1.2.3.4", 7, 10));
    ratelimit_free(rl);
}

static void
test_keys_are_separate(void **state)
{
    struct ratelimit *rl = NULL;

    (void)state;
    assert_int_equal(ratelimit_new(1, 0, &rl), BK_OK);  /* burst 0: twice the rate */
    assert_true(ratelimit_allow(rl, "a", 1, 0));
    assert_true(ratelimit_allow(rl, "a", 1, 0));
    assert_false(ratelimit_allow(rl, "a", 1, 0));
    assert_true(ratelimit_allow(rl, "b", 1, 0));
    ratelimit_free(rl);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_off_allows_everything),
        cmocka_unit_test(test_burst_then_refill),
        cmocka_unit_test(test_keys_are_separate),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
