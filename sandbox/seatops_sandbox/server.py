"""HTTP plumbing: one port for Datadog, the Store, the token endpoints and /_sandbox admin.

The admin surface is deliberately outside the request log, faults, latency and rate
limits: tests must be able to inspect and steer the sandbox without disturbing what they
measure.
"""

import collections
import http
import http.server
import json
import random
import socket
import sys
import threading
import time
import traceback

from . import admin, datadog_api, msstore_api, tokens
from .faults import FaultInjector, RateBudget
from .httpmsg import Request, Response, json_response
from .store import Store

LOG_CAP = 100_000


class RequestLog:
    """Bounded entries, exact counts: benchmarks count calls far beyond the entry cap."""

    def __init__(self, cap=LOG_CAP):
        self._lock = threading.Lock()
        self._entries = collections.deque(maxlen=cap)
        self._counts = collections.Counter()
        self._total = 0

    def add(self, method, path, template, status):
        with self._lock:
            self._entries.append({"method": method, "path": path, "template": template, "status": status})
            self._counts[f"{method} {template}"] += 1
            self._total += 1

    def clear(self):
        with self._lock:
            self._entries.clear()
            self._counts.clear()
            self._total = 0

    def snapshot(self):
        with self._lock:
            return {"total": self._total, "counts": dict(sorted(self._counts.items())),
                    "entries": list(self._entries)}


class Sandbox:
    """Everything the handlers share: state, runtime config, faults, budgets, request log."""

    def __init__(self, store=None, fault_seed=None, quiet=False):
        self.store = store or Store()
        self.faults = FaultInjector(fault_seed)
        self.requests = RequestLog()
        self.quiet = quiet
        self.config = {"latency_ms": 0, "jitter_ms": 0, "datadog_rate_limit": None,
                       "msstore_rate_limit": None, "token_lifetime": 3600,
                       "unknown_path_answer": "text", "msstore_error_body": "camel",
                       "msstore_lists_removed": True}
        saved = self.store.get_meta("token_lifetime")
        if saved:
            self.config["token_lifetime"] = int(saved)
        self.budgets = {}
        self._jitter = random.Random(fault_seed)
        self._lock = threading.Lock()

    def update_config(self, values):
        """Apply already validated config values (see admin.validate_config)."""
        with self._lock:
            self.config.update(values)
            for api in ("datadog", "msstore"):
                key = f"{api}_rate_limit"
                if key in values:
                    limit = values[key]
                    if limit is None:
                        self.budgets.pop(api, None)
                    else:
                        self.budgets[api] = RateBudget(limit["limit"], limit["period"], f"sandbox_{api}")

    def latency(self):
        with self._lock:
            base, jitter = self.config["latency_ms"], self.config["jitter_ms"]
            return (base + (self._jitter.uniform(0, jitter) if jitter else 0)) / 1000.0


def route(req):
    """Classify a request: (api, template, handler). ``api`` picks the fault/error body shape."""
    seg = req.segments()
    if seg[:4] == ["api", "v2", "seats", "users"] and len(seg) == 4:
        return "dd_seats", "/api/v2/seats/users", lambda app: datadog_api.handle_seats(app, req)
    if seg[:3] == ["api", "v2", "users"]:
        if len(seg) == 3:
            return "dd_users", "/api/v2/users", lambda app: datadog_api.handle_users(app, req)
        if len(seg) == 4 and seg[3]:
            return "dd_users", "/api/v2/users/{user_id}", lambda app: datadog_api.handle_users(app, req, seg[3])
    if seg and seg[0].lower() == "v1":
        template = msstore_api.template_for(seg[1:])
        if template is None:
            # Not an operation of the Store API: answered by the web server, not by the API.
            return None, req.path, unknown_path_response
        return "msstore", template, lambda app: msstore_api.handle(app, req, seg[1:])
    low = [s.lower() for s in seg]
    if len(seg) == 4 and low[1:] == ["oauth2", "v2.0", "token"] and seg[0]:
        return "token", "/{tenant}/oauth2/v2.0/token", lambda app: tokens.handle_token(app, req, seg[0], "v2")
    if len(seg) == 3 and low[1:] == ["oauth2", "token"] and seg[0]:
        return "token", "/{tenant}/oauth2/token", lambda app: tokens.handle_token(app, req, seg[0], "v1")
    if seg and seg[0] == "api":
        return "dd_users", req.path, lambda app: datadog_api.strings_error(
            404, "Not found", datadog_api.USERS_CT)
    return None, req.path, unknown_path_response


