"""Prometheus metrics: GET /v1/metrics (root token) and GET /metrics (closed
unless metrics.token or metrics.allow is set). Parsed strictly."""

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_ok, parse_prometheus


def _metrics(client, path="/v1/metrics", **kw):
    r = client.get(path, **kw)
    assert r.status_code == 200, bl.describe(r)
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return parse_prometheus(r.text)


def _count(samples, **want):
    return sum(v for n, lab, v in samples if n == "databunker_http_requests_total"
               and all(lab.get(k) == w for k, w in want.items()))


def test_v1_metrics_counts_requests_and_records(api):
    types, samples = _metrics(api)
    assert types["databunker_http_requests_total"] == "counter"
    assert types["databunker_http_request_duration_seconds"] == "histogram"
    assert types["databunker_records"] == "gauge"
    before_ok = _count(samples, route="/v1/user", method="POST", status="200")
    before_404 = _count(samples, route="/v1/user/{mode}/{identity}", status="404")
    before_unmatched = _count(samples, route="unmatched", status="404")
    for _ in range(3):
        api.create_user(bl.profile())
    bl.assert_not_found(api.get_user("email", bl.email("none")))
    api.get("/no/such/path")
    types, samples = _metrics(api)
    assert _count(samples, route="/v1/user", method="POST", status="200",
                  op="UserCreate") == before_ok + 3
    assert _count(samples, route="/v1/user/{mode}/{identity}", status="404") == before_404 + 1
    assert _count(samples, route="unmatched", status="404") == before_unmatched + 1
    users = [v for n, lab, v in samples if n == "databunker_records" and lab == {"kind": "users"}]
    stats = assert_ok(api.v2("SystemGetSystemStats", {}))["stats"]
    assert users == [stats["numusers"]]


def test_histogram_is_consistent(api):
    api.create_user(bl.profile())
    _, samples = _metrics(api)
    series = {(lab["method"], lab["route"]) for n, lab, v in samples
              if n == "databunker_http_request_duration_seconds_count"}
    assert ("POST", "/v1/user") in series
    for method, route in series:
        def mine(lab):
            return lab["route"] == route and lab["method"] == method
        buckets = [(lab["le"], v) for n, lab, v in samples
                   if n == "databunker_http_request_duration_seconds_bucket" and mine(lab)]
        les = [float(le) for le, _ in buckets]
        assert les == sorted(les) and les[-1] == float("inf")
        counts = [v for _, v in buckets]
        assert counts == sorted(counts), route
        count = [v for n, lab, v in samples
                 if n == "databunker_http_request_duration_seconds_count" and mine(lab)]
        assert count == [counts[-1]]
        total = [v for n, lab, v in samples
                 if n == "databunker_http_request_duration_seconds_sum" and mine(lab)]
        assert len(total) == 1 and total[0] >= 0


def test_413_is_counted(api):
    _, s0 = _metrics(api)
    r = api.raw("POST", "/v1/user", b"{" + b" " * (1024 * 1024 + 10) + b"}")
    assert_error(r, 413)
    _, s1 = _metrics(api)
    assert _count(s1, route="/v1/user", status="413") == _count(s0, route="/v1/user",
                                                                 status="413") + 1


def test_v1_metrics_needs_root(server):
    for tok in (None, "wrong"):
        assert_error(server.client(token=tok).get("/v1/metrics"), 401)


def test_open_metrics_closed_by_default(server):
    for tok in (None, "wrong"):
        assert_error(server.client(token=tok).get("/metrics"), 401)
    r = server.client(token=None).get("/metrics", headers={"Authorization": "Bearer wrong"})
    assert_error(r, 401)
    # the root token opens it
    _metrics(server.client(), "/metrics")


def test_open_metrics_with_scrape_token(server_factory):
    srv = server_factory(conf='metrics:\n  token: "scrape-secret-1"\n')
    srv.init()
    srv.start()
    anon = srv.client(token=None)
    _metrics(anon, "/metrics", headers={"Authorization": "Bearer scrape-secret-1"})
    _metrics(srv.client(token="scrape-secret-1"), "/metrics")
    assert_error(anon.get("/metrics", headers={"Authorization": "Bearer scrape-secret-2"}), 401)
    assert_error(anon.get("/metrics", headers={"Authorization": "Basic c2NyYXBl"}), 401)
    assert_error(anon.get("/metrics"), 401)
    # the scrape token is not an API token
    assert_error(srv.client(token="scrape-secret-1").get("/v1/metrics"), 401)
    assert_error(srv.client(token="scrape-secret-1").get("/v1/user/email/a@b.c"), 401)


def test_open_metrics_with_address_allow_list(server_factory):
    srv = server_factory(conf='metrics:\n  allow: "10.1.2.3, 127.0.0.1"\n')
    srv.init()
    srv.start()
    _metrics(srv.client(token=None), "/metrics")
    srv2 = server_factory(conf='metrics:\n  allow: "10.1.2.3,127.0.0.10"\n')
    srv2.init()
    srv2.start()
    assert_error(srv2.client(token=None).get("/metrics"), 401)
