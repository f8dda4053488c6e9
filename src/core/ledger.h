/* The erasure ledger: an append-only file, beside the database but not in it,
 * listing every forgotten user (tenant, token, time; nothing personal), each
 * line chained to the one before by an HMAC under a key derived from the
 * audit key. Restoring an older copy of the database does not restore the
 * ledger, so replaying it at start-up forgets again whoever the copy brought
 * back. Who restores the ledger file too from the same old backup loses
 * that protection: keep it where database restores do not reach. */
#ifndef BK_LEDGER_H
#define BK_LEDGER_H

#include <stdint.h>

#include "../base/err.h"
#include "../vault/keys.h"

struct ledger;

/* Open (creating it, mode 0600) the ledger at <path> and check every line's
 * MAC under <v>'s audit key. A last line without its newline (a write cut by a
 * crash, never acknowledged) is cut off. BK_ECORRUPT when a complete line does
 * not verify (altered, reordered, or another vault's ledger); BK_EUNAVAIL when
 * the file cannot be opened. *out is freed with ledger_close(). */
enum bk_err ledger_open(const char *path, const struct vault *v, struct ledger **out);
void ledger_close(struct ledger *l);

/* Append one erasure and fsync it before returning. On failure nothing of it
 * stays in the file (or, if that cannot be ensured, every later append fails
 * too): the caller must then fail the erasure's transaction. Thread-safe. */
enum bk_err ledger_append(struct ledger *l, int64_t tenant, const char *token, int64_t when);

/* The entries read at ledger_open(), oldest first; a non-BK_OK return from
 * <fn> stops and is passed back. */
typedef enum bk_err (*ledger_fn)(void *arg, int64_t tenant, const char *token, int64_t when);
enum bk_err ledger_each(const struct ledger *l, ledger_fn fn, void *arg);

/* How many entries were read at open. */
size_t ledger_count(const struct ledger *l);

#endif
