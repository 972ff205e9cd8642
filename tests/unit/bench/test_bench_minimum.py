# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The theoretical-minimum calculator of make bench (bench/minimum.py)."""

from __future__ import annotations

from collections import Counter

import pytest

from bench import minimum
from bench.minimum import DatadogWork, StoreWork


@pytest.mark.parametrize("items, limit, trailing, pages", [
    (0, 1000, False, 1),        # an empty product still costs the call that says so
    (0, 1000, True, 1),
    (1, 1000, False, 1),
    (999, 1000, False, 1),
    (1000, 1000, False, 1),
    (1000, 1000, True, 2),      # a full last page that points on: one empty page more
    (1001, 1000, True, 2),
    (10000, 1000, False, 10),
    (50000, 1000, True, 51),
    (5000, 100, False, 50),
])
def test_cursor_pages(items, limit, trailing, pages):
    assert minimum.cursor_pages(items, limit, trailing) == pages


def test_datadog_full_benchmark_product():
    # 10,000 holders, 1% drift: 50 reclaims, 50 assigns of users who hold no seat yet.
    work = DatadogWork("incident_response", holders=10000, unresolved=50, total_users=50000,
                       assigns=50, reclaims=50)
    assert minimum.datadog_minimum(work, check_mode=False) == Counter({
        minimum.DD_SEATS_GET: 10, minimum.DD_USERS_LIST: 50,
        minimum.DD_SEATS_POST: 1, minimum.DD_SEATS_DELETE: 1})
    assert minimum.datadog_minimum(work, check_mode=True) == Counter({
        minimum.DD_SEATS_GET: 10, minimum.DD_USERS_LIST: 50})


def test_datadog_resolution_is_capped_by_one_full_listing():
    work = DatadogWork("p", holders=0, unresolved=2000, total_users=50001, assigns=2000, reclaims=0)
    calls = minimum.datadog_minimum(work, check_mode=False)
    assert calls[minimum.DD_USERS_LIST] == 501      # ceil(50,001 / 100) < 2,000 lookups
    assert calls[minimum.DD_SEATS_POST] == 2        # 2,000 UUIDs: two bodies of at most 1,000
    assert minimum.DD_SEATS_DELETE not in calls


def test_datadog_nothing_to_do_is_the_holder_pages_only():
    work = DatadogWork("p", holders=10001, unresolved=0, total_users=50000, assigns=0, reclaims=0)
    assert minimum.datadog_minimum(work, check_mode=False) == Counter({minimum.DD_SEATS_GET: 11})
    assert minimum.datadog_minimum(work, check_mode=False, full_last_page_has_next=True) == \
        Counter({minimum.DD_SEATS_GET: 11})
    work = DatadogWork("p", holders=10000, unresolved=0, total_users=50000, assigns=0, reclaims=0)
    assert minimum.datadog_minimum(work, check_mode=False, full_last_page_has_next=True) == \
        Counter({minimum.DD_SEATS_GET: 11})


def test_store_full_benchmark_product():
    work = StoreWork("9NGEN0000000/0001", holders=5000, unresolved=25, assigns=25, reclaims=25)
    assert minimum.store_minimum(work, check_mode=False) == Counter({
        minimum.MS_TOKEN: 1, minimum.MS_INVENTORY: 1, minimum.MS_SEATS_LIST: 50,
        minimum.MS_SEAT_GET: 25, minimum.MS_BULK: 2})
    assert minimum.store_minimum(work, check_mode=True) == Counter({
        minimum.MS_TOKEN: 1, minimum.MS_INVENTORY: 1, minimum.MS_SEATS_LIST: 50, minimum.MS_SEAT_GET: 25})


def test_store_bulk_batches_of_25_per_action():
    work = StoreWork("P/0001", holders=0, unresolved=26, assigns=26, reclaims=0)
    calls = minimum.store_minimum(work, check_mode=False)
    assert calls[minimum.MS_SEATS_LIST] == 1
    assert calls[minimum.MS_BULK] == 2
    work = StoreWork("P/0001", holders=100, unresolved=0, assigns=0, reclaims=1)
    assert minimum.store_minimum(work, check_mode=False)[minimum.MS_BULK] == 1


def test_run_minimum_adds_the_roles_inventory_read_once():
    dd = [DatadogWork("a", 10000, 50, 50000, 50, 50), DatadogWork("b", 10000, 50, 50000, 50, 50)]
    ms = [StoreWork("P%d/0001" % i, 5000, 25, 25, 25) for i in range(3)]
    run = minimum.run_minimum(dd, ms, check_mode=True)
    assert set(run.per_product) == {"a", "b", "P0/0001", "P1/0001", "P2/0001"}
    assert run.shared == Counter({minimum.MS_TOKEN: 1, minimum.MS_INVENTORY: 1})
    total = run.total
    assert total[minimum.MS_TOKEN] == 4 and total[minimum.MS_INVENTORY] == 4
    assert total[minimum.DD_SEATS_GET] == 20 and total[minimum.DD_USERS_LIST] == 100
    assert sum(total.values()) == 2 * 60 + 3 * 77 + 2
    assert minimum.run_minimum(dd, [], check_mode=True).shared == Counter()


@pytest.mark.parametrize("name, canonical", [
    ("GET /Inventory", minimum.MS_INVENTORY),
    ("GET /Inventory/{productId}/{skuId}/Seats", minimum.MS_SEATS_LIST),
    ("POST /Inventory/{productId}/{skuId}/Seats", minimum.MS_BULK),
    ("GET /V1/Inventory", minimum.MS_INVENTORY),
    ("POST /{tenant}/oauth2/token", minimum.MS_TOKEN),
    ("GET /Users/{username}/Seats", "GET /V1/Users/{username}/Seats"),
    ("GET /api/v2/users", minimum.DD_USERS_LIST),
])
def test_canonical_endpoint(name, canonical):
    assert minimum.canonical_endpoint(name) == canonical


def test_canonical_counts_merges_names_and_drops_the_total():
    counts = {"GET /Inventory": 2, "GET /V1/Inventory": 1, "total": 3}
    assert minimum.canonical_counts(counts) == Counter({minimum.MS_INVENTORY: 3})


def test_ratio():
    assert minimum.ratio(105, 100) == pytest.approx(1.05)
    assert minimum.ratio(0, 0) == 1.0
    assert minimum.ratio(3, 0) is None    # calls where none were needed: no finite ratio


def test_endpoint_order_known_first():
    order = minimum.endpoint_order({"GET /zzz", minimum.MS_BULK, minimum.DD_SEATS_GET})
    assert order == [minimum.DD_SEATS_GET, minimum.MS_BULK, "GET /zzz"]
