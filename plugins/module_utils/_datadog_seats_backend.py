# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Datadog side of the seat modules: the sync-engine backend, and :data:`DATADOG`, what
the module runner (``_seat_module``) asks of Datadog for ``datadog_seats`` and
``datadog_seats_info``.

Holders come with id and email, so names found among them need no user lookup; other
names go to the client's resolver. Writes go out in batches of at most 1000 UUIDs; a
422 naming bad UUIDs is retried without them, and a 422 naming none is narrowed down by
halves, so one bad user cannot fail a batch.
"""

from __future__ import annotations

from ansible_collections.seatops.seats.plugins.module_utils._ceilings import (
    ceiling,
    check_ceilings,
)
from ansible_collections.seatops.seats.plugins.module_utils._datadog import (
    MAX_BATCH,
    DatadogClient,
    DatadogError,
    check_product_code,
    connection_argument_spec,
    invalid_uuids,
    is_uuid,
    normalise_name,
)
from ansible_collections.seatops.seats.plugins.module_utils._module_runner import fold_names
from ansible_collections.seatops.seats.plugins.module_utils._seat_module import (
    Resolution,
    SeatPlatform,
)
from ansible_collections.seatops.seats.plugins.module_utils._seat_sync import (
    BatchOutcome,
    Person,
)


def holder_person(holder):
    user_id = holder["id"]
    email = (holder.get("email") or "").lower() or None
    return Person(user_id.lower(), email or user_id, {"id": user_id, "email": email},
                  since=holder.get("assigned_at"))


def user_person(user):
    email = (user.get("email") or user.get("handle") or "").lower() or None
    return Person(user["id"].lower(), email or user["id"], {"id": user["id"], "email": email})


class DatadogSeatsBackend(object):
    """The sync engine's backend for one Datadog product (see ``_seat_sync.SeatBackend``)."""

    # The engine hands over one write call's people at a time (one journal intent line each).
    batch_size = MAX_BATCH

    def __init__(self, client, product_code):
        self.client = client
        self.product = product_code

    def first_read(self):
        """The run's first read of the holders, before any name is looked up.

        It is the run's first call, so a failure here says that nothing was changed."""
        try:
            return self.read_holders()
        except DatadogError as exc:
            raise DatadogError("%s. Nothing was changed" % exc.message.rstrip("."), status=exc.status,
                               detail=exc.detail, retried=exc.retried)

    def read_holders(self):
        holders = {}
        for holder in self.client.list_holders(self.product):
            if holder.get("id"):
                person = holder_person(holder)
                holders[person.key] = person
        return holders

    def check_plan(self, plan):
        # The Seats API tells neither seat counts nor valid product codes before a write.
        return {}

    def assign(self, people):
        return self._write(self.client.assign, people)

    def reclaim(self, people):
        return self._write(self.client.unassign, people)

    def _write(self, call, people):
        people = list(people)
        for start in range(0, len(people), MAX_BATCH):
            yield from self._write_batch(call, people[start:start + MAX_BATCH])

    def _write_batch(self, call, batch, refused_inside=False):
        """One write call for ``batch``; yields a BatchOutcome per call made, as it returns.

        A 422 whose detail lists refused UUIDs of the batch: those fail, the rest is sent
        again. A 422 that names none of them (the real API's text is not documented): the
        batch is split in halves and each half sent again, recursively, until every refused
        UUID is alone in its own refused call, so that exactly those fail and everybody else
        is changed. (The run's first read already proved the product code, and batches never
        exceed MAX_BATCH, so a 422 on a write is about the users it names.)

        ``refused_inside``: the batch is known to hold a refusal (it was refused whole, and
        its first half just went through), so a batch of two or more is split without being
        sent whole; a single person is always sent, so nobody is reported refused without a
        refusal of their own.
        Each refused person costs at most 2 x ceil(log2(batch)) extra calls (see
        :func:`bisection_bound`).
        """
        if refused_inside and len(batch) > 1:
            yield from self._bisect(call, batch)
            return
        try:
            retried = call(self.product, [person.view["id"] for person in batch])
        except DatadogError as exc:
            if exc.status in (401, 403):
                # The key pair cannot write at all: stop, and let the engine report the rest.
                raise
            if exc.status == 422:
                refused = invalid_uuids(exc.detail)
                bad = [person for person in batch if person.key in refused]
                if bad:
                    reason = ("Datadog refused this user (unknown or disabled): %s"
                              % exc.detail)
                    yield BatchOutcome(failed=[(person, reason) for person in bad])
                    rest = [person for person in batch if person.key not in refused]
                    if rest:
                        yield from self._write_batch(call, rest)
                    return
                if len(batch) > 1:
                    # No UUID named: this call settled nobody (its outcome says so, certain
                    # unless an earlier attempt may have landed); find the refused by halves.
                    yield BatchOutcome(certain=not exc.retried)
                    yield from self._bisect(call, batch)
                    return
                # Refused alone, by a 422 that says only Datadog's own words: those are the reason.
                yield BatchOutcome(failed=[(batch[0], "HTTP 422: %s" % exc.detail)],
                                   certain=not exc.retried)
                return
            certain = not exc.retried and exc.status is not None and 400 <= exc.status < 500 \
                and exc.status not in (408, 429)
            if exc.status is None:
                reason = exc.detail or str(exc)
            else:
                reason = "HTTP %s: %s" % (exc.status, exc.detail)
            yield BatchOutcome(failed=[(person, reason) for person in batch], certain=certain)
            return
        yield BatchOutcome(done=batch, certain=not retried)

    def _bisect(self, call, batch):
        middle = (len(batch) + 1) // 2
        first, second = batch[:middle], batch[middle:]
        first_refused = False
        for outcome in self._write_batch(call, first):
            first_refused = first_refused or bool(outcome.failed)
            yield outcome
        # The whole batch was refused and its first half went through: the refusal is in
        # the second half, which is split without being sent whole.
        yield from self._write_batch(call, second, refused_inside=not first_refused)


