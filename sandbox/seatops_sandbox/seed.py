"""Seed documents: parse, validate and normalise them before anything touches the database.

A seed is validated completely up front so that a bad seed never leaves half-loaded state,
and every error names the offending field (``datadog.users[3].email``) so the person who
wrote the file can find it.
"""

import datetime
import json
import re
import uuid

import yaml

DD_PERMISSIONS = (
    "billing_read", "billing_edit", "incident_read", "incident_write",
    "on_call_read", "on_call_write", "user_access_read",
)
DD_WRITE_PERMISSIONS = ("billing_edit", "incident_write", "on_call_write")
DD_STATUSES = ("Active", "Pending", "Disabled")

PRODUCT_ID_RE = re.compile(r"^[A-Za-z0-9]{12}$")
SKU_ID_RE = re.compile(r"^[0-9]{4}$")
UPN_RE = re.compile(r"^[^@\s/]+@[^@\s/]+$")
# RFC 3339 in UTC, as both APIs write their times: 2024-05-01T09:30:00Z (fraction allowed).
TIMESTAMP_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z$")
TIMESTAMP_RULE = 'must be an ISO-8601 UTC timestamp such as "2024-05-01T09:30:00Z"'
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

# A product's seat_limit made POST refuse beyond it; Datadog never does (contract §7.1).
SEAT_LIMIT_REMOVED = ("removed, because the Datadog Seats API never refuses an assignment for capacity "
                      "(one beyond the committed seats succeeds and is billed on demand); "
                      "use committed_seats instead")

# Users seeded without an id get a stable one, so hand-written seeds stay short and
# restarts with the same seed produce the same UUIDs.
_USER_NS = uuid.UUID("6f1b9a52-4c3e-4a59-9d0e-5b7c1f2a8e31")


class SeedError(ValueError):
    def __init__(self, field, message):
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


def parse_seed_text(text, fmt=None):
    """Parse JSON or YAML text. ``fmt`` is 'json', 'yaml' or None (guess)."""
    if fmt == "json":
        try:
            return json.loads(text)
        except ValueError as exc:
            raise SeedError("", f"seed is not valid JSON: {exc}") from None
    try:
        # YAML is a superset of JSON, but the JSON parser is much faster for big seeds.
        return json.loads(text)
    except ValueError:
        pass
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SeedError("", f"seed is neither valid JSON nor valid YAML: {exc}") from None


def load_seed_file(path):
    with open(path, "r", encoding="utf-8") as handle:
        text = handle.read()
    fmt = "json" if str(path).endswith(".json") else None
    return parse_seed_text(text, fmt)


def _str(value, field, allow_empty=False):
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise SeedError(field, "must be a non-empty string")
    return value.strip()


def _bool(value, field):
    if not isinstance(value, bool):
        raise SeedError(field, "must be true or false")
    return value


def _int(value, field, minimum=0, allow_null=False):
    if value is None and allow_null:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SeedError(field, f"must be an integer >= {minimum}" + (" or null" if allow_null else ""))
    return value


def timestamp(value):
    """``value`` as an RFC 3339 UTC text, or None when it is not one. YAML reads an unquoted
    ``2024-05-01T09:30:00Z`` as a datetime, so a datetime in UTC is accepted as well."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None or value.utcoffset() != datetime.timedelta(0):
            return None
        text = value.strftime("%Y-%m-%dT%H:%M:%S")
        return text + (f".{value.microsecond:06d}Z" if value.microsecond else "Z")
    if not isinstance(value, str) or not TIMESTAMP_RE.match(value):
        return None
    try:
        datetime.datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S")   # a real day and time
    except ValueError:
        return None
    return value


def _timestamp(value, field):
    text = timestamp(value)
    if text is None:
        raise SeedError(field, TIMESTAMP_RULE)
    return text


def _holder(value, field, name_key, time_key):
    """(name, time or None) of one seat holder: a plain string, or a mapping with
    ``name_key`` and an optional ``time_key``."""
    if isinstance(value, dict):
        name = _str(value.get(name_key), f"{field}.{name_key}")
        when = value.get(time_key)
        return name, None if when is None else _timestamp(when, f"{field}.{time_key}")
    if isinstance(value, str) and value.strip():
        return value.strip(), None
    raise SeedError(field, f"must be a non-empty string or a mapping with {name_key} and an optional {time_key}")


def _holder_name_field(value, field, name_key):
    """The field that names a holder: the entry itself, or its ``name_key`` in a mapping."""
    return f"{field}.{name_key}" if isinstance(value, dict) else field


def _list(value, field):
    if value is None:
        return []
    if not isinstance(value, list):
        raise SeedError(field, "must be a list")
    return value


def _map(value, field):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SeedError(field, "must be a mapping")
    return value


def _enum(value, field, choices):
    if isinstance(value, str):
        for choice in choices:
            if choice.lower() == value.strip().lower():
                return choice
    raise SeedError(field, f"must be one of {', '.join(choices)}")


def validate_seed(data):
    """Return a normalised copy of ``data`` or raise SeedError."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SeedError("", "seed must be a mapping with optional 'datadog', 'msstore' and 'github' keys")
    return {
        "datadog": _validate_datadog(_map(data.get("datadog"), "datadog")),
        "msstore": _validate_msstore(_map(data.get("msstore"), "msstore")),
        "github": _validate_github(_map(data.get("github"), "github")),
    }


