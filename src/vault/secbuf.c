/* Wiping and constant-time comparison, from OpenSSL. */
#include "secbuf.h"

#include <openssl/crypto.h>

#include "../base/mem.h"

void
secbuf_wipe(void *p, size_t n)
{
    if (p != NULL && n)
        OPENSSL_cleanse(p, n);
}

void
secbuf_free(void *p, size_t n)
{
    secbuf_wipe(p, n);
    mem_free(p);
}

int
secbuf_equal(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}
