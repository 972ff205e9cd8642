# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""datadog_seats works whatever Datadog's page limit and whatever its refusal says (issue 12,
items 4 and 5; Datadog contract sections 7.3 and 7.5).

Real ansible-playbook runs against the sandbox, with its settings ``datadog_max_page_limit``
(above it, GET seats answers 400 naming page[limit]) and ``datadog_refusal_detail``
(``generic``: the 422 names no UUID). What was written is read back from ``/_sandbox/state``
and ``/_sandbox/requests``.
"""

from __future__ import annotations

import json
import math
import urllib.request

import pytest

API_KEY = "dd-limits-api-key-TGltaXRz"
APP_KEY = "dd-limits-app-key-UmVmdXNl"
KEYS_ENV = {"DD_API_KEY": API_KEY, "DD_APP_KEY": APP_KEY}
PRODUCT = "incident_response"
SEATS_GET = "GET /api/v2/seats/users"
SEATS_POST = "POST /api/v2/seats/users"
USERS_LIST = "GET /api/v2/users"
USER_GET = "GET /api/v2/users/{user_id}"
# A UUID no Datadog user has: the users listing is made to show it (see the refusal test).
GONE = "0d0d0d0d-0000-4000-8000-99999999999a"
GENERIC = "One or more user UUIDs are invalid or belong to disabled users"
FALLBACK_WARNING = (
    "Datadog refused page[limit]=1000 on GET /api/v2/seats/users (HTTP 400: page[limit] must "
    "be an integer between 1 and 100); this run reads seat holders 100 per page instead (one "
    "extra call, counted in api_calls)")


def uid(number):
    return "0d0d0d0d-0000-4000-8000-%012d" % number


def seed(users, holders):
    return {"datadog": {
        "keys": [{"api_key": API_KEY, "app_key": APP_KEY}],
        "products": [{"code": PRODUCT}, {"code": "on_call"}],
        "users": [{"id": uid(n), "email": "user%04d@example.com" % n, "name": "User %04d" % n}
                  for n in range(users)],
        "seats": {PRODUCT: [uid(n) for n in range(holders)]},
    }}


@pytest.fixture
def fresh(sandbox):
    """No faults, the sandbox's default answers, an empty request log."""
    sandbox.faults([])
    sandbox.config(datadog_max_page_limit=1000, datadog_refusal_detail="list")
    sandbox.clear_requests()
    yield sandbox
    sandbox.faults([])
    sandbox.config(datadog_max_page_limit=1000, datadog_refusal_detail="list")


def play(sandbox, tasks):
    """One play; every task registered and shown by a last task (see test_datadog_seats)."""
    shown = {}
    for index, task in enumerate(tasks):
        task["register"] = "r_%d" % index
        shown[task["name"]] = "{{ r_%d }}" % index
    tasks = tasks + [{"name": "registered", "ansible.builtin.debug": {"msg": shown}}]
    return [{"name": "datadog limits", "hosts": "localhost", "gather_facts": False,
             "module_defaults": {"group/seatops.seats.datadog": {"api_url": sandbox.url}},
             "tasks": tasks}]


def registered(run, name):
    return run.result("registered")["msg"][name]


def holders(sandbox, product=PRODUCT):
    return sorted(entry["id"] for entry in
                  sandbox.state()["datadog"]["products"][product]["holders"])


def page_warnings(result):
    return [warning for warning in result.get("warnings", []) if "page[limit]" in warning]


def test_a_sandbox_capped_at_100_a_page_is_read_completely(fresh, run_playbook):
    fresh.seed(seed(users=260, holders=250))
    fresh.config(datadog_max_page_limit=100)
    fresh.clear_requests()
    wanted = [uid(n) for n in range(251)]  # the 250 holders and one more
    sync = {"product_code": PRODUCT, "users": wanted, "exclusive": True, "max_reclaims": 0}
    run = run_playbook(play(fresh, [
        {"name": "exclusive sync", "seatops.seats.datadog_seats": dict(sync)},
        {"name": "exclusive sync again", "seatops.seats.datadog_seats": dict(sync)},
        {"name": "info", "seatops.seats.datadog_seats_info": {
            "product_codes": [PRODUCT, "on_call"]}},
    ]), env=KEYS_ENV)
    assert run.rc == 0, run.output[-3000:]
    assert API_KEY not in run.output and APP_KEY not in run.output

    first = registered(run, "exclusive sync")
    # Every holder was read (none reclaimed, none assigned again): only the new one changes.
    assert first["changed"] is True
    assert [view["id"] for view in first["assigned"]] == [uid(250)]
    assert first["reclaimed"] == [] and first["unchanged"] == 250
    assert first["holders_count"] == 251
    # The refused 1000-page, then 250 holders 100 a page; the new UUID confirmed; one write.
    assert first["api_calls"] == {SEATS_GET: 4, USER_GET: 1, SEATS_POST: 1, "total": 6}
    assert page_warnings(first) == [FALLBACK_WARNING]

    again = registered(run, "exclusive sync again")
    assert again["changed"] is False and again["unchanged"] == 251
    assert again["assigned"] == [] and again["reclaimed"] == []
    assert again["api_calls"] == {SEATS_GET: 4, "total": 4}
    assert page_warnings(again) == [FALLBACK_WARNING]

    # The info module reads two products: the fall-back happens once, the second read asks
    # for 100 at once.
    info = registered(run, "info")
    assert info["counts"] == {PRODUCT: 251, "on_call": 0}
    assert info["api_calls"] == {SEATS_GET: 5, "total": 5}
    assert page_warnings(info) == [FALLBACK_WARNING]

    assert holders(fresh) == sorted(wanted)
    log = fresh.requests()
    assert log["counts"] == {SEATS_GET: 13, USER_GET: 1, SEATS_POST: 1}
    refused = [entry for entry in log["entries"]
               if entry["template"] == "/api/v2/seats/users" and entry["status"] == 400]
    assert len(refused) == 3  # one per module run, each counted in its api_calls
    # Each result carries its warning; Ansible shows an identical warning once.
    assert "[WARNING]: " + FALLBACK_WARNING in " ".join(run.output.split())


