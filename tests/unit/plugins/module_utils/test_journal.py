# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The journal's line format (intent lines, outcome lines, settling) and how the engine
writes it: an intent line for exactly the people of each write call, before the call."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.seatops.seats.plugins.module_utils._journal import (
    Journal,
    check_journal_path,
)
from ansible_collections.seatops.seats.plugins.module_utils._seat_sync import (
    BatchOutcome,
    Person,
    synchronise,
)


def person(key):
    return Person(key, "%s@example.com" % key, {"id": key, "email": "%s@example.com" % key})


def read(path):
    if not os.path.exists(str(path)):
        return []
    with open(str(path)) as handle:
        return [json.loads(line) for line in handle.read().splitlines()]


def unsettled(lines):
    """(batch, id) of users named by an intent line without an outcome line."""
    named = set()
    settled = set()
    for line in lines:
        if line["outcome"] == "pending":
            named.update((line["batch"], key) for key in line["ids"])
        elif "batch" in line:
            settled.add((line["batch"], line["id"]))
    return named - settled


class TestLineFormat(object):
    def test_intent_line_names_every_user_of_the_call(self, tmp_path):
        path = tmp_path / "journal.jsonl"
        journal = Journal(str(path), "msstore")
        first = journal.record_pending("P/0001", "assign", [person("a"), person("b")])
        second = journal.record_pending("P/0001", "reclaim", [person("c")])
        assert (first, second) == (1, 2)
        lines = read(path)
        assert lines[0] == {
            "time": lines[0]["time"], "run_id": journal.run_id, "platform": "msstore", "product": "P/0001",
            "action": "assign", "outcome": "pending", "batch": 1,
            "users": ["a@example.com", "b@example.com"], "ids": ["a", "b"], "count": 2,
        }
        assert lines[1]["batch"] == 2 and lines[1]["ids"] == ["c"] and lines[1]["action"] == "reclaim"
        assert lines[0]["time"].endswith("+00:00")
        assert unsettled(lines) == {(1, "a"), (1, "b"), (2, "c")}

    def test_outcome_lines_carry_the_batch_and_settle_it(self, tmp_path):
        path = tmp_path / "journal.jsonl"
        journal = Journal(str(path), "datadog")
        batch = journal.record_pending("incident_response", "assign", [person("a"), person("b"), person("c")])
        # A 422 split: the refused user first, then the rest of the same call.
        journal.record_batch("incident_response", "assign", [], [(person("b"), "disabled")], batch=batch)
        journal.record_batch("incident_response", "assign", [person("a"), person("c")], [], batch=batch)
        lines = read(path)
        assert [(line["outcome"], line.get("id"), line.get("batch")) for line in lines] == [
            ("pending", None, 1), ("failed", "b", 1), ("ok", "a", 1), ("ok", "c", 1)]
        assert lines[1]["reason"] == "disabled" and lines[2]["source"] == "response"
        assert unsettled(lines) == set()

    def test_reread_settles_open_batches_with_ok_and_failed(self, tmp_path):
        path = tmp_path / "journal.jsonl"
        journal = Journal(str(path), "msstore")
        a, b, c = person("a"), person("b"), person("c")
        confirmed = journal.record_pending("P/0001", "assign", [a])
        journal.record_batch("P/0001", "assign", [a], [], batch=confirmed)
        uncertain = journal.record_pending("P/0001", "assign", [b, c])
        # The second call timed out: the re-read shows b seated, c not.
        journal.record_reread("P/0001", [a, b], [], {"assign": {"a"}, "reclaim": set()},
                              [(c, "HTTP 503: unavailable")])
        lines = read(path)
        tail = [(line["outcome"], line["id"], line["source"], line["batch"]) for line in lines[3:]]
        assert tail == [("ok", "b", "re-read", uncertain), ("failed", "c", "re-read", uncertain)]
        assert lines[-1]["reason"] == "HTTP 503: unavailable"
        assert unsettled(lines) == set()

    def test_reread_writes_nothing_for_users_of_no_open_batch(self, tmp_path):
        path = tmp_path / "journal.jsonl"
        journal = Journal(str(path), "msstore")
        journal.record_reread("P/0001", [], [], {"assign": set(), "reclaim": set()}, [(person("x"), "not attempted")])
        assert read(path) == []

    def test_unknown_settles_what_nobody_could_establish(self, tmp_path):
        path = tmp_path / "journal.jsonl"
        journal = Journal(str(path), "msstore")
        batch = journal.record_pending("P/0001", "reclaim", [person("a"), person("b")])
        journal.record_batch("P/0001", "reclaim", [person("a")], [], batch=batch)
        journal.record_pending("Q/0002", "reclaim", [person("z")])
        journal.record_unknown("P/0001", "re-reading holders failed: timeout")
        lines = read(path)
        assert [(line["outcome"], line.get("id")) for line in lines[3:]] == [("unknown", "b")]
        assert lines[-1]["source"] == "none" and "timeout" in lines[-1]["reason"]
        # Another product's open batch is not settled by this one's failure.
        assert unsettled(lines) == {(2, "z")}


