"""A fake SendGrid v3 API over real HTTP: checks payloads and keys, records and scripts replies.

Point a SendGridBackend (or the app, via SENDGRID_API_HOST) at `fake.url`. Every request is
checked like SendGrid checks it (path, API key, payload shape) and recorded; replies come
from a script (`fake.reply(...)`) and default to 202 with a fresh X-Message-Id.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from app import clock

API_KEY = "SG.fake-key-for-tests"
MAX_RECIPIENTS = 1000
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


@dataclass
class Reply:
    """How the fake answers one request."""

    status: int = 202
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    # Seconds to wait before answering (a slow provider).
    delay: float = 0.0
    # Seconds a frozen app clock moves on while answering: a slow provider, without waiting.
    takes: float = 0.0
    # Close the connection without any answer (a provider that fell over mid-request).
    drop: bool = False


def rate_limited(reset_in: float) -> Reply:
    """A 429 whose X-RateLimit-Reset says the window reopens in reset_in seconds."""
    reset = f"{time.time() + reset_in:.3f}"
    return Reply(429, {"X-RateLimit-Reset": reset}, {"errors": [{"message": "too many"}]})


@dataclass
class Received:
    """One request as the fake saw it, and what it answered."""

    payload: dict[str, Any]
    headers: dict[str, str]
    status: int
    message_id: str = ""
    # When it was answered, on the app's clock (app/clock.py: frozen in some tests).
    received_at: float = 0.0

    @property
    def delivery_ids(self) -> list[int]:
        """The delivery ids (custom_args) of every personalization, in order."""
        return [
            int(p["custom_args"]["delivery_id"])
            for p in self.payload.get("personalizations", [])
            if "delivery_id" in p.get("custom_args", {})
        ]

    @property
    def recipients(self) -> list[str]:
        return [to["email"] for p in self.payload["personalizations"] for to in p["to"]]


def payload_errors(payload: Any) -> list[str]:
    """What SendGrid would reject in a v3 /mail/send body ([] when it is acceptable)."""
    if not isinstance(payload, dict):
        return ["body must be a JSON object"]
    errors: list[str] = []
    personalizations = payload.get("personalizations")
    if not isinstance(personalizations, list) or not personalizations:
        return ["personalizations: at least one is required"]
    if len(personalizations) > MAX_RECIPIENTS:
        errors.append("personalizations: at most 1000")
    recipients = 0
    for n, personalization in enumerate(personalizations):
        to = personalization.get("to")
        if not isinstance(to, list) or not to:
            errors.append(f"personalizations.{n}.to: at least one recipient")
            continue
        recipients += len(to)
        errors += _address_errors(f"personalizations.{n}.to", to)
        if "subject" not in payload and not personalization.get("subject"):
            errors.append(f"personalizations.{n}.subject: required without a global subject")
        errors += _string_map_errors(f"personalizations.{n}.custom_args", personalization)
        errors += _string_map_errors(f"personalizations.{n}.substitutions", personalization)
    if recipients > MAX_RECIPIENTS:
        errors.append("personalizations: at most 1000 recipients per request")
    errors += _address_errors("from", [payload.get("from")])
    if "reply_to" in payload:
        errors += _address_errors("reply_to", [payload["reply_to"]])
    if "subject" in payload and not (isinstance(payload["subject"], str) and payload["subject"]):
        errors.append("subject: must be a non-empty string")
    errors += _content_errors(payload.get("content"))
    errors += _string_map_errors("headers", payload)
    categories = payload.get("categories", [])
    if not isinstance(categories, list) or len(categories) > 10:
        errors.append("categories: a list of at most 10")
    elif not all(isinstance(c, str) and 0 < len(c) <= 255 for c in categories):
        errors.append("categories: each a string of 1-255 characters")
    for n, attachment in enumerate(payload.get("attachments", [])):
        errors += _attachment_errors(n, attachment)
    return errors


def _address_errors(where: str, addresses: list) -> list[str]:
    errors = []
    for address in addresses:
        if not isinstance(address, dict) or not _EMAIL.match(str(address.get("email", ""))):
            errors.append(f"{where}: invalid email address {address!r}")
        elif any(ch in str(address.get("name", "")) for ch in "\r\n;,"):
            errors.append(f"{where}: name must not contain ; , or line breaks")
    return errors


def _string_map_errors(where: str, container: dict) -> list[str]:
    key = where.rpartition(".")[2]
    if key not in container:
        return []
    value = container[key]
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        return [f"{where}: must map strings to strings"]
    return []


def _content_errors(content: Any) -> list[str]:
    if not isinstance(content, list) or not content:
        return ["content: at least one part is required"]
    types = [part.get("type") for part in content if isinstance(part, dict)]
    if len(types) != len(content) or not all(
        isinstance(part.get("value"), str) and part["value"] for part in content
    ):
        return ["content: each part needs a type and a non-empty value"]
    if "text/plain" in types and types[0] != "text/plain":
        return ["content: text/plain must come first"]
    return []


def _attachment_errors(n: int, attachment: Any) -> list[str]:
    if not isinstance(attachment, dict) or not attachment.get("filename"):
        return [f"attachments.{n}: filename is required"]
    try:
        base64.b64decode(attachment.get("content", ""), validate=True)
    except (binascii.Error, ValueError):
        return [f"attachments.{n}.content: must be base64"]
    return []


class FakeSendGrid:
    """The server: start() it, point clients at url, read what it received."""

    def __init__(self, api_key: str = API_KEY):
        self.api_key = api_key
        self.received: list[Received] = []
        self.default = Reply()
        self._script: list[Reply] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def app_settings(self, **overrides) -> dict:
        """The app settings that send mail here, plus any overrides."""
        return (
            dict(MAIL_BACKEND="sendgrid", SENDGRID_API_KEY=self.api_key, SENDGRID_API_HOST=self.url)
            | overrides
        )

    def start(self) -> FakeSendGrid:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reply(self, *replies: Reply) -> None:
        """Answer the next requests with these replies, in order, then the default."""
        with self._lock:
            self._script.extend(replies)

    def accepted(self) -> list[Received]:
        """The requests answered with 202, in the order they arrived."""
        with self._lock:
            return [r for r in self.received if r.status == 202]

    def sent_delivery_ids(self) -> list[int]:
        """Delivery ids accepted for sending, in order (repeats mean duplicate sends)."""
        return [d for r in self.accepted() for d in r.delivery_ids]

    def duplicates(self) -> dict[int, int]:
        """Delivery ids accepted more than once, with how many times."""
        return {d: n for d, n in Counter(self.sent_delivery_ids()).items() if n > 1}

    def _next_reply(self) -> Reply:
        with self._lock:
            return self._script.pop(0) if self._script else self.default

    def _record(self, received: Received) -> None:
        with self._lock:
            self.received.append(received)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                if self.path.rstrip("/") != "/v3/mail/send":
                    self._answer(404, {"errors": [{"message": f"no route {self.path}"}]})
                    return
                if headers.get("authorization") != f"Bearer {fake.api_key}":
                    self._answer(401, {"errors": [{"message": "authorization required"}]})
                    return
                try:
                    payload = json.loads(raw)
                except ValueError:
                    self._answer(400, {"errors": [{"message": "body is not JSON"}]})
                    return
                errors = payload_errors(payload)
                if errors:
                    fake._record(Received(payload, headers, 400, received_at=clock.timestamp()))
                    self._answer(400, {"errors": [{"message": e} for e in errors]})
                    return
                reply = fake._next_reply()
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.takes:
                    clock.advance(reply.takes)
                if reply.drop:
                    fake._record(Received(payload, headers, 0, received_at=clock.timestamp()))
                    self.close_connection = True
                    self.connection.close()
                    return
                message_id = f"fake{next(fake._ids):08d}" if reply.status == 202 else ""
                fake._record(
                    Received(payload, headers, reply.status, message_id, clock.timestamp())
                )
                extra = {"X-Message-Id": message_id} if message_id else {}
                self._answer(reply.status, reply.body, {**extra, **reply.headers})

            def _answer(self, status: int, body: dict | None, headers: dict | None = None):
                data = json.dumps(body).encode() if body is not None else b""
                try:
                    self.send_response(status)
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    return  # the client gave up waiting (its send timeout): nothing to answer

        return Handler


@pytest.fixture
def fake_sendgrid():
    """A running fake SendGrid server, stopped after the test."""
    fake = FakeSendGrid().start()
    yield fake
    fake.stop()


@pytest.fixture
def sendgrid_app(make_app, fake_sendgrid):
    """An app (in context) whose mail goes to the fake SendGrid server."""
    app = make_app(**fake_sendgrid.app_settings(MAIL_SEND_TIMEOUT=2))
    with app.app_context():
        yield app
