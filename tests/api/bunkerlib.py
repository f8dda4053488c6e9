"""Helpers for the Databunker-C API test suite: starting servers, an HTTP
client that adds the X-Bunker-Token header, unique test data, and assertions
on the JSON envelope.

Binary: $DATABUNKER_BIN, or <repo>/build/databunker where <repo> is two
directories above this file.

Backend: $DATABUNKER_TEST_STORE (sqlite, the default; pgsql; mysql). For the
database servers the runner exports their connection env (PGSQL_* or MYSQL_*,
as printed by scripts/pg-up.sh / scripts/mysql-up.sh), and every Server gets
a new database of its own, named like its work directory.
"""

import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
DEFAULT_BIN = REPO_ROOT / "build" / "databunker"

UUID4_RE = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
UUID_ANY_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

START_TIMEOUT = 10.0      # seconds to wait for GET /status to answer 200
HTTP_TIMEOUT = 30.0       # per request


def bin_path():
    return Path(os.environ.get("DATABUNKER_BIN", str(DEFAULT_BIN)))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- test data

def uid():
    return uuid.uuid4().hex[:12]


def email(prefix="user"):
    return f"{prefix}.{uid()}@example.com"


def login(prefix="login"):
    return f"{prefix}-{uid()}"


def phone():
    """11 digits, already in normalized form."""
    return "1" + "".join(random.choice("0123456789") for _ in range(10))


def custom(prefix="cust"):
    return f"{prefix}-{uid()}"


def profile(**extra):
    """A profile with every indexed field set (all already normalized, so it
    reads back byte-for-byte) and some non-indexed fields of several types."""
    p = {
        "fname": "Test",
        "lname": "User-" + uid(),
        "email": email(),
        "phone": phone(),
        "login": login(),
        "custom": custom(),
        "age": 33,
        "vip": True,
        "score": 1.5,
        "tags": ["a", "b"],
        "address": {"city": "Paris", "zip": "75001"},
        "note": "unicode \u00f1 \u65e5\u672c",
    }
    p.update(extra)
    return p


def q(s):
    """Percent-encode one path segment."""
    return urllib.parse.quote(s, safe="")


def upath(mode, identity):
    return f"/v1/user/{mode}/{q(identity)}"


# ---------------------------------------------------------------- assertions

def describe(r):
    req = r.request
    body = req.body
    if isinstance(body, bytes):
        body = body[:300].decode("utf-8", "replace")
    elif isinstance(body, str):
        body = body[:300]
    return (f"\n  request:  {req.method} {req.url}\n  req body: {body!r}"
            f"\n  response: {r.status_code} {r.headers.get('Content-Type')!r} {r.text[:600]!r}")


def jbody(r):
    ctype = r.headers.get("Content-Type", "")
    assert "application/json" in ctype, f"response is not JSON (Content-Type {ctype!r}){describe(r)}"
    try:
        return r.json()
    except ValueError:
        raise AssertionError(f"response body is not valid JSON{describe(r)}")


def assert_ok(r, status=200):
    assert r.status_code == status, f"expected {status}{describe(r)}"
    b = jbody(r)
    assert isinstance(b, dict), f"body is not an object{describe(r)}"
    assert b.get("status") == "ok", f"status is not ok{describe(r)}"
    return b


def assert_error(r, status):
    """status: an int, or a collection/range of acceptable ints. The body must
    be exactly {"status":"error","message":"<non-empty text>"}."""
    codes = status if isinstance(status, (set, frozenset, tuple, list, range)) else {status}
    assert r.status_code in codes, f"expected {status}{describe(r)}"
    b = jbody(r)
    assert isinstance(b, dict), f"error body is not an object{describe(r)}"
    assert set(b) == {"status", "message"}, f"error body keys {sorted(b)}{describe(r)}"
    assert b["status"] == "error", describe(r)
    assert isinstance(b["message"], str) and b["message"].strip(), f"empty message{describe(r)}"
    return b


def assert_not_found(r):
    b = assert_error(r, 404)
    assert b["message"] == "not found", describe(r)
    return b


def assert_uuid4(tok, r=None):
    assert isinstance(tok, str) and UUID4_RE.match(tok), \
        f"not a lowercase UUID v4: {tok!r}" + (describe(r) if r is not None else "")


def maybe_json(v):
    """before/after may be given as a JSON object or as a JSON string."""
    if isinstance(v, str):
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


# ---------------------------------------------------------------- HTTP client

