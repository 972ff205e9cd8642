"""The /_sandbox admin surface: health, seed and reset, state, request log, config."""

import json

import pytest
import requests
import yaml

from sandbox_helpers import ANA, BEN, DARA, DEFAULT_ANSWERS, RESTRICTED, TENANT, base_seed, dd, ms, seats_body, token


def admin(sb, method, path, **kwargs):
    return requests.request(method, sb.url + path, timeout=30, **kwargs)


def test_health(sb):
    resp = admin(sb, "GET", "/_sandbox/health")
    assert resp.status_code == 200 and resp.json() == {"status": "ok"}


def test_state_shape(sb):
    state = sb.state()
    products = state["datadog"]["products"]
    assert set(products) == {"incident_response", "apm_pro", "empty_product"}
    assert products["incident_response"] == {
        "committed_seats": 4, "on_demand": 0, "peak_holders": 2,
        "holders": [{"id": ANA, "email": "ana.lima@example.com"}, {"id": DARA, "email": "dara.novak@example.com"}],
    }
    assert products["apm_pro"] == {"committed_seats": None, "on_demand": 0, "peak_holders": 1,
                                   "holders": [{"id": BEN, "email": "ben.okafor@example.com"}]}
    entry = state["msstore"]["tenants"][TENANT]["products"][RESTRICTED]
    assert entry == {"seat_capacity": 3, "available_seats": 1, "license_type": "Online",
                     "distribution_policy": "Restricted", "status": "Active",
                     "holders": ["alice@contoso.com", "bob@contoso.com"]}


def test_reset_empties_everything(sb):
    assert admin(sb, "POST", "/_sandbox/reset").json() == {"status": "ok"}
    assert sb.state() == {"datadog": {"products": {}}, "msstore": {"tenants": {}},
                          "github": {"clock": None, "orgs": {}, "enterprises": {}}}
    assert dd(sb, "GET", "/api/v2/users").status_code == 403     # no keys any more


def test_seed_replaces_state(sb):
    seed = {"datadog": {"keys": [{"api_key": "k", "app_key": "a"}], "products": [{"code": "x"}],
                        "users": [{"email": "New.Person@Example.com"}], "seats": {"x": ["new.person@example.com"]}}}
    resp = sb.seed(seed)
    assert resp["status"] == "ok"
    state = sb.state()
    assert list(state["datadog"]["products"]) == ["x"]
    assert state["datadog"]["products"]["x"]["holders"][0]["email"] == "new.person@example.com"
    assert state["msstore"] == {"tenants": {}}
    # keys without permissions get every permission
    resp = requests.get(sb.url + "/api/v2/seats/users", params={"product_code": "x"}, timeout=10,
                        headers={"DD-API-KEY": "k", "DD-APPLICATION-KEY": "a"})
    assert resp.status_code == 200


def test_yaml_seed_via_endpoint(sb):
    text = yaml.safe_dump({"datadog": {"products": [{"code": "yaml_product", "committed_seats": 3}]}})
    resp = admin(sb, "POST", "/_sandbox/seed", data=text, headers={"Content-Type": "application/yaml"})
    assert resp.status_code == 200, resp.text
    assert sb.state()["datadog"]["products"] == {
        "yaml_product": {"committed_seats": 3, "on_demand": 0, "peak_holders": 0, "holders": []}}


