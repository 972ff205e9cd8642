# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fault soak's judge: what a playbook run reported against what the sandbox holds.

Input: the sandbox state before and after a run (``GET /_sandbox/state``), the task results
the ``result_recorder`` callback wrote (one JSON object per task), the run's exit code and
its output. Output: a :class:`Verdict` listing every mismatch (a seat the run reported that
is not there, a change nobody reported, a seat held twice, Store counts that disagree, a
wrong report) and every unclean failure (a traceback, a failure whose message does not name
the product and the users). Pure functions, no I/O: the smoke test feeds it made-up runs to
prove it catches what it must.
"""

from __future__ import annotations

SEAT_ACTIONS = ("seatops.seats.datadog_seats", "seatops.seats.msstore_seat")
# The reconcile role's action runs the seat modules itself; their results are the rows of
# the report it writes (the harness loads the report into the entry as "report").
RECONCILE_ACTION = "seatops.seats.seats_reconcile"
# The onboarding and offboarding roles' actions run the seat modules too; their results list
# each product's module result (with platform and product fields) under "products".
SEAT_RUN_ACTIONS = ("seatops.seats.seats_onboard", "seatops.seats.seats_offboard")
CRASH_MARKERS = ("Traceback (most recent call last)", "MODULE FAILURE",
                 "An exception occurred during task execution")
# fail_json lists the first 20 failed users by name (plugins/module_utils/_module_runner.py).
NAMED_FAILURES = 20


class Verdict(object):
    """Everything wrong with one run; empty lists mean the run told the truth."""

    def __init__(self):
        self.mismatches = []       # state and report disagree, or the state is inconsistent
        self.unclean = []          # a failure that is not a clean, named `failed`
        self.tracebacks = []       # Python tracebacks / MODULE FAILURE anywhere
        self.assigned = 0
        self.reclaimed = 0
        self.kept = 0
        self.module_results = 0
        self.failed_modules = 0

    @property
    def ok(self):
        return not (self.mismatches or self.unclean or self.tracebacks)

    def as_dict(self):
        return {"mismatches": self.mismatches, "unclean": self.unclean, "tracebacks": self.tracebacks,
                "assigned": self.assigned, "reclaimed": self.reclaimed, "kept": self.kept,
                "module_results": self.module_results, "failed_modules": self.failed_modules}


# -- the state ---------------------------------------------------------------------------

def holders_by_product(state, tenant):
    """``{product: [key, ...]}`` as the sandbox lists them (duplicates kept, to find them).

    Datadog products are keyed by product code and hold emails (the UUID for a user
    without one), Store products by ``PRODUCTID/SKU`` and hold UPNs; all lower-case. These
    are the names the modules and the reconcile report use too.
    """
    out = {}
    for code, product in state["datadog"]["products"].items():
        out[code] = [person_key(h) for h in product["holders"]]
    for key, product in state["msstore"]["tenants"][tenant]["products"].items():
        out[store_key(*key.split("/", 1))] = [str(h).lower() for h in product["holders"]]
    return out


def person_key(entry):
    """A Datadog ``{id, email}``, a ``{user, ...}`` entry (kept_in_grace) or a plain name as
    the key holders are compared by."""
    if isinstance(entry, dict):
        return str(entry.get("email") or entry.get("user") or entry.get("id")).lower()
    return str(entry).lower()


def store_key(product_id, sku_id):
    return "%s/%s" % (str(product_id).upper(), str(sku_id))


def check_state(state, tenant):
    """Invariants that hold whatever a run did: no seat twice, Store counts agree."""
    problems = []
    for product, keys in sorted(holders_by_product(state, tenant).items()):
        twice = sorted(set(k for k in keys if keys.count(k) > 1))
        if twice:
            problems.append("%s: seat held twice by %s" % (product, ", ".join(twice)))
    for key, product in sorted(state["msstore"]["tenants"][tenant]["products"].items()):
        holders = len(product["holders"])
        capacity = product["seat_capacity"]
        expected = max(capacity - holders, 0)
        if product["available_seats"] != expected:
            problems.append("%s: availableSeats is %s but capacity %s - %d holders = %d"
                            % (key, product["available_seats"], capacity, holders, expected))
        if product["distribution_policy"] == "Restricted" and holders > capacity:
            problems.append("%s: %d holders on a Restricted product of capacity %s"
                            % (key, holders, capacity))
    return problems


# -- the run's report ---------------------------------------------------------------------

class ModuleResult(object):
    """One seat-module invocation (a loop item or a plain task) as the run reported it."""

    def __init__(self, task, action, result):
        self.task = task
        self.action = action
        self.result = result
        self.failed = bool(result.get("failed"))
        self.product = self._product()

    def _product(self):
        args = (self.result.get("invocation") or {}).get("module_args") or {}
        item = self.result.get("item")
        if self.action.endswith("datadog_seats"):
            code = self.result.get("product_code") or args.get("product_code")
            if code is None and isinstance(item, dict):
                code = item.get("product_code")
            if code is None and isinstance(item, str):
                code = item
            return str(code).strip().lower() if code is not None else None
        product_id = args.get("product_id", self.result.get("product_id"))
        sku_id = args.get("sku_id", self.result.get("sku_id"))
        if product_id is None and isinstance(item, dict):
            product_id, sku_id = item.get("product_id"), item.get("sku_id")
        if product_id is None:
            return None
        return store_key(str(product_id).strip(), str(sku_id).strip())

    @property
    def product_words(self):
        """What a message must contain to name the product."""
        if self.product is None:
            return []
        if self.action.endswith("datadog_seats"):
            return [self.product]
        return [self.product.split("/", maxsplit=1)[0]]

    def keys(self, name):
        """The reported list ``name`` as holder keys (see :func:`holders_by_product`)."""
        return [person_key(entry) for entry in self.result.get(name) or []]

    def describe(self):
        return "%s [%s]" % (self.task, self.product)


def report_row_result(row):
    """A reconcile report row in the shape of the seat module result it was built from."""
    failed = bool(row.get("error") or row.get("failed"))
    result = {"assigned": row.get("to_assign") or [], "reclaimed": row.get("to_reclaim") or [],
              "failed_users": row.get("failed") or [], "failed": failed, "msg": row.get("error"),
              "holders_count": row.get("holders_after"), "kept_in_grace": row.get("kept_in_grace") or []}
    if row.get("platform") == "datadog":
        result["product_code"] = row.get("product")
    else:
        product_id, _sep, sku_id = str(row.get("product")).partition("/")
        result["item"] = {"product_id": product_id, "sku_id": sku_id}
    return result


def module_results(entries, actions=SEAT_ACTIONS):
    """Every seat-module invocation, loop items unrolled, skipped ones left out; the
    reconcile action's products come from its report, the onboarding and offboarding
    actions' from their result."""
    out = []
    for entry in entries:
        if entry.get("action") in SEAT_RUN_ACTIONS:
            result = entry.get("result") or {}
            if result.get("mode") == "apply":
                for row in result.get("products") or []:
                    action = SEAT_ACTIONS[0] if row.get("platform") == "datadog" else SEAT_ACTIONS[1]
                    out.append(ModuleResult(entry["task"], action, row))
            continue
        if entry.get("action") == RECONCILE_ACTION and isinstance(entry.get("report"), dict):
            if entry["report"].get("mode") == "apply":
                for row in entry["report"].get("products") or []:
                    action = SEAT_ACTIONS[0] if row.get("platform") == "datadog" else SEAT_ACTIONS[1]
                    out.append(ModuleResult(entry["task"], action, report_row_result(row)))
            continue
        if entry.get("action") not in actions:
            continue
        result = entry.get("result") or {}
        items = result["results"] if isinstance(result.get("results"), list) else [result]
        for item in items:
            if not isinstance(item, dict) or item.get("skipped"):
                continue
            out.append(ModuleResult(entry["task"], entry["action"], item))
    return out


