/* Canonical forms of identities: what is accepted, what it becomes, and
 * every refusal the header names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/normalize.h"

static char out[NORMALIZE_MAX + 1];
static size_t out_len;

static enum bk_err
email(const char *s)
{
    return normalize_email(s, strlen(s), out, &out_len);
}

static enum bk_err
phone(const char *s, const char *cc)
{
    return normalize_phone(s, strlen(s), cc, out, &out_len);
}

static enum bk_err
login(const char *s)
{
    return normalize_login(s, strlen(s), out, &out_len);
}

static void
expect_out(const char *want)
{
    assert_string_equal(out, want);
    assert_int_equal(out_len, strlen(want));
}

static void
expect_cleared(void)
{
    assert_int_equal(out_len, 0);
    assert_int_equal(out[0], '\0');
}

static void
test_email_case_and_spaces(void **state)
{
    (void)state;
    assert_int_equal(email("User@Gmail.com"), BK_OK);
    expect_out("user@gmail.com");
    assert_int_equal(email("  User@Gmail.COM \t\r\n"), BK_OK);
    expect_out("user@gmail.com");
    assert_int_equal(email("a@b"), BK_OK);
    expect_out("a@b");
    /* non-ASCII kept as given; only ASCII is lower-cased */
    assert_int_equal(email("J\xc3\x9cRGEN@Example.DE"), BK_OK);
    expect_out("j\xc3\x9crgen@example.de");
}

static void
test_email_refused(void **state)
{
    (void)state;
    assert_int_equal(email("user.gmail.com"), BK_EINVAL);    /* no @ */
    expect_cleared();
    assert_int_equal(email("a@b@c"), BK_EINVAL);             /* two @ */
    assert_int_equal(email("@gmail.com"), BK_EINVAL);        /* nothing before */
    assert_int_equal(email("user@"), BK_EINVAL);             /* nothing after */
    assert_int_equal(email(" user@ "), BK_EINVAL);
    assert_int_equal(email(""), BK_EINVAL);                  /* empty */
    assert_int_equal(email("   \t "), BK_EINVAL);            /* empty after trim */
    assert_int_equal(email("us er@gmail.com"), BK_EINVAL);   /* space inside */
    assert_int_equal(email("user@gm\tail.com"), BK_EINVAL);  /* tab inside */
    assert_int_equal(email("user\x01@gmail.com"), BK_EINVAL);
    assert_int_equal(email("user\x7f@gmail.com"), BK_EINVAL);
    assert_int_equal(email("user\xff@gmail.com"), BK_EINVAL);     /* invalid UTF-8 */
    assert_int_equal(email("user\xc3@gmail.com"), BK_EINVAL);     /* truncated */
    assert_int_equal(normalize_email("a@b\0c", 5, out, &out_len), BK_EINVAL); /* NUL */
    expect_cleared();
}

static void
test_email_length(void **state)
{
    char big[NORMALIZE_MAX + 2];

    (void)state;
    memset(big, 'a', sizeof big);
    big[1] = '@';
    assert_int_equal(normalize_email(big, NORMALIZE_MAX, out, &out_len), BK_OK);
    assert_int_equal(out_len, NORMALIZE_MAX);
    assert_int_equal(out[NORMALIZE_MAX], '\0');
    assert_int_equal(normalize_email(big, NORMALIZE_MAX + 1, out, &out_len), BK_ETOOBIG);
    expect_cleared();
}

static void
test_phone_digits(void **state)
{
    (void)state;
    assert_int_equal(phone("+1 (415) 555-0123", NULL), BK_OK);
    expect_out("14155550123");
    assert_int_equal(phone("4444", NULL), BK_OK);
    expect_out("4444");
    assert_int_equal(phone(" 415.555.0123 ", NULL), BK_OK);
    expect_out("4155550123");
    assert_int_equal(phone("123", NULL), BK_OK);
    expect_out("123");
    /* without a default country a trunk 0 stays */
    assert_int_equal(phone("020 7946 0958", NULL), BK_OK);
    expect_out("02079460958");
    /* an empty default country is no default country */
    assert_int_equal(phone("020 7946 0958", ""), BK_OK);
    expect_out("02079460958");
}

