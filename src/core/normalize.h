/* Canonical forms of the indexed identities, so that "User@Gmail.com " and
 * "user@gmail.com" find the same record. Pure functions on bytes; no I/O. */
#ifndef BK_NORMALIZE_H
#define BK_NORMALIZE_H

#include <stddef.h>

#include "../base/err.h"

#define NORMALIZE_MAX 1024   /* longest identity accepted, in bytes, before and after */

enum index_kind {
    INDEX_EMAIL = 1,
    INDEX_PHONE = 2,
    INDEX_LOGIN = 3,
    INDEX_CUSTOM = 4,
};

/* Each writes the canonical form of <in> (<in_len> bytes) and a NUL into <out>
 * (at least NORMALIZE_MAX + 1 bytes) and its length into *out_len.
 * Refused with BK_EINVAL: empty after trimming, NUL or control bytes, invalid
 * UTF-8; with BK_ETOOBIG: longer than NORMALIZE_MAX.
 * - email: trimmed of ASCII white space, lower-cased (ASCII); must have one
 *   '@' with text on both sides and no white space inside.
 * - phone: the digits only, with a leading '+' dropped; at least 3 digits; any
 *   characters other than digits, white space and "+-().", refused. When
 *   <default_country> (digits, e.g. "1" or "44") is given and the number did
 *   not start with '+' or "00", a leading trunk '0' is dropped and the country
 *   code prefixed; a number starting with "00" has that prefix dropped.
 * - login, custom: trimmed of ASCII white space, otherwise kept as given. */
enum bk_err normalize_email(const char *in, size_t in_len, char *out, size_t *out_len);
enum bk_err normalize_phone(const char *in, size_t in_len, const char *default_country,
                            char *out, size_t *out_len);
enum bk_err normalize_login(const char *in, size_t in_len, char *out, size_t *out_len);

/* Dispatch on <kind>; custom uses the login rule. */
enum bk_err normalize_identity(enum index_kind kind, const char *in, size_t in_len,
                               const char *default_country, char *out, size_t *out_len);

/* 1 when <s> (<len> bytes) is well-formed UTF-8 without NUL bytes. */
int normalize_utf8_valid(const char *s, size_t len);

#endif
