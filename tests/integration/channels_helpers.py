"""Shared by the channel integration tests: a real `dunningd serve` on a
free loopback port with a store (a temporary SQLite file, or the db given:
conftest.SqliteStore or MariaStore), the channel test rules and extra
config keys; stopped (and checked for a clean exit) by the test."""
import json
import os
import pathlib
import subprocess
import time

import requests

from conftest import SqliteStore, free_port

REPO = pathlib.Path(__file__).resolve().parents[2]
RULES = REPO / "tests" / "integration" / "rules-channels2"
TOKEN = "test-token-channels-1"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = {**AUTH, "Content-Type": "application/json"}


class Server:
    def __init__(self, tmp, now="2026-06-02T09:00:00Z", db=None, **extra):
        self.tmp = pathlib.Path(tmp)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.store = db or SqliteStore(self.tmp / "store.db")
        self.outbox = self.tmp / "outbox"
        config = {
            "listen": f"127.0.0.1:{self.port}",
            "store": self.store.dsn,
            "schema_dir": str(REPO / "schema"),
            "rules": str(RULES),
            "tokens": [TOKEN],
            "outbox_dir": str(self.outbox),
            "pass_interval_seconds": 3600,
            "dispatch_interval_ms": 100,
            "watch_rules": False,
            "now": now,
        }
        config.update(extra)
        self.config = self.tmp / "config.json"
        self.config.write_text(json.dumps(config))
        self.start()

    def start(self):
        binary = os.environ.get("DUNNINGD", str(REPO / "build" / "dunningd"))
        self.log = open(self.tmp / "server.log", "a")
        self.proc = subprocess.Popen([binary, "serve", "--config", str(self.config)],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"dunningd serve exited {self.proc.returncode}:\n"
                                     + (self.tmp / "server.log").read_text())
            try:
                if requests.get(self.base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "dunningd serve did not answer within 30 s"
            time.sleep(0.1)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        assert self.proc.returncode == 0, (self.tmp / "server.log").read_text()

    def get(self, path, **kw):
        return requests.get(self.base + path, headers=AUTH, timeout=30, **kw)

    def post(self, path, body=None):
        if body is None:
            return requests.post(self.base + path, headers=AUTH, timeout=30)
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return requests.post(self.base + path, data=data, headers=JSON, timeout=30)

    def put(self, path, body):
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return requests.put(self.base + path, data=data, headers=JSON, timeout=30)

    def query(self, sql, *params):
        return self.store.query(sql, *params)

    def wait_for(self, what, check, timeout=20):
        """Polls check() until it returns a true value (bounded in time)."""
        deadline = time.monotonic() + timeout
        while True:
            value = check()
            if value:
                return value
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.1)


def customer(cid, name="Anna Ozola", **extra):
    rec = {"external_id": cid, "name": name, "language": "lv", "timezone": "Europe/Riga",
           "country": "LV", "phone": "+3712000000" + cid[-1]}
    rec.update(extra)
    return rec


def invoice(iid, cid, amount, due="2026-06-01"):
    return {"external_id": iid, "customer_id": cid, "currency": "EUR", "amount_minor": amount,
            "issued": "2026-05-01", "due": due, "status": "open"}


class HttpSink:
    """A loopback HTTP peer (Python's http.server in a thread) that records
    every POST (path, headers, body) and answers with respond(path, body) →
    (status, JSON-able object). Started and stopped by the test."""

    def __init__(self, respond, delay=0.0):
        import http.server
        import threading
        sink = self
        self.respond = respond
        self.delay = delay             # seconds before answering (a slow peer)
        self.received = []
        self.lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with sink.lock:
                    sink.received.append((self.path, dict(self.headers), body))
                    status, reply = sink.respond(self.path, body)
                if sink.delay:
                    time.sleep(sink.delay)
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def requests(self):
        with self.lock:
            return list(self.received)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)
