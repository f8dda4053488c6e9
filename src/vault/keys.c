/* Key derivation and wrapping. Every derived key is HKDF-SHA256 of the master
 * key with its own label, so no two uses share a key. */
#include "keys.h"

#include <stdio.h>
#include <string.h>

#include "../base/hex.h"
#include "../base/mem.h"
#include "kdf.h"
#include "secbuf.h"

static const char salt[] = "databunker-c v1";

static enum bk_err
derive(const uint8_t master[KEYS_LEN], const char *label, uint8_t out[KEYS_LEN])
{
    return kdf_hkdf((const uint8_t *)salt, sizeof salt - 1, master, KEYS_LEN, label,
                    strlen(label), out, KEYS_LEN);
}

enum bk_err
keys_from_bytes(const uint8_t *mk, size_t mk_len, struct vault *out)
{
    enum bk_err err;

    memset(out, 0, sizeof *out);
    if (mk_len < 16 || mk_len > 64)
        return BK_EINVAL;
    err = kdf_hkdf((const uint8_t *)salt, sizeof salt - 1, mk, mk_len, "master", 6,
                   out->master, KEYS_LEN);
    if (err == BK_OK)
        err = derive(out->master, "blind index", out->index_key);
    if (err == BK_OK)
        err = derive(out->master, "data key wrap", out->dek_wrap_key);
    if (err == BK_OK)
        err = derive(out->master, "access token hash", out->token_key);
    if (err == BK_OK)
        err = derive(out->master, "audit", out->audit_key);
    if (err != BK_OK)
        keys_wipe(out);
    return err;
}

enum bk_err
keys_from_hex(const char *hex, struct vault *out)
{
    uint8_t mk[KEYS_MASTER_HEX_MAX / 2];
    size_t n = 0, len = strlen(hex);
    enum bk_err err;

    memset(out, 0, sizeof *out);
    if (len != 48 && len != 64)
        return BK_EINVAL;
    err = hex_decode(hex, len, mk, sizeof mk, &n);
    if (err == BK_OK)
        err = keys_from_bytes(mk, n, out);
    secbuf_wipe(mk, sizeof mk);
    return err;
}

enum bk_err
keys_for_tenant(const struct vault *root, int64_t tenant, const uint8_t tsalt[KEYS_LEN],
                struct vault *out)
{
    char label[64];
    int n = snprintf(label, sizeof label, "tenant %lld master", (long long)tenant);
    enum bk_err err;

    memset(out, 0, sizeof *out);
    if (tenant <= 0 || n <= 0 || (size_t)n >= sizeof label)
        return BK_EINVAL;
    err = kdf_hkdf(tsalt, KEYS_LEN, root->master, KEYS_LEN, label, (size_t)n, out->master,
                   KEYS_LEN);
    if (err == BK_OK)
        err = derive(out->master, "blind index", out->index_key);
    if (err == BK_OK)
        err = derive(out->master, "data key wrap", out->dek_wrap_key);
    if (err == BK_OK)
        err = derive(out->master, "audit", out->audit_key);
    if (err == BK_OK)
        memcpy(out->token_key, root->token_key, KEYS_LEN);
    if (err != BK_OK)
        keys_wipe(out);
    return err;
}

void
keys_wipe(struct vault *v)
{
    secbuf_wipe(v, sizeof *v);
}

enum bk_err
keys_check_value(const struct vault *v, uint8_t out[KEYS_LEN])
{
    static const char label[] = "databunker key check";

    return kdf_hmac(v->master, KEYS_LEN, label, sizeof label - 1, out);
}

static enum bk_err
wrapping_key(const char *hex, uint8_t key[KEYS_LEN])
{
    size_t n = 0;

    if (strlen(hex) != 64 || hex_decode(hex, 64, key, KEYS_LEN, &n) != BK_OK)
        return BK_EINVAL;
    return BK_OK;
}

enum bk_err
keys_wrap_master(const char *wrapping_hex, const uint8_t *mk, size_t mk_len, uint8_t **box,
                 size_t *box_len)
{
    static const char ad[] = "databunker master key";
    uint8_t wk[KEYS_LEN];
    enum bk_err err;

    *box = NULL;
    *box_len = 0;
    err = wrapping_key(wrapping_hex, wk);
    if (err == BK_OK)
        err = aead_seal(wk, ad, sizeof ad - 1, mk, mk_len, box, box_len);
    secbuf_wipe(wk, sizeof wk);
    return err;
}

