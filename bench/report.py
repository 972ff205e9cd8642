# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The results: sections of notes, tables and target verdicts, rendered as plain text (the
terminal) and as markdown (bench/results/latest.md, quoted by docs/benchmarks.md)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

OK = "OK"
MISSED = "MISSED"


def fmt_seconds(seconds):
    if seconds is None:
        return "-"
    if seconds >= 100:
        return "%.0f s" % seconds
    return "%.1f s" % seconds if seconds >= 10 else "%.2f s" % seconds


def fmt_mb(megabytes):
    return "-" if megabytes is None else "%.0f MB" % megabytes


def fmt_ratio(value):
    if value is None:
        return "n/a"
    if value == float("inf"):
        return "inf"
    return "%.2f" % value


def fmt_int(value):
    return "-" if value is None else "{:,}".format(value)


def fmt_share(part, whole):
    if not whole:
        return "0"
    return "%d (%.1f%%)" % (part, 100.0 * part / whole)


def wall_summary(walls):
    """``median (min-max)`` of wall times, or the one time."""
    walls = [wall for wall in walls if wall is not None]
    if not walls:
        return "-"
    if len(walls) == 1:
        return fmt_seconds(walls[0])
    return "%s (%s-%s)" % (fmt_seconds(statistics.median(walls)), fmt_seconds(min(walls))[:-2],
                           fmt_seconds(max(walls))[:-2])


def median(values):
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


@dataclass
class Table:
    headers: list
    rows: list = field(default_factory=list)
    title: str = ""
    align: str = ""    # one letter per column, l or r; default: first column left, the rest right

    def _align(self, index):
        if index < len(self.align):
            return self.align[index]
        return "l" if index == 0 else "r"

    def add(self, *cells):
        self.rows.append([str(cell) for cell in cells])

    def text(self):
        widths = [len(header) for header in self.headers]
        for row in self.rows:
            for index, cell in enumerate(row):
                widths[index] = max(widths[index], len(cell))
        lines = []
        if self.title:
            lines.append(self.title)
        lines.append("  ".join(header.ljust(widths[i]) for i, header in enumerate(self.headers)).rstrip())
        lines.append("  ".join("-" * width for width in widths))
        for row in self.rows:
            cells = []
            for index, cell in enumerate(row):
                cells.append(cell.ljust(widths[index]) if self._align(index) == "l" else cell.rjust(widths[index]))
            lines.append("  ".join(cells).rstrip())
        return "\n".join(lines)

    def markdown(self):
        lines = []
        if self.title:
            lines.append("*%s*" % self.title)
            lines.append("")
        lines.append("| " + " | ".join(self.headers) + " |")
        lines.append("| " + " | ".join("---" if self._align(i) == "l" else "---:" for i in range(len(self.headers))) + " |")
        for row in self.rows:
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
        return "\n".join(lines)


@dataclass
class Verdict:
    target: str
    ok: bool
    figure: str

    def line(self):
        return "%-6s %s: %s" % (OK if self.ok else MISSED, self.target, self.figure)


@dataclass
class Section:
    title: str
    notes: list = field(default_factory=list)
    tables: list = field(default_factory=list)
    verdicts: list = field(default_factory=list)
    failures: list = field(default_factory=list)   # "label: reason" of runs that failed

    def text(self):
        parts = ["== " + self.title]
        parts.extend(self.notes)
        for table in self.tables:
            parts.append("")
            parts.append(table.text())
        if self.verdicts:
            parts.append("")
            parts.extend(verdict.line() for verdict in self.verdicts)
        for failure in self.failures:
            parts.append("FAILED " + failure)
        return "\n".join(parts)

    def markdown(self):
        parts = ["## " + self.title, ""]
        for note in self.notes:
            parts.append(note + "  ")
        for table in self.tables:
            parts.extend(["", table.markdown()])
        if self.verdicts:
            parts.append("")
            parts.extend("- **%s** %s: %s" % (OK if v.ok else MISSED, v.target, v.figure) for v in self.verdicts)
        if self.failures:
            parts.append("")
            parts.extend("- **FAILED** %s" % failure for failure in self.failures)
        return "\n".join(parts)


def render_text(header, sections, footer=()):
    return "\n\n".join([header] + [section.text() for section in sections] + list(footer)) + "\n"


def render_markdown(header_lines, sections, footer=()):
    parts = ["# seatops.seats benchmark results", ""]
    parts.extend(line + "  " for line in header_lines)
    for section in sections:
        parts.extend(["", section.markdown()])
    if footer:
        parts.append("")
        parts.extend(footer)
    return "\n".join(parts) + "\n"
