/* RFC 6902 JSON Patch and RFC 6901 JSON Pointer. Works on a deep copy of the
 * document; values taken from the patch are copied too, so the patch and the
 * caller's document are never changed or shared. Growth is capped: nesting
 * depth and the number of values "copy" may add. */
#include "jsonpatch.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../base/mem.h"

enum op_kind { OP_ADD = 1, OP_REMOVE, OP_REPLACE, OP_MOVE, OP_COPY, OP_TEST };

static const struct {
    const char *name;
    enum op_kind kind;
    int needs_from;
    int needs_value;
} op_table[] = {
    { "add", OP_ADD, 0, 1 },         { "remove", OP_REMOVE, 0, 0 },
    { "replace", OP_REPLACE, 0, 1 }, { "move", OP_MOVE, 1, 0 },
    { "copy", OP_COPY, 1, 0 },       { "test", OP_TEST, 0, 1 },
};

/* A parsed pointer: <n> reference tokens, unescaped, each NUL-terminated
 * inside <mem> (they may also contain NULs, hence <len>). */
struct ptr {
    size_t n;
    char *mem;
    const char **tok;
    size_t *len;
};

static void
ptr_cleanup(struct ptr *p)
{
    mem_free(p->mem);
    mem_free(p->tok);
    mem_free(p->len);
    memset(p, 0, sizeof *p);
}

static enum bk_err
ptr_parse(const char *s, size_t slen, struct ptr *out, const char **why)
{
    size_t n = 0, t = 0;
    char *w;

    memset(out, 0, sizeof *out);
    if (slen > 0 && s[0] != '/') {
        *why = "a JSON pointer must be empty or start with '/'";
        return BK_EINVAL;
    }
    for (size_t i = 0; i < slen; i++)
        n += s[i] == '/';
    out->mem = mem_alloc(slen + 1);
    out->tok = mem_calloc(n ? n : 1, sizeof *out->tok);
    out->len = mem_calloc(n ? n : 1, sizeof *out->len);
    if (out->mem == NULL || out->tok == NULL || out->len == NULL) {
        ptr_cleanup(out);
        return BK_ENOMEM;
    }
    out->n = n;
    w = out->mem;
    for (size_t i = 0; i < slen;) {
        /* s[i] is '/': one token up to the next '/' */
        out->tok[t] = w;
        for (i++; i < slen && s[i] != '/'; i++) {
            if (s[i] != '~') {
                *w++ = s[i];
                continue;
            }
            if (i + 1 < slen && (s[i + 1] == '0' || s[i + 1] == '1')) {
                *w++ = s[i + 1] == '0' ? '~' : '/';
                i++;
                continue;
            }
            *why = "bad '~' escape in a JSON pointer (use ~0 or ~1)";
            ptr_cleanup(out);
            return BK_EINVAL;
        }
        out->len[t] = (size_t)(w - out->tok[t]);
        *w++ = '\0';
        t++;
    }
    return BK_OK;
}

/* An array index token: "0" or digits without a leading zero. */
static int
array_index(const char *t, size_t len, size_t *out)
{
    size_t v = 0;

    if (len == 0 || len > 18 || (t[0] == '0' && len > 1))
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (t[i] < '0' || t[i] > '9')
            return 0;
        v = v * 10 + (size_t)(t[i] - '0');
    }
    *out = v;
    return 1;
}

static int
is_dash(const struct ptr *p, size_t i)
{
    return p->len[i] == 1 && p->tok[i][0] == '-';
}

/* The value at the first <n> tokens of <p> under <root>; NULL when absent. */
static json_t *
ptr_walk(json_t *root, const struct ptr *p, size_t n)
{
    json_t *v = root;

    for (size_t i = 0; i < n && v != NULL; i++) {
        size_t idx;

        if (json_is_object(v))
            v = json_object_getn(v, p->tok[i], p->len[i]);
        else if (json_is_array(v) && array_index(p->tok[i], p->len[i], &idx))
            v = json_array_get(v, idx);
        else
            v = NULL;
    }
    return v;
}

