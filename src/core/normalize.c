/* Canonical forms of email, phone and login identities. Works on bytes the
 * caller owns and writes into the caller's buffer; allocates nothing, never
 * logs (the input is personal data). */
#include "normalize.h"

#include <string.h>

static int
is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int
is_control(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

static int
is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Narrow <*s>/<*len> to the bytes between leading and trailing ASCII white space. */
static void
trim(const char **s, size_t *len)
{
    const unsigned char *p = (const unsigned char *)*s;
    size_t n = *len;

    while (n > 0 && is_space(p[0])) {
        p++;
        n--;
    }
    while (n > 0 && is_space(p[n - 1]))
        n--;
    *s = (const char *)p;
    *len = n;
}

/* The checks every identity shares, after trimming: not empty, no NUL or
 * control byte, well-formed UTF-8. */
static enum bk_err
check_text(const char *s, size_t len)
{
    if (len == 0)
        return BK_EINVAL;
    for (size_t i = 0; i < len; i++) {
        if (is_control((unsigned char)s[i]))
            return BK_EINVAL;
    }
    return normalize_utf8_valid(s, len) ? BK_OK : BK_EINVAL;
}

static enum bk_err
fail(enum bk_err err, char *out, size_t *out_len)
{
    out[0] = '\0';
    *out_len = 0;
    return err;
}

int
normalize_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < len) {
        unsigned char c = p[i];
        size_t need;
        unsigned char lo = 0x80, hi = 0xbf;   /* allowed range of the second byte */

        if (c == 0)
            return 0;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            if (c == 0xe0)
                lo = 0xa0;          /* overlong below U+0800 */
            else if (c == 0xed)
                hi = 0x9f;          /* UTF-16 surrogates U+D800..U+DFFF */
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            if (c == 0xf0)
                lo = 0x90;          /* overlong below U+10000 */
            else if (c == 0xf4)
                hi = 0x8f;          /* above U+10FFFF */
        } else {
            return 0;               /* continuation byte, C0/C1 overlong, F5..FF */
        }
        if (len - i - 1 < need)
            return 0;
        if (p[i + 1] < lo || p[i + 1] > hi)
            return 0;
        for (size_t k = 2; k <= need; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return 0;
        }
        i += need + 1;
    }
    return 1;
}

enum bk_err
normalize_email(const char *in, size_t in_len, char *out, size_t *out_len)
{
    size_t at = 0, ats = 0;
    enum bk_err err;

    if (in_len > NORMALIZE_MAX)
        return fail(BK_ETOOBIG, out, out_len);
    if (in == NULL)
        return fail(BK_EINVAL, out, out_len);
    trim(&in, &in_len);
    err = check_text(in, in_len);
    if (err != BK_OK)
        return fail(err, out, out_len);
    for (size_t i = 0; i < in_len; i++) {
        unsigned char c = (unsigned char)in[i];

        if (is_space(c))
            return fail(BK_EINVAL, out, out_len);
        if (c == '@') {
            at = i;
            ats++;
        }
        out[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    if (ats != 1 || at == 0 || at == in_len - 1)
        return fail(BK_EINVAL, out, out_len);
    out[in_len] = '\0';
    *out_len = in_len;
    return BK_OK;
}

enum bk_err
normalize_phone(const char *in, size_t in_len, const char *default_country, char *out,
                size_t *out_len)
{
    char digits[NORMALIZE_MAX];
    size_t nd = 0, skip = 0, cc_len = 0, o = 0;
    int plus = 0, prefix = 0;

    if (in_len > NORMALIZE_MAX)
        return fail(BK_ETOOBIG, out, out_len);
    if (in == NULL)
        return fail(BK_EINVAL, out, out_len);
    trim(&in, &in_len);
    if (in_len == 0)
        return fail(BK_EINVAL, out, out_len);
    for (size_t i = 0; i < in_len; i++) {
        unsigned char c = (unsigned char)in[i];

        if (is_digit(c)) {
            digits[nd++] = (char)c;
        } else if (c == '+' && i == 0) {
            plus = 1;
        } else if (c != ' ' && c != '-' && c != '(' && c != ')' && c != '.') {
            /* letters, control bytes, non-ASCII, and a '+' that is not first */
            return fail(BK_EINVAL, out, out_len);
        }
    }
    if (default_country != NULL) {
        cc_len = strlen(default_country);
        for (size_t i = 0; i < cc_len; i++) {
            if (!is_digit((unsigned char)default_country[i]))
                return fail(BK_EINVAL, out, out_len);
        }
    }
    if (!plus && nd >= 2 && digits[0] == '0' && digits[1] == '0') {
        skip = 2;                       /* international call prefix */
    } else if (!plus && cc_len > 0) {
        prefix = 1;
        if (nd >= 1 && digits[0] == '0')
            skip = 1;                   /* national trunk prefix */
    }
    if (nd - skip < 3)
        return fail(BK_EINVAL, out, out_len);
    if ((prefix ? cc_len : 0) + nd - skip > NORMALIZE_MAX)
        return fail(BK_ETOOBIG, out, out_len);
    if (prefix) {
        memcpy(out, default_country, cc_len);
        o = cc_len;
    }
    memcpy(out + o, digits + skip, nd - skip);
    o += nd - skip;
    out[o] = '\0';
    *out_len = o;
    return BK_OK;
}

enum bk_err
normalize_login(const char *in, size_t in_len, char *out, size_t *out_len)
{
    enum bk_err err;

    if (in_len > NORMALIZE_MAX)
        return fail(BK_ETOOBIG, out, out_len);
    if (in == NULL)
        return fail(BK_EINVAL, out, out_len);
    trim(&in, &in_len);
    err = check_text(in, in_len);
    if (err != BK_OK)
        return fail(err, out, out_len);
    memcpy(out, in, in_len);
    out[in_len] = '\0';
    *out_len = in_len;
    return BK_OK;
}

enum bk_err
normalize_identity(enum index_kind kind, const char *in, size_t in_len,
                   const char *default_country, char *out, size_t *out_len)
{
    switch (kind) {
    case INDEX_EMAIL:
        return normalize_email(in, in_len, out, out_len);
    case INDEX_PHONE:
        return normalize_phone(in, in_len, default_country, out, out_len);
    case INDEX_LOGIN:
    case INDEX_CUSTOM:
        return normalize_login(in, in_len, out, out_len);
    }
    return fail(BK_EINVAL, out, out_len);
}
