# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The GitHub side of the seat modules: the sync-engine backend for one organization's
Copilot seats, and :data:`GITHUB`, what the module runner asks of GitHub for
``github_copilot_seats`` and ``github_copilot_seats_info``.

Seat states are the contract's §10.1: an active seat, direct or granted through a team, is a
holder; a seat pending cancellation is not (giving it again revokes the cancellation); a
team-granted seat is never reclaimed one person at a time (GitHub refuses it: the team must
change); an orphan seat (no assignee) is reported, never touched. The org's settings are
read first, and a plan GitHub would refuse is refused before any write.
"""

from __future__ import annotations

from ansible_collections.seatops.seats.plugins.module_utils._ceilings import (
    ceiling,
    check_ceilings,
)
from ansible_collections.seatops.seats.plugins.module_utils._github import (
    MAX_BATCH,
    WRITABLE_SETTING,
    GithubClient,
    GithubError,
    check_organization,
    connection_argument_spec,
    normalise_login,
)
from ansible_collections.seatops.seats.plugins.module_utils._module_runner import fold_names
from ansible_collections.seatops.seats.plugins.module_utils._seat_module import (
    Resolution,
    SeatPlatform,
)
from ansible_collections.seatops.seats.plugins.module_utils._seat_sync import (
    BatchOutcome,
    Person,
    SeatSyncError,
    idle_test,
)


def seat_state(seat):
    """The contract's §10.1 state of one seat: orphan, pending_cancellation, team or direct."""
    if not seat["login"]:
        return "orphan"
    if seat["pending_cancellation_date"]:
        return "pending_cancellation"
    return "team" if seat["team"] else "direct"


def holder_person(seat):
    keep = None
    if seat["team"]:
        keep = ("granted through team %s: remove the person from that team (or deselect the "
                "team) to reclaim it" % seat["team"])
    return Person(seat["login"].lower(), seat["login"], seat["login"], since=seat["created_at"],
                  keep=keep, active=seat["last_activity_at"])


def refusal_of_setting(billing, org):
    """Why GitHub would refuse every seat write of ``org`` (E1's settings), or None."""
    setting = billing.get("seat_management_setting")
    if setting != WRITABLE_SETTING:
        return ("organization %s has Copilot seat management set to %s, so GitHub refuses "
                "every seat assignment and cancellation through the API; an owner must choose "
                "'selected members' (assign_selected) in the organization's Copilot settings"
                % (org, setting))
    if billing.get("public_code_suggestions") == "unconfigured":
        return ("organization %s has no public code suggestions policy set, so GitHub refuses "
                "seat assignments; an owner must set it in the organization's Copilot policies"
                % org)
    return None


