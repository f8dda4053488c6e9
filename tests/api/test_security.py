"""No personal data in plaintext on disk: scan the SQLite file and its
companions (-wal, -shm, -journal) for the values we stored; on PostgreSQL
and MariaDB, scan a dump of every table instead."""

import os
import time

import pytest

import bunkerlib as bl
from bunkerlib import assert_ok


def scan(srv, needles):
    if srv.store != "sqlite":
        return scan_dump(srv, needles)
    found = []
    files = srv.db_files()
    assert files and files[0] == srv.db_path, f"no db file at {srv.db_path}"
    assert files[0].read_bytes()[:16] == b"SQLite format 3\x00", f"{files[0]} is not a SQLite file"
    for f in files:
        data = f.read_bytes()
        for n in needles:
            nb = n.encode() if isinstance(n, str) else n
            if nb in data:
                found.append((f.name, n))
    return found


def scan_dump(srv, needles):
    """The database server's tables, dumped as SQL text (blobs as the dump
    writes them: hex for MariaDB, escaped bytea for PostgreSQL), and the raw
    bytes of the blobs decoded from that text."""
    data = bl.db_dump(srv)
    found = []
    for n in needles:
        nb = n.encode() if isinstance(n, str) else n
        if nb in data or nb.hex().encode() in data.lower() or nb.hex().upper().encode() in data:
            found.append(("dump", n))
    return found


def _needles(p):
    out = []
    for v in p.values():
        if isinstance(v, str) and len(v) >= 6:
            out += [v, v.lower(), v.upper()]
    return sorted(set(out))


def test_no_plaintext_personal_data_on_disk(fresh_server):
    srv = fresh_server
    api = srv.client()
    marker = bl.uid()
    people = []
    for i in range(5):
        d = bl.phone()
        p = {
            "fname": f"Zebediah{marker}{i}",
            "lname": f"Quackenbush{marker}{i}",
            "email": f"secret.person{marker}{i}@leakcheck.example",
            "phone": f"+{d[0]} ({d[1:4]}) {d[4:7]}-{d[7:]}",
            "login": f"leaklogin{marker}{i}",
            "custom": f"leakcustom{marker}{i}",
            "address": f"{i}{marker} Secret Street, Springfield",
            "ssn": f"{marker}-{i}-ssn",
        }
        tok = api.create_user(p)
        people.append((tok, p, d))
    # exercise every path that touches the data: lookups by each index,
    # updates with before/after, v2 reads, audit reads
    for tok, p, d in people:
        for mode in ("email", "phone", "login", "custom"):
            assert_ok(api.get_user(mode, p[mode] if mode != "phone" else d))
        assert_ok(api.put_user("login", p["login"], {"address": p["address"] + " Apt 9",
                                                     "newfield": f"newsecret{marker}"}))
        assert_ok(api.v2("UserGet", {"mode": "email", "identity": p["email"]}))
        rows = assert_ok(api.audit_list(tok))["rows"]
        for row in rows:
            assert_ok(api.audit_get(row["atoken"]))

    needles = [marker]
    for tok, p, d in people:
        needles += _needles(p) + [d]

    time.sleep(0.5)
    found = scan(srv, needles)
    assert not found, f"plaintext personal data on disk while running: {found[:20]}"

    srv.stop()
    found = scan(srv, needles)
    assert not found, f"plaintext personal data on disk after shutdown: {found[:20]}"


def test_no_master_key_on_disk(fresh_server):
    srv = fresh_server
    api = srv.client()
    api.create_user(bl.profile())
    srv.stop()
    mk = srv.masterkey
    found = scan(srv, [mk.lower(), mk.upper(), bytes.fromhex(mk)])
    assert not found, f"master key stored on disk: {found}"


def test_deleted_user_leaves_no_plaintext(fresh_server):
    srv = fresh_server
    api = srv.client()
    marker = bl.uid()
    p = {"fname": f"Forgotten{marker}", "email": f"forget{marker}@example.com",
         "login": f"forget{marker}"}
    tok = api.create_user(p)
    assert_ok(api.get_user("email", p["email"]))
    assert_ok(api.delete_user("email", p["email"]))
    srv.stop()
    assert not scan(srv, [marker])


@pytest.mark.skipif(os.environ.get("DATABUNKER_TEST_STORE", "sqlite") != "sqlite",
                    reason="the consent family has no PostgreSQL/MariaDB backend yet")
def test_no_plaintext_agreement_fields_on_disk(fresh_server):
    """Agreement free text, message and the other personal fields are sealed;
    only the brief (a legal basis name) may be in clear."""
    srv = fresh_server
    api = srv.client()
    marker = bl.uid()
    needles = []
    for i in range(3):
        p = bl.profile()
        tok = api.create_user(p)
        brief = f"leak-brief-{i}"
        fields = {"message": f"ConsentMessage{marker}{i}", "freetext": f"FreeText{marker}{i}",
                  "who": f"WhoField{marker}{i}", "referencecode": f"RefCode{marker}{i}",
                  "lastmodifiedby": f"Modifier{marker}{i}",
                  "agreementmethod": f"Method{marker}{i}"}
        needles += list(fields.values())
        assert_ok(api.post(f"/v1/consent/email/{bl.q(p['email'])}/{brief}", json=fields))
        assert_ok(api.v2("AgreementAccept", {"mode": "login", "identity": p["login"],
                                             "brief": brief, **fields}))
        assert_ok(api.delete(f"/v1/consent/token/{tok}/{brief}",
                             json={"lastmodifiedby": f"Withdrawer{marker}{i}"}))
        needles.append(f"Withdrawer{marker}{i}")
        assert_ok(api.get(f"/v1/consent/token/{tok}"))
        for row in assert_ok(api.audit_list(tok))["rows"]:
            assert_ok(api.audit_get(row["atoken"]))
    needles.append(marker)
    time.sleep(0.5)
    found = scan(srv, needles)
    assert not found, f"plaintext agreement data on disk while running: {found[:20]}"
    srv.stop()
    found = scan(srv, needles)
    assert not found, f"plaintext agreement data on disk after shutdown: {found[:20]}"
