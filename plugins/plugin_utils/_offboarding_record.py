# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The offboarding record: what each offboarding run reclaimed, kept so it can be undone.

Format ``seatops.seats.offboarding_record/2``: one file holding a list of runs. A run that
reclaimed seats or met errors is appended; nothing is ever replaced, so re-running with the
same path after a partial failure keeps what the first run reclaimed, and restore gives back
the union of every run. Format ``/1`` (one run per file, written before 0.2) is still read.
The file is written whole (a temporary file, then a rename), mode 0600: it names people.
"""

from __future__ import annotations

import json
import os

from ansible_collections.seatops.seats.plugins.plugin_utils import _seat_platforms as seat_platforms
from ansible_collections.seatops.seats.plugins.plugin_utils._seat_runs import directory_problem, write_whole

RECORD_FORMAT = "seatops.seats.offboarding_record/2"
OLD_FORMATS = ("seatops.seats.offboarding_record/1",)


class RecordError(Exception):
    """The record cannot be read or is not an offboarding record; nothing was changed."""


def new_run(reclaimed_at, people):
    run = {"reclaimed_at": reclaimed_at, "people": people}
    run.update((platform, []) for platform in seat_platforms.names())
    run.update(errors=[], reclaimed_count=0)
    return run


def read(path):
    """The record at ``path`` in format /2 (a /1 record becomes one run). Raises RecordError
    naming the path and every problem."""
    try:
        with open(path, "r") as handle:
            text = handle.read()
    except (IOError, OSError) as exc:
        raise RecordError("cannot read the offboarding record %s: %s" % (path, exc.strerror or exc))
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise RecordError("%s is not an offboarding record written by seatops.seats.offboarding (not JSON: %s)" % (path, exc))
    if not isinstance(data, dict) or data.get("format") not in (RECORD_FORMAT,) + OLD_FORMATS:
        raise RecordError("%s is not an offboarding record written by seatops.seats.offboarding (format %s or %s)"
                          % (path, RECORD_FORMAT, OLD_FORMATS[0]))
    if data["format"] in OLD_FORMATS:
        run = dict((key, value) for key, value in data.items() if key not in ("format", "check_mode"))
        data = {"format": RECORD_FORMAT, "runs": [run]}
    problems = run_problems(data.get("runs"))
    if problems:
        raise RecordError("the offboarding record %s has %d problem(s); nothing was changed: %s"
                          % (path, len(problems), "; ".join(problems)))
    data["reclaimed_count"] = sum(len(entry["users"]) for run in data["runs"] for platform in seat_platforms.names()
                                  for entry in run.get(platform) or [])
    return data


def run_problems(runs):
    """Every entry of the runs a restore could not use, each named by its place in the record."""
    if not isinstance(runs, list):
        return ["runs must be a list"]
    problems = []
    for index, run in enumerate(runs):
        where = "runs[%d]" % index
        if not isinstance(run, dict):
            problems.append("%s must be a mapping" % where)
            continue
        for platform in seat_platforms.names():
            entries = run.get(platform) or []
            if not isinstance(entries, list):
                problems.append("%s.%s must be a list" % (where, platform))
                continue
            for position, entry in enumerate(entries):
                label = "%s.%s[%d]" % (where, platform, position)
                if not isinstance(entry, dict) or not isinstance(entry.get("users"), list):
                    problems.append("%s must be a mapping with users (a list)" % label)
                    continue
                problems.extend(_entry_problems(platform, entry, label))
    return problems


def _entry_problems(platform, entry, label):
    """What a restore could not use in one product's entry, by the platform's own rules."""
    entry_platform = seat_platforms.get(platform)
    problems = []
    for field in entry_platform.product_fields:
        try:
            entry_platform.check_product_field(field, entry.get(field), "%s.%s" % (label, field))
        except ValueError as exc:
            problems.append(str(exc))
    for index, user in enumerate(entry["users"]):
        where = "%s.users[%d]" % (label, index)
        if entry_platform.person_id:
            # The module listed the person by an exact id, and a restore gives the seat
            # back by it (no lookup): every user needs one.
            kind, is_exact = entry_platform.person_id
            user_id = str(user.get("id") or "") if isinstance(user, dict) else ""
            if not is_exact(user_id.strip().lower()):
                problems.append("%s must be {id: <%s>, email: ...}, got %r" % (where, kind, user))
            continue
        try:
            entry_platform.check_name(user)
        except (ValueError, AttributeError, TypeError) as exc:
            problems.append("%s %r %s" % (where, user, exc))
    return problems


def _person_key(platform, user):
    """``(key, as kept)`` of a recorded person: by exact id or by name, without case."""
    if seat_platforms.get(platform).person_id:
        return user["id"].lower(), {"id": user["id"].lower(), "email": user.get("email")}
    return user.strip().lower(), user.strip()


def existing_problem(path, create=True):
    """Why the record path cannot take another run (None when it can): a file there that
    is not a record would be lost, and an unwritable directory would lose this run's record
    after the seats were reclaimed. Checked before any call; ``create`` makes the directory
    (not in check mode, which writes nothing)."""
    if os.path.isdir(path):
        return "%s is a directory, not a record file" % path
    if os.path.exists(path):
        try:
            read(path)
        except RecordError as exc:
            return "%s; it is never overwritten: move it away or choose another record path" % exc
    if not create:
        return None
    problem = directory_problem(os.path.dirname(os.path.abspath(path)), mode=0o700)
    return "the record directory " + problem if problem else None


def append_run(path, run):
    """Add one run to the record at ``path`` (a new record when there is none); returns the
    record written. The file is read again just before writing, so a record another run
    wrote meanwhile keeps its runs."""
    record = read(path) if os.path.exists(path) else {"format": RECORD_FORMAT, "runs": []}
    record = {"format": RECORD_FORMAT, "runs": record["runs"] + [run]}
    record["reclaimed_count"] = sum(run_entry.get("reclaimed_count") or 0 for run_entry in record["runs"])
    write_whole(path, json.dumps(record, indent=2, sort_keys=False) + "\n", 0o600)
    return record


def union(record):
    """Every seat of every run, once: ``{platform: [{<product fields>, users}]}`` in the
    order the runs first reclaimed them; people folded by exact id or by name, without case."""
    seats = {}
    for platform in seat_platforms.names():
        entry_platform = seat_platforms.get(platform)
        products = {}
        for run in record["runs"]:
            for entry in run.get(platform) or []:
                product = dict((field, entry_platform.check_product_field(field, entry[field], field))
                               for field in entry_platform.product_fields)
                users = products.setdefault(tuple(product[field] for field in entry_platform.product_fields),
                                            (product, {}))[1]
                for user in entry["users"]:
                    key, kept = _person_key(platform, user)
                    users.setdefault(key, kept)
        seats[platform] = [dict(product, users=list(users.values())) for product, users in products.values()]
    return seats