class TestJournalPath(object):
    def test_missing_directory(self, tmp_path):
        assert "does not exist" in check_journal_path(str(tmp_path / "nowhere" / "j.jsonl"))
        with pytest.raises(IOError, match="does not exist"):
            Journal(str(tmp_path / "nowhere" / "j.jsonl"), "msstore")

    def test_a_directory_is_not_a_journal(self, tmp_path):
        problem = check_journal_path(str(tmp_path))
        assert "is a directory" in problem and "seats-journal.jsonl" in problem
        with pytest.raises(IOError, match="is a directory"):
            Journal(str(tmp_path), "msstore")

    def test_a_new_or_existing_file_is_fine_and_not_created_early(self, tmp_path):
        path = tmp_path / "j.jsonl"
        assert check_journal_path(str(path)) is None
        Journal(str(path), "msstore")
        assert not path.exists()
        path.write_text("")
        assert check_journal_path(str(path)) is None


class JournalledBackend(object):
    """A fake platform that checks, at every write call, that the journal already holds the
    intent line naming exactly the people of that call.

    ``lose_answer``: call numbers (1-based) whose effect happens but whose answer is lost
    (uncertain, nothing confirmed); ``fail_call``: call numbers that change nothing and are
    uncertain (a 5xx); ``explode_at``: the call number that raises (the backend stops)."""

    def __init__(self, journal_path, holders, batch_size=None, lose_answer=(), fail_call=(),
                 explode_at=None, reread_fails=False, retry_confirms=()):
        self.product = "product_x"
        self.path = journal_path
        self.holders = set(holders)
        if batch_size is not None:
            self.batch_size = batch_size
        self.lose_answer = set(lose_answer)
        self.fail_call = set(fail_call)
        self.explode_at = explode_at
        self.reread_fails = reread_fails
        # Call numbers whose first answer was lost and whose retry confirmed every user:
        # done, but flagged uncertain because the call was sent twice.
        self.retry_confirms = set(retry_confirms)
        self.calls = []
        self.reads = 0

    def read_holders(self):
        self.reads += 1
        if self.reads > 1 and self.reread_fails:
            raise RuntimeError("read failed")
        return dict((key, person(key)) for key in self.holders)

    def check_plan(self, plan):
        return {}

    def assign(self, wanted):
        return self._write("assign", wanted)

    def reclaim(self, wanted):
        return self._write("reclaim", wanted)

    def _write(self, action, wanted):
        wanted = list(wanted)
        size = getattr(self, "batch_size", None) or len(wanted)
        for start in range(0, len(wanted), size):
            chunk = wanted[start:start + size]
            number = len(self.calls) + 1
            intents = [line for line in read(self.path) if line["outcome"] == "pending"]
            assert intents, "a write call before any intent line"
            assert intents[-1]["action"] == action
            assert set(p.key for p in chunk) <= set(intents[-1]["ids"]), "the call carries people its intent line does not name"
            self.calls.append((action, [p.key for p in chunk]))
            if number == self.explode_at:
                raise RuntimeError("connection reset by peer")
            if number in self.fail_call:
                yield BatchOutcome(failed=[(p, "HTTP 503") for p in chunk], certain=False)
                continue
            for p in chunk:
                if action == "assign":
                    self.holders.add(p.key)
                else:
                    self.holders.discard(p.key)
            if number in self.lose_answer:
                yield BatchOutcome(failed=[(p, "timed out") for p in chunk], certain=False)
            elif number in self.retry_confirms:
                yield BatchOutcome(done=chunk, certain=False)
            else:
                yield BatchOutcome(done=chunk)


