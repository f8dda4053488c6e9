/* Vault initialization and start-up checks. */
#include "bootstrap.h"

#include <string.h>

#include "../base/hex.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../vault/kdf.h"
#include "../vault/secbuf.h"
#include "wrapkey.h"

#define META_CHECK BOOTSTRAP_META_CHECK
#define META_WRAPPED BOOTSTRAP_META_WRAPPED
#define META_ROOT "root_token_hash"

static enum bk_err
with_conn(struct app *app, struct store_conn *c)
{
    enum bk_err err = store_acquire(&app->store, c);

    if (err == BK_OK)
        err = store_migrate(c);
    return err;
}

enum bk_err
bootstrap_init(struct app *app, const struct bootstrap_keys *k, FILE *out)
{
    struct store_conn c = { 0 };
    uint8_t mk[32], check[KEYS_LEN], *val = NULL, *box = NULL;
    size_t mk_len = 0, val_len = 0, box_len = 0;
    char mk_hex[65], token[37], wk_hex[WRAPKEY_HEX_LEN + 1] = "";
    struct wrapkey_shares shares;
    const char *root = k->root_token, *wrapping = k->wrapping_hex;
    int generated_mk = 0, generated_wk = 0;
    enum bk_err err;

    memset(&shares, 0, sizeof shares);

    err = with_conn(app, &c);
    if (err != BK_OK)
        goto out;
    err = store_meta_get(&c, META_CHECK, &val, &val_len);
    if (err == BK_OK) {
        err = BK_ECONFLICT;
        goto out;
    }
    if (err != BK_ENOTFOUND)
        goto out;
    if (k->master_hex != NULL) {
        size_t len = strlen(k->master_hex);
        if ((len != 48 && len != 64) || hex_decode(k->master_hex, len, mk, sizeof mk, &mk_len) != BK_OK) {
            err = BK_EINVAL;
            goto out;
        }
    } else {
        /* 24 bytes (48 hex digits, as the docs generate) when it is printed */
        mk_len = (wrapping != NULL || k->wrapped) ? 32 : 24;
        err = kdf_random(mk, mk_len);
        if (err != BK_OK)
            goto out;
        generated_mk = 1;
    }
    if (wrapping == NULL && k->wrapped) {
        err = wrapkey_new(wk_hex);
        if (err != BK_OK)
            goto out;
        wrapping = wk_hex;
        generated_wk = 1;
    }
    /* The shares are made before anything is stored: a vault is never left
     * initialized without them having been printed. */
    if (wrapping != NULL) {
        err = wrapkey_split(wrapping, &shares);
        if (err != BK_OK)
            goto out;
    }
    err = keys_from_bytes(mk, mk_len, &app->vault);
    if (err == BK_OK)
        err = keys_check_value(&app->vault, check);
    if (err == BK_OK && wrapping != NULL)
        err = keys_wrap_master(wrapping, mk, mk_len, &box, &box_len);
    if (err != BK_OK)
        goto out;
    if (root == NULL) {
        err = keys_uuid(token);
        if (err != BK_OK)
            goto out;
        root = token;
    }
    err = keys_token_hash(&app->vault, root, strlen(root), app->root_token_hash);
    if (err != BK_OK)
        goto out;
    app->has_root_token = 1;
    err = store_begin(&c, 1);
    if (err != BK_OK)
        goto out;
    err = store_meta_put(&c, META_CHECK, check, sizeof check);
    if (err == BK_OK && box != NULL)
        err = store_meta_put(&c, META_WRAPPED, box, box_len);
    if (err == BK_OK)
        err = store_meta_put(&c, META_ROOT, app->root_token_hash, KEYS_LEN);
    if (err == BK_OK)
        err = store_commit(&c);
    else
        store_rollback(&c);
    if (err != BK_OK)
        goto out;
    if (generated_mk && wrapping == NULL) {
        hex_encode(mk, mk_len, mk_hex);
        fprintf(out, "Master key: %s\n", mk_hex);
        fprintf(out, "Keep it safe and start the server with DATABUNKER_MASTERKEY set to it.\n");
        secbuf_wipe(mk_hex, sizeof mk_hex);
    }
    if (generated_wk) {
        fprintf(out, "Wrapping key: %s\n", wk_hex);
        fprintf(out, "Keep it safe and start the server with DATABUNKER_WRAPPINGKEY set to it.\n");
    }
    if (wrapping != NULL)
        wrapkey_shares_print(out, &shares);
    if (root == token)
        fprintf(out, "API Root token: %s\n", token);
out:
    secbuf_wipe(wk_hex, sizeof wk_hex);
    wrapkey_shares_wipe(&shares);
    secbuf_wipe(mk, sizeof mk);
    secbuf_wipe(token, sizeof token);
    mem_free(val);
    mem_free(box);
    store_release(&c);
    return err;
}

enum bk_err
bootstrap_open(struct app *app, const struct bootstrap_keys *k)
{
    struct store_conn c = { 0 };
    uint8_t mk[64], check[KEYS_LEN], *stored = NULL, *box = NULL, *root = NULL;
    size_t stored_len = 0, box_len = 0, root_len = 0, mk_len = 0;
    enum bk_err err;

    err = with_conn(app, &c);
    if (err != BK_OK)
        goto out;
    err = store_meta_get(&c, META_CHECK, &stored, &stored_len);
    if (err != BK_OK)
        goto out;
    err = store_meta_get(&c, META_WRAPPED, &box, &box_len);
    if (err == BK_OK && k->wrapping_hex != NULL) {
        err = keys_unwrap_master(k->wrapping_hex, box, box_len, mk, sizeof mk, &mk_len);
        if (err == BK_OK)
            err = keys_from_bytes(mk, mk_len, &app->vault);
        if (err != BK_OK)
            err = BK_EAUTH;
    } else if (k->master_hex != NULL) {
        err = keys_from_hex(k->master_hex, &app->vault);
        if (err == BK_EINVAL)
            err = BK_EAUTH;
    } else {
        err = BK_EAUTH;
    }
    if (err != BK_OK)
        goto out;
    err = keys_check_value(&app->vault, check);
    if (err != BK_OK)
        goto out;
    if (stored_len != KEYS_LEN || !secbuf_equal(stored, check, KEYS_LEN)) {
        keys_wipe(&app->vault);
        err = BK_EAUTH;
        goto out;
    }
    err = store_meta_get(&c, META_ROOT, &root, &root_len);
    if (err == BK_OK && root_len == KEYS_LEN) {
        memcpy(app->root_token_hash, root, KEYS_LEN);
        app->has_root_token = 1;
    } else if (err == BK_ENOTFOUND) {
        err = BK_OK;
    } else if (err == BK_OK) {
        err = BK_ECORRUPT;
    }
out:
    secbuf_wipe(mk, sizeof mk);
    mem_free(stored);
    mem_free(box);
    mem_free(root);
    store_release(&c);
    return err;
}