def bisection_bound(batch_size):
    """The most extra write calls one refused person costs when a 422 names no UUID:
    two calls per halving, ``2 x ceil(log2(batch_size))``."""
    return 2 * max(0, int(batch_size - 1).bit_length())


# -- the module side -----------------------------------------------------------------------

class DatadogSeats(SeatPlatform):
    """Datadog for the module runner (see ``_seat_module.SeatPlatform``)."""

    errors = (DatadogError,)

    def seat_options(self):
        return dict(allow_disabled=dict(type="bool", default=False))

    def info_options(self):
        return dict(
            product_codes=dict(type="list", elements="str", required=True),
            users=dict(type="list", elements="str"),
            max_holders=dict(type="dict"),
        )

    def result_facts(self, params):
        return {"product_code": params["product_code"]}

    def connect(self, module):
        # The options are the client's keywords; their env fallbacks are the argument spec's.
        params = module.params
        return DatadogClient.connect(**dict((option, params[option])
                                            for option in connection_argument_spec())), None

    def backend(self, client, context, product, users, params):
        return DatadogSeatsBackend(client, product["product_code"])

    def failure_message(self, message, params):
        product_code = params["product_code"]
        if product_code not in message:
            # e.g. a user lookup that failed: it serves the product, but does not know it.
            return "product %s: %s" % (product_code, message)
        return message

    def resolve(self, backend, holders, users, protected, params):
        """Names among the holders need no lookup; the others are looked up in one go.

        New seats are refused to disabled users, and to service accounts unless
        ``allow_disabled``; a protected name protects every holder it may mean."""
        by_email = {}
        for person in holders.values():
            if person.view["email"]:
                by_email.setdefault(person.view["email"], []).append(person)

        def among_holders(name):
            if name in holders:
                return holders[name]
            found = by_email.get(name) or []
            return found[0] if len(found) == 1 else None

        desired = {}
        to_resolve = []
        for name in users:
            person = among_holders(name)
            if person is not None:
                desired[name] = person
            else:
                to_resolve.append(name)
        protected_keys, protected_pending = protect_among_holders(protected, holders, by_email)
        if params["exclusive"] and protected_pending:
            wanted_keys = set(person.key for person in desired.values())
            if not set(holders) - wanted_keys - protected_keys:
                protected_pending = []  # nobody would be reclaimed: no name needs looking up
        else:
            protected_pending = []

        resolved = lookup(backend.client, backend.product, to_resolve, protected_pending)
        unknown = []
        refused = []
        for name in users:
            if name in desired:
                continue
            verdict, value = resolved[name]
            if verdict != "user":
                unknown.append({"user": users[name], "reason": value})
                continue
            person = holders.get(value["id"].lower()) or user_person(value)
            if params["state"] == "present" and person.key not in holders:
                reason = refusal(value, params["allow_disabled"])
                if reason:
                    refused.append({"user": users[name], "reason": reason})
                    continue
            desired[name] = person
        for name in protected_pending:
            verdict, value = resolved[name]
            if verdict == "user":
                protected_keys.add(value["id"].lower())
            elif verdict == "users":
                # Every person the name may mean is protected: exclusive must not guess.
                protected_keys.update(user["id"].lower() for user in value)
            elif not by_email.get(name):
                unknown.append({"user": protected[name], "reason": value + " (in protected)"})
        return Resolution(list(desired.values()), protected_keys, unknown, refused)

    def shape_result(self, result, backend):
        result["product_code"] = backend.product
        result["assigned"] = sorted(result["assigned"], key=_view_order)
        result["reclaimed"] = sorted(result["reclaimed"], key=_view_order)

    def check_info_input(self, params):
        """``(codes, users, ceilings)``: the product codes checked (each named by its index)
        and without duplicates, the names (None when ``users`` is not given), and
        ``max_holders`` as ``{code: ceiling}`` (each code one of ``product_codes``)."""
        codes = []
        for index, code in enumerate(params["product_codes"]):
            code = check_product_code(code, "product_codes[%d]" % index)
            if code not in codes:
                codes.append(code)
        ceilings = check_ceilings(params["max_holders"],
                                  lambda name, field: listed_code(name, field, codes))
        users = fold_names(params["users"], "users", normalise_name)
        if params["users"] is None:
            users = None
        return codes, users, ceilings

    def read_info(self, module, client, context, checked):
        """Holders of each product (optionally only of ``users``), and every holder of the
        products of ``max_holders`` against its ceiling; read-only."""
        codes, users, ceilings = checked
        if not codes:
            raise DatadogError("product_codes must name at least one product code")
        seats = {}
        for code in codes:
            seats[code] = sorted(client.list_holders(code),
                                 key=lambda holder: ((holder.get("email") or "").lower(),
                                                     holder.get("id") or ""))
        # Counted before users filters the lists: a ceiling is about everybody holding a seat.
        ceilings = dict((code, ceiling(len(seats[code]), ceilings[code])) for code in ceilings)
        not_holding = []
        if users is not None:
            by_key = {}
            for holders in seats.values():
                for holder in holders:
                    for key in ((holder.get("id") or "").lower(), (holder.get("email") or "").lower()):
                        if key:
                            by_key.setdefault(key, set()).add(holder["id"])
            wanted = set()
            handles = []
            for name in users:
                if name in by_key:
                    wanted.update(by_key[name])
                elif "@" in name or is_uuid(name):
                    not_holding.append(users[name])
                else:
                    handles.append(name)
            # Holders carry id and email, not the handle: only bare handles need a lookup.
            resolved = client.resolve(handles)
            for name in handles:
                verdict, value = resolved[name]
                if verdict == "user" and value["id"].lower() in by_key:
                    wanted.update(by_key[value["id"].lower()])
                else:
                    not_holding.append(users[name])
            seats = dict((code, [holder for holder in holders if holder["id"] in wanted])
                         for code, holders in seats.items())
        return {
            "changed": False,
            "seats": seats,
            "counts": dict((code, len(holders)) for code, holders in seats.items()),
            "not_holding": sorted(not_holding, key=str.lower),
            "ceilings": ceilings,
        }


