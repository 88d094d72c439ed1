"""Signed, expiring links in emails: confirm and withdraw a signature."""

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.services.errors import InvalidToken

CONFIRM = "confirm"
WITHDRAW = "withdraw"
UNSUBSCRIBE = "unsubscribe"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"chorus.{purpose}")


def email_fingerprint(email: str | None) -> str:
    """Ties a token to the address it was sent to, so erasing the address voids the token."""
    return hashlib.sha256((email or "").encode()).hexdigest()[:16]


def make_token(purpose: str, signature_id: int, email: str | None) -> str:
    return _serializer(purpose).dumps([signature_id, email_fingerprint(email)])


def read_token(purpose: str, token: str, max_age: int | None = None) -> tuple[int, str]:
    """Return (signature id, email fingerprint), or raise InvalidToken."""
    try:
        signature_id, fingerprint = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise InvalidToken("This link has expired. Please sign again to get a new one.") from error
    except (BadSignature, ValueError, TypeError) as error:
        raise InvalidToken() from error
    return int(signature_id), str(fingerprint)
