#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: datadog_seats
short_description: Keep the seats of a Datadog product exactly as the playbook says
version_added: 0.1.0
description:
  - Assigns and reclaims seats of one Datadog product (for example C(incident_response))
    through the Datadog Seats API, for one user or tens of thousands in one task.
  - Reads every current holder first, then looks up only the names that are not among
    them, computes a plan, checks the reclaim guard, and writes in batches of at most 1000
    users. Results are derived from the module's own reads, never from what the API echoes.
  - Names among the holders need no user lookup. Other emails and handles are resolved
    with exact-match user lookups or one listing of all users, and UUIDs with a direct user
    lookup or that listing, whichever needs fewer API calls.
author:
  - seatops.seats maintainers (@seatops)
extends_documentation_fragment:
  - seatops.seats.datadog
  - seatops.seats.seat_sync
  - seatops.seats.attributes.SEAT
  - seatops.seats.attributes.DATADOG_GROUP
  - ansible.builtin.action_common_attributes
options:
  product_code:
    description:
      - The Datadog product whose seats are managed, for example V(incident_response).
      - The Seats API has no way to list or validate product codes; an unknown code fails
        at the first call with the API's message. An empty code, or one of digits only (an
        unquoted YAML number), fails before any call.
    type: str
    required: true
  users:
    description:
      - The people this task is about, each an email, a handle or a user UUID. Something
        shaped like a UUID must be a valid one; an entry with C(@) must be a plausible email
        or handle. Duplicates that differ only in case are folded.
      - An email or handle matches the Datadog user whose C(email) or C(handle) is exactly
        that, case-insensitively. A name matching several users is reported, never guessed.
      - With O(state=present), they get a seat; with O(state=absent), their seat is reclaimed.
      - Leaving O(users) out never reclaims anybody. An explicit empty list with
        O(exclusive=true) means "nobody", which the O(max_reclaims) guard exists for.
  allow_disabled:
    description:
      - Service accounts get a seat only when this is V(true).
      - Disabled users never get a new seat, whatever this option says (Datadog refuses
        them); they are skipped with a warning and listed in RV(skipped_users).
      - Seats already held by disabled users or service accounts are kept when they are in
        O(users) or O(protected), and can always be reclaimed with O(state=absent) or
        O(exclusive=true), which is what offboarding needs.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    details:
      - Reads current holders and looks up names, computes the same plan, grace period,
        reclaim guard and O(max_holders) ceiling as a real run, then stops before the first
        write. RV(changed) and the lists are the prediction. Only read permissions are needed.
      - Set O(max_holders) to your committed seat count to have check mode (and every run)
        refuse a plan that would go on demand.
      - What it cannot predict - the Seats API tells no seat capacity, committed seat count,
        on-demand count or price, and never refuses an assignment for capacity (seats beyond
        the commitment are billed on demand). So check mode cannot say whether an assignment
        would be billed on demand, nor foresee a refusal Datadog gives only on the write
        itself (for example a user disabled between the check and the apply).
notes:
  - Seats are reclaimed before any is assigned. Datadog bills the month's peak number of
    holders and a seat removed during the month still counts for it, so a run that swaps
    holders never raises the peak.
  - O(protected) names are looked up only when O(exclusive=true) would otherwise reclaim
    somebody; a protected name that matches nobody is handled as O(unknown_users) says.
  - With O(state=absent), names that are not holders are still looked up, so that a name
    matching nobody is reported as O(unknown_users) says.
  - A write refused with HTTP 422 naming some user UUIDs is sent again without them; those
    users are listed in RV(failed_users) and the task fails after the other changes are made.
  - A write refused with HTTP 422 that names none of its user UUIDs (Datadog does not
    document that message) is split in halves and each half sent again, recursively, until
    each refused user has been refused alone; exactly those users are listed in
    RV(failed_users) with Datadog's message, and everybody else is changed. This costs at
    most 2 x ceil(log2(batch size)) extra write calls per refused user, 20 for a batch of 1000.
  - Seat holders are read 1000 a page. Datadog documents no maximum page size; if it refuses
    C(page[limit]=1000) with HTTP 400, the module reads 100 a page for the rest of the run,
    counts the refused call in RV(api_calls) and says so in one warning.
  - An HTTP 401 or 403 names every permission that would do for the failing call; reads need
    one of C(billing_read), C(incident_read) or C(on_call_read) (and C(user_access_read) for
    user look-ups), writes one of C(billing_edit), C(incident_write) or C(on_call_write).
  - After any write that failed with a 5xx or a connection error, or was retried, the
    module reads the holders again, so RV(assigned), RV(reclaimed) and RV(failed_users) are true.
