"""Shared helpers for the integration tests: where the binaries are, and a
temporary store + outbox per test."""
import json
import os
import pathlib
import socket
import sqlite3
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


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
