"""Microsoft Store for Business /V1 operations against the contract, over HTTP."""

import pytest
import requests

from sandbox_helpers import OFFLINE, OPEN, OTHER_TENANT, REMOVED, RESTRICTED, TENANT, ms, ms_holders, token

SEATS = "/V1/Inventory/9NBLGGH4R2R6/0016/Seats"


@pytest.fixture
def tok(sb):
    return token(sb)


def err(resp, status, code, message=None, data=None):
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"].startswith("application/json")
    body = resp.json()
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    if message is not None:
        assert body["message"] == message
    if data is None:
        assert "data" not in body
    else:
        assert body["data"] == data
    return body


def inventory(sb, tok):
    return {f"{e['productKey']['productId']}/{e['productKey']['skuId']}": e
            for e in ms(sb, "GET", "/V1/Inventory", tok).json()["inventoryEntries"]}


# -- inventory -----------------------------------------------------------------------------

def test_inventory_lists_every_entry_camel_case(sb, tok):
    resp = ms(sb, "GET", "/V1/Inventory", tok)
    assert resp.status_code == 200
    body = resp.json()
    assert "continuationToken" not in body
    entries = inventory(sb, tok)
    assert set(entries) == {RESTRICTED, OPEN, OFFLINE, REMOVED}
    assert entries[RESTRICTED] == {
        "productKey": {"productId": "9NBLGGH4R2R6", "skuId": "0016"}, "seatCapacity": 3, "availableSeats": 1,
        "lastModified": "2024-04-30T08:00:00Z", "licenseType": "Online", "distributionPolicy": "Restricted",
        "status": "Active"}
    assert entries[OFFLINE]["licenseType"] == "Offline"
    assert entries[OPEN]["distributionPolicy"] == "Open"
    assert entries[REMOVED]["status"] == "Removed"


def test_inventory_paging(sb, tok):
    keys, params, pages = [], {"maxResults": 1}, 0
    while True:
        body = ms(sb, "GET", "/V1/Inventory", tok, params=params).json()
        pages += 1
        assert len(body["inventoryEntries"]) == 1
        keys.append(body["inventoryEntries"][0]["productKey"]["productId"])
        if "continuationToken" not in body:
            break
        assert body["continuationToken"] != ""
        params = {"maxResults": 1, "continuationToken": body["continuationToken"]}
    assert pages == 4 and len(set(keys)) == 4


@pytest.mark.parametrize("query,expected", [
    ("licenseTypes=Online", {RESTRICTED, OPEN, REMOVED}),
    ("licensetypes=offline", {OFFLINE}),
    ("LicenseTypes=online&licenseTypes=OFFLINE", {RESTRICTED, OPEN, OFFLINE, REMOVED}),
    ("modifiedSince=2024-04-01T00%3A00%3A00Z", {RESTRICTED, OPEN}),
    ("modifiedSince=2024-05-01T09%3A30%3A00.6863382-07%3A00", {OPEN}),
    ("IncludeRemoved=true&includeSubscription=false", {RESTRICTED, OPEN, OFFLINE, REMOVED}),
])
def test_inventory_filters(sb, tok, query, expected):
    resp = requests.get(f"{sb.url}/V1/Inventory?{query}", headers={"Authorization": f"Bearer {tok}"},
                        timeout=10)
    assert resp.status_code == 200
    got = {f"{e['productKey']['productId']}/{e['productKey']['skuId']}" for e in resp.json()["inventoryEntries"]}
    assert got == expected


@pytest.mark.parametrize("params,parameter", [
    ({"maxResults": 101}, "maxResults"),
    ({"maxResults": 999}, "maxResults"),
    ({"maxResults": 0}, "maxResults"),
    ({"licenseTypes": "Trial"}, "licenseTypes"),
    ({"modifiedSince": '"2024-01-01T00:00:00Z"'}, "modifiedSince"),
    ({"continuationToken": "bogus"}, "continuationToken"),
])
def test_inventory_bad_parameters(sb, tok, params, parameter):
    body = err(ms(sb, "GET", "/V1/Inventory", tok, params=params), 400, "BadRequest",
               data={"parameter": parameter, "reason": "Invalid parameter"})
    assert parameter in body["message"]


# -- seat lists ----------------------------------------------------------------------------

