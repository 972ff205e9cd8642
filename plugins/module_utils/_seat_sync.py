# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The sync engine: desired users and current holders in, a plan and a true result out.

It is the same for every platform. A platform supplies a *backend* (see :class:`SeatBackend`)
that reads holders and executes batches; the engine decides what to do, keeps recently
assigned seats through a grace period, guards against mass reclaims and against ending above
the user's ceiling, stops before any write in check mode, reclaims before it assigns, and
reports per-user outcomes from what the backend confirmed, re-reading holders when a write's
outcome is uncertain.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import re


class SeatSyncError(Exception):
    """A problem found before any write (bad plan, guard, capacity): nothing was changed.

    ``facts``: what the run knew when it stopped (say the holder count), for the result."""

    def __init__(self, message, facts=None):
        super(SeatSyncError, self).__init__(message)
        self.facts = dict(facts or {})


class Person(object):
    """One seat holder or wanted holder.

    ``key`` identifies the person to the API (a Datadog user UUID, a Store UPN), lower-case;
    ``label`` is what people read (email or UPN) and what diffs list; ``view`` is what
    result lists carry (``{id, email}`` for Datadog, the UPN for the Store); ``since`` is
    when a holder's seat was assigned, as the API wrote it (ISO 8601), None when unknown.
    ``keep``: why the platform cannot reclaim this holder's seat one person at a time (a
    seat granted through a team), None when it can: the engine never plans such a reclaim
    and reports the holder as kept. ``active``: when the holder last used the seat, as the
    API wrote it, None when never or unknown (see :func:`idle_test`).
    """

    __slots__ = ("key", "label", "view", "since", "keep", "active")

    def __init__(self, key, label, view=None, since=None, keep=None, active=None):
        self.key = key
        self.label = label
        self.view = view if view is not None else label
        self.since = since
        self.keep = keep
        self.active = active

    def __repr__(self):
        return "Person(%r, %r)" % (self.key, self.label)

    def __eq__(self, other):
        return isinstance(other, Person) and other.key == self.key

    def __hash__(self):
        return hash(self.key)


class Plan(object):
    """What a run will do: each list sorted by label, each person at most once."""

    def __init__(self, to_assign, to_reclaim, unchanged, exclusive_reclaims, kept_in_grace=(),
                 kept_seats=(), idle=()):
        self.to_assign = to_assign
        self.to_reclaim = to_reclaim
        self.unchanged = unchanged
        # Reclaims the user did not name one by one: the ones the guard is for.
        self.exclusive_reclaims = exclusive_reclaims
        # Holders exclusive would reclaim but keeps: their seat is younger than grace_days.
        self.kept_in_grace = list(kept_in_grace)
        # Holders exclusive (or the idle rule) would reclaim but the platform cannot reclaim
        # one by one (Person.keep says why).
        self.kept_seats = list(kept_seats)
        # Holders of to_reclaim that are reclaimed because they are idle, not named.
        self.idle = list(idle)

    @property
    def empty(self):
        return not self.to_assign and not self.to_reclaim


class BatchOutcome(object):
    """What one write call confirmed.

    ``done``: people the call changed or found already as wanted; ``failed``: ``(person,
    reason)`` pairs; ``certain``: False when the call's effect is unknown (it timed out, was
    retried, or failed with a 5xx), so the engine must re-read before reporting.
    """

    def __init__(self, done=(), failed=(), certain=True):
        self.done = list(done)
        self.failed = list(failed)
        self.certain = certain


class SeatBackend(object):
    """The interface a platform implements for one product. Documentation, not a base to use.

    - ``product`` (str): the product as people name it, for messages.
    - ``read_holders()`` -> ``{key: Person}`` of every current holder (all pages). The
      engine plans on holders it is given and calls this only to re-read after a write whose
      outcome is uncertain.
    - ``check_plan(plan)``: raise :class:`SeatSyncError` if the plan cannot succeed (for
      example not enough seats); runs in check mode too. May return facts for the result.
      The engine reclaims before it assigns, so seats the plan reclaims are free in time.
    - ``count_holders(holders)`` (optional): how many people hold a seat of the product now,
      when the holders read are not all of them (a read user by user); default ``len``.
    - ``assign(people)`` / ``reclaim(people)`` -> iterable of :class:`BatchOutcome`, one per
      write call, yielded as each call returns so the journal can record it at once.
    - ``batch_size`` (int, optional): the most people one write call carries. When set, the
      engine hands ``assign``/``reclaim`` one call's worth of people at a time, so the
      journal's intent line ("pending") names exactly the people of one call; without it,
      one intent line covers every call of an action.
    """


