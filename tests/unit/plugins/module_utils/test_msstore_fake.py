# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Scripted HTTP for the Store unit tests (no sockets), and tests of the fakes themselves.

``ScriptedSession``: a ``requests.Session`` stand-in that answers a fixed script of calls in
order and fails on any extra, missing or different call. ``FakeStore``: a small stateful
Store (inventory, seats, users, tokens) used by backend and module tests, with a page size
that can be made small so every listing has a second page.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote, urlsplit

import pytest

API = "https://store.test/V1"
AUTH = "https://login.test"
TENANT = "contoso.onmicrosoft.com"
SECRET = "s3cr3t-Value-never-shown"


class FakeResponse(object):
    def __init__(self, status=200, body=None, headers=None, reason=None):
        self.status_code = status
        self.headers = dict(headers or {})
        self.reason = reason or ("OK" if status < 400 else "Error")
        if body is None:
            self.text = ""
        elif isinstance(body, (dict, list)):
            self.text = json.dumps(body)
        else:
            self.text = str(body)
        self.content = self.text.encode()

    def json(self):
        return json.loads(self.text)


class Call(object):
    def __init__(self, method, url, params, json_body, form, headers):
        self.method = method
        self.url = url
        self.params = dict(params or {})
        self.json = json_body
        self.form = dict(form or {})
        self.headers = dict(headers or {})

    @property
    def path(self):
        return urlsplit(self.url).path

    def __repr__(self):
        return "Call(%s %s %r)" % (self.method, self.url, self.params)


class ScriptedSession(object):
    """Answers ``script`` entries ``(method, url, response)`` (or with a 4th ``check(call)``)."""

    def __init__(self, script):
        self.script = list(script)
        self.calls = []
        self.headers = {}
        self.verify = True

    def request(self, method, url, params=None, json=None, data=None, headers=None,
                timeout=None):
        call = Call(method, url, params, json, data, headers)
        self.calls.append(call)
        assert self.script, "unexpected extra call %r" % call
        entry = self.script.pop(0)
        expected_method, expected_url, response = entry[:3]
        assert (method, url) == (expected_method, expected_url), \
            "expected %s %s, got %r" % (expected_method, expected_url, call)
        if len(entry) > 3:
            entry[3](call)
        if isinstance(response, Exception):
            raise response
        return response

    def done(self):
        assert not self.script, "calls never made: %r" % [entry[:2] for entry in self.script]


def seat(upn, product_id="9NBLGGH4R2R6", sku_id="0016", state="Active"):
    return {"assignedTo": upn, "dateAssigned": "2024-05-01T09:30:00Z", "state": state,
            "productKey": {"productId": product_id, "skuId": sku_id}}


def entry(product_id="9NBLGGH4R2R6", sku_id="0016", capacity=10, available=5,
          license_type="Online", policy="Restricted", status="Active"):
    return {"productKey": {"productId": product_id, "skuId": sku_id}, "seatCapacity": capacity,
            "availableSeats": available, "lastModified": "2024-04-30T08:00:00Z",
            "licenseType": license_type, "distributionPolicy": policy, "status": status}


def store_error(status, message, **data):
    codes = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
             409: "Conflict", 429: "TooManyRequests", 500: "InternalServerError",
             503: "ServiceUnavailable"}
    body = {"code": codes.get(status, "Error"), "message": message}
    if data:
        body["data"] = data
    return FakeResponse(status, body)


