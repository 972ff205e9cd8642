# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one HTTP layer of the collection.

Every API call of every module goes through :class:`HttpClient`: one ``requests.Session``
per module run (keep-alive), timeouts, TLS options, retries with capped exponential
backoff and jitter, 429 pacing from the rate-limit headers, one error type, per-endpoint
call counts, and the pagination helpers for both paging styles the seat APIs use.

Nothing here knows about Ansible or about a particular API's payloads; the API clients do,
and each passes the reader of its error bodies (the ``error_message`` hook).
"""

from __future__ import annotations

import email.utils
import json
import os
import random
import re
import ssl
import threading
import time
import traceback
from collections import Counter
from urllib.parse import quote, quote_plus, urlsplit, urlunsplit

try:
    import requests
except ImportError:  # pragma: no cover - exercised by the sanity import test
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

# Statuses worth another attempt. 429 is handled apart because it says how long to wait.
RETRYABLE_STATUSES = frozenset([408, 500, 502, 503, 504, 505, 506, 507, 509, 510, 511, 512])
REDACTED = "********"
MAX_ERROR_TEXT = 300
_HTML = re.compile(r"^\s*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"<[^>]*>")
INSECURE_WARNING = ("validate_certs=false: the TLS certificate of %s is not verified, so anyone on "
                    "the network path can read or change the credentials and seat data sent to it. "
                    "Pass the server's CA bundle with ca_path instead")


class ApiError(Exception):
    """A call that did not succeed. Carries no header and no credential, by construction.

    ``body`` is the decoded JSON error body (secrets scrubbed) when the server sent one, so
    a client can tell apart errors that share a status (a 404 for a user or for a seat).
    """

    def __init__(self, message, status=None, method=None, path=None, attempts=1, body=None,
                 url=None, headers=None):
        super(ApiError, self).__init__(message)
        self.message = message
        self.status = status
        self.method = method
        self.path = path
        self.attempts = attempts
        self.body = body
        # The full address called (no credentials in it), for messages about a wrong api_url.
        self.url = url
        # Only the response headers the client asked to keep (``keep_headers``), scrubbed:
        # an API may say in a header what would fix the call (a permission, an SSO link).
        self.headers = dict(headers or {})

    def __str__(self):
        where = " ".join(part for part in (self.method, self.path) if part)
        status = "HTTP %s" % self.status if self.status is not None else "no response"
        prefix = "%s failed (%s)" % (where, status) if where else status
        return "%s: %s" % (prefix, self.message)


class ClientError(Exception):
    """The base of each API client's one error type (``DatadogError``, ``GithubError``):
    what the modules catch and show. ``message`` says what failed and what to do;
    ``status`` is the HTTP status (None before any answer); ``detail`` is the API's own
    message, for code that must read it; ``retried`` tells whether the failing call was sent
    more than once (its outcome may then be unknown)."""

    def __init__(self, message, status=None, detail=None, retried=False):
        super(ClientError, self).__init__(message)
        self.message = message
        self.status = status
        self.detail = detail
        self.retried = retried

    def __str__(self):
        return self.message


class Explained(object):
    """A context that turns an :class:`ApiError` raised inside it into the client's own
    error: ``error_class(explain(exc, *about))`` with the status, the API's message as
    ``detail``, and ``retried`` when the call was sent again (``retried()``, optional, says
    so for a call whose retries the HTTP layer counted apart)."""

    def __init__(self, error_class, explain, about, retried=None):
        self.error_class = error_class
        self.explain = explain
        self.about = tuple(about)
        self.retried = retried

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None or not isinstance(exc, ApiError):
            return False
        raise self.error_class(self.explain(exc, *self.about), status=exc.status,
                               detail=exc.message,
                               retried=bool(self.retried and self.retried()) or exc.attempts > 1)


class PaginationError(ApiError):
    """The server sent a page token it had already sent: following it would loop forever."""


class ShapeError(ApiError):
    """A successful (2xx) answer whose JSON is not the shape the API documents.

    Nothing in such a body can be trusted: an empty list read from it would say "nobody holds
    a seat" when the answer came from a proxy or a wrong path. ``message`` says what is wrong.
    """

    def __str__(self):
        where = " ".join(part for part in (self.method, self.url or self.path) if part)
        return ("%s answered HTTP %s, but its body is not what the API documents: %s"
                % (where, self.status, self.message))


def extract_error_message(body_text, reason=None, read_payload=None):
    """One readable message from an error body.

    ``read_payload(payload)`` is an API's own reader of its decoded JSON error object (see
    :func:`error_reader`); it returns the message, or None when the body is not its shape.
    Whatever it leaves, the generic rules read: a JSON ``message``, an HTML page's title or
    text, the trimmed text, else the reason phrase.
    """
    text = (body_text or "").strip()
    try:
        payload = json.loads(text) if text else None
    except ValueError:
        payload = None
    if isinstance(payload, dict):
        message = read_payload(payload) if read_payload is not None else None
        if not message and payload.get("message"):
            message = str(payload["message"])
        if message:
            return message
    if _HTML.match(text):
        # A proxy's or web server's error page: its title (or its text) says more than markup.
        title = _HTML_TITLE.search(text)
        if title and title.group(1).strip():
            return "an HTML page titled %r" % " ".join(title.group(1).split())[:MAX_ERROR_TEXT]
        words = " ".join(_HTML_TAG.sub(" ", text).split())
        return "an HTML page: %s" % words[:MAX_ERROR_TEXT] if words else "an HTML page"
    if text:
        return text[:MAX_ERROR_TEXT] + ("..." if len(text) > MAX_ERROR_TEXT else "")
    return reason or "no response body"


def error_reader(*payload_readers):
    """An ``error_message(body_text, reason)`` hook for :class:`HttpClient` from an API's
    readers of its JSON error objects, tried in turn before the generic rules."""
    def read_payload(payload):
        for reader in payload_readers:
            message = reader(payload)
            if message:
                return message
        return None

    def error_message(body_text, reason=None):
        return extract_error_message(body_text, reason, read_payload)
    return error_message


# A rate-limit reset larger than this is a moment (UTC epoch seconds, as GitHub sends it),
# not a number of seconds to wait (as Datadog sends it): no window lasts 30 years.
_EPOCH_THRESHOLD = 1e9


def reset_seconds(headers, name="X-RateLimit-Reset"):
    """Seconds until the rate-limit window resets, from a header that holds either the
    seconds left or the reset moment in UTC epoch seconds; None when absent or unreadable."""
    seconds = header_seconds(headers, name)
    if seconds is not None and seconds > _EPOCH_THRESHOLD:
        return max(0.0, seconds - time.time())
    return seconds


def header_seconds(headers, name):
    """A header holding a number of seconds (or, for Retry-After, an HTTP date), else None."""
    value = headers.get(name) if headers is not None else None
    if value is None:
        return None
    value = str(value).strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


class HttpClient(object):
    """A keep-alive session with the collection's retry, pacing and error rules.

    :param base_url: scheme and host (and optional path prefix) every request path is joined to.
    :param headers: sent with every request (credentials live here and nowhere else).
    :param secrets: values scrubbed from every error message, whatever the server echoes
        (as written, URL-encoded or JSON-escaped); a per-request ``Authorization`` header's
        credential is added to them when it is first sent.
    :param retries: further attempts after the first, for connection errors, 408, 5xx and 429.
    :param max_retry_wait: the longest single wait, in seconds, whatever a header asks for.
    :param max_total_wait: the longest time spent waiting across one run's retries and pauses.
    :param error_message: the hook ``error_message(body_text, reason)`` that turns an error
        body (already scrubbed) into the message; the API client passes its own (see
        :func:`error_reader`), the default knows only generic bodies. Its result is scrubbed.
    :param rate_limit_wait: the hook ``rate_limit_wait(response, attempt)`` of an API that
        answers a rate limit with something other than 429 (GitHub: a 403): the seconds to
        wait before trying again, or None when the response is no rate limit. A response it
        names is retried (within ``retries``) like a 429.
    :param keep_headers: names of error-response headers kept on :class:`ApiError`.
    """

    def __init__(self, base_url, headers=None, secrets=(), timeout=30, validate_certs=True,
                 ca_path=None, retries=3, backoff_factor=1.0, max_backoff=30.0,
                 max_retry_wait=60.0, max_total_wait=300.0, sleep=None, session=None, rng=None,
                 error_message=None, rate_limit_wait=None, keep_headers=()):
        if not HAS_REQUESTS and session is None:
            raise ApiError("the Python library 'requests' is required")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.backoff_factor = backoff_factor
        self.max_backoff = max_backoff
        self.max_retry_wait = max_retry_wait
        self.max_total_wait = max_total_wait
        self.waited = 0.0
        self._error_message = error_message or extract_error_message
        self._rate_limit_wait = rate_limit_wait
        self._keep_headers = tuple(keep_headers)
        self.calls = Counter()
        self.throttled = 0
        self.retried_writes = 0
        self._secrets = ()
        for value in secrets:
            self.add_secret(value)
        self._sleep = sleep or time.sleep
        self._rng = rng or random.Random()
        self._pause_until = 0.0
        # Counters and pacing are shared by the threads of concurrent lookups.
        self._lock = threading.Lock()
        # Requests that may be in flight at once; pacing keeps that many in reserve.
        self.pace_margin = 0
        if ca_path:
            # Checked now, before any call: requests would only fail at the first call, with
            # an OSError that names no option.
            problem = ca_path_problem(ca_path)
            if problem:
                raise ApiError(problem)
        self.session = session if session is not None else requests.Session()
        self.session.headers.update(headers or {})
        if ca_path:
            self.session.verify = ca_path
        else:
            self.session.verify = bool(validate_certs)
        # verify per request too: requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override
        # a session's verify, which would silently ignore ca_path and validate_certs=false.
        # Redirects are not followed: the seat APIs never redirect, and requests would turn a
        # redirected POST or DELETE into a GET whose 200 would pass for a write that never
        # happened. (An injected test session gets no extra keyword.)
        self._session_options = {"verify": self.session.verify, "allow_redirects": False} \
            if session is None else {}

    @property
    def display_url(self):
        """The base URL as messages show it: without any user:password part."""
        return without_credentials(self.base_url)

    @property
    def verifies_certificates(self):
        """False when validate_certs=false switched certificate checks off."""
        return self.session.verify is not False

    def insecure_warning(self):
        """The warning a module shows when certificates are not checked, else None."""
        return None if self.verifies_certificates else INSECURE_WARNING % self.base_url

    # -- public API -------------------------------------------------------------------

    def request(self, method, path, params=None, json_body=None, form=None, headers=None,
                endpoint=None):
        """Send one call (retrying as the rules allow) and return the successful response.

        ``endpoint`` names the call for ``api_calls`` counts, e.g. ``GET /api/v2/users/{id}``;
        it defaults to the method and path. Raises :class:`ApiError` on any final failure.
        """
        endpoint = endpoint or "%s %s" % (method, path)
        url, shown_url = self._address(path)
        self._remember_credentials(headers)
        attempt = 0
        while True:
            attempt += 1
            self._respect_pause()
            with self._lock:
                self.calls[endpoint] += 1
            try:
                response = self.session.request(
                    method, url, params=params, json=json_body, data=form, headers=headers,
                    timeout=self.timeout, **self._session_options
                )
            except requests.exceptions.SSLError as exc:
                raise ApiError(
                    "TLS certificate verification failed for %s (%s). Pass a CA bundle with "
                    "ca_path, or set validate_certs=false only for a server you trust."
                    % (self.display_url, _short_reason(exc, self._scrub)),
                    method=method, path=path, attempts=attempt, url=shown_url)
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                reason = _short_reason(exc, self._scrub)
                if self._may_retry(attempt, method):
                    self._wait(self._backoff(attempt), method, path, reason, attempt)
                    continue
                raise ApiError("could not reach the server: %s" % reason,
                               method=method, path=path, attempts=attempt, url=shown_url)
            self._note_rate_limit(response)
            if 200 <= response.status_code < 300:
                return response
            if 300 <= response.status_code < 400:
                raise ApiError(self._redirect_message(response), status=response.status_code,
                               method=method, path=path, attempts=attempt, url=shown_url)
            if response.status_code < 200:
                raise ApiError("the server answered with the informational status %s, which "
                               "no seat API sends as an answer" % response.status_code,
                               status=response.status_code, method=method, path=path,
                               attempts=attempt, url=shown_url)
            limited = self._rate_limit_wait(response, attempt) if self._rate_limit_wait else None
            if response.status_code == 429 or limited is not None:
                with self._lock:
                    self.throttled += 1
            retryable = response.status_code == 429 or limited is not None or response.status_code in RETRYABLE_STATUSES
            if retryable and self._may_retry(attempt, method):
                delay = limited if limited is not None else self._retry_delay(response, attempt)
                self._wait(delay, method, path, "HTTP %s" % response.status_code, attempt)
                continue
            # Scrub before the message is cut to length: a cut secret is no longer found.
            text = self._scrub(response.text or "")
            raise ApiError(
                self._scrub(self._error_message(text, response.reason)),
                status=response.status_code, method=method, path=path, attempts=attempt,
                body=self._error_body(text), url=shown_url, headers=self._kept_headers(response))

    def _address(self, path):
        """The URL to call and the one messages show. ``path`` joins the base URL, or is a
        whole URL a server sent (a ``Link`` header's next page), which must be on the base
        URL's scheme and host: the credentials go with the call, never to another host."""
        if not re.match(r"^https?://", path, re.IGNORECASE):
            return self.base_url + path, self.display_url + path
        own, other = urlsplit(self.base_url), urlsplit(path)
        if (own.scheme.lower(), own.netloc.lower()) != (other.scheme.lower(), other.netloc.lower()):
            raise ApiError("the server sent a link to %s, which is not on %s: it was not "
                           "followed, so that the credentials stay with the API's own host"
                           % (without_credentials(path.split("?", 1)[0]), self.display_url))
        return path, without_credentials(path)

    def _kept_headers(self, response):
        return dict((name, self._scrub(str(response.headers[name])))
                    for name in self._keep_headers if response.headers.get(name) is not None)

    def request_json(self, method, path, shape=None, **kwargs):
        """Like :meth:`request`, returning the decoded JSON body (``{}`` for an empty body).

        ``shape(payload)`` returns what is wrong with a successful answer's JSON (None when
        it is the documented shape); a problem raises :class:`ShapeError` naming the call.
        """
        response = self.request(method, path, **kwargs)
        shown_url = self._address(path)[1]
        if not response.content:
            payload = {}
        else:
            try:
                payload = response.json()
            except ValueError:
                raise ShapeError("it is not JSON (%s)" % self._scrub(self._error_message(
                    self._scrub(response.text or ""), response.reason)),
                    status=response.status_code, method=method, path=path, url=shown_url)
        problem = shape(payload) if shape is not None else None
        if problem:
            raise ShapeError(problem, status=response.status_code, method=method, path=path,
                             url=shown_url)
        return payload

    def _redirect_message(self, response):
        # Only where it points: a query string may carry a login request or a token.
        target = without_credentials(str(response.headers.get("Location") or ""))
        target = self._scrub(target.split("?", 1)[0].split("#", 1)[0])[:MAX_ERROR_TEXT]
        return ("the server answered with a redirect%s, which the seat APIs never send: the "
                "address is probably not the API's own (a proxy, a login page, or http:// for "
                "an https:// service). Check api_url (and auth_url); the redirect was not followed"
                % (" to %s" % target if target else ""))

    def api_calls(self):
        """Calls made so far, per endpoint, plus a total: what modules return as ``api_calls``."""
        counts = dict(sorted(self.calls.items()))
        counts["total"] = sum(self.calls.values())
        return counts

    # -- retry policy -----------------------------------------------------------------

    def _may_retry(self, attempt, method):
        return attempt <= self.retries and self.waited < self.max_total_wait

    def _backoff(self, attempt):
        # Full jitter on a capped exponential: spreads retries of parallel runs apart.
        ceiling = min(self.max_backoff, self.backoff_factor * (2 ** (attempt - 1)))
        return ceiling * (0.5 + self._rng.random() / 2)

    def _retry_delay(self, response, attempt):
        if response.status_code == 429:
            for name in ("X-RateLimit-Reset", "Retry-After"):
                seconds = (reset_seconds if name == "X-RateLimit-Reset" else header_seconds)(
                    response.headers, name)
                if seconds:
                    # A little past the reset, so the retry lands in the new period.
                    return min(self.max_retry_wait, seconds + 0.05 + self._rng.random() * 0.1)
        return self._backoff(attempt)

    def _wait(self, seconds, method, path, reason, attempt):
        with self._lock:
            seconds = max(0.0, min(seconds, self.max_retry_wait, self.max_total_wait - self.waited))
            if method not in ("GET", "HEAD"):
                self.retried_writes += 1
            self.waited += seconds
        if seconds:
            self._sleep(seconds)

    # -- pacing -----------------------------------------------------------------------

    def _note_rate_limit(self, response):
        """Slow down before the budget runs out rather than after a 429."""
        remaining = response.headers.get("X-RateLimit-Remaining")
        reset = reset_seconds(response.headers)
        if remaining is None or reset is None:
            return
        try:
            remaining = int(float(remaining))
        except ValueError:
            return
        if remaining <= max(0, self.pace_margin):
            # Spent, or (with concurrent callers) about to be spent by the requests in flight.
            pause = reset
        elif remaining <= 2:
            pause = reset / (remaining + 1)
        else:
            return
        pause = min(pause + 0.05, self.max_retry_wait)
        with self._lock:
            self._pause_until = max(self._pause_until, time.monotonic() + pause)

    def _respect_pause(self):
        # The deadline stays in place (it is in the past once slept): clearing it here would
        # let one thread wipe out a pause another thread has just set.
        with self._lock:
            delay = self._pause_until - time.monotonic()
            if delay > 0:
                delay = min(delay, max(0.0, self.max_total_wait - self.waited))
                self.waited += delay
        if delay > 0:
            self._sleep(delay)

    def add_secret(self, value):
        """Scrub ``value`` from error messages too (a token fetched during the run, say)."""
        if not value:
            return
        forms = _secret_forms(str(value))
        if forms[0] not in self._secrets:
            # A new tuple rather than a change in place: other threads may be scrubbing.
            self._secrets = tuple(sorted(set(self._secrets) | set(forms), key=len, reverse=True))

    def _remember_credentials(self, headers):
        for name, value in (headers or {}).items():
            if str(name).lower() == "authorization" and value:
                scheme, _sep, credential = str(value).strip().partition(" ")
                self.add_secret(credential.strip() or scheme)

    def _scrub(self, text):
        """``text`` without any secret, whether written out, URL-encoded or JSON-escaped."""
        for form in self._secrets:
            text = text.replace(form, REDACTED)
        return text

    def _error_body(self, text):
        """The JSON object of an error response, scrubbed, or None for any other body."""
        try:
            payload = json.loads(self._scrub(text or ""))
        except ValueError:
            return None
        return payload if isinstance(payload, dict) else None


def insecure_warnings(*clients):
    """The warnings a module shows for the HTTP clients given (None is skipped) whose
    certificates are not checked."""
    return [client.insecure_warning() for client in clients
            if client is not None and client.insecure_warning()]


def without_credentials(url):
    """``url`` without a ``user:password@`` part, for messages."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.username and not parts.password:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = "%s:%s" % (host, parts.port)
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def ca_path_problem(ca_path):
    """Why ``ca_path`` cannot serve as a CA bundle (a PEM file, or a directory of them), or None."""
    if not os.path.exists(ca_path):
        return ("ca_path %s does not exist: give the path of the PEM file holding the CA "
                "certificate(s) of the server (no call was made)" % ca_path)
    if os.path.isdir(ca_path):
        if not os.access(ca_path, os.R_OK | os.X_OK):
            return "ca_path %s is a directory this user cannot read (no call was made)" % ca_path
        return None
    try:
        with open(ca_path, "rb"):
            pass
    except (IOError, OSError) as exc:
        return ("ca_path %s cannot be read: %s (no call was made)"
                % (ca_path, getattr(exc, "strerror", None) or exc))
    try:
        ssl.create_default_context(cafile=ca_path)
    except (ssl.SSLError, ValueError) as exc:
        return ("ca_path %s holds no CA certificate in PEM form (%s): give the PEM file of "
                "the CA that signed the server's certificate (no call was made)"
                % (ca_path, _short_reason(exc)))
    return None


def _secret_forms(secret):
    """A secret as written, URL-encoded (form and path style) and JSON-escaped; first as written."""
    forms = [secret]
    for form in (quote_plus(secret), quote(secret, safe=""), json.dumps(secret)[1:-1]):
        if form not in forms:
            forms.append(form)
    return forms


def _short_reason(exc, scrub=None):
    """The innermost reason of a requests/urllib3 exception, without the URL noise,
    scrubbed (by ``scrub``) before it is cut to length."""
    reason = exc
    while getattr(reason, "args", None) and isinstance(reason.args[0], Exception):
        reason = reason.args[0]
    reason = getattr(reason, "reason", reason)
    text = (str(reason).splitlines() or [""])[0]
    if scrub is not None:
        text = scrub(text)
    return text[:MAX_ERROR_TEXT]


# -- the shape of successful answers -----------------------------------------------------
#
# A check takes a decoded body and returns what is wrong with it, or None. The clients
# build theirs from these pieces (they know their API's fields); nothing here knows one.

_MISSING = object()


def json_type(value):
    """How a decoded JSON value is named in messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (int, float)):
        return "a number"
    return type(value).__name__


