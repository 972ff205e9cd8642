"""Datadog Seats API (/api/v2/seats/users) and Users API (/api/v2/users), per the spec.

Section numbers in comments refer to the Datadog seats contract. The validation order of
the seats endpoints is §2.5 and is followed literally: only the first failure is reported.

POST never refuses for capacity (§7.1): a seat beyond a product's committed seats is an
on-demand seat, visible only in the admin state. Users may claim seats themselves (§7.2);
the admin calls at the end of this module stand in for them.
"""

import json
import uuid

from .faults import ConfigError
from .httpmsg import Response, decode_cursor, encode_cursor, json_response
from .routing import AdminError, AdminRoute, Api, RateLimit, Route, Setting, one_of
from .seed import DD_STATUSES, TIMESTAMP_RULE, UUID_RE, timestamp
from .store import add_dd_seats, now_iso

SEATS_CT = "application/vnd.api+json"
USERS_CT = "application/json"

READ_PERMS = ("billing_read", "incident_read", "on_call_read")
WRITE_PERMS = ("billing_edit", "incident_write", "on_call_write")
USERS_PERMS = ("user_access_read",)

SEATS_LIMIT_DEFAULT = 100
SEATS_LIMIT_MAX = 1000          # default of the datadog_max_page_limit setting (§7.3)
MAX_UUIDS = 1000
# The 422 detail under datadog_refusal_detail = generic (§7.5): names no UUID at all.
GENERIC_REFUSAL = "One or more user UUIDs are invalid or belong to disabled users"


def seats_error(status, detail, headers=None):
    return json_response(status, {"errors": [{"title": "Generic Error", "detail": detail}]},
                         SEATS_CT, headers)


def strings_error(status, message, content_type, headers=None):
    return json_response(status, {"errors": [message]}, content_type, headers)


def _with_headers(resp, headers):
    for key, value in (headers or {}).items():
        resp.headers.setdefault(key, value)
    return resp


def _gate(app, req, permissions, content_type):
    """Steps 1 and 2 of §2.5: key pair and permission (403), then the rate budget (429).

    Returns (error_response_or_None, rate_limit_headers).
    """
    budget = app.budgets.get("datadog")
    api_key = req.header("DD-API-KEY")
    app_key = req.header("DD-APPLICATION-KEY")
    perms = None
    if api_key and app_key:
        with app.store.read() as db:
            row = db.execute("SELECT permissions FROM dd_keys WHERE api_key = ? AND app_key = ?",
                             (api_key, app_key)).fetchone()
        if row is not None:
            perms = set(filter(None, row[0].split(",")))
    if perms is None or not perms.intersection(permissions):
        headers = budget.peek() if budget else {}
        return strings_error(403, "Forbidden", content_type, headers), headers
    if budget is None:
        return None, {}
    allowed, _reset_in, headers = budget.take()
    if not allowed:
        return strings_error(429, "Too many requests", content_type, headers), headers
    return None, headers


def handle_seats(app, req):
    if req.method == "GET":
        perms = READ_PERMS
    elif req.method in ("POST", "DELETE"):
        perms = WRITE_PERMS
    else:
        return seats_error(405, f"method {req.method} not allowed", {"Allow": "GET, POST, DELETE"})
    error, headers = _gate(app, req, perms, SEATS_CT)
    if error is not None:
        return error
    if req.method == "GET":
        resp = _list_seats(app, req)
    else:
        resp = _write_seats(app, req)
    return _with_headers(resp, headers)


