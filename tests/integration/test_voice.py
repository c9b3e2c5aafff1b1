"""The voice robot through the real server and a real loopback telephony
API: the call request carries SSML with the voice, rate and pitch of its
language × tone and the key-press prompt; status callbacks and key presses
come back through POST /v1/voice/events: "1" is a promise the rules see,
"2" an agent task. Each call's audio is rendered locally (WAV, checked with
Python's wave module), and `dunningd voice-samples` renders every voice and
tone. The callbacks run on SQLite and, with the private test server, on
MariaDB.

Run: /usr/bin/python3 -m pytest tests/integration/test_voice.py"""
import json
import os
import subprocess
import wave

import pytest
import requests

from channels_helpers import REPO, HttpSink, Server, customer, invoice


@pytest.fixture
def telephony():
    calls = []

    def respond(path, body):
        calls.append(json.loads(body))
        return 200, {"call_id": f"call-{len(calls)}"}
    sink = HttpSink(respond)
    yield sink
    sink.stop()


def wav_seconds(path):
    with wave.open(str(path)) as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2 and w.getframerate() > 8000
        return w.getnframes() / w.getframerate()


def test_call_ssml_callbacks_and_key_presses(tmp_path, telephony, store_db):
    audio = tmp_path / "audio"
    audio.mkdir()
    server = Server(tmp_path, db=store_db, channels={"voice": {
        "driver": "voice", "url": telephony.url + "/calls", "from": "+37167000000",
        "callback_url": "http://127.0.0.1:1/v1/voice/events", "promise_days": 5,
        "audio_dir": str(audio)}})
    try:
        assert server.post("/v1/customers", customer("V1", name="Voice Ozola")).status_code == 201
        assert server.post("/v1/invoices", invoice("IV1", "V1", 4590)).status_code == 201
        server.wait_for("the call request", lambda: telephony.requests())
        path, headers, body = telephony.requests()[0]
        call = json.loads(body)
        assert path == "/calls"
        assert call["to"] == "+37120000001" and call["from"] == "+37167000000"
        contact = server.query("SELECT id, idem_key FROM contacts WHERE channel = 'voice'")[0]
        assert call["contact_id"] == contact[0] and call["idempotency_key"] == contact[1]
        assert headers["Idempotency-Key"] == contact[1]
        ssml = call["ssml"]
        # lv × firm: the lv voice, male, 88 % rate, pitch -10 % (voice.h defaults)
        assert ssml.startswith('<speak version="1.0" xml:lang="lv">')
        assert '<voice name="lv" gender="male"><prosody rate="88%" pitch="-10%">' in ssml
        # lv: a no-break space before €, dates as DD.MM.YYYY
        assert "Labdien, Voice! 45,90\u00a0€ bija jāsamaksā līdz 01.06.2026.." in ssml
        assert "Nospiediet 1, lai apsolītu samaksāt 5 dienu laikā." in ssml
        assert ssml.endswith("</prosody></voice></speak>")
        server.wait_for("the contact to be sent", lambda: server.query(
            "SELECT provider_id FROM contacts WHERE state = 'sent' AND channel = 'voice'"))
        assert server.query("SELECT provider_id FROM contacts WHERE id = ?", contact[0]) == [("call-1",)]
        assert wav_seconds(audio / f"{contact[0]}.wav") > 2

        # progress: answered
        r = server.post("/v1/voice/events", {"call_id": "call-1", "status": "answered"})
        assert r.status_code == 201, r.text
        assert server.query("SELECT state, outcome FROM contacts WHERE id = ?", contact[0]) == \
            [("answered", "conversation")]
        # key "1": a promise by 2026-06-02 + 5 days, which the rules see
        r = server.post("/v1/voice/events", {"contact_id": contact[0], "status": "key_press",
                                             "digits": "1"})
        assert r.status_code == 201 and isinstance(r.json()["promise_id"], int)
        assert server.query("SELECT amount_minor, due, state FROM promises") == \
            [(4590, "2026-06-07", "pending")]
        decision = server.get("/v1/customers/V1/preview").json()["decision"]
        assert decision["action"] == "wait" and "2026-06-07" in decision["reason"]
        # the provider repeats the callback: applied once
        r = server.post("/v1/voice/events", {"contact_id": contact[0], "status": "key_press",
                                             "digits": "1"})
        assert r.status_code == 200 and r.json()["duplicate"] is True
        assert len(server.query("SELECT id FROM promises")) == 1
        # key "2": a task for a person
        r = server.post("/v1/voice/events", {"call_id": "call-1", "status": "key_press",
                                             "digits": "2"})
        assert r.status_code == 201
        task = server.get(f"/v1/agent/tasks/{r.json()['task_id']}").json()
        assert task["source"] == "voice" and task["customer_id"] == "V1"
        # bad callbacks are refused precisely, and change nothing
        before = server.query("SELECT COUNT(*) FROM events")[0][0]
        for body, field in [({"call_id": "call-1", "status": "ringing"}, "status"),
                            ({"call_id": "call-1", "status": "key_press"}, "digits"),
                            ({"call_id": "call-1", "status": "key_press", "digits": "1x"}, "digits"),
                            ({"call_id": "call-1", "status": "busy", "digits": "1"}, "digits"),
                            ({"call_id": "nope", "status": "busy"}, "call_id"),
                            ({"contact_id": 999999, "status": "busy"}, "contact_id"),
                            ({"contact_id": "1", "status": "busy"}, "contact_id"),
                            ({"status": "busy"}, "call_id")]:
            r = server.post("/v1/voice/events", body)
            assert r.status_code == 422 and r.json()["error"]["field"] == field, (body, r.text)
        assert server.query("SELECT COUNT(*) FROM events")[0][0] == before

        # the callback URL handed to the provider is signed for this contact:
        # the provider reports without an API token, for this contact only
        import urllib.parse
        url = urllib.parse.urlsplit(call["callback_url"])
        assert url.path == "/v1/voice/events"
        q = urllib.parse.parse_qs(url.query)
        assert q["c"] == [str(contact[0])] and len(q["s"][0]) == 32
        open_post = lambda query, body: requests.post(
            server.base + "/v1/voice/events?" + query, json=body, timeout=10)
        r = open_post(url.query, {"status": "voicemail"})
        assert r.status_code == 201, r.text
        assert open_post(url.query, {"contact_id": 999999, "status": "busy"}).status_code == 403
        forged = "c=%d&s=%s" % (contact[0], "0" * 32)
        assert open_post(forged, {"status": "busy"}).status_code == 403
        assert open_post("", {"call_id": "call-1", "status": "busy"}).status_code == 422
    finally:
        server.stop()


