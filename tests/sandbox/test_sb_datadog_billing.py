"""Committed and on-demand seats, peaks and self-claimed seats of the Datadog emulation
(contract §7.1 and §7.2): what the admin state reports and what the admin calls do.

The base seed's incident_response has 4 committed seats, held by ANA and DARA (peak 2);
apm_pro has no commitment and one holder, BEN.
"""

import datetime
import os
import sqlite3

import pytest
import requests

from sandbox_helpers import ANA, BEN, BOT, CHEN, DARA, ELI, FAY, GUS, UNKNOWN, base_seed, dd, holders, seats_body
from seatops_sandbox import store as store_module
from seatops_sandbox.testing import SandboxError, SandboxProcess

SEATS = "/api/v2/seats/users"
CLAIM = "/_sandbox/datadog/claim"
PRODUCT = "incident_response"


def billing(sb, code=PRODUCT):
    """(holder count, committed_seats, on_demand, peak_holders) of a product in the admin state."""
    product = sb.state()["datadog"]["products"][code]
    return len(product["holders"]), product["committed_seats"], product["on_demand"], product["peak_holders"]


def assign(sb, *uuids, code=PRODUCT):
    resp = dd(sb, "POST", SEATS, json=seats_body(code, uuids))
    assert resp.status_code == 201, resp.text


def reclaim(sb, *uuids, code=PRODUCT):
    resp = dd(sb, "DELETE", SEATS, json=seats_body(code, uuids))
    assert resp.status_code == 204, resp.text


def listed_seats(sb, code=PRODUCT):
    """{user id: assigned_at} as GET /api/v2/seats/users lists the holders."""
    body = dd(sb, "GET", SEATS, params={"product_code": code, "page[limit]": 1000}).json()
    return {seat["id"]: seat["attributes"]["assigned_at"] for seat in body["data"]}


def post_claim(sb, body):
    return requests.post(sb.url + CLAIM, json=body, timeout=30)


# -- committed, on-demand and peak ---------------------------------------------------------

def test_committed_on_demand_and_peak_over_assignments_and_reclaims(sb):
    assert billing(sb) == (2, 4, 0, 2)
    assign(sb, BEN, CHEN)
    assert billing(sb) == (4, 4, 0, 4)                  # every committed seat in use
    assign(sb, GUS, FAY)
    assert billing(sb) == (6, 4, 2, 6)                  # two beyond the commitment: on demand
    reclaim(sb, GUS, FAY, BEN)
    assert billing(sb) == (3, 4, 0, 6)                  # a reclaim never lowers the month's peak
    assign(sb, BEN)
    assert billing(sb) == (4, 4, 0, 6)
    assign(sb, BEN, CHEN)                               # both hold already: nothing changes
    assert billing(sb) == (4, 4, 0, 6)


def test_reclaim_before_assign_keeps_the_peak_assign_before_reclaim_raises_it(sb):
    # A swap (DARA out, BEN in), reclaiming first: never more than 2 holders at once.
    reclaim(sb, DARA)
    assign(sb, BEN)
    assert billing(sb) == (2, 4, 0, 2)
    # The same kind of swap (BEN out, CHEN in), assigning first: 3 holders for a moment.
    assign(sb, CHEN)
    reclaim(sb, BEN)
    assert billing(sb) == (2, 4, 0, 3)
    assert holders(sb, PRODUCT) == sorted([ANA, CHEN])


def test_products_without_a_commitment_report_no_on_demand_seat(sb):
    assign(sb, ANA, CHEN, GUS, code="apm_pro")
    assert billing(sb, "apm_pro") == (4, None, 0, 4)
    assert billing(sb, "empty_product") == (0, None, 0, 0)


def test_a_commitment_of_zero_makes_every_holder_on_demand(sb):
    seed = base_seed()
    seed["datadog"]["products"][1]["committed_seats"] = 0
    sb.seed(seed)
    assert billing(sb, "apm_pro") == (1, 0, 1, 1)


def test_a_seed_may_hold_more_than_its_committed_seats(sb):
    seed = base_seed()
    seed["datadog"]["products"][0]["committed_seats"] = 1
    sb.seed(seed)
    # The seed's holders are the starting peak.
    assert billing(sb) == (2, 1, 1, 2)


