# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""module_defaults reach the seat modules the actions run, on every path ``_seat_runs`` has:
the public helper (ansible-core 2.16 - 2.18), the private one behind its guard (2.19), and
the collection's own resolution for a core with neither."""

from __future__ import annotations

import pytest

from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

try:
    from ansible.template import trust_as_template
except ImportError:  # before 2.19 every string is a template
    def trust_as_template(value):
        return value

from ansible_collections.seatops.seats.plugins.plugin_utils import _seat_runs

MODULE = "seatops.seats.datadog_seats"
GROUP = "seatops.seats.datadog"


class Action(_seat_runs.SeatAction):
    def run(self, tmp=None, task_vars=None):
        raise NotImplementedError


class FakePlay(object):
    def __init__(self, groups):
        self._action_groups = groups


class FakeBlock(object):
    def __init__(self, play):
        self._play = play


class FakeTask(object):
    def __init__(self, module_defaults, groups):
        self.module_defaults = module_defaults
        self._parent = FakeBlock(FakePlay(groups))


def module_args(extra=None, defaults=None):
    """``_module_args`` of a seat action in a play with these module_defaults."""
    if defaults is None:
        defaults = [
            {"group/" + GROUP: {"site": "datadoghq.eu", "api_key": "group-key", "timeout": 20}},
            {MODULE: {"api_key": "own-key"}, "seatops.seats.msstore_seat": {"tenant_id": "t"}},
        ]
    action = object.__new__(Action)
    action._task = FakeTask(defaults, {MODULE: [GROUP]})
    action._templar = Templar(loader=DataLoader(), variables={})
    return action._module_args(MODULE, {"timeout": 5, "app_key": None} if extra is None else extra)


EXPECTED = {"site": "datadoghq.eu", "api_key": "own-key", "timeout": 5}


def test_the_helper_this_core_has():
    """The normal path: whichever helper the installed ansible-core offers."""
    assert (_seat_runs.get_action_args_with_defaults is not None
            or _seat_runs._apply_action_arg_defaults is not None)
    assert module_args() == EXPECTED


def test_the_private_helper_alone(monkeypatch):
    """A core without the public helper (2.19) uses the private one, where it exists."""
    if _seat_runs._apply_action_arg_defaults is None:
        pytest.skip("this ansible-core has no _apply_action_arg_defaults")
    monkeypatch.setattr(_seat_runs, "get_action_args_with_defaults", None)
    assert module_args() == EXPECTED


def test_without_either_helper(monkeypatch):
    """The fallback: a core with neither helper still gets module_defaults right."""
    monkeypatch.setattr(_seat_runs, "get_action_args_with_defaults", None)
    monkeypatch.setattr(_seat_runs, "_apply_action_arg_defaults", None)
    assert module_args() == EXPECTED


def test_fallback_templates_and_ignores_other_groups(monkeypatch):
    monkeypatch.setattr(_seat_runs, "get_action_args_with_defaults", None)
    monkeypatch.setattr(_seat_runs, "_apply_action_arg_defaults", None)
    defaults = [{"group/seatops.seats.github": {"token": "not-mine"},
                 "group/" + GROUP: {"site": trust_as_template("{{ 'datadog' ~ 'hq.com' }}")}}]
    assert module_args({}, defaults) == {"site": "datadoghq.com"}


def test_fallback_without_play_or_defaults(monkeypatch):
    monkeypatch.setattr(_seat_runs, "get_action_args_with_defaults", None)
    monkeypatch.setattr(_seat_runs, "_apply_action_arg_defaults", None)
    task = object.__new__(FakeTask)
    task.module_defaults = []
    assert _seat_runs.action_groups(task) == {}
    templar = Templar(loader=DataLoader(), variables={})
    assert _seat_runs.defaults_from_task(MODULE, task, templar) == {}
