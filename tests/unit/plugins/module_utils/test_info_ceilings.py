# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``max_holders`` and ``ceilings`` of the info modules: the shared helper (``_ceilings``),
then datadog_seats_info against a scripted Datadog and msstore_seat_info against a fake
Store, both run as Ansible runs them (no sockets)."""

from __future__ import annotations

import json
import os
import sys

import pytest
import responses
from ansible.module_utils.common import warnings as ansible_warnings
from ansible.module_utils.testing import patch_module_args

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "modules"))

from test_datadog_seats import (  # noqa: E402  pylint: disable=wrong-import-position
    API_KEY,
    APP_KEY,
    PRODUCT,
    FakeDatadog,
    uid,
)
from test_msstore_fake import (  # noqa: E402  pylint: disable=wrong-import-position
    API,
    AUTH,
    SECRET,
    TENANT,
    FakeStore,
    connect_to,
    entry,
)

from ansible_collections.seatops.seats.plugins.module_utils import _msstore  # noqa: E402
from ansible_collections.seatops.seats.plugins.module_utils._ceilings import (  # noqa: E402
    ceiling,
    check_ceiling_value,
    check_ceilings,
)
from ansible_collections.seatops.seats.plugins.module_utils._seat_sync import SeatSyncError  # noqa: E402
from ansible_collections.seatops.seats.plugins.modules import (  # noqa: E402
    datadog_seats_info,
    msstore_seat_info,
)

try:
    from ansible.module_utils import _internal as module_utils_internal
except ImportError:  # ansible-core before 2.19 has no such flag
    module_utils_internal = None


@pytest.fixture(autouse=True)
def run_as_a_module(monkeypatch):
    """As in tests/unit/plugins/modules/conftest.py: modules never run in a controller
    process, whatever other tests imported; and one run's warnings must not leak."""
    if module_utils_internal is not None and hasattr(module_utils_internal, "is_controller"):
        monkeypatch.setattr(module_utils_internal, "is_controller", False)
    ansible_warnings._global_warnings.clear()
    yield
    ansible_warnings._global_warnings.clear()


def run(module, args, capsys):
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            module.main()
    out = capsys.readouterr().out
    for secret in (API_KEY, APP_KEY, SECRET):
        assert secret not in out
    return json.loads(out)


# -- the shared helper -------------------------------------------------------------------

class TestHelper(object):
    @pytest.mark.parametrize("holders, max_holders, above", [
        (27, 25, 2),   # above
        (25, 25, 0),   # at
        (3, 25, 0),    # below
        (0, 0, 0),
        (1, 0, 1),
    ])
    def test_above_is_what_exceeds_the_ceiling(self, holders, max_holders, above):
        assert ceiling(holders, max_holders) == {"holders": holders, "max_holders": max_holders,
                                                 "above": above}

    def test_facts_come_next_to_the_ceiling_and_unknown_holders_stay_unknown(self):
        assert ceiling(4, 3, seat_capacity=10, available_seats=6) == {
            "holders": 4, "max_holders": 3, "above": 1, "seat_capacity": 10, "available_seats": 6}
        assert ceiling(None, 3)["above"] is None

    def test_values_are_whole_numbers(self):
        assert check_ceilings(None, lambda name, field: name) == {}
        assert check_ceilings({}, lambda name, field: name) == {}
        assert check_ceilings({"a": 0, "b": "12", "c": " 7 "}, lambda name, field: name) == {
            "a": 0, "b": 12, "c": 7}

    @pytest.mark.parametrize("value", [None, -1, 2.5, "ten", "-3", True, [], {}])
    def test_a_bad_value_names_its_field(self, value):
        with pytest.raises(SeatSyncError) as info:
            check_ceilings({"prod": value}, lambda name, field: name)
        assert str(info.value).startswith("max_holders.prod must be a whole number (0 or more), got ")
        with pytest.raises(SeatSyncError, match=r"^here must be a whole number"):
            check_ceiling_value(value, "here")

    def test_the_key_check_sees_the_field_and_a_value_error_is_reported(self):
        def key(name, field):
            if name == "bad":
                raise ValueError("%s is no product" % field)
            return name.upper()

        assert check_ceilings({"x": 1}, key) == {"X": 1}
        with pytest.raises(SeatSyncError, match=r"^max_holders\.bad is no product$"):
            check_ceilings({"x": 1, "bad": 2}, key)

    def test_two_names_of_one_product_are_refused(self):
        with pytest.raises(SeatSyncError) as info:
            check_ceilings({"x": 1, "X": 1}, lambda name, field: name.upper())
        assert str(info.value) == "max_holders.x and max_holders.X both name X: give each product one ceiling"

    def test_not_a_mapping(self):
        with pytest.raises(SeatSyncError, match="max_holders must be a mapping"):
            check_ceilings(["x"], lambda name, field: name)