def get_field(mapping, name, ignore_case=False, default=None):
    """``mapping[name]`` (compared without regard to case if asked), else ``default``."""
    if name in mapping:
        return mapping[name]
    if ignore_case:
        lower = name.lower()
        for key, value in mapping.items():
            if str(key).lower() == lower:
                return value
    return default


def object_shape(payload):
    """The body must be a JSON object."""
    if not isinstance(payload, dict):
        return "expected a JSON object, got %s" % json_type(payload)
    return None


def optional_object(mapping, name, ignore_case=False):
    """``name`` may be absent or null, but if it is there it must be an object."""
    value = get_field(mapping, name, ignore_case)
    if value is not None and not isinstance(value, dict):
        return "%s is %s, not an object" % (name, json_type(value))
    return None


def optional_string(mapping, name, ignore_case=False):
    """``name`` may be absent or null, but if it is there it must be a string."""
    value = get_field(mapping, name, ignore_case)
    if value is not None and not isinstance(value, str):
        return "%s is %s, not a string" % (name, json_type(value))
    return None


def list_shape(name, ignore_case=False, item=None, rest=None):
    """A check: the body is an object whose ``name`` is a list of objects.

    ``item(element)`` says what is wrong with one element, ``rest(payload)`` with the other
    fields; both return None when all is well.
    """
    def check(payload):
        problem = object_shape(payload)
        if problem:
            return problem
        value = get_field(payload, name, ignore_case, _MISSING)
        if value is _MISSING:
            return "%s is missing (expected a list)" % name
        if not isinstance(value, list):
            return "%s is %s, not a list" % (name, json_type(value))
        for index, element in enumerate(value):
            if not isinstance(element, dict):
                return "%s[%d] is %s, not an object" % (name, index, json_type(element))
            problem = item(element) if item is not None else None
            if problem:
                return "%s[%d]: %s" % (name, index, problem)
        return rest(payload) if rest is not None else None
    return check