def _validate_datadog(dd):
    keys, seen_pairs = [], set()
    for i, key in enumerate(_list(dd.get("keys"), "datadog.keys")):
        field = f"datadog.keys[{i}]"
        key = _map(key, field)
        api_key = _str(key.get("api_key"), field + ".api_key")
        app_key = _str(key.get("app_key"), field + ".app_key")
        if (api_key, app_key) in seen_pairs:
            raise SeedError(field, "duplicate api_key/app_key pair")
        seen_pairs.add((api_key, app_key))
        if "permissions" in key and key["permissions"] is not None:
            perms = []
            for j, perm in enumerate(_list(key["permissions"], field + ".permissions")):
                perms.append(_enum(perm, f"{field}.permissions[{j}]", DD_PERMISSIONS))
        else:
            perms = list(DD_PERMISSIONS)
        if _bool(key.get("read_only", False), field + ".read_only"):
            perms = [p for p in perms if p not in DD_WRITE_PERMISSIONS]
        keys.append({"api_key": api_key, "app_key": app_key, "permissions": sorted(set(perms))})

    products, codes = [], set()
    for i, prod in enumerate(_list(dd.get("products"), "datadog.products")):
        field = f"datadog.products[{i}]"
        prod = _map(prod, field)
        code = _str(prod.get("code"), field + ".code")
        if code in codes:
            raise SeedError(field + ".code", f"duplicate product code {code}")
        if "seat_limit" in prod:
            raise SeedError(field + ".seat_limit", SEAT_LIMIT_REMOVED)
        codes.add(code)
        # More holders than committed seats is allowed: the rest are on-demand seats.
        committed = _int(prod.get("committed_seats"), field + ".committed_seats", allow_null=True)
        products.append({"code": code, "committed_seats": committed})

    users, by_id, by_email = [], {}, {}
    for i, user in enumerate(_list(dd.get("users"), "datadog.users")):
        field = f"datadog.users[{i}]"
        user = _map(user, field)
        email = _str(user.get("email"), field + ".email").lower()
        if "@" not in email:
            raise SeedError(field + ".email", "must be an email address")
        if user.get("id") is None:
            uid = str(uuid.uuid5(_USER_NS, email))
        else:
            uid = _str(user.get("id"), field + ".id")
            if not UUID_RE.match(uid):
                raise SeedError(field + ".id", "must be a UUID")
            uid = uid.lower()
        if uid in by_id:
            raise SeedError(field + ".id", f"duplicate user id {uid}")
        handle = _str(user.get("handle", email), field + ".handle").lower()
        name = user.get("name")
        name = email.split("@")[0] if name is None else _str(name, field + ".name", allow_empty=True)
        disabled = user.get("disabled")
        status = user.get("status")
        status = None if status is None else _enum(status, field + ".status", DD_STATUSES)
        if disabled is not None:
            disabled = _bool(disabled, field + ".disabled")
        # Status is Disabled exactly when disabled is true (spec §3.1, sandbox choice).
        if disabled is None:
            disabled = status == "Disabled"
        if status is None:
            status = "Disabled" if disabled else "Active"
        if disabled != (status == "Disabled"):
            raise SeedError(field, "status is Disabled exactly when disabled is true")
        service_account = _bool(user.get("service_account", False), field + ".service_account")
        rec = {"id": uid, "email": email, "handle": handle, "name": name, "status": status,
               "disabled": disabled, "service_account": service_account}
        users.append(rec)
        by_id[uid] = rec
        by_email.setdefault(email, []).append(uid)

    seats = {}
    for code, holders in _map(dd.get("seats"), "datadog.seats").items():
        field = f"datadog.seats.{code}"
        if code not in codes:
            raise SeedError(field, f"unknown product code {code} (declare it in datadog.products)")
        seated, seen_ids = [], set()
        for j, entry in enumerate(_list(holders, field)):
            ref, assigned_at = _holder(entry, f"{field}[{j}]", "user", "assigned_at")
            if ref.lower() in by_id:
                uid = ref.lower()
            elif len(by_email.get(ref.lower(), ())) == 1:
                uid = by_email[ref.lower()][0]
            else:
                raise SeedError(_holder_name_field(entry, f"{field}[{j}]", "user"),
                                f"unknown user {ref} (give a user id or a unique email)")
            if uid not in seen_ids:
                seen_ids.add(uid)
                seated.append((uid, assigned_at))
        seats[code] = seated
    return {"keys": keys, "products": products, "users": users, "seats": seats}


