# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Datadog client against scripted HTTP (``responses``): no socket is ever opened."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlparse

import certifi
import pytest
import responses
from responses import matchers

from ansible_collections.seatops.seats.plugins.module_utils._datadog import (
    ERROR_MESSAGE,
    MAX_BATCH,
    SITES,
    DatadogClient,
    DatadogError,
    base_url,
    check_product_code,
    invalid_uuids,
    normalise_name,
)

URL = "https://api.datadoghq.com"
SEATS = URL + "/api/v2/seats/users"
USERS = URL + "/api/v2/users"
API_KEY = "api-key-0123456789abcdef"
APP_KEY = "app-key-fedcba9876543210"


def uid(number):
    return "00000000-0000-4000-8000-%012d" % number


def user(number, email=None, handle=None, disabled=False, service_account=False):
    email = email or "user%d@example.com" % number
    return {"type": "users", "id": uid(number),
            "attributes": {"email": email, "handle": handle or email, "name": "User %d" % number,
                           "status": "Disabled" if disabled else "Active",
                           "disabled": disabled, "service_account": service_account}}


def users_page(items, total):
    return {"data": items, "included": [],
            "meta": {"page": {"total_count": total, "total_filtered_count": len(items)}}}


def holder(number, email=None):
    return {"type": "seat-users", "id": uid(number),
            "attributes": {"email": email or "user%d@example.com" % number,
                           "name": "User %d" % number, "assigned_at": "2026-01-01T00:00:00Z"}}


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(sleeps):
    return DatadogClient.connect(API_KEY, APP_KEY, retries=2, sleep=sleeps.append)


def calls_to(path_prefix):
    return [call for call in responses.calls if call.request.url.startswith(path_prefix)]


class TestInputChecks(object):
    @pytest.mark.parametrize("name, expected", [
        ("Ana.Lima@Example.COM", "ana.lima@example.com"),
        ("  handle_1 ", "handle_1"),
        ("0B8C5E06-5B1C-4F5E-9A52-0C3A1C6A9B11", "0b8c5e06-5b1c-4f5e-9a52-0c3a1c6a9b11"),
    ])
    def test_normalise_accepts_and_lowers(self, name, expected):
        assert normalise_name(name) == expected

    @pytest.mark.parametrize("name, reason", [
        ("0b8c5e06-5b1c-4f5e-9a52-0c3a1c6a9b1", "looks like a user UUID"),
        ("0b8c5e06-5b1c-4f5e-9a52-0c3a1c6a9b1122", "looks like a user UUID"),
        ("ana@", "not a plausible email"),
        ("@example.com", "not a plausible email"),
        ("a@b@example.com", "not a plausible email"),
        ("ana@.example.com", "not a plausible email"),
        ("ana lima@example.com", "without whitespace"),
    ])
    def test_normalise_refuses_with_reason(self, name, reason):
        with pytest.raises(ValueError, match=reason):
            normalise_name(name)

    def test_product_code(self):
        assert check_product_code(" incident_response ") == "incident_response"
        for bad in ("", "  ", "incident response", "a/b", "x" * 101):
            with pytest.raises(DatadogError, match="product_code"):
                check_product_code(bad)

    def test_base_url_for_every_site_and_override(self):
        assert len(SITES) == 9
        assert base_url("datadoghq.eu") == "https://api.datadoghq.eu"
        assert base_url("uk1.datadoghq.com") == "https://api.uk1.datadoghq.com"
        assert base_url(None) == "https://api.datadoghq.com"
        assert base_url("datadoghq.eu", "http://127.0.0.1:8080/") == "http://127.0.0.1:8080"

    def test_base_url_refusals_name_the_field(self):
        with pytest.raises(DatadogError, match=r"site must be one of datadoghq.com, .*uk1"):
            base_url("datadog.com")
        with pytest.raises(DatadogError, match="api_url must start with http"):
            base_url(None, "ftp://example.com")

    def test_missing_keys_name_options_and_env(self):
        with pytest.raises(DatadogError) as caught:
            DatadogClient.connect(None, "")
        assert "api_key and app_key" in str(caught.value)
        assert "DD_API_KEY and DD_APP_KEY" in str(caught.value)
        with pytest.raises(DatadogError, match="missing app_key.*DD_APP_KEY"):
            DatadogClient.connect(API_KEY, None)

    def test_tls_options_reach_the_session(self):
        bundle = certifi.where()  # a real PEM bundle: ca_path is checked before any call
        assert DatadogClient.connect(API_KEY, APP_KEY, ca_path=bundle).http.session.verify \
            == bundle
        assert DatadogClient.connect(API_KEY, APP_KEY, validate_certs=False).http.session.verify \
            is False
        assert DatadogClient.connect(API_KEY, APP_KEY).http.session.verify is True

    @pytest.mark.parametrize("options, message", [
        ({"timeout": 0}, "timeout must be a positive number"),
        ({"retries": -1}, "retries must be 0 or more"),
    ])
    def test_connection_numbers(self, options, message):
        with pytest.raises(DatadogError, match=message):
            DatadogClient.connect(API_KEY, APP_KEY, **options)

    def test_invalid_uuids_parses_the_422_detail(self):
        detail = "invalid user_uuids: %s,%s" % (uid(1), uid(2).upper())
        assert invalid_uuids(detail) == {uid(1), uid(2)}
        assert invalid_uuids("not enough seats available") == set()


