"""Several dunningd instances on one MariaDB database (issue 5).

Needs DN_TEST_MARIADB_DSN (scripts/run-tests.sh starts a private server with
scripts/mariadb-test-server.sh and exports it); skipped without it. Each test
works in a database of its own, created and dropped here; the outage test
starts a server of its own so killing it disturbs nothing else.

Size: the issue asks for 100 000 customers. On this project's machine (2
cores shared with other builds) MariaDB imports ~1 500 records/s and plans
~600 customers/s with three instances, so 100 000 customers would take about
five minutes of the test command; the tests use INSTANCE_CUSTOMERS (default
3 000, override with DN_TEST_INSTANCE_CUSTOMERS) and tests/bench/mariadb.sh
runs the full sizes.

The rule set is tests/integration/rules-flow: day 5 after the due date is an
e-mail step. Time is pinned (DAY5), so a lease taken by a killed instance
(lease_seconds = 300) ends only for a pass at DAY5 + 301 s, which the tests
run to show that such customers are picked up, never lost. Contacts left in
"sending" carry the wall clock (the lease clock of dispatch recovery, as on
SQLite), so that pass runs with lease_seconds = 1 (recovery_pass_args), a
second or more after the engines stopped.
"""
import calendar
import json
import os
import pathlib
import re
import signal
import subprocess
import time
import uuid

import pytest
import requests

from conftest import REPO, dunningd_path, free_port

RULES = REPO / "tests" / "integration" / "rules-flow"
DUE = "2026-06-03"
DAY5 = "2026-06-08T09:00:00Z"
AFTER_LEASE = "2026-06-08T09:05:01Z"      # DAY5 + 301 s: every lease of DAY5 has ended
INSTANCE_CUSTOMERS = int(os.environ.get("DN_TEST_INSTANCE_CUSTOMERS", "3000"))
SERVER_SCRIPT = REPO / "scripts" / "mariadb-test-server.sh"

pytestmark = pytest.mark.skipif(not os.environ.get("DN_TEST_MARIADB_DSN"),
                                reason="DN_TEST_MARIADB_DSN is not set (no MariaDB test server)")

DSN_RE = re.compile(r"^mariadb://([^:@/]*)(?::([^@/]*))?@([^:/]+):(\d+)/(\w+)$")


class Database:
    """One fresh database on a test server, queried with the mariadb client."""

    def __init__(self, base_dsn):
        m = DSN_RE.match(base_dsn)
        assert m, f"unexpected test DSN {base_dsn}"
        self.user, self.password, self.host, self.port, _ = m.groups()
        self.name = "dn_it_" + uuid.uuid4().hex[:12]
        self.dsn = base_dsn.rsplit("/", 1)[0] + "/" + self.name
        self.sql(f"CREATE DATABASE {self.name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
                 database=None)

    def sql(self, statement, database="", timeout=60):
        """Rows of one statement as lists of strings (tab-separated output)."""
        args = ["mariadb", "--no-defaults", "-h", self.host, "-P", self.port, "-u", self.user,
                "--default-character-set=utf8mb4", "--batch", "--skip-column-names", "-e", statement]
        if database is not None:
            args.append(database or self.name)
        env = dict(os.environ, MYSQL_PWD=self.password or "")
        proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env)
        assert proc.returncode == 0, proc.stderr
        return [line.split("\t") for line in proc.stdout.splitlines()]

    def value(self, statement):
        (row,) = self.sql(statement)
        return row[0]

    def drop(self):
        self.sql(f"DROP DATABASE IF EXISTS {self.name}", database=None)


def portfolio(path, n):
    """n customers, each owing one invoice due on DUE; ids C000000.."""
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            cid = f"C{i:06d}"
            f.write(json.dumps({"type": "customer", "external_id": cid, "name": "Ann Lee",
                                "language": "en", "timezone": "Europe/Riga", "country": "LV",
                                "email": f"{cid.lower()}@example.com",
                                "phone": "+37120000001"}) + "\n")
            f.write(json.dumps({"type": "invoice", "external_id": "I" + cid, "customer_id": cid,
                                "currency": "EUR", "amount_minor": 10000,
                                "issued": "2026-05-01", "due": DUE, "status": "open"}) + "\n")


