# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The proof that no layer above the clients names a real platform.

The registry holds one platform only, an in-memory fake (``module_utils/fake_platform.py``),
and the three actions (onboarding's ``add``, offboarding's ``remove`` with its record and
restore, reconcile's ``exact`` with its report) run end to end through it: each seat-module
call the engine makes goes to the generic module runner, in this process, with the fake's
module side. If any action, input check, record, report or template knew a real platform,
these runs would fail or say something about Datadog or the Store.
"""

from __future__ import annotations

import json
import os
import sys
from unittest import mock

import pytest

from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "module_utils"))

from fake_platform import TOKEN, FakeWorld, fake_platform, run_module  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.seatops.seats.plugins.action import seats_offboard, seats_onboard, seats_reconcile  # noqa: E402
from ansible_collections.seatops.seats.plugins.module_utils import _platforms as registry  # noqa: E402
from ansible_collections.seatops.seats.plugins.module_utils._seat_module import (  # noqa: E402
    run_info_module,
    run_seat_module,
)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..")
HTML_TEMPLATE = os.path.join(ROOT, "roles", "reconcile", "templates", "reconcile_report.html.j2")
ANN, BOB, CY = "ann@example.com", "bob@example.com", "cy@example.com"
REAL_PLATFORM_WORDS = ("datadog", "msstore", "microsoft store", "store")


@pytest.fixture
def world(monkeypatch):
    """An organisation on the fake platform, which is the only platform registered."""
    world = FakeWorld(people=[ANN, BOB, CY], holders={"gold": [ANN], "silver": [], "bronze": [ANN, BOB, CY]})
    platform = fake_platform(world)
    monkeypatch.setattr(registry, "PLATFORMS", (platform,))
    monkeypatch.setattr(registry, "BY_NAME", {"fake": platform})
    return world


def run_action(action_module, args, check=False, diff=False, task_vars=None, connection=None):
    """Run an action as a task would, its seat-module calls going to the generic runner."""
    platform = registry.get("fake")
    modules = {platform.seat_module: run_seat_module, platform.info_module: run_info_module}

    class Harness(action_module.ActionModule):
        def _module_args(self, module, extra):
            # No play, so no module_defaults: the connection options are the action's own.
            return dict((key, value) for key, value in extra.items() if value is not None)

        def _execute_module(self, module_name=None, module_args=None, task_vars=None, **kwargs):
            return run_module(modules[module_name], platform, module_args, check_mode=check,
                              diff=diff or self._want_holders_before)

        def _find_needle(self, dirname, needle):
            return needle

    task = mock.MagicMock(args=dict(args, fake={"token": TOKEN} if connection is None else connection),
                          check_mode=check, diff=diff, async_val=0)
    connection = mock.MagicMock()
    action = Harness(task, connection, mock.MagicMock(), DataLoader(), Templar(loader=DataLoader()), None)
    return action.run(task_vars=task_vars or {})


def assert_names_no_real_platform(result):
    text = json.dumps(result).lower()
    for word in REAL_PLATFORM_WORDS:
        assert word not in text, "the result speaks of %r: %s" % (word, text[:2000])


# -- add (onboarding) -------------------------------------------------------------------------

def test_add_mode_predicts_in_check_mode_then_assigns_one_call_per_product(world):
    args = {"people": [{"email": ANN}, {"email": "Bob@Example.com", "fake_products": ["silver"]}],
            "fake_products": ["gold"]}
    predicted = run_action(seats_onboard, args, check=True, diff=True)
    assert world.writes() == []
    assert predicted["changed"] and not predicted.get("failed"), predicted
    assert predicted["assigned_count"] == 2
    assert predicted["msg"].startswith("Would assign 2 Fake seat(s) to 2 people on 2 product(s).")
    assert [diff["before_header"] for diff in predicted["diff"]] == ["Fake gold", "Fake silver"]

    done = run_action(seats_onboard, args)
    assert not done.get("failed"), done
    assert world.writes() == [("assign", "gold", ["bob@example.com"]), ("assign", "silver", ["bob@example.com"])]
    assert [(row["platform"], row["product"], row["assigned"]) for row in done["products"]] == [
        ("fake", "gold", ["bob@example.com"]), ("fake", "silver", ["bob@example.com"])]
    assert_names_no_real_platform(done)

    again = run_action(seats_onboard, args)
    assert not again["changed"] and len(world.writes()) == 2


def test_add_mode_checks_every_person_and_product_before_any_call(world):
    result = run_action(seats_onboard, {"people": [{"email": "not-an-email"}, {}], "fake_products": ["gold", "Not A Word"]})
    assert result["failed"] and world.calls == []
    assert result["problems"] == [
        "fake_products[1] must be a lower-case word such as gold, got 'Not A Word'",
        "people[0].email 'not-an-email' is not an email address",
        "people[1] needs an email (Fake)",
    ]
    assert_names_no_real_platform(result)


def test_add_mode_reads_the_role_variables_of_every_registered_platform(world):
    result = run_action(seats_onboard, {"people": [{"email": CY}], "variable_prefix": "onboarding_"},
                        task_vars={"onboarding_fake_products": ["silver", "gold"]})
    assert not result.get("failed"), result
    assert world.writes() == [("assign", "gold", [CY]), ("assign", "silver", [CY])]


def test_connection_options_come_from_the_action_the_role_or_the_collection_variables(world):
    people = {"people": [{"email": CY}], "fake_products": ["gold"]}
    missing = run_action(seats_onboard, people, connection={})
    assert missing["failed"] and "missing token" in missing["msg"] and world.writes() == []
    # seatops_<platform>_<option>: what the collection's playbooks and AWX jobs pass.
    done = run_action(seats_onboard, people, connection={}, task_vars={"seatops_fake_token": TOKEN})
    assert not done.get("failed"), done
    assert world.writes() == [("assign", "gold", [CY])]
    assert TOKEN not in json.dumps(done)


def test_a_failing_product_never_stops_the_others_and_the_failure_names_product_and_people(world):
    del world.holders["silver"]  # the API answers an error for this product
    result = run_action(seats_onboard, {"people": [{"email": CY}], "fake_products": ["silver", "gold"]})
    assert result["failed"]
    assert world.writes() == [("assign", "gold", [CY])]
    assert [(failure["product"], failure["users"]) for failure in result["failures"]] == [("silver", [CY])]
    assert "Fake silver [cy@example.com]: " in result["msg"]


def test_products_are_independent_units_whatever_order_they_are_given_in(world):
    forward = run_action(seats_onboard, {"people": [{"email": CY}], "fake_products": ["gold", "silver"]}, check=True)
    backward = run_action(seats_onboard, {"people": [{"email": CY}], "fake_products": ["silver", "gold"]}, check=True)
    assert forward["products"] == backward["products"] and forward["msg"] == backward["msg"]


# -- remove (offboarding), the record, and restore ----------------------------------------------

def test_remove_mode_reclaims_writes_the_record_and_restore_gives_every_seat_back(world, tmp_path):
    record = str(tmp_path / "records" / "ann.json")
    args = {"people": [{"email": ANN}], "fake_products": ["gold", "silver", "bronze"], "record_path": record}

    predicted = run_action(seats_offboard, args, check=True)
    assert world.writes() == [] and not os.path.exists(record)
    assert predicted["reclaimed_count"] == 2, predicted

    done = run_action(seats_offboard, args)
    assert not done.get("failed"), done
    assert sorted(world.writes()) == [("reclaim", "bronze", [ANN]), ("reclaim", "gold", [ANN])]
    assert done["msg"].startswith("Reclaimed 2 seat(s) of 1 leaver(s) (2 Fake product(s)).")
    with open(record) as handle:
        written = json.load(handle)
    run = written["runs"][0]
    assert run["people"] == [{"email": ANN}]
    assert run["fake"] == [{"product": "gold", "users": [ANN]}, {"product": "bronze", "users": [ANN]}]
    assert_names_no_real_platform(written)

    world.disabled.add(ANN)  # she may not get gold back; bronze she gets
    world.holders["bronze"].add(ANN)  # ...and bronze is already hers again
    restored = run_action(seats_offboard, {"restore": True, "record_path": record})
    assert restored["failed"]  # a seat could not be restored
    assert (restored["restored_count"], restored["already_in_place_count"], restored["not_restored_count"]) == (0, 1, 1)
    assert restored["not_restored"] == [{"user": ANN, "reason": "disabled", "platform": "fake", "product": "gold"}]

    world.disabled.clear()
    restored = run_action(seats_offboard, {"restore": True, "record_path": record})
    assert not restored.get("failed"), restored
    assert restored["restored_count"] == 1 and ANN in world.holders["gold"]


def test_remove_mode_needs_the_products_of_a_platform_that_cannot_list_a_persons_seats(world, tmp_path):
    result = run_action(seats_offboard, {"people": [{"email": ANN}], "record_dir": str(tmp_path)})
    assert result["failed"] and world.calls == []
    assert "fake_products must list the Fake products the organisation has seats of" in result["msg"]


# -- exact (reconcile) and its report ---------------------------------------------------------

def test_exact_mode_makes_holders_exactly_the_desired_ones_and_reports_them(world, tmp_path):
    desired = {"fake": [{"product": "gold", "users": [BOB, CY]},
                        {"product": "bronze", "users": [BOB], "protected": [CY], "max_reclaims": 1}]}
    args = {"desired_state": desired, "report_dir": str(tmp_path), "report_name": "audit", "html_template": HTML_TEMPLATE}

    audit = run_action(seats_reconcile, args, check=True)
    assert world.writes() == [] and not audit.get("failed"), audit
    assert audit["totals"]["to_assign"] == 2 and audit["totals"]["to_reclaim"] == 2

    done = run_action(seats_reconcile, dict(args, report_name="apply"))
    assert not done.get("failed"), done
    assert world.holders["gold"] == {BOB, CY} and world.holders["bronze"] == {BOB, CY}
    with open(done["report_json"]) as handle:
        report = json.load(handle)
    assert [(row["platform_label"], row["product"], row["status"]) for row in report["products"]] == [
        ("Fake", "gold", "changes"), ("Fake", "bronze", "changes")]
    with open(done["report_html"]) as handle:
        html = handle.read()
    assert "<td>Fake</td>" in html
    assert_names_no_real_platform(report)
    for word in REAL_PLATFORM_WORDS:
        assert word not in html.lower()


def test_exact_mode_refuses_a_desired_state_naming_an_unregistered_platform(world, tmp_path):
    result = run_action(seats_reconcile, {"desired_state": {"datadog": []}, "report_dir": str(tmp_path)})
    assert result["failed"] and world.calls == []
    assert "unknown top-level key datadog (expected fake)" in result["msg"]
