# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""datadog_seats and datadog_seats_info run by real ansible-playbook against the sandbox.

Scenarios are grouped into few playbook runs (each costs seconds); every run starts from a
fresh seed, and the sandbox's request log proves what was (not) written and how many calls
each step cost.
"""

from __future__ import annotations

import json
import math

import pytest

API_KEY = "dd-integration-api-key-QWxpY2U"
APP_KEY = "dd-integration-app-key-Qm9ib2I"
RO_API_KEY = "dd-integration-ro-api-key-Q2Fyb2w"
RO_APP_KEY = "dd-integration-ro-app-key-RGF2ZQ"
WRONG_APP_KEY = "dd-wrong-app-key-RXZlRXZl"
PRODUCT = "incident_response"

ID = dict((name, "0a0a0a0a-0000-4000-8000-%012d" % number) for number, name in enumerate([
    "ana", "bruno", "carla", "breakglass", "old", "dana", "eve", "frank", "grace", "bot",
    "newly_disabled"]))


def _user(key, email, **extra):
    return dict(id=ID[key], email=email, name=key.title(), **extra)


SEED = {"datadog": {
    "keys": [{"api_key": API_KEY, "app_key": APP_KEY},
             {"api_key": RO_API_KEY, "app_key": RO_APP_KEY, "read_only": True}],
    "products": [{"code": PRODUCT}, {"code": "on_call", "committed_seats": 2}],
    "users": [
        _user("ana", "ana.lima@example.com"),
        _user("bruno", "bruno.costa@example.com"),
        _user("carla", "carla.mendes@example.com"),
        _user("breakglass", "breakglass@example.com", handle="breakglass"),
        _user("old", "old.timer@example.com", disabled=True),
        _user("dana", "dana@example.com"),
        _user("eve", "eve@example.com"),
        _user("frank", "frank@example.com"),
        _user("grace", "grace@example.com"),
        _user("bot", "bot@example.com", service_account=True),
        _user("newly_disabled", "newly.disabled@example.com", disabled=True),
    ],
    "seats": {PRODUCT: [ID["ana"], ID["bruno"], ID["carla"], ID["breakglass"], ID["old"]],
              "on_call": [ID["ana"]]},
}}

SEATS_GET = "GET /api/v2/seats/users"
SEATS_POST = "POST /api/v2/seats/users"
SEATS_DELETE = "DELETE /api/v2/seats/users"
USERS_LIST = "GET /api/v2/users"
USER_GET = "GET /api/v2/users/{user_id}"


@pytest.fixture
def fresh(sandbox):
    sandbox.seed(SEED)
    sandbox.faults([])
    sandbox.clear_requests()
    return sandbox


# Keys come from the environment, as AWX injects them: a key written into a playbook would
# show in the source excerpt Ansible prints for a failed task.
KEYS_ENV = {"DD_API_KEY": API_KEY, "DD_APP_KEY": APP_KEY}


def play(sandbox, tasks):
    """One play; every task is registered and a last task shows them all, because callbacks
    (and so the recorder) never see the top-level ``failed`` and ``skipped`` keys."""
    defaults = {"api_url": sandbox.url}
    shown = {}
    for index, task in enumerate(tasks):
        task["register"] = "r_%d" % index
        shown[task["name"]] = "{{ r_%d }}" % index
    tasks = tasks + [{"name": "registered", "ansible.builtin.debug": {"msg": shown}}]
    return [{"name": "datadog seats", "hosts": "localhost", "gather_facts": False,
             "module_defaults": {"group/seatops.seats.datadog": defaults},
             "tasks": tasks}]


def registered(run, name):
    """The task's result as a playbook sees it after ``register``."""
    return run.result("registered")["msg"][name]


def seats_task(name, **options):
    extra = {}
    for key in ("check_mode", "diff", "ignore_errors"):
        if key in options:
            extra[key] = options.pop(key)
    options.setdefault("product_code", PRODUCT)
    task = {"name": name, "seatops.seats.datadog_seats": options}
    task.update(extra)
    return task


