"""An SMTP server for the e-mail tests: Debian's aiosmtpd, run with
/usr/bin/python3 smtp_sink.py PORT FOLDER. Every message accepted is kept as
FOLDER/<n>.eml (the DATA bytes as received) with FOLDER/<n>.json holding the
envelope (MAIL FROM, RCPT TO). Stops on SIGTERM."""
import asyncio
import json
import pathlib
import signal
import sys

from aiosmtpd.controller import Controller


class Keep:
    def __init__(self, folder):
        self.folder = pathlib.Path(folder)
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        stem = self.folder / f"{self.count:05d}"
        tmp = stem.with_suffix(".tmp")
        tmp.write_bytes(envelope.original_content or envelope.content)
        (stem.with_suffix(".json")).write_text(json.dumps(
            {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}))
        tmp.rename(stem.with_suffix(".eml"))
        return "250 OK stored"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Keep(folder), hostname="127.0.0.1", port=port)
    controller.start()
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


if __name__ == "__main__":
    main()
