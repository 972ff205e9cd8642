"""Run a real sandbox process from pytest, molecule or benchmarks.

    with SandboxProcess(seed={"datadog": {...}}) as sb:
        requests.get(sb.url + "/api/v2/users", headers=...)
        assert sb.state()["datadog"]["products"]["incident_response"]["holders"] == []

Only the standard library is used here, so the helper works in any environment that can
import the package.
"""

import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

_PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class SandboxError(RuntimeError):
    pass


class SandboxProcess:
    """A sandbox server in a child process on an ephemeral loopback port."""

    def __init__(self, seed=None, state=None, extra_args=(), tls=False, cert_dir=None,
                 startup_timeout=30.0):
        self.seed_arg = seed
        self.state_path = state
        self.extra_args = list(extra_args)
        self.tls = tls
        self.cert_dir = cert_dir
        self.startup_timeout = startup_timeout
        self.proc = None
        self.port = None
        self.url = None
        self.store_url = None
        self.ca_cert = None
        self._tmp = None
        self._stderr = None
        self._ssl = None

    # -- lifecycle ---------------------------------------------------------------------
    def start(self):
        if self.proc is not None:
            raise SandboxError("sandbox already started")
        self._tmp = tempfile.mkdtemp(prefix="seatops-sandbox-")
        port_file = os.path.join(self._tmp, "port")
        cmd = [sys.executable, "-m", "seatops_sandbox", "serve", "--port", "0", "--port-file", port_file]
        if self.seed_arg is not None:
            if isinstance(self.seed_arg, dict):
                path = os.path.join(self._tmp, "seed.json")
                with open(path, "w", encoding="utf-8") as handle:
                    json.dump(self.seed_arg, handle)
            else:
                path = os.fspath(self.seed_arg)
            cmd += ["--seed", path]
        if self.state_path is not None:
            cmd += ["--state", os.fspath(self.state_path)]
        if self.tls:
            self.cert_dir = os.fspath(self.cert_dir) if self.cert_dir else os.path.join(self._tmp, "tls")
            cmd += ["--tls", "--cert-dir", self.cert_dir]
        cmd += [str(a) for a in self.extra_args]
        env = dict(os.environ)
        # Works from a source checkout too, not only after `pip install -e ./sandbox`.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_PARENT, env.get("PYTHONPATH")]))
        self._stderr = open(os.path.join(self._tmp, "stderr.log"), "w+b")
        self.proc = subprocess.Popen(cmd, stdout=self._stderr, stderr=subprocess.STDOUT, env=env,
                                     stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._fail(f"sandbox exited with status {self.proc.returncode}")
            if os.path.exists(port_file):
                with open(port_file, encoding="utf-8") as handle:
                    text = handle.read().strip()
                if text:
                    self.port = int(text)
                    break
            time.sleep(0.05)
        else:
            self._fail("sandbox did not report its port in time")
        scheme = "https" if self.tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        self.store_url = self.url + "/V1"
        if self.tls:
            self.ca_cert = os.path.join(self.cert_dir, "ca.pem")
            self._ssl = ssl.create_default_context(cafile=self.ca_cert)
        while time.monotonic() < deadline:
            try:
                if self._call("GET", "/_sandbox/health").get("status") == "ok":
                    return self
            except (OSError, SandboxError):
                time.sleep(0.05)
        self._fail("sandbox did not become healthy in time")
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def restart(self):
        """Stop and start again with the same options (and the same --state file)."""
        self.stop()
        return self.start()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def output(self):
        """Everything the server printed so far (startup line and request log)."""
        if self._stderr is None:
            return ""
        self._stderr.flush()
        with open(self._stderr.name, "rb") as handle:
            return handle.read().decode("utf-8", "replace")

    def _fail(self, message):
        output = self.output
        self.stop()
        raise SandboxError(f"{message}\n--- sandbox output ---\n{output}")

    # -- admin API ---------------------------------------------------------------------
    def _call(self, method, path, payload=None):
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60, context=self._ssl) as resp:
                return json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise SandboxError(f"{method} {path} -> {exc.code}: {exc.read().decode('utf-8', 'replace')}") \
                from None

    def seed(self, data):
        return self._call("POST", "/_sandbox/seed", data)

    def reset(self):
        return self._call("POST", "/_sandbox/reset", {})

    def state(self):
        return self._call("GET", "/_sandbox/state")

    def requests(self):
        return self._call("GET", "/_sandbox/requests")

    def clear_requests(self):
        return self._call("POST", "/_sandbox/requests/clear", {})

    def faults(self, rules, seed=None):
        payload = {"rules": list(rules)}
        if seed is not None:
            payload["seed"] = seed
        return self._call("POST", "/_sandbox/faults", payload)

    def config(self, **kw):
        if not kw:
            return self._call("GET", "/_sandbox/config")
        return self._call("POST", "/_sandbox/config", kw)

    def expire_tokens(self):
        return self._call("POST", "/_sandbox/tokens/expire", {})

    # -- admin calls of the Datadog API ------------------------------------------------
    def claim(self, product_code, user, assigned_at=None):
        """``user`` (id or unique email) claims a seat of ``product_code`` as by using a seat
        feature; ``assigned_at`` (ISO-8601 UTC, default now) is when."""
        payload = {"product_code": product_code, "user": user}
        if assigned_at is not None:
            payload["assigned_at"] = assigned_at
        return self._call("POST", "/_sandbox/datadog/claim", payload)

    def reset_peaks(self):
        """A new billing month: each Datadog product's peak_holders starts at its holders now."""
        return self._call("POST", "/_sandbox/datadog/peaks/reset", {})

    # -- admin calls of the GitHub Copilot API -----------------------------------------
    def github_clock(self, now=None, advance_days=0, advance_seconds=0, real=False):
        """Set the Copilot clock to ``now`` (ISO-8601 UTC), move it on, or (``real``) let it
        follow real time again; seats whose cancellation date is reached end."""
        if real:
            return self._call("POST", "/_sandbox/github/clock", {"real": True})
        payload = {"now": now} if now is not None else {"advance_days": advance_days, "advance_seconds": advance_seconds}
        return self._call("POST", "/_sandbox/github/clock", payload)

    def github_activity(self, org, login, **fields):
        """``login`` uses Copilot: ``last_activity_at`` (default now) and the editor."""
        return self._call("POST", "/_sandbox/github/activity", dict(fields, org=org, login=login))

    def github_team(self, org, team, add=(), remove=()):
        """Members join or leave an org team (seats follow, contract §10.5)."""
        return self._call("POST", "/_sandbox/github/team", {"org": org, "team": team, "add": list(add),
                                                            "remove": list(remove)})

    def github_org(self, org, **settings):
        """Change an org's Copilot settings (seat_management_setting, copilot, payment_problem, ...)."""
        return self._call("POST", "/_sandbox/github/org", dict(settings, org=org))
