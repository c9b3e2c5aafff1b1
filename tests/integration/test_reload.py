"""Rules reloads and when passes start, through the real `dunningd serve` on
a loopback port (docs/operations.md, "Rules reload"):

- the new set is loaded and tested off the event loop: /healthz answers
  within 100 ms (95 % of the requests; none waits for the reload) while a
  reload whose rule tests take seconds runs;
- a reload of a new version on an idle server starts a pass at once (not at
  the next tick of pass_interval_seconds, an hour here);
- a pass asked for while one runs (a payment through the API) is not lost:
  it starts when the running one ends.

The rule set is a copy of tests/integration/rules-flow whose personas.lua
spends about 0.6 M Lua instructions on a customer named "SLOW" (the
sandbox allows 1 M per call), so rule tests and passes over such customers
take a known while."""
import json
import pathlib
import shutil
import threading
import time

import pytest
import requests

from test_api import AUTH, JSON, Server

REPO = pathlib.Path(__file__).resolve().parents[2]
FLOW = REPO / "tests" / "integration" / "rules-flow"

SLOW_PERSONAS = """\
-- a customer named SLOW costs about 0.6 M instructions to classify
return { classify = function(c)
  if c.name == "SLOW" then
    local n = 0
    for i = 1, 150000 do n = n + i % 7 end
  end
  return "friendly"
end }
"""


def slow_tests(count):
    """count rule tests, each deciding for a SLOW customer (day 5: email)."""
    one = ('  { name = "slow %d", now = "2026-06-06T09:00:00Z",\n'
           '    customer = { id = "T%d", name = "SLOW", language = "en", timezone = "Europe/Riga",\n'
           '                 country = "LV", email = "t@example.com",\n'
           '                 invoices = { { id = "I1", amount = 10000, due = "2026-06-01" } } },\n'
           '    expect = { action = "contact", day = 5 } },\n')
    return "return {\n" + "".join(one % (i, i) for i in range(count)) + "}\n"


def rules_copy(tmp_path, n_slow_tests=0):
    rules = tmp_path / "rules"
    shutil.copytree(FLOW, rules)
    (rules / "personas.lua").write_text(SLOW_PERSONAS)
    # at most 500 tests per file (rules.c)
    for k in range(0, n_slow_tests, 500):
        (rules / "tests" / f"slow{k // 500}.lua").write_text(slow_tests(min(500, n_slow_tests - k)))
    return rules


def metrics(server):
    text = requests.get(server.base + "/metrics", timeout=10).text
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#") and "{" not in line:
            name, value = line.split()
            values[name] = float(value)
    return values


