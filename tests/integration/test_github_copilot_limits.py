# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""github_copilot_seats against GitHub's rate limits, server errors, tokens and base URLs
(../shared/specs/github-copilot-seats-api.md §2, §4, §6, §11.9)."""

from __future__ import annotations

import time

import pytest

from test_github_copilot_seats import (  # noqa: F401  pylint: disable=unused-import
    BAD_TOKEN, E1, E2, E4, E5, MEMBERSHIP, ORG, TOKEN, TOKENS, assert_no_secret, config_defaults,
    failed, gh, info_task, ok, recorder, run, seats_task)


def statuses(world, method, suffix):
    return [call["status"] for call in world.recorder.of(method, suffix)]


# -- secondary rate limit on writes (§6) -----------------------------------------------------

@pytest.mark.parametrize("answer, status", [("retry_after", 403), ("429_retry_after", 429)])
def test_secondary_limit_with_retry_after_is_waited_out(gh, run_playbook, answer, status):
    # One write per 3 s per token; the second write of the run is refused with retry-after 3.
    gh.reseed(github_secondary_limit=1, github_secondary_window=3, github_secondary_retry_after=3,
              github_secondary_answer=answer)
    started = time.monotonic()
    result = run(gh, run_playbook, [seats_task("swap", users=["mona", "zed", "rex"], exclusive=True,
                                               protected=["bot", "nia"], max_reclaims=2)])
    elapsed = time.monotonic() - started
    done = ok(result, "swap")
    assert done["reclaimed"] == ["kai", "lena"] and done["assigned"] == ["rex"]
    assert done["failed_users"] == []
    assert statuses(gh, "DELETE", "/selected_users") == [200]
    assert statuses(gh, "POST", "/selected_users") == [status, 201]
    refused = gh.recorder.of("POST", "/selected_users")[0]
    assert refused["body"] == {"selected_usernames": ["rex"]}
    assert done["api_calls"][E4] == 2 and done["api_calls"][E5] == 1
    # retry-after (3 s) was waited out between the refused E4 and its retry, and no more.
    first, second = gh.recorder.of("POST", "/selected_users")
    assert 3 <= second["at"] - first["at"] < 10
    assert elapsed < 60
    assert "rex" in gh.active() and gh.pending() == ["hubot", "kai", "lena"]


def test_secondary_limit_without_retry_after_waits_a_minute(gh, run_playbook):
    """No retry-after and requests left: GitHub's rule is to wait at least a minute (§6)."""
    gh.reseed(github_secondary_limit=1, github_secondary_window=50, github_secondary_answer="no_retry_after")
    started = time.monotonic()
    result = run(gh, run_playbook, [seats_task("swap", users=["mona", "zed", "rex"], exclusive=True,
                                               protected=["bot", "nia"], max_reclaims=2)])
    elapsed = time.monotonic() - started
    done = ok(result, "swap")
    assert done["assigned"] == ["rex"] and done["reclaimed"] == ["kai", "lena"]
    assert statuses(gh, "POST", "/selected_users") == [403, 201]
    refused = [entry for entry in gh.sandbox.requests()["entries"] if entry["status"] == 403]
    assert len(refused) == 1
    first, second = gh.recorder.of("POST", "/selected_users")
    assert 60 <= second["at"] - first["at"] < 90
    assert elapsed >= 60


def test_secondary_limit_without_any_header_is_still_a_rate_limit(gh, run_playbook):
    """A 403 with no rate-limit header at all, only the body's words (§6): recognised as the
    secondary limit (not a token that may not write), and with retries 0 it fails at once
    saying so; the re-read shows rex was not seated."""
    gh.reseed(github_secondary_limit=0, github_secondary_answer="no_headers")
    result = run(gh, run_playbook, [seats_task("assign", users=["rex"], retries=0)])
    refused = failed(result, "assign")
    [item] = refused["failed_users"]
    assert item["user"] == "rex"
    assert "secondary rate limit" in item["reason"]
    assert refused["assigned"] == []
    assert statuses(gh, "POST", "/selected_users") == [403]
    assert "rex" not in gh.seats()


