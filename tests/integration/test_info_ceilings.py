# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``max_holders`` and ``ceilings`` of datadog_seats_info and msstore_seat_info: real
ansible-playbook runs against the sandbox.

Holders above, at and below a ceiling; Datadog counts every holder whatever ``users``
filters; the Store shows capacity next to the ceiling in view=inventory and view=product;
bad input names the field and calls nothing; the audit of the modules' EXAMPLES fails
exactly when a product is above its ceiling. The sandbox's request log proves the calls.
"""

from __future__ import annotations

import json

import pytest

API_KEY = "ceilings-api-key-TWFyaWE"
APP_KEY = "ceilings-app-key-Sm9hbw"
TENANT = "contoso.onmicrosoft.com"
CLIENT = "ceilings-client"
SECRET = "ceilings-Secret-5d1e"

IR = "incident_response"
ON_CALL = "on_call"
APM = "apm_pro"

RESTRICTED = "9NBLGGH4R2R6/0016"   # Restricted, 5 seats, 3 held
OPEN = "CFQ7TTC0K5DR/0001"         # Open, 100 seats, 4 held
REMOVED = "9MSPC6MP8FM4/0010"      # Removed, 10 seats, 2 held
OFFLINE = "9WZDNCRFJ3PS/0002"      # Offline, 20 seats, no seat list

PEOPLE = ["ana", "bruno", "carla", "dana", "eve", "frank", "grace"]


def email(name):
    return "%s@example.com" % name


def upn(name):
    return "%s@contoso.com" % name


def entry(product, **extra):
    product_id, sku_id = product.split("/")
    extra.update(product_id=product_id, sku_id=sku_id)
    extra.setdefault("license_type", "Online")
    return extra


SEED = {
    "datadog": {
        "keys": [{"api_key": API_KEY, "app_key": APP_KEY}],
        # Datadog knows no capacity; committed_seats only prices on-demand seats in the sandbox.
        "products": [{"code": IR, "committed_seats": 5}, {"code": ON_CALL}, {"code": APM}],
        "users": [{"email": email(name)} for name in PEOPLE],
        "seats": {IR: [email(name) for name in PEOPLE[:6]],     # 6 holders
                  ON_CALL: [email("ana"), email("bruno")]},       # 2 holders
    },
    "msstore": {"tenants": [{
        "id": TENANT,
        "clients": [{"client_id": CLIENT, "client_secret": SECRET}],
        "users": [upn(name) for name in PEOPLE],
        "inventory": [
            entry(RESTRICTED, distribution_policy="Restricted", seat_capacity=5),
            entry(OPEN, distribution_policy="Open", seat_capacity=100),
            entry(REMOVED, distribution_policy="Open", seat_capacity=10, status="Removed"),
            entry(OFFLINE, distribution_policy="Open", seat_capacity=20, license_type="Offline"),
        ],
        "seats": {RESTRICTED: [upn("ana"), upn("bruno"), upn("carla")],
                  OPEN: [upn("ana"), upn("dana"), upn("eve"), upn("frank")],
                  REMOVED: [upn("grace"), upn("bruno")]},
    }]},
}

# Secrets reach the playbooks through the environment, as AWX injects them.
SECRETS_ENV = {"CEILINGS_API_KEY": API_KEY, "CEILINGS_APP_KEY": APP_KEY, "CEILINGS_SECRET": SECRET}

DD_INFO = "seatops.seats.datadog_seats_info"
MS_INFO = "seatops.seats.msstore_seat_info"


def env_lookup(name):
    return "{{ lookup('ansible.builtin.env', '%s') }}" % name


@pytest.fixture
def fresh(sandbox):
    sandbox.faults([])
    sandbox.seed(SEED)
    sandbox.clear_requests()
    return sandbox


@pytest.fixture
def run_ceilings_playbook(run_playbook):
    def run(playbook):
        return run_playbook(playbook, env=SECRETS_ENV)
    return run


def play(sandbox, tasks):
    """One play with both connections; every task is registered and a last task shows them
    all, because callbacks (and so the recorder) never see the top-level ``failed`` key."""
    shown = {}
    for index, task in enumerate(tasks):
        task["register"] = "r_%d" % index
        shown[task["name"]] = "{{ r_%d }}" % index
    tasks = tasks + [{"name": "registered", "ansible.builtin.debug": {"msg": shown}}]
    return [{"name": "ceilings", "hosts": "localhost", "gather_facts": False,
             "module_defaults": {
                 "group/seatops.seats.datadog": {"api_url": sandbox.url, "api_key": env_lookup("CEILINGS_API_KEY"),
                                                 "app_key": env_lookup("CEILINGS_APP_KEY")},
                 "group/seatops.seats.msstore": {"tenant_id": TENANT, "client_id": CLIENT,
                                                 "client_secret": env_lookup("CEILINGS_SECRET"),
                                                 "auth_url": sandbox.url, "api_url": sandbox.store_url}},
             "tasks": tasks}]


def registered(run, name):
    return run.result("registered")["msg"][name]


def task(name, module, ignore_errors=False, **args):
    found = {"name": name, module: args}
    if ignore_errors:
        found["ignore_errors"] = True
    return found


def audit(name, registered_as):
    """The assertion of the modules' EXAMPLES: no product above its ceiling."""
    return {"name": name, "ignore_errors": True, "ansible.builtin.assert": {
        "that": "%s.ceilings | dict2items | selectattr('value.above', 'gt', 0) | list | length == 0"
                % registered_as,
        "fail_msg": "Above the ceiling: {{ %s.ceilings | dict2items | selectattr('value.above', 'gt', 0) "
                    "| map(attribute='key') | join(', ') }}" % registered_as,
        "quiet": True}}


