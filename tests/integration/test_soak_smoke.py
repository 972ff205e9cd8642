# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fault soak (tests/soak/run.py, `make soak`) kept honest by `make test`.

The judge is fed made-up runs first, to prove it catches what the soak exists to catch (a
lost seat, an unreported change, a seat held twice, Store counts that drift, a traceback, a
failure that names nobody); then the real harness runs a few faulted runs end to end.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOAK = os.path.join(os.path.dirname(HERE), "soak")
sys.path.insert(0, SOAK)

import soak_check  # noqa: E402  pylint: disable=wrong-import-position

TENANT = "soak.onmicrosoft.com"
ANA = {"id": "0a0a0a0a-0000-4000-8000-000000000001", "email": "ana@example.com"}
BEN = {"id": "0a0a0a0a-0000-4000-8000-000000000002", "email": "ben@example.com"}
EVE = {"id": "0a0a0a0a-0000-4000-8000-000000000003", "email": "eve@example.com"}


def make_state(dd_holders, store_holders, capacity=5, available=None):
    if available is None:
        available = max(capacity - len(store_holders), 0)
    return {
        "datadog": {"products": {"apm_pro": {"seat_limit": None, "holders": list(dd_holders)}}},
        "msstore": {"tenants": {TENANT: {"products": {"9NBLGGH4R2R6/0016": {
            "seat_capacity": capacity, "available_seats": available, "license_type": "Online",
            "distribution_policy": "Restricted", "status": "Active", "holders": list(store_holders)}}}}},
    }


def task(action, results, status="ok"):
    return {"task": "onboarding : Assign seats", "action": action, "host": "localhost", "status": status,
            "result": {"results": results, "changed": True}}


def dd_result(assigned=(), reclaimed=(), failed_users=(), failed=False, msg=None, holders_count=None):
    result = {"product_code": "apm_pro", "assigned": list(assigned), "reclaimed": list(reclaimed),
              "failed_users": list(failed_users), "changed": bool(assigned or reclaimed),
              "item": {"product_code": "apm_pro"}}
    if failed:
        result.update(failed=True, msg=msg)
    if holders_count is not None:
        result["holders_count"] = holders_count
    return result


def store_result(assigned=(), reclaimed=(), available=None):
    result = {"assigned": list(assigned), "reclaimed": list(reclaimed), "failed_users": [],
              "changed": bool(assigned or reclaimed), "item": {"product_id": "9NBLGGH4R2R6", "sku_id": "0016"}}
    if available is not None:
        result["available_seats"] = available
    return result


def judge(before, after, entries, rc=0, output=""):
    return soak_check.judge(before, after, entries, rc, output, TENANT)


def test_a_true_report_passes():
    before = make_state([ANA], ["alice@contoso.com"])
    after = make_state([ANA, BEN], ["bob@contoso.com"])
    entries = [task("seatops.seats.datadog_seats", [dd_result(assigned=[BEN], holders_count=2)]),
               task("seatops.seats.msstore_seat", [store_result(assigned=["bob@contoso.com"],
                                                                reclaimed=["alice@contoso.com"], available=4)])]
    verdict = judge(before, after, entries)
    assert verdict.ok, verdict.as_dict()
    assert (verdict.assigned, verdict.reclaimed) == (2, 1)


def test_lost_and_unreported_changes_are_mismatches():
    before = make_state([ANA], [])
    reported = [task("seatops.seats.datadog_seats", [dd_result(assigned=[BEN])])]
    lost = judge(before, make_state([ANA], []), reported)
    assert lost.mismatches == ["apm_pro: ben@example.com does not hold a seat (reported assigned)"]
    unreported = judge(before, make_state([ANA, BEN, EVE], []), reported)
    assert unreported.mismatches == ["apm_pro: eve@example.com holds a seat (no assignment reported)"]
    gone = judge(before, make_state([BEN], []), reported)
    assert gone.mismatches == ["apm_pro: ana@example.com does not hold a seat (held before, no reclaim reported)"]
    not_gone = judge(make_state([ANA, BEN], []), make_state([ANA, BEN], []),
                     [task("seatops.seats.datadog_seats", [dd_result(reclaimed=[BEN])])])
    assert not_gone.mismatches == ["apm_pro: ben@example.com holds a seat (reported reclaimed)"]


def test_wrong_counts_and_double_reports_are_mismatches():
    before = make_state([ANA], [])
    after = make_state([ANA, BEN], [])
    verdict = judge(before, after, [task("seatops.seats.datadog_seats",
                                         [dd_result(assigned=[BEN, ANA], holders_count=3)])])
    assert any("reported assigning ana@example.com, who already held a seat" in m for m in verdict.mismatches)
    assert any("reported holders_count 3, the sandbox has 2" in m for m in verdict.mismatches)
    store = judge(make_state([], []), make_state([], ["bob@contoso.com"]),
                  [task("seatops.seats.msstore_seat", [store_result(assigned=["bob@contoso.com"], available=2)])])
    assert store.mismatches == ["onboarding : Assign seats [9NBLGGH4R2R6/0016]: reported available_seats 2, "
                                "the sandbox has 4"]


