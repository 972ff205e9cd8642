# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The platform registry: one entry per platform, read by every layer above the clients.

An entry says what the upper layers need to know of its platform: the label people read,
its module names, the fields that identify a product and the rule for each (the client's
own function), how a person is named and the rule for a name, and the connection options
(taken from the platform's argument spec, never a copy). Plain Python, no controller
imports, so modules and plugin_utils read the same entries (docs: DESIGN.md, "Platforms:
the seam"). A new platform adds one entry to ``PLATFORMS``.
"""

from __future__ import annotations

from ansible_collections.seatops.seats.plugins.module_utils._datadog import (
    DatadogError,
    check_product_code,
    connection_argument_spec as datadog_connection_argument_spec,
    is_uuid,
    normalise_name,
)
from ansible_collections.seatops.seats.plugins.module_utils._datadog_seats_backend import DATADOG
from ansible_collections.seatops.seats.plugins.module_utils._github import (
    GithubError,
    check_organization,
    connection_argument_spec as github_connection_argument_spec,
    normalise_login,
)
from ansible_collections.seatops.seats.plugins.module_utils._github_seats_backend import GITHUB
from ansible_collections.seatops.seats.plugins.module_utils._msstore import (
    check_product_id,
    check_sku_id,
    connection_argument_spec as msstore_connection_argument_spec,
    normalise_upn,
)
from ansible_collections.seatops.seats.plugins.module_utils._msstore_seats_backend import STORE


class Platform(object):
    """One platform as the upper layers see it.

    ``product_fields``: ``((field, check), ...)``, where ``check(value, field)`` returns the
    value in its canonical form or raises naming ``field``. ``name_rule(name)`` returns a
    person's name in canonical form or raises ValueError saying what is wrong.
    ``person_field``: what a person is called in the roles' input (``email``, ``upn``,
    ``login``).
    ``inventory_args``: the info module's arguments that list the products with their
    capacity (None when the API tells no capacity).
    ``holdings_args``: the info module's arguments that, with ``users``, list the products
    each person holds as ``user_seats: {name: [product]}``; None when the API cannot tell
    (then offboarding needs the products named, ``<platform>_products``).
    ``person_id``: ``(what it is called, check)`` when the seat module lists people as
    mappings ``{id, ...}`` and ``id`` is exact (a Datadog user UUID): records keep the id and
    a restore gives the seat back by it. None when the module lists people by name.
    ``role_connection_options``: the connection options a role takes as variables named
    ``<role prefix><platform>_<option>`` (``onboarding_datadog_api_url``).
    ``desired_state_key``: the platform's top-level key in a reconcile desired state (its
    ``name`` unless set: ``github_copilot`` says which GitHub seats it is about).
    ``module_side``: how the platform's modules build its client and backend, resolve names
    and shape results (a ``_seat_module.SeatPlatform``, kept in the platform's own files);
    the module runner gets it with the entry.
    """

    def __init__(self, name, label, seat_module, info_module, product_fields, person_field, name_rule,
                 connection_argument_spec, inventory_args=None, holdings_args=None,
                 role_connection_options=("api_url",), person_id=None, input_errors=(ValueError,),
                 module_side=None, desired_state_key=None):
        self.name = name
        self.label = label
        self.seat_module = seat_module
        self.info_module = info_module
        self.product_checks = tuple(product_fields)
        self.product_fields = tuple(field for field, _check in self.product_checks)
        self.person_field = person_field
        self.name_rule = name_rule
        self.connection_argument_spec = connection_argument_spec
        self.inventory_args = inventory_args
        self.holdings_args = holdings_args
        self.role_connection_options = tuple(role_connection_options)
        self.person_id = person_id
        # What this platform's rules raise (each with a message a person can act on).
        self.input_errors = tuple(input_errors)
        self.module_side = module_side
        self.desired_state_key = desired_state_key or name

    @property
    def inventory(self):
        """Whether the info module lists the products with their capacity."""
        return self.inventory_args is not None

    @property
    def connection_options(self):
        """The connection option names, in the order of the argument spec."""
        return tuple(self.connection_argument_spec())

    def product_label(self, entry):
        """How people read a product: its identifier fields joined by ``/``
        (``incident_response``, ``9NBLGGH4R2R6/0016``)."""
        return "/".join(str(entry[field]) for field in self.product_fields)

    def check_product_field(self, field, value, where):
        """``value`` of the identifier ``field`` in canonical form, by the platform's own rule.
        Raises ValueError with the rule's message, which names ``where``."""
        check = dict(self.product_checks)[field]
        try:
            return check(value, where)
        except self.input_errors as exc:
            raise ValueError(str(exc))

    def check_name(self, name):
        """A person's name in canonical form; raises ValueError saying what is wrong."""
        return self.name_rule(name)

    def __repr__(self):
        return "Platform(%r)" % self.name


PLATFORMS = (
    Platform(
        name="datadog",
        label="Datadog",
        seat_module="seatops.seats.datadog_seats",
        info_module="seatops.seats.datadog_seats_info",
        product_fields=(("product_code", check_product_code),),
        person_field="email",
        name_rule=normalise_name,
        connection_argument_spec=datadog_connection_argument_spec,
        person_id=("user UUID", is_uuid),
        input_errors=(DatadogError, ValueError),
        module_side=DATADOG,
    ),
    Platform(
        name="msstore",
        label="Microsoft Store",
        seat_module="seatops.seats.msstore_seat",
        info_module="seatops.seats.msstore_seat_info",
        product_fields=(("product_id", check_product_id), ("sku_id", check_sku_id)),
        person_field="upn",
        name_rule=normalise_upn,
        connection_argument_spec=msstore_connection_argument_spec,
        inventory_args={"view": "inventory"},
        holdings_args={"view": "users"},
        role_connection_options=("api_url", "auth_url"),
        module_side=STORE,
    ),
    Platform(
        name="github",
        label="GitHub Copilot",
        seat_module="seatops.seats.github_copilot_seats",
        info_module="seatops.seats.github_copilot_seats_info",
        product_fields=(("organization", check_organization),),
        person_field="login",
        name_rule=normalise_login,
        connection_argument_spec=github_connection_argument_spec,
        input_errors=(GithubError, ValueError),
        module_side=GITHUB,
        desired_state_key="github_copilot",
    ),
)

BY_NAME = dict((platform.name, platform) for platform in PLATFORMS)
NAMES = tuple(platform.name for platform in PLATFORMS)


def get(name):
    """The registry entry of the platform ``name``; KeyError for an unknown one."""
    return BY_NAME[name]
