/* Consent rules without I/O: names, client-written times and statuses, and
 * the status an agreement reports over time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/consentval.h"

#define NOW 1700000000LL

static int
name_ok(const char *s)
{
    return consentval_name(s, strlen(s));
}

static void
test_names(void **state)
{
    char longest[65];

    (void)state;
    memset(longest, 'a', 64);
    longest[64] = '\0';
    assert_true(name_ok("send-sms"));
    assert_true(name_ok("a"));
    assert_true(name_ok("0-9"));
    assert_true(name_ok(longest));
    longest[63] = '\0';
    assert_true(name_ok(longest));
    assert_false(name_ok(""));
    assert_false(name_ok("Send-SMS"));
    assert_false(name_ok("a_b"));
    assert_false(name_ok("a b"));
    assert_false(name_ok("a.b"));
    assert_false(name_ok("caf\xc3\xa9"));
    assert_false(consentval_name("ab\0c", 4));
    assert_false(consentval_name(NULL, 0));
    {
        char over[66];

        memset(over, 'a', 65);
        over[65] = '\0';
        assert_false(name_ok(over));
    }
}

static int64_t
t(const char *s)
{
    int64_t out = -1;

    assert_int_equal(consentval_time(s, strlen(s), NOW, &out), BK_OK);
    return out;
}

static void
bad_time(const char *s)
{
    int64_t out = -1;

    assert_int_equal(consentval_time(s, strlen(s), NOW, &out), BK_EINVAL);
}

static void
test_times(void **state)
{
    (void)state;
    assert_int_equal(t(""), 0);
    assert_int_equal(t("0"), 0);
    assert_int_equal(t("1800000000"), 1800000000LL);
    assert_int_equal(t("45s"), NOW + 45);
    assert_int_equal(t("30m"), NOW + 1800);
    assert_int_equal(t("12h"), NOW + 12 * 3600);
    assert_int_equal(t("10d"), NOW + 10 * 86400);
    assert_int_equal(t("2w"), NOW + 14 * 86400);
    assert_int_equal(t("1y"), NOW + 365 * 86400);
    assert_int_equal(t("1970-01-02"), 86400);
    assert_int_equal(t("2099-01-02T03:04:05Z"), 4071006245LL);
    assert_int_equal(t("2024-02-29T00:00"), 1709164800LL);
    bad_time("10x");
    bad_time("d");
    bad_time("-5");
    bad_time("10dd");
    bad_time("1.5d");
    bad_time("soon");
    bad_time("99999999999999");
    bad_time("2023-02-30");
    bad_time("2024-13-01");
    bad_time("2024-01-01T25:00");
    bad_time("2024-01-01Tx");
    bad_time("2024-01-01Z1");
}

static const char *
st(const char *s)
{
    const char *out = NULL;

    assert_int_equal(consentval_status(s, strlen(s), &out), BK_OK);
    return out;
}

static void
test_statuses(void **state)
{
    const char *out = "x";

    (void)state;
    assert_string_equal(st("accept"), "accept");
    assert_string_equal(st("yes"), "accept");
    assert_string_equal(st("active"), "accept");
    assert_string_equal(st("cancel"), "cancel");
    assert_string_equal(st("no"), "cancel");
    assert_string_equal(st("withdrawn"), "cancel");
    assert_int_equal(consentval_status("maybe", 5, &out), BK_EINVAL);
    assert_null(out);
    assert_int_equal(consentval_status("", 0, &out), BK_EINVAL);
    assert_int_equal(consentval_status("ACCEPT", 6, &out), BK_EINVAL);
}

static void
test_effective(void **state)
{
    (void)state;
    assert_string_equal(consentval_effective("accept", 0, 0, NOW), "accept");
    assert_string_equal(consentval_effective("accept", NOW - 10, NOW + 10, NOW), "accept");
    assert_string_equal(consentval_effective("accept", 0, NOW, NOW), "expired");
    assert_string_equal(consentval_effective("accept", 0, NOW - 1, NOW), "expired");
    assert_string_equal(consentval_effective("accept", NOW + 1, 0, NOW), "pending");
    assert_string_equal(consentval_effective("cancel", 0, NOW - 1, NOW), "cancel");
    assert_string_equal(consentval_effective("revoked", NOW + 5, 0, NOW), "revoked");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_statuses),
        cmocka_unit_test(test_effective),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