_DEFAULT = object()


class Client:
    def __init__(self, base_url, token):
        self.base = base_url
        self.token = token
        self.s = requests.Session()

    def request(self, method, path, token=_DEFAULT, headers=None, **kw):
        h = dict(headers or {})
        if token is _DEFAULT:
            token = self.token
        if token is not None:
            h["X-Bunker-Token"] = token
        kw.setdefault("timeout", HTTP_TIMEOUT)
        return self.s.request(method, self.base + path, headers=h, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def raw(self, method, path, body, ctype="application/json", **kw):
        headers = dict(kw.pop("headers", {}) or {})
        if ctype is not None:
            headers["Content-Type"] = ctype
        return self.request(method, path, data=body, headers=headers, **kw)

    # -- /v1 users
    def create_user(self, prof):
        r = self.post("/v1/user", json=prof)
        b = assert_ok(r)
        assert_uuid4(b.get("token"), r)
        return b["token"]

    def get_user(self, mode, identity, **kw):
        return self.get(upath(mode, identity), **kw)

    def user_data(self, mode, identity):
        r = self.get_user(mode, identity)
        b = assert_ok(r)
        return b["data"]

    def put_user(self, mode, identity, body, **kw):
        return self.put(upath(mode, identity), json=body, **kw)

    def delete_user(self, mode, identity, **kw):
        return self.delete(upath(mode, identity), **kw)

    # -- /v2
    def v2(self, op, body, **kw):
        return self.post(f"/v2/{op}", json=body, **kw)

    # -- audit
    def audit_list(self, user_token, offset=0, limit=100):
        return self.get(f"/v1/audit/list/{q(user_token)}?offset={offset}&limit={limit}")

    def audit_rows(self, user_token, limit=100):
        r = self.audit_list(user_token, 0, limit)
        b = assert_ok(r)
        return b

    def audit_get(self, atoken):
        return self.get(f"/v1/audit/get/{q(atoken)}")

    def status_ok(self):
        try:
            r = self.s.get(self.base + "/status", timeout=5)
        except requests.RequestException:
            return False
        return r.status_code == 200


# ---------------------------------------------------------------- servers

class ServerError(RuntimeError):
    pass


class Server:
    """One databunker process with its own db file and log, in <workdir>."""

    def __init__(self, workdir, masterkey=None, roottoken=None, conf=None, db_path=None,
                 db_name=None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.masterkey = masterkey if masterkey is not None else secrets.token_hex(32)
        self.token = roottoken if roottoken is not None else str(uuid.uuid4())
        self.db_path = Path(db_path) if db_path else self.workdir / "databunker.db"
        self.store = store_kind()
        self.db_name = None
        if self.store != "sqlite" and db_name is not None:
            self.db_name = db_name          # share another Server's database
        elif self.store != "sqlite":
            self.db_name = "bk_" + uuid.uuid4().hex[:16]
            create_database(self.store, self.db_name)
        self.conf_path = None
        if conf is not None:
            self.conf_path = self.workdir / "databunker.yaml"
            self.conf_path.write_text(conf)
        self.proc = None
        self.port = None
        self.log_path = None
        self._starts = 0
        self._logf = None
        self._outf = None

    # -- environment / CLI
    def _env(self, masterkey=_DEFAULT, roottoken=_DEFAULT):
        env = os.environ.copy()
        for k in ("DATABUNKER_MASTERKEY", "DATABUNKER_ROOTTOKEN"):
            env.pop(k, None)
        mk = self.masterkey if masterkey is _DEFAULT else masterkey
        rt = self.token if roottoken is _DEFAULT else roottoken
        if mk is not None:
            env["DATABUNKER_MASTERKEY"] = mk
        if rt is not None:
            env["DATABUNKER_ROOTTOKEN"] = rt
        return env

    @staticmethod
    def check_binary():
        b = bin_path()
        if not b.is_file() or not os.access(b, os.X_OK):
            raise ServerError(f"databunker binary not found at {b} (set DATABUNKER_BIN)")
        return b

    def run_init(self, masterkey=_DEFAULT, roottoken=_DEFAULT, timeout=30):
        b = self.check_binary()
        return subprocess.run([str(b), "-init"] + self.db_args(),
                              env=self._env(masterkey, roottoken), capture_output=True,
                              text=True, timeout=timeout, cwd=self.workdir)

    def init(self):
        cp = self.run_init()
        if cp.returncode != 0:
            raise ServerError(f"databunker -init failed rc={cp.returncode}\n"
                              f"stdout: {cp.stdout}\nstderr: {cp.stderr}")
        return cp

    def _argv(self):
        argv = [str(self.check_binary()), "-start"] + self.db_args() + [
                "-host", "127.0.0.1", "-port", str(self.port)]
        if self.conf_path is not None:
            argv += ["-conf", str(self.conf_path)]
        return argv

    def _spawn(self, masterkey=_DEFAULT):
        self.port = free_port()
        self._starts += 1
        self.log_path = self.workdir / f"server-{self._starts}.log"
        self._logf = open(self.log_path, "wb")
        self._outf = open(self.workdir / f"server-{self._starts}.out", "wb")
        # The root token is given only to -init; -start reads it from the db.
        self.proc = subprocess.Popen(self._argv(), env=self._env(masterkey, None),
                                     stdout=self._outf, stderr=self._logf,
                                     cwd=self.workdir, start_new_session=True)

    def start(self, masterkey=_DEFAULT, timeout=START_TIMEOUT):
        self._spawn(masterkey)
        deadline = time.monotonic() + timeout
        port_tries = 3
        while time.monotonic() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                self._close_files()
                # free_port() gave a port that another process (a parallel
                # test worker) took before this server bound it: new port.
                port_tries -= 1
                if port_tries > 0 and "cannot listen on" in self.log_tail(5):
                    self._spawn(masterkey)
                    continue
                raise ServerError(f"databunker exited rc={rc} during start-up\n{self.log_tail()}")
            try:
                r = requests.get(self.url + "/status", timeout=1)
                if r.status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise ServerError(f"GET /status did not answer 200 within {timeout}s\n{self.log_tail()}")

    def start_expect_exit(self, masterkey=_DEFAULT, timeout=START_TIMEOUT):
        """Start and expect the process to exit by itself within <timeout>.
        Returns (returncode, stderr text, port was serving)."""
        self._spawn(masterkey)
        served = False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                r = requests.get(self.url + "/status", timeout=0.5)
                served = served or r.status_code == 200
            except requests.RequestException:
                pass
            time.sleep(0.1)
        rc = self.proc.poll()
        if rc is None:
            self.stop()
            rc = None
        self._close_files()
        return rc, self.log_path.read_text(errors="replace"), served

    def stop(self, timeout=10):
        """SIGTERM, wait, then SIGKILL. Returns the exit code (None if it was
        not running) and whether SIGKILL was needed."""
        killed = False
        rc = None
        if self.proc is not None:
            if self.proc.poll() is None:
                try:
                    self.proc.send_signal(signal.SIGTERM)
                    rc = self.proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    killed = True
                    self.proc.kill()
                    rc = self.proc.wait(timeout=timeout)
            else:
                rc = self.proc.returncode
        self._close_files()
        return rc, killed

    def _close_files(self):
        for f in (self._logf, self._outf):
            if f is not None and not f.closed:
                f.close()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def client(self, token=_DEFAULT):
        return Client(self.url, self.token if token is _DEFAULT else token)

    def sanitizer_findings(self):
        """Lines in the log where ASan, LSan or UBSan reported a problem."""
        if not self.log_path or not self.log_path.exists():
            return []
        marks = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
        return [ln for ln in self.log_path.read_text(errors="replace").splitlines()
                if any(m in ln for m in marks)]

    def log_tail(self, n=40):
        if not self.log_path or not self.log_path.exists():
            return "(no log)"
        lines = self.log_path.read_text(errors="replace").splitlines()
        return "server log tail:\n" + "\n".join(lines[-n:])

    def db_args(self):
        """The -store/-db arguments that point the binary at this server's db."""
        if self.store == "sqlite":
            return ["-db", str(self.db_path)]
        return ["-store", self.store, "-db", self.db_name]

    def db_files(self):
        """The SQLite file and its companions that exist right now."""
        out = []
        for suffix in ("", "-wal", "-shm", "-journal"):
            p = Path(str(self.db_path) + suffix)
            if p.exists():
                out.append(p)
        return out


# ---------------------------------------------------------------- consents

def brief(prefix="b"):
    """A fresh legal-basis brief ([a-z0-9-], well under 64 characters)."""
    return f"{prefix}-{uid()}"


def consent_path(mode, identity, brief_=None):
    p = f"/v1/consent/{mode}/{q(identity)}"
    return p if brief_ is None else f"{p}/{q(brief_)}"


def agreement_path(brief_, mode, identity):
    return f"/v1/agreement/{q(brief_)}/{mode}/{q(identity)}"


def user_ident(mode, token, prof):
    """The identity to name a user created from <prof> with <token> by <mode>."""
    return token if mode == "token" else prof[mode]


def audit_titles(api, user_token):
    """The actions of a user's audit events, newest first."""
    r = api.audit_list(user_token, 0, 100)
    assert r.status_code == 200, describe(r)
    return [row["title"] for row in r.json()["rows"]]


# ---------------------------------------------------------------- app data, sessions, raw db

def app_path(mode, identity, appname):
    return f"/v1/userapp/{mode}/{q(identity)}/{q(appname)}"


def scan_db(srv, needles):
    """(file name, needle) for each needle found in the SQLite file or its
    companions; needles are str or bytes. On a database server: store_scan()."""
    if getattr(srv, "store", "sqlite") != "sqlite":
        return store_scan(srv, needles)
    found = []
    for f in srv.db_files():
        data = f.read_bytes()
        for n in needles:
            nb = n.encode() if isinstance(n, str) else n
            if nb in data:
                found.append((f.name, n))
    return found


# One row per posting of the search index, on every backend: PostgreSQL and
# MariaDB keep a row per posting in search_grams; SQLite keeps a list per
# (tenant, kind, bucket, gram) there (src/store/gramlist.h: 16-bit offsets in
# the bucket, big-endian, ascending), which this view unrolls.
POSTINGS_VIEW = """
CREATE TEMP VIEW IF NOT EXISTS search_postings (tenant, kind, bucket, gram, user_id) AS
WITH RECURSIVE p(tenant, kind, bucket, gram, ids, i) AS (
    SELECT tenant, kind, bucket, gram, ids, 0 FROM main.search_grams WHERE length(ids) > 0
    UNION ALL
    SELECT tenant, kind, bucket, gram, ids, i + 2 FROM p WHERE i + 2 < length(ids))
SELECT tenant, kind, bucket, gram, (bucket << 14) + bk_posting_offset(ids, i) FROM p
"""


def _posting_offset(ids, i):
    return int.from_bytes(ids[i:i + 2], "big")


def db_query(srv, sql, params=()):
    """Rows of a read-only query on the server's SQLite file (it may be running).
    The search index's postings read as rows from search_postings."""
    import sqlite3
    con = sqlite3.connect(f"file:{srv.db_path}?mode=ro", uri=True, timeout=10)
    try:
        if "search_postings" in sql:
            con.create_function("bk_posting_offset", 2, _posting_offset, deterministic=True)
            con.execute(POSTINGS_VIEW)
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


# ---------------------------------------------------------------- system family helpers

def bulk_unlock(api):
    """A fresh BulkListUnlock id."""
    r = api.v2("BulkListUnlock", {})
    b = assert_ok(r)
    assert UUID4_RE.match(b.get("unlockuuid", "")), describe(r)
    return b["unlockuuid"]


_PROM_LINE = re.compile(
    r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*)\})?'
    r' (\S+)$')
