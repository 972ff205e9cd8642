# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Peak memory of a process tree (ansible-playbook, its forked workers, the modules).

A background thread samples the whole tree every ``interval`` seconds through /proc:

- the tree: ``/proc/<pid>/task/*/children``, walked from the root process;
- per process ``/proc/<pid>/smaps_rollup``: ``Pss`` (proportional set size: pages shared
  between processes, such as the forked workers' copy-on-write pages, are split between
  them, so the sum over the tree is the memory the tree really uses) and ``Rss``.

It reports the peak of the PSS sum over the tree, and the peak RSS of the largest single
process. A process that lives shorter than one interval can be missed; the modules that
matter run for seconds. Linux only; elsewhere the figures stay at None.
"""

from __future__ import annotations

import os
import threading


def children(pid):
    """Direct children of ``pid`` (every thread's children file), [] when it is gone."""
    found = []
    task_dir = "/proc/%d/task" % pid
    try:
        tasks = os.listdir(task_dir)
    except OSError:
        return found
    for task in tasks:
        try:
            with open("%s/%s/children" % (task_dir, task), encoding="ascii") as handle:
                found.extend(int(part) for part in handle.read().split())
        except (OSError, ValueError):
            continue
    return found


def process_tree(root):
    """``root`` and all its descendants."""
    seen = []
    pending = [root]
    while pending:
        pid = pending.pop()
        if pid in seen:
            continue
        seen.append(pid)
        pending.extend(children(pid))
    return seen


def read_memory(pid):
    """``(pss_kib, rss_kib)`` of one process, or None when it is gone or unreadable."""
    try:
        with open("/proc/%d/smaps_rollup" % pid, encoding="ascii") as handle:
            text = handle.read()
    except OSError:
        return _status_rss(pid)
    pss = rss = None
    for line in text.splitlines():
        if line.startswith("Pss:"):
            pss = int(line.split()[1])
        elif line.startswith("Rss:"):
            rss = int(line.split()[1])
    if rss is None:
        return None
    return (pss if pss is not None else rss, rss)


def _status_rss(pid):
    # Kernels before 4.14 have no smaps_rollup: fall back to RSS (PSS unknown, RSS counted).
    try:
        with open("/proc/%d/status" % pid, encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                    return (rss, rss)
    except OSError:
        pass
    return None


class TreeSampler(object):
    """Sample the memory of ``pid``'s tree until :meth:`stop`; peaks in KiB."""

    def __init__(self, pid, interval=0.02):
        self.pid = pid
        self.interval = interval
        self.peak_pss_kib = None
        self.peak_rss_kib = None
        self.peak_processes = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=5)
        return self

    def sample(self):
        total_pss = 0
        largest_rss = 0
        count = 0
        for pid in process_tree(self.pid):
            memory = read_memory(pid)
            if memory is None:
                continue
            count += 1
            total_pss += memory[0]
            largest_rss = max(largest_rss, memory[1])
        if count == 0:
            return
        self.samples += 1
        self.peak_processes = max(self.peak_processes, count)
        self.peak_pss_kib = max(self.peak_pss_kib or 0, total_pss)
        self.peak_rss_kib = max(self.peak_rss_kib or 0, largest_rss)

    def _run(self):
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    @property
    def peak_pss_mb(self):
        """Peak PSS sum in MB (10^6 bytes, the unit of the 300 MB target)."""
        return None if self.peak_pss_kib is None else self.peak_pss_kib * 1024 / 1e6

    @property
    def peak_rss_mb(self):
        return None if self.peak_rss_kib is None else self.peak_rss_kib * 1024 / 1e6
