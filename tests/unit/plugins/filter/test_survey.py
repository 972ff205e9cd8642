# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.seatops.seats.plugins.filter import survey


def test_survey_people_splits_and_pairs_names():
    assert survey.survey_people("ana@example.com, ben@example.com=ben@contoso.com;\n eve@example.com") == [
        {"email": "ana@example.com", "upn": "ana@example.com"},
        {"email": "ben@example.com", "upn": "ben@contoso.com"},
        {"email": "eve@example.com", "upn": "eve@example.com"}]
    assert survey.survey_people(["a@example.com=a@contoso.com", {"email": "b@example.com"}, ""]) == [
        {"email": "a@example.com", "upn": "a@contoso.com"}, {"email": "b@example.com"}]
    assert survey.survey_people(None) == [] and survey.survey_people("  ") == []


def test_survey_people_take_a_github_login_third_and_refuse_more_names():
    assert survey.survey_people("ana@example.com==Ana-GH, ben@example.com=ben@contoso.com=ben") == [
        {"email": "ana@example.com", "upn": "ana@example.com", "login": "Ana-GH"},
        {"email": "ben@example.com", "upn": "ben@contoso.com", "login": "ben"}]
    with pytest.raises(AnsibleFilterError, match="'a@example.com=a@contoso.com=a=b' has 4 names; give at most 3, "
                                                 "in the order EMAIL=UPN=LOGIN"):
        survey.survey_people("a@example.com=a@contoso.com=a=b")


def test_survey_lists_and_store_products_keep_skus_as_strings():
    assert survey.survey_list("incident_response, apm_pro;ci ") == ["incident_response", "apm_pro", "ci"]
    assert survey.survey_list(["apm_pro", None, ""]) == ["apm_pro"]
    assert survey.survey_store_products("9NBLGGH4R2R6/0016, CFQ7TTC0K5DR/0001 bad") == [
        {"product_id": "9NBLGGH4R2R6", "sku_id": "0016"}, {"product_id": "CFQ7TTC0K5DR", "sku_id": "0001"},
        {"product_id": "bad", "sku_id": ""}]
    assert sorted(survey.FilterModule().filters()) == ["survey_list", "survey_people", "survey_store_products"]
