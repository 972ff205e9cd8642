"""GitHub Copilot E8: GET /enterprises/{enterprise}/copilot/billing/seats (§9 E8, §13)."""

import re

import pytest

from copilot_helpers import ORG, basic_error, call, copilot_seed
from seatops_sandbox.testing import SandboxError

ENT = "acme-corp"
ENT_TOKENS = {
    "ent_read": {"token": "gh-ent-read", "kind": "classic", "scopes": ["read:enterprise"], "user": "octo"},
    "billing_manager": {"token": "gh-ent-billing", "kind": "classic", "scopes": ["manage_billing:copilot"],
                        "user": "boss"},
}


def enterprise_seed():
    """Acme (mona direct, hubot pending, tina and tom through platform) and acme-labs (mona and
    tina again) in one enterprise: 6 seats, 4 users."""
    seed = copilot_seed()
    seed["github"]["tokens"] += list(ENT_TOKENS.values())
    seed["github"]["orgs"].append({"login": "acme-labs", "id": 5151, "owners": ["octo"], "members": ["mona", "tina"],
                                   "seats": [{"login": "mona", "created_at": "2025-02-10T08:00:00Z"},
                                             {"login": "tina", "created_at": "2025-02-11T08:00:00Z"}]})
    seed["github"]["enterprises"] = [{"slug": ENT, "id": 777, "owners": ["octo"], "billing_managers": ["boss"],
                                      "orgs": [ORG, "acme-labs"]}]
    return seed


@pytest.fixture
def ent(sb):
    sb.seed(enterprise_seed())
    sb.clear_requests()
    return sb


def ent_seats(sb, enterprise=ENT, token="owner", **kwargs):
    if token in ENT_TOKENS:
        token = ENT_TOKENS[token]["token"]
    return call(sb, "GET", f"/enterprises/{enterprise}/copilot/billing/seats", token=token, **kwargs)


def test_one_item_per_granting_org_users_counted_once(ent):
    resp = ent_seats(ent)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8" and "Link" not in resp.headers
    body = resp.json()
    assert body["total_seats"] == 4 and len(body["seats"]) == 6
    pairs = sorted((s["assignee"]["login"], s["organization"]["login"]) for s in body["seats"])
    assert pairs == [("hubot", ORG), ("mona", ORG), ("mona", "acme-labs"), ("tina", ORG), ("tina", "acme-labs"),
                     ("tom", ORG)]
    org = body["seats"][0]["organization"]
    assert {"login", "url", "id", "node_id", "repos_url", "events_url", "hooks_url", "issues_url", "members_url",
            "public_members_url", "avatar_url", "description"} <= set(org)
    hubot = next(s for s in body["seats"] if s["assignee"]["login"] == "hubot")
    assert hubot["pending_cancellation_date"] == "2025-04-01"          # pending seats are listed
    tina_team = next(s for s in body["seats"] if s["assignee"]["login"] == "tina" and s["organization"]["login"] == ORG)
    assert tina_team["assigning_team"]["slug"] == "platform"


def test_paged_like_e2(ent):
    first = ent_seats(ent, params={"per_page": 4})
    links = dict((rel, url) for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', first.headers["Link"]))
    assert set(links) == {"next", "last"} and "page=2" in links["next"]
    second = ent_seats(ent, params={"per_page": 4, "page": 2})
    assert set(re.findall(r'rel="(\w+)"', second.headers["Link"])) == {"first", "prev", "last"}
    items = first.json()["seats"] + second.json()["seats"]
    assert len(items) == 6 and second.json()["total_seats"] == 4
    keys = {(s["assignee"]["login"], s["organization"]["login"]) for s in items}
    assert len(keys) == 6                                               # a stable order: no repeats
    assert len(ent_seats(ent, params={"per_page": 500}).json()["seats"]) == 6


def test_by_id_and_under_api_v3(ent):
    assert ent_seats(ent, enterprise="777").json()["total_seats"] == 4
    assert ent_seats(ent, enterprise="ACME-CORP", prefix="/api/v3").json()["total_seats"] == 4


@pytest.mark.parametrize("token, status", [
    ("owner", 200), ("ent_read", 200), ("billing_manager", 200), ("admin_org", 404), ("read_org", 404),
    ("member", 404), ("fg_write", 403), ("fg_admin", 403), ("app", 403), ("nope", 401), (None, 401)])
def test_who_may_read_enterprise_seats(ent, token, status):
    resp = ent_seats(ent, token=token)
    assert resp.status_code == status, resp.text
    if status == 403:
        who = "integration" if token == "app" else "personal access token"
        assert basic_error(resp, 403)["message"] == f"Resource not accessible by {who}"


def test_unknown_enterprise_wrong_method_and_sso(ent):
    basic_error(ent_seats(ent, enterprise="nope"), 404)
    basic_error(call(ent, "POST", f"/enterprises/{ENT}/copilot/billing/seats"), 404)
    resp = ent_seats(ent, token="sso")
    assert basic_error(resp, 403) and "X-GitHub-SSO" in resp.headers
    assert ent.requests()["counts"]["GET /enterprises/{enterprise}/copilot/billing/seats"] == 2


def test_orphans_and_orgs_without_copilot(ent):
    seed = enterprise_seed()
    seed["github"]["orgs"][2]["seats"].append({"orphan": True})
    ent.seed(seed)
    body = ent_seats(ent).json()
    assert body["total_seats"] == 5 and len(body["seats"]) == 7
    ent.config(github_orphans_in_total="not_counted")
    assert ent_seats(ent).json()["total_seats"] == 4
    ent.github_org("acme-labs", copilot=False)
    assert {s["organization"]["login"] for s in ent_seats(ent).json()["seats"]} == {ORG}


def test_enterprises_in_the_state(ent):
    assert ent.state()["github"]["enterprises"] == {
        ENT: {"id": 777, "owners": ["octo"], "billing_managers": ["boss"], "orgs": ["Acme", "acme-labs"]}}


def test_follows_writes_to_its_orgs(ent):
    assert call(ent, "POST", f"/orgs/{ORG}/copilot/billing/selected_users",
                json={"selected_usernames": ["zed"]}).status_code == 201
    assert ent_seats(ent).json()["total_seats"] == 5


@pytest.mark.parametrize("change, field", [
    ({"slug": "bad slug"}, "github.enterprises[0].slug"),
    ({"orgs": [ORG, "ghost"]}, "github.enterprises[0].orgs[1]"),
    ({"owners": ["not a login"]}, "github.enterprises[0].owners[0]"),
    ({"billing_managers": "boss"}, "github.enterprises[0].billing_managers"),
])
def test_seed_errors_name_the_field(sb, change, field):
    seed = enterprise_seed()
    seed["github"]["enterprises"][0].update(change)
    with pytest.raises(SandboxError) as err:
        sb.seed(seed)
    assert field in str(err.value)


def test_an_org_belongs_to_one_enterprise(sb):
    seed = enterprise_seed()
    seed["github"]["enterprises"].append({"slug": "other", "owners": ["octo"], "orgs": ["ACME"]})
    with pytest.raises(SandboxError) as err:
        sb.seed(seed)
    assert "github.enterprises[1].orgs[0]" in str(err.value) and "already belongs" in str(err.value)
