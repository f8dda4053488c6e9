/* Wrapping key shares, recovery and rotation. Every buffer that held a key,
 * a share or the master key is wiped before it goes out of scope. */
#include "wrapkey.h"

#include <string.h>
#include <time.h>

#include "../base/hex.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../vault/kdf.h"
#include "../vault/secbuf.h"
#include "audit.h"
#include "bootstrap.h"
#include "system.h"

enum bk_err
wrapkey_new(char out[WRAPKEY_HEX_LEN + 1])
{
    uint8_t raw[KEYS_LEN];
    enum bk_err err = kdf_random(raw, sizeof raw);

    out[0] = '\0';
    if (err == BK_OK)
        hex_encode(raw, sizeof raw, out);
    secbuf_wipe(raw, sizeof raw);
    return err;
}

/* The 32 bytes of a wrapping key given as 64 hex digits. */
static enum bk_err
key_bytes(const char *hex, uint8_t out[KEYS_LEN])
{
    size_t n = 0;

    if (hex == NULL || strlen(hex) != WRAPKEY_HEX_LEN ||
        hex_decode(hex, WRAPKEY_HEX_LEN, out, KEYS_LEN, &n) != BK_OK || n != KEYS_LEN) {
        secbuf_wipe(out, KEYS_LEN);
        return BK_EINVAL;
    }
    return BK_OK;
}

void
wrapkey_shares_wipe(struct wrapkey_shares *s)
{
    secbuf_wipe(s, sizeof *s);
}

enum bk_err
wrapkey_split(const char *wrapping_hex, struct wrapkey_shares *out)
{
    uint8_t key[KEYS_LEN];
    struct shamir_share sh[WRAPKEY_SHARES];
    enum bk_err err;

    memset(out, 0, sizeof *out);
    err = key_bytes(wrapping_hex, key);
    if (err == BK_OK)
        err = shamir_split(key, sizeof key, WRAPKEY_THRESHOLD, WRAPKEY_SHARES, sh);
    for (int i = 0; i < WRAPKEY_SHARES && err == BK_OK; i++)
        err = shamir_share_format(&sh[i], out->text[i]);
    secbuf_wipe(key, sizeof key);
    shamir_share_wipe(sh, WRAPKEY_SHARES);
    if (err != BK_OK)
        wrapkey_shares_wipe(out);
    return err;
}

void
wrapkey_shares_print(FILE *out, const struct wrapkey_shares *s)
{
    fprintf(out, "Wrapping key shares (Shamir, any %d of these %d rebuild the wrapping key):\n",
            WRAPKEY_THRESHOLD, WRAPKEY_SHARES);
    for (int i = 0; i < WRAPKEY_SHARES; i++)
        fprintf(out, "  Share %d: %s\n", i + 1, s->text[i]);
    fprintf(out, "Give each share to a different trusted person or place. They are shown only "
                 "now and stored nowhere.\n");
    fflush(out);
}

static enum bk_err
report_fail(struct wrapkey_report *rep, const char *why, int index)
{
    rep->why = why;
    rep->index = index;
    return BK_EINVAL;
}

enum bk_err
wrapkey_combine(const char *const *texts, const size_t *lens, size_t n, const uint8_t *box,
                size_t box_len, char out[WRAPKEY_HEX_LEN + 1], struct wrapkey_report *rep)
{
    struct shamir_share sh[WRAPKEY_THRESHOLD];
    uint8_t key[SHAMIR_SECRET_MAX], mk[64];
    size_t key_len = 0, mk_len = 0;
    const char *why = NULL;
    enum bk_err err = BK_OK;

    memset(rep, 0, sizeof *rep);
    memset(out, 0, WRAPKEY_HEX_LEN + 1);
    memset(sh, 0, sizeof sh);
    if (n != WRAPKEY_THRESHOLD)
        return report_fail(rep, "exactly 3 key shares are needed", -1);
    for (size_t i = 0; i < n && err == BK_OK; i++) {
        err = shamir_share_parse(texts[i], lens[i], &sh[i], &why);
        if (err != BK_OK) {
            err = report_fail(rep, why, (int)i);
            break;
        }
        rep->x[i] = sh[i].x;
    }
    if (err == BK_OK) {
        err = shamir_combine(sh, n, key, sizeof key, &key_len, &why);
        if (err != BK_OK)
            err = report_fail(rep, why, -1);
    }
    if (err == BK_OK && key_len != KEYS_LEN)
        err = report_fail(rep, "key shares do not hold a 32-byte wrapping key", -1);
    if (err == BK_OK)
        hex_encode(key, KEYS_LEN, out);
    if (err == BK_OK && box != NULL &&
        keys_unwrap_master(out, box, box_len, mk, sizeof mk, &mk_len) != BK_OK)
        err = report_fail(rep, "shares do not reconstruct this vault's wrapping key", -1);
    if (err != BK_OK) {
        secbuf_wipe(out, WRAPKEY_HEX_LEN + 1);
        memset(rep->x, 0, sizeof rep->x);
    }
    shamir_share_wipe(sh, WRAPKEY_THRESHOLD);
    secbuf_wipe(key, sizeof key);
    secbuf_wipe(mk, sizeof mk);
    return err;
}

