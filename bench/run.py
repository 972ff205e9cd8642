# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``make bench``: scale benchmarks of seatops.seats against a local sandbox.

    .venv/bin/python bench/run.py [--quick] [--repeat N] [--only check,apply,rerun,uri,official,scaling,copilot]

Starts the sandbox (20 ms latency, a Datadog rate-limit budget), generates the populations,
runs every scenario, prints the results and writes them as markdown to
bench/results/latest.md. Exits non-zero only when a run failed (or the harness itself
could not run); a missed target is printed as MISSED with its figure. docs/benchmarks.md
explains what is measured.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO_ROOT)

# pylint: disable=wrong-import-position
from bench.measure import Bench  # noqa: E402
from bench.minimum import ASSUMPTIONS  # noqa: E402
from bench.process import stop_all  # noqa: E402
from bench.report import render_markdown, render_text  # noqa: E402
from bench.scenarios import FULL, QUICK, Scenarios  # noqa: E402

SCENARIOS = ("check", "apply", "rerun", "uri", "official", "scaling", "copilot")
LATENCY_MS = 20
RATE_LIMIT = "300/10"
RESULTS = os.path.join(REPO_ROOT, "bench", "results", "latest.md")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="bench/run.py", description="Scale benchmarks of seatops.seats.")
    parser.add_argument("--quick", action="store_true",
                        help="small populations, one repetition (development and CI smoke test)")
    parser.add_argument("--repeat", type=int, help="repetitions of each measured run (default 3; 1 with --quick)")
    parser.add_argument("--only", default=",".join(SCENARIOS),
                        help="comma list of scenarios to run: %s (default: all)" % ",".join(SCENARIOS))
    parser.add_argument("--latency-ms", type=float, default=LATENCY_MS, help="sandbox latency per request")
    parser.add_argument("--rate-limit", default=RATE_LIMIT, metavar="N/S",
                        help="Datadog rate-limit budget of the sandbox (default %s)" % RATE_LIMIT)
    parser.add_argument("--results", default=RESULTS, help="markdown results file (default bench/results/latest.md)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, seeds, reports)")
    args = parser.parse_args(argv)
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in args.only if name not in SCENARIOS]
    if unknown:
        parser.error("unknown scenario(s) %s; choose from %s" % (", ".join(unknown), ", ".join(SCENARIOS)))
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def git_commit():
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                                text=True, check=False, timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT,
                               capture_output=True, text=True, check=False, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + (" with uncommitted changes" if dirty else "") if commit else "unknown"


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            kib = int(handle.readline().split()[1])
        memory = ", %.0f GB RAM" % (kib * 1024 / 1e9)
    except (OSError, ValueError, IndexError):
        pass
    return "%d cores (%s)%s, %s" % (os.cpu_count() or 0, cpu, memory, platform.system())


def load_average():
    try:
        return ", ".join("%.2f" % value for value in os.getloadavg())
    except OSError:
        return "unknown"


def ansible_version():
    try:
        from ansible.release import __version__  # pylint: disable=import-outside-toplevel
    except ImportError:
        return "unknown"
    return __version__


