# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The platforms as the controller side sees them, and how their module results read.

Pure Python (no controller imports), so the report, the outcomes and their unit tests use
it without the action machinery. It holds, per platform, the label people read, the module
names, a product's identifier fields and the connection options, all read from the platform
registry (``module_utils/_platforms.py``); and, once, how a module result names people and
the holders it read before the run (docs: DESIGN.md, "Platforms: the seam").
"""

from __future__ import annotations

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.seatops.seats.plugins.module_utils import _platforms as registry

# Views of the registry (plugins/module_utils/_platforms.py) for the actions and the report.
PLATFORMS = registry.NAMES
PLATFORM_LABELS = dict((platform.name, platform.label) for platform in registry.PLATFORMS)
SEAT_MODULES = dict((platform.name, platform.seat_module) for platform in registry.PLATFORMS)
INFO_MODULES = dict((platform.name, platform.info_module) for platform in registry.PLATFORMS)
PRODUCT_FIELDS = dict((platform.name, platform.product_fields) for platform in registry.PLATFORMS)
CONNECTION_OPTIONS = dict((platform.name, platform.connection_options) for platform in registry.PLATFORMS)
# The connection options of each platform as action options (a dict per platform).
CONNECTION_ARGUMENT_SPEC = dict((platform, {"type": "dict", "default": {}, "no_log": False}) for platform in PLATFORMS)


def connection_problem(args):
    """Why the per-platform connection options cannot be used (None when they can)."""
    for platform, allowed in CONNECTION_OPTIONS.items():
        unknown = sorted(set(args.get(platform) or {}) - set(allowed))
        if unknown:
            return "%s: unknown connection option(s) %s (allowed: %s)" % (platform, ", ".join(unknown), ", ".join(allowed))
    return None


def product_label(platform, entry):
    """How people read a product: the registry's label (``incident_response``, ``PRODUCTID/SKU``)."""
    return registry.get(platform).product_label(entry)


def warning_text(warning):
    """A module warning's text: a string before ansible-core 2.19, a WarningSummary since."""
    event = getattr(warning, "event", None)
    return getattr(event, "msg", None) or to_text(warning)


def people_names(people):
    """Module results list people as ``{id, email}`` (Datadog) or UPN strings (Store)."""
    names = []
    for person in people or []:
        if isinstance(person, dict):
            names.append(person.get("email") or person.get("id"))
        else:
            names.append(person)
    return names


def holders_before(result):
    """The holders a seat module read before changing anything, as it lists them (emails or
    UPNs), from its diff: ``{before: {holders: [...]}}`` (or a bare list); None without a diff."""
    diff = result.get("diff")
    if not isinstance(diff, dict):
        return None
    before = diff.get("before")
    if isinstance(before, dict):
        before = before.get("holders")
    return before if isinstance(before, list) else None


def headed_diff(result, label):
    """A module result's diff headed by ``label`` (the product as people read it); None when
    the module returned none."""
    diff = result.get("diff")
    if isinstance(diff, dict) and "before" in diff:
        return dict(diff, before_header=label, after_header=label)
    return None