/* Nesting depth of <v> (a scalar is 1), counting no further than <cap> + 1. */
static size_t
depth(const json_t *v, size_t cap)
{
    size_t best = 0;

    if (cap == 0)
        return 1;
    if (json_is_object(v)) {
        const char *k;
        json_t *x;

        json_object_foreach((json_t *)v, k, x) {
            size_t d = depth(x, cap - 1);
            if (d > best)
                best = d;
            if (best >= cap)
                break;
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;

        json_array_foreach(v, i, x) {
            size_t d = depth(x, cap - 1);
            if (d > best)
                best = d;
            if (best >= cap)
                break;
        }
    }
    return best + 1;
}

/* Values in <v> (itself included), counting no further than <cap> + 1. */
static size_t
nodes(const json_t *v, size_t cap)
{
    size_t n = 1;

    if (json_is_object(v)) {
        const char *k;
        json_t *x;

        json_object_foreach((json_t *)v, k, x) {
            if (n > cap)
                break;
            n += nodes(x, cap - n);
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;

        json_array_foreach(v, i, x) {
            if (n > cap)
                break;
            n += nodes(x, cap - n);
        }
    }
    return n;
}

int
jsonpatch_equal(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b)) {
        if (json_is_integer(a) && json_is_integer(b))
            return json_integer_value(a) == json_integer_value(b);
        return json_number_value(a) == json_number_value(b);
    }
    if (json_typeof(a) != json_typeof(b))
        return 0;
    switch (json_typeof(a)) {
    case JSON_STRING:
        return json_string_length(a) == json_string_length(b) &&
               memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
    case JSON_ARRAY:
        if (json_array_size(a) != json_array_size(b))
            return 0;
        for (size_t i = 0; i < json_array_size(a); i++) {
            if (!jsonpatch_equal(json_array_get(a, i), json_array_get(b, i)))
                return 0;
        }
        return 1;
    case JSON_OBJECT: {
        const char *k;
        size_t klen;
        json_t *x;

        if (json_object_size(a) != json_object_size(b))
            return 0;
        json_object_keylen_foreach((json_t *)a, k, klen, x) {
            const json_t *y = json_object_getn(b, k, klen);
            if (y == NULL || !jsonpatch_equal(x, y))
                return 0;
        }
        return 1;
    }
    default:
        return 1;   /* true, false, null */
    }
}

/* One operation, its members borrowed from the patch. */
struct op {
    const char *name;
    enum op_kind kind;
    struct ptr path;
    struct ptr from;
    const char *path_s, *from_s;
    size_t path_len, from_len;
    const json_t *value;
};

static void
op_cleanup(struct op *o)
{
    ptr_cleanup(&o->path);
    ptr_cleanup(&o->from);
}

static enum bk_err
op_parse(const json_t *j, struct op *o, const char **why)
{
    const json_t *name, *path, *from;
    size_t k;
    enum bk_err err;

    memset(o, 0, sizeof *o);
    if (!json_is_object(j)) {
        *why = "an operation must be a JSON object";
        return BK_EINVAL;
    }
    name = json_object_get(j, "op");
    if (!json_is_string(name)) {
        *why = "missing \"op\"";
        return BK_EINVAL;
    }
    for (k = 0; k < sizeof op_table / sizeof op_table[0]; k++) {
        if (strcmp(json_string_value(name), op_table[k].name) == 0 &&
            strlen(op_table[k].name) == json_string_length(name))
            break;
    }
    if (k == sizeof op_table / sizeof op_table[0]) {
        *why = "unknown \"op\" (use add, remove, replace, move, copy or test)";
        return BK_EINVAL;
    }
    o->name = op_table[k].name;
    o->kind = op_table[k].kind;
    path = json_object_get(j, "path");
    if (!json_is_string(path)) {
        *why = "missing \"path\"";
        return BK_EINVAL;
    }
    o->path_s = json_string_value(path);
    o->path_len = json_string_length(path);
    err = ptr_parse(o->path_s, o->path_len, &o->path, why);
    if (err != BK_OK)
        return err;
    if (op_table[k].needs_from) {
        from = json_object_get(j, "from");
        if (!json_is_string(from)) {
            *why = "missing \"from\"";
            return BK_EINVAL;
        }
        o->from_s = json_string_value(from);
        o->from_len = json_string_length(from);
        err = ptr_parse(o->from_s, o->from_len, &o->from, why);
        if (err != BK_OK)
            return err;
    }
    if (op_table[k].needs_value) {
        o->value = json_object_get(j, "value");   /* a JSON null is a value */
        if (o->value == NULL) {
            *why = "missing \"value\"";
            return BK_EINVAL;
        }
    }
    return BK_OK;
}

