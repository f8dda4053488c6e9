-- The search index keeps only its primary key (tenant, kind, gram, user_id).
-- A user's postings are named by the grams of their profile, so an update or
-- a forget deletes them by that key; the second index by user cost every
-- create a B-tree insert per posting for a lookup nobody needs. Statements
-- end with ';' at the end of a line; each can be run again safely.
ALTER TABLE search_grams DROP INDEX IF EXISTS search_grams_by_user;
