"""Real peers on loopback for the channel tests: dunningd serve itself, HTTP
sinks (answering, or hanging without a word), Kannel's bearerbox + smsbox
with an HTTP SMSC sink that fires delivery reports, and an aiosmtpd SMTP
server that keeps every message in a folder. Every server is started and
stopped here by the process ids or threads it made; every wait is bounded."""
import calendar
import http.server
import itertools
import json
import os
import pathlib
import selectors
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.parse
import urllib.request

import requests

from conftest import free_port

REPO = pathlib.Path(__file__).resolve().parents[2]
TOKEN = "test-token-channels-1"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SECRET = "callback-secret-for-tests-0001"


def wait_until(predicate, timeout, what, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def stop_process(proc, timeout=15):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)


def records(customers):
    """NDJSON records for import: (id, language, phone, email, amount, due[,
    country]); Latvia (Europe/Riga) unless a country is given."""
    out = []
    for row in customers:
        cid, language, phone, email, amount, due = row[:6]
        country = row[6] if len(row) > 6 else "LV"
        zone = {"LV": "Europe/Riga", "EE": "Europe/Tallinn"}[country]
        out.append({"type": "customer", "external_id": cid, "name": f"Customer {cid}",
                    "language": language, "timezone": zone, "country": country,
                    "email": email, "phone": phone})
        out.append({"type": "invoice", "external_id": f"I-{cid}", "customer_id": cid,
                    "currency": "EUR", "amount_minor": amount, "issued": "2026-05-01",
                    "due": due, "status": "open"})
    return out


class Dunningd:
    """dunningd serve over one SQLite store in tmp, with config extras."""

    def __init__(self, tmp, channels, rules="rules-channels", now="2026-06-02T09:00:00Z",
                 **extra):
        self.tmp = pathlib.Path(tmp)
        self.db = self.tmp / "store.db"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        if callable(channels):
            channels = channels(self.base)
        self.binary = os.environ.get("DUNNINGD", str(REPO / "build" / "dunningd"))
        config = {
            "listen": f"127.0.0.1:{self.port}",
            "store": f"sqlite:{self.db}",
            "schema_dir": str(REPO / "schema"),
            "rules": str(REPO / "tests" / "integration" / rules),
            "tokens": [TOKEN],
            "outbox_dir": str(self.tmp / "outbox"),
            "pass_interval_seconds": 3600,
            "dispatch_interval_ms": 100,
            "watch_rules": False,
            "callback_secret": SECRET,
            "channels": channels,
        }
        self.now = now
        if now:
            config["now"] = now
        config.update(extra)
        self.config = self.tmp / "config.json"
        self.config.write_text(json.dumps(config))
        self.proc = None
        self.log = None
        self.starts = 0

    def load(self, recs):
        path = self.tmp / "load.ndjson"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs),
                        encoding="utf-8")
        subprocess.run([self.binary, "import", "--store", f"sqlite:{self.db}", str(path)],
                       check=True, capture_output=True, timeout=120)

    def start(self):
        self.started = time.monotonic()
        self.starts += 1
        self.log = open(self.tmp / f"server-{self.starts}.log", "w")
        self.proc = subprocess.Popen([self.binary, "serve", "--config", str(self.config)],
                                     stdout=self.log, stderr=subprocess.STDOUT)

        def up():
            if self.proc.poll() is not None:
                raise AssertionError(f"dunningd exited {self.proc.returncode}:\n" +
                                     self.log_text())
            try:
                return requests.get(self.base + "/healthz", timeout=2).status_code == 200
            except requests.RequestException:   # not listening yet, or busy with a pass
                return False
        wait_until(up, 60, "dunningd /healthz")
        return self

    def log_text(self):
        return (self.tmp / f"server-{self.starts}.log").read_text(errors="replace")

    def clock(self):
        """(earliest, latest) the engine's clock can read now: `now` starts
        it when the process starts, and it runs at wall speed from there."""
        start = calendar.timegm(time.strptime(self.now, "%Y-%m-%dT%H:%M:%SZ"))
        return start, start + int(time.monotonic() - self.started) + 1

    def stop(self, check=True):
        if self.proc is None:
            return
        stop_process(self.proc, timeout=30)
        self.log.close()
        code, self.proc = self.proc.returncode, None
        if check:
            assert code == 0, self.log_text()

    def kill(self):
        self.proc.kill()
        self.proc.wait(timeout=10)
        self.log.close()
        self.proc = None

    def query(self, sql, *params):
        con = sqlite3.connect(self.db, timeout=30)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def states(self):
        return dict(self.query("SELECT state, COUNT(*) FROM contacts GROUP BY state"))

    def get(self, path, **kw):
        return requests.get(self.base + path, headers=kw.pop("headers", AUTH), timeout=30, **kw)

    def post(self, path, data=b"", headers=None, **kw):
        return requests.post(self.base + path, data=data, headers=headers or {}, timeout=30,
                             **kw)


