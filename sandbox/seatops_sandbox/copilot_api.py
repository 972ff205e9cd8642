"""GitHub Copilot seat management (E1-E8 of the GitHub Copilot seats contract), and the
org-membership read the collection checks before giving a seat.

Section numbers in comments refer to that contract. Where it marks a behaviour [UNKNOWN],
the stand-in rule is the default and a ``github_*`` setting of ``/_sandbox/config`` gives
every other plausible answer, so a client is tested against each (§13 "Switches").

The order of checks is §4.3: 401 (token) -> rate limit -> 403 SSO -> 404 (unknown org or
not an owner) -> 403/404 (permission) -> secondary limit (writes) -> endpoint logic.
"""

import base64
import datetime
import json
import math
import threading
import time

from .faults import ConfigError
from .httpmsg import json_response
from .routing import AdminError, AdminRoute, Api, Route, Setting, boolean, one_of
from .seed import GH_SETTINGS, timestamp, TIMESTAMP_RULE
from .store import gh_cycle, gh_iso, gh_now, gh_roll_over, gh_user_id

JSON_CT = "application/json; charset=utf-8"
DOCS = "https://docs.github.com/rest/copilot/copilot-user-management"
RATE_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
VERSIONS = ("2022-11-28", "2026-03-10")
PER_PAGE_DEFAULT, PER_PAGE_MAX = 50, 100
SECONDARY_MESSAGE = ("You have exceeded a secondary rate limit and have been temporarily blocked from content "
                     "creation. Please retry your request again later.")
ACCEPTED_READ = "organization_copilot_seat_management=read; organization_administration=read"
ACCEPTED_WRITE = "organization_copilot_seat_management=write; organization_administration=write"
ACCEPTED_MEMBERS = "members=read"
LOCKOUT_MESSAGE = "Maximum number of login attempts exceeded. Please try again later."
LOCKOUT_SECONDS = 60
BASE_URL = "https://api.github.com"


class Refusal(Exception):
    """An answer decided deep inside a check: raised, turned into the response by the caller."""

    def __init__(self, resp):
        super().__init__(resp.status)
        self.resp = resp


def basic_error(status, message, headers=None, **extra):
    """GitHub's basic-error body (§5): ``status`` is a string, as current responses send it."""
    return json_response(status, dict({"message": message, "documentation_url": DOCS, "status": str(status)}, **extra),
                         JSON_CT, headers)


def _refuse(status, message, headers=None, **extra):
    raise Refusal(basic_error(status, message, headers, **extra))


# -- per-token budgets (§6) -----------------------------------------------------------------

_RATE_LOCK = threading.Lock()


def _counters(app):
    """Per-token request counts per hour and write times: kept on the app, not in the
    database, because they are the server's bookkeeping, not seat state."""
    if not hasattr(app, "gh_rate"):
        app.gh_rate, app.gh_writes = {}, {}
    return app.gh_rate, app.gh_writes


def on_seed(app):
    """A reseed starts every token's budgets again, so tests do not inherit each other's counts."""
    rate, writes = _counters(app)
    with _RATE_LOCK:
        rate.clear()
        writes.clear()
    app.gh_stale = {}
    app.gh_bad_credentials, app.gh_locked_until = [], 0.0


def _primary(app, token, kind):
    """Spend one request of ``token``'s hourly budget; (allowed, the five x-ratelimit-* headers)."""
    limit = app.config["github_primary_limit"] or (15000 if kind == "app_installation" else 5000)
    if kind is None:
        limit = app.config["github_primary_limit"] or 60
    now = time.time()
    window = math.floor(now / 3600)
    rate, _writes = _counters(app)
    with _RATE_LOCK:
        start, used = rate.get(token, (window, 0))
        if start != window:
            start, used = window, 0
        allowed = used < limit
        used += int(allowed)
        rate[token] = (start, used)
    headers = {"x-ratelimit-limit": str(limit), "x-ratelimit-remaining": str(max(limit - used, 0)),
               "x-ratelimit-used": str(used), "x-ratelimit-reset": str((window + 1) * 3600),
               "x-ratelimit-resource": "core"}
    return allowed, headers


def _secondary(app, token, headers):
    """A write beyond ``github_secondary_limit`` writes per ``github_secondary_window`` seconds
    answers as GitHub's secondary limit does, in the shape ``github_secondary_answer`` picks
    (§6: retry-after is not always sent); both times are switches so tests need not wait a minute."""
    limit = app.config["github_secondary_limit"]
    if limit is None:
        return
    now = time.time()
    window = app.config["github_secondary_window"]
    _rate, writes = _counters(app)
    with _RATE_LOCK:
        recent = [t for t in writes.get(token, []) if t > now - window]
        refused = len(recent) >= limit
        if not refused:
            recent.append(now)
        writes[token] = recent
    if not refused:
        return
    style = app.config["github_secondary_answer"]
    out = dict(headers)
    if style == "no_headers":
        out = {}
    if style in ("retry_after", "429_retry_after"):
        out["retry-after"] = str(app.config["github_secondary_retry_after"])
    raise Refusal(json_response(429 if style == "429_retry_after" else 403,
                                {"message": SECONDARY_MESSAGE, "documentation_url": RATE_DOCS}, JSON_CT, out))


# -- bad-credential lockout (§4.3) ----------------------------------------------------------

def _lockout_check(app, now):
    """While locked out every request is refused, valid credentials included (§4.3). The
    sandbox cannot tell clients apart, so the lockout is global: tests run one client at a time."""
    if app.config["github_bad_credential_lockout"] is None:
        return
    if getattr(app, "gh_locked_until", 0.0) > now:
        raise Refusal(json_response(403, {"message": LOCKOUT_MESSAGE, "documentation_url": DOCS}, JSON_CT))


def _count_bad_credentials(app, now):
    """One more 401 "Bad credentials": the N-th within 60 s starts a 60 s lockout."""
    limit = app.config["github_bad_credential_lockout"]
    if limit is None:
        return
    with _RATE_LOCK:
        recent = [t for t in getattr(app, "gh_bad_credentials", []) if t > now - LOCKOUT_SECONDS] + [now]
        if len(recent) >= limit:
            app.gh_locked_until, recent = now + LOCKOUT_SECONDS, []
        app.gh_bad_credentials = recent


# -- the gate: headers, token, role, permission ---------------------------------------------

def _check_headers(app, req):
    version = req.header("X-GitHub-Api-Version")
    if version is not None and version.strip() not in VERSIONS:
        _refuse(400, f"Invalid API version provided: {version}")
    if not (req.header("User-Agent") or "").strip() and app.config["github_missing_user_agent"] == "403":
        # Status undocumented (§3): 403 is GitHub's usual answer; "allow" is the other reading.
        _refuse(403, "Request forbidden by administrative rules. Please make sure your request has a User-Agent header.")