@pytest.mark.parametrize("mutate,field", [
    (lambda s: s["datadog"]["users"][0].update(email=""), "datadog.users[0].email"),
    (lambda s: s["datadog"]["users"][1].update(id="not-a-uuid"), "datadog.users[1].id"),
    (lambda s: s["datadog"]["users"][1].update(id=s["datadog"]["users"][0]["id"]), "datadog.users[1].id"),
    (lambda s: s["datadog"]["users"][0].update(status="Disabled", disabled=False), "datadog.users[0]"),
    (lambda s: s["datadog"]["users"][0].update(status="Sleeping"), "datadog.users[0].status"),
    (lambda s: s["datadog"]["keys"][0].update(permissions=["billing_fly"]), "datadog.keys[0].permissions[0]"),
    (lambda s: s["datadog"]["products"][0].update(committed_seats=-1), "datadog.products[0].committed_seats"),
    (lambda s: s["datadog"]["products"][1].update(committed_seats="4"), "datadog.products[1].committed_seats"),
    (lambda s: s["datadog"]["products"][0].update(seat_limit=10), "datadog.products[0].seat_limit"),
    (lambda s: s["datadog"]["seats"].update(nope=[]), "datadog.seats.nope"),
    (lambda s: s["datadog"]["seats"]["apm_pro"].append("ghost"), "datadog.seats.apm_pro[1]"),
    (lambda s: s["msstore"]["tenants"][0]["inventory"][0].update(sku_id=16),
     "msstore.tenants[0].inventory[0].sku_id"),
    (lambda s: s["msstore"]["tenants"][0]["inventory"][0].update(product_id="short"),
     "msstore.tenants[0].inventory[0].product_id"),
    (lambda s: s["msstore"]["tenants"][0]["inventory"][0].update(license_type="Trial"),
     "msstore.tenants[0].inventory[0].license_type"),
    (lambda s: s["msstore"]["tenants"][0]["users"].append("nobody"), "msstore.tenants[0].users[6]"),
    (lambda s: s["msstore"]["tenants"][0]["clients"][0].pop("client_secret"),
     "msstore.tenants[0].clients[0].client_secret"),
    (lambda s: s["msstore"]["tenants"][0]["seats"].update({"9WZDNCRFJ3PS/0002": ["alice@contoso.com"]}),
     "msstore.tenants[0].seats.9WZDNCRFJ3PS/0002"),
    (lambda s: s["msstore"]["tenants"][0]["seats"][RESTRICTED].extend(["carol@contoso.com", "dave@contoso.com"]),
     f"msstore.tenants[0].seats.{RESTRICTED}"),
    (lambda s: s["msstore"].update(token_lifetime=0), "msstore.token_lifetime"),
    (lambda s: s.update(datadog=[]), "datadog"),
])
def test_seed_validation_errors_name_the_field(sb, mutate, field):
    seed = base_seed()
    mutate(seed)
    resp = admin(sb, "POST", "/_sandbox/seed", json=seed)
    assert resp.status_code == 400
    body = resp.json()
    assert body["field"] == field
    assert body["error"].startswith(field)
    # a rejected seed leaves the previous state alone
    assert sb.state()["datadog"]["products"]["incident_response"]["committed_seats"] == 4


def test_seed_not_json(sb):
    resp = admin(sb, "POST", "/_sandbox/seed", data=b"{oops", headers={"Content-Type": "application/json"})
    assert resp.status_code == 400 and "JSON" in resp.json()["error"]


