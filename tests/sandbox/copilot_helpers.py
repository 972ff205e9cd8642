"""Seed and HTTP helpers for the GitHub Copilot seats tests (test_sb_copilot_*.py)."""

import copy

import requests

from sandbox_helpers import base_seed

ORG = "Acme"
NOW = "2025-03-15T12:00:00Z"        # the Copilot clock in every test: cycle 2025-03-01 .. 2025-04-01
NEXT_CYCLE = "2025-04-01"

TOKENS = {
    "owner": {"token": "gh-owner", "kind": "classic", "scopes": ["manage_billing:copilot"], "user": "octo"},
    "read_org": {"token": "gh-read-org", "kind": "classic", "scopes": ["read:org"], "user": "octo"},
    "admin_org": {"token": "gh-admin-org", "kind": "classic", "scopes": ["admin:org"], "user": "octo"},
    "no_scope": {"token": "gh-no-scope", "kind": "classic", "scopes": ["repo"], "user": "octo"},
    "member": {"token": "gh-member", "kind": "classic", "scopes": ["manage_billing:copilot"], "user": "mona"},
    "fg_write": {"token": "gh-fg-write", "kind": "fine_grained", "permissions": {"copilot": "write"}, "user": "octo"},
    "fg_read": {"token": "gh-fg-read", "kind": "fine_grained", "permissions": {"copilot": "read"}, "user": "octo"},
    "fg_admin": {"token": "gh-fg-admin", "kind": "fine_grained", "permissions": {"administration": "write"},
                 "user": "octo"},
    "fg_none": {"token": "gh-fg-none", "kind": "fine_grained", "permissions": {}, "user": "octo"},
    "app": {"token": "ghs-app", "kind": "app_installation", "permissions": {"copilot": "write"}},
    "app_read": {"token": "ghs-app-read", "kind": "app_installation", "permissions": {"copilot": "read"}},
    "sso": {"token": "gh-sso", "kind": "classic", "scopes": ["manage_billing:copilot"], "user": "octo",
            "sso_authorized": False},
}

GITHUB = {
    "now": NOW,
    "tokens": list(TOKENS.values()),
    "orgs": [{
        "login": ORG, "id": 4242,
        "owners": ["octo"], "members": ["mona", "hubot", "Zed", "tina", "tom", "sam"], "invitations": ["newhire"],
        "teams": [
            {"slug": "platform", "name": "Platform", "id": 42, "members": ["tina", "tom"], "selected": True},
            {"slug": "sre", "name": "SRE Team", "id": 43, "members": ["tom", "sam"]},
            {"slug": "ent", "name": "Enterprise crew", "id": 44, "members": ["sam"], "enterprise": True},
        ],
        "seats": [
            {"login": "mona", "created_at": "2025-01-06T10:00:00Z", "last_activity_at": "2025-03-10T09:00:00Z",
             "last_activity_editor": "vscode/1.98.2/copilot/1.290.0", "last_authenticated_at": "2025-03-10T08:59:00Z"},
            {"login": "hubot", "created_at": "2024-11-02T08:30:00Z", "pending_cancellation_date": NEXT_CYCLE},
        ],
    }, {
        "login": "allhands", "owners": ["octo"], "members": ["mona"], "seat_management_setting": "assign_all",
    }],
}


def copilot_seed(**org_changes):
    seed = base_seed()
    seed["github"] = copy.deepcopy(GITHUB)
    seed["github"]["orgs"][0].update(org_changes)
    return seed


def call(sb, method, path, token="owner", headers=None, prefix="", **kwargs):
    """One request as a GitHub client sends it (§3 headers); ``token=None`` sends none."""
    sent = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "seatops-tests"}
    if token is not None:
        sent["Authorization"] = "Bearer " + TOKENS[token]["token"] if token in TOKENS else "Bearer " + token
    sent.update(headers or {})
    sent = {k: v for k, v in sent.items() if v is not None}
    return requests.request(method, sb.url + prefix + path, headers=sent, timeout=30, **kwargs)


def billing(sb, org=ORG, **kwargs):
    return call(sb, "GET", f"/orgs/{org}/copilot/billing", **kwargs)


def seats(sb, org=ORG, **kwargs):
    return call(sb, "GET", f"/orgs/{org}/copilot/billing/seats", **kwargs)


def seat_of(sb, login, org=ORG, **kwargs):
    return call(sb, "GET", f"/orgs/{org}/members/{login}/copilot", **kwargs)


def add_users(sb, names, org=ORG, **kwargs):
    return call(sb, "POST", f"/orgs/{org}/copilot/billing/selected_users", json={"selected_usernames": names}, **kwargs)


def remove_users(sb, names, org=ORG, **kwargs):
    return call(sb, "DELETE", f"/orgs/{org}/copilot/billing/selected_users", json={"selected_usernames": names},
                **kwargs)


def add_teams(sb, names, org=ORG, **kwargs):
    return call(sb, "POST", f"/orgs/{org}/copilot/billing/selected_teams", json={"selected_teams": names}, **kwargs)


def remove_teams(sb, names, org=ORG, **kwargs):
    return call(sb, "DELETE", f"/orgs/{org}/copilot/billing/selected_teams", json={"selected_teams": names}, **kwargs)


def all_seats(sb, org=ORG):
    """login (or None for an orphan) -> seat, read from E2 with per_page=100."""
    body = seats(sb, org, params={"per_page": 100}).json()
    return {(s["assignee"] or {}).get("login"): s for s in body["seats"]}


def state_seats(sb, org=ORG):
    return {s["login"]: s for s in sb.state()["github"]["orgs"][org]["seats"]}


def basic_error(resp, status):
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
    body = resp.json()
    assert body["status"] == str(status) and isinstance(body["message"], str) and body["documentation_url"]
    return body
