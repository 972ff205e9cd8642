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


def survey_people(value):
    """``"ana@example.com, ben@example.com=ben@contoso.com"`` -> ``[{email, upn}]``: each
    entry is EMAIL (serving both platforms) or EMAIL=UPN; mappings are kept as they are."""
    people = []
    for entry in _entries(value):
        if isinstance(entry, dict):
            people.append(entry)
            continue
        email, _sep, upn = str(entry).strip().partition("=")
        people.append({"email": email.strip(), "upn": upn.strip() or email.strip()})
    return people


def survey_store_products(value):
    """``"9NBLGGH4R2R6/0016, CFQ7TTC0K5DR/0001"`` -> ``[{product_id, sku_id}]`` (the SKU
    stays a string); mappings are kept as they are."""
    products = []
    for entry in _entries(value):
        if isinstance(entry, dict):
            products.append(entry)
            continue
        product_id, _sep, sku_id = str(entry).strip().partition("/")
        products.append({"product_id": product_id.strip(), "sku_id": sku_id.strip()})
    return products


class FilterModule(object):
    def filters(self):
        return {"survey_list": survey_list, "survey_people": survey_people,
                "survey_store_products": survey_store_products}