class FakeStore(object):
    """A stateful Store and token endpoint behind one fake session.

    ``products``: ``{(pid, sku): entry dict}``; ``seats``: ``{(pid, sku): {upn_lower: upn}}``;
    ``users``: known UPNs. ``page_size`` caps every page so listings have several pages.
    ``faults``: list of ``(method, path_regex, response)`` answered once each, first.
    ``list_removed``: whether Get inventory lists Removed entries (undocumented, so both).
    Like the sandbox, a Removed entry keeps its seats readable and reclaimable, and refuses
    new assignments.
    """

    SEAT_PATH = re.compile(r"^/V1/Inventory/([^/]+)/([^/]+)/Seats(?:/([^/]+))?$", re.I)
    USER_PATH = re.compile(r"^/V1/Users/([^/]+)/Seats$", re.I)

    def __init__(self, products, seats=None, users=(), page_size=2, active_client=True,
                 token_lifetime=3600, list_removed=True):
        self.products = dict((key, value) for key, value in products.items())
        self.seats = dict((key, dict(value)) for key, value in (seats or {}).items())
        for key in self.products:
            self.seats.setdefault(key, {})
        self.users = set(upn.lower() for upn in users)
        for holders in self.seats.values():
            self.users.update(holders)
        self.page_size = page_size
        self.active_client = active_client
        self.token_lifetime = token_lifetime
        self.list_removed = list_removed
        self.tokens = set()
        self.issued = 0
        self.faults = []
        self.calls = []
        self.headers = {}
        self.verify = True

    # -- session interface ------------------------------------------------------------

    def request(self, method, url, params=None, json=None, data=None, headers=None,
                timeout=None):
        call = Call(method, url, params, json, data, headers)
        self.calls.append(call)
        for index, (fault_method, pattern, response) in enumerate(self.faults):
            if fault_method == method and re.search(pattern, call.path):
                del self.faults[index]
                if isinstance(response, Exception):
                    raise response
                return response
        if call.url.startswith(AUTH):
            return self._token(call)
        auth = call.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            return store_error(401, "Invalid or expired token")
        if not self.active_client:
            return store_error(403, "Not activated as a management tool")
        return self._store(call)

    # -- helpers for tests ------------------------------------------------------------

    def count(self, method, pattern=""):
        return len([c for c in self.calls if c.method == method and re.search(pattern, c.path)])

    def writes(self):
        return [c for c in self.calls if c.method in ("POST", "DELETE") and "/V1/" in c.path]

    def holders(self, key=("9NBLGGH4R2R6", "0016")):
        return sorted(self.seats[key])

    # -- token endpoint ---------------------------------------------------------------

    def _token(self, call):
        if not call.path.endswith("/%s/oauth2/v2.0/token" % TENANT):
            return FakeResponse(400, {"error": "invalid_request",
                                      "error_description": "AADSTS90002: Tenant not found."})
        if call.form.get("client_secret") != SECRET:
            return FakeResponse(401, {"error": "invalid_client",
                                      "error_description": "AADSTS7000215: Invalid client "
                                                           "secret provided."})
        assert call.form["scope"] == "https://onestore.microsoft.com/.default"
        assert call.form["grant_type"] == "client_credentials"
        self.issued += 1
        token = "token-%d" % self.issued
        self.tokens.add(token)
        return FakeResponse(200, {"access_token": token, "token_type": "Bearer",
                                  "expires_in": str(self.token_lifetime)})

    # -- store ------------------------------------------------------------------------

    def _key(self, pid, sku):
        for key in self.products:
            if key[0].lower() == pid.lower() and key[1].lower() == sku.lower():
                return key
        return None

    def _page(self, items, call, name):
        token = call.params.get("continuationToken")
        start = int(token) if token else 0
        size = min(int(call.params.get("maxResults", 25)), self.page_size)
        page = {name: items[start:start + size]}
        if start + size < len(items):
            page["continuationToken"] = str(start + size)
        return FakeResponse(200, page)

    def _store(self, call):
        path = call.path
        if re.match(r"^/V1/Inventory$", path, re.I) and call.method == "GET":
            entries = [item for item in self.products.values()
                       if self.list_removed or item.get("status") != "Removed"]
            return self._page(entries, call, "inventoryEntries")
        match = self.USER_PATH.match(path)
        if match:
            upn = unquote(match.group(1)).lower()
            if upn not in self.users:
                return store_error(404, "User not found", itemType="User", values=upn)
            seats = [seat(holders[upn], key[0], key[1]) for key, holders in sorted(self.seats.items())
                     if upn in holders]
            return self._page(seats, call, "seats")
        match = self.SEAT_PATH.match(path)
        assert match, "unknown path %s" % path
        key = self._key(match.group(1), match.group(2))
        if key is None:
            return store_error(404, "Inventory not found", itemType="Inventory",
                               values="%s/%s" % (match.group(1), match.group(2)))
        product = self.products[key]
        holders = self.seats[key]
        if match.group(3) is None and call.method == "GET":
            if product["licenseType"] == "Offline":
                return store_error(409, "Not online", reason="Not online")
            return self._page([seat(upn, *key) for upn in sorted(holders.values())], call,
                              "seats")
        if match.group(3) is None and call.method == "POST":
            return self._bulk(call, key, product, holders)
        upn = unquote(match.group(3)).lower()
        if product["licenseType"] == "Offline":
            return store_error(409, "Not online", reason="Not online")
        if upn not in self.users:
            return store_error(404, "User not found", itemType="User", values=upn)
        if upn not in holders:
            return store_error(404, "Seat not found", itemType="Seat")
        return FakeResponse(200, seat(holders[upn], *key))

    def _bulk(self, call, key, product, holders):
        names = call.json["usernames"]
        assert 1 <= len(names) <= 25, names
        action = call.json["seatAction"].lower()
        done, failed = [], []
        for name in names:
            upn = name.lower()

            def fail(reason):
                failed.append({"failureReason": reason, "userName": name,
                               "productKey": {"productId": key[0], "skuId": key[1]}})
            if product["licenseType"] == "Offline":
                fail("NotOnline")
            elif upn not in self.users:
                fail("UserNotFound")
            elif action == "assign":
                if upn in holders:
                    done.append(seat(holders[upn], *key))
                elif product.get("status") == "Removed" or (
                        product["distributionPolicy"] == "Restricted" and product["availableSeats"] <= 0):
                    fail("NoSeatsAvailable")
                else:
                    holders[upn] = name
                    product["availableSeats"] -= 1
                    done.append(seat(name, *key))
            else:
                if upn not in holders:
                    fail("SeatNotFound")
                else:
                    del holders[upn]
                    product["availableSeats"] += 1
                    done.append(seat(name, *key, state="Revoked"))
        return FakeResponse(200, {"seatDetails": done, "failedSeatOperations": failed})


