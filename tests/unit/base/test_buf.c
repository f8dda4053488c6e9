/* The capped buffer: appends, formatting, the cap, allocation failure and
 * stealing the contents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/mem.h"

static void
test_append(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b, 1024);
    assert_null(b.ptr);
    assert_int_equal(b.len, 0);
    assert_int_equal(buf_append(&b, "abc", 3), BK_OK);
    assert_int_equal(b.len, 3);
    assert_string_equal(b.ptr, "abc");
    assert_int_equal(buf_append(&b, "\0x", 2), BK_OK);     /* bytes, not a string */
    assert_int_equal(b.len, 5);
    assert_memory_equal(b.ptr, "abc\0x", 6);
    assert_int_equal(buf_append(&b, NULL, 0), BK_OK);
    assert_int_equal(b.len, 5);
    assert_int_equal(buf_append_str(&b, "-tail"), BK_OK);
    assert_int_equal(b.len, 10);
    assert_memory_equal(b.ptr, "abc\0x-tail", 11);
    buf_cleanup(&b);
    assert_null(b.ptr);
    assert_int_equal(b.len, 0);
    /* usable again after cleanup */
    assert_int_equal(buf_append_str(&b, "again"), BK_OK);
    assert_string_equal(b.ptr, "again");
    buf_cleanup(&b);
}

static void
test_growth(void **state)
{
    struct buf b;
    size_t n = 10000;

    (void)state;
    buf_init(&b, n);
    for (size_t i = 0; i < n; i++) {
        char c = (char)('a' + i % 26);

        assert_int_equal(buf_append(&b, &c, 1), BK_OK);
    }
    assert_int_equal(b.len, n);
    assert_true(b.cap > n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(b.ptr[i], 'a' + i % 26);
    assert_int_equal(b.ptr[n], '\0');
    buf_cleanup(&b);
}

static void
test_printf(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b, 64);
    assert_int_equal(buf_printf(&b, "%s=%d", "port", 3000), BK_OK);
    assert_string_equal(b.ptr, "port=3000");
    assert_int_equal(buf_printf(&b, ";%05.1f;%x", 2.5, 255u), BK_OK);
    assert_string_equal(b.ptr, "port=3000;002.5;ff");
    assert_int_equal(b.len, strlen("port=3000;002.5;ff"));
    assert_int_equal(buf_printf(&b, "%s", ""), BK_OK);
    assert_int_equal(b.len, strlen("port=3000;002.5;ff"));
    buf_cleanup(&b);
}

static void
test_cap(void **state)
{
    struct buf b;
    char big[100];

    (void)state;
    memset(big, 'z', sizeof big);
    buf_init(&b, 10);
    assert_int_equal(buf_append(&b, big, 10), BK_OK);          /* exactly the cap */
    assert_int_equal(b.len, 10);
    assert_int_equal(buf_append(&b, "x", 1), BK_ETOOBIG);      /* one past */
    assert_int_equal(b.len, 10);
    assert_memory_equal(b.ptr, big, 10);
    assert_int_equal(b.ptr[10], '\0');
    assert_int_equal(buf_append(&b, NULL, 0), BK_OK);
    buf_cleanup(&b);

    /* a refused append leaves the buffer as it was */
    buf_init(&b, 10);
    assert_int_equal(buf_append_str(&b, "12345"), BK_OK);
    assert_int_equal(buf_append(&b, big, 6), BK_ETOOBIG);
    assert_int_equal(buf_printf(&b, "%s", "abcdef"), BK_ETOOBIG);
    assert_int_equal(buf_append_str(&b, "abcdef"), BK_ETOOBIG);
    assert_string_equal(b.ptr, "12345");
    assert_int_equal(b.len, 5);
    assert_int_equal(buf_printf(&b, "%d", 67890), BK_OK);
    assert_string_equal(b.ptr, "1234567890");
    /* sizes that would overflow */
    assert_int_equal(buf_append(&b, big, SIZE_MAX), BK_ETOOBIG);
    assert_int_equal(buf_append(&b, big, SIZE_MAX - 4), BK_ETOOBIG);
    buf_cleanup(&b);

    /* a zero cap holds nothing */
    buf_init(&b, 0);
    assert_int_equal(buf_append(&b, "a", 1), BK_ETOOBIG);
    assert_int_equal(b.len, 0);
    buf_cleanup(&b);

    /* a huge cap does not overflow the growth arithmetic */
    buf_init(&b, SIZE_MAX);
    assert_int_equal(buf_append(&b, "a", 1), BK_OK);
    assert_int_equal(buf_append(&b, big, SIZE_MAX), BK_ETOOBIG);
    assert_string_equal(b.ptr, "a");
    buf_cleanup(&b);
}

static void
test_allocation_failure(void **state)
{
    struct buf b;
    char block[300];

    (void)state;
    memset(block, 'q', sizeof block);
    buf_init(&b, 4096);
    mem_fail_after(1, 0);
    assert_int_equal(buf_append(&b, "abc", 3), BK_ENOMEM);
    assert_null(b.ptr);
    assert_int_equal(b.len, 0);
    assert_int_equal(buf_append(&b, "abc", 3), BK_OK);
    /* failure while growing keeps what was there */
    mem_fail_after(1, 0);
    assert_int_equal(buf_append(&b, block, sizeof block), BK_ENOMEM);
    assert_string_equal(b.ptr, "abc");
    assert_int_equal(b.len, 3);
    mem_fail_after(1, 0);
    assert_int_equal(buf_printf(&b, "%.*s", 300, block), BK_ENOMEM);
    mem_fail_after(0, 0);
    assert_string_equal(b.ptr, "abc");
    buf_cleanup(&b);
}

static void
test_steal(void **state)
{
    struct buf b;
    size_t len = 99;
    char *s;

    (void)state;
    buf_init(&b, 100);
    assert_int_equal(buf_append_str(&b, "hello"), BK_OK);
    s = buf_steal(&b, &len);
    assert_string_equal(s, "hello");
    assert_int_equal(len, 5);
    assert_null(b.ptr);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    mem_free(s);
    /* the buffer is reusable, with its cap */
    assert_int_equal(buf_append_str(&b, "x"), BK_OK);
    s = buf_steal(&b, NULL);
    assert_string_equal(s, "x");
    mem_free(s);

    /* stealing an empty buffer gives an empty string */
    len = 99;
    s = buf_steal(&b, &len);
    assert_non_null(s);
    assert_string_equal(s, "");
    assert_int_equal(len, 0);
    mem_free(s);
    /* ... or NULL when even that cannot be allocated */
    mem_fail_after(1, 0);
    s = buf_steal(&b, &len);
    mem_fail_after(0, 0);
    assert_null(s);
    assert_int_equal(len, 0);
    buf_cleanup(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_printf),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_allocation_failure),
        cmocka_unit_test(test_steal),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
