# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input: a corpus of mistakes across the four modules and the three roles.

Each case must fail with a message that names the field and says what is wrong, and none
may write: the sandbox's request log must show no POST or DELETE, and (since every case is
a pure input error) no API call at all. The cases run in three ansible-playbook processes
(modules, onboarding/offboarding, reconcile), and are asserted one by one.

Decisions the corpus pins (see docs/resilience.md, "Bad input"):
- Names that differ only in case are the same person: folded, never an error, and never
  a second write (test_case_duplicates_fold_into_one_write).
- A Datadog name without '@' is a handle, so only whitespace, a broken email and a
  UUID-shaped string with a non-hex character are malformed; a Store name must be user@domain.
- At most 100,000 names per list (MAX_USERS); beyond, the task is refused.
- max_reclaims: a whole number >= 0 or a percentage 0-100 ("10%", fractions allowed as
  "10.5%"); a fractional count (10.5), a negative, more than 100% or a word is refused.
"""

from __future__ import annotations

import os

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "files", "bad_input")

with open(os.path.join(CORPUS, "seed.yml")) as handle:
    SEED = yaml.safe_load(handle)

CREDENTIALS = {
    "DD_API_KEY": "bad-input-dd-api-key",
    "DD_APP_KEY": "bad-input-dd-app-key",
    "AZURE_TENANT_ID": "contoso.onmicrosoft.com",
    "AZURE_CLIENT_ID": "bad-input-client-id",
    "AZURE_CLIENT_SECRET": "bad-input-client-secret",
}

DD = "seatops.seats.datadog_seats"
DDI = "seatops.seats.datadog_seats_info"
MS = "seatops.seats.msstore_seat"
MSI = "seatops.seats.msstore_seat_info"

PRODUCT = {"product_code": "incident_response"}
STORE = {"product_id": "9NBLGGH4R2R6", "sku_id": "0016"}
ANA = "ana.lima@example.com"
ALICE = "alice@contoso.com"
# One more name than MAX_USERS; the length is checked before anything else about the names.
TOO_MANY = "{{ ['user@example.com'] * 100001 }}"
TOO_MANY_UPNS = "{{ ['user@contoso.com'] * 100001 }}"


def case(case_id, module, args, expect, **task):
    return pytest.param(module, args, expect, task, id=case_id)


# (module, arguments, substrings the failure message must hold, extra task keywords)
MODULE_CASES = [
    # -- datadog_seats: names
    case("dd-email-without-domain", DD, dict(PRODUCT, users=[ANA, "chen.wei@"]),
         ["users[1]", "'chen.wei@'", "not a plausible email address or handle"]),
    case("dd-email-with-space", DD, dict(PRODUCT, users=["ana lima@example.com"]),
         ["users[0]", "'ana lima@example.com'", "without whitespace"]),
    case("dd-email-two-ats", DD, dict(PRODUCT, users=["ana@lima@example.com"]),
         ["users[0]", "not a plausible email address"]),
    case("dd-uuid-bad-character", DD, dict(PRODUCT, users=["0b8c5e06-5b1c-4f5e-9a52-0c3a1c6a9bz1"]),
         ["users[0]", "looks like a user UUID but is not one", "hexadecimal"]),
    case("dd-protected-uuid-bad", DD, dict(PRODUCT, users=[ANA], exclusive=True,
                                           protected=["g0b8c5e0-5b1c-4f5e-9a52-0c3a1c6a9b11"]),
         ["protected[0]", "looks like a user UUID"]),
    case("dd-user-null", DD, dict(PRODUCT, users=[ANA, None]), ["users[1] is empty (null or blank)"]),
    case("dd-user-blank", DD, dict(PRODUCT, users=["   "]), ["users[0] is empty (null or blank)"]),
    case("dd-users-dict", DD, dict(PRODUCT, users={ANA: True}), ["'users'", "dict", "list"]),
    case("dd-user-in-protected-too", DD, dict(PRODUCT, users=[ANA, "ben.okafor@example.com"], exclusive=True,
                                              protected=["Ben.Okafor@Example.com"]),
         ["users and protected both name", "ben.okafor@example.com"]),
    case("dd-too-many-users", DD, dict(PRODUCT, users=TOO_MANY),
         ["users has 100001 entries", "at most 100000"]),
    # -- datadog_seats: product code, options
    case("dd-product-empty", DD, dict(product_code="", users=[ANA]), ["product_code is empty"]),
    case("dd-product-whitespace", DD, dict(product_code="   ", users=[ANA]), ["product_code is empty (null or blank)"]),
    case("dd-product-with-space", DD, dict(product_code="incident response", users=[ANA]),
         ["product_code 'incident response' is not a valid product code"]),
    case("dd-product-int", DD, dict(product_code=123, users=[ANA]), ["product_code 123 is a number"]),
    case("dd-product-dict", DD, dict(product_code={"code": "apm_pro"}, users=[ANA]),
         ["product_code", "is not a valid product code"]),
    case("dd-product-missing", DD, dict(users=[ANA]), ["missing required arguments: product_code"]),
    case("dd-site-unknown", DD, dict(PRODUCT, users=[ANA], site="datadoghq.moon"),
         ["value of site must be one of", "datadoghq.moon"]),
    case("dd-site-unknown-from-env", DD, dict(PRODUCT, users=[ANA]),
         ["value of site must be one of", "us9.datadoghq.com"], environment={"DD_SITE": "us9.datadoghq.com"}),
    case("dd-max-reclaims-negative", DD, dict(PRODUCT, users=[ANA], exclusive=True, max_reclaims=-1),
         ["max_reclaims must not be negative, got -1"]),
    case("dd-max-reclaims-over-100", DD, dict(PRODUCT, users=[ANA], exclusive=True, max_reclaims="150%"),
         ["max_reclaims percentage must be between 0% and 100%, got 150%"]),
    case("dd-max-reclaims-word", DD, dict(PRODUCT, users=[ANA], exclusive=True, max_reclaims="abc"),
         ["max_reclaims must be a whole number or a percentage like '10%'", "'abc'"]),
    case("dd-max-reclaims-fractional-count", DD, dict(PRODUCT, users=[ANA], exclusive=True, max_reclaims="10.5"),
         ["max_reclaims must be a whole number or a percentage", "10.5"]),
    case("dd-max-reclaims-bool", DD, dict(PRODUCT, users=[ANA], exclusive=True, max_reclaims=True),
         ["max_reclaims must be a whole number or a percentage"]),
    case("dd-exclusive-absent", DD, dict(PRODUCT, users=[ANA], exclusive=True, state="absent"),
         ["exclusive=true needs state=present"]),
    case("dd-exclusive-without-users", DD, dict(PRODUCT, exclusive=True), ["exclusive=true needs users"]),
    case("dd-state-unknown", DD, dict(PRODUCT, users=[ANA], state="gone"), ["value of state must be one of", "gone"]),
    case("dd-api-url-not-http", DD, dict(PRODUCT, users=[ANA], api_url="ftp://127.0.0.1"),
         ["api_url must start with http:// or https://"]),
    case("dd-journal-is-a-directory", DD, dict(PRODUCT, users=["dara.novak@example.com"], journal="{{ playbook_dir }}"),
         ["journal:", "is a directory", "nothing was read or changed"]),
    # -- datadog_seats_info
    case("ddi-product-codes-empty-list", DDI, dict(product_codes=[]), ["product_codes must name at least one"]),
    case("ddi-product-code-null", DDI, dict(product_codes=["apm_pro", None]), ["product_codes[1] is empty (null or blank)"]),
    case("ddi-product-code-int", DDI, dict(product_codes=[42]), ["product_codes[0] 42 is a number"]),
    case("ddi-user-uuid-bad", DDI, dict(product_codes=["apm_pro"], users=["0b8c5e06-5b1c-4f5e-9a52-0c3a1c6a9bx1"]),
         ["users[0]", "looks like a user UUID"]),
    # -- msstore_seat: UPNs
    case("ms-upn-without-domain", MS, dict(STORE, users=[ALICE, "bob"]),
         ["users[1] 'bob'", "not a user principal name of the form user@domain"]),
    case("ms-upn-with-space", MS, dict(STORE, users=["carol smith@contoso.com"]),
         ["users[0] 'carol smith@contoso.com'", "not a user principal name"]),
    case("ms-upn-domain-without-dot", MS, dict(STORE, users=["carol@contoso"]),
         ["users[0]", "not a user principal name"]),
    case("ms-upn-int", MS, dict(STORE, users=5), ["users[0] '5'", "not a user principal name"]),
    case("ms-upn-null", MS, dict(STORE, users=[None]), ["users[0] is empty (null or blank)"]),
    case("ms-protected-malformed", MS, dict(STORE, users=[ALICE], exclusive=True, protected=["breakglass"]),
         ["protected[0] 'breakglass'", "not a user principal name"]),
    case("ms-user-in-protected-too", MS, dict(STORE, users=[ALICE, "bob@contoso.com"], exclusive=True,
                                              protected=["BOB@contoso.com"]),
         ["users and protected both name", "bob@contoso.com"]),
    case("ms-too-many-users", MS, dict(STORE, users=TOO_MANY_UPNS), ["users has 100001 entries", "at most 100000"]),
    # -- msstore_seat: product and options
    case("ms-product-id-empty", MS, dict(STORE, product_id="", users=[ALICE]),
         ["product_id must be the 12-character alphanumeric Store id", "got ''"]),
    case("ms-product-id-whitespace", MS, dict(STORE, product_id="   ", users=[ALICE]),
         ["product_id must be the 12-character alphanumeric Store id"]),
    case("ms-product-id-bad-character", MS, dict(STORE, product_id="9NBLGGH4R2R!", users=[ALICE]),
         ["product_id must be the 12-character", "9NBLGGH4R2R!"]),
    case("ms-sku-id-whitespace", MS, dict(STORE, sku_id="  ", users=[ALICE]), ["sku_id must be a 4-digit string"]),
    case("ms-sku-id-unquoted-number", MS, dict(STORE, sku_id=16, users=[ALICE]),
         ["sku_id must be a 4-digit string such as '0016'", "without quotes"]),
    case("ms-sku-id-letters", MS, dict(STORE, sku_id="00a6", users=[ALICE]), ["sku_id must be a 4-digit string", "00a6"]),
    case("ms-max-reclaims-over-100", MS, dict(STORE, users=[ALICE], exclusive=True, max_reclaims="101%"),
         ["max_reclaims percentage must be between 0% and 100%"]),
    case("ms-secret-and-token", MS, dict(STORE, users=[ALICE], client_secret="not-the-real-secret", access_token="not-a-real-token"),
         ["mutually exclusive", "client_secret", "access_token"]),
    case("ms-api-url-not-a-url", MS, dict(STORE, users=[ALICE], api_url="store.example.com"),
         ["api_url must be an http:// or https:// URL"]),
    # -- msstore_seat_info
    case("msi-view-unknown", MSI, dict(view="everything"), ["value of view must be one of", "everything"]),
    case("msi-product-without-sku", MSI, dict(view="product", product_id="9NBLGGH4R2R6"),
         ["view=product needs product_id and sku_id"]),
    case("msi-upn-malformed", MSI, dict(users=["alice@contoso.com", "bob at contoso.com"]),
         ["users[1] 'bob at contoso.com'", "not a user principal name"]),
    case("msi-users-with-inventory-view", MSI, dict(view="inventory", users=[ALICE]), ["users applies to view=users"]),
]


# The cases are independent: two local "hosts" run half of them each, at the same time.
WORKERS = ["bad-input-1", "bad-input-2"]


def workers_play():
    return {
        "name": "Two local workers",
        "hosts": "localhost",
        "gather_facts": False,
        "tasks": [{"name": "Add worker", "ansible.builtin.add_host": {
            "name": "{{ item }}", "groups": ["workers"], "ansible_connection": "local"},
            "loop": WORKERS}],
    }


def module_playbook(sandbox):
    tasks = []
    for index, param in enumerate(MODULE_CASES):
        module, args, _expect, extra = param.values
        task = {"name": "case " + param.id, "ignore_errors": True, module: args,
                "when": "inventory_hostname == %r" % WORKERS[index % len(WORKERS)]}
        task.update(extra)
        tasks.append(task)
    return [workers_play(), {
        "name": "Bad input, module by module",
        "hosts": "workers",
        "gather_facts": False,
        "module_defaults": {
            "group/seatops.seats.datadog": {"api_url": sandbox.url},
            "group/seatops.seats.msstore": {"api_url": sandbox.store_url, "auth_url": sandbox.url},
        },
        "tasks": tasks,
    }]


def case_entry(run, name):
    """The result of the case's task on the worker that ran it."""
    found = [entry for entry in run.results if entry["task"] == name and entry["status"] != "skipped"]
    assert len(found) == 1, "task %r ran %d times; output:\n%s" % (name, len(found), run.output[-4000:])
    return found[0]


