# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The HTTP layer against scripted HTTP (``responses``), with a fake sleep: no socket, no wait."""

from __future__ import annotations

import json
import time

import certifi
import pytest
import requests
import responses
from responses import matchers

from ansible_collections.seatops.seats.plugins.module_utils._http import (
    ApiError,
    HttpClient,
    PaginationError,
    ShapeError,
    error_reader,
    extract_error_message,
    follow_page_tokens,
    header_seconds,
    iterate_continuation_pages,
    iterate_cursor_pages,
    iterate_numbered_pages,
    list_shape,
    optional_string,
    reset_seconds,
    without_credentials,
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
        ("<html>Too Many Requests</html>", "an HTML page: Too Many Requests"),
        ("<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found"
         "</h1></body></html>", "an HTML page titled '404 Not Found'"),
        ("<html><body></body></html>", "an HTML page"),
        ("", "Service Unavailable"),
    ])
    def test_extract_error_message_every_shape(self, body, expected):
        assert extract_error_message(body, "Service Unavailable") == expected

    def test_an_api_reader_comes_first_and_its_message_is_scrubbed(self, sleeps):
        # The hook reads the API's own shape; a generic JSON "message" is the fallback.
        reader = error_reader(lambda payload: payload.get("why"))
        assert reader('{"why": "api shape", "message": "generic"}') == "api shape"
        assert reader('{"message": "generic"}', "Bad Request") == "generic"
        assert reader("", "Bad Request") == "Bad Request"
        http = HttpClient(BASE, secrets=[SECRET], retries=0, sleep=sleeps.append,
                          error_message=lambda text, reason: "hook says %s" % SECRET)
        with responses.RequestsMock() as mocked:
            mocked.get(BASE + "/x", status=400, json={"why": "x"})
            with pytest.raises(ApiError) as caught:
                http.request("GET", "/x")
        assert str(caught.value) == "GET /x failed (HTTP 400): hook says ********"

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
    def test_cursor_pages_ask_again_smaller_when_the_hook_says_so(self, http):
        responses.get(BASE + "/s", match=[matchers.query_param_matcher({"page[limit]": "1000"})],
                      status=400, json={"errors": ["page[limit] too large"]})
        responses.get(BASE + "/s", match=[matchers.query_param_matcher({"page[limit]": "100"})],
                      json={"data": [1], "meta": {"next_cursor": "c1"}})
        responses.get(BASE + "/s", match=[matchers.query_param_matcher({"page[limit]": "100", "page[cursor]": "c1"})],
                      json={"data": [2], "meta": {}})
        refused = []

        def smaller(exc, limit):
            refused.append((exc.status, limit))
            return 100 if limit > 100 else None

        pages = list(iterate_cursor_pages(http, "/s", {}, "GET /s", "things", smaller_limit=smaller))
        assert [page["data"] for page in pages] == [[1], [2]] and refused == [(400, 1000)]
        assert len(responses.calls) == 3
        with pytest.raises(ApiError):  # without the hook the refusal stands
            list(iterate_cursor_pages(http, "/s", {}, "GET /s", "things"))

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
            {"page[size]": "2", "page[number]": "0"})], json={"data": [{"n": 1}, {"n": 2}]})
        responses.get(BASE + "/u", match=[matchers.query_param_matcher(
            {"page[size]": "2", "page[number]": "1"})], json={"data": [{"n": 3}]})
        pages = list(iterate_numbered_pages(http, "/u", {}, "GET /u", page_size=2))
        assert [page["data"] for page in pages] == [[{"n": 1}, {"n": 2}], [{"n": 3}]]

    @responses.activate
    def test_numbered_pages_stop_at_filtered_total(self, http):
        meta = {"page": {"total_count": 9, "total_filtered_count": 4}}
        for number in (0, 1):
            responses.get(BASE + "/u", match=[matchers.query_param_matcher(
                {"page[size]": "2", "page[number]": str(number)})],
                json={"data": [{"n": number * 2}, {"n": number * 2 + 1}], "meta": meta})
        pages = list(iterate_numbered_pages(http, "/u", {}, "GET /u", page_size=2))
        assert len(pages) == 2 and len(responses.calls) == 2

    def test_follow_page_tokens_handles_non_dict_page(self):
        pages = list(follow_page_tokens(lambda token: [], lambda page: "x", "things"))
        assert pages == [[]]


