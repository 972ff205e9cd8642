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

FIRST = ("ana", "ben", "chen", "dara", "eli", "fatima", "gus", "hana", "ivan", "jo", "kai", "lena",
         "mo", "nia", "omar", "pia", "quinn", "rui", "sara", "tom", "uma", "vik", "wen", "yara", "zoe")
LAST = ("lima", "okafor", "novak", "silva", "tanaka", "muller", "haddad", "kowalski", "garcia",
        "nguyen", "smith", "ivanova", "rossi", "kim", "patel", "berg", "costa", "dubois")
DD_PRODUCTS = ("incident_response", "apm_pro", "ci_visibility", "synthetics", "rum",
               "logs_indexing", "profiler", "security_monitoring")


def generate(seed=42, dd_users=1000, dd_products=3, dd_holders=100, ms_users=500, ms_products=2,
             ms_seats=100, ms_capacity=None, dd_committed=None):
    """A seed population; ``dd_committed`` is every Datadog product's committed_seats (None: none)."""
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
    return {"generated": {"seed": seed, "credentials": CREDENTIALS}, "datadog": datadog, "msstore": msstore}


def write(data, path):
    with open(path, "w", encoding="utf-8") as handle:
        if str(path).endswith((".yml", ".yaml")):
            yaml.safe_dump(data, handle, sort_keys=False)
        else:
            json.dump(data, handle, separators=(",", ":"))
