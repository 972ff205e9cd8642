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


def make_state(dd_holders, store_holders, capacity=5, available=None, status="Active"):
    if available is None:
        available = max(capacity - len(store_holders), 0)
    return {
        "datadog": {"products": {"apm_pro": {"holders": list(dd_holders), "committed_seats": None, "on_demand": 0,
                                             "peak_holders": len(dd_holders)}}},
        "msstore": {"tenants": {TENANT: {"products": {"9NBLGGH4R2R6/0016": {
            "seat_capacity": capacity, "available_seats": available, "license_type": "Online",
            "distribution_policy": "Restricted", "status": status, "holders": list(store_holders)}}}}},
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


def test_a_seat_kept_in_grace_must_be_one_the_run_found_and_left():
    state = make_state([ANA, BEN], [])
    kept_ben = dd_result(holders_count=2)
    kept_ben["kept_in_grace"] = [{"user": BEN["email"], "assigned_at": "2026-11-28T10:00:00Z"}]
    verdict = judge(state, state, [task("seatops.seats.datadog_seats", [kept_ben])])
    assert verdict.ok and verdict.kept == 1, verdict.as_dict()
    kept_eve = dict(kept_ben, kept_in_grace=[{"user": EVE["email"], "assigned_at": "2026-11-28T10:00:00Z"}])
    verdict = judge(state, state, [task("seatops.seats.datadog_seats", [kept_eve])])
    assert verdict.mismatches == ["onboarding : Assign seats [apm_pro]: reported keeping eve@example.com in the grace period, "
                                  "who held no seat"]
    both = dict(kept_ben, reclaimed=[BEN], holders_count=1)
    verdict = judge(state, make_state([ANA], []), [task("seatops.seats.datadog_seats", [both])])
    assert "reported keeping ben@example.com in the grace period, who was changed by the same run" in \
        " ".join(verdict.mismatches)


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


# -- issue 10's situations --------------------------------------------------------------------

STORE = "9NBLGGH4R2R6/0016"
WRONG_URL = "http://127.0.0.1:9"


def action_entry(action, result, status="ok"):
    return {"task": "offboarding : Reclaim", "action": action, "host": "localhost", "status": status,
            "result": result}


def offboard_result(rows=(), failures=(), msg="Reclaimed.", **extra):
    return dict({"mode": "apply", "products": list(rows), "failures": list(failures), "msg": msg}, **extra)


def test_a_leaver_left_holding_a_seat_needs_a_failed_run_naming_them():
    after = make_state([ANA], ["ana@contoso.com"])
    leavers = {"datadog": ["ana@example.com"], "msstore": ["ana@contoso.com"]}
    green = [action_entry(soak_check.SEAT_RUN_ACTIONS[1], offboard_result())]
    assert soak_check.check_leavers(after, green, 0, TENANT, leavers, ["apm_pro"]) == [
        "the run ended green while leaver ana@contoso.com still holds a seat on 9NBLGGH4R2R6/0016",
        "the run ended green while leaver ana@example.com still holds a seat on apm_pro"]
    unnamed = [action_entry(soak_check.SEAT_RUN_ACTIONS[1], offboard_result(failures=[
        {"platform": "datadog", "product": "apm_pro", "users": ["ana@example.com"], "reason": "HTTP 503"}]), "failed")]
    assert soak_check.check_leavers(after, unnamed, 2, TENANT, leavers, ["apm_pro"]) == [
        "leaver ana@contoso.com still holds a seat on 9NBLGGH4R2R6/0016, and no failure of the run names them there"]
    named = [action_entry(soak_check.SEAT_RUN_ACTIONS[1], offboard_result(failures=[
        {"platform": "datadog", "product": "apm_pro", "users": ["ana@example.com"], "reason": "HTTP 503"},
        {"platform": "msstore", "product": None, "users": ["ana@contoso.com"], "reason": "lookup failed"}]), "failed")]
    assert soak_check.check_leavers(after, named, 2, TENANT, leavers, ["apm_pro"]) == []
    # Products the run was not asked about do not count.
    assert soak_check.check_leavers(make_state([ANA], []), green, 0, TENANT, leavers, ["ci_visibility"]) == []


def test_a_wrong_store_path_must_fail_change_no_store_seat_and_name_the_endpoint():
    before = make_state([ANA], ["ana@contoso.com"])
    after = make_state([], ["ana@contoso.com"])
    dd_row = dict(dd_result(reclaimed=[ANA]), platform="datadog", product="apm_pro")
    reason = "finding the leavers' seats failed: GET %s/Users/ana%%40contoso.com/Seats answered HTTP 404" % WRONG_URL
    good = [action_entry(soak_check.SEAT_RUN_ACTIONS[1], offboard_result(
        rows=[dd_row], msg="1 failure(s): " + reason,
        failures=[{"platform": "msstore", "product": None, "users": ["ana@contoso.com"], "reason": reason}]), "failed")]
    assert soak_check.check_wrong_store_path(before, after, good, 2, TENANT, "offboard", WRONG_URL) == []
    assert soak_check.check_wrong_store_path(before, after, good, 0, TENANT, "offboard", WRONG_URL) == [
        "the Store api_url %s answers no API, yet the run ended green" % WRONG_URL]
    moved = soak_check.check_wrong_store_path(before, make_state([], []), good, 2, TENANT, "offboard", WRONG_URL)
    assert moved == ["%s: Store seats changed through a wrong api_url" % STORE]
    vague = copy.deepcopy(good)
    vague[0]["result"]["failures"][0]["reason"] = "HTTP 404"
    vague[0]["result"]["msg"] = "1 failure(s): HTTP 404"
    assert soak_check.check_wrong_store_path(before, after, vague, 2, TENANT, "offboard", WRONG_URL) == [
        "a Store failure does not name the endpoint %s: HTTP 404" % WRONG_URL,
        "the run's message does not name the endpoint %s" % WRONG_URL]
    no_datadog = copy.deepcopy(good)
    no_datadog[0]["result"]["products"] = []
    assert soak_check.check_wrong_store_path(before, before, no_datadog, 2, TENANT, "offboard", WRONG_URL) == [
        "the Store's wrong api_url stopped the Datadog side: no Datadog product was worked on"]


def test_a_removed_product_gains_no_seat_and_refuses_assigns_before_any_write():
    before = make_state([], ["ana@contoso.com"], status="Removed")
    store_row = dict(store_result(), platform="msstore", product=STORE, failed=True,
                     msg="product %s has been removed from the inventory: the Store assigns no new seats on it" % STORE)
    refused = [action_entry(soak_check.SEAT_RUN_ACTIONS[0], {"mode": "apply", "products": [store_row]}, "failed")]
    asked = {STORE: ["bob@contoso.com"]}
    assert soak_check.check_removed(before, before, refused, [], TENANT, "onboard", asked) == []
    write = [{"method": "POST", "path": "/V1/Inventory/9NBLGGH4R2R6/0016/Seats", "status": 200}]
    assert soak_check.check_removed(before, before, refused, write, TENANT, "onboard", asked) == [
        "%s is Removed, yet the onboarding wrote there: POST /V1/Inventory/9NBLGGH4R2R6/0016/Seats" % STORE,
        "%s: the plan was refused (Removed), yet it was written to: POST /V1/Inventory/9NBLGGH4R2R6/0016/Seats" % STORE]
    gained = make_state([], ["ana@contoso.com", "bob@contoso.com"], status="Removed")
    ok_row = dict(store_result(assigned=["bob@contoso.com"]), platform="msstore", product=STORE)
    accepted = [action_entry(soak_check.SEAT_RUN_ACTIONS[0], {"mode": "apply", "products": [ok_row]})]
    assert soak_check.check_removed(before, gained, accepted, [], TENANT, "onboard", asked) == [
        "%s is Removed, yet bob@contoso.com gained a seat there" % STORE,
        "%s is Removed; assigning bob@contoso.com there was not refused" % STORE]
    # Reclaims on a Removed product are fine.
    reclaim = [{"method": "DELETE", "path": "/V1/Inventory/9NBLGGH4R2R6/0016/Seats/ana%40contoso.com", "status": 204}]
    assert soak_check.check_removed(before, make_state([], [], status="Removed"), [], reclaim, TENANT, "offboard") == []


def test_a_record_reused_by_several_runs_keeps_every_reclaim():
    def record(*runs):
        return {"format": "seatops.seats.offboarding_record/2", "runs": list(runs)}
    first = {"datadog": [{"product_code": "apm_pro", "users": [ANA]}], "msstore": []}
    second = {"datadog": [], "msstore": [{"product_id": "9NBLGGH4R2R6", "sku_id": "0016", "users": ["bob@contoso.com"]}]}
    reported = {("datadog", "apm_pro", "ana@example.com"), ("msstore", STORE, "bob@contoso.com")}
    assert soak_check.check_record(record(first, second), reported, 2) == []
    assert soak_check.check_record(record(second), reported, 2) == [
        "the record lost a reclaim: datadog apm_pro ana@example.com (reported reclaimed by a run that used this path)",
        "the record has 1 run(s), 2 runs wrote to it"]
    assert soak_check.check_record(record(first, second), {("datadog", "apm_pro", "ana@example.com")}, 2) == [
        "the record lists msstore %s bob@contoso.com, which no run reported reclaimed" % STORE]
    entries = [action_entry(soak_check.SEAT_RUN_ACTIONS[1], offboard_result(rows=[
        dict(dd_result(reclaimed=[ANA]), platform="datadog", product="apm_pro"),
        dict(store_result(reclaimed=["bob@contoso.com"]), platform="msstore", product=STORE)]))]
    assert soak_check.reported_reclaims(entries) == reported


def restore_result(restored=(), in_place=(), not_restored=(), product="apm_pro", platform="datadog"):
    row = {"platform": platform, "product": product, "restored": list(restored), "already_in_place": list(in_place),
           "not_restored": list(not_restored), "assigned": [], "reclaimed": [], "failed_users": []}
    return {"mode": "apply", "products": [row], "not_restored_count": len(not_restored),
            "not_restored": [dict(item, platform=platform, product=product) for item in not_restored]}


def test_a_restore_says_one_true_outcome_per_recorded_seat_and_fails_exactly_when_one_is_missing():
    union = {("datadog", "apm_pro", "ana@example.com"), ("datadog", "apm_pro", "ben@example.com")}
    before = make_state([BEN], [])
    after = make_state([ANA, BEN], [])

    def restore(result, rc, state_after=None, cannot=()):
        state_after = after if state_after is None else state_after
        entries = [action_entry(soak_check.SEAT_RUN_ACTIONS[1], result, "failed" if rc else "ok")]
        return soak_check.check_restore(before, state_after, entries, rc, TENANT, union, set(cannot))

    assert restore(restore_result(restored=["ana@example.com"], in_place=["ben@example.com"]), 0) == []
    disabled = restore_result(in_place=["ben@example.com"],
                              not_restored=[{"user": "ana@example.com", "reason": "the Datadog user is disabled"}])
    assert restore(disabled, 2, before, cannot=[("datadog", "apm_pro", "ana@example.com")]) == []
    assert restore(disabled, 0, before) == ["the restore ended green with 1 seat(s) not restored"]
    assert restore(restore_result(restored=["ana@example.com"], in_place=["ben@example.com"]), 2) == [
        "every seat was restored or already in place, yet the restore failed"]
    assert restore(restore_result(in_place=["ana@example.com", "ben@example.com"]), 0) == [
        "apm_pro ana@example.com: said to be already in place, but it was not held before the run"]
    assert restore(restore_result(restored=["ana@example.com"]), 0) == [
        "apm_pro ben@example.com: the restore said nothing (exactly one outcome expected)"]
    assert restore(restore_result(restored=["ana@example.com"], in_place=["ben@example.com"]), 0, before) == [
        "apm_pro ana@example.com: reported restored, but it is not held now"]
    reasonless = restore_result(in_place=["ben@example.com"], not_restored=[{"user": "ana@example.com", "reason": ""}])
    assert restore(reasonless, 2, before) == ["apm_pro ana@example.com: not restored, without a reason"]
    assert restore(restore_result(restored=["ana@example.com"], in_place=["ben@example.com"]), 0,
                   cannot=[("datadog", "apm_pro", "ana@example.com")]) == [
        "apm_pro ana@example.com cannot be restored (person disabled, product Removed or full), yet the restore "
        "said restored"]


def test_soak_smoke(tmp_path):
    """Eight faulted runs (onboard, offboard, reconcile in turn, each followed by a Copilot
    run) with issue 10's situations at fixed places, and the follow-up without faults."""
    figures_file = tmp_path / "figures.json"
    command = [sys.executable, os.path.join(SOAK, "run.py"), "--runs", "8", "--seed", "11", "--situations", "forced",
               "--json", str(figures_file), "--artifacts", str(tmp_path / "artifacts"),
               "--timeout-minutes", "6", "--run-timeout", "90"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=520, check=False)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-6000:]
    figures = json.loads(figures_file.read_text())
    assert figures["runs"] == 8
    assert dict((kind, value["runs"]) for kind, value in figures["by_kind"].items()) == \
        {"onboard": 3, "offboard": 2, "reconcile": 2, "restore": 1}
    # Each of issue 10's situations came up (see Situations._forced in tests/soak/run.py).
    situations = figures["situations"]
    for name in ("product removed", "Removed product in plan", "wrong Store path", "record started",
                 "record re-run", "restore", "restore: people disabled", "restore: product full"):
        assert situations.get(name), (name, situations)
    assert situations["wrong Store path"] == 2
    runs = dict((line["run"], line) for line in figures["run_lines"])
    assert runs[1]["rc"] != 0 and runs[3]["rc"] != 0, "a wrong Store path must fail the run"
    assert runs[7]["kind"] == "restore" and runs[7]["rc"] != 0, "a restore with a disabled person must fail"
    assert figures["mismatches"] == 0 and figures["tracebacks"] == 0 and figures["unclean_failures"] == 0
    assert figures["convergence"] is True
    assert figures["requests"] > 50
    assert figures["faults_total"] > 0, "no fault was injected: the soak soaked nothing"
    assert figures["seats_assigned"] + figures["seats_reclaimed"] > 0
    # Self-claims came before each reconcile run, whose desired entries all had a grace period.
    assert situations["self-claims"] == 2 and figures["self_claims"] >= 2
    assert "mismatches           0 (must be 0)" in completed.stdout
    assert "convergence          yes" in completed.stdout
    # Every run also played the Copilot run on the soak org, under GitHub's faults.
    copilot = figures["copilot"]
    assert copilot["runs"] == 8 and copilot["requests"] > 8
    assert copilot["ok"] + copilot["failed_clean"] == 8
    assert copilot["assigned"] + copilot["reclaimed"] > 0
    assert sum(copilot["faults"].values()) > 0, "no GitHub fault was injected"
    assert "converge copilot   re-run" in completed.stdout


