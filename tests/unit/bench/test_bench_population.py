# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The desired state with drift that make bench measures (bench/population.py)."""

from __future__ import annotations

import yaml

from bench import population


def user(index, status="Active", service_account=False):
    return {"id": "00000000-0000-4000-8000-%012d" % index, "email": "user%03d@example.com" % index,
            "status": status, "disabled": status == "Disabled", "service_account": service_account}


def small_seed():
    users = [user(i) for i in range(40)]
    users[30] = user(30, status="Disabled")
    users[31] = user(31, service_account=True)
    users[32] = user(32, status="Pending")
    upns = ["user%03d@tenant.example" % i for i in range(30)]
    return {
        "generated": {"credentials": {
            "datadog": {"api_key": "k", "app_key": "a"},
            "msstore": {"tenant": "tenant.example", "client_id": "c", "client_secret": "s"}}},
        "datadog": {
            "products": [{"code": "apm_pro"}, {"code": "rum"}],
            "users": users,
            "seats": {"apm_pro": [u["id"] for u in users[:20]], "rum": [u["id"] for u in users[5:15]]},
        },
        "msstore": {"tenants": [{
            "id": "tenant.example", "users": upns,
            "inventory": [{"product_id": "9NGEN0000000", "sku_id": "0001"}],
            "seats": {"9NGEN0000000/0001": upns[:10]},
        }]},
    }


def test_drift_counts():
    assert population.drift_counts(0) == 0
    assert population.drift_counts(10) == 1          # at least one when there are holders
    assert population.drift_counts(10000) == 50      # 0.5% of holders
    assert population.drift_counts(5000) == 25
    assert population.drift_counts(300) == 2         # 1.5 rounds half up


def test_reclaim_guard_lets_the_drift_through():
    assert population.reclaim_guard(10000, 50) == "2%"
    assert population.reclaim_guard(100, 10) == 10


def test_make_drift_reclaims_holders_and_assigns_eligible_non_holders():
    seed = small_seed()
    drift = population.make_drift(seed, drift=3)
    users = dict((u["id"], u) for u in seed["datadog"]["users"])
    by_email = dict((u["email"], u["id"]) for u in seed["datadog"]["users"])
    entries = dict((entry["product_code"], entry) for entry in drift.desired["datadog"])
    assert set(entries) == {"apm_pro", "rum"}
    for code, entry in entries.items():
        holders = set(seed["datadog"]["seats"][code])
        desired = set(by_email[email] for email in entry["users"])
        assert len(holders - desired) == 3                  # reclaims are holders left out
        added = desired - holders
        assert len(added) == 3
        for uid in added:                                    # assigns: Active/Pending, enabled, no service account
            assert users[uid]["status"] in ("Active", "Pending")
            assert not users[uid]["service_account"]
        assert drift.expected[("datadog", code)] == desired
        assert entry["users"] == sorted(entry["users"])
    store = drift.desired["msstore"][0]
    assert (store["product_id"], store["sku_id"]) == ("9NGEN0000000", "0001")
    holders = set(seed["msstore"]["tenants"][0]["seats"]["9NGEN0000000/0001"])
    assert len(holders - set(store["users"])) == 3 and len(set(store["users"]) - holders) == 3
    works = dict((work.product, work) for work in drift.datadog_works + drift.store_works)
    assert works["apm_pro"].holders == 20 and works["rum"].holders == 10
    assert works["apm_pro"].total_users == 40
    assert works["9NGEN0000000/0001"].unresolved == 3
    assert drift.assigns == 9 and drift.reclaims == 9


def test_make_drift_is_deterministic_and_can_pick_products():
    seed = small_seed()
    first = population.make_drift(seed)
    second = population.make_drift(seed)
    assert first.desired == second.desired
    one = population.make_drift(seed, datadog=["rum"], msstore=[])
    assert [entry["product_code"] for entry in one.desired["datadog"]] == ["rum"]
    assert "msstore" not in one.desired
    assert one.datadog_works[0].reclaims == 1


def test_without_drift_has_nothing_to_do():
    drift = population.make_drift(small_seed(), drift=2).without_drift()
    for work in drift.datadog_works + drift.store_works:
        assert (work.unresolved, work.assigns, work.reclaims) == (0, 0, 0)
    assert [work.holders for work in drift.datadog_works] == [20, 10]


def test_synced_seed_and_state_mismatches():
    seed = small_seed()
    drift = population.make_drift(seed, drift=2)
    synced = population.synced_seed(seed, drift)
    assert seed["datadog"]["seats"]["apm_pro"] != synced["datadog"]["seats"]["apm_pro"]   # a copy
    state = {
        "datadog": {"products": dict(
            (code, {"holders": [{"id": uid} for uid in synced["datadog"]["seats"][code]]})
            for code in ("apm_pro", "rum"))},
        "msstore": {"tenants": {"tenant.example": {"products": {
            "9NGEN0000000/0001": {"holders": synced["msstore"]["tenants"][0]["seats"]["9NGEN0000000/0001"]}}}}},
    }
    assert population.state_mismatches(state, drift) == []
    state["datadog"]["products"]["rum"]["holders"].pop()
    state["msstore"]["tenants"]["tenant.example"]["products"]["9NGEN0000000/0001"]["holders"].append(
        "ghost@tenant.example")
    assert population.state_mismatches(state, drift) == [
        "rum: 1 missing, 0 extra", "9NGEN0000000/0001: 0 missing, 1 extra"]


def test_desired_state_file_keeps_sku_ids_strings(tmp_path):
    drift = population.make_drift(small_seed())
    path = population.write_desired_state(drift.desired, str(tmp_path / "desired.yml"))
    loaded = yaml.safe_load(open(path, encoding="utf-8"))
    assert loaded["msstore"][0]["sku_id"] == "0001"
    assert loaded == drift.desired


def test_credentials_env():
    env = population.credentials_env(small_seed())
    assert env == {"DD_API_KEY": "k", "DD_APP_KEY": "a", "AZURE_TENANT_ID": "tenant.example",
                   "AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "s"}
