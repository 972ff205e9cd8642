"""The sandbox as a process: CLI, persistence, concurrency, generator, TLS."""

import json
import os
import subprocess
import sys
import threading

import pytest
import requests

from sandbox_helpers import ANA, BEN, DEFAULT_ANSWERS, GUS, RESTRICTED, TENANT, base_seed, dd, ms, seats_body, token
from seatops_sandbox.testing import SandboxError, SandboxProcess


def run_cli(*args, timeout=60):
    return subprocess.run([sys.executable, "-m", "seatops_sandbox", *args], capture_output=True, text=True,
                          timeout=timeout, check=False)


def test_restart_with_state_keeps_every_seat(tmp_path):
    state = tmp_path / "state.db"
    with SandboxProcess(seed=base_seed(), state=state) as proc:
        assert dd(proc, "POST", "/api/v2/seats/users", json=seats_body("apm_pro", [GUS])).status_code == 201
        tok = token(proc)
        assert ms(proc, "POST", "/V1/Inventory/9NBLGGH4R2R6/0016/Seats/carol@contoso.com", tok).status_code == 200
        before = proc.state()
        proc.restart()     # same --seed again: existing data must win
        assert "already holds data" in proc.output
        assert proc.state() == before
        assert ms(proc, "GET", "/V1/Inventory", tok).status_code == 200   # tokens persist as well
        # --reseed replaces the state with the seed
        proc.stop()
        proc.extra_args = ["--reseed"]
        proc.start()
        assert [h["id"] for h in proc.state()["datadog"]["products"]["apm_pro"]["holders"]] == [BEN]


def test_concurrent_writes_stay_consistent(sb):
    users = ["alice@contoso.com", "bob@contoso.com", "carol@contoso.com", "dave@contoso.com",
             "erin@contoso.com", "frank.mixed@contoso.com"]
    seed = base_seed()
    tenant = seed["msstore"]["tenants"][0]
    tenant["users"] += [f"user{i}@contoso.com" for i in range(8)]
    tenant["inventory"][0]["seat_capacity"] = 10
    sb.seed(seed)
    tok = token(sb)
    dd_ids = [u["id"] for u in seed["datadog"]["users"] if not u.get("disabled")]
    errors = []

    def worker(i):
        try:
            with requests.Session() as session:
                upn = f"user{i}@contoso.com"
                path = f"{sb.url}/V1/Inventory/9NBLGGH4R2R6/0016/Seats/{upn}"
                auth = {"Authorization": f"Bearer {tok}"}
                dd_headers = {"DD-API-KEY": "full-api", "DD-APPLICATION-KEY": "full-app"}
                uid = dd_ids[i % len(dd_ids)]
                for round_ in range(6):
                    method = "POST" if round_ % 2 == 0 else "DELETE"
                    resp = session.request(method, path, headers=auth, timeout=30)
                    if resp.status_code not in (200, 404, 409):
                        errors.append((upn, method, resp.status_code))
                    resp = session.request(method, sb.url + "/api/v2/seats/users", headers=dd_headers,
                                           json=seats_body("incident_response", [uid]), timeout=30)
                    if resp.status_code not in (201, 204):
                        errors.append((uid, method, resp.status_code))
                # end with a seat for even workers
                if i % 2 == 0:
                    session.post(path, headers=auth, timeout=30)
        except Exception as exc:  # surfaced below
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    entry = sb.state()["msstore"]["tenants"][TENANT]["products"][RESTRICTED]
    expected = sorted(["alice@contoso.com", "bob@contoso.com"] + [f"user{i}@contoso.com" for i in range(0, 8, 2)])
    assert entry["holders"] == expected
    assert entry["available_seats"] == entry["seat_capacity"] - len(entry["holders"]) == 4
    inv = {e["productKey"]["skuId"]: e for e in ms(sb, "GET", "/V1/Inventory", tok).json()["inventoryEntries"]}
    assert inv["0016"]["availableSeats"] == 4
    # every Datadog worker ended with a DELETE of its own user (ANA was seeded, so gone too)
    holders = [h["id"] for h in sb.state()["datadog"]["products"]["incident_response"]["holders"]]
    assert ANA not in holders and len(holders) == 1      # only the disabled seed holder remains


