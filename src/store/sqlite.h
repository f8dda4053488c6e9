/* The embedded SQLite backend (WAL, synchronous=FULL): the default store. */
#ifndef BK_STORE_SQLITE_H
#define BK_STORE_SQLITE_H

#include "store.h"

extern const struct store_ops store_sqlite_ops;
extern const struct store_proof_ops sqlite_proof_ops;

#endif
