"""Organizer accounts: creating them, checking passwords, changing roles."""

from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from app import clock
from app.clock import utcnow
from app.extensions import db
from app.models import Organizer, Role
from app.services import audit
from app.services.errors import ChorusError
from app.services.unit_of_work import unit_of_work

MIN_PASSWORD_LENGTH = 12

RANK = {Role.VIEWER: 0, Role.ORGANIZER: 1, Role.ADMIN: 2}


class AccountError(ChorusError):
    message = "That account could not be saved."


@cache
def _hasher_with(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def _hasher() -> PasswordHasher:
    """The argon2 hasher at the app's cost (ARGON2_*: production cost, cheap under tests)."""
    config = current_app.config
    return _hasher_with(
        config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"], config["ARGON2_PARALLELISM"]
    )


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    # Verified when the email is unknown, so a wrong email costs as long as a wrong password.
    return hasher.hash("not a real password")


def hash_password(password: str) -> str:
    """An argon2 hash of the password at the app's cost."""
    return _hasher().hash(password)


def has_role(organizer: Organizer, needed: str) -> bool:
    """Whether the organizer's role is at least `needed` (viewer < organizer < admin)."""
    return RANK.get(organizer.role, -1) >= RANK[needed]


def normalize_email(email: str) -> str:
    return email.strip().lower()


def create_organizer(
    email: str, password: str, role: str, created_by: Organizer | None = None
) -> Organizer:
    """Create an account with an argon2 hash of its password."""
    with unit_of_work():
        email = normalize_email(email)
        if role not in Role.ALL:
            raise AccountError(f"Unknown role {role!r}; choose one of {', '.join(Role.ALL)}.")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
        if db.session.scalar(sa.select(Organizer.id).where(Organizer.email == email)) is not None:
            raise AccountError(f"An account for {email} exists already.")
        organizer = Organizer(email=email, password_hash=hash_password(password), role=role)
        db.session.add(organizer)
        db.session.flush()
        audit.record(created_by, "organizer.create", organizer, email=email, role=role)
        return organizer


def authenticate(email: str, password: str) -> Organizer | None:
    """The active organizer with this email and password, or None."""
    with unit_of_work():
        organizer = db.session.scalar(
            sa.select(Organizer).where(Organizer.email == normalize_email(email))
        )
        if organizer is None:
            _verify(_dummy_hash(_hasher()), password)
            return None
        if not _verify(organizer.password_hash, password) or not organizer.active:
            return None
        if _hasher().check_needs_rehash(organizer.password_hash):
            organizer.password_hash = hash_password(password)
        organizer.last_login_at = utcnow()
        return organizer


def organizer_for_session(session_id: str, logged_in_at: float | None) -> Organizer | None:
    """The organizer a session acts for, or None once it has ended: logged out or disabled
    since (the epoch in its id moved on), or logged in longer ago than SESSION_LIFETIME,
    however busy it has been (a busy stolen cookie must expire too)."""
    organizer_id, _, epoch = session_id.partition(":")
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    if not (organizer_id.isdigit() and epoch.isdigit() and logged_in_at is not None):
        return None
    if clock.timestamp() - logged_in_at > lifetime:
        return None
    organizer = db.session.get(Organizer, int(organizer_id))
    if organizer is None or organizer.session_epoch != int(epoch):
        return None
    return organizer


def end_sessions(organizer: Organizer) -> None:
    """End every session of the account, on every device."""
    with unit_of_work():
        organizer.session_epoch += 1


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def set_role(organizer: Organizer, role: str, active: bool, changed_by: Organizer) -> None:
    """Change an account's role or disable it; nobody can demote or disable themselves."""
    with unit_of_work():
        if role not in Role.ALL:
            raise AccountError(f"Unknown role {role!r}.")
        if organizer.id == changed_by.id and (role != organizer.role or not active):
            raise AccountError("You cannot change your own role or disable your own account.")
        audit.record(
            changed_by,
            "organizer.update",
            organizer,
            role=[organizer.role, role],
            active=[organizer.active, active],
        )
        if organizer.active and not active:
            end_sessions(organizer)
        organizer.role = role
        organizer.active = active


def all_organizers() -> list[Organizer]:
    return list(db.session.scalars(sa.select(Organizer).order_by(Organizer.email)))
