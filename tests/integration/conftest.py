# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration tests: real ``ansible-playbook`` runs against a real sandbox process.

Fixtures:
- ``sandbox``: a started ``seatops_sandbox.testing.SandboxProcess`` (one per test module),
  seeded with the module-level ``SEED`` dict if the test module defines one, else empty.
  Tests call ``sandbox.seed(...)`` / ``sandbox.clear_requests()`` as they need.
- ``run_playbook``: runs a playbook (YAML text or a list of plays) and returns a
  :class:`PlaybookRun` with rc, output and every task result.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from collection_layout import collections_root  # noqa: E402  pylint: disable=wrong-import-position

HERE = os.path.dirname(os.path.abspath(__file__))
BIN_DIR = os.path.dirname(sys.executable)


class PlaybookRun(object):
    def __init__(self, rc, stdout, stderr, results):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.results = results

    @property
    def output(self):
        return self.stdout + self.stderr

    def task(self, name):
        """The result of the (last) task with that name; fails the test if it did not run."""
        found = [entry for entry in self.results if entry["task"] == name]
        assert found, "task %r did not run; output:\n%s" % (name, self.output[-4000:])
        return found[-1]

    def result(self, name):
        return self.task(name)["result"]

    def __repr__(self):
        return "PlaybookRun(rc=%s)" % self.rc


@pytest.fixture(scope="module")
def sandbox(request):
    from seatops_sandbox.testing import SandboxProcess

    seed = getattr(request.module, "SEED", None)
    process = SandboxProcess(seed=seed)
    process.start()
    yield process
    process.stop()


@pytest.fixture
def run_playbook(tmp_path):
    root = collections_root()

    def run(playbook, check=False, diff=False, extra_vars=None, env=None, verbosity=0,
            timeout=600):
        if not isinstance(playbook, str):
            playbook = yaml.safe_dump(playbook, sort_keys=False)
        path = tmp_path / ("playbook-%d.yml" % len(list(tmp_path.glob("playbook-*.yml"))))
        path.write_text(playbook)
        results_file = tmp_path / (path.stem + ".results.jsonl")
        command = [os.path.join(BIN_DIR, "ansible-playbook"), "-i", "localhost,",
                   "-c", "local", str(path)]
        if check:
            command.append("--check")
        if diff:
            command.append("--diff")
        if verbosity:
            command.append("-" + "v" * verbosity)
        if extra_vars:
            command.extend(["-e", json.dumps(extra_vars)])
        full_env = dict(os.environ)
        full_env.update({
            "ANSIBLE_COLLECTIONS_PATH": root,
            "ANSIBLE_CALLBACK_PLUGINS": os.path.join(HERE, "callback_plugins"),
            "ANSIBLE_CALLBACKS_ENABLED": "result_recorder",
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
            "SEATOPS_RESULTS_FILE": str(results_file),
        })
        # Credentials come only from what a test passes, never from the developer's shell.
        for name in ("DD_API_KEY", "DD_APP_KEY", "DD_SITE", "AZURE_TENANT_ID",
                     "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"):
            full_env.pop(name, None)
        full_env.update(env or {})
        completed = subprocess.run(command, capture_output=True, text=True, env=full_env,
                                   timeout=timeout, cwd=str(tmp_path), check=False)
        results = []
        if results_file.exists():
            results = [json.loads(line) for line in results_file.read_text().splitlines() if line]
        return PlaybookRun(completed.returncode, completed.stdout, completed.stderr, results)

    return run
