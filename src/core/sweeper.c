/* The sweep thread and the list of sweeps. A sweep is a function that takes
 * a context with a borrowed store connection and removes what has expired. */
#include "sweeper.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../base/log.h"
#include "../base/mem.h"
#include "../base/thread.h"
#include "portal.h"
#include "sessions.h"
#include "expiration.h"
#include "shared.h"
#include "tokens.h"
#include "versions.h"
#include "xtokens.h"

typedef enum bk_err (*sweep_fn)(struct ctx *c);

static const struct {
    const char *name;
    sweep_fn fn;
} sweeps[] = {
    { "sessions", sessions_sweep },
    { "expired users", expiration_sweep },
    { "expired shared records", shared_sweep },
    { "old record versions", versions_sweep },
    { "access tokens and unlock ids", xtokens_sweep },
    { "portal", portal_sweep },
    { "expired format-preserving tokens", tokens_sweep },
    { NULL, NULL },
};

struct sweeper {
    const struct app *app;
    unsigned interval_ms;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stopping;
};

enum bk_err
sweeper_run_once(const struct app *app)
{
    enum bk_err first = BK_OK;

    for (size_t i = 0; sweeps[i].fn != NULL; i++) {
        struct ctx c;
        enum bk_err err;

        err = ctx_background(&c, app, "sweeper");
        if (err == BK_OK) {
            err = sweeps[i].fn(&c);
            store_release(&c.db);
        }
        /* A backend without a family has nothing of it to sweep. */
        if (err != BK_OK && err != BK_ENOTIMPL) {
            LOG_WARN(c.rid, "sweeper", "%s: %s", sweeps[i].name, bk_err_str(err));
            if (first == BK_OK)
                first = err;
        }
    }
    return first;
}

static void *
run(void *arg)
{
    struct sweeper *s = arg;

    thread_name("sweeper");
    pthread_mutex_lock(&s->lock);
    while (!s->stopping) {
        struct timespec until;

        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += s->interval_ms / 1000;
        until.tv_nsec += (long)(s->interval_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!s->stopping && pthread_cond_timedwait(&s->wake, &s->lock, &until) != ETIMEDOUT)
            ;
        if (s->stopping)
            break;
        pthread_mutex_unlock(&s->lock);
        sweeper_run_once(s->app);
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

enum bk_err
sweeper_start(const struct app *app, unsigned interval_ms, struct sweeper **out)
{
    struct sweeper *s;

    *out = NULL;
    if (sweeps[0].fn == NULL)
        return BK_OK;
    s = mem_calloc(1, sizeof *s);
    if (s == NULL)
        return BK_ENOMEM;
    s->app = app;
    s->interval_ms = interval_ms ? interval_ms : 1000;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    if (pthread_create(&s->thread, NULL, run, s) != 0) {
        pthread_mutex_destroy(&s->lock);
        pthread_cond_destroy(&s->wake);
        mem_free(s);
        return BK_EINTERNAL;
    }
    *out = s;
    return BK_OK;
}

void
sweeper_stop(struct sweeper *s)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->wake);
    mem_free(s);
}
