"""The requests, versions and shared-records tables hold no plaintext, on
every backend: records made with distinctive values, then the whole database
(the SQLite file, or a pg_dump / mariadb-dump of the server's database) is
scanned for them, as text and as hex."""

import time

import bunkerlib as bl
from bunkerlib import assert_ok


def scan(srv, needles):
    data = bl.db_dump(srv)
    found = []
    for n in needles:
        nb = n.encode()
        if nb in data or nb.hex().encode() in data.lower():
            found.append(n)
    return found


def test_requests_versions_and_shares_hold_no_plaintext(server_factory):
    srv = bl.started(server_factory, "versioning:\n  enabled: true\n  max_versions: 10\n")
    api = srv.client()
    marker = bl.uid()
    p = bl.profile(secret=f"Famsecret{marker}")
    tok = api.create_user(p)
    # old versions
    assert_ok(api.put_user("token", tok, {"secret": f"Famupdated{marker}"}))
    # a change request and a request to be forgotten, both sealed
    assert_ok(api.v2("UserUpdateRequest", {"mode": "token", "identity": tok,
                                           "profile": {"secret": f"Famrequested{marker}"}}))
    assert_ok(api.v2("UserDeleteRequest", {"mode": "token", "identity": tok,
                                           "reason": f"Famreason{marker}"}))
    # a shared record
    assert_ok(api.v2("SharedRecordCreate", {"mode": "token", "identity": tok,
                                            "fields": "email,secret"}))
    assert len(assert_ok(api.v2("UserListVersions", {"mode": "token",
                                                     "identity": tok}))["versions"]) >= 1
    time.sleep(0.3)
    needles = [marker, p["email"], p["login"], f"Famsecret{marker}", f"Famupdated{marker}",
               f"Famrequested{marker}", f"Famreason{marker}"]
    found = scan(srv, needles)
    assert not found, f"plaintext in the database: {found}"
