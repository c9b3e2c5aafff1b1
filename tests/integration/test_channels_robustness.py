"""Robustness of the asynchronous dispatch against real loopback peers:

- a provider that hangs (accepts connections, never answers) with 1 000
  sends in flight does not slow the loop: /healthz answers within 100 ms
  and another channel keeps delivering;
- SIGKILL of dunningd in the middle of 1 000 sends, then a restart: no
  sink receives a contact twice except with the same idempotency key, and
  every planned contact ends accounted for (sent, or in_doubt with its
  reason when the provider cannot deduplicate).

Run: /usr/bin/python3 -m pytest tests/integration/test_channels_robustness.py"""
import collections
import json
import time

import pytest
import requests

from peers import Dunningd, HangingSink, HttpSink, records, wait_until

N = 1000


def customers(n, prefix="H", due="2026-06-05", email=""):
    # due 2026-06-05, today 2026-06-02: the day -3 SMS of the ladder
    return records([(f"{prefix}{i:04d}", "en", f"+3712{i:07d}", email, 4500, due)
                    for i in range(n)])


def metric(d, name, label):
    text = requests.get(d.base + "/metrics", timeout=10).text
    for line in text.splitlines():
        if line.startswith(f'{name}{{instance="{label}"}} '):
            return int(float(line.split()[-1]))
    return None


def test_hanging_provider_does_not_block_the_loop(tmp_path):
    hang = HangingSink()
    d = Dunningd(tmp_path, {
        "sms": {"driver": "http_sms", "url": hang.url, "concurrency": N,
                "timeout_ms": 120000, "connect_timeout_ms": 60000},
        "email": {"driver": "file", "dir": str(tmp_path / "mail-out")}})
    d.load(customers(N) + customers(20, prefix="M", due="2026-05-28", email="m@example.com"))
    d.start()
    try:
        wait_until(lambda: metric(d, "dunningd_channel_in_flight", "sms") == N, 120,
                   f"{N} SMS sends in flight to the hanging provider", step=0.2)
        wait_until(lambda: hang.accepted >= N, 30, "the hanging sink to accept every "
                   "connection", step=0.1)
        # the loop is free: each of 30 health checks answers within 100 ms.
        # The machine is shared (2 cores, other builds): a check that is late
        # is asked again up to twice and the fastest answer counts — a loop
        # blocked by the hanging sends would be late every time.
        slowest = 0.0
        for _ in range(30):
            best = None
            for _attempt in range(3):
                t0 = time.monotonic()
                r = requests.get(d.base + "/healthz", timeout=5)
                took = time.monotonic() - t0
                assert r.status_code == 200
                best = took if best is None else min(best, took)
                if best < 0.100:
                    break
            slowest = max(slowest, best)
            time.sleep(0.02)
        assert slowest < 0.100, f"slowest /healthz took {slowest * 1000:.1f} ms"
        # the other channel was not held up behind the hanging one
        emails = d.query("SELECT state, COUNT(*) FROM contacts WHERE channel = 'email' "
                         "GROUP BY state")
        assert emails == [("sent", 20)], emails
        assert d.query("SELECT COUNT(*) FROM contacts WHERE channel = 'sms' AND "
                       "state = 'sending'") == [(N,)]
    finally:
        d.stop()          # a clean stop with 1 000 transfers open (and no leak under ASan)
        hang.stop()