class TestHolders(object):
    @responses.activate
    def test_reads_every_page_with_cursor_and_headers(self, client):
        responses.get(SEATS, match=[matchers.query_param_matcher(
            {"product_code": "incident_response", "page[limit]": "1000"})],
            json={"data": [holder(1), holder(2)], "meta": {"limit": 1000, "next_cursor": "c2"}})
        responses.get(SEATS, match=[matchers.query_param_matcher(
            {"product_code": "incident_response", "page[limit]": "1000", "page[cursor]": "c2"})],
            json={"data": [holder(3, email=None)], "meta": {"limit": 1000, "next_cursor": ""}})
        holders = client.list_holders("incident_response")
        assert [item["id"] for item in holders] == [uid(1), uid(2), uid(3)]
        assert holders[0] == {"id": uid(1), "email": "user1@example.com", "name": "User 1",
                              "assigned_at": "2026-01-01T00:00:00Z"}
        sent = responses.calls[0].request.headers
        assert sent["DD-API-KEY"] == API_KEY and sent["DD-APPLICATION-KEY"] == APP_KEY
        assert sent["X-Datadog-Managed-By"] == "iac"
        assert client.api_calls() == {"GET /api/v2/seats/users": 2, "total": 2}

    @responses.activate
    def test_no_holders_is_data_without_meta(self, client):
        responses.get(SEATS, json={"data": []})
        assert client.list_holders("incident_response") == []
        assert len(responses.calls) == 1

    @responses.activate
    def test_repeated_cursor_is_refused(self, client):
        responses.get(SEATS, json={"data": [holder(1)], "meta": {"next_cursor": "same"}})
        with pytest.raises(DatadogError, match="repeated a page token"):
            client.list_holders("incident_response")
        assert len(responses.calls) == 2

    @responses.activate
    def test_403_names_permission_and_options_never_keys(self, client):
        responses.get(SEATS, status=403, json={"errors": ["Forbidden"]})
        with pytest.raises(DatadogError) as caught:
            client.list_holders("incident_response")
        message = str(caught.value)
        assert caught.value.status == 403
        assert "incident_response" in message and "Forbidden" in message
        assert "billing_read" in message and "api_key and app_key" in message
        assert API_KEY not in message and APP_KEY not in message
        assert len(responses.calls) == 1  # never retried
        assert message.endswith(
            "the application key's owner has one of the permissions billing_read, "
            "incident_read or on_call_read (any one is enough), and user_access_read, which "
            "Datadog's newer API reference also asks for on this call")

    @responses.activate
    def test_object_error_shape_and_echoed_key_is_scrubbed(self, client):
        responses.get(SEATS, status=422, json={"errors": [
            {"title": "Generic Error", "detail": "invalid product_code nope %s" % APP_KEY}]})
        with pytest.raises(DatadogError) as caught:
            client.list_holders("nope")
        assert "invalid product_code nope" in str(caught.value)
        assert APP_KEY not in str(caught.value)
        assert len(responses.calls) == 1

    @responses.activate
    def test_429_waits_for_reset_then_succeeds(self, client, sleeps):
        responses.get(SEATS, status=429, body="", headers={"x-ratelimit-reset": "7",
                                                           "x-ratelimit-remaining": "9"})
        responses.get(SEATS, json={"data": [holder(1)]})
        assert len(client.list_holders("incident_response")) == 1
        assert len(sleeps) == 1 and 7 <= sleeps[0] < 7.5
        assert client.api_calls()["total"] == 2

    @responses.activate
    def test_5xx_retried_then_success(self, client, sleeps):
        responses.get(SEATS, status=503, body="upstream unavailable")
        responses.get(SEATS, status=502, body="")
        responses.get(SEATS, json={"data": [holder(1)]})
        assert len(client.list_holders("incident_response")) == 1
        assert len(sleeps) == 2

    @responses.activate
    def test_5xx_until_retries_run_out(self, client):
        responses.get(SEATS, status=500, json={"errors": ["Internal Server Error"]})
        with pytest.raises(DatadogError) as caught:
            client.list_holders("incident_response")
        assert caught.value.status == 500
        assert "after 3 attempt(s)" in str(caught.value)
        assert len(responses.calls) == 3


