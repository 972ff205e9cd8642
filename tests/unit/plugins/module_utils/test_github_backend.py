# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The GitHub backend of the sync engine and the module side, against a fake client that
holds an org's seats in memory (no sockets). Section numbers are those of the Copilot
seats contract (../shared/specs/github-copilot-seats-api.md)."""

from __future__ import annotations

import pytest

from ansible_collections.seatops.seats.plugins.module_utils._github import GithubError
from ansible_collections.seatops.seats.plugins.module_utils._github_seats_backend import (
    GITHUB,
    GithubSeatsBackend,
    holder_person,
    refusal_of_setting,
    seat_state,
)
from ansible_collections.seatops.seats.plugins.module_utils._seat_sync import (
    Person,
    SeatSyncError,
    synchronise,
)

ORG = "acme"


def seat(login, team=None, pending=None, created="2026-01-05T10:00:00Z", active=None):
    return {"login": login, "id": 1, "team": team, "pending_cancellation_date": pending,
            "created_at": created, "last_activity_at": active, "last_activity_editor": None,
            "last_authenticated_at": None, "plan_type": "business"}


class FakeGithub(object):
    """The client calls the backend makes. ``refused``: logins whose presence in a write makes
    GitHub refuse the whole request with a 422 (§10.5, §10.7); ``skipped``: logins a 2xx
    write silently leaves out (its count is short); ``setting_after``: the seat management
    setting E1 answers after that many writes (an owner changed it mid-run)."""

    def __init__(self, seats=(), refused=(), skipped=(), setting="assign_selected", setting_after=None,
                 members=None, fail=None):
        self.seats = dict((s["login"].lower() if s["login"] else "orphan-%d" % n, dict(s))
                          for n, s in enumerate(seats))
        self.refused = set(refused)
        self.skipped = set(skipped)
        self.setting = setting
        self.setting_after = setting_after
        self.members = dict(members or {})
        self.fail = fail
        self.writes = []
        self.billing_reads = 0
        self.seat_reads = 0
        self.membership_reads = []

    def billing(self, org):
        assert org == ORG
        self.billing_reads += 1
        setting = self.setting
        if self.setting_after is not None and self.billing_reads > 1 and len(self.writes) > self.setting_after:
            setting = "assign_all"
        return {"seat_management_setting": setting, "public_code_suggestions": "allow",
                "seat_breakdown": {"total": len(self.seats)}}

    def list_seats(self, org):
        self.seat_reads += 1
        return [dict(s) for s in self.seats.values()]

    def memberships(self, org, logins):
        self.membership_reads.extend(logins)
        return dict((login, self.members.get(login)) for login in logins)

    def _write(self, method, org, logins):
        assert 1 <= len(logins) <= 100
        self.writes.append((method, list(logins)))
        if self.fail is not None:
            raise self.fail
        if self.setting_after is not None and len(self.writes) > self.setting_after:
            raise GithubError("GitHub %s failed (HTTP 422): seat management is assign_all" % method,
                              status=422, detail="seat management is assign_all")
        bad = [login for login in logins if login.lower() in self.refused]
        if bad:
            raise GithubError("GitHub %s failed (HTTP 422): Validation Failed" % method, status=422,
                              detail="Validation Failed")
        count = 0
        for login in logins:
            key = login.lower()
            if key in self.skipped:
                continue
            if method == "POST":
                current = self.seats.get(key)
                if current is None or current["pending_cancellation_date"]:
                    count += 1
                self.seats[key] = seat(login)
            elif key in self.seats and not self.seats[key]["pending_cancellation_date"]:
                self.seats[key]["pending_cancellation_date"] = "2026-12-01"
                count += 1
        return count, False

    def add_users(self, org, logins):
        return self._write("POST", org, logins)

    def remove_users(self, org, logins):
        return self._write("DELETE", org, logins)


def logins(count, prefix="u"):
    return ["%s%03d" % (prefix, n) for n in range(count)]


def person(login):
    return Person(login.lower(), login, login)


def settled(found):
    found = list(found)
    done = [p.key for outcome in found for p in outcome.done]
    failed = dict((p.key, reason) for outcome in found for p, reason in outcome.failed)
    return done, failed


def holder_logins(api):
    return set(key for key, s in api.seats.items() if s["login"] and not s["pending_cancellation_date"])


# -- seat states (§10.1) ---------------------------------------------------------------------

class TestSeatStates(object):
    @pytest.mark.parametrize("item, state", [
        (seat("a"), "direct"), (seat("a", team="devs"), "team"),
        (seat("a", pending="2026-12-01"), "pending_cancellation"),
        (seat("a", team="devs", pending="2026-12-01"), "pending_cancellation"), (seat(None), "orphan"),
        (seat(None, team="devs"), "orphan")])
    def test_every_state(self, item, state):
        assert seat_state(item) == state

    def test_read_holders_classifies(self):
        api = FakeGithub([seat("Mona", active="2026-11-01T00:00:00Z"), seat("Hubot", team="devs"),
                          seat("Gone", pending="2026-12-01"), seat(None), seat(None)])
        backend = GithubSeatsBackend(api, ORG)
        holders = backend.first_read()
        assert sorted(holders) == ["hubot", "mona"]
        assert holders["mona"].keep is None and holders["mona"].active == "2026-11-01T00:00:00Z"
        assert "granted through team devs" in holders["hubot"].keep
        assert list(backend.pending) == ["gone"] and backend.orphans == 2
        assert api.billing_reads == 1 and api.seat_reads == 1

    def test_holder_person_keeps_the_spelling_and_the_dates(self):
        holder = holder_person(seat("MoNa", created="2026-02-01T00:00:00Z", active="2026-03-01T00:00:00Z"))
        assert (holder.key, holder.label, holder.view) == ("mona", "MoNa", "MoNa")
        assert (holder.since, holder.active) == ("2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z")

    def test_a_failed_first_read_says_nothing_changed(self):
        class Broken(FakeGithub):
            def billing(self, org):
                raise GithubError("GitHub GET billing failed (HTTP 404): Not Found.", status=404, detail="Not Found")

        with pytest.raises(GithubError) as caught:
            GithubSeatsBackend(Broken(), ORG).first_read()
        assert str(caught.value) == "GitHub GET billing failed (HTTP 404): Not Found. Nothing was changed"
        assert caught.value.status == 404


# -- check_plan refusals (§10.8) -------------------------------------------------------------

def run(api, desired, **kwargs):
    backend = GithubSeatsBackend(api, ORG, kwargs.pop("confirm_reclaim_all", False))
    holders = backend.first_read()
    kwargs.setdefault("max_reclaims", "100%")
    return synchronise(backend, [person(login) for login in desired], holders, **kwargs), backend


class TestCheckPlan(object):
    @pytest.mark.parametrize("setting", ["assign_all", "unconfigured", "disabled"])
    @pytest.mark.parametrize("check_mode", [True, False])
    def test_a_setting_other_than_assign_selected_refuses_before_any_write(self, setting, check_mode):
        api = FakeGithub([seat("a")], setting=setting)
        with pytest.raises(SeatSyncError) as caught:
            run(api, ["a", "b"], check_mode=check_mode)
        message = str(caught.value)
        assert "GitHub would reject these changes (1 to assign, 0 to reclaim)" in message
        assert "set to %s" % setting in message and "assign_selected" in message
        assert "Nothing was changed" in message and api.writes == []

    def test_an_unset_public_code_policy_refuses(self):
        billing = {"seat_management_setting": "assign_selected", "public_code_suggestions": "unconfigured"}
        assert "public code suggestions policy" in refusal_of_setting(billing, ORG)
        assert refusal_of_setting({"seat_management_setting": "assign_selected",
                                   "public_code_suggestions": "allow"}, ORG) is None

    def test_nothing_to_do_is_fine_whatever_the_setting(self):
        api = FakeGithub([seat("a")], setting="assign_all")
        result, _backend = run(api, ["a"])
        assert result["changed"] is False and api.writes == []

    @pytest.mark.parametrize("check_mode", [True, False])
    def test_reclaiming_the_last_seat_needs_confirmation(self, check_mode):
        api = FakeGithub([seat("a"), seat("b"), seat("c", pending="2026-12-01")])
        with pytest.raises(SeatSyncError) as caught:
            run(api, [], exclusive=True, check_mode=check_mode)
        message = str(caught.value)
        assert "Refusing to reclaim every Copilot seat of acme (2)" in message
        assert "confirm_reclaim_all=true" in message and api.writes == []

    def test_with_confirmation_the_last_seats_go(self):
        api = FakeGithub([seat("a"), seat("b")])
        result, _backend = run(api, [], exclusive=True, confirm_reclaim_all=True)
        assert sorted(result["reclaimed"]) == ["a", "b"] and holder_logins(api) == set()

    def test_a_swap_keeps_a_seat_and_needs_no_confirmation(self):
        api = FakeGithub([seat("a")])
        result, _backend = run(api, ["b"], exclusive=True)
        assert result["reclaimed"] == ["a"] and result["assigned"] == ["b"]

    def test_team_seats_that_stay_need_no_confirmation(self):
        api = FakeGithub([seat("a"), seat("t", team="devs")])
        result, _backend = run(api, [], exclusive=True)
        assert result["reclaimed"] == ["a"]
        assert result["kept_seats"][0]["user"] == "t"
        assert [method for method, _logins in api.writes] == ["DELETE"]


# -- bisection on 422 (§10.5, §10.7, §10.10) -------------------------------------------------

class TestBisection(object):
    def test_one_refused_login_among_eight(self):
        api = FakeGithub(refused=["u005"])
        found = list(GithubSeatsBackend(api, ORG).assign([person(login) for login in logins(8)]))
        done, failed = settled(found)
        assert sorted(done) == ["u000", "u001", "u002", "u003", "u004", "u006", "u007"]
        assert list(failed) == ["u005"] and "GitHub refused this login (HTTP 422" in failed["u005"]
        # 8 (422) -> 4 ok + 4 (422) -> 2 (422) + 2 ok -> 1 ok + 1 (422): 7 writes, and one E1
        # per 422 to tell a changed setting from a refused login.
        assert [len(names) for _method, names in api.writes] == [8, 4, 4, 2, 1, 1, 2]
        assert api.billing_reads == 4
        assert all(outcome.certain for outcome in found)

    @pytest.mark.parametrize("size, refused", [(100, ["u000"]), (100, ["u099"]), (100, ["u010", "u077"]),
                                               (37, ["u001", "u002", "u003"]), (2, ["u000", "u001"])])
    def test_who_fails_is_exactly_who_is_refused(self, size, refused):
        api = FakeGithub(refused=refused)
        done, failed = settled(GithubSeatsBackend(api, ORG).assign([person(login) for login in logins(size)]))
        assert sorted(failed) == sorted(refused)
        assert sorted(done) == sorted(set(logins(size)) - set(refused))
        # A refused login costs at most one write per level of halving (plus the whole batch).
        levels = (size - 1).bit_length()
        assert len(api.writes) <= 1 + 2 * levels * len(refused)

    def test_more_than_a_hundred_go_in_batches_of_a_hundred(self):
        api = FakeGithub()
        done, failed = settled(GithubSeatsBackend(api, ORG).assign([person(login) for login in logins(250)]))
        assert len(done) == 250 and not failed
        assert [len(names) for _method, names in api.writes] == [100, 100, 50]

    def test_the_engine_reports_the_refused_login_and_seats_the_rest(self):
        api = FakeGithub(refused=["u002"])
        result, _backend = run(api, logins(5))
        assert result["assigned"] == ["u000", "u001", "u003", "u004"]
        assert [item["user"] for item in result["failed_users"]] == ["u002"]
        assert holder_logins(api) == {"u000", "u001", "u003", "u004"}

    def test_a_setting_changed_mid_run_stops_every_write(self):
        # 250 to assign: the first write goes through, then an owner switches to assign_all.
        api = FakeGithub(setting_after=1)
        result, _backend = run(api, logins(250))
        assert len(api.writes) == 2  # the second write's 422 reads E1, which says why: stop
        assert len(result["assigned"]) == 100
        failed = dict((item["user"], item["reason"]) for item in result["failed_users"])
        assert len(failed) == 150
        assert "seat management set to assign_all" in failed["u100"]
        assert "HTTP 422" in failed["u100"]

    def test_a_setting_changed_before_reclaims_stops_the_assigns_too(self):
        api = FakeGithub([seat("old")], setting_after=0)
        result, _backend = run(api, ["new"], exclusive=True)
        assert [method for method, _names in api.writes] == ["DELETE"]
        failed = dict((item["user"], item["reason"]) for item in result["failed_users"])
        assert failed["new"].startswith("not attempted: organization acme has Copilot seat management set "
                                        "to assign_all")
        assert "old" in failed and result["changed"] is False


# -- a short count is uncertain (§10.2, §10.7) -----------------------------------------------

class TestShortCount(object):
    def test_the_outcome_is_uncertain_and_nobody_is_confirmed(self):
        api = FakeGithub(skipped=["u001"])
        [outcome] = GithubSeatsBackend(api, ORG).assign([person(login) for login in logins(3)])
        assert outcome.certain is False and outcome.done == [] and outcome.failed == []

    def test_the_engine_rereads_and_reports_what_the_seats_show(self):
        api = FakeGithub(skipped=["u001"])
        result, _backend = run(api, logins(3))
        assert api.seat_reads == 2
        assert result["assigned"] == ["u000", "u002"]
        assert [item["user"] for item in result["failed_users"]] == ["u001"]
        assert result["holders_count"] == 2

    def test_a_retried_write_with_a_short_count_is_decided_by_the_reread(self):
        # A 502 then a 201 counting 2 of 3: no name is confirmed, the seats read again decide.
        class RetriedShort(FakeGithub):
            def _write(self, method, org, logins):
                count, _retried = FakeGithub._write(self, method, org, logins)
                return count, True

        api = RetriedShort(skipped=["u001"])
        result, _backend = run(api, logins(3))
        assert api.seat_reads == 2
        assert result["assigned"] == ["u000", "u002"]
        assert [item["user"] for item in result["failed_users"]] == ["u001"]

    def test_a_full_count_is_certain(self):
        api = FakeGithub()
        [outcome] = GithubSeatsBackend(api, ORG).assign([person(login) for login in logins(3)])
        assert outcome.certain and len(outcome.done) == 3

    def test_a_missing_count_is_trusted_as_done(self):
        class NoCount(FakeGithub):
            def _write(self, method, org, logins):
                FakeGithub._write(self, method, org, logins)
                return None, False

        [outcome] = GithubSeatsBackend(NoCount(), ORG).assign([person("a")])
        assert outcome.certain and [p.key for p in outcome.done] == ["a"]


# -- other failures --------------------------------------------------------------------------

class TestWriteFailures(object):
    @pytest.mark.parametrize("status, retried", [(401, False), (404, False), (403, False)])
    def test_a_token_that_cannot_write_stops(self, status, retried):
        api = FakeGithub(fail=GithubError("HTTP %d" % status, status=status, detail="x", retried=retried))
        with pytest.raises(GithubError):
            list(GithubSeatsBackend(api, ORG).assign([person("a")]))

    def test_a_rate_limited_403_after_retries_is_uncertain(self):
        api = FakeGithub(fail=GithubError("HTTP 403", status=403, detail="secondary rate limit", retried=True))
        [outcome] = GithubSeatsBackend(api, ORG).assign([person("a")])
        assert not outcome.certain and outcome.failed[0][1] == "HTTP 403: secondary rate limit"

    def test_a_5xx_is_uncertain(self):
        api = FakeGithub(fail=GithubError("HTTP 502", status=502, detail="Bad Gateway", retried=True))
        [outcome] = GithubSeatsBackend(api, ORG).reclaim([person("a")])
        assert not outcome.certain

    def test_no_response_is_uncertain(self):
        api = FakeGithub(fail=GithubError("could not reach the server", status=None))
        [outcome] = GithubSeatsBackend(api, ORG).reclaim([person("a")])
        assert not outcome.certain and outcome.failed[0][1] == "could not reach the server"

    def test_a_400_is_certain(self):
        api = FakeGithub(fail=GithubError("HTTP 400", status=400, detail="Problems parsing JSON"))
        [outcome] = GithubSeatsBackend(api, ORG).assign([person("a")])
        assert outcome.certain and outcome.failed[0][1] == "HTTP 400: Problems parsing JSON"


# -- the module side -------------------------------------------------------------------------

def params(**overrides):
    values = {"state": "present", "team_granted_users": "fail", "organization": ORG,
              "confirm_reclaim_all": False}
    values.update(overrides)
    return values


class TestResolve(object):
    def resolve(self, api, users, **overrides):
        backend = GithubSeatsBackend(api, ORG)
        holders = backend.first_read()
        names = dict((login.lower(), login) for login in users)
        return GITHUB.resolve(backend, holders, names, [], params(**overrides)), backend

    def test_holders_need_no_membership_read(self):
        api = FakeGithub([seat("Mona"), seat("hubot", team="devs")])
        resolution, _backend = self.resolve(api, ["mona", "Hubot"])
        assert api.membership_reads == []
        assert sorted(p.key for p in resolution.desired) == ["hubot", "mona"]

    def test_others_are_checked_for_membership(self):
        api = FakeGithub([seat("Gone", pending="2026-12-01")],
                         members={"new": "active", "gone": "active", "invited": "pending"})
        resolution, _backend = self.resolve(api, ["New", "gone", "invited", "stranger"])
        assert sorted(api.membership_reads) == ["gone", "invited", "new", "stranger"]
        desired = dict((p.key, p) for p in resolution.desired)
        assert sorted(desired) == ["gone", "new"]
        # Writes send the spelling the user gave (§10.11); a pending seat is labelled as GitHub spells it.
        assert (desired["gone"].label, desired["gone"].view) == ("Gone", "gone")
        assert (desired["new"].label, desired["new"].view) == ("New", "New")
        reasons = dict((item["user"], item["reason"]) for item in resolution.unknown)
        assert "has not yet accepted the invitation" in reasons["invited"]
        assert "is not a member of organization acme" in reasons["stranger"]

    def test_absent_refuses_team_seats_by_default(self):
        api = FakeGithub([seat("a"), seat("t", team="devs")])
        with pytest.raises(GithubError, match="cannot reclaim seats granted through a team.*t: granted"):
            self.resolve(api, ["a", "t"], state="absent")
        assert api.writes == [] and api.membership_reads == []

    def test_absent_with_warn_skips_team_seats(self):
        api = FakeGithub([seat("a"), seat("t", team="devs"), seat("p", pending="2026-12-01")])
        resolution, _backend = self.resolve(api, ["a", "t", "p", "nobody"], state="absent",
                                            team_granted_users="warn")
        assert [p.key for p in resolution.desired] == ["a"]
        assert [item["user"] for item in resolution.refused] == ["t"]
        assert api.membership_reads == []

    def test_shape_result(self):
        api = FakeGithub([seat("a"), seat("Gone", pending="2026-12-01"), seat("Back", pending="2026-12-01"),
                          seat(None)])
        backend = GithubSeatsBackend(api, ORG)
        backend.first_read()
        result = {"assigned": ["back"]}
        GITHUB.shape_result(result, backend)
        assert result["pending_cancellation"] == [{"user": "Gone", "pending_cancellation_date": "2026-12-01"}]
        assert result["orphan_seats"] == 1 and result["organization"] == ORG
        assert result["seat_management_setting"] == "assign_selected"


class TestEndToEnd(object):
    def test_team_seats_and_pending_seats_in_an_exclusive_run(self):
        api = FakeGithub([seat("keep"), seat("leaver"), seat("t", team="devs"), seat("p", pending="2026-12-01"),
                          seat(None)])
        result, backend = run(api, ["keep", "p", "new"], exclusive=True)
        assert result["reclaimed"] == ["leaver"]
        assert sorted(result["assigned"]) == ["new", "p"]
        assert result["kept_seats"] == [{"user": "t", "reason": backend.seats and result["kept_seats"][0]["reason"]}]
        assert "granted through team devs" in result["kept_seats"][0]["reason"]
        assert holder_logins(api) == {"keep", "new", "p", "t"}
        # Pending seats are not holders: p counted as an assignment, not as unchanged.
        assert result["unchanged"] == 1
