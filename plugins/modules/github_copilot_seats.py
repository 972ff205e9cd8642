#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: github_copilot_seats
short_description: Keep the GitHub Copilot Business seats of an organization exactly as the playbook says
version_added: 0.2.0
description:
  - Assigns and reclaims the Copilot Business seats of one GitHub organization, for one
    person or tens of thousands in one task.
  - Reads the organization's Copilot settings, then every seat (100 a page, following
    GitHub's C(Link) headers, so an organization of more than 50 seats is read whole),
    computes a plan, checks the guards, and writes at most 100 logins a call, at least a
    second apart. Results are derived from the module's own reads, never from the counts
    GitHub's write answers carry.
  - A seat pending cancellation is not held - giving it again revokes the cancellation, a
    change. A seat granted through a team is held but never reclaimed one person at a time
    (GitHub refuses it; the team must change). A seat without an assignee is reported in
    RV(orphan_seats) and never touched.
author:
  - seatops.seats maintainers (@seatops)
extends_documentation_fragment:
  - seatops.seats.github
  - seatops.seats.seat_sync
  - seatops.seats.attributes.SEAT
  - seatops.seats.attributes.GITHUB_GROUP
  - ansible.builtin.action_common_attributes
options:
  organization:
    description:
      - The login of the GitHub organization whose Copilot seats are managed, for example
        V(acme). Compared without regard to case.
    type: str
    required: true
  users:
    description:
      - GitHub logins (not emails), compared without regard to case and sent as written.
      - With O(state=present), each must be a member of O(organization). Logins without a
        seat are checked first (one membership read each), because GitHub may invite a
        non-member named in a seat assignment; a non-member, an unknown login and a pending
        invitation are handled as O(unknown_users) says, and never sent.
      - With O(state=absent), a login that holds no seat is already as wanted, and one whose
        seat is granted through a team is handled as O(team_granted_users) says.
  reclaim_inactive_days:
    description:
      - Also reclaim the seats of holders not in O(users) who have not used Copilot for this
        many days - C(last_activity_at), or for a holder who never used it, when the seat was
        given (C(created_at)). With or without O(exclusive).
      - O(protected), O(grace_days) and the O(max_reclaims) guard apply to these reclaims;
        seats granted through a team are reported in RV(kept_seats) instead. People named in
        O(users) keep their seat whatever their activity.
      - GitHub's C(last_activity_at) may lag by up to a day; choose a number of days well
        above that.
    type: int
  confirm_reclaim_all:
    description:
      - A plan that would leave the organization without any Copilot seat is refused unless
        this is V(true), on top of O(max_reclaims), because GitHub cancels the Copilot plan of an
        organization without seats.
    type: bool
    default: false
  team_granted_users:
    description:
      - What O(state=absent) does with a login whose seat is granted through a team, which
        this module cannot reclaim (the person must leave the team, or the team be
        deselected).
      - V(fail) fails the task before any write, naming the team. V(warn) reclaims the other
        seats and lists these people in RV(skipped_users) with a warning.
    type: str
    choices: [fail, warn]
    default: fail
attributes:
  check_mode:
    support: full
    details:
      - Reads the settings and seats and checks memberships, computes the same plan, guards
        and O(max_holders) ceiling as a real run, then stops before the first write.
      - When the organization's seat management is not C(selected members), or its public
        code suggestions policy is not set, GitHub refuses every seat write; a plan with
        changes then fails in check mode too, saying so.
notes:
  - Seats are reclaimed before any is assigned. A reclaimed seat stays billed (and listed by
    GitHub as pending cancellation) until the end of the organization's billing cycle.
  - GitHub answers HTTP 404 alike for an unknown organization, one without Copilot Business,
    a token without the right scope and a caller who is not an owner; the message says all four.
  - A write GitHub refuses with HTTP 422 is split in halves, recursively, until each refused
    login is alone; exactly those are listed in RV(failed_users). When the organization's
    settings changed since the read, every write stops instead.
  - A write whose count is below the logins sent, or that was retried, makes the module
    read the seats again before it reports outcomes. When that read shows no change at all
    after writes GitHub accepted (it may show seat changes late, as right after another run),
    the changes are reported as asked for, with a warning saying so.
