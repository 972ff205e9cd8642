# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.seatops.seats.plugins.plugin_utils import _seat_input as seat_input

BOTH = {"datadog", "msstore"}


def test_people_are_checked_with_the_modules_rules_and_every_problem_is_named():
    problems = []
    people = seat_input.people(
        [{"email": "ana@example.com", "upn": "ana@contoso.com"}, {}, "bob", {"email": "ana lima@example.com", "upn": "ana@contoso.com"},
         {"email": "0a0a0a0a-0000-4000-8000-00000000000g", "upn": "ana@contoso.com"}, {"upn": "alice"}, {"email": "handle-only"}],
        "offboarding_people", BOTH, problems, disable_advice=lambda platform: ", or set offboarding_%s=false" % platform)
    assert [(p.name_on("datadog"), p.name_on("msstore"), p.index) for p in people] == [("ana@example.com", "ana@contoso.com", 0)]
    # The names of the platforms of the run (BOTH), not of every platform registered.
    assert problems[0] == "offboarding_people[1] needs an email (Datadog) or a upn (Microsoft Store)"
    assert problems[1].startswith("offboarding_people[2] must be a mapping")
    assert problems[2] == ("offboarding_people[3].email 'ana lima@example.com' must be an email, a handle or a "
                           "user UUID, without whitespace")
    assert problems[3].startswith("offboarding_people[4].email '0a0a0a0a-0000-4000-8000-00000000000g' looks like a "
                                  "user UUID but is not one")
    assert problems[4].startswith("offboarding_people[5].upn 'alice' is not a user principal name")
    assert problems[5] == ("offboarding_people[6].email 'handle-only' is not a user principal name of the form "
                           "user@domain and serves as the upn (no upn given): give a upn, or set offboarding_msstore=false")
    assert len(problems) == 6


def test_one_name_serves_both_platforms_and_is_checked_only_where_it_is_used():
    problems = []
    people = seat_input.people([{"email": "handle-only"}, {"upn": "bob@contoso.com"}], "people", {"datadog"}, problems)
    assert problems == []
    assert [(p.name_on("datadog"), p.name_on("msstore")) for p in people] == [("handle-only", "handle-only"), ("bob@contoso.com", "bob@contoso.com")]
    assert seat_input.people([], "people", BOTH, problems) == []
    assert problems == ["people must list at least one person, each with an email (Datadog), a upn (Microsoft Store) or a login "
                        "(GitHub Copilot)"]


def test_product_codes_and_store_products_are_named_by_index():
    problems = []
    codes = seat_input.products("datadog", ["apm_pro", " apm_pro ", "", 123, "incident response", "incident_response"],
                                "onboarding_datadog_products", problems)
    assert codes == [{"product_code": "apm_pro"}, {"product_code": "incident_response"}]
    assert problems[0].startswith("onboarding_datadog_products[2] is empty (null or blank)")
    assert problems[1].startswith("onboarding_datadog_products[3] 123 is a number")
    assert problems[2].startswith("onboarding_datadog_products[4] 'incident response' is not a valid product code")

    problems = []
    products = seat_input.products(
        "msstore",
        [{"product_id": "9nblggh4r2r6", "sku_id": "0016"}, {"product_id": "short", "sku_id": 16}, "x",
         {"product_id": "9NBLGGH4R2R6", "sku_id": "0016"}], "onboarding_msstore_products", problems)
    assert products == [{"product_id": "9NBLGGH4R2R6", "sku_id": "0016"}]
    assert problems[0].startswith("onboarding_msstore_products[1].product_id must be the 12-character")
    assert problems[1].startswith("onboarding_msstore_products[1].sku_id must be a 4-digit string such as '0016', "
                                  "but it is the number 16")
    assert problems[2].startswith("onboarding_msstore_products[2] must be a mapping with product_id and sku_id")


def test_a_person_without_a_name_is_told_the_names_the_run_needs():
    problems = []
    seat_input.people([{}], "people", {"github"}, problems)
    assert problems == ["people[0] needs a login (GitHub Copilot)"]
    problems = []
    seat_input.people([{}], "people", set(), problems)
    assert problems == ["people[0] needs an email (Datadog), a upn (Microsoft Store) or a login (GitHub Copilot)"]
    problems = []
    seat_input.people([{"datadog_products": ["apm_pro"]}], "people",
                      lambda entry: set(key[:-len("_products")] for key in entry), problems)
    assert problems == ["people[0] needs an email (Datadog)"]
