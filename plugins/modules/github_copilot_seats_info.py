#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: github_copilot_seats_info
short_description: List the GitHub Copilot seats of organizations, with their activity
version_added: 0.2.0
description:
  - Lists every Copilot seat of one or more GitHub organizations (all pages) with its
    state, the team that granted it, its pending cancellation date and the holder's last
    activity, and the organization's Copilot settings and seat breakdown. Read-only.
  - With O(inactive_days), also lists the idle seats - holders without Copilot activity
    for that many days - for audits of what is paid for but unused.
  - With O(max_holders), also compares the holders of each organization named with a
    ceiling (RV(ceilings)).
author:
  - seatops.seats maintainers (@seatops)
extends_documentation_fragment:
  - seatops.seats.github
  - seatops.seats.attributes.INFO_MODULE
  - seatops.seats.attributes.GITHUB_GROUP
  - ansible.builtin.action_common_attributes
options:
  organizations:
    description:
      - The logins of the organizations whose seats are listed, for example V(acme).
    type: list
    elements: str
    required: true
  users:
    description:
      - List only the seats of these logins (compared without regard to case); those holding
        no active seat in any of O(organizations) are in RV(not_holding).
    type: list
    elements: str
  inactive_days:
    description:
      - List in RV(organizations) C(idle) the holders whose last Copilot activity (or, never
        active, the day their seat was given) is at least this many days old.
    type: int
  max_holders:
    description:
      - A ceiling per organization, C({organization - ceiling}); each must be one of
        O(organizations). RV(ceilings) then compares every holder of the organization with
        it, whatever O(users) says.
    type: dict
"""

EXAMPLES = r"""
- name: Audit the Copilot seats of two organizations, with seats idle for 30 days
  seatops.seats.github_copilot_seats_info:
    organizations: [acme, acme-labs]
    inactive_days: 30
    token: "{{ github_token }}"
  register: copilot

- name: Show who pays for Copilot without using it
  ansible.builtin.debug:
    msg: "{{ copilot.organizations.acme.idle | map(attribute='login') | list }}"

- name: Does this leaver still hold a seat anywhere?
  seatops.seats.github_copilot_seats_info:
    organizations: [acme, acme-labs]
    users: [octocat]
  register: leaver
  failed_when: leaver.not_holding | length == 0
"""

RETURN = r"""
organizations:
  description:
    - Per organization, keyed by its lower-case login, its settings and seats. (The keys are
      the organizations' logins, so their fields are described here rather than under a
      fixed key.)
    - C(seat_management_setting) (str) - V(assign_selected) lets seats be assigned through
      the API; V(assign_all), V(disabled) and V(unconfigured) make GitHub refuse every seat
      write.
    - C(writable) (bool) - whether GitHub would take seat writes (the setting is
      V(assign_selected) and a public code suggestions policy is set).
    - C(settings) (dict) - the other settings GitHub reports (C(plan_type),
      C(public_code_suggestions), C(ide_chat), C(platform_chat), C(cli)).
    - C(seat_breakdown) (dict) - GitHub's own counts for the billing cycle (C(total),
      C(pending_cancellation), C(active_this_cycle), ...).
    - C(holders) (int) - how many active seats (direct or granted through a team) the
      organization has.
    - C(seats) (list of dicts) - the seats (of O(users) only, when given), sorted by login,
      each with C(login) (null for a seat without an assignee), C(state) (V(direct),
      V(team) - granted through a team, V(pending_cancellation) or V(orphan) - no
      assignee), C(team) (the slug of the team that granted it, null for a direct seat),
      C(pending_cancellation_date), C(created_at) (when the seat was last given),
      C(last_activity_at) (may lag a day, null when never), C(last_activity_editor),
      C(last_authenticated_at), C(plan_type) (null when GitHub does not say) and C(id) (the
      holder's numeric GitHub id).
    - C(idle) (list of dicts, only with O(inactive_days)) - holders idle for O(inactive_days)
      or more, with C(login), C(last_activity_at), C(last_activity_editor), C(created_at)
      and C(team).
  returned: success
  type: dict
  sample:
    acme:
      seat_management_setting: assign_selected
      writable: true
      settings: {"plan_type": "business", "public_code_suggestions": "block"}
      seat_breakdown: {"total": 2, "pending_cancellation": 1}
      holders: 1
      seats:
        - {"login": "mona", "state": "direct", "team": null, "created_at": "2026-03-03T09:12:44Z",
           "last_activity_at": "2026-11-20T16:02:10Z", "pending_cancellation_date": null}
not_holding:
  description: Logins of O(users) holding no active seat in any of O(organizations).
  returned: when O(users) is given
  type: list
  elements: str
  sample: [octocat]
ceilings:
  description: Per organization of O(max_holders), C(holders), C(max_holders) and C(above),
    how many holders there are beyond the ceiling (C(holders) minus C(max_holders), 0 at or
    under it).
  returned: success
  type: dict
  sample: {"acme": {"holders": 42, "max_holders": 40, "above": 2}}
api_calls:
  description: API calls made, per endpoint, plus C(total).
  returned: always
  type: dict
  sample: {"GET /orgs/{org}/copilot/billing": 1, "GET /orgs/{org}/copilot/billing/seats": 3, "total": 4}
"""

from ansible_collections.seatops.seats.plugins.module_utils._platforms import get as registry_entry
from ansible_collections.seatops.seats.plugins.module_utils._seat_module import run_info_module


def main():
    run_info_module(registry_entry("github"))


if __name__ == "__main__":
    main()
