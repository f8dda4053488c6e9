/* Wiping and constant-time comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/mem.h"
#include "vault/secbuf.h"

static void
test_wipe(void **state)
{
    uint8_t b[64], zero[64] = { 0 };

    (void)state;
    memset(b, 0xa5, sizeof b);
    secbuf_wipe(b + 8, 16);
    assert_memory_equal(b + 8, zero, 16);
    /* only the bytes asked for */
    assert_int_equal(b[7], 0xa5);
    assert_int_equal(b[24], 0xa5);
    secbuf_wipe(b, sizeof b);
    assert_memory_equal(b, zero, sizeof b);
    /* NULL and zero length are no-ops */
    secbuf_wipe(NULL, 16);
    memset(b, 0xa5, sizeof b);
    secbuf_wipe(b, 0);
    assert_int_equal(b[0], 0xa5);
}

static void
test_free_wipes(void **state)
{
    uint8_t *p = mem_alloc(32);

    (void)state;
    assert_non_null(p);
    memset(p, 0x42, 32);
    secbuf_free(p, 32);         /* the sanitizer catches a double or bad free */
    secbuf_free(NULL, 0);
    secbuf_free(NULL, 32);
}

static void
test_equal(void **state)
{
    uint8_t a[32], b[32];

    (void)state;
    memset(a, 1, sizeof a);
    memset(b, 1, sizeof b);
    assert_int_equal(secbuf_equal(a, b, sizeof a), 1);
    assert_int_equal(secbuf_equal(a, b, 0), 1);
    for (size_t i = 0; i < sizeof a; i++) {
        for (int bit = 0; bit < 8; bit++) {
            b[i] ^= (uint8_t)(1u << bit);
            assert_int_equal(secbuf_equal(a, b, sizeof a), 0);
            b[i] ^= (uint8_t)(1u << bit);
        }
    }
    /* only the first <n> bytes are compared */
    b[31] = 9;
    assert_int_equal(secbuf_equal(a, b, 31), 1);
    assert_int_equal(secbuf_equal(a, b, 32), 0);
    assert_int_equal(secbuf_equal("token-a", "token-b", 7), 0);
    assert_int_equal(secbuf_equal("token-a", "token-a", 7), 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wipe),
        cmocka_unit_test(test_free_wipes),
        cmocka_unit_test(test_equal),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
