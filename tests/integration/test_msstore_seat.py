# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""msstore_seat and msstore_seat_info: real ansible-playbook runs against the sandbox.

Every play sets the connection once with ``module_defaults: group/seatops.seats.msstore``.
Writes are counted from the sandbox's request log, final state read from the sandbox.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import requests
from collection_layout import collections_root

TENANT = "contoso.onmicrosoft.com"
CLIENT = "ops-client"
SECRET = "ops-Secret-7f3a9c"
IDLE_CLIENT = "idle-client"
IDLE_SECRET = "idle-Secret-1b2c"

RESTRICTED = "9NBLGGH4R2R6/0016"   # Restricted, 5 seats, 3 held
OPEN = "CFQ7TTC0K5DR/0001"         # Open, 100 seats
OFFLINE = "9WZDNCRFJ3PS/0002"
REMOVED = "9MSPC6MP8FM4/0010"
SMALL = "9NXQXXLFST89/0001"        # Restricted, 2 seats, 1 held

BULK = "POST /V1/Inventory/{productId}/{skuId}/Seats"
GET_SEAT = "GET /V1/Inventory/{productId}/{skuId}/Seats/{username}"
LIST_SEATS = "GET /V1/Inventory/{productId}/{skuId}/Seats"
TOKEN = "POST /{tenant}/oauth2/v2.0/token"
# The same endpoints as the module's api_calls names them (relative to api_url).
M_BULK = BULK.replace("/V1", "")
M_GET_SEAT = GET_SEAT.replace("/V1", "")
M_LIST_SEATS = LIST_SEATS.replace("/V1", "")

USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
         "breakglass", "svc-kiosk"]


def upn(name):
    return "%s@contoso.com" % name


SEED = {"msstore": {"token_lifetime": 3600, "tenants": [{
    "id": TENANT,
    "clients": [{"client_id": CLIENT, "client_secret": SECRET, "activated": True},
                {"client_id": IDLE_CLIENT, "client_secret": IDLE_SECRET, "activated": False}],
    "users": [upn(name) for name in USERS],
    "inventory": [
        {"product_id": "9NBLGGH4R2R6", "sku_id": "0016", "license_type": "Online",
         "distribution_policy": "Restricted", "seat_capacity": 5},
        {"product_id": "CFQ7TTC0K5DR", "sku_id": "0001", "license_type": "Online",
         "distribution_policy": "Open", "seat_capacity": 100},
        {"product_id": "9WZDNCRFJ3PS", "sku_id": "0002", "license_type": "Offline",
         "distribution_policy": "Open", "seat_capacity": 20},
        {"product_id": "9MSPC6MP8FM4", "sku_id": "0010", "license_type": "Online",
         "distribution_policy": "Open", "seat_capacity": 10, "status": "Removed"},
        {"product_id": "9NXQXXLFST89", "sku_id": "0001", "license_type": "Online",
         "distribution_policy": "Restricted", "seat_capacity": 2},
    ],
    "seats": {
        RESTRICTED: [upn("alice"), upn("bob"), upn("carol")],
        OPEN: [upn("alice"), upn("dave"), upn("erin"), upn("frank"), upn("breakglass")],
        SMALL: [upn("heidi")],
    },
}]}}


@pytest.fixture
def store(sandbox):
    """A freshly seeded tenant, no faults, an empty request log, default config."""
    sandbox.faults([])
    sandbox.config(token_lifetime=3600, latency_ms=0)
    sandbox.seed(SEED)
    sandbox.clear_requests()
    return sandbox


# Secrets reach the playbooks through the environment, as AWX injects them: a secret written
# into a playbook would show in the source excerpt Ansible prints for a failed task.
SECRETS_ENV = {"MS_SECRET": SECRET, "MS_WRONG_SECRET": "not-" + SECRET,
               "MS_IDLE_SECRET": IDLE_SECRET}


def env_lookup(name):
    return "{{ lookup('ansible.builtin.env', '%s') }}" % name


def connection(sandbox, **overrides):
    values = {"tenant_id": TENANT, "client_id": CLIENT, "client_secret": env_lookup("MS_SECRET"),
              "auth_url": sandbox.url, "api_url": sandbox.store_url}
    values.update(overrides)
    return values


