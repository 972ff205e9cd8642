# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The HTTP layer against scripted HTTP (``responses``), with a fake sleep: no socket, no wait."""

from __future__ import annotations

import json

import pytest
import requests
import responses
from responses import matchers

from ansible_collections.seatops.seats.plugins.module_utils._http import (
    ApiError,
    HttpClient,
    PaginationError,
    extract_error_message,
    follow_page_tokens,
    header_seconds,
    iterate_continuation_pages,
    iterate_cursor_pages,
    iterate_numbered_pages,
)

BASE = "https://api.example.test"
SECRET = "s3cr3t-value-123456"


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def http(sleeps):
    return HttpClient(BASE, headers={"X-Key": SECRET}, secrets=[SECRET], retries=3,
                      sleep=sleeps.append)


class TestRetries(object):
    @responses.activate
    def test_5xx_retried_then_success(self, http, sleeps):
        responses.get(BASE + "/x", status=500)
        responses.get(BASE + "/x", status=504)
        responses.get(BASE + "/x", json={"ok": True})
        assert http.request_json("GET", "/x") == {"ok": True}
        assert len(sleeps) == 2 and all(0 < s <= 30 for s in sleeps)
        assert http.api_calls() == {"GET /x": 3, "total": 3}

    @responses.activate
    def test_backoff_grows(self, sleeps):
        http = HttpClient(BASE, retries=4, backoff_factor=1.0, sleep=sleeps.append)
        responses.get(BASE + "/x", status=503)
        with pytest.raises(ApiError) as caught:
            http.request("GET", "/x")
        assert caught.value.status == 503 and caught.value.attempts == 5
        # Full jitter between half and all of 1, 2, 4, 8 seconds.
        for attempt, seconds in enumerate(sleeps):
            assert 2 ** attempt / 2.0 <= seconds <= 2 ** attempt

    @responses.activate
    def test_429_honours_x_ratelimit_reset(self, http, sleeps):
        responses.get(BASE + "/x", status=429, body="",
                      headers={"x-ratelimit-reset": "12", "x-ratelimit-remaining": "9"})
        responses.get(BASE + "/x", json={})
        http.request("GET", "/x")
        assert len(sleeps) == 1 and 12 < sleeps[0] <= 12.2
        assert http.throttled == 1

    @responses.activate
    def test_429_honours_retry_after(self, http, sleeps):
        responses.get(BASE + "/x", status=429, headers={"Retry-After": "3"})
        responses.get(BASE + "/x", json={})
        http.request("GET", "/x")
        assert 3 < sleeps[0] <= 3.2

    @responses.activate
    def test_429_wait_is_bounded(self, sleeps):
        http = HttpClient(BASE, retries=1, max_retry_wait=5, sleep=sleeps.append)
        responses.get(BASE + "/x", status=429, headers={"X-RateLimit-Reset": "3600"})
        responses.get(BASE + "/x", json={})
        http.request("GET", "/x")
        assert sleeps == [5]

    @responses.activate
    def test_429_until_attempts_run_out(self, http):
        responses.get(BASE + "/x", status=429, json={"errors": ["Too many requests"]},
                      headers={"X-RateLimit-Reset": "1"})
        with pytest.raises(ApiError) as caught:
            http.request("GET", "/x")
        assert caught.value.status == 429 and "Too many requests" in str(caught.value)
        assert len(responses.calls) == 4

    @pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
    @responses.activate
    def test_no_retry_on_client_errors(self, http, sleeps, status):
        responses.post(BASE + "/x", status=status, json={"errors": ["nope"]})
        with pytest.raises(ApiError) as caught:
            http.request("POST", "/x", json_body={"a": 1})
        assert caught.value.status == status
        assert len(responses.calls) == 1 and sleeps == []

    @responses.activate
    def test_connection_error_retried_and_write_counted(self, http):
        responses.post(BASE + "/x", body=requests.exceptions.ConnectionError("reset"))
        responses.post(BASE + "/x", status=201, json={})
        http.request("POST", "/x", json_body={})
        assert http.retried_writes == 1

    @responses.activate
    def test_connection_error_out_of_retries(self, sleeps):
        http = HttpClient(BASE, retries=0, sleep=sleeps.append)
        responses.get(BASE + "/x", body=requests.exceptions.ConnectionError("refused"))
        with pytest.raises(ApiError, match="could not reach the server"):
            http.request("GET", "/x")
        assert sleeps == []

    @responses.activate
    def test_total_wait_is_bounded(self, sleeps):
        http = HttpClient(BASE, retries=10, max_total_wait=10, sleep=sleeps.append)
        responses.get(BASE + "/x", status=429, headers={"X-RateLimit-Reset": "4"})
        with pytest.raises(ApiError):
            http.request("GET", "/x")
        assert sum(sleeps) <= 10.0001

    @responses.activate
    def test_delete_carries_json_body(self, http):
        responses.delete(BASE + "/x", status=204,
                         match=[matchers.json_params_matcher({"data": [1, 2]})])
        response = http.request("DELETE", "/x", json_body={"data": [1, 2]})
        assert response.status_code == 204
        assert http.request_json("DELETE", "/x", json_body={"data": [1, 2]}) == {}