def _validate_msstore(ms):
    lifetime = ms.get("token_lifetime")
    lifetime = None if lifetime is None else _int(lifetime, "msstore.token_lifetime", minimum=1)
    tenants, seen = [], set()
    for i, tenant in enumerate(_list(ms.get("tenants"), "msstore.tenants")):
        field = f"msstore.tenants[{i}]"
        tenant = _map(tenant, field)
        tid = _str(tenant.get("id"), field + ".id")
        if tid.lower() in seen:
            raise SeedError(field + ".id", f"duplicate tenant {tid}")
        seen.add(tid.lower())

        clients, client_ids = [], set()
        for j, client in enumerate(_list(tenant.get("clients"), field + ".clients")):
            cfield = f"{field}.clients[{j}]"
            client = _map(client, cfield)
            cid = _str(client.get("client_id"), cfield + ".client_id")
            if cid.lower() in client_ids:
                raise SeedError(cfield + ".client_id", f"duplicate client {cid}")
            client_ids.add(cid.lower())
            clients.append({
                "client_id": cid,
                "client_secret": _str(client.get("client_secret"), cfield + ".client_secret"),
                "activated": _bool(client.get("activated", True), cfield + ".activated"),
            })

        users, upns = [], {}
        for j, upn in enumerate(_list(tenant.get("users"), field + ".users")):
            ufield = f"{field}.users[{j}]"
            upn = _str(upn, ufield)
            if not UPN_RE.match(upn):
                raise SeedError(ufield, "must be a user principal name (user@domain)")
            if upn.lower() in upns:
                raise SeedError(ufield, f"duplicate user {upn}")
            upns[upn.lower()] = upn
            users.append(upn)

        inventory, entries = [], {}
        for j, entry in enumerate(_list(tenant.get("inventory"), field + ".inventory")):
            efield = f"{field}.inventory[{j}]"
            entry = _map(entry, efield)
            pid = entry.get("product_id")
            if not isinstance(pid, str) or not PRODUCT_ID_RE.match(pid):
                raise SeedError(efield + ".product_id", "must be a 12-character alphanumeric Store id")
            sku = entry.get("sku_id")
            if not isinstance(sku, str) or not SKU_ID_RE.match(sku):
                raise SeedError(efield + ".sku_id", "must be a 4-digit string such as \"0016\" (quote it in YAML)")
            pkey = f"{pid}/{sku}".lower()
            if pkey in entries:
                raise SeedError(efield, f"duplicate inventory entry {pid}/{sku}")
            last_modified = entry.get("last_modified")
            if last_modified is not None:
                last_modified = _str(last_modified, efield + ".last_modified")
            rec = {
                "product_id": pid, "sku_id": sku,
                "license_type": _enum(entry.get("license_type", "Online"), efield + ".license_type",
                                      ("Online", "Offline")),
                "distribution_policy": _enum(entry.get("distribution_policy", "Restricted"),
                                             efield + ".distribution_policy", ("Open", "Restricted")),
                "seat_capacity": _int(entry.get("seat_capacity", 0), efield + ".seat_capacity"),
                "status": _enum(entry.get("status", "Active"), efield + ".status", ("Active", "Removed")),
                "last_modified": last_modified,
            }
            entries[pkey] = rec
            inventory.append(rec)

        seats = {}
        for key, holders in _map(tenant.get("seats"), field + ".seats").items():
            sfield = f"{field}.seats.{key}"
            entry = entries.get(str(key).lower())
            if entry is None:
                raise SeedError(sfield, f"unknown inventory entry {key} (use \"PRODUCTID/SKU\")")
            if entry["license_type"] == "Offline":
                raise SeedError(sfield, "an Offline entry cannot have seats")
            names, seen_names = [], set()
            for k, holder in enumerate(_list(holders, sfield)):
                upn, date_assigned = _holder(holder, f"{sfield}[{k}]", "upn", "date_assigned")
                if upn.lower() not in upns:
                    raise SeedError(_holder_name_field(holder, f"{sfield}[{k}]", "upn"),
                                    f"unknown user {upn} (list it in users)")
                if upn.lower() not in seen_names:
                    seen_names.add(upn.lower())
                    names.append((upns[upn.lower()], date_assigned))
            if entry["distribution_policy"] == "Restricted" and len(names) > entry["seat_capacity"]:
                raise SeedError(sfield, f"{len(names)} holders exceed seat_capacity {entry['seat_capacity']}")
            seats[f"{entry['product_id']}/{entry['sku_id']}".lower()] = names
        tenants.append({"id": tid, "clients": clients, "users": users, "inventory": inventory,
                        "seats": seats})
    return {"token_lifetime": lifetime, "tenants": tenants}