def test_peak_reset_starts_a_new_month_from_the_holders_now(sb):
    assign(sb, BEN, CHEN, GUS)
    reclaim(sb, BEN, CHEN, GUS, DARA)
    assert billing(sb) == (1, 4, 0, 5)
    sb.clear_requests()
    assert sb.reset_peaks() == {"peak_holders": {"apm_pro": 1, "empty_product": 0, PRODUCT: 1}}
    assert billing(sb) == (1, 4, 0, 1)
    assert sb.requests()["total"] == 0                  # an admin call, not an API call
    assign(sb, BEN)
    assert billing(sb) == (2, 4, 0, 2)


def test_a_new_seed_starts_the_peak_again(sb):
    assign(sb, BEN, CHEN, GUS)
    assert billing(sb)[3] == 5
    sb.seed(base_seed())
    assert billing(sb) == (2, 4, 0, 2)


def test_seat_limit_is_rejected_and_says_why(sb):
    for limit in (10, None):
        seed = base_seed()
        seed["datadog"]["products"][1]["seat_limit"] = limit
        resp = requests.post(sb.url + "/_sandbox/seed", json=seed, timeout=30)
        assert resp.status_code == 400
        body = resp.json()
        assert body["field"] == "datadog.products[1].seat_limit"
        assert body["error"].startswith("datadog.products[1].seat_limit: removed")
        assert "never refuses an assignment for capacity" in body["error"]
        assert "use committed_seats" in body["error"]
    assert billing(sb) == (2, 4, 0, 2)                  # the old state stays


# -- self-claimed seats ----------------------------------------------------------------------

def _utc(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)


def test_a_claim_gives_the_seat_now_and_raises_the_peak(sb):
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    answer = sb.claim(PRODUCT, "Chen.Wei@Example.com")
    after = datetime.datetime.now(datetime.timezone.utc)
    assert answer["claimed"] is True
    assert answer["product_code"] == PRODUCT
    assert answer["user"] == {"id": CHEN, "email": "chen.wei@example.com"}
    assert before <= _utc(answer["assigned_at"]) <= after
    assert listed_seats(sb)[CHEN] == answer["assigned_at"]
    assert billing(sb) == (3, 4, 0, 3)


def test_a_claim_at_a_given_time_by_user_id(sb):
    answer = sb.claim("apm_pro", GUS.upper(), assigned_at="2026-11-02T08:15:00Z")
    assert answer["claimed"] is True and answer["assigned_at"] == "2026-11-02T08:15:00Z"
    assert listed_seats(sb, "apm_pro")[GUS] == "2026-11-02T08:15:00Z"
    assert billing(sb, "apm_pro") == (2, None, 0, 2)


def test_claims_beyond_the_commitment_are_on_demand(sb):
    for user in (BEN, CHEN, GUS, ELI, BOT):             # pending users and service accounts act too
        assert sb.claim(PRODUCT, user)["claimed"] is True
    assert billing(sb) == (7, 4, 3, 7)


def test_a_claim_by_a_holder_changes_nothing(sb):
    seated_at = listed_seats(sb)[ANA]
    answer = sb.claim(PRODUCT, ANA, assigned_at="2030-01-01T00:00:00Z")
    assert answer["claimed"] is False
    assert answer["assigned_at"] == seated_at
    assert answer["message"] == f"ana.lima@example.com already holds a seat of {PRODUCT}; nothing changed"
    assert listed_seats(sb)[ANA] == seated_at
    assert billing(sb) == (2, 4, 0, 2)


def test_claims_are_not_in_the_request_log(sb):
    sb.claim(PRODUCT, BEN)
    sb.claim(PRODUCT, BEN)
    post_claim(sb, {"product_code": PRODUCT, "user": UNKNOWN})
    assert sb.requests() == {"total": 0, "counts": {}, "entries": []}


