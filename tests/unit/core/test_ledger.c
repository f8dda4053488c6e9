/* The erasure ledger file: append and read back, the chain checked on open,
 * a torn last line cut, another key refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/ledger.h"

static char path[256];
static struct vault v;

static const char *const toks[] = {
    "00000000-0000-4000-8000-000000000001",
    "00000000-0000-4000-8000-000000000002",
    "00000000-0000-4000-8000-000000000003",
};

static int
setup(void **state)
{
    const char *dir = getenv("TMPDIR");
    int fd;

    (void)state;
    snprintf(path, sizeof path, "%s/bk_ledger_XXXXXX", dir && dir[0] ? dir : "/tmp");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(keys_from_hex("000102030405060708090a0b0c0d0e0f1011121314151617", &v),
                     BK_OK);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    unlink(path);
    keys_wipe(&v);
    return 0;
}

struct seen {
    int n;
    int64_t when[4];
};

static enum bk_err
collect(void *arg, int64_t tenant, const char *token, int64_t when)
{
    struct seen *s = arg;

    assert_int_equal(tenant, s->n == 1 ? 7 : 0);
    assert_string_equal(token, toks[s->n]);
    s->when[s->n++] = when;
    return BK_OK;
}

static void
append_three(void)
{
    struct ledger *l = NULL;

    assert_int_equal(ledger_open(path, &v, &l), BK_OK);
    assert_int_equal(ledger_count(l), 0);
    assert_int_equal(ledger_append(l, 0, toks[0], 100), BK_OK);
    assert_int_equal(ledger_append(l, 7, toks[1], -5), BK_OK);
    assert_int_equal(ledger_append(l, 0, toks[2], 1700000000), BK_OK);
    assert_int_equal(ledger_append(l, 0, "short", 1), BK_EINVAL);
    ledger_close(l);
}

static void
test_append_and_read_back(void **state)
{
    struct ledger *l = NULL;
    struct seen s = { 0, { 0 } };

    (void)state;
    append_three();
    assert_int_equal(ledger_open(path, &v, &l), BK_OK);
    assert_int_equal(ledger_count(l), 3);
    assert_int_equal(ledger_each(l, collect, &s), BK_OK);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.when[1], -5);
    assert_int_equal(s.when[2], 1700000000);
    ledger_close(l);
}

static void
flip_byte(long at)
{
    FILE *f = fopen(path, "r+b");
    int c;

    assert_non_null(f);
    assert_int_equal(fseek(f, at, SEEK_SET), 0);
    c = fgetc(f);
    assert_int_equal(fseek(f, at, SEEK_SET), 0);
    fputc(c == '1' ? '2' : '1', f);
    fclose(f);
}

static void
test_altered_line_is_refused(void **state)
{
    struct ledger *l = NULL;

    (void)state;
    append_three();
    flip_byte(5);                       /* inside the first token */
    assert_int_equal(ledger_open(path, &v, &l), BK_ECORRUPT);
    assert_null(l);
}

static void
test_torn_tail_is_cut_and_appends_continue(void **state)
{
    struct ledger *l = NULL;
    FILE *f;

    (void)state;
    append_three();
    f = fopen(path, "ab");
    assert_non_null(f);
    fputs("E1 0 00000000-0000", f);
    fclose(f);
    assert_int_equal(ledger_open(path, &v, &l), BK_OK);
    assert_int_equal(ledger_count(l), 3);
    assert_int_equal(ledger_append(l, 0, toks[0], 5), BK_OK);
    ledger_close(l);
    assert_int_equal(ledger_open(path, &v, &l), BK_OK);
    assert_int_equal(ledger_count(l), 4);
    ledger_close(l);
}

static void
test_other_key_is_refused(void **state)
{
    struct ledger *l = NULL;
    struct vault other;

    (void)state;
    append_three();
    assert_int_equal(keys_from_hex("ff0102030405060708090a0b0c0d0e0f1011121314151617", &other),
                     BK_OK);
    assert_int_equal(ledger_open(path, &other, &l), BK_ECORRUPT);
    keys_wipe(&other);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_append_and_read_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_altered_line_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_torn_tail_is_cut_and_appends_continue, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_other_key_is_refused, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
