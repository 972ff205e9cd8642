"""Datadog Seats API (/api/v2/seats/users) against the contract, over HTTP."""

import json

import pytest
import requests

from sandbox_helpers import ANA, BEN, BOT, CHEN, DARA, ELI, FAY, GUS, UNKNOWN, dd, holders, seats_body

SEATS = "/api/v2/seats/users"
VND = "application/vnd.api+json"


def detail(resp):
    return resp.json()["errors"][0]["detail"]


def assert_seats_error(resp, status, text):
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"] == VND
    assert resp.json() == {"errors": [{"title": "Generic Error", "detail": text}]}


# -- reads ---------------------------------------------------------------------------------

def test_list_holders_shape_and_content_type(sb):
    resp = dd(sb, "GET", SEATS, params={"product_code": "incident_response", "page[limit]": 10})
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == VND
    body = resp.json()
    assert [d["id"] for d in body["data"]] == sorted([ANA, DARA])
    first = body["data"][0]
    assert first["type"] == "seat-users"
    assert first["attributes"]["email"] == "ana.lima@example.com"
    assert first["attributes"]["name"] == "Ana Lima"
    assert first["attributes"]["assigned_at"].endswith("Z")
    assert body["meta"]["limit"] == 10
    assert "next_cursor" not in body["meta"]


def test_empty_product_is_exactly_data_list(sb):
    resp = dd(sb, "GET", SEATS, params={"product_code": "empty_product"})
    assert resp.status_code == 200
    assert resp.text == '{"data":[]}'


@pytest.mark.parametrize("query", [
    "product_code=apm_pro&page%5Blimit%5D=5",
    "product_code=apm_pro&page[limit]=5",
])
def test_encoded_and_literal_brackets(sb, query):
    resp = requests.get(f"{sb.url}{SEATS}?{query}", timeout=10,
                        headers={"DD-API-KEY": "full-api", "DD-APPLICATION-KEY": "full-app"})
    assert resp.status_code == 200
    assert resp.json()["meta"]["limit"] == 5
    assert [d["id"] for d in resp.json()["data"]] == [BEN]


def test_default_limit_is_100(sb):
    resp = dd(sb, "GET", SEATS, params={"product_code": "apm_pro"})
    assert resp.json()["meta"]["limit"] == 100


def test_pagination_over_several_pages(sb):
    uuids = [ANA, BEN, CHEN, ELI, BOT, FAY, GUS]
    assert dd(sb, "POST", SEATS, json=seats_body("apm_pro", uuids)).status_code == 201
    seen, cursors = [], []
    params = {"product_code": "apm_pro", "page[limit]": 3}
    pages = 0
    while True:
        body = dd(sb, "GET", SEATS, params=params).json()
        pages += 1
        seen += [d["id"] for d in body["data"]]
        nxt = body["meta"].get("next_cursor")
        if not nxt:
            break
        assert nxt not in cursors
        cursors.append(nxt)
        params["page[cursor]"] = nxt
    assert pages == 3
    assert len(body["data"]) == 1   # 7 holders in pages of 3
    assert seen == sorted(uuids)    # stable order by user id, each holder once


def test_exact_multiple_has_no_next_cursor_on_last_page(sb):
    assert dd(sb, "POST", SEATS, json=seats_body("apm_pro", [ANA])).status_code == 201
    body = dd(sb, "GET", SEATS, params={"product_code": "apm_pro", "page[limit]": 2}).json()
    assert len(body["data"]) == 2
    assert "next_cursor" not in body["meta"]


def test_same_cursor_returns_same_page_while_unchanged(sb):
    dd(sb, "POST", SEATS, json=seats_body("apm_pro", [ANA, CHEN, GUS]))
    first = dd(sb, "GET", SEATS, params={"product_code": "apm_pro", "page[limit]": 2}).json()
    params = {"product_code": "apm_pro", "page[limit]": 2, "page[cursor]": first["meta"]["next_cursor"]}
    assert dd(sb, "GET", SEATS, params=params).json() == dd(sb, "GET", SEATS, params=params).json()


@pytest.mark.parametrize("params", [{}, {"product_code": ""}])
def test_get_without_product_code(sb, params):
    assert_seats_error(dd(sb, "GET", SEATS, params=params), 400, "product_code query parameter is required")


