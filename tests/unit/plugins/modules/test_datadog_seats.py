# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""datadog_seats and datadog_seats_info as Ansible runs them, against a scripted Datadog
(``responses`` callbacks over an in-memory organisation): argument handling, the calls made,
and the result."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from ansible.module_utils.common import warnings as ansible_warnings
from ansible.module_utils.testing import patch_module_args

from ansible_collections.seatops.seats.plugins.module_utils import _datadog
from ansible_collections.seatops.seats.plugins.modules import datadog_seats, datadog_seats_info

URL = "https://api.datadoghq.com"
API_KEY = "unit-api-key-5f0c2d"
APP_KEY = "unit-app-key-9e7b1a"
PRODUCT = "incident_response"


def uid(number):
    return "00000000-0000-4000-8000-%012d" % number


class FakeDatadog(object):
    """Just enough of the Seats and Users APIs: pages, exact errors, write log."""

    def __init__(self, mock, base=URL, users=20, holders=(), page_limit=None):
        self.base = base
        self.users = {}
        for number in range(users):
            self.add_user(number)
        self.holders = {PRODUCT: list(uid(n) for n in holders), "apm_pro": []}
        self.writes = []
        self.fail_writes = []  # statuses to answer the next writes with
        self.page_limit = page_limit
        seats = re.compile(re.escape(base) + r"/api/v2/seats/users.*")
        mock.add_callback("GET", seats, self.seats_get)
        mock.add_callback("POST", seats, self.seats_write)
        mock.add_callback("DELETE", seats, self.seats_write)
        mock.add_callback("GET", re.compile(re.escape(base) + r"/api/v2/users/[^?]+"),
                          self.user_get)
        mock.add_callback("GET", re.compile(re.escape(base) + r"/api/v2/users(\?.*)?$"),
                          self.users_get)

    def add_user(self, number, email=None, handle=None, disabled=False, service_account=False):
        email = email or "user%d@example.com" % number
        self.users[uid(number)] = {"type": "users", "id": uid(number), "attributes": {
            "email": email, "handle": handle or email, "name": "User %d" % number,
            "status": "Disabled" if disabled else "Active", "disabled": disabled,
            "service_account": service_account}}

    @staticmethod
    def _denied(request):
        return (request.headers.get("DD-API-KEY") != API_KEY
                or request.headers.get("DD-APPLICATION-KEY") != APP_KEY)

    def seats_get(self, request):
        if self._denied(request):
            return 403, {}, json.dumps({"errors": ["Forbidden"]})
        query = dict((k, v[0]) for k, v in parse_qs(urlparse(request.url).query).items())
        code = query["product_code"]
        if code not in self.holders:
            return 422, {}, json.dumps({"errors": [{"title": "Generic Error",
                                                    "detail": "invalid product_code %s" % code}]})
        limit = self.page_limit or int(query["page[limit]"])
        start = int(query.get("page[cursor]", "0"))
        ids = self.holders[code]
        if not ids:
            return 200, {}, json.dumps({"data": []})
        data = [{"type": "seat-users", "id": user_id, "attributes": {
            "email": self.users[user_id]["attributes"]["email"], "name": "n",
            "assigned_at": "2026-01-01T00:00:00Z"}} for user_id in ids[start:start + limit]]
        meta = {"limit": limit}
        if start + limit < len(ids):
            meta["next_cursor"] = str(start + limit)
        return 200, {}, json.dumps({"data": data, "meta": meta})

    def seats_write(self, request):
        if self._denied(request):
            return 403, {}, json.dumps({"errors": ["Forbidden"]})
        body = json.loads(request.body)
        attributes = body["data"]["attributes"]
        code, ids = attributes["product_code"], attributes["user_uuids"]
        self.writes.append((request.method, code, list(ids)))
        assert request.headers["Content-Type"] == "application/json"
        assert 1 <= len(ids) <= 1000
        if self.fail_writes:
            status = self.fail_writes.pop(0)
            return status, {}, json.dumps({"errors": ["Internal Server Error"]})
        bad = [user_id for user_id in ids if user_id not in self.users
               or (request.method == "POST" and self.users[user_id]["attributes"]["disabled"])]
        if bad:
            return 422, {}, json.dumps({"errors": [{"title": "Generic Error",
                                                    "detail": "invalid user_uuids: " + ",".join(bad)}]})
        holders = self.holders[code]
        for user_id in ids:
            if request.method == "POST" and user_id not in holders:
                holders.append(user_id)
            if request.method == "DELETE" and user_id in holders:
                holders.remove(user_id)
        if request.method == "DELETE":
            return 204, {}, ""
        return 201, {}, json.dumps({"data": {"type": "seat-assignments", "attributes": {
            "product_code": code, "assigned_ids": ids}}})

    def users_get(self, request):
        query = dict((k, v[0]) for k, v in parse_qs(urlparse(request.url).query).items())
        text = query.get("filter", "").lower()
        size, number = int(query["page[size]"]), int(query["page[number]"])
        matching = [user for user in self.users.values() if not text or any(
            text in (user["attributes"][key] or "").lower() for key in ("email", "handle", "name"))]
        page = matching[number * size:(number + 1) * size]
        return 200, {}, json.dumps({"data": page, "included": [], "meta": {"page": {
            "total_count": len(self.users), "total_filtered_count": len(matching)}}})

    def user_get(self, request):
        user_id = urlparse(request.url).path.rsplit("/", 1)[1]
        if user_id not in self.users:
            return 404, {}, json.dumps({"errors": ["%s not found" % user_id]})
        return 200, {}, json.dumps({"data": self.users[user_id], "included": []})

    def emails(self, code=PRODUCT):
        return sorted(self.users[user_id]["attributes"]["email"] for user_id in self.holders[code])