def holders(sandbox, product=PRODUCT):
    return sorted(entry["id"] for entry in
                  sandbox.state()["datadog"]["products"][product]["holders"])


def writes(sandbox):
    counts = sandbox.requests()["counts"]
    return counts.get(SEATS_POST, 0), counts.get(SEATS_DELETE, 0)


def views(*keys):
    return sorted(({"id": ID[key], "email": email} for key, email in keys),
                  key=lambda view: view["email"])


def assert_no_secret(run):
    for secret in (API_KEY, APP_KEY, RO_API_KEY, RO_APP_KEY, WRONG_APP_KEY):
        assert secret not in run.output
        assert secret not in json.dumps(run.results)


EXCLUSIVE = dict(users=["ANA.LIMA@example.com", "Bruno.Costa@Example.com", "DANA@Example.COM",
                        ID["eve"].upper()],
                 exclusive=True, protected=["breakglass"], max_reclaims=2)
COMPARED = ("changed", "assigned", "reclaimed", "unchanged", "skipped_users", "failed_users",
            "holders_count", "diff", "product_code")


def test_check_mode_then_apply_then_unchanged(fresh, run_playbook):
    before = holders(fresh)
    # Check mode with a read-only key pair from the environment: reads are all it needs.
    preview = run_playbook(play(fresh, [
        seats_task("exclusive sync", **EXCLUSIVE),
        {"name": "info", "seatops.seats.datadog_seats_info": {
            "product_codes": [PRODUCT, "on_call"]}},
    ]), check=True, diff=True,
        env={"DD_API_KEY": RO_API_KEY, "DD_APP_KEY": RO_APP_KEY})
    assert preview.rc == 0, preview.output[-3000:]
    assert_no_secret(preview)
    predicted = preview.result("exclusive sync")
    assert predicted["changed"] is True
    assert predicted["assigned"] == views(("dana", "dana@example.com"), ("eve", "eve@example.com"))
    assert predicted["reclaimed"] == views(("carla", "carla.mendes@example.com"),
                                           ("old", "old.timer@example.com"))
    assert predicted["unchanged"] == 2 and predicted["holders_count"] == 5
    assert predicted["diff"]["after"]["holders"] == [
        "ana.lima@example.com", "breakglass@example.com", "bruno.costa@example.com",
        "dana@example.com", "eve@example.com"]
    # Resolution: holders pages 1; dana, eve and the protected handle were looked up: a
    # filter for dana told 11 users (one listing page), cheaper than two more lookups.
    assert predicted["api_calls"] == {SEATS_GET: 1, USERS_LIST: 2, "total": 3}
    info = preview.result("info")
    assert info["counts"] == {PRODUCT: 5, "on_call": 1}
    assert writes(fresh) == (0, 0) and holders(fresh) == before
    assert fresh.requests()["counts"] == {SEATS_GET: 3, USERS_LIST: 2}
    # The diff is rendered as a readable per-holder diff, not a callback error.
    assert '-        "carla.mendes@example.com",' in preview.output
    assert '+        "dana@example.com",' in preview.output
    assert "Failure using method" not in preview.output

    fresh.clear_requests()
    applied = run_playbook(play(fresh, [
        seats_task("exclusive sync", **EXCLUSIVE),
        seats_task("exclusive sync again", **EXCLUSIVE),
        {"name": "info for some users", "seatops.seats.datadog_seats_info": {
            "product_codes": [PRODUCT, "on_call"],
            "users": ["Ana.Lima@example.com", "breakglass", "carla.mendes@example.com"]}},
    ]), diff=True, env=KEYS_ENV)
    assert applied.rc == 0, applied.output[-3000:]
    assert_no_secret(applied)
    first = registered(applied, "exclusive sync")
    predicted = registered(preview, "exclusive sync")
    for key in COMPARED:
        assert first[key] == predicted[key], key
    assert applied.task("exclusive sync")["status"] == "ok"
    again = applied.result("exclusive sync again")
    assert again["changed"] is False and again["unchanged"] == 4
    assert again["assigned"] == [] and again["reclaimed"] == []
    # Everyone named is a holder now; only the protected handle needs a lookup.
    assert again["api_calls"] == {SEATS_GET: 1, USERS_LIST: 1, "total": 2}
    assert writes(fresh) == (1, 1)
    assert holders(fresh) == sorted(ID[key] for key in ("ana", "bruno", "breakglass", "dana", "eve"))
    info = applied.result("info for some users")
    assert sorted(h["email"] for h in info["seats"][PRODUCT]) == [
        "ana.lima@example.com", "breakglass@example.com"]
    assert [h["email"] for h in info["seats"]["on_call"]] == ["ana.lima@example.com"]
    assert info["not_holding"] == ["carla.mendes@example.com"]
    assert set(info["seats"][PRODUCT][0]) == {"id", "email", "name", "assigned_at"}


