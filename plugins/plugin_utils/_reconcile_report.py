# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The reconcile report: per product, what was (or would be) assigned and reclaimed.

Built from the seat modules' results (predictions in check mode) and the inventories (capacity)
of the platforms that list one. What a module says of a product besides its plan (seats it
keeps, reclaims as idle, sees pending cancellation or without a holder: ``SEAT_LISTS``,
``orphan_seats``) is shown for every product whose module returns it.
The JSON form is ``seatops.seats.reconcile_report/1`` (keys are only ever added); the HTML
page is rendered from the role's Jinja template with plain Jinja2 (no Ansible templating: it
is only formatting, and Ansible's per-value templating costs seconds at fifty thousand names).

Costs: an entry's ``price`` (``{amount, currency, period}``, one seat) gives the row a monthly
cost before and after the run and the saving (before - after); a year price counts as
amount/12 a month. Totals are per currency (``costs``): different currencies are never added.
"""

from __future__ import annotations

import decimal
import json

from ansible_collections.seatops.seats.plugins.module_utils import _platforms as registry
from ansible_collections.seatops.seats.plugins.plugin_utils._seat_platforms import holders_before, people_names

REPORT_FORMAT = "seatops.seats.reconcile_report/1"
TOTAL_KEYS = ("products", "in_sync", "with_changes", "with_errors", "holders_before",
              "holders_after", "to_assign", "to_reclaim", "kept_in_grace", "above_max_holders",
              "skipped", "failed", "on_demand", "priced", "kept_seats", "idle_reclaimed",
              "pending_cancellation", "orphan_seats")
# What a seat module may say of a product besides its plan, in the engine's or the module's
# own words (never a platform's name): holders the platform will not let the engine reclaim
# (``kept_seats``: [{user, reason}]), holders reclaimed for not using the seat
# (``idle_reclaimed``: [{user, last_activity_at}]), seats ending at the close of a billing
# cycle (``pending_cancellation``: [{user, pending_cancellation_date}]) and seats without a
# holder (``orphan_seats``: a count). A product whose module returns none of them has empty
# lists and ``orphan_seats`` None.
SEAT_LISTS = ("kept_seats", "idle_reclaimed", "pending_cancellation")
# The holders' last use of the seat (``last_activity``: [{user, last_activity_at}]), for a
# module that returns it; shown, never counted.
COST_KEYS = ("monthly_before", "monthly_after", "monthly_saving")
CENT = decimal.Decimal("0.01")
MONTHS = {"month": 1, "year": 12}


def _user_list(value):
    return list(value) if isinstance(value, (list, tuple)) else []


def _count(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def above(holders, ceiling):
    """How many holders a product has above its ceiling (0 at or below it); None when unknown."""
    if holders is None or ceiling is None:
        return None
    return max(0, holders - ceiling)


def _money(value):
    """A Decimal amount as a JSON number, rounded to the cent."""
    return float(value.quantize(CENT, rounding=decimal.ROUND_HALF_UP))


def price_of(entry):
    """The entry's price as the report shows it (currency upper-cased, period lower-cased,
    ``monthly``: one seat's monthly price, rounded to the cent); None without a price."""
    price = entry.get("price")
    if not isinstance(price, dict) or price.get("amount") is None:
        return None
    period = str(price.get("period") or "month").strip().lower()
    monthly = decimal.Decimal(str(price["amount"])) / MONTHS.get(period, 1)
    return {"amount": price["amount"], "currency": str(price.get("currency") or "").strip().upper(),
            "period": period, "monthly": _money(monthly)}


def cost_of(price, holders_before, holders_after):
    """Monthly cost before and after the run, and the saving (before - after; negative when
    the run adds cost); None without a price or when the holders are unknown."""
    if price is None or holders_before is None or holders_after is None:
        return None
    monthly = decimal.Decimal(str(price["amount"])) / MONTHS.get(price["period"], 1)
    before, after = monthly * holders_before, monthly * holders_after
    return {"currency": price["currency"], "monthly_before": _money(before), "monthly_after": _money(after),
            "monthly_saving": _money(before - after)}


