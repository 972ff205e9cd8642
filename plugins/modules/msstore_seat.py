#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: msstore_seat
short_description: Assign and reclaim Microsoft Store for Business seats
version_added: 0.1.0
author:
  - seatops.seats maintainers (@seatops)
description:
  - Keeps the seats of one Microsoft Store for Business product (O(product_id) and O(sku_id))
    in line with a list of users. It assigns, reclaims, or makes the list the exact set of
    holders with O(exclusive=true).
  - O(users) and O(protected) are user principal names (V(user@domain)), compared without
    regard to case. A UPN the tenant does not know (the Store answers 404 User) is handled
    as O(unknown_users) says.
  - Before any write it reads the product's inventory entry and fails clearly when the
    product is unknown or has an Offline licence, and, under a Restricted
    distribution policy, when the plan needs more seats than are available.
  - On a product whose inventory status is C(Removed), seats are still read and reclaimed
    (O(state=absent), and the reclaims of O(exclusive=true)). A plan that would assign a seat
    there fails before any write, naming the users it would assign, and makes none of its
    reclaims either.
  - A 404 answer counts as an unknown user, product or missing seat only when the Store names
    that item type (C(User), C(Inventory), C(Seat)). Any other 404 (a wrong O(api_url), a
    proxy) fails the task, naming the address called.
  - Current holders are read the cheaper way. With few users, the seat of each user is
    read with one call each; when listing the product's seats (100 per call) takes fewer
    calls, and always with O(exclusive=true), the seats are listed and each named user the
    list does not show is looked up once. Either way an unknown UPN is found before any
    write, so O(unknown_users) and check mode are exact.
  - Writes use the bulk operation, one action per call, at most 25 users per call.
    A user who already holds a seat, and a reclaim that finds no seat, are not errors.
extends_documentation_fragment:
  - seatops.seats.seat_sync
  - seatops.seats.msstore
  - seatops.seats.attributes.SEAT
  - seatops.seats.attributes.MSSTORE_GROUP
  - ansible.builtin.action_common_attributes
options:
  product_id:
    description:
      - The 12-character Store product id, for example V(9NBLGGH4R2R6). Matched without
        regard to case.
    type: str
    required: true
  sku_id:
    description:
      - The 4-digit SKU id, as a string, for example V('0016').
      - Quote it in YAML; an unquoted V(0016) is read as a number and loses its leading
        zeros, which the module reports as an error.
    type: str
    required: true
seealso:
  - module: seatops.seats.msstore_seat_info
  - module: seatops.seats.datadog_seats
notes:
  - O(users) given as an empty list with O(exclusive=false) reads the inventory entry and
    changes nothing.
  - When holders are read user by user, RV(diff) lists only the named users' holdings, and
    RV(holders_count) is computed from the inventory (seat capacity minus available seats).
    O(max_holders) counts holders the same way; when the inventory gives no counts, the
    product's whole seat list is read instead.
  - Reclaims are made before assignments, so on a full Restricted product an exclusive run
    can swap holders - the capacity check counts the seats its own reclaims free.
"""

EXAMPLES = r"""
- name: Give two people a seat of Company Portal
  seatops.seats.msstore_seat:
    tenant_id: contoso.onmicrosoft.com
    client_id: "{{ store_client_id }}"
    client_secret: "{{ store_client_secret }}"
    product_id: 9WZDNCRFJ3PZ
    sku_id: "0016"
    users:
      - alice@contoso.com
      - bob@contoso.com

- name: Reclaim the seats of a leaver
  seatops.seats.msstore_seat:
    product_id: 9WZDNCRFJ3PZ
    sku_id: "0016"
    users: [mallory@contoso.com]
    state: absent
    unknown_users: warn

- name: Exactly these holders; keep the break-glass account; at most 5 reclaims
  seatops.seats.msstore_seat:
    product_id: 9WZDNCRFJ3PZ
    sku_id: "0016"
    users: "{{ entitled_upns }}"
    exclusive: true
    protected: [breakglass@contoso.com]
    max_reclaims: 5
    journal: /var/log/seatops/msstore.jsonl
  register: seats

- name: Give seats, but never more than the 120 the budget allows
  seatops.seats.msstore_seat:
    product_id: 9WZDNCRFJ3PZ
    sku_id: "0016"
    users: "{{ new_joiners }}"
    max_holders: 120

- name: Credentials once for every msstore task of the block
  module_defaults:
    group/seatops.seats.msstore:
      tenant_id: contoso.onmicrosoft.com
      client_id: "{{ store_client_id }}"
      client_secret: "{{ store_client_secret }}"
  block:
    - name: Assign a seat
      seatops.seats.msstore_seat:
        product_id: 9WZDNCRFJ3PZ
        sku_id: "0016"
        users: [carol@contoso.com]
