"""CRM webhooks through the real server to a real loopback HTTP sink
(Python's http.server in a thread of this test). The sink is down for 30 s (nothing
listening), then answers 500, then 200: afterwards every event with a
customer has been delivered, first arrivals are in event order per
customer, nothing is lost, and every signature verifies with Python's own
hmac (HMAC-SHA256 over "<t>.<body>"). Dead letters after max_attempts are
listed and replayed through the API. Each test runs on SQLite and, with the
private test server, on MariaDB.

Run: /usr/bin/python3 -m pytest tests/integration/test_webhooks.py"""
import hashlib
import hmac
import http.server
import json
import threading
import time

import pytest

from channels_helpers import Server, customer, free_port, invoice

SECRET = "whsec-test-0123456789"


class Sink:
    """A loopback HTTP server that records what it receives; mode "ok"
    answers 200, "fail" answers 500. start()/stop() bound in time."""

    def __init__(self, port):
        self.port = port
        self.mode = "ok"
        self.received = []          # (headers dict, body bytes)
        self.lock = threading.Lock()
        self.httpd = None

    def start(self):
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with sink.lock:
                    mode = sink.mode
                    if mode == "ok":
                        sink.received.append((dict(self.headers), body))
                self.send_response(200 if mode == "ok" else 500)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.thread.join(timeout=10)
            self.httpd = None


def verify(headers, body):
    """Checks X-Dunning-Signature independently; returns the parsed body."""
    parts = dict(p.split("=", 1) for p in headers["X-Dunning-Signature"].split(","))
    expected = hmac.new(SECRET.encode(), parts["t"].encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected), headers
    assert abs(int(parts["t"]) - time.time()) < 120
    event = json.loads(body)
    assert headers["X-Dunning-Event-Id"] == str(event["id"])
    return event


def webhook_config(port, **extra):
    cfg = {"endpoints": [{"name": "crm", "url": f"http://127.0.0.1:{port}/hook",
                          "secret": SECRET}],
           "backoff_initial_ms": 100, "backoff_max_ms": 800, "max_attempts": 60,
           "poll_ms": 50, "timeout_ms": 2000}
    cfg.update(extra)
    return cfg


def make_activity(server, cids, round_no):
    for cid in cids:
        if round_no == 0:
            assert server.post("/v1/customers", customer(cid, chat="h" + cid)).status_code == 201
            assert server.post("/v1/invoices",
                               invoice("I" + cid, cid, 5000, due="2026-06-20")).status_code == 201
        r = server.post("/v1/replies", {"channel": "chat", "from": "h" + cid,
                                        "text": f"question {round_no}"})
        assert r.status_code == 201, r.text


def test_sink_down_then_up_every_event_delivered_in_order(tmp_path, store_db):
    port = free_port()
    sink = Sink(port)
    server = Server(tmp_path, db=store_db, webhooks=webhook_config(port))
    try:
        cids = ["W1", "W2", "W3", "W4"]
        down_since = time.monotonic()
        make_activity(server, cids, 0)          # sink down: connection refused
        time.sleep(1.5)
        make_activity(server, cids, 1)
        # the outage: the CRM down for 30 s (≈ 40 tries each with the
        # 0.8 s backoff cap, under max_attempts 60: nothing goes dead)
        time.sleep(max(0.0, 30.0 - (time.monotonic() - down_since)))
        sink.mode = "fail"
        sink.start()                            # up, but answering 500
        make_activity(server, cids, 2)
        time.sleep(1.5)
        sink.mode = "ok"                        # healthy again
        make_activity(server, cids, 3)

        expected = {row[0]: row[1] for row in server.query(
            "SELECT e.id, c.external_id FROM events e JOIN customers c ON c.id = e.customer_id")}
        assert len(expected) >= 4 * 4

        def all_delivered():
            with sink.lock:
                ids = {json.loads(b)["id"] for _, b in sink.received}
            return ids >= set(expected)
        server.wait_for("every event at the sink", all_delivered, timeout=40)

        with sink.lock:
            received = list(sink.received)
        first_seen = []
        seen = set()
        for headers, body in received:
            event = verify(headers, body)
            assert event["customer_id"] == expected.get(event["id"], event["customer_id"])
            if event["id"] not in seen:
                seen.add(event["id"])
                first_seen.append(event)
        for cid in cids:
            order = [e["id"] for e in first_seen if e["customer_id"] == cid]
            assert order == sorted(order), (cid, order)
            assert set(order) == {i for i, c in expected.items() if c == cid}
        # the failures were retried, and the API shows them delivered
        attempts = server.query("SELECT MAX(attempts) FROM webhook_deliveries")[0][0]
        assert attempts >= 2
        r = server.get("/v1/webhooks/deliveries", params={"state": "delivered", "limit": 1000})
        assert r.status_code == 200
        assert {d["event_id"] for d in r.json()["items"]} >= set(expected)
        assert server.get("/v1/webhooks/deliveries", params={"state": "dead"}).json()["items"] == []
        # a reply's payload reaches the CRM as sent
        replies = [e for e in first_seen if e["type"] == "reply"]
        assert {e["data"]["text"] for e in replies} >= {"question 0", "question 3"}
    finally:
        server.stop()
        sink.stop()


