# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Baseline: reconcile one Datadog product with Datadog's official Python client.

The script a competent engineer writes with ``datadog-api-client`` (a test-only dependency
of this repository), doing what the collection does for one product with
``exclusive: true``:

1. list the holders with cursor paging at ``page[limit]=1000``;
2. resolve every desired email that is not a holder's with ``list_users(filter=...)``,
   keeping only exact (case-insensitive) email or handle matches, reading every page;
   unknown, disabled and service-account users get no seat;
3. assign and unassign in batches of up to 1000 UUIDs;
4. retry 429 (and 5xx) the client's own way: ``enable_retry`` honours
   ``X-RateLimit-Reset``.

It has no reclaim guard, no report, no journal, no check mode beyond ``--check`` (no
writes) and no per-user outcomes: that is the point of comparison, not a product.

    python bench/baselines/official_client.py --api-url URL --desired-state FILE [--product CODE]

Keys come from DD_API_KEY / DD_APP_KEY. Prints one JSON line: what it found and did.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import yaml
from datadog_api_client import ApiClient, Configuration
from datadog_api_client.v2.api.seats_api import SeatsApi
from datadog_api_client.v2.api.users_api import UsersApi
from datadog_api_client.v2.model.assign_seats_user_request import AssignSeatsUserRequest
from datadog_api_client.v2.model.assign_seats_user_request_data import AssignSeatsUserRequestData
from datadog_api_client.v2.model.assign_seats_user_request_data_attributes import (
    AssignSeatsUserRequestDataAttributes,
)
from datadog_api_client.v2.model.seat_assignments_data_type import SeatAssignmentsDataType
from datadog_api_client.v2.model.unassign_seats_user_request import UnassignSeatsUserRequest
from datadog_api_client.v2.model.unassign_seats_user_request_data import UnassignSeatsUserRequestData
from datadog_api_client.v2.model.unassign_seats_user_request_data_attributes import (
    UnassignSeatsUserRequestDataAttributes,
)

PAGE_LIMIT = 1000
USERS_PAGE_SIZE = 100
BATCH = 1000


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api-url", required=True, help="Datadog API base URL (the sandbox's)")
    parser.add_argument("--desired-state", required=True, help="desired-state YAML (the reconcile role's format)")
    parser.add_argument("--product", help="product code (default: the file's first Datadog product)")
    parser.add_argument("--check", action="store_true", help="plan only, no writes")
    return parser.parse_args(argv)


def desired_entry(path, product):
    with open(path, encoding="utf-8") as handle:
        desired = yaml.safe_load(handle) or {}
    entries = desired.get("datadog") or []
    for entry in entries:
        if product is None or entry["product_code"] == product:
            return entry
    raise SystemExit("no Datadog product %s in %s" % (product or "at all", path))


def list_holders(seats, product_code):
    """{user uuid: email} of every holder, following next_cursor."""
    holders = {}
    cursor = None
    while True:
        kwargs = {"page_limit": PAGE_LIMIT}
        if cursor:
            kwargs["page_cursor"] = cursor
        page = seats.get_seats_users(product_code=product_code, **kwargs)
        for item in page.get("data") or []:
            attributes = item.get("attributes")
            email = attributes.get("email") if attributes is not None else None
            holders[item.id] = (email or "").lower()
        meta = page.get("meta")
        cursor = meta.get("next_cursor") if meta is not None else None
        if not cursor:
            return holders


def find_user(users, email):
    """The one user whose email or handle is exactly ``email``, else None (unknown or ambiguous)."""
    matches = {}
    page_number = 0
    while True:
        page = users.list_users(filter=email, page_size=USERS_PAGE_SIZE, page_number=page_number)
        data = page.get("data") or []
        for user in data:
            attributes = user.get("attributes")
            keys = ((attributes.get("email") or "").lower(), (attributes.get("handle") or "").lower())
            if email in keys:
                matches[user.id] = attributes
        if len(data) < USERS_PAGE_SIZE:
            break
        page_number += 1
    if len(matches) != 1:
        return None
    user_id, attributes = next(iter(matches.items()))
    if attributes.get("disabled") or attributes.get("service_account"):
        return None
    return user_id


def batches(items):
    items = sorted(items)
    for start in range(0, len(items), BATCH):
        yield items[start:start + BATCH]


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = time.monotonic()
    entry = desired_entry(args.desired_state, args.product)
    product_code = entry["product_code"]
    wanted = set(name.strip().lower() for name in entry.get("users") or [])
    protected = set(name.strip().lower() for name in entry.get("protected") or [])

    configuration = Configuration(host=args.api_url.rstrip("/"), enable_retry=True, max_retries=5)
    configuration.api_key["apiKeyAuth"] = os.environ["DD_API_KEY"]
    configuration.api_key["appKeyAuth"] = os.environ["DD_APP_KEY"]
    with ApiClient(configuration) as api_client:
        seats = SeatsApi(api_client)
        users = UsersApi(api_client)

        holders = list_holders(seats, product_code)
        holder_by_email = dict((email, user_id) for user_id, email in holders.items() if email)
        desired_ids = set()
        unknown = 0
        for name in sorted(wanted):
            if name in holder_by_email:
                desired_ids.add(holder_by_email[name])
            elif name in holders:
                desired_ids.add(name)
            else:
                user_id = find_user(users, name)
                if user_id is None:
                    unknown += 1
                else:
                    desired_ids.add(user_id)
        to_assign = desired_ids - set(holders)
        to_reclaim = set(user_id for user_id, email in holders.items()
                         if user_id not in desired_ids and email not in protected and user_id not in protected)

        if not args.check:
            for batch in batches(to_assign):
                seats.assign_seats_user(AssignSeatsUserRequest(data=AssignSeatsUserRequestData(
                    type=SeatAssignmentsDataType.SEAT_ASSIGNMENTS,
                    attributes=AssignSeatsUserRequestDataAttributes(product_code=product_code, user_uuids=batch))))
            for batch in batches(to_reclaim):
                seats.unassign_seats_user(UnassignSeatsUserRequest(data=UnassignSeatsUserRequestData(
                    type=SeatAssignmentsDataType.SEAT_ASSIGNMENTS,
                    attributes=UnassignSeatsUserRequestDataAttributes(product_code=product_code, user_uuids=batch))))

    print(json.dumps({"product_code": product_code, "holders_before": len(holders),
                      "to_assign": len(to_assign), "to_reclaim": len(to_reclaim), "unknown": unknown,
                      "check": args.check, "seconds": round(time.monotonic() - started, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