@pytest.mark.parametrize("limit", ["0", "-1", "abc", "1001", "2.5"])
def test_bad_page_limit(sb, limit):
    resp = dd(sb, "GET", SEATS, params={"product_code": "incident_response", "page[limit]": limit})
    assert resp.status_code == 400
    assert "page[limit]" in detail(resp)
    assert resp.headers["Content-Type"] == VND


def test_page_limit_max_1000_accepted(sb):
    resp = dd(sb, "GET", SEATS, params={"product_code": "incident_response", "page[limit]": 1000})
    assert resp.status_code == 200


def test_page_limit_max_is_1000_by_default(sb):
    assert sb.config()["datadog_max_page_limit"] == 1000
    resp = dd(sb, "GET", SEATS, params={"product_code": "incident_response", "page[limit]": 1001})
    assert_seats_error(resp, 400, "page[limit] must be an integer between 1 and 1000")


def test_configured_page_limit_max_refuses_above_it(sb):
    assert sb.config(datadog_max_page_limit=100)["datadog_max_page_limit"] == 100
    for limit in (101, 1000):
        resp = dd(sb, "GET", SEATS, params={"product_code": "incident_response", "page[limit]": limit})
        assert_seats_error(resp, 400, "page[limit] must be an integer between 1 and 100")
    resp = dd(sb, "GET", SEATS, params={"product_code": "incident_response", "page[limit]": 100})
    assert resp.status_code == 200 and resp.json()["meta"]["limit"] == 100
    # Other bad values name the configured maximum too; the check still comes before the product's.
    resp = dd(sb, "GET", SEATS, params={"product_code": "nope", "page[limit]": "0"})
    assert_seats_error(resp, 400, "page[limit] must be an integer between 1 and 100")


def test_configured_page_limit_max_above_1000(sb):
    sb.config(datadog_max_page_limit=5000)
    resp = dd(sb, "GET", SEATS, params={"product_code": "apm_pro", "page[limit]": 5000})
    assert resp.status_code == 200 and resp.json()["meta"]["limit"] == 5000
    resp = dd(sb, "GET", SEATS, params={"product_code": "apm_pro", "page[limit]": 5001})
    assert_seats_error(resp, 400, "page[limit] must be an integer between 1 and 5000")


def test_default_page_fits_a_smaller_maximum(sb):
    uuids = [ANA, BEN, CHEN, ELI, BOT, FAY, GUS]
    assert dd(sb, "POST", SEATS, json=seats_body("apm_pro", uuids)).status_code == 201
    sb.config(datadog_max_page_limit=3)
    body = dd(sb, "GET", SEATS, params={"product_code": "apm_pro"}).json()
    assert body["meta"]["limit"] == 3 and len(body["data"]) == 3 and body["meta"]["next_cursor"]


def test_page_limit_maximum_leaves_users_page_size_alone(sb):
    sb.config(datadog_max_page_limit=5)
    resp = dd(sb, "GET", "/api/v2/users", params={"page[size]": 100})
    assert resp.status_code == 200
    resp = dd(sb, "GET", "/api/v2/users", params={"page[size]": 101})
    assert resp.status_code == 400 and resp.json() == {"errors": ["page[size] must be an integer between 1 and 100"]}


def test_bad_cursor(sb):
    resp = dd(sb, "GET", SEATS, params={"product_code": "incident_response", "page[cursor]": "garbage!"})
    assert resp.status_code == 400
    assert "page[cursor]" in detail(resp)


def test_get_unknown_product(sb):
    assert_seats_error(dd(sb, "GET", SEATS, params={"product_code": "nope"}), 422, "invalid product_code nope")


def test_get_page_limit_checked_before_unknown_product(sb):
    resp = dd(sb, "GET", SEATS, params={"product_code": "nope", "page[limit]": "0"})
    assert resp.status_code == 400


# -- writes --------------------------------------------------------------------------------

def test_assign_returns_201_with_assigned_ids_in_request_order(sb):
    resp = dd(sb, "POST", SEATS, json=seats_body("incident_response", [CHEN, ANA, BEN, CHEN]))
    assert resp.status_code == 201
    assert resp.headers["Content-Type"] == VND
    data = resp.json()["data"]
    assert data["type"] == "seat-assignments"
    assert data["id"]
    assert data["attributes"] == {"product_code": "incident_response", "assigned_ids": [CHEN, ANA, BEN]}
    assert holders(sb, "incident_response") == sorted([ANA, BEN, CHEN, DARA])


