# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The secrets sweep: no credential reaches anything a run leaves behind.

Every module (each secret option, in option and in environment form) and every role runs
through real ``ansible-playbook -vvvv`` in check+diff and in apply+diff mode, with journals
on and ANSIBLE_LOG_PATH set; failing runs cover a wrong key (403), a wrong client secret
(401), a read-only key (403), 5xx answers and unknown products; one job runs through
ansible-runner. Then everything the runs left is searched: stdout, stderr, the log file, the
recorded task results, journals, reports, offboarding records, every file under the run's
directory (the local and remote Ansible temp directories included) and every file of the
ansible-runner private data directory. Each secret is searched as written, URL-encoded,
base64-encoded (at every byte alignment) and JSON-escaped, and by its 12-character pieces, so
a secret cut off by a truncated message counts as a leak too.

A small local server stands in for APIs that echo the request (headers and body) in their
error answers: the modules' failure messages must not carry what it echoes.
"""

from __future__ import annotations

import base64
import http.server
import json
import os
import sqlite3
import sys
import threading
import urllib.parse

import pytest
import requests
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FILES = os.path.join(HERE, "files")
PLAYBOOKS = os.path.join(REPO, "playbooks")

TENANT = "contoso.onmicrosoft.com"

# Long, distinctive values. The Store secrets hold '+', '/' and '=' (Azure AD secrets can),
# so their URL-encoded and base64 forms differ from the raw value.
DD_OPTION_API = "ddApiOpt-SEATOPS-7c41e0b9f3a2d8e6a15b"
DD_OPTION_APP = "ddAppOpt-SEATOPS-2f9d8e7c6b5a4f3e2d1c0b9a"
DD_ENV_API = "ddApiEnv-SEATOPS-91ab27cd35ef48a0b6c2"
DD_ENV_APP = "ddAppEnv-SEATOPS-e4d3c2b1a09f8e7d6c5b4a39"
DD_RO_API = "ddApiRo-SEATOPS-5a6b7c8d9e0f1a2b3c4d"
DD_RO_APP = "ddAppRo-SEATOPS-0f1e2d3c4b5a69788796a5b4"
DD_WRONG_API = "ddApiWrong-SEATOPS-c0ffee11d00d22beef33"
STORE_OPTION_SECRET = "storeOpt~SEATOPS+q8/Zk=Lm.w4_R9-x3Yt"
STORE_ENV_SECRET = "storeEnv~SEATOPS+J7/hP=cX.n2_V5-b8Qe"
STORE_TOKEN_SECRET = "storeTok~SEATOPS+u3/Wd=Rk.s6_F1-m4Zo"
STORE_IDLE_SECRET = "storeIdle~SEATOPS+e5/Nb=Tq.y9_G2-p7Lc"
STORE_WRONG_SECRET = "storeWrong~SEATOPS+a1/Xc=Vb.h3_K8-r6Mu"
STORE_WRONG_TOKEN = "storeWrongToken-SEATOPS-Zx9Yw8Vu7Ts6Rq5Po4"
ECHO_TOKEN = "echoIssuedToken-SEATOPS-Hj3Kl4Mn5Bv6Cx7Za8"
GH_OPTION_TOKEN = "ghp_OptSEATOPS8mQ2vX7kL4nR9tW1yZ5bC3dF6gH"
GH_ENV_TOKEN = "ghp_EnvSEATOPS3jK8pL2qR7sT1uV6wX9yZ4aB5cD"
GH_SSO_TOKEN = "ghp_SsoSEATOPS5nM1bV7cX2zL9kJ4hG6fD3sA8qW"
GH_WRONG_TOKEN = "ghp_BadSEATOPS2wE8rT4yU9iO1pA6sD3fG7hJ5kL"
GH_ORG = "acme-secrets"

SECRETS = {
    "Datadog api_key given as option": DD_OPTION_API,
    "Datadog app_key given as option": DD_OPTION_APP,
    "Datadog api_key from DD_API_KEY": DD_ENV_API,
    "Datadog app_key from DD_APP_KEY": DD_ENV_APP,
    "read-only Datadog api_key": DD_RO_API,
    "read-only Datadog app_key": DD_RO_APP,
    "wrong Datadog api_key": DD_WRONG_API,
    "Store client_secret given as option": STORE_OPTION_SECRET,
    "Store client_secret from AZURE_CLIENT_SECRET": STORE_ENV_SECRET,
    "Store client_secret of the access_token client": STORE_TOKEN_SECRET,
    "Store client_secret of the not activated client": STORE_IDLE_SECRET,
    "wrong Store client_secret": STORE_WRONG_SECRET,
    "wrong Store access_token": STORE_WRONG_TOKEN,
    "token issued by the echo server": ECHO_TOKEN,
    "GitHub token given as option": GH_OPTION_TOKEN,
    "GitHub token from GITHUB_TOKEN": GH_ENV_TOKEN,
    "GitHub token the org's SAML SSO has not authorized": GH_SSO_TOKEN,
    "wrong GitHub token": GH_WRONG_TOKEN,
}

ENV_CREDENTIALS = {
    "DD_API_KEY": DD_ENV_API,
    "DD_APP_KEY": DD_ENV_APP,
    "AZURE_TENANT_ID": TENANT,
    "AZURE_CLIENT_ID": "env-client",
    "AZURE_CLIENT_SECRET": STORE_ENV_SECRET,
}

with open(os.path.join(FILES, "roles-seed.yml")) as handle:
    SEED = yaml.safe_load(handle)
SEED["datadog"]["keys"] = [
    {"api_key": DD_OPTION_API, "app_key": DD_OPTION_APP},
    {"api_key": DD_ENV_API, "app_key": DD_ENV_APP},
    {"api_key": DD_RO_API, "app_key": DD_RO_APP, "read_only": True},
]
SEED["msstore"]["tenants"][0]["clients"] = [
    {"client_id": "option-client", "client_secret": STORE_OPTION_SECRET},
    {"client_id": "env-client", "client_secret": STORE_ENV_SECRET},
    {"client_id": "token-client", "client_secret": STORE_TOKEN_SECRET},
    {"client_id": "idle-client", "client_secret": STORE_IDLE_SECRET, "activated": False},
]

# A GitHub org with a direct seat, a team-granted one, one pending cancellation and an
# orphan; the option and environment tokens belong to its owner, the SSO one is not authorized.
SEED["github"] = {
    "tokens": [
        {"token": GH_OPTION_TOKEN, "kind": "classic", "scopes": ["manage_billing:copilot", "read:org"], "user": "octo"},
        {"token": GH_ENV_TOKEN, "kind": "classic", "scopes": ["manage_billing:copilot", "read:org"], "user": "octo"},
        {"token": GH_SSO_TOKEN, "kind": "classic", "scopes": ["manage_billing:copilot", "read:org"], "user": "octo",
         "sso_authorized": False},
    ],
    "orgs": [{
        "login": GH_ORG, "owners": ["octo"], "members": ["mona", "hubot", "tina", "zed", "newbie"],
        "teams": [{"slug": "platform", "members": ["tina"], "selected": True}],
        "seats": [{"login": "mona", "created_at": "2025-01-06T10:00:00Z"},
                  {"login": "hubot", "created_at": "2025-01-06T10:00:00Z"},
                  {"login": "tina", "created_at": "2025-01-06T10:00:00Z", "team": "platform"},
                  {"login": "zed", "created_at": "2025-01-06T10:00:00Z", "pending_cancellation_date": "2099-01-01"},
                  {"orphan": True, "created_at": "2025-01-06T10:00:00Z"}],
    }],
}

WINDOW = 12


# -- what counts as a leak ----------------------------------------------------------------

def _base64_forms(value):
    """The base64 text of ``value`` wherever it sits in a longer encoded string: for each of
    the three byte alignments, the characters that depend on the value alone."""
    raw = value.encode("utf-8")
    forms = set()
    for shift in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(b"\0" * shift + raw).decode("ascii").rstrip("=")
            start = -(-shift * 4 // 3) if shift else 0
            stable = text[start:len(text) - 2]
            if len(stable) >= WINDOW:
                forms.add(stable)
    return forms


def leak_forms(value):
    """``{form name: text}``: the value as written, encoded, escaped, and its pieces."""
    forms = {"as written": value,
             "URL-encoded": urllib.parse.quote_plus(value),
             "URL-encoded (path)": urllib.parse.quote(value, safe=""),
             "JSON-escaped": json.dumps(value)[1:-1]}
    for index, text in enumerate(sorted(_base64_forms(value))):
        forms["base64 #%d" % index] = text
    for start in range(0, len(value) - WINDOW + 1):
        forms["the piece %r" % value[start:start + WINDOW]] = value[start:start + WINDOW]
    return forms


def find_leaks(text, secrets):
    """``[(secret name, form name)]`` of every secret form found in ``text``."""
    found = []
    for name, value in secrets.items():
        for form, needle in leak_forms(value).items():
            if needle in text:
                found.append((name, form))
                break
    return found


class Evidence(object):
    """Everything a run left behind, by where it came from."""

    def __init__(self):
        self.items = []

    def add(self, where, text):
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        self.items.append((where, text))

    def add_run(self, label, run, log_path=None):
        self.add("%s: stdout" % label, run.stdout)
        self.add("%s: stderr" % label, run.stderr)
        self.add("%s: registered results" % label, json.dumps(run.results))
        if log_path is not None:
            assert os.path.exists(log_path), "ANSIBLE_LOG_PATH %s was not written" % log_path
            with open(log_path, "rb") as handle:
                self.add("%s: log file" % label, handle.read())

    def add_tree(self, label, root, skip=()):
        count = 0
        for directory, dirs, files in os.walk(root):
            dirs[:] = [name for name in dirs if os.path.join(directory, name) not in skip]
            for name in files:
                path = os.path.join(directory, name)
                if path in skip or os.path.islink(path):
                    continue
                with open(path, "rb") as handle:
                    self.add("%s: file %s" % (label, os.path.relpath(path, root)), handle.read())
                count += 1
        return count

    def assert_clean(self, secrets):
        leaks = []
        for where, text in self.items:
            for name, form in find_leaks(text, secrets):
                leaks.append("%s leaked the %s (%s)" % (where, name, form))
        assert not leaks, "secrets leaked:\n" + "\n".join(leaks)
        forms = sum(len(leak_forms(value)) for value in secrets.values())
        print("searched %d streams and files (%d characters) for %d secrets in %d forms: no leak"
              % (len(self.items), sum(len(text) for _where, text in self.items), len(secrets), forms))
        return len(self.items)


def test_the_leak_finder_finds_every_form():
    """The search itself: it must see a secret in each form the sweep claims to cover."""
    secrets = {"s": STORE_OPTION_SECRET}
    samples = [
        "x" + STORE_OPTION_SECRET,
        "client_secret=" + urllib.parse.quote_plus(STORE_OPTION_SECRET) + "&scope=x",
        "Basic " + base64.b64encode(("id:" + STORE_OPTION_SECRET).encode()).decode(),
        "Basic " + base64.b64encode(("i:" + STORE_OPTION_SECRET).encode()).decode(),
        "Basic " + base64.b64encode(("ab:" + STORE_OPTION_SECRET).encode()).decode(),
        json.dumps({"secret": STORE_OPTION_SECRET}),
        "truncated..." + STORE_OPTION_SECRET[:WINDOW],
        STORE_OPTION_SECRET[-WINDOW:] + " (tail)",
    ]
    for sample in samples:
        assert find_leaks(sample, secrets), sample
    assert not find_leaks("client_secret=******** " + STORE_OPTION_SECRET[:WINDOW - 1], secrets)


# -- fixtures -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    """A sandbox keeping its state in a file, so the tokens it issued can be read back."""
    from seatops_sandbox.testing import SandboxProcess

    state = tmp_path_factory.mktemp("secrets-sandbox") / "state.db"
    process = SandboxProcess(seed=SEED, state=str(state))
    process.start()
    process.state_file = str(state)
    yield process
    process.stop()


@pytest.fixture
def fresh(sandbox):
    sandbox.faults([])
    sandbox.reset()
    sandbox.seed(SEED)
    sandbox.clear_requests()
    return sandbox


def issued_tokens(sandbox):
    """``{name: token}`` of every Azure AD token the sandbox issued (still in its state)."""
    with sqlite3.connect(sandbox.state_file) as db:
        rows = db.execute("SELECT token, client_id_l FROM ms_tokens").fetchall()
    return dict(("access token issued to %s (%s...)" % (client, token[:8]), token)
                for token, client in rows)


def fetch_token(sandbox):
    """An access token for the ``access_token`` option, from the sandbox's token endpoint."""
    answer = requests.post(sandbox.url + "/%s/oauth2/v2.0/token" % TENANT, timeout=30, data={
        "grant_type": "client_credentials", "client_id": "token-client",
        "client_secret": STORE_TOKEN_SECRET, "scope": "https://onestore.microsoft.com/.default"})
    answer.raise_for_status()
    return answer.json()["access_token"]