def _crashed(result):
    keys = ("msg", "module_stderr", "module_stdout", "exception")
    text = " ".join(str(result.get(key) or "") for key in keys)
    return any(marker in text for marker in CRASH_MARKERS) or "module_stderr" in result


def check_failure_message(module):
    """Why a failed seat-module result is not a clean, named failure (None when it is)."""
    msg = str(module.result.get("msg") or "")
    if not msg.strip():
        return "%s failed without a message" % module.describe()
    low = msg.lower()
    missing = [word for word in module.product_words if word.lower() not in low]
    if module.product is None or missing:
        return "%s failed, but the message does not name the product: %s" % (module.describe(), msg[:300])
    users = [str(item.get("user")) for item in module.result.get("failed_users") or []]
    unnamed = [user for user in users[:NAMED_FAILURES] if user.lower() not in low]
    if unnamed:
        return "%s failed, but the message does not name %s: %s" % (module.describe(), ", ".join(unnamed), msg[:300])
    return None


def judge(before, after, entries, rc, output, tenant):
    """Compare one run's report with the state change it caused; returns a :class:`Verdict`."""
    verdict = Verdict()
    for marker in CRASH_MARKERS:
        if marker in output:
            verdict.tracebacks.append("output contains %r" % marker)

    modules = module_results(entries)
    verdict.module_results = len(modules)
    expected = dict((product, set(keys)) for product, keys in holders_by_product(before, tenant).items())
    held_before = dict((product, set(keys)) for product, keys in expected.items())
    touched = {}
    for module in modules:
        if _crashed(module.result):
            verdict.tracebacks.append("%s: %s" % (module.describe(), str(module.result.get("msg"))[:300]))
            continue
        if module.failed:
            verdict.failed_modules += 1
            problem = check_failure_message(module)
            if problem:
                verdict.unclean.append(problem)
        if module.product is None:
            verdict.mismatches.append("%s: cannot tell which product the result is for" % module.task)
            continue
        if module.product not in expected:
            if module.keys("assigned") or module.keys("reclaimed"):
                verdict.mismatches.append("%s: reported changes on a product the sandbox does not have"
                                          % module.describe())
            continue
        touched[module.product] = touched.get(module.product, 0) + 1
        current = expected[module.product]
        found = set(current)
        assigned, reclaimed = module.keys("assigned"), module.keys("reclaimed")
        failed = set(str(item.get("user")).lower() for item in module.result.get("failed_users") or [])
        for key in assigned:
            if key in current:
                verdict.mismatches.append("%s: reported assigning %s, who already held a seat"
                                          % (module.describe(), key))
            current.add(key)
        for key in reclaimed:
            if key not in current:
                verdict.mismatches.append("%s: reported reclaiming %s, who held no seat"
                                          % (module.describe(), key))
            current.discard(key)
        for key in set(assigned + reclaimed) & failed:
            verdict.mismatches.append("%s: %s reported both changed and failed" % (module.describe(), key))
        # A seat kept by the grace period is one the run found held and left alone.
        kept = module.keys("kept_in_grace")
        for key in kept:
            if key not in found or key in reclaimed or key in assigned:
                verdict.mismatches.append("%s: reported keeping %s in the grace period, who %s"
                                          % (module.describe(), key, "held no seat" if key not in found
                                             else "was changed by the same run"))
        verdict.kept += len(kept)
        verdict.assigned += len(assigned)
        verdict.reclaimed += len(reclaimed)

    actual = holders_by_product(after, tenant)
    for product in sorted(set(actual) | set(expected)):
        now = set(actual.get(product, []))
        want = expected.get(product, set())
        was = held_before.get(product, set())
        for key in sorted(want - now):
            why = "reported assigned" if key not in was else "held before, no reclaim reported"
            verdict.mismatches.append("%s: %s does not hold a seat (%s)" % (product, key, why))
        for key in sorted(now - want):
            why = "reported reclaimed" if key in was else "no assignment reported"
            verdict.mismatches.append("%s: %s holds a seat (%s)" % (product, key, why))
    verdict.mismatches.extend(check_state(after, tenant))

    # A successful result's own counts must match the state it left (one call per product).
    store_after = dict((store_key(*key.split("/", 1)), product)
                       for key, product in after["msstore"]["tenants"][tenant]["products"].items())
    for module in modules:
        if module.failed or _crashed(module.result) or touched.get(module.product) != 1:
            continue
        count = module.result.get("holders_count")
        if isinstance(count, int) and module.product in actual and count != len(actual[module.product]):
            verdict.mismatches.append("%s: reported holders_count %d, the sandbox has %d"
                                      % (module.describe(), count, len(actual[module.product])))
        available = module.result.get("available_seats")
        if isinstance(available, int) and module.product in store_after \
                and available != store_after[module.product]["available_seats"]:
            verdict.mismatches.append("%s: reported available_seats %d, the sandbox has %d"
                                      % (module.describe(), available, store_after[module.product]["available_seats"]))

    # Every failed task (not only seat modules) must be a clean failure with a message.
    failed_tasks = [entry for entry in entries if entry.get("status") in ("failed", "ignored", "unreachable")]
    for entry in failed_tasks:
        result = entry.get("result") or {}
        if entry.get("action") in SEAT_ACTIONS:
            continue
        items = result["results"] if isinstance(result.get("results"), list) else [result]
        for item in items:
            if not isinstance(item, dict):
                continue
            if not item.get("failed") and entry.get("status") != "unreachable":
                continue
            if _crashed(item):
                verdict.tracebacks.append("%s: %s" % (entry["task"], str(item.get("msg"))[:300]))
            elif not str(item.get("msg") or "").strip():
                verdict.unclean.append("%s failed without a message" % entry["task"])
    for entry in entries:
        if entry.get("action") == RECONCILE_ACTION and entry.get("status") == "ok" and "report" not in entry:
            verdict.unclean.append("%s: no readable report (%s)" % (entry["task"], entry.get("report_error", "no path")))
    if rc != 0 and not [entry for entry in failed_tasks if entry.get("status") != "ignored"]:
        verdict.unclean.append("ansible-playbook exited with %s but no task failed (an error outside "
                               "the tasks?)" % rc)
    if rc == 0 and [entry for entry in failed_tasks if entry.get("status") == "failed"]:
        verdict.unclean.append("a task failed but ansible-playbook exited with 0")
    return verdict


