/* Format-preserving token values: the Luhn check against known numbers, the
 * record checks, and over many generated tokens the shape rules the header
 * promises (length, separators, first digit, last four, Luhn, never the
 * input); email tokens; a failing random source. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/fptoken.h"
#include "vault/kdf.h"

static enum bk_err
real_rand(void *arg, void *out, size_t n)
{
    (void)arg;
    return kdf_random(out, n);
}

/* A source that always gives the same byte: digits all draw the same value. */
static enum bk_err
stuck_rand(void *arg, void *out, size_t n)
{
    memset(out, *(const uint8_t *)arg, n);
    return BK_OK;
}

static enum bk_err
failing_rand(void *arg, void *out, size_t n)
{
    (void)arg, (void)out, (void)n;
    return BK_ECRYPTO;
}

static int
luhn(const char *s)
{
    return fptoken_luhn_valid(s, strlen(s));
}

static void
test_luhn(void **state)
{
    (void)state;
    assert_true(luhn("4532015112830366"));
    assert_true(luhn("4111111111111111"));
    assert_true(luhn("5467047429390590"));
    assert_true(luhn("378282246310005"));    /* Amex, 15 digits */
    assert_true(luhn("79927398713"));        /* the textbook example */
    assert_false(luhn("4532015112830367"));
    assert_false(luhn("4111111111111112"));
    assert_false(luhn("79927398710"));
    assert_false(luhn(""));
    assert_false(luhn("4111 1111 1111 1111"));   /* digits only */
    assert_false(fptoken_luhn_valid(NULL, 0));
}

static void
test_types(void **state)
{
    enum fptoken_type t;

    (void)state;
    assert_int_equal(fptoken_type_parse("creditcard", 10, &t), BK_OK);
    assert_int_equal(t, FPTOKEN_CREDITCARD);
    assert_int_equal(fptoken_type_parse("email", 5, &t), BK_OK);
    assert_int_equal(t, FPTOKEN_EMAIL);
    assert_int_equal(fptoken_type_parse("CreditCard", 10, &t), BK_EINVAL);
    assert_int_equal(fptoken_type_parse("emai", 4, &t), BK_EINVAL);
    assert_int_equal(fptoken_type_parse("uint64", 6, &t), BK_EINVAL);
    assert_int_equal(fptoken_type_parse("", 0, &t), BK_EINVAL);
    assert_string_equal(fptoken_type_name(FPTOKEN_CREDITCARD), "creditcard");
    assert_string_equal(fptoken_type_name(FPTOKEN_EMAIL), "email");
}

static enum bk_err
norm(enum fptoken_type t, const char *in, char *out)
{
    size_t n = 99;
    enum bk_err err = fptoken_normalize(t, in, strlen(in), out, &n);

    assert_int_equal(n, strlen(out));
    return err;
}

static void
test_normalize(void **state)
{
    char out[FPTOKEN_RECORD_MAX + 1];

    (void)state;
    assert_int_equal(norm(FPTOKEN_CREDITCARD, "4532 0151 1283 0366", out), BK_OK);
    assert_string_equal(out, "4532015112830366");
    assert_int_equal(norm(FPTOKEN_CREDITCARD, "4532-0151-1283-0366", out), BK_OK);
    assert_string_equal(out, "4532015112830366");
    assert_int_equal(norm(FPTOKEN_CREDITCARD, "378282246310005", out), BK_OK);
    /* refused: bad Luhn, too few / too many digits, letters, other separators */
    assert_int_equal(norm(FPTOKEN_CREDITCARD, "4532015112830367", out), BK_EINVAL);
    assert_string_equal(out, "");
    assert_int_equal(norm(FPTOKEN_CREDITCARD, "79927398713", out), BK_EINVAL);
    assert_int_equal(norm(FPTOKEN_CREDITCARD, "41111111111111111111", out), BK_EINVAL);
    assert_int_equal(norm(FPTOKEN_CREDITCARD, "4111x11111111111", out), BK_EINVAL);
    assert_int_equal(norm(FPTOKEN_CREDITCARD, "4111.1111.1111.1111", out), BK_EINVAL);
    assert_int_equal(norm(FPTOKEN_CREDITCARD, "", out), BK_EINVAL);
    assert_int_equal(norm(FPTOKEN_CREDITCARD, "a@b.c", out), BK_EINVAL);
    assert_int_equal(norm(FPTOKEN_EMAIL, " Foo@Example.COM ", out), BK_OK);
    assert_string_equal(out, "foo@example.com");
    assert_int_equal(norm(FPTOKEN_EMAIL, "no-at-sign", out), BK_EINVAL);
    assert_int_equal(norm(FPTOKEN_EMAIL, "a@@b", out), BK_EINVAL);
    assert_int_equal(norm(FPTOKEN_EMAIL, "4111111111111111", out), BK_EINVAL);
    assert_int_equal(fptoken_normalize((enum fptoken_type)7, "x@y", 3, out, &(size_t){ 0 }),
                     BK_EINVAL);
}

