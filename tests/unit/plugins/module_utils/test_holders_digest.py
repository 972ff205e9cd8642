# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""holders_digest and expect_holders_digest: the fingerprint saved plans are checked with."""

from __future__ import annotations

import hashlib
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fake_platform import TOKEN, FakeWorld, fake_platform, run_module  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.seatops.seats.plugins.module_utils._seat_module import run_seat_module  # noqa: E402
from ansible_collections.seatops.seats.plugins.module_utils._seat_sync import holders_digest  # noqa: E402

ANN, BOB, CY = "ann@example.com", "bob@example.com", "cy@example.com"


def seats(fake, check_mode=False, **args):
    args.setdefault("product", "gold")
    args.setdefault("token", TOKEN)
    return run_module(run_seat_module, fake_platform(fake), args, check_mode=check_mode)


def world():
    return FakeWorld(people=[ANN, BOB, CY], holders={"gold": [ANN, BOB]})


def test_the_digest_is_of_the_sorted_keys_whatever_their_order():
    expected = hashlib.sha256(("%s\n%s" % (ANN, BOB)).encode()).hexdigest()
    assert holders_digest({BOB: None, ANN: None}) == expected == holders_digest([ANN, BOB])
    assert holders_digest({}) == hashlib.sha256(b"").hexdigest()


def test_every_run_returns_the_digest_of_what_it_read_first():
    fake = world()
    result = seats(fake, users=[CY])
    assert result["holders_digest"] == holders_digest([ANN, BOB])
    assert seats(fake, users=[CY])["holders_digest"] == holders_digest([ANN, BOB, CY])


@pytest.mark.parametrize("check_mode", [True, False])
def test_a_matching_digest_lets_the_run_go_ahead(check_mode):
    fake = world()
    result = seats(fake, check_mode=check_mode, users=[CY], expect_holders_digest=holders_digest([ANN, BOB]).upper())
    assert "failed" not in result and result["assigned"] == [CY]


@pytest.mark.parametrize("check_mode", [True, False])
def test_another_digest_fails_before_any_write(check_mode):
    fake = world()
    result = seats(fake, check_mode=check_mode, users=[CY], expect_holders_digest=holders_digest([ANN]))
    assert result["failed"] is True
    assert result["msg"].startswith("The holders of gold changed since the plan was made (expect_holders_digest): "
                                    "2 hold a seat now")
    assert "Nothing was changed" in result["msg"]
    assert result["holders_digest"] == holders_digest([ANN, BOB]) and result["holders_count"] == 2
    assert fake.writes() == [] and result["assigned"] == []


def test_a_digest_that_is_no_digest_fails_naming_the_option_before_any_call():
    fake = world()
    result = seats(fake, users=[CY], expect_holders_digest="abc")
    assert result["failed"] is True and result["msg"].startswith("expect_holders_digest must be a sha256 digest")
    assert fake.calls == []