def play(sandbox, tasks, **overrides):
    """One play; every task is registered and a last task shows them all, because callbacks
    (and so the recorder) never see the top-level ``failed`` and ``skipped`` keys."""
    shown = {}
    for index, task in enumerate(tasks):
        task["register"] = "r_%d" % index
        shown[task["name"]] = "{{ r_%d }}" % index
    tasks = tasks + [{"name": "registered", "ansible.builtin.debug": {"msg": shown}}]
    return [{"name": "msstore", "hosts": "localhost", "gather_facts": False,
             "module_defaults": {"group/seatops.seats.msstore": connection(sandbox, **overrides)},
             "tasks": tasks}]


def registered(run, name):
    """The task's result as a playbook sees it after ``register``."""
    return run.result("registered")["msg"][name]


@pytest.fixture
def run_store_playbook(run_playbook):
    def run(playbook, env=None, **options):
        full_env = dict(SECRETS_ENV)
        full_env.update(env or {})
        return run_playbook(playbook, env=full_env, **options)
    return run


def seat_task(name, product, register=True, ignore_errors=False, check_mode=None, **options):
    product_id, sku_id = product.split("/")
    args = {"product_id": product_id, "sku_id": sku_id}
    args.update(options)
    task = {"name": name, "seatops.seats.msstore_seat": args}
    if ignore_errors:
        task["ignore_errors"] = True
    if check_mode is not None:
        task["check_mode"] = check_mode
    return task


def holders(sandbox, product):
    return sandbox.state()["msstore"]["tenants"][TENANT]["products"][product]["holders"]


def product_state(sandbox, product):
    return sandbox.state()["msstore"]["tenants"][TENANT]["products"][product]


def counts(sandbox):
    return sandbox.requests()["counts"]


def writes(sandbox):
    return dict((key, value) for key, value in counts(sandbox).items()
                if key.startswith(("POST /V1", "DELETE /V1")))


def test_check_then_apply_then_unchanged(store, run_store_playbook):
    wanted = [upn("Dave"), upn("erin"), upn("alice"), upn("ERIN")]
    task = seat_task("assign", RESTRICTED, users=wanted)

    checked = run_store_playbook(play(store, [task]), check=True, diff=True)
    assert checked.rc == 0, checked.output
    predicted = registered(checked, "assign")
    assert writes(store) == {}
    assert predicted["changed"] is True
    assert predicted["assigned"] == [upn("Dave"), upn("erin")]
    assert predicted["unchanged"] == 1
    assert predicted["available_seats"] == 0 and predicted["holders_count"] == 5
    # Four users, one page of holders: the seat list is cheaper than four single reads.
    assert predicted["api_calls"][M_LIST_SEATS] == 1
    assert predicted["diff"]["after"]["holders"] == sorted(
        [upn("alice"), upn("bob"), upn("carol"), upn("Dave"), upn("erin")])
    assert "+    - Dave@contoso.com" in checked.output or "+- Dave@contoso.com" in checked.output \
        or "Dave@contoso.com" in checked.output.split("TASK [assign]")[1]
    assert "Callback dispatch" not in checked.output

    store.clear_requests()
    applied = run_store_playbook(play(store, [task, dict(task, name="again")]), diff=True)
    assert applied.rc == 0, applied.output
    first, again = registered(applied, "assign"), registered(applied, "again")
    for key in ("changed", "assigned", "reclaimed", "unchanged", "available_seats",
                "holders_count", "diff"):
        assert first[key] == predicted[key], key
    assert writes(store) == {BULK: 1}  # one bulk call; the re-run writes nothing
    assert again["changed"] is False and again["assigned"] == [] and again["unchanged"] == 3
    assert sorted(holders(store, RESTRICTED)) == sorted(
        [upn("alice"), upn("bob"), upn("carol"), upn("dave"), upn("erin")])
    assert product_state(store, RESTRICTED)["available_seats"] == 0
    # One token per module run.
    assert counts(store)[TOKEN] == 2


def test_few_users_are_read_one_by_one(store, run_store_playbook):
    task = seat_task("absent", OPEN, users=[upn("dave")], state="absent")
    run = run_store_playbook(play(store, [task]))
    assert run.rc == 0, run.output
    result = registered(run, "absent")
    assert result["reclaimed"] == [upn("dave")]
    assert result["api_calls"][M_GET_SEAT] == 1 and M_LIST_SEATS not in result["api_calls"]
    assert result["holders_count"] == 4 and result["available_seats"] == 96
    assert upn("dave") not in holders(store, OPEN)


