# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Store backend of the sync engine against a stateful fake Store (no sockets)."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from test_msstore_fake import (  # noqa: E402  pylint: disable=wrong-import-position
    API,
    AUTH,
    SECRET,
    TENANT,
    FakeResponse,
    FakeStore,
    entry,
    seat,
    store_error,
)

from ansible_collections.seatops.seats.plugins.module_utils._msstore import (  # noqa: E402
    MsStoreError,
    connect,
)
from ansible_collections.seatops.seats.plugins.module_utils._msstore_seats_backend import (  # noqa: E402
    READ_LIST,
    READ_PER_USER,
    STORE,
    StoreSeatBackend,
    choose_read,
    preflight,
)
from ansible_collections.seatops.seats.plugins.module_utils._seat_sync import (  # noqa: E402
    Person,
    SeatSyncError,
    synchronise,
)

KEY = ("9NBLGGH4R2R6", "0016")
SEAT_GET = r"/Seats/[^/]+$"


def upns(prefix, count):
    return ["%s%02d@contoso.com" % (prefix, index) for index in range(count)]


def make(store):
    return connect(api_url=API, auth_url=AUTH, tenant_id=TENANT, client_id="app",
                   client_secret=SECRET, session=store, auth_session=store,
                   sleep=lambda seconds: None, retries=2)


def backend_for(store, names, exclusive=False, key=KEY, count_needed=False):
    client = make(store)
    found = preflight(client, key[0], key[1], TENANT)
    folded = dict((name.lower(), name) for name in names)
    return StoreSeatBackend(client, key[0], key[1], found, folded, exclusive, tenant=TENANT,
                            count_needed=count_needed)


def sync(store, names, check_mode=False, **options):
    backend = backend_for(store, names, exclusive=options.get("exclusive", False),
                          count_needed=options.get("max_holders") is not None)
    holders = backend.first_read()
    unknown = backend.unknown_users()
    desired = [Person(key, label) for key, label in backend.names.items()
               if key not in backend.unknown]
    result = synchronise(backend, desired, holders, check_mode=check_mode, diff=True,
                         skipped=unknown, **options)
    STORE.shape_result(result, backend)
    return result, backend


class TestPreflight(object):
    def test_offline_entry_fails_before_any_seat_call(self):
        store = FakeStore({KEY: entry(license_type="Offline")})
        with pytest.raises(SeatSyncError, match="Offline licence"):
            backend_for(store, ["a@contoso.com"])
        assert store.count("GET", "/Seats") == 0

    def test_unknown_product_names_both_ids_after_reading_every_page(self):
        store = FakeStore({KEY: entry(), ("CFQ7TTC0K5DR", "0001"): entry("CFQ7TTC0K5DR", "0001"),
                           ("9WZDNCRFJ3PZ", "0016"): entry("9WZDNCRFJ3PZ", "0016")})
        backend = backend_for(store, [], key=("9NBLGGH4R2R6", "0099"))
        # Not listed: maybe Removed and left out of the listing, so the product's own seat
        # list decides, and the Store answers it with 404 Inventory.
        with pytest.raises(SeatSyncError) as info:
            backend.first_read()
        assert "product_id 9NBLGGH4R2R6 with sku_id 0099 is not in the Store for Business " \
               "inventory of tenant %s" % TENANT in str(info.value)
        assert "Nothing was changed" in str(info.value)
        assert store.count("GET", "/Inventory$") == 2  # page size 2: both pages read
        assert store.count("GET", "/Seats$") == 1 and store.writes() == []

    @pytest.mark.parametrize("method, path, what", [
        ("POST", r"/oauth2/v2.0/token$", "getting a token for tenant %s failed" % TENANT),
        ("GET", r"/Inventory$", "GET /Inventory failed (HTTP 503)"),
    ])
    def test_a_failed_first_read_names_the_product(self, method, path, what):
        # Found by the fault soak: neither the token endpoint's nor the inventory's message
        # says which product the task was about.
        store = FakeStore({KEY: entry()})
        store.faults.extend([(method, path, store_error(503, "Service Unavailable"))] * 3)
        with pytest.raises(MsStoreError) as info:
            backend_for(store, ["a@contoso.com"])
        assert str(info.value).startswith("9NBLGGH4R2R6/0016: nothing was changed: ")
        assert what in str(info.value)
        assert info.value.status == 503
        assert store.writes() == []


