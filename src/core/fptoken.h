/* Format-preserving token values (TokenCreate): a card number becomes another
 * card number of the same shape, an email address another address. Pure: the
 * random bytes come from a function the caller passes, so tests can drive it;
 * no store, no keys, no I/O. */
#ifndef BK_FPTOKEN_H
#define BK_FPTOKEN_H

#include <stddef.h>

#include "../base/err.h"
#include "normalize.h"

#define FPTOKEN_CARD_MIN 12         /* digits in a card number */
#define FPTOKEN_CARD_MAX 19
#define FPTOKEN_CARD_TEXT_MAX 64    /* a card number as written, separators included */
#define FPTOKEN_RECORD_MAX NORMALIZE_MAX
#define FPTOKEN_TOKEN_MAX FPTOKEN_CARD_TEXT_MAX   /* longest token value (cards; emails: 30) */
#define FPTOKEN_EMAIL_LOCAL 16      /* random characters before the '@' of an email token */
#define FPTOKEN_EMAIL_DOMAIN "token.invalid"   /* RFC 2606: never delivers anywhere */

enum fptoken_type {
    FPTOKEN_CREDITCARD = 1,
    FPTOKEN_EMAIL = 2,
};

/* Fill <out> with <n> random bytes; BK_OK or an error that stops the caller. */
typedef enum bk_err (*fptoken_rand_fn)(void *arg, void *out, size_t n);

/* The type named <s> (<len> bytes): "creditcard" or "email"; BK_EINVAL otherwise. */
enum bk_err fptoken_type_parse(const char *s, size_t len, enum fptoken_type *out);

/* "creditcard" or "email" (static). */
const char *fptoken_type_name(enum fptoken_type t);

/* 1 when the <n> decimal digits at <digits> pass the Luhn check, else 0
 * (also for n == 0 and for any byte that is not a digit). */
int fptoken_luhn_valid(const char *digits, size_t n);

/* The canonical form of record <in> (<len> bytes) of type <t>, into <out> (at
 * least FPTOKEN_RECORD_MAX + 1 bytes) with a NUL, its length in *out_len.
 * A card: only digits, spaces and dashes, at most FPTOKEN_CARD_TEXT_MAX bytes,
 * FPTOKEN_CARD_MIN..FPTOKEN_CARD_MAX digits passing the Luhn check; the
 * canonical form is the digits alone. An email: normalize_email()'s rules.
 * BK_EINVAL for anything else (out is then ""). */
enum bk_err fptoken_normalize(enum fptoken_type t, const char *in, size_t len, char *out,
                              size_t *out_len);

/* A token value for the record <in> (<len> bytes, which fptoken_normalize()
 * accepted) into <out> (at least FPTOKEN_TOKEN_MAX + 1 bytes), NUL-terminated.
 * A card token has the input's length and its spaces and dashes where the input
 * had them, digits where it had digits; it keeps the first digit (the major
 * industry identifier: 4 Visa, 5 Mastercard, 3 Amex, ...) and the last four
 * digits, draws the others at random except one, chosen so that the Luhn check
 * passes, and never equals the input. An email token is FPTOKEN_EMAIL_LOCAL
 * random characters of [a-z0-9], '@' and FPTOKEN_EMAIL_DOMAIN: nothing of the
 * address is kept. Errors: BK_EINVAL for a record fptoken_normalize() refuses,
 * or what <rnd> returned. */
enum bk_err fptoken_make(enum fptoken_type t, const char *in, size_t len, fptoken_rand_fn rnd,
                         void *rnd_arg, char *out, size_t *out_len);

#endif
