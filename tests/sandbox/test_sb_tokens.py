"""Azure AD token endpoints (v2.0 and v1) and token use on Store calls."""

import time

import pytest
import requests

from sandbox_helpers import OTHER_TENANT, RESOURCE, SCOPE, TENANT, get_token, ms, token


def test_v2_token(sb):
    resp = get_token(sb)
    assert resp.status_code == 200
    body = resp.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600 and isinstance(body["expires_in"], int)
    assert body["access_token"]
    assert ms(sb, "GET", "/V1/Inventory", body["access_token"]).status_code == 200


def test_v1_token_expires_in_numeric_string(sb):
    resp = get_token(sb, version="v1")
    assert resp.status_code == 200
    body = resp.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == "3600"
    assert body["resource"] == RESOURCE
    assert int(body["expires_on"]) > time.time()
    assert ms(sb, "GET", "/V1/Inventory", body["access_token"]).status_code == 200


def test_tokens_are_distinct_and_tenant_case_insensitive(sb):
    first = token(sb)
    second = token(sb, tenant=TENANT.upper(), client_id="CID")
    assert first != second


def test_configured_lifetime_is_reported(sb):
    sb.config(token_lifetime=120)
    assert get_token(sb).json()["expires_in"] == 120
    assert get_token(sb, version="v1").json()["expires_in"] == "120"


def test_seed_token_lifetime(sb):
    from sandbox_helpers import base_seed
    seed = base_seed()
    seed["msstore"]["token_lifetime"] = 900
    sb.seed(seed)
    assert get_token(sb).json()["expires_in"] == 900
    assert sb.config()["token_lifetime"] == 900


@pytest.mark.parametrize("version", ["v2", "v1"])
def test_wrong_secret_401_invalid_client(sb, version):
    resp = get_token(sb, secret="wrong", version=version)
    assert resp.status_code == 401
    assert resp.json()["error"] == "invalid_client"
    assert resp.json()["error_description"]
    assert "wrong" not in resp.text


@pytest.mark.parametrize("version", ["v2", "v1"])
def test_unknown_tenant_400_invalid_request(sb, version):
    resp = get_token(sb, tenant="nowhere.onmicrosoft.com", version=version)
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_request"
    assert resp.json()["error_description"]


@pytest.mark.parametrize("override,status,error", [
    ({"grant_type": None}, 400, "invalid_request"),
    ({"grant_type": "password"}, 400, "unsupported_grant_type"),
    ({"client_id": None}, 400, "invalid_request"),
    ({"client_secret": None}, 401, "invalid_client"),
    ({"client_id": "nobody"}, 400, "unauthorized_client"),
    ({"scope": None}, 400, "invalid_request"),
    ({"scope": "https://graph.microsoft.com/.default"}, 400, "invalid_scope"),
])
def test_v2_request_validation(sb, override, status, error):
    resp = get_token(sb, **override)
    assert resp.status_code == status
    assert resp.json()["error"] == error


@pytest.mark.parametrize("override,error", [
    ({"resource": None}, "invalid_request"),
    ({"resource": "https://management.azure.com"}, "invalid_resource"),
])
def test_v1_resource_validation(sb, override, error):
    resp = get_token(sb, version="v1", **override)
    assert resp.status_code == 400
    assert resp.json()["error"] == error


def test_v2_scope_on_v1_endpoint_is_not_enough(sb):
    resp = get_token(sb, version="v1", resource=None, scope=SCOPE)
    assert resp.status_code == 400


def test_token_endpoint_requires_form_body(sb):
    resp = requests.post(f"{sb.url}/{TENANT}/oauth2/v2.0/token", timeout=10,
                         json={"grant_type": "client_credentials", "client_id": "cid",
                               "client_secret": "secret", "scope": SCOPE})
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_request"


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer"},
    {"Authorization": "Basic Y2lkOnNlY3JldA=="},
    {"Authorization": "Bearer not-a-token"},
])
def test_store_calls_need_a_valid_token(sb, headers):
    for method, path in (("GET", "/V1/Inventory"), ("GET", "/V1/Users/alice@contoso.com/Seats"),
                         ("POST", "/V1/Inventory/9NBLGGH4R2R6/0016/Seats/carol@contoso.com")):
        resp = ms(sb, method, path, headers=headers)
        assert resp.status_code == 401
        assert resp.json()["code"] == "Unauthorized"
    assert "carol@contoso.com" not in sb.state()["msstore"]["tenants"][TENANT]["products"][
        "9NBLGGH4R2R6/0016"]["holders"]


def test_expired_token_401_and_fresh_token_works(sb):
    sb.config(token_lifetime=1)
    tok = token(sb)
    assert ms(sb, "GET", "/V1/Inventory", tok).status_code == 200
    time.sleep(1.2)
    resp = ms(sb, "GET", "/V1/Inventory", tok)
    assert resp.status_code == 401
    assert resp.json()["code"] == "Unauthorized"
    assert ms(sb, "GET", "/V1/Inventory", token(sb)).status_code == 200


def test_expire_all_tokens(sb):
    tokens = [token(sb), token(sb, version="v1"),
              token(sb, tenant=OTHER_TENANT, client_id="fab-cid", secret="fab-secret")]
    assert sb.expire_tokens()["expired"] == 3
    for tok in tokens:
        assert ms(sb, "GET", "/V1/Inventory", tok).status_code == 401
    assert ms(sb, "GET", "/V1/Inventory", token(sb)).status_code == 200


def test_non_activated_client_gets_a_token_but_403_everywhere(sb):
    tok = token(sb, client_id="inactive-cid", secret="secret2")
    for method, path in (("GET", "/V1/Inventory"),
                         ("GET", "/V1/Inventory/9NBLGGH4R2R6/0016/Seats"),
                         ("GET", "/V1/Inventory/9NBLGGH4R2R6/0016/Seats/alice@contoso.com"),
                         ("POST", "/V1/Inventory/9NBLGGH4R2R6/0016/Seats/carol@contoso.com"),
                         ("DELETE", "/V1/Inventory/9NBLGGH4R2R6/0016/Seats/alice@contoso.com"),
                         ("GET", "/V1/Users/alice@contoso.com/Seats")):
        resp = ms(sb, method, path, tok)
        assert resp.status_code == 403, path
        assert resp.json()["code"] == "Forbidden"
    resp = ms(sb, "POST", "/V1/Inventory/9NBLGGH4R2R6/0016/Seats", tok,
              json={"usernames": ["carol@contoso.com"], "seatAction": "assign"})
    assert resp.status_code == 403
    assert sb.state()["msstore"]["tenants"][TENANT]["products"]["9NBLGGH4R2R6/0016"]["holders"] == [
        "alice@contoso.com", "bob@contoso.com"]


def test_reseed_invalidates_tokens(sb):
    tok = token(sb)
    from sandbox_helpers import base_seed
    sb.seed(base_seed())
    assert ms(sb, "GET", "/V1/Inventory", tok).status_code == 401
