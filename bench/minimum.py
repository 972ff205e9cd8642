# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The theoretical minimum number of API calls for a reconcile run.

The minimum is what any client that follows the API contracts (docs: the Datadog and
Microsoft Store specs the collection is built against) must spend to do the same work with
the same guarantees; the benchmark divides the calls it observes by it. It is counted per
product and per endpoint template (the keys the sandbox's request log uses), so a ratio
above 1 points at the call that is wasted.

Datadog, per product (``DatadogWork``):

- Holder pages: ``GET /api/v2/seats/users`` pages at ``page[limit]=1000`` (the page the
  client asks for and the sandbox's default maximum, ``datadog_max_page_limit``; Datadog
  documents none), following ``meta.next_cursor``. Against a service capped lower the
  client spends one refused call, then reads 100 a page: not what this minimum counts. An empty product still costs one
  call. If a full last page still carries a ``next_cursor`` (``full_last_page_has_next``;
  the benchmark probes the sandbox for it), one more, empty, page is unavoidable whenever
  the holder count is a multiple of the page size.
- Name resolution: every desired name that is not already a holder (holders come with
  their email, so those need no lookup) has to be turned into a user UUID, and its
  disabled / service-account flags read. Either one exact ``filter`` lookup per name (one
  page each) or one listing of all users (``ceil(total users / 100)`` pages of
  ``GET /api/v2/users``) serves; the minimum is the cheaper of the two.
- Writes (not in check mode): ``ceil(assigns / 1000)`` POST and ``ceil(reclaims / 1000)``
  DELETE on ``/api/v2/seats/users`` (1000 UUIDs per body at most).

Microsoft Store, per product (``StoreWork``):

- 1 token (``POST /{tenant}/oauth2/v2.0/token``; each module run is its own process, so a
  token cannot be shared between products) and 1 inventory page (``GET /V1/Inventory``,
  the preflight: licence type, status, capacity).
- Seat-list pages at ``maxResults=100`` (``GET /V1/Inventory/{productId}/{skuId}/Seats``;
  the Store sends a continuation token only when another page exists).
- 1 ``Get seat`` per desired user who is not a holder: the only way to learn that a UPN is
  unknown (404 User) before any write, which an exclusive sync must know before it acts.
- Writes (not in check mode): ``ceil(assigns / 25)`` + ``ceil(reclaims / 25)`` bulk calls
  (``POST /V1/Inventory/{productId}/{skuId}/Seats``, 25 names and one action per call).

GitHub Copilot, per organization (``CopilotWork``, contract:
../shared/specs/github-copilot-seats-api.md):

- 1 ``GET /orgs/{org}/copilot/billing`` (E1: the seat management setting every write
  depends on, read before anything else).
- Seat pages at ``per_page=100`` (``GET /orgs/{org}/copilot/billing/seats``, GitHub's
  maximum), following ``Link rel="next"``; every seat the org lists counts, pending
  cancellations and orphans included (GitHub sends no ``Link`` when all fit on one page,
  so no empty trailing page).
- Writes (not in check mode): ``ceil(assigns / 100)`` ``POST`` + ``ceil(reclaims / 100)``
  ``DELETE`` on ``/orgs/{org}/copilot/billing/selected_users`` (100 logins a call, the
  contract's advice; GitHub documents no limit).
- Stated apart (``memberships``): one ``GET /orgs/{org}/memberships/{username}`` per login
  given a seat that holds no active seat (new members and pending cancellations): GitHub may
  invite a non-member named in a write (§10.7), so the module checks membership first. The
  issue's own minimum (E1 + pages + writes) does not count these; the benchmark reports the
  ratio to both.

Shared, once per run (``shared_minimum``): the reconcile role reads the Store inventory once
for its report (capacity and available seats), 1 token + 1 inventory page, when the desired
state has any Store product.

Not counted: retries, 429 answers (they count as calls in the observed figure, which is the
point: pacing must avoid them), and re-reads after an uncertain write (none happen when no
call fails).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

DATADOG_HOLDERS_PAGE = 1000
DATADOG_USERS_PAGE = 100
DATADOG_WRITE_BATCH = 1000
STORE_SEATS_PAGE = 100
STORE_BULK_BATCH = 25

DD_SEATS_GET = "GET /api/v2/seats/users"
DD_SEATS_POST = "POST /api/v2/seats/users"
DD_SEATS_DELETE = "DELETE /api/v2/seats/users"
DD_USERS_LIST = "GET /api/v2/users"
DD_USER_GET = "GET /api/v2/users/{user_id}"
MS_TOKEN = "POST /{tenant}/oauth2/v2.0/token"
MS_TOKEN_V1 = "POST /{tenant}/oauth2/token"
MS_INVENTORY = "GET /V1/Inventory"
MS_SEATS_LIST = "GET /V1/Inventory/{productId}/{skuId}/Seats"
MS_SEAT_GET = "GET /V1/Inventory/{productId}/{skuId}/Seats/{username}"
MS_BULK = "POST /V1/Inventory/{productId}/{skuId}/Seats"
GH_BILLING = "GET /orgs/{org}/copilot/billing"
GH_SEATS = "GET /orgs/{org}/copilot/billing/seats"
GH_MEMBERSHIP = "GET /orgs/{org}/memberships/{username}"
GH_ADD = "POST /orgs/{org}/copilot/billing/selected_users"
GH_REMOVE = "DELETE /orgs/{org}/copilot/billing/selected_users"
GITHUB_SEATS_PAGE = 100
GITHUB_WRITE_BATCH = 100

# The assumptions above in one line each, for the benchmark's output.
ASSUMPTIONS = (
    "Datadog holders: pages at page[limit]=1000 (the sandbox's default maximum; a service capped lower costs one "
    "refused call, then pages of 100); an empty product costs one call; "
    "one empty page more only when a full last page still carries next_cursor (probed)",
    "Datadog names: one exact filter lookup per desired name that is not a holder, or one listing of all users "
    "(ceil(users / 100) pages) when that is cheaper",
    "Datadog writes: ceil(assigns / 1000) POST + ceil(reclaims / 1000) DELETE per product, none in check mode",
    "Store, per product: 1 token + 1 inventory page (preflight) + seat pages at maxResults=100 + 1 Get seat per "
    "desired user without a seat + ceil(n / 25) bulk calls per action (none in check mode)",
    "Store, once per run: 1 token + 1 inventory page (the role reads capacity once for its report)",
    "GitHub Copilot, per org: 1 E1 (billing settings) + ceil(seats listed / 100) seat pages (pending and orphan "
    "seats included) + ceil(assigns / 100) POST + ceil(reclaims / 100) DELETE (none in check mode); stated apart: "
    "1 membership read per login given a seat that holds no active seat",
    "not in the minimum: retries, 429 answers, re-reads after an uncertain write (all count in the observed calls)",
)

# The order endpoints are listed in, in every table.
ENDPOINT_ORDER = (DD_SEATS_GET, DD_USERS_LIST, DD_USER_GET, DD_SEATS_POST, DD_SEATS_DELETE,
                  MS_TOKEN, MS_INVENTORY, MS_SEATS_LIST, MS_SEAT_GET, MS_BULK,
                  GH_BILLING, GH_SEATS, GH_MEMBERSHIP, GH_REMOVE, GH_ADD)


@dataclass(frozen=True)
class DatadogWork:
    """What one Datadog product's run has to do."""
    product: str
    holders: int           # seat holders before the run
    unresolved: int        # desired names that are not holders (need a user lookup)
    total_users: int       # users in the organisation (for the full-listing alternative)
    assigns: int
    reclaims: int


@dataclass(frozen=True)
class StoreWork:
    """What one Microsoft Store product's run has to do."""
    product: str           # "PRODUCTID/SKU"
    holders: int
    unresolved: int        # desired UPNs that hold no seat (one Get seat each)
    assigns: int
    reclaims: int


@dataclass(frozen=True)
class CopilotWork:
    """What one GitHub organization's run has to do."""
    org: str
    seats_listed: int      # seats E2 lists before the run (holders, pending cancellations, orphans)
    assigns: int           # logins given a seat: new members and pending cancellations revoked
    reclaims: int
    memberships: int       # logins given a seat that hold no active seat (one membership read each)

    def without_drift(self, seats_listed):
        """The same org once the apply is done: ``seats_listed`` seats, nothing to do."""
        return CopilotWork(self.org, seats_listed, 0, 0, 0)


def ceil_div(count, size):
    return int(math.ceil(count / float(size))) if count > 0 else 0


def cursor_pages(items, limit, full_last_page_has_next=False):
    """Pages a cursor-following client reads to see ``items`` items, ``limit`` per page."""
    if items <= 0:
        return 1
    pages = ceil_div(items, limit)
    if full_last_page_has_next and items % limit == 0:
        pages += 1
    return pages


def datadog_minimum(work, check_mode, full_last_page_has_next=False):
    """Minimum calls per endpoint for one Datadog product (a Counter)."""
    calls = Counter()
    calls[DD_SEATS_GET] = cursor_pages(work.holders, DATADOG_HOLDERS_PAGE, full_last_page_has_next)
    if work.unresolved > 0:
        listing = max(1, ceil_div(work.total_users, DATADOG_USERS_PAGE))
        calls[DD_USERS_LIST] = min(work.unresolved, listing)
    if not check_mode:
        calls[DD_SEATS_POST] = ceil_div(work.assigns, DATADOG_WRITE_BATCH)
        calls[DD_SEATS_DELETE] = ceil_div(work.reclaims, DATADOG_WRITE_BATCH)
    return +calls


def store_minimum(work, check_mode):
    """Minimum calls per endpoint for one Microsoft Store product (a Counter)."""
    calls = Counter()
    calls[MS_TOKEN] = 1
    calls[MS_INVENTORY] = 1
    calls[MS_SEATS_LIST] = max(1, ceil_div(work.holders, STORE_SEATS_PAGE))
    calls[MS_SEAT_GET] = work.unresolved
    if not check_mode:
        calls[MS_BULK] = ceil_div(work.assigns, STORE_BULK_BATCH) + ceil_div(work.reclaims, STORE_BULK_BATCH)
    return +calls


def copilot_minimum(work, check_mode, memberships=True):
    """Minimum calls per endpoint for one GitHub organization (a Counter); ``memberships``:
    count the membership reads too (see the module docstring)."""
    calls = Counter()
    calls[GH_BILLING] = 1
    calls[GH_SEATS] = max(1, ceil_div(work.seats_listed, GITHUB_SEATS_PAGE))
    if memberships:
        calls[GH_MEMBERSHIP] = work.memberships
    if not check_mode:
        calls[GH_ADD] = ceil_div(work.assigns, GITHUB_WRITE_BATCH)
        calls[GH_REMOVE] = ceil_div(work.reclaims, GITHUB_WRITE_BATCH)
    return +calls


def shared_minimum(store_products):
    """Calls the reconcile role needs once per run: the Store inventory for its report."""
    if store_products <= 0:
        return Counter()
    return Counter({MS_TOKEN: 1, MS_INVENTORY: 1})


@dataclass
class RunMinimum:
    """The minimum of one run: per product, the shared part, and the total per endpoint."""
    per_product: dict
    shared: Counter

    @property
    def total(self):
        total = Counter(self.shared)
        for calls in self.per_product.values():
            total.update(calls)
        return total


def run_minimum(datadog_works, store_works, check_mode, full_last_page_has_next=False):
    per_product = {}
    for work in datadog_works:
        per_product[work.product] = datadog_minimum(work, check_mode, full_last_page_has_next)
    for work in store_works:
        per_product[work.product] = store_minimum(work, check_mode)
    return RunMinimum(per_product, shared_minimum(len(store_works)))


def canonical_endpoint(endpoint):
    """One name per endpoint, whoever counted it: the sandbox log says ``GET /V1/Inventory``,
    the modules ``GET /Inventory``; the v1 and v2 token endpoints are one kind of call."""
    method, _sep, path = endpoint.partition(" ")
    if path.startswith("/Inventory") or path.startswith("/Users/"):
        path = "/V1" + path
    endpoint = "%s %s" % (method, path)
    if endpoint == MS_TOKEN_V1:
        return MS_TOKEN
    return endpoint


def canonical_counts(counts):
    """A Counter of canonical endpoint names (drops a ``total`` key)."""
    result = Counter()
    for endpoint, count in (counts or {}).items():
        if endpoint == "total" or not isinstance(count, int):
            continue
        result[canonical_endpoint(endpoint)] += count
    return result


def ratio(actual, minimum):
    """actual / minimum; None when the minimum is 0 (then any call is above the minimum)."""
    if minimum <= 0:
        return None if actual > 0 else 1.0
    return actual / float(minimum)


def endpoint_order(endpoints):
    known = [endpoint for endpoint in ENDPOINT_ORDER if endpoint in endpoints]
    return known + sorted(endpoint for endpoint in endpoints if endpoint not in ENDPOINT_ORDER)
