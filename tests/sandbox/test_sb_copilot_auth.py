"""GitHub Copilot: token kinds and permissions (§4), rate limits (§6) and the seed's errors."""

import time

import pytest

from copilot_helpers import ORG, TOKENS, add_users, basic_error, billing, copilot_seed, seats
from seatops_sandbox.testing import SandboxError


# -- §4 ---------------------------------------------------------------------------------------

def test_missing_and_bad_tokens_are_401(gh):
    assert basic_error(billing(gh, token=None), 401)["message"] == "Requires authentication"
    assert basic_error(billing(gh, token="nope"), 401)["message"] == "Bad credentials"
    assert billing(gh, headers={"Authorization": "token " + TOKENS["owner"]["token"]}).status_code == 200


def test_sso_unauthorized_token_is_403_with_the_header(gh):
    resp = billing(gh, token="sso")
    basic_error(resp, 403)
    assert resp.headers["X-GitHub-SSO"].startswith("required; url=")


def test_non_owner_is_404(gh):
    basic_error(billing(gh, token="member"), 404)
    basic_error(add_users(gh, ["zed"], token="member"), 404)


@pytest.mark.parametrize("token, read, write", [
    ("owner", 200, 201), ("admin_org", 200, 201), ("read_org", 200, 404), ("no_scope", 404, 404),
    ("fg_write", 200, 201), ("fg_admin", 200, 201), ("fg_read", 200, 403), ("fg_none", 403, 403),
    ("app", 200, 201), ("app_read", 200, 403),
])
def test_token_permissions(gh, token, read, write):
    assert seats(gh, token=token).status_code == read
    assert add_users(gh, ["zed"], token=token).status_code == write


def test_missing_fine_grained_permission_names_what_would_do(gh):
    resp = add_users(gh, ["zed"], token="fg_read")
    assert basic_error(resp, 403)["message"] == "Resource not accessible by personal access token"
    assert resp.headers["X-Accepted-GitHub-Permissions"] == \
        "organization_copilot_seat_management=write; organization_administration=write"
    resp = add_users(gh, ["zed"], token="app_read")
    assert resp.json()["message"] == "Resource not accessible by integration"


def test_classic_tokens_get_scope_headers(gh):
    resp = billing(gh)
    assert resp.headers["X-OAuth-Scopes"] == "manage_billing:copilot"
    assert resp.headers["X-Accepted-OAuth-Scopes"] == "manage_billing:copilot, read:org"


# -- §6 ---------------------------------------------------------------------------------------

def test_primary_budget_per_token(gh):
    first = billing(gh)
    assert first.headers["x-ratelimit-limit"] == "5000" and first.headers["x-ratelimit-used"] == "1"
    assert billing(gh, token="app").headers["x-ratelimit-limit"] == "15000"
    assert billing(gh).headers["x-ratelimit-remaining"] == "4998"
    assert int(first.headers["x-ratelimit-reset"]) % 3600 == 0


@pytest.mark.parametrize("answer", ["403", "429"])
def test_primary_exhaustion(gh, answer):
    gh.config(github_primary_limit=2, github_primary_answer=answer)
    assert billing(gh).status_code == 200 and billing(gh).status_code == 200
    resp = billing(gh)
    assert "rate limit exceeded" in basic_error(resp, int(answer))["message"]
    assert resp.headers["x-ratelimit-remaining"] == "0"
    assert billing(gh, token="fg_write").status_code == 200        # another token, another budget


@pytest.mark.parametrize("answer, status, retry, headers", [
    ("retry_after", 403, "60", True), ("no_retry_after", 403, None, True), ("no_headers", 403, None, False),
    ("429_retry_after", 429, "60", True)])