class Workspace(object):
    """Where one test's runs write: everything under ``root`` is searched afterwards."""

    def __init__(self, root, inputs):
        self.root = str(root)
        self.inputs = str(inputs)
        self.evidence = Evidence()
        self.runs = 0

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def env(self, label, extra=None):
        """Environment of one -vvvv run: its own log file and remote temp directory."""
        env = {"ANSIBLE_LOG_PATH": self.path("logs", label + ".log"),
               "ANSIBLE_REMOTE_TMP": self.path("remote-tmp"),
               "ANSIBLE_DISPLAY_ARGS_TO_STDOUT": "1"}
        os.makedirs(self.path("logs"), exist_ok=True)
        env.update(extra or {})
        return env

    def secrets_file(self, values):
        """A vars file of secrets, as a vault file would give them; kept out of the search."""
        path = os.path.join(self.inputs, "secrets.yml")
        with open(path, "w") as handle:
            yaml.safe_dump(values, handle)
        return path

    def run(self, run_playbook, label, playbook, check, env=None):
        result = run_playbook(playbook, check=check, diff=True, verbosity=4,
                              env=self.env(label, env))
        self.evidence.add_run(label, result, self.path("logs", label + ".log"))
        self.runs += 1
        return result

    def sweep(self, secrets):
        files = self.evidence.add_tree("run directory", self.root)
        return self.evidence.assert_clean(secrets), files


