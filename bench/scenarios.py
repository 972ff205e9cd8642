# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The benchmark's scenarios. Each returns a :class:`bench.report.Section`.

- ``scale``: playbooks/reconcile.yml on the big population, check / apply / no-drift re-run;
- ``uri``: the ansible.builtin.uri loop against ours, one product at two sizes;
- ``official``: a script on Datadog's official client against ours, one product;
- ``scaling``: one product at growing holder counts with a fixed small drift;
- ``copilot``: github_copilot_seats on a generated 50,000-seat GitHub org, check / apply /
  re-run, against two minimums: the issue's (E1, seat pages, writes) and that plus the
  membership reads the module makes before giving a seat.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bench.minimum import (
    DD_SEATS_GET,
    GH_MEMBERSHIP,
    copilot_minimum,
    endpoint_order,
    ratio,
    run_minimum,
)
from bench.population import Sizes, generate_seed, make_copilot_drift, make_drift
from bench.report import (
    Section,
    Table,
    Verdict,
    fmt_int,
    fmt_mb,
    fmt_ratio,
    fmt_seconds,
    fmt_share,
    median,
    wall_summary,
)

CALLS_TARGET = 1.05
THROTTLE_TARGET = 0.01
MEMORY_TARGET_MB = 300
OFFICIAL_TARGET = 1.5
URI_TARGET = 50


@dataclass(frozen=True)
class Plan:
    """Sizes and repetitions of one invocation (full or --quick)."""
    main: Sizes
    uri_users: int
    uri_holders: tuple
    scaling_users: int
    scaling_holders: tuple
    scaling_drift: int
    repeat: int
    run_timeout: int
    uri_timeout: int
    copilot: Sizes = Sizes(10, 0, 0, gh_members=52000, gh_seats=50000)


# The Copilot org: 50,000 seats among 52,000 members (the others are who new seats go to);
# the Datadog and Store parts of its seed are token-sized and unused.
COPILOT_FULL = Sizes(10, 0, 0, gh_members=52000, gh_seats=50000)
COPILOT_QUICK = Sizes(10, 0, 0, gh_members=1100, gh_seats=1000)

FULL = Plan(main=Sizes(50000, 5, 10000, 20000, 3, 5000),
            uri_users=5000, uri_holders=(500, 2000),
            # 52,000 users: the generator seats only enabled users (about 98%), so 50,000
            # holders need a few more users, and the fixed drift needs enabled non-holders.
            scaling_users=52000, scaling_holders=(1000, 10000, 50000), scaling_drift=10,
            repeat=3, run_timeout=1800, uri_timeout=5400, copilot=COPILOT_FULL)
QUICK = Plan(main=Sizes(3000, 2, 600, 1000, 1, 300),
             uri_users=1000, uri_holders=(10, 40),
             scaling_users=3500, scaling_holders=(200, 1000, 3000), scaling_drift=10,
             repeat=1, run_timeout=600, uri_timeout=900, copilot=COPILOT_QUICK)


