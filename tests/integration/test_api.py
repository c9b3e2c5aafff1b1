"""The HTTP API through the real `dunningd serve` on a loopback port with a
temporary SQLite store (one server per test). Expected statuses, error
codes and fields come from the API contract (schema/openapi.yaml), written
out by hand here; bodies are compared byte for byte where the contract says
names round-trip exactly.

Run: /usr/bin/python3 -m pytest tests/integration/test_api.py
DUNNINGD = path of the binary (default build/dunningd)."""
import json
import os
import pathlib
import subprocess
import time

import pytest
import requests

from conftest import free_port

REPO = pathlib.Path(__file__).resolve().parents[2]
RULES = REPO / "tests" / "integration" / "rules-flow"
TOKEN = "test-token-7f3a"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = {**AUTH, "Content-Type": "application/json"}


class Server:
    def __init__(self, tmp, **extra_config):
        self.tmp = pathlib.Path(tmp)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        config = {
            "listen": f"127.0.0.1:{self.port}",
            "store": f"sqlite:{self.tmp / 'store.db'}",
            "schema_dir": str(REPO / "schema"),
            "rules": str(RULES),
            "tokens": [TOKEN],
            "outbox_dir": str(self.tmp / "outbox"),
            "pass_interval_seconds": 3600,
            **extra_config,
        }
        self.config = self.tmp / "config.json"
        self.config.write_text(json.dumps(config))
        binary = os.environ.get("DUNNINGD", str(REPO / "build" / "dunningd"))
        self.log = open(self.tmp / "server.log", "w")
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
            if time.monotonic() > deadline:
                raise AssertionError("dunningd serve did not answer /healthz within 30 s")
            time.sleep(0.1)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        # a clean stop, and (in sanitizer builds) no leak or memory error
        assert self.proc.returncode == 0, (self.tmp / "server.log").read_text()

    def get(self, path, **kw):
        return requests.get(self.base + path, headers=kw.pop("headers", AUTH), timeout=30, **kw)

    def post(self, path, body, headers=JSON, **kw):
        data = body if isinstance(body, (bytes, str)) else json.dumps(body, ensure_ascii=False)
        if isinstance(data, str):
            data = data.encode("utf-8")
        return requests.post(self.base + path, data=data, headers=headers, timeout=60, **kw)

    def put(self, path, body, headers=JSON):
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return requests.put(self.base + path, data=data, headers=headers, timeout=30)

    def patch(self, path, body, headers=JSON):
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return requests.patch(self.base + path, data=data, headers=headers, timeout=30)


@pytest.fixture
def api(tmp_path):
    server = Server(tmp_path)
    yield server
    server.stop()


def customer(cid="C1", name="Anna Ozola", **extra):
    rec = {"external_id": cid, "name": name, "language": "lv", "timezone": "Europe/Riga",
           "country": "LV", "email": "anna@example.lv", "phone": "+37120000001"}
    rec.update(extra)
    return rec


def invoice(iid="I1", cid="C1", amount=10000, **extra):
    rec = {"external_id": iid, "customer_id": cid, "currency": "EUR", "amount_minor": amount,
           "issued": "2026-01-01", "due": "2026-02-01", "status": "open"}
    rec.update(extra)
    return rec


def payment(pid="P1", cid="C1", amount=5000, **extra):
    rec = {"external_id": pid, "customer_id": cid, "currency": "EUR", "amount_minor": amount,
           "paid_on": "2026-02-03", "kind": "payment"}
    rec.update(extra)
    return rec


def error_of(resp):
    body = resp.json()
    assert set(body) == {"error"}, body
    return body["error"]


# ---- open routes, auth, routing ----