@pytest.fixture
def workspace(tmp_path, tmp_path_factory):
    return Workspace(tmp_path, tmp_path_factory.mktemp("secret-inputs"))


def all_secrets(sandbox, *more):
    secrets = dict(SECRETS)
    secrets.update(issued_tokens(sandbox))
    for extra in more:
        secrets.update(extra)
    return secrets


def endpoints(sandbox):
    return {"api_url": sandbox.url}, {"api_url": sandbox.store_url, "auth_url": sandbox.url}


def status_of(run, name):
    return run.task(name)["status"]


# -- every module, every secret option, both forms ------------------------------------------

def module_play(sandbox, secrets_file, journal):
    datadog, store = endpoints(sandbox)
    option_keys = {"api_key": "{{ dd_api_key }}", "app_key": "{{ dd_app_key }}"}
    option_secret = {"tenant_id": TENANT, "client_id": "option-client",
                     "client_secret": "{{ store_client_secret }}"}
    token = {"access_token": "{{ store_access_token }}"}
    restricted = {"product_id": "9NBLGGH4R2R6", "sku_id": "0016"}
    open_product = {"product_id": "CFQ7TTC0K5DR", "sku_id": "0001"}
    tasks = [
        ("datadog_seats, keys as options", "datadog_seats", dict(
            option_keys, product_code="incident_response", users=["dara.novak@example.com"],
            journal=journal)),
        ("datadog_seats, keys from the environment", "datadog_seats", dict(
            product_code="apm_pro", exclusive=True, max_reclaims=1, journal=journal,
            users=["ana.lima@example.com", "chen.wei@example.com"])),
        ("datadog_seats, state absent", "datadog_seats", dict(
            product_code="incident_response", state="absent", users=["breakglass@example.com"],
            journal=journal)),
        ("datadog_seats_info, keys as options", "datadog_seats_info", dict(
            option_keys, product_codes=["incident_response", "apm_pro"])),
        ("datadog_seats_info, keys from the environment", "datadog_seats_info", dict(
            product_codes=["apm_pro"], users=["ana.lima@example.com"])),
        ("msstore_seat, client_secret as option", "msstore_seat", dict(
            option_secret, users=["carol@contoso.com"], journal=journal, **restricted)),
        ("msstore_seat, client secret from the environment", "msstore_seat", dict(
            users=["alice@contoso.com", "dara@contoso.com"], exclusive=True, journal=journal,
            **open_product)),
        ("msstore_seat, access_token", "msstore_seat", dict(
            token, users=["bob@contoso.com"], state="absent", journal=journal, **restricted)),
        ("msstore_seat_info, client_secret as option", "msstore_seat_info", dict(
            option_secret, view="inventory")),
        ("msstore_seat_info, client secret from the environment", "msstore_seat_info", dict(
            view="product", **restricted)),
        ("msstore_seat_info, access_token", "msstore_seat_info", dict(
            token, view="users", users=["alice@contoso.com", "bob@contoso.com"])),
    ]
    return [{
        "name": "Every seat module with every kind of credential",
        "hosts": "localhost", "gather_facts": False,
        "vars_files": [secrets_file],
        "module_defaults": {"group/seatops.seats.datadog": datadog,
                            "group/seatops.seats.msstore": store},
        "tasks": [{"name": name, "seatops.seats." + module: args} for name, module, args in tasks],
    }]


