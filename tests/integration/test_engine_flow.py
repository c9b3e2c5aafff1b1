"""End-to-end flow through the real binary (import → pass → guard → outbox)
for the cases in ../shared/cases/dunning-failures.md. The rule set is
tests/integration/rules-flow: steps at -3 (sms), 5 (email, fallback sms)
and 7 (sms) days. Dates are chosen on weekdays that are not Latvian
holidays, at 12:00 Riga time (09:00 UTC), so the guard allows them."""

# due Wednesday 2026-06-03 → day 5 = Monday 06-08, day 7 = Wednesday 06-10
DUE = "2026-06-03"
DAY5 = "2026-06-08T09:00:00Z"
DAY7 = "2026-06-10T09:00:00Z"


def customer(cid, name="Ann Lee", **extra):
    rec = {"type": "customer", "external_id": cid, "name": name, "language": "en",
           "timezone": "Europe/Riga", "country": "LV", "email": f"{cid.lower()}@example.com",
           "phone": "+37120000001"}
    rec.update(extra)
    return rec


def invoice(iid, cid, amount=10000, due=DUE, status="open"):
    rec = {"type": "invoice", "external_id": iid, "customer_id": cid, "currency": "EUR",
           "amount_minor": amount, "issued": "2026-05-01", "status": status}
    if due is not None:
        rec["due"] = due
    return rec


def test_rerunning_the_pass_sends_once(engine):
    """Case 1: four passes in a day, two of them at the same time → one message."""
    engine.load([customer("C1"), invoice("I1", "C1")])
    engine.pass_at(DAY5)
    a = engine.popen_pass("2026-06-08T10:00:00Z")
    b = engine.popen_pass("2026-06-08T10:00:00Z")
    for p in (a, b):
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    engine.pass_at("2026-06-08T13:00:00Z")
    rows = engine.query("select step_day, state from contacts")
    assert rows == [(5, "sent")]
    assert len(engine.outbox_files()) == 1


def test_payment_before_dispatch_cancels_with_reason(engine):
    """Case 3: a full payment lands after the contact was planned but before it
    is sent: nothing is sent, the contact is cancelled with the reason."""
    engine.load([customer("C1"), invoice("I1", "C1")])
    engine.pass_at(DAY5, dispatch=False)
    assert engine.query("select state from contacts") == [("planned",)]
    engine.load([{"type": "payment", "external_id": "P1", "customer_id": "C1",
                  "currency": "EUR", "amount_minor": 10000, "paid_on": "2026-06-08"}],
                name="pay.ndjson")
    engine.pass_at("2026-06-08T09:05:00Z")
    (state, reason), = engine.query("select state, state_reason from contacts")
    assert state == "cancelled"
    assert "paid" in reason
    assert engine.outbox_files() == []


def test_one_bad_customer_never_stops_the_batch(engine):
    """Case 6: the middle customer has no e-mail, no phone, and a rule that
    fails for it; customers 1 and 3 are contacted, 2 is recorded with the
    reason; a re-run contacts nobody again."""
    recs = [customer("C1"),
            customer("C2", name="RULE ERROR", email="", phone=""),
            customer("C3"),
            invoice("I1", "C1"), invoice("I2", "C2"), invoice("I3", "C3")]
    engine.load(recs)
    engine.pass_at(DAY5)
    sent = engine.query("select c.external_id from contacts k join customers c on c.id = k.customer_id"
                        " where k.state = 'sent' order by 1")
    assert sent == [("C1",), ("C3",)]
    (action, reason, where), = engine.query(
        "select d.action, d.reason, d.rule_where from decisions d join customers c on c.id = d.customer_id"
        " where c.external_id = 'C2'")
    assert action == "error"
    assert "breaks the rule" in reason
    assert "rules.lua:" in where
    engine.pass_at("2026-06-08T15:00:00Z")
    assert engine.query("select count(*) from contacts") == [(2,)]


def test_a_malformed_record_is_rejected_alone(engine):
    """Bad input loses nothing: the malformed phone row is refused with its
    line and field; the rows around it are imported."""
    proc = engine.load([customer("C1"), customer("C2", phone="12-34"), customer("C3")],
                       check=False)
    assert proc.returncode == 1
    assert "line 2" in proc.stderr and "phone" in proc.stderr
    assert engine.query("select external_id from customers order by 1") == [("C1",), ("C3",)]


