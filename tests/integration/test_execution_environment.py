# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""meta/execution-environment.yml, as ansible-builder reads it when the collection is part
of an execution environment."""

from __future__ import annotations

import os
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from collection_layout import collections_root  # noqa: E402  pylint: disable=wrong-import-position

BUILDER = os.path.join(os.path.dirname(sys.executable), "ansible-builder")


def test_introspect_lists_the_python_requirements():
    completed = subprocess.run([BUILDER, "introspect", "--sanitize", collections_root()],
                               capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr
    data = yaml.safe_load(completed.stdout)
    assert data["system"] == []
    python = [line for line in data["python"] if "seatops.seats" in line]
    assert len(python) == 1
    requirement = python[0].split("#")[0].strip()
    assert requirement.startswith("requests") and ">=" in requirement
