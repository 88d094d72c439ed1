"""Mail backends: console and memory for development and tests, SMTP and SendGrid for real."""

from __future__ import annotations

import base64
import contextlib
import smtplib
import socket
import ssl
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from http.client import HTTPException
from typing import Protocol, runtime_checkable
from urllib.error import URLError

from python_http_client import exceptions as http_errors
from sendgrid import SendGridAPIClient

from app.mail.errors import DeliveryError, PermanentDeliveryError, TemporaryDeliveryError
from app.mail.message import Message, split_address


class MailBackend(Protocol):
    def send(self, message: Message) -> str | None:
        """Send one message; return the provider's message id, or raise a DeliveryError."""


# Headers set raw (set_raw) are written as given; the rest are folded and encoded as usual.
_RAW_HEADERS_AS_GIVEN = policy.default.clone(refold_source="none")


def to_email_message(message: Message) -> EmailMessage:
    """The RFC 5322 form of a message, as SMTP sends it and the console prints it."""
    email = EmailMessage(policy=_RAW_HEADERS_AS_GIVEN)
    email["From"] = message.from_addr
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain=split_address(message.from_addr)[1].rpartition("@")[2])
    if message.reply_to:
        email["Reply-To"] = message.reply_to
    for name, value in message.headers.items():
        # As given: folding would RFC 2047-encode a long List-Unsubscribe URL, which mail
        # clients then do not recognise. Message has checked the values (no line breaks).
        email.set_raw(name, value)
    email.set_content(message.text)
    if message.html:
        email.add_alternative(message.html, subtype="html")
    for attachment in message.attachments:
        maintype, _, subtype = attachment.mimetype.partition("/")
        email.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return email