def test_guard_unknown_users_disabled_bad_keys_journal(fresh, run_playbook, tmp_path):
    journal = tmp_path / "seats.jsonl"
    run = run_playbook(play(fresh, [
        seats_task("guard", users=["ana.lima@example.com"], exclusive=True, ignore_errors=True),
        seats_task("unknown fail", users=["ghost@example.com", "frank@example.com"],
                   ignore_errors=True),
        seats_task("unknown warn", users=["ghost@example.com", "frank@example.com"],
                   unknown_users="warn"),
        seats_task("unknown ignore", users=["ghost2@example.com", "grace@example.com"],
                   unknown_users="ignore"),
        seats_task("disabled and service account",
                   users=["newly.disabled@example.com", "bot@example.com"]),
        seats_task("service account allowed", users=["bot@example.com"], allow_disabled=True),
        seats_task("disabled holder reclaimed", users=["old.timer@example.com"], state="absent",
                   journal=str(journal)),
        seats_task("bad keys", users=["frank@example.com"], app_key="{{ wrong_app_key }}",
                   ignore_errors=True),
    ]), verbosity=3, env=KEYS_ENV, extra_vars={"wrong_app_key": WRONG_APP_KEY})
    assert run.rc == 0, run.output[-3000:]
    assert_no_secret(run)

    guard = run.task("guard")
    assert guard["status"] == "ignored"
    assert guard["result"]["msg"].startswith(
        "Refusing to reclaim 4 of 5 seats of incident_response: max_reclaims is 10% (1 seats)")

    unknown_fail = run.task("unknown fail")
    assert unknown_fail["status"] == "ignored"
    assert "ghost@example.com: no Datadog user has this email or handle" in \
        unknown_fail["result"]["msg"]
    assert "nothing was changed" in unknown_fail["result"]["msg"]

    warned = registered(run, "unknown warn")
    assert warned["assigned"] == views(("frank", "frank@example.com"))
    assert warned["skipped_users"] == [{"user": "ghost@example.com",
                                        "reason": "no Datadog user has this email or handle"}]
    assert any("ghost@example.com" in warning for warning in warned["warnings"])
    ignored = registered(run, "unknown ignore")
    assert ignored["assigned"] == views(("grace", "grace@example.com"))
    assert [item["user"] for item in ignored["skipped_users"]] == ["ghost2@example.com"]
    assert not ignored.get("warnings")

    refused = registered(run, "disabled and service account")
    assert refused["changed"] is False and refused["assigned"] == []
    reasons = dict((item["user"], item["reason"]) for item in refused["skipped_users"])
    assert "disabled user cannot get a seat" in reasons["newly.disabled@example.com"]
    assert "set allow_disabled=true" in reasons["bot@example.com"]
    assert len(refused["warnings"]) == 2
    assert run.result("service account allowed")["assigned"] == views(("bot", "bot@example.com"))

    reclaimed = run.result("disabled holder reclaimed")
    assert reclaimed["reclaimed"] == views(("old", "old.timer@example.com"))
    lines = [json.loads(line) for line in journal.read_text().splitlines()]
    lines = [line for line in lines if line["outcome"] != "pending"]  # intent lines
    assert [(line["action"], line["user"], line["id"], line["outcome"], line["product"])
            for line in lines] == [("reclaim", "old.timer@example.com", ID["old"], "ok", PRODUCT)]

    bad = run.task("bad keys")
    assert bad["status"] == "ignored"
    message = bad["result"]["msg"]
    assert "HTTP 403" in message and "billing_read" in message
    assert "api_key and app_key" in message and PRODUCT in message

    # Writes: frank, grace, bot assigned (three POSTs), old.timer reclaimed (one DELETE);
    # the guard, unknown=fail, refused users and bad keys wrote nothing.
    assert writes(fresh) == (3, 1)
    assert holders(fresh) == sorted(ID[key] for key in (
        "ana", "bruno", "carla", "breakglass", "frank", "grace", "bot"))


