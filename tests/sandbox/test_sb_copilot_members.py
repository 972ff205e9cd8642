"""GitHub: the org-membership read (GET /orgs/{org}/memberships/{username}) the collection
asks before giving a seat, and IdP-synced teams."""

import pytest

from copilot_helpers import ORG, TOKENS, basic_error, call, copilot_seed
from seatops_sandbox.testing import SandboxError

MEMBER_TOKENS = {
    "fg_members": {"token": "gh-fg-members", "kind": "fine_grained", "permissions": {"members": "read"},
                   "user": "octo"},
    "fg_members_write": {"token": "gh-fg-members-w", "kind": "fine_grained", "permissions": {"members": "write"},
                         "user": "octo"},
    "app_members": {"token": "ghs-app-members", "kind": "app_installation", "permissions": {"members": "read"}},
}


@pytest.fixture
def members_gh(sb):
    seed = copilot_seed()
    seed["github"]["tokens"] += list(MEMBER_TOKENS.values())
    sb.seed(seed)
    sb.clear_requests()
    return sb


def membership(sb, login, org=ORG, token="read_org", **kwargs):
    if token in MEMBER_TOKENS:
        token = MEMBER_TOKENS[token]["token"]
    return call(sb, "GET", f"/orgs/{org}/memberships/{login}", token=token, **kwargs)


@pytest.mark.parametrize("login, state, role", [
    ("octo", "active", "admin"), ("mona", "active", "member"), ("ZED", "active", "member"),
    ("newhire", "pending", "member")])
def test_membership_states_and_roles(members_gh, login, state, role):
    resp = membership(members_gh, login)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
    body = resp.json()
    assert (body["state"], body["role"]) == (state, role)
    canonical = "Zed" if login == "ZED" else login
    assert body["user"]["login"] == canonical and body["user"]["type"] == "User"
    assert body["url"] == f"https://api.github.com/orgs/{ORG}/memberships/{canonical}"
    assert body["organization_url"] == f"https://api.github.com/orgs/{ORG}"
    org = body["organization"]
    assert set(org) == {"login", "url", "id", "node_id", "repos_url", "events_url", "hooks_url", "issues_url",
                        "members_url", "public_members_url", "avatar_url", "description"}
    assert (org["login"], org["id"]) == (ORG, 4242)


def test_non_member_and_unknown_login_are_404(members_gh):
    basic_error(membership(members_gh, "stranger"), 404)
    basic_error(membership(members_gh, "mona", org="allhands-nope"), 404)
    # octo owns allhands too; mona is a member there, tina is not.
    assert membership(members_gh, "mona", org="allhands").json()["state"] == "active"
    basic_error(membership(members_gh, "tina", org="allhands"), 404)


def test_same_gate_as_the_reads(members_gh):
    basic_error(membership(members_gh, "mona", token=None), 401)
    basic_error(membership(members_gh, "mona", token="nope"), 401)
    assert "X-GitHub-SSO" in membership(members_gh, "mona", token="sso").headers
    # Only owners pass the gate (as for E1-E7): a member's token gets 404.
    member = dict(TOKENS["member"], token="gh-member-read-org", scopes=["read:org"])
    seed = copilot_seed()
    seed["github"]["tokens"].append(member)
    members_gh.seed(seed)
    basic_error(membership(members_gh, "octo", token="gh-member-read-org"), 404)
    basic_error(call(members_gh, "POST", f"/orgs/{ORG}/memberships/mona", token="read_org"), 404)


@pytest.mark.parametrize("token, status", [
    ("read_org", 200), ("admin_org", 200), ("owner", 404), ("no_scope", 404),
    ("fg_members", 200), ("fg_members_write", 200), ("app_members", 200),
    ("fg_write", 403), ("fg_admin", 403), ("fg_none", 403), ("app", 403)])
def test_membership_permissions(members_gh, token, status):
    resp = membership(members_gh, "mona", token=token)
    assert resp.status_code == status, resp.text
    if status == 403:
        who = "integration" if token.startswith("app") else "personal access token"
        assert basic_error(resp, 403)["message"] == f"Resource not accessible by {who}"
        assert resp.headers["X-Accepted-GitHub-Permissions"] == "members=read"


def test_classic_scope_headers(members_gh):
    resp = membership(members_gh, "mona", token="owner")
    assert resp.headers["X-OAuth-Scopes"] == "manage_billing:copilot"
    assert resp.headers["X-Accepted-OAuth-Scopes"] == "admin:org, read:org"


def test_no_copilot_needed_and_under_api_v3(members_gh):
    members_gh.github_org(ORG, copilot=False)
    assert membership(members_gh, "mona").status_code == 200
    assert membership(members_gh, "mona", prefix="/api/v3").json()["state"] == "active"


def test_logged_and_counted_like_other_routes(members_gh):
    first = membership(members_gh, "mona")
    second = membership(members_gh, "nobody")
    assert int(second.headers["x-ratelimit-used"]) == int(first.headers["x-ratelimit-used"]) + 1
    assert members_gh.requests()["counts"]["GET /orgs/{org}/memberships/{username}"] == 2
    members_gh.config(github_primary_limit=1)
    members_gh.seed(members_gh_seed())
    assert membership(members_gh, "mona").status_code == 200
    assert membership(members_gh, "mona").status_code == 403


def members_gh_seed():
    seed = copilot_seed()
    seed["github"]["tokens"] += list(MEMBER_TOKENS.values())
    return seed


def test_seed_permission_key_members_is_read_or_write(sb):
    seed = members_gh_seed()
    seed["github"]["tokens"][-1]["permissions"] = {"members": "admin"}
    with pytest.raises(SandboxError) as err:
        sb.seed(seed)
    assert "github.tokens[" in str(err.value) and "permissions.members" in str(err.value)


# -- IdP-synced teams (§13) -------------------------------------------------------------------

def _idp_seed():
    seed = copilot_seed()
    seed["github"]["orgs"][0]["teams"][1]["idp_synced"] = True          # sre
    return seed


def test_idp_synced_team_in_the_state(gh):
    gh.seed(_idp_seed())
    teams = gh.state()["github"]["orgs"][ORG]["teams"]
    assert teams["sre"]["idp_synced"] is True and teams["platform"]["idp_synced"] is False


def test_idp_synced_flag_is_validated(gh):
    seed = _idp_seed()
    seed["github"]["orgs"][0]["teams"][1]["idp_synced"] = "yes"
    with pytest.raises(SandboxError) as err:
        gh.seed(seed)
    assert "github.orgs[0].teams[1].idp_synced" in str(err.value)


def test_removing_from_an_idp_synced_team_by_hand_is_refused(gh):
    gh.seed(_idp_seed())
    with pytest.raises(SandboxError) as err:
        gh.github_team(ORG, "sre", remove=["tom"])
    assert "remove" in str(err.value)
    assert gh.state()["github"]["orgs"][ORG]["teams"]["sre"]["members"] == ["sam", "tom"]
    gh.github_team(ORG, "platform", remove=["tom"])                   # not synced: allowed