@pytest.mark.parametrize("deduplicating", [True, False], ids=["idempotency-key", "no-key"])
def test_sigkill_mid_batch_then_restart(tmp_path, deduplicating):
    sink = HttpSink(delay=0.05)
    sms = {"driver": "http_sms", "url": sink.url, "concurrency": 100, "timeout_ms": 30000}
    if deduplicating:
        sms["idempotency_header"] = "Idempotency-Key"
    d = Dunningd(tmp_path, {"sms": sms}, lease_seconds=1)
    d.load(customers(N))
    planned_keys = None
    d.start()
    try:
        wait_until(lambda: len(sink.requests) >= 200, 120, "200 sends to reach the sink")
        d.kill()
        planned_keys = {k for (k,) in d.query("SELECT idem_key FROM contacts")}
        assert len(planned_keys) == N
        at_kill = d.states()
        time.sleep(1.5)   # past the 1 s lease: the dead engine's claims have expired
        d.start()
        wait_until(lambda: set(d.states()) <= {"sent", "in_doubt"}, 120,
                   "every contact to be sent or in doubt", step=0.2)
    finally:
        d.stop()
        sink.stop()

    by_key = collections.defaultdict(list)
    for r in sink.requests:
        body = json.loads(r["body"])
        by_key[body["reference"]].append(r["headers"].get("Idempotency-Key"))
    states = d.states()
    # none lost: every planned contact reached the sink or is explained
    explained = dict(d.query("SELECT idem_key, state_reason FROM contacts WHERE "
                             "state = 'in_doubt'"))
    assert set(by_key) | set(explained) == planned_keys
    assert all("stopped" in reason for reason in explained.values()), explained
    if deduplicating:
        assert states == {"sent": N}, states
        # sent twice only with the same key, which the provider deduplicates
        for key, headers in by_key.items():
            assert set(headers) == {key}, (key, headers)
        assert sum(len(h) for h in by_key.values()) >= N
    else:
        # never sent twice; what was in flight at the kill is in doubt
        assert all(len(h) == 1 for h in by_key.values())
        assert states.get("sent", 0) + states.get("in_doubt", 0) == N
        assert states.get("in_doubt", 0) == at_kill.get("sending", 0), (states, at_kill)
    # the events say what happened to every contact in doubt or re-sent
    kinds = dict(d.query("SELECT kind, COUNT(*) FROM events WHERE kind IN "
                         "('contact_in_doubt', 'contact_requeued') GROUP BY kind"))
    if deduplicating:
        assert kinds.get("contact_requeued", 0) == at_kill.get("sending", 0)
    else:
        assert kinds.get("contact_in_doubt", 0) == at_kill.get("sending", 0)


@pytest.mark.parametrize("status, attempts, state, reason", [
    (503, 1, "failed", "gave up after 1 attempt(s) on sms: HTTP 503"),
    (400, 5, "failed", "refused by sms: HTTP 400"),
    (503, 3, "planned", "attempt 1 on sms failed, retry in 60s: HTTP 503"),
])
def test_failures_follow_the_retry_policy(tmp_path, status, attempts, state, reason):
    sink = HttpSink(status=status)
    d = Dunningd(tmp_path, {"sms": {"driver": "http_sms", "url": sink.url,
                                    "retry": {"max_attempts": attempts, "backoff_seconds": 60}}})
    d.load(customers(1))
    d.start()
    try:
        wait_until(lambda: d.query("SELECT attempts FROM contacts") == [(1,)] and
                   d.states().get(state) == 1, 30, f"the contact to be {state}")
        [(got_reason, scheduled)] = d.query("SELECT state_reason, scheduled_at FROM contacts")
        assert got_reason.startswith(reason), got_reason
        if state == "planned":
            # the engine's clock (started at 2026-06-02T09:00:00Z) + 60 s
            earliest, latest = d.clock()
            assert earliest + 60 <= scheduled <= latest + 60, (scheduled, earliest, latest)
    finally:
        d.stop()
        sink.stop()
    assert len(sink.requests) == 1


def test_rate_limit_spaces_the_sends(tmp_path):
    sink = HttpSink()
    d = Dunningd(tmp_path, {"sms": {"driver": "http_sms", "url": sink.url,
                                    "rate_per_second": 20, "concurrency": 100}})
    d.load(customers(40))
    stamps = []
    original = sink.server.RequestHandlerClass.do_POST

    def stamped(handler):
        stamps.append(time.monotonic())
        original(handler)
    sink.server.RequestHandlerClass.do_POST = stamped
    d.start()
    try:
        wait_until(lambda: d.states().get("sent") == 40, 60, "40 sends")
    finally:
        d.stop()
        sink.stop()
    # a bucket of 20 tokens refilled at 20/s: the first 20 at once, the
    # other 20 over the next second, so the last comes ≥ 0.9 s after the first
    stamps.sort()
    assert stamps[-1] - stamps[0] >= 0.9, stamps[-1] - stamps[0]


