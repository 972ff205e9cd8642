"""GitHub Copilot E1-E3 (reads) and paging, against the contract."""

import re

import pytest

from copilot_helpers import ORG, NEXT_CYCLE, all_seats, basic_error, billing, call, copilot_seed, seat_of, seats


# -- E1 ---------------------------------------------------------------------------------------

def test_e1_has_every_key_and_a_consistent_breakdown(gh):
    resp = billing(gh)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
    body = resp.json()
    assert body == {
        # mona (direct, active this cycle), hubot (pending), tina and tom (team platform, seeded now)
        "seat_breakdown": {"total": 4, "added_this_cycle": 2, "pending_invitation": 1, "pending_cancellation": 1,
                           "active_this_cycle": 1, "inactive_this_cycle": 3},
        "seat_management_setting": "assign_selected", "public_code_suggestions": "block", "ide_chat": "enabled",
        "platform_chat": "enabled", "cli": "enabled", "plan_type": "business"}
    for name in ("limit", "remaining", "used", "reset", "resource"):
        assert f"x-ratelimit-{name}" in resp.headers
    assert resp.headers["x-ratelimit-resource"] == "core"


def test_e1_org_is_case_insensitive_and_served_under_api_v3(gh):
    assert billing(gh, org="acme").status_code == 200
    assert call(gh, "GET", "/orgs/ACME/copilot/billing", prefix="/api/v3").status_code == 200


def test_e1_payment_problem_is_422_and_no_copilot_404_or_422(gh):
    gh.github_org(ORG, payment_problem=True)
    assert "payment method" in basic_error(billing(gh), 422)["message"]
    gh.github_org(ORG, payment_problem=False, copilot=False)
    basic_error(billing(gh), 404)
    basic_error(seats(gh), 404)
    gh.config(github_no_copilot_read="422")
    basic_error(billing(gh), 422)
    basic_error(seats(gh), 422)


def test_unknown_org_trailing_slash_and_wrong_method_are_404(gh):
    basic_error(billing(gh, org="nope"), 404)
    basic_error(call(gh, "GET", f"/orgs/{ORG}/copilot/billing/"), 404)
    basic_error(call(gh, "PUT", f"/orgs/{ORG}/copilot/billing"), 404)


def test_api_version_and_user_agent_checks(gh):
    assert billing(gh, headers={"X-GitHub-Api-Version": "2026-03-10"}).status_code == 200
    assert billing(gh, headers={"X-GitHub-Api-Version": None}).status_code == 200
    basic_error(billing(gh, headers={"X-GitHub-Api-Version": "2023-01-01"}), 400)
    basic_error(billing(gh, headers={"User-Agent": ""}), 403)
    gh.config(github_missing_user_agent="allow")
    assert billing(gh, headers={"User-Agent": ""}).status_code == 200


def test_breakdown_follows_activity_and_the_cycle(gh):
    gh.github_activity(ORG, "tina")
    body = billing(gh).json()["seat_breakdown"]
    assert body["active_this_cycle"] == 2 and body["inactive_this_cycle"] == 2
    gh.github_clock(advance_days=20)        # 2025-04-04: a new cycle, hubot's seat has ended
    body = billing(gh).json()["seat_breakdown"]
    assert body == {"total": 3, "added_this_cycle": 0, "pending_invitation": 1, "pending_cancellation": 0,
                    "active_this_cycle": 0, "inactive_this_cycle": 3}


# -- E2 ---------------------------------------------------------------------------------------