static void
test_phone_default_country(void **state)
{
    (void)state;
    assert_int_equal(phone("020 7946 0958", "44"), BK_OK);
    expect_out("442079460958");
    assert_int_equal(phone("(0)20 7946 0958", "44"), BK_OK);
    expect_out("442079460958");
    assert_int_equal(phone("415-555-0123", "1"), BK_OK);
    expect_out("14155550123");
    assert_int_equal(phone("4444", "1"), BK_OK);
    expect_out("14444");
    /* '+' means the country code is already there */
    assert_int_equal(phone("+44 20 7946 0958", "1"), BK_OK);
    expect_out("442079460958");
    /* "00" is the international prefix: dropped, no country added */
    assert_int_equal(phone("0044 20 7946 0958", "1"), BK_OK);
    expect_out("442079460958");
    assert_int_equal(phone("00 1 415 555 0123", NULL), BK_OK);
    expect_out("14155550123");
    /* "00" wins over the trunk 0 even when spaced apart */
    assert_int_equal(phone("0 0123", "44"), BK_OK);
    expect_out("123");
}

static void
test_phone_refused(void **state)
{
    char big[NORMALIZE_MAX + 1];

    (void)state;
    assert_int_equal(phone("555-CALL-NOW", NULL), BK_EINVAL);   /* letters */
    expect_cleared();
    assert_int_equal(phone("12a34", NULL), BK_EINVAL);
    assert_int_equal(phone("12", NULL), BK_EINVAL);             /* fewer than 3 digits */
    assert_int_equal(phone("+1", NULL), BK_EINVAL);
    assert_int_equal(phone("0012", NULL), BK_EINVAL);           /* 2 digits after 00 */
    assert_int_equal(phone("01", "44"), BK_EINVAL);             /* 1 digit after trunk */
    assert_int_equal(phone("", NULL), BK_EINVAL);
    assert_int_equal(phone("  ", NULL), BK_EINVAL);
    assert_int_equal(phone("()-.", NULL), BK_EINVAL);           /* no digits */
    assert_int_equal(phone("1+415", NULL), BK_EINVAL);          /* '+' not first */
    assert_int_equal(phone("++1415", NULL), BK_EINVAL);
    assert_int_equal(phone("415\t555", NULL), BK_EINVAL);       /* control byte inside */
    assert_int_equal(phone("415/555", NULL), BK_EINVAL);
    assert_int_equal(phone("\xd9\xa1\xd9\xa2\xd9\xa3", NULL), BK_EINVAL); /* Arabic digits */
    assert_int_equal(normalize_phone("415\000555", 7, NULL, out, &out_len), BK_EINVAL);
    assert_int_equal(phone("4155550123", "4a"), BK_EINVAL);     /* bad default country */
    memset(big, '5', sizeof big);
    assert_int_equal(normalize_phone(big, NORMALIZE_MAX + 1, NULL, out, &out_len), BK_ETOOBIG);
    assert_int_equal(normalize_phone(big, NORMALIZE_MAX, NULL, out, &out_len), BK_OK);
    assert_int_equal(out_len, NORMALIZE_MAX);
    /* the country code would push it past the limit */
    assert_int_equal(normalize_phone(big, NORMALIZE_MAX, "44", out, &out_len), BK_ETOOBIG);
    expect_cleared();
}

static void
test_login(void **state)
{
    (void)state;
    assert_int_equal(login("  John Smith \n"), BK_OK);
    expect_out("John Smith");
    assert_int_equal(login("MiXeD"), BK_OK);
    expect_out("MiXeD");
    assert_int_equal(login("\xe6\x97\xa5\xe6\x9c\xac"), BK_OK);
    expect_out("\xe6\x97\xa5\xe6\x9c\xac");
    assert_int_equal(login(""), BK_EINVAL);
    expect_cleared();
    assert_int_equal(login(" \t "), BK_EINVAL);
    assert_int_equal(login("a\tb"), BK_EINVAL);
    assert_int_equal(login("a\x1b[31m"), BK_EINVAL);
    assert_int_equal(login("\xc0\xaf"), BK_EINVAL);
    assert_int_equal(normalize_login("ab\0c", 4, out, &out_len), BK_EINVAL);
}

