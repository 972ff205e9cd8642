"""Command line: `seatops-sandbox serve` and `seatops-sandbox generate`."""

import argparse
import importlib.resources
import ipaddress
import os
import signal
import socket
import sys
import tempfile
import threading

from . import admin, generate as gen, registry
from .faults import ConfigError, parse_rate_limit
from .seed import SeedError, load_seed_file
from .server import Sandbox, SandboxServer
from .store import Store


def demo_seed_path():
    try:
        path = importlib.resources.files("seatops_sandbox.seeds") / "demo.yml"
        if path.is_file():
            return str(path)
    except (ModuleNotFoundError, TypeError):
        pass
    # A plain source checkout without installation: the seeds folder sits next to the package.
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "seeds", "demo.yml")


def _is_loopback(host):
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror:
        return False
    return bool(infos) and all(ipaddress.ip_address(info[4][0]).is_loopback for info in infos)


def _fail(message):
    sys.stderr.write(f"seatops-sandbox: {message}\n")
    return 2


def build_parser():
    parser = argparse.ArgumentParser(prog="seatops-sandbox",
                                     description="Local emulation of the Datadog Seats and MS Store APIs.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the sandbox server")
    serve.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port (default 8080; 0 = any free port)")
    serve.add_argument("--state", help="SQLite file that keeps state across restarts (default: in memory)")
    serve.add_argument("--seed", help="seed file (JSON or YAML) to load at start")
    serve.add_argument("--demo", action="store_true", help="load the bundled demo seed")
    serve.add_argument("--reseed", action="store_true",
                       help="replace existing --state data with --seed/--demo (default: keep it)")
    serve.add_argument("--latency-ms", type=float, default=0, help="added to every API response")
    serve.add_argument("--jitter-ms", type=float, default=0, help="random extra latency, 0..N ms")
    for rate in registry.RATE_LIMITS:
        serve.add_argument(f"--{rate.name}-rate-limit", metavar="N/S", help=rate.help)
    serve.add_argument("--token-lifetime", type=int, help="access token lifetime in seconds (default 3600)")
    serve.add_argument("--fault-seed", type=int, help="seed for rate-based faults and jitter")
    serve.add_argument("--port-file", help="write the bound port to this file once listening")
    serve.add_argument("--tls", action="store_true", help="serve HTTPS with a generated certificate")
    serve.add_argument("--cert-dir", help="where the TLS CA/certificate/key live or are created")
    serve.add_argument("--quiet", action="store_true", help="do not log requests")

    generate = sub.add_parser("generate", help="write a large deterministic seed file")
    generate.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    generate.add_argument("--dd-users", type=int, default=1000)
    generate.add_argument("--dd-products", type=int, default=3)
    generate.add_argument("--dd-holders", type=int, default=100, help="seat holders per Datadog product")
    generate.add_argument("--dd-committed", type=int,
                          help="committed seats per Datadog product (default none; more holders are on demand)")
    generate.add_argument("--ms-users", type=int, default=500)
    generate.add_argument("--ms-products", type=int, default=2)
    generate.add_argument("--ms-seats", type=int, default=100, help="seats per Store product")
    generate.add_argument("--ms-capacity", type=int, help="seat capacity per Store product (default 2 x seats)")
    generate.add_argument("--gh-members", type=int, default=0, help="members of a generated GitHub org (0: no org)")
    generate.add_argument("--gh-seats", type=int, default=0, help="Copilot seats in that org")
    generate.add_argument("-o", "--output", required=True, help="output file (.json, or .yml for YAML)")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.command == "generate":
        return run_generate(args)
    return run_serve(args)