def test_modules_leak_no_secret_in_check_and_apply(fresh, run_playbook, workspace):
    access_token = fetch_token(fresh)
    secrets_file = workspace.secrets_file({
        "dd_api_key": DD_OPTION_API, "dd_app_key": DD_OPTION_APP,
        "store_client_secret": STORE_OPTION_SECRET, "store_access_token": access_token})
    journal = workspace.path("journal.jsonl")
    play = module_play(fresh, secrets_file, journal)

    check = workspace.run(run_playbook, "modules-check", play, check=True, env=ENV_CREDENTIALS)
    assert check.rc == 0, check.output[-4000:]
    assert len(check.results) == 11 and all(entry["status"] == "ok" for entry in check.results)
    assert not os.path.exists(journal), "check mode wrote a journal"
    assert check.result("msstore_seat, access_token")["changed"] is True

    apply = workspace.run(run_playbook, "modules-apply", play, check=False, env=ENV_CREDENTIALS)
    assert apply.rc == 0, apply.output[-4000:]
    assert apply.result("datadog_seats, keys as options")["assigned"]
    assert apply.result("msstore_seat, client_secret as option")["assigned"]
    assert apply.result("msstore_seat, access_token")["reclaimed"]
    with open(journal) as handle:
        assert len(handle.read().splitlines()) >= 5
    # The option forms were given (masked in the invocation), not taken from the environment.
    for task, option in (("datadog_seats, keys as options", "api_key"),
                         ("msstore_seat, client_secret as option", "client_secret"),
                         ("msstore_seat, access_token", "access_token")):
        assert apply.result(task)["invocation"]["module_args"][option] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"

    items, files = workspace.sweep(all_secrets(fresh, {"access_token given as option": access_token}))
    assert items > 10 and files >= 5


# -- every role: onboarding, offboarding with record and restore, reconcile with report ----

def roles_playbook(sandbox, workspace, restore):
    common = {"seatops_datadog_api_url": sandbox.url, "seatops_msstore_api_url": sandbox.store_url,
              "seatops_msstore_auth_url": sandbox.url}
    journal = workspace.path("role-journal.jsonl")
    record = workspace.path("records", "offboarding.json")
    plays = [
        ("onboard.yml", dict(common, people="dara.novak@example.com=dara@contoso.com",
                             datadog_products="apm_pro, incident_response",
                             msstore_products="CFQ7TTC0K5DR/0001", onboarding_journal=journal)),
        ("offboard.yml", dict(common, people="ben.okafor@example.com=bob@contoso.com",
                              datadog_products="apm_pro", record_path=record,
                              offboarding_journal=journal)),
    ]
    if restore:
        plays.append(("offboard.yml", dict(common, restore=True, record_path=record,
                                           offboarding_journal=journal)))
    plays.append(("reconcile.yml", dict(
        common, desired_state_file=os.path.join(FILES, "desired-state.yml"),
        report_dir=workspace.path("reports"), reconcile_journal=journal)))
    return [{"ansible.builtin.import_playbook": os.path.join(PLAYBOOKS, name), "vars": values}
            for name, values in plays]


def test_roles_leak_no_secret_in_check_and_apply(fresh, run_playbook, workspace):
    check = workspace.run(run_playbook, "roles-check", roles_playbook(fresh, workspace, False),
                          check=True, env=ENV_CREDENTIALS)
    assert check.rc == 0, check.output[-4000:]
    assert "Would reclaim" in check.output
    # The report (HTML, JSON) and the audit's saved plan, which the sweep below searches too.
    assert len(os.listdir(workspace.path("reports"))) == 3

    apply = workspace.run(run_playbook, "roles-apply", roles_playbook(fresh, workspace, True),
                          check=False, env=ENV_CREDENTIALS)
    assert apply.rc == 0, apply.output[-4000:]
    assert os.path.exists(workspace.path("records", "offboarding.json"))
    reports = os.listdir(workspace.path("reports"))
    assert len(reports) == 5 and any(name.endswith("-apply.html") for name in reports)
    with open(workspace.path("role-journal.jsonl")) as handle:
        assert len(handle.read().splitlines()) >= 4

    items, files = workspace.sweep(all_secrets(fresh))
    assert items > 8 and files >= 8


