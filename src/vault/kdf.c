/* Thin wrappers over OpenSSL's HMAC, HKDF, SHA-256 and RAND; every return
 * value is compared with the documented success value. */
#include "kdf.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <pthread.h>

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
kdf_hkdf(const uint8_t *salt, size_t salt_len, const uint8_t *ikm, size_t ikm_len,
         const void *info, size_t info_len, uint8_t *out, size_t out_len)
{
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
    enum bk_err err = BK_ECRYPTO;
    size_t n = out_len;

    if (pctx == NULL)
        return BK_ENOMEM;
    if (EVP_PKEY_derive_init(pctx) != 1 ||
        EVP_PKEY_CTX_set_hkdf_md(pctx, EVP_sha256()) != 1 ||
        EVP_PKEY_CTX_set1_hkdf_salt(pctx, salt, (int)salt_len) != 1 ||
        EVP_PKEY_CTX_set1_hkdf_key(pctx, ikm, (int)ikm_len) != 1 ||
        EVP_PKEY_CTX_add1_hkdf_info(pctx, info, (int)info_len) != 1 ||
        EVP_PKEY_derive(pctx, out, &n) != 1 || n != out_len)
        goto out;
    err = BK_OK;
out:
    EVP_PKEY_CTX_free(pctx);
    return err;
}

enum bk_err
kdf_sha256(const void *msg, size_t msg_len, uint8_t out[KDF_HASH_LEN])
{
    unsigned int n = 0;

    if (EVP_Digest(msg, msg_len, out, &n, EVP_sha256(), NULL) != 1 || n != KDF_HASH_LEN)
        return BK_ECRYPTO;
    return BK_OK;
}

enum bk_err
kdf_random(void *out, size_t n)
{
    return RAND_bytes(out, (int)n) == 1 ? BK_OK : BK_ECRYPTO;
}