def test_generator_is_deterministic_and_sized(tmp_path):
    out1, out2, out3 = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    args = ["generate", "--dd-users", "2000", "--dd-products", "3", "--dd-holders", "500", "--ms-users", "800",
            "--ms-products", "2", "--ms-seats", "300", "--ms-capacity", "400"]
    first = run_cli(*args, "--seed", "7", "-o", str(out1))
    assert first.returncode == 0, first.stderr
    assert "gen-dd-api-key" in first.stdout and "gen-client-secret" in first.stdout
    assert run_cli(*args, "--seed", "7", "-o", str(out2)).returncode == 0
    assert run_cli(*args, "--seed", "8", "-o", str(out3)).returncode == 0
    assert out1.read_bytes() == out2.read_bytes()
    assert out1.read_bytes() != out3.read_bytes()
    data = json.loads(out1.read_text())
    assert len(data["datadog"]["users"]) == 2000
    assert [len(v) for v in data["datadog"]["seats"].values()] == [500, 500, 500]
    tenant = data["msstore"]["tenants"][0]
    assert len(tenant["users"]) == 800
    assert [len(v) for v in tenant["seats"].values()] == [300, 300]
    assert {e["seat_capacity"] for e in tenant["inventory"]} == {400}
    with SandboxProcess(seed=out1) as proc:
        body = requests.get(proc.url + "/api/v2/seats/users", timeout=30,
                            params={"product_code": "incident_response", "page[limit]": 1000},
                            headers={"DD-API-KEY": "gen-dd-api-key", "DD-APPLICATION-KEY": "gen-dd-app-key"}).json()
        assert len(body["data"]) == 500 and "next_cursor" not in body["meta"]
        tok = token(proc, tenant="generated.onmicrosoft.com", client_id="gen-client-id", secret="gen-client-secret")
        inv = ms(proc, "GET", "/V1/Inventory", tok).json()["inventoryEntries"]
        assert [e["availableSeats"] for e in inv] == [100, 100]


def test_generator_committed_seats_knob(tmp_path):
    out = tmp_path / "committed.json"
    args = ["generate", "--dd-users", "300", "--dd-products", "2", "--dd-holders", "120", "--ms-users", "1",
            "--ms-products", "0", "-o", str(out)]
    assert run_cli(*args).returncode == 0
    assert {p["committed_seats"] for p in json.loads(out.read_text())["datadog"]["products"]} == {None}
    refused = run_cli(*args, "--dd-committed", "-1")
    assert refused.returncode == 2 and "--dd-committed must be >= 0" in refused.stderr
    assert run_cli(*args, "--dd-committed", "100").returncode == 0
    data = json.loads(out.read_text())
    assert data["datadog"]["products"] == [{"code": "incident_response", "committed_seats": 100},
                                           {"code": "apm_pro", "committed_seats": 100}]
    with SandboxProcess(seed=out, extra_args=["--quiet"]) as proc:
        product = proc.state()["datadog"]["products"]["apm_pro"]
        assert (product["committed_seats"], product["on_demand"], product["peak_holders"]) == (100, 20, 120)


def test_demo_seed_loads_with_documented_credentials():
    with SandboxProcess(extra_args=["--demo"]) as proc:
        assert "listening on http://127.0.0.1:" in proc.output
        state = proc.state()
        products = state["datadog"]["products"]
        assert products["incident_response"]["committed_seats"] == 25
        assert products["incident_response"]["on_demand"] == 0
        assert set(products) == {"incident_response", "apm_pro", "ci_visibility"}
        resp = requests.get(proc.url + "/api/v2/users", params={"page[size]": 100}, timeout=10,
                            headers={"DD-API-KEY": "demo-dd-api-key", "DD-APPLICATION-KEY": "demo-dd-app-key"})
        users = resp.json()["data"]
        assert len(users) == 12
        assert sum(u["attributes"]["disabled"] for u in users) == 1
        assert sum(u["attributes"]["service_account"] for u in users) == 1
        ro = requests.post(proc.url + "/api/v2/seats/users", json=seats_body("apm_pro", [users[0]["id"]]),
                           timeout=10, headers={"DD-API-KEY": "demo-dd-ro-api-key",
                                                "DD-APPLICATION-KEY": "demo-dd-ro-app-key"})
        assert ro.status_code == 403
        tok = token(proc, client_id="demo-client-id", secret="demo-client-secret")
        inv = ms(proc, "GET", "/V1/Inventory", tok).json()["inventoryEntries"]
        kinds = sorted((e["licenseType"], e["distributionPolicy"]) for e in inv)
        assert kinds == [("Offline", "Open"), ("Online", "Open"), ("Online", "Restricted")]
        inactive = token(proc, client_id="demo-inactive-client-id", secret="demo-inactive-client-secret")
        assert ms(proc, "GET", "/V1/Inventory", inactive).status_code == 403
        _check_demo_github(proc)


