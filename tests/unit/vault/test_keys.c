/* The key hierarchy: accepted key forms, derivation (pinned, since a change
 * would lock every existing database out), master wrapping, data keys, token
 * hashes and UUIDs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/hex.h"
#include "base/mem.h"
#include "vault/kdf.h"
#include "vault/keys.h"

#define HEX48 "000102030405060708090a0b0c0d0e0f1011121314151617"
#define HEX64 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define WRAP64 "f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e0f"

static int
all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;

    for (size_t i = 0; i < n; i++) {
        if (b[i] != 0)
            return 0;
    }
    return 1;
}

static void
expect_hex(const uint8_t *got, size_t n, const char *want)
{
    char hex[2 * 64 + 1];

    assert_true(n <= 64);
    hex_encode(got, n, hex);
    assert_string_equal(hex, want);
}

static void
test_from_hex_accepts(void **state)
{
    struct vault v;

    (void)state;
    assert_int_equal(keys_from_hex(HEX48, &v), BK_OK);
    assert_false(all_zero(v.master, KEYS_LEN));
    assert_int_equal(keys_from_hex(HEX64, &v), BK_OK);
    assert_false(all_zero(v.master, KEYS_LEN));
    /* upper-case digits are the same key */
    {
        struct vault lower, upper;

        assert_int_equal(keys_from_hex("abcdef0123456789abcdef0123456789abcdef0123456789",
                                       &lower),
                         BK_OK);
        assert_int_equal(keys_from_hex("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789",
                                       &upper),
                         BK_OK);
        assert_memory_equal(&lower, &upper, sizeof lower);
    }
}

static void
test_from_hex_refuses(void **state)
{
    static const char *const bad[] = {
        "",
        HEX48 "0",                              /* 49 */
        "000102030405060708090a0b0c0d0e0f101112131415161",    /* 47 */
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1",   /* 63 */
        HEX64 "0",                              /* 65 */
        HEX64 HEX64,                            /* 128 */
        "000102030405060708090a0b0c0d0e0f",     /* 32: 16 bytes, not a documented form */
        "g00102030405060708090a0b0c0d0e0f1011121314151617",   /* 48, non-hex */
        "000102030405060708090a0b0c0d0e0f101112131415161 ",   /* 48, space */
        "0x0102030405060708090a0b0c0d0e0f1011121314151617",   /* 48, prefix */
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1z",  /* 64, non-hex */
    };
    struct vault v;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&v, 0x5a, sizeof v);
        if (keys_from_hex(bad[i], &v) != BK_EINVAL)
            fail_msg("accepted \"%s\"", bad[i]);
        /* nothing half-derived is left behind */
        assert_true(all_zero(&v, sizeof v));
    }
}

static void
test_from_bytes_range(void **state)
{
    uint8_t mk[65];
    struct vault v;

    (void)state;
    memset(mk, 7, sizeof mk);
    assert_int_equal(keys_from_bytes(mk, 15, &v), BK_EINVAL);
    assert_int_equal(keys_from_bytes(mk, 65, &v), BK_EINVAL);
    assert_int_equal(keys_from_bytes(mk, 16, &v), BK_OK);
    assert_int_equal(keys_from_bytes(mk, 64, &v), BK_OK);
}

