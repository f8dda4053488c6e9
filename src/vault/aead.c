/* AES-256-GCM through OpenSSL's EVP interface. Knows nothing of records or
 * users: callers choose the key and the associated data. */
#include "aead.h"

#include <limits.h>
#include <string.h>

#include <openssl/evp.h>

#include "../base/mem.h"
#include "kdf.h"
#include "secbuf.h"

enum bk_err
aead_gcm_encrypt(const uint8_t key[AEAD_KEY_LEN], const uint8_t *nonce, size_t nonce_len,
                 const void *ad, size_t ad_len, const void *pt, size_t pt_len, uint8_t *ct,
                 uint8_t tag[AEAD_TAG_LEN])
{
    EVP_CIPHER_CTX *c;
    enum bk_err err = BK_ECRYPTO;
    int n = 0;

    if (pt_len > INT_MAX || ad_len > INT_MAX || nonce_len == 0 || nonce_len > 64)
        return BK_ETOOBIG;
    c = EVP_CIPHER_CTX_new();
    if (c == NULL)
        return BK_ENOMEM;
    if (EVP_EncryptInit_ex(c, kdf_aes256gcm(), NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, (int)nonce_len, NULL) != 1 ||
        EVP_EncryptInit_ex(c, NULL, NULL, key, nonce) != 1)
        goto out;
    if (ad_len && EVP_EncryptUpdate(c, NULL, &n, ad, (int)ad_len) != 1)
        goto out;
    if (pt_len && EVP_EncryptUpdate(c, ct, &n, pt, (int)pt_len) != 1)
        goto out;
    if (EVP_EncryptFinal_ex(c, ct + (pt_len ? n : 0), &n) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, AEAD_TAG_LEN, tag) != 1)
        goto out;
    err = BK_OK;
out:
    EVP_CIPHER_CTX_free(c);
    return err;
}

enum bk_err
aead_gcm_decrypt(const uint8_t key[AEAD_KEY_LEN], const uint8_t *nonce, size_t nonce_len,
                 const void *ad, size_t ad_len, const uint8_t *ct, size_t ct_len,
                 const uint8_t tag[AEAD_TAG_LEN], uint8_t *pt)
{
    EVP_CIPHER_CTX *c;
    enum bk_err err = BK_ECRYPTO;
    int n = 0, fin;
    uint8_t tagcopy[AEAD_TAG_LEN];

    if (ct_len > INT_MAX || ad_len > INT_MAX || nonce_len == 0 || nonce_len > 64)
        return BK_ETOOBIG;
    memcpy(tagcopy, tag, AEAD_TAG_LEN);
    c = EVP_CIPHER_CTX_new();
    if (c == NULL)
        return BK_ENOMEM;
    if (EVP_DecryptInit_ex(c, kdf_aes256gcm(), NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, (int)nonce_len, NULL) != 1 ||
        EVP_DecryptInit_ex(c, NULL, NULL, key, nonce) != 1)
        goto out;
    if (ad_len && EVP_DecryptUpdate(c, NULL, &n, ad, (int)ad_len) != 1)
        goto out;
    if (ct_len && EVP_DecryptUpdate(c, pt, &n, ct, (int)ct_len) != 1)
        goto out;
    if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, AEAD_TAG_LEN, tagcopy) != 1)
        goto out;
    fin = EVP_DecryptFinal_ex(c, pt + (ct_len ? n : 0), &n);
    err = fin == 1 ? BK_OK : BK_ECORRUPT;
out:
    EVP_CIPHER_CTX_free(c);
    return err;
}

enum bk_err
aead_seal(const uint8_t key[AEAD_KEY_LEN], const void *ad, size_t ad_len, const void *pt,
          size_t pt_len, uint8_t **out, size_t *out_len)
{
    uint8_t *box;
    enum bk_err err;

    *out = NULL;
    *out_len = 0;
    if (pt_len > (size_t)INT_MAX - AEAD_OVERHEAD)
        return BK_ETOOBIG;
    box = mem_alloc(pt_len + AEAD_OVERHEAD);
    if (box == NULL)
        return BK_ENOMEM;
    box[0] = AEAD_VERSION;
    err = kdf_random(box + 1, AEAD_NONCE_LEN);
    if (err == BK_OK)
        err = aead_gcm_encrypt(key, box + 1, AEAD_NONCE_LEN, ad, ad_len, pt, pt_len,
                               box + 1 + AEAD_NONCE_LEN,
                               box + 1 + AEAD_NONCE_LEN + pt_len);
    if (err != BK_OK) {
        mem_free(box);
        return err;
    }
    *out = box;
    *out_len = pt_len + AEAD_OVERHEAD;
    return BK_OK;
}

enum bk_err
aead_open(const uint8_t key[AEAD_KEY_LEN], const void *ad, size_t ad_len, const uint8_t *box,
          size_t box_len, uint8_t **out, size_t *out_len)
{
    size_t pt_len;
    uint8_t *pt;
    enum bk_err err;

    *out = NULL;
    *out_len = 0;
    if (box == NULL || box_len < AEAD_OVERHEAD || box[0] != AEAD_VERSION)
        return BK_ECORRUPT;
    pt_len = box_len - AEAD_OVERHEAD;
    pt = mem_alloc(pt_len + 1);
    if (pt == NULL)
        return BK_ENOMEM;
    err = aead_gcm_decrypt(key, box + 1, AEAD_NONCE_LEN, ad, ad_len, box + 1 + AEAD_NONCE_LEN,
                           pt_len, box + 1 + AEAD_NONCE_LEN + pt_len, pt);
    if (err != BK_OK) {
        secbuf_free(pt, pt_len + 1);
        return err;
    }
    pt[pt_len] = '\0';
    *out = pt;
    *out_len = pt_len;
    return BK_OK;
}
