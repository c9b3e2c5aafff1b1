"""Inbound replies through the real server (POST /v1/replies): STOP words
(en/lv/ru) opt the customer out of that channel and queue exactly one
confirmation, which the dispatcher sends even though the channel is opted
out; "1"/jā/да record a promise the rules see; anything else becomes an
agent task; every reply is an event; bad input is refused precisely. Each
test runs on SQLite and, with the private test server, on MariaDB.

Run: /usr/bin/python3 -m pytest tests/integration/test_replies.py"""
import pytest

from channels_helpers import Server, customer, invoice


@pytest.fixture
def server(tmp_path, store_db):
    s = Server(tmp_path, db=store_db)
    yield s
    s.stop()


def reply_events(server, cid):
    timeline = server.get(f"/v1/customers/{cid}/timeline").json()
    return [e for e in timeline["events"] if e["kind"] == "reply"]


def test_stop_words_opt_out_with_one_confirmation(server):
    assert server.post("/v1/customers", customer("C1", chat="5551")).status_code == 201
    assert server.post("/v1/invoices", invoice("I1", "C1", 4200, due="2026-06-20")).status_code == 201
    r = server.post("/v1/replies", {"channel": "sms", "from": "+37120000001", "text": "  Stop! "})
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["classification"] == "opt_out" and first["customer_id"] == "C1"
    assert isinstance(first["opt_out_confirmation"], int)
    # a second STOP (Latvian) is recorded, but no second confirmation
    r = server.post("/v1/replies", {"channel": "sms", "from": "37120000001", "text": "BEIGT"})
    assert r.status_code == 201
    assert r.json()["classification"] == "opt_out" and r.json()["opt_out_confirmation"] is None
    assert server.get("/v1/customers/C1").json()["opt_out"] == ["sms"]
    # Russian on chat: chat opted out too
    r = server.post("/v1/replies", {"channel": "chat", "from": "5551", "text": "СТОП"})
    assert r.status_code == 201 and r.json()["classification"] == "opt_out"
    assert sorted(server.get("/v1/customers/C1").json()["opt_out"]) == ["chat", "sms"]

    # the dispatcher sends the sms confirmation once, in the customer's language
    def confirmation_sent():
        rows = server.query("SELECT state, body, channel, state_reason FROM contacts "
                            "WHERE purpose = 'optout_confirm' ORDER BY channel")
        # settled: neither waiting nor still being handed over
        done = len(rows) == 2 and all(r[0] not in ("planned", "sending") for r in rows)
        return rows if done else None
    rows = server.wait_for("the confirmation to be sent", confirmation_sent)
    assert [(r[0], r[2]) for r in rows] == [("sent", "chat"), ("sent", "sms")], rows
    assert all("atteicies" in r[1] for r in rows)
    files = [p for p in server.outbox.rglob("*") if p.is_file()
             and "atteicies" in p.read_text(encoding="utf-8")]
    assert len(files) == 2   # one sms, one chat confirmation
    assert len(reply_events(server, "C1")) == 3


