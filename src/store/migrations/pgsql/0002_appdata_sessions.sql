-- App data (one sealed JSON document per user and application name) and
-- sessions (sealed JSON documents with an expiry, optionally tied to a user).
-- The same tables as SQLite's 0002, fenced by row-level security like the core.
CREATE TABLE appdata (
    id      BIGSERIAL PRIMARY KEY,
    tenant  BIGINT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    appname TEXT NOT NULL,
    body    BYTEA NOT NULL,
    version BIGINT NOT NULL,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    UNIQUE (tenant, user_id, appname)
);
CREATE INDEX appdata_by_name ON appdata (tenant, appname);

-- sid_hash is a keyed hash of the session id: the id itself is a bearer
-- secret of the application and is kept only inside the sealed body.
-- user_token is NULL for a session not tied to a user; such a session has its
-- own wrapped data key in dek, a tied one is sealed under the user's key.
CREATE TABLE sessions (
    id         BIGSERIAL PRIMARY KEY,
    tenant     BIGINT NOT NULL,
    sid_hash   BYTEA NOT NULL,
    user_token TEXT,
    dek        BYTEA,
    body       BYTEA NOT NULL,
    version    BIGINT NOT NULL,
    created    BIGINT NOT NULL,
    updated    BIGINT NOT NULL,
    expires    BIGINT NOT NULL,
    final      BIGINT NOT NULL,
    UNIQUE (tenant, sid_hash)
);
CREATE INDEX sessions_by_user ON sessions (tenant, user_token);
CREATE INDEX sessions_by_expiry ON sessions (tenant, expires);

ALTER TABLE appdata ENABLE ROW LEVEL SECURITY;
ALTER TABLE appdata FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON appdata
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sessions
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);
