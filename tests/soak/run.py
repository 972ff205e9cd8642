# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`make soak`: many onboard / offboard / reconcile runs against a sandbox that injects faults.

One sandbox (loopback, ephemeral port) holds a few hundred people on three Datadog products
and two Store products (one Restricted, with a capacity). Run N plays playbooks/onboard.yml,
offboard.yml or reconcile.yml in turn, with people, products and a desired state drawn from
a RNG seeded by (--seed, N), while the sandbox answers 10% of API requests with a 5xx, 5%
with a 429 and drops 2% of connections (fault RNG also seeded by (--seed, N)), with latency
jitter on every answer. Each run then plays tests/soak/copilot.yml on the population's GitHub
org (direct, team-granted, pending-cancellation and orphan seats), shaped by the run's kind,
under GitHub faults: 403 secondary rate limits (with retry-after, or remaining 0 and a reset),
429s, 5xx, dropped requests and writes whose answer is lost (COPILOT_FAULTS); the judge checks
the Copilot invariants (soak_check.judge_copilot). After each run the sandbox state (admin reads are never faulted) is
compared with the state before plus what the run reported; see soak_check.py. Before a
run, people on call may claim Datadog seats themselves (admin calls, never faulted), and the
desired state of a reconcile run often does not list them yet; some of its entries keep
recent seats (grace_days) or set a ceiling (max_holders). At the end,
without faults, each playbook runs twice: the first run repairs, the second must change
nothing.

The state carries over from run to run within an epoch (--epoch runs, 10 by default), so a
run meets what a failed run before it left; each epoch starts from a fresh population drawn
from (--seed, epoch). Replaying run N (--start N --runs 1) therefore replays the earlier
runs of its epoch first, with the same faults, and reports only run N.

    make soak                                    # 200 runs, seed 1
    make soak SOAK_ARGS="--runs 30 --seed 7"
    make soak SOAK_ARGS="--seed 7 --start 42 --runs 1"   # replay run 42 of seed 7

Exit status 0 only when there was no mismatch, no traceback, no unclean or hung run, and
the follow-up runs converged. Every run, and the whole soak, is bounded in time; the
sandbox is always stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tests"))
sys.path.insert(0, os.path.join(REPO, "sandbox"))

# pylint: disable=wrong-import-position
import soak_check  # noqa: E402
import soak_population as population  # noqa: E402
from collection_layout import collections_root  # noqa: E402
from seatops_sandbox.testing import SandboxProcess  # noqa: E402
# pylint: enable=wrong-import-position

KINDS = ("onboard", "offboard", "reconcile")
# Issue 10's situations (see Situations below): how often each comes up in random mode.
WRONG_PATH_SHARE = 0.12       # an onboard or offboard run gets a Store api_url without /V1
REMOVED_EPOCH_SHARE = 0.5     # an epoch in which a Store product becomes Removed
RESTORE_SHARE = 0.2           # an offboard slot that restores a record of its epoch instead
RERUN_SHARE = 0.75            # after a failed offboarding, a re-run with the same people and record
APPEND_SHARE = 0.25           # otherwise, an offboarding that appends to an earlier record of the epoch
UNKNOWN_PATH_ANSWERS = ("text", "html", "json", "empty")
# (effect, share of all API requests). Rules are tried in order and each draws on its own,
# so the rates below are conditional on the earlier rules not firing.
FAULT_SHARES = (("drop", 0.02), (429, 0.05), (500, 0.03), (502, 0.02), (503, 0.03), (504, 0.02))
CREDENTIAL_NAMES = ("DD_API_KEY", "DD_APP_KEY", "DD_SITE", "AZURE_TENANT_ID", "AZURE_CLIENT_ID",
                    "AZURE_CLIENT_SECRET", "GITHUB_TOKEN", "GH_TOKEN")
COPILOT_PLAYBOOK = os.path.join(HERE, "copilot.yml")
COPILOT_WRITES = "/orgs/{org}/copilot/billing/selected_users"
SECONDARY_LIMIT = {"message": "You have exceeded a secondary rate limit and have been temporarily blocked from "
                              "content creation. Please retry your request again later.",
                   "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
                                        "#about-secondary-rate-limits"}
