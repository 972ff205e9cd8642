# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: seats_offboard
short_description: Reclaim every seat of leavers with a record that can undo it, or restore from that record
version_added: 0.2.0
description:
  - Checks every leaver and product code before any API call, then reclaims every seat the
    leavers hold. Microsoft Store - finds every seat each leaver holds across all products with
    M(seatops.seats.msstore_seat_info), then one M(seatops.seats.msstore_seat) call per product
    (C(state=absent), all leavers holding it at once). Datadog - one
    M(seatops.seats.datadog_seats) call with all leavers per code in O(datadog_products)
    (Datadog cannot list the products a user holds). GitHub Copilot - one
    M(seatops.seats.github_copilot_seats) call with all leavers per organization in
    O(github_products) (GitHub cannot list the organizations a person holds seats in); a seat
    granted through a team cannot be reclaimed one person at a time, so that organization
    fails naming the team and nothing is changed there.
  - Each platform and each product runs on its own. A failure (a wrong C(api_url), a refused
    credential, a product's reclaim) is recorded and never stops the other reclaims; the task
    fails at the end and its message and RV(failures) name every product and person that
    failed and why.
  - Appends the run - what was reclaimed, and every error - to the offboarding record on the
    controller (O(record_path)), a JSON file holding a list of runs. A run that reclaimed
    nothing and met no error adds nothing. A record is never overwritten, so a re-run after
    a partial failure keeps what the first run reclaimed.
  - With O(restore=true), gives back the seats of every run in the record at O(record_path),
    one C(state=present) call per product. Each seat is restored, already in place (its
    holder held it before the call, as the module read), or not restored with the module's
    reason (a disabled or unknown person, a full or removed product); the task fails unless
    every seat was restored or already in place.
  - The engine of the P(seatops.seats.offboarding#role) role; most people use the role.
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
      - The offboarding record on the controller are written whole (a temporary file in the same directory,
        then renamed over the target), but not with Ansible's file operation functions.
  vault:
    support: none
    details:
      - Files on the controller are read as they are; vault-encrypted ones are not decrypted.
  check_mode:
    support: full
    details:
      - The seat modules run in check mode, so RV(products) and the counts are exact predictions.
        No record is written and no directory is created.
options:
  people:
    description:
      - The leavers, each a mapping with C(email) (Datadog email, handle or user UUID),
        C(upn) (Microsoft Store user principal name) and/or C(login) (GitHub login). A name
        that is missing is served by the first one given (an email never serves as a login).
      - Required unless O(restore=true).
    type: list
    elements: raw
    default: []
  datadog_products:
    description:
      - The Datadog product codes to reclaim seats of (every code the organisation has seats
        of). Datadog cannot list the products a user holds; the Microsoft Store can, so it
        needs no such list.
      - When not given and O(variable_prefix) is set, the variable C(<variable_prefix>datadog_products).
    type: list
    elements: raw
  github_products:
    description:
      - The GitHub organizations whose Copilot seats the leavers lose.
      - When not given and O(variable_prefix) is set, the variable C(<variable_prefix>github_products).
    type: list
    elements: raw
  platforms:
    description:
      - The platforms to reclaim on.
      - When not given - with O(variable_prefix), what each variable C(<variable_prefix><platform>)
        (V(offboarding_datadog)) says when it is set; a platform no variable chooses or leaves
        out takes part when it can list the products a person holds (the Microsoft Store) or
        when its products are given (O(datadog_products), O(github_products)). When that
        leaves none, every platform (and the input problems say what each needs).
    type: list
    elements: str
    choices: [datadog, msstore, github]
  unknown_users:
    description:
      - A leaver without an account on a platform - V(ignore) (normal for leavers), V(warn) or
        V(fail) (that platform's lookup or product fails).
    type: str
    choices: [fail, warn, ignore]
    default: ignore
  record_path:
    description:
      - The offboarding record on the controller. An existing record gets this run appended;
        a file there that is not a record fails the task before any call.
      - Required with O(restore=true) - the record to restore from (format
        C(seatops.seats.offboarding_record/2), or C(/1) as written before version 0.2.0).
      - Without it, a new C(offboarding-<UTC timestamp>.json) in O(record_dir).
    type: path
  record_dir:
    description: Directory for a new record when O(record_path) is not given; created (mode 0700) when missing.
    type: path
  restore:
    description: Give back the seats of every run in the record at O(record_path) instead of reclaiming.
    type: bool
    default: false
  fail_on_errors:
    description:
      - Fail the task when a seat could not be reclaimed or restored (after every other product
        ran and the record was written). Input problems always fail.
      - The roles set V(false) and fail in a later task, after publishing the summary.
    type: bool
    default: true
  variable_prefix:
    description:
      - Put before the option names in messages about the input, so a problem names the
        variable the user set. The role passes V(offboarding_), which makes a problem read
        C(offboarding_people[0].email ...).
      - When set, the action also takes each platform's role variables that its own options
        leave out - C(<variable_prefix><platform>), C(<variable_prefix><platform>_products)
        and the endpoints C(<variable_prefix><platform>_api_url) (and C(_auth_url) where the
        platform has one) - so the role names no platform (the platforms come from the registry).
    type: str
    default: ""
notes:
  - "The record format C(seatops.seats.offboarding_record/2): C({format, reclaimed_count, runs}),
    each run C({reclaimed_at, people, datadog: [{product_code, users: [{id, email}]}],
    msstore: [{product_id, sku_id, users: [upn]}], errors: [{platform, product, users, reason}],
    reclaimed_count}). It is written whole (a temporary file, then a rename), mode 0600."
seealso:
  - module: seatops.seats.datadog_seats
  - module: seatops.seats.msstore_seat
  - module: seatops.seats.github_copilot_seats
  - module: seatops.seats.msstore_seat_info
"""

EXAMPLES = r"""
- name: Offboard two leavers on both platforms
  seatops.seats.seats_offboard:
    people:
      - {email: ana.lima@example.com, upn: ana@contoso.com}
      - email: ben@contoso.com          # the same name on both platforms
    datadog_products: [incident_response, apm_pro]
    record_path: /var/lib/seatops/offboarding-ana-ben.json
  register: offboarding

- name: Undo it - put back every seat of every run in the record
  seatops.seats.seats_offboard:
    restore: true
    record_path: /var/lib/seatops/offboarding-ana-ben.json
"""

RETURN = r"""
mode:
  description: V(check) (nothing was changed or written) or V(apply).
  returned: when the options are valid
  type: str
  sample: apply
msg:
  description: The summary - seats reclaimed or restored, every failure with its reason, and the record.
  returned: always
  type: str
  sample: "Reclaimed 3 seat(s) of 2 leaver(s) (1 Datadog and 1 Microsoft Store product(s)). Record: /var/lib/seatops/r.json"
problems:
  description: Every problem in the input (each naming the option and index); nothing was called.
  returned: when the input has problems
  type: list
  elements: str
  sample: ["record_dir or record_path is needed: where the record of what was reclaimed goes"]
reclaimed_count:
  description: Seats reclaimed by this run (in check mode, that would be).
  returned: success, or after the calls when a seat could not be reclaimed
  type: int
  sample: 3
failed_count:
  description: How many entries RV(failures) has.
  returned: success, or after the calls when a seat could not be reclaimed
  type: int
  sample: 0
failures:
  description: Everything that could not be reclaimed - the platform, the product (null for the Store lookup of the
    leavers' seats), the people and why.
  returned: success, or after the calls when a seat could not be reclaimed
  type: list
  elements: dict
  contains:
    platform:
      description: The platform - V(datadog), V(msstore) or V(github).
      type: str
      returned: always
    product:
      description: The product (the code, C(PRODUCTID/SKU) or the organization), null for the
        Store lookup of the leavers' seats.
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
  sample: [{"platform": "msstore", "product": "9NBLGGH4R2R6/0016", "users": ["bob@contoso.com"], "reason": "HTTP 503"}]
people:
  description: The leavers as the record names them, one name per platform's field (a name
    not given is served by the first one given).
  returned: success, or after the calls when a seat could not be reclaimed
  type: list
  elements: dict
  contains:
    email:
      description: The Datadog email, handle or user UUID.
      type: str
      returned: always
    upn:
      description: The Microsoft Store user principal name.
      type: str
      returned: always
    login:
      description: The GitHub login.
      type: str
      returned: always
  sample: [{"email": "ben.okafor@example.com", "upn": "ben.okafor@contoso.com", "login": "ben-okafor"}]
record:
  description: This run as it is appended to the record (in check mode, the prediction; nothing is written).
  returned: success, or after the calls when a seat could not be reclaimed
  type: dict
  contains:
    reclaimed_at:
      description: When the run started (UTC, ISO 8601).
      type: str
      returned: always
    people:
      description: The leavers, as RV(people).
      type: list
      elements: dict
      returned: always
      contains:
        email:
          description: The Datadog email, handle or user UUID.
          type: str
          returned: always
        upn:
          description: The Microsoft Store user principal name.
          type: str
          returned: always
        login:
          description: The GitHub login.
          type: str
          returned: always
    datadog:
      description: The Datadog products whose seats were reclaimed, with whom.
      type: list
      elements: dict
      returned: always
      contains:
        product_code:
          description: The product code.
          type: str
          returned: always
        users:
          description: The people whose seat was reclaimed, as the module listed them.
          type: list
          elements: raw
          returned: always
    msstore:
      description: The Microsoft Store products whose seats were reclaimed, with whom.
      type: list
      elements: dict
      returned: always
      contains:
        product_id:
          description: The Store product id.
          type: str
          returned: always
        sku_id:
          description: The SKU id.
          type: str
          returned: always
        users:
          description: The UPNs whose seat was reclaimed.
          type: list
          elements: raw
          returned: always
    github:
      description: The GitHub organizations whose Copilot seats were reclaimed, with whom.
      type: list
      elements: dict
      returned: always
      contains:
        organization:
          description: The organization login.
          type: str
          returned: always
        users:
          description: The logins whose seat was reclaimed.
          type: list
          elements: raw
          returned: always
    errors:
      description: The failures, as RV(failures).
      type: list
      elements: dict
      returned: always
      contains:
        platform:
          description: The platform - V(datadog), V(msstore) or V(github).
          type: str
          returned: always
        product:
          description: The product (the code, C(PRODUCTID/SKU) or the organization), null for the
            Store lookup of the leavers' seats.
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
    reclaimed_count:
      description: Seats reclaimed in this run.
      type: int
      returned: always
  sample:
    reclaimed_at: "2026-11-28T09:15:02Z"
    people: [{"email": "ben.okafor@example.com", "upn": "ben.okafor@contoso.com", "login": "ben-okafor"}]
    datadog: [{"product_code": "apm_pro", "users": [{"id": "0b8c5e06-5b1c-4f5e-9a52-0c3a1c6a9b11",
                                                     "email": "ben.okafor@example.com"}]}]
    msstore: [{"product_id": "9NBLGGH4R2R6", "sku_id": "0016", "users": ["ben.okafor@contoso.com"]}]
    github: [{"organization": "acme", "users": ["ben-okafor"]}]
    errors: []
    reclaimed_count: 3
record_path:
  description: The record written (or, with O(restore=true), read); null when nothing was written.
  returned: when the options are valid
  type: str
  sample: /var/lib/seatops/offboarding/ben.okafor.json
record_runs:
  description: How many runs the record holds.
  returned: when a record was written or read
  type: int
  sample: 1
products:
  description:
    - Per product, the seat module's own result (C(changed), C(assigned), C(reclaimed),
      C(unchanged), C(skipped_users), C(failed_users), C(holders_count), C(available_seats) on
      the Store, C(api_calls), C(failed), C(msg) on failure) with C(platform), C(product) (the
      code or C(PRODUCTID/SKU)) and the product's identifier fields.
    - With O(restore=true) each also has C(restored), C(already_in_place) and C(not_restored) (C([{user, reason}])).
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
      assigned: []
      reclaimed: [{"id": "0b8c5e06-5b1c-4f5e-9a52-0c3a1c6a9b11", "email": "ben.okafor@example.com"}]
      unchanged: 0
      kept_in_grace: []
      skipped_users: []
      failed_users: []
      holders_count: 41
      api_calls: {"GET /api/v2/seats/users": 1, "DELETE /api/v2/seats/users": 1, "total": 2}
restored_count:
  description: Seats given back (in check mode, that would be).
  returned: with O(restore=true), after the calls
  type: int
  sample: 2
already_in_place_count:
  description: Seats of the record whose holder already held them before the call (as the module read).
  returned: with O(restore=true), after the calls
  type: int
  sample: 0
not_restored_count:
  description: Seats that could not be given back.
  returned: with O(restore=true), after the calls
  type: int
  sample: 1
not_restored:
  description: Each seat that could not be given back - platform, product, user and the reason.
  returned: with O(restore=true), after the calls
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
      description: The person, as the record names them.
      type: str
      returned: always
    reason:
      description: Why the seat could not be given back.
      type: str
      returned: always
  sample: [{"platform": "datadog", "product": "apm_pro", "user": "ben.okafor@example.com", "reason": "user is disabled"}]
"""
