"""Shared data and HTTP helpers for the sandbox suite (imported by the test modules)."""

import copy

import requests

# Fixed ids so assertions can name users directly.
ANA = "11111111-1111-4111-8111-111111111111"
BEN = "22222222-2222-4222-8222-222222222222"
CHEN = "33333333-3333-4333-8333-333333333333"
DARA = "44444444-4444-4444-8444-444444444444"      # disabled
ELI = "55555555-5555-4555-8555-555555555555"       # pending
BOT = "66666666-6666-4666-8666-666666666666"       # service account
FAY = "77777777-7777-4777-8777-777777777777"
GUS = "88888888-8888-4888-8888-888888888888"
UNKNOWN = "99999999-9999-4999-8999-999999999999"

KEYS = {
    "full": ("full-api", "full-app"),
    "ro": ("ro-api", "ro-app"),
    "incident": ("inc-api", "inc-app"),        # incident_read + incident_write only
    "oncall_read": ("oc-api", "oc-app"),       # on_call_read only
    "users_only": ("usr-api", "usr-app"),      # user_access_read only
}

TENANT = "contoso.onmicrosoft.com"
OTHER_TENANT = "fabrikam.onmicrosoft.com"
RESTRICTED = "9NBLGGH4R2R6/0016"
OPEN = "CFQ7TTC0K5DR/0001"
OFFLINE = "9WZDNCRFJ3PS/0002"
REMOVED = "9PB2MZ1ZMB1S/0003"
SCOPE = "https://onestore.microsoft.com/.default"
# The sandbox's default answers where the specs leave them open (see /_sandbox/config).
DEFAULT_ANSWERS = {"unknown_path_answer": "text", "msstore_error_body": "camel", "msstore_lists_removed": True,
                   "datadog_max_page_limit": 1000, "datadog_refusal_detail": "list",
                   # The GitHub Copilot switches, each at its stand-in rule (contract §7, §10).
                   "github_count_reused": False, "github_non_member": "reject", "github_mixed_team_cancel": "reject",
                   "github_cancel_without_seat": "ignore", "github_batch_limit": None, "github_empty_list": "reject",
                   "github_unknown_team": "reject", "github_both_sources": "team", "github_enterprise_seats": "listed",
                   "github_team_leave": "pending", "github_pending_in_e3": "seat", "github_orphans_in_total": "counted",
                   "github_per_page_over_max": "clamp", "github_link_path": "requested", "github_write_delay": 0,
                   "github_no_copilot_read": "404", "github_missing_user_agent": "403", "github_primary_limit": None,
                   "github_primary_answer": "403", "github_secondary_limit": None,
                   "github_secondary_answer": "retry_after", "github_secondary_window": 60,
                   "github_secondary_retry_after": 60, "github_bad_credential_lockout": None}
RESOURCE = "https://onestore.microsoft.com"

