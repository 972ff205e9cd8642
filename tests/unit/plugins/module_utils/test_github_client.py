# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The GitHub client against scripted HTTP (``responses``), with a fake sleep and clock: no
socket, no wait. Section numbers are those of the Copilot seats contract
(../shared/specs/github-copilot-seats-api.md)."""

from __future__ import annotations

import json
import time

import pytest
import responses
from requests.structures import CaseInsensitiveDict

from ansible_collections.seatops.seats.plugins.module_utils._github import (
    MAX_BATCH,
    PERMISSIONS,
    SECONDARY_WAIT,
    SEATS_GET,
    USERS_DELETE,
    USERS_POST,
    GithubClient,
    GithubError,
    base_url,
    check_organization,
    next_link,
    normalise_login,
    rate_limit_wait,
    says_rate_limit,
    seat_view,
)

API = "https://api.github.com"
ORG = "acme"
TOKEN = "ghp_unitTestToken0123456789abcdefABCDEF"
BILLING = API + "/orgs/acme/copilot/billing"
SEATS = API + "/orgs/acme/copilot/billing/seats"
USERS = API + "/orgs/acme/copilot/billing/selected_users"
SSO_URL = "https://github.com/orgs/acme/sso?authorization_request=A1B2C3"


def seat(login, team=None, pending=None, created="2026-01-05T10:00:00Z", active=None):
    return {"created_at": created, "updated_at": created, "pending_cancellation_date": pending,
            "last_activity_at": active, "last_activity_editor": "vscode" if active else None,
            "plan_type": "business",
            "assignee": None if login is None else {"login": login, "id": abs(hash(login)) % 10 ** 6,
                                                    "type": "User"},
            "assigning_team": None if team is None else {"id": 7, "slug": team, "name": team.title()}}


def link(url, rel="next"):
    return '<%s>; rel="%s"' % (url, rel)


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(sleeps):
    return GithubClient.connect(TOKEN, retries=2, sleep=sleeps.append)


def requested():
    return [call.request.url for call in responses.calls]


class FakeResponse(object):
    def __init__(self, status, headers=None, text=""):
        self.status_code = status
        self.headers = CaseInsensitiveDict(headers or {})
        self.text = text


# -- input rules ------------------------------------------------------------------------------

class TestInputRules(object):
    @pytest.mark.parametrize("name, expected", [
        ("Mona", "mona"), ("  octo-cat ", "octo-cat"), ("mona_acme", "mona_acme"), ("a", "a"),
        ("x" * 100, "x" * 100), ("gh-user-000001", "gh-user-000001")])
    def test_login_accepted_and_lowered(self, name, expected):
        assert normalise_login(name) == expected

    def test_email_is_refused_with_its_own_reason(self):
        with pytest.raises(ValueError, match="is an email address.*GitHub logins"):
            normalise_login("mona@example.com")

    @pytest.mark.parametrize("name", ["", " ", "-mona", "mona-", "_mona", "mo na", "mona/x", "m.ona",
                                      "x" * 101, "mona!"])
    def test_not_a_login(self, name):
        with pytest.raises(ValueError, match="is not a GitHub login"):
            normalise_login(name)

    @pytest.mark.parametrize("value, expected", [
        ("Acme", "acme"), (" acme-inc ", "acme-inc"), ("a", "a"), ("a" * 39, "a" * 39), ("org2", "org2")])
    def test_organization_accepted_and_lowered(self, value, expected):
        assert check_organization(value) == expected

    @pytest.mark.parametrize("value", [None, "", "   "])
    def test_organization_empty_names_the_field(self, value):
        with pytest.raises(GithubError, match="^organizations\\[2\\] is empty"):
            check_organization(value, "organizations[2]")

    @pytest.mark.parametrize("value", ["https://github.com/acme", "acme/team", "a" * 40, "-acme",
                                       "acme-", "ac me", "acme_inc", "acme.inc", "ac--me"])
    def test_organization_refused(self, value):
        with pytest.raises(GithubError, match="is not a GitHub organization login"):
            check_organization(value)

    @pytest.mark.parametrize("value, expected", [
        (None, "https://api.github.com"), ("https://api.github.com/", "https://api.github.com"),
        ("https://api.acme.ghe.com", "https://api.acme.ghe.com"),
        ("https://ghe.example.com/api/v3/", "https://ghe.example.com/api/v3")])
    def test_base_url(self, value, expected):
        assert base_url(value) == expected

    @pytest.mark.parametrize("value", ["api.github.com", "ftp://x", "https://api.github.com?x=1"])
    def test_base_url_refused(self, value):
        with pytest.raises(GithubError, match="api_url must be"):
            base_url(value)

    def test_connect_without_token_makes_no_call(self):
        with pytest.raises(GithubError, match="missing token.*GITHUB_TOKEN"):
            GithubClient.connect(None)

    @pytest.mark.parametrize("option, value, expected", [
        ("timeout", 0, "timeout must be a positive"), ("retries", -1, "retries must be 0 or more")])
    def test_connect_option_checks(self, option, value, expected):
        with pytest.raises(GithubError, match=expected):
            GithubClient.connect(TOKEN, **{option: value})

    def test_next_link(self):
        header = ('<https://api.github.com/x?page=1>; rel="prev", <https://api.github.com/x?page=3>; '
                  'rel="next", <https://api.github.com/x?page=9>; rel="last"')
        assert next_link(header) == "https://api.github.com/x?page=3"
        assert next_link('<https://api.github.com/x?page=9>; rel="last"') is None
        assert next_link(None) is None and next_link("") is None

    def test_seat_view_of_every_kind(self):
        assert seat_view(seat("Mona"))["login"] == "Mona"
        assert seat_view(seat("Mona"))["team"] is None
        assert seat_view(seat("Mona", team="devs"))["team"] == "devs"
        assert seat_view(seat(None))["login"] is None
        # An enterprise team has a name and no slug.
        enterprise = dict(seat("ent"), assigning_team={"id": 1, "name": "ent-team", "group_type": "enterprise"})
        assert seat_view(enterprise)["team"] == "ent-team"


# -- reads ------------------------------------------------------------------------------------

class TestBilling(object):
    @responses.activate
    def test_headers_and_body(self, client):
        responses.get(BILLING, json={"seat_management_setting": "assign_selected",
                                     "seat_breakdown": {"total": 3}})
        assert client.billing("acme")["seat_management_setting"] == "assign_selected"
        sent = responses.calls[0].request.headers
        assert sent["Authorization"] == "Bearer " + TOKEN
        assert sent["X-GitHub-Api-Version"] == "2022-11-28"
        assert sent["Accept"] == "application/vnd.github+json"
        assert sent["User-Agent"]
        assert client.api_calls() == {"GET /orgs/{org}/copilot/billing": 1, "total": 1}

    @responses.activate
    def test_a_body_that_is_not_the_documented_shape(self, client):
        responses.get(BILLING, json={"seat_management_setting": 3})
        with pytest.raises(GithubError) as caught:
            client.billing("acme")
        message = str(caught.value)
        assert "seat_management_setting is a number" in message and "check api_url" in message


class TestListSeats(object):
    @responses.activate
    def test_links_are_followed_verbatim_including_a_canonical_path(self, client):
        page2 = API + "/organizations/4711/copilot/billing/seats?per_page=100&page=2&cursor=opaque%3D"
        page3 = API + "/organizations/4711/copilot/billing/seats?page=3&per_page=100"
        responses.get(SEATS, json={"total_seats": 5, "seats": [seat("a"), seat("b")]},
                      headers={"Link": link(page2) + ", " + link(page3, "last")})
        responses.get(page2.split("?", maxsplit=1)[0], json={"total_seats": 5, "seats": [seat("c"), seat("d")]},
                      headers={"Link": link(page3) + ", " + link(page3, "last")})
        responses.get(page3.split("?", maxsplit=1)[0], json={"total_seats": 5, "seats": [seat("e")]},
                      headers={"Link": link(SEATS + "?per_page=100&page=1", "first")})
        seats = client.list_seats("acme")
        assert [item["login"] for item in seats] == ["a", "b", "c", "d", "e"]
        assert requested() == [SEATS + "?per_page=100", page2, page3]
        assert client.api_calls() == {SEATS_GET: 3, "total": 3}
        assert client.warnings() == []

    @responses.activate
    def test_one_page_without_link(self, client):
        responses.get(SEATS, json={"total_seats": 0, "seats": []})
        assert client.list_seats("acme") == []
        assert requested() == [SEATS + "?per_page=100"]

    @responses.activate
    def test_a_link_to_another_host_is_refused_and_never_called(self, client):
        evil = "https://evil.example.net/orgs/acme/copilot/billing/seats?page=2&token=x"
        responses.get(SEATS, json={"total_seats": 4, "seats": [seat("a")]}, headers={"Link": link(evil)})
        with pytest.raises(GithubError) as caught:
            client.list_seats("acme")
        message = str(caught.value)
        assert "evil.example.net" in message and "not followed" in message
        assert "token=x" not in message and TOKEN not in message
        assert requested() == [SEATS + "?per_page=100"]

    @responses.activate
    def test_another_scheme_on_the_same_host_is_refused(self, client):
        plain = "http://api.github.com/orgs/acme/copilot/billing/seats?page=2"
        responses.get(SEATS, json={"total_seats": 4, "seats": [seat("a")]}, headers={"Link": link(plain)})
        with pytest.raises(GithubError, match="not followed"):
            client.list_seats("acme")
        assert len(responses.calls) == 1

    @responses.activate
    def test_a_link_loop_stops(self, client):
        page2 = SEATS + "?per_page=100&page=2"
        responses.get(SEATS, json={"total_seats": 4, "seats": [seat("a")]}, headers={"Link": link(page2)})
        responses.get(SEATS, json={"total_seats": 4, "seats": [seat("b")]}, headers={"Link": link(page2)})
        with pytest.raises(GithubError, match="same next page twice.*instead of looping"):
            client.list_seats("acme")
        assert len(responses.calls) == 2

    @responses.activate
    def test_total_seats_that_disagrees_is_a_warning_not_a_stop(self, client):
        responses.get(SEATS, json={"total_seats": 7, "seats": [seat("a"), seat("b"), seat(None)]})
        seats = client.list_seats("acme")
        assert len(seats) == 3 and len(responses.calls) == 1
        [warning] = client.warnings()
        assert "says acme has 7 seats (total_seats) but its pages listed 3 (2 with a holder)" in warning

    @pytest.mark.parametrize("total", [3, 2])
    @responses.activate
    def test_total_seats_with_or_without_orphans_is_no_warning(self, client, total):
        responses.get(SEATS, json={"total_seats": total, "seats": [seat("a"), seat("b"), seat(None)]})
        client.list_seats("acme")
        assert client.warnings() == []

    @responses.activate
    def test_a_bad_page_names_what_is_wrong(self, client):
        responses.get(SEATS, json={"total_seats": 1, "seats": [dict(seat("a"), assignee={"login": 5})]})
        with pytest.raises(GithubError, match="assignee.login is a number"):
            client.list_seats("acme")

    @responses.activate
    def test_seats_not_a_list(self, client):
        responses.get(SEATS, json=[seat("a")])
        with pytest.raises(GithubError, match="expected a JSON object"):
            client.list_seats("acme")


class TestMembership(object):
    @pytest.mark.parametrize("body, expected", [
        ({"state": "active", "role": "member"}, "active"), ({"state": "pending", "role": "member"}, "pending"),
        ({"role": "member"}, "active")])
    @responses.activate
    def test_200_states(self, client, body, expected):
        responses.get(API + "/orgs/acme/memberships/mona", json=body)
        assert client.membership("acme", "mona") == expected

    @responses.activate
    def test_404_is_not_a_member(self, client):
        responses.get(API + "/orgs/acme/memberships/ghost", status=404, json={"message": "Not Found"})
        assert client.membership("acme", "ghost") is None
        assert len(responses.calls) == 1

    @responses.activate
    def test_other_failures_are_errors(self, client):
        responses.get(API + "/orgs/acme/memberships/mona", status=403,
                      json={"message": "Resource not accessible by personal access token"},
                      headers={"X-Accepted-GitHub-Permissions": "members=read"})
        with pytest.raises(GithubError) as caught:
            client.membership("acme", "mona")
        assert "members=read" in str(caught.value) and "Members read" in str(caught.value)
        # The endpoint template names no login: the message names whose membership it was.
        assert str(caught.value).endswith("(checking that mona is a member, before any seat write: "
                                          "nothing was changed)")
        assert caught.value.status == 403

    @responses.activate
    def test_many_at_once(self, client):
        for login, state in (("a", "active"), ("b", "pending"), ("c", None), ("d", "active"), ("e", "active")):
            if state:
                responses.get(API + "/orgs/acme/memberships/" + login, json={"state": state})
            else:
                responses.get(API + "/orgs/acme/memberships/" + login, status=404, json={"message": "Not Found"})
        assert client.memberships("acme", ["a", "b", "c", "d", "e"]) == {
            "a": "active", "b": "pending", "c": None, "d": "active", "e": "active"}
        assert client.api_calls()["GET /orgs/{org}/memberships/{username}"] == 5

    @responses.activate
    def test_a_login_is_url_encoded_in_the_path(self, client):
        responses.get(API + "/orgs/acme/memberships/a%2Fb", status=404)
        assert client.membership("acme", "a/b") is None


# -- rate limits (§6) -------------------------------------------------------------------------

class TestRateLimits(object):
    def test_retry_after_comes_first(self):
        response = FakeResponse(403, {"retry-after": "7", "x-ratelimit-remaining": "0",
                                      "x-ratelimit-reset": str(int(time.time()) + 500)},
                                "You have exceeded a secondary rate limit")
        assert 7 <= rate_limit_wait(response, 1) <= 7.2

    def test_remaining_zero_waits_for_the_epoch_reset(self):
        response = FakeResponse(403, {"x-ratelimit-remaining": "0",
                                      "x-ratelimit-reset": str(int(time.time()) + 30)},
                                '{"message": "API rate limit exceeded for user."}')
        assert 29 <= rate_limit_wait(response, 1) <= 31.5

    def test_remaining_zero_without_a_reset_waits_a_minute(self):
        response = FakeResponse(403, {"x-ratelimit-remaining": "0"})
        assert rate_limit_wait(response, 1) == SECONDARY_WAIT

    @pytest.mark.parametrize("attempt, expected", [(1, 60.0), (2, 120.0), (3, 240.0)])
    def test_otherwise_a_minute_doubling(self, attempt, expected):
        response = FakeResponse(403, {"x-ratelimit-remaining": "14"},
                                '{"message": "You have exceeded a secondary rate limit."}')
        assert rate_limit_wait(response, attempt) == expected

    def test_body_text_alone_is_enough(self):
        assert says_rate_limit(FakeResponse(403, {}, "You have exceeded a SECONDARY RATE LIMIT"))

    def test_429_without_headers(self):
        assert rate_limit_wait(FakeResponse(429), 1) == SECONDARY_WAIT

    @pytest.mark.parametrize("response", [
        FakeResponse(403, {"x-ratelimit-remaining": "4999"}, '{"message": "Resource not accessible"}'),
        FakeResponse(403, {"X-GitHub-SSO": "required; url=x"}, "Resource protected by SAML enforcement"),
        FakeResponse(404, {"retry-after": "5"}), FakeResponse(422, {"x-ratelimit-remaining": "0"}),
        FakeResponse(200)])
    def test_no_rate_limit(self, response):
        assert rate_limit_wait(response, 1) is None

    @responses.activate
    def test_secondary_403_is_retried_after_the_wait(self, client, sleeps):
        responses.get(BILLING, status=403, json={"message": "You have exceeded a secondary rate limit."},
                      headers={"retry-after": "3", "x-ratelimit-remaining": "12"})
        responses.get(BILLING, json={"seat_management_setting": "assign_selected"})
        client.billing("acme")
        assert len(responses.calls) == 2 and len(sleeps) == 1 and 3 <= sleeps[0] <= 3.2
        assert client.http.throttled == 1

    @responses.activate
    def test_secondary_403_without_headers_waits_at_least_a_minute(self, client, sleeps):
        responses.get(BILLING, status=403, json={"message": "You have exceeded a secondary rate limit."})
        responses.get(BILLING, json={"seat_management_setting": "assign_selected"})
        client.billing("acme")
        assert sleeps == [60.0]

    @responses.activate
    def test_a_plain_403_is_not_retried(self, client, sleeps):
        responses.get(BILLING, status=403, json={"message": "Must have admin rights to Repository."},
                      headers={"x-ratelimit-remaining": "4000"})
        with pytest.raises(GithubError) as caught:
            client.billing("acme")
        assert len(responses.calls) == 1 and sleeps == []
        assert caught.value.status == 403 and not caught.value.retried

    @responses.activate
    def test_rate_limit_until_retries_run_out(self, client, sleeps):
        responses.get(BILLING, status=403, json={"message": "API rate limit exceeded for user."},
                      headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time()) + 5)})
        with pytest.raises(GithubError) as caught:
            client.billing("acme")
        # Each retry waits past the reset (the fake sleep lets no time pass, so the pacing
        # pause that remaining 0 also sets is slept as well: real time would be past it).
        assert len(responses.calls) == 3
        assert 4 <= sleeps[0] <= 6.5
        assert caught.value.retried and "rate limit after 3 attempt(s)" in str(caught.value)


# -- writes -----------------------------------------------------------------------------------

class FakeClock(object):
    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def paced(client, clock):
    return GithubClient(client.http, sleep=clock.sleep, clock=clock)


class TestWrites(object):
    @responses.activate
    def test_add_and_remove_bodies_and_counts(self, paced):
        responses.post(USERS, status=201, json={"seats_created": 2})
        responses.delete(USERS, json={"seats_cancelled": 1})
        assert paced.add_users("acme", ["Mona", "hubot"]) == (2, False)
        assert paced.remove_users("acme", ["octocat"]) == (1, False)
        post, delete = responses.calls
        assert json.loads(post.request.body) == {"selected_usernames": ["Mona", "hubot"]}
        assert json.loads(delete.request.body) == {"selected_usernames": ["octocat"]}
        assert delete.request.method == "DELETE"
        assert post.request.headers["Content-Type"] == "application/json"
        assert paced.api_calls() == {USERS_DELETE: 1, USERS_POST: 1, "total": 2}

    @pytest.mark.parametrize("body", [{}, {"seats_created": "2"}, {"seats_created": True}])
    @responses.activate
    def test_a_count_that_is_not_a_number_is_none(self, paced, body):
        responses.post(USERS, status=201, json=body)
        assert paced.add_users("acme", ["mona"]) == (None, False)

    @pytest.mark.parametrize("count", [0, MAX_BATCH + 1])
    @responses.activate
    def test_batch_bounds_are_a_programming_error_and_no_call(self, paced, count):
        with pytest.raises(ValueError, match="1 to 100 logins"):
            paced.add_users("acme", ["u%d" % n for n in range(count)])
        assert len(responses.calls) == 0

    @responses.activate
    def test_writes_are_paced_at_least_a_second_apart(self, paced, clock):
        responses.post(USERS, status=201, json={"seats_created": 1})
        responses.delete(USERS, json={"seats_cancelled": 1})
        paced.add_users("acme", ["a"])
        assert clock.sleeps == []
        clock.now += 0.25
        paced.remove_users("acme", ["b"])
        assert clock.sleeps == [pytest.approx(0.75)]
        clock.now += 3
        paced.add_users("acme", ["c"])
        assert clock.sleeps == [pytest.approx(0.75)]
        paced.add_users("acme", ["d"])
        assert clock.sleeps == [pytest.approx(0.75), pytest.approx(1.0)]

    @responses.activate
    def test_a_failed_write_still_paces_the_next(self, paced, clock):
        responses.post(USERS, status=422, json={"message": "Validation Failed"})
        responses.post(USERS, status=201, json={"seats_created": 1})
        with pytest.raises(GithubError):
            paced.add_users("acme", ["a"])
        paced.add_users("acme", ["b"])
        assert clock.sleeps == [pytest.approx(1.0)]

    @responses.activate
    def test_reads_are_not_paced(self, paced, clock):
        responses.post(USERS, status=201, json={"seats_created": 1})
        responses.get(BILLING, json={"seat_management_setting": "assign_selected"})
        paced.add_users("acme", ["a"])
        paced.billing("acme")
        paced.billing("acme")
        assert clock.sleeps == []

    @responses.activate
    def test_a_retried_write_says_so(self, client, sleeps):
        responses.post(USERS, status=502, body="bad gateway")
        responses.post(USERS, status=201, json={"seats_created": 0})
        assert client.add_users("acme", ["a"]) == (0, True)

    @responses.activate
    def test_a_write_failing_after_retries_is_marked_retried(self, client):
        responses.post(USERS, status=503, body="unavailable")
        with pytest.raises(GithubError) as caught:
            client.add_users("acme", ["a"])
        assert caught.value.retried and caught.value.status == 503
        assert "after 3 attempt(s)" in str(caught.value)


# -- error messages (§5, §11.9) ---------------------------------------------------------------

class TestErrorMessages(object):
    def fail(self, client, status, body=None, headers=None, call="billing"):
        responses.get(BILLING, status=status, json=body or {"message": "x"}, headers=headers or {})
        responses.get(SEATS, status=status, json=body or {"message": "x"}, headers=headers or {})
        responses.post(USERS, status=status, json=body or {"message": "x"}, headers=headers or {})
        with pytest.raises(GithubError) as caught:
            if call == "billing":
                client.billing("acme")
            elif call == "seats":
                client.list_seats("acme")
            else:
                client.add_users("acme", ["mona"])
        message = str(caught.value)
        assert TOKEN not in message and TOKEN[4:] not in message
        assert caught.value.status == status
        return message

    @responses.activate
    def test_401_names_the_token_options_and_never_the_token(self, client):
        message = self.fail(client, 401, {"message": "Bad credentials: %s" % TOKEN})
        assert message.startswith("GitHub GET /orgs/{org}/copilot/billing for organization acme failed "
                                  "(HTTP 401): Bad credentials: ********")
        assert "expired or revoked" in message and "GITHUB_TOKEN" in message

    @responses.activate
    def test_403_sso_gives_the_authorization_url(self, client):
        message = self.fail(client, 403, {"message": "Resource protected by organization SAML enforcement."},
                            {"X-GitHub-SSO": "required; url=" + SSO_URL}, call="seats")
        assert "SAML single sign-on" in message and SSO_URL in message
        assert len(responses.calls) == 1

    @responses.activate
    def test_403_sso_without_a_url(self, client):
        message = self.fail(client, 403, {"message": "Resource protected by organization SAML enforcement."},
                            {"X-GitHub-SSO": "partial-results; organizations=1"})
        assert "SAML single sign-on" in message and "token settings" in message

    @responses.activate
    def test_403_with_accepted_permissions(self, client):
        message = self.fail(client, 403, {"message": "Resource not accessible by personal access token"},
                            {"X-Accepted-GitHub-Permissions": "organization_copilot_seat_management=write"},
                            call="write")
        assert "organization_copilot_seat_management=write" in message
        assert PERMISSIONS[USERS_POST] in message

    @responses.activate
    def test_404_lists_its_four_causes(self, client):
        message = self.fail(client, 404, {"message": "Not Found"})
        for cause in ("does not exist", "without Copilot Business", "without the right scope",
                      "not an organization owner"):
            assert cause in message
        assert PERMISSIONS["GET /orgs/{org}/copilot/billing"] in message

    @responses.activate
    def test_422_shows_the_message_and_what_to_check(self, client):
        message = self.fail(client, 422, {"message": "Validation Failed",
                                          "errors": [{"field": "selected_usernames", "code": "invalid"},
                                                     {"message": "mona is not a member"}]}, call="write")
        assert "Validation Failed (selected_usernames invalid; mona is not a member)" in message
        assert "assign_selected" in message and "granted through a team" in message

    @responses.activate
    def test_a_token_echoed_in_a_header_or_url_encoded_is_scrubbed(self, client):
        message = self.fail(client, 403, {"message": "token %s not allowed" % TOKEN},
                            {"X-GitHub-SSO": "required; url=https://github.com/sso?t=" + TOKEN})
        assert "********" in message

    @responses.activate
    def test_a_link_to_another_host_never_carries_the_token(self, client):
        responses.get(SEATS, json={"total_seats": 2, "seats": [seat("a")]},
                      headers={"Link": link("https://elsewhere.test/p?access=" + TOKEN)})
        with pytest.raises(GithubError) as caught:
            client.list_seats("acme")
        assert TOKEN not in str(caught.value)
