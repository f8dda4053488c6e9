/* The MySQL/MariaDB backend (libmariadb): connection pool, server-side
 * prepared statements, reconnection after a restart. (src/store/mysql.h;
 * the client library's own header is <mysql.h>.) */
#ifndef BK_STORE_MYSQL_H
#define BK_STORE_MYSQL_H

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

extern const struct store_ops store_mysql_ops;
extern const struct store_tenants_ops mysql_tenants_ops;
extern const struct store_consent_ops mysql_consent_ops;
extern const struct store_appdata_ops mysql_appdata_ops;
extern const struct store_sessions_ops mysql_sessions_ops;
extern const struct store_access_ops mysql_access_ops;
extern const struct store_proof_ops mysql_proof_ops;
extern const struct store_portal_ops mysql_portal_ops;
extern const struct store_tokens_ops mysql_tokens_ops;
extern const struct store_requests_ops mysql_requests_ops;
extern const struct store_versions_ops mysql_versions_ops;
extern const struct store_expiry_ops mysql_expiry_ops;
extern const struct store_shared_ops mysql_shared_ops;
extern const struct store_system_ops mysql_system_ops;

#endif
