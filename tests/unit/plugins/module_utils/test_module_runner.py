# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest

from ansible_collections.seatops.seats.plugins.module_utils._journal import Journal
from ansible_collections.seatops.seats.plugins.module_utils._module_runner import (
    MAX_USERS,
    base_result,
    check_sync_options,
    fold_names,
    handle_unknown,
    open_journal,
)
from ansible_collections.seatops.seats.plugins.module_utils._seat_sync import (
    Person,
    SeatSyncError,
)


def lower_email(name):
    if "@" not in name:
        raise ValueError("is not an email address")
    return name.lower()


def params(**overrides):
    base = dict(users=[], state="present", exclusive=False, protected=[], max_reclaims="10%",
                max_holders=None, grace_days=0, unknown_users="fail", journal=None)
    base.update(overrides)
    return base


class TestFoldNames(object):
    def test_folds_case_duplicates_keeping_first_spelling(self):
        folded = fold_names(["Ana@Example.com", " ana@example.com ", "bo@example.com"],
                            "users", lower_email)
        assert folded == {"ana@example.com": "Ana@Example.com", "bo@example.com": "bo@example.com"}

    @pytest.mark.parametrize("bad", ["", "   ", None])
    def test_empty_entry_names_field_and_index(self, bad):
        with pytest.raises(SeatSyncError, match=r"users\[1\] is empty"):
            fold_names(["a@example.com", bad], "users", lower_email)

    def test_invalid_entry_names_field_index_and_reason(self):
        with pytest.raises(SeatSyncError, match=r"protected\[0\] 'nobody': is not an email"):
            fold_names(["nobody"], "protected", lower_email)

    def test_refuses_absurd_list_sizes(self):
        with pytest.raises(SeatSyncError, match="at most %d" % MAX_USERS):
            fold_names(["x@example.com"] * (MAX_USERS + 1), "users", lower_email)

    def test_none_means_not_given(self):
        assert fold_names(None, "users", lower_email) == {}


class TestCheckSyncOptions(object):
    def test_user_in_users_and_protected_is_refused(self):
        users = {"ana@example.com": "Ana@example.com"}
        with pytest.raises(SeatSyncError, match="users and protected both name Ana@example.com"):
            check_sync_options(params(users=["Ana@example.com"]), users, {"ana@example.com": "x"})

    def test_exclusive_needs_present(self):
        with pytest.raises(SeatSyncError, match="exclusive=true needs state=present"):
            check_sync_options(params(exclusive=True, state="absent"), {}, {})

    def test_exclusive_needs_an_explicit_list(self):
        with pytest.raises(SeatSyncError, match="exclusive=true needs users"):
            check_sync_options(params(exclusive=True, users=None), {}, {})

    @pytest.mark.parametrize("value", ["-1", "101%", "ten", True, -3, "5 seats"])
    def test_bad_max_reclaims_names_the_option(self, value):
        with pytest.raises(SeatSyncError, match="max_reclaims"):
            check_sync_options(params(max_reclaims=value), {}, {})

    @pytest.mark.parametrize("value", [0, 7, "7", "0%", "12.5%", "100%"])
    def test_good_max_reclaims(self, value):
        check_sync_options(params(max_reclaims=value), {}, {})

    @pytest.mark.parametrize("option", ["max_holders", "grace_days"])
    @pytest.mark.parametrize("value", [-1, "-2", "ten", True, 1.5])
    def test_bad_whole_numbers_name_the_option(self, option, value):
        with pytest.raises(SeatSyncError, match="^%s must be a whole number" % option):
            check_sync_options(params(**{option: value}), {}, {})

    @pytest.mark.parametrize("option", ["max_holders", "grace_days"])
    @pytest.mark.parametrize("value", [0, 30, "7"])
    def test_good_whole_numbers(self, option, value):
        check_sync_options(params(**{option: value}), {}, {})


class FakeModule(object):
    def __init__(self, **params):
        self.warnings = []
        self.params = params
        self.check_mode = False

    def warn(self, text):
        self.warnings.append(text)


class TestHandleUnknown(object):
    unknown = [{"user": "ghost@example.com", "reason": "matches no user"}]

    def test_fail_stops_and_names_the_user(self):
        with pytest.raises(SeatSyncError, match="ghost@example.com: matches no user"):
            handle_unknown("fail", self.unknown, FakeModule())

    def test_warn_skips_with_a_warning(self):
        module = FakeModule()
        assert handle_unknown("warn", self.unknown, module) == self.unknown
        assert module.warnings == ["skipped ghost@example.com: matches no user"]

    def test_ignore_skips_silently(self):
        module = FakeModule()
        assert handle_unknown("ignore", self.unknown, module) == self.unknown
        assert module.warnings == []


class TestJournal(object):
    def test_one_line_per_change_with_outcome(self, tmp_path):
        path = tmp_path / "journal.jsonl"
        journal = Journal(str(path), "datadog")
        ana, bo = Person("id-ana", "ana@example.com"), Person("id-bo", "bo@example.com")
        journal.record_batch("incident_response", "assign", [ana], [(bo, "disabled")])
        lines = [json.loads(line) for line in path.read_text().splitlines()]
        assert [(line["user"], line["outcome"]) for line in lines] == [
            ("ana@example.com", "ok"), ("bo@example.com", "failed")]
        assert lines[1]["reason"] == "disabled"
        assert {line["run_id"] for line in lines} == {journal.run_id}
        assert all(line["product"] == "incident_response" for line in lines)

    def test_reread_adds_only_changes_no_call_confirmed(self, tmp_path):
        path = tmp_path / "journal.jsonl"
        journal = Journal(str(path), "msstore")
        ana, bo = Person("ana@contoso.com", "ana@contoso.com"), Person("bo@contoso.com", "bo@contoso.com")
        journal.record_batch("P/0001", "assign", [ana], [])
        journal.record_reread("P/0001", [ana, bo], [], {"assign": {ana.key}, "reclaim": set()})
        lines = [json.loads(line) for line in path.read_text().splitlines()]
        assert [(line["user"], line["source"]) for line in lines] == [
            ("ana@contoso.com", "response"), ("bo@contoso.com", "re-read")]

    def test_missing_directory_is_refused(self, tmp_path):
        with pytest.raises(IOError, match="does not exist"):
            Journal(str(tmp_path / "nowhere" / "journal.jsonl"), "datadog")


class TestBaseResult(object):
    def test_every_always_returned_key_says_nothing_happened(self):
        assert base_result() == {"changed": False, "assigned": [], "reclaimed": [], "kept_in_grace": [],
                                 "skipped_users": [], "failed_users": [], "api_calls": {"total": 0}}

    def test_facts_add_and_override(self):
        result = base_result(product_code="incident_response", api_calls={"GET /x": 1, "total": 1})
        assert result["product_code"] == "incident_response" and result["api_calls"]["total"] == 1

    def test_each_call_gets_its_own_lists(self):
        first = base_result()
        first["assigned"].append("someone")
        assert base_result()["assigned"] == []


class TestOpenJournal(object):
    def test_an_unusable_journal_raises_for_the_module_to_report_with_its_result(self, tmp_path):
        # A SeatSyncError, not fail_json: the module's failure then carries every
        # always-returned key (a bare fail_json here returned none of them).
        module = FakeModule(journal=str(tmp_path))
        with pytest.raises(SeatSyncError, match="journal: .* is a directory"):
            open_journal(module, "datadog")

    def test_no_journal_in_check_mode(self, tmp_path):
        module = FakeModule(journal=str(tmp_path / "j.jsonl"))
        module.check_mode = True
        assert open_journal(module, "datadog") is None
