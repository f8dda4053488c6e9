"""GET /v1/sys/backup: root token only; the SQL dump restores into an empty
database with the sqlite3 CLI, and a server started on the restored file
with the same key reads the users back. The dump holds no plaintext."""

import shutil
import subprocess

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_ok

# The dump is SQLite's own SQL; PostgreSQL and MariaDB are backed up with
# pg_dump / mariadb-dump (docs/OPERATIONS.md) and answer 501 here.
sqlite_only = pytest.mark.skipif(bl.store_kind() != "sqlite",
                                 reason="GET /v1/sys/backup dumps SQLite only; database "
                                        "servers use pg_dump / mariadb-dump")


@sqlite_only
def test_backup_restores_into_a_fresh_database(fresh_server, server_factory, tmp_path):
    srv = fresh_server
    api = srv.client()
    marker = bl.uid()
    people = [bl.profile(secret=f"Backupsecret{marker}{i}", note="it's 'quoted'")
              for i in range(4)]
    toks = [api.create_user(p) for p in people]
    assert_ok(api.put_user("token", toks[0], {"fname": "Updated"}))
    people[0]["fname"] = "Updated"
    assert_ok(api.delete_user("token", toks[3]))
    # the search index's posting lists (blobs) go into the dump too
    assert bl.wait_until(lambda: bl.store_rows(srv, "SELECT count(*) FROM search_pending")
                         == [(0,)], timeout=20)
    r = api.get("/v1/sys/backup")
    assert r.status_code == 200, bl.describe(r)
    assert r.headers["Content-Type"].startswith("application/sql")
    dump = r.text
    assert dump.startswith("PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n")
    assert dump.rstrip().endswith("COMMIT;")
    assert "CREATE TABLE users" in dump and "INSERT INTO \"users\" VALUES(" in dump
    assert "X'" in dump
    for p in people:
        for v in (p["email"], p["login"], p["secret"]):
            assert v not in dump

    sqlite3 = shutil.which("sqlite3")
    assert sqlite3, "the sqlite3 CLI is needed to restore the dump"
    restored = tmp_path / "restored.db"
    cp = subprocess.run([sqlite3, str(restored)], input=dump, text=True, capture_output=True,
                        timeout=60)
    assert cp.returncode == 0 and cp.stderr == "", cp.stderr

    srv2 = server_factory(masterkey=srv.masterkey, roottoken=srv.token, db_path=restored)
    srv2.start()
    api2 = srv2.client()
    for t, p in zip(toks[:3], people[:3]):
        assert api2.user_data("token", t) == p
        assert api2.user_data("email", p["email"]) == p
        assert api2.user_data("login", p["login"]) == p
    bl.assert_not_found(api2.get_user("token", toks[3]))
    for t, p in zip(toks[:3], people[:3]):
        assert bl.search_tokens(api2, p["login"], "login")[0] == t
    assert toks[3] not in bl.search_tokens(api2, people[3]["login"], "login")
    # the audit trail came along
    assert api2.audit_rows(toks[0])["total"] >= 2
    # and the restored server takes writes
    api2.create_user(bl.profile())


@sqlite_only
def test_backup_of_a_restored_database_is_the_same(fresh_server, server_factory, tmp_path):
    api = fresh_server.client()
    api.create_user(bl.profile())
    first = api.get("/v1/sys/backup").text
    restored = tmp_path / "r.db"
    subprocess.run(["sqlite3", str(restored)], input=first, text=True, check=True, timeout=60)
    srv2 = server_factory(masterkey=fresh_server.masterkey, db_path=restored)
    srv2.token = fresh_server.token
    srv2.start()
    second = srv2.client().get("/v1/sys/backup").text
    assert second == first


def test_backup_needs_the_root_token(server):
    for tok in (None, "", "wrong-token", "0a8ac2a7-cc40-4b88-a48e-2f3c0bd1d2c1"):
        r = server.client(token=tok).get("/v1/sys/backup")
        assert_error(r, 401)
    assert_error(server.client().post("/v1/sys/backup"), 405)


@pytest.mark.skipif(bl.store_kind() == "sqlite", reason="SQLite has the SQL dump")
def test_backup_on_a_database_server_is_501_naming_its_tool(server):
    api = server.client()
    r = api.get("/v1/sys/backup")
    b = assert_error(r, 501)
    assert "pg_dump" in b["message"] and "mariadb-dump" in b["message"]
    assert "OPERATIONS.md" in b["message"]
    assert_error(server.client(token=None).get("/v1/sys/backup"), 401)