struct state {
    json_t *root;
    size_t copied;   /* values added by "copy" so far */
};

/* Put <value> (a reference this call takes over) at <p>. */
static enum bk_err
put(struct state *st, const struct ptr *p, json_t *value, const char **why)
{
    json_t *parent;
    size_t last, idx;

    if (p->n + depth(value, JSONPATCH_MAX_DEPTH) > JSONPATCH_MAX_DEPTH) {
        json_decref(value);
        *why = "the result would be nested too deeply";
        return BK_ETOOBIG;
    }
    if (p->n == 0) {
        json_decref(st->root);
        st->root = value;
        return BK_OK;
    }
    last = p->n - 1;
    parent = ptr_walk(st->root, p, last);
    if (json_is_object(parent))
        return json_object_setn_new(parent, p->tok[last], p->len[last], value) == 0 ? BK_OK
                                                                                      : BK_ENOMEM;
    if (json_is_array(parent)) {
        if (is_dash(p, last))
            return json_array_append_new(parent, value) == 0 ? BK_OK : BK_ENOMEM;
        if (!array_index(p->tok[last], p->len[last], &idx)) {
            *why = "bad array index";
        } else if (idx > json_array_size(parent)) {
            *why = "array index out of range";
        } else {
            return json_array_insert_new(parent, idx, value) == 0 ? BK_OK : BK_ENOMEM;
        }
    } else {
        *why = parent == NULL ? "the target's parent does not exist"
                              : "the target's parent is not an object or array";
    }
    json_decref(value);
    return BK_EINVAL;
}

/* Replace the existing value at <p> by <value> (a reference this call takes
 * over), in place: an object member keeps its position. */
static enum bk_err
put_replace(struct state *st, const struct ptr *p, json_t *value, const char **why)
{
    json_t *parent = p->n ? ptr_walk(st->root, p, p->n - 1) : NULL;
    size_t idx;

    if (!json_is_array(parent))
        return put(st, p, value, why);   /* the root, or an object member: set replaces */
    if (p->n + depth(value, JSONPATCH_MAX_DEPTH) > JSONPATCH_MAX_DEPTH) {
        json_decref(value);
        *why = "the result would be nested too deeply";
        return BK_ETOOBIG;
    }
    if (!array_index(p->tok[p->n - 1], p->len[p->n - 1], &idx)) {
        json_decref(value);
        return BK_EINTERNAL;   /* the caller found the target */
    }
    return json_array_set_new(parent, idx, value) == 0 ? BK_OK : BK_ENOMEM;
}

/* Take the value at <p> out of the document; *out is a new reference. */
static enum bk_err
take(struct state *st, const struct ptr *p, json_t **out, const char **why)
{
    json_t *parent, *v = NULL;
    size_t last, idx;

    *out = NULL;
    if (p->n == 0) {
        *why = "cannot remove the whole document";
        return BK_EINVAL;
    }
    last = p->n - 1;
    parent = ptr_walk(st->root, p, last);
    if (json_is_object(parent)) {
        v = json_object_getn(parent, p->tok[last], p->len[last]);
        if (v != NULL) {
            json_incref(v);
            json_object_deln(parent, p->tok[last], p->len[last]);
        }
    } else if (json_is_array(parent) && array_index(p->tok[last], p->len[last], &idx)) {
        v = json_array_get(parent, idx);
        if (v != NULL) {
            json_incref(v);
            json_array_remove(parent, idx);
        }
    }
    if (v == NULL) {
        *why = "the target does not exist";
        return BK_EINVAL;
    }
    *out = v;
    return BK_OK;
}

/* Is <a> a proper prefix of <b>, token by token? */
static int
ptr_proper_prefix(const struct ptr *a, const struct ptr *b)
{
    if (a->n >= b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        if (a->len[i] != b->len[i] || memcmp(a->tok[i], b->tok[i], a->len[i]) != 0)
            return 0;
    }
    return 1;
}

