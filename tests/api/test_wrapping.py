"""The wrapping key and its Shamir shares: -init prints 5 shares (any 3
rebuild the key), SystemGenerateWrappingKey rebuilds it for the root caller
and refuses shares that do not open this vault's wrapped master key,
`wrapping-key-recover` does the same offline, `rotate-wrapping-key` moves the
vault to a new key. Shares and keys never reach the log or the store.

The share format is rebuilt here in Python from the definition (GF(2^8)
modulo 0x11b, dbs1-<x>-<set>-<y>-<sha256 check>) as an independent check of
the C implementation."""

import hashlib
import itertools
import re
import secrets
import uuid

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_ok

SHARE_RE = re.compile(r"Share (\d): (dbs1-[0-9a-f-]+)")
KEY_RE = re.compile(r"Wrapping key: ([0-9a-f]{64})\b")
NEW_KEY_RE = re.compile(r"New wrapping key: ([0-9a-f]{64})\b")
OP = "SystemGenerateWrappingKey"
WRONG_VAULT = "shares do not reconstruct this vault's wrapping key"
CHECKSUM = "key share checksum mismatch: mistyped or altered"


# ---------------------------------------------------------------- the format, in Python

def gf_mul(a, b):
    r = 0
    while b:
        if b & 1:
            r ^= a
        a <<= 1
        if a & 0x100:
            a ^= 0x11b
        b >>= 1
    return r


INV = {a: next(b for b in range(1, 256) if gf_mul(a, b) == 1) for a in range(1, 256)}


def share_text(x, setid, y):
    check = hashlib.sha256(b"dbs1" + bytes([x]) + setid + y).digest()[:4]
    return f"dbs1-{x}-{setid.hex()}-{y.hex()}-{check.hex()}"


def parse(text):
    tag, x, setid, y, check = text.strip().split("-")
    assert tag == "dbs1"
    x, setid, y = int(x), bytes.fromhex(setid), bytes.fromhex(y)
    assert share_text(x, setid, y).endswith(check.lower())
    return x, setid, y


def split(secret, setid=None, k=3, n=5):
    setid = setid or secrets.token_bytes(4)
    coefs = [[s] + list(secrets.token_bytes(k - 1)) for s in secret]
    out = []
    for x in range(1, n + 1):
        y = bytearray()
        for c in coefs:
            v = 0
            for a in reversed(c):
                v = gf_mul(v, x) ^ a
            y.append(v)
        out.append(share_text(x, setid, bytes(y)))
    return out


def combine(texts):
    pts = [parse(t) for t in texts]
    out = bytearray(len(pts[0][2]))
    for j, (xj, _, yj) in enumerate(pts):
        num = den = 1
        for m, (xm, _, _) in enumerate(pts):
            if m != j:
                num = gf_mul(num, xm)
                den = gf_mul(den, xm ^ xj)
        lj = gf_mul(num, INV[den])
        for i, b in enumerate(yj):
            out[i] ^= gf_mul(lj, b)
    return bytes(out).hex()


# ---------------------------------------------------------------- helpers

def shares_of(out):
    found = SHARE_RE.findall(out)
    assert [int(i) for i, _ in found] == [1, 2, 3, 4, 5], out
    return [s for _, s in found]


def no_sanitizer(cp):
    marks = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
    assert not any(m in cp.stderr for m in marks), cp.stderr


def cli(srv, args, keys=None, input=None):
    cp = bl.run_cli_keys(srv, args, keys, input)
    no_sanitizer(cp)
    return cp


def init_wrapped(srv, wrappingkey=None):
    """-init with a wrapping key (given, else -wrapped generates one): (key,
    shares, CompletedProcess)."""
    keys = {"DATABUNKER_ROOTTOKEN": srv.token}
    args = ["-init", *srv.db_args()]
    if wrappingkey is None:
        args.append("-wrapped")
    else:
        keys["DATABUNKER_WRAPPINGKEY"] = wrappingkey
    cp = cli(srv, args, keys)
    assert cp.returncode == 0, cp.stdout + cp.stderr
    m = KEY_RE.search(cp.stdout)
    if wrappingkey is None:
        assert m, cp.stdout
        wrappingkey = m.group(1)
    else:
        assert m is None, "a given wrapping key is printed back"
    assert "Master key" not in cp.stdout
    return wrappingkey, shares_of(cp.stdout), cp