def connect_to(fake, monkeypatch, msstore):
    """Make every Store client the modules build (``msstore``: the ``_msstore`` module_utils,
    whose ``connect`` both modules call through ``connect_from_module``) talk to ``fake``,
    with no sleeping and no AZURE_* variables from the machine."""
    real_connect = msstore.connect

    def fake_connect(**kwargs):
        kwargs.update(session=fake, auth_session=fake, sleep=lambda seconds: None)
        return real_connect(**kwargs)

    monkeypatch.setattr(msstore, "connect", fake_connect)
    for name in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    return fake


# -- the fakes' own tests -------------------------------------------------------------

def test_scripted_session_refuses_an_unexpected_call():
    session = ScriptedSession([("GET", API + "/Inventory", FakeResponse(200, {}))])
    with pytest.raises(AssertionError):
        session.request("GET", API + "/Users/a@b.c/Seats")


def test_fake_store_pages_and_answers_404_user():
    store = FakeStore({("9NBLGGH4R2R6", "0016"): entry()},
                      seats={("9NBLGGH4R2R6", "0016"): {"a@x.com": "a@x.com", "b@x.com": "b@x.com",
                                                        "c@x.com": "c@x.com"}})
    store.tokens.add("t")
    headers = {"Authorization": "Bearer t"}
    first = store.request("GET", API + "/Inventory/9NBLGGH4R2R6/0016/Seats",
                          params={"maxResults": 100}, headers=headers).json()
    assert len(first["seats"]) == 2 and first["continuationToken"] == "2"
    missing = store.request("GET", API + "/Users/ghost@x.com/Seats", headers=headers)
    assert missing.status_code == 404 and missing.json()["data"]["itemType"] == "User"


def test_fake_store_can_leave_removed_entries_out_of_the_inventory():
    products = {("9NBLGGH4R2R6", "0016"): entry(),
                ("9MSPC6MP8FM4", "0010"): entry("9MSPC6MP8FM4", "0010", status="Removed")}
    headers = {"Authorization": "Bearer t"}
    for list_removed, expected in ((True, 2), (False, 1)):
        store = FakeStore(products, list_removed=list_removed, page_size=10)
        store.tokens.add("t")
        listed = store.request("GET", API + "/Inventory", params={"maxResults": 100},
                               headers=headers).json()["inventoryEntries"]
        assert len(listed) == expected
