"""tests/e2e/create-test-user.sh, the docs' "Create a test record" flow in
curl, against `databunker demo` started in a temporary directory on a free
port: the script exits 0, and what it wrote reads back through the API."""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

import bunkerlib as bl

SCRIPT = Path(__file__).resolve().parents[1] / "e2e" / "create-test-user.sh"


@pytest.fixture
def demo(tmp_path):
    port = bl.free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABUNKER_MASTERKEY"}
    log = open(tmp_path / "demo.log", "wb")
    proc = subprocess.Popen([str(bl.bin_path()), "demo", "-host", "127.0.0.1", "-port", str(port)],
                            cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            assert proc.poll() is None, (tmp_path / "demo.log").read_text(errors="replace")
            try:
                if requests.get(url + "/v1/status", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "demo server did not start"
            time.sleep(0.1)
        yield url, tmp_path
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
        log.close()
    assert rc == 0, (tmp_path / "demo.log").read_text(errors="replace")[-3000:]


def run_script(url, **env):
    e = {k: v for k, v in os.environ.items() if k != "DATABUNKER_TOKEN"}
    e.update(DATABUNKER_URL=url, **env)
    return subprocess.run(["bash", str(SCRIPT)], env=e, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.skipif(shutil.which("curl") is None, reason="the script needs curl")
def test_script_creates_the_docs_test_user(demo):
    url, _ = demo
    cp = run_script(url)
    assert cp.returncode == 0, cp.stdout + cp.stderr
    lines = dict(l.split(": ", 1) for l in cp.stdout.splitlines() if ": " in l)
    tok = lines["user token"]
    h = {"X-Bunker-Token": "DEMO"}
    r = requests.get(f"{url}/v1/user/email/test@securitybunker.io", headers=h, timeout=5)
    assert r.status_code == 200 and r.json()["token"] == tok
    assert r.json()["data"]["phone"] == "4444"
    r = requests.get(f"{url}/v1/userapp/token/{tok}/shipping", headers=h, timeout=5)
    assert r.status_code == 200 and "Allenby 1" in r.text
    r = requests.post(f"{url}/v2/AgreementGet", headers=h, timeout=5,
                      json={"mode": "token", "identity": tok, "brief": "contract-approval"})
    assert r.status_code == 200 and r.json()["agreement"]["status"] == "accept"
    r = requests.post(f"{url}/v2/SessionListUserSessions", headers=h, timeout=5,
                      json={"mode": "token", "identity": tok})
    assert r.status_code == 200 and len(r.json()["rows"]) == 1


@pytest.mark.skipif(shutil.which("curl") is None, reason="the script needs curl")
def test_script_fails_on_any_refusal(demo):
    url, _ = demo
    cp = run_script(url, DATABUNKER_TOKEN="wrong")
    assert cp.returncode == 1 and "user: POST /v1/user answered 401" in cp.stderr
    assert run_script(url).returncode == 0
    # a second run meets its own user: 409 on the first step
    cp = run_script(url)
    assert cp.returncode == 1 and "answered 409" in cp.stderr
    cp = run_script("http://127.0.0.1:9")
    assert cp.returncode == 1 and "cannot reach" in cp.stderr
