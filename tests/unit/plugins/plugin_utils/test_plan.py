# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Saved plans: built from check-mode results, checked before any call, and what became of
each planned change after an apply."""

from __future__ import annotations

import datetime
import json

import pytest

from ansible_collections.seatops.seats.plugins.plugin_utils import _plan as plans

NOW = datetime.datetime(2026, 11, 28, 12, 0, 0, tzinfo=datetime.timezone.utc)
DIGEST = "a" * 64
ANA = {"id": "11111111-1111-4111-8111-111111111111", "email": "ana@example.com"}
BEN = {"id": "22222222-2222-4222-8222-222222222222", "email": "ben@example.com"}
DEFAULTS = {"max_reclaims": "10%", "grace_days": 0, "unknown_users": "warn"}


def make_plan(**changes):
    entry = {"product_code": "incident_response", "users": ["ana@example.com"], "protected": ["bg@example.com"],
             "max_reclaims": 1}
    result = {"assigned": [ANA], "reclaimed": [BEN], "holders_count": 2, "holders_digest": DIGEST,
              "kept_in_grace": [], "skipped_users": [{"user": "ghost@example.com", "reason": "nobody"}]}
    store_entry = {"product_id": "9NBLGGH4R2R6", "sku_id": "0016", "users": []}
    store_result = {"failed": True, "msg": "Refusing to reclaim", "holders_count": 3, "holders_digest": DIGEST,
                    "assigned": [], "reclaimed": []}
    plan = plans.build_plan([("datadog", entry, result), ("msstore", store_entry, store_result)], DEFAULTS,
                            {"datadog": [entry]}, "desired.yml", NOW - datetime.timedelta(hours=1), "1.0.0",
                            {"controller_user": "ops", "collection_version": "1.0.0"})
    plan.update(changes)
    return plan


def redigest(plan):
    plan.pop("digest", None)
    plan["digest"] = plans.sha256(plans.canonical(plan))
    return plan


def test_a_plan_says_per_product_what_the_audit_would_do():
    plan = make_plan()
    assert plan["format"] == "seatops.seats.reconcile_plan/1" and plan["created_at"] == "2026-11-28T11:00:00Z"
    assert plan["made_by"] == {"controller_user": "ops"} and plan["collection_version"] == "1.0.0"
    datadog, store = plan["products"]
    assert datadog["to_assign"] == [ANA] and datadog["to_reclaim"] == [BEN] and datadog["holders_count"] == 2
    assert datadog["guards"] == {"max_reclaims": "1", "grace_days": 0, "max_holders": None}
    assert datadog["skipped"] == [{"user": "ghost@example.com", "reason": "nobody"}]
    assert datadog["protected"] == ["bg@example.com"] and datadog["label"] == "incident_response"
    # A product the audit refused plans no change.
    assert store["error"] == "Refusing to reclaim" and store["to_assign"] == [] and store["holders_count"] == 3
    assert plan["totals"] == {"products": 2, "with_changes": 1, "with_errors": 1, "to_assign": 1, "to_reclaim": 1}
    assert plans.check(json.loads(plans.to_json(plan)), "p.json", "1.0.0", NOW, 24) == plan


@pytest.mark.parametrize("change, message", [
    (lambda plan: plan["products"][0]["to_assign"].append(BEN), "digest does not match"),
    (lambda plan: redigest(dict(plan, format="x")), "format is 'x', not seatops.seats.reconcile_plan/1"),
    (lambda plan: redigest(dict(plan, collection_version="0.9.0")),
     "was made by seatops.seats 0.9.0, and this is seatops.seats 1.0.0"),
    (lambda plan: redigest(dict(plan, created_at="2026-11-27T11:59:00Z")), "24.0 hours ago"),
    (lambda plan: redigest(dict(plan, created_at="2026-11-28T13:00:00Z")), "is in the future"),
    (lambda plan: redigest(dict(plan, created_at="yesterday")), "created_at 'yesterday' is not a time"),
    (lambda plan: redigest(dict(plan, products=[dict(plan["products"][0], platform="zendesk")])),
     "products[0].platform 'zendesk' is not one of datadog, msstore, github"),
    (lambda plan: redigest(dict(plan, products=[dict(plan["products"][0], holders_digest="x")])),
     "products[0].holders_digest must be a sha256 digest"),
    (lambda plan: redigest(dict(plan, products=[dict(plan["products"][1], error=None, to_assign=["not a upn"])])),
     "products[0].to_assign[0] 'not a upn'"),
    (lambda plan: redigest(dict(plan, products=[dict(plan["products"][0], product={"product_code": "12"})])),
     "products[0].product.product_code"),
])
def test_a_plan_that_must_not_be_applied_is_refused_naming_why(change, message):
    plan = make_plan()
    changed = change(plan) or plan
    with pytest.raises(plans.PlanError) as caught:
        plans.check(changed, "p.json", "1.0.0", NOW, 24)
    assert message in str(caught.value) and "plan_file p.json" in str(caught.value)


def test_an_inline_plan_is_named_as_such():
    with pytest.raises(plans.PlanError, match=r"^plan \(inline\) is not a plan"):
        plans.check([], None, "1.0.0", NOW, 24)


def test_load_names_the_file(tmp_path):
    with pytest.raises(plans.PlanError, match="cannot be read"):
        plans.load(str(tmp_path / "none.json"))
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(plans.PlanError, match="is not JSON"):
        plans.load(str(tmp_path / "bad.json"))


def test_outcome_all_done():
    product = make_plan()["products"][0]
    outcome = plans.outcome(product, {"reclaimed": [BEN]}, {"assigned": [ANA]}, "refuse")
    assert outcome == {"planned_assign": ["ana@example.com"], "planned_reclaim": ["ben@example.com"],
                       "done": ["ben@example.com", "ana@example.com"], "done_by_others": [], "not_done": [],
                       "stale": None}


def test_outcome_done_by_someone_else_failed_and_skipped():
    product = make_plan()["products"][0]
    outcome = plans.outcome(product, {"reclaimed": []},
                            {"assigned": [], "skipped_users": [{"user": ANA["id"], "reason": "disabled"}]}, "apply_rest")
    assert outcome["done_by_others"] == ["ben@example.com"]
    assert outcome["not_done"] == [{"user": "ana@example.com", "reason": "disabled"}]


def test_outcome_stale_refusal_stops_the_product():
    product = make_plan()["products"][0]
    refused = {"failed": True, "holders_digest": "b" * 64, "holders_count": 2,
               "msg": "The holders of incident_response changed since the plan was made (expect_holders_digest)"}
    outcome = plans.outcome(product, refused, None, "refuse")
    assert outcome["stale"].startswith("refused as stale: the holders of incident_response changed since the plan")
    assert "2 held a seat when the plan was made, 2 now: the same number" in outcome["stale"]
    assert outcome["not_done"] == [{"user": "ben@example.com", "reason": "refused as stale"},
                                   {"user": "ana@example.com", "reason": "refused as stale"}]
    merged = plans.merged_result(product, refused, None, outcome)
    assert merged["failed"] is True and merged["msg"] == outcome["stale"]
    assert plans.summary(outcome) == {"planned_assign": 1, "planned_reclaim": 1, "done": 0, "done_by_others": 0,
                                      "not_done": 2, "stale": True}


def test_merged_result_adds_both_calls_up():
    product = make_plan()["products"][0]
    merged = plans.merged_result(product, {"reclaimed": [BEN], "holders_count": 1, "api_calls": {"a": 1, "total": 1}},
                                 {"assigned": [ANA], "holders_count": 2, "api_calls": {"a": 1, "b": 1, "total": 2}},
                                 plans.outcome(product, {"reclaimed": [BEN]}, {"assigned": [ANA]}, "refuse"))
    assert merged["assigned"] == [ANA] and merged["reclaimed"] == [BEN] and merged["holders_count"] == 2
    assert merged["api_calls"] == {"a": 2, "b": 1, "total": 3} and "failed" not in merged