static void
test_derivation(void **state)
{
    struct vault a, b, c;
    uint8_t mk[24];
    size_t n = 0;

    (void)state;
    assert_int_equal(keys_from_hex(HEX48, &a), BK_OK);
    assert_int_equal(keys_from_hex(HEX48, &b), BK_OK);
    assert_memory_equal(&a, &b, sizeof a);
    /* hex and raw bytes are the same key */
    assert_int_equal(hex_decode(HEX48, 48, mk, sizeof mk, &n), BK_OK);
    assert_int_equal(keys_from_bytes(mk, n, &c), BK_OK);
    assert_memory_equal(&a, &c, sizeof a);
    /* one bit of input changes every key */
    assert_int_equal(keys_from_hex("000102030405060708090a0b0c0d0e0f1011121314151616", &c), BK_OK);
    assert_memory_not_equal(a.master, c.master, KEYS_LEN);
    assert_memory_not_equal(a.index_key, c.index_key, KEYS_LEN);
    assert_memory_not_equal(a.dek_wrap_key, c.dek_wrap_key, KEYS_LEN);
    assert_memory_not_equal(a.token_key, c.token_key, KEYS_LEN);
    assert_memory_not_equal(a.audit_key, c.audit_key, KEYS_LEN);
    /* the derived keys differ from each other and from the master */
    {
        const uint8_t *k[] = { a.master, a.index_key, a.dek_wrap_key, a.token_key, a.audit_key };

        for (size_t i = 0; i < 5; i++) {
            assert_false(all_zero(k[i], KEYS_LEN));
            for (size_t j = i + 1; j < 5; j++)
                assert_memory_not_equal(k[i], k[j], KEYS_LEN);
        }
    }
    /* the master is not the input bytes themselves */
    assert_memory_not_equal(a.master, mk, sizeof mk);
    keys_wipe(&a);
    assert_true(all_zero(&a, sizeof a));
}

static void
test_check_value(void **state)
{
    struct vault a, b;
    uint8_t cv1[KEYS_LEN], cv2[KEYS_LEN];

    (void)state;
    assert_int_equal(keys_from_hex(HEX48, &a), BK_OK);
    assert_int_equal(keys_check_value(&a, cv1), BK_OK);
    assert_int_equal(keys_check_value(&a, cv2), BK_OK);
    assert_memory_equal(cv1, cv2, KEYS_LEN);
    /* pinned: HMAC(HKDF(salt "databunker-c v1", key, "master"), "databunker key check") */
    expect_hex(cv1, KEYS_LEN, "d8f3b67acc8a693b8becea82e55016ad9d51cd872582d5357c48cf3fed238e87");
    /* it reveals no key */
    assert_memory_not_equal(cv1, a.master, KEYS_LEN);
    assert_int_equal(keys_from_hex(HEX64, &b), BK_OK);
    assert_int_equal(keys_check_value(&b, cv2), BK_OK);
    assert_memory_not_equal(cv1, cv2, KEYS_LEN);
}

static void
test_wrap_master(void **state)
{
    uint8_t mk[32], got[64], *box = NULL;
    size_t box_len = 0, got_len = 99;

    (void)state;
    for (size_t i = 0; i < sizeof mk; i++)
        mk[i] = (uint8_t)(0xc0 + i);
    assert_int_equal(keys_wrap_master(WRAP64, mk, sizeof mk, &box, &box_len), BK_OK);
    assert_non_null(box);
    assert_int_equal(box_len, sizeof mk + AEAD_OVERHEAD);
    assert_int_equal(keys_unwrap_master(WRAP64, box, box_len, got, sizeof got, &got_len), BK_OK);
    assert_int_equal(got_len, sizeof mk);
    assert_memory_equal(got, mk, sizeof mk);

    /* another wrapping key */
    got_len = 99;
    assert_int_equal(keys_unwrap_master("00e1d2c3b4a5968778695a4b3c2d1e0f"
                                        "f0e1d2c3b4a5968778695a4b3c2d1e0f",
                                        box, box_len, got, sizeof got, &got_len),
                     BK_ECORRUPT);
    assert_int_equal(got_len, 0);
    /* a wrapping key that is not 64 hex digits */
    assert_int_equal(keys_unwrap_master(HEX48, box, box_len, got, sizeof got, &got_len),
                     BK_EINVAL);
    assert_int_equal(keys_unwrap_master("", box, box_len, got, sizeof got, &got_len),
                     BK_EINVAL);
    assert_int_equal(keys_unwrap_master("z0e1d2c3b4a5968778695a4b3c2d1e0f"
                                        "f0e1d2c3b4a5968778695a4b3c2d1e0f",
                                        box, box_len, got, sizeof got, &got_len),
                     BK_EINVAL);
    /* an altered or truncated box */
    box[box_len / 2] ^= 0x10;
    assert_int_equal(keys_unwrap_master(WRAP64, box, box_len, got, sizeof got, &got_len),
                     BK_ECORRUPT);
    box[box_len / 2] ^= 0x10;
    assert_int_equal(keys_unwrap_master(WRAP64, box, box_len - 1, got, sizeof got, &got_len),
                     BK_ECORRUPT);
    /* room for fewer bytes than the box holds */
    assert_int_equal(keys_unwrap_master(WRAP64, box, box_len, got, 31, &got_len), BK_ECORRUPT);
    assert_int_equal(got_len, 0);
    mem_free(box);

    /* wrapping refuses a bad wrapping key and leaves nothing */
    box = (uint8_t *)"x";
    box_len = 5;
    assert_int_equal(keys_wrap_master(HEX48, mk, sizeof mk, &box, &box_len), BK_EINVAL);
    assert_null(box);
    assert_int_equal(box_len, 0);
}

