"""Azure AD client-credentials token endpoints (v2.0 and v1) for the Store emulation.

Tokens are opaque random strings kept in SQLite with their tenant, client and expiry, so
a Store call can act on the tenant its token was issued for, and tokens survive restarts
with a --state file just like seats do.
"""

import functools
import secrets
import time
import urllib.parse

from .httpmsg import json_response
from .routing import WEB, Api, Route, Setting, seconds

AUDIENCE = "https://onestore.microsoft.com"
V2_SCOPE = AUDIENCE + "/.default"
TOKEN_HEADERS = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _error(status, error, description):
    return json_response(status, {"error": error, "error_description": description,
                                  "error_codes": [], "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ",
                                                                                time.gmtime())},
                         "application/json; charset=utf-8", TOKEN_HEADERS)


def handle_token(app, req, tenant, version):
    if req.method != "POST":
        return _error(405, "invalid_request", f"The token endpoint requires POST, not {req.method}.")
    ctype = (req.header("Content-Type") or "").split(";")[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        return _error(400, "invalid_request",
                      "The request body must be form-encoded (application/x-www-form-urlencoded).")
    try:
        form = dict(urllib.parse.parse_qsl(req.body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        return _error(400, "invalid_request", "The request body is not valid form data.")

    with app.store.read() as db:
        trow = db.execute("SELECT id_l FROM ms_tenants WHERE id_l = ?", (tenant.lower(),)).fetchone()
    if trow is None:
        return _error(400, "invalid_request", f"Tenant '{tenant}' not found. Check the tenant id or domain.")
    grant = form.get("grant_type")
    if not grant:
        return _error(400, "invalid_request", "The request body must contain the parameter 'grant_type'.")
    if grant != "client_credentials":
        return _error(400, "unsupported_grant_type",
                      f"The grant type '{grant}' is not supported; use client_credentials.")
    client_id = form.get("client_id")
    if not client_id:
        return _error(400, "invalid_request", "The request body must contain the parameter 'client_id'.")
    if version == "v2":
        scope = form.get("scope")
        if not scope:
            return _error(400, "invalid_request", "The request body must contain the parameter 'scope'.")
        if scope.strip().lower() != V2_SCOPE:
            return _error(400, "invalid_scope", f"The provided scope '{scope}' is not valid; use {V2_SCOPE}.")
    else:
        resource = form.get("resource")
        if not resource:
            return _error(400, "invalid_request", "The request body must contain the parameter 'resource'.")
        if resource.strip().lower().rstrip("/") != AUDIENCE:
            return _error(400, "invalid_resource",
                          f"The resource '{resource}' was not found in the tenant; use {AUDIENCE}.")
    secret = form.get("client_secret")
    if not secret:
        return _error(401, "invalid_client", "The request body must contain 'client_secret'.")
    with app.store.read() as db:
        client = db.execute("SELECT secret FROM ms_clients WHERE tenant = ? AND client_id_l = ?",
                            (trow[0], client_id.lower())).fetchone()
    if client is None:
        return _error(400, "unauthorized_client",
                      f"Application with identifier '{client_id}' was not found in the directory '{tenant}'.")
    if not secrets.compare_digest(client[0].encode("utf-8"), secret.encode("utf-8")):
        return _error(401, "invalid_client", "Invalid client secret provided.")

    lifetime = int(app.config["token_lifetime"])
    now = time.time()
    token = "sbx." + secrets.token_urlsafe(32)
    with app.store.write() as db:
        db.execute("DELETE FROM ms_tokens WHERE expires_at < ?", (now - 86400,))
        db.execute("INSERT INTO ms_tokens VALUES (?, ?, ?, ?, ?)",
                   (token, trow[0], client_id.lower(), now, now + lifetime))
    if version == "v2":
        body = {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime,
                "access_token": token}
    else:
        # v1 sends its numbers as strings [documented]; clients must accept both.
        body = {"token_type": "Bearer", "expires_in": str(lifetime), "ext_expires_in": str(lifetime),
                "expires_on": str(int(now + lifetime)), "not_before": str(int(now)),
                "resource": AUDIENCE, "access_token": token}
    return json_response(200, body, "application/json; charset=utf-8", TOKEN_HEADERS)


def authenticate(app, req):
    """Resolve the bearer token of a Store call.

    Returns (tenant_id_l, None) or (None, (status, message)).
    """
    auth = req.header("Authorization") or ""
    scheme, _sep, token = auth.strip().partition(" ")
    token = token.strip()
    if not auth:
        return None, (401, "Authorization header is missing")
    if scheme.lower() != "bearer" or not token or " " in token:
        return None, (401, "Authorization header is not a bearer token")
    with app.store.read() as db:
        row = db.execute(
            "SELECT t.tenant, t.expires_at, c.activated FROM ms_tokens t LEFT JOIN ms_clients c "
            "ON c.tenant = t.tenant AND c.client_id_l = t.client_id_l WHERE t.token = ?",
            (token,)).fetchone()
    if row is None:
        return None, (401, "The access token is invalid")
    if row["expires_at"] <= time.time():
        return None, (401, "The access token has expired")
    if not row["activated"]:
        return None, (403, "The application is not activated as a management tool for this tenant")
    return row["tenant"], None


def expire_all(app):
    with app.store.write() as db:
        return db.execute("UPDATE ms_tokens SET expires_at = ? WHERE expires_at > ?",
                          (time.time() - 1, time.time())).rowcount


# -- what the server needs to serve this API ---------------------------------------------

def _fault(status, phrase):
    code = {429: "temporarily_unavailable", 503: "temporarily_unavailable"}.get(
        status, "server_error" if status >= 500 else "invalid_request")
    return json_response(status, {"error": code, "error_description": f"{phrase} (injected fault)"})


TOKEN = Api("token", _fault, WEB.crash)

ROUTES = (
    Route("/{tenant}/oauth2/v2.0/token", TOKEN, functools.partial(handle_token, version="v2"), ignore_case=True),
    Route("/{tenant}/oauth2/token", TOKEN, functools.partial(handle_token, version="v1"), ignore_case=True),
)
CATCH_ALL = ()
RATE_LIMIT = None
SETTINGS = {"token_lifetime": Setting(3600, seconds)}


def saved_settings(store):
    """A --state file keeps the token lifetime a seed set."""
    saved = store.get_meta("token_lifetime")
    return {"token_lifetime": int(saved)} if saved else {}
