"""Mail backends against real servers: aiosmtpd for SMTP, the fake SendGrid over HTTP."""

from __future__ import annotations

import asyncio
import random
import socket
import ssl
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message as EmailMessage
from ipaddress import IPv4Address

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.x509.oid import NameOID

from app.mail.backends import BatchMessage, BatchRecipient, SendGridBackend, SmtpBackend
from app.mail.errors import PermanentDeliveryError, TemporaryDeliveryError
from app.mail.message import Attachment, Message
from tests.fakes import Reply, rate_limited

# The port range this suite's servers may use (see the project brief).
PORTS = range(5120, 5140)


def free_port() -> int:
    """A port of PORTS free right now, picked at random: xdist workers and other runs of the
    suite share the range, and would all pick its first free port."""
    for port in random.sample(PORTS, len(PORTS)):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 5120-5139")


def started(make: Callable[[int], Controller]) -> Controller:
    """A server made by make(port) and started on a free port of PORTS."""
    for _ in range(5):
        controller = make(free_port())
        try:
            controller.start()
        except OSError:  # taken between the probe and the bind: try another
            continue
        return controller
    raise RuntimeError("could not bind a port in 5120-5139")


def message(**fields) -> Message:
    values = {
        "to": "Ann Lee <ann@example.org>",
        "subject": "Please confirm",
        "text": "Hello Ann",
        "html": "<p>Hello Ann</p>",
        "from_addr": "Chorus <no-reply@chorus.test>",
        "category": "confirmation",
        "delivery_id": 41,
    }
    values.update(fields)
    return Message(**values)


class Recorder:
    """An aiosmtpd handler that keeps what it received and can refuse some recipients."""

    def __init__(self, refuse: dict[str, str] | None = None):
        self.refuse = refuse or {}
        self.received: list[tuple[str, list[str], EmailMessage]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.original_content or envelope.content)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"chorus" and auth_data.password == b"s3cret"
    # handled=False: aiosmtpd then answers 535 itself.
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_server():
    servers = []

    def start(handler: Recorder, **kwargs) -> Controller:
        controller = started(
            lambda port: Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
        )
        servers.append(controller)
        return controller

    yield start
    for controller in servers:
        controller.stop()


def test_smtp_delivers_text_html_and_attachment_and_returns_the_message_id(smtp_server):
    recorder = Recorder()
    server = smtp_server(recorder)
    backend = SmtpBackend("127.0.0.1", server.port, timeout=5)
    sent = message(attachments=[Attachment("letters.csv", b"name\nAnn\n")])

    message_id = backend.send(sent)

    [(mail_from, rcpt_tos, email)] = recorder.received
    assert mail_from == "no-reply@chorus.test"
    assert rcpt_tos == ["ann@example.org"]
    assert email["Subject"] == "Please confirm"
    assert email["Message-ID"].strip("<>") == message_id
    parts = {part.get_content_type(): part for part in email.walk()}
    assert "Hello Ann" in parts["text/plain"].get_payload(decode=True).decode()
    assert "<p>Hello Ann</p>" in parts["text/html"].get_payload(decode=True).decode()
    assert parts["text/csv"].get_filename() == "letters.csv"


def test_smtp_sends_a_long_list_unsubscribe_url_as_it_is(smtp_server):
    # Encoded or folded, the URL is not recognised, and no one-click unsubscribe is offered.
    recorder = Recorder()
    server = smtp_server(recorder)
    url = "<https://chorus.test/unsubscribe/" + "WzEsIjNiZmUxODJkMmY3YzlkYmYiXQ" * 3 + ">"
    headers = {"List-Unsubscribe": url, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    SmtpBackend("127.0.0.1", server.port, timeout=5).send(message(headers=headers))
    [(_, _, email)] = recorder.received
    assert email["List-Unsubscribe"] == url
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_smtp_logs_in_when_a_username_is_configured(smtp_server):
    recorder = Recorder()
    server = smtp_server(recorder, authenticator=_authenticator, auth_require_tls=False)
    SmtpBackend("127.0.0.1", server.port, "chorus", "s3cret", timeout=5).send(message())
    assert len(recorder.received) == 1
    with pytest.raises(PermanentDeliveryError, match="535"):
        SmtpBackend("127.0.0.1", server.port, "chorus", "wrong", timeout=5).send(message())


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        ("550 5.1.1 No such user", PermanentDeliveryError),
        ("452 4.2.2 Mailbox full, try later", TemporaryDeliveryError),
    ],
)
def test_smtp_refused_recipient_is_classified_by_reply_code(smtp_server, reply, error):
    server = smtp_server(Recorder(refuse={"ann@example.org": reply}))
    with pytest.raises(error, match=reply.split()[0]):
        SmtpBackend("127.0.0.1", server.port, timeout=5).send(message())


