# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Saved reconcile plans (``seatops.seats.reconcile_plan/1``, docs/plans.md).

An audit (check mode) saves, per product, exactly whom it would give a seat and whom it
would take one from, with the fingerprint of the holders it read; an apply given the plan
does that and nothing else, and refuses a product whose holders moved since. This module
builds, writes, reads and checks plans, and says per product what became of a plan's
changes. Pure Python: no Ansible import but the platform views, so unit tests use it as is.

A plan holds names, counts, settings and digests: never a credential or an endpoint.
Its ``digest`` (sha256 over the canonical JSON of everything else) catches a plan edited
or damaged after it was made; it is not a signature (whoever can write the file can
recompute it), so keep plans where only the people who may approve can write.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re

from ansible_collections.seatops.seats.plugins.module_utils._seat_sync import parse_timestamp
from ansible_collections.seatops.seats.plugins.plugin_utils import _seat_platforms as seat_platforms
from ansible_collections.seatops.seats.plugins.plugin_utils._seat_platforms import person_exact, person_name

PLAN_FORMAT = "seatops.seats.reconcile_plan/1"
DEFAULT_MAX_AGE_HOURS = 24
# A plan "made" further in the future than this is refused (clocks differ a little).
CLOCK_SKEW = datetime.timedelta(minutes=5)
ON_STALE = ("refuse", "apply_rest")
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


class PlanError(Exception):
    """A plan that cannot be applied; raised before any call, so nothing was changed."""


def canonical(data):
    """The canonical JSON text of ``data`` (sorted keys, no spaces), what digests are of."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def desired_state_digest(state):
    """The fingerprint of a desired state (as read, before any call)."""
    return sha256(canonical(state))


def timestamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# -- making a plan (check mode) -----------------------------------------------------------

# What a seat module may say of a product besides its plan (``_reconcile_report.SEAT_LISTS``
# and ``orphan_seats``): a plan keeps what the audit read, for the report of its apply.
SEAT_FACTS = ("kept_seats", "idle_reclaimed", "pending_cancellation", "orphan_seats")


def product_plan(platform, entry, result, defaults):
    """One product's part of the plan, from its desired entry and its check-mode result.

    ``defaults``: the task's ``max_reclaims`` and ``grace_days`` for entries without their own.
    The ``SEAT_FACTS`` the module returned are kept as it returned them (only those)."""
    planned = _product_plan(platform, entry, result, defaults)
    planned.update((key, result[key]) for key in SEAT_FACTS if key in result)
    return planned


def _product_plan(platform, entry, result, defaults):
    failed = result.get("failed") is True
    assigned, reclaimed = list(result.get("assigned") or []), list(result.get("reclaimed") or [])
    count_after = result.get("holders_count")
    count_before = None
    if count_after is not None:
        count_before = count_after if failed else count_after - len(assigned) + len(reclaimed)
    guards = {
        "max_reclaims": str(defaults["max_reclaims"] if entry.get("max_reclaims") is None else entry["max_reclaims"]),
        "grace_days": int(defaults["grace_days"] if entry.get("grace_days") is None else entry["grace_days"]),
        "max_holders": entry.get("max_holders"),
    }
    return {
        "platform": platform,
        "product": seat_platforms.product_of(platform, entry),
        "label": seat_platforms.product_label(platform, entry),
        "holders_digest": result.get("holders_digest"),
        "holders_count": count_before,
        "desired": len(entry.get("users") or []),
        "to_assign": [] if failed else assigned,
        "to_reclaim": [] if failed else reclaimed,
        "kept_in_grace": list(result.get("kept_in_grace") or []),
        "protected": list(entry.get("protected") or []),
        "skipped": list(result.get("skipped_users") or []),
        "guards": guards,
        # For the report's costs only: no module sees it.
        "price": entry.get("price"),
        "error": (result.get("msg") or "failed") if failed else None,
    }


def build_plan(runs, defaults, desired_state, desired_state_name, created_at, version, context=None):
    """The whole plan: ``runs`` is ``[(platform, desired entry, check-mode module result)]``;
    ``defaults``: ``{max_reclaims, grace_days, unknown_users}`` of the task; ``context``:
    who made it (``_run_context.run_context``, nothing secret)."""
    products = [product_plan(platform, entry, result, defaults) for platform, entry, result in runs]
    plan = {
        "format": PLAN_FORMAT,
        "created_at": timestamp(created_at),
        "collection_version": version,
        "desired_state": {"name": desired_state_name, "digest": desired_state_digest(desired_state)},
        "defaults": {"max_reclaims": str(defaults["max_reclaims"]), "grace_days": int(defaults["grace_days"]),
                     "unknown_users": defaults["unknown_users"]},
        "made_by": dict((key, value) for key, value in (context or {}).items() if key != "collection_version"),
        "totals": {
            "products": len(products),
            "with_changes": sum(1 for product in products if product["to_assign"] or product["to_reclaim"]),
            "with_errors": sum(1 for product in products if product["error"]),
            "to_assign": sum(len(product["to_assign"]) for product in products),
            "to_reclaim": sum(len(product["to_reclaim"]) for product in products),
        },
        "products": products,
    }
    plan["digest"] = sha256(canonical(plan))
    return plan


def to_json(plan):
    return json.dumps(plan, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# -- reading and checking a plan (apply) --------------------------------------------------

def load(path):
    """The plan file's content as JSON (a PlanError naming ``plan_file`` otherwise)."""
    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8")
    except (IOError, OSError) as exc:
        raise PlanError("plan_file %s cannot be read: %s" % (path, getattr(exc, "strerror", None) or exc))
    except UnicodeDecodeError:
        raise PlanError("plan_file %s is not a plan: it is not UTF-8 text" % path)
    try:
        return json.loads(text)
    except ValueError as exc:
        raise PlanError("plan_file %s is not a plan: it is not JSON (%s)" % (path, exc))


