"""/_sandbox admin endpoints: health, seed/reset, state, request log, faults, config, tokens,
and the admin calls each API module declares (``registry.ADMIN_ROUTES``)."""

import json

import yaml

from . import registry, tokens
from .faults import ConfigError
from .httpmsg import json_response
from .routing import AdminError
from .seed import SeedError, parse_seed_text, validate_seed

# Every /_sandbox/config key, the server's and each API's (see registry.SETTINGS).
CONFIG_KEYS = tuple(registry.SETTINGS)


def _error(status, message, field=None):
    body = {"error": message}
    if field is not None:
        body["field"] = field
    return json_response(status, body)


def _json_body(req):
    if not req.body.strip():
        return {}
    return json.loads(req.body.decode("utf-8"))


def validate_config(values):
    if not isinstance(values, dict):
        raise ConfigError("config", "must be a JSON object")
    unknown = set(values) - set(CONFIG_KEYS)
    if unknown:
        raise ConfigError(sorted(unknown)[0], f"unknown setting; known: {', '.join(CONFIG_KEYS)}")
    return {key: registry.SETTINGS[key].check(values[key], key) for key in CONFIG_KEYS if key in values}


def apply_seed(app, data):
    """Validate and load a seed; shared by the endpoint and the CLI."""
    seed = validate_seed(data)
    app.store.load(seed)
    for api in registry.APIS:
        # An API's server-side bookkeeping (GitHub's per-token budgets) starts again with the state.
        getattr(api, "on_seed", lambda _app: None)(app)
    if seed["msstore"]["token_lifetime"]:
        app.update_config({"token_lifetime": seed["msstore"]["token_lifetime"]})
    return {
        "datadog": {"keys": len(seed["datadog"]["keys"]), "products": len(seed["datadog"]["products"]),
                    "users": len(seed["datadog"]["users"]),
                    "seats": sum(len(v) for v in seed["datadog"]["seats"].values())},
        "msstore": {"tenants": len(seed["msstore"]["tenants"]),
                    "users": sum(len(t["users"]) for t in seed["msstore"]["tenants"]),
                    "seats": sum(len(s) for t in seed["msstore"]["tenants"] for s in t["seats"].values())},
        "github": {"orgs": len(seed["github"]["orgs"]), "tokens": len(seed["github"]["tokens"]),
                   "seats": sum(len(o["seats"]) for o in seed["github"]["orgs"])},
    }


def handle(app, req):
    path = req.path.rstrip("/")
    routes = {
        "/_sandbox/health": ("GET", lambda: json_response(200, {"status": "ok"})),
        "/_sandbox/reset": ("POST", lambda: _reset(app)),
        "/_sandbox/seed": ("POST", lambda: _seed(app, req)),
        "/_sandbox/state": ("GET", lambda: json_response(200, app.store.snapshot())),
        "/_sandbox/requests": ("GET", lambda: json_response(200, app.requests.snapshot())),
        "/_sandbox/requests/clear": ("POST", lambda: _clear(app)),
        "/_sandbox/faults": (("GET", "POST"), lambda: _faults(app, req)),
        "/_sandbox/config": (("GET", "POST"), lambda: _config(app, req)),
        "/_sandbox/tokens/expire": ("POST", lambda: json_response(200, {"expired": tokens.expire_all(app)})),
    }
    for api_path, api_route in registry.ADMIN_ROUTES.items():
        routes[api_path] = (api_route.method, lambda api_route=api_route: _api_admin(app, req, api_route))
    if path not in routes:
        return _error(404, f"unknown admin endpoint {path}; see the sandbox README")
    methods, func = routes[path]
    if req.method not in ((methods,) if isinstance(methods, str) else methods):
        return _error(405, f"{req.method} not allowed on {path}")
    return func()


def _api_admin(app, req, api_route):
    """An admin call of an API module: its JSON object body in, its answer or a 400 out."""
    try:
        body = _json_body(req)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return _error(400, "body must be a JSON object", "")
    try:
        return api_route.handler(app, body)
    except AdminError as exc:
        return _error(400, str(exc), exc.field)


def _reset(app):
    app.store.reset()
    return json_response(200, {"status": "ok"})


def _clear(app):
    app.requests.clear()
    return json_response(200, {"status": "ok"})


def _seed(app, req):
    ctype = (req.header("Content-Type") or "").lower()
    try:
        text = req.body.decode("utf-8")
        if "yaml" in ctype:
            try:
                data = yaml.safe_load(text)
            except yaml.YAMLError as exc:
                return _error(400, f"seed is not valid YAML: {exc}", "")
        else:
            data = parse_seed_text(text, "json")
        counts = apply_seed(app, data)
    except UnicodeDecodeError:
        return _error(400, "seed must be UTF-8 text", "")
    except SeedError as exc:
        return _error(400, str(exc), exc.field)
    return json_response(200, {"status": "ok", "loaded": counts})


def _faults(app, req):
    if req.method == "POST":
        try:
            body = _json_body(req)
        except ValueError:
            return _error(400, "body must be JSON", "")
        if not isinstance(body, dict) or "rules" not in body:
            return _error(400, 'body must be {"rules": [...], "seed": N}', "rules")
        seed = body.get("seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            return _error(400, "seed must be an integer", "seed")
        try:
            app.faults.set_rules(body["rules"], seed)
        except ConfigError as exc:
            return _error(400, str(exc), exc.field)
    return json_response(200, {"rules": app.faults.rules(), "seed": app.faults.seed})


def _config(app, req):
    if req.method == "POST":
        try:
            app.update_config(validate_config(_json_body(req)))
        except ValueError as exc:
            field = getattr(exc, "field", "")
            return _error(400, str(exc) if field else "body must be a JSON object", field)
    return json_response(200, dict(app.config))
