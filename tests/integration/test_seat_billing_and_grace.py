# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Seats as Datadog bills them and as on-call people claim them (issue 12, items 1 to 3;
Datadog contract sections 7.1 and 7.2), on both platforms.

- Reclaim before assign: a swap never raises the holder peak the sandbox records
  (``peak_holders``), and a full Restricted Store product swaps holders in one run.
- ``max_holders``: a plan that would end above the ceiling fails before any write, in check
  mode too; assignments beyond ``committed_seats`` succeed otherwise (on demand).
- ``grace_days``: a seat claimed between an audit and an apply is kept with it and
  reclaimed without it; ``state: absent`` and offboarding ignore it.

Real ansible-playbook runs; what was written is read back from ``/_sandbox/state`` and the
request log.
"""

from __future__ import annotations

import datetime
import json

import pytest

API_KEY = "dd-billing-api-key-QmlsbGluZw"
APP_KEY = "dd-billing-app-key-R3JhY2VEYXlz"
TENANT = "contoso.onmicrosoft.com"
CLIENT = "billing-client"
SECRET = "billing-Secret-9d1e"
ENV = {"DD_API_KEY": API_KEY, "DD_APP_KEY": APP_KEY, "MS_SECRET": SECRET}
ON_CALL = "on_call"
FULL = ("9NBLGGH4R2R6", "0016")      # Restricted, 2 seats, both held
OPEN = ("CFQ7TTC0K5DR", "0001")      # Open, 100 seats
SEATS = "/api/v2/seats/users"
BULK = "/V1/Inventory/{productId}/{skuId}/Seats"
PEOPLE = ["ana", "ben", "cy", "dee", "eli", "fay", "gus"]


def email(name):
    return "%s@example.com" % name


def upn(name):
    return "%s@contoso.com" % name


def days_ago(days):
    moment = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def seed(committed=3, holders=("ana", "ben", "cy"), dates=None, store_holders=("ana", "ben"), store_dates=None):
    """Datadog product on_call with ``committed`` seats; the Store's full Restricted product
    and an Open one. ``dates``: name -> days since the seat was assigned (default 60)."""
    dates, store_dates = dates or {}, store_dates or {}
    return {
        "datadog": {
            "keys": [{"api_key": API_KEY, "app_key": APP_KEY}],
            "products": [{"code": ON_CALL, "committed_seats": committed}],
            "users": [{"email": email(name)} for name in PEOPLE],
            "seats": {ON_CALL: [{"user": email(name), "assigned_at": days_ago(dates.get(name, 60))}
                                for name in holders]},
        },
        "msstore": {"tenants": [{
            "id": TENANT,
            "clients": [{"client_id": CLIENT, "client_secret": SECRET}],
            "users": [upn(name) for name in PEOPLE],
            "inventory": [
                {"product_id": FULL[0], "sku_id": FULL[1], "distribution_policy": "Restricted", "seat_capacity": 2},
                {"product_id": OPEN[0], "sku_id": OPEN[1], "distribution_policy": "Open", "seat_capacity": 100},
            ],
            "seats": {
                "%s/%s" % FULL: [upn(name) for name in store_holders[:2]],
                "%s/%s" % OPEN: [{"upn": upn(name), "date_assigned": days_ago(store_dates.get(name, 60))}
                                 for name in store_holders],
            },
        }]},
    }


@pytest.fixture
def fresh(sandbox):
    sandbox.faults([])
    yield sandbox
    sandbox.faults([])


def play(sandbox, tasks):
    """One play, every task registered and shown by a last task; connections set once."""
    shown = {}
    for index, task in enumerate(tasks):
        task.setdefault("register", "r_%d" % index)
        task.setdefault("ignore_errors", True)
        shown[task["name"]] = "{{ %s }}" % task["register"]
    tasks = tasks + [{"name": "registered", "ansible.builtin.debug": {"msg": shown}}]
    return [{"name": "billing and grace", "hosts": "localhost", "gather_facts": False,
             "module_defaults": {
                 "group/seatops.seats.datadog": {"api_url": sandbox.url},
                 "group/seatops.seats.msstore": {
                     "tenant_id": TENANT, "client_id": CLIENT, "auth_url": sandbox.url,
                     "api_url": sandbox.store_url,
                     "client_secret": "{{ lookup('ansible.builtin.env', 'MS_SECRET') }}"}},
             "tasks": tasks}]


def registered(run, name):
    return run.result("registered")["msg"][name]


def dd_task(name, check_mode=False, **args):
    args.setdefault("product_code", ON_CALL)
    return {"name": name, "seatops.seats.datadog_seats": args, "check_mode": check_mode}


def ms_task(name, product, check_mode=False, **args):
    args.update(product_id=product[0], sku_id=product[1])
    return {"name": name, "seatops.seats.msstore_seat": args, "check_mode": check_mode}


def on_call(sandbox):
    return sandbox.state()["datadog"]["products"][ON_CALL]


def emails(product_state):
    return sorted(holder["email"] for holder in product_state["holders"])


def store_holders(sandbox, product):
    return sorted(sandbox.state()["msstore"]["tenants"][TENANT]["products"]["%s/%s" % product]["holders"])


def writes(sandbox, template):
    return [entry["method"] for entry in sandbox.requests()["entries"]
            if entry["template"] == template and entry["method"] in ("POST", "DELETE")]


def test_a_swap_reclaims_first_so_the_peak_does_not_rise(fresh, run_playbook):
    fresh.seed(seed(committed=3))
    fresh.clear_requests()
    run = run_playbook(play(fresh, [dd_task("swap", users=[email("ana"), email("ben"), email("dee")],
                                            exclusive=True, max_reclaims=1)]), env=ENV)
    assert run.rc == 0, run.output[-3000:]
    swap = registered(run, "swap")
    assert [view["email"] for view in swap["assigned"]] == [email("dee")]
    assert [view["email"] for view in swap["reclaimed"]] == [email("cy")]
    # DELETE (the reclaim) went out before POST (the assignment).
    assert writes(fresh, SEATS) == ["DELETE", "POST"]
    state = on_call(fresh)
    assert emails(state) == [email("ana"), email("ben"), email("dee")]
    # Assigning first would have made four holders for a moment: billed for the month.
    assert state["peak_holders"] == 3 and state["on_demand"] == 0


def test_a_full_restricted_store_product_swaps_in_one_run(fresh, run_playbook):
    fresh.seed(seed())
    fresh.clear_requests()
    run = run_playbook(play(fresh, [
        ms_task("swap check", FULL, users=[upn("cy"), upn("dee")], exclusive=True, max_reclaims=2,
                check_mode=True),
        ms_task("swap", FULL, users=[upn("cy"), upn("dee")], exclusive=True, max_reclaims=2),
    ]), env=ENV)
    assert run.rc == 0, run.output[-3000:]
    predicted, swap = registered(run, "swap check"), registered(run, "swap")
    for result in (predicted, swap):
        assert "failed" not in result or result["failed"] is False, result.get("msg")
        assert result["reclaimed"] == [upn("ana"), upn("ben")] and result["assigned"] == [upn("cy"), upn("dee")]
        assert result["available_seats"] == 0
    bulk = [entry for entry in fresh.requests()["entries"] if entry["template"] == BULK and entry["method"] == "POST"]
    assert len(bulk) == 2  # one reclaim call, then one assign call
    assert store_holders(fresh, FULL) == [upn("cy"), upn("dee")]


def test_assignments_beyond_the_commitment_succeed_and_max_holders_stops_them(fresh, run_playbook):
    """Datadog never refuses for capacity: without a ceiling, seats go on demand; with one,
    the plan fails before any write, in check mode too, giving the numbers and both ways on."""
    fresh.seed(seed(committed=3))
    fresh.clear_requests()
    more = [email("dee"), email("eli")]
    run = run_playbook(play(fresh, [
        dd_task("ceiling check", users=more, max_holders=4, check_mode=True),
        dd_task("ceiling", users=more, max_holders=4),
    ]), env=ENV)
    for name in ("ceiling check", "ceiling"):
        result = registered(run, name)
        assert result["failed"] is True and result["changed"] is False
        assert result["msg"] == (
            "Refusing to end with 5 holders of on_call: max_holders is 4. 3 hold a seat now; this run would "
            "assign 2 and reclaim 0. Nothing was changed. If 5 seats are wanted, raise max_holders to at least "
            "5; if not, reclaim at least 1 seat(s) first (state=absent for people who should not hold one) "
            "and run again.")
        assert result["holders_count"] == 3 and result["assigned"] == []
    assert writes(fresh, SEATS) == []
    assert on_call(fresh)["peak_holders"] == 3

    run = run_playbook(play(fresh, [dd_task("on demand", users=more)]), env=ENV)
    assert run.rc == 0, run.output[-3000:]
    assert registered(run, "on demand")["holders_count"] == 5
    state = on_call(fresh)
    assert state["committed_seats"] == 3 and state["on_demand"] == 2 and state["peak_holders"] == 5

    # Above the ceiling now: a run that only reclaims goes ahead and says it is still above.
    run = run_playbook(play(fresh, [dd_task("back down", users=[email("eli")], state="absent", max_holders=3)]),
                       env=ENV)
    assert run.rc == 0, run.output[-3000:]
    back = registered(run, "back down")
    assert back["changed"] is True and back["holders_count"] == 4
    assert "on_call ends with 4 holders, above max_holders 3: reclaim 1 seat(s) to get under it" in back["warnings"]


def test_max_holders_on_the_store_counts_the_whole_product(fresh, run_playbook):
    fresh.seed(seed(store_holders=("ana", "ben", "cy")))
    fresh.clear_requests()
    run = run_playbook(play(fresh, [
        ms_task("one more", OPEN, users=[upn("dee")], max_holders=3),
        ms_task("one more, room for it", OPEN, users=[upn("dee")], max_holders=4),
    ]), env=ENV)
    refused = registered(run, "one more")
    assert refused["failed"] is True
    assert refused["msg"].startswith("Refusing to end with 4 holders of CFQ7TTC0K5DR/0001: max_holders is 3. 3 hold")
    allowed = registered(run, "one more, room for it")
    assert allowed["changed"] is True and allowed["holders_count"] == 4
    assert store_holders(fresh, OPEN) == sorted(upn(name) for name in ("ana", "ben", "cy", "dee"))


def test_a_self_claim_between_audit_and_apply_is_kept_with_grace_days_and_reclaimed_without(
        fresh, run_playbook):
    fresh.seed(seed(committed=3, holders=("ana", "ben")))
    roster = [email("ana"), email("ben")]
    audit = run_playbook(play(fresh, [dd_task("audit", users=roster, exclusive=True, max_reclaims=1,
                                              grace_days=7, check_mode=True)]), env=ENV)
    assert registered(audit, "audit")["changed"] is False

    # Cy is paged and claims a seat after the audit, before the apply.
    claimed = fresh.claim(ON_CALL, email("cy"))
    fresh.clear_requests()
    run = run_playbook(play(fresh, [
        dd_task("apply with grace", users=roster, exclusive=True, max_reclaims=1, grace_days=7),
        dd_task("apply with grace again", users=roster, exclusive=True, max_reclaims=1, grace_days=7),
    ]), env=ENV, diff=True)
    assert run.rc == 0, run.output[-3000:]
    kept = registered(run, "apply with grace")
    assert kept["changed"] is False and kept["reclaimed"] == []
    assert kept["kept_in_grace"] == [{"user": email("cy"), "assigned_at": claimed["assigned_at"]}]
    assert kept["diff"]["after"]["holders"] == sorted(roster + [email("cy")])
    # The next run converges: nothing to do, the seat still kept and said so.
    again = registered(run, "apply with grace again")
    assert again["changed"] is False and again["kept_in_grace"] == kept["kept_in_grace"]
    assert writes(fresh, SEATS) == []
    assert emails(on_call(fresh)) == sorted(roster + [email("cy")])

    run = run_playbook(play(fresh, [dd_task("apply without grace", users=roster, exclusive=True, max_reclaims=1)]),
                       env=ENV)
    gone = registered(run, "apply without grace")
    assert [view["email"] for view in gone["reclaimed"]] == [email("cy")] and gone["kept_in_grace"] == []
    assert emails(on_call(fresh)) == roster


def test_older_seats_are_not_kept_and_the_guard_counts_only_what_is_reclaimed(fresh, run_playbook):
    fresh.seed(seed(committed=5, holders=("ana", "ben", "cy", "dee", "eli"), dates={"cy": 1, "dee": 2, "eli": 30}))
    run = run_playbook(play(fresh, [dd_task("exact", users=[email("ana"), email("ben")], exclusive=True,
                                            max_reclaims=1, grace_days=7)]), env=ENV)
    result = registered(run, "exact")
    assert result.get("failed") is not True, result.get("msg")
    assert [item["user"] for item in result["kept_in_grace"]] == [email("cy"), email("dee")]
    assert [view["email"] for view in result["reclaimed"]] == [email("eli")]


def test_state_absent_and_offboarding_ignore_the_grace_period(fresh, run_playbook):
    """A leaver loses the seat whatever its age, even with grace_days set for every task."""
    fresh.seed(seed(committed=3, holders=("ana", "ben"), dates={"ana": 0, "ben": 0},
                    store_holders=("ana",), store_dates={"ana": 0}))
    playbook = play(fresh, [
        dd_task("leaver", users=[email("ana")], state="absent"),
        {"name": "offboard", "seatops.seats.seats_offboard": {
            "people": [{"email": email("ben")}, {"upn": upn("ana")}], "datadog_products": [ON_CALL],
            "record_dir": "{{ playbook_dir }}/records"}},
    ])
    for module in ("seatops.seats.datadog_seats", "seatops.seats.msstore_seat"):
        playbook[0]["module_defaults"][module] = {"grace_days": 30}
    run = run_playbook(playbook, env=ENV)
    assert run.rc == 0, run.output[-3000:]
    assert [view["email"] for view in registered(run, "leaver")["reclaimed"]] == [email("ana")]
    assert registered(run, "offboard").get("failed") is not True, registered(run, "offboard").get("msg")
    assert emails(on_call(fresh)) == [] and store_holders(fresh, OPEN) == []


def test_the_store_keeps_recent_seats_by_date_assigned(fresh, run_playbook):
    fresh.seed(seed(store_holders=("ana", "ben", "cy"), store_dates={"ben": 2, "cy": 40}))
    run = run_playbook(play(fresh, [ms_task("exact", OPEN, users=[upn("ana")], exclusive=True, max_reclaims=1,
                                            grace_days=7)]), env=ENV)
    result = registered(run, "exact")
    assert result.get("failed") is not True, result.get("msg")
    assert [item["user"] for item in result["kept_in_grace"]] == [upn("ben")]
    assert result["kept_in_grace"][0]["assigned_at"].startswith(days_ago(2)[:10])
    assert result["reclaimed"] == [upn("cy")]
    assert store_holders(fresh, OPEN) == [upn("ana"), upn("ben")]


def test_the_audit_report_shows_the_ceiling_and_the_kept_seats(fresh, run_playbook, tmp_path):
    fresh.seed(seed(committed=3, holders=("ana", "ben", "cy"), dates={"cy": 1}))
    desired = {"datadog": [{"product_code": ON_CALL, "users": [email("ana"), email("dee")], "max_holders": 3}],
               "msstore": [{"product_id": OPEN[0], "sku_id": OPEN[1], "users": [upn("ana"), upn("ben"), upn("cy")],
                            "max_holders": 2}]}
    run = run_playbook(play(fresh, [{"name": "audit", "seatops.seats.seats_reconcile": {
        "desired_state": desired, "grace_days": 7, "report_dir": str(tmp_path / "reports"),
        "report_name": "audit", "fail_on_errors": False}}]), env=ENV, check=True)
    assert run.rc == 0, run.output[-3000:]
    with open(str(tmp_path / "reports" / "audit.json")) as handle:
        report = json.load(handle)
    datadog, store = report["products"]
    # Datadog: ben reclaimed, dee assigned, cy kept (claimed yesterday): 3 holders, at the ceiling.
    assert datadog["status"] == "changes" and datadog["to_reclaim"] == [email("ben")]
    assert datadog["kept_in_grace"][0]["user"] == email("cy") and datadog["grace_days"] == 7
    assert datadog["holders_after"] == 3 and datadog["max_holders"] == 3 and datadog["above_max_holders"] == 0
    # The Store: one more holder than its ceiling would be wanted: refused, reported, unchanged.
    assert store["status"] == "error" and "Refusing to end with 3 holders" in store["error"]
    assert store["holders_after"] == 2 and store["above_max_holders"] == 0
    assert store["capacity"] == 100
    assert report["totals"]["kept_in_grace"] == 1 and report["totals"]["with_errors"] == 1
    assert emails(on_call(fresh)) == [email("ana"), email("ben"), email("cy")]
