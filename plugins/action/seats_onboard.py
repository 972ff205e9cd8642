# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin behind seatops.seats.seats_onboard (documented in plugins/modules/).

Gives people their seats, additively: every person and product is checked before any call,
people are grouped by product on the controller, and each product gets one seat-module call
(state=present) with everyone entitled to it. One product's failure never stops the others;
the task fails at the end naming every failure.
"""

from __future__ import annotations

from ansible_collections.seatops.seats.plugins.plugin_utils import _seat_input as seat_input
from ansible_collections.seatops.seats.plugins.plugin_utils import _seat_outcomes as outcomes
from ansible_collections.seatops.seats.plugins.plugin_utils._seat_platforms import (
    CONNECTION_ARGUMENT_SPEC,
    PLATFORMS,
    product_label,
)
from ansible_collections.seatops.seats.plugins.plugin_utils._seat_runs import SeatAction

ARGUMENT_SPEC = {
    # raw elements: every entry is checked here, so a problem names its index
    "people": {"type": "list", "elements": "raw", "default": []},
    "datadog_products": {"type": "list", "elements": "raw", "default": []},
    "msstore_products": {"type": "list", "elements": "raw", "default": []},
    "unknown_users": {"type": "str", "default": "fail", "choices": ["fail", "warn", "ignore"]},
    "journal": {"type": "str"},
    "fail_on_errors": {"type": "bool", "default": True},
    "variable_prefix": {"type": "str", "default": ""},
}
ARGUMENT_SPEC.update(CONNECTION_ARGUMENT_SPEC)


class ActionModule(SeatAction):

    def run(self, tmp=None, task_vars=None):
        del tmp
        result, args, check = self._start(task_vars, ARGUMENT_SPEC)
        if args is None:
            return result

        plan, people_count, problems = self._plan(args)
        if problems:
            return dict(result, failed=True, changed=False, problems=problems,
                        msg="%d problem(s) in the onboarding input; nothing was read or changed: %s"
                        % (len(problems), "; ".join(problems)))

        rows, failures, warnings, diffs = [], [], [], []
        for platform in PLATFORMS:
            for entry, users in plan[platform]:
                call = dict(entry, users=users, state="present", unknown_users=args["unknown_users"],
                            journal=args["journal"] or None)
                module_result = self._run_seat_module(platform, args[platform], call, task_vars,
                                                      product_label(platform, entry), warnings)
                row = outcomes.product_row(platform, entry, module_result)
                rows.append(row)
                failures.extend(outcomes.row_failures(row, users))
                diffs.extend(outcomes.diffs([(row, module_result)]))

        assigned = dict((platform, sum(len(row.get("assigned") or []) for row in rows if row["platform"] == platform))
                        for platform in PLATFORMS)
        skipped = [dict(entry, platform=row["platform"], product=row["product"])
                   for row in rows for entry in row.get("skipped_users") or []]
        result.update(changed=any(row.get("changed") for row in rows), assigned_count=sum(assigned.values()),
                      products=rows, failures=failures, failed_count=len(failures), skipped=skipped,
                      msg=_message(assigned, people_count, len(rows), skipped, failures, check))
        if warnings:
            result["warnings"] = warnings
        if self._task.diff:
            result["diff"] = diffs
        if failures and args["fail_on_errors"]:
            result["failed"] = True
        return result

    @staticmethod
    def _plan(args):
        """People grouped by product: ``{platform: [(entry, users)]}`` in the order products
        first appear; every problem in the input, each named by its option and index."""
        prefix = args["variable_prefix"]
        problems = []
        shared_codes = seat_input.datadog_codes(args["datadog_products"], prefix + "datadog_products", problems)
        shared_store = seat_input.store_products(args["msstore_products"], prefix + "msstore_products", problems)

        def platforms_of(entry):
            """The platforms a person gets seats on: a name is checked only where it is used."""
            used = set()
            if args["datadog_products"] or entry.get("datadog_products"):
                used.add("datadog")
            if args["msstore_products"] or entry.get("msstore_products"):
                used.add("msstore")
            return used

        people = seat_input.people(args["people"], prefix + "people", platforms_of, problems)
        entries = args["people"] if isinstance(args["people"], list) else []
        datadog, store = {}, {}
        for person in people:
            entry = entries[person.index]
            where = "%speople[%d]" % (prefix, person.index)
            codes = shared_codes + seat_input.datadog_codes(_as_list(entry.get("datadog_products"), where + ".datadog_products",
                                                                     problems), where + ".datadog_products", problems)
            products = shared_store + seat_input.store_products(
                _as_list(entry.get("msstore_products"), where + ".msstore_products", problems), where + ".msstore_products", problems)
            for code in codes:
                _add(datadog, code, person.email)
            for key in products:
                _add(store, key, person.upn)
        plan = {"datadog": [({"product_code": code}, users) for code, users in sorted(datadog.items())],
                "msstore": [({"product_id": key[0], "sku_id": key[1]}, users) for key, users in sorted(store.items())]}
        return plan, len(people), problems


def _as_list(value, where, problems):
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append("%s must be a list, got %s" % (where, seat_input.shown(value)))
        return []
    return value


def _add(grouped, key, name):
    """Add a person to a product's list once (names compared without case)."""
    users = grouped.setdefault(key, [])
    if name.lower() not in [user.lower() for user in users]:
        users.append(name)


def _message(assigned, people, products, skipped, failures, check):
    text = "%s %d Datadog and %d Microsoft Store seat(s) to %d people on %d product(s)." % (
        "Would assign" if check else "Assigned", assigned["datadog"], assigned["msstore"], people, products)
    if skipped:
        text += " %d skipped: %s." % (len(skipped), outcomes.names_text(
            "%s %s (%s)" % (entry["product"], entry.get("user"), entry.get("reason")) for entry in skipped))
    if failures:
        text += " %d failure(s): %s." % (len(failures), outcomes.failures_text(failures))
    return text
