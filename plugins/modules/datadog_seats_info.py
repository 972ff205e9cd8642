#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: datadog_seats_info
short_description: List the seat holders of Datadog products
version_added: 0.1.0
description:
  - Lists every holder of one or more Datadog products (all pages), optionally only the
    given users. Read-only; needs one of the permissions C(billing_read),
    C(incident_read) or C(on_call_read), and C(user_access_read) (Datadog's newer API
    reference asks for it on seat reads, and look-ups of bare handles in O(users) need it).
  - With O(max_holders), also compares the holders of each product named with a ceiling
    (RV(ceilings)), for audits.
author:
  - seatops.seats maintainers (@seatops)
extends_documentation_fragment:
  - seatops.seats.datadog
  - seatops.seats.attributes.INFO_MODULE
  - seatops.seats.attributes.DATADOG_GROUP
  - ansible.builtin.action_common_attributes
options:
  product_codes:
    description:
      - The products whose holders are listed, for example V(incident_response).
        Duplicates are listed once.
    type: list
    elements: str
    required: true
  users:
    description:
      - Only list these holders (emails, handles or user UUIDs), matched exactly and
        case-insensitively against the holders' emails and UUIDs.
      - A bare handle (no C(@), not a UUID) is looked up, because holders carry no handle.
      - Names holding no seat of any listed product are returned in RV(not_holding).
      - It does not change what RV(ceilings) counts.
    type: list
    elements: str
  max_holders:
    description:
      - A ceiling for some of the products of O(product_codes), the same ceiling as
        O(seatops.seats.datadog_seats#module:max_holders), as a
        mapping of product code to ceiling (a whole number, 0 or more).
      - For each product named, RV(ceilings) compares its holders with the ceiling. Holders
        are counted from every holder of the product, whatever O(users) says.
      - Only reads and compares. The task does not fail when a product is above its
        ceiling; assert on RV(ceilings) for that.
      - Each product code named must be one of O(product_codes) (matched exactly), and each
        value a whole number. A mistake fails before any call, naming V(max_holders.<code>).
      - The Seats API tells no seat capacity and no committed seat count, so there is no
        capacity to show next to the ceiling.
    type: dict
seealso:
  - module: seatops.seats.datadog_seats
"""

EXAMPLES = r"""
- name: Who holds Incident Response seats
  seatops.seats.datadog_seats_info:
    product_codes: [incident_response]
    api_key: "{{ dd_api_key }}"
    app_key: "{{ dd_app_key }}"
  register: holders

- name: Which seats does a leaver still hold
  seatops.seats.datadog_seats_info:
    product_codes: [incident_response, on_call]
    users: [carla.mendes@example.com]
  register: leaver

- name: Show the count
  ansible.builtin.debug:
    msg: "{{ holders.counts.incident_response }} seats in use"

# A scheduled audit (an AWX schedule, say): it changes nothing, and fails when a
# product has more holders than its ceiling.
- name: Holders against the ceilings
  seatops.seats.datadog_seats_info:
    product_codes: [incident_response, on_call]
    max_holders:
      incident_response: 25
      on_call: 10
  register: audit

- name: No product is above its ceiling
  ansible.builtin.assert:
    that: audit.ceilings | dict2items | selectattr('value.above', 'gt', 0) | list | length == 0
    fail_msg: >-
      Above the ceiling:
      {{ audit.ceilings | dict2items | selectattr('value.above', 'gt', 0)
         | map(attribute='key') | join(', ') }}
    quiet: true
"""

RETURN = r"""
seats:
  description:
    - For each product code, its holders (only those in O(users) when given), sorted by
      email. (The keys are product codes, so the fields are described here.)
    - Each holder has C(id) (str, the user UUID), C(email) (str, lower-case, null when
      Datadog has none), C(name) (str, null when Datadog has none) and C(assigned_at) (str,
      when the seat was assigned, as the API gave it).
  returned: success
  type: dict
  sample:
    incident_response:
      - id: 0b8c5e06-5b1c-4f5e-9a52-0c3a1c6a9b11
        email: ana.lima@example.com
        name: Ana Lima
        assigned_at: "2026-01-05T09:30:00Z"
counts:
  description: For each product code (the keys), how many holders (int) RV(seats) lists.
  returned: success
  type: dict
  sample: {"incident_response": 1}
not_holding:
  description: Names from O(users) that hold no seat of any listed product, as given.
  returned: success
  type: list
  elements: str
  sample: ["carla.mendes@example.com"]
ceilings:
  description:
    - For each product code of O(max_holders) (the keys), its holders against its ceiling,
      a dict with the three ints below. Empty without O(max_holders).
    - C(holders) is how many people hold a seat of the product, all of them, even when
      O(users) lists only some.
    - C(max_holders) is the ceiling given.
    - C(above) is how many holders there are beyond the ceiling (C(holders) minus
      C(max_holders)), C(0) at or under it. It is the number of seats to reclaim to get
      back to the ceiling.
  returned: success
  type: dict
  sample:
    incident_response:
      holders: 27
      max_holders: 25
      above: 2
    on_call:
      holders: 8
      max_holders: 10
      above: 0
api_calls:
  description: API calls made, per endpoint, plus C(total).
  returned: always
  type: dict
  sample: {"GET /api/v2/seats/users": 1, "total": 1}
"""

from ansible_collections.seatops.seats.plugins.module_utils._platforms import get as registry_entry
from ansible_collections.seatops.seats.plugins.module_utils._seat_module import run_info_module


def main():
    run_info_module(registry_entry("datadog"))


if __name__ == "__main__":
    main()
