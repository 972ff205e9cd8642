# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
import yaml

from ansible_collections.seatops.seats.plugins.module_utils._datadog import DatadogError, check_product_code, normalise_name
from ansible_collections.seatops.seats.plugins.module_utils._module_runner import MAX_USERS
from ansible_collections.seatops.seats.plugins.module_utils._msstore import check_product_id, check_sku_id, normalise_upn
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
    ({"datadog": [{"product_code": " ", "users": []}]}, "datadog[0].product_code is empty (null or blank)"),
    ({"datadog": [{"product_code": "apm pro", "users": []}]}, "datadog[0].product_code 'apm pro' is not a valid product code"),
    ({"datadog": [{"product_code": 12, "users": []}]}, "datadog[0].product_code 12 is a number, not a product code"),
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
     "msstore[0].sku_id must be a 4-digit string such as '0016', but it is the number 16"),
    ({"msstore": [{"product_id": "9NBLGGH4R2R6", "sku_id": "16", "users": []}]},
     "msstore[0].sku_id must be a 4-digit string such as '0016', got '16': was it written without quotes"),
    ({"msstore": [{"product_id": "SHORT", "sku_id": "0016", "users": []}]},
     "msstore[0].product_id must be the 12-character alphanumeric Store id, like 9NBLGGH4R2R6; got 'SHORT'"),
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


@pytest.mark.parametrize("field", ["max_holders", "grace_days"])
@pytest.mark.parametrize("value, ok", [
    (0, True), (40, True), ("7", True), (None, True),
    (-1, False), (True, False), ("a week", False), (1.5, False), ([], False),
])
def test_ceiling_and_grace_period_are_whole_numbers_on_both_platforms(field, value, ok):
    state = {"datadog": [{"product_code": "apm_pro", "users": [], field: value}],
             "msstore": [{"product_id": "9NBLGGH4R2R6", "sku_id": "0016", "users": [], field: value}]}
    found = desired_state.problems(state)
    assert (found == []) is ok, found
    if not ok:
        assert [problem.split(" must ", maxsplit=1)[0] for problem in found] == [
            "datadog[0] (apm_pro).%s" % field, "msstore[0] (9NBLGGH4R2R6/0016).%s" % field]


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


# -- one set of rules: the desired state says exactly what the module's own function says ------

DD_ENTRY = {"product_code": "apm_pro", "users": ["ana@example.com"]}
MS_ENTRY = {"product_id": "9NBLGGH4R2R6", "sku_id": "0016", "users": ["alice@contoso.com"]}


def _module_message(check, value, field):
    with pytest.raises((DatadogError, ValueError)) as raised:
        check(value, field)
    return str(raised.value)


@pytest.mark.parametrize("check, platform, field, value, reason", [
    (check_product_code, "datadog", "product_code", "12345", "is a number, not a product code"),
    (check_product_code, "datadog", "product_code", 7, "is a number, not a product code"),
    (check_product_code, "datadog", "product_code", "apm/pro", "is not a valid product code"),
    (check_product_code, "datadog", "product_code", "apm pro", "is not a valid product code"),
    (check_product_code, "datadog", "product_code", "_apm", "is not a valid product code"),
    (check_product_code, "datadog", "product_code", "a" * 101, "at most 100 letters"),
    (check_product_code, "datadog", "product_code", None, "is empty (null or blank)"),
    (check_product_id, "msstore", "product_id", "9NBLGGH4R2R", "12-character alphanumeric Store id"),
    (check_product_id, "msstore", "product_id", "9NBLGGH4R2R!", "12-character alphanumeric Store id"),
    (check_sku_id, "msstore", "sku_id", 16, "but it is the number 16"),
    (check_sku_id, "msstore", "sku_id", "16", "without quotes"),
    (check_sku_id, "msstore", "sku_id", "00a6", "4-digit string"),
    (check_sku_id, "msstore", "sku_id", "00016", "4-digit string"),
])
def test_a_bad_identifier_gets_the_modules_own_message(check, platform, field, value, reason):
    entry = dict(DD_ENTRY if platform == "datadog" else MS_ENTRY, **{field: value})
    found = desired_state.problems({platform: [entry]})
    where = "%s[0].%s" % (platform, field)
    assert found == [_module_message(check, value, where)]
    assert found[0].startswith(where) and reason in found[0]


