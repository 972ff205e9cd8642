# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The sync engine, platform-free: properties of the plan, the guard, and synchronise()
driven by a fake backend that records every write."""

from __future__ import annotations

import datetime
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.seatops.seats.plugins.module_utils._journal import Journal
from ansible_collections.seatops.seats.plugins.module_utils._seat_sync import (
    BatchOutcome,
    Person,
    SeatSyncError,
    check_reclaim_guard,
    compute_plan,
    grace_test,
    idle_test,
    parse_max_reclaims,
    parse_timestamp,
    reclaim_limit,
    synchronise,
)


def person(key):
    return Person(key, "%s@example.com" % key, {"id": key, "email": "%s@example.com" % key})


def people(keys):
    return dict((key, person(key)) for key in keys)


KEYS = st.sets(st.sampled_from(["u%02d" % number for number in range(30)]), max_size=30)


def apply(plan, holders):
    after = set(holders)
    after |= set(p.key for p in plan.to_assign)
    after -= set(p.key for p in plan.to_reclaim)
    return after


class TestPlanProperties(object):
    @given(desired=KEYS, holders=KEYS)
    def test_present_plan_applied_gives_holders_plus_desired(self, desired, holders):
        plan = compute_plan([person(k) for k in desired], people(holders), "present")
        assert apply(plan, holders) == holders | desired
        assert not plan.to_reclaim
        assert set(p.key for p in plan.to_assign) == desired - holders
        assert len(plan.unchanged) == len(desired & holders)

    @given(desired=KEYS, holders=KEYS, protected=KEYS)
    def test_exclusive_gives_desired_and_never_touches_protected(self, desired, holders,
                                                                 protected):
        protected = protected - desired
        plan = compute_plan([person(k) for k in desired], people(holders), "present",
                            exclusive=True, protected=protected)
        assert apply(plan, holders) == desired | (holders & protected)
        assert not set(p.key for p in plan.to_reclaim) & protected
        assert plan.exclusive_reclaims == len(holders - desired - protected)

    @given(desired=KEYS, holders=KEYS)
    def test_absent_never_assigns(self, desired, holders):
        plan = compute_plan([person(k) for k in desired], people(holders), "absent")
        assert not plan.to_assign
        assert apply(plan, holders) == holders - desired
        assert plan.exclusive_reclaims == 0

    @given(desired=st.lists(st.sampled_from(["a", "b", "c"]), max_size=10), holders=KEYS)
    def test_duplicates_fold_and_lists_are_sorted(self, desired, holders):
        plan = compute_plan([person(k) for k in desired], people(holders), "present",
                            exclusive=True)
        for listed in (plan.to_assign, plan.to_reclaim, plan.unchanged):
            labels = [p.label for p in listed]
            assert labels == sorted(set(labels))

    def test_exclusive_with_absent_is_refused(self):
        with pytest.raises(ValueError):
            compute_plan([], {}, "absent", exclusive=True)


class TestGuard(object):
    @given(holders=st.integers(min_value=0, max_value=5000),
           percent=st.integers(min_value=0, max_value=100))
    def test_percentage_rounds_up_and_adds_at_most_one(self, holders, percent):
        limit = reclaim_limit("%d%%" % percent, holders)
        assert limit * 100 >= percent * holders
        assert limit <= holders * percent / 100.0 + 1

    @pytest.mark.parametrize("value, parsed", [
        (5, ("count", 5)), ("7", ("count", 7)), (" 10 % ", ("percent", 10.0)), ("0%", ("percent", 0.0)),
    ])
    def test_parse(self, value, parsed):
        assert parse_max_reclaims(value) == parsed

    @pytest.mark.parametrize("value", [-1, True, "101%", "ten", "5.5", None])
    def test_parse_refuses(self, value):
        with pytest.raises(SeatSyncError, match="max_reclaims"):
            parse_max_reclaims(value)

    def test_guard_message_names_product_counts_and_fix(self):
        plan = compute_plan([], people(["a", "b", "c"]), "present", exclusive=True)
        with pytest.raises(SeatSyncError) as caught:
            check_reclaim_guard(plan, 3, "10%", "incident_response")
        message = str(caught.value)
        assert "Refusing to reclaim 3 of 3 seats of incident_response" in message
        assert "raise max_reclaims to at least 3" in message


class FakeBackend(object):
    """Holds seats in memory, writes in batches of ``batch``, and can misbehave on demand."""

    def __init__(self, holders, batch=2, refuse=(), uncertain_after=None, explode_at=None,
                 reread_fails=False, dates=None):
        self.product = "product_x"
        self.holders = set(holders)
        self.dates = dict(dates or {})
        self.batch = batch
        self.refuse = set(refuse)
        self.uncertain_after = uncertain_after
        self.explode_at = explode_at
        self.reread_fails = reread_fails
        self.writes = []
        self.reads = 0

    def read_holders(self):
        self.reads += 1
        if self.reads > 1 and self.reread_fails:
            raise RuntimeError("read failed")
        holders = people(self.holders)
        for key, holder in holders.items():
            holder.since = self.dates.get(key)
        return holders

    def check_plan(self, plan):
        return {"checked": True}

    def assign(self, wanted):
        return self._write("assign", wanted)

    def reclaim(self, wanted):
        return self._write("reclaim", wanted)

    def _write(self, action, wanted):
        wanted = list(wanted)
        for start in range(0, len(wanted), self.batch):
            chunk = wanted[start:start + self.batch]
            if self.explode_at is not None and len(self.writes) == self.explode_at:
                raise RuntimeError("connection reset by peer")
            self.writes.append((action, [p.key for p in chunk]))
            done = [p for p in chunk if p.key not in self.refuse]
            failed = [(p, "refused by the API") for p in chunk if p.key in self.refuse]
            for p in done:
                if action == "assign":
                    self.holders.add(p.key)
                else:
                    self.holders.discard(p.key)
            certain = self.uncertain_after is None or len(self.writes) <= self.uncertain_after
            yield BatchOutcome(done=done if certain else [], failed=failed, certain=certain)


class TestSynchronise(object):
    @given(desired=KEYS, holders=KEYS, protected=KEYS, exclusive=st.booleans(),
           state=st.sampled_from(["present", "absent"]))
    @settings(max_examples=60)
    def test_check_mode_predicts_the_real_run_and_writes_nothing(
            self, desired, holders, protected, exclusive, state):
        exclusive = exclusive and state == "present"
        protected = protected - desired
        kwargs = dict(state=state, exclusive=exclusive, protected=protected,
                      max_reclaims=100, diff=True)
        predicted_backend = FakeBackend(holders)
        predicted = synchronise(predicted_backend, [person(k) for k in desired], predicted_backend.read_holders(),
                                check_mode=True, **kwargs)
        assert predicted_backend.writes == []
        assert predicted_backend.holders == set(holders)
        real_backend = FakeBackend(holders)
        real = synchronise(real_backend, [person(k) for k in desired], real_backend.read_holders(), check_mode=False,
                           **kwargs)
        assert predicted == real
        assert real["holders_count"] == len(real_backend.holders)
        assert real["diff"]["after"] == sorted(person(k).label for k in real_backend.holders)
        assert all(1 <= len(keys) <= 2 for _action, keys in real_backend.writes)

    def test_result_shape(self):
        backend = FakeBackend(["a", "b"])
        result = synchronise(backend, [person("b"), person("c")], backend.read_holders(), skipped=[
            {"user": "ghost", "reason": "unknown"}])
        assert result == {
            "changed": True, "assigned": [{"id": "c", "email": "c@example.com"}],
            "reclaimed": [], "unchanged": 1, "kept_in_grace": [],
            "skipped_users": [{"user": "ghost", "reason": "unknown"}],
            "failed_users": [], "holders_count": 3, "checked": True,
        }

    def test_nothing_to_do_makes_no_write(self):
        backend = FakeBackend(["a"])
        result = synchronise(backend, [person("a")], backend.read_holders(), exclusive=True)
        assert result["changed"] is False and backend.writes == [] and backend.reads == 1

    def test_guard_stops_before_any_write_in_check_mode_too(self):
        for check_mode in (True, False):
            backend = FakeBackend(["a", "b", "c", "d"])
            with pytest.raises(SeatSyncError, match="Refusing to reclaim 4 of 4"):
                synchronise(backend, [], backend.read_holders(), exclusive=True, max_reclaims="25%",
                            check_mode=check_mode)
            assert backend.writes == []

    def test_refused_users_are_failed_the_rest_done(self):
        backend = FakeBackend([], refuse=["b"])
        result = synchronise(backend, [person("a"), person("b"), person("c")], backend.read_holders())
        assert [view["id"] for view in result["assigned"]] == ["a", "c"]
        assert result["failed_users"] == [{"user": "b@example.com", "reason": "refused by the API"}]
        assert backend.reads == 1

    def test_uncertain_batch_triggers_a_reread_that_decides(self):
        backend = FakeBackend(["z"], uncertain_after=1)
        result = synchronise(backend, [person(k) for k in "abcd"], backend.read_holders())
        assert backend.reads == 2
        # The uncertain batch reported nothing done; the re-read shows it was.
        assert [view["id"] for view in result["assigned"]] == ["a", "b", "c", "d"]
        assert result["failed_users"] == [] and result["holders_count"] == 5

    def test_a_change_an_answer_confirmed_stands_when_the_reread_lags(self):
        class LaggingBackend(FakeBackend):
            def _write(self, action, wanted):
                # A retried call confirmed the seats; the next read does not show them yet.
                self.writes.append((action, [p.key for p in wanted]))
                yield BatchOutcome(done=list(wanted), certain=False)

        backend = LaggingBackend([])
        result = synchronise(backend, [person("a"), person("b")], backend.read_holders())
        assert backend.reads == 2
        assert [view["id"] for view in result["assigned"]] == ["a", "b"]
        assert result["failed_users"] == []

    def test_backend_exception_midway_reports_who_failed(self):
        backend = FakeBackend(["x", "y", "z"], explode_at=1)
        result = synchronise(backend, [person(k) for k in "abcd"], backend.read_holders(), exclusive=True,
                             max_reclaims=3)
        assert [view["id"] for view in result["reclaimed"]] == ["x", "y"]
        assert result["assigned"] == []
        failed = dict((item["user"], item["reason"]) for item in result["failed_users"])
        assert failed == {"z@example.com": "connection reset by peer",
                          "a@example.com": "not attempted: connection reset by peer",
                          "b@example.com": "not attempted: connection reset by peer",
                          "c@example.com": "not attempted: connection reset by peer",
                          "d@example.com": "not attempted: connection reset by peer"}
        assert backend.reads == 2 and result["holders_count"] == 1

    def test_reread_failure_reports_only_confirmed(self):
        backend = FakeBackend([], explode_at=1, reread_fails=True)
        result = synchronise(backend, [person(k) for k in "abc"], backend.read_holders())
        assert [view["id"] for view in result["assigned"]] == ["a", "b"]
        assert result["failed_users"][0]["user"] == "c@example.com"
        assert "re-reading holders also failed: read failed" in result["failed_users"][0]["reason"]

    def test_journal_gets_one_line_per_confirmed_change(self, tmp_path):
        path = tmp_path / "journal.jsonl"
        backend = FakeBackend(["x"], refuse=["b"])
        synchronise(backend, [person("a"), person("b")], backend.read_holders(), exclusive=True, max_reclaims=1,
                    journal=Journal(str(path), "fake"))
        lines = [json.loads(line) for line in path.read_text().splitlines()]
        lines = [line for line in lines if line["outcome"] != "pending"]  # intent lines
        assert [(line["action"], line["id"], line["outcome"]) for line in lines] == [
            ("reclaim", "x", "ok"), ("assign", "a", "ok"), ("assign", "b", "failed")]
        assert all(line["product"] == "product_x" for line in lines)

    def test_check_mode_writes_no_journal(self, tmp_path):
        path = tmp_path / "journal.jsonl"
        backend = FakeBackend([])
        synchronise(backend, [person("a")], backend.read_holders(), check_mode=True, journal=Journal(str(path), "fake"))
        assert not path.exists()


NOW = datetime.datetime(2026, 11, 28, 12, 0, tzinfo=datetime.timezone.utc)


def days_ago(days):
    return (NOW - datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


class TestReclaimBeforeAssign(object):
    @given(desired=KEYS, holders=KEYS)
    @settings(max_examples=60)
    def test_every_reclaim_is_sent_before_any_assignment(self, desired, holders):
        backend = FakeBackend(holders, batch=3)
        synchronise(backend, [person(k) for k in desired], backend.read_holders(), exclusive=True,
                    max_reclaims="100%")
        actions = [action for action, _keys in backend.writes]
        assert actions == sorted(actions, key=lambda action: action != "reclaim")

    @given(desired=KEYS, holders=KEYS)
    @settings(max_examples=60)
    def test_the_holder_count_never_rises_above_the_larger_of_before_and_after(self, desired, holders):
        """What Datadog bills is the peak number of holders: a swap must not raise it."""
        backend = FakeBackend(holders, batch=2)
        counts = [len(holders)]
        writes = backend._write

        def counting(action, wanted):
            for outcome in writes(action, wanted):
                counts.append(len(backend.holders))
                yield outcome

        backend._write = counting
        synchronise(backend, [person(k) for k in desired], backend.read_holders(), exclusive=True,
                    max_reclaims="100%")
        assert max(counts) == max(len(holders), len(desired))


class TestCeiling(object):
    def test_a_plan_ending_above_max_holders_fails_before_any_write_in_check_mode_too(self):
        for check_mode in (True, False):
            backend = FakeBackend(["a", "b", "c"])
            with pytest.raises(SeatSyncError) as raised:
                synchronise(backend, [person(k) for k in "de"], backend.read_holders(), max_holders=4,
                            check_mode=check_mode)
            assert backend.writes == []
            message = str(raised.value)
            assert message.startswith("Refusing to end with 5 holders of product_x: max_holders is 4. 3 hold a seat "
                                      "now; this run would assign 2 and reclaim 0. Nothing was changed.")
            assert "raise max_holders to at least 5" in message and "reclaim at least 1 seat(s) first" in message
            assert raised.value.facts == {"holders_count": 3}

    def test_reclaims_of_the_same_run_count(self):
        backend = FakeBackend(["a", "b", "c"])
        result = synchronise(backend, [person(k) for k in "abd"], backend.read_holders(), exclusive=True,
                             max_reclaims=1, max_holders=3)
        assert result["holders_count"] == 3 and backend.holders == {"a", "b", "d"}

    def test_a_plan_that_assigns_nobody_goes_ahead_above_the_ceiling(self):
        backend = FakeBackend(["a", "b", "c"])
        result = synchronise(backend, [person("a")], backend.read_holders(), state="absent", max_holders=1)
        assert result["holders_count"] == 2 and backend.holders == {"b", "c"}

    def test_the_backend_may_count_holders_it_did_not_read(self):
        backend = FakeBackend(["a"])
        backend.count_holders = lambda holders: 10
        with pytest.raises(SeatSyncError, match="Refusing to end with 11 holders"):
            synchronise(backend, [person("b")], backend.read_holders(), max_holders=10)

    def test_exactly_at_the_ceiling_is_fine(self):
        backend = FakeBackend(["a"])
        result = synchronise(backend, [person("b")], backend.read_holders(), max_holders=2)
        assert result["holders_count"] == 2


class TestGracePeriod(object):
    def test_exclusive_keeps_recent_seats_and_lists_them_with_their_date(self):
        dates = {"x": days_ago(1), "y": days_ago(10), "z": None}
        backend = FakeBackend(["a", "x", "y", "z"], dates=dates)
        result = synchronise(backend, [person("a")], backend.read_holders(), exclusive=True, max_reclaims=2,
                             grace_days=7, now=NOW)
        assert result["kept_in_grace"] == [{"user": "x@example.com", "assigned_at": days_ago(1)}]
        # y's seat is older than the grace period; z's date is unknown, so it cannot be shown recent.
        assert [view["id"] for view in result["reclaimed"]] == ["y", "z"]
        assert backend.holders == {"a", "x"} and result["holders_count"] == 2

    def test_kept_seats_are_not_counted_by_the_reclaim_guard(self):
        dates = dict((key, days_ago(0)) for key in "wxy")
        backend = FakeBackend(["w", "x", "y", "z"], dates=dates)
        result = synchronise(backend, [], backend.read_holders(), exclusive=True, max_reclaims=1, grace_days=1,
                             now=NOW)
        assert [view["id"] for view in result["reclaimed"]] == ["z"]
        assert len(result["kept_in_grace"]) == 3

    def test_state_absent_ignores_the_grace_period(self):
        backend = FakeBackend(["x"], dates={"x": days_ago(0)})
        result = synchronise(backend, [person("x")], backend.read_holders(), state="absent", grace_days=30, now=NOW)
        assert [view["id"] for view in result["reclaimed"]] == ["x"] and result["kept_in_grace"] == []

    def test_zero_days_is_off(self):
        backend = FakeBackend(["x"], dates={"x": days_ago(0)})
        result = synchronise(backend, [], backend.read_holders(), exclusive=True, max_reclaims=1, grace_days=0, now=NOW)
        assert [view["id"] for view in result["reclaimed"]] == ["x"]

    @pytest.mark.parametrize("hours, kept", [(7 * 24 - 1, True), (7 * 24 + 1, False)])
    def test_the_boundary_is_measured_in_time_not_calendar_days(self, hours, kept):
        recent = grace_test(7, NOW)
        holder = Person("x", "x", since=(NOW - datetime.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
        assert recent(holder) is kept

    @pytest.mark.parametrize("text, expected", [
        ("2026-11-28T09:30:00Z", datetime.datetime(2026, 11, 28, 9, 30, tzinfo=datetime.timezone.utc)),
        ("2026-11-28T09:30:00.123456Z", datetime.datetime(2026, 11, 28, 9, 30, tzinfo=datetime.timezone.utc)),
        ("2026-11-28T11:30:00+02:00", datetime.datetime(2026, 11, 28, 9, 30, tzinfo=datetime.timezone.utc)),
        ("2026-11-28T09:30:00", datetime.datetime(2026, 11, 28, 9, 30, tzinfo=datetime.timezone.utc)),
        ("yesterday", None), ("", None), (None, None), ("2026-13-01T00:00:00Z", None)])
    def test_timestamps_as_the_apis_write_them(self, text, expected):
        assert parse_timestamp(text) == expected

    @given(desired=KEYS, holders=KEYS, recent=KEYS)
    @settings(max_examples=60)
    def test_check_mode_predicts_the_run_with_a_grace_period(self, desired, holders, recent):
        dates = dict((key, days_ago(0 if key in recent else 30)) for key in holders)
        kwargs = dict(exclusive=True, max_reclaims="100%", grace_days=7, now=NOW, diff=True)
        predicted_backend = FakeBackend(holders, dates=dates)
        predicted = synchronise(predicted_backend, [person(k) for k in desired], predicted_backend.read_holders(),
                                check_mode=True, **kwargs)
        real_backend = FakeBackend(holders, dates=dates)
        real = synchronise(real_backend, [person(k) for k in desired], real_backend.read_holders(), **kwargs)
        assert predicted == real
        assert real_backend.holders == set(desired) | (set(holders) & set(recent))


# -- holders the platform cannot reclaim one by one (Person.keep), and idle seats ---------------

def holder(key, keep=None, since=None, active=None):
    return Person(key, "%s@example.com" % key, {"id": key, "email": "%s@example.com" % key},
                  since=since, keep=keep, active=active)


class HolderBackend(FakeBackend):
    """FakeBackend whose holders carry keep / since / active from ``details``."""

    def __init__(self, details, **kwargs):
        super(HolderBackend, self).__init__(list(details), **kwargs)
        self.details = dict(details)

    def read_holders(self):
        self.reads += 1
        return dict((key, holder(key, **self.details.get(key, {}))) for key in self.holders)


TEAM = "granted through team devs"


class TestKeptSeats(object):
    @given(desired=KEYS, holders=KEYS, kept=KEYS)
    @settings(max_examples=60)
    def test_a_kept_holder_is_never_reclaimed_by_exclusive(self, desired, holders, kept):
        details = dict((key, {"keep": TEAM} if key in kept else {}) for key in holders)
        backend = HolderBackend(details)
        result = synchronise(backend, [person(k) for k in desired], backend.read_holders(), exclusive=True,
                             max_reclaims="100%")
        reclaimed = set(view["id"] for view in result["reclaimed"])
        assert not reclaimed & kept
        assert reclaimed == holders - desired - kept
        expected_kept = sorted("%s@example.com" % k for k in (holders & kept) - desired)
        assert [item["user"] for item in result.get("kept_seats", [])] == expected_kept
        assert all(item["reason"] == TEAM for item in result.get("kept_seats", []))
        assert backend.holders >= holders & kept

    def test_a_kept_holder_is_never_reclaimed_as_idle(self):
        details = {"t": {"keep": TEAM, "since": days_ago(400)}, "d": {"since": days_ago(400)}}
        backend = HolderBackend(details)
        result = synchronise(backend, [], backend.read_holders(), inactive_days=30, now=NOW, max_reclaims="100%")
        assert [view["id"] for view in result["reclaimed"]] == ["d"]
        assert result["kept_seats"] == [{"user": "t@example.com", "reason": TEAM}]
        assert result["idle_reclaimed"] == [{"user": "d@example.com", "last_activity_at": None}]
        assert backend.holders == {"t"}

    def test_kept_holders_are_not_counted_by_the_guard(self):
        details = dict((key, {"keep": TEAM}) for key in "abcd")
        details["e"] = {}
        backend = HolderBackend(details)
        result = synchronise(backend, [], backend.read_holders(), exclusive=True, max_reclaims=1)
        assert [view["id"] for view in result["reclaimed"]] == ["e"] and len(result["kept_seats"]) == 4

    def test_a_plan_that_only_keeps_changes_nothing_and_says_so(self):
        backend = HolderBackend({"t": {"keep": TEAM}})
        plan = compute_plan([], backend.read_holders(), "present", exclusive=True)
        assert plan.empty and [p.key for p in plan.kept_seats] == ["t"] and plan.exclusive_reclaims == 0
        result = synchronise(backend, [], backend.read_holders(), exclusive=True, max_reclaims=0)
        assert result["changed"] is False and backend.writes == []

    def test_state_absent_is_not_the_engines_to_refuse(self):
        # The engine reclaims what state=absent names; refusing a kept seat is the module's
        # job (it fails or warns before planning), so a named kept holder is planned.
        plan = compute_plan([person("t")], {"t": holder("t", keep=TEAM)}, "absent")
        assert [p.key for p in plan.to_reclaim] == ["t"] and plan.kept_seats == []

    def test_no_kept_seats_no_key(self):
        backend = FakeBackend(["a"])
        assert "kept_seats" not in synchronise(backend, [], backend.read_holders(), exclusive=True,
                                               max_reclaims=1)


class TestIdle(object):
    def test_off_when_none(self):
        assert idle_test(None) is None

    @pytest.mark.parametrize("active, since, idle", [
        (days_ago(40), days_ago(400), True),     # last used 40 days ago
        (days_ago(5), days_ago(400), False),     # used recently, whatever the seat's age
        (None, days_ago(40), True),              # never used: measured from the assignment
        (None, days_ago(5), False),              # never used, but assigned recently
        ("garbage", days_ago(40), True),         # an unreadable activity falls back to since
        (None, None, False),                     # nothing readable: never idle
        ("garbage", "garbage", False),
        (days_ago(30), None, True),              # exactly the limit counts as idle
    ])
    def test_by_activity_else_assignment(self, active, since, idle):
        assert idle_test(30, NOW)(holder("x", since=since, active=active)) is idle

    def test_idle_holders_are_reclaimed_without_exclusive(self):
        details = {"idle": {"active": days_ago(90)}, "busy": {"active": days_ago(1)},
                   "never": {"since": days_ago(60)}, "fresh": {"since": days_ago(2)}}
        backend = HolderBackend(details)
        result = synchronise(backend, [], backend.read_holders(), inactive_days=30, now=NOW, max_reclaims="100%")
        assert sorted(view["id"] for view in result["reclaimed"]) == ["idle", "never"]
        assert result["idle_reclaimed"] == [{"user": "idle@example.com", "last_activity_at": days_ago(90)},
                                            {"user": "never@example.com", "last_activity_at": None}]
        assert backend.holders == {"busy", "fresh"}

    def test_named_protected_and_in_grace_are_kept(self):
        details = dict((key, {"active": days_ago(90), "since": days_ago(90)}) for key in ("named", "prot", "other"))
        details["young"] = {"since": days_ago(3)}
        backend = HolderBackend(details)
        result = synchronise(backend, [person("named")], backend.read_holders(), protected=["prot"],
                             inactive_days=30, grace_days=7, now=NOW, max_reclaims="100%")
        assert [view["id"] for view in result["reclaimed"]] == ["other"]
        assert backend.holders == {"named", "prot", "young"}

    def test_grace_keeps_an_idle_seat_younger_than_grace(self):
        # inactive_days shorter than grace_days: a never-used seat of 10 days is idle but in grace.
        backend = HolderBackend({"x": {"since": days_ago(10)}})
        result = synchronise(backend, [], backend.read_holders(), inactive_days=5, grace_days=14, now=NOW,
                             max_reclaims="100%")
        assert result["reclaimed"] == [] and result["kept_in_grace"][0]["user"] == "x@example.com"
        assert result["idle_reclaimed"] == []

    def test_the_guard_stops_idle_reclaims_before_any_write(self):
        details = dict((key, {"active": days_ago(90)}) for key in "abcdefghij")
        for check_mode in (True, False):
            backend = HolderBackend(details)
            with pytest.raises(SeatSyncError) as caught:
                synchronise(backend, [], backend.read_holders(), inactive_days=30, now=NOW, max_reclaims="10%",
                            check_mode=check_mode)
            assert backend.writes == []
            message = str(caught.value)
            assert "Refusing to reclaim 10 of 10 seats of product_x" in message
            assert "All 10 are idle (reclaim_inactive_days)" in message
            assert "raise max_reclaims to at least 10" in message

    def test_the_guard_message_for_a_mix_of_idle_and_exclusive(self):
        details = {"idle": {"active": days_ago(90)}, "extra": {"active": days_ago(1)}}
        backend = HolderBackend(details)
        with pytest.raises(SeatSyncError) as caught:
            synchronise(backend, [], backend.read_holders(), exclusive=True, inactive_days=30, now=NOW,
                        max_reclaims=1)
        assert "are idle" not in str(caught.value) and "desired list is empty" in str(caught.value)

    def test_idle_is_not_applied_to_state_absent(self):
        details = {"named": {"active": days_ago(1)}, "idle": {"active": days_ago(90)}}
        backend = HolderBackend(details)
        result = synchronise(backend, [person("named")], backend.read_holders(), state="absent",
                             inactive_days=30, now=NOW, max_reclaims=0)
        assert [view["id"] for view in result["reclaimed"]] == ["named"]
        assert result["idle_reclaimed"] == [] and backend.holders == {"idle"}

    def test_check_mode_predicts_idle_reclaims(self):
        details = {"idle": {"active": days_ago(90)}, "busy": {"active": days_ago(1)}}
        kwargs = dict(inactive_days=30, now=NOW, max_reclaims="100%", diff=True)
        predicted_backend = HolderBackend(details)
        predicted = synchronise(predicted_backend, [], predicted_backend.read_holders(), check_mode=True, **kwargs)
        real_backend = HolderBackend(details)
        real = synchronise(real_backend, [], real_backend.read_holders(), **kwargs)
        assert predicted == real and predicted_backend.writes == []
        assert real["idle_reclaimed"] == [{"user": "idle@example.com", "last_activity_at": days_ago(90)}]

    def test_no_idle_rule_no_key(self):
        backend = FakeBackend(["a"])
        assert "idle_reclaimed" not in synchronise(backend, [person("a")], backend.read_holders())

    def test_an_idle_reclaim_that_fails_is_not_reported_as_idle_reclaimed(self):
        backend = HolderBackend({"a": {"active": days_ago(90)}, "b": {"active": days_ago(90)}}, refuse=["b"])
        result = synchronise(backend, [], backend.read_holders(), inactive_days=30, now=NOW, max_reclaims="100%")
        assert [item["user"] for item in result["idle_reclaimed"]] == ["a@example.com"]
        assert [item["user"] for item in result["failed_users"]] == ["b@example.com"]
