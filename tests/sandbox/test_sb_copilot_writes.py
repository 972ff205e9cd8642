"""GitHub Copilot E4-E7 (writes), seat sources, the billing clock and their switches."""

import pytest

from copilot_helpers import (ORG, NEXT_CYCLE, NOW, add_teams, add_users, all_seats, basic_error, call, remove_teams,
                             remove_users, seat_of, state_seats)


def events(sb):
    return [(e["action"], e["login"]) for e in sb.state()["github"]["orgs"][ORG]["events"]]


# -- E4 ---------------------------------------------------------------------------------------

def test_e4_creates_a_seat_now(gh):
    resp = add_users(gh, ["zed"])
    assert resp.status_code == 201 and resp.json() == {"seats_created": 1}
    seat = all_seats(gh)["Zed"]
    assert seat["created_at"] == NOW and seat["pending_cancellation_date"] is None and "assigning_team" not in seat
    assert events(gh) == [("cfb_seat_assignment_created", "zed"), ("cfb_seat_added", "zed")]


def test_e4_active_seat_is_reused_and_counted_only_by_switch(gh):
    assert add_users(gh, ["mona"]).json() == {"seats_created": 0}
    assert all_seats(gh)["mona"]["created_at"] == "2025-01-06T10:00:00Z"
    gh.config(github_count_reused=True)
    assert add_users(gh, ["mona"]).json() == {"seats_created": 1}
    assert events(gh) == [("cfb_seat_assignment_reused", "mona")] * 2


def test_e4_pending_seat_is_refreshed(gh):
    assert add_users(gh, ["hubot"]).json() == {"seats_created": 1}
    seat = all_seats(gh)["hubot"]
    assert seat["pending_cancellation_date"] is None and seat["created_at"] == NOW
    assert events(gh) == [("cfb_seat_assignment_refreshed", "hubot")]


def test_e4_dedupes_case_insensitively(gh):
    assert add_users(gh, ["zed", "ZED", "Zed"]).json() == {"seats_created": 1}


def test_e4_non_members_refuse_the_whole_request_or_are_skipped(gh):
    body = basic_error(add_users(gh, ["zed", "ghost", "newhire"]), 422)
    assert "ghost" in body["message"] and "newhire" in body["message"]
    assert "Zed" not in all_seats(gh)
    gh.config(github_non_member="skip")
    assert add_users(gh, ["zed", "ghost", "newhire"]).json() == {"seats_created": 1}


def test_e4_team_granted_user_gains_a_direct_source(gh):
    assert add_users(gh, ["tina"]).json() == {"seats_created": 0}
    assert state_seats(gh)["tina"]["direct"] is True
    assert all_seats(gh)["tina"]["assigning_team"]["slug"] == "platform"
    gh.config(github_both_sources="direct")
    assert "assigning_team" not in all_seats(gh)["tina"]
    # deselecting the team leaves the direct assignment: the seat stays active
    gh.config(github_both_sources="team")
    assert remove_teams(gh, ["platform"]).json() == {"seats_cancelled": 1}      # tom only
    seats = all_seats(gh)
    assert seats["tina"]["pending_cancellation_date"] is None and "assigning_team" not in seats["tina"]
    assert seats["tom"]["pending_cancellation_date"] == NEXT_CYCLE


@pytest.mark.parametrize("changes, words", [
    ({"seat_management_setting": "assign_all"}, "assign_all"),
    ({"seat_management_setting": "unconfigured"}, "unconfigured"),
    ({"seat_management_setting": "disabled"}, "disabled"),
    ({"public_code_suggestions": "unconfigured"}, "public code"),
    ({"copilot": False}, "not enabled"),
    ({"payment_problem": True}, "payment"),
])
def test_writes_refused_unless_assign_selected_and_set_up(gh, changes, words):
    gh.github_org(ORG, **changes)
    for resp in (add_users(gh, ["zed"]), remove_users(gh, ["mona"]), add_teams(gh, ["sre"]),
                 remove_teams(gh, ["platform"])):
        assert words in basic_error(resp, 422)["message"]
    assert "Zed" not in state_seats(gh)


