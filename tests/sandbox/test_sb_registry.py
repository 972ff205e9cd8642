"""The route registry: the APIs are listed in one place and the server names none of them."""

import os
import re
import types

import pytest

from seatops_sandbox import admin, registry, routing
from seatops_sandbox.httpmsg import Request

PACKAGE = os.path.dirname(registry.__file__)
API_MODULES = ("datadog_api", "msstore_api", "tokens", "copilot_api")


def _source(name):
    with open(os.path.join(PACKAGE, name), encoding="utf-8") as handle:
        return handle.read()


def test_the_registry_lists_every_api_module():
    assert [api.__name__.rsplit(".", 1)[1] for api in registry.APIS] == list(API_MODULES)
    for api in registry.APIS:
        for name in ("ROUTES", "CATCH_ALL", "RATE_LIMIT", "SETTINGS"):
            assert hasattr(api, name), f"{api.__name__} declares no {name}"


def test_the_server_names_no_api():
    source = _source("server.py")
    for word in API_MODULES + ("datadog", "msstore", "dd_seats", "dd_users"):
        assert not re.search(rf"\b{word}\b", source), f"server.py names {word}"


def test_settings_and_options_come_from_the_registry():
    # The seed generator's options and credentials still name the platforms; settings do not.
    assert "rate_limit" not in _source("admin.py").replace("registry.SETTINGS", "")
    assert not re.search(r"(datadog|msstore)[-_]rate[-_]limit", _source("cli.py"))


def test_only_the_registry_imports_the_api_modules_for_routing():
    importers = [name for name in sorted(os.listdir(PACKAGE)) if name.endswith(".py")
                 and re.search(r"^from \. import .*\b(datadog_api|msstore_api)\b", _source(name), re.M)]
    assert importers == ["registry.py"]


# Every route's request-log template, as the sandbox and integration tests count them.
TEMPLATES = [
    ("/api/v2/seats/users", "dd_seats"),
    ("/api/v2/users", "dd_users"),
    ("/api/v2/users/{user_id}", "dd_users"),
    ("/V1/Inventory", "msstore"),
    ("/V1/Inventory/{productId}/{skuId}/Seats", "msstore"),
    ("/V1/Inventory/{productId}/{skuId}/Seats/{username}", "msstore"),
    ("/V1/Users/{username}/Seats", "msstore"),
    ("/{tenant}/oauth2/v2.0/token", "token"),
    ("/{tenant}/oauth2/token", "token"),
    ("/orgs/{org}/copilot/billing", "github"),
    ("/orgs/{org}/copilot/billing/seats", "github"),
    ("/orgs/{org}/copilot/billing/selected_users", "github"),
    ("/orgs/{org}/copilot/billing/selected_teams", "github"),
    ("/orgs/{org}/members/{username}/copilot", "github"),
    ("/orgs/{org}/memberships/{username}", "github"),
    ("/enterprises/{enterprise}/copilot/billing/seats", "github"),
    ("/api/v3/orgs/{org}/copilot/billing", "github"),
    ("/api/v3/orgs/{org}/copilot/billing/seats", "github"),
    ("/api/v3/orgs/{org}/copilot/billing/selected_users", "github"),
    ("/api/v3/orgs/{org}/copilot/billing/selected_teams", "github"),
    ("/api/v3/orgs/{org}/members/{username}/copilot", "github"),
    ("/api/v3/orgs/{org}/memberships/{username}", "github"),
    ("/api/v3/enterprises/{enterprise}/copilot/billing/seats", "github"),
    ("/organizations/{org_id}/copilot/billing/seats", "github"),
    ("/api/v3/organizations/{org_id}/copilot/billing/seats", "github"),
]


def test_route_templates_are_the_request_log_templates():
    assert [(route.template, route.api.name) for route in registry.ROUTES if not route.catch_all] == TEMPLATES


def _route(path):
    req = Request("GET", path, None)
    route, captures = registry.route(req.segments())
    return route.log_template(req), route.api.name, captures