class _CappedSeats(object):
    """GET seats with a page[limit] maximum: over it, the sandbox's 400 naming page[limit]."""

    def __init__(self, holders, max_limit=100):
        self.holders = holders
        self.max_limit = max_limit
        self.asked = []

    def __call__(self, request):
        query = dict((key, values[0]) for key, values in
                     parse_qs(urlparse(request.url).query).items())
        limit = int(query["page[limit]"])
        self.asked.append((limit, query.get("page[cursor]")))
        if limit > self.max_limit:
            return 400, {}, json.dumps({"errors": [{
                "title": "Generic Error",
                "detail": "page[limit] must be an integer from 1 to %d" % self.max_limit}]})
        ids = self.holders[query["product_code"]]
        start = int(query.get("page[cursor]") or 0)
        body = {"data": [holder(number) for number in ids[start:start + limit]],
                "meta": {"limit": limit}}
        if start + limit < len(ids):
            body["meta"]["next_cursor"] = str(start + limit)
        return 200, {}, json.dumps(body)


class TestPageLimitFallback(object):
    """No page[limit] maximum is documented: a 400 naming it makes the run read 100 a page."""

    @responses.activate
    def test_falls_back_once_warns_once_and_counts_the_refused_call(self, client):
        api = _CappedSeats({"incident_response": list(range(250)), "on_call": list(range(120))})
        responses.add_callback("GET", SEATS, callback=api)
        holders = client.list_holders("incident_response")
        assert [item["id"] for item in holders] == [uid(n) for n in range(250)]
        assert api.asked == [(1000, None), (100, None), (100, "100"), (100, "200")]
        assert client.api_calls() == {"GET /api/v2/seats/users": 4, "total": 4}
        assert client.warnings() == [
            "Datadog refused page[limit]=1000 on GET /api/v2/seats/users (HTTP 400: "
            "page[limit] must be an integer from 1 to 100); this run reads seat holders 100 "
            "per page instead (one extra call, counted in api_calls)"]
        # Later reads of the same run ask for 100 at once: no refused call, no new warning.
        assert len(client.list_holders("on_call")) == 120
        assert api.asked[4:] == [(100, None), (100, "100")]
        assert client.api_calls()["total"] == 6
        assert len(client.warnings()) == 1

    @responses.activate
    def test_a_refusal_part_way_continues_from_the_same_cursor(self, client):
        api = _CappedSeats({"incident_response": list(range(1150))}, max_limit=1000)

        def cap_after_first_page(request):
            if "page%5Bcursor%5D" in request.url or "page[cursor]" in request.url:
                api.max_limit = 100
            return api(request)

        responses.add_callback("GET", SEATS, callback=cap_after_first_page)
        assert len(client.list_holders("incident_response")) == 1150
        assert api.asked == [(1000, None), (1000, "1000"), (100, "1000"), (100, "1100")]
        assert client.api_calls()["total"] == 4 and len(client.warnings()) == 1

    @responses.activate
    def test_the_large_page_is_asked_first_and_no_warning_when_served(self, client):
        api = _CappedSeats({"incident_response": list(range(1500))}, max_limit=1000)
        responses.add_callback("GET", SEATS, callback=api)
        assert len(client.list_holders("incident_response")) == 1500
        assert api.asked == [(1000, None), (1000, "1000")]
        assert client.warnings() == []

    @responses.activate
    def test_a_400_at_100_is_an_error_not_another_fall_back(self, client):
        api = _CappedSeats({"incident_response": list(range(5))}, max_limit=50)
        responses.add_callback("GET", SEATS, callback=api)
        with pytest.raises(DatadogError) as caught:
            client.list_holders("incident_response")
        assert caught.value.status == 400 and "page[limit]" in str(caught.value)
        assert api.asked == [(1000, None), (100, None)]
        assert len(client.warnings()) == 1

    @responses.activate
    def test_another_400_is_not_a_page_limit_refusal(self, client):
        responses.get(SEATS, status=400, json={"errors": [
            {"title": "Generic Error", "detail": "product_code query parameter is required"}]})
        with pytest.raises(DatadogError, match="product_code query parameter is required"):
            client.list_holders("incident_response")
        assert len(responses.calls) == 1 and client.warnings() == []


