-- Core schema: metadata, users with their blind indexes, audit events.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

CREATE TABLE users (
    id      INTEGER PRIMARY KEY,
    tenant  INTEGER NOT NULL,
    token   TEXT NOT NULL,
    status  INTEGER NOT NULL,
    dek     BLOB,
    body    BLOB,
    version INTEGER NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    UNIQUE (tenant, token)
);

CREATE TABLE user_index (
    tenant  INTEGER NOT NULL,
    kind    INTEGER NOT NULL,
    hash    BLOB NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (tenant, kind, hash)
) WITHOUT ROWID;
CREATE INDEX user_index_by_user ON user_index (user_id, kind);

CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    tenant    INTEGER NOT NULL,
    atoken    TEXT NOT NULL,
    record    TEXT NOT NULL,
    at        INTEGER NOT NULL,
    action    TEXT NOT NULL,
    who       TEXT NOT NULL,
    mode      TEXT NOT NULL,
    status    TEXT NOT NULL,
    msg       TEXT NOT NULL,
    sealed    BLOB,
    prev_hash BLOB NOT NULL,
    hash      BLOB NOT NULL,
    UNIQUE (tenant, atoken)
);
CREATE INDEX audit_by_record ON audit (tenant, record, id);
CREATE INDEX audit_by_tenant ON audit (tenant, id);