def _token_row(db, req):
    auth = (req.header("Authorization") or "").strip()
    scheme, _sep, value = auth.partition(" ")
    if not auth or scheme.lower() not in ("bearer", "token") or not value.strip():
        return None, "Requires authentication"
    row = db.execute("SELECT * FROM gh_tokens WHERE token = ?", (value.strip(),)).fetchone()
    return row, None if row is not None else "Bad credentials"


def _caller(app, req, db):
    """Headers, lockout, token and primary budget, common to every GitHub route; returns
    (token row, rate-limit headers) or raises Refusal."""
    _check_headers(app, req)
    now = time.time()
    _lockout_check(app, now)
    tok, problem = _token_row(db, req)
    allowed, headers = _primary(app, tok["token"] if tok else "anonymous", tok["kind"] if tok else None)
    if tok is None:
        if problem == "Bad credentials":
            _count_bad_credentials(app, now)
        _refuse(401, problem, headers)
    if not allowed:
        status = int(app.config["github_primary_answer"])
        headers["x-ratelimit-remaining"] = "0"
        _refuse(status, "API rate limit exceeded for user." if tok["user_l"] else
                "API rate limit exceeded for installation.", headers)
    return tok, headers


def _gate(app, req, db, org, write, permission=None):
    """Everything before the endpoint logic; returns (org row, rate-limit headers) or raises
    Refusal. ``permission(tok, write, headers)`` is the endpoint's own token check (default:
    the Copilot endpoints')."""
    tok, headers = _caller(app, req, db)
    if not tok["sso"]:
        headers["X-GitHub-SSO"] = f"required; url=https://github.com/orgs/{org}/sso?authorization_request=sandbox"
        _refuse(403, "Resource protected by organization SAML enforcement. You must grant your "
                     "Personal Access token access to this organization.", headers)
    org_row = db.execute("SELECT * FROM gh_orgs WHERE login_l = ?", (org.lower(),)).fetchone()
    if org_row is None or not _is_owner(db, tok, org_row):
        # GitHub hides what a caller may not see: unknown org and non-owner look alike (§4.3).
        _refuse(404, "Not Found", headers)
    (permission or _check_permission)(tok, write, headers)
    if write:
        _secondary(app, tok["token"], headers)
    return org_row, headers


def _is_owner(db, tok, org_row):
    if tok["kind"] == "app_installation":
        return True     # an installation acts for the org it is installed on
    row = db.execute("SELECT role FROM gh_members WHERE org_l = ? AND login_l = ?",
                     (org_row["login_l"], tok["user_l"])).fetchone()
    return row is not None and row["role"] == "owner"


def _check_permission(tok, write, headers):
    """§4.2: a classic token needs a scope (else 404, as GitHub hides it); a fine-grained or
    App token needs Copilot Business or Administration at the level (else 403 + the header)."""
    if tok["kind"] == "classic":
        scopes = set(filter(None, tok["scopes"].split(",")))
        headers["X-OAuth-Scopes"] = ", ".join(sorted(scopes))
        headers["X-Accepted-OAuth-Scopes"] = "manage_billing:copilot, " + ("admin:org" if write else "read:org")
        enough = {"manage_billing:copilot", "admin:org"} if write else {"manage_billing:copilot", "read:org", "admin:org"}
        if not scopes & enough:
            _refuse(404, "Not Found", headers)
        return
    perms = json.loads(tok["permissions"])
    levels = ("write",) if write else ("read", "write")
    if not any(perms.get(key) in levels for key in ("copilot", "administration")):
        headers["X-Accepted-GitHub-Permissions"] = ACCEPTED_WRITE if write else ACCEPTED_READ
        who = "personal access token" if tok["kind"] == "fine_grained" else "integration"
        _refuse(403, f"Resource not accessible by {who}", headers)


def _members_permission(tok, _write, headers):
    """The membership read: a classic token needs read:org or admin:org (else 404: with only
    manage_billing:copilot GitHub hides it); a fine-grained or App token needs the org
    permission Members at read or write (else 403 + the header)."""
    if tok["kind"] == "classic":
        scopes = set(filter(None, tok["scopes"].split(",")))
        headers["X-OAuth-Scopes"] = ", ".join(sorted(scopes))
        headers["X-Accepted-OAuth-Scopes"] = "admin:org, read:org"
        if not scopes & {"read:org", "admin:org"}:
            _refuse(404, "Not Found", headers)
        return
    if json.loads(tok["permissions"]).get("members") not in ("read", "write"):
        headers["X-Accepted-GitHub-Permissions"] = ACCEPTED_MEMBERS
        who = "personal access token" if tok["kind"] == "fine_grained" else "integration"
        _refuse(403, f"Resource not accessible by {who}", headers)


# -- reads: E1, E2, E3 ----------------------------------------------------------------------

def _require_copilot(app, org_row, headers, endpoint):
    if org_row["copilot"]:
        return
    # E3 documents a 422; E1/E2 answer what client code expects (404), switchable (§5, open question 12).
    status = 422 if endpoint == "E3" else int(app.config["github_no_copilot_read"])
    _refuse(status, "Copilot Business is not enabled for this organization." if status == 422 else "Not Found", headers)


def _seat_table(app, org_row):
    """Where reads find seats: the copy taken before the last writes while they are not yet
    visible (``github_write_delay``, §10.12), else the seats themselves."""
    until = getattr(app, "gh_stale", {}).get(org_row["login_l"], 0)
    return "gh_seats_stale" if until > time.time() else "gh_seats"


def _hide_writes(app, db, org_row):
    """Before a write under ``github_write_delay``: keep what reads show until N seconds
    after this write (the copy is taken once, at the first write of a run of hidden ones)."""
    delay = app.config["github_write_delay"]
    if not delay:
        return
    if not hasattr(app, "gh_stale"):
        app.gh_stale = {}
    if app.gh_stale.get(org_row["login_l"], 0) <= time.time():
        db.execute("DELETE FROM gh_seats_stale WHERE org_l = ?", (org_row["login_l"],))
        db.execute("INSERT INTO gh_seats_stale SELECT * FROM gh_seats WHERE org_l = ?", (org_row["login_l"],))


def _listed_where(app):
    """Seats E2 lists and counts: enterprise-team seats per ``github_enterprise_seats``."""
    if app.config["github_enterprise_seats"] == "hidden":
        return (" AND NOT EXISTS (SELECT 1 FROM gh_teams t WHERE t.org_l = s.org_l AND t.slug_l = s.team_l "
                "AND t.enterprise = 1)")
    return ""