def holders_digest(holders):
    """The fingerprint of a set of holders: the sha256 (hex) of their keys (the exact ids
    the API knows them by, lower-case), sorted, one per line. Saved plans carry it so an
    apply can tell whether the holders moved since the plan was made."""
    text = "\n".join(sorted(str(key) for key in holders))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_holders_digest(holders, expected, product):
    """Refuse, before any write, holders whose fingerprint is not ``expected`` (a plan's)."""
    if expected is None:
        return
    found = holders_digest(holders)
    if found == str(expected).strip().lower():
        return
    raise SeatSyncError(
        "The holders of %s changed since the plan was made (expect_holders_digest): %d hold a "
        "seat now, and their fingerprint is %s, not %s. Nothing was changed. Make a new plan "
        "(an audit) and apply that one." % (product, len(holders), found[:12], str(expected)[:12]),
        facts={"holders_count": len(holders), "holders_digest": found})


def sort_people(people):
    return sorted(people, key=lambda person: (person.label or "", person.key))


def compute_plan(desired, holders, state="present", exclusive=False, protected=(), recent=None,
                 idle=None):
    """Turn desired people and current holders into a :class:`Plan`.

    ``desired``: iterable of Person (duplicates by key are folded); ``holders``:
    ``{key: Person}``; ``protected``: keys that ``exclusive`` never reclaims; ``recent``:
    None, or a test of a holder whose seat is inside the grace period (see
    :func:`grace_test`), which ``exclusive`` keeps too; ``idle``: None, or a test of a
    holder who has not used the seat for long (see :func:`idle_test`): with ``state=present``
    such a holder is reclaimed unless named in ``desired``, protected or in grace, with or
    without ``exclusive``. Leaving people out never reclaims them otherwise; a holder whose
    ``keep`` is set is never reclaimed (it is kept and reported); ``state=absent`` never
    assigns (and knows no grace: a seat named for reclaim goes, whatever its age).
    """
    if state not in ("present", "absent"):
        raise ValueError("state must be present or absent")
    if exclusive and state != "present":
        raise ValueError("exclusive applies to state=present only")
    wanted = {}
    for person in desired:
        wanted.setdefault(person.key, person)
    protected = set(protected)
    kept, kept_seats, idle_reclaims = [], [], []
    if state == "present":
        to_assign = [person for key, person in wanted.items() if key not in holders]
        unchanged = [holders[key] for key in wanted if key in holders]
        to_reclaim = []
        for key, person in holders.items():
            if key in wanted or key in protected:
                continue
            is_idle = idle is not None and idle(person)
            if not (exclusive or is_idle):
                continue
            if person.keep:
                kept_seats.append(person)
            elif recent is not None and recent(person):
                kept.append(person)
            else:
                to_reclaim.append(person)
                if is_idle:
                    idle_reclaims.append(person)
        exclusive_reclaims = len(to_reclaim)
    else:
        to_assign = []
        to_reclaim = [holders[key] for key in wanted if key in holders]
        unchanged = [person for key, person in wanted.items() if key not in holders]
        exclusive_reclaims = 0
    return Plan(sort_people(to_assign), sort_people(to_reclaim), sort_people(unchanged),
                exclusive_reclaims, sort_people(kept), sort_people(kept_seats),
                sort_people(idle_reclaims))


_TIMESTAMP = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
                        r"\s*(Z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE)


def parse_timestamp(text):
    """An ISO 8601 time as the APIs write it (``2026-11-28T09:30:00.123Z``) as an aware
    datetime; a time without a zone is UTC. None when ``text`` is not such a time."""
    match = _TIMESTAMP.match(str(text or "").strip())
    if not match:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    offset = datetime.timedelta(0)
    if zone and zone.upper() != "Z":
        digits = zone[1:].replace(":", "")
        offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        offset = -offset if zone[0] == "-" else offset
    try:
        moment = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute),
                                   int(second or 0), tzinfo=datetime.timezone.utc)
    except ValueError:
        return None
    return moment - offset


def grace_test(grace_days, now=None):
    """None when ``grace_days`` is 0; else a test: was this holder's seat assigned less than
    ``grace_days`` days before ``now``? A holder whose date is missing or unreadable is not
    in grace: the grace period keeps only seats it can show are recent."""
    if not grace_days:
        return None
    now = now or datetime.datetime.now(datetime.timezone.utc)
    cutoff = now - datetime.timedelta(days=grace_days)

    def recent(person):
        assigned = parse_timestamp(person.since)
        return assigned is not None and assigned > cutoff

    return recent


