# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Datadog client: seat holders, seat writes, and turning names into user UUIDs.

It knows the Seats and Users APIs (cursor pages of seat holders, numbered pages of users,
1000-UUID write bodies, both error shapes) and nothing about Ansible. Every call goes
through the collection's one HTTP layer (``_http.HttpClient``).
"""

from __future__ import annotations

import concurrent.futures
import math
import re
import threading

from ansible.module_utils.basic import env_fallback

from ansible_collections.seatops.seats.plugins.module_utils._http import (
    ApiError,
    ClientError,
    Explained,
    HttpClient,
    PaginationError,
    ShapeError,
    error_reader,
    insecure_warnings,
    iterate_cursor_pages,
    iterate_numbered_pages,
    json_type,
    list_shape,
    object_shape,
    optional_object,
    optional_string,
)

SITES = (
    "datadoghq.com",
    "us3.datadoghq.com",
    "us5.datadoghq.com",
    "datadoghq.eu",
    "ap1.datadoghq.com",
    "ap2.datadoghq.com",
    "ddog-gov.com",
    "us2.ddog-gov.com",
    "uk1.datadoghq.com",
)
DEFAULT_SITE = "datadoghq.com"

SEATS_PATH = "/api/v2/seats/users"
USERS_PATH = "/api/v2/users"
SEATS_GET = "GET /api/v2/seats/users"
SEATS_POST = "POST /api/v2/seats/users"
SEATS_DELETE = "DELETE /api/v2/seats/users"
USERS_LIST = "GET /api/v2/users"
USER_GET = "GET /api/v2/users/{user_id}"

# The most UUIDs one POST or DELETE may carry.
MAX_BATCH = 1000
# Holders per page: the largest page the API serves keeps a 50,000-seat read at 50 calls.
HOLDERS_PAGE_LIMIT = 1000
# No maximum is documented: when Datadog refuses the large page (a 400 naming page[limit]),
# the client falls back to this one, the page size of the one real recording.
HOLDERS_FALLBACK_PAGE_LIMIT = 100
# Users per page: the documented maximum.
USERS_PAGE_SIZE = 100
# Concurrent exact-match lookups (reads only); see DatadogClient._resolve_one_by_one.
LOOKUP_WORKERS = 4

# The permissions each call may need, the one place 401/403 messages take them from:
# ``(any_of, also)``: any one permission of ``any_of`` is enough (the API reference says so);
# ``also`` are asked for besides by Datadog's newer API reference pages.
_SEATS_READ = ("billing_read", "incident_read", "on_call_read")
_SEATS_WRITE = ("billing_edit", "incident_write", "on_call_write")
PERMISSIONS = {
    SEATS_GET: (_SEATS_READ, ("user_access_read",)),
    SEATS_POST: (_SEATS_WRITE, ()),
    SEATS_DELETE: (_SEATS_WRITE, ()),
    USERS_LIST: (("user_access_read",), ()),
    USER_GET: (("user_access_read",), ()),
}

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Five groups of hex digits, or any letters and digits grouped 8-4-4-4-12: meant as a UUID,
# so it must be a well-formed one (never an email or a handle, found unknown after a lookup).
_UUID_LIKE = re.compile(r"^[0-9a-f]+(?:-[0-9a-f]+){4}$")
_UUID_SHAPED = re.compile(r"^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$")
_PRODUCT_CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$", re.IGNORECASE)
MAX_PRODUCT_CODE = 100
_INVALID_UUIDS = re.compile(r"invalid user_uuids:\s*([0-9A-Za-z,\s_-]+)")


class DatadogError(ClientError):
    """The one error of this client (see ``_http.ClientError``)."""


# -- input checks (before any call) -------------------------------------------------------

def is_uuid(name):
    return bool(_UUID.match(name))


def normalise_name(name):
    """Canonical form of a user name: a UUID, an email or a handle, lower-case.

    Raises ValueError saying what is wrong, for ``fold_names``. The one rule for a Datadog
    name: the modules and the reconcile desired state both call it.
    """
    text = name.strip().lower()
    if _UUID_LIKE.match(text) or _UUID_SHAPED.match(text):
        if not _UUID.match(text):
            raise ValueError("looks like a user UUID but is not one: a UUID is 8-4-4-4-12 "
                             "hexadecimal digits (0-9 and a-f only)")
        return text
    if re.search(r"\s", text):
        raise ValueError("must be an email, a handle or a user UUID, without whitespace")
    if "@" in text:
        local, _sep, domain = text.partition("@")
        if not local or not domain or "@" in domain or domain.startswith(".") \
                or domain.endswith(".") or ".." in domain:
            raise ValueError("is not a plausible email address or handle")
    return text


def check_product_code(code, field="product_code"):
    """Return the product code stripped, or raise DatadogError naming ``field``.

    The one rule for a product code: the modules and the reconcile desired state both call
    it, with ``field`` naming where the code came from (``product_codes[2]``,
    ``datadog[0].product_code``)."""
    text = "" if code is None else str(code).strip()
    if not text:
        raise DatadogError("%s is empty (null or blank): give a product code such as "
                           "incident_response" % field)
    if text.isdigit():
        # Digits only: a YAML number or the wrong variable, never a Datadog product code.
        raise DatadogError(
            "%s %s is a number, not a product code: product codes are names such as "
            "incident_response (was a value left unquoted, or the wrong variable given?)"
            % (field, text))
    if len(text) > MAX_PRODUCT_CODE or not _PRODUCT_CODE.match(text):
        raise DatadogError(
            "%s %r is not a valid product code: use at most %d letters, digits, '_', '-' or "
            "'.', for example incident_response" % (field, code, MAX_PRODUCT_CODE))
    return text


def connection_argument_spec():
    """Options shared by every Datadog module (doc fragment ``seatops.seats.datadog``); each
    is a keyword of :meth:`DatadogClient.connect`."""
    return dict(
        site=dict(type="str", default="datadoghq.com", choices=list(SITES),
                  fallback=(env_fallback, ["DD_SITE"])),
        api_url=dict(type="str"),
        api_key=dict(type="str", no_log=True, fallback=(env_fallback, ["DD_API_KEY"])),
        app_key=dict(type="str", no_log=True, fallback=(env_fallback, ["DD_APP_KEY"])),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        timeout=dict(type="float", default=30),
        retries=dict(type="int", default=3),
    )


def base_url(site=None, api_url=None):
    """The API base URL: ``api_url`` when given, else the one of ``site``."""
    if api_url:
        url = api_url.strip()
        if not re.match(r"^https?://[^/\s]+", url, re.IGNORECASE):
            raise DatadogError("api_url must start with http:// or https:// and name a host, "
                               "got %r" % api_url)
        return url.rstrip("/")
    site = (site or DEFAULT_SITE).strip().lower()
    if site not in SITES:
        raise DatadogError("site must be one of %s, got %r (or set api_url)"
                           % (", ".join(SITES), site))
    return "https://api.%s" % site


def invalid_uuids(detail):
    """The UUIDs a 422 ``invalid user_uuids: a,b`` names, lower-case (empty if none)."""
    match = _INVALID_UUIDS.search(detail or "")
    if not match:
        return set()
    return set(part.strip().lower() for part in match.group(1).split(",") if part.strip())


def user_view(user):
    """``{id, email, name, handle, disabled, service_account, status}`` of a Users API item."""
    attributes = user.get("attributes") or {}
    return {
        "id": user.get("id"),
        "email": (attributes.get("email") or None),
        "handle": (attributes.get("handle") or None),
        "name": attributes.get("name"),
        "status": attributes.get("status"),
        "disabled": bool(attributes.get("disabled")) or attributes.get("status") == "Disabled",
        "service_account": bool(attributes.get("service_account")),
    }


# -- the documented shapes of successful answers (see _http.list_shape) -------------------

def _item_problem(item, id_required):
    """What is wrong with one JSON:API item (a seat holder or a user) for this client."""
    user_id = item.get("id")
    if id_required and (not isinstance(user_id, str) or not user_id):
        return "id is %s, not a user UUID" % json_type(user_id)
    if user_id is not None and not isinstance(user_id, str):
        return "id is %s, not a string" % json_type(user_id)
    problem = optional_object(item, "attributes")
    if problem:
        return problem
    attributes = item.get("attributes") or {}
    for name in ("email", "handle"):
        problem = optional_string(attributes, name)
        if problem:
            return "attributes." + problem
    return None


# GET /api/v2/seats/users: data, a list of holders; ``id`` may be null (the spec says so).
HOLDERS_PAGE = list_shape("data", item=lambda item: _item_problem(item, False))


def names_page_limit(message):
    """True when an error message names the ``page[limit]`` parameter (brackets as written
    or percent-encoded)."""
    text = (message or "").lower()
    return "page[limit]" in text or "page%5blimit%5d" in text


# GET /api/v2/users: data, a list of users, each with its UUID.
USERS_PAGE = list_shape("data", item=lambda item: _item_problem(item, True))


def _user_answer(payload):
    """GET /api/v2/users/{user_id}: data, one user with its UUID."""
    problem = object_shape(payload)
    if problem:
        return problem
    data = payload.get("data")
    if not isinstance(data, dict):
        return "data is %s, not a user object" % json_type(data)
    problem = _item_problem(data, True)
    return "data: " + problem if problem else None


def says_no_such_user(body, user_id):
    """True when a 404's body is the Users API's own "no such user" answer for ``user_id``:
    ``{"errors": ["<user_id> not found"]}``. Any other 404 (a wrong path, a proxy's page, an
    error in the other shape) says nothing about the user."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return False
    wanted = user_id.lower()
    for item in errors:
        text = item if isinstance(item, str) else None
        if isinstance(item, dict):
            text = item.get("detail") or item.get("title")
        if isinstance(text, str) and wanted in text.lower() and "not found" in text.lower():
            return True
    return False


