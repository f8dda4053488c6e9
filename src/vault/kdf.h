/* HMAC-SHA256 and HKDF-SHA256 (RFC 5869), and random bytes. */
#ifndef BK_KDF_H
#define BK_KDF_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "../base/err.h"

#define KDF_HASH_LEN 32

/* out = HMAC-SHA256(key, msg). The first few keys used are kept keyed for
 * the process (kdf_hmac_forget() drops them). */
enum bk_err kdf_hmac(const uint8_t *key, size_t key_len, const void *msg, size_t msg_len,
                     uint8_t out[KDF_HASH_LEN]);
/* Drop and wipe the keyed templates kdf_hmac() keeps. */
void kdf_hmac_forget(void);
/* One HMAC-SHA256 key prepared for many short messages: the key schedule is
 * done once, so each kdf_mac() costs only its two hash passes. A prepared
 * key is only read by kdf_mac(), so threads may share one. */
struct kdf_mac;

/* A new prepared key (kdf_mac_free()); BK_ENOMEM or BK_ECRYPTO. */
enum bk_err kdf_mac_new(const uint8_t *key, size_t key_len, struct kdf_mac **out);
/* out = HMAC-SHA256(key of <m>, msg). */
enum bk_err kdf_mac(const struct kdf_mac *m, const void *msg, size_t msg_len,
                    uint8_t out[KDF_HASH_LEN]);
void kdf_mac_free(struct kdf_mac *m);
/* out = HKDF-SHA256(salt, ikm, info) of <out_len> bytes (at most 255*32). */
enum bk_err kdf_hkdf(const uint8_t *salt, size_t salt_len, const uint8_t *ikm, size_t ikm_len,
                     const void *info, size_t info_len, uint8_t *out, size_t out_len);
/* out = SHA-256(msg). */
enum bk_err kdf_sha256(const void *msg, size_t msg_len, uint8_t out[KDF_HASH_LEN]);
/* Fill <out> with <n> bytes from the CSPRNG. */
enum bk_err kdf_random(void *out, size_t n);
/* SHA-256 and AES-256-GCM, looked up once for the process (NULL when this
 * OpenSSL lacks them); for EVP calls that take an algorithm. */
const EVP_MD *kdf_sha256_md(void);
const EVP_CIPHER *kdf_aes256gcm(void);

#endif
