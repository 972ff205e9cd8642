# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Holders against the ceiling a person set: the ``max_holders`` option of the info modules
and their ``ceilings`` result, one vocabulary for every platform.

An info module's ``max_holders`` maps a product (as the platform names it) to a ceiling;
its ``ceilings`` result maps the same products to ``{"holders", "max_holders", "above"}``,
plus whatever else the platform knows of the product's seats (the Store's capacity).
The seat modules' ``max_holders`` is the same ceiling for one product (see
``_seat_sync.check_ceiling``).
"""

from __future__ import annotations

from ansible_collections.seatops.seats.plugins.module_utils._seat_sync import (
    SeatSyncError,
    check_whole_number,
)

OPTION = "max_holders"


def check_ceiling_value(value, field):
    """``value`` as a ceiling (an int >= 0); SeatSyncError naming ``field`` otherwise.

    Unlike the seat modules' optional ``max_holders``, a product named here must have a
    ceiling: null is refused too."""
    if value is None:
        raise SeatSyncError("%s must be a whole number (0 or more), got None" % field)
    return check_whole_number(value, field)


def check_ceilings(max_holders, product_key):
    """The ``max_holders`` option as ``{product: ceiling}``, each product in the platform's
    own spelling; ``{}`` when the option is not given.

    ``product_key(name, field)`` returns the product ``name`` means, or raises
    SeatSyncError (or ValueError) saying what is wrong, ``field`` (``max_holders.<name>``)
    being what the message names. Two names meaning the same product are refused, whatever
    their ceilings: a product has one ceiling.
    """
    if max_holders is None:
        return {}
    if not isinstance(max_holders, dict):
        raise SeatSyncError("%s must be a mapping of product to ceiling, got %r"
                            % (OPTION, max_holders))
    checked = {}
    named_by = {}
    for name in max_holders:
        field = "%s.%s" % (OPTION, name)
        try:
            product = product_key(name, field)
        except ValueError as exc:
            raise SeatSyncError(str(exc))
        if product in named_by:
            raise SeatSyncError("%s and %s both name %s: give each product one ceiling"
                                % (named_by[product], field, product))
        named_by[product] = field
        checked[product] = check_ceiling_value(max_holders[name], field)
    return checked


def ceiling(holders, max_holders, **facts):
    """One entry of ``ceilings``: ``{"holders", "max_holders", "above"}`` and ``facts``.

    ``above``: how many holders there are beyond the ceiling, 0 at or under it (the number
    of seats to reclaim to be within it). None when ``holders`` is unknown."""
    entry = {
        "holders": holders,
        "max_holders": max_holders,
        "above": None if holders is None else max(0, holders - max_holders),
    }
    entry.update(facts)
    return entry