def changed_results(entries):
    """Seat-module invocations that reported a change (for the convergence check)."""
    return [module.describe() for module in module_results(entries) if module.result.get("changed")]


# -- issue 10's situations ------------------------------------------------------------------
#
# Each rule takes what the harness knows about the run (who left, which Store address it was
# given, which record it wrote to, what the record holds) and returns mismatches; the
# harness adds them to the run's verdict. Pure functions like judge(), so the smoke test can
# feed them made-up runs.

def action_results(entries, action):
    """The results of the tasks that ran ``action`` (the onboarding/offboarding actions)."""
    return [entry.get("result") or {} for entry in entries if entry.get("action") == action]


def store_products(state, tenant):
    """``{PRODUCT/SKU: product}`` of the Store tenant, keyed as :func:`holders_by_product`."""
    return dict((store_key(*key.split("/", 1)), product)
                for key, product in state["msstore"]["tenants"][tenant]["products"].items())


def removed_products(state, tenant):
    return sorted(key for key, product in store_products(state, tenant).items() if product.get("status") == "Removed")


def _names_user(failure, key):
    return key in set(str(user).lower() for user in failure.get("users") or [])


def check_leavers(after, entries, rc, tenant, leavers, datadog_products):
    """An offboarding run: a leaver who still holds a seat afterwards must make the run fail
    and be named, with that product (or every product of the platform), in its failures.
    ``leavers``: ``{"datadog": [email], "msstore": [upn]}``."""
    problems = []
    results = action_results(entries, SEAT_RUN_ACTIONS[1])
    failures = [failure for result in results for failure in result.get("failures") or []]
    wanted = dict((platform, set(str(name).lower() for name in names)) for platform, names in leavers.items())
    codes = set(str(code).lower() for code in datadog_products)
    for product, keys in sorted(holders_by_product(after, tenant).items()):
        platform = "datadog" if product in set(after["datadog"]["products"]) else "msstore"
        if platform == "datadog" and product not in codes:
            continue
        for key in sorted(set(keys) & wanted.get(platform, set())):
            if rc == 0:
                problems.append("the run ended green while leaver %s still holds a seat on %s" % (key, product))
                continue
            named = [failure for failure in failures if failure.get("platform") == platform
                     and (failure.get("product") is None or str(failure.get("product")).upper() == product.upper())
                     and _names_user(failure, key)]
            if not named:
                problems.append("leaver %s still holds a seat on %s, and no failure of the run names them there"
                                % (key, product))
    return problems


