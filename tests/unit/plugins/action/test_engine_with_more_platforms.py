# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a further platform in the registry changes for the engine, with two fake platforms
(``fake`` and ``later``, neither able to list the products a person holds; ``later`` has its
own ``desired_state_key``): offboarding takes a platform only when its products are given
(or it is chosen), run messages count the run's platforms, the desired state is keyed by the
registry's ``desired_state_key``, and the engine's idle rule (``reclaim_inactive_days``, set
by module_defaults) reaches only exact calls."""

from __future__ import annotations

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
from ansible_collections.seatops.seats.plugins.module_utils._platforms import Platform  # noqa: E402
from ansible_collections.seatops.seats.plugins.module_utils._seat_module import (  # noqa: E402
    run_info_module,
    run_seat_module,
)

ANN, BOB = "ann@example.com", "bob@example.com"


@pytest.fixture
def world(monkeypatch):
    world = FakeWorld(people=[ANN, BOB], holders={"gold": [ANN], "silver": [ANN, BOB]})
    fake = fake_platform(world)
    later = Platform(name="later", label="Later", seat_module="seatops.seats.later_seats",
                     info_module="seatops.seats.later_seats_info", product_fields=fake.product_checks,
                     person_field="email", name_rule=fake.name_rule,
                     connection_argument_spec=fake.connection_argument_spec, module_side=fake.module_side,
                     desired_state_key="later_seats")
    monkeypatch.setattr(registry, "PLATFORMS", (fake, later))
    monkeypatch.setattr(registry, "BY_NAME", {"fake": fake, "later": later})
    return world


def run_action(action_module, args, check=False, task_vars=None, defaults=None, calls=None):
    """Run an action as a task would; ``defaults``: what module_defaults give every module;
    ``calls``: a list that gets every module's arguments."""
    modules = {}
    for platform in registry.PLATFORMS:
        modules[platform.seat_module] = (run_seat_module, platform)
        modules[platform.info_module] = (run_info_module, platform)

    class Harness(action_module.ActionModule):
        def _module_args(self, module, extra):
            args = dict(defaults or {})
            args.update((key, value) for key, value in extra.items() if value is not None)
            return args

        def _execute_module(self, module_name=None, module_args=None, task_vars=None, **kwargs):
            if calls is not None:
                calls.append((module_name, dict(module_args)))
            module_args = dict((key, value) for key, value in module_args.items() if key != "reclaim_inactive_days")
            runner, platform = modules[module_name]
            return run_module(runner, platform, module_args, check_mode=check, diff=self._want_holders_before)

        def _find_needle(self, dirname, needle):
            return needle

    connections = {"fake": {"token": TOKEN}, "later": {"token": TOKEN}}
    task = mock.MagicMock(args=dict(connections, **args), check_mode=check, diff=False, async_val=0)
    action = Harness(task, mock.MagicMock(), mock.MagicMock(), DataLoader(), Templar(loader=DataLoader()), None)
    return action.run(task_vars=task_vars or {})


def test_offboarding_takes_a_platform_whose_products_are_given(world, tmp_path):
    result = run_action(seats_offboard, {"people": [{"email": ANN}], "fake_products": ["gold"],
                                         "record_dir": str(tmp_path)})
    assert not result.get("failed"), result
    assert world.writes() == [("reclaim", "gold", [ANN])]
    # Only the platforms of the run are counted.
    assert result["msg"].startswith("Reclaimed 1 seat(s) of 1 leaver(s) (1 Fake product(s)).")
    assert result["record"]["later"] == []


def test_offboarding_asks_for_products_when_none_is_given_or_a_platform_is_chosen(world, tmp_path):
    nothing = run_action(seats_offboard, {"people": [{"email": ANN}], "record_dir": str(tmp_path)})
    assert nothing["failed"] and world.calls == []
    assert "fake_products must list the Fake products" in nothing["msg"]
    assert "later_products must list the Later products" in nothing["msg"]

    # A role's <prefix><platform>: true chooses it (then it needs its products), false leaves it out.
    chosen = run_action(seats_offboard, {"people": [{"email": ANN}], "record_dir": str(tmp_path),
                                         "variable_prefix": "offboarding_"},
                        task_vars={"offboarding_fake_products": ["gold"], "offboarding_later": "true"})
    assert chosen["failed"] and world.calls == []
    assert "offboarding_later_products must list the Later products" in chosen["msg"]
    left_out = run_action(seats_offboard, {"people": [{"email": ANN}], "record_dir": str(tmp_path),
                                           "variable_prefix": "offboarding_"},
                          task_vars={"offboarding_fake_products": ["gold"], "offboarding_later_products": ["silver"],
                                     "offboarding_later": False})
    assert not left_out.get("failed"), left_out
    assert world.writes() == [("reclaim", "gold", [ANN])]


def test_onboarding_counts_the_platforms_it_gave_seats_on(world):
    result = run_action(seats_onboard, {"people": [{"email": BOB}], "later_products": ["gold"]}, check=True)
    assert result["msg"].startswith("Would assign 1 Later seat(s) to 1 people on 1 product(s)."), result["msg"]


def test_the_desired_state_is_keyed_by_the_registrys_desired_state_key(world, tmp_path):
    args = {"report_dir": str(tmp_path), "report_name": "audit"}
    audit = run_action(seats_reconcile, dict(args, desired_state={"later_seats": [{"product": "silver", "users": [BOB],
                                                                                   "max_reclaims": 1}]}), check=True)
    assert not audit.get("failed"), audit
    assert [(row["platform"], row["product"], row["to_reclaim"]) for row in audit["products"]] == [("later", "silver", 1)]
    wrong = run_action(seats_reconcile, dict(args, desired_state={"later": [{"product": "silver", "users": [BOB]}]}),
                       check=True)
    assert wrong["failed"] and "unknown top-level key later (expected fake and later_seats)" in wrong["msg"]


def test_the_idle_rule_reaches_only_exact_calls(world, tmp_path):
    defaults = {"reclaim_inactive_days": 30}
    calls = []
    run_action(seats_onboard, {"people": [{"email": BOB}], "fake_products": ["gold"]}, defaults=defaults, calls=calls)
    run_action(seats_offboard, {"people": [{"email": BOB}], "fake_products": ["silver"], "record_dir": str(tmp_path)},
               defaults=defaults, calls=calls)
    run_action(seats_reconcile, {"desired_state": {"fake": [{"product": "gold", "users": [ANN, BOB]}]},
                                 "report_dir": str(tmp_path)}, check=True, defaults=defaults, calls=calls)
    seen = [(args["state"], args.get("exclusive", False), "reclaim_inactive_days" in args) for _module, args in calls]
    assert seen == [("present", False, False), ("absent", False, False), ("present", True, True)]
