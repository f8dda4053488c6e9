"""Bucketed postings (migration 0014): the search index is keyed (tenant,
kind, bucket, gram, user_id) with bucket = user_id >> BUCKET_SHIFT (on SQLite
one list per (tenant, kind, bucket, gram), migration 0015), a gram's postings
are read bucket by bucket in user order, and a vault whose postings were
written in the old layout keeps every one of them through the migrations."""
import sqlite3

import bunkerlib as bl
from bunkerlib import v2_ok

BUCKET_SHIFT = 14            # STORE_GRAM_BUCKET_SHIFT in src/store/access.h
CHUNK = 1000


search = bl.search_tokens
user_id = bl.user_row_id


def misplaced(srv):
    """Postings whose bucket is not their user's."""
    return bl.store_rows(srv, f"SELECT count(*) FROM search_postings "
                              f"WHERE bucket <> (user_id >> {BUCKET_SHIFT})")[0][0]


def merged_all(srv, timeout=20):
    """Wait until the merger moved every pending posting into the index."""
    return bl.wait_until(lambda: bl.store_rows(srv, "SELECT count(*) FROM search_pending")
                         == [(0,)], timeout=timeout)


def test_postings_carry_their_users_bucket(server, api):
    p = bl.profile()
    tok = api.create_user(p)
    uid = user_id(server, tok)
    assert bl.wait_until(lambda: bl.store_rows(
        server, "SELECT count(*) FROM search_pending WHERE user_id = ?", (uid,)) == [(0,)])
    rows = bl.store_rows(server, "SELECT DISTINCT bucket FROM search_postings WHERE user_id = ?",
                         (uid,))
    assert rows == [(uid >> BUCKET_SHIFT,)]
    assert misplaced(server) == 0
    assert search(api, p["login"], "login")[0] == tok


def jump_user_ids(srv, to):
    """Make the next user id <to> or more (the server stopped): a vault that
    far along without creating that many users."""
    if srv.store == "pgsql":
        bl.store_rows(srv, f"SELECT setval('users_id_seq', {to})")
    elif srv.store == "mysql":
        bl.store_rows(srv, f"ALTER TABLE users AUTO_INCREMENT = {to}")
    else:
        # the next rowid follows the highest: a row of no tenant holds it
        con = sqlite3.connect(str(srv.db_path), timeout=10)
        try:
            con.execute("INSERT INTO users (id, tenant, token, status, version, created, "
                        "updated) VALUES (?, -77, 'id-placeholder', 0, 1, 0, 0)", (to,))
            con.commit()
        finally:
            con.close()


def create_many(api, n, login, custom):
    recs = [{"profile": {"login": login(i), "custom": custom(i)}} for i in range(n)]
    return [c["token"] for c in v2_ok(api, "UserCreateBulk", {"records": recs})["created"]]


def test_search_spans_buckets(server_factory):
    # users in the first bucket and, after a jump of the ids, in the fourth
    # (two empty ones between): each is found, and a value close to one user
    # of each bucket finds both, the lower id first at the same score
    srv = server_factory()
    srv.init()
    srv.start()
    api = srv.client()
    m = bl.uid()[:6]
    low = create_many(api, 40, lambda i: f"span{m}lo{i:03d}",
                      lambda i: f"twin{m}1" if i == 7 else f"c{m}lo{i}")
    srv.stop()
    jump_user_ids(srv, 3 << BUCKET_SHIFT)
    srv.start()
    api = srv.client()
    high = create_many(api, 40, lambda i: f"span{m}hi{i:03d}",
                       lambda i: f"twin{m}2" if i == 9 else f"c{m}hi{i}")
    assert merged_all(srv)
    ids = [user_id(srv, t) for t in (low[0], low[-1], high[0], high[-1])]
    assert [i >> BUCKET_SHIFT for i in ids] == [0, 0, 3, 3]
    buckets = bl.store_rows(srv, "SELECT DISTINCT bucket FROM search_postings ORDER BY bucket")
    assert buckets == [(0,), (3,)]
    assert misplaced(srv) == 0
    for i in (0, 7, 39):
        assert search(api, f"span{m}lo{i:03d}", "login")[0] == low[i]
        assert search(api, f"span{m}hi{i:03d}", "login")[0] == high[i]
    assert search(api, f"twin{m}", "custom")[:2] == [low[7], high[9]]
    # a login prefix all eighty share: every one of them is a candidate
    found = search(api, f"span{m}", "login")
    assert set(found) <= set(low + high) and len(found) >= 10