@pytest.fixture(autouse=True)
def fresh_warnings():
    # AnsibleModule.warn() collects in a process-wide dict; one run's must not leak into the next.
    ansible_warnings._global_warnings.clear()
    yield
    ansible_warnings._global_warnings.clear()


@pytest.fixture
def mock():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        yield mocked


@pytest.fixture
def api(mock):
    return FakeDatadog(mock, holders=range(5))


def run(module, args, capsys, check=False, diff=False, keys=True):
    args = dict(args)
    if keys:
        args.setdefault("api_key", API_KEY)
        args.setdefault("app_key", APP_KEY)
    args["_ansible_check_mode"] = check
    args["_ansible_diff"] = diff
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            module.main()
    out = capsys.readouterr().out
    assert API_KEY not in out and APP_KEY not in out
    return json.loads(out)


def seats(args, capsys, **kwargs):
    args = dict(args)
    args.setdefault("product_code", PRODUCT)
    return run(datadog_seats, args, capsys, **kwargs)


def ids(views):
    return [view["id"] for view in views]


class TestArguments(object):
    def test_missing_keys_name_options_and_env_before_any_call(self, mock, capsys, monkeypatch):
        monkeypatch.delenv("DD_API_KEY", raising=False)
        monkeypatch.delenv("DD_APP_KEY", raising=False)
        result = seats({"users": ["a@example.com"]}, capsys, keys=False)
        assert result["failed"] is True
        assert "missing api_key and app_key" in result["msg"]
        assert "DD_API_KEY and DD_APP_KEY" in result["msg"]
        assert len(mock.calls) == 0

    def test_env_fallbacks_pick_keys_and_site(self, capsys, monkeypatch):
        monkeypatch.setenv("DD_API_KEY", API_KEY)
        monkeypatch.setenv("DD_APP_KEY", APP_KEY)
        monkeypatch.setenv("DD_SITE", "datadoghq.eu")
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
            api = FakeDatadog(mocked, base="https://api.datadoghq.eu", holders=[1])
            result = seats({"users": ["user1@example.com"]}, capsys, keys=False)
        assert result["changed"] is False and result["unchanged"] == 1
        assert api.writes == []

    def test_site_choices_are_listed(self, mock, capsys):
        result = seats({"site": "datadog.com", "users": []}, capsys)
        assert result["failed"] is True
        assert "site" in result["msg"] and "us5.datadoghq.com" in result["msg"]

    def test_api_url_must_be_http(self, mock, capsys):
        result = seats({"api_url": "127.0.0.1:8080", "users": []}, capsys)
        assert "api_url must start with http" in result["msg"]

    @pytest.mark.parametrize("args, message", [
        ({"product_code": "incident response"}, "product_code 'incident response' is not a valid"),
        ({"users": ["a@example.com", "0b8c5e06-5b1c-4f5e-9a52-0c3a1c6a9b1"]},
         r"users\[1\] '0b8c5e06-5b1c-4f5e-9a52-0c3a1c6a9b1': looks like a user UUID"),
        ({"users": ["a@"]}, r"users\[0\] 'a@': is not a plausible email"),
        ({"users": [], "protected": ["two words"]}, r"protected\[0\]"),
        ({"users": ["a@example.com"], "state": "absent", "exclusive": True},
         "exclusive=true needs state=present"),
        ({"exclusive": True}, "exclusive=true needs users"),
        ({"users": [], "max_reclaims": "lots"}, "max_reclaims must be a whole number"),
        ({"users": ["A@example.com"], "protected": ["a@example.com"]},
         "users and protected both name"),
    ])
    def test_bad_input_fails_before_any_call(self, mock, capsys, args, message):
        result = seats(args, capsys)
        assert result["failed"] is True and re.search(message, result["msg"]), result["msg"]
        assert len(mock.calls) == 0