def run(*args, timeout=300):
    proc = subprocess.run([dunningd_path(), *args], capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, f"dunningd {args[0]} exited {proc.returncode}:\n{proc.stderr}"
    return proc


def pass_args(dsn, at, outbox):
    return ["pass", "--store", dsn, "--rules", str(RULES), "--at", at, "--dispatch",
            "--outbox", str(outbox)]


def recovery_pass_args(dsn, outbox):
    """A pass at AFTER_LEASE whose dispatch recovery settles every contact a
    stopped engine left in "sending" more than a second ago (wall clock)."""
    config = outbox.parent / "recovery.json"
    config.write_text(json.dumps({"lease_seconds": 1}))
    time.sleep(1.5)
    return ["pass", "--config", str(config)] + pass_args(dsn, AFTER_LEASE, outbox)[1:]


def outbox_contact_ids(outbox):
    """Contact ids of the files in the file sink ("<id>-<channel>-<key>.txt")."""
    if not outbox.exists():
        return []
    return [int(p.name.split("-", 1)[0]) for p in outbox.iterdir() if p.suffix == ".txt"]


def assert_every_step_once(db, outbox, n):
    """Every customer: one day-5 contact, one contact decision, no lease left,
    evaluated past DAY5; every contact sent exactly once to the sink, or held
    in doubt (its file may or may not exist), never sent twice."""
    assert db.value("SELECT COUNT(*) FROM customers") == str(n)
    assert db.sql("SELECT customer_id, step_day, COUNT(*) FROM contacts "
                  "GROUP BY customer_id, step_day HAVING COUNT(*) > 1") == []
    assert db.value("SELECT COUNT(DISTINCT customer_id) FROM contacts WHERE step_day = 5") == str(n)
    assert db.value("SELECT COUNT(*) FROM contacts") == str(n)
    assert db.sql("SELECT customer_id, COUNT(*) FROM decisions WHERE action = 'contact' "
                  "GROUP BY customer_id HAVING COUNT(*) > 1") == []
    assert db.value("SELECT COUNT(*) FROM decisions WHERE action = 'contact'") == str(n)
    assert db.value("SELECT COUNT(*) FROM customers WHERE lease_until IS NOT NULL") == "0"
    # after the step the next look is later than DAY5
    day5 = calendar.timegm(time.strptime(DAY5, "%Y-%m-%dT%H:%M:%SZ"))
    assert db.value(f"SELECT COUNT(*) FROM customers WHERE next_evaluation_at <= {day5}") == "0"
    states = dict((s, int(c)) for s, c in db.sql("SELECT state, COUNT(*) FROM contacts GROUP BY state"))
    assert set(states) <= {"sent", "in_doubt"}, states
    files = outbox_contact_ids(outbox)
    assert len(files) == len(set(files)), "a contact reached the sink twice"
    sent = {int(r[0]) for r in db.sql("SELECT id FROM contacts WHERE state = 'sent'")}
    in_doubt = {int(r[0]) for r in db.sql("SELECT id FROM contacts WHERE state = 'in_doubt'")}
    assert sent <= set(files), "a contact recorded as sent has no message"
    assert set(files) <= sent | in_doubt, "a message for a contact that is neither sent nor in doubt"
    return states


@pytest.fixture
def maria_db():
    db = Database(os.environ["DN_TEST_MARIADB_DSN"])
    yield db
    db.drop()


def wait_for(predicate, seconds, step=0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def test_three_instances_one_killed_mid_pass(maria_db, tmp_path):
    n = INSTANCE_CUSTOMERS
    data = tmp_path / "portfolio.ndjson"
    portfolio(data, n)
    run("import", "--store", maria_db.dsn, str(data))
    outbox = tmp_path / "outbox"
    args = pass_args(maria_db.dsn, DAY5, outbox)
    procs = [subprocess.Popen([dunningd_path(), *args], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    try:
        # kill an instance once a fifth of the customers is decided
        assert wait_for(lambda: int(maria_db.value("SELECT COUNT(*) FROM decisions")) >= n // 5,
                        120), "the pass made no progress"
        running = [i for i, p in enumerate(procs) if p.poll() is None]
        assert running, "every instance ended before one could be killed"
        victim = running[0]
        procs[victim].send_signal(signal.SIGKILL)
        procs[victim].wait(timeout=10)
        assert procs[victim].returncode == -signal.SIGKILL
        # ... and restart it
        procs[victim] = subprocess.Popen([dunningd_path(), *args], stdout=subprocess.DEVNULL,
                                         stderr=subprocess.PIPE, text=True)
        for p in procs:
            _, err = p.communicate(timeout=300)
            assert p.returncode == 0, err
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    # customers the killed instance had claimed stay leased until DAY5 + 300 s
    leased = int(maria_db.value("SELECT COUNT(*) FROM customers WHERE lease_until IS NOT NULL"))
    assert leased <= 500, leased           # at most the one batch it had in hand
    run(*recovery_pass_args(maria_db.dsn, outbox))
    assert_every_step_once(maria_db, outbox, n)



def test_three_dispatchers_one_killed_mid_dispatch(maria_db, tmp_path):
    """Everything planned first (no dispatch); then three instances dispatch
    the same outbox and one is killed while sending. A contact it had taken
    is never sent again by another instance: after its lease it is marked
    in_doubt; every other contact is sent exactly once."""
    n = INSTANCE_CUSTOMERS
    data = tmp_path / "portfolio.ndjson"
    portfolio(data, n)
    run("import", "--store", maria_db.dsn, str(data))
    outbox = tmp_path / "outbox"
    run("pass", "--store", maria_db.dsn, "--rules", str(RULES), "--at", DAY5)
    assert maria_db.value("SELECT COUNT(*) FROM contacts WHERE state = 'planned'") == str(n)
    args = pass_args(maria_db.dsn, DAY5, outbox)
    procs = [subprocess.Popen([dunningd_path(), *args], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    victim = None
    try:
        assert wait_for(lambda: int(maria_db.value(
            "SELECT COUNT(*) FROM contacts WHERE state <> 'planned'")) >= n // 5, 120, 0.02)
        running = [i for i, p in enumerate(procs) if p.poll() is None]
        if running:
            victim = running[0]
            procs[victim].send_signal(signal.SIGKILL)
            procs[victim].wait(timeout=10)
            procs[victim] = subprocess.Popen([dunningd_path(), *args],
                                             stdout=subprocess.DEVNULL,
                                             stderr=subprocess.PIPE, text=True)
        for p in procs:
            _, err = p.communicate(timeout=300)
            assert p.returncode == 0, err
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    # the killed instance's "sending" contacts wait for their lease; after it
    # they become in_doubt, never sent again
    stuck = int(maria_db.value("SELECT COUNT(*) FROM contacts WHERE state = 'sending'"))
    assert stuck <= 500, stuck
    run(*recovery_pass_args(maria_db.dsn, outbox))
    states = assert_every_step_once(maria_db, outbox, n)
    assert states.get("in_doubt", 0) == stuck
    assert states.get("sent", 0) == n - stuck


class PrivateServer:
    """A MariaDB server of this test's own, to be killed and started again."""

    def __init__(self):
        proc = subprocess.run([str(SERVER_SCRIPT), "start"], capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 0, proc.stderr
        env = dict(re.findall(r"export (\w+)='([^']*)'", proc.stdout))
        self.dir = pathlib.Path(env["DN_MARIADB_DIR"])
        self.dsn = env["DN_TEST_MARIADB_DSN"]

    def crash(self):
        pid = int((self.dir / "pid").read_text())
        os.kill(pid, signal.SIGKILL)
        assert wait_for(lambda: not pathlib.Path(f"/proc/{pid}").exists(), 30)

    def resume(self):
        proc = subprocess.run([str(SERVER_SCRIPT), "resume", str(self.dir)], capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr

    def stop(self):
        subprocess.run([str(SERVER_SCRIPT), "stop", str(self.dir)], timeout=60)


def test_mariadb_restart_during_a_pass(tmp_path):
    n = INSTANCE_CUSTOMERS
    server = PrivateServer()
    engine = None
    try:
        db = Database(server.dsn)
        data = tmp_path / "portfolio.ndjson"
        portfolio(data, n)
        run("import", "--store", db.dsn, str(data))
        outbox = tmp_path / "outbox"
        port = free_port()
        config = tmp_path / "dunningd.json"
        config.write_text(json.dumps({
            "listen": f"127.0.0.1:{port}", "store": db.dsn, "rules": str(RULES),
            "outbox_dir": str(outbox), "tokens": ["restart-token-0001"],
            "pass_interval_seconds": 1, "dispatch_interval_ms": 200, "batch_size": 100,
            "now": DAY5, "watch_rules": False}))
        engine = subprocess.Popen([dunningd_path(), "serve", "--config", str(config)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        health = f"http://127.0.0.1:{port}/healthz"

        def status():
            try:
                return requests.get(health, timeout=5).status_code
            except requests.RequestException:
                return None

        assert wait_for(lambda: status() == 200, 30, 0.1), "serve did not come up"
        assert wait_for(lambda: int(db.value("SELECT COUNT(*) FROM decisions")) >= n // 5, 120)
        server.crash()
        # while the server is down the engine is up and says so
        assert wait_for(lambda: status() == 503, 15, 0.1), "healthz did not report the outage"
        body = requests.get(health, timeout=5).json()
        assert body["status"] == "error" and body["store"] == "mariadb"
        assert engine.poll() is None
        server.resume()
        assert wait_for(lambda: status() == 200, 30, 0.1), "healthz did not recover"
        # the engine goes on: everyone but the batch in flight at the crash
        # (leased until DAY5 + 300 s) is planned and sent
        def settled():
            planned = int(db.value("SELECT COUNT(*) FROM contacts"))
            leased = int(db.value("SELECT COUNT(*) FROM customers WHERE lease_until IS NOT NULL"))
            waiting = int(db.value("SELECT COUNT(*) FROM contacts WHERE state = 'planned'"))
            return planned + leased == n and waiting == 0
        assert wait_for(settled, 180, 0.5), "the engine did not go on after the restart"
        engine.send_signal(signal.SIGTERM)
        engine.wait(timeout=30)
        assert engine.returncode == 0, engine.stderr.read()
        engine = None
        assert int(db.value("SELECT COUNT(*) FROM customers WHERE lease_until IS NOT NULL")) <= 100
        run(*recovery_pass_args(db.dsn, outbox))
        assert_every_step_once(db, outbox, n)
    finally:
        if engine and engine.poll() is None:
            engine.kill()
            engine.wait()
        server.stop()


# ---- dunningd migrate-store ----

def sqlite_rows(path, sql):
    import sqlite3
    con = sqlite3.connect(path)
    try:
        return [[("" if v is None else str(v)) for v in row] for row in con.execute(sql)]
    finally:
        con.close()


MIGRATED_TABLES = ["customers", "invoices", "payments", "payment_allocations", "cases",
                   "promises", "decisions", "contacts", "events", "rulesets", "agent_tasks",
                   "webhook_endpoints", "webhook_deliveries", "inbound_seen"]


def test_migrate_store_copies_sqlite_into_mariadb(maria_db, tmp_path):
    src = tmp_path / "store.db"
    records = [
        {"type": "customer", "external_id": "C1", "name": "Zoë Ķirse 🌷", "language": "lv",
         "timezone": "Europe/Riga", "country": "LV", "email": "c1@example.com",
         "phone": "+37120000001"},
        {"type": "customer", "external_id": "C2", "name": "Ann Lee", "language": "en",
         "timezone": "Europe/Riga", "country": "LV", "email": "c2@example.com",
         "phone": "+37120000002"},
        {"type": "invoice", "external_id": "I1", "customer_id": "C1", "currency": "EUR",
         "amount_minor": 10000, "issued": "2026-05-01", "due": DUE, "status": "open"},
        {"type": "invoice", "external_id": "I2", "customer_id": "C2", "currency": "EUR",
         "amount_minor": 5000, "issued": "2026-05-01", "due": DUE, "status": "open"},
        {"type": "payment", "external_id": "P1", "customer_id": "C2", "currency": "EUR",
         "amount_minor": 1250, "paid_on": "2026-06-05"},
    ]
    data = tmp_path / "portfolio.ndjson"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    run("import", "--store", f"sqlite:{src}", str(data))
    outbox = tmp_path / "outbox"
    run(*pass_args(f"sqlite:{src}", DAY5, outbox))
    # the channel modules' rows (as their operations write them), and one
    # event after the endpoint exists: its delivery is made by the trigger
    import sqlite3
    con = sqlite3.connect(src)
    con.executescript("""
        INSERT INTO agent_tasks (customer_id, contact_id, source, reason, priority, state,
                                 agent, taken_until, created_at, updated_at)
            VALUES (1, 1, 'rules', 'rules: template call, tone firm', 110, 'taken', 'Ilze',
                    1780900000, 1780899000, 1780899000);
        INSERT INTO webhook_endpoints (name, url, enabled) VALUES ('crm', 'http://crm/hook', 1);
        INSERT INTO events (customer_id, at, kind, payload) VALUES (2, 1780899500, 'note', '{}');
        INSERT INTO inbound_seen (source, digest, customer_id, result, received_at)
            VALUES ('reply', printf('%064d', 7), 2, '{"classification":"other"}', 1780899600);
    """)
    con.commit()
    con.close()
    before = src.read_bytes()

    proc = run("migrate-store", f"sqlite:{src}", maria_db.dsn)
    assert "copied" in proc.stdout and ":***@" in proc.stdout
    assert maria_db.dsn.split("@")[0].split(":")[-1] not in proc.stdout   # no password
    assert src.read_bytes() == before, "the source changed"
    for table in MIGRATED_TABLES:
        n = sqlite_rows(src, f"SELECT COUNT(*) FROM {table}")[0][0]
        assert maria_db.value(f"SELECT COUNT(*) FROM {table}") == n, table
    # hand-derived content: two customers (UTF-8 byte for byte), P1 1250 allocated to I2,
    # one day-5 contact each, sent
    assert maria_db.sql("SELECT id, external_id, name FROM customers ORDER BY id") == [
        ["1", "C1", "Zoë Ķirse 🌷"], ["2", "C2", "Ann Lee"]]
    assert maria_db.sql("SELECT p.external_id, i.external_id, a.amount_minor "
                        "FROM payment_allocations a JOIN payments p ON p.id = a.payment_id "
                        "JOIN invoices i ON i.id = a.invoice_id") == [["P1", "I2", "1250"]]
    assert maria_db.sql("SELECT idem_key, step_day, state FROM contacts ORDER BY id") == [
        ["cu1-ca1-d5", "5", "sent"], ["cu2-ca2-d5", "5", "sent"]]
    assert maria_db.sql("SELECT id, payload FROM events ORDER BY id") == \
        sqlite_rows(src, "SELECT id, payload FROM events ORDER BY id")
    assert maria_db.sql("SELECT customer_id, contact_id, state, agent, taken_until FROM "
                        "agent_tasks") == [["1", "1", "taken", "Ilze", "1780900000"]]
    # one delivery (the note's), none made again by the destination's trigger
    assert maria_db.sql("SELECT d.endpoint, e.kind, d.customer_id, d.state FROM "
                        "webhook_deliveries d JOIN events e ON e.id = d.event_id") == \
        [["crm", "note", "2", "pending"]]
    assert maria_db.sql("SELECT source, customer_id, result FROM inbound_seen") == \
        [["reply", "2", '{"classification":"other"}']]

    # the engine goes on on MariaDB: the same step is never planned again,
    # and new rows continue after the copied ids
    run(*pass_args(maria_db.dsn, "2026-06-08T15:00:00Z", outbox))
    assert maria_db.value("SELECT COUNT(*) FROM contacts") == "2"
    assert len(outbox_contact_ids(outbox)) == 2
    more = tmp_path / "more.ndjson"
    more.write_text(json.dumps({"type": "customer", "external_id": "C3", "name": "New One",
                                "language": "en", "timezone": "Europe/Riga",
                                "country": "LV"}) + "\n", encoding="utf-8")
    run("import", "--store", maria_db.dsn, str(more))
    assert maria_db.sql("SELECT id FROM customers WHERE external_id = 'C3'") == [["3"]]

    # a second copy into the now non-empty database is refused, nothing changes
    proc = subprocess.run([dunningd_path(), "migrate-store", f"sqlite:{src}", maria_db.dsn],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "customers holds 3 rows" in proc.stderr
    assert maria_db.value("SELECT COUNT(*) FROM customers") == "3"


def test_migrate_store_refused_row_leaves_nothing(maria_db, tmp_path):
    import sqlite3
    src = tmp_path / "store.db"
    run("migrate", "--store", f"sqlite:{src}")
    con = sqlite3.connect(src)
    # SQLite takes any length; MariaDB's customers.name is VARCHAR(255)
    con.execute("INSERT INTO customers (external_id, name, created_at, updated_at) "
                "VALUES ('OK', 'Fine', 0, 0), ('LONG', ?, 0, 0)", ("x" * 300,))
    con.commit()
    con.close()
    proc = subprocess.run([dunningd_path(), "migrate-store", f"sqlite:{src}", maria_db.dsn],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "[customers.name]" in proc.stderr
    assert "refused (nothing copied)" in proc.stderr
    assert maria_db.value("SELECT COUNT(*) FROM customers") == "0"


@pytest.mark.parametrize("args, code, text", [
    (["--help"], 0, "usage: dunningd migrate-store SRC_DSN DST_DSN"),
    ([], 2, "usage: dunningd migrate-store"),
    (["sqlite:/nonexistent/x.db"], 2, "usage: dunningd migrate-store"),
    (["sqlite:/nonexistent/x.db", "mariadb://u@127.0.0.1/db"], 1, "cannot open"),
    (["sqlite:x.db", "sqlite:y.db"], 1, "must be a mariadb:// DSN"),
    (["sqlite:x.db", "mariadb://u@127.0.0.1"], 1, "names no database"),
])
def test_migrate_store_usage(args, code, text):
    proc = subprocess.run([dunningd_path(), "migrate-store", *args], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == code
    assert text in proc.stdout + proc.stderr


# ---- the HTTP API on MariaDB: refused data is a clear error, never cut ----

def test_api_on_mariadb_refuses_bad_data_and_keeps_utf8(maria_db, tmp_path):
    """The API over a MariaDB store: too long values and bytes that are not
    UTF-8 are refused with the field (nothing is written, nothing is cut);
    4-byte UTF-8 (utf8mb4) comes back byte for byte."""
    port = free_port()
    token = "maria-api-token-1"
    config = tmp_path / "dunningd.json"
    config.write_text(json.dumps({
        "listen": f"127.0.0.1:{port}", "store": maria_db.dsn, "rules": str(RULES),
        "outbox_dir": str(tmp_path / "outbox"), "tokens": [token],
        "pass_interval_seconds": 3600, "watch_rules": False}))
    engine = subprocess.Popen([dunningd_path(), "serve", "--config", str(config)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def up():
        try:
            return requests.get(base + "/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False
    try:
        assert wait_for(up, 30, 0.1), "serve did not come up"
        assert requests.get(base + "/healthz", timeout=5).json()["store"] == "mariadb"
        tulips = "🌷" * 63                       # 252 bytes: fits the 255-byte name
        rows = [
            ({"external_id": "C1", "name": tulips}, 201, None, None),
            ({"external_id": "C2", "name": "N" * 256}, 422, "name", "too_long"),
            ({"external_id": "C" * 64, "name": "Ann"}, 422, "external_id", "too_long"),
            ({"external_id": "C3", "name": "🌷" * 64}, 422, "name", "too_long"),  # 256 bytes
            (b'{"external_id": "C4", "name": "\xff"}', 400, None, "malformed_json"),
            (b'{"external_id": "C5", "name": "\xed\xa0\x80"}', 400, None, "malformed_json"),
        ]
        for body, status, field, code in rows:
            data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
            r = requests.post(base + "/v1/customers", data=data, headers=headers, timeout=30)
            assert r.status_code == status, (body, r.text)
            if code:
                err = r.json()["error"]
                assert err["code"] == code
                if field:
                    assert err["field"] == field
        got = requests.get(base + "/v1/customers/C1", headers=headers, timeout=30)
        assert got.json()["name"] == tulips
        assert tulips.encode() in got.content
        # only C1 was written
        assert maria_db.sql("SELECT external_id, CHAR_LENGTH(name), LENGTH(name) FROM customers") \
            == [["C1", "63", "252"]]
    finally:
        engine.terminate()
        engine.wait(timeout=30)
    # a clean stop (and, in the sanitizer build, no leak or memory error)
    assert engine.returncode == 0, engine.stderr.read()
