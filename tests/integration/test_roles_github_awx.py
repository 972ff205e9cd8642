# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The GitHub Copilot credential type (docs/awx/credential-type-github.*.yml) as AWX uses it:
its injectors give the modules their token (GITHUB_TOKEN) and the actions their endpoint
(the extra variable seatops_github_api_url); an audit job through ansible-runner with only
that, against the sandbox, plans the Copilot seats, and the token reaches no artifact."""

from __future__ import annotations

import json
import os
import shutil
import sys

import jinja2
import pytest
import yaml

ansible_runner = pytest.importorskip("ansible_runner")

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))

from collection_layout import collections_root  # noqa: E402  pylint: disable=wrong-import-position

TOKEN = "ghp_awx_sandbox_token"
SEED = {"github": {
    "tokens": [{"token": TOKEN, "kind": "classic", "scopes": ["manage_billing:copilot", "read:org"], "user": "octo-admin"}],
    "orgs": [{"login": "acme", "seat_management_setting": "assign_selected", "public_code_suggestions": "block",
              "owners": ["octo-admin"], "members": ["mona", "lena", "sam"],
              "seats": [{"login": "mona"}, {"login": "sam"}]}],
}}


def credential(name):
    with open(os.path.join(REPO, "docs", "awx", "credential-type-%s.%s.yml" % ("github", name))) as handle:
        return yaml.safe_load(handle)


def injected(inputs):
    """``(env, extra_vars)`` as AWX renders the injectors from what a person typed in."""
    injectors = credential("injectors")

    def render(template):
        return jinja2.Template(template).render(**inputs)

    return (dict((key, render(value)) for key, value in injectors.get("env", {}).items()),
            dict((key, render(value)) for key, value in injectors.get("extra_vars", {}).items()))


def test_the_github_credential_type_injects_the_token_and_the_endpoint():
    inputs = credential("inputs")
    fields = dict((field["id"], field) for field in inputs["fields"])
    assert set(fields) == {"token", "api_url"} and inputs["required"] == ["token"]
    assert [name for name, field in fields.items() if field.get("secret")] == ["token"]
    env, extra_vars = injected({"token": "t0k3n", "api_url": fields["api_url"]["default"]})
    assert env == {"GITHUB_TOKEN": "t0k3n"}
    assert extra_vars == {"seatops_github_api_url": "https://api.github.com"}
    # The job templates that change or audit seats take the credential, and the surveys ask
    # for the organizations where people pick products.
    with open(os.path.join(REPO, "docs", "awx", "job-templates.yml")) as handle:
        templates = dict((entry["name"], entry) for entry in yaml.safe_load(handle)["job_templates"])
    for entry in templates.values():
        assert "GitHub Copilot (seatops.seats)" in entry["credentials"], entry["name"]
    for name in ("Seats - onboard", "Seats - offboard"):
        assert "github_products" in [question["variable"] for question in templates[name]["survey"]]


def test_an_audit_job_with_the_github_credential(sandbox, tmp_path):
    sandbox.reset()
    sandbox.seed(SEED)
    sandbox.clear_requests()
    private = tmp_path / "runner"
    shutil.copytree(os.path.join(REPO, "playbooks"), str(private / "project" / "playbooks"))
    (private / "project" / "playbooks" / "files" / "copilot.yml").write_text(yaml.safe_dump(
        {"github_copilot": [{"organization": "acme", "users": ["mona", "lena"], "max_reclaims": 1}]}))
    (private / "inventory").mkdir()
    (private / "inventory" / "hosts").write_text(
        "localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
    env, extra_vars = injected({"token": TOKEN, "api_url": sandbox.url})
    env.update({"ANSIBLE_COLLECTIONS_PATH": collections_root(), "ANSIBLE_NOCOLOR": "1",
                "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")})
    job = ansible_runner.run(private_data_dir=str(private), playbook="playbooks/reconcile.yml", envvars=env,
                             extravars=dict(extra_vars, desired_state_file="files/copilot.yml"),
                             cmdline="--check --diff", quiet=True, suppress_env_files=True)
    assert job.status == "successful", job.stdout.read()[-3000:]
    events = [event for event in job.events if event.get("event") == "playbook_on_stats"]
    summary = events[0]["event_data"]["artifact_data"]["reconcile_summary"]
    assert [(row["platform"], row["product"], row["to_assign"], row["to_reclaim"]) for row in summary["products"]] == [
        ("github", "acme", 1, 1)]
    assert [key for key in sandbox.requests()["counts"] if key.startswith(("POST", "DELETE"))
            and "/copilot/" in key] == []
    leaks = []
    for directory, _dirs, files in os.walk(str(private)):
        for name in files:
            path = os.path.join(directory, name)
            with open(path, "rb") as handle:
                content = handle.read()
            if name == "command" and os.path.basename(os.path.dirname(os.path.dirname(path))) == "artifacts":
                command = json.loads(content)
                command.pop("env")  # ansible-runner's dump of the job's environment (see docs/awx.md)
                content = json.dumps(command).encode()
            if TOKEN.encode() in content:
                leaks.append(os.path.relpath(path, str(private)))
    assert leaks == []
