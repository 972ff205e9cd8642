# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The controller-side views of the platform registry: the tables, the desired state and the report."""

from __future__ import annotations

import os

from ansible_collections.seatops.seats.plugins.module_utils import _platforms as registry
from ansible_collections.seatops.seats.plugins.plugin_utils import _desired_state as desired_state
from ansible_collections.seatops.seats.plugins.plugin_utils import _reconcile_report as reconcile_report
from ansible_collections.seatops.seats.plugins.plugin_utils import _seat_platforms as seat_platforms

TEMPLATE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "roles", "reconcile", "templates",
                        "reconcile_report.html.j2")


def test_the_views_are_the_registrys():
    assert seat_platforms.names() == registry.NAMES
    assert seat_platforms.platforms() == registry.PLATFORMS
    for platform in registry.PLATFORMS:
        assert seat_platforms.get(platform.name) is platform
        assert seat_platforms.label(platform.name) == platform.label
    assert set(seat_platforms.connection_argument_spec()) == set(registry.NAMES)
    assert set(seat_platforms.products_argument_spec()) == set("%s_products" % name for name in registry.NAMES)
    assert seat_platforms.counted({"msstore": 2}, "seat(s)") == "0 Datadog, 2 Microsoft Store and 0 GitHub Copilot seat(s)"
    assert seat_platforms.counted({"msstore": 2}, "seat(s)", ["datadog", "msstore"]) == "0 Datadog and 2 Microsoft Store seat(s)"
    assert seat_platforms.desired_state_keys() == tuple(platform.desired_state_key for platform in registry.PLATFORMS)
    assert seat_platforms.desired_state_keys() == ("datadog", "msstore", "github_copilot")
    assert seat_platforms.desired_entries({"github_copilot": [1], "github": [2]}, "github") == [1]
    assert seat_platforms.connection_problem({"msstore": {"api_key": "x"}}) == (
        "msstore: unknown connection option(s) api_key (allowed: %s)" % ", ".join(registry.get("msstore").connection_options))


def test_the_desired_state_keys_are_the_registrys_platforms():
    assert desired_state.problems([]) == ["the desired state must be a mapping with the keys datadog, msstore and github_copilot"]
    assert desired_state.problems({"zendesk": []}) == ["unknown top-level key zendesk (expected datadog, msstore and github_copilot)"]
    twice = desired_state.problems({"datadog": [{"product_code": "apm_pro", "users": []}, {"product_code": " APM_pro", "users": []}],
                                    "msstore": [{"product_id": "9nblggh4r2r6", "sku_id": "0016", "users": []},
                                                {"product_id": "9NBLGGH4R2R6", "sku_id": "0016", "users": []}]})
    assert twice == ["datadog[1] (APM_pro): product_code APM_pro is listed twice (also datadog[0] (apm_pro))",
                     "msstore[1] (9NBLGGH4R2R6/0016): 9NBLGGH4R2R6/0016 is listed twice (also msstore[0] (9nblggh4r2r6/0016))"]


def test_report_rows_carry_the_platform_label_and_whether_it_has_stock():
    inventory = [{"product_id": "9NBLGGH4R2R6", "sku_id": "0016", "seat_capacity": 5, "available_seats": 2}]
    runs = [("datadog", {"product_code": "apm_pro", "users": []}, {"changed": False, "holders_count": 0}),
            ("msstore", {"product_id": "9nblggh4r2r6", "sku_id": "0016", "users": []}, {"changed": False, "holders_count": 3})]
    report = reconcile_report.build_report(runs, {"msstore": inventory}, "10%", "t", "apply", "d.yml")
    datadog, store = report["products"]
    assert (datadog["platform_label"], datadog["stocked"], datadog["capacity"]) == ("Datadog", False, None)
    assert (store["platform_label"], store["stocked"], store["capacity"]) == ("Microsoft Store", True, 5)
    with open(TEMPLATE) as handle:
        html = reconcile_report.render_html(handle.read(), report)
    assert html.count("<td>Datadog</td>") == 1 and html.count("<td>Microsoft Store</td>") == 1
    assert '<span class="platform">Microsoft Store</span>' in html and html.count("<dt>Capacity</dt>") == 1
