-- Format-preserving tokens (TokenCreate). base_hash is a keyed hash of the
-- token value (tokenbase) and record_hash, kept only for tokens shared by equal
-- records (unique false), a keyed hash of the type and the normalized record:
-- neither the record nor the token value is stored in clear. body is the
-- sealed {record, tokenbase} under the token's own data key (dek, wrapped under
-- the tenant's keys). expires is 0 for a token that does not expire.
-- The same table as SQLite's 0012. Statements end with ';' at the end of a
-- line; each can be run again safely (IF NOT EXISTS).
CREATE TABLE IF NOT EXISTS tokens (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant      BIGINT NOT NULL,
    uuid        VARCHAR(36) NOT NULL,
    type        BIGINT NOT NULL,
    base_hash   BINARY(32) NOT NULL,
    record_hash BINARY(32),
    dek         VARBINARY(255) NOT NULL,
    body        LONGBLOB NOT NULL,
    created     BIGINT NOT NULL,
    expires     BIGINT NOT NULL,
    sliding     BIGINT NOT NULL,
    final       BIGINT NOT NULL,
    UNIQUE KEY tokens_by_uuid (tenant, uuid),
    UNIQUE KEY tokens_by_base (tenant, base_hash),
    UNIQUE KEY tokens_by_record (tenant, record_hash),
    KEY tokens_by_expiry (expires)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