def test_secondary_limit_on_writes(gh, answer, status, retry, headers):
    gh.config(github_secondary_limit=1, github_secondary_answer=answer)
    assert add_users(gh, ["zed"]).status_code == 201
    resp = add_users(gh, ["tom"])
    assert resp.status_code == status
    assert "secondary rate limit" in resp.json()["message"]
    assert resp.headers.get("retry-after") == retry
    assert ("x-ratelimit-remaining" in resp.headers) is headers
    if headers:
        assert resp.headers["x-ratelimit-remaining"] != "0"
    assert billing(gh).status_code == 200                           # reads are not limited
    assert "tom" not in [s["login"] for s in gh.state()["github"]["orgs"][ORG]["seats"] if not s["direct"]
                         and s["team"] is None]


def test_secondary_limit_zero_refuses_every_write(gh):
    gh.config(github_secondary_limit=0)
    assert add_users(gh, ["zed"]).status_code == 403


def test_injected_403_and_429_faults_have_rate_limit_bodies(gh):
    gh.faults([{"path": "/orgs/{org}/copilot/billing/selected_users", "status": 403, "count": 1},
               {"path": "/orgs/{org}/copilot/billing", "status": 429, "count": 1}])
    assert "secondary rate limit" in add_users(gh, ["zed"]).json()["message"]
    assert "rate limit exceeded" in billing(gh).json()["message"]


def test_latency_applies(gh):
    import time
    gh.config(latency_ms=200)
    started = time.monotonic()
    billing(gh)
    assert time.monotonic() - started >= 0.2


def test_config_switch_values_are_checked(gh):
    with pytest.raises(SandboxError, match="github_team_leave"):
        gh.config(github_team_leave="maybe")
    with pytest.raises(SandboxError, match="github_batch_limit"):
        gh.config(github_batch_limit=0)


# -- seed errors name the field ----------------------------------------------------------------

def org0(**changes):
    return copilot_seed(**changes)


@pytest.mark.parametrize("seed_change, field", [
    ({"login": "bad name"}, "github.orgs[0].login"),
    ({"seat_management_setting": "some"}, "github.orgs[0].seat_management_setting"),
    ({"cycle_day": 31}, "github.orgs[0].cycle_day"),
    ({"members": ["mona", "MONA"]}, "github.orgs[0].members[1]"),
    ({"invitations": ["mona"]}, "github.orgs[0].invitations[0]"),
    ({"seats": [{"login": "ghost"}]}, "github.orgs[0].seats[0].login"),
    ({"seats": [{"login": "mona"}, {"login": "Mona"}]}, "github.orgs[0].seats[1].login"),
    ({"seats": [{"login": "mona", "pending_cancellation_date": "2025-13-01"}]},
     "github.orgs[0].seats[0].pending_cancellation_date"),
    ({"seats": [{"login": "mona", "last_activity_at": "yesterday"}]}, "github.orgs[0].seats[0].last_activity_at"),
    ({"seats": [{"login": "mona", "team": "nope"}]}, "github.orgs[0].seats[0].team"),
    ({"seats": [{"login": "mona", "team": "platform"}]}, "github.orgs[0].seats[0].team"),
    ({"seats": [{"orphan": True, "login": "mona"}]}, "github.orgs[0].seats[0].login"),
    ({"teams": [{"slug": "x", "members": ["ghost"]}]}, "github.orgs[0].teams[0].members[0]"),
    ({"teams": [{"slug": "x"}, {"slug": "X"}]}, "github.orgs[0].teams[1].slug"),
])
def test_seed_errors_name_the_field(sb, seed_change, field):
    with pytest.raises(SandboxError) as info:
        sb.seed(org0(**seed_change))
    assert f'"field":"{field}"' in str(info.value)


