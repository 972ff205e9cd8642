# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection build ships no runtime output.

Runs write reports, offboarding records, journals and ``*.partial`` files into the checkout
(make demo into reports/, playbooks/*.yml into playbooks/reports and
playbooks/offboarding-records, journals wherever a person points them). These tests write
such files, with people's names in them, into those places; build the collection from the
checkout; and compare the tarball with a build of the checkout's own files exported to a
clean directory (what a fresh clone builds). Every file the test writes is removed again, and
nothing it did not write is touched.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tarfile
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BIN_DIR = os.path.dirname(sys.executable)


def _load_check_build():
    spec = importlib.util.spec_from_file_location("check_build", os.path.join(REPO, "tests", "scripts", "check_build.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_build = _load_check_build()

PEOPLE = ["ana.lima@example.com", "ben.okafor@example.com", "alice@contoso.com"]


def runtime_output(token):
    """{path in the checkout: content}: what a demo, an audit, an offboarding run and a journal
    leave behind, named as those runs name their files (with ``token`` so no real file is hit)."""
    stamp = "20991231T235959Z-" + token
    report = json.dumps({"products": [{"product": "apm_pro", "to_reclaim": PEOPLE[:2]}]})
    record = json.dumps({"runs": [{"datadog": [{"product_code": "apm_pro", "users": [{"email": PEOPLE[0]}]}],
                                   "msstore": [{"product_id": "9NBLGGH4R2R6", "sku_id": "0016", "users": [PEOPLE[2]]}]}]})
    journal = "".join(json.dumps({"user": person, "outcome": "ok"}) + "\n" for person in PEOPLE)
    return {
        # make demo (tests/scripts/demo.py: seatops_demo_output_dir is reports/ at the top)
        "reports/demo-audit-%s.html" % token: "<html><td>%s</td></html>" % PEOPLE[0],
        "reports/seat-report-%s-check.json" % stamp: report,
        "reports/demo-offboarding-record-%s.json" % token: record,
        # playbooks/reconcile.yml and playbooks/offboard.yml, with their default directories
        "playbooks/reports/seat-report-%s-apply.json" % stamp: report,
        "playbooks/reports/seat-report-%s-apply.html" % stamp: "<html>%s</html>" % PEOPLE[1],
        "playbooks/offboarding-records/offboarding-%s.json" % stamp: record,
        "playbooks/offboarding-records/.offboarding-%s.json.x1y2z3.partial" % stamp: record[:40],
        # journals where a person points them, and a people list kept beside the playbooks
        "playbooks/seats-journal-%s.jsonl" % token: journal,
        "seats-journal-%s.jsonl" % token: journal,
        "playbooks/files/leavers-%s.yml" % token: "people:\n" + "".join("  - email: %s\n" % p for p in PEOPLE),
    }


@pytest.fixture
def output_in_checkout():
    """Write runtime_output() into the checkout; yield the paths; remove exactly what was made."""
    files = runtime_output(uuid.uuid4().hex[:8])
    made_files, made_dirs = [], []
    try:
        for relative, content in sorted(files.items()):
            path = os.path.join(REPO, relative)
            missing = []
            directory = os.path.dirname(path)
            while not os.path.isdir(directory):
                missing.append(directory)
                directory = os.path.dirname(directory)
            for directory in reversed(missing):
                os.mkdir(directory)
                made_dirs.append(directory)
            with open(path, "x") as handle:  # "x": never overwrite a file the test did not make
                made_files.append(path)
                handle.write(content)
        yield sorted(files)
    finally:
        for path in made_files:
            os.unlink(path)
        for directory in reversed(made_dirs):
            try:
                os.rmdir(directory)
            except OSError:
                pass  # something else wrote there meanwhile: it is not ours to remove


def build(source, output):
    os.makedirs(output)
    completed = subprocess.run([os.path.join(BIN_DIR, "ansible-galaxy"), "collection", "build", "--output-path", output,
                                source], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    tarballs = [name for name in os.listdir(output) if name.endswith(".tar.gz")]
    assert len(tarballs) == 1, tarballs
    return os.path.join(output, tarballs[0])


def shipped_files(tarball):
    with tarfile.open(tarball) as handle:
        return sorted(member.name.removeprefix("./") for member in handle.getmembers() if member.isfile())


def export_checkout(destination, leave_out):
    """Copy the checkout's own files (tracked, or new and not ignored) as a fresh clone has them."""
    known = check_build.checkout_files(REPO)
    assert known is not None, "the repository must be a git checkout for this comparison"
    for relative in sorted(known - set(leave_out)):
        source = os.path.join(REPO, relative)
        if not os.path.isfile(source):
            continue  # deleted in the work tree, not yet in the index
        target = os.path.join(destination, relative)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(source, target)


def test_a_build_after_runs_ships_what_a_fresh_clone_ships(output_in_checkout, tmp_path):
    built = shipped_files(build(REPO, str(tmp_path / "from-checkout")))
    export_checkout(str(tmp_path / "clean"), output_in_checkout)
    fresh = shipped_files(build(str(tmp_path / "clean"), str(tmp_path / "from-clean")))

    leaked = sorted(set(built) & set(output_in_checkout))
    assert not leaked, "runtime output shipped: %s" % leaked
    assert built == fresh, "only in the build from the checkout: %s; only in the clean build: %s" % (
        sorted(set(built) - set(fresh)), sorted(set(fresh) - set(built)))
    assert "plugins/plugin_utils/_desired_state.py" in built and "playbooks/files/demo-desired-state.yml" in built


def test_check_build_accepts_the_build_and_refuses_runtime_output(output_in_checkout, tmp_path):
    tarball = build(REPO, str(tmp_path / "build"))
    checker = subprocess.run([sys.executable, os.path.join(REPO, "tests", "scripts", "check_build.py"), tarball, REPO],
                             capture_output=True, text=True, check=False)
    assert checker.returncode == 0, checker.stdout + checker.stderr
    assert "every file a file of the checkout" in checker.stdout

    names, files = check_build.tarball_listing(tarball)
    known = check_build.checkout_files(REPO)
    ignored_report = [name for name in output_in_checkout if name.startswith("reports/")][0]
    found = check_build.problems(names + [ignored_report], files + [ignored_report], known)
    assert found == ["must not ship: %s" % ignored_report,
                     "must not ship: %s is not a file of the checkout (git ignores it: output of a run?)" % ignored_report]
    journal = [name for name in output_in_checkout if name.endswith(".jsonl")][0]
    assert "must not ship: %s" % journal in check_build.problems(names + [journal], files + [journal], known)
