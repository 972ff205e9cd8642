# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The roles through the playbooks people run (playbooks/*.yml), against the sandbox.

Each test reseeds the sandbox, so the tests are independent; scenarios are grouped into few
playbook runs to keep the file fast.
"""

from __future__ import annotations

import json
import os

import pytest
import yaml

from roles_sandbox import CREDENTIALS, endpoints, fresh, holders, writes
# The sandbox fixture (conftest.py) starts from the test module's SEED.
from roles_sandbox import SEED  # noqa: F401  pylint: disable=unused-import

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FILES = os.path.join(HERE, "files")
PLAYBOOKS = os.path.join(REPO, "playbooks")

NASTY = "<img src=x onerror=alert(1)>@evil.example"


# make test runs these on the lowest supported ansible-core too (stage integration-core-lowest).
pytestmark = pytest.mark.core_matrix


def play(name):
    return "- ansible.builtin.import_playbook: %s\n" % os.path.join(PLAYBOOKS, name)


def result(run, name):
    """The result of the last task whose name (without the role prefix) is ``name``."""
    found = [entry for entry in run.results if entry["task"].split(" : ")[-1] == name]
    assert found, "task %r did not run; output:\n%s" % (name, run.output[-4000:])
    return found[-1]["result"]


def changed_tasks(run):
    return [entry["task"] for entry in run.results if entry["result"].get("changed")]


def test_onboarding_check_apply_rerun(sandbox, run_playbook):
    fresh(sandbox)
    extra = dict(endpoints(sandbox),
                 people="dara.novak@example.com=dara@contoso.com, eli.silva@example.com=eli@contoso.com",
                 datadog_products="incident_response, apm_pro",
                 msstore_products="9NBLGGH4R2R6/0016")
    before = holders(sandbox.state())

    check = run_playbook(play("onboard.yml"), check=True, extra_vars=extra, env=CREDENTIALS)
    assert check.rc == 0, check.output[-3000:]
    assert writes(sandbox) == {}, "check mode wrote to an API"
    assert holders(sandbox.state()) == before
    predicted = result(check, "Assign the seats of new people, one call per product")
    assert predicted["mode"] == "check"
    assert [(r["platform"], r["product"]) for r in predicted["products"]] == [
        ("datadog", "apm_pro"), ("datadog", "incident_response"), ("msstore", "9NBLGGH4R2R6/0016")]
    assert all(r["changed"] for r in predicted["products"])
    assert "Would assign 4 Datadog and 2 Microsoft Store seat(s) to 2 people on 3 product(s)." in check.output

    apply = run_playbook(play("onboard.yml"), extra_vars=extra, env=CREDENTIALS)
    assert apply.rc == 0, apply.output[-3000:]
    datadog, store = holders(sandbox.state())
    assert {"dara.novak@example.com", "eli.silva@example.com"} <= set(datadog["incident_response"])
    assert {"dara.novak@example.com", "eli.silva@example.com"} <= set(datadog["apm_pro"])
    assert store["9NBLGGH4R2R6/0016"] == ["alice@contoso.com", "bob@contoso.com",
                                          "dara@contoso.com", "eli@contoso.com"]
    # Additive: nobody lost a seat.
    assert NASTY in datadog["incident_response"] and "ben.okafor@example.com" in datadog["apm_pro"]
    # One write call per product, each with both people: never one call per person.
    counts = writes(sandbox)
    assert counts.get("POST /api/v2/seats/users") == 2, counts
    assert sum(n for key, n in counts.items() if "/Seats" in key) == 1, counts

    assert "Assigned 4 Datadog and 2 Microsoft Store seat(s) to 2 people on 3 product(s)." in apply.output

    sandbox.clear_requests()
    again = run_playbook(play("onboard.yml"), extra_vars=extra, env=CREDENTIALS)
    assert again.rc == 0, again.output[-3000:]
    assert changed_tasks(again) == []
    assert writes(sandbox) == {}


def test_onboarding_unknown_person_fails_clearly(sandbox, run_playbook):
    fresh(sandbox)
    extra = dict(endpoints(sandbox), people="nobody@example.com", datadog_products="apm_pro")
    run = run_playbook(play("onboard.yml"), extra_vars=extra, env=CREDENTIALS)
    assert run.rc != 0
    assert "nobody@example.com" in run.output
    assert writes(sandbox) == {}


def test_reconcile_audit_then_apply(sandbox, run_playbook, tmp_path):
    fresh(sandbox)
    before = holders(sandbox.state())
    extra = dict(endpoints(sandbox), desired_state_file=os.path.join(FILES, "desired-state.yml"),
                 report_dir=str(tmp_path / "reports"))

    audit = run_playbook(play("reconcile.yml"), check=True, diff=True, extra_vars=extra,
                         env=CREDENTIALS)
    assert audit.rc == 0, audit.output[-3000:]
    assert writes(sandbox) == {}, "the audit wrote to an API"
    assert holders(sandbox.state()) == before
    reports = sorted(os.listdir(str(tmp_path / "reports")))
    # The report (HTML, JSON) and the audit's saved plan (docs/plans.md).
    assert len(reports) == 3 and reports[0].endswith("-check.html") and reports[1].endswith("-check.json")
    assert reports[2] == reports[1][:-len(".json")] + ".plan.json"
    report = json.loads((tmp_path / "reports" / reports[1]).read_text())
    assert report["mode"] == "check"
    by_product = {p["product"]: p for p in report["products"]}
    incident = by_product["incident_response"]
    assert incident["to_assign"] == ["dara.novak@example.com"]
    assert incident["to_reclaim"] == [NASTY]
    assert incident["holders_before"] == 3 and incident["holders_after"] == 3
    assert sorted(incident["holders"]) == sorted(before[0]["incident_response"])
    assert by_product["apm_pro"]["status"] == "in sync"
    restricted = by_product["9NBLGGH4R2R6/0016"]
    assert restricted["to_assign"] == ["carol@contoso.com"]
    assert restricted["to_reclaim"] == ["bob@contoso.com"]
    assert restricted["capacity"] == 5 and restricted["available_seats"] == 3
    assert report["totals"]["to_assign"] == 2 and report["totals"]["to_reclaim"] == 2
    assert report["totals"]["with_errors"] == 0
    # The report path is printed at the end.
    assert str(tmp_path / "reports" / reports[0]) in audit.output

    html = (tmp_path / "reports" / reports[0]).read_text()
    assert "<img src=x" not in html and "<script>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;@evil.example" in html
    assert "Audit (check mode): nothing was changed" in html

    apply = run_playbook(play("reconcile.yml"), extra_vars=extra, env=CREDENTIALS)
    assert apply.rc == 0, apply.output[-3000:]
    datadog, store = holders(sandbox.state())
    assert datadog["incident_response"] == ["ana.lima@example.com", "breakglass@example.com",
                                            "dara.novak@example.com"]
    assert store == {"9NBLGGH4R2R6/0016": ["alice@contoso.com", "carol@contoso.com"],
                     "CFQ7TTC0K5DR/0001": ["alice@contoso.com"]}
    applied = json.loads(sorted((tmp_path / "reports").glob("*-apply.json"))[0].read_text())
    assert applied["mode"] == "apply"
    assert applied["totals"]["to_assign"] == 2 and applied["totals"]["to_reclaim"] == 2


def test_reconcile_guard_refusal_is_reported_and_fails_at_the_end(sandbox, run_playbook, tmp_path):
    fresh(sandbox)
    desired = {"datadog": [{"product_code": "apm_pro", "users": [], "max_reclaims": 0},
                           {"product_code": "incident_response", "max_reclaims": 1,
                            "users": ["ana.lima@example.com", "breakglass@example.com"]}]}
    desired_file = tmp_path / "desired.yml"
    desired_file.write_text(yaml.safe_dump(desired))
    extra = dict(endpoints(sandbox), desired_state_file=str(desired_file),
                 report_dir=str(tmp_path / "reports"))
    run = run_playbook(play("reconcile.yml"), check=True, extra_vars=extra, env=CREDENTIALS)
    assert run.rc != 0
    assert "1 product(s) had errors" in run.output and "apm_pro" in run.output
    report = json.loads(sorted((tmp_path / "reports").glob("*.json"))[0].read_text())
    by_product = {p["product"]: p for p in report["products"]}
    assert by_product["apm_pro"]["status"] == "error"
    assert "Refusing to reclaim 2 of 2 seats of apm_pro" in by_product["apm_pro"]["error"]
    assert by_product["apm_pro"]["max_reclaims"] == "0"
    assert by_product["incident_response"]["status"] == "changes"
    assert by_product["incident_response"]["to_reclaim"] == [NASTY]
    assert writes(sandbox) == {}


def test_reconcile_rejects_a_bad_desired_state_before_any_call(sandbox, run_playbook, tmp_path):
    fresh(sandbox)
    extra = dict(endpoints(sandbox), desired_state_file=os.path.join(FILES, "desired-state-invalid.yml"),
                 report_dir=str(tmp_path / "reports"))
    run = run_playbook(play("reconcile.yml"), extra_vars=extra, env=CREDENTIALS)
    assert run.rc != 0
    message = result(run, "Reconcile seats with the desired state and write the report")["msg"]
    for expected in (
        "datadog[0].product_code 'incident response' is not a valid product code",
        "datadog[0].users must be a list of names",
        "datadog[1].product_code is empty (null or blank)",
        "datadog[1].max_reclaims must be a whole number or a percentage",
        "datadog[2] (apm_pro): unknown field colour",
        "datadog[2] (apm_pro): ana.lima@example.com listed in both users and protected",
        "msstore[0].sku_id must be a 4-digit string such as '0016', but it is the number 16",
        "msstore[1].product_id must be the 12-character alphanumeric Store id",
        "msstore[1].users is required",
    ):
        assert expected in message, (expected, message)
    assert sandbox.requests()["total"] == 0
    assert not (tmp_path / "reports").exists()


def test_offboarding_record_rerun_and_restore(sandbox, run_playbook, tmp_path):
    fresh(sandbox)
    # alice holds both Store products and two Datadog products; bob one of each.
    record = tmp_path / "record.json"
    extra = dict(endpoints(sandbox), people="ana.lima@example.com=alice@contoso.com, "
                                            "ben.okafor@example.com=bob@contoso.com, ghost@example.com",
                 datadog_products="incident_response, apm_pro", record_path=str(record))
    before = holders(sandbox.state())

    check = run_playbook(play("offboard.yml"), check=True, extra_vars=extra, env=CREDENTIALS)
    assert check.rc == 0, check.output[-3000:]
    assert writes(sandbox) == {} and not record.exists()
    assert "Would reclaim 6 seat(s) of 3 leaver(s)" in check.output

    sandbox.clear_requests()
    off = run_playbook(play("offboard.yml"), extra_vars=extra, env=CREDENTIALS)
    assert off.rc == 0, off.output[-3000:]
    datadog, store = holders(sandbox.state())
    assert datadog == {"incident_response": sorted(["breakglass@example.com", NASTY]), "apm_pro": []}
    assert store == {"9NBLGGH4R2R6/0016": [], "CFQ7TTC0K5DR/0001": []}
    # One reclaim call per product (all leavers at once), never per person.
    counts = writes(sandbox)
    assert counts.get("DELETE /api/v2/seats/users") == 2, counts
    assert sum(n for key, n in counts.items() if "/Seats" in key) == 2, counts

    saved = json.loads(record.read_text())
    assert saved["format"] == "seatops.seats.offboarding_record/2"
    assert saved["reclaimed_count"] == 6 and len(saved["runs"]) == 1
    run = saved["runs"][0]
    assert run["reclaimed_count"] == 6 and run["errors"] == []
    assert [(p["product_code"], sorted(u["email"] for u in p["users"])) for p in run["datadog"]] == [
        ("incident_response", ["ana.lima@example.com"]),
        ("apm_pro", ["ana.lima@example.com", "ben.okafor@example.com"])]
    assert all(u["id"] for p in run["datadog"] for u in p["users"])
    assert [(p["product_id"], p["sku_id"], p["users"]) for p in run["msstore"]] == [
        ("9NBLGGH4R2R6", "0016", ["alice@contoso.com", "bob@contoso.com"]),
        ("CFQ7TTC0K5DR", "0001", ["alice@contoso.com"])]
    assert {p["email"] for p in run["people"]} == {"ana.lima@example.com", "ben.okafor@example.com",
                                                   "ghost@example.com"}
    assert run["reclaimed_at"].endswith("Z")
    assert oct(os.stat(str(record)).st_mode & 0o777) == "0o600"

    # Re-running reclaims nothing and keeps the record of the run that did.
    recorded = record.read_text()
    sandbox.clear_requests()
    again = run_playbook(play("offboard.yml"), extra_vars=extra, env=CREDENTIALS)
    assert again.rc == 0, again.output[-3000:]
    assert changed_tasks(again) == [] and writes(sandbox) == {}
    assert record.read_text() == recorded
    assert "Reclaimed 0 seat(s) of 3 leaver(s)" in again.output
    assert "Nothing to reclaim; no record written" in again.output

    restore = run_playbook(play("offboard.yml"), env=CREDENTIALS,
                           extra_vars=dict(endpoints(sandbox), restore=True, record_path=str(record)))
    assert restore.rc == 0, restore.output[-3000:]
    assert holders(sandbox.state()) == before


def test_reconcile_refuses_an_unusable_report_dir_before_any_call(sandbox, run_playbook, tmp_path):
    fresh(sandbox)
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the report directory should go\n")
    extra = dict(endpoints(sandbox), desired_state_file=os.path.join(FILES, "desired-state.yml"),
                 report_dir=str(blocker / "reports"))
    run = run_playbook(play("reconcile.yml"), extra_vars=extra, env=CREDENTIALS)
    assert run.rc != 0
    message = result(run, "Reconcile seats with the desired state and write the report")["msg"]
    assert message.startswith("report_dir %s cannot be created" % (blocker / "reports")), message
    assert "nothing was read or changed" in message
    assert sandbox.requests()["total"] == 0


def test_boolean_role_variables_given_as_strings(sandbox, run_playbook, tmp_path):
    """-e offboarding_restore=false (a string, as extra vars and AWX surveys give it) and the
    other boolean role variables mean what they say on every supported ansible-core."""
    fresh(sandbox)
    before_datadog, _store = holders(sandbox.state())
    playbook = [{"hosts": "localhost", "gather_facts": False, "roles": ["seatops.seats.offboarding"]}]
    extra = {"offboarding_people": [{"email": "ana.lima@example.com", "upn": "alice@contoso.com"}],
             "offboarding_datadog_products": ["apm_pro"], "offboarding_restore": "false",
             "offboarding_datadog": "false", "offboarding_msstore": "true",
             "offboarding_record_path": str(tmp_path / "record.json"),
             "offboarding_datadog_api_url": sandbox.url, "offboarding_msstore_api_url": sandbox.store_url,
             "offboarding_msstore_auth_url": sandbox.url}
    run = run_playbook(playbook, extra_vars=extra, env=CREDENTIALS)
    assert run.rc == 0, run.output[-3000:]
    datadog, store = holders(sandbox.state())
    assert datadog == before_datadog, "offboarding_datadog='false' still reclaimed Datadog seats"
    assert store == {"9NBLGGH4R2R6/0016": ["bob@contoso.com"], "CFQ7TTC0K5DR/0001": []}
    saved = json.loads((tmp_path / "record.json").read_text())
    assert saved["runs"][0]["datadog"] == [] and len(saved["runs"][0]["msstore"]) == 2

    restore = run_playbook(playbook, env=CREDENTIALS, extra_vars=dict(extra, offboarding_restore="true"))
    assert restore.rc == 0, restore.output[-3000:]
    assert holders(sandbox.state())[1] == {"9NBLGGH4R2R6/0016": ["alice@contoso.com", "bob@contoso.com"],
                                           "CFQ7TTC0K5DR/0001": ["alice@contoso.com"]}


def test_credentials_in_module_defaults_reach_every_action(sandbox, run_playbook, tmp_path):
    """The playbooks' module_defaults (credentials as extra variables, none in the
    environment) reach the seat modules the actions run, on every supported ansible-core
    (2.16 - 2.18 take another path to module_defaults than 2.19)."""
    fresh(sandbox)
    extra = dict(endpoints(sandbox), seatops_datadog_api_key=CREDENTIALS["DD_API_KEY"],
                 seatops_datadog_app_key=CREDENTIALS["DD_APP_KEY"],
                 seatops_msstore_tenant_id=CREDENTIALS["AZURE_TENANT_ID"],
                 seatops_msstore_client_id=CREDENTIALS["AZURE_CLIENT_ID"],
                 seatops_msstore_client_secret=CREDENTIALS["AZURE_CLIENT_SECRET"])
    audit = run_playbook(play("reconcile.yml"), check=True, env={}, extra_vars=dict(
        extra, desired_state_file=os.path.join(FILES, "desired-state.yml"), report_dir=str(tmp_path / "reports")))
    assert audit.rc == 0, audit.output[-3000:]
    assert result(audit, "Reconcile seats with the desired state and write the report")["totals"]["to_assign"] == 2
    onboard = run_playbook(play("onboard.yml"), check=True, env={}, extra_vars=dict(
        extra, people="dara.novak@example.com=dara@contoso.com", datadog_products="apm_pro",
        msstore_products="9NBLGGH4R2R6/0016"))
    assert onboard.rc == 0, onboard.output[-3000:]
    assert result(onboard, "Assign the seats of new people, one call per product")["assigned_count"] == 2
    offboard = run_playbook(play("offboard.yml"), check=True, env={}, extra_vars=dict(
        extra, people="ana.lima@example.com=alice@contoso.com", record_dir=str(tmp_path / "records")))
    assert offboard.rc == 0, offboard.output[-3000:]
    assert result(offboard, "Reclaim (or restore) the seats of leavers")["reclaimed_count"] == 3
    assert writes(sandbox) == {}
