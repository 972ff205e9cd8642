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
from ansible_collections.seatops.seats.plugins.plugin_utils._seat_platforms import (
    CONNECTION_ARGUMENT_SPEC,
    INFO_MODULES,
    PLATFORMS,
    product_label,
    warning_text,
)
from ansible_collections.seatops.seats.plugins.plugin_utils._seat_runs import SeatAction

ARGUMENT_SPEC = {
    # raw elements: every entry is checked here, so a problem names its index
    "people": {"type": "list", "elements": "raw", "default": []},
    "datadog_products": {"type": "list", "elements": "raw", "default": []},
    "platforms": {"type": "list", "elements": "str", "choices": list(PLATFORMS), "default": list(PLATFORMS)},
    "unknown_users": {"type": "str", "default": "ignore", "choices": ["fail", "warn", "ignore"]},
    "record_path": {"type": "path"},
    "record_dir": {"type": "path"},
    "restore": {"type": "bool", "default": False},
    "journal": {"type": "str"},
    "fail_on_errors": {"type": "bool", "default": True},
    "variable_prefix": {"type": "str", "default": ""},
}
ARGUMENT_SPEC.update(CONNECTION_ARGUMENT_SPEC)
STORE_LOOKUP = "finding the leavers' seats"


class ActionModule(SeatAction):

    def run(self, tmp=None, task_vars=None):
        del tmp
        result, args, check = self._start(task_vars, ARGUMENT_SPEC)
        if args is None:
            return result
        if args["restore"]:
            return self._restore(args, task_vars, result, check)
        return self._offboard(args, task_vars, result, check)

    # -- offboard ------------------------------------------------------------------------

    def _offboard(self, args, task_vars, result, check):
        started = datetime.datetime.now(datetime.timezone.utc)
        leavers, codes, record_file, problems = self._offboard_input(args, started, check)
        if problems:
            return dict(result, failed=True, changed=False, problems=problems,
                        msg="%d problem(s) in the offboarding input; nothing was read or changed: %s"
                        % (len(problems), "; ".join(problems)))

        run = offboarding_record.new_run(started.strftime("%Y-%m-%dT%H:%M:%SZ"), [p.as_record() for p in leavers])
        rows, failures, warnings, diffs = [], [], [], []
        platforms = args["platforms"]
        # Each platform on its own: a failure on one (a wrong api_url, a refused token, a
        # product's reclaim) is recorded and never stops the other's reclaims.
        if "datadog" in platforms:
            emails = _unique(person.email for person in leavers)
            for code in codes:
                call = {"product_code": code, "users": emails, "state": "absent",
                        "unknown_users": args["unknown_users"], "journal": args["journal"] or None}
                self._reclaim("datadog", {"product_code": code}, call, emails, args, task_vars,
                              (rows, failures, warnings, diffs, run))
        if "msstore" in platforms:
            upns = _unique(person.upn for person in leavers)
            for entry, users in self._store_seats(upns, args, task_vars, failures, warnings):
                call = dict(entry, users=users, state="absent", unknown_users=args["unknown_users"],
                            journal=args["journal"] or None)
                self._reclaim("msstore", entry, call, users, args, task_vars, (rows, failures, warnings, diffs, run))
        run["errors"] = failures
        run["reclaimed_count"] = sum(len(entry["users"]) for platform in PLATFORMS for entry in run[platform])

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
                                _offboard_message(run, len(leavers), rows, failures, check, None), record_file, to_text(exc)))
            result.update(record_path=record_file, record_runs=len(written["runs"]))
        result["msg"] = _offboard_message(run, len(leavers), rows, failures, check, record_file if written else None)
        if failures and args["fail_on_errors"]:
            result["failed"] = True
        return result

    def _offboard_input(self, args, started, check):
        """The leavers, the Datadog product codes and the record file; every problem named."""
        prefix = args["variable_prefix"]
        platforms = set(args["platforms"])
        problems = []
        leavers = seat_input.people(args["people"], prefix + "people", platforms, problems,
                                    upn_advice=", or set %smsstore=false" % prefix)
        codes = []
        if "datadog" in platforms:
            codes = seat_input.datadog_codes(args["datadog_products"], prefix + "datadog_products", problems)
            if not args["datadog_products"]:
                problems.append("%sdatadog_products must list the Datadog product codes the organisation has seats of "
                                "(Datadog cannot list the products a user holds), or leave datadog out of the platforms"
                                % prefix)
        record_file = args["record_path"]
        if not record_file:
            if not args["record_dir"]:
                problems.append("%srecord_path or %srecord_dir is needed: where the record of what was reclaimed goes"
                                % (prefix, prefix))
                return leavers, codes, None, problems
            record_file = os.path.join(args["record_dir"], "offboarding-%s.json" % started.strftime("%Y%m%dT%H%M%SZ"))
        problem = offboarding_record.existing_problem(record_file, create=not check)
        if problem:
            problems.append("%srecord_path: %s" % (prefix, problem) if args["record_path"] else problem)
        return leavers, codes, record_file, problems

    def _store_seats(self, upns, args, task_vars, failures, warnings):
        """The Store products the leavers hold, ``[(entry, upns)]`` sorted by product; a
        failed lookup is a failure for every leaver on the Store, and reclaims nothing there."""
        module = INFO_MODULES["msstore"]
        info_args = dict(self._module_args(module, args["msstore"]), view="users", users=upns,
                         unknown_users=args["unknown_users"])
        info = self._run_module(module, info_args, task_vars)
        for warning in info.pop("warnings", None) or []:
            warnings.append("Microsoft Store (%s): %s" % (STORE_LOOKUP, warning_text(warning)))
        if info.get("failed"):
            failures.append(outcomes.failure("msstore", None, upns, "%s failed: %s" % (STORE_LOOKUP, info.get("msg"))))
            return []
        holders = {}
        for upn, seats in sorted((info.get("user_seats") or {}).items()):
            for seat in seats or []:
                users = holders.setdefault((seat["product_id"], seat["sku_id"]), [])
                if upn not in users:
                    users.append(upn)
        return [({"product_id": key[0], "sku_id": key[1]}, users) for key, users in sorted(holders.items())]

    def _reclaim(self, platform, entry, call, users, args, task_vars, collected):
        """One product's reclaim call; what it reclaimed goes to the run's record."""
        rows, failures, warnings, diffs, run = collected
        module_result = self._run_seat_module(platform, args[platform], call, task_vars,
                                              product_label(platform, entry), warnings)
        row = outcomes.product_row(platform, entry, module_result)
        rows.append(row)
        failures.extend(outcomes.row_failures(row, users))
        diffs.extend(outcomes.diffs([(row, module_result)]))
        reclaimed = module_result.get("reclaimed") or []
        if reclaimed:
            run[platform].append(dict(entry, users=reclaimed))

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
        for platform in PLATFORMS:
            for entry in seats[platform]:
                product = dict((key, value) for key, value in entry.items() if key != "users")
                # The record holds Datadog user UUIDs: exact, and no lookup is needed.
                names = [user["id"] for user in entry["users"]] if platform == "datadog" else entry["users"]
                call = dict(product, users=names, state="present", unknown_users="warn", journal=args["journal"] or None)
                label = product_label(platform, product)
                # holders_before: the module's own read says who already held the seat.
                module_result = self._run_seat_module(platform, args[platform], call, task_vars, label, warnings,
                                                      holders_before=True)
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


def _offboard_message(run, leavers, rows, failures, check, record_file):
    products = dict((platform, len([row for row in rows if row["platform"] == platform and row.get("reclaimed")]))
                    for platform in PLATFORMS)
    text = "%s %d seat(s) of %d leaver(s) (%d Datadog and %d Microsoft Store product(s))." % (
        "Would reclaim" if check else "Reclaimed", run["reclaimed_count"], leavers, products["datadog"], products["msstore"])
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
