"""A fake CWC endpoint over real HTTP: checks every message against the schema, records it,
and answers as scripted (success, an <Error> 4xx, 5xx, 429, or a hang past the timeout).

Point a CwcClient (or the app, via fake.app_settings()) at `fake.url`. Requests without the
right `apikey` get 401, messages that fail app/cwc's schema get 400 with the reason in an
<Error>, as CWC answers; everything else takes the next scripted Reply (default 200).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

import pytest
from lxml import etree

from app.cwc import CwcSchemaError, validate

API_KEY = "fake-cwc-key"


def cwc_settings(url: str, api_key: str = API_KEY) -> dict:
    """CWC settings for both chambers at one endpoint, with a complete delivery agent."""
    return dict(
        CWC_API_URL=url,
        CWC_API_KEY=api_key,
        CWC_HOUSE=True,
        CWC_SENATE=True,
        CWC_DELIVERY_AGENT="Chorus Test Agent",
        CWC_ACK_EMAIL="cwc-ack@chorus.test",
        CWC_DELIVERY_AGENT_CONTACT_NAME="Pat Operator",
        CWC_DELIVERY_AGENT_CONTACT_EMAIL="operator@chorus.test",
        CWC_DELIVERY_AGENT_CONTACT_PHONE="202-555-0100",
    )


@dataclass
class Reply:
    """How the fake answers one message."""

    status: int = 200
    # <Error> texts for the body (CWC's way of saying what it refused).
    errors: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    # Seconds to wait before answering: longer than the client's timeout is a hang.
    delay: float = 0.0


def refused(*errors: str, status: int = 400) -> Reply:
    """CWC refusing the message, with these <Error> texts."""
    return Reply(status, errors)


@dataclass
class Received:
    """One message as the fake saw it, and what it answered."""

    xml: bytes
    path: str
    status: int
    received_at: float

    def text(self, path: str) -> str | None:
        """The text of one element, by its path under <CWC> (e.g. "Constituent/Zip")."""
        return etree.fromstring(self.xml).findtext(path)

    @property
    def delivery_id(self) -> str | None:
        return self.text("Delivery/DeliveryId")

    @property
    def member_office(self) -> str | None:
        return self.text("Recipient/MemberOffice")


class FakeCwc:
    """The server: start() it, point clients at url, read what it received."""

    def __init__(self, api_key: str = API_KEY):
        self.api_key = api_key
        self.received: list[Received] = []
        self.default = Reply()
        self._script: list[Reply] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The message endpoint, as CWC_API_URL takes it."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v2/message"

    def app_settings(self, **overrides) -> dict:
        """Settings that send both chambers' messages here, plus any overrides."""
        return cwc_settings(self.url, self.api_key) | overrides

    def start(self) -> FakeCwc:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reply(self, *replies: Reply) -> None:
        """Answer the next messages with these replies, in order, then the default."""
        with self._lock:
            self._script.extend(replies)

    def accepted(self) -> list[Received]:
        """The messages answered with 2xx, in the order they arrived."""
        with self._lock:
            return [r for r in self.received if 200 <= r.status < 300]

    def wait_for(self, count: int, timeout: float = 5) -> list[Received]:
        """Everything received, once at least `count` messages are in (a hung one lands late)."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        with self._lock:
            return list(self.received)

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
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                url = urlsplit(self.path)
                if url.path.rstrip("/") not in ("/v2/message", "/v2/validate"):
                    self._answer(404, (f"no route {url.path}",))
                    return
                if parse_qs(url.query).get("apikey") != [fake.api_key]:
                    self._answer(401, ("Invalid API key",))
                    return
                try:
                    validate(raw)
                except CwcSchemaError as error:
                    fake._record(Received(raw, url.path, 400, time.time()))
                    self._answer(400, (error.reason,))
                    return
                reply = fake._next_reply()
                if reply.delay:
                    time.sleep(reply.delay)
                fake._record(Received(raw, url.path, reply.status, time.time()))
                self._answer(reply.status, reply.errors, reply.headers)

            def _answer(self, status: int, errors: tuple[str, ...], headers: dict | None = None):
                if errors:
                    items = "".join(f"<Error>{escape(e)}</Error>" for e in errors)
                    body = f"<Errors>{items}</Errors>".encode()
                else:
                    body = b""
                try:
                    self.send_response(status)
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    return  # the client gave up waiting (its timeout): nothing to answer

        return Handler


@pytest.fixture
def fake_cwc():
    """A running fake CWC server, stopped after the test."""
    fake = FakeCwc().start()
    yield fake
    fake.stop()