def start_with(srv, wk, **kw):
    return bl.with_key_env({"DATABUNKER_WRAPPINGKEY": wk, "DATABUNKER_LOG_LEVEL": "debug"},
                           srv.start, masterkey=None, **kw)


def start_fails_with(srv, wk):
    return bl.with_key_env({"DATABUNKER_WRAPPINGKEY": wk}, srv.start_expect_exit, masterkey=None)


def gen(api, k1, k2, k3, **kw):
    return api.v2(OP, {"key1": k1, "key2": k2, "key3": k3}, **kw)


def altered(share, pos=-12):
    """The share with one hex digit changed (the checksum left as it was)."""
    c = share[pos]
    return share[:pos] + ("0" if c != "0" else "1") + share[pos + 1:]


def secrets_nowhere(srv, texts, extra_text=""):
    """None of <texts> in the server logs, <extra_text> or the stored data."""
    logs = "".join(p.read_text(errors="replace") for p in srv.workdir.glob("server-*.log"))
    logs += "".join(p.read_text(errors="replace") for p in srv.workdir.glob("server-*.out"))
    for t in texts:
        assert t not in logs and t.upper() not in logs, f"{t[:16]}... in the server output"
        assert t not in extra_text, f"{t[:16]}... in {extra_text[:200]}"
    assert bl.store_scan(srv, [t.encode() for t in texts]) == []


# ---------------------------------------------------------------- a vault made with -wrapped

@pytest.fixture(scope="module")
def vault(tmp_path_factory):
    srv = bl.Server(tmp_path_factory.mktemp("wrapped"))
    wk, shares, cp = init_wrapped(srv)
    try:
        start_with(srv, wk)
    except bl.ServerError as e:
        srv.stop()
        pytest.fail(str(e), pytrace=False)
    srv.wk, srv.shares, srv.init_cp = wk, shares, cp
    yield srv
    srv.stop()
    found = srv.sanitizer_findings()
    assert not found, "\n".join(found)


def test_init_prints_key_and_shares_once(vault):
    out = vault.init_cp.stdout
    assert out.count(vault.wk) == 1
    assert "any 3 of these 5" in out
    assert "API Root token" not in out          # it was given
    sets = {parse(s)[1] for s in vault.shares}
    assert len(sets) == 1 and len(set(vault.shares)) == 5
    for s in vault.shares:
        assert len(parse(s)[2]) == 32
        assert s not in vault.init_cp.stderr
    assert vault.wk not in vault.init_cp.stderr
    # the Python rebuild of the format agrees with the server's key
    assert combine(vault.shares[:3]) == vault.wk


def test_every_subset_rebuilds_the_key(vault):
    api = vault.client()
    for trio in itertools.combinations(vault.shares, 3):
        for order in (trio, trio[::-1]):
            b = assert_ok(gen(api, *order))
            assert b == {"status": "ok", "wrappingkey": vault.wk}
    # upper case and surrounding blanks are the same share
    s = vault.shares
    b = assert_ok(gen(api, "  " + s[0].upper().replace("DBS1", "dbs1") + "\n", s[2], s[4]))
    assert b["wrappingkey"] == vault.wk


@pytest.mark.parametrize("which", [0, 1, 2])
def test_garbled_share_is_400(vault, which):
    api = vault.client()
    trio = [vault.shares[0], vault.shares[2], vault.shares[3]]
    for bad, msg in ((altered(trio[which]), CHECKSUM),
                     (altered(trio[which], 7), CHECKSUM),                 # the set id
                     (trio[which][:-1], "malformed key share: a field has the wrong length"),
                     (trio[which][1:], "not a databunker key share (a share starts with dbs1-)"),
                     (trio[which].replace("-", "", 1),
                      "unsupported key share version (this version reads dbs1 shares)"),
                     ("hello", "not a databunker key share (a share starts with dbs1-)"),
                     ("dbs2-" + trio[which][5:],
                      "unsupported key share version (this version reads dbs1 shares)"),
                     (trio[which][:20] + "zz" + trio[which][22:],
                      "malformed key share: not hexadecimal")):
        t = list(trio)
        t[which] = bad
        b = assert_error(gen(api, *t), 400)
        assert b["message"] == f"key{which + 1}: {msg}", (bad, b)


