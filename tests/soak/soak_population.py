# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fault soak's population and what each run asks for.

Everything is drawn from a ``random.Random`` the caller seeds, so a run's people, products
and desired state are the same every time the same seed and run number come round.

People are numbered: person N is ``pNNN@example.com`` on Datadog and ``pNNN@contoso.com``
in the Store tenant. A few Datadog accounts are disabled or service accounts (Datadog
refuses them a seat; the modules skip them), so runs meet them too.

GitHub Copilot: person N is the login ``pNNN`` of the organization ``soak-org``, except a
few who are not members (every ``NOT_MEMBER_EVERY``-th) or only invited (every
``INVITED_EVERY``-th). The org has direct seats, seats a team grants (never reclaimable one
person at a time), seats pending cancellation (not holders) and orphan seats (no assignee,
never touched); each run also plays tests/soak/copilot.yml against it (see
:func:`copilot_vars`).

Seats are old (assigned ``OLD_SEAT_DAYS`` ago) unless somebody claimed one during the
epoch: people on call claim Datadog seats themselves (:func:`self_claims`), the roster a
reconcile run is given often does not list them yet, and some desired entries keep recent
seats (``grace_days``) or set a ceiling (``max_holders``).
"""

from __future__ import annotations

import datetime
import json
import math

DD_API_KEY = "soak-dd-api-key"
DD_APP_KEY = "soak-dd-app-key"
TENANT = "soak.onmicrosoft.com"
CLIENT_ID = "soak-client-id"
CLIENT_SECRET = "soak-client-secret"
GH_ORG = "soak-org"
GH_TOKEN = "soak-gh-token"
GH_OWNER = "soak-owner"
GH_TEAM = "copilot-crew"

CREDENTIALS = {
    "DD_API_KEY": DD_API_KEY,
    "DD_APP_KEY": DD_APP_KEY,
    "AZURE_TENANT_ID": TENANT,
    "AZURE_CLIENT_ID": CLIENT_ID,
    "AZURE_CLIENT_SECRET": CLIENT_SECRET,
    "GITHUB_TOKEN": GH_TOKEN,
}

# code -> (committed seats, initial holders); more holders are on demand, never refused
DD_PRODUCTS = {
    "incident_response": (170, 140),
    "apm_pro": (None, 90),
    "ci_visibility": (None, 60),
}
# "PRODUCT/SKU" -> (policy, capacity, initial holders)
STORE_PRODUCTS = {
    "9NSOAKRSTR01/0016": ("Restricted", 75, 60),
    "CFQ7SOAKOPEN/0001": ("Open", 200, 80),
}
OLD_SEAT_DAYS = 90       # seeded seats are this old: no grace period keeps them
GRACE_DAYS = 7           # what a desired entry with a grace period keeps
CLAIM_SHARE = 0.3        # a run is preceded by 1-3 self-claims of a Datadog seat
GRACE_SHARE = 0.3        # a desired entry keeps recent seats (grace_days)
CEILING_SHARE = 0.15     # a desired entry sets max_holders (at, just under or above its plan)
ROSTER_LAG = 0.5         # a self-claimer is left out of the desired list (the roster lags)
DISABLED_EVERY = 37      # every 37th Datadog account is disabled
SERVICE_EVERY = 53       # every 53rd is a service account
RECLAIM_GUARD = "10%"    # the reconcile playbook's default max_reclaims
NOT_MEMBER_EVERY = 29    # every 29th person is not a member of the GitHub org
INVITED_EVERY = 43       # every 43rd is invited, not yet a member
# Copilot seats of the soak org: direct, granted by the team, pending cancellation, orphans.
GH_DIRECT, GH_TEAM_SEATS, GH_PENDING, GH_ORPHANS = 40, 8, 4, 2


def email(number):
    return "p%03d@example.com" % number


def upn(number):
    return "p%03d@contoso.com" % number


def number_of(name):
    """The person number in an email or UPN of this population (None for anything else)."""
    local = str(name).split("@", 1)[0].lower()
    if local.startswith("p") and local[1:].isdigit():
        return int(local[1:])
    return None


def seat_date(days_ago=OLD_SEAT_DAYS):
    moment = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days_ago)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def dated_seats(holders, field, recent=None, product=None):
    """Seed holders of one product, each ``{field: name, <date>: ...}``: old, unless
    ``recent`` (``{(product, name): date}``) says when it was claimed."""
    recent = recent or {}
    date_field = "assigned_at" if field == "user" else "date_assigned"
    old = seat_date()
    return [{field: name, date_field: recent.get((product, name.lower()), old)} for name in holders]


def seed(rng, people=300):
    """A sandbox seed: ``people`` accounts on both platforms, holders drawn from ``rng``."""
    users = []
    for number in range(people):
        user = {"email": email(number), "name": "Person %03d" % number}
        if number % DISABLED_EVERY == DISABLED_EVERY - 1:
            user["disabled"] = True
        elif number % SERVICE_EVERY == SERVICE_EVERY - 1:
            user["service_account"] = True
        users.append(user)
    eligible = [u["email"] for u in users if not u.get("disabled") and not u.get("service_account")]
    datadog = {
        "keys": [{"api_key": DD_API_KEY, "app_key": DD_APP_KEY}],
        "products": [{"code": code, "committed_seats": committed} for code, (committed, _count) in DD_PRODUCTS.items()],
        "users": users,
        "seats": {code: dated_seats(sorted(rng.sample(eligible, count)), "user")
                  for code, (_limit, count) in DD_PRODUCTS.items()},
    }
    upns = [upn(number) for number in range(people)]
    inventory = []
    store_seats = {}
    for key, (policy, capacity, count) in STORE_PRODUCTS.items():
        product_id, sku_id = key.split("/")
        inventory.append({"product_id": product_id, "sku_id": sku_id, "license_type": "Online",
                          "distribution_policy": policy, "seat_capacity": capacity})
        store_seats[key] = dated_seats(sorted(rng.sample(upns, count)), "upn")
    msstore = {"tenants": [{
        "id": TENANT,
        "clients": [{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "activated": True}],
        "users": upns,
        "inventory": inventory,
        "seats": store_seats,
    }]}
    return {"datadog": datadog, "msstore": msstore, "github": github_seed(rng, people)}


# -- GitHub Copilot ---------------------------------------------------------------------------

def login(number):
    return "p%03d" % number


def gh_member(number):
    """A member of the soak org (not an outsider, not a pending invitation)."""
    return number % NOT_MEMBER_EVERY != NOT_MEMBER_EVERY - 1 and number % INVITED_EVERY != INVITED_EVERY - 1


def next_cycle():
    """The first day of next month (UTC): the date a cancelled seat goes."""
    today = datetime.datetime.now(datetime.timezone.utc).date().replace(day=1)
    return (today.replace(year=today.year + 1, month=1) if today.month == 12
            else today.replace(month=today.month + 1)).isoformat()


def github_seed(rng, people=300):
    """The soak org: members, one selected team whose members hold team-granted seats, direct
    seats, seats pending cancellation and orphan seats; one owner token with the scopes the
    module needs (read:org for the membership checks)."""
    members = [n for n in range(people) if gh_member(n)]
    invited = [login(n) for n in range(people) if n % INVITED_EVERY == INVITED_EVERY - 1
               and n % NOT_MEMBER_EVERY != NOT_MEMBER_EVERY - 1]
    chosen = _pick(rng, members, GH_TEAM_SEATS + GH_DIRECT + GH_PENDING)
    order = list(chosen)
    if hasattr(rng, "shuffle"):
        rng.shuffle(order)
    team = sorted(order[:GH_TEAM_SEATS])
    direct = sorted(order[GH_TEAM_SEATS:GH_TEAM_SEATS + GH_DIRECT])
    pending = sorted(order[GH_TEAM_SEATS + GH_DIRECT:])
    old = seat_date()
    seats = [{"login": login(n), "created_at": old, "team": GH_TEAM} for n in team]
    seats += [{"login": login(n), "created_at": old} for n in direct]
    seats += [{"login": login(n), "created_at": old, "pending_cancellation_date": next_cycle()} for n in pending]
    seats += [{"orphan": True, "created_at": old} for _index in range(GH_ORPHANS)]
    org = {"login": GH_ORG, "owners": [GH_OWNER], "members": [login(n) for n in members],
           "invitations": invited,
           "teams": [{"slug": GH_TEAM, "name": "Copilot crew", "members": [login(n) for n in team],
                      "selected": True}],
           "seats": seats}
    token = {"token": GH_TOKEN, "kind": "classic", "scopes": ["manage_billing:copilot", "read:org"],
             "user": GH_OWNER}
    return {"orgs": [org], "tokens": [token]}


def github_from_state(state):
    """The soak org of a sandbox state as a seed section: every seat kept as it is (direct,
    team-granted, pending cancellation, orphan), with its dates."""
    org = state["github"]["orgs"][GH_ORG]
    seats = []
    for seat in org["seats"]:
        item = {"created_at": seat.get("created_at") or seat_date()}
        if seat.get("login"):
            item["login"] = seat["login"]
            if seat.get("team"):
                item["team"] = seat["team"]
        else:
            item["orphan"] = True
        if seat.get("pending_cancellation_date"):
            item["pending_cancellation_date"] = seat["pending_cancellation_date"]
        if seat.get("last_activity_at"):
            item["last_activity_at"] = seat["last_activity_at"]
        seats.append(item)
    teams = [{"slug": slug, "name": slug, "members": sorted(team["members"]), "selected": team["selected"]}
             for slug, team in sorted(org["teams"].items())]
    members = [m for m in org["members"] if m not in org["owners"]]
    return {"orgs": [{"login": GH_ORG, "owners": org["owners"], "members": members,
                      "invitations": org.get("invitations", []), "teams": teams, "seats": seats}],
            "tokens": [{"token": GH_TOKEN, "kind": "classic", "scopes": ["manage_billing:copilot", "read:org"],
                        "user": GH_OWNER}]}


def copilot_seats(state):
    """``{login (lower-case): seat}`` of the soak org's seats that have an assignee."""
    org = state["github"]["orgs"][GH_ORG]
    return dict((seat["login"].lower(), seat) for seat in org["seats"] if seat.get("login"))


