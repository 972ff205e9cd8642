"""Lost answers: a write the server applied but whose answer never reached the client.

``drop_answer`` handles the request (the state changes) and then closes the connection
without answering; ``after: N`` lets the first N matching requests through untouched, so a
test can fail a re-read but not the first read.
"""

import pytest
import requests

from sandbox_helpers import GUS, TENANT, dd, holders, ms, seats_body, token

SEATS = "/api/v2/seats/users"
STORE_SEATS = "/V1/Inventory/CFQ7TTC0K5DR/0001/Seats"


def statuses(sb):
    return [e["status"] for e in sb.requests()["entries"]]


def test_drop_answer_applies_the_write_then_closes_without_answer(sb):
    sb.faults([{"method": "POST", "path": SEATS, "drop_answer": True, "count": 1}])
    with pytest.raises(requests.ConnectionError):
        dd(sb, "POST", SEATS, json=seats_body("apm_pro", [GUS]))
    assert GUS in holders(sb, "apm_pro")                       # the write took effect
    # The retry a client sends finds the seat already assigned: 201, as the spec says.
    again = dd(sb, "POST", SEATS, json=seats_body("apm_pro", [GUS]))
    assert again.status_code == 201
    assert statuses(sb) == [0, 201]


def test_drop_answer_on_a_store_bulk_reclaim(sb):
    tok = token(sb)
    sb.faults([{"method": "POST", "path": "/V1/Inventory/{productId}/{skuId}/Seats", "drop_answer": True,
                "count": 1}])
    with pytest.raises(requests.ConnectionError):
        ms(sb, "POST", STORE_SEATS, tok, json={"usernames": ["alice@contoso.com"], "seatAction": "Reclaim"})
    state = sb.state()["msstore"]["tenants"][TENANT]["products"]["CFQ7TTC0K5DR/0001"]
    assert "alice@contoso.com" not in state["holders"]


def test_after_lets_the_first_matching_requests_through(sb):
    sb.faults([{"method": "GET", "path": SEATS, "status": 500, "after": 2}])
    codes = [dd(sb, "GET", SEATS, params={"product_code": "apm_pro"}).status_code for _i in range(4)]
    assert codes == [200, 200, 500, 500]
    assert dd(sb, "GET", "/api/v2/users").status_code == 200   # other paths are not counted
    rule = requests.get(sb.url + "/_sandbox/faults", timeout=10).json()["rules"][0]
    assert rule["fired"] == 2 and rule["after"] == 2 and "passed" not in rule


def test_after_and_count_together_fire_a_window(sb):
    sb.faults([{"method": "GET", "path": SEATS, "status": 503, "after": 1, "count": 1}])
    codes = [dd(sb, "GET", SEATS, params={"product_code": "apm_pro"}).status_code for _i in range(3)]
    assert codes == [200, 503, 200]


@pytest.mark.parametrize("rule, field", [
    ({"drop_answer": "yes"}, "rules[0].drop_answer"),
    ({"status": 500, "after": -1}, "rules[0].after"),
    ({"status": 500, "after": True}, "rules[0].after"),
])
def test_bad_new_rule_fields_are_refused_naming_the_field(sb, rule, field):
    resp = requests.post(sb.url + "/_sandbox/faults", json={"rules": [rule]}, timeout=10)
    assert resp.status_code == 400
    assert field in resp.text
