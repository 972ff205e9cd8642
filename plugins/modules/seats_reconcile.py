# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: seats_reconcile
short_description: Reconcile seats of many products with a desired-state file, and report
version_added: 0.1.0
description:
  - Reads a desired state (who should hold which Datadog product, which Microsoft Store
    product/SKU and a GitHub Copilot seat in which organization) on the controller, validates
    all of it before any API call, then runs one exclusive sync per product with
    M(seatops.seats.datadog_seats), M(seatops.seats.msstore_seat) or
    M(seatops.seats.github_copilot_seats) on the target, and writes a JSON and an HTML report on the
    controller, in check mode too (check mode is the audit).
  - The engine of the P(seatops.seats.reconcile#role) role; most people use the role.
  - One product's failure (a guard refusal, an unknown product) does not stop the others;
    it is reported, and the task fails at the end when O(fail_on_errors) is set.
  - Implemented as an action plugin, so that the per-product user lists never pass through
    Ansible's variable templating, which is slow at tens of thousands of names.
author:
  - seatops.seats maintainers (@seatops)
extends_documentation_fragment:
  - seatops.seats.seat_actions
  - ansible.builtin.action_common_attributes
  - action_common_attributes.flow
  - action_common_attributes.files
attributes:
  safe_file_operations:
    support: partial
    details:
      - The report and plan files on the controller are written whole (a temporary file in the same directory,
        then renamed over the target), but not with Ansible's file operation functions.
  vault:
    support: none
    details:
      - Files on the controller are read as they are; vault-encrypted ones are not decrypted.
  check_mode:
    support: full
    details:
      - Every product is synchronised in check mode (exact predictions); the report is still
        written, because it is the audit's output.
options:
  desired_state_file:
    description:
      - Path of the desired-state YAML file on the controller. Relative paths are searched
        like the C(file) lookup does (role and playbook C(files/) directories).
      - "The format: C(datadog:) a list of C({product_code, users, protected, max_reclaims,
        max_holders, grace_days, price}), C(msstore:) a list of C({product_id, sku_id, users, protected,
        max_reclaims, max_holders, grace_days, price}), C(github_copilot:) a list of C({organization,
        users, protected, max_reclaims, max_holders, grace_days, price}) (users are GitHub logins)."
      - C(price) (optional, C({amount, currency, period}), period V(month) or V(year)) is read only
        by the report - monthly cost and saving per product and per currency (C(docs/reconcile-report.md)).
      - C(max_holders) is the product's ceiling (see the seat modules' O(seatops.seats.datadog_seats#module:max_holders));
        a product whose plan would end above it is reported as an error and not changed, in
        check mode too. The report shows holders against it.
      - C(grace_days) keeps holders whose seat is younger than that many days (see
        O(seatops.seats.datadog_seats#module:grace_days)); the report lists them apart, as kept, not as drift.
      - Mutually exclusive with O(desired_state), O(plan_file) and O(plan); one of them is required.
    type: path
  desired_state:
    description: The desired state inline, in the same format as the file.
    type: dict
  max_reclaims:
    description: Reclaim guard for entries without their own C(max_reclaims) - a number or a percentage.
    type: raw
    default: "10%"
  grace_days:
    description:
      - Grace period in days for entries without their own C(grace_days) - holders not in the
        desired list whose seat was assigned more recently are kept and reported as kept.
      - V(0) (the default) turns it off.
    type: raw
    default: 0
  unknown_users:
    description: A desired name that matches nobody - V(warn) (listed as skipped), V(ignore) or V(fail).
    type: str
    choices: [fail, warn, ignore]
    default: warn
  report_dir:
    description: Directory on the controller for the report files; created when missing.
    type: path
    required: true
  report_name:
    description: Report file name without extension; default C(seat-report-<UTC timestamp>-<check|apply>).
    type: str
  html_template:
    description:
      - Jinja2 template of the HTML report (plain Jinja2, the report as C(reconcile_report)).
        The role passes its own. Without it only the JSON report is written.
    type: path
  fail_on_errors:
    description: Fail (after writing the report) when a product had an error or a per-user failure.
    type: bool
    default: true
  variable_prefix:
    description:
      - When set, the action takes each platform's connection endpoints the per-platform
        options leave out from the variables C(<variable_prefix><platform>_api_url) (and
        C(_auth_url) where the platform has one). The role passes V(reconcile_), so it names
        no platform (the platforms come from the registry).
    type: str
    default: ""
  plan_path:
    description:
      - In check mode, where the plan is written - JSON, format C(seatops.seats.reconcile_plan/1), see
        C(docs/plans.md). Per product it says whom the run would give a seat and whom it would take
        one from (kept in grace, protected and skipped too), the fingerprint of the holders it read,
        the guards, the desired state's digest, when and by which collection version it was made. It
        holds no credential.
      - Default - C(<report name>.plan.json) in O(report_dir). A plan is written in check mode only,
        and not when O(plan_file) or O(plan) is applied.
    type: path
  plan_file:
    description:
      - Apply this saved plan instead of a desired state - exactly its changes and nothing else, even
        when the desired-state file changed since. Per product at most two calls of the seat module,
        the planned reclaims (O(seatops.seats.datadog_seats#module:state=absent)), then the planned
        assignments, each naming exactly the plan's people.
      - Before any call, the plan is refused when its format is not C(seatops.seats.reconcile_plan/1),
        its digest does not match its content (edited or damaged), another collection version made
        it, or it is older than O(plan_max_age_hours).
      - A product whose holders changed since the plan (their fingerprint differs, see
        O(seatops.seats.datadog_seats#module:expect_holders_digest)) is handled as O(on_stale) says.
      - In check mode, predicts what applying the plan would do, and writes no new plan.
    type: path
  plan:
    description:
      - The plan itself (the content of a plan file), for example the audit's C(reconcile_plan)
        published with C(set_stats) and passed on by an AWX workflow. Checked and applied as
        O(plan_file) is.
    type: dict
  on_stale:
    description:
      - What to do with a product whose holders changed since the plan was made.
      - V(refuse) - fail that product before any write, saying how many hold a seat now and then; the
        other products are applied, and the task fails at the end when O(fail_on_errors) is set.
      - V(apply_rest) - apply the planned changes anyway, and only them. A planned change somebody
        already made comes back unchanged and is reported as done by someone else; nobody outside
        the plan is touched.
    type: str
    choices: [refuse, apply_rest]
    default: refuse
  plan_max_age_hours:
    description: A plan made longer ago than this many hours is refused before any call.
    type: float
    default: 24
seealso:
  - module: seatops.seats.datadog_seats
  - module: seatops.seats.msstore_seat
  - module: seatops.seats.github_copilot_seats
"""

EXAMPLES = r"""
- name: Audit seats against the desired state (run the play with --check --diff)
  seatops.seats.seats_reconcile:
    desired_state_file: desired-state.yml
    report_dir: /var/lib/seat-audit
    fail_on_errors: false
  register: audit

- name: Apply the plan an audit saved (after an approval), and nothing else
  seatops.seats.seats_reconcile:
    plan_file: /var/lib/seat-audit/seat-report-20261128T093000Z-check.plan.json
    report_dir: /var/lib/seat-audit

- name: Reconcile two products inline
  seatops.seats.seats_reconcile:
    desired_state:
      datadog:
        - product_code: incident_response
          users: [ana.lima@example.com, eli.silva@example.com]
          protected: [breakglass@example.com]
          max_reclaims: 2
        - product_code: on_call
          users: "{{ oncall_roster }}"
          max_holders: 40
          grace_days: 7
    report_dir: reports
"""

RETURN = r"""
mode:
  description: V(check) (audit, nothing written) or V(apply).
  returned: success
  type: str
  sample: check
generated_at:
  description: When the run started (UTC, ISO 8601); the report carries the same time.
  returned: success
  type: str
  sample: "2026-11-28T06:00:04Z"
report_json:
  description: Path of the JSON report (format C(seatops.seats.reconcile_report/1)) on the controller.
  returned: success
  type: str
  sample: /var/lib/seatops/reports/seat-report-20261128T060004Z-check.json
report_html:
  description: Path of the HTML report on the controller; null without O(html_template).
  returned: success
  type: str
  sample: /var/lib/seatops/reports/seat-report-20261128T060004Z-check.html
totals:
  description: Counts over all products.
  returned: success
  type: dict
  contains:
    products:
      description: Products in the desired state.
      type: int
      returned: always
    in_sync:
      description: Products already as desired.
      type: int
      returned: always
    with_changes:
      description: Products with seats to assign or reclaim.
      type: int
      returned: always
    with_errors:
      description: Products with an error or a failed change.
      type: int
      returned: always
    holders_before:
      description: Holders before the run, over all products.
      type: int
      returned: always
    holders_after:
      description: Holders after the run (in check mode, as predicted).
      type: int
      returned: always
    to_assign:
      description: Seats assigned (in check mode, to assign).
      type: int
      returned: always
    to_reclaim:
      description: Seats reclaimed (in check mode, to reclaim).
      type: int
      returned: always
    kept_in_grace:
      description: Holders kept by the grace period.
      type: int
      returned: always
    above_max_holders:
      description: Products above their ceiling (C(max_holders)).
      type: int
      returned: always
    skipped:
      description: Names skipped (unknown, disabled).
      type: int
      returned: always
    failed:
      description: Changes that failed.
      type: int
      returned: always
    on_demand:
      description: Seats above C(max_holders) on platforms without stock (whose API
        tells no capacity).
      type: int
      returned: always
    priced:
      description: Products with a price.
      type: int
      returned: always
    kept_seats:
      description: Holders the platform will not let the engine reclaim, such as GitHub
        Copilot seats granted through a team.
      type: int
      returned: always
    idle_reclaimed:
      description: Seats reclaimed, or to reclaim, for not being used (the seat modules'
        O(seatops.seats.github_copilot_seats#module:reclaim_inactive_days)).
      type: int
      returned: always
    pending_cancellation:
      description: Seats ending at the close of a billing cycle.
      type: int
      returned: always
    orphan_seats:
      description: Seats without a holder.
      type: int
      returned: always
  sample: {"products": 3, "in_sync": 1, "with_changes": 2, "with_errors": 0, "holders_before": 61,
           "holders_after": 60, "to_assign": 2, "to_reclaim": 3, "kept_in_grace": 1, "above_max_holders": 0,
           "skipped": 1, "failed": 0, "on_demand": 0, "priced": 2, "kept_seats": 1, "idle_reclaimed": 0,
           "pending_cancellation": 1, "orphan_seats": 0}
products:
  description:
    - Per product, what the run did (in check mode, would do), in the order of the desired state.
      The report lists the people.
  returned: success
  type: list
  elements: dict
  contains:
    platform:
      description: The platform - V(datadog), V(msstore) or V(github).
      type: str
      returned: always
    product:
      description: The product - the code, C(PRODUCTID/SKU) or the organization.
      type: str
      returned: always
    status:
      description: V(in sync), V(changes) or V(error).
      type: str
      returned: always
    to_assign:
      description: Seats assigned (in check mode, to assign).
      type: int
      returned: always
    to_reclaim:
      description: Seats reclaimed (in check mode, to reclaim).
      type: int
      returned: always
    kept_in_grace:
      description: Holders kept by the grace period.
      type: int
      returned: always
    skipped:
      description: Names skipped (unknown, disabled).
      type: int
      returned: always
    kept_seats:
      description: Holders the platform will not let the engine reclaim.
      type: int
      returned: always
    idle_reclaimed:
      description: Seats reclaimed, or to reclaim, for not being used.
      type: int
      returned: always
    pending_cancellation:
      description: Seats ending at the close of a billing cycle.
      type: int
      returned: always
    orphan_seats:
      description: Seats without a holder; null for a product whose module does not
        count them.
      type: int
      returned: always
    failed:
      description: Changes that failed.
      type: int
      returned: always
    holders_after:
      description: Holders after the run (in check mode, as predicted); null when the
        module did not say.
      type: int
      returned: always
    max_holders:
      description: The product's ceiling; null without one.
      type: int
      returned: always
    above_max_holders:
      description: Holders above the ceiling (0 at or under it); null without a ceiling.
      type: int
      returned: always
    available_seats:
      description: Seats still free (Microsoft Store); null on platforms without stock.
      type: int
      returned: always
    error:
      description: Why the product failed; null when it did not.
      type: str
      returned: always
    api_calls:
      description: The module's API calls per endpoint, plus C(total) (keyed by
        endpoint).
      type: dict
      returned: always
    plan:
      description: Applying a plan, the product's plan outcome.
      type: dict
      returned: when a plan is applied
      contains:
        planned_assign:
          description: Seats the plan assigns.
          type: int
          returned: always
        planned_reclaim:
          description: Seats the plan reclaims.
          type: int
          returned: always
        done:
          description: Planned changes this run made.
          type: int
          returned: always
        done_by_others:
          description: Planned changes somebody else had already made.
          type: int
          returned: always
        not_done:
          description: Planned changes that were not made.
          type: int
          returned: always
        stale:
          description: Whether the product was refused because its holders changed since
            the plan.
          type: bool
          returned: always
  sample:
    - platform: datadog
      product: incident_response
      status: changes
      to_assign: 1
      to_reclaim: 2
      kept_in_grace: 1
      skipped: 0
      kept_seats: 0
      idle_reclaimed: 0
      pending_cancellation: 0
      orphan_seats: null
      failed: 0
      holders_after: 24
      max_holders: 25
      above_max_holders: 0
      available_seats: null
      error: null
      api_calls: {"GET /api/v2/seats/users": 1, "POST /api/v2/seats/users": 1, "DELETE /api/v2/seats/users": 1, "total": 3}
plan_file:
  description:
    - In check mode, the path of the plan written (see O(plan_path)); applying a plan, the plan applied
      (O(plan_file), or C((inline plan <digest>)) for O(plan)).
  returned: success, in check mode or when a plan is applied
  type: str
  sample: /var/lib/seatops/reports/seat-report-20261128T060004Z-check.plan.json
"""
