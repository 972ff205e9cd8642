# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: seats_onboard
short_description: Give new people their Datadog, Microsoft Store and GitHub Copilot seats, additively, one call per product
version_added: 0.2.0
description:
  - Checks every person and product before any API call (with the seat modules' own rules),
    groups people by product on the controller, then makes one
    M(seatops.seats.datadog_seats), M(seatops.seats.msstore_seat) or
    M(seatops.seats.github_copilot_seats) call (C(state=present)) per product with everyone
    entitled to it. Nobody loses a seat; re-running changes nothing.
  - GitHub Copilot gives seats to organization members only - a login that is not a member
    (or has not accepted the invitation yet) is an unknown user, never invited.
  - One product's failure (an unknown person with O(unknown_users=fail), a full product, an
    API error) does not stop the others; the task fails at the end and its message and
    RV(failures) name every product and person that failed and why.
  - The engine of the P(seatops.seats.onboarding#role) role; most people use the role.
author:
  - seatops.seats maintainers (@seatops)
extends_documentation_fragment:
  - seatops.seats.seat_actions
  - ansible.builtin.action_common_attributes
  - action_common_attributes.flow
attributes:
  check_mode:
    support: full
    details:
      - The seat modules run in check mode, so RV(products) and the counts are exact predictions.
options:
  people:
    description:
      - The people, each a mapping with C(email) (Datadog email, handle or user UUID),
        C(upn) (Microsoft Store user principal name) and/or C(login) (GitHub login); a name
        that is missing is served by the first one given (an email never serves as a login).
      - Optional C(datadog_products) (product codes), C(msstore_products) (C({product_id, sku_id}))
        and C(github_products) (organizations) on a person add to O(datadog_products),
        O(msstore_products) and O(github_products) for that person.
    type: list
    elements: raw
    required: false
    default: []
  datadog_products:
    description:
      - Datadog product codes every person gets a seat of.
      - When not given and O(variable_prefix) is set, the variable C(<variable_prefix>datadog_products).
    type: list
    elements: raw
  msstore_products:
    description:
      - Microsoft Store products every person gets a seat of, each C({product_id, sku_id}), the
        SKU id a quoted string (V("0016")).
      - When not given and O(variable_prefix) is set, the variable C(<variable_prefix>msstore_products).
    type: list
    elements: raw
  github_products:
    description:
      - GitHub organizations every person gets a Copilot seat in (V(acme)).
      - When not given and O(variable_prefix) is set, the variable C(<variable_prefix>github_products).
    type: list
    elements: raw
  unknown_users:
    description:
      - A person who does not exist on a platform - V(fail) (that product changes nothing and
        the task fails at the end), V(warn) or V(ignore) (the person is skipped).
    type: str
    choices: [fail, warn, ignore]
    default: fail
  fail_on_errors:
    description:
      - Fail the task when a seat could not be assigned (after every other product ran). Input
        problems always fail.
      - The role sets V(false) and fails in a later task, after publishing the summary.
    type: bool
    default: true
  variable_prefix:
    description:
      - Put before the option names in messages about the input, so a problem names the
        variable the user set. The role passes V(onboarding_), which makes a problem read
        C(onboarding_people[0].email ...).
      - When set, the action also takes each platform's role variables that its own options
        leave out - C(<variable_prefix><platform>_products) and the endpoints
        C(<variable_prefix><platform>_api_url) (and C(_auth_url) where the platform has one) -
        so the role names no platform (the platforms come from the registry).
    type: str
    default: ""
seealso:
  - module: seatops.seats.datadog_seats
  - module: seatops.seats.msstore_seat
  - module: seatops.seats.github_copilot_seats
  - module: seatops.seats.seats_offboard
"""

EXAMPLES = r"""
- name: Onboard two people
  seatops.seats.seats_onboard:
    people:
      - {email: ana.lima@example.com, upn: ana@contoso.com}
      - email: bob@contoso.com           # the same name on both platforms
        datadog_products: [apm_pro]      # Bob also gets APM
    datadog_products: [incident_response]
    msstore_products:
      - {product_id: 9NBLGGH4R2R6, sku_id: "0016"}
  register: onboarding

- name: Give two developers a GitHub Copilot seat in two organizations
  seatops.seats.seats_onboard:
    people:
      - {email: ana.lima@example.com, login: ana-lima}
      - {login: octocat}
    github_products: [acme, acme-labs]
  environment:
    GITHUB_TOKEN: "{{ vault_github_token }}"
"""

RETURN = r"""
mode:
  description: V(check) (nothing was changed) or V(apply).
  returned: when the options are valid
  type: str
  sample: apply
msg:
  description: The summary - seats assigned per platform, people skipped, and every failure with its reason.
  returned: always
  type: str
  sample: "Assigned 2 Datadog and 1 Microsoft Store seat(s) to 2 people on 2 product(s)."
problems:
  description: Every problem in the input (each naming the option and index); nothing was called.
  returned: when the input has problems
  type: list
  elements: str
  sample: ["people[1] needs email, upn or login"]
assigned_count:
  description: Seats assigned on all products (in check mode, that would be).
  returned: after the calls
  type: int
  sample: 3
failed_count:
  description: How many entries RV(failures) has.
  returned: after the calls
  type: int
  sample: 0
failures:
  description: Everything that could not be assigned - the platform, the product, the people and why.
  returned: after the calls
  type: list
  elements: dict
  contains:
    platform:
      description: The platform - V(datadog), V(msstore) or V(github).
      type: str
      returned: always
    product:
      description: The product (the code, C(PRODUCTID/SKU) or the organization).
      type: str
      returned: always
    users:
      description: The people the failure is about.
      type: list
      elements: str
      returned: always
    reason:
      description: Why, in the module's or the API's words.
      type: str
      returned: always
  sample: [{"platform": "datadog", "product": "apm_pro", "users": ["nobody@example.com"],
            "reason": "no Datadog user has this email or handle"}]
skipped:
  description: People a module skipped (unknown with O(unknown_users=warn) or V(ignore), disabled), each with
    C(platform), C(product), C(user) and C(reason).
  returned: after the calls
  type: list
  elements: dict
  contains:
    platform:
      description: The platform - V(datadog), V(msstore) or V(github).
      type: str
      returned: always
    product:
      description: The product (the code, C(PRODUCTID/SKU) or the organization).
      type: str
      returned: always
    user:
      description: The name as given.
      type: str
      returned: always
    reason:
      description: Why it was skipped.
      type: str
      returned: always
  sample: [{"platform": "datadog", "product": "apm_pro", "user": "ghost@example.com",
            "reason": "no Datadog user has this email or handle"}]
products:
  description:
    - Per product, the seat module's own result (C(changed), C(assigned), C(reclaimed),
      C(unchanged), C(skipped_users), C(failed_users), C(holders_count), C(available_seats) on
      the Store, C(api_calls), C(failed), C(msg) on failure) with C(platform), C(product) (the
      code or C(PRODUCTID/SKU)) and the product's identifier fields.
    - Its keys are the seat module's own (see that module's return values), so they are
      described here rather than as fixed fields.
  returned: after the calls
  type: list
  elements: dict
  sample:
    - platform: datadog
      product: apm_pro
      product_code: apm_pro
      changed: true
      failed: false
      assigned: [{"id": "0b8c5e06-5b1c-4f5e-9a52-0c3a1c6a9b11", "email": "ana.lima@example.com"}]
      reclaimed: []
      unchanged: 0
      kept_in_grace: []
      skipped_users: []
      failed_users: []
      holders_count: 43
      api_calls: {"GET /api/v2/seats/users": 1, "POST /api/v2/seats/users": 1, "total": 2}
"""
