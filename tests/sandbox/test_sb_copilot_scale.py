"""GitHub Copilot: a generated 50,000-seat org loads and pages (seatops_sandbox.generate)."""

import re
import time

from copilot_helpers import call
from seatops_sandbox import generate


def test_generated_50000_seat_org(sb):
    data = generate.generate(seed=7, dd_users=10, dd_holders=5, ms_users=5, ms_seats=2, gh_members=50_500,
                             gh_seats=50_000)
    assert generate.generate(seed=7, dd_users=10, dd_holders=5, ms_users=5, ms_seats=2, gh_members=50_500,
                             gh_seats=50_000) == data          # deterministic
    started = time.monotonic()
    assert sb.seed(data)["loaded"]["github"] == {"orgs": 1, "tokens": 1, "seats": 50_000}
    assert time.monotonic() - started < 60
    creds = data["generated"]["credentials"]["github"]
    path = f"/orgs/{creds['org']}/copilot/billing/seats"
    first = call(sb, "GET", path, token=creds["token"], params={"per_page": 100})
    assert first.json()["total_seats"] == 50_000
    assert re.search(r'page=500>; rel="last"', first.headers["Link"])
    last = call(sb, "GET", path, token=creds["token"], params={"per_page": 100, "page": 500})
    assert len(last.json()["seats"]) == 100 and 'rel="next"' not in last.headers["Link"]
    billing = call(sb, "GET", f"/orgs/{creds['org']}/copilot/billing", token=creds["token"]).json()
    assert billing["seat_breakdown"]["total"] == 50_000


def test_generate_without_github_has_no_github_section():
    assert "github" not in generate.generate(seed=1, dd_users=5, ms_users=5)


def test_generated_token_can_check_memberships(sb):
    data = generate.generate(seed=3, dd_users=5, ms_users=5, ms_seats=2, gh_members=20, gh_seats=5)
    sb.seed(data)
    creds = data["generated"]["credentials"]["github"]
    member = data["github"]["orgs"][0]["members"][0]
    resp = call(sb, "GET", f"/orgs/{creds['org']}/memberships/{member}", token=creds["token"])
    assert resp.status_code == 200 and resp.json()["state"] == "active"
    owner = call(sb, "GET", f"/orgs/{creds['org']}/memberships/{creds['owner']}", token=creds["token"]).json()
    assert owner["role"] == "admin"