# -- primary rate limit (§6) -----------------------------------------------------------------

@pytest.mark.parametrize("answer", ["403", "429"])
def test_primary_limit_exhausted_fails_clearly_after_retries(gh, run_playbook, answer):
    # Two requests an hour; every answer says the window resets in 3 s, so that the waits
    # (until the reset, §6) stay short. The budget is the sandbox's hour: it stays spent.
    gh.reseed(github_primary_limit=2, github_primary_answer=answer)
    gh.sandbox.faults([{"headers": {"x-ratelimit-reset": str(int(time.time()) + 3)}}])
    result = run(gh, run_playbook, [seats_task("assign", users=["rex"], retries=2)])
    refused = failed(result, "assign")
    assert refused["msg"].startswith("GitHub GET /orgs/{org}/memberships/{username} for organization acme "
                                     "failed (HTTP %s): API rate limit exceeded for user." % answer)
    assert refused["msg"].endswith("(checking that rex is a member, before any seat write: nothing was changed)")
    if answer == "403":
        assert "GitHub kept refusing (a rate limit after 3 attempt(s)" in refused["msg"]
    else:
        assert "GitHub kept rate-limiting after 3 attempt(s); run again later" in refused["msg"]
    assert refused["api_calls"] == {E1: 1, E2: 1, MEMBERSHIP: 3, "total": 5}
    assert statuses(gh, "GET", "/memberships/rex") == [int(answer)] * 3
    assert gh.writes() == (0, 0)


# -- server errors on writes: the re-read decides (§10.12) ------------------------------------

def test_injected_500_on_a_write_then_success(gh, run_playbook):
    gh.sandbox.faults([{"method": "POST", "path": "/orgs/{org}/copilot/billing/selected_users", "status": 500,
                        "count": 1}])
    result = run(gh, run_playbook, [seats_task("assign", users=["rex"])])
    done = ok(result, "assign")
    assert done["assigned"] == ["rex"]
    assert statuses(gh, "POST", "/selected_users") == [500, 201]
    assert done["api_calls"][E2] == 2          # retried: read again before reporting
    assert "rex" in gh.active()


def test_persistent_500_on_a_write_fails_as_the_reread_shows(gh, run_playbook):
    gh.sandbox.faults([{"method": "POST", "path": "/orgs/{org}/copilot/billing/selected_users", "status": 500}])
    result = run(gh, run_playbook, [seats_task("swap", users=["rex"], retries=1),
                                    seats_task("reclaim", state="absent", users=["lena"], retries=1)])
    refused = failed(result, "swap")
    assert refused["assigned"] == []
    assert refused["failed_users"] == [{"user": "rex", "reason": "HTTP 500: Internal Server Error (injected fault)"}]
    assert refused["api_calls"][E2] == 2
    assert statuses(gh, "POST", "/selected_users") == [500, 500]
    assert ok(result, "reclaim")["reclaimed"] == ["lena"]
    assert "rex" not in gh.seats()


def test_lost_answer_of_a_write_is_settled_by_the_reread(gh, run_playbook):
    # The E5 takes effect but its answer is lost; the retry finds lena already pending.
    gh.sandbox.faults([{"method": "DELETE", "path": "/orgs/{org}/copilot/billing/selected_users",
                        "drop_answer": True, "count": 1}])
    result = run(gh, run_playbook, [seats_task("reclaim", state="absent", users=["lena"])])
    done = ok(result, "reclaim")
    assert done["reclaimed"] == ["lena"] and done["failed_users"] == []
    assert done["api_calls"][E5] == 2 and done["api_calls"][E2] == 2
    assert gh.recorder.seat_writes("DELETE") == [["lena"], ["lena"]]
    assert statuses(gh, "DELETE", "/selected_users") == [0, 200]
    assert gh.pending() == ["hubot", "lena"]
    assert [event["action"] for event in gh.events() if event["login"] == "lena"] == [
        "cfb_seat_assignment_unassigned"]


# -- tokens and authorisation (§4) -----------------------------------------------------------