def _read(app, req, org, endpoint, read, permission=None):
    """A read endpoint: 404 for another method; the cycle rolled over, the caller and Copilot
    checked (``endpoint`` None: not a Copilot endpoint, no Copilot check), then
    ``read(db, org_row, headers)`` gives the body (and may add headers); a Refusal on the
    way is the answer."""
    if req.method != "GET":
        return basic_error(404, "Not Found")
    try:
        with app.store.write() as db:
            gh_roll_over(db)
            org_row, headers = _gate(app, req, db, org, False, permission)
            if endpoint is not None:
                _require_copilot(app, org_row, headers, endpoint)
            body = read(db, org_row, headers)
    except Refusal as exc:
        return exc.resp
    return json_response(200, body, JSON_CT, headers)


def handle_billing(app, req, org):
    """E1: the org's settings and a seat breakdown consistent with E2 (§8.2 stand-in rule)."""
    def read(db, org_row, headers):
        if org_row["payment_problem"]:
            _refuse(422, "There is a problem with your account's associated payment method.", headers)
        return _billing_body(app, db, org_row)
    return _read(app, req, org, "E1", read)


def _billing_body(app, db, org_row):
    start, _next = gh_cycle(org_row["cycle_day"], gh_now(db))
    first = start.isoformat() + "T00:00:00Z"
    orphans = "" if app.config["github_orphans_in_total"] == "counted" else " AND s.login_l IS NOT NULL"
    row = db.execute(
        "SELECT COUNT(*), SUM(pending_date IS NOT NULL), SUM(created_at >= ?), SUM(last_activity_at >= ?) "
        f"FROM {_seat_table(app, org_row)} s WHERE s.org_l = ?" + orphans + _listed_where(app),
        (first, first, org_row["login_l"])).fetchone()
    total, pending, added, active = row[0], row[1] or 0, row[2] or 0, row[3] or 0
    invited = db.execute("SELECT COUNT(*) FROM gh_members WHERE org_l = ? AND role = 'invitation'",
                         (org_row["login_l"],)).fetchone()[0]
    breakdown = {"total": total, "added_this_cycle": added, "pending_invitation": invited,
                 "pending_cancellation": pending, "active_this_cycle": active, "inactive_this_cycle": total - active}
    body = {"seat_breakdown": breakdown}
    body.update({key: org_row[key] for key in GH_SETTINGS})
    return body


def _page_params(app, req, headers):
    """§7 stand-in rules: non-integer or < 1 means the default; over 100 clamps (or 422 by switch)."""
    def number(name, default):
        try:
            value = int((req.first(name) or "").strip())
        except ValueError:
            return default
        return value if value >= 1 else default
    per_page = number("per_page", PER_PAGE_DEFAULT)
    if per_page > PER_PAGE_MAX:
        if app.config["github_per_page_over_max"] == "reject":
            _refuse(422, f"per_page must be at most {PER_PAGE_MAX}", headers)
        per_page = PER_PAGE_MAX
    return number("page", 1), per_page


def handle_seats(app, req, org):
    """E2: one page of the billed seats, ``Link`` only when there is more than one page."""
    def read(db, org_row, headers):
        page, per_page = _page_params(app, req, headers)
        total, listed, rows = _seat_page(app, db, org_row, page, per_page)
        seats = [_seat_json(app, db, org_row, row) for row in rows]
        link = _link_header(app, req, org_row, page, per_page, listed)
        if link:
            headers["Link"] = link
        return {"total_seats": total, "seats": seats}
    return _read(app, req, org, "E2", read)


def _seat_page(app, db, org_row, page, per_page):
    where = "WHERE s.org_l = ?" + _listed_where(app)
    args = (org_row["login_l"],)
    table = _seat_table(app, org_row)
    listed = db.execute(f"SELECT COUNT(*) FROM {table} s {where}", args).fetchone()[0]
    total = listed
    if app.config["github_orphans_in_total"] == "not_counted":
        total -= db.execute(f"SELECT COUNT(*) FROM {table} s {where} AND s.login_l IS NULL", args).fetchone()[0]
    # A stable order across pages (§7): created_at, then the holder's id, then the seat key.
    rows = db.execute(f"SELECT s.* FROM {table} s {where} ORDER BY s.created_at, s.uid, s.key LIMIT ? OFFSET ?",
                      args + (per_page, (page - 1) * per_page)).fetchall()
    return total, listed, rows


def _link_header(app, req, org_row, page, per_page, listed):
    last = max(1, math.ceil(listed / per_page))
    if last == 1:
        return None
    host = req.header("Host") or "localhost"
    # E8 (org_row None) has no canonical alternative: its links stay on the requested path.
    if org_row is not None and app.config["github_link_path"] == "canonical":
        path = f"/organizations/{org_row['id']}/copilot/billing/seats"
    else:
        path = req.path
    base = f"{getattr(app, 'scheme', 'http')}://{host}{path}"
    rels = []
    if page < last:
        rels.append((page + 1, "next"))
    rels.append((last, "last"))
    if page > 1:
        rels = [(1, "first"), (min(page - 1, last), "prev")] + rels
    return ", ".join(f'<{base}?per_page={per_page}&page={n}>; rel="{rel}"' for n, rel in rels)


def handle_member_seat(app, req, org, username):
    """E3: the seat of one member; 404 without one, 422 for an invitee or without Copilot."""
    def read(db, org_row, headers):
        role = db.execute("SELECT role FROM gh_members WHERE org_l = ? AND login_l = ?",
                          (org_row["login_l"], username.lower())).fetchone()
        if role is not None and role["role"] == "invitation":
            _refuse(422, "The user has a pending organization invitation.", headers)
        row = db.execute(f"SELECT * FROM {_seat_table(app, org_row)} WHERE org_l = ? AND login_l = ?",
                         (org_row["login_l"], username.lower())).fetchone()
        if row is None or (row["pending_date"] and app.config["github_pending_in_e3"] == "not_found"):
            _refuse(404, "Not Found", headers)
        return _seat_json(app, db, org_row, row)
    return _read(app, req, org, "E3", read)


