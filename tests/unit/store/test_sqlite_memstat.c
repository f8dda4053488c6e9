/* The SQLite store turns off SQLite's allocation counters, whose upkeep takes
 * one process-wide mutex around every allocation of every connection (the
 * readers of a busy vault queued on it). With them off nothing is counted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"

static void
test_allocations_are_not_counted(void **state)
{
    char dir[] = "/tmp/bk_memstat_XXXXXX", path[64], cmd[96];
    struct store_conf sc;
    struct store st;
    struct store_conn c;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/db", dir);
    memset(&sc, 0, sizeof sc);
    sc.path = path;
    sc.pool_size = 2;
    assert_int_equal(store_open("sqlite", &sc, &st), BK_OK);
    assert_int_equal(store_acquire(&st, &c), BK_OK);
    assert_int_equal(store_migrate(&c), BK_OK);
    /* connections, page caches and prepared statements are allocated by now */
    assert_int_equal(sqlite3_memory_used(), 0);
    assert_int_equal(sqlite3_memory_highwater(0), 0);
    store_release(&c);
    store_close(&st);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allocations_are_not_counted),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