static enum bk_err
op_run(struct state *st, const struct op *o, const char **why)
{
    json_t *v = NULL;
    enum bk_err err;

    switch (o->kind) {
    case OP_ADD:
        v = json_deep_copy(o->value);
        return v ? put(st, &o->path, v, why) : BK_ENOMEM;
    case OP_REMOVE:
        err = take(st, &o->path, &v, why);
        json_decref(v);
        return err;
    case OP_REPLACE:
        if (ptr_walk(st->root, &o->path, o->path.n) == NULL) {
            *why = "the target does not exist";
            return BK_EINVAL;
        }
        v = json_deep_copy(o->value);
        return v ? put_replace(st, &o->path, v, why) : BK_ENOMEM;
    case OP_MOVE:
        if (ptr_walk(st->root, &o->from, o->from.n) == NULL) {
            *why = "\"from\" does not exist";
            return BK_EINVAL;
        }
        if (o->from_len == o->path_len && memcmp(o->from_s, o->path_s, o->path_len) == 0)
            return BK_OK;
        if (ptr_proper_prefix(&o->from, &o->path)) {
            *why = "cannot move a value into one of its children";
            return BK_EINVAL;
        }
        err = take(st, &o->from, &v, why);
        return err == BK_OK ? put(st, &o->path, v, why) : err;
    case OP_COPY:
        v = ptr_walk(st->root, &o->from, o->from.n);
        if (v == NULL) {
            *why = "\"from\" does not exist";
            return BK_EINVAL;
        }
        st->copied += nodes(v, JSONPATCH_MAX_COPY_NODES);
        if (st->copied > JSONPATCH_MAX_COPY_NODES) {
            *why = "copies would make the document too large";
            return BK_ETOOBIG;
        }
        v = json_deep_copy(v);
        return v ? put(st, &o->path, v, why) : BK_ENOMEM;
    case OP_TEST:
        v = ptr_walk(st->root, &o->path, o->path.n);
        if (v == NULL) {
            *why = "the target does not exist";
            return BK_EINVAL;
        }
        if (!jsonpatch_equal(v, o->value)) {
            *why = "values differ";
            return BK_EINVAL;
        }
        return BK_OK;
    }
    return BK_EINTERNAL;
}

static void
op_msg(char msg[JSONPATCH_MSG_MAX], size_t i, const char *name, const char *why)
{
    snprintf(msg, JSONPATCH_MSG_MAX, "patch[%zu] (%s) failed: %s", i, name ? name : "?", why);
}

static enum bk_err
patch_shape(const json_t *patch, char msg[JSONPATCH_MSG_MAX])
{
    if (!json_is_array(patch)) {
        snprintf(msg, JSONPATCH_MSG_MAX, "patch must be an array of operations");
        return BK_EINVAL;
    }
    if (json_array_size(patch) > JSONPATCH_MAX_OPS) {
        snprintf(msg, JSONPATCH_MSG_MAX, "patch has more than %d operations", JSONPATCH_MAX_OPS);
        return BK_ETOOBIG;
    }
    return BK_OK;
}

enum bk_err
jsonpatch_check(const json_t *patch, char msg[JSONPATCH_MSG_MAX])
{
    enum bk_err err;

    msg[0] = '\0';
    err = patch_shape(patch, msg);
    for (size_t i = 0; err == BK_OK && i < json_array_size(patch); i++) {
        struct op o;
        const char *why = "out of memory";

        err = op_parse(json_array_get(patch, i), &o, &why);
        if (err != BK_OK)
            op_msg(msg, i, o.name, why);
        op_cleanup(&o);
    }
    return err;
}

enum bk_err
jsonpatch_apply(const json_t *doc, const json_t *patch, json_t **out,
                char msg[JSONPATCH_MSG_MAX])
{
    struct state st = { NULL, 0 };
    enum bk_err err;

    *out = NULL;
    msg[0] = '\0';
    err = patch_shape(patch, msg);
    if (err != BK_OK)
        return err;
    st.root = json_deep_copy(doc);
    if (st.root == NULL)
        return BK_ENOMEM;
    for (size_t i = 0; err == BK_OK && i < json_array_size(patch); i++) {
        struct op o;
        const char *why = "out of memory";

        err = op_parse(json_array_get(patch, i), &o, &why);
        if (err == BK_OK)
            err = op_run(&st, &o, &why);
        if (err != BK_OK)
            op_msg(msg, i, o.name, why);
        op_cleanup(&o);
    }
    if (err != BK_OK) {
        json_decref(st.root);
        return err;
    }
    *out = st.root;
    return BK_OK;
}
