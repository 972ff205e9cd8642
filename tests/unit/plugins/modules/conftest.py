# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Module unit tests run the modules as the target host would, whatever else pytest imported.

ansible-core 2.19 marks the process as the controller once controller code is imported (the
actions' plugin_utils import ActionBase); from then on ``AnsibleModule.warn()`` prints through
Display instead of returning the warning with the result. A module never runs in such a
process, so its tests switch the flag back for their duration.
"""

from __future__ import annotations

import pytest

try:
    from ansible.module_utils import _internal as module_utils_internal
except ImportError:  # ansible-core before 2.19 has no such flag
    module_utils_internal = None


@pytest.fixture(autouse=True)
def run_as_a_module(monkeypatch):
    if module_utils_internal is not None and hasattr(module_utils_internal, "is_controller"):
        monkeypatch.setattr(module_utils_internal, "is_controller", False)
    yield