# -- github (Copilot seats, GitHub Copilot contract §13) -------------------------------------

GH_LOGIN_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
GH_SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
GH_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
GH_TOKEN_KINDS = ("classic", "fine_grained", "app_installation", "app_user")
GH_SCOPES = ("manage_billing:copilot", "read:org", "admin:org", "read:enterprise", "repo", "user")
# copilot / administration: E1-E7 (§4.2); members: GET /orgs/{org}/memberships/{username}.
GH_PERMISSION_KEYS = ("copilot", "administration", "members")
GH_SETTINGS = {
    "seat_management_setting": ("assign_selected", ("assign_all", "assign_selected", "disabled", "unconfigured")),
    "public_code_suggestions": ("block", ("allow", "block", "unconfigured")),
    "ide_chat": ("enabled", ("enabled", "disabled", "unconfigured")),
    "platform_chat": ("enabled", ("enabled", "disabled", "unconfigured")),
    "cli": ("enabled", ("enabled", "disabled", "unconfigured")),
    "plan_type": ("business", ("business", "enterprise")),
}
GH_SEAT_TIMES = ("created_at", "last_activity_at", "last_authenticated_at")


def _gh_login(value, field):
    login = _str(value, field)
    if not GH_LOGIN_RE.match(login):
        raise SeedError(field, "must be a GitHub login (letters, digits, single hyphens, at most 39)")
    return login


def _gh_logins(value, field):
    logins, seen = [], set()
    for i, item in enumerate(_list(value, field)):
        login = _gh_login(item, f"{field}[{i}]")
        if login.lower() in seen:
            raise SeedError(f"{field}[{i}]", f"duplicate login {login}")
        seen.add(login.lower())
        logins.append(login)
    return logins


def _gh_date(value, field):
    if value is None:
        return None
    text = value.isoformat() if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime) else value
    if not isinstance(text, str) or not GH_DATE_RE.match(text):
        raise SeedError(field, 'must be a date such as "2025-04-01"')
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        raise SeedError(field, 'must be a date such as "2025-04-01"') from None
    return text


def _validate_github(gh):
    clock = gh.get("now")
    orgs, tokens, seen = [], [], set()
    for i, org in enumerate(_list(gh.get("orgs"), "github.orgs")):
        orgs.append(_gh_org(_map(org, f"github.orgs[{i}]"), f"github.orgs[{i}]", orgs))
    for i, tok in enumerate(_list(gh.get("tokens"), "github.tokens")):
        tokens.append(_gh_token(_map(tok, f"github.tokens[{i}]"), f"github.tokens[{i}]", seen))
    enterprises = []
    for i, ent in enumerate(_list(gh.get("enterprises"), "github.enterprises")):
        enterprises.append(_gh_enterprise(_map(ent, f"github.enterprises[{i}]"), f"github.enterprises[{i}]",
                                          enterprises, orgs))
    return {"now": None if clock is None else _timestamp(clock, "github.now"), "orgs": orgs, "tokens": tokens,
            "enterprises": enterprises}