def error_body_message(payload):
    """The message of a Datadog error body: ``{"errors": ["..."]}`` or
    ``{"errors": [{"title", "detail"}]}`` (each detail, else title, joined), else None."""
    errors = payload.get("errors")
    if isinstance(errors, list) and errors:
        parts = []
        for item in errors:
            if isinstance(item, dict):
                part = item.get("detail") or item.get("title")
            else:
                part = item
            if part:
                parts.append(str(part))
        if parts:
            return "; ".join(parts)
    return None


# How the shared HTTP layer reads this API's error bodies.
ERROR_MESSAGE = error_reader(error_body_message)


def _total_count(page):
    meta = page.get("meta") if isinstance(page, dict) else None
    page_meta = meta.get("page") if isinstance(meta, dict) else None
    if isinstance(page_meta, dict) and isinstance(page_meta.get("total_count"), int):
        return page_meta["total_count"]
    return None


# -- the client ---------------------------------------------------------------------------

class DatadogClient(object):
    """Seats and Users API calls, each counted by the HTTP layer under its endpoint name."""

    def __init__(self, http):
        self.http = http
        # The holders page size of this run: HOLDERS_FALLBACK_PAGE_LIMIT once Datadog refused
        # the large one, for every later read of the run.
        self.holders_page_limit = HOLDERS_PAGE_LIMIT
        self._warnings = []
        self._lock = threading.Lock()

    @classmethod
    def connect(cls, api_key, app_key, site=None, api_url=None, validate_certs=True,
                ca_path=None, timeout=30, retries=3, **http_options):
        """Check the connection options and build a client; no call is made yet."""
        missing = [name for name, value in (("api_key", api_key), ("app_key", app_key))
                   if not value]
        if missing:
            raise DatadogError(
                "missing %s: set the option%s or the environment variable%s %s"
                % (" and ".join(missing), "s" if len(missing) > 1 else "",
                   "s" if len(missing) > 1 else "",
                   " and ".join({"api_key": "DD_API_KEY", "app_key": "DD_APP_KEY"}[name]
                                for name in missing)))
        url = base_url(site, api_url)
        if timeout is not None and timeout <= 0:
            raise DatadogError("timeout must be a positive number of seconds, got %s" % timeout)
        if retries is not None and retries < 0:
            raise DatadogError("retries must be 0 or more, got %s" % retries)
        headers = {
            "DD-API-KEY": api_key,
            "DD-APPLICATION-KEY": app_key,
            "X-Datadog-Managed-By": "iac",
            "Accept": "application/json",
        }
        try:
            http = HttpClient(url, headers=headers, secrets=[api_key, app_key], timeout=timeout,
                              validate_certs=validate_certs, ca_path=ca_path, retries=retries,
                              error_message=ERROR_MESSAGE, **http_options)
        except ApiError as exc:
            raise DatadogError(exc.message)
        return cls(http)

    def api_calls(self):
        return self.http.api_calls()

    def insecure_warnings(self):
        return insecure_warnings(self.http)

    def warnings(self):
        """What this run learnt that the person should know (the module returns them as
        ``warnings``): each said once per run."""
        return list(self._warnings)

    # -- seats --------------------------------------------------------------------------

    def list_holders(self, product_code):
        """Every holder of the product (all pages): ``[{id, email, name, assigned_at}]``."""
        holders = []
        pages = iterate_cursor_pages(self.http, SEATS_PATH, {"product_code": product_code},
                                     SEATS_GET, "the seat holders of %s" % product_code,
                                     limit=self.holders_page_limit, shape=HOLDERS_PAGE,
                                     smaller_limit=self._smaller_holders_page)
        with self._explained(SEATS_GET, product_code):
            for page in pages:
                for item in page["data"]:
                    attributes = item.get("attributes") or {}
                    holders.append({
                        "id": item.get("id"),
                        "email": attributes.get("email"),
                        "name": attributes.get("name"),
                        "assigned_at": attributes.get("assigned_at"),
                    })
        return holders

    def _smaller_holders_page(self, exc, limit):
        """The page size to ask again with when Datadog refuses a holders page, or None.

        Datadog documents no maximum ``page[limit]``. A 400 naming ``page[limit]`` to the
        large page makes the run fall back to HOLDERS_FALLBACK_PAGE_LIMIT: the same page is
        asked again at once (a real call, counted), later pages and reads use the small
        size, and one warning says so."""
        if not (exc.status == 400 and names_page_limit(exc.message) and limit > HOLDERS_FALLBACK_PAGE_LIMIT):
            return None
        with self._lock:
            if self.holders_page_limit == limit:  # the first read of the run to be refused
                self.holders_page_limit = HOLDERS_FALLBACK_PAGE_LIMIT
                self._warnings.append(
                    "Datadog refused page[limit]=%d on %s (HTTP 400: %s); this run reads seat "
                    "holders %d per page instead (one extra call, counted in api_calls)"
                    % (limit, SEATS_GET, exc.message, HOLDERS_FALLBACK_PAGE_LIMIT))
        return HOLDERS_FALLBACK_PAGE_LIMIT

    def assign(self, product_code, user_ids):
        """One POST for at most MAX_BATCH UUIDs. Returns True when the call was retried."""
        return self._write("POST", SEATS_POST, product_code, user_ids)

    def unassign(self, product_code, user_ids):
        """One DELETE (with its JSON body) for at most MAX_BATCH UUIDs; True when retried."""
        return self._write("DELETE", SEATS_DELETE, product_code, user_ids)

    def _write(self, method, endpoint, product_code, user_ids):
        user_ids = list(user_ids)
        if not user_ids or len(user_ids) > MAX_BATCH:
            # A programming error, never an API call: the API refuses both.
            raise ValueError("a seat write takes 1 to %d user UUIDs, got %d"
                             % (MAX_BATCH, len(user_ids)))
        body = {"data": {"type": "seat-assignments",
                         "attributes": {"product_code": product_code, "user_uuids": user_ids}}}
        headers = {"Content-Type": "application/json"}
        if method == "DELETE":
            headers["Accept"] = "*/*"
        retried_before = self.http.retried_writes
        with self._explained(endpoint, product_code, lambda: self.http.retried_writes > retried_before):
            self.http.request(method, SEATS_PATH, json_body=body, headers=headers,
                              endpoint=endpoint)
        return self.http.retried_writes > retried_before

    # -- users --------------------------------------------------------------------------

    def get_user(self, user_id):
        """The user with that UUID (see :func:`user_view`), or None when the Users API says
        that no user has it (404 ``{"errors": ["<user_id> not found"]}``); any other 404 is
        an error, never "no such user"."""
        with self._explained(USER_GET):
            try:
                page = self.http.request_json("GET", "%s/%s" % (USERS_PATH, user_id),
                                              endpoint=USER_GET, shape=_user_answer)
            except ApiError as exc:
                if exc.status == 404 and says_no_such_user(exc.body, user_id):
                    return None
                raise
        return user_view(page["data"])

    def find_users(self, text):
        """Users whose email or handle is exactly ``text`` (case-insensitive), reading every
        page of the API's fuzzy ``filter``; returns ``(matches, total_count)``, where
        ``total_count`` is the number of users in the organisation (None if not sent)."""
        wanted = text.lower()
        matches = {}
        total = None
        with self._explained(USERS_LIST):
            for page in iterate_numbered_pages(self.http, USERS_PATH, {"filter": text},
                                               USERS_LIST, page_size=USERS_PAGE_SIZE,
                                               shape=USERS_PAGE):
                if total is None:
                    total = _total_count(page)
                for item in page["data"]:
                    user = user_view(item)
                    if wanted in ((user["email"] or "").lower(), (user["handle"] or "").lower()):
                        matches[user["id"]] = user
        return list(matches.values()), total

    def list_users(self):
        """Every user of the organisation, one page at a time: yields ``(users, total_count)``."""
        pages = iterate_numbered_pages(self.http, USERS_PATH, {}, USERS_LIST,
                                       page_size=USERS_PAGE_SIZE, shape=USERS_PAGE)
        while True:
            with self._explained(USERS_LIST):
                page = next(pages, None)
            if page is None:
                return
            yield [user_view(item) for item in page["data"]], _total_count(page)

    # -- name resolution ----------------------------------------------------------------

    def resolve(self, names, every_match=()):
        """Find the users behind emails, handles and UUIDs, in as few calls as possible.

        ``names``: canonical names (see :func:`normalise_name`). Returns
        ``{name: ("user", user_view)}`` or ``{name: ("unknown", reason)}`` for every name.
        A name several users match is unknown ("ambiguous"), except the names in
        ``every_match``: those get ``("users", [user_view, ...])``, every user it may mean
        (a protected name protects them all).

        Emails and handles need an exact match on ``email`` or ``handle``; UUIDs an existing
        user. Either per-name calls (a ``filter`` lookup, or ``GET /api/v2/users/{id}``) or
        one full listing of all users serve; the first users call tells the user count, and
        the remaining names are then resolved whichever way costs fewer calls.
        """
        names = list(dict.fromkeys(names))
        resolved = {}
        if not names:
            return resolved
        texts = [name for name in names if not is_uuid(name)]
        ids = [name for name in names if is_uuid(name)]
        if texts:
            # A lookup every strategy needs, and its answer carries the user count.
            matches, total = self.find_users(texts[0])
            resolved[texts[0]] = _verdict(texts[0], matches)
            pending = texts[1:] + ids
            listing = full_listing_calls(total)
            if pending and listing is not None and listing < len(pending):
                self._resolve_from_listing(pending, resolved, self.list_users())
            else:
                self._resolve_one_by_one(pending, resolved)
        elif len(ids) == 1:
            self._resolve_one_by_one(ids, resolved)
        else:
            # Several UUIDs only: the first listing page tells the user count and may hold them.
            pages = self.list_users()
            users, total = next(pages, ([], 0))
            found = {}
            _collect(ids, users, found)
            pending = [name for name in ids if name not in found]
            listing = full_listing_calls(total)
            if pending and (listing is None or len(pending) <= listing - 1):
                pages.close()
                self._resolve_one_by_one(pending, resolved)
            elif pending:
                self._resolve_from_listing(pending, resolved, pages, found)
            for name in ids:
                if name not in resolved:
                    resolved[name] = _verdict(name, found.get(name, []))
        every_match = set(every_match)
        for name, (verdict, value) in list(resolved.items()):
            if verdict == "ambiguous":
                resolved[name] = ("users", value) if name in every_match else (
                    "unknown", ambiguity(value))
        return resolved

    def _resolve_one_by_one(self, names, resolved):
        """One exact lookup per name, LOOKUP_WORKERS at a time.

        The lookups are independent reads, so their latency need not add up: fifty names
        over a 100 ms link take 1.3 s instead of 5 s. The HTTP client paces against the
        rate limit with the lookups in flight held in reserve. The first error is raised
        (after the lookups already in flight finish); nothing is written before this.
        """
        if len(names) <= 1:
            for name in names:
                resolved[name] = self._lookup(name)
            return
        workers = min(LOOKUP_WORKERS, len(names))
        self.http.pace_margin = max(self.http.pace_margin, workers)
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            for name, verdict in zip(names, pool.map(self._lookup, names)):
                resolved[name] = verdict

    def _lookup(self, name):
        if is_uuid(name):
            user = self.get_user(name)
            return _verdict(name, [user] if user else [])
        matches, _total = self.find_users(name)
        return _verdict(name, matches)

    @staticmethod
    def _resolve_from_listing(names, resolved, pages, found=None):
        found = found if found is not None else {}
        only_ids = all(is_uuid(name) for name in names)
        for users, _total in pages:
            _collect(names, users, found)
            if only_ids and all(name in found for name in names):
                # UUIDs are unique: once all are found, the remaining pages cannot matter.
                pages.close()
                break
        for name in names:
            resolved[name] = _verdict(name, found.get(name, []))

    # -- errors -------------------------------------------------------------------------

    def _explained(self, endpoint, product_code=None, retried=None):
        """Turn an ApiError into a DatadogError a person can act on (no key, ever)."""
        return Explained(DatadogError, explain, (endpoint, product_code), retried)


