# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Store side of the seat modules: the sync engine's backend for one Microsoft Store for
Business product (productId/skuId), the reads of ``msstore_seat_info``, and :data:`STORE`,
what the module runner (``_seat_module``) asks of the Store for both modules.

The backend reads the inventory entry first (the preflight), chooses the cheaper way to read
holders, finds unknown UPNs before any write, checks Restricted capacity, and turns bulk calls
into per-user outcomes.
"""

from __future__ import annotations

import math
import os

from ansible_collections.seatops.seats.plugins.module_utils._ceilings import (
    ceiling,
    check_ceilings,
)
from ansible_collections.seatops.seats.plugins.module_utils._module_runner import (
    fold_names,
    handle_unknown,
)
from ansible_collections.seatops.seats.plugins.module_utils._msstore import (
    BULK_BATCH,
    CONNECTION_MUTUALLY_EXCLUSIVE,
    PAGE_SIZE,
    MsStoreError,
    check_product_id,
    check_sku_id,
    connect_from_module,
    inventory_view,
    normalise_upn,
    prop,
    same,
    seat_view,
)
from ansible_collections.seatops.seats.plugins.module_utils._seat_module import (
    Resolution,
    SeatPlatform,
)
from ansible_collections.seatops.seats.plugins.module_utils._seat_sync import (
    BatchOutcome,
    Person,
    SeatSyncError,
)

READ_LIST = "list"
READ_PER_USER = "per_user"

FAILURE_REASONS = {
    "usernotfound": "unknown user (UserNotFound)",
    "noseatsavailable": "no seats available on this Restricted product (NoSeatsAvailable)",
    "notonline": "the product has an Offline licence, seats cannot be managed (NotOnline)",
    "seatnotfound": "no seat to reclaim (SeatNotFound)",
}


def preflight(client, product_id, sku_id, tenant=None):
    """The product's inventory entry, or SeatSyncError when seats cannot be managed on it.

    It is the run's first call (the token too): when it fails, the MsStoreError names the
    product, which the token endpoint's and the inventory's own messages cannot.

    A ``Removed`` entry is returned: its seats can still be read and reclaimed, and only a
    plan that assigns is refused (:meth:`StoreSeatBackend.check_plan`). Whether the Store
    lists Removed entries at all is undocumented, so an entry the inventory does not show is
    not an error yet: it is returned as None, the backend then reads the product's own seat
    list, which answers 404 Inventory for a product the tenant really does not have.
    """
    try:
        entry = client.find_inventory_entry(product_id, sku_id)
    except MsStoreError as exc:
        raise MsStoreError("%s/%s: nothing was changed: %s" % (product_id, sku_id, exc.message),
                           status=exc.status, item_type=exc.item_type, reason=exc.reason,
                           fatal=exc.fatal)
    if entry is None:
        return None
    if same(prop(entry, "licenseType"), "Offline"):
        raise SeatSyncError(
            "product %s/%s has an Offline licence: the Store answers 409 Not online to seat "
            "operations, seats exist only for Online licences. Manage it with offline "
            "licence packages instead" % (product_id, sku_id))
    return entry


def holders_in_inventory(entry):
    """seatCapacity - availableSeats, the number of assigned seats; None if unknown."""
    capacity = prop(entry, "seatCapacity")
    available = prop(entry, "availableSeats")
    if isinstance(capacity, int) and isinstance(available, int):
        return max(0, capacity - available)
    return None


def not_in_inventory(product_id, sku_id, tenant=None):
    where = " of tenant %s" % tenant if tenant else ""
    return SeatSyncError(
        "product_id %s with sku_id %s is not in the Store for Business inventory%s; check "
        "both ids (msstore_seat_info lists the inventory). Nothing was changed"
        % (product_id, sku_id, where))


def choose_read(entry, names_count, exclusive):
    """List the product's seats, or ask user by user, whichever takes fewer calls.

    Without an inventory entry the list is read: its first page also proves that the
    product exists (or answers 404 Inventory), whatever users are named."""
    if exclusive or entry is None:
        return READ_LIST
    holders = holders_in_inventory(entry)
    if holders is None:
        return READ_LIST if names_count > 1 else READ_PER_USER
    pages = max(1, int(math.ceil(holders / float(PAGE_SIZE))))
    return READ_LIST if pages < names_count else READ_PER_USER


def describe_failure(reason):
    return FAILURE_REASONS.get(str(reason).lower(), str(reason))


class StoreSeatBackend(object):
    """One product's seats for :func:`synchronise`.

    ``names``: ``{upn_lower: upn_as_given}`` of the users the task names. :meth:`first_read`
    reads the holders before planning and finds unknown users (``unknown``); the engine
    calls :meth:`read_holders` only to read again after an uncertain write.
    """

    # The most users one bulk call carries: the engine journals one intent line per call.
    batch_size = BULK_BATCH

    def __init__(self, client, product_id, sku_id, entry, names, exclusive=False, tenant=None,
                 count_needed=False, every_holder=False):
        self.client = client
        self.tenant = tenant
        self.product_id = product_id
        self.sku_id = sku_id
        self.product = "%s/%s" % (product_id, sku_id)
        self.entry = entry
        self.names = dict(names)
        self.exclusive = exclusive
        # Reading user by user sees only the named users: the inventory must then count the
        # holders for max_holders, or the whole list is read. A plan's fingerprint
        # (every_holder: expect_holders_digest) is of every holder, so it needs the list too.
        whole_list = exclusive or every_holder or (count_needed and holders_in_inventory(entry) is None)
        self.strategy = choose_read(entry, len(self.names), whole_list)
        # {upn_lower: reason} of the named users the tenant does not know (see first_read).
        self.unknown = {}

    @property
    def reads_every_holder(self):
        """Whether the first read lists every holder of the product (not only the named users)."""
        return self.strategy == READ_LIST

    # -- reading ----------------------------------------------------------------------

    def first_read(self):
        """Read holders, then look up each named user the read did not show, so unknown
        users are known (:attr:`unknown`) before any write. Returns ``{key: Person}``.

        Every failure here comes before any write, and its message says so."""
        try:
            if self.strategy == READ_LIST:
                holders = self._list_holders()
                for key in self.names:
                    if key not in holders:
                        self._read_one(key, holders)
            else:
                holders = {}
                for key in self.names:
                    self._read_one(key, holders)
        except MsStoreError as exc:
            if exc.status == 404 and same(exc.item_type, "Inventory"):
                raise not_in_inventory(self.product_id, self.sku_id, self.tenant)
            raise MsStoreError("%s: nothing was changed: %s" % (self.product, exc.message),
                               status=exc.status, item_type=exc.item_type, reason=exc.reason,
                               fatal=exc.fatal)
        return holders

    def unknown_users(self):
        """``[{"user", "reason"}]`` of the named users the first read found unknown."""
        return [{"user": self.names[key], "reason": reason}
                for key, reason in sorted(self.unknown.items())]

    def read_holders(self):
        if self.strategy == READ_LIST:
            return self._list_holders()
        holders = {}
        for key in self.names:
            if key not in self.unknown:
                self._read_one(key, holders)
        return holders

    def _list_holders(self):
        holders = {}
        for seat in self.client.iter_product_seats(self.product_id, self.sku_id):
            upn = prop(seat, "assignedTo")
            if upn:
                holders[upn.lower()] = Person(upn.lower(), upn, since=prop(seat, "dateAssigned"))
        return holders

    def _read_one(self, key, holders):
        try:
            seat = self.client.get_seat(self.product_id, self.sku_id, self.names[key])
        except MsStoreError as exc:
            if exc.status == 404 and same(exc.item_type, "User"):
                self.unknown[key] = "no such user in the tenant (the Store answered 404 User)"
                return
            raise
        if seat is not None:
            holders[key] = Person(key, prop(seat, "assignedTo") or self.names[key],
                                  since=prop(seat, "dateAssigned"))

    def count_holders(self, holders):
        """Every holder of the product: read user by user, ``holders`` has only the named
        users, and the inventory's count (seatCapacity - availableSeats) says the rest."""
        counted = holders_in_inventory(self.entry)
        if self.strategy == READ_PER_USER and counted is not None:
            return counted
        return len(holders)

    # -- planning ---------------------------------------------------------------------

    def check_plan(self, plan):
        """Refuse, before any write, a plan the Store cannot carry out.

        - Assignments on a product removed from the inventory (or one the inventory does not
          list): the Store assigns no seats there. The whole plan is refused, its reclaims
          too, so a run never ends half done; a plan with only reclaims goes ahead.
        - Under a Restricted policy, a plan needing more seats than are free once its own
          reclaims are done (the engine reclaims before it assigns).
        """
        if plan.to_assign and (self.entry is None or same(prop(self.entry, "status"), "Removed")):
            raise self._no_assignments_here(plan)
        if not same(prop(self.entry, "distributionPolicy"), "Restricted"):
            return {}
        available = prop(self.entry, "availableSeats")
        needed = len(plan.to_assign)
        if isinstance(available, int) and needed > available + len(plan.to_reclaim):
            freed = ""
            if plan.to_reclaim:
                freed = " once this run's %d reclaim(s) free theirs" % len(plan.to_reclaim)
            raise SeatSyncError(
                "not enough seats on %s (Restricted): %d needed, %d available%s (capacity %s). "
                "Nothing was changed. Buy more seats or reclaim unused ones."
                % (self.product, needed, available + len(plan.to_reclaim), freed,
                   prop(self.entry, "seatCapacity")))
        return {}

    def _no_assignments_here(self, plan):
        where = " of tenant %s" % self.tenant if self.tenant else ""
        if self.entry is None:
            state = ("is not listed in the Store for Business inventory%s (a product removed "
                     "from the inventory may be left out of it)" % where)
        else:
            state = "has been removed from the inventory%s" % where
        labels = [person.label for person in plan.to_assign]
        shown = ", ".join(labels[:20]) + (" and %d more" % (len(labels) - 20)
                                          if len(labels) > 20 else "")
        reclaims = ""
        if plan.to_reclaim:
            reclaims = (" The %d reclaim(s) this run also planned were not made either: the plan "
                        "is refused whole, so a run never ends half done." % len(plan.to_reclaim))
        return SeatSyncError(
            "product %s %s: the Store assigns no new seats on it, so %s cannot get one. Nothing "
            "was changed.%s Take them out of users to keep the product as it is, or use "
            "state=absent to reclaim its seats (reclaiming works on a removed product)."
            % (self.product, state, shown, reclaims))

    # -- writing ----------------------------------------------------------------------

    def assign(self, people):
        return self._write("assign", people)

    def reclaim(self, people):
        return self._write("reclaim", people)

    def _write(self, action, people):
        for start in range(0, len(people), BULK_BATCH):
            batch = people[start:start + BULK_BATCH]
            try:
                result = self.client.bulk(self.product_id, self.sku_id, action,
                                          [person.label for person in batch])
            except MsStoreError as exc:
                if exc.fatal:
                    raise
                # No answer or a server error: the call may or may not have taken effect.
                certain = exc.status is not None and exc.status < 500 and exc.status != 429
                yield BatchOutcome(failed=[(person, exc.message) for person in batch],
                                   certain=certain)
                continue
            done = []
            failed = []
            for person in batch:
                if person.key in result.done:
                    done.append(person)
                elif person.key in result.failed:
                    reason = result.failed[person.key]
                    if action == "reclaim" and same(reason, "SeatNotFound"):
                        # The seat is gone, as wanted (typically a retried call did it).
                        done.append(person)
                    else:
                        failed.append((person, describe_failure(reason)))
            # A retried call, or a name in neither list: only a re-read can tell.
            certain = not result.retried and not result.missing
            yield BatchOutcome(done, failed, certain=certain)


