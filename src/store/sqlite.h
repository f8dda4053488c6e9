/* The embedded SQLite backend (WAL, synchronous=FULL): the default store. */
#ifndef BK_STORE_SQLITE_H
#define BK_STORE_SQLITE_H

#include "requests.h"
#include "store.h"

extern const struct store_ops store_sqlite_ops;
extern const struct store_consent_ops sqlite_consent_ops;
extern const struct store_requests_ops sqlite_requests_ops;

#endif
