"""Microsoft Store for Business management API under /V1, per the Store contract.

Every call acts on the tenant its bearer token was issued for. Ids, path literals, query
names, JSON property names and enum values are all matched case-insensitively (§1.4, §1.5).
"""

import datetime
import http
import json

from . import tokens
from .httpmsg import Response, decode_cursor, encode_cursor, json_response
from .routing import WEB, Api, RateLimit, Route, Setting, boolean, one_of, unknown_path_response
from .seed import PRODUCT_ID_RE, SKU_ID_RE, UPN_RE
from .store import now_iso

CT = "application/json; charset=utf-8"
DEFAULT_MAX = 25
MAX_RESULTS = 100
BULK_MAX = 25


class StoreError(Exception):
    def __init__(self, status, message, **data):
        super().__init__(message)
        self.status = status
        self.message = message
        self.data = {k: v for k, v in data.items() if v is not None}


def error_body(status, message, data=None):
    body = {"code": http.HTTPStatus(status).phrase.replace(" ", "").replace("-", ""), "message": message}
    if data:
        body["data"] = data
    return body


def error_response(status, message, data=None, headers=None):
    return json_response(status, error_body(status, message, data), CT, headers)


def restyle_error(resp, style):
    """An error answer in another plausible form of the undocumented Store error body
    (config ``msstore_error_body``): ``camel`` as built, ``pascal`` with PascalCase property
    names (``Code``, ``Data.ItemType``), ``empty`` with no body at all."""
    if style == "camel":
        return resp
    headers = {key: value for key, value in resp.headers.items() if key.lower() != "content-type"}
    if style == "empty":
        return Response(resp.status, b"", None, headers)
    try:
        body = json.loads(resp.body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return resp
    return json_response(resp.status, _pascal(body), CT, headers)


def _pascal(value):
    if isinstance(value, dict):
        return {key[:1].upper() + key[1:]: _pascal(item) for key, item in value.items()}
    return value


def bad_param(name, reason="Invalid parameter", details=None):
    return StoreError(400, f"{reason}: {name}" + (f" ({details})" if details else ""),
                      parameter=name, reason=reason)


METHODS = {"inventory": ("GET",), "seats": ("GET", "POST"), "seat": ("GET", "POST", "DELETE"),
           "user_seats": ("GET",)}


def handle(app, req, op, args):
    """Operation ``op`` (a key of METHODS) with the path's ``args`` (decoded segments)."""
    if req.method not in METHODS[op]:
        return error_response(405, f"Method {req.method} is not allowed here",
                              headers={"Allow": ", ".join(METHODS[op])})
    tenant, failure = tokens.authenticate(app, req)
    if failure:
        headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if failure[0] == 401 else None
        return error_response(failure[0], failure[1], headers=headers)
    budget = app.budgets.get("msstore")
    if budget is not None:
        allowed, reset_in, _headers = budget.take()
        if not allowed:
            return error_response(429, "Too many requests; retry later", headers={"Retry-After": str(reset_in)})
    query = {}
    for key, value in req.query:
        query.setdefault(key.lower(), []).append(value)
    try:
        if op == "inventory":
            return _inventory(app, tenant, query)
        if op == "seats" and req.method == "GET":
            return _list_seats(app, tenant, query, *args)
        if op == "seats":
            return _bulk(app, tenant, req, *args)
        if op == "seat":
            return _single(app, tenant, req.method, *args)
        return _user_seats(app, tenant, query, *args)
    except StoreError as exc:
        return error_response(exc.status, exc.message, exc.data or None)


# -- helpers -----------------------------------------------------------------------------

def _max_results(query):
    values = query.get("maxresults")
    if not values:
        return DEFAULT_MAX
    try:
        value = int(values[0].strip())
    except ValueError:
        value = 0
    if value < 1 or value > MAX_RESULTS:
        raise bad_param("maxResults", details=f"must be an integer between 1 and {MAX_RESULTS}")
    return value


def _after(query):
    values = query.get("continuationtoken")
    if not values or values[0] == "":
        return ""
    after = decode_cursor(values[0])
    if after is None:
        raise bad_param("continuationToken", details="not a token issued by this service")
    return after


def _check_ids(product_id, sku_id, username=None):
    if not PRODUCT_ID_RE.match(product_id):
        raise bad_param("productId", details="must be a 12-character alphanumeric id")
    if not SKU_ID_RE.match(sku_id):
        raise bad_param("skuId", details="must be a 4-digit string")
    if username is not None:
        _check_user(username)


def _check_user(username):
    if not UPN_RE.match(username):
        raise bad_param("userName", details="must be a user principal name")


def _entry(db, tenant, product_id, sku_id):
    row = db.execute("SELECT * FROM ms_inventory WHERE tenant = ? AND pkey = ?",
                     (tenant, f"{product_id}/{sku_id}".lower())).fetchone()
    if row is None:
        raise StoreError(404, "Inventory not found", itemType="Inventory", values=f"{product_id}/{sku_id}")
    return row


def _require_online(row):
    if row["license_type"] != "Online":
        raise StoreError(409, "Seat operations need an Online licence", reason="Not online")


def _user(db, tenant, username):
    row = db.execute("SELECT upn FROM ms_users WHERE tenant = ? AND upn_l = ?",
                     (tenant, username.lower())).fetchone()
    if row is None:
        raise StoreError(404, "User not found", itemType="User", values=username)
    return row["upn"]


def _key(row):
    return {"productId": row["product_id"], "skuId": row["sku_id"]}


def _seat(upn, date, state, entry):
    return {"assignedTo": upn, "dateAssigned": date, "state": state, "productKey": _key(entry)}


def _available(entry, assigned=None):
    assigned = entry["assigned"] if assigned is None else assigned
    return max(entry["capacity"] - assigned, 0)


def _can_assign(entry, assigned):
    # Removed entries are no longer owned: nothing new is assigned on them, but reads and
    # reclaims still work so leftover seats can be cleaned up.
    if entry["status"] == "Removed":
        return False
    return entry["policy"] == "Open" or entry["capacity"] - assigned > 0


def _page(items, limit, key_of, name):
    body = {name: items[:limit]}
    if len(items) > limit:
        body["continuationToken"] = encode_cursor(key_of(limit - 1))
    return json_response(200, body, CT)


# -- operations --------------------------------------------------------------------------

def _inventory(app, tenant, query):
    limit = _max_results(query)
    after = _after(query)
    types = []
    for value in query.get("licensetypes", []):
        for item in value.split(","):
            match = [t for t in ("Online", "Offline") if t.lower() == item.strip().lower()]
            if not match:
                raise bad_param("licenseTypes", details="must be Online or Offline")
            types.append(match[0])
    types = types or ["Online", "Offline"]
    since = None
    if query.get("modifiedsince"):
        since = _parse_date(query["modifiedsince"][0])
    # Whether Removed entries are listed is undocumented (§2.8): a switch gives both answers.
    removed = "" if app.config["msstore_lists_removed"] else "AND status != 'Removed' "
    sql = ("SELECT * FROM ms_inventory WHERE tenant = ? AND pkey > ? AND license_type IN (%s) %s"
           "ORDER BY pkey" % (",".join("?" * len(types)), removed))
    args = [tenant, after] + types
    if since is None:
        sql += " LIMIT ?"
        args.append(limit + 1)
    with app.store.read() as db:
        rows = db.execute(sql, args).fetchall()
    if since is not None:
        rows = [r for r in rows if _parse_date(r["last_modified"]) >= since]
    rows = rows[:limit + 1]
    entries = [{
        "productKey": _key(r), "seatCapacity": r["capacity"], "availableSeats": _available(r),
        "lastModified": r["last_modified"], "licenseType": r["license_type"],
        "distributionPolicy": r["policy"], "status": r["status"],
    } for r in rows]
    return _page(entries, limit, lambda i: rows[i]["pkey"], "inventoryEntries")


def _parse_date(text):
    try:
        value = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        raise bad_param("modifiedSince", details="must be an ISO 8601 date-time") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value


def _list_seats(app, tenant, query, product_id, sku_id):
    _check_ids(product_id, sku_id)
    limit = _max_results(query)
    after = _after(query)
    with app.store.read() as db:
        entry = _entry(db, tenant, product_id, sku_id)
        _require_online(entry)
        rows = db.execute(
            "SELECT upn_l, upn, date_assigned FROM ms_seats WHERE tenant = ? AND pkey = ? AND upn_l > ? "
            "ORDER BY upn_l LIMIT ?", (tenant, entry["pkey"], after, limit + 1)).fetchall()
    seats = [_seat(r["upn"], r["date_assigned"], "Active", entry) for r in rows]
    return _page(seats, limit, lambda i: rows[i]["upn_l"], "seats")


def _user_seats(app, tenant, query, username):
    _check_user(username)
    limit = _max_results(query)
    after = _after(query)
    with app.store.read() as db:
        _user(db, tenant, username)
        rows = db.execute(
            "SELECT s.pkey, s.upn, s.date_assigned, i.product_id, i.sku_id FROM ms_seats s "
            "JOIN ms_inventory i ON i.tenant = s.tenant AND i.pkey = s.pkey "
            "WHERE s.tenant = ? AND s.upn_l = ? AND s.pkey > ? ORDER BY s.pkey LIMIT ?",
            (tenant, username.lower(), after, limit + 1)).fetchall()
    seats = [_seat(r["upn"], r["date_assigned"], "Active", r) for r in rows]
    return _page(seats, limit, lambda i: rows[i]["pkey"], "seats")


def _single(app, tenant, method, product_id, sku_id, username):
    # Order of checks (§2.1): 400 → 404 Inventory → 409 Not online → 404 User → outcome.
    _check_ids(product_id, sku_id, username)
    ctx = app.store.read() if method == "GET" else app.store.write()
    with ctx as db:
        entry = _entry(db, tenant, product_id, sku_id)
        _require_online(entry)
        upn = _user(db, tenant, username)
        seat = db.execute("SELECT date_assigned FROM ms_seats WHERE tenant = ? AND pkey = ? AND upn_l = ?",
                          (tenant, entry["pkey"], upn.lower())).fetchone()
        if method == "GET" or method == "DELETE":
            if seat is None:
                raise StoreError(404, "Seat not found", itemType="Seat",
                                 values=f"{product_id}/{sku_id}/{username}")
            if method == "GET":
                return json_response(200, _seat(upn, seat[0], "Active", entry), CT)
            db.execute("DELETE FROM ms_seats WHERE tenant = ? AND pkey = ? AND upn_l = ?",
                       (tenant, entry["pkey"], upn.lower()))
            db.execute("UPDATE ms_inventory SET assigned = assigned - 1 WHERE tenant = ? AND pkey = ?",
                       (tenant, entry["pkey"]))
            return json_response(200, _seat(upn, seat[0], "Revoked", entry), CT)
        if seat is not None:
            return json_response(200, _seat(upn, seat[0], "Active", entry), CT)
        if not _can_assign(entry, entry["assigned"]):
            raise StoreError(409, "No seats available for this product", reason="No seats available")
        stamp = now_iso()
        db.execute("INSERT INTO ms_seats VALUES (?, ?, ?, ?, ?)",
                   (tenant, entry["pkey"], upn.lower(), upn, stamp))
        db.execute("UPDATE ms_inventory SET assigned = assigned + 1 WHERE tenant = ? AND pkey = ?",
                   (tenant, entry["pkey"]))
        return json_response(200, _seat(upn, stamp, "Active", entry), CT)


def _lower_keys(obj):
    return {str(k).lower(): v for k, v in obj.items()} if isinstance(obj, dict) else None


def _bulk(app, tenant, req, product_id, sku_id):
    _check_ids(product_id, sku_id)
    try:
        body = json.loads(req.body.decode("utf-8")) if req.body.strip() else None
    except (ValueError, UnicodeDecodeError):
        raise bad_param("body", details="the request body is not valid JSON") from None
    body = _lower_keys(body)
    if body is None:
        raise bad_param("usernames", reason="Missing parameter", details="a JSON object with usernames is required")
    names = body.get("usernames")
    if names is None:
        raise bad_param("usernames", reason="Missing parameter")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise bad_param("usernames", details="must be a non-empty list of user principal names")
    if len(names) > BULK_MAX:
        raise bad_param("usernames", details=f"at most {BULK_MAX} usernames per call")
    action = body.get("seataction")
    if action is None:
        raise bad_param("seatAction", reason="Missing parameter")
    if not isinstance(action, str) or action.strip().lower() not in ("assign", "reclaim"):
        raise bad_param("seatAction", details="must be Assign or Reclaim")
    assign = action.strip().lower() == "assign"

    done, failed = [], []
    with app.store.write() as db:
        entry = _entry(db, tenant, product_id, sku_id)
        key = _key(entry)

        def fail(name, reason):
            failed.append({"failureReason": reason, "productKey": key, "userName": name})

        if entry["license_type"] != "Online":
            for name in names:
                fail(name, "NotOnline")
            return json_response(200, {"seatDetails": [], "failedSeatOperations": failed}, CT)
        assigned = entry["assigned"]
        stamp = now_iso()
        for name in names:
            user = db.execute("SELECT upn FROM ms_users WHERE tenant = ? AND upn_l = ?",
                              (tenant, name.lower())).fetchone()
            if user is None:
                fail(name, "UserNotFound")
                continue
            upn = user[0]
            seat = db.execute("SELECT date_assigned FROM ms_seats WHERE tenant = ? AND pkey = ? AND upn_l = ?",
                              (tenant, entry["pkey"], upn.lower())).fetchone()
            if assign:
                if seat is not None:
                    done.append(_seat(upn, seat[0], "Active", entry))
                elif not _can_assign(entry, assigned):
                    fail(name, "NoSeatsAvailable")
                else:
                    db.execute("INSERT INTO ms_seats VALUES (?, ?, ?, ?, ?)",
                               (tenant, entry["pkey"], upn.lower(), upn, stamp))
                    assigned += 1
                    done.append(_seat(upn, stamp, "Active", entry))
            elif seat is None:
                fail(name, "SeatNotFound")
            else:
                db.execute("DELETE FROM ms_seats WHERE tenant = ? AND pkey = ? AND upn_l = ?",
                           (tenant, entry["pkey"], upn.lower()))
                assigned -= 1
                done.append(_seat(upn, seat[0], "Revoked", entry))
        db.execute("UPDATE ms_inventory SET assigned = ? WHERE tenant = ? AND pkey = ?",
                   (assigned, tenant, entry["pkey"]))
    return json_response(200, {"seatDetails": done, "failedSeatOperations": failed}, CT)


# -- what the server needs to serve this API ---------------------------------------------

def _operation(op):
    def handler(app, req, *args):
        return handle(app, req, op, args)
    handler.__name__ = f"msstore_{op}"
    return handler


def _fault(status, phrase):
    headers = {"Retry-After": "1"} if status == 429 else None
    return error_response(status, f"{phrase} (injected fault)", headers=headers)


def _crash():
    return error_response(500, "Internal sandbox error")


def _restyle(app, resp):
    return restyle_error(resp, app.config["msstore_error_body"])


# A fault rule's own JSON body goes out as plain application/json, a mangled one as CT.
STORE = Api("msstore", _fault, _crash, content_type=CT, restyle=_restyle)


def _store_route(template, op):
    # Path literals match case-insensitively (§1.4); ids are checked by the operation (400).
    return Route(template, STORE, _operation(op), ignore_case=True, empty_ok=True)


ROUTES = (
    _store_route("/V1/Inventory", "inventory"),
    _store_route("/V1/Inventory/{productId}/{skuId}/Seats", "seats"),
    _store_route("/V1/Inventory/{productId}/{skuId}/Seats/{username}", "seat"),
    _store_route("/V1/Users/{username}/Seats", "user_seats"),
    # Not an operation of the Store API: answered by the web server, not by the API.
    Route("/V1/**", WEB, unknown_path_response, ignore_case=True),
)
CATCH_ALL = ()
RATE_LIMIT = RateLimit("msstore", "Store budget, e.g. 100/10")
SETTINGS = {
    # The Store's error body: its format is undocumented (msstore contract §2.1, §4.1).
    "msstore_error_body": Setting("camel", one_of("camel", "pascal", "empty")),
    # Whether Get inventory lists Removed entries is undocumented (msstore contract §2.8).
    "msstore_lists_removed": Setting(True, boolean),
}
