/* HMAC-SHA256 (kdf.h, RFC 2104): one-shot, and prepared keys whose key
 * schedule is done once, so each message costs only its two hash passes;
 * and HKDF-SHA256 (RFC 5869) over them.
 *
 * A prepared key is two SHA-256 states: one that has absorbed the key xor
 * ipad, one the key xor opad. A message copies the first into the calling
 * thread's working state, hashes the message, copies the second, hashes the
 * inner digest. Copying a digest state reads it only, so threads share a
 * prepared key. This is the same function as OpenSSL's HMAC, at about a
 * third of the cost of its EVP_MAC interface (which duplicates, re-inits and
 * frees a whole MAC context per message). */
#include "kdf.h"

#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "../base/mem.h"

#define BLOCK 64   /* SHA-256's block: HMAC's key length after padding */

struct kdf_mac {
    EVP_MD_CTX *inner;   /* state after the key xor ipad */
    EVP_MD_CTX *outer;   /* state after the key xor opad */
};

/* Each thread's working state, made on its first MAC and freed when the
 * thread ends (or by kdf_hmac_forget() for the thread that calls it). */
static pthread_key_t work_key;
static int work_key_ok;
static pthread_once_t work_once = PTHREAD_ONCE_INIT;

static void
work_free(void *ctx)
{
    EVP_MD_CTX_free(ctx);
}

static void
work_key_make(void)
{
    work_key_ok = pthread_key_create(&work_key, work_free) == 0;
}

static EVP_MD_CTX *
work_ctx(void)
{
    EVP_MD_CTX *ctx;

    pthread_once(&work_once, work_key_make);
    if (!work_key_ok)
        return NULL;
    ctx = pthread_getspecific(work_key);
    if (ctx == NULL) {
        ctx = EVP_MD_CTX_new();
        if (ctx != NULL && pthread_setspecific(work_key, ctx) != 0) {
            EVP_MD_CTX_free(ctx);
            ctx = NULL;
        }
    }
    return ctx;
}

/* Key <m> (its two states allocated) with <key>. */
static enum bk_err
mac_key(struct kdf_mac *m, const uint8_t *key, size_t key_len)
{
    const EVP_MD *md = kdf_sha256_md();
    uint8_t k[BLOCK] = { 0 }, pad[BLOCK];
    enum bk_err err = BK_ECRYPTO;

    if (md == NULL)
        return BK_ECRYPTO;
    if (key_len > BLOCK) {
        if (kdf_sha256(key, key_len, k) != BK_OK)
            goto out;
    } else if (key_len > 0) {
        memcpy(k, key, key_len);
    }
    for (size_t i = 0; i < BLOCK; i++)
        pad[i] = k[i] ^ 0x36;
    if (EVP_DigestInit_ex(m->inner, md, NULL) != 1 || EVP_DigestUpdate(m->inner, pad, BLOCK) != 1)
        goto out;
    for (size_t i = 0; i < BLOCK; i++)
        pad[i] = k[i] ^ 0x5c;
    if (EVP_DigestInit_ex(m->outer, md, NULL) != 1 || EVP_DigestUpdate(m->outer, pad, BLOCK) != 1)
        goto out;
    err = BK_OK;
out:
    OPENSSL_cleanse(k, sizeof k);
    OPENSSL_cleanse(pad, sizeof pad);
    return err;
}

/* Allocate <m>'s states and key them; on failure <m> holds what must be
 * freed (mac_release()). */
static enum bk_err
mac_init(struct kdf_mac *m, const uint8_t *key, size_t key_len)
{
    m->inner = EVP_MD_CTX_new();
    m->outer = EVP_MD_CTX_new();
    if (m->inner == NULL || m->outer == NULL)
        return BK_ENOMEM;
    return mac_key(m, key, key_len);
}

static void
mac_release(struct kdf_mac *m)
{
    EVP_MD_CTX_free(m->inner);   /* OpenSSL cleanses the digest state */
    EVP_MD_CTX_free(m->outer);
    m->inner = m->outer = NULL;
}

static enum bk_err
mac_run(const struct kdf_mac *m, const void *msg, size_t msg_len, uint8_t out[KDF_HASH_LEN])
{
    EVP_MD_CTX *w = work_ctx();
    uint8_t h[KDF_HASH_LEN];
    unsigned int n = 0, n2 = 0;
    int ok;

    if (w == NULL)
        return BK_ENOMEM;
    ok = EVP_MD_CTX_copy_ex(w, m->inner) == 1 && EVP_DigestUpdate(w, msg, msg_len) == 1 &&
         EVP_DigestFinal_ex(w, h, &n) == 1 && n == KDF_HASH_LEN &&
         EVP_MD_CTX_copy_ex(w, m->outer) == 1 && EVP_DigestUpdate(w, h, sizeof h) == 1 &&
         EVP_DigestFinal_ex(w, out, &n2) == 1 && n2 == KDF_HASH_LEN;
    OPENSSL_cleanse(h, sizeof h);
    return ok ? BK_OK : BK_ECRYPTO;
}

/* The vault MACs with a handful of long-lived keys: each of the first
 * TEMPLATES keys seen is prepared once and kept, and kdf_hmac() with that
 * key runs from it. A template never changes once made, so it is used
 * outside the lock. Other keys are prepared per call. */
#define TEMPLATES 8

struct template {
    uint8_t key[BLOCK];
    size_t key_len;
    struct kdf_mac mac;
};

