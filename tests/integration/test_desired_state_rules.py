# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The reconcile desired state follows the modules' own rules, and refuses a key given twice.

One bad entry among good ones must change nothing: the action checks every entry with the
functions the modules call (check_product_code, normalise_name, check_product_id,
check_sku_id, normalise_upn) before its first API call, so the sandbox's request log stays
empty and its state unchanged. A control run of the good entries alone shows that they
would have changed seats, so "nothing changed" means something.
"""

from __future__ import annotations

import os

import pytest
import yaml

from roles_sandbox import CREDENTIALS, endpoints, fresh
# The sandbox fixture (conftest.py) starts from the test module's SEED.
from roles_sandbox import SEED  # noqa: F401  pylint: disable=unused-import

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FILES = os.path.join(HERE, "files")
DESIRED_CORPUS = os.path.join(FILES, "bad_input", "desired")
RECONCILE_PLAYBOOK = os.path.join(REPO, "playbooks", "reconcile.yml")

pytestmark = pytest.mark.core_matrix

# Good entries that change seats against roles-seed.yml: chen.wei gets apm_pro, carol gets
# the Store product, and exclusive reconcile reclaims nothing else (the lists are complete).
GOOD_DATADOG = {"product_code": "apm_pro",
                "users": ["ana.lima@example.com", "ben.okafor@example.com", "chen.wei@example.com"]}
GOOD_STORE = {"product_id": "9NBLGGH4R2R6", "sku_id": "0016",
              "users": ["alice@contoso.com", "bob@contoso.com", "carol@contoso.com"]}
A_UUID_WITH_A_Z = "0b8c5e06-5b1c-4f5e-9a52-0c3a1c6a9bz1"


def bad_case(case_id, platform, entry, expect):
    return pytest.param(platform, entry, expect, id=case_id)


# (platform, the bad entry placed after the good one, what the failure message must say)
BAD_ENTRIES = [
    bad_case("product-code-digits", "datadog", {"product_code": "12345", "users": []},
             ["datadog[1].product_code 12345 is a number, not a product code"]),
    bad_case("product-code-yaml-number", "datadog", {"product_code": 42, "users": []},
             ["datadog[1].product_code 42 is a number"]),
    bad_case("product-code-charset", "datadog", {"product_code": "apm/pro", "users": []},
             ["datadog[1].product_code 'apm/pro' is not a valid product code"]),
    bad_case("product-code-too-long", "datadog", {"product_code": "p" * 101, "users": []},
             ["datadog[1].product_code", "is not a valid product code: use at most 100"]),
    bad_case("user-uuid-malformed", "datadog",
             {"product_code": "incident_response", "users": ["ana.lima@example.com", A_UUID_WITH_A_Z]},
             ["datadog[1] (incident_response).users[1] %r looks like a user UUID but is not one" % A_UUID_WITH_A_Z]),
    bad_case("user-email-malformed", "datadog",
             {"product_code": "incident_response", "users": [], "protected": ["chen.wei@"]},
             ["datadog[1] (incident_response).protected[0] 'chen.wei@' is not a plausible email address"]),
    bad_case("upn-malformed", "msstore",
             {"product_id": "CFQ7TTC0K5DR", "sku_id": "0001", "users": ["alice@contoso.com", "bob"]},
             ["msstore[1] (CFQ7TTC0K5DR/0001).users[1] 'bob' is not a user principal name"]),
    bad_case("store-product-id", "msstore", {"product_id": "CFQ7TTC0K5D", "sku_id": "0001", "users": []},
             ["msstore[1].product_id must be the 12-character alphanumeric Store id", "'CFQ7TTC0K5D'"]),
    bad_case("store-sku-id-letters", "msstore", {"product_id": "CFQ7TTC0K5DR", "sku_id": "00a1", "users": []},
             ["msstore[1].sku_id must be a 4-digit string such as '0016'; got '00a1'"]),
    bad_case("store-sku-id-number", "msstore", {"product_id": "CFQ7TTC0K5DR", "sku_id": 1, "users": []},
             ["msstore[1].sku_id must be a 4-digit string such as '0016', but it is the number 1"]),
]

# Corpus files with a key given twice, and what the failure must name: the file, the key and
# both lines.
DUPLICATE_FILES = [
    pytest.param("duplicate-top-level-key.txt", "datadog", 6, 13, id="top-level"),
    pytest.param("duplicate-entry-key.txt", "users", 6, 9, id="in-an-entry"),
]


def desired_state(platform, bad_entry):
    state = {"datadog": [dict(GOOD_DATADOG)], "msstore": [dict(GOOD_STORE)]}
    state[platform].append(bad_entry)
    return state


def reconcile_play(sandbox, desired_file, report_dir):
    """playbooks/reconcile.yml, as a person runs it, on one desired-state file."""
    return ("- ansible.builtin.import_playbook: %s\n" % RECONCILE_PLAYBOOK,
            dict(endpoints(sandbox), desired_state_file=desired_file, report_dir=report_dir))


def reconcile_failure(run):
    found = [entry for entry in run.results if entry["task"].endswith("Reconcile seats with the desired state "
                                                                      "and write the report")]
    assert found, "the reconcile task did not run; output:\n%s" % run.output[-4000:]
    return found[-1]


@pytest.mark.parametrize("platform, bad_entry, expect", BAD_ENTRIES)
def test_one_bad_entry_among_good_ones_changes_nothing(sandbox, run_playbook, tmp_path, platform, bad_entry, expect):
    desired_file = tmp_path / "desired.yml"
    desired_file.write_text(yaml.safe_dump(desired_state(platform, bad_entry), sort_keys=False))
    before = fresh(sandbox)
    playbook, extra = reconcile_play(sandbox, str(desired_file), str(tmp_path / "reports"))
    run = run_playbook(playbook, extra_vars=extra, env=CREDENTIALS)

    assert run.rc != 0, run.output[-4000:]
    entry = reconcile_failure(run)
    message = str(entry["result"].get("msg", ""))
    assert "has 1 problem(s); nothing was read or changed" in message, message
    for text in expect:
        assert text in message, "expected %r in:\n%s" % (text, message)
    assert sandbox.requests()["total"] == 0, sandbox.requests()["counts"]
    assert sandbox.state() == before
    assert not (tmp_path / "reports").exists()


def test_the_good_entries_alone_would_have_changed_seats(sandbox, run_playbook, tmp_path):
    """The control: without the bad entry the same run calls the APIs and assigns seats."""
    desired_file = tmp_path / "desired.yml"
    desired_file.write_text(yaml.safe_dump({"datadog": [GOOD_DATADOG], "msstore": [GOOD_STORE]}, sort_keys=False))
    before = fresh(sandbox)
    playbook, extra = reconcile_play(sandbox, str(desired_file), str(tmp_path / "reports"))
    run = run_playbook(playbook, extra_vars=extra, env=CREDENTIALS)

    assert run.rc == 0, run.output[-4000:]
    after = sandbox.state()
    assert after != before
    assert sandbox.requests()["total"] > 0
    apm_pro = sorted(holder["email"] for holder in after["datadog"]["products"]["apm_pro"]["holders"])
    assert "chen.wei@example.com" in apm_pro
    store = after["msstore"]["tenants"]["contoso.onmicrosoft.com"]["products"]["9NBLGGH4R2R6/0016"]["holders"]
    assert "carol@contoso.com" in store


@pytest.mark.parametrize("name, key, first_line, second_line", DUPLICATE_FILES)
def test_a_key_given_twice_is_an_error_naming_the_key_and_the_lines(
        sandbox, run_playbook, tmp_path, name, key, first_line, second_line):
    path = os.path.join(DESIRED_CORPUS, name)
    before = fresh(sandbox)
    playbook, extra = reconcile_play(sandbox, path, str(tmp_path / "reports"))
    run = run_playbook(playbook, extra_vars=extra, env=CREDENTIALS)

    assert run.rc != 0, run.output[-4000:]
    message = str(reconcile_failure(run)["result"].get("msg", ""))
    assert "the desired-state file %s gives the key %s twice in one mapping, on line %d and line %d" \
        % (path, key, first_line, second_line) in message, message
    assert sandbox.requests()["total"] == 0, sandbox.requests()["counts"]
    assert sandbox.state() == before
