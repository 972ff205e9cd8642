# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 10, items 7 and 8, with real ansible-playbook runs against the sandbox.

7. A protected name that may mean several people protects all of them (two Datadog users
   with one email; one user's email that is another user's handle), and a protected name
   whose lookup fails stops the exclusive run before any write.
8. The journal agrees with the result, per person: a write whose first answer was lost and
   whose retry confirmed it is journaled "ok" and reported assigned, even when the holders
   cannot be read again afterwards; when nothing can tell (no answer, no re-read), both the
   journal and the result say "unknown". The sandbox's ``drop_answer`` fault applies a write
   and loses its answer; ``after`` lets the first read through and fails the re-read.
"""

from __future__ import annotations

import json

import pytest

API_KEY = "truth-dd-api-key-Vb31"
APP_KEY = "truth-dd-app-key-Lq08"
TENANT = "contoso.onmicrosoft.com"
CLIENT = "truth-client"
SECRET = "truth-Secret-93ad"
PRODUCT = "incident_response"
OPEN = ("CFQ7TTC0K5DR", "0001")
SEATS_PATH = "/api/v2/seats/users"
STORE_SEAT_GET = "/V1/Inventory/{productId}/{skuId}/Seats/{username}"
STORE_BULK = "/V1/Inventory/{productId}/{skuId}/Seats"

ID = dict((name, "0b0b0b0b-0000-4000-8000-%012d" % number) for number, name in enumerate([
    "ana", "shared_one", "shared_two", "ops", "lead", "leaver_one", "leaver_two", "cy"]))

SEED = {
    "datadog": {
        "keys": [{"api_key": API_KEY, "app_key": APP_KEY}],
        "products": [{"code": PRODUCT}],
        "users": [
            {"id": ID["ana"], "email": "ana@example.com"},
            # Two people share one mailbox (a team account the IdP created twice).
            {"id": ID["shared_one"], "email": "oncall@example.com"},
            {"id": ID["shared_two"], "email": "oncall@example.com"},
            # One person's email is another person's handle.
            {"id": ID["ops"], "email": "ops@example.com"},
            {"id": ID["lead"], "email": "lead@example.com", "handle": "ops@example.com"},
            {"id": ID["leaver_one"], "email": "leaver.one@example.com"},
            {"id": ID["leaver_two"], "email": "leaver.two@example.com"},
            {"id": ID["cy"], "email": "cy@example.com"},
        ],
        "seats": {PRODUCT: [ID[name] for name in ("ana", "shared_one", "shared_two", "ops", "lead",
                                                  "leaver_one", "leaver_two")]},
    },
    "msstore": {"tenants": [{
        "id": TENANT,
        "clients": [{"client_id": CLIENT, "client_secret": SECRET}],
        "users": ["alice@contoso.com", "bob@contoso.com"],
        "inventory": [{"product_id": OPEN[0], "sku_id": OPEN[1], "distribution_policy": "Open",
                       "seat_capacity": 10}],
        "seats": {"%s/%s" % OPEN: ["alice@contoso.com"]},
    }]},
}


@pytest.fixture
def fresh(sandbox):
    sandbox.seed(SEED)
    sandbox.faults([])
    sandbox.clear_requests()
    yield sandbox
    sandbox.faults([])


def play(sandbox, tasks):
    return [{
        "name": "truth", "hosts": "localhost", "gather_facts": False,
        "module_defaults": {
            "group/seatops.seats.datadog": {"api_url": sandbox.url, "api_key": API_KEY, "app_key": APP_KEY},
            "group/seatops.seats.msstore": {"tenant_id": TENANT, "client_id": CLIENT, "client_secret": SECRET,
                                            "auth_url": sandbox.url, "api_url": sandbox.store_url},
        },
        "tasks": tasks,
    }]


def dd_task(name, **options):
    options.setdefault("product_code", PRODUCT)
    return {"name": name, "seatops.seats.datadog_seats": options, "ignore_errors": True}


def dd_holders(sandbox):
    return sorted(holder["id"] for holder in sandbox.state()["datadog"]["products"][PRODUCT]["holders"])


def store_holders(sandbox):
    return sandbox.state()["msstore"]["tenants"][TENANT]["products"]["%s/%s" % OPEN]["holders"]


def writes(sandbox):
    counts = sandbox.requests()["counts"]
    return dict((key, count) for key, count in counts.items() if not key.startswith("GET"))


def journal_says(path):
    """``{user: outcome}`` from each user's last outcome line (intent lines left out)."""
    said = {}
    with open(str(path)) as handle:
        for line in handle.read().splitlines():
            entry = json.loads(line)
            if entry["outcome"] != "pending":
                said[entry["user"]] = entry["outcome"]
    return said


def result_says(result):
    """The same verdicts from a module result: ok (assigned or reclaimed), unknown, failed."""
    said = {}
    for view in result["assigned"] + result["reclaimed"]:
        said[view["email"] if isinstance(view, dict) else view] = "ok"
    for item in result["failed_users"]:
        said[item["user"]] = "unknown" if item["reason"].startswith("outcome unknown") else "failed"
    return said