def test_the_sent_confirmation_is_stored_and_earned_once_per_opt_out(server):
    """Regulation F case 9: after STOP, exactly one confirmation on that
    channel; the customer's opt_out_confirmed records it once it is sent
    and the guard reads it; e-mail and calls are unaffected."""
    assert server.post("/v1/customers", customer("C7")).status_code == 201
    assert server.post("/v1/invoices", invoice("I7", "C7", 4200, due="2026-06-20")).status_code == 201
    r = server.post("/v1/replies", {"channel": "sms", "from": "+37120000007", "text": "STOP"})
    first = r.json()["opt_out_confirmation"]
    assert isinstance(first, int)
    def sent():
        rows = server.query(f"SELECT state FROM contacts WHERE id = {first}")
        return rows if rows and rows[0][0] not in ("planned", "sending") else None
    assert server.wait_for("the confirmation to be sent", sent) == [("sent",)]
    got = server.get("/v1/customers/C7").json()
    assert got["opt_out"] == ["sms"] and got["opt_out_confirmed"] == ["sms"]
    rows = server.query("SELECT opt_out_confirmed FROM customers WHERE external_id = 'C7'")
    assert rows == [(1,)]       # the sms bit (docs/compliance.md)

    now = server.get("/v1/customers/C7/contactability").json()["channels"]
    assert now["sms"]["now"]["code"] == "opted_out"
    assert now["email"]["now"]["code"] != "opted_out"
    assert now["voice"]["now"]["code"] != "opted_out"

    # a second STOP while opted out: recorded, no second confirmation
    r = server.post("/v1/replies", {"channel": "sms", "from": "+37120000007", "text": "stop"})
    assert r.status_code == 201 and r.json()["opt_out_confirmation"] is None
    assert server.query("SELECT COUNT(*) FROM contacts WHERE purpose = 'optout_confirm'") == [(1,)]

    # opting in again forgets the confirmation; the next STOP earns its own
    r = server.put("/v1/customers/C7", {"opt_out": []})
    assert r.status_code == 200, r.text
    assert r.json()["opt_out_confirmed"] == []
    r = server.post("/v1/replies", {"channel": "sms", "from": "+37120000007", "text": "STOP"})
    second = r.json()["opt_out_confirmation"]
    assert isinstance(second, int) and second != first


def test_yes_words_make_a_promise_the_rules_see(server):
    assert server.post("/v1/customers", customer("C2", chat="777")).status_code == 201
    assert server.post("/v1/invoices", invoice("I2", "C2", 15000, due="2026-06-20")).status_code == 201
    r = server.post("/v1/replies", {"channel": "chat", "from": "777", "text": "Jā",
                                    "provider_id": "tg-1001"})
    assert r.status_code == 201, r.text
    assert r.json()["classification"] == "promise" and isinstance(r.json()["promise_id"], int)
    # promise_days 7 from 2026-06-02: due 2026-06-09 for the whole balance
    rows = server.query("SELECT amount_minor, currency, due, state FROM promises")
    assert rows == [(15000, "EUR", "2026-06-09", "pending")]
    decision = server.get("/v1/customers/C2/preview").json()["decision"]
    assert decision["action"] == "wait" and "2026-06-09" in decision["reason"]
    # the same provider id again: not applied twice
    r = server.post("/v1/replies", {"channel": "chat", "from": "777", "text": "Jā",
                                    "provider_id": "tg-1001"})
    assert r.status_code == 200 and r.json()["duplicate"] is True
    assert len(server.query("SELECT id FROM promises")) == 1
    assert len(reply_events(server, "C2")) == 1
    for text in ("1", "да", "YES"):
        r = server.post("/v1/replies", {"channel": "chat", "customer_id": "C2", "text": text})
        assert r.json()["classification"] == "promise", text


def test_a_provider_id_is_a_duplicate_only_from_the_same_sender_and_channel(server):
    """Provider ids are unique per provider only: another customer's STOP, or
    the same id on another channel, is a new reply (never dropped)."""
    assert server.post("/v1/customers", customer("D1", phone="+37120000031")).status_code == 201
    assert server.post("/v1/customers", customer("D2", phone="+37120000032",
                                                 chat="9032")).status_code == 201
    r = server.post("/v1/replies", {"channel": "sms", "from": "+37120000031", "text": "1",
                                    "provider_id": "mo-6"})
    assert r.status_code == 201, r.text
    r = server.post("/v1/replies", {"channel": "sms", "from": "+37120000032", "text": "STOP",
                                    "provider_id": "mo-6"})
    assert r.status_code == 201, r.text
    assert r.json()["classification"] == "opt_out"
    assert server.get("/v1/customers/D2").json()["opt_out"] == ["sms"]
    r = server.post("/v1/replies", {"channel": "chat", "from": "9032", "text": "stop",
                                    "provider_id": "mo-6"})
    assert r.status_code == 201, r.text
    assert sorted(server.get("/v1/customers/D2").json()["opt_out"]) == ["chat", "sms"]


