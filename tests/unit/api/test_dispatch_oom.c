/* Allocation failure on the request paths of user create, get, update and
 * delete: dispatch_request() runs in-process against a temporary SQLite
 * vault with the N-th allocation failing, for N = 1, 2, ... until a request
 * runs without reaching the failure. Every answer is a 5xx (or the success
 * the failure did not prevent), nothing crashes, nothing leaks (LeakSanitizer
 * in the ASan build), and the stored state is all or nothing: the old one, or
 * exactly the requested change (a failure after the commit, while building
 * the answer, still answers 5xx: the outcome is then unknown to the client,
 * as after a lost connection). jansson allocates through mem_alloc, as in the server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "api/dispatch.h"
#include "base/log.h"
#include "base/mem.h"
#include "core/bootstrap.h"
#include "core/conf.h"

static struct app app;
static struct conf conf;
static char dbpath[256];
static const char root[] = "11111111-2222-4333-8444-555555555555";
static unsigned long injected;

static const char *
no_query(void *cls, const char *name)
{
    (void)cls, (void)name;
    return NULL;
}

static unsigned
call(const char *method, const char *path, const char *body, json_t **reply_out)
{
    struct api_req req;
    struct api_reply rep;
    unsigned status;

    memset(&req, 0, sizeof req);
    req.method = method;
    req.path = path;
    req.content_type = body ? "application/json" : NULL;
    req.token = root;
    req.token_len = strlen(root);
    req.client_ip = "127.0.0.1";
    req.body = body ? body : "";
    req.body_len = body ? strlen(body) : 0;
    req.query = no_query;
    dispatch_request(&app, &req, &rep);
    status = rep.status;
    if (reply_out != NULL) {
        *reply_out = NULL;
        if (rep.body != NULL)
            *reply_out = json_loadb(rep.body, rep.body_len, 0, NULL);
    }
    api_reply_cleanup(&rep);
    return status;
}

static int
setup(void **state)
{
    struct bootstrap_keys keys = {
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", NULL, root, 0,
    };
    struct store_conf sc;
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    FILE *devnull = fopen("/dev/null", "w");
    int fd;

    (void)state;
    json_set_alloc_funcs(mem_alloc, mem_free);
    log_set_level("error");
    snprintf(dbpath, sizeof dbpath, "%s/bk_oom_XXXXXX", dir);
    fd = mkstemp(dbpath);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(conf_defaults(&conf), BK_OK);
    memset(&app, 0, sizeof app);
    app.conf = &conf;
    sc.path = dbpath;
    sc.pool_size = 1;
    assert_int_equal(store_open("sqlite", &sc, &app.store), BK_OK);
    assert_non_null(devnull);
    assert_int_equal(bootstrap_init(&app, &keys, devnull), BK_OK);
    fclose(devnull);
    return 0;
}

static int
teardown(void **state)
{
    char p[300];

    (void)state;
    store_close(&app.store);
    keys_wipe(&app.vault);
    conf_cleanup(&conf);
    unlink(dbpath);
    snprintf(p, sizeof p, "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", dbpath);
    unlink(p);
    return 0;
}

/* A new user; its token in <token>. */
static void
make_user(int i, char token[37])
{
    char body[256];
    json_t *r = NULL;

    snprintf(body, sizeof body, "{\"email\":\"oom%d@example.com\",\"login\":\"oom%d\","
             "\"fname\":\"A\",\"tags\":[1,2]}", i, i);
    assert_int_equal(call("POST", "/v1/user", body, &r), 200);
    snprintf(token, 37, "%s", json_string_value(json_object_get(r, "token")));
    json_decref(r);
}

static json_t *
profile_of(const char *token)
{
    char path[128];
    json_t *r = NULL, *d;

    snprintf(path, sizeof path, "/v1/user/token/%s", token);
    if (call("GET", path, NULL, &r) != 200) {
        json_decref(r);
        return NULL;
    }
    d = json_incref(json_object_get(r, "data"));
    json_decref(r);
    return d;
}

enum op { OP_CREATE, OP_GET, OP_UPDATE, OP_DELETE };

