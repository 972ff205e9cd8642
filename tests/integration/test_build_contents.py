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

A second test runs the real ``make demo`` (tests/scripts/demo.py) in such a fresh export and
proves the build after it has the same member list as the build before it; every build's
members are on ALLOWED, the allow-list galaxy.yml's manifest promises (kept here on its own,
so a manifest that starts shipping something new fails until it is listed here too).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
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

# Every path the tarball may hold (directories included), as whole-path patterns. Not the
# tests, the molecule scenarios, the sandbox, the benchmarks, the soak, test output, caches,
# virtual environments or any runtime output: none of them matches.
ALLOWED = tuple(re.compile(pattern) for pattern in (
    r"MANIFEST\.json", r"FILES\.json", r"README\.md", r"LICENSE", r"CHANGELOG\.rst", r"CONTRIBUTING\.md",
    r"meta", r"meta/(runtime\.yml|execution-environment\.yml|ee-requirements\.txt)",
    r"changelogs", r"changelogs/(changelog|config)\.yaml", r"changelogs/fragments", r"changelogs/fragments/[\w.-]+\.yml",
    r"docs", r"docs/[\w.-]+\.md", r"docs/awx", r"docs/awx/[\w.-]+\.yml",
    r"docs/docsite(/[\w.-]+)*", r"docs/docsite(/[\w.-]+)*/[\w.-]+\.(yml|rst|md)",
    r"plugins", r"plugins/[a-z_]+", r"plugins/[a-z_]+/[a-z_]+\.(py|yml)",
    r"roles", r"roles/[a-z_]+", r"roles/[a-z_]+/README\.md",
    r"roles/[a-z_]+/(defaults|handlers|meta|tasks|templates|vars)",
    r"roles/[a-z_]+/(defaults|handlers|meta|tasks|vars)/[\w.-]+\.yml", r"roles/[a-z_]+/templates/[\w.-]+\.j2",
    r"playbooks", r"playbooks/[\w.-]+\.yml", r"playbooks/files", r"playbooks/files/demo-desired-state\.yml",
    r"playbooks/templates", r"playbooks/templates/[\w.-]+\.j2",
))
NEVER = ("sandbox", "bench", "tests", "extensions", "reports", "offboarding-records", "__pycache__", ".venv", "output",
         "soak", "results")

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


def shipped_members(tarball):
    """Every member of the tarball (directories too), as paths inside the collection."""
    with tarfile.open(tarball) as handle:
        return sorted(name for name in (member.name.removeprefix("./").rstrip("/") for member in handle.getmembers())
                      if name and name != ".")


def off_the_allow_list(members):
    """The members no ALLOWED pattern matches, or with a part that must never ship."""
    return [name for name in members
            if not any(pattern.fullmatch(name) for pattern in ALLOWED)
            or set(name.split("/")) & set(NEVER) or name.endswith((".pyc", ".partial", ".jsonl", ".tar.gz"))]


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
    assert off_the_allow_list(built) == []


def test_the_allow_list_refuses_what_must_not_ship():
    refused = ["sandbox/seatops_sandbox/app.py", "bench/run.py", "bench/results/run.json", "tests/output/junit/unit.xml",
               "tests/unit/test_http.py", "extensions/molecule/reconcile/molecule.yml", ".venv/bin/python",
               "plugins/module_utils/__pycache__/_http.cpython-311.pyc", "plugins/module_utils/_http.pyc",
               "reports/demo-audit.html", "playbooks/reports/seat-report.json", "playbooks/seats-journal.jsonl",
               "playbooks/offboarding-records/offboarding.json", "playbooks/files/leavers.yml",
               "roles/reconcile/files/desired.yml.partial", "tests/soak/run.py", "Makefile", ".gitignore"]
    assert off_the_allow_list(refused) == refused
    assert off_the_allow_list(["plugins/modules/datadog_seats.py", "roles/reconcile/tasks/main.yml", "docs/awx.md",
                               "docs/docsite/rst/guide.rst", "CHANGELOG.rst"]) == []


def test_a_build_after_make_demo_equals_the_build_of_a_fresh_clone(tmp_path):
    """make demo for real, in a fresh export of the checkout: its reports, records, byte code and
    links stay there, and the build after it has exactly the members of the build before it."""
    clone = tmp_path / "clone"
    export_checkout(str(clone), [])
    fresh = shipped_members(build(str(clone), str(tmp_path / "fresh")))
    assert off_the_allow_list(fresh) == []
    assert "plugins/modules/datadog_seats.py" in fresh and "roles/reconcile/tasks/main.yml" in fresh

    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a demo as people run it leaves __pycache__ behind
    for name in ("SEATOPS_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_PATH"):
        env.pop(name, None)  # so demo.py runs the export's own collection, not this checkout's
    env["PATH"] = BIN_DIR + os.pathsep + env.get("PATH", "")
    demo = subprocess.run([sys.executable, str(clone / "tests" / "scripts" / "demo.py")], cwd=str(clone), env=env,
                          capture_output=True, text=True, check=False, timeout=900)
    assert demo.returncode == 0, (demo.stdout + demo.stderr)[-4000:]
    left = sorted(os.path.relpath(os.path.join(root, name), str(clone))
                  for root, _dirs, names in os.walk(str(clone / "reports")) for name in names)
    assert left, "make demo wrote no reports into the export"
    assert any("__pycache__" in dirs for _root, dirs, _names in os.walk(str(clone / "plugins"))), \
        "make demo ran the collection of another directory, not the export's"

    after = shipped_members(build(str(clone), str(tmp_path / "after-demo")))
    assert after == fresh, "only after make demo: %s; only in the fresh build: %s" % (
        sorted(set(after) - set(fresh)), sorted(set(fresh) - set(after)))


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