class TestPacing(object):
    @responses.activate
    def test_remaining_zero_pauses_before_next_call(self, http, sleeps):
        responses.get(BASE + "/x", json={}, headers={"X-RateLimit-Remaining": "0",
                                                     "X-RateLimit-Reset": "2"})
        responses.get(BASE + "/y", json={})
        http.request("GET", "/x")
        assert sleeps == []
        http.request("GET", "/y")
        assert len(sleeps) == 1 and 1.5 < sleeps[0] <= 2.05

    @responses.activate
    def test_plenty_remaining_never_pauses(self, http, sleeps):
        responses.get(BASE + "/x", json={}, headers={"X-RateLimit-Remaining": "50",
                                                     "X-RateLimit-Reset": "2"})
        http.request("GET", "/x")
        http.request("GET", "/x")
        assert sleeps == []


class TestErrors(object):
    @pytest.mark.parametrize("body, expected", [
        ('{"errors": ["Forbidden"]}', "Forbidden"),
        ('{"errors": ["a", "b"]}', "a; b"),
        ('{"errors": [{"title": "Generic Error", "detail": "product_code is required"}]}',
         "product_code is required"),
        ('{"errors": [{"title": "Only a title"}]}', "Only a title"),
        ('{"code": "NotFound", "message": "Product not found", "data": {"itemType": "Product", '
         '"values": "9NBLGGH4R315"}}', "Product not found (itemType: Product, values: 9NBLGGH4R315)"),
        ('{"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client '
         'secret.\\r\\nTrace ID: 1"}', "AADSTS7000215: Invalid client secret."),
        ("<html>Too Many Requests</html>", "<html>Too Many Requests</html>"),
        ("", "Service Unavailable"),
    ])
    def test_extract_error_message_every_shape(self, body, expected):
        assert extract_error_message(body, "Service Unavailable") == expected

    def test_long_text_is_truncated(self):
        message = extract_error_message("x" * 1000)
        assert len(message) < 320 and message.endswith("...")

    @responses.activate
    def test_secrets_scrubbed_from_messages(self, http):
        responses.get(BASE + "/x", status=400, json={"errors": ["bad key %s" % SECRET]})
        with pytest.raises(ApiError) as caught:
            http.request("GET", "/x")
        assert SECRET not in str(caught.value) and "********" in str(caught.value)

    def test_header_seconds(self):
        assert header_seconds({"X": "5"}, "X") == 5.0
        assert header_seconds({"X": "-3"}, "X") == 0.0
        assert header_seconds({"X": "Wed, 21 Oct 2015 07:28:00 GMT"}, "X") == 0.0
        assert header_seconds({"X": "soon"}, "X") is None
        assert header_seconds({}, "X") is None