# -- the module side -----------------------------------------------------------------------

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


def read_inventory(client, include_removed, ceilings=None, tenant=None):
    """The inventory view; ``ceilings`` (``{"PRODUCTID/SKUID": ceiling}``, see
    :func:`check_store_ceilings`) adds each of those products' holders against its ceiling.

    Ceilings are read from every entry the Store lists, Removed ones too whatever
    ``include_removed`` says (their seats are still held); a product it does not list fails,
    after every page is read."""
    raw = list(client.iter_inventory())
    entries = [inventory_view(entry) for entry in raw]
    if not include_removed:
        entries = [entry for entry in entries if not same(entry["status"], "Removed")]
    entries.sort(key=_product_key)
    result = {"inventory": entries, "inventory_count": len(entries), "ceilings": {}}
    if ceilings:
        result["ceilings"] = inventory_ceilings(client, raw, ceilings, tenant)
    return result


def store_key(product_id, sku_id):
    """A Store product as the collection writes it, and as ``ceilings`` is keyed: the product
    id upper-case, a slash, the SKU id (``9NBLGGH4R2R6/0016``)."""
    return "%s/%s" % (str(product_id or "").upper(), str(sku_id or ""))


def inventory_ceilings(client, raw_entries, ceilings, tenant=None):
    """``{key: {holders, max_holders, above, seat_capacity, available_seats}}`` of the products
    of ``ceilings``; holders are seatCapacity - availableSeats (:func:`holders_in_inventory`).

    An entry without those numbers (the Store documents both) has its seats counted from the
    product's seat list, or none for an Offline licence, as view=product counts them."""
    by_key = {}
    for entry in raw_entries:
        key = prop(entry, "productKey") or {}
        by_key.setdefault(store_key(prop(key, "productId"), prop(key, "skuId")).lower(), entry)
    missing = [key for key in ceilings if key.lower() not in by_key]
    if missing:
        where = " of tenant %s" % tenant if tenant else ""
        raise SeatSyncError(
            "max_holders names %s, which the Store for Business inventory%s does not list (a product "
            "removed from the inventory may be left out of it); check both ids against view=inventory"
            % (", ".join(missing), where))
    found = {}
    for key, ceiling_value in ceilings.items():
        entry = by_key[key.lower()]
        holders = holders_in_inventory(entry)
        if holders is None:
            holders = count_seats(client, entry)
        found[key] = ceiling(holders, ceiling_value, seat_capacity=prop(entry, "seatCapacity"),
                             available_seats=prop(entry, "availableSeats"))
    return found


