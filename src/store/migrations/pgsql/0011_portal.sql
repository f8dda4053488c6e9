-- The end-user portal's one-time-code login (as SQLite's 0011_portal.sql).
-- Nothing personal is kept in clear: identities, codes and session tokens are
-- keyed hashes. user_token is NULL in a code row for an identity that names
-- no user. Every table is fenced by row-level security on its tenant column.
CREATE TABLE portal_codes (
    id         BIGSERIAL PRIMARY KEY,
    tenant     BIGINT NOT NULL,
    ident_hash BYTEA NOT NULL,
    user_token TEXT,
    code_hash  BYTEA NOT NULL,
    created    BIGINT NOT NULL,
    expires    BIGINT NOT NULL,
    attempts   BIGINT NOT NULL,
    UNIQUE (tenant, ident_hash)
);
CREATE INDEX portal_codes_by_user ON portal_codes (tenant, user_token);
CREATE INDEX portal_codes_by_expiry ON portal_codes (tenant, expires);

CREATE TABLE portal_sessions (
    id         BIGSERIAL PRIMARY KEY,
    tenant     BIGINT NOT NULL,
    token_hash BYTEA NOT NULL,
    user_token TEXT NOT NULL,
    created    BIGINT NOT NULL,
    expires    BIGINT NOT NULL,
    UNIQUE (tenant, token_hash)
);
CREATE INDEX portal_sessions_by_user ON portal_sessions (tenant, user_token);
CREATE INDEX portal_sessions_by_expiry ON portal_sessions (tenant, expires);

-- Fixed-window rate counters for prelogin/login, shared by every server.
CREATE TABLE portal_hits (
    tenant       BIGINT NOT NULL,
    key_hash     BYTEA NOT NULL,
    window_start BIGINT NOT NULL,
    count        BIGINT NOT NULL,
    PRIMARY KEY (tenant, key_hash)
);
CREATE INDEX portal_hits_by_window ON portal_hits (tenant, window_start);

ALTER TABLE portal_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE portal_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON portal_codes
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);

ALTER TABLE portal_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE portal_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON portal_sessions
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);

ALTER TABLE portal_hits ENABLE ROW LEVEL SECURITY;
ALTER TABLE portal_hits FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON portal_hits
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);
