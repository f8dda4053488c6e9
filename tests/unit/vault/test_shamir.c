/* Shamir sharing: the field product against a slow reference, every 3-of-5
 * subset rebuilding the secret, 2 shares giving something else, the text
 * form pinned, and every kind of damaged or malformed share refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vault/kdf.h"
#include "vault/shamir.h"

/* Carry-less product of two bytes reduced modulo 0x11b, bit by bit with
 * branches: obviously right, and slow, as a reference. */
static uint8_t
ref_mul(uint8_t a, uint8_t b)
{
    unsigned p = 0;

    for (int i = 0; i < 8; i++) {
        if (b & (1u << i))
            p ^= (unsigned)a << i;
    }
    for (int bit = 14; bit >= 8; bit--) {
        if (p & (1u << bit))
            p ^= 0x11bu << (bit - 8);
    }
    return (uint8_t)p;
}

static void
test_gf_mul(void **state)
{
    (void)state;
    /* FIPS-197 section 4.2's worked example */
    assert_int_equal(shamir_gf_mul(0x57, 0x83), 0xc1);
    assert_int_equal(shamir_gf_mul(0x57, 0x13), 0xfe);
    for (unsigned a = 0; a < 256; a++) {
        unsigned found_inverse = a == 0;

        for (unsigned b = 0; b < 256; b++) {
            uint8_t p = shamir_gf_mul((uint8_t)a, (uint8_t)b);

            assert_int_equal(p, ref_mul((uint8_t)a, (uint8_t)b));
            found_inverse |= p == 1;
        }
        assert_true(found_inverse);
    }
}

static void
split_random(size_t len, uint8_t *secret, struct shamir_share sh[5])
{
    assert_int_equal(kdf_random(secret, len), BK_OK);
    assert_int_equal(shamir_split(secret, len, 3, 5, sh), BK_OK);
}

static void
test_every_subset(void **state)
{
    uint8_t secret[32], got[64];
    struct shamir_share sh[5], pick[5];
    size_t n = 0, subsets = 0;

    (void)state;
    split_random(sizeof secret, secret, sh);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(sh[i].x, i + 1);
        assert_int_equal(sh[i].len, sizeof secret);
        assert_memory_equal(sh[i].set, sh[0].set, SHAMIR_SET_LEN);
    }
    /* every 3-subset, in both orders */
    for (int a = 0; a < 5; a++) {
        for (int b = a + 1; b < 5; b++) {
            for (int c = b + 1; c < 5; c++) {
                pick[0] = sh[a], pick[1] = sh[b], pick[2] = sh[c];
                assert_int_equal(shamir_combine(pick, 3, got, sizeof got, &n, NULL), BK_OK);
                assert_int_equal(n, sizeof secret);
                assert_memory_equal(got, secret, sizeof secret);
                pick[0] = sh[c], pick[2] = sh[a];
                assert_int_equal(shamir_combine(pick, 3, got, sizeof got, &n, NULL), BK_OK);
                assert_memory_equal(got, secret, sizeof secret);
                subsets++;
            }
        }
    }
    assert_int_equal(subsets, 10);
    /* more than the threshold lies on the same polynomial */
    assert_int_equal(shamir_combine(sh, 4, got, sizeof got, &n, NULL), BK_OK);
    assert_memory_equal(got, secret, sizeof secret);
    assert_int_equal(shamir_combine(sh, 5, got, sizeof got, &n, NULL), BK_OK);
    assert_memory_equal(got, secret, sizeof secret);
}

static void
test_two_reveal_nothing(void **state)
{
    uint8_t secret[32], got[32];
    struct shamir_share sh[5], pick[2];
    size_t n = 0;

    (void)state;
    split_random(sizeof secret, secret, sh);
    for (int a = 0; a < 5; a++) {
        for (int b = a + 1; b < 5; b++) {
            pick[0] = sh[a], pick[1] = sh[b];
            assert_int_equal(shamir_combine(pick, 2, got, sizeof got, &n, NULL), BK_OK);
            assert_memory_not_equal(got, secret, sizeof secret);
        }
    }
    /* a single share is refused outright */
    assert_int_equal(shamir_combine(sh, 1, got, sizeof got, &n, NULL), BK_EINVAL);
}

static void
test_round_trip_sizes(void **state)
{
    static const size_t sizes[] = { 1, 16, 32, 64 };

    (void)state;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        for (int round = 0; round < 20; round++) {
            uint8_t secret[64], got[64];
            struct shamir_share sh[5], back[3];
            char text[SHAMIR_TEXT_MAX];
            size_t n = 0;
            const char *why = NULL;
            int idx[3] = { round % 5, (round + 1 + round / 5 % 4) % 5, 0 };

            if (idx[1] == idx[0])
                idx[1] = (idx[0] + 1) % 5;
            idx[2] = (idx[1] + 1) % 5 == idx[0] ? (idx[1] + 2) % 5 : (idx[1] + 1) % 5;
            split_random(sizes[s], secret, sh);
            for (int i = 0; i < 3; i++) {
                assert_int_equal(shamir_share_format(&sh[idx[i]], text), BK_OK);
                assert_int_equal(strlen(text), 5 + 1 + 1 + 8 + 1 + 2 * sizes[s] + 1 + 8);
                assert_int_equal(shamir_share_parse(text, strlen(text), &back[i], &why), BK_OK);
                assert_memory_equal(&back[i], &sh[idx[i]], sizeof back[i]);
            }
            assert_int_equal(shamir_combine(back, 3, got, sizeof got, &n, &why), BK_OK);
            assert_int_equal(n, sizes[s]);
            assert_memory_equal(got, secret, sizes[s]);
        }
    }
}

