-- Record versions (generic: kind + record + version), user expiration and
-- shared records. Everything personal is sealed under the owner's data key.
CREATE TABLE record_versions (
    tenant  BIGINT NOT NULL,
    kind    TEXT NOT NULL,
    record  TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    version BIGINT NOT NULL,
    optime  BIGINT NOT NULL,
    body    BYTEA NOT NULL,
    PRIMARY KEY (tenant, kind, record, version)
);
CREATE INDEX record_versions_by_user ON record_versions (tenant, user_id);
CREATE INDEX record_versions_by_time ON record_versions (optime);

CREATE TABLE user_expiry (
    user_id       BIGINT PRIMARY KEY REFERENCES users (id),
    tenant        BIGINT NOT NULL,
    record        TEXT NOT NULL,
    state         BIGINT NOT NULL,
    sliding       BIGINT NOT NULL,
    finaltime     BIGINT NOT NULL,
    endtime       BIGINT NOT NULL,
    touched       BIGINT NOT NULL,
    exptoken_hash BYTEA,
    exptoken_box  BYTEA
);
CREATE UNIQUE INDEX user_expiry_by_exptoken ON user_expiry (tenant, exptoken_hash);
CREATE INDEX user_expiry_due ON user_expiry (state, endtime);

CREATE TABLE shared_records (
    tenant  BIGINT NOT NULL,
    hash    BYTEA NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    record  TEXT NOT NULL,
    created BIGINT NOT NULL,
    expires BIGINT NOT NULL,
    body    BYTEA NOT NULL,
    PRIMARY KEY (tenant, hash)
);
CREATE INDEX shared_records_by_user ON shared_records (tenant, user_id);
CREATE INDEX shared_records_by_expiry ON shared_records (expires);

ALTER TABLE record_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE record_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON record_versions
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);

ALTER TABLE user_expiry ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_expiry FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON user_expiry
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);

ALTER TABLE shared_records ENABLE ROW LEVEL SECURITY;
ALTER TABLE shared_records FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON shared_records
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);