def test_voice_samples_render_every_voice_and_tone(tmp_path):
    binary = os.environ.get("DUNNINGD", str(REPO / "build" / "dunningd"))
    out = tmp_path / "samples"
    proc = subprocess.run([binary, "voice-samples", str(out)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    for lang in ("lv", "ru", "en"):
        seconds = {}
        for tone in ("friendly", "gentle", "neutral", "firm", "urgent"):
            seconds[tone] = wav_seconds(out / f"{lang}-{tone}.wav")
            assert (out / f"{lang}-{tone}.ssml").read_text(encoding="utf-8").startswith(
                f'<speak version="1.0" xml:lang="{lang}">')
        # gentle is spoken at 85 %, urgent at 105 % of the normal rate
        assert seconds["gentle"] > seconds["neutral"] > seconds["urgent"], (lang, seconds)


def test_stop_with_a_call_in_flight(tmp_path):
    """A telephony API that answers slowly: stopping the engine meanwhile is
    clean (no leak or error in the sanitizer build) and the call's contact
    is in doubt — never marked sent without an answer, never called again
    blindly."""
    slow = HttpSink(lambda path, body: (200, {"call_id": "late"}), delay=4.0)
    server = Server(tmp_path, channels={"voice": {"driver": "voice", "url": slow.url + "/calls",
                                                  "timeout_ms": 20000}})
    try:
        assert server.post("/v1/customers", customer("V9", name="Voice Slow")).status_code == 201
        assert server.post("/v1/invoices", invoice("IV9", "V9", 1000)).status_code == 201
        server.wait_for("the call request", lambda: slow.requests())
        assert server.get("/healthz").status_code == 200      # the loop is not blocked
    finally:
        server.stop()
        slow.stop()
    assert server.query("SELECT state, provider_id FROM contacts WHERE channel = 'voice'") == \
        [("in_doubt", None)]
