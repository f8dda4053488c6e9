-- The signed head of each tenant's audit chain: the hash of the newest event
-- and an HMAC over it under the audit key, rewritten in the transaction of
-- every audit event, so deleting the newest events cannot go unnoticed.
-- The row exists already (0001_core.sql: its lock serializes a tenant's
-- writers); it gains the two columns, NULL until the first signed write.
ALTER TABLE audit_head ADD COLUMN IF NOT EXISTS hash VARBINARY(64) NULL,
    ADD COLUMN IF NOT EXISTS mac VARBINARY(64) NULL;