@pytest.mark.parametrize("body, field, text", [
    ({"product_code": PRODUCT, "user": UNKNOWN}, "user", f"unknown user {UNKNOWN}"),
    ({"product_code": PRODUCT, "user": "nobody@example.com"}, "user", "unknown user nobody@example.com"),
    ({"product_code": PRODUCT, "user": DARA}, "user", "is disabled"),
    ({"product_code": PRODUCT, "user": "dara.novak@example.com"}, "user", "is disabled"),
    ({"product_code": "no_such_product", "user": BEN}, "product_code", "unknown product code no_such_product"),
    ({"user": BEN}, "product_code", "must be a product code"),
    ({"product_code": PRODUCT}, "user", "must be a user id or a unique email"),
    ({"product_code": PRODUCT, "user": 7}, "user", "must be a user id or a unique email"),
    ({"product_code": PRODUCT, "user": BEN, "assigned_at": "2026-11-02"}, "assigned_at", "ISO-8601 UTC"),
    ({"product_code": PRODUCT, "user": BEN, "assigned_at": "2026-11-02T08:15:00+01:00"}, "assigned_at",
     "ISO-8601 UTC"),
    ({"product_code": PRODUCT, "user": BEN, "assigned_at": "2026-02-30T08:15:00Z"}, "assigned_at", "ISO-8601 UTC"),
])
def test_refused_claims_name_the_field_and_change_nothing(sb, body, field, text):
    resp = post_claim(sb, body)
    assert resp.status_code == 400
    answer = resp.json()
    assert answer["field"] == field
    assert answer["error"].startswith(f"{field}: ") and text in answer["error"]
    assert billing(sb) == (2, 4, 0, 2)
    assert holders(sb, PRODUCT) == sorted([ANA, DARA])


def test_claim_needs_a_json_object_posted(sb):
    resp = requests.post(sb.url + CLAIM, data=b"[1]", headers={"Content-Type": "application/json"}, timeout=30)
    assert resp.status_code == 400 and resp.json() == {"error": "body must be a JSON object", "field": ""}
    assert requests.get(sb.url + CLAIM, timeout=30).status_code == 405
    assert requests.get(sb.url + "/_sandbox/datadog/peaks/reset", timeout=30).status_code == 405


def test_claim_by_an_email_two_users_share_asks_for_the_id(sb):
    seed = base_seed()
    seed["datadog"]["users"].append({"id": UNKNOWN, "email": "gus.tanaka@example.com", "name": "Gus Two"})
    sb.seed(seed)
    resp = post_claim(sb, {"product_code": PRODUCT, "user": "gus.tanaka@example.com"})
    assert resp.status_code == 400 and resp.json()["field"] == "user"
    assert "2 users have the email gus.tanaka@example.com; give a user id" in resp.json()["error"]
    assert sb.claim(PRODUCT, UNKNOWN)["user"] == {"id": UNKNOWN, "email": "gus.tanaka@example.com"}


def test_helper_raises_on_a_refused_claim(sb):
    with pytest.raises(SandboxError, match="400"):
        sb.claim(PRODUCT, DARA)


# -- state files written before committed seats ---------------------------------------------

OLD_DD_PRODUCTS = "CREATE TABLE IF NOT EXISTS dd_products (code TEXT PRIMARY KEY, seat_limit INTEGER);"


def test_an_old_state_file_keeps_its_limit_as_the_commitment(tmp_path):
    path = os.fspath(tmp_path / "old.db")
    schema = store_module.SCHEMA.replace(
        "CREATE TABLE IF NOT EXISTS dd_products (\n"
        "    code TEXT PRIMARY KEY, committed_seats INTEGER, peak_holders INTEGER NOT NULL DEFAULT 0);",
        OLD_DD_PRODUCTS)
    assert OLD_DD_PRODUCTS in schema
    conn = sqlite3.connect(path)
    conn.executescript(schema)
    conn.execute("INSERT INTO dd_products VALUES ('incident_response', 1), ('apm_pro', NULL)")
    conn.execute("INSERT INTO dd_users VALUES (?, 'ana@example.com', 'ana', 'Ana', 'Active', 0, 0, 'x', 'x')", (ANA,))
    conn.execute("INSERT INTO dd_users VALUES (?, 'ben@example.com', 'ben', 'Ben', 'Active', 0, 0, 'x', 'x')", (BEN,))
    conn.executemany("INSERT INTO dd_seats VALUES ('incident_response', ?, '2024-01-01T00:00:00Z')", [(ANA,), (BEN,)])
    conn.commit()
    conn.close()
    with SandboxProcess(state=path, extra_args=["--quiet"]) as proc:
        products = proc.state()["datadog"]["products"]
        assert products["incident_response"] == {
            "holders": [{"id": ANA, "email": "ana@example.com"}, {"id": BEN, "email": "ben@example.com"}],
            "committed_seats": 1, "on_demand": 1, "peak_holders": 2}
        assert products["apm_pro"]["committed_seats"] is None and products["apm_pro"]["peak_holders"] == 0
