# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the onboarding and offboarding actions say about a run, built from the modules' results.

Pure functions: a product's row is the seat module's own result plus which product it is;
a failure names the platform, the product, the people and why; a restore outcome per
person comes from what the module reported about that person (assigned, held before the
run, failed, skipped), never from what is left over.
"""

from __future__ import annotations

from ansible_collections.seatops.seats.plugins.plugin_utils._seat_platforms import (
    headed_diff,
    holders_before,
    label,
    people_names,
    product_label,
    product_of,
)

# How many names a summary message lists per category; the result lists them all.
NAMES_SHOWN = 20


def product_row(platform, entry, result):
    """One product's row: the module's result (without its diff) and which product it is."""
    row = dict((key, value) for key, value in result.items() if key != "diff")
    row.update(platform=platform, product=product_label(platform, entry))
    row.update(product_of(platform, entry))
    row["failed"] = result.get("failed") is True
    return row


def row_failures(row, users):
    """The failures of one product's call: each person the module names with their reason,
    or, when the call failed as a whole, every person it was for with the module's message."""
    if not row["failed"]:
        return []
    named = row.get("failed_users") or []
    if named:
        return [failure(row["platform"], row["product"], [entry.get("user")], entry.get("reason")) for entry in named]
    return [failure(row["platform"], row["product"], list(users), row.get("msg") or "failed without a message")]


def failure(platform, product, users, reason):
    return {"platform": platform, "product": product, "users": users, "reason": reason}


def diffs(rows_and_results):
    """One diff per product (holders before and after), headed by the product's label."""
    out = []
    for row, result in rows_and_results:
        diff = headed_diff(result, "%s %s" % (label(row["platform"]), row["product"]))
        if diff is not None:
            out.append(diff)
    return out


def names_text(names):
    names = [str(name) for name in names]
    if len(names) <= NAMES_SHOWN:
        return ", ".join(names)
    return "%s and %d more" % (", ".join(names[:NAMES_SHOWN]), len(names) - NAMES_SHOWN)


def failures_text(failures):
    """``product [people]: reason`` for each failure, most useful first: as given."""
    parts = []
    for entry in failures[:NAMES_SHOWN]:
        where = "%s %s" % (label(entry["platform"]), entry["product"] or "(every product)")
        parts.append("%s [%s]: %s" % (where, names_text(entry["users"]), entry["reason"]))
    if len(failures) > NAMES_SHOWN:
        parts.append("and %d more (see the task result)" % (len(failures) - NAMES_SHOWN))
    return "; ".join(parts)


# -- restore ---------------------------------------------------------------------------------

def _by_alias(entries, key):
    return dict((str(entry.get(key)).lower(), entry.get("reason")) for entry in entries or [] if isinstance(entry, dict))


def restore_outcomes(platform, result, users):
    """Per person of one product's restore call: ``(restored, in_place, not_restored)``.

    ``users``: the record's people for the product, as the module listed them: mappings
    ``{id, email}`` (a platform naming people by an exact id) or names.
    A person is restored when the module assigned them, already in place when they held the
    seat before the call (the holders the module read, from its diff), and otherwise not
    restored with the module's reason for them (failed, skipped: disabled or unknown) or
    for the whole call. ``not_restored`` is ``[{user, reason}]``; names as people read them.
    """
    assigned = set(str(name).lower() for name in people_names(result.get("assigned")))
    assigned.update(str(person.get("id")).lower() for person in result.get("assigned") or [] if isinstance(person, dict))
    before = holders_before(result)
    if before is not None:
        before = set(str(name).lower() for name in before)
    failed = _by_alias(result.get("failed_users"), "user")
    skipped = _by_alias(result.get("skipped_users"), "user")
    restored, in_place, not_restored = [], [], []
    for user in users:
        if isinstance(user, dict):
            name = user.get("email") or user["id"]
            aliases = set(str(value).lower() for value in (user.get("id"), user.get("email")) if value)
        else:
            name, aliases = user, set([str(user).lower()])
        reason = _first(aliases, failed) or _first(aliases, skipped)
        if aliases & assigned:
            restored.append(name)
        elif before is not None and aliases & before:
            in_place.append(name)
        elif reason:
            not_restored.append({"user": name, "reason": reason})
        elif result.get("failed"):
            not_restored.append({"user": name, "reason": result.get("msg") or "the call failed without a message"})
        else:
            # The module said nothing about this person: say so rather than guess.
            not_restored.append({"user": name, "reason": "the %s module reported no outcome for this seat"
                                 % label(platform)})
    return restored, in_place, not_restored


def _first(aliases, reasons):
    for alias in sorted(aliases):
        if alias in reasons:
            return reasons[alias] or "no reason given"
    return None
