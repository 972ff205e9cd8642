# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A whole platform in memory, for tests of the module runner and of the layers above it.

Nothing here sends HTTP. :class:`FakeWorld` is one organisation: the people it knows and the
holders of each product, with every call the client makes recorded in ``world.calls``.
:class:`FakeSeats` is the platform's module side (a ``_seat_module.SeatPlatform``), and
:func:`fake_platform` builds a registry entry (``_platforms.Platform``) named ``fake``, with
modules ``seatops.seats.fake_seats`` and ``seatops.seats.fake_seats_info``, which the runner
takes as the real modules take theirs::

    from fake_platform import TOKEN, FakeWorld, fake_platform, run_module
    from ansible_collections.seatops.seats.plugins.module_utils._seat_module import run_seat_module

    world = FakeWorld(people=["ann@example.com", "bob@example.com"],
                      holders={"gold": ["ann@example.com"]})
    result = run_module(run_seat_module, fake_platform(world),
                        {"product": "gold", "users": ["bob@example.com"], "token": TOKEN})
    assert result["assigned"] == ["bob@example.com"]
    assert world.writes() == [("assign", "gold", ["bob@example.com"])]

(Put this directory on ``sys.path`` first, as ``test_msstore_seat.py`` does for its fake.)

The platform's rules: a person is an email (canonical lower-case; a name without ``@`` is
refused); a product is one field, ``product``, a lower-case word; the connection options are
``token`` (required, never logged) and ``validate_certs``. The seat module's result carries
``product`` even on failure; people in ``world.disabled`` are refused new seats (as Datadog
refuses disabled users); an endpoint named in ``world.broken`` fails (``"read"``,
``"lookup"``, ``"assign"``, ``"reclaim"``). ``api_calls`` counts each endpoint.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections import Counter

from ansible.module_utils.testing import patch_module_args

from ansible_collections.seatops.seats.plugins.module_utils._platforms import Platform
from ansible_collections.seatops.seats.plugins.module_utils._seat_module import (
    Resolution,
    SeatPlatform,
)
from ansible_collections.seatops.seats.plugins.module_utils._seat_sync import (
    BatchOutcome,
    Person,
)

try:
    from ansible.module_utils import _internal as module_utils_internal
except ImportError:  # ansible-core before 2.19 has no such flag
    module_utils_internal = None
try:
    from ansible.module_utils.common import warnings as ansible_warnings
except ImportError:  # pragma: no cover
    ansible_warnings = None

TOKEN = "fake-token-3b9d"
_PRODUCT = re.compile(r"^[a-z][a-z0-9_]*$")


class FakeError(Exception):
    """The one error of the fake client."""


def normalise_email(name):
    text = str(name).strip()
    if "@" not in text or re.search(r"\s", text):
        raise ValueError("is not an email address")
    return text.lower()


def check_product(value, field="product"):
    text = "" if value is None else str(value).strip()
    if not _PRODUCT.match(text):
        raise ValueError("%s must be a lower-case word such as gold, got %r" % (field, value))
    return text


def connection_argument_spec():
    return dict(
        token=dict(type="str", no_log=True),
        validate_certs=dict(type="bool", default=True),
    )


class FakeWorld(object):
    """One organisation: ``people`` it knows, ``holders`` per product, the calls made."""

    def __init__(self, people=(), holders=None, disabled=(), broken=()):
        self.people = set(name.lower() for name in people)
        self.holders = dict((product, set(name.lower() for name in names))
                            for product, names in (holders or {}).items())
        self.disabled = set(name.lower() for name in disabled)
        self.broken = set(broken)
        self.calls = []

    def call(self, endpoint, *details):
        self.calls.append((endpoint,) + details)
        if endpoint in self.broken:
            raise FakeError("%s failed: the fake API is down" % endpoint)

    def writes(self):
        return [call for call in self.calls if call[0] in ("assign", "reclaim")]


class FakeClient(object):
    def __init__(self, world, validate_certs=True):
        self.world = world
        self.validate_certs = validate_certs
        self.counts = Counter()

    def _call(self, endpoint, *details):
        self.counts[endpoint] += 1
        self.world.call(endpoint, *details)

    def api_calls(self):
        counts = dict(sorted(self.counts.items()))
        counts["total"] = sum(self.counts.values())
        return counts

    def insecure_warnings(self):
        return [] if self.validate_certs else ["validate_certs=false: the fake API is not verified"]

    def list_holders(self, product):
        self._call("read", product)
        if product not in self.world.holders:
            raise FakeError("no product %s" % product)
        return sorted(self.world.holders[product])

    def known(self, names):
        self._call("lookup", sorted(names))
        return set(names) & self.world.people

    def write(self, action, product, names):
        self._call(action, product, list(names))
        holders = self.world.holders[product]
        if action == "assign":
            holders.update(names)
        else:
            holders.difference_update(names)


