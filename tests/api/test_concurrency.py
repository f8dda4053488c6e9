"""8 threads create and read 1,000 users in total; zero errors."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

import bunkerlib as bl

pytestmark = pytest.mark.slow

THREADS = 8
TOTAL = 1000


def _session(server):
    s = requests.Session()
    s.headers["X-Bunker-Token"] = server.token
    return s


def test_parallel_create_and_read(server):
    run = bl.uid()
    per = TOTAL // THREADS
    barrier = threading.Barrier(THREADS)
    base = server.url

    def worker(i):
        s = _session(server)
        created, errors = [], []
        barrier.wait(timeout=30)
        for j in range(per):
            p = {"email": f"conc.{run}.{i}.{j}@example.com", "login": f"conc-{run}-{i}-{j}",
                 "thread": i, "seq": j, "name": f"Concurrent {i}/{j}"}
            try:
                r = s.post(base + "/v1/user", json=p, timeout=30)
                if r.status_code != 200 or r.json().get("status") != "ok":
                    errors.append(("create", p["login"], r.status_code, r.text[:200]))
                    continue
                tok = r.json()["token"]
                g = s.get(f"{base}/v1/user/token/{tok}", timeout=30)
                if g.status_code != 200 or g.json().get("data") != p:
                    errors.append(("read", tok, g.status_code, g.text[:200]))
                created.append((tok, p))
            except Exception as e:  # noqa: BLE001 - collect everything
                errors.append(("exception", p["login"], repr(e)))
        s.close()
        return created, errors

    with ThreadPoolExecutor(THREADS) as ex:
        results = list(ex.map(worker, range(THREADS)))
    created = [c for cs, _ in results for c in cs]
    errors = [e for _, es in results for e in es]
    assert not errors, f"{len(errors)} errors, first: {errors[:10]}"
    assert len(created) == per * THREADS == TOTAL
    toks = [t for t, _ in created]
    assert len(set(toks)) == TOTAL
    for t in toks:
        bl.assert_uuid4(t)

    # every token readable afterwards, every email finds its own token (in parallel too)
    chunks = [created[k::THREADS] for k in range(THREADS)]

    def verify(chunk):
        s = _session(server)
        bad = []
        for tok, p in chunk:
            try:
                g = s.get(f"{base}/v1/user/token/{tok}", timeout=30)
                if g.status_code != 200 or g.json().get("data") != p:
                    bad.append(("token", tok, g.status_code, g.text[:200]))
                e = s.get(f"{base}/v1/user/email/{bl.q(p['email'])}", timeout=30)
                if e.status_code != 200 or e.json().get("token") != tok:
                    bad.append(("email", p["email"], e.status_code, e.text[:200]))
            except Exception as ex:  # noqa: BLE001
                bad.append(("exception", tok, repr(ex)))
        s.close()
        return bad

    with ThreadPoolExecutor(THREADS) as ex:
        bad = [b for bs in ex.map(verify, chunks) for b in bs]
    assert not bad, f"{len(bad)} bad reads, first: {bad[:10]}"
    assert server.alive()


def test_parallel_duplicate_creates_one_wins(server):
    """16 concurrent creates of the same email: exactly one 200, the rest 409."""
    mail = bl.email("race")
    barrier = threading.Barrier(16)

    def one(i):
        s = _session(server)
        barrier.wait(timeout=30)
        r = s.post(server.url + "/v1/user", json={"email": mail, "i": i}, timeout=30)
        s.close()
        return r.status_code

    with ThreadPoolExecutor(16) as ex:
        codes = list(ex.map(one, range(16)))
    assert sorted(codes) == [200] + [409] * 15, codes