seealso:
  - module: seatops.seats.github_copilot_seats_info
  - name: GitHub Copilot user management REST API
    description: The API this module uses.
    link: https://docs.github.com/en/rest/copilot/copilot-user-management
"""

EXAMPLES = r"""
- name: Give two members a Copilot seat (additive)
  seatops.seats.github_copilot_seats:
    organization: acme
    users: [mona, Hubot]
    token: "{{ github_token }}"

- name: Reclaim the seat of someone who left
  seatops.seats.github_copilot_seats:
    organization: acme
    users: [octocat]
    state: absent
    journal: /var/log/seatops/github.jsonl

- name: Pay only for seats in use - reclaim seats idle for 60 days, keeping the bot account
  seatops.seats.github_copilot_seats:
    organization: acme
    reclaim_inactive_days: 60
    protected: [acme-ci-bot]
    max_reclaims: 20

- name: Make the engineering roster the exact holders, keeping seats given this week
  seatops.seats.github_copilot_seats:
    organization: acme
    users: "{{ engineers }}"
    exclusive: true
    grace_days: 7
    max_reclaims: 10%
  check_mode: true
  diff: true
  register: preview
"""

RETURN = r"""
changed:
  description: Whether any seat was assigned or reclaimed (in check mode, would be).
  returned: always
  type: bool
  sample: true
organization:
  description: The organization the task managed (lower-case once checked).
  returned: always
  type: str
  sample: acme
seat_management_setting:
  description: The organization's Copilot seat management setting as GitHub reported it
    (V(assign_selected) is the one that lets this module write).
  returned: success, and when the plan was refused because of the organization's settings
  type: str
  sample: assign_selected
assigned:
  description:
    - Logins given a seat by this run (in check mode, who would be), a seat pending
      cancellation given again included. Empty when the run failed before any write.
  returned: always
  type: list
  elements: str
  sample: [mona]
reclaimed:
  description:
    - Logins whose seat this run set to pending cancellation (in check mode, whose would
      be). Empty when the run failed before any write.
  returned: always
  type: list
  elements: str
  sample: [octocat]
unchanged:
  description: How many of O(users) already were as wanted.
  returned: success, and when seat changes failed
  type: int
  sample: 12
kept_in_grace:
  description: Holders that O(exclusive=true) or O(reclaim_inactive_days) kept because their
    seat is younger than O(grace_days) days.
  returned: always
  type: list
  elements: dict
  contains:
    user:
      description: The login.
      type: str
      returned: always
    assigned_at:
      description: When the seat was given (C(created_at)), as GitHub wrote it.
      type: str
      returned: always
  sample: [{"user": "newhire", "assigned_at": "2026-11-27T09:12:44Z"}]
kept_seats:
  description:
    - Holders that O(exclusive=true) or O(reclaim_inactive_days) would reclaim but this
      module cannot - their seat is granted through a team - with the reason naming it.
  returned: always
  type: list
  elements: dict
  contains:
    user:
      description: The login.
      type: str
      returned: always
    reason:
      description: Why the seat is kept, naming the team.
      type: str
      returned: always
  sample: [{"user": "sre-sam", "reason": "granted through team platform: remove the person from that team (or deselect the team) to reclaim it"}]
idle_reclaimed:
  description: Holders reclaimed (in check mode, to be) because they were idle for
    O(reclaim_inactive_days), with their last activity (null when never used).
  returned: when O(reclaim_inactive_days) is set and the plan was made
  type: list
  elements: dict
  contains:
    user:
      description: The login.
      type: str
      returned: always
    last_activity_at:
      description: The last Copilot activity GitHub reported, null when never.
      type: str
      returned: always
  sample: [{"user": "idle-ian", "last_activity_at": "2026-07-01T10:00:00Z"}]
