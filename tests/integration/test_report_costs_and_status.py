# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The reconcile report managers act on (issue 13 items 4 and 5), from real runs of the
reconcile role against the sandbox (the scenario: report_scenario.py).

- Prices in the desired state give each product its monthly cost before and after the run
  and the saving; totals are per currency; holders above a Datadog ceiling are on demand.
- In check mode the figures are the plan's (nothing written); after an apply, what was done.
- A product that fails turns the banner red and names it; after an apply the badges say
  assigned and reclaimed.
- A bad price is refused before any call, naming the entry and the field.
"""

from __future__ import annotations

import copy
import os

import report_scenario as scenario
from report_scenario import email, upn

DONE_EUR = {"currency": "EUR", "products": 3, "without_figures": 0, "holders_before": 10, "holders_after": 8,
            "to_assign": 1, "to_reclaim": 3, "on_demand": 1,
            "monthly_before": 138.0, "monthly_after": 112.0, "monthly_saving": 26.0}
USD = {"currency": "USD", "products": 1, "without_figures": 0, "holders_before": 1, "holders_after": 3,
       "to_assign": 2, "to_reclaim": 0, "on_demand": 0,
       "monthly_before": 25.0, "monthly_after": 75.0, "monthly_saving": -50.0}


def rows(report):
    return dict((row["product"], row) for row in report["products"])


def flat(path):
    with open(path) as handle:
        return " ".join(handle.read().split())


def test_the_audit_reports_the_plans_costs_and_changes_nothing(sandbox, run_playbook, tmp_path):
    done, report, html_path = scenario.run(sandbox, run_playbook, tmp_path, "audit", check=True)
    assert done.rc == 0, done.output[-3000:]
    assert scenario.writes(sandbox) == [], "check mode wrote to an API"
    assert report["format"] == "seatops.seats.reconcile_report/1" and report["mode"] == "check"
    products = rows(report)
    on_call = products["on_call"]
    assert on_call["to_reclaim"] == [email("eli")] and (on_call["holders_before"], on_call["holders_after"]) == (5, 4)
    assert on_call["price"] == {"amount": 20, "currency": "EUR", "period": "month", "monthly": 20.0}
    assert on_call["cost"] == {"currency": "EUR", "monthly_before": 100.0, "monthly_after": 80.0,
                               "monthly_saving": 20.0}
    assert (on_call["max_holders"], on_call["above_max_holders"], on_call["on_demand"]) == (3, 1, 1)
    apm = products["apm_pro"]
    assert apm["price"]["monthly"] == 25.0 and apm["net_change"] == 2
    assert apm["cost"] == {"currency": "USD", "monthly_before": 25.0, "monthly_after": 75.0, "monthly_saving": -50.0}
    assert products["incident_response"]["price"] is None and products["incident_response"]["cost"] is None
    full = products["%s/%s" % scenario.FULL]
    assert full["status"] == "changes" and full["to_assign"] == [upn("cy")] and full["to_reclaim"] == [upn("ben")]
    assert full["cost"]["monthly_saving"] == 0.0 and full["on_demand"] is None      # the Store has stock
    assert full["available_seats"] == 0 and full["available_seats_at"] == "after"
    assert report["costs"] == [dict(DONE_EUR, to_assign=2, to_reclaim=4), USD]
    assert report["totals"]["priced"] == 4 and report["totals"]["on_demand"] == 1
    assert report["totals"]["with_errors"] == 0 and report["totals"]["with_changes"] == 5

    html = flat(html_path)
    assert '<div class="banner check">Audit (check mode): nothing was changed.' in html
    assert '<div class="label">product(s) with changes planned</div>' in html
    assert "<th>Holders after (planned)</th>" in html and "<th>Cost / month after (planned)</th>" in html
    assert '<span class="status reclaimed">1 to reclaim</span>' in html


def test_a_failed_apply_is_red_names_the_product_and_costs_what_was_done(sandbox, run_playbook, tmp_path):
    done, report, html_path = scenario.run(sandbox, run_playbook, tmp_path, "apply", fail_store=True)
    # The role fails at the end (reconcile_fail_on_errors), after the report is written.
    assert done.rc != 0 and "1 product(s) had errors" in done.output, done.output[-3000:]
    assert report["mode"] == "apply"
    held = scenario.holders(sandbox)
    assert held["on_call"] == [email(name) for name in ("ana", "ben", "cy", "dee")]
    assert held["%s/%s" % scenario.FULL] == [upn("ana"), upn("ben")]        # the refused product is untouched
    products = rows(report)
    full = products["%s/%s" % scenario.FULL]
    assert full["status"] == "error" and "HTTP 403" in full["error"]
    assert full["to_assign"] == [] and full["to_reclaim"] == [] and full["holders_after"] == 2
    assert full["cost"] == {"currency": "EUR", "monthly_before": 20.0, "monthly_after": 20.0, "monthly_saving": 0.0}
    # What was done, not what was planned: the failed product's changes are in no figure.
    assert report["costs"] == [DONE_EUR, USD]
    assert report["totals"]["with_errors"] == 1 and report["totals"]["with_changes"] == 4

    html = flat(html_path)
    assert ('<div class="banner failed">Applied with errors: 1 of 5 product(s) failed (9NBLGGH4R2R6/0016). '
            'Only what is listed as assigned or reclaimed was done') in html
    assert "banner apply" not in html
    row = html.split('<tr class="product-row" data-product="CFQ7TTC0K5DR/0001">')[1].split("</tr>")[0]
    assert '<span class="status assigned">1 assigned</span> <span class="status reclaimed">2 reclaimed</span>' in row
    assert '<td class="money">18.00&nbsp;EUR</td><td class="money">12.00&nbsp;EUR</td>' in row
    assert '<span class="status error">failed</span>' in html and ">changes<" not in html
    assert "<th>Change (done)</th><th>Holders after</th>" in html
    total = html.split('<tr class="total">')[1].split("</tr>")[0]
    assert '<div class="cost-total saving" data-currency="EUR"><span class="saved">26.00&nbsp;EUR</span></div>' in total
    assert '<div class="cost-total saving" data-currency="USD"><span class="more">50.00&nbsp;USD more</span></div>' in total


def test_a_clean_apply_is_green_and_the_next_audit_is_in_sync(sandbox, run_playbook, tmp_path):
    done, report, html_path = scenario.run(sandbox, run_playbook, tmp_path, "apply")
    assert done.rc == 0, done.output[-3000:]
    assert report["totals"]["with_errors"] == 0
    assert '<div class="banner apply">Applied: the changes below were made.' in flat(html_path)
    done, audit, _html = scenario.run(sandbox, run_playbook, tmp_path, "again", check=True, reseed=False)
    assert done.rc == 0, done.output[-3000:]
    assert audit["totals"]["in_sync"] == 5 and audit["totals"]["with_changes"] == 0
    # on_call keeps the 4 people the desired state lists, one above its ceiling: on demand.
    assert audit["totals"]["on_demand"] == 1 and rows(audit)["on_call"]["on_demand"] == 1
    assert [(cost["currency"], cost["monthly_before"], cost["monthly_after"], cost["monthly_saving"])
            for cost in audit["costs"]] == [("EUR", 112.0, 112.0, 0.0), ("USD", 75.0, 75.0, 0.0)]


def test_a_bad_price_is_refused_before_any_call(sandbox, run_playbook, tmp_path):
    desired = copy.deepcopy(scenario.DESIRED)
    desired["datadog"][0]["price"] = {"amount": "20", "currency": "EURO", "period": "month"}
    desired["msstore"][1]["price"] = {"amount": 120, "currency": "EUR", "period": "quarter"}
    done, report, html_path = scenario.run(sandbox, run_playbook, tmp_path, "bad", desired=desired)
    assert done.rc != 0 and report is None and not os.path.exists(html_path)
    assert scenario.writes(sandbox) == []
    output = " ".join(done.output.split())
    for problem in ("datadog[0] (on_call).price.amount must be a number >= 0, got 20 (write it without quotes)",
                    "datadog[0] (on_call).price.currency must be a 3-letter currency code such as EUR or USD, got EURO",
                    "msstore[1] (9NBLGGH4R2R6/0016).price.period must be month or year, got quarter"):
        assert problem in output, output[-3000:]