class TestReadChoice(object):
    def test_choice_compares_call_counts(self):
        assert choose_read(entry(capacity=1000, available=750), 2, False) == READ_PER_USER
        assert choose_read(entry(capacity=1000, available=750), 3, False) == READ_PER_USER
        assert choose_read(entry(capacity=1000, available=750), 4, False) == READ_LIST
        assert choose_read(entry(capacity=1000, available=750), 1, True) == READ_LIST

    def test_per_user_reads_one_call_per_user_and_finds_unknowns(self):
        store = FakeStore({KEY: entry(capacity=400, available=100)},
                          seats={KEY: dict((u, u) for u in upns("h", 3))}, users=["free@contoso.com"])
        backend = backend_for(store, ["h00@contoso.com", "free@contoso.com", "ghost@contoso.com"])
        assert backend.strategy == READ_PER_USER
        holders = backend.first_read()
        assert backend.unknown_users() == [{"user": "ghost@contoso.com",
                                            "reason": "no such user in the tenant (the Store answered 404 User)"}]
        assert store.count("GET", SEAT_GET) == 3 and store.count("GET", "/Seats$") == 0
        assert sorted(holders) == ["h00@contoso.com"]
        assert sorted(backend.read_holders()) == ["h00@contoso.com"]

    def test_listing_reads_all_pages_and_looks_up_only_names_it_did_not_show(self):
        holders = upns("h", 5)
        store = FakeStore({KEY: entry(capacity=10, available=5)},
                          seats={KEY: dict((u, u) for u in holders)}, users=["new@contoso.com"])
        backend = backend_for(store, holders[:3] + ["new@contoso.com", "ghost@contoso.com"])
        assert backend.strategy == READ_LIST
        first = backend.first_read()
        assert [item["user"] for item in backend.unknown_users()] == ["ghost@contoso.com"]
        assert store.count("GET", "/Seats$") == 3  # 5 holders, 2 per page
        assert store.count("GET", SEAT_GET) == 2  # new and ghost only
        assert sorted(first) == holders
        assert sorted(backend.read_holders()) == holders