def idle_test(inactive_days, now=None):
    """None when ``inactive_days`` is None; else a test: has this holder not used the seat
    for ``inactive_days`` days before ``now``? The last use is ``active``, or, for a holder
    who never used it, when the seat was assigned (``since``). A holder with neither date
    readable is not idle: the rule reclaims only seats it can show are unused."""
    if inactive_days is None:
        return None
    now = now or datetime.datetime.now(datetime.timezone.utc)
    cutoff = now - datetime.timedelta(days=inactive_days)

    def idle(person):
        last = parse_timestamp(person.active) or parse_timestamp(person.since)
        return last is not None and last <= cutoff

    return idle


def check_whole_number(value, field):
    """``value`` as an int >= 0 (None stays None); SeatSyncError naming ``field`` otherwise."""
    if value is None:
        return None
    if not isinstance(value, bool):
        if isinstance(value, int) and value >= 0:
            return value
        match = _COUNT.match(str(value)) if not isinstance(value, int) else None
        if match:
            return int(match.group(1))
    raise SeatSyncError("%s must be a whole number (0 or more), got %r" % (field, value))


_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
_COUNT = re.compile(r"^\s*(\d+)\s*$")


def parse_max_reclaims(value, field="max_reclaims"):
    """Validate a guard value: a whole number >= 0 or a percentage 0-100 such as ``"10%"``.

    Returns ``("count", n)`` or ``("percent", p)``; raises SeatSyncError naming the field.
    """
    if isinstance(value, bool):
        raise SeatSyncError("%s must be a whole number or a percentage like '10%%', got %r"
                            % (field, value))
    if isinstance(value, int):
        if value < 0:
            raise SeatSyncError("%s must not be negative, got %d" % (field, value))
        return ("count", value)
    text = str(value)
    match = _COUNT.match(text)
    if match:
        return ("count", int(match.group(1)))
    match = _PERCENT.match(text)
    if match:
        percent = float(match.group(1))
        if percent > 100:
            raise SeatSyncError("%s percentage must be between 0%% and 100%%, got %s"
                                % (field, text.strip()))
        return ("percent", percent)
    raise SeatSyncError("%s must be a whole number or a percentage like '10%%', got %r"
                        % (field, value))


def reclaim_limit(max_reclaims, holders_count):
    """How many seats ``exclusive`` may reclaim: a count, or a percentage of current holders
    rounded up (so "10%" of 5 holders still allows one)."""
    kind, amount = parse_max_reclaims(max_reclaims)
    if kind == "count":
        return amount
    return int(math.ceil(amount * holders_count / 100.0))


def check_reclaim_guard(plan, holders_count, max_reclaims, product):
    """Refuse, before any write, a plan that would reclaim more than allowed seats nobody
    named one by one (``exclusive``, or holders found idle).

    The message says how many seats the run would have reclaimed, the limit, what the
    desired list looked like, and both ways on: raise the limit, or fix the list's source.
    """
    limit = reclaim_limit(max_reclaims, holders_count)
    if plan.exclusive_reclaims <= limit:
        return
    wanted = len(plan.to_assign) + len(plan.unchanged)
    if plan.idle and len(plan.idle) == plan.exclusive_reclaims:
        desired = ("All %d are idle (reclaim_inactive_days); if that many seats are really "
                   "unused, the limit is what stops them." % len(plan.idle))
    elif wanted == 0:
        desired = "The desired list is empty, so every holder not in protected would lose their seat."
    else:
        desired = ("The desired list names %d user(s), %d of them holding a seat now; every other "
                   "holder not in protected would lose theirs." % (wanted, len(plan.unchanged)))
    percent = int(math.ceil(plan.exclusive_reclaims * 100.0 / holders_count)) if holders_count else 100
    raise SeatSyncError(
        "Refusing to reclaim %d of %d seats of %s: max_reclaims is %s (%d seats). %s Nothing "
        "was changed. If the desired list is right, raise max_reclaims to at least %d (or "
        "'%d%%') for this run; if it came back empty or truncated (a broken export?), fix its "
        "source and run again."
        % (plan.exclusive_reclaims, holders_count, product, max_reclaims, limit, desired,
           plan.exclusive_reclaims, percent))


