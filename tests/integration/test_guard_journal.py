# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The reclaim guard against a broken export, and the journal against a killed run.

Guard: an exclusive run whose desired list came back empty or truncated is refused before
any write, through the reconcile playbook and through the modules, with a message that says
how many seats it would have reclaimed, the limit, and how to go on; the limits it suggests
do let the run through.

Journal: a large Store apply (many bulk calls of 25, each slowed down by the sandbox) is
killed with SIGKILL at several points; the journal must then match the sandbox exactly:
every journalled "ok" change is in the state, every change in the state is journalled, and
a batch left "pending" (killed between request and answer) is either entirely applied or
entirely not.
"""

from __future__ import annotations

import glob
import json
import math
import os
import random
import re
import signal
import subprocess
import sys
import time

import pytest
import yaml

from collection_layout import collections_root

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
RECONCILE = os.path.join(REPO, "playbooks", "reconcile.yml")

TENANT = "contoso.onmicrosoft.com"
CREDENTIALS = {
    "DD_API_KEY": "guard-dd-api-key",
    "DD_APP_KEY": "guard-dd-app-key",
    "AZURE_TENANT_ID": TENANT,
    "AZURE_CLIENT_ID": "guard-client-id",
    "AZURE_CLIENT_SECRET": "guard-client-secret",
}
DD_PRODUCT = "incident_response"
STORE_PRODUCT = ("9NBLGGH4R2R6", "0016")
STORE_KEY = "%s/%s" % STORE_PRODUCT
BIG_PRODUCT = ("CFQ7TTC0K5DR", "0001")
BIG_KEY = "%s/%s" % BIG_PRODUCT
BULK = "POST /V1/Inventory/{productId}/{skuId}/Seats"


def email(number):
    return "person%03d@example.com" % number


def upn(number):
    return "user%04d@contoso.com" % number


def guard_seed():
    """40 Datadog holders, 30 Store holders: an export of 10% of them is a broken export."""
    return {
        "datadog": {
            "keys": [{"api_key": CREDENTIALS["DD_API_KEY"], "app_key": CREDENTIALS["DD_APP_KEY"]}],
            "products": [{"code": DD_PRODUCT}],
            "users": [{"email": email(number)} for number in range(45)],
            "seats": {DD_PRODUCT: [email(number) for number in range(40)]},
        },
        "msstore": {"tenants": [{
            "id": TENANT,
            "clients": [{"client_id": CREDENTIALS["AZURE_CLIENT_ID"], "client_secret": CREDENTIALS["AZURE_CLIENT_SECRET"]}],
            "users": [upn(number) for number in range(35)],
            "inventory": [{"product_id": STORE_PRODUCT[0], "sku_id": STORE_PRODUCT[1], "distribution_policy": "Open",
                           "seat_capacity": 100}],
            "seats": {STORE_KEY: [upn(number) for number in range(30)]},
        }]},
    }


def writes(sandbox):
    counts = sandbox.requests()["counts"]
    return dict((key, count) for key, count in counts.items()
                if key.split(" ")[0] in ("POST", "DELETE", "PUT", "PATCH") and "/token" not in key)


def datadog_holders(state):
    return sorted(holder["email"] for holder in state["datadog"]["products"][DD_PRODUCT]["holders"])


def store_holders(state, key=STORE_KEY):
    return sorted(state["msstore"]["tenants"][TENANT]["products"][key]["holders"])


def fresh_guard(sandbox):
    sandbox.faults([])
    sandbox.config(latency_ms=0)
    sandbox.reset()
    sandbox.seed(guard_seed())
    sandbox.clear_requests()
    return sandbox.state()


def suggested_limits(message):
    """The count and the percentage the guard's message says would let the run through."""
    match = re.search(r"raise max_reclaims to at least (\d+) \(or '(\d+)%'\)", message)
    assert match, message
    return int(match.group(1)), "%s%%" % match.group(2)


# -- reclaim guard --------------------------------------------------------------------------