def count_seats(client, entry):
    """How many seats of the entry's product are held, from its seat list (0 without a call
    for an Offline licence, which has no seats)."""
    if same(prop(entry, "licenseType"), "Offline"):
        return 0
    key = prop(entry, "productKey") or {}
    return len(list(client.iter_product_seats(prop(key, "productId"), prop(key, "skuId"))))


def read_product(client, product_id, sku_id, ceilings=None):
    """The product view; ``ceilings`` (at most the product itself, see
    :func:`check_store_ceilings`) adds its holders (the seats read) against its ceiling."""
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
    product = inventory_view(entry)
    found = dict((key, ceiling(len(seats), ceiling_value, seat_capacity=product["seat_capacity"],
                               available_seats=product["available_seats"]))
                 for key, ceiling_value in (ceilings or {}).items())
    return {"product": product, "seats": seats, "seats_count": len(seats), "ceilings": found}


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


def _checked_ids(product_id, sku_id):
    try:
        return check_product_id(product_id), check_sku_id(sku_id)
    except ValueError as exc:
        raise SeatSyncError(str(exc))


def check_store_ceilings(max_holders, view, product=None):
    """``max_holders`` of msstore_seat_info as ``{"PRODUCTID/SKUID": ceiling}``, before any call.

    Each key is a product as ``PRODUCTID/SKUID`` (case does not matter); ``product``: the
    ``(product_id, sku_id)`` of view=product, the one product a ceiling may then name.
    view=users reads people, not products: no ceiling applies there."""
    if max_holders is None:
        return {}
    if view == "users":
        raise SeatSyncError("max_holders applies to view=inventory and view=product, not view=users "
                            "(it compares a product's holders with its ceiling)")

    def product_key(name, field):
        product_id, slash, sku_id = str(name).strip().partition("/")
        if not slash:
            raise SeatSyncError("%s: a product is written PRODUCTID/SKUID, such as 9NBLGGH4R2R6/0016"
                                % field)
        sku_id = sku_id.strip()
        if not (sku_id.isdigit() and len(sku_id) == 4):
            raise SeatSyncError("%s: the SKU id after the slash must be 4 digits as the Store shows "
                                "them, such as 0016; got %r" % (field, sku_id))
        key = store_key(check_product_id(product_id.strip(), "%s: the product id" % field),
                        check_sku_id(sku_id, "%s: the SKU id" % field))
        if product is not None and key != store_key(*product):
            raise SeatSyncError("%s: view=product reads %s only, so a ceiling may name that product "
                                "alone (view=inventory compares any products with their ceilings)"
                                % (field, store_key(*product)))
        return key

    return check_ceilings(max_holders, product_key)


