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
  - A user counts as unknown only when the Store answers 404 naming the item type C(User).
    Any other 404 (a wrong O(api_url) such as one without C(/V1), a proxy) and any answer
    whose body is not the documented shape fail the task, naming the address called.
extends_documentation_fragment:
  - seatops.seats.msstore
  - seatops.seats.attributes
  - seatops.seats.attributes.INFO_MODULE
  - seatops.seats.attributes.MSSTORE_GROUP
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
    type: bool
    default: false
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
    sku_id:
      description: SKU id.
      type: str
    seat_capacity:
      description: Seats purchased.
      type: int
    available_seats:
      description: Seats still free.
      type: int
    assigned_seats:
      description: Seats assigned (capacity minus available).
      type: int
    license_type:
      description: C(Online) or C(Offline).
      type: str
    distribution_policy:
      description: C(Open) or C(Restricted).
      type: str
    status:
      description: C(Active) or C(Removed).
      type: str
    last_modified:
      description: When details, packages or quantities last changed (ISO 8601).
      type: str
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
product:
  description: The product's inventory entry, with the keys of RV(inventory).
  returned: when O(view=product)
  type: dict
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
    date_assigned:
      description: When the seat was assigned (ISO 8601).
      type: str
  sample: [{"user": "alice@contoso.com", "date_assigned": "2024-05-01T09:30:00Z"}]
user_seats:
  description:
    - For each UPN of O(users) (as given; unknown users left out), the active seats it holds,
      sorted by product id and SKU id. A known user without seats maps to an empty list.
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
skipped_users:
  description: Users of O(users) the tenant does not know, with O(unknown_users=warn) or V(ignore).
  returned: when O(view=users)
  type: list
  elements: dict
  contains:
    user:
      description: The UPN as given.
      type: str
    reason:
      description: Why it was skipped.
      type: str
api_calls:
  description: HTTP calls made, per endpoint (retries included), and their C(total).
  returned: always
  type: dict
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.seatops.seats.plugins.module_utils._module_runner import (
    fold_names,
    handle_unknown,
    require_requests,
)
from ansible_collections.seatops.seats.plugins.module_utils._msstore import (
    CONNECTION_MUTUALLY_EXCLUSIVE,
    MsStoreError,
    check_product_id,
    check_sku_id,
    connect_from_module,
    connection_argument_spec,
    inventory_view,
    normalise_upn,
    prop,
    same,
    seat_view,
)
from ansible_collections.seatops.seats.plugins.module_utils._seat_sync import SeatSyncError


def choose_view(params):
    view = params["view"]
    if view is None:
        if params["users"] is not None:
            view = "users"
        elif params["product_id"] is not None or params["sku_id"] is not None:
            view = "product"
        else:
            view = "inventory"
    if view == "product" and (params["product_id"] is None or params["sku_id"] is None):
        raise SeatSyncError("view=product needs product_id and sku_id")
    if view == "users" and params["users"] is None:
        raise SeatSyncError("view=users needs users")
    if view != "users" and params["users"] is not None:
        raise SeatSyncError("users applies to view=users, not view=%s" % view)
    if view != "product" and (params["product_id"] is not None or params["sku_id"] is not None):
        raise SeatSyncError("product_id and sku_id apply to view=product, not view=%s" % view)
    return view


def _product_key(item):
    return (str(item.get("product_id") or "").upper(), str(item.get("sku_id") or ""))


def read_inventory(client, include_removed):
    entries = [inventory_view(entry) for entry in client.iter_inventory()]
    if not include_removed:
        entries = [entry for entry in entries if not same(entry["status"], "Removed")]
    entries.sort(key=_product_key)
    return {"inventory": entries, "inventory_count": len(entries)}


def read_product(client, product_id, sku_id):
    entry = client.find_inventory_entry(product_id, sku_id)
    if entry is None:
        raise SeatSyncError("product_id %s with sku_id %s is not in the Store for Business "
                            "inventory; view=inventory lists it" % (product_id, sku_id))
    seats = []
    if not same(prop(entry, "licenseType"), "Offline"):
        for seat in client.iter_product_seats(product_id, sku_id):
            view = seat_view(seat)
            seats.append({"user": view["user"], "date_assigned": view["date_assigned"]})
    seats.sort(key=lambda seat: str(seat["user"] or "").lower())
    return {"product": inventory_view(entry), "seats": seats, "seats_count": len(seats)}


def read_users(module, client, users):
    user_seats = {}
    unknown = []
    for index, label in enumerate(users.values()):
        try:
            seats = [seat_view(seat) for seat in client.iter_user_seats(label)]
        except MsStoreError as exc:
            # Only the Store's own "unknown user" answer means that: a 404 naming no item
            # type comes from a wrong api_url or a proxy, and must not end a run green.
            if exc.status == 404 and same(exc.item_type, "User"):
                unknown.append({"user": label, "reason": "no such user in the tenant (the "
                                                         "Store answered 404 User)"})
                continue
            raise MsStoreError(
                "reading the seats of %s failed (%d of %d users read before it): %s"
                % (label, index, len(users), exc.message),
                status=exc.status, item_type=exc.item_type, reason=exc.reason, fatal=exc.fatal)
        user_seats[label] = sorted(
            ({"product_id": seat["product_id"], "sku_id": seat["sku_id"],
              "date_assigned": seat["date_assigned"]} for seat in seats),
            key=_product_key)
    skipped = handle_unknown(module.params["unknown_users"], unknown, module)
    return {"user_seats": user_seats, "skipped_users": skipped,
            "seats_count": sum(len(seats) for seats in user_seats.values())}


def run(module, client):
    params = module.params
    view = choose_view(params)
    result = {"changed": False, "view": view}
    if view == "inventory":
        result.update(read_inventory(client, params["include_removed"]))
    elif view == "product":
        try:
            product_id = check_product_id(params["product_id"])
            sku_id = check_sku_id(params["sku_id"])
        except ValueError as exc:
            raise SeatSyncError(str(exc))
        result.update(read_product(client, product_id, sku_id))
    else:
        users = fold_names(params["users"], "users", normalise_upn)
        result.update(read_users(module, client, users))
    result["api_calls"] = client.api_calls()
    return result


def main():
    argument_spec = connection_argument_spec()
    argument_spec.update(
        view=dict(type="str", choices=["inventory", "product", "users"]),
        product_id=dict(type="str"),
        sku_id=dict(type="str"),
        users=dict(type="list", elements="str"),
        unknown_users=dict(type="str", default="fail", choices=["fail", "warn", "ignore"]),
        include_removed=dict(type="bool", default=False),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True,
                           mutually_exclusive=CONNECTION_MUTUALLY_EXCLUSIVE)
    require_requests(module)
    client, _tenant_id = connect_from_module(module, os.environ)
    try:
        result = run(module, client)
    except (SeatSyncError, MsStoreError) as exc:
        # A read-only module: whatever failed, nothing was changed.
        module.fail_json(msg="%s (msstore_seat_info only reads: nothing was changed)" % exc,
                         api_calls=client.api_calls())
    module.exit_json(**result)


if __name__ == "__main__":
    main()
