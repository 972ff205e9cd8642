# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make this checkout importable and runnable as ``ansible_collections.seatops.seats``.

Tests need the collection at ``<root>/ansible_collections/seatops/seats``. Rather than
asking where the checkout lives, we link it into a temporary directory once per process
(outside the repository, so no tool walks into a link that points back at itself).
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_ROOT = None


def collections_root():
    """The directory that holds ``ansible_collections/seatops/seats`` (a link to the repo)."""
    global _ROOT
    if _ROOT is None:
        given = os.environ.get("SEATOPS_COLLECTIONS_PATH")
        if given and os.path.isdir(os.path.join(given, "ansible_collections", "seatops", "seats")):
            _ROOT = given
        else:
            root = tempfile.mkdtemp(prefix="seatops-collections-")
            namespace = os.path.join(root, "ansible_collections", "seatops")
            os.makedirs(namespace)
            os.symlink(REPO_ROOT, os.path.join(namespace, "seats"))
            atexit.register(shutil.rmtree, root, True)
            _ROOT = root
    return _ROOT


def make_importable():
    root = collections_root()
    if root not in sys.path:
        sys.path.insert(0, root)
    return root
