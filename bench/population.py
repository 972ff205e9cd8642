# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Populations for the benchmark: a generated sandbox seed and a desired state with drift.

The seed comes from ``seatops-sandbox generate`` (deterministic for its ``--seed``); the
drift is drawn here from its own fixed seed, so every invocation measures the same work:

- Datadog: some holders are left out of the desired list (reclaims) and some eligible
  users who hold no seat are added (assigns). Eligible means Active or Pending, not
  disabled, not a service account: the users a reconcile can really give a seat.
- Microsoft Store: the same with tenant users who hold no seat of that product.
- GitHub Copilot (:func:`make_copilot_drift`): leavers whose direct seat is reclaimed, new
  members given a seat, two seats pending cancellation given again (their holder came
  back), and one leaver whose seat a team grants (kept and reported, never a call).

Desired users are named the way people write desired-state files: emails and UPNs.
Everything here except :func:`generate_seed` is pure and unit-tested.
"""

from __future__ import annotations

import copy
import datetime
import json
import os
import random
import subprocess
import sys
from dataclasses import dataclass, field

import yaml

from bench.minimum import CopilotWork, DatadogWork, StoreWork

GENERATOR_SEED = 42
DRIFT_SEED = 20240501
DRIFT_SHARE = 0.005  # 0.5% reclaims + 0.5% assigns = 1% drift per product


@dataclass(frozen=True)
class Sizes:
    """Arguments of ``seatops-sandbox generate``."""
    dd_users: int
    dd_products: int
    dd_holders: int
    ms_users: int = 0
    ms_products: int = 0
    ms_seats: int = 0
    gh_members: int = 0
    gh_seats: int = 0

    def describe(self):
        parts = []
        if self.dd_products:
            parts.append("Datadog: %s users, %d product(s) x %s holders"
                         % (_n(self.dd_users), self.dd_products, _n(self.dd_holders)))
        if self.ms_products:
            parts.append("Store: %s users, %d product(s) x %s seats"
                         % (_n(self.ms_users), self.ms_products, _n(self.ms_seats)))
        if self.gh_members:
            parts.append("GitHub: 1 org of %s members, %s Copilot seats" % (_n(self.gh_members), _n(self.gh_seats)))
        return "; ".join(parts)


@dataclass
class Drift:
    """The desired state of one run and what it implies."""
    desired: dict                       # the desired-state document (datadog:, msstore:)
    expected: dict                      # {("datadog", code) | ("msstore", "PID/SKU"): set of holder keys after apply}
    datadog_works: list = field(default_factory=list)
    store_works: list = field(default_factory=list)

    @property
    def assigns(self):
        return sum(work.assigns for work in self.datadog_works + self.store_works)

    @property
    def reclaims(self):
        return sum(work.reclaims for work in self.datadog_works + self.store_works)

    def without_drift(self):
        """The same desired state measured once it is applied: nothing to do."""
        works_dd = [DatadogWork(w.product, w.holders - w.reclaims + w.assigns, 0, w.total_users, 0, 0)
                    for w in self.datadog_works]
        works_ms = [StoreWork(w.product, w.holders - w.reclaims + w.assigns, 0, 0, 0)
                    for w in self.store_works]
        return Drift(self.desired, self.expected, works_dd, works_ms)


def _n(number):
    return "{:,}".format(number)


def drift_counts(holders, share=DRIFT_SHARE):
    """How many reclaims (and as many assigns) ``share`` of ``holders`` is: rounded half up,
    at least one when there are holders."""
    if holders <= 0:
        return 0
    return max(1, int(holders * share + 0.5))


def reclaim_guard(holders, reclaims):
    """A ``max_reclaims`` that lets the planned drift through: "2%" when that is enough
    (the 1% drift case), else the exact count."""
    if reclaims <= int(holders * 0.02):
        return "2%"
    return reclaims


def generate_seed(sizes, path, seed=GENERATOR_SEED):
    """Run ``seatops-sandbox generate`` and return the seed it wrote (a dict).

    Its standard output (which names the generated credentials) is kept out of ours."""
    script = os.path.join(os.path.dirname(sys.executable), "seatops-sandbox")
    command = [script] if os.path.exists(script) else [sys.executable, "-m", "seatops_sandbox"]
    command += ["generate", "--seed", str(seed),
                "--dd-users", str(sizes.dd_users), "--dd-products", str(sizes.dd_products),
                "--dd-holders", str(sizes.dd_holders),
                "--ms-users", str(sizes.ms_users), "--ms-products", str(sizes.ms_products),
                "--ms-seats", str(sizes.ms_seats),
                "--gh-members", str(sizes.gh_members), "--gh-seats", str(sizes.gh_seats), "-o", path]
    completed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    if completed.returncode != 0:
        raise RuntimeError("seatops-sandbox generate failed (exit %d): %s"
                           % (completed.returncode, completed.stderr.strip()[-2000:]))
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def credentials_env(seed):
    """The generated credentials as the environment variables the modules read."""
    creds = seed["generated"]["credentials"]
    env = {
        "DD_API_KEY": creds["datadog"]["api_key"],
        "DD_APP_KEY": creds["datadog"]["app_key"],
        "AZURE_TENANT_ID": creds["msstore"]["tenant"],
        "AZURE_CLIENT_ID": creds["msstore"]["client_id"],
        "AZURE_CLIENT_SECRET": creds["msstore"]["client_secret"],
    }
    if creds.get("github"):
        env["GITHUB_TOKEN"] = creds["github"]["token"]
    return env


def datadog_products(seed):
    return [product["code"] for product in seed.get("datadog", {}).get("products", [])]


def store_products(seed):
    tenants = seed.get("msstore", {}).get("tenants", [])
    if not tenants:
        return []
    return ["%s/%s" % (entry["product_id"], entry["sku_id"]) for entry in tenants[0].get("inventory", [])]


def draw_drift(rng, holders, candidates, count, product, candidates_are):
    """Draw ``count`` holders to drop and ``count`` candidates to add; return (kept, added)."""
    if count > len(holders) or count > len(candidates):
        raise ValueError("%s: cannot draw %d reclaims and assigns from %d holders and %d %s"
                         % (product, count, len(holders), len(candidates), candidates_are))
    reclaimed = set(rng.sample(holders, count))
    assigned = rng.sample(candidates, count)
    return [name for name in holders if name not in reclaimed], assigned


def make_drift(seed, datadog=None, msstore=None, drift=None, rng_seed=DRIFT_SEED):
    """Build the desired state for the named products of ``seed``.

    ``datadog``: product codes (default: all); ``msstore``: "PID/SKU" keys (default: all).
    ``drift``: reclaims = assigns per product, or None for :func:`drift_counts` of each
    product's holders (1% drift). Deterministic for ``rng_seed``.
    """
    rng = random.Random(rng_seed)
    desired = {}
    expected = {}
    dd_works, ms_works = [], []

    dd_seed = seed.get("datadog") or {}
    users = dd_seed.get("users") or []
    by_id = dict((user["id"], user) for user in users)
    codes = datadog_products(seed) if datadog is None else list(datadog)
    entries = []
    for code in codes:
        holders = sorted(dd_seed["seats"].get(code, []))
        holder_set = set(holders)
        count = drift_counts(len(holders)) if drift is None else drift
        candidates = sorted(user["id"] for user in users
                            if user["id"] not in holder_set and assignable_datadog_user(user))
        keep, assigned = draw_drift(rng, holders, candidates, count, code, "assignable users")
        names = sorted(by_id[uid]["email"] for uid in keep + assigned)
        entries.append({"product_code": code, "users": names,
                        "max_reclaims": reclaim_guard(len(holders), count)})
        expected[("datadog", code)] = set(keep + assigned)
        dd_works.append(DatadogWork(code, len(holders), count, len(users), count, count))
    if entries:
        desired["datadog"] = entries

    tenants = (seed.get("msstore") or {}).get("tenants") or []
    keys = store_products(seed) if msstore is None else list(msstore)
    entries = []
    for key in keys:
        tenant = tenants[0]
        upns = list(tenant["users"])
        holders = sorted(upn.lower() for upn in tenant["seats"].get(key, []))
        holder_set = set(holders)
        count = drift_counts(len(holders)) if drift is None else drift
        candidates = sorted(upn.lower() for upn in upns if upn.lower() not in holder_set)
        keep, assigned = draw_drift(rng, holders, candidates, count, key, "tenant users without a seat")
        product_id, sku_id = key.split("/")
        entries.append({"product_id": product_id, "sku_id": sku_id,
                        "users": sorted(keep + assigned),
                        "max_reclaims": reclaim_guard(len(holders), count)})
        expected[("msstore", key)] = set(keep + assigned)
        ms_works.append(StoreWork(key, len(holders), count, count, count))
    if entries:
        desired["msstore"] = entries
    return Drift(desired, expected, dd_works, ms_works)


def assignable_datadog_user(user):
    """A user a reconcile may give a new seat: Active or Pending, not disabled, not a
    service account (the module refuses those without allow_disabled)."""
    return (user.get("status") in ("Active", "Pending") and not user.get("disabled")
            and not user.get("service_account"))


def synced_seed(seed, drift):
    """``seed`` with every drifted product's holders replaced by the desired ones: the state
    after a successful apply, for the no-drift re-run."""
    result = copy.deepcopy(seed)
    for (platform, key), holders in drift.expected.items():
        if platform == "datadog":
            result["datadog"]["seats"][key] = sorted(holders)
        else:
            tenant = result["msstore"]["tenants"][0]
            by_lower = dict((upn.lower(), upn) for upn in tenant["users"])
            tenant["seats"][key] = sorted(by_lower[upn] for upn in holders)
    return result


def state_mismatches(state, drift):
    """Products whose holders in a sandbox ``/_sandbox/state`` differ from the expected ones:
    ``["code: 2 missing, 1 extra", ...]`` (empty when the apply did exactly the job)."""
    problems = []
    products = ((state.get("datadog") or {}).get("products")) or {}
    tenants = ((state.get("msstore") or {}).get("tenants")) or {}
    for (platform, key), expected in sorted(drift.expected.items()):
        if platform == "datadog":
            holders = products.get(key, {}).get("holders", [])
            actual = set(holder["id"] for holder in holders)
        else:
            actual = set()
            for tenant in tenants.values():
                for product_key, product in (tenant.get("products") or {}).items():
                    if product_key.lower() == key.lower():
                        actual = set(upn.lower() for upn in product.get("holders", []))
        missing, extra = len(expected - actual), len(actual - expected)
        if missing or extra:
            problems.append("%s: %d missing, %d extra" % (key, missing, extra))
    return problems


def write_desired_state(desired, path):
    """Write the desired-state file as people write it: block-style YAML."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("---\n")
        yaml.safe_dump(desired, handle, sort_keys=False, default_flow_style=False)
    return path