def test_duplicate_and_inconsistent_shares_are_400(vault):
    api = vault.client()
    s = vault.shares
    b = assert_error(gen(api, s[0], s[1], s[0]), 400)
    assert b["message"] == "the same key share was given twice"
    # the same number twice with different bytes
    x, setid, y = parse(s[1])
    twin = share_text(x, setid, bytes(b ^ 1 for b in y))
    b = assert_error(gen(api, s[0], s[1], twin), 400)
    assert b["message"] == "the same key share was given twice"
    # a share of another split
    other = split(secrets.token_bytes(32))
    b = assert_error(gen(api, s[0], s[1], other[2]), 400)
    assert b["message"] == "key shares come from different sets"
    # a whole consistent set of another key
    b = assert_error(gen(api, *other[:3]), 400)
    assert b["message"] == WRONG_VAULT
    # a well-formed share of this set with wrong bytes (its checksum redone):
    # only opening the wrapped master key can tell
    x, setid, y = parse(s[4])
    forged = share_text(x, setid, bytes([y[0] ^ 0x80]) + y[1:])
    b = assert_error(gen(api, s[0], s[2], forged), 400)
    assert b["message"] == WRONG_VAULT
    # shares of a secret of another size
    short = split(secrets.token_bytes(16), setid=setid)
    b = assert_error(gen(api, *short[:3]), 400)
    assert b["message"] == "key shares do not hold a 32-byte wrapping key"


def test_bad_bodies_are_400(vault):
    api = vault.client()
    s = vault.shares
    for body, msg in (({}, "missing key1"),
                      ({"key1": s[0]}, "missing key2"),
                      ({"key1": s[0], "key2": s[1]}, "missing key3"),
                      ({"key1": s[0], "key2": s[1], "key3": None}, "missing key3"),
                      ({"key1": "", "key2": s[1], "key3": s[2]}, "missing key1"),
                      ({"key1": s[0], "key2": 5, "key3": s[2]}, "key2 must be a string"),
                      ({"key1": s[0], "key2": s[1], "key3": [s[2]]}, "key3 must be a string")):
        b = assert_error(api.v2(OP, body), 400)
        assert b["message"] == msg, body
    assert_error(api.raw("POST", "/v2/" + OP, b"{not json"), 400)
    # a fourth share is ignored: the call takes key1..key3
    b = assert_ok(api.v2(OP, {"key1": s[0], "key2": s[1], "key3": s[2], "key4": "x"}))
    assert b["wrappingkey"] == vault.wk


def test_only_root_may_call(vault):
    api = vault.client()
    s = vault.shares
    for tok in (None, "", "DEMO", str(uuid.uuid4())):
        assert_error(gen(api, *s[:3], token=tok), 403)
    # a user's access token
    user = api.create_user(bl.profile())
    assert_error(gen(vault.client(bl.xtoken_for_user(api, user)), *s[:3]), 403)
    # a tenant's admin token, and root speaking for a tenant
    name, _, xtoken = bl.create_tenant(api)
    hdr = {"X-Bunker-Tenant": name}
    assert_error(gen(vault.client(xtoken), *s[:3], headers=hdr), 403)
    assert_error(gen(api, *s[:3], headers=hdr), 403)
    # refused callers learn nothing about the body: bad shares are 403 too
    assert_error(gen(vault.client(None), "x", "y", "z"), 403)


def test_calls_are_audited_without_key_material(vault):
    api = vault.client()
    s = vault.shares
    assert_ok(gen(api, s[4], s[0], s[2]))
    assert_error(gen(api, s[0], s[1], altered(s[2])), 400)
    rows = bl.v2_ok(api, "BulkListAllAuditEvents", {"unlockuuid": bl.unlock(api),
                                                   "limit": 100})["rows"]
    mine = [r for r in rows if r["eventtype"] == OP]
    full = [assert_ok(api.v2("AuditGetEvent", {"auditeventuuid": r["auditeventuuid"]}))
            for r in mine]
    text = repr(rows) + repr(full)
    assert any(e["details"]["status"] == "ok" and
               e["details"]["msg"] == "rebuilt from shares 5, 1, 3"
               for e in full), full
    assert any(e["details"]["status"] == "error" and
               e["details"]["msg"] == "key3: " + CHECKSUM for e in full), full
    assert vault.wk not in text and not any(x in text for x in s)
    assert not any(parse(x)[2].hex() in text for x in s)