def failure_message(entry):
    return str(entry["result"].get("msg", ""))


@pytest.fixture(scope="module")
def runs():
    """Playbook runs shared by the cases of this file: each runs once, on first use."""
    return {}


def once(runs, key, start):
    if key not in runs:
        runs[key] = start()
    return runs[key]


def observed(sandbox, run):
    """Run a playbook against a freshly seeded sandbox; return it with the request log and
    the state before and after."""
    sandbox.reset()
    sandbox.seed(SEED)
    before = sandbox.state()
    sandbox.clear_requests()
    played = run()
    return {"run": played, "requests": sandbox.requests(), "before": before, "after": sandbox.state()}


def writes(requests_log):
    return dict((key, count) for key, count in requests_log["counts"].items()
                if key.split(" ")[0] in ("POST", "DELETE", "PUT", "PATCH") and "/token" not in key)


def assert_failed_clearly(entry, expect):
    assert entry["status"] in ("ignored", "failed"), "%s did not fail: %s" % (entry["task"], entry["result"])
    message = failure_message(entry)
    for text in expect:
        assert text in message, "expected %r in the message of %s:\n%s" % (text, entry["task"], message)
    assert "Traceback" not in message and "MODULE FAILURE" not in message, message
    calls = entry["result"].get("api_calls")
    if calls is not None:
        assert calls.get("total") == 0, "a pure input error made API calls: %s" % calls