class StoreSeats(SeatPlatform):
    """The Microsoft Store for the module runner (see ``_seat_module.SeatPlatform``)."""

    errors = (MsStoreError,)
    mutually_exclusive = CONNECTION_MUTUALLY_EXCLUSIVE

    def info_options(self):
        return dict(
            view=dict(type="str", choices=["inventory", "product", "users"]),
            product_id=dict(type="str"),
            sku_id=dict(type="str"),
            users=dict(type="list", elements="str"),
            unknown_users=dict(type="str", default="fail", choices=["fail", "warn", "ignore"]),
            include_removed=dict(type="bool", default=False),
            max_holders=dict(type="dict"),
        )

    def connect(self, module):
        """``(client, tenant_id)``; the environment variables stand in for missing options."""
        return connect_from_module(module, os.environ)

    def backend(self, client, context, product, users, params):
        """The product's inventory entry is read first (the preflight: the run's first call).
        ``context`` is the tenant id."""
        product_id, sku_id = product["product_id"], product["sku_id"]
        entry = preflight(client, product_id, sku_id, context)
        return StoreSeatBackend(client, product_id, sku_id, entry, users, params["exclusive"],
                                tenant=context, count_needed=params["max_holders"] is not None,
                                every_holder=params.get("expect_holders_digest") is not None)

    def resolve(self, backend, holders, users, protected, params):
        """A UPN is the key the Store knows a person by: only the ones the first read found
        unknown are left out."""
        desired = [Person(key, label) for key, label in users.items() if key not in backend.unknown]
        return Resolution(desired, list(protected), backend.unknown_users())

    def shape_result(self, result, backend):
        """Complete the engine's result with the product-wide counts the Store gives.

        Read user by user, the engine only saw the named users, so ``holders_count`` comes
        from the inventory (seatCapacity - availableSeats) moved by what this run changed.
        ``available_seats`` is the count after the run (predicted in check mode).
        """
        moved = len(result["assigned"]) - len(result["reclaimed"])
        inventory_holders = holders_in_inventory(backend.entry)
        if backend.strategy == READ_PER_USER and inventory_holders is not None:
            result["holders_count"] = max(0, inventory_holders + moved)
        available = prop(backend.entry, "availableSeats")
        result["available_seats"] = available - moved if isinstance(available, int) else None

    def read_info(self, module, client, context, checked):
        # Every check of the Store's info options comes after connecting, so that its
        # message says, as any failure of a read-only module does, that nothing was changed.
        params = module.params
        view = choose_view(params)
        result = {"changed": False, "view": view, "ceilings": {}}
        if view == "inventory":
            ceilings = check_store_ceilings(params["max_holders"], view)
            result.update(read_inventory(client, params["include_removed"], ceilings, context))
        elif view == "product":
            product = _checked_ids(params["product_id"], params["sku_id"])
            ceilings = check_store_ceilings(params["max_holders"], view, product)
            result.update(read_product(client, product[0], product[1], ceilings))
        else:
            check_store_ceilings(params["max_holders"], view)
            users = fold_names(params["users"], "users", normalise_upn)
            result.update(read_users(module, client, users))
        return result


STORE = StoreSeats()
