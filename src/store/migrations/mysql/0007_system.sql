-- System calls count and page users by tenant and status.
CREATE INDEX IF NOT EXISTS users_by_tenant_status ON users (tenant, status);