enum bk_err
wrapkey_box_get(struct store_conn *c, uint8_t **box, size_t *box_len)
{
    return store_meta_get(c, BOOTSTRAP_META_WRAPPED, box, box_len);
}

static void
audit_recover(struct ctx *c, enum bk_err result, const char *msg)
{
    struct audit_event ev = { .action = "SystemGenerateWrappingKey", .result = result,
                              .msg = msg };

    if (audit_write_alone(c, &ev) != BK_OK)
        LOG_ERR(c->rid, "wrapkey", "cannot audit a failed wrapping key recovery");
}

enum bk_err
wrapkey_recover(struct ctx *c, const char *const texts[WRAPKEY_THRESHOLD],
                const size_t lens[WRAPKEY_THRESHOLD], char out[WRAPKEY_HEX_LEN + 1])
{
    struct wrapkey_report rep;
    struct audit_event ev = { .action = "SystemGenerateWrappingKey" };
    uint8_t *box = NULL;
    size_t box_len = 0;
    char msg[96];
    enum bk_err err;

    memset(out, 0, WRAPKEY_HEX_LEN + 1);
    err = system_admin_check(c);
    if (err != BK_OK)
        return err;
    err = wrapkey_box_get(&c->db, &box, &box_len);
    if (err == BK_ENOTFOUND) {
        ctx_fail(c, BK_ECONFLICT, "this vault has no wrapping key: its master key is given "
                                  "directly (DATABUNKER_MASTERKEY)");
        audit_recover(c, BK_ECONFLICT, "no wrapping key");
        return BK_ECONFLICT;
    }
    if (err != BK_OK)
        return err;
    err = wrapkey_combine(texts, lens, WRAPKEY_THRESHOLD, box, box_len, out, &rep);
    mem_free(box);
    if (err == BK_EINVAL) {
        if (rep.index >= 0) {
            snprintf(c->msgbuf, sizeof c->msgbuf, "key%d: %s", rep.index + 1, rep.why);
            c->errmsg = c->msgbuf;
        } else {
            c->errmsg = rep.why;
        }
        audit_recover(c, err, c->errmsg);
        return err;
    }
    if (err != BK_OK)
        return err;
    /* Which shares were used is not secret, and says whose were. */
    snprintf(msg, sizeof msg, "rebuilt from shares %u, %u, %u", rep.x[0], rep.x[1], rep.x[2]);
    ev.msg = msg;
    err = audit_write_alone(c, &ev);
    if (err != BK_OK)
        secbuf_wipe(out, WRAPKEY_HEX_LEN + 1);
    return err;
}

/* The raw master key of the vault from the current wrapping key (when the
 * vault keeps a wrapped copy) or from the master key given directly. */
