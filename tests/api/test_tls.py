"""TLS: with ssl.ssl_certificate and ssl.ssl_certificate_key set the server
speaks HTTPS only (libmicrohttpd with GnuTLS); plain HTTP to that port gets no
answer. The certificate is a self-signed one made by openssl here."""

import socket
import subprocess
import time

import pytest
import requests
import urllib3

import bunkerlib as bl
from bunkerlib import assert_ok

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")


class TLSServer(bl.Server):
    @property
    def url(self):
        return f"https://127.0.0.1:{self.port}"

    def start(self, timeout=bl.START_TIMEOUT):
        self._spawn()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._close_files()
                raise bl.ServerError(f"exited during start-up\n{self.log_tail()}")
            try:
                if requests.get(self.url + "/status", timeout=1, verify=False).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise bl.ServerError(f"no HTTPS answer\n{self.log_tail()}")


@pytest.fixture
def tls_server(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    srv = TLSServer(tmp_path / "tls", conf=f"ssl:\n  ssl_certificate: \"{cert}\"\n"
                                          f"  ssl_certificate_key: \"{key}\"\n")
    srv.init()
    srv.start()
    srv.cert = cert
    yield srv
    srv.stop()
    assert not srv.sanitizer_findings()


def test_https_serves_the_api(tls_server):
    srv = tls_server
    c = srv.client()
    c.s.trust_env = False               # REQUESTS_CA_BUNDLE would override verify
    c.s.verify = str(srv.cert)          # the certificate really is checked
    p = bl.profile()
    tok = c.create_user(p)
    assert c.user_data("token", tok) == p
    r = c.get("/status")
    assert_ok(r)
    assert r.headers.get("X-Frame-Options") == "DENY"


def test_plain_http_gets_no_answer(tls_server):
    srv = tls_server
    with pytest.raises(requests.RequestException):
        requests.get(f"http://127.0.0.1:{srv.port}/status", timeout=3)
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=3)
    s.sendall(b"GET /status HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        got = s.recv(100)
    except (ConnectionResetError, socket.timeout):
        got = b""
    s.close()
    assert not got.startswith(b"HTTP/"), got
    assert srv.alive()


def test_unknown_certificate_is_refused_by_a_verifying_client(tls_server):
    s = requests.Session()
    s.trust_env = False
    with pytest.raises(requests.exceptions.SSLError):
        s.get(tls_server.url + "/status", timeout=3)


def test_unreadable_certificate_stops_start_up(server_factory, tmp_path):
    srv = server_factory(conf=f"ssl:\n  ssl_certificate: \"{tmp_path}/none.pem\"\n"
                              f"  ssl_certificate_key: \"{tmp_path}/none.key\"\n")
    srv.init()
    rc, log, served = srv.start_expect_exit()
    assert rc not in (0, None) and not served, log
