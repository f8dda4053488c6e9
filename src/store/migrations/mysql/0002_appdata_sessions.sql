-- App data (one sealed JSON document per user and application name) and
-- sessions (sealed JSON documents with an expiry, optionally tied to a user).
-- The same tables as SQLite's 0002. Statements end with ';' at the end of a
-- line; each can be run again safely (IF NOT EXISTS).
CREATE TABLE IF NOT EXISTS appdata (
    id      BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant  BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    appname VARCHAR(64) NOT NULL,
    body    LONGBLOB NOT NULL,
    version BIGINT NOT NULL,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    UNIQUE KEY appdata_by_user (tenant, user_id, appname),
    KEY appdata_by_name (tenant, appname),
    CONSTRAINT appdata_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- sid_hash is a keyed hash of the session id: the id itself is a bearer
-- secret of the application and is kept only inside the sealed body.
-- user_token is NULL for a session not tied to a user; such a session has its
-- own wrapped data key in dek, a tied one is sealed under the user's key.
CREATE TABLE IF NOT EXISTS sessions (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant     BIGINT NOT NULL,
    sid_hash   BINARY(32) NOT NULL,
    user_token VARCHAR(36),
    dek        VARBINARY(255),
    body       LONGBLOB NOT NULL,
    version    BIGINT NOT NULL,
    created    BIGINT NOT NULL,
    updated    BIGINT NOT NULL,
    expires    BIGINT NOT NULL,
    final      BIGINT NOT NULL,
    UNIQUE KEY sessions_by_sid (tenant, sid_hash),
    KEY sessions_by_user (tenant, user_token),
    KEY sessions_by_expiry (expires)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