def _gh_enterprise(ent, field, enterprises, orgs):
    """An enterprise (E8): its slug, the people who may read its seats (owners and billing
    managers) and its orgs, each a declared org in no other enterprise (an org has one)."""
    slug = _str(ent.get("slug"), field + ".slug")
    if not GH_SLUG_RE.match(slug):
        raise SeedError(field + ".slug", "must be an enterprise slug (letters, digits, '.', '_', '-')")
    if any(e["slug"].lower() == slug.lower() for e in enterprises):
        raise SeedError(field + ".slug", f"duplicate enterprise {slug}")
    rec = {"slug": slug, "id": _int(ent.get("id", 500 + len(enterprises)), field + ".id", minimum=1),
           "owners": _gh_logins(ent.get("owners"), field + ".owners"),
           "billing_managers": _gh_logins(ent.get("billing_managers"), field + ".billing_managers"),
           "orgs": _gh_logins(ent.get("orgs"), field + ".orgs")}
    declared = {o["login"].lower(): o["login"] for o in orgs}
    taken = {o.lower(): e["slug"] for e in enterprises for o in e["orgs"]}
    for j, name in enumerate(rec["orgs"]):
        if name.lower() not in declared:
            raise SeedError(f"{field}.orgs[{j}]", f"unknown org {name} (declare it in github.orgs)")
        if name.lower() in taken:
            raise SeedError(f"{field}.orgs[{j}]", f"{name} already belongs to enterprise {taken[name.lower()]}")
    return rec


def _gh_token(tok, field, seen):
    value = _str(tok.get("token"), field + ".token")
    if value in seen:
        raise SeedError(field + ".token", "duplicate token")
    seen.add(value)
    kind = _enum(tok.get("kind", "classic"), field + ".kind", GH_TOKEN_KINDS)
    scopes = [_enum(s, f"{field}.scopes[{j}]", GH_SCOPES) for j, s in enumerate(_list(tok.get("scopes"), field + ".scopes"))]
    perms = {}
    for key, level in _map(tok.get("permissions"), field + ".permissions").items():
        if key not in GH_PERMISSION_KEYS:
            raise SeedError(f"{field}.permissions.{key}", f"unknown permission (one of {', '.join(GH_PERMISSION_KEYS)})")
        perms[key] = _enum(level, f"{field}.permissions.{key}", ("read", "write"))
    if kind == "classic" and perms:
        raise SeedError(field + ".permissions", "a classic token has scopes, not permissions")
    if kind != "classic" and scopes:
        raise SeedError(field + ".scopes", f"a {kind} token has permissions, not scopes")
    user = tok.get("user")
    if kind == "app_installation":
        if user is not None:
            raise SeedError(field + ".user", "an installation token acts as the app, not as a user")
    else:
        user = _gh_login(user, field + ".user")
    return {"token": value, "kind": kind, "scopes": scopes, "permissions": perms, "user": user,
            "sso_authorized": _bool(tok.get("sso_authorized", True), field + ".sso_authorized")}


def _gh_org(org, field, orgs):
    login = _gh_login(org.get("login"), field + ".login")
    if any(o["login"].lower() == login.lower() for o in orgs):
        raise SeedError(field + ".login", f"duplicate org {login}")
    rec = {"login": login, "id": _int(org.get("id", 1000 + len(orgs)), field + ".id", minimum=1),
           "copilot": _bool(org.get("copilot", True), field + ".copilot"),
           "payment_problem": _bool(org.get("payment_problem", False), field + ".payment_problem"),
           "cycle_day": _int(org.get("cycle_day", 1), field + ".cycle_day", minimum=1)}
    if rec["cycle_day"] > 28:
        raise SeedError(field + ".cycle_day", "must be an integer between 1 and 28")
    for key, (default, choices) in GH_SETTINGS.items():
        rec[key] = _enum(org.get(key, default), f"{field}.{key}", choices)
    rec["owners"] = _gh_logins(org.get("owners"), field + ".owners")
    rec["members"] = _gh_logins(org.get("members"), field + ".members")
    rec["invitations"] = _gh_logins(org.get("invitations"), field + ".invitations")
    _gh_distinct(rec, field)
    members = {m.lower() for m in rec["owners"] + rec["members"]}
    rec["teams"] = _gh_teams(org.get("teams"), field + ".teams", members)
    rec["seats"] = _gh_seats(org.get("seats"), field + ".seats", members, rec["teams"])
    return rec