def listed_code(name, field, codes):
    """The product code ``name`` (a key of ``max_holders``) if ``product_codes`` lists it."""
    code = str(name).strip()
    if code not in codes:
        raise DatadogError(
            "%s: %s is not one of product_codes (%s): a ceiling applies to a product this task "
            "lists, so add the code to product_codes or take it out of max_holders"
            % (field, code or repr(name), ", ".join(codes) or "none given"))
    return code


def protect_among_holders(protected, holders, by_email):
    """Protected keys found among holders, and the protected names that still need a lookup.

    A holder's UUID means that one person. An email protects every holder with that email at
    once, and is looked up too: another user may have it as their handle (holders carry no
    handle), and a protected name protects everyone it may mean."""
    keys = set()
    pending = []
    for name in protected:
        if name in holders:
            keys.add(name)
            continue
        keys.update(person.key for person in by_email.get(name) or [])
        pending.append(name)
    return keys, pending


def lookup(client, product_code, users, protected):
    """Resolve names before any write; a failed lookup stops the run naming whose it was.

    Protected names get every user they match: see ``DatadogClient.resolve``. A protected
    name whose lookup failed is not "nobody": nothing may be reclaimed without it."""
    names = list(users) + [name for name in protected if name not in users]
    try:
        return client.resolve(names, every_match=protected)
    except DatadogError as exc:
        parts = [_shown(users)] if users else []
        hint = ""
        if protected:
            parts.append("protected %s" % _shown(protected))
            hint = (". A protected name that cannot be looked up may mean any holder, so "
                    "exclusive reclaims nobody without it; run again when Datadog answers")
        raise DatadogError(
            "product %s: looking up %s (nothing was changed): %s%s"
            % (product_code, " and ".join(parts), exc.message, hint),
            status=exc.status, detail=exc.detail, retried=exc.retried)


def _shown(names):
    names = list(names)
    more = " and %d more" % (len(names) - 20) if len(names) > 20 else ""
    return ", ".join(names[:20]) + more


def _view_order(view):
    return (view.get("email") or "", view.get("id") or "")


def refusal(user, allow_disabled):
    """Why ``user`` must not get a new seat, or None."""
    if user["disabled"]:
        return ("the Datadog user is disabled and a disabled user cannot get a seat "
                "(re-enable the user, or remove them from users)")
    if user["service_account"] and not allow_disabled:
        return ("the Datadog user is a service account; set allow_disabled=true to give "
                "service accounts seats")
    return None


DATADOG = DatadogSeats()