_PROM_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_prometheus(text):
    """Parse the text exposition format strictly: returns (types, samples)
    where types maps metric name -> type and samples is a list of
    (name, {label: value}, float). Any line that does not parse fails."""
    types, samples = {}, []
    for ln in text.split("\n"):
        if ln == "":
            continue
        if ln.startswith("# TYPE "):
            _, _, name, typ = ln.split(" ", 3)
            assert typ in ("counter", "gauge", "histogram", "summary", "untyped"), ln
            types[name] = typ
            continue
        if ln.startswith("#"):
            continue
        m = _PROM_LINE.match(ln)
        assert m, f"not an exposition line: {ln!r}"
        labels = {k: bytes(v, "utf-8").decode("unicode_escape")
                  for k, v in _PROM_LABEL.findall(m.group(2) or "")}
        samples.append((m.group(1), labels, float(m.group(3))))
    return types, samples


# ---------------------------------------------------------------- versions, expiration, shares

def canonical_md5(doc):
    """MD5 of a JSON document's canonical text, as UserListVersions reports
    it: compact, keys sorted, UTF-8 (not ASCII-escaped)."""
    import hashlib
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def started(server_factory, conf):
    """A running server with its own new db and the YAML text <conf>."""
    srv = server_factory(conf=conf)
    srv.init()
    srv.start()
    return srv