# -- pagination --------------------------------------------------------------------------

def follow_page_tokens(fetch_page, next_token, what):
    """Yield pages, following an opaque token until the server stops sending one.

    ``fetch_page(token)`` returns one decoded page (``token`` is None for the first);
    ``next_token(page)`` returns the token for the next page, or a false value on the last.
    A token the server already sent is refused rather than followed into a loop.
    """
    seen = set()
    token = None
    while True:
        page = fetch_page(token)
        yield page
        token = next_token(page) if isinstance(page, dict) else None
        if not token:
            return
        if token in seen:
            raise PaginationError(
                "the server repeated a page token while listing %s; stopping instead of "
                "looping" % what)
        seen.add(token)


def iterate_cursor_pages(client, path, params, endpoint, what, limit=1000, shape=None,
                         smaller_limit=None):
    """Cursor paging: ``page[limit]`` plus ``page[cursor]`` from ``meta.next_cursor``.

    Every page must pass ``shape`` (default: a JSON object), and a ``meta`` that is there
    must be an object: paging cannot silently stop early on a body it misreads.
    ``smaller_limit(error, limit)``: when a page is refused with an ApiError, the page size
    to ask for that page again with (and every later page), or None to let the error stand.
    """
    size = [limit]

    def check(page):
        return (shape or object_shape)(page) or optional_object(page, "meta")

    def fetch(cursor):
        while True:
            query = dict(params)
            query["page[limit]"] = size[0]
            if cursor:
                query["page[cursor]"] = cursor
            try:
                return client.request_json("GET", path, params=query, endpoint=endpoint, shape=check)
            except ApiError as exc:
                smaller = smaller_limit(exc, size[0]) if smaller_limit is not None else None
                if smaller is None:
                    raise
                size[0] = smaller

    def next_cursor(page):
        meta = page.get("meta")
        return meta.get("next_cursor") if isinstance(meta, dict) else None

    return follow_page_tokens(fetch, next_cursor, what)


