-- Postings keyed (tenant, kind, bucket, gram, user_id), bucket = user_id >> 12
-- (STORE_GRAM_BUCKET_SHIFT in src/store/access.h; the two must agree): the
-- postings of new users go to the few hot pages of the newest bucket instead
-- of one random leaf page each. Every posting is kept; the table's owner
-- sees every tenant's rows while row-level security is not forced.
ALTER TABLE search_grams NO FORCE ROW LEVEL SECURITY;
ALTER TABLE search_grams ADD COLUMN bucket BIGINT;
UPDATE search_grams SET bucket = user_id >> 12;
ALTER TABLE search_grams ALTER COLUMN bucket SET NOT NULL;
ALTER TABLE search_grams DROP CONSTRAINT search_grams_pkey;
ALTER TABLE search_grams ADD PRIMARY KEY (tenant, kind, bucket, gram, user_id);
ALTER TABLE search_grams FORCE ROW LEVEL SECURITY;