def test_secrets_never_logged_or_stored(vault):
    api = vault.client()
    assert_ok(gen(api, *vault.shares[1:4]))
    assert_error(gen(api, vault.shares[0], vault.shares[0], vault.shares[1]), 400)
    y_hex = [parse(s)[2].hex() for s in vault.shares]
    secrets_nowhere(vault, [vault.wk, *vault.shares, *y_hex])


def test_recover_command(vault):
    s = vault.shares
    ok_in = f"{s[1]}\n\n  {s[4]}  \r\n{s[0]}\n"
    cp = cli(vault, ["wrapping-key-recover"], input=ok_in)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout == vault.wk + "\n"
    assert "not checked against a vault" in cp.stderr
    cp = cli(vault, ["wrapping-key-recover", *vault.db_args()], input=ok_in)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout == vault.wk + "\n"
    assert "checked: this key opens the master key" in cp.stderr
    # the first 3 shares count
    cp = cli(vault, ["wrapping-key-recover", *vault.db_args()], input="\n".join(s) + "\n")
    assert cp.returncode == 0 and cp.stdout == vault.wk + "\n"
    for text, msg in ((f"{s[0]}\n{altered(s[1])}\n{s[2]}\n", "share 2: " + CHECKSUM),
                      (f"{s[0]}\n{s[1]}\n", "2 shares read: 3 are needed"),
                      ("", "0 shares read"),
                      (f"{s[0]}\n{s[0]}\n{s[2]}\n", "the same key share was given twice"),
                      ("x" * 600 + "\n", "share 1: line too long")):
        cp = cli(vault, ["wrapping-key-recover"], input=text)
        assert cp.returncode == 1 and cp.stdout == "", (text, cp.stdout)
        assert msg in cp.stderr, cp.stderr
    other = split(secrets.token_bytes(32))
    cp = cli(vault, ["wrapping-key-recover", *vault.db_args()], input="\n".join(other[:3]))
    assert cp.returncode == 1 and cp.stdout == "" and WRONG_VAULT in cp.stderr
    # without a vault to check, a consistent set of another key is all it can know
    cp = cli(vault, ["wrapping-key-recover"], input="\n".join(other[2:]))
    assert cp.returncode == 0 and cp.stdout.strip() == combine(other[:3])


# ---------------------------------------------------------------- rotation

def test_rotation(server_factory):
    srv = server_factory()
    old = secrets.token_hex(32)
    wk, old_shares, _ = init_wrapped(srv, old)
    assert wk == old and combine(old_shares[1:4]) == old
    start_with(srv, old)
    api = srv.client()
    prof = bl.profile()
    user = api.create_user(prof)
    srv.stop()

    # a wrong current key changes nothing
    cp = cli(srv, ["rotate-wrapping-key", *srv.db_args()],
             {"DATABUNKER_WRAPPINGKEY": secrets.token_hex(32)})
    assert cp.returncode == 1 and "does not open this vault's master key" in cp.stderr
    assert "Share" not in cp.stdout
    cp = cli(srv, ["rotate-wrapping-key", *srv.db_args()])
    assert cp.returncode == 1 and "set DATABUNKER_WRAPPINGKEY" in cp.stderr
    cp = cli(srv, ["rotate-wrapping-key", *srv.db_args()],
             {"DATABUNKER_WRAPPINGKEY": old, "DATABUNKER_NEW_WRAPPINGKEY": "abc"})
    assert cp.returncode == 1 and "must be 64 hex digits" in cp.stderr
    cp = cli(srv, ["rotate-wrapping-key", *srv.db_args()],
             {"DATABUNKER_WRAPPINGKEY": old, "DATABUNKER_NEW_WRAPPINGKEY": old.upper()})
    assert cp.returncode == 1 and "the new wrapping key is the current one" in cp.stderr

    # rotate to a generated key
    cp = cli(srv, ["rotate-wrapping-key", *srv.db_args()], {"DATABUNKER_WRAPPINGKEY": old})
    assert cp.returncode == 0, cp.stdout + cp.stderr
    new = NEW_KEY_RE.search(cp.stdout).group(1)
    new_shares = shares_of(cp.stdout)
    assert new != old and combine(new_shares[::2]) == new
    assert new not in cp.stderr and not any(x in cp.stderr for x in new_shares)

    # the old key is refused at start, with a message that says so
    rc, log, served = start_fails_with(srv, old)
    assert rc not in (None, 0) and not served
    assert "DATABUNKER_WRAPPINGKEY does not open this vault's master key" in log
    assert old not in log

    # the new key opens the same data
    start_with(srv, new)
    api = srv.client()
    assert api.user_data("token", user)["email"] == prof["email"]
    assert assert_ok(gen(api, *new_shares[2:]))["wrappingkey"] == new
    b = assert_error(gen(api, *old_shares[:3]), 400)
    assert b["message"] == WRONG_VAULT
    b = assert_error(gen(api, old_shares[0], new_shares[1], new_shares[2]), 400)
    assert b["message"] == "key shares come from different sets"
    rows = bl.v2_ok(api, "BulkListAllAuditEvents", {"unlockuuid": bl.unlock(api),
                                                   "limit": 100})["rows"]
    assert any(r["eventtype"] == "WrappingKeyRotate" and r["status"] == "ok" for r in rows)

    # rotate again, to a key given, while the server runs: it keeps serving
    given = secrets.token_hex(32)
    cp = cli(srv, ["rotate-wrapping-key", *srv.db_args()],
             {"DATABUNKER_WRAPPINGKEY": new, "DATABUNKER_NEW_WRAPPINGKEY": given})
    assert cp.returncode == 0, cp.stderr
    assert "New wrapping key" not in cp.stdout and given not in cp.stdout
    given_shares = shares_of(cp.stdout)
    assert_ok(api.get_user("token", user))
    assert assert_ok(gen(api, *given_shares[:3]))["wrappingkey"] == given
    srv.stop()
    rc, log, _ = start_fails_with(srv, new)
    assert rc not in (None, 0)
    start_with(srv, given)
    assert_ok(srv.client().get_user("token", user))
    secrets_nowhere(srv, [old, new, given, *old_shares, *new_shares, *given_shares])