def currency_totals(products):
    """Per currency, sorted: the priced products' seat counts and monthly cost and saving.
    ``without_figures`` counts priced products whose holders are unknown (an error before
    the holders were read): their cost is in no total."""
    by_currency = {}
    for row in products:
        if row["price"] is None:
            continue
        total = by_currency.setdefault(row["price"]["currency"], {
            "currency": row["price"]["currency"], "products": 0, "without_figures": 0, "holders_before": 0,
            "holders_after": 0, "to_assign": 0, "to_reclaim": 0, "on_demand": 0,
            "monthly_before": decimal.Decimal(0), "monthly_after": decimal.Decimal(0),
            "monthly_saving": decimal.Decimal(0)})
        total["products"] += 1
        if row["cost"] is None:
            total["without_figures"] += 1
            continue
        total["holders_before"] += row["holders_before"]
        total["holders_after"] += row["holders_after"]
        total["to_assign"] += len(row["to_assign"])
        total["to_reclaim"] += len(row["to_reclaim"])
        total["on_demand"] += row["on_demand"] or 0
        for key in COST_KEYS:
            total[key] += decimal.Decimal(str(row["cost"][key]))
    totals = []
    for currency in sorted(by_currency):
        total = by_currency[currency]
        for key in COST_KEYS:
            total[key] = _money(total[key])
        totals.append(total)
    return totals


def product_row(platform, entry, result, default_max_reclaims, stock, default_grace_days=0):
    """One product's report row from its desired entry and its module result.

    Holders kept by the grace period are listed apart (``kept_in_grace``): they are not
    drift, so they make no product "changes". ``above_max_holders`` compares the holders
    after the run (before it, when the ceiling refused the plan) with the entry's ceiling;
    on a platform without stock (whose API tells no capacity) those holders are ``on_demand``. ``price`` and
    ``cost`` (monthly, before and after the run, and the saving) only with the entry's price."""
    task_failed = result.get("failed") is True
    assigned, reclaimed = people_names(result.get("assigned")), people_names(result.get("reclaimed"))
    holders_after = result.get("holders_count")
    count_before = None
    if holders_after is not None:
        count_before = holders_after - len(assigned) + len(reclaimed)
    error = (result.get("msg") or "failed") if task_failed else None
    if error:
        status = "error"
    elif assigned or reclaimed:
        status = "changes"
    else:
        status = "in sync"
    max_reclaims = entry.get("max_reclaims")
    grace_days = entry.get("grace_days")
    available = result.get("available_seats")
    entry_platform = registry.get(platform)
    above_max_holders = above(holders_after, entry.get("max_holders"))
    price = price_of(entry)
    return {
        "platform": platform,
        "platform_label": entry_platform.label,
        "stocked": entry_platform.inventory,
        "product": entry_platform.product_label(entry),
        "status": status,
        "desired": len(entry.get("users") or []),
        "protected": list(entry.get("protected") or []),
        "max_reclaims": str(default_max_reclaims if max_reclaims is None else max_reclaims),
        "holders_before": count_before,
        "holders_after": holders_after,
        "holders": holders_before(result),
        "to_assign": assigned,
        "to_reclaim": reclaimed,
        "kept_in_grace": _user_list(result.get("kept_in_grace")),
        "kept_seats": _user_list(result.get("kept_seats")),
        "idle_reclaimed": _user_list(result.get("idle_reclaimed")),
        "pending_cancellation": _user_list(result.get("pending_cancellation")),
        "orphan_seats": _count(result.get("orphan_seats")),
        "last_activity": _user_list(result.get("last_activity")),
        "grace_days": int(default_grace_days if grace_days is None else grace_days),
        "max_holders": entry.get("max_holders"),
        "above_max_holders": above_max_holders,
        # Holders beyond the ceiling of a platform without stock: billed on demand there.
        "on_demand": None if entry_platform.inventory else above_max_holders,
        "net_change": len(assigned) - len(reclaimed),
        "price": price,
        "cost": cost_of(price, count_before, holders_after),
        "unchanged": result.get("unchanged"),
        "skipped": _user_list(result.get("skipped_users")),
        "failed": _user_list(result.get("failed_users")),
        "error": error,
        "capacity": stock.get("seat_capacity"),
        "available_seats": available if available is not None else stock.get("available_seats"),
        # The module's count is after the run (predicted in check mode); the inventory's, before it.
        "available_seats_at": "after" if available is not None else (
            "before" if stock.get("available_seats") is not None else None),
        "license_type": stock.get("license_type"),
        "distribution_policy": stock.get("distribution_policy"),
        "api_calls": result.get("api_calls"),
    }