# -- failing runs: where secrets usually leak ------------------------------------------------

class EchoApi(object):
    """A stand-in API that puts the whole request (headers and body) into its error answers.

    Paths start with a mode: ``/json/...`` answers in the API's JSON error shape, ``/text/...``
    in plain text with the first credential placed across the 300-character mark where error
    texts are cut. ``/ok/{tenant}/oauth2/v2.0/token`` issues ECHO_TOKEN.
    """

    CREDENTIAL_HEADERS = ("dd-api-key", "dd-application-key", "authorization")

    def __init__(self):
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - name fixed by the base class
                api.answer(self)

            do_POST = do_GET
            do_DELETE = do_GET

            def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.seen = []

    def answer(self, handler):
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length).decode("utf-8", "replace") if length else ""
        mode, _sep, rest = handler.path.lstrip("/").partition("/")
        rest = "/" + rest
        self.seen.append((handler.command, handler.path))
        if mode == "ok" and rest.endswith("/oauth2/v2.0/token"):
            return self._send(handler, 200, "application/json",
                              {"access_token": ECHO_TOKEN, "token_type": "Bearer", "expires_in": 3600})
        headers = "; ".join("%s: %s" % (key, value) for key, value in handler.headers.items())
        echo = "request was %s %s; headers %s; body %s" % (handler.command, rest, headers, body)
        if mode == "gh401":
            # GitHub's basic-error shape, echoing the request (its Authorization header too).
            return self._send(handler, 401, "application/json",
                              {"message": "Bad credentials: " + echo, "documentation_url": "https://docs.github.com/rest",
                               "status": "401"})
        if mode == "ghsso":
            # A SAML SSO refusal whose authorization URL carries the token it refuses.
            credential = self._first_credential(handler, body)
            return self._send(handler, 403, "application/json",
                              {"message": "Resource protected by organization SAML enforcement. " + echo,
                               "documentation_url": "https://docs.github.com/rest"},
                              {"X-GitHub-SSO": "required; url=https://github.com/orgs/%s/sso?authorization_request="
                                               "%s" % (GH_ORG, credential)})
        if mode == "text":
            credential = self._first_credential(handler, body)
            # 20 characters of the credential before the cut, the rest after it.
            text = "rejected: " + "." * (280 - len("rejected: ")) + credential + " " + echo
            return self._send(handler, 400, "text/plain", text)
        if rest.endswith("/oauth2/v2.0/token"):
            return self._send(handler, 401, "application/json",
                              {"error": "invalid_client", "error_description": "AADSTS7000215: " + echo})
        if rest.startswith("/api/"):
            return self._send(handler, 400, "application/json", {"errors": [echo]})
        return self._send(handler, 400, "application/json", {"code": "BadRequest", "message": echo})

    def _first_credential(self, handler, body):
        """The first credential of the request, as it was sent (a form value still encoded)."""
        for name in self.CREDENTIAL_HEADERS:
            if handler.headers.get(name):
                return handler.headers[name].split(" ")[-1]
        for pair in body.split("&"):
            if pair.startswith("client_secret="):
                return pair.split("=", 1)[1]
        return ""

    @staticmethod
    def _send(handler, status, content_type, payload, headers=None):
        data = (payload if isinstance(payload, str) else json.dumps(payload)).encode("utf-8")
        handler.send_response(status)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