def test_injected_429_and_5xx(fresh, run_playbook):
    fresh.faults([
        {"method": "GET", "path": "/api/v2/seats/users", "status": 429, "count": 1,
         "headers": {"X-RateLimit-Reset": "1"}},
        {"method": "POST", "path": "/api/v2/seats/users", "status": 503, "count": 1},
        {"method": "DELETE", "path": "/api/v2/seats/users", "status": 500, "count": 3},
    ])
    run = run_playbook(play(fresh, [
        seats_task("transient faults", users=[ID["dana"]]),
        seats_task("persistent 5xx", users=["carla.mendes@example.com"], state="absent",
                   retries=2, ignore_errors=True),
        seats_task("beyond the committed seats", product_code="on_call",
                   users=["dana@example.com", "eve@example.com"]),
    ]), env=KEYS_ENV)
    assert_no_secret(run)
    transient = registered(run, "transient faults")
    assert transient["changed"] is True and transient["failed_users"] == []
    assert transient["assigned"] == views(("dana", "dana@example.com"))
    # 429 then the read; 503 then the retried POST; a re-read because the POST was retried.
    assert transient["api_calls"] == {SEATS_GET: 3, SEATS_POST: 2, USER_GET: 1, "total": 6}

    persistent = run.task("persistent 5xx")
    assert persistent["status"] == "ignored"
    result = registered(run, "persistent 5xx")
    assert result["reclaimed"] == [] and result["changed"] is False
    assert [item["user"] for item in result["failed_users"]] == ["carla.mendes@example.com"]
    assert "HTTP 500" in result["failed_users"][0]["reason"]
    assert "1 seat change(s) on incident_response failed, 0 succeeded" in result["msg"]
    assert result["api_calls"] == {SEATS_GET: 2, SEATS_DELETE: 3, "total": 5}
    assert ID["carla"] in holders(fresh) and ID["dana"] in holders(fresh)

    # on_call has 2 committed seats, 1 taken. Datadog never refuses for capacity (contract
    # §7.1): both are assigned in one call and the third holder is an on-demand seat, which
    # only the sandbox's admin state shows.
    beyond = registered(run, "beyond the committed seats")
    assert run.task("beyond the committed seats")["status"] == "ok"
    assert beyond["changed"] is True and beyond["failed_users"] == []
    assert beyond["assigned"] == views(("dana", "dana@example.com"), ("eve", "eve@example.com"))
    assert beyond["api_calls"][SEATS_POST] == 1
    assert holders(fresh, "on_call") == sorted([ID["ana"], ID["dana"], ID["eve"]])
    on_call = fresh.state()["datadog"]["products"]["on_call"]
    assert (on_call["committed_seats"], on_call["on_demand"], on_call["peak_holders"]) == (2, 1, 3)


