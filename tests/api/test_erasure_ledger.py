"""Erasure that stays erased. Forgetting a user appends (tenant, token, time)
to an HMAC-chained ledger file beside the database, fsync'd before the
delete commits; at start-up the ledger is re-applied. So restoring an older
copy of the database (taken before the delete) does not bring the user back,
and the re-applied erasure is audited."""

import shutil

import pytest

import bunkerlib as bl
from bunkerlib import assert_ok

pytestmark = pytest.mark.slow


def _restore(srv, backup):
    for p in srv.db_files():
        p.unlink()
    shutil.copy(backup, srv.db_path)


def test_restored_backup_does_not_bring_a_forgotten_user_back(server_factory, tmp_path):
    srv = server_factory()
    srv.init()
    srv.start()
    api = srv.client()
    gone, keep = bl.profile(), bl.profile()
    tok_gone = api.create_user(gone)
    tok_keep = api.create_user(keep)
    backup = tmp_path / "backup.db"
    bl.sqlite_copy(srv.db_path, backup)            # the online backup, WAL included
    assert_ok(api.delete_user("email", gone["email"]))
    srv.stop()

    ledger = srv.workdir / "databunker.db.erasures"
    text = ledger.read_text()
    assert tok_gone in text and gone["email"] not in text and gone["lname"] not in text

    _restore(srv, backup)
    srv.start()
    api = srv.client()
    for mode in ("token", "email", "phone", "login", "custom"):
        bl.assert_not_found(api.get_user(mode, tok_gone if mode == "token" else gone[mode]))
    assert api.user_data("token", tok_keep) == keep
    events = assert_ok(api.audit_list(tok_gone))["rows"]
    replayed = [e for e in events if e["title"] == "UserDelete" and "erasure ledger" in e["msg"]]
    assert replayed and replayed[0]["who"] == "erasure-ledger", events
    assert "re-applied" in srv.log_path.read_text()
    # the identities are free again, as after the original delete
    api.create_user({"email": gone["email"]})
    rc, out = bl.audit_verify(srv)
    assert rc == 0, out

    # a second start re-applies nothing new and keeps the user gone
    srv.stop()
    srv.start()
    bl.assert_not_found(srv.client().get_user("token", tok_gone))


def test_ledger_path_is_configurable(server_factory, tmp_path):
    lp = tmp_path / "elsewhere" / "erasures.log"
    lp.parent.mkdir()
    srv = server_factory(conf=f"erasure:\n  ledger_path: \"{lp}\"\n")
    srv.init()
    srv.start()
    api = srv.client()
    tok = api.create_user(bl.profile())
    assert_ok(api.delete_user("token", tok))
    assert tok in lp.read_text()
    assert not (srv.workdir / "databunker.db.erasures").exists()


def test_altered_ledger_refuses_start(server_factory):
    srv = server_factory()
    srv.init()
    srv.start()
    api = srv.client()
    toks = [api.create_user(bl.profile()) for _ in range(3)]
    for t in toks:
        assert_ok(api.delete_user("token", t))
    srv.stop()
    ledger = srv.workdir / "databunker.db.erasures"
    lines = ledger.read_text().splitlines(keepends=True)
    assert len(lines) == 3
    ledger.write_text(lines[0] + lines[2])          # an erasure removed from the middle
    rc, log, served = srv.start_expect_exit()
    assert rc not in (0, None) and not served
    assert "erasure ledger" in log and "does not verify" in log


def test_torn_last_line_is_cut(server_factory):
    srv = server_factory()
    srv.init()
    srv.start()
    api = srv.client()
    tok = api.create_user(bl.profile())
    assert_ok(api.delete_user("token", tok))
    srv.stop()
    ledger = srv.workdir / "databunker.db.erasures"
    good = ledger.read_text()
    with open(ledger, "a") as f:
        f.write("E1 0 1234")                        # a crash in the middle of an append
    srv.start()
    api = srv.client()
    tok2 = api.create_user(bl.profile())
    assert_ok(api.delete_user("token", tok2))
    text = ledger.read_text()
    assert text.startswith(good) and tok2 in text and "E1 0 1234\n" not in text
    srv.stop()
    srv.start()                                     # the chain still verifies
    bl.assert_not_found(srv.client().get_user("token", tok2))


def test_another_vaults_ledger_refuses_start(server_factory):
    a = server_factory()
    a.init()
    a.start()
    tok = a.client().create_user(bl.profile())
    assert_ok(a.client().delete_user("token", tok))
    a.stop()
    b = server_factory()
    b.init()
    shutil.copy(a.workdir / "databunker.db.erasures", b.workdir / "databunker.db.erasures")
    rc, log, served = b.start_expect_exit()
    assert rc not in (0, None) and not served and "does not verify" in log