def check(plan, path, version, now, max_age_hours):
    """Refuse a plan that must not be applied; returns it when it may be. In this order:
    its format, its digest (edited or damaged), the collection version that made it, its
    age (``max_age_hours``; a plan from the future too), then every product's fields."""
    where = "plan_file %s" % path if path else "plan (inline)"
    if not isinstance(plan, dict):
        raise PlanError("%s is not a plan: its JSON is not a mapping" % where)
    if plan.get("format") != PLAN_FORMAT:
        raise PlanError("%s: format is %r, not %s (a plan of another format version, or not a plan); "
                        "nothing was read or changed" % (where, plan.get("format"), PLAN_FORMAT))
    content = dict((key, value) for key, value in plan.items() if key != "digest")
    if plan.get("digest") != sha256(canonical(content)):
        raise PlanError("%s: digest does not match the plan's content: the plan was changed after it was "
                        "made, or is damaged. Nothing was read or changed; make a new plan (an audit)" % where)
    if plan.get("collection_version") != version:
        raise PlanError("%s was made by seatops.seats %s, and this is seatops.seats %s: a plan is applied by "
                        "the version that made it. Nothing was read or changed; make a new plan with this "
                        "version" % (where, plan.get("collection_version"), version))
    made = parse_timestamp(plan.get("created_at"))
    if made is None:
        raise PlanError("%s: created_at %r is not a time" % (where, plan.get("created_at")))
    age = now - made
    if age < -CLOCK_SKEW:
        raise PlanError("%s: created_at %s is in the future (this controller's time is %s); nothing was read "
                        "or changed" % (where, plan["created_at"], timestamp(now)))
    if age > datetime.timedelta(hours=max_age_hours):
        raise PlanError("%s was made at %s, %.1f hours ago: plans older than plan_max_age_hours (%s) are "
                        "refused, the holders have likely moved since. Nothing was read or changed; make a "
                        "new plan (an audit), or raise plan_max_age_hours" % (
                            where, plan["created_at"], age.total_seconds() / 3600.0, _hours(max_age_hours)))
    products = plan.get("products")
    if not isinstance(products, list):
        raise PlanError("%s: products must be a list" % where)
    problems = []
    for index, product in enumerate(products):
        problems.extend(_product_problems(product, "products[%d]" % index))
    if problems:
        raise PlanError("%s has %d problem(s); nothing was read or changed: %s"
                        % (where, len(problems), "; ".join(problems[:20])))
    return plan


def _hours(value):
    return ("%g" % value) if isinstance(value, float) else str(value)


