/* Setting a vault up (-init) and opening it (-start): the schema, the key
 * check value, the wrapped master key and the root token's hash. */
#ifndef BK_BOOTSTRAP_H
#define BK_BOOTSTRAP_H

#include <stdio.h>

#include "ctx.h"

struct bootstrap_keys {
    const char *master_hex;     /* DATABUNKER_MASTERKEY, or NULL */
    const char *wrapping_hex;   /* DATABUNKER_WRAPPINGKEY, or NULL */
    const char *root_token;     /* DATABUNKER_ROOTTOKEN, or NULL */
};

/* Initialize the empty database behind <app->store>: run the migrations,
 * take or generate the master key and root token, store the check value, the
 * wrapped master key (when a wrapping key is used) and the root token hash.
 * Generated secrets are printed once to <out>. BK_ECONFLICT when the
 * database is already initialized. On success <app->vault> is ready. */
enum bk_err bootstrap_init(struct app *app, const struct bootstrap_keys *k, FILE *out);

/* Open an initialized database: migrations, keys checked against the stored
 * check value (BK_EAUTH on a wrong key), root token hash loaded. BK_ENOTFOUND
 * when the database was never initialized. */
enum bk_err bootstrap_open(struct app *app, const struct bootstrap_keys *k);

#endif
