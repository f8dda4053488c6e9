/* HMAC-SHA256 (RFC 4231 test cases 1-4, 6, 7), HKDF-SHA256 (RFC 5869 test
 * cases 1-3), SHA-256 of "abc" (FIPS 180-2), and the CSPRNG. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <pthread.h>

#include "base/hex.h"
#include "vault/kdf.h"

static size_t
unhex(const char *hex, uint8_t *out, size_t out_max)
{
    size_t n = 0;

    assert_int_equal(hex_decode(hex, strlen(hex), out, out_max, &n), BK_OK);
    return n;
}

static void
expect_hex(const uint8_t *got, size_t n, const char *want)
{
    char hex[2 * 128 + 1];

    assert_true(n <= 128);
    hex_encode(got, n, hex);
    assert_string_equal(hex, want);
}

static void
fill(uint8_t *p, size_t n, uint8_t v)
{
    memset(p, v, n);
}

static void
test_hmac_rfc4231(void **state)
{
    static const char msg6[] = "Test Using Larger Than Block-Size Key - Hash Key First";
    static const char msg7[] =
        "This is a test using a larger than block-size key and a larger than block-size "
        "data. The key needs to be hashed before being used by the HMAC algorithm.";
    uint8_t key[131], msg[50], out[KDF_HASH_LEN];
    size_t key_len;

    (void)state;
    /* 1 */
    fill(key, 20, 0x0b);
    assert_int_equal(kdf_hmac(key, 20, "Hi There", 8, out), BK_OK);
    expect_hex(out, 32, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    /* 2: a key shorter than the output */
    assert_int_equal(kdf_hmac((const uint8_t *)"Jefe", 4, "what do ya want for nothing?", 28,
                              out),
                     BK_OK);
    expect_hex(out, 32, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    /* 3 */
    fill(key, 20, 0xaa);
    fill(msg, 50, 0xdd);
    assert_int_equal(kdf_hmac(key, 20, msg, 50, out), BK_OK);
    expect_hex(out, 32, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    /* 4 */
    key_len = unhex("0102030405060708090a0b0c0d0e0f10111213141516171819", key, sizeof key);
    assert_int_equal(key_len, 25);
    fill(msg, 50, 0xcd);
    assert_int_equal(kdf_hmac(key, key_len, msg, 50, out), BK_OK);
    expect_hex(out, 32, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    /* 6: a key longer than the block */
    fill(key, 131, 0xaa);
    assert_int_equal(kdf_hmac(key, 131, msg6, strlen(msg6), out), BK_OK);
    expect_hex(out, 32, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    /* 7: key and data longer than the block */
    assert_int_equal(kdf_hmac(key, 131, msg7, strlen(msg7), out), BK_OK);
    expect_hex(out, 32, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

static void
test_hkdf_rfc5869(void **state)
{
    uint8_t ikm[80], salt[80], info[80], out[82];
    size_t ikm_len, salt_len, info_len;

    (void)state;
    /* 1: basic */
    fill(ikm, 22, 0x0b);
    salt_len = unhex("000102030405060708090a0b0c", salt, sizeof salt);
    info_len = unhex("f0f1f2f3f4f5f6f7f8f9", info, sizeof info);
    assert_int_equal(kdf_hkdf(salt, salt_len, ikm, 22, info, info_len, out, 42), BK_OK);
    expect_hex(out, 42,
               "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
               "34007208d5b887185865");
    /* 2: longer inputs and outputs */
    for (int i = 0; i < 80; i++) {
        ikm[i] = (uint8_t)i;
        salt[i] = (uint8_t)(0x60 + i);
        info[i] = (uint8_t)(0xb0 + i);
    }
    ikm_len = salt_len = info_len = 80;
    assert_int_equal(kdf_hkdf(salt, salt_len, ikm, ikm_len, info, info_len, out, 82), BK_OK);
    expect_hex(out, 82,
               "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
               "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
               "cc30c58179ec3e87c14c01d5c1f3434f1d87");
    /* 3: zero-length salt and info */
    fill(ikm, 22, 0x0b);
    assert_int_equal(kdf_hkdf(salt, 0, ikm, 22, info, 0, out, 42), BK_OK);
    expect_hex(out, 42,
               "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
               "9d201395faa4b61a96c8");
}

static void
test_hkdf_output_limit(void **state)
{
    static uint8_t big[255 * 32 + 1];
    uint8_t ikm[32];

    (void)state;
    fill(ikm, sizeof ikm, 0x42);
    assert_int_equal(kdf_hkdf(ikm, 0, ikm, sizeof ikm, "i", 1, big, 255 * 32), BK_OK);
    assert_int_not_equal(kdf_hkdf(ikm, 0, ikm, sizeof ikm, "i", 1, big, 255 * 32 + 1), BK_OK);
}

static void
test_sha256(void **state)
{
    uint8_t out[KDF_HASH_LEN];

    (void)state;
    assert_int_equal(kdf_sha256("abc", 3, out), BK_OK);
    expect_hex(out, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(kdf_sha256("", 0, out), BK_OK);
    expect_hex(out, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void
test_random(void **state)
{
    uint8_t a[32], b[32], zero[32] = { 0 };

    (void)state;
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    assert_int_equal(kdf_random(a, sizeof a), BK_OK);
    assert_int_equal(kdf_random(b, sizeof b), BK_OK);
    assert_memory_not_equal(a, zero, sizeof a);
    assert_memory_not_equal(a, b, sizeof a);
}

/* A prepared key gives kdf_hmac()'s answer, message after message, for short
 * and block-size keys (RFC 4231 case 1 first). */
static void
test_mac_prepared(void **state)
{
    uint8_t key[131], msg[200], want[KDF_HASH_LEN], got[KDF_HASH_LEN];
    static const size_t key_lens[] = { 20, 32, 131 };
    struct kdf_mac *m = NULL;

    (void)state;
    fill(key, 20, 0x0b);
    assert_int_equal(kdf_mac_new(key, 20, &m), BK_OK);
    assert_int_equal(kdf_mac(m, "Hi There", 8, got), BK_OK);
    expect_hex(got, sizeof got,
               "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    kdf_mac_free(m);
    for (size_t k = 0; k < sizeof key_lens / sizeof key_lens[0]; k++) {
        for (size_t i = 0; i < sizeof key; i++)
            key[i] = (uint8_t)(i * 7 + k);
        assert_int_equal(kdf_mac_new(key, key_lens[k], &m), BK_OK);
        for (size_t n = 0; n < sizeof msg; n += 13) {
            for (size_t i = 0; i < n; i++)
                msg[i] = (uint8_t)(i ^ n);
            assert_int_equal(kdf_hmac(key, key_lens[k], msg, n, want), BK_OK);
            assert_int_equal(kdf_mac(m, msg, n, got), BK_OK);
            assert_memory_equal(got, want, sizeof want);
        }
        kdf_mac_free(m);
    }
    kdf_mac_free(NULL);
}

/* kdf_hmac() keeps the first keys keyed: every answer, from a template, from
 * a key past the templates' room, and after they are dropped, is the
 * HMAC a freshly keyed context gives. */
static void
test_hmac_templates(void **state)
{
    uint8_t key[40], msg[100], want[KDF_HASH_LEN], got[KDF_HASH_LEN];
    struct kdf_mac *m = NULL;

    (void)state;
    for (int round = 0; round < 3; round++) {
        if (round == 2)
            kdf_hmac_forget();
        for (size_t k = 0; k < 12; k++) {
            for (size_t i = 0; i < sizeof key; i++)
                key[i] = (uint8_t)(i * 13 + k);
            for (size_t i = 0; i < sizeof msg; i++)
                msg[i] = (uint8_t)(i + k + (size_t)round);
            assert_int_equal(kdf_mac_new(key, 32 + k % 9, &m), BK_OK);
            assert_int_equal(kdf_mac(m, msg, sizeof msg, want), BK_OK);
            kdf_mac_free(m);
            assert_int_equal(kdf_hmac(key, 32 + k % 9, msg, sizeof msg, got), BK_OK);
            assert_memory_equal(got, want, sizeof want);
        }
    }
    /* a known answer, twice (keyed, then from its template) */
    kdf_hmac_forget();
    fill(key, 20, 0x0b);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(kdf_hmac(key, 20, "Hi There", 8, got), BK_OK);
        expect_hex(got, 32, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    }
    /* a key longer than a template holds is keyed per call (RFC 4231 case 6) */
    {
        static const char msg6[] = "Test Using Larger Than Block-Size Key - Hash Key First";
        uint8_t long_key[131];

        fill(long_key, sizeof long_key, 0xaa);
        for (int i = 0; i < 2; i++) {
            assert_int_equal(kdf_hmac(long_key, sizeof long_key, msg6, strlen(msg6), got), BK_OK);
            expect_hex(got, 32,
                       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
        }
    }
    kdf_hmac_forget();
    kdf_hmac_forget();
}

/* OpenSSL's own HMAC, as an independent reference. */
static void
reference_hmac(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t msg_len,
               uint8_t out[KDF_HASH_LEN])
{
    size_t n = 0;

    assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, key_len, msg, msg_len, out,
                              KDF_HASH_LEN, &n));
    assert_int_equal(n, KDF_HASH_LEN);
}

/* Every key length from empty to past two blocks, and message lengths
 * around the block boundaries: the answer is OpenSSL's HMAC. */
static void
test_hmac_matches_reference(void **state)
{
    uint8_t key[150], msg[140], want[KDF_HASH_LEN], got[KDF_HASH_LEN];
    static const size_t msg_lens[] = { 0, 1, 3, 12, 55, 56, 63, 64, 65, 119, 120, 128, 139 };
    struct kdf_mac *m = NULL;

    (void)state;
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 31 + 5);
    for (size_t kl = 0; kl <= sizeof key; kl += 7) {
        for (size_t i = 0; i < kl; i++)
            key[i] = (uint8_t)(i * 17 + kl);
        assert_int_equal(kdf_mac_new(key, kl, &m), BK_OK);
        for (size_t j = 0; j < sizeof msg_lens / sizeof msg_lens[0]; j++) {
            reference_hmac(key, kl, msg, msg_lens[j], want);
            assert_int_equal(kdf_mac(m, msg, msg_lens[j], got), BK_OK);
            assert_memory_equal(got, want, sizeof want);
            assert_int_equal(kdf_hmac(key, kl, msg, msg_lens[j], got), BK_OK);
            assert_memory_equal(got, want, sizeof want);
        }
        kdf_mac_free(m);
    }
    kdf_hmac_forget();
}

struct shared_mac {
    const struct kdf_mac *m;
    int bad;
};

static void *
shared_mac_thread(void *arg)
{
    struct shared_mac *s = arg;
    uint8_t key[32], msg[16], want[KDF_HASH_LEN], got[KDF_HASH_LEN];

    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)(i + 1);
    for (int r = 0; r < 500; r++) {
        memset(msg, r & 0xff, sizeof msg);
        reference_hmac(key, sizeof key, msg, sizeof msg, want);
        if (kdf_mac(s->m, msg, sizeof msg, got) != BK_OK || memcmp(got, want, sizeof got) != 0)
            s->bad++;
        if (kdf_hmac(key, sizeof key, msg, sizeof msg, got) != BK_OK ||
            memcmp(got, want, sizeof got) != 0)
            s->bad++;
    }
    return NULL;
}

/* One prepared key and one template used by four threads at once: every
 * answer right (each thread hashes in a state of its own). */
static void
test_mac_shared_by_threads(void **state)
{
    uint8_t key[32];
    struct kdf_mac *m = NULL;
    struct shared_mac s[4];
    pthread_t t[4];

    (void)state;
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)(i + 1);
    assert_int_equal(kdf_mac_new(key, sizeof key, &m), BK_OK);
    for (int i = 0; i < 4; i++) {
        s[i] = (struct shared_mac){ .m = m };
        assert_int_equal(pthread_create(&t[i], NULL, shared_mac_thread, &s[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(s[i].bad, 0);
    }
    kdf_mac_free(m);
    kdf_hmac_forget();
}

/* Small draws come from a per-thread block: across many blocks no two draws
 * repeat, sizes up to the small limit and past it work, and nothing comes
 * back all zero. */
static void
test_random_small_draws(void **state)
{
    enum { N = 300 };
    uint8_t ids[N][16], zero[1000] = { 0 }, big[1000];

    (void)state;
    for (size_t i = 0; i < N; i++)
        assert_int_equal(kdf_random(ids[i], sizeof ids[i]), BK_OK);
    for (size_t i = 0; i < N; i++) {
        assert_memory_not_equal(ids[i], zero, sizeof ids[i]);
        for (size_t j = i + 1; j < N; j++)
            assert_memory_not_equal(ids[i], ids[j], sizeof ids[i]);
    }
    for (size_t n = 1; n <= 65; n++) {
        uint8_t a[65], b[65];

        memset(a, 0, sizeof a);
        memset(b, 0, sizeof b);
        assert_int_equal(kdf_random(a, n), BK_OK);
        assert_int_equal(kdf_random(b, n), BK_OK);
        if (n >= 8)
            assert_memory_not_equal(a, b, n);
        assert_memory_equal(a + n, zero, sizeof a - n);
    }
    assert_int_equal(kdf_random(big, sizeof big), BK_OK);
    assert_memory_not_equal(big, zero, sizeof big);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hmac_rfc4231),
        cmocka_unit_test(test_mac_prepared),
        cmocka_unit_test(test_hkdf_rfc5869),
        cmocka_unit_test(test_hkdf_output_limit),
        cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_hmac_templates),
        cmocka_unit_test(test_random_small_draws),
        cmocka_unit_test(test_hmac_matches_reference),
        cmocka_unit_test(test_mac_shared_by_threads),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