def wait_for(predicate, seconds, what):
    """Polls predicate every 50 ms for at most `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s: {what}")


def import_ndjson(server, records):
    body = "".join(json.dumps(r) + "\n" for r in records).encode()
    r = requests.post(server.base + "/v1/import", data=body,
                      headers={**AUTH, "Content-Type": "application/x-ndjson"}, timeout=120)
    assert r.status_code == 200, r.text
    return r.json()


def portfolio(n, name="Ann Lee"):
    """n customers with one open invoice each, overdue since 2026-06-03."""
    records = []
    for i in range(n):
        records.append({"type": "customer", "external_id": f"C{i}", "name": name,
                        "language": "en", "timezone": "Europe/Riga", "country": "LV",
                        "email": f"c{i}@example.com"})
        records.append({"type": "invoice", "external_id": f"I{i}", "customer_id": f"C{i}",
                        "currency": "EUR", "amount_minor": 10000, "issued": "2026-05-01",
                        "due": "2026-06-03"})
    return records


@pytest.fixture
def server_for(tmp_path):
    servers = []

    def start(rules, **config):
        home = tmp_path / f"s{len(servers)}"
        home.mkdir()
        server = Server(home, rules=str(rules), watch_rules=False,
                        now="2026-06-08T09:00:00Z", **config)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def test_healthz_stays_fast_during_a_slow_reload(tmp_path, server_for):
    rules = rules_copy(tmp_path, n_slow_tests=4000)
    server = server_for(rules)
    result = {}

    def reload():
        t0 = time.monotonic()
        r = requests.post(server.base + "/v1/rules/reload", headers=AUTH, timeout=300)
        result["status"], result["seconds"] = r.status_code, time.monotonic() - t0

    worker = threading.Thread(target=reload)
    worker.start()
    waits = []
    deadline = time.monotonic() + 300
    while worker.is_alive() and time.monotonic() < deadline and len(waits) < 100000:
        t0 = time.monotonic()
        assert requests.get(server.base + "/healthz", timeout=10).status_code == 200
        waits.append(time.monotonic() - t0)
        time.sleep(0.01)
    worker.join(timeout=300)
    assert result.get("status") == 200
    # the reload really was slow (4000 tests of ~0.6 M instructions: a few
    # seconds, at least one whatever the build and the load), and
    # the API answered all along: before the fix the loop ran the tests, so
    # the first /healthz during the reload waited for all of it (one or two
    # requests in all); now they keep coming, fast
    assert result["seconds"] >= 1.0, result
    waits.sort()
    summary = (len(waits), waits[len(waits) // 2], waits[int(len(waits) * 0.95)], waits[-1],
               result["seconds"])
    assert len(waits) >= 20, summary
    assert waits[int(len(waits) * 0.95)] < 0.100, summary
    # single outliers: on the 2-core development machine at load 8-9 the
    # kernel's fair share between sessions (autogroup) holds a busy
    # process's loop thread back for up to 0.4 s now and then while its
    # reload thread computes (an idle server there: worst 15 ms in 400);
    # the bound is still far below the reload's own length
    assert waits[-1] < min(1.0, result["seconds"] / 4), summary


def test_reload_of_a_new_version_on_an_idle_server_starts_a_pass_at_once(tmp_path, server_for):
    rules = rules_copy(tmp_path)
    server = server_for(rules, pass_interval_seconds=3600)
    import_ndjson(server, portfolio(3))
    # the start-up pass, then the one the import asked for
    wait_for(lambda: metrics(server)["dunningd_passes_total"] >= 2
             and metrics(server)["dunningd_pass_running"] == 0, 30, "the import's pass")
    before = metrics(server)["dunningd_passes_total"]
    old = requests.get(server.base + "/v1/rules", headers=AUTH, timeout=10).json()["version"]
    with open(rules / "rules.lua", "a") as f:
        f.write("-- a new version\n")
    r = requests.post(server.base + "/v1/rules/reload", headers=AUTH, timeout=60)
    assert r.status_code == 200, r.text
    new = r.json()["version"]
    assert new != old
    # a pass at once, not in an hour, and everyone decided with the new set
    wait_for(lambda: metrics(server)["dunningd_passes_total"] >= before + 1
             and metrics(server)["dunningd_pass_running"] == 0, 10, "a pass after the reload")
    decisions = requests.get(server.base + "/v1/decisions", headers=AUTH,
                             params={"limit": 1000}, timeout=10).json()["items"]
    latest = {}
    for d in decisions:
        latest[d["customer_id"]] = d["ruleset_version"]
    assert sorted(latest.values()) == [new, new, new]


def test_a_pass_asked_for_during_a_pass_runs_after_it(tmp_path, server_for):
    rules = rules_copy(tmp_path)
    server = server_for(rules, pass_interval_seconds=3600, batch_size=20)
    import_ndjson(server, portfolio(1500, name="SLOW"))
    # the import's pass runs over 1500 slow customers for seconds
    wait_for(lambda: metrics(server)["dunningd_pass_running"] == 1, 30, "the import's pass")
    passes = metrics(server)["dunningd_passes_total"]
    r = requests.post(server.base + "/v1/payments", headers=JSON, timeout=30,
                      data=json.dumps({"external_id": "P1", "customer_id": "C0",
                                       "currency": "EUR", "amount_minor": 10000,
                                       "paid_on": "2026-06-08"}))
    assert r.status_code == 201, r.text
    time.sleep(1.5)   # the payment's pass is asked for 1 s after it, while the pass runs
    assert metrics(server)["dunningd_pass_running"] == 1, "the pass ended too soon to test"
    # when the running pass ends the asked-for one runs (without the fix the
    # next pass was the hourly tick) and decides C0: nothing owed
    wait_for(lambda: metrics(server)["dunningd_passes_total"] >= passes + 2, 120,
             "the pass asked for during the running one")
    timeline = requests.get(server.base + "/v1/customers/C0/timeline", headers=AUTH,
                            timeout=10).json()
    assert timeline["decisions"][-1]["action"] == "none"
