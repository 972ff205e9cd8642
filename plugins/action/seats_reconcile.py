# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin behind seatops.seats.seats_reconcile (documented in plugins/modules/).

It reads the desired state on the controller, runs one exclusive seat-module call per
product on the target (the modules do all API work), and writes the JSON and HTML report on
the controller. Doing this in Python rather than in role tasks keeps the per-product user
lists out of host variables: Ansible templates every value it stores or passes, which costs
seconds per pass at fifty thousand names (see docs/benchmarks.md).
"""

from __future__ import annotations

import datetime
import os

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

from ansible_collections.seatops.seats.plugins.plugin_utils import _desired_state as desired_state
from ansible_collections.seatops.seats.plugins.plugin_utils import _reconcile_report as reconcile_report

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

MODULES = {"datadog": "seatops.seats.datadog_seats", "msstore": "seatops.seats.msstore_seat"}
CONNECTION_OPTIONS = {
    "datadog": ("site", "api_url", "api_key", "app_key", "validate_certs", "ca_path", "timeout", "retries"),
    "msstore": ("tenant_id", "client_id", "client_secret", "access_token", "auth_url", "api_url",
                "validate_certs", "ca_path", "timeout", "retries"),
}
ARGUMENT_SPEC = {
    "desired_state_file": {"type": "path"},
    "desired_state": {"type": "dict"},
    "max_reclaims": {"type": "raw", "default": "10%"},
    "unknown_users": {"type": "str", "default": "warn", "choices": ["fail", "warn", "ignore"]},
    "journal": {"type": "str"},
    "report_dir": {"type": "path", "required": True},
    "report_name": {"type": "str"},
    "html_template": {"type": "path"},
    "fail_on_errors": {"type": "bool", "default": True},
    "datadog": {"type": "dict", "default": {}, "no_log": False},
    "msstore": {"type": "dict", "default": {}, "no_log": False},
}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        validation, args = self.validate_argument_spec(
            argument_spec=ARGUMENT_SPEC,
            mutually_exclusive=[("desired_state_file", "desired_state")],
            required_one_of=[("desired_state_file", "desired_state")])
        del validation
        for platform, allowed in CONNECTION_OPTIONS.items():
            unknown = sorted(set(args[platform]) - set(allowed))
            if unknown:
                return dict(result, failed=True, msg="%s: unknown connection option(s) %s (allowed: %s)"
                            % (platform, ", ".join(unknown), ", ".join(allowed)))

        guard = desired_state.guard_problem(args["max_reclaims"], "max_reclaims")
        if guard:
            return dict(result, failed=True, msg="%s (the default for entries without their own; nothing was read "
                        "or changed)" % guard)
        try:
            state = self._read_desired_state(args)
        except desired_state.DesiredStateError as exc:
            return dict(result, failed=True, msg=str(exc))

        problem = _report_dir_problem(args["report_dir"])
        if not problem and args["html_template"] and not os.path.isfile(args["html_template"]):
            problem = "html_template %s is not a file" % args["html_template"]
        elif problem:
            problem = "report_dir " + problem
        if problem:
            return dict(result, failed=True, msg="%s (nothing was read or changed)" % problem)

        mode = "check" if self._task.check_mode else "apply"
        started = datetime.datetime.now(datetime.timezone.utc)
        runs, inventory, warnings = self._synchronise(state, args, task_vars)
        report = reconcile_report.build_report(
            runs, inventory, args["max_reclaims"], started.strftime("%Y-%m-%dT%H:%M:%SZ"), mode,
            os.path.basename(args["desired_state_file"]) if args["desired_state_file"] else "inline")
        totals = report["totals"]
        result.update(
            changed=totals["to_assign"] + totals["to_reclaim"] > 0,
            mode=mode,
            generated_at=report["generated_at"],
            totals=totals,
            products=reconcile_report.summary(report),
        )
        try:
            paths = self._write_report(report, args, started, mode)
        except (IOError, OSError, AnsibleError, ValueError) as exc:
            # The seats have changed: the result still says, per product, what happened.
            return dict(result, failed=True, msg="cannot write the reconcile report: %s" % to_text(exc))
        result.update(report_json=paths[0], report_html=paths[1], msg=self._message(report, paths))
        if warnings:
            result["warnings"] = warnings
        if self._task.diff:
            result["diff"] = self._diffs(runs)
        problems = [row["product"] for row in report["products"] if row["error"] or row["failed"]]
        if problems and args["fail_on_errors"]:
            result.update(failed=True, msg="%d product(s) had errors (the report has the details: %s): %s"
                          % (len(problems), paths[1] or paths[0], ", ".join(problems)))
        return result

    def _read_desired_state(self, args):
        if args["desired_state_file"]:
            path = args["desired_state_file"]
            try:
                path = self._find_needle("files", path)
            except AnsibleError:
                pass  # keep the path as given; load_file names it in its error
            state = desired_state.load_file(path)
            source = args["desired_state_file"]
        else:
            state, source = args["desired_state"], "(inline desired_state)"
        problems = desired_state.problems(state)
        if problems:
            raise desired_state.DesiredStateError(
                "The desired state %s has %d problem(s); nothing was read or changed: %s"
                % (source, len(problems), "; ".join(problems)))
        return state

    def _module_args(self, platform, extra, task_vars):
        """The seat module's arguments: module_defaults of its group, then connection options."""
        module = MODULES[platform]
        if _apply_action_arg_defaults is not None:
            defaults = _apply_action_arg_defaults(module, self._task, {}, self._templar)
        else:  # pragma: no cover - older ansible-core
            defaults = get_action_args_with_defaults(
                module, {}, self._task.module_defaults, self._templar,
                action_groups=self._task._parent._play._action_groups)
        # ansible-core before 2.19 leaves default(omit) placeholders in templated defaults.
        args = dict((key, value) for key, value in defaults.items()
                    if not (isinstance(value, str) and value.startswith("__omit_place_holder__")))
        args.update((key, value) for key, value in extra.items() if value is not None)
        return args

    def _run_module(self, module, module_args, task_vars):
        result = self._execute_module(module_name=module, module_args=module_args, task_vars=task_vars)
        result.pop("invocation", None)  # the full user list again; the report does not need it
        return result

    def _synchronise(self, state, args, task_vars):
        """One exclusive sync per product; a product's failure never stops the others."""
        runs, warnings, inventory = [], [], []
        common = {"state": "present", "exclusive": True, "unknown_users": args["unknown_users"],
                  "journal": args["journal"] or None}
        if state.get("msstore"):
            info = self._run_module("seatops.seats.msstore_seat_info",
                                    dict(self._module_args("msstore", args["msstore"], task_vars), view="inventory"),
                                    task_vars)
            if info.get("failed"):
                warnings.append("Store inventory (for capacity in the report): %s" % info.get("msg"))
            inventory = info.get("inventory") or []
        for platform, id_fields in (("datadog", ("product_code",)), ("msstore", ("product_id", "sku_id"))):
            for entry in state.get(platform) or []:
                module_args = self._module_args(platform, args[platform], task_vars)
                module_args.update(common)
                module_args.update((field, entry[field]) for field in id_fields)
                module_args.update(users=entry["users"], protected=entry.get("protected") or [],
                                   max_reclaims=args["max_reclaims"] if entry.get("max_reclaims") is None
                                   else entry["max_reclaims"])
                module_result = self._run_module(MODULES[platform], module_args, task_vars)
                label = reconcile_report.product_label(platform, entry)
                for warning in module_result.pop("warnings", None) or []:
                    warnings.append("%s: %s" % (label, _warning_text(warning)))
                runs.append((platform, entry, module_result))
        return runs, inventory, warnings

    def _write_report(self, report, args, started, mode):
        directory = args["report_dir"]
        name = args["report_name"] or "seat-report-%s-%s" % (started.strftime("%Y%m%dT%H%M%SZ"), mode)
        base = os.path.join(directory, name)
        _write(base + ".json", reconcile_report.to_json(report))
        html_path = None
        if args["html_template"]:
            with open(args["html_template"], "r") as handle:
                template = handle.read()
            html_path = base + ".html"
            _write(html_path, reconcile_report.render_html(template, report))
        return base + ".json", html_path

    @staticmethod
    def _message(report, paths):
        totals = report["totals"]
        check = report["mode"] == "check"
        return ("%s %d product(s): %d in sync, %d seat(s) %s, %d %s, %d product(s) with errors. Report: %s"
                % ("Audit (check mode): nothing was changed." if check else "Reconciled.",
                   totals["products"], totals["in_sync"], totals["to_assign"],
                   "to assign" if check else "assigned", totals["to_reclaim"],
                   "to reclaim" if check else "reclaimed", totals["with_errors"], paths[1] or paths[0]))

    @staticmethod
    def _diffs(runs):
        diffs = []
        for platform, entry, module_result in runs:
            diff = module_result.get("diff")
            if isinstance(diff, dict) and "before" in diff:
                label = reconcile_report.product_label(platform, entry)
                diffs.append(dict(diff, before_header=label, after_header=label))
        return diffs


def _report_dir_problem(directory):
    """Create the report directory now, before any call, and say why it cannot be written."""
    try:
        if not os.path.isdir(directory):
            os.makedirs(directory, 0o755)
    except OSError as exc:
        return "%s cannot be created: %s" % (directory, exc.strerror or exc)
    if not os.access(directory, os.W_OK | os.X_OK):
        return "%s is not writable" % directory
    return None


def _warning_text(warning):
    """A module warning's text: a string before ansible-core 2.19, a WarningSummary since."""
    event = getattr(warning, "event", None)
    return getattr(event, "msg", None) or to_text(warning)


def _write(path, text):
    """Write the file whole or not at all: a half-written report must never be read as true."""
    partial = path + ".partial"
    with open(partial, "w") as handle:
        handle.write(text)
    os.chmod(partial, 0o644)
    os.replace(partial, path)
