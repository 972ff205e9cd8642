# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The sync engine's backend for one Microsoft Store for Business product (productId/skuId).

It reads the inventory entry first (the preflight), chooses the cheaper way to read holders,
finds unknown UPNs before any write, checks Restricted capacity, and turns bulk calls into
per-user outcomes. Like the client, it knows nothing about Ansible.
"""

from __future__ import annotations

import math

from ansible_collections.seatops.seats.plugins.module_utils._msstore import (
    BULK_BATCH,
    PAGE_SIZE,
    MsStoreError,
    prop,
    same,
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

    def __init__(self, client, product_id, sku_id, entry, names, exclusive=False, tenant=None):
        self.client = client
        self.tenant = tenant
        self.product_id = product_id
        self.sku_id = sku_id
        self.product = "%s/%s" % (product_id, sku_id)
        self.entry = entry
        self.names = dict(names)
        self.exclusive = exclusive
        self.strategy = choose_read(entry, len(self.names), exclusive)
        # {upn_lower: reason} of the named users the tenant does not know (see first_read).
        self.unknown = {}

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
                holders[upn.lower()] = Person(upn.lower(), upn)
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
            holders[key] = Person(key, prop(seat, "assignedTo") or self.names[key])

    # -- planning ---------------------------------------------------------------------

    def check_plan(self, plan):
        """Refuse, before any write, a plan the Store cannot carry out.

        - Assignments on a product removed from the inventory (or one the inventory does not
          list): the Store assigns no seats there. The whole plan is refused, its reclaims
          too, so a run never ends half done; a plan with only reclaims goes ahead.
        - Under a Restricted policy, a plan needing more seats than are free. Assignments
          run before reclaims, so seats this run reclaims are not free in time and do not
          count.
        """
        if plan.to_assign and (self.entry is None or same(prop(self.entry, "status"), "Removed")):
            raise self._no_assignments_here(plan)
        if not same(prop(self.entry, "distributionPolicy"), "Restricted"):
            return {}
        available = prop(self.entry, "availableSeats")
        needed = len(plan.to_assign)
        if isinstance(available, int) and needed > available:
            reclaim_note = ""
            if plan.to_reclaim:
                reclaim_note = (" The %d reclaims of this run happen after assignments and "
                                "do not free seats in time; reclaim first (state=absent) and "
                                "run again." % len(plan.to_reclaim))
            raise SeatSyncError(
                "not enough seats on %s (Restricted): %d needed, %d available (capacity %s). "
                "Nothing was changed. Buy more seats or reclaim unused ones.%s"
                % (self.product, needed, available, prop(self.entry, "seatCapacity"),
                   reclaim_note))
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


def finish_result(result, backend, check_mode):
    """Complete the engine's result with the product-wide counts the Store gives.

    Read user by user, the engine only saw the named users, so ``holders_count`` comes from
    the inventory (seatCapacity - availableSeats) moved by what this run changed.
    ``available_seats`` is the count after the run (predicted in check mode).
    """
    moved = len(result["assigned"]) - len(result["reclaimed"])
    inventory_holders = holders_in_inventory(backend.entry)
    if backend.strategy == READ_PER_USER and inventory_holders is not None:
        result["holders_count"] = max(0, inventory_holders + moved)
    available = prop(backend.entry, "availableSeats")
    result["available_seats"] = available - moved if isinstance(available, int) else None
    result["api_calls"] = backend.client.api_calls()
    if "diff" in result:
        # Mappings, as for datadog_seats: the diff callback renders them; bare lists break it.
        result["diff"] = {"before": {"holders": result["diff"]["before"]},
                          "after": {"holders": result["diff"]["after"]}}
    return result
