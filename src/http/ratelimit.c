/* In-memory token buckets. One mutex: the critical section is a few
 * arithmetic operations. */
#include "ratelimit.h"

#include <pthread.h>

#include "../base/mem.h"

#define SLOTS 4096   /* a power of two */

struct bucket {
    uint64_t key;
    double tokens;
    int64_t last_ms;
};

struct ratelimit {
    pthread_mutex_t lock;
    double per_ms;
    double burst;
    struct bucket slot[SLOTS];
};

enum bk_err
ratelimit_new(unsigned per_s, unsigned burst, struct ratelimit **out)
{
    struct ratelimit *rl;

    *out = NULL;
    if (per_s == 0)
        return BK_OK;
    rl = mem_calloc(1, sizeof *rl);
    if (rl == NULL)
        return BK_ENOMEM;
    pthread_mutex_init(&rl->lock, NULL);
    rl->per_ms = per_s / 1000.0;
    rl->burst = burst ? burst : 2.0 * per_s;
    *out = rl;
    return BK_OK;
}

void
ratelimit_free(struct ratelimit *rl)
{
    if (rl == NULL)
        return;
    pthread_mutex_destroy(&rl->lock);
    mem_free(rl);
}

/* FNV-1a, with 0 kept for "empty slot". */
static uint64_t
hash(const void *key, size_t len)
{
    const unsigned char *p = key;
    uint64_t h = 0xcbf29ce484222325ULL;

    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h ? h : 1;
}

int
ratelimit_allow(struct ratelimit *rl, const void *key, size_t key_len, int64_t now_ms)
{
    uint64_t h;
    struct bucket *b;
    int ok;

    if (rl == NULL)
        return 1;
    h = hash(key, key_len);
    pthread_mutex_lock(&rl->lock);
    b = &rl->slot[h & (SLOTS - 1)];
    if (b->key != h) {
        b->key = h;
        b->tokens = rl->burst;
        b->last_ms = now_ms;
    } else if (now_ms > b->last_ms) {
        b->tokens += (double)(now_ms - b->last_ms) * rl->per_ms;
        if (b->tokens > rl->burst)
            b->tokens = rl->burst;
        b->last_ms = now_ms;
    }
    ok = b->tokens >= 1.0;
    if (ok)
        b->tokens -= 1.0;
    pthread_mutex_unlock(&rl->lock);
    return ok;
}
