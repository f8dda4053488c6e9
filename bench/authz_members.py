#!/usr/bin/env python3
"""Server CPU per policy-checked UserGet whose policy tests ${principal_group_members}
against a large group, for two binaries A and B on one SQLite vault, interleaved.

    python3 bench/authz_members.py BIN_A BIN_B [MEMBERS] [REQUESTS] [ROUNDS]

A manager (role mgr) in a group of MEMBERS users (role staff) reads a staff member
and, separately, a user outside the group (403), REQUESTS times each per round.
The server's utime+stime ticks (/proc/PID/stat) around each run give CPU
microseconds per request; the table shows the medians over ROUNDS rounds."""
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "api"))
import bunkerlib as bl  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def setup(srv, members):
    api = srv.client()
    bl.v2_ok(api, "RoleCreate", {"rolename": "mgr"})
    bl.v2_ok(api, "RoleCreate", {"rolename": "staff"})
    bl.v2_ok(api, "GroupCreate", {"groupname": "big"})
    pid = bl.v2_ok(api, "PolicyCreate", {"policyname": "team", "policy": {
        "Effect": "Allow", "Principal": {"Role": "mgr"}, "Action": ["UserGet"],
        "Resource": ["*"],
        "Condition": {"StringEquals": {"${target_id}": "${principal_group_members:role/staff}"}}}})
    bl.v2_ok(api, "RoleLinkPolicy", {"rolename": "mgr", "policyid": pid["policyid"]})
    mgr = bl.v2_ok(api, "UserCreate", {"profile": {"email": bl.email("mgr")},
                                       "groupname": "big", "rolename": "mgr"})["token"]
    first = None
    for start in range(0, members, 500):
        recs = [{"profile": {"email": bl.email("m"), "n": start + i}, "groupname": "big",
                 "rolename": "staff"} for i in range(min(500, members - start))]
        made = bl.v2_ok(api, "UserCreateBulk", {"records": recs})["created"]
        if first is None:
            first = made[len(made) // 2]["token"]
    outsider = api.create_user({"email": bl.email("out")})
    return bl.xtoken_for_user(api, mgr, finaltime="1d"), first, outsider


def run(srv, xt, target, want, n):
    c = srv.client(xt)
    body = {"mode": "token", "identity": target}
    assert c.v2("UserGet", body).status_code == want
    t0 = cpu_ticks(srv.proc.pid)
    for _ in range(n):
        r = c.v2("UserGet", body)
        assert r.status_code == want, r.text
    return (cpu_ticks(srv.proc.pid) - t0) * 1e6 / TICK / n


def main():
    bins = [Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()]
    members = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 300
    rounds = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    work = Path(tempfile.mkdtemp(prefix="authz-bench."))
    os.environ["DATABUNKER_BIN"] = str(bins[0])
    srv = bl.Server(work / "srv")
    srv.init()
    srv.start()
    t = time.time()
    xt, member, outsider = setup(srv, members)
    print(f"setup: {members} members in {time.time() - t:.0f} s", file=sys.stderr)
    srv.stop()
    res = {(b, k): [] for b in range(2) for k in ("member", "outsider")}
    for _ in range(rounds):
        for b in range(2):
            os.environ["DATABUNKER_BIN"] = str(bins[b])
            srv.start()
            res[(b, "member")].append(run(srv, xt, member, 200, n))
            res[(b, "outsider")].append(run(srv, xt, outsider, 403, n))
            srv.stop()
    print(f"{'binary':<40} {'member us/req':>14} {'outsider us/req':>16}")
    for b in range(2):
        m = statistics.median(res[(b, "member")])
        o = statistics.median(res[(b, "outsider")])
        print(f"{str(bins[b])[-40:]:<40} {m:>14.0f} {o:>16.0f}")
    print("rounds:", {f"{b}:{k}": [round(x) for x in v] for (b, k), v in res.items()})


if __name__ == "__main__":
    main()
