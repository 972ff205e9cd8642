#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: msstore_seat_info
short_description: Read Microsoft Store for Business inventory and seats
version_added: 0.1.0
author:
  - seatops.seats maintainers (@seatops)
description:
  - Three read-only views of a Microsoft Store for Business tenant, chosen with O(view).
  - V(inventory) lists the products of the inventory with their capacity, available seats,
    licence type, distribution policy and status.
  - V(product) lists the users holding a seat of one product (O(product_id) and O(sku_id)).
  - V(users) lists, for each of O(users), every seat they hold across all products, those on
    products whose inventory status is C(Removed) included (they can still be reclaimed);
    this is the view offboarding needs.
  - Every list is read to its last page.
  - With O(max_holders), V(inventory) and V(product) also compare the holders of the products
    named with a ceiling, next to their capacity (RV(ceilings)), for audits.
  - A user counts as unknown only when the Store answers 404 naming the item type C(User).
    Any other 404 (a wrong O(api_url) such as one without C(/V1), a proxy) and any answer
    whose body is not the documented shape fail the task, naming the address called.
extends_documentation_fragment:
  - seatops.seats.msstore
  - seatops.seats.attributes.INFO_MODULE
  - seatops.seats.attributes.MSSTORE_GROUP
  - ansible.builtin.action_common_attributes
options:
  view:
    description:
      - What to read.
      - If not set, it follows from the options given. V(users) when O(users) is set,
        V(product) when O(product_id) is set, V(inventory) otherwise.
    type: str
    choices: [inventory, product, users]
  product_id:
    description:
      - The 12-character Store product id, for O(view=product).
    type: str
  sku_id:
    description:
      - The 4-digit SKU id as a string (quote it in YAML), for O(view=product).
    type: str
  users:
    description:
      - User principal names (V(user@domain)), for O(view=users). Compared without regard to
        case; duplicates are folded.
    type: list
    elements: str
  unknown_users:
    description:
      - For O(view=users), what to do with a UPN the tenant does not know (the Store answers
        404 with the item type C(User)). V(fail) fails the task; V(warn) and V(ignore) leave
        the name out of RV(user_seats) and list it in RV(skipped_users), V(warn) with a warning.
      - A 404 without that item type is never taken for an unknown user. It fails the task,
        whatever this option says.
    type: str
    choices: [fail, warn, ignore]
    default: fail
  include_removed:
    description:
      - For O(view=inventory), also list entries whose status is C(Removed).
      - It does not change RV(ceilings), which also reads a Removed product named in
        O(max_holders) (its seats are still held).
    type: bool
    default: false
  max_holders:
    description:
      - A ceiling for some products, the same ceiling as
        O(seatops.seats.msstore_seat#module:max_holders), as a
        mapping of product to ceiling (a whole number, 0 or more).
      - A product is written C(PRODUCTID/SKUID), for example C(9NBLGGH4R2R6/0016), and
        matched without regard to case.
      - For each product named, RV(ceilings) compares its holders with the ceiling and shows
        its seat capacity and available seats next to it.
      - With O(view=inventory), any products of the inventory. With O(view=product), only the
        product of O(product_id) and O(sku_id). Not with O(view=users), which fails.
      - Only reads and compares. The task does not fail when a product is above its
        ceiling; assert on RV(ceilings) for that.
      - A key that is not a product or names another product than O(view=product) reads,
        and a value that is not a whole number, fail before any call, naming
        V(max_holders.<product>). A product the inventory does not list fails once the
        inventory is read, naming the product. Nothing is changed either way (the module
        only reads).
    type: dict
seealso:
  - module: seatops.seats.msstore_seat
"""

EXAMPLES = r"""
- name: Inventory of the tenant
  seatops.seats.msstore_seat_info:
    tenant_id: contoso.onmicrosoft.com
    client_id: "{{ store_client_id }}"
    client_secret: "{{ store_client_secret }}"
  register: store

- name: Products that have run out of seats
  ansible.builtin.debug:
    msg: "{{ store.inventory | selectattr('available_seats', 'equalto', 0) | map(attribute='product_id') }}"

- name: Who holds Company Portal
  seatops.seats.msstore_seat_info:
    product_id: 9WZDNCRFJ3PZ
    sku_id: "0016"
  register: portal

- name: Every seat two leavers hold (for offboarding)
  seatops.seats.msstore_seat_info:
    users: [mallory@contoso.com, trent@contoso.com]
    unknown_users: warn
  register: leavers

- name: Reclaim each seat found
  seatops.seats.msstore_seat:
    product_id: "{{ item.1.product_id }}"
    sku_id: "{{ item.1.sku_id }}"
    users: ["{{ item.0.key }}"]
    state: absent
  loop: "{{ leavers.user_seats | dict2items | subelements('value') }}"

# A scheduled audit (an AWX schedule, say): it changes nothing, and fails when a
# product has more holders than its ceiling.
- name: Holders against the ceilings and the capacity
  seatops.seats.msstore_seat_info:
    view: inventory
    max_holders:
      9NBLGGH4R2R6/0016: 40
      CFQ7TTC0K5DR/0001: 100
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
view:
  description: The view that was read.
  returned: success
  type: str
  sample: users
inventory:
  description: Inventory entries, sorted by product id and SKU id.
  returned: when O(view=inventory)
  type: list
  elements: dict
  contains:
    product_id:
      description: Store product id.
      type: str
      returned: always
    sku_id:
      description: SKU id.
      type: str
      returned: always
    seat_capacity:
      description: Seats purchased.
      type: int
      returned: always
    available_seats:
      description: Seats still free.
      type: int
      returned: always
    assigned_seats:
      description: Seats assigned (capacity minus available).
      type: int
      returned: always
    license_type:
      description: C(Online) or C(Offline).
      type: str
      returned: always
    distribution_policy:
      description: C(Open) or C(Restricted).
      type: str
      returned: always
    status:
      description: C(Active) or C(Removed).
      type: str
      returned: always
    last_modified:
      description: When details, packages or quantities last changed (ISO 8601).
      type: str
      returned: always
  sample:
    - product_id: 9WZDNCRFJ3PZ
      sku_id: "0016"
      seat_capacity: 50
      available_seats: 12
      assigned_seats: 38
      license_type: Online
      distribution_policy: Restricted
      status: Active
      last_modified: "2024-04-30T08:00:00Z"
inventory_count:
  description: Number of entries in RV(inventory).
  returned: when O(view=inventory)
  type: int
  sample: 1
product:
  description: The product's inventory entry, with the keys of RV(inventory) (a value the
    Store does not give is null).
  returned: when O(view=product)
  type: dict
  contains:
    product_id:
      description: Store product id.
      type: str
      returned: always
    sku_id:
      description: SKU id.
      type: str
      returned: always
    seat_capacity:
      description: Seats purchased.
      type: int
      returned: always
    available_seats:
      description: Seats still free.
      type: int
      returned: always
    assigned_seats:
      description: Seats assigned (capacity minus available).
      type: int
      returned: always
    license_type:
      description: C(Online) or C(Offline).
      type: str
      returned: always
    distribution_policy:
      description: C(Open) or C(Restricted).
      type: str
      returned: always
    status:
      description: C(Active) or C(Removed).
      type: str
      returned: always
    last_modified:
      description: When details, packages or quantities last changed (ISO 8601).
      type: str
      returned: always
  sample:
    product_id: 9WZDNCRFJ3PZ
    sku_id: "0016"
    seat_capacity: 50
    available_seats: 12
    assigned_seats: 38
    license_type: Online
    distribution_policy: Restricted
    status: Active
    last_modified: "2024-04-30T08:00:00Z"
