/* The key hierarchy: a wrapping key (or the master key given directly)
 * yields the master key; from it HKDF derives the index, wrap and token keys.
 * Each user has a random data key stored only wrapped. Holds no store or
 * request knowledge: callers pass the bytes that bind a box to its place. */
#ifndef BK_KEYS_H
#define BK_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "aead.h"

#define KEYS_LEN 32
#define KEYS_DEK_BOX_LEN (KEYS_LEN + AEAD_OVERHEAD)
#define KEYS_MASTER_HEX_MAX 64

struct vault {
    uint8_t master[KEYS_LEN];
    uint8_t index_key[KEYS_LEN];   /* blind indexes */
    uint8_t dek_wrap_key[KEYS_LEN];/* per-user data keys */
    uint8_t token_key[KEYS_LEN];   /* hashing access tokens */
    uint8_t audit_key[KEYS_LEN];   /* audit metadata and chain */
};

/* Derive the vault from key material given as hex (48 or 64 digits, as the
 * docs generate them). BK_EINVAL for any other form. */
enum bk_err keys_from_hex(const char *hex, struct vault *out);
/* Derive the vault from raw master bytes (16 to 64). */
enum bk_err keys_from_bytes(const uint8_t *mk, size_t mk_len, struct vault *out);
/* The keys of tenant <tenant> (1..): each derived (HKDF) from the master key
 * with the tenant's random <salt> and its id, so tenants share no index,
 * data-key or audit key, and deleting the salt destroys them. The token key
 * stays the root one (tokens are looked up before the tenant is known). */
enum bk_err keys_for_tenant(const struct vault *root, int64_t tenant, const uint8_t salt[KEYS_LEN],
                            struct vault *out);
/* Wipe every key in <v>. */
void keys_wipe(struct vault *v);

/* A 32-byte value that proves at start-up that the key is the one the
 * database was initialized with, without revealing it. */
enum bk_err keys_check_value(const struct vault *v, uint8_t out[KEYS_LEN]);

/* Seal raw master bytes under a 32-byte wrapping key (given as 64 hex digits)
 * into a new box (mem_free() it); and open such a box. */
enum bk_err keys_wrap_master(const char *wrapping_hex, const uint8_t *mk, size_t mk_len,
                             uint8_t **box, size_t *box_len);
enum bk_err keys_unwrap_master(const char *wrapping_hex, const uint8_t *box, size_t box_len,
                               uint8_t *mk_out, size_t mk_max, size_t *mk_len);

/* A fresh random data key in <dek> and its wrapped form in <box>, bound to
 * <place> (e.g. tenant and user token). */
enum bk_err keys_dek_new(const struct vault *v, const void *place, size_t place_len,
                         uint8_t dek[KEYS_LEN], uint8_t box[KEYS_DEK_BOX_LEN]);
/* Unwrap a data key; BK_ECORRUPT when <box> is not for <place> or altered. */
enum bk_err keys_dek_open(const struct vault *v, const void *place, size_t place_len,
                          const uint8_t *box, size_t box_len, uint8_t dek[KEYS_LEN]);

/* out = keyed hash of an access token, for storage and lookup. */
enum bk_err keys_token_hash(const struct vault *v, const char *token, size_t token_len,
                            uint8_t out[KEYS_LEN]);

/* A random version-4 UUID, 36 characters and a NUL. */
enum bk_err keys_uuid(char out[37]);
/* A version 7 UUID (RFC 9562): the milliseconds since 1970 <unix_ms> in its
 * first 48 bits, then random bits; such ids sort in the order they were made,
 * so an index of them grows at its end. */
enum bk_err keys_uuid7(int64_t unix_ms, char out[37]);

#endif
