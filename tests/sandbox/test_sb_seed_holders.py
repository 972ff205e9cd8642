"""Seat holders in seeds: a plain name (the seat dates from the load) or a mapping that says
when the seat was assigned (Datadog ``assigned_at``, Store ``dateAssigned``)."""

import datetime

import pytest
import requests

from sandbox_helpers import ANA, BEN, CHEN, OPEN, RESTRICTED, TENANT, base_seed, dd, ms, token

SEATS = "/api/v2/seats/users"
SEATS_FIELD = "msstore.tenants[0].seats." + RESTRICTED


def listed_seats(sb, code):
    body = dd(sb, "GET", SEATS, params={"product_code": code}).json()
    return {seat["id"]: seat["attributes"]["assigned_at"] for seat in body["data"]}


def store_seats(sb, pkey=RESTRICTED):
    product_id, sku_id = pkey.split("/")
    body = ms(sb, "GET", f"/V1/Inventory/{product_id}/{sku_id}/Seats", token(sb)).json()
    return {seat["assignedTo"]: seat["dateAssigned"] for seat in body["seats"]}


def seed_error(sb, seed):
    resp = requests.post(sb.url + "/_sandbox/seed", json=seed, timeout=30)
    assert resp.status_code == 400, resp.text
    return resp.json()


def test_datadog_holders_as_names_and_as_mappings(sb):
    seed = base_seed()
    seed["datadog"]["seats"]["apm_pro"] = [
        {"user": BEN, "assigned_at": "2024-05-01T09:30:00Z"},
        {"user": "Chen.Wei@Example.com", "assigned_at": "2025-12-31T23:59:59.250Z"},   # fractions kept as given
        {"user": "ana.lima@example.com"},                                               # no time: the load time
        "gus.tanaka@example.com",
    ]
    loaded = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT")
    sb.seed(seed)
    seats = listed_seats(sb, "apm_pro")
    assert seats[BEN] == "2024-05-01T09:30:00Z"
    assert seats[CHEN] == "2025-12-31T23:59:59.250Z"
    assert seats[ANA].startswith(loaded) and seats[ANA].endswith("Z")
    assert len(seats) == 4
    assert sb.state()["datadog"]["products"]["apm_pro"]["peak_holders"] == 4


def test_a_holder_listed_twice_keeps_its_first_entry(sb):
    seed = base_seed()
    seed["datadog"]["seats"]["apm_pro"] = [{"user": BEN, "assigned_at": "2024-05-01T09:30:00Z"},
                                           {"user": "ben.okafor@example.com", "assigned_at": "2020-01-01T00:00:00Z"}]
    sb.seed(seed)
    assert listed_seats(sb, "apm_pro") == {BEN: "2024-05-01T09:30:00Z"}


def test_store_holders_as_names_and_as_mappings(sb):
    seed = base_seed()
    tenant = seed["msstore"]["tenants"][0]
    tenant["seats"][RESTRICTED] = [{"upn": "Alice@Contoso.com", "date_assigned": "2024-05-01T09:30:00Z"},
                                   "bob@contoso.com"]
    sb.seed(seed)
    seats = store_seats(sb)
    assert seats["alice@contoso.com"] == "2024-05-01T09:30:00Z"
    assert seats["bob@contoso.com"].endswith("Z") and seats["bob@contoso.com"] != "2024-05-01T09:30:00Z"
    tok = token(sb)
    mine = ms(sb, "GET", "/V1/Users/alice%40contoso.com/Seats", tok).json()["seats"]
    assert {seat["productKey"]["productId"]: seat["dateAssigned"] for seat in mine}["9NBLGGH4R2R6"] == \
        "2024-05-01T09:30:00Z"
    # The Store's capacity is unchanged by the form: 3 seats, 2 used.
    entry = sb.state()["msstore"]["tenants"][TENANT]["products"][RESTRICTED]
    assert (entry["seat_capacity"], entry["available_seats"]) == (3, 1)


def test_store_capacity_still_bounds_mapping_holders(sb):
    seed = base_seed()
    seed["msstore"]["tenants"][0]["seats"][RESTRICTED] = [
        {"upn": upn} for upn in ("alice@contoso.com", "bob@contoso.com", "carol@contoso.com", "dave@contoso.com")]
    body = seed_error(sb, seed)
    assert body["field"] == SEATS_FIELD and "4 holders exceed seat_capacity 3" in body["error"]


def test_unquoted_yaml_timestamps_are_read_as_utc(sb):
    text = """
datadog:
  keys: [{api_key: full-api, app_key: full-app}]
  products: [{code: x, committed_seats: 1}]
  users: [{email: ana@example.com}]
  seats:
    x: [{user: ana@example.com, assigned_at: 2024-05-01T09:30:00Z}]
"""
    resp = requests.post(sb.url + "/_sandbox/seed", data=text, headers={"Content-Type": "application/yaml"},
                         timeout=30)
    assert resp.status_code == 200, resp.text
    assert list(listed_seats(sb, "x").values()) == ["2024-05-01T09:30:00Z"]


BAD_TIMES = ["2024-05-01", "2024-05-01T09:30:00", "2024-05-01T09:30:00+02:00", "2024-05-01 09:30:00Z",
             "2024-02-30T00:00:00Z", "2024-05-01T25:00:00Z", "", 1714555800, ["2024-05-01T09:30:00Z"]]


@pytest.mark.parametrize("value", BAD_TIMES)
def test_bad_assigned_at_names_the_field(sb, value):
    seed = base_seed()
    seed["datadog"]["seats"]["apm_pro"] = ["ben.okafor@example.com", {"user": CHEN, "assigned_at": value}]
    body = seed_error(sb, seed)
    assert body["field"] == "datadog.seats.apm_pro[1].assigned_at"
    assert "must be an ISO-8601 UTC timestamp" in body["error"]


@pytest.mark.parametrize("value", BAD_TIMES)
def test_bad_date_assigned_names_the_field(sb, value):
    seed = base_seed()
    seed["msstore"]["tenants"][0]["seats"][OPEN] = [{"upn": "bob@contoso.com", "date_assigned": value}]
    body = seed_error(sb, seed)
    assert body["field"] == f"msstore.tenants[0].seats.{OPEN}[0].date_assigned"
    assert "must be an ISO-8601 UTC timestamp" in body["error"]


@pytest.mark.parametrize("holder, field", [
    ({"assigned_at": "2024-05-01T09:30:00Z"}, "datadog.seats.apm_pro[0].user"),
    ({"user": "ghost@example.com"}, "datadog.seats.apm_pro[0].user"),
    (5, "datadog.seats.apm_pro[0]"),
    ("", "datadog.seats.apm_pro[0]"),
])
def test_bad_datadog_holders_name_the_field(sb, holder, field):
    seed = base_seed()
    seed["datadog"]["seats"]["apm_pro"] = [holder]
    assert seed_error(sb, seed)["field"] == field


@pytest.mark.parametrize("holder, field", [
    ({"date_assigned": "2024-05-01T09:30:00Z"}, f"{SEATS_FIELD}[0].upn"),
    ({"upn": "ghost@contoso.com"}, f"{SEATS_FIELD}[0].upn"),
    (["alice@contoso.com"], f"{SEATS_FIELD}[0]"),
])
def test_bad_store_holders_name_the_field(sb, holder, field):
    seed = base_seed()
    seed["msstore"]["tenants"][0]["seats"][RESTRICTED] = [holder]
    assert seed_error(sb, seed)["field"] == field