class TestPagination(object):
    @responses.activate
    def test_cursor_pages_until_no_cursor(self, http):
        responses.get(BASE + "/s", match=[matchers.query_param_matcher(
            {"p": "1", "page[limit]": "1000"})], json={"data": [1], "meta": {"next_cursor": "c1"}})
        responses.get(BASE + "/s", match=[matchers.query_param_matcher(
            {"p": "1", "page[limit]": "1000", "page[cursor]": "c1"})],
            json={"data": [2], "meta": {"next_cursor": None}})
        pages = list(iterate_cursor_pages(http, "/s", {"p": "1"}, "GET /s", "things"))
        assert [page["data"] for page in pages] == [[1], [2]]

    @responses.activate
    def test_repeated_cursor_refused(self, http):
        responses.get(BASE + "/s", json={"data": [1], "meta": {"next_cursor": "c1"}})
        with pytest.raises(PaginationError, match="repeated a page token while listing things"):
            list(iterate_cursor_pages(http, "/s", {}, "GET /s", "things"))
        assert len(responses.calls) == 2

    @responses.activate
    def test_continuation_pages_any_case_and_missing_token_stops(self, http):
        responses.get(BASE + "/c", match=[matchers.query_param_matcher({"maxResults": "100"})],
                      json={"items": [1], "ContinuationToken": "t1"})
        responses.get(BASE + "/c", match=[matchers.query_param_matcher(
            {"maxResults": "100", "continuationToken": "t1"})], json={"items": [2]})
        pages = list(iterate_continuation_pages(http, "/c", {}, "GET /c", "seats"))
        assert [page["items"] for page in pages] == [[1], [2]]

    @responses.activate
    def test_numbered_pages_stop_at_short_page(self, http):
        responses.get(BASE + "/u", match=[matchers.query_param_matcher(
            {"page[size]": "2", "page[number]": "0"})], json={"data": [1, 2]})
        responses.get(BASE + "/u", match=[matchers.query_param_matcher(
            {"page[size]": "2", "page[number]": "1"})], json={"data": [3]})
        pages = list(iterate_numbered_pages(http, "/u", {}, "GET /u", page_size=2))
        assert [page["data"] for page in pages] == [[1, 2], [3]]

    @responses.activate
    def test_numbered_pages_stop_at_filtered_total(self, http):
        meta = {"page": {"total_count": 9, "total_filtered_count": 4}}
        for number in (0, 1):
            responses.get(BASE + "/u", match=[matchers.query_param_matcher(
                {"page[size]": "2", "page[number]": str(number)})],
                json={"data": [number * 2, number * 2 + 1], "meta": meta})
        pages = list(iterate_numbered_pages(http, "/u", {}, "GET /u", page_size=2))
        assert len(pages) == 2 and len(responses.calls) == 2

    def test_follow_page_tokens_handles_non_dict_page(self):
        pages = list(follow_page_tokens(lambda token: [], lambda page: "x", "things"))
        assert pages == [[]]


@pytest.mark.parametrize("options, expected", [
    ({"ca_path": "/etc/custom-ca.pem"}, "/etc/custom-ca.pem"),
    ({"validate_certs": False}, False),
])
def test_tls_options_win_over_ca_bundle_environment(monkeypatch, sleeps, options, expected):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    monkeypatch.setenv("CURL_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    http = HttpClient(BASE, sleep=sleeps.append, **options)
    seen = []

    def send(request, **kwargs):
        # What requests would hand the transport, after merging the environment.
        seen.append(kwargs.get("verify"))
        response = requests.models.Response()
        response.status_code, response._content, response.url = 200, b"{}", request.url
        return response

    monkeypatch.setattr(http.session, "send", send)
    assert http.request_json("GET", "/x") == {}
    assert seen == [expected]


def test_api_calls_per_endpoint_name(sleeps):
    http = HttpClient(BASE, sleep=sleeps.append)
    with responses.RequestsMock() as mocked:
        mocked.get(BASE + "/users/1", json={})
        mocked.get(BASE + "/users/2", json={})
        http.request("GET", "/users/1", endpoint="GET /users/{id}")
        http.request("GET", "/users/2", endpoint="GET /users/{id}")
    assert http.api_calls() == {"GET /users/{id}": 2, "total": 2}
    assert json.dumps(http.api_calls())
