"""Shared helpers for the integration tests: where the binaries are, a
temporary store + outbox per test, and the store backends a test can run on
(fixture store_db: SQLite always, MariaDB when DN_TEST_MARIADB_DSN names the
private test server that scripts/run-tests.sh starts)."""
import datetime
import json
import os
import pathlib
import re
import socket
import sqlite3
import subprocess
import uuid

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
MARIADB_DSN = os.environ.get("DN_TEST_MARIADB_DSN")


class SqliteStore:
    """A store file in a test's folder; query() reads it with sqlite3."""

    name = "sqlite"

    def __init__(self, path):
        self.path = pathlib.Path(path)
        self.dsn = f"sqlite:{self.path}"

    def query(self, sql, *params):
        con = sqlite3.connect(self.path, timeout=30)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def close(self):
        pass


class MariaStore:
    """A fresh database of its own on the MariaDB test server, dropped by
    close(); query() takes the same SQL with '?' placeholders as SqliteStore
    and gives the same Python values (dates as 'YYYY-MM-DD' text)."""

    name = "mariadb"
    DSN = re.compile(r"^mariadb://([^:@/]*)(?::([^@/]*))?@([^:/]+):(\d+)/(\w+)$")

    def __init__(self, base_dsn):
        m = self.DSN.match(base_dsn)
        assert m, f"unexpected test DSN {base_dsn}"
        self.user, self.password, self.host, port, _ = m.groups()
        self.port = int(port)
        self.database = "dn_it_" + uuid.uuid4().hex[:12]
        self.dsn = base_dsn.rsplit("/", 1)[0] + "/" + self.database
        self._run(f"CREATE DATABASE {self.database} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
                  None, database=None)

    def _run(self, sql, params, database=""):
        import pymysql
        con = pymysql.connect(host=self.host, port=self.port, user=self.user,
                              password=self.password or "", charset="utf8mb4",
                              database=self.database if database == "" else database,
                              autocommit=True, connect_timeout=10, read_timeout=60)
        try:
            with con.cursor() as cur:
                cur.execute(sql.replace("?", "%s") if params else sql, params or None)
                return [tuple(v.isoformat() if isinstance(v, datetime.date) else v for v in row)
                        for row in cur.fetchall()]
        finally:
            con.close()

    def query(self, sql, *params):
        return self._run(sql, params)

    def close(self):
        self._run(f"DROP DATABASE IF EXISTS {self.database}", None, database=None)


@pytest.fixture(params=["sqlite", pytest.param("mariadb", marks=pytest.mark.skipif(
    not MARIADB_DSN, reason="DN_TEST_MARIADB_DSN is not set (no MariaDB test server)"))])
def store_db(request, tmp_path):
    """The store a test's engines share, on each backend in turn."""
    db = SqliteStore(tmp_path / "store.db") if request.param == "sqlite" else MariaStore(MARIADB_DSN)
    yield db
    db.close()


def free_port():
    """A loopback TCP port nothing listens on now (for a server a test starts)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dunningd_path():
    return os.environ.get("DUNNINGD", str(REPO / "build" / "dunningd"))


class Engine:
    """Drives the real dunningd binary over one temporary SQLite store."""

    def __init__(self, tmp, rules):
        self.tmp = pathlib.Path(tmp)
        self.db = self.tmp / "store.db"
        self.outbox = self.tmp / "outbox"
        self.rules = str(rules)
        self.binary = dunningd_path()

    def run(self, *args, check=True, timeout=120):
        proc = subprocess.run([self.binary, *args], capture_output=True, text=True,
                              timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"dunningd {' '.join(args)} exited {proc.returncode}:\n"
                                 f"{proc.stdout}\n{proc.stderr}")
        return proc

    def load(self, records, name="batch.ndjson", check=True):
        path = self.tmp / name
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                        encoding="utf-8")
        return self.run("import", "--store", f"sqlite:{self.db}", str(path), check=check)

    def pass_at(self, at, dispatch=True, check=True):
        args = ["pass", "--store", f"sqlite:{self.db}", "--rules", self.rules, "--at", at,
                "--outbox", str(self.outbox)]
        if dispatch:
            args.append("--dispatch")
        return self.run(*args, check=check)

    def popen_pass(self, at):
        return subprocess.Popen([self.binary, "pass", "--store", f"sqlite:{self.db}",
                                 "--rules", self.rules, "--at", at, "--dispatch",
                                 "--outbox", str(self.outbox)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def query(self, sql, *params):
        con = sqlite3.connect(self.db, timeout=30)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def outbox_files(self):
        if not self.outbox.exists():
            return []
        return sorted(p for p in self.outbox.iterdir() if p.suffix == ".txt")


@pytest.fixture
def engine(tmp_path):
    return Engine(tmp_path, REPO / "tests" / "integration" / "rules-flow")
