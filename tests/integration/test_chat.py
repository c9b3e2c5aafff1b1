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


def update(update_id, chat_id, text=None, username=None, chat_username=None, caption=None):
    """A Bot API Update with a private-chat Message (core.telegram.org/bots/api:
    Message.chat is a Chat with an integer id and an optional username,
    Message.from a User with an optional username; text or caption)."""
    chat = {"id": chat_id, "type": "private"}
    if chat_username is not None:
        chat["username"] = chat_username
    message = {"message_id": 10 + update_id, "date": 1780390800, "chat": chat}
    if username is not None:
        message["from"] = {"id": chat_id, "is_bot": False, "first_name": "X",
                           "username": username}
    if text is not None:
        message["text"] = text
    if caption is not None:
        message["caption"] = caption
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
        # an update without a message; a bad update
        assert webhook(server, {"update_id": 2, "my_chat_member": {}}).json() == \
            {"ignored": "no message from a chat in this update"}
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


def test_replies_match_the_chat_id_or_the_username_and_nothing_is_dropped(tmp_path):
    """A customer's chat handle may be the numeric chat id or an @username
    (any case): an update matches by Message.chat.id, Message.from.username
    or Chat.username, case-insensitively and without the "@". A message from
    an unknown chat is recorded, not dropped; a photo with a caption is a
    reply with the caption's words, a sticker a reply without words."""
    bot = HttpSink(lambda path, body: (200, {"ok": True, "result": {"message_id": 1}}))
    server = Server(tmp_path, channels={"chat": {
        "driver": "telegram", "token": TOKEN, "api_url": bot.url, "webhook_secret": SECRET}})
    try:
        for cid, chat in (("M1", "4242"), ("M2", "@Anna_B"), ("M3", "carl_c")):
            assert server.post("/v1/customers", customer(cid, chat=chat)).status_code == 201
        rows = [
            # (update, customer or None when unmatched, reply text recorded, classification)
            (update(1, 4242, "Jā"), "M1", "Jā", "promise"),
            (update(2, 777, "1", username="anna_b"), "M2", "1", "promise"),
            (update(3, 778, "STOP", username="ANNA_B"), "M2", "STOP", "opt_out"),
            (update(4, 779, "kad?", chat_username="Carl_C"), "M3", "kad?", "other"),
            (update(5, 4242, caption="rēķins pielikumā"), "M1", "rēķins pielikumā", "other"),
            (update(6, 4242), "M1", "", "other"),
            (update(7, 999, "who is this?"), None, "who is this?", None),
            (update(8, 998, "hello", username="stranger"), None, "hello", None),
        ]
        for body, cid, text, classification in rows:
            r = webhook(server, body)
            assert r.status_code == 200, (body, r.text)
            if cid:
                assert r.json()["customer_id"] == cid, (body, r.text)
                assert r.json()["classification"] == classification, (body, r.text)
            else:
                assert r.json()["recorded"] == "reply_unmatched", (body, r.text)
        for cid in ("M1", "M2", "M3"):
            events = server.get(f"/v1/customers/{cid}/timeline").json()["events"]
            got = [e["payload"]["text"] for e in events if e["kind"] == "reply"]
            assert got == [t for _, c, t, _ in rows if c == cid], (cid, got)
        unmatched = server.query("SELECT customer_id, json_extract(payload, '$.from'), "
                                 "json_extract(payload, '$.username'), "
                                 "json_extract(payload, '$.text') FROM events "
                                 "WHERE kind = 'reply_unmatched' ORDER BY id")
        assert unmatched == [(None, "999", "", "who is this?"),
                             (None, "998", "stranger", "hello")], unmatched
        assert server.get("/v1/customers/M2").json()["opt_out"] == ["chat"]
    finally:
        server.stop()
        bot.stop()
