-- Postings keyed (tenant, kind, bucket, gram, user_id), bucket = user_id >> 14
-- (STORE_GRAM_BUCKET_SHIFT in src/store/access.h; the two must agree): the
-- postings of new users go to the few hot pages of the newest bucket instead
-- of one random leaf page each. Every posting is kept; the table's owner
-- sees every tenant's rows while row-level security is not forced.
ALTER TABLE search_grams NO FORCE ROW LEVEL SECURITY;
ALTER TABLE search_grams ADD COLUMN bucket BIGINT;
UPDATE search_grams SET bucket = user_id >> 14;
ALTER TABLE search_grams ALTER COLUMN bucket SET NOT NULL;
ALTER TABLE search_grams DROP CONSTRAINT search_grams_pkey;
ALTER TABLE search_grams ADD PRIMARY KEY (tenant, kind, bucket, gram, user_id);
ALTER TABLE search_grams FORCE ROW LEVEL SECURITY;

-- Pending postings: a create writes the grams of each indexed value of its
-- users as one row per (user, kind) here, with the user, on a sequential key;
-- a merge moves them into search_grams in big sorted batches. grams: the
-- keyed 64-bit hashes, 8 bytes each, big-endian; created: unix milliseconds.
-- (This backend writes postings directly for now; the table is kept so every
-- backend has the same tables.)
CREATE TABLE search_pending (
    tenant  BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    kind    BIGINT NOT NULL,
    created BIGINT NOT NULL,
    grams   BYTEA NOT NULL,
    PRIMARY KEY (tenant, user_id, kind)
);
ALTER TABLE search_pending ENABLE ROW LEVEL SECURITY;
ALTER TABLE search_pending FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON search_pending
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);
