/* Decoding client bytes into JSON values, with limits enforced before any
 * work: UTF-8 validity, nesting depth, field count, duplicate keys. Also
 * percent-decoding for paths, queries and forms. */
#ifndef BK_CODEC_H
#define BK_CODEC_H

#include <stddef.h>

#include <jansson.h>

#include "../base/err.h"
#include "../base/slice.h"

struct codec_limits {
    unsigned max_depth;     /* deepest nesting of arrays/objects */
    unsigned max_fields;    /* object members plus array elements, in all */
};

/* Decode <len> bytes of JSON into a new value in *out (json_decref()). Any
 * JSON value is accepted; callers check the type. BK_EINVAL with a static
 * message in *errmsg for malformed JSON, invalid UTF-8, NUL bytes, duplicate
 * keys; BK_ETOOBIG for depth or field count over the limits. */
enum bk_err codec_json_decode(const char *body, size_t len, const struct codec_limits *lim,
                              json_t **out, const char **errmsg);

/* Decode application/x-www-form-urlencoded into a new object of strings.
 * Same refusals as above; a repeated key is refused. */
enum bk_err codec_form_decode(const char *body, size_t len, const struct codec_limits *lim,
                              json_t **out, const char **errmsg);

/* Percent-decode <len> bytes of <in> into <out> (room for <len> + 1 bytes),
 * '+' as space when <plus_is_space>. Refuses bad escapes, NUL bytes and
 * invalid UTF-8 with BK_EINVAL. */
enum bk_err codec_percent_decode(const char *in, size_t len, int plus_is_space, char *out,
                                 size_t *out_len);

/* A new compact JSON text of <v> in *out (mem_free()). */
enum bk_err codec_json_encode(const json_t *v, char **out, size_t *out_len);

/* The media type of every JSON reply. */
#define CODEC_JSON_MEDIA "application/json; charset=utf-8"

/* A new text (mem_free(), NUL-terminated) of the <n> pieces <parts> one after
 * the other; the caller vouches that together they are JSON. */
enum bk_err codec_json_join(const struct slice *parts, size_t n, char **out, size_t *out_len);

#endif
