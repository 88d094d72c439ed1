"""Rate limits on signing and writing: mark for review, block only abuse.

Why: the UK petitions service keeps accepting signatures from busy addresses and flags them
for moderators, because a script that is told it was caught simply changes tactics, and one
IP may be a whole campus or mobile network. So a signer over a review limit is accepted as
usual and the signature carries a review reason that organizers see; only a rate far above
anything human from one IP gets a 429. Limits live in config (Flask-Limiter syntax) and are
counted in the limiter's storage: memory in `make run`, Redis in production.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from functools import lru_cache

from flask import current_app, request
from limits import parse_many

from app.extensions import limiter

log = logging.getLogger(__name__)

REASON_IP = "many submissions from one IP address"
REASON_EMAIL = "many submissions from one email address"


def client_ip() -> str:
    """The client's IP: the socket peer, or what PROXY_HOPS trusted proxies say (ProxyFix)."""
    return request.remote_addr or ""


def _digest(value: str) -> str:
    # Keyed hashes: the limiter's store (Redis) never holds an address or an email.
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()[:24]


def _hashed_client_ip() -> str:
    return _digest(client_ip())


def _over(config_key: str, kind: str, value: str) -> bool:
    """Count one hit against every limit in config_key; True when any is exceeded."""
    if not limiter.enabled or not value:
        return False
    key = f"{current_app.config['RATELIMIT_KEY_PREFIX']}:{kind}:{_digest(value)}"
    try:
        # Hit every limit (no short-circuit) so each window counts every submission.
        allowed = [
            limiter.limiter.hit(item, key) for item in _parse(current_app.config[config_key])
        ]
    except Exception:  # the store is down: accept without review rather than fail the signer
        log.warning("rate-limit store unavailable; %s not counted", kind, exc_info=True)
        return False
    return not all(allowed)


@lru_cache(maxsize=32)
def _parse(limits: str) -> tuple:
    return tuple(parse_many(limits))


def review_reason(email: str, ip: str | None = None) -> str:
    """Count a signature or letter against the review limits; say why it needs review, or ""."""
    reasons = []
    if _over("RATELIMIT_REVIEW_IP", "review-ip", ip if ip is not None else client_ip()):
        reasons.append(REASON_IP)
    if _over("RATELIMIT_REVIEW_EMAIL", "review-email", email.strip().lower()):
        reasons.append(REASON_EMAIL)
    return "; ".join(reasons)


def _block_limit() -> str:
    return current_app.config["RATELIMIT_BLOCK_IP"]


# Decorate every view that accepts a signature or a letter (POST): one shared budget per IP.
block_abusive_ip = limiter.shared_limit(
    _block_limit, scope="submissions", key_func=_hashed_client_ip, methods=["POST"]
)


def login_limit() -> str:
    """The per-IP login limit string, for `limiter.limit(login_limit)` on the login view."""
    return current_app.config["RATELIMIT_LOGIN"]


@limiter.request_filter
def _reading_is_never_limited() -> bool:
    # Every limit is on a POST; skipping the limiter's bookkeeping on GETs keeps the hot
    # public pages cheap (in a spike nearly every request is a read).
    return request.method in ("GET", "HEAD")
