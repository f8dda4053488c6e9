/* Profile and audit-detail encryption under per-user data keys. */
#include "record.h"

#include <stdio.h>
#include <string.h>

#include "../base/mem.h"
#include "../vault/aead.h"
#include "../vault/secbuf.h"

/* Room for kind, tenant, an id such as "<token>/<64-char app name>" and a
 * version, so that no place is ever cut short. */
#define RECORD_PLACE_MAX 256

static size_t
place(char *out, size_t n, int64_t tenant, const char *kind, const char *id, int64_t version)
{
    int w = snprintf(out, n, "%s:%lld:%s:%lld", kind, (long long)tenant, id, (long long)version);

    return w < 0 ? 0 : (size_t)w < n ? (size_t)w : n - 1;
}

enum bk_err
record_dek(struct ctx *c, const struct user_row *row, uint8_t dek[KEYS_LEN])
{
    char p[RECORD_PLACE_MAX];
    size_t n = place(p, sizeof p, row->tenant, "dek", row->token, 0);

    if (row->dek == NULL)
        return BK_ENOTFOUND;
    return keys_dek_open(ctx_vault(c), p, n, row->dek, row->dek_len, dek);
}

enum bk_err
record_dek_new(struct ctx *c, const char *token, uint8_t dek[KEYS_LEN], uint8_t **box_out)
{
    char p[RECORD_PLACE_MAX];
    size_t n = place(p, sizeof p, c->tenant, "dek", token, 0);
    uint8_t *box = mem_alloc(KEYS_DEK_BOX_LEN);
    enum bk_err err;

    *box_out = NULL;
    if (box == NULL)
        return BK_ENOMEM;
    err = keys_dek_new(ctx_vault(c), p, n, dek, box);
    if (err != BK_OK) {
        mem_free(box);
        return err;
    }
    *box_out = box;
    return BK_OK;
}

enum bk_err
record_seal(struct ctx *c, const uint8_t dek[KEYS_LEN], const char *kind, const char *id,
            int64_t version, const json_t *doc, uint8_t **box_out, size_t *box_len)
{
    char p[RECORD_PLACE_MAX];
    size_t n = place(p, sizeof p, c->tenant, kind, id, version);
    size_t len;
    char *text;
    unsigned long failed;
    enum bk_err err;

    *box_out = NULL;
    *box_len = 0;
    failed = mem_failures();
    text = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY);
    if (text != NULL && mem_failures() != failed) {
        /* never seal a text jansson built while an allocation failed */
        secbuf_wipe(text, strlen(text));
        mem_free(text);
        text = NULL;
    }
    if (text == NULL)
        return BK_ENOMEM;
    len = strlen(text);
    err = aead_seal(dek, p, n, text, len, box_out, box_len);
    secbuf_wipe(text, len);
    mem_free(text);
    return err;
}

enum bk_err
record_open_text(struct ctx *c, const uint8_t dek[KEYS_LEN], const char *kind, const char *id,
                 int64_t version, const uint8_t *box, size_t box_len, char **text_out,
                 size_t *len_out)
{
    char p[RECORD_PLACE_MAX];
    size_t n = place(p, sizeof p, c->tenant, kind, id, version);
    uint8_t *text = NULL;
    enum bk_err err;

    *text_out = NULL;
    *len_out = 0;
    err = aead_open(dek, p, n, box, box_len, &text, len_out);
    if (err == BK_OK)
        *text_out = (char *)text;
    return err;
}

enum bk_err
record_open(struct ctx *c, const uint8_t dek[KEYS_LEN], const char *kind, const char *id,
            int64_t version, const uint8_t *box, size_t box_len, json_t **out)
{
    char *text = NULL;
    size_t len = 0;
    json_error_t jerr;
    unsigned long failed;
    enum bk_err err;

    *out = NULL;
    err = record_open_text(c, dek, kind, id, version, box, box_len, &text, &len);
    if (err != BK_OK)
        return err;
    failed = mem_failures();
    *out = json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    secbuf_free(text, len + 1);
    if (*out != NULL && mem_failures() != failed) {
        /* jansson may have dropped a byte on a failed allocation (see codec.c) */
        json_decref(*out);
        *out = NULL;
        return BK_ENOMEM;
    }
    if (*out != NULL)
        return BK_OK;
    /* an authentic box that does not parse is corrupt; a failed allocation is not */
    return mem_failures() != failed || json_error_code(&jerr) == json_error_out_of_memory
               ? BK_ENOMEM : BK_ECORRUPT;
}
