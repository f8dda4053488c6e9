-- Postings keyed (tenant, kind, bucket, gram, user_id), bucket = user_id >> 14
-- (STORE_GRAM_BUCKET_SHIFT in src/store/access.h; the two must agree): the
-- postings of new users go to the few hot pages of the newest bucket instead
-- of one random leaf page each. The table is rebuilt in key order and keeps
-- every posting.
CREATE TABLE search_grams_bucketed (
    tenant  INTEGER NOT NULL,
    kind    INTEGER NOT NULL,
    bucket  INTEGER NOT NULL,
    gram    INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    PRIMARY KEY (tenant, kind, bucket, gram, user_id)
) WITHOUT ROWID;
INSERT INTO search_grams_bucketed (tenant, kind, bucket, gram, user_id)
    SELECT tenant, kind, user_id >> 14, gram, user_id FROM search_grams
    ORDER BY tenant, kind, user_id >> 14, gram, user_id;
DROP TABLE search_grams;
ALTER TABLE search_grams_bucketed RENAME TO search_grams;

-- Pending postings: a create writes the grams of each indexed value of its
-- users as one row per (user, kind) here, with the user, on a sequential key
-- (one or two pages a commit); a merge moves them into search_grams in big
-- sorted batches. grams: the keyed 64-bit hashes, 8 bytes each, big-endian;
-- created: unix milliseconds.
CREATE TABLE search_pending (
    tenant  INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    kind    INTEGER NOT NULL,
    created INTEGER NOT NULL,
    grams   BLOB NOT NULL,
    PRIMARY KEY (tenant, user_id, kind)
) WITHOUT ROWID;