def _list_seats(app, req):
    code = req.first("product_code")
    if not code:
        return seats_error(400, "product_code query parameter is required")
    maximum = app.config["datadog_max_page_limit"]
    raw_limit = req.first("page[limit]")
    if raw_limit is None:
        # A request without page[limit] is never refused: the default page fits the maximum.
        limit = min(SEATS_LIMIT_DEFAULT, maximum)
    else:
        try:
            limit = int(raw_limit.strip())
        except ValueError:
            limit = 0
        if limit < 1 or limit > maximum:
            return seats_error(400, f"page[limit] must be an integer between 1 and {maximum}")
    cursor = req.first("page[cursor]")
    after = ""
    if cursor:
        after = decode_cursor(cursor)
        if after is None:
            return seats_error(400, "page[cursor] is not a valid cursor")
    with app.store.read() as db:
        if not _product_exists(db, code):
            return seats_error(422, f"invalid product_code {code}")
        # Keyset paging on the primary key: every page is one index range scan, and the
        # order (by user id) stays stable while the seat set is unchanged.
        rows = db.execute(
            "SELECT s.user_id, s.assigned_at, u.email, u.name FROM dd_seats s "
            "LEFT JOIN dd_users u ON u.id = s.user_id "
            "WHERE s.product = ? AND s.user_id > ? ORDER BY s.user_id LIMIT ?",
            (code, after, limit + 1)).fetchall()
    if not rows:
        # §2.1 [recorded]: no holders is exactly {"data":[]} with no meta.
        return json_response(200, {"data": []}, SEATS_CT)
    more = len(rows) > limit
    rows = rows[:limit]
    data = [{"type": "seat-users", "id": r["user_id"],
             "attributes": {"assigned_at": r["assigned_at"], "email": r["email"], "name": r["name"]}}
            for r in rows]
    meta = {"cursor": encode_cursor(after), "limit": limit}
    if more:
        meta["next_cursor"] = encode_cursor(rows[-1]["user_id"])
    return json_response(200, {"data": data, "meta": meta}, SEATS_CT)


def _write_seats(app, req):
    try:
        body = json.loads(req.body.decode("utf-8")) if req.body.strip() else None
    except (ValueError, UnicodeDecodeError):
        body = None
        return seats_error(400, "request body is not valid JSON")
    if body is None:
        return seats_error(400, "request body is not valid JSON")
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        return seats_error(400, "data is required")
    attrs = data.get("attributes")
    if not isinstance(attrs, dict):
        return seats_error(400, "data.attributes is required")
    if data.get("type") != "seat-assignments":
        return seats_error(400, "data.type must be seat-assignments")
    code = attrs.get("product_code")
    if not isinstance(code, str) or not code:
        return seats_error(422, "product_code is required")
    uuids = attrs.get("user_uuids")
    if not isinstance(uuids, list) or not uuids:
        return seats_error(422, "user_uuids is required and must not be empty")
    if len(uuids) > MAX_UUIDS:
        return seats_error(422, f"too many user_uuids (max {MAX_UUIDS})")
    assigning = req.method == "POST"
    with app.store.write() as db:
        if not _product_exists(db, code):
            return seats_error(422, f"invalid product_code {code}")
        bad, wanted = [], []
        for raw in uuids:
            text = raw if isinstance(raw, str) else json.dumps(raw)
            user = None
            if isinstance(raw, str) and UUID_RE.match(raw):
                user = db.execute("SELECT id, disabled FROM dd_users WHERE id = ?",
                                  (raw.lower(),)).fetchone()
            # DELETE accepts disabled users so an offboarded colleague's seat can be released.
            if user is None or (assigning and user["disabled"]):
                if text not in bad:
                    bad.append(text)
            elif user["id"] not in wanted:
                wanted.append(user["id"])
        if bad:
            # The whole batch is refused and nothing changes, whichever detail is given.
            if app.config["datadog_refusal_detail"] == "generic":
                return seats_error(422, GENERIC_REFUSAL)
            return seats_error(422, "invalid user_uuids: " + ",".join(bad))
        held = {r[0] for r in db.execute(
            "SELECT user_id FROM dd_seats WHERE product = ? AND user_id IN (SELECT value FROM json_each(?))",
            (code, json.dumps(wanted)))}
        if not assigning:
            db.executemany("DELETE FROM dd_seats WHERE product = ? AND user_id = ?",
                           [(code, uid) for uid in wanted if uid in held])
            return Response(204)
        stamp = now_iso()
        # However many seats were committed: beyond them a seat is on demand, never refused.
        add_dd_seats(db, code, [(uid, stamp) for uid in wanted if uid not in held])
    return json_response(201, {"data": {
        "type": "seat-assignments", "id": str(uuid.uuid4()),
        "attributes": {"product_code": code, "assigned_ids": wanted}}}, SEATS_CT)


def _product_exists(db, code):
    return db.execute("SELECT 1 FROM dd_products WHERE code = ?", (code,)).fetchone() is not None


def _user_json(row):
    return {
        "type": "users", "id": row["id"],
        "attributes": {
            "email": row["email"], "handle": row["handle"], "name": row["name"],
            "status": row["status"], "disabled": bool(row["disabled"]),
            "service_account": bool(row["service_account"]),
            "verified": row["status"] != "Pending",
            "created_at": row["created_at"], "modified_at": row["modified_at"],
        },
    }


