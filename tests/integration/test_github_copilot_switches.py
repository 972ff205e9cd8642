# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""github_copilot_seats under every answer the contract leaves open
(../shared/specs/github-copilot-seats-api.md §7, §10, §14): each ``github_*`` switch of
``/_sandbox/config`` picks one plausible real behaviour, and the module must be right under
each. Rate limits and authentication are in test_github_copilot_limits.py."""

from __future__ import annotations

import time

import pytest

from test_github_copilot_seats import (  # noqa: F401  pylint: disable=unused-import
    E1, E2, ORG, PENDING_DATE, config_defaults, failed, gh, info_task, logins, ok,
    recorder, registered, run, seats_task, seed)

E3 = "GET /orgs/{org}/members/{username}/copilot"


@pytest.mark.parametrize("reused", [False, True])
def test_count_reused_does_not_change_outcomes(gh, run_playbook, reused):
    """E4's count for an already-active seat is 0 or 1 (§10.2). The module never sends a
    holder, so both readings give the same run: one E4 of the two non-holders, one read."""
    gh.reseed(github_count_reused=reused)
    result = run(gh, run_playbook, [seats_task("assign", users=["mona", "rex", "hubot"])])
    done = ok(result, "assign")
    assert sorted(done["assigned"]) == ["hubot", "rex"] and done["unchanged"] == 1
    assert [sorted(body) for body in gh.recorder.seat_writes("POST")] == [["hubot", "rex"]]
    assert done["api_calls"][E2] == 1          # counts matched: no re-read
    assert "rex" in gh.active() and "hubot" in gh.active()


def both_sources(gh):
    """mona joins the selected team platform: her seat now rests on a direct assignment and
    the team; with github_both_sources=direct, E2 shows it as direct."""
    gh.sandbox.github_team(ORG, "platform", add=["mona"])
    seat = gh.seats()["mona"]
    assert seat["direct"] and seat["team"] == "platform"
    gh.clear()


def test_mixed_team_cancel_reject_reports_exactly_that_user(gh, run_playbook):
    gh.reseed(github_both_sources="direct", github_mixed_team_cancel="reject")
    both_sources(gh)
    result = run(gh, run_playbook, [seats_task("reclaim", state="absent", users=["mona", "lena", "kai"])])
    refused = failed(result, "reclaim")
    assert sorted(refused["reclaimed"]) == ["kai", "lena"]
    assert [item["user"] for item in refused["failed_users"]] == ["mona"]
    assert "HTTP 422" in refused["failed_users"][0]["reason"]
    assert "via a team" in refused["failed_users"][0]["reason"]
    assert refused["msg"].startswith("1 seat change(s) on acme failed, 2 succeeded")
    # The 422 is split in halves until mona is alone: [kai, lena, mona] -> [kai, lena] + [mona].
    assert gh.recorder.seat_writes("DELETE") == [["kai", "lena", "mona"], ["kai", "lena"], ["mona"]]
    assert [call["status"] for call in gh.recorder.of("DELETE", "/selected_users")] == [422, 200, 422]
    assert gh.pending() == ["hubot", "kai", "lena"]
    assert gh.seats()["mona"]["pending_cancellation_date"] is None


def test_mixed_team_cancel_skip_team_seats_is_not_reported_reclaimed(gh, run_playbook):
    gh.reseed(github_both_sources="direct", github_mixed_team_cancel="skip_team_seats")
    both_sources(gh)
    result = run(gh, run_playbook, [seats_task("reclaim", state="absent", users=["mona", "lena"])])
    outcome = failed(result, "reclaim")
    # GitHub answered 200 {"seats_cancelled": 1} for two names: the module read the seats
    # again, saw mona's seat still active, and says so instead of reporting her reclaimed.
    assert outcome["reclaimed"] == ["lena"]
    assert [item["user"] for item in outcome["failed_users"]] == ["mona"]
    assert outcome["failed_users"][0]["reason"] == "still seated after the call"
    assert gh.recorder.seat_writes("DELETE") == [["lena", "mona"]]
    assert outcome["api_calls"][E2] == 2
    assert gh.seats()["mona"]["pending_cancellation_date"] is None
    assert gh.pending() == ["hubot", "lena"]


@pytest.mark.parametrize("mode", ["ignore", "reject"])
def test_cancel_without_seat_never_matters(gh, run_playbook, mode):
    gh.reseed(github_cancel_without_seat=mode)
    result = run(gh, run_playbook, [seats_task("reclaim", state="absent", users=["pia", "hubot", "mona"])])
    done = ok(result, "reclaim")
    assert done["reclaimed"] == ["mona"] and done["unchanged"] == 2
    assert gh.recorder.seat_writes("DELETE") == [["mona"]]
    assert [call["status"] for call in gh.recorder.of("DELETE", "/selected_users")] == [200]


def test_batch_limit_30_assigns_70_by_halves(gh, run_playbook):
    names = ["n%02d" % number for number in range(1, 71)]
    data = seed(members=["mona", "Zed", "lena", "kai", "nia", "bot", "hubot", "tina", "tom", "sam"] + names)
    gh.reseed(data, github_batch_limit=30)
    result = run(gh, run_playbook, [seats_task("assign", users=names)])
    done = ok(result, "assign")
    assert sorted(done["assigned"]) == names and done["failed_users"] == []
    bodies = gh.recorder.seat_writes("POST")
    statuses = [call["status"] for call in gh.recorder.of("POST", "/selected_users")]
    assert [len(body) for body in bodies] == [70, 35, 18, 17, 35, 18, 17]
    assert statuses == [422, 422, 201, 201, 422, 201, 201]
    assert sorted(name for body, status in zip(bodies, statuses) if status == 201 for name in body) == names
    assert all(name in gh.active() for name in names)


@pytest.mark.parametrize("mode", ["reject", "accept"])
def test_empty_list_is_never_sent(gh, run_playbook, mode):
    gh.reseed(github_empty_list=mode)
    result = run(gh, run_playbook, [
        seats_task("nothing", users=["mona"]),
        seats_task("reclaim only", users=["mona", "zed", "lena", "kai", "nia", "tina", "tom", "sam"],
                   exclusive=True, protected=["bot"]),
        seats_task("assign only", users=["rex"]),
    ])
    assert ok(result, "nothing")["changed"] is False
    assert ok(result, "reclaim only")["reclaimed"] == []
    assert ok(result, "assign only")["assigned"] == ["rex"]
    assert gh.recorder.seat_writes("POST") == [["rex"]]
    assert gh.recorder.seat_writes("DELETE") == []


@pytest.mark.parametrize("mode", ["seat", "not_found"])
def test_pending_in_e3_is_not_used(gh, run_playbook, mode):
    gh.reseed(github_pending_in_e3=mode)
    result = run(gh, run_playbook, [seats_task("absent", state="absent", users=["hubot"]),
                                    info_task("info", users=["hubot"])])
    assert ok(result, "absent")["pending_cancellation"] == [
        {"user": "hubot", "pending_cancellation_date": PENDING_DATE}]
    assert ok(result, "info")["not_holding"] == ["hubot"]
    assert E3 not in gh.counts()


@pytest.mark.parametrize("mode", ["counted", "not_counted"])
def test_orphans_in_total_either_way(gh, run_playbook, mode):
    gh.reseed(github_orphans_in_total=mode)
    result = run(gh, run_playbook, [seats_task("sync", users=["mona"]), info_task("info")])
    done = ok(result, "sync")
    assert done["orphan_seats"] == 1
    assert not [w for w in done.get("warnings", []) if "total_seats" in w]
    info = ok(result, "info")
    assert [seat["state"] for seat in info["organizations"]["acme"]["seats"]].count("orphan") == 1
    assert info["organizations"]["acme"]["seat_breakdown"]["total"] == (11 if mode == "counted" else 10)
    assert not [w for w in info.get("warnings", []) if "total_seats" in w]
    assert gh.seats()[None]["pending_cancellation_date"] is None


def test_enterprise_team_seats_listed_or_hidden(gh, run_playbook):
    task = seats_task("sync", users=["mona", "zed", "lena", "kai", "nia", "tina", "tom"], exclusive=True,
                      protected=["bot"], check_mode=True)
    listed = run(gh, run_playbook, [task, info_task("info")])
    assert logins(ok(listed, "sync")["kept_seats"]) == ["sam"]
    assert "sam" in [seat["login"] for seat in ok(listed, "info")["organizations"]["acme"]["seats"]]
    gh.reseed(github_enterprise_seats="hidden")
    hidden = run(gh, run_playbook, [task, info_task("info")])
    # GitHub does not show the seat in the org's list: the module neither sees nor touches it.
    assert ok(hidden, "sync")["kept_seats"] == [] and ok(hidden, "sync")["changed"] is False
    assert ok(hidden, "sync")["holders_count"] == 8
    assert "sam" not in [seat["login"] for seat in ok(hidden, "info")["organizations"]["acme"]["seats"]]
    assert gh.writes() == (0, 0)
    assert gh.seats()["sam"]["pending_cancellation_date"] is None


@pytest.mark.parametrize("mode", ["pending", "remove", "keep"])
def test_team_leave(gh, run_playbook, mode):
    gh.reseed(github_team_leave=mode)
    gh.sandbox.github_team(ORG, "platform", remove=["tom"])
    gh.clear()
    result = run(gh, run_playbook, [
        info_task("info", users=["tom"]),
        seats_task("sync", users=["mona", "zed", "lena", "kai", "nia", "tina", "sam"], exclusive=True,
                   protected=["bot"], check_mode=True),
        seats_task("give back", users=["tom"]),
    ])
    seats = ok(result, "info")["organizations"]["acme"]["seats"]
    sync = ok(result, "sync")
    give = ok(result, "give back")
    if mode == "pending":
        assert [(seat["state"], seat["team"]) for seat in seats] == [("pending_cancellation", "platform")]
        assert sync["kept_seats"] == [] and sync["reclaimed"] == []
        assert {"user": "tom", "pending_cancellation_date": PENDING_DATE} in sync["pending_cancellation"]
        assert give["assigned"] == ["tom"]          # a direct assignment revokes the cancellation
        assert gh.seats()["tom"]["pending_cancellation_date"] is None
    elif mode == "remove":
        assert seats == [] and ok(result, "info")["not_holding"] == ["tom"]
        assert sync["kept_seats"] == []
        assert give["assigned"] == ["tom"]
        assert gh.seats()["tom"]["team"] is None
    else:
        assert [(seat["state"], seat["team"]) for seat in seats] == [("team", "platform")]
        assert [item["user"] for item in sync["kept_seats"]] == ["tom"]
        assert give["changed"] is False and give["unchanged"] == 1
    assert gh.recorder.seat_writes("POST") == ([] if mode == "keep" else [["tom"]])
    assert gh.recorder.seat_writes("DELETE") == []


@pytest.mark.parametrize("status", ["404", "422"])
def test_no_copilot_read_fails_clearly(gh, run_playbook, status):
    gh.reseed(github_no_copilot_read=status)
    gh.sandbox.github_org(ORG, copilot=False)
    result = run(gh, run_playbook, [seats_task("seats", users=["mona"]), info_task("info")])
    seats = failed(result, "seats")
    info = failed(result, "info")
    assert seats["msg"].startswith("GitHub %s for organization acme failed (HTTP %s)" % (E1, status))
    assert seats["msg"].endswith("Nothing was changed")
    assert info["msg"].endswith("(github_copilot_seats_info only reads: nothing was changed)")
    if status == "404":
        for text in (seats["msg"], info["msg"]):
            assert "an organization that does not exist, one without Copilot Business, a token without the " \
                   "right scope and a caller who is not an organization owner" in text
    else:
        for text in (seats["msg"], info["msg"]):
            assert "Copilot Business is not enabled for this organization." in text
            assert "seat management must be 'selected members'" in text
    assert seats["api_calls"] == {E1: 1, "total": 1}
    assert gh.writes() == (0, 0)


def test_write_delay_rerun_right_after_apply(gh, run_playbook):
    """Writes invisible to reads for 30 s (§10.12): the run that writes reports what it
    asked for; a re-run inside the window reads the old seats and sends the same E4 again,
    which GitHub takes as a no-op."""
    gh.reseed(github_write_delay=30)
    started = time.monotonic()
    result = run(gh, run_playbook, [
        seats_task("apply", users=["rex", "mona"]),
        seats_task("rerun", users=["rex", "mona"]),
        seats_task("reclaim", users=["lena"], state="absent"),
        seats_task("reclaim rerun", users=["lena"], state="absent"),
    ])
    assert time.monotonic() - started < 30, "the test relies on running inside the delay window"
    apply = ok(result, "apply")
    assert apply["assigned"] == ["rex"]
    rerun = registered(result, "rerun")
    assert not rerun.get("failed"), rerun.get("msg")
    # What it reports: the E4 it sent, as asked for (GitHub counted 0: the seat was already
    # there), with a warning that the seat list read again did not show it yet.
    assert rerun["assigned"] == ["rex"] and rerun["changed"] is True and rerun["failed_users"] == []
    assert [w for w in rerun["warnings"] if "rex" in w and "counted fewer than were sent" in w]
    assert rerun["api_calls"][E2] == 2
    assert ok(result, "reclaim")["reclaimed"] == ["lena"]
    again = ok(result, "reclaim rerun")
    assert again["reclaimed"] == ["lena"]
    assert [w for w in again["warnings"] if "lena" in w and "shows no change at all" in w]
    assert not ok(result, "apply").get("warnings")
    assert gh.recorder.seat_writes("POST") == [["rex"], ["rex"]]
    assert gh.recorder.seat_writes("DELETE") == [["lena"], ["lena"]]
    assert [event["action"] for event in gh.events() if event["login"] == "rex"] == [
        "cfb_seat_assignment_created", "cfb_seat_added", "cfb_seat_assignment_reused"]
    assert "rex" in gh.active() and "lena" in gh.pending()


@pytest.mark.parametrize("mode", ["403", "allow"])
def test_headers_sent_whatever_missing_user_agent_does(gh, run_playbook, mode):
    gh.reseed(github_missing_user_agent=mode)
    result = run(gh, run_playbook, [seats_task("assign", users=["rex"])])
    assert ok(result, "assign")["assigned"] == ["rex"]
    for call in gh.recorder.calls:
        headers = call["headers"]
        assert headers["user-agent"] == "seatops.seats-ansible-collection"
        assert headers["x-github-api-version"] == "2022-11-28"
        assert headers["accept"] == "application/vnd.github+json"
    [post] = gh.recorder.of("POST", "/selected_users")
    assert post["headers"]["content-type"] == "application/json"
