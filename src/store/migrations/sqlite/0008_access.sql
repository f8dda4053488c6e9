-- Access control: roles, policies, groups and their members, access tokens
-- for users and roles, bulk unlock ids, and the fuzzy-search n-gram index.
-- Tokens and unlock ids are kept only as keyed hashes; n-grams only as keyed
-- 64-bit hashes. Names of roles, policies and groups are plain metadata.
CREATE TABLE access_version (
    tenant  INTEGER PRIMARY KEY,
    version INTEGER NOT NULL
);

CREATE TABLE access_roles (
    id      INTEGER PRIMARY KEY,
    tenant  INTEGER NOT NULL,
    name    TEXT NOT NULL,
    descr   TEXT NOT NULL,
    created INTEGER NOT NULL,
    UNIQUE (tenant, name)
);

CREATE TABLE access_policies (
    id      INTEGER PRIMARY KEY,
    tenant  INTEGER NOT NULL,
    name    TEXT NOT NULL,
    descr   TEXT NOT NULL,
    body    TEXT NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    UNIQUE (tenant, name)
);

CREATE TABLE access_role_policies (
    tenant    INTEGER NOT NULL,
    role_id   INTEGER NOT NULL REFERENCES access_roles (id),
    policy_id INTEGER NOT NULL REFERENCES access_policies (id),
    PRIMARY KEY (tenant, role_id, policy_id)
) WITHOUT ROWID;

CREATE TABLE access_groups (
    id      INTEGER PRIMARY KEY,
    tenant  INTEGER NOT NULL,
    name    TEXT NOT NULL,
    descr   TEXT NOT NULL,
    gtype   TEXT NOT NULL,
    created INTEGER NOT NULL,
    UNIQUE (tenant, name)
);

-- One row per (group, user, role); role_id 0: a member without a role.
CREATE TABLE access_members (
    tenant   INTEGER NOT NULL,
    group_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    role_id  INTEGER NOT NULL,
    PRIMARY KEY (tenant, group_id, user_id, role_id)
) WITHOUT ROWID;
CREATE INDEX access_members_by_user ON access_members (tenant, user_id);

-- kind 3: user token (user_id set), 4: role token (role_id set).
CREATE TABLE access_xtokens (
    id          INTEGER PRIMARY KEY,
    tenant      INTEGER NOT NULL,
    hash        BLOB NOT NULL,
    kind        INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    role_id     INTEGER NOT NULL,
    created     INTEGER NOT NULL,
    finaltime   INTEGER NOT NULL,
    slidingtime INTEGER NOT NULL,
    lastused    INTEGER NOT NULL,
    UNIQUE (tenant, hash)
);
CREATE INDEX access_xtokens_by_user ON access_xtokens (tenant, user_id);

CREATE TABLE access_unlocks (
    tenant  INTEGER NOT NULL,
    hash    BLOB NOT NULL,
    owner   TEXT NOT NULL,
    purpose TEXT NOT NULL,
    expires INTEGER NOT NULL,
    PRIMARY KEY (tenant, hash)
) WITHOUT ROWID;

CREATE TABLE search_grams (
    tenant  INTEGER NOT NULL,
    kind    INTEGER NOT NULL,
    gram    INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    PRIMARY KEY (tenant, kind, gram, user_id)
) WITHOUT ROWID;
CREATE INDEX search_grams_by_user ON search_grams (tenant, user_id, kind);