class TestSeats(object):
    def test_check_mode_predicts_with_zero_writes_then_apply_matches(self, api, mock, capsys):
        args = {"users": ["USER1@example.com", "user7@example.com", uid(8)]}
        predicted = seats(args, capsys, check=True, diff=True)
        assert api.writes == []
        assert predicted["changed"] is True
        assert ids(predicted["assigned"]) == [uid(7), uid(8)]
        assert predicted["unchanged"] == 1
        assert predicted["diff"]["after"]["holders"] == sorted(
            ["user%d@example.com" % n for n in (0, 1, 2, 3, 4, 7, 8)])
        applied = seats(args, capsys, diff=True)
        assert api.writes == [("POST", PRODUCT, [uid(7), uid(8)])]
        for key in ("changed", "assigned", "reclaimed", "unchanged", "skipped_users", "failed_users",
                    "holders_count", "diff", "product_code"):
            assert applied[key] == predicted[key], key
        again = seats(args, capsys)
        assert again["changed"] is False and len(api.writes) == 1
        assert again["api_calls"] == {"GET /api/v2/seats/users": 1, "total": 1}

    def test_names_among_holders_need_no_lookup(self, api, capsys):
        result = seats({"users": ["user0@example.com", uid(3)], "state": "absent"}, capsys)
        assert ids(result["reclaimed"]) == [uid(0), uid(3)]
        assert result["api_calls"] == {"DELETE /api/v2/seats/users": 1,
                                       "GET /api/v2/seats/users": 1, "total": 2}

    def test_absent_for_non_holder_is_unchanged(self, api, capsys):
        result = seats({"users": ["user9@example.com"], "state": "absent"}, capsys)
        assert result["changed"] is False and result["unchanged"] == 1 and api.writes == []

    def test_exclusive_keeps_protected_and_reports_reclaims(self, api, capsys):
        result = seats({"users": ["user0@example.com", "user10@example.com"],
                        "exclusive": True, "protected": ["user1@example.com"],
                        "max_reclaims": 3}, capsys)
        assert ids(result["assigned"]) == [uid(10)]
        assert ids(result["reclaimed"]) == [uid(2), uid(3), uid(4)]
        assert api.emails() == ["user0@example.com", "user10@example.com", "user1@example.com"]
        assert result["holders_count"] == 3

    def test_protected_handle_is_looked_up_only_when_needed(self, mock, capsys):
        api = FakeDatadog(mock, holders=[0, 1])
        api.add_user(1, email="bot@example.com", handle="bot-handle", service_account=True)
        result = seats({"users": ["user0@example.com"], "exclusive": True,
                        "protected": ["bot-handle"], "max_reclaims": 1}, capsys)
        assert result["changed"] is False and api.writes == []
        assert result["api_calls"]["GET /api/v2/users"] == 1

    def test_a_protected_email_two_users_share_protects_both(self, mock, capsys):
        api = FakeDatadog(mock, holders=[0, 1, 2, 3])
        api.add_user(1, email="shared@example.com")
        api.add_user(2, email="shared@example.com")
        result = seats({"users": ["user0@example.com"], "exclusive": True, "unknown_users": "warn",
                        "protected": ["shared@example.com"], "max_reclaims": 3}, capsys)
        assert ids(result["reclaimed"]) == [uid(3)]
        assert sorted(api.holders[PRODUCT]) == [uid(0), uid(1), uid(2)]
        assert result["skipped_users"] == [] and "warnings" not in result

    def test_a_protected_email_that_is_another_users_handle_protects_both(self, mock, capsys):
        api = FakeDatadog(mock, holders=[0, 1, 2, 3])
        api.add_user(1, email="ops@example.com")
        api.add_user(2, email="oncall-lead@example.com", handle="ops@example.com")
        result = seats({"users": ["user0@example.com"], "exclusive": True, "unknown_users": "warn",
                        "protected": ["OPS@example.com"], "max_reclaims": 3}, capsys)
        assert ids(result["reclaimed"]) == [uid(3)]
        assert sorted(api.holders[PRODUCT]) == [uid(0), uid(1), uid(2)]

    def test_an_ambiguous_name_in_users_is_still_unknown(self, mock, capsys):
        api = FakeDatadog(mock, holders=[])
        api.add_user(1, email="shared@example.com")
        api.add_user(2, email="shared@example.com")
        result = seats({"users": ["shared@example.com"], "unknown_users": "fail"}, capsys)
        assert result["failed"] is True and api.writes == []
        assert "ambiguous: 2 Datadog users match" in result["msg"]

    def test_a_protected_name_whose_lookup_fails_stops_the_run_before_any_write(self, mock, capsys):
        api = FakeDatadog(mock, holders=[0, 1, 2])
        mock.replace("GET", re.compile(re.escape(URL) + r"/api/v2/users(\?.*)?$"), status=500,
                     json={"errors": ["Internal Server Error"]})
        result = seats({"users": ["user0@example.com"], "exclusive": True, "unknown_users": "warn",
                        "protected": ["breakglass"], "max_reclaims": 5, "retries": 0}, capsys)
        assert result["failed"] is True and api.writes == []
        assert result["msg"].startswith(
            "product %s: looking up protected breakglass (nothing was changed): "
            "Datadog GET /api/v2/users failed (HTTP 500)" % PRODUCT), result["msg"]
        assert "exclusive reclaims nobody without it" in result["msg"]
        assert sorted(api.holders[PRODUCT]) == [uid(0), uid(1), uid(2)]

    def test_a_refused_guard_still_returns_every_always_key(self, api, capsys):
        result = seats({"users": ["ghost@example.com"], "exclusive": True, "unknown_users": "warn"},
                       capsys)
        assert result["failed"] is True and "Refusing to reclaim" in result["msg"]
        assert result["assigned"] == [] and result["reclaimed"] == [] and result["failed_users"] == []
        # The names skipped before the guard refused are still reported.
        assert [item["user"] for item in result["skipped_users"]] == ["ghost@example.com"]
        assert result["product_code"] == PRODUCT and result["api_calls"]["total"] >= 1
        assert result["changed"] is False

    def test_bad_input_returns_every_always_key_with_no_call(self, mock, capsys):
        result = seats({"users": ["two words"]}, capsys)
        assert result["failed"] is True and "users[0]" in result["msg"]
        always = ("assigned", "reclaimed", "skipped_users", "failed_users", "api_calls", "product_code")
        assert dict((key, result[key]) for key in always) == {
            "assigned": [], "reclaimed": [], "skipped_users": [], "failed_users": [],
            "api_calls": {"total": 0}, "product_code": PRODUCT}
        assert len(mock.calls) == 0

    def test_guard_refuses_before_any_write(self, api, capsys):
        result = seats({"users": [], "exclusive": True}, capsys, check=True)
        assert result["failed"] is True
        assert "Refusing to reclaim 5 of 5 seats of incident_response" in result["msg"]
        result = seats({"users": [], "exclusive": True}, capsys)
        assert result["failed"] is True and api.writes == []

    @pytest.mark.parametrize("mode", ["fail", "warn", "ignore"])
    def test_unknown_users(self, api, capsys, mode):
        result = seats({"users": ["user9@example.com", "ghost@example.com", uid(999)],
                        "unknown_users": mode}, capsys)
        if mode == "fail":
            assert result["failed"] is True and api.writes == []
            assert "ghost@example.com: no Datadog user has this email or handle" in result["msg"]
            assert uid(999) in result["msg"]
            return
        assert ids(result["assigned"]) == [uid(9)]
        assert [item["user"] for item in result["skipped_users"]] == [uid(999), "ghost@example.com"]
        assert bool(result.get("warnings")) == (mode == "warn")

    def test_ambiguous_name_is_never_guessed(self, mock, capsys):
        api = FakeDatadog(mock, holders=[])
        api.add_user(1, email="shared@example.com")
        api.add_user(2, email="other@example.com", handle="shared@example.com")
        result = seats({"users": ["shared@example.com"]}, capsys)
        assert result["failed"] is True and "ambiguous: 2 Datadog users match" in result["msg"]
        assert api.writes == []

    def test_disabled_and_service_accounts(self, mock, capsys):
        api = FakeDatadog(mock, holders=[])
        api.add_user(1, disabled=True)
        api.add_user(2, service_account=True)
        result = seats({"users": ["user1@example.com", "user2@example.com",
                                  "user3@example.com"]}, capsys)
        assert ids(result["assigned"]) == [uid(3)]
        reasons = dict((item["user"], item["reason"]) for item in result["skipped_users"])
        assert "disabled" in reasons["user1@example.com"]
        assert "allow_disabled=true" in reasons["user2@example.com"]
        assert len(result["warnings"]) == 2
        assert api.writes == [("POST", PRODUCT, [uid(3)])]
        result = seats({"users": ["user1@example.com", "user2@example.com"],
                        "allow_disabled": True}, capsys)
        assert ids(result["assigned"]) == [uid(2)]
        assert [item["user"] for item in result["skipped_users"]] == ["user1@example.com"]

    def test_absent_reclaims_disabled_holders(self, mock, capsys):
        api = FakeDatadog(mock, holders=[1])
        api.add_user(1, disabled=True)
        result = seats({"users": ["user1@example.com"], "state": "absent"}, capsys)
        assert ids(result["reclaimed"]) == [uid(1)] and api.holders[PRODUCT] == []

    def test_batch_refusal_is_split_and_reported(self, mock, capsys, monkeypatch):
        api = FakeDatadog(mock, holders=[])
        real_resolve = _datadog.DatadogClient.resolve

        def resolve_then_disable(self, names, every_match=()):
            found = real_resolve(self, names, every_match)
            api.users[uid(4)]["attributes"]["disabled"] = True  # disabled after the lookup
            return found

        monkeypatch.setattr(_datadog.DatadogClient, "resolve", resolve_then_disable)
        result = seats({"users": [uid(3), uid(4)]}, capsys)
        assert result["failed"] is True
        assert ids(result["assigned"]) == [uid(3)]
        assert result["failed_users"] == [{
            "user": "user4@example.com",
            "reason": "Datadog refused this user (unknown or disabled): invalid user_uuids: %s"
                      % uid(4)}]
        assert "1 seat change(s) on incident_response failed, 1 succeeded" in result["msg"]
        assert api.writes == [("POST", PRODUCT, [uid(3), uid(4)]), ("POST", PRODUCT, [uid(3)])]

    def test_5xx_write_rereads_holders_for_true_outcomes(self, api, capsys):
        api.fail_writes = [500, 500, 500, 500]
        result = seats({"users": ["user8@example.com"], "retries": 3}, capsys)
        assert result["failed"] is True and result["assigned"] == []
        assert result["failed_users"][0]["user"] == "user8@example.com"
        assert result["failed_users"][0]["reason"] == "HTTP 500: Internal Server Error"
        assert result["api_calls"]["GET /api/v2/seats/users"] == 2  # the re-read
        assert result["api_calls"]["POST /api/v2/seats/users"] == 4

    def test_retried_write_that_succeeded_is_reported_assigned(self, api, capsys):
        api.fail_writes = [503]
        result = seats({"users": ["user8@example.com"]}, capsys)
        assert result.get("failed") is not True and ids(result["assigned"]) == [uid(8)]
        assert result["api_calls"]["GET /api/v2/seats/users"] == 2

    def test_large_plan_is_batched_by_1000(self, mock, capsys):
        api = FakeDatadog(mock, users=2600, holders=[], page_limit=1000)
        result = seats({"users": [uid(n) for n in range(2500)]}, capsys)
        assert [len(write[2]) for write in api.writes] == [1000, 1000, 500]
        assert len(result["assigned"]) == 2500
        # 2500 UUIDs: the first listing page said 26 pages; listing beat 2500 lookups.
        assert result["api_calls"]["GET /api/v2/users"] == 25
        assert "GET /api/v2/users/{user_id}" not in result["api_calls"]

    def test_holders_over_several_pages(self, mock, capsys):
        api = FakeDatadog(mock, users=30, holders=range(25), page_limit=10)
        result = seats({"users": ["user24@example.com"], "state": "absent"}, capsys)
        assert ids(result["reclaimed"]) == [uid(24)]
        assert result["api_calls"]["GET /api/v2/seats/users"] == 3
        assert api.writes == [("DELETE", PRODUCT, [uid(24)])]

    def test_bad_keys_fail_clearly_without_keys(self, api, capsys):
        result = seats({"users": ["user1@example.com"], "app_key": "wrong-app-key-123"}, capsys)
        assert result["failed"] is True
        assert "HTTP 403" in result["msg"] and "billing_read" in result["msg"]
        assert "wrong-app-key-123" not in json.dumps(result)

    def test_journal_lines(self, api, capsys, tmp_path):
        journal = tmp_path / "journal.jsonl"
        seats({"users": ["user6@example.com"], "journal": str(journal)}, capsys, check=True)
        assert not journal.exists()
        seats({"users": ["user6@example.com"], "journal": str(journal)}, capsys)
        lines = [json.loads(line) for line in journal.read_text().splitlines()]
        lines = [line for line in lines if line["outcome"] != "pending"]  # intent lines
        assert [(line["action"], line["user"], line["id"], line["platform"])
                for line in lines] == [("assign", "user6@example.com", uid(6), "datadog")]