def test_get_seats_lists_active_seats(sb, tok):
    resp = ms(sb, "GET", SEATS, tok)
    assert resp.status_code == 200
    body = resp.json()
    assert "continuationToken" not in body
    assert [s["assignedTo"] for s in body["seats"]] == ["alice@contoso.com", "bob@contoso.com"]
    seat = body["seats"][0]
    assert seat["state"] == "Active"
    assert seat["productKey"] == {"productId": "9NBLGGH4R2R6", "skuId": "0016"}
    assert seat["dateAssigned"].endswith("Z")


def test_get_seats_paging_with_lower_case_token_name(sb, tok):
    for user in ("carol@contoso.com",):
        ms(sb, "POST", f"{SEATS}/{user}", tok)
    names, params = [], {"maxresults": 2}
    while True:
        body = ms(sb, "GET", SEATS, tok, params=params).json()
        names += [s["assignedTo"] for s in body["seats"]]
        token_ = body.get("continuationToken")
        if token_ is None:
            break
        params = {"maxresults": 2, "continuationtoken": token_}
    assert names == ["alice@contoso.com", "bob@contoso.com", "carol@contoso.com"]


def test_get_seats_empty_product(sb, tok):
    ms(sb, "DELETE", "/V1/Inventory/CFQ7TTC0K5DR/0001/Seats/alice@contoso.com", tok)
    resp = ms(sb, "GET", "/V1/Inventory/CFQ7TTC0K5DR/0001/Seats", tok)
    assert resp.json() == {"seats": []}


def test_get_seats_errors(sb, tok):
    err(ms(sb, "GET", SEATS, tok, params={"maxResults": 101}), 400, "BadRequest",
        data={"parameter": "maxResults", "reason": "Invalid parameter"})
    err(ms(sb, "GET", "/V1/Inventory/NOPE00000000/0016/Seats", tok), 404, "NotFound",
        data={"itemType": "Inventory", "values": "NOPE00000000/0016"})
    err(ms(sb, "GET", "/V1/Inventory/9WZDNCRFJ3PS/0002/Seats", tok), 409, "Conflict",
        data={"reason": "Not online"})
    err(ms(sb, "GET", "/V1/Inventory/short/0016/Seats", tok), 400, "BadRequest",
        data={"parameter": "productId", "reason": "Invalid parameter"})
    err(ms(sb, "GET", "/V1/Inventory/9NBLGGH4R2R6/16/Seats", tok), 400, "BadRequest",
        data={"parameter": "skuId", "reason": "Invalid parameter"})


def test_user_seats_across_products(sb, tok):
    resp = ms(sb, "GET", "/V1/Users/alice@contoso.com/Seats", tok)
    assert resp.status_code == 200
    body = resp.json()
    assert "continuationToken" not in body
    assert sorted((s["productKey"]["productId"], s["productKey"]["skuId"]) for s in body["seats"]) == [
        ("9NBLGGH4R2R6", "0016"), ("CFQ7TTC0K5DR", "0001")]
    assert all(s["state"] == "Active" and s["assignedTo"] == "alice@contoso.com" for s in body["seats"])
    page = ms(sb, "GET", "/V1/Users/alice%40contoso.com/Seats", tok, params={"maxResults": 1}).json()
    assert len(page["seats"]) == 1 and page["continuationToken"]
    rest = ms(sb, "GET", "/V1/users/ALICE@contoso.com/seats", tok,
              params={"maxResults": 1, "continuationToken": page["continuationToken"]}).json()
    assert len(rest["seats"]) == 1 and "continuationToken" not in rest
    assert rest["seats"][0]["productKey"] != page["seats"][0]["productKey"]


def test_user_seats_no_seats_and_errors(sb, tok):
    assert ms(sb, "GET", "/V1/Users/erin@contoso.com/Seats", tok).json() == {"seats": []}
    err(ms(sb, "GET", "/V1/Users/ghost@contoso.com/Seats", tok), 404, "NotFound",
        data={"itemType": "User", "values": "ghost@contoso.com"})
    err(ms(sb, "GET", "/V1/Users/not-a-upn/Seats", tok), 400, "BadRequest",
        data={"parameter": "userName", "reason": "Invalid parameter"})
    err(ms(sb, "GET", "/V1/Users/erin@contoso.com/Seats", tok, params={"maxResults": 500}), 400, "BadRequest",
        data={"parameter": "maxResults", "reason": "Invalid parameter"})


