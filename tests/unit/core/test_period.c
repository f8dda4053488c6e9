/* Periods ("30d", "1y") and deadlines (a period from now, or a unix time),
 * and the canonical-JSON md5 that UserListVersions reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/period.h"
#include "core/versions.h"

static enum bk_err
parse(const char *s, int64_t *out)
{
    return period_parse(s, strlen(s), out);
}

static void
test_units(void **state)
{
    static const struct { const char *s; int64_t v; } ok[] = {
        { "2s", 2 }, { "3h", 3 * 3600 }, { "30d", 30 * 86400 }, { "2w", 14 * 86400 },
        { "1m", 60 }, { "6M", 6 * 31 * 86400 }, { "1y", 365 * 86400 },
        { "007d", 7 * 86400 }, { "100y", PERIOD_MAX_SECONDS },
    };
    int64_t v;

    (void)state;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        assert_int_equal(parse(ok[i].s, &v), BK_OK);
        assert_int_equal(v, ok[i].v);
    }
}

static void
test_refused(void **state)
{
    static const char *const bad[] = {
        "", "d", "5", "0d", "00s", "5x", "-5d", "+5d", " 5d", "5d ", "5 d", "5dd", "1.5d",
        "101y", "0y", "0M", "-1y", "1Y", "9999999999999d", "1234567890123s", "abc",
    };
    int64_t v = 99;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(parse(bad[i], &v), BK_EINVAL);
        assert_int_equal(v, 0);
    }
    assert_int_equal(period_parse(NULL, 0, &v), BK_EINVAL);
    assert_int_equal(period_parse("5d", 1, &v), BK_EINVAL); /* length is honoured */
}

static void
test_deadline(void **state)
{
    int64_t v;

    (void)state;
    assert_int_equal(period_deadline("10d", 3, 1000, &v), BK_OK);
    assert_int_equal(v, 1000 + 10 * 86400);
    assert_int_equal(period_deadline("1700000000", 10, 1000, &v), BK_OK);
    assert_int_equal(v, 1700000000);
    assert_int_equal(period_deadline("1000", 4, 1000, &v), BK_EINVAL);  /* not after now */
    assert_int_equal(period_deadline("999", 3, 1000, &v), BK_EINVAL);
    assert_int_equal(period_deadline("soon", 4, 1000, &v), BK_EINVAL);
    assert_int_equal(period_deadline("", 0, 1000, &v), BK_EINVAL);
}

static void
test_md5_canonical(void **state)
{
    json_t *a = json_pack("{s:s, s:i}", "login", "versionuser", "age", 3);
    json_t *b = json_pack("{s:i, s:s}", "age", 3, "login", "versionuser");
    char m1[33], m2[33];

    (void)state;
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(versions_md5(a, m1), BK_OK);
    assert_int_equal(versions_md5(b, m2), BK_OK);
    /* md5 of {"age":3,"login":"versionuser"}: key order does not matter */
    assert_string_equal(m1, m2);
    assert_string_equal(m1, "951392e57880b6caf16a64a01e314b05");
    json_decref(a);
    json_decref(b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_deadline),
        cmocka_unit_test(test_md5_canonical),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
