# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One measured run against the sandbox: reseed, fresh rate-limit budget, empty request
log, run, then read the request log (calls per endpoint, statuses) and, after a run that
writes, check the sandbox holds exactly the desired seats."""

from __future__ import annotations

import json
import os
import sys
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field

from bench.minimum import DD_SEATS_DELETE, DD_SEATS_POST, GH_ADD, GH_REMOVE, MS_BULK, canonical_counts
from bench.population import (
    copilot_state_mismatches,
    credentials_env,
    state_mismatches,
    synced_seed,
    write_copilot_users,
    write_desired_state,
)
from bench.process import REPO_ROOT, base_env, playbook_command, run_measured

RECONCILE_PLAYBOOK = os.path.join(REPO_ROOT, "playbooks", "reconcile.yml")
URI_PLAYBOOK = os.path.join(REPO_ROOT, "bench", "baselines", "uri_reconcile.yml")
OFFICIAL_SCRIPT = os.path.join(REPO_ROOT, "bench", "baselines", "official_client.py")
COPILOT_PLAYBOOK = os.path.join(REPO_ROOT, "bench", "copilot_seats.yml")
WRITES = (DD_SEATS_POST, DD_SEATS_DELETE, MS_BULK, GH_ADD, GH_REMOVE)


@dataclass
class Measurement:
    label: str
    mode: str                        # check, apply, rerun
    wall: float
    rc: int
    calls: Counter                   # canonical endpoint -> calls (sandbox request log)
    statuses: Counter                # HTTP status -> calls
    products: dict                   # product -> Counter of calls its module reported
    tasks: list                      # [{"task", "seconds", ...}] from the bench callback
    peak_pss_mb: float = None
    peak_rss_mb: float = None
    problems: list = field(default_factory=list)
    log_path: str = ""

    @property
    def failed(self):
        return bool(self.problems)

    @property
    def total_calls(self):
        return sum(self.calls.values())

    @property
    def throttled(self):
        return self.statuses.get(429, 0)

    @property
    def forbidden(self):
        """403 answers: GitHub's rate limits (primary and secondary) answer 403."""
        return self.statuses.get(403, 0)


