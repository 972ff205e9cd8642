# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The four modules read the APIs' answers exactly (issue 10, items 1, 2 and 10).

Real ansible-playbook runs against the sandbox. What was (not) written is read back from
``/_sandbox/state`` and ``/_sandbox/requests``:

- a 404 means "unknown user" only when the API says so: a wrong api_url (a Store URL
  without /V1, a Datadog URL with a path), a proxy's page or a gateway's JSON fails the task,
  naming the address, instead of ending green with every seat still held;
- seats on a Store product removed from the inventory are listed and reclaimed, and a plan
  that would assign there is refused before any write;
- a missing ca_path and 2xx answers whose body is not the documented shape fail with a
  message naming the option or the endpoint, never a traceback.
"""

from __future__ import annotations

import pytest

DD_KEYS_ENV = {"DD_API_KEY": "answers-dd-api-key-8f1e", "DD_APP_KEY": "answers-dd-app-key-2c7d",
               "MS_SECRET": "answers-Secret-5b9a"}
PRODUCT = "incident_response"
ID = dict((name, "0b0b0b0b-0000-4000-8000-%012d" % number)
          for number, name in enumerate(["ana", "leo", "mia", "ned"]))
TENANT = "contoso.onmicrosoft.com"
CLIENT = "answers-client"
RESTRICTED = ("9NBLGGH4R2R6", "0016")
REMOVED = ("9MSPC6MP8FM4", "0010")


def upn(name):
    return "%s@contoso.com" % name


def key(product):
    return "%s/%s" % product


SEED = {
    "datadog": {
        "keys": [{"api_key": DD_KEYS_ENV["DD_API_KEY"], "app_key": DD_KEYS_ENV["DD_APP_KEY"]}],
        "products": [{"code": PRODUCT}],
        "users": [{"id": ID[name], "email": "%s@example.com" % name} for name in ID],
        "seats": {PRODUCT: [ID["ana"], ID["leo"], ID["mia"]]},
    },
    "msstore": {"tenants": [{
        "id": TENANT,
        "clients": [{"client_id": CLIENT, "client_secret": DD_KEYS_ENV["MS_SECRET"]}],
        "users": [upn(name) for name in ("leo", "mia", "ned", "ola")],
        "inventory": [
            {"product_id": RESTRICTED[0], "sku_id": RESTRICTED[1], "license_type": "Online",
             "distribution_policy": "Restricted", "seat_capacity": 5},
            {"product_id": REMOVED[0], "sku_id": REMOVED[1], "license_type": "Online",
             "distribution_policy": "Open", "seat_capacity": 10, "status": "Removed"},
        ],
        "seats": {key(RESTRICTED): [upn("leo"), upn("mia")],
                  key(REMOVED): [upn("leo"), upn("mia"), upn("ola")]},
    }]},
}

BULK = "POST /V1/Inventory/{productId}/{skuId}/Seats"
DD_WRITES = ("POST /api/v2/seats/users", "DELETE /api/v2/seats/users")


@pytest.fixture
def fresh(sandbox):
    """The seed, no faults, the sandbox's default answers, an empty request log."""
    sandbox.faults([])
    sandbox.config(unknown_path_answer="text", msstore_error_body="camel",
                   msstore_lists_removed=True)
    sandbox.seed(SEED)
    sandbox.clear_requests()
    return sandbox


def play(sandbox, tasks, datadog=None, msstore=None):
    """One play with both action groups' connections (overridable); every task registered and
    shown by a last task, since the recorder never sees ``failed`` of an ignored task."""
    dd_defaults = {"api_url": sandbox.url}
    dd_defaults.update(datadog or {})
    store_defaults = {"tenant_id": TENANT, "client_id": CLIENT, "auth_url": sandbox.url,
                      "api_url": sandbox.store_url,
                      "client_secret": "{{ lookup('ansible.builtin.env', 'MS_SECRET') }}"}
    store_defaults.update(msstore or {})
    shown = {}
    for index, task in enumerate(tasks):
        task["register"] = "r_%d" % index
        task.setdefault("ignore_errors", True)
        shown[task["name"]] = "{{ r_%d }}" % index
    tasks = tasks + [{"name": "registered", "ansible.builtin.debug": {"msg": shown}}]
    return [{"name": "answers", "hosts": "localhost", "gather_facts": False,
             "module_defaults": {"group/seatops.seats.datadog": dd_defaults,
                                 "group/seatops.seats.msstore": store_defaults},
             "tasks": tasks}]


