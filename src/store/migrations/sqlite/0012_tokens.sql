-- Format-preserving tokens (TokenCreate). base_hash is a keyed hash of the
-- token value (tokenbase) and record_hash, kept only for tokens shared by equal
-- records (unique false), a keyed hash of the type and the normalized record:
-- neither the record nor the token value is stored in clear. body is the
-- sealed {record, tokenbase} under the token's own data key (dek, wrapped under
-- the tenant's keys). expires is 0 for a token that does not expire.
CREATE TABLE tokens (
    id          INTEGER PRIMARY KEY,
    tenant      INTEGER NOT NULL,
    uuid        TEXT NOT NULL,
    type        INTEGER NOT NULL,
    base_hash   BLOB NOT NULL,
    record_hash BLOB,
    dek         BLOB NOT NULL,
    body        BLOB NOT NULL,
    created     INTEGER NOT NULL,
    expires     INTEGER NOT NULL,
    sliding     INTEGER NOT NULL,
    final       INTEGER NOT NULL,
    UNIQUE (tenant, uuid),
    UNIQUE (tenant, base_hash),
    UNIQUE (tenant, record_hash)
);
CREATE INDEX tokens_by_expiry ON tokens (expires) WHERE expires > 0;
