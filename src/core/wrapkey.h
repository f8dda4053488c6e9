/* The wrapping key's life: its Shamir shares (any 3 of 5) printed once when
 * a key is made (-init, rotation); rebuilt from 3 shares by
 * SystemGenerateWrappingKey and `databunker wrapping-key-recover`, and
 * checked against the vault's wrapped master key; and rotation, which
 * rewraps the master key under a new wrapping key in one transaction. Keys
 * and shares go to the caller's FILE or reply only, never to the log or the
 * audit trail. */
#ifndef BK_WRAPKEY_H
#define BK_WRAPKEY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../vault/shamir.h"
#include "ctx.h"

#define WRAPKEY_SHARES 5
#define WRAPKEY_THRESHOLD 3
#define WRAPKEY_HEX_LEN 64

struct wrapkey_shares {
    char text[WRAPKEY_SHARES][SHAMIR_TEXT_MAX];
};

/* A new random wrapping key: 64 hex digits and a NUL. */
enum bk_err wrapkey_new(char out[WRAPKEY_HEX_LEN + 1]);

/* The 5 shares (3 needed) of the wrapping key <wrapping_hex> (64 hex
 * digits; BK_EINVAL otherwise) as text. Wipe them with wrapkey_shares_wipe(). */
enum bk_err wrapkey_split(const char *wrapping_hex, struct wrapkey_shares *out);
void wrapkey_shares_wipe(struct wrapkey_shares *s);

/* Write the shares to <out> with what to do with them. */
void wrapkey_shares_print(FILE *out, const struct wrapkey_shares *s);

/* How a combination went: on failure a static reason and the 0-based index
 * of the share it concerns (-1 when it concerns the set); on success the
 * shares' numbers (x), which are not secret. */
struct wrapkey_report {
    const char *why;
    int index;
    uint8_t x[WRAPKEY_THRESHOLD];
};

/* Rebuild the wrapping key from the <n> share texts <texts> (lengths in
 * <lens>) into <out> (64 hex digits and a NUL). When <box> is not NULL the
 * key must open it (the vault's wrapped master key). BK_EINVAL with <rep>
 * saying why for a malformed, altered or repeated share, shares of different
 * sets, or a key that does not open <box> ("shares do not reconstruct this
 * vault's wrapping key"). <n> must be WRAPKEY_THRESHOLD. */
enum bk_err wrapkey_combine(const char *const *texts, const size_t *lens, size_t n,
                            const uint8_t *box, size_t box_len, char out[WRAPKEY_HEX_LEN + 1],
                            struct wrapkey_report *rep);

/* The vault's wrapped master key (a new buffer: mem_free() it); BK_ENOTFOUND
 * when the vault has none (its master key is given directly). */
enum bk_err wrapkey_box_get(struct store_conn *c, uint8_t **box, size_t *box_len);

/* SystemGenerateWrappingKey: the main tenant's root only (BK_EFORBID); the
 * three shares rebuilt and checked against the stored wrapped master key,
 * into <out>. BK_EINVAL with c->errmsg naming the key at fault; BK_ECONFLICT
 * when the vault has no wrapping key. Audited (which shares, the result),
 * never the key material. */
enum bk_err wrapkey_recover(struct ctx *c, const char *const texts[WRAPKEY_THRESHOLD],
                            const size_t lens[WRAPKEY_THRESHOLD],
                            char out[WRAPKEY_HEX_LEN + 1]);

/* What rotation starts from: the current wrapping key, or, for a vault whose
 * master key is given directly (no wrapped copy yet), that master key. */
struct wrapkey_rotation {
    const char *wrapping_hex;    /* DATABUNKER_WRAPPINGKEY, or NULL */
    const char *master_hex;      /* DATABUNKER_MASTERKEY, or NULL */
    const char *new_hex;         /* the new wrapping key, 64 hex digits */
};

/* In one write transaction: open the master key with the current key, prove
 * it against the vault's key check value, wrap it under <r->new_hex>, store
 * that and write an audit event "WrappingKeyRotate". BK_EAUTH (with *why) when
 * the given key does not open this vault, BK_EINVAL for a malformed key,
 * BK_ENOTFOUND when the vault is not initialized. */
enum bk_err wrapkey_rotate(struct app *app, const struct wrapkey_rotation *r, const char **why);

#endif
