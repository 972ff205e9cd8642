# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Who ran a controller-side action, where, and with which collection version.

Reports and records carry it so a reader can tell which job made them: AWX passes its job
id, template name and user as extra variables (``awx_job_id``, ``awx_job_template_name``,
``awx_user_name``; older Tower names ``tower_*``); outside AWX the controller's user and
host stand in. Nothing here is a secret: no variable other than these is read.
"""

from __future__ import annotations

import getpass
import json
import os
import socket

# ansible_collections/seatops/seats/plugins/plugin_utils/_run_context.py -> the collection root
COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AWX_FIELDS = ("job_id", "job_template_name", "user_name")


def collection_version(root=COLLECTION_ROOT):
    """The version of the collection this code belongs to: MANIFEST.json when installed from
    a build, galaxy.yml in a source checkout; None when neither says."""
    try:
        with open(os.path.join(root, "MANIFEST.json")) as handle:
            return json.load(handle)["collection_info"]["version"]
    except (IOError, OSError, ValueError, KeyError, TypeError):
        pass
    try:
        with open(os.path.join(root, "galaxy.yml")) as handle:
            for line in handle:
                if line.startswith("version:"):
                    return line.split(":", 1)[1].strip().strip("'\"") or None
    except (IOError, OSError):
        pass
    return None


def _local_user():
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return None


def run_context(task_vars):
    """``{"awx_job_id", "awx_job_template_name", "awx_user_name", "controller_user",
    "controller_host", "collection_version"}``; the AWX keys are None outside AWX."""
    task_vars = task_vars or {}
    context = {}
    for field in AWX_FIELDS:
        value = task_vars.get("awx_" + field, task_vars.get("tower_" + field))
        context["awx_" + field] = None if value in (None, "") else str(value)
    context["controller_user"] = _local_user()
    context["controller_host"] = socket.gethostname() or None
    context["collection_version"] = collection_version()
    return context