# -- GitHub Copilot ---------------------------------------------------------------------------

COPILOT_PENDING = 2        # seats pending cancellation whose holder is wanted again
COPILOT_TEAM_LEAVERS = 1   # leavers whose seat a team grants: kept and reported, not reclaimed


@dataclass
class CopilotDrift:
    """The desired state of one Copilot org and what it implies.

    ``seed``: the seed a check or apply starts from (the generated one with ``pending`` seats
    pending cancellation); ``synced``: the state a successful apply leaves, for the re-run;
    ``users``: the desired logins; ``expected``: the lower-case logins holding an active seat
    after the apply (desired ones, plus team-granted leavers)."""
    seed: dict
    synced: dict
    org: str
    users: list
    expected: set
    work: CopilotWork
    leavers: list
    joiners: list
    pending: list
    team_leavers: list

    @property
    def max_reclaims(self):
        return reclaim_guard(self.work.seats_listed, self.work.reclaims)

    def rerun_work(self):
        return self.work.without_drift(len(copilot_org(self.synced)["seats"]))


def copilot_org(seed):
    return seed["github"]["orgs"][0]


def next_cycle(now=None):
    """The first day of next month (UTC): the date GitHub gives a cancelled seat (§10.4)."""
    today = (now or datetime.datetime.now(datetime.timezone.utc)).date().replace(day=1)
    return (today.replace(year=today.year + 1, month=1) if today.month == 12
            else today.replace(month=today.month + 1)).isoformat()