def test_a_valid_identifier_is_accepted_at_the_modules_limits():
    state = {"datadog": [dict(DD_ENTRY, product_code="a" * 100), dict(DD_ENTRY, product_code="apm.pro-2_x")],
             "msstore": [dict(MS_ENTRY, product_id=" 9nblggh4r2r6 ", sku_id="0001")]}
    assert desired_state.problems(state) == []


@pytest.mark.parametrize("platform, name, reason", [
    ("datadog", "0b8c5e06-5b1c-4f5e-9a52-0c3a1c6a9bz1", "looks like a user UUID but is not one"),   # a non-hex letter
    ("datadog", "0b8c5e06-5b1c-4f5e-9a52-0c3a1c6a9b1", "looks like a user UUID but is not one"),    # one digit short
    ("datadog", "ana@", "is not a plausible email address or handle"),
    ("datadog", "ana@lima@example.com", "is not a plausible email address or handle"),
    ("datadog", "ana lima", "without whitespace"),
    ("msstore", "alice", "is not a user principal name"),
    ("msstore", "alice@contoso", "is not a user principal name"),
    ("msstore", "al ice@contoso.com", "is not a user principal name"),
])
def test_a_bad_name_gets_the_modules_own_reason(platform, name, reason):
    entry = dict(DD_ENTRY if platform == "datadog" else MS_ENTRY)
    entry["protected"] = [name]
    found = desired_state.problems({platform: [entry]})
    assert len(found) == 1, found
    assert ".protected[0] %r " % name in found[0] and reason in found[0]
    normalise = normalise_name if platform == "datadog" else normalise_upn
    with pytest.raises(ValueError) as raised:
        normalise(name)
    assert found[0].endswith(str(raised.value))


def test_more_names_than_a_module_accepts_is_a_problem():
    entry = dict(DD_ENTRY, users=["user@example.com"] * (MAX_USERS + 1))
    assert desired_state.problems({"datadog": [entry]}) == [
        "datadog[0] (apm_pro).users has %d entries; at most %d are accepted in one task" % (MAX_USERS + 1, MAX_USERS)]


# -- duplicate keys ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, key, first, second", [
    pytest.param("datadog:\n  - product_code: apm_pro\n    users: []\nmsstore: []\ndatadog: []\n", "datadog", 1, 5,
                 id="top-level"),
    pytest.param("datadog:\n  - product_code: apm_pro\n    users: [ana@example.com]\n    max_reclaims: 1\n"
                 "    users: [ben@example.com]\n", "users", 3, 5, id="in-an-entry"),
    pytest.param("msstore:\n  - {product_id: 9NBLGGH4R2R6, sku_id: '0016', sku_id: '0017', users: []}\n", "sku_id", 2, 2,
                 id="flow-mapping-one-line"),
    pytest.param("datadog:\n  - product_code: apm_pro\n    users:\n      - {ana@example.com: 1, ana@example.com: 2}\n",
                 "ana@example.com", 4, 4, id="deeper"),
])
def test_a_key_given_twice_names_the_key_the_lines_and_the_file(tmp_path, text, key, first, second):
    path = tmp_path / "desired.yml"
    path.write_text(text)
    with pytest.raises(desired_state.DesiredStateError) as raised:
        desired_state.load_file(str(path))
    assert str(raised.value).startswith(
        "the desired-state file %s gives the key %s twice in one mapping, on line %d and line %d"
        % (path, key, first, second))


