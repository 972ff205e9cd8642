# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run one measured process (ansible-playbook or a baseline script): wall time, peak memory
of its process tree, exit status, its output in a log file, and a hard time limit."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

from bench.memory import TreeSampler

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN_DIR = os.path.dirname(sys.executable)
CALLBACK_DIR = os.path.join(REPO_ROOT, "bench", "callback_plugins")
# Variables a benchmark run must never inherit from the developer's shell.
CREDENTIAL_VARIABLES = ("DD_API_KEY", "DD_APP_KEY", "DD_SITE", "AZURE_TENANT_ID",
                        "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "GITHUB_TOKEN", "GH_TOKEN")


# Measured processes still running, so the harness can stop them whatever interrupts it.
_RUNNING = set()


@dataclass
class ProcessRun:
    rc: int
    wall: float
    log_path: str
    timed_out: bool = False
    peak_pss_mb: float = None
    peak_rss_mb: float = None
    tasks: list = field(default_factory=list)      # [{"task", "action", "status", "seconds"}]
    products: list = field(default_factory=list)   # [{"product", "api_calls", "failed", ...}]

    def output_tail(self, lines=30):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as handle:
                return "".join(handle.readlines()[-lines:])
        except OSError:
            return ""


def collections_root():
    """Where ansible finds this checkout as seatops.seats (the tests' helper does the linking)."""
    sys.path.insert(0, os.path.join(REPO_ROOT, "tests"))
    try:
        from collection_layout import collections_root as root  # pylint: disable=import-outside-toplevel
    finally:
        sys.path.pop(0)
    return root()


def base_env(credentials, workdir):
    env = dict(os.environ)
    for name in CREDENTIAL_VARIABLES:
        env.pop(name, None)
    env.update(credentials)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": collections_root(),
        "ANSIBLE_CALLBACK_PLUGINS": CALLBACK_DIR,
        "ANSIBLE_CALLBACKS_ENABLED": "seatops_bench",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_LOCAL_TEMP": os.path.join(workdir, "ansible-local-tmp"),
        "ANSIBLE_REMOTE_TEMP": os.path.join(workdir, "ansible-remote-tmp"),
        "PYTHONUNBUFFERED": "1",
    })
    return env


def playbook_command(playbook, extra_vars, check=False):
    command = [os.path.join(BIN_DIR, "ansible-playbook"), "-i", "localhost,", "-c", "local",
               "-e", json.dumps(extra_vars), playbook]
    if check:
        command.append("--check")
    return command


def run_measured(command, env, log_path, timeout, cwd=None, results_path=None):
    """Run ``command`` to the end (or ``timeout`` seconds, then kill its process group)."""
    if results_path:
        env = dict(env, SEATOPS_BENCH_RESULTS=results_path)
        if os.path.exists(results_path):
            os.unlink(results_path)
    timed_out = False
    with open(log_path, "wb") as log:
        started = time.monotonic()
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=env, cwd=cwd, start_new_session=True)
        _RUNNING.add(proc)
        sampler = TreeSampler(proc.pid).start()
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(proc)
            rc = proc.wait(timeout=30)
        finally:
            sampler.stop()
            if proc.poll() is None:
                _kill_group(proc)
                proc.wait(timeout=30)
            _RUNNING.discard(proc)
        wall = time.monotonic() - started
    run = ProcessRun(rc=rc, wall=wall, log_path=log_path, timed_out=timed_out,
                     peak_pss_mb=sampler.peak_pss_mb, peak_rss_mb=sampler.peak_rss_mb)
    if results_path and os.path.exists(results_path):
        with open(results_path, encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                entry = json.loads(line)
                (run.tasks if entry.get("kind") == "task" else run.products).append(entry)
    return run


def stop_all():
    """Kill every measured process group that is still running (the harness is stopping)."""
    for proc in list(_RUNNING):
        if proc.poll() is None:
            _kill_group(proc)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        _RUNNING.discard(proc)


def _kill_group(proc):
    # The group is the one this process started (start_new_session): the measured command
    # and its children, nothing else.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