def test_e2_lists_seats_with_their_shapes(gh):
    body = seats(gh).json()
    assert body["total_seats"] == 4 == len(body["seats"])
    listed = {s["assignee"]["login"]: s for s in body["seats"]}
    mona = listed["mona"]
    assert "assigning_team" not in mona                     # direct seat: no key at all (§8.3)
    assert mona["last_activity_editor"] == "vscode/1.98.2/copilot/1.290.0"
    assert mona["pending_cancellation_date"] is None and mona["plan_type"] == "business"
    assert set(mona["assignee"]) >= {"login", "id", "node_id", "avatar_url", "gravatar_id", "url", "html_url",
                                     "followers_url", "following_url", "gists_url", "starred_url",
                                     "subscriptions_url", "organizations_url", "repos_url", "events_url",
                                     "received_events_url", "type", "site_admin"}
    assert mona["assignee"]["type"] == "User"
    assert listed["hubot"]["pending_cancellation_date"] == NEXT_CYCLE     # pending seats are listed
    team = listed["tina"]["assigning_team"]
    assert team["slug"] == "platform" and team["type"] == "organization" and team["parent"] is None
    assert "link" not in {k.lower() for k in gh_headers(gh)}


def gh_headers(sb):
    return seats(sb).headers


def test_e2_order_is_stable_created_at_then_id(gh):
    logins = [s["assignee"]["login"] for s in seats(gh).json()["seats"]]
    assert logins[:2] == ["hubot", "mona"]
    assert logins == [s["assignee"]["login"] for s in seats(gh).json()["seats"]]


def big_org(sb, count):
    members = [f"user{i:04d}" for i in range(count)]
    sb.seed(copilot_seed(members=members, teams=[], invitations=[],
                         seats=[{"login": m, "created_at": f"2025-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}Z"}
                                for i, m in enumerate(members)]))
    return members


def links(resp):
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', resp.headers.get("Link", ""))}


@pytest.mark.parametrize("count, pages", [(49, 1), (50, 1), (51, 2), (100, 2), (101, 3)])
def test_e2_default_page_is_50_and_links_are_followed(sb, count, pages):
    members = big_org(sb, count)
    resp = seats(sb)
    assert len(resp.json()["seats"]) == min(count, 50)
    if pages == 1:
        assert "Link" not in resp.headers
    got, seen = resp, []
    while True:
        body = got.json()
        assert body["total_seats"] == count
        seen += [s["assignee"]["login"] for s in body["seats"]]
        nxt = links(got).get("next")
        if not nxt:
            break
        assert "per_page=50" in nxt
        got = call(sb, "GET", nxt.split(str(sb.url), 1)[1] if nxt.startswith(sb.url) else nxt)
    assert seen == members


@pytest.mark.parametrize("count", [49, 50, 51, 100, 101])
def test_e2_per_page_100(sb, count):
    big_org(sb, count)
    resp = seats(sb, params={"per_page": 100})
    assert len(resp.json()["seats"]) == min(count, 100)
    rels = links(resp)
    if count <= 100:
        assert rels == {}
    else:
        assert rels["next"].endswith("?per_page=100&page=2") and rels["last"].endswith("page=2")
        last = call(sb, "GET", "/orgs/Acme/copilot/billing/seats", params={"per_page": 100, "page": 2})
        assert len(last.json()["seats"]) == 1
        assert set(links(last)) == {"first", "prev", "last"}


def test_e2_page_edges(sb):
    big_org(sb, 120)
    assert len(seats(sb, params={"per_page": 500}).json()["seats"]) == 100          # clamped
    assert len(seats(sb, params={"per_page": 0}).json()["seats"]) == 50             # default
    assert len(seats(sb, params={"per_page": "x"}).json()["seats"]) == 50
    past = seats(sb, params={"page": 9})
    assert past.json() == {"total_seats": 120, "seats": []} and "next" not in links(past)
    sb.config(github_per_page_over_max="reject")
    basic_error(seats(sb, params={"per_page": 101}), 422)


def test_e2_canonical_link_path_switch(sb):
    big_org(sb, 60)
    sb.config(github_link_path="canonical")
    nxt = links(seats(sb))["next"]
    assert "/organizations/4242/copilot/billing/seats?per_page=50&page=2" in nxt
    page2 = call(sb, "GET", "/organizations/4242/copilot/billing/seats", params={"per_page": 50, "page": 2})
    assert len(page2.json()["seats"]) == 10