class TestSync(object):
    def test_check_mode_predicts_without_writing_then_apply_then_unchanged(self):
        store = FakeStore({KEY: entry(capacity=10, available=9)},
                          seats={KEY: {"old@contoso.com": "old@contoso.com"}},
                          users=upns("n", 3))
        predicted, unused_backend = sync(store, upns("n", 3) + ["old@contoso.com"], check_mode=True)
        assert store.writes() == []
        applied, unused_backend = sync(store, upns("n", 3) + ["old@contoso.com"])
        for key in ("changed", "assigned", "reclaimed", "unchanged", "holders_count",
                    "available_seats", "diff"):
            assert predicted[key] == applied[key], key
        assert applied["assigned"] == upns("n", 3) and applied["available_seats"] == 6
        assert applied["holders_count"] == 4
        again, unused_backend = sync(store, upns("n", 3) + ["old@contoso.com"])
        assert again["changed"] is False and again["unchanged"] == 4

    def test_assign_in_batches_of_25_and_exclusive_reclaims(self):
        names = upns("u", 60)
        store = FakeStore({KEY: entry(capacity=100, available=98, policy="Open")},
                          seats={KEY: {"x@contoso.com": "x@contoso.com",
                                       "keep@contoso.com": "keep@contoso.com"}},
                          users=names, page_size=100)
        result, backend = sync(store, names, exclusive=True, protected=["keep@contoso.com"],
                               max_reclaims=1)
        bulk = store.writes()
        assert [len(c.json["usernames"]) for c in bulk] == [1, 25, 25, 10]
        assert [c.json["seatAction"] for c in bulk] == ["Reclaim"] + ["Assign"] * 3
        assert result["reclaimed"] == ["x@contoso.com"]
        assert store.holders() == sorted(names + ["keep@contoso.com"])
        assert result["holders_count"] == 61 and result["available_seats"] == 39

    def test_restricted_capacity_fails_before_any_write_in_check_mode_too(self):
        for check_mode in (True, False):
            store = FakeStore({KEY: entry(capacity=3, available=2)}, users=upns("n", 3))
            with pytest.raises(SeatSyncError) as info:
                sync(store, upns("n", 3), check_mode=check_mode)
            assert "3 needed, 2 available" in str(info.value)
            assert store.writes() == []

    def test_a_full_restricted_product_swaps_because_reclaims_go_first(self):
        for check_mode in (True, False):
            store = FakeStore({KEY: entry(capacity=2, available=0)}, users=upns("n", 4),
                              seats={KEY: dict((upn, upn) for upn in upns("n", 2))})
            result, unused_backend = sync(store, upns("n", 4)[2:], check_mode=check_mode, exclusive=True,
                                          max_reclaims=2)
            assert result["reclaimed"] == upns("n", 2) and result["assigned"] == upns("n", 4)[2:]
            assert result["failed_users"] == [] and result["available_seats"] == 0
            if not check_mode:
                assert [c.json["seatAction"] for c in store.writes()] == ["Reclaim", "Assign"]
                assert store.holders() == upns("n", 4)[2:]

    def test_reclaims_count_as_free_seats_but_no_more(self):
        store = FakeStore({KEY: entry(capacity=2, available=0)}, users=upns("n", 5),
                          seats={KEY: dict((upn, upn) for upn in upns("n", 2))})
        with pytest.raises(SeatSyncError) as info:
            sync(store, upns("n", 5)[2:], exclusive=True, max_reclaims=2)
        assert str(info.value).startswith("not enough seats on 9NBLGGH4R2R6/0016 (Restricted): 3 needed, 2 "
                                          "available once this run's 2 reclaim(s) free theirs (capacity 2)")
        assert store.writes() == []

    def test_max_holders_counts_every_holder_from_the_inventory_when_reading_user_by_user(self):
        store = FakeStore({KEY: entry(capacity=1000, available=950, policy="Open")}, users=upns("n", 1))
        with pytest.raises(SeatSyncError) as info:
            sync(store, upns("n", 1), max_holders=50)
        assert "Refusing to end with 51 holders of 9NBLGGH4R2R6/0016: max_holders is 50. 50 hold" in str(info.value)
        assert store.writes() == []

    def test_max_holders_reads_the_whole_list_when_the_inventory_cannot_count(self):
        store = FakeStore({KEY: entry(capacity=None, available=None, policy="Open")}, users=upns("n", 3),
                          seats={KEY: dict((upn, upn) for upn in upns("n", 3)[1:])})
        backend = backend_for(store, upns("n", 1), count_needed=True)
        assert backend.strategy == READ_LIST
        assert backend_for(store, upns("n", 1)).strategy == READ_PER_USER
        with pytest.raises(SeatSyncError, match="Refusing to end with 3 holders"):
            sync(store, upns("n", 1), max_holders=2)

    def test_open_policy_has_no_capacity_check(self):
        store = FakeStore({KEY: entry(capacity=3, available=0, policy="Open")}, users=upns("n", 2))
        result, unused_backend = sync(store, upns("n", 2))
        assert result["assigned"] == upns("n", 2)

    def test_per_user_failures_are_mapped(self):
        store = FakeStore({KEY: entry(capacity=10, available=1, policy="Restricted")},
                          users=upns("n", 2))
        backend = backend_for(store, [])
        outcomes = list(backend.assign([Person("n00@contoso.com", "n00@contoso.com"),
                                        Person("n01@contoso.com", "n01@contoso.com"),
                                        Person("ghost@contoso.com", "ghost@contoso.com")]))
        assert len(outcomes) == 1 and outcomes[0].certain
        assert [p.key for p in outcomes[0].done] == ["n00@contoso.com"]
        assert dict((p.key, reason) for p, reason in outcomes[0].failed) == {
            "n01@contoso.com": "no seats available on this Restricted product (NoSeatsAvailable)",
            "ghost@contoso.com": "unknown user (UserNotFound)"}

    def test_reclaim_that_finds_no_seat_is_not_a_failure(self):
        store = FakeStore({KEY: entry()}, users=["a@contoso.com"])
        backend = backend_for(store, [])
        outcome = list(backend.reclaim([Person("a@contoso.com", "a@contoso.com")]))[0]
        assert [p.key for p in outcome.done] == ["a@contoso.com"] and outcome.failed == []

    def test_bulk_409_no_seats_available_fails_the_batch_with_certainty(self):
        store = FakeStore({KEY: entry()}, users=["a@contoso.com"])
        conflict = store_error(409, "No seats available", reason="No seats available")
        store.faults.append(("POST", r"/Seats$", conflict))
        backend = backend_for(store, [])
        outcome = list(backend.assign([Person("a@contoso.com", "a@contoso.com")]))[0]
        assert outcome.certain and "No seats available" in outcome.failed[0][1]

    def test_a_name_missing_from_both_lists_makes_the_outcome_uncertain(self):
        store = FakeStore({KEY: entry()}, users=["a@contoso.com", "b@contoso.com"])
        store.faults.append(("POST", r"/Seats$", FakeResponse(200, {
            "seatDetails": [seat("a@contoso.com")], "failedSeatOperations": []})))
        backend = backend_for(store, [])
        outcome = list(backend.assign([Person("a@contoso.com", "a@contoso.com"),
                                       Person("b@contoso.com", "b@contoso.com")]))[0]
        assert outcome.certain is False and [p.key for p in outcome.done] == ["a@contoso.com"]

    def test_retried_write_is_reread_and_reported_truthfully(self):
        store = FakeStore({KEY: entry(capacity=10, available=10)}, users=["a@contoso.com"])
        store.faults.append(("POST", r"/Seats$", store_error(503, "busy")))
        result, unused_backend = sync(store, ["a@contoso.com"])
        assert result["assigned"] == ["a@contoso.com"] and result["failed_users"] == []
        assert store.count("POST", r"/Seats$") == 2
        assert store.count("GET", SEAT_GET) == 2  # the first read, then the re-read

    def test_server_errors_after_all_retries_are_failures_after_a_reread(self):
        store = FakeStore({KEY: entry(capacity=10, available=10)}, users=["a@contoso.com"])
        store.faults.extend([("POST", r"/Seats$", store_error(500, "boom"))] * 3)
        result, unused_backend = sync(store, ["a@contoso.com"])
        assert result["assigned"] == [] and result["failed_users"][0]["user"] == "a@contoso.com"
        assert "boom" in result["failed_users"][0]["reason"]
        assert result["available_seats"] == 10

    def test_expired_token_mid_run_is_refreshed(self):
        store = FakeStore({KEY: entry(capacity=10, available=10)}, users=upns("n", 2))
        backend = backend_for(store, upns("n", 2))
        holders = backend.first_read()
        store.tokens.clear()  # every issued token is now invalid
        desired = [Person(k, v) for k, v in backend.names.items()]
        result = synchronise(backend, desired, holders)
        assert result["assigned"] == upns("n", 2)
        assert store.issued == 2

    def test_a_second_401_stops_and_reports_every_user(self):
        store = FakeStore({KEY: entry(capacity=10, available=10)}, users=upns("n", 2))
        backend = backend_for(store, upns("n", 2))
        holders = backend.first_read()
        store.faults.extend([("POST", r"/Seats$", store_error(401, "expired"))] * 2)
        desired = [Person(k, v) for k, v in backend.names.items()]
        result = synchronise(backend, desired, holders)
        assert result["assigned"] == []
        assert [item["user"] for item in result["failed_users"]] == upns("n", 2)
        assert "401" in result["failed_users"][0]["reason"]

    def test_not_activated_app_fails_on_the_first_call(self):
        store = FakeStore({KEY: entry()}, active_client=False)
        with pytest.raises(MsStoreError, match="not activated as a management tool"):
            backend_for(store, [])