# GitHub's faults (effect, share, extra rule keys), tried in order like FAULT_SHARES: secondary
# limits on the seat writes (403 with retry-after, or with remaining 0 and a reset already
# past), writes that take effect but whose answer is lost, then any GitHub call: a secondary
# limit, a 429, 5xx and dropped requests. Every wait they cause is about a second.
COPILOT_FAULTS = (
    ("403", 0.15, {"path": COPILOT_WRITES, "body": SECONDARY_LIMIT, "headers": {"retry-after": "1"}}),
    ("403", 0.05, {"path": COPILOT_WRITES, "body": SECONDARY_LIMIT,
                   "headers": {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1000000001"}}),
    ("lost answer", 0.05, {"path": COPILOT_WRITES, "drop_answer": True}),
    ("403", 0.03, {"body": SECONDARY_LIMIT, "headers": {"retry-after": "1"}}),
    ("429", 0.03, {"headers": {"retry-after": "1"}}),
    ("500", 0.03, {}), ("502", 0.02, {}), ("503", 0.03, {}), ("drop", 0.02, {}),
)
CALLBACKS = os.path.join(REPO, "tests", "integration", "callback_plugins")


def fault_rules(scale=1.0):
    rules = []
    left = 1.0
    for effect, share in FAULT_SHARES:
        share *= scale
        rate = min(1.0, share / left) if left > 0 else 0.0
        left -= share
        rule = {"rate": round(rate, 6)}
        if effect == "drop":
            rule["drop"] = True
        else:
            rule["status"] = effect
        rules.append(rule)
    return rules


def copilot_fault_rules(scale=1.0):
    rules = []
    for effect, share, keys in COPILOT_FAULTS:
        rule = dict(keys, rate=round(min(1.0, share * scale), 6))
        if effect == "drop":
            rule["drop"] = True
        elif effect != "lost answer":
            rule["status"] = int(effect)
        rules.append(rule)
    return rules


def fault_kind(rule):
    if rule.get("drop_answer"):
        return "lost answer"
    return "drop" if rule.get("drop") else str(rule.get("status"))


def derived(seed, *parts):
    """A stable integer for (seed, parts): the same on every machine and Python run."""
    return random.Random(":".join(str(part) for part in (seed,) + parts)).randrange(2 ** 31)


def git_commit():
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty", "--abbrev=10"], cwd=REPO,
                             capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() or "unknown"


class SoakSandbox(SandboxProcess):
    """The sandbox helper, plus the fault rules' counters."""

    def fault_state(self):
        return self._call("GET", "/_sandbox/faults")


class Soak(object):
    def __init__(self, args, sandbox, workdir):
        self.args = args
        self.sb = sandbox
        self.workdir = workdir
        self.collections = collections_root()
        self.figures = {
            "seed": args.seed, "start": args.start, "runs": 0, "runs_ok": 0, "runs_failed_clean": 0,
            "runs_failed_unclean": 0, "runs_timed_out": 0,
            "by_kind": dict((kind, {"runs": 0, "failed": 0}) for kind in KINDS + ("restore",)),
            "situations": {},
            "failure_causes": {}, "faults": {}, "faults_total": 0, "requests": 0,
            "unexpected_5xx": 0, "seats_assigned": 0, "seats_reclaimed": 0, "self_claims": 0,
            "kept_in_grace": 0, "mismatches": 0,
            "copilot": {"runs": 0, "ok": 0, "failed_clean": 0, "assigned": 0, "reclaimed": 0, "requests": 0,
                        "faults": {}},
            "tracebacks": 0, "unclean_failures": 0, "convergence": None, "soak_timed_out": False,
            "commit": git_commit(),
        }
        self.problems = []
        self.runs = []
        self.epoch = None

    def new_epoch(self, number):
        """A fresh population: forget what the soak changed and recorded in the last epoch."""
        self.epoch = Situations(self.args, number // self.args.epoch)

    # -- one playbook run ---------------------------------------------------------------

    def endpoints(self):
        return {"seatops_datadog_api_url": self.sb.url, "seatops_msstore_api_url": self.sb.store_url,
                "seatops_msstore_auth_url": self.sb.url}

    def play(self, kind, extra, tag, playbook=None):
        """Run playbooks/<kind>.yml (or ``playbook``); returns (rc, output, task results,
        seconds, timed_out)."""
        rundir = os.path.join(self.workdir, tag)
        os.makedirs(rundir, exist_ok=True)
        results_file = os.path.join(rundir, "results.jsonl")
        env = dict((k, v) for k, v in os.environ.items() if k not in CREDENTIAL_NAMES)
        env.update(population.CREDENTIALS)
        env.update({
            "ANSIBLE_COLLECTIONS_PATH": self.collections,
            "ANSIBLE_CALLBACK_PLUGINS": CALLBACKS,
            "ANSIBLE_CALLBACKS_ENABLED": "result_recorder",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_PIPELINING": "1",
            "ANSIBLE_LOCAL_TEMP": os.path.join(rundir, "tmp"),
            "ANSIBLE_REMOTE_TEMP": os.path.join(rundir, "tmp"),
            "SEATOPS_RESULTS_FILE": results_file,
        })
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
                   "-i", "localhost,", "-c", "local", "-e", json.dumps(extra),
                   playbook or os.path.join(REPO, "playbooks", kind + ".yml")]
        started = time.monotonic()
        proc = subprocess.Popen(command, env=env, cwd=rundir, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                                start_new_session=True)
        timed_out = False
        try:
            output, _err = proc.communicate(timeout=self.args.run_timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(proc.pid, sig)
                except OSError:
                    pass
                try:
                    output, _err = proc.communicate(timeout=10)
                    break
                except subprocess.TimeoutExpired:
                    output = ""
        seconds = time.monotonic() - started
        entries = []
        if os.path.exists(results_file):
            with open(results_file, encoding="utf-8") as handle:
                entries = [json.loads(line) for line in handle if line.strip()]
        attach_reports(entries)
        return proc.returncode, output or "", entries, seconds, timed_out

    def plan(self, kind, rng, state, tag, tame=False, store_wanted=False):
        extra = self.endpoints()
        people = self.args.people
        disabled = self.epoch.disabled if self.epoch else set()
        if kind == "onboard":
            extra.update(population.onboard_vars(rng, state, people, tame=tame, disabled=disabled,
                                                 store_wanted=store_wanted))
        elif kind == "offboard":
            extra.update(population.offboard_vars(rng, state, people, tame=tame))
        else:
            rundir = os.path.join(self.workdir, tag)
            os.makedirs(rundir, exist_ok=True)
            claimed = list(self.epoch.recent) if self.epoch else []
            forced = self.args.situations == "forced"
            desired = population.desired_state(rng, state, people, tame=tame, disabled=disabled, claimed=claimed,
                                               grace_share=1.0 if forced else population.GRACE_SHARE)
            path = os.path.join(rundir, "desired-state.yml")
            population.dump_desired(desired, path)
            extra.update(desired_state_file=path, report_dir=os.path.join(rundir, "reports"))
        if kind == "offboard":
            extra["record_dir"] = os.path.join(self.workdir, tag, "records")
        return extra

    def reseed(self, **changes):
        """Change the platforms between runs as time would (see population.seed_from_state)."""
        state = self.sb.state()
        epoch = self.epoch
        epoch.disabled |= set(changes.get("disabled", ()))
        seed = population.seed_from_state(state, self.args.people, disabled=epoch.disabled,
                                          remove=changes.get("remove", ()), fill=changes.get("fill", ()),
                                          recent=epoch.recent)
        self.sb.seed(seed)

    def self_claims(self, number, kind, situation):
        """People on call claim Datadog seats before the run (a reconcile run in forced mode
        always meets some), as being paged would; the epoch remembers when."""
        rng = random.Random(derived(self.args.seed, "claims", number))
        wanted = kind == "reconcile" if self.args.situations == "forced" else rng.random() < population.CLAIM_SHARE
        if self.args.situations == "off" or not wanted:
            return
        claims = population.self_claims(rng, self.sb.state(), self.args.people, self.epoch.disabled)
        for code, name in claims:
            answer = self.sb.claim(code, name)
            self.epoch.recent[(code, name)] = answer["assigned_at"]
        self.figures["self_claims"] += len(claims)
        names = ", ".join(name for _code, name in claims)
        situation.add("self-claims", "%s claimed a seat of %s" % (names, claims[0][0]))

    def run_once(self, number, record=True):
        kind = KINDS[number % len(KINDS)]
        tag = "run-%04d" % number
        situation = self.epoch.choose(number, kind, self.sb.state())
        if situation.changes:
            self.reseed(**situation.changes)
        kind = situation.kind
        self.self_claims(number, kind, situation)
        before = self.sb.state()
        rng = random.Random(derived(self.args.seed, "plan", number))
        if kind == "restore":
            extra = dict(self.endpoints(), restore=True, record_path=situation.record["path"])
        else:
            extra = self.plan(kind, rng, before, tag, store_wanted=situation.wrong_path is not None)
        situation.adjust(extra, before, self.workdir, tag)
        if situation.wrong_path:
            extra["seatops_msstore_api_url"] = self.sb.url
            self.sb.config(unknown_path_answer=situation.wrong_path)
        self.sb.clear_requests()
        rules = fault_rules(self.args.fault_scale)
        self.sb.faults(rules, seed=derived(self.args.seed, "faults", number))
        rc, output, entries, seconds, timed_out = self.play("offboard" if kind == "restore" else kind, extra, tag)
        fired = self.sb.fault_state()["rules"]
        self.sb.faults([])
        if situation.wrong_path:
            self.sb.config(unknown_path_answer="text")
        log = self.sb.requests()
        after = self.sb.state()
        verdict = soak_check.judge(before, after, entries, rc, output, population.TENANT)
        verdict.mismatches.extend(self.epoch.judge(situation, extra, before, after, entries, rc, log["entries"],
                                                   self.sb.url))
        if timed_out:
            verdict.unclean.append("run did not finish within %ss and was stopped" % self.args.run_timeout)

        faults = {}
        for rule in fired:
            faults[fault_kind(rule)] = faults.get(fault_kind(rule), 0) + rule.get("fired", 0)
        statuses = [entry["status"] for entry in log["entries"]]
        server_errors = len([s for s in statuses if s >= 500])
        injected_5xx = sum(n for kind_, n in faults.items() if kind_.startswith("5"))
        # The request log must show every fault the rules counted: drops as status 0, and
        # 429s (no rate limit is configured, so every 429 is injected).
        for kind_, status in (("drop", 0), ("429", 429)):
            logged = statuses.count(status)
            if logged != faults.get(kind_, 0):
                verdict.mismatches.append("the request log shows %d answers with status %s, the fault rules "
                                          "counted %d" % (logged, status, faults.get(kind_, 0)))
        copilot = self.copilot_run(number, kind, tag)
        for kind_, n in copilot["faults"].items():
            faults[kind_] = faults.get(kind_, 0) + n
        for bucket in ("mismatches", "unclean", "tracebacks"):
            getattr(verdict, bucket).extend("copilot: %s" % problem for problem in copilot[bucket])
        causes = failure_causes(entries)
        line = {"run": number, "kind": kind, "rc": rc, "seconds": round(seconds, 1), "situations": situation.names,
                "requests": log["total"] + copilot["requests"], "faults": faults,
                "unexpected_5xx": max(0, server_errors - injected_5xx) + copilot["unexpected_5xx"],
                "assigned": verdict.assigned, "reclaimed": verdict.reclaimed, "causes": causes,
                "timed_out": timed_out, "copilot": dict((k, copilot[k]) for k in ("rc", "assigned", "reclaimed"))}
        line.update(verdict.as_dict())
        print(("(replay) " if not record else "") + format_line(line), flush=True)
        print("      copilot (%s): %s, +%d -%d seats%s" % (
            copilot["kind"], "ok" if copilot["rc"] == 0 else "failed (clean)" if copilot["ok"] else "PROBLEM",
            copilot["assigned"], copilot["reclaimed"],
            "" if not copilot["message"] else ": " + copilot["message"]), flush=True)
        if situation.names:
            print("      situation: %s" % "; ".join(situation.describe()), flush=True)
        for message in failure_messages(entries)[:4]:
            print("      - %s" % message, flush=True)
        if not verdict.ok or rc != 0 or timed_out:
            self.keep_artifacts(tag, extra, output, entries, before, after, log, line)
        if not verdict.ok:
            for problem in verdict.mismatches + verdict.unclean + verdict.tracebacks:
                print("      ! %s" % problem, flush=True)
            print("      replay: make soak SOAK_ARGS=\"--seed %d --start %d --runs 1\""
                  % (self.args.seed, number), flush=True)
        if record:
            self.count(line, verdict, rc)
            self.count_copilot(copilot)
        return line

    # -- GitHub Copilot -----------------------------------------------------------------

    def copilot_run(self, number, kind, tag, tame=False, rng=None, faults=True):
        """tests/soak/copilot.yml on the soak org, shaped by ``kind`` (a restore gives seats
        back, like an onboarding), under COPILOT_FAULTS; judged by soak_check.judge_copilot."""
        copilot_kind = "onboard" if kind == "restore" else kind
        rng = rng or random.Random(derived(self.args.seed, "copilot", number))
        before = self.sb.state()
        extra = population.copilot_vars(rng, before, copilot_kind, self.args.people, tame=tame)
        extra["copilot_api_url"] = self.sb.url
        copilot_tag = tag + "-copilot"
        self.sb.clear_requests()
        if faults:
            self.sb.faults(copilot_fault_rules(self.args.fault_scale), seed=derived(self.args.seed, "gh-faults", number))
        rc, output, entries, seconds, timed_out = self.play(copilot_kind, extra, copilot_tag, COPILOT_PLAYBOOK)
        fired = self.sb.fault_state()["rules"] if faults else []
        self.sb.faults([])
        log = self.sb.requests()
        after = self.sb.state()
        verdict = soak_check.judge_copilot(before, after, entries, rc, output, population.GH_ORG)
        if timed_out:
            verdict.unclean.append("the Copilot run did not finish within %ss and was stopped" % self.args.run_timeout)
        counted = {}
        for rule in fired:
            counted[fault_kind(rule)] = counted.get(fault_kind(rule), 0) + rule.get("fired", 0)
        statuses = [entry["status"] for entry in log["entries"]]
        for kinds, status in ((("drop", "lost answer"), 0), (("429",), 429), (("403",), 403)):
            expected = sum(counted.get(name, 0) for name in kinds)
            if statuses.count(status) != expected:
                verdict.mismatches.append("the request log shows %d GitHub answers with status %s, the fault rules "
                                          "counted %d" % (statuses.count(status), status, expected))
        injected_5xx = sum(n for name, n in counted.items() if name.startswith("5"))
        results = [entry.get("result") or {} for entry in entries if entry.get("action") == soak_check.COPILOT_ACTION]
        message = " ".join(str(results[0].get("msg") or "").split())[:200] if rc != 0 and results else ""
        if not verdict.ok or rc != 0 or timed_out:
            self.keep_artifacts(copilot_tag, extra, output, entries, before, after, log,
                                {"rc": rc, "verdict": verdict.as_dict()})
        return {"kind": copilot_kind, "rc": rc, "ok": verdict.ok, "seconds": seconds, "faults": counted,
                "requests": log["total"], "unexpected_5xx": max(0, len([s for s in statuses if s >= 500]) - injected_5xx),
                "assigned": verdict.assigned, "reclaimed": verdict.reclaimed, "mismatches": verdict.mismatches,
                "unclean": verdict.unclean, "tracebacks": verdict.tracebacks, "message": message,
                "extra": extra, "entries": entries, "after": after}

    def count_copilot(self, copilot):
        fig = self.figures["copilot"]
        fig["runs"] += 1
        if copilot["rc"] == 0:
            fig["ok"] += 1
        elif copilot["ok"]:
            fig["failed_clean"] += 1
        fig["assigned"] += copilot["assigned"]
        fig["reclaimed"] += copilot["reclaimed"]
        fig["requests"] += copilot["requests"]
        for name, n in copilot["faults"].items():
            fig["faults"][name] = fig["faults"].get(name, 0) + n

    def count(self, line, verdict, rc):
        fig = self.figures
        fig["runs"] += 1
        fig["by_kind"][line["kind"]]["runs"] += 1
        if rc != 0 or line["timed_out"]:
            fig["by_kind"][line["kind"]]["failed"] += 1
            if verdict.unclean or verdict.tracebacks:
                fig["runs_failed_unclean"] += 1
            else:
                fig["runs_failed_clean"] += 1
        else:
            fig["runs_ok"] += 1
        fig["runs_timed_out"] += int(line["timed_out"])
        for name in line["situations"]:
            fig["situations"][name] = fig["situations"].get(name, 0) + 1
        for kind, n in line["faults"].items():
            fig["faults"][kind] = fig["faults"].get(kind, 0) + n
            fig["faults_total"] += n
        for cause, n in line["causes"].items():
            fig["failure_causes"][cause] = fig["failure_causes"].get(cause, 0) + n
        fig["requests"] += line["requests"]
        fig["unexpected_5xx"] += line["unexpected_5xx"]
        fig["seats_assigned"] += verdict.assigned
        fig["seats_reclaimed"] += verdict.reclaimed
        fig["kept_in_grace"] += verdict.kept
        fig["mismatches"] += len(verdict.mismatches)
        fig["tracebacks"] += len(verdict.tracebacks)
        fig["unclean_failures"] += len(verdict.unclean)
        for problem in verdict.mismatches + verdict.unclean + verdict.tracebacks:
            self.problems.append("run %d (%s): %s" % (line["run"], line["kind"], problem))
        keys = ("run", "kind", "rc", "seconds", "requests", "faults", "assigned", "reclaimed", "situations")
        self.runs.append(dict((k, line[k]) for k in keys))

    def keep_artifacts(self, tag, extra, output, entries, before, after, log, line):
        if not self.args.artifacts:
            return
        target = os.path.join(self.args.artifacts, "seed-%d" % self.args.seed, tag)
        os.makedirs(target, exist_ok=True)
        for name, data in (("extra-vars.json", extra), ("results.json", entries), ("state-before.json", before),
                           ("state-after.json", after), ("requests.json", log), ("verdict.json", line)):
            with open(os.path.join(target, name), "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=1, sort_keys=True, default=str)
        with open(os.path.join(target, "output.txt"), "w", encoding="utf-8") as handle:
            handle.write(output)
        desired = os.path.join(self.workdir, tag, "desired-state.yml")
        if os.path.exists(desired):
            shutil.copy(desired, os.path.join(target, "desired-state.yml"))
        print("      artifacts: %s" % os.path.relpath(target, os.getcwd()), flush=True)

    # -- the follow-up without faults ---------------------------------------------------

    def converge(self):
        """Each playbook twice without faults: the first run repairs, the second changes nothing."""
        self.sb.faults([])
        self.sb.config(jitter_ms=0)
        rng = random.Random(derived(self.args.seed, "converge"))
        ok = True
        for kind in KINDS:
            state = self.sb.state()
            tag = "converge-%s" % kind
            extra = self.plan(kind, rng, state, tag, tame=True)
            for attempt in ("repair", "re-run"):
                before = self.sb.state()
                self.sb.clear_requests()
                rc, output, entries, seconds, timed_out = self.play(kind, extra, "%s-%s" % (tag, attempt))
                after = self.sb.state()
                verdict = soak_check.judge(before, after, entries, rc, output, population.TENANT)
                problems = verdict.mismatches + verdict.unclean + verdict.tracebacks
                if rc != 0 or timed_out:
                    problems.append("%s %s exited with %s%s" % (kind, attempt, rc, " (timed out)" if timed_out else ""))
                changed = soak_check.changed_results(entries)
                if attempt == "re-run" and changed:
                    problems.append("%s re-run still changed: %s" % (kind, ", ".join(changed)))
                if attempt == "repair":
                    problems.extend(population.goal_problems(kind, extra, after, self.args.people,
                                                             disabled=self.epoch.disabled if self.epoch else ()))
                writes = [key for key in self.sb.requests()["counts"]
                          if key.split(" ")[0] in ("POST", "DELETE") and "/token" not in key]
                if attempt == "re-run" and writes:
                    problems.append("%s re-run wrote to the API: %s" % (kind, ", ".join(sorted(writes))))
                verdict_text = "ok" if not problems else "NOT CONVERGED"
                print("converge %-9s %-6s rc=%s %5.1fs %s" % (kind, attempt, rc, seconds, verdict_text), flush=True)
                for problem in problems:
                    print("      ! %s" % problem, flush=True)
                    self.problems.append("convergence (%s %s): %s" % (kind, attempt, problem))
                if problems:
                    ok = False
                    self.keep_artifacts("%s-%s" % (tag, attempt), extra, output, entries, before, after,
                                        self.sb.requests(), {"problems": problems})
        ok = self.converge_copilot(rng) and ok
        self.figures["convergence"] = ok
        return ok

    def converge_copilot(self, rng):
        """An exclusive Copilot run without faults repairs; the same run again changes nothing."""
        ok = True
        extra = None
        for attempt in ("repair", "re-run"):
            tag = "converge-copilot-%s" % attempt
            run_rng = random.Random(rng.random()) if extra is None else None
            copilot = self.copilot_run(0, "reconcile", tag, tame=True, rng=run_rng, faults=False) if extra is None \
                else self._copilot_again(extra, tag)
            extra = copilot["extra"]
            problems = copilot["mismatches"] + copilot["unclean"] + copilot["tracebacks"]
            if copilot["rc"] != 0:
                problems.append("copilot %s exited with %s: %s" % (attempt, copilot["rc"], copilot["message"]))
            if attempt == "repair":
                problems.extend(population.copilot_goal_problems(extra, copilot["after"]))
            else:
                changed = [entry["task"] for entry in copilot["entries"]
                           if entry.get("action") == soak_check.COPILOT_ACTION and (entry.get("result") or {}).get("changed")]
                if changed:
                    problems.append("copilot re-run still changed")
                writes = [key for key in self.sb.requests()["counts"] if key.split(" ")[0] in ("POST", "DELETE")]
                if writes:
                    problems.append("copilot re-run wrote to the API: %s" % ", ".join(sorted(writes)))
            verdict_text = "ok" if not problems else "NOT CONVERGED"
            print("converge %-9s %-6s rc=%s %5.1fs %s"
                  % ("copilot", attempt, copilot["rc"], copilot["seconds"], verdict_text), flush=True)
            for problem in problems:
                print("      ! %s" % problem, flush=True)
                self.problems.append("convergence (copilot %s): %s" % (attempt, problem))
            ok = ok and not problems
        return ok

    def _copilot_again(self, extra, tag):
        """The same Copilot run again (the convergence re-run), without faults."""
        before = self.sb.state()
        self.sb.clear_requests()
        rc, output, entries, seconds, _timed_out = self.play("reconcile", extra, tag, COPILOT_PLAYBOOK)
        after = self.sb.state()
        verdict = soak_check.judge_copilot(before, after, entries, rc, output, population.GH_ORG)
        results = [entry.get("result") or {} for entry in entries if entry.get("action") == soak_check.COPILOT_ACTION]
        return {"rc": rc, "seconds": seconds, "mismatches": verdict.mismatches, "unclean": verdict.unclean,
                "tracebacks": verdict.tracebacks, "extra": extra, "entries": entries, "after": after,
                "message": " ".join(str(results[0].get("msg") or "").split())[:200] if results and rc else ""}


class Situation(object):
    """What one run meets besides faults (issue 10): how the platforms were changed before
    it, a wrong Store address, the record it writes to or restores from."""

    def __init__(self, kind):
        self.kind = kind
        self.names = []
        self.notes = []
        self.changes = {}
        self.wrong_path = None        # the sandbox's unknown_path_answer when api_url lacks /V1
        self.record = None            # an epoch record (dict of Situations.records) to reuse or restore
        self.new_record = False       # start a record at a fixed path that later runs reuse
        self.people = None            # the leavers of a re-run
        self.removed_in_plan = None   # a Removed Store product an onboarding asks for / a leaver holds

    def add(self, name, note):
        self.names.append(name)
        self.notes.append(note)

    def describe(self):
        return self.notes

    def adjust(self, extra, before, workdir, tag):
        """Fit the drawn plan to the situation."""
        if self.kind == "onboard" and self.removed_in_plan:
            products = [p.strip() for p in extra["msstore_products"].split(",") if p.strip()]
            extra["msstore_products"] = ", ".join(sorted(set(products) | {self.removed_in_plan}))
        if self.kind != "offboard":
            return
        if self.people:
            extra["people"] = self.people
        if self.removed_in_plan:
            holders = sorted(population.store_entries(before)[self.removed_in_plan]["holders"])
            if holders:
                number = population.number_of(holders[0])
                extra["people"] += ", %s=%s" % (population.email(number), population.upn(number))
        if self.new_record:
            self.record = {"path": os.path.join(workdir, tag, "shared-record.json"), "reported": set(), "runs": 0}
        if self.record:
            extra["record_path"] = self.record["path"]


class Situations(object):
    """Issue 10's situations within one epoch, and what the soak remembers of them: the people
    it disabled, the records offboarding runs wrote (and every reclaim they reported), the
    last offboarding. Drawn from an RNG seeded by (--seed, run number), like everything else."""

    def __init__(self, args, epoch):
        self.args = args
        self.disabled = set()
        self.recent = {}          # {(product code, email): assigned_at} of the epoch's self-claims
        self.records = []
        self.last_offboard = None
        self.counts = dict((kind, 0) for kind in KINDS)
        rng = random.Random(derived(args.seed, "removal", epoch))
        self.removal_at = None
        if args.situations == "random" and rng.random() < REMOVED_EPOCH_SHARE:
            self.removal_at = epoch * args.epoch + rng.randint(1, max(1, args.epoch - 1))
            self.removal_product = rng.choice(sorted(population.STORE_PRODUCTS))

    def record_for(self, path):
        for record in self.records:
            if record["path"] == path:
                return record
        record = {"path": path, "reported": set(), "runs": 0}
        self.records.append(record)
        return record

    def choose(self, number, kind, state):
        situation = Situation(kind)
        situation.number = number
        self.counts[kind] += 1
        if self.args.situations == "off":
            return situation
        rng = random.Random(derived(self.args.seed, "situation", number))
        nth = self.counts[kind]
        removed = population.removed(state)
        forced = self.args.situations == "forced" and nth <= 3
        if forced:
            self._forced(situation, nth, state, removed)
        elif kind == "onboard":
            if rng.random() < WRONG_PATH_SHARE:
                situation.wrong_path = rng.choice(UNKNOWN_PATH_ANSWERS)
            if removed and rng.random() < 0.5:
                situation.removed_in_plan = rng.choice(removed)
        elif kind == "offboard":
            restorable = [record for record in self.records if record["reported"]]
            last = self.last_offboard
            if last and last["failed"] and last["record"] and rng.random() < RERUN_SHARE:
                # A partial failure, then the same leavers again with the same record path.
                situation.people, situation.record = last["people"], last["record"]
                situation.add("record re-run", "re-run of run %d's leavers after its failure, same record %s"
                              % (last["run"], os.path.basename(last["record"]["path"])))
                if rng.random() < WRONG_PATH_SHARE:
                    situation.wrong_path = rng.choice(UNKNOWN_PATH_ANSWERS)
            elif restorable and rng.random() < RESTORE_SHARE:
                self._restore(situation, rng.choice(restorable), rng, state)
            else:
                if rng.random() < WRONG_PATH_SHARE:
                    situation.wrong_path = rng.choice(UNKNOWN_PATH_ANSWERS)
                if self.records and rng.random() < APPEND_SHARE:
                    situation.record = rng.choice(self.records)
                    situation.add("record append", "other leavers, appended to the record %s"
                                  % os.path.basename(situation.record["path"]))
                if removed and rng.random() < 0.5:
                    situation.removed_in_plan = rng.choice(removed)
        if number == self.removal_at and self.removal_product not in removed:
            situation.changes.setdefault("remove", []).append(self.removal_product)
        if situation.changes.get("remove") and not situation.kind == "restore":
            situation.add("product removed", "%s becomes Removed before this run" % ", ".join(situation.changes["remove"]))
        if situation.wrong_path:
            situation.add("wrong Store path", "Store api_url without /V1, unknown paths answered as %s"
                          % situation.wrong_path)
        if situation.removed_in_plan:
            situation.add("Removed product in plan", "%s (Removed) %s" % (
                situation.removed_in_plan, "asked for" if kind == "onboard" else "held by a leaver"))
        return situation

    def _forced(self, situation, nth, state, removed):
        """The smoke test's fixed places: onboard 1 asks for a product just Removed, offboard 1
        meets a wrong Store path (starting a record), onboard 2 too, offboard 2 re-runs
        offboard 1 with its record, offboard 3 restores that record after a recorded person
        was disabled and the Restricted product filled."""
        open_product = "CFQ7SOAKOPEN/0001"
        if situation.kind == "onboard" and nth == 1:
            if open_product not in removed:
                situation.changes["remove"] = [open_product]
            situation.removed_in_plan = open_product
        elif situation.kind == "onboard" and nth == 2:
            situation.wrong_path = "html"
        elif situation.kind == "offboard" and nth == 1:
            situation.wrong_path = "json"
            situation.new_record = True
            situation.add("record started", "a record at a fixed path, for the re-run")
            if open_product in removed:
                situation.removed_in_plan = open_product
        elif situation.kind == "offboard" and nth == 2 and self.last_offboard and self.last_offboard["record"]:
            last = self.last_offboard
            situation.people, situation.record = last["people"], last["record"]
            situation.add("record re-run", "re-run of run %d's leavers, same record %s"
                          % (last["run"], os.path.basename(last["record"]["path"])))
        elif situation.kind == "offboard" and nth == 3:
            restorable = [record for record in self.records if record["reported"] and os.path.exists(record["path"])]
            if restorable:
                self._restore(situation, restorable[0], None, state)

    def _restore(self, situation, record, rng, state):
        """A restore of ``record``; before it, some recorded people are disabled, a recorded
        Restricted product is filled or a recorded Store product removed (``rng`` None: the
        first two, as the smoke test wants)."""
        situation.kind = "restore"
        situation.record = record
        recorded = (os.path.basename(record["path"]), len(record["reported"]))
        situation.add("restore", "restore of %s (%d seats recorded)" % recorded)
        people = sorted(set(population.number_of(key) for platform, _product, key in record["reported"]
                            if platform == "datadog") - self.disabled - {None})
        products = sorted(set(product for platform, product, _key in record["reported"] if platform == "msstore"))
        removed = population.removed(state)
        if people and (rng is None or rng.random() < 0.6):
            chosen = people[:1] if rng is None else sorted(rng.sample(people, min(len(people), rng.randint(1, 2))))
            situation.changes["disabled"] = chosen
            situation.add("restore: people disabled", "disabled before the restore: %s"
                          % ", ".join(population.email(n) for n in chosen))
        restricted = [key for key, (policy, _cap, _n) in sorted(population.STORE_PRODUCTS.items())
                      if policy == "Restricted" and key not in removed]
        if restricted and (rng is None or rng.random() < 0.3):
            situation.changes["fill"] = restricted[:1]
            situation.add("restore: product full", "%s filled before the restore" % restricted[0])
        candidates = [key for key in products if key not in removed and key not in situation.changes.get("fill", [])]
        if rng is not None and candidates and rng.random() < 0.2:
            situation.changes["remove"] = [rng.choice(candidates)]
            situation.add("restore: product removed", "%s Removed before the restore" % situation.changes["remove"][0])

    # -- after the run -------------------------------------------------------------------

    def judge(self, situation, extra, before, after, entries, rc, requests, sandbox_url):
        """The situation's own rules (soak_check); also remembers records and leavers."""
        tenant = population.TENANT
        problems = []
        kind = situation.kind
        if population.removed(before):
            asked = None
            if kind == "onboard":
                upns = [population.upn(n) for n in sorted(population._numbers(extra["people"]))]
                asked = dict((product.strip(), upns) for product in extra["msstore_products"].split(",") if product.strip())
            problems.extend(soak_check.check_removed(before, after, entries, requests, tenant, kind, asked))
        if situation.wrong_path:
            problems.extend(soak_check.check_wrong_store_path(before, after, entries, rc, tenant, kind, sandbox_url))
        if kind == "offboard":
            numbers = sorted(population._numbers(extra["people"]))
            leavers = {"datadog": [population.email(n) for n in numbers], "msstore": [population.upn(n) for n in numbers]}
            problems.extend(soak_check.check_leavers(after, entries, rc, tenant, leavers, sorted(population.DD_PRODUCTS)))
            problems.extend(self._record_after(situation, extra, entries, rc))
        if kind == "restore":
            problems.extend(soak_check.check_restore(before, after, entries, rc, tenant, situation.record["reported"],
                                                     self._cannot(situation.record["reported"], before)))
        return problems

    def _record_after(self, situation, extra, entries, rc):
        results = [r for r in soak_check.action_results(entries, soak_check.SEAT_RUN_ACTIONS[1]) if r.get("mode") == "apply"]
        result = results[0] if results else {}
        path = situation.record["path"] if situation.record else result.get("record_path")
        reported = soak_check.reported_reclaims(entries)
        record = self.record_for(path) if path else None
        if record is not None:
            record["reported"] |= reported
            record["runs"] += int(bool(reported or result.get("failures")))
        self.last_offboard = {"run": situation.number, "people": extra["people"], "failed": rc != 0, "record": record}
        if record is None:
            return ["the offboarding reported reclaims but wrote no record"] if reported else []
        if not os.path.exists(path):
            return ["the record %s is missing after %d run(s) wrote to it" % (os.path.basename(path), record["runs"])] \
                if record["runs"] else []
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError) as exc:
            data = "%s: %s" % (os.path.basename(path), exc)
        return soak_check.check_record(data, record["reported"], record["runs"])

    def _cannot(self, seats, before):
        """Recorded seats that cannot be given back (and were not held before the restore):
        the person is disabled, the product Removed, or a Restricted product has fewer free
        seats than the restore needs."""
        holders = soak_check.holders_by_product(before, population.TENANT)
        store = soak_check.store_products(before, population.TENANT)
        missing = [seat for seat in seats if seat[2] not in holders.get(seat[1], [])]
        out = set()
        for platform, product, key in missing:
            if platform == "datadog":
                number = population.number_of(key)
                if number is not None and not population.eligible(number, self.disabled):
                    out.add((platform, product, key))
                continue
            entry = store.get(product)
            needed = len([seat for seat in missing if seat[1] == product])
            if entry is None or entry.get("status") == "Removed" or (
                    entry["distribution_policy"] == "Restricted" and needed > entry["available_seats"]):
                out.add((platform, product, key))
        return out


def attach_reports(entries):
    """The reconcile action reports per-product outcomes in its JSON report: load it."""
    for entry in entries:
        path = (entry.get("result") or {}).get("report_json")
        if entry.get("action") != soak_check.RECONCILE_ACTION or not path:
            continue
        try:
            with open(path, encoding="utf-8") as handle:
                entry["report"] = json.load(handle)
        except (OSError, ValueError) as exc:
            entry["report_error"] = "cannot read %s: %s" % (os.path.basename(path), exc)


def failure_messages(entries):
    """What each failed seat-module call (module results, reconcile report rows) and each
    other failed task said."""
    def short(text):
        return " ".join(str(text or "failed").split())[:240]

    out = ["%s: %s" % (module.product, short(module.result.get("msg")))
           for module in soak_check.module_results(entries) if module.failed]
    for entry in entries:
        if entry.get("status") == "failed" and entry.get("action") not in soak_check.SEAT_ACTIONS:
            out.append("%s: %s" % (entry["task"].split(" : ")[-1], short(entry["result"].get("msg"))))
    return out


def failure_cause(msg):
    if "Refusing to reclaim" in msg:
        return "reclaim guard"
    if "Refusing to end with" in msg:
        return "ceiling (max_holders)"
    if "not enough seats" in msg or "NoSeatsAvailable" in msg or "seat limit" in msg.lower():
        return "no seats left"
    if "assigns no new seats" in msg or "removed from the inventory" in msg:
        return "Removed product"
    if "disabled" in msg.lower():
        return "person disabled"
    if "404" in msg:
        return "wrong api_url (404)"
    return "API errors after retries"


def failure_causes(entries):
    """Failed products (seat-module results, a failed Store lookup of the leavers' seats) and
    seats a restore could not give back, by cause: a refusal by design, a wrong address, or
    API errors after retries."""
    causes = {}
    for module in soak_check.module_results(entries):
        if module.failed:
            cause = failure_cause(str(module.result.get("msg") or ""))
            causes[cause] = causes.get(cause, 0) + 1
    for result in soak_check.action_results(entries, soak_check.SEAT_RUN_ACTIONS[1]):
        for failure in result.get("failures") or []:
            if failure.get("product") is None:
                cause = failure_cause(str(failure.get("reason") or ""))
                causes[cause] = causes.get(cause, 0) + 1
        if result.get("not_restored"):
            for item in result["not_restored"]:
                cause = "not restored: " + failure_cause(str(item.get("reason") or ""))
                causes[cause] = causes.get(cause, 0) + 1
    return causes


def format_line(line):
    if line["timed_out"]:
        status = "TIMED OUT"
    elif line["mismatches"] or line["unclean"] or line["tracebacks"]:
        status = "PROBLEM"
    elif line["rc"] != 0:
        status = "failed (clean)"
    else:
        status = "ok"
    faults = ", ".join("%s %d" % (k, n) for k, n in sorted(line["faults"].items()) if n)
    return ("run %4d %-9s %-15s %5.1fs %4d requests  faults: %-32s +%d -%d seats"
            % (line["run"], line["kind"], status, line["seconds"], line["requests"], faults or "none",
               line["assigned"], line["reclaimed"]))


def check_admin_unfaulted(sandbox):
    """Admin reads must never be faulted (the soak trusts them); API calls must be."""
    sandbox.faults([{"status": 500}, {"drop": True}], seed=1)
    try:
        for _attempt in range(3):
            sandbox.state()
            sandbox.requests()
        fired = [rule["fired"] for rule in sandbox.fault_state()["rules"]]
        if any(fired):
            raise SystemExit("soak: the sandbox faulted an admin call; its state reads cannot be trusted")
        try:
            urllib.request.urlopen(sandbox.url + "/api/v2/seats/users?product_code=apm_pro", timeout=10)
        except urllib.error.HTTPError as exc:
            if exc.code != 500:
                raise SystemExit("soak: an injected 500 answered %s" % exc.code)
        else:
            raise SystemExit("soak: a fault rule did not fire on an API call")
    finally:
        sandbox.faults([])
        sandbox.clear_requests()


def print_figures(fig):
    kinds = ", ".join("%s %d" % (k, n) for k, n in sorted(fig["faults"].items()))
    print("")
    print("== fault soak: seed %d, runs %d..%d, commit %s" % (fig["seed"], fig["start"], fig["start"] + fig["runs"] - 1,
                                                              fig["commit"]))
    print("runs                 %d (%s)" % (fig["runs"], ", ".join("%s %d" % (k, v["runs"]) for k, v in fig["by_kind"].items())))
    print("runs ok              %d" % fig["runs_ok"])
    print("runs failed (clean)  %d (%s)" % (fig["runs_failed_clean"],
                                            ", ".join("%s %d" % kv for kv in sorted(fig["failure_causes"].items())) or "-"))
    print("runs failed unclean  %d (must be 0)" % fig["runs_failed_unclean"])
    print("runs timed out       %d (must be 0)" % fig["runs_timed_out"])
    print("requests             %d" % fig["requests"])
    print("faults injected      %d (%s)" % (fig["faults_total"], kinds or "none"))
    print("unexpected 5xx       %d (sandbox errors that were not injected)" % fig["unexpected_5xx"])
    print("seats changed        +%d assigned, -%d reclaimed" % (fig["seats_assigned"], fig["seats_reclaimed"]))
    print("self-claims          %d (seats kept by a grace period: %d)" % (fig["self_claims"], fig["kept_in_grace"]))
    print("mismatches           %d (must be 0)" % fig["mismatches"])
    print("tracebacks           %d (must be 0)" % fig["tracebacks"])
    print("unclean failures     %d (must be 0)" % fig["unclean_failures"])
    copilot = fig["copilot"]
    print("copilot runs         %d (ok %d, failed clean %d), %d requests, +%d -%d seats, faults: %s"
          % (copilot["runs"], copilot["ok"], copilot["failed_clean"], copilot["requests"], copilot["assigned"],
             copilot["reclaimed"], ", ".join("%s %d" % kv for kv in sorted(copilot["faults"].items())) or "none"))
    print("convergence          %s" % {True: "yes", False: "NO", None: "not run"}[fig["convergence"]])
    if fig["soak_timed_out"]:
        print("soak timed out       yes: stopped before all runs (--timeout-minutes)")
    print("wall time            %.1f s" % fig["wall_seconds"])


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="tests/soak/run.py", description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--runs", type=int, default=200, help="runs to report (default 200)")
    parser.add_argument("--seed", type=int, default=1, help="seed of people, plans and faults (default 1)")
    parser.add_argument("--start", type=int, default=0, help="first run number (replay: --start N --runs 1)")
    parser.add_argument("--epoch", type=int, default=10, help="runs that share state before a fresh population (default 10)")
    parser.add_argument("--people", type=int, default=300, help="people on each platform (default 300)")
    parser.add_argument("--jitter-ms", type=float, default=30, help="latency jitter on API answers (default 30)")
    parser.add_argument("--fault-scale", type=float, default=1.0,
                        help="multiply the fault shares (default 1: 10%% 5xx, 5%% 429, 2%% drops)")
    parser.add_argument("--run-timeout", type=float, default=240, help="seconds one playbook run may take (default 240)")
    parser.add_argument("--timeout-minutes", type=float, default=90, help="bound of the whole soak (default 90)")
    parser.add_argument("--no-converge", action="store_true", help="skip the follow-up runs without faults")
    parser.add_argument("--situations", choices=("random", "forced", "off"), default="random",
                        help="issue 10's situations (wrong Store path, Removed product, record re-runs, restores "
                             "after people were disabled): drawn at random (default), forced at fixed places of "
                             "each epoch (the smoke test), or off")
    parser.add_argument("--artifacts", default=os.path.join(REPO, "tests", "output", "soak"),
                        help="where runs with problems leave their output and states (default tests/output/soak)")
    parser.add_argument("--json", help="write the figures as JSON to this file")
    args = parser.parse_args(argv)
    if args.runs < 0 or args.start < 0 or args.epoch < 1 or args.people < 50 or args.fault_scale < 0:
        parser.error("--runs and --start must be >= 0, --epoch >= 1, --people >= 50, --fault-scale >= 0")
    return args


def main(argv=None):
    args = parse_args(argv)
    started = time.monotonic()
    deadline = started + args.timeout_minutes * 60
    workdir = tempfile.mkdtemp(prefix="seatops-soak-")
    sandbox = SoakSandbox(extra_args=["--quiet", "--fault-seed", str(derived(args.seed, "jitter"))])
    soak = None
    try:
        sandbox.start()
        check_admin_unfaulted(sandbox)
        sandbox.config(jitter_ms=args.jitter_ms)
        soak = Soak(args, sandbox, workdir)
        first = args.start - args.start % args.epoch
        print("== fault soak: seed %d, runs %d..%d, sandbox %s, faults %s, jitter %s ms"
              % (args.seed, args.start, args.start + args.runs - 1, sandbox.url,
                 ", ".join("%s %g%%" % (k, s * 100 * args.fault_scale) for k, s in FAULT_SHARES), args.jitter_ms),
              flush=True)
        if first < args.start and args.runs:
            print("== replaying runs %d..%d of epoch %d first (same faults), to rebuild the state run %d met"
                  % (first, args.start - 1, first // args.epoch, args.start), flush=True)
        for number in range(first, args.start + args.runs):
            if time.monotonic() > deadline:
                soak.figures["soak_timed_out"] = True
                print("== soak stopped: --timeout-minutes %g reached" % args.timeout_minutes, flush=True)
                break
            if number == first or number % args.epoch == 0:
                rng = random.Random(derived(args.seed, "population", number // args.epoch))
                sandbox.seed(population.seed(rng, args.people))
                soak.new_epoch(number)
            soak.run_once(number, record=number >= args.start)
        if not args.no_converge and not soak.figures["soak_timed_out"]:
            soak.converge()
    finally:
        sandbox.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    fig = soak.figures
    fig["wall_seconds"] = round(time.monotonic() - started, 1)
    fig["problems"] = soak.problems[:200]
    fig["run_lines"] = soak.runs
    print_figures(fig)
    if soak.problems:
        print("problems (first 20):")
        for problem in soak.problems[:20]:
            print("  - %s" % problem)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(fig, handle, indent=1, sort_keys=True)
    bad = (fig["mismatches"] or fig["tracebacks"] or fig["unclean_failures"] or fig["runs_timed_out"]
           or fig["soak_timed_out"] or (fig["convergence"] is False)
           or (fig["convergence"] is None and not args.no_converge))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
