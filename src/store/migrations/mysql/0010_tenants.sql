-- Tenants: the registry is global (each row is a tenant); every other table
-- carries its tenant's id in its tenant column, which every statement filters on.
CREATE TABLE IF NOT EXISTS tenants (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name       VARCHAR(64) NOT NULL,
    org        VARCHAR(128) NOT NULL,
    salt       BINARY(32) NOT NULL,
    admin_hash BINARY(32) NOT NULL,
    created    BIGINT NOT NULL,
    UNIQUE KEY tenants_by_name (name),
    UNIQUE KEY tenants_by_admin (admin_hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
