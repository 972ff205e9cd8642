# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Store client: ids, token handling, paging, bulk calls and error meanings."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from test_msstore_fake import (  # noqa: E402  pylint: disable=wrong-import-position
    API,
    AUTH,
    SECRET,
    TENANT,
    FakeResponse,
    ScriptedSession,
    seat,
    store_error,
)

from ansible_collections.seatops.seats.plugins.module_utils._http import (  # noqa: E402
    ApiError,
    HttpClient,
    PaginationError,
)
from ansible_collections.seatops.seats.plugins.module_utils._msstore import (  # noqa: E402
    ERROR_MESSAGE,
    TOKEN_ERROR_MESSAGE,
    MsStoreError,
    check_product_id,
    check_sku_id,
    check_url,
    connect,
    normalise_upn,
    refresh_margin,
    resolve_connection,
    user_path,
)

TOKEN_URL = AUTH + "/" + TENANT + "/oauth2/v2.0/token"
SEATS_URL = API + "/Inventory/9NBLGGH4R2R6/0016/Seats"


def token_response(token="tok-1", expires_in=3600):
    return FakeResponse(200, {"access_token": token, "token_type": "Bearer",
                              "expires_in": expires_in})


class Clock(object):
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def make_client(store_script, auth_script=(), access_token=None, clock=None, retries=2,
                client_secret=SECRET):
    store = ScriptedSession(store_script)
    auth = ScriptedSession(auth_script)
    client = connect(api_url=API, auth_url=AUTH, tenant_id=TENANT, client_id="app-1",
                     client_secret=None if access_token else client_secret,
                     access_token=access_token, retries=retries, session=store,
                     auth_session=auth, sleep=lambda seconds: None, clock=clock)
    return client, store, auth


def bearer(token):
    def check(call):
        assert call.headers["Authorization"] == "Bearer " + token
    return check


# -- ids and connection settings ----------------------------------------------------------

class TestInputForms(object):
    def test_product_id_is_12_alphanumerics(self):
        assert check_product_id("9nblggh4r2r6") == "9NBLGGH4R2R6"
        for bad in ("9NBLGGH4R2R", "9NBLGGH4R2R6X", "9NBLGGH4-2R6", "", None):
            with pytest.raises(ValueError, match="product_id"):
                check_product_id(bad)

    def test_sku_id_as_number_names_the_option_and_says_quote_it(self):
        with pytest.raises(ValueError) as info:
            check_sku_id(16)
        assert "sku_id" in str(info.value) and "Quote" in str(info.value)

    def test_sku_id_short_digit_string_suggests_lost_zeros(self):
        with pytest.raises(ValueError, match="leading zeros"):
            check_sku_id("16")

    def test_sku_id_keeps_leading_zeros(self):
        assert check_sku_id("0016") == "0016"
        with pytest.raises(ValueError, match="4-digit"):
            check_sku_id("00a6")

    @pytest.mark.parametrize("upn", ["alice@contoso.com", "A.B-c_d+e@sub.contoso.co.uk",
                                     "o'neil@contoso.com"])
    def test_upn_forms_accepted_and_lowered(self, upn):
        assert normalise_upn(upn) == upn.lower()

    @pytest.mark.parametrize("upn", ["alice", "alice@", "@contoso.com", "a@b", "a b@contoso.com",
                                     "a@contoso..com", "a/b@contoso.com"])
    def test_upn_forms_refused(self, upn):
        with pytest.raises(ValueError, match="user@domain"):
            normalise_upn(upn)

    def test_user_path_keeps_at_and_encodes_the_rest(self):
        assert user_path("o'neil+x@contoso.com") == "o%27neil%2Bx@contoso.com"
        assert user_path("a b#c@d.com") == "a%20b%23c@d.com"

    def test_urls_must_be_http(self):
        assert check_url("http://127.0.0.1:9/V1/", "api_url") == "http://127.0.0.1:9/V1"
        with pytest.raises(ValueError, match="auth_url"):
            check_url("login.microsoftonline.com", "auth_url")


