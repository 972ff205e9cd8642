# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The GitHub client: Copilot Business seats of an organization, and org membership.

It knows GitHub's REST API as the Copilot seats contract describes it (E1 billing, E2 seat
pages followed by their ``Link`` headers, E4/E5 user writes of at most 100 names, the
basic-error body, 403 rate limits) and the one membership call the modules make before
giving a seat, and nothing about Ansible. Every call goes through ``_http.HttpClient``.
"""

from __future__ import annotations

import concurrent.futures
import random
import re
import time
from urllib.parse import quote

from ansible.module_utils.basic import env_fallback

from ansible_collections.seatops.seats.plugins.module_utils._http import (
    ApiError,
    ClientError,
    Explained,
    HttpClient,
    PaginationError,
    ShapeError,
    error_reader,
    header_seconds,
    insecure_warnings,
    json_type,
    list_shape,
    object_shape,
    optional_object,
    optional_string,
    reset_seconds,
)

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
# Seats per page: GitHub's maximum (its default of 50 is why tools that do not page see 50).
SEATS_PER_PAGE = 100
# Names per write: GitHub documents no limit; 100 is what the contract advises (§10.10).
MAX_BATCH = 100
# GitHub asks for at least a second between mutative requests (best practices, §6).
WRITE_INTERVAL = 1.0
# A secondary limit without retry-after: wait at least a minute, then back off (§6).
SECONDARY_WAIT = 60.0
# Concurrent membership reads (reads only, well under GitHub's 100 concurrent requests).
MEMBERSHIP_WORKERS = 4

BILLING_GET = "GET /orgs/{org}/copilot/billing"
SEATS_GET = "GET /orgs/{org}/copilot/billing/seats"
MEMBERSHIP_GET = "GET /orgs/{org}/memberships/{username}"
USERS_POST = "POST /orgs/{org}/copilot/billing/selected_users"
USERS_DELETE = "DELETE /orgs/{org}/copilot/billing/selected_users"

# What a token needs for each call (contract §4.2; membership: GitHub's org members API).
PERMISSIONS = {
    BILLING_GET: "a classic token with manage_billing:copilot or read:org, or a fine-grained "
                 "or App token with the organization permission GitHub Copilot Business (or "
                 "Administration) read",
    SEATS_GET: "a classic token with manage_billing:copilot or read:org, or a fine-grained or "
               "App token with the organization permission GitHub Copilot Business (or "
               "Administration) read",
    MEMBERSHIP_GET: "a classic token with read:org (manage_billing:copilot alone cannot read "
                    "memberships), or a fine-grained or App token with the organization "
                    "permission Members read",
    USERS_POST: "a classic token with manage_billing:copilot or admin:org, or a fine-grained "
                "or App token with the organization permission GitHub Copilot Business (or "
                "Administration) write",
    USERS_DELETE: "a classic token with manage_billing:copilot or admin:org, or a fine-grained "
                  "or App token with the organization permission GitHub Copilot Business (or "
                  "Administration) write",
}
KEEP_HEADERS = ("X-GitHub-SSO", "X-Accepted-GitHub-Permissions", "X-Accepted-OAuth-Scopes")

# Logins: letters, digits, '-', and '_' (Enterprise Managed Users are login_shortcode).
_LOGIN = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,98}[a-z0-9_])?$")
# Organization logins: letters, digits and single hyphens inside, at most 39 characters.
_ORG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,37}[a-z0-9])?$")
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?', re.IGNORECASE)
# Writes are refused (422) unless the org lets owners pick who gets a seat.
WRITABLE_SETTING = "assign_selected"


class GithubError(ClientError):
    """The one error of this client (see ``_http.ClientError``)."""


# -- input rules (before any call) --------------------------------------------------------

def normalise_login(name):
    """A GitHub login in canonical (lower-case) form; ValueError saying what is wrong.

    GitHub compares logins without regard to case (§10.11); the modules send the spelling
    the person gave."""
    text = str(name).strip().lower()
    if "@" in text:
        raise ValueError("is an email address; Copilot seats go to GitHub logins (for "
                         "example mona), so give the person's login")
    if not _LOGIN.match(text):
        raise ValueError("is not a GitHub login: letters, digits, '-' and '_', starting and "
                         "ending with a letter or digit")
    return text


def check_organization(value, field="organization"):
    """An organization login in canonical (lower-case) form, or GithubError naming ``field``."""
    text = "" if value is None else str(value).strip()
    if not text:
        raise GithubError("%s is empty (null or blank): give the login of a GitHub "
                          "organization, for example acme" % field)
    if "/" in text or "--" in text or not _ORG.match(text.lower()):
        raise GithubError("%s %r is not a GitHub organization login: at most 39 letters, digits "
                          "and single hyphens (the name in https://github.com/<org>, not a URL)"
                          % (field, value))
    return text.lower()


def connection_argument_spec():
    """Options shared by every GitHub module (doc fragment ``seatops.seats.github``); each is
    a keyword of :meth:`GithubClient.connect`."""
    return dict(
        api_url=dict(type="str", default=DEFAULT_API_URL),
        token=dict(type="str", no_log=True, fallback=(env_fallback, ["GITHUB_TOKEN", "GH_TOKEN"])),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        timeout=dict(type="float", default=30),
        retries=dict(type="int", default=3),
    )


def base_url(api_url):
    """``api_url`` checked: ``https://api.github.com``, ``https://api.SUB.ghe.com`` or
    ``https://HOST/api/v3`` (any path prefix is kept), without a trailing slash."""
    url = (api_url or DEFAULT_API_URL).strip()
    if not re.match(r"^https?://[^/\s?#]+(/[^\s?#]*)?$", url, re.IGNORECASE):
        raise GithubError("api_url must be http(s)://HOST with an optional path such as /api/v3 "
                          "(no query), for example https://api.github.com, got %r" % api_url)
    return url.rstrip("/")