def check_wrong_store_path(before, after, entries, rc, tenant, kind, api_url):
    """A run given a Store ``api_url`` no API answers (``/V1`` missing): it fails, changes no
    Store seat, names the endpoint, and the Datadog side still did its work."""
    problems = []
    if rc == 0:
        problems.append("the Store api_url %s answers no API, yet the run ended green" % api_url)
    was, now = holders_by_product(before, tenant), holders_by_product(after, tenant)
    for product in sorted(store_products(before, tenant)):
        if sorted(was.get(product, [])) != sorted(now.get(product, [])):
            problems.append("%s: Store seats changed through a wrong api_url" % product)
    action = SEAT_RUN_ACTIONS[0] if kind == "onboard" else SEAT_RUN_ACTIONS[1]
    results = action_results(entries, action)
    if not results:
        return problems + ["no %s result to judge" % action]
    store_failures = [failure for result in results for failure in result.get("failures") or []
                      if failure.get("platform") == "msstore"]
    if not store_failures:
        problems.append("the Store could not be reached at %s, but no Store failure was reported" % api_url)
    base = api_url.rstrip("/").lower()
    for failure in store_failures:
        if base not in str(failure.get("reason") or "").lower():
            problems.append("a Store failure does not name the endpoint %s: %s"
                            % (api_url, str(failure.get("reason"))[:300]))
    message = " ".join(str(result.get("msg") or "") for result in results).lower()
    if store_failures and base not in message:
        problems.append("the run's message does not name the endpoint %s" % api_url)
    datadog_rows = [row for result in results for row in result.get("products") or [] if row.get("platform") == "datadog"]
    if not datadog_rows:
        problems.append("the Store's wrong api_url stopped the Datadog side: no Datadog product was worked on")
    return problems


