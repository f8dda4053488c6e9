-- Postings keyed (tenant, kind, bucket, gram, user_id), bucket = user_id >> 14
-- (STORE_GRAM_BUCKET_SHIFT in src/store/access.h; the two must agree): the
-- postings of new users go to the few hot pages of the newest bucket instead
-- of one random leaf page each. Every posting is kept. Statements end with ';'
-- at the end of a line; each can be run again safely.
ALTER TABLE search_grams ADD COLUMN IF NOT EXISTS bucket BIGINT NOT NULL DEFAULT 0 AFTER kind;
UPDATE search_grams SET bucket = user_id >> 14;
ALTER TABLE search_grams DROP PRIMARY KEY, ADD PRIMARY KEY (tenant, kind, bucket, gram, user_id);
ALTER TABLE search_grams ALTER COLUMN bucket DROP DEFAULT;

-- Pending postings: a create writes the grams of each indexed value of its
-- users as one row per (user, kind) here, with the user, on a sequential key;
-- a merge moves them into search_grams in big sorted batches. grams: the
-- keyed 64-bit hashes, 8 bytes each, big-endian; created: unix milliseconds.
-- (This backend writes postings directly for now; the table is kept so every
-- backend has the same tables.)
CREATE TABLE IF NOT EXISTS search_pending (
    tenant  BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    kind    BIGINT NOT NULL,
    created BIGINT NOT NULL,
    grams   BLOB NOT NULL,
    PRIMARY KEY (tenant, user_id, kind)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
