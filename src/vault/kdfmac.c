/* HMAC-SHA256 (kdf.h): one-shot, and prepared keys whose key schedule is
 * done once, so each message costs only its two hash passes. */
#include "kdf.h"

#include <pthread.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "../base/mem.h"

struct kdf_mac {
    EVP_MAC_CTX *ctx;
};

/* OpenSSL's one-shot HMAC() looks the algorithm up on every call, which
 * costs more than hashing a token; it is looked up once instead and shared
 * (an EVP_MAC is immutable and safe to share between threads). */
static EVP_MAC *hmac_alg;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

static void
hmac_fetch(void)
{
    hmac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

enum bk_err
kdf_hmac(const uint8_t *key, size_t key_len, const void *msg, size_t msg_len,
         uint8_t out[KDF_HASH_LEN])
{
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    EVP_MAC_CTX *ctx;
    size_t n = 0;
    int ok;

    pthread_once(&hmac_once, hmac_fetch);
    if (hmac_alg == NULL)
        return BK_ECRYPTO;
    ctx = EVP_MAC_CTX_new(hmac_alg);
    if (ctx == NULL)
        return BK_ENOMEM;
    ok = EVP_MAC_init(ctx, key, key_len, params) == 1 &&
         EVP_MAC_update(ctx, msg, msg_len) == 1 &&
         EVP_MAC_final(ctx, out, &n, KDF_HASH_LEN) == 1 && n == KDF_HASH_LEN;
    EVP_MAC_CTX_free(ctx);
    return ok ? BK_OK : BK_ECRYPTO;
}

enum bk_err
kdf_mac_new(const uint8_t *key, size_t key_len, struct kdf_mac **out)
{
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    struct kdf_mac *m;

    *out = NULL;
    m = mem_calloc(1, sizeof *m);
    if (m == NULL)
        return BK_ENOMEM;
    pthread_once(&hmac_once, hmac_fetch);
    if (hmac_alg != NULL)
        m->ctx = EVP_MAC_CTX_new(hmac_alg);
    if (m->ctx == NULL || EVP_MAC_init(m->ctx, key, key_len, params) != 1) {
        kdf_mac_free(m);
        return BK_ECRYPTO;
    }
    *out = m;
    return BK_OK;
}

enum bk_err
kdf_mac(struct kdf_mac *m, const void *msg, size_t msg_len, uint8_t out[KDF_HASH_LEN])
{
    size_t n = 0;

    /* a NULL key restarts with the key given to kdf_mac_new() */
    if (EVP_MAC_init(m->ctx, NULL, 0, NULL) != 1 || EVP_MAC_update(m->ctx, msg, msg_len) != 1 ||
        EVP_MAC_final(m->ctx, out, &n, KDF_HASH_LEN) != 1 || n != KDF_HASH_LEN)
        return BK_ECRYPTO;
    return BK_OK;
}

void
kdf_mac_free(struct kdf_mac *m)
{
    if (m == NULL)
        return;
    EVP_MAC_CTX_free(m->ctx);   /* OpenSSL cleanses the key state */
    mem_free(m);
}
