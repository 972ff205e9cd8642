"""Answers a client must read exactly: unknown paths, the Store's undocumented error body and
inventory listing, Removed products, and 2xx answers whose body a fault rule replaces."""

import pytest
import requests

from sandbox_helpers import ANA, BEN, REMOVED, dd, ms, ms_holders, seats_body, token

SEATS_OF_REMOVED = "/V1/Inventory/9PB2MZ1ZMB1S/0003/Seats"


@pytest.fixture
def tok(sb):
    return token(sb)


def assert_no_api_shape(resp):
    """Neither API's error body: no Store ``data.itemType``, no Datadog ``errors``."""
    try:
        body = resp.json()
    except ValueError:
        return
    assert "errors" not in body and "data" not in body and "code" not in body


# -- paths no API has -----------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/nothing/here", "/Inventory", "/Users/alice@contoso.com/Seats",
                                  "/V1/Nope", "/V1/Inventory/9NBLGGH4R2R6/0016/Holders"])
def test_an_unknown_path_is_a_web_servers_404_not_an_api_answer(sb, tok, path):
    # "/Inventory" and "/Users/.../Seats" are what a client with api_url missing /V1 asks for.
    resp = ms(sb, "GET", path, tok)
    assert resp.status_code == 404
    assert resp.headers["Content-Type"].startswith("text/plain")
    assert resp.text == "404 page not found\n"


@pytest.mark.parametrize("style, content_type, check", [
    ("html", "text/html", lambda resp: "<title>404 Not Found</title>" in resp.text),
    ("json", "application/json", lambda resp: resp.json() == {"statusCode": 404, "message": "Resource not found"}),
    ("empty", None, lambda resp: resp.content == b""),
])
def test_unknown_path_answer_switch(sb, tok, style, content_type, check):
    sb.config(unknown_path_answer=style)
    resp = ms(sb, "GET", "/Users/alice@contoso.com/Seats", tok)
    assert resp.status_code == 404 and check(resp)
    assert resp.headers.get("Content-Type", "").startswith(content_type or "") if content_type \
        else "Content-Type" not in resp.headers
    assert_no_api_shape(resp)
    entries = sb.requests()["entries"]
    assert entries[-1]["status"] == 404 and entries[-1]["template"] == "/Users/alice@contoso.com/Seats"


def test_an_unknown_datadog_path_keeps_datadogs_own_not_found(sb):
    # Datadog's front answers its unknown paths in its string-array shape, without a UUID.
    resp = dd(sb, "GET", "/api/v2/users/" + ANA + "/roles")
    assert resp.status_code == 404 and resp.json() == {"errors": ["Not found"]}


# -- the Store's error body -------------------------------------------------------------------

def test_store_error_body_switch(sb, tok):
    path = "/V1/Users/ghost@contoso.com/Seats"
    assert ms(sb, "GET", path, tok).json()["data"]["itemType"] == "User"
    sb.config(msstore_error_body="pascal")
    assert ms(sb, "GET", path, tok).json() == {
        "Code": "NotFound", "Message": "User not found",
        "Data": {"ItemType": "User", "Values": "ghost@contoso.com"}}
    sb.config(msstore_error_body="empty")
    resp = ms(sb, "GET", path, tok)
    assert resp.status_code == 404 and resp.content == b""
    # The switch is the Store's, not the web server's: unknown paths are unchanged.
    assert ms(sb, "GET", "/V1/Nope", tok).text == "404 page not found\n"


# -- Removed products -----------------------------------------------------------------------------

def test_a_removed_products_seats_are_listed_for_the_user_and_reclaimed_in_bulk(sb, tok):
    seats = ms(sb, "GET", "/V1/Users/carol@contoso.com/Seats", tok).json()["seats"]
    assert [s["productKey"] for s in seats] == [{"productId": "9PB2MZ1ZMB1S", "skuId": "0003"}]
    bulk = ms(sb, "POST", SEATS_OF_REMOVED, tok,
              json={"usernames": ["carol@contoso.com"], "seatAction": "Reclaim"}).json()
    assert [s["assignedTo"] for s in bulk["seatDetails"]] == ["carol@contoso.com"]
    assert bulk["failedSeatOperations"] == []
    assert ms_holders(sb, REMOVED) == []


