# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.seatops.seats.plugins.module_utils import _platforms as registry
from ansible_collections.seatops.seats.plugins.module_utils._datadog import (
    check_product_code,
    connection_argument_spec as datadog_spec,
    normalise_name,
)
from ansible_collections.seatops.seats.plugins.module_utils._datadog_seats_backend import DATADOG
from ansible_collections.seatops.seats.plugins.module_utils._msstore import (
    check_product_id,
    check_sku_id,
    connection_argument_spec as msstore_spec,
    normalise_upn,
)
from ansible_collections.seatops.seats.plugins.module_utils._msstore_seats_backend import STORE


def test_the_registry_lists_each_platform_once_in_a_fixed_order():
    assert registry.NAMES == ("datadog", "msstore", "github")
    assert [registry.get(name).name for name in registry.NAMES] == list(registry.NAMES)
    assert registry.get("msstore").label == "Microsoft Store" and registry.get("datadog").label == "Datadog"
    with pytest.raises(KeyError):
        registry.get("nowhere")


def test_each_entry_names_its_modules_fields_rules_and_person():
    datadog, store = registry.get("datadog"), registry.get("msstore")
    assert (datadog.seat_module, datadog.info_module) == ("seatops.seats.datadog_seats", "seatops.seats.datadog_seats_info")
    assert (store.seat_module, store.info_module) == ("seatops.seats.msstore_seat", "seatops.seats.msstore_seat_info")
    assert datadog.product_checks == (("product_code", check_product_code),)
    assert store.product_checks == (("product_id", check_product_id), ("sku_id", check_sku_id))
    assert datadog.product_fields == ("product_code",) and store.product_fields == ("product_id", "sku_id")
    assert (datadog.name_rule, store.name_rule) == (normalise_name, normalise_upn)
    assert (datadog.person_field, store.person_field) == ("email", "upn")
    assert (datadog.inventory, store.inventory) == (False, True)


def test_connection_options_are_the_argument_specs_own_keys():
    assert registry.get("datadog").connection_options == tuple(datadog_spec())
    assert registry.get("msstore").connection_options == tuple(msstore_spec())
    assert "api_key" in registry.get("datadog").connection_options
    assert "access_token" in registry.get("msstore").connection_options


def test_product_labels_read_as_people_know_them():
    assert registry.get("datadog").product_label({"product_code": "incident_response", "users": []}) == "incident_response"
    assert registry.get("msstore").product_label({"product_id": "9NBLGGH4R2R6", "sku_id": "0016"}) == "9NBLGGH4R2R6/0016"


def test_product_field_checks_are_the_clients_rules_raising_value_error_named_by_where():
    datadog, store = registry.get("datadog"), registry.get("msstore")
    assert datadog.check_product_field("product_code", " apm_pro ", "x.product_code") == "apm_pro"
    assert store.check_product_field("product_id", "9nblggh4r2r6", "x.product_id") == "9NBLGGH4R2R6"
    with pytest.raises(ValueError, match=r"^x\[0\]\.product_code is empty"):
        datadog.check_product_field("product_code", " ", "x[0].product_code")
    with pytest.raises(ValueError, match=r"^x\.sku_id must be a 4-digit string"):
        store.check_product_field("sku_id", 16, "x.sku_id")


def test_name_rules_are_the_clients_own():
    assert registry.get("datadog").check_name("Ann@Example.com") == "ann@example.com"
    assert registry.get("msstore").check_name("Ann@Contoso.com") == "ann@contoso.com"
    with pytest.raises(ValueError):
        registry.get("msstore").check_name("not a upn")


def test_each_entry_carries_its_module_side_for_the_module_runner():
    assert registry.get("datadog").module_side is DATADOG
    assert registry.get("msstore").module_side is STORE
