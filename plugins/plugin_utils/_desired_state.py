# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The reconcile desired state: read it (YAML) and list every problem before any API call.

Controller-side, plain Python on purpose: a desired state for fifty thousand people is a
few megabytes, and walking it with Jinja in a role costs seconds per pass (see
docs/benchmarks.md). Every problem names the entry and the field, in the form
``<platform>[2] (<product>).users must be ...``.
"""

from __future__ import annotations

import math
import re

import yaml

# The platforms and the modules' own rules (the same functions, not copies, read from the
# registry), so a desired state fails here exactly where a module would refuse it.
from ansible_collections.seatops.seats.plugins.plugin_utils import _seat_platforms as seat_platforms
from ansible_collections.seatops.seats.plugins.module_utils._module_runner import MAX_USERS
from ansible_collections.seatops.seats.plugins.module_utils._seat_sync import SeatSyncError, check_whole_number, parse_max_reclaims

COMMON_FIELDS = ("users", "protected", "max_reclaims", "max_holders", "grace_days", "price")
WHOLE_NUMBER_FIELDS = ("max_holders", "grace_days")
# price: what one seat costs, for the report only (no module sees it).
PRICE_FIELDS = ("amount", "currency", "period")
PRICE_PERIODS = ("month", "year")
MERGE_TAG = "tag:yaml.org,2002:merge"


class DesiredStateError(Exception):
    """The desired state cannot be read or has problems; nothing was called."""


class DuplicateKeyError(Exception):
    """A mapping of the file gives the same key twice (YAML would keep the last silently)."""

    def __init__(self, key, first_line, line):
        super(DuplicateKeyError, self).__init__(key, first_line, line)
        self.key, self.first_line, self.line = key, first_line, line


def _no_duplicate_keys(loader_class):
    """``loader_class`` refusing a key given twice in one mapping, at any depth.

    Only ``construct_mapping`` is Python; parsing stays in C when ``loader_class`` is the
    CSafeLoader, so a file of fifty thousand names loads as fast as before."""

    class StrictLoader(loader_class):  # pylint: disable=too-many-ancestors
        def construct_mapping(self, node, deep=False):
            first_lines = {}
            for key_node, _value_node in node.value:
                if key_node.tag == MERGE_TAG:
                    continue  # '<<: *defaults' may be overridden by the mapping's own keys
                key = self.construct_object(key_node, deep=deep)
                line = key_node.start_mark.line + 1
                try:
                    if key in first_lines:
                        raise DuplicateKeyError(key, first_lines[key], line)
                    first_lines[key] = line
                except TypeError:
                    continue  # an unhashable key: the base constructor says what is wrong
            return super(StrictLoader, self).construct_mapping(node, deep=deep)

    return StrictLoader


StrictLoader = _no_duplicate_keys(getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader)


def load_file(path):
    """Parse a desired-state YAML file with the C loader when available (fast at scale).

    A key given twice in one mapping is an error naming the key and both lines."""
    try:
        with open(path, "rb") as handle:
            return yaml.load(handle, Loader=StrictLoader)  # nosec - a safe loader
    except (IOError, OSError) as exc:
        raise DesiredStateError("cannot read the desired-state file %s: %s" % (path, exc.strerror or exc))
    except DuplicateKeyError as exc:
        raise DesiredStateError(
            "the desired-state file %s gives the key %s twice in one mapping, on line %d and line %d: "
            "YAML would silently keep only the last one; keep one (merge the two if both are meant)"
            % (path, _shown(exc.key), exc.first_line, exc.line))
    except yaml.YAMLError as exc:
        raise DesiredStateError("the desired-state file %s is not valid YAML: %s"
                                % (path, str(exc).replace("\n", " ")))


def _shown(value):
    text = "None" if value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_list(value):
    return isinstance(value, (list, tuple))


def guard_problem(value, field):
    """None when ``value`` is a valid max_reclaims, else the modules' message naming ``field``."""
    if value is None:
        return None
    try:
        parse_max_reclaims(value, field)
    except SeatSyncError as exc:
        return str(exc)
    return None


def whole_number_problem(value, field):
    """None when ``value`` is a whole number >= 0 (or not given), else the modules' message."""
    try:
        check_whole_number(value, field)
    except SeatSyncError as exc:
        return str(exc)
    return None