class Scenarios(object):
    def __init__(self, bench, plan, repeat, say=print):
        self.bench = bench
        self.plan = plan
        self.repeat = repeat
        self.say = say
        self._seeds = {}
        self.full_last_page_has_next = None
        self.all_measurements = []

    # -- populations -----------------------------------------------------------------------

    def seed(self, name, sizes):
        if name not in self._seeds:
            self.say("-- generating %s (%s)" % (name, sizes.describe()))
            self._seeds[name] = generate_seed(sizes, self.bench.path(name + ".json"))
            if self.full_last_page_has_next is None:
                self._probe(self._seeds[name])
        return self._seeds[name]

    def _probe(self, seed):
        seats = seed["datadog"]["seats"]
        for product, holders in sorted(seats.items()):
            found = self.bench.probe_full_last_page(seed, product, len(holders))
            if found is not None:
                self.full_last_page_has_next = found
                self.say("-- probe: a full last page of seat holders %s a next_cursor (%s, %d holders)"
                         % ("carries" if found else "does not carry", product, len(holders)))
                return

    def minimum(self, drift, check_mode):
        return run_minimum(drift.datadog_works, drift.store_works, check_mode,
                           bool(self.full_last_page_has_next))

    def _run(self, what, runs, call):
        results = []
        for index in range(runs):
            measurement = call()
            results.append(measurement)
            self.all_measurements.append(measurement)
            self.say("   [%s %d/%d] %s, %s calls, %s 429s, peak %s%s"
                     % (what, index + 1, runs, fmt_seconds(measurement.wall), fmt_int(measurement.total_calls),
                        measurement.throttled, fmt_mb(measurement.peak_pss_mb),
                        ", FAILED: " + measurement.problems[0].splitlines()[0] if measurement.failed else ""))
        return results

    def _notes(self, sizes):
        return ["population: %s; 1%% drift per product (0.5%% reclaims, 0.5%% assigns)" % sizes.describe()]

    # -- reconcile at scale ----------------------------------------------------------------

    def scale(self, modes):
        plan = self.plan
        seed = self.seed("main", plan.main)
        drift = make_drift(seed)
        desired_path = self.bench.desired_file("main-desired.yml", drift)
        section = Section("Reconcile at scale: playbooks/reconcile.yml, check / apply / re-run")
        section.notes = self._notes(plan.main) + [
            "drift: %d assigns and %d reclaims over %d products; repetitions: %d (wall time: median (min-max))"
            % (drift.assigns, drift.reclaims, len(drift.datadog_works) + len(drift.store_works), self.repeat),
            "the re-run starts from the state a successful apply leaves (no drift); every run starts "
            "from a fresh seed and a full rate-limit budget",
        ]
        results = {}
        for mode in modes:
            self.say("-- reconcile %s (%d run(s))" % (mode, self.repeat))
            results[mode] = self._run(mode, self.repeat, lambda mode=mode: self.bench.reconcile(
                "reconcile-" + mode, seed, drift, desired_path, mode, plan.run_timeout))
        minimums = {}
        for mode in modes:
            minimums[mode] = self.minimum(drift.without_drift() if mode == "rerun" else drift, mode == "check")
        self._scale_tables(section, modes, results, minimums)
        return section

    def _scale_tables(self, section, modes, results, minimums):
        runs = Table(["run", "wall median (min-max)", "API calls", "minimum", "ratio", "429s",
                      "peak PSS (sum)", "peak RSS (largest)", "failed"], title="Runs")
        endpoints = Table(["endpoint"] + ["%s: calls / min = ratio" % mode for mode in modes],
                          title="API calls per endpoint (the worst repetition)")
        products = Table(["product"] + ["%s: calls / min = ratio" % mode for mode in modes],
                         title="API calls per product (as each product's module run reported them)")
        slow = Table(["run", "task", "seconds (median)"], title="Slowest tasks", align="llr")
        worst_calls = {}
        all_endpoints = set()
        for mode in modes:
            measurements = results[mode]
            minimum = minimums[mode].total
            worst = Counter()
            for measurement in measurements:
                for endpoint, count in measurement.calls.items():
                    worst[endpoint] = max(worst[endpoint], count)
            worst_calls[mode] = worst
            all_endpoints.update(worst)
            all_endpoints.update(minimum)
            total = max(m.total_calls for m in measurements)
            total_min = sum(minimum.values())
            throttled = max(m.throttled for m in measurements)
            runs.add(mode, wall_summary([m.wall for m in measurements]), fmt_int(total), fmt_int(total_min),
                     fmt_ratio(ratio(total, total_min)),
                     fmt_share(throttled, max(m.total_calls for m in measurements)),
                     fmt_mb(max_of(m.peak_pss_mb for m in measurements)),
                     fmt_mb(max_of(m.peak_rss_mb for m in measurements)),
                     "yes" if any(m.failed for m in measurements) else "no")
            self._verdicts_for_run(section, mode, measurements, worst, minimums[mode])
            for task, seconds in slowest_tasks(measurements, 3):
                slow.add(mode, task, fmt_seconds(seconds))
        for endpoint in endpoint_order(all_endpoints):
            cells = []
            for mode in modes:
                actual = worst_calls[mode].get(endpoint, 0)
                needed = minimums[mode].total.get(endpoint, 0)
                cells.append(calls_cell(actual, needed))
            endpoints.add(endpoint, *cells)
        reported = any(m.products for mode in modes for m in results[mode])
        for product in sorted(set(p for mode in modes for p in minimums[mode].per_product)):
            cells = []
            for mode in modes:
                actual = max_of(sum(m.products.get(product, Counter()).values()) for m in results[mode]) \
                    if reported else None
                needed = sum(minimums[mode].per_product.get(product, Counter()).values())
                cells.append(calls_cell(actual, needed) if actual is not None else "- / %d" % needed)
            products.add(product, *cells)
        section.tables = [runs, endpoints, products, slow]
        if not reported:
            section.notes.append("per-product calls: the playbook's task results carry no api_calls, so only "
                                 "the minimum is shown per product")

    def _verdicts_for_run(self, section, mode, measurements, worst, minimum):
        total = max(m.total_calls for m in measurements)
        total_min = sum(minimum.total.values())
        over = []
        for endpoint in endpoint_order(set(worst) | set(minimum.total)):
            value = ratio(worst.get(endpoint, 0), minimum.total.get(endpoint, 0))
            if value is None or value > CALLS_TARGET:
                over.append("%s %s" % (endpoint, calls_cell(worst.get(endpoint, 0), minimum.total.get(endpoint, 0))))
        for measurement in measurements:
            for product, counts in sorted(measurement.products.items()):
                needed = minimum.per_product.get(product)
                if needed is None:
                    continue
                value = ratio(sum(counts.values()), sum(needed.values()))
                if value is None or value > CALLS_TARGET:
                    text = "%s %s" % (product, calls_cell(sum(counts.values()), sum(needed.values())))
                    if text not in over:
                        over.append(text)
        figure = "%s (%s / %s)" % (fmt_ratio(ratio(total, total_min)), fmt_int(total), fmt_int(total_min))
        if over:
            figure += "; over: " + "; ".join(over)
        section.verdicts.append(Verdict("%s: API calls <= %.2f x minimum (total, per endpoint, per product)"
                                        % (mode, CALLS_TARGET), not over and ratio(total, total_min) <= CALLS_TARGET,
                                        figure))
        throttled = sum(m.throttled for m in measurements)
        calls = sum(m.total_calls for m in measurements)
        share = throttled / float(calls) if calls else 0.0
        section.verdicts.append(Verdict("%s: 429s <= 1%% of requests" % mode, share <= THROTTLE_TARGET,
                                        "%d of %s (%.2f%%)" % (throttled, fmt_int(calls), 100 * share)))
        peak = max_of(m.peak_pss_mb for m in measurements)
        section.verdicts.append(Verdict("%s: peak memory (PSS of the ansible process tree) < %d MB"
                                        % (mode, MEMORY_TARGET_MB), peak is not None and peak < MEMORY_TARGET_MB,
                                        "%s (largest single process RSS %s)"
                                        % (fmt_mb(peak), fmt_mb(max_of(m.peak_rss_mb for m in measurements)))))
        self._failures(section, measurements)

    def _failures(self, section, measurements):
        for measurement in measurements:
            for problem in measurement.problems:
                section.failures.append("%s: %s (log: %s)" % (measurement.label, problem, measurement.log_path))

    # -- GitHub Copilot at scale -----------------------------------------------------------

    def copilot(self, modes=("check", "apply", "rerun")):
        return copilot_section(self, list(modes))

    # -- baseline: the uri loop ------------------------------------------------------------

    def uri(self):
        plan = self.plan
        section = Section("Baseline (a): an ansible.builtin.uri loop playbook vs ours, one Datadog product")
        section.notes = [
            "bench/baselines/uri_reconcile.yml: pages holders, looks up every desired user with "
            "GET /api/v2/users?filter=<email>, one POST per missing seat, one DELETE per extra holder",
            "ours: playbooks/reconcile.yml (apply) with a one-product desired-state file; %s users, 1%% drift"
            % fmt_int(plan.uri_users),
            "the uri loop runs once per size (it is slow); ours %d time(s) per size (median)" % self.repeat,
        ]
        table = Table(["holders", "uri loop wall", "uri calls", "ours wall", "ours calls", "ours faster by",
                       "failed"])
        largest = None
        for holders in plan.uri_holders:
            sizes = Sizes(plan.uri_users, 1, holders)
            seed = self.seed("uri-%d" % holders, sizes)
            drift = make_drift(seed)
            desired_path = self.bench.desired_file("uri-%d-desired.yml" % holders, drift)
            self.say("-- uri loop baseline at %d holders (1 run)" % holders)
            uri_runs = self._run("uri %d" % holders, 1, lambda: self.bench.uri(
                "uri-%d" % holders, seed, drift, desired_path, plan.uri_timeout))
            self.say("-- ours at %d holders (%d run(s))" % (holders, self.repeat))
            ours = self._run("ours %d" % holders, self.repeat, lambda: self.bench.reconcile(
                "ours-uri-%d" % holders, seed, drift, desired_path, "apply", plan.run_timeout))
            uri_wall = uri_runs[0].wall
            ours_wall = median([m.wall for m in ours])
            speedup = uri_wall / ours_wall if ours_wall else None
            table.add(fmt_int(holders), fmt_seconds(uri_wall), fmt_int(uri_runs[0].total_calls),
                      wall_summary([m.wall for m in ours]), fmt_int(max(m.total_calls for m in ours)),
                      "%sx" % fmt_ratio(speedup),
                      "yes" if any(m.failed for m in uri_runs + ours) else "no")
            self._failures(section, uri_runs + ours)
            largest = (holders, speedup, uri_wall, ours_wall)
        section.tables = [table]
        if largest:
            holders, speedup, uri_wall, ours_wall = largest
            section.verdicts.append(Verdict(
                "ours >= %dx faster than the uri loop at %s holders" % (URI_TARGET, fmt_int(holders)),
                speedup is not None and speedup >= URI_TARGET,
                "%sx (%s vs %s)" % (fmt_ratio(speedup), fmt_seconds(uri_wall), fmt_seconds(ours_wall))))
        return section

    # -- baseline: the official client -----------------------------------------------------

    def official(self):
        plan = self.plan
        seed = self.seed("main", plan.main)
        code = seed["datadog"]["products"][0]["code"]
        drift = make_drift(seed, datadog=[code], msstore=[])
        desired_path = self.bench.desired_file("official-desired.yml", drift)
        holders = drift.datadog_works[0].holders
        section = Section("Baseline (b): a script on Datadog's official client vs ours, one Datadog product")
        section.notes = [
            "bench/baselines/official_client.py (datadog-api-client, enable_retry): holders at page[limit]=1000, "
            "list_users(filter=...) exact match for each missing email, writes in batches of 1000",
            "ours: playbooks/reconcile.yml (apply) with the same one-product desired-state file",
            "product %s: %s holders of %s users, %d assigns + %d reclaims; %d run(s) each"
            % (code, fmt_int(holders), fmt_int(plan.main.dd_users), drift.assigns, drift.reclaims, self.repeat),
        ]
        self.say("-- official client baseline (%d run(s))" % self.repeat)
        script = self._run("official", self.repeat, lambda: self.bench.official(
            "official-client", seed, drift, desired_path, plan.run_timeout))
        self.say("-- ours, same product (%d run(s))" % self.repeat)
        ours = self._run("ours", self.repeat, lambda: self.bench.reconcile(
            "ours-official", seed, drift, desired_path, "apply", plan.run_timeout))
        minimum = sum(self.minimum(drift, False).total.values())
        table = Table(["client", "wall median (min-max)", "API calls", "minimum", "429s", "peak PSS (sum)", "failed"])
        for name, runs in (("official client script", script), ("ours (reconcile playbook)", ours)):
            table.add(name, wall_summary([m.wall for m in runs]), fmt_int(max(m.total_calls for m in runs)),
                      fmt_int(minimum), fmt_share(max(m.throttled for m in runs), max(m.total_calls for m in runs)),
                      fmt_mb(max_of(m.peak_pss_mb for m in runs)), "yes" if any(m.failed for m in runs) else "no")
        section.tables = [table]
        script_wall = median([m.wall for m in script])
        ours_wall = median([m.wall for m in ours])
        value = ours_wall / script_wall if script_wall else None
        section.verdicts.append(Verdict(
            "ours apply wall time <= %.1fx the official-client script" % OFFICIAL_TARGET,
            value is not None and value <= OFFICIAL_TARGET,
            "%sx (%s vs %s)" % (fmt_ratio(value), fmt_seconds(ours_wall), fmt_seconds(script_wall))))
        self._failures(section, script + ours)
        return section

    # -- scaling ---------------------------------------------------------------------------

    def scaling(self):
        plan = self.plan
        section = Section("Scaling: one Datadog product, growing holders, fixed drift (apply)")
        section.notes = [
            "%s users; %d assigns + %d reclaims at every size, so calls should grow only with holder pages; "
            "%d run(s) per size" % (fmt_int(plan.scaling_users), plan.scaling_drift, plan.scaling_drift, self.repeat),
        ]
        table = Table(["holders", "API calls", "minimum", "ratio", "holder pages", "wall median (min-max)",
                       "peak PSS (sum)", "429s", "failed"])
        over = []
        for holders in plan.scaling_holders:
            sizes = Sizes(plan.scaling_users, 1, holders)
            seed = self.seed("scaling-%d" % holders, sizes)
            drift = make_drift(seed, drift=plan.scaling_drift)
            desired_path = self.bench.desired_file("scaling-%d-desired.yml" % holders, drift)
            self.say("-- scaling at %d holders (%d run(s))" % (holders, self.repeat))
            runs = self._run("scaling %d" % holders, self.repeat, lambda: self.bench.reconcile(
                "scaling-%d" % holders, seed, drift, desired_path, "apply", plan.run_timeout))
            minimum = self.minimum(drift, False).total
            total = max(m.total_calls for m in runs)
            total_min = sum(minimum.values())
            value = ratio(total, total_min)
            pages = max(m.calls.get(DD_SEATS_GET, 0) for m in runs)
            table.add(fmt_int(drift.datadog_works[0].holders), fmt_int(total), fmt_int(total_min), fmt_ratio(value),
                      "%d / %d" % (pages, minimum.get(DD_SEATS_GET, 0)),
                      wall_summary([m.wall for m in runs]), fmt_mb(max_of(m.peak_pss_mb for m in runs)),
                      fmt_share(max(m.throttled for m in runs), total), "yes" if any(m.failed for m in runs) else "no")
            if value is None or value > CALLS_TARGET:
                over.append("%s holders %s" % (fmt_int(holders), fmt_ratio(value)))
            self._failures(section, runs)
        section.tables = [table]
        section.verdicts.append(Verdict("API calls <= %.2f x minimum at every size" % CALLS_TARGET, not over,
                                        "; ".join(over) if over else "all sizes within"))
        return section