# -- GitHub Copilot ---------------------------------------------------------------------------

ORG = "soak-org"


def gh_state(active=(), team=(), pending=(), orphans=1):
    seats = [{"login": name, "team": None, "pending_cancellation_date": None} for name in active]
    seats += [{"login": name, "team": "crew", "pending_cancellation_date": None} for name in team]
    seats += [{"login": name, "team": None, "pending_cancellation_date": "2026-12-01"} for name in pending]
    seats += [{"login": None, "team": None, "pending_cancellation_date": None} for _index in range(orphans)]
    return {"github": {"orgs": {ORG: {"seats": seats}}}}


def gh_entry(status="ok", **result):
    result.setdefault("assigned", [])
    result.setdefault("reclaimed", [])
    result.setdefault("failed_users", [])
    return {"task": "Copilot seats", "action": soak_check.COPILOT_ACTION, "status": status, "result": result}


def judge_copilot(before, after, result_entries, rc=0, output=""):
    return soak_check.judge_copilot(before, after, result_entries, rc, output, ORG)


def test_copilot_a_true_report_passes():
    before = gh_state(active=["ana", "ben"], team=["tina"], pending=["paul"])
    after = gh_state(active=["ana", "paul", "new"], team=["tina"], pending=["ben"])
    entry = gh_entry(assigned=["paul", "new"], reclaimed=["ben"], holders_count=4, orphan_seats=1,
                     kept_seats=[{"user": "tina", "reason": "granted through team crew"}],
                     pending_cancellation=[{"user": "ben", "pending_cancellation_date": "2026-12-01"}])
    verdict = judge_copilot(before, after, [entry])
    assert verdict.ok, verdict.as_dict()
    assert (verdict.assigned, verdict.reclaimed) == (2, 1)


