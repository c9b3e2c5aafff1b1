"""Integration tests for examples/convert_uci.py, convert_telco.py and
gen_synthetic.py: each runs on the real data in ../shared/data into a
temporary directory, and the output is checked against values read from the
CSV files here (independently of the converters' code) or worked out by hand
from the first CSV rows and written literally.

Run: /usr/bin/python3 -m pytest tests/integration/test_converters.py
"""

import csv
import datetime
import json
import os
import re
import subprocess

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("DN_SHARED_DIR", os.path.join(REPO, "..", "shared"))
UCI_CSV = os.path.join(SHARED, "data", "uci-credit-card-default.csv")
TELCO_CSV = os.path.join(SHARED, "data", "telco-churn.csv")
PYTHON = "/usr/bin/python3"

STATUSES = {"draft", "open", "disputed", "on_hold", "paid", "credited", "written_off"}
PHONE = re.compile(r"^\+[0-9]{8,15}$")
TIMEZONE = re.compile(r"^[A-Z][A-Za-z_]+/[A-Za-z_]+$")
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
PROTECTED = ("sex", "gender", "education", "marriage", "marital")
TYPE_ORDER = {"customer": 0, "invoice": 1, "payment": 2}


def run(script, *args):
    """Runs one example script; returns its stderr (progress)."""
    done = subprocess.run([PYTHON, os.path.join(REPO, "examples", script), *args],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stderr


def read_bytes(path):
    with open(path, "rb") as handle:
        return handle.read()


def parse(data):
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


@pytest.fixture(scope="module")
def uci(tmp_path_factory):
    """(records, raw bytes of run 1, raw bytes of run 2, csv rows by ID)."""
    directory = tmp_path_factory.mktemp("uci")
    outputs = []
    for name in ("first.ndjson", "second.ndjson"):
        path = str(directory / name)
        run("convert_uci.py", "--input", UCI_CSV, "--output", path)
        outputs.append(read_bytes(path))
    with open(UCI_CSV, newline="", encoding="utf-8") as handle:
        rows = {int(row["ID"]): row for row in csv.DictReader(handle)}
    return parse(outputs[0]), outputs[0], outputs[1], rows


@pytest.fixture(scope="module")
def telco(tmp_path_factory):
    directory = tmp_path_factory.mktemp("telco")
    outputs = []
    for name in ("first.ndjson", "second.ndjson"):
        path = str(directory / name)
        run("convert_telco.py", "--input", TELCO_CSV, "--output", path)
        outputs.append(read_bytes(path))
    with open(TELCO_CSV, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return parse(outputs[0]), outputs[0], outputs[1], rows


def by_customer(records):
    grouped = {}
    for record in records:
        key = record["external_id"] if record["type"] == "customer" else record["customer_id"]
        grouped.setdefault(key, []).append(record)
    return grouped


def check_common_rules(records):
    """Field rules shared by every portfolio: order customers → invoices →
    payments, references resolve, ids unique, amounts positive integers,
    contact points well formed."""
    seen_customers, seen_invoices, ids = set(), set(), set()
    last_rank = 0
    for record in records:
        rank = TYPE_ORDER[record["type"]]
        assert rank >= last_rank, record
        last_rank = rank
        assert (record["type"], record["external_id"]) not in ids, record
        ids.add((record["type"], record["external_id"]))
        for key in record:
            assert not any(word in key.lower() for word in PROTECTED), record
        if record["type"] == "customer":
            seen_customers.add(record["external_id"])
            assert record["language"] in ("lv", "ru", "en"), record
            assert TIMEZONE.match(record["timezone"]), record
            assert re.match(r"^[A-Z]{2}$", record["country"]), record
            if "phone" in record:
                assert PHONE.match(record["phone"]), record
            if "email" in record:
                assert record["email"].count("@") == 1, record
                assert record["email"].split("@")[1] in ("example.com", "example.net",
                                                         "example.org"), record
            assert record["name"].strip(), record
            continue
        assert record["customer_id"] in seen_customers, record
        assert type(record["amount_minor"]) is int and record["amount_minor"] > 0, record
        assert re.match(r"^[A-Z]{3}$", record["currency"]), record
        if record["type"] == "invoice":
            seen_invoices.add(record["external_id"])
            assert record["status"] in STATUSES, record
            assert DATE.match(record["issued"]) and DATE.match(record["due"]), record
            assert record["issued"] <= record["due"], record
        else:
            assert record["kind"] in ("payment", "credit_note"), record
            assert DATE.match(record["paid_on"]), record


# ---------------------------------------------------------------- UCI ----

def test_uci_is_byte_identical_across_runs(uci):
    _, first, second, _ = uci
    assert first == second


def test_uci_field_rules_and_order(uci):
    check_common_rules(uci[0])


def test_uci_has_every_card_holder_once_with_real_age(uci):
    records, _, _, rows = uci
    customers = [record for record in records if record["type"] == "customer"]
    assert len(customers) == 30000
    ages = {record["external_id"]: record["age"] for record in customers}
    assert ages == {f"UCI-{number}": int(row["AGE"]) for number, row in rows.items()}


def test_uci_protected_attributes_never_appear(uci):
    _, first, _, _ = uci
    text = first.decode("utf-8").lower()
    for word in ("sex", "education", "marriage", "marital", "gender"):
        assert word not in text


# Hand-worked from the first CSV rows (see examples/README.md, "UCI mapping"):
# ID 1: BILL Sep 3913, Aug 3102, Jul 689, Jun..Apr 0; PAY_0 = 2 → open
#   statement due 2005-10-01 − 60 days = 2005-08-02, issued on the 1st of that
#   month; Jul and Aug statements are due on/after it → credited; the only
#   payment (PAY_AMT2 = 689 on 2005-08-20) is inside the arrears window → left out.
# ID 3: PAY_0 = 0 → due 2005-10-25; every history statement settled by the
#   next month's payment plus a credit note for the rest, dated on its due
#   date (all PAY_x = 0); the April payment (5000) settled March → left out.
# ID 2: PAY_6 = 2 → the April statement's carry-forward is dated
#   2005-05-25 + 60 days = 2005-07-24; PAY_2 = 2 → August's would be
#   2005-11-24, capped at 2005-09-30; PAY_AMT5 (May) = 0 → no May payment.
UCI_EXPECTED = [
    ("UCI-1", [
        ("invoice", "UCI-1-2005-07", 68900, "2005-08-25", "credited"),
        ("invoice", "UCI-1-2005-08", 310200, "2005-09-25", "credited"),
        ("invoice", "UCI-1-2005-09", 391300, "2005-08-02", "open"),
    ]),
    ("UCI-2", [
        ("invoice", "UCI-2-2005-04", 326100, "2005-05-25", "open"),
        ("invoice", "UCI-2-2005-05", 345500, "2005-06-25", "open"),
        ("invoice", "UCI-2-2005-06", 327200, "2005-07-25", "open"),
        ("invoice", "UCI-2-2005-07", 268200, "2005-08-25", "open"),
        ("invoice", "UCI-2-2005-08", 172500, "2005-09-25", "open"),
        ("invoice", "UCI-2-2005-09", 268200, "2005-10-25", "open"),
        ("credit_note", "UCI-2-C-2005-04", 326100, "2005-07-24", None),
        ("payment", "UCI-2-P-2005-06", 100000, "2005-06-20", None),
        ("credit_note", "UCI-2-C-2005-05", 245500, "2005-06-25", None),
        ("payment", "UCI-2-P-2005-07", 100000, "2005-07-20", None),
        ("credit_note", "UCI-2-C-2005-06", 227200, "2005-07-25", None),
        ("payment", "UCI-2-P-2005-08", 100000, "2005-08-20", None),
        ("credit_note", "UCI-2-C-2005-07", 168200, "2005-08-25", None),
        ("credit_note", "UCI-2-C-2005-08", 172500, "2005-09-30", None),
    ]),
    ("UCI-3", [
        ("invoice", "UCI-3-2005-04", 1554900, "2005-05-25", "open"),
        ("invoice", "UCI-3-2005-05", 1494800, "2005-06-25", "open"),
        ("invoice", "UCI-3-2005-06", 1433100, "2005-07-25", "open"),
        ("invoice", "UCI-3-2005-07", 1355900, "2005-08-25", "open"),
        ("invoice", "UCI-3-2005-08", 1402700, "2005-09-25", "open"),
        ("invoice", "UCI-3-2005-09", 2923900, "2005-10-25", "open"),
        ("payment", "UCI-3-P-2005-05", 100000, "2005-05-20", None),
        ("credit_note", "UCI-3-C-2005-04", 1454900, "2005-05-25", None),
        ("payment", "UCI-3-P-2005-06", 100000, "2005-06-20", None),
        ("credit_note", "UCI-3-C-2005-05", 1394800, "2005-06-25", None),
        ("payment", "UCI-3-P-2005-07", 100000, "2005-07-20", None),
        ("credit_note", "UCI-3-C-2005-06", 1333100, "2005-07-25", None),
        ("payment", "UCI-3-P-2005-08", 150000, "2005-08-20", None),
        ("credit_note", "UCI-3-C-2005-07", 1205900, "2005-08-25", None),
        ("payment", "UCI-3-P-2005-09", 151800, "2005-09-20", None),
        ("credit_note", "UCI-3-C-2005-08", 1250900, "2005-09-25", None),
    ]),
]
UCI_OPEN_BALANCE = {"UCI-1": 391300, "UCI-2": 268200, "UCI-3": 2923900}


@pytest.mark.parametrize("customer,expected", UCI_EXPECTED, ids=[row[0] for row in UCI_EXPECTED])
def test_uci_hand_worked_customers(uci, customer, expected):
    ledger = [record for record in by_customer(uci[0])[customer] if record["type"] != "customer"]
    actual = []
    for record in ledger:
        if record["type"] == "invoice":
            actual.append(("invoice", record["external_id"], record["amount_minor"],
                           record["due"], record["status"]))
        else:
            actual.append((record["kind"], record["external_id"], record["amount_minor"],
                           record["paid_on"], None))
    assert actual == expected
    open_total = sum(r["amount_minor"] for r in ledger
                     if r["type"] == "invoice" and r["status"] == "open")
    settled = sum(r["amount_minor"] for r in ledger if r["type"] == "payment")
    assert open_total - settled == UCI_OPEN_BALANCE[customer]


def test_uci_open_statement_carries_september_balance_and_arrears(uci):
    """For every card holder, read from the CSV: the invoices are exactly the
    positive bills (× 100); after oldest-due-first allocation of everything
    imported, only the September statement stays open, for BILL_AMT1 × 100,
    due 30 × PAY_0 days before 2005-10-01 when PAY_0 ≥ 1, else 2005-10-25."""
    records, _, _, rows = uci
    grouped = by_customer(records)
    suffix_of_month = {"04": "6", "05": "5", "06": "4", "07": "3", "08": "2", "09": "1"}
    invoice_count = 0
    for number, row in rows.items():
        ledger = grouped[f"UCI-{number}"]
        invoices = [r for r in ledger if r["type"] == "invoice"]
        settlements = [r for r in ledger if r["type"] == "payment"]
        invoice_count += len(invoices)
        expected_bills = {month: int(row[f"BILL_AMT{suffix}"]) * 100
                          for month, suffix in suffix_of_month.items()
                          if int(row[f"BILL_AMT{suffix}"]) > 0}
        assert {r["external_id"][-2:]: r["amount_minor"] for r in invoices} == expected_bills
        september = [r for r in invoices if r["external_id"].endswith("-2005-09")]
        history_open = [r for r in invoices
                        if r["status"] == "open" and not r["external_id"].endswith("-2005-09")]
        settled = sum(r["amount_minor"] for r in settlements)
        assert settled == sum(r["amount_minor"] for r in history_open), number
        if september:
            months_late = int(row["PAY_0"])
            due = (datetime.date(2005, 10, 1) - datetime.timedelta(days=30 * months_late)
                   if months_late >= 1 else datetime.date(2005, 10, 25))
            assert september[0]["due"] == due.isoformat(), number
            assert september[0]["status"] == "open", number
            assert all(r["due"] < september[0]["due"] for r in history_open), number
        for record in settlements:
            if record["kind"] == "payment":
                month = record["external_id"][-2:]
                assert month != "04", number
                assert record["amount_minor"] <= int(row[f"PAY_AMT{suffix_of_month[month]}"]) * 100
    assert invoice_count == 157963   # positive BILL_AMT cells, counted from the CSV


# -------------------------------------------------------------- telco ----

def test_telco_is_byte_identical_across_runs(telco):
    _, first, second, _ = telco
    assert first == second


def test_telco_field_rules_and_order(telco):
    check_common_rules(telco[0])


def cents_by_hand(text):
    """'29.85' → 2985, '20.5' → 2050, '70' → 7000, by string surgery."""
    dollars, _, fraction = text.partition(".")
    return int(dollars) * 100 + int((fraction + "00")[:2])


@pytest.mark.parametrize("customer_id,cents", [
    ("7590-VHVEG", 2985),    # first row, MonthlyCharges 29.85
    ("5575-GNVDE", 5695),    # second row, 56.95
    ("3668-QPYBK", 5385),    # third row, 53.85
])
def test_telco_literal_amounts(telco, customer_id, cents):
    invoice = [r for r in by_customer(telco[0])[f"TEL-{customer_id}"] if r["type"] == "invoice"]
    assert [r["amount_minor"] for r in invoice] == [cents]


def test_telco_every_customer_one_exact_open_invoice(telco):
    records, _, _, rows = telco
    customers = [r for r in records if r["type"] == "customer"]
    invoices = {r["customer_id"]: r for r in records if r["type"] == "invoice"}
    assert len(customers) == 7043 and len(invoices) == 7043
    assert not [r for r in records if r["type"] == "payment"]
    for row in rows:
        invoice = invoices[f"TEL-{row['customerID']}"]
        assert invoice["amount_minor"] == cents_by_hand(row["MonthlyCharges"]), row
        assert invoice["currency"] == "USD" and invoice["status"] == "open"
        assert invoice["issued"] == "2026-11-01"
        assert "2026-11-20" <= invoice["due"] <= "2026-12-10"
    assert {r["country"] for r in customers} == {"US"}
    assert {r["timezone"] for r in customers} == {"America/Los_Angeles"}


def test_telco_tenure_zero_rows_are_imported(telco):
    records, _, _, rows = telco
    blank = [row for row in rows if row["TotalCharges"] == " "]
    assert len(blank) == 11
    assert all(row["tenure"] == "0" for row in blank)
    grouped = by_customer(records)
    for row in blank:
        ledger = grouped[f"TEL-{row['customerID']}"]
        assert [r["type"] for r in ledger] == ["customer", "invoice"]
        assert ledger[1]["amount_minor"] == cents_by_hand(row["MonthlyCharges"])


# ---------------------------------------------------------- synthetic ----

def test_synthetic_is_deterministic_and_in_range(tmp_path):
    outputs = []
    for name in ("a.ndjson", "b.ndjson"):
        path = str(tmp_path / name)
        run("gen_synthetic.py", "--customers", "3000", "--seed", "7", "--as-of", "2026-12-01",
            "--output", path)
        outputs.append(read_bytes(path))
    assert outputs[0] == outputs[1]
    other = str(tmp_path / "c.ndjson")
    run("gen_synthetic.py", "--customers", "3000", "--seed", "8", "--as-of", "2026-12-01",
        "--output", other)
    assert read_bytes(other) != outputs[0]
    records = parse(outputs[0])
    check_common_rules(records)
    assert sum(r["type"] == "customer" for r in records) == 3000
    as_of = datetime.date(2026, 12, 1)
    overdue = [(as_of - datetime.date.fromisoformat(r["due"])).days
               for r in records if r["type"] == "invoice"]
    assert min(overdue) == -10 and max(overdue) == 120
    counts = {}
    for r in records:
        if r["type"] == "invoice":
            counts[r["customer_id"]] = counts.get(r["customer_id"], 0) + 1
    assert set(counts.values()) == {1, 2} and len(counts) == 3000
    first_invoice = {r["customer_id"]: r for r in records
                     if r["type"] == "invoice" and r["external_id"].endswith("-1")}
    payments = [r for r in records if r["type"] == "payment"]
    assert payments
    for payment in payments:
        invoice = first_invoice[payment["customer_id"]]
        assert payment["amount_minor"] <= invoice["amount_minor"]
        assert invoice["issued"] <= payment["paid_on"] < "2026-12-01"
