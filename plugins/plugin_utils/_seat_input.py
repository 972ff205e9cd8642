# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""People and products given to the onboarding and offboarding actions, checked before any call.

Every check is the seat modules' own function (the names, product codes and Store ids a
module would refuse), so the actions refuse exactly what a module would, but for the whole
input at once and before the first product is touched. Every problem names the option as
the caller knows it (``offboarding_people[0].email`` when a role passes ``offboarding_`` as
the prefix) and is collected, not raised, so one run reports them all.
"""

from __future__ import annotations

from ansible_collections.seatops.seats.plugins.module_utils._datadog import DatadogError, check_product_code, normalise_name
from ansible_collections.seatops.seats.plugins.module_utils._msstore import check_product_id, check_sku_id, normalise_upn

SHOWN_LENGTH = 80


def shown(value):
    """A value as a problem quotes it: repr, cut to a readable length."""
    text = repr(value)
    return text if len(text) <= SHOWN_LENGTH else text[:SHOWN_LENGTH - 4] + "...'"


def _text(value):
    return "" if value is None else str(value).strip()


def _renamed(message, field, where):
    """A module message that starts with its option name (``sku_id must ...``), naming
    ``where`` instead (``onboarding_msstore_products[0].sku_id must ...``)."""
    if message.startswith(field):
        return where + message[len(field):]
    return "%s: %s" % (where, message)


class Person(object):
    """One person: the Datadog name (email, handle or UUID) and the Store UPN, each
    stripped as given (None where the platform is not used)."""

    def __init__(self, email, upn, index):
        self.email = email
        self.upn = upn
        self.index = index

    def as_record(self):
        return {"email": self.email, "upn": self.upn}


def datadog_name(value, where, problems):
    """A Datadog email, handle or UUID as the datadog_seats module checks it."""
    text = _text(value)
    try:
        normalise_name(text)
    except ValueError as exc:
        problems.append("%s %s %s" % (where, shown(text), exc))
        return None
    return text


def store_upn(value, where, problems, advice=""):
    """A Store user principal name as the msstore_seat module checks it."""
    text = _text(value)
    try:
        normalise_upn(text)
    except ValueError as exc:
        problems.append("%s %s %s%s" % (where, shown(text), exc, advice))
        return None
    return text


def datadog_codes(codes, where, problems):
    """Datadog product codes (``where[i]``), stripped and without duplicates."""
    found = []
    for index, code in enumerate(codes or []):
        label = "%s[%d]" % (where, index)
        try:
            text = check_product_code(code, label)
        except DatadogError as exc:
            problems.append(str(exc))
            continue
        if text not in found:
            found.append(text)
    return found


def store_products(products, where, problems):
    """Store products (``where[i]`` with product_id and sku_id) as ``(PRODUCTID, SKU)``."""
    found = []
    for index, product in enumerate(products or []):
        label = "%s[%d]" % (where, index)
        if not isinstance(product, dict):
            problems.append("%s must be a mapping with product_id and sku_id, got %s" % (label, shown(product)))
            continue
        key = []
        for field, check in (("product_id", check_product_id), ("sku_id", check_sku_id)):
            try:
                key.append(check(product.get(field)))
            except ValueError as exc:
                problems.append(_renamed(str(exc), field, "%s.%s" % (label, field)))
        if len(key) == 2 and tuple(key) not in found:
            found.append(tuple(key))
    return found


def people(entries, where, platforms, problems, upn_advice=""):
    """The people (``where[i]`` with email and/or upn; one serves both platforms when the
    other is missing), checked for the platforms in use: a set, or a function of the entry
    returning one (onboarding: the platforms that person gets seats on). Returns the people
    without problems."""
    if not isinstance(entries, (list, tuple)) or not entries:
        problems.append("%s must list at least one person, each with an email (Datadog) or a upn (Microsoft Store)" % where)
        return []
    found = []
    for index, entry in enumerate(entries):
        label = "%s[%d]" % (where, index)
        if not isinstance(entry, dict):
            problems.append("%s must be a mapping with an email (Datadog) and/or a upn (Microsoft Store), got %s"
                            % (label, shown(entry)))
            continue
        email, upn = _text(entry.get("email")), _text(entry.get("upn"))
        if not email and not upn:
            problems.append("%s needs an email (Datadog) or a upn (Microsoft Store)" % label)
            continue
        before = len(problems)
        person = Person(email or upn, upn or email, index)
        used = platforms(entry) if callable(platforms) else platforms
        if email:
            datadog_name(email, label + ".email", problems)
        elif "datadog" in used:
            datadog_name(upn, label + ".upn (serving as the email: no email given)", problems)
        if upn:
            store_upn(upn, label + ".upn", problems)
        elif "msstore" in used:
            store_upn(email, label + ".email", problems,
                      advice=" and serves as the upn (no upn given): give a upn%s" % upn_advice)
        if len(problems) == before:
            found.append(person)
    return found
