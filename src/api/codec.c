/* Request-body decoding. The structural scan runs before jansson parses, so a
 * hostile body is refused in linear time and bounded memory. */
#include "codec.h"

#include <string.h>

#include "../base/mem.h"
#include "../core/normalize.h"

/* One pass over the text: depth and element counts outside strings. */
static enum bk_err
scan(const char *s, size_t len, const struct codec_limits *lim, const char **errmsg)
{
    unsigned depth = 0, fields = 0;
    int in_str = 0, esc = 0;

    for (size_t i = 0; i < len; i++) {
        char ch = s[i];

        if (in_str) {
            if (esc)
                esc = 0;
            else if (ch == '\\')
                esc = 1;
            else if (ch == '"')
                in_str = 0;
            continue;
        }
        switch (ch) {
        case '"':
            in_str = 1;
            break;
        case '{':
        case '[':
            if (++depth > lim->max_depth) {
                *errmsg = "JSON nested too deeply";
                return BK_EINVAL;
            }
            fields++;
            break;
        case '}':
        case ']':
            if (depth > 0)
                depth--;
            break;
        case ',':
            fields++;
            break;
        default:
            break;
        }
        if (fields > lim->max_fields) {
            *errmsg = "too many JSON fields";
            return BK_ETOOBIG;
        }
    }
    return BK_OK;
}

enum bk_err
codec_json_decode(const char *body, size_t len, const struct codec_limits *lim, json_t **out,
                  const char **errmsg)
{
    json_error_t jerr;
    unsigned long failed;
    enum bk_err err;

    *out = NULL;
    *errmsg = NULL;
    if (!normalize_utf8_valid(body, len)) {
        *errmsg = "request body is not valid UTF-8";
        return BK_EINVAL;
    }
    err = scan(body, len, lim, errmsg);
    if (err != BK_OK)
        return err;
    failed = mem_failures();
    *out = json_loadb(body, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    if (*out != NULL && mem_failures() != failed) {
        /* jansson's lexer ignores a failed buffer growth and drops the byte:
         * a value parsed while an allocation failed cannot be trusted */
        json_decref(*out);
        *out = NULL;
        return BK_ENOMEM;
    }
    if (*out == NULL) {
        /* jansson reports some allocation failures as parse errors */
        if (mem_failures() != failed || json_error_code(&jerr) == json_error_out_of_memory) {
            *errmsg = NULL;
            return BK_ENOMEM;
        }
        *errmsg = json_error_code(&jerr) == json_error_duplicate_key ? "duplicate key in JSON"
                                                                     : "malformed JSON";
        return BK_EINVAL;
    }
    return BK_OK;
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

enum bk_err
codec_percent_decode(const char *in, size_t len, int plus_is_space, char *out, size_t *out_len)
{
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        char ch = in[i];

        if (ch == '%') {
            int hi, lo;

            if (i + 2 >= len)
                return BK_EINVAL;
            hi = hexval(in[i + 1]);
            lo = hexval(in[i + 2]);
            if (hi < 0 || lo < 0)
                return BK_EINVAL;
            ch = (char)(hi << 4 | lo);
            i += 2;
        } else if (ch == '+' && plus_is_space) {
            ch = ' ';
        }
        if (ch == '\0')
            return BK_EINVAL;
        out[o++] = ch;
    }
    out[o] = '\0';
    if (!normalize_utf8_valid(out, o))
        return BK_EINVAL;
    *out_len = o;
    return BK_OK;
}

enum bk_err
codec_form_decode(const char *body, size_t len, const struct codec_limits *lim, json_t **out,
                  const char **errmsg)
{
    json_t *obj = json_object();
    char *key = NULL, *val = NULL;
    unsigned fields = 0;
    size_t i = 0;
    enum bk_err err = BK_OK;

    *out = NULL;
    *errmsg = NULL;
    if (obj == NULL)
        return BK_ENOMEM;
    while (i < len && err == BK_OK) {
        size_t start = i, eq = (size_t)-1, klen, vlen;

        while (i < len && body[i] != '&') {
            if (body[i] == '=' && eq == (size_t)-1)
                eq = i;
            i++;
        }
        if (i > start) {
            size_t kend = eq == (size_t)-1 ? i : eq;
            size_t vstart = eq == (size_t)-1 ? i : eq + 1;

            if (++fields > lim->max_fields) {
                *errmsg = "too many form fields";
                err = BK_ETOOBIG;
                break;
            }
            key = mem_alloc(kend - start + 1);
            val = mem_alloc(i - vstart + 1);
            if (key == NULL || val == NULL) {
                err = BK_ENOMEM;
                break;
            }
            if (codec_percent_decode(body + start, kend - start, 1, key, &klen) != BK_OK ||
                codec_percent_decode(body + vstart, i - vstart, 1, val, &vlen) != BK_OK ||
                klen == 0) {
                *errmsg = "malformed form data";
                err = BK_EINVAL;
                break;
            }
            if (json_object_get(obj, key) != NULL) {
                *errmsg = "duplicate key in form data";
                err = BK_EINVAL;
                break;
            }
            if (json_object_set_new(obj, key, json_stringn(val, vlen)) != 0) {
                err = BK_ENOMEM;
                break;
            }
            mem_free(key);
            mem_free(val);
            key = val = NULL;
        }
        i++;
    }
    mem_free(key);
    mem_free(val);
    if (err != BK_OK) {
        json_decref(obj);
        return err;
    }
    *out = obj;
    return BK_OK;
}

enum bk_err
codec_json_encode(const json_t *v, char **out, size_t *out_len)
{
    unsigned long failed = mem_failures();
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

    if (s != NULL && mem_failures() != failed) {
        mem_free(s);    /* possibly built with bytes missing */
        s = NULL;
    }

    *out = s;
    *out_len = s ? strlen(s) : 0;
    return s ? BK_OK : BK_ENOMEM;
}

enum bk_err
codec_json_join(const struct slice *parts, size_t n, char **out, size_t *out_len)
{
    size_t len = 0, at = 0;
    char *s;

    *out = NULL;
    *out_len = 0;
    for (size_t i = 0; i < n; i++)
        len += parts[i].len;
    s = mem_alloc(len + 1);
    if (s == NULL)
        return BK_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        memcpy(s + at, parts[i].ptr, parts[i].len);
        at += parts[i].len;
    }
    s[len] = '\0';
    *out = s;
    *out_len = len;
    return BK_OK;
}