def db_count(srv, table):
    """Rows in <table> of the server's database, read-only, on any backend."""
    if getattr(srv, "store", "sqlite") != "sqlite":
        return int(store_rows(srv, f"SELECT count(*) FROM {table}")[0][0])
    import sqlite3
    con = sqlite3.connect(f"file:{srv.db_path}?mode=ro", uri=True, timeout=10)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def wait_until(pred, timeout=8.0, step=0.1):
    """Poll <pred> until it returns a true value or <timeout> seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(step)


# ---------------------------------------------------------------- access control helpers

def v2_ok(api, op, body):
    """POST /v2/<op> and return the ok body."""
    return assert_ok(api.v2(op, body))


def unlock(api):
    """A fresh bulk unlock id for <api>'s token."""
    b = v2_ok(api, "BulkListUnlock", {})
    assert UUID_ANY_RE.match(b["unlockuuid"]), b
    return b["unlockuuid"]


def xtoken_for_user(api, user_token, **times):
    body = {"mode": "token", "identity": user_token}
    body.update(times)
    b = v2_ok(api, "XTokenCreateForUser", body)
    assert UUID_ANY_RE.match(b["xtoken"]), b
    return b["xtoken"]


def xtoken_for_role(api, rolename, **times):
    body = {"rolename": rolename}
    body.update(times)
    return v2_ok(api, "XTokenCreateForRole", body)["xtoken"]