/* Run <op> with allocation <n> failing. 1 when the failure happened. */
static int
run_failing(enum op op, unsigned long n, int *seq)
{
    char token[37] = "", path[128], body[256];
    json_t *before = NULL, *after = NULL;
    unsigned status;
    int fired;

    if (op != OP_CREATE) {
        make_user((*seq)++, token);
        before = profile_of(token);
        assert_non_null(before);
    }
    snprintf(path, sizeof path, "/v1/user/token/%s", token);
    snprintf(body, sizeof body, "{\"email\":\"oomnew%d@example.com\",\"fname\":\"B\"}", *seq);
    mem_fail_after(n, 0);
    switch (op) {
    case OP_CREATE:
        status = call("POST", "/v1/user", body, NULL);
        break;
    case OP_GET:
        status = call("GET", path, NULL, NULL);
        break;
    case OP_UPDATE:
        status = call("PUT", path, "{\"fname\":\"Changed\",\"login\":null}", NULL);
        break;
    default:
        status = call("DELETE", path, NULL, NULL);
        break;
    }
    fired = !mem_fail_pending();
    mem_fail_after(0, 0);
    injected += (unsigned long)fired;
    if (status != 200 && status != 500 && status != 503)
        fail_msg("op %d, allocation %lu failing: answered %u (want 200, 500 or 503)", op, n,
                 status);
    /* All or nothing: after any answer the stored state is the old one or
     * exactly the new one (a failure after the commit can still answer 5xx). */
    if (op == OP_CREATE) {
        char p2[128];
        json_t *r = NULL;
        unsigned st;

        snprintf(p2, sizeof p2, "/v1/user/email/oomnew%d@example.com", *seq);
        st = call("GET", p2, NULL, &r);
        if (status == 200 && st != 200)
            fail_msg("create, allocation %lu failing: acknowledged but not stored (%u)", n, st);
        if (st == 200) {
            const char *f = json_string_value(json_object_get(json_object_get(r, "data"),
                                                              "fname"));
            if (f == NULL || strcmp(f, "B") != 0)
                fail_msg("create, allocation %lu failing: stored a different profile", n);
        }
        if (st != 200 && st != 404)
            fail_msg("create, allocation %lu failing: lookup answered %u", n, st);
        json_decref(r);
    } else {
        after = profile_of(token);
        if (op == OP_GET && (after == NULL || !json_equal(before, after)))
            fail_msg("get, allocation %lu failing: the stored user changed", n);
        if (op == OP_UPDATE && (after == NULL ||
                                (!json_equal(before, after) &&
                                 (json_object_get(after, "login") != NULL ||
                                  strcmp(json_string_value(json_object_get(after, "fname")),
                                         "Changed") != 0)))) {
            char *b1 = json_dumps(before, 0), *a1 = after ? json_dumps(after, 0) : NULL;
            fail_msg("update, allocation %lu failing (answer %u): neither before nor after\n"
                     "  before %s\n  after %s", n, status, b1, a1 ? a1 : "(none)");
            mem_free(b1);
            mem_free(a1);
        }
        if (op == OP_UPDATE && status == 200 && json_equal(before, after))
            fail_msg("update, allocation %lu failing: acknowledged but not stored", n);
        if (op == OP_DELETE && after != NULL && (status == 200 || !json_equal(before, after)))
            fail_msg("delete, allocation %lu failing (answer %u): user half there", n, status);
    }
    (*seq)++;
    json_decref(before);
    json_decref(after);
    return fired;
}

static void
sweep(enum op op)
{
    static int seq;
    unsigned long n;

    for (n = 1; n < 5000; n++) {
        if (!run_failing(op, n, &seq))
            break;          /* the request no longer reaches allocation n: all covered */
    }
    assert_true(n > 1);
    assert_true(n < 5000);
    print_message("op %d: %lu allocation points failed one by one\n", op, n - 1);
}

static void
test_create(void **state)
{
    (void)state;
    sweep(OP_CREATE);
}

static void
test_get(void **state)
{
    (void)state;
    sweep(OP_GET);
}

static void
test_update(void **state)
{
    (void)state;
    sweep(OP_UPDATE);
}

static void
test_delete(void **state)
{
    (void)state;
    sweep(OP_DELETE);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create),
        cmocka_unit_test(test_get),
        cmocka_unit_test(test_update),
        cmocka_unit_test(test_delete),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