def check_ceiling(plan, holders_now, max_holders, product):
    """Refuse, before any write, a plan that assigns and would end above ``max_holders``.

    A plan that assigns nobody only keeps or lowers the count, so it goes ahead even above
    the ceiling: it is how a product gets back under it (the caller says it is still above).
    """
    if max_holders is None or not plan.to_assign:
        return
    after = holders_now + len(plan.to_assign) - len(plan.to_reclaim)
    if after <= max_holders:
        return
    raise SeatSyncError(
        "Refusing to end with %d holders of %s: max_holders is %d. %d hold a seat now; this run "
        "would assign %d and reclaim %d. Nothing was changed. If %d seats are wanted, raise "
        "max_holders to at least %d; if not, reclaim at least %d seat(s) first (state=absent for "
        "people who should not hold one) and run again."
        % (after, product, max_holders, holders_now, len(plan.to_assign), len(plan.to_reclaim),
           after, after, after - max_holders),
        facts={"holders_count": holders_now})


def synchronise(backend, desired, holders, state="present", exclusive=False, protected=(),
                max_reclaims="10%", check_mode=False, journal=None, skipped=(), diff=False,
                max_holders=None, grace_days=0, now=None, inactive_days=None):
    """Plan, guard, and (unless check mode) apply; return the result dict.

    ``holders``: ``{key: Person}``, the holders the caller read (``backend.read_holders()``
    or the platform's own first read) and planned its names on; the engine plans on the same
    read, and calls ``backend.read_holders()`` only to re-read after an uncertain write.
    ``skipped``: ``[{"user", "reason"}]`` for names that were left out before planning
    (unknown, disabled...). ``max_holders``: the ceiling (see :func:`check_ceiling`);
    ``grace_days``: with ``exclusive``, holders whose seat is younger are kept (``now``: the
    time they are measured from, for tests); ``inactive_days``: holders idle that long are
    reclaimed unless named (see :func:`idle_test`). The result carries ``changed``, ``assigned``,
    ``reclaimed`` (views), ``unchanged`` (count), ``kept_in_grace`` (``[{"user",
    "assigned_at"}]``), ``skipped_users``, ``failed_users`` (``[{"user", "reason"}]``),
    ``holders_count`` (after) and, with ``diff``, ``diff``.
    """
    before = holders
    idle = idle_test(inactive_days, now) if state == "present" else None
    plan = compute_plan(desired, before, state, exclusive, protected, grace_test(grace_days, now),
                        idle)
    if exclusive or idle is not None:
        check_reclaim_guard(plan, len(before), max_reclaims, backend.product)
    check_ceiling(plan, getattr(backend, "count_holders", len)(before), max_holders, backend.product)
    facts = backend.check_plan(plan) or {}

    if check_mode:
        assigned, reclaimed, failures = plan.to_assign, plan.to_reclaim, []
        after_keys = (set(before) | set(p.key for p in assigned)) - set(p.key for p in reclaimed)
        after_labels = _labels_after(before, assigned, reclaimed)
    else:
        assigned, reclaimed, failures, after = _apply(backend, plan, before, journal)
        after_keys = set(after)
        after_labels = sorted(person.label or person.key for person in after.values())

    result = {
        "changed": bool(assigned or reclaimed),
        "assigned": [person.view for person in assigned],
        "reclaimed": [person.view for person in reclaimed],
        "unchanged": len(plan.unchanged),
        "kept_in_grace": [{"user": person.label, "assigned_at": person.since}
                          for person in plan.kept_in_grace],
        "skipped_users": list(skipped),
        "failed_users": [{"user": person.label, "reason": reason} for person, reason in failures],
        "holders_count": len(after_keys),
    }
    if plan.kept_seats:
        # Platforms whose holders may be kept this way return it always (their result_facts).
        result["kept_seats"] = [{"user": person.label, "reason": person.keep}
                                for person in plan.kept_seats]
    if inactive_days is not None:
        result["idle_reclaimed"] = [{"user": person.label, "last_activity_at": person.active}
                                    for person in plan.idle if person.key in reclaimed_keys(reclaimed)]
    result.update(facts)
    if diff:
        result["diff"] = {
            "before": sorted(person.label or person.key for person in before.values()),
            "after": after_labels,
        }
    return result


def reclaimed_keys(reclaimed):
    return set(person.key for person in reclaimed)


def _labels_after(before, assigned, reclaimed):
    labels = dict((key, person.label or key) for key, person in before.items())
    for person in assigned:
        labels[person.key] = person.label or person.key
    for person in reclaimed:
        labels.pop(person.key, None)
    return sorted(labels.values())


UNKNOWN_OUTCOME = "outcome unknown"


