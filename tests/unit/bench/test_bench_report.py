# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Rendering of make bench results (bench/report.py) and its slowest-task ranking."""

from __future__ import annotations

from bench import report
from bench.scenarios import calls_cell, slowest_tasks


class FakeMeasurement(object):
    def __init__(self, tasks):
        self.tasks = tasks


def test_table_text_and_markdown():
    table = report.Table(["run", "calls", "ratio"], title="Runs")
    table.add("check", "1,234", "1.00")
    table.add("apply", "7", "n/a")
    assert table.text().splitlines() == [
        "Runs",
        "run    calls  ratio",
        "-----  -----  -----",
        "check  1,234   1.00",
        "apply      7    n/a",
    ]
    assert table.markdown().splitlines()[2:] == [
        "| run | calls | ratio |",
        "| --- | ---: | ---: |",
        "| check | 1,234 | 1.00 |",
        "| apply | 7 | n/a |",
    ]


def test_section_marks_missed_targets_and_failures():
    section = report.Section("Scale", notes=["note"])
    section.verdicts = [report.Verdict("calls", True, "1.00"), report.Verdict("memory", False, "412 MB")]
    section.failures = ["apply: exit status 2"]
    text = section.text()
    assert "OK     calls: 1.00" in text
    assert "MISSED memory: 412 MB" in text
    assert "FAILED apply: exit status 2" in text
    markdown = section.markdown()
    assert "- **MISSED** memory: 412 MB" in markdown
    assert markdown.startswith("## Scale")


def test_formats():
    assert report.wall_summary([3.0, 1.0, 2.0]) == "2.00 s (1.00-3.00)"
    assert report.wall_summary([12.34]) == "12.3 s"
    assert report.fmt_seconds(123.4) == "123 s"
    assert report.fmt_share(3, 600) == "3 (0.5%)"
    assert report.fmt_ratio(None) == "n/a"
    assert calls_cell(21, 20) == "21 / 20 = 1.05"
    assert calls_cell(2, 0) == "2 / 0 = n/a"


def test_slowest_tasks_sums_within_a_run_and_takes_the_median():
    runs = [FakeMeasurement([{"task": "sync", "seconds": 10.0}, {"task": "page", "seconds": 1.0},
                             {"task": "page", "seconds": 1.5}]),
            FakeMeasurement([{"task": "sync", "seconds": 12.0}, {"task": "page", "seconds": 3.0}]),
            FakeMeasurement([{"task": "sync", "seconds": 11.0}, {"task": "page", "seconds": None}])]
    assert slowest_tasks(runs, 2) == [("sync", 11.0), ("page", 2.75)]