static void
test_dek(void **state)
{
    static const char place[] = "tenant=1;user=2f7c9a54-1b8e-4d6a-9f3e-0c5b7a1d2e3f";
    static const char other[] = "tenant=2;user=2f7c9a54-1b8e-4d6a-9f3e-0c5b7a1d2e3f";
    struct vault v, w;
    uint8_t dek[KEYS_LEN], dek2[KEYS_LEN], got[KEYS_LEN];
    uint8_t box[KEYS_DEK_BOX_LEN], box2[KEYS_DEK_BOX_LEN];

    (void)state;
    assert_int_equal(keys_from_hex(HEX48, &v), BK_OK);
    assert_int_equal(keys_from_hex(HEX64, &w), BK_OK);
    assert_int_equal(keys_dek_new(&v, place, strlen(place), dek, box), BK_OK);
    assert_false(all_zero(dek, KEYS_LEN));
    assert_int_equal(box[0], AEAD_VERSION);
    assert_int_equal(keys_dek_open(&v, place, strlen(place), box, sizeof box, got), BK_OK);
    assert_memory_equal(got, dek, KEYS_LEN);

    /* a second data key is another key */
    assert_int_equal(keys_dek_new(&v, place, strlen(place), dek2, box2), BK_OK);
    assert_memory_not_equal(dek, dek2, KEYS_LEN);
    assert_memory_not_equal(box, box2, sizeof box);

    /* the wrong place, and no place */
    memset(got, 0x77, sizeof got);
    assert_int_equal(keys_dek_open(&v, other, strlen(other), box, sizeof box, got), BK_ECORRUPT);
    assert_true(all_zero(got, sizeof got));
    assert_int_equal(keys_dek_open(&v, place, 0, box, sizeof box, got), BK_ECORRUPT);
    /* another vault */
    assert_int_equal(keys_dek_open(&w, place, strlen(place), box, sizeof box, got), BK_ECORRUPT);
    /* every byte of the box matters, the version byte too */
    for (size_t i = 0; i < sizeof box; i++) {
        box[i] ^= 0x01;
        assert_int_equal(keys_dek_open(&v, place, strlen(place), box, sizeof box, got),
                         BK_ECORRUPT);
        box[i] ^= 0x01;
    }
    /* wrong lengths */
    assert_int_equal(keys_dek_open(&v, place, strlen(place), box, sizeof box - 1, got),
                     BK_ECORRUPT);
    assert_int_equal(keys_dek_open(&v, place, strlen(place), NULL, sizeof box, got),
                     BK_ECORRUPT);
    /* and still fine afterwards */
    assert_int_equal(keys_dek_open(&v, place, strlen(place), box, sizeof box, got), BK_OK);
    assert_memory_equal(got, dek, KEYS_LEN);
}

