# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin behind seatops.seats.seats_onboard (documented in plugins/modules/): the
seat engine's ``add`` mode.

Gives people their seats, additively: every person and product is checked before any call,
people are grouped by product on the controller, and each product gets one seat-module call
(state=present) with everyone entitled to it. One product's failure never stops the others;
the task fails at the end naming every failure.
"""

from __future__ import annotations

from ansible_collections.seatops.seats.plugins.plugin_utils import _seat_input as seat_input
from ansible_collections.seatops.seats.plugins.plugin_utils import _seat_outcomes as outcomes
from ansible_collections.seatops.seats.plugins.plugin_utils import _seat_platforms as seat_platforms
from ansible_collections.seatops.seats.plugins.plugin_utils._seat_runs import SeatAction, Unit


def argument_spec():
    spec = {
        # raw elements: every entry is checked here, so a problem names its index
        "people": {"type": "list", "elements": "raw", "default": []},
        "unknown_users": {"type": "str", "default": "fail", "choices": ["fail", "warn", "ignore"]},
        "journal": {"type": "str"},
        "fail_on_errors": {"type": "bool", "default": True},
        "variable_prefix": {"type": "str", "default": ""},
    }
    spec.update(seat_platforms.connection_argument_spec())
    spec.update(seat_platforms.products_argument_spec())
    return spec


class ActionModule(SeatAction):

    def run(self, tmp=None, task_vars=None):
        del tmp
        result, args, check = self._start(task_vars, argument_spec())
        if args is None:
            return result

        units, people_count, problems = self._plan(args, task_vars)
        if problems:
            return dict(result, failed=True, changed=False, problems=problems,
                        msg="%d problem(s) in the onboarding input; nothing was read or changed: %s"
                        % (len(problems), "; ".join(problems)))

        warnings = []
        done = self._run_units("add", units, {"unknown_users": args["unknown_users"], "journal": args["journal"] or None},
                               self._connections(args, task_vars), task_vars, warnings)
        rows, failures, diffs = [], [], []
        for unit, module_result in done:
            row = outcomes.product_row(unit.platform, unit.product, module_result)
            rows.append(row)
            failures.extend(outcomes.row_failures(row, unit.users))
            diffs.extend(outcomes.diffs([(row, module_result)]))

        assigned = {}
        for row in rows:
            assigned[row["platform"]] = assigned.get(row["platform"], 0) + len(row.get("assigned") or [])
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

    def _plan(self, args, task_vars):
        """People grouped by product: one Unit per product, sorted by platform and product;
        every problem in the input, each named by its option and index."""
        prefix = args["variable_prefix"]
        problems = []
        given, shared = {}, {}
        for platform in seat_platforms.names():
            option = "%s_products" % platform
            given[platform] = seat_input.as_list(self._products_given(args, task_vars, platform), prefix + option, problems)
            shared[platform] = seat_input.products(platform, given[platform], prefix + option, problems)

        def platforms_of(entry):
            """The platforms a person gets seats on: a name is checked only where it is used."""
            return set(platform for platform in seat_platforms.names()
                       if given[platform] or entry.get("%s_products" % platform))

        people = seat_input.people(args["people"], prefix + "people", platforms_of, problems)
        entries = args["people"] if isinstance(args["people"], list) else []
        grouped = dict((platform, {}) for platform in seat_platforms.names())
        for person in people:
            entry = entries[person.index]
            for platform in seat_platforms.names():
                where = "%speople[%d].%s_products" % (prefix, person.index, platform)
                own = seat_input.products(platform, seat_input.as_list(entry.get("%s_products" % platform), where, problems),
                                          where, problems)
                for product in shared[platform] + own:
                    key = tuple(product[field] for field in seat_platforms.get(platform).product_fields)
                    users = grouped[platform].setdefault(key, (product, []))[1]
                    _add(users, person.name_on(platform))
        units = [Unit(platform, product, users)
                 for platform in seat_platforms.names() for _key, (product, users) in sorted(grouped[platform].items())]
        return units, len(people), problems


def _add(users, name):
    """Add a person to a product's list once (names compared without case)."""
    if name.lower() not in [user.lower() for user in users]:
        users.append(name)


def _message(assigned, people, products, skipped, failures, check):
    text = "%s %s to %d people on %d product(s)." % (
        "Would assign" if check else "Assigned", seat_platforms.counted(assigned, "seat(s)", set(assigned) or None),
        people, products)
    if skipped:
        text += " %d skipped: %s." % (len(skipped), outcomes.names_text(
            "%s %s (%s)" % (entry["product"], entry.get("user"), entry.get("reason")) for entry in skipped))
    if failures:
        text += " %d failure(s): %s." % (len(failures), outcomes.failures_text(failures))
    return text
