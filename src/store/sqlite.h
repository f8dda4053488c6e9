/* The embedded SQLite backend (WAL, synchronous=FULL): the default store. */
#ifndef BK_STORE_SQLITE_H
#define BK_STORE_SQLITE_H

#include "store.h"
#include "tenants.h"

extern const struct store_ops store_sqlite_ops;
extern const struct store_tenants_ops sqlite_tenants_ops;

#endif
