"""An SMTP server for the e-mail tests: Debian's aiosmtpd, run with
/usr/bin/python3 smtp_sink.py PORT FOLDER [CERT KEY USER PASSWORD]. Every
message accepted is kept as FOLDER/<n>.eml (the DATA bytes as received) with
FOLDER/<n>.json holding the envelope (MAIL FROM, RCPT TO) and whether the
session was under TLS and authenticated. With CERT and KEY the server
offers STARTTLS and requires it, and requires AUTH (PLAIN/LOGIN) as USER
with PASSWORD. Stops on SIGTERM."""
import asyncio
import json
import pathlib
import signal
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Keep:
    """Keeps what it accepts. Like a real server it refuses some
    recipients at RCPT TO (RFC 5321 4.2.2, RFC 3463 codes): unknown@… with
    "550 5.1.1" (permanent), busy@… with "451 4.3.0" (transient)."""

    def __init__(self, folder):
        self.folder = pathlib.Path(folder)
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("unknown@"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        if address.startswith("busy@"):
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        stem = self.folder / f"{self.count:05d}"
        tmp = stem.with_suffix(".tmp")
        tmp.write_bytes(envelope.original_content or envelope.content)
        (stem.with_suffix(".json")).write_text(json.dumps(
            {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
             "tls": session.ssl is not None, "authenticated": bool(session.authenticated)}))
        tmp.rename(stem.with_suffix(".eml"))
        return "250 OK stored"


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        return AuthResult(success=ok)
    return check


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    options = {}
    if len(sys.argv) == 7:
        cert, key, user, password = sys.argv[3:7]
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        options = {"tls_context": context, "require_starttls": True,
                   "authenticator": authenticator(user, password), "auth_require_tls": True,
                   "auth_required": True}
    controller = Controller(Keep(folder), hostname="127.0.0.1", port=port, **options)
    controller.start()
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


if __name__ == "__main__":
    main()