def test_thousands_of_holders_minimal_calls(sandbox, run_playbook):
    from seatops_sandbox.generate import generate

    seed = generate(seed=11, dd_users=4000, dd_products=1, dd_holders=2500, ms_users=1,
                    ms_products=0)
    seed["datadog"]["keys"].append({"api_key": API_KEY, "app_key": APP_KEY})
    sandbox.seed(seed)
    sandbox.faults([])
    sandbox.clear_requests()
    product = seed["datadog"]["products"][0]["code"]
    users = dict((user["id"], user) for user in seed["datadog"]["users"])
    seated = seed["datadog"]["seats"][product]
    outsiders = [user for user in seed["datadog"]["users"] if user["id"] not in set(seated)
                 and not user["disabled"] and not user["service_account"]]
    keep = seated[:2450]
    newcomers = outsiders[:50]
    desired = [users[user_id]["email"].upper() if index % 7 == 0 else users[user_id]["email"]
               for index, user_id in enumerate(keep)] + [user["email"] for user in newcomers]

    run = run_playbook(play(sandbox, [
        {"name": "holders only", "seatops.seats.datadog_seats": {
            "product_code": product, "users": [users[user_id]["email"] for user_id in seated[:10]]}},
        {"name": "exclusive at scale", "seatops.seats.datadog_seats": {
            "product_code": product, "users": desired, "exclusive": True, "max_reclaims": 50}},
        {"name": "info", "seatops.seats.datadog_seats_info": {"product_codes": [product]}},
    ]), env=KEYS_ENV)
    assert run.rc == 0, run.output[-3000:]
    holder_pages = int(math.ceil(len(seated) / 1000.0))

    only_holders = run.result("holders only")
    assert only_holders["changed"] is False and only_holders["unchanged"] == 10
    # Names among the holders need no user lookup at all.
    assert only_holders["api_calls"] == {SEATS_GET: holder_pages, "total": holder_pages}

    scale = run.result("exclusive at scale")
    assert len(scale["assigned"]) == 50 and len(scale["reclaimed"]) == 50
    assert scale["unchanged"] == 2450 and scale["holders_count"] == 2500
    # 50 names to resolve: one filter lookup tells 4000 users (40 listing pages); 49 more
    # lookups cost more than the listing, so one full listing resolves the rest.
    listing_pages = int(math.ceil(4000 / 100.0))
    assert scale["api_calls"] == {SEATS_GET: holder_pages, USERS_LIST: 1 + listing_pages,
                                  SEATS_POST: 1, SEATS_DELETE: 1,
                                  "total": holder_pages + 1 + listing_pages + 2}
    info = run.result("info")
    assert info["counts"] == {product: 2500}
    assert info["api_calls"] == {SEATS_GET: holder_pages, "total": holder_pages}

    counts = sandbox.requests()["counts"]
    assert counts == {SEATS_GET: 3 * holder_pages, USERS_LIST: 1 + listing_pages,
                      SEATS_POST: 1, SEATS_DELETE: 1}
    assert set(holders(sandbox, product)) == set(keep) | set(user["id"] for user in newcomers)


def test_tls_needs_the_ca_bundle(run_playbook, tmp_path):
    from seatops_sandbox.testing import SandboxProcess

    with SandboxProcess(seed=SEED, tls=True, cert_dir=str(tmp_path / "tls")) as secure:
        run = run_playbook(play(secure, [
            {"name": "unknown CA", "ignore_errors": True,
             "seatops.seats.datadog_seats_info": {"product_codes": [PRODUCT]}},
            {"name": "with ca_path", "seatops.seats.datadog_seats_info": {
                "product_codes": [PRODUCT], "ca_path": secure.ca_cert}},
        ]), env=KEYS_ENV)
    assert run.rc == 0, run.output[-3000:]
    refused = run.task("unknown CA")
    assert refused["status"] == "ignored"
    assert "TLS certificate verification failed" in refused["result"]["msg"]
    assert "ca_path" in refused["result"]["msg"]
    assert run.result("with ca_path")["counts"] == {PRODUCT: 5}