"""

RETURN = r"""
changed:
  description: Whether any seat was assigned or reclaimed (in check mode, would be).
  returned: always
  type: bool
  sample: true
assigned:
  description:
    - UPNs that got a seat (in check mode, would get one), sorted.
    - Empty when the run failed before any write.
  returned: always
  type: list
  elements: str
  sample: [alice@contoso.com]
reclaimed:
  description:
    - UPNs whose seat was reclaimed (in check mode, would be), sorted.
    - Empty when the run failed before any write.
  returned: always
  type: list
  elements: str
  sample: [mallory@contoso.com]
unchanged:
  description: How many named users were already as wanted.
  returned: success, and when seat changes failed (the task fails, failed_users not empty)
  type: int
  sample: 3
kept_in_grace:
  description:
    - Holders not in O(users) that O(exclusive=true) kept because their seat was assigned
      fewer than O(grace_days) days ago, sorted. They are neither drift nor counted by
      O(max_reclaims); the run after the grace period reclaims them unless they are listed.
    - Empty without O(grace_days), and when the run failed before planning.
  returned: always
  type: list
  elements: dict
  contains:
    user:
      description: The UPN.
      type: str
      returned: always
    assigned_at:
      description: When the seat was assigned, as the API gave it.
      type: str
      returned: always
  sample: [{"user": "oncall.sam@example.com", "assigned_at": "2026-11-27T22:14:03Z"}]
skipped_users:
  description:
    - Users left out because the tenant does not know them (O(unknown_users=warn) or V(ignore)).
    - Also on a failure after the users were looked up (a refused guard or capacity check);
      empty when the run failed earlier.
  returned: always
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
failed_users:
  description:
    - Users whose change failed, with the reason the Store gave (for example
      C(no seats available on this Restricted product (NoSeatsAvailable))). The task fails
      when this is not empty; RV(assigned) and RV(reclaimed) still say what did change.
    - A reason that starts with C(outcome unknown) means nobody could tell whether the change
      happened (the call's answer was lost and re-reading the holders failed too); the
      O(journal) says C(unknown) for the same user. The next run reads first and repairs it.
    - Empty when the run failed before any write (the message says why).
  returned: always
  type: list
  elements: dict
  contains:
    user:
      description: The UPN.
      type: str
      returned: always
    reason:
      description: Why the change failed.
      type: str
      returned: always
  sample: [{"user": "carol@contoso.com", "reason": "no seats available on this Restricted product (NoSeatsAvailable)"}]
holders_count:
  description: How many seats of the product are assigned after the run (in check mode, would be).
  returned: success, when seat changes failed (the task fails, failed_users not empty),
    and when O(max_holders) refused the plan (then the count before the run)
  type: int
  sample: 38
available_seats:
  description: The product's available seats after the run (in check mode, predicted).
  returned: success, and when seat changes failed (the task fails, failed_users not empty)
  type: int
  sample: 12
holders_digest:
  description:
    - The fingerprint of the holders the task read first, before any change - the sha256 (hex)
      of their UPNs, lower-case and sorted, one per line.
    - Give it back as O(expect_holders_digest) to refuse a later run if the holders moved meanwhile.
    - Also on a failure after that read (a refused guard, or O(expect_holders_digest) not
      matching, then it is the fingerprint found).
  returned: when every holder was read - with O(exclusive=true) or O(expect_holders_digest),
    or when listing the seats takes fewer calls than asking user by user
  type: str
  sample: 9f2c1c0e4b8f6f8a5d0f3f1e2a7c4b6d8e0a1c3b5d7f9e1a3c5b7d9f1e3a5c7d
api_calls:
  description: HTTP calls made, per endpoint (retries included), and their C(total).
  returned: always
  type: dict
  sample: {"GET /Inventory": 1, "POST /Inventory/{productId}/{skuId}/Seats": 1, "total": 2}
diff:
  description: Holders' UPNs, sorted, before and after.
  returned: in diff mode, success
  type: dict
  contains:
    before:
      description: Holders before the run.
      type: dict
      returned: always
      contains:
        holders:
          description: The holders, sorted.
          type: list
          elements: str
          returned: always
      sample: {"holders": ["alice@contoso.com"]}
    after:
      description: Holders after the run (in check mode, as predicted).
      type: dict
      returned: always
      contains:
        holders:
          description: The holders, sorted.
          type: list
          elements: str
          returned: always
      sample: {"holders": ["alice@contoso.com", "bob@contoso.com"]}
  sample: {"before": {"holders": ["alice@contoso.com"]}, "after": {"holders": ["alice@contoso.com", "bob@contoso.com"]}}
"""

from ansible_collections.seatops.seats.plugins.module_utils._platforms import get as registry_entry
from ansible_collections.seatops.seats.plugins.module_utils._seat_module import run_seat_module


def main():
    run_seat_module(registry_entry("msstore"))


if __name__ == "__main__":
    main()
