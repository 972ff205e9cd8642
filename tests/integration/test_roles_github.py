# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""GitHub Copilot seats through the three roles and the playbooks people run (issue 14),
against the sandbox: onboarding gives seats in the named organizations (a non-member is
reported, never invited); offboarding reclaims them, refuses a team-granted seat naming the
team, keeps the record and gives the seats back; reconcile with a ``github_copilot`` section
audits (report and plan), and the apply of the plan makes exactly the planned writes.

Nothing in the roles or the actions names GitHub: the registry entry does it all.
"""

from __future__ import annotations

import copy
import datetime
import json
import os

import pytest
import yaml

from roles_sandbox import CREDENTIALS, SEED as ROLES_SEED, endpoints, github_holders, github_seats, writes

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PLAYBOOKS = os.path.join(REPO, "playbooks")
TEMPLATE = os.path.join(REPO, "roles", "reconcile", "templates", "reconcile_report.html.j2")

pytestmark = pytest.mark.core_matrix

ORG, LABS = "octo-org", "octo-labs"
TOKEN = "ghp_roles_sandbox_token"
NOW = datetime.datetime.now(datetime.timezone.utc)


def ago(days):
    return (NOW - datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


# The Copilot clock follows real time (no github.now), so grace and idle days are measured
# from today, as the modules measure them.
GITHUB = {
    "tokens": [{"token": TOKEN, "kind": "classic", "scopes": ["manage_billing:copilot", "read:org"],
                "user": "octo-admin"}],
    "orgs": [
        {"login": ORG, "seat_management_setting": "assign_selected", "public_code_suggestions": "block",
         "owners": ["octo-admin"],
         "members": ["ana-lima", "ben-okafor", "dara-novak", "eli-silva", "sam-idle", "kai-new", "tina",
                     "hubot", "breakglass-bot"],
         "invitations": ["newhire"],
         "teams": [{"slug": "platform", "name": "Platform", "members": ["tina"], "selected": True}],
         "seats": [
             {"login": "ana-lima", "created_at": ago(200), "last_activity_at": ago(1),
              "last_activity_editor": "vscode/1.98.2/copilot/1.290.0"},
             {"login": "ben-okafor", "created_at": ago(150), "last_activity_at": ago(3)},
             {"login": "sam-idle", "created_at": ago(300), "last_activity_at": ago(200)},
             {"login": "kai-new", "created_at": ago(2)},
             {"login": "breakglass-bot", "created_at": ago(400), "last_activity_at": ago(365)},
             {"login": "hubot", "created_at": ago(100),
              "pending_cancellation_date": (NOW + datetime.timedelta(days=20)).strftime("%Y-%m-%d")},
             {"orphan": True, "created_at": ago(120)},
             {"login": "tina", "team": "platform", "created_at": ago(60), "last_activity_at": ago(2)},
         ]},
        {"login": LABS, "seat_management_setting": "assign_selected", "public_code_suggestions": "block",
         "owners": ["octo-admin"], "members": ["ana-lima", "dara-novak"], "seats": []},
    ],
}
SEED = dict(copy.deepcopy(ROLES_SEED), github=GITHUB)
ENV = dict(CREDENTIALS, GITHUB_TOKEN=TOKEN)


def fresh(sandbox):
    sandbox.reset()
    sandbox.seed(SEED)
    sandbox.clear_requests()
    return sandbox.state()


def github_endpoints(sandbox):
    """Every platform's API at the sandbox; GitHub's at its root, as the API is served."""
    return dict(endpoints(sandbox), seatops_github_api_url=sandbox.url)


def github_writes(sandbox):
    return dict((key, n) for key, n in writes(sandbox).items() if "/copilot/" in key)


def play(name):
    return "- ansible.builtin.import_playbook: %s\n" % os.path.join(PLAYBOOKS, name)


def result(run, name):
    found = [entry for entry in run.results if entry["task"].split(" : ")[-1] == name]
    assert found, "task %r did not run; output:\n%s" % (name, run.output[-4000:])
    return found[-1]["result"]


ONBOARD = "Assign the seats of new people, one call per product"
OFFBOARD = "Reclaim (or restore) the seats of leavers"
RECONCILE = "Reconcile seats with the desired state and write the report"


# -- onboarding ---------------------------------------------------------------------------

def test_onboarding_gives_copilot_seats_in_the_named_orgs(sandbox, run_playbook):
    fresh(sandbox)
    people = [{"email": "dara.novak@example.com", "login": "dara-novak"},
              {"email": "eli.silva@example.com", "login": "Eli-Silva"}]
    extra = dict(github_endpoints(sandbox), people=people, github_products="octo-org")

    check = run_playbook(play("onboard.yml"), check=True, extra_vars=extra, env=ENV)
    assert check.rc == 0, check.output[-3000:]
    predicted = result(check, ONBOARD)
    assert [(row["platform"], row["product"]) for row in predicted["products"]] == [("github", ORG)]
    assert sorted(predicted["products"][0]["assigned"]) == ["Eli-Silva", "dara-novak"]
    assert "Would assign 2 GitHub Copilot seat(s) to 2 people on 1 product(s)." in check.output
    assert github_writes(sandbox) == {}

    apply = run_playbook(play("onboard.yml"), extra_vars=extra, env=ENV)
    assert apply.rc == 0, apply.output[-3000:]
    holders = github_holders(sandbox.state(), ORG)
    assert {"dara-novak", "eli-silva"} <= set(holders)
    assert {"ana-lima", "tina"} <= set(holders), "onboarding is additive"
    # One write for the product, with both people.
    assert github_writes(sandbox) == {"POST /orgs/{org}/copilot/billing/selected_users": 1}

    sandbox.clear_requests()
    again = run_playbook(play("onboard.yml"), extra_vars=extra, env=ENV)
    assert again.rc == 0, again.output[-3000:]
    assert not result(again, ONBOARD)["changed"] and github_writes(sandbox) == {}


def test_onboarding_reports_a_non_member_and_never_invites_them(sandbox, run_playbook):
    fresh(sandbox)
    invitations = sandbox.state()["github"]["orgs"][ORG]["invitations"]
    people = [{"login": "dara-novak"}, {"login": "stranger"}]
    # Two organizations from the role's own variables (no survey).
    playbook = [{"hosts": "localhost", "gather_facts": False, "roles": ["seatops.seats.onboarding"]}]
    extra = dict(github_endpoints(sandbox), onboarding_people=people, onboarding_github_products=[ORG, LABS],
                 onboarding_unknown_users="warn")
    run = run_playbook(playbook, extra_vars=extra, env=ENV)
    assert run.rc == 0, run.output[-3000:]
    onboarded = result(run, ONBOARD)
    assert [row["product"] for row in onboarded["products"]] == [LABS, ORG]
    assert "dara-novak" in github_holders(sandbox.state(), ORG) and github_holders(sandbox.state(), LABS) == ["dara-novak"]
    assert "stranger" not in github_seats(sandbox.state(), ORG)
    skipped = [(row["product"], entry["user"], entry["reason"]) for row in onboarded["products"]
               for entry in row["skipped_users"]]
    assert [(product, user) for product, user, _reason in skipped] == [(LABS, "stranger"), (ORG, "stranger")]
    assert all("is not a member of organization" in reason for _product, _user, reason in skipped)
    assert "2 skipped: octo-labs stranger (is not a member of organization octo-labs" in onboarded["msg"]
    assert sandbox.state()["github"]["orgs"][ORG]["invitations"] == invitations
    # One write per organization, and it went through: the sandbox refuses (422) a write
    # naming a non-member as a whole (github_non_member=reject), so it named only the member.
    assert github_writes(sandbox) == {"POST /orgs/{org}/copilot/billing/selected_users": 2}

    # With unknown_users=fail (the default) the product fails, naming the person, and nothing is written.
    fresh(sandbox)
    run = run_playbook(playbook, extra_vars=dict(extra, onboarding_unknown_users="fail"), env=ENV)
    assert run.rc != 0
    assert "stranger" in result(run, ONBOARD)["msg"] and "is not a member of organization" in run.output
    assert github_writes(sandbox) == {}


def test_onboarding_without_a_login_names_the_field(sandbox, run_playbook):
    fresh(sandbox)
    run = run_playbook(play("onboard.yml"), env=ENV, extra_vars=dict(
        github_endpoints(sandbox), people="dara.novak@example.com", github_products=ORG))
    assert run.rc != 0
    message = result(run, ONBOARD)["msg"]
    assert "onboarding_people[0].email" in message and "serves as the login" in message
    assert sandbox.requests()["total"] == 0


# -- offboarding ----------------------------------------------------------------------------

def test_offboarding_reclaims_records_and_restores_copilot_seats(sandbox, run_playbook, tmp_path):
    fresh(sandbox)
    record = tmp_path / "record.json"
    people = [{"email": "ana.lima@example.com", "upn": "alice@contoso.com", "login": "ana-lima"},
              {"email": "ben.okafor@example.com", "upn": "bob@contoso.com", "login": "ben-okafor"}]
    extra = dict(github_endpoints(sandbox), people=people, github_products="octo-org, octo-labs",
                 record_path=str(record))

    run = run_playbook(play("offboard.yml"), extra_vars=extra, env=ENV)
    assert run.rc == 0, run.output[-3000:]
    seats = github_seats(sandbox.state(), ORG)
    # A cancelled seat stays until the billing cycle ends: pending cancellation, not a holder.
    assert seats["ana-lima"] == "pending" and seats["ben-okafor"] == "pending"
    offboarded = result(run, OFFBOARD)
    assert "1 GitHub Copilot product(s)" in offboarded["msg"]
    saved = json.loads(record.read_text())
    assert saved["runs"][0]["github"] == [{"organization": ORG, "users": ["ana-lima", "ben-okafor"]}]
    assert saved["runs"][0]["datadog"] and saved["runs"][0]["msstore"]

    restore = run_playbook(play("offboard.yml"), env=ENV, extra_vars=dict(
        github_endpoints(sandbox), restore=True, record_path=str(record)))
    assert restore.rc == 0, restore.output[-3000:]
    restored = result(restore, OFFBOARD)
    github_rows = [row for row in restored["products"] if row["platform"] == "github"]
    assert [(row["product"], sorted(row["restored"])) for row in github_rows] == [(ORG, ["ana-lima", "ben-okafor"])]
    seats = github_seats(sandbox.state(), ORG)
    assert seats["ana-lima"] == "direct" and seats["ben-okafor"] == "direct"


def test_offboarding_a_team_granted_seat_fails_naming_the_team(sandbox, run_playbook, tmp_path):
    fresh(sandbox)
    playbook = [{"hosts": "localhost", "gather_facts": False, "roles": ["seatops.seats.offboarding"]}]
    extra = dict(github_endpoints(sandbox), offboarding_people=[{"login": "tina"}],
                 offboarding_github_products=[ORG], offboarding_datadog=False, offboarding_msstore=False,
                 offboarding_record_path=str(tmp_path / "record.json"))
    run = run_playbook(playbook, extra_vars=extra, env=ENV)
    assert run.rc != 0, "a seat that could not be reclaimed ended green"
    offboarded = result(run, OFFBOARD)
    assert offboarded["failed_count"] == 1
    assert "granted through team platform" in offboarded["msg"] and "tina" in offboarded["msg"]
    assert github_seats(sandbox.state(), ORG)["tina"] == "team"
    assert github_writes(sandbox) == {}
    # The failure is recorded, so the record says what was not reclaimed.
    saved = json.loads((tmp_path / "record.json").read_text())
    assert saved["runs"][0]["errors"][0]["product"] == ORG


def test_offboarding_leaves_copilot_alone_unless_orgs_are_named(sandbox, run_playbook, tmp_path):
    """Without offboarding_github_products the role offboards as before (Datadog and the
    Store): GitHub cannot list the organizations a person holds seats in."""
    fresh(sandbox)
    run = run_playbook(play("offboard.yml"), env=ENV, extra_vars=dict(
        github_endpoints(sandbox), people="ana.lima@example.com=alice@contoso.com",
        record_dir=str(tmp_path / "records")))
    assert run.rc == 0, run.output[-3000:]
    assert "GitHub" not in result(run, OFFBOARD)["msg"]
    assert github_seats(sandbox.state(), ORG)["ana-lima"] == "direct"


# -- reconcile ----------------------------------------------------------------------------------

DESIRED = {
    "github_copilot": [
        {"organization": ORG, "users": ["ana-lima", "dara-novak"], "protected": ["breakglass-bot"],
         "grace_days": 7, "max_reclaims": 2},
        {"organization": LABS, "users": ["ana-lima"], "max_reclaims": 0},
    ],
}


def reconcile_play(reclaim_inactive_days=None):
    """The reconcile role in a play; with ``reclaim_inactive_days``, set for the GitHub action
    group (module_defaults), as a play sets any option of the platform's modules."""
    entry = {"hosts": "localhost", "gather_facts": False,
             "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
             "roles": ["seatops.seats.reconcile"]}
    if reclaim_inactive_days is not None:
        entry["module_defaults"] = {"group/seatops.seats.github": {"reclaim_inactive_days": reclaim_inactive_days}}
    return [entry]