# -- item 7 -----------------------------------------------------------------------------------

def test_a_protected_name_protects_everyone_it_may_mean(fresh, run_playbook):
    run = run_playbook(play(fresh, [dd_task(
        "exclusive", users=["ana@example.com"], exclusive=True, unknown_users="warn", max_reclaims=2,
        protected=["oncall@example.com", "OPS@example.com"])]))
    result = run.result("exclusive")
    assert run.task("exclusive")["status"] == "ok", result.get("msg")
    assert sorted(view["id"] for view in result["reclaimed"]) == [ID["leaver_one"], ID["leaver_two"]]
    assert result["skipped_users"] == [] and not result.get("warnings")
    assert dd_holders(fresh) == sorted(ID[name] for name in ("ana", "shared_one", "shared_two", "ops", "lead"))


def test_a_protected_name_whose_lookup_fails_stops_before_any_write(fresh, run_playbook):
    fresh.faults([{"method": "GET", "path": "/api/v2/users", "status": 503}])
    run = run_playbook(play(fresh, [dd_task(
        "exclusive", users=["ana@example.com"], exclusive=True, unknown_users="warn", max_reclaims=10,
        protected=["oncall@example.com"], retries=0)]))
    result = run.result("exclusive")
    assert run.task("exclusive")["status"] == "ignored"
    message = result["msg"]
    assert message.startswith("product %s: looking up protected oncall@example.com (nothing was changed): "
                              "Datadog GET /api/v2/users failed (HTTP 503)" % PRODUCT), message
    assert writes(fresh) == {}
    assert len(dd_holders(fresh)) == 7
    assert result["reclaimed"] == [] and result["assigned"] == []


# -- item 8 -----------------------------------------------------------------------------------

def test_a_write_confirmed_on_its_retry_is_journaled_done_even_without_a_reread(fresh, run_playbook, tmp_path):
    journal = tmp_path / "seats.jsonl"
    fresh.faults([
        {"method": "POST", "path": SEATS_PATH, "drop_answer": True, "count": 1},
        {"method": "GET", "path": SEATS_PATH, "status": 500, "after": 1},
    ])
    run = run_playbook(play(fresh, [dd_task("assign", users=["cy@example.com"], retries=1,
                                            journal=str(journal))]))
    result = run.result("assign")
    assert fresh.requests()["counts"]["POST %s" % SEATS_PATH] == 2          # lost answer, then the retry
    assert ID["cy"] in dd_holders(fresh)
    assert run.task("assign")["status"] == "ok", result.get("msg")
    assert result_says(result) == journal_says(journal) == {"cy@example.com": "ok"}


def test_when_nothing_can_tell_result_and_journal_both_say_unknown(fresh, run_playbook, tmp_path):
    journal = tmp_path / "seats.jsonl"
    fresh.faults([
        {"method": "POST", "path": SEATS_PATH, "drop_answer": True},
        {"method": "DELETE", "path": SEATS_PATH, "status": 503},
        {"method": "GET", "path": SEATS_PATH, "status": 500, "after": 1},
    ])
    run = run_playbook(play(fresh, [dd_task(
        "sync", users=["ana@example.com", "cy@example.com"], exclusive=True,
        protected=["oncall@example.com", "ops@example.com"], max_reclaims=2, retries=0, journal=str(journal))]))
    result = run.result("sync")
    assert run.task("sync")["status"] == "ignored"
    # The assign took effect (its answer was lost); the reclaims were refused with a 503.
    assert ID["cy"] in dd_holders(fresh) and ID["leaver_one"] in dd_holders(fresh)
    said = journal_says(journal)
    assert said == {"cy@example.com": "unknown", "leaver.one@example.com": "unknown",
                    "leaver.two@example.com": "unknown"}
    assert result_says(result) == said
    assert result["assigned"] == [] and result["reclaimed"] == []


def test_store_retry_that_found_the_seat_assigned_is_journaled_done(fresh, run_playbook, tmp_path):
    journal = tmp_path / "store.jsonl"
    fresh.faults([
        {"method": "POST", "path": STORE_BULK, "drop_answer": True, "count": 1},
        {"method": "GET", "path": STORE_SEAT_GET, "status": 500, "after": 1},
    ])
    run = run_playbook(play(fresh, [{
        "name": "assign", "ignore_errors": True, "seatops.seats.msstore_seat": {
            "product_id": OPEN[0], "sku_id": OPEN[1], "users": ["bob@contoso.com"], "retries": 1,
            "journal": str(journal)}}]))
    result = run.result("assign")
    assert "bob@contoso.com" in store_holders(fresh)
    assert fresh.requests()["counts"]["POST %s" % STORE_BULK] == 2
    assert run.task("assign")["status"] == "ok", result.get("msg")
    assert result_says(result) == journal_says(journal) == {"bob@contoso.com": "ok"}