class ConsoleBackend:
    """Prints each message's headers and text part, for `make run`."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()

    def send(self, message: Message) -> str:
        message_id = f"console-{uuid.uuid4().hex[:12]}"
        lines = [
            "=" * 72,
            f"From: {message.from_addr}",
            f"To: {message.to}",
            *([f"Reply-To: {message.reply_to}"] if message.reply_to else []),
            f"Subject: {message.subject}",
            *(f"{name}: {value}" for name, value in message.headers.items()),
            *(f"Attachment: {a.filename} ({len(a.content)} bytes)" for a in message.attachments),
            "",
            message.text.rstrip(),
            "=" * 72,
        ]
        with self._lock:
            print("\n".join(lines), file=self.stream, flush=True)
        return message_id


class MemoryBackend:
    """Keeps sent messages in a list, for tests."""

    def __init__(self):
        self.outbox: list[Message] = []

    def send(self, message: Message) -> str:
        self.outbox.append(message)
        return f"memory-{len(self.outbox)}"


class SmtpBackend:
    """Sends through an SMTP relay, one connection per message."""

    def __init__(self, host, port, username="", password="", starttls=False, timeout=10):
        self.host, self.port = host, port
        self.username, self.password = username, password
        self.starttls, self.timeout = starttls, timeout

    def send(self, message: Message) -> str:
        email = to_email_message(message)
        smtp = None
        with _Deadline(self.timeout) as deadline:
            try:
                smtp = deadline.smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                deadline.check()
                if self.starttls:
                    # Verified against the system's CAs (or SSL_CERT_FILE): the mail and the
                    # password go over this connection. starttls() alone checks nothing.
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password)
                deadline.check()
                smtp.send_message(email)
            except ssl.SSLCertVerificationError as error:
                raise PermanentDeliveryError(
                    f"SMTP server certificate not trusted: {error}"
                ) from error
            except smtplib.SMTPRecipientsRefused as error:
                code, reason = next(iter(error.recipients.values()))
                raise _smtp_error(code, reason) from error
            except smtplib.SMTPResponseException as error:
                raise _smtp_error(error.smtp_code, error.smtp_error) from error
            except smtplib.SMTPNotSupportedError as error:
                # STARTTLS or AUTH configured but not offered: a setting to fix, not a blip.
                raise PermanentDeliveryError(f"SMTP server does not support it: {error}") from error
            except (OSError, smtplib.SMTPException) as error:
                # Connection refused or dropped, timeouts: the server may be back soon.
                if deadline.passed:
                    raise TemporaryDeliveryError(
                        f"SMTP send took longer than {self.timeout} s"
                    ) from error
                raise TemporaryDeliveryError(f"SMTP connection: {error!r}") from error
            finally:
                if smtp is not None:
                    _quit(smtp)
        return email["Message-ID"].strip("<>")


class _Deadline:
    """Hangs up an SMTP dialogue that outlasts `seconds`.

    smtplib's timeout bounds each socket operation, and one message takes several (connect,
    EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA): a slow but live relay could keep a send going
    past the outbox's lease, which counts on a send lasting at most MAIL_SEND_TIMEOUT, and
    another worker would send the message again.
    """

    def __init__(self, seconds: float):
        self.smtp: smtplib.SMTP | None = None  # set once connected
        self.passed = False
        self._timer = threading.Timer(seconds, self._hang_up)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()

    def check(self) -> None:
        """Raise if the deadline passed while connecting or upgrading the connection, when
        there was no connection to hang up yet."""
        if self.passed:
            raise smtplib.SMTPServerDisconnected("deadline passed")

    def _hang_up(self) -> None:
        self.passed = True
        sock = self.smtp.sock if self.smtp is not None else None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes a blocked read; close() may not


def _quit(smtp: smtplib.SMTP) -> None:
    """Say goodbye, ignoring the answer: once the relay took the message it is sent, and a
    failed QUIT must not turn it into a retry (a second copy) or a failure."""
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def _smtp_error(code: int, reason: bytes | str) -> DeliveryError:
    text = reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
    # 4xx replies are the server asking us to come back later; 5xx are final.
    if 400 <= code < 500:
        return TemporaryDeliveryError(f"SMTP {code}: {text}")
    return PermanentDeliveryError(f"SMTP {code}: {text}")


@dataclass
class BatchRecipient:
    """One person in a batch: their address, outbox row and placeholder values."""

    to: str
    delivery_id: int
    substitutions: dict[str, str]


@dataclass
class BatchMessage:
    """One message sent to many: a template with placeholders, filled in per recipient."""

    template: Message
    recipients: list[BatchRecipient]


@runtime_checkable
class BatchingBackend(Protocol):
    MAX_BATCH: int

    def send_batch(self, batch: BatchMessage) -> str | None:
        """Send one message to every recipient in one request; return the provider's id."""


class SendGridBackend:
    """Sends through SendGrid's v3 API with the official client."""

    # SendGrid accepts up to 1,000 personalizations in one request.
    MAX_BATCH = 1000

    def __init__(self, api_key: str, host: str, timeout: float = 10):
        self.client = SendGridAPIClient(api_key=api_key, host=host)
        # The timeout applies to connecting and to each read: a stalled provider cannot
        # hold a worker (and its leased rows) for longer than this per socket operation.
        self.client.client.timeout = timeout
        self.timeout = timeout

    def send(self, message: Message) -> str | None:
        return self._post(sendgrid_payload(message))

    def send_batch(self, batch: BatchMessage) -> str | None:
        if len(batch.recipients) > self.MAX_BATCH:
            raise ValueError(f"at most {self.MAX_BATCH} recipients per SendGrid request")
        payload = sendgrid_payload(batch.template)
        payload["personalizations"] = [
            _personalization(recipient.to, recipient.delivery_id, recipient.substitutions)
            for recipient in batch.recipients
        ]
        return self._post(payload)

    def _post(self, payload: dict) -> str | None:
        try:
            response = self.client.send(payload)
        except http_errors.HTTPError as error:
            raise _sendgrid_error(error) from error
        except TimeoutError as error:
            # The provider may have accepted the message before we gave up: a retry can
            # duplicate it, which beats losing it.
            raise TemporaryDeliveryError(f"SendGrid timed out after {self.timeout}s") from error
        except (URLError, OSError, HTTPException) as error:
            raise TemporaryDeliveryError(f"SendGrid connection: {error!r}") from error
        return response.headers.get("X-Message-Id")