def test_assign_accepts_upper_case_uuid_and_pending_and_service_account(sb):
    resp = dd(sb, "POST", SEATS, json=seats_body("apm_pro", [ELI, BOT, GUS.upper()]))
    assert resp.status_code == 201
    assert resp.json()["data"]["attributes"]["assigned_ids"] == [ELI, BOT, GUS]
    assert holders(sb, "apm_pro") == sorted([BEN, ELI, BOT, GUS])


def test_reassign_holder_is_not_an_error(sb):
    resp = dd(sb, "POST", SEATS, json=seats_body("incident_response", [ANA]))
    assert resp.status_code == 201
    assert resp.json()["data"]["attributes"]["assigned_ids"] == [ANA]
    assert holders(sb, "incident_response") == sorted([ANA, DARA])


def test_unassign_returns_204_empty_and_non_holder_is_noop(sb):
    resp = dd(sb, "DELETE", SEATS, json=seats_body("incident_response", [ANA, BEN]))
    assert resp.status_code == 204
    assert resp.content == b""
    assert resp.headers["Content-Length"] == "0"
    assert holders(sb, "incident_response") == [DARA]


def test_unassign_disabled_user_allowed(sb):
    assert dd(sb, "DELETE", SEATS, json=seats_body("incident_response", [DARA])).status_code == 204
    assert holders(sb, "incident_response") == [ANA]


def test_assign_disabled_user_rejected(sb):
    resp = dd(sb, "POST", SEATS, json=seats_body("apm_pro", [CHEN, DARA]))
    assert_seats_error(resp, 422, f"invalid user_uuids: {DARA}")
    assert holders(sb, "apm_pro") == [BEN]


def test_unknown_and_malformed_uuids_listed_in_request_order(sb):
    for method in ("POST", "DELETE"):
        resp = dd(sb, method, SEATS, json=seats_body("apm_pro", ["not-a-uuid", CHEN, UNKNOWN, "not-a-uuid"]))
        assert_seats_error(resp, 422, f"invalid user_uuids: not-a-uuid,{UNKNOWN}")
    assert holders(sb, "apm_pro") == [BEN]


def test_post_lists_unknown_and_disabled_together(sb):
    resp = dd(sb, "POST", SEATS, json=seats_body("apm_pro", [DARA, UNKNOWN]))
    assert_seats_error(resp, 422, f"invalid user_uuids: {DARA},{UNKNOWN}")


def test_refusal_detail_lists_uuids_by_default(sb):
    assert sb.config()["datadog_refusal_detail"] == "list"
    resp = dd(sb, "POST", SEATS, json=seats_body("apm_pro", [CHEN, UNKNOWN]))
    assert_seats_error(resp, 422, f"invalid user_uuids: {UNKNOWN}")


GENERIC = "One or more user UUIDs are invalid or belong to disabled users"


@pytest.mark.parametrize("method, uuids", [
    ("POST", [CHEN, DARA, GUS]),                       # disabled
    ("POST", [CHEN, UNKNOWN, GUS]),                    # unknown
    ("POST", [CHEN, "not-a-uuid", DARA, UNKNOWN]),     # malformed, disabled and unknown
    ("DELETE", [BEN, UNKNOWN]),
    ("DELETE", ["not-a-uuid", BEN]),
])
def test_generic_refusal_detail_names_no_uuid_and_changes_nothing(sb, method, uuids):
    assert sb.config(datadog_refusal_detail="generic")["datadog_refusal_detail"] == "generic"
    before = sb.state()["datadog"]
    resp = dd(sb, method, SEATS, json=seats_body("apm_pro", uuids))
    assert_seats_error(resp, 422, GENERIC)
    for uid in uuids + [ANA, BEN, CHEN, DARA, GUS, UNKNOWN]:
        assert uid not in resp.text and uid.upper() not in resp.text
    assert "not-a-uuid" not in resp.text
    assert sb.state()["datadog"] == before
    assert holders(sb, "apm_pro") == [BEN]


