"""Small helpers shared by request tests."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from flask.testing import FlaskClient

from app.mail.message import Message

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
_LINK = re.compile(r"https?://\S+/(confirm|withdraw)/(\S+)")


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll until condition() is true (True) or timeout seconds pass (False): for work done
    by a real thread or process, which a frozen clock cannot hurry."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def csrf_token(client: FlaskClient, path: str) -> str:
    """Load a page (the organizer's or a representative's) and return its form's CSRF token."""
    page = client.get(path).get_data(as_text=True)
    match = _CSRF.search(page) or re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def link_token(message: Message, kind: str) -> str:
    """The token of the confirm or withdraw link in an email's text part."""
    for match in _LINK.finditer(message.text):
        if match.group(1) == kind:
            return match.group(2)
    raise AssertionError(f"no {kind} link in {message.text!r}")


def sign_via_form(client: FlaskClient, slug: str, **fields):
    data = {"name": "Ann Lee", "email": "ann@example.org", "zip": "10001"}
    data.update(fields)
    return client.post(f"/c/{slug}/sign", data=data)