@pytest.mark.parametrize("module, args, expect, task", MODULE_CASES)
def test_module_input_fails_clearly_before_any_call(runs, sandbox, run_playbook, module, args, expect, task,
                                                    request):
    del module, args, task
    observation = once(runs, "modules", lambda: observed(
        sandbox, lambda: run_playbook(module_playbook(sandbox), env=CREDENTIALS)))
    run = observation["run"]
    case_id = request.node.callspec.id
    assert_failed_clearly(case_entry(run, "case " + case_id), expect)


def test_module_corpus_wrote_nothing_and_called_nothing(runs, sandbox, run_playbook):
    observation = once(runs, "modules", lambda: observed(
        sandbox, lambda: run_playbook(module_playbook(sandbox), env=CREDENTIALS)))
    assert len(MODULE_CASES) >= 40
    assert writes(observation["requests"]) == {}
    assert observation["requests"]["total"] == 0, observation["requests"]["counts"]
    assert observation["after"] == observation["before"]
    ran = [entry for entry in observation["run"].results
           if entry["task"].startswith("case ") and entry["status"] != "skipped"]
    assert len(ran) == len(MODULE_CASES), observation["run"].output[-3000:]


def test_case_duplicates_fold_into_one_write(sandbox, run_playbook):
    """Names differing only in case are one person: folded (first spelling kept), one seat,
    one write call carrying them once; the re-run changes nothing."""
    sandbox.reset()
    sandbox.seed(SEED)
    sandbox.clear_requests()
    tasks = [
        {"name": "datadog duplicates", DD: {"product_code": "apm_pro", "users": [
            "Dara.Novak@Example.com", "dara.novak@example.com", " DARA.NOVAK@EXAMPLE.COM "]}},
        {"name": "store duplicates", MS: {"product_id": "CFQ7TTC0K5DR", "sku_id": "0001", "users": [
            "Carol@Contoso.com", "carol@contoso.com", "CAROL@CONTOSO.COM"]}},
    ]
    play = {"name": "Duplicates", "hosts": "localhost", "gather_facts": False,
            "module_defaults": {
                "group/seatops.seats.datadog": {"api_url": sandbox.url},
                "group/seatops.seats.msstore": {"api_url": sandbox.store_url, "auth_url": sandbox.url}},
            "tasks": tasks}
    run = run_playbook([play], env=CREDENTIALS)
    assert run.rc == 0, run.output[-3000:]
    datadog = run.result("datadog duplicates")
    assert [view["email"] for view in datadog["assigned"]] == ["dara.novak@example.com"]
    assert datadog["api_calls"]["POST /api/v2/seats/users"] == 1
    store = run.result("store duplicates")
    assert store["assigned"] == ["Carol@Contoso.com"]
    assert store["api_calls"]["POST /Inventory/{productId}/{skuId}/Seats"] == 1
    assert writes(sandbox.requests()) == {"POST /api/v2/seats/users": 1, "POST /V1/Inventory/{productId}/{skuId}/Seats": 1}
    state = sandbox.state()
    assert sorted(h["email"] for h in state["datadog"]["products"]["apm_pro"]["holders"]) == [
        "ana.lima@example.com", "dara.novak@example.com"]
    tenant = state["msstore"]["tenants"]["contoso.onmicrosoft.com"]["products"]
    assert sorted(tenant["CFQ7TTC0K5DR/0001"]["holders"]) == ["alice@contoso.com", "carol@contoso.com"]

    sandbox.clear_requests()
    again = run_playbook([play], env=CREDENTIALS)
    assert again.rc == 0, again.output[-3000:]
    assert not again.result("datadog duplicates")["changed"] and not again.result("store duplicates")["changed"]
    assert writes(sandbox.requests()) == {}


