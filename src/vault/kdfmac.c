/* HMAC-SHA256 (kdf.h): one-shot, and prepared keys whose key schedule is
 * done once, so each message costs only its two hash passes. */
#include "kdf.h"

#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
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

/* Keying HMAC costs more than hashing a short message, and the vault MACs
 * with a handful of long-lived keys: each of the first TEMPLATES keys seen
 * is keyed once into a template, and a call copies the template instead of
 * keying again (copying from a template never changes it, so threads share
 * it). Other keys are keyed per call. */
#define TEMPLATES 8

struct template {
    uint8_t key[64];
    size_t key_len;
    EVP_MAC_CTX *ctx;
};

static struct template templates[TEMPLATES];
static size_t ntemplates;
static pthread_mutex_t templates_lock = PTHREAD_MUTEX_INITIALIZER;

static EVP_MAC_CTX *
keyed_new(const uint8_t *key, size_t key_len)
{
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    EVP_MAC_CTX *ctx;

    pthread_once(&hmac_once, hmac_fetch);
    if (hmac_alg == NULL)
        return NULL;
    ctx = EVP_MAC_CTX_new(hmac_alg);
    if (ctx != NULL && EVP_MAC_init(ctx, key, key_len, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

/* A context keyed with <key>, ready for its message: a copy of the key's
 * template when it has one (made now if there is room), else keyed anew. */
static EVP_MAC_CTX *
keyed_ctx(const uint8_t *key, size_t key_len)
{
    EVP_MAC_CTX *ctx = NULL;
    size_t i;

    if (key_len > sizeof templates[0].key)
        return keyed_new(key, key_len);
    pthread_mutex_lock(&templates_lock);
    for (i = 0; i < ntemplates; i++) {
        if (templates[i].key_len == key_len && CRYPTO_memcmp(templates[i].key, key, key_len) == 0)
            break;
    }
    if (i == ntemplates && ntemplates < TEMPLATES) {
        templates[i].ctx = keyed_new(key, key_len);
        if (templates[i].ctx != NULL) {
            memcpy(templates[i].key, key, key_len);
            templates[i].key_len = key_len;
            ntemplates++;
        }
    }
    if (i < ntemplates)
        ctx = EVP_MAC_CTX_dup(templates[i].ctx);
    pthread_mutex_unlock(&templates_lock);
    return i < ntemplates ? ctx : keyed_new(key, key_len);
}

void
kdf_hmac_forget(void)
{
    pthread_mutex_lock(&templates_lock);
    for (size_t i = 0; i < ntemplates; i++) {
        EVP_MAC_CTX_free(templates[i].ctx);
        OPENSSL_cleanse(templates[i].key, sizeof templates[i].key);
        templates[i].ctx = NULL;
        templates[i].key_len = 0;
    }
    ntemplates = 0;
    pthread_mutex_unlock(&templates_lock);
}

enum bk_err
kdf_hmac(const uint8_t *key, size_t key_len, const void *msg, size_t msg_len,
         uint8_t out[KDF_HASH_LEN])
{
    EVP_MAC_CTX *ctx = keyed_ctx(key, key_len);
    size_t n = 0;
    int ok;

    if (ctx == NULL)
        return BK_ECRYPTO;
    ok = EVP_MAC_update(ctx, msg, msg_len) == 1 &&
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
