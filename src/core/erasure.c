/* Ledger replay at start-up. */
#include "erasure.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../base/log.h"
#include "ledger.h"
#include "users.h"

struct replay {
    const struct app *app;
    size_t reapplied;
};

static enum bk_err
one(void *arg, int64_t tenant, const char *token, int64_t when)
{
    struct replay *r = arg;
    struct ctx c;
    int applied = 0;
    enum bk_err err;

    (void)when;
    memset(&c, 0, sizeof c);
    c.app = r->app;
    c.tenant = tenant;
    c.now = (int64_t)time(NULL);
    snprintf(c.rid, sizeof c.rid, "erasure-replay");
    snprintf(c.who, sizeof c.who, "erasure-ledger");
    err = store_acquire((struct store *)&r->app->store, &c.db);
    if (err != BK_OK)
        return err;
    err = users_forget_again(&c, token, &applied);
    store_release(&c.db);
    r->reapplied += (size_t)applied;
    return err;
}

enum bk_err
erasure_replay(const struct app *app, size_t *reapplied)
{
    struct replay r = { app, 0 };
    enum bk_err err;

    *reapplied = 0;
    if (app->ledger == NULL)
        return BK_OK;
    err = ledger_each(app->ledger, one, &r);
    *reapplied = r.reapplied;
    if (r.reapplied > 0)
        LOG_WARN(NULL, "erasure", "%zu forgotten users were back in the database (restored "
                 "from an older copy?) and were forgotten again", r.reapplied);
    return err;
}
