-- Posting lists: one row per (tenant, kind, bucket, gram) whose ids hold the
-- bucket's users holding the gram, each as its 16-bit offset in the bucket
-- (user_id - (bucket << 14)), big-endian, ascending (src/store/gramlist.h).
-- Two bytes a posting instead of a row of five integers, and a merge writes
-- one row per gram it touches (bk_ids_union) instead of one per posting.
-- bk_ids_agg is registered on every connection (src/store/sqlite_gramfn.c).
CREATE TABLE search_lists (
    tenant INTEGER NOT NULL,
    kind   INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    gram   INTEGER NOT NULL,
    ids    BLOB NOT NULL,
    PRIMARY KEY (tenant, kind, bucket, gram)
) WITHOUT ROWID;
INSERT INTO search_lists (tenant, kind, bucket, gram, ids)
    SELECT tenant, kind, bucket, gram, bk_ids_agg(user_id - (bucket << 14)) FROM search_grams
    GROUP BY tenant, kind, bucket, gram ORDER BY tenant, kind, bucket, gram;
DROP TABLE search_grams;
ALTER TABLE search_lists RENAME TO search_grams;