seats:
  description:
    - The product's active seats, sorted by UPN.
    - Empty without a call to the seat list for a product with an Offline licence, which has no seats.
  returned: when O(view=product)
  type: list
  elements: dict
  contains:
    user:
      description: The UPN holding the seat.
      type: str
      returned: always
    date_assigned:
      description: When the seat was assigned (ISO 8601).
      type: str
      returned: always
  sample: [{"user": "alice@contoso.com", "date_assigned": "2024-05-01T09:30:00Z"}]
user_seats:
  description:
    - For each UPN of O(users) (as given; unknown users left out), the active seats it holds,
      sorted by product id and SKU id. A known user without seats maps to an empty list.
      (The keys are UPNs, so the fields are described here.)
    - Each seat has C(product_id) (str), C(sku_id) (str) and C(date_assigned) (str, ISO 8601).
    - Seats on products removed from the inventory are listed too.
  returned: when O(view=users)
  type: dict
  sample:
    alice@contoso.com:
      - product_id: 9WZDNCRFJ3PZ
        sku_id: "0016"
        date_assigned: "2024-05-01T09:30:00Z"
seats_count:
  description: Number of seats listed in RV(seats) or RV(user_seats).
  returned: when O(view=product) or O(view=users)
  type: int
  sample: 1
skipped_users:
  description: Users of O(users) the tenant does not know, with O(unknown_users=warn) or V(ignore).
  returned: when O(view=users)
  type: list
  elements: dict
  contains:
    user:
      description: The UPN as given.
      type: str
      returned: always
    reason:
      description: Why it was skipped.
      type: str
      returned: always
  sample: [{"user": "ghost@contoso.com", "reason": "no such user in the tenant (the Store answered 404 User)"}]
ceilings:
  description:
    - For each product of O(max_holders) (keyed C(PRODUCTID/SKUID), the product id in
      upper case), its holders against its ceiling, next to its capacity, a dict with the
      five ints below. Empty without O(max_holders).
    - C(holders) is how many people hold a seat of the product. With O(view=inventory) it is
      the inventory's count (C(seat_capacity) minus C(available_seats)), or the product's seat
      list counted for an entry without those numbers; with O(view=product) it is the seats
      read (RV(seats_count)).
    - C(max_holders) is the ceiling given.
    - C(above) is how many holders there are beyond the ceiling (C(holders) minus
      C(max_holders)), C(0) at or under it. It is the number of seats to reclaim to get
      back to the ceiling.
    - C(seat_capacity) and C(available_seats) are the inventory's seats purchased and seats
      still free, as in RV(inventory).
  returned: success
  type: dict
  sample:
    9NBLGGH4R2R6/0016:
      holders: 38
      max_holders: 40
      above: 0
      seat_capacity: 50
      available_seats: 12
api_calls:
  description: HTTP calls made, per endpoint (retries included), and their C(total).
  returned: always
  type: dict
  sample: {"GET /Inventory": 1, "GET /Inventory/{productId}/{skuId}/Seats": 2, "total": 3}
"""

from ansible_collections.seatops.seats.plugins.module_utils._platforms import get as registry_entry
from ansible_collections.seatops.seats.plugins.module_utils._seat_module import run_info_module


def main():
    run_info_module(registry_entry("msstore"))


if __name__ == "__main__":
    main()