def _product_problems(product, where):
    if not isinstance(product, dict):
        return ["%s must be a mapping" % where]
    platform = product.get("platform")
    if platform not in seat_platforms.names():
        return ["%s.platform %r is not one of %s" % (where, platform, ", ".join(seat_platforms.names()))]
    entry = seat_platforms.get(platform)
    problems = []
    fields = product.get("product")
    if not isinstance(fields, dict):
        return ["%s.product must be a mapping of %s" % (where, ", ".join(entry.product_fields))]
    for field in entry.product_fields:
        try:
            entry.check_product_field(field, fields.get(field), "%s.product.%s" % (where, field))
        except ValueError as exc:
            problems.append(str(exc))
    digest = product.get("holders_digest")
    if product.get("error") is None and (product.get("to_assign") or product.get("to_reclaim")):
        if not isinstance(digest, str) or not _DIGEST.match(digest):
            problems.append("%s.holders_digest must be a sha256 digest (64 hex digits)" % where)
    for key in ("to_assign", "to_reclaim"):
        people = product.get(key)
        if not isinstance(people, list):
            problems.append("%s.%s must be a list" % (where, key))
            continue
        for index, person in enumerate(people):
            problem = _person_problem(entry, person)
            if problem:
                problems.append("%s.%s[%d] %s" % (where, key, index, problem))
    return problems


def _person_problem(entry, person):
    """Why ``person`` (as a module result lists people) is not one, None when it is."""
    if entry.person_id is not None:
        what, is_id = entry.person_id
        if not isinstance(person, dict) or not is_id(str(person.get("id") or "")):
            return "must be a mapping with the %s as id" % what
        return None
    try:
        entry.check_name(str(person) if isinstance(person, str) else "")
    except ValueError as exc:
        return "%r: %s" % (person, exc)
    return None


# -- applying: the calls and what became of each change ------------------------------------

def exact_names(people):
    """What the seat module takes to name exactly the people a plan lists."""
    return [person_exact(person) for person in people]


def _aliases(person):
    names = set([str(person_exact(person)).lower(), str(person_name(person)).lower()])
    return names


def _by_name(entries):
    return dict((str(entry.get("user")).lower(), entry.get("reason") or "no reason given")
                for entry in entries or [] if isinstance(entry, dict))


def _was_refused_as_stale(result, digest):
    return result.get("failed") is True and result.get("holders_digest") not in (None, digest) \
        and "changed since the plan was made" in str(result.get("msg"))


def outcome(product, reclaim_result, assign_result, on_stale):
    """What became of one product's planned changes: ``{planned_assign, planned_reclaim,
    done, done_by_others, not_done: [{user, reason}], stale}`` (names as people read them).

    ``reclaim_result`` / ``assign_result``: the module result of each call, None when the call
    was not made. A planned change the module did not make, did not fail and did not skip
    was already so: someone else did it (``apply_rest``; with ``refuse`` the holders'
    fingerprint would have refused the product first)."""
    done, by_others, not_done = [], [], []
    stale = None
    for key, action, result in (("to_reclaim", "reclaimed", reclaim_result), ("to_assign", "assigned", assign_result)):
        people = product.get(key) or []
        if not people:
            continue
        if result is None:
            reason = "not attempted: the reclaims of this product did not go through"
            if stale:
                reason = "refused as stale"
            not_done.extend({"user": person_name(person), "reason": reason} for person in people)
            continue
        if _was_refused_as_stale(result, product.get("holders_digest")):
            stale = stale or stale_message(product, result)
        made = set()
        for person in result.get(action) or []:
            made.update(_aliases(person))
        failed = _by_name(result.get("failed_users"))
        skipped = _by_name(result.get("skipped_users"))
        for person in people:
            aliases = _aliases(person)
            reason = next((failed[name] for name in sorted(aliases) if name in failed), None)
            if reason is None and key == "to_assign":
                reason = next((skipped[name] for name in sorted(aliases) if name in skipped), None)
            if aliases & made:
                done.append(person_name(person))
            elif reason is not None:
                not_done.append({"user": person_name(person), "reason": reason})
            elif result.get("failed") is True and not result.get("failed_users"):
                not_done.append({"user": person_name(person), "reason": stale and "refused as stale"
                                 or result.get("msg") or "the call failed without a message"})
            else:
                by_others.append(person_name(person))
    return {
        "planned_assign": [person_name(person) for person in product.get("to_assign") or []],
        "planned_reclaim": [person_name(person) for person in product.get("to_reclaim") or []],
        "done": done,
        "done_by_others": by_others,
        "not_done": not_done,
        "stale": stale,
    }


