-- Access control: roles, policies, groups and their members, access tokens
-- for users and roles, bulk unlock ids, and the fuzzy-search n-gram index
-- (the same tables as SQLite's 0008_access.sql). Tokens and unlock ids are
-- kept only as keyed hashes; n-grams only as keyed 64-bit hashes. Every
-- table is fenced by row-level security on its tenant column.
CREATE TABLE access_version (
    tenant  BIGINT PRIMARY KEY,
    version BIGINT NOT NULL
);

CREATE TABLE access_roles (
    id      BIGSERIAL PRIMARY KEY,
    tenant  BIGINT NOT NULL,
    name    TEXT NOT NULL,
    descr   TEXT NOT NULL,
    created BIGINT NOT NULL,
    UNIQUE (tenant, name)
);

CREATE TABLE access_policies (
    id      BIGSERIAL PRIMARY KEY,
    tenant  BIGINT NOT NULL,
    name    TEXT NOT NULL,
    descr   TEXT NOT NULL,
    body    TEXT NOT NULL,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    UNIQUE (tenant, name)
);

CREATE TABLE access_role_policies (
    tenant    BIGINT NOT NULL,
    role_id   BIGINT NOT NULL REFERENCES access_roles (id),
    policy_id BIGINT NOT NULL REFERENCES access_policies (id),
    PRIMARY KEY (tenant, role_id, policy_id)
);

CREATE TABLE access_groups (
    id      BIGSERIAL PRIMARY KEY,
    tenant  BIGINT NOT NULL,
    name    TEXT NOT NULL,
    descr   TEXT NOT NULL,
    gtype   TEXT NOT NULL,
    created BIGINT NOT NULL,
    UNIQUE (tenant, name)
);

-- One row per (group, user, role); role_id 0: a member without a role.
CREATE TABLE access_members (
    tenant   BIGINT NOT NULL,
    group_id BIGINT NOT NULL,
    user_id  BIGINT NOT NULL,
    role_id  BIGINT NOT NULL,
    PRIMARY KEY (tenant, group_id, user_id, role_id)
);
CREATE INDEX access_members_by_user ON access_members (tenant, user_id);

-- kind 3: user token (user_id set), 4: role token (role_id set).
CREATE TABLE access_xtokens (
    id          BIGSERIAL PRIMARY KEY,
    tenant      BIGINT NOT NULL,
    hash        BYTEA NOT NULL,
    kind        BIGINT NOT NULL,
    user_id     BIGINT NOT NULL,
    role_id     BIGINT NOT NULL,
    created     BIGINT NOT NULL,
    finaltime   BIGINT NOT NULL,
    slidingtime BIGINT NOT NULL,
    lastused    BIGINT NOT NULL,
    UNIQUE (tenant, hash)
);
CREATE INDEX access_xtokens_by_user ON access_xtokens (tenant, user_id);

CREATE TABLE access_unlocks (
    tenant  BIGINT NOT NULL,
    hash    BYTEA NOT NULL,
    owner   TEXT NOT NULL,
    purpose TEXT NOT NULL,
    expires BIGINT NOT NULL,
    PRIMARY KEY (tenant, hash)
);

CREATE TABLE search_grams (
    tenant  BIGINT NOT NULL,
    kind    BIGINT NOT NULL,
    gram    BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    PRIMARY KEY (tenant, kind, gram, user_id)
);
CREATE INDEX search_grams_by_user ON search_grams (tenant, user_id, kind);

ALTER TABLE access_version ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_version FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON access_version
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);

ALTER TABLE access_roles ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_roles FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON access_roles
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);

ALTER TABLE access_policies ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_policies FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON access_policies
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);

ALTER TABLE access_role_policies ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_role_policies FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON access_role_policies
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);

ALTER TABLE access_groups ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_groups FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON access_groups
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);

ALTER TABLE access_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_members FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON access_members
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);

ALTER TABLE access_xtokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_xtokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON access_xtokens
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);

ALTER TABLE access_unlocks ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_unlocks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON access_unlocks
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);

ALTER TABLE search_grams ENABLE ROW LEVEL SECURITY;
ALTER TABLE search_grams FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON search_grams
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);