def test_copilot_a_team_granted_seat_is_never_reclaimed():
    before = gh_state(active=["ana"], team=["tina"])
    after = gh_state(active=["ana"], pending=["tina"])
    verdict = judge_copilot(before, after, [gh_entry(reclaimed=["tina"], holders_count=1, orphan_seats=1)])
    assert "soak-org: tina's team-granted seat was reclaimed" in verdict.mismatches
    assert any("reported reclaiming tina, whose seat a team grants" in m for m in verdict.mismatches)


def test_copilot_a_reported_reclaim_must_be_pending_in_the_sandbox():
    before = gh_state(active=["ana", "ben"])
    gone = gh_state(active=["ana"])          # the seat vanished instead of going pending
    verdict = judge_copilot(before, gone, [gh_entry(reclaimed=["ben"], holders_count=1, orphan_seats=1)])
    assert any("reported reclaiming ben, whose seat is not pending cancellation" in m for m in verdict.mismatches)
    kept = judge_copilot(before, before, [gh_entry(reclaimed=["ben"], holders_count=2, orphan_seats=1)])
    assert any("ben holds an active seat (reported reclaimed)" in m for m in kept.mismatches)


def test_copilot_pending_seats_are_not_holders():
    state = gh_state(active=["ana"], pending=["paul"])
    counted = judge_copilot(state, state, [gh_entry(holders_count=2, orphan_seats=1)])
    assert any("reported holders_count 2, the sandbox has 1 active seats" in m for m in counted.mismatches)
    active = judge_copilot(state, state, [gh_entry(holders_count=1, orphan_seats=1, pending_cancellation=[
        {"user": "ana", "pending_cancellation_date": "2026-12-01"}])])
    assert any("reported ana pending cancellation, the sandbox has an active seat" in m for m in active.mismatches)
    # Giving a pending seat again is an assignment, never "already held".
    after = gh_state(active=["ana", "paul"])
    assert judge_copilot(state, after, [gh_entry(assigned=["paul"], holders_count=2, orphan_seats=1)]).ok


