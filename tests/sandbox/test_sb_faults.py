"""Fault injection, latency and rate-limit budgets."""

import time

import pytest
import requests

from sandbox_helpers import GUS, dd, ms, seats_body, token

SEATS = "/api/v2/seats/users"
Q = {"product_code": "apm_pro"}


def statuses(sb):
    return [e["status"] for e in sb.requests()["entries"]]


def test_count_fault_hits_next_n_matching_requests_only(sb):
    sb.faults([{"method": "GET", "path": SEATS, "status": 429, "count": 2, "headers": {"X-RateLimit-Reset": "1"}}])
    first = dd(sb, "GET", SEATS, params=Q)
    assert first.status_code == 429
    assert first.headers["X-RateLimit-Reset"] == "1"
    assert first.json() == {"errors": ["Too many requests"]}
    assert first.headers["Content-Type"] == "application/vnd.api+json"
    assert dd(sb, "GET", "/api/v2/users").status_code == 200          # other path: untouched
    assert dd(sb, "POST", SEATS, json=seats_body("apm_pro", [GUS])).status_code == 201   # other method
    assert dd(sb, "GET", SEATS, params=Q).status_code == 429
    assert dd(sb, "GET", SEATS, params=Q).status_code == 200
    assert statuses(sb) == [429, 200, 201, 429, 200]


def test_fault_matches_template(sb):
    tok = token(sb)
    sb.faults([{"path": "/V1/Inventory/{productId}/{skuId}/Seats/{username}", "status": 503, "count": 1}])
    resp = ms(sb, "POST", "/V1/Inventory/9NBLGGH4R2R6/0016/Seats/carol@contoso.com", tok)
    assert resp.status_code == 503
    assert resp.json() == {"code": "ServiceUnavailable", "message": resp.json()["message"]}
    assert "carol@contoso.com" not in sb.state()["msstore"]["tenants"]["contoso.onmicrosoft.com"]["products"][
        "9NBLGGH4R2R6/0016"]["holders"]
    assert ms(sb, "POST", "/V1/Inventory/9NBLGGH4R2R6/0016/Seats/carol@contoso.com", tok).status_code == 200


def test_store_429_fault_has_retry_after(sb):
    tok = token(sb)
    sb.faults([{"path": "/V1/Inventory", "status": 429, "count": 1}])
    resp = ms(sb, "GET", "/V1/Inventory", tok)
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "1"
    assert resp.json()["code"] == "TooManyRequests"


def test_fault_body_shapes_per_api(sb):
    sb.faults([{"status": 500, "count": 3}])
    seats = dd(sb, "GET", SEATS, params=Q)
    assert seats.status_code == 500
    assert seats.json()["errors"][0]["title"] == "Generic Error"
    users = dd(sb, "GET", "/api/v2/users")
    assert users.status_code == 500 and isinstance(users.json()["errors"][0], str)
    tok = requests.post(sb.url + "/contoso.onmicrosoft.com/oauth2/v2.0/token", data={}, timeout=10)
    assert tok.status_code == 500 and tok.json()["error"] == "server_error"


def test_fault_custom_body(sb):
    sb.faults([{"path": SEATS, "status": 429, "body": "", "count": 1},
               {"path": SEATS, "status": 502, "body": "<html>bad gateway</html>", "count": 1}])
    empty = dd(sb, "GET", SEATS, params=Q)
    assert (empty.status_code, empty.content) == (429, b"")
    html = dd(sb, "GET", SEATS, params=Q)
    assert (html.status_code, html.text) == (502, "<html>bad gateway</html>")


def test_rate_fault_is_reproducible_with_seed(sb):
    def run():
        sb.faults([{"path": "/api/v2/users", "status": 500, "rate": 0.3}], seed=1234)
        return [dd(sb, "GET", "/api/v2/users").status_code for _i in range(40)]
    first, second = run(), run()
    assert first == second
    assert 0 < first.count(500) < 40
    sb.faults([{"path": "/api/v2/users", "status": 500, "rate": 0.3}], seed=99)
    third = [dd(sb, "GET", "/api/v2/users").status_code for _i in range(40)]
    assert third != first


def test_drop_closes_connection_without_answer(sb):
    sb.faults([{"path": SEATS, "drop": True, "count": 1}])
    with pytest.raises(requests.ConnectionError):
        dd(sb, "GET", SEATS, params=Q)
    assert dd(sb, "GET", SEATS, params=Q).status_code == 200
    assert statuses(sb) == [0, 200]


