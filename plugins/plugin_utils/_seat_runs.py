# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one seat engine behind the three roles: running the seat modules as a task would.

The actions (seats_onboard, seats_offboard, seats_reconcile) are its modes: ``add`` (give
seats), ``remove`` (take them back) and ``exact`` (make the holders exactly the desired
ones). Each plans a whole run on the controller as units of work, one product each, and
the engine runs one seat-module call per unit with ``_execute_module``, so that the
module_defaults of the platform's action group, check mode and each product's result are
exactly the modules' own. A unit's result depends on that unit alone: units may run in any
order (a later change runs them concurrently). This module holds that machinery once: the
start of a run (the options checked, the mode), each platform's connection options (the
action's own, or the role's variables), the module arguments (module_defaults first, on
every supported ansible-core), running a module, and making directories and writing files
whole. Every platform fact comes from the registry (``_seat_platforms``).
"""

from __future__ import annotations

import os
import tempfile

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.seatops.seats.plugins.plugin_utils import _seat_platforms as seat_platforms

# How module_defaults reach a module an action runs. ansible-core 2.16 - 2.18 have a public
# helper, get_action_args_with_defaults; 2.19 removed it and offers only a private one,
# _apply_action_arg_defaults (the builtin package, service and gather_facts actions use it),
# and no public API resolves module_defaults for a module an action runs. So: the public
# helper where it exists; else the private one, imported behind this guard; else (a core
# that has neither) the collection's own resolution, defaults_from_task, which reads only
# the task's module_defaults and its play's action groups (the play keeps those in an
# attribute, read with getattr so that a core without it means "no groups", as 2.16 - 2.18
# warn and do without). tests/unit covers all three.
try:
    from ansible.executor.module_common import get_action_args_with_defaults
except ImportError:
    get_action_args_with_defaults = None
try:
    # Private: only 2.19 and later have it, and only while no public API does this.
    from ansible.executor.module_common import _apply_action_arg_defaults
except ImportError:
    _apply_action_arg_defaults = None

# ansible-core before 2.19 leaves this placeholder where a templated default was default(omit).
OMIT_PREFIX = "__omit_place_holder__"

# The collection's connection variables: seatops_<platform>_<option> (docs/awx.md).
COLLECTION_VARIABLE_PREFIX = "seatops_"

# A module argument to leave out of a call even when module_defaults set it.
UNSET = object()

# The seat-module arguments of each mode of the engine. ``add`` only gives seats (onboarding,
# restore, a plan's assignments) and ``remove`` only takes back the seats it names
# (offboarding, a plan's reclaims): the engine's idle rule (``reclaim_inactive_days``, which a
# play may set for a platform's modules) would reclaim seats nobody named, or be refused, so
# it reaches only ``exact`` calls (reconcile from a desired state).
MODES = {
    "add": {"state": "present", "reclaim_inactive_days": UNSET},
    "remove": {"state": "absent", "reclaim_inactive_days": UNSET},
    "exact": {"state": "present", "exclusive": True},
}


def action_groups(task):
    """The action groups of the task's play: each action's fully qualified group names."""
    play = getattr(getattr(task, "_parent", None), "_play", None)
    return getattr(play, "_action_groups", None) or {}


def defaults_from_task(module, task, templar):
    """The module_defaults that apply to ``module`` in ``task``, resolved as ansible-core does
    (the groups the module belongs to first, then the module's own entry, each templated),
    for a core without either helper above."""
    merged = {}
    for entry in task.module_defaults or []:
        merged.update(entry)
    groups = action_groups(task).get(module, [])
    args = {}
    for key, value in merged.items():
        if key.startswith("group/") and key[len("group/"):] in groups:
            args.update(templar.template(value or {}))
    args.update(templar.template(merged.get(module) or {}))
    return args


class Unit(object):
    """One unit of work: one product of one platform and the people the call is for.

    ``product``: the product's identifier fields; ``users``: the names the seat module
    gets; ``extra``: further module arguments of this product (protected, max_reclaims)."""

    __slots__ = ("platform", "product", "users", "extra")

    def __init__(self, platform, product, users, extra=None):
        self.platform = platform
        self.product = product
        self.users = users
        self.extra = extra or {}

    @property
    def label(self):
        return seat_platforms.product_label(self.platform, self.product)


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
        problem = seat_platforms.connection_problem(args)
        if problem:
            return dict(result, failed=True, msg=problem), None, None
        check = bool(self._task.check_mode)
        if say_mode:
            result["mode"] = "check" if check else "apply"
        return result, args, check

    def _module_args(self, module, extra):
        """A module's arguments: the module_defaults that apply to it (its action group's,
        then its own), then ``extra`` (None values left out, so a module default stays)."""
        if get_action_args_with_defaults is not None:
            defaults = get_action_args_with_defaults(
                module, {}, self._task.module_defaults, self._templar,
                action_groups=action_groups(self._task))
        elif _apply_action_arg_defaults is not None:
            defaults = _apply_action_arg_defaults(module, self._task, {}, self._templar)
        else:
            defaults = defaults_from_task(module, self._task, self._templar)
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

    def _role_variable(self, task_vars, name, default=None):
        """A role variable's value (templated), ``default`` when it is not set or empty."""
        if name not in (task_vars or {}):
            return default
        value = self._templar.template(task_vars[name])
        if value is None or (isinstance(value, str) and (not value.strip() or value.startswith(OMIT_PREFIX))):
            return default
        return value

    def _connections(self, args, task_vars):
        """Each platform's connection options, the first that is set of: the action's own
        (``<platform>:``); for a role (``variable_prefix``), the role's variables for the
        options the registry says a role takes (``<prefix><platform>_<option>``, such as
        ``onboarding_<platform>_api_url``); the collection's connection variables
        ``seatops_<platform>_<option>`` (extra variables of an AWX job or ansible-runner's
        env/extravars). What none of them sets comes from module_defaults, then the
        environment, as for the modules themselves."""
        prefix = args.get("variable_prefix")
        connections = {}
        for platform in seat_platforms.platforms():
            given = dict((key, value) for key, value in (args.get(platform.name) or {}).items()
                         if not (isinstance(value, str) and value.startswith(OMIT_PREFIX)))
            names = []
            if prefix:
                names.extend((option, "%s%s_%s" % (prefix, platform.name, option)) for option in platform.role_connection_options)
            names.extend((option, "%s%s_%s" % (COLLECTION_VARIABLE_PREFIX, platform.name, option))
                         for option in platform.connection_options)
            for option, name in names:
                if option not in given:
                    value = self._role_variable(task_vars, name)
                    if value is not None:
                        given[option] = value
            connections[platform.name] = given
        return connections

    def _products_given(self, args, task_vars, platform):
        """The ``<platform>_products`` of the action; for a role, the platform's entry of
        the role's ``<prefix>products`` mapping (what the collection's playbooks pass from a
        survey) when it names any, else the role's ``<prefix><platform>_products``; None
        when none gives any."""
        given = args.get("%s_products" % platform)
        prefix = args.get("variable_prefix")
        if given is None and prefix:
            mapping = self._role_variable(task_vars, prefix + "products")
            if isinstance(mapping, dict) and mapping.get(platform) not in (None, "", []):
                return mapping[platform]
            given = self._role_variable(task_vars, "%s%s_products" % (prefix, platform))
        return given

    def _platforms_chosen(self, args, task_vars):
        """The platforms a run is for: the action's ``platforms``; else, per platform, what
        a role's ``<prefix><platform>`` variable says when it is set (true or false); a
        platform nothing chooses or leaves out takes part when it can list the products a
        person holds (the registry's ``holdings_args``) or when its products are given. When
        that leaves no platform, every one: the input problems then say what each needs."""
        if args.get("platforms") is not None:
            return [name for name in seat_platforms.names() if name in args["platforms"]]
        prefix = args.get("variable_prefix")
        chosen = []
        for platform in seat_platforms.platforms():
            said = self._role_variable(task_vars, prefix + platform.name) if prefix else None
            if said is not None:
                if boolean(said, strict=False):
                    chosen.append(platform.name)
            elif platform.holdings_args is not None or \
                    self._products_given(args, task_vars, platform.name) not in (None, "", []):
                chosen.append(platform.name)
        return chosen or list(seat_platforms.names())

    def _run_units(self, mode, units, common, connections, task_vars, warnings, holders_before=False):
        """One seat-module call per unit in ``mode`` (see MODES); ``[(unit, result)]`` in the
        units' order. Each call is built from its unit, the mode and ``common`` alone."""
        done = []
        for unit in units:
            call = dict(common, **MODES[mode])
            call.update(unit.extra)
            call.update(unit.product)
            call["users"] = unit.users
            result = self._run_seat_module(unit.platform, connections[unit.platform], call, task_vars, unit.label,
                                           warnings, holders_before=holders_before)
            done.append((unit, result))
        return done

    def _run_info(self, platform, connections, info_args, task_vars, warnings, purpose):
        """The platform's info module with ``info_args``; its warnings say the purpose."""
        module = seat_platforms.get(platform).info_module
        result = self._run_module(module, dict(self._module_args(module, connections[platform]), **info_args), task_vars)
        for warning in result.pop("warnings", None) or []:
            warnings.append("%s (%s): %s" % (seat_platforms.label(platform), purpose, seat_platforms.warning_text(warning)))
        return result

    def _run_seat_module(self, platform, connection, call_args, task_vars, label, warnings, holders_before=False):
        """One seat-module call for one product; its warnings go to ``warnings`` with the
        product's label, so a warning says which product it is about."""
        module = seat_platforms.get(platform).seat_module
        module_args = self._module_args(module, connection)
        module_args.update(call_args)
        for key in [key for key, value in module_args.items() if value is UNSET]:
            del module_args[key]
        result = self._run_module(module, module_args, task_vars, holders_before=holders_before)
        for warning in result.pop("warnings", None) or []:
            warnings.append("%s: %s" % (label, seat_platforms.warning_text(warning)))
        return result
