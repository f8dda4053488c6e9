-- Core schema: metadata, users with their blind indexes, audit events.
-- Every tenant's rows are fenced by row-level security: the policies compare
-- the tenant column with the session setting app.tenant that the backend sets
-- before it touches a tenant's rows, and FORCE makes them bind the table
-- owner too (the vault's role must be neither superuser nor BYPASSRLS).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);

CREATE TABLE users (
    id      BIGSERIAL PRIMARY KEY,
    tenant  BIGINT NOT NULL,
    token   TEXT NOT NULL,
    status  BIGINT NOT NULL,
    dek     BYTEA,
    body    BYTEA,
    version BIGINT NOT NULL,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    UNIQUE (tenant, token)
);

CREATE TABLE user_index (
    tenant  BIGINT NOT NULL,
    kind    BIGINT NOT NULL,
    hash    BYTEA NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (tenant, kind, hash)
);
CREATE INDEX user_index_by_user ON user_index (user_id, kind);

CREATE TABLE audit (
    id        BIGSERIAL PRIMARY KEY,
    tenant    BIGINT NOT NULL,
    atoken    TEXT NOT NULL,
    record    TEXT NOT NULL,
    at        BIGINT NOT NULL,
    action    TEXT NOT NULL,
    who       TEXT NOT NULL,
    mode      TEXT NOT NULL,
    status    TEXT NOT NULL,
    msg       TEXT NOT NULL,
    sealed    BYTEA,
    prev_hash BYTEA NOT NULL,
    hash      BYTEA NOT NULL,
    UNIQUE (tenant, atoken)
);
CREATE INDEX audit_by_record ON audit (tenant, record, id);
CREATE INDEX audit_by_tenant ON audit (tenant, id);

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON users
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);

ALTER TABLE user_index ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_index FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON user_index
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);

ALTER TABLE audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);