def explain(exc, endpoint, product_code=None):
    """A message naming the call, the product and what to do about the failure."""
    what = endpoint + (" for product %s" % product_code if product_code else "")
    if isinstance(exc, ShapeError):
        return ("Datadog %s (%s) answered HTTP %s, but its body is not what the API documents: "
                "%s. Nothing in it was used. A proxy or a wrong address answers like this: "
                "check api_url (the API's base URL, like https://api.datadoghq.com) or site"
                % (what, exc.url or exc.path, exc.status, exc.message))
    status = "HTTP %s" % exc.status if exc.status is not None else "no response"
    message = "Datadog %s failed (%s): %s" % (what, status, exc.message)
    if exc.status == 404:
        message += (". Datadog answers 404 only for a user it does not know, so %s is "
                    "probably not the Datadog API (a wrong path, or a proxy): check api_url "
                    "(the API's base URL without a path, like https://api.datadoghq.com) or site"
                    % (exc.url or exc.path))
    elif exc.status in (401, 403):
        message += (". Check that api_key and app_key (or DD_API_KEY and DD_APP_KEY) are "
                    "valid for this site (site or api_url), and that the application key's "
                    "owner has %s" % permissions_needed(endpoint))
    elif exc.status == 429:
        message += (". Datadog kept rate-limiting after %d attempt(s); run again later or "
                    "raise retries" % exc.attempts)
    elif isinstance(exc, PaginationError):
        pass
    elif exc.status is None or exc.status >= 500:
        message += " (after %d attempt(s); raise retries or timeout if this persists)" \
            % exc.attempts
    return message