def test_at_the_default_maximum_nothing_changes(fresh, run_playbook):
    fresh.seed(seed(users=260, holders=250))
    fresh.clear_requests()
    run = run_playbook(play(fresh, [
        {"name": "info", "seatops.seats.datadog_seats_info": {"product_codes": [PRODUCT]}},
    ]), env=KEYS_ENV)
    assert run.rc == 0, run.output[-3000:]
    info = registered(run, "info")
    assert info["counts"] == {PRODUCT: 250} and info["api_calls"] == {SEATS_GET: 1, "total": 1}
    assert page_warnings(info) == []


def _users_page(sandbox, number):
    """The sandbox's own answer to the client's users listing call for page ``number``."""
    request = urllib.request.Request(
        "%s/api/v2/users?page%%5Bsize%%5D=100&page%%5Bnumber%%5D=%d" % (sandbox.url, number),
        headers={"DD-API-KEY": API_KEY, "DD-APPLICATION-KEY": APP_KEY})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def test_a_generic_422_isolates_the_one_unknown_uuid_among_1000(fresh, run_playbook):
    fresh.seed(seed(users=1000, holders=0))
    fresh.config(datadog_refusal_detail="generic")
    # 1000 UUIDs are resolved with one listing of the 1000 users (10 pages). Its last page is
    # made to show a user that does not exist in place of one nobody asks for, as if a user
    # had been deleted between the lookup and the write: that UUID reaches the POST, and the
    # sandbox refuses the whole batch with a 422 that names no UUID.
    last = _users_page(fresh, 9)
    assert len(last["data"]) == 100
    spare = last["data"][-1]["id"]
    gone = dict(last["data"][-1], id=GONE,
                attributes=dict(last["data"][-1]["attributes"], email="gone@example.com",
                                handle="gone@example.com", name="Gone"))
    last["data"][-1] = gone
    fresh.faults([{"method": "GET", "path": "/api/v2/users", "after": 9, "count": 1,
                   "mangle": last}])
    fresh.clear_requests()
    users = [uid(n) for n in range(1000) if uid(n) != spare] + [GONE]
    assert len(users) == 1000
    run = run_playbook(play(fresh, [
        {"name": "assign 1000", "ignore_errors": True, "seatops.seats.datadog_seats": {
            "product_code": PRODUCT, "users": users}},
    ]), env=KEYS_ENV)
    result = registered(run, "assign 1000")
    assert run.task("assign 1000")["status"] == "ignored", run.output[-3000:]
    assert result["failed_users"] == [{"user": "gone@example.com",
                                       "reason": "HTTP 422: %s" % GENERIC}]
    assert len(result["assigned"]) == 999 and result["changed"] is True
    assert GONE not in [view["id"] for view in result["assigned"]]
    assert "1 seat change(s) on incident_response failed, 999 succeeded" in result["msg"]
    assert holders(fresh) == sorted(user for user in users if user != GONE)
    # One refused call of 1000, then at most 2 x ceil(log2(1000)) = 20 more: the stated bound.
    bound = 1 + 2 * math.ceil(math.log2(1000))
    posts = result["api_calls"][SEATS_POST]
    assert 2 < posts <= bound == 21, posts
    assert fresh.requests()["counts"][SEATS_POST] == posts
    assert result["api_calls"][USERS_LIST] == 10
    # Every answer was certain: the holders were read once, never again.
    assert result["api_calls"][SEATS_GET] == 1


def test_a_listed_422_needs_no_extra_call(fresh, run_playbook):
    fresh.seed(seed(users=1000, holders=0))
    last = _users_page(fresh, 9)
    spare = last["data"][-1]["id"]
    last["data"][-1] = dict(last["data"][-1], id=GONE,
                            attributes=dict(last["data"][-1]["attributes"],
                                            email="gone@example.com", handle="gone@example.com"))
    fresh.faults([{"method": "GET", "path": "/api/v2/users", "after": 9, "count": 1,
                   "mangle": last}])
    fresh.clear_requests()
    users = [uid(n) for n in range(1000) if uid(n) != spare] + [GONE]
    run = run_playbook(play(fresh, [
        {"name": "assign 1000", "ignore_errors": True, "seatops.seats.datadog_seats": {
            "product_code": PRODUCT, "users": users}},
    ]), env=KEYS_ENV)
    result = registered(run, "assign 1000")
    assert result["failed_users"] == [{
        "user": "gone@example.com",
        "reason": "Datadog refused this user (unknown or disabled): invalid user_uuids: %s" % GONE}]
    assert len(result["assigned"]) == 999
    assert result["api_calls"][SEATS_POST] == 2
