"""Channel drivers against real servers on loopback: SMS through Kannel
(bearerbox + smsbox, an HTTP SMSC sink firing delivery reports), e-mail
through aiosmtpd, and the signed callbacks. Expected texts, encodings,
segment counts and costs are worked out by hand from
../shared/cases/sms-encoding.md (3GPP TS 23.038), RFC 2047, RFC 5322 and
RFC 8058; signatures from the contract in channels/callback_sign.h
(HMAC-SHA256 of "<purpose>:<contact id>", first 16 bytes in hex).

Run: /usr/bin/python3 -m pytest tests/integration/test_channels.py"""
import email
import email.policy
import email.utils
import hashlib
import hmac
import json
import subprocess
import urllib.parse

import pytest
import requests

from peers import (AUTH, SECRET, Dunningd, Kannel, SmtpServer, records, wait_until)

LV_TEXT = " ".join(["Labdien! Jūsu parāds ir 45,00 EUR."] * 3)
EN_TEXT = "Labdien! Jusu parads ir 45,00 EUR."


def signature(purpose, contact_id):
    mac = hmac.new(SECRET.encode(), f"{purpose}:{contact_id}".encode(), hashlib.sha256)
    return mac.digest()[:16].hex()


def contact_row(d, customer):
    rows = d.query("SELECT o.id, o.state, o.sms_encoding, o.sms_parts, o.cost_minor, "
                   "o.cost_currency, o.instance, o.provider_id, o.sent_at, o.final_at, "
                   "o.idem_key FROM contacts o JOIN customers c ON c.id = o.customer_id "
                   "WHERE c.external_id = ?", customer)
    assert len(rows) == 1, rows
    keys = ("id", "state", "encoding", "parts", "cost", "currency", "instance", "provider_id",
            "sent_at", "final_at", "idem_key")
    return dict(zip(keys, rows[0]))


@pytest.fixture
def kannel(tmp_path):
    folder = tmp_path / "kannel"
    folder.mkdir()
    k = Kannel(folder)
    yield k
    k.stop()


def test_sms_through_kannel_ucs2_and_gsm7_with_delivery_reports(tmp_path, kannel):
    d = Dunningd(tmp_path, lambda base: {"sms": {
        "driver": "kannel", "instance": "kannel-a", "sendsms_url": kannel.sendsms_url,
        "username": "dunning", "password": "sendsms-secret", "from": "Dunning",
        "dlr_url": f"{base}/v1/callbacks/kannel", "concurrency": 4,
        "cost": {"per_part_minor": 4, "currency": "EUR"}}})
    d.load(records([("C-LV", "lv", "+37120000001", "", 4500, "2026-06-05"),
                    ("C-EN", "en", "+37120000002", "", 4500, "2026-06-05")]))
    d.start()
    try:
        wait_until(lambda: d.states().get("delivered") == 2, 60,
                   "two delivery reports through Kannel")
        lv, en = contact_row(d, "C-LV"), contact_row(d, "C-EN")
    finally:
        d.stop()

    # what the SMSC received: the Latvian text as UCS-2 in 2 concatenated
    # parts (104 units > 70: parts of 67), the English one as 1 GSM-7 part
    parts = kannel.sink.parts
    ucs2 = [p for p in parts if p["coding"] == b"2"]
    gsm = [p for p in parts if p["coding"] == b"0"]
    assert len(ucs2) == 2 and len(gsm) == 1, parts
    ucs2.sort(key=lambda p: p["udh"][-1])
    for number, part in enumerate(ucs2, start=1):
        # UDH: length 5, IE 00 (concatenation, 8-bit ref), IE length 3, ref, total 2, number
        assert part["udh"][:3] == b"\x05\x00\x03" and part["udh"][4:] == bytes([2, number])
    assert b"".join(p["text"] for p in ucs2).decode("utf-16-be") == LV_TEXT
    assert len(ucs2[0]["text"]) == 67 * 2
    assert gsm[0]["text"] == EN_TEXT.encode() and gsm[0]["udh"] == b""
    assert {p["to"] for p in parts} == {b"+37120000001", b"+37120000002"}

    # what dunningd recorded: encoding, parts, cost = parts × 4 cents
    assert (lv["state"], lv["encoding"], lv["parts"], lv["cost"], lv["currency"]) == \
        ("delivered", "ucs2", 2, 8, "EUR")
    assert (en["state"], en["encoding"], en["parts"], en["cost"], en["currency"]) == \
        ("delivered", "gsm7", 1, 4, "EUR")
    for row in (lv, en):
        assert row["instance"] == "sms/kannel-a"
        assert row["sent_at"] is not None and row["final_at"] is not None
    # smsbox answered with no id: the provider ids came with the delivery
    # reports (%F), the SMSC's ids of the parts it delivered
    mids = {to: [p["mid"] for p in parts if p["to"] == to] for to in (b"+37120000001",
                                                                        b"+37120000002")}
    assert en["provider_id"] == mids[b"+37120000002"][0]
    lv_ids = lv["provider_id"].split(" ")
    assert lv_ids and set(lv_ids) <= set(mids[b"+37120000001"]), (lv_ids, mids)
    kinds = [k for (k,) in d.query("SELECT kind FROM events WHERE kind LIKE 'contact_%' "
                                   "ORDER BY id")]
    assert kinds.count("contact_sent") == 2 and kinds.count("contact_delivered") == 2


