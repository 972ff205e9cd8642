# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    # The attribute descriptions come from ansible.builtin.action_common_attributes (every
    # module and action page extends it); these fragments only say how ours support them.
    # Its sub-fragments are named action_common_attributes.flow and .files (as ansible-core's
    # modules name them): the name ansible.builtin.action_common_attributes.files would load
    # the builtin files fragment, with all of its options.
    DOCUMENTATION = r"""
options: {}
"""

    # For seat modules: check mode predicts exactly, diff lists holders before and after.
    SEAT = r"""
options: {}
attributes:
  check_mode:
    support: full
    details:
      - Reads current holders and computes the same plan, guard and capacity checks as a
        real run, then stops before the first write. RV(changed) and the lists are the
        prediction. Only read permissions are needed.
  diff_mode:
    support: full
    details:
      - The diff lists holders (emails or UPNs, sorted) before and after. It never
        contains credentials.
  platform:
    support: full
    platforms: posix
    details:
      - The module calls the platform's HTTP API from the host it runs on, usually the
        controller (a play on localhost); that host needs Python with C(requests) and a
        way to the API.
"""

    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details:
      - This module only reads, so it runs the same in check mode.
  diff_mode:
    support: N/A
    details:
      - This module does not change anything.
  platform:
    support: full
    platforms: posix
    details:
      - The module calls the platform's HTTP API from the host it runs on, usually the
        controller (a play on localhost); that host needs Python with C(requests) and a
        way to the API.
"""

    DATADOG_GROUP = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/seatops.seats.datadog) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - seatops.seats.datadog
"""

    GITHUB_GROUP = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/seatops.seats.github) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - seatops.seats.github
"""

    MSSTORE_GROUP = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/seatops.seats.msstore) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - seatops.seats.msstore
"""
