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
from ansible_collections.seatops.seats.plugins.plugin_utils import _plan as plans
from ansible_collections.seatops.seats.plugins.plugin_utils import _reconcile_report as reconcile_report
from ansible_collections.seatops.seats.plugins.plugin_utils import _seat_platforms as seat_platforms
from ansible_collections.seatops.seats.plugins.plugin_utils._run_context import collection_version, run_context
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
    "plan_path": {"type": "path"},
    "plan_file": {"type": "path"},
    "plan": {"type": "dict"},
    "on_stale": {"type": "str", "default": "refuse", "choices": list(plans.ON_STALE)},
    "plan_max_age_hours": {"type": "float", "default": plans.DEFAULT_MAX_AGE_HOURS},
}


def argument_spec():
    spec = dict(OPTIONS)
    spec.update(seat_platforms.connection_argument_spec())
    return spec


class ActionModule(SeatAction):

    def run(self, tmp=None, task_vars=None):
        del tmp
        # The result says its mode with the report, not before.
        sources = ("desired_state_file", "desired_state", "plan_file", "plan")
        result, args, check = self._start(task_vars, argument_spec(), say_mode=False,
                                          mutually_exclusive=[(first, second) for index, first in enumerate(sources)
                                                              for second in sources[index + 1:]],
                                          required_one_of=[sources])
        if args is None:
            return result

        started = datetime.datetime.now(datetime.timezone.utc)
        mode = "check" if check else "apply"
        plan = None
        if args["plan_file"] or args["plan"]:
            try:
                plan = self._read_plan(args, started)
            except plans.PlanError as exc:
                return dict(result, failed=True, msg=str(exc))
        else:
            guard = desired_state.guard_problem(args["max_reclaims"], "max_reclaims")
            guard = guard or desired_state.whole_number_problem(args["grace_days"], "grace_days")
            if guard:
                return dict(result, failed=True, msg="%s (the default for entries without their own; nothing was read "
                            "or changed)" % guard)
            try:
                state = self._read_desired_state(args)
            except desired_state.DesiredStateError as exc:
                return dict(result, failed=True, msg=str(exc))

        default_name = "seat-report-%s-%s" % (started.strftime("%Y%m%dT%H%M%SZ"), mode)
        base = os.path.join(args["report_dir"], args["report_name"] or default_name)
        plan_path = None
        if check and plan is None:
            plan_path = os.path.abspath(args["plan_path"] or base + ".plan.json")
        problem = directory_problem(args["report_dir"])
        if not problem and args["html_template"] and not os.path.isfile(args["html_template"]):
            problem = "html_template %s is not a file" % args["html_template"]
        elif problem:
            problem = "report_dir " + problem
        if not problem and plan_path and args["plan_path"]:
            problem = directory_problem(os.path.dirname(os.path.abspath(plan_path)))
            problem = problem and "plan_path " + problem
        if problem:
            return dict(result, failed=True, msg="%s (nothing was read or changed)" % problem)

        context = run_context(task_vars)
        if plan is not None:
            # An inline plan (an AWX workflow's artifact) is named by its digest.
            args["plan_file"] = args["plan_file"] or "(inline plan %s)" % plan["digest"][:12]
            context["plan_file"] = args["plan_file"]
            runs, inventory, warnings, outcomes = self._apply_plan(plan, args, task_vars)
            report = reconcile_report.build_report(
                runs, inventory, plan["defaults"]["max_reclaims"], started.strftime("%Y-%m-%dT%H:%M:%SZ"), mode,
                plan["desired_state"]["name"], plan["defaults"]["grace_days"], context)
            self._add_plan_outcomes(report, plan, outcomes, args)
        else:
            runs, inventory, warnings = self._synchronise(state, args, task_vars)
            if plan_path:
                context["plan_file"] = plan_path
            report = reconcile_report.build_report(
                runs, inventory, args["max_reclaims"], started.strftime("%Y-%m-%dT%H:%M:%SZ"), mode,
                self._desired_state_name(args), int(args["grace_days"]), context)
        totals = report["totals"]
        result.update(
            changed=totals["to_assign"] + totals["to_reclaim"] > 0,
            mode=mode,
            generated_at=report["generated_at"],
            totals=totals,
            products=reconcile_report.summary(report),
        )
        if plan is not None:
            result["plan_file"] = args["plan_file"]
            for item, row in zip(result["products"], report["products"]):
                item["plan"] = plans.summary(row["plan"])
        if plan_path:
            # The plan first: an audit whose plan cannot be written has no output to approve.
            try:
                saved = plans.build_plan(runs, {"max_reclaims": args["max_reclaims"], "grace_days": int(args["grace_days"]),
                                                "unknown_users": args["unknown_users"]},
                                         state, self._desired_state_name(args), started,
                                         collection_version(), context)
                write_whole(plan_path, plans.to_json(saved))
            except (IOError, OSError, ValueError, TypeError) as exc:
                return dict(result, failed=True, msg="cannot write the plan %s: %s" % (plan_path, to_text(exc)))
            result["plan_file"] = plan_path
        try:
            paths = self._write_report(report, args, base)
        except (IOError, OSError, AnsibleError, ValueError) as exc:
            # The seats have changed: the result still says, per product, what happened.
            return dict(result, failed=True, msg="cannot write the reconcile report: %s" % to_text(exc))
        message = self._message(report, paths, result.get("plan_file"), plan is not None)
        result.update(report_json=paths[0], report_html=paths[1], msg=message)
        if warnings:
            result["warnings"] = warnings
        if self._task.diff:
            result["diff"] = self._diffs(runs)
        problems = [row["product"] for row in report["products"] if row["error"] or row["failed"]]
        if problems and args["fail_on_errors"]:
            result.update(failed=True, msg="%d product(s) had errors (the report has the details: %s): %s"
                          % (len(problems), paths[1] or paths[0], ", ".join(problems)))
        return result

    @staticmethod
    def _desired_state_name(args):
        return os.path.basename(args["desired_state_file"]) if args["desired_state_file"] else "inline"

    def _read_plan(self, args, now):
        """The plan of ``plan_file``, checked (format, digest, version, age, fields) before any call."""
        max_age = args["plan_max_age_hours"]
        if isinstance(max_age, bool) or not isinstance(max_age, (int, float)) or max_age <= 0:
            raise plans.PlanError("plan_max_age_hours must be a number of hours above 0, got %r (nothing was read "
                                  "or changed)" % (max_age,))
        if args["plan"] is not None:
            return plans.check(args["plan"], None, collection_version(), now, max_age)
        path = args["plan_file"]
        try:
            path = self._find_needle("files", path)
        except AnsibleError:
            pass  # keep the path as given; load names it in its error
        return plans.check(plans.load(path), args["plan_file"], collection_version(), now, max_age)

    def _apply_plan(self, plan, args, task_vars):
        """A plan's changes and nothing else: per product at most two calls, the planned
        reclaims (state=absent), then the planned assignments (state=present), each naming
        exactly the plan's people. With ``on_stale=refuse`` the first call of a product
        carries the holders' fingerprint, so a product whose holders moved since is refused
        before any write; with ``apply_rest`` nothing is refused for that, and a planned
        change somebody already made comes back unchanged (done by someone else)."""
        warnings, inventory = [], {}
        connections = self._connections(args, task_vars)
        refuse = args["on_stale"] == "refuse"
        for platform in seat_platforms.platforms():
            if platform.inventory and any(product["platform"] == platform.name for product in plan["products"]):
                info = self._run_info(platform.name, connections, platform.inventory_args, task_vars, warnings,
                                      "inventory, for capacity in the report")
                if info.get("failed"):
                    warnings.append("%s inventory (for capacity in the report): %s" % (platform.label, info.get("msg")))
                inventory[platform.name] = info.get("inventory") or []
        common = {"journal": args["journal"] or None}
        products = plan["products"]
        active = [product for product in products if not product.get("error")]
        reclaim_products = [product for product in active if product["to_reclaim"]]
        reclaims = [Unit(product["platform"], product["product"], plans.exact_names(product["to_reclaim"]),
                         {"unknown_users": "fail" if refuse else "ignore",
                          "expect_holders_digest": product["holders_digest"] if refuse else None})
                    for product in reclaim_products]
        reclaim_results = {}
        for product, (_unit, module_result) in zip(reclaim_products, self._run_units("remove", reclaims, common, connections,
                                                                                     task_vars, warnings)):
            reclaim_results[id(product)] = module_result
        assigns, assign_products = [], []
        for product in active:
            if not product["to_assign"]:
                continue
            before = reclaim_results.get(id(product))
            if before is not None and before.get("failed"):
                continue  # never assign on a product whose reclaims did not go through
            extra = {"unknown_users": "fail" if refuse else "warn",
                     "max_holders": product["guards"].get("max_holders"),
                     "expect_holders_digest": product["holders_digest"] if refuse and before is None else None}
            assigns.append(Unit(product["platform"], product["product"], plans.exact_names(product["to_assign"]), extra))
            assign_products.append(product)
        assign_results = {}
        for product, (_unit, module_result) in zip(assign_products, self._run_units("add", assigns, common, connections,
                                                                                    task_vars, warnings)):
            assign_results[id(product)] = module_result
        runs, outcomes = [], []
        for product in products:
            reclaim_result, assign_result = reclaim_results.get(id(product)), assign_results.get(id(product))
            outcome = plans.outcome(product, reclaim_result, assign_result, args["on_stale"])
            entry = dict(product["product"], users=[], protected=product.get("protected") or [],
                         max_reclaims=product["guards"].get("max_reclaims"), grace_days=product["guards"].get("grace_days"),
                         max_holders=product["guards"].get("max_holders"), price=product.get("price"))
            runs.append((product["platform"], entry, plans.merged_result(product, reclaim_result, assign_result, outcome)))
            outcomes.append(outcome)
        return runs, inventory, warnings, outcomes

    @staticmethod
    def _add_plan_outcomes(report, plan, outcomes, args):
        """The report of an apply from a plan: which plan, and per product what became of it."""
        report["plan"] = {"file": args["plan_file"], "created_at": plan["created_at"], "digest": plan["digest"],
                          "desired_state": plan["desired_state"], "made_by": plan.get("made_by") or {},
                          "on_stale": args["on_stale"]}
        for row, product, outcome in zip(report["products"], plan["products"], outcomes):
            row["desired"] = product.get("desired", row["desired"])
            row["plan"] = outcome
            if outcome["stale"]:
                row["status"] = "error"
                row["error"] = outcome["stale"]

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
            if platform.inventory and seat_platforms.desired_entries(state, platform):
                info = self._run_info(platform.name, connections, platform.inventory_args, task_vars, warnings,
                                      "inventory, for capacity in the report")
                if info.get("failed"):
                    warnings.append("%s inventory (for capacity in the report): %s" % (platform.label, info.get("msg")))
                inventory[platform.name] = info.get("inventory") or []
        units = []
        for platform in seat_platforms.names():
            for entry in seat_platforms.desired_entries(state, platform) or []:
                units.append(Unit(platform, seat_platforms.product_of(platform, entry), entry["users"],
                                  self._entry_options(entry, args)))
        entries = [entry for platform in seat_platforms.names()
                   for entry in seat_platforms.desired_entries(state, platform) or []]
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

    @staticmethod
    def _write_report(report, args, base):
        write_whole(base + ".json", reconcile_report.to_json(report))
        html_path = None
        if args["html_template"]:
            with open(args["html_template"], "r") as handle:
                template = handle.read()
            html_path = base + ".html"
            write_whole(html_path, reconcile_report.render_html(template, report))
        return base + ".json", html_path

    @staticmethod
    def _message(report, paths, plan_path=None, from_plan=False):
        totals = report["totals"]
        check = report["mode"] == "check"
        if from_plan:
            opening = "Applied the plan %s (made %s)%s:" % (plan_path, report["plan"]["created_at"],
                                                            " in check mode, nothing was changed" if check else "")
        else:
            opening = "Audit (check mode): nothing was changed." if check else "Reconciled."
        if plan_path and not from_plan:
            opening += " Plan: %s." % plan_path
        return ("%s %d product(s): %d in sync, %d seat(s) %s, %d %s, %d product(s) with errors. Report: %s"
                % (opening, totals["products"], totals["in_sync"], totals["to_assign"],
                   "to assign" if check else "assigned", totals["to_reclaim"],
                   "to reclaim" if check else "reclaimed", totals["with_errors"], paths[1] or paths[0]))

    @staticmethod
    def _diffs(runs):
        diffs = [seat_platforms.headed_diff(module_result, seat_platforms.product_label(platform, entry))
                 for platform, entry, module_result in runs]
        return [diff for diff in diffs if diff is not None]