def test_delivery_callbacks_refuse_bad_input(tmp_path):
    d = Dunningd(tmp_path, {}).start()
    try:
        d.load(records([("C1", "en", "+37120000001", "", 4500, "2026-06-05")]))
        cases = [
            # (path, expected status, error field)
            ("/v1/callbacks/kannel?type=1", 422, "c"),
            ("/v1/callbacks/kannel?c=1&type=1", 422, "s"),
            ("/v1/callbacks/kannel?c=abc&s=00&type=1", 422, "c"),
            (f"/v1/callbacks/kannel?c=1&s={'0' * 32}&type=1", 403, "s"),
            (f"/v1/callbacks/kannel?c=1&s={signature('unsubscribe', 1)}&type=1", 403, "s"),
            (f"/v1/callbacks/kannel?c=1&s={signature('dlr', 1)}", 422, "type"),
            (f"/v1/callbacks/kannel?c=1&s={signature('dlr', 1)}&type=x", 422, "type"),
            (f"/v1/callbacks/kannel?c=999999&s={signature('dlr', 999999)}&type=1", 404,
             "contact_id"),
        ]
        for path, status, field in cases:
            r = requests.get(d.base + path, timeout=10)
            assert r.status_code == status, (path, r.text)
            assert r.json()["error"]["field"] == field, (path, r.text)
        r = requests.post(d.base + f"/v1/callbacks/sms?c=5&s={signature('dlr', 5)}",
                          json={"status": "lost"}, timeout=10)
        assert r.status_code == 422 and r.json()["error"]["field"] == "status"
        r = requests.post(d.base + f"/v1/unsubscribe?c=5&s={signature('unsubscribe', 5)}",
                          data="nothing", timeout=10)
        assert r.status_code == 422 and r.json()["error"]["field"] == "List-Unsubscribe"
        r = requests.post(d.base + "/v1/callbacks/email", json={"message_id": "<x@y>",
                                                                 "type": "bounce"}, timeout=10)
        assert r.status_code == 401
        r = requests.post(d.base + "/v1/callbacks/email", headers=AUTH,
                          json={"message_id": "<no-id@example.com>", "type": "bounce"},
                          timeout=10)
        assert r.status_code == 422 and r.json()["error"]["field"] == "message_id"
    finally:
        d.stop()