# -- rate limits (§6) ---------------------------------------------------------------------

def says_rate_limit(response):
    """A 403 or 429 that is GitHub's primary or secondary rate limit: remaining 0, a
    retry-after, or a body that says so (sometimes no header is sent at all, §6)."""
    if response.status_code not in (403, 429):
        return False
    if response.status_code == 429:
        return True
    headers = response.headers
    if str(headers.get("x-ratelimit-remaining", "")).strip() == "0" or headers.get("retry-after"):
        return True
    return "rate limit" in (response.text or "").lower()


def rate_limit_wait(response, attempt):
    """GitHub's documented wait order (§6): retry-after; else, with nothing left, until
    the reset; else at least a minute, doubling with each attempt. None: no rate limit."""
    if not says_rate_limit(response):
        return None
    seconds = header_seconds(response.headers, "retry-after")
    if seconds is not None:
        return seconds + random.random() * 0.2
    if str(response.headers.get("x-ratelimit-remaining", "")).strip() == "0":
        reset = reset_seconds(response.headers, "x-ratelimit-reset")
        if reset is not None:
            return reset + 1.0
    return SECONDARY_WAIT * (2 ** (attempt - 1))


def error_body_message(payload):
    """GitHub's basic-error / validation-error: ``message`` and each ``errors[]`` message."""
    message = payload.get("message")
    parts = [str(message)] if message else []
    for item in payload.get("errors") or []:
        if isinstance(item, dict):
            text = item.get("message") or " ".join(
                str(item[key]) for key in ("field", "code") if item.get(key))
            if text:
                parts.append(str(text))
        elif item:
            parts.append(str(item))
    return ": ".join(parts[:1]) + ("" if len(parts) < 2 else " (%s)" % "; ".join(parts[1:])) \
        if parts else None


ERROR_MESSAGE = error_reader(error_body_message)


# -- the documented shapes of successful answers ------------------------------------------

def _billing_shape(payload):
    problem = object_shape(payload)
    if problem:
        return problem
    setting = payload.get("seat_management_setting")
    if not isinstance(setting, str):
        return "seat_management_setting is %s, not a string" % json_type(setting)
    return optional_object(payload, "seat_breakdown")


