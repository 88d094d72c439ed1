"""Organizers' API keys: created and revoked by admins, stored hashed, shown once, audited."""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa

from app.clock import utcnow
from app.extensions import db
from app.models import ApiKey, Organizer, Scope
from app.services import audit
from app.services.errors import ChorusError
from app.services.unit_of_work import unit_of_work

# Every key starts with this, so a leaked one is recognisable (secret scanners, logs).
KEY_PREFIX = "chorus_"


class KeyRefused(ChorusError):
    message = "Please name the key and give it at least one scope."


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(name: str, scopes: list[str], created_by: Organizer) -> tuple[ApiKey, str]:
    """Create a key with these scopes; return it and its secret (shown once, never stored)."""
    name = name.strip()
    if not name or not scopes or any(scope not in Scope.ALL for scope in scopes):
        raise KeyRefused()
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    with unit_of_work():
        key = ApiKey(
            name=name,
            prefix=secret[: len(KEY_PREFIX) + 6],
            key_hash=_hash(secret),
            scopes=" ".join(sorted(set(scopes))),
            created_by_id=created_by.id,
        )
        db.session.add(key)
        db.session.flush()
        audit.record(created_by, "api_key.create", key, name=name, scopes=key.scopes)
    return key, secret


def revoke_key(key: ApiKey, revoked_by: Organizer) -> None:
    """Stop a key working from now on; revoking twice is harmless."""
    with unit_of_work():
        if key.revoked_at is None:
            key.revoked_at = utcnow()
            audit.record(revoked_by, "api_key.revoke", key, name=key.name)


def key_for(secret: str) -> ApiKey | None:
    """The live key with this secret, or None."""
    if not secret.startswith(KEY_PREFIX):
        return None
    return db.session.scalar(
        sa.select(ApiKey).where(ApiKey.key_hash == _hash(secret), ApiKey.revoked_at.is_(None))
    )


def all_keys() -> list[ApiKey]:
    """Every key, live ones first, newest first."""
    return list(
        db.session.scalars(
            sa.select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.id.desc())
        )
    )