def build_report(runs, inventory, default_max_reclaims, generated_at, mode, desired_state_name,
                 default_grace_days=0, context=None):
    """``runs``: ``[(platform, desired entry, module result)]`` in desired-state order;
    ``inventory``: ``{platform: [product]}``, the products (with their capacity) of the
    platforms whose info module lists them; ``context``: who ran it and where
    (``_run_context.run_context``)."""
    stock_by_product = {}
    for platform, items in (inventory or {}).items():
        fields = registry.get(platform).product_fields
        for item in items or []:
            key = "/".join(str(item.get(field)) for field in fields).lower()
            stock_by_product[(platform, key)] = item
    products = []
    totals = dict((key, 0) for key in TOTAL_KEYS)
    for platform, entry, result in runs:
        stock = stock_by_product.get((platform, registry.get(platform).product_label(entry).lower()), {})
        row = product_row(platform, entry, result, default_max_reclaims, stock, default_grace_days)
        products.append(row)
        totals["products"] += 1
        totals["in_sync"] += row["status"] == "in sync"
        totals["with_changes"] += row["status"] == "changes"
        totals["with_errors"] += bool(row["error"] or row["failed"])
        totals["holders_before"] += row["holders_before"] or 0
        totals["holders_after"] += row["holders_after"] or 0
        totals["above_max_holders"] += bool(row["above_max_holders"])
        totals["on_demand"] += row["on_demand"] or 0
        totals["priced"] += row["price"] is not None
        for key in ("to_assign", "to_reclaim", "kept_in_grace", "skipped", "failed") + SEAT_LISTS:
            totals[key] += len(row[key])
        totals["orphan_seats"] += row["orphan_seats"] or 0
    return {
        "format": REPORT_FORMAT,
        "generated_at": generated_at,
        "mode": mode,
        "desired_state": desired_state_name,
        "run": dict(context or {}),
        "diff": any(row["holders"] is not None for row in products),
        "totals": totals,
        "costs": currency_totals(products),
        "products": products,
    }


def summary(report):
    """Per-product counts, small enough for set_stats / AWX extra vars."""
    return [{"platform": row["platform"], "product": row["product"], "status": row["status"],
             "to_assign": len(row["to_assign"]), "to_reclaim": len(row["to_reclaim"]),
             "kept_in_grace": len(row["kept_in_grace"]), "skipped": len(row["skipped"]),
             "kept_seats": len(row["kept_seats"]), "idle_reclaimed": len(row["idle_reclaimed"]),
             "pending_cancellation": len(row["pending_cancellation"]), "orphan_seats": row["orphan_seats"],
             "failed": len(row["failed"]), "holders_after": row["holders_after"],
             "max_holders": row["max_holders"], "above_max_holders": row["above_max_holders"],
             "available_seats": row["available_seats"], "error": row["error"],
             "api_calls": row["api_calls"]}
            for row in report["products"]]


def to_json(report):
    return json.dumps(report, indent=4, sort_keys=True) + "\n"


def render_html(template_text, report):
    """Render the role's HTML template with plain Jinja2 (autoescape off: it escapes with |e)."""
    import jinja2  # controller-side only; ansible-core depends on it

    environment = jinja2.Environment(autoescape=False, undefined=jinja2.StrictUndefined,
                                     keep_trailing_newline=True)
    return environment.from_string(template_text).render(reconcile_report=report)