def _seat_problem(seat):
    for name in ("assignee", "assigning_team"):
        problem = optional_object(seat, name)
        if problem:
            return problem
    assignee = seat.get("assignee")
    if assignee is not None and not isinstance(assignee.get("login"), str):
        return "assignee.login is %s, not a string" % json_type(assignee.get("login"))
    for name in ("created_at", "pending_cancellation_date", "last_activity_at"):
        problem = optional_string(seat, name)
        if problem:
            return problem
    return None


def _total_seats(payload):
    total = payload.get("total_seats")
    if total is not None and (isinstance(total, bool) or not isinstance(total, int)):
        return "total_seats is %s, not a number" % json_type(total)
    return None


SEATS_PAGE = list_shape("seats", item=_seat_problem, rest=_total_seats)


def _membership_shape(payload):
    problem = object_shape(payload)
    if problem:
        return problem
    return optional_string(payload, "state")


def seat_view(seat):
    """One E2 item as the modules read it: ``{login, id, team, pending_cancellation_date,
    created_at, last_activity_at, last_activity_editor, last_authenticated_at, plan_type}``;
    ``login`` is None for an orphan seat (``assignee: null``). ``team``: the slug of the
    team that granted it (org or enterprise team), None for a direct seat."""
    assignee = seat.get("assignee") or {}
    team = seat.get("assigning_team") or {}
    return {
        "login": assignee.get("login"),
        "id": assignee.get("id"),
        "team": team.get("slug") or team.get("name") if team else None,
        "pending_cancellation_date": seat.get("pending_cancellation_date"),
        "created_at": seat.get("created_at"),
        "last_activity_at": seat.get("last_activity_at"),
        "last_activity_editor": seat.get("last_activity_editor"),
        "last_authenticated_at": seat.get("last_authenticated_at"),
        "plan_type": seat.get("plan_type"),
    }


def next_link(link_header):
    """The URL of ``rel="next"`` in a ``Link`` header, verbatim; None on the last page."""
    match = _LINK_NEXT.search(link_header or "")
    return match.group(1).strip() if match else None


# -- the client ---------------------------------------------------------------------------

