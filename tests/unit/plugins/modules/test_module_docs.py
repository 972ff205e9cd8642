# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every module's RETURN documents each key at every depth (description, type, returned),
gives each top-level key a sample, and gives a dict or a list of dicts with fixed fields its
``contains``; every module and action page reuses ansible.builtin.action_common_attributes.

A result keyed by names (products, organizations: no fixed keys) says what its values hold
in its description instead, and is listed in KEYED_BY_NAME."""

from __future__ import annotations

import ast
import glob
import os

import pytest
import yaml

MODULES_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "plugins", "modules")
MODULE_PATHS = sorted(glob.glob(os.path.join(MODULES_DIR, "*.py")))

# (module, dotted key): dicts whose keys are names (an endpoint, a product code, an
# organization, a UPN), so their values are described in the description, not with
# ``contains``, which means fixed keys.
KEYED_BY_NAME = {
    ("datadog_seats", "api_calls"),
    ("datadog_seats_info", "seats"),
    ("datadog_seats_info", "counts"),
    ("datadog_seats_info", "ceilings"),
    ("datadog_seats_info", "api_calls"),
    ("github_copilot_seats", "api_calls"),
    ("github_copilot_seats_info", "organizations"),
    ("github_copilot_seats_info", "ceilings"),
    ("github_copilot_seats_info", "api_calls"),
    ("msstore_seat", "api_calls"),
    ("msstore_seat_info", "user_seats"),
    ("msstore_seat_info", "ceilings"),
    ("msstore_seat_info", "api_calls"),
    ("seats_reconcile", "products.api_calls"),
}

# (module, dotted key): lists whose items are another module's whole result (each seat
# module's own RETURN documents those keys, which differ per platform).
OTHER_RESULTS = {
    ("seats_onboard", "products"),
    ("seats_offboard", "products"),
}

TYPES = {"str", "int", "float", "bool", "list", "dict", "raw", "complex", "path"}


def doc_strings(path):
    """The module's DOCUMENTATION, EXAMPLES and RETURN strings, read without importing it."""
    with open(path) as handle:
        tree = ast.parse(handle.read(), path)
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id in ("DOCUMENTATION", "EXAMPLES", "RETURN"):
                found[node.targets[0].id] = ast.literal_eval(node.value)
    return found


def module_name(path):
    return os.path.splitext(os.path.basename(path))[0]


def walk(keys, prefix=""):
    for name, spec in keys.items():
        dotted = prefix + name
        yield dotted, spec
        if isinstance(spec, dict) and isinstance(spec.get("contains"), dict):
            yield from walk(spec["contains"], dotted + ".")


def problems(module, returns):
    found = []
    for dotted, spec in walk(returns):
        if not isinstance(spec, dict):
            found.append("%s: not a mapping" % dotted)
            continue
        for field in ("description", "type", "returned"):
            if not spec.get(field):
                found.append("%s: no %s" % (dotted, field))
        if spec.get("type") not in TYPES:
            found.append("%s: unknown type %r" % (dotted, spec.get("type")))
        if "." not in dotted and "sample" not in spec:
            found.append("%s: no sample" % dotted)
        nested = spec.get("type") == "dict" or (spec.get("type") == "list" and spec.get("elements") == "dict")
        exempt = (module, dotted) in KEYED_BY_NAME or (module, dotted) in OTHER_RESULTS
        if nested and not exempt and not spec.get("contains"):
            found.append("%s: a %s of fixed fields without contains" % (dotted, spec["type"]))
        if spec.get("contains") and not nested:
            found.append("%s: contains on a %s" % (dotted, spec.get("type")))
        if "sample" in spec and "." not in dotted:
            found.extend(sample_problems(dotted, spec))
    return found


def sample_problems(dotted, spec):
    sample = spec["sample"]
    kind = spec.get("type")
    expected = {"str": str, "int": int, "bool": bool, "list": list, "dict": dict, "float": (int, float),
                "path": str}.get(kind)
    if expected is not None and (not isinstance(sample, expected) or (kind == "int" and isinstance(sample, bool))):
        return ["%s: sample %r is not a %s" % (dotted, sample, kind)]
    return []


def test_there_are_modules():
    assert len(MODULE_PATHS) >= 9


@pytest.mark.parametrize("path", MODULE_PATHS, ids=module_name)
def test_return_documents_every_key(path):
    returns = yaml.safe_load(doc_strings(path)["RETURN"])
    assert returns, "empty RETURN"
    assert problems(module_name(path), returns) == []


@pytest.mark.parametrize("path", MODULE_PATHS, ids=module_name)
def test_reuses_action_common_attributes(path):
    doc = yaml.safe_load(doc_strings(path)["DOCUMENTATION"])
    assert "ansible.builtin.action_common_attributes" in doc["extends_documentation_fragment"]
    assert "seatops.seats.attributes" not in doc["extends_documentation_fragment"]


def test_the_checker_catches_what_it_should():
    returns = {
        "changed": {"description": "x", "type": "bool", "returned": "always"},
        "seats": {"description": "x", "type": "list", "elements": "dict", "returned": "always", "sample": []},
        "report": {"description": "x", "type": "dict", "returned": "always", "sample": {},
                   "contains": {"path": {"description": "x", "type": "str"}}},
        "count": {"description": "x", "type": "int", "returned": "always", "sample": "3"},
    }
    assert sorted(problems("fake", returns)) == [
        "changed: no sample",
        "count: sample '3' is not a int",
        "report.path: no returned",
        "seats: a list of fixed fields without contains",
    ]
