/* Duration strings: every unit, the bounds, and every refusal the header names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/duration.h"

static int64_t
ok(const char *s)
{
    int64_t v = -1;

    assert_int_equal(duration_parse(s, strlen(s), &v), BK_OK);
    return v;
}

static void
bad(const char *s)
{
    int64_t v = -1;

    assert_int_equal(duration_parse(s, strlen(s), &v), BK_EINVAL);
    assert_int_equal(v, 0);
}

static void
test_units(void **state)
{
    (void)state;
    assert_int_equal(ok("10s"), 10);
    assert_int_equal(ok("30m"), 30 * 60);
    assert_int_equal(ok("2h"), 2 * 3600);
    assert_int_equal(ok("3d"), 3 * 86400);
    assert_int_equal(ok("1w"), 7 * 86400);
    assert_int_equal(ok("1s"), 1);
    assert_int_equal(ok("007s"), 7);
}

static void
test_bounds(void **state)
{
    (void)state;
    assert_int_equal(ok("36500d"), DURATION_MAX_SECONDS);
    assert_int_equal(ok("3153600000s"), DURATION_MAX_SECONDS);
    bad("36501d");
    bad("3153600001s");
    bad("5215w");
    bad("99999999999999999999999s");
    bad("0s");
    bad("00d");
}

static void
test_refused(void **state)
{
    (void)state;
    bad("");
    bad("s");
    bad("10");
    bad("10x");
    bad("10S");
    bad("10M");
    bad("-5s");
    bad("+5s");
    bad(" 5s");
    bad("5s ");
    bad("5 s");
    bad("1.5h");
    bad("1h30m");
    bad("1y");
    bad("0x10s");
}

static void
test_length_not_nul(void **state)
{
    int64_t v = 0;

    (void)state;
    /* Only <len> bytes are read: "12h" given as 2 bytes is "12", refused. */
    assert_int_equal(duration_parse("12h", 2, &v), BK_EINVAL);
    assert_int_equal(duration_parse("3dXX", 2, &v), BK_OK);
    assert_int_equal(v, 3 * 86400);
    assert_int_equal(duration_parse(NULL, 0, &v), BK_EINVAL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_length_not_nul),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