static void
test_split_refuses(void **state)
{
    uint8_t secret[65] = { 1 };
    struct shamir_share sh[5];

    (void)state;
    assert_int_equal(shamir_split(secret, 0, 3, 5, sh), BK_EINVAL);
    assert_int_equal(shamir_split(secret, 65, 3, 5, sh), BK_EINVAL);
    assert_int_equal(shamir_split(secret, 32, 1, 5, sh), BK_EINVAL);
    assert_int_equal(shamir_split(secret, 32, 6, 5, sh), BK_EINVAL);
    assert_int_equal(shamir_split(secret, 32, 3, 256, sh), BK_EINVAL);
    assert_int_equal(shamir_split(secret, 32, 2, 2, sh), BK_OK);
}

static void
test_combine_refuses(void **state)
{
    uint8_t secret[32], secret2[32], got[32], small[16];
    struct shamir_share sh[5], other[5], pick[3];
    size_t n = 0;
    const char *why = NULL;

    (void)state;
    split_random(sizeof secret, secret, sh);
    split_random(sizeof secret2, secret2, other);
    pick[0] = sh[0], pick[1] = sh[1], pick[2] = sh[1];
    assert_int_equal(shamir_combine(pick, 3, got, sizeof got, &n, &why), BK_EINVAL);
    assert_string_equal(why, "the same key share was given twice");
    pick[2] = other[2];
    assert_int_equal(shamir_combine(pick, 3, got, sizeof got, &n, &why), BK_EINVAL);
    assert_string_equal(why, "key shares come from different sets");
    pick[2] = sh[2];
    pick[2].len = 16;
    assert_int_equal(shamir_combine(pick, 3, got, sizeof got, &n, &why), BK_EINVAL);
    assert_string_equal(why, "key shares have different lengths");
    pick[2] = sh[2];
    pick[2].x = 0;
    assert_int_equal(shamir_combine(pick, 3, got, sizeof got, &n, &why), BK_EINVAL);
    pick[2] = sh[2];
    assert_int_equal(shamir_combine(pick, 3, small, sizeof small, &n, &why), BK_EINVAL);
    assert_int_equal(n, 0);
    assert_int_equal(shamir_combine(pick, 3, got, sizeof got, &n, &why), BK_OK);
    assert_memory_equal(got, secret, sizeof secret);
}

#define PINNED "dbs1-2-9f2c41aa-000102030405060708090a0b0c0d0e0f" \
               "101112131415161718191a1b1c1d1e1f-11d9d2f4"

static void
pinned_share(struct shamir_share *s)
{
    static const uint8_t set[] = { 0x9f, 0x2c, 0x41, 0xaa };

    memset(s, 0, sizeof *s);
    s->x = 2;
    memcpy(s->set, set, sizeof set);
    s->len = 32;
    for (int i = 0; i < 32; i++)
        s->y[i] = (uint8_t)i;
}

static void
test_text_pinned(void **state)
{
    struct shamir_share s, back;
    char text[SHAMIR_TEXT_MAX];
    const char *spaced = "  \t" PINNED "\r\n";
    char upper[sizeof PINNED];

    (void)state;
    pinned_share(&s);
    assert_int_equal(shamir_share_format(&s, text), BK_OK);
    assert_string_equal(text, PINNED);
    assert_int_equal(shamir_share_parse(spaced, strlen(spaced), &back, NULL), BK_OK);
    assert_memory_equal(&back, &s, sizeof s);
    memcpy(upper, PINNED, sizeof upper);
    for (size_t i = 5; upper[i]; i++)
        upper[i] = (char)(upper[i] >= 'a' && upper[i] <= 'f' ? upper[i] - 32 : upper[i]);
    assert_int_equal(shamir_share_parse(upper, strlen(upper), &back, NULL), BK_OK);
    assert_memory_equal(&back, &s, sizeof s);
    s.x = 200;
    assert_int_equal(shamir_share_format(&s, text), BK_OK);
    assert_memory_equal(text, "dbs1-200-", 9);
    assert_int_equal(shamir_share_parse(text, strlen(text), &back, NULL), BK_OK);
    assert_int_equal(back.x, 200);
    s.x = 0;
    assert_int_equal(shamir_share_format(&s, text), BK_EINVAL);
}

/* Every single-character change of a share is refused: a changed digit by
 * the checksum, anything else as malformed. */