class GithubSeatsBackend(object):
    """The sync engine's backend for one organization (see ``_seat_sync.SeatBackend``)."""

    batch_size = MAX_BATCH

    def __init__(self, client, org, confirm_reclaim_all=False):
        self.client = client
        self.product = org
        self.confirm_reclaim_all = confirm_reclaim_all
        self.billing = None
        self.seats = []
        # Seats that are not holders: {login_l: seat} pending cancellation, and orphans.
        self.pending = {}
        self.orphans = 0
        # state=absent: names holding no active seat (already as wanted), see resolve.
        self.already_absent = 0
        # Seats as first read, and the people of 2xx writes whose count was short: a re-read
        # that shows no change at all may lag behind the writes (see read_holders).
        self._first_view = None
        self._short = {"assign": [], "reclaim": []}
        self._other_uncertain = False

    def first_read(self):
        """E1 (the settings every write depends on), then every seat; a failure here says
        that nothing was changed."""
        try:
            self.billing = self.client.billing(self.product)
            holders = self.read_holders()
            self._first_view = _seats_view(self.seats)
            return holders
        except GithubError as exc:
            raise GithubError("%s. Nothing was changed" % exc.message.rstrip("."),
                              status=exc.status, detail=exc.detail, retried=exc.retried)

    def read_holders(self):
        self.seats = self.client.list_seats(self.product)
        holders, self.pending, self.orphans = {}, {}, 0
        for seat in self.seats:
            state = seat_state(seat)
            if state == "orphan":
                self.orphans += 1
            elif state == "pending_cancellation":
                self.pending[seat["login"].lower()] = seat
            else:
                person = holder_person(seat)
                holders[person.key] = person
        if self._lagging():
            # GitHub took every write (2xx) but counted fewer logins than sent, and the seats
            # read again show no change at all, not even of the writes it counted: its reads
            # may lag behind its writes (contract §10.12, "do not fail on a stale re-read;
            # report what was requested"). Without this, a run right after another one
            # failed for seats that were already as wanted (an E4 for a seat GitHub already
            # holds counts 0). A re-read that shows any change is trusted as it is.
            short = self._short["assign"] + self._short["reclaim"]
            for person in self._short["assign"]:
                holders[person.key] = person
                self.pending.pop(person.key, None)
            for person in self._short["reclaim"]:
                holders.pop(person.key, None)
            self.client.warn(
                "GitHub accepted the seat changes of %s but counted fewer than were sent, and "
                "its seat list read again right after shows no change at all (GitHub may show "
                "seat changes late): they are reported as asked for; run again later, or "
                "github_copilot_seats_info, to confirm" % ", ".join(
                    sorted(person.label for person in short)))
        return holders

    def _lagging(self):
        """A re-read (not the first read) identical to the first, after writes whose only
        uncertainty is a short count of a 2xx answer."""
        if self._first_view is None or self._other_uncertain:
            return False
        return bool(self._short["assign"] or self._short["reclaim"]) and _seats_view(self.seats) == self._first_view

    def check_plan(self, plan):
        """Refuse, before any write (check mode included), a plan GitHub would refuse as a
        whole, or one that would end the org's last seat without ``confirm_reclaim_all``."""
        if plan.empty:
            return {}
        refusal = refusal_of_setting(self.billing or {}, self.product)
        if refusal:
            # The setting goes into the failed result too: RETURN promises it whenever the
            # settings were read, and it is what this failure is about.
            raise SeatSyncError(
                "GitHub would reject these changes (%d to assign, %d to reclaim): %s. Nothing "
                "was changed." % (len(plan.to_assign), len(plan.to_reclaim), refusal),
                facts={"seat_management_setting": (self.billing or {}).get("seat_management_setting")})
        holders_now = sum(1 for seat in self.seats if seat_state(seat) in ("direct", "team"))
        after = holders_now - len(plan.to_reclaim) + len(plan.to_assign)
        if plan.to_reclaim and after <= 0 and not self.confirm_reclaim_all:
            raise SeatSyncError(
                "Refusing to reclaim every Copilot seat of %s (%d): an organization without "
                "seats has its Copilot plan cancelled by GitHub. Nothing was changed. If that "
                "is what you want, set confirm_reclaim_all=true for this run."
                % (self.product, len(plan.to_reclaim)))
        return {}

    def assign(self, people):
        return self._noted("assign", self._write(self.client.add_users, people))

    def reclaim(self, people):
        return self._noted("reclaim", self._write(self.client.remove_users, people))

    def _noted(self, action, outcomes):
        """Pass each outcome on, noting what read_holders needs to tell a lagging re-read."""
        for outcome in outcomes:
            if getattr(outcome, "short", None):
                self._short[action].extend(outcome.short)
            elif not outcome.certain:
                self._other_uncertain = True
            yield outcome

    def _write(self, call, people):
        people = list(people)
        for start in range(0, len(people), MAX_BATCH):
            yield from self._write_batch(call, people[start:start + MAX_BATCH])

    def _write_batch(self, call, batch):
        """One write for ``batch``; on a 422, find who GitHub refuses by halves.

        A 422 refuses the whole request (§10.5, §10.7, §10.10): the org's setting changed
        since the read (then every write stops), a batch larger than GitHub takes, or a
        person it will not take. Halves isolate the person; a single person's 422 is theirs.
        A 2xx whose count is below the names sent may hide a name GitHub skipped: the
        outcome is uncertain, so the engine reads the seats again and decides from them.
        """
        try:
            count, retried = call(self.product, [person.view for person in batch])
        except GithubError as exc:
            if exc.status == 422:
                yield from self._refused(call, batch, exc)
                return
            if exc.status in (401, 404) or (exc.status == 403 and not exc.retried):
                raise  # the token cannot write at all: stop, the engine reports the rest
            certain = not exc.retried and exc.status is not None and 400 <= exc.status < 500
            reason = "HTTP %s: %s" % (exc.status, exc.detail) if exc.status else str(exc)
            yield BatchOutcome(failed=[(person, reason) for person in batch], certain=certain)
            return
        if count is not None and count < len(batch):
            # Nobody is confirmed: the seats read again decide. A retried call's short count
            # may be an earlier attempt that landed, or a login GitHub skipped; only a call
            # sent once can be a lagging read's (see read_holders).
            outcome = BatchOutcome(certain=False)
            if not retried:
                outcome.short = list(batch)     # GitHub took the call (2xx): see read_holders
            yield outcome
            return
        yield BatchOutcome(done=batch, certain=not retried)

    def _refused(self, call, batch, exc):
        refusal = refusal_of_setting(self.client.billing(self.product), self.product)
        if refusal:
            raise GithubError("%s (GitHub answered HTTP 422: %s)" % (refusal, exc.detail),
                              status=422, detail=exc.detail)
        if len(batch) == 1:
            yield BatchOutcome(failed=[(batch[0], "GitHub refused this login (HTTP 422: %s)"
                                        % exc.detail)], certain=not exc.retried)
            return
        yield BatchOutcome(certain=not exc.retried)
        middle = (len(batch) + 1) // 2
        for half in (batch[:middle], batch[middle:]):
            yield from self._write_batch(call, half)