class TestResolveConnection(object):
    def params(self, **kw):
        base = dict(tenant_id=None, client_id=None, client_secret=None, access_token=None,
                    auth_url="https://login.microsoftonline.com",
                    api_url="https://bspmts.mp.microsoft.com/V1", validate_certs=True,
                    ca_path=None, timeout=30, retries=3)
        base.update(kw)
        return base

    def test_environment_fills_missing_credentials(self):
        env = {"AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "s"}
        resolved = resolve_connection(self.params(client_id="given"), env)
        assert (resolved["tenant_id"], resolved["client_id"], resolved["client_secret"]) == \
            ("t", "given", "s")

    def test_access_token_wins_over_secret_from_environment(self):
        env = {"AZURE_CLIENT_SECRET": "s"}
        resolved = resolve_connection(self.params(access_token="tok"), env)
        assert resolved["client_secret"] is None and resolved["access_token"] == "tok"

    def test_missing_credentials_are_named(self):
        with pytest.raises(ValueError) as info:
            resolve_connection(self.params(tenant_id="t"), {})
        assert "client_id, client_secret" in str(info.value)
        assert "access_token" in str(info.value)

    def test_bad_url_and_timeout_are_named(self):
        with pytest.raises(ValueError, match="api_url"):
            resolve_connection(self.params(access_token="x", api_url="ftp://x"), {})
        with pytest.raises(ValueError, match="timeout"):
            resolve_connection(self.params(access_token="x", timeout=0), {})


# -- token ----------------------------------------------------------------------------

class TestToken(object):
    def test_one_token_for_many_calls_and_expires_in_as_string(self):
        client, store, auth = make_client(
            [("GET", SEATS_URL + "/a@x.com", FakeResponse(200, seat("a@x.com")), bearer("tok-1")),
             ("GET", SEATS_URL + "/b@x.com", FakeResponse(200, seat("b@x.com")), bearer("tok-1"))],
            [(("POST", TOKEN_URL, token_response(expires_in="3599")))])
        assert client.get_seat("9NBLGGH4R2R6", "0016", "a@x.com")["assignedTo"] == "a@x.com"
        assert client.get_seat("9NBLGGH4R2R6", "0016", "b@x.com")["assignedTo"] == "b@x.com"
        store.done()
        auth.done()
        form = auth.calls[0].form
        assert form["grant_type"] == "client_credentials"
        assert form["scope"] == "https://onestore.microsoft.com/.default"
        calls = client.api_calls()
        assert calls["POST /{tenant}/oauth2/v2.0/token"] == 1 and calls["total"] == 3

    def test_refreshes_ahead_of_expiry_with_a_scaled_margin(self):
        clock = Clock()
        client, store, auth = make_client(
            [("GET", SEATS_URL + "/a@x.com", FakeResponse(200, seat("a@x.com")), bearer("tok-1")),
             ("GET", SEATS_URL + "/a@x.com", FakeResponse(200, seat("a@x.com")), bearer("tok-1")),
             ("GET", SEATS_URL + "/a@x.com", FakeResponse(200, seat("a@x.com")), bearer("tok-2"))],
            [("POST", TOKEN_URL, token_response("tok-1", 600)),
             ("POST", TOKEN_URL, token_response("tok-2", 600))], clock=clock)
        client.get_seat("9NBLGGH4R2R6", "0016", "a@x.com")
        clock.now += 600 - refresh_margin(600) - 1  # just inside the margin: still valid
        client.get_seat("9NBLGGH4R2R6", "0016", "a@x.com")
        clock.now += 2  # past the margin, before the real expiry: refreshed
        client.get_seat("9NBLGGH4R2R6", "0016", "a@x.com")
        store.done()
        auth.done()
        assert refresh_margin(600) == 60 and refresh_margin(86400) == 300

    def test_store_401_refreshes_once_and_retries_the_call(self):
        client, store, auth = make_client(
            [("GET", SEATS_URL + "/a@x.com", store_error(401, "expired"), bearer("tok-1")),
             ("GET", SEATS_URL + "/a@x.com", FakeResponse(200, seat("a@x.com")), bearer("tok-2"))],
            [("POST", TOKEN_URL, token_response("tok-1")),
             ("POST", TOKEN_URL, token_response("tok-2"))])
        assert client.get_seat("9NBLGGH4R2R6", "0016", "a@x.com") is not None
        store.done()
        auth.done()

    def test_second_401_is_fatal(self):
        client, store, auth = make_client(
            [("GET", SEATS_URL + "/a@x.com", store_error(401, "expired")),
             ("GET", SEATS_URL + "/a@x.com", store_error(401, "expired"))],
            [("POST", TOKEN_URL, token_response("tok-1")),
             ("POST", TOKEN_URL, token_response("tok-2"))])
        with pytest.raises(MsStoreError) as info:
            client.get_seat("9NBLGGH4R2R6", "0016", "a@x.com")
        assert info.value.fatal and info.value.status == 401
        store.done()
        auth.done()

    def test_wrong_secret_says_which_and_never_shows_it(self):
        # Even a server that echoes the secret does not get it into the message.
        client, store, auth = make_client(
            [], [("POST", TOKEN_URL, FakeResponse(401, {
                "error": "invalid_client",
                "error_description": "AADSTS7000215: Invalid client secret %s." % SECRET}))])
        with pytest.raises(MsStoreError) as info:
            client.get_seat("9NBLGGH4R2R6", "0016", "a@x.com")
        message = str(info.value)
        assert "wrong client_secret" in message and TENANT in message
        assert SECRET not in message
        assert info.value.fatal

    def test_unknown_tenant_names_tenant_id(self):
        client, store, auth = make_client([], [("POST", TOKEN_URL, FakeResponse(400, {
            "error": "invalid_request", "error_description": "AADSTS90002: Tenant not found."}))])
        with pytest.raises(MsStoreError) as info:
            client.get_seat("9NBLGGH4R2R6", "0016", "a@x.com")
        assert "tenant_id %s" % TENANT in str(info.value)
        assert "AADSTS90002" in str(info.value)

    def test_not_activated_tool_is_explained_without_retry(self):
        client, store, auth = make_client(
            [("GET", SEATS_URL + "/a@x.com", store_error(403, "Forbidden"))],
            [("POST", TOKEN_URL, token_response())])
        with pytest.raises(MsStoreError) as info:
            client.get_seat("9NBLGGH4R2R6", "0016", "a@x.com")
        assert "client_id app-1" in str(info.value)
        assert "Management tools" in str(info.value)
        store.done()

    def test_access_token_is_used_as_is_and_a_401_is_fatal(self):
        client, store, auth = make_client(
            [("GET", SEATS_URL + "/a@x.com", FakeResponse(200, seat("a@x.com")), bearer("given")),
             ("GET", SEATS_URL + "/b@x.com", store_error(401, "expired"), bearer("given"))],
            access_token="given")
        client.get_seat("9NBLGGH4R2R6", "0016", "a@x.com")
        with pytest.raises(MsStoreError) as info:
            client.get_seat("9NBLGGH4R2R6", "0016", "b@x.com")
        assert "access_token" in str(info.value) and "expired" in str(info.value)
        assert "given" not in str(info.value).replace("give ", "")
        assert auth.calls == []
        store.done()

    def test_token_answer_without_access_token_fails(self):
        client, store, auth = make_client(
            [], [("POST", TOKEN_URL, FakeResponse(200, {"token_type": "Bearer"}))])
        with pytest.raises(MsStoreError, match="without an access_token"):
            client.get_seat("9NBLGGH4R2R6", "0016", "a@x.com")


# -- paging ---------------------------------------------------------------------------

class TestPaging(object):
    def test_follows_the_token_to_the_last_page(self):
        def page_one(call):
            assert call.params == {"maxResults": 100}

        def page_two(call):
            assert call.params == {"maxResults": 100, "continuationToken": "abc=="}

        client, store, auth = make_client(
            [("GET", SEATS_URL, FakeResponse(200, {"seats": [seat("a@x.com"), seat("b@x.com")],
                                                   "continuationToken": "abc=="}), page_one),
             ("GET", SEATS_URL, FakeResponse(200, {"seats": [seat("c@x.com"),
                                                             seat("d@x.com", state="Revoked")]}),
              page_two)],
            [("POST", TOKEN_URL, token_response())])
        users = [s["assignedTo"] for s in client.iter_product_seats("9NBLGGH4R2R6", "0016")]
        assert users == ["a@x.com", "b@x.com", "c@x.com"]  # Revoked filtered
        store.done()

    def test_empty_token_ends_paging(self):
        client, store, auth = make_client(
            [("GET", API + "/Users/a@x.com/Seats",
              FakeResponse(200, {"seats": [seat("a@x.com")], "continuationToken": "p2"})),
             ("GET", API + "/Users/a@x.com/Seats",
              FakeResponse(200, {"seats": [seat("a@x.com", "CFQ7TTC0K5DR", "0001")],
                                 "ContinuationToken": ""}))],
            [("POST", TOKEN_URL, token_response())])
        seats = list(client.iter_user_seats("a@x.com"))
        assert [s["productKey"]["productId"] for s in seats] == ["9NBLGGH4R2R6", "CFQ7TTC0K5DR"]
        store.done()

    def test_refuses_a_repeated_token(self):
        page = {"inventoryEntries": [], "continuationToken": "same"}
        client, store, auth = make_client(
            [("GET", API + "/Inventory", FakeResponse(200, page)),
             ("GET", API + "/Inventory", FakeResponse(200, page))],
            [("POST", TOKEN_URL, token_response())])
        with pytest.raises(PaginationError, match="repeated"):
            list(client.iter_inventory())
        store.done()

    def test_inventory_search_stops_at_the_page_that_has_the_entry(self):
        wanted = {"productKey": {"productId": "cfq7ttc0k5dr", "skuId": "0001"},
                  "licenseType": "Online"}
        client, store, auth = make_client(
            [("GET", API + "/Inventory", FakeResponse(200, {
                "inventoryEntries": [{"productKey": {"productId": "9NBLGGH4R2R6",
                                                     "skuId": "0016"}}],
                "continuationToken": "2"})),
             ("GET", API + "/Inventory", FakeResponse(200, {
                 "inventoryEntries": [wanted], "continuationToken": "3"}))],
            [("POST", TOKEN_URL, token_response())])
        assert client.find_inventory_entry("CFQ7TTC0K5DR", "0001") == wanted
        store.done()  # the third page was never asked for


# -- single-seat errors ---------------------------------------------------------------

class TestSeatErrors(object):
    def test_404_seat_means_no_seat_and_404_user_is_raised(self):
        client, store, auth = make_client(
            [("GET", SEATS_URL + "/a@x.com", store_error(404, "Seat not found", itemType="Seat")),
             ("GET", SEATS_URL + "/ghost@x.com",
              store_error(404, "User not found", itemType="User"))],
            [("POST", TOKEN_URL, token_response())])
        assert client.get_seat("9NBLGGH4R2R6", "0016", "a@x.com") is None
        with pytest.raises(MsStoreError) as info:
            client.get_seat("9NBLGGH4R2R6", "0016", "ghost@x.com")
        assert info.value.item_type == "User"

    def test_409_not_online_carries_its_reason(self):
        client, store, auth = make_client(
            [("GET", SEATS_URL + "/a@x.com", store_error(409, "Not online", reason="Not online"))],
            [("POST", TOKEN_URL, token_response())])
        with pytest.raises(MsStoreError) as info:
            client.get_seat("9NBLGGH4R2R6", "0016", "a@x.com")
        assert info.value.reason == "Not online" and info.value.status == 409

    def test_error_body_that_is_not_json(self):
        client, store, auth = make_client(
            [("GET", SEATS_URL + "/a@x.com", FakeResponse(404, "<html>nope</html>"))],
            [("POST", TOKEN_URL, token_response())])
        # No item type to go by: the 404 says nothing about the seat (a proxy's page, a wrong
        # api_url), so it is an error naming the address, never "no seat".
        with pytest.raises(MsStoreError) as info:
            client.get_seat("9NBLGGH4R2R6", "0016", "a@x.com")
        message = str(info.value)
        assert info.value.status == 404 and info.value.item_type is None
        assert "GET %s/a@x.com answered HTTP 404 without the Store's item type" % SEATS_URL in message
        assert "an HTML page: nope" in message and "Check api_url (%s)" % API in message


# -- bulk -----------------------------------------------------------------------------

class TestBulk(object):
    def test_maps_details_failures_and_missing_names(self):
        def body(call):
            assert call.json == {"usernames": ["A@x.com", "b@x.com", "ghost@x.com", "c@x.com"],
                                 "seatAction": "Assign"}

        client, store, auth = make_client(
            [("POST", SEATS_URL, FakeResponse(200, {
                "seatDetails": [seat("a@x.com"), seat("b@x.com")],
                "failedSeatOperations": [{"failureReason": "UserNotFound",
                                          "userName": "ghost@x.com"}]}), body)],
            [("POST", TOKEN_URL, token_response())])
        result = client.bulk("9NBLGGH4R2R6", "0016", "assign",
                             ["A@x.com", "b@x.com", "a@X.com", "ghost@x.com", "c@x.com"])
        assert sorted(result.done) == ["a@x.com", "b@x.com"]
        assert result.failed == {"ghost@x.com": "UserNotFound"}
        assert result.missing == ["c@x.com"]
        assert result.retried is False

    def test_refuses_empty_and_oversized_batches(self):
        client, store, auth = make_client([], [])
        with pytest.raises(ValueError):
            client.bulk("9NBLGGH4R2R6", "0016", "assign", [])
        with pytest.raises(ValueError):
            client.bulk("9NBLGGH4R2R6", "0016", "assign", ["u%d@x.com" % i for i in range(26)])

    def test_409_not_online_for_the_whole_call_fails_every_name(self):
        client, store, auth = make_client(
            [("POST", SEATS_URL, store_error(409, "Not online", reason="Not online"))],
            [("POST", TOKEN_URL, token_response())])
        result = client.bulk("9NBLGGH4R2R6", "0016", "reclaim", ["a@x.com", "b@x.com"])
        assert result.failed == {"a@x.com": "NotOnline", "b@x.com": "NotOnline"}

    def test_409_no_seats_available_is_raised_with_its_reason(self):
        client, store, auth = make_client(
            [("POST", SEATS_URL, store_error(409, "No seats available",
                                             reason="No seats available"))],
            [("POST", TOKEN_URL, token_response())])
        with pytest.raises(MsStoreError) as info:
            client.bulk("9NBLGGH4R2R6", "0016", "assign", ["a@x.com"])
        assert info.value.reason == "No seats available" and not info.value.fatal

    def test_a_retried_write_is_flagged(self):
        client, store, auth = make_client(
            [("POST", SEATS_URL, store_error(503, "busy")),
             ("POST", SEATS_URL, FakeResponse(200, {"seatDetails": [seat("a@x.com")]}))],
            [("POST", TOKEN_URL, token_response())])
        result = client.bulk("9NBLGGH4R2R6", "0016", "assign", ["a@x.com"])
        assert result.retried is True and list(result.done) == ["a@x.com"]
        assert client.api_calls()["POST /Inventory/{productId}/{skuId}/Seats"] == 2


def test_api_error_carries_the_scrubbed_json_body():
    """The shared HTTP layer keeps the error body so clients can read data.itemType."""
    session = ScriptedSession([
        ("GET", API + "/x", FakeResponse(404, {"message": "no %s" % SECRET,
                                               "data": {"itemType": "User"}})),
        ("GET", API + "/y", FakeResponse(500, "plain text")),
    ])
    http = HttpClient(API, secrets=[SECRET], retries=0, session=session)
    with pytest.raises(ApiError) as info:
        http.request("GET", "/x")
    assert info.value.body["data"] == {"itemType": "User"}
    assert SECRET not in info.value.body["message"]
    with pytest.raises(ApiError) as info:
        http.request("GET", "/y")
    assert info.value.body is None


# -- a 404 is read exactly ------------------------------------------------------------------

USER_SEATS_URL = API + "/Users/a@x.com/Seats"


class TestNotFoundReadExactly(object):
    @pytest.mark.parametrize("answer", [
        FakeResponse(404, "Not Found"),                                   # a plain web server
        FakeResponse(404, "<html><head><title>404 Not Found</title></head></html>"),  # a proxy
        FakeResponse(404, None),
        store_error(404, "The requested resource does not exist"),        # Store shape, no item
        FakeResponse(404, {"statusCode": 404, "message": "Resource not found"}),  # a gateway
    ])
    def test_a_404_without_the_item_type_is_an_error_on_every_seat_read(self, answer):
        client, store, auth = make_client(
            [("GET", USER_SEATS_URL, answer), ("GET", SEATS_URL + "/a@x.com", answer),
             ("GET", SEATS_URL, answer)],
            [("POST", TOKEN_URL, token_response())])
        for read in (lambda: list(client.iter_user_seats("a@x.com")),
                     lambda: client.get_seat("9NBLGGH4R2R6", "0016", "a@x.com"),
                     lambda: list(client.iter_product_seats("9NBLGGH4R2R6", "0016"))):
            with pytest.raises(MsStoreError) as info:
                read()
            assert info.value.status == 404 and info.value.item_type is None
            assert "answered HTTP 404 without the Store's item type" in str(info.value)
            assert "Check api_url (%s): it must be the Store API's base URL ending in /V1" % API \
                in str(info.value)
        store.done()

    def test_each_item_type_means_what_it_says(self):
        client, store, auth = make_client(
            [("GET", USER_SEATS_URL, store_error(404, "User not found", itemType="User",
                                                 values="a@x.com")),
             ("GET", SEATS_URL + "/a@x.com", store_error(404, "Inventory not found",
                                                         itemType="Inventory"))],
            [("POST", TOKEN_URL, token_response())])
        with pytest.raises(MsStoreError) as info:
            list(client.iter_user_seats("a@x.com"))
        assert info.value.item_type == "User"
        with pytest.raises(MsStoreError) as info:
            client.get_seat("9NBLGGH4R2R6", "0016", "a@x.com")
        assert info.value.item_type == "Inventory"  # not "no seat": the product is unknown

    def test_pascal_case_error_bodies_are_read_too(self):
        body = {"Code": "NotFound", "Message": "Seat not found",
                "Data": {"ItemType": "Seat", "Values": "9NBLGGH4R2R6/0016/a@x.com"}}
        client, store, auth = make_client(
            [("GET", SEATS_URL + "/a@x.com", FakeResponse(404, body))],
            [("POST", TOKEN_URL, token_response())])
        assert client.get_seat("9NBLGGH4R2R6", "0016", "a@x.com") is None

    def test_a_404_from_the_token_endpoint_names_auth_url(self):
        client, store, auth = make_client([], [("POST", TOKEN_URL, FakeResponse(404, "Not Found"))])
        with pytest.raises(MsStoreError) as info:
            list(client.iter_inventory())
        assert info.value.fatal and "Check auth_url" in str(info.value)
        assert "POST %s answered HTTP 404 (Not Found)" % TOKEN_URL in str(info.value)


# -- odd 2xx answers --------------------------------------------------------------------------

class TestOddAnswers(object):
    @pytest.mark.parametrize("url, read, body, problem", [
        (API + "/Inventory", "inventory", [], "expected a JSON object, got an array"),
        (API + "/Inventory", "inventory", {"entries": []}, "inventoryEntries is missing (expected a list)"),
        (API + "/Inventory", "inventory", {"inventoryEntries": [{"productKey": "9NBLGGH4R2R6/0016"}]},
         "inventoryEntries[0]: productKey is a string, not an object"),
        (SEATS_URL, "product", {"seats": {"a@x.com": {}}}, "seats is an object, not a list"),
        (SEATS_URL, "product", {"seats": ["a@x.com"]}, "seats[0] is a string, not an object"),
        (SEATS_URL, "product", {"seats": [{"state": "Active"}]}, "seats[0]: assignedTo is null, not a non-empty string"),
        (USER_SEATS_URL, "user", {"Seats": None}, "seats is null, not a list"),
        (USER_SEATS_URL, "user", {"seats": [{"assignedTo": "a@x.com"}]}, "seats[0]: productKey is null, not an object"),
        (USER_SEATS_URL, "user", {"seats": [], "continuationToken": 2}, "continuationToken is a number, not a string"),
        (SEATS_URL + "/a@x.com", "seat", [seat("a@x.com")], "expected a JSON object, got an array"),
    ])
    def test_fails_naming_the_call(self, url, read, body, problem):
        client, store, auth = make_client([("GET", url, FakeResponse(200, body))],
                                          [("POST", TOKEN_URL, token_response())])
        reads = {"inventory": lambda: list(client.iter_inventory()),
                 "product": lambda: list(client.iter_product_seats("9NBLGGH4R2R6", "0016")),
                 "user": lambda: list(client.iter_user_seats("a@x.com")),
                 "seat": lambda: client.get_seat("9NBLGGH4R2R6", "0016", "a@x.com")}
        with pytest.raises(MsStoreError) as info:
            reads[read]()
        assert str(info.value) == ("GET %s answered HTTP 200, but its body is not what the API "
                                   "documents: %s" % (url, problem))
        store.done()  # never retried: the same answer would come back

    @pytest.mark.parametrize("body", [[], "done", {"seatDetails": "a@x.com"},
                                      {"seatDetails": [7, {"assignedTo": 7}],
                                       "failedSeatOperations": {"userName": "b@x.com"}}])
    def test_an_odd_bulk_answer_confirms_nobody(self, body):
        # The write was sent and answered 2xx: it may have happened. Nothing in the body is
        # believed, every name is "missing", so the engine reads the holders again.
        client, store, auth = make_client([("POST", SEATS_URL, FakeResponse(200, body))],
                                          [("POST", TOKEN_URL, token_response())])
        result = client.bulk("9NBLGGH4R2R6", "0016", "reclaim", ["a@x.com", "b@x.com"])
        assert result.done == {} and result.failed == {}
        assert result.missing == ["a@x.com", "b@x.com"]


# -- connection options -------------------------------------------------------------------------

class _Module(object):
    def __init__(self, params):
        self.params = params
        self.no_log_values = set()


def test_a_missing_ca_path_is_refused_naming_it_before_any_call(tmp_path):
    # The module runner fails the task with this message and api_calls total 0
    # (tests/unit/plugins/modules/test_msstore_seat.py).
    from ansible_collections.seatops.seats.plugins.module_utils._msstore import connect_from_module
    missing = str(tmp_path / "corp-ca.pem")
    module = _Module({"tenant_id": TENANT, "client_id": "app-1", "client_secret": SECRET,
                      "access_token": None, "auth_url": AUTH, "api_url": API,
                      "validate_certs": True, "ca_path": missing, "timeout": 30, "retries": 3})
    with pytest.raises(MsStoreError) as info:
        connect_from_module(module, {})
    assert str(info.value) == ("ca_path %s does not exist: give the path of the PEM file "
                               "holding the CA certificate(s) of the server (no call was "
                               "made)" % missing)
    assert module.no_log_values == {SECRET}


# -- how the Store's and its token endpoint's error bodies read (moved from test_http.py) ----

@pytest.mark.parametrize("body, expected", [
    ('{"code": "NotFound", "message": "Product not found", "data": {"itemType": "Product", '
     '"values": "9NBLGGH4R315"}}', "Product not found (itemType: Product, values: 9NBLGGH4R315)"),
    ("<html>Too Many Requests</html>", "an HTML page: Too Many Requests"),
    ("", "Service Unavailable"),
])
def test_error_message_every_shape(body, expected):
    assert ERROR_MESSAGE(body, "Service Unavailable") == expected


@pytest.mark.parametrize("body, expected", [
    ('{"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client '
     'secret.\\r\\nTrace ID: 1"}', "AADSTS7000215: Invalid client secret."),
    ("", "Service Unavailable"),
])
def test_token_error_message_every_shape(body, expected):
    assert TOKEN_ERROR_MESSAGE(body, "Service Unavailable") == expected
