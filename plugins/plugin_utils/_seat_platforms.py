# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The platforms as the controller side sees them, and how their module results read.

Pure Python (no controller imports), so the report, the outcomes and their unit tests use
it without the action machinery. Every platform fact comes from the platform registry
(``module_utils/_platforms.py``), read when it is needed rather than copied at import, so
a platform registered later (a test's fake one) is seen by every layer; how a module
result names people and the holders it read before the run is said once, here (docs:
DESIGN.md, "Platforms: the seam").
"""

from __future__ import annotations

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.seatops.seats.plugins.module_utils import _platforms as registry


def platforms():
    """The registered platforms, in registry order."""
    return tuple(registry.PLATFORMS)


def names():
    """The registered platforms' names, in registry order."""
    return tuple(platform.name for platform in registry.PLATFORMS)


def get(name):
    """The registry entry of the platform ``name``."""
    return registry.get(name)


def desired_state_keys():
    """The top-level keys of a reconcile desired state, in registry order (the registry's
    ``desired_state_key`` of each platform)."""
    return tuple(platform.desired_state_key for platform in registry.PLATFORMS)


def desired_entries(state, platform):
    """The entries of ``platform`` (a registry entry or its name) in a desired state: the
    value of its ``desired_state_key``."""
    if isinstance(platform, str):
        platform = registry.get(platform)
    return (state or {}).get(platform.desired_state_key)


def label(name):
    """The platform's name as people read it (the registry's ``label``)."""
    return registry.get(name).label


def connection_argument_spec():
    """One action option per platform (its name): the platform's connection options."""
    return dict((name, {"type": "dict", "default": {}, "no_log": False}) for name in names())


def products_argument_spec(wanted=lambda platform: True):
    """One action option per platform (each ``wanted(platform)``), ``<platform>_products``:
    the products it concerns; unset (None) when not given, so that a role's variable can
    stand in. Raw elements: every entry is checked by the platform's rules, so a problem
    names its index."""
    return dict(("%s_products" % platform.name, {"type": "list", "elements": "raw"})
                for platform in platforms() if wanted(platform))


def connection_problem(args):
    """Why the per-platform connection options cannot be used (None when they can)."""
    for platform in platforms():
        allowed = platform.connection_options
        unknown = sorted(set(args.get(platform.name) or {}) - set(allowed))
        if unknown:
            return "%s: unknown connection option(s) %s (allowed: %s)" % (platform.name, ", ".join(unknown), ", ".join(allowed))
    return None


def product_label(platform, entry):
    """How people read a product: the registry's label (``incident_response``, ``PRODUCTID/SKU``)."""
    return registry.get(platform).product_label(entry)


def product_of(platform, entry):
    """Only the identifier fields of a product entry (``users`` and the rest left out)."""
    return dict((field, entry[field]) for field in registry.get(platform).product_fields)


def warning_text(warning):
    """A module warning's text: a string before ansible-core 2.19, a WarningSummary since."""
    event = getattr(warning, "event", None)
    return getattr(event, "msg", None) or to_text(warning)


def person_name(person):
    """How people read a person a module result lists: a name, or a mapping ``{id, ...}``
    (a platform listing people by an exact id, see the registry's ``person_id``) read by
    its email when it has one."""
    if isinstance(person, dict):
        return person.get("email") or person.get("id")
    return person


def person_exact(person):
    """What a seat module takes back to name a person it listed: the exact id of a mapping,
    or the name itself."""
    return person["id"] if isinstance(person, dict) else person


def people_names(people):
    """The names of the people a module result lists (see ``person_name``)."""
    return [person_name(person) for person in people or []]


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


def headed_diff(result, label_text):
    """A module result's diff headed by ``label_text`` (the product as people read it); None
    when the module returned none."""
    diff = result.get("diff")
    if isinstance(diff, dict) and "before" in diff:
        return dict(diff, before_header=label_text, after_header=label_text)
    return None


def spoken(parts, conjunction="and"):
    """A list as people read it: ``a``, ``a and b``, ``a, b and c``."""
    parts = list(parts)
    if len(parts) < 2:
        return "".join(parts)
    return "%s %s %s" % (", ".join(parts[:-1]), conjunction, parts[-1])


def counted(counts, unit, among=None):
    """``{platform: n}`` as people read it, in registry order: ``1 <label>, 0 <label> and
    2 <label> seat(s)``; ``among``: only these platforms (the ones a run was for), every
    registered one when None."""
    return "%s %s" % (spoken("%d %s" % (counts.get(platform.name, 0), platform.label)
                             for platform in platforms() if among is None or platform.name in among), unit)