enum bk_err
keys_unwrap_master(const char *wrapping_hex, const uint8_t *box, size_t box_len,
                   uint8_t *mk_out, size_t mk_max, size_t *mk_len)
{
    static const char ad[] = "databunker master key";
    uint8_t wk[KEYS_LEN], *pt = NULL;
    size_t pt_len = 0;
    enum bk_err err;

    *mk_len = 0;
    err = wrapping_key(wrapping_hex, wk);
    if (err == BK_OK)
        err = aead_open(wk, ad, sizeof ad - 1, box, box_len, &pt, &pt_len);
    secbuf_wipe(wk, sizeof wk);
    if (err != BK_OK)
        return err;
    if (pt_len > mk_max) {
        secbuf_free(pt, pt_len + 1);
        return BK_ECORRUPT;
    }
    memcpy(mk_out, pt, pt_len);
    *mk_len = pt_len;
    secbuf_free(pt, pt_len + 1);
    return BK_OK;
}

enum bk_err
keys_dek_new(const struct vault *v, const void *place, size_t place_len, uint8_t dek[KEYS_LEN],
             uint8_t box[KEYS_DEK_BOX_LEN])
{
    enum bk_err err = kdf_random(dek, KEYS_LEN);

    if (err != BK_OK)
        return err;
    box[0] = AEAD_VERSION;
    err = kdf_random(box + 1, AEAD_NONCE_LEN);
    if (err == BK_OK)
        err = aead_gcm_encrypt(v->dek_wrap_key, box + 1, AEAD_NONCE_LEN, place, place_len, dek,
                               KEYS_LEN, box + 1 + AEAD_NONCE_LEN,
                               box + 1 + AEAD_NONCE_LEN + KEYS_LEN);
    if (err != BK_OK)
        secbuf_wipe(dek, KEYS_LEN);
    return err;
}

enum bk_err
keys_dek_open(const struct vault *v, const void *place, size_t place_len, const uint8_t *box,
              size_t box_len, uint8_t dek[KEYS_LEN])
{
    enum bk_err err;

    if (box == NULL || box_len != KEYS_DEK_BOX_LEN || box[0] != AEAD_VERSION)
        return BK_ECORRUPT;
    err = aead_gcm_decrypt(v->dek_wrap_key, box + 1, AEAD_NONCE_LEN, place, place_len,
                           box + 1 + AEAD_NONCE_LEN, KEYS_LEN,
                           box + 1 + AEAD_NONCE_LEN + KEYS_LEN, dek);
    if (err != BK_OK)
        secbuf_wipe(dek, KEYS_LEN);
    return err;
}

enum bk_err
keys_token_hash(const struct vault *v, const char *token, size_t token_len,
                uint8_t out[KEYS_LEN])
{
    return kdf_hmac(v->token_key, KEYS_LEN, token, token_len, out);
}

/* The text form of the 16 bytes <b>. */
static void
uuid_text(const uint8_t b[16], char out[37])
{
    char hex[33];

    hex_encode(b, 16, hex);
    memcpy(out, hex, 8);
    out[8] = '-';
    memcpy(out + 9, hex + 8, 4);
    out[13] = '-';
    memcpy(out + 14, hex + 12, 4);
    out[18] = '-';
    memcpy(out + 19, hex + 16, 4);
    out[23] = '-';
    memcpy(out + 24, hex + 20, 12);
    out[36] = '\0';
}

enum bk_err
keys_uuid(char out[37])
{
    uint8_t b[16];
    enum bk_err err = kdf_random(b, sizeof b);

    if (err != BK_OK)
        return err;
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    uuid_text(b, out);
    return BK_OK;
}

enum bk_err
keys_uuid7(int64_t unix_ms, char out[37])
{
    uint8_t b[16];
    enum bk_err err = kdf_random(b + 6, sizeof b - 6);

    if (err != BK_OK)
        return err;
    for (int i = 0; i < 6; i++)
        b[i] = (uint8_t)((uint64_t)unix_ms >> (40 - 8 * i));
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x70);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    uuid_text(b, out);
    return BK_OK;
}
