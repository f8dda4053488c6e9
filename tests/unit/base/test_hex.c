/* Hex: lower-case encoding and strict decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/hex.h"

static void
test_encode(void **state)
{
    static const uint8_t in[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xcd, 0xef, 0xff };
    char out[2 * sizeof in + 1];

    (void)state;
    memset(out, 'X', sizeof out);
    hex_encode(in, sizeof in, out);
    assert_string_equal(out, "00017f80abcdefff");
    hex_encode(in, 0, out);
    assert_string_equal(out, "");
}

static void
test_decode(void **state)
{
    uint8_t out[8];
    size_t n = 99;

    (void)state;
    assert_int_equal(hex_decode("00017f80abcdefff", 16, out, sizeof out, &n), BK_OK);
    assert_int_equal(n, 8);
    assert_memory_equal(out, "\x00\x01\x7f\x80\xab\xcd\xef\xff", 8);
    assert_int_equal(hex_decode("ABCDEF", 6, out, sizeof out, &n), BK_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(out, "\xab\xcd\xef", 3);
    assert_int_equal(hex_decode("aBcD", 4, out, sizeof out, &n), BK_OK);
    assert_memory_equal(out, "\xab\xcd", 2);
    /* only <len> digits are read */
    assert_int_equal(hex_decode("1234zz", 4, out, sizeof out, &n), BK_OK);
    assert_int_equal(n, 2);
    assert_memory_equal(out, "\x12\x34", 2);
    n = 99;
    assert_int_equal(hex_decode("", 0, out, sizeof out, &n), BK_OK);
    assert_int_equal(n, 0);
    /* exactly out_max */
    assert_int_equal(hex_decode("0102", 4, out, 2, &n), BK_OK);
    assert_int_equal(n, 2);
}

static void
test_decode_refused(void **state)
{
    static const char *const bad_digit = "/:@G`g \n\x80";
    uint8_t out[8];
    size_t n = 99;
    char in[5];

    (void)state;
    assert_int_equal(hex_decode("abc", 3, out, sizeof out, &n), BK_EINVAL);      /* odd */
    assert_int_equal(hex_decode("a", 1, out, sizeof out, &n), BK_EINVAL);
    assert_int_equal(hex_decode("010203", 6, out, 2, &n), BK_EINVAL);           /* too long */
    assert_int_equal(hex_decode("0x01", 4, out, sizeof out, &n), BK_EINVAL);
    assert_int_equal(hex_decode("ab\0d", 4, out, sizeof out, &n), BK_EINVAL);
    /* a bad digit in either nibble of any byte, just past each valid range */
    for (const char *p = bad_digit; *p; p++) {
        for (size_t pos = 0; pos < 4; pos++) {
            memcpy(in, "a1b2", 5);
            in[pos] = *p;
            if (hex_decode(in, 4, out, sizeof out, &n) != BK_EINVAL)
                fail_msg("accepted byte 0x%02x at %zu", (unsigned char)*p, pos);
        }
    }
}

static void
test_round_trip(void **state)
{
    uint8_t all[256], back[256];
    char hex[513];
    size_t n = 0;

    (void)state;
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    hex_encode(all, sizeof all, hex);
    assert_int_equal(strlen(hex), 512);
    for (size_t i = 0; i < 512; i++)
        assert_non_null(strchr("0123456789abcdef", hex[i]));
    assert_int_equal(hex_decode(hex, 512, back, sizeof back, &n), BK_OK);
    assert_int_equal(n, 256);
    assert_memory_equal(all, back, 256);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode),
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_decode_refused),
        cmocka_unit_test(test_round_trip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
