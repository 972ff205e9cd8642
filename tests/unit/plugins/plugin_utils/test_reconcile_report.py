# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
import os

from ansible_collections.seatops.seats.plugins.plugin_utils import _reconcile_report as reconcile_report

TEMPLATE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "roles", "reconcile", "templates",
                        "reconcile_report.html.j2")

DD_ENTRY = {"product_code": "apm_pro", "users": ["a@example.com", "b@example.com"], "protected": ["bot@example.com"]}
DD_RESULT = {"changed": True, "assigned": [{"id": "u-b", "email": "b@example.com"}],
             "reclaimed": [{"id": "u-c", "email": None}], "unchanged": 1, "holders_count": 2,
             "skipped_users": [], "failed_users": [], "api_calls": {"GET /api/v2/seats/users": 1, "total": 1},
             "diff": {"before": {"holders": ["a@example.com", "u-c"]}, "after": {"holders": ["a@example.com", "b@example.com"]}}}
MS_ENTRY = {"product_id": "9NBLGGH4R2R6", "sku_id": "0016", "users": ["alice@contoso.com"], "max_reclaims": 1}
MS_RESULT = {"failed": True, "msg": "Refusing to reclaim 3 of 4 seats", "changed": False}
INVENTORY = [{"product_id": "9nblggh4r2r6", "sku_id": "0016", "seat_capacity": 5, "available_seats": 1,
              "license_type": "Online", "distribution_policy": "Restricted"}]


def build():
    return reconcile_report.build_report([("datadog", DD_ENTRY, DD_RESULT), ("msstore", MS_ENTRY, MS_RESULT)],
                                         {"msstore": INVENTORY}, "10%", "2026-11-22T10:00:00Z", "check", "desired.yml")


def test_rows_and_totals_come_from_the_module_results():
    report = build()
    assert report["format"] == "seatops.seats.reconcile_report/1" and report["diff"] is True
    datadog, store = report["products"]
    assert datadog["status"] == "changes" and datadog["to_assign"] == ["b@example.com"]
    assert datadog["to_reclaim"] == ["u-c"]            # no email: the id stands in
    assert datadog["holders_before"] == 2 and datadog["holders_after"] == 2
    assert datadog["holders"] == ["a@example.com", "u-c"] and datadog["max_reclaims"] == "10%"
    assert store["status"] == "error" and store["error"] == "Refusing to reclaim 3 of 4 seats"
    assert store["capacity"] == 5 and store["available_seats"] == 1 and store["max_reclaims"] == "1"
    assert store["holders_before"] is None
    assert report["totals"] == {"products": 2, "in_sync": 0, "with_changes": 1, "with_errors": 1,
                                "holders_before": 2, "holders_after": 2, "to_assign": 1, "to_reclaim": 1,
                                "kept_in_grace": 0, "above_max_holders": 0, "skipped": 0, "failed": 0}


def test_per_user_failures_count_as_errors_and_in_sync_is_recognised():
    failed = dict(DD_RESULT, assigned=[], reclaimed=[], failed_users=[{"user": "b@example.com", "reason": "422"}])
    report = reconcile_report.build_report([("datadog", DD_ENTRY, failed)], {}, "10%", "t", "apply", "inline")
    assert report["products"][0]["status"] == "in sync"
    assert report["totals"]["with_errors"] == 1 and report["totals"]["failed"] == 1


def test_summary_is_counts_only():
    summary = reconcile_report.summary(build())
    assert summary[0] == {"platform": "datadog", "product": "apm_pro", "status": "changes", "to_assign": 1,
                          "to_reclaim": 1, "kept_in_grace": 0, "skipped": 0, "failed": 0, "holders_after": 2,
                          "max_holders": None, "above_max_holders": None, "available_seats": None, "error": None,
                          "api_calls": {"GET /api/v2/seats/users": 1, "total": 1}}
    assert json.loads(reconcile_report.to_json(build()))["totals"]["products"] == 2


def test_html_escapes_names_and_shows_the_mode():
    result = dict(DD_RESULT, assigned=[{"id": "x", "email": "<script>alert(1)</script>@evil.example"}])
    report = reconcile_report.build_report([("datadog", DD_ENTRY, result)], {}, "10%", "t", "check", "d.yml")
    with open(TEMPLATE) as handle:
        html = reconcile_report.render_html(handle.read(), report)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;@evil.example" in html
    assert "Audit (check mode): nothing was changed" in html


def test_the_ceiling_and_the_grace_period_are_reported_apart_from_drift():
    kept = [{"user": "sam@example.com", "assigned_at": "2026-11-27T22:14:03Z"}]
    in_grace = dict(DD_RESULT, assigned=[], reclaimed=[], holders_count=7, kept_in_grace=kept)
    above = dict(DD_RESULT, failed=True, msg="Refusing to end with 9 holders of on_call: max_holders is 5.",
                 assigned=[], reclaimed=[], holders_count=6)
    report = reconcile_report.build_report(
        [("datadog", dict(DD_ENTRY, max_holders=10, grace_days=3), in_grace),
         ("datadog", dict(DD_ENTRY, product_code="on_call", max_holders=5), above)],
        {}, "10%", "t", "check", "d.yml", default_grace_days=1)
    quiet, refused = report["products"]
    assert quiet["status"] == "in sync" and quiet["kept_in_grace"] == kept and quiet["grace_days"] == 3
    assert quiet["max_holders"] == 10 and quiet["above_max_holders"] == 0
    assert refused["status"] == "error" and refused["grace_days"] == 1
    assert refused["holders_after"] == 6 and refused["above_max_holders"] == 1
    assert report["totals"]["kept_in_grace"] == 1 and report["totals"]["above_max_holders"] == 1
    with open(TEMPLATE) as handle:
        html = reconcile_report.render_html(handle.read(), report)
    assert "sam@example.com</strong> &mdash; seat since 2026-11-27T22:14:03Z" in html
    assert "Kept: assigned within 3 day(s) (1)" in html
    assert "1 above" in html and "product(s) above their ceiling" in html
