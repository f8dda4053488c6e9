/* Thin wrappers over OpenSSL's HKDF, SHA-256 and RAND (HMAC: kdfmac.c); every return
 * value is compared with the documented success value. */
#include "kdf.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

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
