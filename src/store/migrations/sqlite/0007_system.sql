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
-- The audit chain's head (SELECT hash ... WHERE tenant = ? ORDER BY id DESC
-- LIMIT 1, run for every event written) was found through audit_by_record
-- and sorted: a scan of the tenant's whole trail per event, quadratic in a
-- bulk call. This index makes it one seek.
CREATE INDEX audit_by_tenant ON audit (tenant, id);