def _sendgrid_error(error: http_errors.HTTPError) -> DeliveryError:
    status = error.status_code
    body = error.body.decode(errors="replace") if isinstance(error.body, bytes) else error.body
    reason = f"SendGrid {status}: {str(body)[:500]}"
    if status == 429:
        # The account's rate limit: SendGrid says when the window resets (epoch seconds).
        return TemporaryDeliveryError(reason, retry_after=_reset_delay(error.headers))
    if status >= 500 or status == 408:
        # SendGrid's side is failing or slow: the same request can succeed later.
        return TemporaryDeliveryError(reason)
    # 400 (bad payload or address), 401/403 (key), 413 (too big): resending cannot help.
    return PermanentDeliveryError(reason)


def _reset_delay(headers) -> float | None:
    reset = headers.get("X-RateLimit-Reset") if headers else None
    try:
        return max(0.0, float(reset) - time.time())
    except (TypeError, ValueError):
        return None


def sendgrid_payload(message: Message) -> dict:
    """The v3 /mail/send request body for one message."""
    from_name, from_email = split_address(message.from_addr)
    payload: dict = {
        "personalizations": [_personalization(message.to, message.delivery_id)],
        "from": _sg_address(from_email, from_name),
        "subject": message.subject,
        "content": [{"type": "text/plain", "value": message.text}],
    }
    if message.html:
        payload["content"].append({"type": "text/html", "value": message.html})
    if message.reply_to:
        reply_name, reply_email = split_address(message.reply_to)
        payload["reply_to"] = _sg_address(reply_email, reply_name)
    if message.headers:
        payload["headers"] = dict(message.headers)
    if message.category:
        payload["categories"] = [message.category]
    if message.attachments:
        payload["attachments"] = [
            {
                "content": base64.b64encode(a.content).decode(),
                "type": a.mimetype,
                "filename": a.filename,
                "disposition": "attachment",
            }
            for a in message.attachments
        ]
    return payload


def _personalization(
    to: str, delivery_id: int | None, substitutions: dict[str, str] | None = None
) -> dict:
    to_name, to_email = split_address(to)
    personalization: dict = {"to": [_sg_address(to_email, to_name)]}
    if delivery_id is not None:
        # Comes back on every event webhook call, to find the outbox row again.
        personalization["custom_args"] = {"delivery_id": str(delivery_id)}
    if substitutions:
        personalization["substitutions"] = substitutions
    return personalization


def _sg_address(email: str, name: str) -> dict:
    # SendGrid rejects names with commas or semicolons unless quoted; drop them instead.
    name = name.replace(",", " ").replace(";", " ").strip()
    return {"email": email, "name": name} if name else {"email": email}


def backend_from_config(config) -> MailBackend:
    """Build the backend named by MAIL_BACKEND."""
    name = config["MAIL_BACKEND"]
    if name == "console":
        return ConsoleBackend()
    if name == "memory":
        return MemoryBackend()
    if name == "smtp":
        return SmtpBackend(
            config["SMTP_HOST"],
            config["SMTP_PORT"],
            config["SMTP_USERNAME"],
            config["SMTP_PASSWORD"],
            config["SMTP_STARTTLS"],
            config["MAIL_SEND_TIMEOUT"],
        )
    if name == "sendgrid":
        return SendGridBackend(
            config["SENDGRID_API_KEY"], config["SENDGRID_API_HOST"], config["MAIL_SEND_TIMEOUT"]
        )
    raise ValueError(f"unknown MAIL_BACKEND {name!r}: use console, memory, smtp or sendgrid")
