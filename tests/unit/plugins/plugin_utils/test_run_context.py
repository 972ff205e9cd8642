# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Who ran a report and where: AWX's extra variables, else the controller's user and host."""

from __future__ import annotations

import json
import os
import socket

import yaml

from ansible_collections.seatops.seats.plugins.plugin_utils import _reconcile_report as reconcile_report
from ansible_collections.seatops.seats.plugins.plugin_utils._run_context import collection_version, run_context

REPO = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..")
TEMPLATE = os.path.join(REPO, "roles", "reconcile", "templates", "reconcile_report.html.j2")


def galaxy_version():
    with open(os.path.join(REPO, "galaxy.yml")) as handle:
        return yaml.safe_load(handle)["version"]


def test_awx_variables_name_the_job_the_template_and_the_user():
    context = run_context({"awx_job_id": 4711, "awx_job_template_name": "Seats - audit", "awx_user_name": "mara",
                           "dd_api_key": "not-read"})
    assert context["awx_job_id"] == "4711" and context["awx_job_template_name"] == "Seats - audit"
    assert context["awx_user_name"] == "mara"
    assert context["controller_host"] == socket.gethostname()
    assert context["collection_version"] == galaxy_version()
    assert "not-read" not in json.dumps(context)


def test_older_tower_names_count_and_outside_awx_the_keys_are_null():
    assert run_context({"tower_job_id": 12})["awx_job_id"] == "12"
    outside = run_context({})
    assert [outside[key] for key in ("awx_job_id", "awx_job_template_name", "awx_user_name")] == [None] * 3


def test_an_installed_build_reads_its_manifest(tmp_path):
    (tmp_path / "MANIFEST.json").write_text(json.dumps({"collection_info": {"version": "1.2.3"}}))
    assert collection_version(str(tmp_path)) == "1.2.3"
    assert collection_version(str(tmp_path / "nowhere")) is None


def test_the_report_says_who_ran_it_and_where():
    context = run_context({"awx_job_id": "88", "awx_job_template_name": "Seats - reconcile", "awx_user_name": "ops"})
    report = reconcile_report.build_report([], {}, "10%", "t", "apply", "d.yml", context=context)
    assert report["run"] == context
    with open(TEMPLATE) as handle:
        html = reconcile_report.render_html(handle.read(), report)
    assert "Run by ops &middot; AWX job 88 (Seats - reconcile)" in " ".join(html.split())
    assert "seatops.seats %s" % galaxy_version() in html