def test_generic_refusal_detail_keeps_other_errors_and_successes(sb):
    sb.config(datadog_refusal_detail="generic")
    # Only the refused-UUID detail changes: DELETE still accepts a disabled user, and the
    # other 422s keep their text.
    assert dd(sb, "DELETE", SEATS, json=seats_body("incident_response", [DARA])).status_code == 204
    assert_seats_error(dd(sb, "POST", SEATS, json=seats_body("nope", [UNKNOWN])), 422, "invalid product_code nope")
    assert dd(sb, "POST", SEATS, json=seats_body("apm_pro", [CHEN])).status_code == 201
    assert holders(sb, "apm_pro") == sorted([BEN, CHEN])
    sb.config(datadog_refusal_detail="list")
    assert_seats_error(dd(sb, "POST", SEATS, json=seats_body("apm_pro", [UNKNOWN])), 422,
                       f"invalid user_uuids: {UNKNOWN}")


def test_assigning_beyond_the_committed_seats_succeeds_on_demand(sb):
    # 4 committed, held by ANA and DARA: three newcomers (ANA is already seated) make 5
    # holders. Datadog never refuses for capacity (contract §7.1): the fifth is on demand.
    resp = dd(sb, "POST", SEATS, json=seats_body("incident_response", [ANA, BEN, CHEN, GUS]))
    assert resp.status_code == 201, resp.text
    assert resp.json()["data"]["attributes"]["assigned_ids"] == [ANA, BEN, CHEN, GUS]
    assert holders(sb, "incident_response") == sorted([ANA, BEN, CHEN, DARA, GUS])
    product = sb.state()["datadog"]["products"]["incident_response"]
    assert (product["committed_seats"], product["on_demand"], product["peak_holders"]) == (4, 1, 5)
    # Nothing in the API's own answers tells of the overspend.
    listed = dd(sb, "GET", SEATS, params={"product_code": "incident_response"}).json()
    assert set(listed) == {"data", "meta"} and len(listed["data"]) == 5


@pytest.mark.parametrize("method", ["POST", "DELETE"])
@pytest.mark.parametrize("raw,text", [
    (b"{not json", "request body is not valid JSON"),
    (b"", "request body is not valid JSON"),
    (b"[]", "data is required"),
    (b'{"foo": 1}', "data is required"),
    (b'{"data": {"type": "seat-assignments"}}', "data.attributes is required"),
    (b'{"data": {"attributes": {"product_code": "x", "user_uuids": ["a"]}}}', "data.type must be seat-assignments"),
    (b'{"data": {"type": "users", "attributes": {}}}', "data.type must be seat-assignments"),
])
def test_malformed_bodies(sb, method, raw, text):
    resp = dd(sb, method, SEATS, data=raw, headers={"Content-Type": "application/json"})
    assert_seats_error(resp, 400, text)


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_product_code_checked_before_user_uuids(sb, method):
    body = {"data": {"type": "seat-assignments", "attributes": {"product_code": "", "user_uuids": []}}}
    assert_seats_error(dd(sb, method, SEATS, json=body), 422, "product_code is required")
    body = {"data": {"type": "seat-assignments", "attributes": {"user_uuids": [ANA]}}}
    assert_seats_error(dd(sb, method, SEATS, json=body), 422, "product_code is required")


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_user_uuids_missing_or_empty(sb, method):
    assert_seats_error(dd(sb, method, SEATS, json=seats_body("incident_response", [])), 422,
                       "user_uuids is required and must not be empty")
    body = {"data": {"type": "seat-assignments", "attributes": {"product_code": "incident_response"}}}
    assert_seats_error(dd(sb, method, SEATS, json=body), 422, "user_uuids is required and must not be empty")


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_more_than_1000_uuids(sb, method):
    resp = dd(sb, method, SEATS, json=seats_body("nope", [ANA] * 1001))
    assert_seats_error(resp, 422, "too many user_uuids (max 1000)")


def test_1000_uuids_is_allowed(sb):
    resp = dd(sb, "DELETE", SEATS, json=seats_body("apm_pro", [BEN] * 1000))
    assert resp.status_code == 204


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_unknown_product_on_write(sb, method):
    # unknown product is reported before unknown users (§2.5 step 7 before 8)
    resp = dd(sb, method, SEATS, json=seats_body("nope", [UNKNOWN]))
    assert_seats_error(resp, 422, "invalid product_code nope")


