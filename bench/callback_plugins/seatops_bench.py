# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark-only callback: how long each task took, and the API calls each product's module
run reported, as JSON lines in the file named by SEATOPS_BENCH_RESULTS."""

from __future__ import annotations

DOCUMENTATION = r"""
name: seatops_bench
type: aggregate
short_description: Record task durations and per-product API call counts for make bench
description:
  - Writes one JSON object per finished task (name, action, seconds, status) and one per
    product result that carries C(api_calls), to the file named by E(SEATOPS_BENCH_RESULTS).
requirements:
  - enabled in callbacks_enabled
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase

# How deep to look for per-product results inside a task result (loops, wrapper actions).
MAX_DEPTH = 4


def product_results(value, depth=0):
    """Every dict under ``value`` that has ``api_calls`` and names its product."""
    found = []
    if depth > MAX_DEPTH:
        return found
    if isinstance(value, dict):
        calls = value.get("api_calls")
        product = product_of(value)
        if isinstance(calls, dict) and product:
            found.append({"product": product, "api_calls": calls,
                          "failed": bool(value.get("failed")), "changed": bool(value.get("changed")),
                          "msg": str(value.get("msg") or value.get("error") or "")[:500]})
            return found
        for key, item in value.items():
            if key in ("invocation", "diff", "item", "assigned", "reclaimed", "seats"):
                continue
            if isinstance(item, (dict, list)):
                found.extend(product_results(item, depth + 1))
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)):
                found.extend(product_results(item, depth + 1))
    return found


def product_of(value):
    if value.get("product_code"):
        return str(value["product_code"])
    if value.get("product_id") and value.get("sku_id"):
        return "%s/%s" % (value["product_id"], value["sku_id"])
    product = value.get("product")
    if isinstance(product, str) and product:
        return product
    organization = value.get("organization")  # github_copilot_seats
    if isinstance(organization, str) and organization:
        return organization
    return None


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "seatops_bench"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._started = {}

    def _write(self, entry):
        path = os.environ.get("SEATOPS_BENCH_RESULTS")
        if not path:
            return
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, default=str) + "\n")

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._started[task._uuid] = time.monotonic()

    def v2_playbook_on_handler_task_start(self, task):
        self._started[task._uuid] = time.monotonic()

    def _finished(self, status, result):
        task = result._task
        started = self._started.get(task._uuid)
        self._write({
            "kind": "task",
            "task": task.get_name(),
            "action": task.action,
            "status": status,
            "seconds": None if started is None else round(time.monotonic() - started, 3),
        })
        for item in product_results(result._result):
            item["kind"] = "product"
            item["task"] = task.get_name()
            self._write(item)

    def v2_runner_on_ok(self, result):
        self._finished("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._finished("ignored" if ignore_errors else "failed", result)

    def v2_runner_on_skipped(self, result):
        self._finished("skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._finished("unreachable", result)