static enum bk_err
master_bytes(const struct wrapkey_rotation *r, const uint8_t *box, size_t box_len,
             uint8_t *mk, size_t mk_max, size_t *mk_len, const char **why)
{
    size_t len;

    *mk_len = 0;
    if (box != NULL && r->wrapping_hex != NULL) {
        if (keys_unwrap_master(r->wrapping_hex, box, box_len, mk, mk_max, mk_len) == BK_OK)
            return BK_OK;
        *why = "DATABUNKER_WRAPPINGKEY does not open this vault's master key";
        return BK_EAUTH;
    }
    if (r->master_hex != NULL) {
        len = strlen(r->master_hex);
        if ((len == 48 || len == 64) && hex_decode(r->master_hex, len, mk, mk_max, mk_len) == BK_OK)
            return BK_OK;
        *why = "DATABUNKER_MASTERKEY must be 48 or 64 hex digits";
        return BK_EINVAL;
    }
    *why = box != NULL ? "set DATABUNKER_WRAPPINGKEY to the current wrapping key"
                       : "this vault keeps no wrapped master key: set DATABUNKER_MASTERKEY to its "
                         "master key to wrap it";
    return BK_EAUTH;
}

enum bk_err
wrapkey_rotate(struct app *app, const struct wrapkey_rotation *r, const char **why)
{
    struct ctx c;
    struct audit_event ev = { .action = "WrappingKeyRotate",
                              .msg = "master key rewrapped under a new wrapping key" };
    uint8_t newkey[KEYS_LEN], mk[64], check[KEYS_LEN];
    uint8_t *stored = NULL, *box = NULL, *newbox = NULL;
    size_t stored_len = 0, box_len = 0, newbox_len = 0, mk_len = 0, same_len = 0;
    int in_tx = 0;
    enum bk_err err;

    *why = NULL;
    memset(&c, 0, sizeof c);
    if (key_bytes(r->new_hex, newkey) != BK_OK) {
        *why = "the new wrapping key must be 64 hex digits";
        return BK_EINVAL;
    }
    secbuf_wipe(newkey, sizeof newkey);
    if (r->wrapping_hex != NULL && key_bytes(r->wrapping_hex, newkey) != BK_OK) {
        *why = "DATABUNKER_WRAPPINGKEY must be 64 hex digits";
        return BK_EINVAL;
    }
    secbuf_wipe(newkey, sizeof newkey);
    c.app = app;
    c.now = (int64_t)time(NULL);
    snprintf(c.rid, sizeof c.rid, "rotate");
    snprintf(c.who, sizeof c.who, "command line");
    err = store_acquire(&app->store, &c.db);
    if (err == BK_OK)
        err = store_begin(&c.db, 1);
    if (err != BK_OK)
        goto out;
    in_tx = 1;
    err = store_meta_get(&c.db, BOOTSTRAP_META_CHECK, &stored, &stored_len);
    if (err == BK_ENOTFOUND)
        *why = "the vault is not initialized";
    if (err != BK_OK)
        goto out;
    err = wrapkey_box_get(&c.db, &box, &box_len);
    if (err == BK_ENOTFOUND)
        err = BK_OK;
    if (err == BK_OK)
        err = master_bytes(r, box, box_len, mk, sizeof mk, &mk_len, why);
    if (err == BK_OK)
        err = keys_from_bytes(mk, mk_len, &app->vault);
    if (err == BK_OK)
        err = keys_check_value(&app->vault, check);
    if (err != BK_OK)
        goto out;
    if (stored_len != KEYS_LEN || !secbuf_equal(stored, check, KEYS_LEN)) {
        *why = "the key given is not this vault's";
        err = BK_EAUTH;
        goto out;
    }
    if (r->wrapping_hex != NULL && box != NULL &&
        keys_unwrap_master(r->new_hex, box, box_len, check, sizeof check, &same_len) == BK_OK) {
        *why = "the new wrapping key is the current one";
        err = BK_EINVAL;
        goto out;
    }
    err = keys_wrap_master(r->new_hex, mk, mk_len, &newbox, &newbox_len);
    if (err == BK_OK)
        err = store_meta_put(&c.db, BOOTSTRAP_META_WRAPPED, newbox, newbox_len);
    if (err == BK_OK)
        err = audit_write(&c, &ev);
    if (err == BK_OK) {
        in_tx = 0;
        err = store_commit(&c.db);
    }
out:
    if (in_tx)
        store_rollback(&c.db);
    if (err != BK_OK)
        keys_wipe(&app->vault);
    secbuf_wipe(mk, sizeof mk);
    secbuf_wipe(check, sizeof check);
    mem_free(stored);
    mem_free(box);
    mem_free(newbox);
    store_release(&c.db);
    return err;
}