def permissions_needed(endpoint):
    """Every permission that would do for ``endpoint``, as 401/403 messages name them."""
    any_of, also = PERMISSIONS.get(endpoint, ((), ()))
    if not any_of:
        return "the permission this call needs"
    if len(any_of) == 1:
        text = "the %s permission" % any_of[0]
    else:
        text = "one of the permissions %s or %s (any one is enough)" % (
            ", ".join(any_of[:-1]), any_of[-1])
    if also:
        text += (", and %s, which Datadog's newer API reference also asks for on this call"
                 % " and ".join(also))
    return text


def _collect(names, users, found):
    """Add the users of one listing page whose id, email or handle is one of ``names``."""
    wanted = set(names)
    for user in users:
        keys = set([(user["id"] or "").lower(), (user["email"] or "").lower(),
                    (user["handle"] or "").lower()])
        for key in keys & wanted:
            found.setdefault(key, []).append(user)


def _verdict(name, users):
    """("user", view), ("unknown", reason), or ("ambiguous", views) that resolve settles."""
    users = [user for user in users if user]
    unique = dict((user["id"], user) for user in users)
    if len(unique) == 1:
        return ("user", list(unique.values())[0])
    if not unique:
        if is_uuid(name):
            return ("unknown", "no Datadog user has this UUID")
        return ("unknown", "no Datadog user has this email or handle")
    return ("ambiguous", sorted(unique.values(), key=lambda user: user["id"]))


def ambiguity(users):
    """Why a name several users match cannot name one of them."""
    described = sorted("%s (%s)" % (user["email"] or user["handle"], user["id"])
                       for user in users)
    return ("ambiguous: %d Datadog users match (%s); name one by its UUID"
            % (len(users), ", ".join(described)))


def full_listing_calls(total_count):
    """Calls one full user listing costs, or None when the user count is unknown."""
    if total_count is None:
        return None
    return max(1, int(math.ceil(total_count / float(USERS_PAGE_SIZE))))
