-- Postings keyed (tenant, kind, bucket, gram, user_id), bucket = user_id >> 12
-- (STORE_GRAM_BUCKET_SHIFT in src/store/access.h; the two must agree): the
-- postings of new users go to the few hot pages of the newest bucket instead
-- of one random leaf page each. Every posting is kept. Statements end with ';'
-- at the end of a line; each can be run again safely.
ALTER TABLE search_grams ADD COLUMN IF NOT EXISTS bucket BIGINT NOT NULL DEFAULT 0 AFTER kind;
UPDATE search_grams SET bucket = user_id >> 12;
ALTER TABLE search_grams DROP PRIMARY KEY, ADD PRIMARY KEY (tenant, kind, bucket, gram, user_id);
ALTER TABLE search_grams ALTER COLUMN bucket DROP DEFAULT;