def copilot_holders(state):
    """Lower-case logins holding an active seat (direct or team-granted, not pending)."""
    return set(key for key, seat in copilot_seats(state).items() if not seat.get("pending_cancellation_date"))


def copilot_team_holders(state):
    return set(key for key, seat in copilot_seats(state).items()
               if seat.get("team") and not seat.get("pending_cancellation_date"))


def copilot_vars(rng, state, kind, people=300, tame=False):
    """Extra vars for tests/soak/copilot.yml, by the kind of the run: an onboarding gives a
    few members a seat (state=present), an offboarding reclaims a few holders' seats
    (state=absent, team-granted ones skipped with a warning), a reconcile keeps the seats
    exactly as a list says (exclusive, within the reclaim guard). Untamed runs also name
    outsiders, pending invitations, holders whose seat a team grants and people without a
    seat; seats pending cancellation are often wanted back."""
    holders = copilot_holders(state)
    team = copilot_team_holders(state)
    seats = copilot_seats(state)
    pending = sorted(key for key, seat in seats.items() if seat.get("pending_cancellation_date"))
    members = [login(n) for n in range(people) if gh_member(n)]
    free = sorted(set(members) - holders)
    out = {"copilot_organization": GH_ORG, "copilot_state": "present", "copilot_exclusive": False,
           "copilot_unknown_users": "fail" if tame else rng.choice(["warn", "warn", "fail"])}
    if kind == "onboard":
        wanted = set(_pick(rng, free, rng.randint(1, 3)))
        if pending and rng.random() < 0.5:
            wanted.add(rng.choice(pending))
        if not tame and rng.random() < 0.3:
            wanted.add(login(rng.choice([n for n in range(people) if not gh_member(n)])))
        if not tame and holders and rng.random() < 0.3:
            wanted.add(rng.choice(sorted(holders)))
        out["copilot_users"] = sorted(wanted)
    elif kind == "offboard":
        direct = sorted(holders - team)
        leaving = set(_pick(rng, direct, rng.randint(1, 3)))
        if not tame and team and rng.random() < 0.4:
            leaving.add(rng.choice(sorted(team)))
        if not tame and rng.random() < 0.3:
            leaving.add(rng.choice(free))
        out.update(copilot_state="absent", copilot_users=sorted(leaving), copilot_team_granted_users="warn")
    else:
        limit = int(math.ceil(float(RECLAIM_GUARD.rstrip("%")) * len(holders) / 100.0))
        direct = sorted(holders - team)
        leave = rng.randint(0, max(0, limit))
        if not tame and rng.random() < 0.05:
            leave = limit + 1 + rng.randint(0, 2)       # past the guard: refused, nothing changes
        leaving = set(_pick(rng, direct, leave))
        joining = set(_pick(rng, free, rng.randint(0, 3)))
        if pending and rng.random() < 0.5:
            joining.add(rng.choice(pending))
        kept = set()
        if not tame and team and rng.random() < 0.5:
            kept = set(_pick(rng, sorted(team), rng.randint(1, 2)))   # left out: kept and reported
        wanted = (holders - leaving - kept) | joining
        if not tame and rng.random() < 0.2:
            wanted.add(login(rng.choice([n for n in range(people) if not gh_member(n)])))
        out.update(copilot_exclusive=True, copilot_users=sorted(wanted), copilot_max_reclaims=RECLAIM_GUARD)
    return out