class TestInfo(object):
    def test_lists_every_product_with_counts(self, api, capsys):
        result = run(datadog_seats_info, {"product_codes": [PRODUCT, "apm_pro", PRODUCT]},
                     capsys, check=True)
        assert result["changed"] is False
        assert [holder["email"] for holder in result["seats"][PRODUCT]] == [
            "user%d@example.com" % n for n in range(5)]
        assert set(result["seats"][PRODUCT][0]) == {"id", "email", "name", "assigned_at"}
        assert result["counts"] == {PRODUCT: 5, "apm_pro": 0}
        assert result["api_calls"] == {"GET /api/v2/seats/users": 2, "total": 2}

    def test_only_given_users(self, mock, capsys):
        api = FakeDatadog(mock, holders=[1, 2])
        api.add_user(2, email="two@example.com", handle="two-handle")
        result = run(datadog_seats_info, {"product_codes": [PRODUCT],
                                          "users": ["USER1@example.com", "two-handle",
                                                    "nobody@example.com"]}, capsys)
        assert ids(result["seats"][PRODUCT]) == [uid(2), uid(1)]
        assert result["not_holding"] == ["nobody@example.com"]
        assert result["api_calls"]["GET /api/v2/users"] == 1

    def test_unknown_product_fails_with_api_message(self, api, capsys):
        result = run(datadog_seats_info, {"product_codes": ["nope"]}, capsys)
        assert result["failed"] is True and "invalid product_code nope" in result["msg"]


def test_a_failed_user_lookup_names_the_product(capsys):
    """The soak's finding: a lookup that ran out of retries must still say which product."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        FakeDatadog(mocked, holders=[1])
        mocked.replace("GET", re.compile(re.escape(URL) + r"/api/v2/users(\?.*)?$"), status=403,
                       json={"errors": ["Forbidden"]})
        result = seats({"users": ["user1@example.com", "user2@example.com"]}, capsys)
    assert result["failed"] is True
    assert result["msg"].startswith("product %s: looking up user2@example.com (nothing was changed): "
                                    "Datadog GET /api/v2/users failed (HTTP 403)" % PRODUCT), result["msg"]