def copilot_section(scenarios, modes):
    """github_copilot_seats at scale: check / apply / re-run on one generated org."""
    plan = scenarios.plan
    seed = scenarios.seed("copilot", plan.copilot)
    drift = make_copilot_drift(seed)
    work = drift.work
    section = Section("GitHub Copilot at scale: github_copilot_seats, check / apply / re-run")
    section.notes = [
        "population: %s; exclusive, desired logins in a vars file" % plan.copilot.describe(),
        "drift: %d leavers reclaimed (direct seats), %d new members given a seat, %d seats pending cancellation "
        "given again, %d leaver(s) with a team-granted seat (kept and reported, no call); the org lists %s seats "
        "before the apply; repetitions: %d (wall time: median (min-max))"
        % (len(drift.leavers), len(drift.joiners), len(drift.pending), len(drift.team_leavers),
           fmt_int(work.seats_listed), scenarios.repeat),
        "minimum (issue): E1 + ceil(seats / 100) seat pages + ceil(changes / 100) writes per action; "
        "minimum + memberships: also 1 membership read per login given a seat that holds no active seat "
        "(%d here: the module checks membership before any E4, as GitHub may invite a non-member)"
        % work.memberships,
        "the re-run starts from the state a successful apply leaves (leavers pending cancellation, "
        "new seats listed); every run starts from a fresh seed and fresh GitHub rate-limit budgets",
        "throttled: 429 and 403 answers (GitHub's rate limits answer 403)",
    ]
    results, minimums = {}, {}
    for mode in modes:
        scenarios.say("-- copilot %s (%d run(s))" % (mode, scenarios.repeat))
        results[mode] = scenarios._run("copilot %s" % mode, scenarios.repeat, lambda mode=mode: scenarios.bench.copilot(
            "copilot-%s" % mode, drift, mode, plan.run_timeout))
        mode_work = drift.rerun_work() if mode == "rerun" else work
        minimums[mode] = (copilot_minimum(mode_work, mode == "check", memberships=False),
                          copilot_minimum(mode_work, mode == "check", memberships=True))
    runs = Table(["run", "wall median (min-max)", "API calls", "minimum (issue)", "ratio",
                  "minimum + memberships", "ratio", "429/403", "peak PSS (sum)", "failed"], title="Runs")
    endpoints = Table(["endpoint"] + ["%s: calls / min = ratio" % mode for mode in modes],
                      title="API calls per endpoint (the worst repetition; minimum with memberships)")
    worst_calls, all_endpoints = {}, set()
    for mode in modes:
        measurements = results[mode]
        issue, full = minimums[mode]
        worst = Counter()
        for measurement in measurements:
            for endpoint, count in measurement.calls.items():
                worst[endpoint] = max(worst[endpoint], count)
        worst_calls[mode] = worst
        all_endpoints.update(worst)
        all_endpoints.update(full)
        total = max(m.total_calls for m in measurements)
        limited = max(m.throttled + m.forbidden for m in measurements)
        runs.add(mode, wall_summary([m.wall for m in measurements]), fmt_int(total),
                 fmt_int(sum(issue.values())), fmt_ratio(ratio(total, sum(issue.values()))),
                 fmt_int(sum(full.values())), fmt_ratio(ratio(total, sum(full.values()))),
                 fmt_share(limited, total), fmt_mb(max_of(m.peak_pss_mb for m in measurements)),
                 "yes" if any(m.failed for m in measurements) else "no")
        over = ["%s %s" % (endpoint, calls_cell(worst.get(endpoint, 0), full.get(endpoint, 0)))
                for endpoint in endpoint_order(set(worst) | set(full))
                if (ratio(worst.get(endpoint, 0), full.get(endpoint, 0)) or CALLS_TARGET + 1) > CALLS_TARGET]
        value = ratio(total, sum(full.values()))
        figure = "%s (%s / %s); to the issue's minimum %s (%s / %s)" % (
            fmt_ratio(value), fmt_int(total), fmt_int(sum(full.values())),
            fmt_ratio(ratio(total, sum(issue.values()))), fmt_int(total), fmt_int(sum(issue.values())))
        if over:
            figure += "; over: " + "; ".join(over)
        section.verdicts.append(Verdict(
            "copilot %s: API calls <= %.2f x minimum + memberships (total and per endpoint)" % (mode, CALLS_TARGET),
            not over and value is not None and value <= CALLS_TARGET, figure))
        limited_all = sum(m.throttled + m.forbidden for m in measurements)
        calls_all = sum(m.total_calls for m in measurements)
        section.verdicts.append(Verdict(
            "copilot %s: no rate-limited answer (429/403)" % mode, limited_all == 0,
            "%d of %s" % (limited_all, fmt_int(calls_all))))
        peak = max_of(m.peak_pss_mb for m in measurements)
        section.verdicts.append(Verdict(
            "copilot %s: peak memory (PSS of the ansible process tree) < %d MB" % (mode, MEMORY_TARGET_MB),
            peak is not None and peak < MEMORY_TARGET_MB, fmt_mb(peak)))
        scenarios._failures(section, measurements)
    for endpoint in endpoint_order(all_endpoints):
        endpoints.add(endpoint, *[calls_cell(worst_calls[mode].get(endpoint, 0), minimums[mode][1].get(endpoint, 0))
                                  for mode in modes])
    section.tables = [runs, endpoints]
    section.copilot = dict((mode, {"minimum_issue": sum(minimums[mode][0].values()),
                                   "minimum_with_memberships": sum(minimums[mode][1].values()),
                                   "memberships": minimums[mode][1].get(GH_MEMBERSHIP, 0)}) for mode in modes)
    return section


def max_of(values):
    values = [value for value in values if value is not None]
    return max(values) if values else None


def calls_cell(actual, needed):
    return "%s / %s = %s" % (fmt_int(actual), fmt_int(needed), fmt_ratio(ratio(actual, needed)))


def slowest_tasks(measurements, count):
    """The ``count`` tasks with the largest median duration over the repetitions."""
    durations = {}
    for measurement in measurements:
        per_run = {}
        for task in measurement.tasks:
            if task.get("seconds") is not None:
                per_run[task["task"]] = per_run.get(task["task"], 0.0) + task["seconds"]
        for name, seconds in per_run.items():
            durations.setdefault(name, []).append(seconds)
    ranked = sorted(((median(values), name) for name, values in durations.items()), reverse=True)
    return [(name, seconds) for seconds, name in ranked[:count]]