static void
test_tampered(void **state)
{
    static const char subst[] = "0123456789abcdefxX- ";
    const char *why = NULL;
    struct shamir_share back;
    char t[sizeof PINNED];

    (void)state;
    for (size_t i = 0; i < sizeof PINNED - 1; i++) {
        for (size_t k = 0; k < sizeof subst - 1; k++) {
            memcpy(t, PINNED, sizeof t);
            if (t[i] == subst[k] || (t[i] >= 'a' && t[i] - 32 == subst[k]))
                continue;
            t[i] = subst[k];
            why = NULL;
            if (shamir_share_parse(t, strlen(t), &back, &why) == BK_OK)
                fail_msg("altered share accepted at %zu: %s", i, t);
            assert_non_null(why);
            assert_int_equal(back.len, 0);
        }
    }
    /* a swapped pair of digits in y */
    memcpy(t, PINNED, sizeof t);
    t[20] = PINNED[21];
    t[21] = PINNED[20];
    assert_int_equal(shamir_share_parse(t, strlen(t), &back, &why), BK_EINVAL);
    assert_string_equal(why, "key share checksum mismatch: mistyped or altered");
    /* another share number with the same digits */
    memcpy(t, PINNED, sizeof t);
    t[5] = '3';
    assert_int_equal(shamir_share_parse(t, strlen(t), &back, &why), BK_EINVAL);
    assert_string_equal(why, "key share checksum mismatch: mistyped or altered");
}

static void
test_malformed(void **state)
{
    static const struct {
        const char *text;
        const char *why;
    } bad[] = {
        { "", "not a databunker key share (a share starts with dbs1-)" },
        { "hello", "not a databunker key share (a share starts with dbs1-)" },
        { "00112233", "not a databunker key share (a share starts with dbs1-)" },
        { "dbs2-2-9f2c41aa-00-00000000",
          "unsupported key share version (this version reads dbs1 shares)" },
        { "dbs10-2-9f2c41aa-00-00000000",
          "unsupported key share version (this version reads dbs1 shares)" },
        { "dbs1", "malformed key share: a field is missing" },
        { "dbs1-2-9f2c41aa-0001", "malformed key share: a field is missing" },
        { "dbs1-2-9f2c41aa-00-01-11d9d2f4", "malformed key share: too many fields" },
        { "dbs1-0-9f2c41aa-0001-11d9d2f4", "malformed key share: bad share number" },
        { "dbs1-256-9f2c41aa-0001-11d9d2f4", "malformed key share: bad share number" },
        { "dbs1-02-9f2c41aa-0001-11d9d2f4", "malformed key share: bad share number" },
        { "dbs1--9f2c41aa-0001-11d9d2f4", "malformed key share: bad share number" },
        { "dbs1-x-9f2c41aa-0001-11d9d2f4", "malformed key share: bad share number" },
        { "dbs1-2-9f2c41a-0001-11d9d2f4", "malformed key share: a field has the wrong length" },
        { "dbs1-2-9f2c41aa-001-11d9d2f4", "malformed key share: a field has the wrong length" },
        { "dbs1-2-9f2c41aa--11d9d2f4", "malformed key share: a field has the wrong length" },
        { "dbs1-2-9f2c41aa-0001-11d9d2f", "malformed key share: a field has the wrong length" },
        { "dbs1-2-9f2c41aa-00g1-11d9d2f4", "malformed key share: not hexadecimal" },
        { "dbs1-2-9f2c41aa-00 1-11d9d2f4", "malformed key share: not hexadecimal" },
        { "dbs1-2-9f2c41zz-0001-11d9d2f4", "malformed key share: not hexadecimal" },
        { "dbs1-2-9f2c41aa-0001-11d9d2f4", "key share checksum mismatch: mistyped or altered" },
    };
    char longer[400];
    struct shamir_share back;
    const char *why;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why = NULL;
        assert_int_equal(shamir_share_parse(bad[i].text, strlen(bad[i].text), &back, &why),
                         BK_EINVAL);
        if (strcmp(why, bad[i].why) != 0)
            fail_msg("%s: got \"%s\"", bad[i].text, why);
    }
    /* a secret longer than 64 bytes */
    memset(longer, '0', sizeof longer);
    memcpy(longer, "dbs1-2-9f2c41aa-", 16);
    memcpy(longer + 16 + 130, "-11d9d2f4", 10);
    assert_int_equal(shamir_share_parse(longer, strlen(longer), &back, &why), BK_EINVAL);
    assert_string_equal(why, "malformed key share: a field has the wrong length");
    /* embedded NUL: the length given counts */
    assert_int_equal(shamir_share_parse(PINNED, sizeof PINNED, &back, &why), BK_EINVAL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gf_mul),
        cmocka_unit_test(test_every_subset),
        cmocka_unit_test(test_two_reveal_nothing),
        cmocka_unit_test(test_round_trip_sizes),
        cmocka_unit_test(test_split_refuses),
        cmocka_unit_test(test_combine_refuses),
        cmocka_unit_test(test_text_pinned),
        cmocka_unit_test(test_tampered),
        cmocka_unit_test(test_malformed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