def copilot_goal_problems(extra, state):
    """What a successful tame Copilot run must have achieved, checked on the state after it."""
    holders = copilot_holders(state)
    team = copilot_team_holders(state)
    users = set(name.lower() for name in extra["copilot_users"])
    if extra["copilot_state"] == "absent":
        left = sorted((users - team) & holders)
        return ["after the Copilot offboarding, %s still hold a seat" % ", ".join(left)] if left else []
    problems = []
    missing = sorted(users - holders)
    if missing:
        problems.append("after the Copilot run, %s hold no seat" % ", ".join(missing))
    if extra.get("copilot_exclusive"):
        extra_holders = sorted(holders - users - team)
        if extra_holders:
            problems.append("after the exclusive Copilot run, %s still hold a seat" % ", ".join(extra_holders))
    return problems


def seed_from_state(state, people=300, disabled=(), remove=(), fill=(), recent=None):
    """A sandbox seed that keeps every seat of ``state`` and changes the platforms as time
    would: the people in ``disabled`` are disabled in Datadog (they keep their seats), the
    Store products in ``remove`` get inventory status Removed, and the Restricted products in
    ``fill`` get a capacity of their holders (no seat free). Datadog user ids stay the same
    (the sandbox derives them from the emails), so records of earlier runs still apply.
    Seats age as if time passed, except the self-claims in ``recent`` (``{(product, email):
    date}``), which keep their date."""
    data = seed(_NoDraw(), people)
    for user in data["datadog"]["users"]:
        if number_of(user["email"]) in disabled:
            user.pop("service_account", None)
            user["disabled"] = True
    data["datadog"]["seats"] = dict((code, dated_seats(sorted(h["email"] for h in product["holders"]), "user",
                                                       recent, code))
                                    for code, product in state["datadog"]["products"].items())
    tenant = data["msstore"]["tenants"][0]
    tenant["inventory"], tenant["seats"] = [], {}
    for key, product in sorted(store_entries(state).items()):
        product_id, sku_id = key.split("/")
        holders = sorted(product["holders"])
        capacity = product["seat_capacity"]
        if key in fill and product["distribution_policy"] == "Restricted":
            capacity = len(holders)
        tenant["inventory"].append({
            "product_id": product_id, "sku_id": sku_id, "license_type": product["license_type"],
            "distribution_policy": product["distribution_policy"], "seat_capacity": capacity,
            "status": "Removed" if key in remove else product.get("status", "Active")})
        tenant["seats"][key] = dated_seats(holders, "upn")
    if state.get("github", {}).get("orgs", {}).get(GH_ORG):
        data["github"] = github_from_state(state)
    return data


