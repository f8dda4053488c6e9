-- The signed head of each tenant's audit chain: the hash of the newest event
-- and an HMAC over it under the audit key, rewritten in the transaction of
-- every audit event, so deleting the newest events cannot go unnoticed.
CREATE TABLE audit_head (
    tenant INTEGER PRIMARY KEY,
    hash   BLOB NOT NULL,
    mac    BLOB NOT NULL
);
