/* Keyed hash over tenant, kind and value. The fixed-width prefix keeps two
 * different (tenant, kind, value) triples from producing one message. */
#include "blindidx.h"

#include <string.h>

#include "../base/mem.h"
#include "kdf.h"
#include "secbuf.h"

enum bk_err
blindidx_compute(const struct vault *v, int64_t tenant, int kind, const char *value,
                 size_t value_len, uint8_t out[BLINDIDX_LEN])
{
    uint8_t stackbuf[512], *msg = stackbuf;
    size_t n = 9 + value_len;
    enum bk_err err;

    if (value_len > (size_t)1 << 20)
        return BK_ETOOBIG;
    if (n > sizeof stackbuf) {
        msg = mem_alloc(n);
        if (msg == NULL)
            return BK_ENOMEM;
    }
    for (int i = 0; i < 8; i++)
        msg[i] = (uint8_t)((uint64_t)tenant >> (56 - 8 * i));
    msg[8] = (uint8_t)kind;
    memcpy(msg + 9, value, value_len);
    err = kdf_hmac(v->index_key, KEYS_LEN, msg, n, out);
    secbuf_wipe(msg, n);
    if (msg != stackbuf)
        mem_free(msg);
    return err;
}
