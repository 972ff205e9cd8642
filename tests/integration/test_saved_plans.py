# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Saved plans (docs/plans.md) through the reconcile playbook, against the sandbox: an audit
writes the plan; an apply given it makes exactly the planned calls, refuses a product whose
holders moved since (or, with on_stale=apply_rest, does the rest of the plan), and refuses a
tampered, foreign or old plan before any call."""

from __future__ import annotations

import hashlib
import json
import os

import pytest
import yaml

from roles_sandbox import CREDENTIALS, endpoints, fresh, holders, writes
# The sandbox fixture (conftest.py) starts from the test module's SEED.
from roles_sandbox import SEED  # noqa: F401  pylint: disable=unused-import


def digest_of(plan):
    """The plan's digest as docs/plans.md defines it: sha256 of the canonical JSON of the rest."""
    rest = dict((key, value) for key, value in plan.items() if key != "digest")
    text = json.dumps(rest, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FILES = os.path.join(HERE, "files")
PLAYBOOK = "- ansible.builtin.import_playbook: %s\n" % os.path.join(REPO, "playbooks", "reconcile.yml")
NASTY = "<img src=x onerror=alert(1)>@evil.example"
STORE = "contoso.onmicrosoft.com"
RESTRICTED = "9NBLGGH4R2R6/0016"

# make test runs these on the lowest supported ansible-core too (stage integration-core-lowest).
pytestmark = pytest.mark.core_matrix


def reconcile_result(run):
    found = [entry for entry in run.results if entry["task"].endswith("Reconcile seats with the desired state and write the report")]
    assert found, run.output[-4000:]
    return found[-1]["result"]


def audit(sandbox, run_playbook, tmp_path, desired=None):
    extra = dict(endpoints(sandbox), desired_state_file=desired or os.path.join(FILES, "desired-state.yml"),
                 report_dir=str(tmp_path / "reports"), report_name="audit")
    run = run_playbook(PLAYBOOK, check=True, diff=True, extra_vars=extra, env=CREDENTIALS)
    assert run.rc == 0, run.output[-3000:]
    return run, str(tmp_path / "reports" / "audit.plan.json")


def apply(sandbox, run_playbook, tmp_path, plan_file, name="apply", **extra):
    extra = dict(endpoints(sandbox), plan_file=plan_file, report_dir=str(tmp_path / "reports"),
                 report_name=name, **extra)
    return run_playbook(PLAYBOOK, extra_vars=extra, env=CREDENTIALS)


def test_the_audit_writes_a_plan_of_exactly_its_changes_and_no_secret(sandbox, run_playbook, tmp_path):
    fresh(sandbox)
    run, path = audit(sandbox, run_playbook, tmp_path)
    assert writes(sandbox) == {}
    result = reconcile_result(run)
    assert result["plan_file"] == path and "Plan: %s" % path in run.output
    text = open(path).read()
    for secret in CREDENTIALS.values():
        if secret != STORE:  # the tenant is a name, not a secret
            assert secret not in text
    assert sandbox.url not in text
    plan = json.loads(text)
    assert plan["format"] == "seatops.seats.reconcile_plan/1"
    assert plan["digest"] == digest_of(plan)
    assert plan["collection_version"] and plan["created_at"].endswith("Z")
    assert plan["desired_state"]["name"] == "desired-state.yml" and len(plan["desired_state"]["digest"]) == 64
    assert plan["totals"] == {"products": 4, "with_changes": 2, "with_errors": 0, "to_assign": 2, "to_reclaim": 2}
    by_label = {product["label"]: product for product in plan["products"]}
    incident = by_label["incident_response"]
    assert [person["email"] for person in incident["to_assign"]] == ["dara.novak@example.com"]
    assert [person["email"] for person in incident["to_reclaim"]] == [NASTY]
    assert incident["protected"] == ["breakglass@example.com"] and incident["holders_count"] == 3
    assert incident["guards"] == {"max_reclaims": "1", "grace_days": 0, "max_holders": None}
    assert len(incident["holders_digest"]) == 64
    assert by_label[RESTRICTED]["to_assign"] == ["carol@contoso.com"]
    assert by_label[RESTRICTED]["to_reclaim"] == ["bob@contoso.com"]
    assert by_label["apm_pro"]["to_assign"] == [] and by_label["apm_pro"]["to_reclaim"] == []
    # The report says where the plan is.
    report = json.loads((tmp_path / "reports" / "audit.json").read_text())
    assert report["run"]["plan_file"] == path


def test_the_apply_makes_exactly_the_planned_calls_whatever_the_desired_state_says_now(sandbox, run_playbook, tmp_path):
    fresh(sandbox)
    desired = tmp_path / "desired.yml"
    desired.write_text(open(os.path.join(FILES, "desired-state.yml")).read())
    _run, path = audit(sandbox, run_playbook, tmp_path, str(desired))
    # The desired state changes after the audit: the approved plan is what is applied.
    desired.write_text(yaml.safe_dump({"datadog": [{"product_code": "apm_pro", "users": []}]}))
    sandbox.clear_requests()
    run = apply(sandbox, run_playbook, tmp_path, path)
    assert run.rc == 0, run.output[-3000:]
    # Per product with changes: one reclaim call and one assign call, nothing else written.
    assert writes(sandbox) == {"POST /api/v2/seats/users": 1, "DELETE /api/v2/seats/users": 1,
                               "POST /V1/Inventory/{productId}/{skuId}/Seats": 2}, writes(sandbox)
    datadog, store = holders(sandbox.state())
    assert datadog["incident_response"] == ["ana.lima@example.com", "breakglass@example.com", "dara.novak@example.com"]
    assert datadog["apm_pro"] == ["ana.lima@example.com", "ben.okafor@example.com"]
    assert store[RESTRICTED] == ["alice@contoso.com", "carol@contoso.com"]
    result = reconcile_result(run)
    assert result["plan_file"] == path
    incident = [p for p in result["products"] if p["product"] == "incident_response"][0]
    assert incident["plan"] == {"planned_assign": 1, "planned_reclaim": 1, "done": 2, "done_by_others": 0,
                                "not_done": 0, "stale": False}
    report = json.loads((tmp_path / "reports" / "apply.json").read_text())
    assert report["run"]["plan_file"] == path and report["plan"]["digest"] == json.load(open(path))["digest"]
    row = [r for r in report["products"] if r["product"] == "incident_response"][0]
    assert row["plan"]["done"] == ["dara.novak@example.com", NASTY] or sorted(row["plan"]["done"]) == sorted(
        ["dara.novak@example.com", NASTY])


def out_of_band(run_playbook, sandbox, product_code, users, state="present"):
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": [{
        "name": "somebody else changes the seats",
        "seatops.seats.datadog_seats": {"product_code": product_code, "users": users, "state": state,
                                        "api_url": sandbox.url}}]}]
    run = run_playbook(play, env=CREDENTIALS)
    assert run.rc == 0, run.output[-3000:]