def failing_play(sandbox, echo, secrets_file):
    datadog, store = endpoints(sandbox)
    option_keys = {"api_key": "{{ dd_api_key }}", "app_key": "{{ dd_app_key }}"}
    option_secret = {"tenant_id": TENANT, "client_id": "option-client",
                     "client_secret": "{{ store_client_secret }}"}
    restricted = {"product_id": "9NBLGGH4R2R6", "sku_id": "0016"}
    dd_echo = dict(option_keys, product_codes=["apm_pro"], retries=0)
    tasks = [
        # The two injected 5xx come first: the faults fire on the next matching requests.
        ("Datadog 503", "datadog_seats_info", dict(product_codes=["apm_pro"], retries=0)),
        ("Store 500", "msstore_seat_info", dict(view="inventory", retries=0)),
        ("Datadog wrong api_key", "datadog_seats_info", dict(
            product_codes=["apm_pro"], api_key="{{ dd_wrong_api_key }}", app_key="{{ dd_app_key }}")),
        ("Datadog read-only key writes", "datadog_seats", dict(
            product_code="apm_pro", users=["chen.wei@example.com"],
            api_key="{{ dd_ro_api_key }}", app_key="{{ dd_ro_app_key }}")),
        ("Datadog unknown product", "datadog_seats", dict(
            option_keys, product_code="no_such_product", users=["ana.lima@example.com"])),
        ("Store wrong client_secret", "msstore_seat_info", dict(
            option_secret, view="inventory", client_secret="{{ store_wrong_secret }}")),
        ("Store wrong access_token", "msstore_seat_info", dict(
            view="inventory", access_token="{{ store_wrong_token }}")),
        ("Store client not activated", "msstore_seat_info", dict(
            view="inventory", client_id="idle-client", client_secret="{{ store_idle_secret }}")),
        ("Store unknown product", "msstore_seat", dict(
            product_id="9ZZZZZZZZZZZ", sku_id="0001", users=["alice@contoso.com"])),
        # APIs that echo the request in their errors.
        ("Datadog echo, JSON", "datadog_seats_info", dict(dd_echo, api_url=echo.url + "/json")),
        ("Datadog echo, text", "datadog_seats", dict(
            product_code="apm_pro", users=["ana.lima@example.com"], retries=0,
            api_url=echo.url + "/text")),
        ("Token endpoint echo, JSON", "msstore_seat_info", dict(
            option_secret, view="inventory", retries=0, auth_url=echo.url + "/json")),
        ("Token endpoint echo, text", "msstore_seat_info", dict(
            view="inventory", retries=0, auth_url=echo.url + "/text")),
        ("Store echo of the fetched token, JSON", "msstore_seat", dict(
            option_secret, users=["alice@contoso.com"], retries=0, auth_url=echo.url + "/ok",
            api_url=echo.url + "/json/V1", **restricted)),
        ("Store echo of the fetched token, text", "msstore_seat_info", dict(
            view="inventory", retries=0, auth_url=echo.url + "/ok", api_url=echo.url + "/text/V1")),
        ("Store echo of access_token, text", "msstore_seat_info", dict(
            view="users", users=["alice@contoso.com"], access_token="{{ store_wrong_token }}",
            retries=0, api_url=echo.url + "/text/V1")),
    ]
    return [{
        "name": "Runs that fail, each in its own way",
        "hosts": "localhost", "gather_facts": False,
        "vars_files": [secrets_file],
        "module_defaults": {"group/seatops.seats.datadog": datadog,
                            "group/seatops.seats.msstore": store},
        "tasks": [{"name": name, "seatops.seats." + module: args, "ignore_errors": True}
                  for name, module, args in tasks],
    }]


def test_failures_and_echoing_apis_leak_no_secret(fresh, run_playbook, workspace):
    secrets_file = workspace.secrets_file({
        "dd_api_key": DD_OPTION_API, "dd_app_key": DD_OPTION_APP, "dd_wrong_api_key": DD_WRONG_API,
        "dd_ro_api_key": DD_RO_API, "dd_ro_app_key": DD_RO_APP,
        "store_client_secret": STORE_OPTION_SECRET, "store_wrong_secret": STORE_WRONG_SECRET,
        "store_wrong_token": STORE_WRONG_TOKEN, "store_idle_secret": STORE_IDLE_SECRET})
    fresh.faults([
        {"method": "GET", "path": "/api/v2/seats/users", "status": 503, "count": 1},
        {"method": "GET", "path": "/V1/Inventory", "status": 500, "count": 1},
    ])
    before = fresh.state()
    with EchoApi() as echo:
        run = workspace.run(run_playbook, "failures", failing_play(fresh, echo, secrets_file),
                            check=False, env=ENV_CREDENTIALS)
    assert run.rc == 0, run.output[-4000:]
    assert "Traceback" not in run.output
    failed = dict((entry["task"], entry["result"]["msg"]) for entry in run.results
                  if entry["status"] == "ignored")
    assert len(failed) == 16, sorted(set(entry["task"] for entry in run.results) - set(failed))
    expected = {
        "Datadog 503": "HTTP 503",
        "Store 500": "HTTP 500",
        "Datadog wrong api_key": "HTTP 403",
        "Datadog read-only key writes": "billing_edit",
        "Datadog unknown product": "no_such_product",
        "Store wrong client_secret": "wrong client_secret",
        "Store wrong access_token": "rejected access_token",
        "Store client not activated": "not activated as a management tool",
        "Store unknown product": "not in the Store for Business inventory",
        # The echo reached each message; the credentials in it did not.
        "Datadog echo, JSON": "DD-API-KEY: ********; DD-APPLICATION-KEY: ********",
        "Datadog echo, text": "rejected: ...",
        "Token endpoint echo, JSON": "client_secret=********&",
        "Token endpoint echo, text": "rejected: ...",
        "Store echo of the fetched token, JSON": "Authorization: Bearer ********",
        "Store echo of the fetched token, text": "...******** request was",
        "Store echo of access_token, text": "...******** request was",
    }
    for task, words in expected.items():
        assert words in failed[task], (task, failed[task])
    assert len(echo.seen) >= 7
    # Nothing failed half-way into a write.
    assert fresh.state() == before

    workspace.sweep(all_secrets(fresh))


# -- GitHub Copilot: the token as option and from GITHUB_TOKEN -------------------------------

