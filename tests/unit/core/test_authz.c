/* Authorization caches (core/authz.c) against a real SQLite store: the
 * compiled policies of a tenant are cached across requests behind the access
 * version, and the decisions of one request share one lookup of the
 * principal. A policy change with its version bump is seen by the next
 * request; a membership change too (memberships are never cached across
 * requests); within one request the first lookup holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/authz.h"
#include "core/ctx.h"
#include "store/access.h"
#include "store/store.h"

#define T 0   /* the default tenant */

static const char parent_child[] =
    "{\"Effect\":\"Allow\",\"Principal\":{\"Role\":\"parent\"},\"Action\":[\"UserGet\"],"
    "\"Resource\":[\"${target_group_members:role/child}.profile\"],"
    "\"Condition\":{\"StringEquals\":{\"${principal_group_id}\":\"${target_group_id}\"}}}";

static const char parent_child_name[] =
    "{\"Effect\":\"Allow\",\"Principal\":{\"Role\":\"parent\"},\"Action\":[\"UserGet\"],"
    "\"Resource\":[\"${target_group_members:role/child}.profile.name\"],"
    "\"Condition\":{\"StringEquals\":{\"${principal_group_id}\":\"${target_group_id}\"}}}";

struct fixture {
    char dir[64];
    char path[96];
    struct conf conf;
    struct app app;
    struct store_conn db;       /* the administrator's connection */
    int64_t parent_role, child_role, fam, other, policy;
};

enum { MOM = 101, KID = 102, STRANGER = 103 };

/* One store write as its own write transaction, as the services make them. */
#define WRITE(f, call)                                          \
    do {                                                        \
        assert_int_equal(store_begin(&(f)->db, 1), BK_OK);      \
        assert_int_equal((call), BK_OK);                        \
        assert_int_equal(store_commit(&(f)->db), BK_OK);        \
    } while (0)

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct store_conf sc;

    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/bk_authz_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/db", f->dir);
    memset(&sc, 0, sizeof sc);
    sc.path = f->path;
    sc.pool_size = 8;
    assert_int_equal(store_open("sqlite", &sc, &f->app.store), BK_OK);
    f->app.conf = &f->conf;
    assert_int_equal(store_acquire(&f->app.store, &f->db), BK_OK);
    assert_int_equal(store_migrate(&f->db), BK_OK);
    WRITE(f, store_access_role_insert(&f->db, T, "parent", "", 1, &f->parent_role));
    WRITE(f, store_access_role_insert(&f->db, T, "child", "", 1, &f->child_role));
    WRITE(f, store_access_group_insert(&f->db, T, "fam", "", "", 1, &f->fam));
    WRITE(f, store_access_group_insert(&f->db, T, "other", "", "", 1, &f->other));
    WRITE(f, store_access_policy_insert(&f->db, T, "pc", "", parent_child, 1, &f->policy));
    WRITE(f, store_access_version_bump(&f->db, T));
    WRITE(f, store_access_member_add(&f->db, T, f->fam, MOM, f->parent_role));
    WRITE(f, store_access_member_add(&f->db, T, f->fam, KID, f->child_role));
    WRITE(f, store_access_member_add(&f->db, T, f->other, STRANGER, f->child_role));
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];

    authz_cache_clear();
    store_release(&f->db);
    store_close(&f->app.store);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* A request by MOM's user token, with its own connection. */
static void
request_begin(struct fixture *f, struct ctx *c)
{
    memset(c, 0, sizeof *c);
    c->app = &f->app;
    c->tenant = T;
    c->caller = CALLER_USER;
    c->access.user_id = MOM;
    snprintf(c->who, sizeof c->who, "user:mom");
    assert_int_equal(store_acquire(&f->app.store, &c->db), BK_OK);
}

static void
request_end(struct ctx *c)
{
    authz_ctx_cleanup(c);
    assert_null(c->access.memo);
    store_release(&c->db);
}

/* authz_target on user <id>: BK_OK or BK_EFORBID; *whole says whether the
 * whole profile is visible. */
static enum bk_err
target(struct ctx *c, int64_t id, int *whole)
{
    struct user_row u;
    enum bk_err err;

    memset(&u, 0, sizeof u);
    u.id = id;
    snprintf(u.token, sizeof u.token, "00000000-0000-4000-8000-%012lld", (long long)id);
    err = authz_target(c, &u);
    *whole = !c->access.limited;
    return err;
}

