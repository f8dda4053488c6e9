/* Sealing and opening the JSON documents kept for a user: the profile, and
 * the personal parts of audit events. Binds each box to its place through the
 * associated data, so a row copied elsewhere fails to open. */
#ifndef BK_RECORD_H
#define BK_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ctx.h"

/* The user's data key from its wrapped form in <row>; BK_ENOTFOUND when the
 * key was shredded, BK_ECORRUPT when it does not open. Wipe <dek> after use. */
enum bk_err record_dek(struct ctx *c, const struct user_row *row, uint8_t dek[KEYS_LEN]);

/* A fresh data key for a new user with token <token>, and its wrapped form
 * (KEYS_DEK_BOX_LEN bytes, a new buffer to mem_free()). */
enum bk_err record_dek_new(struct ctx *c, const char *token, uint8_t dek[KEYS_LEN],
                           uint8_t **box_out);

/* Seal <doc> under <dek> for the place named by <kind>, <id> and <version>;
 * *box_out is a new buffer (mem_free()). */
enum bk_err record_seal(struct ctx *c, const uint8_t dek[KEYS_LEN], const char *kind,
                        const char *id, int64_t version, const json_t *doc, uint8_t **box_out,
                        size_t *box_len);
/* Open what record_seal made, as the sealed text itself: *text_out is a new
 * NUL-terminated buffer of *len_out bytes holding plaintext (wipe and free it
 * with secbuf_free(text, len + 1)). Authentic means it is what record_seal
 * wrote, compact JSON from jansson; it is not parsed again here. */
enum bk_err record_open_text(struct ctx *c, const uint8_t dek[KEYS_LEN], const char *kind,
                             const char *id, int64_t version, const uint8_t *box,
                             size_t box_len, char **text_out, size_t *len_out);
/* Open what record_seal made into a new JSON value (*out, json_decref()). */
enum bk_err record_open(struct ctx *c, const uint8_t dek[KEYS_LEN], const char *kind,
                        const char *id, int64_t version, const uint8_t *box, size_t box_len,
                        json_t **out);

#endif