# -- datadog_seats_info ------------------------------------------------------------------

@pytest.fixture
def mock():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        yield mocked


@pytest.fixture
def datadog(mock):
    return FakeDatadog(mock, holders=range(5))


def dd_info(capsys, **args):
    args.setdefault("api_key", API_KEY)
    args.setdefault("app_key", APP_KEY)
    return run(datadog_seats_info, args, capsys)


class TestDatadogInfo(object):
    def test_holders_above_at_and_below_the_ceiling(self, datadog, capsys):
        result = dd_info(capsys, product_codes=[PRODUCT, "apm_pro"],
                         max_holders={PRODUCT: 4, "apm_pro": 0})
        assert result["ceilings"] == {PRODUCT: {"holders": 5, "max_holders": 4, "above": 1},
                                      "apm_pro": {"holders": 0, "max_holders": 0, "above": 0}}
        assert result["changed"] is False and "failed" not in result
        below = dd_info(capsys, product_codes=[PRODUCT], max_holders={PRODUCT: "6"})
        assert below["ceilings"] == {PRODUCT: {"holders": 5, "max_holders": 6, "above": 0}}
        # The ceilings cost no call of their own: one holder read per product, as before.
        assert below["api_calls"] == {"GET /api/v2/seats/users": 1, "total": 1}

    def test_only_the_products_named_get_a_ceiling(self, datadog, capsys):
        result = dd_info(capsys, product_codes=[PRODUCT, "apm_pro"], max_holders={"apm_pro": 3})
        assert result["ceilings"] == {"apm_pro": {"holders": 0, "max_holders": 3, "above": 0}}

    def test_without_max_holders_ceilings_is_empty(self, datadog, capsys):
        assert dd_info(capsys, product_codes=[PRODUCT])["ceilings"] == {}
        assert dd_info(capsys, product_codes=[PRODUCT], max_holders={})["ceilings"] == {}

    def test_holders_counts_everybody_whatever_users_filters(self, datadog, capsys):
        result = dd_info(capsys, product_codes=[PRODUCT], users=["user1@example.com", uid(3)],
                         max_holders={PRODUCT: 2})
        assert [holder["id"] for holder in result["seats"][PRODUCT]] == [uid(1), uid(3)]
        assert result["counts"] == {PRODUCT: 2}
        assert result["ceilings"] == {PRODUCT: {"holders": 5, "max_holders": 2, "above": 3}}

    def test_holders_read_on_several_pages(self, mock, capsys):
        FakeDatadog(mock, users=30, holders=range(23), page_limit=10)
        result = dd_info(capsys, product_codes=[PRODUCT], users=["user0@example.com"],
                         max_holders={PRODUCT: 20})
        assert result["ceilings"][PRODUCT] == {"holders": 23, "max_holders": 20, "above": 3}
        assert result["counts"] == {PRODUCT: 1}

    @pytest.mark.parametrize("max_holders, message", [
        ({"on_call": 3}, "max_holders.on_call: on_call is not one of product_codes (incident_response)"),
        ({"Incident_Response": 3}, "max_holders.Incident_Response: Incident_Response is not one of product_codes"),
        ({PRODUCT: "ten"}, "max_holders.incident_response must be a whole number (0 or more), got 'ten'"),
        ({PRODUCT: -1}, "max_holders.incident_response must be a whole number (0 or more), got -1"),
        ({PRODUCT: 2.5}, "max_holders.incident_response must be a whole number (0 or more), got 2.5"),
        ({PRODUCT: None}, "max_holders.incident_response must be a whole number (0 or more), got None"),
    ])
    def test_bad_input_names_the_field_before_any_call(self, datadog, mock, capsys, max_holders, message):
        result = dd_info(capsys, product_codes=[PRODUCT], max_holders=max_holders)
        assert result["failed"] is True
        assert result["msg"].startswith(message), result["msg"]
        assert result["api_calls"] == {"total": 0}
        assert len(mock.calls) == 0

    def test_a_key_not_listed_says_how_to_fix_it(self, datadog, mock, capsys):
        result = dd_info(capsys, product_codes=[PRODUCT, "apm_pro"], max_holders={"on_call": 1})
        assert result["msg"] == ("max_holders.on_call: on_call is not one of product_codes (incident_response, "
                                 "apm_pro): a ceiling applies to a product this task lists, so add the code to "
                                 "product_codes or take it out of max_holders")
        assert len(mock.calls) == 0

    def test_a_string_of_pairs_is_a_mapping_for_ansible(self, datadog, capsys):
        # Ansible's dict type reads "key=value" text (a survey answer, say) as a mapping.
        result = dd_info(capsys, product_codes=[PRODUCT], max_holders="%s=5" % PRODUCT)
        assert result["ceilings"] == {PRODUCT: {"holders": 5, "max_holders": 5, "above": 0}}


