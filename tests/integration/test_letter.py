"""The formal written notice as a PDF (libharu) through the real server:
Latvian diacritics and Cyrillic come out as written — checked independently
by poppler's pdftotext and pdffonts (Debian's poppler-utils) — and the
posting date recorded through the API is what the guard counts from. Runs
on SQLite and, with the private test server, on MariaDB.

Run: /usr/bin/python3 -m pytest tests/integration/test_letter.py"""
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
        for expected in ("SIA Testa Telekoms", "Brīvības iela 1, Rīga", "Brīdinājums par parādu",
                         "Cienījamā Letter Žagare!", "Lūdzam samaksāt 123,45 €",
                         "Уважаемая Letter Žagare! Просим оплатить задолженность 123,45 €"):
            assert expected in flat.replace("\u00a0", " "), (expected, flat)
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True,
                               timeout=60).stdout.decode()
        font_rows = [line.split() for line in fonts.splitlines()[2:]]
        assert font_rows and all("DejaVuSans" in row[0] for row in font_rows), fonts
        assert all(row[-5] == "yes" for row in font_rows), fonts   # the "emb" column: embedded

        # the posting date: not before it was written, not in the future
        for day, status in (("2026-06-03", 422), ("2026-05-01", 422), ("02.06.2026", 422)):
            r = server.post(f"/v1/letters/{contact_id}/posted", {"posted_on": day})
            assert r.status_code == status and r.json()["error"]["field"] == "posted_on", r.text
        r = server.post(f"/v1/letters/{contact_id}/posted", {"posted_on": "2026-06-02"})
        assert r.status_code == 200, r.text
        assert r.json() == {"contact_id": contact_id, "customer_id": "L1",
                            "posted_on": "2026-06-02"}
        # 2026-06-02T00:00:00Z: the date the guard's notice_posted_on reads
        assert server.query("SELECT state, updated_at FROM contacts WHERE id = ?", contact_id) == \
            [("delivered", 1780358400)]
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