class _NoDraw(object):
    """Stands in for the RNG when :func:`seed` builds only the accounts (seats are replaced)."""

    @staticmethod
    def sample(pool, count):
        return sorted(pool)[:count]

    @staticmethod
    def choice(pool):
        return sorted(pool)[0]


def holder_numbers(state):
    """{product: set of person numbers holding it} from a sandbox state (both platforms)."""
    out = {}
    for code, product in state["datadog"]["products"].items():
        out[code] = {number_of(h["email"]) for h in product["holders"]} - {None}
    for key, product in state["msstore"]["tenants"][TENANT]["products"].items():
        out[key] = {number_of(h) for h in product["holders"]} - {None}
    return out


def _pick(rng, pool, count):
    pool = sorted(pool)
    return sorted(rng.sample(pool, min(count, len(pool))))


# -- what each kind of run asks for -----------------------------------------------------
#
# ``tame=True`` (the follow-up runs without faults) keeps every request within the limits:
# only people who can hold a seat, products with room, no guard or capacity refusal, no
# protected names; so those runs must succeed and reach their goal exactly.

def eligible(number, disabled=()):
    """Datadog gives this person a seat (not a disabled user, not a service account);
    ``disabled``: people the soak disabled later in the epoch."""
    return (number % DISABLED_EVERY != DISABLED_EVERY - 1 and number % SERVICE_EVERY != SERVICE_EVERY - 1
            and number not in disabled)


