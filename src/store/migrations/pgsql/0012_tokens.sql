-- Format-preserving tokens (TokenCreate). base_hash is a keyed hash of the
-- token value (tokenbase) and record_hash, kept only for tokens shared by equal
-- records (unique false), a keyed hash of the type and the normalized record:
-- neither the record nor the token value is stored in clear. body is the
-- sealed {record, tokenbase} under the token's own data key (dek, wrapped under
-- the tenant's keys). expires is 0 for a token that does not expire.
-- The same table as SQLite's 0012, fenced by row-level security like the core.
CREATE TABLE tokens (
    id          BIGSERIAL PRIMARY KEY,
    tenant      BIGINT NOT NULL,
    uuid        TEXT NOT NULL,
    type        BIGINT NOT NULL,
    base_hash   BYTEA NOT NULL,
    record_hash BYTEA,
    dek         BYTEA NOT NULL,
    body        BYTEA NOT NULL,
    created     BIGINT NOT NULL,
    expires     BIGINT NOT NULL,
    sliding     BIGINT NOT NULL,
    final       BIGINT NOT NULL,
    UNIQUE (tenant, uuid),
    UNIQUE (tenant, base_hash),
    UNIQUE (tenant, record_hash)
);
CREATE INDEX tokens_by_expiry ON tokens (tenant, expires) WHERE expires > 0;

ALTER TABLE tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tokens
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);
