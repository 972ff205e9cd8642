# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    # The vocabulary every seat module shares (plugins/module_utils/_module_runner.py).
    DOCUMENTATION = r"""
options:
  users:
    description:
      - The people this task is about. Names are matched exactly and case-insensitively;
        duplicates that differ only in case are folded.
      - With O(state=present), they get a seat; with O(state=absent), their seat is reclaimed.
      - Leaving O(users) out never reclaims anybody. An explicit empty list with
        O(exclusive=true) means "nobody", which the O(max_reclaims) guard exists for.
    type: list
    elements: str
  state:
    description:
      - V(present) assigns seats to O(users) (additively, unless O(exclusive=true)).
      - V(absent) reclaims the seats of O(users); it never assigns.
    type: str
    choices: [present, absent]
    default: present
  exclusive:
    description:
      - With O(state=present), make O(users) the exact holders of the product;
        every other holder not in O(protected) loses their seat.
    type: bool
    default: false
  protected:
    description:
      - Names that O(exclusive=true) never reclaims, for break-glass and service accounts.
      - A name must not appear in both O(users) and O(protected).
      - A name that may mean several people (on Datadog, an email two users share, or one
        user's email that is another user's handle) protects every one of them.
      - A protected name whose lookup fails (an error, not "nobody has it") stops the run
        before any write, because without it nobody can tell whose seat is protected.
    type: list
    elements: str
    default: []
  max_reclaims:
    description:
      - The reclaim guard. The most seats O(exclusive=true) may reclaim in one run, as a
        whole number (V(25)) or a percentage of current holders (V('10%'), rounded up).
      - Checked before any write, in check mode too. A run that would reclaim more fails
        and changes nothing, which catches an empty or truncated desired list.
      - Reclaims of users named with O(state=absent) are explicit and not counted.
    type: raw
    default: '10%'
  max_holders:
    description:
      - A ceiling you set on the number of people holding a seat of the product when the task
        ends. A plan that assigns seats and would end above it fails before any write, in check
        mode too, with the numbers and both ways on (raise it, or reclaim first).
      - Neither API enforces a budget for you. Datadog never refuses an assignment for capacity;
        seats beyond your commitment are billed on demand, at the month's peak number of holders.
        The Store refuses only beyond a Restricted product's capacity.
      - A run that assigns nobody goes ahead even above the ceiling (it only keeps or lowers the
        count, which is how a product gets back under it) and warns that the product is above it.
      - Counts every holder of the product, not only the users of the task.
    type: int
  grace_days:
    description:
      - With O(exclusive=true), keep the seat of a holder who is not in O(users) when it was
        assigned fewer than this many days ago (Datadog C(assigned_at), Store C(dateAssigned)).
        Such holders are listed in RV(kept_in_grace) with the date, and are not counted by
        O(max_reclaims).
      - For on-call teams. Datadog users claim a seat themselves when they use a seat feature
        (being paged, joining an on-call schedule). Without a grace period, an exclusive run
        reclaims the seat of whoever claimed it since the desired list was exported, they claim
        it again, the audit never converges, and someone may miss a page.
      - A holder whose date is missing or unreadable is not kept. V(0) turns the grace period off.
      - O(state=absent) ignores it, and so does offboarding, so a leaver loses the seat
        whatever its age.
    type: int
    default: 0
  unknown_users:
    description:
      - What to do with a name that matches nobody (or, in O(users), that matches several
        people; a name in O(protected) that matches several protects them all).
      - V(fail) stops before any write; V(warn) skips the name with a warning;
        V(ignore) skips it silently. Skipped names are listed in RV(skipped_users).
    type: str
    choices: [fail, warn, ignore]
    default: fail
  journal:
    description:
      - Path of a file to which JSON lines are appended as the task writes - before each
        write call, an intent line (C(outcome=pending)) naming its users; after it, one line
        per user with the outcome (C(ok), C(failed) or C(unknown)). Each line holds the time,
        run id, platform, product, action and batch number. A run killed mid-way leaves a
        journal that says which changes happened and which call may or may not have.
      - A change the API confirmed is journaled C(ok) as its answer arrives, also when the
        call had to be sent again. When a call's answer was lost and the holders could not be
        read again either, the journal says C(unknown) for its users and RV(failed_users)
        gives each of them a reason that starts with C(outcome unknown), so the result and the
        journal always say the same of each user.
      - Nothing is written in check mode. The directory must exist and be writable (checked
        before any call, in check mode too).
    type: path
  expect_holders_digest:
    description:
      - The RV(holders_digest) of the holders a plan was made on (a saved plan of
        M(seatops.seats.seats_reconcile) carries it). When the holders the task reads first
        have another fingerprint, somebody changed them since the plan, and the task fails
        before any write, in check mode too, saying how many hold a seat now.
      - Given it, the task reads every holder of the product, even where it would otherwise
        read only the named users.
    type: str
"""
