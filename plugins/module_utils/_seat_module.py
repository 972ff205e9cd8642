# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one runner of every seat module and every info module, whatever the platform.

A module file holds its documentation and hands its platform's registry entry
(``_platforms.get(name)``) to :func:`run_seat_module` or :func:`run_info_module`. The
runner takes from the entry what every layer shares (the name rule, the product fields and
their checks, the connection options) and asks the entry's ``module_side`` (a
:class:`SeatPlatform`) for the rest.

A seat module: options -> validate (product fields, names, nothing called) -> connect ->
check the sync options -> build the backend -> read the holders (the first read: a failure
says nothing was changed) -> resolve the names -> ``unknown_users`` -> plan, guard, apply or
predict (:func:`synchronise`) -> shape the result -> ``exit_json`` or ``fail_json``, always
with ``api_calls`` and the keys its RETURN documents as always returned (``base_result``).

Nothing here names a platform, and nothing here imports the registry: the entry comes in
as an argument, so the registry may import the platforms' module sides, which import this.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.seatops.seats.plugins.module_utils._module_runner import (
    base_result,
    check_sync_options,
    finish,
    fold_names,
    handle_unknown,
    open_journal,
    require_requests,
    sync_argument_spec,
)
from ansible_collections.seatops.seats.plugins.module_utils._seat_sync import (
    SeatSyncError,
    check_holders_digest,
    holders_digest,
    synchronise,
)


class Resolution(object):
    """What a platform's :meth:`SeatPlatform.resolve` found out about the names of a task.

    ``desired``: the :class:`Person` of each name of ``users`` that the plan may use;
    ``protected``: keys that ``exclusive`` must not reclaim; ``unknown``: ``[{"user",
    "reason"}]`` for names that mean nobody (handled as ``unknown_users`` says);
    ``refused``: ``[{"user", "reason"}]`` for people the platform will not give a seat
    (always skipped, with a warning naming the product).
    """

    def __init__(self, desired, protected=(), unknown=(), refused=()):
        self.desired = list(desired)
        self.protected = protected
        self.unknown = list(unknown)
        self.refused = list(refused)


class SeatPlatform(object):
    """The module side of one platform: what the runner asks of it (registry ``module_side``).

    A platform subclasses this in its own file and overrides the hooks it needs; the
    defaults are what a platform without that need does.

    - ``errors``: the error classes its client raises; a failure of one of them (or a
      :class:`SeatSyncError`) fails the task with its message, anything else is a bug.
    - ``mutually_exclusive``: the ``AnsibleModule`` argument of both modules.
    - ``seat_options()`` / ``info_options()``: the seat module's own options (besides the
      connection options, the shared sync options and the product fields, ``str`` and
      required) and the info module's options (besides the connection options).
    - ``result_facts(params)``: keys the seat module returns even when it fails first.
    - ``connect(module)`` -> ``(client, context)``: the client built from the options, no
      call made; raises one of ``errors`` naming the option. ``context`` (a tenant, say) goes
      to the backend and the info read. The client has ``api_calls()`` and
      ``insecure_warnings()``, and may have ``warnings()``: what the run learnt that the
      person should know, returned as the module's warnings (see :func:`run_warnings`).
    - ``backend(client, context, product, users, params)``: the engine's backend for the
      product (``{field: checked value}``), for the names of ``users``
      (``{canonical: as_given}``). Its ``product`` names the product in messages; its
      ``first_read()`` reads the holders before anything is planned and raises an error
      saying that nothing was changed (it may note more, such as unknown users); the engine
      calls its ``read_holders()`` only to read again (see ``_seat_sync.SeatBackend``).
    - ``resolve(backend, holders, users, protected, params)`` -> :class:`Resolution`.
    - ``shape_result(result, backend)``: complete the engine's result in place.
    - ``failure_facts(backend)``: what a run that failed after building the backend still
      knows of the product (what its reads found), for the failed result; default nothing.
    - ``failure_message(message, params)``: the message of a failure after connecting.
    - ``check_info_input(params)`` -> what ``read_info`` gets as ``checked``: mistakes the
      info module refuses before connecting (reported as they are).
    - ``read_info(module, client, context, checked)`` -> the info module's result; its
      failures say that the module only reads.
    """

    errors = ()
    mutually_exclusive = None

    def seat_options(self):
        return {}

    def info_options(self):
        raise NotImplementedError

    def result_facts(self, params):
        return {}

    def connect(self, module):
        raise NotImplementedError

    def backend(self, client, context, product, users, params):
        raise NotImplementedError

    def resolve(self, backend, holders, users, protected, params):
        raise NotImplementedError

    def shape_result(self, result, backend):
        return None

    def failure_facts(self, backend):
        return {}

    def failure_message(self, message, params):
        return message

    def check_info_input(self, params):
        return None

    def read_info(self, module, client, context, checked):
        raise NotImplementedError


def seat_argument_spec(platform):
    """The seat module's options: connection, the shared sync options, the product fields,
    the platform's own."""
    spec = platform.connection_argument_spec()
    spec.update(sync_argument_spec())
    spec.update((field, dict(type="str", required=True)) for field in platform.product_fields)
    spec.update(platform.module_side.seat_options())
    return spec


def info_argument_spec(platform):
    spec = platform.connection_argument_spec()
    spec.update(platform.module_side.info_options())
    return spec