class GithubClient(object):
    """Copilot billing and membership calls, each counted under its endpoint name."""

    def __init__(self, http, sleep=None, clock=None):
        self.http = http
        self._warnings = []
        self._sleep = sleep or time.sleep
        self._clock = clock or time.monotonic
        self._last_write = None

    @classmethod
    def connect(cls, token, api_url=None, validate_certs=True, ca_path=None, timeout=30,
                retries=3, **http_options):
        """Check the connection options and build a client; no call is made yet."""
        if not token:
            raise GithubError("missing token: set the option token or the environment "
                              "variable GITHUB_TOKEN (or GH_TOKEN)")
        url = base_url(api_url)
        if timeout is not None and timeout <= 0:
            raise GithubError("timeout must be a positive number of seconds, got %s" % timeout)
        if retries is not None and retries < 0:
            raise GithubError("retries must be 0 or more, got %s" % retries)
        headers = {
            "Authorization": "Bearer %s" % token,
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": "seatops.seats-ansible-collection",
        }
        try:
            http = HttpClient(url, headers=headers, secrets=[token], timeout=timeout,
                              validate_certs=validate_certs, ca_path=ca_path, retries=retries,
                              error_message=ERROR_MESSAGE, rate_limit_wait=rate_limit_wait,
                              keep_headers=KEEP_HEADERS, **http_options)
        except ApiError as exc:
            raise GithubError(exc.message)
        return cls(http)

    def api_calls(self):
        return self.http.api_calls()

    def insecure_warnings(self):
        return insecure_warnings(self.http)

    def warnings(self):
        return list(self._warnings)

    def warn(self, message):
        """Something the run learnt that the person should know (returned as a warning)."""
        self._warnings.append(message)

    # -- reads ---------------------------------------------------------------------------

    def billing(self, org):
        """E1: the org's seat breakdown and settings (``seat_management_setting``, ...)."""
        with _explained(BILLING_GET, org):
            return self.http.request_json("GET", "/orgs/%s/copilot/billing" % _segment(org),
                                          endpoint=BILLING_GET, shape=_billing_shape)

    def list_seats(self, org):
        """E2, every page (100 a page, each next page the one ``Link`` names): a list of
        :func:`seat_view`, orphans included. A page count that disagrees with
        ``total_seats`` is a warning, never a reason to stop or to page on."""
        seats, total, seen = [], None, set()
        url = "/orgs/%s/copilot/billing/seats?per_page=%d" % (_segment(org), SEATS_PER_PAGE)
        with _explained(SEATS_GET, org):
            while url:
                response = self.http.request("GET", url, endpoint=SEATS_GET)
                page = _decode(self.http, response, url)
                if total is None:
                    total = page.get("total_seats")
                seats.extend(seat_view(seat) for seat in page["seats"])
                url = next_link(response.headers.get("Link"))
                if url in seen:
                    raise PaginationError("GitHub sent the same next page twice while listing "
                                          "the seats of %s; stopping instead of looping" % org,
                                          method="GET", path=SEATS_GET)
                seen.add(url)
        users = sum(1 for seat in seats if seat["login"])
        if isinstance(total, int) and total not in (len(seats), users):
            self._warnings.append(
                "GitHub says %s has %d seats (total_seats) but its pages listed %d (%d with a "
                "holder); the module acted on the seats listed" % (org, total, len(seats), users))
        return seats

    def membership(self, org, login):
        """``"active"`` (a member), ``"pending"`` (invited, not joined) or None (neither, or
        no such login: GitHub answers 404 alike)."""
        path = "/orgs/%s/memberships/%s" % (_segment(org), _segment(login))
        try:
            with _explained(MEMBERSHIP_GET, org):
                try:
                    payload = self.http.request_json("GET", path, endpoint=MEMBERSHIP_GET,
                                                     shape=_membership_shape)
                except ApiError as exc:
                    if exc.status == 404:
                        return None
                    raise
        except GithubError as exc:
            # The endpoint template does not say whose membership: the message must.
            raise GithubError("%s (checking that %s is a member, before any seat write: nothing "
                              "was changed)" % (exc.message.rstrip("."), login), status=exc.status,
                              detail=exc.detail, retried=exc.retried)
        return payload.get("state") or "active"

    def memberships(self, org, logins):
        """``{login: membership}`` for every login, MEMBERSHIP_WORKERS reads at a time."""
        logins = list(logins)
        if len(logins) <= 1:
            return dict((login, self.membership(org, login)) for login in logins)
        workers = min(MEMBERSHIP_WORKERS, len(logins))
        self.http.pace_margin = max(self.http.pace_margin, workers)
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            return dict(zip(logins, pool.map(lambda login: self.membership(org, login), logins)))

    # -- writes --------------------------------------------------------------------------

    def add_users(self, org, logins):
        """E4 for at most MAX_BATCH logins: ``(seats_created, retried)``. The count is
        GitHub's, which the contract says not to trust (§10.2): callers only compare it."""
        return self._write("POST", USERS_POST, org, logins, "seats_created")

    def remove_users(self, org, logins):
        """E5 (a DELETE with a JSON body): ``(seats_cancelled, retried)``."""
        return self._write("DELETE", USERS_DELETE, org, logins, "seats_cancelled")

    def _write(self, method, endpoint, org, logins, counter):
        logins = list(logins)
        if not logins or len(logins) > MAX_BATCH:
            # A programming error, never a call: GitHub may refuse an empty list (§10.10).
            raise ValueError("a seat write takes 1 to %d logins, got %d" % (MAX_BATCH, len(logins)))
        self._pace_writes()
        retried_before = self.http.retried_writes
        path = "/orgs/%s/copilot/billing/selected_users" % _segment(org)
        try:
            with _explained(endpoint, org, lambda: self.http.retried_writes > retried_before):
                payload = self.http.request_json(
                    method, path, json_body={"selected_usernames": logins},
                    headers={"Content-Type": "application/json"}, endpoint=endpoint)
        finally:
            self._last_write = self._clock()
        count = payload.get(counter) if isinstance(payload, dict) else None
        return (count if isinstance(count, int) and not isinstance(count, bool) else None,
                self.http.retried_writes > retried_before)

    def _pace_writes(self):
        if self._last_write is None:
            return
        wait = WRITE_INTERVAL - (self._clock() - self._last_write)
        if wait > 0:
            self._sleep(wait)