def journal_verdicts(lines):
    """``{(action, id): outcome}`` from each user's last outcome line."""
    verdicts = {}
    for line in lines:
        if line["outcome"] != "pending":
            verdicts[(line["action"], line["id"])] = line["outcome"]
    return verdicts


def result_verdicts(result, plan_actions):
    """The same per-user verdicts read from the module result: ``ok`` for assigned or
    reclaimed, ``unknown`` for a failure whose outcome nobody knows, else ``failed``.
    ``plan_actions``: ``{id: action}`` of the users the plan wanted to change."""
    verdicts = {}
    for view in result["assigned"]:
        verdicts[("assign", view["id"])] = "ok"
    for view in result["reclaimed"]:
        verdicts[("reclaim", view["id"])] = "ok"
    for item in result["failed_users"]:
        key = item["user"].split("@")[0]
        outcome = "unknown" if item["reason"].startswith("outcome unknown") else "failed"
        verdicts[(plan_actions[key], key)] = outcome
    return verdicts


def changes(lines):
    return set((line["action"], line["id"]) for line in lines if line["outcome"] == "ok")


def real_changes(before, after):
    return (set(("assign", key) for key in set(after) - set(before))
            | set(("reclaim", key) for key in set(before) - set(after)))


class TestEngineWritesIntentFirst(object):
    def test_one_intent_line_per_call_when_the_backend_says_its_batch_size(self, tmp_path):
        path = str(tmp_path / "journal.jsonl")
        backend = JournalledBackend(path, ["x", "y", "z"], batch_size=2)
        synchronise(backend, [person(k) for k in "abcde"], backend.read_holders(), exclusive=True, max_reclaims=3,
                    journal=Journal(path, "fake"))
        lines = read(path)
        intents = [(line["action"], line["ids"]) for line in lines if line["outcome"] == "pending"]
        # Reclaims first: a swap never raises the holder count a platform may bill.
        assert intents == [("reclaim", ["x", "y"]), ("reclaim", ["z"]),
                           ("assign", ["a", "b"]), ("assign", ["c", "d"]), ("assign", ["e"])]
        assert intents == backend.calls
        assert unsettled(lines) == set()
        assert changes(lines) == real_changes(["x", "y", "z"], backend.holders)

    def test_without_a_batch_size_one_intent_line_covers_the_action(self, tmp_path):
        path = str(tmp_path / "journal.jsonl")
        backend = JournalledBackend(path, [])
        synchronise(backend, [person(k) for k in "abc"], backend.read_holders(), journal=Journal(path, "fake"))
        intents = [line["ids"] for line in read(path) if line["outcome"] == "pending"]
        assert intents == [["a", "b", "c"]]

    def test_a_lost_answer_is_settled_by_the_reread(self, tmp_path):
        path = str(tmp_path / "journal.jsonl")
        backend = JournalledBackend(path, [], batch_size=2, lose_answer=[2])
        result = synchronise(backend, [person(k) for k in "abcde"], backend.read_holders(), journal=Journal(path, "fake"))
        assert result["failed_users"] == []
        lines = read(path)
        reread = [(line["id"], line["batch"]) for line in lines if line.get("source") == "re-read"]
        assert reread == [("c", 2), ("d", 2)]
        assert unsettled(lines) == set()
        assert changes(lines) == real_changes([], backend.holders)

    def test_a_failed_uncertain_call_is_settled_as_failed(self, tmp_path):
        path = str(tmp_path / "journal.jsonl")
        backend = JournalledBackend(path, [], batch_size=2, fail_call=[1])
        result = synchronise(backend, [person(k) for k in "abc"], backend.read_holders(), journal=Journal(path, "fake"))
        assert [item["user"] for item in result["failed_users"]] == ["a@example.com", "b@example.com"]
        lines = read(path)
        failed = [(line["id"], line["batch"], line["source"], line["reason"]) for line in lines if line["outcome"] == "failed"]
        assert failed == [("a", 1, "re-read", "HTTP 503"), ("b", 1, "re-read", "HTTP 503")]
        assert unsettled(lines) == set()

    def test_a_backend_that_stops_leaves_no_intent_for_calls_never_made(self, tmp_path):
        path = str(tmp_path / "journal.jsonl")
        backend = JournalledBackend(path, ["x", "y", "z"], batch_size=2, explode_at=2)
        result = synchronise(backend, [person(k) for k in "abcd"], backend.read_holders(), exclusive=True, max_reclaims=3,
                             journal=Journal(path, "fake"))
        lines = read(path)
        assert [line["ids"] for line in lines if line["outcome"] == "pending"] == [["x", "y"], ["z"]]
        assert unsettled(lines) == set()
        # The call that raised changed nothing: its users are failed, the assignments never started.
        failed = dict((item["user"], item["reason"]) for item in result["failed_users"])
        assert failed["z@example.com"] == "connection reset by peer"
        assert failed["a@example.com"] == "not attempted: connection reset by peer"
        assert changes(lines) == real_changes(["x", "y", "z"], backend.holders) == {("reclaim", "x"), ("reclaim", "y")}

    def test_when_the_reread_fails_too_the_batch_is_settled_as_unknown(self, tmp_path):
        path = str(tmp_path / "journal.jsonl")
        backend = JournalledBackend(path, [], batch_size=2, lose_answer=[1], reread_fails=True)
        synchronise(backend, [person(k) for k in "abc"], backend.read_holders(), journal=Journal(path, "fake"))
        lines = read(path)
        unknown = [(line["id"], line["batch"]) for line in lines if line["outcome"] == "unknown"]
        assert unknown == [("a", 1), ("b", 1)]
        assert all("read failed" in line["reason"] for line in lines if line["outcome"] == "unknown")
        assert unsettled(lines) == set()

    def test_a_write_confirmed_on_a_retry_is_journaled_done_at_once(self, tmp_path):
        path = str(tmp_path / "journal.jsonl")
        backend = JournalledBackend(path, [], batch_size=2, retry_confirms=[1], reread_fails=True)
        result = synchronise(backend, [person(k) for k in "abc"], backend.read_holders(), journal=Journal(path, "fake"))
        lines = read(path)
        # The retry's answer confirmed a and b: journaled ok from that answer, and the failed
        # re-read cannot turn them into "unknown" while the result says "assigned".
        assert [(line["id"], line["source"]) for line in lines if line["outcome"] == "ok"] == [
            ("a", "response"), ("b", "response"), ("c", "response")]
        assert not [line for line in lines if line["outcome"] == "unknown"]
        assert [view["id"] for view in result["assigned"]] == ["a", "b", "c"]
        assert result["failed_users"] == []

    def test_when_the_reread_fails_result_and_journal_both_say_unknown(self, tmp_path):
        path = str(tmp_path / "journal.jsonl")
        backend = JournalledBackend(path, ["x"], batch_size=2, lose_answer=[2], retry_confirms=[3],
                                    reread_fails=True)
        result = synchronise(backend, [person(k) for k in "abcd"], backend.read_holders(), exclusive=True, max_reclaims=1,
                             journal=Journal(path, "fake"))
        plan_actions = dict([(k, "assign") for k in "abcd"] + [("x", "reclaim")])
        verdicts = journal_verdicts(read(path))
        assert verdicts == {("assign", "a"): "unknown", ("assign", "b"): "unknown",
                            ("assign", "c"): "ok", ("assign", "d"): "ok", ("reclaim", "x"): "ok"}
        assert result_verdicts(result, plan_actions) == verdicts
        reasons = dict((item["user"], item["reason"]) for item in result["failed_users"])
        assert reasons["a@example.com"] == (
            "outcome unknown: timed out; re-reading holders also failed: read failed")

    @given(holders=st.sets(st.sampled_from("abcdefg")), desired=st.sets(st.sampled_from("abcdefg")),
           batch_size=st.integers(1, 3), lose=st.sets(st.integers(1, 6)), fail=st.sets(st.integers(1, 6)),
           confirm=st.sets(st.integers(1, 6)), explode_at=st.one_of(st.none(), st.integers(1, 6)),
           reread_fails=st.booleans())
    @settings(max_examples=120, deadline=None)
    def test_the_journal_and_the_result_say_the_same_of_every_user(
            self, tmp_path_factory, holders, desired, batch_size, lose, fail, confirm, explode_at, reread_fails):
        path = str(tmp_path_factory.mktemp("journal") / "journal.jsonl")
        backend = JournalledBackend(path, holders, batch_size=batch_size, lose_answer=lose, fail_call=fail - lose,
                                    retry_confirms=confirm - lose - fail, explode_at=explode_at,
                                    reread_fails=reread_fails)
        result = synchronise(backend, [person(k) for k in sorted(desired)], backend.read_holders(), exclusive=True, max_reclaims="100%",
                             journal=Journal(path, "fake"))
        lines = read(path)
        plan_actions = dict([(k, "assign") for k in desired - holders] + [(k, "reclaim") for k in holders - desired])
        journal = journal_verdicts(lines)
        told = result_verdicts(result, plan_actions)
        # Every user the journal speaks of, the result speaks of in the same words; users the
        # journal is silent on (never sent) are failed in the result, never done or unknown.
        assert dict((key, told[key]) for key in journal) == journal
        assert all(told[key] == "failed" for key in set(told) - set(journal))
        assert unsettled(lines) == set()
        if not reread_fails:
            assert changes(lines) == real_changes(holders, backend.holders)

    @given(holders=st.sets(st.sampled_from("abcdefghij")), desired=st.sets(st.sampled_from("abcdefghij")),
           batch_size=st.integers(1, 4), lose=st.sets(st.integers(1, 8)), fail=st.sets(st.integers(1, 8)),
           exclusive=st.booleans())
    @settings(max_examples=80, deadline=None)
    def test_a_finished_run_settles_every_batch_and_journals_exactly_the_changes(
            self, tmp_path_factory, holders, desired, batch_size, lose, fail, exclusive):
        path = str(tmp_path_factory.mktemp("journal") / "journal.jsonl")
        backend = JournalledBackend(path, holders, batch_size=batch_size, lose_answer=lose, fail_call=fail - lose)
        synchronise(backend, [person(k) for k in sorted(desired)], backend.read_holders(), exclusive=exclusive, max_reclaims="100%",
                    journal=Journal(path, "fake"))
        lines = read(path)
        assert unsettled(lines) == set()
        assert changes(lines) == real_changes(holders, backend.holders)
        assert [line["batch"] for line in lines if line["outcome"] == "pending"] == list(range(1, len(backend.calls) + 1))


def test_a_line_cut_by_a_kill_stays_on_its_own_line(tmp_path):
    """The next run starts on a fresh line, so a torn last line never swallows a new one."""
    from ansible_collections.seatops.seats.plugins.module_utils._journal import Journal
    from ansible_collections.seatops.seats.plugins.module_utils._seat_sync import Person

    path = tmp_path / "seats.jsonl"
    path.write_text('{"action": "assign", "id": "cut-off')          # a run killed mid-write
    journal = Journal(str(path), "datadog")
    journal.record_batch("apm_pro", "assign", [Person("u-1", "ana@example.com")], [])
    lines = path.read_text().split("\n")
    assert lines[0] == '{"action": "assign", "id": "cut-off'
    assert json.loads(lines[1])["user"] == "ana@example.com" and lines[2] == ""
