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
                                "kept_in_grace": 0, "above_max_holders": 0, "skipped": 0, "failed": 0,
                                "on_demand": 0, "priced": 0, "kept_seats": 0, "idle_reclaimed": 0,
                                "pending_cancellation": 0, "orphan_seats": 0}
    assert report["costs"] == [] and datadog["price"] is None and datadog["cost"] is None
    # A module that says nothing of kept, idle, pending or orphan seats: empty lists, no count.
    assert (datadog["kept_seats"], datadog["idle_reclaimed"], datadog["pending_cancellation"]) == ([], [], [])
    assert datadog["orphan_seats"] is None


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
                          "api_calls": {"GET /api/v2/seats/users": 1, "total": 1}, "kept_seats": 0,
                          "idle_reclaimed": 0, "pending_cancellation": 0, "orphan_seats": None}
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


# -- costs (issue 13 item 4) -------------------------------------------------------------------

EUR_MONTH = {"amount": 20, "currency": "eur", "period": "month"}
EUR_YEAR = {"amount": 100, "currency": "EUR", "period": "Year"}
USD_MONTH = {"amount": 12.5, "currency": "USD", "period": "month"}


def priced_report(mode="apply", context=None):
    """apm_pro (EUR a month): 4 holders, +1 -3 -> 2, ceiling 1 (1 on demand); the Store
    product (EUR a year): 7 holders, -1 -> 6; synthetics (USD): 3 holders, +2; incident_response:
    no price; on_call (EUR): failed before its holders were read."""
    runs = [
        ("datadog", dict(DD_ENTRY, price=EUR_MONTH, max_holders=1),
         dict(DD_RESULT, holders_count=2, assigned=[{"email": "b@example.com"}],
              reclaimed=[{"email": "c@example.com"}, {"email": "d@example.com"}, {"email": "e@example.com"}])),
        ("msstore", dict(MS_ENTRY, price=EUR_YEAR),
         {"changed": True, "assigned": [], "reclaimed": ["bob@contoso.com"], "holders_count": 6, "available_seats": 4}),
        ("datadog", dict(DD_ENTRY, product_code="synthetics", price=USD_MONTH),
         dict(DD_RESULT, holders_count=5, assigned=[{"email": "f@example.com"}, {"email": "g@example.com"}],
              reclaimed=[])),
        ("datadog", dict(DD_ENTRY, product_code="incident_response"), dict(DD_RESULT, assigned=[], reclaimed=[])),
        ("datadog", dict(DD_ENTRY, product_code="on_call", price=EUR_MONTH),
         {"failed": True, "msg": "GET /api/v2/seats/users failed (HTTP 503)"}),
    ]
    return reconcile_report.build_report(runs, {"msstore": INVENTORY}, "10%", "2026-11-29T04:00:00Z", mode,
                                         "desired.yml", context=context)


def test_a_priced_product_has_monthly_costs_before_and_after_and_the_saving():
    apm, store, synthetics, unpriced, on_call = priced_report()["products"]
    assert apm["price"] == {"amount": 20, "currency": "EUR", "period": "month", "monthly": 20.0}
    assert (apm["holders_before"], apm["holders_after"], apm["net_change"]) == (4, 2, -2)
    assert apm["cost"] == {"currency": "EUR", "monthly_before": 80.0, "monthly_after": 40.0, "monthly_saving": 40.0}
    # A year price counts as amount/12 a month, rounded to the cent only at the end.
    assert store["price"] == {"amount": 100, "currency": "EUR", "period": "year", "monthly": 8.33}
    assert store["cost"] == {"currency": "EUR", "monthly_before": 58.33, "monthly_after": 50.0, "monthly_saving": 8.33}
    # More seats: the saving is negative (the plan adds cost).
    assert synthetics["cost"] == {"currency": "USD", "monthly_before": 37.5, "monthly_after": 62.5,
                                  "monthly_saving": -25.0}
    assert unpriced["price"] is None and unpriced["cost"] is None and unpriced["net_change"] == 0
    assert on_call["price"]["currency"] == "EUR" and on_call["cost"] is None