def test_a_refusal_that_quotes_the_address_is_kept_without_it(smtp_server):
    refusal = "550 5.1.1 <ann@example.org>: Recipient address rejected"
    server = smtp_server(Recorder(refuse={"ann@example.org": refusal}))
    with pytest.raises(PermanentDeliveryError) as refused:
        SmtpBackend("127.0.0.1", server.port, timeout=5).send(message())
    assert refused.value.reason == "SMTP 550: 5.1.1 <[address]>: Recipient address rejected"
    assert "ann@" not in str(refused.value)


def test_smtp_server_that_is_down_is_a_temporary_error():
    with pytest.raises(TemporaryDeliveryError, match="SMTP connection"):
        SmtpBackend("127.0.0.1", free_port(), timeout=2).send(message())


def test_smtp_starttls_required_but_not_offered_is_a_permanent_setting_error(smtp_server):
    server = smtp_server(Recorder())
    with pytest.raises(PermanentDeliveryError, match="does not support"):
        SmtpBackend("127.0.0.1", server.port, starttls=True, timeout=5).send(message())


@pytest.fixture
def relay_certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1 (its own CA): (its file, a server context)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "relay.test")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "relay.pem", tmp_path / "relay.key"
    cert_file.write_bytes(certificate.public_bytes(Encoding.PEM))
    key_file.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return cert_file, context


def test_smtp_starttls_refuses_a_relay_whose_certificate_is_not_trusted(
    smtp_server, relay_certificate
):
    # Anyone on the path could present such a certificate and collect the mail and password.
    _, context = relay_certificate
    recorder = Recorder()
    server = smtp_server(recorder, tls_context=context, require_starttls=True)
    backend = SmtpBackend("127.0.0.1", server.port, "chorus", "s3cret", starttls=True, timeout=5)
    with pytest.raises(PermanentDeliveryError, match="certificate not trusted"):
        backend.send(message())
    assert recorder.received == []


def test_smtp_starttls_sends_to_a_relay_whose_ca_is_trusted(
    smtp_server, relay_certificate, monkeypatch
):
    cert_file, context = relay_certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))  # how an operator trusts a private CA
    recorder = Recorder()
    server = smtp_server(recorder, tls_context=context, require_starttls=True)
    SmtpBackend("127.0.0.1", server.port, starttls=True, timeout=5).send(message())
    assert len(recorder.received) == 1


class _SlowRecorder(Recorder):
    """Answers MAIL, RCPT and DATA after `delay` seconds each: slow, but alive."""

    def __init__(self, delay: float):
        super().__init__()
        self.delay = delay

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        await asyncio.sleep(self.delay)
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await asyncio.sleep(self.delay)
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


def test_a_send_that_outlasts_the_timeout_is_hung_up_on(smtp_server):
    # Every reply comes within the 0.5 s timeout, but the dialogue would take 0.6 s. The
    # outbox counts on a send ending within the timeout: past it, the lease may have ended
    # and another worker be sending the same message.
    recorder = _SlowRecorder(0.2)
    server = smtp_server(recorder)
    started = time.monotonic()
    with pytest.raises(TemporaryDeliveryError, match="longer than 0.5 s"):
        SmtpBackend("127.0.0.1", server.port, timeout=0.5).send(message())
    assert time.monotonic() - started < 0.9
    assert recorder.received == []


class _ShutsDownOnQuit(SMTP):
    """A relay that accepts the message, then answers QUIT with 421 and hangs up."""

    async def smtp_QUIT(self, arg):
        await self.push("421 4.3.2 Service shutting down")
        self._handler_coroutine.cancel()
        self.transport.close()


class _ShutsDownOnQuitController(Controller):
    def factory(self):
        return _ShutsDownOnQuit(self.handler, **self.SMTP_kwargs)