# ---------------------------------------------------------------- proof helpers

def run_cli(srv, *args, timeout=60):
    """Run the databunker binary with <args> and the server's master key;
    returns the CompletedProcess (text)."""
    b = Server.check_binary()
    return subprocess.run([str(b), *args], env=srv._env(roottoken=None), capture_output=True,
                          text=True, timeout=timeout, cwd=srv.workdir)


def audit_verify(srv, db_path=None):
    """`databunker audit-verify -db <db>`: (exit code, stdout + stderr)."""
    cp = run_cli(srv, "audit-verify", "-db", str(db_path or srv.db_path))
    return cp.returncode, cp.stdout + cp.stderr


def sqlite_copy(src, dst):
    """A consistent copy of the SQLite database <src> (WAL included) at <dst>,
    made with SQLite's online backup API."""
    import sqlite3
    s = sqlite3.connect(str(src))
    d = sqlite3.connect(str(dst))
    try:
        s.backup(d)
    finally:
        d.close()
        s.close()


# ---------------------------------------------------------------- backends

def store_kind():
    """The backend the suite runs on: $DATABUNKER_TEST_STORE (default sqlite)."""
    return os.environ.get("DATABUNKER_TEST_STORE", "sqlite") or "sqlite"


def _pg_env():
    env = os.environ.copy()
    env["PGPASSWORD"] = os.environ["PGSQL_USER_PASS"]
    return env


def _pg_cmd(tool):
    d = os.environ.get("PGUP_BIN")
    return str(Path(d) / tool) if d else tool


def _pg_conn_args():
    return ["-h", os.environ["PGSQL_HOST"], "-p", os.environ["PGSQL_PORT"],
            "-U", os.environ["PGSQL_USER_NAME"]]


def _my_conn_args():
    return ["--no-defaults", "-h", os.environ["MYSQL_HOST"], "-P", os.environ["MYSQL_PORT"],
            "-u", os.environ["MYSQL_USER_NAME"], "-p" + os.environ["MYSQL_USER_PASS"]]


def create_database(store, name):
    """A new empty database <name> on the test's database server."""
    assert re.fullmatch(r"[a-z0-9_]+", name), name
    if store == "pgsql":
        subprocess.run([_pg_cmd("createdb")] + _pg_conn_args() + [name], env=_pg_env(),
                       check=True, capture_output=True, timeout=60)
    elif store == "mysql":
        subprocess.run(["mariadb"] + _my_conn_args() + ["-e", f"CREATE DATABASE {name}"],
                       check=True, capture_output=True, timeout=60)
    else:
        raise ValueError(store)