def test_seat_twice_and_store_count_drift_are_mismatches():
    state = make_state([ANA, dict(ANA)], ["bob@contoso.com"], capacity=5, available=3)
    verdict = judge(state, copy.deepcopy(state), [])
    assert "apm_pro: seat held twice by ana@example.com" in verdict.mismatches
    assert any("availableSeats is 3 but capacity 5 - 1 holders = 4" in m for m in verdict.mismatches)
    over = make_state([], ["a@contoso.com", "b@contoso.com"], capacity=1, available=0)
    assert any("2 holders on a Restricted product of capacity 1" in m for m in judge(over, over, []).mismatches)


def test_tracebacks_and_unnamed_failures_are_caught():
    state = make_state([ANA], [])
    crash = dict(dd_result(failed=True, msg="MODULE FAILURE\nSee stdout/stderr for the exact error"),
                 module_stderr="Traceback (most recent call last):\n  ...")
    verdict = judge(state, state, [task("seatops.seats.datadog_seats", [crash], "failed")], rc=2,
                    output="fatal: [localhost]: FAILED! => {\"module_stderr\": \"Traceback (most recent call last)")
    assert verdict.tracebacks and not verdict.ok

    vague = dd_result(failed=True, msg="GET /api/v2/users failed (HTTP 503)")
    verdict = judge(state, state, [task("seatops.seats.datadog_seats", [vague], "failed")], rc=2)
    assert verdict.unclean == ["onboarding : Assign seats [apm_pro] failed, but the message does not name the "
                               "product: GET /api/v2/users failed (HTTP 503)"]

    nameless = dd_result(failed=True, failed_users=[{"user": "ben@example.com", "reason": "HTTP 503"}],
                         msg="1 seat change(s) on apm_pro failed, 0 succeeded.")
    verdict = judge(state, state, [task("seatops.seats.datadog_seats", [nameless], "failed")], rc=2)
    assert "does not name ben@example.com" in verdict.unclean[0]

    named = dd_result(failed=True, failed_users=[{"user": "ben@example.com", "reason": "HTTP 503"}],
                      msg="1 seat change(s) on apm_pro failed, 0 succeeded. Failed: ben@example.com: HTTP 503")
    verdict = judge(state, state, [task("seatops.seats.datadog_seats", [named], "failed")], rc=2)
    assert verdict.ok, verdict.as_dict()
    assert judge(state, state, [], rc=4).unclean, "a failed playbook without a failed task must be flagged"


def test_reconcile_report_rows_are_the_report():
    before = make_state([ANA, BEN], ["alice@contoso.com"])
    after = make_state([ANA], ["alice@contoso.com", "bob@contoso.com"])
    report = {"mode": "apply", "products": [
        {"platform": "datadog", "product": "apm_pro", "to_assign": [], "to_reclaim": ["ben@example.com"],
         "failed": [], "error": None, "holders_after": 1},
        {"platform": "msstore", "product": "9NBLGGH4R2R6/0016", "to_assign": ["bob@contoso.com"],
         "to_reclaim": [], "failed": [], "error": None, "holders_after": 2, "available_seats": 3}]}
    entry = {"task": "reconcile : Reconcile", "action": soak_check.RECONCILE_ACTION, "status": "ok",
             "result": {"report_json": "x.json"}, "report": report}
    assert judge(before, after, [entry]).ok
    report["products"][0]["to_reclaim"] = []
    assert judge(before, after, [entry]).mismatches == [
        "apm_pro: ben@example.com does not hold a seat (held before, no reclaim reported)"]
    del entry["report"]
    assert judge(before, before, [entry]).unclean


def test_soak_smoke(tmp_path):
    """Six faulted runs (two of each playbook) and the follow-up without faults."""
    figures_file = tmp_path / "figures.json"
    command = [sys.executable, os.path.join(SOAK, "run.py"), "--runs", "6", "--seed", "11",
               "--json", str(figures_file), "--artifacts", str(tmp_path / "artifacts"),
               "--timeout-minutes", "4", "--run-timeout", "90"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=400, check=False)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-6000:]
    figures = json.loads(figures_file.read_text())
    assert figures["runs"] == 6
    assert dict((kind, value["runs"]) for kind, value in figures["by_kind"].items()) == \
        {"onboard": 2, "offboard": 2, "reconcile": 2}
    assert figures["mismatches"] == 0 and figures["tracebacks"] == 0 and figures["unclean_failures"] == 0
    assert figures["convergence"] is True
    assert figures["requests"] > 50
    assert figures["faults_total"] > 0, "no fault was injected: the soak soaked nothing"
    assert figures["seats_assigned"] + figures["seats_reclaimed"] > 0
    assert "mismatches           0 (must be 0)" in completed.stdout
    assert "convergence          yes" in completed.stdout