def _terminate(signum, frame):
    # SIGTERM/SIGHUP end the run like Ctrl-C does: through the finally blocks that stop the
    # measured processes and the sandbox.
    del frame
    raise SystemExit(128 + signum)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _terminate)
    plan = QUICK if args.quick else FULL
    repeat = args.repeat or plan.repeat
    started = time.monotonic()

    from seatops_sandbox.testing import SandboxProcess  # pylint: disable=import-outside-toplevel

    header = [
        "seatops.seats benchmark (%s) at commit %s, %s UTC"
        % ("quick" if args.quick else "full", git_commit(),
           datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")),
        "machine: %s; Python %s, ansible-core %s" % (machine(), platform.python_version(), ansible_version()),
        "sandbox: %g ms latency per API request; Datadog rate limit %s requests per %s s (calendar-aligned "
        "window, fresh budget at the start of every run); no Store rate limit; GitHub: its default budgets "
        "(5,000 an hour per token, fresh at every run), no secondary limit"
        % (args.latency_ms, args.rate_limit.split("/")[0], args.rate_limit.split("/")[1]),
        "scenarios: %s; repetitions: %d; load average at start: %s" % (", ".join(args.only), repeat, load_average()),
    ]
    if args.quick:
        header.append("quick run: small populations; the speed targets are set for the full sizes, "
                      "so a MISSED here says little (call counts still must match the minimum)")
    print("\n".join(header), flush=True)

    workdir = tempfile.mkdtemp(prefix="seatops-bench-")
    sections = []
    scenarios = None
    sandbox = SandboxProcess(extra_args=["--latency-ms", str(args.latency_ms),
                                         "--datadog-rate-limit", args.rate_limit, "--quiet"])
    try:
        sandbox.start()
        bench = Bench(sandbox, workdir, args.rate_limit, say=lambda text: print(text, flush=True))
        scenarios = Scenarios(bench, plan, repeat, say=lambda text: print(text, flush=True))
        modes = [mode for mode in ("check", "apply", "rerun") if mode in args.only]
        if modes:
            sections.append(scenarios.scale(modes))
        if "uri" in args.only:
            sections.append(scenarios.uri())
        if "official" in args.only:
            sections.append(scenarios.official())
        if "scaling" in args.only:
            sections.append(scenarios.scaling())
        if "copilot" in args.only:
            sections.append(scenarios.copilot())
    finally:
        stop_all()
        sandbox.stop()
        if args.keep:
            print("work directory kept: %s" % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    if scenarios is not None and scenarios.full_last_page_has_next is not None:
        header.append("probe: a full last page of seat holders %s a next_cursor, so the minimum %s"
                      % ("carries" if scenarios.full_last_page_has_next else "does not carry",
                         "counts one empty page more" if scenarios.full_last_page_has_next
                         else "counts no empty trailing page"))
    header.append("load average at the end: %s (other work on the machine makes wall times noisy)" % load_average())
    header.append("theoretical minimum (bench/minimum.py, docs/benchmarks.md):")
    header.extend("  - " + line for line in ASSUMPTIONS)
    failed = [failure for section in sections for failure in section.failures]
    missed = [verdict for section in sections for verdict in section.verdicts if not verdict.ok]
    elapsed = time.monotonic() - started
    footer = ["%d target(s) missed, %d failed run(s); the benchmark took %.0f s"
              % (len(missed), len(failed), elapsed)]
    print()
    print(render_text("\n".join(header), sections, footer), flush=True)
    os.makedirs(os.path.dirname(os.path.abspath(args.results)), exist_ok=True)
    with open(args.results, "w", encoding="utf-8") as handle:
        handle.write(render_markdown(header, sections, footer))
    with open(os.path.splitext(args.results)[0] + ".json", "w", encoding="utf-8") as handle:
        json.dump(raw_results(header, scenarios), handle, indent=1, default=str)
    print("results: %s" % os.path.relpath(args.results, os.getcwd()))
    return 1 if failed else 0


def raw_results(header, scenarios):
    """Every measurement, for anyone who wants more than the tables."""
    runs = []
    for measurement in (scenarios.all_measurements if scenarios else []):
        runs.append({
            "label": measurement.label, "mode": measurement.mode, "wall": round(measurement.wall, 3),
            "rc": measurement.rc, "calls": dict(measurement.calls),
            "statuses": dict((str(key), value) for key, value in measurement.statuses.items()),
            "products": dict((key, dict(value)) for key, value in measurement.products.items()),
            "peak_pss_mb": measurement.peak_pss_mb, "peak_rss_mb": measurement.peak_rss_mb,
            "problems": measurement.problems,
            "tasks": measurement.tasks,
        })
    return {"header": header, "runs": runs}


if __name__ == "__main__":
    sys.exit(main())