seealso:
  - module: seatops.seats.datadog_seats_info
  - name: Datadog Seats API
    description: The API this module uses.
    link: https://docs.datadoghq.com/api/latest/seats/
"""

EXAMPLES = r"""
- name: Give two people an Incident Response seat (additive)
  seatops.seats.datadog_seats:
    product_code: incident_response
    users:
      - ana.lima@example.com
      - Bruno.Costa@Example.com
    api_key: "{{ dd_api_key }}"
    app_key: "{{ dd_app_key }}"

- name: Reclaim the seat of someone who left
  seatops.seats.datadog_seats:
    product_code: incident_response
    users: [carla.mendes@example.com]
    state: absent
    journal: /var/log/seatops/datadog.jsonl

- name: Make the on-call roster the exact holders, keeping the break-glass account
  seatops.seats.datadog_seats:
    product_code: incident_response
    users: "{{ oncall_roster }}"
    exclusive: true
    protected: [breakglass@example.com]
    max_reclaims: 25%
  register: sync

- name: Exact on-call holders within the 40 committed seats, keeping seats claimed this week
  seatops.seats.datadog_seats:
    product_code: on_call
    users: "{{ oncall_roster }}"
    exclusive: true
    grace_days: 7
    max_holders: 40

- name: Credentials once for every Datadog task of the play (AWX can inject DD_* instead)
  module_defaults:
    group/seatops.seats.datadog:
      site: datadoghq.eu
      api_key: "{{ dd_api_key }}"
      app_key: "{{ dd_app_key }}"
  block:
    - name: Preview the change without writing anything
      seatops.seats.datadog_seats:
        product_code: incident_response
        users: "{{ oncall_roster }}"
        exclusive: true
      check_mode: true
      diff: true
      register: preview

    - name: Show what would change
      ansible.builtin.debug:
        msg: "{{ preview.assigned | length }} to assign, {{ preview.reclaimed | length }} to reclaim"
"""

RETURN = r"""
changed:
  description: Whether any seat was assigned or reclaimed (in check mode, would be).
  returned: always
  type: bool
  sample: true
product_code:
  description: The product the task managed.
  returned: always
  type: str
  sample: incident_response
assigned:
  description:
    - Users given a seat by this run (in check mode, who would be), sorted by email.
    - Empty when the run failed before any write.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The user UUID.
      type: str
      returned: always
      sample: 0b8c5e06-5b1c-4f5e-9a52-0c3a1c6a9b11
    email:
      description: The user's email, lower-case (null if Datadog has none).
      type: str
      returned: always
      sample: ana.lima@example.com
  sample: [{"id": "0b8c5e06-5b1c-4f5e-9a52-0c3a1c6a9b11", "email": "ana.lima@example.com"}]
reclaimed:
  description:
    - Users whose seat this run reclaimed (in check mode, whose would be), sorted by email.
    - Empty when the run failed before any write.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The user UUID.
      type: str
      returned: always
    email:
      description: The user's email, lower-case (null if Datadog has none).
      type: str
      returned: always
  sample: []
