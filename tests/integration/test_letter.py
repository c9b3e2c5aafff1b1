"""The formal written notice as a PDF (libharu) through the real server:
Latvian diacritics and Cyrillic come out as written — checked independently
by poppler's pdftotext and pdffonts (Debian's poppler-utils) — and the
posting date recorded through the API is what the guard counts from. Runs
on SQLite and, with the private test server, on MariaDB.

Run: /usr/bin/python3 -m pytest tests/integration/test_letter.py"""
import json
import os
import subprocess

from channels_helpers import Server, customer, invoice


def test_notice_pdf_and_posting_date(tmp_path, store_db):
    letters = tmp_path / "letters"
    server = Server(tmp_path, db=store_db, channels={"letter": {
        "driver": "letter", "dir": str(letters),
        "sender": "SIA Testa Telekoms\nBrīvības iela 1, Rīga"}})
    try:
        assert server.post("/v1/customers", customer("L1", name="Letter Žagare")).status_code == 201
        assert server.post("/v1/invoices", invoice("IL1", "L1", 12345)).status_code == 201
        rows = server.wait_for("the letter", lambda: server.query(
            "SELECT id, provider_id FROM contacts WHERE channel = 'letter' AND state = 'sent'"))
        contact_id, name = rows[0]
        pdf = letters / name
        assert name == f"{contact_id}.pdf" and pdf.read_bytes().startswith(b"%PDF-")

        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                              check=True, timeout=60).stdout.decode("utf-8")
        flat = " ".join(text.split())
        # dated by the engine's clock (started at 2026-06-02T09:00:00Z), not the wall clock
        for expected in ("SIA Testa Telekoms", "Brīvības iela 1, Rīga", "L1 · 2026-06-02",
                         "Brīdinājums par parādu",
                         "Cienījamā Letter Žagare!", "Lūdzam samaksāt 123,45 €",
                         "Уважаемая Letter Žagare! Просим оплатить задолженность 123,45 €"):
            assert expected in flat.replace("\u00a0", " "), (expected, flat)
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True,
                               timeout=60).stdout.decode()
        font_rows = [line.split() for line in fonts.splitlines()[2:]]
        assert font_rows and all("DejaVuSans" in row[0] for row in font_rows), fonts
        assert all(row[-5] == "yes" for row in font_rows), fonts   # the "emb" column: embedded

        # written, not posted: the notice has not been given, so the day-3
        # escalation is refused (LV: the notice comes first)
        def guard_at(at):
            body = server.get(f"/v1/customers/L1/preview?at={at}").json()
            assert body["decision"]["channel"] == "sms", body
            return body["guard"]
        assert guard_at("2026-06-05T09:00:00Z")["code"] == "notice_required"

        # the posting day: not before the day it was written (2026-06-02, the
        # date printed on it), not after today, a real date
        rows = [("2026-06-03", 422, "posted_on"), ("2026-05-01", 422, "posted_on"),
                ("02.06.2026", 422, "posted_on"), ("2026-02-30", 422, "posted_on")]
        for day, status, field in rows:
            r = server.post(f"/v1/letters/{contact_id}/posted", {"posted_on": day})
            assert r.status_code == status and r.json()["error"]["field"] == field, r.text
        r = server.post(f"/v1/letters/{contact_id}/posted", {"posted_on": "2026-06-02"})
        assert r.status_code == 200, r.text
        assert r.json() == {"contact_id": contact_id, "customer_id": "L1",
                            "posted_on": "2026-06-02"}
        assert server.query("SELECT state, posted_on FROM contacts WHERE id = ?", contact_id) == \
            [("sent", "2026-06-02")]
        # posted 2026-06-02: deemed received on the 7th day (06-09), objections
        # through 21 days later (06-30); escalation from 2026-07-01 in Riga
        for at, verdict in (("2026-06-05T09:00:00Z", "refuse"),   # more than 14 days ahead
                            ("2026-06-20T09:00:00Z", "defer")):
            guard = guard_at(at)
            assert (guard["verdict"], guard["code"]) == (verdict, "objection_period"), guard
            assert "escalation from 2026-07-01" in guard["reason"], guard
        # the same again is fine; another day is a conflict; unknown letters 404
        assert server.post(f"/v1/letters/{contact_id}/posted",
                           {"posted_on": "2026-06-02"}).status_code == 200
        assert server.post(f"/v1/letters/{contact_id}/posted",
                           {"posted_on": "2026-06-01"}).status_code == 409
        assert server.post("/v1/letters/999999/posted",
                           {"posted_on": "2026-06-02"}).status_code == 404
        kinds = [e["kind"] for e in server.get("/v1/customers/L1/timeline").json()["events"]]
        assert kinds.count("letter_posted") == 1
    finally:
        server.stop()


def test_a_hybrid_mail_instance_posts_the_day_it_writes(tmp_path):
    """"posting": "on_write": the instance hands each letter to the post the
    day it writes it (the engine's clock: 2026-06-02), so that is the
    posting day, with no call from a print room."""
    server = Server(tmp_path, channels={"letter": {
        "driver": "letter", "dir": str(tmp_path / "letters"), "posting": "on_write"}})
    try:
        assert server.post("/v1/customers", customer("L2", name="Letter Auto")).status_code == 201
        assert server.post("/v1/invoices", invoice("IL2", "L2", 12345)).status_code == 201
        rows = server.wait_for("the letter posted", lambda: server.query(
            "SELECT state, posted_on FROM contacts WHERE channel = 'letter' AND "
            "posted_on IS NOT NULL"))
        assert rows == [("sent", "2026-06-02")]
    finally:
        server.stop()
    # only letters post: the key is refused on another channel, naming it
    config = tmp_path / "bad.json"
    config.write_text(json.dumps({"store": f"sqlite:{tmp_path / 'bad.db'}",
                                  "channels": {"sms": {"driver": "file", "dir": str(tmp_path),
                                                       "posting": "on_write"}}}))
    proc = subprocess.run([os.environ.get("DUNNINGD", "build/dunningd"), "serve", "--config",
                           str(config)], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and '"posting"' in proc.stderr, proc.stderr
