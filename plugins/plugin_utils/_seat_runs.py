# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every controller-side seat action shares: running the seat modules as a task would.

The actions (seats_reconcile, seats_onboard, seats_offboard) plan a whole run on the
controller and run one seat-module call per product with ``_execute_module``, so that the
module_defaults of the platform's action group, check mode and each product's result are
exactly the modules' own. This module holds that machinery once: the start of a run (the
options checked, the mode), the module arguments (module_defaults first, on every supported
ansible-core), running a module, and making directories and writing files whole. The
platforms themselves are in ``_seat_platforms``.
"""

from __future__ import annotations

import os
import tempfile

from ansible.plugins.action import ActionBase

from ansible_collections.seatops.seats.plugins.plugin_utils._seat_platforms import (
    SEAT_MODULES,
    connection_problem,
    warning_text,
)

# How module_defaults reach a module an action runs: the public helper of 2.16 - 2.18 became
# a private one in 2.19 (the builtin package and service actions use the same).
try:
    from ansible.executor.module_common import _apply_action_arg_defaults
except ImportError:
    _apply_action_arg_defaults = None
try:
    from ansible.executor.module_common import get_action_args_with_defaults
except ImportError:
    get_action_args_with_defaults = None

# ansible-core before 2.19 leaves this placeholder where a templated default was default(omit).
OMIT_PREFIX = "__omit_place_holder__"


def directory_problem(directory, mode=0o755):
    """Create a directory the action will write to now, before any call (with ``mode``),
    and say why it cannot be written (None when it can)."""
    try:
        if not os.path.isdir(directory):
            os.makedirs(directory, mode)
    except OSError as exc:
        return "%s cannot be created: %s" % (directory, exc.strerror or exc)
    if not os.access(directory, os.W_OK | os.X_OK):
        return "%s is not writable" % directory
    return None


def write_whole(path, text, mode=0o644):
    """Write the file whole or not at all: a temporary file in the same directory, then a
    rename, so a reader (or a crash) never sees half a report or half a record."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, partial = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".partial", dir=directory)
    try:
        with os.fdopen(handle, "w") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(partial, mode)
        os.replace(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.unlink(partial)
        raise


class SeatAction(ActionBase):
    """Base of the seat actions: run seat modules as the task itself would run them."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    # Set while a module runs whose holders before the run the action needs (restore: who
    # already held the seat); the modules return them in their diff.
    _want_holders_before = False

    def _update_module_args(self, module_name, module_args, task_vars, *args, **kwargs):
        super(SeatAction, self)._update_module_args(module_name, module_args, task_vars, *args, **kwargs)
        if self._want_holders_before:
            module_args["_ansible_diff"] = True

    def _start(self, task_vars, argument_spec, say_mode=True, **constraints):
        """The start of every run: the options checked against ``argument_spec`` (and the
        ``constraints`` validate_argument_spec takes), then the connection options.

        Returns ``(result, args, check)``; ``args`` is None when the options cannot be used,
        and ``result`` then says why. ``say_mode``: the result says ``mode`` (check or apply)
        from the start, whatever happens next."""
        result = super(SeatAction, self).run(None, task_vars)
        validation, args = self.validate_argument_spec(argument_spec=argument_spec, **constraints)
        del validation
        problem = connection_problem(args)
        if problem:
            return dict(result, failed=True, msg=problem), None, None
        check = bool(self._task.check_mode)
        if say_mode:
            result["mode"] = "check" if check else "apply"
        return result, args, check

    def _module_args(self, module, extra):
        """A module's arguments: the module_defaults that apply to it (its action group's,
        then its own), then ``extra`` (None values left out, so a module default stays)."""
        if _apply_action_arg_defaults is not None:
            defaults = _apply_action_arg_defaults(module, self._task, {}, self._templar)
        else:
            defaults = get_action_args_with_defaults(
                module, {}, self._task.module_defaults, self._templar,
                action_groups=self._task._parent._play._action_groups)
        args = dict((key, value) for key, value in defaults.items()
                    if not (isinstance(value, str) and value.startswith(OMIT_PREFIX)))
        args.update((key, value) for key, value in extra.items() if value is not None)
        return args

    def _run_module(self, module, module_args, task_vars, holders_before=False):
        """Run one module on the target; its result without ``invocation`` (the whole user
        list again, and the connection options). ``holders_before``: run it in diff mode,
        whatever the task's, for the holders it read before changing anything."""
        self._want_holders_before = holders_before
        try:
            result = self._execute_module(module_name=module, module_args=module_args, task_vars=task_vars)
        finally:
            self._want_holders_before = False
        result.pop("invocation", None)
        return result

    def _run_seat_module(self, platform, connection, call_args, task_vars, label, warnings, holders_before=False):
        """One seat-module call for one product; its warnings go to ``warnings`` with the
        product's label, so a warning says which product it is about."""
        module = SEAT_MODULES[platform]
        module_args = self._module_args(module, connection)
        module_args.update(call_args)
        result = self._run_module(module, module_args, task_vars, holders_before=holders_before)
        for warning in result.pop("warnings", None) or []:
            warnings.append("%s: %s" % (label, warning_text(warning)))
        return result