class TestWrites(object):
    @responses.activate
    def test_assign_body_and_headers(self, client):
        responses.post(SEATS, status=201, json={
            "data": {"type": "seat-assignments", "attributes": {"assigned_ids": []}}})
        assert client.assign("incident_response", [uid(1), uid(2)]) is False
        request = responses.calls[0].request
        assert json.loads(request.body) == {"data": {"type": "seat-assignments", "attributes": {
            "product_code": "incident_response", "user_uuids": [uid(1), uid(2)]}}}
        assert request.headers["Content-Type"] == "application/json"
        assert request.headers["X-Datadog-Managed-By"] == "iac"

    @responses.activate
    def test_unassign_sends_a_body_on_delete(self, client):
        responses.delete(SEATS, status=204)
        client.unassign("incident_response", [uid(3)])
        request = responses.calls[0].request
        assert request.method == "DELETE"
        assert json.loads(request.body)["data"]["attributes"]["user_uuids"] == [uid(3)]
        assert request.headers["Content-Type"] == "application/json"

    def test_never_sends_empty_or_oversized_batch(self, client):
        with pytest.raises(ValueError):
            client.assign("incident_response", [])
        with pytest.raises(ValueError):
            client.unassign("incident_response", [uid(n) for n in range(MAX_BATCH + 1)])

    @responses.activate
    def test_write_403_names_billing_edit(self, client):
        responses.post(SEATS, status=403, json={"errors": ["Forbidden"]})
        with pytest.raises(DatadogError, match="billing_edit"):
            client.assign("incident_response", [uid(1)])

    @responses.activate
    @pytest.mark.parametrize("method", ["POST", "DELETE"])
    def test_write_403_names_every_write_permission(self, client, method):
        responses.add(method, SEATS, status=403, json={"errors": ["Forbidden"]})
        call = client.assign if method == "POST" else client.unassign
        with pytest.raises(DatadogError) as caught:
            call("incident_response", [uid(1)])
        assert str(caught.value) == (
            "Datadog %s /api/v2/seats/users for product incident_response failed (HTTP 403): "
            "Forbidden. Check that api_key and app_key (or DD_API_KEY and DD_APP_KEY) are valid "
            "for this site (site or api_url), and that the application key's owner has one of "
            "the permissions billing_edit, incident_write or on_call_write (any one is enough)"
            % method)

    @responses.activate
    def test_retried_write_is_reported(self, client):
        responses.post(SEATS, status=503)
        responses.post(SEATS, status=201, json={})
        assert client.assign("incident_response", [uid(1)]) is True

    @responses.activate
    def test_422_keeps_detail_for_the_backend(self, client):
        responses.post(SEATS, status=422, json={"errors": [
            {"title": "Generic Error", "detail": "invalid user_uuids: %s" % uid(9)}]})
        with pytest.raises(DatadogError) as caught:
            client.assign("incident_response", [uid(9)])
        assert caught.value.status == 422 and not caught.value.retried
        assert invalid_uuids(caught.value.detail) == {uid(9)}
        assert len(responses.calls) == 1