def test_a_message_the_relay_accepted_is_sent_even_if_quit_fails():
    # Reported as a failure, it would be retried: a second copy to the same person.
    recorder = Recorder()
    server = started(
        lambda port: _ShutsDownOnQuitController(recorder, hostname="127.0.0.1", port=port)
    )
    try:
        message_id = SmtpBackend("127.0.0.1", server.port, timeout=5).send(message())
    finally:
        server.stop()
    [(_, _, received)] = recorder.received
    assert received["Message-ID"].strip("<>") == message_id


def test_sendgrid_sends_a_v3_payload_with_key_category_and_delivery_id(fake_sendgrid):
    backend = SendGridBackend(fake_sendgrid.api_key, fake_sendgrid.url, timeout=2)

    message_id = backend.send(message(reply_to="Ann Lee <ann@example.org>"))

    [request] = fake_sendgrid.received
    assert message_id == request.message_id != ""
    assert request.headers["authorization"] == f"Bearer {fake_sendgrid.api_key}"
    payload = request.payload
    assert payload["from"] == {"email": "no-reply@chorus.test", "name": "Chorus"}
    assert payload["personalizations"] == [
        {
            "to": [{"email": "ann@example.org", "name": "Ann Lee"}],
            "custom_args": {"delivery_id": "41"},
        }
    ]
    assert [part["type"] for part in payload["content"]] == ["text/plain", "text/html"]
    assert payload["categories"] == ["confirmation"]
    assert payload["reply_to"] == {"email": "ann@example.org", "name": "Ann Lee"}


def test_sendgrid_sends_attachments_base64_encoded(fake_sendgrid):
    backend = SendGridBackend(fake_sendgrid.api_key, fake_sendgrid.url, timeout=2)
    backend.send(message(attachments=[Attachment("letters.csv", b"a,b\n1,2\n")]))
    [attachment] = fake_sendgrid.accepted()[0].payload["attachments"]
    assert attachment == {
        "content": "YSxiCjEsMgo=",
        "type": "text/csv",
        "filename": "letters.csv",
        "disposition": "attachment",
    }


def test_sendgrid_batch_is_one_request_with_a_personalization_per_recipient(fake_sendgrid):
    backend = SendGridBackend(fake_sendgrid.api_key, fake_sendgrid.url, timeout=2)
    recipients = [
        BatchRecipient(f"Signer {n} <s{n}@example.org>", n, {"%%name%%": f"Signer {n}"})
        for n in range(1, 4)
    ]
    backend.send_batch(BatchMessage(message(text="Hi %%name%%", delivery_id=None), recipients))
    [request] = fake_sendgrid.received
    assert request.delivery_ids == [1, 2, 3]
    assert request.recipients == ["s1@example.org", "s2@example.org", "s3@example.org"]
    assert request.payload["personalizations"][1]["substitutions"] == {"%%name%%": "Signer 2"}


def test_sendgrid_wrong_api_key_is_a_permanent_error(fake_sendgrid):
    backend = SendGridBackend("SG.wrong", fake_sendgrid.url, timeout=2)
    with pytest.raises(PermanentDeliveryError, match="401"):
        backend.send(message())


def test_sendgrid_invalid_address_is_a_permanent_error_with_the_reason(fake_sendgrid):
    backend = SendGridBackend(fake_sendgrid.api_key, fake_sendgrid.url, timeout=2)
    with pytest.raises(PermanentDeliveryError, match="invalid email address"):
        backend.send(message(to="Ann <ann@localhost>"))


def test_sendgrid_rate_limit_is_temporary_and_says_when_to_come_back(fake_sendgrid):
    fake_sendgrid.reply(rate_limited(reset_in=30))
    backend = SendGridBackend(fake_sendgrid.api_key, fake_sendgrid.url, timeout=2)
    with pytest.raises(TemporaryDeliveryError) as caught:
        backend.send(message())
    assert 28 < caught.value.retry_after <= 30


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(500, body={"errors": [{"message": "oops"}]}), "SendGrid 500"),
        (Reply(503), "SendGrid 503"),
        (Reply(drop=True), "connection"),
        (Reply(delay=1.5), "timed out"),
    ],
    ids=["500", "503", "dropped-connection", "slow"],
)
def test_sendgrid_outage_is_a_temporary_error(fake_sendgrid, reply, reason):
    fake_sendgrid.reply(reply)
    backend = SendGridBackend(fake_sendgrid.api_key, fake_sendgrid.url, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(TemporaryDeliveryError, match=reason):
        backend.send(message())
    assert time.monotonic() - started < 1.4  # the send timeout holds even if the server stalls