# -- msstore_seat_info --------------------------------------------------------------------

KEY = ("9NBLGGH4R2R6", "0016")
OPEN = ("CFQ7TTC0K5DR", "0001")
OFFLINE = ("9WZDNCRFJ3PZ", "0016")
REMOVED = ("9MSPC6MP8FM4", "0010")
BARE = ("9NXQXXLFST89", "0001")     # an entry without seatCapacity / availableSeats


def bare_entry():
    found = entry(*BARE, policy="Open")
    del found["seatCapacity"]
    del found["availableSeats"]
    return found


@pytest.fixture
def store(monkeypatch):
    fake = FakeStore(
        {KEY: entry(capacity=5, available=3),
         OPEN: entry(*OPEN, capacity=50, available=49, policy="Open"),
         OFFLINE: entry(*OFFLINE, capacity=20, available=15, license_type="Offline"),
         REMOVED: entry(*REMOVED, capacity=10, available=7, status="Removed"),
         BARE: bare_entry()},
        seats={KEY: {"ann@contoso.com": "ann@contoso.com", "bob@contoso.com": "bob@contoso.com"},
               OPEN: {"ann@contoso.com": "ann@contoso.com"},
               BARE: dict(("u%d@contoso.com" % n, "u%d@contoso.com" % n) for n in range(3))},
        users=["cy@contoso.com"])
    return connect_to(fake, monkeypatch, _msstore)


def ms_info(capsys, **args):
    base = dict(tenant_id=TENANT, client_id="app", client_secret=SECRET, api_url=API, auth_url=AUTH)
    base.update(args)
    return run(msstore_seat_info, base, capsys)


def key(product):
    return "%s/%s" % product


