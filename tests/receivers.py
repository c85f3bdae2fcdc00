"""Local alert receivers for the tests: an SMTP sink (aiosmtpd) and an HTTP receiver, both on
loopback, each keeping what it received. Used as context managers: they stop when left."""

from __future__ import annotations

import email
import email.policy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.helpers import free_port


@dataclass
class Received:
    url: str  # the Apprise URL that sends here
    messages: list = field(default_factory=list)  # email.message.EmailMessage or parsed JSON
    status: int = 200  # what the HTTP receiver answers


@contextmanager
def smtp_sink() -> Iterator[Received]:
    """An SMTP server taking every message; `messages` are parsed e-mails."""
    from aiosmtpd.controller import Controller

    got = Received("")

    class Keep:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
            got.messages.append(
                email.message_from_bytes(envelope.content, policy=email.policy.default)
            )
            return "250 OK"

    port = free_port()
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    got.url = f"mailto://127.0.0.1:{port}?from=tousu@example.com&to=ops@example.com"
    try:
        yield got
    finally:
        controller.stop()


@contextmanager
def http_receiver() -> Iterator[Received]:
    """An HTTP server taking every POST as JSON; answers `status` (set it to refuse)."""
    got = Received("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if got.status == 200:
                got.messages.append(json.loads(body))
            self.send_response(got.status)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    got.url = f"json://127.0.0.1:{server.server_port}/alerts"
    try:
        yield got
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