def test_a_merge_key_may_be_overridden_and_distinct_mappings_may_share_keys(tmp_path):
    path = tmp_path / "desired.yml"
    path.write_text("datadog:\n  - &apm {product_code: apm_pro, users: [], max_reclaims: 1}\n"
                    "  - <<: *apm\n    product_code: synthetics\n    max_reclaims: 2\n")
    state = desired_state.load_file(str(path))
    assert state["datadog"][1] == {"product_code": "synthetics", "users": [], "max_reclaims": 2}


def test_the_strict_loader_keeps_the_c_parser_when_there_is_one():
    fastest = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    assert issubclass(desired_state.StrictLoader, fastest)


# -- price (the report's costs) --------------------------------------------------------------

@pytest.mark.parametrize("price", [
    {"amount": 20, "currency": "EUR", "period": "month"},
    {"amount": 0, "currency": "usd", "period": "year"},
    {"amount": 12.75, "currency": " GBP ", "period": "Month"},
])
def test_a_valid_price_is_accepted_on_both_platforms(price):
    state = {"datadog": [dict(DD_ENTRY, price=price)], "msstore": [dict(MS_ENTRY, price=price)]}
    assert desired_state.problems(state) == []


@pytest.mark.parametrize("price, expected", [
    ("20 EUR", "datadog[0] (apm_pro).price must be a mapping with amount, currency and period"),
    ({"amount": 20, "currency": "EUR"}, "datadog[0] (apm_pro).price.period is required (month or year"),
    ({"currency": "EUR", "period": "month"}, "datadog[0] (apm_pro).price.amount is required"),
    ({"amount": 20, "period": "month"}, "datadog[0] (apm_pro).price.currency is required"),
    ({"amount": -1, "currency": "EUR", "period": "month"}, "datadog[0] (apm_pro).price.amount must be a number >= 0, got -1"),
    ({"amount": "20", "currency": "EUR", "period": "month"},
     "datadog[0] (apm_pro).price.amount must be a number >= 0, got 20 (write it without quotes)"),
    ({"amount": True, "currency": "EUR", "period": "month"}, "datadog[0] (apm_pro).price.amount must be a number >= 0"),
    ({"amount": float("nan"), "currency": "EUR", "period": "month"}, "datadog[0] (apm_pro).price.amount must be"),
    ({"amount": 20, "currency": "EURO", "period": "month"},
     "datadog[0] (apm_pro).price.currency must be a 3-letter currency code such as EUR or USD, got EURO"),
    ({"amount": 20, "currency": 978, "period": "month"}, "datadog[0] (apm_pro).price.currency must be a 3-letter"),
    ({"amount": 20, "currency": "EUR", "period": "week"}, "datadog[0] (apm_pro).price.period must be month or year, got week"),
    ({"amount": 20, "currency": "EUR", "period": "month", "vat": 19},
     "datadog[0] (apm_pro).price: unknown field vat (expected amount, currency, period)"),
])
def test_each_price_problem_names_the_entry_and_the_field(price, expected):
    found = desired_state.problems({"datadog": [dict(DD_ENTRY, price=price)]})
    assert len(found) == 1 and found[0].startswith(expected), found


def test_every_price_problem_is_reported_and_the_store_entry_is_named():
    found = desired_state.problems({"msstore": [dict(MS_ENTRY, price={"amount": "x", "currency": "E", "period": 1})]})
    assert [problem.split(" must ", maxsplit=1)[0] for problem in found] == [
        "msstore[0] (9NBLGGH4R2R6/0016).price.amount", "msstore[0] (9NBLGGH4R2R6/0016).price.currency",
        "msstore[0] (9NBLGGH4R2R6/0016).price.period"]


def test_price_is_an_allowed_field_named_in_the_unknown_field_message():
    found = desired_state.problems({"datadog": [dict(DD_ENTRY, cost=1)]})
    assert found == ["datadog[0] (apm_pro): unknown field cost (expected product_code, users, protected, "
                     "max_reclaims, max_holders, grace_days, price)"]