def writes_on(requests, product):
    """The write requests (POST, DELETE) on a Store product, from the request log entries."""
    needle = "/inventory/%s/" % product.split("/", 1)[0].lower()
    return ["%s %s" % (entry["method"], entry["path"]) for entry in requests
            if entry["method"] in ("POST", "DELETE") and needle in entry["path"].lower()]


def check_removed(before, after, entries, requests, tenant, kind, asked=None):
    """Store products whose inventory status is Removed: nobody gains a seat there; an
    onboarding that asked for one is refused, naming the product, before any write on it
    (``asked``: ``{product: [upn]}`` the run wanted assigned); a refused plan (reconcile,
    restore) wrote nothing on the product."""
    problems = []
    was, now = holders_by_product(before, tenant), holders_by_product(after, tenant)
    modules = module_results(entries)
    for product in removed_products(before, tenant):
        gained = sorted(set(now.get(product, [])) - set(was.get(product, [])))
        if gained:
            problems.append("%s is Removed, yet %s gained a seat there" % (product, ", ".join(gained)))
        writes = writes_on(requests, product)
        rows = [module for module in modules if module.product == product]
        if kind == "onboard":
            if writes:
                problems.append("%s is Removed, yet the onboarding wrote there: %s" % (product, ", ".join(writes[:3])))
            needed = sorted(set(str(u).lower() for u in (asked or {}).get(product, [])) - set(was.get(product, [])))
            if needed and not [row for row in rows if row.failed]:
                problems.append("%s is Removed; assigning %s there was not refused" % (product, ", ".join(needed)))
        refused = [row for row in rows if row.failed and "assigns no new seats" in str(row.result.get("msg") or "")]
        if refused and writes:
            problems.append("%s: the plan was refused (Removed), yet it was written to: %s"
                            % (product, ", ".join(writes[:3])))
    return problems


