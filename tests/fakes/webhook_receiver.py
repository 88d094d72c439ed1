"""A CRM's webhook receiver over real HTTP: verifies Chorus's signature as docs/api.md
tells receivers to, drops repeats by idempotency key, and can be told to fail or to hang.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

TOLERANCE_SECONDS = 300


def verify(secret: str, header: str, body: bytes, now: float | None = None) -> bool:
    """Check a Chorus-Signature header the way docs/api.md shows."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), parts.get("v1", ""))


@dataclass
class Receiver:
    url: str = ""
    secret: str = ""
    # Every request, verified or not: (idempotency key, event, verified).
    requests: list[tuple[str, str, bool]] = field(default_factory=list)
    # Events processed: the first verified request of each idempotency key.
    events: dict[str, dict] = field(default_factory=dict)
    # The status to answer with (a failing receiver answers 500).
    status: int = 200
    # When set, requests wait here (a receiver that hangs) until it is released.
    hold: threading.Event | None = None
    received: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def webhook_receiver():
    """A receiver on a free local port; set `.secret` to the endpoint's before events come."""
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            key = self.headers.get("Chorus-Idempotency-Key", "")
            ok = verify(receiver.secret, self.headers.get("Chorus-Signature", ""), body)
            with receiver.lock:
                receiver.requests.append((key, self.headers.get("Chorus-Event", ""), ok))
                if ok and receiver.status == 200:
                    receiver.events.setdefault(key, json.loads(body))
            receiver.received.set()
            if receiver.hold is not None:
                receiver.hold.wait(30)
            self.send_response(receiver.status if ok else 400)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_port}/hooks/chorus"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    if receiver.hold is not None:
        receiver.hold.set()
    server.shutdown()
    server.server_close()
