# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters that turn flat AWX survey answers into the roles' lists (docs: survey_*.yml).

In Python rather than in Jinja templates read back with from_json: that pattern returns a
string on ansible-core 2.19 but an already-parsed list on 2.16 - 2.18, so it broke there.
The filters only split and shape; the roles' actions check every name and product.
"""

from __future__ import annotations

import re

from ansible.errors import AnsibleFilterError

from ansible_collections.seatops.seats.plugins.plugin_utils._seat_input import person_fields

SEPARATORS = re.compile(r"[,;\s]+")


def _entries(value):
    """A survey answer's entries: a list as given, or a string split at commas, semicolons
    and whitespace; nothing for None or an empty answer."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [entry for entry in value if entry is not None and str(entry).strip() != ""]
    return [entry for entry in SEPARATORS.split(str(value)) if entry]


def survey_list(value):
    """``"incident_response, apm_pro"`` -> ``["incident_response", "apm_pro"]``."""
    return [entry.strip() if isinstance(entry, str) else entry for entry in _entries(value)]


def _pairs(value, separator, shape):
    """Each entry ``FIRST<separator>SECOND`` as the mapping ``shape(first, second)`` makes of
    its two stripped halves (SECOND empty when absent); mappings are kept as they are."""
    shaped = []
    for entry in _entries(value):
        if isinstance(entry, dict):
            shaped.append(entry)
            continue
        first, _sep, second = str(entry).strip().partition(separator)
        shaped.append(shape(first.strip(), second.strip()))
    return shaped


def survey_people(value):
    """``"ana@example.com, ben@example.com=ben@contoso.com=ben-gh"`` -> ``[{email, upn, ...}]``:
    each entry gives a person's names separated by ``=`` in the order of the registry's person
    fields (email, upn, login); mappings are kept as they are.

    A missing second name is the first (an email that is also the UPN, as before); names
    after the second are there only when given: a later platform names people its own way
    (a GitHub login is never an email), so the first name would only be refused there."""
    fields = [field for field, _labels in person_fields()]
    people = []
    for entry in _entries(value):
        if isinstance(entry, dict):
            people.append(entry)
            continue
        names = [name.strip() for name in str(entry).strip().split("=")]
        if len(names) > len(fields):
            raise AnsibleFilterError("survey_people: %r has %d names; give at most %d, in the order %s"
                                     % (str(entry), len(names), len(fields), "=".join(fields).upper()))
        person = {fields[0]: names[0], fields[1]: names[1] if len(names) > 1 and names[1] else names[0]}
        person.update((field, name) for field, name in zip(fields[2:], names[2:]) if name)
        people.append(person)
    return people


def survey_store_products(value):
    """``"9NBLGGH4R2R6/0016, CFQ7TTC0K5DR/0001"`` -> ``[{product_id, sku_id}]`` (the SKU
    stays a string); mappings are kept as they are."""
    return _pairs(value, "/", lambda product_id, sku_id: {"product_id": product_id, "sku_id": sku_id})


class FilterModule(object):
    def filters(self):
        return {"survey_list": survey_list, "survey_people": survey_people,
                "survey_store_products": survey_store_products}