class Bench(object):
    """The sandbox and the work directory every measured run of one invocation shares."""

    def __init__(self, sandbox, workdir, rate_limit, say=print):
        self.sandbox = sandbox
        self.workdir = workdir
        self.rate_limit = rate_limit
        self.say = say
        self._counter = 0

    def path(self, name):
        return os.path.join(self.workdir, name)

    def _next_base(self, label):
        self._counter += 1
        safe = "".join(ch if ch.isalnum() else "-" for ch in label).strip("-")
        return self.path("%03d-%s" % (self._counter, safe))

    # -- the sandbox ---------------------------------------------------------------------

    def prepare(self, seed):
        """Same starting point for every run: the seed, a full rate-limit budget, no log."""
        self.sandbox.seed(seed)
        self.sandbox.config(datadog_rate_limit=self.rate_limit)
        self.sandbox.clear_requests()

    def read_log(self):
        log = self.sandbox.requests()
        statuses = Counter(entry.get("status") for entry in log.get("entries", []))
        return canonical_counts(log.get("counts")), statuses

    def probe_full_last_page(self, seed, product, holders):
        """Does a full last page of seat holders still carry a next_cursor?

        Reads ``product`` at a page size that divides its holder count, so the last page is
        full; True when that page still points to another (then empty) page. None when the
        count has no such divisor (or there are no holders)."""
        limit = next((size for size in range(min(holders, 1000), 0, -1) if holders % size == 0), None)
        if not limit:
            return None
        self.prepare(seed)
        creds = credentials_env(seed)
        headers = {"DD-API-KEY": creds["DD_API_KEY"], "DD-APPLICATION-KEY": creds["DD_APP_KEY"]}
        cursor, seen = None, 0
        while True:
            query = {"product_code": product, "page[limit]": str(limit)}
            if cursor:
                query["page[cursor]"] = cursor
            request = urllib.request.Request(
                "%s/api/v2/seats/users?%s" % (self.sandbox.url, urllib.parse.urlencode(query)), headers=headers)
            with urllib.request.urlopen(request, timeout=60) as response:  # nosec - loopback sandbox
                page = json.loads(response.read())
            seen += len(page.get("data") or [])
            cursor = (page.get("meta") or {}).get("next_cursor")
            if seen >= holders or not cursor:
                return bool(cursor) and seen >= holders

    # -- runs ----------------------------------------------------------------------------

    def reconcile(self, label, seed, drift, desired_path, mode, timeout):
        """playbooks/reconcile.yml in ``mode`` check, apply or rerun (no drift: the seed is
        the state after a successful apply)."""
        start_seed = synced_seed(seed, drift) if mode == "rerun" else seed
        base = self._next_base(label)
        extra_vars = {
            "desired_state_file": desired_path,
            "report_dir": base + "-reports",
            "seatops_datadog_api_url": self.sandbox.url,
            "seatops_msstore_api_url": self.sandbox.store_url,
            "seatops_msstore_auth_url": self.sandbox.url,
        }
        command = playbook_command(RECONCILE_PLAYBOOK, extra_vars, check=(mode == "check"))
        return self._measure(label, mode, start_seed, drift, command, base, timeout)

    def uri(self, label, seed, drift, desired_path, timeout):
        base = self._next_base(label)
        extra_vars = {"desired_state_file": desired_path, "datadog_api_url": self.sandbox.url}
        command = playbook_command(URI_PLAYBOOK, extra_vars)
        return self._measure(label, "apply", seed, drift, command, base, timeout)

    def official(self, label, seed, drift, desired_path, timeout):
        base = self._next_base(label)
        command = [sys.executable, OFFICIAL_SCRIPT, "--api-url", self.sandbox.url,
                   "--desired-state", desired_path]
        return self._measure(label, "apply", seed, drift, command, base, timeout)

    def copilot(self, label, drift, mode, timeout):
        """bench/copilot_seats.yml in ``mode`` check, apply or rerun (from the state a
        successful apply leaves)."""
        start_seed = drift.synced if mode == "rerun" else drift.seed
        base = self._next_base(label)
        users_file = base + "-users.json"
        write_copilot_users(drift, users_file)
        extra_vars = {"copilot_users_file": users_file, "copilot_api_url": self.sandbox.url,
                      "copilot_organization": drift.org, "copilot_max_reclaims": drift.max_reclaims}
        command = playbook_command(COPILOT_PLAYBOOK, extra_vars, check=(mode == "check"))
        return self._measure(label, mode, start_seed, drift, command, base, timeout,
                             mismatches=copilot_state_mismatches)

    def _measure(self, label, mode, start_seed, drift, command, base, timeout, mismatches=state_mismatches):
        self.prepare(start_seed)
        env = base_env(credentials_env(start_seed), self.workdir)
        run = run_measured(command, env, base + ".log", timeout, cwd=self.workdir,
                           results_path=base + ".results.jsonl")
        calls, statuses = self.read_log()
        products = {}
        for item in run.products:
            products.setdefault(item["product"], Counter()).update(canonical_counts(item["api_calls"]))
        measurement = Measurement(label=label, mode=mode, wall=run.wall, rc=run.rc, calls=calls,
                                  statuses=statuses, products=products, tasks=run.tasks,
                                  peak_pss_mb=run.peak_pss_mb, peak_rss_mb=run.peak_rss_mb,
                                  log_path=run.log_path)
        if run.timed_out:
            measurement.problems.append("did not finish within %d s (stopped)" % timeout)
        elif run.rc != 0:
            measurement.problems.append("exit status %d; last output:\n%s" % (run.rc, _indent(run.output_tail())))
        for item in run.products:
            if item.get("failed"):
                measurement.problems.append("product %s failed: %s" % (item["product"], item.get("msg")))
        if mode == "check":
            writes = sum(calls.get(endpoint, 0) for endpoint in WRITES)
            if writes:
                measurement.problems.append("check mode made %d write call(s)" % writes)
        elif not run.timed_out:
            found = mismatches(self.sandbox.state(), drift)
            if found:
                measurement.problems.append("seats after the run differ from the desired state: "
                                            + "; ".join(found))
        return measurement

    def desired_file(self, name, drift):
        return write_desired_state(drift.desired, self.path(name))


def _indent(text):
    return "\n".join("    " + line for line in text.rstrip().splitlines())
