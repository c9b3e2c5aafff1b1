#!/usr/bin/python3
"""Convert the IBM "Telco Customer Churn" sample (7,043 customers) into an
NDJSON portfolio for a pre-due prevention example.

Each customer gets one open invoice for its real MonthlyCharges, in USD
cents (parsed as a decimal, never as a float), issued 2026-11-01 and due on
a date spread deterministically over 2026-11-20..2026-12-10, so a pass in
early December finds customers both before and just after their due date.
No payments are imported. Tenure, contract, payment method and the other
columns are not part of the customer record format and are dropped; gender,
SeniorCitizen, Partner and Dependents are never read. Names, contacts and
time zones are synthetic and deterministic (see convert_uci.py).

Customers first, then invoices; standard library only; byte-identical output
for the same input.
"""

import argparse
import csv
import datetime
import decimal
import os
import sys

from convert_uci import OUTPUT_DIR, SHARED_DATA, Draws, Progress, customer_record, dump, synthetic_identity

CURRENCY = "USD"
ISSUED = datetime.date(2026, 11, 1)
FIRST_DUE = datetime.date(2026, 11, 20)
DUE_SPREAD_DAYS = 21      # 2026-11-20 .. 2026-12-10 inclusive
CENT = decimal.Decimal("0.01")
USED_COLUMNS = ["customerID", "tenure", "MonthlyCharges", "TotalCharges"]


def to_cents(text, line, column):
    """Exact integer cents of a decimal dollar string such as "29.85"
    (→ 2985). Rejects negative values and values with more than two
    decimals."""
    try:
        value = decimal.Decimal(text.strip())
    except decimal.InvalidOperation:
        raise SystemExit(f"line {line}: {column} is not a decimal: {text!r}")
    if not value.is_finite() or value < 0 or value.quantize(CENT) != value:
        raise SystemExit(f"line {line}: {column} is not a dollar amount: {text!r}")
    return int(value * 100)


def read_rows(path):
    """Yields checked (customer id, tenure, monthly cents) per CSV row.
    TotalCharges is a single space for the 11 customers with tenure 0 (not
    billed yet); it is checked for consistency and otherwise unused."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [name for name in USED_COLUMNS if name not in (reader.fieldnames or [])]
        if missing:
            raise SystemExit(f"{path}: missing columns {missing}")
        for row in reader:
            line = reader.line_num
            try:
                tenure = int(row["tenure"])
            except ValueError:
                raise SystemExit(f"line {line}: tenure is not an integer: {row['tenure']!r}")
            monthly = to_cents(row["MonthlyCharges"], line, "MonthlyCharges")
            if row["TotalCharges"].strip() == "":
                if tenure != 0:
                    raise SystemExit(f"line {line}: TotalCharges empty with tenure {tenure}")
            else:
                to_cents(row["TotalCharges"], line, "TotalCharges")
            if monthly <= 0:
                raise SystemExit(f"line {line}: MonthlyCharges must be positive")
            yield row["customerID"], tenure, monthly


def due_date(customer_id):
    return FIRST_DUE + datetime.timedelta(days=Draws("telco-due", customer_id).below(DUE_SPREAD_DAYS))


def convert(input_path, output_path):
    stats = {"customers": 0, "invoices": 0, "tenure_zero": 0}
    os.makedirs(os.path.dirname(os.path.abspath(output_path)), exist_ok=True)
    temporary = output_path + ".part"
    with open(temporary, "w", encoding="utf-8", newline="\n") as out:
        progress = Progress("customers", 1000)
        for customer_id, tenure, _ in read_rows(input_path):
            identity = synthetic_identity("telco", customer_id, "us")
            out.write(dump(customer_record(f"TEL-{customer_id}", identity, 0)))
            stats["customers"] += 1
            stats["tenure_zero"] += tenure == 0
            progress.step()
        progress.done()
        progress = Progress("invoices", 1000)
        for customer_id, _, monthly in read_rows(input_path):
            out.write(dump({"type": "invoice", "external_id": f"TEL-{customer_id}-2026-11",
                            "customer_id": f"TEL-{customer_id}", "currency": CURRENCY,
                            "amount_minor": monthly, "issued": ISSUED.isoformat(),
                            "due": due_date(customer_id).isoformat(), "status": "open"}))
            stats["invoices"] += 1
            progress.step()
        progress.done()
    os.replace(temporary, output_path)
    return stats


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", default=os.path.join(SHARED_DATA, "telco-churn.csv"))
    parser.add_argument("--output", default=os.path.join(OUTPUT_DIR, "portfolio-telco.ndjson"))
    args = parser.parse_args()
    stats = convert(args.input, args.output)
    print(" ".join(f"{key}={value}" for key, value in stats.items()), file=sys.stderr)
    print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