class TestUsers(object):
    @responses.activate
    def test_find_users_reads_every_page_and_keeps_exact_matches(self, client):
        first = [user(n, email="ana%d@example.com" % n) for n in range(100)]
        first[40] = user(40, email="ANA@example.com")
        responses.get(USERS, match=[matchers.query_param_matcher(
            {"filter": "ana@example.com", "page[size]": "100", "page[number]": "0"})],
            json={"data": first, "meta": {"page": {"total_count": 5000,
                                                   "total_filtered_count": 101}}})
        responses.get(USERS, match=[matchers.query_param_matcher(
            {"filter": "ana@example.com", "page[size]": "100", "page[number]": "1"})],
            json={"data": [user(200, email="xana@example.com")],
                  "meta": {"page": {"total_count": 5000, "total_filtered_count": 101}}})
        matches, total = client.find_users("ana@example.com")
        assert [match["id"] for match in matches] == [uid(40)]
        assert total == 5000
        assert len(responses.calls) == 2

    @responses.activate
    def test_handle_match_and_flags(self, client):
        responses.get(USERS, json=users_page(
            [user(1, email="svc@example.com", handle="svc-bot", service_account=True)], 10))
        matches, _total = client.find_users("svc-bot")
        assert matches[0]["service_account"] is True and matches[0]["disabled"] is False

    @responses.activate
    def test_get_user_404_is_none(self, client):
        responses.get(USERS + "/" + uid(5), status=404, json={"errors": ["%s not found" % uid(5)]})
        responses.get(USERS + "/" + uid(6), json={"data": user(6, disabled=True), "included": []})
        assert client.get_user(uid(5)) is None
        assert client.get_user(uid(6))["disabled"] is True
        assert client.api_calls()["GET /api/v2/users/{user_id}"] == 2

    @responses.activate
    def test_users_403_names_user_access_read(self, client):
        responses.get(USERS, status=403, json={"errors": ["Forbidden"]})
        with pytest.raises(DatadogError, match="user_access_read"):
            client.find_users("ana@example.com")

    @responses.activate
    def test_user_get_403_names_user_access_read_only(self, client):
        responses.get(USERS + "/" + uid(1), status=403, json={"errors": ["Forbidden"]})
        with pytest.raises(DatadogError) as caught:
            client.get_user(uid(1))
        assert str(caught.value).endswith("owner has the user_access_read permission")
        assert "billing" not in str(caught.value)