def calls(sandbox):
    return sandbox.requests()["counts"]


def assert_no_secret(run):
    for secret in (API_KEY, APP_KEY, SECRET):
        assert secret not in run.output
        assert secret not in json.dumps(run.results)


def writes(sandbox):
    return dict((key, value) for key, value in calls(sandbox).items() if key.startswith(("POST /V1", "DELETE /V1",
                                                                                         "POST /api", "DELETE /api")))


# -- Datadog -----------------------------------------------------------------------------

def test_datadog_above_at_and_below_and_users_does_not_change_the_count(fresh, run_ceilings_playbook):
    run = run_ceilings_playbook(play(fresh, [
        task("three products", DD_INFO, product_codes=[IR, ON_CALL, APM],
             max_holders={IR: 5, ON_CALL: 2, APM: "1"}),
        audit("audit above", "r_0"),
        task("one person", DD_INFO, product_codes=[IR, ON_CALL], users=[email("ana"), email("grace")],
             max_holders={IR: 6}),
        task("without max_holders", DD_INFO, product_codes=[IR]),
        # Get back to the ceiling the way the seat module's message says, then audit again.
        {"name": "reclaim one", "seatops.seats.datadog_seats": {"product_code": IR, "users": [email("frank")],
                                                                "state": "absent"}},
        task("after", DD_INFO, product_codes=[IR, ON_CALL], max_holders={IR: 5, ON_CALL: 2}),
        audit("audit after", "r_5"),
    ]))
    assert run.rc == 0, run.output
    three = registered(run, "three products")
    assert three["ceilings"] == {IR: {"holders": 6, "max_holders": 5, "above": 1},
                                 ON_CALL: {"holders": 2, "max_holders": 2, "above": 0},
                                 APM: {"holders": 0, "max_holders": 1, "above": 0}}
    assert three["counts"] == {IR: 6, ON_CALL: 2, APM: 0}
    # One holder read per product: the ceilings cost no call of their own.
    assert three["api_calls"] == {"GET /api/v2/seats/users": 3, "total": 3}
    above = registered(run, "audit above")
    assert above["failed"] is True and above["msg"] == "Above the ceiling: %s" % IR

    one = registered(run, "one person")
    assert [holder["email"] for holder in one["seats"][IR]] == [email("ana")]
    assert one["counts"] == {IR: 1, ON_CALL: 1}
    assert one["not_holding"] == [email("grace")]
    # users filters seats and counts, never the holders a ceiling is about.
    assert one["ceilings"] == {IR: {"holders": 6, "max_holders": 6, "above": 0}}

    assert registered(run, "without max_holders")["ceilings"] == {}
    after = registered(run, "after")
    assert after["ceilings"][IR] == {"holders": 5, "max_holders": 5, "above": 0}
    assert registered(run, "audit after").get("failed") is not True
    assert_no_secret(run)