@pytest.mark.parametrize("token, field", [
    ({"token": "t", "kind": "magic", "user": "octo"}, "github.tokens[12].kind"),
    ({"token": "t", "kind": "classic", "scopes": ["sudo"], "user": "octo"}, "github.tokens[12].scopes[0]"),
    ({"token": "t", "kind": "fine_grained", "permissions": {"copilot": "admin"}, "user": "octo"},
     "github.tokens[12].permissions.copilot"),
    ({"token": "t", "kind": "classic", "permissions": {"copilot": "read"}, "user": "octo"},
     "github.tokens[12].permissions"),
    ({"token": "t", "kind": "app_installation", "user": "octo"}, "github.tokens[12].user"),
    ({"token": "gh-owner", "user": "octo"}, "github.tokens[12].token"),
    ({"token": "t"}, "github.tokens[12].user"),
])
def test_token_seed_errors_name_the_field(sb, token, field):
    seed = copilot_seed()
    seed["github"]["tokens"].append(token)
    with pytest.raises(SandboxError) as info:
        sb.seed(seed)
    assert f'"field":"{field}"' in str(info.value)


def test_bad_clock_in_seed(sb):
    seed = copilot_seed()
    seed["github"]["now"] = "soon"
    with pytest.raises(SandboxError, match='"field":"github.now"'):
        sb.seed(seed)


def test_seed_counts_and_state(sb):
    counts = sb.seed(copilot_seed())["loaded"]
    assert counts["github"] == {"orgs": 2, "tokens": len(TOKENS), "seats": 2}
    org = sb.state()["github"]["orgs"][ORG]
    assert org["owners"] == ["octo"] and org["invitations"] == ["newhire"]
    assert org["cycle_start"] == "2025-03-01" and org["next_cycle_start"] == "2025-04-01"
    assert org["teams"]["platform"] == {"selected": True, "idp_synced": False, "enterprise": False,
                                        "members": ["tina", "tom"]}


# -- §6: the secondary limit's timing switches --------------------------------------------------

def test_secondary_window_and_retry_after_are_switches(gh):
    gh.config(github_secondary_limit=1, github_secondary_window=2, github_secondary_retry_after=2)
    assert add_users(gh, ["zed"]).status_code == 201
    resp = add_users(gh, ["tom"])
    assert resp.status_code == 403 and resp.headers["retry-after"] == "2"
    time.sleep(2.1)
    assert add_users(gh, ["tom"]).status_code == 201


@pytest.mark.parametrize("key, value", [
    ("github_secondary_window", 0), ("github_secondary_window", None), ("github_secondary_retry_after", -1),
    ("github_secondary_retry_after", "60"), ("github_bad_credential_lockout", 0)])
def test_timing_switches_are_checked(gh, key, value):
    with pytest.raises(SandboxError) as err:
        gh.config(**{key: value})
    assert key in str(err.value)


# -- §4.3: bad-credential lockout -------------------------------------------------------------

LOCKED = "Maximum number of login attempts exceeded. Please try again later."


def test_no_lockout_by_default(gh):
    for _attempt in range(5):
        assert billing(gh, token="nope").status_code == 401
    assert billing(gh).status_code == 200


def test_lockout_after_n_bad_credentials(gh):
    gh.config(github_bad_credential_lockout=3)
    assert billing(gh, token=None).status_code == 401            # no token: not a bad credential
    for _attempt in range(2):
        assert basic_error(billing(gh, token="nope"), 401)["message"] == "Bad credentials"
    assert billing(gh).status_code == 200                         # 2 < 3: not yet
    assert billing(gh, token="nope").status_code == 401           # the third starts the lockout
    for resp in (billing(gh), add_users(gh, ["zed"]), billing(gh, token="nope"), seats(gh, token="app")):
        assert resp.status_code == 403
        assert resp.json()["message"] == LOCKED
    assert gh.requests()["counts"]["GET /orgs/{org}/copilot/billing"] == 7


def test_a_reseed_ends_the_lockout(gh):
    gh.config(github_bad_credential_lockout=1)
    assert billing(gh, token="nope").status_code == 401
    assert billing(gh).status_code == 403
    gh.seed(copilot_seed())                                       # a reseed forgets the attempts
    assert billing(gh).status_code == 200