def handle_membership(app, req, org, username):
    """GET /orgs/{org}/memberships/{username} (GitHub's REST "organization membership for a
    user", outside E1-E8): the collection asks it before E4, which may invite a non-member.
    Owners are active admins, members active members, invitees pending members; anyone else 404."""
    def read(db, org_row, headers):
        row = db.execute("SELECT m.role, u.login, u.id FROM gh_members m JOIN gh_users u ON u.login_l = m.login_l "
                         "WHERE m.org_l = ? AND m.login_l = ?", (org_row["login_l"], username.lower())).fetchone()
        if row is None:
            _refuse(404, "Not Found", headers)
        return {"url": f"{BASE_URL}/orgs/{org_row['login']}/memberships/{row['login']}",
                "state": "pending" if row["role"] == "invitation" else "active",
                "role": "admin" if row["role"] == "owner" else "member",
                "organization_url": f"{BASE_URL}/orgs/{org_row['login']}",
                "organization": org_json(org_row), "user": user_json(row["login"], row["id"])}
    return _read(app, req, org, None, read, _members_permission)


# -- E8: enterprise seats ------------------------------------------------------------------

def _enterprise_gate(app, req, db, enterprise):
    """E8's checks (§4.1, §4.2): the common caller checks, SSO, an enterprise known by slug or
    id (else 404), a classic token (fine-grained and App tokens cannot use E8: 403), an
    enterprise owner or billing manager (else 404, as GitHub hides), then the scope (else 404)."""
    tok, headers = _caller(app, req, db)
    if not tok["sso"]:
        headers["X-GitHub-SSO"] = (f"required; url=https://github.com/enterprises/{enterprise}/sso"
                                   "?authorization_request=sandbox")
        _refuse(403, "Resource protected by enterprise SAML enforcement. You must grant your "
                     "Personal Access token access to this enterprise.", headers)
    ent = db.execute("SELECT * FROM gh_enterprises WHERE slug_l = ? OR CAST(id AS TEXT) = ?",
                     (enterprise.lower(), enterprise)).fetchone()
    if ent is None:
        _refuse(404, "Not Found", headers)
    if tok["kind"] != "classic":
        who = "personal access token" if tok["kind"] == "fine_grained" else "integration"
        _refuse(403, f"Resource not accessible by {who}", headers)
    if db.execute("SELECT 1 FROM gh_enterprise_people WHERE ent_l = ? AND login_l = ?",
                  (ent["slug_l"], tok["user_l"])).fetchone() is None:
        _refuse(404, "Not Found", headers)
    scopes = set(filter(None, tok["scopes"].split(",")))
    headers["X-OAuth-Scopes"] = ", ".join(sorted(scopes))
    headers["X-Accepted-OAuth-Scopes"] = "manage_billing:copilot, read:enterprise"
    if not scopes & {"manage_billing:copilot", "read:enterprise"}:
        _refuse(404, "Not Found", headers)
    return ent, headers


def _enterprise_union(app, db, ent):
    """The enterprise's Copilot orgs by login, and one SELECT over all their listed seats (each
    org from the table its reads use now, ``_seat_table``) with its arguments."""
    orgs = {r["login_l"]: r for r in db.execute(
        "SELECT o.* FROM gh_orgs o JOIN gh_enterprise_orgs e ON e.org_l = o.login_l "
        "WHERE e.ent_l = ? AND o.copilot = 1 ORDER BY o.login_l", (ent["slug_l"],))}
    parts = [f"SELECT s.* FROM {_seat_table(app, org)} s WHERE s.org_l = ?" + _listed_where(app)
             for org in orgs.values()]
    return orgs, " UNION ALL ".join(parts) or "SELECT * FROM gh_seats WHERE 0", tuple(orgs)


def handle_enterprise_seats(app, req, enterprise):
    """E8: one page of the seats of every org of the enterprise, one item per granting org
    (with its ``organization``); ``total_seats`` counts each user once (§9 E8)."""
    if req.method != "GET":
        return basic_error(404, "Not Found")
    try:
        with app.store.write() as db:
            gh_roll_over(db)
            ent, headers = _enterprise_gate(app, req, db, enterprise)
            page, per_page = _page_params(app, req, headers)
            orgs, union, args = _enterprise_union(app, db, ent)
            listed = db.execute(f"SELECT COUNT(*) FROM ({union})", args).fetchone()[0]
            # Users once; an orphan seat is nobody's, counted per github_orphans_in_total.
            total = db.execute(f"SELECT COUNT(DISTINCT login_l) FROM ({union})", args).fetchone()[0]
            if app.config["github_orphans_in_total"] == "counted":
                total += db.execute(f"SELECT COUNT(*) FROM ({union}) WHERE login_l IS NULL", args).fetchone()[0]
            rows = db.execute(f"SELECT * FROM ({union}) ORDER BY created_at, uid, org_l, key LIMIT ? OFFSET ?",
                              args + (per_page, (page - 1) * per_page)).fetchall()
            items = [dict(_seat_json(app, db, orgs[r["org_l"]], r), organization=org_json(orgs[r["org_l"]]))
                     for r in rows]
    except Refusal as exc:
        return exc.resp
    link = _link_header(app, req, None, page, per_page, listed)
    if link:
        headers["Link"] = link
    return json_response(200, {"total_seats": total, "seats": items}, JSON_CT, headers)


# -- JSON shapes (§8) ---------------------------------------------------------------------

