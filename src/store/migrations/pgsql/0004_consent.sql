-- Consent management: legal bases (tenant-wide definitions, in clear),
-- users' agreements to them (personal fields sealed under the user's data
-- key; the user named only by the internal id) and processing activities
-- with their links to legal bases. The same tables as SQLite's 0004, fenced
-- by row-level security like the core.
CREATE TABLE legal_basis (
    id      BIGSERIAL PRIMARY KEY,
    tenant  BIGINT NOT NULL,
    brief   TEXT NOT NULL,
    status  TEXT NOT NULL,          -- active, inactive, deleted (kept for its agreements)
    doc     TEXT NOT NULL,          -- JSON of the descriptive fields
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    UNIQUE (tenant, brief)
);

CREATE TABLE agreements (
    id        BIGSERIAL PRIMARY KEY,
    tenant    BIGINT NOT NULL,
    user_id   BIGINT NOT NULL REFERENCES users (id),
    lbasis_id BIGINT NOT NULL REFERENCES legal_basis (id),
    status    TEXT NOT NULL,        -- accept, cancel, revoked
    starttime BIGINT NOT NULL,
    endtime   BIGINT NOT NULL,
    created   BIGINT NOT NULL,
    updated   BIGINT NOT NULL,
    version   BIGINT NOT NULL,
    sealed    BYTEA NOT NULL,
    UNIQUE (tenant, user_id, lbasis_id)
);
CREATE INDEX agreements_by_lbasis ON agreements (tenant, lbasis_id);

CREATE TABLE pactivity (
    id       BIGSERIAL PRIMARY KEY,
    tenant   BIGINT NOT NULL,
    activity TEXT NOT NULL,
    doc      TEXT NOT NULL,         -- JSON of the descriptive fields
    created  BIGINT NOT NULL,
    updated  BIGINT NOT NULL,
    UNIQUE (tenant, activity)
);

CREATE TABLE pactivity_lbasis (
    tenant      BIGINT NOT NULL,
    activity_id BIGINT NOT NULL REFERENCES pactivity (id) ON DELETE CASCADE,
    lbasis_id   BIGINT NOT NULL REFERENCES legal_basis (id) ON DELETE CASCADE,
    PRIMARY KEY (activity_id, lbasis_id)
);
CREATE INDEX pactivity_lbasis_by_lbasis ON pactivity_lbasis (lbasis_id);

ALTER TABLE legal_basis ENABLE ROW LEVEL SECURITY;
ALTER TABLE legal_basis FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON legal_basis
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);

ALTER TABLE agreements ENABLE ROW LEVEL SECURITY;
ALTER TABLE agreements FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON agreements
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);

ALTER TABLE pactivity ENABLE ROW LEVEL SECURITY;
ALTER TABLE pactivity FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pactivity
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);

ALTER TABLE pactivity_lbasis ENABLE ROW LEVEL SECURITY;
ALTER TABLE pactivity_lbasis FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pactivity_lbasis
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);
