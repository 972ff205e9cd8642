# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The change journal: one JSON line per seat change, written as each write call returns.

Lines are flushed and fsynced batch by batch, so a run killed half-way leaves a journal
that says exactly which changes the API confirmed. It holds names and ids, never a secret.
"""

from __future__ import annotations

import datetime
import json
import os
import uuid


class Journal(object):
    def __init__(self, path, platform):
        self.path = path
        self.platform = platform
        self.run_id = str(uuid.uuid4())
        self._written = set()
        directory = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(directory):
            raise IOError("journal directory %s does not exist" % directory)

    def record_batch(self, product, action, done, failed):
        """Journal what one write call confirmed: ``done`` people and ``(person, reason)``."""
        lines = [self._line(product, action, person, "ok") for person in done]
        lines.extend(self._line(product, action, person, "failed", reason)
                     for person, reason in failed)
        self._append(lines)

    def record_reread(self, product, assigned, reclaimed, confirmed):
        """After an uncertain call, journal the changes the re-read proved and no call confirmed."""
        lines = []
        for action, people in (("assign", assigned), ("reclaim", reclaimed)):
            for person in people:
                if (action, person.key) not in self._written:
                    lines.append(self._line(product, action, person, "ok", source="re-read"))
        self._append(lines)

    def _line(self, product, action, person, outcome, reason=None, source="response"):
        if outcome == "ok":
            self._written.add((action, person.key))
        entry = {
            "time": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "run_id": self.run_id,
            "platform": self.platform,
            "product": product,
            "action": action,
            "user": person.label,
            "id": person.key,
            "outcome": outcome,
            "source": source,
        }
        if reason:
            entry["reason"] = reason
        return json.dumps(entry, sort_keys=True)

    def _append(self, lines):
        if not lines:
            return
        with open(self.path, "a") as handle:
            handle.write("\n".join(lines) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