def test_health_and_metrics_are_open(api):
    r = requests.get(api.base + "/healthz", timeout=10)
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["store"] == "sqlite"
    assert isinstance(body["rules_version"], str) and body["rules_version"]
    api.post("/v1/customers", customer())
    r = requests.get(api.base + "/metrics", timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain")
    lines = r.text.splitlines()
    assert "dunningd_customers 1" in lines
    assert any(line.startswith('dunningd_contacts{state="planned"} ') for line in lines)
    assert any(line.startswith("dunningd_rules_reloads_total ") for line in lines)
    assert any(line.startswith("dunningd_pass_duration_seconds ") for line in lines)


@pytest.mark.parametrize("method,path", [
    ("GET", "/v1/customers"), ("POST", "/v1/customers"), ("GET", "/v1/customers/C1"),
    ("PUT", "/v1/customers/C1"), ("GET", "/v1/invoices/I1"), ("POST", "/v1/payments"),
    ("POST", "/v1/import"), ("GET", "/v1/decisions"), ("GET", "/v1/contacts"),
    ("GET", "/v1/rules"), ("POST", "/v1/rules/reload"),
])
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"},
                                     {"Authorization": TOKEN},
                                     {"Authorization": "Basic " + TOKEN}])
def test_token_required(api, method, path, headers):
    r = requests.request(method, api.base + path, headers=headers, data=b"{}", timeout=10)
    assert r.status_code == 401
    assert error_of(r)["code"] == "unauthorized"
    assert r.headers.get("WWW-Authenticate") == "Bearer"