def run_tasks(run_playbook, sandbox, tasks, **overrides):
    run = run_playbook(play(sandbox, tasks, **overrides), env=DD_KEYS_ENV)
    assert run.rc == 0, run.output[-4000:]
    # Whatever went wrong, it went wrong in words: no module crashed.
    for crash in ("Traceback", "MODULE FAILURE", "AttributeError", "TypeError"):
        assert crash not in run.output, run.output[-4000:]
    return run.result("registered")["msg"]


def store_task(name, module="msstore_seat_info", **args):
    return {"name": name, "seatops.seats." + module: args}


def seat_task(name, product, **args):
    return store_task(name, "msstore_seat", product_id=product[0], sku_id=product[1], **args)


def store_holders(sandbox, product):
    return sorted(sandbox.state()["msstore"]["tenants"][TENANT]["products"][key(product)]["holders"])


def dd_holders(sandbox):
    return sorted(holder["id"] for holder in sandbox.state()["datadog"]["products"][PRODUCT]["holders"])


def written(sandbox, endpoints):
    counts = sandbox.requests()["counts"]
    return dict((endpoint, counts[endpoint]) for endpoint in endpoints if counts.get(endpoint))


# -- item 1: a 404 means "unknown user" only when the API says so ----------------------------------

@pytest.mark.parametrize("answer", ["text", "html", "json", "empty"])
def test_store_api_url_without_v1_fails_instead_of_skipping_everyone(fresh, run_playbook, answer):
    fresh.config(unknown_path_answer=answer)
    results = run_tasks(run_playbook, fresh, [
        store_task("leavers", users=[upn("leo"), upn("mia")], unknown_users="ignore"),
        seat_task("reclaim", RESTRICTED, users=[upn("leo")], state="absent", unknown_users="ignore"),
    ], msstore={"api_url": fresh.url})  # the /V1 is missing
    leavers = results["leavers"]
    assert leavers["failed"] is True and "user_seats" not in leavers
    assert leavers["msg"].startswith("reading the seats of leo@contoso.com failed (0 of 2 users "
                                     "read before it): GET %s/Users/leo@contoso.com/Seats answered "
                                     "HTTP 404 without the Store's item type" % fresh.url)
    assert "Check api_url (%s): it must be the Store API's base URL ending in /V1" % fresh.url \
        in leavers["msg"]
    assert leavers["msg"].endswith("(msstore_seat_info only reads: nothing was changed)")
    reclaim = results["reclaim"]
    assert reclaim["failed"] is True and reclaim["changed"] is False
    assert reclaim["msg"].startswith("9NBLGGH4R2R6/0016: nothing was changed: GET %s/Inventory "
                                     "answered HTTP 404 without the Store's item type" % fresh.url)
    assert store_holders(fresh, RESTRICTED) == [upn("leo"), upn("mia")]
    assert written(fresh, [BULK]) == {}


def test_store_404_is_an_unknown_user_only_with_the_item_type(fresh, run_playbook):
    # PascalCase error bodies still say "User"; with no error body at all, nothing says so,
    # and the module must not guess.
    fresh.config(msstore_error_body="pascal")
    pascal = run_tasks(run_playbook, fresh, [
        store_task("users", users=[upn("leo"), upn("ghost")], unknown_users="ignore")])["users"]
    assert pascal.get("failed") is not True
    assert [item["user"] for item in pascal["skipped_users"]] == [upn("ghost")]
    assert sorted("%s/%s" % (seat["product_id"], seat["sku_id"])
                  for seat in pascal["user_seats"][upn("leo")]) == sorted([key(RESTRICTED), key(REMOVED)])

    fresh.config(msstore_error_body="empty")
    bare = run_tasks(run_playbook, fresh, [
        store_task("users", users=[upn("leo"), upn("ghost")], unknown_users="ignore")])["users"]
    assert bare["failed"] is True and "skipped_users" not in bare
    assert "reading the seats of ghost@contoso.com failed (1 of 2 users read before it)" in bare["msg"]
    assert "answered HTTP 404 without the Store's item type" in bare["msg"]


def test_datadog_wrong_path_fails_and_changes_nothing(fresh, run_playbook):
    wrong = fresh.url + "/datadog"
    results = run_tasks(run_playbook, fresh, [
        {"name": "info", "seatops.seats.datadog_seats_info": {"product_codes": [PRODUCT]}},
        {"name": "reclaim", "seatops.seats.datadog_seats": {
            "product_code": PRODUCT, "users": ["leo@example.com"], "state": "absent",
            "unknown_users": "ignore"}},
    ], datadog={"api_url": wrong})
    for name in ("info", "reclaim"):
        message = results[name]["msg"]
        assert results[name]["failed"] is True, name
        assert message.startswith("Datadog GET /api/v2/seats/users for product %s failed (HTTP 404): "
                                  "404 page not found" % PRODUCT), message
        assert "%s/api/v2/seats/users is probably not the Datadog API" % wrong in message
    assert results["info"]["msg"].endswith("(datadog_seats_info only reads: nothing was changed)")
    assert results["reclaim"]["msg"].endswith("Nothing was changed")
    assert dd_holders(fresh) == [ID["ana"], ID["leo"], ID["mia"]]
    assert written(fresh, DD_WRITES) == {}