def sql_as_vault_role(srv, sql):
    """Run <sql> (several statements allowed) in <srv>'s database as the
    vault's own database account; returns stdout (psql -At / mariadb -N)."""
    if srv.store == "pgsql":
        cp = subprocess.run([_pg_cmd("psql")] + _pg_conn_args() +
                            ["-d", srv.db_name, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                            env=_pg_env(), capture_output=True, text=True, timeout=60)
    else:
        cp = subprocess.run(["mariadb"] + _my_conn_args() + ["-N", "-B", srv.db_name, "-e", sql],
                            capture_output=True, text=True, timeout=60)
    if cp.returncode != 0:
        raise AssertionError(f"SQL failed: {cp.stderr}")
    return cp.stdout


def db_dump(srv):
    """Every table of <srv>'s database as bytes (SQLite: the db file and its
    companions; PostgreSQL: pg_dump; MariaDB: mariadb-dump), for plaintext scans."""
    if srv.store == "sqlite":
        return b"".join(f.read_bytes() for f in srv.db_files())
    if srv.store == "pgsql":
        # As the cluster's superuser over its socket: row-level security
        # would hide every tenant's rows from the vault's own role.
        cp = subprocess.run([_pg_cmd("pg_dump"), "-h", os.environ["PGUP_DIR"], "-p",
                             os.environ["PGSQL_PORT"], "-U", "postgres", "-d", srv.db_name],
                            capture_output=True, timeout=120)
    else:
        cp = subprocess.run(["mariadb-dump"] + _my_conn_args() +
                            ["--hex-blob", "--skip-comments", srv.db_name],
                            capture_output=True, timeout=120)
    assert cp.returncode == 0, cp.stderr.decode(errors="replace")
    assert len(cp.stdout) > 100, "empty dump"
    return cp.stdout


def db_server_restart():
    """Restart the test's database server (PostgreSQL or MariaDB), same port."""
    _db_server("restart")


def _db_server(verb):
    root = REPO_ROOT / "scripts"
    if store_kind() == "pgsql":
        cmd = ["bash", str(root / "pg-up.sh"), verb, os.environ["PGUP_DIR"]]
    else:
        cmd = ["bash", str(root / "mysql-up.sh"), verb, os.environ["MYSQLUP_DIR"]]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)


def db_server_stop():
    """Stop the test's database server; db_server_resume() starts it again."""
    _db_server("stop")


def db_server_resume():
    _db_server("resume")


# ---------------------------------------------------------------- tenants

def tenant_name(prefix="t"):
    """A fresh tenant name ([a-z0-9]+)."""
    return prefix + uid()


def create_tenant(api, name=None, org="org"):
    """Create a tenant as root; returns (name, tenantid, xtoken)."""
    name = name or tenant_name()
    r = api.v2("TenantCreate", {"tenantname": name, "tenantorg": org})
    b = assert_ok(r)
    assert isinstance(b.get("tenantid"), int) and b["tenantid"] > 0, describe(r)
    assert_uuid4(b.get("xtoken"), r)
    return name, b["tenantid"], b["xtoken"]


# ---------------------------------------------------------------- backend-aware raw reads

def _sql_literal(v):
    if isinstance(v, bool) or v is None:
        raise ValueError(v)
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("\\", "\\\\").replace("'", "''") + "'"


def _cell(v):
    return int(v) if re.fullmatch(r"-?[0-9]+", v) else v


def store_rows(srv, sql, params=()):
    """Rows of a read-only query on <srv>'s database on any backend: SQLite
    via db_query(); PostgreSQL as the cluster's superuser over its socket
    (row-level security would show the vault's role no tenant's rows);
    MariaDB as the vault's account. '?' placeholders take <params> (str or
    int); integer-looking cells come back as int."""
    if srv.store == "sqlite":
        return db_query(srv, sql, params)
    sql = sql.replace("search_postings", "search_grams")
    parts = sql.split("?")
    assert len(parts) == len(params) + 1, (sql, params)
    text = parts[0] + "".join(_sql_literal(p) + s for p, s in zip(params, parts[1:]))
    if srv.store == "pgsql":
        cp = subprocess.run([_pg_cmd("psql"), "-h", os.environ["PGUP_DIR"], "-p",
                             os.environ["PGSQL_PORT"], "-U", "postgres", "-d", srv.db_name,
                             "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", text],
                            capture_output=True, text=True, timeout=60)
    else:
        cp = subprocess.run(["mariadb"] + _my_conn_args() + ["-N", "-B", srv.db_name,
                                                             "-e", text],
                            capture_output=True, text=True, timeout=60)
    assert cp.returncode == 0, f"SQL failed: {cp.stderr}"
    return [tuple(_cell(v) for v in line.split("\t"))
            for line in cp.stdout.splitlines() if line != ""]


