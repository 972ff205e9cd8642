# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.seatops.seats.plugins.plugin_utils import _desired_state as desired_state

VALID = {
    "datadog": [{"product_code": "apm_pro", "users": ["ana@example.com"], "protected": ["bot@example.com"],
                 "max_reclaims": "10%"},
                {"product_code": "incident_response", "users": [], "max_reclaims": 0}],
    "msstore": [{"product_id": "9NBLGGH4R2R6", "sku_id": "0016", "users": ["alice@contoso.com"],
                 "max_reclaims": " 5 "}],
}


def test_a_valid_state_has_no_problems():
    assert desired_state.problems(VALID) == []
    assert desired_state.problems({}) == []
    assert desired_state.problems({"datadog": None, "msstore": []}) == []


@pytest.mark.parametrize("state, expected", [
    ([], "the desired state must be a mapping"),
    ({"datadgo": []}, "unknown top-level key datadgo"),
    ({"datadog": {"product_code": "x"}}, "datadog must be a list of products"),
    ({"datadog": ["apm_pro"]}, "datadog[0] must be a mapping with product_code, users"),
    ({"datadog": [{"product_code": " ", "users": []}]}, "datadog[0].product_code must be a non-empty product code"),
    ({"datadog": [{"product_code": "apm pro", "users": []}]}, "got apm pro"),
    ({"datadog": [{"product_code": 12, "users": []}]}, "datadog[0].product_code must be"),
    ({"datadog": [{"product_code": "apm_pro"}]}, "datadog[0] (apm_pro).users is required"),
    ({"datadog": [{"product_code": "apm_pro", "users": "ana@example.com"}]},
     "datadog[0] (apm_pro).users must be a list of names, got ana@example.com"),
    ({"datadog": [{"product_code": "apm_pro", "users": ["a@example.com", None, " "]}]},
     "datadog[0] (apm_pro).users[1] must be a non-empty name, got None"),
    ({"datadog": [{"product_code": "apm_pro", "users": [], "protected": {"a": 1}}]},
     "datadog[0] (apm_pro).protected must be a list of names"),
    ({"datadog": [{"product_code": "apm_pro", "users": [], "colour": "red"}]},
     "datadog[0] (apm_pro): unknown field colour"),
    ({"datadog": [{"product_code": "apm_pro", "users": ["Ana@Example.com"], "protected": ["ana@example.com "]}]},
     "datadog[0] (apm_pro): ana@example.com listed in both users and protected"),
    ({"datadog": [{"product_code": "apm_pro", "users": []}, {"product_code": "APM_PRO", "users": []}]},
     "datadog[1] (APM_PRO): product_code APM_PRO is listed twice (also datadog[0] (apm_pro))"),
    ({"msstore": [{"product_id": "9NBLGGH4R2R6", "sku_id": 16, "users": []}]},
     'msstore[0].sku_id must be a quoted 4-digit string such as "0016"; YAML read 16 as a number'),
    ({"msstore": [{"product_id": "9NBLGGH4R2R6", "sku_id": "16", "users": []}]},
     'msstore[0].sku_id must be a 4-digit string such as "0016", got 16'),
    ({"msstore": [{"product_id": "SHORT", "sku_id": "0016", "users": []}]},
     "msstore[0].product_id must be a 12-character Store product id, got SHORT"),
    ({"msstore": [{"product_id": "9NBLGGH4R2R6", "sku_id": "0016", "users": []},
                  {"product_id": "9nblggh4r2r6", "sku_id": "0016", "users": []}]},
     "msstore[1] (9nblggh4r2r6/0016): 9nblggh4r2r6/0016 is listed twice"),
])
def test_each_problem_names_the_entry_and_the_field(state, expected):
    found = desired_state.problems(state)
    assert any(expected in problem for problem in found), found


@pytest.mark.parametrize("guard, ok", [
    (0, True), (3, True), ("3", True), ("10%", True), ("12.5 %", True), (None, True),
    (-1, False), (True, False), ("abc", False), ("%", False), (1.5, False), ([], False), ("150%", False),
])
def test_max_reclaims_forms(guard, ok):
    state = {"datadog": [{"product_code": "apm_pro", "users": [], "max_reclaims": guard}]}
    found = desired_state.problems(state)
    assert (found == []) is ok, found
    if not ok:
        assert found[0].startswith("datadog[0] (apm_pro).max_reclaims ")
        assert "must" in found[0] and str(guard).strip() in found[0]


@pytest.mark.parametrize("platform, entry, expected", [
    ("datadog", {"product_code": "apm_pro"}, "datadog[0] (apm_pro).users[1] 'ben okafor@example.com' must be an email"),
    ("datadog", {"product_code": "apm_pro"}, None),
    ("msstore", {"product_id": "9NBLGGH4R2R6", "sku_id": "0016"},
     "msstore[0] (9NBLGGH4R2R6/0016).users[1] 'bob' is not a user principal name"),
])
def test_names_follow_the_modules_rules(platform, entry, expected):
    bad = "ben okafor@example.com" if platform == "datadog" and expected else "bob"
    users = ["ana@example.com", bad if expected else "ben.okafor"]
    found = desired_state.problems({platform: [dict(entry, users=users)]})
    if expected:
        assert any(problem.startswith(expected) for problem in found), found
    else:
        assert found == []                      # a bare Datadog handle is a valid name


def test_every_problem_is_reported_not_only_the_first():
    state = {"datadog": [{"product_code": "", "users": "x"}, {"product_code": "ok", "users": [], "max_reclaims": "x"}]}
    assert len(desired_state.problems(state)) == 3


def test_load_file_reads_yaml_and_names_the_file_on_errors(tmp_path):
    good = tmp_path / "desired.yml"
    good.write_text("datadog:\n  - product_code: apm_pro\n    users: [ana@example.com]\nmsstore: []\n")
    assert desired_state.load_file(str(good))["datadog"][0]["users"] == ["ana@example.com"]

    bad = tmp_path / "broken.yml"
    bad.write_text("datadog: [\n")
    with pytest.raises(desired_state.DesiredStateError, match="broken.yml is not valid YAML"):
        desired_state.load_file(str(bad))
    with pytest.raises(desired_state.DesiredStateError, match="cannot read the desired-state file .*missing.yml"):
        desired_state.load_file(str(tmp_path / "missing.yml"))