def test_datadog_bad_input_names_the_field_and_calls_nothing(fresh, run_ceilings_playbook):
    run = run_ceilings_playbook(play(fresh, [
        task("not listed", DD_INFO, ignore_errors=True, product_codes=[IR], max_holders={ON_CALL: 3}),
        task("case differs", DD_INFO, ignore_errors=True, product_codes=[IR], max_holders={"Incident_Response": 3}),
        task("not a number", DD_INFO, ignore_errors=True, product_codes=[IR, ON_CALL],
             max_holders={IR: 5, ON_CALL: "ten"}),
        task("negative", DD_INFO, ignore_errors=True, product_codes=[IR], max_holders={IR: -1}),
        task("fraction", DD_INFO, ignore_errors=True, product_codes=[IR], max_holders={IR: 2.5}),
    ]))
    assert run.rc == 0, run.output
    expected = {
        "not listed": "max_holders.on_call: on_call is not one of product_codes (incident_response)",
        "case differs": "max_holders.Incident_Response: Incident_Response is not one of product_codes",
        "not a number": "max_holders.on_call must be a whole number (0 or more), got 'ten'",
        "negative": "max_holders.incident_response must be a whole number (0 or more), got -1",
        "fraction": "max_holders.incident_response must be a whole number (0 or more), got 2.5",
    }
    for name, message in expected.items():
        result = registered(run, name)
        assert result["failed"] is True, name
        assert result["msg"].startswith(message), (name, result["msg"])
        assert result["api_calls"] == {"total": 0}, name
    assert calls(fresh) == {}
    assert_no_secret(run)


# -- the Store ---------------------------------------------------------------------------

def test_store_inventory_shows_capacity_next_to_the_ceiling(fresh, run_ceilings_playbook):
    run = run_ceilings_playbook(play(fresh, [
        task("inventory", MS_INFO, view="inventory",
             max_holders={RESTRICTED: 2, OPEN.lower(): "4", REMOVED: 9, OFFLINE: 0}),
        audit("audit inventory", "r_0"),
        task("within", MS_INFO, max_holders={RESTRICTED: 3, OPEN: 10}),
        audit("audit within", "r_2"),
        task("without max_holders", MS_INFO, view="inventory"),
    ]))
    assert run.rc == 0, run.output
    inventory = registered(run, "inventory")
    assert inventory["ceilings"] == {
        RESTRICTED: {"holders": 3, "max_holders": 2, "above": 1, "seat_capacity": 5, "available_seats": 2},
        OPEN: {"holders": 4, "max_holders": 4, "above": 0, "seat_capacity": 100, "available_seats": 96},
        # Hidden from the inventory list (include_removed=false), but its seats are held.
        REMOVED: {"holders": 2, "max_holders": 9, "above": 0, "seat_capacity": 10, "available_seats": 8},
        OFFLINE: {"holders": 0, "max_holders": 0, "above": 0, "seat_capacity": 20, "available_seats": 20},
    }
    assert REMOVED.partition("/")[0] not in [item["product_id"] for item in inventory["inventory"]]
    # From the inventory alone: no seat list read.
    assert not [key for key in inventory["api_calls"] if "Seats" in key], inventory["api_calls"]
    assert registered(run, "audit inventory")["msg"] == "Above the ceiling: %s" % RESTRICTED
    assert registered(run, "within")["view"] == "inventory"
    assert registered(run, "within")["ceilings"][RESTRICTED]["above"] == 0
    assert registered(run, "audit within").get("failed") is not True
    assert registered(run, "without max_holders")["ceilings"] == {}
    assert writes(fresh) == {}
    assert_no_secret(run)


