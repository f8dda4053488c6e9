"""Fixtures for the Databunker-C API suite.

server          session-scoped: one initialized db and one running server.
api             a Client (requests.Session) on that server, with the root token.
server_factory  function-scoped: make extra servers with their own db, all stopped
                at the end of the test. Usage:
                    srv = server_factory(conf=..., roottoken=...); srv.init(); srv.start()

Parallel runs (pytest-xdist, `-n N`): every worker has its own session server,
and on PostgreSQL / MariaDB its own database server too, since test_storage.py
stops and restarts the one it runs on. scripts/test.sh starts one per worker
and names their environment files in $DATABUNKER_TEST_DBENV, a path with "{n}"
where the worker's number goes (gw0 -> 0); each worker loads its file here.
Workers must collect the same test ids, and some parameters are random
(uuid.uuid4(), random): while collecting, both draw from one seed per run,
which the controller hands to every worker.
"""

import os
import random
import re
import secrets
import uuid
from pathlib import Path

import pytest

import bunkerlib as bl


def pytest_configure(config):
    pattern = os.environ.get("DATABUNKER_TEST_DBENV")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not pattern or not worker:
        return
    path = Path(pattern.replace("{n}", worker.removeprefix("gw")))
    try:
        text = path.read_text()
    except OSError as e:
        raise pytest.UsageError(f"worker {worker}: no database server environment: {e}")
    for line in text.splitlines():
        m = re.fullmatch(r"export ([A-Z_][A-Z0-9_]*)=(\S*)", line.strip())
        if m:
            os.environ[m.group(1)] = m.group(2)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """xdist controller: the seed every worker collects with."""
    cfg = node.config
    if not hasattr(cfg, "_bk_collect_seed"):
        cfg._bk_collect_seed = secrets.randbits(64)
    node.workerinput["bk_collect_seed"] = cfg._bk_collect_seed


@pytest.hookimpl(hookwrapper=True)
def pytest_collection(session):
    seed = getattr(session.config, "workerinput", {}).get("bk_collect_seed")
    if seed is None:
        yield
        return
    rng = random.Random(seed)
    real_uuid4 = uuid.uuid4
    collecting = [True]

    def uuid4():
        if not collecting[0]:
            return real_uuid4()
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    uuid.uuid4 = uuid4
    random.seed(seed)
    try:
        yield
    finally:
        collecting[0] = False
        uuid.uuid4 = real_uuid4
        random.seed()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("main-server")
    srv = bl.Server(workdir)
    try:
        srv.init()
        srv.start()
    except bl.ServerError as e:
        srv.stop()
        pytest.fail(f"could not start the session server: {e}", pytrace=False)
    yield srv
    was_alive = srv.alive()
    srv.stop()
    found = srv.sanitizer_findings()
    if found:
        raise AssertionError("sanitizer findings in the session server:\n" + "\n".join(found)
                             + "\n" + srv.log_tail(120))
    # test_zz_log_secrets.py checks the log it runs with; this checks it
    # whole, after the last test of this process (under xdist, of this worker).
    from test_zz_log_secrets import all_logs, leaks
    leaked = leaks(srv, all_logs(srv))
    if leaked:
        raise AssertionError(f"personal data or secrets in the session server's log: {leaked}")
    if not was_alive:
        # The server died during the run: make that visible as an error.
        raise AssertionError(f"session server was not running at the end of the session\n"
                             f"{srv.log_tail(80)}")


@pytest.fixture
def api(server):
    if not server.alive():
        pytest.fail(f"session server is not running\n{server.log_tail()}", pytrace=False)
    c = server.client()
    yield c
    c.s.close()


@pytest.fixture
def server_factory(tmp_path):
    servers = []

    def make(**kw):
        srv = bl.Server(tmp_path / f"srv{len(servers)}", **kw)
        servers.append(srv)
        return srv

    yield make
    found = []
    for srv in servers:
        srv.stop()
        found += srv.sanitizer_findings()
    if found:
        raise AssertionError("sanitizer findings:\n" + "\n".join(found))


@pytest.fixture
def fresh_server(server_factory):
    """A running server with its own new db."""
    srv = server_factory()
    try:
        srv.init()
        srv.start()
    except bl.ServerError as e:
        pytest.fail(str(e), pytrace=False)
    return srv


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the tail of the session server's log to failing tests."""
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call" and rep.failed:
        srv = getattr(item, "funcargs", {}).get("server")
        if isinstance(srv, bl.Server):
            rep.sections.append(("databunker log", srv.log_tail(30)))
