# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every seat module does around the sync engine: shared options, input checks,
the journal, and turning a result into exit_json / fail_json."""

from __future__ import annotations

import re

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.seatops.seats.plugins.module_utils._http import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
)
from ansible_collections.seatops.seats.plugins.module_utils._journal import (
    Journal,
    check_journal_path,
)
from ansible_collections.seatops.seats.plugins.module_utils._seat_sync import (
    SeatSyncError,
    check_whole_number,
    parse_max_reclaims,
)

# Far above any real seat list, low enough to catch a file read as a list of characters.
MAX_USERS = 100000


def sync_argument_spec():
    """Options the seat modules of every platform share (see the seat_sync doc fragment)."""
    return dict(
        users=dict(type="list", elements="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        exclusive=dict(type="bool", default=False),
        protected=dict(type="list", elements="str", default=[]),
        max_reclaims=dict(type="raw", default="10%"),
        max_holders=dict(type="int"),
        grace_days=dict(type="int", default=0),
        unknown_users=dict(type="str", default="fail", choices=["fail", "warn", "ignore"]),
        journal=dict(type="path"),
        expect_holders_digest=dict(type="str"),
    )


def base_result(**facts):
    """What a seat module returns when nothing was done: every key its RETURN documents as
    ``returned: always``, so a run that fails at any point (bad input, no connection, a
    refused guard or capacity check) still carries them. ``facts`` add to or override it,
    for example ``product_code`` or the client's ``api_calls``."""
    result = {
        "changed": False,
        "assigned": [],
        "reclaimed": [],
        "kept_in_grace": [],
        "skipped_users": [],
        "failed_users": [],
        "api_calls": {"total": 0},
    }
    result.update(facts)
    return result


def require_requests(module, **facts):
    """Fail (with ``facts``, for example a module's always-returned keys) without requests."""
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR,
                         **facts)


def fold_names(names, field, normalise):
    """Strip, validate and de-duplicate names case-insensitively, keeping the first spelling.

    ``normalise(name)`` returns the canonical lower-case form or raises ValueError with what
    is wrong. Returns ``{canonical: as_given}`` in input order.
    """
    if names is None:
        return {}
    if len(names) > MAX_USERS:
        raise SeatSyncError("%s has %d entries; at most %d are accepted in one task"
                            % (field, len(names), MAX_USERS))
    folded = {}
    for index, name in enumerate(names):
        if name is None or not str(name).strip():
            raise SeatSyncError("%s[%d] is empty (null or blank): every entry must be a name"
                                % (field, index))
        text = str(name).strip()
        try:
            canonical = normalise(text)
        except ValueError as exc:
            raise SeatSyncError("%s[%d] %r: %s" % (field, index, text, exc))
        folded.setdefault(canonical, text)
    return folded


def check_sync_options(params, users, protected):
    """Cross-option checks, before any call. Raises SeatSyncError naming the option."""
    parse_max_reclaims(params["max_reclaims"])
    check_whole_number(params["max_holders"], "max_holders")
    check_whole_number(params["grace_days"], "grace_days")
    if params.get("reclaim_inactive_days") is not None:
        # Offered by platforms that tell when a seat was last used.
        if check_whole_number(params["reclaim_inactive_days"], "reclaim_inactive_days") < 1:
            raise SeatSyncError("reclaim_inactive_days must be 1 or more (days without use), got 0")
        if params["state"] != "present":
            raise SeatSyncError("reclaim_inactive_days needs state=present (state=absent only "
                                "removes the users listed)")
    expected = params.get("expect_holders_digest")
    if expected is not None and not re.match(r"^[0-9a-fA-F]{64}$", expected.strip()):
        raise SeatSyncError("expect_holders_digest must be a sha256 digest (64 hex digits, a "
                            "holders_digest this module returned), got %r" % expected)
    if params.get("journal"):
        problem = check_journal_path(params["journal"])
        if problem:
            raise SeatSyncError("journal: %s (nothing was read or changed)" % problem)
    if params["exclusive"] and params["state"] != "present":
        raise SeatSyncError("exclusive=true needs state=present (state=absent only removes "
                            "the users listed)")
    if params["exclusive"] and params["users"] is None:
        raise SeatSyncError("exclusive=true needs users (an explicit list, [] for nobody)")
    both = sorted(users[key] for key in set(users) & set(protected))
    if both:
        raise SeatSyncError("users and protected both name %s; a protected account is one "
                            "exclusive must not reclaim, list it in one of them"
                            % ", ".join(both))


def open_journal(module, platform):
    """The run's journal, None without one (or in check mode); SeatSyncError if unusable."""
    path = module.params.get("journal")
    if not path or module.check_mode:
        return None
    try:
        return Journal(path, platform)
    except (IOError, OSError) as exc:
        raise SeatSyncError("journal: %s (nothing was changed)" % exc)


def handle_unknown(mode, unknown, module):
    """Apply ``unknown_users`` to ``[{"user", "reason"}]``: fail, warn or ignore.

    Returns the entries to report as skipped; raises SeatSyncError when mode is fail.
    """
    if not unknown:
        return []
    if mode == "fail":
        raise SeatSyncError(
            "unknown users (nothing was changed; set unknown_users=warn or ignore to skip "
            "them): %s" % "; ".join("%s: %s" % (item["user"], item["reason"]) for item in unknown))
    if mode == "warn":
        for item in unknown:
            module.warn("skipped %s: %s" % (item["user"], item["reason"]))
    return list(unknown)


def finish(module, result, product):
    """exit_json, or fail_json naming each failed user and the product (result included)."""
    if result.get("failed_users"):
        failed = result["failed_users"]
        done = len(result.get("assigned", [])) + len(result.get("reclaimed", []))
        details = "; ".join("%s: %s" % (item["user"], item["reason"]) for item in failed[:20])
        more = " (and %d more)" % (len(failed) - 20) if len(failed) > 20 else ""
        module.fail_json(
            msg="%d seat change(s) on %s failed, %d succeeded. Failed: %s%s. Run again to "
                "retry; the 'assigned' and 'reclaimed' lists say what did change."
                % (len(failed), product, done, details, more),
            **result)
    module.exit_json(**result)
