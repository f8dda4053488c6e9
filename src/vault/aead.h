/* AES-256-GCM sealed boxes: version byte, 96-bit random nonce, ciphertext,
 * 128-bit tag. The associated data binds a box to its place; opening with
 * other associated data, or a changed byte, fails with BK_ECORRUPT. */
#ifndef BK_AEAD_H
#define BK_AEAD_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"

#define AEAD_KEY_LEN 32
#define AEAD_NONCE_LEN 12
#define AEAD_TAG_LEN 16
#define AEAD_VERSION 1
#define AEAD_OVERHEAD (1 + AEAD_NONCE_LEN + AEAD_TAG_LEN)

/* Seal <pt> under <key> and <ad> with a fresh random nonce into a new buffer
 * of pt_len + AEAD_OVERHEAD bytes in *out (mem_free() it). */
enum bk_err aead_seal(const uint8_t key[AEAD_KEY_LEN], const void *ad, size_t ad_len,
                      const void *pt, size_t pt_len, uint8_t **out, size_t *out_len);
/* Open a sealed box into a new buffer in *out, NUL-terminated for
 * convenience (the caller wipes and frees it with secbuf_free(*out, *out_len + 1)).
 * BK_ECORRUPT for a short, altered or misplaced box. */
enum bk_err aead_open(const uint8_t key[AEAD_KEY_LEN], const void *ad, size_t ad_len,
                      const uint8_t *box, size_t box_len, uint8_t **out, size_t *out_len);

/* The primitive with a caller-chosen nonce, for known-answer tests and for
 * seal: <ct> receives pt_len bytes and <tag> 16. */
enum bk_err aead_gcm_encrypt(const uint8_t key[AEAD_KEY_LEN], const uint8_t *nonce,
                             size_t nonce_len, const void *ad, size_t ad_len, const void *pt,
                             size_t pt_len, uint8_t *ct, uint8_t tag[AEAD_TAG_LEN]);
/* BK_ECORRUPT when the tag does not verify; <pt> then holds nothing usable. */
enum bk_err aead_gcm_decrypt(const uint8_t key[AEAD_KEY_LEN], const uint8_t *nonce,
                             size_t nonce_len, const void *ad, size_t ad_len, const uint8_t *ct,
                             size_t ct_len, const uint8_t tag[AEAD_TAG_LEN], uint8_t *pt);

#endif
