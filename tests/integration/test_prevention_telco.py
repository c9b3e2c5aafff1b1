"""Prevention on a real portfolio: the IBM Telco churn sample (7 043 US
customers, one bill each for their real MonthlyCharges, due 2026-11-20 ..
2026-12-10; examples/convert_telco.py) run through the SHIPPED rules with a
pass every day at 18:00 UTC (10:00 in Los Angeles) from 2026-11-13 to
2026-12-12.

What is asserted comes from the rules guide's shipped strategy (section
"The shipped strategy": every segment's first steps are pre-due reminders,
the earliest five days before the due date, none after it; at most two per
bill) and from the data itself (due dates, amounts and contact points read
from the converted file here, not from the engine):
- nothing is sent more than five local days before a bill's due date, and
  everything before the due date is a prevention reminder (template
  pre_due) naming the bill's amount in dollars;
- every customer with a phone, e-mail or chat handle gets one or two
  prevention reminders; one without any gets none;
- customers who paid in full before their first reminder get nothing.
"""
import collections
import datetime
import json
import subprocess
import zoneinfo

import pytest

from conftest import REPO, Engine

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
FIRST = datetime.date(2026, 11, 13)
LAST = datetime.date(2026, 12, 12)
PAID_EARLY = 200          # customers who pay on 2026-11-14, all due 2026-11-25 or later


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("telco")
    engine = Engine(tmp, REPO / "rules")
    portfolio = tmp / "telco.ndjson"
    subprocess.run(["/usr/bin/python3", str(REPO / "examples" / "convert_telco.py"),
                    "--output", str(portfolio)], check=True, capture_output=True)
    customers, bills = {}, {}
    for line in portfolio.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec["type"] == "customer":
            customers[rec["external_id"]] = rec
        else:
            bills[rec["customer_id"]] = rec
    engine.run("import", "--store", f"sqlite:{engine.db}", str(portfolio))

    late_payers = [cid for cid, bill in bills.items()
                   if bill["due"] >= "2026-11-25"][:PAID_EARLY]
    day = FIRST
    while day <= LAST:
        engine.pass_at(f"{day}T18:00:00Z")
        if day == FIRST:
            engine.load([{"type": "payment", "external_id": f"PAY-{cid}", "customer_id": cid,
                          "currency": "USD", "amount_minor": bills[cid]["amount_minor"],
                          "paid_on": "2026-11-14"} for cid in late_payers],
                        name="payments.ndjson")
        day += datetime.timedelta(days=1)
    rows = engine.query(
        "select c.external_id, o.scheduled_at, o.purpose, o.template, o.channel, o.body "
        "from contacts o join customers c on c.id = o.customer_id")
    return customers, bills, set(late_payers), rows


def lead_days(bill, scheduled_at):
    """Days from the local (Los Angeles) day of sending to the due date."""
    local = datetime.datetime.fromtimestamp(scheduled_at, LA).date()
    return (datetime.date.fromisoformat(bill["due"]) - local).days


def dollars(cents):
    return f"${cents // 100}.{cents % 100:02d}"


def test_nothing_before_five_days_and_only_prevention_before_the_due_date(run):
    _, bills, _, rows = run
    assert rows, "the month of passes planned nothing"
    for cid, at, purpose, template, channel, body in rows:
        lead = lead_days(bills[cid], at)
        assert lead <= 5, (cid, lead, template)
        if lead > 0:
            assert (purpose, template) == ("prevention", "pre_due"), (cid, lead, purpose)
            if channel != "agent":
                assert dollars(bills[cid]["amount_minor"]) in body, (cid, body)
        if purpose == "prevention":
            assert lead > 0, (cid, lead, "a pre-due reminder on or after the due date")


def test_every_reachable_customer_is_reminded_once_or_twice(run):
    customers, _, paid, rows = run
    prevention = collections.Counter(cid for cid, _, purpose, *_ in rows
                                     if purpose == "prevention")
    reachable = {cid for cid, c in customers.items()
                 if c.get("phone") or c.get("email") or c.get("chat")}
    assert len(reachable) < len(customers), "the sample should hold unreachable customers"
    for cid in customers:
        if cid in paid:
            continue
        if cid in reachable:
            assert 1 <= prevention[cid] <= 2, (cid, prevention[cid])
        else:
            assert prevention[cid] == 0, cid


def test_customers_who_paid_early_are_never_contacted(run):
    _, _, paid, rows = run
    assert len(paid) == PAID_EARLY
    contacted = {cid for cid, *_ in rows}
    assert not paid & contacted
