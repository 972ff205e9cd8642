# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""msstore_seat and msstore_seat_info as Ansible runs them, against a fake Store session."""

from __future__ import annotations

import json
import os
import sys

import pytest

from ansible.module_utils.testing import patch_module_args

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "module_utils"))

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
from ansible_collections.seatops.seats.plugins.modules import (  # noqa: E402
    msstore_seat,
    msstore_seat_info,
)

KEY = ("9NBLGGH4R2R6", "0016")
OTHER = ("CFQ7TTC0K5DR", "0001")


@pytest.fixture
def store(monkeypatch):
    fake = FakeStore(
        {KEY: entry(capacity=5, available=3),
         OTHER: entry("CFQ7TTC0K5DR", "0001", policy="Open"),
         ("9WZDNCRFJ3PZ", "0016"): entry("9WZDNCRFJ3PZ", "0016", license_type="Offline"),
         ("9MSPC6MP8FM4", "0010"): entry("9MSPC6MP8FM4", "0010", status="Removed")},
        seats={KEY: {"ann@contoso.com": "ann@contoso.com", "bob@contoso.com": "bob@contoso.com"},
               OTHER: {"ann@contoso.com": "ann@contoso.com"}},
        users=["cy@contoso.com", "dee@contoso.com"])
    return connect_to(fake, monkeypatch, _msstore)


def run(module, capsys, check_mode=False, diff=False, **args):
    base = dict(tenant_id=TENANT, client_id="app", client_secret=SECRET, api_url=API,
                auth_url=AUTH)
    base.update(args)
    if check_mode:
        base["_ansible_check_mode"] = True
    if diff:
        base["_ansible_diff"] = True
    with patch_module_args(base):
        with pytest.raises(SystemExit):
            module.main()
    out = capsys.readouterr().out
    assert SECRET not in out
    return json.loads(out)


