/* The registry of backends, and row cleanup shared by all of them. */
#include "store.h"

#include <string.h>
#include <time.h>

#include "../base/mem.h"
#include "mysql.h"
#include "pgsql.h"
#include "sqlite.h"

static const struct store_ops *const backends[] = {
    &store_sqlite_ops, &store_pgsql_ops, &store_mysql_ops, NULL
};

enum bk_err
store_open(const char *name, const struct store_conf *conf, struct store *out)
{
    out->ops = NULL;
    out->cls = NULL;
    for (size_t i = 0; backends[i] != NULL; i++) {
        if (strcmp(backends[i]->name, name) == 0) {
            enum bk_err err = backends[i]->open(conf, &out->cls);
            if (err == BK_OK)
                out->ops = backends[i];
            return err;
        }
    }
    return BK_EINVAL;
}

void
store_close(struct store *s)
{
    if (s->ops != NULL)
        s->ops->close(s->cls);
    s->ops = NULL;
    s->cls = NULL;
}

void
store_user_row_cleanup(struct user_row *row)
{
    mem_free(row->dek);
    mem_free(row->body);
    row->dek = row->body = NULL;
    row->dek_len = row->body_len = 0;
}

void
store_audit_row_cleanup(struct audit_row *row)
{
    mem_free(row->sealed);
    row->sealed = NULL;
    row->sealed_len = 0;
}

void
store_backoff(int attempt)
{
    static _Thread_local uint32_t seed;
    struct timespec ts;
    long max_us = 500L << (attempt < 5 ? attempt : 5);

    if (seed == 0)
        seed = (uint32_t)(uintptr_t)&ts ^ (uint32_t)time(NULL);
    seed = seed * 1103515245u + 12345u;
    ts.tv_sec = 0;
    ts.tv_nsec = (long)(seed % (uint32_t)max_us) * 1000L;
    nanosleep(&ts, NULL);
}
