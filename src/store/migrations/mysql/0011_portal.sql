-- The end-user portal's one-time-code login (as SQLite's 0011_portal.sql).
-- Nothing personal is kept in clear: identities, codes and session tokens are
-- keyed hashes. user_token is NULL in a code row for an identity that names
-- no user.
CREATE TABLE IF NOT EXISTS portal_codes (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant     BIGINT NOT NULL,
    ident_hash VARBINARY(64) NOT NULL,
    user_token VARCHAR(64) NULL,
    code_hash  VARBINARY(64) NOT NULL,
    created    BIGINT NOT NULL,
    expires    BIGINT NOT NULL,
    attempts   BIGINT NOT NULL,
    UNIQUE KEY portal_codes_by_ident (tenant, ident_hash),
    KEY portal_codes_by_user (tenant, user_token),
    KEY portal_codes_by_expiry (expires)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS portal_sessions (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant     BIGINT NOT NULL,
    token_hash VARBINARY(64) NOT NULL,
    user_token VARCHAR(64) NOT NULL,
    created    BIGINT NOT NULL,
    expires    BIGINT NOT NULL,
    UNIQUE KEY portal_sessions_by_token (tenant, token_hash),
    KEY portal_sessions_by_user (tenant, user_token),
    KEY portal_sessions_by_expiry (expires)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Fixed-window rate counters for prelogin/login, shared by every server.
CREATE TABLE IF NOT EXISTS portal_hits (
    tenant       BIGINT NOT NULL,
    key_hash     VARBINARY(64) NOT NULL,
    window_start BIGINT NOT NULL,
    count        BIGINT NOT NULL,
    PRIMARY KEY (tenant, key_hash),
    KEY portal_hits_by_window (window_start)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