def test_failover_to_the_second_gateway(tmp_path):
    import socket
    with socket.socket() as s:        # a port with nothing listening: refused at once
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    sink = HttpSink()
    d = Dunningd(tmp_path, {"sms": [
        {"driver": "http_sms", "instance": "a", "url": f"http://127.0.0.1:{dead}/send",
         "concurrency": 1, "failover_after": 3},
        {"driver": "http_sms", "instance": "b", "url": sink.url, "concurrency": 1}]})
    d.load(customers(20))
    d.start()
    try:
        wait_until(lambda: d.states() == {"sent": 17, "planned": 3}, 60,
                   "gateway b to take over after 3 refusals by a")
        via = dict(d.query("SELECT COALESCE(instance, ''), COUNT(*) FROM contacts "
                           "GROUP BY 1"))
        reasons = [r for (r,) in d.query("SELECT state_reason FROM contacts WHERE "
                                         "state = 'planned'")]
    finally:
        d.stop()
        sink.stop()
    assert via == {"sms/b": 17, "": 3}, via
    assert all(r.startswith("attempt 1 on sms/a failed, retry in 60s") for r in reasons), reasons
    assert len(sink.requests) == 17


def test_retries_come_due_on_a_pinned_clock(tmp_path):
    """With `now` in the config (2026-06-02T09:00:00Z) the engine's clock
    starts there and runs: a transient failure (503) is retried after the
    backoff (2 s), on that clock, and the second attempt goes out."""
    sink = HttpSink(statuses=[503])
    d = Dunningd(tmp_path, {"sms": {"driver": "http_sms", "url": sink.url,
                                    "retry": {"max_attempts": 3, "backoff_seconds": 2}}})
    d.load(customers(1))
    d.start()
    try:
        wait_until(lambda: d.states() == {"sent": 1}, 30, "the retry to go out")
        [(attempts, sent_at)] = d.query("SELECT attempts, sent_at FROM contacts")
        [(scheduled,)] = d.query("SELECT json_extract(payload, '$.scheduled_at') FROM events "
                                 "WHERE kind = 'contact_rescheduled'")
        earliest, latest = d.clock()
    finally:
        d.stop()
        sink.stop()
    assert attempts == 2 and len(sink.requests) == 2
    # the retry was due 2 s after the failure, on the engine's clock ...
    assert earliest + 2 <= scheduled <= latest + 2 and scheduled <= sent_at <= latest
    # ... which runs at wall speed: the sink saw the backoff too (2 s on a
    # clock of whole seconds is more than 1 s)
    assert sink.requests[1]["at"] - sink.requests[0]["at"] >= 1.0


def test_an_unknown_outcome_is_never_failed(tmp_path):
    """A provider that deduplicates by idempotency key and never answers:
    the contact is sent again with the same key while attempts are left,
    and after the last one it is in doubt (it may have arrived), not
    failed."""
    hang = HangingSink()
    d = Dunningd(tmp_path, {"sms": {"driver": "http_sms", "url": hang.url,
                                    "idempotency_header": "Idempotency-Key",
                                    "timeout_ms": 500, "failover_after": 0,
                                    "retry": {"max_attempts": 2, "backoff_seconds": 1}}})
    d.load(customers(1))
    d.start()
    try:
        wait_until(lambda: d.states() == {"in_doubt": 1}, 30, "the contact in doubt")
        [(attempts, reason)] = d.query("SELECT attempts, state_reason FROM contacts")
    finally:
        d.stop()
        hang.stop()
    assert attempts == 2 and hang.accepted == 2
    assert reason.startswith("outcome unknown (sms) after 2 attempt(s)"), reason