def test_cost_totals_are_per_currency_and_never_add_currencies_together():
    report = priced_report()
    assert report["costs"] == [
        {"currency": "EUR", "products": 3, "without_figures": 1, "holders_before": 11, "holders_after": 8,
         "to_assign": 1, "to_reclaim": 4, "on_demand": 1,
         "monthly_before": 138.33, "monthly_after": 90.0, "monthly_saving": 48.33},
        {"currency": "USD", "products": 1, "without_figures": 0, "holders_before": 3, "holders_after": 5,
         "to_assign": 2, "to_reclaim": 0, "on_demand": 0,
         "monthly_before": 37.5, "monthly_after": 62.5, "monthly_saving": -25.0}]
    totals = report["totals"]
    assert totals["priced"] == 4 and totals["on_demand"] == 1
    assert (totals["holders_before"], totals["holders_after"], totals["to_assign"], totals["to_reclaim"]) == (
        16, 15, 3, 4)
    # The JSON keeps its format name and its earlier keys; set_stats' summary stays counts only.
    assert json.loads(reconcile_report.to_json(report))["format"] == "seatops.seats.reconcile_report/1"
    assert "cost" not in reconcile_report.summary(report)[0] and "costs" not in reconcile_report.summary(report)[0]


def test_on_demand_is_the_holders_above_the_ceiling_of_a_platform_without_stock():
    capped = dict(MS_ENTRY, max_holders=5)
    report = reconcile_report.build_report(
        [("datadog", dict(DD_ENTRY, max_holders=1), DD_RESULT),
         ("datadog", dict(DD_ENTRY, product_code="on_call"), DD_RESULT),
         ("msstore", capped, {"changed": False, "assigned": [], "reclaimed": [], "holders_count": 6})],
        {"msstore": INVENTORY}, "10%", "t", "check", "d.yml")
    capped_dd, uncapped, store = report["products"]
    assert (capped_dd["above_max_holders"], capped_dd["on_demand"]) == (1, 1)
    assert (uncapped["above_max_holders"], uncapped["on_demand"]) == (None, None)
    assert (store["above_max_holders"], store["on_demand"]) == (1, None)     # the Store has stock: not on demand
    assert report["totals"]["on_demand"] == 1 and report["totals"]["above_max_holders"] == 2


def test_available_seats_say_whether_they_are_before_or_after_the_run():
    report = priced_report()
    assert report["products"][1]["available_seats"] == 4 and report["products"][1]["available_seats_at"] == "after"
    failed = build()["products"][1]                       # refused: the inventory's count, read before the run
    assert failed["available_seats"] == 1 and failed["available_seats_at"] == "before"
    assert build()["products"][0]["available_seats_at"] is None


# -- the page (issue 13 item 5) ----------------------------------------------------------------

def html_of(report):
    with open(TEMPLATE) as handle:
        return " ".join(reconcile_report.render_html(handle.read(), report).split())


def test_a_failed_apply_has_a_red_banner_naming_the_failed_products():
    html = html_of(priced_report("apply"))
    assert ('<div class="banner failed">Applied with errors: 1 of 5 product(s) failed (on_call). Only what is '
            'listed as assigned or reclaimed was done') in html
    assert "banner apply" not in html and "the changes below were made" not in html


def test_a_check_run_with_errors_has_a_red_banner_too():
    html = html_of(priced_report("check"))
    assert '<div class="banner failed">Audit (check mode) with errors: 1 of 5 product(s) could not be planned' in html
    assert "banner check" not in html


