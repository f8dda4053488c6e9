/* The embedded SQLite backend (WAL, synchronous=FULL): the default store. */
#ifndef BK_STORE_SQLITE_H
#define BK_STORE_SQLITE_H

#include "requests.h"
#include "store.h"
#include "system.h"

extern const struct store_ops store_sqlite_ops;
extern const struct store_system_ops sqlite_system_ops;
extern const struct store_consent_ops sqlite_consent_ops;
extern const struct store_appdata_ops sqlite_appdata_ops;
extern const struct store_sessions_ops sqlite_sessions_ops;
extern const struct store_requests_ops sqlite_requests_ops;
extern const struct store_versions_ops sqlite_versions_ops;
extern const struct store_expiry_ops sqlite_expiry_ops;
extern const struct store_shared_ops sqlite_shared_ops;
extern const struct store_access_ops sqlite_access_ops;
extern const struct store_proof_ops sqlite_proof_ops;
#include "tenants.h"

extern const struct store_tenants_ops sqlite_tenants_ops;
extern const struct store_portal_ops sqlite_portal_ops;
extern const struct store_tokens_ops sqlite_tokens_ops;

#endif
