/* Batched deletes of expired rows (purge.h). */
#include "purge.h"

#include "../base/log.h"

enum bk_err
purge_expired(struct ctx *c, purge_fn fn, const char *what)
{
    int64_t deleted = PURGE_BATCH, swept = 0;
    enum bk_err err = BK_OK;

    for (int i = 0; i < PURGE_BATCHES_MAX && deleted == PURGE_BATCH; i++) {
        err = store_begin(&c->db, 1);
        if (err != BK_OK)
            break;
        err = fn(&c->db, c->now, PURGE_BATCH, &deleted);
        err = store_end(&c->db, err);
        if (err != BK_OK)
            break;
        swept += deleted;
    }
    if (swept > 0)
        LOG_DEBUG(c->rid, "purge", "swept %lld expired %s", (long long)swept, what);
    return err == BK_ENOTIMPL ? BK_OK : err;
}