def test_store_product_view_counts_the_seats_read(fresh, run_ceilings_playbook):
    product_id, sku_id = RESTRICTED.split("/")
    run = run_ceilings_playbook(play(fresh, [
        task("above", MS_INFO, product_id=product_id, sku_id=sku_id, max_holders={RESTRICTED: 1}),
        task("at", MS_INFO, view="product", product_id=product_id.lower(), sku_id=sku_id,
             max_holders={RESTRICTED.lower(): 3}),
        task("below", MS_INFO, product_id=product_id, sku_id=sku_id, max_holders={RESTRICTED: 4}),
        {"name": "assign one", "seatops.seats.msstore_seat": {"product_id": product_id, "sku_id": sku_id,
                                                              "users": [upn("dana")]}},
        task("after", MS_INFO, product_id=product_id, sku_id=sku_id, max_holders={RESTRICTED: 3}),
    ]))
    assert run.rc == 0, run.output
    for name, ceiling, above in (("above", 1, 2), ("at", 3, 0), ("below", 4, 0)):
        result = registered(run, name)
        assert result["view"] == "product" and result["seats_count"] == 3, name
        assert result["ceilings"] == {RESTRICTED: {"holders": 3, "max_holders": ceiling, "above": above,
                                                   "seat_capacity": 5, "available_seats": 2}}, name
    after = registered(run, "after")
    assert after["ceilings"] == {RESTRICTED: {"holders": 4, "max_holders": 3, "above": 1,
                                              "seat_capacity": 5, "available_seats": 1}}
    assert_no_secret(run)


def test_store_bad_input_names_the_field_and_changes_nothing(fresh, run_ceilings_playbook):
    product_id, sku_id = RESTRICTED.split("/")
    run = run_ceilings_playbook(play(fresh, [
        task("users view", MS_INFO, ignore_errors=True, users=[upn("ana")], max_holders={RESTRICTED: 1}),
        task("other product", MS_INFO, ignore_errors=True, product_id=product_id, sku_id=sku_id,
             max_holders={OPEN: 1}),
        task("no slash", MS_INFO, ignore_errors=True, max_holders={product_id: 1}),
        task("bad sku", MS_INFO, ignore_errors=True, max_holders={product_id + "/16": 1}),
        task("not a number", MS_INFO, ignore_errors=True, max_holders={RESTRICTED: "lots"}),
        task("twice", MS_INFO, ignore_errors=True, max_holders={RESTRICTED: 1, RESTRICTED.lower(): 1}),
    ]))
    assert run.rc == 0, run.output
    expected = {
        "users view": "max_holders applies to view=inventory and view=product, not view=users",
        "other product": "max_holders.%s: view=product reads %s only" % (OPEN, RESTRICTED),
        "no slash": "max_holders.%s: a product is written PRODUCTID/SKUID" % product_id,
        "bad sku": "max_holders.%s/16: the SKU id after the slash must be 4 digits" % product_id,
        "not a number": "max_holders.%s must be a whole number (0 or more), got 'lots'" % RESTRICTED,
        "twice": "max_holders.%s and max_holders.%s both name %s" % (RESTRICTED, RESTRICTED.lower(), RESTRICTED),
    }
    for name, message in expected.items():
        result = registered(run, name)
        assert result["failed"] is True, name
        assert result["msg"].startswith(message), (name, result["msg"])
        assert result["msg"].endswith("(msstore_seat_info only reads: nothing was changed)"), name
        assert result["api_calls"] == {"total": 0}, name
    assert calls(fresh) == {}   # not even a token

    unlisted = run_ceilings_playbook(play(fresh, [
        task("unlisted", MS_INFO, ignore_errors=True, max_holders={RESTRICTED: 5, "9ZZZZZZZZZZZ/0001": 1}),
    ]))
    assert unlisted.rc == 0, unlisted.output
    result = registered(unlisted, "unlisted")
    assert result["failed"] is True
    assert result["msg"] == (
        "max_holders names 9ZZZZZZZZZZZ/0001, which the Store for Business inventory of tenant %s does not list "
        "(a product removed from the inventory may be left out of it); check both ids against view=inventory "
        "(msstore_seat_info only reads: nothing was changed)" % TENANT)
    assert writes(fresh) == {}
    assert_no_secret(run)
    assert_no_secret(unlisted)