class TestResolve(object):
    """Per-name lookups or one full listing, whichever costs fewer calls."""

    @responses.activate
    def test_few_names_in_a_big_org_are_looked_up_one_by_one(self, client):
        for name, number in (("a@example.com", 1), ("b@example.com", 2)):
            responses.get(USERS, match=[matchers.query_param_matcher(
                {"filter": name, "page[size]": "100", "page[number]": "0"})],
                json=users_page([user(number, email=name)], 5000))
        responses.get(USERS + "/" + uid(3), json={"data": user(3)})
        responses.get(USERS + "/" + uid(4), status=404, json={"errors": ["%s not found" % uid(4)]})
        resolved = client.resolve(["a@example.com", uid(3), "b@example.com", uid(4)])
        assert resolved["a@example.com"] == ("user", resolved["a@example.com"][1])
        assert resolved["a@example.com"][1]["id"] == uid(1)
        assert resolved["b@example.com"][1]["id"] == uid(2)
        assert resolved[uid(3)][0] == "user"
        assert resolved[uid(4)] == ("unknown", "no Datadog user has this UUID")
        assert client.api_calls() == {"GET /api/v2/users": 2, "GET /api/v2/users/{user_id}": 2,
                                      "total": 4}

    @responses.activate
    def test_many_names_in_a_small_org_use_one_listing(self, client):
        org = [user(n) for n in range(150)]
        org[7] = user(7, email="dup@example.com")
        org[8] = user(8, email="other@example.com", handle="dup@example.com")
        responses.get(USERS, match=[matchers.query_param_matcher(
            {"filter": "user1@example.com", "page[size]": "100", "page[number]": "0"})],
            json=users_page([user(1), user(10), user(11)], 150))
        for number in (0, 1):
            responses.get(USERS, match=[matchers.query_param_matcher(
                {"page[size]": "100", "page[number]": str(number)})],
                json={"data": org[number * 100:(number + 1) * 100],
                      "meta": {"page": {"total_count": 150, "total_filtered_count": 150}}})
        names = ["user1@example.com", "user2@example.com", "user120@example.com",
                 "dup@example.com", "ghost@example.com", uid(130)]
        resolved = client.resolve(names)
        assert resolved["user1@example.com"][1]["id"] == uid(1)
        assert resolved["user120@example.com"][1]["id"] == uid(120)
        assert resolved[uid(130)][1]["email"] == "user130@example.com"
        assert resolved["ghost@example.com"][0] == "unknown"
        verdict, reason = resolved["dup@example.com"]
        assert verdict == "unknown" and reason.startswith("ambiguous: 2 Datadog users match")
        assert client.api_calls() == {"GET /api/v2/users": 3, "total": 3}

    @responses.activate
    def test_uuids_only_stop_listing_once_all_found(self, client):
        org = [user(n) for n in range(1000)]
        for number in range(3):
            responses.get(USERS, match=[matchers.query_param_matcher(
                {"page[size]": "100", "page[number]": str(number)})],
                json={"data": org[number * 100:(number + 1) * 100],
                      "meta": {"page": {"total_count": 1000, "total_filtered_count": 1000}}})
        wanted = [uid(n) for n in (5, 150, 160, 170, 180, 190, 199, 210, 220, 230, 240)]
        resolved = client.resolve(wanted)
        assert all(resolved[name][0] == "user" for name in wanted)
        # Page 0 told 10 pages in all; 10 names were left (one-by-one would cost 10 calls,
        # the rest of the listing at most 9), and it stopped at page 2, where the last was.
        assert client.api_calls() == {"GET /api/v2/users": 3, "total": 3}

    @responses.activate
    def test_uuids_only_few_left_go_one_by_one(self, client):
        responses.get(USERS, match=[matchers.query_param_matcher(
            {"page[size]": "100", "page[number]": "0"})],
            json={"data": [user(n) for n in range(100)],
                  "meta": {"page": {"total_count": 5000, "total_filtered_count": 5000}}})
        responses.get(USERS + "/" + uid(4000), json={"data": user(4000)})
        resolved = client.resolve([uid(3), uid(4000)])
        assert resolved[uid(3)][1]["id"] == uid(3) and resolved[uid(4000)][1]["id"] == uid(4000)
        assert client.api_calls() == {"GET /api/v2/users": 1, "GET /api/v2/users/{user_id}": 1,
                                      "total": 2}

    @responses.activate
    def test_one_uuid_is_one_call(self, client):
        responses.get(USERS + "/" + uid(3), json={"data": user(3)})
        assert client.resolve([uid(3)])[uid(3)][0] == "user"
        assert client.api_calls()["total"] == 1

    def test_nothing_to_resolve_costs_nothing(self, client):
        assert client.resolve([]) == {}
        assert client.api_calls() == {"total": 0}


