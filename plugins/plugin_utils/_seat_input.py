# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""People and products given to the seat actions, checked before any call.

Every check is the platform's own rule from the registry (the names, product codes and ids
its seat module would refuse), so the actions refuse exactly what a module would, but for
the whole input at once and before the first product is touched. Every problem names the
option as the caller knows it (``offboarding_people[0].email`` when a role passes
``offboarding_`` as the prefix) and is collected, not raised, so one run reports them all.
"""

from __future__ import annotations

from ansible_collections.seatops.seats.plugins.plugin_utils import _seat_platforms as seat_platforms

SHOWN_LENGTH = 80


def shown(value):
    """A value as a problem quotes it: repr, cut to a readable length."""
    text = repr(value)
    return text if len(text) <= SHOWN_LENGTH else text[:SHOWN_LENGTH - 4] + "...'"


def _text(value):
    return "" if value is None else str(value).strip()


def _article(word):
    """The article of a field name as it is read aloud: an email, a upn, a login."""
    return "an" if word[:1].lower() in "aeio" else "a"


def person_fields(used=None):
    """``[(field, [platform label, ...])]``: the fields that name a person on the
    platforms (the registry's ``person_field``), each field once, in registry order; only
    those of the platforms in ``used`` when it names any."""
    fields = []
    for platform in seat_platforms.platforms():
        if used and platform.name not in used:
            continue
        for field, labels in fields:
            if field == platform.person_field:
                labels.append(platform.label)
                break
        else:
            fields.append((platform.person_field, [platform.label]))
    return fields


def _fields_text(conjunction, used=None):
    """``an <field> (<platform label>), a <field> (<platform label>) or a <field> (...)``, of
    the platforms in ``used`` when it names any (every platform otherwise)."""
    return seat_platforms.spoken(("%s %s (%s)" % (_article(field), field, ", ".join(labels))
                                  for field, labels in person_fields(used)), conjunction)


class Person(object):
    """One person: their name on each platform (``names[platform]``), each stripped as
    given. A person given only some of the fields is named by the first one given on the
    platforms whose field is missing."""

    def __init__(self, names, record, index):
        self.names = names
        self.record = record
        self.index = index

    def name_on(self, platform):
        return self.names[platform]

    def as_record(self):
        """The person as the offboarding record keeps them: one name per field."""
        return dict(self.record)


def check_name(platform, value, where, problems, advice=""):
    """A person's name as the platform's seat module checks it; None (and a problem) when
    it would be refused."""
    text = _text(value)
    try:
        seat_platforms.get(platform).check_name(text)
    except ValueError as exc:
        problems.append("%s %s %s%s" % (where, shown(text), exc, advice))
        return None
    return text


def products(platform, entries, where, problems):
    """The products of ``platform`` given as ``where[i]``: each a mapping of the platform's
    identifier fields, or, when the platform has one field, that field's value alone.
    Returns the products as ``{field: canonical value}``, each once."""
    entry_platform = seat_platforms.get(platform)
    fields = entry_platform.product_fields
    found, keys = [], set()
    for index, entry in enumerate(entries or []):
        label = "%s[%d]" % (where, index)
        if not isinstance(entry, dict):
            if len(fields) > 1:
                problems.append("%s must be a mapping with %s, got %s" % (label, " and ".join(fields), shown(entry)))
                continue
            entry, places = {fields[0]: entry}, {fields[0]: label}
        else:
            places = dict((field, "%s.%s" % (label, field)) for field in fields)
        product = {}
        for field in fields:
            try:
                product[field] = entry_platform.check_product_field(field, entry.get(field), places[field])
            except ValueError as exc:
                problems.append(str(exc))
        key = tuple(product.get(field) for field in fields)
        if len(product) == len(fields) and key not in keys:
            keys.add(key)
            found.append(product)
    return found


def as_list(value, where, problems):
    """``value`` when it is a list (None: empty); a problem otherwise."""
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append("%s must be a list, got %s" % (where, shown(value)))
        return []
    return value


def people(entries, where, platforms, problems, disable_advice=None):
    """The people given as ``where[i]``, each a mapping with a name field per platform
    (``email``, ``upn``; one serves the others when they are missing), checked for the
    platforms in use: a set, or a function of the entry returning one (onboarding: the
    platforms that person gets seats on). ``disable_advice(platform)`` is added to the
    problem of a name serving a platform it cannot (how to leave the platform out).
    Returns the people without problems."""
    if not isinstance(entries, (list, tuple)) or not entries:
        problems.append("%s must list at least one person, each with %s" % (where, _fields_text("or")))
        return []
    fields = [field for field, _labels in person_fields()]
    found = []
    for index, entry in enumerate(entries):
        label = "%s[%d]" % (where, index)
        if not isinstance(entry, dict):
            problems.append("%s must be a mapping with %s, got %s" % (label, _fields_text("and/or"), shown(entry)))
            continue
        given = [(field, _text(entry.get(field))) for field in fields if _text(entry.get(field))]
        used = platforms(entry) if callable(platforms) else platforms
        if not given:
            # The names the platforms of this run (or this person's) need.
            problems.append("%s needs %s" % (label, _fields_text("or", used)))
            continue
        before = len(problems)
        names, checked = {}, set()
        for platform in seat_platforms.platforms():
            field = platform.person_field
            name = _text(entry.get(field))
            if name:
                if (field, platform.name) not in checked:
                    check_name(platform.name, name, "%s.%s" % (label, field), problems)
                    checked.add((field, platform.name))
            else:
                serving, name = given[0]
                if platform.name in used:
                    advice = " and serves as the %s (no %s given): give %s %s%s" % (
                        field, field, _article(field), field, disable_advice(platform.name) if disable_advice else "")
                    check_name(platform.name, name, "%s.%s" % (label, serving), problems, advice)
            names[platform.name] = name
        if len(problems) == before:
            record = dict((field, _text(entry.get(field)) or given[0][1]) for field in fields)
            found.append(Person(names, record, index))
    return found
