# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin behind seatops.seats.seats_offboard (documented in plugins/modules/).

Reclaims every seat of leavers (one seat-module call per product, all leavers at once) and
appends what was reclaimed to the offboarding record on the controller; or, with restore,
gives back the seats of every run in a record. All input is checked before any call; one
product's or platform's failure never stops the others, and the task fails at the end with
every failure named.
"""

from __future__ import annotations

import datetime
import os

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.seatops.seats.plugins.plugin_utils import _offboarding_record as offboarding_record
from ansible_collections.seatops.seats.plugins.plugin_utils import _seat_input as seat_input
from ansible_collections.seatops.seats.plugins.plugin_utils import _seat_outcomes as outcomes
from ansible_collections.seatops.seats.plugins.plugin_utils import _seat_platforms as seat_platforms
from ansible_collections.seatops.seats.plugins.plugin_utils._seat_runs import SeatAction, Unit

# What finding the leavers' seats is called in failures and warnings.
HOLDINGS_LOOKUP = "finding the leavers' seats"


def argument_spec():
    spec = {
        # raw elements: every entry is checked here, so a problem names its index
        "people": {"type": "list", "elements": "raw", "default": []},
        "platforms": {"type": "list", "elements": "str", "choices": list(seat_platforms.names())},
        "unknown_users": {"type": "str", "default": "ignore", "choices": ["fail", "warn", "ignore"]},
        "record_path": {"type": "path"},
        "record_dir": {"type": "path"},
        "restore": {"type": "bool", "default": False},
        "journal": {"type": "str"},
        "fail_on_errors": {"type": "bool", "default": True},
        "variable_prefix": {"type": "str", "default": ""},
    }
    spec.update(seat_platforms.connection_argument_spec())
    # <platform>_products only where the platform cannot list the products a person holds.
    spec.update(seat_platforms.products_argument_spec(lambda platform: platform.holdings_args is None))
    return spec


class ActionModule(SeatAction):

    def run(self, tmp=None, task_vars=None):
        del tmp
        result, args, check = self._start(task_vars, argument_spec())
        if args is None:
            return result
        if args["restore"]:
            return self._restore(args, task_vars, result, check)
        return self._offboard(args, task_vars, result, check)

    # -- offboard ------------------------------------------------------------------------

    def _offboard(self, args, task_vars, result, check):
        started = datetime.datetime.now(datetime.timezone.utc)
        platforms = self._platforms_chosen(args, task_vars)
        leavers, products, record_file, problems = self._offboard_input(args, task_vars, platforms, started, check)
        if problems:
            return dict(result, failed=True, changed=False, problems=problems,
                        msg="%d problem(s) in the offboarding input; nothing was read or changed: %s"
                        % (len(problems), "; ".join(problems)))

        run = offboarding_record.new_run(started.strftime("%Y-%m-%dT%H:%M:%SZ"), [p.as_record() for p in leavers])
        rows, failures, warnings, diffs = [], [], [], []
        connections = self._connections(args, task_vars)
        common = {"unknown_users": args["unknown_users"], "journal": args["journal"] or None}
        # Each platform on its own: a failure on one (a wrong api_url, a refused token, a
        # product's reclaim) is recorded and never stops the other's reclaims.
        for platform in platforms:
            names = _unique(person.name_on(platform) for person in leavers)
            if seat_platforms.get(platform).holdings_args is not None:
                units = self._holdings(platform, names, args, connections, task_vars, failures, warnings)
            else:
                # In the order the products were given: the record lists them so.
                units = [Unit(platform, product, names) for product in products[platform]]
            for unit, module_result in self._run_units("remove", units, common, connections, task_vars, warnings):
                row = outcomes.product_row(platform, unit.product, module_result)
                rows.append(row)
                failures.extend(outcomes.row_failures(row, unit.users))
                diffs.extend(outcomes.diffs([(row, module_result)]))
                reclaimed = module_result.get("reclaimed") or []
                if reclaimed:
                    run[platform].append(dict(unit.product, users=reclaimed))
        run["errors"] = failures
        run["reclaimed_count"] = sum(len(entry["users"]) for platform in seat_platforms.names() for entry in run[platform])

        result.update(changed=run["reclaimed_count"] > 0, reclaimed_count=run["reclaimed_count"], products=rows,
                      failures=failures, failed_count=len(failures), people=run["people"], record=run,
                      record_path=None)
        if warnings:
            result["warnings"] = warnings
        if self._task.diff:
            result["diff"] = diffs
        written = None
        if not check and (run["reclaimed_count"] or failures):
            try:
                written = offboarding_record.append_run(record_file, run)
            except (IOError, OSError, ValueError, offboarding_record.RecordError) as exc:
                # The seats are reclaimed: the result's record says which, for a restore by hand.
                return dict(result, failed=True, msg="%s But the offboarding record %s cannot be written: %s; what was "
                            "reclaimed is in this task's result (record)." % (
                                _offboard_message(run, len(leavers), rows, failures, check, None, platforms),
                                record_file, to_text(exc)))
            result.update(record_path=record_file, record_runs=len(written["runs"]))
        result["msg"] = _offboard_message(run, len(leavers), rows, failures, check, record_file if written else None,
                                          platforms)
        if failures and args["fail_on_errors"]:
            result["failed"] = True
        return result

    def _offboard_input(self, args, task_vars, platforms, started, check):
        """The leavers, the products named per platform and the record file; every problem named."""
        prefix = args["variable_prefix"]
        problems = []
        leavers = seat_input.people(args["people"], prefix + "people", set(platforms), problems,
                                    disable_advice=lambda platform: ", or set %s%s=false" % (prefix, platform))
        products = {}
        for platform in platforms:
            entry_platform = seat_platforms.get(platform)
            if entry_platform.holdings_args is not None:
                continue  # the platform lists the products each leaver holds
            option = prefix + "%s_products" % platform
            given = seat_input.as_list(self._products_given(args, task_vars, platform), option, problems)
            products[platform] = seat_input.products(platform, given, option, problems)
            if not given:
                problems.append("%s must list the %s products the organisation has seats of (%s cannot list the products "
                                "a user holds), or leave %s out of the platforms"
                                % (option, entry_platform.label, entry_platform.label, platform))
        record_file = args["record_path"]
        if not record_file:
            if not args["record_dir"]:
                problems.append("%srecord_path or %srecord_dir is needed: where the record of what was reclaimed goes"
                                % (prefix, prefix))
                return leavers, products, None, problems
            record_file = os.path.join(args["record_dir"], "offboarding-%s.json" % started.strftime("%Y%m%dT%H%M%SZ"))
        problem = offboarding_record.existing_problem(record_file, create=not check)
        if problem:
            problems.append("%srecord_path: %s" % (prefix, problem) if args["record_path"] else problem)
        return leavers, products, record_file, problems

    def _holdings(self, platform, names, args, connections, task_vars, failures, warnings):
        """The products the leavers hold on a platform that can list them, one Unit each,
        sorted by product; a failed lookup is a failure for every leaver on the platform,
        and reclaims nothing there."""
        entry_platform = seat_platforms.get(platform)
        info_args = dict(entry_platform.holdings_args, users=names, unknown_users=args["unknown_users"])
        info = self._run_info(platform, connections, info_args, task_vars, warnings, HOLDINGS_LOOKUP)
        if info.get("failed"):
            failures.append(outcomes.failure(platform, None, names, "%s failed: %s" % (HOLDINGS_LOOKUP, info.get("msg"))))
            return []
        held = {}
        for name, seats in sorted((info.get("user_seats") or {}).items()):
            for seat in seats or []:
                product = seat_platforms.product_of(platform, seat)
                users = held.setdefault(tuple(product[field] for field in entry_platform.product_fields), (product, []))[1]
                if name not in users:
                    users.append(name)
        return [Unit(platform, product, users) for _key, (product, users) in sorted(held.items())]

    # -- restore -------------------------------------------------------------------------

    def _restore(self, args, task_vars, result, check):
        prefix = args["variable_prefix"]
        path = args["record_path"]
        if not path:
            return dict(result, failed=True, changed=False,
                        msg="%srestore=true needs %srecord_path, the record an offboarding run wrote." % (prefix, prefix))
        try:
            path = self._find_needle("files", path)
        except AnsibleError:
            pass  # keep the path as given; reading it names it in the error
        try:
            record = offboarding_record.read(path)
        except offboarding_record.RecordError as exc:
            return dict(result, failed=True, changed=False, msg=str(exc))

        seats = offboarding_record.union(record)
        rows, warnings, diffs = [], [], []
        restored, in_place, not_restored = [], [], []
        connections = self._connections(args, task_vars)
        # The record keeps people as the modules listed them: by exact id where a platform
        # has one (no lookup is needed to give the seat back), by name otherwise.
        units = [Unit(platform, seat_platforms.product_of(platform, entry),
                      [seat_platforms.person_exact(user) for user in entry["users"]])
                 for platform in seat_platforms.names() for entry in seats[platform]]
        recorded = [entry for platform in seat_platforms.names() for entry in seats[platform]]
        # holders_before: the module's own read says who already held the seat.
        done_units = self._run_units("add", units, {"unknown_users": "warn", "journal": args["journal"] or None},
                                     connections, task_vars, warnings, holders_before=True)
        for (unit, module_result), entry in zip(done_units, recorded):
            platform, product, label = unit.platform, unit.product, unit.label
            row = outcomes.product_row(platform, product, module_result)
            done, held, missing = outcomes.restore_outcomes(platform, module_result, entry["users"])
            row.update(restored=done, already_in_place=held, not_restored=missing)
            rows.append(row)
            if self._task.diff:
                diffs.extend(outcomes.diffs([(row, module_result)]))
            restored.extend((platform, label, name) for name in done)
            in_place.extend((platform, label, name) for name in held)
            not_restored.extend(dict(item, platform=platform, product=label) for item in missing)

        result.update(changed=bool(restored), record_path=path, record_runs=len(record["runs"]), products=rows,
                      restored_count=len(restored), already_in_place_count=len(in_place),
                      not_restored_count=len(not_restored), not_restored=not_restored,
                      msg=_restore_message(path, record, restored, in_place, not_restored, check))
        if warnings:
            result["warnings"] = warnings
        if self._task.diff:
            result["diff"] = diffs
        if not_restored and args["fail_on_errors"]:
            result["failed"] = True
        return result


def _unique(names):
    """Names once each, compared without case, in the order given."""
    seen, out = set(), []
    for name in names:
        if name.lower() not in seen:
            seen.add(name.lower())
            out.append(name)
    return out


def _offboard_message(run, leavers, rows, failures, check, record_file, platforms=None):
    products = {}
    for row in rows:
        if row.get("reclaimed"):
            products[row["platform"]] = products.get(row["platform"], 0) + 1
    text = "%s %d seat(s) of %d leaver(s) (%s)." % (
        "Would reclaim" if check else "Reclaimed", run["reclaimed_count"], leavers,
        seat_platforms.counted(products, "product(s)", platforms))
    if failures:
        text += " %d failure(s); these leavers may still hold those seats: %s." % (len(failures), outcomes.failures_text(failures))
    if check:
        return text + " No record written (check mode)."
    if record_file:
        return text + " Record: %s%s" % (record_file, " (what was reclaimed, and the errors)" if failures else "")
    return text + " Nothing to reclaim; no record written."


def _restore_message(path, record, restored, in_place, not_restored, check):
    text = "%s %d seat(s) from %s (%d run(s), %d seat(s) recorded)." % (
        "Would restore" if check else "Restored", len(restored), path, len(record["runs"]),
        len(restored) + len(in_place) + len(not_restored))
    if in_place:
        text += " %d already in place: %s." % (len(in_place), outcomes.names_text(
            "%s %s" % (label, name) for _platform, label, name in in_place))
    if not_restored:
        text += " %d could not be restored: %s." % (len(not_restored), outcomes.names_text(
            "%s %s (%s)" % (item["product"], item["user"], item["reason"]) for item in not_restored))
    return text
