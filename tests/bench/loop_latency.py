#!/usr/bin/python3
"""How long the event loop is blocked by the store during a pass.

    tests/bench/loop_latency.py [CUSTOMERS]     (default 5000)

Store calls run on the engine's one thread (docs/operations.md, "The event
loop and the database"), so while a batch is being written the HTTP API
waits. This starts `dunningd serve` (one pass at start-up, clock pinned to
2026-06-08T09:00Z, tests/integration/rules-flow) on a portfolio of CUSTOMERS
customers, polls GET /healthz back to back during the pass, and reports the
latency distribution, for SQLite and for MariaDB (a private server from
scripts/mariadb-test-server.sh) with batch_size 500 and 100. Writes
tests/bench/results/loop_latency.md. Never part of the test suite.
"""
import json
import os
import pathlib
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import requests

REPO = pathlib.Path(__file__).resolve().parents[2]
DUNNINGD = os.environ.get("DUNNINGD", str(REPO / "build" / "dunningd"))
RULES = REPO / "tests" / "integration" / "rules-flow"
SERVER = REPO / "scripts" / "mariadb-test-server.sh"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def portfolio(path, n):
    with open(path, "w") as f:
        for i in range(n):
            cid = f"C{i:07d}"
            f.write(json.dumps({"type": "customer", "external_id": cid, "name": "Ann Lee",
                                "language": "en", "timezone": "Europe/Riga", "country": "LV",
                                "email": f"{cid.lower()}@example.com"}) + "\n")
            f.write(json.dumps({"type": "invoice", "external_id": "I" + cid, "customer_id": cid,
                                "currency": "EUR", "amount_minor": 10000, "issued": "2026-05-01",
                                "due": "2026-06-03", "status": "open"}) + "\n")


def measure(work, store, batch):
    port = free_port()
    log = work / f"serve-{port}.log"
    config = work / f"config-{port}.json"
    config.write_text(json.dumps({
        "listen": f"127.0.0.1:{port}", "store": store, "rules": str(RULES),
        "outbox_dir": str(work / "outbox"), "tokens": ["latency-token-01"],
        "pass_interval_seconds": 86400, "dispatch_interval_ms": 600000,
        "batch_size": batch, "now": "2026-06-08T09:00:00Z", "watch_rules": False}))
    with open(log, "w") as err:
        proc = subprocess.Popen([DUNNINGD, "serve", "--config", str(config)],
                                stdout=subprocess.DEVNULL, stderr=err)
    url = f"http://127.0.0.1:{port}/healthz"
    latencies = []
    try:
        deadline = time.monotonic() + 3600
        while "pass done" not in log.read_text() and time.monotonic() < deadline:
            t0 = time.monotonic()
            try:
                requests.get(url, timeout=60)
            except requests.RequestException:
                time.sleep(0.01)
                continue
            latencies.append((time.monotonic() - t0) * 1000)
        done = re.search(r"pass done in ([0-9.]+)s: (\d+) customers", log.read_text())
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    latencies.sort()
    q = (statistics.quantiles(latencies, n=100, method="inclusive")
         if len(latencies) > 2 else [latencies[-1] if latencies else 0] * 99)
    return {"requests": len(latencies), "p50_ms": round(q[49], 1), "p99_ms": round(q[98], 1),
            "max_ms": round(latencies[-1], 1) if latencies else None,
            "pass_seconds": float(done.group(1)) if done else None,
            "customers": int(done.group(2)) if done else None}


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    work = pathlib.Path(tempfile.mkdtemp(prefix="dunningd-latency-"))
    started = subprocess.run([str(SERVER), "start"], capture_output=True, text=True, check=True)
    env = dict(re.findall(r"export (\w+)='([^']*)'", started.stdout))
    rows = []
    try:
        portfolio(work / "p.ndjson", n)
        subprocess.run([DUNNINGD, "import", "--store", f"sqlite:{work}/base.db",
                        str(work / "p.ndjson")], check=True, capture_output=True)
        base = env["DN_TEST_MARIADB_DSN"].rsplit("/", 1)[0]
        cases = [("sqlite", 500), ("mariadb", 500), ("mariadb", 100)]
        for i, (kind, batch) in enumerate(cases):
            if kind == "sqlite":
                subprocess.run(["cp", f"{work}/base.db", f"{work}/run{i}.db"], check=True)
                store = f"sqlite:{work}/run{i}.db"
            else:
                subprocess.run(["mariadb", "--no-defaults", f"--socket={env['DN_MARIADB_DIR']}/sock",
                                "-uroot", "-e", f"CREATE DATABASE lat{i}"], check=True)
                store = f"{base}/lat{i}"
                subprocess.run([DUNNINGD, "migrate-store", f"sqlite:{work}/base.db", store],
                               check=True, capture_output=True)
            r = measure(work, store, batch)
            r.update(store=kind, batch_size=batch)
            print(r, flush=True)
            rows.append(r)
    finally:
        subprocess.run([str(SERVER), "stop", env["DN_MARIADB_DIR"]])
        subprocess.run(["rm", "-rf", str(work)])
    load = open("/proc/loadavg").read().split()[:3]
    out = REPO / "tests" / "bench" / "results" / "loop_latency.md"
    with open(out, "w") as f:
        f.write("# API latency during a pass (the event loop and the store)\n\n")
        f.write(f"{n} customers, GET /healthz back to back while `dunningd serve` runs its "
                f"start-up pass; {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}, "
                f"{os.cpu_count()} cores, load at the end {' '.join(load)}. "
                "Written by `tests/bench/loop_latency.py`.\n\n")
        f.write("| store | batch_size | pass (s) | requests | p50 (ms) | p99 (ms) | max (ms) |\n")
        f.write("| --- | --- | --- | --- | --- | --- | --- |\n")
        for r in rows:
            f.write(f"| {r['store']} | {r['batch_size']} | {r['pass_seconds']} | {r['requests']} "
                    f"| {r['p50_ms']} | {r['p99_ms']} | {r['max_ms']} |\n")
    print(out.read_text())


if __name__ == "__main__":
    main()