def store_entries(state):
    """``{PRODUCT/SKU: product}`` of the soak tenant in a sandbox state."""
    return state["msstore"]["tenants"][TENANT]["products"]


def removed(state):
    """Store products whose inventory status is Removed (no seat can be assigned there)."""
    return sorted(key for key, product in store_entries(state).items() if product.get("status") == "Removed")


def room(key, state_holders, state=None):
    """Free seats of a product with a limit (None: no limit), from the state when given
    (the soak may fill a product or remove it from the inventory during an epoch). Datadog
    never refuses a seat for capacity: beyond the committed seats it is on demand."""
    if key in DD_PRODUCTS:
        return None
    if state is not None:
        product = store_entries(state)[key]
        if product.get("status") == "Removed":
            return 0
        limit = product["seat_capacity"] if product["distribution_policy"] == "Restricted" else None
    else:
        policy, limit, _count = STORE_PRODUCTS[key]
        if policy != "Restricted":
            limit = None
    if limit is None:
        return None
    return max(0, limit - len(state_holders.get(key, ())))


def onboard_vars(rng, state, people=300, tame=False, disabled=(), store_wanted=False):
    """Survey answers for playbooks/onboard.yml: a few people, some products of each platform
    (``store_wanted``: at least one Store product)."""
    pool = [n for n in range(people) if eligible(n, disabled)] if tame else range(people)
    chosen = _pick(rng, pool, rng.randint(1, 4))
    codes = sorted(DD_PRODUCTS)
    stores = sorted(STORE_PRODUCTS)
    if tame:
        holders = holder_numbers(state)
        fits = [key for key in codes + stores
                if room(key, holders, state) is None or room(key, holders, state) >= len(chosen)]
        codes = [key for key in codes if key in fits]
        stores = [key for key in stores if key in fits]
    codes = sorted(rng.sample(codes, rng.randint(1, len(codes))))
    stores = sorted(rng.sample(stores, rng.randint(1 if store_wanted else 0, len(stores))))
    return {
        "people": ", ".join("%s=%s" % (email(n), upn(n)) for n in chosen),
        "datadog_products": ", ".join(codes),
        "msstore_products": ", ".join(stores),
    }


def offboard_vars(rng, state, people=300, tame=False):
    """Survey answers for playbooks/offboard.yml: mostly people who hold seats, sometimes
    one who holds none (a leaver without seats must change nothing)."""
    holding = set()
    for numbers in holder_numbers(state).values():
        holding |= numbers
    chosen = set(_pick(rng, holding, rng.randint(1, 3)))
    if rng.random() < 0.3:
        chosen |= set(_pick(rng, set(range(people)) - holding, 1))
    return {
        "people": ", ".join("%s=%s" % (email(n), upn(n)) for n in sorted(chosen)),
        "datadog_products": ", ".join(sorted(DD_PRODUCTS)),
    }


def self_claims(rng, state, people=300, disabled=()):
    """``[(product code, email)]``: 1-3 people without a seat of one Datadog product claim one
    (as being paged would), drawn from ``rng``."""
    code = rng.choice(sorted(DD_PRODUCTS))
    holding = holder_numbers(state).get(code, set())
    pool = [n for n in range(people) if eligible(n, disabled) and n not in holding]
    return [(code, email(n)) for n in _pick(rng, pool, rng.randint(1, 3))]


