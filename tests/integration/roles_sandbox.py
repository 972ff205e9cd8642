# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The sandbox the playbooks people run (playbooks/*.yml) are tested against.

``SEED`` (files/roles-seed.yml) is what a test module imports as its own ``SEED`` for the
``sandbox`` fixture; ``CREDENTIALS`` go in the playbook's environment, as AWX injects them;
``endpoints`` points the roles at the sandbox.
"""

from __future__ import annotations

import os

import yaml

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "files", "roles-seed.yml")) as handle:
    SEED = yaml.safe_load(handle)

CREDENTIALS = {
    "DD_API_KEY": "test-dd-api-key",
    "DD_APP_KEY": "test-dd-app-key",
    "AZURE_TENANT_ID": "contoso.onmicrosoft.com",
    "AZURE_CLIENT_ID": "test-client-id",
    "AZURE_CLIENT_SECRET": "test-client-secret",
}


def endpoints(sandbox):
    """The role variables that send every API call to the sandbox."""
    return {
        "seatops_datadog_api_url": sandbox.url,
        "seatops_msstore_api_url": sandbox.store_url,
        "seatops_msstore_auth_url": sandbox.url,
    }


def fresh(sandbox):
    """The sandbox as SEED says, with an empty request log; its state."""
    sandbox.reset()
    sandbox.seed(SEED)
    sandbox.clear_requests()
    return sandbox.state()


def writes(sandbox):
    """Write requests (POST/DELETE to the seat APIs) in the request log, by endpoint."""
    counts = sandbox.requests()["counts"]
    return {key: n for key, n in counts.items()
            if key.split(" ")[0] in ("POST", "DELETE", "PUT", "PATCH") and "/token" not in key}


def holders(state):
    """``(datadog, store)``: each product's holders in a sandbox state, sorted."""
    datadog = {code: sorted(h["email"] for h in product["holders"])
               for code, product in state["datadog"]["products"].items()}
    tenant = state["msstore"]["tenants"]["contoso.onmicrosoft.com"]["products"]
    store = {key: sorted(entry["holders"]) for key, entry in tenant.items()}
    return datadog, store


def github_seats(state, org):
    """``{login: state}`` of an organization's Copilot seats in a sandbox state, by login
    (lower-case): ``direct``, ``team`` or ``pending`` (pending cancellation); orphans left out."""
    seats = {}
    for seat in state["github"]["orgs"][org]["seats"]:
        if not seat.get("login"):
            continue
        kind = "pending" if seat.get("pending_cancellation_date") else ("team" if seat.get("team") and not seat.get("direct")
                                                                        else "direct")
        seats[seat["login"].lower()] = kind
    return seats


def github_holders(state, org):
    """The logins holding an active Copilot seat of ``org`` (direct or through a team), sorted."""
    return sorted(login for login, kind in github_seats(state, org).items() if kind != "pending")
