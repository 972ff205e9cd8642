# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The playbooks as AWX runs them: through ansible-runner, with the credentials only in the
environment variables the credential types' injectors (docs/awx/) set.

Checks the job status, the changed counts from the runner's stats, the set_stats summary
the reconcile role publishes for workflow nodes, and that no credential value reaches an
artifact the playbook produced.
"""

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

with open(os.path.join(HERE, "files", "roles-seed.yml")) as handle:
    SEED = yaml.safe_load(handle)

# What a person types into the two AWX credentials (the seed's credentials).
DATADOG_INPUTS = {"api_key": "test-dd-api-key", "app_key": "test-dd-app-key",
                  "site": "datadoghq.com"}
MSSTORE_INPUTS = {"tenant_id": "contoso.onmicrosoft.com", "client_id": "test-client-id",
                  "client_secret": "test-client-secret"}
SECRETS = ("test-dd-api-key", "test-dd-app-key", "test-client-secret")


def injected_environment():
    """Render the credential types' injector files as AWX does: the job's environment."""
    env = {}
    for name, inputs in (("datadog", DATADOG_INPUTS), ("msstore", MSSTORE_INPUTS)):
        path = os.path.join(REPO, "docs", "awx", "credential-type-%s.injectors.yml" % name)
        with open(path) as handle:
            injectors = yaml.safe_load(handle)
        for variable, template in injectors["env"].items():
            env[variable] = jinja2.Template(template).render(**inputs)
    return env


def test_injectors_set_the_variables_the_modules_read():
    env = injected_environment()
    assert env == {"DD_API_KEY": "test-dd-api-key", "DD_APP_KEY": "test-dd-app-key",
                   "DD_SITE": "datadoghq.com", "AZURE_TENANT_ID": "contoso.onmicrosoft.com",
                   "AZURE_CLIENT_ID": "test-client-id", "AZURE_CLIENT_SECRET": "test-client-secret"}
    for name in ("datadog", "msstore"):
        with open(os.path.join(REPO, "docs", "awx", "credential-type-%s.inputs.yml" % name)) as handle:
            inputs = yaml.safe_load(handle)
        secret_fields = {field["id"] for field in inputs["fields"] if field.get("secret")}
        assert secret_fields == ({"api_key", "app_key"} if name == "datadog" else {"client_secret"})
        assert set(inputs["required"]) <= {field["id"] for field in inputs["fields"]}


@pytest.fixture
def project(tmp_path):
    """A private data directory laid out as AWX prepares one: the project with the
    playbooks and a desired-state file, and an inventory with localhost."""
    private = tmp_path / "runner"
    shutil.copytree(os.path.join(REPO, "playbooks"), str(private / "project" / "playbooks"))
    os.makedirs(str(private / "project" / "playbooks" / "files"), exist_ok=True)
    shutil.copy(os.path.join(HERE, "files", "desired-state.yml"),
                str(private / "project" / "playbooks" / "files" / "seats.yml"))
    (private / "inventory").mkdir()
    (private / "inventory" / "hosts").write_text(
        "localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
    return private


def run_job(private, sandbox, playbook, extravars, cmdline=None):
    env = injected_environment()
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": collections_root(),
        "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
        "ANSIBLE_NOCOLOR": "1",
    })
    extravars = dict(extravars, seatops_datadog_api_url=sandbox.url,
                     seatops_msstore_api_url=sandbox.store_url,
                     seatops_msstore_auth_url=sandbox.url)
    return ansible_runner.run(private_data_dir=str(private), playbook=playbook,
                              envvars=env, extravars=extravars, cmdline=cmdline, quiet=True,
                              suppress_env_files=True)


def stats_artifact(runner):
    events = [event for event in runner.events if event.get("event") == "playbook_on_stats"]
    assert len(events) == 1
    return events[0]["event_data"].get("artifact_data", {})


def assert_no_secret_in_artifacts(private, runner):
    """No credential value in anything the playbook produced. ansible-runner itself writes
    each job's whole environment to artifacts/<ident>/command; those files are the one
    exception, and they are checked to hold the values only in that environment dump."""
    leaks = []
    for directory, _dirs, files in os.walk(str(private)):
        for name in files:
            path = os.path.join(directory, name)
            with open(path, "rb") as handle:
                content = handle.read()
            if name == "command" and os.path.basename(os.path.dirname(os.path.dirname(path))) == "artifacts":
                command = json.loads(content)
                command.pop("env")
                content = json.dumps(command).encode()
            if any(secret.encode() in content for secret in SECRETS):
                leaks.append(os.path.relpath(path, str(private)))
    assert leaks == []
    assert not os.path.exists(os.path.join(str(private), "env", "envvars"))
    stdout = runner.stdout.read()
    assert stdout and not any(secret in stdout for secret in SECRETS)


def test_audit_then_reconcile_as_awx_jobs(sandbox, project):
    sandbox.reset()
    sandbox.seed(SEED)
    sandbox.clear_requests()

    audit = run_job(project, sandbox, "playbooks/reconcile.yml",
                    {"desired_state_file": "files/seats.yml"}, cmdline="--check --diff")
    assert audit.status == "successful", audit.stdout.read()[-3000:]
    assert audit.rc == 0
    # A check job changes nothing: the one reconcile task reports predicted changes only.
    assert audit.stats["changed"].get("localhost", 0) == 1
    assert audit.stats["failures"] == {}
    assert [key for key in sandbox.requests()["counts"]
            if key.startswith(("POST /api", "DELETE /api", "POST /V1"))] == []
    summary = stats_artifact(audit)["reconcile_summary"]
    assert summary["mode"] == "check"
    assert summary["totals"]["to_assign"] == 2 and summary["totals"]["to_reclaim"] == 2
    assert summary["totals"]["products"] == 4 and summary["totals"]["with_errors"] == 0
    by_product = {p["product"]: p for p in summary["products"]}
    assert by_product["incident_response"]["to_reclaim"] == 1
    assert by_product["9NBLGGH4R2R6/0016"]["available_seats"] == 3
    assert summary["report_html"].endswith("-check.html") and os.path.exists(summary["report_html"])
    assert_no_secret_in_artifacts(project, audit)

    # The workflow's next node gets the audit's artifacts as extra variables.
    apply = run_job(project, sandbox, "playbooks/reconcile.yml",
                    {"desired_state_file": "files/seats.yml", "reconcile_summary": summary})
    assert apply.status == "successful", apply.stdout.read()[-3000:]
    assert apply.stats["changed"]["localhost"] == 1
    assert stats_artifact(apply)["reconcile_summary"]["mode"] == "apply"
    state = sandbox.state()["msstore"]["tenants"]["contoso.onmicrosoft.com"]["products"]
    assert state["9NBLGGH4R2R6/0016"]["holders"] == ["alice@contoso.com", "carol@contoso.com"]

    again = run_job(project, sandbox, "playbooks/reconcile.yml",
                    {"desired_state_file": "files/seats.yml"})
    assert again.status == "successful"
    assert again.stats["changed"].get("localhost", 0) == 0
    assert stats_artifact(again)["reconcile_summary"]["totals"]["in_sync"] == 4
    assert_no_secret_in_artifacts(project, again)


def test_onboard_job_with_survey_answers(sandbox, project):
    sandbox.reset()
    sandbox.seed(SEED)
    job = run_job(project, sandbox, "playbooks/onboard.yml",
                  {"people": "dara.novak@example.com=dara@contoso.com\neli.silva@example.com=eli@contoso.com",
                   "datadog_products": "apm_pro", "msstore_products": "CFQ7TTC0K5DR/0001"})
    assert job.status == "successful", job.stdout.read()[-3000:]
    # One task (the role's action) assigns on both products; its summary is published for workflows.
    assert job.stats["changed"]["localhost"] == 1
    summary = stats_artifact(job)["onboarding_summary"]
    assert summary["mode"] == "apply" and summary["assigned_count"] == 4 and summary["failed_count"] == 0
    state = sandbox.state()
    assert sorted(h["email"] for h in state["datadog"]["products"]["apm_pro"]["holders"]) == [
        "ana.lima@example.com", "ben.okafor@example.com", "dara.novak@example.com",
        "eli.silva@example.com"]
    assert state["msstore"]["tenants"]["contoso.onmicrosoft.com"]["products"][
        "CFQ7TTC0K5DR/0001"]["holders"] == ["alice@contoso.com", "dara@contoso.com", "eli@contoso.com"]
    assert_no_secret_in_artifacts(project, job)
