"""A real local SMTP server (aiosmtpd) and HTTP receiver for alert tests, on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Mailbox:
    def __init__(self):
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 OK"


class SmtpServer:
    def __init__(self):
        self.mailbox = _Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def messages(self) -> list[str]:
        return [m.decode("utf-8", "replace") for m in self.mailbox.messages]


class WebhookReceiver:
    def __init__(self):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append(json.loads(body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def alert_env(smtp: SmtpServer, hook: WebhookReceiver) -> dict[str, str]:
    """The environment that sends the pipeline's alerts to these receivers."""
    return {"CSC_ALERT_SMTP_HOST": "127.0.0.1", "CSC_ALERT_SMTP_PORT": str(smtp.port),
            "CSC_ALERT_EMAIL_TO": "data-team@council.example", "CSC_ALERT_WEBHOOK_URL": hook.url}
