-- Core schema: metadata, users with their blind indexes, audit events.
-- InnoDB, binary collation. Statements end with ';' at the end of a line
-- (the backend splits on that). MySQL commits each DDL statement, so each one
-- is written to be run again safely (IF NOT EXISTS).
CREATE TABLE IF NOT EXISTS meta (
    `key` VARCHAR(64) NOT NULL PRIMARY KEY,
    value LONGBLOB NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS users (
    id      BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant  BIGINT NOT NULL,
    token   CHAR(36) NOT NULL,
    status  BIGINT NOT NULL,
    dek     VARBINARY(255),
    body    LONGBLOB,
    version BIGINT NOT NULL,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    UNIQUE KEY users_by_token (tenant, token)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS user_index (
    tenant  BIGINT NOT NULL,
    kind    BIGINT NOT NULL,
    hash    BINARY(32) NOT NULL,
    user_id BIGINT NOT NULL,
    PRIMARY KEY (tenant, kind, hash),
    KEY user_index_by_user (user_id, kind),
    CONSTRAINT user_index_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS audit (
    id        BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant    BIGINT NOT NULL,
    atoken    CHAR(36) NOT NULL,
    record    VARCHAR(64) NOT NULL,
    at        BIGINT NOT NULL,
    action    VARCHAR(64) NOT NULL,
    who       VARCHAR(64) NOT NULL,
    mode      VARCHAR(32) NOT NULL,
    status    VARCHAR(16) NOT NULL,
    msg       VARCHAR(255) NOT NULL,
    sealed    LONGBLOB,
    prev_hash BINARY(32) NOT NULL,
    hash      BINARY(32) NOT NULL,
    UNIQUE KEY audit_by_atoken (tenant, atoken),
    KEY audit_by_record (tenant, record, id),
    KEY audit_by_tenant (tenant, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per tenant whose lock orders the writers of its audit chain.
CREATE TABLE IF NOT EXISTS audit_head (
    tenant BIGINT NOT NULL PRIMARY KEY,
    n      BIGINT NOT NULL
) ENGINE=InnoDB;
