"""On PostgreSQL and MariaDB the events of concurrent reads are written in
batches (core/audit.c, struct audit_queue), and each tenant's run of a batch
goes in as ONE INSERT (store op audit_insert_many: PostgreSQL unnests one
array per column, MariaDB binds a multi-row VALUES), not one round trip per
event. Seen from the database server: PostgreSQL rows written by one
statement of a transaction share its command id (cmin), so every batch's
rows of a tenant share (xmin, cmin); MariaDB counts INSERT statements
(Com_insert) against transactions (Com_commit). The guarantees stay: every
read has exactly one event, in its own tenant's chain, in order, and the
chains verify."""

import os
import subprocess
import time

import pytest

import bunkerlib as bl
from bunkerlib import assert_ok

pytestmark = pytest.mark.skipif(bl.store_kind() == "sqlite",
                                reason="the statements a database server sees")

CLIENTS = 16
READS = 12


def _pg_super(srv, sql):
    """<sql> as the cluster's superuser (row-level security would show the
    vault's role one tenant at a time)."""
    cp = subprocess.run([bl._pg_cmd("psql"), "-h", os.environ["PGUP_DIR"], "-p",
                         os.environ["PGSQL_PORT"], "-U", "postgres", "-d", srv.db_name,
                         "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                        capture_output=True, text=True, timeout=60)
    assert cp.returncode == 0, cp.stderr
    return [line.split("|") for line in cp.stdout.strip().splitlines() if line]


def _my_counts(srv):
    out = bl.sql_as_vault_role(srv, "SHOW GLOBAL STATUS WHERE Variable_name IN "
                                    "('Com_commit', 'Com_insert')")
    counts = dict(line.split("\t") for line in out.strip().splitlines())
    return int(counts["Com_insert"]), int(counts["Com_commit"])


def _max_id(srv):
    if srv.store == "pgsql":
        return int(_pg_super(srv, "SELECT coalesce(max(id), 0) FROM audit")[0][0])
    return int(bl.sql_as_vault_role(srv, "SELECT coalesce(max(id), 0) FROM audit").strip())


def _burst(srv, users):
    """CLIENTS threads reading <users> ((token, headers) pairs) round robin;
    the number of acknowledged reads per token."""
    counts = bl.read_concurrently(srv, CLIENTS, READS,
                                  lambda i, k: users[(i + k) % len(users)], together=True)
    return {tok: counts.get(tok, 0) for tok, _ in users}


def _user_get_events(api, tok, hdr=None):
    b = assert_ok(api.get(f"/v1/audit/list/{tok}?offset=0&limit=1000", headers=hdr))
    return [r for r in b["rows"] if r.get("title") == "UserGet" or r.get("action") == "UserGet"]


def _pg_statement_groups(srv, after_id):
    """Per (tenant, transaction) of the events after <after_id>: (rows,
    distinct command ids)."""
    rows = _pg_super(srv, "SELECT tenant, xmin::text, count(*), count(DISTINCT cmin::text) "
                          f"FROM audit WHERE id > {int(after_id)} GROUP BY tenant, xmin::text")
    return [(int(n), int(cmds)) for _, _, n, cmds in rows]


def _check_pg(srv, after_id, reads):
    groups = _pg_statement_groups(srv, after_id)
    assert sum(n for n, _ in groups) == reads, groups
    # one INSERT per tenant run of a batch: its rows share one command id
    assert all(cmds == 1 for _, cmds in groups), groups
    return max(n for n, _ in groups)


def test_a_batch_of_reads_is_one_insert(fresh_server):
    api = fresh_server.client()
    users = []
    for _ in range(4):
        p = bl.profile()
        users.append((api.create_user(p), None))
    # a burst must have batched (some transaction wrote more than one event)
    # for the count to tell one INSERT from one per event; it nearly always does
    total = {tok: 0 for tok, _ in users}
    for _ in range(3):
        id0 = _max_id(fresh_server)
        if fresh_server.store == "mysql":
            ins0, com0 = _my_counts(fresh_server)
        counts = _burst(fresh_server, users)
        reads = sum(counts.values())
        for tok, n in counts.items():
            total[tok] += n
        if fresh_server.store == "pgsql":
            if _check_pg(fresh_server, id0, reads) > 1:
                break
        else:
            ins1, com1 = _my_counts(fresh_server)
            batches, inserts = com1 - com0, ins1 - ins0
            assert _max_id(fresh_server) - id0 >= reads
            # a batch of one tenant: the chain-lock upsert on audit_head, the
            # events (one statement per AUDIT_ROWS_MAX) and the signed head
            assert inserts <= 3 * batches + 2, (inserts, batches, reads)
            if batches < reads - 4:
                # one INSERT per event would have made inserts >= 2 * batches + reads
                assert inserts < 2 * batches + reads, (inserts, batches, reads)
                break
    else:
        pytest.fail("three bursts of concurrent reads never shared a transaction")
    for tok, _ in users:
        assert len(_user_get_events(api, tok)) == total[tok]
    rc, out = bl.audit_verify_own(fresh_server)
    assert rc == 0, out


def test_batches_of_two_tenants_keep_each_chain(fresh_server):
    """Runs of two tenants in one batch: each tenant's events in its own
    chain, one INSERT per run, every read audited exactly once."""
    root = fresh_server.client()
    name, _, _ = bl.create_tenant(root)
    hdr = {"X-Bunker-Tenant": name}
    tok0 = root.create_user(bl.profile())
    tok1 = assert_ok(root.post("/v1/user", json=bl.profile(), headers=hdr))["token"]
    id0 = _max_id(fresh_server)
    counts = _burst(fresh_server, [(tok0, None), (tok1, hdr)])
    assert len(_user_get_events(root, tok0)) == counts[tok0]
    assert len(_user_get_events(root, tok1, hdr)) == counts[tok1]
    if fresh_server.store == "pgsql":
        _check_pg(fresh_server, id0, sum(counts.values()))
    rc, out = bl.audit_verify_own(fresh_server)
    assert rc == 0, out
    # the chains keep going after the batches
    assert_ok(root.get("/v1/user/token/" + tok0))
    time.sleep(0.1)
    rc, out = bl.audit_verify_own(fresh_server)
    assert rc == 0, out