# -- single seat ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/V1/Inventory/9NBLGGH4R2R6/0016/Seats/alice@contoso.com",
    "/V1/Inventory/9NBLGGH4R2R6/0016/Seats/alice%40contoso.com",
    "/v1/inventory/9nblggh4r2r6/0016/seats/ALICE@Contoso.com",
])
def test_get_seat_path_variants(sb, tok, path):
    resp = ms(sb, "GET", path, tok)
    assert resp.status_code == 200
    assert resp.json()["assignedTo"] == "alice@contoso.com"
    assert resp.json()["state"] == "Active"
    assert resp.json()["productKey"] == {"productId": "9NBLGGH4R2R6", "skuId": "0016"}


def test_get_seat_not_held(sb, tok):
    err(ms(sb, "GET", f"{SEATS}/erin@contoso.com", tok), 404, "NotFound",
        data={"itemType": "Seat", "values": "9NBLGGH4R2R6/0016/erin@contoso.com"})


def test_assign_seat_with_empty_json_body_uses_up_a_seat(sb, tok):
    before = inventory(sb, tok)[RESTRICTED]["availableSeats"]
    resp = ms(sb, "POST", f"{SEATS}/erin@contoso.com", tok, data=b"",
              headers={"Content-Type": "application/json"})
    assert resp.status_code == 200
    seat = resp.json()
    assert (seat["assignedTo"], seat["state"]) == ("erin@contoso.com", "Active")
    assert inventory(sb, tok)[RESTRICTED]["availableSeats"] == before - 1
    assert ms(sb, "GET", f"{SEATS}/erin@contoso.com", tok).json()["dateAssigned"] == seat["dateAssigned"]


def test_assign_already_seated_returns_existing_even_when_full(sb, tok):
    original = ms(sb, "GET", f"{SEATS}/alice@contoso.com", tok).json()
    assert ms(sb, "POST", f"{SEATS}/carol@contoso.com", tok).status_code == 200   # now full
    assert inventory(sb, tok)[RESTRICTED]["availableSeats"] == 0
    resp = ms(sb, "POST", f"{SEATS}/alice@contoso.com", tok)
    assert resp.status_code == 200
    assert resp.json() == original
    assert inventory(sb, tok)[RESTRICTED]["availableSeats"] == 0


def test_assign_restricted_exhausted_409(sb, tok):
    assert ms(sb, "POST", f"{SEATS}/carol@contoso.com", tok).status_code == 200
    err(ms(sb, "POST", f"{SEATS}/dave@contoso.com", tok), 409, "Conflict", data={"reason": "No seats available"})
    assert ms_holders(sb, RESTRICTED) == ["alice@contoso.com", "bob@contoso.com", "carol@contoso.com"]


def test_open_product_never_refuses_but_tracks_available(sb, tok):
    path = "/V1/Inventory/CFQ7TTC0K5DR/0001/Seats"
    for user in ("bob@contoso.com", "carol@contoso.com", "dave@contoso.com"):
        assert ms(sb, "POST", f"{path}/{user}", tok).status_code == 200
    entry = inventory(sb, tok)[OPEN]
    assert entry["seatCapacity"] == 2 and entry["availableSeats"] == 0
    assert len(ms_holders(sb, OPEN)) == 4


def test_reclaim_seat(sb, tok):
    resp = ms(sb, "DELETE", f"{SEATS}/bob@contoso.com", tok)
    assert resp.status_code == 200
    assert resp.json()["state"] == "Revoked"
    assert resp.json()["assignedTo"] == "bob@contoso.com"
    assert inventory(sb, tok)[RESTRICTED]["availableSeats"] == 2
    err(ms(sb, "DELETE", f"{SEATS}/bob@contoso.com", tok), 404, "NotFound",
        data={"itemType": "Seat", "values": "9NBLGGH4R2R6/0016/bob@contoso.com"})
    err(ms(sb, "GET", f"{SEATS}/bob@contoso.com", tok), 404, "NotFound",
        data={"itemType": "Seat", "values": "9NBLGGH4R2R6/0016/bob@contoso.com"})


