# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    # What the controller-side seat actions (seats_reconcile, seats_onboard, seats_offboard)
    # share: the per-platform connection options they pass to the seat modules
    # (one option per platform of the registry, plugins/module_utils/_platforms.py), the journal, the diff
    # and the action attribute. Options whose meaning differs per action stay on its page.
    DOCUMENTATION = r"""
options:
  journal:
    description: Path (on the target) of a journal file the modules append one JSON line per change to.
    type: str
  datadog:
    description:
      - Connection options passed to every Datadog module call (M(seatops.seats.datadog_seats)) -
        C(site), C(api_url), C(api_key), C(app_key), C(validate_certs), C(ca_path), C(timeout), C(retries).
      - An option not given here comes from the variable C(seatops_datadog_<option>) when it
        is set (C(seatops_datadog_api_key); extra variables of an AWX job), then from
        C(module_defaults) for C(group/seatops.seats.datadog). Credentials usually come from
        the environment (C(DD_API_KEY), C(DD_APP_KEY)).
    type: dict
    default: {}
  msstore:
    description:
      - Connection options passed to every Microsoft Store module call the action makes
        (M(seatops.seats.msstore_seat), and M(seatops.seats.msstore_seat_info) where it reads
        the Store) - C(tenant_id), C(client_id), C(client_secret), C(access_token), C(auth_url),
        C(api_url), C(validate_certs), C(ca_path), C(timeout), C(retries).
      - An option not given here comes from the variable C(seatops_msstore_<option>) when it
        is set (C(seatops_msstore_client_secret)), then from C(module_defaults) for
        C(group/seatops.seats.msstore). Credentials usually come from the environment
        (C(AZURE_TENANT_ID), C(AZURE_CLIENT_ID), C(AZURE_CLIENT_SECRET)).
    type: dict
    default: {}
  github:
    description:
      - Connection options passed to every GitHub Copilot module call the action makes
        (M(seatops.seats.github_copilot_seats)) - C(api_url), C(token), C(validate_certs),
        C(ca_path), C(timeout), C(retries).
      - An option not given here comes from the variable C(seatops_github_<option>) when it
        is set (C(seatops_github_token), C(seatops_github_api_url); extra variables of an AWX
        job), then from C(module_defaults) for C(group/seatops.seats.github). The token
        usually comes from the environment (C(GITHUB_TOKEN), then C(GH_TOKEN)).
    type: dict
    default: {}
attributes:
  diff_mode:
    support: full
    details:
      - One diff per product, holders before and after.
  action:
    support: full
    details:
      - The action plans on the controller and runs the seat modules through the task's connection.
  async:
    support: none
  bypass_host_loop:
    support: none
  platform:
    support: full
    platforms: posix
    details:
      - The action runs on the controller and runs the seat modules on the task's host,
        usually the controller too (a play on localhost).
"""
