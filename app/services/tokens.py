"""Signed, expiring links in emails (confirm and withdraw a signature), sealed tokens for
pages only their holder may read, and keyed hashes."""

import base64
import hashlib
import hmac
import json
import os
import struct
from functools import lru_cache
from typing import NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app import clock
from app.i18n import N_
from app.services.errors import InvalidToken

CONFIRM = "confirm"
WITHDRAW = "withdraw"
UNSUBSCRIBE = "unsubscribe"
AWAITING = "awaiting"


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
        raise InvalidToken(
            N_("This link has expired. Please sign again to get a new one.")
        ) from error
    except (BadSignature, ValueError, TypeError, IndexError) as error:
        raise InvalidToken() from error


def _cipher(purpose: str) -> AESGCM:
    return _cipher_for(current_app.config["SECRET_KEY"], purpose)


# Built once per key: every signature seals a token (its signer's page).
@lru_cache(maxsize=16)
def _cipher_for(secret_key: str, purpose: str) -> AESGCM:
    return AESGCM(hmac.digest(secret_key.encode(), f"chorus.sealed.{purpose}".encode(), "sha256"))


_NONCE = 12  # bytes; random, as AES-GCM allows for fewer than 2**32 tokens per key
_ISSUED = struct.Struct(">Q")  # the issuing time, sealed with the payload
# Seconds a token may seem to come from the future: web servers' clocks differ a little
# (Fernet allowed the same).
_CLOCK_SKEW = 60


def seal(purpose: str, payload: list) -> str:
    """An encrypted, authenticated token carrying payload: unlike a signed one, whoever
    holds it cannot read what it says (for values a URL must not show). AES-GCM: a fifth
    of Fernet's cost, and shorter."""
    nonce = os.urandom(_NONCE)
    data = (
        _ISSUED.pack(int(clock.timestamp())) + json.dumps(payload, separators=(",", ":")).encode()
    )
    sealed = nonce + _cipher(purpose).encrypt(nonce, data, None)
    return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()


def unseal(purpose: str, token: str, max_age: int) -> list:
    """What a sealed token carries, or InvalidToken when it is forged, altered or older
    than max_age seconds (by Chorus's clock)."""
    try:
        sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = _cipher(purpose).decrypt(sealed[:_NONCE], sealed[_NONCE:], None)
        (issued,) = _ISSUED.unpack_from(data)
        payload = json.loads(data[_ISSUED.size :])
    except (InvalidTag, ValueError, UnicodeError, struct.error) as error:
        raise InvalidToken() from error
    if not -_CLOCK_SKEW <= int(clock.timestamp()) - issued <= max_age:
        raise InvalidToken()
    if not isinstance(payload, list):
        raise InvalidToken()
    return payload