# -- products removed from the inventory --------------------------------------------------------

REMOVED = ("9MSPC6MP8FM4", "0010")


def removed_store(list_removed=True):
    """A Removed product two people still hold a seat of, and an ordinary one."""
    return FakeStore({KEY: entry(), REMOVED: entry(*REMOVED, capacity=5, available=3, policy="Open",
                                                   status="Removed")},
                     seats={REMOVED: {"ann@contoso.com": "ann@contoso.com",
                                      "bob@contoso.com": "bob@contoso.com"}},
                     users=["cid@contoso.com"], list_removed=list_removed)


def sync_on(store, key, names, check_mode=False, **options):
    client = make(store)
    backend = StoreSeatBackend(client, key[0], key[1], preflight(client, key[0], key[1], TENANT),
                               dict((name.lower(), name) for name in names),
                               options.get("exclusive", False), tenant=TENANT)
    holders = backend.first_read()
    skipped = backend.unknown_users()
    desired = [Person(k, v) for k, v in backend.names.items() if k not in backend.unknown]
    result = synchronise(backend, desired, holders, check_mode=check_mode, skipped=skipped, **options)
    STORE.shape_result(result, backend)
    return result


class TestRemovedProducts(object):
    @pytest.mark.parametrize("list_removed", [True, False])
    def test_state_absent_reclaims_whether_or_not_the_inventory_lists_it(self, list_removed):
        store = removed_store(list_removed)
        result = sync_on(store, REMOVED, ["ann@contoso.com", "cid@contoso.com"], state="absent")
        assert result["reclaimed"] == ["ann@contoso.com"] and result["failed_users"] == []
        assert store.holders(REMOVED) == ["bob@contoso.com"]
        assert [c.json["seatAction"] for c in store.writes()] == ["Reclaim"]

    @pytest.mark.parametrize("list_removed", [True, False])
    def test_exclusive_without_assignments_reclaims(self, list_removed):
        store = removed_store(list_removed)
        result = sync_on(store, REMOVED, ["bob@contoso.com"], exclusive=True, max_reclaims=1)
        assert result["reclaimed"] == ["ann@contoso.com"] and result["assigned"] == []
        assert store.holders(REMOVED) == ["bob@contoso.com"]

    @pytest.mark.parametrize("list_removed, state", [
        (True, "has been removed from the inventory of tenant %s" % TENANT),
        (False, "is not listed in the Store for Business inventory of tenant %s (a product "
                "removed from the inventory may be left out of it)" % TENANT),
    ])
    @pytest.mark.parametrize("check_mode", [True, False])
    def test_a_plan_that_assigns_is_refused_whole_before_any_write(self, list_removed, state, check_mode):
        store = removed_store(list_removed)
        with pytest.raises(SeatSyncError) as info:
            sync_on(store, REMOVED, ["cid@contoso.com"], check_mode=check_mode, exclusive=True,
                    max_reclaims=2)
        message = str(info.value)
        assert message.startswith("product 9MSPC6MP8FM4/0010 %s: the Store assigns no new seats "
                                  "on it, so cid@contoso.com cannot get one. Nothing was changed."
                                  % state)
        assert "The 2 reclaim(s) this run also planned were not made either" in message
        assert "state=absent" in message
        assert store.writes() == []
        assert store.holders(REMOVED) == ["ann@contoso.com", "bob@contoso.com"]

    def test_an_unlisted_product_the_store_does_not_have_is_unknown(self):
        store = removed_store(list_removed=False)
        with pytest.raises(SeatSyncError, match="product_id 9NBLGGH4R2R6 with sku_id 0099 is not in"):
            sync_on(store, ("9NBLGGH4R2R6", "0099"), ["ann@contoso.com"], state="absent")
        assert store.writes() == []


class TestReadsBeforeAnyWrite(object):
    def test_a_wrong_path_404_while_reading_holders_says_nothing_was_changed(self):
        store = FakeStore({KEY: entry()}, users=["a@contoso.com"])
        store.faults.append(("GET", r"/Seats/", FakeResponse(404, "Not Found")))
        with pytest.raises(MsStoreError) as info:
            sync_on(store, KEY, ["a@contoso.com"], state="absent")
        message = str(info.value)
        assert message.startswith("9NBLGGH4R2R6/0016: nothing was changed: GET ")
        assert "answered HTTP 404 without the Store's item type" in message
        assert store.writes() == []