def test_exclusive_with_protected_and_guard(store, run_store_playbook, tmp_path):
    journal = str(tmp_path / "journal.jsonl")
    options = dict(users=[upn("alice"), upn("grace")], exclusive=True,
                   protected=[upn("breakglass")], journal=journal)
    run = run_store_playbook(play(store, [
        seat_task("guarded", OPEN, ignore_errors=True, max_reclaims=2, **options),
        seat_task("predicted", OPEN, check_mode=True, max_reclaims=3, **options),
        seat_task("allowed", OPEN, max_reclaims=3, **options),
    ]), diff=True)
    assert run.rc == 0, run.output
    guarded = run.task("guarded")
    assert guarded["status"] == "ignored" and registered(run, "guarded")["failed"] is True
    assert "Refusing to reclaim 3 of 5 seats of CFQ7TTC0K5DR/0001" in guarded["result"]["msg"]
    predicted, allowed = registered(run, "predicted"), registered(run, "allowed")
    assert allowed["reclaimed"] == [upn("dave"), upn("erin"), upn("frank")]
    assert allowed["assigned"] == [upn("grace")]
    assert predicted["reclaimed"] == allowed["reclaimed"]
    assert predicted["diff"] == allowed["diff"]
    # Only the allowed run wrote: one assign call, one reclaim call.
    assert writes(store) == {BULK: 2}
    assert sorted(holders(store, OPEN)) == [upn("alice"), upn("breakglass"), upn("grace")]
    with open(journal) as handle:
        lines = [json.loads(line) for line in handle.read().splitlines()]
    # three reclaimed first, then grace assigned, each call announced by an intent line; nothing
    # from check mode
    assert [(line["action"], line["outcome"]) for line in lines] == [
        ("reclaim", "pending"), ("reclaim", "ok"), ("reclaim", "ok"), ("reclaim", "ok"),
        ("assign", "pending"), ("assign", "ok")]


def test_input_and_product_problems_fail_before_any_write(store, run_store_playbook):
    three = [upn("ivan"), upn("judy"), upn("grace")]
    tasks = [
        seat_task("capacity check mode", SMALL, ignore_errors=True, check_mode=True, users=three),
        seat_task("capacity", SMALL, ignore_errors=True, users=three),
        seat_task("offline", OFFLINE, ignore_errors=True, users=[upn("ivan")]),
        seat_task("removed", REMOVED, ignore_errors=True, users=[upn("ivan")]),
        seat_task("unknown product", "9NBLGGH4R2R6/0099", ignore_errors=True, users=[]),
        {"name": "sku as number", "ignore_errors": True, "seatops.seats.msstore_seat": {
            "product_id": "9NBLGGH4R2R6", "sku_id": 16, "users": [upn("ivan")]}},
        seat_task("bad upn", RESTRICTED, ignore_errors=True, users=["ivan"]),
        seat_task("unknown users fail", OPEN, ignore_errors=True,
                  users=[upn("ghost"), upn("ivan")]),
        seat_task("unknown users warn", OPEN, users=[upn("ghost"), upn("ivan")],
                  unknown_users="warn"),
    ]
    run = run_store_playbook(play(store, tasks))
    assert run.rc == 0, run.output
    for name in ("capacity check mode", "capacity"):
        assert "3 needed, 1 available" in registered(run, name)["msg"], name
    assert "Offline licence" in registered(run, "offline")["msg"]
    assert "removed from the inventory" in registered(run, "removed")["msg"]
    assert "product_id 9NBLGGH4R2R6 with sku_id 0099" in registered(run, "unknown product")["msg"]
    assert "sku_id" in registered(run, "sku as number")["msg"]
    assert "Quote" in registered(run, "sku as number")["msg"]
    assert "users[0] 'ivan'" in registered(run, "bad upn")["msg"]
    assert upn("ghost") in registered(run, "unknown users fail")["msg"]
    warned = registered(run, "unknown users warn")
    assert warned["assigned"] == [upn("ivan")]
    assert warned["skipped_users"] == [{
        "user": upn("ghost"),
        "reason": "no such user in the tenant (the Store answered 404 User)"}]
    assert "skipped ghost@contoso.com" in run.output
    assert writes(store) == {BULK: 1}  # only the warn task wrote
    assert holders(store, SMALL) == [upn("heidi")]