class TestSeat(object):
    def test_check_apply_rerun(self, store, capsys):
        args = dict(product_id="9nblggh4r2r6", sku_id="0016",
                    users=["Cy@contoso.com", "cy@contoso.com", "ann@contoso.com"])
        predicted = run(msstore_seat, capsys, check_mode=True, diff=True, **args)
        assert store.writes() == []
        assert predicted["changed"] is True and predicted["assigned"] == ["Cy@contoso.com"]
        assert predicted["available_seats"] == 2 and predicted["holders_count"] == 3
        applied = run(msstore_seat, capsys, diff=True, **args)
        for key in ("changed", "assigned", "reclaimed", "unchanged", "available_seats",
                    "holders_count", "diff"):
            assert applied[key] == predicted[key], key
        assert store.holders() == ["ann@contoso.com", "bob@contoso.com", "cy@contoso.com"]
        again = run(msstore_seat, capsys, **args)
        assert again["changed"] is False and again["unchanged"] == 2
        assert again["api_calls"]["total"] == again["api_calls"]["GET /Inventory"] + 2 + 1

    def test_sku_as_number_fails_before_any_call(self, store, capsys):
        result = run(msstore_seat, capsys, product_id="9NBLGGH4R2R6", sku_id=16, users=[])
        assert result["failed"] and "sku_id" in result["msg"] and "Quote" in result["msg"]
        assert store.calls == []

    def test_a_missing_ca_path_fails_naming_it_before_any_call(self, store, capsys, tmp_path):
        missing = str(tmp_path / "corp-ca.pem")
        result = run(msstore_seat, capsys, product_id="9NBLGGH4R2R6", sku_id="0016",
                     users=["ann@contoso.com"], ca_path=missing)
        assert result["msg"] == ("ca_path %s does not exist: give the path of the PEM file "
                                 "holding the CA certificate(s) of the server (no call was "
                                 "made)" % missing)
        assert result["failed"] is True and result["changed"] is False
        assert result["api_calls"] == {"total": 0} and store.calls == []

    def test_bad_upn_fails_before_any_call(self, store, capsys):
        result = run(msstore_seat, capsys, product_id="9NBLGGH4R2R6", sku_id="0016",
                     users=["ann@contoso.com", "bob"])
        assert "users[1] 'bob'" in result["msg"] and store.calls == []

    def test_unknown_users_fail_warn_ignore(self, store, capsys):
        args = dict(product_id="9NBLGGH4R2R6", sku_id="0016",
                    users=["ghost@contoso.com", "dee@contoso.com"])
        failed = run(msstore_seat, capsys, **args)
        assert failed["failed"] and "ghost@contoso.com" in failed["msg"]
        assert store.writes() == []
        warned = run(msstore_seat, capsys, unknown_users="warn", **args)
        assert warned["assigned"] == ["dee@contoso.com"]
        assert warned["skipped_users"][0]["user"] == "ghost@contoso.com"
        # ansible-core 2.19 sends warnings as structured summaries.
        assert "skipped ghost@contoso.com" in json.dumps(warned["warnings"])

    def test_offline_and_removed_products_fail_clearly(self, store, capsys):
        offline = run(msstore_seat, capsys, product_id="9WZDNCRFJ3PZ", sku_id="0016",
                      users=["ann@contoso.com"])
        assert "Offline licence" in offline["msg"]
        removed = run(msstore_seat, capsys, product_id="9MSPC6MP8FM4", sku_id="0010",
                      users=["ann@contoso.com"])
        assert "removed" in removed["msg"]
        assert store.writes() == []

    def test_capacity_exhaustion_states_needed_and_available(self, store, capsys):
        many = ["n%d@contoso.com" % i for i in range(4)]
        store.users.update(many)
        result = run(msstore_seat, capsys, check_mode=True, product_id="9NBLGGH4R2R6",
                     sku_id="0016", users=many)
        assert "4 needed, 3 available" in result["msg"] and store.writes() == []

    def test_a_capacity_refusal_still_returns_every_always_key(self, store, capsys):
        many = ["n%d@contoso.com" % i for i in range(4)]
        store.users.update(many)
        result = run(msstore_seat, capsys, product_id="9NBLGGH4R2R6", sku_id="0016",
                     users=many + ["ghost@contoso.com"], unknown_users="warn")
        assert result["failed"] is True and "4 needed, 3 available" in result["msg"]
        assert result["assigned"] == [] and result["reclaimed"] == [] and result["failed_users"] == []
        assert result["skipped_users"] == [{"user": "ghost@contoso.com", "reason": result["skipped_users"][0]["reason"]}]
        assert result["changed"] is False and result["api_calls"]["total"] >= 2
        assert store.writes() == []

    def test_exclusive_guard_and_protected(self, store, capsys):
        args = dict(product_id="9NBLGGH4R2R6", sku_id="0016", users=["cy@contoso.com"],
                    exclusive=True, protected=["bob@contoso.com"])
        refused = run(msstore_seat, capsys, max_reclaims=0, **args)
        assert "Refusing to reclaim 1 of 2" in refused["msg"] and store.writes() == []
        done = run(msstore_seat, capsys, max_reclaims=1, **args)
        assert done["reclaimed"] == ["ann@contoso.com"] and done["assigned"] == ["cy@contoso.com"]
        assert store.holders() == ["bob@contoso.com", "cy@contoso.com"]

    def test_a_protected_upn_protects_its_holder_in_any_case_without_a_lookup(self, store, capsys):
        # A UPN names one person and holders carry it: nothing to look up, so no lookup can
        # fail or match several people (the Datadog question of issue 10 item 7).
        result = run(msstore_seat, capsys, product_id="9NBLGGH4R2R6", sku_id="0016",
                     users=["cy@contoso.com"], exclusive=True, protected=["BOB@Contoso.COM"],
                     max_reclaims=1, unknown_users="warn")
        assert result["reclaimed"] == ["ann@contoso.com"] and result["skipped_users"] == []
        assert store.holders() == ["bob@contoso.com", "cy@contoso.com"]
        assert store.count("GET", r"/Seats/bob") == 0

    def test_state_absent_reclaims_named_users(self, store, capsys):
        result = run(msstore_seat, capsys, product_id="9NBLGGH4R2R6", sku_id="0016",
                     users=["ANN@contoso.com", "dee@contoso.com"], state="absent")
        assert result["reclaimed"] == ["ann@contoso.com"] and result["unchanged"] == 1
        assert result["available_seats"] == 4 and result["holders_count"] == 1

    def test_wrong_secret_names_the_tenant_and_hides_the_secret(self, store, capsys):
        result = run(msstore_seat, capsys, product_id="9NBLGGH4R2R6", sku_id="0016",
                     users=[], client_secret="not-the-secret")
        assert "wrong client_secret" in result["msg"] and TENANT in result["msg"]
        assert "not-the-secret" not in json.dumps(result)

    def test_secret_from_environment(self, store, capsys, monkeypatch):
        monkeypatch.setenv("AZURE_CLIENT_SECRET", SECRET)
        result = run(msstore_seat, capsys, product_id="9NBLGGH4R2R6", sku_id="0016",
                     users=["ann@contoso.com"], client_secret=None)
        assert result["changed"] is False and result["failed_users"] == [] and result["unchanged"] == 1

    def test_both_secret_and_token_are_refused(self, store, capsys):
        result = run(msstore_seat, capsys, product_id="9NBLGGH4R2R6", sku_id="0016",
                     users=[], access_token="abc")
        assert "mutually exclusive" in result["msg"] and store.calls == []


class TestInfo(object):
    def test_inventory_view_hides_removed_by_default(self, store, capsys):
        result = run(msstore_seat_info, capsys)
        assert result["view"] == "inventory" and result["inventory_count"] == 3
        first = result["inventory"][0]
        assert first["product_id"] == "9NBLGGH4R2R6" and first["assigned_seats"] == 2
        everything = run(msstore_seat_info, capsys, include_removed=True)
        assert everything["inventory_count"] == 4

    def test_product_view(self, store, capsys):
        result = run(msstore_seat_info, capsys, product_id="9NBLGGH4R2R6", sku_id="0016")
        assert result["view"] == "product"
        assert [s["user"] for s in result["seats"]] == ["ann@contoso.com", "bob@contoso.com"]
        assert result["product"]["available_seats"] == 3

    def test_users_view_across_products(self, store, capsys):
        result = run(msstore_seat_info, capsys, users=["Ann@contoso.com", "ghost@contoso.com",
                                                       "cy@contoso.com"],
                     unknown_users="ignore")
        assert result["view"] == "users"
        assert [s["product_id"] for s in result["user_seats"]["Ann@contoso.com"]] == \
            ["9NBLGGH4R2R6", "CFQ7TTC0K5DR"]
        assert result["user_seats"]["cy@contoso.com"] == []
        assert result["skipped_users"][0]["user"] == "ghost@contoso.com"
        assert result["seats_count"] == 2

    def test_view_needs_its_options(self, store, capsys):
        result = run(msstore_seat_info, capsys, view="product", product_id="9NBLGGH4R2R6")
        assert "needs product_id and sku_id" in result["msg"] and store.calls == []
