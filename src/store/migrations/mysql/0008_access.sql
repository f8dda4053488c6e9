-- Access control: roles, policies, groups and their members, access tokens
-- for users and roles, bulk unlock ids, and the fuzzy-search n-gram index
-- (the same tables as SQLite's 0008_access.sql). Tokens and unlock ids are
-- kept only as keyed hashes; n-grams only as keyed 64-bit hashes. Names
-- compare byte for byte (utf8mb4_bin), as in SQLite.
CREATE TABLE IF NOT EXISTS access_version (
    tenant  BIGINT NOT NULL PRIMARY KEY,
    version BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS access_roles (
    id      BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant  BIGINT NOT NULL,
    name    VARCHAR(128) NOT NULL,
    descr   TEXT NOT NULL,
    created BIGINT NOT NULL,
    UNIQUE KEY access_roles_by_name (tenant, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS access_policies (
    id      BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant  BIGINT NOT NULL,
    name    VARCHAR(128) NOT NULL,
    descr   TEXT NOT NULL,
    body    MEDIUMTEXT NOT NULL,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    UNIQUE KEY access_policies_by_name (tenant, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS access_role_policies (
    tenant    BIGINT NOT NULL,
    role_id   BIGINT NOT NULL,
    policy_id BIGINT NOT NULL,
    PRIMARY KEY (tenant, role_id, policy_id),
    FOREIGN KEY (role_id) REFERENCES access_roles (id),
    FOREIGN KEY (policy_id) REFERENCES access_policies (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS access_groups (
    id      BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant  BIGINT NOT NULL,
    name    VARCHAR(128) NOT NULL,
    descr   TEXT NOT NULL,
    gtype   TEXT NOT NULL,
    created BIGINT NOT NULL,
    UNIQUE KEY access_groups_by_name (tenant, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per (group, user, role); role_id 0: a member without a role.
CREATE TABLE IF NOT EXISTS access_members (
    tenant   BIGINT NOT NULL,
    group_id BIGINT NOT NULL,
    user_id  BIGINT NOT NULL,
    role_id  BIGINT NOT NULL,
    PRIMARY KEY (tenant, group_id, user_id, role_id),
    KEY access_members_by_user (tenant, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- kind 3: user token (user_id set), 4: role token (role_id set).
CREATE TABLE IF NOT EXISTS access_xtokens (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant      BIGINT NOT NULL,
    hash        VARBINARY(64) NOT NULL,
    kind        BIGINT NOT NULL,
    user_id     BIGINT NOT NULL,
    role_id     BIGINT NOT NULL,
    created     BIGINT NOT NULL,
    finaltime   BIGINT NOT NULL,
    slidingtime BIGINT NOT NULL,
    lastused    BIGINT NOT NULL,
    UNIQUE KEY access_xtokens_by_hash (tenant, hash),
    KEY access_xtokens_by_user (tenant, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS access_unlocks (
    tenant  BIGINT NOT NULL,
    hash    VARBINARY(64) NOT NULL,
    owner   VARCHAR(64) NOT NULL,
    purpose VARCHAR(255) NOT NULL,
    expires BIGINT NOT NULL,
    PRIMARY KEY (tenant, hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS search_grams (
    tenant  BIGINT NOT NULL,
    kind    BIGINT NOT NULL,
    gram    BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    PRIMARY KEY (tenant, kind, gram, user_id),
    KEY search_grams_by_user (tenant, user_id, kind)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
