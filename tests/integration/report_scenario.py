# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A reconcile run a manager acts on: changes, prices, on-demand seats and, when asked, a
failed product (issue 13 items 4, 5 and 7). Shared by test_report_costs_and_status.py and
test_report_in_browser.py.

The run goes through the reconcile role, as people run it, against the sandbox:

- Datadog ``on_call`` (20 EUR a month, ceiling 3): 5 holders, eli reclaimed -> 4, 1 on demand.
- Datadog ``apm_pro`` (300 USD a year): 1 holder, ben and fay assigned -> 3.
- Datadog ``incident_response`` (no price): 1 holder, gus assigned -> 2.
- Store ``CFQ7TTC0K5DR/0001`` (6 EUR a month): 3 holders, ben and cy reclaimed, dee assigned -> 2.
- Store ``9NBLGGH4R2R6/0016`` (120 EUR a year, Restricted, 2 seats): ben reclaimed and cy
  assigned -> 2; with ``fail_store=True`` the Store refuses the writes of this product
  (HTTP 403): it fails, the others go on.
"""

from __future__ import annotations

import json

TENANT = "contoso.onmicrosoft.com"
CLIENT = "report-client"
SECRET = "report-Secret-41aa"
API_KEY = "dd-report-api-key-Q29zdHM"
APP_KEY = "dd-report-app-key-U3RhdHVz"
ENV = {"DD_API_KEY": API_KEY, "DD_APP_KEY": APP_KEY, "AZURE_TENANT_ID": TENANT, "AZURE_CLIENT_ID": CLIENT,
       "AZURE_CLIENT_SECRET": SECRET}
PEOPLE = ["ana", "ben", "cy", "dee", "eli", "fay", "gus"]
OPEN = ("CFQ7TTC0K5DR", "0001")
FULL = ("9NBLGGH4R2R6", "0016")
FULL_WRITES = "/V1/Inventory/%s/%s/Seats" % FULL


def email(name):
    return "%s@example.com" % name


def upn(name):
    return "%s@contoso.com" % name


SEED = {
    "datadog": {
        "keys": [{"api_key": API_KEY, "app_key": APP_KEY}],
        "products": [{"code": "on_call", "committed_seats": 3}, {"code": "apm_pro", "committed_seats": 10},
                     {"code": "incident_response", "committed_seats": 20}],
        "users": [{"email": email(name)} for name in PEOPLE],
        "seats": {"on_call": [email(name) for name in ("ana", "ben", "cy", "dee", "eli")],
                  "apm_pro": [email("ana")], "incident_response": [email("ana")]},
    },
    "msstore": {"tenants": [{
        "id": TENANT,
        "clients": [{"client_id": CLIENT, "client_secret": SECRET}],
        "users": [upn(name) for name in PEOPLE],
        "inventory": [
            {"product_id": FULL[0], "sku_id": FULL[1], "distribution_policy": "Restricted", "seat_capacity": 2},
            {"product_id": OPEN[0], "sku_id": OPEN[1], "distribution_policy": "Open", "seat_capacity": 100},
        ],
        "seats": {"%s/%s" % FULL: [upn("ana"), upn("ben")],
                  "%s/%s" % OPEN: [upn("ana"), upn("ben"), upn("cy")]},
    }]},
}

DESIRED = {
    "datadog": [
        {"product_code": "on_call", "users": [email(name) for name in ("ana", "ben", "cy", "dee")],
         "max_holders": 3, "max_reclaims": 1, "price": {"amount": 20, "currency": "EUR", "period": "month"}},
        {"product_code": "apm_pro", "users": [email("ana"), email("ben"), email("fay")],
         "price": {"amount": 300, "currency": "USD", "period": "year"}},
        {"product_code": "incident_response", "users": [email("ana"), email("gus")]},
    ],
    "msstore": [
        {"product_id": OPEN[0], "sku_id": OPEN[1], "users": [upn("ana"), upn("dee")], "max_reclaims": 2,
         "price": {"amount": 6, "currency": "EUR", "period": "month"}},
        {"product_id": FULL[0], "sku_id": FULL[1], "users": [upn("ana"), upn("cy")], "max_reclaims": 1,
         "price": {"amount": 120, "currency": "EUR", "period": "year"}},
    ],
}


def play(sandbox, report_dir, report_name, desired=None):
    """The reconcile role with the sandbox's endpoints; the report in ``report_dir``."""
    return [{"name": "reconcile with prices", "hosts": "localhost", "gather_facts": False,
             "roles": [{"role": "seatops.seats.reconcile", "vars": {
                 "reconcile_desired_state": desired if desired is not None else DESIRED,
                 "reconcile_report_dir": str(report_dir), "reconcile_report_name": report_name,
                 "reconcile_fail_on_errors": True,
                 "reconcile_datadog_api_url": sandbox.url, "reconcile_msstore_api_url": sandbox.store_url,
                 "reconcile_msstore_auth_url": sandbox.url}}]}]


def run(sandbox, run_playbook, report_dir, report_name, check=False, fail_store=False, desired=None, reseed=True):
    """Seed (unless not ``reseed``), run the role (an apply unless ``check``), return
    ``(run, report, html_path)``; ``report`` is None when no JSON report was written."""
    if reseed:
        sandbox.reset()
        sandbox.seed(SEED)
    sandbox.faults([{"method": "POST", "path": FULL_WRITES, "status": 403}] if fail_store else [])
    sandbox.clear_requests()
    try:
        done = run_playbook(play(sandbox, report_dir, report_name, desired), check=check, env=ENV)
    finally:
        sandbox.faults([])
    base = report_dir / report_name
    report = None
    if (report_dir / (report_name + ".json")).exists():
        with open(str(base) + ".json") as handle:
            report = json.load(handle)
    return done, report, str(base) + ".html"


def holders(sandbox):
    """{product: sorted holders} for every product of the scenario, read from the sandbox."""
    state = sandbox.state()
    found = {code: sorted(holder["email"] for holder in product["holders"])
             for code, product in state["datadog"]["products"].items()}
    for key, product in state["msstore"]["tenants"][TENANT]["products"].items():
        found[key] = sorted(product["holders"])
    return found


def writes(sandbox):
    return [entry for entry in sandbox.requests()["entries"] if entry["method"] in ("POST", "DELETE")
            and "/token" not in entry["template"] and "/oauth2" not in entry["template"]]
