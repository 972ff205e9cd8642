"""The one list of the sandbox's APIs: a new API is one handler module and one line here.

Everything else (the route table, the ``/_sandbox/config`` keys and their defaults, the
rate budgets, the ``serve`` options, the APIs' own admin calls) is derived from this list; see ``routing`` for what
each module declares.
"""

from . import copilot_api, datadog_api, msstore_api, tokens
from .routing import NO_API, Setting, milliseconds, one_of

APIS = (datadog_api, msstore_api, tokens, copilot_api)

# Settings of the server itself, in front of every API.
SERVER_SETTINGS = {
    "latency_ms": Setting(0, milliseconds),
    "jitter_ms": Setting(0, milliseconds),
    # What answers a path no API has (a wrong api_url, a proxy in front): a web server's 404.
    "unknown_path_answer": Setting("text", one_of("text", "html", "json", "empty")),
}

RATE_LIMITS = tuple(api.RATE_LIMIT for api in APIS if api.RATE_LIMIT is not None)

# Every /_sandbox/config key: the server's, then each API's rate limit and settings.
SETTINGS = dict(SERVER_SETTINGS)
for _api in APIS:
    if _api.RATE_LIMIT is not None:
        SETTINGS[_api.RATE_LIMIT.key] = _api.RATE_LIMIT.setting()
    SETTINGS.update(_api.SETTINGS)

# Every API's routes in registry order, then their catch-alls, then any other path. The
# catch-alls go longest prefix first (registry order among equals), so one API can claim a
# corner of another's prefix (GitHub's /api/v3/orgs/** inside Datadog's /api/**).
ROUTES = tuple(route for api in APIS for route in api.ROUTES) + \
    tuple(sorted((route for api in APIS for route in api.CATCH_ALL), key=lambda r: -len(r.parts))) + (NO_API,)


def _admin_routes():
    """Every API's own admin calls by path; two APIs may not claim the same path."""
    routes = {}
    for api in APIS:
        for admin_route in getattr(api, "ADMIN", ()):
            if admin_route.path in routes:
                raise AssertionError(f"two APIs declare the admin path {admin_route.path}")
            routes[admin_route.path] = admin_route
    return routes


# The admin calls the API modules add under /_sandbox/ (admin.py serves them).
ADMIN_ROUTES = _admin_routes()


def route(segments):
    """The first route whose pattern matches ``segments``, with its captured segments."""
    for candidate in ROUTES:
        captures = candidate.match(segments)
        if captures is not None:
            return candidate, captures
    raise AssertionError("NO_API matches every path")  # pragma: no cover


def initial_config(store):
    """Every setting's default, then what the state file kept."""
    config = {key: setting.default for key, setting in SETTINGS.items()}
    for api in APIS:
        saved = getattr(api, "saved_settings", None)
        if saved is not None:
            config.update(saved(store))
    return config