DOWNGRADE = {
    "pgsql": ("ALTER TABLE search_grams DROP CONSTRAINT search_grams_pkey; "
              "ALTER TABLE search_grams DROP COLUMN bucket; "
              "ALTER TABLE search_grams ADD PRIMARY KEY (tenant, kind, gram, user_id); "
              "DROP TABLE search_pending; "
              "DELETE FROM schema_migrations WHERE version = 14"),
    "mysql": ("ALTER TABLE search_grams DROP PRIMARY KEY, DROP COLUMN bucket, "
              "ADD PRIMARY KEY (tenant, kind, gram, user_id); "
              "DROP TABLE search_pending; "
              "DELETE FROM schema_migrations WHERE version = 14"),
}


def downgrade(srv):
    """Put the postings back in the layout of migrations 0008-0013 (no
    pending table)."""
    if srv.store != "sqlite":
        bl.store_rows(srv, DOWNGRADE[srv.store])
        return
    con = sqlite3.connect(str(srv.db_path), timeout=10)
    try:
        con.create_function("bk_posting_offset", 2, bl._posting_offset, deterministic=True)
        con.execute(bl.POSTINGS_VIEW)
        con.executescript("""
            BEGIN;
            CREATE TABLE search_grams_old (
                tenant INTEGER NOT NULL, kind INTEGER NOT NULL, gram INTEGER NOT NULL,
                user_id INTEGER NOT NULL, PRIMARY KEY (tenant, kind, gram, user_id)
            ) WITHOUT ROWID;
            INSERT INTO search_grams_old SELECT tenant, kind, gram, user_id FROM search_postings;
            DROP VIEW temp.search_postings;
            DROP TABLE search_grams;
            ALTER TABLE search_grams_old RENAME TO search_grams;
            DROP TABLE search_pending;
            DELETE FROM schema_migrations WHERE version IN (14, 15);
            COMMIT;
        """)
    finally:
        con.close()


def test_migration_keeps_every_posting(server_factory):
    srv = server_factory()
    srv.init()
    srv.start()
    api = srv.client()
    people = [bl.profile() for _ in range(4)]
    toks = [api.create_user(p) for p in people]
    assert merged_all(srv)
    before = sorted(bl.store_rows(srv, "SELECT tenant, kind, gram, user_id FROM search_postings"))
    assert len(before) > 4 * 10
    srv.stop()
    downgrade(srv)
    cols = bl.store_rows(srv, "SELECT count(*) FROM search_grams")
    assert cols == [(len(before),)]
    srv.start()
    api = srv.client()
    after = sorted(bl.store_rows(srv, "SELECT tenant, kind, gram, user_id FROM search_postings"))
    assert after == before
    assert misplaced(srv) == 0
    assert bl.store_rows(srv, "SELECT version FROM schema_migrations WHERE version = 14") \
        == [(14,)]
    for p, t in zip(people, toks):
        assert search(api, p["login"], "login")[0] == t
        assert search(api, p["email"], "email")[0] == t
    # the migrated index takes new users and forgets old ones as before
    newbie = bl.profile()
    nt = api.create_user(newbie)
    assert search(api, newbie["login"], "login")[0] == nt
    v2_ok(api, "UserDelete", {"mode": "token", "identity": toks[0]})
    assert bl.store_rows(srv, "SELECT count(*) FROM search_postings WHERE user_id = ?",
                         (user_id(srv, toks[0]),)) == [(0,)]