def _apply(backend, plan, before, journal):
    """Execute the plan batch by batch; return (assigned, reclaimed, failures, holders after).

    Reclaims go first: Datadog bills the month's peak number of holders, so a swap that
    assigned first would pay for a seat nobody needed, and a full Store product needs the
    seats freed before it can give them again.

    What an answer confirmed (``done``, even from a call that needed retries, and the
    failures of a certain call) is true and journaled at once. The rest of a batch whose
    call was uncertain stays *unsettled*: a fresh read of the holders decides it, and when
    that read fails too, the result and the journal both call it unknown.
    """
    failures = {}
    confirmed = {"assign": set(), "reclaim": set()}
    # People of a started write call whose outcome no answer established; the journal's
    # open batches hold exactly these people, so both settle them the same way.
    unsettled = {}
    uncertain = False
    stop_reason = None
    for action, people in (("reclaim", plan.to_reclaim), ("assign", plan.to_assign)):
        if not people:
            continue
        if stop_reason:
            for person in people:
                failures[person.key] = (person, "not attempted: %s" % stop_reason)
            continue
        execute = backend.assign if action == "assign" else backend.reclaim
        # One intent line per write call goes to the journal before the call is sent, so
        # the backend gets the people one write call at a time when it says how many fit.
        size = getattr(backend, "batch_size", None) or len(people)
        try:
            for start in range(0, len(people), size):
                batch_people = people[start:start + size]
                batch = None
                if journal is not None:
                    batch = journal.record_pending(backend.product, action, batch_people)
                unsettled.update((person.key, person) for person in batch_people)
                for outcome in execute(batch_people):
                    uncertain = uncertain or not outcome.certain
                    settled_failures = _note_outcome(outcome, action, confirmed, failures, unsettled)
                    if journal is not None:
                        journal.record_batch(backend.product, action, outcome.done,
                                             settled_failures, batch=batch)
        except Exception as exc:  # the backend stopped: report who was not done, not a trace
            stop_reason = str(exc)
            uncertain = True
            for person in people:
                if person.key not in confirmed[action] and person.key not in failures:
                    failures[person.key] = (person, stop_reason)

    if uncertain:
        reread_error = None
        try:
            after = backend.read_holders()
        except Exception as exc:
            after = None
            reread_error = str(exc)
        if after is not None:
            assigned = [p for p in plan.to_assign if p.key in after or p.key in confirmed["assign"]]
            reclaimed = [p for p in plan.to_reclaim
                         if p.key not in after or p.key in confirmed["reclaim"]]
            still = _reconcile_failures(plan, after, failures, confirmed)
            if journal is not None:
                journal.record_reread(backend.product, assigned, reclaimed, confirmed, still)
            return assigned, reclaimed, still, after
        # Holders could not be read again: what answers confirmed stands; for each unsettled
        # person the result says "outcome unknown", as the journal's "unknown" line does, so
        # the next run (which reads first) can repair it.
        if journal is not None:
            journal.record_unknown(backend.product, "re-reading holders failed: %s" % reread_error)
        for key, person in unsettled.items():
            reason = failures.get(key, (person, "no answer"))[1]
            failures[key] = (person, "%s: %s; re-reading holders also failed: %s"
                             % (UNKNOWN_OUTCOME, reason, reread_error))

    assigned = [p for p in plan.to_assign if p.key in confirmed["assign"]]
    reclaimed = [p for p in plan.to_reclaim if p.key in confirmed["reclaim"]]
    after = dict(before)
    for person in assigned:
        after[person.key] = person
    for person in reclaimed:
        after.pop(person.key, None)
    return assigned, reclaimed, sort_failures(failures.values()), after


def _note_outcome(outcome, action, confirmed, failures, unsettled):
    """Take one call's outcome into the run's books; return the failures it settled.

    ``done`` people are confirmed by the answer whether or not the call was retried (both
    APIs answer an already-made change as success). The failures of an uncertain call are
    noted with their reason but stay unsettled until the re-read."""
    for person in outcome.done:
        confirmed[action].add(person.key)
        unsettled.pop(person.key, None)
    for person, reason in outcome.failed:
        failures[person.key] = (person, reason)
    if not outcome.certain:
        return []
    for person, _reason in outcome.failed:
        unsettled.pop(person.key, None)
    return list(outcome.failed)


def _reconcile_failures(plan, after, failures, confirmed):
    """After a re-read: a person failed exactly when no answer confirmed the change and the
    read shows it did not happen."""
    still = []
    for person in plan.to_assign:
        if person.key not in after and person.key not in confirmed["assign"]:
            reason = failures.get(person.key, (person, "not seated after the call"))[1]
            still.append((person, reason))
    for person in plan.to_reclaim:
        if person.key in after and person.key not in confirmed["reclaim"]:
            reason = failures.get(person.key, (person, "still seated after the call"))[1]
            still.append((person, reason))
    return sort_failures(still)


def sort_failures(failures):
    return sorted(failures, key=lambda item: (item[0].label or "", item[0].key))