# -- roles ---------------------------------------------------------------------------------

ONBOARDING = "seatops.seats.onboarding"
OFFBOARDING = "seatops.seats.offboarding"
RECONCILE = "seatops.seats.reconcile"
PERSON = {"email": ANA, "upn": ALICE}
STORE_PRODUCT = {"product_id": "9NBLGGH4R2R6", "sku_id": "0016"}


def role_case(case_id, role, role_vars, expect):
    return pytest.param(role, role_vars, expect, id=case_id)


ROLE_CASES = [
    # -- onboarding
    role_case("ob-people-missing", ONBOARDING, {"onboarding_datadog_products": ["apm_pro"]},
              ["onboarding_people", "at least one person"]),
    role_case("ob-people-a-string", ONBOARDING, {"onboarding_people": ANA, "onboarding_datadog_products": ["apm_pro"]},
              ["onboarding_people", "dict"]),
    role_case("ob-person-null", ONBOARDING, {"onboarding_people": [PERSON, None], "onboarding_datadog_products": ["apm_pro"]},
              ["onboarding_people", "NoneType", "dict"]),
    role_case("ob-person-without-name", ONBOARDING, {"onboarding_people": [{"datadog_products": ["apm_pro"]}]},
              ["onboarding_people[0]", "needs an email (Datadog)"]),
    role_case("ob-email-with-space", ONBOARDING, {"onboarding_people": [{"email": "ana lima@example.com"}],
                                                  "onboarding_datadog_products": ["apm_pro"]},
              ["onboarding_people[0].email", "'ana lima@example.com'", "must be an email, a handle or a user UUID, without whitespace"]),
    role_case("ob-upn-malformed", ONBOARDING, {"onboarding_people": [{"email": ANA, "upn": "alice"}],
                                               "onboarding_msstore_products": [STORE_PRODUCT]},
              ["onboarding_people[0].upn", "'alice'", "not a user principal name"]),
    role_case("ob-products-a-dict", ONBOARDING, {"onboarding_people": [PERSON], "onboarding_datadog_products": {"apm_pro": True}},
              ["onboarding_datadog_products", "dict", "list"]),
    role_case("ob-product-blank", ONBOARDING, {"onboarding_people": [PERSON], "onboarding_datadog_products": ["apm_pro", " "]},
              ["onboarding_datadog_products[1]", "empty"]),
    role_case("ob-person-product-blank", ONBOARDING, {"onboarding_people": [dict(PERSON, datadog_products=[""])]},
              ["onboarding_people[0].datadog_products[0]", "empty"]),
    role_case("ob-product-number", ONBOARDING, {"onboarding_people": [PERSON], "onboarding_datadog_products": [123]},
              ["onboarding_datadog_products[0] 123 is a number"]),
    role_case("ob-store-product-without-sku", ONBOARDING, {"onboarding_people": [PERSON],
                                                           "onboarding_msstore_products": [{"product_id": "9NBLGGH4R2R6"}]},
              ["onboarding_msstore_products", "sku_id"]),
    role_case("ob-store-sku-unquoted", ONBOARDING, {"onboarding_people": [PERSON],
                                                    "onboarding_msstore_products": [{"product_id": "9NBLGGH4R2R6", "sku_id": 16}]},
              ["onboarding_msstore_products[0].sku_id must be a 4-digit string", "the number 16", "Quote the 4 digits"]),
    role_case("ob-unknown-users-choice", ONBOARDING, {"onboarding_people": [PERSON], "onboarding_datadog_products": ["apm_pro"],
                                                      "onboarding_unknown_users": "sometimes"},
              ["onboarding_unknown_users", "sometimes"]),
    # -- offboarding
    role_case("off-people-empty", OFFBOARDING, {"offboarding_people": []},
              ["offboarding_people must list at least one person"]),
    role_case("off-people-a-dict", OFFBOARDING, {"offboarding_people": {"email": ANA}}, ["offboarding_people", "list"]),
    role_case("off-person-without-name", OFFBOARDING, {"offboarding_people": [PERSON, {}]},
              ["offboarding_people[1]", "needs an email (Datadog) or a upn (Microsoft Store)"]),
    role_case("off-email-malformed", OFFBOARDING, {"offboarding_people": [{"email": "ana@", "upn": ALICE}]},
              ["offboarding_people[0].email", "'ana@'", "is not a plausible email address or handle"]),
    role_case("off-upn-malformed", OFFBOARDING, {"offboarding_people": [{"email": ANA, "upn": "alice at contoso.com"}]},
              ["offboarding_people[0].upn", "not a user principal name"]),
    role_case("off-products-a-dict", OFFBOARDING, {"offboarding_people": [PERSON], "offboarding_datadog_products": {"apm_pro": 1}},
              ["offboarding_datadog_products", "dict", "list"]),
    role_case("off-product-blank", OFFBOARDING, {"offboarding_people": [PERSON], "offboarding_datadog_products": [""]},
              ["offboarding_datadog_products[0]", "empty"]),
    role_case("off-flag-not-bool", OFFBOARDING, {"offboarding_people": [PERSON], "offboarding_datadog": "perhaps"},
              ["offboarding_datadog", "perhaps", "bool"]),
    role_case("off-unknown-users-choice", OFFBOARDING, {"offboarding_people": [PERSON], "offboarding_unknown_users": "loudly"},
              ["offboarding_unknown_users", "loudly"]),
    role_case("off-restore-without-record", OFFBOARDING, {"offboarding_restore": True},
              ["offboarding_restore=true needs offboarding_record_path"]),
    role_case("off-restore-not-a-record", OFFBOARDING, {"offboarding_restore": True,
                                                        "offboarding_record_path": os.path.join(CORPUS, "not-an-offboarding-record.json")},
              ["is not an offboarding record written by seatops.seats.offboarding"]),
    # -- reconcile: role variables
    role_case("rc-desired-state-a-list", RECONCILE, {"reconcile_desired_state": [{"product_code": "apm_pro"}]},
              ["reconcile_desired_state", "dict"]),
    role_case("rc-unknown-users-choice", RECONCILE, {"reconcile_desired_state": {"datadog": []}, "reconcile_unknown_users": "loud"},
              ["reconcile_unknown_users", "loud"]),
    role_case("rc-max-reclaims-word", RECONCILE, {"reconcile_desired_state": {"datadog": [{"product_code": "apm_pro", "users": [ANA]}]},
                                                  "reconcile_max_reclaims": "most"},
              ["max_reclaims", "most"]),
    role_case("rc-fail-on-errors-not-bool", RECONCILE, {"reconcile_desired_state": {"datadog": []},
                                                        "reconcile_fail_on_errors": "perhaps"},
              ["reconcile_fail_on_errors", "perhaps"]),
]

