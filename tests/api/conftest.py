"""Fixtures for the Databunker-C API suite.

server          session-scoped: one initialized db and one running server.
api             a Client (requests.Session) on that server, with the root token.
server_factory  function-scoped: make extra servers with their own db, all stopped
                at the end of the test. Usage:
                    srv = server_factory(conf=..., roottoken=...); srv.init(); srv.start()
"""

import pytest

import bunkerlib as bl


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
