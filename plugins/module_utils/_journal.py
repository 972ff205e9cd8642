# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The change journal: JSON lines, one intent line before each write call and one outcome
line per user after it.

Every line is flushed and fsynced before the engine goes on, so a run killed at any point
leaves a journal that says exactly what may have changed. It holds names and ids, never a
secret. Every line has ``time``, ``run_id``, ``platform``, ``product``, ``action``
(``assign`` or ``reclaim``), ``batch`` (1, 2, ... within the run; absent on lines written
without an intent line) and ``outcome``:

- ``pending``: written *before* a write call is sent, with ``users`` (labels), ``ids``
  (keys, in the same order) and ``count``. It says "these changes may happen from now on".
- ``ok``: one per user whose change the API confirmed (``source: response``, written as the
  answer arrives, also when the call needed retries: both APIs answer a change already made
  as success) or that a re-read of the holders proved (``source: re-read``), with ``user``
  and ``id``.
- ``failed``: one per user whose change did not happen, with ``reason``; ``source`` as above.
- ``unknown``: one per user of a batch whose outcome nobody could establish (the call's
  effect was uncertain and re-reading the holders failed too), with ``reason``. The
  module's result says the same of that user: a ``failed_users`` entry whose ``reason``
  starts with ``outcome unknown``.

A batch is *settled* when each of its users has an outcome line with the same ``run_id``
and ``batch``. A run that ended, however it ended, leaves every batch settled; a batch left
pending means the run was killed between sending that call and recording its answer, and
only the platform's state can tell whether the call took effect (re-run the task: it reads
the holders first, and repairs what is missing).
"""

from __future__ import annotations

import datetime
import json
import os
import uuid


def check_journal_path(path):
    """Return None if ``path`` can serve as a journal, else what is wrong (for ``journal:``)."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        return "journal directory %s does not exist" % directory
    if os.path.isdir(path):
        return "%s is a directory; give the path of a file, for example %s" % (
            path, os.path.join(path, "seats-journal.jsonl"))
    if os.path.exists(path):
        if not os.access(path, os.W_OK):
            return "journal file %s is not writable" % path
    elif not os.access(directory, os.W_OK | os.X_OK):
        return "journal directory %s is not writable" % directory
    return None


class Journal(object):
    def __init__(self, path, platform):
        problem = check_journal_path(path)
        if problem:
            raise IOError(problem)
        self.path = path
        self.platform = platform
        self.run_id = str(uuid.uuid4())
        self._written = set()
        self._batches = 0
        # batch -> (product, action, {key: person}) of users without an outcome line yet.
        self._open = {}

    def record_pending(self, product, action, people):
        """Before a write call: one intent line naming every user the call carries.

        Returns the batch number to pass to :meth:`record_batch` with the call's outcome."""
        people = list(people)
        self._batches += 1
        batch = self._batches
        self._open[batch] = (product, action, dict((person.key, person) for person in people))
        entry = self._entry(product, action, "pending", batch)
        entry.update({
            "users": [person.label for person in people],
            "ids": [person.key for person in people],
            "count": len(people),
        })
        self._append([json.dumps(entry, sort_keys=True)])
        return batch

    def record_batch(self, product, action, done, failed, batch=None):
        """Journal what one write call confirmed: ``done`` people and ``(person, reason)``."""
        lines = [self._line(product, action, person, "ok", batch=batch) for person in done]
        lines.extend(self._line(product, action, person, "failed", reason, batch=batch)
                     for person, reason in failed)
        self._append(lines)

    def record_reread(self, product, assigned, reclaimed, confirmed, failed=()):
        """After an uncertain call, settle by a fresh read of the holders: ``ok`` for the
        changes the read proved and no call confirmed, ``failed`` (``(person, reason)``) for
        users of still open batches whose change the read shows did not happen."""
        lines = []
        for action, people in (("assign", assigned), ("reclaim", reclaimed)):
            for person in people:
                if (action, person.key) not in self._written:
                    lines.append(self._line(product, action, person, "ok", source="re-read",
                                            batch=self._batch_of(product, action, person.key)))
        for person, reason in failed:
            for batch, (batch_product, action, open_people) in sorted(self._open.items()):
                if batch_product == product and person.key in open_people:
                    lines.append(self._line(product, action, person, "failed", reason,
                                            source="re-read", batch=batch))
        self._append(lines)

    def record_unknown(self, product, reason):
        """Settle the open batches of ``product`` as unknown: nothing could tell what happened."""
        lines = []
        for batch, (batch_product, action, open_people) in sorted(self._open.items()):
            if batch_product != product:
                continue
            for person in sorted(open_people.values(), key=lambda item: item.key):
                lines.append(self._line(product, action, person, "unknown", reason,
                                        source="none", batch=batch))
        self._append(lines)

    def _batch_of(self, product, action, key):
        for batch, (batch_product, batch_action, open_people) in sorted(self._open.items()):
            if batch_product == product and batch_action == action and key in open_people:
                return batch
        return None

    def _entry(self, product, action, outcome, batch):
        entry = {
            "time": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "run_id": self.run_id,
            "platform": self.platform,
            "product": product,
            "action": action,
            "outcome": outcome,
        }
        if batch is not None:
            entry["batch"] = batch
        return entry

    def _line(self, product, action, person, outcome, reason=None, source="response",
              batch=None):
        if outcome == "ok":
            self._written.add((action, person.key))
        if batch is not None and batch in self._open:
            open_people = self._open[batch][2]
            open_people.pop(person.key, None)
            if not open_people:
                del self._open[batch]
        entry = self._entry(product, action, outcome, batch)
        entry.update({"user": person.label, "id": person.key, "source": source})
        if reason:
            entry["reason"] = reason
        return json.dumps(entry, sort_keys=True)

    def _append(self, lines):
        """Append whole lines with one write call where the OS allows, then fsync.

        A run killed in the middle of a write can leave its last line cut short; the next
        run starts on a fresh line, so the cut line stays alone (and unreadable) instead of
        corrupting the first line of the next run."""
        if not lines:
            return
        data = ("\n".join(lines) + "\n").encode("utf-8")
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                data = b"\n" + data
            while data:
                written = os.write(fd, data)
                data = data[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
