/* Thin wrappers over OpenSSL's HKDF, SHA-256 and RAND (HMAC: kdfmac.c); every return
 * value is compared with the documented success value. */
#include "kdf.h"

#include <pthread.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

/* EVP_sha256() and EVP_aes_256_gcm() make OpenSSL look the algorithm up
 * again on every use; they are fetched once instead and shared (fetched
 * algorithms are immutable and safe to share between threads). */
static EVP_MD *sha256_alg;
static EVP_CIPHER *gcm_alg;
static pthread_once_t algs_once = PTHREAD_ONCE_INIT;

static void
algs_fetch(void)
{
    sha256_alg = EVP_MD_fetch(NULL, "SHA256", NULL);
    gcm_alg = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
}

const EVP_MD *
kdf_sha256_md(void)
{
    pthread_once(&algs_once, algs_fetch);
    return sha256_alg;
}

const EVP_CIPHER *
kdf_aes256gcm(void)
{
    pthread_once(&algs_once, algs_fetch);
    return gcm_alg;
}

enum bk_err
kdf_sha256(const void *msg, size_t msg_len, uint8_t out[KDF_HASH_LEN])
{
    const EVP_MD *md = kdf_sha256_md();
    unsigned int n = 0;

    if (md == NULL || EVP_Digest(msg, msg_len, out, &n, md, NULL) != 1 || n != KDF_HASH_LEN)
        return BK_ECRYPTO;
    return BK_OK;
}

/* Each RAND_bytes() call reseeds-checks and rekeys the generator, which
 * costs as much as drawing 512 bytes; small draws (ids, nonces, keys) are
 * served from a per-thread block of its output instead, every byte handed
 * out once and wiped from the block as it goes. */
#define RANDOM_BLOCK 512
#define RANDOM_SMALL 64

struct random_block {
    uint8_t b[RANDOM_BLOCK];
    size_t used;                /* bytes already handed out (and wiped) */
};

static _Thread_local struct random_block rnd = { .used = RANDOM_BLOCK };

enum bk_err
kdf_random(void *out, size_t n)
{
    if (n > RANDOM_SMALL)
        return RAND_bytes(out, (int)n) == 1 ? BK_OK : BK_ECRYPTO;
    if (RANDOM_BLOCK - rnd.used < n) {
        if (RAND_bytes(rnd.b, RANDOM_BLOCK) != 1) {
            OPENSSL_cleanse(rnd.b, RANDOM_BLOCK);
            rnd.used = RANDOM_BLOCK;
            return BK_ECRYPTO;
        }
        rnd.used = 0;
    }
    memcpy(out, rnd.b + rnd.used, n);
    OPENSSL_cleanse(rnd.b + rnd.used, n);
    rnd.used += n;
    return BK_OK;
}
