# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Datadog backend of the sync engine against a fake client: refused UUIDs are isolated
whether or not Datadog's 422 names them (no sockets)."""

from __future__ import annotations

import json
import math

import pytest

from ansible_collections.seatops.seats.plugins.module_utils._datadog import DatadogError
from ansible_collections.seatops.seats.plugins.module_utils._datadog_seats_backend import (
    DatadogSeatsBackend,
    bisection_bound,
    user_person,
)
from ansible_collections.seatops.seats.plugins.module_utils._seat_sync import synchronise

PRODUCT = "incident_response"
GENERIC = "the request could not be processed"


def uid(number):
    return "00000000-0000-4000-8000-%012d" % number


class FakeSeats(object):
    """Just the client calls the backend makes; a write naming a refused UUID fails whole
    with a 422 that lists them (``detail="list"``) or names none (``detail="generic"``)."""

    def __init__(self, refused=(), detail="generic", holders=()):
        self.refused = set(refused)
        self.detail = detail
        self.holders = set(holders)
        self.writes = []

    def _write(self, method, product_code, user_ids):
        assert product_code == PRODUCT and 1 <= len(user_ids) <= 1000
        self.writes.append((method, list(user_ids)))
        bad = [user_id for user_id in user_ids if user_id in self.refused]
        if bad:
            detail = GENERIC if self.detail == "generic" else "invalid user_uuids: " + ",".join(bad)
            raise DatadogError("Datadog %s /api/v2/seats/users for product %s failed (HTTP 422): %s"
                               % (method, product_code, detail), status=422, detail=detail)
        if method == "POST":
            self.holders.update(user_ids)
        else:
            self.holders.difference_update(user_ids)
        return False

    def assign(self, product_code, user_ids):
        return self._write("POST", product_code, user_ids)

    def unassign(self, product_code, user_ids):
        return self._write("DELETE", product_code, user_ids)

    def list_holders(self, product_code):
        return [{"id": user_id, "email": None} for user_id in sorted(self.holders)]


def people(count):
    return [user_person({"id": uid(number), "email": "user%04d@example.com" % number})
            for number in range(count)]


def outcomes(api, count, action="assign"):
    backend = DatadogSeatsBackend(api, PRODUCT)
    call = backend.assign if action == "assign" else backend.reclaim
    return list(call(people(count)))


def settled(found):
    done = [person.key for outcome in found for person in outcome.done]
    failed = dict((person.key, reason) for outcome in found for person, reason in outcome.failed)
    return done, failed


class TestBound(object):
    @pytest.mark.parametrize("size, bound", [(1, 0), (2, 2), (3, 4), (4, 4), (5, 6),
                                             (1000, 20), (1024, 20), (1025, 22)])
    def test_two_calls_per_halving(self, size, bound):
        assert bisection_bound(size) == bound == 2 * math.ceil(math.log2(size))


class TestGenericRefusal(object):
    """The 422 names no UUID: the batch is split in halves until each refusal is alone."""

    @pytest.mark.parametrize("bad", [0, 1, 499, 500, 737, 998, 999])
    def test_one_bad_uuid_among_1000(self, bad):
        api = FakeSeats(refused=[uid(bad)])
        found = outcomes(api, 1000)
        done, failed = settled(found)
        assert failed == {uid(bad): "HTTP 422: %s" % GENERIC}
        assert sorted(done) == sorted(uid(n) for n in range(1000) if n != bad)
        assert api.holders == set(uid(n) for n in range(1000) if n != bad)
        # The first call, then at most two calls per halving for the one refused person.
        assert len(api.writes) - 1 <= bisection_bound(1000) == 20
        assert len(found) == len(api.writes)  # one outcome per call, as it returns
        assert ("POST", [uid(bad)]) in api.writes  # reported only after its own refusal

    def test_two_bad_uuids(self):
        bad = [uid(3), uid(640)]
        api = FakeSeats(refused=bad)
        found = outcomes(api, 1000, action="reclaim")
        done, failed = settled(found)
        assert sorted(failed) == bad and len(done) == 998
        assert len(api.writes) - 1 <= 2 * bisection_bound(1000)
        assert all(method == "DELETE" for method, _ids in api.writes)
        assert ("DELETE", [uid(3)]) in api.writes and ("DELETE", [uid(640)]) in api.writes

    def test_two_bad_uuids_side_by_side(self):
        api = FakeSeats(refused=[uid(500), uid(501)])
        done, failed = settled(outcomes(api, 1000))
        assert sorted(failed) == [uid(500), uid(501)] and len(done) == 998
        assert len(api.writes) - 1 <= 2 * bisection_bound(1000)

    def test_all_bad(self):
        api = FakeSeats(refused=[uid(n) for n in range(16)])
        found = outcomes(api, 16)
        done, failed = settled(found)
        assert done == [] and sorted(failed) == [uid(n) for n in range(16)]
        # Every node of the halving tree is sent once: 2 x 16 - 1 calls.
        assert len(api.writes) == 31 <= 1 + 16 * bisection_bound(16)
        assert all(outcome.certain for outcome in found)

    def test_one_person_refused_is_one_call(self):
        api = FakeSeats(refused=[uid(0)])
        done, failed = settled(outcomes(api, 1))
        assert done == [] and failed == {uid(0): "HTTP 422: %s" % GENERIC}
        assert len(api.writes) == 1

    def test_batches_over_1000_are_isolated_each(self):
        api = FakeSeats(refused=[uid(10), uid(1500)])
        done, failed = settled(outcomes(api, 2000))
        assert sorted(failed) == [uid(10), uid(1500)] and len(done) == 1998
        assert len(api.writes) - 2 <= 2 * bisection_bound(1000)


class TestListedRefusal(object):
    def test_listed_422_uses_the_list_without_bisection(self):
        api = FakeSeats(refused=[uid(7), uid(900)], detail="list")
        found = outcomes(api, 1000)
        done, failed = settled(found)
        reason = ("Datadog refused this user (unknown or disabled): invalid user_uuids: %s,%s"
                  % (uid(7), uid(900)))
        assert failed == {uid(7): reason, uid(900): reason} and len(done) == 998
        assert len(api.writes) == 2  # the refused call and the call without them
        assert len(api.writes[1][1]) == 998


class TestThroughTheEngine(object):
    def test_generic_refusal_result_and_journal_contract(self, tmp_path):
        from ansible_collections.seatops.seats.plugins.module_utils._journal import Journal

        api = FakeSeats(refused=[uid(321)])
        backend = DatadogSeatsBackend(api, PRODUCT)
        journal = Journal(str(tmp_path / "journal.jsonl"), "datadog")
        result = synchronise(backend, people(1000), {}, journal=journal)
        assert [item["user"] for item in result["failed_users"]] == ["user0321@example.com"]
        assert result["failed_users"][0]["reason"] == "HTTP 422: %s" % GENERIC
        assert len(result["assigned"]) == 999 and result["changed"] is True
        # One intent line for the engine's one batch, then each call's outcome; all certain,
        # so no re-read and nothing unknown.
        lines = [json.loads(line) for line in
                 (tmp_path / "journal.jsonl").read_text().splitlines()]
        assert [line["outcome"] for line in lines].count("pending") == 1
        assert sorted(set(line["outcome"] for line in lines)) == ["failed", "ok", "pending"]
        assert [line["id"] for line in lines if line["outcome"] == "failed"] == [uid(321)]
        assert sum(line["outcome"] == "ok" for line in lines) == 999
        assert all(line["source"] == "response" for line in lines if "source" in line)
        assert len(api.writes) - 1 <= bisection_bound(1000)