# Desired-state files (files/bad_input/desired/) and what the reconcile role must say about
# each before any call (plugins/plugin_utils/_desired_state.py applies the modules' rules).
DESIRED_CASES = [
    pytest.param("unknown-top-level-key.yml", ["unknown top-level key slack"], id="unknown-top-level-key"),
    pytest.param("unknown-entry-key.yml", ["datadog[0]", "unknown field protectd"], id="unknown-entry-key"),
    pytest.param("missing-product-code.yml", ["datadog[0].product_code is empty (null or blank)"], id="missing-product-code"),
    pytest.param("product-code-number.yml", ["datadog[0].product_code", "123"], id="product-code-number"),
    pytest.param("users-not-a-list.yml", ["datadog[0]", "users must be a list of names"], id="users-not-a-list"),
    pytest.param("users-missing.yml", ["msstore[0]", "users is required"], id="users-missing"),
    pytest.param("user-null.yml", ["datadog[0]", "users[1] must be a non-empty name"], id="user-null"),
    pytest.param("user-malformed-email.yml", ["datadog[0]", "users[1]", "ben okafor@example.com"],
                 id="user-malformed-email"),
    pytest.param("user-malformed-upn.yml", ["msstore[0]", "users[1]", "'bob'"], id="user-malformed-upn"),
    pytest.param("user-in-protected-too.yml", ["datadog[0]", "breakglass@example.com listed in both users and protected"],
                 id="user-in-protected-too"),
    pytest.param("duplicate-product.yml", ["datadog[1]", "listed twice"], id="duplicate-product"),
    pytest.param("duplicate-store-product.yml", ["msstore[1]", "listed twice"], id="duplicate-store-product"),
    pytest.param("max-reclaims-word.yml", ["datadog[0]", "max_reclaims must be a whole number or a percentage", "lots"],
                 id="max-reclaims-word"),
    pytest.param("max-reclaims-negative.yml", ["datadog[0]", "max_reclaims must not be negative", "-1"], id="max-reclaims-negative"),
    pytest.param("max-reclaims-over-100.yml", ["datadog[0]", "max_reclaims", "150%"], id="max-reclaims-over-100"),
    pytest.param("max-reclaims-fractional-count.yml", ["datadog[0]", "max_reclaims must be", "2.5"],
                 id="max-reclaims-fractional-count"),
    pytest.param("sku-unquoted.yml", ["msstore[0].sku_id must be a 4-digit string", "the number 16"], id="sku-unquoted"),
    pytest.param("product-id-short.yml", ["msstore[0].product_id must be the 12-character alphanumeric Store id"],
                 id="product-id-short"),
    pytest.param("duplicate-top-level-key.txt", ["duplicate-top-level-key.txt gives the key datadog twice", "line 6 and line 13"],
                 id="duplicate-top-level-key"),
    pytest.param("duplicate-entry-key.txt", ["duplicate-entry-key.txt gives the key users twice", "line 6 and line 9"],
                 id="duplicate-entry-key"),
    pytest.param("not-a-mapping.yml", ["the desired state must be a mapping"], id="not-a-mapping"),
    pytest.param("datadog-not-a-list.yml", ["datadog must be a list of products"], id="datadog-not-a-list"),
    pytest.param("empty.yml", ["the desired state must be a mapping"], id="empty"),
    pytest.param("not-yaml.txt", ["not-yaml.txt", "is not valid YAML", "line"], id="not-yaml"),
    pytest.param("no-such-file.yml", ["cannot read the desired-state file", "no-such-file.yml", "No such file"], id="missing-file"),
]