def test_dead_letters_are_listed_and_replayed(tmp_path, store_db):
    port = free_port()
    sink = Sink(port)
    sink.mode = "fail"
    sink.start()
    server = Server(tmp_path, db=store_db, webhooks=webhook_config(port, max_attempts=2,
                                                                   backoff_initial_ms=50))
    try:
        make_activity(server, ["D1"], 0)
        events = [r[0] for r in server.query(
            "SELECT e.id FROM events e JOIN customers c ON c.id = e.customer_id ORDER BY e.id")]

        def dead():
            items = server.get("/v1/webhooks/deliveries",
                               params={"state": "dead"}).json()["items"]
            return items if {d["event_id"] for d in items} >= set(events) else None
        items = server.wait_for("dead letters", dead, timeout=20)
        for d in items:
            assert d["attempts"] == 2 and d["last_status"] == 500 and d["endpoint"] == "crm"
        # paging: one at a time, following "next"
        page = server.get("/v1/webhooks/deliveries", params={"state": "dead", "limit": 1}).json()
        assert len(page["items"]) == 1 and page["next"] == str(page["items"][0]["id"])
        assert server.get("/v1/webhooks/deliveries", params={"state": "lost"}).status_code == 422

        sink.mode = "ok"
        target = items[0]
        r = server.post(f"/v1/webhooks/deliveries/{target['id']}/replay")
        assert r.status_code == 200 and r.json()["state"] == "pending"
        assert r.json()["attempts"] == 0

        def replayed():
            with sink.lock:
                return [b for _, b in sink.received if json.loads(b)["id"] == target["event_id"]]
        replayed_bodies = server.wait_for("the replayed delivery", replayed)
        with sink.lock:
            verify(*sink.received[0])
        assert len(replayed_bodies) == 1
        delivered = server.get("/v1/webhooks/deliveries", params={"state": "delivered"}).json()
        assert [d["id"] for d in delivered["items"]] == [target["id"]]
        assert server.post("/v1/webhooks/deliveries/999999/replay").status_code == 404
        assert server.post("/v1/webhooks/deliveries/abc/replay").status_code == 404
    finally:
        server.stop()
        sink.stop()


@pytest.mark.parametrize("lease_seconds, timeout_ms, starts", [
    (2, 5000, False),     # the claim would end while its request still runs
    (6, 5000, True),
])
def test_a_delivery_claim_must_outlast_its_request(tmp_path, lease_seconds, timeout_ms, starts):
    config = webhook_config(free_port(), timeout_ms=timeout_ms)
    if not starts:
        with pytest.raises(AssertionError, match=r"webhooks\.timeout_ms \(5000\) must be shorter "
                                                 r"than lease_seconds \(2 s\)"):
            Server(tmp_path, lease_seconds=lease_seconds, webhooks=config)
        return
    server = Server(tmp_path, lease_seconds=lease_seconds, webhooks=config)
    server.stop()