pending_cancellation:
  description: Seats that were pending cancellation when the run read them (read again after
    an uncertain write) and that this run did not give again - they end with the billing
    cycle - with their date. Seats this run reclaimed are in RV(reclaimed).
  returned: always
  type: list
  elements: dict
  contains:
    user:
      description: The login.
      type: str
      returned: always
    pending_cancellation_date:
      description: The first day of the next billing cycle, when the seat ends.
      type: str
      returned: always
  sample: [{"user": "octocat", "pending_cancellation_date": "2026-12-01"}]
orphan_seats:
  description: Seats GitHub lists without an assignee; reported, never touched.
  returned: always
  type: int
  sample: 0
skipped_users:
  description: Logins left out before planning, each with the reason (not a member, a
    pending invitation, a team-granted seat with O(team_granted_users=warn)).
  returned: always
  type: list
  elements: dict
  contains:
    user:
      description: The login as given.
      type: str
      returned: always
    reason:
      description: Why it was skipped.
      type: str
      returned: always
  sample: [{"user": "ghost", "reason": "is not a member of organization acme"}]
failed_users:
  description:
    - Changes that did not happen, each with GitHub's reason. When not empty, the task
      fails after making every change it could.
  returned: always
  type: list
  elements: dict
  contains:
    user:
      description: The login.
      type: str
      returned: always
    reason:
      description: Why the change failed.
      type: str
      returned: always
  sample: []
holders_count:
  description: How many people hold an active seat after the run (in check mode, would),
    team-granted seats included.
  returned: success, when seat changes failed, and when O(max_holders) refused the plan
  type: int
  sample: 42
holders_digest:
  description: The fingerprint of the holders read first - the sha256 (hex) of their logins,
    lower-case and sorted, one per line. Give it back as O(expect_holders_digest).
  returned: when the holders were read
  type: str
  sample: 9f2c1c0e4b8f6f8a5d0f3f1e2a7c4b6d8e0a1c3b5d7f9e1a3c5b7d9f1e3a5c7d
api_calls:
  description: API calls made, per endpoint (method and path template), plus C(total).
    Retries count as calls.
  returned: always
  type: dict
  sample: {"GET /orgs/{org}/copilot/billing": 1, "GET /orgs/{org}/copilot/billing/seats": 1, "total": 2}
last_activity:
  description: Every holder's last Copilot activity as read before the run's changes (null
    when never used), sorted by login. In diff mode only, because at tens of thousands of
    seats it is large.
  returned: in diff mode, when the seats were read
  type: list
  elements: dict
  contains:
    user:
      description: The login.
      type: str
      returned: always
    last_activity_at:
      description: The last Copilot activity GitHub reported, null when never.
      type: str
      returned: always
  sample: [{"user": "mona", "last_activity_at": "2026-11-20T16:02:10Z"}]
diff:
  description: Holders' logins, sorted, before and after.
  returned: in diff mode, success
  type: dict
  contains:
    before:
      description: Holders before the run.
      type: dict
      returned: always
      contains:
        holders:
          description: The holders, sorted.
          type: list
          elements: str
          returned: always
      sample: {"holders": ["mona"]}
    after:
      description: Holders after the run (in check mode, as predicted).
      type: dict
      returned: always
      contains:
        holders:
          description: The holders, sorted.
          type: list
          elements: str
          returned: always
      sample: {"holders": ["hubot", "mona"]}
  sample: {"before": {"holders": ["mona"]}, "after": {"holders": ["hubot", "mona"]}}
"""

from ansible_collections.seatops.seats.plugins.module_utils._platforms import get as registry_entry
from ansible_collections.seatops.seats.plugins.module_utils._seat_module import run_seat_module


def main():
    run_seat_module(registry_entry("github"))


if __name__ == "__main__":
    main()