class _SlowUsersApi(object):
    """Answers exact-match user lookups after a short delay, recording how many overlap."""

    def __init__(self, fail_on=None):
        import threading
        self.lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0
        self.calls = 0
        self.fail_on = fail_on
        self.pace_margin = 0

    def request_json(self, method, path, params=None, endpoint=None, **_kwargs):
        import time
        from ansible_collections.seatops.seats.plugins.module_utils._http import ApiError
        with self.lock:
            self.in_flight += 1
            self.calls += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            time.sleep(0.05)
            text = params["filter"]
            if text == self.fail_on:
                raise ApiError("Forbidden", status=403, method=method, path=path)
            number = int(text[len("user"):text.index("@")])
            return users_page([user(number)], 5000)
        finally:
            with self.lock:
                self.in_flight -= 1


def test_one_by_one_lookups_overlap_and_keep_every_answer():
    from ansible_collections.seatops.seats.plugins.module_utils._datadog import LOOKUP_WORKERS
    http = _SlowUsersApi()
    names = ["user%d@example.com" % number for number in range(1, 11)]
    resolved = DatadogClient(http).resolve(names)
    assert http.calls == 10                          # still one exact lookup per name
    assert http.peak == LOOKUP_WORKERS               # ...but several at a time
    assert http.pace_margin == LOOKUP_WORKERS        # pacing keeps the in-flight ones in reserve
    for number, name in enumerate(names, start=1):
        assert resolved[name][0] == "user" and resolved[name][1]["id"] == uid(number)


def test_a_failed_concurrent_lookup_is_raised_with_its_reason():
    http = _SlowUsersApi(fail_on="user7@example.com")
    with pytest.raises(DatadogError) as failure:
        DatadogClient(http).resolve(["user%d@example.com" % number for number in range(1, 11)])
    assert failure.value.status == 403


# -- answers read exactly ------------------------------------------------------------------

class TestUnknownUserOnlyWhenTheApiSaysSo(object):
    """GET /api/v2/users/{id}: only the recorded 404 body means "no such user"."""

    @pytest.mark.parametrize("answer", [
        {"status": 404, "json": {"errors": ["Not found"]}},          # an unknown path of the API
        {"status": 404, "body": "<html><title>404 Not Found</title></html>"},  # a proxy's page
        {"status": 404, "body": ""},
        {"status": 404, "json": {"errors": ["%s not found" % uid(9)]}},        # another user
    ])
    @responses.activate
    def test_any_other_404_is_an_error_naming_the_address(self, client, answer):
        responses.get(USERS + "/" + uid(5), **answer)
        with pytest.raises(DatadogError) as caught:
            client.get_user(uid(5))
        message = str(caught.value)
        assert caught.value.status == 404
        assert message.startswith("Datadog GET /api/v2/users/{user_id} failed (HTTP 404)")
        assert "%s/%s is probably not the Datadog API" % (USERS, uid(5)) in message
        assert "check api_url" in message

    @responses.activate
    def test_the_recorded_answer_in_either_error_shape_is_no_user(self, client):
        responses.get(USERS + "/" + uid(5), status=404, json={"errors": ["%s not found" % uid(5)]})
        responses.get(USERS + "/" + uid(6), status=404, json={"errors": [
            {"title": "Not Found", "detail": "%s not found" % uid(6).upper()}]})
        assert client.get_user(uid(5)) is None
        assert client.get_user(uid(6)) is None

    def test_says_no_such_user(self):
        from ansible_collections.seatops.seats.plugins.module_utils._datadog import says_no_such_user
        assert says_no_such_user({"errors": ["%s not found" % uid(1)]}, uid(1))
        assert not says_no_such_user({"errors": ["Not found"]}, uid(1))
        assert not says_no_such_user({"errors": "%s not found" % uid(1)}, uid(1))
        assert not says_no_such_user(None, uid(1))