def _check_demo_github(proc):
    """The demo's GitHub org: what its comment and the README promise."""
    headers = {"Authorization": "Bearer ghp_demo_sandbox_token", "User-Agent": "seatops-tests",
               "X-GitHub-Api-Version": "2022-11-28"}
    seats = requests.get(proc.url + "/orgs/acme/copilot/billing/seats", headers=headers, timeout=10).json()
    assert seats["total_seats"] == 8
    by_login = {(s["assignee"] or {}).get("login"): s for s in seats["seats"]}
    assert by_login["hubot"]["pending_cancellation_date"] == "2025-04-01"
    assert by_login["sam"]["last_activity_at"] == "2024-11-15T12:00:00Z"
    assert by_login["tina"]["assigning_team"]["slug"] == "platform" and None in by_login
    member = requests.get(proc.url + "/orgs/acme/memberships/newhire", headers=headers, timeout=10).json()
    assert (member["state"], member["role"]) == ("pending", "member")
    billing = requests.get(proc.url + "/orgs/acme/copilot/billing", headers=headers, timeout=10).json()
    assert billing["seat_management_setting"] == "assign_selected" and billing["public_code_suggestions"] == "block"


def test_cli_rejects_invalid_seed_with_exit_2(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("datadog:\n  users:\n    - {email: ''}\n")
    result = run_cli("serve", "--port", "0", "--seed", str(bad))
    assert result.returncode == 2
    assert "datadog.users[0].email" in result.stderr
    missing = run_cli("serve", "--port", "0", "--seed", str(tmp_path / "nope.yml"))
    assert missing.returncode == 2 and "cannot read seed" in missing.stderr


def test_cli_refuses_non_loopback_host():
    result = run_cli("serve", "--host", "0.0.0.0", "--port", "0")
    assert result.returncode == 2
    assert "loopback" in result.stderr


def test_cli_rejects_bad_rate_limit():
    result = run_cli("serve", "--port", "0", "--datadog-rate-limit", "lots")
    assert result.returncode == 2 and "N/S" in result.stderr


def test_cli_options_are_applied():
    args = ["--datadog-rate-limit", "600/60", "--msstore-rate-limit", "50/10", "--token-lifetime", "77",
            "--latency-ms", "1", "--jitter-ms", "2", "--fault-seed", "5"]
    with SandboxProcess(seed=base_seed(), extra_args=args) as proc:
        assert proc.config() == dict({"latency_ms": 1, "jitter_ms": 2, "datadog_rate_limit": {"limit": 600, "period": 60},
                                      "msstore_rate_limit": {"limit": 50, "period": 10}, "token_lifetime": 77},
                                     **DEFAULT_ANSWERS)
        resp = dd(proc, "GET", "/api/v2/users")
        assert resp.headers["X-RateLimit-Limit"] == "600"
        assert proc.faults([{"status": 500, "rate": 0.5}])["seed"] == 5


def test_sigterm_stops_cleanly():
    proc = SandboxProcess().start()
    popen = proc.proc
    popen.terminate()
    assert popen.wait(timeout=10) == 0
    proc.stop()


def test_helper_reports_startup_failure(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"datadog": {"products": [{"code": ""}]}}')
    with pytest.raises(SandboxError) as info:
        SandboxProcess(seed=bad).start()
    assert "datadog.products[0].code" in str(info.value)


def test_tls_serving(tmp_path):
    cert_dir = tmp_path / "certs"
    with SandboxProcess(seed=base_seed(), tls=True, cert_dir=cert_dir) as proc:
        assert proc.url.startswith("https://127.0.0.1:")
        assert os.path.exists(proc.ca_cert)
        assert "CA certificate" in proc.output and proc.ca_cert in proc.output
        resp = requests.get(proc.url + "/api/v2/users", verify=proc.ca_cert, timeout=10,
                            headers={"DD-API-KEY": "full-api", "DD-APPLICATION-KEY": "full-app"})
        assert resp.status_code == 200
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(proc.url + "/_sandbox/health", timeout=10)
        assert proc.state()["datadog"]["products"]["apm_pro"]["holders"][0]["id"] == BEN
        ca_bytes = open(proc.ca_cert, "rb").read()
    # certificates in the directory are reused on the next start
    with SandboxProcess(tls=True, cert_dir=cert_dir) as proc:
        assert open(proc.ca_cert, "rb").read() == ca_bytes
        assert requests.get(proc.url + "/_sandbox/health", verify=proc.ca_cert, timeout=10).status_code == 200