/* Every promise of the header for one generated card token. */
static void
check_card(const char *in, const char *tok)
{
    size_t n = strlen(in), nd = 0, first = n, last[4], k = 0;
    char din[32], dtok[32];

    assert_int_equal(strlen(tok), n);
    for (size_t i = 0; i < n; i++) {
        int is_digit = in[i] >= '0' && in[i] <= '9';

        if (!is_digit) {
            assert_int_equal(tok[i], in[i]);        /* separators where they were */
            continue;
        }
        assert_true(tok[i] >= '0' && tok[i] <= '9');
        if (first == n)
            first = i;
        din[nd] = in[i];
        dtok[nd++] = tok[i];
    }
    din[nd] = dtok[nd] = '\0';
    assert_int_equal(tok[first], in[first]);        /* the major industry identifier */
    for (size_t i = n; i-- > 0 && k < 4;) {
        if (in[i] >= '0' && in[i] <= '9')
            last[k++] = i;
    }
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(tok[last[i]], in[last[i]]);
    assert_true(fptoken_luhn_valid(dtok, nd));
    assert_string_not_equal(din, dtok);
}

static void
test_cards_many(void **state)
{
    static const char *const cards[] = {
        "4532015112830366", "4532 0151 1283 0366", "4532-0151-1283-0366",
        "5467047429390590", "378282246310005", "3782 822463 10005", "6011111111111117",
        "4111111111111111", "4222222222222", "000000000000", "6759649826438453",
        "6304000000000000018", "4000-0000-0000-0002",
    };
    char out[FPTOKEN_TOKEN_MAX + 1];
    size_t n;

    (void)state;
    assert_true(luhn("4222222222222"));
    assert_true(luhn("000000000000"));
    assert_true(luhn("6304000000000000018"));
    for (size_t c = 0; c < sizeof cards / sizeof cards[0]; c++) {
        for (int i = 0; i < 1000; i++) {
            assert_int_equal(fptoken_make(FPTOKEN_CREDITCARD, cards[c], strlen(cards[c]),
                                          real_rand, NULL, out, &n),
                             BK_OK);
            assert_int_equal(n, strlen(out));
            check_card(cards[c], out);
        }
    }
}

static void
test_cards_vary(void **state)
{
    char a[FPTOKEN_TOKEN_MAX + 1], b[FPTOKEN_TOKEN_MAX + 1];
    size_t n;
    int same = 0;

    (void)state;
    for (int i = 0; i < 100; i++) {
        fptoken_make(FPTOKEN_CREDITCARD, "4111111111111111", 16, real_rand, NULL, a, &n);
        fptoken_make(FPTOKEN_CREDITCARD, "4111111111111111", 16, real_rand, NULL, b, &n);
        same += strcmp(a, b) == 0;
    }
    assert_true(same <= 1);   /* 10 random digits: a repeat is a one-in-10^9 event */
}

