# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The process-tree memory sampler of make bench (bench/memory.py); Linux /proc only."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bench import memory

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs Linux /proc")

# A parent that starts a child holding ~60 MB, then waits for it.
TREE = ("import subprocess, sys; subprocess.run([sys.executable, '-c', "
        "'import sys, time; block = bytearray(60 * 1024 * 1024); sys.stdout.write(\"ready\\\\n\"); "
        "sys.stdout.flush(); time.sleep(1.5)'])")


def test_read_memory_of_this_process():
    pss, rss = memory.read_memory(os.getpid())
    assert rss > 1000 and 0 < pss <= rss


def test_read_memory_of_a_gone_process():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert memory.read_memory(proc.pid) is None


def test_sampler_sees_the_grandchild():
    proc = subprocess.Popen([sys.executable, "-c", TREE], stdout=subprocess.PIPE)
    try:
        assert proc.stdout.readline().strip() == b"ready"
        tree = memory.process_tree(proc.pid)
        assert len(tree) == 2 and tree[0] == proc.pid
        sampler = memory.TreeSampler(proc.pid, interval=0.01)
        sampler.sample()
        assert sampler.peak_processes == 2
        assert sampler.peak_rss_mb > 60     # the grandchild's block, seen through the tree
        assert sampler.peak_pss_mb > 60
    finally:
        proc.wait(timeout=30)
    assert memory.process_tree(proc.pid) == [proc.pid]
    assert memory.children(proc.pid) == []
