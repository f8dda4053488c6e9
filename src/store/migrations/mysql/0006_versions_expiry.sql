-- Record versions (generic: kind + record + version), user expiration and
-- shared records. Everything personal is sealed under the owner's data key.
CREATE TABLE IF NOT EXISTS record_versions (
    tenant  BIGINT NOT NULL,
    kind    VARCHAR(32) NOT NULL,
    record  VARCHAR(255) NOT NULL,
    user_id BIGINT NOT NULL,
    version BIGINT NOT NULL,
    optime  BIGINT NOT NULL,
    body    LONGBLOB NOT NULL,
    PRIMARY KEY (tenant, kind, record, version),
    KEY record_versions_by_user (tenant, user_id),
    KEY record_versions_by_time (optime),
    CONSTRAINT record_versions_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS user_expiry (
    user_id       BIGINT NOT NULL PRIMARY KEY,
    tenant        BIGINT NOT NULL,
    record        CHAR(36) NOT NULL,
    state         BIGINT NOT NULL,
    sliding       BIGINT NOT NULL,
    finaltime     BIGINT NOT NULL,
    endtime       BIGINT NOT NULL,
    touched       BIGINT NOT NULL,
    exptoken_hash BINARY(32),
    exptoken_box  BLOB,
    UNIQUE KEY user_expiry_by_exptoken (tenant, exptoken_hash),
    KEY user_expiry_due (state, endtime),
    CONSTRAINT user_expiry_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS shared_records (
    tenant  BIGINT NOT NULL,
    hash    BINARY(32) NOT NULL,
    user_id BIGINT NOT NULL,
    record  CHAR(36) NOT NULL,
    created BIGINT NOT NULL,
    expires BIGINT NOT NULL,
    body    LONGBLOB NOT NULL,
    PRIMARY KEY (tenant, hash),
    KEY shared_records_by_user (tenant, user_id),
    KEY shared_records_by_expiry (expires),
    CONSTRAINT shared_records_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
