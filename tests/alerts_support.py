"""What the alert tests share: a clock to move by hand, an SMTP server (aiosmtpd) and a
webhook receiver on loopback, and an instance with a user and documents to alert on."""
from __future__ import annotations

import json
import socket
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

from indexer.alerts.channels import DELIVERY_HEADER, SIGNATURE_HEADER


class Clock:
    """A clock tests move forward themselves."""

    def __init__(self, start: datetime = datetime(2026, 3, 10, 12, tzinfo=timezone.utc)):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """aiosmtpd's handler: keeps every message it is given, parsed by the email package."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@contextmanager
def smtp_server() -> Iterator[tuple[int, Mailbox]]:
    """A real SMTP server on a loopback port; yield (port, mailbox)."""
    from aiosmtpd.controller import Controller

    mailbox, port = Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, mailbox
    finally:
        controller.stop()


class Receiver:
    """What the webhook receiver got: (headers, body) of each POST; it fails the first
    `failures` of them with 500."""

    def __init__(self, failures: int = 0):
        self.failures = failures
        self.posts: list[tuple[dict, bytes, int]] = []
        self.lock = threading.Lock()

    def accepted(self) -> list[tuple[dict, dict]]:
        """(headers, JSON body) of the POSTs answered 200."""
        return [(headers, json.loads(body)) for headers, body, status in self.posts if status == 200]

    def delivery_ids(self) -> list[int]:
        return sorted(int(headers[DELIVERY_HEADER]) for headers, _ in self.accepted())


@contextmanager
def webhook_server(failures: int = 0) -> Iterator[tuple[str, Receiver]]:
    """A real HTTP server on loopback taking webhook POSTs; yield (url, receiver)."""
    receiver = Receiver(failures)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with receiver.lock:
                status = 500 if receiver.failures > 0 else 200
                receiver.failures -= status == 500
                receiver.posts.append((dict(self.headers), body, status))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def signature_of(headers: dict) -> str:
    return headers[SIGNATURE_HEADER]


def news(ident: str, title: str, text: str, published: str = "2026-03-09T08:00:00Z",
         source: str = "Alpha News") -> dict:
    """One JSON Lines record."""
    return {"id": ident, "source": source, "title": title, "text": text,
            "published": published, "url": f"https://alpha.example/{ident}", "lang": "en"}
