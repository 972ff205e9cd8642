# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The reconcile desired state: read it (YAML) and list every problem before any API call.

Controller-side, plain Python on purpose: a desired state for fifty thousand people is a
few megabytes, and walking it with Jinja in a role costs seconds per pass (see
docs/benchmarks.md). Every problem names the entry and the field, in the form
``datadog[2] (apm_pro).users must be ...``.
"""

from __future__ import annotations

import re

try:
    import yaml
except ImportError:  # pragma: no cover - PyYAML is a dependency of ansible-core
    yaml = None

# The modules' own rules, so a desired state fails here exactly where a module would refuse it.
from ansible_collections.seatops.seats.plugins.module_utils._datadog import normalise_name
from ansible_collections.seatops.seats.plugins.module_utils._msstore import normalise_upn
from ansible_collections.seatops.seats.plugins.module_utils._seat_sync import SeatSyncError, parse_max_reclaims

PLATFORM_ID_FIELDS = (("datadog", ("product_code",)), ("msstore", ("product_id", "sku_id")))
COMMON_FIELDS = ("users", "protected", "max_reclaims")
STORE_PRODUCT_ID = re.compile(r"^[A-Za-z0-9]{12}$")
STORE_SKU_ID = re.compile(r"^[0-9]{4}$")
NAME_RULES = {"datadog": normalise_name, "msstore": normalise_upn}


class DesiredStateError(Exception):
    """The desired state cannot be read or has problems; nothing was called."""


def load_file(path):
    """Parse a desired-state YAML file with the C loader when available (fast at scale)."""
    loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    try:
        with open(path, "rb") as handle:
            return yaml.load(handle, Loader=loader)  # nosec - a safe loader
    except (IOError, OSError) as exc:
        raise DesiredStateError("cannot read the desired-state file %s: %s" % (path, exc.strerror or exc))
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


def _entry_label(platform, entry, where, seen, problems):
    """Check the id fields; return the label used in later messages (with the id when valid)."""
    if platform == "datadog":
        code = entry.get("product_code")
        if not isinstance(code, str) or not code.strip() or re.search(r"\s", code):
            problems.append("%s.product_code must be a non-empty product code without spaces, got %s"
                            % (where, _shown(code)))
            return where
        label, key = "%s (%s)" % (where, code), "datadog:" + code.lower()
        shown = "product_code " + code
    else:
        product_id, sku_id = entry.get("product_id"), entry.get("sku_id")
        ids_ok = True
        if not isinstance(product_id, str) or not STORE_PRODUCT_ID.match(product_id):
            ids_ok = False
            problems.append("%s.product_id must be a 12-character Store product id, got %s"
                            % (where, _shown(product_id)))
        if isinstance(sku_id, (int, float)) and not isinstance(sku_id, bool):
            ids_ok = False
            problems.append('%s.sku_id must be a quoted 4-digit string such as "0016"; YAML read %s as a number'
                            % (where, sku_id))
        elif not isinstance(sku_id, str) or not STORE_SKU_ID.match(sku_id):
            ids_ok = False
            problems.append('%s.sku_id must be a 4-digit string such as "0016", got %s' % (where, _shown(sku_id)))
        if not ids_ok:
            return where
        label = "%s (%s/%s)" % (where, product_id, sku_id)
        key = ("msstore:%s/%s" % (product_id, sku_id)).lower()
        shown = "%s/%s" % (product_id, sku_id)
    if key in seen:
        problems.append("%s: %s is listed twice (also %s)" % (label, shown, seen[key]))
    else:
        seen[key] = label
    return label


def _check_names(platform, entry, where, problems):
    normalise = NAME_RULES[platform]
    for field in ("users", "protected"):
        value = entry.get(field)
        if value is None:
            if field == "users":
                problems.append("%s.users is required (a list of names; [] means nobody)" % where)
        elif not _is_list(value):
            problems.append("%s.%s must be a list of names, got %s" % (where, field, _shown(value)))
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
    if not isinstance(state, dict):
        return ["the desired state must be a mapping with the keys datadog and msstore"]
    found = []
    for key in state:
        if key not in ("datadog", "msstore"):
            found.append("unknown top-level key %s (expected datadog and msstore)" % key)
    seen = {}
    for platform, id_fields in PLATFORM_ID_FIELDS:
        entries = state.get(platform) or []
        if not _is_list(entries):
            found.append("%s must be a list of products" % platform)
            continue
        allowed = id_fields + COMMON_FIELDS
        for index, entry in enumerate(entries):
            where = "%s[%d]" % (platform, index)
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
    return found
