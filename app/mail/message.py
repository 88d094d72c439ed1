"""The Message every backend sends, and the rules that keep user input out of headers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.utils import parseaddr

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


class HeaderInjection(ValueError):
    """A header value carried a line break or control character."""


def clean_display_name(name: str) -> str:
    """Collapse control characters (CR/LF included) in a display name to single spaces."""
    return " ".join(_CONTROL.sub(" ", name).split())[:120]


def check_header(value: str) -> str:
    """Return value unchanged, or raise when it could start a new header line."""
    if _CONTROL.search(value):
        raise HeaderInjection(f"control character in header value {value[:40]!r}")
    return value


def format_address(email: str, name: str = "") -> str:
    """A safe 'Name <email>' string; the email itself must already be valid."""
    check_header(email)
    if not name:
        return email
    local, _, domain = email.rpartition("@")
    return str(Address(display_name=clean_display_name(name), username=local, domain=domain))


def split_address(value: str) -> tuple[str, str]:
    """('Name', 'email') from 'Name <email>' or a bare address."""
    name, email = parseaddr(check_header(value))
    return name, email


@dataclass
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "text/csv"


@dataclass
class Message:
    to: str
    subject: str
    text: str
    html: str = ""
    from_addr: str = ""
    reply_to: str = ""
    # Extra headers, e.g. List-Unsubscribe; checked like every other header.
    headers: dict[str, str] = field(default_factory=dict)
    # For providers: the kind of email (a SendGrid category) and the outbox row it came from.
    category: str = ""
    delivery_id: int | None = None
    attachments: list[Attachment] = field(default_factory=list)

    def __post_init__(self) -> None:
        for value in (self.to, self.subject, self.from_addr, self.reply_to, *self.headers.values()):
            check_header(value)