def test_mixed_case_upn_keeps_seeded_casing(sb, tok):
    resp = ms(sb, "POST", f"{SEATS}/frank.mixed@contoso.com", tok)
    assert resp.json()["assignedTo"] == "Frank.Mixed@Contoso.com"
    assert ms(sb, "DELETE", f"{SEATS}/FRANK.MIXED%40CONTOSO.COM", tok).status_code == 200


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_single_seat_check_order(sb, tok, method):
    # 400 before 404 Inventory
    err(ms(sb, method, "/V1/Inventory/bad/0016/Seats/ghost@contoso.com", tok), 400, "BadRequest",
        data={"parameter": "productId", "reason": "Invalid parameter"})
    err(ms(sb, method, f"{SEATS}/not-a-upn", tok), 400, "BadRequest",
        data={"parameter": "userName", "reason": "Invalid parameter"})
    # 404 Inventory before 409 and 404 User
    err(ms(sb, method, "/V1/Inventory/9NBLGGH4R2R6/0099/Seats/ghost@contoso.com", tok), 404, "NotFound",
        data={"itemType": "Inventory", "values": "9NBLGGH4R2R6/0099"})
    # 409 Not online before 404 User
    err(ms(sb, method, "/V1/Inventory/9WZDNCRFJ3PS/0002/Seats/ghost@contoso.com", tok), 409, "Conflict",
        data={"reason": "Not online"})
    err(ms(sb, method, f"{SEATS}/ghost@contoso.com", tok), 404, "NotFound",
        message="User not found", data={"itemType": "User", "values": "ghost@contoso.com"})


def test_removed_entry_keeps_seats_readable_and_reclaimable_but_assigns_nothing(sb, tok):
    path = "/V1/Inventory/9PB2MZ1ZMB1S/0003/Seats"
    assert [s["assignedTo"] for s in ms(sb, "GET", path, tok).json()["seats"]] == ["carol@contoso.com"]
    err(ms(sb, "POST", f"{path}/dave@contoso.com", tok), 409, "Conflict", data={"reason": "No seats available"})
    bulk = ms(sb, "POST", path, tok, json={"usernames": ["dave@contoso.com"], "seatAction": "Assign"}).json()
    assert bulk["failedSeatOperations"][0]["failureReason"] == "NoSeatsAvailable"
    assert ms(sb, "DELETE", f"{path}/carol@contoso.com", tok).status_code == 200
    assert ms_holders(sb, REMOVED) == []


# -- bulk ----------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    {"usernames": ["carol@contoso.com"], "seatAction": "assign"},
    {"UserNames": ["carol@contoso.com"], "seatAction": "Assign"},
    {"USERNAMES": ["carol@contoso.com"], "SeatAction": "ASSIGN"},
])
def test_bulk_assign_accepts_casing_variants(sb, tok, body):
    resp = ms(sb, "POST", SEATS, tok, json=body)
    assert resp.status_code == 200
    assert [s["assignedTo"] for s in resp.json()["seatDetails"]] == ["carol@contoso.com"]
    assert resp.json()["failedSeatOperations"] == []
    assert "carol@contoso.com" in ms_holders(sb, RESTRICTED)


def test_bulk_assign_per_user_outcomes(sb, tok):
    names = ["alice@contoso.com", "ghost@contoso.com", "carol@contoso.com", "dave@contoso.com"]
    resp = ms(sb, "POST", SEATS, tok, json={"usernames": names, "seatAction": "assign"})
    assert resp.status_code == 200
    body = resp.json()
    ok = [s["assignedTo"] for s in body["seatDetails"]]
    failed = {f["userName"]: f["failureReason"] for f in body["failedSeatOperations"]}
    assert sorted(ok + list(failed)) == sorted(names)           # each name in exactly one list
    assert "alice@contoso.com" in ok and "carol@contoso.com" in ok
    assert failed == {"ghost@contoso.com": "UserNotFound", "dave@contoso.com": "NoSeatsAvailable"}
    assert body["failedSeatOperations"][0]["productKey"] == {"productId": "9NBLGGH4R2R6", "skuId": "0016"}
    assert inventory(sb, tok)[RESTRICTED]["availableSeats"] == 0


def test_bulk_reclaim(sb, tok):
    names = ["ALICE@contoso.com", "erin@contoso.com", "ghost@contoso.com"]
    body = ms(sb, "POST", SEATS, tok, json={"usernames": names, "seatAction": "Reclaim"}).json()
    assert [s["assignedTo"] for s in body["seatDetails"]] == ["alice@contoso.com"]
    assert body["seatDetails"][0]["state"] == "Revoked"
    assert {f["userName"]: f["failureReason"] for f in body["failedSeatOperations"]} == {
        "erin@contoso.com": "SeatNotFound", "ghost@contoso.com": "UserNotFound"}
    assert inventory(sb, tok)[RESTRICTED]["availableSeats"] == 2