static struct template templates[TEMPLATES];
static size_t ntemplates;
static pthread_mutex_t templates_lock = PTHREAD_MUTEX_INITIALIZER;

/* The template of <key>, made now if there is room; NULL when there is none. */
static const struct kdf_mac *
template_of(const uint8_t *key, size_t key_len)
{
    const struct kdf_mac *m = NULL;
    size_t i;

    if (key_len > sizeof templates[0].key)
        return NULL;
    pthread_mutex_lock(&templates_lock);
    for (i = 0; i < ntemplates; i++) {
        if (templates[i].key_len == key_len && CRYPTO_memcmp(templates[i].key, key, key_len) == 0)
            break;
    }
    if (i == ntemplates && ntemplates < TEMPLATES) {
        if (mac_init(&templates[i].mac, key, key_len) == BK_OK) {
            memcpy(templates[i].key, key, key_len);
            templates[i].key_len = key_len;
            ntemplates++;
        } else {
            mac_release(&templates[i].mac);
        }
    }
    if (i < ntemplates)
        m = &templates[i].mac;
    pthread_mutex_unlock(&templates_lock);
    return m;
}

void
kdf_hmac_forget(void)
{
    EVP_MD_CTX *w;

    pthread_mutex_lock(&templates_lock);
    for (size_t i = 0; i < ntemplates; i++) {
        mac_release(&templates[i].mac);
        OPENSSL_cleanse(templates[i].key, sizeof templates[i].key);
        templates[i].key_len = 0;
    }
    ntemplates = 0;
    pthread_mutex_unlock(&templates_lock);
    if (work_key_ok && (w = pthread_getspecific(work_key)) != NULL) {
        pthread_setspecific(work_key, NULL);
        EVP_MD_CTX_free(w);
    }
}

enum bk_err
kdf_hmac(const uint8_t *key, size_t key_len, const void *msg, size_t msg_len,
         uint8_t out[KDF_HASH_LEN])
{
    const struct kdf_mac *t = template_of(key, key_len);
    struct kdf_mac m = { 0 };
    enum bk_err err;

    if (t != NULL)
        return mac_run(t, msg, msg_len, out);
    err = mac_init(&m, key, key_len);
    if (err == BK_OK)
        err = mac_run(&m, msg, msg_len, out);
    mac_release(&m);
    return err;
}

enum bk_err
kdf_mac_new(const uint8_t *key, size_t key_len, struct kdf_mac **out)
{
    struct kdf_mac *m;
    enum bk_err err;

    *out = NULL;
    m = mem_calloc(1, sizeof *m);
    if (m == NULL)
        return BK_ENOMEM;
    err = mac_init(m, key, key_len);
    if (err != BK_OK) {
        kdf_mac_free(m);
        return err;
    }
    *out = m;
    return BK_OK;
}

enum bk_err
kdf_mac(const struct kdf_mac *m, const void *msg, size_t msg_len, uint8_t out[KDF_HASH_LEN])
{
    return mac_run(m, msg, msg_len, out);
}

void
kdf_mac_free(struct kdf_mac *m)
{
    if (m == NULL)
        return;
    mac_release(m);
    mem_free(m);
}

/* RFC 5869: PRK = HMAC(salt, IKM); T(i) = HMAC(PRK, T(i-1) | info | i).
 * Its keys are one-off, so they are prepared here, never kept as templates. */
enum bk_err
kdf_hkdf(const uint8_t *salt, size_t salt_len, const uint8_t *ikm, size_t ikm_len,
         const void *info, size_t info_len, uint8_t *out, size_t out_len)
{
    struct kdf_mac m = { 0 };
    uint8_t prk[KDF_HASH_LEN], t[KDF_HASH_LEN] = { 0 };
    EVP_MD_CTX *w;
    size_t done = 0, t_len = 0;
    unsigned int n;
    enum bk_err err;

    if (out_len > 255 * KDF_HASH_LEN)
        return BK_EINVAL;
    err = mac_init(&m, salt, salt_len);
    if (err == BK_OK)
        err = mac_run(&m, ikm, ikm_len, prk);
    if (err == BK_OK)
        err = mac_key(&m, prk, sizeof prk);
    w = work_ctx();
    if (err == BK_OK && w == NULL)
        err = BK_ENOMEM;
    for (uint8_t i = 1; err == BK_OK && done < out_len; i++) {
        size_t take = out_len - done < KDF_HASH_LEN ? out_len - done : KDF_HASH_LEN;

        n = 0;
        if (EVP_MD_CTX_copy_ex(w, m.inner) != 1 || EVP_DigestUpdate(w, t, t_len) != 1 ||
            EVP_DigestUpdate(w, info, info_len) != 1 || EVP_DigestUpdate(w, &i, 1) != 1 ||
            EVP_DigestFinal_ex(w, t, &n) != 1 || n != KDF_HASH_LEN ||
            EVP_MD_CTX_copy_ex(w, m.outer) != 1 || EVP_DigestUpdate(w, t, sizeof t) != 1 ||
            EVP_DigestFinal_ex(w, t, &n) != 1 || n != KDF_HASH_LEN) {
            err = BK_ECRYPTO;
            break;
        }
        t_len = sizeof t;
        memcpy(out + done, t, take);
        done += take;
    }
    mac_release(&m);
    OPENSSL_cleanse(prk, sizeof prk);
    OPENSSL_cleanse(t, sizeof t);
    if (err != BK_OK && out_len > 0)
        OPENSSL_cleanse(out, out_len);
    return err;
}