def test_a_product_whose_holders_moved_is_refused_as_stale_and_the_rest_applied(sandbox, run_playbook, tmp_path):
    fresh(sandbox)
    _run, path = audit(sandbox, run_playbook, tmp_path)
    nasty_id = [h["id"] for h in sandbox.state()["datadog"]["products"]["incident_response"]["holders"]
                if h["email"] == NASTY][0]
    out_of_band(run_playbook, sandbox, "incident_response", [nasty_id], state="absent")
    sandbox.clear_requests()
    run = apply(sandbox, run_playbook, tmp_path, path)
    assert run.rc != 0
    result = reconcile_result(run)
    by_product = {p["product"]: p for p in result["products"]}
    assert by_product["incident_response"]["plan"]["stale"] is True
    assert "refused as stale" in by_product["incident_response"]["error"]
    assert "3 held a seat when the plan was made, 2 now" in by_product["incident_response"]["error"]
    # Nothing written on the stale product; the Store product of the plan was applied.
    assert writes(sandbox) == {"POST /V1/Inventory/{productId}/{skuId}/Seats": 2}, writes(sandbox)
    datadog, store = holders(sandbox.state())
    assert datadog["incident_response"] == ["ana.lima@example.com", "breakglass@example.com"]
    assert store[RESTRICTED] == ["alice@contoso.com", "carol@contoso.com"]

    # apply_rest: the reclaim somebody else made is reported as theirs, the assignment is made.
    sandbox.clear_requests()
    rest = apply(sandbox, run_playbook, tmp_path, path, name="rest", on_stale="apply_rest")
    assert rest.rc == 0, rest.output[-3000:]
    incident = [p for p in reconcile_result(rest)["products"] if p["product"] == "incident_response"][0]
    assert incident["plan"] == {"planned_assign": 1, "planned_reclaim": 1, "done": 1, "done_by_others": 1,
                                "not_done": 0, "stale": False}
    report = json.loads((tmp_path / "reports" / "rest.json").read_text())
    row = [r for r in report["products"] if r["product"] == "incident_response"][0]
    assert row["plan"]["done_by_others"] == [NASTY] and row["plan"]["done"] == ["dara.novak@example.com"]
    datadog, store = holders(sandbox.state())
    assert datadog["incident_response"] == ["ana.lima@example.com", "breakglass@example.com", "dara.novak@example.com"]
    # The Store's planned changes were already made by the first apply: done by someone else.
    restricted = [p for p in reconcile_result(rest)["products"] if p["product"] == RESTRICTED][0]
    assert restricted["plan"]["done_by_others"] == 2 and restricted["plan"]["done"] == 0