@pytest.mark.parametrize("options, expected", [
    ({"ca_path": certifi.where()}, certifi.where()),
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


# -- ca_path: checked before any call ------------------------------------------------------

class TestCaPath(object):
    def test_missing_file_names_ca_path_before_any_call(self, tmp_path):
        missing = str(tmp_path / "nope.pem")
        with pytest.raises(ApiError) as caught:
            HttpClient(BASE, ca_path=missing)
        assert caught.value.message.startswith("ca_path %s does not exist" % missing)
        assert "no call was made" in caught.value.message

    def test_unreadable_file_names_ca_path(self, tmp_path, monkeypatch):
        bundle = tmp_path / "ca.pem"
        bundle.write_bytes(open(certifi.where(), "rb").read())
        real_open = open

        def refusing_open(path, *args, **kwargs):
            if str(path) == str(bundle):
                raise PermissionError(13, "Permission denied")
            return real_open(path, *args, **kwargs)

        # chmod 000 does not stop root, which CI containers often are.
        monkeypatch.setattr("builtins.open", refusing_open)
        with pytest.raises(ApiError, match=r"ca_path .*ca\.pem cannot be read: Permission denied"):
            HttpClient(BASE, ca_path=str(bundle))

    def test_file_without_a_pem_certificate_names_ca_path(self, tmp_path):
        bundle = tmp_path / "ca.pem"
        bundle.write_text("this is not a certificate\n")
        with pytest.raises(ApiError, match=r"ca_path .*ca\.pem holds no CA certificate in PEM form"):
            HttpClient(BASE, ca_path=str(bundle))

    def test_a_pem_bundle_or_a_directory_is_accepted(self, tmp_path):
        assert HttpClient(BASE, ca_path=certifi.where()).session.verify == certifi.where()
        assert HttpClient(BASE, ca_path=str(tmp_path)).session.verify == str(tmp_path)


# -- answers read exactly -------------------------------------------------------------------

class TestRedirects(object):
    @responses.activate
    def test_a_redirect_is_an_error_and_never_followed(self, sleeps):
        http = HttpClient(BASE + "/api", retries=3, sleep=sleeps.append)
        responses.delete(BASE + "/api/seats", status=302,
                         headers={"Location": "https://login.example.test/?SAMLRequest=%s" % SECRET})
        responses.get("https://login.example.test/", body="<html>Sign in</html>")
        with pytest.raises(ApiError) as caught:
            http.request("DELETE", "/seats", json_body={"x": 1}, headers={"X-Key": SECRET})
        message = str(caught.value)
        assert caught.value.status == 302 and sleeps == []
        assert "redirect to https://login.example.test/" in message and "Check api_url" in message
        assert SECRET not in message and "SAMLRequest" not in message
        # requests would have turned the DELETE into a GET of the login page: a 200.
        assert len(responses.calls) == 1

    @responses.activate
    def test_an_informational_status_is_an_error(self, http):
        responses.get(BASE + "/x", status=103)
        with pytest.raises(ApiError, match="informational status 103"):
            http.request("GET", "/x")


class TestAnswerShapes(object):
    @responses.activate
    def test_a_2xx_body_that_is_not_json_names_the_call(self, http):
        responses.get(BASE + "/x", body="<html><title>Welcome</title></html>", status=200)
        with pytest.raises(ShapeError) as caught:
            http.request_json("GET", "/x")
        assert str(caught.value) == (
            "GET %s/x answered HTTP 200, but its body is not what the API documents: it is "
            "not JSON (an HTML page titled 'Welcome')" % BASE)

    @pytest.mark.parametrize("body, problem", [
        ([{"id": "a"}], "expected a JSON object, got an array"),
        ({"meta": {}}, "data is missing (expected a list)"),
        ({"data": {"id": "a"}}, "data is an object, not a list"),
        ({"data": None}, "data is null, not a list"),
        ({"data": [{"id": "a"}, "b"]}, "data[1] is a string, not an object"),
    ])
    @responses.activate
    def test_list_shape_says_what_is_wrong(self, http, body, problem):
        responses.get(BASE + "/x", json=body)
        with pytest.raises(ShapeError) as caught:
            http.request_json("GET", "/x", shape=list_shape("data"))
        assert caught.value.message == problem and caught.value.status == 200
        assert caught.value.url == BASE + "/x"

    def test_list_shape_item_and_rest_checks(self):
        check = list_shape("Seats", ignore_case=True,
                           item=lambda item: None if "user" in item else "user is missing",
                           rest=lambda payload: optional_string(payload, "token"))
        assert check({"seats": [{"user": "a"}]}) is None
        assert check({"SEATS": [{"nobody": 1}]}) == "Seats[0]: user is missing"
        assert check({"seats": [], "token": 5}) == "token is a number, not a string"

    @responses.activate
    def test_cursor_pages_refuse_a_meta_that_is_not_an_object(self, http):
        responses.get(BASE + "/c", json={"data": [], "meta": ["next_cursor", "c2"]})
        with pytest.raises(ShapeError, match="meta is an array, not an object"):
            list(iterate_cursor_pages(http, "/c", {}, "GET /c", "things"))

    @responses.activate
    def test_continuation_pages_refuse_a_token_that_is_not_a_string(self, http):
        responses.get(BASE + "/s", json={"items": [], "continuationToken": {"next": 2}})
        with pytest.raises(ShapeError, match="continuationToken is an object, not a string"):
            list(iterate_continuation_pages(http, "/s", {}, "GET /s", "things"))

    @responses.activate
    def test_numbered_pages_need_their_items_list(self, http):
        responses.get(BASE + "/u", json={"users": []})
        with pytest.raises(ShapeError, match="data is missing"):
            list(iterate_numbered_pages(http, "/u", {}, "GET /u", page_size=2))

    def test_without_credentials(self):
        assert without_credentials("https://me:pw@proxy.test:8443/V1") == "https://proxy.test:8443/V1"
        assert without_credentials("https://api.example.test") == "https://api.example.test"


class TestLinks(object):
    """A whole URL the server sent (GitHub's ``Link`` next page) is called verbatim when it
    is on the base URL's scheme and host, and refused, with no call, otherwise."""

    @responses.activate
    def test_a_same_host_url_is_called_verbatim(self, http):
        url = BASE + "/organizations/4711/copilot/billing/seats?per_page=100&page=2&x=%2F"
        responses.get(BASE + "/organizations/4711/copilot/billing/seats", json={"ok": 1})
        assert http.request_json("GET", url, endpoint="GET /seats") == {"ok": 1}
        assert [call.request.url for call in responses.calls] == [url]
        assert responses.calls[0].request.headers["X-Key"] == SECRET
        assert http.api_calls() == {"GET /seats": 1, "total": 1}

    @responses.activate
    def test_scheme_and_host_compare_without_case(self, http):
        responses.get(BASE + "/x", json={})
        http.request("GET", "HTTPS://API.Example.TEST/x")
        assert len(responses.calls) == 1

    @responses.activate
    def test_a_base_path_prefix_is_no_obstacle(self, sleeps):
        http = HttpClient(BASE + "/api/v3", sleep=sleeps.append)
        responses.get(BASE + "/api/v3/orgs/a/seats", json={})
        http.request("GET", BASE + "/api/v3/orgs/a/seats?page=2")
        assert len(responses.calls) == 1

    @pytest.mark.parametrize("url", [
        "https://evil.example.net/x?page=2", "http://api.example.test/x?page=2",
        "https://api.example.test:8443/x", "https://api.example.test.evil.net/x",
        "https://api.example.test@evil.net/x"])
    @responses.activate
    def test_another_host_scheme_or_port_is_refused_without_a_call(self, http, url):
        with pytest.raises(ApiError) as caught:
            http.request("GET", url)
        message = str(caught.value)
        assert "was not followed" in message and "credentials stay" in message
        assert "page=2" not in message and caught.value.status is None
        assert len(responses.calls) == 0 and http.api_calls() == {"total": 0}

    @responses.activate
    def test_credentials_in_a_link_are_not_shown(self, http):
        with pytest.raises(ApiError) as caught:
            http.request("GET", "https://user:hunter2@elsewhere.test/x")
        assert "hunter2" not in str(caught.value) and "elsewhere.test" in str(caught.value)


class TestEpochResets(object):
    def test_reset_as_seconds_or_as_an_epoch(self):
        now = time.time()
        assert reset_seconds({"X-RateLimit-Reset": "12"}) == 12.0
        assert 28 <= reset_seconds({"X-RateLimit-Reset": str(int(now) + 30)}) <= 30.5
        assert reset_seconds({"X-RateLimit-Reset": str(int(now) - 100)}) == 0.0
        assert reset_seconds({"x-ratelimit-reset": "5"}, "x-ratelimit-reset") == 5.0
        assert reset_seconds({}) is None and reset_seconds({"X-RateLimit-Reset": "soon"}) is None

    @responses.activate
    def test_a_spent_budget_with_an_epoch_reset_pauses_until_then(self, http, sleeps):
        responses.get(BASE + "/x", json={}, headers={"X-RateLimit-Remaining": "0",
                                                     "X-RateLimit-Reset": str(int(time.time()) + 3)})
        http.request("GET", "/x")
        http.request("GET", "/x")
        assert len(sleeps) == 1 and 1.5 <= sleeps[0] <= 3.1

    @responses.activate
    def test_a_429_with_an_epoch_reset(self, http, sleeps):
        responses.get(BASE + "/x", status=429, headers={"X-RateLimit-Reset": str(int(time.time()) + 4)})
        responses.get(BASE + "/x", json={})
        http.request("GET", "/x")
        assert 2.5 <= sleeps[0] <= 4.2


class TestRateLimitHook(object):
    """``rate_limit_wait(response, attempt)``: an API whose rate limit is not a 429 (GitHub's 403)."""

    def client(self, sleeps, hook, **kwargs):
        return HttpClient(BASE, secrets=[SECRET], retries=kwargs.pop("retries", 3), sleep=sleeps.append,
                          rate_limit_wait=hook, **kwargs)

    @responses.activate
    def test_a_response_the_hook_names_is_retried_after_its_wait(self, sleeps):
        attempts = []

        def hook(response, attempt):
            attempts.append((response.status_code, attempt))
            return 7.0 if response.status_code == 403 else None

        http = self.client(sleeps, hook)
        responses.post(BASE + "/w", status=403, json={"message": "secondary rate limit"})
        responses.post(BASE + "/w", status=403, json={"message": "secondary rate limit"})
        responses.post(BASE + "/w", status=201, json={})
        http.request("POST", "/w", json_body={})
        assert sleeps == [7.0, 7.0] and attempts == [(403, 1), (403, 2)]
        assert http.throttled == 2 and http.retried_writes == 2

    @responses.activate
    def test_a_response_the_hook_does_not_name_is_not_retried(self, sleeps):
        http = self.client(sleeps, lambda response, attempt: None)
        responses.get(BASE + "/x", status=403, json={"message": "forbidden"})
        with pytest.raises(ApiError) as caught:
            http.request("GET", "/x")
        assert caught.value.status == 403 and caught.value.attempts == 1 and sleeps == []

    @responses.activate
    def test_the_hook_wait_is_bounded(self, sleeps):
        http = self.client(sleeps, lambda response, attempt: 3600.0, retries=1, max_retry_wait=60)
        responses.get(BASE + "/x", status=403)
        responses.get(BASE + "/x", json={})
        http.request("GET", "/x")
        assert sleeps == [60]

    @responses.activate
    def test_until_retries_run_out(self, sleeps):
        http = self.client(sleeps, lambda response, attempt: 1.0, retries=2)
        responses.get(BASE + "/x", status=403, json={"message": "rate limit"})
        with pytest.raises(ApiError) as caught:
            http.request("GET", "/x")
        assert caught.value.attempts == 3 and len(responses.calls) == 3 and sleeps == [1.0, 1.0]

    @responses.activate
    def test_the_hook_decides_429_waits_too(self, sleeps):
        http = self.client(sleeps, lambda response, attempt: 2.5 if response.status_code == 429 else None)
        responses.get(BASE + "/x", status=429, headers={"Retry-After": "30"})
        responses.get(BASE + "/x", json={})
        http.request("GET", "/x")
        assert sleeps == [2.5]


class TestKeepHeaders(object):
    @responses.activate
    def test_only_the_named_headers_are_kept_and_they_are_scrubbed(self, sleeps):
        http = HttpClient(BASE, secrets=[SECRET], retries=0, sleep=sleeps.append,
                          keep_headers=("X-GitHub-SSO", "X-Accepted-GitHub-Permissions", "X-Missing"))
        responses.get(BASE + "/x", status=403, json={"message": "no"}, headers={
            "X-GitHub-SSO": "required; url=https://sso.test/?t=%s" % SECRET,
            "X-Accepted-GitHub-Permissions": "members=read", "Set-Cookie": "session=%s" % SECRET})
        with pytest.raises(ApiError) as caught:
            http.request("GET", "/x")
        assert caught.value.headers == {"X-GitHub-SSO": "required; url=https://sso.test/?t=********",
                                        "X-Accepted-GitHub-Permissions": "members=read"}

    @responses.activate
    def test_nothing_is_kept_by_default(self, http):
        responses.get(BASE + "/x", status=403, headers={"X-GitHub-SSO": "required"})
        with pytest.raises(ApiError) as caught:
            http.request("GET", "/x")
        assert caught.value.headers == {}
