# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: survey_products
short_description: The products of every platform, from flat AWX survey answers
version_added: 0.1.0
description:
  - For each platform of the collection's platform registry, reads the variable
    C(<platform>_products) (for example C(datadog_products), C(msstore_products)), as an AWX
    survey supplies it - a string of entries separated by commas, semicolons or whitespace,
    or a list - and returns one mapping of each answered platform's name to its list of
    products.
  - A product of one identifier field is its value (V(incident_response)); a product of
    several is written with C(/) between the fields in the registry's order
    (V(9NBLGGH4R2R6/0016) is C({product_id, sku_id})) and becomes that mapping. Mappings in a
    list are kept as they are.
  - It only splits and shapes; the roles check every product with the platform's own rules.
    The collection's playbooks hand the result to the roles as C(onboarding_products) and
    C(offboarding_products), so they name no platform.
author:
  - seatops.seats maintainers (@seatops)
options: {}
"""

EXAMPLES = r"""
- name: Give the people the products the survey names, whatever platforms they are on
  ansible.builtin.include_role:
    name: seatops.seats.onboarding
  vars:
    onboarding_people: "{{ people | seatops.seats.survey_people }}"
    onboarding_products: "{{ lookup('seatops.seats.survey_products') }}"
"""

RETURN = r"""
_raw:
  description: One mapping of the name of each platform whose survey variable has entries to its products.
  type: list
  elements: dict
"""

from ansible.plugins.lookup import LookupBase

from ansible_collections.seatops.seats.plugins.filter.survey import survey_list
from ansible_collections.seatops.seats.plugins.plugin_utils import _seat_platforms as seat_platforms


def survey_products(platform, value):
    """``value`` (a survey string or a list) as the products of ``platform``."""
    fields = seat_platforms.get(platform).product_fields
    products = []
    for entry in survey_list(value):
        if isinstance(entry, dict) or len(fields) == 1:
            products.append(entry)
            continue
        parts = [part.strip() for part in str(entry).split("/", len(fields) - 1)]
        parts += [""] * (len(fields) - len(parts))
        products.append(dict(zip(fields, parts)))
    return products


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        del terms, kwargs
        variables = variables or {}
        answered = {}
        for platform in seat_platforms.names():
            name = "%s_products" % platform
            if name not in variables:
                continue
            value = self._templar.template(variables[name])
            products = survey_products(platform, value)
            if products:
                answered[platform] = products
        return [answered]