def test_body_errors(gh):
    path = f"/orgs/{ORG}/copilot/billing/selected_users"
    assert basic_error(call(gh, "POST", path, data="{nope"), 400)["message"] == "Problems parsing JSON"
    assert basic_error(call(gh, "POST", path, json=["zed"]), 400)["message"] == "Body should be a JSON object"
    basic_error(call(gh, "POST", path, json={}), 422)
    basic_error(call(gh, "POST", path, json={"selected_usernames": "zed"}), 422)
    basic_error(call(gh, "DELETE", path, json={"selected_usernames": [1]}), 422)
    basic_error(add_users(gh, []), 422)
    gh.config(github_empty_list="accept")
    assert add_users(gh, []).json() == {"seats_created": 0}


def test_batch_limit_switch(gh):
    gh.config(github_batch_limit=2)
    assert basic_error(add_users(gh, ["zed", "mona", "tom"]), 422)["message"] == "Validation Failed"
    assert add_users(gh, ["zed", "mona"]).status_code == 201


# -- E5 ---------------------------------------------------------------------------------------

def test_e5_sets_pending_until_the_cycle_ends(gh):
    resp = remove_users(gh, ["mona"])
    assert resp.status_code == 200 and resp.json() == {"seats_cancelled": 1}
    assert all_seats(gh)["mona"]["pending_cancellation_date"] == NEXT_CYCLE
    assert seat_of(gh, "mona").status_code == 200
    assert gh.github_clock(now="2025-03-31T23:59:59Z")["ended_seats"] == 0
    assert "mona" in all_seats(gh)
    assert gh.github_clock(advance_seconds=1) == {"now": "2025-04-01T00:00:00Z", "ended_seats": 2}
    assert set(all_seats(gh)) == {"tina", "tom"}
    basic_error(seat_of(gh, "mona"), 404)
    assert ("cfb_seat_cancelled", "mona") in events(gh)


def test_e5_ignores_users_without_seat_or_pending(gh):
    assert remove_users(gh, ["zed", "hubot", "ghost", "mona"]).json() == {"seats_cancelled": 1}
    gh.config(github_cancel_without_seat="reject")
    basic_error(remove_users(gh, ["zed"]), 422)


def test_e5_team_granted_refuses_the_whole_request(gh):
    body = basic_error(remove_users(gh, ["mona", "tina"]), 422)
    assert "via a team" in body["message"] and "tina" in body["message"]
    assert all_seats(gh)["mona"]["pending_cancellation_date"] is None
    gh.config(github_mixed_team_cancel="skip_team_seats")
    assert remove_users(gh, ["mona", "tina"]).json() == {"seats_cancelled": 1}
    assert all_seats(gh)["tina"]["pending_cancellation_date"] is None


def test_e5_enterprise_team_seat_is_team_granted(sb):
    from copilot_helpers import copilot_seed
    seed = copilot_seed()
    seed["github"]["orgs"][0]["teams"][2]["selected"] = True
    sb.seed(seed)
    basic_error(remove_users(sb, ["sam"]), 422)


# -- E6 / E7 ----------------------------------------------------------------------------------

def test_e6_grants_every_member_by_slug_or_name(gh):
    resp = add_teams(gh, ["SRE team"])             # the name, another case
    assert resp.status_code == 201 and resp.json() == {"seats_created": 1}      # sam; tom already has one
    seats = all_seats(gh)
    assert seats["sam"]["assigning_team"]["slug"] == "sre"
    assert seats["tom"]["assigning_team"]["slug"] == "platform"
    assert gh.state()["github"]["orgs"][ORG]["teams"]["sre"]["selected"] is True


def test_e6_refreshes_pending_team_seats(gh):
    remove_teams(gh, ["platform"])
    assert add_teams(gh, ["platform"]).json() == {"seats_created": 2}
    assert all_seats(gh)["tina"]["pending_cancellation_date"] is None


def test_e6_e7_unknown_team(gh):
    basic_error(add_teams(gh, ["sre", "nope"]), 422)
    assert "sam" not in all_seats(gh)
    basic_error(remove_teams(gh, ["nope"]), 422)
    gh.config(github_unknown_team="skip")
    assert add_teams(gh, ["sre", "nope"]).json() == {"seats_created": 1}


