# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""github_copilot_seats and github_copilot_seats_info run by real ansible-playbook against
the sandbox (contract: ../shared/specs/github-copilot-seats-api.md).

The modules talk to the sandbox through :class:`Recorder`, a small forwarding proxy in the
test process that keeps every request's method, path, query, headers and JSON body, because
the sandbox's own request log has no bodies: it is what proves which logins an E4/E5 body
named (and which it never named). ``/_sandbox/state`` proves the seats after each run.

Times are real: the Copilot clock follows real time and the seed's dates are relative to
now, because grace_days and reclaim_inactive_days measure from the module's clock.

Helpers here are imported by test_github_copilot_switches.py and
test_github_copilot_limits.py.
"""

from __future__ import annotations

import datetime
import http.client
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

ORG = "Acme"                     # seeded as written; the module lower-cases it
MODULE = "seatops.seats.github_copilot_seats"
INFO = "seatops.seats.github_copilot_seats_info"
TOKEN = "ghp_integrationOwnerToken0aB3cD"          # classic, manage_billing:copilot + read:org
TOKENS = {
    "owner": {"token": TOKEN, "kind": "classic", "scopes": ["manage_billing:copilot", "read:org"],
              "user": "octo"},
    "other": {"token": "ghp_integrationOtherToken9zY8x", "kind": "classic",
              "scopes": ["manage_billing:copilot", "read:org"], "user": "octo"},
    "no_scope": {"token": "ghp_integrationNoScopeToken7wV", "kind": "classic", "scopes": ["repo"],
                 "user": "octo"},
    "fg_none": {"token": "github_pat_integrationFineGrained5uT", "kind": "fine_grained",
                "permissions": {"members": "read"}, "user": "octo"},
    "sso": {"token": "ghp_integrationSsoToken3sR2q", "kind": "classic",
            "scopes": ["manage_billing:copilot", "read:org"], "user": "octo", "sso_authorized": False},
    "billing_only": {"token": "ghp_integrationBillingOnly6mN", "kind": "classic",
                     "scopes": ["manage_billing:copilot"], "user": "octo"},
}
BAD_TOKEN = "ghp_integrationRevokedToken1pO"
ALL_SECRETS = [entry["token"] for entry in TOKENS.values()] + [BAD_TOKEN]

E1 = "GET /orgs/{org}/copilot/billing"
E2 = "GET /orgs/{org}/copilot/billing/seats"
E4 = "POST /orgs/{org}/copilot/billing/selected_users"
E5 = "DELETE /orgs/{org}/copilot/billing/selected_users"
MEMBERSHIP = "GET /orgs/{org}/memberships/{username}"

NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def ago(days):
    return (NOW - datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def next_cycle_start(now=NOW):
    """The first day of the next billing cycle (cycle_day 1): where E5 puts a pending date."""
    first = now.date().replace(day=1)
    return (first.replace(year=first.year + 1, month=1) if first.month == 12
            else first.replace(month=first.month + 1)).isoformat()


PENDING_DATE = next_cycle_start()


def seed(seats=None, members=None, teams=None, org_changes=None, extra_orgs=()):
    """The GitHub world of these tests (plus nothing else: other platforms are empty).

    Holders: mona (active), Zed (capital Z), lena (idle 90 days), kai (never active, seat
    60 days old), nia (seat 2 days old), bot (protected in tests), tina and tom (through the
    selected team platform), sam (through the enterprise team ent); hubot's seat is pending
    cancellation; one seat has no assignee. Members without a seat: pia, rex, ulf; newhire
    is invited."""
    default_seats = [
        {"login": "mona", "created_at": ago(200), "last_activity_at": ago(1),
         "last_activity_editor": "vscode/1.98.2/copilot/1.290.0", "last_authenticated_at": ago(1)},
        {"login": "Zed", "created_at": ago(150), "last_activity_at": ago(2)},
        {"login": "lena", "created_at": ago(300), "last_activity_at": ago(90),
         "last_activity_editor": "JetBrains-IC/241.14494.240/copilot-intellij/1.5.8.5775"},
        {"login": "kai", "created_at": ago(60)},
        {"login": "nia", "created_at": ago(2)},
        {"login": "bot", "created_at": ago(400), "last_activity_at": ago(100)},
        {"login": "hubot", "created_at": ago(120), "pending_cancellation_date": PENDING_DATE},
        {"orphan": True, "created_at": ago(30)},
        {"login": "tina", "team": "platform", "created_at": ago(100), "last_activity_at": ago(95)},
        {"login": "tom", "team": "platform", "created_at": ago(100), "last_activity_at": ago(3)},
        {"login": "sam", "team": "ent", "created_at": ago(100), "last_activity_at": ago(4)},
    ]
    org = {
        "login": ORG, "id": 4242,
        "owners": ["octo"],
        "members": members if members is not None else
        ["mona", "Zed", "lena", "kai", "nia", "bot", "hubot", "tina", "tom", "sam", "pia", "rex", "ulf"],
        "invitations": ["newhire"],
        "teams": teams if teams is not None else [
            {"slug": "platform", "name": "Platform", "id": 42, "members": ["tina", "tom"], "selected": True},
            {"slug": "ent", "name": "Enterprise crew", "id": 44, "members": ["sam"], "selected": True,
             "enterprise": True},
        ],
        "seats": default_seats if seats is None else seats,
    }
    org.update(org_changes or {})
    return {"github": {"tokens": list(TOKENS.values()), "orgs": [org] + list(extra_orgs)}}


# -- the recording proxy ---------------------------------------------------------------------

class Recorder(object):
    """A forwarding HTTP proxy on loopback that records every request it passes on.

    The ``Host`` header goes through unchanged, so the sandbox writes its ``Link`` URLs on
    the proxy's address and next pages come back through here too."""

    def __init__(self, target_url):
        parsed = urllib.parse.urlsplit(target_url)
        self.target = (parsed.hostname, parsed.port)
        self.calls = []
        self._lock = threading.Lock()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                split = urllib.parse.urlsplit(self.path)
                try:
                    decoded = json.loads(body) if body else None
                except ValueError:
                    decoded = body.decode("utf-8", "replace")
                headers = dict((key, value) for key, value in self.headers.items()
                               if key.lower() not in ("connection", "keep-alive", "proxy-connection"))
                call = {"method": self.command, "path": split.path,
                        "query": dict(urllib.parse.parse_qsl(split.query)),
                        "headers": dict((key.lower(), value) for key, value in self.headers.items()),
                        "body": decoded, "status": 0, "at": time.monotonic()}
                with recorder._lock:
                    recorder.calls.append(call)
                conn = http.client.HTTPConnection(*recorder.target, timeout=120)
                try:
                    conn.request(self.command, self.path, body=body or None, headers=headers)
                    resp = conn.getresponse()
                    payload = resp.read()
                    status, answer_headers = resp.status, resp.getheaders()
                except (OSError, http.client.HTTPException):
                    # No answer (a fault rule dropped it): the client gets none either.
                    self.close_connection = True
                    return
                finally:
                    conn.close()
                call["status"] = status
                self.send_response(status)
                for key, value in answer_headers:
                    if key.lower() not in ("connection", "transfer-encoding", "content-length",
                                           "date", "server"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def clear(self):
        with self._lock:
            self.calls = []

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def of(self, method, suffix=None):
        """Recorded calls of ``method`` whose path ends with ``suffix`` (any when None)."""
        return [call for call in self.calls if call["method"] == method
                and (suffix is None or call["path"].endswith(suffix))]

    def seat_writes(self, method):
        """The ``selected_usernames`` of every E4 (POST) or E5 (DELETE), in order."""
        return [call["body"]["selected_usernames"] for call in self.of(method, "/selected_users")]

    def seat_pages(self):
        return self.of("GET", "/copilot/billing/seats")

    def sent_logins(self, method):
        return [login for body in self.seat_writes(method) for login in body]


class GitHubWorld(object):
    """The sandbox (through the recorder) as one test sees it."""

    def __init__(self, sandbox, recorder, defaults):
        self.sandbox = sandbox
        self.recorder = recorder
        self.defaults = defaults
        self.url = recorder.url

    def reseed(self, data=None, **config):
        self.sandbox.seed(data if data is not None else seed())
        self.sandbox.faults([])
        self.sandbox.config(**dict(self.defaults, **config))
        self.clear()
        return self

    def clear(self):
        self.sandbox.clear_requests()
        self.recorder.clear()

    def config(self, **values):
        return self.sandbox.config(**values)

    def org(self):
        """The org in /_sandbox/state (keyed by its login as seeded)."""
        return self.sandbox.state()["github"]["orgs"][ORG]

    def seats(self):
        """``{login (lower-case) or None: seat}`` from /_sandbox/state (orphans under None)."""
        out = {}
        for seat in self.org()["seats"]:
            out[(seat["login"] or "").lower() or None] = seat
        return out

    def active(self):
        """Lower-case logins holding an active seat (direct or team), sorted."""
        return sorted(login for login, seat in self.seats().items()
                      if login and not seat["pending_cancellation_date"])

    def pending(self):
        return sorted(login for login, seat in self.seats().items()
                      if login and seat["pending_cancellation_date"])

    def counts(self):
        return self.sandbox.requests()["counts"]

    def writes(self):
        counts = self.counts()
        return counts.get(E4, 0), counts.get(E5, 0)

    def methods(self):
        """The set of methods the module sent (sandbox log: proves nothing but GET)."""
        return sorted(set(entry["method"] for entry in self.sandbox.requests()["entries"]))

    def events(self, action=None):
        return [event for event in self.org()["events"] if action is None or event["action"] == action]


@pytest.fixture(scope="module")
def recorder(sandbox):
    proxy = Recorder(sandbox.url)
    yield proxy
    proxy.stop()


@pytest.fixture(scope="module")
def config_defaults(sandbox):
    """The sandbox's own defaults, taken before any test changes them."""
    return dict((key, value) for key, value in sandbox.config().items() if key.startswith("github_"))


@pytest.fixture
def gh(sandbox, recorder, config_defaults):
    return GitHubWorld(sandbox, recorder, config_defaults).reseed()


# -- playbooks ------------------------------------------------------------------------------

def play(world, tasks, api_url=None, token_in_defaults=None):
    """One play; every task registered and ignore_errors (a failure is asserted, not fatal);
    a last task shows them all (callbacks never see ``failed``). The token comes from the
    environment (GITHUB_TOKEN), as AWX injects it: never written into the playbook."""
    defaults = {"api_url": api_url or world.url}
    if token_in_defaults:
        defaults["token"] = token_in_defaults
    shown = {}
    out = []
    for index, task in enumerate(tasks):
        task = dict(task)
        task["register"] = "r_%d" % index
        task.setdefault("ignore_errors", True)
        shown[task["name"]] = "{{ r_%d }}" % index
        out.append(task)
    out.append({"name": "registered", "ansible.builtin.debug": {"msg": shown}})
    return [{"name": "github copilot seats", "hosts": "localhost", "gather_facts": False,
             "module_defaults": {"group/seatops.seats.github": defaults}, "tasks": out}]


def seats_task(name, check_mode=None, diff=None, **options):
    options.setdefault("organization", "acme")
    task = {"name": name, MODULE: options}
    if check_mode is not None:
        task["check_mode"] = check_mode
    if diff is not None:
        task["diff"] = diff
    return task


def info_task(name, **options):
    options.setdefault("organizations", ["acme"])
    return {"name": name, INFO: options}


def run(world, run_playbook, tasks, env=None, api_url=None, **kwargs):
    full_env = {"GITHUB_TOKEN": TOKEN}
    full_env.update(env or {})
    result = run_playbook(play(world, tasks, api_url=api_url), env=full_env, **kwargs)
    assert result.rc == 0, result.output[-4000:]
    return result


def registered(run_result, name):
    return run_result.result("registered")["msg"][name]


def ok(run_result, name):
    entry = registered(run_result, name)
    assert not entry.get("failed"), "%s failed: %s" % (name, entry.get("msg"))
    return entry


def failed(run_result, name):
    entry = registered(run_result, name)
    assert entry.get("failed") is True, "%s did not fail: %s" % (name, json.dumps(entry)[:2000])
    return entry


def assert_no_secret(run_result):
    text = run_result.output + json.dumps(run_result.results)
    for secret in ALL_SECRETS:
        assert secret not in text


def logins(items, key="user"):
    return sorted(item[key] for item in items)


# -- assign, reclaim, exclusive, check mode, diff, idempotence -------------------------------

SYNC = dict(users=["mona", "ZED", "Pia", "hubot", "tina"], exclusive=True, protected=["bot"],
            max_reclaims=2, grace_days=7)


def test_exclusive_sync_check_mode_predicts_apply_then_rerun_is_idempotent(gh, run_playbook):
    preview = run(gh, run_playbook, [seats_task("sync", **SYNC)], check=True, diff=True)
    predicted = ok(preview, "sync")
    # Check mode: reads only (E1, every E2 page, memberships of the two non-holders).
    assert gh.methods() == ["GET"]
    assert gh.writes() == (0, 0)
    assert sorted(call["path"].rsplit("/", 1)[-1] for call in gh.recorder.of("GET", None)
                  if "/memberships/" in call["path"]) == ["hubot", "pia"]
    assert predicted["changed"] is True
    assert sorted(predicted["assigned"], key=str.lower) == ["hubot", "Pia"]
    assert predicted["reclaimed"] == ["kai", "lena"]
    assert predicted["unchanged"] == 3
    assert predicted["kept_in_grace"] == [{"user": "nia", "assigned_at": ago(2)}]
    assert logins(predicted["kept_seats"]) == ["sam", "tom"]
    assert [item["reason"] for item in sorted(predicted["kept_seats"], key=lambda i: i["user"])] == [
        "granted through team ent: remove the person from that team (or deselect the team) to reclaim it",
        "granted through team platform: remove the person from that team (or deselect the team) to reclaim it"]
    assert predicted["holders_count"] == 9
    assert predicted["orphan_seats"] == 1
    assert predicted["pending_cancellation"] == []
    assert predicted["seat_management_setting"] == "assign_selected"
    assert predicted["organization"] == "acme"
    assert predicted["diff"]["before"]["holders"] == sorted(
        ["mona", "Zed", "lena", "kai", "nia", "bot", "tina", "tom", "sam"])
    assert sorted(predicted["diff"]["after"]["holders"], key=str.lower) == sorted(
        ["mona", "Zed", "nia", "bot", "tina", "tom", "sam", "Pia", "hubot"], key=str.lower)
    assert gh.active() == ["bot", "kai", "lena", "mona", "nia", "sam", "tina", "tom", "zed"]
    # Diff mode also returns every holder's last use as read (kai and nia never used theirs).
    assert predicted["last_activity"] == [
        {"user": login, "last_activity_at": last} for login, last in (
            ("bot", ago(100)), ("kai", None), ("lena", ago(90)), ("mona", ago(1)), ("nia", None),
            ("sam", ago(4)), ("tina", ago(95)), ("tom", ago(3)), ("Zed", ago(2)))]

    gh.clear()
    applied = run(gh, run_playbook, [seats_task("sync", **SYNC)], diff=True)
    done = ok(applied, "sync")
    for key in ("changed", "assigned", "reclaimed", "unchanged", "kept_in_grace", "kept_seats",
                "holders_count", "orphan_seats", "skipped_users", "failed_users"):
        assert done[key] == predicted[key], key
    assert done["diff"] == predicted["diff"]
    # Reclaims go first, one E5 then one E4; logins sent as written (Pia), never the kept ones.
    writes = [(call["method"], call["body"]["selected_usernames"])
              for call in gh.recorder.of("POST", "/selected_users") + gh.recorder.of("DELETE", "/selected_users")]
    order = [call["method"] for call in gh.recorder.calls if call["path"].endswith("/selected_users")]
    assert order == ["DELETE", "POST"]
    assert sorted((method, sorted(body, key=str.lower)) for method, body in writes) == [
        ("DELETE", ["kai", "lena"]), ("POST", ["hubot", "Pia"])]
    assert gh.active() == ["bot", "hubot", "mona", "nia", "pia", "sam", "tina", "tom", "zed"]
    assert gh.pending() == ["kai", "lena"]
    assert gh.seats()["kai"]["pending_cancellation_date"] == PENDING_DATE
    assert [event["login"] for event in gh.events("cfb_seat_assignment_refreshed")] == ["hubot"]
    # The orphan seat is untouched, the team seats too.
    assert gh.seats()[None]["pending_cancellation_date"] is None
    assert gh.seats()["tom"]["team"] == "platform" and gh.seats()["sam"]["team"] == "ent"
    assert done["api_calls"][E4] == 1 and done["api_calls"][E5] == 1
    # api_calls is exactly what the sandbox logged, per endpoint template.
    assert dict((key, value) for key, value in done["api_calls"].items() if key != "total") == gh.counts()
    assert done["api_calls"]["total"] == sum(gh.counts().values()) == 6     # E1, E2, 2 memberships, E5, E4

    gh.clear()
    again = run(gh, run_playbook, [seats_task("sync", **SYNC)])
    rerun = ok(again, "sync")
    assert "last_activity" not in rerun      # not in diff mode: a plain run stays small
    assert rerun["changed"] is False
    assert rerun["assigned"] == [] and rerun["reclaimed"] == []
    assert gh.writes() == (0, 0)
    assert rerun["unchanged"] == 5
    assert rerun["pending_cancellation"] == [
        {"user": "kai", "pending_cancellation_date": PENDING_DATE},
        {"user": "lena", "pending_cancellation_date": PENDING_DATE}]
    # Every holder is in users, so no membership read either.
    assert MEMBERSHIP not in gh.counts()


def test_additive_assign_case_insensitive_and_state_absent(gh, run_playbook):
    result = run(gh, run_playbook, [
        seats_task("holder in another case", users=["ZED", "MoNa"]),
        seats_task("assign as written", users=["Rex", "zed"]),
        seats_task("reclaim", state="absent", users=["MONA", "pia", "hubot", "Zed"]),
        seats_task("reclaim again", state="absent", users=["MONA", "zed"]),
    ])
    same = ok(result, "holder in another case")
    assert same["changed"] is False and same["unchanged"] == 2 and same["assigned"] == []
    added = ok(result, "assign as written")
    assert added["changed"] is True and added["assigned"] == ["Rex"] and added["unchanged"] == 1
    gone = ok(result, "reclaim")
    # E5 names the holders as GitHub wrote them; pia (no seat) and hubot (pending) need nothing.
    assert sorted(gone["reclaimed"]) == ["Zed", "mona"]
    assert gone["unchanged"] == 2
    assert gone["pending_cancellation"] == [{"user": "hubot", "pending_cancellation_date": PENDING_DATE}]
    again = ok(result, "reclaim again")
    assert again["changed"] is False and again["reclaimed"] == []
    assert logins(again["pending_cancellation"]) == ["Zed", "hubot", "mona"]
    # Exactly one E4 (Rex as written) and one E5 (mona and Zed) in the whole run.
    assert gh.recorder.seat_writes("POST") == [["Rex"]]
    assert [sorted(body) for body in gh.recorder.seat_writes("DELETE")] == [["Zed", "mona"]]
    assert "rex" in gh.active() and "mona" in gh.pending() and "zed" in gh.pending()
    assert gh.seats()["hubot"]["pending_cancellation_date"] == PENDING_DATE
    assert [event["login"] for event in gh.events("cfb_seat_assignment_created")] == ["rex"]


OUTSIDER_ORG = {"login": "elsewhere", "owners": ["octo"], "members": ["stranger"]}


@pytest.mark.parametrize("non_member", ["reject", "skip"])
def test_non_member_unknown_login_and_invitee_are_never_sent(gh, run_playbook, non_member):
    gh.reseed(seed(extra_orgs=[OUTSIDER_ORG]), github_non_member=non_member)
    users = ["rex", "stranger", "ghost-login", "NewHire"]
    result = run(gh, run_playbook, [
        seats_task("fail", users=users),
        seats_task("fail in check mode", users=users, check_mode=True),
        seats_task("warn", users=users, unknown_users="warn"),
        seats_task("ignore", users=users + ["ulf"], unknown_users="ignore"),
    ])
    refused = failed(result, "fail")
    assert refused["msg"].startswith("unknown users (nothing was changed")
    for name in ("stranger", "ghost-login", "NewHire"):
        assert name in refused["msg"]
    assert "has not yet accepted the invitation" in refused["msg"]
    assert refused["assigned"] == [] and refused["changed"] is False
    failed(result, "fail in check mode")
    warned = ok(result, "warn")
    assert warned["assigned"] == ["rex"]
    assert logins(warned["skipped_users"]) == ["NewHire", "ghost-login", "stranger"]
    reasons = dict((item["user"], item["reason"]) for item in warned["skipped_users"])
    assert reasons["NewHire"].startswith("has not yet accepted the invitation to organization acme")
    assert reasons["stranger"].startswith("is not a member of organization acme")
    assert len([w for w in warned["warnings"] if w.startswith("skipped ")]) == 3
    ignored = ok(result, "ignore")
    assert ignored["assigned"] == ["ulf"] and logins(ignored["skipped_users"]) == [
        "NewHire", "ghost-login", "stranger"]
    assert not [w for w in ignored.get("warnings", []) if w.startswith("skipped ")]
    # Only the members were ever sent, one E4 each, and every E4 succeeded.
    assert gh.recorder.seat_writes("POST") == [["rex"], ["ulf"]]
    assert [call["status"] for call in gh.recorder.of("POST", "/selected_users")] == [201, 201]
    assert "newhire" not in gh.seats() and "stranger" not in gh.seats()


def test_pending_cancellation_seat_absent_needs_nothing_present_revokes(gh, run_playbook):
    result = run(gh, run_playbook, [
        seats_task("absent", state="absent", users=["HUBOT"]),
        info_task("info before", users=["hubot"]),
        seats_task("present", users=["hubot"], check_mode=True),
    ])
    absent = ok(result, "absent")
    assert absent["changed"] is False and absent["reclaimed"] == [] and absent["unchanged"] == 1
    assert absent["pending_cancellation"] == [{"user": "hubot", "pending_cancellation_date": PENDING_DATE}]
    before = ok(result, "info before")
    assert before["not_holding"] == ["hubot"]
    [seat] = before["organizations"]["acme"]["seats"]
    assert seat["state"] == "pending_cancellation" and seat["pending_cancellation_date"] == PENDING_DATE
    predicted = ok(result, "present")
    assert predicted["changed"] is True and predicted["assigned"] == ["hubot"]
    assert gh.writes() == (0, 0)
    applied = run(gh, run_playbook, [seats_task("present", users=["hubot"])])
    assert ok(applied, "present")["assigned"] == ["hubot"]
    assert gh.recorder.seat_writes("POST") == [["hubot"]]
    assert gh.seats()["hubot"]["pending_cancellation_date"] is None
    assert [event["action"] for event in gh.events() if event["login"] == "hubot"] == [
        "cfb_seat_assignment_refreshed"]


def test_team_granted_seats_absent_fails_or_warns_and_are_never_sent(gh, run_playbook):
    result = run(gh, run_playbook, [
        seats_task("fail", state="absent", users=["tina", "mona"]),
        seats_task("fail check", state="absent", users=["Sam"], check_mode=True),
        seats_task("warn", state="absent", users=["tina", "mona"], team_granted_users="warn"),
    ])
    refused = failed(result, "fail")
    assert "cannot reclaim seats granted through a team" in refused["msg"]
    assert "tina: granted through team platform" in refused["msg"]
    assert refused["reclaimed"] == []
    assert "Sam: granted through team ent" in failed(result, "fail check")["msg"]
    warned = ok(result, "warn")
    assert warned["reclaimed"] == ["mona"]
    assert warned["skipped_users"] == [{"user": "tina", "reason": "granted through team platform: remove the "
                                        "person from that team (or deselect the team) to reclaim it"}]
    assert any("tina" in w and "platform" in w for w in warned["warnings"])
    assert gh.recorder.seat_writes("DELETE") == [["mona"]]
    assert gh.seats()["tina"]["pending_cancellation_date"] is None
    assert gh.pending() == ["hubot", "mona"]


@pytest.mark.parametrize("setting", [
    {"seat_management_setting": "assign_all"},
    {"seat_management_setting": "unconfigured"},
    {"seat_management_setting": "disabled"},
    {"public_code_suggestions": "unconfigured"},
])
def test_org_settings_github_would_reject_fail_before_any_write(gh, run_playbook, setting):
    gh.sandbox.github_org(ORG, **setting)
    result = run(gh, run_playbook, [
        seats_task("check", users=["rex"], check_mode=True),
        seats_task("apply", users=["rex"]),
        seats_task("reclaim", users=["mona"], state="absent"),
        seats_task("nothing to do", users=["mona", "zed"]),
        info_task("info"),
    ])
    for name in ("check", "apply", "reclaim"):
        refused = failed(result, name)
        assert "GitHub would reject these changes" in refused["msg"], refused["msg"]
        assert "Nothing was changed" in refused["msg"]
        assert refused["assigned"] == [] and refused["reclaimed"] == []
    value = list(setting.values())[0]
    if "seat_management_setting" in setting:
        assert "seat management set to %s" % value in failed(result, "apply")["msg"]
        assert failed(result, "apply")["seat_management_setting"] == value
    else:
        assert "no public code suggestions policy" in failed(result, "apply")["msg"]
    fine = ok(result, "nothing to do")
    assert fine["changed"] is False
    info = ok(result, "info")["organizations"]["acme"]
    assert info["writable"] is False
    assert gh.writes() == (0, 0)


def test_confirm_reclaim_all(gh, run_playbook):
    gh.reseed(seed(seats=[{"login": "mona", "created_at": ago(10)}, {"login": "Zed", "created_at": ago(10)}],
                   teams=[]))
    task = dict(users=[], exclusive=True, max_reclaims="100%")
    result = run(gh, run_playbook, [
        seats_task("refused check", check_mode=True, **task),
        seats_task("refused", **task),
        seats_task("confirmed check", check_mode=True, confirm_reclaim_all=True, **task),
    ])
    for name in ("refused check", "refused"):
        refused = failed(result, name)
        assert "Refusing to reclaim every Copilot seat of acme (2)" in refused["msg"]
        assert "confirm_reclaim_all=true" in refused["msg"]
    assert sorted(ok(result, "confirmed check")["reclaimed"]) == ["Zed", "mona"]
    assert gh.writes() == (0, 0)
    done = run(gh, run_playbook, [seats_task("confirmed", confirm_reclaim_all=True, **task)])
    assert sorted(ok(done, "confirmed")["reclaimed"]) == ["Zed", "mona"]
    assert ok(done, "confirmed")["holders_count"] == 0
    assert gh.active() == [] and gh.pending() == ["mona", "zed"]


def test_guard_ceiling_and_journal(gh, run_playbook, tmp_path):
    journal = str(tmp_path / "copilot.jsonl")
    result = run(gh, run_playbook, [
        seats_task("guard", users=["mona", "zed"], exclusive=True),
        seats_task("ceiling", users=["rex", "pia"], max_holders=10),
        seats_task("ceiling fits", users=["rex"], max_holders=10, journal=journal),
        seats_task("reclaim journaled", users=["lena"], state="absent", journal=journal),
    ])
    guard = failed(result, "guard")
    # 9 holders; exclusive would reclaim lena, kai, nia, bot (tina, tom, sam are team seats).
    assert guard["msg"].startswith("Refusing to reclaim 4 of 9 seats of acme: "
                                   "max_reclaims is 10% (1 seats)")
    ceiling = failed(result, "ceiling")
    assert "Refusing to end with 11 holders of acme: max_holders is 10" in ceiling["msg"]
    assert ceiling["holders_count"] == 9
    assert ok(result, "ceiling fits")["holders_count"] == 10
    assert ok(result, "reclaim journaled")["reclaimed"] == ["lena"]
    assert gh.recorder.seat_writes("POST") == [["rex"]]
    assert gh.recorder.seat_writes("DELETE") == [["lena"]]
    lines = [json.loads(line) for line in open(journal).read().splitlines()]
    summary = [(line["action"], line["outcome"], line.get("user") or line.get("users")) for line in lines]
    assert summary == [("assign", "pending", ["rex"]), ("assign", "ok", "rex"),
                       ("reclaim", "pending", ["lena"]), ("reclaim", "ok", "lena")]
    assert set(line["platform"] for line in lines) == {"github"}
    assert set(line["product"] for line in lines) == {"acme"}


# -- idle seats ------------------------------------------------------------------------------

def test_reclaim_inactive_days_and_info_inactive_days(gh, run_playbook):
    idle = dict(reclaim_inactive_days=30, protected=["bot"], max_reclaims=2)
    result = run(gh, run_playbook, [
        seats_task("idle check", check_mode=True, **idle),
        seats_task("idle named and in grace", check_mode=True, users=["lena"], grace_days=70, **idle),
        seats_task("idle guard", check_mode=True, reclaim_inactive_days=30, max_reclaims=1),
        info_task("audit", inactive_days=30),
    ])
    predicted = ok(result, "idle check")
    assert predicted["reclaimed"] == ["kai", "lena"]
    assert predicted["idle_reclaimed"] == [{"user": "kai", "last_activity_at": None},
                                           {"user": "lena", "last_activity_at": ago(90)}]
    # tina is idle too (95 days) but her seat is the team's: kept, named; bot is protected.
    assert predicted["kept_seats"] == [{"user": "tina", "reason": "granted through team platform: remove the "
                                        "person from that team (or deselect the team) to reclaim it"}]
    assert predicted["assigned"] == []
    named = ok(result, "idle named and in grace")
    assert named["reclaimed"] == [] and named["idle_reclaimed"] == []
    assert named["kept_in_grace"] == [{"user": "kai", "assigned_at": ago(60)}]
    assert named["changed"] is False
    guard = failed(result, "idle guard")
    assert "Refusing to reclaim 3 of 9 seats of acme" in guard["msg"]       # bot not protected here
    assert "All 3 are idle (reclaim_inactive_days)" in guard["msg"]
    audit = ok(result, "audit")["organizations"]["acme"]
    assert [entry["login"] for entry in audit["idle"]] == ["bot", "kai", "lena", "tina"]
    by_login = dict((entry["login"], entry) for entry in audit["idle"])
    assert by_login["lena"] == {"login": "lena", "last_activity_at": ago(90), "created_at": ago(300),
                                "last_activity_editor": "JetBrains-IC/241.14494.240/copilot-intellij/1.5.8.5775",
                                "team": None}
    assert by_login["kai"]["last_activity_at"] is None and by_login["kai"]["created_at"] == ago(60)
    assert by_login["tina"]["team"] == "platform"
    assert gh.methods() == ["GET"]

    gh.clear()
    applied = run(gh, run_playbook, [seats_task("idle", **idle)])
    done = ok(applied, "idle")
    assert done["reclaimed"] == ["kai", "lena"] and done["idle_reclaimed"] == predicted["idle_reclaimed"]
    assert gh.recorder.seat_writes("DELETE") == [["kai", "lena"]]
    assert gh.recorder.seat_writes("POST") == []
    assert gh.pending() == ["hubot", "kai", "lena"]
    assert gh.seats()["tina"]["pending_cancellation_date"] is None
    assert gh.seats()["bot"]["pending_cancellation_date"] is None


def test_info_lists_every_seat_state_and_users_filter(gh, run_playbook):
    result = run(gh, run_playbook, [
        info_task("all", max_holders={"acme": 8}),
        info_task("some", users=["MONA", "hubot", "tina", "ghost"]),
    ])
    everything = ok(result, "all")
    acme = everything["organizations"]["acme"]
    states = dict(((seat["login"] or "").lower() or None, seat["state"]) for seat in acme["seats"])
    assert states == {"mona": "direct", "zed": "direct", "lena": "direct", "kai": "direct", "nia": "direct",
                      "bot": "direct", "hubot": "pending_cancellation", None: "orphan", "tina": "team",
                      "tom": "team", "sam": "team"}
    assert acme["holders"] == 9 and acme["writable"] is True
    assert acme["seat_breakdown"]["total"] == 11 and acme["seat_breakdown"]["pending_cancellation"] == 1
    assert acme["settings"]["public_code_suggestions"] == "block"
    assert everything["ceilings"] == {"acme": {"holders": 9, "max_holders": 8, "above": 1}}
    mona = [seat for seat in acme["seats"] if seat["login"] == "mona"][0]
    assert mona["last_activity_editor"] == "vscode/1.98.2/copilot/1.290.0" and isinstance(mona["id"], int)
    some = ok(result, "some")
    assert sorted(seat["login"] for seat in some["organizations"]["acme"]["seats"]) == ["hubot", "mona", "tina"]
    assert some["not_holding"] == ["ghost", "hubot"]
    assert everything["api_calls"] == {E1: 1, E2: 1, "total": 2}
    assert gh.methods() == ["GET"]


# -- paging ----------------------------------------------------------------------------------

def crowd(count, **config):
    names = ["m%03d" % number for number in range(1, count + 1)]
    return seed(seats=[{"login": name, "created_at": ago(20)} for name in names], members=names,
                teams=[]), names


@pytest.mark.parametrize("count", [49, 50, 51, 100, 101])
def test_every_page_is_read(gh, run_playbook, count):
    data, names = crowd(count)
    gh.reseed(data)
    result = run(gh, run_playbook, [
        seats_task("all but one", check_mode=True, users=["m001"], exclusive=True, max_reclaims="100%"),
        info_task("info"),
    ])
    predicted = ok(result, "all but one")
    assert predicted["reclaimed"] == names[1:]
    assert predicted["unchanged"] == 1 and predicted["holders_count"] == 1
    pages = -(-count // 100)
    assert predicted["api_calls"][E2] == pages
    info = ok(result, "info")
    assert len(info["organizations"]["acme"]["seats"]) == count
    assert info["organizations"]["acme"]["holders"] == count
    calls = gh.recorder.seat_pages()
    assert len(calls) == 2 * pages
    assert all(call["query"]["per_page"] == "100" for call in calls)
    assert [call["query"].get("page", "1") for call in calls] == [str(n) for n in range(1, pages + 1)] * 2
    assert not [w for w in predicted.get("warnings", []) if "total_seats" in w]
    assert gh.methods() == ["GET"]


def test_canonical_link_paths_and_per_page_reject(gh, run_playbook):
    data, names = crowd(101)
    gh.reseed(data, github_link_path="canonical", github_per_page_over_max="reject")
    result = run(gh, run_playbook, [
        seats_task("all but one", check_mode=True, users=["m050"], exclusive=True, max_reclaims="100%"),
    ])
    assert len(ok(result, "all but one")["reclaimed"]) == 100
    # The next page is the one Link names, verbatim: GitHub's canonical path.
    assert [call["path"] for call in gh.recorder.seat_pages()] == [
        "/orgs/acme/copilot/billing/seats", "/organizations/4242/copilot/billing/seats"]
    assert gh.recorder.seat_pages()[1]["query"] == {"per_page": "100", "page": "2"}
    assert [call["status"] for call in gh.recorder.seat_pages()] == [200, 200]


def test_duplicates_saved_plan_digest_and_no_journal_in_check_mode(gh, run_playbook, tmp_path):
    journal = tmp_path / "check.jsonl"
    preview = run(gh, run_playbook, [seats_task("plan", users=["Rex", "rex", "REX", "mona"], check_mode=True,
                                                journal=str(journal))])
    planned = ok(preview, "plan")
    assert planned["assigned"] == ["Rex"] and planned["unchanged"] == 1
    assert not journal.exists()
    digest = planned["holders_digest"]
    result = run(gh, run_playbook, [
        seats_task("apply the plan", users=["Rex", "rex"], expect_holders_digest=digest),
        seats_task("stale plan", users=["pia"], expect_holders_digest=digest),
    ])
    assert ok(result, "apply the plan")["assigned"] == ["Rex"]
    stale = failed(result, "stale plan")
    assert "The holders of acme changed since the plan was made" in stale["msg"]
    assert stale["holders_digest"] != digest
    assert gh.recorder.seat_writes("POST") == [["Rex"]]


def test_settings_changed_between_read_and_write_stop_every_write(gh, run_playbook):
    """An owner switches the org to assign_all while the run checks memberships: the E4 is
    refused (422), the module reads E1 again, finds the setting changed and stops instead
    of splitting the batch login by login."""
    import threading

    gh.sandbox.faults([{"method": "GET", "path": "/orgs/{org}/memberships/{username}", "latency_ms": 2000}])
    stop = threading.Event()

    def flip_when_memberships_are_read():
        # The recorder notes a call before the sandbox answers it (2 s later).
        while not stop.is_set():
            if any("/memberships/" in call["path"] for call in gh.recorder.calls):
                gh.sandbox.github_org(ORG, seat_management_setting="assign_all")
                return
            time.sleep(0.02)

    flipper = threading.Thread(target=flip_when_memberships_are_read)
    flipper.start()
    try:
        result = run(gh, run_playbook, [seats_task("assign", users=["rex", "pia", "ulf"])])
    finally:
        stop.set()
        flipper.join()
    refused = failed(result, "assign")
    assert refused["assigned"] == []
    assert sorted(item["user"] for item in refused["failed_users"]) == ["pia", "rex", "ulf"]
    assert "has Copilot seat management set to assign_all" in refused["failed_users"][0]["reason"]
    assert "GitHub answered HTTP 422" in refused["failed_users"][0]["reason"]
    assert [len(body) for body in gh.recorder.seat_writes("POST")] == [3]        # no halves
    assert refused["api_calls"][E1] == 2
    assert not set(["rex", "pia", "ulf"]) & set(gh.seats())


def test_reclaims_go_100_a_call_a_second_apart(gh, run_playbook):
    data, names = crowd(150)
    gh.reseed(data)
    result = run(gh, run_playbook, [seats_task("keep one", users=["m150"], exclusive=True, max_reclaims="100%")])
    done = ok(result, "keep one")
    assert done["reclaimed"] == names[:-1]
    bodies = gh.recorder.seat_writes("DELETE")
    assert [len(body) for body in bodies] == [100, 49]
    assert sorted(login for body in bodies for login in body) == names[:-1]
    first, second = gh.recorder.of("DELETE", "/selected_users")
    assert second["at"] - first["at"] >= 1.0
    assert gh.active() == ["m150"] and len(gh.pending()) == 149
