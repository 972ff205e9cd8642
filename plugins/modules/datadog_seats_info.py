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
author:
  - seatops.seats maintainers (@seatops)
extends_documentation_fragment:
  - seatops.seats.datadog
  - seatops.seats.attributes
  - seatops.seats.attributes.INFO_MODULE
  - seatops.seats.attributes.DATADOG_GROUP
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
    type: list
    elements: str
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
"""

RETURN = r"""
seats:
  description:
    - For each product code, its holders (only those in O(users) when given), sorted by
      email.
  returned: success
  type: dict
  sample:
    incident_response:
      - id: 0b8c5e06-5b1c-4f5e-9a52-0c3a1c6a9b11
        email: ana.lima@example.com
        name: Ana Lima
        assigned_at: "2026-01-05T09:30:00Z"
counts:
  description: For each product code, how many holders RV(seats) lists.
  returned: success
  type: dict
  sample: {"incident_response": 1}
not_holding:
  description: Names from O(users) that hold no seat of any listed product, as given.
  returned: success
  type: list
  elements: str
  sample: ["carla.mendes@example.com"]
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