def test_other_text_becomes_an_agent_task_and_errors_are_precise(server):
    assert server.post("/v1/customers", customer("C3")).status_code == 201
    assert server.post("/v1/invoices", invoice("I3", "C3", 30000, due="2026-06-20")).status_code == 201
    r = server.post("/v1/replies", {"channel": "sms", "from": "+37120000003",
                                    "text": "Kad varēšu, samaksāšu"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["classification"] == "other" and isinstance(body["task_id"], int)
    task = server.get(f"/v1/agent/tasks/{body['task_id']}").json()
    assert task["source"] == "reply" and task["customer_id"] == "C3"
    assert "Kad varēšu, samaksāšu" in task["reason"]
    # not yet due: no days overdue; 300.00 → 30 points
    assert task["priority"] == 30
    # the customer is due for evaluation now
    [(due,)] = server.query("SELECT next_evaluation_at FROM customers WHERE external_id = 'C3'")
    earliest, latest = server.clock()     # the engine's clock, started at 2026-06-02T09:00:00Z
    assert earliest <= due <= latest

    before = server.query("SELECT COUNT(*) FROM events")[0][0]
    cases = [
        ({"channel": "fax", "from": "+37120000003", "text": "x"}, 422, "channel"),
        ({"channel": "sms", "text": "x"}, 422, "from"),
        ({"channel": "sms", "from": "+37120000003"}, 422, "text"),
        ({"channel": "sms", "from": "+37129999999", "text": "x"}, 422, "from"),
        ({"channel": "sms", "customer_id": "NOPE", "text": "x"}, 422, "customer_id"),
        ({"channel": "sms", "from": "+37120000003", "text": 5}, 422, "text"),
        ({"channel": "sms", "from": "+37120000003", "text": "x", "extra": 1}, 422, "extra"),
        ({"channel": "sms", "from": "+37120000003", "text": "x" * 1601}, 422, "text"),
    ]
    for body, status, field in cases:
        r = server.post("/v1/replies", body)
        assert r.status_code == status, (body, r.text)
        assert r.json()["error"]["field"] == field, (body, r.text)
    assert server.query("SELECT COUNT(*) FROM events")[0][0] == before


def test_stop_from_a_shared_number_opts_out_everyone_on_it(server):
    """Two customers on one phone (a family line): STOP means "not to this
    number", so both are opted out of SMS; the one confirmation goes to the
    customer the reply was matched to."""
    assert server.post("/v1/customers", customer("F1", phone="+37127777777")).status_code == 201
    assert server.post("/v1/customers", customer("F2", phone="+37127777777")).status_code == 201
    r = server.post("/v1/replies", {"channel": "sms", "from": "+37127777777", "text": "STOP",
                                    "provider_id": "fam-1"})
    assert r.status_code == 201, r.text
    assert server.get("/v1/customers/F1").json()["opt_out"] == ["sms"]
    assert server.get("/v1/customers/F2").json()["opt_out"] == ["sms"]
    confirmations = server.query("SELECT COUNT(*) FROM contacts WHERE purpose = 'optout_confirm'")
    assert confirmations == [(1,)]


def test_the_opt_out_confirmation_sms_records_parts_encoding_and_cost(tmp_path):
    """The confirmation a STOP queues is planned by the reply module, not
    the pass, yet as every SMS it records its parts, encoding and cost when
    sent: the Latvian text (64 characters, with ū ā ņ š ī outside the GSM-7
    alphabet of 3GPP TS 23.038) is UCS-2, one part (≤ 70 units), 4 cents."""
    server = Server(tmp_path, channels={"sms": {
        "driver": "file", "dir": str(tmp_path / "sms"),
        "cost": {"per_message_minor": 1, "per_part_minor": 3, "currency": "EUR"}}})
    try:
        assert server.post("/v1/customers", customer("S1")).status_code == 201
        r = server.post("/v1/replies", {"channel": "sms", "from": "+37120000001", "text": "STOP"})
        assert r.status_code == 201, r.text
        rows = server.wait_for("the confirmation sent", lambda: server.query(
            "SELECT body, sms_encoding, sms_parts, cost_minor, cost_currency FROM contacts "
            "WHERE purpose = 'optout_confirm' AND state = 'sent'"))
    finally:
        server.stop()
    assert rows == [("Jūs esat atteicies no ziņām šajā kanālā. Vairs šeit nerakstīsim.", "ucs2",
                     1, 4, "EUR")]