def price_problems(value, where):
    """The problems of one entry's ``price`` (``{amount, currency, period}``), each naming
    ``where.price.<field>``; [] when it is valid or not given."""
    if value is None:
        return []
    if not isinstance(value, dict):
        return ["%s.price must be a mapping with amount, currency and period (such as {amount: 20, currency: EUR, "
                "period: month}), got %s" % (where, _shown(value))]
    found = ["%s.price: unknown field %s (expected %s)" % (where, key, ", ".join(PRICE_FIELDS))
             for key in value if key not in PRICE_FIELDS]
    for field in PRICE_FIELDS:
        if value.get(field) is None:
            found.append("%s.price.%s is required (%s)" % (where, field, {
                "amount": "the price of one seat, a number >= 0",
                "currency": "a 3-letter currency code such as EUR or USD",
                "period": "month or year: what the amount pays for"}[field]))
    amount, currency, period = value.get("amount"), value.get("currency"), value.get("period")
    if amount is not None:
        if isinstance(amount, bool) or not isinstance(amount, (int, float)):
            quoted = " (write it without quotes)" if isinstance(amount, str) else ""
            found.append("%s.price.amount must be a number >= 0, got %s%s" % (where, _shown(amount), quoted))
        elif not math.isfinite(amount) or amount < 0:
            found.append("%s.price.amount must be a number >= 0, got %s" % (where, _shown(amount)))
    if currency is not None and (not isinstance(currency, str) or not re.match(r"^[A-Za-z]{3}$", currency.strip())):
        found.append("%s.price.currency must be a 3-letter currency code such as EUR or USD, got %s"
                     % (where, _shown(currency)))
    if period is not None and (not isinstance(period, str) or period.strip().lower() not in PRICE_PERIODS):
        found.append("%s.price.period must be month or year, got %s" % (where, _shown(period)))
    return found


def _checked(platform, field, value, where, problems):
    """``value`` of ``field`` by the platform's own rule: the value it returns, or None after
    noting its message (which names ``where``) in ``problems``."""
    try:
        return platform.check_product_field(field, value, where)
    except ValueError as exc:
        problems.append(str(exc))
        return None


def _entry_label(platform, entry, where, seen, problems):
    """Check the id fields; return the label used in later messages (with the id when valid).

    A product named by one field is shown with the field's name (``product_code apm_pro``),
    one named by several as its label (``9NBLGGH4R2R6/0016``)."""
    checked = dict((field, _checked(platform, field, entry.get(field), "%s.%s" % (where, field), problems))
                   for field in platform.product_fields)
    if any(value is None for value in checked.values()):
        return where
    given = platform.product_label(dict((field, str(entry[field]).strip()) for field in platform.product_fields))
    label = "%s (%s)" % (where, given)
    shown = "%s %s" % (platform.product_fields[0], given) if len(platform.product_fields) == 1 else given
    key = ("%s:%s" % (platform.name, platform.product_label(checked))).lower()
    if key in seen:
        problems.append("%s: %s is listed twice (also %s)" % (label, shown, seen[key]))
    else:
        seen[key] = label
    return label


def _check_names(platform, entry, where, problems):
    normalise = platform.name_rule
    for field in ("users", "protected"):
        value = entry.get(field)
        if value is None:
            if field == "users":
                problems.append("%s.users is required (a list of names; [] means nobody)" % where)
        elif not _is_list(value):
            problems.append("%s.%s must be a list of names, got %s" % (where, field, _shown(value)))
        elif len(value) > MAX_USERS:
            problems.append("%s.%s has %d entries; at most %d are accepted in one task"
                            % (where, field, len(value), MAX_USERS))
        else:
            for index, name in enumerate(value):
                if not isinstance(name, str) or not name.strip():
                    problems.append("%s.%s[%d] must be a non-empty name, got %s" % (where, field, index, _shown(name)))
                    continue
                try:
                    normalise(name.strip())
                except ValueError as exc:
                    problems.append("%s.%s[%d] %r %s" % (where, field, index, _shown(name.strip()), exc))
    users, protected = entry.get("users"), entry.get("protected")
    if _is_list(users) and _is_list(protected):
        wanted = set(name.strip().lower() for name in users if isinstance(name, str))
        both = sorted(set(name.strip().lower() for name in protected if isinstance(name, str)) & wanted)
        if both:
            problems.append("%s: %s listed in both users and protected (list each name in one of them)"
                            % (where, ", ".join(both)))


def problems(state):
    """Every problem in ``state``, each naming the entry and the field; [] when it is valid."""
    keys = seat_platforms.desired_state_keys()
    if not isinstance(state, dict):
        return ["the desired state must be a mapping with the keys %s" % seat_platforms.spoken(keys)]
    found = []
    for key in state:
        if key not in keys:
            found.append("unknown top-level key %s (expected %s)" % (key, seat_platforms.spoken(keys)))
    seen = {}
    for platform in seat_platforms.platforms():
        section = platform.desired_state_key
        entries = state.get(section) or []
        if not _is_list(entries):
            found.append("%s must be a list of products" % section)
            continue
        allowed = platform.product_fields + COMMON_FIELDS
        for index, entry in enumerate(entries):
            where = "%s[%d]" % (section, index)
            if not isinstance(entry, dict):
                found.append("%s must be a mapping with %s" % (where, ", ".join(allowed)))
                continue
            where = _entry_label(platform, entry, where, seen, found)
            for key in entry:
                if key not in allowed:
                    found.append("%s: unknown field %s (expected %s)" % (where, key, ", ".join(allowed)))
            _check_names(platform, entry, where, found)
            guard = guard_problem(entry.get("max_reclaims"), where + ".max_reclaims")
            if guard:
                found.append(guard)
            for field in WHOLE_NUMBER_FIELDS:
                problem = whole_number_problem(entry.get(field), "%s.%s" % (where, field))
                if problem:
                    found.append(problem)
            found.extend(price_problems(entry.get("price"), where))
    return found