def test_per_user_failures_turn_the_banner_red():
    failed = dict(DD_RESULT, assigned=[], reclaimed=[], failed_users=[{"user": "b@example.com", "reason": "422"}])
    html = html_of(reconcile_report.build_report([("datadog", DD_ENTRY, failed)], {}, "10%", "t", "apply", "d.yml"))
    assert '<div class="banner failed">Applied with errors: 1 of 1 product(s) failed (apm_pro).' in html
    assert '<span class="status error">1 change(s) failed</span>' in html and "status in-sync" not in html


def test_a_clean_apply_stays_green_and_says_assigned_and_reclaimed():
    report = reconcile_report.build_report([("datadog", DD_ENTRY, DD_RESULT)], {}, "10%", "t", "apply", "d.yml")
    html = html_of(report)
    assert '<div class="banner apply">Applied: the changes below were made.' in html
    assert '<span class="status assigned">1 assigned</span> <span class="status reclaimed">1 reclaimed</span>' in html
    assert ">changes<" not in html
    assert '<div class="value">1</div><div class="label">product(s) with changes</div>' in html
    assert "<th>Change (done)</th><th>Holders after</th>" in html


def test_a_check_run_says_what_is_planned():
    html = html_of(build())
    assert '<span class="status assigned">1 to assign</span> <span class="status reclaimed">1 to reclaim</span>' in html
    assert '<div class="label">product(s) with changes planned</div>' in html
    assert "<th>Holders before</th> <th>Change (planned)</th><th>Holders after (planned)</th>" in html
    assert "<dt>Available seats before</dt><dd>1</dd>" in html


def test_the_page_shows_costs_per_product_and_per_currency():
    html = html_of(priced_report("apply"))
    row = html.split('<tr class="product-row" data-product="apm_pro">')[1].split("</tr>")[0]
    assert '<span class="plus">+1</span> / <span class="minus">&minus;3</span>' in row
    assert 'max 1 &middot; <strong class="over">1 on demand</strong>' in row
    assert ('<td class="money">80.00&nbsp;EUR</td><td class="money">40.00&nbsp;EUR</td> '
            '<td class="money"><span class="saved">40.00&nbsp;EUR</span></td>') in row
    synthetics = html.split('data-product="synthetics">')[1].split("</tr>")[0]
    assert '<span class="more">25.00&nbsp;USD more</span>' in synthetics
    unpriced = html.split('data-product="incident_response">')[1].split("</tr>")[0]
    assert '<td class="money none" colspan="3">no price</td>' in unpriced
    total = html.split('<tr class="total">')[1].split("</tr>")[0]
    assert ('<div class="cost-total" data-currency="EUR">138.33&nbsp;EUR</div>'
            '<div class="cost-total" data-currency="USD">37.50&nbsp;USD</div>') in total
    assert '<div class="cost-total saving" data-currency="EUR"><span class="saved">48.33&nbsp;EUR</span></div>' in total
    assert "1 EUR-priced product(s) have no cost figures" in html
    assert "<dt>Price per seat</dt><dd>100.00&nbsp;EUR a year (8.33&nbsp;EUR a month)</dd>" in html
    assert ('<div class="card cost" data-currency="USD"><div class="value"><span class="more">25.00&nbsp;USD</span></div> '
            '<div class="label">extra cost per month: 37.50&nbsp;USD before &rarr; 62.50&nbsp;USD after</div>') in html
    assert '<div class="label">saving per month: 138.33&nbsp;EUR before &rarr; 90.00&nbsp;EUR after</div>' in html


def test_the_plan_file_is_shown_when_the_run_has_one():
    assert "Plan applied: <code>plans/seat-plan-1.json</code>" in html_of(
        priced_report("apply", context={"plan_file": "plans/seat-plan-1.json"}))
    assert "Plan saved as: <code>p&lt;1&gt;.json</code>" in html_of(priced_report("check", context={"plan_file": "p<1>.json"}))
    assert 'class="plan"' not in html_of(priced_report("apply", context={"controller_user": "ops"}))