def test_missing_token_writes_nothing(api):
    r = requests.post(api.base + "/v1/customers", data=json.dumps(customer()),
                      headers={"Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 401
    assert api.get("/v1/customers/C1").status_code == 404


@pytest.mark.parametrize("method,path,status,code", [
    ("GET", "/v2/customers", 404, "not_found"),
    ("GET", "/v1/customers/C1/nothing", 404, "not_found"),
    ("GET", "/v1/customers/", 404, "not_found"),
    ("DELETE", "/v1/customers/C1", 405, "method_not_allowed"),
    ("PATCH", "/v1/payments", 405, "method_not_allowed"),
    ("GET", "/v1/import", 405, "method_not_allowed"),
    ("GET", "/v1/rules/reload", 405, "method_not_allowed"),
])
def test_unknown_routes_and_methods(api, method, path, status, code):
    r = requests.request(method, api.base + path, headers=AUTH, timeout=10)
    assert r.status_code == status
    assert error_of(r)["code"] == code
    if status == 405:
        assert r.headers["Allow"]


# ---- bad bodies ----

# jansson reports the line and the column (in characters) of the last
# character it read; a byte that is not UTF-8 is not a character, so the
# error points at the quote before it.
@pytest.mark.parametrize("body,line,column", [
    (b'{"external_id": "C1", "name": }', 1, 31),
    (b'{"external_id": "C1",\n "name": "A",\n}', 3, 1),
    (b'{"external_id": "C1"', 1, 20),
    (b"", 1, 0),
    (b'{"external_id": "C1", "name": "A"} trailing', 1, 43),
    (b'{"external_id": "C1", "name": "\xff"}', 1, 31),
    (b'{"external_id": "C1", "name": "A", "name": "B"}', 1, 41),
])
def test_malformed_json(api, body, line, column):
    r = api.post("/v1/customers", body)
    assert r.status_code == 400
    err = error_of(r)
    assert err["code"] == "malformed_json"
    assert err["line"] == line
    assert err["column"] == column
    assert api.get("/v1/customers/C1").status_code == 404


def test_deep_json_is_refused_before_parsing(api):
    body = '{"external_id":"C1","name":"A","holds":' + "[" * 40 + "]" * 40 + "}"
    r = api.post("/v1/customers", body)
    assert r.status_code == 400
    assert error_of(r)["code"] == "too_deep"


@pytest.mark.parametrize("path,content_type", [
    ("/v1/customers", "text/plain"),
    ("/v1/customers", None),
    ("/v1/invoices", "application/x-www-form-urlencoded"),
    ("/v1/import", "application/json"),
    ("/v1/import", "text/plain"),
])
def test_wrong_content_type(api, path, content_type):
    headers = dict(AUTH)
    if content_type:
        headers["Content-Type"] = content_type
    r = api.post(path, customer(), headers=headers)
    assert r.status_code == 415
    assert error_of(r)["code"] == "unsupported_media_type"


def test_ten_megabyte_body_is_refused_and_changes_nothing(api):
    assert api.post("/v1/customers", customer()).status_code == 201
    before = api.get("/v1/customers/C1").content
    big = customer(name="x" * (10 * 1024 * 1024))
    r = api.post("/v1/customers", big)
    assert r.status_code == 413
    assert error_of(r)["code"] == "payload_too_large"
    r = api.post("/v1/customers", customer(cid="C2", name="y" * (10 * 1024 * 1024)))
    assert r.status_code == 413
    assert api.get("/v1/customers/C1").content == before
    assert api.get("/v1/customers/C2").status_code == 404


@pytest.mark.parametrize("path,record,field,code", [
    # types
    ("/v1/customers", customer(cid=7), "external_id", "invalid"),
    ("/v1/customers", customer(name=["Anna"]), "name", "invalid"),
    ("/v1/customers", customer(age="34"), "age", "invalid"),
    ("/v1/customers", customer(holds="dispute"), "holds", "invalid"),
    ("/v1/customers", {"name": "No Id"}, "external_id", "required"),
    ("/v1/customers", {"external_id": "C1"}, "name", "required"),
    ("/v1/customers", customer(favourite_colour="red"), "favourite_colour", "invalid"),
    # shapes
    ("/v1/customers", customer(phone="0037120000001"), "phone", "invalid"),
    ("/v1/customers", customer(phone="+3712"), "phone", "invalid"),
    ("/v1/customers", customer(email="anna at example.lv"), "email", "invalid"),
    ("/v1/customers", customer(email="a@b@c"), "email", "invalid"),
    ("/v1/customers", customer(country="Latvia"), "country", "too_long"),
    ("/v1/customers", customer(country="lv"), "country", "invalid"),
    ("/v1/customers", customer(language="LV"), "language", "invalid"),
    ("/v1/customers", customer(timezone="Europe/Riga; DROP"), "timezone", "invalid"),
    ("/v1/customers", customer(timezone="Mars/Base"), "timezone", "invalid"),   # not in tzdata
    ("/v1/customers", customer(hold_until="2026-02-30"), "hold_until", "invalid"),
    # lengths: never truncated
    ("/v1/customers", customer(name="N" * 256), "name", "too_long"),
    ("/v1/customers", customer(cid="C" * 64), "external_id", "too_long"),
    # amounts
    ("/v1/invoices", invoice(amount=-100), "amount_minor", "invalid"),
    ("/v1/invoices", invoice(amount=0), "amount_minor", "invalid"),
    ("/v1/invoices", invoice(amount=100.5), "amount_minor", "invalid"),
    ("/v1/invoices", invoice(amount="100"), "amount_minor", "invalid"),
    ("/v1/payments", payment(amount=-1), "amount_minor", "invalid"),
    ("/v1/payments", payment(amount=12.75), "amount_minor", "invalid"),
    # the cap is 10^15 minor units (schema/openapi.yaml): one above it is refused
    ("/v1/invoices", invoice(amount=10**15 + 1), "amount_minor", "invalid"),
    ("/v1/invoices", invoice(amount=2**63 - 1), "amount_minor", "invalid"),
    ("/v1/payments", payment(amount=10**15 + 1), "amount_minor", "invalid"),
    # currencies
    ("/v1/invoices", invoice(currency="XYZ"), "currency", "invalid"),
    ("/v1/invoices", invoice(currency="eur"), "currency", "invalid"),
    ("/v1/payments", payment(currency="BTC"), "currency", "invalid"),
    # dates, enums, references
    ("/v1/invoices", invoice(due="2026-02-31"), "due", "invalid"),
    ("/v1/invoices", invoice(status="closed"), "status", "invalid"),
    ("/v1/payments", payment(kind="refund"), "kind", "invalid"),
    ("/v1/invoices", invoice(cid="NOPE"), "customer_id", "unknown_reference"),
    ("/v1/payments", payment(cid="NOPE"), "customer_id", "unknown_reference"),
    ("/v1/payments", payment(invoice_id="NOPE"), "invoice_id", "unknown_reference"),
])
def test_validation_names_the_field(api, path, record, field, code):
    assert api.post("/v1/customers", customer()).status_code == 201
    r = api.post(path, record)
    assert r.status_code == 422, r.text
    err = error_of(r)
    assert err["field"] == field
    assert err["code"] == code
    assert err["message"]


# ---- idempotency and conflicts ----

def test_customer_post_is_idempotent_or_a_conflict(api):
    """POST creates: the same record again is 200 with nothing changed,
    other content for the id is 409 naming the field (and changes nothing);
    PUT and PATCH update."""
    r = api.post("/v1/customers", customer())
    assert r.status_code == 201
    before = api.get("/v1/customers/C1").json()
    assert api.post("/v1/customers", customer()).status_code == 200
    for changed, field in [({"name": "Anna Berzina"}, "name"),
                           ({"email": "anna@example.com"}, "email")]:
        r = api.post("/v1/customers", customer(**changed))
        assert r.status_code == 409, r.text
        err = error_of(r)
        assert err["code"] == "conflict" and err["field"] == field
        assert api.get("/v1/customers/C1").json() == before
    r = api.patch("/v1/customers/C1", {"email": "anna@example.com"})
    assert r.status_code == 200 and r.json()["email"] == "anna@example.com"
    r = api.put("/v1/customers/C1", {"name": "Anna Berzina"})
    assert r.status_code == 200 and r.json()["name"] == "Anna Berzina"
    assert r.json()["email"] == "anna@example.com"


def test_invoice_post_with_another_status_is_a_conflict(api):
    api.post("/v1/customers", customer())
    assert api.post("/v1/invoices", invoice()).status_code == 201
    r = api.post("/v1/invoices", invoice(status="disputed"))
    assert r.status_code == 409 and error_of(r)["field"] == "status"
    assert api.get("/v1/invoices/I1").json()["status"] == "open"
    r = api.patch("/v1/invoices/I1", {"status": "disputed"})
    assert r.status_code == 200 and r.json()["status"] == "disputed"


@pytest.mark.parametrize("paid_on,status", [
    ("2099-03-01", 422),      # has not happened
    ("9999-12-31", 422),      # not even a date the engine accepts
])
def test_payment_from_the_future_is_refused(api, paid_on, status):
    api.post("/v1/customers", customer())
    api.post("/v1/invoices", invoice())
    r = api.post("/v1/payments", payment(paid_on=paid_on))
    assert r.status_code == status
    assert error_of(r)["field"] == "paid_on"
    assert api.get("/v1/invoices/I1").json()["paid_minor"] == 0
    assert api.get("/v1/customers/C1/payments").json()["items"] == []


@pytest.mark.parametrize("changed,field", [
    ({"amount_minor": 20000}, "amount_minor"),
    ({"currency": "USD"}, "currency"),
    ({"customer_id": "C2"}, "customer_id"),
])
def test_invoice_conflict_changes_nothing(api, changed, field):
    api.post("/v1/customers", customer())
    api.post("/v1/customers", customer(cid="C2", name="Other"))
    assert api.post("/v1/invoices", invoice()).status_code == 201
    before = api.get("/v1/invoices/I1").json()
    assert api.post("/v1/invoices", invoice()).status_code == 200
    r = api.post("/v1/invoices", invoice(**changed))
    assert r.status_code == 409
    err = error_of(r)
    assert err["code"] == "conflict" and err["field"] == field
    assert api.get("/v1/invoices/I1").json() == before
    assert before["amount_minor"] == 10000 and before["currency"] == "EUR"


def test_payment_conflict_changes_nothing(api):
    api.post("/v1/customers", customer())
    api.post("/v1/invoices", invoice())
    assert api.post("/v1/payments", payment()).status_code == 201
    assert api.post("/v1/payments", payment()).status_code == 200
    r = api.post("/v1/payments", payment(amount=7000))
    assert r.status_code == 409
    assert error_of(r)["code"] == "conflict"
    items = api.get("/v1/customers/C1/payments").json()["items"]
    assert [(p["external_id"], p["amount_minor"]) for p in items] == [("P1", 5000)]
    assert api.get("/v1/invoices/I1").json()["paid_minor"] == 5000


def test_put_updates(api):
    api.post("/v1/customers", customer())
    api.post("/v1/invoices", invoice())
    r = api.put("/v1/customers/C1", {"holds": ["dispute"], "email": None})
    assert r.status_code == 200
    body = r.json()
    assert body["holds"] == ["dispute"] and body["email"] is None
    assert body["phone"] == "+37120000001"
    r = api.put("/v1/invoices/I1", {"status": "disputed", "due": "2026-03-01"})
    assert r.status_code == 200
    assert r.json()["status"] == "disputed" and r.json()["due"] == "2026-03-01"
    r = api.put("/v1/invoices/I1", {"amount_minor": 1})
    assert r.status_code == 409 and error_of(r)["field"] == "amount_minor"
    assert api.get("/v1/invoices/I1").json()["amount_minor"] == 10000
    r = api.put("/v1/customers/C1", {"external_id": "C9"})
    assert r.status_code == 422 and error_of(r)["field"] == "external_id"
    assert api.put("/v1/customers/NOPE", {"name": "X"}).status_code == 404
    assert api.put("/v1/invoices/NOPE", {"status": "paid"}).status_code == 404


@pytest.mark.parametrize("path", [
    "/v1/customers/NOPE", "/v1/invoices/NOPE", "/v1/customers/NOPE/timeline",
    "/v1/customers/NOPE/preview", "/v1/customers/NOPE/invoices", "/v1/customers/NOPE/payments",
])
def test_unknown_ids(api, path):
    r = api.get(path)
    assert r.status_code == 404
    assert error_of(r)["code"] == "not_found"


# An id that cannot be an external id is a bad request naming the id (never
# "no such route", never a 500): the messages as api.c's path_id words them.
@pytest.mark.parametrize("path,shown,why", [
    ("/v1/customers/%FF%FE", "%FF%FE", "must be valid UTF-8"),
    ("/v1/invoices/%FF", "%FF", "must be valid UTF-8"),
    ("/v1/customers/%C3/timeline", "%C3", "must be valid UTF-8"),
    ("/v1/customers/%FF/preview", "%FF", "must be valid UTF-8"),
    ("/v1/customers/" + "A" * 100000, "A" * 40 + "…", "is longer than 63 bytes"),
    ("/v1/customers/" + "B" * 64, "B" * 40 + "…", "is longer than 63 bytes"),
    ("/v1/customers/%20C1%20", "%20C1%20", "must not start or end with white space"),
    ("/v1/customers/C1%00", "C1%00", "must not contain NUL"),
])
def test_bad_ids_in_the_path(api, path, shown, why):
    r = api.get(path)
    assert r.status_code == 400, r.text
    err = error_of(r)
    assert err["code"] == "invalid" and err["field"] == "id"
    assert err["message"] == f'the id "{shown}" in the path {why}'


def test_ids_with_white_space_at_an_end_are_refused(api):
    """" C1 " would be a second customer beside "C1": refused naming the
    field, through the API and the bulk import alike."""
    r = api.post("/v1/customers", customer(cid=" C1 "))
    assert r.status_code == 422
    err = error_of(r)
    assert err["field"] == "external_id"
    assert err["message"] == "external_id must not start or end with white space"
    assert api.post("/v1/customers", customer()).status_code == 201
    r = api.post("/v1/invoices", invoice(cid="C1\u00a0"))
    assert r.status_code == 422 and error_of(r)["field"] == "customer_id"
    lines = (json.dumps({"type": "customer", **customer(cid="C2 ")}) + "\n" +
             json.dumps({"type": "customer", **customer(cid="C3")}) + "\n")
    r = requests.post(api.base + "/v1/import", data=lines.encode(),
                      headers={**AUTH, "Content-Type": "application/x-ndjson"}, timeout=30)
    report = r.json()
    assert (report["created"], report["rejected"]) == (1, 1)
    assert report["errors"][0]["line"] == 1 and report["errors"][0]["field"] == "external_id"
    ids = [c["external_id"] for c in api.get("/v1/customers").json()["items"]]
    assert ids == ["C1", "C3"]


def test_time_outside_the_accepted_range_names_the_range(api):
    api.post("/v1/customers", customer())
    r = api.get("/v1/customers/C1/contactability", params={"at": "9999-12-31T23:59:59Z"})
    assert r.status_code == 422
    assert "from 1970-01-01T00:00:00Z to 2200-12-31T23:59:59Z" in error_of(r)["message"]
    r = api.get("/v1/customers/C1/preview", params={"at": "1899-12-31T23:59:59Z"})
    assert r.status_code == 422
    assert "from 1900-01-01T00:00:00Z to 2200-12-31T23:59:59Z" in error_of(r)["message"]


# ---- bulk import ----

def test_bulk_ndjson_good_rows_land_bad_rows_reported(api):
    lines = [
        json.dumps({"type": "customer", **customer()}),                          # 1
        json.dumps({"type": "invoice", **invoice()}),                            # 2
        json.dumps({"type": "invoice", **invoice(iid="I2", amount=-5)}),         # 3
        "",                                                                      # 4
        '{"type": "customer", "external_id": "C3"',                              # 5
        json.dumps({"type": "customer", **customer(cid="C4", phone="123")}),     # 6
        json.dumps({"type": "invoice", **invoice(iid="I3", currency="ZZZ")}),    # 7
        json.dumps({"type": "payment", **payment()}),                            # 8
        json.dumps({"external_id": "C5", "name": "No type"}),                    # 9
        json.dumps({"type": "invoice", **invoice(amount=1)}),                    # 10
        json.dumps({"type": "customer", **customer(cid="C6", name="Zoë–Ltd")},
                   ensure_ascii=False),                                          # 11
        json.dumps({"type": "invoice", **invoice(iid="I4", amount=12.5)}),       # 12
    ]
    headers = {**AUTH, "Content-Type": "application/x-ndjson"}
    r = api.post("/v1/import", "\n".join(lines) + "\n", headers=headers)
    assert r.status_code == 200, r.text
    report = r.json()
    assert {k: report[k] for k in ("accepted", "created", "updated", "unchanged", "rejected")} \
        == {"accepted": 4, "created": 4, "updated": 0, "unchanged": 0, "rejected": 7}
    assert [(e["line"], e["field"], e["code"]) for e in report["errors"]] == [
        (3, "amount_minor", "invalid"),
        (5, "", "malformed_json"),
        (6, "phone", "invalid"),
        (7, "currency", "invalid"),
        (9, "type", "required"),
        (10, "amount_minor", "conflict"),
        (12, "amount_minor", "invalid"),
    ]
    assert api.get("/v1/customers/C1").status_code == 200
    assert api.get("/v1/invoices/I1").json()["amount_minor"] == 10000
    assert api.get("/v1/customers/C6").json()["name"] == "Zoë–Ltd"
    for missing in ("/v1/invoices/I2", "/v1/customers/C3", "/v1/customers/C4",
                    "/v1/invoices/I3", "/v1/customers/C5", "/v1/invoices/I4"):
        assert api.get(missing).status_code == 404, missing
    # the same file again: everything good is unchanged, the errors are the same
    again = api.post("/v1/import", "\n".join(lines) + "\n", headers=headers).json()
    assert again["unchanged"] == 4 and again["created"] == 0 and again["rejected"] == 7


def test_bulk_csv(api):
    csv = ("external_id,name,phone,holds,opt_out,age\r\n"
           "C1,\"O'Brien & Søn\",+37120000001,dispute;vulnerable,sms;voice,34\r\n"
           "C2,Bad Phone,12345,,,\r\n"
           "C3,\"Quoted \"\"name\"\", with comma\",,,,\r\n"
           "C4,Fraction,,,,3.5\r\n")
    headers = {**AUTH, "Content-Type": "text/csv; charset=utf-8"}
    r = api.post("/v1/import?type=customer", csv, headers=headers)
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["created"], report["rejected"]) == (2, 2)
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(3, "phone"), (5, "age")]
    c1 = api.get("/v1/customers/C1").json()
    assert c1["name"] == "O'Brien & Søn"
    assert c1["holds"] == ["dispute", "vulnerable"] and c1["opt_out"] == ["sms", "voice"]
    assert api.get("/v1/customers/C3").json()["name"] == 'Quoted "name", with comma'
    r = api.post("/v1/import", csv, headers=headers)
    assert r.status_code == 422 and error_of(r)["field"] == "type"
    r = api.post("/v1/import?type=customer", "external_id,name,shoe_size\nC9,A,44\n",
                 headers=headers)
    assert r.status_code == 422 and error_of(r)["field"] == "shoe_size"


