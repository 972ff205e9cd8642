# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""TLS: the four modules and a role against the sandbox serving HTTPS with its own CA.

By default a module refuses the unknown certificate with a message that says what to do
(ca_path or validate_certs); with ``ca_path`` it succeeds; with ``validate_certs: false`` it
succeeds and warns. The roles take no CA variable of their own: a play's module_defaults
for the two action groups reach the modules inside them.
"""

from __future__ import annotations

import pytest

TENANT = "contoso.onmicrosoft.com"
DD_KEYS = {"api_key": "tls-dd-api-key-4b1d", "app_key": "tls-dd-app-key-9c2e"}
STORE_CLIENT = {"tenant_id": TENANT, "client_id": "tls-client", "client_secret": "tls-client-secret-7a3f"}
PRODUCT = {"product_id": "9NBLGGH4R2R6", "sku_id": "0016"}

SEED = {
    "datadog": {
        "keys": [DD_KEYS],
        "products": [{"code": "incident_response"}],
        "users": [{"email": "ana.lima@example.com"}, {"email": "dara.novak@example.com"}],
        "seats": {"incident_response": ["ana.lima@example.com"]},
    },
    "msstore": {"tenants": [{
        "id": TENANT,
        "clients": [{"client_id": "tls-client", "client_secret": "tls-client-secret-7a3f"}],
        "users": ["alice@contoso.com", "dara@contoso.com"],
        "inventory": [dict(PRODUCT, seat_capacity=5)],
        "seats": {"9NBLGGH4R2R6/0016": ["alice@contoso.com"]},
    }]},
}

MODULES = {
    "datadog_seats": {"product_code": "incident_response", "users": ["ana.lima@example.com"]},
    "datadog_seats_info": {"product_codes": ["incident_response"]},
    "msstore_seat": dict(PRODUCT, users=["alice@contoso.com"]),
    "msstore_seat_info": {"view": "inventory"},
}


@pytest.fixture(scope="module")
def secure(tmp_path_factory):
    from seatops_sandbox.testing import SandboxProcess

    process = SandboxProcess(seed=SEED, tls=True, cert_dir=str(tmp_path_factory.mktemp("tls")))
    process.start()
    yield process
    process.stop()


def connection_defaults(sandbox, **tls):
    store = dict(STORE_CLIENT, api_url=sandbox.store_url, auth_url=sandbox.url, **tls)
    return {"group/seatops.seats.datadog": dict(DD_KEYS, api_url=sandbox.url, **tls),
            "group/seatops.seats.msstore": store}


def test_modules_need_the_ca_or_warn_without_verification(secure, run_playbook):
    assert secure.url.startswith("https://")
    tasks = []
    for module, args in MODULES.items():
        tasks.append({"name": module + ": default", "seatops.seats." + module: args,
                      "ignore_errors": True})
        tasks.append({"name": module + ": ca_path",
                      "seatops.seats." + module: dict(args, ca_path=secure.ca_cert)})
        tasks.append({"name": module + ": validate_certs false",
                      "seatops.seats." + module: dict(args, validate_certs=False)})
    run = run_playbook([{"name": "TLS", "hosts": "localhost", "gather_facts": False,
                         "module_defaults": connection_defaults(secure), "tasks": tasks}])
    assert run.rc == 0, run.output[-4000:]

    for module in MODULES:
        refused = run.task(module + ": default")
        assert refused["status"] == "ignored", refused
        message = refused["result"]["msg"]
        # What failed, where, and the two ways out.
        assert "TLS certificate verification failed for %s" % secure.url in message, message
        assert "certificate verify failed" in message, message
        assert "Pass a CA bundle with ca_path, or set validate_certs=false" in message, message

        trusted = run.task(module + ": ca_path")
        assert trusted["status"] == "ok", trusted
        assert not any("validate_certs" in warning for warning in trusted["result"].get("warnings", []))

        unverified = run.task(module + ": validate_certs false")
        assert unverified["status"] == "ok", unverified
        warnings = [w for w in unverified["result"].get("warnings", []) if "validate_certs=false" in w]
        assert warnings, unverified["result"]
        assert all("is not verified" in w and "ca_path" in w for w in warnings)

    assert run.result("datadog_seats_info: ca_path")["counts"] == {"incident_response": 1}
    assert run.result("msstore_seat_info: ca_path")["inventory_count"] == 1
    assert run.result("msstore_seat: validate_certs false")["changed"] is False
    # The Store modules warn for both endpoints they call (the API and Azure AD).
    store_warnings = [w for w in run.result("msstore_seat_info: validate_certs false")["warnings"]
                      if "validate_certs=false" in w]
    assert len(store_warnings) == 2 and any(secure.store_url in w for w in store_warnings)
    assert "[WARNING]: validate_certs=false: the TLS certificate of %s is not verified" % secure.url \
        in run.output.replace("\n", " ")


def test_a_role_over_tls_with_the_ca_from_module_defaults(secure, run_playbook):
    """The onboarding role sets api_url with its own module_defaults; the play's ca_path joins it."""
    play = {"name": "Onboard over TLS", "hosts": "localhost", "gather_facts": False,
            "module_defaults": connection_defaults(secure, ca_path=secure.ca_cert),
            "tasks": [{"name": "Onboard", "ansible.builtin.include_role": {"name": "seatops.seats.onboarding"},
                       "vars": {"onboarding_people": [{"email": "dara.novak@example.com", "upn": "dara@contoso.com"}],
                                "onboarding_datadog_products": ["incident_response"],
                                "onboarding_msstore_products": [PRODUCT],
                                "onboarding_datadog_api_url": secure.url,
                                "onboarding_msstore_api_url": secure.store_url,
                                "onboarding_msstore_auth_url": secure.url}}]}
    run = run_playbook([play])
    assert run.rc == 0, run.output[-4000:]
    state = secure.state()
    assert "dara.novak@example.com" in [h["email"] for h in state["datadog"]["products"]["incident_response"]["holders"]]
    assert "dara@contoso.com" in state["msstore"]["tenants"][TENANT]["products"]["9NBLGGH4R2R6/0016"]["holders"]
    assert "validate_certs=false" not in run.output


