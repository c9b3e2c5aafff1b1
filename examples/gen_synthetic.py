#!/usr/bin/python3
"""Generate a synthetic portfolio of the same shape as the converted real
data, for load tests: N customers (default 1,000,000), each with one or two
EUR invoices whose days overdue at --as-of spread over -10..120, and partial
or full payments for some of them.

Everything is derived from (seed, customer number) through SHA-512, so the
output is byte-identical for the same arguments and nothing is held in
memory: the generator makes three streaming passes (customers, invoices,
payments). Standard library only.
"""

import argparse
import datetime
import os
import sys

from convert_uci import OUTPUT_DIR, Draws, Progress, customer_record, dump, synthetic_identity

CURRENCY = "EUR"
MIN_DAYS_OVERDUE, MAX_DAYS_OVERDUE = -10, 120
SECOND_INVOICE_PERCENT = 35       # a following monthly invoice, due 30 days later
PARTIAL_PAYMENT_PERCENT = 20
FULL_PAYMENT_PERCENT = 5


def external_id(number):
    return f"SYN-{number:07d}"


def ledger(seed, number, as_of):
    """The invoices and payments of customer `number`: the first invoice is
    MIN..MAX days overdue at as_of (negative = not yet due), EUR 5.00 ..
    2,000.00, issued 20 days before its due date; some customers have a
    second invoice due 30 days later when that is still within the spread;
    some paid part of the first invoice (10..90 %) or all of it, on a day
    between its issue date and the day before as_of."""
    draws = Draws(f"synthetic-ledger-{seed}", number)
    cid = external_id(number)
    days_overdue = MIN_DAYS_OVERDUE + draws.below(MAX_DAYS_OVERDUE - MIN_DAYS_OVERDUE + 1)
    first_due = as_of - datetime.timedelta(days=days_overdue)
    amounts = [500 + draws.below(40000) * 5, 500 + draws.below(40000) * 5]
    dues = [first_due]
    if draws.percent() < SECOND_INVOICE_PERCENT and days_overdue - 30 >= MIN_DAYS_OVERDUE:
        dues.append(first_due + datetime.timedelta(days=30))
    invoices = []
    for index, due in enumerate(dues):
        invoices.append({"type": "invoice", "external_id": f"{cid}-{index + 1}",
                         "customer_id": cid, "currency": CURRENCY,
                         "amount_minor": amounts[index],
                         "issued": (due - datetime.timedelta(days=20)).isoformat(),
                         "due": due.isoformat(), "status": "open"})
    payments = []
    roll = draws.percent()
    issued = first_due - datetime.timedelta(days=20)
    window = (as_of - issued).days          # days from issue up to as_of (exclusive)
    if window > 0 and roll < PARTIAL_PAYMENT_PERCENT + FULL_PAYMENT_PERCENT:
        if roll < PARTIAL_PAYMENT_PERCENT:
            amount = amounts[0] * (10 + draws.below(81)) // 100
        else:
            amount = amounts[0]
        paid_on = issued + datetime.timedelta(days=draws.below(window))
        payments.append({"type": "payment", "external_id": f"{cid}-P1", "customer_id": cid,
                         "currency": CURRENCY, "amount_minor": amount,
                         "paid_on": paid_on.isoformat(), "kind": "payment"})
    return invoices, payments


def generate(customers, seed, as_of, output_path):
    stats = {"customers": 0, "invoices": 0, "payments": 0}
    every = max(customers // 10, 1)
    os.makedirs(os.path.dirname(os.path.abspath(output_path)), exist_ok=True)
    temporary = output_path + ".part"
    with open(temporary, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
        progress = Progress("customers", every)
        for number in range(1, customers + 1):
            draws = Draws(f"synthetic-age-{seed}", number)
            identity = synthetic_identity(f"synthetic-{seed}", number, "lv")
            out.write(dump(customer_record(external_id(number), identity, 18 + draws.below(68))))
            stats["customers"] += 1
            progress.step()
        progress.done()
        progress = Progress("invoices (customers done)", every)
        for number in range(1, customers + 1):
            for invoice in ledger(seed, number, as_of)[0]:
                out.write(dump(invoice))
                stats["invoices"] += 1
            progress.step()
        progress.done()
        progress = Progress("payments (customers done)", every)
        for number in range(1, customers + 1):
            for payment in ledger(seed, number, as_of)[1]:
                out.write(dump(payment))
                stats["payments"] += 1
            progress.step()
        progress.done()
    os.replace(temporary, output_path)
    return stats


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", default="2026-12-01",
                        help="date the days overdue are relative to (YYYY-MM-DD)")
    parser.add_argument("--output", default=os.path.join(OUTPUT_DIR, "portfolio-synthetic.ndjson"))
    args = parser.parse_args()
    if args.customers < 1 or args.customers > 9_999_999:
        parser.error("--customers must be 1..9999999")
    try:
        as_of = datetime.date.fromisoformat(args.as_of)
    except ValueError:
        parser.error("--as-of must be YYYY-MM-DD")
    stats = generate(args.customers, args.seed, as_of, args.output)
    print(" ".join(f"{key}={value}" for key, value in stats.items()), file=sys.stderr)
    print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