def role_api_vars(role, sandbox):
    prefix = role.split(".")[-1]
    return {prefix + "_datadog_api_url": sandbox.url, prefix + "_msstore_api_url": sandbox.store_url,
            prefix + "_msstore_auth_url": sandbox.url}


def role_block(case_id, role, role_vars, host):
    """One case: the role in a block whose rescue records which task failed and why."""
    return {
        "name": "case " + case_id,
        "when": "inventory_hostname == %r" % host,
        "block": [
            {"name": "run " + case_id, "ansible.builtin.include_role": {"name": role}, "vars": role_vars},
            {"name": "no error " + case_id, "ansible.builtin.debug": {"msg": "the role did not fail"}},
        ],
        "rescue": [
            {"name": "outcome " + case_id, "ansible.builtin.debug": {
                "msg": "{{ ansible_failed_task.name }} :: {{ ansible_failed_result.msg | default('') }}"
                       " {{ ansible_failed_result.argument_errors | default('') }}"
                       " {{ ansible_failed_result.results | default([]) | map(attribute='msg', default='') | join(' | ') }}"}},
        ],
    }


def role_playbook(sandbox, tmp_dir):
    tasks = []
    for index, param in enumerate(ROLE_CASES):
        role, role_vars, _expect = param.values
        role_vars = dict(role_api_vars(role, sandbox), **role_vars)
        if role == RECONCILE:
            role_vars["reconcile_report_dir"] = os.path.join(tmp_dir, "reports-" + param.id)
        if role == OFFBOARDING:
            role_vars["offboarding_record_dir"] = os.path.join(tmp_dir, "records-" + param.id)
        tasks.append(role_block(param.id, role, role_vars, WORKERS[index % len(WORKERS)]))
    return [workers_play(), {"name": "Bad input, role by role", "hosts": "workers", "gather_facts": False,
                             "tasks": tasks}]


