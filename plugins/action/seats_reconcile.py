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

from ansible_collections.seatops.seats.plugins.plugin_utils import _desired_state as desired_state
from ansible_collections.seatops.seats.plugins.plugin_utils import _reconcile_report as reconcile_report
from ansible_collections.seatops.seats.plugins.plugin_utils import _seat_platforms as seat_platforms
from ansible_collections.seatops.seats.plugins.plugin_utils._run_context import run_context
from ansible_collections.seatops.seats.plugins.plugin_utils._seat_runs import SeatAction, Unit, directory_problem, write_whole

OPTIONS = {
    "desired_state_file": {"type": "path"},
    "desired_state": {"type": "dict"},
    "max_reclaims": {"type": "raw", "default": "10%"},
    "grace_days": {"type": "raw", "default": 0},
    "unknown_users": {"type": "str", "default": "warn", "choices": ["fail", "warn", "ignore"]},
    "journal": {"type": "str"},
    "report_dir": {"type": "path", "required": True},
    "report_name": {"type": "str"},
    "html_template": {"type": "path"},
    "fail_on_errors": {"type": "bool", "default": True},
    "variable_prefix": {"type": "str", "default": ""},
}


def argument_spec():
    spec = dict(OPTIONS)
    spec.update(seat_platforms.connection_argument_spec())
    return spec


class ActionModule(SeatAction):

    def run(self, tmp=None, task_vars=None):
        del tmp
        # The result says its mode with the report, not before.
        result, args, check = self._start(task_vars, argument_spec(), say_mode=False,
                                          mutually_exclusive=[("desired_state_file", "desired_state")],
                                          required_one_of=[("desired_state_file", "desired_state")])
        if args is None:
            return result

        guard = (desired_state.guard_problem(args["max_reclaims"], "max_reclaims")
                 or desired_state.whole_number_problem(args["grace_days"], "grace_days"))
        if guard:
            return dict(result, failed=True, msg="%s (the default for entries without their own; nothing was read "
                        "or changed)" % guard)
        try:
            state = self._read_desired_state(args)
        except desired_state.DesiredStateError as exc:
            return dict(result, failed=True, msg=str(exc))

        problem = directory_problem(args["report_dir"])
        if not problem and args["html_template"] and not os.path.isfile(args["html_template"]):
            problem = "html_template %s is not a file" % args["html_template"]
        elif problem:
            problem = "report_dir " + problem
        if problem:
            return dict(result, failed=True, msg="%s (nothing was read or changed)" % problem)

        mode = "check" if check else "apply"
        started = datetime.datetime.now(datetime.timezone.utc)
        runs, inventory, warnings = self._synchronise(state, args, task_vars)
        report = reconcile_report.build_report(
            runs, inventory, args["max_reclaims"], started.strftime("%Y-%m-%dT%H:%M:%SZ"), mode,
            os.path.basename(args["desired_state_file"]) if args["desired_state_file"] else "inline",
            int(args["grace_days"]), run_context(task_vars))
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

    def _synchronise(self, state, args, task_vars):
        """One exclusive sync per product; a product's failure never stops the others."""
        warnings, inventory = [], {}
        connections = self._connections(args, task_vars)
        for platform in seat_platforms.platforms():
            if platform.inventory and state.get(platform.name):
                info = self._run_info(platform.name, connections, platform.inventory_args, task_vars, warnings,
                                      "inventory, for capacity in the report")
                if info.get("failed"):
                    warnings.append("%s inventory (for capacity in the report): %s" % (platform.label, info.get("msg")))
                inventory[platform.name] = info.get("inventory") or []
        units = []
        for platform in seat_platforms.names():
            for entry in state.get(platform) or []:
                units.append(Unit(platform, seat_platforms.product_of(platform, entry), entry["users"],
                                  self._entry_options(entry, args)))
        entries = [entry for platform in seat_platforms.names() for entry in state.get(platform) or []]
        done = self._run_units("exact", units, {"unknown_users": args["unknown_users"], "journal": args["journal"] or None},
                               connections, task_vars, warnings)
        runs = [(unit.platform, entry, module_result) for (unit, module_result), entry in zip(done, entries)]
        return runs, inventory, warnings

    @staticmethod
    def _entry_options(entry, args):
        """The seat-module options of one desired entry: its own, else the task's defaults."""
        options = {"protected": entry.get("protected") or []}
        for field in ("max_reclaims", "grace_days"):
            options[field] = args[field] if entry.get(field) is None else entry[field]
        if entry.get("max_holders") is not None:
            options["max_holders"] = entry["max_holders"]
        return options

    def _write_report(self, report, args, started, mode):
        directory = args["report_dir"]
        name = args["report_name"] or "seat-report-%s-%s" % (started.strftime("%Y%m%dT%H%M%SZ"), mode)
        base = os.path.join(directory, name)
        write_whole(base + ".json", reconcile_report.to_json(report))
        html_path = None
        if args["html_template"]:
            with open(args["html_template"], "r") as handle:
                template = handle.read()
            html_path = base + ".html"
            write_whole(html_path, reconcile_report.render_html(template, report))
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
        diffs = [seat_platforms.headed_diff(module_result, seat_platforms.product_label(platform, entry))
                 for platform, entry, module_result in runs]
        return [diff for diff in diffs if diff is not None]