class TestStoreInfo(object):
    def test_inventory_holders_above_at_and_below_next_to_capacity(self, store, capsys):
        result = ms_info(capsys, max_holders={key(KEY): 1, key(OPEN): 1, key(OFFLINE): 9})
        assert result["view"] == "inventory"
        assert result["ceilings"] == {
            key(KEY): {"holders": 2, "max_holders": 1, "above": 1, "seat_capacity": 5, "available_seats": 3},
            key(OPEN): {"holders": 1, "max_holders": 1, "above": 0, "seat_capacity": 50, "available_seats": 49},
            key(OFFLINE): {"holders": 5, "max_holders": 9, "above": 0, "seat_capacity": 20,
                           "available_seats": 15},
        }
        # From the inventory alone: no seat list is read.
        assert store.count("GET", "/Seats") == 0

    def test_keys_match_without_regard_to_case_and_come_back_upper_case(self, store, capsys):
        result = ms_info(capsys, max_holders={" 9nblggh4r2r6/0016 ": 2})
        assert result["ceilings"] == {key(KEY): {"holders": 2, "max_holders": 2, "above": 0, "seat_capacity": 5,
                                                 "available_seats": 3}}

    def test_a_removed_product_has_its_ceiling_though_the_inventory_view_hides_it(self, store, capsys):
        result = ms_info(capsys, max_holders={key(REMOVED): 2})
        assert [item["product_id"] for item in result["inventory"]].count(REMOVED[0]) == 0
        assert result["ceilings"][key(REMOVED)] == {"holders": 3, "max_holders": 2, "above": 1,
                                                    "seat_capacity": 10, "available_seats": 7}

    def test_an_entry_without_counts_has_its_seat_list_counted(self, store, capsys):
        result = ms_info(capsys, max_holders={key(BARE): 2})
        assert result["ceilings"][key(BARE)] == {"holders": 3, "max_holders": 2, "above": 1,
                                                 "seat_capacity": None, "available_seats": None}
        assert store.count("GET", "/Inventory/9NXQXXLFST89/0001/Seats$") == 2   # page size 2

    def test_without_max_holders_ceilings_is_empty_in_every_view(self, store, capsys):
        assert ms_info(capsys)["ceilings"] == {}
        assert ms_info(capsys, product_id=KEY[0], sku_id=KEY[1])["ceilings"] == {}
        assert ms_info(capsys, users=["ann@contoso.com"])["ceilings"] == {}

    def test_a_product_the_inventory_does_not_list_fails_naming_it(self, store, capsys):
        result = ms_info(capsys, max_holders={key(KEY): 3, "9ZZZZZZZZZZZ/0001": 1, "9YYYYYYYYYYY/0002": 1})
        assert result["failed"] is True
        assert result["msg"] == (
            "max_holders names 9ZZZZZZZZZZZ/0001, 9YYYYYYYYYYY/0002, which the Store for Business inventory of "
            "tenant %s does not list (a product removed from the inventory may be left out of it); check both "
            "ids against view=inventory (msstore_seat_info only reads: nothing was changed)" % TENANT)
        assert store.writes() == []

    def test_product_view_counts_the_seats_read(self, store, capsys):
        result = ms_info(capsys, product_id=KEY[0], sku_id=KEY[1], max_holders={"9NBLGGH4R2R6/0016": 1})
        assert result["view"] == "product" and result["seats_count"] == 2
        assert result["ceilings"] == {key(KEY): {"holders": 2, "max_holders": 1, "above": 1, "seat_capacity": 5,
                                                 "available_seats": 3}}
        at = ms_info(capsys, product_id=KEY[0].lower(), sku_id=KEY[1], max_holders={key(KEY).lower(): 2})
        assert at["ceilings"][key(KEY)]["above"] == 0

    def test_product_view_of_a_product_with_seats_and_counts_apart(self, store, capsys):
        # The seats read, not the inventory's count, are the holders in view=product.
        store.seats[KEY]["cy@contoso.com"] = "cy@contoso.com"
        result = ms_info(capsys, view="product", product_id=KEY[0], sku_id=KEY[1], max_holders={key(KEY): 5})
        assert result["ceilings"][key(KEY)] == {"holders": 3, "max_holders": 5, "above": 0, "seat_capacity": 5,
                                                "available_seats": 3}

    @pytest.mark.parametrize("args, message", [
        ({"product_id": KEY[0], "sku_id": KEY[1], "max_holders": {key(OPEN): 1}},
         "max_holders.CFQ7TTC0K5DR/0001: view=product reads 9NBLGGH4R2R6/0016 only"),
        ({"users": ["ann@contoso.com"], "max_holders": {key(KEY): 1}},
         "max_holders applies to view=inventory and view=product, not view=users"),
        ({"users": ["ann@contoso.com"], "max_holders": {}},
         "max_holders applies to view=inventory and view=product, not view=users"),
        ({"max_holders": {"9NBLGGH4R2R6": 1}},
         "max_holders.9NBLGGH4R2R6: a product is written PRODUCTID/SKUID, such as 9NBLGGH4R2R6/0016"),
        ({"max_holders": {"short/0016": 1}},
         "max_holders.short/0016: the product id must be the 12-character alphanumeric Store id"),
        ({"max_holders": {"9NBLGGH4R2R6/16": 1}},
         "max_holders.9NBLGGH4R2R6/16: the SKU id after the slash must be 4 digits"),
        ({"max_holders": {key(KEY): "lots"}},
         "max_holders.9NBLGGH4R2R6/0016 must be a whole number (0 or more), got 'lots'"),
        ({"max_holders": {key(KEY): -2}},
         "max_holders.9NBLGGH4R2R6/0016 must be a whole number (0 or more), got -2"),
        ({"max_holders": {key(KEY): 1, key(KEY).lower(): 1}},
         "max_holders.9NBLGGH4R2R6/0016 and max_holders.9nblggh4r2r6/0016 both name 9NBLGGH4R2R6/0016"),
    ])
    def test_bad_input_names_the_field_and_calls_nothing(self, store, capsys, args, message):
        result = ms_info(capsys, **args)
        assert result["failed"] is True
        assert result["msg"].startswith(message), result["msg"]
        assert result["msg"].endswith("(msstore_seat_info only reads: nothing was changed)")
        assert result["api_calls"] == {"total": 0}
        assert store.calls == []