def test_latency_rule_and_global_latency(sb):
    sb.faults([{"path": "/api/v2/users", "latency_ms": 300, "count": 1}])
    start = time.monotonic()
    assert dd(sb, "GET", "/api/v2/users").status_code == 200      # latency only: real answer
    assert time.monotonic() - start >= 0.3
    start = time.monotonic()
    dd(sb, "GET", "/api/v2/users")
    assert time.monotonic() - start < 0.25
    sb.faults([])
    sb.config(latency_ms=200)
    start = time.monotonic()
    dd(sb, "GET", "/api/v2/users")
    assert time.monotonic() - start >= 0.2
    start = time.monotonic()
    requests.get(sb.url + "/_sandbox/health", timeout=10)    # admin is never delayed
    assert time.monotonic() - start < 0.15


def test_header_only_rule_decorates_real_response(sb):
    sb.faults([{"path": "/api/v2/users", "headers": {"X-Test": "yes"}}])
    resp = dd(sb, "GET", "/api/v2/users")
    assert resp.status_code == 200 and resp.headers["X-Test"] == "yes"


def test_clearing_rules(sb):
    sb.faults([{"status": 500}])
    assert dd(sb, "GET", "/api/v2/users").status_code == 500
    sb.faults([])
    assert dd(sb, "GET", "/api/v2/users").status_code == 200


@pytest.mark.parametrize("rules", [
    [{"path": SEATS}],
    [{"status": 99}],
    [{"status": 500, "rate": 2}],
    [{"status": 500, "count": 0}],
    [{"status": 500, "surprise": 1}],
    "nope",
])
def test_bad_fault_rules_rejected(sb, rules):
    resp = requests.post(sb.url + "/_sandbox/faults", json={"rules": rules}, timeout=10)
    assert resp.status_code == 400


def test_datadog_rate_limit_headers_and_429(sb):
    sb.config(datadog_rate_limit={"limit": 3, "period": 60})
    seen = []
    for _i in range(3):
        resp = dd(sb, "GET", SEATS, params=Q)
        assert resp.status_code == 200
        for name in ("X-RateLimit-Limit", "X-RateLimit-Period", "X-RateLimit-Remaining", "X-RateLimit-Reset",
                     "X-RateLimit-Name"):
            assert name in resp.headers
        assert resp.headers["X-RateLimit-Limit"] == "3"
        assert resp.headers["X-RateLimit-Period"] == "60"
        assert 1 <= int(resp.headers["X-RateLimit-Reset"]) <= 60
        seen.append(int(resp.headers["X-RateLimit-Remaining"]))
    assert seen == [2, 1, 0]
    over = dd(sb, "GET", "/api/v2/users")
    assert over.status_code == 429
    assert over.json() == {"errors": ["Too many requests"]}
    assert over.headers["Content-Type"] == "application/json"
    assert over.headers["X-RateLimit-Remaining"] == "0"
    seats = dd(sb, "POST", SEATS, json=seats_body("apm_pro", [GUS]))
    assert seats.status_code == 429
    assert seats.headers["Content-Type"] == "application/vnd.api+json"
    # 403 comes before the budget and still carries the headers
    forbidden = dd(sb, "GET", SEATS, key=None, params=Q)
    assert forbidden.status_code == 403 and "X-RateLimit-Limit" in forbidden.headers
    # nothing was assigned by the throttled POST
    assert [h["email"] for h in sb.state()["datadog"]["products"]["apm_pro"]["holders"]] == [
        "ben.okafor@example.com"]


def test_datadog_budget_resets_after_period(sb):
    sb.config(datadog_rate_limit={"limit": 1, "period": 1})
    time.sleep(1 - (time.time() % 1) + 0.02)      # start at the top of a calendar second
    assert dd(sb, "GET", "/api/v2/users").status_code == 200
    assert dd(sb, "GET", "/api/v2/users").status_code == 429
    time.sleep(1.05)
    assert dd(sb, "GET", "/api/v2/users").status_code == 200


def test_no_rate_limit_headers_without_budget(sb):
    assert "X-RateLimit-Limit" not in dd(sb, "GET", "/api/v2/users").headers


def test_msstore_rate_limit_429_with_retry_after(sb):
    tok = token(sb)
    sb.config(msstore_rate_limit={"limit": 2, "period": 30})
    assert ms(sb, "GET", "/V1/Inventory", tok).status_code == 200
    assert ms(sb, "GET", "/V1/Inventory", tok).status_code == 200
    resp = ms(sb, "GET", "/V1/Inventory", tok)
    assert resp.status_code == 429
    assert resp.json()["code"] == "TooManyRequests"
    assert 1 <= int(resp.headers["Retry-After"]) <= 30
    assert dd(sb, "GET", "/api/v2/users").status_code == 200        # separate budgets
    assert ms(sb, "GET", "/V1/Inventory").status_code == 401        # auth first, then budget