def test_auth_failures_are_explained(gh, run_playbook):
    tasks = [seats_task("bad token", users=["rex"]),
             seats_task("no scope", users=["rex"]),
             seats_task("fine-grained without permission", users=["rex"]),
             seats_task("sso", users=["rex"]),
             info_task("info bad token")]
    tokens = [BAD_TOKEN, TOKENS["no_scope"]["token"], TOKENS["fg_none"]["token"], TOKENS["sso"]["token"],
              BAD_TOKEN]
    env = {}
    for index, (task, token) in enumerate(zip(tasks, tokens)):
        # Each task its own token, from the controller's environment: never in the playbook.
        env["CASE_TOKEN_%d" % index] = token
        task["environment"] = {"GITHUB_TOKEN": "{{ lookup('ansible.builtin.env', 'CASE_TOKEN_%d') }}" % index}
    result = run(gh, run_playbook, tasks, env=env)
    bad = failed(result, "bad token")
    assert bad["msg"].startswith("GitHub %s for organization acme failed (HTTP 401): Bad credentials. The token "
                                 "is missing, expired or revoked: check token (or GITHUB_TOKEN / GH_TOKEN)" % E1)
    assert bad["api_calls"] == {E1: 1, "total": 1}
    scope = failed(result, "no scope")["msg"]
    assert "(HTTP 404): Not Found" in scope
    for cause in ("an organization that does not exist", "one without Copilot Business",
                  "a token without the right scope", "a caller who is not an organization owner"):
        assert cause in scope
    grained = failed(result, "fine-grained without permission")["msg"]
    assert "(HTTP 403): Resource not accessible by personal access token" in grained
    assert "GitHub accepts any one of: organization_copilot_seat_management=read; " \
           "organization_administration=read" in grained
    sso = failed(result, "sso")["msg"]
    assert "(HTTP 403)" in sso and "enforces SAML single sign-on" in sso
    assert "https://github.com/orgs/acme/sso?authorization_request=sandbox" in sso
    info = failed(result, "info bad token")["msg"]
    assert "HTTP 401" in info and info.endswith("(github_copilot_seats_info only reads: nothing was changed)")
    assert gh.writes() == (0, 0)
    # None was retried: 401/403/404 of a read are answers, not rate limits.
    assert [entry["status"] for entry in gh.sandbox.requests()["entries"]] == [401, 404, 403, 403, 401]
    assert_no_secret(result)


def test_token_from_the_environment(gh, run_playbook, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GH_TOKEN", raising=False)
    other = TOKENS["other"]["token"]
    both = run(gh, run_playbook, [info_task("info")], env={"GITHUB_TOKEN": TOKEN, "GH_TOKEN": BAD_TOKEN})
    ok(both, "info")
    assert set(call["headers"]["authorization"] for call in gh.recorder.calls) == {"Bearer " + TOKEN}
    gh.clear()
    # run() always sets GITHUB_TOKEN; this one must not: GH_TOKEN alone.
    gh_only = run_playbook([{"name": "gh token", "hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "info", "seatops.seats.github_copilot_seats_info": {"organizations": ["acme"],
                                                                     "api_url": gh.url}}]}],
        env={"GH_TOKEN": other})
    assert gh_only.rc == 0, gh_only.output[-3000:]
    assert set(call["headers"]["authorization"] for call in gh.recorder.calls) == {"Bearer " + other}
    gh.clear()
    missing = run_playbook([{"name": "no token", "hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "info", "seatops.seats.github_copilot_seats_info": {"organizations": ["acme"],
                                                                     "api_url": gh.url},
         "ignore_errors": True}]}])
    assert missing.task("info")["status"] == "ignored"
    assert missing.result("info")["msg"] == (
        "missing token: set the option token or the environment variable GITHUB_TOKEN (or GH_TOKEN)")
    assert gh.recorder.calls == []
    for entry in (both, gh_only, missing):
        assert_no_secret(entry)


