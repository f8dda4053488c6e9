-- Tenants: the registry is global (each row is a tenant). Every other table
-- carries its tenant's id in its tenant column; 0 is the default tenant.
CREATE TABLE tenants (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL UNIQUE,
    org        TEXT NOT NULL,
    salt       BLOB NOT NULL,
    admin_hash BLOB NOT NULL UNIQUE,
    created    INTEGER NOT NULL
);
