"""Concurrent writers through two instances on one database (SQLite, PostgreSQL,
MariaDB): races that end in a duplicate key on the losing side (the same index
row, search postings, version and audit head rows written by two transactions)
are retried by the server, never answered 409 or 5xx, and nothing is lost. A
duplicate the caller asked for (another user's email) stays 409."""
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

import bunkerlib as bl
from bunkerlib import assert_ok

THREADS, PER = 10, 12


CONF = "versioning:\n  enabled: true\n  max_versions: 5\n"


def _twins(server_factory):
    """Two instances on one database; on SQLite (one process owns the file) one instance,
    whose workers race the same way."""
    a = server_factory(conf=CONF)
    a.init()
    a.start()
    if bl.store_kind() == "sqlite":
        return a, a
    b = server_factory(masterkey=a.masterkey, roottoken=a.token, db_name=a.db_name, conf=CONF)
    b.start()
    return a, b


def _race(a, b, job):
    """Run job(i, session, srv) in THREADS threads started together, alternating
    instances; returns the (status, text) of every request."""
    barrier = threading.Barrier(THREADS)

    def worker(i):
        srv = a if i % 2 == 0 else b
        s = requests.Session()
        s.headers["X-Bunker-Token"] = srv.token
        barrier.wait(timeout=30)
        try:
            return job(i, s, srv)
        finally:
            s.close()

    with ThreadPoolExecutor(THREADS) as ex:
        return [c for cs in ex.map(worker, range(THREADS)) for c in cs]


def test_racing_updates_of_indexed_fields_lose_nothing(server_factory):
    a, b = _twins(server_factory)
    ca = a.client()
    p = {"email": bl.email("race"), "login": bl.login(), "fname": "Racer", "n": 0}
    tok = ca.create_user(p)
    other = bl.profile()
    ca.create_user(other)
    logins = [bl.login() for _ in range(3)]

    def job(i, s, srv):
        codes = []
        for j in range(PER):
            # several writers set the same new login and name at once: the same index row
            # and search postings inserted by two transactions
            body = {f"k{i}_{j}": j, "login": logins[j % 3], "fname": f"Racer{j % 3}"}
            r = s.put(f"{srv.url}/v1/user/token/{tok}", json=body, timeout=60)
            codes.append((r.status_code, r.text[:200]))
        return codes

    results = _race(a, b, job)
    bad = [c for c in results if c[0] != 200]
    assert not bad, f"{len(bad)} updates refused: {bad[:5]}"
    data = b.client().user_data("token", tok)
    missing = [f"k{i}_{j}" for i in range(THREADS) for j in range(PER)
               if data.get(f"k{i}_{j}") != j]
    assert not missing, f"lost updates: {missing[:10]}"
    assert data["login"] in logins and data["email"] == p["email"]
    # the index follows the last write: the user is found by its login, the old one is free
    assert b.client().user_data("login", data["login"])["email"] == p["email"]
    bl.assert_not_found(ca.get_user("login", p["login"]))
    rows = assert_ok(ca.audit_list(tok, limit=1000))["rows"]
    assert [r["title"] for r in rows].count("UserUpdate") == THREADS * PER
    # a real duplicate stays a conflict, on either instance
    for c in (ca, b.client()):
        bl.assert_error(c.put_user("token", tok, {"email": other["email"]}), 409)
        bl.assert_error(c.post("/v1/user", json={"email": p["email"]}), 409)


def test_racing_creates_and_updates_of_many_users(server_factory):
    a, b = _twins(server_factory)
    toks = [a.client().create_user(bl.profile()) for _ in range(4)]

    def job(i, s, srv):
        codes = []
        for j in range(PER):
            # each writer creates users (the tenant's audit head, the index) and updates
            # shared ones (versions, postings) in between
            r = s.post(f"{srv.url}/v1/user", json={"email": bl.email(f"c{i}"), "n": j},
                       timeout=60)
            codes.append((r.status_code, r.text[:200]))
            t = toks[(i + j) % len(toks)]
            r = s.put(f"{srv.url}/v1/user/token/{t}", json={f"k{i}_{j}": j,
                                                           "lname": f"L{j % 2}"}, timeout=60)
            codes.append((r.status_code, r.text[:200]))
        return codes

    results = _race(a, b, job)
    bad = [c for c in results if c[0] != 200]
    assert not bad, f"{len(bad)} calls refused: {bad[:5]}"
    merged = {}
    for t in toks:
        merged.update(b.client().user_data("token", t))
    missing = [f"k{i}_{j}" for i in range(THREADS) for j in range(PER)
               if merged.get(f"k{i}_{j}") != j]
    assert not missing, f"lost updates: {missing[:10]}"