def test_the_inventory_may_leave_removed_entries_out(sb, tok):
    def listed():
        entries = ms(sb, "GET", "/V1/Inventory?maxResults=1", tok).json()
        keys, page = [], entries
        while True:
            keys += ["%s/%s" % (e["productKey"]["productId"], e["productKey"]["skuId"])
                     for e in page["inventoryEntries"]]
            if "continuationToken" not in page:
                return keys
            page = ms(sb, "GET", "/V1/Inventory?maxResults=1&continuationToken=" + page["continuationToken"],
                      tok).json()

    assert REMOVED in listed()
    sb.config(msstore_lists_removed=False)
    assert REMOVED not in listed() and len(listed()) == 3
    # Left out of the listing, the product still has its seats: read and reclaim work.
    assert [s["assignedTo"] for s in ms(sb, "GET", SEATS_OF_REMOVED, tok).json()["seats"]] == ["carol@contoso.com"]
    assert ms(sb, "DELETE", SEATS_OF_REMOVED + "/carol@contoso.com", tok).status_code == 200
    assert ms_holders(sb, REMOVED) == []


# -- mangle: a real answer with another body ----------------------------------------------------------

def test_mangle_replaces_the_body_of_the_real_answer(sb, tok):
    sb.faults([{"method": "GET", "path": "/V1/Users/{username}/Seats", "mangle": [], "count": 1}])
    resp = ms(sb, "GET", "/V1/Users/alice@contoso.com/Seats", tok)
    assert resp.status_code == 200 and resp.json() == []
    assert resp.headers["Content-Type"].startswith("application/json")
    # count: 1, so the next answer is the real one
    assert len(ms(sb, "GET", "/V1/Users/alice@contoso.com/Seats", tok).json()["seats"]) == 2
    assert sb.faults([])["rules"] == []


def test_a_mangled_write_still_takes_effect(sb):
    sb.faults([{"method": "DELETE", "path": "/api/v2/seats/users", "mangle": "<html>ok</html>"}])
    resp = dd(sb, "DELETE", "/api/v2/seats/users", json=seats_body(uuids=[ANA]))
    # 204 cannot carry a body: the mangled answer is a 200.
    assert resp.status_code == 200 and resp.text == "<html>ok</html>"
    assert resp.headers["Content-Type"].startswith("text/html")
    holders = sb.state()["datadog"]["products"]["incident_response"]["holders"]
    assert ANA not in [holder["id"] for holder in holders]


def test_mangle_keeps_the_status_and_the_apis_content_type(sb):
    sb.faults([{"path": "/api/v2/seats/users", "mangle": {"data": "none"}},
               {"path": "/api/v2/users/{user_id}", "mangle": {"data": [BEN]}}])
    resp = dd(sb, "GET", "/api/v2/seats/users?product_code=incident_response")
    assert resp.status_code == 200 and resp.json() == {"data": "none"}
    assert resp.headers["Content-Type"] == "application/vnd.api+json"
    missing = dd(sb, "GET", "/api/v2/users/99999999-9999-4999-8999-999999999999")
    assert missing.status_code == 404 and missing.json() == {"data": [BEN]}


@pytest.mark.parametrize("rule, field", [
    ({"mangle": [], "status": 500}, "rules[0].mangle"),
    ({"mangle": [], "drop": True}, "rules[0].mangle"),
])
def test_mangle_cannot_go_with_an_answer_of_its_own(sb, rule, field):
    resp = requests.post(sb.url + "/_sandbox/faults", json={"rules": [rule]}, timeout=10)
    assert resp.status_code == 400 and resp.json()["field"] == field


def test_a_mangle_only_rule_is_a_rule(sb):
    assert sb.faults([{"mangle": None, "path": "/V1/Inventory"}])["rules"][0]["mangle"] is None
    resp = requests.get(sb.url + "/V1/Inventory", headers={"Authorization": "Bearer x"}, timeout=10)
    # The real answer (401: no valid token) with the body replaced by JSON null.
    assert resp.status_code == 401 and resp.text == "null"