static void
test_card_never_input(void **state)
{
    /* A source stuck on '1' would rebuild "4111111111111111" itself: refused,
     * not returned. A source stuck on '2' makes a valid, different token. */
    uint8_t one = 1, two = 2;
    char out[FPTOKEN_TOKEN_MAX + 1];
    size_t n;

    (void)state;
    assert_int_equal(fptoken_make(FPTOKEN_CREDITCARD, "4111111111111111", 16, stuck_rand, &one,
                                  out, &n),
                     BK_ECRYPTO);
    assert_string_equal(out, "");
    assert_int_equal(n, 0);
    assert_int_equal(fptoken_make(FPTOKEN_CREDITCARD, "4111111111111111", 16, stuck_rand, &two,
                                  out, &n),
                     BK_OK);
    check_card("4111111111111111", out);
}

static void
test_emails(void **state)
{
    char out[FPTOKEN_TOKEN_MAX + 1], seen[50][FPTOKEN_TOKEN_MAX + 1];
    size_t n;

    (void)state;
    for (int i = 0; i < 1000; i++) {
        char norm_out[FPTOKEN_RECORD_MAX + 1];
        size_t nn;

        assert_int_equal(fptoken_make(FPTOKEN_EMAIL, "Janedoe.Smith@Example.org", 25, real_rand,
                                      NULL, out, &n),
                         BK_OK);
        assert_int_equal(n, FPTOKEN_EMAIL_LOCAL + 1 + strlen(FPTOKEN_EMAIL_DOMAIN));
        assert_int_equal(out[FPTOKEN_EMAIL_LOCAL], '@');
        assert_string_equal(out + FPTOKEN_EMAIL_LOCAL + 1, FPTOKEN_EMAIL_DOMAIN);
        for (size_t k = 0; k < FPTOKEN_EMAIL_LOCAL; k++)
            assert_true((out[k] >= 'a' && out[k] <= 'z') || (out[k] >= '0' && out[k] <= '9'));
        /* seven letters: a random 16-character local part holds them by chance
         * about once in 10^10 tokens (four letters did once in 130,000) */
        assert_null(strstr(out, "janedoe"));
        assert_null(strstr(out, "example"));
        /* a token is itself a valid email record */
        assert_int_equal(fptoken_normalize(FPTOKEN_EMAIL, out, n, norm_out, &nn), BK_OK);
        assert_string_equal(norm_out, out);
        if (i < 50) {
            memcpy(seen[i], out, n + 1);
            for (int k = 0; k < i; k++)
                assert_string_not_equal(seen[k], out);
        }
    }
}

static void
test_refusals(void **state)
{
    char out[FPTOKEN_TOKEN_MAX + 1];
    size_t n = 5;

    (void)state;
    assert_int_equal(fptoken_make(FPTOKEN_CREDITCARD, "4111111111111112", 16, real_rand, NULL,
                                  out, &n),
                     BK_EINVAL);
    assert_string_equal(out, "");
    assert_int_equal(n, 0);
    assert_int_equal(fptoken_make(FPTOKEN_EMAIL, "nobody", 6, real_rand, NULL, out, &n),
                     BK_EINVAL);
    assert_int_equal(fptoken_make(FPTOKEN_CREDITCARD, "4111111111111111", 16, failing_rand, NULL,
                                  out, &n),
                     BK_ECRYPTO);
    assert_string_equal(out, "");
    assert_int_equal(fptoken_make(FPTOKEN_EMAIL, "a@b.c", 5, failing_rand, NULL, out, &n),
                     BK_ECRYPTO);
    assert_string_equal(out, "");
}

static void
test_broken_source_ends(void **state)
{
    /* 255 is never a usable byte (rejection sampling): the call gives up
     * instead of looping for ever. */
    uint8_t ff = 255;
    char out[FPTOKEN_TOKEN_MAX + 1];
    size_t n;

    (void)state;
    assert_int_equal(fptoken_make(FPTOKEN_CREDITCARD, "4111111111111111", 16, stuck_rand, &ff,
                                  out, &n),
                     BK_ECRYPTO);
    assert_int_equal(fptoken_make(FPTOKEN_EMAIL, "a@b.c", 5, stuck_rand, &ff, out, &n),
                     BK_ECRYPTO);
    assert_string_equal(out, "");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_luhn),
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_normalize),
        cmocka_unit_test(test_cards_many),
        cmocka_unit_test(test_cards_vary),
        cmocka_unit_test(test_card_never_input),
        cmocka_unit_test(test_emails),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_broken_source_ends),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