def test_datadog_user_404_from_a_proxy_is_not_an_unknown_user(fresh, run_playbook):
    # A proxy in front lets the Seats API through but answers the Users API with its own 404
    # page. ned (no seat) is looked up by UUID: before, that 404 made him "unknown" and the
    # run ended green with unknown_users=ignore.
    fresh.faults([{"path": "/api/v2/users/{user_id}", "status": 404,
                   "body": "<html><head><title>404 Not Found</title></head></html>"}])
    results = run_tasks(run_playbook, fresh, [
        {"name": "reclaim", "seatops.seats.datadog_seats": {
            "product_code": PRODUCT, "users": [ID["leo"], ID["ned"]], "state": "absent",
            "unknown_users": "ignore"}},
    ])
    reclaim = results["reclaim"]
    assert reclaim["failed"] is True and reclaim["changed"] is False
    assert "looking up %s (nothing was changed)" % ID["ned"] in reclaim["msg"]
    assert "failed (HTTP 404): an HTML page titled '404 Not Found'" in reclaim["msg"]
    assert dd_holders(fresh) == [ID["ana"], ID["leo"], ID["mia"]]
    assert written(fresh, DD_WRITES) == {}

    # Datadog's own answer for an unknown UUID still means "no such user".
    fresh.faults([])
    unknown = "0b0b0b0b-0000-4000-8000-999999999999"
    results = run_tasks(run_playbook, fresh, [
        {"name": "reclaim", "seatops.seats.datadog_seats": {
            "product_code": PRODUCT, "users": [ID["leo"], unknown], "state": "absent",
            "unknown_users": "ignore"}},
    ])
    assert results["reclaim"]["reclaimed"] == [{"id": ID["leo"], "email": "leo@example.com"}]
    assert [item["user"] for item in results["reclaim"]["skipped_users"]] == [unknown]


# -- item 2: Store products removed from the inventory ---------------------------------------------

@pytest.mark.parametrize("listed", [True, False])
def test_removed_product_seats_are_listed_and_reclaimed(fresh, run_playbook, listed):
    fresh.config(msstore_lists_removed=listed)
    results = run_tasks(run_playbook, fresh, [
        store_task("leaver", users=[upn("leo")]),
        seat_task("reclaim", REMOVED, users=[upn("leo"), upn("ned")], state="absent"),
        seat_task("exclusive", REMOVED, users=[upn("ola")], exclusive=True, max_reclaims=1),
        seat_task("again", REMOVED, users=[upn("leo")], state="absent"),
    ])
    seats = results["leaver"]["user_seats"][upn("leo")]
    assert [(seat["product_id"], seat["sku_id"]) for seat in seats] == sorted([RESTRICTED, REMOVED])
    assert results["reclaim"]["reclaimed"] == [upn("leo")] and results["reclaim"]["changed"] is True
    assert results["exclusive"]["reclaimed"] == [upn("mia")]
    assert results["exclusive"]["assigned"] == []
    assert results["again"]["changed"] is False and results["again"].get("failed") is not True
    assert store_holders(fresh, REMOVED) == [upn("ola")]
    assert written(fresh, [BULK]) == {BULK: 2}


def test_assigning_on_a_removed_product_is_refused_before_any_write(fresh, run_playbook):
    results = run_tasks(run_playbook, fresh, [
        seat_task("assign", REMOVED, users=[upn("ned")]),
        {"name": "assign check", "check_mode": True,
         "seatops.seats.msstore_seat": {"product_id": REMOVED[0], "sku_id": REMOVED[1],
                                        "users": [upn("ned")]}},
        # mia and ola would be reclaimed, ned assigned: the plan is refused whole.
        seat_task("exclusive", REMOVED, users=[upn("leo"), upn("ned")], exclusive=True,
                  max_reclaims=2),
    ])
    for name in ("assign", "assign check", "exclusive"):
        assert results[name]["failed"] is True, name
        assert results[name]["msg"].startswith(
            "product 9MSPC6MP8FM4/0010 has been removed from the inventory of tenant %s: the "
            "Store assigns no new seats on it, so ned@contoso.com cannot get one. Nothing was "
            "changed." % TENANT), results[name]["msg"]
    assert "The 2 reclaim(s) this run also planned were not made either" in results["exclusive"]["msg"]
    assert store_holders(fresh, REMOVED) == [upn("leo"), upn("mia"), upn("ola")]
    assert written(fresh, [BULK]) == {}