def _gh_distinct(rec, field):
    """A login is an owner, a member or an invitee of an org, never two of them."""
    seen = {}
    for role in ("owners", "members", "invitations"):
        for i, name in enumerate(rec[role]):
            if name.lower() in seen:
                raise SeedError(f"{field}.{role}[{i}]", f"{name} is already listed in {seen[name.lower()]}")
            seen[name.lower()] = role


def _gh_teams(value, field, members):
    teams = []
    for i, team in enumerate(_list(value, field)):
        tfield = f"{field}[{i}]"
        team = _map(team, tfield)
        slug = _str(team.get("slug"), tfield + ".slug")
        if not GH_SLUG_RE.match(slug):
            raise SeedError(tfield + ".slug", "must be a team slug (letters, digits, '.', '_', '-')")
        if any(t["slug"].lower() == slug.lower() for t in teams):
            raise SeedError(tfield + ".slug", f"duplicate team {slug}")
        team_members = _gh_logins(team.get("members"), tfield + ".members")
        for j, name in enumerate(team_members):
            if name.lower() not in members:
                raise SeedError(f"{tfield}.members[{j}]", f"{name} is not a member of the org (list it in owners or members)")
        teams.append({"slug": slug, "name": _str(team.get("name", slug), tfield + ".name"),
                      "id": _int(team.get("id", 100 + i), tfield + ".id", minimum=1),
                      "members": team_members,
                      "idp_synced": _bool(team.get("idp_synced", False), tfield + ".idp_synced"),
                      "enterprise": _bool(team.get("enterprise", False), tfield + ".enterprise"),
                      "selected": _bool(team.get("selected", False), tfield + ".selected")})
    return teams


def _gh_seats(value, field, members, teams):
    seats, seen = [], set()
    for i, seat in enumerate(_list(value, field)):
        sfield = f"{field}[{i}]"
        seat = _map(seat, sfield)
        orphan = _bool(seat.get("orphan", False), sfield + ".orphan")
        login = None
        if orphan:
            if seat.get("login") is not None:
                raise SeedError(sfield + ".login", "an orphan seat has no login")
        else:
            login = _gh_login(seat.get("login"), sfield + ".login")
            if login.lower() not in members:
                raise SeedError(sfield + ".login", f"{login} is not a member of the org (list it in owners or members)")
            if login.lower() in seen:
                raise SeedError(sfield + ".login", f"duplicate seat for {login}")
            seen.add(login.lower())
        rec = {"login": login, "pending_cancellation_date": _gh_date(seat.get("pending_cancellation_date"),
                                                                     sfield + ".pending_cancellation_date"),
               "last_activity_editor": seat.get("last_activity_editor"),
               "plan_type": _enum(seat.get("plan_type", "business"), sfield + ".plan_type", ("business", "enterprise", "unknown", "absent")),
               "team": _gh_seat_team(seat.get("team"), sfield + ".team", teams, login)}
        if rec["last_activity_editor"] is not None:
            rec["last_activity_editor"] = _str(rec["last_activity_editor"], sfield + ".last_activity_editor")
        for key in GH_SEAT_TIMES:
            rec[key] = None if seat.get(key) is None else _timestamp(seat[key], f"{sfield}.{key}")
        seats.append(rec)
    return seats


def _gh_seat_team(value, field, teams, login):
    """The team a seeded seat was granted through: a declared team the holder is a member of."""
    if value is None:
        return None
    slug = _str(value, field)
    team = next((t for t in teams if t["slug"].lower() == slug.lower()), None)
    if team is None:
        raise SeedError(field, f"unknown team {slug} (declare it in teams)")
    if login is not None and login.lower() not in {m.lower() for m in team["members"]}:
        raise SeedError(field, f"{login} is not a member of team {team['slug']}")
    return team["slug"]
