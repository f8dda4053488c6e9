/* Tenants: name rules, and per-tenant keys (vault/keys.c keys_for_tenant):
 * deterministic for one tenant and salt, different for another tenant or
 * another salt, never the root keys, token key shared. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/tenants.h"
#include "vault/keys.h"

#define HEX48 "000102030405060708090a0b0c0d0e0f1011121314151617"

static void
test_name_rules(void **state)
{
    char longname[TENANT_NAME_MAX + 1];

    (void)state;
    assert_true(tenants_name_valid("acme", 4));
    assert_true(tenants_name_valid("a1b2", 4));
    assert_true(tenants_name_valid("0", 1));
    assert_false(tenants_name_valid("", 0));
    assert_false(tenants_name_valid(NULL, 3));
    assert_false(tenants_name_valid("Acme", 4));
    assert_false(tenants_name_valid("ac-me", 5));
    assert_false(tenants_name_valid("ac me", 5));
    assert_false(tenants_name_valid("ac.me", 5));
    assert_false(tenants_name_valid("ac\0me", 5));
    memset(longname, 'a', sizeof longname);
    assert_true(tenants_name_valid(longname, TENANT_NAME_MAX));
    assert_false(tenants_name_valid(longname, TENANT_NAME_MAX + 1));
}

static void
test_tenant_keys(void **state)
{
    struct vault root, a1, a1again, a2, b1;
    uint8_t salt1[KEYS_LEN], salt2[KEYS_LEN];

    (void)state;
    memset(salt1, 0x11, sizeof salt1);
    memset(salt2, 0x22, sizeof salt2);
    assert_int_equal(keys_from_hex(HEX48, &root), BK_OK);
    assert_int_equal(keys_for_tenant(&root, 1, salt1, &a1), BK_OK);
    assert_int_equal(keys_for_tenant(&root, 1, salt1, &a1again), BK_OK);
    assert_int_equal(keys_for_tenant(&root, 1, salt2, &a2), BK_OK);
    assert_int_equal(keys_for_tenant(&root, 2, salt1, &b1), BK_OK);
    assert_memory_equal(&a1, &a1again, sizeof a1);
    assert_memory_not_equal(a1.index_key, root.index_key, KEYS_LEN);
    assert_memory_not_equal(a1.dek_wrap_key, root.dek_wrap_key, KEYS_LEN);
    assert_memory_not_equal(a1.audit_key, root.audit_key, KEYS_LEN);
    assert_memory_not_equal(a1.master, root.master, KEYS_LEN);
    assert_memory_not_equal(a1.index_key, a2.index_key, KEYS_LEN);
    assert_memory_not_equal(a1.index_key, b1.index_key, KEYS_LEN);
    assert_memory_not_equal(a1.dek_wrap_key, b1.dek_wrap_key, KEYS_LEN);
    assert_memory_not_equal(a1.index_key, a1.dek_wrap_key, KEYS_LEN);
    assert_memory_equal(a1.token_key, root.token_key, KEYS_LEN);
    assert_int_equal(keys_for_tenant(&root, 0, salt1, &b1), BK_EINVAL);
    assert_int_equal(keys_for_tenant(&root, -5, salt1, &b1), BK_EINVAL);
    keys_wipe(&root);
    keys_wipe(&a1);
    keys_wipe(&a1again);
    keys_wipe(&a2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_rules),
        cmocka_unit_test(test_tenant_keys),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