def make_copilot_drift(seed, drift=None, pending=COPILOT_PENDING, team_leavers=COPILOT_TEAM_LEAVERS,
                       rng_seed=DRIFT_SEED, now=None):
    """1% drift of the generated org (``drift``: reclaims = assigns, default
    :func:`drift_counts` of its seats): leavers holding a direct seat are left out (reclaimed by
    ``exclusive``), ``pending`` direct seats are marked pending cancellation and their holders
    wanted again (given a seat again), the other assigns are members without a seat, and
    ``team_leavers`` holders of a team-granted seat are left out (kept, never a call)."""
    rng = random.Random(rng_seed)
    start = copy.deepcopy(seed)
    org = copilot_org(start)
    seats = org["seats"]
    team = sorted(s["login"] for s in seats if s.get("team"))
    direct = sorted(s["login"] for s in seats if not s.get("team") and not s.get("pending_cancellation_date"))
    count = drift_counts(len(direct)) if drift is None else drift
    if count < pending + 1 or len(direct) < count + pending:
        raise ValueError("the org is too small for %d reclaims and %d pending seats" % (count, pending))
    came_back = set(rng.sample(direct, pending))
    date = next_cycle(now)
    for item in seats:
        if item["login"] in came_back:
            item["pending_cancellation_date"] = date
    direct = [login for login in direct if login not in came_back]
    leavers = sorted(rng.sample(direct, count))
    seated = set(s["login"] for s in seats)
    candidates = sorted(login for login in org["members"] if login not in seated)
    joiners = sorted(rng.sample(candidates, count - pending)) if count > pending else []
    team_out = sorted(rng.sample(team, min(team_leavers, len(team))))
    gone = set(leavers) | set(team_out)
    users = sorted([login for login in direct + team if login not in gone] + sorted(came_back) + joiners)
    expected = set(login.lower() for login in users) | set(login.lower() for login in team_out)
    work = CopilotWork(org["login"], len(seats), assigns=len(joiners) + len(came_back), reclaims=len(leavers),
                       memberships=len(joiners) + len(came_back))
    synced = _copilot_synced(start, leavers, joiners, came_back, date)
    return CopilotDrift(start, synced, org["login"], users, expected, work, leavers, joiners,
                        sorted(came_back), team_out)


