#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`make demo`: start the sandbox with the demo seed, run playbooks/demo.yml against it,
stop the sandbox, and exit with the playbook's status.

The playbook receives the sandbox endpoints as extra vars (``seatops_datadog_api_url``,
``seatops_msstore_api_url``, ``seatops_msstore_auth_url``) and the demo credentials as the
same environment variables an AWX credential would inject.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO_ROOT, "tests"))

from collection_layout import collections_root  # noqa: E402  pylint: disable=wrong-import-position

DEMO_SEED = os.path.join(REPO_ROOT, "sandbox", "seeds", "demo.yml")
DEMO_CREDENTIALS = {
    "DD_API_KEY": "demo-dd-api-key",
    "DD_APP_KEY": "demo-dd-app-key",
    "AZURE_TENANT_ID": "contoso.onmicrosoft.com",
    "AZURE_CLIENT_ID": "demo-client-id",
    "AZURE_CLIENT_SECRET": "demo-client-secret",
}


def main():
    from seatops_sandbox.testing import SandboxProcess

    print("== seatops.seats demo: starting a local sandbox of the Datadog and Microsoft "
          "Store for Business seat APIs")
    # Offboarding appends each run to its record (a record is never overwritten): a record
    # left by an earlier demo describes another sandbox, so the story starts without it.
    old_record = os.path.join(REPO_ROOT, "reports", "demo-offboarding-record.json")
    if os.path.exists(old_record):
        os.remove(old_record)
    with SandboxProcess(seed=DEMO_SEED) as sandbox:
        print("== sandbox listening on %s (demo seed: sandbox/seeds/demo.yml)" % sandbox.url)
        extra_vars = {
            "seatops_datadog_api_url": sandbox.url,
            "seatops_msstore_api_url": sandbox.store_url,
            "seatops_msstore_auth_url": sandbox.url,
            "seatops_demo_output_dir": os.path.join(REPO_ROOT, "reports"),
            # The sandbox's own address, for its state page at the end of the demo.
            "seatops_demo_sandbox_url": sandbox.url,
        }
        env = dict(os.environ)
        env.update(DEMO_CREDENTIALS)
        env["ANSIBLE_COLLECTIONS_PATH"] = collections_root()
        env.setdefault("ANSIBLE_NOCOLOR", "1")
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
                   "-i", "localhost,", "-c", "local",
                   "-e", "ansible_python_interpreter=%s" % sys.executable,
                   "-e", json.dumps(extra_vars),
                   os.path.join(REPO_ROOT, "playbooks", "demo.yml")]
        rc = subprocess.call(command, env=env, cwd=REPO_ROOT)
    print("== sandbox stopped")
    if rc == 0:
        print("== demo finished: every step above ran against the local sandbox; "
              "nothing outside this machine was contacted")
        reports = os.path.join(REPO_ROOT, "reports")
        for name, what in (("demo-audit.html", "the audit (check mode) report"),
                           ("demo-audit.plan.json", "the plan the audit saved and the apply followed"),
                           ("demo-reconcile.html", "the reconcile report (the plan applied)"),
                           ("demo-offboarding-record.json", "the offboarding record")):
            path = os.path.join(reports, name)
            if os.path.exists(path):
                print("== %s: %s" % (what, os.path.relpath(path, os.getcwd())))
    else:
        print("== demo FAILED (ansible-playbook exit code %d); see the output above" % rc)
    return rc


if __name__ == "__main__":
    sys.exit(main())