def store_scan(srv, needles):
    """(where, needle) for each needle (str or bytes) found in <srv>'s stored
    data on any backend: SQLite files via scan_db(); on a database server its
    dump (db_dump()), as written and with blobs hex-encoded."""
    if srv.store == "sqlite":
        return scan_db(srv, needles)
    data = db_dump(srv)
    found = []
    for n in needles:
        nb = n.encode() if isinstance(n, str) else n
        if nb in data or nb.hex().encode() in data.lower() or nb.hex().upper().encode() in data:
            found.append(("dump", n))
    return found


# ---------------------------------------------------------------- audit-verify on any backend

def audit_verify_own(srv):
    """`databunker audit-verify` on <srv>'s own database, whatever its backend
    (the -store/-db arguments of Server.db_args): (exit code, output)."""
    cp = run_cli(srv, "audit-verify", *srv.db_args())
    return cp.returncode, cp.stdout + cp.stderr


def db_rows(srv, table):
    """Rows in <table> of <srv>'s database across every tenant, on any backend
    (SQLite: the file read-only; PostgreSQL: as the cluster's superuser, since
    row-level security shows the vault's role one tenant at a time; MariaDB:
    as the vault's account)."""
    assert re.fullmatch(r"[a-z_]+", table), table
    if srv.store == "sqlite":
        return db_count(srv, table)
    sql = f"SELECT count(*) FROM {table}"
    if srv.store == "pgsql":
        cp = subprocess.run([_pg_cmd("psql"), "-h", os.environ["PGUP_DIR"], "-p",
                             os.environ["PGSQL_PORT"], "-U", "postgres", "-d", srv.db_name,
                             "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                            capture_output=True, text=True, timeout=60)
        assert cp.returncode == 0, cp.stderr
        return int(cp.stdout.strip())
    return int(sql_as_vault_role(srv, sql).strip())


# ---------------------------------------------------------------- wrapping key helpers

_KEY_ENV = ("DATABUNKER_MASTERKEY", "DATABUNKER_WRAPPINGKEY", "DATABUNKER_NEW_WRAPPINGKEY",
            "DATABUNKER_ROOTTOKEN")


def run_cli_keys(srv, args, keys=None, input=None, timeout=60):
    """Run the binary with <args> in <srv>'s workdir, with exactly the key
    variables in <keys> ({"DATABUNKER_WRAPPINGKEY": ..., ...}) and none of the
    others; <input> goes to stdin. Returns the CompletedProcess (text)."""
    env = os.environ.copy()
    for k in _KEY_ENV:
        env.pop(k, None)
    env.update(keys or {})
    return subprocess.run([str(Server.check_binary()), *args], env=env, input=input,
                          capture_output=True, text=True, timeout=timeout, cwd=srv.workdir)


def with_key_env(keys, fn, *args, **kw):
    """Call fn(*args, **kw) (e.g. srv.start) with the key variables in <keys>
    set in this process's environment and the other key variables unset, as
    Server starts inherit it; the environment is restored after."""
    saved = {k: os.environ.get(k) for k in _KEY_ENV}
    try:
        for k in _KEY_ENV:
            os.environ.pop(k, None)
        os.environ.update(keys)
        return fn(*args, **kw)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


UUID7_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def assert_uuid7(tok, near=None):
    """A lowercase UUID v7 (RFC 9562); with <near> (unix seconds), its time
    part is within a minute of it."""
    assert isinstance(tok, str) and UUID7_RE.match(tok), f"not a lowercase UUID v7: {tok!r}"
    if near is not None:
        ms = int(tok[:8] + tok[9:13], 16)
        assert abs(ms / 1000.0 - near) < 60, f"UUID v7 {tok} says {ms} ms, expected near {near}"


# ---------------------------------------------------------------- read journal (SQLite)

def journal_lock_file(srv):
    """<db>.journal: the lock file of the read journal."""
    return Path(str(srv.db_path) + ".journal")


def journal_files(srv):
    """The read journal's data files <db>.journal.<gen> that exist now."""
    base = Path(str(srv.db_path) + ".journal")
    return sorted((p for p in base.parent.glob(base.name + ".*")
                   if p.name[len(base.name) + 1:].isdigit()),
                  key=lambda p: int(p.name[len(base.name) + 1:]))


def journal_events_left(srv):
    """Whether any journal data file holds anything."""
    return any(p.stat().st_size > 0 for p in journal_files(srv))


# ---------------------------------------------------------------- I/O faults

def iofail_shim():
    """tests/faults/iofail.c, built as libiofail.so beside the binary."""
    return bin_path().parent / "libiofail.so"


class FaultyServer(Server):
    """A server run with the I/O fault shim preloaded: fault() makes the named
    calls fail on a file (the database by default) until clear()."""

    def __init__(self, workdir, **kw):
        super().__init__(workdir, **kw)
        self.control = self.workdir / "iofail.ctl"
        self.control.write_text("")

    def _env(self, *a, **kw):
        env = super()._env(*a, **kw)
        env["LD_PRELOAD"] = str(iofail_shim())
        env["IOFAIL_CONTROL"] = str(self.control)
        # the sanitizer build: the shim follows the ASan runtime, which is fine
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"
        return env

    def fault(self, ops, err, part=None):
        self.control.write_text(f"{ops} {err} {part or self.db_path}\n")

    def clear(self):
        self.control.write_text("")

    def hits(self):
        p = self.workdir / "iofail.ctl.hits"
        return p.stat().st_size if p.exists() else 0


def status_served(socks):
    """How many of the open sockets <socks> get an answer 200 to GET /status
    (the others were refused or closed by the server)."""
    served = 0
    for s in socks:
        try:
            s.sendall(b"GET /status HTTP/1.1\r\nHost: x\r\n\r\n")
            served += s.recv(100).startswith(b"HTTP/1.1 200")
        except (ConnectionResetError, BrokenPipeError, socket.timeout):
            pass
    return served


def read_concurrently(srv, clients, reads, pick, together=False):
    """<clients> threads each GET /v1/user/token/<tok> <reads> times, with
    (tok, headers) = pick(thread, k); with <together> they start at once (a
    barrier). Asserts every read answered 200; returns {tok: reads answered}."""
    counts, errors, lock = {}, [], threading.Lock()
    start = threading.Barrier(clients) if together else None

    def reader(i):
        c = srv.client()
        if start is not None:
            start.wait()
        for k in range(reads):
            tok, hdr = pick(i, k)
            r = c.get("/v1/user/token/" + tok, headers=hdr)
            if r.status_code != 200:
                errors.append(describe(r))
                return
            with lock:
                counts[tok] = counts.get(tok, 0) + 1

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[:3]
    assert sum(counts.values()) == clients * reads, counts
    return counts


# ---------------------------------------------------------------- search helpers

def search_tokens(api, identity, mode):
    """The tokens a fuzzy UserSearch for <identity> in <mode> finds, best first."""
    body = {"identity": identity, "mode": mode, "unlockuuid": unlock(api)}
    return [r["token"] for r in v2_ok(api, "UserSearch", body)["rows"]]


def user_row_id(srv, tok):
    """The users row id (the search index's user id) of token <tok>."""
    rows = store_rows(srv, "SELECT id FROM users WHERE token = ?", (tok,))
    assert len(rows) == 1, rows
    return rows[0][0]


def store_exec(srv, sql, params=()):
    """Run the write <sql> on <srv>'s database on any backend, behind the
    vault's back (tests that corrupt or age stored rows): SQLite through its
    file (the server may be running: WAL); PostgreSQL as the cluster's
    superuser over its socket (row-level security); MariaDB as the vault's
    account. '?' placeholders take <params> (str, int or bytes)."""
    if srv.store == "sqlite":
        import sqlite3
        con = sqlite3.connect(str(srv.db_path), timeout=10)
        try:
            con.execute(sql, params)
            con.commit()
        finally:
            con.close()
        return
    parts = sql.split("?")
    assert len(parts) == len(params) + 1, (sql, params)

    def lit(v):
        if isinstance(v, bytes) and srv.store == "pgsql":
            return "'\\x" + v.hex() + "'::bytea"
        if isinstance(v, bytes):
            return "x'" + v.hex() + "'"
        return _sql_literal(v)
    text = parts[0] + "".join(lit(p) + s for p, s in zip(params, parts[1:]))
    if srv.store == "pgsql":
        cp = subprocess.run([_pg_cmd("psql"), "-h", os.environ["PGUP_DIR"], "-p",
                             os.environ["PGSQL_PORT"], "-U", "postgres", "-d", srv.db_name,
                             "-v", "ON_ERROR_STOP=1", "-c", text],
                            capture_output=True, text=True, timeout=60)
    else:
        cp = subprocess.run(["mariadb"] + _my_conn_args() + [srv.db_name, "-e", text],
                            capture_output=True, text=True, timeout=60)
    assert cp.returncode == 0, f"SQL failed: {cp.stderr}"
