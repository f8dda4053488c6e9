"""Crash safety: several threads create, update and delete users while the
server is killed with SIGKILL at random moments, then restarted. Every write
that was acknowledged (200) must be there, intact and decryptable; nothing
unacknowledged may be half-visible (an index that resolves must lead to a
profile holding that value; a deleted user stays deleted)."""

import random
import threading
import time

import pytest
import requests

import bunkerlib as bl

pytestmark = pytest.mark.slow

KILLS = 25
THREADS = 4
DEADLINE_S = 80           # stop killing early rather than run long


class User:
    """What the clients know about one user. <states> is the set of
    profiles (None: deleted) the store may hold: one when every write was
    acknowledged, more when a write's answer was lost in a kill."""

    def __init__(self, token, prof):
        self.token = token
        self.states = [prof]
        self.email = prof["email"]

    @property
    def settled(self):
        return len(self.states) == 1


class Worker(threading.Thread):
    def __init__(self, base, token, users, maybe_emails, lock, seed):
        super().__init__(daemon=True)
        self.base = base
        self.token = token
        self.users = users            # this thread's own users: no two threads share one
        self.maybe = maybe_emails     # emails of creates whose answer was lost
        self.lock = lock
        self.rnd = random.Random(seed)
        self.stop = threading.Event()
        self.acks = 0

    def req(self, s, method, path, **kw):
        return s.request(method, self.base + path, headers={"X-Bunker-Token": self.token},
                         timeout=5, **kw)

    def run(self):
        s = requests.Session()
        while not self.stop.is_set():
            live = [u for u in self.users if u.settled and u.states[0] is not None]
            op = self.rnd.random()
            try:
                if op < 0.45 or not live:
                    self.create(s)
                elif op < 0.85:
                    self.update(s, self.rnd.choice(live))
                else:
                    self.delete(s, self.rnd.choice(live))
            except requests.RequestException:
                return          # the server is gone: the outcome was recorded as unknown

    def create(self, s):
        p = bl.profile()
        with self.lock:
            self.maybe.add(p["email"])
        r = self.req(s, "POST", "/v1/user", json=p)
        if r.status_code == 200:
            self.users.append(User(r.json()["token"], p))
            self.acks += 1

    def update(self, s, u):
        old = u.states[0]
        new = dict(old, fname="F" + bl.uid(), email=bl.email("upd"))
        u.states = [old, new]     # unknown until answered
        with self.lock:
            self.maybe.add(new["email"])
        r = self.req(s, "PUT", bl.upath("token", u.token), json={"fname": new["fname"],
                                                                  "email": new["email"]})
        if r.status_code == 200:
            u.states = [new]
            self.acks += 1
        elif r.status_code < 500:
            u.states = [old]

    def delete(self, s, u):
        old = u.states[0]
        u.states = [old, None]
        r = self.req(s, "DELETE", bl.upath("token", u.token))
        if r.status_code == 200:
            u.states = [None]
            self.acks += 1
        elif r.status_code < 500:
            u.states = [old]


def check(api, users, maybe, sample=None):
    """Every known user is in one of its possible states; every email that
    resolves leads to a profile with that email."""
    pool = users if sample is None else random.sample(users, min(sample, len(users)))
    for u in pool:
        r = api.get_user("token", u.token)
        if r.status_code == 404:
            assert None in u.states, f"acknowledged user {u.token} is gone{bl.describe(r)}"
            u.states = [None]
            continue
        b = bl.assert_ok(r)
        assert b["data"] in [s for s in u.states if s is not None], \
            f"user {u.token} holds a profile no acknowledged write produced: {b['data']}"
        u.states = [b["data"]]
    emails = list(maybe) if sample is None else random.sample(sorted(maybe),
                                                              min(sample, len(maybe)))
    for e in emails:
        r = api.get_user("email", e)
        if r.status_code == 404:
            continue
        b = bl.assert_ok(r)
        assert b["data"].get("email") == e, f"index for {e} leads to another profile: {b}"


def test_sigkill_under_concurrent_writes(server_factory):
    srv = server_factory()
    srv.init()
    srv.start()
    lock = threading.Lock()
    per_thread = [[] for _ in range(THREADS)]
    maybe = set()
    rnd = random.Random()
    t0 = time.monotonic()
    kills = acks = 0
    while kills < KILLS and time.monotonic() - t0 < DEADLINE_S:
        workers = [Worker(srv.url, srv.token, per_thread[i], maybe, lock, rnd.random())
                   for i in range(THREADS)]
        for w in workers:
            w.start()
        time.sleep(rnd.uniform(0.15, 0.7))
        srv.proc.kill()                       # SIGKILL, mid-request
        srv.proc.wait(timeout=10)
        srv._close_files()
        kills += 1
        for w in workers:
            w.stop.set()
            w.join(timeout=10)
            acks += w.acks
        srv.start()
        users = [u for lst in per_thread for u in lst]
        check(srv.client(), users, maybe, sample=15)
    assert kills >= KILLS, f"only {kills} kills in {DEADLINE_S}s"
    users = [u for lst in per_thread for u in lst]
    assert acks > 50, f"too few acknowledged writes ({acks}) to prove anything"
    check(srv.client(), users, maybe)
    rc, out = bl.audit_verify_own(srv)
    assert rc == 0, f"audit trail broken after {kills} kills: {out}"
    print(f"crash test: {kills} kills, {acks} acknowledged writes, {len(users)} users, "
          f"{len(maybe)} emails checked, {time.monotonic() - t0:.1f}s")
