# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.seatops.seats.plugins.plugin_utils import _offboarding_record as record
from ansible_collections.seatops.seats.plugins.plugin_utils import _seat_outcomes as outcomes

ANA = {"id": "0a0a0a0a-0000-4000-8000-000000000001", "email": "ana@example.com"}
BEN = {"id": "0a0a0a0a-0000-4000-8000-000000000002", "email": "ben@example.com"}


def run(datadog=(), msstore=(), errors=()):
    entry = record.new_run("2024-05-01T09:30:00Z", [{"email": "ana@example.com", "upn": "ana@contoso.com"}])
    entry.update(datadog=list(datadog), msstore=list(msstore), errors=list(errors))
    entry["reclaimed_count"] = sum(len(e["users"]) for e in entry["datadog"] + entry["msstore"])
    return entry


def test_runs_are_appended_never_replaced_and_the_union_folds_people(tmp_path):
    path = str(tmp_path / "record.json")
    first = run(datadog=[{"product_code": "apm_pro", "users": [ANA]}],
                msstore=[{"product_id": "9NBLGGH4R2R6", "sku_id": "0016", "users": ["Ana@Contoso.com"]}],
                errors=[{"platform": "msstore", "product": "CFQ7TTC0K5DR/0001", "users": ["ana@contoso.com"], "reason": "503"}])
    record.append_run(path, first)
    second = run(datadog=[{"product_code": "apm_pro", "users": [dict(ANA), BEN]}],
                 msstore=[{"product_id": "CFQ7TTC0K5DR", "sku_id": "0001", "users": ["ana@contoso.com"]},
                          {"product_id": "9nblggh4r2r6", "sku_id": "0016", "users": ["ana@contoso.com"]}])
    saved = record.append_run(path, second)
    assert [entry["reclaimed_count"] for entry in saved["runs"]] == [2, 4] and saved["reclaimed_count"] == 6
    on_disk = json.loads(open(path).read())
    assert on_disk["format"] == "seatops.seats.offboarding_record/2" and on_disk["runs"][0] == first
    assert oct(os.stat(path).st_mode & 0o777) == "0o600" and os.listdir(str(tmp_path)) == ["record.json"]
    assert record.union(record.read(path)) == {
        "datadog": [{"product_code": "apm_pro", "users": [ANA, BEN]}],
        "msstore": [{"product_id": "9NBLGGH4R2R6", "sku_id": "0016", "users": ["Ana@Contoso.com"]},
                    {"product_id": "CFQ7TTC0K5DR", "sku_id": "0001", "users": ["ana@contoso.com"]}],
        "github": []}


def test_a_format_1_record_is_read_as_one_run(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"format": "seatops.seats.offboarding_record/1", "check_mode": False,
                                "reclaimed_at": "2024-05-01T09:30:00Z", "people": [],
                                "datadog": [{"product_code": "apm_pro", "users": [ANA]}], "msstore": [],
                                "errors": [], "reclaimed_count": 1}))
    data = record.read(str(path))
    assert data["format"] == "seatops.seats.offboarding_record/2" and len(data["runs"]) == 1
    assert "check_mode" not in data["runs"][0] and data["reclaimed_count"] == 1
    # Appending to an old record keeps its run and writes the new format.
    saved = record.append_run(str(path), run())
    assert len(saved["runs"]) == 2 and saved["runs"][0]["datadog"] == [{"product_code": "apm_pro", "users": [ANA]}]


@pytest.mark.parametrize("content, expected", [
    ("not json", "is not an offboarding record written by seatops.seats.offboarding (not JSON"),
    ('{"format": "something/1"}', "is not an offboarding record written by seatops.seats.offboarding (format"),
    ('{"format": "seatops.seats.offboarding_record/2", "runs": [{"datadog": [{"product_code": "123", "users": [{"id": "x"}]}]}]}',
     "runs[0].datadog[0].product_code 123 is a number"),
    ('{"format": "seatops.seats.offboarding_record/2", "runs": [{"datadog": [{"product_code": "apm_pro", "users": [{"id": "x"}]}]}]}',
     "runs[0].datadog[0].users[0] must be {id: <user UUID>"),
    ('{"format": "seatops.seats.offboarding_record/2", "runs": [{"msstore": [{"product_id": "9NBLGGH4R2R6", "sku_id": 16, '
     '"users": ["bob"]}]}]}', "runs[0].msstore[0].users[0] 'bob' is not a user principal name"),
])
def test_a_bad_record_is_refused_naming_the_entry(tmp_path, content, expected):
    path = tmp_path / "record.json"
    path.write_text(content)
    with pytest.raises(record.RecordError) as caught:
        record.read(str(path))
    assert expected in str(caught.value) and str(path) in str(caught.value)
    problem = record.existing_problem(str(path))
    assert "never overwritten" in problem
    assert path.read_text() == content


def test_the_record_path_is_checked_before_any_call(tmp_path):
    assert record.existing_problem(str(tmp_path / "new" / "record.json"), create=False) is None
    assert not (tmp_path / "new").exists()
    assert record.existing_problem(str(tmp_path / "new" / "record.json")) is None
    assert (tmp_path / "new").is_dir()
    assert record.existing_problem(str(tmp_path)).endswith("is a directory, not a record file")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert "cannot be created" in record.existing_problem(str(blocker / "record.json"))


def test_restore_outcomes_come_from_what_the_module_reported():
    result = {"assigned": [BEN], "failed_users": [], "diff": {"before": {"holders": ["ana@example.com", "eve@example.com"]}},
              "skipped_users": [{"user": "0a0a0a0a-0000-4000-8000-000000000003", "reason": "the Datadog user is disabled"}]}
    eve = {"id": "0a0a0a0a-0000-4000-8000-000000000003", "email": "eve@example.com"}
    zed = {"id": "0a0a0a0a-0000-4000-8000-000000000004", "email": "zed@example.com"}
    restored, in_place, missing = outcomes.restore_outcomes("datadog", result, [ANA, BEN, eve, zed])
    assert restored == ["ben@example.com"]
    # Eve held the seat before the call although the module skipped her: in place is the truth.
    assert in_place == ["ana@example.com", "eve@example.com"]
    assert missing == [{"user": "zed@example.com", "reason": "the Datadog module reported no outcome for this seat"}]

    failed = {"failed": True, "msg": "not enough seats on 9NBLGGH4R2R6/0016", "failed_users": [
        {"user": "bob@contoso.com", "reason": "no seats available"}], "skipped_users": [
        {"user": "Carl@contoso.com", "reason": "no such user in the tenant"}]}
    restored, in_place, missing = outcomes.restore_outcomes(
        "msstore", failed, ["bob@contoso.com", "carl@contoso.com", "dina@contoso.com"])
    assert (restored, in_place) == ([], [])
    assert missing == [{"user": "bob@contoso.com", "reason": "no seats available"},
                       {"user": "carl@contoso.com", "reason": "no such user in the tenant"},
                       {"user": "dina@contoso.com", "reason": "not enough seats on 9NBLGGH4R2R6/0016"}]