SORT_COLUMNS = {"name": "name COLLATE NOCASE", "modified_at": "modified_at", "user_count": "name COLLATE NOCASE"}


def handle_users(app, req, user_id=None):
    if req.method != "GET":
        return strings_error(405, f"method {req.method} not allowed", USERS_CT, {"Allow": "GET"})
    error, headers = _gate(app, req, USERS_PERMS, USERS_CT)
    if error is not None:
        return error
    resp = _get_user(app, user_id) if user_id is not None else _list_users(app, req)
    return _with_headers(resp, headers)


def _get_user(app, user_id):
    if not UUID_RE.match(user_id):
        return strings_error(404, f"{user_id} is not a valid UUID not found", USERS_CT)
    with app.store.read() as db:
        row = db.execute("SELECT * FROM dd_users WHERE id = ?", (user_id.lower(),)).fetchone()
    if row is None:
        return strings_error(404, f"{user_id} not found", USERS_CT)
    return json_response(200, {"data": _user_json(row), "included": []}, USERS_CT)


def _int_param(req, name, default, minimum, maximum=None):
    raw = req.first(name)
    if raw is None:
        return default, None
    try:
        value = int(raw.strip())
    except ValueError:
        value = None
    if value is None or value < minimum or (maximum is not None and value > maximum):
        bound = f" between {minimum} and {maximum}" if maximum is not None else f" >= {minimum}"
        return None, strings_error(400, f"{name} must be an integer{bound}", USERS_CT)
    return value, None


def _list_users(app, req):
    size, error = _int_param(req, "page[size]", 10, 1, 100)
    if error:
        return error
    number, error = _int_param(req, "page[number]", 0, 0)
    if error:
        return error
    sort = req.first("sort") or "name"
    descending = sort.startswith("-")
    sort = sort.lstrip("-")
    if sort not in SORT_COLUMNS:
        return strings_error(400, "sort must be one of name, modified_at, user_count", USERS_CT)
    sort_dir = req.first("sort_dir")
    if sort_dir is not None and sort_dir.lower() not in ("asc", "desc"):
        return strings_error(400, "sort_dir must be asc or desc", USERS_CT)
    if not descending:
        # The documented default sort_dir is desc; a '-' prefix always means descending.
        descending = (sort_dir or "desc").lower() == "desc"

    where, args = [], []
    text = req.first("filter")
    if text:
        where.append("id IN (SELECT value FROM json_each(?))")
        args.append(json.dumps(app.store.search_users(text.lower())))
    status_filter = req.first("filter[status]")
    if status_filter:
        statuses = []
        for item in status_filter.split(","):
            match = [s for s in DD_STATUSES if s.lower() == item.strip().lower()]
            if not match:
                return strings_error(400, "filter[status] must be a comma list of Active, Pending, Disabled",
                                     USERS_CT)
            statuses.append(match[0])
        where.append("status IN (%s)" % ",".join("?" * len(statuses)))
        args += statuses
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    direction = "DESC" if descending else "ASC"
    order = f"{SORT_COLUMNS[sort]} {direction}, id {direction}"
    with app.store.read() as db:
        total = db.execute("SELECT COUNT(*) FROM dd_users").fetchone()[0]
        filtered = total if not where else db.execute(
            "SELECT COUNT(*) FROM dd_users" + clause, args).fetchone()[0]
        rows = db.execute(f"SELECT * FROM dd_users{clause} ORDER BY {order} LIMIT ? OFFSET ?",
                          args + [size, size * number]).fetchall()
    return json_response(200, {
        "data": [_user_json(r) for r in rows], "included": [],
        "meta": {"page": {"total_count": total, "total_filtered_count": filtered}},
    }, USERS_CT)


# -- admin calls (served under /_sandbox/ by admin.py) ------------------------------------

def _required_text(body, key, rule):
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise AdminError(key, rule)
    return value.strip()


def _claim_time(body):
    """The claim's assigned_at: the given time, or now (a user acting now)."""
    if body.get("assigned_at") is None:
        return now_iso()
    text = timestamp(body["assigned_at"])
    if text is None:
        raise AdminError("assigned_at", TIMESTAMP_RULE)
    return text


