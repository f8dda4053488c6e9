-- Tenants: the registry is global (each row is a tenant), so it has no
-- row-level policy; every other table is fenced by its tenant column.
CREATE TABLE tenants (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    org        TEXT NOT NULL,
    salt       BYTEA NOT NULL,
    admin_hash BYTEA NOT NULL UNIQUE,
    created    BIGINT NOT NULL
);