static void
test_login_length(void **state)
{
    char big[NORMALIZE_MAX + 1];

    (void)state;
    memset(big, 'x', sizeof big);
    assert_int_equal(normalize_login(big, NORMALIZE_MAX, out, &out_len), BK_OK);
    assert_int_equal(out_len, NORMALIZE_MAX);
    assert_int_equal(normalize_login(big, NORMALIZE_MAX + 1, out, &out_len), BK_ETOOBIG);
    expect_cleared();
}

static void
test_identity_dispatch(void **state)
{
    (void)state;
    assert_int_equal(normalize_identity(INDEX_EMAIL, " A@B.c", 6, NULL, out, &out_len), BK_OK);
    expect_out("a@b.c");
    assert_int_equal(normalize_identity(INDEX_PHONE, "0123", 4, "49", out, &out_len), BK_OK);
    expect_out("49123");
    assert_int_equal(normalize_identity(INDEX_LOGIN, " Bob ", 5, "49", out, &out_len), BK_OK);
    expect_out("Bob");
    assert_int_equal(normalize_identity(INDEX_CUSTOM, " X@Y ", 5, "49", out, &out_len), BK_OK);
    expect_out("X@Y");
    assert_int_equal(normalize_identity((enum index_kind)0, "abc", 3, NULL, out, &out_len),
                     BK_EINVAL);
    expect_cleared();
    assert_int_equal(normalize_identity((enum index_kind)99, "abc", 3, NULL, out, &out_len),
                     BK_EINVAL);
}

static int
valid(const char *s)
{
    return normalize_utf8_valid(s, strlen(s));
}

static void
test_utf8_valid(void **state)
{
    (void)state;
    assert_true(valid(""));
    assert_true(valid("plain ascii"));
    assert_true(valid("\xc2\x80"));                 /* U+0080 */
    assert_true(valid("\xdf\xbf"));                 /* U+07FF */
    assert_true(valid("\xe0\xa0\x80"));             /* U+0800 */
    assert_true(valid("\xed\x9f\xbf"));             /* U+D7FF */
    assert_true(valid("\xee\x80\x80"));             /* U+E000 */
    assert_true(valid("\xef\xbf\xbf"));             /* U+FFFF */
    assert_true(valid("\xf0\x90\x80\x80"));         /* U+10000 */
    assert_true(valid("\xf4\x8f\xbf\xbf"));         /* U+10FFFF */
    assert_true(valid("\xf0\x9f\x98\x80 smile"));
}

static void
test_utf8_refused(void **state)
{
    (void)state;
    /* overlong forms */
    assert_false(valid("\xc0\x80"));
    assert_false(valid("\xc1\xbf"));
    assert_false(valid("\xe0\x80\xaf"));
    assert_false(valid("\xe0\x9f\xbf"));
    assert_false(valid("\xf0\x80\x80\xaf"));
    assert_false(valid("\xf0\x8f\xbf\xbf"));
    /* surrogates */
    assert_false(valid("\xed\xa0\x80"));
    assert_false(valid("\xed\xbf\xbf"));
    /* above U+10FFFF */
    assert_false(valid("\xf4\x90\x80\x80"));
    assert_false(valid("\xf5\x80\x80\x80"));
    assert_false(valid("\xf8\x88\x80\x80\x80"));
    assert_false(valid("\xff"));
    /* truncated sequences, at the end and in the middle */
    assert_false(valid("\xc3"));
    assert_false(valid("\xe2\x82"));
    assert_false(valid("\xf0\x9f\x98"));
    assert_false(valid("\xe2\x82x"));
    assert_false(valid("\xf0\x9f\x98x"));
    /* stray continuation bytes */
    assert_false(valid("\x80"));
    assert_false(valid("a\xbf"));
    /* NUL inside */
    assert_false(normalize_utf8_valid("a\0b", 3));
    /* length is respected: a sequence cut by <len> is truncated */
    assert_false(normalize_utf8_valid("\xe2\x82\xac", 2));
    assert_true(normalize_utf8_valid("\xe2\x82\xac", 3));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_email_case_and_spaces),
        cmocka_unit_test(test_email_refused),
        cmocka_unit_test(test_email_length),
        cmocka_unit_test(test_phone_digits),
        cmocka_unit_test(test_phone_default_country),
        cmocka_unit_test(test_phone_refused),
        cmocka_unit_test(test_login),
        cmocka_unit_test(test_login_length),
        cmocka_unit_test(test_identity_dispatch),
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_utf8_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
