/* Thin wrappers over OpenSSL's HMAC, HKDF, SHA-256 and RAND; every return
 * value is compared with the documented success value. */
#include "kdf.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "../base/mem.h"

enum bk_err
kdf_hmac(const uint8_t *key, size_t key_len, const void *msg, size_t msg_len,
         uint8_t out[KDF_HASH_LEN])
{
    unsigned int n = 0;

    if (HMAC(EVP_sha256(), key, (int)key_len, msg, msg_len, out, &n) == NULL ||
        n != KDF_HASH_LEN)
        return BK_ECRYPTO;
    return BK_OK;
}

struct kdf_mac {
    EVP_MAC_CTX *ctx;
};

enum bk_err
kdf_mac_new(const uint8_t *key, size_t key_len, struct kdf_mac **out)
{
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    EVP_MAC *mac;
    struct kdf_mac *m;

    *out = NULL;
    m = mem_calloc(1, sizeof *m);
    if (m == NULL)
        return BK_ENOMEM;
    mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (mac != NULL)
        m->ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);   /* the context holds its own reference */
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