def test_draft_disputed_on_hold_are_not_reminded_and_resume_once(engine):
    """Case 7: overdue invoices in draft, disputed and on-hold states get no
    reminder; when the dispute is closed the customer gets one message at the
    current stage (day 7), not the missed day-5 one as well."""
    engine.load([customer("C1"), customer("C2"), customer("C3"),
                 invoice("I1", "C1", status="draft"),
                 invoice("I2", "C2", status="disputed"),
                 invoice("I3", "C3", status="on_hold")])
    engine.pass_at(DAY5)
    assert engine.query("select count(*) from contacts") == [(0,)]
    engine.load([invoice("I2", "C2", status="open")], name="resolved.ndjson")
    engine.pass_at(DAY7)
    rows = engine.query("select c.external_id, k.step_day, k.state from contacts k"
                        " join customers c on c.id = k.customer_id")
    assert rows == [("C2", 7, "sent")]


def test_invoice_without_due_date_gets_no_overdue_reminder(engine):
    """Case 5 (second half): no due date → no overdue step."""
    engine.load([customer("C1"), invoice("I1", "C1", due=None)])
    engine.pass_at(DAY7)
    assert engine.query("select count(*) from contacts") == [(0,)]


def test_fallback_to_sms_when_no_email(engine):
    """The day-5 step is e-mail with an SMS fallback: without an address the
    SMS goes out and the decision says why."""
    engine.load([customer("C1", email=""), invoice("I1", "C1")])
    engine.pass_at(DAY5)
    (channel, state), = engine.query("select channel, state from contacts")
    assert (channel, state) == ("sms", "sent")
    (reason,), = engine.query("select reason from decisions where action = 'contact'")
    assert "fell back to sms" in reason and "no e-mail address" in reason


def test_shared_email_falls_back_to_the_debtors_phone(engine):
    """Compliance case 14: the e-mail address is marked as not the debtor's
    (third_party): the day-5 step falls back to SMS on the debtor's own phone
    and nothing reaches the shared address."""
    engine.load([customer("C1", third_party=["email"]), invoice("I1", "C1")])
    engine.pass_at(DAY5)
    (channel, state, address), = engine.query("select channel, state, address from contacts")
    assert (channel, state, address) == ("sms", "sent", "+37120000001")
    (reason,), = engine.query("select reason from decisions where action = 'contact'")
    assert "not the debtor's own contact point" in reason


def test_blackout_set_by_the_customer_defers_the_message(engine):
    """Compliance case 8 end to end: the customer said "never weekdays
    12:00-13:00" (Riga); the day-5 e-mail planned at 12:00 (09:00 UT) is
    scheduled for 13:00 (10:00 UT) instead."""
    engine.load([customer("C1", blackout=["mon-fri 12:00-13:00"]), invoice("I1", "C1")])
    engine.pass_at(DAY5, dispatch=False)
    (scheduled, state), = engine.query("select scheduled_at, state from contacts")
    assert state == "planned"
    assert scheduled == 1780912800          # 2026-06-08T10:00:00Z
    (verdict, reason), = engine.query(
        "select guard_verdict, guard_reason from decisions where action = 'contact'")
    assert verdict == "defer" and reason.startswith("blackout")


def test_names_reach_the_message_byte_for_byte(engine):
    """Case 8: names with apostrophes, ampersands, dashes, CJK and emoji are
    stored and rendered unchanged; the SMS with CJK is counted as UCS-2."""
    names = ["O'Brien & Søn", "Zoë–Ltd", "张伟", "Anna 🌷"]
    recs = [customer(f"C{i}", name=n, email="") for i, n in enumerate(names)]
    recs += [invoice(f"I{i}", f"C{i}") for i in range(len(names))]
    engine.load(recs)
    engine.pass_at(DAY5)
    stored = [r[0] for r in engine.query("select name from customers order by external_id")]
    assert stored == names
    bodies = {r[0]: (r[1], r[2]) for r in engine.query(
        "select c.name, k.body, k.sms_encoding from contacts k join customers c on c.id = k.customer_id")}
    for n in names:
        assert n in bodies[n][0]
    assert bodies["张伟"][1] == "ucs2"
    assert bodies["Anna 🌷"][1] == "ucs2"
    assert bodies["Zoë–Ltd"][1] == "ucs2"          # ë and the en dash are not GSM-7
    assert bodies["O'Brien & Søn"][1] == "gsm7"    # ø, & and ' are; € is an extension
