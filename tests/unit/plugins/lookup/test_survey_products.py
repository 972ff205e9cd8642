# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The survey_products lookup: flat survey answers of every registered platform, shaped by the registry."""

from __future__ import annotations

from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ansible_collections.seatops.seats.plugins.lookup import survey_products
from ansible_collections.seatops.seats.plugins.module_utils import _platforms as registry
from ansible_collections.seatops.seats.plugins.module_utils._platforms import Platform


def lookup(variables):
    loader = DataLoader()
    return survey_products.LookupModule(loader=loader, templar=Templar(loader=loader)).run([], variables=variables)


def test_each_platform_reads_its_own_survey_variable_and_multi_field_products_split_at_slashes():
    answered = lookup({"datadog_products": "incident_response, apm_pro;ci_visibility",
                       "msstore_products": "9NBLGGH4R2R6/0016, CFQ7TTC0K5DR/0001 bad",
                       "unrelated_products": "x"})
    assert answered == [{
        "datadog": ["incident_response", "apm_pro", "ci_visibility"],
        "msstore": [{"product_id": "9NBLGGH4R2R6", "sku_id": "0016"}, {"product_id": "CFQ7TTC0K5DR", "sku_id": "0001"},
                    {"product_id": "bad", "sku_id": ""}],
    }]


def test_unanswered_platforms_are_left_out_and_lists_and_mappings_are_kept():
    assert lookup({}) == [{}]
    assert lookup({"datadog_products": "  ", "msstore_products": [{"product_id": "9NBLGGH4R2R6", "sku_id": "0016"}]}) == [
        {"msstore": [{"product_id": "9NBLGGH4R2R6", "sku_id": "0016"}]}]


def test_a_platform_added_to_the_registry_is_read_without_any_other_change(monkeypatch):
    extra = Platform(name="extra", label="Extra", seat_module="x.y.extra_seats", info_module="x.y.extra_seats_info",
                     product_fields=(("org", str), ("plan", str)), person_field="login", name_rule=str,
                     connection_argument_spec=dict)
    monkeypatch.setattr(registry, "PLATFORMS", registry.PLATFORMS + (extra,))
    monkeypatch.setattr(registry, "BY_NAME", dict(registry.BY_NAME, extra=extra))
    assert lookup({"extra_products": "acme/business"}) == [{"extra": [{"org": "acme", "plan": "business"}]}]