@pytest.mark.parametrize("suffix", ["", "/", "/api/v3", "/api/v3/"])
def test_api_url_shapes(gh, run_playbook, suffix):
    names = ["m%03d" % number for number in range(1, 102)]
    gh.sandbox.seed({"github": {"tokens": list(TOKENS.values()), "orgs": [{
        "login": ORG, "id": 4242, "owners": ["octo"], "members": names + ["rex"],
        "seats": [{"login": name} for name in names]}]}})
    gh.clear()
    result = run(gh, run_playbook, [seats_task("swap", users=names[1:] + ["rex"], exclusive=True),
                                    info_task("info")], api_url=gh.url + suffix)
    done = ok(result, "swap")
    assert done["assigned"] == ["rex"] and done["reclaimed"] == ["m001"]
    assert len(ok(result, "info")["organizations"]["acme"]["seats"]) == 102
    prefix = "/api/v3" if "api" in suffix else ""
    assert all(call["path"].startswith(prefix + "/orgs/acme/") for call in gh.recorder.calls)
    assert [call["path"] for call in gh.recorder.seat_pages()][:2] == [prefix + "/orgs/acme/copilot/billing/seats"] * 2
    assert all(call["status"] < 300 for call in gh.recorder.calls)


def test_no_token_in_any_output_at_vvvv(gh, run_playbook):
    """At -vvvv Ansible shows module arguments (no_log masks the token option) and the
    commands it runs; the module must add no token to either, in results or messages. (A
    token put in a task's ``environment:`` shows in Ansible's own EXEC line at -vvvv, so the
    runs here take it from the process environment, or from the token option.)"""
    tasks = [
        seats_task("assign", users=["rex"]),
        seats_task("refused", users=["ghost-login"]),
        info_task("info", inactive_days=30),
    ]
    good = run(gh, run_playbook, tasks, verbosity=4)
    assert ok(good, "assign")["assigned"] == ["rex"]
    failed(good, "refused")
    ok(good, "info")
    wrong = run(gh, run_playbook, [seats_task("wrong token", users=["pia"])], verbosity=4,
                env={"GITHUB_TOKEN": BAD_TOKEN})
    assert "HTTP 401" in failed(wrong, "wrong token")["msg"]
    option = run(gh, run_playbook, [seats_task("token option", users=["pia"],
                                               token="{{ lookup('ansible.builtin.env', 'OPTION_TOKEN') }}")],
                 verbosity=4, env={"GITHUB_TOKEN": BAD_TOKEN, "OPTION_TOKEN": TOKENS["other"]["token"]})
    assert ok(option, "token option")["assigned"] == ["pia"]
    for result in (good, wrong, option):
        assert "<localhost> EXEC" in result.output          # -vvvv really was verbose
        assert "Bearer " not in result.output
        assert_no_secret(result)
    # The proof that each token was really used: the recorder saw all three.
    sent = set(call["headers"]["authorization"] for call in gh.recorder.calls)
    assert sent == {"Bearer " + TOKEN, "Bearer " + BAD_TOKEN, "Bearer " + TOKENS["other"]["token"]}


def test_token_that_cannot_read_memberships_gives_no_seat(gh, run_playbook):
    """manage_billing:copilot alone may write seats but not read memberships (GitHub answers
    404 as for a non-member): a login without a seat is then never sent, and the failure
    says the token may be why; holders need no membership read."""
    result = run(gh, run_playbook, [
        seats_task("assign", users=["rex"]),
        seats_task("reclaim", users=["lena"], state="absent"),
        seats_task("holders only", users=["mona", "zed"]),
    ], env={"GITHUB_TOKEN": TOKENS["billing_only"]["token"]})
    refused = failed(result, "assign")
    assert refused["msg"].startswith("unknown users (nothing was changed")
    assert "the token cannot read memberships: it needs read:org" in refused["msg"]
    assert ok(result, "reclaim")["reclaimed"] == ["lena"]
    assert ok(result, "holders only")["changed"] is False
    assert statuses(gh, "GET", "/memberships/rex") == [404]
    assert gh.recorder.seat_writes("POST") == []
    assert gh.recorder.seat_writes("DELETE") == [["lena"]]
