"""Datadog Users API (/api/v2/users, /api/v2/users/{user_id}) against the contract."""

import pytest

from sandbox_helpers import ANA, BOT, CHEN, DARA, ELI, UNKNOWN, dd

USERS = "/api/v2/users"


def emails(resp):
    return [u["attributes"]["email"] for u in resp.json()["data"]]


def test_list_shape_and_content_type(sb):
    resp = dd(sb, "GET", USERS, params={"page[size]": 100})
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/json"
    body = resp.json()
    assert body["included"] == []
    assert body["meta"]["page"] == {"total_count": 8, "total_filtered_count": 8}
    by_id = {u["id"]: u for u in body["data"]}
    assert by_id[ANA]["type"] == "users"
    attrs = by_id[ANA]["attributes"]
    # emails and handles are stored lower-case; handle defaults to the email
    assert attrs["email"] == "ana.lima@example.com"
    assert attrs["handle"] == "ana.lima@example.com"
    assert attrs["name"] == "Ana Lima"
    assert (attrs["status"], attrs["disabled"], attrs["service_account"]) == ("Active", False, False)
    assert (by_id[DARA]["attributes"]["status"], by_id[DARA]["attributes"]["disabled"]) == ("Disabled", True)
    assert by_id[ELI]["attributes"]["status"] == "Pending"
    assert by_id[BOT]["attributes"]["service_account"] is True
    assert by_id[CHEN]["attributes"]["handle"] == "chenw"


def test_default_page_size_10_and_paging_by_number(sb):
    resp = dd(sb, "GET", USERS)
    assert len(resp.json()["data"]) == 8
    seen = []
    for number in range(4):
        page = dd(sb, "GET", USERS, params={"page[size]": 3, "page[number]": number}).json()
        seen += [u["id"] for u in page["data"]]
        if len(page["data"]) < 3:
            break
    assert number == 2
    assert len(seen) == 8 and len(set(seen)) == 8


def test_default_sort_is_name_descending(sb):
    names = [u["attributes"]["name"] for u in dd(sb, "GET", USERS).json()["data"]]
    assert names == sorted(names, key=str.lower, reverse=True)


@pytest.mark.parametrize("params,reverse", [
    ({"sort": "name", "sort_dir": "asc"}, False),
    ({"sort": "name", "sort_dir": "desc"}, True),
    ({"sort": "-name", "sort_dir": "asc"}, True),
    ({"sort": "name"}, True),
])
def test_sort(sb, params, reverse):
    names = [u["attributes"]["name"] for u in dd(sb, "GET", USERS, params=params).json()["data"]]
    assert names == sorted(names, key=str.lower, reverse=reverse)


def test_sort_modified_at_accepted(sb):
    assert dd(sb, "GET", USERS, params={"sort": "-modified_at"}).status_code == 200


def test_filter_is_case_insensitive_substring_of_email_handle_name(sb):
    resp = dd(sb, "GET", USERS, params={"filter": "ANA", "page[size]": 100})
    # substring, not an exact lookup: ana.lima, fay.ana (and Fay Anderson), gus.tanaka
    assert sorted(emails(resp)) == ["ana.lima@example.com", "fay.ana@example.com", "gus.tanaka@example.com"]
    assert resp.json()["meta"]["page"] == {"total_count": 8, "total_filtered_count": 3}
    assert emails(dd(sb, "GET", USERS, params={"filter": "chenw"})) == ["chen.wei@example.com"]
    assert emails(dd(sb, "GET", USERS, params={"filter": "Okafor"})) == ["ben.okafor@example.com"]
    assert dd(sb, "GET", USERS, params={"filter": "%"}).json()["data"] == []


def test_filter_status(sb):
    resp = dd(sb, "GET", USERS, params={"filter[status]": "Disabled,Pending"})
    assert sorted(emails(resp)) == ["dara.novak@example.com", "eli.silva@example.com"]
    assert resp.json()["meta"]["page"]["total_filtered_count"] == 2
    resp = dd(sb, "GET", USERS, params={"filter": "a", "filter[status]": "Active", "page[size]": 100})
    assert "dara.novak@example.com" not in emails(resp)


@pytest.mark.parametrize("params,name", [
    ({"page[size]": 101}, "page[size]"),
    ({"page[size]": 0}, "page[size]"),
    ({"page[size]": "x"}, "page[size]"),
    ({"page[number]": -1}, "page[number]"),
    ({"sort": "email"}, "sort"),
    ({"sort_dir": "up"}, "sort_dir"),
    ({"filter[status]": "Gone"}, "filter[status]"),
])
def test_bad_params_get_400_string_errors(sb, params, name):
    resp = dd(sb, "GET", USERS, params=params)
    assert resp.status_code == 400
    assert resp.headers["Content-Type"] == "application/json"
    errors = resp.json()["errors"]
    assert isinstance(errors[0], str) and name in errors[0]


def test_page_size_100_allowed(sb):
    assert dd(sb, "GET", USERS, params={"page[size]": 100}).status_code == 200


def test_page_past_end_is_empty(sb):
    resp = dd(sb, "GET", USERS, params={"page[size]": 10, "page[number]": 5})
    assert resp.json()["data"] == []


def test_get_one_user(sb):
    resp = dd(sb, "GET", f"{USERS}/{ANA}")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/json"
    body = resp.json()
    assert body["data"]["id"] == ANA
    assert body["data"]["attributes"]["email"] == "ana.lima@example.com"
    assert body["included"] == []
    assert dd(sb, "GET", f"{USERS}/{ANA.upper()}").json()["data"]["id"] == ANA


def test_get_unknown_user_404(sb):
    resp = dd(sb, "GET", f"{USERS}/{UNKNOWN}")
    assert resp.status_code == 404
    assert resp.json() == {"errors": [f"{UNKNOWN} not found"]}


def test_get_malformed_user_id_404(sb):
    resp = dd(sb, "GET", f"{USERS}/ana.lima")
    assert resp.status_code == 404
    assert resp.json() == {"errors": ["ana.lima is not a valid UUID not found"]}


def test_users_need_user_access_read(sb):
    for path in (USERS, f"{USERS}/{ANA}"):
        resp = dd(sb, "GET", path, key=None)
        assert resp.status_code == 403
        assert resp.headers["Content-Type"] == "application/json"
        assert resp.json() == {"errors": ["Forbidden"]}
        assert dd(sb, "GET", path, key="oncall_read").status_code == 403
        assert dd(sb, "GET", path, key="ro").status_code == 200