# ---- pagination and UTF-8 ----

def test_cursor_pagination_walks_every_item_once(api):
    ids = [f"K{n:03d}" for n in range(37)]
    lines = "".join(json.dumps({"type": "customer", "external_id": i, "name": f"Name {i}"}) + "\n"
                    for i in ids)
    r = api.post("/v1/import", lines, headers={**AUTH, "Content-Type": "application/x-ndjson"})
    assert r.json()["created"] == 37
    for limit in (1, 5, 36, 37, 100):
        seen, cursor, pages = [], None, 0
        while True:
            params = {"limit": limit}
            if cursor is not None:
                params["after"] = cursor
            page = api.get("/v1/customers", params=params).json()
            assert len(page["items"]) <= limit
            seen += [c["external_id"] for c in page["items"]]
            pages += 1
            cursor = page["next"]
            if cursor is None:
                break
            assert pages <= 40
        assert seen == ids, limit
        assert pages == max(1, -(-37 // limit)), limit
    for bad in ("0", "-1", "abc", "100000"):
        r = api.get("/v1/customers", params={"limit": bad})
        assert r.status_code == 422 and error_of(r)["field"] == "limit"


NAMES = ["O'Brien & Søn", "Zoë–Ltd", "张伟", "Anna 🌷"]


@pytest.mark.parametrize("name", NAMES)
def test_utf8_names_round_trip_byte_for_byte(api, name):
    raw = name.encode("utf-8")
    r = api.post("/v1/customers", customer(cid="U1", name=name))
    assert r.status_code == 201
    assert b'"name":"' + raw + b'"' in r.content
    got = api.get("/v1/customers/U1")
    assert b'"name":"' + raw + b'"' in got.content
    assert got.json()["name"] == name
    listed = api.get("/v1/customers").content
    assert b'"name":"' + raw + b'"' in listed


def test_escaped_utf8_input_comes_back_as_utf8(api):
    body = b'{"external_id":"U2","name":"Zo\\u00eb \\ud83c\\udf37"}'
    assert api.post("/v1/customers", body).status_code == 201
    assert b'"name":"Zo\xc3\xab \xf0\x9f\x8c\xb7"' in api.get("/v1/customers/U2").content


def test_ids_with_reserved_characters_are_addressable(api):
    assert api.post("/v1/customers", customer(cid="A/B 1")).status_code == 201
    r = api.get("/v1/customers/A%2FB%201")
    assert r.status_code == 200 and r.json()["external_id"] == "A/B 1"


# ---- engine-backed routes ----

def test_rules_status_reload_and_preview(api):
    r = api.get("/v1/rules")
    assert r.status_code == 200
    status = r.json()
    assert status["version"] and "files" in status and "loaded_at" in status
    r = requests.post(api.base + "/v1/rules/reload", headers=AUTH, timeout=30)
    assert r.status_code == 200 and r.json()["version"] == status["version"]
    api.post("/v1/customers", customer())
    api.post("/v1/invoices", invoice())
    r = api.get("/v1/customers/C1/preview", params={"at": "2026-02-06T09:00:00Z"})
    assert r.status_code == 200, r.text
    r = api.get("/v1/customers/C1/preview", params={"at": "yesterday"})
    assert r.status_code == 422 and error_of(r)["field"] == "at"
    assert api.get("/v1/decisions").json().keys() == {"items", "next"}
    assert api.get("/v1/contacts", params={"after": "0", "limit": "10"}).status_code == 200
    r = api.get("/v1/decisions", params={"after": "x"})
    assert r.status_code == 422 and error_of(r)["field"] == "after"
    timeline = api.get("/v1/customers/C1/timeline")
    assert timeline.status_code == 200
    assert timeline.json()["customer"]["external_id"] == "C1"


# ---- a re-sent record never clears what it does not mention ----

def test_resent_customer_keeps_opt_outs_and_holds(api):
    """Billing re-syncs a customer with its original body (no opt_out, holds or
    language): the opt-outs and holds an agent set stay, the answer is 200
    with nothing changed; an explicit null or [] still clears."""
    body = customer(language="ru")
    assert api.post("/v1/customers", body).status_code == 201
    r = api.put("/v1/customers/C1", {"opt_out": ["sms", "email"], "holds": ["cease_contact"]})
    assert r.status_code == 200, r.text
    resent = dict(body)
    del resent["language"]
    r = api.post("/v1/customers", resent)
    assert r.status_code == 200, r.text
    got = api.get("/v1/customers/C1").json()
    assert sorted(got["opt_out"]) == ["email", "sms"]
    assert got["holds"] == ["cease_contact"]
    assert got["language"] == "ru"
    r = api.put("/v1/customers/C1", {"holds": []})
    assert r.status_code == 200
    assert api.get("/v1/customers/C1").json()["holds"] == []


def test_resent_invoice_keeps_dispute_and_dates(api):
    assert api.post("/v1/customers", customer()).status_code == 201
    body = invoice()
    assert api.post("/v1/invoices", body).status_code == 201
    assert api.put("/v1/invoices/I1", {"status": "disputed"}).status_code == 200
    resent = {k: v for k, v in body.items() if k not in ("status", "issued", "due")}
    r = api.post("/v1/invoices", resent)
    assert r.status_code == 200, r.text
    got = api.get("/v1/invoices/I1").json()
    assert got["status"] == "disputed"
    assert got["due"] == body["due"]
    # the same through bulk import (NDJSON)
    line = json.dumps({"type": "invoice", **resent}) + "\n"
    r = requests.post(api.base + "/v1/import", data=line.encode(),
                      headers={**AUTH, "Content-Type": "application/x-ndjson"}, timeout=30)
    assert r.status_code == 200, r.text
    got = api.get("/v1/invoices/I1").json()
    assert got["status"] == "disputed"
    assert got["due"] == body["due"]
