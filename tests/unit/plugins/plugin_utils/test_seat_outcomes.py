# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.seatops.seats.plugins.plugin_utils import _seat_outcomes as outcomes


def test_a_products_row_is_the_module_result_and_its_failures_name_people():
    result = {"changed": True, "reclaimed": ["a@contoso.com"], "failed": True, "msg": "1 seat change(s) failed",
              "failed_users": [{"user": "b@contoso.com", "reason": "HTTP 400"}], "diff": {"before": [], "after": []}}
    row = outcomes.product_row("msstore", {"product_id": "9NBLGGH4R2R6", "sku_id": "0016"}, result)
    assert row["product"] == "9NBLGGH4R2R6/0016" and row["product_id"] == "9NBLGGH4R2R6" and "diff" not in row
    assert outcomes.row_failures(row, ["a@contoso.com", "b@contoso.com"]) == [
        {"platform": "msstore", "product": "9NBLGGH4R2R6/0016", "users": ["b@contoso.com"], "reason": "HTTP 400"}]

    whole = outcomes.product_row("datadog", {"product_code": "apm_pro"}, {"failed": True, "msg": "HTTP 403 on apm_pro"})
    assert outcomes.row_failures(whole, ["a@example.com", "b@example.com"]) == [
        {"platform": "datadog", "product": "apm_pro", "users": ["a@example.com", "b@example.com"],
         "reason": "HTTP 403 on apm_pro"}]
    assert outcomes.row_failures(outcomes.product_row("datadog", {"product_code": "x"}, {"changed": False}), ["a"]) == []


def test_failure_text_names_platform_product_people_and_reason():
    failures = [outcomes.failure("msstore", None, ["a@contoso.com", "b@contoso.com"], "token refused"),
                outcomes.failure("datadog", "apm_pro", ["a@example.com"], "HTTP 503")]
    assert outcomes.failures_text(failures) == ("Microsoft Store (every product) [a@contoso.com, b@contoso.com]: token "
                                                "refused; Datadog apm_pro [a@example.com]: HTTP 503")
    many = ["user%d@example.com" % n for n in range(25)]
    assert outcomes.names_text(many).endswith("user19@example.com and 5 more")