def org_json(org_row):
    """Organization Simple (§8.7): the org of a membership and of an E8 seat."""
    login, oid = org_row["login"], org_row["id"]
    url = f"{BASE_URL}/orgs/{login}"
    return {"login": login, "id": oid, "node_id": _node_id("Organization", oid), "url": url,
            "repos_url": url + "/repos", "events_url": url + "/events", "hooks_url": url + "/hooks",
            "issues_url": url + "/issues", "members_url": url + "/members{/member}",
            "public_members_url": url + "/public_members{/member}",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{oid}?v=4", "description": None}


def _node_id(kind, number):
    return base64.b64encode(f"04:{kind}{number}".encode("ascii")).decode("ascii")


def user_json(login, uid):
    url = f"{BASE_URL}/users/{login}"
    return {"login": login, "id": uid, "node_id": _node_id("User", uid),
            "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4", "gravatar_id": "",
            "url": url, "html_url": f"https://github.com/{login}", "followers_url": url + "/followers",
            "following_url": url + "/following{/other_user}", "gists_url": url + "/gists{/gist_id}",
            "starred_url": url + "/starred{/owner}{/repo}", "subscriptions_url": url + "/subscriptions",
            "organizations_url": url + "/orgs", "repos_url": url + "/repos", "events_url": url + "/events{/privacy}",
            "received_events_url": url + "/received_events", "type": "User", "site_admin": False}


def team_json(org_login, team):
    """An org team (§8.5) or an enterprise team (§8.6), the two shapes ``assigning_team`` takes."""
    url = f"{BASE_URL}/teams/{team['id']}"
    if team["enterprise"]:
        return {"id": team["id"], "url": url, "members_url": url + "/members{/member}", "name": team["name"],
                "html_url": f"https://github.com/enterprises/sandbox/teams/{team['slug']}", "slug": team["slug"],
                "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z", "group_id": None}
    return {"id": team["id"], "node_id": _node_id("Team", team["id"]), "url": url,
            "html_url": f"https://github.com/orgs/{org_login}/teams/{team['slug']}", "name": team["name"],
            "slug": team["slug"], "description": None, "privacy": "closed",
            "notification_setting": "notifications_enabled", "permission": "pull",
            "members_url": url + "/members{/member}", "repositories_url": url + "/repos", "parent": None,
            "type": "organization"}


def _seat_json(app, db, org_row, row):
    seat = {"created_at": row["created_at"], "updated_at": row["updated_at"],
            "pending_cancellation_date": row["pending_date"], "last_activity_at": row["last_activity_at"],
            "last_activity_editor": row["editor"], "last_authenticated_at": row["last_auth"]}
    if row["plan_type"] != "absent":
        seat["plan_type"] = row["plan_type"]
    seat["assignee"] = None
    if row["login_l"] is not None:
        user = db.execute("SELECT login, id FROM gh_users WHERE login_l = ?", (row["login_l"],)).fetchone()
        seat["assignee"] = user_json(user["login"], user["id"])
    # A direct seat has no assigning_team key at all (§8.3, as seen live); with both sources,
    # which one GitHub shows is unknown (github_both_sources).
    show_team = row["team_l"] and not (row["direct"] and app.config["github_both_sources"] == "direct")
    if show_team:
        team = db.execute("SELECT * FROM gh_teams WHERE org_l = ? AND slug_l = ?",
                          (org_row["login_l"], row["team_l"])).fetchone()
        seat["assigning_team"] = team_json(org_row["login"], team)
    return seat


# -- writes: E4-E7 ------------------------------------------------------------------------

def _names(app, req, key, headers):
    """The body's list of names (§3 body errors, §10.10 batch rules), de-duplicated case-insensitively."""
    try:
        body = json.loads(req.body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        _refuse(400, "Problems parsing JSON", headers)
    if not isinstance(body, dict):
        _refuse(400, "Body should be a JSON object", headers)
    names = body.get(key)
    if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
        _refuse(422, "Invalid request.", headers, errors=[{"resource": "Copilot", "field": key, "code": "invalid"}])
    if not names and app.config["github_empty_list"] == "reject":
        _refuse(422, "Invalid request.", headers, errors=[{"resource": "Copilot", "field": key, "code": "missing_field"}])
    limit = app.config["github_batch_limit"]
    if limit is not None and len(names) > limit:
        _refuse(422, "Validation Failed", headers,
                errors=[{"resource": "Copilot", "field": key, "code": "invalid", "message": f"at most {limit} items"}])
    unique = {}
    for name in names:
        unique.setdefault(name.strip().lower(), name.strip())
    return unique


def _require_writable(org_row, headers):
    """§9 E4 422 list and §10.8: writes need Copilot, billing, assign_selected and a public-code policy."""
    if not org_row["copilot"]:
        _refuse(422, "Copilot Business or Enterprise is not enabled for this organization.", headers)
    if org_row["payment_problem"]:
        _refuse(422, "There is a problem with your account's associated payment method.", headers)
    setting = org_row["seat_management_setting"]
    if setting != "assign_selected":
        _refuse(422, f"Copilot seat management is set to {setting} for this organization; seats cannot be "
                     "assigned or removed through the API.", headers)
    if org_row["public_code_suggestions"] == "unconfigured":
        _refuse(422, "The public code suggestions policy is not set for this organization.", headers)


def _write(app, req, org, key, action):
    """The shared frame of E4-E7: gate, body, preconditions, then ``action`` in one transaction."""
    try:
        with app.store.write() as db:
            gh_roll_over(db)
            org_row, headers = _gate(app, req, db, org, True)
            names = _names(app, req, key, headers)
            _require_writable(org_row, headers)
            _hide_writes(app, db, org_row)
            status, body = action(app, db, org_row, names, headers)
            if app.config["github_write_delay"]:
                # Only a write that took effect starts (or extends) the hidden window.
                app.gh_stale[org_row["login_l"]] = time.time() + app.config["github_write_delay"]
    except Refusal as exc:
        return exc.resp
    return json_response(status, body, JSON_CT, headers)


def _event(db, org_row, action, login_l):
    db.execute("INSERT INTO gh_events (org_l, action, login, at) VALUES (?, ?, ?, ?)",
               (org_row["login_l"], action, login_l, gh_iso(gh_now(db))))


def _grant(app, db, org_row, login_l, team_l):
    """One assignment (direct when ``team_l`` is None) per §10.2/10.3/10.5; True when it counts."""
    now = gh_iso(gh_now(db))
    seat = db.execute("SELECT * FROM gh_seats WHERE org_l = ? AND login_l = ?", (org_row["login_l"], login_l)).fetchone()
    direct = int(team_l is None)
    if seat is None:
        db.execute("INSERT INTO gh_seats VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, ?, ?, ?)",
                   (org_row["login_l"], login_l, login_l, gh_user_id(login_l), now, now, org_row["plan_type"],
                    direct, team_l))
        _event(db, org_row, "cfb_seat_assignment_created", login_l)
        _event(db, org_row, "cfb_seat_added", login_l)
        return True
    if seat["pending_date"]:
        # Refreshed: the cancellation is revoked, the same seat kept, created_at = last granted (§10.3).
        db.execute("UPDATE gh_seats SET pending_date = NULL, created_at = ?, updated_at = ?, direct = MAX(direct, ?), "
                   "team_l = ? WHERE org_l = ? AND key = ?",
                   (now, now, direct, team_l if team_l else (None if direct else seat["team_l"]),
                    org_row["login_l"], seat["key"]))
        _event(db, org_row, "cfb_seat_assignment_refreshed", login_l)
        return True
    # Reused: an active seat gains a source, nothing else changes (§10.2, §10.5).
    db.execute("UPDATE gh_seats SET direct = MAX(direct, ?), team_l = COALESCE(team_l, ?) WHERE org_l = ? AND key = ?",
               (direct, team_l, org_row["login_l"], seat["key"]))
    _event(db, org_row, "cfb_seat_assignment_reused", login_l)
    return app.config["github_count_reused"]


def _add_users(app, db, org_row, names, headers):
    """E4 (§10.7: unknown logins and non-members refuse the whole request, or are skipped)."""
    members = {r[0] for r in db.execute(
        "SELECT login_l FROM gh_members WHERE org_l = ? AND role != 'invitation' AND login_l IN "
        "(SELECT value FROM json_each(?))", (org_row["login_l"], json.dumps(list(names))))}
    bad = [names[n] for n in names if n not in members]
    if bad and app.config["github_non_member"] == "reject":
        _refuse(422, "Some users are not members of this organization: " + ", ".join(bad), headers)
    created = sum(_grant(app, db, org_row, n, None) for n in names if n in members)
    return 201, {"seats_created": created}


def _covering_team(db, org_row, login_l, excluded):
    row = db.execute("SELECT tm.slug_l FROM gh_team_members tm JOIN gh_teams t ON t.org_l = tm.org_l AND "
                     "t.slug_l = tm.slug_l WHERE tm.org_l = ? AND tm.login_l = ? AND t.selected = 1 AND "
                     "tm.slug_l != ? ORDER BY tm.slug_l LIMIT 1", (org_row["login_l"], login_l, excluded)).fetchone()
    return row[0] if row else None


def _cancel(db, org_row, seat):
    _start, nxt = gh_cycle(org_row["cycle_day"], gh_now(db))
    db.execute("UPDATE gh_seats SET pending_date = ?, updated_at = ? WHERE org_l = ? AND key = ?",
               (nxt.isoformat(), gh_iso(gh_now(db)), org_row["login_l"], seat["key"]))
    _event(db, org_row, "cfb_seat_assignment_unassigned", seat["login_l"])


def _remove_users(app, db, org_row, names, headers):
    """E5: direct seats go pending; a team-granted one refuses the whole request (§10.5)."""
    seats = {r["login_l"]: r for r in db.execute(
        "SELECT * FROM gh_seats WHERE org_l = ? AND login_l IN (SELECT value FROM json_each(?))",
        (org_row["login_l"], json.dumps(list(names))))}
    active = {n: s for n, s in seats.items() if not s["pending_date"]}
    via_team = [names[n] for n, s in active.items() if s["team_l"]]
    if via_team and app.config["github_mixed_team_cancel"] == "reject":
        _refuse(422, "A user's seat cannot be cancelled because it was assigned to them via a team: "
                + ", ".join(via_team), headers)
    idle = [names[n] for n in names if n not in active]
    if idle and app.config["github_cancel_without_seat"] == "reject":
        _refuse(422, "Some users have no seat to cancel: " + ", ".join(idle), headers)
    cancelled = 0
    for seat in active.values():
        if seat["team_l"]:
            # skip_team_seats: the direct assignment goes, the team keeps the seat.
            db.execute("UPDATE gh_seats SET direct = 0 WHERE org_l = ? AND key = ?", (org_row["login_l"], seat["key"]))
            continue
        _cancel(db, org_row, seat)
        cancelled += 1
    return 200, {"seats_cancelled": cancelled}


def _teams(app, db, org_row, names, headers):
    """The named teams, by slug or name, case-insensitively (§E6 [UNKNOWN]); unknown ones per switch."""
    found, unknown = {}, []
    for key, name in names.items():
        row = db.execute("SELECT * FROM gh_teams WHERE org_l = ? AND (slug_l = ? OR lower(name) = ?)",
                         (org_row["login_l"], key, key)).fetchone()
        if row is None:
            unknown.append(name)
        else:
            found[row["slug_l"]] = row
    if unknown and app.config["github_unknown_team"] == "reject":
        _refuse(422, "Some teams do not exist in this organization: " + ", ".join(unknown), headers)
    return found


def _team_members(db, org_row, slug_l):
    return [r[0] for r in db.execute("SELECT login_l FROM gh_team_members WHERE org_l = ? AND slug_l = ? "
                                     "ORDER BY login_l", (org_row["login_l"], slug_l))]


def _add_teams(app, db, org_row, names, headers):
    """E6: the team becomes selected and each member's seat is granted through it."""
    created = 0
    for slug_l in _teams(app, db, org_row, names, headers):
        db.execute("UPDATE gh_teams SET selected = 1 WHERE org_l = ? AND slug_l = ?", (org_row["login_l"], slug_l))
        created += sum(_grant(app, db, org_row, m, slug_l) for m in _team_members(db, org_row, slug_l))
    return 201, {"seats_created": created}


def _release(db, org_row, seat, slug_l):
    """A team no longer grants ``seat``: another selected team or a direct assignment keeps it
    (§10.5); otherwise it goes pending. True when it was cancelled."""
    other = _covering_team(db, org_row, seat["login_l"], slug_l)
    if other or seat["direct"]:
        db.execute("UPDATE gh_seats SET team_l = ? WHERE org_l = ? AND key = ?", (other, org_row["login_l"], seat["key"]))
        return False
    _cancel(db, org_row, seat)
    return True


def _remove_teams(app, db, org_row, names, headers):
    """E7: the team is deselected; its members' seats go pending unless still covered."""
    cancelled = 0
    teams = _teams(app, db, org_row, names, headers)
    for slug_l in teams:
        db.execute("UPDATE gh_teams SET selected = 0 WHERE org_l = ? AND slug_l = ?", (org_row["login_l"], slug_l))
    for slug_l in teams:
        for seat in db.execute("SELECT * FROM gh_seats WHERE org_l = ? AND team_l = ? AND pending_date IS NULL",
                               (org_row["login_l"], slug_l)).fetchall():
            cancelled += _release(db, org_row, seat, slug_l)
    return 200, {"seats_cancelled": cancelled}


WRITES = {("selected_users", "POST"): ("selected_usernames", _add_users),
          ("selected_users", "DELETE"): ("selected_usernames", _remove_users),
          ("selected_teams", "POST"): ("selected_teams", _add_teams),
          ("selected_teams", "DELETE"): ("selected_teams", _remove_teams)}


def handle_selected(kind):
    def handler(app, req, org):
        entry = WRITES.get((kind, req.method))
        if entry is None:
            return basic_error(404, "Not Found")
        return _write(app, req, org, *entry)
    return handler


def _not_found(_app, _req, *_rest):
    return basic_error(404, "Not Found")


# -- admin calls (served under /_sandbox/ by admin.py) ------------------------------------

def _admin_org(db, body):
    name = body.get("org")
    if not isinstance(name, str) or not name.strip():
        raise AdminError("org", "must be an org login")
    row = db.execute("SELECT * FROM gh_orgs WHERE login_l = ?", (name.strip().lower(),)).fetchone()
    if row is None:
        raise AdminError("org", f"unknown org {name}")
    return row


def set_clock(app, body):
    """The Copilot clock (billing cycles, pending cancellations): ``{"now": ts}`` freezes it
    at an instant, ``{"advance_days": n, "advance_seconds": n}`` moves it on, ``{"real": true}``
    returns to real time. Seats whose cancellation date is reached end (§10.4)."""
    with app.store.write() as db:
        if body.get("real") is True:
            db.execute("DELETE FROM meta WHERE key = 'gh_clock'")
        else:
            when = _clock_target(db, body)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('gh_clock', ?)", (gh_iso(when),))
        ended = gh_roll_over(db)
        now = gh_iso(gh_now(db))
    return json_response(200, {"now": now, "ended_seats": ended})


def _clock_target(db, body):
    if body.get("now") is not None:
        text = timestamp(body["now"])
        if text is None:
            raise AdminError("now", TIMESTAMP_RULE)
        return datetime.datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    delta = {}
    for key in ("advance_days", "advance_seconds"):
        value = body.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise AdminError(key, "must be a non-negative integer")
        delta[key.split("_")[1]] = value
    if not any(delta.values()):
        raise AdminError("now", 'give "now", "advance_days" or "advance_seconds" (or "real": true)')
    return gh_now(db) + datetime.timedelta(**delta)


def record_activity(app, body):
    """A seat holder uses Copilot: sets ``last_activity_at`` (default now), the editor and
    ``last_authenticated_at``, which real clients only ever read (§8.3)."""
    with app.store.write() as db:
        org_row = _admin_org(db, body)
        login = body.get("login")
        seat = db.execute("SELECT * FROM gh_seats WHERE org_l = ? AND login_l = ?",
                          (org_row["login_l"], str(login).lower())).fetchone()
        if seat is None:
            raise AdminError("login", f"{login} holds no seat in {org_row['login']}")
        when = gh_iso(gh_now(db))
        if body.get("last_activity_at") is not None:
            when = timestamp(body["last_activity_at"])
            if when is None:
                raise AdminError("last_activity_at", TIMESTAMP_RULE)
        editor = body.get("last_activity_editor", "vscode/1.98.2/copilot/1.290.0")
        db.execute("UPDATE gh_seats SET last_activity_at = ?, last_auth = ?, editor = ? WHERE org_l = ? AND key = ?",
                   (when, when, editor, org_row["login_l"], seat["key"]))
    return json_response(200, {"login": login, "last_activity_at": when, "last_activity_editor": editor})


def change_team(app, body):
    """Team membership changes (``{"org", "team", "add": [...], "remove": [...]}``) and what
    they do to seats (§10.5): joining a selected team grants a seat; leaving one follows
    ``github_team_leave`` unless another selected team or a direct assignment covers the user."""
    with app.store.write() as db:
        org_row = _admin_org(db, body)
        team = db.execute("SELECT * FROM gh_teams WHERE org_l = ? AND slug_l = ?",
                          (org_row["login_l"], str(body.get("team")).lower())).fetchone()
        if team is None:
            raise AdminError("team", f"unknown team {body.get('team')}")
        for key in ("add", "remove"):
            if not isinstance(body.get(key, []), list):
                raise AdminError(key, "must be a list of logins")
        if team["idp_synced"] and body.get("remove"):
            # GitHub refuses a manual change to an IdP-synced team: its members come from the IdP.
            raise AdminError("remove", f"team {team['slug']} is synced with an identity provider; "
                                       "its members cannot be removed by hand")
        for login in body.get("add", []):
            _join(app, db, org_row, team, str(login).lower())
        for login in body.get("remove", []):
            _leave(app, db, org_row, team, str(login).lower())
    return json_response(200, {"team": team["slug"], "members": _team_members(db, org_row, team["slug_l"])})


def _join(app, db, org_row, team, login_l):
    role = db.execute("SELECT role FROM gh_members WHERE org_l = ? AND login_l = ?", (org_row["login_l"], login_l)).fetchone()
    if role is None or role["role"] == "invitation":
        raise AdminError("add", f"{login_l} is not a member of {org_row['login']}")
    db.execute("INSERT OR IGNORE INTO gh_team_members VALUES (?, ?, ?)", (org_row["login_l"], team["slug_l"], login_l))
    if team["selected"]:
        _grant(app, db, org_row, login_l, team["slug_l"])


def _leave(app, db, org_row, team, login_l):
    db.execute("DELETE FROM gh_team_members WHERE org_l = ? AND slug_l = ? AND login_l = ?",
               (org_row["login_l"], team["slug_l"], login_l))
    seat = db.execute("SELECT * FROM gh_seats WHERE org_l = ? AND login_l = ? AND team_l = ? AND pending_date IS NULL",
                      (org_row["login_l"], login_l, team["slug_l"])).fetchone()
    if seat is None:
        return
    mode = app.config["github_team_leave"]
    other = _covering_team(db, org_row, login_l, team["slug_l"])
    if other or seat["direct"] or mode == "keep":
        db.execute("UPDATE gh_seats SET team_l = ? WHERE org_l = ? AND key = ?",
                   (other if (other or seat["direct"]) else team["slug_l"], org_row["login_l"], seat["key"]))
    elif mode == "remove":
        db.execute("DELETE FROM gh_seats WHERE org_l = ? AND key = ?", (org_row["login_l"], seat["key"]))
    else:
        _cancel(db, org_row, seat)


def change_org(app, body):
    """Org settings a test flips between calls (``{"org", "seat_management_setting"?, ...,
    "copilot"?, "payment_problem"?}``), as an owner would in the web UI."""
    with app.store.write() as db:
        org_row = _admin_org(db, body)
        for key, (_default, choices) in GH_SETTINGS.items():
            if key in body:
                if body[key] not in choices:
                    raise AdminError(key, f"must be one of {', '.join(choices)}")
                db.execute(f"UPDATE gh_orgs SET {key} = ? WHERE login_l = ?", (body[key], org_row["login_l"]))
        for key in ("copilot", "payment_problem"):
            if key in body:
                if not isinstance(body[key], bool):
                    raise AdminError(key, "must be true or false")
                db.execute(f"UPDATE gh_orgs SET {key} = ? WHERE login_l = ?", (int(body[key]), org_row["login_l"]))
        row = db.execute("SELECT * FROM gh_orgs WHERE login_l = ?", (org_row["login_l"],)).fetchone()
    return json_response(200, {key: row[key] for key in GH_SETTINGS})


# -- what the server needs to serve this API ---------------------------------------------

def _fault(status, phrase):
    """Injected faults in GitHub's shapes: 403 is the secondary limit, 429 the primary one."""
    if status == 403:
        return json_response(403, {"message": SECONDARY_MESSAGE, "documentation_url": RATE_DOCS}, JSON_CT)
    if status == 429:
        return json_response(429, {"message": "API rate limit exceeded for user.", "documentation_url": RATE_DOCS},
                             JSON_CT, {"x-ratelimit-remaining": "0"})
    return basic_error(status, f"{phrase} (injected fault)")


def _crash():
    return basic_error(500, "Server Error")


GITHUB = Api("github", _fault, _crash, content_type=JSON_CT, fault_body_type=JSON_CT)


def _routes(prefix):
    return (
        Route(prefix + "/orgs/{org}/copilot/billing", GITHUB, handle_billing),
        Route(prefix + "/orgs/{org}/copilot/billing/seats", GITHUB, handle_seats),
        Route(prefix + "/orgs/{org}/copilot/billing/selected_users", GITHUB, handle_selected("selected_users")),
        Route(prefix + "/orgs/{org}/copilot/billing/selected_teams", GITHUB, handle_selected("selected_teams")),
        Route(prefix + "/orgs/{org}/members/{username}/copilot", GITHUB, handle_member_seat),
        Route(prefix + "/orgs/{org}/memberships/{username}", GITHUB, handle_membership),
        Route(prefix + "/enterprises/{enterprise}/copilot/billing/seats", GITHUB, handle_enterprise_seats),
    )


def _canonical_seats(app, req, org_id):
    """The canonical path ``github_link_path = canonical`` puts in Link headers (§7)."""
    with app.store.read() as db:
        row = db.execute("SELECT login FROM gh_orgs WHERE CAST(id AS TEXT) = ?", (org_id,)).fetchone()
    return handle_seats(app, req, row["login"] if row else "-")


# §2: the same routes at / (api.github.com, *.ghe.com) and under /api/v3 (a GHES-style base URL).
ROUTES = _routes("") + _routes("/api/v3") + (
    Route("/organizations/{org_id}/copilot/billing/seats", GITHUB, _canonical_seats),
    Route("/api/v3/organizations/{org_id}/copilot/billing/seats", GITHUB, _canonical_seats),
)
# Any other path under /orgs or /enterprises, at / or under /api/v3 (a trailing slash
# included, §2), answers GitHub's 404. The registry tries longer catch-alls first, so
# /api/v3/orgs/** wins over Datadog's /api/**, which still answers the rest of /api/.
CATCH_ALL = tuple(Route(prefix + top + "/**", GITHUB, _not_found)
                  for prefix in ("", "/api/v3") for top in ("/orgs", "/enterprises"))
RATE_LIMIT = None   # GitHub's own per-token budgets (github_primary_limit) replace the generic one


def _optional_count(minimum):
    def check(value, key):
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ConfigError(key, f"must be null or an integer >= {minimum}")
        return value
    return check


def _count(minimum):
    """Like ``_optional_count`` but null is not a value: the setting always has a number."""
    optional = _optional_count(minimum)

    def check(value, key):
        if value is None:
            raise ConfigError(key, f"must be an integer >= {minimum}")
        return optional(value, key)
    return check


SETTINGS = {
    # §10.2: is an already-active seat counted in seats_created?
    "github_count_reused": Setting(False, boolean),
    # §10.7: E4 with a non-member or unknown login: whole request 422, or skipped silently.
    "github_non_member": Setting("reject", one_of("reject", "skip")),
    # §10.5: E5 naming a team-granted seat: whole request 422, or the others cancelled.
    "github_mixed_team_cancel": Setting("reject", one_of("reject", "skip_team_seats")),
    # §10.6: E5 naming a user without a seat or already pending: ignored, or 422.
    "github_cancel_without_seat": Setting("ignore", one_of("ignore", "reject")),
    # §10.10: the most names one write takes (null: no limit), and an empty list.
    "github_batch_limit": Setting(None, _optional_count(1)),
    "github_empty_list": Setting("reject", one_of("reject", "accept")),
    # E6/E7: a team name the org does not have.
    "github_unknown_team": Setting("reject", one_of("reject", "skip")),
    # §10.5 / open question 7-8: which source E2 shows, enterprise-team seats, leaving a team.
    "github_both_sources": Setting("team", one_of("team", "direct")),
    "github_enterprise_seats": Setting("listed", one_of("listed", "hidden")),
    "github_team_leave": Setting("pending", one_of("pending", "remove", "keep")),
    # E3 for a seat pending cancellation (open question 10).
    "github_pending_in_e3": Setting("seat", one_of("seat", "not_found")),
    # Orphan seats in total_seats / the breakdown (open question 13).
    "github_orphans_in_total": Setting("counted", one_of("counted", "not_counted")),
    # §7: per_page over 100 and the path in Link URLs (open question 11).
    "github_per_page_over_max": Setting("clamp", one_of("clamp", "reject")),
    "github_link_path": Setting("requested", one_of("requested", "canonical")),
    # E1/E2 without Copilot (open question 12).
    "github_no_copilot_read": Setting("404", one_of("404", "422")),
    # §10.12: seconds an E4-E7 write stays invisible to E1-E3 (0: read-after-write consistent).
    "github_write_delay": Setting(0, _optional_count(0)),
    # §3: a request without User-Agent.
    "github_missing_user_agent": Setting("403", one_of("403", "allow")),
    # §6: the hourly budget (null: 5,000 per token, 15,000 per installation, 60 anonymous),
    # the status of its exhaustion, and the secondary limit on writes (writes a minute per token).
    "github_primary_limit": Setting(None, _optional_count(1)),
    "github_primary_answer": Setting("403", one_of("403", "429")),
    "github_secondary_limit": Setting(None, _optional_count(0)),
    "github_secondary_answer": Setting("retry_after", one_of("retry_after", "no_retry_after", "no_headers",
                                                             "429_retry_after")),
    # The secondary limit's window (seconds over which writes are counted) and the
    # retry-after it sends: GitHub's minute by default, shorter so tests need not wait.
    "github_secondary_window": Setting(60, _count(1)),
    "github_secondary_retry_after": Setting(60, _count(0)),
    # §4.3: after N 401 "Bad credentials" within 60 s, every request is 403 for 60 s (null: off).
    "github_bad_credential_lockout": Setting(None, _optional_count(1)),
}

ADMIN = (
    AdminRoute("/_sandbox/github/clock", "POST", set_clock),
    AdminRoute("/_sandbox/github/activity", "POST", record_activity),
    AdminRoute("/_sandbox/github/team", "POST", change_team),
    AdminRoute("/_sandbox/github/org", "POST", change_org),
)
