# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Microsoft Store for Business client: Azure AD client-credentials token and the seat API.

Knows nothing about Ansible. Every call goes through :class:`HttpClient`; this file adds
what is particular to the Store: the token (cached, refreshed ahead of expiry and once on
a 401), the id forms, UPNs in paths, continuation-token paging, the bulk operation and the
meaning of its error bodies (404 Inventory/User/Seat, 409 Not online).
"""

from __future__ import annotations

import re
import time

from urllib.parse import quote

from ansible_collections.seatops.seats.plugins.module_utils._http import (
    ApiError,
    HttpClient,
    error_reader,
    insecure_warnings,
    iterate_continuation_pages,
    json_type,
    list_shape,
    object_shape,
)

DEFAULT_API_URL = "https://bspmts.mp.microsoft.com/V1"
DEFAULT_AUTH_URL = "https://login.microsoftonline.com"
SCOPE = "https://onestore.microsoft.com/.default"
BULK_BATCH = 25
PAGE_SIZE = 100

ACTIVATION_HINT = ("the app (%s) is not activated as a management tool in the Store "
                   "for Business portal (Manage → Settings → Distribute → Management tools)")

_PRODUCT_ID = re.compile(r"^[A-Za-z0-9]{12}$")
_SKU_ID = re.compile(r"^[0-9]{4}$")
# One '@', a non-empty local part, and a domain with a dot; no whitespace or slashes.
_UPN = re.compile(r"^[^@\s/\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
_URL = re.compile(r"^https?://[^\s/]+", re.IGNORECASE)


class MsStoreError(Exception):
    """Any failure of the Store client, with a message a person can act on.

    ``status`` is the HTTP status (None for no response or a local check); ``item_type``
    the Store's 404 item type (``Inventory``, ``User``, ``Seat``); ``reason`` a 409 reason.
    """

    def __init__(self, message, status=None, item_type=None, reason=None, fatal=False):
        super(MsStoreError, self).__init__(message)
        self.message = message
        self.status = status
        self.item_type = item_type
        self.reason = reason
        # An authentication problem: no further call can succeed.
        self.fatal = fatal


# -- input forms ------------------------------------------------------------------------

# check_product_id, check_sku_id and normalise_upn are the one rule for each: the modules and
# the reconcile desired state both call them. ``field`` names where the value came from.

def check_product_id(value, field="product_id"):
    """Validate a productId; returns it upper-cased. Raises ValueError saying what is wrong."""
    text = "" if value is None else str(value).strip()
    if not _PRODUCT_ID.match(text):
        raise ValueError("%s must be the 12-character alphanumeric Store id, like "
                         "9NBLGGH4R2R6; got %r" % (field, value))
    return text.upper()


def check_sku_id(value, field="sku_id"):
    """Validate a skuId given as a string of 4 digits (leading zeros matter)."""
    if isinstance(value, bool) or isinstance(value, (int, float)):
        raise ValueError("%s must be a 4-digit string such as '0016', but it is the number "
                         "%r: unquoted, YAML reads 0016 as a number and loses the leading "
                         "zeros. Quote the 4 digits as the Store shows them, for example "
                         "sku_id: \"0016\"" % (field, value))
    text = "" if value is None else str(value).strip()
    if text.isdigit() and len(text) < 4:
        raise ValueError("%s must be a 4-digit string such as '0016', got %r: was it "
                         "written without quotes, so YAML read a number and dropped the "
                         "leading zeros? Quote the 4 digits as the Store shows them, for example "
                         "sku_id: \"0016\"" % (field, value))
    if not _SKU_ID.match(text):
        raise ValueError("%s must be a 4-digit string such as '0016'; got %r" % (field, value))
    return text


def normalise_upn(name):
    """The canonical (lower-case) form of a UPN; raises ValueError if it is not user@domain."""
    text = str(name).strip()
    if not _UPN.match(text):
        raise ValueError("is not a user principal name of the form user@domain")
    return text.lower()


def check_url(value, field):
    if not value or not _URL.match(str(value)):
        raise ValueError("%s must be an http:// or https:// URL; got %r" % (field, value))
    return str(value).rstrip("/")


def user_path(upn):
    """A UPN as a path segment: a raw '@', every other non-unreserved character encoded."""
    return quote(upn, safe="@")


def prop(mapping, name, default=None):
    """A property read case-insensitively (the Store's casing varies between versions)."""
    if not isinstance(mapping, dict):
        return default
    if name in mapping:
        return mapping[name]
    lower = name.lower()
    for key, value in mapping.items():
        if str(key).lower() == lower:
            return value
    return default


def same(left, right):
    return str(left or "").lower() == str(right or "").lower()


def seat_view(seat):
    """A SeatDetails as ``{user, product_id, sku_id, date_assigned, state}``."""
    key = prop(seat, "productKey") or {}
    return {
        "user": prop(seat, "assignedTo"),
        "product_id": prop(key, "productId"),
        "sku_id": prop(key, "skuId"),
        "date_assigned": prop(seat, "dateAssigned"),
        "state": prop(seat, "state"),
    }


def is_active(seat):
    return same(prop(seat, "state", "Active"), "Active")


# -- the documented shapes of successful answers (see _http.list_shape) ------------------

def _string_field(name):
    def check(item):
        value = prop(item, name)
        if not isinstance(value, str) or not value:
            return "%s is %s, not a non-empty string" % (name, json_type(value))
        return None
    return check


def _product_key_field(item):
    key = prop(item, "productKey")
    if not isinstance(key, dict):
        return "productKey is %s, not an object" % json_type(key)
    for name in ("productId", "skuId"):
        if not isinstance(prop(key, name), str):
            return "productKey.%s is %s, not a string" % (name, json_type(prop(key, name)))
    return None


def _all_of(*checks):
    def check(item):
        for one in checks:
            problem = one(item)
            if problem:
                return problem
        return None
    return check


# InventoryResultSet: inventoryEntries, each with a productKey the modules match on.
INVENTORY_PAGE = list_shape("inventoryEntries", ignore_case=True, item=_product_key_field)
# SeatDetailsResultSet of one product: seats, each naming its holder.
PRODUCT_SEATS_PAGE = list_shape("seats", ignore_case=True, item=_string_field("assignedTo"))
# SeatDetailsResultSet of one user: seats, each naming its product (offboarding reclaims by it).
USER_SEATS_PAGE = list_shape("seats", ignore_case=True, item=_product_key_field)


def _objects(value):
    """The objects of a list the Store sent, ignoring anything else (a write's answer is read
    leniently: what it does not confirm is settled by reading the holders again)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def inventory_view(entry):
    """An InventoryEntryDetails with snake_case keys and the derived assigned count."""
    key = prop(entry, "productKey") or {}
    capacity = prop(entry, "seatCapacity")
    available = prop(entry, "availableSeats")
    assigned = None
    if isinstance(capacity, int) and isinstance(available, int):
        assigned = max(0, capacity - available)
    return {
        "product_id": prop(key, "productId"),
        "sku_id": prop(key, "skuId"),
        "seat_capacity": capacity,
        "available_seats": available,
        "assigned_seats": assigned,
        "license_type": prop(entry, "licenseType"),
        "distribution_policy": prop(entry, "distributionPolicy"),
        "status": prop(entry, "status"),
        "last_modified": prop(entry, "lastModified"),
    }


# -- token ------------------------------------------------------------------------------

def token_error_message(payload):
    """The message of an OAuth error body from the token endpoint (Azure AD):
    ``{"error", "error_description"}``; the description's first line starts with the AADSTS
    code and is what a person needs. None for any other body."""
    if payload.get("error_description") or payload.get("error"):
        return str(payload.get("error_description") or payload.get("error")).splitlines()[0]
    return None


# How the shared HTTP layer reads the token endpoint's error bodies.
TOKEN_ERROR_MESSAGE = error_reader(token_error_message)


class ClientCredentialsToken(object):
    """An Azure AD app token (v2 endpoint, client credentials), cached and refreshed."""

    def __init__(self, http, tenant_id, client_id, client_secret, clock=None):
        self.http = http
        self.tenant_id = tenant_id
        self.client_id = client_id
        self._secret = client_secret
        self._clock = clock or time.monotonic
        self._token = None
        self._refresh_at = 0.0
        self.fetched = 0
        self.can_refresh = True

    def get(self):
        if self._token is None or self._clock() >= self._refresh_at:
            self.refresh()
        return self._token

    def refresh(self):
        path = "/%s/oauth2/v2.0/token" % quote(self.tenant_id, safe="")
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._secret,
            "scope": SCOPE,
        }
        started = self._clock()
        try:
            payload = self.http.request_json("POST", path, form=form,
                                             endpoint="POST /{tenant}/oauth2/v2.0/token")
        except ApiError as exc:
            raise self._explain(exc)
        token = payload.get("access_token") if isinstance(payload, dict) else None
        if not isinstance(token, str):
            token = None
        if not token:
            raise MsStoreError("the token endpoint of tenant %s answered without an access_token"
                               % self.tenant_id, fatal=True)
        lifetime = _seconds(payload.get("expires_in"))
        self._token = str(token)
        self._refresh_at = started + lifetime - refresh_margin(lifetime)
        self.fetched += 1
        return self._token

    def _explain(self, exc):
        body = exc.body or {}
        error = str(body.get("error") or "").lower()
        detail = exc.message
        if exc.status == 401 or error == "invalid_client":
            return MsStoreError(
                "Azure AD refused the credentials: wrong client_secret (or client_id) for tenant "
                "%s (client_id %s). %s" % (self.tenant_id, self.client_id, detail),
                status=exc.status, fatal=True)
        if error == "unauthorized_client":
            return MsStoreError(
                "Azure AD does not know client_id %s in tenant %s: %s"
                % (self.client_id, self.tenant_id, detail), status=exc.status, fatal=True)
        if exc.status == 400:
            return MsStoreError(
                "Azure AD refused the token request for tenant_id %s; check tenant_id (a tenant "
                "GUID or verified domain) and auth_url: %s" % (self.tenant_id, detail),
                status=exc.status, fatal=True)
        if exc.status == 404:
            return MsStoreError(
                "%s %s answered HTTP 404 (%s): it is not an Azure AD token endpoint. Check "
                "auth_url: it must be the authority's base URL, like %s, without the tenant "
                "or a path (nothing was read or changed)"
                % (exc.method, exc.url or exc.path, detail, DEFAULT_AUTH_URL),
                status=404, fatal=True)
        return MsStoreError("getting a token for tenant %s failed: %s" % (self.tenant_id, exc),
                            status=exc.status, fatal=True)


class StaticToken(object):
    """A token the caller already has (``access_token``): never fetched, never refreshed."""

    can_refresh = False

    def __init__(self, token):
        self._token = token
        self.fetched = 0

    def get(self):
        return self._token

    def refresh(self):  # pragma: no cover - the client never asks, can_refresh is False
        return self._token


def refresh_margin(lifetime):
    """Refresh this many seconds before expiry: a tenth of the lifetime, 5 min at most."""
    return min(300.0, lifetime / 10.0)


def _seconds(value):
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        # Unknown lifetime: assume a short one, so the token is refreshed early, not late.
        return 300.0
    return max(0.0, seconds)


# -- the Store --------------------------------------------------------------------------

def error_body_message(payload):
    """The message of a Store error body, ``{"code", "message", "data": {...}}``: the message
    and what ``data`` says of the item (``itemType``, ``values``, ``reason``, ``parameter``)."""
    if not payload.get("message"):
        return None
    message = str(payload["message"])
    data = payload.get("data")
    if isinstance(data, dict):
        details = ", ".join(
            "%s: %s" % (key, data[key])
            for key in ("itemType", "values", "reason", "parameter")
            if data.get(key)
        )
        if details:
            message = "%s (%s)" % (message, details)
    return message


# How the shared HTTP layer reads this API's error bodies.
ERROR_MESSAGE = error_reader(error_body_message)


class BulkResult(object):
    """One bulk call: ``done`` {upn_lower: SeatDetails}, ``failed`` {upn_lower: reason},
    ``missing`` the names in neither list, ``retried`` True when the call was sent again."""

    def __init__(self, done, failed, missing, retried):
        self.done = done
        self.failed = failed
        self.missing = missing
        self.retried = retried


class MsStoreClient(object):
    """The Store seat API with an Azure AD token."""

    def __init__(self, http, token, auth_http=None, client_id=None):
        self.http = http
        self.token = token
        self.auth_http = auth_http
        self.client_id = client_id

    def api_calls(self):
        counts = dict(self.http.calls)
        if self.auth_http is not None:
            counts.update(self.auth_http.calls)
        result = dict(sorted(counts.items()))
        result["total"] = sum(counts.values())
        return result

    def insecure_warnings(self):
        return insecure_warnings(self.http, self.auth_http)

    # -- calls ------------------------------------------------------------------------

    def call(self, method, path, endpoint, params=None, json_body=None, shape=None):
        """One Store call with the token; on a 401 refresh once and send it once more.

        ``shape`` checks a successful answer's body (see ``HttpClient.request_json``)."""
        refreshed = False
        while True:
            headers = {"Authorization": "Bearer %s" % self.token.get(),
                       "Accept": "application/json"}
            try:
                return self.http.request_json(method, path, params=params, json_body=json_body,
                                              headers=headers, endpoint=endpoint, shape=shape)
            except ApiError as exc:
                if exc.status == 401 and self.token.can_refresh and not refreshed:
                    refreshed = True
                    self.token.refresh()
                    continue
                raise self._explain(exc, refreshed)

    def _explain(self, exc, refreshed):
        body = exc.body or {}
        data = prop(body, "data") or {}
        item_type = prop(data, "itemType")
        reason = prop(data, "reason")
        if exc.status == 401:
            if self.token.can_refresh:
                message = ("the Store rejected a freshly issued token (HTTP 401) for %s %s; "
                           "check that the app registration is granted the Store for Business "
                           "API and that auth_url and api_url belong to the same cloud"
                           % (exc.method, exc.path))
            else:
                message = ("the Store rejected access_token (HTTP 401): it is expired or not a "
                           "token for https://onestore.microsoft.com; get a new one, or give "
                           "tenant_id, client_id and client_secret so the module can fetch and "
                           "refresh tokens itself")
            return MsStoreError(message, status=401, fatal=True)
        if exc.status == 403:
            app = ("client_id %s" % self.client_id if self.client_id
                   else "the one access_token was issued to")
            where = " (HTTP 403 on %s %s)" % (exc.method, exc.path)
            return MsStoreError(ACTIVATION_HINT % app + where,
                                status=403, fatal=True)
        if exc.status == 404 and not item_type:
            # The Store names the missing item (Inventory, User or Seat) in every 404 it
            # sends. Without it, the answer did not come from the seat API (a wrong api_url,
            # a proxy, a path the API does not have): it says nothing about any user or seat.
            return MsStoreError(
                "%s %s answered HTTP 404 without the Store's item type (Inventory, User or "
                "Seat), so it is not the Store saying that a product, user or seat is unknown "
                "(the answer: %s). Check api_url (%s): it must be the Store API's base URL "
                "ending in /V1, like %s"
                % (exc.method, exc.url or exc.path, exc.message, self.http.display_url,
                   DEFAULT_API_URL), status=404)
        return MsStoreError(str(exc), status=exc.status, item_type=item_type, reason=reason)

    # -- inventory --------------------------------------------------------------------

    def iter_inventory(self):
        """Every inventory entry, all pages (100 per call)."""
        pages = iterate_continuation_pages(self, "/Inventory", {}, "GET /Inventory",
                                           "the inventory", max_results=PAGE_SIZE,
                                           shape=INVENTORY_PAGE)
        for page in pages:
            yield from prop(page, "inventoryEntries")

    def find_inventory_entry(self, product_id, sku_id):
        """The inventory entry of (product_id, sku_id), reading pages only until it is found."""
        for entry in self.iter_inventory():
            key = prop(entry, "productKey") or {}
            if same(prop(key, "productId"), product_id) and same(prop(key, "skuId"), sku_id):
                return entry
        return None

    # -- seats ------------------------------------------------------------------------

    def iter_product_seats(self, product_id, sku_id):
        """The Active seats of one product, all pages."""
        path = "/Inventory/%s/%s/Seats" % (quote(product_id), quote(sku_id))
        pages = iterate_continuation_pages(
            self, path, {}, "GET /Inventory/{productId}/{skuId}/Seats",
            "the seats of %s/%s" % (product_id, sku_id), max_results=PAGE_SIZE,
            shape=PRODUCT_SEATS_PAGE)
        for page in pages:
            for seat in prop(page, "seats"):
                if is_active(seat):
                    yield seat

    def get_seat(self, product_id, sku_id, upn):
        """The user's Active seat on the product, or None when the Store answers 404 Seat.

        Raises MsStoreError with ``item_type == "User"`` for an unknown user, ``"Inventory"``
        for an unknown product, and for a 404 that names no item type (not the Store's)."""
        path = "/Inventory/%s/%s/Seats/%s" % (quote(product_id), quote(sku_id), user_path(upn))
        try:
            seat = self.call("GET", path, "GET /Inventory/{productId}/{skuId}/Seats/{username}",
                             shape=object_shape)
        except MsStoreError as exc:
            if exc.status == 404 and same(exc.item_type, "Seat"):
                return None
            raise
        return seat if is_active(seat) else None

    def iter_user_seats(self, upn):
        """Every Active seat a user holds, across products, all pages."""
        path = "/Users/%s/Seats" % user_path(upn)
        pages = iterate_continuation_pages(self, path, {}, "GET /Users/{username}/Seats",
                                           "the seats of %s" % upn, max_results=PAGE_SIZE,
                                           shape=USER_SEATS_PAGE)
        for page in pages:
            for seat in prop(page, "seats"):
                if is_active(seat):
                    yield seat

    def bulk(self, product_id, sku_id, action, upns):
        """One bulk call (``assign`` or ``reclaim``) for at most 25 distinct UPNs."""
        names = []
        seen = set()
        for upn in upns:
            if upn.lower() not in seen:
                seen.add(upn.lower())
                names.append(upn)
        if not names or len(names) > BULK_BATCH:
            raise ValueError("a bulk call takes 1 to %d names, got %d" % (BULK_BATCH, len(names)))
        path = "/Inventory/%s/%s/Seats" % (quote(product_id), quote(sku_id))
        body = {"usernames": names, "seatAction": "Assign" if action == "assign" else "Reclaim"}
        retried_before = self.http.retried_writes
        try:
            payload = self.call("POST", path, "POST /Inventory/{productId}/{skuId}/Seats",
                                json_body=body)
        except MsStoreError as exc:
            if exc.status == 409 and same(exc.reason, "Not online"):
                # The real service may refuse the whole call for an Offline entry.
                failed = dict((name.lower(), "NotOnline") for name in names)
                return BulkResult({}, failed, [], self.http.retried_writes > retried_before)
            if exc.status is not None and 200 <= exc.status < 300:
                # Answered 2xx, but not with JSON: the write may well have happened, so it
                # confirms nobody and the holders are read again.
                return BulkResult({}, {}, names, self.http.retried_writes > retried_before)
            raise
        retried = self.http.retried_writes > retried_before
        done = {}
        failed = {}
        for seat in _objects(prop(payload, "seatDetails")):
            user = prop(seat, "assignedTo")
            if isinstance(user, str) and user.lower() in seen:
                done[user.lower()] = seat
        for failure in _objects(prop(payload, "failedSeatOperations")):
            user = prop(failure, "userName")
            if isinstance(user, str) and user.lower() in seen and user.lower() not in done:
                failed[user.lower()] = str(prop(failure, "failureReason") or "unknown failure")
        missing = [name for name in names if name.lower() not in done and name.lower() not in failed]
        return BulkResult(done, failed, missing, retried)

    # The pagination helpers call request_json on what they are given.
    def request_json(self, method, path, params=None, endpoint=None, shape=None, **kwargs):
        return self.call(method, path, endpoint, params=params, shape=shape)


def connection_argument_spec():
    """The connection options of the msstore modules (see the msstore doc fragment).

    Environment fallbacks are applied by :func:`resolve_connection`, not by the argument
    spec, so that an explicit O(access_token) wins over an AZURE_CLIENT_SECRET in the
    environment (AWX injects one) while giving both explicitly is still an error.
    """
    return dict(
        tenant_id=dict(type="str"),
        client_id=dict(type="str"),
        client_secret=dict(type="str", no_log=True),
        access_token=dict(type="str", no_log=True),
        auth_url=dict(type="str", default=DEFAULT_AUTH_URL),
        api_url=dict(type="str", default=DEFAULT_API_URL),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        timeout=dict(type="int", default=30),
        retries=dict(type="int", default=3),
    )


CONNECTION_MUTUALLY_EXCLUSIVE = [["client_secret", "access_token"]]


def resolve_connection(params, environ):
    """Validated keyword arguments for :func:`connect` from module params and the
    environment (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET). Raises
    ValueError naming the option when something is missing or malformed."""
    access_token = params.get("access_token") or None
    tenant_id = params.get("tenant_id") or environ.get("AZURE_TENANT_ID") or None
    client_id = params.get("client_id") or environ.get("AZURE_CLIENT_ID") or None
    client_secret = params.get("client_secret") or None
    if not access_token and not client_secret:
        client_secret = environ.get("AZURE_CLIENT_SECRET") or None
    if not access_token:
        missing = [name for name, value in (("tenant_id", tenant_id), ("client_id", client_id),
                                            ("client_secret", client_secret)) if not value]
        if missing:
            raise ValueError(
                "missing %s: give tenant_id, client_id and client_secret (or set "
                "AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET), or give an "
                "access_token" % ", ".join(missing))
    timeout = params.get("timeout")
    if timeout is not None and timeout <= 0:
        raise ValueError("timeout must be a positive number of seconds, got %s" % timeout)
    retries = params.get("retries")
    if retries is not None and retries < 0:
        raise ValueError("retries must be 0 or more, got %s" % retries)
    return dict(
        api_url=check_url(params.get("api_url") or DEFAULT_API_URL, "api_url"),
        auth_url=check_url(params.get("auth_url") or DEFAULT_AUTH_URL, "auth_url"),
        tenant_id=tenant_id,
        client_id=client_id,
        client_secret=None if access_token else client_secret,
        access_token=access_token,
        timeout=timeout if timeout is not None else 30,
        validate_certs=params.get("validate_certs", True),
        ca_path=params.get("ca_path"),
        retries=retries if retries is not None else 3,
    )


def connect(api_url=DEFAULT_API_URL, auth_url=DEFAULT_AUTH_URL, tenant_id=None, client_id=None,
            client_secret=None, access_token=None, timeout=30, validate_certs=True,
            ca_path=None, retries=3, session=None, auth_session=None, sleep=None, clock=None):
    """Build a client from connection settings (already validated)."""
    secrets = [value for value in (client_secret, access_token) if value]
    http = HttpClient(api_url, secrets=secrets, timeout=timeout, validate_certs=validate_certs,
                      ca_path=ca_path, retries=retries, session=session, sleep=sleep,
                      error_message=ERROR_MESSAGE)
    if access_token:
        return MsStoreClient(http, StaticToken(access_token), client_id=client_id)
    auth_http = HttpClient(auth_url, headers={"Accept": "application/json"}, secrets=secrets,
                           timeout=timeout, validate_certs=validate_certs, ca_path=ca_path,
                           retries=retries, session=auth_session, sleep=sleep,
                           error_message=TOKEN_ERROR_MESSAGE)
    token = ClientCredentialsToken(auth_http, tenant_id, client_id, client_secret, clock=clock)
    return MsStoreClient(http, token, auth_http=auth_http, client_id=client_id)


def connect_from_module(module, environ):
    """The client for a Store module: connection options (or their environment variables)
    checked, the client secret kept out of every output.

    Returns ``(client, tenant_id)``; raises MsStoreError naming the option, no call made."""
    try:
        connection = resolve_connection(module.params, environ)
    except ValueError as exc:
        raise MsStoreError(str(exc))
    if connection["client_secret"]:
        module.no_log_values.add(connection["client_secret"])
    try:
        client = connect(**connection)
    except ApiError as exc:
        # A connection option that cannot work (ca_path naming no readable CA bundle).
        raise MsStoreError(exc.message)
    return client, connection["tenant_id"]
