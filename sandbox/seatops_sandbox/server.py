"""HTTP plumbing: one port for every API of ``registry.APIS`` and the /_sandbox admin.

The server names no API: routes, error shapes, content types, settings and rate budgets
come from the API modules through the registry.

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

from . import admin, registry
from .faults import FaultInjector, RateBudget
from .httpmsg import Request, Response, json_response
from .routing import WEB, phrase_of
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
        self.config = registry.initial_config(self.store)
        self.budgets = {}
        self._jitter = random.Random(fault_seed)
        self._lock = threading.Lock()

    def update_config(self, values):
        """Apply already validated config values (see admin.validate_config)."""
        with self._lock:
            self.config.update(values)
            for rate in registry.RATE_LIMITS:
                if rate.key in values:
                    limit = values[rate.key]
                    if limit is None:
                        self.budgets.pop(rate.name, None)
                    else:
                        self.budgets[rate.name] = RateBudget(limit["limit"], limit["period"], f"sandbox_{rate.name}")

    def latency(self):
        with self._lock:
            base, jitter = self.config["latency_ms"], self.config["jitter_ms"]
            return (base + (self._jitter.uniform(0, jitter) if jitter else 0)) / 1000.0


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
    body = json.dumps(replacement, separators=(",", ":"))
    return Response(status, body, api.content_type, headers)


def fault_response(api, status, outcome):
    """A fault answer in the error shape of the API it stands in for."""
    if outcome.has_body:
        body = outcome.body
        if isinstance(body, (dict, list)):
            return json_response(status, body, api.fault_body_type)
        return Response(status, "" if body is None else str(body), "text/plain; charset=utf-8")
    return api.fault(status, phrase_of(status))


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
            self._send(self._safely(lambda: admin.handle(app, req), WEB))
            return
        route, captures = registry.route(req.segments())
        api, template = route.api, route.log_template(req)
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
            resp = self._safely(lambda: route.handler(app, req, *captures), api)
        if api.restyle is not None and resp.status >= 400 and not outcome.has_body:
            resp = api.restyle(app, resp)
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
            return api.crash()

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
        # Absolute URLs an API writes (GitHub's Link headers) need the scheme clients use.
        app.scheme = "https" if ssl_context else "http"
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