NOT_FOUND_PAGE = ("<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n<body><h1>Not Found</h1>"
                  "<p>The requested URL was not found on this server.</p></body></html>\n")


def unknown_path_response(app):
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


def mangled_response(api, resp, replacement):
    """``resp`` with its body replaced (fault rule ``mangle``): status and headers kept, except
    that a 204 becomes a 200, since a 204 cannot carry a body.

    A string is sent as it is (HTML if it starts with '<', else plain text); any other JSON
    value is sent as JSON with the content type of the API it stands in for."""
    headers = {key: value for key, value in resp.headers.items() if key.lower() != "content-type"}
    status = 200 if resp.status == 204 else resp.status
    if isinstance(replacement, str):
        ctype = "text/html; charset=utf-8" if replacement.lstrip().startswith("<") else "text/plain; charset=utf-8"
        return Response(status if replacement else resp.status, replacement, ctype, headers)
    ctype = {"dd_seats": datadog_api.SEATS_CT, "msstore": msstore_api.CT}.get(api, "application/json")
    body = json.dumps(replacement, separators=(",", ":"))
    return Response(status, body, ctype, headers)


def fault_response(api, status, outcome):
    """A fault answer in the error shape of the API it stands in for."""
    phrase = http.HTTPStatus(status).phrase if status in http.HTTPStatus._value2member_map_ else "Error"
    if outcome.has_body:
        body = outcome.body
        if isinstance(body, (dict, list)):
            ctype = datadog_api.SEATS_CT if api == "dd_seats" else "application/json"
            return json_response(status, body, ctype)
        return Response(status, "" if body is None else str(body), "text/plain; charset=utf-8")
    if api == "dd_seats":
        if status == 429:
            return datadog_api.strings_error(429, "Too many requests", datadog_api.SEATS_CT)
        if status == 403:
            return datadog_api.strings_error(403, "Forbidden", datadog_api.SEATS_CT)
        return datadog_api.seats_error(status, f"{phrase} (injected fault)")
    if api == "dd_users":
        text = {429: "Too many requests", 403: "Forbidden"}.get(status, f"{phrase} (injected fault)")
        return datadog_api.strings_error(status, text, datadog_api.USERS_CT)
    if api == "msstore":
        headers = {"Retry-After": "1"} if status == 429 else None
        return msstore_api.error_response(status, f"{phrase} (injected fault)", headers=headers)
    if api == "token":
        code = {429: "temporarily_unavailable", 503: "temporarily_unavailable"}.get(
            status, "server_error" if status >= 500 else "invalid_request")
        return json_response(status, {"error": code, "error_description": f"{phrase} (injected fault)"})
    return json_response(status, {"error": phrase, "message": "injected fault"})


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "seatops-sandbox"

    def version_string(self):
        return self.server_version
    # Idle keep-alive connections give their thread back after a while.
    timeout = 120

    def setup(self):
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        if hasattr(self.connection, "do_handshake"):
            try:
                self.connection.do_handshake()
            except (OSError, ValueError):
                self.close_connection = True
                raise

    def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
        if not self.server.app.quiet:
            sys.stderr.write("%s - %s\n" % (self.address_string(), format % args))

    def log_request(self, code="-", size="-"):
        pass

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _handle(self):
        started = time.monotonic()
        app = self.server.app
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            self._send(json_response(400, {"error": "bad request body"}))
            return
        req = Request(self.command, self.path, self.headers, body)
        if req.path.startswith("/_sandbox/") or req.path == "/_sandbox":
            self._send(self._safely(lambda: admin.handle(app, req), None))
            return
        api, template, handler = route(req)
        outcome = app.faults.apply(req.method, {req.path, "/".join([""] + req.segments()), template})
        delay = app.latency() + outcome.latency_ms / 1000.0
        if delay > 0:
            time.sleep(delay)
        if outcome.drop:
            app.requests.add(req.method, req.path, template, 0)
            self._log(req, 0, started)
            self.close_connection = True
            return
        if outcome.status:
            resp = fault_response(api, outcome.status, outcome)
        else:
            resp = self._safely(lambda: handler(app), api)
        if api == "msstore" and resp.status >= 400 and not outcome.has_body:
            resp = msstore_api.restyle_error(resp, app.config["msstore_error_body"])
        if outcome.has_mangle:
            resp = mangled_response(api, resp, outcome.mangle)
        if outcome.drop_answer:
            # The request took effect; the client never learns it (a lost answer).
            app.requests.add(req.method, req.path, template, 0)
            self._log(req, 0, started)
            self.close_connection = True
            return
        for key, value in outcome.headers.items():
            resp.headers[key] = value
        # Log before answering: a client that has its response must find it in the log.
        app.requests.add(req.method, req.path, template, resp.status)
        self._send(resp)
        self._log(req, resp.status, started)

    def _safely(self, func, api):
        try:
            return func()
        except Exception:  # a bug must answer 500, not hang the client
            traceback.print_exc(file=sys.stderr)
            if api == "msstore":
                return msstore_api.error_response(500, "Internal sandbox error")
            if api in ("dd_seats", "dd_users"):
                return datadog_api.strings_error(500, "Internal Server Error", "application/json")
            return json_response(500, {"error": "internal sandbox error"})

    def _send(self, resp):
        # One write per response, and TCP_NODELAY in setup(): separate header and body
        # segments would otherwise meet delayed ACKs and cost ~40 ms per keep-alive request.
        phrase = http.HTTPStatus(resp.status).phrase if resp.status in http.HTTPStatus._value2member_map_ else ""
        lines = [f"{self.protocol_version} {resp.status} {phrase}",
                 f"Server: {self.version_string()}", f"Date: {self.date_time_string()}"]
        lines += [f"{key}: {value}" for key, value in resp.headers.items()]
        # Always a Content-Length, also on 204, so keep-alive clients never wait for EOF.
        lines.append(f"Content-Length: {len(resp.body)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head + (resp.body if self.command != "HEAD" else b""))

    def _log(self, req, status, started):
        if not self.server.app.quiet:
            ms = (time.monotonic() - started) * 1000
            sys.stderr.write(f"{req.method} {req.raw_path} {status or 'DROP'} {ms:.1f}ms\n")

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = do_HEAD = do_OPTIONS = _handle


class SandboxServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, app, host="127.0.0.1", port=0, ssl_context=None):
        self.app = app
        self.ssl_context = ssl_context
        super().__init__((host, port), Handler)
        if ssl_context is not None:
            # The handshake runs in the request thread (Handler.setup), so one slow
            # client cannot stall accept() for everybody else.
            self.socket = ssl_context.wrap_socket(self.socket, server_side=True,
                                                  do_handshake_on_connect=False)

    @property
    def port(self):
        return self.server_address[1]

    @property
    def scheme(self):
        return "https" if self.ssl_context else "http"

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, socket.timeout, TimeoutError)) or \
                exc.__class__.__name__.startswith("SSL"):
            return
        super().handle_error(request, client_address)


def start_in_thread(app=None, host="127.0.0.1", port=0, ssl_context=None):
    """Run a server in a background thread (used by in-process tests)."""
    server = SandboxServer(app or Sandbox(quiet=True), host, port, ssl_context)
    thread = threading.Thread(target=server.serve_forever, name="seatops-sandbox", daemon=True)
    thread.start()
    return server


def dumps(obj):
    return json.dumps(obj, indent=2, sort_keys=True)