def test_reconcile_refuses_empty_and_truncated_exports_before_any_write(sandbox, run_playbook, tmp_path):
    before = fresh_guard(sandbox)
    desired = {
        # The HR export for this product came back empty ...
        "datadog": [{"product_code": DD_PRODUCT, "users": []}],
        # ... and this one was cut off after 10% of its rows.
        "msstore": [{"product_id": STORE_PRODUCT[0], "sku_id": STORE_PRODUCT[1],
                     "users": [upn(number) for number in range(3)]}],
    }
    desired_file = tmp_path / "desired.yml"
    desired_file.write_text(yaml.safe_dump(desired))
    extra = {"desired_state_file": str(desired_file), "report_dir": str(tmp_path / "reports"),
             "seatops_datadog_api_url": sandbox.url, "seatops_msstore_api_url": sandbox.store_url,
             "seatops_msstore_auth_url": sandbox.url}

    run = run_playbook("- ansible.builtin.import_playbook: %s\n" % RECONCILE, extra_vars=extra, env=CREDENTIALS)
    assert run.rc != 0, run.output[-3000:]
    assert writes(sandbox) == {}, "a refused reconcile wrote"
    assert sandbox.state() == before
    assert "2 product(s) had errors" in run.output

    report = json.loads(open(sorted(glob.glob(str(tmp_path / "reports" / "*.json")))[0]).read())
    errors = dict((product["product"], product["error"]) for product in report["products"])
    empty = errors[DD_PRODUCT]
    assert "Refusing to reclaim 40 of 40 seats of incident_response: max_reclaims is 10% (4 seats)." in empty
    assert "The desired list is empty" in empty
    assert "Nothing was changed" in empty
    assert "raise max_reclaims to at least 40 (or '100%')" in empty
    assert "fix its source and run again" in empty
    truncated = errors[STORE_KEY]
    assert "Refusing to reclaim 27 of 30 seats of 9NBLGGH4R2R6/0016: max_reclaims is 10% (3 seats)." in truncated
    assert "The desired list names 3 user(s), 3 of them holding a seat now" in truncated
    assert "raise max_reclaims to at least 27 (or '90%')" in truncated


def module_play(sandbox, tasks):
    return [{"name": "Guard", "hosts": "localhost", "gather_facts": False,
             "module_defaults": {
                 "group/seatops.seats.datadog": {"api_url": sandbox.url},
                 "group/seatops.seats.msstore": {"api_url": sandbox.store_url, "auth_url": sandbox.url}},
             "tasks": tasks}]


def test_modules_refuse_a_broken_export_and_the_suggested_limits_let_it_through(sandbox, run_playbook):
    before = fresh_guard(sandbox)
    truncated_dd = [email(number) for number in range(4)]
    truncated_store = [upn(number) for number in range(3)]
    tasks = [
        {"name": "empty datadog list, check mode", "ignore_errors": True, "check_mode": True,
         "seatops.seats.datadog_seats": {"product_code": DD_PRODUCT, "users": [], "exclusive": True}},
        {"name": "empty datadog list", "ignore_errors": True,
         "seatops.seats.datadog_seats": {"product_code": DD_PRODUCT, "users": [], "exclusive": True}},
        {"name": "truncated datadog list, protected kept", "ignore_errors": True,
         "seatops.seats.datadog_seats": {"product_code": DD_PRODUCT, "users": truncated_dd, "exclusive": True,
                                         "protected": [email(39)], "max_reclaims": 5}},
        {"name": "truncated store list", "ignore_errors": True,
         "seatops.seats.msstore_seat": {"product_id": STORE_PRODUCT[0], "sku_id": STORE_PRODUCT[1],
                                        "users": truncated_store, "exclusive": True, "max_reclaims": "20%"}},
    ]
    run = run_playbook(module_play(sandbox, tasks), env=CREDENTIALS)
    assert run.rc == 0, run.output[-3000:]
    assert writes(sandbox) == {}, "the guard let a write through"
    assert sandbox.state() == before

    for name in ("empty datadog list, check mode", "empty datadog list"):
        entry = run.task(name)
        assert entry["status"] == "ignored"
        message = entry["result"]["msg"]
        assert message.startswith("Refusing to reclaim 40 of 40 seats of incident_response: max_reclaims is 10% (4 seats).")
        assert "The desired list is empty" in message
        assert "POST /api/v2/seats/users" not in entry["result"]["api_calls"]
    protected = run.task("truncated datadog list, protected kept")["result"]["msg"]
    # 40 holders, 4 wanted, 1 protected: 35 would lose their seat.
    assert protected.startswith("Refusing to reclaim 35 of 40 seats of incident_response: max_reclaims is 5 (5 seats).")
    assert "The desired list names 4 user(s), 4 of them holding a seat now" in protected
    store = run.task("truncated store list")["result"]["msg"]
    assert store.startswith("Refusing to reclaim 27 of 30 seats of 9NBLGGH4R2R6/0016: max_reclaims is 20% (6 seats).")

    # "How to proceed": each limit the messages suggest lets exactly that run through (checked
    # in check mode, so still nothing is written).
    dd_count, dd_percent = suggested_limits(protected)
    store_count, store_percent = suggested_limits(store)
    assert (dd_count, store_count) == (35, 27)
    proceed = []
    for limit in (dd_count, dd_percent):
        proceed.append({"name": "datadog with %s" % limit, "check_mode": True, "seatops.seats.datadog_seats": {
            "product_code": DD_PRODUCT, "users": truncated_dd, "exclusive": True, "protected": [email(39)],
            "max_reclaims": limit}})
        proceed.append({"name": "datadog with one less than %s" % limit, "check_mode": True, "ignore_errors": True,
                        "seatops.seats.datadog_seats": {
                            "product_code": DD_PRODUCT, "users": truncated_dd, "exclusive": True, "protected": [email(39)],
                            "max_reclaims": limit - 1 if isinstance(limit, int) else "%d%%" % (int(limit[:-1]) - 3)}})
    for limit in (store_count, store_percent):
        proceed.append({"name": "store with %s" % limit, "check_mode": True, "seatops.seats.msstore_seat": {
            "product_id": STORE_PRODUCT[0], "sku_id": STORE_PRODUCT[1], "users": truncated_store,
            "exclusive": True, "max_reclaims": limit}})
    again = run_playbook(module_play(sandbox, proceed), env=CREDENTIALS)
    assert again.rc == 0, again.output[-3000:]
    for limit in (dd_count, dd_percent):
        assert len(again.result("datadog with %s" % limit)["reclaimed"]) == 35
        assert again.task("datadog with one less than %s" % limit)["status"] == "ignored"
    for limit in (store_count, store_percent):
        assert len(again.result("store with %s" % limit)["reclaimed"]) == 27
    assert writes(sandbox) == {}
    assert sandbox.state() == before