def _copilot_synced(start, leavers, joiners, came_back, date):
    """The seed a successful apply leaves: leavers pending cancellation, joiners seated (at the
    end of the list, as new seats are), the pending seats active again."""
    synced = copy.deepcopy(start)
    org = copilot_org(synced)
    leaving = set(leavers)
    for item in org["seats"]:
        if item["login"] in leaving:
            item["pending_cancellation_date"] = date
        elif item["login"] in came_back:
            item.pop("pending_cancellation_date", None)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    org["seats"].extend({"login": login, "created_at": now} for login in joiners)
    return synced


def copilot_state_mismatches(state, drift):
    """How the org's active holders in a sandbox ``/_sandbox/state`` differ from the expected
    ones (empty when the apply did exactly the job)."""
    org = ((state.get("github") or {}).get("orgs") or {}).get(drift.org) or {}
    actual = set(seat["login"].lower() for seat in org.get("seats", [])
                 if seat.get("login") and not seat.get("pending_cancellation_date"))
    missing, extra = len(drift.expected - actual), len(actual - drift.expected)
    if missing or extra:
        return ["%s: %d missing, %d extra" % (drift.org, missing, extra)]
    return []


def write_copilot_users(drift, path):
    """The desired logins as a vars file (JSON, which YAML reads too)."""
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"copilot_users": drift.users}, handle)
    return path
