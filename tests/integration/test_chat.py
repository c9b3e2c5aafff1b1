"""Chat through a Telegram-Bot-API-shaped HTTP API (a real loopback peer):
the message goes out with sendMessage, the bot API's message id becomes the
provider id; replies come back as Update objects on the webhook, checked by
the secret header, and feed the inbound replies (promise, STOP with its one
confirmation, which goes out through the bot API too).

Run: /usr/bin/python3 -m pytest tests/integration/test_chat.py"""
import json

import requests

from channels_helpers import HttpSink, Server, customer, invoice

TOKEN = "123456:TEST-token"
SECRET = "tg-webhook-secret-0042"


def update(update_id, chat_id, text=None):
    message = {"message_id": 10 + update_id, "date": 1780390800,
               "chat": {"id": chat_id, "type": "private"}}
    if text is not None:
        message["text"] = text
    return {"update_id": update_id, "message": message}


def webhook(server, body, secret=SECRET):
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return requests.post(server.base + "/v1/chat/telegram/webhook",
                         data=json.dumps(body, ensure_ascii=False).encode(), headers=headers,
                         timeout=30)


def test_send_and_replies_through_the_bot_api(tmp_path):
    sent = []

    def respond(path, body):
        sent.append((path, json.loads(body)))
        return 200, {"ok": True, "result": {"message_id": 500 + len(sent)}}
    bot = HttpSink(respond)
    server = Server(tmp_path, channels={"chat": {
        "driver": "telegram", "token": TOKEN, "api_url": bot.url, "webhook_secret": SECRET}})
    try:
        assert server.post("/v1/customers", customer("T1", name="Chat Bērziņa",
                                                     chat="4242")).status_code == 201
        assert server.post("/v1/invoices", invoice("IT1", "T1", 1299)).status_code == 201
        server.wait_for("sendMessage", lambda: sent)
        path, message = sent[0]
        assert path == f"/bot{TOKEN}/sendMessage"
        assert message["chat_id"] == "4242"
        assert message["text"] == ("Labdien, Chat! 12,99\u00a0€ bija jāsamaksā līdz 01.06.2026.. "
                                   "Atbildiet 1, ja apsolāt samaksāt.")
        server.wait_for("the provider id", lambda: server.query(
            "SELECT provider_id FROM contacts WHERE channel = 'chat' AND state = 'sent'"))
        assert server.query("SELECT provider_id FROM contacts WHERE channel = 'chat'") == \
            [("tg-4242-501",)]

        # the webhook: wrong or missing secret → 401, nothing recorded
        assert webhook(server, update(1, 4242, "Jā"), secret="wrong-secret-000000").status_code == 401
        assert webhook(server, update(1, 4242, "Jā"), secret=None).status_code == 401
        assert server.query("SELECT COUNT(*) FROM events WHERE kind = 'reply'") == [(0,)]
        # "Jā": a promise (7 days), and the chat message is marked replied
        r = webhook(server, update(1, 4242, "Jā"))
        assert r.status_code == 200 and r.json()["classification"] == "promise", r.text
        assert server.query("SELECT due FROM promises") == [("2026-06-09",)]
        assert server.query("SELECT state FROM contacts WHERE channel = 'chat'") == [("replied",)]
        # the bot API delivers the same update again: applied once
        assert webhook(server, update(1, 4242, "Jā")).json()["duplicate"] is True
        # a sticker, an unknown chat, a bad update
        assert webhook(server, update(2, 4242)).json() == {"ignored": "not a text message"}
        assert "ignored" in webhook(server, update(3, 999, "hi")).json()
        r = webhook(server, {"message": {}})
        assert r.status_code == 422 and r.json()["error"]["field"] == "update_id"
        # STOP in Russian: opted out of chat; the one confirmation goes through the bot API
        r = webhook(server, update(4, 4242, "стоп"))
        assert r.json()["classification"] == "opt_out"
        server.wait_for("the confirmation", lambda: len(sent) == 2)
        assert sent[1][1]["chat_id"] == "4242" and "atteicies" in sent[1][1]["text"]
        assert server.get("/v1/customers/T1").json()["opt_out"] == ["chat"]
    finally:
        server.stop()
        bot.stop()


def test_a_send_cut_off_after_it_went_out_is_never_repeated_blindly(tmp_path):
    """The bot API takes the request and the connection drops before an
    answer: the message may have reached the customer and sendMessage has no
    idempotency key, so the contact is in doubt and sent only once."""
    import socket
    import threading
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    got = []

    def drop_after_reading():
        listener.settimeout(30)
        try:
            conn, _ = listener.accept()
            got.append(conn.recv(65536))
            conn.close()               # no answer at all
        except OSError:
            pass
    t = threading.Thread(target=drop_after_reading, daemon=True)
    t.start()
    url = "http://127.0.0.1:%d" % listener.getsockname()[1]
    server = Server(tmp_path, channels={"chat": {
        "driver": "telegram", "token": TOKEN, "api_url": url, "webhook_secret": SECRET}})
    try:
        assert server.post("/v1/customers", customer("T9", name="Chat Drop", chat="4249")).status_code == 201
        assert server.post("/v1/invoices", invoice("IT9", "T9", 1299)).status_code == 201
        server.wait_for("the contact in doubt", lambda: server.query(
            "SELECT state FROM contacts WHERE channel = 'chat' AND state = 'in_doubt'"))
    finally:
        server.stop()
        listener.close()
    assert len(got) == 1 and b"sendMessage" in got[0]
    assert server.query("SELECT state, attempts FROM contacts WHERE channel = 'chat'") == \
        [("in_doubt", 1)]