def test_reconcile_audits_and_applies_the_plan_exactly(sandbox, run_playbook, tmp_path):
    fresh(sandbox)
    desired = tmp_path / "desired.yml"
    desired.write_text(yaml.safe_dump(DESIRED))
    reports = tmp_path / "reports"
    extra = dict(github_endpoints(sandbox), reconcile_desired_state_file=str(desired),
                 reconcile_report_dir=str(reports), reconcile_report_name="audit")
    before = github_seats(sandbox.state(), ORG)

    audit = run_playbook(reconcile_play(90), check=True, diff=True, extra_vars=extra, env=ENV)
    assert audit.rc == 0, audit.output[-3000:]
    assert writes(sandbox) == {} and github_seats(sandbox.state(), ORG) == before
    report = json.loads((reports / "audit.json").read_text())
    org, labs = report["products"]
    assert (org["platform"], org["platform_label"], org["product"]) == ("github", "GitHub Copilot", ORG)
    assert org["to_assign"] == ["dara-novak"]
    assert org["to_reclaim"] == ["ben-okafor", "sam-idle"]
    assert [item["user"] for item in org["kept_in_grace"]] == ["kai-new"] and org["grace_days"] == 7
    assert org["protected"] == ["breakglass-bot"] and org["max_reclaims"] == "2"
    # What the report adds for a product that returns it (generic keys, any platform).
    assert [item["user"] for item in org["kept_seats"]] == ["tina"]
    assert "granted through team platform" in org["kept_seats"][0]["reason"]
    assert [item["user"] for item in org["idle_reclaimed"]] == ["sam-idle"]
    assert org["idle_reclaimed"][0]["last_activity_at"].startswith(ago(200)[:10])
    assert [item["user"] for item in org["pending_cancellation"]] == ["hubot"]
    assert org["orphan_seats"] == 1
    assert labs["to_assign"] == ["ana-lima"] and labs["orphan_seats"] == 0 and labs["kept_seats"] == []
    totals = report["totals"]
    assert (totals["kept_seats"], totals["idle_reclaimed"], totals["pending_cancellation"], totals["orphan_seats"]) == (1, 1, 1, 1)
    summary = result(audit, RECONCILE)["products"][0]
    assert (summary["kept_seats"], summary["idle_reclaimed"], summary["pending_cancellation"], summary["orphan_seats"]) == (1, 1, 1, 1)

    html = (reports / "audit.html").read_text()
    assert "GitHub Copilot" in html
    for text in ("Kept: the platform will not reclaim them (1)", "granted through team platform",
                 "To reclaim as idle (1)", "sam-idle", "Pending cancellation (1)", "hubot", "Seats without a holder"):
        assert text in html, text

    plan = json.loads((reports / "audit.plan.json").read_text())
    planned = dict((product["label"], product) for product in plan["products"])
    assert planned[ORG]["to_reclaim"] == ["ben-okafor", "sam-idle"] and planned[ORG]["to_assign"] == ["dara-novak"]
    assert planned[LABS]["to_assign"] == ["ana-lima"]

    # The apply of the plan: exactly the planned writes, even with reclaim_inactive_days set for
    # the platform's modules (breakglass-bot is idle and protected: the plan keeps it).
    sandbox.clear_requests()
    apply = run_playbook(reconcile_play(90), env=ENV, extra_vars=dict(
        github_endpoints(sandbox), reconcile_plan_file=str(reports / "audit.plan.json"),
        reconcile_report_dir=str(reports), reconcile_report_name="apply"))
    assert apply.rc == 0, apply.output[-3000:]
    assert github_writes(sandbox) == {"DELETE /orgs/{org}/copilot/billing/selected_users": 1,
                                      "POST /orgs/{org}/copilot/billing/selected_users": 2}
    seats = github_seats(sandbox.state(), ORG)
    assert seats["ben-okafor"] == "pending" and seats["sam-idle"] == "pending"
    assert seats["dara-novak"] == "direct" and seats["breakglass-bot"] == "direct" and seats["kai-new"] == "direct"
    assert seats["tina"] == "team" and seats["ana-lima"] == "direct"
    assert github_holders(sandbox.state(), LABS) == ["ana-lima"]
    applied = json.loads((reports / "apply.json").read_text())
    org = applied["products"][0]
    assert org["plan"]["done"] == ["ben-okafor", "sam-idle", "dara-novak"] and org["plan"]["not_done"] == []
    assert [item["user"] for item in org["idle_reclaimed"]] == ["sam-idle"]
    assert [item["user"] for item in org["kept_seats"]] == ["tina"]
    # As the last call read them: the assignment, after the plan's reclaims.
    assert sorted(item["user"] for item in org["pending_cancellation"]) == ["ben-okafor", "hubot", "sam-idle"]
    assert org["orphan_seats"] == 1

    # In sync now: a second audit plans nothing.
    sandbox.clear_requests()
    again = run_playbook(reconcile_play(), check=True, env=ENV, extra_vars=dict(extra, reconcile_report_name="again"))
    assert again.rc == 0, again.output[-3000:]
    assert result(again, RECONCILE)["totals"]["to_assign"] == 0
    assert result(again, RECONCILE)["totals"]["to_reclaim"] == 0