def run_seat_module(platform):
    """Everything a seat module does; ``platform`` is its registry entry."""
    side = platform.module_side
    module = AnsibleModule(argument_spec=seat_argument_spec(platform), supports_check_mode=True,
                           mutually_exclusive=side.mutually_exclusive)
    params = module.params
    result = base_result(**side.result_facts(params))
    require_requests(module, **result)
    try:
        product = dict((field, platform.check_product_field(field, params[field], field))
                       for field in platform.product_fields)
        users = fold_names(params["users"], "users", platform.name_rule)
        protected = fold_names(params["protected"], "protected", platform.name_rule)
    except (SeatSyncError, ValueError) as exc:
        module.fail_json(msg=str(exc), **result)
    client, context = connect(module, side, result)
    backend = None
    try:
        check_sync_options(params, users, protected)
        backend = side.backend(client, context, product, users, params)
        sync_product(module, platform, backend, users, protected, result)
    except expected_errors(side) as exc:
        if backend is not None:
            result.update(side.failure_facts(backend))
        result.update(getattr(exc, "facts", None) or {})
        result["api_calls"] = client.api_calls()
        run_warnings(module, client)
        module.fail_json(msg=side.failure_message(str(exc), params), **result)
    result["api_calls"] = client.api_calls()
    run_warnings(module, client)
    finish(module, result, backend.product)


def sync_product(module, platform, backend, users, protected, result):
    """Read, resolve, plan, guard, apply or predict, shape: fills ``result`` in as the run
    learns things, so a failure raised part way still reports what was known."""
    side = platform.module_side
    params = module.params
    holders = backend.first_read()
    # A backend that read only the named users (the Store, user by user) has no fingerprint
    # of the product's holders: it reads every holder when a digest is expected.
    if getattr(backend, "reads_every_holder", True):
        result["holders_digest"] = holders_digest(holders)
    check_holders_digest(holders, params["expect_holders_digest"], backend.product)
    resolution = side.resolve(backend, holders, users, protected, params)
    skipped = handle_unknown(params["unknown_users"], resolution.unknown, module)
    for item in resolution.refused:
        module.warn("%s: not given a seat of %s: %s" % (item["user"], backend.product, item["reason"]))
    skipped = sorted(skipped + resolution.refused, key=lambda item: item["user"].lower())
    result["skipped_users"] = skipped
    journal = open_journal(module, platform.name)
    result.update(synchronise(
        backend, resolution.desired, holders, state=params["state"],
        exclusive=params["exclusive"], protected=resolution.protected,
        max_reclaims=params["max_reclaims"], check_mode=module.check_mode, journal=journal,
        skipped=skipped, diff=module._diff, max_holders=params["max_holders"],
        grace_days=params["grace_days"], inactive_days=params.get("reclaim_inactive_days")))
    side.shape_result(result, backend)
    warn_above_ceiling(module, result, backend.product)
    if "diff" in result:
        # Mappings: the diff callback renders them; bare lists break it.
        result["diff"] = {"before": {"holders": result["diff"]["before"]},
                          "after": {"holders": result["diff"]["after"]}}
    return result


def warn_above_ceiling(module, result, product):
    """A run that assigned nobody may end above ``max_holders`` (it is how a product gets
    back under it): it is not refused, and it says so."""
    ceiling = module.params["max_holders"]
    if ceiling is not None and result.get("holders_count") is not None and result["holders_count"] > ceiling:
        module.warn("%s %s %d holders, above max_holders %d: reclaim %d seat(s) to get under it"
                    % (product, "would end with" if module.check_mode else "ends with",
                       result["holders_count"], ceiling, result["holders_count"] - ceiling))


def run_info_module(platform):
    """Everything an info module does; ``platform`` is its registry entry."""
    side = platform.module_side
    module = AnsibleModule(argument_spec=info_argument_spec(platform), supports_check_mode=True,
                           mutually_exclusive=side.mutually_exclusive)
    require_requests(module)
    facts = {"api_calls": {"total": 0}}
    try:
        checked = side.check_info_input(module.params)
    except expected_errors(side) as exc:
        module.fail_json(msg=str(exc), **facts)
    client, context = connect(module, side, facts)
    try:
        result = side.read_info(module, client, context, checked)
    except expected_errors(side) as exc:
        # A read-only module: whatever failed, nothing was changed.
        run_warnings(module, client)
        module.fail_json(msg="%s (%s only reads: nothing was changed)"
                             % (exc, platform.info_module.rsplit(".", 1)[-1]),
                         api_calls=client.api_calls())
    result["api_calls"] = client.api_calls()
    run_warnings(module, client)
    module.exit_json(**result)


def expected_errors(side):
    """What a task fails with, its message as it is: any other exception is a bug."""
    return (SeatSyncError,) + tuple(side.errors)


def run_warnings(module, client):
    """Warn what the client learnt during the run (its optional ``warnings()``)."""
    for warning in getattr(client, "warnings", list)():
        module.warn(warning)


def connect(module, side, facts):
    """The platform's client, or a failure naming the option (``facts`` in its result)."""
    try:
        client, context = side.connect(module)
    except expected_errors(side) as exc:
        module.fail_json(msg=str(exc), **facts)
    for warning in client.insecure_warnings():
        module.warn(warning)
    return client, context
