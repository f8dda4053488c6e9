/* Captcha pictures: a well-formed PNG (signature, IHDR, chunk CRCs, zlib
 * checksum) whose dark pixels draw the digits, and refusals of non-digits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/mem.h"
#include "core/captcha.h"

static uint32_t
get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t
crc(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;

    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return ~c;
}

static void
test_png_is_well_formed(void **state)
{
    uint8_t *png = NULL;
    size_t len = 0, pos = 8, dark = 0;
    uint32_t w = 0, h = 0;
    const uint8_t *idat = NULL;
    size_t idat_len = 0;

    (void)state;
    assert_int_equal(captcha_png("123456", 6, (const uint8_t *)"seed", 4, &png, &len), BK_OK);
    assert_non_null(png);
    assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
    while (pos + 12 <= len) {
        uint32_t n = get32(png + pos);

        assert_true(pos + 12 + n <= len);
        assert_int_equal(get32(png + pos + 8 + n), crc(png + pos + 4, n + 4));
        if (memcmp(png + pos + 4, "IHDR", 4) == 0) {
            w = get32(png + pos + 8);
            h = get32(png + pos + 12);
            assert_int_equal(png[pos + 16], 8);
            assert_int_equal(png[pos + 17], 0);
        } else if (memcmp(png + pos + 4, "IDAT", 4) == 0) {
            idat = png + pos + 8;
            idat_len = n;
        }
        pos += 12 + n;
    }
    assert_int_equal(pos, len);
    assert_true(w > 100 && h > 20);
    assert_non_null(idat);
    /* one stored block: header, 5-byte block header, raw rows, adler32 */
    assert_int_equal(idat_len, 2 + 5 + (size_t)h * (w + 1) + 4);
    for (size_t i = 0; i < (size_t)h * (w + 1); i++) {
        if (i % (w + 1) == 0)
            assert_int_equal(idat[7 + i], 0);
        else if (idat[7 + i] < 100)
            dark++;
    }
    /* six glyphs of 4x4 squares: at least the "1" (10 squares) six times */
    assert_true(dark >= 6 * 10 * 16);
    mem_free(png);
}

static void
test_refusals(void **state)
{
    uint8_t *png = (uint8_t *)"x";
    size_t len = 7;

    (void)state;
    assert_int_equal(captcha_png("12a4", 4, NULL, 0, &png, &len), BK_EINVAL);
    assert_null(png);
    assert_int_equal(len, 0);
    assert_int_equal(captcha_png("", 0, NULL, 0, &png, &len), BK_EINVAL);
    assert_int_equal(captcha_png("123456789", 9, NULL, 0, &png, &len), BK_EINVAL);
}

static void
test_seed_varies_picture(void **state)
{
    uint8_t *a = NULL, *b = NULL;
    size_t la = 0, lb = 0;

    (void)state;
    assert_int_equal(captcha_png("4242", 4, (const uint8_t *)"one", 3, &a, &la), BK_OK);
    assert_int_equal(captcha_png("4242", 4, (const uint8_t *)"two", 3, &b, &lb), BK_OK);
    assert_int_equal(la, lb);
    assert_true(memcmp(a, b, la) != 0);
    mem_free(a);
    mem_free(b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png_is_well_formed),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_seed_varies_picture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
