/* The PostgreSQL backend (libpq): connection pool, prepared statements,
 * reconnection after a restart, tenants isolated by row-level security. */
#ifndef BK_STORE_PGSQL_H
#define BK_STORE_PGSQL_H

#include "store.h"
#include "tenants.h"

extern const struct store_ops store_pgsql_ops;
extern const struct store_tenants_ops pgsql_tenants_ops;
extern const struct store_access_ops pgsql_access_ops;
extern const struct store_proof_ops pgsql_proof_ops;
extern const struct store_portal_ops pgsql_portal_ops;

#endif