def github_play(sandbox, secrets_file, journal):
    option = {"token": "{{ gh_token }}"}
    tasks = [
        ("github_copilot_seats, token as option", "github_copilot_seats", dict(
            option, organization=GH_ORG, users=["mona", "newbie", "zed"], journal=journal)),
        ("github_copilot_seats, token from the environment", "github_copilot_seats", dict(
            organization=GH_ORG, users=["mona", "newbie", "zed"], exclusive=True, max_reclaims=1, journal=journal)),
        ("github_copilot_seats, state absent", "github_copilot_seats", dict(
            organization=GH_ORG, users=["mona", "tina"], state="absent", team_granted_users="warn",
            confirm_reclaim_all=True, journal=journal)),
        ("github_copilot_seats_info, token as option", "github_copilot_seats_info", dict(
            option, organizations=[GH_ORG], inactive_days=30)),
        ("github_copilot_seats_info, token from the environment", "github_copilot_seats_info", dict(
            organizations=[GH_ORG], users=["mona", "hubot"])),
    ]
    return [{
        "name": "The GitHub modules with the token as option and from the environment",
        "hosts": "localhost", "gather_facts": False,
        "vars_files": [secrets_file],
        "module_defaults": {"group/seatops.seats.github": {"api_url": sandbox.url}},
        "tasks": [{"name": name, "seatops.seats." + module: args} for name, module, args in tasks],
    }]


def test_github_leaks_no_secret_in_check_and_apply(fresh, run_playbook, workspace):
    secrets_file = workspace.secrets_file({"gh_token": GH_OPTION_TOKEN})
    journal = workspace.path("github-journal.jsonl")
    play = github_play(fresh, secrets_file, journal)
    env = dict(ENV_CREDENTIALS, GITHUB_TOKEN=GH_ENV_TOKEN)

    check = workspace.run(run_playbook, "github-check", play, check=True, env=env)
    assert check.rc == 0, check.output[-4000:]
    assert len(check.results) == 5 and all(entry["status"] == "ok" for entry in check.results)
    assert not os.path.exists(journal), "check mode wrote a journal"
    assert check.result("github_copilot_seats, token as option")["changed"] is True

    apply = workspace.run(run_playbook, "github-apply", play, check=False, env=env)
    assert apply.rc == 0, apply.output[-4000:]
    assert sorted(apply.result("github_copilot_seats, token as option")["assigned"]) == ["newbie", "zed"]
    assert apply.result("github_copilot_seats, token from the environment")["reclaimed"] == ["hubot"]
    assert apply.result("github_copilot_seats, state absent")["reclaimed"] == ["mona"]
    with open(journal) as handle:
        assert len(handle.read().splitlines()) >= 3
    assert apply.result("github_copilot_seats, token as option")["invocation"]["module_args"]["token"] == \
        "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"

    items, files = workspace.sweep(all_secrets(fresh))
    assert items > 8 and files >= 3


def github_failing_play(sandbox, echo, secrets_file):
    tasks = [
        ("GitHub wrong token (401)", "github_copilot_seats_info", dict(
            organizations=[GH_ORG], token="{{ gh_wrong_token }}")),
        ("GitHub token not authorized for SAML SSO (403)", "github_copilot_seats", dict(
            organization=GH_ORG, users=["mona"], token="{{ gh_sso_token }}")),
        ("GitHub 503 after retries", "github_copilot_seats", dict(
            organization=GH_ORG, users=["mona"], retries=0)),
        ("GitHub unknown organization (404)", "github_copilot_seats_info", dict(
            organizations=["no-such-org"], token="{{ gh_token }}")),
        ("GitHub echo of the token in a 401", "github_copilot_seats", dict(
            organization=GH_ORG, users=["mona"], token="{{ gh_token }}", retries=0, api_url=echo.url + "/gh401")),
        ("GitHub echo of the environment token in a 401", "github_copilot_seats_info", dict(
            organizations=[GH_ORG], retries=0, api_url=echo.url + "/gh401")),
        ("GitHub echo of the token in an SSO 403", "github_copilot_seats", dict(
            organization=GH_ORG, users=["mona"], token="{{ gh_token }}", retries=0, api_url=echo.url + "/ghsso")),
        ("GitHub echo, text cut at 300 characters", "github_copilot_seats_info", dict(
            organizations=[GH_ORG], token="{{ gh_token }}", retries=0, api_url=echo.url + "/text")),
    ]
    return [{
        "name": "GitHub runs that fail, each in its own way",
        "hosts": "localhost", "gather_facts": False,
        "vars_files": [secrets_file],
        "module_defaults": {"group/seatops.seats.github": {"api_url": sandbox.url}},
        "tasks": [{"name": name, "seatops.seats." + module: args, "ignore_errors": True}
                  for name, module, args in tasks],
    }]


def test_github_failures_and_echoing_apis_leak_no_secret(fresh, run_playbook, workspace):
    secrets_file = workspace.secrets_file({"gh_token": GH_OPTION_TOKEN, "gh_wrong_token": GH_WRONG_TOKEN,
                                           "gh_sso_token": GH_SSO_TOKEN})
    # The one injected 503 answers the third task's first call (each task before reads E1 once).
    fresh.faults([{"method": "GET", "path": "/orgs/{org}/copilot/billing", "status": 503, "after": 2, "count": 1}])
    before = fresh.state()
    env = dict(ENV_CREDENTIALS, GITHUB_TOKEN=GH_ENV_TOKEN)
    with EchoApi() as echo:
        run = workspace.run(run_playbook, "github-failures", github_failing_play(fresh, echo, secrets_file),
                            check=False, env=env)
    assert run.rc == 0, run.output[-4000:]
    assert "Traceback" not in run.output
    failed = dict((entry["task"], entry["result"]["msg"]) for entry in run.results if entry["status"] == "ignored")
    assert len(failed) == 8, sorted(set(entry["task"] for entry in run.results) - set(failed))
    expected = {
        "GitHub wrong token (401)": "HTTP 401",
        "GitHub token not authorized for SAML SSO (403)": "SAML single sign-on",
        "GitHub 503 after retries": "HTTP 503",
        "GitHub unknown organization (404)": "HTTP 404",
        # The echo reached each message; the token in it did not.
        "GitHub echo of the token in a 401": "Authorization: Bearer ********",
        "GitHub echo of the environment token in a 401": "Authorization: Bearer ********",
        "GitHub echo of the token in an SSO 403": "authorization_request=********",
        "GitHub echo, text cut at 300 characters": "rejected: ...",
    }
    for task, words in expected.items():
        assert words in failed[task], (task, failed[task])
    assert "https://github.com/orgs/%s/sso" % GH_ORG in failed["GitHub token not authorized for SAML SSO (403)"]
    assert len(echo.seen) >= 4
    # Nothing failed half-way into a write.
    assert fresh.state() == before

    workspace.sweep(all_secrets(fresh))