def test_reconcile_over_tls_takes_connection_options_from_module_defaults(secure, run_playbook, tmp_path):
    """seats_reconcile runs the seat modules itself, applying the play's group module_defaults."""
    secure.seed(SEED)  # the sandbox is shared by this file's tests; start from the seed
    desired = {"datadog": [{"product_code": "incident_response",
                            "users": ["ana.lima@example.com", "dara.novak@example.com"]}],
               "msstore": [dict(PRODUCT, users=["alice@contoso.com", "dara@contoso.com"])]}
    play = {"name": "Reconcile over TLS", "hosts": "localhost", "gather_facts": False,
            "module_defaults": connection_defaults(secure, ca_path=secure.ca_cert),
            "tasks": [{"name": "Reconcile", "ansible.builtin.include_role": {"name": "seatops.seats.reconcile"},
                       "vars": {"reconcile_desired_state": desired,
                                "reconcile_report_dir": str(tmp_path / "reports"),
                                "reconcile_report_name": "tls"}}]}
    run = run_playbook([play])
    assert run.rc == 0, run.output[-4000:]
    result = run.result("seatops.seats.reconcile : Reconcile seats with the desired state and write the report")
    assert result["totals"]["to_assign"] == 2 and result["totals"]["with_errors"] == 0, result
    calls = {product["product"]: product["api_calls"] for product in result["products"]}
    assert calls["incident_response"]["POST /api/v2/seats/users"] == 1, calls
    state = secure.state()
    assert "dara.novak@example.com" in [h["email"] for h in state["datadog"]["products"]["incident_response"]["holders"]]
    assert "dara@contoso.com" in state["msstore"]["tenants"][TENANT]["products"]["9NBLGGH4R2R6/0016"]["holders"]
    assert (tmp_path / "reports" / "tls.json").exists() and (tmp_path / "reports" / "tls.html").exists()
    assert "validate_certs=false" not in run.output
