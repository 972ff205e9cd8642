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
"""

TABLES = ("meta", "dd_keys", "dd_products", "dd_users", "dd_seats", "ms_tenants", "ms_clients",
          "ms_users", "ms_inventory", "ms_seats", "ms_tokens")


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
            for table in ("dd_keys", "dd_products", "dd_users", "ms_tenants"):
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
        return {"datadog": {"products": products}, "msstore": {"tenants": tenants}}
