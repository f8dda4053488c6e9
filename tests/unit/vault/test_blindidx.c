/* Blind indexes: deterministic, and different for any change of tenant, kind,
 * value or key; values with any bytes and of any length up to the cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/hex.h"
#include "base/mem.h"
#include "vault/blindidx.h"
#include "vault/kdf.h"
#include "vault/keys.h"

#define HEX48 "000102030405060708090a0b0c0d0e0f1011121314151617"
#define HEX64 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static struct vault va, vb;

static int
setup(void **state)
{
    (void)state;
    if (keys_from_hex(HEX48, &va) != BK_OK || keys_from_hex(HEX64, &vb) != BK_OK)
        return -1;
    return 0;
}

static void
idx(const struct vault *v, int64_t tenant, int kind, const char *s, size_t n,
    uint8_t out[BLINDIDX_LEN])
{
    assert_int_equal(blindidx_compute(v, tenant, kind, s, n, out), BK_OK);
}

static void
test_deterministic_and_pinned(void **state)
{
    static const char email[] = "user@example.com";
    uint8_t a[BLINDIDX_LEN], b[BLINDIDX_LEN];
    char hex[2 * BLINDIDX_LEN + 1];

    (void)state;
    idx(&va, 7, 1, email, strlen(email), a);
    idx(&va, 7, 1, email, strlen(email), b);
    assert_memory_equal(a, b, BLINDIDX_LEN);
    /* pinned: HMAC(index key, be64(tenant) || kind || value); a change would
     * orphan every stored index */
    hex_encode(a, BLINDIDX_LEN, hex);
    assert_string_equal(hex, "fad792240e299ed207e8eee6823a0779974ad6f90019303db31d21c59095b3f0");
}

static void
test_differs(void **state)
{
    static const char v[] = "user@example.com";
    uint8_t base[BLINDIDX_LEN], o[BLINDIDX_LEN];

    (void)state;
    idx(&va, 1, 1, v, strlen(v), base);
    /* tenant, including ones that differ only in high bytes or sign */
    idx(&va, 2, 1, v, strlen(v), o);
    assert_memory_not_equal(base, o, BLINDIDX_LEN);
    idx(&va, 1 + ((int64_t)1 << 40), 1, v, strlen(v), o);
    assert_memory_not_equal(base, o, BLINDIDX_LEN);
    idx(&va, -1, 1, v, strlen(v), o);
    assert_memory_not_equal(base, o, BLINDIDX_LEN);
    /* kind */
    idx(&va, 1, 2, v, strlen(v), o);
    assert_memory_not_equal(base, o, BLINDIDX_LEN);
    idx(&va, 1, 3, v, strlen(v), o);
    assert_memory_not_equal(base, o, BLINDIDX_LEN);
    /* value: one byte, one byte shorter, empty */
    idx(&va, 1, 1, "user@example.con", 16, o);
    assert_memory_not_equal(base, o, BLINDIDX_LEN);
    idx(&va, 1, 1, v, strlen(v) - 1, o);
    assert_memory_not_equal(base, o, BLINDIDX_LEN);
    idx(&va, 1, 1, "", 0, o);
    assert_memory_not_equal(base, o, BLINDIDX_LEN);
    /* key */
    idx(&vb, 1, 1, v, strlen(v), o);
    assert_memory_not_equal(base, o, BLINDIDX_LEN);
    /* the index is not a plain hash of the value */
    assert_int_equal(kdf_sha256(v, strlen(v), o), BK_OK);
    assert_memory_not_equal(base, o, BLINDIDX_LEN);
}

static void
test_embedded_bytes(void **state)
{
    static const char with_nul[] = "ab\0cd";
    uint8_t a[BLINDIDX_LEN], b[BLINDIDX_LEN], c[BLINDIDX_LEN];

    (void)state;
    /* every byte counts, a NUL too: "ab\0cd" is not "ab" */
    idx(&va, 1, 4, with_nul, 5, a);
    idx(&va, 1, 4, with_nul, 2, b);
    assert_memory_not_equal(a, b, BLINDIDX_LEN);
    idx(&va, 1, 4, "ab\0ce", 5, c);
    assert_memory_not_equal(a, c, BLINDIDX_LEN);
    idx(&va, 1, 4, with_nul, 5, c);
    assert_memory_equal(a, c, BLINDIDX_LEN);
    idx(&va, 1, 4, "\xff\xfe\x01", 3, b);
    idx(&va, 1, 4, "\xff\xfe\x02", 3, c);
    assert_memory_not_equal(b, c, BLINDIDX_LEN);
}

/* Values past the 512-byte stack buffer take the heap path; the result must
 * be the same HMAC either way. */
static void
test_long_values(void **state)
{
    static const size_t lens[] = { 502, 503, 504, 600, 4096, 100000 };
    uint8_t got[BLINDIDX_LEN], want[BLINDIDX_LEN], other[BLINDIDX_LEN];
    size_t max = 100000;
    char *val = mem_alloc(max);
    uint8_t *msg = mem_alloc(max + 9);

    (void)state;
    assert_non_null(val);
    assert_non_null(msg);
    for (size_t i = 0; i < max; i++)
        val[i] = (char)('a' + i % 26);
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        size_t n = lens[i];

        idx(&va, 5, 4, val, n, got);
        memset(msg, 0, 8);
        msg[7] = 5;
        msg[8] = 4;
        memcpy(msg + 9, val, n);
        assert_int_equal(kdf_hmac(va.index_key, KEYS_LEN, msg, n + 9, want), BK_OK);
        assert_memory_equal(got, want, BLINDIDX_LEN);
        /* the last byte still counts */
        val[n - 1] ^= 1;
        idx(&va, 5, 4, val, n, other);
        val[n - 1] ^= 1;
        assert_memory_not_equal(got, other, BLINDIDX_LEN);
    }
    mem_free(msg);
    mem_free(val);
}

static void
test_limits(void **state)
{
    size_t cap = (size_t)1 << 20;
    char *val = mem_calloc(cap + 1, 1);
    uint8_t out[BLINDIDX_LEN];

    (void)state;
    assert_non_null(val);
    assert_int_equal(blindidx_compute(&va, 1, 4, val, cap, out), BK_OK);
    assert_int_equal(blindidx_compute(&va, 1, 4, val, cap + 1, out), BK_ETOOBIG);
    /* the heap path reports allocation failure */
    mem_fail_after(1, 0);
    assert_int_equal(blindidx_compute(&va, 1, 4, val, 1000, out), BK_ENOMEM);
    mem_fail_after(0, 0);
    /* the stack path allocates nothing */
    mem_fail_after(1, 1);
    assert_int_equal(blindidx_compute(&va, 1, 4, val, 100, out), BK_OK);
    mem_fail_after(0, 0);
    mem_free(val);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic_and_pinned),
        cmocka_unit_test(test_differs),
        cmocka_unit_test(test_embedded_bytes),
        cmocka_unit_test(test_long_values),
        cmocka_unit_test(test_limits),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