def test_e7_keeps_seats_another_selected_team_covers(gh):
    add_teams(gh, ["sre"])
    resp = remove_teams(gh, ["platform"])
    assert resp.status_code == 200 and resp.json() == {"seats_cancelled": 1}       # tina
    seats = all_seats(gh)
    assert seats["tina"]["pending_cancellation_date"] == NEXT_CYCLE
    assert seats["tina"]["assigning_team"]["slug"] == "platform"                   # team-granted, pending
    assert seats["tom"]["pending_cancellation_date"] is None
    assert seats["tom"]["assigning_team"]["slug"] == "sre"


# -- team membership (fixture API) ---------------------------------------------------------

def test_joining_a_selected_team_grants_a_seat(gh):
    gh.github_team(ORG, "platform", add=["zed"])
    assert all_seats(gh)["Zed"]["assigning_team"]["slug"] == "platform"


@pytest.mark.parametrize("mode, expect", [("pending", NEXT_CYCLE), ("remove", "gone"), ("keep", None)])
def test_leaving_a_team_follows_the_switch(gh, mode, expect):
    gh.config(github_team_leave=mode)
    gh.github_team(ORG, "platform", remove=["tina"])
    seats = all_seats(gh)
    if expect == "gone":
        assert "tina" not in seats
    else:
        assert seats["tina"]["pending_cancellation_date"] == expect


def test_leaving_a_team_keeps_a_seat_still_covered(gh):
    add_users(gh, ["tina"])
    gh.github_team(ORG, "platform", remove=["tina"])
    seat = all_seats(gh)["tina"]
    assert seat["pending_cancellation_date"] is None and "assigning_team" not in seat


# -- clock ------------------------------------------------------------------------------------

def test_clock_admin_errors_and_real_time(gh):
    from seatops_sandbox.testing import SandboxError
    with pytest.raises(SandboxError, match='"field":"now"'):
        gh.github_clock(now="yesterday")
    with pytest.raises(SandboxError, match="advance_days"):
        gh.github_clock(advance_days=-1)
    assert gh.github_clock(real=True)["now"] > "2025"
    assert gh.state()["github"]["clock"] is None


def test_cycle_day_sets_the_pending_date(sb):
    from copilot_helpers import copilot_seed
    sb.seed(copilot_seed(cycle_day=20))
    remove_users(sb, ["mona"])
    assert all_seats(sb)["mona"]["pending_cancellation_date"] == "2025-03-20"
    assert sb.state()["github"]["orgs"][ORG]["cycle_start"] == "2025-02-20"


def test_writes_go_through_the_request_log_and_faults(gh):
    gh.faults([{"path": "/orgs/{org}/copilot/billing/selected_users", "status": 500, "count": 1}])
    basic_error(add_users(gh, ["zed"]), 500)
    assert add_users(gh, ["zed"]).status_code == 201
    logged = [(r["template"], r["status"]) for r in gh.requests()["entries"]]
    assert logged == [("/orgs/{org}/copilot/billing/selected_users", 500)] * 1 + \
        [("/orgs/{org}/copilot/billing/selected_users", 201)]


def test_write_delay_hides_writes_from_reads(gh):
    import time
    from copilot_helpers import billing
    gh.config(github_write_delay=1)
    assert add_users(gh, ["zed"]).json() == {"seats_created": 1}
    assert remove_users(gh, ["mona"]).json() == {"seats_cancelled": 1}
    assert "Zed" not in all_seats(gh) and all_seats(gh)["mona"]["pending_cancellation_date"] is None
    basic_error(seat_of(gh, "zed"), 404)
    assert billing(gh).json()["seat_breakdown"]["total"] == 4
    assert "zed" in state_seats(gh) or "Zed" in state_seats(gh)       # the state itself has it
    time.sleep(1.2)
    assert "Zed" in all_seats(gh) and all_seats(gh)["mona"]["pending_cancellation_date"] == NEXT_CYCLE
    assert seat_of(gh, "zed").status_code == 200