def test_bad_channel_config_is_refused_with_its_key(tmp_path):
    d = Dunningd(tmp_path, {"sms": {"driver": "kannel", "sendsms_url": "http://127.0.0.1:1/",
                                    "dlr_url": "http://127.0.0.1:2/", "speed": 3}})
    proc = subprocess.run([d.binary, "serve", "--config", str(d.config)], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode != 0
    assert 'unknown config key "speed"' in proc.stderr
    d.config.write_text(d.config.read_text().replace('"speed": 3', '"retry": {"max_attempts": 0}'))
    proc = subprocess.run([d.binary, "serve", "--config", str(d.config)], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode != 0 and "max_attempts" in proc.stderr


@pytest.fixture
def smtp(tmp_path):
    s = SmtpServer(tmp_path)
    yield s
    s.stop()


def test_email_over_smtp_with_one_click_unsubscribe(tmp_path, smtp):
    d = Dunningd(tmp_path, lambda base: {"email": {
        "driver": "smtp", "url": f"smtp://127.0.0.1:{smtp.port}", "tls": "none",
        "from": "billing@telecom.example", "from_name": "Test Telecom",
        "unsubscribe_url": f"{base}/v1/unsubscribe",
        "cost": {"per_message_minor": 1, "currency": "EUR"}}})
    # due 2026-05-28: on 2026-06-02 the ladder's day-5 e-mail is due. Estonia,
    # whose profile needs no written notice before a second reminder.
    d.load(records([("C-MAIL", "lv", "", "anna@example.lv", 4500, "2026-05-28", "EE")]))
    d.start()
    try:
        wait_until(lambda: d.states().get("sent") == 1, 60, "the e-mail to be sent")
        wait_until(lambda: smtp.messages(), 10, "the SMTP server to keep the message")
        row = contact_row(d, "C-MAIL")
        raw = smtp.messages()[0].read_bytes()
        envelope = json.loads(smtp.messages()[0].with_suffix(".json").read_text())
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        cid = row["id"]
        unsubscribe = f"{d.base}/v1/unsubscribe?c={cid}&s={signature('unsubscribe', cid)}"

        assert envelope == {"mail_from": "billing@telecom.example",
                            "rcpt_tos": ["anna@example.lv"], "tls": False,
                            "authenticated": False}
        # RFC 2047: the raw Subject is encoded-words, decoding gives the UTF-8 text
        raw_subject = [line for line in raw.split(b"\r\n") if line.startswith(b"Subject:")][0]
        assert raw_subject.startswith(b"Subject: =?UTF-8?B?")
        assert str(msg["Subject"]) == "Atgādinājums: rēķins ir kavēts"
        assert msg["To"] == "anna@example.lv"
        assert msg["Message-ID"] == row["provider_id"]
        assert msg["Message-ID"].startswith("<") and msg["Message-ID"].endswith(
            f".{cid}@telecom.example>")
        assert msg["List-Unsubscribe"] == f"<{unsubscribe}>"
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert msg["MIME-Version"] == "1.0"
        # dated by the engine's clock (it starts at the pinned 2026-06-02T09:00:00Z)
        earliest, latest = d.clock()
        assert earliest <= email.utils.parsedate_to_datetime(msg["Date"]).timestamp() <= latest
        assert msg.get_content_type() == "multipart/alternative"
        text = msg.get_body(preferencelist=("plain",))
        html = msg.get_body(preferencelist=("html",))
        assert text.get_content() == "Labdien!\n\nJūsu rēķins ir kavēts. Lūdzu, samaksājiet."
        assert "<p>Jūsu rēķins ir kavēts. Lūdzu, samaksājiet.</p>" in html.get_content()
        assert (row["state"], row["cost"], row["currency"]) == ("sent", 1, "EUR")

        # before the opt-out the rules would e-mail again on day 10
        at = "2026-06-09T09:00:00Z"   # a Tuesday, day 12
        before = d.get(f"/v1/customers/C-MAIL/preview?at={at}").json()
        assert before["decision"]["channel"] == "email", before
        assert before["guard"]["verdict"] == "allow", before

        # RFC 8058 one-click: a POST with that exact body
        r = requests.post(unsubscribe, data="List-Unsubscribe=One-Click",
                          headers={"Content-Type": "application/x-www-form-urlencoded"},
                          timeout=10)
        assert r.status_code == 200, r.text
        assert d.query("SELECT opt_out FROM customers WHERE external_id = 'C-MAIL'") == [(2,)]
        assert d.query("SELECT COUNT(*) FROM events WHERE kind = 'opt_out'") == [(1,)]
        after = d.get(f"/v1/customers/C-MAIL/preview?at={at}").json()
        assert after["decision"]["action"] == "skip", after
        assert "email: opted out" in after["decision"]["reason"], after

        # a Message-ID with the right contact number but another key (guessed,
        # forged): refused, nothing changes
        forged = "<guessed." + row["provider_id"].split(".")[-1]
        r = requests.post(d.base + "/v1/callbacks/email", headers=AUTH, timeout=10,
                          json={"message_id": forged, "type": "bounce", "permanent": True})
        assert r.status_code in (404, 409, 422), r.text
        assert contact_row(d, "C-MAIL")["state"] != "failed"
        # a hard bounce with the real Message-ID
        r = requests.post(d.base + "/v1/callbacks/email", headers=AUTH, timeout=10,
                          json={"message_id": row["provider_id"], "type": "bounce",
                                "permanent": True, "reason": "550 5.1.1 no such user"})
        assert r.status_code == 200, r.text
        assert contact_row(d, "C-MAIL")["state"] == "failed"
    finally:
        d.stop()


def test_generic_http_sms_form_post_and_status_callback(tmp_path):
    from peers import HttpSink
    sink = HttpSink()
    d = Dunningd(tmp_path, lambda base: {"sms": [
        {"driver": "http_sms", "instance": "gw-form", "url": sink.url, "format": "form",
         "from": "Dunning", "to_field": "msisdn", "text_field": "message",
         "headers": {"X-Api-Key": "k-123"}, "status_url": f"{base}/v1/callbacks/sms",
         "cost": {"per_message_minor": 2, "per_part_minor": 3, "currency": "EUR"}}]})
    d.load(records([("C-GW", "en", "+37120000009", "", 4500, "2026-06-05")]))
    d.start()
    try:
        wait_until(lambda: d.states().get("sent") == 1, 60, "the SMS to be sent")
        row = contact_row(d, "C-GW")
        assert len(sink.requests) == 1
        request = sink.requests[0]
        assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
        assert request["headers"]["X-Api-Key"] == "k-123"
        assert "Idempotency-Key" not in request["headers"]
        form = urllib.parse.parse_qs(request["body"].decode(), strict_parsing=True)
        status_url = f"{d.base}/v1/callbacks/sms?c={row['id']}&s={signature('dlr', row['id'])}"
        assert form == {"msisdn": ["+37120000009"], "message": [EN_TEXT], "from": ["Dunning"],
                        "reference": [row["idem_key"]], "status_url": [status_url]}
        # the sink's reply {"id": "p1"} is the provider id; 2 + 3 × 1 part = 5 cents
        assert (row["provider_id"], row["cost"], row["currency"], row["instance"]) == \
            ("p1", 5, "EUR", "sms/gw-form")
        r = requests.post(status_url, json={"status": "delivered"}, timeout=10)
        assert r.status_code == 200, r.text
        assert r.json() == {"contact_id": row["id"], "state": "delivered"}
        assert contact_row(d, "C-GW")["state"] == "delivered"
        # the same report again changes nothing; a contrary one is a conflict
        r = requests.post(status_url, json={"status": "delivered"}, timeout=10)
        assert r.status_code == 200, r.text
        r = requests.post(status_url, json={"status": "failed"}, timeout=10)
        assert r.status_code == 409 and r.json()["error"]["code"] == "conflict", r.text
        assert contact_row(d, "C-GW")["state"] == "delivered"
    finally:
        d.stop()
        sink.stop()


def test_email_with_starttls_and_auth(tmp_path):
    # a certificate for 127.0.0.1, made for this test; dunningd trusts it via ca_file
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True,
                   timeout=60)
    smtp = SmtpServer(tmp_path, (str(cert), str(key), "dunning", "s3cret-pass"))
    base_conf = {"driver": "smtp", "url": f"smtp://127.0.0.1:{smtp.port}",
                 "ca_file": str(cert), "username": "dunning", "password": "s3cret-pass",
                 "from": "billing@telecom.example", "retry": {"max_attempts": 1}}
    try:
        # without TLS the server refuses the session (530 to MAIL FROM): the
        # instance's set-up, not the message — it counts as the instance
        # failing (here with one attempt allowed: given up); with STARTTLS
        # required and AUTH the message goes through; with both instances,
        # the first fails, rests, and the second takes the message
        second = {**base_conf, "tls": "starttls_required", "instance": "b"}
        cases = [("failed", {"email": {**base_conf, "tls": "none"}}, None),
                 ("sent", {"email": {**base_conf, "tls": "starttls_required"}}, "email"),
                 ("sent", {"email": [{**base_conf, "tls": "none", "instance": "a",
                                      "failover_after": 1,
                                      "retry": {"max_attempts": 3, "backoff_seconds": 1}},
                                     {**second, "retry": {"max_attempts": 3}}]}, "email/b")]
        for n, (expected, channels, instance) in enumerate(cases):
            folder = tmp_path / f"case{n}"
            folder.mkdir()
            d = Dunningd(folder, channels)
            d.load(records([("C-TLS", "en", "", "ann@example.com", 4500, "2026-05-28",
                             "EE")]))
            d.start()
            try:
                wait_until(lambda: d.states().get(expected) == 1, 60, f"the e-mail {expected}")
                [(reason, via)] = d.query("SELECT state_reason, instance FROM contacts")
            finally:
                d.stop()
            if expected == "failed":
                assert reason.startswith("gave up after 1 attempt(s) on email: smtp 530"), reason
                assert smtp.messages() == []
            assert via == instance, (via, reason)
        stored = smtp.messages()[0]
        assert len(smtp.messages()) == 2
        envelope = json.loads(stored.with_suffix(".json").read_text())
        assert envelope["tls"] is True and envelope["authenticated"] is True, envelope
        msg = email.message_from_bytes(stored.read_bytes(), policy=email.policy.default)
        assert str(msg["Subject"]) == "Your invoice is overdue"
    finally:
        smtp.stop()


def dsn(message_id, recipient, action, status, diagnostic=None):
    """A delivery status notification shaped after RFC 3464 appendix C:
    a human part, the message/delivery-status fields (per message, then per
    recipient) and the original's headers (text/rfc822-headers)."""
    fields = [f"Final-Recipient: rfc822;{recipient}", f"Action: {action}",
              f"Status: {status}"]
    if diagnostic:
        fields.append(f"Diagnostic-Code: smtp; {diagnostic}")
    return ("From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.lv>\r\n"
            "To: <billing@telecom.example>\r\n"
            "Subject: Returned mail\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: multipart/report; report-type=delivery-status;\r\n"
            "    boundary=\"RAA14128.773615765/mx.example.lv\"\r\n\r\n"
            "--RAA14128.773615765/mx.example.lv\r\n\r\n"
            "   The original message could not be delivered.\r\n\r\n"
            "--RAA14128.773615765/mx.example.lv\r\n"
            "content-type: message/delivery-status\r\n\r\n"
            "Reporting-MTA: dns; mx.example.lv\r\n\r\n"
            + "\r\n".join(fields) + "\r\n\r\n"
            "--RAA14128.773615765/mx.example.lv\r\n"
            "content-type: text/rfc822-headers\r\n\r\n"
            f"Message-ID: {message_id}\r\n"
            "Subject: =?UTF-8?B?QXRnxIFkaW7EgWp1bXM=?=\r\n\r\n"
            "--RAA14128.773615765/mx.example.lv--\r\n").encode()


def arf(original, feedback_type="abuse"):
    """An abuse report shaped after RFC 5965 appendix B, returning the
    original message whole (message/rfc822)."""
    return ("From: <abusedesk@example.com>\n"
            "To: <abuse@telecom.example>\n"
            "Subject: FW: Atgadinajums\n"
            "MIME-Version: 1.0\n"
            "Content-Type: multipart/report; report-type=feedback-report;\n"
            "     boundary=\"part1_13d.2e68ed54_boundary\"\n\n"
            "--part1_13d.2e68ed54_boundary\n"
            "Content-Type: text/plain; charset=\"US-ASCII\"\n\n"
            "This is an email abuse report.\n\n"
            "--part1_13d.2e68ed54_boundary\n"
            "Content-Type: message/feedback-report\n\n"
            f"Feedback-Type: {feedback_type}\n"
            "User-Agent: SomeGenerator/1.0\n"
            "Version: 1\n"
            "Original-Mail-From: <billing@telecom.example>\n\n"
            "--part1_13d.2e68ed54_boundary\n"
            "Content-Type: message/rfc822\n"
            "Content-Disposition: inline\n\n").encode() + original + \
        b"\n--part1_13d.2e68ed54_boundary--\n"


def test_bounces_and_complaints_from_the_mail_system(tmp_path, smtp):
    """Real e-mails through aiosmtpd, then what a mail system sends back,
    posted raw (message/rfc822) to POST /v1/bounces: a 5.x.x failure fails
    the contact and marks the address undeliverable (until it changes); a
    4.x.x delay changes nothing but is recorded; a failure after giving up
    (4.0.0) fails the contact only; an ARF abuse report opts out of e-mail."""
    d = Dunningd(tmp_path, lambda base: {"email": {
        "driver": "smtp", "url": f"smtp://127.0.0.1:{smtp.port}", "tls": "none",
        "from": "billing@telecom.example"}})
    people = [("C-B1", "b1@example.lv"), ("C-B2", "b2@example.lv"), ("C-B3", "b3@example.lv"),
              ("C-B4", "b4@example.lv")]
    d.load(records([(cid, "lv", "+3712000001" + cid[-1], mail, 4500, "2026-05-28", "EE")
                    for cid, mail in people]))
    d.start()
    try:
        wait_until(lambda: len(smtp.messages()) == 4, 60, "four e-mails at the SMTP server")
        sent = {}
        for path in smtp.messages():
            raw = path.read_bytes()
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            sent[msg["To"]] = (msg["Message-ID"], raw)
        bounce_headers = {**AUTH, "Content-Type": "message/rfc822"}

        def post(body, headers=bounce_headers):
            return requests.post(d.base + "/v1/bounces", data=body, headers=headers, timeout=10)
        rows = [
            # (report, status, effect, contact state after, undeliverable after)
            (dsn(sent["b1@example.lv"][0], "b1@example.lv", "failed", "5.1.1",
                 "550 5.1.1 <b1@example.lv>: Recipient address rejected"), 200,
             "failed_address_undeliverable", "C-B1", "failed", ["email"]),
            (dsn(sent["b2@example.lv"][0], "b2@example.lv", "delayed", "4.4.7"), 200,
             "recorded", "C-B2", "sent", []),
            (dsn(sent["b3@example.lv"][0], "b3@example.lv", "failed", "4.0.0",
                 "426 connection timed out"), 200, "failed", "C-B3", "failed", []),
            (arf(sent["b4@example.lv"][1]), 200, "opt_out", "C-B4", "sent", []),
            # the first again: nothing new
            (dsn(sent["b1@example.lv"][0], "b1@example.lv", "failed", "5.1.1"), 200,
             "failed_address_undeliverable", "C-B1", "failed", ["email"]),
        ]
        for body, status, effect, cid, state, undeliverable in rows:
            r = post(body)
            assert r.status_code == status, r.text
            assert r.json()["effect"] == effect, r.text
            assert contact_row(d, cid)["state"] == state, cid
            assert d.get(f"/v1/customers/{cid}").json()["undeliverable"] == undeliverable, cid
        assert d.get("/v1/customers/C-B4").json()["opt_out"] == ["email"]
        kinds = dict(d.query("SELECT kind, COUNT(*) FROM events WHERE kind IN "
                             "('delivery_status', 'address_undeliverable', 'opt_out', "
                             "'contact_failed') GROUP BY kind"))
        assert kinds == {"delivery_status": 1, "address_undeliverable": 2, "opt_out": 1,
                         "contact_failed": 2}, kinds
        # refused precisely, nothing changes
        # the right contact number with another key (guessed, forged)
        number = sent["b2@example.lv"][0][1:-1].split("@")[0].split(".")[-1]
        forged = f"<guessed.{number}@telecom.example>"
        refusals = [
            (dsn(forged, "b2@example.lv", "failed", "5.1.1"), bounce_headers, 404, "contact_id"),
            (dsn("<someone-else@example.com>", "x@example.lv", "failed", "5.1.1"),
             bounce_headers, 422, "Message-ID"),
            (b"Subject: re: invoice\n\nI will pay on Friday.\n", bounce_headers, 422,
             "Content-Type"),
            (dsn(sent["b2@example.lv"][0], "b2@example.lv", "bounced", "5.1.1"),
             bounce_headers, 422, "Action"),
            (b"{}", {**AUTH, "Content-Type": "application/json"}, 415, ""),
        ]
        for body, headers, status, field in refusals:
            r = post(body, headers)
            assert r.status_code == status, r.text
            assert r.json()["error"]["field"] == field, r.text
        assert contact_row(d, "C-B2")["state"] == "sent"
        assert post(dsn(sent["b2@example.lv"][0], "b2@example.lv", "failed", "5.1.1"),
                    {"Content-Type": "message/rfc822"}).status_code == 401
        # the rules' day-10 e-mail (2026-06-09, a Tuesday) finds no usable
        # address for C-B1 (ladder fallbacks would take over), still one for C-B3
        at = "2026-06-09T09:00:00Z"
        b1 = d.get(f"/v1/customers/C-B1/preview?at={at}").json()["decision"]
        assert b1["action"] == "skip" and "undeliverable" in b1["reason"], b1
        assert d.get(f"/v1/customers/C-B3/preview?at={at}").json()["decision"]["channel"] == \
            "email"
        # a new address is worth a try: the mark goes with the old one
        r = requests.put(d.base + "/v1/customers/C-B1", json={"email": "b1-new@example.lv"},
                         headers=AUTH, timeout=10)
        assert r.status_code == 200, r.text
        assert r.json()["undeliverable"] == []
        b1 = d.get(f"/v1/customers/C-B1/preview?at={at}").json()["decision"]
        assert b1["channel"] == "email" and b1["action"] == "contact", b1
    finally:
        d.stop()


class SlowSmsbox:
    """Stands in for smsbox's sendsms (GET) on loopback, answering as smsbox
    does ("0: Accepted for delivery", HTTP 202) only when the test releases
    a number, or never (the client times out): so Kannel's delivery reports
    can be fired while dunningd has not recorded the send yet."""

    def __init__(self, hang_numbers=()):
        import http.server
        import threading
        import time
        box = self
        self.requests = {}
        self.released = threading.Event()
        self.hang_numbers = set(hang_numbers)
        self.lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                to = query["to"][0]
                with box.lock:
                    box.requests[to] = query
                if to in box.hang_numbers:
                    time.sleep(8)             # past the driver's timeout_ms
                    return
                box.released.wait(20)
                body = b"0: Accepted for delivery"
                self.send_response(202)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/cgi-bin/sendsms"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def dlr_url(self, to, type_, mid="", reply=""):
        """The dlr-url the driver gave, with Kannel's escapes filled in as
        smsbox does (%d the type, %F the SMSC's id, %A its reply; encoded)."""
        url = self.requests[to]["dlr-url"][0]
        return (url.replace("%d", str(type_)).replace("%F", urllib.parse.quote(mid, safe=""))
                .replace("%A", urllib.parse.quote(reply, safe="")))

    def stop(self):
        self.released.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def test_kannel_delivery_reports_in_any_order(tmp_path):
    """Kannel's reports may arrive before dunningd has recorded the send
    (smsbox answers, bearerbox and the SMSC report at once) and may repeat;
    the SMSC's message id comes only with them (smsbox's answer has none).
    K1: reports while the send is in flight, then smsbox's answer; K2: a
    report proves delivery, then the send's answer never comes — the
    contact stays delivered, not in doubt."""
    box = SlowSmsbox(hang_numbers=["+37120000072"])
    d = Dunningd(tmp_path, lambda base: {"sms": {
        "driver": "kannel", "sendsms_url": box.url, "dlr_url": f"{base}/v1/callbacks/kannel",
        "timeout_ms": 4000, "retry": {"max_attempts": 1},
        "cost": {"per_part_minor": 4, "currency": "EUR"}}})
    d.load(records([("K1", "en", "+37120000071", "", 4500, "2026-06-05"),
                    ("K2", "en", "+37120000072", "", 4500, "2026-06-05")]))
    d.start()
    try:
        wait_until(lambda: len(box.requests) == 2, 30, "both sends at smsbox")
        assert d.states() == {"sending": 2}
        rows = [
            # (type, SMSC id, SMSC reply, status, state, provider ids after)
            (8, "smsc-71", "ACK/", 200, "sending", "smsc-71"),
            (8, "smsc-71", "ACK/", 200, "sending", "smsc-71"),        # repeated
            (1, "smsc-71", "DELIVRD", 200, "delivered", "smsc-71"),
            (1, "smsc-71", "DELIVRD", 200, "delivered", "smsc-71"),   # repeated
            (1, "smsc-71b", "DELIVRD", 200, "delivered", "smsc-71 smsc-71b"),  # a 2nd part
            (2, "smsc-71", "UNDELIV", 409, "delivered", "smsc-71 smsc-71b"),   # contradicts
        ]
        for type_, mid, reply, status, state, ids in rows:
            r = requests.get(box.dlr_url("+37120000071", type_, mid, reply), timeout=10)
            assert r.status_code == status, (type_, r.text)
            row = contact_row(d, "K1")
            assert (row["state"], row["provider_id"]) == (state, ids), (type_, row)
        r = requests.get(box.dlr_url("+37120000072", 1, "smsc-72", "DELIVRD"), timeout=10)
        assert r.status_code == 200, r.text
        box.released.set()
        wait_until(lambda: contact_row(d, "K1")["sent_at"] is not None, 30,
                   "smsbox's answer to be recorded")
        # K2's send times out (4 s) after the report proved delivery
        k2_id = contact_row(d, "K2")["id"]
        wait_until(lambda: f"contact {k2_id}: kept as its delivery report left it" in
                   d.log_text(), 30, "K2's lost answer to be settled")
        k1, k2 = contact_row(d, "K1"), contact_row(d, "K2")
        reason = d.query("SELECT state_reason FROM contacts WHERE id = ?", k1["id"])[0][0]
        unknown = requests.get(d.base + "/v1/callbacks/kannel?c=999999&s="
                               f"{signature('dlr', 999999)}&type=1&mid=x", timeout=10)
    finally:
        d.stop()
        box.stop()
    # K1 kept what the reports said, and gained the send record's cost
    assert (k1["state"], k1["provider_id"], k1["cost"], k1["currency"]) == \
        ("delivered", "smsc-71 smsc-71b", 4, "EUR"), k1
    assert reason == "kannel delivery report type 1: DELIVRD", reason
    # K2: delivered by its report; the lost answer did not put it in doubt
    assert (k2["state"], k2["provider_id"]) == ("delivered", "smsc-72"), k2
    assert unknown.status_code == 404 and unknown.json()["error"]["field"] == "contact_id"
    kinds = [k for (k,) in d.query("SELECT kind FROM events WHERE kind LIKE 'contact_%' "
                                   "ORDER BY id")]
    assert kinds.count("contact_delivered") == 2 and "contact_in_doubt" not in kinds, kinds


def test_smtp_refusals_per_recipient(tmp_path, smtp):
    """The server's reply to RCPT TO decides (RFC 5321 4.2.1): 5xx refuses
    this recipient for good (failed, not tried again); 4xx is transient
    (back to planned after the backoff). The other recipient's message is
    delivered."""
    d = Dunningd(tmp_path, {"email": {
        "driver": "smtp", "url": f"smtp://127.0.0.1:{smtp.port}", "tls": "none",
        "from": "billing@telecom.example", "retry": {"max_attempts": 3, "backoff_seconds": 600}}})
    rows = [("C-R1", "unknown@example.lv", "failed", "refused by email: smtp 550"),
            ("C-R2", "busy@example.lv", "planned", "attempt 1 on email failed, retry in 600s: smtp 451"),
            ("C-R3", "fine@example.lv", "sent", None)]
    d.load(records([(cid, "en", "", mail, 4500, "2026-05-28", "EE") for cid, mail, _, _ in rows]))
    d.start()
    try:
        wait_until(lambda: sum(d.states().get(s, 0) for s in ("failed", "planned", "sent")) == 3
                   and d.query("SELECT COUNT(*) FROM contacts WHERE attempts = 1") == [(3,)],
                   60, "three outcomes")
        for cid, _, state, reason in rows:
            [(got_state, got_reason)] = d.query(
                "SELECT o.state, o.state_reason FROM contacts o JOIN customers c ON "
                "c.id = o.customer_id WHERE c.external_id = ?", cid)
            assert got_state == state, (cid, got_state, got_reason)
            if reason:
                assert got_reason.startswith(reason), (cid, got_reason)
    finally:
        d.stop()
    assert len(smtp.messages()) == 1


def test_kannel_refusing_our_credentials_fails_the_gateway_not_the_message(tmp_path, kannel):
    """smsbox answers a wrong sendsms password with 403 "Authorization
    failed for sendsms" to every message alike: that instance fails (and
    rests), and the message goes through the channel's other instance
    instead of failing for good."""
    common = {"driver": "kannel", "sendsms_url": kannel.sendsms_url, "username": "dunning",
              "from": "Dunning", "retry": {"max_attempts": 3, "backoff_seconds": 1}}
    d = Dunningd(tmp_path, lambda base: {"sms": [
        {**common, "instance": "a", "password": "wrong-password", "failover_after": 1,
         "dlr_url": f"{base}/v1/callbacks/kannel"},
        {**common, "instance": "b", "password": "sendsms-secret",
         "dlr_url": f"{base}/v1/callbacks/kannel"}]})
    d.load(records([("C-KA", "en", "+37120000005", "", 4500, "2026-06-05")]))
    d.start()
    try:
        wait_until(lambda: d.states().get("delivered") == 1, 60, "delivery through gateway b")
        row = contact_row(d, "C-KA")
        reasons = [json.loads(p)["reason"] for (p,) in d.query(
            "SELECT payload FROM events WHERE kind = 'contact_rescheduled'")]
    finally:
        d.stop()
    assert row["instance"] == "sms/b" and row["provider_id"], row
    assert reasons and reasons[0].startswith("attempt 1 on sms/a failed, retry in 1s: HTTP 403: "
                                             "Authorization failed for sendsms"), reasons
    assert [p["to"] for p in kannel.sink.parts] == [b"+37120000005"]