def reported_reclaims(entries):
    """``{(platform, product, key)}`` every reclaim the offboarding action reported."""
    out = set()
    for module in module_results(entries, ()):
        platform = "datadog" if module.action == SEAT_ACTIONS[0] else "msstore"
        for key in module.keys("reclaimed"):
            out.add((platform, module.product, key))
    return out


def record_seats(record):
    """``{(platform, product, key)}`` the union of an offboarding record's runs."""
    out = set()
    for run in record.get("runs") or []:
        for entry in run.get("datadog") or []:
            for user in entry.get("users") or []:
                out.add(("datadog", str(entry.get("product_code")).lower(), person_key(user)))
        for entry in run.get("msstore") or []:
            for user in entry.get("users") or []:
                out.add(("msstore", store_key(entry.get("product_id"), entry.get("sku_id")), str(user).lower()))
    return out


def check_record(record, reported, runs_written):
    """The record at a path several runs used: it holds every seat each run reported
    reclaimed (nothing lost, nothing invented) and one run per run that wrote to it."""
    problems = []
    if not isinstance(record, dict):
        return ["the offboarding record cannot be read: %s" % record]
    if record.get("format") != "seatops.seats.offboarding_record/2":
        problems.append("the offboarding record has format %r" % record.get("format"))
    held = record_seats(record)
    for platform, product, key in sorted(reported - held):
        problems.append("the record lost a reclaim: %s %s %s (reported reclaimed by a run that used this path)"
                        % (platform, product, key))
    for platform, product, key in sorted(held - reported):
        problems.append("the record lists %s %s %s, which no run reported reclaimed" % (platform, product, key))
    if len(record.get("runs") or []) != runs_written:
        problems.append("the record has %d run(s), %d runs wrote to it" % (len(record.get("runs") or []), runs_written))
    return problems


def _restore_key(platform, product, name):
    return (platform, product.upper() if platform == "msstore" else product.lower(), str(name).lower())


def check_restore(before, after, entries, rc, tenant, union, cannot):
    """A restore from a record whose union is ``union`` (``{(platform, product, key)}``).

    Every recorded seat is said exactly once to be restored (it is held now, not before),
    already in place (it was held before the run) or not restored (with a reason, and not
    held now); the run fails exactly when a seat was not restored. ``cannot``: seats that
    cannot be restored (person disabled, product Removed or full) and were not held before:
    they must be listed as not restored."""
    problems = []
    results = [result for result in action_results(entries, SEAT_RUN_ACTIONS[1]) if result.get("mode") == "apply"]
    if len(results) != 1:
        return ["expected one restore result, found %d" % len(results)]
    result = results[0]
    was, now = holders_by_product(before, tenant), holders_by_product(after, tenant)
    said = {}
    for row in result.get("products") or []:
        platform, product = row.get("platform"), str(row.get("product"))
        for name in row.get("restored") or []:
            said.setdefault(_restore_key(platform, product, name), []).append("restored")
        for name in row.get("already_in_place") or []:
            said.setdefault(_restore_key(platform, product, name), []).append("already in place")
    for item in result.get("not_restored") or []:
        key = _restore_key(item.get("platform"), str(item.get("product")), item.get("user"))
        said.setdefault(key, []).append("not restored")
        if not str(item.get("reason") or "").strip():
            problems.append("%s %s: not restored, without a reason" % (key[1], key[2]))
    expected = set(_restore_key(*seat) for seat in union)
    for key in sorted(expected):
        platform, product, name = key
        outcome = said.get(key, [])
        if len(outcome) != 1:
            problems.append("%s %s: the restore said %s (exactly one outcome expected)"
                            % (product, name, " and ".join(outcome) or "nothing"))
            continue
        held_before, held_now = name in was.get(product, []), name in now.get(product, [])
        if outcome == ["restored"] and (held_before or not held_now):
            problems.append("%s %s: reported restored, but %s" % (
                product, name, "it was held before the run" if held_before else "it is not held now"))
        if outcome == ["already in place"] and not held_before:
            problems.append("%s %s: said to be already in place, but it was not held before the run" % (product, name))
        if outcome == ["not restored"] and held_now:
            problems.append("%s %s: listed as not restored, but it is held now" % (product, name))
    for key in sorted(set(said) - expected):
        problems.append("%s %s: the restore speaks of a seat the record does not hold" % (key[1], key[2]))
    for key in sorted(set(_restore_key(*seat) for seat in cannot) & expected):
        if said.get(key) in (["restored"], ["already in place"]) and key[2] not in was.get(key[1], []):
            problems.append("%s %s cannot be restored (person disabled, product Removed or full), yet the restore "
                            "said %s" % (key[1], key[2], said[key][0]))
    not_restored = result.get("not_restored_count", len(result.get("not_restored") or []))
    if not_restored and rc == 0:
        problems.append("the restore ended green with %d seat(s) not restored" % not_restored)
    if not not_restored and rc != 0:
        problems.append("every seat was restored or already in place, yet the restore failed")
    return problems


