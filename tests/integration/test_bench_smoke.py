# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Smoke test of make bench: the harness runs end to end (sandbox, generated population,
a check-mode reconcile measured against the theoretical minimum), so it cannot rot unseen."""

from __future__ import annotations

import json
import os
import subprocess
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_bench_quick_check(tmp_path):
    results = tmp_path / "latest.md"
    completed = subprocess.run(
        [sys.executable, os.path.join(REPO_ROOT, "bench", "run.py"), "--quick", "--only", "check",
         "--results", str(results)],
        capture_output=True, text=True, timeout=300, cwd=str(tmp_path), check=False)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-4000:]
    assert "20 ms latency" in output and "rate limit 300 requests per 10 s" in output
    markdown = results.read_text()
    assert "## Reconcile at scale" in markdown
    assert "| check |" in markdown
    assert "check: API calls <= 1.05 x minimum" in markdown
    raw = json.loads((tmp_path / "latest.json").read_text())
    [run] = raw["runs"]
    assert run["mode"] == "check" and run["rc"] == 0 and run["problems"] == []
    # The log saw the calls, and check mode wrote nothing.
    assert sum(run["calls"].values()) > 0
    writes = ("POST /api/v2/seats/users", "DELETE /api/v2/seats/users", "POST /V1/Inventory/{productId}/{skuId}/Seats")
    assert [run["calls"].get(endpoint, 0) for endpoint in writes] == [0, 0, 0]
    assert run["peak_pss_mb"] > 0 and run["wall"] > 0
    # The generated credentials never reach the output.
    for secret in ("gen-dd-api-key", "gen-dd-app-key", "gen-client-secret"):
        assert secret not in output and secret not in markdown


def test_bench_quick_copilot(tmp_path):
    """The Copilot scenario end to end at a small size: check, apply and re-run of
    github_copilot_seats on a generated org, each at the minimum (with the membership reads)."""
    results = tmp_path / "latest.md"
    completed = subprocess.run(
        [sys.executable, os.path.join(REPO_ROOT, "bench", "run.py"), "--quick", "--only", "copilot",
         "--results", str(results)],
        capture_output=True, text=True, timeout=600, cwd=str(tmp_path), check=False)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-4000:]
    markdown = results.read_text()
    assert "## GitHub Copilot at scale" in markdown
    for mode in ("check", "apply", "rerun"):
        assert "| %s |" % mode in markdown
        assert "- **OK** copilot %s: API calls <= 1.05 x minimum + memberships" % mode in markdown
        assert "- **OK** copilot %s: no rate-limited answer" % mode in markdown
    raw = json.loads((tmp_path / "latest.json").read_text())
    runs = dict((run["mode"], run) for run in raw["runs"])
    assert sorted(runs) == ["apply", "check", "rerun"]
    for run in runs.values():
        assert run["rc"] == 0 and run["problems"] == [], run["problems"]
    gh_writes = ("POST /orgs/{org}/copilot/billing/selected_users",
                 "DELETE /orgs/{org}/copilot/billing/selected_users")
    # Check mode and the no-drift re-run write nothing; the apply writes once per action.
    assert [runs["check"]["calls"].get(endpoint, 0) for endpoint in gh_writes] == [0, 0]
    assert [runs["rerun"]["calls"].get(endpoint, 0) for endpoint in gh_writes] == [0, 0]
    assert [runs["apply"]["calls"].get(endpoint, 0) for endpoint in gh_writes] == [1, 1]
    # 1,000 seats: E1 + 10 pages, and one membership read per login given a seat (3 new, 2 pending).
    apply = runs["apply"]["calls"]
    assert apply["GET /orgs/{org}/copilot/billing"] == 1
    assert apply["GET /orgs/{org}/copilot/billing/seats"] == 10
    assert apply["GET /orgs/{org}/memberships/{username}"] == 5
    assert "GET /orgs/{org}/memberships/{username}" not in runs["rerun"]["calls"]
    # The module's own api_calls agree with the sandbox's request log.
    assert runs["apply"]["products"]["generated-org"] == apply
    # The generated token never reaches the output.
    assert "gen-gh-token" not in output and "gen-gh-token" not in markdown
