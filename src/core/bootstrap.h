/* Setting a vault up (-init) and opening it (-start): the schema, the key
 * check value, the wrapped master key and the root token's hash. */
#ifndef BK_BOOTSTRAP_H
#define BK_BOOTSTRAP_H

#include <stdio.h>

#include "ctx.h"

/* Where the store's meta table keeps the key check value and the master key
 * wrapped by the wrapping key. */
#define BOOTSTRAP_META_CHECK "key_check"
#define BOOTSTRAP_META_WRAPPED "master_wrapped"

struct bootstrap_keys {
    const char *master_hex;     /* DATABUNKER_MASTERKEY, or NULL */
    const char *wrapping_hex;   /* DATABUNKER_WRAPPINGKEY, or NULL */
    const char *root_token;     /* DATABUNKER_ROOTTOKEN, or NULL */
    int wrapped;                /* -init -wrapped: keep the master key only wrapped, under
                                   a generated wrapping key when <wrapping_hex> is NULL */
};

/* Initialize the empty database behind <app->store>: run the migrations,
 * take or generate the master key and root token, store the check value, the
 * wrapped master key (when a wrapping key is used) and the root token hash.
 * Generated secrets, and the wrapping key's 5 Shamir shares when one is
 * used, are printed once to <out>, never logged. BK_ECONFLICT when the
 * database is already initialized. On success <app->vault> is ready. */
enum bk_err bootstrap_init(struct app *app, const struct bootstrap_keys *k, FILE *out);

/* Open an initialized database: migrations, keys checked against the stored
 * check value (BK_EAUTH on a wrong key), root token hash loaded. BK_ENOTFOUND
 * when the database was never initialized. */
enum bk_err bootstrap_open(struct app *app, const struct bootstrap_keys *k);

#endif