static void
test_token_hash(void **state)
{
    struct vault v, w;
    uint8_t h1[KEYS_LEN], h2[KEYS_LEN], ref[KEYS_LEN];

    (void)state;
    assert_int_equal(keys_from_hex(HEX48, &v), BK_OK);
    assert_int_equal(keys_from_hex(HEX64, &w), BK_OK);
    assert_int_equal(keys_token_hash(&v, "DEMO", 4, h1), BK_OK);
    assert_int_equal(keys_token_hash(&v, "DEMO", 4, h2), BK_OK);
    assert_memory_equal(h1, h2, KEYS_LEN);
    /* pinned, so stored hashes keep matching */
    expect_hex(h1, KEYS_LEN, "194819a5da6c8d09b0acdd099552abdd9b20ee1f7d711eed02a9f918db45a34d");
    assert_int_equal(kdf_hmac(v.token_key, KEYS_LEN, "DEMO", 4, ref), BK_OK);
    assert_memory_equal(h1, ref, KEYS_LEN);
    /* key-dependent and input-dependent */
    assert_int_equal(keys_token_hash(&w, "DEMO", 4, h2), BK_OK);
    assert_memory_not_equal(h1, h2, KEYS_LEN);
    assert_int_equal(keys_token_hash(&v, "DEMo", 4, h2), BK_OK);
    assert_memory_not_equal(h1, h2, KEYS_LEN);
    assert_int_equal(keys_token_hash(&v, "DEMO", 3, h2), BK_OK);
    assert_memory_not_equal(h1, h2, KEYS_LEN);
    /* the hash is not a plain SHA-256 of the token */
    assert_int_equal(kdf_sha256("DEMO", 4, ref), BK_OK);
    assert_memory_not_equal(h1, ref, KEYS_LEN);
}

static int
cmp_uuid(const void *a, const void *b)
{
    return memcmp(a, b, 37);
}

static void
test_uuid(void **state)
{
    enum { N = 1000 };
    char(*ids)[37] = mem_calloc(N, 37);

    (void)state;
    assert_non_null(ids);
    for (size_t n = 0; n < N; n++) {
        char *u = ids[n];

        memset(u, 'X', 37);
        assert_int_equal(keys_uuid(u), BK_OK);
        assert_int_equal(strlen(u), 36);
        for (size_t i = 0; i < 36; i++) {
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                assert_int_equal(u[i], '-');
            } else if (!((u[i] >= '0' && u[i] <= '9') || (u[i] >= 'a' && u[i] <= 'f'))) {
                fail_msg("uuid %s: byte %zu is not a lower-case hex digit", u, i);
            }
        }
        assert_int_equal(u[14], '4');
        assert_non_null(strchr("89ab", u[19]));
    }
    qsort(ids, N, 37, cmp_uuid);
    for (size_t n = 1; n < N; n++)
        assert_string_not_equal(ids[n - 1], ids[n]);
    mem_free(ids);
}

/* Version 7: the milliseconds in the first 48 bits, version and variant
 * bits set, random bits after; ids of later milliseconds sort later. */
static void
test_uuid7(void **state)
{
    static const int64_t ms[] = { 0, 1, 1764351000123LL, 1764351000124LL, 0xffffffffffffLL };
    char prev[37] = "";

    (void)state;
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        char u[37], again[37], hex[13];

        assert_int_equal(keys_uuid7(ms[i], u), BK_OK);
        assert_int_equal(strlen(u), 36);
        assert_int_equal(u[8], '-');
        assert_int_equal(u[13], '-');
        assert_int_equal(u[14], '7');
        assert_non_null(strchr("89ab", u[19]));
        memcpy(hex, u, 8);
        memcpy(hex + 8, u + 9, 4);
        hex[12] = '\0';
        assert_int_equal((int64_t)strtoll(hex, NULL, 16), ms[i]);
        assert_true(strcmp(prev, u) < 0);
        memcpy(prev, u, sizeof prev);
        /* the same millisecond twice: the random part differs */
        assert_int_equal(keys_uuid7(ms[i], again), BK_OK);
        assert_memory_equal(u, again, 13);
        assert_string_not_equal(u, again);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_from_hex_accepts),
        cmocka_unit_test(test_from_hex_refuses),
        cmocka_unit_test(test_from_bytes_range),
        cmocka_unit_test(test_derivation),
        cmocka_unit_test(test_check_value),
        cmocka_unit_test(test_wrap_master),
        cmocka_unit_test(test_dek),
        cmocka_unit_test(test_token_hash),
        cmocka_unit_test(test_uuid),
        cmocka_unit_test(test_uuid7),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