def test_bulk_offline_all_not_online_with_200(sb, tok):
    resp = ms(sb, "POST", "/V1/Inventory/9WZDNCRFJ3PS/0002/Seats", tok,
              json={"usernames": ["alice@contoso.com", "ghost@contoso.com"], "seatAction": "assign"})
    assert resp.status_code == 200
    body = resp.json()
    assert body["seatDetails"] == []
    assert [(f["userName"], f["failureReason"]) for f in body["failedSeatOperations"]] == [
        ("alice@contoso.com", "NotOnline"), ("ghost@contoso.com", "NotOnline")]


@pytest.mark.parametrize("body,parameter", [
    ({"usernames": [f"u{i}@contoso.com" for i in range(26)], "seatAction": "assign"}, "usernames"),
    ({"usernames": [], "seatAction": "assign"}, "usernames"),
    ({"seatAction": "assign"}, "usernames"),
    ({"usernames": ["alice@contoso.com"]}, "seatAction"),
    ({"usernames": ["alice@contoso.com"], "seatAction": "transfer"}, "seatAction"),
])
def test_bulk_bad_requests(sb, tok, body, parameter):
    resp = ms(sb, "POST", SEATS, tok, json=body)
    assert resp.status_code == 400
    assert resp.json()["code"] == "BadRequest"
    assert resp.json()["data"]["parameter"] == parameter
    assert ms_holders(sb, RESTRICTED) == ["alice@contoso.com", "bob@contoso.com"]


def test_bulk_25_names_allowed(sb, tok):
    names = [f"ghost{i}@contoso.com" for i in range(25)]
    body = ms(sb, "POST", "/V1/Inventory/CFQ7TTC0K5DR/0001/Seats", tok,
              json={"usernames": names, "seatAction": "assign"}).json()
    assert len(body["failedSeatOperations"]) == 25


def test_bulk_unknown_inventory_404(sb, tok):
    err(ms(sb, "POST", "/V1/Inventory/NOPE00000000/0001/Seats", tok,
           json={"usernames": ["alice@contoso.com"], "seatAction": "assign"}), 404, "NotFound",
        data={"itemType": "Inventory", "values": "NOPE00000000/0001"})


def test_unknown_route_and_method(sb, tok):
    # An operation the sandbox does not serve is answered by the web server, not the Store:
    # a 404 without the Store's error body (and so without an item type).
    resp = ms(sb, "GET", "/V1/Products/9NBLGGH4R2R6/0016/Packages", tok)
    assert resp.status_code == 404 and resp.text == "404 page not found\n"
    assert ms(sb, "PUT", SEATS, tok).status_code == 405


# -- tenant isolation ----------------------------------------------------------------------

def test_calls_act_on_the_tokens_tenant(sb, tok):
    fab = token(sb, tenant=OTHER_TENANT, client_id="fab-cid", secret="fab-secret")
    assert [s["assignedTo"] for s in ms(sb, "GET", SEATS, fab).json()["seats"]] == ["zoe@fabrikam.com"]
    assert [s["assignedTo"] for s in ms(sb, "GET", SEATS, tok).json()["seats"]] == [
        "alice@contoso.com", "bob@contoso.com"]
    # zoe exists only in fabrikam
    err(ms(sb, "POST", f"{SEATS}/zoe@fabrikam.com", tok), 404, "NotFound",
        data={"itemType": "User", "values": "zoe@fabrikam.com"})
    # the Open product exists only in contoso
    err(ms(sb, "GET", "/V1/Inventory/CFQ7TTC0K5DR/0001/Seats", fab), 404, "NotFound",
        data={"itemType": "Inventory", "values": "CFQ7TTC0K5DR/0001"})
    assert ms(sb, "POST", f"{SEATS}/alice@contoso.com", fab).status_code == 200
    state = sb.state()["msstore"]["tenants"]
    assert state[OTHER_TENANT]["products"][RESTRICTED]["holders"] == ["alice@contoso.com", "zoe@fabrikam.com"]
    assert state[TENANT]["products"][RESTRICTED]["holders"] == ["alice@contoso.com", "bob@contoso.com"]
    assert set(inventory(sb, fab)) == {RESTRICTED}


def test_accepts_ms_cv_header(sb, tok):
    resp = ms(sb, "GET", "/V1/Inventory", tok, headers={"MS-CV": "AbCdEfGhIjKlMnOp"})
    assert resp.status_code == 200