def _segment(value):
    """A path parameter, URL-encoded (§2)."""
    return quote(str(value), safe="")


def _decode(http, response, url):
    """A seat page's JSON, checked against SEATS_PAGE (a ShapeError names what is wrong)."""
    try:
        payload = response.json()
    except ValueError:
        payload = None
    problem = SEATS_PAGE(payload) if payload is not None else "it is not JSON"
    if problem:
        raise ShapeError(problem, status=response.status_code, method="GET", path=SEATS_GET,
                         url=http.display_url + url if url.startswith("/") else url)
    return payload


def _explained(endpoint, org, retried=None):
    """Turn an ApiError into a GithubError a person can act on (no token, ever)."""
    return Explained(GithubError, explain, (endpoint, org), retried)


def explain(exc, endpoint, org):
    """A message naming the call, the org and what to do about the failure (§11.9)."""
    what = "%s for organization %s" % (endpoint, org)
    if isinstance(exc, ShapeError):
        return ("GitHub %s (%s) answered HTTP %s, but its body is not what the API documents: "
                "%s. Nothing in it was used. A proxy or a wrong address answers like this: check "
                "api_url (https://api.github.com, https://api.SUBDOMAIN.ghe.com or "
                "https://HOST/api/v3)" % (what, exc.url or exc.path, exc.status, exc.message))
    status = "HTTP %s" % exc.status if exc.status is not None else "no response"
    message = "GitHub %s failed (%s): %s" % (what, status, exc.message)
    headers = getattr(exc, "headers", {}) or {}
    if exc.status == 401:
        message += (". The token is missing, expired or revoked: check token (or GITHUB_TOKEN "
                    "/ GH_TOKEN)")
    elif exc.status == 403 and headers.get("X-GitHub-SSO"):
        where = headers["X-GitHub-SSO"].partition("url=")[2].strip() or "in GitHub's token settings"
        message += (". The organization enforces SAML single sign-on and the token is not "
                    "authorized for it: authorize it (%s) and run again" % where)
    elif exc.status == 403 and headers.get("X-Accepted-GitHub-Permissions"):
        message += (". The token lacks a permission; GitHub accepts any one of: %s (this call "
                    "needs %s)" % (headers["X-Accepted-GitHub-Permissions"], PERMISSIONS[endpoint]))
    elif exc.status == 403:
        message += (". GitHub kept refusing (a rate limit after %d attempt(s), or a token or "
                    "role that may not do this: this call needs %s, used by an organization "
                    "owner)" % (exc.attempts, PERMISSIONS.get(endpoint, "an owner's token")))
    elif exc.status == 404:
        message += (". GitHub answers 404 alike for an organization that does not exist, one "
                    "without Copilot Business, a token without the right scope and a caller "
                    "who is not an organization owner: check organization, that Copilot is "
                    "enabled, and that the token is an owner's with %s" % PERMISSIONS[endpoint])
    elif exc.status == 422:
        message += (". Check the organization's Copilot settings on GitHub: seat management "
                    "must be 'selected members' (assign_selected), billing and the public code "
                    "suggestions policy set up, and every login an organization member whose "
                    "seat is not granted through a team")
    elif exc.status == 429:
        message += ". GitHub kept rate-limiting after %d attempt(s); run again later" % exc.attempts
    elif exc.status is None or exc.status >= 500:
        message += (" (after %d attempt(s); raise retries or timeout if this persists)"
                    % exc.attempts)
    return message