class Threading(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024     # listen() backlog: many connections at once


class HttpSink:
    """A threaded HTTP server recording every request; replies 200 with
    {"id": "p<n>"} (or `status` / after `delay` seconds; `statuses`, when
    given, are answered to the first requests in turn)."""

    def __init__(self, status=200, delay=0.0, statuses=()):
        self.requests = []
        self.lock = threading.Lock()
        self.counter = itertools.count(1)
        self.status = status
        self.statuses = list(statuses)
        self.delay = delay
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with sink.lock:
                    n = next(sink.counter)
                    sink.requests.append({"path": self.path, "headers": dict(self.headers),
                                          "body": body, "at": time.monotonic()})
                    status = sink.statuses.pop(0) if sink.statuses else sink.status
                if sink.delay:
                    time.sleep(sink.delay)
                reply = json.dumps({"id": f"p{n}"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = Threading(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def bodies(self):
        with self.lock:
            return [json.loads(r["body"]) for r in self.requests]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class HangingSink:
    """Accepts connections and reads whatever comes, never answering: a
    provider that hangs. One thread with a selector; stop() closes all."""

    def __init__(self):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4096)
        self.listener.setblocking(False)
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/send"
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ)
        self.connections = []
        self.accepted = 0
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            for key, _ in self.selector.select(timeout=0.1):
                if key.fileobj is self.listener:
                    try:
                        conn, _ = self.listener.accept()
                    except BlockingIOError:
                        continue
                    conn.setblocking(False)
                    self.connections.append(conn)
                    self.accepted += 1
                    self.selector.register(conn, selectors.EVENT_READ)
                else:
                    try:
                        data = key.fileobj.recv(65536)
                    except (BlockingIOError, ConnectionError):
                        data = b"x"
                    if not data:
                        self.selector.unregister(key.fileobj)
                        key.fileobj.close()

    def stop(self):
        self.running = False
        self.thread.join(timeout=5)
        for c in self.connections:
            try:
                c.close()
            except OSError:
                pass
        self.listener.close()
        self.selector.close()


class SmscSink:
    """The far end of Kannel's HTTP SMSC (system-type generic): records each
    message part Kannel sends (text bytes, coding, UDH), answers with a
    message id, then reports delivery back to bearerbox's SMSC port."""

    def __init__(self):
        self.parts = []
        self.lock = threading.Lock()
        self.counter = itertools.count(1)
        self.smsc_port = None
        self.dlr_replies = []
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                query = urllib.parse.urlsplit(self.path).query
                params = urllib.parse.parse_qs(query, keep_blank_values=True,
                                               encoding="latin-1")
                mid = f"m{next(sink.counter)}"
                with sink.lock:
                    part = {k: v[0].encode("latin-1") for k, v in params.items()}
                    part["mid"] = mid          # the SMSC's message id for this part
                    sink.parts.append(part)
                body = f"ok id:{mid}".encode()
                self.send_response(202)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                threading.Thread(target=sink._report, args=(mid,), daemon=True).start()

            def log_message(self, *args):
                pass

        self.server = Threading(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _report(self, mid):
        time.sleep(0.2)   # after bearerbox has stored the message id
        url = (f"http://127.0.0.1:{self.smsc_port}/dlr?username=sink&password=sinkpw"
               f"&dlr-mid={mid}&dlr-mask=1")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                self.dlr_replies.append(r.read())
        except OSError as e:
            self.dlr_replies.append(repr(e).encode())

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


KANNEL_CONF = """\
group = core
admin-port = {admin}
admin-password = admin-secret
smsbox-port = {boxport}
log-file = "{tmp}/bearerbox.log"
log-level = 1
box-allow-ip = "127.0.0.1"
dlr-storage = internal

group = smsc
smsc = http
smsc-id = sink
system-type = generic
send-url = "http://127.0.0.1:{sink}/send?to=%p&from=%P&text=%b&coding=%c&udh=%u"
port = {smscport}
connect-allow-ip = "127.0.0.1"
smsc-username = sink
smsc-password = sinkpw
status-success-regex = "^ok"
generic-foreign-id-regex = "id:([a-z0-9]+)"
generic-param-dlr-mid = "dlr-mid"
generic-param-dlr-mask = "dlr-mask"

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {boxport}
sendsms-port = {sendsms}
log-file = "{tmp}/smsbox.log"
log-level = 1

group = sendsms-user
username = dunning
password = sendsms-secret
max-messages = 10
concatenation = true
"""


class Kannel:
    """bearerbox + smsbox from Debian's kannel, configured in tmp, with an
    SMSC of type http pointing at an SmscSink."""

    def __init__(self, tmp):
        self.tmp = pathlib.Path(tmp)
        self.sink = SmscSink()
        ports = {"admin": free_port(), "boxport": free_port(), "smscport": free_port(),
                 "sendsms": free_port(), "sink": self.sink.port, "tmp": str(self.tmp)}
        self.sink.smsc_port = ports["smscport"]
        self.sendsms_url = f"http://127.0.0.1:{ports['sendsms']}/cgi-bin/sendsms"
        conf = self.tmp / "kannel.conf"
        conf.write_text(KANNEL_CONF.format(**ports))
        self.logs = [open(self.tmp / "bearerbox.out", "w"), open(self.tmp / "smsbox.out", "w")]
        self.bearerbox = subprocess.Popen(["/usr/sbin/bearerbox", str(conf)],
                                          stdout=self.logs[0], stderr=subprocess.STDOUT)
        self.smsbox = None
        try:
            wait_until(lambda: self._listening(ports["boxport"]), 20, "bearerbox")
            self.smsbox = subprocess.Popen(["/usr/sbin/smsbox", str(conf)],
                                           stdout=self.logs[1], stderr=subprocess.STDOUT)
            wait_until(lambda: self._listening(ports["sendsms"]), 20, "smsbox sendsms port")
        except AssertionError:
            self.stop()
            raise

    @staticmethod
    def _listening(port):
        with socket.socket() as s:
            s.settimeout(0.2)
            return s.connect_ex(("127.0.0.1", port)) == 0

    def stop(self):
        for proc in (self.smsbox, self.bearerbox):
            if proc is not None:
                stop_process(proc, timeout=15)
        for f in self.logs:
            f.close()
        self.sink.stop()


class SmtpServer:
    """Debian's aiosmtpd (through /usr/bin/python3 smtp_sink.py) keeping each
    message as a numbered .eml file in a folder."""

    def __init__(self, tmp, tls_auth=None):
        """tls_auth = (cert, key, user, password): STARTTLS and AUTH required."""
        self.dir = pathlib.Path(tmp) / "mail"
        self.dir.mkdir()
        self.port = free_port()
        self.log = open(pathlib.Path(tmp) / "smtp.log", "w")
        self.proc = subprocess.Popen(["/usr/bin/python3", str(REPO / "tests" / "integration" /
                                                              "smtp_sink.py"),
                                      str(self.port), str(self.dir), *(tls_auth or ())],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        try:
            wait_until(lambda: Kannel._listening(self.port), 20, "aiosmtpd")
        except AssertionError:
            self.stop()
            raise

    def messages(self):
        return sorted(self.dir.glob("*.eml"))

    def stop(self):
        stop_process(self.proc)
        self.log.close()