def test_reconcile_guard_and_bad_section_for_copilot(sandbox, run_playbook, tmp_path):
    fresh(sandbox)
    desired = {"github_copilot": [{"organization": ORG, "users": ["ana-lima"], "max_reclaims": 1}]}
    extra = dict(github_endpoints(sandbox), reconcile_desired_state=desired, reconcile_report_dir=str(tmp_path),
                 reconcile_report_name="guarded")
    run = run_playbook(reconcile_play(), check=True, extra_vars=extra, env=ENV)
    assert run.rc != 0
    report = json.loads((tmp_path / "guarded.json").read_text())
    assert report["products"][0]["status"] == "error" and "Refusing to reclaim" in report["products"][0]["error"]

    sandbox.clear_requests()
    bad = {"github": [{"organization": ORG, "users": []}],
           "github_copilot": [{"organization": "-bad-", "users": ["not a login"]}]}
    run = run_playbook(reconcile_play(), check=True, env=ENV, extra_vars=dict(extra, reconcile_desired_state=bad))
    assert run.rc != 0
    message = result(run, RECONCILE)["msg"]
    assert "unknown top-level key github (expected datadog, msstore and github_copilot)" in message
    assert "github_copilot[0].organization" in message and "github_copilot[0]" in message
    assert sandbox.requests()["total"] == 0