def test_write_then_read_round_trip(sb):
    dd(sb, "POST", SEATS, json=seats_body("apm_pro", [GUS]))
    dd(sb, "DELETE", SEATS, json=seats_body("apm_pro", [BEN]))
    body = dd(sb, "GET", SEATS, params={"product_code": "apm_pro"}).json()
    assert [d["id"] for d in body["data"]] == [GUS]
    assert body["data"][0]["attributes"]["email"] == "gus.tanaka@example.com"


# -- auth and permissions ------------------------------------------------------------------

@pytest.mark.parametrize("headers", [
    {},
    {"DD-API-KEY": "full-api"},
    {"DD-APPLICATION-KEY": "full-app"},
    {"DD-API-KEY": "full-api", "DD-APPLICATION-KEY": "wrong"},
    {"DD-API-KEY": "full-api", "DD-APPLICATION-KEY": "ro-app"},   # keys from two different pairs
    {"Authorization": "Bearer some-oauth-token"},
])
def test_bad_keys_get_403_forbidden(sb, headers):
    for method, kwargs in (("GET", {"params": {"product_code": "incident_response"}}),
                           ("POST", {"json": seats_body("apm_pro", [GUS])}),
                           ("DELETE", {"json": seats_body("apm_pro", [BEN])})):
        resp = dd(sb, method, SEATS, key=None, headers=headers, **kwargs)
        assert resp.status_code == 403
        assert resp.headers["Content-Type"] == VND
        assert resp.json() == {"errors": ["Forbidden"]}
    assert holders(sb, "apm_pro") == [BEN]


def test_auth_checked_before_validation(sb):
    resp = dd(sb, "POST", SEATS, key=None, data=b"{not json")
    assert resp.status_code == 403


def test_read_only_key_reads_but_cannot_write(sb):
    assert dd(sb, "GET", SEATS, key="ro", params={"product_code": "apm_pro"}).status_code == 200
    for method in ("POST", "DELETE"):
        resp = dd(sb, method, SEATS, key="ro", json=seats_body("apm_pro", [GUS]))
        assert resp.status_code == 403
        assert resp.json() == {"errors": ["Forbidden"]}
    assert holders(sb, "apm_pro") == [BEN]


def test_incident_permissions_are_enough_for_seats_but_not_users(sb):
    assert dd(sb, "GET", SEATS, key="incident", params={"product_code": "apm_pro"}).status_code == 200
    assert dd(sb, "POST", SEATS, key="incident", json=seats_body("apm_pro", [GUS])).status_code == 201
    assert dd(sb, "DELETE", SEATS, key="incident", json=seats_body("apm_pro", [GUS])).status_code == 204
    assert dd(sb, "GET", "/api/v2/users", key="incident").status_code == 403


def test_on_call_read_reads_only(sb):
    assert dd(sb, "GET", SEATS, key="oncall_read", params={"product_code": "apm_pro"}).status_code == 200
    assert dd(sb, "POST", SEATS, key="oncall_read", json=seats_body("apm_pro", [GUS])).status_code == 403


def test_user_access_read_alone_cannot_read_seats(sb):
    assert dd(sb, "GET", SEATS, key="users_only", params={"product_code": "apm_pro"}).status_code == 403
    assert dd(sb, "GET", "/api/v2/users", key="users_only").status_code == 200


def test_managed_by_header_accepted_never_required(sb):
    with_header = dd(sb, "GET", SEATS, params={"product_code": "apm_pro"},
                     headers={"X-Datadog-Managed-By": "iac"})
    without = dd(sb, "GET", SEATS, params={"product_code": "apm_pro"})
    assert with_header.status_code == without.status_code == 200
    assert with_header.json() == without.json()


def test_keep_alive_session_reuses_connection(sb):
    with requests.Session() as session:
        session.headers.update({"DD-API-KEY": "full-api", "DD-APPLICATION-KEY": "full-app"})
        for _round in range(5):
            resp = session.delete(sb.url + SEATS, data=json.dumps(seats_body("apm_pro", [GUS])),
                                  headers={"Content-Type": "application/json", "Accept": "*/*"})
            assert resp.status_code == 204
            assert resp.headers.get("Connection", "").lower() != "close"
            resp = session.get(sb.url + SEATS, params={"product_code": "apm_pro"})
            assert resp.status_code == 200
    assert sb.requests()["total"] == 10
