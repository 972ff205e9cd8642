# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The module runner, platform-free: run_seat_module and run_info_module driven through an
AnsibleModule against the in-memory platform of fake_platform.py."""

from __future__ import annotations

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fake_platform import (  # noqa: E402  pylint: disable=wrong-import-position
    TOKEN,
    FakeWorld,
    fake_platform,
    run_module,
)

from ansible_collections.seatops.seats.plugins.module_utils._seat_module import (  # noqa: E402
    run_info_module,
    run_seat_module,
)

ANN, BOB, CY, DEE = "ann@example.com", "bob@example.com", "cy@example.com", "dee@example.com"
ALWAYS = ("changed", "assigned", "reclaimed", "skipped_users", "failed_users", "api_calls", "product")


def world(**overrides):
    options = dict(people=[ANN, BOB, CY, DEE], holders={"gold": [ANN, BOB]})
    options.update(overrides)
    return FakeWorld(**options)


def seats(fake, check_mode=False, diff=False, **args):
    args.setdefault("product", "gold")
    args.setdefault("token", TOKEN)
    result = run_module(run_seat_module, fake_platform(fake), args, check_mode=check_mode, diff=diff)
    assert TOKEN not in json.dumps(result)
    return result


def info(fake, **args):
    args.setdefault("token", TOKEN)
    return run_module(run_info_module, fake_platform(fake), args)


def warnings(result):
    # ansible-core 2.19 returns warnings as structured summaries.
    return json.dumps(result.get("warnings", []))


class TestSeatModule(object):
    def test_check_mode_predicts_and_writes_nothing(self):
        fake = world()
        result = seats(fake, check_mode=True, users=["Cy@Example.com", ANN])
        assert result["changed"] is True and result["assigned"] == [CY]
        assert result["unchanged"] == 1 and result["holders_count"] == 3
        assert fake.writes() == [] and fake.holders["gold"] == {ANN, BOB}
        assert result["api_calls"] == {"lookup": 1, "read": 1, "total": 2}

    def test_apply_writes_reports_and_a_rerun_changes_nothing(self):
        fake = world()
        applied = seats(fake, users=[CY, DEE], exclusive=True, protected=[BOB], max_reclaims=1)
        assert applied["changed"] is True and "failed" not in applied
        assert applied["assigned"] == [CY, DEE] and applied["reclaimed"] == [ANN]
        assert applied["product"] == "gold" and applied["holders_count"] == 3
        # Reclaims run before assigns; batches of two.
        assert fake.writes() == [("reclaim", "gold", [ANN]), ("assign", "gold", [CY, DEE])]
        assert applied["api_calls"] == {"assign": 1, "lookup": 1, "read": 1, "reclaim": 1, "total": 4}
        again = seats(fake, users=[CY, DEE], exclusive=True, protected=[BOB], max_reclaims=1)
        assert again["changed"] is False and again["unchanged"] == 2
        assert again["api_calls"] == {"read": 1, "total": 1}

    def test_diff_lists_holders_before_and_after_as_mappings(self):
        fake = world()
        predicted = seats(fake, check_mode=True, diff=True, users=[BOB], state="absent")
        assert predicted["diff"] == {"before": {"holders": [ANN, BOB]}, "after": {"holders": [ANN]}}
        applied = seats(fake, diff=True, users=[BOB], state="absent")
        assert applied["diff"] == predicted["diff"] and applied["reclaimed"] == [BOB]
        assert "diff" not in seats(fake, users=[BOB], state="absent")

    @pytest.mark.parametrize("args, message", [
        ({"users": [ANN, "bob"]}, "users[1] 'bob': is not an email address"),
        ({"users": [ANN, None]}, "users[1] is empty (null or blank)"),
        ({"users": [ANN], "exclusive": True, "protected": ["break glass"]},
         "protected[0] 'break glass': is not an email address"),
        ({"product": "Gold Plan", "users": [ANN]}, "product must be a lower-case word such as gold"),
        ({"users": [ANN], "state": "absent", "exclusive": True}, "exclusive=true needs state=present"),
        ({"users": [ANN], "max_reclaims": "lots"}, "max_reclaims must be a whole number"),
        ({"users": [ANN], "exclusive": True, "protected": ["ANN@example.com"]},
         "users and protected both name ann@example.com"),
    ])
    def test_bad_input_fails_naming_the_field_with_no_call(self, args, message):
        fake = world()
        result = seats(fake, **args)
        assert result["failed"] is True and message in result["msg"], result["msg"]
        assert fake.calls == [] and result["api_calls"] == {"total": 0}
        assert all(key in result for key in ALWAYS)

    def test_missing_connection_option_fails_before_any_call(self):
        fake = world()
        result = seats(fake, token=None, users=[ANN])
        assert result["failed"] is True and result["msg"] == "missing token: set the option token"
        assert fake.calls == [] and result["api_calls"] == {"total": 0}
        assert result["product"] == "gold" and all(key in result for key in ALWAYS)

    def test_unknown_users_fail_by_default_before_any_write(self):
        fake = world()
        result = seats(fake, users=[CY, "ghost@example.com"])
        assert result["failed"] is True
        assert result["msg"] == ("unknown users (nothing was changed; set unknown_users=warn or "
                                 "ignore to skip them): ghost@example.com: nobody has this email")
        assert fake.writes() == [] and result["assigned"] == []
        assert result["api_calls"] == {"lookup": 1, "read": 1, "total": 2}

    @pytest.mark.parametrize("mode", ["warn", "ignore"])
    def test_unknown_users_warn_or_ignore_skip_them(self, mode):
        fake = world()
        result = seats(fake, users=[CY, "Ghost@example.com"], unknown_users=mode)
        assert result["assigned"] == [CY]
        assert result["skipped_users"] == [{"user": "Ghost@example.com", "reason": "nobody has this email"}]
        assert ("skipped Ghost@example.com: nobody has this email" in warnings(result)) is (mode == "warn")

    def test_refused_people_are_skipped_with_a_warning_naming_the_product(self):
        fake = world(disabled=[DEE])
        result = seats(fake, users=[DEE, CY, "zed@example.com"], unknown_users="ignore")
        assert result["assigned"] == [CY]
        assert result["skipped_users"] == [{"user": DEE, "reason": "disabled"},
                                           {"user": "zed@example.com", "reason": "nobody has this email"}]
        assert "dee@example.com: not given a seat of gold: disabled" in warnings(result)

    def test_guard_refuses_before_any_write_and_keeps_every_always_key(self):
        fake = world()
        for check_mode in (True, False):
            result = seats(fake, check_mode=check_mode, users=[], exclusive=True, max_reclaims=1)
            assert result["failed"] is True
            assert result["msg"].startswith("Refusing to reclaim 2 of 2 seats of gold: max_reclaims is 1")
            assert fake.writes() == []
            assert all(key in result for key in ALWAYS) and result["product"] == "gold"
            assert result["api_calls"] == {"read": 1, "total": 1}

    def test_a_failed_first_read_says_nothing_was_changed(self):
        fake = world(broken=["read"])
        result = seats(fake, users=[CY])
        assert result["failed"] is True
        assert result["msg"] == "read failed: the fake API is down. Nothing was changed"
        assert result["api_calls"] == {"read": 1, "total": 1} and all(key in result for key in ALWAYS)

    def test_failed_writes_fail_the_task_naming_the_product_and_each_user(self):
        fake = world(broken=["assign"])
        result = seats(fake, users=[CY, DEE])
        assert result["failed"] is True
        assert result["msg"].startswith("2 seat change(s) on gold failed, 0 succeeded. Failed: "
                                        "cy@example.com: assign failed: the fake API is down; ")
        assert [item["user"] for item in result["failed_users"]] == [CY, DEE]
        assert result["assigned"] == [] and result["holders_count"] == 2

    def test_journal_records_the_platform(self, tmp_path):
        path = tmp_path / "journal.jsonl"
        seats(world(), users=[CY], journal=str(path))
        lines = [json.loads(line) for line in path.read_text().splitlines()]
        assert [(line["action"], line["outcome"]) for line in lines] == [("assign", "pending"), ("assign", "ok")]
        assert all(line["platform"] == "fake" and line["product"] == "gold" for line in lines)

    def test_insecure_connection_warns(self):
        result = seats(world(), users=[ANN], validate_certs=False)
        assert "validate_certs=false: the fake API is not verified" in warnings(result)


class TestInfoModule(object):
    def test_reads_and_counts_calls(self):
        fake = world()
        result = info(fake, products=["gold"])
        result.pop("invocation")
        assert result == {"changed": False, "seats": {"gold": [ANN, BOB]},
                          "api_calls": {"read": 1, "total": 1}}
        assert fake.writes() == []

    def test_bad_input_fails_as_it_is_before_any_call(self):
        fake = world()
        result = info(fake, products=["gold", "Not A Word"])
        assert result["failed"] is True
        assert result["msg"].startswith("products[1] must be a lower-case word")
        assert result["api_calls"] == {"total": 0} and fake.calls == []

    def test_a_failed_read_says_the_module_only_reads(self):
        fake = world()
        result = info(fake, products=["gold", "silver"])
        assert result["failed"] is True
        assert result["msg"] == "no product silver (fake_seats_info only reads: nothing was changed)"
        assert result["api_calls"] == {"read": 2, "total": 2}

    def test_missing_connection_option_fails_before_any_call(self):
        fake = world()
        result = info(fake, products=["gold"], token=None)
        assert result["msg"] == "missing token: set the option token"
        assert result["api_calls"] == {"total": 0} and fake.calls == []