unchanged:
  description: How many of O(users) already were as wanted (holding with O(state=present),
    not holding with O(state=absent)).
  returned: success, and when seat changes failed (the task fails, failed_users not empty)
  type: int
  sample: 12
kept_in_grace:
  description:
    - Holders not in O(users) that O(exclusive=true) kept because their seat was assigned
      fewer than O(grace_days) days ago, sorted. They are neither drift nor counted by
      O(max_reclaims); the run after the grace period reclaims them unless they are listed.
    - Empty without O(grace_days), and when the run failed before planning.
  returned: always
  type: list
  elements: dict
  contains:
    user:
      description: The user's email (or UUID when Datadog has no email).
      type: str
      returned: always
    assigned_at:
      description: When the seat was assigned, as the API gave it.
      type: str
      returned: always
  sample: [{"user": "oncall.sam@example.com", "assigned_at": "2026-11-27T22:14:03Z"}]
skipped_users:
  description:
    - Names left out before planning, each with the reason (unknown or ambiguous with
      O(unknown_users=warn) or V(ignore); disabled users and service accounts refused a seat).
    - Also on a failure after the names were looked up (a refused guard, for example);
      empty when the run failed earlier.
  returned: always
  type: list
  elements: dict
  contains:
    user:
      description: The name as given.
      type: str
      returned: always
    reason:
      description: Why it was skipped.
      type: str
      returned: always
  sample: [{"user": "ghost@example.com", "reason": "no Datadog user has this email or handle"}]
failed_users:
  description:
    - Changes that did not happen, each with the API's reason. When not empty, the task
      fails, after making every change it could.
    - A reason that starts with C(outcome unknown) means nobody could tell whether the change
      happened (the call's answer was lost and re-reading the holders failed too); the
      O(journal) says C(unknown) for the same user. The next run reads first and repairs it.
    - Empty when the run failed before any write (the message says why).
    - Named C(failed_users) rather than C(failed), which Ansible reserves for the task status.
  returned: always
  type: list
  elements: dict
  contains:
    user:
      description: The user's email (or UUID when Datadog has no email).
      type: str
      returned: always
    reason:
      description: Why the change failed.
      type: str
      returned: always
  sample: []
holders_count:
  description: How many users hold a seat after the run (in check mode, would hold).
  returned: success, when seat changes failed (the task fails, failed_users not empty),
    and when O(max_holders) refused the plan (then the count before the run)
  type: int
  sample: 42
holders_digest:
  description:
    - The fingerprint of the holders the task read first, before any change - the sha256 (hex)
      of their user UUIDs, lower-case and sorted, one per line.
    - Give it back as O(expect_holders_digest) to refuse a later run if the holders moved meanwhile.
    - Also on a failure after that read (a refused guard, or O(expect_holders_digest) not
      matching, then it is the fingerprint found).
  returned: when the holders were read
  type: str
  sample: 9f2c1c0e4b8f6f8a5d0f3f1e2a7c4b6d8e0a1c3b5d7f9e1a3c5b7d9f1e3a5c7d
api_calls:
  description:
    - API calls made, per endpoint (method and path template), plus C(total). Retries
      count as calls.
  returned: always
  type: dict
  sample: {"GET /api/v2/seats/users": 1, "POST /api/v2/seats/users": 1, "total": 2}
diff:
  description: Holders' emails (UUID when there is no email), sorted, before and after.
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
      sample: {"holders": ["ana.lima@example.com"]}
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
      sample: {"holders": ["ana.lima@example.com", "bruno.costa@example.com"]}
  sample: {"before": {"holders": ["ana.lima@example.com"]}, "after": {"holders": ["ana.lima@example.com", "bruno.costa@example.com"]}}
"""

from ansible_collections.seatops.seats.plugins.module_utils._platforms import get as registry_entry
from ansible_collections.seatops.seats.plugins.module_utils._seat_module import run_seat_module


def main():
    run_seat_module(registry_entry("datadog"))


if __name__ == "__main__":
    main()