def stale_message(product, result):
    now = result.get("holders_count")
    then = product.get("holders_count")
    counts = ""
    if now is not None and then is not None:
        counts = " (%d held a seat when the plan was made, %d now%s)" % (
            then, now, ": the same number, so somebody's seat moved to somebody else" if now == then else "")
    return ("refused as stale: the holders of %s changed since the plan was made%s. Nothing was changed on "
            "it; make a new plan (an audit), or apply with on_stale=apply_rest to do the part of the plan "
            "that still holds" % (product.get("label"), counts))


def merged_result(product, reclaim_result, assign_result, plan_outcome):
    """One module-like result of a product's calls, for the report's row (see
    ``_reconcile_report.product_row``): what was assigned and reclaimed, every failure and
    skip, the holders after, the API calls of both calls."""
    results = [result for result in (reclaim_result, assign_result) if result is not None]
    merged = {"assigned": [], "reclaimed": [], "skipped_users": [], "failed_users": [],
              "kept_in_grace": list(product.get("kept_in_grace") or []), "api_calls": {"total": 0}}
    _merge_seat_facts(merged, product, results, plan_outcome)
    if product.get("error"):
        merged.update(failed=True, msg="not applied: the audit that made the plan failed on this product: %s"
                      % product["error"])
        return merged
    for result in results:
        merged["assigned"].extend(result.get("assigned") or [])
        merged["reclaimed"].extend(result.get("reclaimed") or [])
        merged["skipped_users"].extend(result.get("skipped_users") or [])
        merged["failed_users"].extend(result.get("failed_users") or [])
        for endpoint, count in (result.get("api_calls") or {}).items():
            merged["api_calls"][endpoint] = merged["api_calls"].get(endpoint, 0) + count
        if result.get("holders_count") is not None:
            merged["holders_count"] = result["holders_count"]
    if not results:
        merged["holders_count"] = product.get("holders_count")
    messages = [result.get("msg") for result in results if result.get("failed") is True]
    if plan_outcome["stale"]:
        messages = [plan_outcome["stale"]]
    if messages:
        merged.update(failed=True, msg="; ".join(str(message) for message in messages))
    diffs = [result["diff"] for result in results if isinstance(result.get("diff"), dict)]
    if diffs:
        merged["diff"] = {"before": diffs[0].get("before"), "after": diffs[-1].get("after")}
    return merged


def _merge_seat_facts(merged, product, results, plan_outcome):
    """The ``SEAT_FACTS`` of a product's apply: the seats kept as the audit found them, the
    idle seats of the plan that were reclaimed, and the pending and orphan seats (and the
    holders' last activity, which no plan keeps) as the last call read them (the audit's
    when no call was made)."""
    if "kept_seats" in product:
        merged["kept_seats"] = list(product["kept_seats"] or [])
    if "idle_reclaimed" in product:
        done = set(str(name).lower() for name in plan_outcome["done"] + plan_outcome["done_by_others"])
        merged["idle_reclaimed"] = [item for item in product["idle_reclaimed"] or []
                                    if str(item.get("user")).lower() in done]
    for key in ("pending_cancellation", "orphan_seats", "last_activity"):
        found = [result[key] for result in results if key in result]
        if found:
            merged[key] = found[-1]
        elif key in product:
            merged[key] = product[key]


def summary(plan_outcome):
    """A product's plan outcome in counts, for the task result and set_stats."""
    return {"planned_assign": len(plan_outcome["planned_assign"]),
            "planned_reclaim": len(plan_outcome["planned_reclaim"]),
            "done": len(plan_outcome["done"]),
            "done_by_others": len(plan_outcome["done_by_others"]),
            "not_done": len(plan_outcome["not_done"]),
            "stale": bool(plan_outcome["stale"])}