def desired_state(rng, state, people=300, tame=False, disabled=(), claimed=(), grace_share=GRACE_SHARE):
    """A desired-state file for playbooks/reconcile.yml, close to the current holders.

    Per product a few leave and a few join, within the reclaim guard and (Restricted) the
    free seats; now and then one product is pushed past one of those limits, so the soak
    also sees clean refusals under faults. A current holder is sometimes listed as protected.
    People who claimed a seat themselves (``claimed``: ``(product, email)``) are often missing
    from the list, as from a roster exported before they were paged; an entry may keep recent
    seats (``grace_days``, share ``grace_share``) or set a ceiling (``max_holders``).
    """
    holders = holder_numbers(state)
    claimed = set(claimed)
    desired = {"datadog": [], "msstore": []}
    for key in sorted(DD_PRODUCTS) + sorted(STORE_PRODUCTS):
        current = holders.get(key, set())
        limit = int(math.ceil(float(RECLAIM_GUARD.rstrip("%")) * len(current) / 100.0))
        unlisted = set()
        if not tame:
            unlisted = set(n for n in current if (key, email(n)) in claimed and rng.random() < ROSTER_LAG)
        limit = max(0, limit - len(unlisted))
        leave = rng.randint(0, max(0, limit))
        if not tame and rng.random() < 0.04:
            leave = limit + 1 + rng.randint(0, 3)          # past the guard: refused, nothing changes
        leaving = set(_pick(rng, current, leave))
        joining_pool = set(n for n in range(people) if eligible(n, disabled) or not tame) - current
        join = rng.randint(0, 4)
        if tame and key in removed(state):
            join = 0                                        # the Store assigns nothing there
        free = room(key, holders, state)
        if free is not None:
            join = min(join, free)
            if not tame and rng.random() < 0.04:
                join = free + 1                             # more than the free seats: refused
        joining = set(_pick(rng, joining_pool, join))
        wanted = (current - leaving - unlisted) | joining
        protected = set()
        if not tame and leaving and rng.random() < 0.2:
            protected = {sorted(leaving)[0]}
        if key in DD_PRODUCTS:
            entry = {"product_code": key, "users": [email(n) for n in sorted(wanted)]}
            if protected:
                entry["protected"] = [email(n) for n in sorted(protected)]
            desired["datadog"].append(entry)
        else:
            product_id, sku_id = key.split("/")
            entry = {"product_id": product_id, "sku_id": sku_id, "users": [upn(n) for n in sorted(wanted)]}
            if protected:
                entry["protected"] = [upn(n) for n in sorted(protected)]
            desired["msstore"].append(entry)
        if not tame:
            _billing_options(rng, entry, key, len(wanted | (current & protected)), grace_share)
    return desired


def _billing_options(rng, entry, key, planned, grace_share):
    """Now and then a grace period, and a ceiling at, just under or above the plan's end (the
    product's committed seats when it has some): under it, a plan that assigns is refused."""
    if rng.random() < grace_share:
        entry["grace_days"] = GRACE_DAYS
    if rng.random() < CEILING_SHARE:
        committed = DD_PRODUCTS.get(key, (None, 0))[0]
        entry["max_holders"] = max(0, rng.choice([planned - 1, planned, planned + 5, committed or planned]))


def _numbers(text):
    out = set()
    for part in str(text).replace(",", " ").split():
        number = number_of(part.split("=")[0])
        if number is not None:
            out.add(number)
    return out


def goal_problems(kind, extra, state, people=300, disabled=()):
    """What a successful tame run must have achieved, checked on the state after it."""
    holders = holder_numbers(state)
    problems = []
    if kind == "onboard":
        chosen = _numbers(extra["people"])
        products = [p.strip() for p in (extra["datadog_products"] + "," + extra["msstore_products"]).split(",") if p.strip()]
        for key in products:
            missing = sorted(n for n in chosen if eligible(n, disabled) and n not in holders.get(key, ()))
            if missing:
                problems.append("after onboarding, %s lacks %s" % (key, ", ".join(email(n) for n in missing)))
    elif kind == "offboard":
        chosen = _numbers(extra["people"])
        for key, numbers in sorted(holders.items()):
            left = sorted(chosen & numbers)
            if left:
                problems.append("after offboarding, %s still held by %s" % (key, ", ".join(email(n) for n in left)))
    else:
        with open(extra["desired_state_file"], encoding="utf-8") as handle:
            desired = json.load(handle)
        for entry in desired["datadog"] + desired["msstore"]:
            key = entry.get("product_code") or "%s/%s" % (entry["product_id"], entry["sku_id"])
            want = set(number_of(name) for name in entry["users"])
            have = holders.get(key, set())
            if want != have:
                problems.append("after reconciling, %s differs from the desired state: missing %s, extra %s"
                                % (key, sorted(want - have), sorted(have - want)))
    return problems


def dump_desired(desired, path):
    """Write a desired-state file (JSON is YAML; sku_id stays a quoted string)."""
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(desired, handle, indent=1, sort_keys=True)
        handle.write("\n")