# -- item 10: broken connections and odd answers ---------------------------------------------------

def test_a_missing_ca_path_fails_every_module_naming_it_before_any_call(fresh, run_playbook, tmp_path):
    missing = str(tmp_path / "corporate-ca.pem")
    results = run_tasks(run_playbook, fresh, [
        {"name": "datadog_seats", "seatops.seats.datadog_seats": {
            "product_code": PRODUCT, "users": ["leo@example.com"], "state": "absent"}},
        {"name": "datadog_seats_info", "seatops.seats.datadog_seats_info": {"product_codes": [PRODUCT]}},
        seat_task("msstore_seat", RESTRICTED, users=[upn("leo")], state="absent"),
        store_task("msstore_seat_info", users=[upn("leo")]),
    ], datadog={"ca_path": missing}, msstore={"ca_path": missing})
    for name, result in results.items():
        assert result["failed"] is True, name
        assert result["msg"].startswith("ca_path %s does not exist" % missing), (name, result["msg"])
        assert result["api_calls"] == {"total": 0}, name
    assert fresh.requests()["total"] == 0


@pytest.mark.parametrize("module, args, path, body, endpoint", [
    ("datadog_seats_info", {"product_codes": [PRODUCT]}, "/api/v2/seats/users", [],
     "Datadog GET /api/v2/seats/users for product incident_response"),
    ("datadog_seats", {"product_code": PRODUCT, "users": ["leo@example.com"], "state": "absent"},
     "/api/v2/seats/users", {"meta": {}}, "Datadog GET /api/v2/seats/users for product incident_response"),
    ("datadog_seats", {"product_code": PRODUCT, "users": ["ned@example.com"]},
     "/api/v2/users", {"data": "ned"}, "Datadog GET /api/v2/users"),
    ("msstore_seat_info", {"users": [upn("leo")]}, "/V1/Users/{username}/Seats", {"seats": {}},
     "GET {store}/Users/leo@contoso.com/Seats"),
    ("msstore_seat_info", {}, "/V1/Inventory", [{"productKey": {}}], "GET {store}/Inventory"),
    ("msstore_seat", {"product_id": RESTRICTED[0], "sku_id": RESTRICTED[1], "users": [upn("leo")],
                      "state": "absent"},
     "/V1/Inventory/{productId}/{skuId}/Seats/{username}", [upn("leo")],
     "GET {store}/Inventory/9NBLGGH4R2R6/0016/Seats/leo@contoso.com"),
])
def test_a_2xx_body_not_in_the_documented_shape_fails_naming_the_endpoint(
        fresh, run_playbook, module, args, path, body, endpoint):
    fresh.faults([{"method": "GET", "path": path, "mangle": body}])
    result = run_tasks(run_playbook, fresh, [{"name": "odd", "seatops.seats." + module: args}])["odd"]
    assert result["failed"] is True
    assert endpoint.format(store=fresh.store_url) in result["msg"], result["msg"]
    assert "answered HTTP 200, but its body is not what the API documents" in result["msg"]
    assert "nothing was changed" in result["msg"].lower()
    assert written(fresh, DD_WRITES + (BULK,)) == {}
    assert dd_holders(fresh) == [ID["ana"], ID["leo"], ID["mia"]]
    assert store_holders(fresh, RESTRICTED) == [upn("leo"), upn("mia")]


def test_an_odd_answer_to_a_write_is_settled_by_reading_again(fresh, run_playbook):
    # The bulk reclaim takes effect but answers with an array: the module believes none of it,
    # reads the holders again and reports what really happened.
    fresh.faults([{"method": "POST", "path": "/V1/Inventory/{productId}/{skuId}/Seats",
                   "mangle": ["done"]}])
    result = run_tasks(run_playbook, fresh, [
        seat_task("reclaim", RESTRICTED, users=[upn("leo")], state="absent")])["reclaim"]
    assert result.get("failed") is not True and result["reclaimed"] == [upn("leo")]
    assert store_holders(fresh, RESTRICTED) == [upn("mia")]
    counts = fresh.requests()["counts"]
    assert counts[BULK] == 1
    assert counts["GET /V1/Inventory/{productId}/{skuId}/Seats/{username}"] == 2  # read, then re-read