def test_a_report_of_an_earlier_version_still_renders():
    """A /1 report written before costs (no costs, price, cost, on_demand, available_seats_at)."""
    report = build()
    del report["costs"]
    for key in ("on_demand", "priced"):
        del report["totals"][key]
    for row in report["products"]:
        for key in ("price", "cost", "on_demand", "net_change", "available_seats_at"):
            del row[key]
    html = html_of(report)
    assert "banner failed" in html and "no price" in html


GH_ENTRY = {"organization": "acme", "users": ["mona", "lena"], "protected": ["octo-bot"]}
GH_RESULT = {"changed": True, "assigned": ["lena"], "reclaimed": ["sam", "old-timer"], "unchanged": 1,
             "holders_count": 3, "skipped_users": [], "failed_users": [], "api_calls": {"total": 3},
             "kept_in_grace": [],
             "kept_seats": [{"user": "tina", "reason": "granted through team platform: remove the person from "
                                                       "that team (or deselect the team) to reclaim it"}],
             "idle_reclaimed": [{"user": "sam", "last_activity_at": "2024-11-15T12:00:00Z"}],
             "pending_cancellation": [{"user": "hubot", "pending_cancellation_date": "2025-04-01"}],
             "orphan_seats": 2, "organization": "acme", "seat_management_setting": "assign_selected"}


def test_kept_idle_pending_and_orphan_seats_are_reported_for_products_that_return_them():
    report = reconcile_report.build_report([("datadog", DD_ENTRY, DD_RESULT), ("github", GH_ENTRY, GH_RESULT)],
                                           {}, "10%", "t", "check", "desired.yml")
    datadog, github = report["products"]
    assert github["platform_label"] == "GitHub Copilot" and github["product"] == "acme"
    assert github["kept_seats"] == GH_RESULT["kept_seats"] and github["idle_reclaimed"] == GH_RESULT["idle_reclaimed"]
    assert github["pending_cancellation"] == GH_RESULT["pending_cancellation"] and github["orphan_seats"] == 2
    assert datadog["orphan_seats"] is None and datadog["kept_seats"] == []
    totals = report["totals"]
    assert (totals["kept_seats"], totals["idle_reclaimed"], totals["pending_cancellation"], totals["orphan_seats"]) == (1, 1, 1, 2)
    summary = reconcile_report.summary(report)[1]
    assert (summary["kept_seats"], summary["idle_reclaimed"], summary["pending_cancellation"], summary["orphan_seats"]) == (1, 1, 1, 2)

    with open(TEMPLATE) as handle:
        html = reconcile_report.render_html(handle.read(), report)
    for text in ("Kept: the platform will not reclaim them (1)", "tina", "granted through team platform",
                 "To reclaim as idle (1)", "last used 2024-11-15T12:00:00Z", "Pending cancellation (1)",
                 "hubot", "ends 2025-04-01", "Seats without a holder", "seat(s) without a holder"):
        assert text in html, text
    # The product whose module returns none of it shows none of it.
    sections = html.split('<section class="product"')
    assert "Pending cancellation" not in sections[1] and "without a holder" not in sections[1]
    assert "Pending cancellation" in sections[2]


def test_the_holders_last_activity_is_shown_for_a_module_that_returns_it():
    activity = [{"user": "mona", "last_activity_at": "2025-03-14T09:00:00Z"}, {"user": "kai", "last_activity_at": None}]
    report = reconcile_report.build_report([("github", GH_ENTRY, dict(GH_RESULT, last_activity=activity)),
                                            ("datadog", DD_ENTRY, DD_RESULT)], {}, "10%", "t", "check", "d.yml")
    assert report["products"][0]["last_activity"] == activity and report["products"][1]["last_activity"] == []
    with open(TEMPLATE) as handle:
        html = reconcile_report.render_html(handle.read(), report)
    assert "Holders&#39; last activity (2)" in html or "Holders' last activity (2)" in html
    assert "last used 2025-03-14T09:00:00Z" in html and "last used never" in html
    assert html.count("last activity (") == 1