@pytest.mark.parametrize("path, template, api, captures", [
    ("/api/v2/seats/users", "/api/v2/seats/users", "dd_seats", ()),
    ("/api/v2/users", "/api/v2/users", "dd_users", ()),
    ("/api/v2/users/u-1", "/api/v2/users/{user_id}", "dd_users", ("u-1",)),
    ("/api/v2/users/", "/api/v2/users/", "dd_users", ()),            # empty id: Datadog's catch-all 404
    ("/API/v2/users", "/API/v2/users", None, ()),                     # Datadog paths are case-sensitive
    ("/api/oauth2/token", "/{tenant}/oauth2/token", "token", ("api",)),
    ("/v1/inventory", "/V1/Inventory", "msstore", ()),
    ("/V1/Inventory/P/S/Seats", "/V1/Inventory/{productId}/{skuId}/Seats", "msstore", ("P", "S")),
    ("/V1/Inventory//S/Seats", "/V1/Inventory/{productId}/{skuId}/Seats", "msstore", ("", "S")),
    ("/V1/inventory/P/S/seats/a%40b", "/V1/Inventory/{productId}/{skuId}/Seats/{username}", "msstore",
     ("P", "S", "a@b")),
    ("/V1/Users/a@b/Seats", "/V1/Users/{username}/Seats", "msstore", ("a@b",)),
    ("/V1/oauth2/token", "/V1/oauth2/token", None, ()),                # under /V1: the Store's web server
    ("/V1", "/V1", None, ()),
    ("/t/OAuth2/V2.0/Token", "/{tenant}/oauth2/v2.0/token", "token", ("t",)),
    ("//oauth2/token", "//oauth2/token", None, ()),                   # no tenant
    ("/", "/", None, ()),
    ("/anything/else", "/anything/else", None, ()),
    ("/orgs/acme/copilot/billing", "/orgs/{org}/copilot/billing", "github", ("acme",)),
    ("/api/v3/orgs/acme/members/mona/copilot", "/api/v3/orgs/{org}/members/{username}/copilot", "github",
     ("acme", "mona")),
    ("/orgs/acme/copilot/billing/", "/orgs/acme/copilot/billing/", "github", ()),     # trailing slash: 404
    # GitHub's catch-alls under /api/v3 go before Datadog's /api/** (longest prefix first).
    ("/api/v3/orgs/acme/copilot/billing/", "/api/v3/orgs/acme/copilot/billing/", "github", ()),
    ("/api/v3/enterprises/e/x", "/api/v3/enterprises/e/x", "github", ()),
    ("/enterprises/e/copilot/billing/seats/", "/enterprises/e/copilot/billing/seats/", "github", ()),
    ("/api/v2/nothing", "/api/v2/nothing", "dd_users", ()),
    ("/api/v3/users", "/api/v3/users", "dd_users", ()),
])
def test_paths_take_their_routes(path, template, api, captures):
    assert _route(path) == (template, api, captures)


def test_config_keys_are_the_servers_and_each_apis():
    assert set(admin.CONFIG_KEYS) == {
        "latency_ms", "jitter_ms", "datadog_rate_limit", "msstore_rate_limit", "token_lifetime",
        "unknown_path_answer", "msstore_error_body", "msstore_lists_removed",
        "datadog_max_page_limit", "datadog_refusal_detail"} | {key for key in admin.CONFIG_KEYS if key.startswith("github_")}
    assert len([key for key in admin.CONFIG_KEYS if key.startswith("github_")]) == 24
    assert [rate.key for rate in registry.RATE_LIMITS] == ["datadog_rate_limit", "msstore_rate_limit"]


def test_a_route_pattern_is_its_template():
    route = routing.Route("/x/{a}/Y/**", routing.WEB, None, ignore_case=True)
    assert route.match(["X", "1", "y"]) == ("1",)
    assert route.match(["x", "1", "y", "more", "rest"]) == ("1",)
    assert route.match(["x", "", "y"]) is None
    assert route.match(["x", "1"]) is None
    exact = routing.Route("/x/{a}", routing.WEB, None)
    assert exact.match(["X", "1"]) is None and exact.match(["x", "1", "2"]) is None


def test_api_modules_add_their_own_admin_calls():
    assert {path: (route.method, route.handler.__module__) for path, route in registry.ADMIN_ROUTES.items()} == {
        "/_sandbox/datadog/claim": ("POST", "seatops_sandbox.datadog_api"),
        "/_sandbox/datadog/peaks/reset": ("POST", "seatops_sandbox.datadog_api"),
        "/_sandbox/github/clock": ("POST", "seatops_sandbox.copilot_api"),
        "/_sandbox/github/activity": ("POST", "seatops_sandbox.copilot_api"),
        "/_sandbox/github/team": ("POST", "seatops_sandbox.copilot_api"),
        "/_sandbox/github/org": ("POST", "seatops_sandbox.copilot_api"),
    }
    # admin.py serves them from the registry without naming them.
    assert "/_sandbox/datadog" not in _source("admin.py")


def test_two_apis_may_not_declare_one_admin_path(monkeypatch):
    api = types.SimpleNamespace(ADMIN=(routing.AdminRoute("/_sandbox/x", "POST", None),))
    monkeypatch.setattr(registry, "APIS", (api, api))
    with pytest.raises(AssertionError, match="/_sandbox/x"):
        registry._admin_routes()