class TestOddAnswers(object):
    """A 2xx whose JSON is not the documented shape fails naming the endpoint, never with an
    AttributeError or TypeError, and is never read as "no holders" or "no such user"."""

    @pytest.mark.parametrize("body, problem", [
        ([holder(1)], "expected a JSON object, got an array"),
        ({"meta": {}}, "data is missing (expected a list)"),
        ({"data": "none"}, "data is a string, not a list"),
        ({"data": [holder(1), 7]}, "data[1] is a number, not an object"),
        ({"data": [{"id": uid(1), "attributes": "x"}]}, "data[0]: attributes is a string, not an object"),
        ({"data": [{"id": 5}]}, "data[0]: id is a number, not a string"),
        ({"data": [{"id": uid(1), "attributes": {"email": ["a"]}}]},
         "data[0]: attributes.email is an array, not a string"),
        ({"data": [holder(1)], "meta": "c2"}, "meta is a string, not an object"),
    ])
    @responses.activate
    def test_holders(self, client, body, problem):
        responses.get(SEATS, json=body)
        with pytest.raises(DatadogError) as caught:
            client.list_holders("incident_response")
        message = str(caught.value)
        assert message.startswith("Datadog GET /api/v2/seats/users for product incident_response (")
        assert "answered HTTP 200, but its body is not what the API documents: %s." % problem \
            in message
        assert "check api_url" in message and caught.value.status == 200
        assert len(responses.calls) == 1  # not retried: the same answer would come back

    @pytest.mark.parametrize("body, problem", [
        ({"users": []}, "data is missing (expected a list)"),
        ({"data": [{"type": "users", "attributes": {}}]}, "data[0]: id is null, not a user UUID"),
        ([], "expected a JSON object, got an array"),
    ])
    @responses.activate
    def test_user_lookups(self, client, body, problem):
        responses.get(USERS, json=body)
        with pytest.raises(DatadogError, match="Datadog GET /api/v2/users .*: %s" % re.escape(problem)):
            client.find_users("ana@example.com")

    @pytest.mark.parametrize("body, problem", [
        ({"data": [user(5)]}, "data is an array, not a user object"),
        ({}, "data is null, not a user object"),
        ({"data": {"attributes": {}}}, "data: id is null, not a user UUID"),
    ])
    @responses.activate
    def test_one_user(self, client, body, problem):
        responses.get(USERS + "/" + uid(5), json=body)
        with pytest.raises(DatadogError, match=re.escape(problem)):
            client.get_user(uid(5))

    @responses.activate
    def test_a_wrong_path_404_on_the_holders_names_the_address(self):
        client = DatadogClient.connect(API_KEY, APP_KEY, api_url=URL + "/datadog", retries=0)
        responses.get(URL + "/datadog/api/v2/seats/users", status=404, body="404 page not found")
        with pytest.raises(DatadogError) as caught:
            client.list_holders("incident_response")
        message = str(caught.value)
        assert "(HTTP 404): 404 page not found" in message
        assert "%s/datadog/api/v2/seats/users is probably not the Datadog API" % URL in message

    def test_a_missing_ca_path_names_the_option_before_any_call(self, tmp_path):
        with pytest.raises(DatadogError, match="^ca_path %s does not exist" % re.escape(str(tmp_path / "x.pem"))):
            DatadogClient.connect(API_KEY, APP_KEY, ca_path=str(tmp_path / "x.pem"))


# -- how this API's error bodies read (moved from test_http.py) ---------------------------

@pytest.mark.parametrize("body, expected", [
    ('{"errors": ["Forbidden"]}', "Forbidden"),
    ('{"errors": ["a", "b"]}', "a; b"),
    ('{"errors": [{"title": "Generic Error", "detail": "product_code is required"}]}',
     "product_code is required"),
    ('{"errors": [{"title": "Only a title"}]}', "Only a title"),
    ("<html>Too Many Requests</html>", "an HTML page: Too Many Requests"),
    ("", "Service Unavailable"),
])
def test_error_message_every_shape(body, expected):
    assert ERROR_MESSAGE(body, "Service Unavailable") == expected
