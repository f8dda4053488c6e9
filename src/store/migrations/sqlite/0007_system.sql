-- Bulk unlock ids (BulkListUnlock), kept only as keyed hashes, valid until
-- <expires> (unix seconds).
CREATE TABLE bulk_unlock (
    tenant  INTEGER NOT NULL,
    hash    BLOB NOT NULL,
    expires INTEGER NOT NULL,
    PRIMARY KEY (tenant, hash)
) WITHOUT ROWID;
CREATE INDEX bulk_unlock_by_expiry ON bulk_unlock (expires);
CREATE INDEX users_by_tenant_status ON users (tenant, status);
