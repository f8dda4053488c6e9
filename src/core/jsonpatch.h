/* RFC 6902 JSON Patch over jansson values, with RFC 6901 JSON Pointers.
 * Pure logic: no store, no keys, no HTTP. A patch is applied to a copy, so a
 * patch that fails at any operation (a failed "test" included) leaves the
 * document as it was. */
#ifndef BK_JSONPATCH_H
#define BK_JSONPATCH_H

#include <jansson.h>

#include "../base/err.h"

#define JSONPATCH_MAX_OPS 1000          /* operations in one patch */
#define JSONPATCH_MAX_DEPTH 128         /* nesting a patch may create */
#define JSONPATCH_MAX_COPY_NODES 100000 /* values "copy" may add, summed over a patch */
#define JSONPATCH_MSG_MAX 160

/* Apply <patch> (borrowed; a JSON array of operation objects) to <doc>
 * (borrowed, never changed). On success *out is a new reference to the
 * patched document. On failure *out is NULL and <msg> says which operation
 * failed and why, e.g. "patch operation 2 (test) failed: values differ":
 * BK_EINVAL for a malformed patch or an operation that cannot apply,
 * BK_ETOOBIG for more than JSONPATCH_MAX_OPS operations or a result nested
 * deeper than JSONPATCH_MAX_DEPTH or copies adding more than
 * JSONPATCH_MAX_COPY_NODES values, BK_ENOMEM. */
enum bk_err jsonpatch_apply(const json_t *doc, const json_t *patch, json_t **out,
                            char msg[JSONPATCH_MSG_MAX]);

/* Check that <patch> is well-formed (an array of at most JSONPATCH_MAX_OPS
 * objects, each with a known "op", a valid "path", "from" and "value" where
 * the operation needs them) without applying it. Same errors and <msg> as
 * jsonpatch_apply(). */
enum bk_err jsonpatch_check(const json_t *patch, char msg[JSONPATCH_MSG_MAX]);

/* RFC 6902 equality, as "test" uses it: numbers compare by value (1 equals
 * 1.0), strings byte for byte, arrays in order, objects by their members. */
int jsonpatch_equal(const json_t *a, const json_t *b);

#endif
