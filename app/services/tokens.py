"""Signed, expiring links in emails (confirm and withdraw a signature), and keyed hashes."""

import hashlib
import hmac
from typing import NamedTuple

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.services.errors import InvalidToken

CONFIRM = "confirm"
WITHDRAW = "withdraw"
UNSUBSCRIBE = "unsubscribe"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"chorus.{purpose}")


def keyed_hash(value: str, chars: int) -> str:
    """A hash keyed with SECRET_KEY: stable enough to group by, useless to recover the value
    (client IPs on signatures, IPs and emails in the rate limiter's store)."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.digest(key, value.encode(), "sha256").hex()[:chars]


def email_fingerprint(email: str | None) -> str:
    """Ties a token to the address it was sent to, so erasing the address voids the token.

    Keyed: a link carries it, and an unkeyed hash would let whoever sees the link test
    guesses of the address.
    """
    return keyed_hash(f"email:{email or ''}", 16)


def _unkeyed_fingerprint(email: str | None) -> str:
    # What links sent before the fingerprint was keyed carry. Withdraw and unsubscribe
    # links never expire, so these are still accepted.
    return hashlib.sha256((email or "").encode()).hexdigest()[:16]


class Link(NamedTuple):
    signature_id: int
    fingerprint: str
    # The letter a confirm link was sent for: only that click may send that letter.
    letter_id: int | None = None


def is_sent_to(link: Link, email: str | None) -> bool:
    """Whether a link was sent to this address (and the address is still stored)."""
    return hmac.compare_digest(link.fingerprint, email_fingerprint(email)) or hmac.compare_digest(
        link.fingerprint, _unkeyed_fingerprint(email)
    )


def make_token(
    purpose: str, signature_id: int, email: str | None, letter_id: int | None = None
) -> str:
    payload: list = [signature_id, email_fingerprint(email)]
    if letter_id is not None:
        payload.append(letter_id)
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int | None = None) -> Link:
    """What a link says (signature, address fingerprint, letter), or raise InvalidToken."""
    try:
        signature_id, fingerprint, *letter = _serializer(purpose).loads(token, max_age=max_age)
        return Link(int(signature_id), str(fingerprint), int(letter[0]) if letter else None)
    except SignatureExpired as error:
        raise InvalidToken("This link has expired. Please sign again to get a new one.") from error
    except (BadSignature, ValueError, TypeError, IndexError) as error:
        raise InvalidToken() from error
