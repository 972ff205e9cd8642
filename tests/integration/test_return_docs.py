# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""RETURN is true: each module's documented return values checked against real results.

Every case of ``CASES`` runs as one task of one real ``ansible-playbook`` run against the
sandbox (the sandbox is reseeded with ``SEED`` and given the case's fault rules just before
the case's task). Each result is then checked with :func:`return_problems` against the
``RETURN`` block of ``plugins/modules/<module>.py``:

- every key documented ``returned: always`` is in the result, failures included;
- every key of the result is documented (Ansible's own keys such as ``changed``, ``msg``,
  ``invocation`` or ``warnings`` excepted, see :data:`ANSIBLE_KEYS`), also the keys inside
  documented ``contains:`` (dicts and lists of dicts), so an undocumented key is reported;
- every documented value has its documented ``type`` (``null`` is accepted).

"Always" means every run of the module. The one exception: a run Ansible itself refuses
before the module starts (a missing required option, a value outside ``choices``) carries
only Ansible's own keys; the modules' notes say so.

How to extend the table (for a new module or action with a docs page in plugins/modules/):
append ``Case(...)`` entries to ``CASES`` below, at least one that succeeds and one that
fails, one per way the module can fail (``test_every_module_has_cases_of_both_outcomes``
insists on both). A case is:

    Case("my-id", "seatops.seats.<name>", {<module options>},
         outcome="ok" | "failed",              # what the task must do
         msg="text",                           # a failure's msg must contain this
         faults=[<sandbox fault rules>],       # set just before the task
         check_mode=True, diff=True,           # task keywords
         before=[<extra tasks>])               # e.g. files a role's action reads

Connection options come from ``module_defaults`` of the play (both platform groups), so a
case names only what it is about. Use :func:`dead_url` for "the server does not answer".
"""

from __future__ import annotations

import ast
import json
import os
import socket

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
MODULES_DIR = os.path.join(os.path.dirname(os.path.dirname(HERE)), "plugins", "modules")

# Keys Ansible itself puts in (or reserves for) a task result: never in a RETURN block.
ANSIBLE_KEYS = frozenset([
    "changed", "failed", "msg", "invocation", "warnings", "deprecations", "diff", "skipped",
    "skip_reason", "exception", "item", "ansible_loop_var", "ansible_index_var",
    "ansible_facts", "module_stderr", "module_stdout", "rc", "stdout", "stderr",
    "stdout_lines", "stderr_lines", "attempts", "retries", "censored", "unreachable",
])

TYPES = {
    "bool": (bool,),
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "list": (list,),
    "dict": (dict,),
}


def is_ansible_key(key):
    return key in ANSIBLE_KEYS or key.startswith("_ansible") or key.startswith("ansible_")


def return_spec(module):
    """The parsed RETURN block of ``plugins/modules/<module>.py`` (module: short name or FQCN)."""
    name = module.rsplit(".", 1)[-1]
    with open(os.path.join(MODULES_DIR, name + ".py")) as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(target, "id", None) == "RETURN" for target in node.targets):
            return yaml.safe_load(node.value.value) or {}
    raise AssertionError("%s has no RETURN block" % name)


def return_problems(spec, result, where=""):
    """What in ``result`` contradicts the RETURN ``spec``: a list of sentences (empty: all true)."""
    problems = []
    for key, doc in sorted(spec.items()):
        if is_ansible_key(key) and key not in result:
            continue
        if doc.get("returned") == "always" and key not in result:
            problems.append("%s%s is documented 'returned: always' but missing" % (where, key))
    for key in sorted(result):
        if key not in spec:
            if not is_ansible_key(key):
                problems.append("%s%s is returned but not documented" % (where, key))
            continue
        if key == "diff" and where == "":
            continue  # Ansible renders diffs itself; its shape is Ansible's
        problems.extend(_value_problems(spec[key], result[key], where + key))
    return problems


def _value_problems(doc, value, where):
    if value is None:
        return []
    expected = TYPES.get(doc.get("type"))
    if expected and (not isinstance(value, expected) or (doc.get("type") == "int" and isinstance(value, bool))):
        return ["%s is documented as %s but is %s" % (where, doc.get("type"), type(value).__name__)]
    contains = doc.get("contains")
    if not contains:
        return []
    if isinstance(value, dict):
        return return_problems(contains, value, where + ".")
    problems = []
    for index, item in enumerate(value if isinstance(value, list) else []):
        if isinstance(item, dict):
            problems.extend(return_problems(contains, item, "%s[%d]." % (where, index)))
    return problems


def dead_url():
    """A loopback URL nobody listens on: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return "http://127.0.0.1:%d" % port


class Case(object):
    def __init__(self, case_id, module, args, outcome="ok", msg=None, faults=(), check_mode=False,
                 diff=False, before=()):
        self.id = case_id
        self.module = module
        self.args = args
        self.outcome = outcome
        self.msg = msg
        self.faults = list(faults)
        self.check_mode = check_mode
        self.diff = diff
        self.before = list(before)

    def __repr__(self):
        return "Case(%r)" % self.id


# -- the sandbox world the cases run in -------------------------------------------------------

API_KEY = "return-docs-api-key-7Yq2"
APP_KEY = "return-docs-app-key-Jx81"
TENANT = "contoso.onmicrosoft.com"
CLIENT = "return-docs-client"
SECRET = "return-docs-Secret-44c1"
PRODUCT = "incident_response"
RESTRICTED = ("9NBLGGH4R2R6", "0016")     # Restricted, 2 seats, both held
OPEN = ("CFQ7TTC0K5DR", "0001")           # Open, 50 seats

SEED = {
    "datadog": {
        "keys": [{"api_key": API_KEY, "app_key": APP_KEY}],
        "products": [{"code": PRODUCT}, {"code": "on_call"}],
        "users": [{"email": "ana@example.com"}, {"email": "ben@example.com"}, {"email": "cy@example.com"},
                  {"email": "dee@example.com", "disabled": True}],
        "seats": {PRODUCT: ["ana@example.com", "ben@example.com"]},
    },
    "msstore": {"tenants": [{
        "id": TENANT,
        "clients": [{"client_id": CLIENT, "client_secret": SECRET}],
        "users": ["alice@contoso.com", "bob@contoso.com", "carol@contoso.com"],
        "inventory": [
            {"product_id": RESTRICTED[0], "sku_id": RESTRICTED[1], "distribution_policy": "Restricted",
             "seat_capacity": 2},
            {"product_id": OPEN[0], "sku_id": OPEN[1], "distribution_policy": "Open", "seat_capacity": 50},
        ],
        "seats": {"%s/%s" % RESTRICTED: ["alice@contoso.com", "bob@contoso.com"],
                  "%s/%s" % OPEN: ["alice@contoso.com"]},
    }]},
}

GH_TOKEN = "ghp_returnDocsToken5Ks9"
GH_BAD_TOKEN = "ghp_returnDocsRevoked2Lq"


def _next_month_start():
    """The first day of the next billing cycle (cycle_day 1) on the real Copilot clock."""
    import datetime

    first = datetime.date.today().replace(day=1)
    return (first.replace(year=first.year + 1, month=1) if first.month == 12
            else first.replace(month=first.month + 1)).isoformat()


SEED["github"] = {
    "tokens": [{"token": GH_TOKEN, "kind": "classic", "scopes": ["manage_billing:copilot", "read:org"],
                "user": "octo"}],
    "orgs": [
        {"login": "acme", "owners": ["octo"], "members": ["mona", "lena", "kai", "rex", "tina", "hubot"],
         "invitations": ["newhire"],
         "teams": [{"slug": "platform", "name": "Platform", "members": ["tina"], "selected": True}],
         "seats": [{"login": "mona", "created_at": "2024-01-05T10:00:00Z", "last_activity_at": "2099-01-01T00:00:00Z"},
                   {"login": "lena", "created_at": "2024-01-05T10:00:00Z", "last_activity_at": "2024-02-01T00:00:00Z",
                    "last_activity_editor": "vscode/1.98.2/copilot/1.290.0"},
                   {"login": "kai"},                                   # given when the seed loads: in grace
                   {"login": "hubot", "created_at": "2024-01-05T10:00:00Z",
                    "pending_cancellation_date": _next_month_start()},
                   {"login": "tina", "team": "platform", "created_at": "2024-01-05T10:00:00Z"},
                   {"orphan": True}]},
        {"login": "allhands", "owners": ["octo"], "members": ["mona", "rex"], "seat_management_setting": "assign_all",
         "seats": [{"login": "mona"}]},
        {"login": "solo", "owners": ["octo"], "members": ["mona"], "seats": [{"login": "mona"}]},
    ],
}

DD = "seatops.seats.datadog_seats"
DD_INFO = "seatops.seats.datadog_seats_info"
MS = "seatops.seats.msstore_seat"
MS_INFO = "seatops.seats.msstore_seat_info"
RECONCILE = "seatops.seats.seats_reconcile"
ONBOARD = "seatops.seats.seats_onboard"
OFFBOARD = "seatops.seats.seats_offboard"
DEAD = dead_url()
DD_SEATS_PATH = "/api/v2/seats/users"
MS_BULK_PATH = "/V1/Inventory/{productId}/{skuId}/Seats"
GH = "seatops.seats.github_copilot_seats"
GH_INFO = "seatops.seats.github_copilot_seats_info"
GH_USERS_PATH = "/orgs/{org}/copilot/billing/selected_users"


def store_product(product, **args):
    args.update(product_id=product[0], sku_id=product[1])
    return args


CASES = [
    # datadog_seats
    Case("dd-assign", DD, {"product_code": PRODUCT, "users": ["cy@example.com"]}),
    Case("dd-check-diff-exclusive", DD, {"product_code": PRODUCT, "users": ["ana@example.com", "cy@example.com"],
                                         "exclusive": True, "max_reclaims": 1}, check_mode=True, diff=True),
    Case("dd-unknown-warn", DD, {"product_code": PRODUCT, "users": ["ghost@example.com"], "unknown_users": "warn"}),
    Case("dd-guard-refused", DD, {"product_code": PRODUCT, "users": [], "exclusive": True},
         outcome="failed", msg="Refusing to reclaim"),
    Case("dd-bad-product-code", DD, {"product_code": "12345", "users": []}, outcome="failed", msg="product_code"),
    Case("dd-bad-user-name", DD, {"product_code": PRODUCT, "users": ["two words"]}, outcome="failed", msg="users[0]"),
    Case("dd-bad-max-reclaims", DD, {"product_code": PRODUCT, "users": [], "exclusive": True, "max_reclaims": "ten"},
         outcome="failed", msg="max_reclaims"),
    Case("dd-unknown-users-fail", DD, {"product_code": PRODUCT, "users": ["ghost@example.com"]},
         outcome="failed", msg="unknown users"),
    Case("dd-connection-refused", DD, {"product_code": PRODUCT, "users": ["cy@example.com"], "api_url": DEAD,
                                       "retries": 0}, outcome="failed", msg="could not reach"),
    Case("dd-missing-keys", DD, {"product_code": PRODUCT, "users": [], "api_key": ""}, outcome="failed",
         msg="missing api_key"),
    Case("dd-unknown-product", DD, {"product_code": "no_such_product", "users": []}, outcome="failed",
         msg="no_such_product"),
    Case("dd-write-failed", DD, {"product_code": PRODUCT, "users": ["cy@example.com"], "retries": 0},
         outcome="failed", msg="seat change(s) on %s failed" % PRODUCT,
         faults=[{"method": "POST", "path": DD_SEATS_PATH, "status": 500}]),
    Case("dd-disabled-refused", DD, {"product_code": PRODUCT, "users": ["dee@example.com"]}),
    # The seed's seats are assigned when it loads: a day's grace keeps ben's.
    Case("dd-grace-kept", DD, {"product_code": PRODUCT, "users": ["ana@example.com"], "exclusive": True,
                               "grace_days": 1}),
    Case("dd-ceiling-refused", DD, {"product_code": PRODUCT, "users": ["cy@example.com"], "max_holders": 2},
         outcome="failed", msg="Refusing to end with 3 holders"),
    # A saved plan's fingerprint that no longer matches (see test_saved_plans.py).
    Case("dd-stale-digest", DD, {"product_code": PRODUCT, "users": ["cy@example.com"], "expect_holders_digest": "0" * 64},
         outcome="failed", msg="changed since the plan was made"),
    # datadog_seats_info
    Case("ddi-holders", DD_INFO, {"product_codes": [PRODUCT, "on_call"], "users": ["ana@example.com", "cy"]}),
    Case("ddi-bad-product-code", DD_INFO, {"product_codes": ["123"]}, outcome="failed", msg="product_code"),
    Case("ddi-unknown-product", DD_INFO, {"product_codes": ["no_such_product"]}, outcome="failed",
         msg="no_such_product"),
    Case("ddi-connection-refused", DD_INFO, {"product_codes": [PRODUCT], "api_url": DEAD, "retries": 0},
         outcome="failed", msg="could not reach"),
    Case("ddi-missing-keys", DD_INFO, {"product_codes": [PRODUCT], "app_key": ""}, outcome="failed",
         msg="missing app_key"),
    Case("ddi-ceilings", DD_INFO, {"product_codes": [PRODUCT, "on_call"], "users": ["ana@example.com"],
                                   "max_holders": {PRODUCT: 1, "on_call": 0}}),
    Case("ddi-bad-max-holders", DD_INFO, {"product_codes": [PRODUCT], "max_holders": {"on_call": 1}},
         outcome="failed", msg="max_holders.on_call"),
    # msstore_seat
    Case("ms-assign", MS, store_product(OPEN, users=["bob@contoso.com"])),
    Case("ms-check-diff-exclusive", MS, store_product(RESTRICTED, users=["alice@contoso.com"], exclusive=True,
                                                      max_reclaims=1), check_mode=True, diff=True),
    Case("ms-unknown-warn", MS, store_product(OPEN, users=["ghost@contoso.com"], unknown_users="warn")),
    Case("ms-guard-refused", MS, store_product(OPEN, users=[], exclusive=True, max_reclaims=0), outcome="failed",
         msg="Refusing to reclaim"),
    Case("ms-capacity-refused", MS, store_product(RESTRICTED, users=["carol@contoso.com"]), outcome="failed",
         msg="not enough seats"),
    Case("ms-grace-kept", MS, store_product(OPEN, users=[], exclusive=True, grace_days=1)),
    Case("ms-ceiling-refused", MS, store_product(OPEN, users=["bob@contoso.com"], max_holders=1), outcome="failed",
         msg="Refusing to end with 2 holders"),
    Case("ms-stale-digest", MS, store_product(OPEN, users=["bob@contoso.com"], expect_holders_digest="0" * 64),
         outcome="failed", msg="changed since the plan was made"),
    Case("ms-bad-sku", MS, {"product_id": OPEN[0], "sku_id": "1", "users": []}, outcome="failed", msg="sku_id"),
    Case("ms-bad-upn", MS, store_product(OPEN, users=["not-a-upn"]), outcome="failed", msg="users[0]"),
    Case("ms-unknown-users-fail", MS, store_product(OPEN, users=["ghost@contoso.com"]), outcome="failed",
         msg="unknown users"),
    Case("ms-connection-refused", MS, store_product(OPEN, users=["bob@contoso.com"], api_url=DEAD + "/V1",
                                                    auth_url=DEAD, retries=0),
         outcome="failed", msg="could not reach"),
    Case("ms-wrong-secret", MS, store_product(OPEN, users=[], client_secret="not-the-secret"), outcome="failed",
         msg="client_secret"),
    Case("ms-unknown-product", MS, {"product_id": "9ZZZZZZZZZZZ", "sku_id": "0001", "users": []},
         outcome="failed", msg="9ZZZZZZZZZZZ"),
    Case("ms-write-failed", MS, store_product(OPEN, users=["bob@contoso.com"], retries=0), outcome="failed",
         msg="seat change(s) on", faults=[{"method": "POST", "path": MS_BULK_PATH, "status": 500}]),
    # msstore_seat_info
    Case("msi-inventory", MS_INFO, {"view": "inventory"}),
    Case("msi-product", MS_INFO, store_product(OPEN, view="product")),
    Case("msi-users", MS_INFO, {"view": "users", "users": ["alice@contoso.com", "ghost@contoso.com"],
                                "unknown_users": "warn"}),
    Case("msi-bad-input", MS_INFO, {"view": "product", "product_id": "short", "sku_id": "0001"},
         outcome="failed", msg="product_id"),
    Case("msi-unknown-product", MS_INFO, {"view": "product", "product_id": "9ZZZZZZZZZZZ", "sku_id": "0001"},
         outcome="failed", msg="9ZZZZZZZZZZZ"),
    Case("msi-connection-refused", MS_INFO, {"view": "inventory", "api_url": DEAD + "/V1", "auth_url": DEAD,
                                             "retries": 0}, outcome="failed", msg="could not reach"),
    Case("msi-unknown-users-fail", MS_INFO, {"view": "users", "users": ["ghost@contoso.com"]}, outcome="failed",
         msg="ghost@contoso.com"),
    Case("msi-inventory-ceilings", MS_INFO, {"view": "inventory", "max_holders": {"%s/%s" % RESTRICTED: 1,
                                                                                  "%s/%s" % OPEN: 5}}),
    Case("msi-product-ceilings", MS_INFO, store_product(RESTRICTED, view="product",
                                                        max_holders={"%s/%s" % RESTRICTED: 2})),
    Case("msi-bad-max-holders", MS_INFO, {"view": "users", "users": ["alice@contoso.com"],
                                          "max_holders": {"%s/%s" % OPEN: 1}}, outcome="failed", msg="max_holders"),
    Case("msi-ceiling-unlisted", MS_INFO, {"view": "inventory", "max_holders": {"9ZZZZZZZZZZZ/0001": 1}},
         outcome="failed", msg="9ZZZZZZZZZZZ/0001"),
    # github_copilot_seats
    Case("gh-assign", GH, {"organization": "acme", "users": ["rex", "Mona"]}),
    Case("gh-check-diff-exclusive", GH, {"organization": "acme", "users": ["mona", "rex", "hubot"], "exclusive": True,
                                         "max_reclaims": "100%", "grace_days": 1, "reclaim_inactive_days": 30},
         check_mode=True, diff=True),
    Case("gh-absent-team-warn", GH, {"organization": "acme", "users": ["tina", "lena", "hubot"], "state": "absent",
                                     "team_granted_users": "warn"}),
    Case("gh-unknown-warn", GH, {"organization": "acme", "users": ["rex", "ghost", "newhire"],
                                 "unknown_users": "warn"}),
    Case("gh-unknown-users-fail", GH, {"organization": "acme", "users": ["ghost"]}, outcome="failed",
         msg="unknown users"),
    Case("gh-team-granted-fail", GH, {"organization": "acme", "users": ["tina"], "state": "absent"},
         outcome="failed", msg="granted through team platform"),
    Case("gh-settings-refused", GH, {"organization": "allhands", "users": ["rex"]}, outcome="failed",
         msg="GitHub would reject these changes"),
    Case("gh-settings-refused-check", GH, {"organization": "allhands", "users": ["rex"]}, outcome="failed",
         msg="GitHub would reject these changes", check_mode=True),
    Case("gh-guard-refused", GH, {"organization": "acme", "users": [], "exclusive": True}, outcome="failed",
         msg="Refusing to reclaim"),
    Case("gh-reclaim-all-refused", GH, {"organization": "solo", "users": [], "exclusive": True,
                                        "max_reclaims": "100%"}, outcome="failed", msg="confirm_reclaim_all"),
    Case("gh-ceiling-refused", GH, {"organization": "acme", "users": ["rex"], "max_holders": 4}, outcome="failed",
         msg="Refusing to end with 5 holders"),
    Case("gh-stale-digest", GH, {"organization": "acme", "users": ["rex"], "expect_holders_digest": "0" * 64},
         outcome="failed", msg="changed since the plan was made"),
    Case("gh-bad-organization", GH, {"organization": "https://github.com/acme", "users": []}, outcome="failed",
         msg="organization"),
    Case("gh-bad-login", GH, {"organization": "acme", "users": ["mona@example.com"]}, outcome="failed",
         msg="users[0]"),
    Case("gh-bad-token", GH, {"organization": "acme", "users": ["rex"], "token": GH_BAD_TOKEN}, outcome="failed",
         msg="HTTP 401"),
    Case("gh-missing-token", GH, {"organization": "acme", "users": ["rex"], "token": ""}, outcome="failed",
         msg="missing token"),
    Case("gh-unknown-org", GH, {"organization": "nosuchorg", "users": ["rex"]}, outcome="failed", msg="HTTP 404"),
    Case("gh-connection-refused", GH, {"organization": "acme", "users": ["rex"], "api_url": DEAD, "retries": 0},
         outcome="failed", msg="could not reach"),
    Case("gh-bad-api-url", GH, {"organization": "acme", "users": [], "api_url": "ftp://example.com"},
         outcome="failed", msg="api_url"),
    Case("gh-bad-inactive-days", GH, {"organization": "acme", "reclaim_inactive_days": 0}, outcome="failed",
         msg="reclaim_inactive_days"),
    Case("gh-write-failed", GH, {"organization": "acme", "users": ["rex"], "retries": 0}, outcome="failed",
         msg="seat change(s) on acme failed", faults=[{"method": "POST", "path": GH_USERS_PATH, "status": 500}]),
    # github_copilot_seats_info
    Case("ghi-audit", GH_INFO, {"organizations": ["acme", "allhands"], "users": ["mona", "ghost"], "inactive_days": 30,
                                "max_holders": {"acme": 3}}),
    Case("ghi-all-seats", GH_INFO, {"organizations": ["ACME"]}),
    Case("ghi-bad-organization", GH_INFO, {"organizations": ["acme/x"]}, outcome="failed", msg="organizations[0]"),
    Case("ghi-unlisted-ceiling", GH_INFO, {"organizations": ["acme"], "max_holders": {"solo": 1}}, outcome="failed",
         msg="max_holders.solo"),
    Case("ghi-bad-inactive-days", GH_INFO, {"organizations": ["acme"], "inactive_days": 0}, outcome="failed",
         msg="inactive_days"),
    Case("ghi-bad-token", GH_INFO, {"organizations": ["acme"], "token": GH_BAD_TOKEN}, outcome="failed",
         msg="HTTP 401"),
    Case("ghi-unknown-org", GH_INFO, {"organizations": ["nosuchorg"]}, outcome="failed", msg="HTTP 404"),
    Case("ghi-connection-refused", GH_INFO, {"organizations": ["acme"], "api_url": DEAD, "retries": 0},
         outcome="failed", msg="could not reach"),
    # seats_reconcile (an action: its options and results are documented in plugins/modules/)
    Case("reconcile-audit", RECONCILE, {
        "desired_state": {"datadog": [{"product_code": PRODUCT, "users": ["ana@example.com", "ben@example.com"]}],
                          "msstore": [{"product_id": OPEN[0], "sku_id": OPEN[1], "users": ["alice@contoso.com"]}]},
        "report_dir": "reports", "report_name": "audit"}, check_mode=True, diff=True),
    Case("reconcile-product-error", RECONCILE, {
        "desired_state": {"datadog": [{"product_code": PRODUCT, "users": []}]},
        "report_dir": "reports", "report_name": "guarded"}, outcome="failed", msg=PRODUCT),
    Case("reconcile-apply-plan", RECONCILE, {"plan_file": "plans/audit.plan.json", "report_dir": "reports"},
         before=[{"name": "an audit saves its plan", RECONCILE: {
             "desired_state": {"datadog": [{"product_code": PRODUCT, "users": ["ana@example.com", "cy@example.com"],
                                            "max_reclaims": 1}],
                               "msstore": [{"product_id": OPEN[0], "sku_id": OPEN[1], "users": ["bob@contoso.com"],
                                            "max_reclaims": 1}]},
             "report_dir": "reports", "plan_path": "plans/audit.plan.json"}, "check_mode": True}]),
    Case("reconcile-plan-refused", RECONCILE, {"plan_file": "plans/none.plan.json", "report_dir": "reports"},
         outcome="failed", msg="plan_file plans/none.plan.json cannot be read"),
    Case("reconcile-bad-desired-state", RECONCILE, {
        "desired_state": {"datadog": [{"product_code": "123", "users": []}]},
        "report_dir": "reports"}, outcome="failed", msg="product_code"),
    # seats_onboard and seats_offboard (actions, documented in plugins/modules/)
    Case("onboard-assign", ONBOARD, {"people": [{"email": "cy@example.com", "upn": "carol@contoso.com"}],
                                     "datadog_products": [PRODUCT], "msstore_products": [{"product_id": OPEN[0],
                                                                                          "sku_id": OPEN[1]}]}),
    Case("onboard-check-diff", ONBOARD, {"people": [{"email": "cy@example.com"}], "datadog_products": [PRODUCT],
                                         "unknown_users": "warn"}, check_mode=True, diff=True),
    Case("onboard-bad-input", ONBOARD, {"people": [{"email": "two words"}], "datadog_products": [PRODUCT]},
         outcome="failed", msg="people[0].email"),
    Case("onboard-unknown-person", ONBOARD, {"people": [{"email": "ghost@example.com"}], "datadog_products": [PRODUCT]},
         outcome="failed", msg="ghost@example.com"),
    Case("offboard-reclaim", OFFBOARD, {"people": [{"email": "ben@example.com", "upn": "bob@contoso.com"}],
                                        "datadog_products": [PRODUCT], "record_path": "records/ben.json"}),
    Case("offboard-check-diff", OFFBOARD, {"people": [{"email": "ana@example.com", "upn": "alice@contoso.com"}],
                                           "datadog_products": [PRODUCT], "record_dir": "records"},
         check_mode=True, diff=True),
    Case("offboard-store-refused", OFFBOARD, {"people": [{"email": "ana@example.com", "upn": "alice@contoso.com"}],
                                              "datadog_products": [PRODUCT], "record_dir": "records",
                                              "msstore": {"client_secret": "not-the-secret"}},
         outcome="failed", msg="finding the leavers' seats"),
    Case("offboard-bad-input", OFFBOARD, {"people": [], "datadog_products": [PRODUCT], "record_dir": "records"},
         outcome="failed", msg="people must list at least one person"),
    Case("offboard-restore", OFFBOARD, {"restore": True, "record_path": "records/ben.json"}),
    Case("offboard-restore-without-record", OFFBOARD, {"restore": True}, outcome="failed", msg="needs record_path"),
]


def case_tasks(sandbox, case, index):
    """Reseed, set the case's faults, run the case's own tasks, then the case's task."""
    admin = sandbox.url + "/_sandbox/"
    tasks = [
        {"name": "%s: reseed" % case.id,
         "ansible.builtin.uri": {"url": admin + "seed", "method": "POST", "body_format": "json", "body": SEED}},
        {"name": "%s: faults" % case.id,
         "ansible.builtin.uri": {"url": admin + "faults", "method": "POST", "body_format": "json",
                                 "body": {"rules": case.faults}}},
    ]
    tasks.extend(case.before)
    task = {"name": "case %d" % index, case.module: case.args, "ignore_errors": True}
    if case.check_mode:
        task["check_mode"] = True
    if case.diff:
        task["diff"] = True
    tasks.append(task)
    return tasks


def playbook(sandbox, cases):
    tasks = []
    for index, case in enumerate(cases):
        tasks.extend(case_tasks(sandbox, case, index))
    tasks.append({"name": "clear faults", "ansible.builtin.uri": {
        "url": sandbox.url + "/_sandbox/faults", "method": "POST", "body_format": "json", "body": {"rules": []}}})
    return [{
        "name": "RETURN docs against real results", "hosts": "localhost", "gather_facts": False,
        "module_defaults": {
            "group/seatops.seats.datadog": {"api_url": sandbox.url, "api_key": API_KEY, "app_key": APP_KEY},
            "group/seatops.seats.msstore": {"tenant_id": TENANT, "client_id": CLIENT, "client_secret": SECRET,
                                            "auth_url": sandbox.url, "api_url": sandbox.store_url},
            "group/seatops.seats.github": {"api_url": sandbox.url, "token": GH_TOKEN},
        },
        "tasks": tasks,
    }]


@pytest.fixture(scope="module")
def case_results(sandbox, tmp_path_factory):
    """``{case id: (status, result)}`` from one ansible-playbook run of every case."""
    import subprocess
    import sys

    from collection_layout import collections_root

    work = tmp_path_factory.mktemp("return-docs")
    path = work / "playbook.yml"
    path.write_text(yaml.safe_dump(playbook(sandbox, CASES), sort_keys=False))
    results_file = work / "results.jsonl"
    env = dict(os.environ)
    for name in ("DD_API_KEY", "DD_APP_KEY", "DD_SITE", "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"):
        env.pop(name, None)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": collections_root(),
        "ANSIBLE_CALLBACK_PLUGINS": os.path.join(HERE, "callback_plugins"),
        "ANSIBLE_CALLBACKS_ENABLED": "result_recorder",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_LOCAL_TEMP": str(work / "ansible-tmp"),
        "SEATOPS_RESULTS_FILE": str(results_file),
    })
    completed = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", "-c", "local",
         str(path)], capture_output=True, text=True, env=env, cwd=str(work), timeout=900, check=False)
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-4000:]
    recorded = [json.loads(line) for line in results_file.read_text().splitlines() if line]
    by_task = dict((entry["task"], entry) for entry in recorded)
    found = {}
    for index, case in enumerate(CASES):
        entry = by_task.get("case %d" % index)
        assert entry is not None, "case %s did not run:\n%s" % (case.id, completed.stdout[-3000:])
        found[case.id] = (entry["status"], entry["result"])
    return found


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_result_matches_the_return_docs(case_results, case):
    status, result = case_results[case.id]
    expected_status = "ok" if case.outcome == "ok" else "ignored"
    assert status == expected_status, "%s: expected %s, got %s: %s" % (
        case.id, case.outcome, status, result.get("msg"))
    if case.msg:
        assert case.msg in result.get("msg", ""), result.get("msg")
    problems = return_problems(return_spec(case.module), result)
    assert problems == [], "%s (%s):\n%s\nresult keys: %s" % (
        case.id, case.module, "\n".join(problems), sorted(result))