# -- ansible-runner: the engine AWX runs jobs with ------------------------------------------

def run_runner_job(fresh, tmp_path, envvars, extravars, suppress_env_files):
    """A reconcile audit (-vvvv, check+diff) through ansible-runner; returns its private
    data dir, its stdout and the path of artifacts/<ident>/command."""
    ansible_runner = pytest.importorskip("ansible_runner")
    from collection_layout import collections_root

    private = tmp_path / "runner"
    (private / "project").mkdir(parents=True)
    (private / "inventory").mkdir()
    (private / "inventory" / "hosts").write_text(
        "localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
    env = dict(envvars, ANSIBLE_COLLECTIONS_PATH=collections_root(), ANSIBLE_NOCOLOR="1",
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
               ANSIBLE_REMOTE_TMP=str(private / "remote-tmp"),
               ANSIBLE_LOCAL_TEMP=str(private / "local-tmp"))
    extravars = dict(extravars, seatops_datadog_api_url=fresh.url, seatops_msstore_api_url=fresh.store_url,
                     seatops_msstore_auth_url=fresh.url, report_dir=str(private / "reports"),
                     desired_state_file=os.path.join(FILES, "desired-state.yml"))
    job = ansible_runner.run(private_data_dir=str(private), playbook=os.path.join(PLAYBOOKS, "reconcile.yml"),
                             envvars=env, extravars=extravars, cmdline="--check --diff -vvvv",
                             quiet=True, suppress_env_files=suppress_env_files)
    stdout = job.stdout.read()
    assert job.status == "successful", stdout[-4000:]
    # The report (HTML, JSON) and the audit's saved plan.
    assert len(os.listdir(str(private / "reports"))) == 3
    command_files = []
    for directory, _dirs, files in os.walk(str(private / "artifacts")):
        if "command" in files:
            command_files.append(os.path.join(directory, "command"))
    assert len(command_files) == 1
    assert oct(os.stat(command_files[0]).st_mode & 0o777) == "0o600"
    return private, stdout, command_files[0]


def test_runner_job_leaks_no_secret_outside_the_runner_environment_dump(fresh, tmp_path):
    """Credentials only as the environment AWX credential types inject; -vvvv, check+diff.

    ansible-runner writes the job's whole environment into artifacts/<ident>/command (it
    cannot be turned off; AWX deletes the private data directory after the job). That is the
    one place the values may be, under the injected variable names only; the command line
    itself and every other file must hold none. (Credentials as extra variables avoid even
    that: the next test.)"""
    private, stdout, command_file = run_runner_job(fresh, tmp_path, ENV_CREDENTIALS, {}, suppress_env_files=True)
    secrets = all_secrets(fresh)
    evidence = Evidence()
    evidence.add("runner stdout", stdout)
    with open(command_file) as handle:
        command = json.load(handle)
    injected = set(ENV_CREDENTIALS)
    for name, value in command.pop("env").items():
        if name not in injected:
            evidence.add("runner artifacts/command: env %s" % name, value)
    evidence.add("runner artifacts/command: command line and cwd", json.dumps(command))
    files = evidence.add_tree("runner private data dir", str(private), skip={command_file})
    assert files > 10
    assert not os.path.exists(str(private / "env" / "envvars"))
    evidence.assert_clean(secrets)


def test_runner_job_with_credentials_as_extra_vars_leaves_no_secret_in_any_artifact(fresh, tmp_path):
    """The playbooks also take credentials as extra variables (seatops_datadog_api_key ...).
    ansible-runner keeps extra variables in env/extravars, the job's input, and passes that
    file by path; then no artifact at all, artifacts/<ident>/command included, holds a secret."""
    extravars = {"seatops_datadog_api_key": DD_ENV_API, "seatops_datadog_app_key": DD_ENV_APP,
                 "seatops_msstore_tenant_id": TENANT, "seatops_msstore_client_id": "env-client",
                 "seatops_msstore_client_secret": STORE_ENV_SECRET}
    private, stdout, command_file = run_runner_job(fresh, tmp_path, {}, extravars, suppress_env_files=False)
    with open(command_file) as handle:
        command = json.load(handle)
    assert "@" + str(private / "env" / "extravars") in command["command"], command["command"]
    assert not any(name in command["env"] for name in ENV_CREDENTIALS), "credentials came from the environment"
    evidence = Evidence()
    evidence.add("runner stdout", stdout)
    files = evidence.add_tree("runner private data dir", str(private), skip={str(private / "env")})
    assert files > 10
    evidence.assert_clean(all_secrets(fresh))