def run_generate(args):
    for name in ("dd_users", "dd_products", "dd_holders", "ms_users", "ms_products", "ms_seats", "dd_committed",
                 "gh_members", "gh_seats"):
        if (getattr(args, name) or 0) < 0:
            return _fail(f"--{name.replace('_', '-')} must be >= 0")
    data = gen.generate(args.seed, args.dd_users, args.dd_products, args.dd_holders, args.ms_users,
                        args.ms_products, args.ms_seats, args.ms_capacity, args.dd_committed, args.gh_members, args.gh_seats)
    gen.write(data, args.output)
    creds = gen.CREDENTIALS
    print(f"wrote {args.output}: {args.dd_users} Datadog users, {args.dd_products} products; "
          f"{args.ms_users} Store users, {args.ms_products} products")
    print(f"Datadog keys: api_key={creds['datadog']['api_key']} app_key={creds['datadog']['app_key']} "
          f"(read-only: {creds['datadog']['read_only_api_key']}/{creds['datadog']['read_only_app_key']})")
    print(f"Store: tenant={creds['msstore']['tenant']} client_id={creds['msstore']['client_id']} "
          f"client_secret={creds['msstore']['client_secret']}")
    if args.gh_members:
        print(f"GitHub: org={gen.GH_ORG} token={gen.GH_TOKEN} ({args.gh_seats} Copilot seats)")
    return 0


def run_serve(args):
    if not _is_loopback(args.host):
        return _fail(f"refusing to bind {args.host}: the sandbox only listens on loopback addresses")
    if args.seed and args.demo:
        return _fail("give either --seed or --demo, not both")
    config = {"latency_ms": args.latency_ms, "jitter_ms": args.jitter_ms}
    try:
        for rate in registry.RATE_LIMITS:
            config[rate.key] = parse_rate_limit(getattr(args, rate.key), f"--{rate.name}-rate-limit")
        config = admin.validate_config(config)
    except ConfigError as exc:
        return _fail(str(exc))
    if args.token_lifetime is not None and args.token_lifetime < 1:
        return _fail("--token-lifetime must be a positive number of seconds")

    seed_path = demo_seed_path() if args.demo else args.seed
    seed_data = None
    if seed_path:
        try:
            seed_data = load_seed_file(seed_path)
        except OSError as exc:
            return _fail(f"cannot read seed {seed_path}: {exc.strerror}")
        except SeedError as exc:
            return _fail(f"invalid seed {seed_path}: {exc}")

    try:
        store = Store(args.state)
    except Exception as exc:  # sqlite3 raises several kinds for unusable files
        return _fail(f"cannot open state file {args.state}: {exc}")
    app = Sandbox(store, fault_seed=args.fault_seed, quiet=args.quiet)
    if seed_data is not None:
        if args.state and store.has_data() and not args.reseed:
            sys.stderr.write(f"seatops-sandbox: {args.state} already holds data; keeping it "
                             "(pass --reseed to replace it with the seed)\n")
        else:
            try:
                admin.apply_seed(app, seed_data)
            except SeedError as exc:
                return _fail(f"invalid seed {seed_path}: {exc}")
    app.update_config(config)
    if args.token_lifetime is not None:
        app.update_config({"token_lifetime": args.token_lifetime})

    ssl_context, ca_file = None, None
    if args.tls:
        from . import tls
        cert_dir = args.cert_dir or tempfile.mkdtemp(prefix="seatops-sandbox-tls-")
        ca_file, cert_file, key_file = tls.ensure_certificates(cert_dir)
        ssl_context = tls.server_context(cert_file, key_file)

    try:
        server = SandboxServer(app, args.host, args.port, ssl_context)
    except OSError as exc:
        return _fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")

    def stop(signum, frame):
        # shutdown() waits for serve_forever() to return, so it must run off this thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    host = args.host if ":" not in args.host else f"[{args.host}]"
    url = f"{server.scheme}://{host}:{server.port}"
    state = args.state or "in memory"
    print(f"seatops sandbox listening on {url} (state: {state})", flush=True)
    if ca_file:
        print(f"TLS CA certificate (use as CA bundle): {ca_file}", flush=True)
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(str(server.port))
        os.replace(tmp, args.port_file)   # readers never see a half-written port
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        store.close()
        sys.stderr.write("seatops-sandbox: stopped\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