BASE_SEED = {
    "datadog": {
        "keys": [
            {"api_key": "full-api", "app_key": "full-app",
             "permissions": ["billing_read", "billing_edit", "user_access_read"]},
            {"api_key": "ro-api", "app_key": "ro-app", "permissions": ["billing_read", "user_access_read"]},
            {"api_key": "inc-api", "app_key": "inc-app", "permissions": ["incident_read", "incident_write"]},
            {"api_key": "oc-api", "app_key": "oc-app", "permissions": ["on_call_read"]},
            {"api_key": "usr-api", "app_key": "usr-app", "permissions": ["user_access_read"]},
        ],
        "products": [{"code": "incident_response", "committed_seats": 4}, {"code": "apm_pro"},
                     {"code": "empty_product", "committed_seats": None}],
        "users": [
            {"id": ANA, "email": "Ana.Lima@Example.com", "name": "Ana Lima"},
            {"id": BEN, "email": "ben.okafor@example.com", "name": "Ben Okafor"},
            {"id": CHEN, "email": "chen.wei@example.com", "name": "Chen Wei", "handle": "chenw"},
            {"id": DARA, "email": "dara.novak@example.com", "name": "Dara Novak",
             "status": "Disabled", "disabled": True},
            {"id": ELI, "email": "eli.silva@example.com", "name": "Eli Silva", "status": "Pending"},
            {"id": BOT, "email": "ci-bot@example.com", "name": "CI Bot", "service_account": True},
            {"id": FAY, "email": "fay.ana@example.com", "name": "Fay Anderson"},
            {"id": GUS, "email": "gus.tanaka@example.com", "name": "Gus Tanaka"},
        ],
        "seats": {"incident_response": [ANA, DARA], "apm_pro": [BEN]},
    },
    "msstore": {
        "tenants": [
            {"id": TENANT,
             "clients": [{"client_id": "cid", "client_secret": "secret", "activated": True},
                         {"client_id": "inactive-cid", "client_secret": "secret2", "activated": False}],
             "users": ["alice@contoso.com", "bob@contoso.com", "carol@contoso.com", "dave@contoso.com",
                       "erin@contoso.com", "Frank.Mixed@Contoso.com"],
             "inventory": [
                 {"product_id": "9NBLGGH4R2R6", "sku_id": "0016", "license_type": "Online",
                  "distribution_policy": "Restricted", "seat_capacity": 3,
                  "last_modified": "2024-04-30T08:00:00Z"},
                 {"product_id": "CFQ7TTC0K5DR", "sku_id": "0001", "license_type": "Online",
                  "distribution_policy": "Open", "seat_capacity": 2, "last_modified": "2024-06-01T00:00:00Z"},
                 {"product_id": "9WZDNCRFJ3PS", "sku_id": "0002", "license_type": "Offline",
                  "distribution_policy": "Open", "seat_capacity": 10, "last_modified": "2023-01-01T00:00:00Z"},
                 {"product_id": "9PB2MZ1ZMB1S", "sku_id": "0003", "license_type": "Online",
                  "distribution_policy": "Restricted", "seat_capacity": 5, "status": "Removed",
                  "last_modified": "2024-01-01T00:00:00Z"},
             ],
             "seats": {RESTRICTED: ["alice@contoso.com", "bob@contoso.com"], OPEN: ["alice@contoso.com"],
                       REMOVED: ["carol@contoso.com"]}},
            {"id": OTHER_TENANT,
             "clients": [{"client_id": "fab-cid", "client_secret": "fab-secret"}],
             "users": ["zoe@fabrikam.com", "alice@contoso.com"],
             "inventory": [{"product_id": "9NBLGGH4R2R6", "sku_id": "0016", "license_type": "Online",
                            "distribution_policy": "Restricted", "seat_capacity": 10}],
             "seats": {RESTRICTED: ["zoe@fabrikam.com"]}},
        ],
    },
}


def base_seed():
    return copy.deepcopy(BASE_SEED)


def dd(sb, method, path, key="full", headers=None, **kwargs):
    hdrs = {}
    if key is not None:
        api, app = KEYS[key]
        hdrs = {"DD-API-KEY": api, "DD-APPLICATION-KEY": app}
    hdrs.update(headers or {})
    return requests.request(method, sb.url + path, headers=hdrs, timeout=30, **kwargs)


def seats_body(code="incident_response", uuids=(), **extra):
    attrs = {"product_code": code, "user_uuids": list(uuids)}
    attrs.update(extra)
    return {"data": {"type": "seat-assignments", "attributes": attrs}}


def get_token(sb, tenant=TENANT, client_id="cid", secret="secret", version="v2", **override):
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    if version == "v2":
        form["scope"] = SCOPE
        path = f"/{tenant}/oauth2/v2.0/token"
    else:
        form["resource"] = RESOURCE
        path = f"/{tenant}/oauth2/token"
    form.update(override)
    form = {k: v for k, v in form.items() if v is not None}
    return requests.post(sb.url + path, data=form, timeout=30)


def token(sb, **kwargs):
    resp = get_token(sb, **kwargs)
    assert resp.status_code == 200, resp.text
    return resp.json()["access_token"]


def ms(sb, method, path, tok=None, headers=None, **kwargs):
    hdrs = {"Accept": "application/json"}
    if tok is not None:
        hdrs["Authorization"] = f"Bearer {tok}"
    hdrs.update(headers or {})
    return requests.request(method, sb.url + path, headers=hdrs, timeout=30, **kwargs)


def holders(sb, code):
    return sorted(h["id"] for h in sb.state()["datadog"]["products"][code]["holders"])


def ms_holders(sb, pkey, tenant=TENANT):
    return sb.state()["msstore"]["tenants"][tenant]["products"][pkey]["holders"]
