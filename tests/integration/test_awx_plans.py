# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The AWX workflow of docs/awx.md with saved plans, through ansible-runner: the audit job
(check mode) publishes its plan with set_stats; after the approval node the apply job gets
the artifacts as extra variables and applies exactly the plan; a change between the two
jobs makes the apply refuse the product as stale."""

from __future__ import annotations

import pytest

pytest.importorskip("ansible_runner")

# The job runner and the private data directory of test_awx_runner.py (the same jobs AWX runs).
from test_awx_runner import SEED, SECRETS, assert_no_secret_in_artifacts, project, run_job, stats_artifact  # noqa: F401  pylint: disable=unused-import

SEAT_WRITES = ("POST /api", "DELETE /api", "POST /V1")
NASTY = "<img src=x onerror=alert(1)>@evil.example"
RESTRICTED = "9NBLGGH4R2R6/0016"


def seat_writes(sandbox):
    return dict((key, count) for key, count in sandbox.requests()["counts"].items() if key.startswith(SEAT_WRITES))


def audit_job(project, sandbox):
    audit = run_job(project, sandbox, "playbooks/reconcile.yml",
                    {"desired_state_file": "files/seats.yml"}, cmdline="--check --diff")
    assert audit.status == "successful", audit.stdout.read()[-3000:]
    assert seat_writes(sandbox) == {}
    artifacts = stats_artifact(audit)
    plan = artifacts["reconcile_plan"]
    assert plan["format"] == "seatops.seats.reconcile_plan/1"
    assert artifacts["reconcile_summary"]["plan_file"].endswith(".plan.json")
    assert plan["totals"]["to_assign"] == 2 and plan["totals"]["to_reclaim"] == 2
    text = repr(plan)
    assert not any(secret in text for secret in SECRETS)
    assert_no_secret_in_artifacts(project, audit)
    return artifacts


def test_audit_approve_apply_makes_exactly_the_planned_calls(sandbox, project):
    sandbox.reset()
    sandbox.seed(SEED)
    sandbox.clear_requests()
    artifacts = audit_job(project, sandbox)
    # The approval node passes the audit's artifacts on; the desired-state file in the project
    # may change meanwhile: the apply job does what was approved.
    (project / "project" / "playbooks" / "files" / "seats.yml").write_text("datadog: []\n")
    apply = run_job(project, sandbox, "playbooks/reconcile.yml", dict(artifacts))
    assert apply.status == "successful", apply.stdout.read()[-3000:]
    assert seat_writes(sandbox) == {"POST /api/v2/seats/users": 1, "DELETE /api/v2/seats/users": 1,
                                    "POST /V1/Inventory/{productId}/{skuId}/Seats": 2}
    summary = stats_artifact(apply)["reconcile_summary"]
    assert summary["mode"] == "apply" and summary["plan_file"].startswith("(inline plan ")
    planned = dict((product["product"], product["plan"]) for product in summary["products"])
    assert planned["incident_response"] == {"planned_assign": 1, "planned_reclaim": 1, "done": 2,
                                            "done_by_others": 0, "not_done": 0, "stale": False}
    assert planned["apm_pro"]["planned_assign"] == 0 and planned["apm_pro"]["done"] == 0
    state = sandbox.state()
    assert sorted(h["email"] for h in state["datadog"]["products"]["incident_response"]["holders"]) == [
        "ana.lima@example.com", "breakglass@example.com", "dara.novak@example.com"]
    assert state["msstore"]["tenants"]["contoso.onmicrosoft.com"]["products"][RESTRICTED]["holders"] == [
        "alice@contoso.com", "carol@contoso.com"]
    assert_no_secret_in_artifacts(project, apply)


def test_a_change_between_audit_and_apply_is_refused_as_stale(sandbox, project):
    sandbox.reset()
    sandbox.seed(SEED)
    sandbox.clear_requests()
    artifacts = audit_job(project, sandbox)
    # Somebody gives a seat of incident_response while the approval waits.
    (project / "project" / "playbooks" / "out_of_band.yml").write_text(
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - name: Somebody else assigns a seat\n"
        "      seatops.seats.datadog_seats:\n"
        "        product_code: incident_response\n        users: [chen.wei@example.com]\n"
        "        api_url: '{{ seatops_datadog_api_url }}'\n")
    change = run_job(project, sandbox, "playbooks/out_of_band.yml", {})
    assert change.status == "successful", change.stdout.read()[-3000:]
    sandbox.clear_requests()

    apply = run_job(project, sandbox, "playbooks/reconcile.yml", dict(artifacts))
    assert apply.status == "failed"
    summary = stats_artifact(apply)["reconcile_summary"]
    by_product = dict((product["product"], product) for product in summary["products"])
    assert by_product["incident_response"]["plan"]["stale"] is True
    assert "refused as stale" in by_product["incident_response"]["error"]
    assert "3 held a seat when the plan was made, 4 now" in by_product["incident_response"]["error"]
    # Nothing written on the stale product; the Store's planned changes went through.
    assert seat_writes(sandbox) == {"POST /V1/Inventory/{productId}/{skuId}/Seats": 2}
    holders = sorted(h["email"] for h in sandbox.state()["datadog"]["products"]["incident_response"]["holders"])
    assert holders == sorted(["ana.lima@example.com", "breakglass@example.com", "chen.wei@example.com", NASTY])
    assert "incident_response" in apply.stdout.read()