def test_request_log_counts_templates_and_clear(sb):
    tok = token(sb)
    dd(sb, "GET", "/api/v2/seats/users?product_code=apm_pro&page%5Blimit%5D=10")
    dd(sb, "GET", "/api/v2/seats/users", params={"product_code": "apm_pro"})
    dd(sb, "POST", "/api/v2/seats/users", json=seats_body("apm_pro", [ANA]))
    dd(sb, "DELETE", "/api/v2/seats/users", json=seats_body("apm_pro", [ANA]))
    dd(sb, "GET", "/api/v2/users")
    dd(sb, "GET", f"/api/v2/users/{ANA}")
    ms(sb, "GET", "/V1/Inventory", tok)
    ms(sb, "GET", "/v1/inventory/9NBLGGH4R2R6/0016/seats", tok)
    ms(sb, "POST", "/V1/Inventory/9NBLGGH4R2R6/0016/Seats", tok,
       json={"usernames": ["carol@contoso.com"], "seatAction": "assign"})
    ms(sb, "DELETE", "/V1/Inventory/9NBLGGH4R2R6/0016/Seats/carol%40contoso.com", tok)
    ms(sb, "GET", "/V1/Users/alice@contoso.com/Seats", tok)
    token(sb, version="v1")
    ms(sb, "GET", "/V1/Inventory")   # 401 is logged too
    sb.state()                       # admin calls are never logged
    log = sb.requests()
    assert log["total"] == 14
    assert log["counts"] == {
        "GET /api/v2/seats/users": 2, "POST /api/v2/seats/users": 1, "DELETE /api/v2/seats/users": 1,
        "GET /api/v2/users": 1, "GET /api/v2/users/{user_id}": 1,
        "GET /V1/Inventory": 2, "GET /V1/Inventory/{productId}/{skuId}/Seats": 1,
        "POST /V1/Inventory/{productId}/{skuId}/Seats": 1,
        "DELETE /V1/Inventory/{productId}/{skuId}/Seats/{username}": 1,
        "GET /V1/Users/{username}/Seats": 1,
        "POST /{tenant}/oauth2/v2.0/token": 1, "POST /{tenant}/oauth2/token": 1,
    }
    entries = log["entries"]
    assert entries[0] == {"method": "POST", "path": f"/{TENANT}/oauth2/v2.0/token",
                          "template": "/{tenant}/oauth2/v2.0/token", "status": 200}
    assert entries[1] == {"method": "GET", "path": "/api/v2/seats/users", "template": "/api/v2/seats/users",
                          "status": 200}
    assert entries[3]["status"] == 201 and entries[4]["status"] == 204
    assert entries[-1] == {"method": "GET", "path": "/V1/Inventory", "template": "/V1/Inventory", "status": 401}
    assert entries[8]["path"] == "/v1/inventory/9NBLGGH4R2R6/0016/seats"
    sb.clear_requests()
    assert sb.requests() == {"total": 0, "counts": {}, "entries": []}


def test_config_roundtrip_and_validation(sb):
    cfg = sb.config()
    assert cfg == dict({"latency_ms": 0, "jitter_ms": 0, "datadog_rate_limit": None, "msstore_rate_limit": None,
                        "token_lifetime": 3600}, **DEFAULT_ANSWERS)
    cfg = sb.config(datadog_rate_limit={"limit": 5, "period": 10}, msstore_rate_limit="7/3", latency_ms=1)
    assert cfg["datadog_rate_limit"] == {"limit": 5, "period": 10}
    assert cfg["msstore_rate_limit"] == {"limit": 7, "period": 3}
    assert sb.config()["latency_ms"] == 1
    for bad in ({"latency_ms": -1}, {"datadog_rate_limit": {"limit": 0, "period": 1}},
                {"token_lifetime": 0}, {"nonsense": 1}, {"msstore_rate_limit": "fast"},
                {"unknown_path_answer": "xml"}, {"msstore_error_body": "snake"},
                {"msstore_lists_removed": "no"}, {"datadog_max_page_limit": 0},
                {"datadog_max_page_limit": "100"}, {"datadog_max_page_limit": True},
                {"datadog_max_page_limit": 2.5}, {"datadog_refusal_detail": "none"}):
        resp = admin(sb, "POST", "/_sandbox/config", json=bad)
        assert resp.status_code == 400, bad
        assert resp.json()["field"]


def test_unknown_admin_endpoint_and_method(sb):
    assert admin(sb, "GET", "/_sandbox/nope").status_code == 404
    assert admin(sb, "GET", "/_sandbox/reset").status_code == 405


def test_unknown_api_path_404(sb):
    assert requests.get(sb.url + "/nothing/here", timeout=10).status_code == 404
    assert dd(sb, "GET", "/api/v2/other").status_code == 404


def test_json_seed_file_round_trip(tmp_path, sb):
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(base_seed()))
    assert sb.seed(json.loads(path.read_text()))["loaded"]["datadog"]["users"] == 8