# -- journal: kill mid-apply -----------------------------------------------------------------

HOLDERS = 1500      # reclaimed: 60 bulk calls of 25
NEWCOMERS = 250     # assigned first: 10 bulk calls of 25
BULK_LATENCY_MS = 40


def kill_seed():
    everyone = [upn(number) for number in range(HOLDERS + NEWCOMERS)]
    return {"msstore": {"tenants": [{
        "id": TENANT,
        "clients": [{"client_id": CREDENTIALS["AZURE_CLIENT_ID"], "client_secret": CREDENTIALS["AZURE_CLIENT_SECRET"]}],
        "users": everyone,
        "inventory": [{"product_id": BIG_PRODUCT[0], "sku_id": BIG_PRODUCT[1], "distribution_policy": "Open",
                       "seat_capacity": 5000}],
        "seats": {BIG_KEY: everyone[:HOLDERS]},
    }]}}


def kill_playbook(sandbox, journal):
    """Exactly the newcomers hold the product: 250 assignments, then 1500 reclaims."""
    return [{"name": "Large exclusive apply", "hosts": "localhost", "gather_facts": False, "tasks": [{
        "name": "Newcomers only",
        "seatops.seats.msstore_seat": {
            "api_url": sandbox.store_url, "auth_url": sandbox.url,
            "product_id": BIG_PRODUCT[0], "sku_id": BIG_PRODUCT[1],
            "users": [upn(number) for number in range(HOLDERS, HOLDERS + NEWCOMERS)],
            "exclusive": True, "max_reclaims": "100%", "journal": journal}}]}]


def start_playbook(playbook, tmp_path):
    path = tmp_path / "kill-playbook.yml"
    path.write_text(yaml.safe_dump(playbook, sort_keys=False))
    env = dict(os.environ)
    for name in list(CREDENTIALS) + ["DD_SITE"]:
        env.pop(name, None)
    env.update(CREDENTIALS)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": collections_root(),
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        # Every process of this run inherits the marker, so none can outlive the test (sweep_marked).
        KILL_MARKER: str(tmp_path),
    })
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", "-c", "local",
               str(path)]
    log = open(str(tmp_path / "kill-playbook.log"), "w")
    process = subprocess.Popen(command, env=env, cwd=str(tmp_path), stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL)
    return process, log


