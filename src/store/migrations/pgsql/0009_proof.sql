-- The signed head of each tenant's audit chain: the hash of the newest event
-- and an HMAC over it under the audit key, rewritten in the transaction of
-- every audit event, so deleting the newest events cannot go unnoticed.
CREATE TABLE audit_head (
    tenant BIGINT PRIMARY KEY,
    hash   BYTEA NOT NULL,
    mac    BYTEA NOT NULL
);

ALTER TABLE audit_head ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_head FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_head
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);