def test_info_views_and_a_user_with_seats_on_several_products(store, run_store_playbook):
    run = run_store_playbook(play(store, [
        {"name": "inventory", "seatops.seats.msstore_seat_info": {}},
        {"name": "product", "seatops.seats.msstore_seat_info": {
            "product_id": "9NBLGGH4R2R6", "sku_id": "0016"}},
        {"name": "users", "seatops.seats.msstore_seat_info": {
            "users": [upn("Alice"), upn("ivan"), upn("ghost")], "unknown_users": "ignore"}},
        seat_task("offboard alice", RESTRICTED, users=[upn("alice")], state="absent"),
        seat_task("offboard alice open", OPEN, users=[upn("alice")], state="absent"),
        {"name": "after", "seatops.seats.msstore_seat_info": {"users": [upn("alice")]}},
    ]))
    assert run.rc == 0, run.output
    inventory = registered(run, "inventory")
    assert inventory["inventory_count"] == 4  # the Removed entry is left out
    by_id = dict(("%s/%s" % (e["product_id"], e["sku_id"]), e) for e in inventory["inventory"])
    assert by_id[RESTRICTED]["available_seats"] == 2
    assert by_id[RESTRICTED]["distribution_policy"] == "Restricted"
    assert by_id[OFFLINE]["license_type"] == "Offline"
    product = registered(run, "product")
    assert [seat["user"] for seat in product["seats"]] == [upn("alice"), upn("bob"), upn("carol")]
    users = registered(run, "users")
    assert sorted("%s/%s" % (s["product_id"], s["sku_id"])
                  for s in users["user_seats"][upn("Alice")]) == sorted([RESTRICTED, OPEN])
    assert users["user_seats"][upn("ivan")] == []
    assert [item["user"] for item in users["skipped_users"]] == [upn("ghost")]
    assert registered(run, "after")["user_seats"] == {upn("alice"): []}


def test_credentials_problems_are_explained_and_never_shown(store, run_store_playbook):
    token = requests.post(store.url + "/%s/oauth2/v2.0/token" % TENANT, data={
        "grant_type": "client_credentials", "client_id": CLIENT, "client_secret": SECRET,
        "scope": "https://onestore.microsoft.com/.default"}).json()["access_token"]

    def info(name, ignore_errors=False, **defaults):
        # Task-level module_defaults replace the play's for the group: give them all.
        task = {"name": name, "seatops.seats.msstore_seat_info": {},
                "module_defaults": {"group/seatops.seats.msstore": defaults}}
        if ignore_errors:
            task["ignore_errors"] = True
        return task

    by_token = {"access_token": env_lookup("MS_TOKEN"), "api_url": store.store_url}
    tasks = [
        info("wrong secret", True,
             **connection(store, client_secret=env_lookup("MS_WRONG_SECRET"))),
        info("unknown tenant", True, **connection(store, tenant_id="fabrikam.example")),
        info("not activated", True, **connection(store, client_id=IDLE_CLIENT,
                                                 client_secret=env_lookup("MS_IDLE_SECRET"))),
        info("access token", **by_token),
        {"name": "expire", "ansible.builtin.uri": {
            "url": store.url + "/_sandbox/tokens/expire", "method": "POST", "body_format": "json",
            "body": {}}},
        info("expired access token", True, **by_token),
        # Credentials from AZURE_* alone.
        info("from environment", auth_url=store.url, api_url=store.store_url),
    ]
    run = run_store_playbook(play(store, tasks), verbosity=3, env={
        "MS_TOKEN": token, "AZURE_TENANT_ID": TENANT, "AZURE_CLIENT_ID": CLIENT,
        "AZURE_CLIENT_SECRET": SECRET})
    assert run.rc == 0, run.output
    wrong = registered(run, "wrong secret")
    assert wrong["failed"] is True
    assert "wrong client_secret (or client_id) for tenant %s" % TENANT in wrong["msg"]
    assert "tenant_id fabrikam.example" in registered(run, "unknown tenant")["msg"]
    idle = registered(run, "not activated")["msg"]
    assert "client_id %s" % IDLE_CLIENT in idle and "Management tools" in idle
    assert registered(run, "access token")["inventory_count"] == 4
    assert "access_token" in registered(run, "expired access token")["msg"]
    assert registered(run, "from environment")["inventory_count"] == 4
    for secret in (SECRET, IDLE_SECRET, token):
        assert secret not in run.output


