/* Shamir secret sharing over GF(2^8): each byte of a secret is the constant
 * term of its own random polynomial of degree <threshold> - 1, share i is the
 * polynomials' values at x = i, and any <threshold> shares give the secret
 * back by Lagrange interpolation at 0; fewer reveal nothing about it. Knows
 * nothing of keys or the store. Field arithmetic never branches on or indexes
 * a table by secret data.
 *
 * A share's text form (version 1), for people to copy and type:
 *     dbs1-<x>-<set>-<y>-<check>       e.g. dbs1-2-9f2c41aa-<64 hex>-0c41d9e2
 * <x> the share's point in decimal (1..255); <set> 8 hex digits, random and
 * the same in every share of one split (shares of two splits never mix);
 * <y> the share's bytes in hex (as long as the secret); <check> the first 4
 * bytes of SHA-256("dbs1" || x || set || y) in hex, so a mistyped or
 * truncated share is refused before it is used. Hex may be upper or lower
 * case; spaces and newlines around the text are ignored. */
#ifndef BK_SHAMIR_H
#define BK_SHAMIR_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"

#define SHAMIR_SECRET_MAX 64
#define SHAMIR_SHARES_MAX 255
#define SHAMIR_SET_LEN 4
#define SHAMIR_CHECK_LEN 4
/* "dbs1-" x "-" set "-" y "-" check and a NUL */
#define SHAMIR_TEXT_MAX \
    (5 + 3 + 1 + 2 * SHAMIR_SET_LEN + 1 + 2 * SHAMIR_SECRET_MAX + 1 + 2 * SHAMIR_CHECK_LEN + 1)

struct shamir_share {
    uint8_t x;                       /* 1..255: where the polynomials were evaluated */
    uint8_t set[SHAMIR_SET_LEN];     /* the split this share belongs to */
    size_t len;                      /* bytes in <y>: the secret's length */
    uint8_t y[SHAMIR_SECRET_MAX];
};

/* Split the <len> bytes (1..SHAMIR_SECRET_MAX) at <secret> into <n> shares
 * out[0..n-1] at x = 1..n, any <threshold> of which rebuild it
 * (2 <= threshold <= n <= 255). Coefficients come from the CSPRNG and are
 * wiped. BK_EINVAL for sizes out of range (<out> untouched), BK_ECRYPTO when
 * the CSPRNG fails (<out> wiped). */
enum bk_err shamir_split(const uint8_t *secret, size_t len, unsigned threshold, unsigned n,
                         struct shamir_share *out);

/* Rebuild a secret from the <k> (>= 2) shares at <s> into <out> (<out_max>
 * bytes), its length in *out_len. Refuses, with BK_EINVAL and a static reason
 * in *why (when <why> is not NULL): fewer than 2 shares, shares of different
 * lengths or of different splits, a share given twice, x = 0. Given fewer
 * shares than the split's threshold it returns a value unrelated to the
 * secret: the shares carry no threshold and no check of the secret, so the
 * caller checks the result against what it protects. */
enum bk_err shamir_combine(const struct shamir_share *s, size_t k, uint8_t *out, size_t out_max,
                           size_t *out_len, const char **why);

/* Write the text form of <s> (see above) and a NUL into <out>. BK_EINVAL for
 * a share that cannot be written (x = 0, len out of range). */
enum bk_err shamir_share_format(const struct shamir_share *s, char out[SHAMIR_TEXT_MAX]);

/* Read the text form of a share from the <len> bytes at <text>. BK_EINVAL
 * with a static reason in *why (when not NULL) for anything but a whole,
 * intact version-1 share: "not a share", an unsupported version, a malformed
 * field, a checksum mismatch. On error <out> is wiped. */
enum bk_err shamir_share_parse(const char *text, size_t len, struct shamir_share *out,
                               const char **why);

/* Wipe <n> shares at <s>. */
void shamir_share_wipe(struct shamir_share *s, size_t n);

/* The field's product, exported for the unit tests: a * b modulo
 * x^8 + x^4 + x^3 + x + 1, in time independent of both. */
uint8_t shamir_gf_mul(uint8_t a, uint8_t b);

#endif
