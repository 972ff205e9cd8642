# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``make bench``: scale benchmarks of seatops.seats against the sandbox (not part of the
galaxy build). ``bench/run.py`` is the entry point; docs/benchmarks.md explains the figures."""
