"""Large, deterministic seed populations for benchmarks and scale tests.

Everything derives from one random.Random(seed), so the same arguments always produce
byte-identical output and a benchmark can be re-run against exactly the same data.
"""

import json
import random
import uuid

import yaml

DD_API_KEY = "gen-dd-api-key"
DD_APP_KEY = "gen-dd-app-key"
DD_RO_API_KEY = "gen-dd-ro-api-key"
DD_RO_APP_KEY = "gen-dd-ro-app-key"
MS_TENANT = "generated.onmicrosoft.com"
MS_CLIENT_ID = "gen-client-id"
MS_CLIENT_SECRET = "gen-client-secret"

CREDENTIALS = {
    "datadog": {"api_key": DD_API_KEY, "app_key": DD_APP_KEY,
                "read_only_api_key": DD_RO_API_KEY, "read_only_app_key": DD_RO_APP_KEY},
    "msstore": {"tenant": MS_TENANT, "client_id": MS_CLIENT_ID, "client_secret": MS_CLIENT_SECRET},
}
GH_ORG = "generated-org"
GH_OWNER = "gen-owner"
GH_TOKEN = "gen-gh-token"
GH_CREDENTIALS = {"org": GH_ORG, "token": GH_TOKEN, "owner": GH_OWNER}

FIRST = ("ana", "ben", "chen", "dara", "eli", "fatima", "gus", "hana", "ivan", "jo", "kai", "lena",
         "mo", "nia", "omar", "pia", "quinn", "rui", "sara", "tom", "uma", "vik", "wen", "yara", "zoe")
LAST = ("lima", "okafor", "novak", "silva", "tanaka", "muller", "haddad", "kowalski", "garcia",
        "nguyen", "smith", "ivanova", "rossi", "kim", "patel", "berg", "costa", "dubois")
DD_PRODUCTS = ("incident_response", "apm_pro", "ci_visibility", "synthetics", "rum",
               "logs_indexing", "profiler", "security_monitoring")


def generate(seed=42, dd_users=1000, dd_products=3, dd_holders=100, ms_users=500, ms_products=2,
             ms_seats=100, ms_capacity=None, dd_committed=None, gh_members=0, gh_seats=0):
    """A seed population; ``dd_committed`` is every Datadog product's committed_seats (None: none).
    With ``gh_members`` > 0 it has a GitHub org of that many members, ``gh_seats`` of them seated."""
    rng = random.Random(seed)
    users = []
    for i in range(dd_users):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first}.{last}.{i:06d}@example.com"
        roll = rng.random()
        user = {"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "email": email,
                "handle": email, "name": f"{first.title()} {last.title()} {i}"}
        if roll < 0.02:
            user.update(status="Disabled", disabled=True)
        elif roll < 0.04:
            user.update(status="Pending", disabled=False)
        else:
            user.update(status="Active", disabled=False)
        user["service_account"] = 0.04 <= roll < 0.05
        users.append(user)
    eligible = [u["id"] for u in users if not u["disabled"]]
    codes = [DD_PRODUCTS[i] if i < len(DD_PRODUCTS) else f"product_{i}" for i in range(dd_products)]
    seats = {code: sorted(rng.sample(eligible, min(dd_holders, len(eligible)))) for code in codes}
    datadog = {
        "keys": [
            {"api_key": DD_API_KEY, "app_key": DD_APP_KEY,
             "permissions": ["billing_read", "billing_edit", "user_access_read"]},
            {"api_key": DD_RO_API_KEY, "app_key": DD_RO_APP_KEY,
             "permissions": ["billing_read", "user_access_read"]},
        ],
        "products": [{"code": code, "committed_seats": dd_committed} for code in codes],
        "users": users,
        "seats": seats,
    }

    upns = [f"user{i:06d}@{MS_TENANT}" for i in range(ms_users)]
    capacity = ms_capacity if ms_capacity is not None else max(ms_seats * 2, 10)
    inventory, ms_seat_map = [], {}
    for i in range(ms_products):
        product_id = f"9NGEN{i:07d}"
        inventory.append({"product_id": product_id, "sku_id": "0001", "license_type": "Online",
                          "distribution_policy": "Restricted", "seat_capacity": capacity})
        count = min(ms_seats, len(upns), capacity)
        ms_seat_map[f"{product_id}/0001"] = sorted(rng.sample(upns, count))
    msstore = {"tenants": [{
        "id": MS_TENANT,
        "clients": [{"client_id": MS_CLIENT_ID, "client_secret": MS_CLIENT_SECRET, "activated": True}],
        "users": upns, "inventory": inventory, "seats": ms_seat_map,
    }]}
    data = {"generated": {"seed": seed, "credentials": CREDENTIALS}, "datadog": datadog, "msstore": msstore}
    if gh_members > 0:
        # Drawn after the other two, so their output stays the same with or without an org.
        data["github"] = generate_github(rng, gh_members, gh_seats)
        data["generated"]["credentials"] = dict(CREDENTIALS, github=GH_CREDENTIALS)
    return data


def generate_github(rng, members, seats):
    """One org (assign_selected) with ``members`` members and ``seats`` direct seats, a few
    team-granted through one selected team, and varied activity."""
    logins = [f"gh-user-{i:06d}" for i in range(members)]
    holders = sorted(rng.sample(logins, min(seats, members)))
    team = holders[:min(25, len(holders))]
    seat_list = []
    for i, login in enumerate(holders):
        seat = {"login": login, "created_at": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z"}
        if rng.random() < 0.6:
            seat["last_activity_at"] = f"2024-12-{1 + i % 28:02d}T10:00:00Z"
            seat["last_activity_editor"] = "vscode/1.98.2/copilot/1.290.0"
        if login in team:
            seat["team"] = "copilot-users"
        seat_list.append(seat)
    org = {"login": GH_ORG, "owners": [GH_OWNER], "members": logins,
           "teams": [{"slug": "copilot-users", "name": "Copilot users", "members": team, "selected": True}],
           "seats": seat_list}
    token = {"token": GH_TOKEN, "kind": "classic", "scopes": ["manage_billing:copilot", "read:org"],
             "user": GH_OWNER}   # read:org: the membership check before a seat is given
    return {"orgs": [org], "tokens": [token]}


def write(data, path):
    with open(path, "w", encoding="utf-8") as handle:
        if str(path).endswith((".yml", ".yaml")):
            yaml.safe_dump(data, handle, sort_keys=False)
        else:
            json.dump(data, handle, separators=(",", ":"))