def test_apply_rest_touches_nobody_outside_the_plan(sandbox, run_playbook, tmp_path):
    fresh(sandbox)
    _run, path = audit(sandbox, run_playbook, tmp_path)
    # Somebody gets a seat after the audit: the desired state would reclaim it, the plan does not know it.
    out_of_band(run_playbook, sandbox, "incident_response", ["chen.wei@example.com"])
    run = apply(sandbox, run_playbook, tmp_path, path, on_stale="apply_rest")
    assert run.rc == 0, run.output[-3000:]
    datadog, _store = holders(sandbox.state())
    assert datadog["incident_response"] == ["ana.lima@example.com", "breakglass@example.com",
                                            "chen.wei@example.com", "dara.novak@example.com"]


def rewrite(path, change, redigest=True):
    plan = json.load(open(path))
    change(plan)
    if redigest:
        plan["digest"] = digest_of(plan)
    with open(path, "w") as handle:
        json.dump(plan, handle)


@pytest.mark.parametrize("change, redigest, message", [
    (lambda plan: plan["products"][0]["to_assign"].append({"id": "x", "email": "chen.wei@example.com"}), False,
     "digest does not match the plan's content"),
    (lambda plan: plan.update(collection_version="0.0.1"), True, "was made by seatops.seats 0.0.1"),
    (lambda plan: plan.update(created_at="2020-01-01T00:00:00Z"), True, "older than plan_max_age_hours (24"),
    (lambda plan: plan.update(format="seatops.seats.reconcile_plan/2"), True, "not seatops.seats.reconcile_plan/1"),
    (lambda plan: plan["products"][0]["to_assign"].append({"id": "x"}), True,
     "products[0].to_assign[1] must be a mapping with the user UUID as id"),
], ids=["tampered", "other-version", "too-old", "other-format", "bad-person"])
def test_a_plan_that_must_not_be_applied_is_refused_before_any_call(sandbox, run_playbook, tmp_path, change, redigest,
                                                                    message):
    fresh(sandbox)
    _run, path = audit(sandbox, run_playbook, tmp_path)
    rewrite(path, change, redigest)
    sandbox.clear_requests()
    run = apply(sandbox, run_playbook, tmp_path, path)
    assert run.rc != 0
    assert message in reconcile_result(run)["msg"], reconcile_result(run)["msg"]
    assert sandbox.requests()["total"] == 0


def test_bad_plan_options_are_refused_naming_the_field(sandbox, run_playbook, tmp_path):
    fresh(sandbox)
    run = apply(sandbox, run_playbook, tmp_path, str(tmp_path / "missing.plan.json"))
    assert run.rc != 0 and "plan_file %s cannot be read" % (tmp_path / "missing.plan.json") in reconcile_result(run)["msg"]
    _run, path = audit(sandbox, run_playbook, tmp_path)
    sandbox.clear_requests()
    run = apply(sandbox, run_playbook, tmp_path, path, plan_max_age_hours=-1)
    assert run.rc != 0 and "plan_max_age_hours must be a number of hours above 0" in reconcile_result(run)["msg"]
    assert sandbox.requests()["total"] == 0
