/* The PostgreSQL backend (libpq): connection pool, prepared statements,
 * reconnection after a restart, tenants isolated by row-level security. */
#ifndef BK_STORE_PGSQL_H
#define BK_STORE_PGSQL_H

#include "appdata.h"
#include "consent.h"
#include "sessions.h"
#include "store.h"
#include "tenants.h"
#include "requests.h"
#include "versions.h"
#include "expiry.h"
#include "shared.h"
#include "system.h"

extern const struct store_ops store_pgsql_ops;
extern const struct store_tenants_ops pgsql_tenants_ops;
extern const struct store_consent_ops pgsql_consent_ops;
extern const struct store_appdata_ops pgsql_appdata_ops;
extern const struct store_sessions_ops pgsql_sessions_ops;
extern const struct store_access_ops pgsql_access_ops;
extern const struct store_proof_ops pgsql_proof_ops;
extern const struct store_portal_ops pgsql_portal_ops;
extern const struct store_tokens_ops pgsql_tokens_ops;
extern const struct store_requests_ops pgsql_requests_ops;
extern const struct store_versions_ops pgsql_versions_ops;
extern const struct store_expiry_ops pgsql_expiry_ops;
extern const struct store_shared_ops pgsql_shared_ops;
extern const struct store_system_ops pgsql_system_ops;

#endif