def iterate_continuation_pages(client, path, params, endpoint, what, max_results=100,
                               shape=None):
    """Continuation-token paging: ``maxResults`` plus ``continuationToken`` from the last page.

    Every page must pass ``shape`` (default: a JSON object), and a token that is there must
    be a string.
    """
    def check(page):
        return (shape or object_shape)(page) or optional_string(page, "continuationToken", True)

    def fetch(token):
        query = dict(params)
        query["maxResults"] = max_results
        if token:
            query["continuationToken"] = token
        return client.request_json("GET", path, params=query, endpoint=endpoint, shape=check)

    def next_token(page):
        for key, value in page.items():
            if key.lower() == "continuationtoken":
                return value
        return None

    return follow_page_tokens(fetch, next_token, what)


def iterate_numbered_pages(client, path, params, endpoint, page_size=100, items_key="data",
                           shape=None):
    """Page-number paging (``page[size]``, ``page[number]``): stop at the first short page or the total.

    Every page must pass ``shape`` (default: ``items_key`` is a list of objects).
    """
    check = shape or list_shape(items_key)
    number = 0
    read = 0
    while True:
        query = dict(params)
        query["page[size]"] = page_size
        query["page[number]"] = number
        page = client.request_json("GET", path, params=query, endpoint=endpoint, shape=check)
        items = page.get(items_key) or []
        yield page
        read += len(items)
        total = _filtered_total(page)
        if len(items) < page_size or (total is not None and read >= total):
            return
        number += 1


def _filtered_total(page):
    meta = page.get("meta")
    page_meta = meta.get("page") if isinstance(meta, dict) else None
    if isinstance(page_meta, dict):
        total = page_meta.get("total_filtered_count")
        if isinstance(total, int):
            return total
    return None