def test_no_secret_in_any_result(case_results):
    text = json.dumps(case_results)
    for secret in (API_KEY, APP_KEY, SECRET, GH_TOKEN, GH_BAD_TOKEN):
        assert secret not in text


def test_every_module_has_cases_of_both_outcomes():
    documented = sorted(name[:-3] for name in os.listdir(MODULES_DIR)
                        if name.endswith(".py") and not name.startswith("_"))
    missing = []
    for name in documented:
        outcomes = set(case.outcome for case in CASES if case.module.rsplit(".", 1)[-1] == name)
        for outcome in ("ok", "failed"):
            if outcome not in outcomes:
                missing.append("%s has no case with outcome %s" % (name, outcome))
    assert missing == []


# -- the checker itself (no sandbox): it must be able to fail ---------------------------------

SPEC = yaml.safe_load("""
changed: {description: x, returned: always, type: bool}
total: {description: x, returned: always, type: int}
people:
  description: x
  returned: success
  type: list
  elements: dict
  contains:
    user: {description: x, returned: always, type: str}
    reason: {description: x, type: str}
""")


@pytest.mark.parametrize("result, problems", [
    ({"changed": False, "total": 1, "people": [{"user": "a"}]}, []),
    ({"changed": False, "total": None, "msg": "m", "invocation": {}, "_ansible_no_log": False}, []),
    ({"changed": False}, ["total is documented 'returned: always' but missing"]),
    ({"changed": False, "total": 1, "extra": 1}, ["extra is returned but not documented"]),
    ({"changed": False, "total": True}, ["total is documented as int but is bool"]),
    ({"changed": False, "total": 1, "people": [{"reason": "r", "why": "w"}]},
     ["people[0].user is documented 'returned: always' but missing", "people[0].why is returned but not documented"]),
])
def test_the_checker_reports_what_contradicts_the_docs(result, problems):
    assert return_problems(SPEC, result) == problems
