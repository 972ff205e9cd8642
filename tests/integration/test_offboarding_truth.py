# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Offboarding that never ends green with a seat wrong (issue 10, items 3, 4 and 5).

Through playbooks/offboard.yml, as people run it, against the sandbox: one platform's
failure never stops the other's reclaims and the play fails naming every failure; the
record keeps every run (a re-run after a partial failure loses nothing) and restore gives
back the union; restore says, seat by seat, what it gave back, what really was in place
already, and what it could not give back and why.
"""

from __future__ import annotations

import copy
import json
import os

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PLAYBOOK = os.path.join(os.path.dirname(os.path.dirname(HERE)), "playbooks", "offboard.yml")
TENANT = "contoso.onmicrosoft.com"

# make test runs these on the lowest supported ansible-core too (stage integration-core-lowest).
pytestmark = pytest.mark.core_matrix

# Three leavers: Ana (ana.lima / alice), Ben (ben.okafor / bob), Chen (chen.wei / carol).
SEED = {
    "datadog": {
        "keys": [{"api_key": "truth-dd-api-key", "app_key": "truth-dd-app-key"}],
        "products": [{"code": "incident_response"}, {"code": "apm_pro"}],
        "users": [{"email": "ana.lima@example.com"}, {"email": "ben.okafor@example.com"},
                  {"email": "chen.wei@example.com"}, {"email": "breakglass@example.com"}],
        "seats": {"incident_response": ["ana.lima@example.com", "ben.okafor@example.com", "breakglass@example.com"],
                  "apm_pro": ["ana.lima@example.com", "ben.okafor@example.com", "chen.wei@example.com"]},
    },
    "msstore": {"tenants": [{
        "id": TENANT,
        "clients": [{"client_id": "truth-client-id", "client_secret": "truth-client-secret"}],
        "users": ["alice@contoso.com", "bob@contoso.com", "carol@contoso.com", "dara@contoso.com"],
        "inventory": [
            {"product_id": "9NBLGGH4R2R6", "sku_id": "0016", "distribution_policy": "Restricted", "seat_capacity": 5},
            {"product_id": "CFQ7TTC0K5DR", "sku_id": "0001", "distribution_policy": "Open", "seat_capacity": 100},
            {"product_id": "9WZDNCRFJ3PZ", "sku_id": "0016", "distribution_policy": "Restricted", "seat_capacity": 3},
        ],
        "seats": {"9NBLGGH4R2R6/0016": ["alice@contoso.com", "bob@contoso.com"],
                  "CFQ7TTC0K5DR/0001": ["alice@contoso.com", "carol@contoso.com"],
                  "9WZDNCRFJ3PZ/0016": ["carol@contoso.com", "dara@contoso.com"]},
    }]},
}
CREDENTIALS = {
    "DD_API_KEY": "truth-dd-api-key",
    "DD_APP_KEY": "truth-dd-app-key",
    "AZURE_TENANT_ID": TENANT,
    "AZURE_CLIENT_ID": "truth-client-id",
    "AZURE_CLIENT_SECRET": "truth-client-secret",
}
LEAVERS = "ana.lima@example.com=alice@contoso.com, ben.okafor@example.com=bob@contoso.com, chen.wei@example.com=carol@contoso.com"
PRODUCTS = "incident_response, apm_pro"
ACTION_TASK = "Reclaim (or restore) the seats of leavers"
STORE_SEATS = "POST /V1/Inventory/{productId}/{skuId}/Seats"


def fresh(sandbox, seed=None):
    sandbox.reset()
    sandbox.seed(SEED if seed is None else seed)
    sandbox.clear_requests()


def holders(sandbox):
    state = sandbox.state()
    datadog = dict((code, sorted(h["email"] for h in product["holders"]))
                   for code, product in state["datadog"]["products"].items())
    store = dict((key, sorted(entry["holders"])) for key, entry in state["msstore"]["tenants"][TENANT]["products"].items())
    return datadog, store


def writes(sandbox):
    counts = sandbox.requests()["counts"]
    return dict((key, n) for key, n in counts.items()
                if key.split(" ")[0] in ("POST", "DELETE", "PUT", "PATCH") and "/token" not in key)


def offboard(run_playbook, sandbox, record, check=False, env=None, **extra):
    extra_vars = {"seatops_datadog_api_url": sandbox.url, "seatops_msstore_api_url": sandbox.store_url,
                  "seatops_msstore_auth_url": sandbox.url, "record_path": str(record)}
    extra_vars.update(extra)
    return run_playbook("- ansible.builtin.import_playbook: %s\n" % PLAYBOOK, check=check,
                        extra_vars=extra_vars, env=dict(CREDENTIALS, **(env or {})))


def action_result(run):
    found = [entry for entry in run.results if entry["task"].endswith(ACTION_TASK)]
    assert found, "the offboarding action did not run:\n%s" % run.output[-4000:]
    return found[-1]["result"]


def final_failure(run):
    """The message of the task the play failed on (the role's last task)."""
    failed = [entry for entry in run.results if entry["status"] == "failed"]
    assert failed, "no task failed:\n%s" % run.output[-3000:]
    return failed[-1]["result"]["msg"]


def by_product(result):
    return dict((row["product"], row) for row in result["products"])


# -- item 3: one platform's failure never stops the other's reclaims --------------------------

def test_a_refused_store_token_still_reclaims_every_datadog_seat(sandbox, run_playbook, tmp_path):
    fresh(sandbox)
    before_datadog, before_store = holders(sandbox)
    record = tmp_path / "record.json"
    run = offboard(run_playbook, sandbox, record, env={"AZURE_CLIENT_SECRET": "not-the-secret"},
                   people=LEAVERS, datadog_products=PRODUCTS)
    assert run.rc != 0, "the play ended green while every Store seat is still held"

    datadog, store = holders(sandbox)
    assert datadog == {"incident_response": ["breakglass@example.com"], "apm_pro": []}
    assert store == before_store
    assert before_datadog != datadog

    result = action_result(run)
    assert result["reclaimed_count"] == 5
    assert [(f["platform"], f["product"], f["users"]) for f in result["failures"]] == [
        ("msstore", None, ["alice@contoso.com", "bob@contoso.com", "carol@contoso.com"])]
    assert "finding the leavers' seats failed" in result["failures"][0]["reason"]
    message = final_failure(run)
    for text in ("Reclaimed 5 seat(s) of 3 leaver(s) (2 Datadog and 0 Microsoft Store product(s))",
                 "1 failure(s); these leavers may still hold those seats",
                 "Microsoft Store (every product) [alice@contoso.com, bob@contoso.com, carol@contoso.com]",
                 "Record: %s" % record):
        assert text in message, (text, message)
    assert "not-the-secret" not in run.output

    saved = json.loads(record.read_text())
    assert [entry["product_code"] for entry in saved["runs"][0]["datadog"]] == ["incident_response", "apm_pro"]
    assert saved["runs"][0]["msstore"] == []
    assert [(e["platform"], e["product"]) for e in saved["runs"][0]["errors"]] == [("msstore", None)]


def test_a_store_api_url_without_v1_fails_the_play_and_datadog_reclaims_still_run(sandbox, run_playbook, tmp_path):
    # The case that once ended green: every 404 of a wrong base URL read as "no such user",
    # skipped silently by the role's default unknown_users=ignore, every Store seat kept.
    fresh(sandbox)
    _before_datadog, before_store = holders(sandbox)
    record = tmp_path / "record.json"
    run = offboard(run_playbook, sandbox, record, people=LEAVERS, datadog_products=PRODUCTS,
                   seatops_msstore_api_url=sandbox.url)
    assert run.rc != 0, "the play ended green while every Store seat is still held"

    datadog, store = holders(sandbox)
    assert store == before_store
    assert datadog == {"incident_response": ["breakglass@example.com"], "apm_pro": []}
    result = action_result(run)
    assert [(f["platform"], f["product"]) for f in result["failures"]] == [("msstore", None)]
    reason = result["failures"][0]["reason"]
    assert "without the Store's item type" in reason and "Check api_url (%s)" % sandbox.url in reason
    assert "nothing was changed" in reason
    assert "Microsoft Store (every product)" in final_failure(run)


def test_a_refused_datadog_key_still_reclaims_every_store_seat(sandbox, run_playbook, tmp_path):
    fresh(sandbox)
    before_datadog, _before = holders(sandbox)
    run = offboard(run_playbook, sandbox, tmp_path / "record.json", env={"DD_API_KEY": "not-the-key"},
                   people=LEAVERS, datadog_products=PRODUCTS)
    assert run.rc != 0
    datadog, store = holders(sandbox)
    assert datadog == before_datadog
    assert store == {"9NBLGGH4R2R6/0016": [], "CFQ7TTC0K5DR/0001": [], "9WZDNCRFJ3PZ/0016": ["dara@contoso.com"]}
    result = action_result(run)
    assert result["reclaimed_count"] == 5
    assert sorted((f["platform"], f["product"]) for f in result["failures"]) == [
        ("datadog", "apm_pro"), ("datadog", "incident_response")]
    message = final_failure(run)
    assert "Datadog incident_response [ana.lima@example.com, ben.okafor@example.com, chen.wei@example.com]" in message
    assert "Datadog apm_pro" in message and "not-the-key" not in run.output


def test_one_store_products_failure_leaves_the_other_products_and_datadog_done(sandbox, run_playbook, tmp_path):
    fresh(sandbox)
    sandbox.faults([{"method": "POST", "path": "/V1/Inventory/9NBLGGH4R2R6/0016/Seats", "status": 400}])
    try:
        run = offboard(run_playbook, sandbox, tmp_path / "record.json", people=LEAVERS, datadog_products=PRODUCTS)
    finally:
        sandbox.faults([])
    assert run.rc != 0
    datadog, store = holders(sandbox)
    assert datadog == {"incident_response": ["breakglass@example.com"], "apm_pro": []}
    assert store["9NBLGGH4R2R6/0016"] == ["alice@contoso.com", "bob@contoso.com"]
    assert store["CFQ7TTC0K5DR/0001"] == [] and store["9WZDNCRFJ3PZ/0016"] == ["dara@contoso.com"]
    result = action_result(run)
    rows = by_product(result)
    assert rows["9NBLGGH4R2R6/0016"]["failed"] and not rows["CFQ7TTC0K5DR/0001"]["failed"]
    failed = sorted(user for f in result["failures"] for user in f["users"])
    assert failed == ["alice@contoso.com", "bob@contoso.com"]
    assert all(f["product"] == "9NBLGGH4R2R6/0016" for f in result["failures"])
    message = final_failure(run)
    assert "Microsoft Store 9NBLGGH4R2R6/0016 [alice@contoso.com]" in message
    assert "Microsoft Store 9NBLGGH4R2R6/0016 [bob@contoso.com]" in message
    assert "Reclaimed 8 seat(s) of 3 leaver(s) (2 Datadog and 2 Microsoft Store product(s))" in message


def test_check_mode_reports_the_failure_without_writing(sandbox, run_playbook, tmp_path):
    fresh(sandbox)
    before = holders(sandbox)
    record = tmp_path / "records" / "record.json"
    run = offboard(run_playbook, sandbox, record, check=True, env={"AZURE_CLIENT_SECRET": "not-the-secret"},
                   people=LEAVERS, datadog_products=PRODUCTS)
    assert run.rc != 0
    assert writes(sandbox) == {} and holders(sandbox) == before
    assert not (tmp_path / "records").exists(), "check mode created the record directory"
    message = final_failure(run)
    assert "Would reclaim 5 seat(s) of 3 leaver(s)" in message
    assert "Microsoft Store (every product) [alice@contoso.com, bob@contoso.com, carol@contoso.com]" in message
    assert "No record written (check mode)" in message


# -- item 4: an offboarding record is never lost --------------------------------------------

def test_a_rerun_after_a_partial_failure_keeps_the_first_runs_record_and_restore_gives_back_the_union(
        sandbox, run_playbook, tmp_path):
    fresh(sandbox)
    before = holders(sandbox)
    record = tmp_path / "records" / "record.json"
    sandbox.faults([{"method": "POST", "path": "/V1/Inventory/9NBLGGH4R2R6/0016/Seats", "status": 400}])
    try:
        first = offboard(run_playbook, sandbox, record, people=LEAVERS, datadog_products=PRODUCTS)
    finally:
        sandbox.faults([])
    assert first.rc != 0
    after_first = json.loads(record.read_text())
    assert after_first["format"] == "seatops.seats.offboarding_record/2"
    assert len(after_first["runs"]) == 1 and after_first["reclaimed_count"] == 8
    assert [e["product"] for e in after_first["runs"][0]["errors"]] == ["9NBLGGH4R2R6/0016", "9NBLGGH4R2R6/0016"]

    second = offboard(run_playbook, sandbox, record, people=LEAVERS, datadog_products=PRODUCTS)
    assert second.rc == 0, second.output[-3000:]
    saved = json.loads(record.read_text())
    assert saved["runs"][0] == after_first["runs"][0], "the re-run changed the first run's record"
    assert len(saved["runs"]) == 2 and saved["reclaimed_count"] == 10
    assert [(e["product_id"], e["users"]) for e in saved["runs"][1]["msstore"]] == [
        ("9NBLGGH4R2R6", ["alice@contoso.com", "bob@contoso.com"])]
    assert saved["runs"][1]["datadog"] == [] and saved["runs"][1]["errors"] == []
    assert oct(os.stat(str(record)).st_mode & 0o777) == "0o600"
    assert os.listdir(str(record.parent)) == ["record.json"], "a temporary file was left beside the record"

    # A third run has nothing to reclaim: it adds no run and leaves the file as it is.
    text = record.read_text()
    third = offboard(run_playbook, sandbox, record, people=LEAVERS, datadog_products=PRODUCTS)
    assert third.rc == 0 and record.read_text() == text

    restore = offboard(run_playbook, sandbox, record, restore=True)
    assert restore.rc == 0, restore.output[-3000:]
    assert holders(sandbox) == before
    result = action_result(restore)
    assert (result["restored_count"], result["already_in_place_count"], result["not_restored_count"]) == (10, 0, 0)
    assert "Restored 10 seat(s) from %s (2 run(s), 10 seat(s) recorded)" % record in result["msg"]


def test_restore_reads_a_record_of_format_1(sandbox, run_playbook, tmp_path):
    fresh(sandbox)
    state = sandbox.state()
    ana = [h for h in state["datadog"]["products"]["apm_pro"]["holders"] if h["email"] == "ana.lima@example.com"][0]
    record = tmp_path / "old-record.json"
    record.write_text(json.dumps({
        "format": "seatops.seats.offboarding_record/1", "reclaimed_at": "2024-05-01T09:30:00Z", "check_mode": False,
        "people": [{"email": "ana.lima@example.com", "upn": "alice@contoso.com"}],
        "datadog": [{"product_code": "apm_pro", "users": [ana]}],
        "msstore": [{"product_id": "9NBLGGH4R2R6", "sku_id": "0016", "users": ["alice@contoso.com"]}],
        "errors": [], "reclaimed_count": 2}))
    seed = copy.deepcopy(SEED)
    seed["datadog"]["seats"]["apm_pro"].remove("ana.lima@example.com")
    seed["msstore"]["tenants"][0]["seats"]["9NBLGGH4R2R6/0016"].remove("alice@contoso.com")
    fresh(sandbox, seed)
    run = offboard(run_playbook, sandbox, record, restore=True)
    assert run.rc == 0, run.output[-3000:]
    datadog, store = holders(sandbox)
    assert "ana.lima@example.com" in datadog["apm_pro"] and "alice@contoso.com" in store["9NBLGGH4R2R6/0016"]
    assert action_result(run)["restored_count"] == 2


def test_a_file_that_is_not_a_record_is_never_overwritten(sandbox, run_playbook, tmp_path):
    fresh(sandbox)
    record = tmp_path / "notes.json"
    record.write_text('{"these": "are my notes"}\n')
    run = offboard(run_playbook, sandbox, record, people=LEAVERS, datadog_products=PRODUCTS)
    assert run.rc != 0
    assert record.read_text() == '{"these": "are my notes"}\n'
    assert sandbox.requests()["total"] == 0, "seats were read or reclaimed before the record path was checked"
    message = action_result(run)["msg"]
    assert "offboarding_record_path: %s is not an offboarding record" % record in message
    assert "never overwritten" in message and "nothing was read or changed" in message


# -- item 5: restore says what it could not restore -------------------------------------------

def later_seed():
    """The platforms some time after the offboarding: Ana is disabled in Datadog, Ben got
    apm_pro back by hand, Bob left the tenant, 9NBLGGH4R2R6/0016 is full, 9WZDNCRFJ3PZ/0016
    was removed from the inventory, and Carol already has CFQ7TTC0K5DR/0001 again."""
    seed = copy.deepcopy(SEED)
    datadog = seed["datadog"]
    datadog["users"][0]["disabled"] = True
    datadog["seats"] = {"incident_response": ["breakglass@example.com"], "apm_pro": ["ben.okafor@example.com"]}
    tenant = seed["msstore"]["tenants"][0]
    tenant["users"] = ["alice@contoso.com", "carol@contoso.com", "dara@contoso.com"]
    tenant["inventory"][0]["seat_capacity"] = 1
    tenant["inventory"][2]["status"] = "Removed"
    tenant["seats"] = {"9NBLGGH4R2R6/0016": ["dara@contoso.com"], "CFQ7TTC0K5DR/0001": ["carol@contoso.com"],
                       "9WZDNCRFJ3PZ/0016": ["dara@contoso.com"]}
    return seed


def test_restore_lists_every_seat_it_could_not_give_back_and_fails(sandbox, run_playbook, tmp_path):
    fresh(sandbox)
    record = tmp_path / "record.json"
    off = offboard(run_playbook, sandbox, record, people=LEAVERS, datadog_products=PRODUCTS)
    assert off.rc == 0, off.output[-3000:]
    assert json.loads(record.read_text())["reclaimed_count"] == 10

    fresh(sandbox, later_seed())
    before = holders(sandbox)
    check = offboard(run_playbook, sandbox, record, check=True, restore=True)
    assert check.rc != 0 and writes(sandbox) == {} and holders(sandbox) == before
    predicted = action_result(check)

    sandbox.clear_requests()
    run = offboard(run_playbook, sandbox, record, restore=True)
    assert run.rc != 0, "restore ended green with seats not given back"
    result = action_result(run)
    assert (result["restored_count"], result["already_in_place_count"], result["not_restored_count"]) == (3, 2, 5)
    assert (predicted["restored_count"], predicted["already_in_place_count"], predicted["not_restored_count"]) == (3, 2, 5)

    rows = by_product(result)
    assert rows["incident_response"]["restored"] == ["ben.okafor@example.com"]
    assert rows["apm_pro"]["restored"] == ["chen.wei@example.com"]
    assert rows["CFQ7TTC0K5DR/0001"]["restored"] == ["alice@contoso.com"]
    # "Already in place" only of the seats whose holders held them before the call.
    assert rows["apm_pro"]["already_in_place"] == ["ben.okafor@example.com"]
    assert rows["CFQ7TTC0K5DR/0001"]["already_in_place"] == ["carol@contoso.com"]
    assert sum(len(row["already_in_place"]) for row in result["products"]) == 2

    missing = dict(((item["product"], item["user"]), item["reason"]) for item in result["not_restored"])
    assert sorted(missing) == [("9NBLGGH4R2R6/0016", "alice@contoso.com"), ("9NBLGGH4R2R6/0016", "bob@contoso.com"),
                               ("9WZDNCRFJ3PZ/0016", "carol@contoso.com"), ("apm_pro", "ana.lima@example.com"),
                               ("incident_response", "ana.lima@example.com")]
    assert "disabled" in missing[("incident_response", "ana.lima@example.com")]
    assert "disabled" in missing[("apm_pro", "ana.lima@example.com")]
    assert "no such user in the tenant" in missing[("9NBLGGH4R2R6/0016", "bob@contoso.com")]
    assert "seat" in missing[("9NBLGGH4R2R6/0016", "alice@contoso.com")].lower()
    assert "has been removed from the inventory" in missing[("9WZDNCRFJ3PZ/0016", "carol@contoso.com")]

    datadog, store = holders(sandbox)
    assert datadog == {"incident_response": ["ben.okafor@example.com", "breakglass@example.com"],
                       "apm_pro": ["ben.okafor@example.com", "chen.wei@example.com"]}
    assert store == {"9NBLGGH4R2R6/0016": ["dara@contoso.com"],
                     "CFQ7TTC0K5DR/0001": ["alice@contoso.com", "carol@contoso.com"],
                     "9WZDNCRFJ3PZ/0016": ["dara@contoso.com"]}

    message = final_failure(run)
    for text in ("Restored 3 seat(s) from %s (1 run(s), 10 seat(s) recorded)" % record,
                 "2 already in place: apm_pro ben.okafor@example.com, CFQ7TTC0K5DR/0001 carol@contoso.com",
                 "5 could not be restored", "incident_response ana.lima@example.com (",
                 "9WZDNCRFJ3PZ/0016 carol@contoso.com ("):
        assert text in message, (text, message)
    assert "the others were already in place" not in run.output