def test_expired_token_mid_run_is_refreshed(store, run_store_playbook):
    # A token that lives 2 s and calls that take 0.3 s: the module refreshes ahead of expiry.
    store.config(token_lifetime=2, latency_ms=300)
    many = [upn(name) for name in ("grace", "ivan", "judy", "heidi", "bob", "carol", "svc-kiosk")]
    run = run_store_playbook(play(store, [seat_task("slow", OPEN, users=many)]))
    store.config(latency_ms=0, token_lifetime=3600)
    assert run.rc == 0, run.output
    assert registered(run, "slow")["assigned"] == sorted(many)
    assert counts(store)[TOKEN] >= 2
    # A token the service stops accepting mid-run (401): refreshed once, the call retried.
    store.clear_requests()
    store.faults([{"method": "POST", "path": BULK.split(" ", 1)[1], "status": 401, "count": 1}])
    task = seat_task("revoked", OPEN, users=[upn("judy")], state="absent")
    run = run_store_playbook(play(store, [task]))
    assert run.rc == 0, run.output
    assert registered(run, "revoked")["reclaimed"] == [upn("judy")]
    assert counts(store)[TOKEN] == 2 and counts(store)[BULK] == 2


def test_throttling_and_server_errors_are_retried(store, run_store_playbook):
    store.faults([
        {"method": "GET", "path": "/V1/Inventory", "status": 429, "count": 1},
        {"method": "POST", "path": BULK.split(" ", 1)[1], "status": 503, "count": 1},
    ])
    run = run_store_playbook(play(store, [seat_task("retried", RESTRICTED, users=[upn("ivan")])]))
    assert run.rc == 0, run.output
    result = registered(run, "retried")
    assert result["assigned"] == [upn("ivan")] and result["failed_users"] == []
    assert result["api_calls"]["GET /Inventory"] == 2
    assert result["api_calls"][M_BULK] == 2
    assert upn("ivan") in holders(store, RESTRICTED)

    # Errors that outlast the retries: the task fails naming the user, nothing is claimed.
    store.seed(SEED)
    store.faults([{"method": "POST", "path": BULK.split(" ", 1)[1], "status": 500, "count": 5}])
    task = seat_task("broken", RESTRICTED, ignore_errors=True, users=[upn("ivan")], retries=1)
    run = run_store_playbook(play(store, [task]))
    result = registered(run, "broken")
    # fail_json turns the result's failed list into True; the message names each user.
    assert result["assigned"] == [] and result["failed"] is True
    assert "Failed: ivan@contoso.com:" in result["msg"]
    assert "1 seat change(s) on 9NBLGGH4R2R6/0016 failed" in result["msg"]
    assert upn("ivan") not in holders(store, RESTRICTED)


def test_tls_needs_the_ca_bundle(run_store_playbook, tmp_path):
    from seatops_sandbox.testing import SandboxProcess

    with SandboxProcess(seed=SEED, tls=True, cert_dir=str(tmp_path / "tls")) as secure:
        run = run_store_playbook(play(secure, [
            {"name": "without ca_path", "ignore_errors": True,
             "seatops.seats.msstore_seat_info": {}},
            {"name": "with ca_path", "seatops.seats.msstore_seat_info": {
                "ca_path": secure.ca_cert}},
        ]))
    assert run.rc == 0, run.output
    refused = registered(run, "without ca_path")
    assert refused["failed"] is True and "ca_path" in refused["msg"]
    assert registered(run, "with ca_path")["inventory_count"] == 4


@pytest.mark.parametrize("module", ["msstore_seat", "msstore_seat_info"])
def test_ansible_doc(module):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_root())
    completed = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ansible-doc"), "--json",
         "seatops.seats." + module], capture_output=True, text=True, env=env, timeout=120,
        check=False)
    assert completed.returncode == 0, completed.stderr
    assert "seatops.seats.%s" % module in completed.stdout
    assert '"client_secret"' in completed.stdout and '"ca_path"' in completed.stdout
