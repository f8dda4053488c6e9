"""Format-preserving tokenization (/v2 TokenCreate, TokenGet, TokenDelete,
TokenCreateBulk, BulkListTokens, BulkDeleteTokens): card tokens keep length,
separators, the first digit and the last four and pass Luhn; email tokens are
random addresses; unique true shares one token between equal records (the
docs' deduplication), false or absent makes a new one each time; expiry final and sliding; the bulk calls behind
unlock ids; tenants; policies; and nothing of it in clear in the database."""

import re
import time
import uuid

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_not_found, assert_ok, v2_ok

EMAIL_TOKEN = re.compile(r"^[a-z0-9]{16}@token\.invalid$")


def luhn(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return total % 10 == 0


def card(prefix="4"):
    """A fresh Luhn-valid 16-digit card number starting with <prefix>."""
    body = prefix + "".join(str(uuid.uuid4().int)[:15 - len(prefix)])
    for check in "0123456789":
        if luhn(body + check):
            return body + check
    raise AssertionError("unreachable")


def email():
    return f"Card.Holder.{bl.uid()}@Example.com"


def check_card_token(record, tok):
    assert len(tok) == len(record), (record, tok)
    for a, b in zip(record, tok):
        if a.isdigit():
            assert b.isdigit(), (record, tok)
        else:
            assert a == b, (record, tok)
    rd = "".join(ch for ch in record if ch.isdigit())
    td = "".join(ch for ch in tok if ch.isdigit())
    assert td[0] == rd[0] and td[-4:] == rd[-4:], (record, tok)
    assert luhn(td), tok
    assert td != rd


def create(api, record, tokentype="creditcard", **extra):
    """TokenCreate; without <unique> given, asks for the shared token of the
    record (unique true), as most tests here compare tokens of equal records."""
    body = {"tokentype": tokentype, "record": record, "unique": True}
    body.update(extra)
    r = api.v2("TokenCreate", body)
    b = assert_ok(r)
    assert set(b) == {"status", "tokenbase", "tokenuuid"}, b
    bl.assert_uuid4(b["tokenuuid"], r)
    return b


def get(api, token):
    return api.v2("TokenGet", {"token": token})


# ---------------------------------------------------------------- TokenCreate / TokenGet

@pytest.mark.parametrize("record", ["4532015112830366", "4532 0151 1283 0366",
                                    "4532-0151-1283-0366", "3782 822463 10005",
                                    "6011111111111117", "000000000000", "6304000000000000018"])
def test_card_token_shape_and_get(api, record):
    b = create(api, record, unique=False)
    check_card_token(record, b["tokenbase"])
    for t in (b["tokenuuid"], b["tokenbase"], b["tokenuuid"].upper()):
        g = assert_ok(get(api, t))
        assert g == {"status": "ok", "record": record, "tokentype": "creditcard",
                     "tokenuuid": b["tokenuuid"], "tokenbase": b["tokenbase"]}


def test_thousand_card_tokens(api):
    record = card("5")
    r = api.v2("TokenCreateBulk", {"unique": False, "records": [
        {"tokentype": "creditcard", "record": record}] * 1000})
    created = assert_ok(r)["created"]
    assert len(created) == 1000
    for c in created:
        assert c["record"] == record
        check_card_token(record, c["tokenbase"])
    assert len({c["tokenbase"] for c in created}) == 1000
    assert len({c["tokenuuid"] for c in created}) == 1000


def test_email_token(api):
    e = email()
    b = create(api, e, "email")
    assert EMAIL_TOKEN.match(b["tokenbase"]), b
    assert_ok(get(api, b["tokenbase"]))
    assert assert_ok(get(api, b["tokenuuid"]))["record"] == e
    g = assert_ok(get(api, b["tokenbase"]))
    assert g == {"status": "ok", "record": e, "tokentype": "email", "tokenuuid": b["tokenuuid"],
                 "tokenbase": b["tokenbase"]}


def test_docs_names_type_and_expiration(api):
    rec = card()
    b = v2_ok(api, "TokenCreate", {"type": "creditcard", "record": rec, "expiration": "30d"})
    check_card_token(rec, b["tokenbase"])
    assert assert_ok(get(api, b["tokenuuid"]))["tokentype"] == "creditcard"
    b2 = v2_ok(api, "TokenCreate", {"type": "email", "tokentype": "email", "record": email()})
    assert EMAIL_TOKEN.match(b2["tokenbase"])


# ---------------------------------------------------------------- unique

def test_unique_true_shares_one_token(api):
    rec = card()
    a = create(api, rec)                                   # unique true
    b = create(api, rec, unique=True)
    spaced = " ".join(rec[i:i + 4] for i in range(0, 16, 4))
    c = create(api, spaced)                                # equal after normalization
    assert a == b == c
    e = email()
    x = create(api, e, "email")
    y = create(api, "  " + e.upper() + " ", "email")
    assert x == y
    # the same text as another type is another record
    assert assert_ok(get(api, a["tokenuuid"]))["record"] == rec


def test_without_unique_each_call_makes_a_new_token(api):
    rec = card()
    made = [assert_ok(api.v2("TokenCreate", {"tokentype": "creditcard", "record": rec}))
            for _ in range(3)]
    assert len({m["tokenuuid"] for m in made}) == 3
    assert len({m["tokenbase"] for m in made}) == 3
    r = api.v2("TokenCreateBulk", {"records": [{"tokentype": "creditcard", "record": rec}] * 3})
    assert len({c["tokenbase"] for c in assert_ok(r)["created"]}) == 3


def test_unique_false_makes_new_tokens(api):
    rec = card()
    shared = create(api, rec)
    u1 = create(api, rec, unique=False)
    u2 = create(api, rec, unique=False)
    assert len({shared["tokenuuid"], u1["tokenuuid"], u2["tokenuuid"]}) == 3
    assert len({shared["tokenbase"], u1["tokenbase"], u2["tokenbase"]}) == 3
    for t in (u1, u2):
        assert assert_ok(get(api, t["tokenbase"]))["tokenuuid"] == t["tokenuuid"]
    # unique tokens do not join the shared one
    assert create(api, rec) == shared
    e = email()
    assert create(api, e, "email", unique=False) != create(api, e, "email", unique=False)


def test_shared_token_deleted_then_new_one(api):
    rec = card()
    a = create(api, rec)
    assert_ok(api.v2("TokenDelete", {"token": a["tokenbase"]}))
    b = create(api, rec)
    assert b["tokenuuid"] != a["tokenuuid"]


# ---------------------------------------------------------------- TokenDelete

def test_delete_by_uuid_and_by_value(api):
    for by in ("tokenuuid", "tokenbase"):
        b = create(api, card(), unique=False)
        r = api.v2("TokenDelete", {"token": b[by]})
        assert assert_ok(r) == {"status": "ok"}
        for t in (b["tokenuuid"], b["tokenbase"]):
            assert_not_found(get(api, t))
            assert_not_found(api.v2("TokenDelete", {"token": t}))


def test_unknown_tokens_404(api):
    for t in (str(uuid.uuid4()), "4111111111111111", "abc@token.invalid", "x"):
        assert_not_found(get(api, t))
        assert_not_found(api.v2("TokenDelete", {"token": t}))


# ---------------------------------------------------------------- bad input, auth

@pytest.mark.parametrize("body, msg", [
    ({"record": "4532015112830366"}, "missing tokentype"),
    ({"tokentype": "creditcard"}, "missing record"),
    ({"tokentype": "creditcard", "record": ""}, "missing record"),
    ({"tokentype": "creditcard", "record": 4532015112830366}, "record"),
    ({"tokentype": "uint64", "record": "4532015112830366"}, "tokentype"),
    ({"tokentype": "CreditCard", "record": "4532015112830366"}, "tokentype"),
    ({"tokentype": 1, "record": "4532015112830366"}, "tokentype"),
    ({"tokentype": "creditcard", "type": "email", "record": "4532015112830366"}, "disagree"),
    ({"tokentype": "creditcard", "record": "4532015112830367"}, "Luhn"),
    ({"tokentype": "creditcard", "record": "79927398713"}, "digits"),
    ({"tokentype": "creditcard", "record": "45320151128303660000"}, "digits"),
    ({"tokentype": "creditcard", "record": "4532.0151.1283.0366"}, "card"),
    ({"tokentype": "creditcard", "record": "a@b.c"}, "card"),
    ({"tokentype": "email", "record": "no-at-sign"}, "email"),
    ({"tokentype": "email", "record": "a b@c.d"}, "email"),
    ({"tokentype": "email", "record": "x" * 2000 + "@e.com"}, "email"),
    ({"tokentype": "creditcard", "record": "4532015112830366", "unique": "yes"}, "unique"),
    ({"tokentype": "creditcard", "record": "4532015112830366", "slidingtime": "1x"},
     "slidingtime"),
    ({"tokentype": "creditcard", "record": "4532015112830366", "slidingtime": "-5s"},
     "slidingtime"),
    ({"tokentype": "creditcard", "record": "4532015112830366", "finaltime": "soon"},
     "finaltime"),
    ({"tokentype": "creditcard", "record": "4532015112830366", "finaltime": "1000"},
     "finaltime"),
    ({"tokentype": "creditcard", "record": "4532015112830366", "expiration": "0d"},
     "expiration"),
    ({"tokentype": "creditcard", "record": "4532015112830366", "expiration": "1d",
      "finaltime": "1d"}, "not both"),
])
def test_create_bad_input_400(api, body, msg):
    b = assert_error(api.v2("TokenCreate", body), 400)
    assert msg.lower() in b["message"].lower(), b


@pytest.mark.parametrize("op", ["TokenGet", "TokenDelete"])
@pytest.mark.parametrize("body", [{}, {"token": ""}, {"token": 5}, {"token": None},
                                  {"token": "x" * 1100}])
def test_get_delete_bad_input_400(api, op, body):
    assert_error(api.v2(op, body), 400)


@pytest.mark.parametrize("op, body", [
    ("TokenCreate", {"tokentype": "creditcard", "record": "4532015112830366"}),
    ("TokenGet", {"token": "4532015112830366"}),
    ("TokenDelete", {"token": "4532015112830366"}),
    ("TokenCreateBulk", {"records": [{"tokentype": "email", "record": "a@b.c"}]}),
    ("BulkListTokens", {"unlockuuid": str(uuid.uuid4()), "tokens": []}),
    ("BulkDeleteTokens", {"unlockuuid": str(uuid.uuid4()), "tokens": []}),
])
def test_no_or_bad_token_403(api, op, body):
    for tok in (None, str(uuid.uuid4()), "DEMO"):
        b = assert_error(api.v2(op, body, token=tok), 403)
        assert b["status"] == "error"


def test_form_body_refused(api):
    r = api.raw("POST", "/v2/TokenCreate", "tokentype=creditcard&record=4532015112830366",
                ctype="application/x-www-form-urlencoded")
    assert r.status_code in (400, 415), r.text


# ---------------------------------------------------------------- TokenCreateBulk

def test_bulk_create_in_order(api):
    recs = [card(), email(), "4532 0151 1283 0366", email()]
    types = ["creditcard", "email", "creditcard", "email"]
    r = api.v2("TokenCreateBulk", {"records": [{"tokentype": t, "record": x}
                                               for t, x in zip(types, recs)],
                                   "unique": False, "slidingtime": "1h", "finaltime": "1d"})
    b = assert_ok(r)
    assert [c["record"] for c in b["created"]] == recs
    assert b["num"] == 4
    assert b["summary"] == {"created": 4, "duplicates": 0, "errors": 0, "total": 4}
    for t, x, c in zip(types, recs, b["created"]):
        assert set(c) == {"tokenbase", "tokenuuid", "record"}
        if t == "creditcard":
            check_card_token(x, c["tokenbase"])
        else:
            assert EMAIL_TOKEN.match(c["tokenbase"])
        g = assert_ok(get(api, c["tokenuuid"]))
        assert g["record"] == x and g["tokentype"] == t and g["tokenbase"] == c["tokenbase"]


def test_bulk_create_shares_equal_records(api):
    rec = card()
    before = create(api, rec)
    b = v2_ok(api, "TokenCreateBulk", {"unique": True, "records": [
        {"tokentype": "creditcard", "record": rec},
        {"type": "creditcard", "record": rec[:8] + "-" + rec[8:]},
        {"tokentype": "email", "record": "same@x.org"},
        {"tokentype": "email", "record": "SAME@x.org"}]})
    c = b["created"]
    assert c[0]["tokenuuid"] == c[1]["tokenuuid"] == before["tokenuuid"]
    assert c[2]["tokenuuid"] == c[3]["tokenuuid"]
    assert c[1]["record"] == rec[:8] + "-" + rec[8:]
    assert b["summary"]["total"] == 4 and b["summary"]["created"] + b["summary"]["duplicates"] == 4


def count_tokens(srv):
    return bl.db_rows(srv, "tokens")


def test_bulk_create_all_or_nothing(server, api):
    good = card()
    n0 = count_tokens(server)
    for bad, where in ([{"tokentype": "creditcard", "record": "1234"}, "records[2]"],
                       [{"tokentype": "nope", "record": "a@b.c"}, "records[2]"],
                       [{"record": "a@b.c"}, "records[2]"],
                       ["a@b.c", "records[2]"]):
        r = api.v2("TokenCreateBulk", {"records": [{"tokentype": "creditcard", "record": good},
                                                   {"tokentype": "email", "record": email()},
                                                   bad]})
        b = assert_error(r, 400)
        assert b["message"].startswith(where), b
        assert good not in b["message"]
    assert count_tokens(server) == n0
    # nothing was made for the good record either: a later call makes it new
    assert v2_ok(api, "TokenCreateBulk", {"records": [
        {"tokentype": "creditcard", "record": good}]})["summary"]["created"] == 1


@pytest.mark.parametrize("body, status", [
    ({}, 400), ({"records": None}, 400), ({"records": []}, 400), ({"records": {}}, 400),
    ({"records": [{"tokentype": "email", "record": "a@b.c"}], "unique": 1}, 400),
    ({"records": [{"tokentype": "email", "record": "a@b.c"}], "finaltime": "x"}, 400),
    ({"records": [{"tokentype": "email", "record": "a@b.c"}] * 10001}, 413),
])
def test_bulk_create_bad_input(api, body, status):
    assert_error(api.v2("TokenCreateBulk", body), status)


# ---------------------------------------------------------------- expiry

def test_finaltime_expires(fresh_server):
    api = fresh_server.client()
    rec = card()
    b = create(api, rec, finaltime="2s")
    e = create(api, email(), "email", unique=False, expiration="2s")
    until = int(time.time()) + 3
    u = create(api, card(), finaltime=str(until), unique=False)    # a unix time
    assert_ok(get(api, b["tokenbase"]))
    time.sleep(3.2)             # a 2 s life ends within 3 s: times are whole seconds
    for t in (b["tokenuuid"], b["tokenbase"], e["tokenuuid"]):
        assert_not_found(get(api, t))
        assert_not_found(api.v2("TokenDelete", {"token": t}))
    while time.time() < until + 1.1:
        time.sleep(0.2)
    assert_not_found(get(api, u["tokenuuid"]))
    # an expired shared token is replaced, not revived
    b2 = create(api, rec)
    assert b2["tokenuuid"] != b["tokenuuid"]
    assert assert_ok(get(api, b2["tokenuuid"]))["record"] == rec


def test_slidingtime_extends_on_get(fresh_server):
    api = fresh_server.client()
    # Times are whole seconds: a life of N seconds ends within N + 1.
    b = create(api, card(), slidingtime="3s", unique=False)
    idle = create(api, card(), slidingtime="3s", unique=False)
    capped = create(api, card(), slidingtime="3s", finaltime="4s", unique=False)
    for i in range(5):                         # 5 x 1.1 s: past 4 + 1 s since creation
        time.sleep(1.1)
        assert_ok(get(api, b["tokenuuid"]))
        if i < 3:                              # 3.3 s: within its final 4 s
            assert_ok(get(api, capped["tokenuuid"]))
    assert_not_found(get(api, idle["tokenuuid"]))
    assert_not_found(get(api, capped["tokenuuid"]))   # sliding never passes finaltime
    time.sleep(4.2)
    assert_not_found(get(api, b["tokenuuid"]))


def test_shared_token_expiry_restarts(fresh_server):
    api = fresh_server.client()
    rec = card()
    a = create(api, rec, slidingtime="3s")
    time.sleep(1.1)
    assert create(api, rec) == a                  # restarts its sliding period
    time.sleep(1.1)
    assert_ok(get(api, a["tokenuuid"]))
    assert create(api, rec, finaltime="1s") == a  # a new request's expiry replaces it
    time.sleep(2.2)                               # 1 s, at most 2
    assert_not_found(get(api, a["tokenuuid"]))


def test_sweeper_removes_expired(server_factory):
    srv = bl.started(server_factory, "generic:\n  sweep_interval_ms: 100\n")
    api = srv.client()
    create(api, card(), finaltime="3s", unique=False)
    create(api, email(), "email", slidingtime="3s", unique=False)
    keep = create(api, card(), unique=False)
    assert count_tokens(srv) == 3
    assert bl.wait_until(lambda: count_tokens(srv) == 1, timeout=10), count_tokens(srv)
    assert_ok(get(api, keep["tokenuuid"]))


# ---------------------------------------------------------------- BulkListTokens / BulkDeleteTokens

def test_bulk_list_tokens(api):
    a = create(api, card(), unique=False)
    e = email()
    b = create(api, e, "email", unique=False)
    gone = create(api, card(), unique=False)
    assert_ok(api.v2("TokenDelete", {"token": gone["tokenuuid"]}))
    body = {"unlockuuid": bl.unlock(api),
            "tokens": [b["tokenuuid"], a["tokenbase"], str(uuid.uuid4()), gone["tokenuuid"],
                       a["tokenuuid"].upper()]}
    r = v2_ok(api, "BulkListTokens", body)
    rec_a = assert_ok(get(api, a["tokenuuid"]))["record"]
    row_a = {"tokenuuid": a["tokenuuid"], "tokenbase": a["tokenbase"], "record": rec_a,
             "tokentype": "creditcard"}
    assert r["rows"] == [
        {"tokenuuid": b["tokenuuid"], "tokenbase": b["tokenbase"], "record": e,
         "tokentype": "email"}, row_a, row_a]
    assert r["total"] == 3
    # the same unlock id serves further calls of the same operation
    assert v2_ok(api, "BulkListTokens", {"unlockuuid": body["unlockuuid"],
                                         "tokens": []})["rows"] == []


def test_bulk_delete_tokens(api):
    toks = [create(api, card(), unique=False) for _ in range(3)]
    keep = create(api, card(), unique=False)
    r = v2_ok(api, "BulkDeleteTokens", {"unlockuuid": bl.unlock(api), "tokens": [
        toks[0]["tokenuuid"], toks[1]["tokenbase"], toks[2]["tokenuuid"], toks[2]["tokenuuid"],
        str(uuid.uuid4())]})
    assert r == {"status": "ok", "deleted": 3}
    for t in toks:
        assert_not_found(get(api, t["tokenuuid"]))
    assert_ok(get(api, keep["tokenuuid"]))
    rows = v2_ok(api, "BulkListTokens", {"unlockuuid": bl.unlock(api),
                                         "tokens": [t["tokenuuid"] for t in toks]})["rows"]
    assert rows == []


@pytest.mark.parametrize("op", ["BulkListTokens", "BulkDeleteTokens"])
def test_bulk_tokens_unlock_rules(api, op):
    t = create(api, card(), unique=False)
    # missing unlock id
    b = assert_error(api.v2(op, {"tokens": [t["tokenuuid"]]}), 400)
    assert "unlockuuid" in b["message"]
    assert_error(api.v2(op, {"unlockuuid": "not-a-uuid", "tokens": [t["tokenuuid"]]}), 400)
    # unknown unlock id
    b = assert_error(api.v2(op, {"unlockuuid": str(uuid.uuid4()), "tokens": [t["tokenuuid"]]}),
                     403)
    assert "locked" in b["message"]
    # an id used by another operation first
    u = bl.unlock(api)
    assert_ok(api.v2("BulkListAllUsers", {"unlockuuid": u}))
    b = assert_error(api.v2(op, {"unlockuuid": u, "tokens": [t["tokenuuid"]]}), 403)
    assert "another operation" in b["message"]
    # and the other way round
    other = "BulkDeleteTokens" if op == "BulkListTokens" else "BulkListTokens"
    u = bl.unlock(api)
    assert_ok(api.v2(op, {"unlockuuid": u, "tokens": []}))
    assert_error(api.v2(other, {"unlockuuid": u, "tokens": [t["tokenuuid"]]}), 403)
    # nothing was deleted by the refused calls
    assert_ok(get(api, t["tokenuuid"]))
    # bad token lists
    for toks in (None, "x", [1], [""], [t["tokenuuid"], None], ["y" * 1100]):
        assert_error(api.v2(op, {"unlockuuid": bl.unlock(api), "tokens": toks}), 400)
    assert_error(api.v2(op, {"unlockuuid": bl.unlock(api), "tokens": ["a"] * 1001}), 400)


@pytest.mark.parametrize("op", ["BulkListTokens", "BulkDeleteTokens"])
def test_bulk_tokens_unlock_expired(server_factory, op):
    srv = bl.started(server_factory, "bulk:\n  unlock_ttl_seconds: 1\n")
    api = srv.client()
    t = create(api, card(), unique=False)
    u = bl.unlock(api)
    time.sleep(2.1)
    b = assert_error(api.v2(op, {"unlockuuid": u, "tokens": [t["tokenuuid"]]}), 403)
    assert "expired" in b["message"]
    assert_ok(get(api, t["tokenuuid"]))


def test_bulk_tokens_disabled(server_factory):
    srv = bl.started(server_factory, "bulk:\n  enabled: false\n")
    api = srv.client()
    t = create(api, card(), unique=False)
    for op in ("BulkListTokens", "BulkDeleteTokens"):
        b = assert_error(api.v2(op, {"unlockuuid": str(uuid.uuid4()),
                                     "tokens": [t["tokenuuid"]]}), 403)
        assert "disabled" in b["message"]
    assert_ok(get(api, t["tokenuuid"]))


# ---------------------------------------------------------------- audit, tenants, policies

def test_calls_are_audited_by_uuid(api):
    rec = card()
    b = create(api, rec, unique=False)
    assert_ok(get(api, b["tokenbase"]))
    v2_ok(api, "BulkListTokens", {"unlockuuid": bl.unlock(api), "tokens": [b["tokenuuid"]]})
    assert_ok(api.v2("TokenDelete", {"token": b["tokenuuid"]}))
    rows = v2_ok(api, "BulkListAllAuditEvents", {"unlockuuid": bl.unlock(api),
                                                 "limit": 50})["rows"]
    mine = [r for r in rows if r.get("record") == b["tokenuuid"]]
    assert [r["eventtype"] for r in mine][::-1] == ["TokenCreate", "TokenGet", "BulkListTokens",
                                                     "TokenDelete"]
    text = repr(rows)
    assert rec not in text and b["tokenbase"] not in text


def test_tenants_are_isolated_and_purged(server, api):
    name, tid, xtoken = bl.create_tenant(api)
    ta = server.client(token=xtoken)
    h = {"X-Bunker-Tenant": name}
    rec = card()
    t = ta.v2("TokenCreate", {"tokentype": "creditcard", "record": rec}, headers=h)
    t = assert_ok(t)
    assert assert_ok(ta.v2("TokenGet", {"token": t["tokenbase"]}, headers=h))["record"] == rec
    # the default tenant sees nothing of it, and shares no token for the same card
    assert_not_found(get(api, t["tokenuuid"]))
    assert_not_found(get(api, t["tokenbase"]))
    assert create(api, rec)["tokenuuid"] != t["tokenuuid"]
    n = count_tokens(server)
    assert_ok(api.v2("TenantDelete", {"tenantid": tid}))
    assert count_tokens(server) == n - 1


def test_policies_decide_token_calls(api, server):
    role = f"tok-{bl.uid()}"
    v2_ok(api, "RoleCreate", {"rolename": role})
    pid = v2_ok(api, "PolicyCreate", {"policyname": f"p-{bl.uid()}", "policy": {
        "Effect": "Allow", "Principal": {"Role": role}, "Action": ["TokenCreate"],
        "Resource": ["*"]}})["policyid"]
    assert_ok(api.v2("RoleLinkPolicy", {"rolename": role, "policyid": pid}))
    clerk = server.client(bl.xtoken_for_role(api, role))
    b = v2_ok(clerk, "TokenCreate", {"tokentype": "creditcard", "record": card()})
    assert_error(clerk.v2("TokenGet", {"token": b["tokenuuid"]}), 403)
    assert_error(clerk.v2("TokenDelete", {"token": b["tokenuuid"]}), 403)
    assert_ok(get(api, b["tokenuuid"]))


# ---------------------------------------------------------------- at rest

def test_database_holds_no_cards_emails_or_tokens(server_factory):
    srv = bl.started(server_factory, None)
    api = srv.client()
    cards = [card("4"), card("5")]
    spaced = "3782 822463 10005"
    emails = [f"atrest.{bl.uid()}@holder-domain.org"]
    made = [create(api, cards[0]), create(api, cards[1], unique=False, slidingtime="1h"),
            create(api, spaced, unique=False), create(api, emails[0], "email")]
    made += v2_ok(api, "TokenCreateBulk", {"records": [
        {"tokentype": "email", "record": f"bulk.{bl.uid()}@holder-domain.org"}]})["created"]
    emails.append(made[-1]["record"])
    for m in made:
        assert_ok(get(api, m["tokenbase"]))
    v2_ok(api, "BulkListTokens", {"unlockuuid": bl.unlock(api),
                                  "tokens": [m["tokenuuid"] for m in made]})
    time.sleep(0.3)
    needles = cards + [spaced, spaced.replace(" ", "")] + emails + [e.lower() for e in emails]
    needles += [m["tokenbase"] for m in made]
    needles += [m["tokenbase"].replace(" ", "") for m in made if "@" not in m["tokenbase"]]
    found = bl.store_scan(srv, needles)
    assert not found, f"plaintext in the database: {found}"