def desired_playbook(sandbox, tmp_dir):
    tasks = []
    for index, param in enumerate(DESIRED_CASES):
        name, _expect = param.values
        role_vars = dict(role_api_vars(RECONCILE, sandbox),
                         reconcile_desired_state_file=os.path.join(CORPUS, "desired", name),
                         reconcile_report_dir=os.path.join(tmp_dir, "reports-" + param.id))
        tasks.append(role_block(param.id, RECONCILE, role_vars, WORKERS[index % len(WORKERS)]))
    return [workers_play(), {"name": "Bad desired-state files", "hosts": "workers", "gather_facts": False,
                             "tasks": tasks}]


def role_outcome(run, case_id):
    assert not [entry for entry in run.results
                if entry["task"] == "no error " + case_id and entry["status"] != "skipped"], \
        "the role did not fail on %s" % case_id
    entry = case_entry(run, "outcome " + case_id)
    return entry["result"]["msg"]


def assert_outcome(message, expect):
    for text in expect:
        assert text in message, "expected %r in:\n%s" % (text, message)
    assert "Traceback" not in message, message


def role_run(runs, sandbox, run_playbook, tmp_path):
    return once(runs, "roles", lambda: observed(
        sandbox, lambda: run_playbook(role_playbook(sandbox, str(tmp_path)), env=CREDENTIALS)))