class FakeBackend(object):
    """The engine's backend for one product (see ``_seat_sync.SeatBackend``)."""

    batch_size = 2

    def __init__(self, client, product):
        self.client = client
        self.product = product

    def first_read(self):
        try:
            return self.read_holders()
        except FakeError as exc:
            raise FakeError("%s. Nothing was changed" % exc)

    def read_holders(self):
        return dict((name, Person(name, name)) for name in self.client.list_holders(self.product))

    def check_plan(self, plan):
        return {}

    def assign(self, people):
        return self._write("assign", people)

    def reclaim(self, people):
        return self._write("reclaim", people)

    def _write(self, action, people):
        try:
            self.client.write(action, self.product, [person.key for person in people])
        except FakeError as exc:
            yield BatchOutcome(failed=[(person, str(exc)) for person in people])
            return
        yield BatchOutcome(done=people)


class FakeSeats(SeatPlatform):
    """The fake platform's module side, over ``world``."""

    errors = (FakeError,)

    def __init__(self, world):
        self.world = world

    def info_options(self):
        return dict(products=dict(type="list", elements="str", required=True))

    def result_facts(self, params):
        return {"product": params["product"]}

    def connect(self, module):
        if not module.params["token"]:
            raise FakeError("missing token: set the option token")
        return FakeClient(self.world, module.params["validate_certs"]), None

    def backend(self, client, context, product, users, params):
        return FakeBackend(client, product["product"])

    def resolve(self, backend, holders, users, protected, params):
        missing = [name for name in users if name not in holders]
        known = backend.client.known(missing) if missing else set()
        desired, unknown, refused = [], [], []
        for name, as_given in users.items():
            if name in holders:
                desired.append(holders[name])
            elif name not in known:
                unknown.append({"user": as_given, "reason": "nobody has this email"})
            elif params["state"] == "present" and name in self.world.disabled:
                refused.append({"user": as_given, "reason": "disabled"})
            else:
                desired.append(Person(name, name))
        return Resolution(desired, list(protected), unknown, refused)

    def shape_result(self, result, backend):
        result["product"] = backend.product

    def check_info_input(self, params):
        try:
            return [check_product(product, "products[%d]" % index)
                    for index, product in enumerate(params["products"])]
        except ValueError as exc:
            raise FakeError(str(exc))

    def read_info(self, module, client, context, checked):
        return {"changed": False,
                "seats": dict((product, client.list_holders(product)) for product in checked)}


def fake_platform(world):
    """A registry entry for the fake platform over ``world``."""
    return Platform(
        name="fake",
        label="Fake",
        seat_module="seatops.seats.fake_seats",
        info_module="seatops.seats.fake_seats_info",
        product_fields=(("product", check_product),),
        person_field="email",
        name_rule=normalise_email,
        connection_argument_spec=connection_argument_spec,
        module_side=FakeSeats(world),
    )


def run_module(runner, platform, args, check_mode=False, diff=False):
    """Run ``runner`` (``run_seat_module`` or ``run_info_module``) for ``platform`` with the
    module arguments ``args``, as Ansible would on a target; returns the module's result
    (``failed`` and ``msg`` when it failed, ``warnings`` when it warned)."""
    args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    out = io.StringIO()
    with _as_a_module(), patch_module_args(args), contextlib.redirect_stdout(out):
        try:
            runner(platform)
        except SystemExit:
            pass
        else:
            raise AssertionError("the module returned without exit_json or fail_json")
    return json.loads(out.getvalue())


@contextlib.contextmanager
def _as_a_module():
    # Once controller code is imported, ansible-core 2.19 prints module warnings through
    # Display instead of returning them (see tests/unit/plugins/modules/conftest.py); and
    # AnsibleModule collects warnings process-wide, so one run's must not leak into the next.
    flag = getattr(module_utils_internal, "is_controller", None)
    if flag is not None:
        module_utils_internal.is_controller = False
    if ansible_warnings is not None and hasattr(ansible_warnings, "_global_warnings"):
        ansible_warnings._global_warnings.clear()
    try:
        yield
    finally:
        if flag is not None:
            module_utils_internal.is_controller = flag
        if ansible_warnings is not None and hasattr(ansible_warnings, "_global_warnings"):
            ansible_warnings._global_warnings.clear()