# ---------------------------------------------------------------- without a wrapping key

def test_master_key_vault_has_no_wrapping_key(api, server):
    """The OSS-compatible mode (DATABUNKER_MASTERKEY given): no shares exist,
    so the call is a 409 that says why; non-root callers still get 403."""
    s = split(secrets.token_bytes(32))
    b = assert_error(gen(api, *s[:3]), 409)
    assert b["message"] == ("this vault has no wrapping key: its master key is given directly "
                            "(DATABUNKER_MASTERKEY)")
    assert_error(gen(server.client(token=None), *s[:3]), 403)


def test_master_key_vault_can_start_wrapping(server_factory):
    srv = server_factory()
    cp = srv.init()
    assert "Share" not in cp.stdout and "dbs1-" not in cp.stdout
    srv.start()
    user = srv.client().create_user(bl.profile())
    srv.stop()
    # no current wrapping key: the master key itself proves the right to wrap it
    cp = cli(srv, ["rotate-wrapping-key", *srv.db_args()],
             {"DATABUNKER_MASTERKEY": secrets.token_hex(32)})
    assert cp.returncode == 1 and "the key given is not this vault's" in cp.stderr
    cp = cli(srv, ["rotate-wrapping-key", *srv.db_args()],
             {"DATABUNKER_MASTERKEY": srv.masterkey})
    assert cp.returncode == 0, cp.stderr
    wk = NEW_KEY_RE.search(cp.stdout).group(1)
    shares = shares_of(cp.stdout)
    start_with(srv, wk)
    api = srv.client()
    assert_ok(api.get_user("token", user))
    assert assert_ok(gen(api, *shares[1:4]))["wrappingkey"] == wk


def test_init_refuses_a_malformed_wrapping_key(server_factory):
    srv = server_factory()
    for bad in ("abc", "g" * 64, secrets.token_hex(24)):
        cp = cli(srv, ["-init", *srv.db_args()], {"DATABUNKER_WRAPPINGKEY": bad})
        assert cp.returncode != 0
        assert "DATABUNKER_WRAPPINGKEY must be 64 hex digits" in cp.stderr
    cp = cli(srv, ["-start", "-wrapped", *srv.db_args()])
    assert cp.returncode == 2 and "-wrapped goes with -init" in cp.stderr
    # nothing was initialized: a good -init still works
    wk, shares, _ = init_wrapped(srv, secrets.token_hex(32))
    assert combine(shares[2:]) == wk
