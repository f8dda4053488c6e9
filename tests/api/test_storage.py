"""The database server backends (PostgreSQL, MariaDB): outages answered with
503 and nothing half-written, service resuming by itself, and several
stateless instances on one database behaving as one."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

import bunkerlib as bl
from bunkerlib import assert_ok

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(bl.store_kind() == "sqlite",
                                 reason="needs a database server (PostgreSQL or MariaDB)")]


def test_outage_answers_503_and_writes_nothing_then_resumes(fresh_server):
    srv = fresh_server
    api = srv.client()
    p = bl.profile()
    tok = api.create_user(p)
    bl.db_server_stop()
    try:
        for r in (api.get_user("token", tok),
                  api.put_user("token", tok, {"fname": "DuringOutage"}),
                  api.post("/v1/user", json=bl.profile()),
                  api.delete_user("token", tok),
                  api.v2("UserGet", {"mode": "token", "identity": tok})):
            b = bl.assert_error(r, 503)
            assert b["message"] == "storage unavailable", bl.describe(r)
        assert srv.alive()
    finally:
        bl.db_server_resume()
    # back by itself: no restart of the vault, nothing of the outage applied
    deadline = time.monotonic() + 20
    while True:
        r = api.get_user("token", tok)
        if r.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    b = assert_ok(r)
    assert b["data"] == p
    assert_ok(api.put_user("token", tok, {"fname": "After"}))
    assert api.user_data("token", tok)["fname"] == "After"
    rows = assert_ok(api.audit_list(tok))["rows"]
    assert [x["title"] for x in rows].count("UserUpdate") == 1
    assert srv.alive()


def test_database_restart_is_invisible_to_clients(fresh_server):
    srv = fresh_server
    api = srv.client()
    toks = [api.create_user(bl.profile()) for _ in range(3)]
    bl.db_server_restart()
    # the pooled connections died with the old server: the first request on
    # each is served over a new connection, without an error
    for _ in range(3):
        for t in toks:
            assert_ok(api.get_user("token", t))
    api.create_user(bl.profile())
    assert srv.alive()


def test_first_statement_after_a_restart_outside_a_transaction(fresh_server):
    """Lookups that run without a transaction (a group, an unlock id) on
    pooled connections that outlived their database server are served over
    new connections, not answered 503."""
    srv = fresh_server
    api = srv.client()
    gid = bl.v2_ok(api, "GroupCreate", {"groupname": f"g{bl.uid()}"})["groupid"]
    u = bl.unlock(api)

    def lookups(_):
        a = srv.client()
        return [a.v2("GroupGet", {"groupid": gid}),
                a.v2("BulkListGroupUsers", {"unlockuuid": u, "groupid": gid})]

    with ThreadPoolExecutor(8) as ex:   # several pooled connections in use
        for rs in ex.map(lookups, range(32)):
            for r in rs:
                assert_ok(r)
    bl.db_server_restart()
    with ThreadPoolExecutor(8) as ex:
        for rs in ex.map(lookups, range(32)):
            for r in rs:
                assert_ok(r)
    assert srv.alive()


def _twins(server_factory):
    a = server_factory()
    a.init()
    a.start()
    b = server_factory(masterkey=a.masterkey, roottoken=a.token, db_name=a.db_name)
    b.start()
    return a, b


def test_two_instances_behave_as_one(server_factory):
    a, b = _twins(server_factory)
    ca, cb = a.client(), b.client()
    p = bl.profile()
    tok = ca.create_user(p)
    assert cb.user_data("token", tok) == p
    assert cb.user_data("email", p["email"]) == p
    assert_ok(cb.put_user("email", p["email"], {"fname": "FromB", "age": None}))
    want = dict(p, fname="FromB")
    del want["age"]
    assert ca.user_data("login", p["login"]) == want
    # uniqueness holds across instances
    bl.assert_error(cb.post("/v1/user", json={"email": p["email"]}), 409)
    # the audit trail is one
    titles = [r["title"] for r in assert_ok(ca.audit_list(tok))["rows"]]
    assert "UserUpdate" in titles and "UserCreate" in titles
    # a session and a bulk unlock id made on A work on B
    sid = bl.uid()
    assert_ok(ca.v2("SessionUpsert", {"sessionuuid": sid, "sessiondata": {"cart": 3}}))
    assert assert_ok(cb.v2("SessionGet", {"sessionuuid": sid}))["sessiondata"] == {"cart": 3}
    unlock = assert_ok(ca.v2("BulkListUnlock", {}))["unlockuuid"]
    rows = assert_ok(cb.v2("BulkListAllUsers", {"unlockuuid": unlock, "offset": 0,
                                                "limit": 100}))["rows"]
    assert tok in [r["token"] for r in rows]
    assert_ok(ca.delete_user("token", tok))
    bl.assert_not_found(cb.get_user("token", tok))
    bl.assert_not_found(cb.get_user("email", p["email"]))


def test_concurrent_updates_through_two_instances_lose_nothing(server_factory):
    a, b = _twins(server_factory)
    p = {"email": bl.email("hammer"), "n": 0}
    tok = a.client().create_user(p)
    threads, per = 6, 12
    barrier = threading.Barrier(threads)

    def worker(i):
        srv = a if i % 2 == 0 else b
        s = requests.Session()
        s.headers["X-Bunker-Token"] = srv.token
        barrier.wait(timeout=30)
        codes = []
        for j in range(per):
            r = s.put(f"{srv.url}/v1/user/token/{tok}", json={f"k{i}_{j}": j}, timeout=60)
            codes.append((r.status_code, r.text[:200]))
        s.close()
        return codes

    with ThreadPoolExecutor(threads) as ex:
        results = [c for cs in ex.map(worker, range(threads)) for c in cs]
    bad = [c for c in results if c[0] != 200]
    assert not bad, f"{len(bad)} updates refused: {bad[:5]}"
    data = b.client().user_data("token", tok)
    missing = [f"k{i}_{j}" for i in range(threads) for j in range(per)
               if data.get(f"k{i}_{j}") != j]
    assert not missing, f"lost updates: {missing[:10]}"
    rows = assert_ok(a.client().audit_list(tok, limit=1000))
    assert [r["title"] for r in rows["rows"]].count("UserUpdate") == threads * per