# -- GitHub Copilot ---------------------------------------------------------------------------

COPILOT_ACTION = "seatops.seats.github_copilot_seats"
UNKNOWN_OUTCOME = "outcome unknown"


def copilot_org_seats(state, org):
    """``(active, team, pending, orphans, twice)`` of ``org`` in a sandbox state: lower-case
    logins holding an active seat, those whose active seat a team grants, those whose seat is
    pending cancellation, the number of orphan seats, and logins listed twice."""
    seats = ((state.get("github") or {}).get("orgs") or {}).get(org, {}).get("seats") or []
    active, team, pending, seen, twice, orphans = set(), set(), set(), set(), set(), 0
    for seat in seats:
        name = (seat.get("login") or "").lower()
        if not name:
            orphans += 1
            continue
        if name in seen:
            twice.add(name)
        seen.add(name)
        if seat.get("pending_cancellation_date"):
            pending.add(name)
        else:
            active.add(name)
            if seat.get("team"):
                team.add(name)
    return active, team, pending, orphans, twice


def judge_copilot(before, after, entries, rc, output, org):
    """The Copilot invariants of one run of tests/soak/copilot.yml (a :class:`Verdict`):

    - a seat a team grants is never reclaimed (it stays active, and no result says otherwise);
    - a seat pending cancellation is no holder: holders_count counts active seats only, a
      reported pending seat is pending in the sandbox, and giving one again is an assignment;
    - a reported reclaim is pending cancellation in the sandbox (GitHub keeps the seat to the
      end of the cycle), and was an active direct seat before; a reported assignment is an
      active seat now that was not one before;
    - nothing changes unreported, except for people the result lists as failed with an
      unknown outcome; orphan seats are never touched; no login holds two seats;
    - a failure is clean and names the organization and the failed users.
    """
    verdict = Verdict()
    for marker in CRASH_MARKERS:
        if marker in output:
            verdict.tracebacks.append("output contains %r" % marker)
    was, team_before, _pending_before, orphans_before, _twice_before = copilot_org_seats(before, org)
    now, _team_after, pending_after, orphans_after, twice = copilot_org_seats(after, org)
    for name in sorted(twice):
        verdict.mismatches.append("%s: %s holds two seats" % (org, name))
    if orphans_after != orphans_before:
        verdict.mismatches.append("%s: %d orphan seat(s) before, %d after (orphans are never touched)"
                                  % (org, orphans_before, orphans_after))
    for name in sorted(team_before - now):
        verdict.mismatches.append("%s: %s's team-granted seat was reclaimed" % (org, name))
    results = [(entry, entry.get("result") or {}) for entry in entries if entry.get("action") == COPILOT_ACTION]
    expected, unknown = set(was), set()
    for entry, result in results:
        where = "%s [%s]" % (entry.get("task"), org)
        if _crashed(result):
            verdict.tracebacks.append("%s: %s" % (where, str(result.get("msg"))[:300]))
            continue
        verdict.module_results += 1
        failed_users = result.get("failed_users") or []
        # ansible-core 2.19 keeps "failed" out of the recorded result: the task status says it.
        failed = bool(result.get("failed")) or entry.get("status") in ("failed", "ignored")
        if failed:
            verdict.failed_modules += 1
            msg = str(result.get("msg") or "")
            if org not in msg.lower():
                verdict.unclean.append("%s failed, but the message does not name the organization: %s"
                                       % (where, msg[:300]))
            unnamed = [str(item.get("user")) for item in failed_users[:NAMED_FAILURES]
                       if str(item.get("user")).lower() not in msg.lower()]
            if unnamed:
                verdict.unclean.append("%s failed, but the message does not name %s: %s"
                                       % (where, ", ".join(unnamed), msg[:300]))
        unknown |= set(str(item.get("user")).lower() for item in failed_users
                       if UNKNOWN_OUTCOME in str(item.get("reason")))
        assigned = [person_key(name) for name in result.get("assigned") or []]
        reclaimed = [person_key(name) for name in result.get("reclaimed") or []]
        for name in assigned:
            if name in expected:
                verdict.mismatches.append("%s: reported assigning %s, who already held a seat" % (where, name))
            if name not in now:
                verdict.mismatches.append("%s: reported assigning %s, who holds no active seat" % (where, name))
            expected.add(name)
        for name in reclaimed:
            if name in team_before:
                verdict.mismatches.append("%s: reported reclaiming %s, whose seat a team grants" % (where, name))
            if name not in expected:
                verdict.mismatches.append("%s: reported reclaiming %s, who held no seat" % (where, name))
            if name not in pending_after:
                verdict.mismatches.append("%s: reported reclaiming %s, whose seat is not pending cancellation"
                                          % (where, name))
            expected.discard(name)
        for item in result.get("kept_seats") or []:
            name = person_key(item)
            if name not in team_before or name not in now:
                verdict.mismatches.append("%s: reported keeping %s, who holds no team-granted seat" % (where, name))
        for item in result.get("pending_cancellation") or []:
            name = person_key(item)
            if name not in pending_after:
                verdict.mismatches.append("%s: reported %s pending cancellation, the sandbox has %s"
                                          % (where, name, "an active seat" if name in now else "no seat"))
        if not failed and "holders_count" in result and len(results) == 1:
            if result["holders_count"] != len(now):
                verdict.mismatches.append(
                    "%s: reported holders_count %s, the sandbox has %d active seats (pending "
                    "cancellations are no holders)" % (where, result["holders_count"], len(now)))
            if result.get("orphan_seats") != orphans_after:
                verdict.mismatches.append("%s: reported %s orphan seat(s), the sandbox has %d"
                                          % (where, result.get("orphan_seats"), orphans_after))
        verdict.assigned += len(assigned)
        verdict.reclaimed += len(reclaimed)
    for name in sorted(expected - now - unknown):
        why = "reported assigned" if name not in was else "held before, no reclaim reported"
        verdict.mismatches.append("%s: %s holds no active seat (%s)" % (org, name, why))
    for name in sorted(now - expected - unknown):
        why = "reported reclaimed" if name in was else "no assignment reported"
        verdict.mismatches.append("%s: %s holds an active seat (%s)" % (org, name, why))
    if rc != 0 and not any(entry.get("status") == "failed" for entry, _result in results):
        verdict.unclean.append("the Copilot playbook exited with %s but its task did not fail" % rc)
    if rc == 0 and any(entry.get("status") == "failed" for entry, _result in results):
        verdict.unclean.append("the Copilot task failed but ansible-playbook exited with 0")
    return verdict
