/* The embedded SQLite backend (WAL, synchronous=FULL): the default store. */
#ifndef BK_STORE_SQLITE_H
#define BK_STORE_SQLITE_H

#include "store.h"

extern const struct store_ops store_sqlite_ops;
extern const struct store_consent_ops sqlite_consent_ops;
extern const struct store_appdata_ops sqlite_appdata_ops;
extern const struct store_sessions_ops sqlite_sessions_ops;
extern const struct store_portal_ops sqlite_portal_ops;

#endif