static void
test_policy_change_seen_by_next_request(void **state)
{
    struct fixture *f = *state;
    struct ctx c;
    int whole;

    request_begin(f, &c);
    assert_int_equal(authz_call(&c, "UserGet"), BK_OK);
    assert_non_null(c.access.memo);
    assert_int_equal(target(&c, KID, &whole), BK_OK);
    assert_true(whole);
    assert_int_equal(target(&c, STRANGER, &whole), BK_EFORBID);
    request_end(&c);

    /* PolicyUpdate: the body and the version move in one transaction */
    assert_int_equal(store_begin(&f->db, 1), BK_OK);
    assert_int_equal(store_access_policy_update(&f->db, T, f->policy, NULL, NULL,
                                                parent_child_name, 2), BK_OK);
    assert_int_equal(store_access_version_bump(&f->db, T), BK_OK);
    assert_int_equal(store_commit(&f->db), BK_OK);

    request_begin(f, &c);
    assert_int_equal(authz_call(&c, "UserGet"), BK_OK);
    assert_int_equal(target(&c, KID, &whole), BK_OK);
    assert_false(whole);
    assert_int_equal(c.access.view.nfields, 1);
    assert_string_equal(c.access.view.fields[0], "name");
    request_end(&c);
}

static void
test_membership_change_seen_by_next_request(void **state)
{
    struct fixture *f = *state;
    struct ctx c;
    int whole;

    /* the stranger joins the family: the next request allows it */
    WRITE(f, store_access_member_add(&f->db, T, f->fam, STRANGER, f->child_role));
    request_begin(f, &c);
    assert_int_equal(authz_call(&c, "UserGet"), BK_OK);
    assert_int_equal(target(&c, STRANGER, &whole), BK_OK);
    /* within the request, the principal looked up first holds: mom leaving
     * now is seen by the next request, not halfway through this one */
    WRITE(f, store_access_member_delete(&f->db, T, f->fam, MOM));
    assert_int_equal(target(&c, KID, &whole), BK_OK);
    request_end(&c);

    request_begin(f, &c);
    assert_int_equal(authz_call(&c, "UserGet"), BK_OK);
    assert_int_equal(target(&c, KID, &whole), BK_EFORBID);
    assert_int_equal(target(&c, STRANGER, &whole), BK_EFORBID);
    request_end(&c);
    WRITE(f, store_access_member_add(&f->db, T, f->fam, MOM, f->parent_role));
    WRITE(f, store_access_member_delete(&f->db, T, f->fam, STRANGER));
}

static void
test_link_change_seen_by_next_request(void **state)
{
    struct fixture *f = *state;
    struct ctx c;
    int64_t reader, pid;
    int whole;

    WRITE(f, store_access_role_insert(&f->db, T, "reader", "", 1, &reader));
    WRITE(f, store_access_policy_insert(&f->db, T, "read", "",
                                                "{\"Effect\":\"Allow\",\"Action\":\"UserGet\","
                                                "\"Resource\":\"profile\"}", 1, &pid));
    WRITE(f, store_access_version_bump(&f->db, T));
    request_begin(f, &c);
    c.caller = CALLER_ROLE;
    c.access.user_id = 0;
    c.access.role_id = reader;
    snprintf(c.access.role_name, sizeof c.access.role_name, "reader");
    c.access.op = "UserGet";   /* (authz_call would refuse and audit the refusal) */
    assert_int_equal(target(&c, KID, &whole), BK_EFORBID);
    assert_non_null(c.access.memo);
    request_end(&c);

    /* RoleLinkPolicy: the link and the version move together */
    assert_int_equal(store_begin(&f->db, 1), BK_OK);
    assert_int_equal(store_access_role_link(&f->db, T, reader, pid), BK_OK);
    assert_int_equal(store_access_version_bump(&f->db, T), BK_OK);
    assert_int_equal(store_commit(&f->db), BK_OK);
    request_begin(f, &c);
    c.caller = CALLER_ROLE;
    c.access.user_id = 0;
    c.access.role_id = reader;
    snprintf(c.access.role_name, sizeof c.access.role_name, "reader");
    assert_int_equal(authz_call(&c, "UserGet"), BK_OK);
    assert_int_equal(target(&c, KID, &whole), BK_OK);
    assert_true(whole);
    request_end(&c);
}

static void
test_bypass_needs_no_lookup(void **state)
{
    struct fixture *f = *state;
    struct ctx c;
    int whole;

    request_begin(f, &c);
    c.caller = CALLER_ROOT;
    assert_int_equal(authz_call(&c, "UserGet"), BK_OK);
    assert_int_equal(target(&c, STRANGER, &whole), BK_OK);
    assert_null(c.access.memo);
    request_end(&c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_change_seen_by_next_request),
        cmocka_unit_test(test_membership_change_seen_by_next_request),
        cmocka_unit_test(test_link_change_seen_by_next_request),
        cmocka_unit_test(test_bypass_needs_no_lookup),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