def children_of(pid):
    """Direct children of ``pid``, from /proc (Linux)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as handle:
                stat = handle.read()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


def kill_tree(pid):
    """SIGKILL ``pid`` and every process under it.

    Ansible's workers call setsid(), so a process group does not hold the tree. Each process
    is stopped first (so it can start no new child), its children are looked up and stopped
    in turn, and then all of them are killed at once: the module dies wherever it was."""
    stopped = []
    waiting = [pid]
    while waiting:
        current = waiting.pop()
        try:
            os.kill(current, signal.SIGSTOP)
        except ProcessLookupError:
            continue
        stopped.append(current)
        waiting.extend(child for child in children_of(current) if child not in stopped)
    for current in stopped:
        try:
            os.kill(current, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return stopped


KILL_MARKER = "SEATOPS_KILL_TEST_RUN"


def sweep_marked(marker_value, rounds=5):
    """SIGKILL every process whose environment carries this run's marker; return how many.

    The tree walk in kill_tree can miss a worker forked at that very moment (it has left the
    tree by setsid() before it is seen); this sweep is what guarantees that nothing of the
    killed run lives on after the test."""
    needle = ("%s=%s" % (KILL_MARKER, marker_value)).encode()
    swept = 0
    for _round in range(rounds):
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            try:
                with open("/proc/%s/environ" % entry, "rb") as handle:
                    if needle in handle.read().split(b"\0"):
                        found.append(int(entry))
            except OSError:
                continue
        if not found:
            break
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        swept += len(found)
        time.sleep(0.1)
    return swept


def journal_lines(path, while_written=False):
    """The journal's lines. ``while_written``: the run is still writing, so the last line may
    be incomplete (a reader can see part of a write in progress); it is left for later.
    After the kill every line must be whole: a cut line fails the comparison."""
    if not os.path.exists(path):
        return []
    with open(path) as handle:
        text = handle.read()
    if while_written and not text.endswith("\n"):
        text = text.rpartition("\n")[0]
    return [json.loads(line) for line in text.splitlines()]


def wait_until_quiet(sandbox, seconds=0.6, limit=15.0):
    """After the kill, let a request already sent finish (the sandbox answers after its latency)."""
    deadline = time.monotonic() + limit
    last = None
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        total = sandbox.requests()["total"]
        if total != last:
            last, quiet_since = total, time.monotonic()
        elif time.monotonic() - quiet_since >= seconds:
            return
        time.sleep(0.1)
    raise AssertionError("the sandbox kept getting requests after the kill")


def compare_journal_with_state(lines, before, after):
    """The journal against the sandbox: returns (ok changes, pending batches as (batch, verdict))."""
    assert lines, "nothing was journalled"
    assert len(set(line["run_id"] for line in lines)) == 1
    before, after = set(before), set(after)
    outcomes = {}
    pending = {}
    for line in lines:
        assert line["platform"] == "msstore" and line["product"] == BIG_KEY
        if line["outcome"] == "pending":
            assert line["count"] == len(line["ids"]) <= 25
            pending[line["batch"]] = line
        else:
            assert line["batch"] in pending, "an outcome line before its intent line: %s" % line
            outcomes[(line["batch"], line["id"])] = line

    def changed(action, key):
        return key in after - before if action == "assign" else key in before - after

    ok = 0
    for (batch, key), line in outcomes.items():
        if line["outcome"] == "ok":
            assert changed(line["action"], key), "journalled ok but not in the state: %s" % line
            ok += 1
        else:
            assert line["outcome"] == "failed" and not changed(line["action"], key), line
    verdicts = []
    journalled = set()
    for batch, line in sorted(pending.items()):
        journalled.update((line["action"], key) for key in line["ids"])
        open_keys = [key for key in line["ids"] if (batch, key) not in outcomes]
        if not open_keys:
            continue
        applied = [key for key in open_keys if changed(line["action"], key)]
        assert len(applied) in (0, len(open_keys)), \
            "pending batch %d is partly applied: %d of %d" % (batch, len(applied), len(open_keys))
        verdicts.append((batch, line["action"], "applied" if applied else "not applied"))
    for key in after - before:
        assert ("assign", key) in journalled, "%s gained a seat the journal does not mention" % key
    for key in before - after:
        assert ("reclaim", key) in journalled, "%s lost a seat the journal does not mention" % key
    return ok, verdicts


@pytest.fixture
def slow_store(sandbox):
    sandbox.config(latency_ms=0)
    sandbox.reset()
    sandbox.seed(kill_seed())
    # Only the bulk writes are slowed down: the kill lands on writes, not on reads.
    sandbox.faults([{"method": "POST", "path": "/V1/Inventory/{productId}/{skuId}/Seats",
                     "latency_ms": BULK_LATENCY_MS}])
    sandbox.clear_requests()
    yield sandbox
    sandbox.faults([])


# Kill after this many intent lines: in the assignments, at their end, and twice among the
# reclaims; plus a point drawn with a fixed seed, so a failure can be replayed.
KILL_POINTS = [3, 10, 31, random.Random(7).randint(40, 68)]


@pytest.mark.parametrize("kill_after", KILL_POINTS)
def test_journal_matches_the_state_after_a_kill(slow_store, run_playbook, tmp_path, kill_after):
    sandbox = slow_store
    before = store_holders(sandbox.state(), BIG_KEY)
    journal = str(tmp_path / "seats.jsonl")
    process, log = start_playbook(kill_playbook(sandbox, journal), tmp_path)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if sum(1 for line in journal_lines(journal, while_written=True) if line["outcome"] == "pending") >= kill_after:
                break
            time.sleep(0.005)
        assert process.poll() is None, "the run ended before the kill point; raise HOLDERS or the latency"
        killed = kill_tree(process.pid)
        process.wait(timeout=30)
        assert len(killed) >= 3, "expected the controller, a worker and the module: %s" % killed
    finally:
        if process.poll() is None:
            kill_tree(process.pid)
            process.wait(timeout=30)
        sweep_marked(str(tmp_path))
        log.close()
    wait_until_quiet(sandbox)
    size = os.path.getsize(journal)
    time.sleep(0.3)
    assert os.path.getsize(journal) == size, "something still writes the journal after the kill"

    after = store_holders(sandbox.state(), BIG_KEY)
    lines = journal_lines(journal)
    ok, verdicts = compare_journal_with_state(lines, before, after)
    changed = len(set(after) ^ set(before))
    print("kill after %d intent lines: %d journal lines, %d ok, %d seats changed, pending batches: %s"
          % (kill_after, len(lines), ok, changed, verdicts or "none"))
    assert 0 < changed < HOLDERS + NEWCOMERS, "the kill did not land mid-apply"
    assert len(verdicts) <= 1, "more than one write call in flight: %s" % verdicts

    # The next run reads first and repairs: it converges, and its journal settles every batch.
    sandbox.faults([])
    rerun = run_playbook(kill_playbook(sandbox, journal), env=CREDENTIALS)
    assert rerun.rc == 0, rerun.output[-3000:]
    final = store_holders(sandbox.state(), BIG_KEY)
    assert final == sorted(upn(number) for number in range(HOLDERS, HOLDERS + NEWCOMERS))
    second = [line for line in journal_lines(journal) if line["run_id"] != lines[0]["run_id"]]
    settled = set((line["batch"], line["id"]) for line in second if line["outcome"] != "pending")
    for line in second:
        if line["outcome"] == "pending":
            assert all((line["batch"], key) in settled for key in line["ids"])
    assert len([line for line in second if line["outcome"] == "ok"]) == len(set(final) ^ set(after))


def test_journal_of_a_whole_run_settles_every_batch(slow_store, run_playbook, tmp_path):
    """Without a kill: one intent line per bulk call, each settled by its users' outcomes."""
    sandbox = slow_store
    sandbox.faults([])
    journal = str(tmp_path / "seats.jsonl")
    run = run_playbook(kill_playbook(sandbox, journal), env=CREDENTIALS)
    assert run.rc == 0, run.output[-3000:]
    lines = journal_lines(journal)
    pending = [line for line in lines if line["outcome"] == "pending"]
    assert len(pending) == math.ceil(NEWCOMERS / 25.0) + math.ceil(HOLDERS / 25.0)
    assert writes(sandbox) == {BULK: len(pending)}
    outcomes = [line for line in lines if line["outcome"] != "pending"]
    assert len(outcomes) == NEWCOMERS + HOLDERS and all(line["outcome"] == "ok" for line in outcomes)
    # Each intent line comes before its outcomes, and every user of a batch is settled.
    seen = set()
    for line in lines:
        if line["outcome"] == "pending":
            seen.add(line["batch"])
        else:
            assert line["batch"] in seen
    by_batch = {}
    for line in outcomes:
        by_batch.setdefault(line["batch"], set()).add(line["id"])
    assert all(by_batch[line["batch"]] == set(line["ids"]) for line in pending)