def desired_run(runs, sandbox, run_playbook, tmp_path):
    return once(runs, "desired", lambda: observed(
        sandbox, lambda: run_playbook(desired_playbook(sandbox, str(tmp_path)), env=CREDENTIALS)))


@pytest.mark.core_matrix  # the roles on the lowest supported ansible-core too
@pytest.mark.parametrize("role, role_vars, expect", ROLE_CASES)
def test_role_input_fails_clearly_before_any_call(runs, sandbox, run_playbook, tmp_path, role, role_vars, expect,
                                                  request):
    del role, role_vars
    observation = role_run(runs, sandbox, run_playbook, tmp_path)
    assert_outcome(role_outcome(observation["run"], request.node.callspec.id), expect)


@pytest.mark.core_matrix  # the roles on the lowest supported ansible-core too
@pytest.mark.parametrize("name, expect", DESIRED_CASES)
def test_desired_state_errors_are_named_before_any_call(runs, sandbox, run_playbook, tmp_path, name, expect,
                                                        request):
    del name
    observation = desired_run(runs, sandbox, run_playbook, tmp_path)
    message = role_outcome(observation["run"], request.node.callspec.id)
    assert_outcome(message, expect)


@pytest.mark.core_matrix  # the roles on the lowest supported ansible-core too
def test_role_corpus_wrote_nothing_and_called_nothing(runs, sandbox, run_playbook, tmp_path):
    observation = role_run(runs, sandbox, run_playbook, tmp_path)
    assert writes(observation["requests"]) == {}
    assert observation["requests"]["total"] == 0, observation["requests"]["counts"]
    assert observation["after"] == observation["before"]
    assert len(MODULE_CASES) + len(ROLE_CASES) + len(DESIRED_CASES) >= 40


@pytest.mark.core_matrix  # the roles on the lowest supported ansible-core too
def test_desired_state_corpus_wrote_nothing(runs, sandbox, run_playbook, tmp_path):
    observation = desired_run(runs, sandbox, run_playbook, tmp_path)
    assert writes(observation["requests"]) == {}
    assert observation["after"] == observation["before"]


@pytest.mark.core_matrix  # the roles on the lowest supported ansible-core too
def test_desired_state_corpus_called_nothing(runs, sandbox, run_playbook, tmp_path):
    """Every desired-state error is found before any call: names and max_reclaims too."""
    observation = desired_run(runs, sandbox, run_playbook, tmp_path)
    assert observation["requests"]["total"] == 0, observation["requests"]["counts"]