def test_copilot_unreported_changes_and_orphans():
    before = gh_state(active=["ana"], orphans=2)
    after = gh_state(active=["ana", "eve"], orphans=1)
    verdict = judge_copilot(before, after, [gh_entry(holders_count=2, orphan_seats=1)])
    assert "soak-org: eve holds an active seat (no assignment reported)" in verdict.mismatches
    assert "soak-org: 2 orphan seat(s) before, 1 after (orphans are never touched)" in verdict.mismatches
    # An unknown outcome the result admits to is no mismatch.
    unknown = gh_entry(status="failed", failed=True, holders_count=2,
                       msg="organization soak-org: 1 seat change(s) failed: eve: outcome unknown: HTTP 502",
                       failed_users=[{"user": "eve", "reason": "outcome unknown: HTTP 502; re-reading failed"}])
    verdict = judge_copilot(before, gh_state(active=["ana", "eve"], orphans=2), [unknown], rc=2)
    assert verdict.ok, verdict.as_dict()


def test_copilot_failures_must_name_the_org_and_the_users():
    state = gh_state(active=["ana"])
    vague = gh_entry(status="failed", failed=True, msg="HTTP 403", failed_users=[{"user": "ben", "reason": "x"}])
    verdict = judge_copilot(state, state, [vague], rc=2)
    assert any("does not name the organization" in u for u in verdict.unclean)
    assert any("does not name ben" in u for u in verdict.unclean)
    assert judge_copilot(state, state, [gh_entry()], rc=2).unclean
