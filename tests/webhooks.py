"""Alert webhooks under test: a signing secret, only the rules a test creates, and a receiver.

The fixtures are imported by tests/conftest.py, so any test may ask for them;
tests/jobs/monitoring/ applies ``alert_settings`` to every test it holds.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

SECRET = "test-webhook-secret"


@pytest.fixture
def alert_settings(settings):
    """Only the rules a test creates (no reference rules), and webhooks that can be signed."""
    settings.JOBS = {**settings.JOBS, "ALERT_RULES": [], "ALERT_WEBHOOK_SECRET": SECRET}
    return settings


class Receiver:
    """A tiny HTTP endpoint on 127.0.0.1 that records every POST and answers as told."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                time.sleep(receiver.delay)
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def payloads(self) -> list[dict]:
        return [json.loads(request["body"]) for request in self.requests]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()
