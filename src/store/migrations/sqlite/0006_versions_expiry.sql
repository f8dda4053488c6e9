-- Record versions (generic: kind + record + version), user expiration and
-- shared records. Everything personal is sealed under the owner's data key.
CREATE TABLE record_versions (
    tenant  INTEGER NOT NULL,
    kind    TEXT NOT NULL,
    record  TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id),
    version INTEGER NOT NULL,
    optime  INTEGER NOT NULL,
    body    BLOB NOT NULL,
    PRIMARY KEY (tenant, kind, record, version)
) WITHOUT ROWID;
CREATE INDEX record_versions_by_user ON record_versions (tenant, user_id);
CREATE INDEX record_versions_by_time ON record_versions (optime);

CREATE TABLE user_expiry (
    user_id       INTEGER PRIMARY KEY REFERENCES users (id),
    tenant        INTEGER NOT NULL,
    record        TEXT NOT NULL,
    state         INTEGER NOT NULL,
    sliding       INTEGER NOT NULL,
    finaltime     INTEGER NOT NULL,
    endtime       INTEGER NOT NULL,
    touched       INTEGER NOT NULL,
    exptoken_hash BLOB,
    exptoken_box  BLOB
);
CREATE UNIQUE INDEX user_expiry_by_exptoken ON user_expiry (tenant, exptoken_hash);
CREATE INDEX user_expiry_due ON user_expiry (state, endtime);

CREATE TABLE shared_records (
    tenant  INTEGER NOT NULL,
    hash    BLOB NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id),
    record  TEXT NOT NULL,
    created INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    body    BLOB NOT NULL,
    PRIMARY KEY (tenant, hash)
) WITHOUT ROWID;
CREATE INDEX shared_records_by_user ON shared_records (tenant, user_id);
CREATE INDEX shared_records_by_expiry ON shared_records (expires);