def _seats_view(seats):
    """What a read showed of every seat, comparable between two reads."""
    return sorted(((seat["login"] or "").lower(), seat["pending_cancellation_date"] or "",
                   seat["team"] or "", seat["created_at"] or "") for seat in seats)


# -- the module side -----------------------------------------------------------------------

class GithubSeats(SeatPlatform):
    """GitHub Copilot for the module runner (see ``_seat_module.SeatPlatform``)."""

    errors = (GithubError,)

    def seat_options(self):
        return dict(
            reclaim_inactive_days=dict(type="int"),
            confirm_reclaim_all=dict(type="bool", default=False),
            team_granted_users=dict(type="str", default="fail", choices=["fail", "warn"]),
        )

    def info_options(self):
        return dict(
            organizations=dict(type="list", elements="str", required=True),
            users=dict(type="list", elements="str"),
            inactive_days=dict(type="int"),
            max_holders=dict(type="dict"),
        )

    def result_facts(self, params):
        return {"organization": params["organization"], "kept_seats": [],
                "pending_cancellation": [], "orphan_seats": 0}

    def connect(self, module):
        params = module.params
        return GithubClient.connect(**dict((option, params[option])
                                           for option in connection_argument_spec())), None

    def backend(self, client, context, product, users, params):
        return GithubSeatsBackend(client, product["organization"], params["confirm_reclaim_all"])

    def failure_message(self, message, params):
        org = str(params["organization"]).strip().lower()
        return message if org in message.lower() else "organization %s: %s" % (org, message)

    def resolve(self, backend, holders, users, protected, params):
        """Active holders need no call; every other login given a seat is checked to be an
        organization member first (GitHub may invite a non-member named in a write, §10.7).
        With ``state=absent``, a team-granted seat cannot be reclaimed by this module: it
        fails the task, or with ``team_granted_users=warn`` is skipped with a warning."""
        desired, unknown, refused = [], [], []
        if params["state"] == "absent":
            for name, as_given in users.items():
                person = holders.get(name)
                if person is not None and person.keep:
                    refused.append({"user": as_given, "reason": person.keep})
                elif person is not None:
                    desired.append(person)
                else:
                    # No seat, or one pending cancellation: already as wanted, so RV(unchanged)
                    # must count it; the engine only sees the holders of desired, so
                    # shape_result adds these.
                    backend.already_absent += 1
            if refused and params["team_granted_users"] == "fail":
                raise GithubError(
                    "cannot reclaim seats granted through a team (nothing was changed; set "
                    "team_granted_users=warn to reclaim the others): %s"
                    % "; ".join("%s: %s" % (item["user"], item["reason"]) for item in refused))
            return Resolution(desired, list(protected), unknown, refused)
        to_check = [name for name in users if name not in holders]
        found = backend.client.memberships(backend.product, to_check) if to_check else {}
        for name, as_given in users.items():
            if name in holders:
                desired.append(holders[name])
            elif found.get(name) == "active":
                seat = backend.pending.get(name)
                desired.append(Person(name, seat["login"] if seat else as_given, as_given))
            elif found.get(name) == "pending":
                unknown.append({"user": as_given, "reason": "has not yet accepted the invitation "
                                "to organization %s; a seat can be given once they join"
                                % backend.product})
            else:
                unknown.append({"user": as_given, "reason": "is not a member of organization %s "
                                "(or no such GitHub login, or the token cannot read memberships: "
                                "it needs read:org); GitHub would invite a non-member, so no seat "
                                "was asked for" % backend.product})
        return Resolution(desired, list(protected), unknown, refused)

    def shape_result(self, result, backend):
        result["organization"] = backend.product
        if "unchanged" in result:
            result["unchanged"] += getattr(backend, "already_absent", 0)
        result.update(self.failure_facts(backend, result.get("assigned", [])))
        if "diff" in result:
            # Every holder's last use, in diff mode only: at 50,000 seats it is megabytes,
            # which a plain run should not print (the audit report lists it when given).
            result["last_activity"] = sorted(
                ({"user": seat["login"], "last_activity_at": seat["last_activity_at"]}
                 for seat in backend.seats if seat_state(seat) in ("direct", "team")),
                key=lambda item: item["user"].lower())

    def failure_facts(self, backend, assigned=()):
        """What the reads found: seats pending cancellation (but those given again), orphan
        seats and the org's setting; also in a failed run's result once they were read."""
        given = set(login.lower() for login in assigned)
        facts = {
            "pending_cancellation": sorted(
                ({"user": seat["login"], "pending_cancellation_date": seat["pending_cancellation_date"]}
                 for key, seat in backend.pending.items() if key not in given),
                key=lambda item: item["user"].lower()),
            "orphan_seats": backend.orphans,
        }
        if backend.billing is not None:
            facts["seat_management_setting"] = backend.billing.get("seat_management_setting")
        return facts

    def check_info_input(self, params):
        orgs = []
        for index, org in enumerate(params["organizations"]):
            org = check_organization(org, "organizations[%d]" % index)
            if org not in orgs:
                orgs.append(org)
        if not orgs:
            raise GithubError("organizations must name at least one organization")
        ceilings = check_ceilings(params["max_holders"],
                                  lambda name, field: listed_org(name, field, orgs))
        users = None
        if params["users"] is not None:
            users = fold_names(params["users"], "users", normalise_login)
        days = params["inactive_days"]
        if days is not None and days < 1:
            raise GithubError("inactive_days must be 1 or more (days without use), got %d" % days)
        return orgs, users, ceilings, days

    def read_info(self, module, client, context, checked):
        """Per organization: its settings and breakdown (E1), every seat with its state and
        activity (E2), idle seats, and holders against the ceiling; read-only."""
        orgs, users, ceilings, days = checked
        idle = idle_test(days)
        result = {"changed": False, "organizations": {}, "ceilings": {}}
        for org in orgs:
            billing = client.billing(org)
            seats = [dict(seat, state=seat_state(seat)) for seat in client.list_seats(org)]
            holders = [seat for seat in seats if seat["state"] in ("direct", "team")]
            if org in ceilings:
                result["ceilings"][org] = ceiling(len(holders), ceilings[org])
            if users is not None:
                seats = [seat for seat in seats if (seat["login"] or "").lower() in users]
            entry = {
                "seat_management_setting": billing.get("seat_management_setting"),
                "settings": dict((key, value) for key, value in billing.items()
                                 if key != "seat_breakdown"),
                "seat_breakdown": billing.get("seat_breakdown") or {},
                "seats": sorted(seats, key=lambda seat: ((seat["login"] or "").lower(),
                                                         seat["created_at"] or "")),
                "holders": len(holders),
                "writable": refusal_of_setting(billing, org) is None,
            }
            if idle is not None:
                entry["idle"] = [
                    dict((key, seat[key]) for key in ("login", "last_activity_at",
                                                      "last_activity_editor", "created_at", "team"))
                    for seat in entry["seats"] if seat["state"] in ("direct", "team") and idle(holder_person(seat))]
            result["organizations"][org] = entry
        if users is not None:
            held = set((seat["login"] or "").lower() for entry in result["organizations"].values()
                       for seat in entry["seats"] if seat["state"] in ("direct", "team"))
            result["not_holding"] = sorted((users[name] for name in users if name not in held),
                                           key=str.lower)
        return result


def listed_org(name, field, orgs):
    org = check_organization(name, field)
    if org not in orgs:
        raise GithubError("%s: %s is not one of organizations (%s): a ceiling applies to an "
                          "organization this task lists" % (field, org, ", ".join(orgs)))
    return org


GITHUB = GithubSeats()