def _claimant(db, ref):
    """The user a claim names by id or unique email; a disabled user cannot act, so cannot claim."""
    column = "id" if UUID_RE.match(ref) else "email"
    rows = db.execute(f"SELECT id, email, disabled FROM dd_users WHERE {column} = ?", (ref.lower(),)).fetchall()
    if not rows:
        raise AdminError("user", f"unknown user {ref} (give a user id or a unique email)")
    if len(rows) > 1:
        raise AdminError("user", f"{len(rows)} users have the email {ref}; give a user id")
    if rows[0]["disabled"]:
        raise AdminError("user", f"user {ref} is disabled; a disabled user cannot use a seat feature, so claims none")
    return rows[0]


def claim_seat(app, body):
    """A user takes a seat by using a seat feature (§7.2): the seat is theirs from the claim
    (``assigned_at``, default now) and raises the product's peak like any assignment.

    Body ``{"product_code", "user": id or unique email, "assigned_at"?}``; answers
    ``{"claimed", "product_code", "user": {"id", "email"}, "assigned_at"}``, and a
    ``message`` when the user already held the seat (then nothing changes)."""
    code = _required_text(body, "product_code", "must be a product code")
    ref = _required_text(body, "user", "must be a user id or a unique email")
    stamp = _claim_time(body)
    with app.store.write() as db:
        if not _product_exists(db, code):
            raise AdminError("product_code", f"unknown product code {code}")
        user = _claimant(db, ref)
        held = db.execute("SELECT assigned_at FROM dd_seats WHERE product = ? AND user_id = ?",
                          (code, user["id"])).fetchone()
        if held is None:
            add_dd_seats(db, code, [(user["id"], stamp)])
    answer = {"claimed": held is None, "product_code": code, "user": {"id": user["id"], "email": user["email"]},
              "assigned_at": stamp if held is None else held["assigned_at"]}
    if held is not None:
        answer["message"] = f"{user['email']} already holds a seat of {code}; nothing changed"
    return json_response(200, answer)


def reset_peaks(app, _body):
    """A new billing month: every product's peak starts again from its holders now."""
    return json_response(200, {"peak_holders": app.store.reset_dd_peaks()})


# -- what the server needs to serve this API ---------------------------------------------

def _seats_fault(status, phrase):
    if status == 429:
        return strings_error(429, "Too many requests", SEATS_CT)
    if status == 403:
        return strings_error(403, "Forbidden", SEATS_CT)
    return seats_error(status, f"{phrase} (injected fault)")


def _users_fault(status, phrase):
    text = {429: "Too many requests", 403: "Forbidden"}.get(status, f"{phrase} (injected fault)")
    return strings_error(status, text, USERS_CT)


def _crash():
    return strings_error(500, "Internal Server Error", "application/json")


def _not_found(_app, _req, *_rest):
    return strings_error(404, "Not found", USERS_CT)


SEATS = Api("dd_seats", _seats_fault, _crash, content_type=SEATS_CT, fault_body_type=SEATS_CT)
USERS = Api("dd_users", _users_fault, _crash)

ROUTES = (
    Route("/api/v2/seats/users", SEATS, handle_seats),
    Route("/api/v2/users", USERS, handle_users),
    Route("/api/v2/users/{user_id}", USERS, handle_users),
)
# Any other path under /api answers as the Users API does, once no other API claimed it.
CATCH_ALL = (Route("/api/**", USERS, _not_found),)
RATE_LIMIT = RateLimit("datadog", "Datadog budget, e.g. 600/60")


def _page_limit(value, key):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(key, "must be an integer >= 1")
    return value


SETTINGS = {
    # The largest page[limit] GET /api/v2/seats/users accepts: undocumented (contract §7.3).
    "datadog_max_page_limit": Setting(SEATS_LIMIT_MAX, _page_limit),
    # The 422 detail for unknown or disabled user UUIDs: the real text was never recorded
    # (contract §7.5). "list" names them, "generic" names none.
    "datadog_refusal_detail": Setting("list", one_of("list", "generic")),
}

# Admin calls of this API: a user claiming a seat, a new billing month.
ADMIN = (
    AdminRoute("/_sandbox/datadog/claim", "POST", claim_seat),
    AdminRoute("/_sandbox/datadog/peaks/reset", "POST", reset_peaks),
)