def test_orphan_seats_and_the_total_switch(sb):
    sb.seed(copilot_seed(seats=[{"orphan": True, "pending_cancellation_date": NEXT_CYCLE}]))
    body = seats(sb).json()
    orphan = [s for s in body["seats"] if s["assignee"] is None]
    assert len(orphan) == 1 and orphan[0]["pending_cancellation_date"] == NEXT_CYCLE
    assert body["total_seats"] == 3
    sb.config(github_orphans_in_total="not_counted")
    body = seats(sb).json()
    assert body["total_seats"] == 2 and len(body["seats"]) == 3
    assert billing(sb).json()["seat_breakdown"]["total"] == 2


def test_enterprise_team_seats_listed_or_hidden(sb):
    seed = copilot_seed()
    seed["github"]["orgs"][0]["teams"][2]["selected"] = True
    sb.seed(seed)
    sam = all_seats(sb)["sam"]["assigning_team"]
    assert sam["slug"] == "ent" and "group_id" in sam and "node_id" not in sam
    sb.config(github_enterprise_seats="hidden")
    assert "sam" not in all_seats(sb)


def test_plan_type_may_be_absent(sb):
    sb.seed(copilot_seed(seats=[{"login": "mona", "plan_type": "absent"}]))
    assert "plan_type" not in all_seats(sb)["mona"]


# -- E3 ---------------------------------------------------------------------------------------

def test_e3_seat_404_and_422(gh):
    assert seat_of(gh, "MONA").json()["assignee"]["login"] == "mona"       # canonical casing
    assert seat_of(gh, "hubot").json()["pending_cancellation_date"] == NEXT_CYCLE
    assert seat_of(gh, "tina").json()["assigning_team"]["slug"] == "platform"
    basic_error(seat_of(gh, "zed"), 404)               # member without a seat
    basic_error(seat_of(gh, "ghost"), 404)
    assert "invitation" in basic_error(seat_of(gh, "newhire"), 422)["message"]
    gh.config(github_pending_in_e3="not_found")
    basic_error(seat_of(gh, "hubot"), 404)
    gh.github_org(ORG, copilot=False)
    basic_error(seat_of(gh, "mona"), 422)


def test_reads_go_through_the_request_log(gh):
    billing(gh)
    seats(gh)
    seat_of(gh, "mona")
    logged = [(r["method"], r["template"], r["status"]) for r in gh.requests()["entries"]]
    assert logged == [("GET", "/orgs/{org}/copilot/billing", 200), ("GET", "/orgs/{org}/copilot/billing/seats", 200),
                      ("GET", "/orgs/{org}/members/{username}/copilot", 200)]


def test_writes_under_api_v3_and_any_accept(gh):
    resp = call(gh, "POST", f"/orgs/{ORG}/copilot/billing/selected_users", prefix="/api/v3",
                json={"selected_usernames": ["zed"]}, headers={"Accept": "application/vnd.github.v3+json"})
    assert resp.status_code == 201
    assert seats(gh, headers={"Accept": "*/*"}).json()["total_seats"] == 5


@pytest.mark.parametrize("path", [
    "/api/v3/orgs/Acme/copilot/billing/", "/api/v3/orgs/Acme/copilot/billing/seats/",
    "/api/v3/orgs/Acme/nothing", "/api/v3/enterprises/acme-corp/copilot/billing/seats/",
    "/api/v3/enterprises/acme-corp/whatever", "/enterprises/acme-corp/copilot/billing/seats/",
    "/enterprises/x", "/orgs/Acme/memberships/mona/"])
def test_unknown_github_paths_are_github_404s(gh, path):
    assert basic_error(call(gh, "GET", path), 404)["message"] == "Not Found"


def test_datadog_keeps_the_rest_of_api(gh):
    resp = call(gh, "GET", "/api/v2/nothing")
    assert resp.status_code == 404 and "status" not in resp.json()
