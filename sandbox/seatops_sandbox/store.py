"""SQLite state of both emulated services.

One connection is shared by all request threads and guarded by one lock. SQLite only
allows one writer anyway, an in-memory database cannot be shared across connections,
and a single lock makes every request atomic with respect to every other, which is the
property the concurrency tests check (holders and availableSeats always agree).

A Datadog product keeps the highest number of concurrent holders it has had (its peak,
what Datadog bills a month by, contract §7.1). Every seat is added through
``add_dd_seats``, inside the write transaction that adds it, so no holder escapes the peak.
"""

import contextlib
import datetime
import hashlib
import json
import sqlite3
import threading
import time

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);

CREATE TABLE IF NOT EXISTS dd_keys (
    api_key TEXT NOT NULL, app_key TEXT NOT NULL, permissions TEXT NOT NULL,
    PRIMARY KEY (api_key, app_key));
CREATE TABLE IF NOT EXISTS dd_products (
    code TEXT PRIMARY KEY, committed_seats INTEGER, peak_holders INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS dd_users (
    id TEXT PRIMARY KEY, email TEXT NOT NULL, handle TEXT NOT NULL, name TEXT NOT NULL,
    status TEXT NOT NULL, disabled INTEGER NOT NULL, service_account INTEGER NOT NULL,
    created_at TEXT NOT NULL, modified_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS dd_users_name ON dd_users (name COLLATE NOCASE, id);
CREATE INDEX IF NOT EXISTS dd_users_modified ON dd_users (modified_at, id);
CREATE INDEX IF NOT EXISTS dd_users_email ON dd_users (email);
CREATE TABLE IF NOT EXISTS dd_seats (
    product TEXT NOT NULL, user_id TEXT NOT NULL, assigned_at TEXT NOT NULL,
    PRIMARY KEY (product, user_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS dd_seats_user ON dd_seats (user_id);

CREATE TABLE IF NOT EXISTS ms_tenants (id_l TEXT PRIMARY KEY, id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ms_clients (
    tenant TEXT NOT NULL, client_id_l TEXT NOT NULL, client_id TEXT NOT NULL,
    secret TEXT NOT NULL, activated INTEGER NOT NULL, PRIMARY KEY (tenant, client_id_l));
CREATE TABLE IF NOT EXISTS ms_users (
    tenant TEXT NOT NULL, upn_l TEXT NOT NULL, upn TEXT NOT NULL,
    PRIMARY KEY (tenant, upn_l)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ms_inventory (
    tenant TEXT NOT NULL, pkey TEXT NOT NULL, product_id TEXT NOT NULL, sku_id TEXT NOT NULL,
    license_type TEXT NOT NULL, policy TEXT NOT NULL, capacity INTEGER NOT NULL,
    assigned INTEGER NOT NULL, status TEXT NOT NULL, last_modified TEXT NOT NULL,
    PRIMARY KEY (tenant, pkey));
CREATE TABLE IF NOT EXISTS ms_seats (
    tenant TEXT NOT NULL, pkey TEXT NOT NULL, upn_l TEXT NOT NULL, upn TEXT NOT NULL,
    date_assigned TEXT NOT NULL, PRIMARY KEY (tenant, pkey, upn_l)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ms_seats_user ON ms_seats (tenant, upn_l, pkey);
CREATE TABLE IF NOT EXISTS ms_tokens (
    token TEXT PRIMARY KEY, tenant TEXT NOT NULL, client_id_l TEXT NOT NULL,
    issued_at REAL NOT NULL, expires_at REAL NOT NULL);

CREATE TABLE IF NOT EXISTS gh_orgs (
    login_l TEXT PRIMARY KEY, login TEXT NOT NULL, id INTEGER NOT NULL, copilot INTEGER NOT NULL,
    payment_problem INTEGER NOT NULL, cycle_day INTEGER NOT NULL, seat_management_setting TEXT NOT NULL,
    public_code_suggestions TEXT NOT NULL, ide_chat TEXT NOT NULL, platform_chat TEXT NOT NULL,
    cli TEXT NOT NULL, plan_type TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS gh_users (login_l TEXT PRIMARY KEY, login TEXT NOT NULL, id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS gh_members (
    org_l TEXT NOT NULL, login_l TEXT NOT NULL, role TEXT NOT NULL, PRIMARY KEY (org_l, login_l)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS gh_teams (
    org_l TEXT NOT NULL, slug_l TEXT NOT NULL, slug TEXT NOT NULL, name TEXT NOT NULL, id INTEGER NOT NULL,
    idp_synced INTEGER NOT NULL, enterprise INTEGER NOT NULL, selected INTEGER NOT NULL,
    PRIMARY KEY (org_l, slug_l));
CREATE TABLE IF NOT EXISTS gh_team_members (
    org_l TEXT NOT NULL, slug_l TEXT NOT NULL, login_l TEXT NOT NULL,
    PRIMARY KEY (org_l, slug_l, login_l)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS gh_team_members_user ON gh_team_members (org_l, login_l);
CREATE TABLE IF NOT EXISTS gh_seats (
    org_l TEXT NOT NULL, key TEXT NOT NULL, login_l TEXT, uid INTEGER, created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL, pending_date TEXT, last_activity_at TEXT, editor TEXT, last_auth TEXT,
    plan_type TEXT NOT NULL, direct INTEGER NOT NULL, team_l TEXT, PRIMARY KEY (org_l, key));
CREATE INDEX IF NOT EXISTS gh_seats_order ON gh_seats (org_l, created_at, uid, key);
-- Every GitHub request first ends the seats whose cancellation date is reached: keep that a lookup.
CREATE INDEX IF NOT EXISTS gh_seats_pending ON gh_seats (pending_date) WHERE pending_date IS NOT NULL;
CREATE TABLE IF NOT EXISTS gh_seats_stale AS SELECT * FROM gh_seats WHERE 0;
CREATE TABLE IF NOT EXISTS gh_tokens (
    token TEXT PRIMARY KEY, kind TEXT NOT NULL, scopes TEXT NOT NULL, permissions TEXT NOT NULL,
    user_l TEXT, sso INTEGER NOT NULL);
-- E8: enterprises, who may read their seats (role owner / billing_manager) and their orgs.
CREATE TABLE IF NOT EXISTS gh_enterprises (slug_l TEXT PRIMARY KEY, slug TEXT NOT NULL, id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS gh_enterprise_people (
    ent_l TEXT NOT NULL, login_l TEXT NOT NULL, role TEXT NOT NULL, PRIMARY KEY (ent_l, login_l, role)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS gh_enterprise_orgs (
    ent_l TEXT NOT NULL, org_l TEXT NOT NULL, PRIMARY KEY (ent_l, org_l)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS gh_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, org_l TEXT NOT NULL, action TEXT NOT NULL, login TEXT, at TEXT NOT NULL);
"""

TABLES = ("meta", "dd_keys", "dd_products", "dd_users", "dd_seats", "ms_tenants", "ms_clients",
          "ms_users", "ms_inventory", "ms_seats", "ms_tokens", "gh_orgs", "gh_users", "gh_members", "gh_teams",
          "gh_team_members", "gh_seats", "gh_seats_stale", "gh_tokens", "gh_events", "gh_enterprises",
          "gh_enterprise_people", "gh_enterprise_orgs")


# Each product's peak starts again from its holders now (a new billing month).
RESET_DD_PEAKS = "UPDATE dd_products SET peak_holders = (SELECT COUNT(*) FROM dd_seats WHERE product = code)"


def now_iso(ts=None):
    ts = time.time() if ts is None else ts
    return datetime.datetime.fromtimestamp(int(ts), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def add_dd_seats(db, code, seats):
    """Give seats of Datadog product ``code``: ``seats`` are (user_id, assigned_at) pairs of
    users who hold none yet. Raises the product's peak in the caller's transaction."""
    db.executemany("INSERT INTO dd_seats VALUES (?, ?, ?)", [(code, uid, when) for uid, when in seats])
    db.execute("UPDATE dd_products SET peak_holders = MAX(peak_holders, "
               "(SELECT COUNT(*) FROM dd_seats WHERE product = ?)) WHERE code = ?", (code, code))


def on_demand(holders, committed_seats):
    """Holders above the commitment (billed on demand); 0 without a commitment."""
    if committed_seats is None:
        return 0
    return max(holders - committed_seats, 0)


def _upgrade_dd_products(conn):
    """A state file written before committed seats: its seat_limit becomes committed_seats
    (as the seeds were converted) and each peak starts at the product's holders."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(dd_products)")}
    if "seat_limit" in columns and "committed_seats" not in columns:
        conn.execute("ALTER TABLE dd_products RENAME COLUMN seat_limit TO committed_seats")
    if "peak_holders" not in columns:
        conn.execute("ALTER TABLE dd_products ADD COLUMN peak_holders INTEGER NOT NULL DEFAULT 0")
        conn.execute(RESET_DD_PEAKS)


class Store:
    def __init__(self, path=None):
        self.path = path or ":memory:"
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        if self.path != ":memory:":
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.executescript(SCHEMA)
        _upgrade_dd_products(self.conn)
        self._user_index = None

    def search_users(self, needle):
        """Ids of Datadog users whose email, handle or name contains ``needle`` (lower-case).

        Users only change through seed/reset, so a flat in-memory list is kept and scanned in
        Python: a substring match cannot use an index, and this is ~20x faster than LIKE over
        three columns, which matters when a client resolves thousands of emails one by one.
        """
        with self.lock:
            if self._user_index is None:
                self._user_index = [
                    (r[0], "\x00".join(r[1:]).lower())
                    for r in self.conn.execute("SELECT id, email, handle, name FROM dd_users")]
            index = self._user_index
        return [uid for uid, key in index if needle in key]

    def close(self):
        with self.lock:
            self.conn.close()

    @contextlib.contextmanager
    def read(self):
        with self.lock:
            yield self.conn

    @contextlib.contextmanager
    def write(self):
        """One transaction; rolled back on any exception so a failed request changes nothing."""
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def has_data(self):
        with self.read() as db:
            for table in ("dd_keys", "dd_products", "dd_users", "ms_tenants", "gh_orgs"):
                if db.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
                    return True
        return False

    def get_meta(self, key):
        with self.read() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def reset(self):
        self._user_index = None
        with self.write() as db:
            for table in TABLES:
                db.execute(f"DELETE FROM {table}")

    def reset_dd_peaks(self):
        """Start every Datadog product's peak again from its holders now; returns the peaks."""
        with self.write() as db:
            db.execute(RESET_DD_PEAKS)
            return {row[0]: row[1] for row in db.execute("SELECT code, peak_holders FROM dd_products ORDER BY code")}

    def load(self, seed):
        """Replace all state with an already validated seed (see seed.validate_seed)."""
        stamp = now_iso()
        self._user_index = None
        with self.write() as db:
            for table in TABLES:
                db.execute(f"DELETE FROM {table}")
            dd = seed["datadog"]
            db.executemany("INSERT INTO dd_keys VALUES (?, ?, ?)",
                           [(k["api_key"], k["app_key"], ",".join(k["permissions"])) for k in dd["keys"]])
            db.executemany("INSERT INTO dd_products VALUES (?, ?, 0)",
                           [(p["code"], p["committed_seats"]) for p in dd["products"]])
            db.executemany(
                "INSERT INTO dd_users VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(u["id"], u["email"], u["handle"], u["name"], u["status"], int(u["disabled"]),
                  int(u["service_account"]), stamp, stamp) for u in dd["users"]])
            for code, holders in dd["seats"].items():
                # The seed's holders are the starting peak.
                add_dd_seats(db, code, [(uid, assigned_at or stamp) for uid, assigned_at in holders])

            ms = seed["msstore"]
            if ms.get("token_lifetime"):
                db.execute("INSERT INTO meta VALUES ('token_lifetime', ?)", (str(ms["token_lifetime"]),))
            for tenant in ms["tenants"]:
                tid = tenant["id"].lower()
                db.execute("INSERT INTO ms_tenants VALUES (?, ?)", (tid, tenant["id"]))
                db.executemany("INSERT INTO ms_clients VALUES (?, ?, ?, ?, ?)",
                               [(tid, c["client_id"].lower(), c["client_id"], c["client_secret"],
                                 int(c["activated"])) for c in tenant["clients"]])
                db.executemany("INSERT INTO ms_users VALUES (?, ?, ?)",
                               [(tid, upn.lower(), upn) for upn in tenant["users"]])
                for entry in tenant["inventory"]:
                    pkey = f"{entry['product_id']}/{entry['sku_id']}".lower()
                    holders = tenant["seats"].get(pkey, [])
                    db.execute(
                        "INSERT INTO ms_inventory VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (tid, pkey, entry["product_id"], entry["sku_id"], entry["license_type"],
                         entry["distribution_policy"], entry["seat_capacity"], len(holders),
                         entry["status"], entry["last_modified"] or stamp))
                    db.executemany("INSERT INTO ms_seats VALUES (?, ?, ?, ?, ?)",
                                   [(tid, pkey, upn.lower(), upn, date_assigned or stamp)
                                    for upn, date_assigned in holders])
            load_github(db, seed["github"], stamp)
        with self.lock:
            self._user_index = None
            # Big seeds delete and insert a lot; let the planner see the new shape.
            self.conn.execute("ANALYZE")

    def snapshot(self):
        """The shape served by GET /_sandbox/state."""
        with self.read() as db:
            products = {}
            for row in db.execute("SELECT code, committed_seats, peak_holders FROM dd_products ORDER BY code"):
                holders = [
                    {"id": r["id"], "email": r["email"]}
                    for r in db.execute(
                        "SELECT u.id, u.email FROM dd_seats s JOIN dd_users u ON u.id = s.user_id "
                        "WHERE s.product = ? ORDER BY u.email, u.id", (row["code"],))
                ]
                products[row["code"]] = {
                    "holders": holders,
                    "committed_seats": row["committed_seats"],
                    "on_demand": on_demand(len(holders), row["committed_seats"]),
                    "peak_holders": row["peak_holders"],
                }
            tenants = {}
            for trow in db.execute("SELECT id_l, id FROM ms_tenants ORDER BY id_l").fetchall():
                entries = {}
                for e in db.execute("SELECT * FROM ms_inventory WHERE tenant = ? ORDER BY pkey",
                                    (trow["id_l"],)).fetchall():
                    holders = [r[0] for r in db.execute(
                        "SELECT upn FROM ms_seats WHERE tenant = ? AND pkey = ? ORDER BY upn_l",
                        (trow["id_l"], e["pkey"]))]
                    entries[f"{e['product_id']}/{e['sku_id']}"] = {
                        "seat_capacity": e["capacity"],
                        "available_seats": max(e["capacity"] - e["assigned"], 0),
                        "license_type": e["license_type"],
                        "distribution_policy": e["policy"],
                        "status": e["status"],
                        "holders": holders,
                    }
                tenants[trow["id"]] = {"products": entries}
            github = github_snapshot(db)
        return {"datadog": {"products": products}, "msstore": {"tenants": tenants}, "github": github}


# -- GitHub Copilot seats --------------------------------------------------------------------

def gh_user_id(login):
    """A stable numeric id per login (case-insensitive), so restarts and reseeds keep ids."""
    return int(hashlib.sha1(login.lower().encode("utf-8")).hexdigest()[:10], 16) % 900_000_000 + 1000


def gh_now(db):
    """The Copilot clock: the instant a test set (frozen until set again), else real time."""
    row = db.execute("SELECT value FROM meta WHERE key = 'gh_clock'").fetchone()
    if row is None:
        return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    return datetime.datetime.strptime(row[0], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)


def gh_iso(when):
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _add_month(day):
    return day.replace(year=day.year + 1, month=1) if day.month == 12 else day.replace(month=day.month + 1)


def gh_cycle(cycle_day, now):
    """(start, next start) of the billing cycle holding ``now``; cycles start on ``cycle_day``."""
    today = now.date()
    start = today.replace(day=cycle_day)
    if start > today:
        # Before this month's start day: the cycle began on that day of the previous month.
        start = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=cycle_day)
    return start, _add_month(start)


def gh_roll_over(db):
    """Seats pending cancellation end when the clock reaches their date (the next cycle)."""
    today = gh_now(db).date().isoformat()
    ended = db.execute("SELECT org_l, login_l FROM gh_seats WHERE pending_date IS NOT NULL AND pending_date <= ?",
                       (today,)).fetchall()
    if ended:
        stamp = gh_iso(gh_now(db))
        db.executemany("INSERT INTO gh_events (org_l, action, login, at) VALUES (?, 'cfb_seat_cancelled', ?, ?)",
                       [(row[0], row[1], stamp) for row in ended])
        db.execute("DELETE FROM gh_seats WHERE pending_date IS NOT NULL AND pending_date <= ?", (today,))
    return len(ended)


def load_github(db, gh, stamp):
    if gh["now"]:
        db.execute("INSERT INTO meta VALUES ('gh_clock', ?)", (gh["now"][:19] + "Z",))
        stamp = gh["now"][:19] + "Z"
    users = {}
    for tok in gh["tokens"]:
        if tok["user"]:
            users.setdefault(tok["user"].lower(), tok["user"])
        db.execute("INSERT INTO gh_tokens VALUES (?, ?, ?, ?, ?, ?)",
                   (tok["token"], tok["kind"], ",".join(tok["scopes"]), json.dumps(tok["permissions"]),
                    tok["user"].lower() if tok["user"] else None, int(tok["sso_authorized"])))
    for org in gh["orgs"]:
        _load_github_org(db, org, stamp, users)
    _load_enterprises(db, gh.get("enterprises", []))
    db.executemany("INSERT INTO gh_users VALUES (?, ?, ?)", [(k, v, gh_user_id(k)) for k, v in users.items()])


def _load_enterprises(db, enterprises):
    for ent in enterprises:
        ent_l = ent["slug"].lower()
        db.execute("INSERT INTO gh_enterprises VALUES (?, ?, ?)", (ent_l, ent["slug"], ent["id"]))
        db.executemany("INSERT INTO gh_enterprise_people VALUES (?, ?, ?)",
                       [(ent_l, login.lower(), role) for key, role in (("owners", "owner"),
                                                                       ("billing_managers", "billing_manager"))
                        for login in ent[key]])
        db.executemany("INSERT INTO gh_enterprise_orgs VALUES (?, ?)", [(ent_l, o.lower()) for o in ent["orgs"]])


def _load_github_org(db, org, stamp, users):
    org_l = org["login"].lower()
    db.execute("INSERT INTO gh_orgs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (org_l, org["login"], org["id"], int(org["copilot"]), int(org["payment_problem"]), org["cycle_day"],
                org["seat_management_setting"], org["public_code_suggestions"], org["ide_chat"],
                org["platform_chat"], org["cli"], org["plan_type"]))
    for role in ("owners", "members", "invitations"):
        for login in org[role]:
            users.setdefault(login.lower(), login)
        db.executemany("INSERT INTO gh_members VALUES (?, ?, ?)", [(org_l, login.lower(), role[:-1]) for login in org[role]])
    covering = {}
    for team in org["teams"]:
        slug_l = team["slug"].lower()
        db.execute("INSERT INTO gh_teams VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (org_l, slug_l, team["slug"], team["name"], team["id"], int(team["idp_synced"]),
                    int(team["enterprise"]), int(team["selected"])))
        db.executemany("INSERT INTO gh_team_members VALUES (?, ?, ?)", [(org_l, slug_l, m.lower()) for m in team["members"]])
        if team["selected"]:
            for member in team["members"]:
                covering.setdefault(member.lower(), slug_l)
    rows = []
    for i, seat in enumerate(org["seats"]):
        login_l = seat["login"].lower() if seat["login"] else None
        team_l = seat["team"].lower() if seat["team"] else covering.get(login_l)
        created = seat["created_at"] or stamp
        rows.append((org_l, login_l or f"~orphan-{i}", login_l, gh_user_id(login_l) if login_l else None, created, created,
                     seat["pending_cancellation_date"], seat["last_activity_at"], seat["last_activity_editor"],
                     seat["last_authenticated_at"], seat["plan_type"], int(seat["team"] is None), team_l))
    seated = {row[2] for row in rows}
    # Members of a selected team hold a seat through it, whether or not the seed lists it.
    rows += [(org_l, login_l, login_l, gh_user_id(login_l), stamp, stamp, None, None, None, None, org["plan_type"], 0, slug_l)
             for login_l, slug_l in covering.items() if login_l not in seated]
    db.executemany("INSERT INTO gh_seats VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def github_snapshot(db):
    """The ``github`` part of GET /_sandbox/state: per org, its settings, people, teams, seats and events."""
    now = gh_now(db)
    orgs = {}
    for org in db.execute("SELECT * FROM gh_orgs ORDER BY login_l").fetchall():
        orgs[org["login"]] = _org_snapshot(db, org, now)
    # The clock only when a test set it: real time would make two snapshots differ.
    clock = db.execute("SELECT value FROM meta WHERE key = 'gh_clock'").fetchone()
    return {"clock": clock[0] if clock else None, "orgs": orgs, "enterprises": _enterprise_snapshot(db)}


def _enterprise_snapshot(db):
    """Per enterprise (E8): who may read its seats and its orgs, as seeded."""
    out = {}
    for ent in db.execute("SELECT * FROM gh_enterprises ORDER BY slug_l").fetchall():
        people = {role: _logins(db, "SELECT login_l FROM gh_enterprise_people WHERE ent_l = ? AND role = ? "
                                    "ORDER BY login_l", (ent["slug_l"], role)) for role in ("owner", "billing_manager")}
        out[ent["slug"]] = {"id": ent["id"], "owners": people["owner"], "billing_managers": people["billing_manager"],
                            "orgs": _logins(db, "SELECT o.login FROM gh_enterprise_orgs e JOIN gh_orgs o "
                                                "ON o.login_l = e.org_l WHERE e.ent_l = ? ORDER BY o.login_l",
                                            (ent["slug_l"],))}
    return out


def _logins(db, sql, args):
    return [row[0] for row in db.execute(sql, args)]


def _org_snapshot(db, org, now):
    org_l = org["login_l"]
    start, nxt = gh_cycle(org["cycle_day"], now)
    people = {role: _logins(db, "SELECT u.login FROM gh_members m JOIN gh_users u ON u.login_l = m.login_l "
                                "WHERE m.org_l = ? AND m.role = ? ORDER BY m.login_l", (org_l, role))
              for role in ("owner", "member", "invitation")}
    teams = {}
    for team in db.execute("SELECT * FROM gh_teams WHERE org_l = ? ORDER BY slug_l", (org_l,)).fetchall():
        teams[team["slug"]] = {"selected": bool(team["selected"]), "idp_synced": bool(team["idp_synced"]),
                               "enterprise": bool(team["enterprise"]),
                               "members": _logins(db, "SELECT u.login FROM gh_team_members t JOIN gh_users u "
                                                      "ON u.login_l = t.login_l WHERE t.org_l = ? AND t.slug_l = ? "
                                                      "ORDER BY t.login_l", (org_l, team["slug_l"]))}
    seats = [{"login": r["login"], "direct": bool(r["direct"]), "team": r["slug"],
              "pending_cancellation_date": r["pending_date"], "created_at": r["created_at"],
              "last_activity_at": r["last_activity_at"]}
             for r in db.execute("SELECT s.*, u.login, t.slug FROM gh_seats s LEFT JOIN gh_users u ON u.login_l = s.login_l "
                                 "LEFT JOIN gh_teams t ON t.org_l = s.org_l AND t.slug_l = s.team_l "
                                 "WHERE s.org_l = ? ORDER BY s.key", (org_l,))]
    events = [{"action": r[0], "login": r[1], "at": r[2]} for r in db.execute(
        "SELECT action, login, at FROM gh_events WHERE org_l = ? ORDER BY seq", (org_l,))]
    settings = {key: org[key] for key in ("seat_management_setting", "public_code_suggestions", "ide_chat",
                                          "platform_chat", "cli", "plan_type")}
    return dict(settings, copilot=bool(org["copilot"]), payment_problem=bool(org["payment_problem"]),
                cycle_start=start.isoformat(), next_cycle_start=nxt.isoformat(), owners=people["owner"],
                members=people["member"], invitations=people["invitation"], teams=teams, seats=seats, events=events)
