"""What an API module declares, so the server can serve it without naming it.

Each API module (``datadog_api``, ``msstore_api``, ``tokens``) sets:

- ``ROUTES``: ``Route`` values, tried in the order of ``registry.APIS``, first match wins;
- ``CATCH_ALL``: ``Route`` values tried only after every API's ``ROUTES``;
- ``RATE_LIMIT``: a ``RateLimit`` (config key and ``serve`` option ``NAME_rate_limit``) or None;
- ``SETTINGS``: its ``/_sandbox/config`` keys, each a ``Setting`` (default and check);
- optionally ``saved_settings(store)``: settings a ``--state`` file kept across restarts;
- optionally ``ADMIN``: ``AdminRoute`` values, admin calls of its own under ``/_sandbox/``
  (``admin.py`` serves them beside its own, so it names no API).

A route's ``api`` is an ``Api``: the answers the server gives on that API's behalf (an
injected fault, a crash, a mangled body, a restyled error), in that API's shapes.
"""

import http

from .faults import ConfigError, parse_rate_limit
from .httpmsg import Response, json_response


def phrase_of(status):
    return http.HTTPStatus(status).phrase if status in http.HTTPStatus._value2member_map_ else "Error"


class Api:
    """The error shapes and content types of one API (or one family of its endpoints).

    ``fault(status, phrase)`` answers an injected fault without a body; ``crash()`` answers
    a handler that raised; ``content_type`` types a mangled JSON body and
    ``fault_body_type`` a fault rule's own JSON body; ``restyle(app, resp)``, if set,
    rewrites the API's own error answers (>= 400)."""

    def __init__(self, name, fault, crash, content_type="application/json",
                 fault_body_type="application/json", restyle=None):
        self.name = name
        self.fault = fault
        self.crash = crash
        self.content_type = content_type
        self.fault_body_type = fault_body_type
        self.restyle = restyle

    def __repr__(self):
        return f"Api({self.name!r})"


# A path no API has (and the admin surface): answered in no API's shape.
WEB = Api(None, lambda status, phrase: json_response(status, {"error": phrase, "message": "injected fault"}),
          lambda: json_response(500, {"error": "internal sandbox error"}))

NOT_FOUND_PAGE = ("<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n<body><h1>Not Found</h1>"
                  "<p>The requested URL was not found on this server.</p></body></html>\n")


def unknown_path_response(app, *_request):
    """A path no API has, answered as a web server or a proxy in front would: a 404 in none
    of the APIs' error shapes (config ``unknown_path_answer``)."""
    style = app.config["unknown_path_answer"]
    if style == "html":
        return Response(404, NOT_FOUND_PAGE, "text/html; charset=utf-8")
    if style == "json":
        # An API gateway's own answer: JSON, but not the shape of either API.
        return json_response(404, {"statusCode": 404, "message": "Resource not found"})
    if style == "empty":
        return Response(404, b"")
    return Response(404, "404 page not found\n", "text/plain; charset=utf-8")


class Route:
    """One path pattern of an API: its request-log ``template``, its ``api`` and its handler.

    The pattern is the template itself: literal segments, ``{name}`` for one segment (passed
    to ``handler(app, req, *captures)`` in order) and a final ``**`` for any rest of the
    path (a catch-all, logged under the request's own path). ``ignore_case`` compares the
    literals case-insensitively; ``empty_ok`` lets a ``{name}`` segment be empty."""

    def __init__(self, template, api, handler, ignore_case=False, empty_ok=False):
        self.template = template
        self.api = api
        self.handler = handler
        self.ignore_case = ignore_case
        self.empty_ok = empty_ok
        parts = template.split("/")[1:]
        self.catch_all = parts[-1:] == ["**"]
        self.parts = parts[:-1] if self.catch_all else parts

    def match(self, segments):
        """The captured segments when ``segments`` are this route's path, else None."""
        if len(segments) < len(self.parts) or (not self.catch_all and len(segments) != len(self.parts)):
            return None
        captures = []
        for want, got in zip(self.parts, segments):
            if want.startswith("{"):
                if not got and not self.empty_ok:
                    return None
                captures.append(got)
            elif (got.lower() != want.lower()) if self.ignore_case else (got != want):
                return None
        return tuple(captures)

    def log_template(self, req):
        return req.path if self.catch_all else self.template

    def __repr__(self):
        return f"Route({self.template!r}, {self.api!r})"


class Setting:
    """A ``/_sandbox/config`` key: its default and ``check(value, key)`` -> clean value."""

    def __init__(self, default, check):
        self.default = default
        self.check = check


class RateLimit:
    """A request budget ``NAME_rate_limit`` (config key) / ``--NAME-rate-limit`` (option)."""

    def __init__(self, name, help_text):
        self.name = name
        self.help = help_text

    @property
    def key(self):
        return f"{self.name}_rate_limit"

    def setting(self):
        return Setting(None, parse_rate_limit)


def milliseconds(value, key):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(key, "must be a non-negative number of milliseconds")
    return value


def one_of(*allowed):
    def check(value, key):
        if value not in allowed:
            raise ConfigError(key, f"must be one of {', '.join(allowed)}")
        return value
    check.allowed = allowed
    return check


def boolean(value, key):
    if not isinstance(value, bool):
        raise ConfigError(key, "must be true or false")
    return value


def seconds(value, key):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(key, "must be a positive integer number of seconds")
    return value


class AdminError(ValueError):
    """An admin request refused: 400 ``{"error", "field"}``, as every admin error."""

    def __init__(self, field, message):
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


class AdminRoute:
    """An admin call an API module adds (its ``ADMIN``), such as a seat its users claim.

    ``path`` is the whole path (``/_sandbox/...``) and ``method`` the one method it answers.
    ``handler(app, body)`` gets the request's JSON object ({} for an empty body) and returns
    a Response, or raises ``AdminError``. Like every admin call it is never logged, faulted,
    delayed or rate-limited, so tests can steer the sandbox without changing what they count."""

    def __init__(self, path, method, handler):
        self.path = path
        self.method = method
        self.handler = handler

    def __repr__(self):
        return f"AdminRoute({self.method} {self.path!r})"


# The last route of all: any path no API claimed.
NO_API = Route("/**", WEB, unknown_path_response)
